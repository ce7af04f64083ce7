//! The forms, laid out after Phụ lục I of Thông tư 03/2025/TT-VPCP (which carries over the
//! layout of Mẫu 01–06 of Thông tư 01/2018/TT-VPCP): header block, title, body fields,
//! numbered components table, signature blocks. Sources: see the crate README.

use crate::codes::{code128_modules, qr_modules};
use crate::font::{FontId, Fonts};
use crate::layout::{sp, Align, Layout, Span};
use crate::model::*;
use crate::{DocError, Paper};
use chrono::{Datelike, NaiveDateTime, Timelike};
use FontId::{Bold as B, Italic as I, Regular as R};

/// "09 giờ 05 phút, ngày 07 tháng 01 năm 2026"
pub fn fmt_time_vi(t: &NaiveDateTime) -> String {
    format!(
        "{:02} giờ {:02} phút, ngày {:02} tháng {:02} năm {}",
        t.hour(),
        t.minute(),
        t.day(),
        t.month(),
        t.year()
    )
}

/// "Phường X, ngày 07 tháng 01 năm 2026"
pub fn fmt_date_line(place: &str, t: &NaiveDateTime) -> String {
    format!("{}, ngày {:02} tháng {:02} năm {}", place, t.day(), t.month(), t.year())
}

pub(crate) fn fmt_short(t: &NaiveDateTime) -> String {
    t.format("%d/%m/%Y %H:%M").to_string()
}

pub(crate) struct Ctx<'f> {
    pub l: Layout<'f>,
    pub size: f32,
    pub k: f32,
}

impl<'f> Ctx<'f> {
    pub fn new(fonts: &'f Fonts, paper: Paper, landscape: bool) -> Self {
        let (mut w, mut h) = paper.size_pt();
        if landscape {
            std::mem::swap(&mut w, &mut h);
        }
        let k = paper.size_pt().0 / 595.28;
        let mm = 72.0 / 25.4;
        let (margin, margin_tb) = if paper == Paper::A4 { (18.0 * mm, 15.0 * mm) } else { (11.0 * mm, 8.0 * mm) };
        let size = if paper == Paper::A4 { 12.5 } else { 9.0 };
        Ctx { l: Layout::new(fonts, w, h, margin, margin_tb), size, k }
    }

    fn line(&mut self, spans: &[Span]) -> Result<(), DocError> {
        self.l.para(spans, self.size, Align::Left, 0.0)
    }

    fn field(&mut self, label: &str, value: &str) -> Result<(), DocError> {
        self.line(&[sp(R, format!("{label} ")), sp(B, value)])
    }

    fn centered(&mut self, font: FontId, size: f32, text: &str) -> Result<(), DocError> {
        self.l.para(&[sp(font, text)], size, Align::Center, 0.0)
    }

