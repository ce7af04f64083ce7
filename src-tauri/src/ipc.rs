//! The IPC surface: every command is declared once in [`ipc_commands!`], which produces the
//! Tauri handler, a compile-time check that each command has the declared argument and result
//! types, and the TypeScript `commands` object written to `ui/src/bindings.ts`.

use std::future::Future;

use app_core::dto::*;
use app_core::qr::*;
use app_core::digitize::*;
use app_core::hoso::*;
use app_core::AppError;
use tauri::State;
use ts_rs::TS;

use crate::commands;
use crate::Shell;

/// One command as TypeScript sees it.
pub struct CommandSig {
    pub name: &'static str,
    pub args: String,
    pub output: String,
}

impl CommandSig {
    fn new<A: TS, O: TS>(name: &'static str) -> Self {
        let cfg = ts_rs::Config::new();
        CommandSig {
            name,
            args: A::name(&cfg),
            output: O::name(&cfg),
        }
    }
}

/// Fails to compile when a command's signature differs from its declaration.
#[allow(dead_code)]
fn assert_command<A, O, F>(_: fn(State<'static, Shell>, A) -> F)
where
    F: Future<Output = Result<O, AppError>>,
{
}

macro_rules! ipc_commands {
    ($($name:ident($args:ty) -> $out:ty;)*) => {
        /// Every command, in declaration order.
        pub fn signatures() -> Vec<CommandSig> {
            vec![$(CommandSig::new::<$args, $out>(stringify!($name)),)*]
        }

        #[allow(dead_code)]
        fn typecheck() {
            $(assert_command::<$args, $out, _>(commands::$name);)*
        }

        pub fn handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
            // `decode_frame` takes a raw body (grey pixels) and is wrapped by hand in the UI
            // (`ui/src/qr/decode.ts`), so it is not in the generated list.
            tauri::generate_handler![$(commands::$name,)* commands::decode_frame]
        }
    };
}

ipc_commands! {
    app_status(NoArgs) -> AppStatus;
    create_first_admin(SetupArgs) -> SessionView;
    sign_in(SignInArgs) -> SessionView;
    sign_out(NoArgs) -> ();
    touch(NoArgs) -> SessionView;
    lock(NoArgs) -> SessionView;
    unlock(UnlockArgs) -> SessionView;
    set_purpose(SetPurposeArgs) -> SessionView;
    list_clerks(NoArgs) -> Vec<ClerkView>;
    create_clerk(CreateClerkArgs) -> ClerkView;
    set_clerk_active(SetClerkActiveArgs) -> ClerkView;
    list_readers(NoArgs) -> Vec<ReaderView>;
    read_card(ReadCardArgs) -> ();
    history(HistoryArgs) -> Vec<HistoryItem>;
    today(NoArgs) -> String;
    demo_cards(NoArgs) -> Vec<DemoCardInfo>;
    demo_insert_card(DemoCardArgs) -> ();
    demo_remove_card(NoArgs) -> ();
    demo_unplug(NoArgs) -> ();
    demo_plug(NoArgs) -> ();
    submit_qr(SubmitQrArgs) -> QrCitizenView;
    clear_qr(NoArgs) -> ();
    serial_status(NoArgs) -> SerialStatus;
    serial_start(SerialStartArgs) -> SerialStatus;
    serial_stop(NoArgs) -> SerialStatus;
    demo_qr_payload(DemoCardArgs) -> String;
    hoso_current_citizen(NoArgs) -> Option<CurrentCitizenView>;
    hoso_procedures(ProcedureSearchArgs) -> Vec<ProcedureItem>;
    hoso_toggle_favourite(ProcedureCodeArgs) -> bool;
    hoso_form(HoSoFormArgs) -> HoSoFormView;
    hoso_check_form(CheckFormArgs) -> Vec<FieldIssueView>;
    hoso_create(CreateHoSoArgs) -> HoSoSummary;
    hoso_list(HoSoListArgs) -> Vec<HoSoSummary>;
    hoso_set_status(HoSoStatusArgs) -> HoSoSummary;
    hoso_receipt(ReceiptArgs) -> ReceiptResult;
    hoso_printers(NoArgs) -> Vec<PrinterView>;
    scan_open(ScanOpenArgs) -> ScanSessionView;
    scan_sources(NoArgs) -> Vec<ScanSourceView>;
    scan_acquire(ScanAcquireArgs) -> ScanSessionView;
    scan_import(ScanImportArgs) -> ScanSessionView;
    scan_camera(ScanCameraArgs) -> ScanSessionView;
    scan_edit(ScanEditArgs) -> ScanSessionView;
    scan_reuse(ScanReuseArgs) -> ScanSessionView;
    scan_commit(ScanCommitArgs) -> ScanSessionView;
    scan_discard(ScanSessionArgs) -> ();
    digitize_status(NoArgs) -> DigitizeStatusView;
}

/// Event names and payload types, pushed from Rust with `emit`.
pub const EVENTS: &[(&str, &str)] = &[
    ("card", "CardUiEvent"),
    ("session", "SessionView | null"),
    ("scan_progress", "ScanProgressView"),
];
