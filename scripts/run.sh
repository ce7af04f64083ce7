#!/usr/bin/env bash
# Builds and starts Một Cửa Desk on a fresh Debian 12 machine (installs what it needs first).
# With no hardware PC/SC reader attached, the app offers the simulated reader: generated test
# cards placed on pcscd's virtual reader and read through the real PC/SC path.
# Extra arguments go to the app, e.g. --data-dir DIR or --demo (simulated reader regardless).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/pcscd.sh start
(cd ui && npm run build)
cargo build --release --locked -p motcua-desk
exec target/release/motcua-desk "$@"
