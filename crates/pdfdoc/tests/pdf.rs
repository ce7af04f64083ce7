//! PDF output checked with a real parser (lopdf) and, when installed, poppler's tools.

use chrono::{FixedOffset, TimeZone};
use lopdf::{Document, Object, ObjectId};
use pages::testpage::{a4_page, load_font, TestKind};
use pages::{process, Config, PageClass, PageImage, RawPage};
use pdfdoc::{encode, page_digest, write_pdf, DocumentMeta, PageEncoding, PdfOptions};
use sha2::Digest;

fn mm(v: f32) -> u32 {
    (v / 25.4 * 200.0).round() as u32
}

/// Three 200 dpi pages of different sizes: text (top of an A4), stamp (bottom right), grey.
fn three_pages() -> Vec<pages::ProcessedPage> {
    let font = load_font().expect("fonts-dejavu-core");
    let text = a4_page(TestKind::Text, 200.0, 1, &font);
    let stamp = a4_page(TestKind::TextWithStamp, 200.0, 2, &font);
    let grey = a4_page(TestKind::Grey, 200.0, 3, &font);
    let crops = [
        image::imageops::crop_imm(&text, 0, 0, mm(105.0), mm(148.0)).to_image(),
        image::imageops::crop_imm(&stamp, mm(100.0), mm(147.0), mm(110.0), mm(150.0)).to_image(),
        image::imageops::crop_imm(&grey, 0, mm(148.5), mm(100.0), mm(140.0)).to_image(),
    ];
    crops
        .into_iter()
        .map(|c| {
            process(
                &RawPage::new(PageImage::Rgb(c), 200.0).unwrap(),
                &Config::default(),
            )
            .unwrap()
        })
        .collect()
}

fn meta() -> DocumentMeta {
    let tz = FixedOffset::east_opt(7 * 3600).unwrap();
    DocumentMeta {
        ma_ho_so: "000.00.00.H00-261128-0042".into(),
        thu_tuc: "Đăng ký thử nghiệm".into(),
        thanh_phan: "Đơn đề nghị".into(),
        can_bo: "Cán bộ A".into(),
        received_at: tz.with_ymd_and_hms(2026, 11, 28, 8, 30, 0).unwrap(),
        created_at: tz.with_ymd_and_hms(2026, 11, 28, 8, 45, 10).unwrap(),
        title: None,
    }
}

fn num(o: &Object) -> f32 {
    match o {
        Object::Integer(i) => *i as f32,
        Object::Real(r) => *r,
        _ => panic!("not a number: {o:?}"),
    }
}

fn name(o: &Object) -> String {
    String::from_utf8_lossy(o.as_name().unwrap()).into_owned()
}

/// Image XObjects drawn by a page, in /Im0, /Im1 order, plus the mask of each.
fn page_images(doc: &Document, page: ObjectId) -> Vec<(ObjectId, lopdf::Stream)> {
    let pd = doc.get_dictionary(page).unwrap();
    let res = pd.get(b"Resources").unwrap().as_dict().unwrap();
    let xo = res.get(b"XObject").unwrap().as_dict().unwrap();
    let mut out = Vec::new();
    for i in 0..xo.len() {
        let id = xo
            .get(format!("Im{i}").as_bytes())
            .unwrap()
            .as_reference()
            .unwrap();
        let s = doc.get_object(id).unwrap().as_stream().unwrap().clone();
        out.push((id, s));
    }
    out
}

