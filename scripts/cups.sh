#!/usr/bin/env bash
# Makes sure a CUPS scheduler runs (no systemd needed: cupsd is started directly) with the
# cups-pdf queue "MotCuaPDF", whose PDFs land in $MOTCUA_CUPS_PDF_OUT (default
# /var/spool/cups-pdf/motcua). Used by the printing test of crates/hoso-docs. Idempotent.
# Usage: scripts/cups.sh [start|stop|status|outdir]
set -euo pipefail
cmd="${1:-start}"
queue=MotCuaPDF
out="${MOTCUA_CUPS_PDF_OUT:-/var/spool/cups-pdf/motcua}"
conf=/etc/cups/cups-pdf.conf
running() { LC_ALL=C lpstat -r 2>/dev/null | grep -q "scheduler is running"; }

set_conf() { # key value: replace "key …" or "#key …", else append
  local key="$1" val="$2"
  if grep -qE "^#?${key}[[:space:]]" "$conf"; then
    sed -i -E "0,/^#?${key}[[:space:]].*/s||${key} ${val}|" "$conf"
  else
    echo "${key} ${val}" >>"$conf"
  fi
}

case "$cmd" in
  start)
    [ "$(id -u)" = 0 ] || { echo "cups.sh: must run as root (configures cupsd and cups-pdf)" >&2; exit 1; }
    command -v cupsd >/dev/null || { echo "cups.sh: cupsd not installed (apt: cups cups-client cups-bsd printer-driver-cups-pdf)" >&2; exit 1; }
    [ -f "$conf" ] || { echo "cups.sh: $conf missing (apt: printer-driver-cups-pdf)" >&2; exit 1; }
    mkdir -p "$out" && chmod 0777 "$out"
    changed=0
    for kv in "Out $out" "AnonDirName $out" "Label 1"; do
      k="${kv%% *}"; v="${kv#* }"
      grep -qxF "$k $v" "$conf" || { set_conf "$k" "$v"; changed=1; }
    done
    if ! running; then
      mkdir -p /run/cups /var/spool/cups /var/log/cups
      cupsd
      for _ in $(seq 1 100); do running && break; sleep 0.1; done
      running || { echo "cupsd did not start; see /var/log/cups/error_log" >&2; exit 1; }
    fi
    if ! LC_ALL=C lpstat -p "$queue" >/dev/null 2>&1; then
      ppd=/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd
      [ -f "$ppd" ] || ppd="$(ls /usr/share/ppd/cups-pdf/*.ppd 2>/dev/null | head -1)"
      [ -n "$ppd" ] || { echo "cups.sh: no cups-pdf PPD found" >&2; exit 1; }
      lpadmin -p "$queue" -E -v cups-pdf:/ -P "$ppd" -D "Một Cửa Desk PDF (kiểm thử)"
    fi
    cupsenable "$queue" 2>/dev/null || true
    cupsaccept "$queue" 2>/dev/null || true
    [ "$changed" = 0 ] || echo "cups.sh: cups-pdf writes to $out"
    ;;
  stop)
    if [ -f /run/cups/cupsd.pid ]; then kill "$(cat /run/cups/cupsd.pid)" 2>/dev/null || true; fi ;;
  status)
    running && echo running || echo stopped ;;
  outdir)
    echo "$out" ;;
  *) echo "usage: $0 [start|stop|status|outdir]" >&2; exit 2 ;;
esac
