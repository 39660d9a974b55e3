#!/usr/bin/env bash
# `make bench`: criterion benches that put the engine beside its peers in the same run (ratios printed),
# then the size of the release bundle (wasm + js, raw and gzipped).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

echo "== engine benches (cargo profile: bench = release, opt-level 3; not the size-optimised wasm-release)"
cargo bench -p webhook-engine --color never

echo "== bundle size (trunk build --release, cargo profile wasm-release)"
trunk build --release 2>&1 | tail -n 2
node scripts/bundle-size.mjs dist
