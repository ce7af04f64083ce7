#!/usr/bin/env bash
# Builds and starts Một Cửa Desk on a fresh Debian 12 machine (installs what it needs first).
# With no PC/SC reader attached the app offers a simulated reader with demo cards.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/pcscd.sh start
if [ -f ui/package.json ]; then (cd ui && npm run build); fi
cargo build --release --locked
echo "The desktop app is not built yet in this revision." >&2
