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
access: string, citizen: CitizenView, mrz: Array<string>, photo: PhotoView | null, verification: VerificationView, apdus: number, read_ms: number, 
/**
 * The QR scanned before this read, compared with the chip (absent when there was none).
 */
qr_check?: QrCheckView, };

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
received_at_ms: number, } | { "kind": "failed", reader: string, code: string, message: string, } | { "kind": "qr_scanned", qr: QrCitizenView, };

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

/**
 * Where a QR payload came from.
 */
export type QrSource = "camera" | "wedge" | "serial" | "manual";

export type SubmitQrArgs = { 
/**
 * The decoded text, as received.
 */
payload: string, source: QrSource, };

/**
 * One problem or warning about a QR payload.
 */
export type QrIssueView = { 
/**
 * Stable snake_case code (`telex_residue`, `id_gender_mismatch`, `mojibake_repaired`, ...).
 */
code: string, 
/**
 * The card field concerned (label as printed), if any.
 */
field: string | null, 
/**
 * Vietnamese, says what to do next.
 */
message: string, };

/**
 * A scanned QR as the counter screen shows it: "Từ mã QR — chưa xác thực".
 */
export type QrCitizenView = { source: QrSource, 
/**
 * The payload passed every check (otherwise `issues` says why; only the ID may be known).
 */
accepted: boolean, 
/**
 * `cccd2021` | `can_cuoc2024` | `unknown`; empty when rejected.
 */
design: string, 
/**
 * Fields read from the QR; empty strings / nulls for what the QR does not carry.
 */
citizen: CitizenView, 
/**
 * Validation errors (when rejected) and warnings (when accepted).
 */
issues: Array<QrIssueView>, 
/**
 * A chip access key was derived and handed to the card reader.
 */
key_ready: boolean, 
/**
 * The stored identification (accepted payloads only).
 */
identification_id: string | null, at: string, };

/**
 * One field where the QR and the chip disagree.
 */
export type FieldMismatch = { 
/**
 * `id_number`, `full_name`, `date_of_birth`, `gender`, `old_id_number`, `residence`,
 * `issue_date`.
 */
field: string, 
/**
 * Vietnamese label of the field.
 */
label: string, qr: string, chip: string, };

/**
 * The QR scanned before a chip read, compared with what the chip says.
 */
export type QrCheckView = { source: QrSource, 
/**
 * The QR carries the same ID number as the chip.
 */
same_id: boolean, 
/**
 * Every field that differs; empty: the QR matches the chip.
 */
mismatches: Array<FieldMismatch>, };

/**
 * A QR found in a camera frame (the UI then submits `payload` with source `camera`).
 */
export type FrameDecode = { payload: string, 
/**
 * Corner / finder points in frame pixels, for the detection overlay.
 */
points: Array<[number, number]>, 
/**
 * Decoding time alone, ms.
 */
decode_ms: number, };

export type SerialStartArgs = { 
/**
 * `/dev/ttyACM0`, `/dev/serial/by-id/...`.
 */
path: string, 
/**
 * Usually 9600 or 115200.
 */
baud: number, };

/**
 * The serial scanner option: which port is open, and the ports seen now.
 */
export type SerialStatus = { path: string | null, baud: number, ports: Array<string>, };

/**
 * A procedure in the picker.
 */
export type ProcedureItem = { code: string, name: string, 
/**
 * Lĩnh vực.
 */
field: string, agency: string, 
/**
 * Time allowed by law in working days; 0 = same day.
 */
working_days: number, fee_vnd: number, favourite: boolean, 
/**
 * Among the clerk's recently used procedures.
 */
recent: boolean, };

export type ProcedureSearchArgs = { 
/**
 * Empty: favourites, then recent, then the whole catalog.
 */
query: string, };

export type ProcedureCodeArgs = { code: string, };

/**
 * Who files: the citizen of the last identification.
 */
export type CurrentCitizenView = { identification_id: string, 
/**
 * "chip" | "qr" | "manual".
 */
source: string, verified: boolean, full_name: string, id_number: string, };

/**
 * Where a field's value comes from (the badge beside it).
 */
