//! Statistics export for the monthly reports: CSV (UTF-8 with BOM, so Excel opens Vietnamese
//! correctly), XLSX with a column chart (`rust_xlsxwriter`), and an SVG bar chart for the app.

use crate::DocError;
use chrono::NaiveDate;
use chrono::Datelike;
use rust_xlsxwriter::{Chart, ChartType, ExcelDateTime, Format, Workbook};
use serde::{Deserialize, Serialize};

/// One line of statistics: a day (or the first day of a month) and a procedure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatRow {
    pub date: NaiveDate,
    pub procedure_code: String,
    pub procedure_name: String,
    pub received: u32,
    pub on_time: u32,
    pub late: u32,
    /// Still open and past the due date.
    pub overdue_open: u32,
    /// Files whose applicant was identified by the chip (passive authentication passed).
    pub chip_verified: u32,
    pub digitized_components: u32,
}

impl StatRow {
    /// Generated rows for tests and previews.
    pub fn samples() -> Vec<StatRow> {
        let procs = [("1.001193", "Đăng ký khai sinh"), ("1.004194", "Đăng ký thường trú"), ("2.000815", "Chứng thực bản sao từ bản chính")];
        (0..6u32)
            .map(|i| {
                let (code, name) = procs[i as usize % 3];
                let received = 5 + i * 3;
                RowBuilder { i, code, name, received }.build()
            })
            .collect()
    }
}

struct RowBuilder<'a> {
    i: u32,
    code: &'a str,
    name: &'a str,
    received: u32,
}

impl RowBuilder<'_> {
    fn build(self) -> StatRow {
        StatRow {
            date: NaiveDate::from_ymd_opt(2026, 1, 5 + self.i / 3).unwrap_or_default(),
            procedure_code: self.code.into(),
            procedure_name: self.name.into(),
            received: self.received,
            on_time: self.received - 1 - self.i % 2,
            late: 1,
            overdue_open: self.i % 2,
            chip_verified: self.received - 2,
            digitized_components: self.received * 2,
        }
    }
}

pub const HEADERS: [&str; 9] = [
    "Ngày",
    "Mã thủ tục",
    "Tên thủ tục",
    "Tiếp nhận",
    "Đúng hạn",
    "Trễ hạn",
    "Quá hạn chưa giải quyết",
    "Xác thực bằng chip",
    "Thành phần đã số hóa",
];

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r', ';']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// CSV text with a UTF-8 BOM and CRLF line ends; dates as YYYY-MM-DD.
pub fn csv(rows: &[StatRow]) -> String {
    let mut s = String::from("\u{feff}");
    s.push_str(&HEADERS.map(csv_field).join(","));
    s.push_str("\r\n");
    for r in rows {
        let f = [
            r.date.format("%Y-%m-%d").to_string(),
            csv_field(&r.procedure_code),
            csv_field(&r.procedure_name),
            r.received.to_string(),
            r.on_time.to_string(),
            r.late.to_string(),
            r.overdue_open.to_string(),
            r.chip_verified.to_string(),
            r.digitized_components.to_string(),
        ];
        s.push_str(&f.join(","));
        s.push_str("\r\n");
    }
    s
}

