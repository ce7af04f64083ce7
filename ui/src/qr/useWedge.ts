import { useEffect } from "preact/hooks";
import type { CardAction } from "../cardState";
import { call, commands } from "../ipc";
import { installWedge } from "./wedge";

/** While a clerk is signed in, keyboard-wedge scans anywhere in the window go to Rust. */
export function useWedge(enabled: boolean, dispatch: (a: CardAction) => void, onScan?: () => void) {
  useEffect(() => {
    if (!enabled) return;
    return installWedge((payload) => {
      onScan?.();
      void call(commands.submitQr({ payload, source: "wedge" })).then((r) => {
        if (r.ok) dispatch({ type: "event", event: { kind: "qr_scanned", qr: r.ok } });
        else dispatch({ type: "error", error: r.error });
      });
    });
  }, [enabled, dispatch, onScan]);
}
