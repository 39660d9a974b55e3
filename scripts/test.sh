#!/usr/bin/env bash
# Runs the three test harnesses in turn and prints each one's pass count:
#   native   cargo test --workspace (engine, cli, receiver, app logic)
#   browser  wasm-bindgen-test in headless Chromium, with a real webhook-receiver to fetch from
#   e2e      Playwright (playwright-core + Debian's Chromium) against the release build and the receiver
# A harness that fails, or runs zero tests, fails the whole run.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

OUT=test-output
mkdir -p "$OUT"
declare -A passed failed
order=()

record() { # name passed failed
  order+=("$1"); passed[$1]=$2; failed[$1]=$3
  echo "== $1: $2 passed, $3 failed"
  if [ "$2" -eq 0 ]; then echo "test: the $1 harness ran no test" >&2; exit 1; fi
}

cargo_counts() { # totals of every "test result:" line in a cargo test log
  awk '/^test result:/ {p += $4; f += $6} END {print p + 0, f + 0}' "$1"
}

echo "== native: cargo test --workspace"
cargo test --workspace --color never 2>&1 | tee "$OUT/native.log"
record native $(cargo_counts "$OUT/native.log")

echo "== browser: wasm-bindgen-test in headless Chromium"
receiver_log="$OUT/browser-receiver.out"
target/debug/webhook-receiver --port 0 >"$receiver_log" 2>"$OUT/browser-receiver.err" &
receiver_pid=$!
trap 'kill $receiver_pid 2>/dev/null || true' EXIT
# The receiver prints its URL as its first line once it listens; wait for that line, not for a time.
receiver_url=""
for _ in $(seq 1 300); do
  receiver_url=$(sed -n 's/^webhook-receiver listening on //p' "$receiver_log")
  [ -n "$receiver_url" ] && break
  kill -0 $receiver_pid 2>/dev/null || { echo "test: the receiver exited" >&2; cat "$OUT/browser-receiver.err" >&2; exit 1; }
  sleep 0.1
done
[ -n "$receiver_url" ] || { echo "test: the receiver did not start" >&2; exit 1; }
RECEIVER_URL="$receiver_url" \
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
CHROMEDRIVER=/usr/bin/chromedriver \
WASM_BINDGEN_TEST_DRIVER_TIMEOUT=${WASM_BINDGEN_TEST_DRIVER_TIMEOUT:-30} \
WASM_BINDGEN_TEST_TIMEOUT=${WASM_BINDGEN_TEST_TIMEOUT:-120} \
  cargo test --color never --target wasm32-unknown-unknown -p webhook-automations --test browser 2>&1 | tee "$OUT/browser.log"
kill $receiver_pid 2>/dev/null || true
record browser $(cargo_counts "$OUT/browser.log")

echo "== e2e: Playwright against the release build"
trunk build --release 2>&1 | tail -n 5
node --test --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$OUT/e2e.tap" tests/e2e/ 2>&1 | tee "$OUT/e2e.log"
record e2e "$(awk '/^# pass/ {print $3}' "$OUT/e2e.tap")" "$(awk '/^# fail/ {print $3}' "$OUT/e2e.tap")"

total_passed=0; total_failed=0
for name in "${order[@]}"; do
  total_passed=$((total_passed + passed[$name])); total_failed=$((total_failed + failed[$name]))
done
echo
for name in "${order[@]}"; do printf '%-8s %5d passed, %d failed\n' "$name" "${passed[$name]}" "${failed[$name]}"; done
echo "$total_passed passed, $total_failed failed"
