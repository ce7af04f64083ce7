//! Renders every document on A4 and A5 and reads it back with poppler (pdftotext, pdffonts,
//! pdfinfo, pdftoppm): exact Vietnamese text, embedded subset fonts, page sizes, page breaks,
//! and the QR / Code128 decoded back from the rasterized page (rxing).

use hoso_docs::*;
use std::path::{Path, PathBuf};
use std::process::Command;
use unicode_normalization::UnicodeNormalization;

/// A scratch folder, removed when the test passes (kept for inspection when it fails).
struct TmpDir(PathBuf);

impl std::ops::Deref for TmpDir {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for TmpDir {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

fn tmpdir(tag: &str) -> TmpDir {
    let d = std::env::temp_dir().join(format!("hoso-docs-{}-{tag}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    TmpDir(d)
}

fn tool(name: &str, args: &[&str]) -> String {
    let out = Command::new(name)
        .args(args)
        .env("LC_ALL", "C.UTF-8")
        .output()
        .unwrap_or_else(|e| panic!("{name} not runnable ({e}); install poppler-utils (scripts/setup.sh)"));
    assert!(out.status.success(), "{name} {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

fn norm(s: &str) -> String {
    s.nfc().collect::<String>().split_whitespace().collect::<Vec<_>>().join(" ")
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p.to_string_lossy().into_owned()
}

fn text_of(path: &str) -> String {
    norm(&tool("pdftotext", &["-enc", "UTF-8", path, "-"]))
}

fn assert_contains(text: &str, needles: &[String]) {
    for n in needles {
        let n = norm(n);
        assert!(text.contains(&n), "missing {n:?} in extracted text:\n{text}");
    }
}

/// Table cells wrap, and pdftotext may interleave a wrapped cell with its neighbours: the words
/// of `needle` must appear in order.
fn assert_words_in_order(text: &str, needle: &str) {
    let words: Vec<&str> = text.split(' ').collect();
    let mut i = 0;
    for w in norm(needle).split(' ') {
        match words[i..].iter().position(|x| *x == w) {
            Some(p) => i += p + 1,
            None => panic!("word {w:?} of {needle:?} missing (in order) from:\n{text}"),
        }
    }
}

fn pdfinfo(path: &str) -> (String, usize) {
    let info = tool("pdfinfo", &[path]);
    let size = info.lines().find_map(|l| l.strip_prefix("Page size:")).unwrap().trim();
    // "595.276 x 841.89": keep the numbers only
    let size = size.split(" pts").next().unwrap().to_string();
    let pages = info.lines().find_map(|l| l.strip_prefix("Pages:")).unwrap().trim().parse().unwrap();
    (size, pages)
}

fn check_fonts(path: &str) {
    let f = tool("pdffonts", &[path]);
    let rows: Vec<&str> = f.lines().skip(2).collect();
    assert!(!rows.is_empty(), "no fonts: {f}");
    for r in rows {
        let cols: Vec<&str> = r.split_whitespace().collect();
        assert!(cols[0].contains("+NotoSerif-"), "not a Noto subset: {r}");
        // name type encoding emb sub uni object ID
        let n = cols.len();
        assert_eq!(&cols[n - 5..n - 2], &["yes", "yes", "yes"], "font not embedded+subset+unicode: {r}");
    }
}

fn expected_size(paper: Paper, landscape: bool) -> &'static str {
    match (paper, landscape) {
        (Paper::A4, false) => "595.276 x 841.89",
        (Paper::A5, false) => "419.528 x 595.276",
        (Paper::A4, true) => "841.89 x 595.276",
        (Paper::A5, true) => "595.276 x 419.528",
    }
}

fn papers() -> [(Paper, &'static str); 2] {
    [(Paper::A4, "a4"), (Paper::A5, "a5")]
}

#[test]
fn receipt_reads_back_exactly() {
    let dir = tmpdir("receipt");
    let d = ReceiptDoc::sample();
    for (paper, tag) in papers() {
        let pdf = render_pdf(&Document::Receipt(d.clone()), paper).unwrap();
        let p = write(&dir, &format!("receipt-{tag}.pdf"), &pdf);
        let text = text_of(&p);
        assert_contains(
            &text,
            &[
                "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM".into(),
                "Độc lập - Tự do - Hạnh phúc".into(),
                "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ".into(),
                format!("Mã hồ sơ: {}", d.ma_ho_so),
                format!("Số: {}", d.header.number),
                format!("Ông/Bà: {}", d.applicant_name),
                format!("Số định danh cá nhân: {}", d.id_number),
                format!("Địa chỉ: {}", d.address),
                format!("Email: {}", d.email),
                format!("Người được ủy quyền: {}", d.representative.clone().unwrap()),
                format!("Nội dung yêu cầu giải quyết: {}", d.request),
                format!("4. Thời gian nhận hồ sơ: {}", fmt_time_vi(&d.received_at)),
                "4. Thời gian nhận hồ sơ: 09 giờ 05 phút, ngày 07 tháng 01 năm 2026".into(),
                "5. Thời gian trả kết quả giải quyết hồ sơ: 09 giờ 05 phút, ngày 08 tháng 01 năm 2026".into(),
                format!("3. Thời gian giải quyết hồ sơ theo quy định là: {}", d.time_allowed),
                format!("6. Đăng ký nhận kết quả tại: {}", d.collect_at),
                "Quyển số: 01, Số thứ tự: 0001".into(),
                "NGƯỜI NỘP HỒ SƠ".into(),
                "NGƯỜI TIẾP NHẬN HỒ SƠ".into(),
                d.clerk_name.clone(),
                fmt_date_line(&d.header.place, &d.received_at),
            ],
        );
        for c in &d.components {
            assert_words_in_order(&text, &c.name);
        }
        check_fonts(&p);
        assert_eq!(pdfinfo(&p), (expected_size(paper, false).to_string(), 1), "{tag}");
    }
}

#[test]
fn other_documents_read_back() {
    let dir = tmpdir("others");
    let s = SupplementRequestDoc::sample();
    let r = RejectionDoc::sample();
    let k = ControlSheetDoc::sample();
    let g = RegisterDoc::sample();
    for (paper, tag) in papers() {
        let cases: Vec<(Document, Vec<String>, bool)> = vec![
            (
                Document::Supplement(s.clone()),
                [
                    vec!["PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ".to_string(), s.ma_ho_so.clone(), s.applicant_name.clone(), s.reason.clone(), "NGƯỜI HƯỚNG DẪN".into()],
                    s.items.clone(),
                ]
                .concat(),
                false,
            ),
            (
                Document::Rejection(r.clone()),
                [vec!["PHIẾU TỪ CHỐI TIẾP NHẬN, GIẢI QUYẾT HỒ SƠ".to_string(), r.ma_ho_so.clone(), r.applicant_name.clone()], r.reasons.clone()].concat(),
                false,
            ),
            (
                Document::ControlSheet(k.clone()),
                vec![
                    "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ".to_string(),
                    k.ma_ho_so.clone(),
                    format!("Kèm theo hồ sơ của: {}", k.applicant_name),
                    format!("Ngày hẹn trả: {}", fmt_time_vi(&k.due_at)),
                    "07/01/2026 16:00".into(),
                    "Đúng hạn".into(),
                ],
                false,
            ),
            (
                Document::Register(g.clone()),
                vec!["SỔ THEO DÕI HỒ SƠ".to_string(), g.period.clone(), g.rows[0].ma_ho_so.clone(), g.rows[11].ma_ho_so.clone(), g.rows[3].applicant.clone()],
                true,
            ),
        ];
        for (i, (doc, needles, landscape)) in cases.into_iter().enumerate() {
            let pdf = render_pdf(&doc, paper).unwrap();
            let p = write(&dir, &format!("doc{i}-{tag}.pdf"), &pdf);
            let text = text_of(&p);
            assert_contains(&text, &needles);
            check_fonts(&p);
            let (size, _) = pdfinfo(&p);
            assert_eq!(size, expected_size(paper, landscape), "doc {i} {tag}");
        }
    }
}

#[test]
fn long_component_list_breaks_pages_and_keeps_every_row() {
    let dir = tmpdir("long");
    let d = ReceiptDoc::sample_with_components(45);
    for (paper, tag) in papers() {
        let pdf = render_pdf(&Document::Receipt(d.clone()), paper).unwrap();
        let p = write(&dir, &format!("long-{tag}.pdf"), &pdf);
        let (_, pages) = pdfinfo(&p);
        assert!(pages >= 2, "{tag}: {pages} page(s) for 45 components");
        let text = text_of(&p);
        for c in &d.components {
            assert_words_in_order(&text, &c.name);
        }
        // the table spans pages and its header row is repeated
        assert!(text.matches("Tên giấy tờ").count() >= 2, "{tag}");
        assert_contains(&text, &["NGƯỜI TIẾP NHẬN HỒ SƠ".into(), d.clerk_name.clone()]);
    }
}

#[test]
fn nfd_input_comes_out_nfc_and_bad_chars_are_typed_errors() {
    let mut d = ReceiptDoc::sample();
    let nfc_name = "NGUYỄN THỊ ĐẶNG THỬ";
    d.applicant_name = nfc_name.nfd().collect();
    assert_ne!(d.applicant_name, nfc_name);
    let dir = tmpdir("nfd");
    let p = write(&dir, "nfd.pdf", &render_pdf(&Document::Receipt(d.clone()), Paper::A5).unwrap());
    assert_contains(&text_of(&p), &[format!("Ông/Bà: {nfc_name}")]);

    d.applicant_name = "Tên \u{1F600}".into();
    let e = render_pdf(&Document::Receipt(d), Paper::A4).unwrap_err();
    assert_eq!(e, DocError::UnsupportedChar { ch: '\u{1F600}' });
    assert_eq!(e.code(), "doc_unsupported_char");
    assert!(e.message_vi().contains("U+1F600"));
}

fn read_pgm(path: &Path) -> (u32, u32, Vec<u8>) {
    let b = std::fs::read(path).unwrap();
    // P5\n<w> <h>\n255\n<data>
    let mut fields = Vec::new();
    let mut i = 0;
    while fields.len() < 4 {
        while b[i].is_ascii_whitespace() {
            i += 1;
        }
        let s = i;
        while !b[i].is_ascii_whitespace() {
            i += 1;
        }
        fields.push(String::from_utf8_lossy(&b[s..i]).into_owned());
    }
    assert_eq!(fields[0], "P5");
    let (w, h): (u32, u32) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    let data = b[i + 1..].to_vec();
    assert_eq!(data.len(), (w * h) as usize);
    (w, h, data)
}

#[test]
fn qr_and_code128_decode_from_the_printed_page() {
    use rxing::{BarcodeFormat, DecodeHintValue, DecodeHints};
    let dir = tmpdir("codes");
    let d = ReceiptDoc::sample();
    for (paper, tag) in papers() {
        let p = write(&dir, &format!("codes-{tag}.pdf"), &render_pdf(&Document::Receipt(d.clone()), paper).unwrap());
        let prefix = dir.join(format!("page-{tag}"));
        tool("pdftoppm", &["-r", "200", "-gray", "-f", "1", "-l", "1", &p, prefix.to_str().unwrap()]);
        let pgm = std::fs::read_dir(&*dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|f| f.file_name().unwrap().to_string_lossy().starts_with(&format!("page-{tag}")))
            .expect("pdftoppm output");
        let (w, h, luma) = read_pgm(&pgm);
        let qr = rxing::helpers::detect_in_luma(luma.clone(), w, h, Some(BarcodeFormat::QR_CODE)).expect("QR decodes");
        assert_eq!(qr.getText(), d.tracking_url.as_deref().unwrap(), "{tag}");
        let mut hints = DecodeHints::default().with(DecodeHintValue::TryHarder(true));
        let bar = rxing::helpers::detect_in_luma_with_hints(luma, w, h, Some(BarcodeFormat::CODE_128), &mut hints)
            .expect("Code128 decodes");
        assert_eq!(bar.getText(), d.ma_ho_so, "{tag}");
    }
}

#[test]
fn code128_switches_to_set_c_for_digit_runs() {
    // set B only: 11 modules per char; with C the 6- and 4-digit runs take half
    let all_b = hoso_docs::codes::code128_modules("ABCDEFGHIJKLMNOPQRSTUVWXY").unwrap();
    let mixed = hoso_docs::codes::code128_modules("000.00.19.H99-260107-0001").unwrap();
    assert_eq!(all_b.len(), 11 * (25 + 3) + 2);
    assert!(mixed.len() < all_b.len(), "{} vs {}", mixed.len(), all_b.len());
    assert!(hoso_docs::codes::code128_modules("Mã").is_err());
}
