//! ESC/POS thermal ticket (58 mm: 32 columns / 384 dots; 80 mm: 48 columns / 576 dots).
//!
//! Most cheap counter printers have no Vietnamese code page (TCVN3/VISCII/CP1258 support is
//! rare and inconsistent), so the Vietnamese text goes either as a **raster image** (GS v 0,
//! rendered from the embedded Noto Serif with `ab_glyph`: exact text on every printer, slower)
//! or as **ASCII without diacritics** (fast, readable, works everywhere). The mã hồ sơ and times
//! are ASCII anyway and are always printed as text; the tracking URL uses the printer's native
//! QR (GS ( k, model 2, EC M). Pure byte generation; [`parse`] walks a stream back into
//! commands (used by the tests, also handy to debug a printer).

use crate::font::{BOLD_TTF, REGULAR_TTF};
use crate::DocError;
use ab_glyph::{Font, FontRef, PxScale, ScaleFont};
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PaperWidth {
    /// 58 mm roll: 32 characters (font A) / 384 dots.
    Mm58,
    /// 80 mm roll: 48 characters (font A) / 576 dots.
    Mm80,
}

impl PaperWidth {
    pub fn columns(self) -> usize {
        match self {
            PaperWidth::Mm58 => 32,
            PaperWidth::Mm80 => 48,
        }
    }
    pub fn dots(self) -> u32 {
        match self {
            PaperWidth::Mm58 => 384,
            PaperWidth::Mm80 => 576,
        }
    }
}

/// How Vietnamese text is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TextMode {
    /// Rendered to a 1-bit image (GS v 0): exact Vietnamese on any printer.
    Raster,
    /// Diacritics stripped ("Đăng ký khai sinh" → "Dang ky khai sinh").
    Ascii,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketData {
    pub agency: String,
    pub ma_ho_so: String,
    pub procedure: String,
    pub applicant: String,
    pub received_at: NaiveDateTime,
    pub due_at: NaiveDateTime,
    pub tracking_url: Option<String>,
}

