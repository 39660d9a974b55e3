// Prints the size of the app's wasm + js in a Trunk dist folder: raw, gzip (level 9) and brotli.
// Usage: node scripts/bundle-size.mjs [DIST]
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const dist = process.argv[2] ?? "dist";
const files = readdirSync(dist).filter((name) => name.endsWith(".wasm") || name.endsWith(".js"));
if (files.length === 0) {
  console.error(`bundle-size: no .wasm or .js in ${dist}; build first`);
  process.exit(1);
}
const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
const total = { raw: 0, gzip: 0, brotli: 0 };
for (const name of files.sort()) {
  const bytes = readFileSync(join(dist, name));
  const sizes = {
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
  for (const key of Object.keys(total)) total[key] += sizes[key];
  console.log(`${name.padEnd(48)} raw ${kib(sizes.raw).padStart(11)}  gzip ${kib(sizes.gzip).padStart(10)}  brotli ${kib(sizes.brotli).padStart(10)}`);
}
console.log(`${"total wasm + js".padEnd(48)} raw ${kib(total.raw).padStart(11)}  gzip ${kib(total.gzip).padStart(10)}  brotli ${kib(total.brotli).padStart(10)}`);
