// Runs every end-to-end test on its own, one `node --test --test-name-pattern` per test, to show that
// none depends on what an earlier test left behind. Not part of `make test` (it starts a browser per
// test, so it takes a few minutes longer than the whole suite); run it after changing tests/e2e.
// Usage: node scripts/e2e-each-alone.mjs [FILE...]   (after `trunk build --release` and
//        `cargo build -p webhook-receiver`; FILE defaults to every tests/e2e/*.test.mjs)
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../tests/e2e/harness.mjs";

const E2E = join(ROOT, "tests", "e2e");
const files = process.argv.length > 2
  ? process.argv.slice(2)
  : readdirSync(E2E).filter((name) => name.endsWith(".test.mjs")).map((name) => join(E2E, name));

/**
 * The names of the top-level tests of a file, as the test runner lists them (generated names too): a
 * pattern no test matches skips them all, and the TAP output names each skipped test.
 */
function testNames(file) {
  const listing = spawnSync(
    process.execPath,
    ["--test", "--test-reporter=tap", "--test-name-pattern=^(?!)", file],
    { cwd: ROOT, encoding: "utf8" },
  );
  return [...listing.stdout.matchAll(/^ok \d+ - (.*) # SKIP/gm)].map((match) =>
    match[1].replace(/\\([\\#])/g, "$1"),
  );
}

const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

const failed = [];
let passed = 0;
for (const file of files) {
  for (const name of testNames(file)) {
    const started = Date.now();
    const run = spawnSync(
      process.execPath,
      ["--test", "--test-reporter=tap", `--test-name-pattern=^${escapeRegExp(name)}$`, file],
      { cwd: ROOT, encoding: "utf8" },
    );
    const count = (label) => Number(run.stdout.match(new RegExp(`^# ${label} (\\d+)`, "m"))?.[1] ?? 0);
    const ok = run.status === 0 && count("pass") === 1 && count("fail") === 0;
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`${ok ? "ok  " : "FAIL"} ${seconds.padStart(5)} s  ${file.replace(`${ROOT}/`, "")}: ${name}`);
    if (ok) passed += 1;
    else {
      failed.push(name);
      process.stdout.write(run.stdout.split("\n").filter((line) => /^\s*(not ok|#|error|expected|actual|\s+at )/.test(line)).slice(0, 40).join("\n") + "\n");
    }
  }
}
console.log(`${passed} passed alone, ${failed.length} failed alone`);
process.exit(failed.length === 0 ? 0 : 1);
