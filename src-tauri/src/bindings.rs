//! Writes `ui/src/bindings.ts` from the Rust types (ts-rs) and the command table in `ipc`.
//! `cargo test -p motcua-desk --test bindings` fails when the committed file is stale;
//! `UPDATE_BINDINGS=1` on the same command rewrites it.

use app_core::dto::*;
use app_core::qr::*;
use app_core::hoso::*;
use app_core::digitize::*;
use app_core::UiError;
use ts_rs::TS;

macro_rules! decls {
    ($($t:ty),* $(,)?) => {{
        let cfg = ts_rs::Config::new();
        vec![$((<$t as TS>::docs(), <$t as TS>::decl(&cfg))),*]
    }};
}

fn camel(s: &str) -> String {
    let mut out = String::new();
    let mut up = false;
    for c in s.chars() {
        if c == '_' {
            up = true;
        } else if up {
            out.extend(c.to_uppercase());
            up = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// The whole file.
pub fn typescript() -> String {
    let mut out = String::from(
        "// Generated from the Rust types by `UPDATE_BINDINGS=1 cargo test -p motcua-desk --test bindings`.\n\
         // Do not edit by hand: the same test fails when this file is stale.\n\
         /* eslint-disable */\n\
         import { invoke } from \"@tauri-apps/api/core\";\n\n",
    );
    let types = decls![
        UiError,
        NoArgs,
        RoleView,
        SessionView,
        AppStatus,
        ClerkView,
        CitizenView,
        CheckStatus,
        VerificationView,
        PhotoView,
        IdentificationView,
        PhaseView,
        ReaderView,
        CardUiEvent,
        HistoryItem,
        SetupArgs,
        SignInArgs,
        UnlockArgs,
        CreateClerkArgs,
        SetClerkActiveArgs,
        SetPurposeArgs,
        ReadCardArgs,
        HistoryArgs,
        DemoCardArgs,
        DemoCardInfo,
        QrSource,
        SubmitQrArgs,
        QrIssueView,
        QrCitizenView,
        FieldMismatch,
        QrCheckView,
        FrameDecode,
        SerialStartArgs,
        SerialStatus,
        ProcedureItem,
        ProcedureSearchArgs,
        ProcedureCodeArgs,
        CurrentCitizenView,
        FieldSourceView,
        FormFieldView,
        ComponentView,
        HoSoFormArgs,
        HoSoFormView,
        FieldValue,
        CheckFormArgs,
        FieldIssueView,
        CreateHoSoArgs,
        StatusOption,
        HoSoSummary,
        HoSoListArgs,
        HoSoStatusArgs,
        ReceiptArgs,
        ReceiptResult,
        PrinterView,
        ScanOpenArgs,
        ScanSessionArgs,
        ScanSessionView,
        ScanPageView,
        ScanComponentView,
        ReusableDocView,
        ScanSourceView,
        ScanAcquireArgs,
        ScanImportArgs,
        ScanCameraArgs,
        ScanOp,
        ScanEditArgs,
        ScanReuseArgs,
        ScanCommitArgs,
        ScanProgressView,
        DigitizeStatusView,
    ];
    for (docs, decl) in types {
        if let Some(d) = docs {
            out.push_str(d.trim_end());
            out.push('\n');
        }
        out.push_str("export ");
        out.push_str(decl.trim());
        out.push_str("\n\n");
    }
    out.push_str(
        "/** Every command rejects with a `UiError` (`{ code, message }`). */\nexport const commands = {\n",
    );
    for sig in crate::ipc::signatures() {
        let ts_name = camel(sig.name);
        if sig.args == "NoArgs" {
            out.push_str(&format!(
                "  {ts_name}: (): Promise<{}> => invoke(\"{}\", {{ args: {{}} }}),\n",
                sig.output, sig.name
            ));
        } else {
            out.push_str(&format!(
                "  {ts_name}: (args: {}): Promise<{}> => invoke(\"{}\", {{ args }}),\n",
                sig.args, sig.output, sig.name
            ));
        }
    }
    out.push_str("} as const;\n\n/** Events pushed by the app, by name. */\nexport type AppEvents = {\n");
    for (name, payload) in crate::ipc::EVENTS {
        out.push_str(&format!("  {name}: {payload};\n"));
    }
    out.push_str("};\n");
    out
}