export type FieldSourceView = "chip" | "qr" | "converted_address" | "typed" | "system" | "empty";

/**
 * One field of the intake form.
 */
export type FormFieldView = { id: string, section: string, section_title: string, label_vi: string, 
/**
 * text, date (dd/mm/yyyy), select, number, address, phone, email, id_number.
 */
kind: string, required: boolean, value: string | null, source: FieldSourceView, 
/**
 * The old ward was split: the clerk picks one of `choices`.
 */
needs_choice: boolean, choices: Array<string>, 
/**
 * Options of a select field.
 */
options: Array<string>, pattern: string | null, warning: string | null, note: string | null, };

/**
 * One line of the components checklist.
 */
export type ComponentView = { name: string, 
/**
 * "original" | "copy" | "present".
 */
form: string, count: number, received: boolean, must_digitize: boolean, optional: boolean, };

export type HoSoFormArgs = { procedure_code: string, phone: string | null, email: string | null, };

/**
 * The auto-filled intake form of a procedure for the current citizen.
 */
export type HoSoFormView = { procedure: ProcedureItem, title: string, citizen: CurrentCitizenView, fields: Array<FormFieldView>, components: Array<ComponentView>, 
/**
 * Local `YYYY-MM-DD HH:MM` if received now.
 */
received_at: string, 
/**
 * Local `YYYY-MM-DD HH:MM`.
 */
due_at: string, 
/**
 * "10 giờ 30 phút, ngày 02/03/2026".
 */
due_at_vi: string, 
/**
 * "05 ngày làm việc" / "Trong ngày".
 */
time_allowed_vi: string, };

/**
 * A value typed or chosen by the clerk.
 */
export type FieldValue = { id: string, value: string, };

export type CheckFormArgs = { procedure_code: string, 
/**
 * Only the fields the clerk typed or chose.
 */
values: Array<FieldValue>, phone: string | null, email: string | null, };

/**
 * An invalid field.
 */
export type FieldIssueView = { field: string, label_vi: string, 
/**
 * required, needs_choice, pattern, invalid_date, invalid_phone, invalid_email,
 * invalid_id_number, invalid_number, invalid_option.
 */
code: string, message_vi: string, };

export type CreateHoSoArgs = { procedure_code: string, 
/**
 * The identification shown on screen; refused if another citizen was identified since.
 */
identification_id: string, 
/**
 * Only the fields the clerk typed or chose (the rest keep their auto-filled source).
 */
values: Array<FieldValue>, components: Array<ComponentView>, phone: string | null, email: string | null, representative: string | null, sets: number, };

/**
 * A status the hồ sơ may move to.
 */
export type StatusOption = { value: string, label_vi: string, 
/**
 * A note is required (bổ sung content, reason of rejection).
 */
needs_note: boolean, };

/**
 * A hồ sơ in lists and after saving. Times are local `YYYY-MM-DD HH:MM`.
 */
export type HoSoSummary = { ma_ho_so: string, procedure_code: string, procedure_name: string, status: string, status_label_vi: string, received_at: string, due_at: string | null, paused: boolean, applicant_name: string, id_number: string | null, 
/**
 * "chip" | "qr" | "manual".
 */
identity_method: string, identity_verified: boolean, next_statuses: Array<StatusOption>, 
/**
 * Form fields still invalid at intake (only after saving).
 */
form_issues: Array<FieldIssueView>, };

export type HoSoListArgs = { 
/**
 * Mã hồ sơ, digits of the số định danh, or words of the name (no diacritics needed).
 */
text: string | null, status: string | null, 
/**
 * `YYYY-MM-DD`, inclusive.
 */
from: string | null, to: string | null, };

export type HoSoStatusArgs = { ma_ho_so: string, to: string, note: string | null, };

export type ReceiptArgs = { ma_ho_so: string, 
/**
 * Send to a printer after saving the PDF.
 */
print: boolean, 
/**
 * CUPS queue; none = the default printer.
 */
printer: string | null, 
/**
 * "a4" (default) or "a5".
 */
paper: string | null, };

/**
 * The receipt was saved (always) and maybe printed.
 */
