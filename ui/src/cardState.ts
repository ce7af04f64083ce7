import type { CardUiEvent, IdentificationView, PhaseView, QrCitizenView, ReaderView, UiError } from "./bindings";

export type CardState = {
  readers: ReaderView[];
  /** Phase of the running read, or null. */
  phase: PhaseView | null;
  /** Reader that needs a CAN typed, or null. */
  canFor: string | null;
  result: IdentificationView | null;
  /** The citizen from a scanned QR, not verified, until the chip read replaces it. */
  qr: QrCitizenView | null;
  error: UiError | null;
  /** App-side time from card data to the citizen on screen, ms (measured after render). */
  lastShowMs: number | null;
};

export const initialCard: CardState = {
  readers: [],
  phase: null,
  canFor: null,
  result: null,
  qr: null,
  error: null,
  lastShowMs: null,
};

export type CardAction =
  | { type: "event"; event: CardUiEvent }
  | { type: "readers"; readers: ReaderView[] }
  | { type: "error"; error: UiError | null }
  | { type: "clear" }
  | { type: "shown"; ms: number };

function setPresent(readers: ReaderView[], name: string, present: boolean): ReaderView[] {
  return readers.map((r) => (r.name === name ? { ...r, card_present: present } : r));
}

export function cardReducer(s: CardState, a: CardAction): CardState {
  switch (a.type) {
    case "readers":
      return { ...s, readers: a.readers };
    case "error":
      return { ...s, error: a.error };
    case "clear":
      return { ...s, result: null, qr: null, error: null, canFor: null, phase: null };
    case "shown":
      return { ...s, lastShowMs: a.ms };
    case "event":
      break;
  }
  const e = a.event;
  switch (e.kind) {
    case "reader_added":
      return { ...s, readers: [...s.readers.filter((r) => r.name !== e.reader.name), e.reader], error: null };
    case "reader_removed":
      return { ...s, readers: s.readers.filter((r) => r.name !== e.reader), phase: null, canFor: null };
    case "card_present":
      // A new card: the previous citizen leaves the screen.
      return { ...s, readers: setPresent(s.readers, e.reader, true), result: null, error: null, canFor: null };
    case "card_absent":
      return { ...s, readers: setPresent(s.readers, e.reader, false), phase: null, canFor: null };
    case "progress":
      return { ...s, phase: e.phase === "done" ? null : e.phase, error: null };
    case "can_required":
      return { ...s, canFor: e.reader, phase: null };
    case "identified":
      return { ...s, result: e.identification, qr: null, phase: null, canFor: null, error: null };
    case "qr_scanned":
      // A new citizen at the counter: the previous chip result leaves the screen.
      return { ...s, qr: e.qr, result: null, error: null };
    case "failed":
      return {
        ...s,
        phase: null,
        error: { code: e.code, message: e.message },
        // A wrong CAN keeps the field open for another try.
        canFor: e.code === "access_denied" || e.code === "invalid_can" ? s.canFor ?? e.reader : s.canFor,
      };
  }
}
