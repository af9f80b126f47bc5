#!/usr/bin/env bash
# Sets up (idempotent, see scripts/setup.sh), prepares the demo collection, and starts the web app and
# one background worker. Ctrl-C stops both. PORT (3000), HOST (127.0.0.1) and LA_DATA_DIR (./data) apply.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export NEXT_TELEMETRY_DISABLED=1 CHECKPOINT_DISABLE=1 NODE_ENV=production
PORT=${PORT:-3000}
HOST=${HOST:-127.0.0.1}
if [ -z "${LA_AUTH_TOKEN:-}" ]; then
  case "$HOST" in 127.*|localhost|::1) ;; *) echo "HOST=$HOST ignored: without LA_AUTH_TOKEN the service listens on 127.0.0.1 only." >&2 ;; esac
  HOST=127.0.0.1
  echo "Access control is off (LA_AUTH_TOKEN is not set): listening on 127.0.0.1 only."
fi

printf '\n== demo collection\n'
npm run --silent la -- demo

printf '\n== starting worker and web app on http://%s:%s\n' "$HOST" "$PORT"
node node_modules/tsx/dist/cli.mjs workers/main.ts &
worker=$!
node node_modules/next/dist/bin/next start -H "$HOST" -p "$PORT" &
web=$!
trap 'kill -TERM $worker $web 2>/dev/null; wait $worker $web 2>/dev/null' INT TERM EXIT
# If either process dies, stop the other and exit with its status.
wait -n $worker $web