    /// Agency left, national motto right, "Số: …" and the date line.
    fn header(&mut self, h: &AgencyHeader, date: &NaiveDateTime) -> Result<(), DocError> {
        let s = self.size;
        let cw = self.l.content_w();
        let (lw, rw) = (cw * 0.42, cw * 0.58);
        let (x0, x1) = (self.l.left, self.l.left + cw * 0.42);
        let y0 = self.l.y;
        let hs = s * 0.95;
        // left column
        let mut y = y0;
        if !h.parent.is_empty() {
            let lines = self.l.wrap(&[sp(R, h.parent.to_uppercase())], hs, lw)?;
            y += self.l.draw_lines(&lines, hs, x0, lw, y, Align::Center);
        }
        let lines = self.l.wrap(&[sp(B, h.name.to_uppercase())], hs, lw)?;
        y += self.l.draw_lines(&lines, hs, x0, lw, y, Align::Center);
        let ul = lw * 0.3;
        self.l.hline(x0 + (lw - ul) / 2.0, x0 + (lw + ul) / 2.0, y + 2.0, 0.6);
        y += s * 0.6;
        let num = if h.number.is_empty() { "……".to_string() } else { h.number.clone() };
        let lines = self.l.wrap(&[sp(R, format!("Số: {num}"))], s, lw)?;
        y += self.l.draw_lines(&lines, s, x0, lw, y, Align::Center);
        let left_end = y;
        // right column
        let mut y = y0;
        let lines = self.l.wrap(&[sp(B, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")], hs, rw)?;
        y += self.l.draw_lines(&lines, hs, x1, rw, y, Align::Center);
        let lines = self.l.wrap(&[sp(B, "Độc lập - Tự do - Hạnh phúc")], s, rw)?;
        y += self.l.draw_lines(&lines, s, x1, rw, y, Align::Center);
        let ul = self.l.fonts.width(B, s, "Độc lập - Tự do - Hạnh phúc")?;
        self.l.hline(x1 + (rw - ul) / 2.0, x1 + (rw + ul) / 2.0, y + 1.0, 0.6);
        y += s * 0.6;
        let lines = self.l.wrap(&[sp(I, fmt_date_line(&h.place, date))], s, rw)?;
        y += self.l.draw_lines(&lines, s, x1, rw, y, Align::Center);
        self.l.y = left_end.max(y) + s * 0.8;
        Ok(())
    }

    /// Code128 of the mã hồ sơ (left) and the tracking QR (right), vector-drawn.
    fn codes(&mut self, ma: &str, url: Option<&str>) -> Result<(), DocError> {
        let k = self.k;
        let qr_side = 64.0 * k.max(0.8);
        let bar_h = 30.0 * k.max(0.8);
        let band_h = qr_side.max(bar_h + self.size * 1.6);
        self.l.ensure(band_h + 4.0);
        let y0 = self.l.y;
        let cw = self.l.content_w();
        let bars = code128_modules(ma)?;
        let avail = cw - qr_side - 30.0;
        let mw = (avail / (bars.len() as f32 + 20.0)).clamp(0.6, 1.0 * k.max(0.75));
        let bw = bars.len() as f32 * mw;
        let bx = self.l.left + 10.0 * mw;
        let mut i = 0;
        while i < bars.len() {
            if bars[i] == 1 {
                let run = bars[i..].iter().take_while(|b| **b == 1).count();
                self.l.fill(bx + i as f32 * mw, y0, run as f32 * mw, bar_h);
                i += run;
            } else {
                i += 1;
            }
        }
        let ts = self.size * 0.85;
        let tw = self.l.fonts.width(R, ts, ma)?;
        self.l.text_at(R, ts, bx + (bw - tw) / 2.0, y0 + bar_h + ts * 1.2, ma);
        if let Some(url) = url {
            let (m, n) = qr_modules(url)?;
            let ms = qr_side / (n as f32 + 8.0); // 4-module quiet zone each side
            let qx = self.l.left + cw - qr_side + 4.0 * ms;
            let qy = y0 + 4.0 * ms;
            for r in 0..n {
                let mut c = 0;
                while c < n {
                    if m[r * n + c] {
                        let run = (c..n).take_while(|cc| m[r * n + cc]).count();
                        self.l.fill(qx + c as f32 * ms, qy + r as f32 * ms, run as f32 * ms, ms);
                        c += run;
                    } else {
                        c += 1;
                    }
                }
            }
        }
        self.l.y = y0 + band_h + self.size * 0.5;
        Ok(())
    }

    fn title(&mut self, t: &str, ma: &str) -> Result<(), DocError> {
        self.centered(B, self.size * 1.15, t)?;
        self.l.gap(self.size * 0.2);
        self.l.para(&[sp(R, "Mã hồ sơ: "), sp(B, ma)], self.size, Align::Center, 0.0)?;
        self.l.gap(self.size * 0.4);
        Ok(())
    }

    /// Two signature blocks side by side (or one at the right when `left` is None).
    fn signatures(&mut self, left: Option<(&str, &str)>, right: (&str, &str)) -> Result<(), DocError> {
        let s = self.size;
        let blank = 48.0 * self.k.max(0.62);
        let need = s * 1.3 * 3.0 + blank + s;
        self.l.gap(s * 0.6);
        self.l.ensure(need);
        let cw = self.l.content_w();
        let half = cw / 2.0;
        let y0 = self.l.y;
        let col = |l: &mut Layout, x: f32, title: &str, name: &str| -> Result<f32, DocError> {
            let mut y = y0;
            let lines = l.wrap(&[sp(B, title)], s, half)?;
            y += l.draw_lines(&lines, s, x, half, y, Align::Center);
            let lines = l.wrap(&[sp(I, "(Ký và ghi rõ họ tên)")], s * 0.9, half)?;
            y += l.draw_lines(&lines, s * 0.9, x, half, y, Align::Center);
            y += blank;
            let lines = l.wrap(&[sp(B, name)], s, half)?;
            y += l.draw_lines(&lines, s, x, half, y, Align::Center);
            Ok(y)
        };
        let mut end = y0;
        if let Some((t, n)) = left {
            let x = self.l.left;
            end = end.max(col(&mut self.l, x, t, n)?);
        }
        let x = self.l.left + half;
        end = end.max(col(&mut self.l, x, right.0, right.1)?);
        self.l.y = end;
        Ok(())
    }
}

pub(crate) fn receipt(c: &mut Ctx, d: &ReceiptDoc) -> Result<(), DocError> {
    c.header(&d.header, &d.received_at)?;
    c.title("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", &d.ma_ho_so)?;
    c.codes(&d.ma_ho_so, d.tracking_url.as_deref())?;
    c.line(&[sp(R, format!("{} tiếp nhận hồ sơ của:", sentence_case(&d.header.name)))])?;
    c.field("Ông/Bà:", &d.applicant_name)?;
    c.field("Số định danh cá nhân:", &d.id_number)?;
    c.field("Địa chỉ:", &d.address)?;
    c.line(&[sp(R, "Số điện thoại: "), sp(B, &d.phone), sp(R, "\u{2003}\u{2003}Email: "), sp(B, &d.email)])?;
    if let Some(rep) = &d.representative {
        c.field("Người được ủy quyền:", rep)?;
    }
    c.field("Nội dung yêu cầu giải quyết:", &d.request)?;
    c.line(&[sp(R, "1. Thành phần hồ sơ nộp gồm:")])?;
    let rows: Vec<Vec<String>> = d
        .components
        .iter()
        .enumerate()
        .map(|(i, x)| vec![format!("{}", i + 1), x.name.clone(), x.form.clone(), format!("{}", x.count)])
        .collect();
    c.l.table(
        &[0.08, 0.6, 0.2, 0.12],
        &[Align::Center, Align::Left, Align::Left, Align::Center],
        &["STT", "Tên giấy tờ", "Hình thức", "Số lượng"],
        &rows,
        c.size * 0.95,
    )?;
    c.l.gap(c.size * 0.3);
    c.field("2. Số lượng hồ sơ:", &format!("{:02} (bộ)", d.sets))?;
    c.field("3. Thời gian giải quyết hồ sơ theo quy định là:", &d.time_allowed)?;
    c.field("4. Thời gian nhận hồ sơ:", &fmt_time_vi(&d.received_at))?;
    c.field("5. Thời gian trả kết quả giải quyết hồ sơ:", &fmt_time_vi(&d.due_at))?;
    c.field("6. Đăng ký nhận kết quả tại:", &d.collect_at)?;
    c.line(&[
        sp(R, "Vào Sổ theo dõi hồ sơ, Quyển số: "),
        sp(B, &d.register_book),
        sp(R, ", Số thứ tự: "),
        sp(B, &d.register_entry),
    ])?;
    c.signatures(Some(("NGƯỜI NỘP HỒ SƠ", &d.applicant_name)), ("NGƯỜI TIẾP NHẬN HỒ SƠ", &d.clerk_name))
}

pub(crate) fn supplement(c: &mut Ctx, d: &SupplementRequestDoc) -> Result<(), DocError> {
    c.header(&d.header, &d.issued_at)?;
    c.title("PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", &d.ma_ho_so)?;
    c.codes(&d.ma_ho_so, d.tracking_url.as_deref())?;
    c.line(&[sp(R, format!("{} tiếp nhận hồ sơ của:", sentence_case(&d.header.name)))])?;
    c.field("Ông/Bà:", &d.applicant_name)?;
    c.field("Nội dung yêu cầu giải quyết:", &d.request)?;
    c.line(&[sp(R, format!("Thời gian tiếp nhận hồ sơ: {}.", fmt_time_vi(&d.received_at)))])?;
    c.line(&[sp(R, "Yêu cầu bổ sung, hoàn thiện hồ sơ gồm những nội dung sau:")])?;
    for (i, item) in d.items.iter().enumerate() {
        c.l.para(&[sp(R, format!("{}. {item}", i + 1))], c.size, Align::Left, c.size)?;
    }
    c.field("Lý do:", &d.reason)?;
    c.line(&[sp(
        R,
        format!(
            "Trong quá trình hoàn thiện hồ sơ nếu có vướng mắc, Ông/Bà liên hệ với {} để được hướng dẫn./.",
            d.contact
        ),
    )])?;
    c.signatures(None, ("NGƯỜI HƯỚNG DẪN", &d.clerk_name))
}

pub(crate) fn rejection(c: &mut Ctx, d: &RejectionDoc) -> Result<(), DocError> {
    c.header(&d.header, &d.issued_at)?;
    c.title("PHIẾU TỪ CHỐI TIẾP NHẬN, GIẢI QUYẾT HỒ SƠ", &d.ma_ho_so)?;
    c.codes(&d.ma_ho_so, d.tracking_url.as_deref())?;
    c.line(&[sp(R, format!("{} tiếp nhận hồ sơ của:", sentence_case(&d.header.name)))])?;
    c.field("Ông/Bà:", &d.applicant_name)?;
    c.field("Nội dung yêu cầu giải quyết:", &d.request)?;
    c.line(&[sp(R, format!("Thời gian tiếp nhận hồ sơ: {}.", fmt_time_vi(&d.received_at)))])?;
    c.line(&[sp(
        R,
        "Qua nghiên cứu, đối chiếu với các quy định của pháp luật, cơ quan không tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau:",
    )])?;
    for (i, r) in d.reasons.iter().enumerate() {
        c.l.para(&[sp(R, format!("{}. {r}", i + 1))], c.size, Align::Left, c.size)?;
    }
    c.line(&[sp(R, "Xin thông báo cho Ông/Bà được biết và thực hiện./.")])?;
    c.signatures(None, ("NGƯỜI TIẾP NHẬN HỒ SƠ", &d.clerk_name))
}

pub(crate) fn control_sheet(c: &mut Ctx, d: &ControlSheetDoc) -> Result<(), DocError> {
    c.header(&d.header, &d.received_at)?;
    c.title("PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ", &d.ma_ho_so)?;
    c.codes(&d.ma_ho_so, d.tracking_url.as_deref())?;
    c.field("Kèm theo hồ sơ của:", &d.applicant_name)?;
    c.field("Nội dung yêu cầu giải quyết:", &d.request)?;
    c.field("Ngày nhận:", &fmt_time_vi(&d.received_at))?;
    c.field("Ngày hẹn trả:", &fmt_time_vi(&d.due_at))?;
    c.field("Cơ quan (bộ phận) giải quyết hồ sơ:", &d.lead_agency)?;
    c.field("Cơ quan phối hợp giải quyết hồ sơ:", &d.cooperating)?;
    let rows: Vec<Vec<String>> = d
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| vec![format!("{}", i + 1), r.step.clone(), fmt_short(&r.at), r.result.clone(), r.note.clone()])
        .collect();
    c.l.gap(c.size * 0.3);
    c.l.table(
        &[0.07, 0.43, 0.2, 0.15, 0.15],
        &[Align::Center, Align::Left, Align::Center, Align::Center, Align::Left],
        &["STT", "Tên cơ quan / bước giao, nhận", "Thời gian giao, nhận", "Kết quả", "Ghi chú"],
        &rows,
        c.size * 0.9,
    )
}

pub(crate) fn register(c: &mut Ctx, d: &RegisterDoc) -> Result<(), DocError> {
    c.header(&d.header, &d.rows.first().map(|r| r.received).unwrap_or_default())?;
    c.centered(B, c.size * 1.15, "SỔ THEO DÕI HỒ SƠ")?;
    c.centered(I, c.size, &d.period)?;
    c.l.gap(c.size * 0.4);
    let rows: Vec<Vec<String>> = d
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            vec![
                format!("{}", i + 1),
                r.ma_ho_so.clone(),
                r.procedure.clone(),
                format!("{}", r.sets),
                r.applicant.clone(),
                r.address_phone.clone(),
                r.lead_agency.clone(),
                fmt_short(&r.received),
                fmt_short(&r.due),
                r.returned.as_ref().map(fmt_short).unwrap_or_default(),
                r.note.clone(),
            ]
        })
        .collect();
    c.l.table(
        &[0.035, 0.2, 0.12, 0.04, 0.11, 0.12, 0.08, 0.075, 0.075, 0.075, 0.07],
        &[Align::Center, Align::Left, Align::Left, Align::Center, Align::Left, Align::Left, Align::Left, Align::Center, Align::Center, Align::Center, Align::Left],
        &[
            "STT",
            "Mã hồ sơ",
            "Tên TTHC",
            "Số bộ",
            "Tên cá nhân, tổ chức",
            "Địa chỉ, số điện thoại",
            "Cơ quan chủ trì",
            "Nhận hồ sơ",
            "Hẹn trả kết quả",
            "Trả kết quả",
            "Ghi chú",
        ],
        &rows,
        c.size * 0.75,
    )
}

/// "BỘ PHẬN MỘT CỬA" → "Bộ phận một cửa" (Vietnamese words are lower-cased except the first).
fn sentence_case(s: &str) -> String {
    let lower = s.to_lowercase();
    let mut cs = lower.chars();
    match cs.next() {
        Some(f) => f.to_uppercase().chain(cs).collect(),
        None => String::new(),
    }
}
