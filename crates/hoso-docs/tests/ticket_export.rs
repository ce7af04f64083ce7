//! ESC/POS ticket byte streams (parsed back command by command) and the statistics exports
//! (XLSX read back with calamine).

use calamine::{Data, Reader, Xlsx};
use hoso_docs::escpos::{self, strip_diacritics, Cmd, PaperWidth, TextMode, TicketData, TicketOptions};
use hoso_docs::export::{self, StatRow};

fn qr_payload(cmds: &[Cmd]) -> Option<String> {
    cmds.iter().find_map(|c| match c {
        Cmd::Qr { cn: 0x31, func: 0x50, params } if params.first() == Some(&0x30) => {
            Some(String::from_utf8_lossy(&params[1..]).into_owned())
        }
        _ => None,
    })
}

#[test]
fn tickets_are_well_formed_for_both_widths_and_modes() {
    let t = TicketData::sample();
    for width in [PaperWidth::Mm58, PaperWidth::Mm80] {
        for text in [TextMode::Raster, TextMode::Ascii] {
            let bytes = escpos::ticket(&t, &TicketOptions { width, text, cut: true }).unwrap();
            let cmds = escpos::parse(&bytes).unwrap_or_else(|e| panic!("{width:?} {text:?}: {e}"));
            assert_eq!(cmds.first(), Some(&Cmd::Init));
            assert_eq!(cmds.last(), Some(&Cmd::Cut { mode: 66, n: Some(0) }));
            // every text line fits the paper
            let mut col = 0usize;
            let mut big = false;
            for c in &cmds {
                match c {
                    Cmd::CharSize(n) => big = *n != 0,
                    Cmd::Text(s) => {
                        col += s.len() * if big { 2 } else { 1 };
                        assert!(col <= width.columns(), "{width:?} {text:?}: line too long: {s:?}");
                    }
                    Cmd::LineFeed => col = 0,
                    _ => {}
                }
            }
            let texts: String = cmds.iter().filter_map(|c| if let Cmd::Text(s) = c { Some(s.as_str()) } else { None }).collect();
            assert!(texts.contains(&t.ma_ho_so), "{texts}");
            assert!(texts.contains("Hen tra: 09:05 08/01/2026"), "{texts}");
            assert_eq!(qr_payload(&cmds).as_deref(), t.tracking_url.as_deref());
            let rasters: Vec<_> = cmds.iter().filter_map(|c| if let Cmd::Raster { width_bytes, height, data, .. } = c { Some((*width_bytes, *height, data)) } else { None }).collect();
            match text {
                TextMode::Raster => {
                    assert!(rasters.len() >= 4, "agency, title, procedure, applicant as images");
                    for (wb, h, data) in rasters {
                        assert_eq!(wb as u32 * 8, width.dots());
                        assert!(h > 10);
                        let ink = data.iter().map(|b| b.count_ones()).sum::<u32>();
                        assert!(ink > 50, "raster has text pixels");
                    }
                }
                TextMode::Ascii => {
                    assert!(rasters.is_empty());
                    assert!(texts.contains(&strip_diacritics(&t.applicant)), "{texts}");
                    assert!(texts.contains("PHIEU HEN TRA KET QUA"), "{texts}");
                    assert!(bytes.iter().all(|b| *b < 0x80), "ASCII mode sends no 8-bit bytes");
                }
            }
        }
    }
}

#[test]
fn diacritics_stripping_and_parser_rejects_garbage() {
    assert_eq!(strip_diacritics("Đăng ký khai sinh – NGUYỄN THỊ ĐỨC"), "Dang ky khai sinh - NGUYEN THI DUC");
    assert!(escpos::parse(&[0x1b, b'@', 0x1d, b'v', b'0', 0, 1, 0, 5, 0, 0xff]).is_err(), "truncated raster");
    assert!(escpos::parse(&[0x1b, b'Z']).is_err());
    assert!(escpos::parse(&[0xc3, 0xa1]).is_err(), "raw UTF-8 is not ESC/POS text");
}

#[test]
fn xlsx_reads_back_with_totals_and_chart() {
    let rows = StatRow::samples();
    let bytes = export::xlsx(&rows, "Thống kê tháng 01/2026").unwrap();
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.clone())).unwrap();
    assert_eq!(wb.sheet_names(), vec!["Thống kê".to_string()]);
    let range = wb.worksheet_range("Thống kê").unwrap();
    assert_eq!(range.get_value((0, 0)), Some(&Data::String("Thống kê tháng 01/2026".into())));
    assert_eq!(range.get_value((1, 3)), Some(&Data::String("Tiếp nhận".into())));
    for (i, r) in rows.iter().enumerate() {
        let row = 2 + i as u32;
        assert_eq!(range.get_value((row, 2)), Some(&Data::String(r.procedure_name.clone())));
        assert_eq!(range.get_value((row, 3)), Some(&Data::Float(r.received as f64)));
        assert_eq!(range.get_value((row, 8)), Some(&Data::Float(r.digitized_components as f64)));
    }
    let total: u32 = rows.iter().map(|r| r.received).sum();
    assert_eq!(range.get_value((2 + rows.len() as u32, 3)), Some(&Data::Float(total as f64)));
    // the chart part is in the package
    let s = String::from_utf8_lossy(&bytes);
    assert!(s.contains("xl/charts/chart1.xml"), "no chart in the workbook");
}
