#!/usr/bin/env bash
# Runs every test of Một Cửa Desk on a fresh Debian 12 machine (installs what it needs first):
# front-end unit tests, Rust unit and integration tests (the PC/SC ones through a real pcscd with
# the software card on vpcd), the end-to-end test of the real app under Xvfb, clippy, and a short
# run of every fuzz target.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never
bash scripts/setup.sh
bash scripts/pcscd.sh start
bash scripts/cups.sh start

echo "== front end (build first: the app crate embeds ui/dist)"
(cd ui && npm run build && npm test)

echo "== webcam panel in Chromium with a fake camera (decoded by qr-decode behind qr-testserve)"
(cd ui && npm run test:browser)

echo "== Rust tests"
cargo test --workspace --locked

echo "== end to end: the real app under Xvfb, driven through WebKitWebDriver"
MOTCUA_E2E=1 xvfb-run -a -s "-screen 0 1366x768x24" \
  cargo test -p motcua-desk --locked --test e2e -- --nocapture

echo "== clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "== fuzz targets (short run)"
bash scripts/fuzz.sh "${FUZZ_SECONDS:-15}"
