//! Hồ sơ commands: thin adapters over `app_core::hoso` (procedure picker, intake form,
//! create / list / status, receipt PDF and printing). Re-exported through `commands` so the
//! `ipc_commands!` table sees them.

use app_core::dto::NoArgs;
use app_core::hoso::*;
use app_core::AppError;
use tauri::State;

use crate::commands::blocking;
use crate::Shell;

#[tauri::command]
pub async fn hoso_current_citizen(
    s: State<'_, Shell>,
    args: NoArgs,
) -> Result<Option<CurrentCitizenView>, AppError> {
    let _ = args;
    blocking(&s, |s| s.app.hoso_current_citizen()).await
}

#[tauri::command]
pub async fn hoso_procedures(
    s: State<'_, Shell>,
    args: ProcedureSearchArgs,
) -> Result<Vec<ProcedureItem>, AppError> {
    blocking(&s, move |s| s.app.hoso_procedures(args)).await
}

#[tauri::command]
pub async fn hoso_toggle_favourite(
    s: State<'_, Shell>,
    args: ProcedureCodeArgs,
) -> Result<bool, AppError> {
    blocking(&s, move |s| s.app.hoso_toggle_favourite(args)).await
}

#[tauri::command]
pub async fn hoso_form(s: State<'_, Shell>, args: HoSoFormArgs) -> Result<HoSoFormView, AppError> {
    blocking(&s, move |s| s.app.hoso_form(args)).await
}

#[tauri::command]
pub async fn hoso_check_form(
    s: State<'_, Shell>,
    args: CheckFormArgs,
) -> Result<Vec<FieldIssueView>, AppError> {
    blocking(&s, move |s| s.app.hoso_check_form(args)).await
}

#[tauri::command]
pub async fn hoso_create(
    s: State<'_, Shell>,
    args: CreateHoSoArgs,
) -> Result<HoSoSummary, AppError> {
    blocking(&s, move |s| s.app.hoso_create(args)).await
}

#[tauri::command]
pub async fn hoso_list(
    s: State<'_, Shell>,
    args: HoSoListArgs,
) -> Result<Vec<HoSoSummary>, AppError> {
    blocking(&s, move |s| s.app.hoso_list(args)).await
}

#[tauri::command]
pub async fn hoso_set_status(
    s: State<'_, Shell>,
    args: HoSoStatusArgs,
) -> Result<HoSoSummary, AppError> {
    blocking(&s, move |s| s.app.hoso_set_status(args)).await
}

#[tauri::command]
pub async fn hoso_receipt(
    s: State<'_, Shell>,
    args: ReceiptArgs,
) -> Result<ReceiptResult, AppError> {
    blocking(&s, move |s| s.app.hoso_receipt(args)).await
}

#[tauri::command]
pub async fn hoso_printers(
    s: State<'_, Shell>,
    args: NoArgs,
) -> Result<Vec<PrinterView>, AppError> {
    let _ = args;
    blocking(&s, |s| s.app.hoso_printers()).await
}
