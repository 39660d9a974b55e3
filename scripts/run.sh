#!/usr/bin/env bash
# Starts nats-server, the relay, the webhook receiver and serves the built app; prints their URLs;
# Ctrl-C stops all four. NATS keeps its data in .data/nats; the relay's tokens are generated into
# .data/ on the first run and printed once.
set -euo pipefail
cd "$(dirname "$0")/.."

APP_PORT=${APP_PORT:-8080}
RECEIVER_PORT=${RECEIVER_PORT:-8090}
RELAY_PORT=${RELAY_PORT:-8070}
NATS_PORT=${NATS_PORT:-4222}
NATS_SERVER=.tools/bin/nats-server

[ -x "$NATS_SERVER" ] || { echo "run: $NATS_SERVER is missing: run make bootstrap" >&2; exit 1; }
mkdir -p .data/nats

# The relay's two tokens: made once, kept in files only the owner can read, shown on first run.
new_tokens=""
for role in admin events; do
  file=.data/relay-$role-token
  if [ ! -s "$file" ]; then
    (umask 077; python3 -c 'import secrets; print(secrets.token_hex(32))' > "$file")
    new_tokens=yes
  fi
done

pids=()
stop_all() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap stop_all EXIT
trap 'exit 0' INT TERM

"$NATS_SERVER" -js -a 127.0.0.1 -p "$NATS_PORT" -sd .data/nats 2>.data/nats.log &
pids+=($!)
for _ in $(seq 1 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$NATS_PORT") 2>/dev/null && break
  sleep 0.1
done

target/release/webhook-receiver --port "$RECEIVER_PORT" --log target/receiver-requests.jsonl &
pids+=($!)
node scripts/serve-static.mjs dist "$APP_PORT" &
pids+=($!)
# --allow-private: the receiver listens on loopback, which the relay refuses by default (SSRF guard).
target/release/webhook-relay --nats "nats://127.0.0.1:$NATS_PORT" --listen "127.0.0.1:$RELAY_PORT" \
  --admin-token-file .data/relay-admin-token --events-token-file .data/relay-events-token \
  --allow-origin "http://127.0.0.1:$APP_PORT" --allow-origin "http://localhost:$APP_PORT" \
  --allow-private 2>>.data/relay.log >/dev/null &
pids+=($!)

# Wait until each answers, so the URLs printed below work when they are read.
for url in "http://127.0.0.1:$RECEIVER_PORT/_receiver/requests" "http://127.0.0.1:$APP_PORT/" "http://127.0.0.1:$RELAY_PORT/healthz"; do
  for _ in $(seq 1 100); do
    curl -fsS -o /dev/null "$url" 2>/dev/null && break
    sleep 0.1
  done
  curl -fsS -o /dev/null "$url" || { echo "run: $url did not answer (see .data/relay.log and .data/nats.log)" >&2; exit 1; }
done

cat <<MSG

  Webhook Automations is running.
    App:       http://127.0.0.1:$APP_PORT/
    Receiver:  http://127.0.0.1:$RECEIVER_PORT/   (what it received: http://127.0.0.1:$RECEIVER_PORT/_receiver)
    Relay:     http://127.0.0.1:$RELAY_PORT/      (NATS on nats://127.0.0.1:$NATS_PORT, data in .data/nats; log in .data/relay.log)

  Use http://127.0.0.1:$RECEIVER_PORT as a webhook's base URL to try automations. Ctrl-C stops all four.
  To deliver through the relay: Settings → Relay, URL http://127.0.0.1:$RELAY_PORT and the tokens below.
  A mock CRM handing events to the relay: its settings page embeds the app, its deal page loads the runtime alone:
    http://127.0.0.1:$APP_PORT/embed-demo.html?relay=http://127.0.0.1:$RELAY_PORT&events_token=EVENTS_TOKEN  (the events token below)
    http://127.0.0.1:$APP_PORT/deal-demo.html?relay=http://127.0.0.1:$RELAY_PORT&events_token=EVENTS_TOKEN
MSG
if [ -n "$new_tokens" ]; then
  cat <<MSG

  The relay's tokens (shown this once; kept in .data/relay-admin-token and .data/relay-events-token):
    admin:  $(cat .data/relay-admin-token)
    events: $(cat .data/relay-events-token)
MSG
else
  echo
  echo "  The relay's tokens are in .data/relay-admin-token and .data/relay-events-token."
fi
echo
wait -n "${pids[@]}"
