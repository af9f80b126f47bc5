#!/usr/bin/env bash
# Sets up everything the service needs on a fresh Debian 12 machine, using only apt and the npm registry.
# Idempotent: each step is skipped when its inputs have not changed since it last ran.
#   scripts/setup.sh            system packages, node_modules, the FAISS addon, database migrations, app build
#   scripts/setup.sh --test     the same, plus Chromium for the browser tests
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1 CHECKPOINT_DISABLE=1

step() { printf '\n== %s\n' "$*"; }

apt_packages=(libfaiss-dev libopenblas-dev dataset-fashion-mnist)
[ "${1:-}" = "--test" ] && apt_packages+=(chromium)

step "system packages: ${apt_packages[*]}"
missing=()
for p in "${apt_packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] && sudo="" || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  echo "installed: ${missing[*]}"
else
  echo "present"
fi

step "node_modules (npm ci)"
lock_hash=$(cat package.json package-lock.json | sha256sum | cut -c1-16)
if [ "$(cat node_modules/.la-setup 2>/dev/null)" != "$lock_hash" ]; then
  # node-gyp compiles better-sqlite3 against Debian's Node headers instead of downloading them.
  [ -f /usr/include/node/node_api.h ] && export npm_config_nodedir=/usr
  npm ci --no-audit --no-fund
  echo "$lock_hash" > node_modules/.la-setup
else
  echo "up to date"
fi

step "native addons (faiss-node, kernels)"
bash scripts/build-native.sh

step "database migrations"
mkdir -p "${LA_DATA_DIR:-./data}"
npx prisma migrate deploy 2>&1 | grep -E "migrations|applied|Error|error" || true
npx prisma migrate status >/dev/null

step "web app (next build)"
dist=${NEXT_DIST_DIR:-.next}
sources=(app lib public next.config.js postcss.config.mjs tsconfig.json package-lock.json prisma/schema.prisma)
src_hash=$(find "${sources[@]}" -type f | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-16)
if [ -f "$dist/BUILD_ID" ] && [ "$(cat "$dist/.la-source" 2>/dev/null)" = "$src_hash" ]; then
  echo "up to date"
else
  npm run build --silent
  echo "$src_hash" > "$dist/.la-source"
fi
