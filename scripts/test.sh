#!/usr/bin/env bash
# Sets up (idempotent, see scripts/setup.sh) and runs the whole test suite: unit, integration, browser.
# Extra arguments go to vitest, e.g. `npm test -- --project unit`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
export NEXT_TELEMETRY_DISABLED=1 CHECKPOINT_DISABLE=1
printf '\n== type check (whole project)\n'
npx tsc --noEmit -p tsconfig.json
printf '\n== tests\n'
npx vitest run "$@"
