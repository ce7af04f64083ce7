//! QR scanners in the shell: the serial-port scanner's lifetime, the raw-frame decoder, and the
//! webcam permission of the WebKitGTK webview. Rules (parse, keys, audit) are in
//! `app_core::CardController::submit_qr`.

use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Instant;

use app_core::dto::CardUiEvent;
use app_core::qr::{FrameDecode, QrSource, SerialStatus, SubmitQrArgs};
use app_core::{AppError, CardController};
use scanner_serial::SerialScanner;
use tauri::{AppHandle, Emitter};

/// Largest frame accepted by `decode_frame` (the UI sends at most 1280×720).
pub const MAX_FRAME_PIXELS: u64 = 1920 * 1080;

#[derive(Clone, Default)]
pub struct ScanState {
    handle: Arc<OnceLock<AppHandle>>,
    serial: Arc<Mutex<Option<(SerialScanner, u32)>>>,
}

/// Shown as the "reader" of scanner failures.
const SCANNER: &str = "Máy quét QR";

impl ScanState {
    pub fn set_handle(&self, h: AppHandle) {
        let _ = self.handle.set(h);
    }

    /// Emits any UI event (the window may not exist yet in tests: then nothing happens).
    pub fn emit_event<T: serde::Serialize + Clone>(&self, name: &str, payload: T) {
        if let Some(h) = self.handle.get() {
            let _ = h.emit(name, payload);
        }
    }

    fn emit(handle: &Arc<OnceLock<AppHandle>>, ev: CardUiEvent) {
        if let Some(h) = handle.get() {
            let _ = h.emit("card", ev);
        }
    }

    pub fn status(&self) -> SerialStatus {
        let g = self.serial.lock().unwrap_or_else(PoisonError::into_inner);
        SerialStatus {
            path: g.as_ref().map(|(s, _)| s.path().display().to_string()),
            baud: g.as_ref().map_or(9600, |(_, b)| *b),
            ports: scanner_serial::list_ports(),
        }
    }

    /// Opens the serial scanner (closing any open one); each line is submitted as a QR.
    pub fn start(&self, cards: Arc<CardController>, path: &str, baud: u32) -> Result<SerialStatus, AppError> {
        self.stop();
        let handle = self.handle.clone();
        let on_line = {
            let handle = handle.clone();
            move |line: String| {
                let ev = match cards.submit_qr(SubmitQrArgs { payload: line, source: QrSource::Serial }) {
                    Ok(qr) => CardUiEvent::QrScanned { qr: Box::new(qr) },
                    Err(e) => CardUiEvent::Failed { reader: SCANNER.into(), code: e.code().into(), message: e.message_vi() },
                };
                Self::emit(&handle, ev);
            }
        };
        let on_end = move |e: scanner_serial::SerialError| {
            Self::emit(
                &handle,
                CardUiEvent::Failed { reader: SCANNER.into(), code: e.code().into(), message: e.message_vi() },
            );
        };
        let scanner = SerialScanner::start(Path::new(path), baud, on_line, on_end).map_err(|e| AppError::InvalidInput {
            field: "Máy quét cổng serial".into(),
            reason: e.message_vi(),
        })?;
        *self.serial.lock().unwrap_or_else(PoisonError::into_inner) = Some((scanner, baud));
        Ok(self.status())
    }

    pub fn stop(&self) {
        let old = self.serial.lock().unwrap_or_else(PoisonError::into_inner).take();
        if let Some((s, _)) = old {
            s.stop();
        }
    }
}

/// Decodes one grey frame (`width`×`height` bytes, row-major). `None`: no code in it.
pub fn decode(width: u32, height: u32, luma: &[u8]) -> Result<Option<FrameDecode>, AppError> {
    let n = u64::from(width) * u64::from(height);
    if width < 21 || height < 21 || n > MAX_FRAME_PIXELS || luma.len() as u64 != n {
        return Err(AppError::InvalidInput {
            field: "Khung hình camera".into(),
            reason: format!("kích thước không hợp lệ ({width}×{height}, {} byte).", luma.len()),
        });
    }
    let t = Instant::now();
    let d = qr_decode::decode_luma(width, height, luma);
    let decode_ms = t.elapsed().as_secs_f64() * 1000.0;
    Ok(d.map(|d| FrameDecode { payload: d.text, points: d.points, decode_ms }))
}

/// WebKitGTK asks the app before `getUserMedia` opens a camera; without an answer it is denied.
/// Grants camera (not microphone-only, not other) requests of the app's own page.
#[cfg(target_os = "linux")]
pub fn grant_camera(w: &tauri::WebviewWindow) {
    let _ = w.with_webview(|wv| {
        use webkit2gtk::{glib::Cast, PermissionRequestExt, UserMediaPermissionRequest, UserMediaPermissionRequestExt, WebViewExt};
        let view = wv.inner();
        view.connect_permission_request(|_, req| {
            if let Some(m) = req.downcast_ref::<UserMediaPermissionRequest>() {
                if m.is_for_video_device() {
                    req.allow();
                    return true;
                }
            }
            false
        });
    });
}

#[cfg(not(target_os = "linux"))]
pub fn grant_camera(_w: &tauri::WebviewWindow) {}