/// XLSX workbook: sheet "Thống kê" with the rows, a totals line, and a column chart of
/// received / on time / late per row.
pub fn xlsx(rows: &[StatRow], title: &str) -> Result<Vec<u8>, DocError> {
    let e = |e: rust_xlsxwriter::XlsxError| DocError::Export(e.to_string());
    let mut wb = Workbook::new();
    let sheet_name = "Thống kê";
    let ws = wb.add_worksheet();
    ws.set_name(sheet_name).map_err(e)?;
    let bold = Format::new().set_bold();
    let date_fmt = Format::new().set_num_format("dd/mm/yyyy");
    ws.write_string_with_format(0, 0, title, &bold).map_err(e)?;
    for (c, h) in HEADERS.iter().enumerate() {
        ws.write_string_with_format(1, c as u16, *h, &bold).map_err(e)?;
    }
    for (i, r) in rows.iter().enumerate() {
        let row = 2 + i as u32;
        let xd = ExcelDateTime::from_ymd(r.date.year() as u16, r.date.month() as u8, r.date.day() as u8).map_err(e)?;
        ws.write_date_with_format(row, 0, &xd, &date_fmt).map_err(e)?;
        ws.write_string(row, 1, &r.procedure_code).map_err(e)?;
        ws.write_string(row, 2, &r.procedure_name).map_err(e)?;
        let nums = [r.received, r.on_time, r.late, r.overdue_open, r.chip_verified, r.digitized_components];
        for (k, v) in nums.iter().enumerate() {
            ws.write_number(row, 3 + k as u16, *v as f64).map_err(e)?;
        }
    }
    let total_row = 2 + rows.len() as u32;
    ws.write_string_with_format(total_row, 2, "Tổng cộng", &bold).map_err(e)?;
    for k in 0..6u16 {
        let sum: u64 = rows
            .iter()
            .map(|r| [r.received, r.on_time, r.late, r.overdue_open, r.chip_verified, r.digitized_components][k as usize] as u64)
            .sum();
        ws.write_number_with_format(total_row, 3 + k, sum as f64, &bold).map_err(e)?;
    }
    ws.set_column_width(0, 12).map_err(e)?;
    ws.set_column_width(2, 36).map_err(e)?;
    if !rows.is_empty() {
        let last = 1 + rows.len() as u32;
        let mut chart = Chart::new(ChartType::Column);
        for (col, name) in [(3u16, "Tiếp nhận"), (4, "Đúng hạn"), (5, "Trễ hạn")] {
            chart
                .add_series()
                .set_name(name)
                .set_categories((sheet_name, 2, 2, last, 2))
                .set_values((sheet_name, 2, col, last, col));
        }
        chart.title().set_name(title);
        ws.insert_chart(total_row + 2, 1, &chart).map_err(e)?;
    }
    wb.save_to_buffer().map_err(e)
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A self-contained SVG grouped bar chart (received / on time / late per row), for the app.
pub fn svg_chart(rows: &[StatRow], title: &str) -> String {
    let (w, h) = (720.0f32, 360.0f32);
    let (left, bottom, top) = (40.0f32, 70.0f32, 40.0f32);
    let plot_h = h - bottom - top;
    let max = rows.iter().map(|r| r.received.max(r.on_time).max(r.late)).max().unwrap_or(0).max(1) as f32;
    let group = (w - left - 10.0) / rows.len().max(1) as f32;
    let bar = (group * 0.8 / 3.0).min(28.0);
    let colours = [("Tiếp nhận", "#1f5fa8"), ("Đúng hạn", "#2e8b57"), ("Trễ hạn", "#c0392b")];
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" font-family=\"Be Vietnam Pro, Noto Sans, sans-serif\" font-size=\"12\">\n<title>{}</title>\n<text x=\"{}\" y=\"22\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\">{}</text>\n",
        xml_escape(title),
        w / 2.0,
        xml_escape(title)
    );
    s.push_str(&format!(
        "<line x1=\"{left}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#333\"/>\n",
        h - bottom,
        w - 10.0,
        h - bottom
    ));
    for (i, r) in rows.iter().enumerate() {
        let gx = left + i as f32 * group + group * 0.1;
        for (k, v) in [r.received, r.on_time, r.late].iter().enumerate() {
            let bh = *v as f32 / max * plot_h;
            let x = gx + k as f32 * bar;
            let y = h - bottom - bh;
            s.push_str(&format!(
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{bh:.1}\" fill=\"{}\"><title>{}: {v}</title></rect>\n",
                bar - 1.0,
                colours[k].1,
                colours[k].0
            ));
        }
        let label = format!("{} {}", r.date.format("%d/%m"), r.procedure_code);
        s.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"10\">{}</text>\n",
            gx + bar * 1.5,
            h - bottom + 14.0,
            xml_escape(&label)
        ));
    }
    for (k, (name, col)) in colours.iter().enumerate() {
        let x = left + k as f32 * 130.0;
        s.push_str(&format!(
            "<rect x=\"{x}\" y=\"{}\" width=\"12\" height=\"12\" fill=\"{col}\"/><text x=\"{}\" y=\"{}\">{}</text>\n",
            h - 30.0,
            x + 16.0,
            h - 20.0,
            xml_escape(name)
        ));
    }
    s.push_str("</svg>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_has_bom_quotes_and_rows() {
        let mut rows = StatRow::samples();
        rows[0].procedure_name = "Tên có dấu phẩy, và \"ngoặc\"".into();
        let c = csv(&rows);
        assert!(c.starts_with('\u{feff}'));
        let lines: Vec<&str> = c.trim_end().split("\r\n").collect();
        assert_eq!(lines.len(), rows.len() + 1);
        assert!(lines[0].contains("Tiếp nhận"));
        assert!(lines[1].starts_with("2026-01-05,1.001193,\"Tên có dấu phẩy, và \"\"ngoặc\"\"\","));
        assert!(lines[1].ends_with(&format!(",{}", rows[0].digitized_components)));
    }

    #[test]
    fn svg_is_well_formed_enough() {
        let rows = StatRow::samples();
        let s = svg_chart(&rows, "Tháng 01 <2026>");
        assert!(s.starts_with("<svg") && s.trim_end().ends_with("</svg>"));
        assert_eq!(s.matches("<rect").count(), rows.len() * 3 + 3);
        assert!(s.contains("Tháng 01 &lt;2026&gt;"));
        // the tallest bar spans the full plot height
        assert!(s.contains("height=\"250.0\""));
    }
}