export type ReceiptResult = { ma_ho_so: string, pdf_path: string, printed: boolean, 
/**
 * CUPS job id ("queue-123").
 */
job: string | null, 
/**
 * Why printing failed; the PDF is saved anyway.
 */
print_error: UiError | null, };

export type PrinterView = { name: string, is_default: boolean, status: string, };

export type ScanOpenArgs = { 
/**
 * The procedure chosen in the intake form (its checklist gives the components).
 */
procedure_code: string, 
/**
 * Set when digitizing for a hồ sơ already saved (from the list screen).
 */
ma_ho_so: string | null, };

export type ScanSessionArgs = { session_id: string, };

export type ScanSessionView = { session_id: string, ma_ho_so: string | null, 
/**
 * All pages in order (unassigned ones included).
 */
pages: Array<ScanPageView>, 
/**
 * The checklist of the procedure, by position.
 */
components: Array<ScanComponentView>, 
/**
 * Documents digitized earlier for the identified citizen (reuse instead of rescanning).
 */
reusable: Array<ReusableDocView>, };

export type ScanPageView = { page_id: string, 
/**
 * Position of the checklist component, null = not yet assigned.
 */
component: number | null, 
/**
 * Clockwise quarter turns the clerk applied: 0, 90, 180, 270.
 */
rotation: number, 
/**
 * `data:image/jpeg;base64,...`, already rotated.
 */
thumb: string, width: number, height: number, dpi: number, blank: boolean, 
/**
 * "colour" | "grey" | "bilevel"
 */
class: string, 
/**
 * "sane" | "file" | "folder" | "camera"
 */
source: string, 
/**
 * Vietnamese warning (dpi below 200, looks blank, ...).
 */
warning: string | null, };

export type ScanComponentView = { position: number, name: string, must_digitize: boolean, 
/**
 * Pages assigned in the session.
 */
pages: number, 
/**
 * Document id reused instead of scanning.
 */
reused_from: string | null, 
/**
 * "empty" | "pending" | "processed" | "signed" | "delivered" | "failed" | "reused"
 */
state: string, 
/**
 * The checklist line is green.
 */
done: boolean, pdf_path: string | null, error_vi: string | null, };

export type ReusableDocView = { document_id: string, component_name: string, ma_ho_so: string, 
/**
 * Local `YYYY-MM-DD`.
 */
received_at: string, pages: number, valid_until: string | null, state: string, };

export type ScanSourceView = { 
/**
 * "sane:<device>" | "folder" | "file" | "camera"
 */
id: string, label: string, kind: "sane" | "folder" | "file" | "camera", adf: boolean, duplex: boolean, };

export type ScanAcquireArgs = { session_id: string, source_id: string, 
/**
 * Assign the new pages to this component (null: unassigned).
 */
component: number | null, adf: boolean, duplex: boolean, 
/**
 * Rescan: the first new page replaces this page.
 */
replace_page: string | null, };

export type ScanImportArgs = { session_id: string, paths: Array<string>, component: number | null, };

export type ScanCameraArgs = { session_id: string, component: number | null, 
/**
 * One still photo, JPEG, base64 without the `data:` prefix.
 */
jpeg_base64: string, replace_page: string | null, };

/**
 * One edit of the page list.
 */
export type ScanOp = { "op": "rotate", page_id: string, quarter_turns: number, } | { "op": "delete", page_id: string, } | { "op": "move", page_id: string, to_index: number, } | { "op": "assign", page_ids: Array<string>, component: number | null, } | { "op": "split_from", page_id: string, component: number, };

export type ScanEditArgs = { session_id: string, op: ScanOp, };

export type ScanReuseArgs = { session_id: string, component: number, document_id: string | null, };

export type ScanCommitArgs = { session_id: string, ma_ho_so: string, };

/**
 * Pushed as the `scan_progress` event while a scanner runs.
 */
export type ScanProgressView = { session_id: string, page: number, message_vi: string, done: boolean, };

/**
 * The digitization queue as the hồ sơ list shows it: what waits, and how the last background
 * pass went (a wrong token PIN or an unreachable provincial system must not stay silent).
 */
