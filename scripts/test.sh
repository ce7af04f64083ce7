#!/usr/bin/env bash
# Runs every test of Một Cửa Desk on a fresh Debian 12 machine (installs what it needs first).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never
bash scripts/setup.sh
bash scripts/pcscd.sh start

if [ -f ui/package.json ]; then
  (cd ui && npm run build && npm test)
fi

cargo test --workspace --locked
