#!/usr/bin/env bash
# Checks formatting and lints, then runs the three test harnesses in turn and prints each one's pass
# count:
#   native   cargo test --workspace (engine, cli, receiver, app logic)
#   browser  wasm-bindgen-test in headless Chromium, with a real webhook-receiver to fetch from
#   e2e      Playwright (playwright-core + Debian's Chromium) against the release build (both modules:
#            the app and the runtime) and the receiver, and the size budget (tests/e2e/bundle-size.test.mjs)
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

echo "== lints: rustfmt, clippy (native, and the browser crates for wasm32: the app, the runtime with its entry)"
cargo fmt --all --check
cargo clippy --workspace --all-targets --color never -- -D warnings
# The browser tests read these at compile time; clippy only needs them to be set.
RECEIVER_URL=http://127.0.0.1:9 RECEIVER_NO_CORS_URL=http://127.0.0.1:9 CLOSED_URL=http://127.0.0.1:9 \
  cargo clippy -p webhook-automations --target wasm32-unknown-unknown --all-targets --color never -- -D warnings
cargo clippy -p webhook-automations-runtime --features entry --target wasm32-unknown-unknown --all-targets --color never -- -D warnings
echo "== lints: clean"

echo "== native: cargo test --workspace"
cargo test --workspace --color never 2>&1 | tee "$OUT/native.log"
record native $(cargo_counts "$OUT/native.log")

echo "== browser: wasm-bindgen-test in headless Chromium"
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
# Starts a receiver with extra flags on a free port, in this shell so the EXIT trap can stop it.
start_receiver() { # name flags...
  local name=$1; shift
  "${CARGO_TARGET_DIR:-target}"/debug/webhook-receiver --port 0 --quiet "$@" >"$OUT/$name.out" 2>"$OUT/$name.err" &
  pids+=($!)
}
# Prints a started receiver's URL: its first line once it listens (we wait for that line, not a time).
receiver_url_of() { # name
  for _ in $(seq 1 300); do
    local url
    url=$(sed -n 's/^webhook-receiver listening on //p' "$OUT/$1.out")
    if [ -n "$url" ]; then echo "$url"; return 0; fi
    sleep 0.1
  done
  echo "test: receiver $1 did not start" >&2; cat "$OUT/$1.err" >&2; return 1
}
start_receiver browser-receiver
start_receiver browser-receiver-no-cors --no-cors
receiver_url=$(receiver_url_of browser-receiver)
no_cors_url=$(receiver_url_of browser-receiver-no-cors)
# A port nothing listens on: bound, then released.
# The test page is served without cross-origin isolation (COEP), like the app itself: under COEP
# the no-cors probe that tells a CORS refusal from a dead endpoint would be blocked.
closed_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
RECEIVER_URL="$receiver_url" RECEIVER_NO_CORS_URL="$no_cors_url" CLOSED_URL="http://127.0.0.1:$closed_port" \
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
WASM_BINDGEN_TEST_NO_ORIGIN_ISOLATION=1 \
CHROMEDRIVER=/usr/bin/chromedriver \
WASM_BINDGEN_TEST_DRIVER_TIMEOUT=${WASM_BINDGEN_TEST_DRIVER_TIMEOUT:-30} \
WASM_BINDGEN_TEST_TIMEOUT=${WASM_BINDGEN_TEST_TIMEOUT:-120} \
  cargo test --color never --target wasm32-unknown-unknown -p webhook-automations --test browser 2>&1 | tee "$OUT/browser.log"
kill "${pids[@]}" 2>/dev/null || true
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