impl TicketData {
    pub fn sample() -> Self {
        let r = crate::ReceiptDoc::sample();
        TicketData {
            agency: "UBND PHƯỜNG MẪU THỬ - BỘ PHẬN MỘT CỬA".into(),
            ma_ho_so: r.ma_ho_so,
            procedure: r.request,
            applicant: r.applicant_name,
            received_at: r.received_at,
            due_at: r.due_at,
            tracking_url: r.tracking_url,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TicketOptions {
    pub width: PaperWidth,
    pub text: TextMode,
    /// Partial cut at the end (GS V 66).
    pub cut: bool,
}

/// "Đăng ký khai sinh" → "Dang ky khai sinh"; other non-ASCII characters become '?'.
pub fn strip_diacritics(s: &str) -> String {
    s.nfd()
        .filter(|c| !('\u{300}'..='\u{36f}').contains(c))
        .map(|c| match c {
            'đ' => 'd',
            'Đ' => 'D',
            '\u{2013}' | '\u{2014}' => '-',
            '\u{201c}' | '\u{201d}' => '"',
            c if c.is_ascii() && !c.is_ascii_control() => c,
            _ => '?',
        })
        .collect()
}

fn wrap_cols(s: &str, cols: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut cur = String::new();
    for w in s.split_whitespace() {
        let mut w = w.to_string();
        while w.chars().count() > cols {
            if !cur.is_empty() {
                lines.push(std::mem::take(&mut cur));
            }
            let head: String = w.chars().take(cols).collect();
            w = w.chars().skip(cols).collect();
            lines.push(head);
        }
        if !cur.is_empty() && cur.chars().count() + 1 + w.chars().count() > cols {
            lines.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(&w);
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines
}

/// Renders text lines into a 1-bit raster (row-major, MSB first, `width_dots/8` bytes a row).
fn raster_text(text: &str, bold: bool, px: f32, width_dots: u32) -> Result<(u32, Vec<u8>), DocError> {
    let data = if bold { BOLD_TTF } else { REGULAR_TTF };
    let font = FontRef::try_from_slice(data).map_err(|e| DocError::Font(e.to_string()))?;
    let scaled = font.as_scaled(PxScale::from(px));
    let margin = 4.0;
    let max_w = width_dots as f32 - 2.0 * margin;
    // word wrap by advances
    let adv = |s: &str| s.chars().map(|c| scaled.h_advance(font.glyph_id(c))).sum::<f32>();
    let mut lines: Vec<String> = Vec::new();
    for para in text.split('\n') {
        let mut cur = String::new();
        for w in para.split_whitespace() {
            let cand = if cur.is_empty() { w.to_string() } else { format!("{cur} {w}") };
            if adv(&cand) > max_w && !cur.is_empty() {
                lines.push(std::mem::replace(&mut cur, w.to_string()));
            } else {
                cur = cand;
            }
        }
        lines.push(cur);
    }
    for l in &lines {
        for c in l.chars() {
            if font.glyph_id(c).0 == 0 {
                return Err(DocError::UnsupportedChar { ch: c });
            }
        }
    }
    let line_h = (scaled.ascent() - scaled.descent() + scaled.line_gap()).ceil().max(1.0);
    let h = (line_h * lines.len() as f32).ceil() as u32 + 2;
    let row_bytes = width_dots.div_ceil(8) as usize;
    let mut bits = vec![0u8; row_bytes * h as usize];
    for (li, line) in lines.iter().enumerate() {
        let lw = adv(line);
        let mut x = margin + ((max_w - lw) / 2.0).max(0.0); // centred
        let baseline = li as f32 * line_h + scaled.ascent();
        for c in line.chars() {
            let gid = font.glyph_id(c);
            let g = gid.with_scale_and_position(PxScale::from(px), ab_glyph::point(x, baseline));
            if let Some(o) = font.outline_glyph(g) {
                let bb = o.px_bounds();
                o.draw(|gx, gy, cov| {
                    let (px_, py_) = (bb.min.x as i32 + gx as i32, bb.min.y as i32 + gy as i32);
                    if cov >= 0.5 && px_ >= 0 && py_ >= 0 && (px_ as u32) < width_dots && (py_ as u32) < h {
                        bits[py_ as usize * row_bytes + px_ as usize / 8] |= 0x80 >> (px_ % 8);
                    }
                });
            }
            x += scaled.h_advance(gid);
        }
    }
    Ok((h, bits))
}

struct Out(Vec<u8>);

impl Out {
    fn raw(&mut self, b: &[u8]) {
        self.0.extend_from_slice(b);
    }
    fn align(&mut self, center: bool) {
        self.raw(&[0x1b, b'a', center as u8]);
    }
    fn bold(&mut self, on: bool) {
        self.raw(&[0x1b, b'E', on as u8]);
    }
    fn size(&mut self, double: bool) {
        self.raw(&[0x1d, b'!', if double { 0x11 } else { 0 }]);
    }
    fn ascii_line(&mut self, s: &str) {
        self.raw(strip_diacritics(s).as_bytes());
        self.raw(b"\n");
    }
    fn raster(&mut self, width_dots: u32, h: u32, bits: &[u8]) {
        let xb = width_dots.div_ceil(8);
        self.raw(&[0x1d, b'v', b'0', 0, (xb & 0xff) as u8, (xb >> 8) as u8, (h & 0xff) as u8, (h >> 8) as u8]);
        self.raw(bits);
    }
    fn qr(&mut self, data: &str, module: u8) {
        let d = data.as_bytes();
        self.raw(&[0x1d, b'(', b'k', 4, 0, 0x31, 0x41, 0x32, 0x00]); // model 2
        self.raw(&[0x1d, b'(', b'k', 3, 0, 0x31, 0x43, module]); // module size
        self.raw(&[0x1d, b'(', b'k', 3, 0, 0x31, 0x45, 0x31]); // EC level M
        let len = d.len() + 3;
        self.raw(&[0x1d, b'(', b'k', (len & 0xff) as u8, (len >> 8) as u8, 0x31, 0x50, 0x30]);
        self.raw(d);
        self.raw(&[0x1d, b'(', b'k', 3, 0, 0x31, 0x51, 0x30]); // print
    }
}

/// Builds the ticket's ESC/POS byte stream.
pub fn ticket(t: &TicketData, o: &TicketOptions) -> Result<Vec<u8>, DocError> {
    let cols = o.width.columns();
    let dots = o.width.dots();
    let mut out = Out(Vec::with_capacity(4096));
    out.raw(&[0x1b, b'@']);
    out.align(true);
    let fmt = |d: &NaiveDateTime| d.format("%H:%M %d/%m/%Y").to_string();
    let sep = "-".repeat(cols);
    let vi = |out: &mut Out, s: &str, bold: bool, px: f32| -> Result<(), DocError> {
        let s: String = s.nfc().collect();
        match o.text {
            TextMode::Raster => {
                let (h, bits) = raster_text(&s, bold, px, dots)?;
                out.raster(dots, h, &bits);
            }
            TextMode::Ascii => {
                out.bold(bold);
                for l in wrap_cols(&s, cols) {
                    out.ascii_line(&l);
                }
                out.bold(false);
            }
        }
        Ok(())
    };
    vi(&mut out, &t.agency, true, 24.0)?;
    vi(&mut out, "PHIẾU HẸN TRẢ KẾT QUẢ", true, 28.0)?;
    out.ascii_line(&sep);
    out.bold(true);
    out.ascii_line("Ma ho so:");
    if t.ma_ho_so.chars().count() <= cols / 2 {
        out.size(true);
    }
    for l in wrap_cols(&t.ma_ho_so, cols) {
        out.ascii_line(&l);
    }
    out.size(false);
    out.bold(false);
    out.ascii_line(&sep);
    vi(&mut out, &t.procedure, false, 24.0)?;
    vi(&mut out, &t.applicant, true, 24.0)?;
    out.align(false);
    out.ascii_line(&format!("Nhan: {}", fmt(&t.received_at)));
    out.bold(true);
    out.ascii_line(&format!("Hen tra: {}", fmt(&t.due_at)));
    out.bold(false);
    out.align(true);
    if let Some(url) = &t.tracking_url {
        if url.len() > 7000 || !url.is_ascii() {
            return Err(DocError::Barcode("tracking URL must be ASCII and short".into()));
        }
        out.ascii_line("Tra cuu ho so:");
        out.qr(url, if o.width == PaperWidth::Mm58 { 4 } else { 6 });
        out.raw(b"\n");
    }
    out.raw(&[0x1b, b'd', 4]);
    if o.cut {
        out.raw(&[0x1d, b'V', 66, 0]);
    }
    Ok(out.0)
}

/// One command of a parsed stream.
#[derive(Debug, Clone, PartialEq)]
pub enum Cmd {
    Init,
    Align(u8),
    Bold(u8),
    CharSize(u8),
    Text(String),
    LineFeed,
    FeedLines(u8),
    Raster { mode: u8, width_bytes: u16, height: u16, data: Vec<u8> },
    /// GS ( k: cn, fn and parameters.
    Qr { cn: u8, func: u8, params: Vec<u8> },
    Cut { mode: u8, n: Option<u8> },
}

/// Walks an ESC/POS stream made of the commands [`ticket`] uses; any unknown byte or a
/// truncated command is an error with its offset.
pub fn parse(b: &[u8]) -> Result<Vec<Cmd>, String> {
    let mut cmds = Vec::new();
    let mut i = 0;
    let need = |i: usize, n: usize| if i + n <= b.len() { Ok(()) } else { Err(format!("truncated command at {i}")) };
    while i < b.len() {
        match b[i] {
            0x1b => {
                need(i, 2)?;
                match b[i + 1] {
                    b'@' => {
                        cmds.push(Cmd::Init);
                        i += 2;
                    }
                    b'a' | b'E' | b'd' => {
                        need(i, 3)?;
                        let n = b[i + 2];
                        cmds.push(match b[i + 1] {
                            b'a' if n <= 2 || (48..=50).contains(&n) => Cmd::Align(n),
                            b'E' if n <= 1 => Cmd::Bold(n),
                            b'd' => Cmd::FeedLines(n),
                            _ => return Err(format!("bad parameter {n} at {i}")),
                        });
                        i += 3;
                    }
                    x => return Err(format!("unknown ESC {x:#04x} at {i}")),
                }
            }
            0x1d => {
                need(i, 2)?;
                match b[i + 1] {
                    b'!' => {
                        need(i, 3)?;
                        cmds.push(Cmd::CharSize(b[i + 2]));
                        i += 3;
                    }
                    b'v' => {
                        need(i, 8)?;
                        if b[i + 2] != b'0' || b[i + 3] > 3 {
                            return Err(format!("bad GS v at {i}"));
                        }
                        let xb = u16::from_le_bytes([b[i + 4], b[i + 5]]);
                        let h = u16::from_le_bytes([b[i + 6], b[i + 7]]);
                        let n = xb as usize * h as usize;
                        need(i + 8, n)?;
                        cmds.push(Cmd::Raster { mode: b[i + 3], width_bytes: xb, height: h, data: b[i + 8..i + 8 + n].to_vec() });
                        i += 8 + n;
                    }
                    b'(' => {
                        need(i, 5)?;
                        if b[i + 2] != b'k' {
                            return Err(format!("unknown GS ( {:#04x} at {i}", b[i + 2]));
                        }
                        let len = u16::from_le_bytes([b[i + 3], b[i + 4]]) as usize;
                        if len < 2 {
                            return Err(format!("GS ( k too short at {i}"));
                        }
                        need(i + 5, len)?;
                        let body = &b[i + 5..i + 5 + len];
                        cmds.push(Cmd::Qr { cn: body[0], func: body[1], params: body[2..].to_vec() });
                        i += 5 + len;
                    }
                    b'V' => {
                        need(i, 3)?;
                        let m = b[i + 2];
                        if m == 65 || m == 66 {
                            need(i, 4)?;
                            cmds.push(Cmd::Cut { mode: m, n: Some(b[i + 3]) });
                            i += 4;
                        } else {
                            cmds.push(Cmd::Cut { mode: m, n: None });
                            i += 3;
                        }
                    }
                    x => return Err(format!("unknown GS {x:#04x} at {i}")),
                }
            }
            b'\n' => {
                cmds.push(Cmd::LineFeed);
                i += 1;
            }
            0x20..=0x7e => {
                let n = b[i..].iter().take_while(|c| (0x20..=0x7e).contains(*c)).count();
                cmds.push(Cmd::Text(String::from_utf8_lossy(&b[i..i + n]).into_owned()));
                i += n;
            }
            x => return Err(format!("unexpected byte {x:#04x} at {i}")),
        }
    }
    Ok(cmds)
}