#[test]
fn pdf_pages_encodings_metadata() {
    let pages = three_pages();
    assert_eq!(
        pages.iter().map(|p| p.class).collect::<Vec<_>>(),
        [PageClass::Bilevel, PageClass::Colour, PageClass::Grey]
    );
    let w = write_pdf(&pages, &meta(), &PdfOptions::default()).unwrap();
    assert_eq!(
        w.encodings,
        [PageEncoding::G4, PageEncoding::Mrc, PageEncoding::JpegGrey]
    );
    assert_eq!(w.sha256, <[u8; 32]>::from(sha2::Sha256::digest(&w.bytes)));
    assert!(w.bytes.starts_with(b"%PDF-1.7"));
    assert!(w.bytes[w.startxref..].starts_with(b"xref"));

    // No key written twice (lopdf would silently keep one).
    let count = |needle: &[u8]| {
        w.bytes
            .windows(needle.len())
            .filter(|x| *x == needle)
            .count()
    };
    assert_eq!(count(b"/Subtype /XML"), 1);
    assert_eq!(count(b"/Type /Metadata"), 1);
    let doc = Document::load_mem(&w.bytes).unwrap();
    let ids: Vec<ObjectId> = doc.get_pages().into_values().collect();
    assert_eq!(ids.len(), 3);
    for (k, (&id, p)) in ids.iter().zip(&pages).enumerate() {
        let pd = doc.get_dictionary(id).unwrap();
        let mb = pd.get(b"MediaBox").unwrap().as_array().unwrap();
        let (wpt, hpt) = (num(&mb[2]), num(&mb[3]));
        // Order and 100 % scale: each MediaBox is its own page's physical size.
        let (ew, eh) = p.size_pt();
        assert!(
            (wpt - ew).abs() < 0.01 && (hpt - eh).abs() < 0.01,
            "page {k}: {wpt}x{hpt} vs {ew}x{eh}"
        );
        let imgs = page_images(&doc, id);
        // Full-resolution image: at least 200 dpi both ways.
        let full = match w.encodings[k] {
            PageEncoding::Mrc => {
                let mask_id = imgs[1].1.dict.get(b"Mask").unwrap().as_reference().unwrap();
                doc.get_object(mask_id)
                    .unwrap()
                    .as_stream()
                    .unwrap()
                    .clone()
            }
            _ => imgs[0].1.clone(),
        };
        let (iw, ih) = (
            num(full.dict.get(b"Width").unwrap()),
            num(full.dict.get(b"Height").unwrap()),
        );
        let (xppi, yppi) = (iw / (wpt / 72.0), ih / (hpt / 72.0));
        assert!(
            xppi >= 199.5 && yppi >= 199.5,
            "page {k}: {xppi} x {yppi} ppi"
        );
        let filter = |s: &lopdf::Stream| name(s.dict.get(b"Filter").unwrap());
        let mut streams: Vec<Vec<u8>> = imgs.iter().map(|(_, s)| s.content.clone()).collect();
        match w.encodings[k] {
            PageEncoding::G4 => {
                assert_eq!(filter(&imgs[0].1), "CCITTFaxDecode");
                let parms = imgs[0]
                    .1
                    .dict
                    .get(b"DecodeParms")
                    .unwrap()
                    .as_dict()
                    .unwrap();
                assert_eq!(num(parms.get(b"K").unwrap()), -1.0);
                assert_eq!(num(imgs[0].1.dict.get(b"BitsPerComponent").unwrap()), 1.0);
            }
            PageEncoding::Mrc => {
                assert_eq!(imgs.len(), 2);
                assert_eq!(filter(&imgs[0].1), "DCTDecode");
                assert_eq!(filter(&imgs[1].1), "DCTDecode");
                assert_eq!(filter(&full), "CCITTFaxDecode");
                assert_eq!(full.dict.get(b"ImageMask").unwrap(), &Object::Boolean(true));
                assert!(imgs[0].1.dict.get(b"SMask").is_err());
                streams.push(full.content.clone());
                // ≤ 150 KB for this part-page; full pages are measured by scan-bench.
                assert!(w.page_image_bytes[k] < 150 * 1024);
            }
            PageEncoding::JpegGrey => {
                assert_eq!(filter(&imgs[0].1), "DCTDecode");
                assert_eq!(
                    name(imgs[0].1.dict.get(b"ColorSpace").unwrap()),
                    "DeviceGray"
                );
            }
            PageEncoding::JpegColour => unreachable!(),
        }
        let refs: Vec<&[u8]> = streams.iter().map(Vec::as_slice).collect();
        assert_eq!(page_digest(&refs), w.page_digests[k], "page {k} digest");
    }

    // Metadata: Info, XMP, OutputIntent, ID.
    let info_id = doc.trailer.get(b"Info").unwrap().as_reference().unwrap();
    let info = doc.get_dictionary(info_id).unwrap();
    for key in [
        &b"Title"[..],
        b"Author",
        b"Subject",
        b"Keywords",
        b"Creator",
        b"Producer",
        b"CreationDate",
        b"ModDate",
        b"MaHoSo",
    ] {
        assert!(
            info.get(key).is_ok(),
            "Info lacks {}",
            String::from_utf8_lossy(key)
        );
    }
    let id = doc.trailer.get(b"ID").unwrap().as_array().unwrap();
    assert_eq!(id.len(), 2);
    let cat = doc.catalog().unwrap();
    let xmp_id = cat.get(b"Metadata").unwrap().as_reference().unwrap();
    let xmp = doc.get_object(xmp_id).unwrap().as_stream().unwrap();
    assert!(
        xmp.dict.get(b"Filter").is_err(),
        "XMP must stay uncompressed"
    );
    let xmp = String::from_utf8(xmp.content.clone()).unwrap();
    for needle in [
        "<pdfaid:part>2</pdfaid:part>",
        "<pdfaid:conformance>B</pdfaid:conformance>",
        "<motcua:maHoSo>000.00.00.H00-261128-0042</motcua:maHoSo>",
        "<motcua:thuTuc>Đăng ký thử nghiệm</motcua:thuTuc>",
        "<motcua:soTrang>3</motcua:soTrang>",
        "<motcua:thoiGianTiepNhan>2026-11-28T08:30:00+07:00</motcua:thoiGianTiepNhan>",
        "<xmp:CreateDate>2026-11-28T08:45:10+07:00</xmp:CreateDate>",
        "<pdfaSchema:prefix>motcua</pdfaSchema:prefix>",
    ] {
        assert!(xmp.contains(needle), "XMP lacks {needle}");
    }
    for d in &w.page_digests {
        assert!(xmp.contains(&pdfdoc::hex(d)));
    }
    let oi = cat.get(b"OutputIntents").unwrap().as_array().unwrap();
    let oi = match &oi[0] {
        Object::Dictionary(d) => d.clone(),
        Object::Reference(r) => doc.get_dictionary(*r).unwrap().clone(),
        o => panic!("{o:?}"),
    };
    assert_eq!(name(oi.get(b"S").unwrap()), "GTS_PDFA1");
    let icc = doc
        .get_object(
            oi.get(b"DestOutputProfile")
                .unwrap()
                .as_reference()
                .unwrap(),
        )
        .unwrap()
        .as_stream()
        .unwrap();
    assert_eq!(num(icc.dict.get(b"N").unwrap()), 3.0);
    assert_eq!(&icc.content[36..40], b"acsp");
    assert_eq!(
        u32::from_be_bytes(icc.content[0..4].try_into().unwrap()) as usize,
        icc.content.len()
    );

    if poppler_available() {
        poppler_checks(&w.bytes);
    }
}

