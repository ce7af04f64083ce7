#!/usr/bin/env bash
# Idempotent set-up of a fresh Debian 12 machine: system packages, Rust check, front-end packages.
# Used by both README commands (scripts/run.sh and scripts/test.sh). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PKGS=(
  # build
  build-essential pkg-config file libssl-dev
  # Tauri 2 / WebKitGTK
  libwebkit2gtk-4.1-dev libgtk-3-dev libayatana-appindicator3-dev librsvg2-dev libxdo-dev
  # PC/SC stack with the virtual reader driver used by the card simulator
  pcscd libpcsclite-dev pcsc-tools vsmartcard-vpcd
  # headless display, end-to-end driver, screenshots
  xvfb xauth webkit2gtk-driver imagemagick x11-utils xdotool dbus-x11
  # fonts with full Vietnamese coverage
  fonts-dejavu-core fonts-noto-core
  # documents and browser tests
  poppler-utils chromium
  # PAdES signature checks in crates/pdfsign tests (openssl cms -verify)
  openssl
  # printing: CUPS with the cups-pdf queue used by crates/hoso-docs' printing test (scripts/cups.sh)
  cups cups-client cups-bsd printer-driver-cups-pdf
  # scanners: scanimage and the SANE `test` backend (crates/digitize tests)
  sane-utils
  # PKCS#11 token signing tests (crates/pkcs11-sign, digitize, app-core): SoftHSM2
  softhsm2
)

missing=()
for p in "${APT_PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

command -v cargo >/dev/null || { echo "setup: cargo not found; install Rust (rustup) first" >&2; exit 1; }
command -v npm >/dev/null || { echo "setup: npm not found; install Node.js 20 first" >&2; exit 1; }

if [ -f ui/package.json ]; then
  if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
    (cd ui && npm ci --no-audit --no-fund)
  fi
fi
