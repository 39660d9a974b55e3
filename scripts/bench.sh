#!/usr/bin/env bash
# `make bench`: criterion benches that put the engine beside its peers in the same run (ratios printed),
# delivery and typing in headless Chromium beside a bare fetch loop and a bare <textarea>, the relay beside
# a bare HTTP loop, then the size of the release bundle (wasm + js, raw, gzip and brotli).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
mkdir -p test-output

echo "== engine benches (cargo profile: bench = release at opt-level 3, not the size-optimised wasm-release)"
cargo bench -p webhook-bench --color never -- "$@" 2>&1 | tee test-output/bench.log

echo "== relay: events through webhook-relay vs a bare reqwest loop (real nats-server, receiver, relay processes)"
cargo build --release -p webhook-receiver --quiet
cargo bench -p webhook-relay --bench delivery --color never 2>&1 | tee -a test-output/bench.log

echo "== bundle size (trunk build --release, cargo profile wasm-release)"
trunk build --release 2>&1 | tail -n 1
cargo build -p webhook-receiver --quiet

echo "== delivery throughput in headless Chromium (release build)"
node scripts/bench-delivery.mjs 1000 | tee -a test-output/bench.log
echo "== first render in headless Chromium (release build): a regular user's CRM page, an admin's settings page"
node scripts/bench-first-render.mjs 7 | tee -a test-output/bench.log
echo "== typing into a 100 KB raw body in headless Chromium (release build), beside a bare <textarea>"
node scripts/bench-typing.mjs 100 500 | tee -a test-output/bench.log
command -v twiggy >/dev/null || { echo "installing twiggy (for the contributors list)"; cargo install twiggy --locked; }
for module in webhook_automations_runtime webhook_automations; do
  echo "== $module"
  node scripts/wasm-contributors.mjs "target/wasm32-unknown-unknown/wasm-release/$module.wasm" | tee -a test-output/bench.log
done
budget=0
node scripts/bundle-size.mjs dist | tee -a test-output/bench.log || budget=$?

echo
echo "== summary"
grep -E '^(ratio|conditions|delivery:|delivery CPU:|typing:|relay:|first render:) ' test-output/bench.log || true
grep -E '^(runtime |app |a CRM page|over budget|within budget)' test-output/bench.log || true
exit $budget