export type DigitizeStatusView = { 
/**
 * Copies still being made (pages captured, PDF not yet written).
 */
captured: number, 
/**
 * PDFs made, not yet signed (when a signer is configured) or delivered.
 */
processed: number, 
/**
 * Signed, not yet delivered.
 */
signed: number, delivered: number, 
/**
 * Given up (see the reason on each item: `motcua queue status`).
 */
failed: number, 
/**
 * `digitize/signing.json` present.
 */
signing_configured: boolean, 
/**
 * `digitize/delivery.json` present.
 */
delivery_configured: boolean, 
/**
 * RFC 3339 time of the last background pass since the app started.
 */
last_sync_at: string | null, 
/**
 * Why the last background pass stopped, if it did.
 */
last_error: UiError | null, };

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
  submitQr: (args: SubmitQrArgs): Promise<QrCitizenView> => invoke("submit_qr", { args }),
  clearQr: (): Promise<null> => invoke("clear_qr", { args: {} }),
  serialStatus: (): Promise<SerialStatus> => invoke("serial_status", { args: {} }),
  serialStart: (args: SerialStartArgs): Promise<SerialStatus> => invoke("serial_start", { args }),
  serialStop: (): Promise<SerialStatus> => invoke("serial_stop", { args: {} }),
  demoQrPayload: (args: DemoCardArgs): Promise<string> => invoke("demo_qr_payload", { args }),
  hosoCurrentCitizen: (): Promise<CurrentCitizenView | null> => invoke("hoso_current_citizen", { args: {} }),
  hosoProcedures: (args: ProcedureSearchArgs): Promise<Array<ProcedureItem>> => invoke("hoso_procedures", { args }),
  hosoToggleFavourite: (args: ProcedureCodeArgs): Promise<boolean> => invoke("hoso_toggle_favourite", { args }),
  hosoForm: (args: HoSoFormArgs): Promise<HoSoFormView> => invoke("hoso_form", { args }),
  hosoCheckForm: (args: CheckFormArgs): Promise<Array<FieldIssueView>> => invoke("hoso_check_form", { args }),
  hosoCreate: (args: CreateHoSoArgs): Promise<HoSoSummary> => invoke("hoso_create", { args }),
  hosoList: (args: HoSoListArgs): Promise<Array<HoSoSummary>> => invoke("hoso_list", { args }),
  hosoSetStatus: (args: HoSoStatusArgs): Promise<HoSoSummary> => invoke("hoso_set_status", { args }),
  hosoReceipt: (args: ReceiptArgs): Promise<ReceiptResult> => invoke("hoso_receipt", { args }),
  hosoPrinters: (): Promise<Array<PrinterView>> => invoke("hoso_printers", { args: {} }),
  scanOpen: (args: ScanOpenArgs): Promise<ScanSessionView> => invoke("scan_open", { args }),
  scanSources: (): Promise<Array<ScanSourceView>> => invoke("scan_sources", { args: {} }),
  scanAcquire: (args: ScanAcquireArgs): Promise<ScanSessionView> => invoke("scan_acquire", { args }),
  scanImport: (args: ScanImportArgs): Promise<ScanSessionView> => invoke("scan_import", { args }),
  scanCamera: (args: ScanCameraArgs): Promise<ScanSessionView> => invoke("scan_camera", { args }),
  scanEdit: (args: ScanEditArgs): Promise<ScanSessionView> => invoke("scan_edit", { args }),
  scanReuse: (args: ScanReuseArgs): Promise<ScanSessionView> => invoke("scan_reuse", { args }),
  scanCommit: (args: ScanCommitArgs): Promise<ScanSessionView> => invoke("scan_commit", { args }),
  scanDiscard: (args: ScanSessionArgs): Promise<null> => invoke("scan_discard", { args }),
  digitizeStatus: (): Promise<DigitizeStatusView> => invoke("digitize_status", { args: {} }),
} as const;

/** Events pushed by the app, by name. */
export type AppEvents = {
  card: CardUiEvent;
  session: SessionView | null;
  scan_progress: ScanProgressView;
};
