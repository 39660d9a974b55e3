// The size of the app's wasm + js in a Trunk dist folder: raw, gzip (level 9) and brotli (quality 11),
// compared with the size recorded in docs/bundle-size.json, and checked against the budget.
// Usage: node scripts/bundle-size.mjs [DIST] [--record FILE] [--budget-kib N] [--update]
// Exits 1 with "over budget" when the gzipped total exceeds the budget.
import { readdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : fallback;
};
const dist = args.find((arg, index) => !arg.startsWith("--") && !args[index - 1]?.startsWith("--")) ?? "dist";
const recordFile = option("--record", "docs/bundle-size.json");
const budgetKib = Number(option("--budget-kib", "250"));

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
  console.log(`${name.padEnd(40)} raw ${kib(sizes.raw).padStart(11)}  gzip ${kib(sizes.gzip).padStart(10)}  brotli ${kib(sizes.brotli).padStart(10)}`);
}
console.log(`${"total wasm + js".padEnd(40)} raw ${kib(total.raw).padStart(11)}  gzip ${kib(total.gzip).padStart(10)}  brotli ${kib(total.brotli).padStart(10)}`);

if (existsSync(recordFile)) {
  const recorded = JSON.parse(readFileSync(recordFile, "utf8"));
  const delta = (now, then) => `${now >= then ? "+" : ""}${kib(now - then)}`;
  console.log(`recorded in ${recordFile} (${recorded.measured}): gzip ${kib(recorded.gzip)}, brotli ${kib(recorded.brotli)} → now ${delta(total.gzip, recorded.gzip)} gzip, ${delta(total.brotli, recorded.brotli)} brotli`);
}
if (args.includes("--update")) {
  writeFileSync(recordFile, JSON.stringify({ measured: new Date().toISOString().slice(0, 10), ...total }, null, 2) + "\n");
  console.log(`recorded the sizes in ${recordFile}`);
}
if (total.gzip > budgetKib * 1024) {
  console.log(`over budget: ${kib(total.gzip)} gzipped is more than the ${budgetKib} KiB budget`);
  process.exit(1);
}
console.log(`within budget: ${kib(total.gzip)} of ${budgetKib} KiB gzipped`);