fn poppler_available() -> bool {
    let ok = std::process::Command::new("pdfimages")
        .arg("-v")
        .output()
        .is_ok();
    if !ok {
        eprintln!("poppler-utils not installed: pdfimages/pdfinfo/pdftoppm checks skipped");
    }
    ok
}

fn poppler_checks(pdf: &[u8]) {
    let dir = std::env::temp_dir().join(format!("pdfdoc-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("t.pdf");
    std::fs::write(&f, pdf).unwrap();
    let info = std::process::Command::new("pdfinfo")
        .arg(&f)
        .output()
        .unwrap();
    let info = String::from_utf8_lossy(&info.stdout).into_owned();
    assert!(
        info.contains("Pages:")
            && info
                .lines()
                .any(|l| l.starts_with("Pages:") && l.trim_end().ends_with(" 3")),
        "{info}"
    );
    assert!(
        info.lines()
            .any(|l| l.starts_with("PDF version:") && l.trim_end().ends_with(" 1.7")),
        "{info}"
    );
    let list = std::process::Command::new("pdfimages")
        .arg("-list")
        .arg(&f)
        .output()
        .unwrap();
    assert!(list.status.success());
    let list = String::from_utf8_lossy(&list.stdout).into_owned();
    // page num type width height color comp bpc enc interp object ID x-ppi y-ppi size ratio
    let rows: Vec<Vec<&str>> = list
        .lines()
        .skip(2)
        .map(|l| l.split_whitespace().collect())
        .collect();
    let encs: Vec<(&str, &str)> = rows.iter().map(|r| (r[0], r[8])).collect();
    assert_eq!(
        encs,
        [
            ("1", "ccitt"),
            ("2", "jpeg"),
            ("2", "jpeg"),
            ("2", "ccitt"),
            ("3", "jpeg")
        ],
        "{list}"
    );
    assert_ne!(
        rows[3][2], "smask",
        "the MRC mask is a stencil /Mask, not a soft mask: {list}"
    );
    for r in rows.iter().filter(|r| r[3].parse::<u32>().unwrap() > 500) {
        let (x, y): (f32, f32) = (r[12].parse().unwrap(), r[13].parse().unwrap());
        assert!(x >= 199.0 && y >= 199.0, "{list}");
    }
    // Render the MRC page: the stamp must come out red and the text dark.
    let st = std::process::Command::new("pdftoppm")
        .args(["-r", "100", "-f", "2", "-l", "2", "-png"])
        .arg(&f)
        .arg(dir.join("p"))
        .status()
        .unwrap();
    assert!(st.success());
    let png = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .find(|e| e.path().extension().is_some_and(|x| x == "png"))
        .unwrap();
    let img = image::open(png.path()).unwrap().to_rgb8();
    let reds = img
        .pixels()
        .filter(|p| p.0[0] > 140 && p.0[1] < 100 && p.0[2] < 110)
        .count();
    let darks = img
        .pixels()
        .filter(|p| p.0[0] < 100 && p.0[1] < 100 && p.0[2] < 100)
        .count();
    let whites = img
        .pixels()
        .filter(|p| p.0.iter().all(|&c| c > 200))
        .count();
    assert!(reds > 200, "red stamp pixels after rendering: {reds}");
    assert!(darks > 200, "dark text pixels after rendering: {darks}");
    assert!(
        whites > img.pixels().len() / 2,
        "paper should stay light: {whites}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn g4_round_trip_is_lossless() {
    let font = load_font().unwrap();
    let page = a4_page(TestKind::Text, 100.0, 11, &font);
    let bm = encode::binarize_grey(&PageImage::Rgb(page).to_luma());
    let data = encode::g4(&bm);
    let mut rows = Vec::new();
    fax::decoder::decode_g4(data.iter().copied(), bm.width, Some(bm.height), |tr| {
        rows.extend(fax::decoder::pels(tr, bm.width).map(|c| c == fax::Color::Black));
    })
    .expect("decodes");
    assert_eq!(rows.len(), bm.bits.len());
    assert!(rows == bm.bits, "G4 round trip differs");
    assert!(bm.bits.iter().any(|&b| b) && data.len() < bm.bits.len() / 8 / 4);
}

#[test]
fn errors_have_codes_and_vietnamese() {
    let e = write_pdf(&[], &meta(), &PdfOptions::default()).unwrap_err();
    assert_eq!(e.code(), "pdf_no_pages");
    assert!(e.message_vi().contains("quét"));
    let font = load_font().unwrap();
    let small =
        image::imageops::crop_imm(&a4_page(TestKind::Blank, 200.0, 1, &font), 0, 0, 400, 500)
            .to_image();
    let p = process(
        &RawPage::new(PageImage::Rgb(small), 200.0).unwrap(),
        &Config::default(),
    )
    .unwrap();
    let mut m = meta();
    m.ma_ho_so = "  ".into();
    let e = write_pdf(std::slice::from_ref(&p), &m, &PdfOptions::default()).unwrap_err();
    assert_eq!(e.code(), "pdf_invalid_metadata");
    let mut low = p.clone();
    low.dpi = 150.0;
    assert_eq!(
        write_pdf(&[p, low], &meta(), &PdfOptions::default())
            .unwrap_err()
            .code(),
        "pdf_dpi_too_low"
    );
}

#[test]
fn tiny_pages_in_every_class_are_written() {
    let mut out = Vec::new();
    for class in [PageClass::Colour, PageClass::Grey, PageClass::Bilevel] {
        for (w, h) in [(1u32, 1u32), (3, 700), (700, 3)] {
            let img = image::RgbImage::from_fn(w, h, |x, y| {
                image::Rgb([(x * 5) as u8, 200, (y * 3) as u8])
            });
            let cfg = Config {
                force_class: Some(class),
                ..Config::default()
            };
            out.push(process(&RawPage::new(PageImage::Rgb(img), 200.0).unwrap(), &cfg).unwrap());
        }
    }
    let w = write_pdf(&out, &meta(), &PdfOptions::default()).unwrap();
    let doc = Document::load_mem(&w.bytes).unwrap();
    assert_eq!(doc.get_pages().len(), 9);
}
