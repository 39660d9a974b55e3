// Trunk's post-build hook (Trunk.toml): names each module's build by a hash of its files, so the
// WebAssembly can be cached for long under a versioned URL while widget.js, the JS glue and the
// runtime's entry keep their stable names. widget.js loads both modules' wasm as `…_bg.wasm?v=<hash>`;
// asset-versions.json tells a host page (or its server) the same versions, for
// `init({ module_or_path: "…_bg.wasm?v=<hash>" })`.
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const staging = process.env.TRUNK_STAGING_DIR;
if (!staging) {
  console.error("version-assets: TRUNK_STAGING_DIR is not set (this runs as Trunk's post_build hook)");
  process.exit(2);
}

/** The first 12 hex digits of the SHA-256 of `files`, in order. */
function versionOf(files) {
  const hash = createHash("sha256");
  for (const file of files) hash.update(readFileSync(join(staging, file)));
  return hash.digest("hex").slice(0, 12);
}

const versions = {
  app: versionOf(["webhook-automations.js", "webhook-automations_bg.wasm"]),
  runtime: versionOf(["webhook-automations-runtime.js", "webhook-automations-runtime_bg.wasm"]),
};
const widgetPath = join(staging, "widget.js");
const widget = readFileSync(widgetPath, "utf8");
let versioned = widget;
for (const [name, placeholder] of [["app", 'const VERSION = "unversioned";'], ["runtime", 'const RUNTIME_VERSION = "unversioned-runtime";']]) {
  if (!versioned.includes(placeholder)) {
    console.error(`version-assets: widget.js no longer has the line ${placeholder}`);
    process.exit(2);
  }
  versioned = versioned.replace(placeholder, placeholder.replace(/"unversioned(-runtime)?"/, `"${versions[name]}"`));
}
writeFileSync(widgetPath, versioned);
writeFileSync(join(staging, "asset-versions.json"), `${JSON.stringify(versions, null, 2)}\n`);
