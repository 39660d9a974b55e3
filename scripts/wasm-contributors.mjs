// The largest contributors to a module's WebAssembly (the app's or the runtime's), measured on the module as it ships: the cargo
// output goes through wasm-bindgen and `wasm-opt -Oz` like Trunk's, but keeps function names (-g), so
// twiggy can name every item. Sizes are summed two ways: by the crate an item belongs to, and by the
// kind of code it is (generic serde and Yew code is named after serde and Yew, whatever type it serves).
// Usage: node scripts/wasm-contributors.mjs CARGO_WASM [N]
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { gzipSync } from "node:zlib";

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
  reportGzipped(readFileSync(named));
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

/**
 * Gzipped sizes by kind: each kind's function bodies (and the data segments) compressed on their own.
 * Compression depends on context, so these add up to a little more than the module's gzip; each is
 * about what the module would lose without that kind of code, the figure a size budget is about.
 */
function reportGzipped(wasm) {
  const { bodies, data } = codeAndData(wasm);
  const groups = new Map();
  for (const { name, body } of bodies) {
    const kind = KINDS.find(([, pattern]) => pattern.test(name))?.[0] ?? "other code";
    groups.set(kind, [...(groups.get(kind) ?? []), body]);
  }
  groups.set("static data (text, tables)", data);
  const gzipped = [...groups].map(([kind, parts]) => [kind, gzipSync(Buffer.concat(parts), { level: 9 }).length]);
  gzipped.sort((a, b) => b[1] - a[1]);
  console.log("gzipped, each kind compressed on its own (about what the module would lose without it):");
  for (const [kind, bytes] of gzipped) console.log(`  ${kind.padEnd(34)} ${(bytes / 1024).toFixed(1).padStart(8)} KiB`);
}

/** The function bodies of a wasm module, each with its name (from the name section), and its data segments. */
function codeAndData(wasm) {
  let at = 8;
  const leb = () => {
    let value = 0, shift = 0, byte;
    do {
      byte = wasm[at++];
      value += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return value;
  };
  const name = () => {
    const length = leb();
    at += length;
    return wasm.subarray(at - length, at).toString("utf8");
  };
  let importedFunctions = 0;
  const bodies = [], data = [], names = new Map();
  while (at < wasm.length) {
    const id = wasm[at++];
    const size = leb();
    const end = at + size;
    if (id === 2) {
      for (let count = leb(); count > 0; count -= 1) {
        name(), name();
        const kind = wasm[at++];
        if (kind === 0) (leb(), importedFunctions++);
        else if (kind === 1) (at++, leb() & 1 ? (leb(), leb()) : leb());
        else if (kind === 2) leb() & 1 ? (leb(), leb()) : leb();
        else at += 2;
      }
    } else if (id === 10) {
      for (let count = leb(); count > 0; count -= 1) {
        const length = leb();
        bodies.push({ index: importedFunctions + bodies.length, body: wasm.subarray(at, at + length) });
        at += length;
      }
    } else if (id === 11) {
      data.push(wasm.subarray(at, end));
    } else if (id === 0 && name() === "name") {
      while (at < end) {
        const subsection = wasm[at++];
        const subsectionEnd = leb() + at;
        if (subsection === 1) for (let count = leb(); count > 0; count -= 1) names.set(leb(), name());
        at = subsectionEnd;
      }
    }
    at = end;
  }
  return { bodies: bodies.map(({ index, body }) => ({ name: names.get(index) ?? "", body })), data };
}
