// The size of each wasm module a page loads — the app (the builder) and the runtime (what every CRM
// page loads) — as wasm + its JS glue, gzip level 9, from a Trunk dist folder; compared with the sizes
// recorded in docs/bundle-size.json and with each module's budget.
// Usage: node scripts/bundle-size.mjs [DIST] [--record FILE] [--update]
//   --update  records the sizes measured now; a recorded size only ever goes down (a module that grew
//             keeps its old record, so the budget test keeps failing until it shrinks again).
// Exits 1 with "over budget" when a module's gzipped size exceeds its budget.
// tests/e2e/bundle-size.test.mjs imports `measure` and `overRecord`: a module more than 5% over its
// record fails `make test`.
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

/** The modules, by the name Trunk gives their files; budgets and goals from issue 13 (KiB gzipped). */
export const MODULES = {
  runtime: { stem: "webhook-automations-runtime", budget_kib: 200, goal_kib: 120 },
  app: { stem: "webhook-automations", budget_kib: 480, goal_kib: 350 },
};

/** How far over its record a module may grow before the budget test fails. */
export const TOLERANCE = 0.05;

const gzip = (bytes) => gzipSync(bytes, { level: 9 }).length;

/** Each module's gzipped wasm, js and total, in bytes. */
export function measure(dist) {
  const sizes = {};
  for (const [name, { stem }] of Object.entries(MODULES)) {
    const wasmFile = join(dist, `${stem}_bg.wasm`);
    const jsFile = join(dist, `${stem}.js`);
    if (!existsSync(wasmFile) || !existsSync(jsFile)) {
      throw new Error(`bundle-size: ${stem}.js or ${stem}_bg.wasm is missing in ${dist}; run trunk build --release first`);
    }
    const wasm = gzip(readFileSync(wasmFile));
    const js = gzip(readFileSync(jsFile));
    sizes[name] = { wasm_gzip: wasm, js_gzip: js, total_gzip: wasm + js };
  }
  return sizes;
}

/** The modules more than TOLERANCE over their recorded size: [{ name, now, recorded }]. */
export function overRecord(sizes, record) {
  return Object.entries(sizes)
    .map(([name, size]) => ({ name, now: size.total_gzip, recorded: record.modules?.[name]?.total_gzip }))
    .filter(({ now, recorded }) => recorded !== undefined && now > recorded * (1 + TOLERANCE));
}

export const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;

function main(args) {
  const option = (name, fallback) => {
    const index = args.indexOf(name);
    return index >= 0 ? args[index + 1] : fallback;
  };
  const dist = args.find((arg, index) => !arg.startsWith("--") && !args[index - 1]?.startsWith("--record")) ?? "dist";
  const recordFile = option("--record", "docs/bundle-size.json");
  const record = existsSync(recordFile) ? JSON.parse(readFileSync(recordFile, "utf8")) : { modules: {} };
  const sizes = measure(dist);

  console.log("bundle size (cargo profile wasm-release, wasm-opt -Oz; gzip -9 of wasm + js per module)");
  for (const [name, size] of Object.entries(sizes)) {
    const { budget_kib, goal_kib } = MODULES[name];
    const recorded = record.modules?.[name]?.total_gzip;
    const against = recorded === undefined ? "not recorded" : `recorded ${kib(recorded)} (${record.measured})`;
    console.log(`${name.padEnd(8)} wasm ${kib(size.wasm_gzip).padStart(10)}  js ${kib(size.js_gzip).padStart(9)}  total ${kib(size.total_gzip).padStart(10)}  budget ${budget_kib} KiB, goal ${goal_kib} KiB; ${against}`);
  }
  console.log(`a CRM page without the widget loads the runtime: ${kib(sizes.runtime.total_gzip)}; the settings page with the element loads both: ${kib(sizes.runtime.total_gzip + sizes.app.total_gzip)}`);

  if (args.includes("--update")) {
    const modules = {};
    for (const [name, size] of Object.entries(sizes)) {
      const before = record.modules?.[name];
      // Recorded sizes only go down: growth is never recorded over a smaller size.
      modules[name] = before && before.total_gzip < size.total_gzip ? before : { ...size, budget_kib: MODULES[name].budget_kib, goal_kib: MODULES[name].goal_kib };
    }
    const updated = {
      measured: new Date().toISOString().slice(0, 10),
      profile: "wasm-release (opt-level z, lto, codegen-units 1, panic abort), wasm-opt -Oz",
      gzip_measure: "node zlib gzip level 9 of each module's _bg.wasm plus its .js glue, in bytes",
      modules,
      contributors: record.contributors ?? {},
      split_cost: record.split_cost ?? {},
    };
    writeFileSync(recordFile, JSON.stringify(updated, null, 2) + "\n");
    console.log(`recorded in ${recordFile}`);
  }

  const over = Object.entries(sizes).filter(([name, size]) => size.total_gzip > MODULES[name].budget_kib * 1024);
  for (const [name, size] of over) {
    console.log(`over budget: ${name} is ${kib(size.total_gzip)} gzipped, more than its ${MODULES[name].budget_kib} KiB budget`);
  }
  if (over.length === 0) console.log("within budget: every module");
  return over.length === 0 ? 0 : 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    process.exit(main(process.argv.slice(2)));
  } catch (error) {
    console.error(error.message);
    process.exit(2);
  }
}
