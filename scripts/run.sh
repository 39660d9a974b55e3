#!/usr/bin/env bash
# Starts the webhook receiver and serves the built app; prints both URLs; Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."

APP_PORT=${APP_PORT:-8080}
RECEIVER_PORT=${RECEIVER_PORT:-8090}

pids=()
stop_all() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap stop_all EXIT
trap 'exit 0' INT TERM

target/release/webhook-receiver --port "$RECEIVER_PORT" --log target/receiver-requests.jsonl &
pids+=($!)
node scripts/serve-static.mjs dist "$APP_PORT" &
pids+=($!)

# Wait until both answer, so the URLs printed below work when they are read.
for url in "http://127.0.0.1:$RECEIVER_PORT/_receiver/requests" "http://127.0.0.1:$APP_PORT/"; do
  for _ in $(seq 1 100); do
    curl -fsS -o /dev/null "$url" 2>/dev/null && break
    sleep 0.1
  done
  curl -fsS -o /dev/null "$url" || { echo "run: $url did not answer" >&2; exit 1; }
done

cat <<MSG

  Webhook Automations is running.
    App:       http://127.0.0.1:$APP_PORT/
    Receiver:  http://127.0.0.1:$RECEIVER_PORT/   (what it received: http://127.0.0.1:$RECEIVER_PORT/_receiver)

  Use http://127.0.0.1:$RECEIVER_PORT as a webhook's base URL to try automations. Ctrl-C stops both.

MSG
wait -n "${pids[@]}"
