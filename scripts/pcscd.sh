#!/usr/bin/env bash
# Makes sure a pcscd is running (reusing one that already runs), with the vpcd virtual readers.
# Usage: scripts/pcscd.sh [start|stop|status]
set -euo pipefail
cmd="${1:-start}"
sock=/run/pcscd/pcscd.comm
# -r R,S,D: a zombie "[pcscd] <defunct>" is not a running daemon.
running() { pgrep -x -r R,S,D pcscd >/dev/null 2>&1; }
case "$cmd" in
  start)
    if running && [ -S "$sock" ]; then exit 0; fi
    if ! running; then rm -f "$sock" /run/pcscd/pcscd.pid; fi
    mkdir -p /run/pcscd
    log="${PCSCD_LOG:-/tmp/motcua-pcscd.log}"
    nohup pcscd -f >"$log" 2>&1 &
    for _ in $(seq 1 100); do [ -S "$sock" ] && exit 0; sleep 0.1; done
    echo "pcscd did not start; see $log" >&2; exit 1 ;;
  stop)
    pkill -x pcscd || true; sleep 0.3; rm -f "$sock" /run/pcscd/pcscd.pid ;;
  status)
    running && echo running || echo stopped ;;
  *) echo "usage: $0 [start|stop|status]" >&2; exit 2 ;;
esac
