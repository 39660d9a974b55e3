// The largest contributors to a module's WebAssembly (the app's or the runtime's), measured on the module as it ships: the cargo
// output goes through wasm-bindgen and `wasm-opt -Oz` like Trunk's, but keeps function names (-g), so
// twiggy can name every item. Sizes are summed two ways: by the crate an item belongs to, and by the
// kind of code it is (generic serde and Yew code is named after serde and Yew, whatever type it serves).
// Usage: node scripts/wasm-contributors.mjs CARGO_WASM [N]
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";

const KINDS = [
  ["static data (text, tables)", /^data segment/],
  ["serde deserialization", /Deserialize|Visitor|serde[a-z_]*::de::|::de::Deserializer/],
  ["serde serialization", /Serialize|serde[a-z_]*::ser::|::ser::Serializer/],
  ["Yew component bodies (views)", /Stateful>::view/],
  ["Yew hooks and component plumbing", /yew::/],
  ["closures (callbacks, futures)", /\{\{closure\}\}/],
  ["sorting", /slice::sort/],
  ["formatting (Display/Debug)", /fmt::(Display|Debug)>::fmt|core::fmt/],
  ["drop glue", /drop_in_place/],
];

const [cargoWasm, count = "12"] = process.argv.slice(2);
const work = mkdtempSync(join(tmpdir(), "wasm-contributors-"));
try {
  execFileSync("wasm-bindgen", ["--target", "no-modules", "--no-typescript", "--keep-debug", "--out-dir", work, cargoWasm]);
  const named = join(work, "named.wasm");
  const features = ["bulk-memory", "nontrapping-float-to-int", "sign-ext", "mutable-globals", "reference-types", "multivalue"];
  execFileSync("wasm-opt", ["-Oz", "-g", ...features.map((f) => `--enable-${f}`), join(work, `${basename(cargoWasm, ".wasm")}_bg.wasm`), "-o", named]);
  const csv = execFileSync("twiggy", ["top", "-n", "1000000", "-f", "csv", named], { encoding: "utf8", maxBuffer: 1 << 28 });
  report(items(csv));
} finally {
  rmSync(work, { recursive: true, force: true });
}

function items(csv) {
  const out = [];
  for (const line of csv.split("\n").slice(1)) {
    const match = line.match(/^(?:"((?:[^"]|"")*)"|([^,]*)),(\d+),/);
    if (!match) continue;
    const name = (match[1] ?? match[2]).replaceAll('""', '"');
    // Names and custom sections are not shipped: Trunk's wasm-opt drops them.
    if (/names" subsection|^custom section/.test(name)) continue;
    out.push([name, Number(match[3])]);
  }
  return out;
}

function report(rows) {
  const sum = (key) => {
    const sizes = new Map();
    for (const [name, bytes] of rows) sizes.set(key(name), (sizes.get(key(name)) ?? 0) + bytes);
    return [...sizes].sort((a, b) => b[1] - a[1]);
  };
  const total = rows.reduce((acc, [, bytes]) => acc + bytes, 0);
  const line = ([label, bytes]) =>
    `  ${label.padEnd(34)} ${(bytes / 1024).toFixed(1).padStart(8)} KiB  ${((bytes * 100) / total).toFixed(1).padStart(5)}%`;
  console.log(`largest contributors to the shipped wasm (${(total / 1024).toFixed(1)} KiB before compression), by kind of code:`);
  for (const entry of sum((name) => KINDS.find(([, pattern]) => pattern.test(name))?.[0] ?? "other code").slice(0, Number(count))) {
    console.log(line(entry));
  }
  console.log("by crate (the outermost crate in an item's name):");
  const crate = (name) => name.replace(/^(<|&|mut |dyn )+/, "").match(/^([a-z_][a-z0-9_]+)(?:\[[0-9a-f]+\])?::/)?.[1] ?? (name.startsWith("data segment") ? "(static data)" : "(other)");
  for (const entry of sum(crate).slice(0, Number(count))) console.log(line(entry));
}
