// The size budget as a test: size is deterministic, so a module (the runtime every CRM page loads, or
// the app) that grows more than 5% over the size recorded in docs/bundle-size.json fails `make test`.
// Record a smaller size with `node scripts/bundle-size.mjs dist --update` (recorded sizes only go down).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./harness.mjs";
import { MODULES, TOLERANCE, kib, measure, overRecord } from "../../scripts/bundle-size.mjs";

test("no module of the release build is more than 5% over its recorded gzipped size", () => {
  const record = JSON.parse(readFileSync(join(ROOT, "docs", "bundle-size.json"), "utf8"));
  for (const name of Object.keys(MODULES)) {
    assert.ok(record.modules?.[name]?.total_gzip > 0, `docs/bundle-size.json records no size for ${name}`);
  }
  const over = overRecord(measure(process.env.APP_DIST ?? join(ROOT, "dist")), record);
  const described = over.map(({ name, now, recorded }) =>
    `${name}: ${kib(now)} gzipped, more than ${Math.round(TOLERANCE * 100)}% over its recorded ${kib(recorded)}`);
  assert.deepEqual(described, []);
});
