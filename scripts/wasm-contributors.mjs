// The largest contributors to the app's WebAssembly, by crate: twiggy's item sizes of the
// pre-wasm-bindgen module (it still has function names), summed by the crate each item belongs to.
// Usage: node scripts/wasm-contributors.mjs WASM [N]
import { execFileSync } from "node:child_process";

const [wasm, count = "12"] = process.argv.slice(2);
const csv = execFileSync("twiggy", ["top", "-n", "1000000", "-f", "csv", wasm], { encoding: "utf8", maxBuffer: 1 << 28 });
const sizes = new Map();
for (const line of csv.split("\n").slice(1)) {
  const match = line.match(/^(?:"((?:[^"]|"")*)"|([^,]*)),(\d+),/);
  if (!match) continue;
  const name = (match[1] ?? match[2]).replaceAll('""', '"');
  if (/^(custom section|export|import|"function names")/.test(name) || name.includes("function names")) continue;
  const crate = name.match(/<?([a-z_][a-z0-9_]+)::/)?.[1] ?? (name.startsWith("data") ? "(static data)" : "(other)");
  sizes.set(crate, (sizes.get(crate) ?? 0) + Number(match[3]));
}
const total = [...sizes.values()].reduce((a, b) => a + b, 0);
console.log(`largest contributors to the wasm (before wasm-bindgen and wasm-opt, by crate):`);
for (const [crate, bytes] of [...sizes].sort((a, b) => b[1] - a[1]).slice(0, Number(count))) {
  console.log(`  ${crate.padEnd(28)} ${(bytes / 1024).toFixed(1).padStart(8)} KiB  ${((bytes * 100) / total).toFixed(1).padStart(5)}%`);
}
