//! Scan panel commands: thin adapters over `app_core::digitize`. `scan_acquire` forwards the
//! scanner's per-page progress as `scan_progress` events.

use app_core::digitize::*;
use app_core::dto::NoArgs;
use app_core::AppError;
use tauri::State;

use crate::commands::blocking;
use crate::Shell;

#[tauri::command]
pub async fn scan_open(s: State<'_, Shell>, args: ScanOpenArgs) -> Result<ScanSessionView, AppError> {
    blocking(&s, move |s| s.app.scan_open(args)).await
}

#[tauri::command]
pub async fn scan_sources(s: State<'_, Shell>, args: NoArgs) -> Result<Vec<ScanSourceView>, AppError> {
    let _ = args;
    blocking(&s, |s| s.app.scan_sources()).await
}

#[tauri::command]
pub async fn digitize_status(s: State<'_, Shell>, args: NoArgs) -> Result<DigitizeStatusView, AppError> {
    let _ = args;
    blocking(&s, |s| s.app.digitize_status()).await
}

#[tauri::command]
pub async fn scan_acquire(s: State<'_, Shell>, args: ScanAcquireArgs) -> Result<ScanSessionView, AppError> {
    blocking(&s, move |s| {
        let events = s.scan.clone();
        s.app.scan_acquire(args, &mut |p| events.emit_event("scan_progress", p))
    })
    .await
}

#[tauri::command]
pub async fn scan_import(s: State<'_, Shell>, args: ScanImportArgs) -> Result<ScanSessionView, AppError> {
    blocking(&s, move |s| s.app.scan_import(args)).await
}

#[tauri::command]
pub async fn scan_camera(s: State<'_, Shell>, args: ScanCameraArgs) -> Result<ScanSessionView, AppError> {
    blocking(&s, move |s| s.app.scan_camera(args)).await
}

#[tauri::command]
pub async fn scan_edit(s: State<'_, Shell>, args: ScanEditArgs) -> Result<ScanSessionView, AppError> {
    blocking(&s, move |s| s.app.scan_edit(args)).await
}

#[tauri::command]
pub async fn scan_reuse(s: State<'_, Shell>, args: ScanReuseArgs) -> Result<ScanSessionView, AppError> {
    blocking(&s, move |s| s.app.scan_reuse(args)).await
}

#[tauri::command]
pub async fn scan_commit(s: State<'_, Shell>, args: ScanCommitArgs) -> Result<ScanSessionView, AppError> {
    blocking(&s, move |s| s.app.scan_commit(args)).await
}

#[tauri::command]
pub async fn scan_discard(s: State<'_, Shell>, args: ScanSessionArgs) -> Result<(), AppError> {
    blocking(&s, move |s| s.app.scan_discard(args)).await
}
