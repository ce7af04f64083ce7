// Generated from the Rust types by `UPDATE_BINDINGS=1 cargo test -p motcua-desk --test bindings`.
// Do not edit by hand: the same test fails when this file is stale.
/* eslint-disable */
import { invoke } from "@tauri-apps/api/core";

/**
 * The wire form of [`AppError`], for the TypeScript bindings.
 */
export type UiError = { code: string, message: string, };

/**
 * For commands without arguments.
 */
export type NoArgs = Record<symbol, never>;

export type RoleView = "admin" | "clerk";

export type SessionView = { clerk_id: string, username: string, display_name: string, role: RoleView, 
/**
 * Idle-locked: only `unlock` and `sign_out` work until the password is typed again.
 */
locked: boolean, idle_lock_minutes: number, 
/**
 * Purpose written into the audit log for every read ("Tiếp nhận hồ sơ", ...).
 */
purpose: string, };

export type AppStatus = { 
/**
 * No clerk exists yet: the UI shows "create the first administrator".
 */
needs_setup: boolean, session: SessionView | null, 
/**
 * Reads come from a simulated reader ("Đầu đọc mô phỏng").
 */
demo: boolean, version: string, data_dir: string, };

export type ClerkView = { id: string, username: string, display_name: string, role: RoleView, active: boolean, locked_until: string | null, created_at: string, };

/**
 * Every field of the card's DG13, as printed. Dates `YYYY-MM-DD`.
 */
export type CitizenView = { id_number: string, full_name: string, date_of_birth: string | null, gender: string | null, nationality: string | null, ethnicity: string | null, religion: string | null, hometown: string | null, residence: string | null, identifying_features: string | null, issue_date: string | null, expiry_date: string | null, father_name: string | null, mother_name: string | null, spouse_name: string | null, old_id_number: string | null, };

/**
 * `ok` | `failed` | `no_trust_anchor` | `not_supported`, one per check.
 */
export type CheckStatus = "ok" | "failed" | "no_trust_anchor" | "not_supported";

export type VerificationView = { 
/**
 * Passive authentication passed and no authentication failed.
 */
verified: boolean, passive: CheckStatus, chip_auth: CheckStatus, active_auth: CheckStatus, 
/**
 * Plain-language Vietnamese reasons for every check that did not pass.
 */
reasons: Array<string>, };

export type PhotoView = { 
/**
 * "image/jpeg" or "image/jp2".
 */
mime: string, 
/**
 * `data:` URL, shown directly in an `<img>`.
 */
data_url: string, };

/**
 * One card read as the counter screen shows it.
 */
export type IdentificationView = { id: string, at: string, clerk_name: string, purpose: string, reader: string, 
/**
 * "PACE-CAN", "PACE-MRZ", "BAC".
 */
access: string, citizen: CitizenView, mrz: Array<string>, photo: PhotoView | null, verification: VerificationView, apdus: number, read_ms: number, };

/**
 * The phases a read goes through, in order.
 */
export type PhaseView = "connect" | "access" | "read_data" | "read_photo" | "chip_auth" | "verify" | "done";

export type ReaderView = { name: string, card_present: boolean, simulated: boolean, };

/**
 * Pushed to the UI on the `card` event.
 */
export type CardUiEvent = { "kind": "reader_added", reader: ReaderView, } | { "kind": "reader_removed", reader: string, } | { "kind": "card_present", reader: string, } | { "kind": "card_absent", reader: string, } | { "kind": "progress", reader: string, phase: PhaseView, } | { "kind": "can_required", reader: string, } | { "kind": "identified", identification: IdentificationView, 
/**
 * Unix epoch milliseconds when the app received the card data (for the
 * data-to-screen measurement).
 */
received_at_ms: number, } | { "kind": "failed", reader: string, code: string, message: string, };

export type HistoryItem = { id: string, at: string, id_number: string, full_name: string, date_of_birth: string | null, 
/**
 * "chip" | "qr" | "manual".
 */
method: string, access: string | null, verified: boolean, reasons: Array<string>, clerk_name: string, purpose: string, };

export type SetupArgs = { username: string, display_name: string, password: string, };

export type SignInArgs = { username: string, password: string, };

export type UnlockArgs = { password: string, };

export type CreateClerkArgs = { username: string, display_name: string, password: string, role: RoleView, };

export type SetClerkActiveArgs = { clerk_id: string, active: boolean, };

export type SetPurposeArgs = { purpose: string, };

export type ReadCardArgs = { 
/**
 * Empty: let the reader derive the key. Otherwise exactly 6 digits.
 */
can: string | null, 
/**
 * Which reader; empty: the first one.
 */
reader: string | null, };

export type HistoryArgs = { 
/**
 * First day, `YYYY-MM-DD` in local time; empty: no lower bound.
 */
from: string | null, 
/**
 * Last day (inclusive), `YYYY-MM-DD` in local time; empty: no upper bound.
 */
to: string | null, 
/**
 * Digits: ID-number prefix; words: name, diacritics ignored.
 */
text: string | null, };

export type DemoCardArgs = { 
/**
 * Index into the demo cards (0-based).
 */
card: number, };

export type DemoCardInfo = { index: number, label: string, needs_can: boolean, };

/** Every command rejects with a `UiError` (`{ code, message }`). */
export const commands = {
  appStatus: (): Promise<AppStatus> => invoke("app_status", { args: {} }),
  createFirstAdmin: (args: SetupArgs): Promise<SessionView> => invoke("create_first_admin", { args }),
  signIn: (args: SignInArgs): Promise<SessionView> => invoke("sign_in", { args }),
  signOut: (): Promise<null> => invoke("sign_out", { args: {} }),
  touch: (): Promise<SessionView> => invoke("touch", { args: {} }),
  lock: (): Promise<SessionView> => invoke("lock", { args: {} }),
  unlock: (args: UnlockArgs): Promise<SessionView> => invoke("unlock", { args }),
  setPurpose: (args: SetPurposeArgs): Promise<SessionView> => invoke("set_purpose", { args }),
  listClerks: (): Promise<Array<ClerkView>> => invoke("list_clerks", { args: {} }),
  createClerk: (args: CreateClerkArgs): Promise<ClerkView> => invoke("create_clerk", { args }),
  setClerkActive: (args: SetClerkActiveArgs): Promise<ClerkView> => invoke("set_clerk_active", { args }),
  listReaders: (): Promise<Array<ReaderView>> => invoke("list_readers", { args: {} }),
  readCard: (args: ReadCardArgs): Promise<null> => invoke("read_card", { args }),
  history: (args: HistoryArgs): Promise<Array<HistoryItem>> => invoke("history", { args }),
  today: (): Promise<string> => invoke("today", { args: {} }),
  demoCards: (): Promise<Array<DemoCardInfo>> => invoke("demo_cards", { args: {} }),
  demoInsertCard: (args: DemoCardArgs): Promise<null> => invoke("demo_insert_card", { args }),
  demoRemoveCard: (): Promise<null> => invoke("demo_remove_card", { args: {} }),
  demoUnplug: (): Promise<null> => invoke("demo_unplug", { args: {} }),
  demoPlug: (): Promise<null> => invoke("demo_plug", { args: {} }),
} as const;

/** Events pushed by the app, by name. */
export type AppEvents = {
  card: CardUiEvent;
  session: SessionView | null;
};
