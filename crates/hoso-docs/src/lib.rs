//! Documents of a hồ sơ for the one-stop counter (Tauri-free, no dependency on the hồ sơ store).
//!
//! The caller maps its data into the plain serde input types of [`model`] and gets bytes back:
//!
//! - **PDF** — [`render_pdf`]`(&Document, Paper) -> Result<Vec<u8>, DocError>` for
//!   [`Document::Receipt`] (Mẫu 01 Giấy tiếp nhận hồ sơ và hẹn trả kết quả),
//!   [`Document::Supplement`] (Mẫu 02 Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ),
//!   [`Document::Rejection`] (Mẫu 03 Phiếu từ chối tiếp nhận, giải quyết hồ sơ),
//!   [`Document::ControlSheet`] (Phiếu kiểm soát quá trình giải quyết hồ sơ) and
//!   [`Document::Register`] (Sổ theo dõi hồ sơ, landscape), on [`Paper::A4`] or [`Paper::A5`].
//!   Noto Serif (SIL OFL 1.1, `assets/fonts/`) is embedded as subsets with a ToUnicode map, so
//!   the text reads back exactly; the mã hồ sơ is drawn as a vector Code128 and the tracking URL
//!   as a vector QR. Long lines wrap, long tables break pages and repeat their header.
//! - **Printing** — [`print::print_pdf`]`(path, queue, copies)` through CUPS `lp`
//!   ([`print::print_pdf_on`] also asks for the paper, `-o media=A5`),
//!   [`print::list_printers`] through `lpstat` (typed [`print::PrintError`]).
//! - **Thermal tickets** — [`escpos::ticket`]`(&TicketData, &TicketOptions)`: ESC/POS bytes for
//!   58 mm / 80 mm printers, Vietnamese as a raster image (GS v 0) or as ASCII without
//!   diacritics, QR through GS ( k.
//! - **Statistics** — [`export::csv`] (UTF-8 with BOM), [`export::xlsx`] (with a chart),
//!   [`export::svg_chart`].
//!
//! All text is NFC-normalised before layout. Errors have a stable `code()` and a Vietnamese
//! `message_vi()`.

pub mod codes;
pub mod escpos;
pub mod export;
mod font;
mod forms;
mod layout;
pub mod model;
mod pdf;
pub mod print;

pub use forms::{fmt_date_line, fmt_time_vi};
pub use model::*;

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

/// Paper size (portrait; the register is printed landscape on it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Paper {
    A4,
    A5,
}

impl Paper {
    /// Width and height in points (portrait).
    pub fn size_pt(self) -> (f32, f32) {
        let mm = 72.0 / 25.4;
        match self {
            Paper::A4 => (210.0 * mm, 297.0 * mm),
            Paper::A5 => (148.0 * mm, 210.0 * mm),
        }
    }
}

/// A document to render.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Document {
    Receipt(ReceiptDoc),
    Supplement(SupplementRequestDoc),
    Rejection(RejectionDoc),
    ControlSheet(ControlSheetDoc),
    Register(RegisterDoc),
}

impl Document {
    fn title(&self) -> &'static str {
        match self {
            Document::Receipt(_) => "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
            Document::Supplement(_) => "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
            Document::Rejection(_) => "Phiếu từ chối tiếp nhận, giải quyết hồ sơ",
            Document::ControlSheet(_) => "Phiếu kiểm soát quá trình giải quyết hồ sơ",
            Document::Register(_) => "Sổ theo dõi hồ sơ",
        }
    }
}

/// Errors of this crate's document functions.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum DocError {
    #[error("character {ch:?} (U+{:04X}) is not in the document font", *ch as u32)]
    UnsupportedChar { ch: char },
    #[error("font: {0}")]
    Font(String),
    #[error("barcode: {0}")]
    Barcode(String),
    #[error("export: {0}")]
    Export(String),
}

impl DocError {
    pub fn code(&self) -> &'static str {
        match self {
            DocError::UnsupportedChar { .. } => "doc_unsupported_char",
            DocError::Font(_) => "doc_font",
            DocError::Barcode(_) => "doc_barcode",
            DocError::Export(_) => "doc_export",
        }
    }

    pub fn message_vi(&self) -> String {
        match self {
            DocError::UnsupportedChar { ch } => format!(
                "Ký tự “{ch}” (U+{:04X}) không in được bằng phông chữ của biểu mẫu. Hãy sửa lại nội dung (ví dụ gõ lại bằng bộ gõ tiếng Việt Unicode).",
                *ch as u32
            ),
            DocError::Font(e) => format!("Lỗi phông chữ khi tạo biểu mẫu ({e}). Hãy báo quản trị viên."),
            DocError::Barcode(e) => format!("Không tạo được mã vạch/mã QR ({e}). Hãy kiểm tra mã hồ sơ và địa chỉ tra cứu trong cài đặt."),
            DocError::Export(e) => format!("Không xuất được báo cáo thống kê ({e})."),
        }
    }
}

/// NFC-normalises every string of a serde value (round-trip through JSON).
fn nfc<T: Serialize + serde::de::DeserializeOwned + Clone>(v: &T) -> T {
    fn walk(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::String(s) => {
                let n: String = s.nfc().map(|c| if c == '\t' || c == '\r' { ' ' } else { c }).collect();
                *s = n;
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(walk),
            serde_json::Value::Object(o) => o.values_mut().for_each(walk),
            _ => {}
        }
    }
    match serde_json::to_value(v) {
        Ok(mut j) => {
            walk(&mut j);
            serde_json::from_value(j).unwrap_or_else(|_| v.clone())
        }
        Err(_) => v.clone(),
    }
}

/// Renders a document as PDF bytes.
pub fn render_pdf(doc: &Document, paper: Paper) -> Result<Vec<u8>, DocError> {
    let doc = nfc(doc);
    let fonts = font::fonts()?;
    let landscape = matches!(doc, Document::Register(_));
    let mut c = forms::Ctx::new(fonts, paper, landscape);
    match &doc {
        Document::Receipt(d) => forms::receipt(&mut c, d)?,
        Document::Supplement(d) => forms::supplement(&mut c, d)?,
        Document::Rejection(d) => forms::rejection(&mut c, d)?,
        Document::ControlSheet(d) => forms::control_sheet(&mut c, d)?,
        Document::Register(d) => forms::register(&mut c, d)?,
    }
    let (w, h) = (c.l.page_w, c.l.page_h);
    pdf::write_pdf(fonts, &c.l.pages, w, h, doc.title())
}
