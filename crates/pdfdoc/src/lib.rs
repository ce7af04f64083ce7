//! Compliant PDF writer for digitized copies (bản số hóa) of one file component.
//!
//! One PDF per component, pages in the order given (Thông tư 01/2023/TT-VPCP: same page count
//! as the original, in order), every page at 100 % scale: the MediaBox is the page's pixel
//! size divided by its dpi (Nghị định 30/2020/NĐ-CP, Phụ lục I: PDF ≥ 1.4, colour, ≥ 200 dpi,
//! 100 %). Encodings by [`pages::PageClass`]:
//!
//! | class | encoding | PDF |
//! | --- | --- | --- |
//! | bilevel | CCITT G4, lossless | `/CCITTFaxDecode` `/K -1`, DeviceGray 1 bit |
//! | grey | JPEG | `/DCTDecode`, DeviceGray |
//! | colour | MRC (default) or JPEG | background JPEG (low res) + foreground JPEG (low res) drawn through the full-resolution G4 ink mask given as its `/Mask` (explicit masking, PDF 1.3; no soft masks, no transparency) |
//!
//! Metadata: Info dictionary and an XMP packet with the same title/author/subject/keywords/
//! dates/producer, plus `motcua:` properties (mã hồ sơ, thủ tục, thành phần, cán bộ, thời gian
//! tiếp nhận, số trang, per-page image SHA-256) declared by a PDF/A extension schema.
//!
//! PDF/A-2b (ISO 19005-2, level B): `pdfaid` in XMP, OutputIntent `GTS_PDFA1` with an
//! embedded sRGB ICC profile ([`icc`]), trailer `/ID`, no encryption, no transparency, no
//! fonts (pages are images only), no `/Interpolate`. Not checked here by a validator (veraPDF
//! is not in Debian); see `docs/arch-scan.md`.
//!
//! Hashes: a file cannot contain its own hash, so [`WrittenPdf::sha256`] (of the whole file)
//! is returned beside the bytes, for the file record and for signing. Inside the file, each
//! page carries the SHA-256 of its image streams exactly as stored (see [`page_digest`]),
//! which stays verifiable after a PAdES signature is appended as an incremental update.
//!
//! Later signing: [`WrittenPdf`] gives the catalog, Info and next free object numbers and the
//! `startxref` offset, which is what an incremental update (AcroForm + signature field +
//! `/Contents` placeholder) appended after `%%EOF` needs.

#![warn(missing_docs)]

pub mod encode;
pub mod icc;
mod xmp;

use chrono::{DateTime, Datelike, FixedOffset, Timelike};
use pages::{PageClass, PageImage, ProcessedPage};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, TextStr};
use sha2::{Digest, Sha256};

/// Errors of the writer.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// No page was given.
    #[error("no pages")]
    NoPages,
    /// A page is below the legal minimum resolution.
    #[error("page {page} at {dpi} dpi, below 200 dpi")]
    DpiTooLow {
        /// 1-based page number.
        page: usize,
        /// Its resolution.
        dpi: f32,
    },
    /// A page is too large for a JPEG (65 535 px side).
    #[error("image {width}x{height} too large")]
    ImageTooLarge {
        /// Width.
        width: u32,
        /// Height.
        height: u32,
    },
    /// An encoder failed.
    #[error("encoding failed: {0}")]
    Encode(String),
    /// A metadata field is empty or has control characters.
    #[error("invalid metadata field {0}")]
    InvalidMeta(&'static str),
}

impl PdfError {
    /// Stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NoPages => "pdf_no_pages",
            Self::DpiTooLow { .. } => "pdf_dpi_too_low",
            Self::ImageTooLarge { .. } => "pdf_image_too_large",
            Self::Encode(_) => "pdf_encode_failed",
            Self::InvalidMeta(_) => "pdf_invalid_metadata",
        }
    }
    /// Vietnamese message with the next step.
    pub fn message_vi(&self) -> String {
        match self {
            Self::NoPages => "Thành phần hồ sơ chưa có trang nào. Hãy quét tài liệu trước khi tạo bản số hóa.".into(),
            Self::DpiTooLow { page, dpi } => format!(
                "Trang {page} chỉ đạt {dpi:.0} dpi, thấp hơn mức tối thiểu 200 dpi. Hãy quét lại trang này từ 200 dpi trở lên."
            ),
            Self::ImageTooLarge { width, height } => format!(
                "Ảnh trang {width}×{height} điểm ảnh quá lớn để lưu. Hãy quét lại với độ phân giải 200–300 dpi."
            ),
            Self::Encode(_) => "Không nén được ảnh trang. Hãy thử lại; nếu lỗi lặp lại, báo bộ phận kỹ thuật.".into(),
            Self::InvalidMeta(field) => format!(
                "Thông tin hồ sơ chưa hợp lệ (trường {field} trống hoặc có ký tự điều khiển). Hãy kiểm tra lại thông tin tiếp nhận."
            ),
        }
    }
}

/// Who, what and when, written into the Info dictionary and XMP.
#[derive(Debug, Clone)]
pub struct DocumentMeta {
    /// Mã hồ sơ.
    pub ma_ho_so: String,
    /// Thủ tục hành chính (name or code).
    pub thu_tuc: String,
    /// Thành phần hồ sơ (component name).
    pub thanh_phan: String,
    /// Cán bộ tiếp nhận.
    pub can_bo: String,
    /// Thời gian tiếp nhận.
    pub received_at: DateTime<FixedOffset>,
    /// Creation time of the PDF (given by the caller: this crate reads no clock).
    pub created_at: DateTime<FixedOffset>,
    /// Title; default "{thành phần} – hồ sơ {mã}".
    pub title: Option<String>,
}

/// How colour pages are stored.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ColourEncoding {
    /// One JPEG at full resolution.
    Jpeg {
        /// Quality 1–100.
        quality: u8,
    },
    /// Mixed raster content.
    Mrc {
        /// Background reduction (4 at 200 dpi → 50 dpi).
        bg_factor: u32,
        /// Foreground (ink colour) reduction (3 at 200 dpi → ~67 dpi).
        fg_factor: u32,
        /// JPEG quality of both layers.
        quality: u8,
    },
}

/// Writer settings.
#[derive(Debug, Clone)]
pub struct PdfOptions {
    /// Colour pages.
    pub colour: ColourEncoding,
    /// JPEG quality of grey pages.
    pub grey_quality: u8,
    /// Write the PDF/A-2b identification and OutputIntent.
    pub pdfa: bool,
    /// Name in `/Creator` and `xmp:CreatorTool`.
    pub creator_tool: String,
}

impl Default for PdfOptions {
    fn default() -> Self {
        Self {
            colour: ColourEncoding::Mrc {
                bg_factor: 4,
                fg_factor: 3,
                quality: 45,
            },
            grey_quality: 60,
            pdfa: true,
            creator_tool: "Một Cửa Desk".into(),
        }
    }
}

/// How a page was stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageEncoding {
    /// CCITT G4 bilevel.
    G4,
    /// Grey JPEG.
    JpegGrey,
    /// Colour JPEG.
    JpegColour,
    /// MRC: JPEG background + JPEG foreground through a G4 mask.
    Mrc,
}

/// The written file and what a caller records beside it.
#[derive(Debug, Clone)]
pub struct WrittenPdf {
    /// The PDF.
    pub bytes: Vec<u8>,
    /// SHA-256 of `bytes`.
    pub sha256: [u8; 32],
    /// Per page, in order: [`page_digest`] of its image streams (also in XMP).
    pub page_digests: Vec<[u8; 32]>,
    /// Per page: encoding used.
    pub encodings: Vec<PageEncoding>,
    /// Per page: bytes of its image streams.
    pub page_image_bytes: Vec<usize>,
    /// Object number of the catalog (generation 0).
    pub catalog_id: i32,
    /// Object number of the Info dictionary.
    pub info_id: i32,
    /// First unused object number (the trailer's `/Size`).
    pub next_id: i32,
    /// Byte offset of the cross-reference table (value after `startxref`).
    pub startxref: usize,
}

/// Lower-case hex.
pub fn hex(d: &[u8]) -> String {
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 over a page's image streams as stored in the file, in drawing order, each
/// preceded by its length as 8 bytes big-endian. Anyone can recompute it from the PDF.
pub fn page_digest(streams: &[&[u8]]) -> [u8; 32] {
    let mut h = Sha256::new();
    for s in streams {
        h.update((s.len() as u64).to_be_bytes());
        h.update(s);
    }
    h.finalize().into()
}

fn pdf_date(d: &DateTime<FixedOffset>) -> pdf_writer::Date {
    let off = d.offset().local_minus_utc() / 60;
    pdf_writer::Date::new(d.year().clamp(0, 9999) as u16)
        .month(d.month() as u8)
        .day(d.day() as u8)
        .hour(d.hour() as u8)
        .minute(d.minute() as u8)
        .second(d.second().min(59) as u8)
        .utc_offset_hour((off / 60) as i8)
        .utc_offset_minute((off.abs() % 60) as u8)
}

fn check_field(v: &str, name: &'static str) -> Result<(), PdfError> {
    if v.trim().is_empty() || v.chars().any(char::is_control) {
        return Err(PdfError::InvalidMeta(name));
    }
    Ok(())
}

/// One encoded image XObject.
struct Img {
    data: Vec<u8>,
    width: u32,
    height: u32,
    kind: ImgKind,
}
enum ImgKind {
    G4Gray,
    G4Mask,
    JpegRgb,
    JpegGray,
}

/// Encodes a page: images in drawing order; for MRC the third image is the foreground's mask.
fn encode_page(p: &ProcessedPage, opts: &PdfOptions) -> Result<(PageEncoding, Vec<Img>), PdfError> {
    let (w, h) = (p.image.width(), p.image.height());
    match (&p.image, p.class) {
        (PageImage::Rgb(c), PageClass::Colour) => match opts.colour {
            ColourEncoding::Jpeg { quality } => Ok((
                PageEncoding::JpegColour,
                vec![Img {
                    data: encode::jpeg(c.as_raw(), w, h, true, quality)?,
                    width: w,
                    height: h,
                    kind: ImgKind::JpegRgb,
                }],
            )),
            ColourEncoding::Mrc {
                bg_factor,
                fg_factor,
                quality,
            } => {
                let m = encode::mrc_layers(c, bg_factor.max(1), fg_factor.max(1));
                let bg = encode::jpeg(m.bg.as_raw(), m.bg.width(), m.bg.height(), true, quality)?;
                let fg = encode::jpeg(m.fg.as_raw(), m.fg.width(), m.fg.height(), true, quality)?;
                let mask = encode::g4(&m.mask);
                Ok((
                    PageEncoding::Mrc,
                    vec![
                        Img {
                            data: bg,
                            width: m.bg.width(),
                            height: m.bg.height(),
                            kind: ImgKind::JpegRgb,
                        },
                        Img {
                            data: fg,
                            width: m.fg.width(),
                            height: m.fg.height(),
                            kind: ImgKind::JpegRgb,
                        },
                        Img {
                            data: mask,
                            width: w,
                            height: h,
                            kind: ImgKind::G4Mask,
                        },
                    ],
                ))
            }
        },
        (img, PageClass::Grey) | (img @ PageImage::Luma(_), PageClass::Colour) => {
            let g = img.to_luma();
            Ok((
                PageEncoding::JpegGrey,
                vec![Img {
                    data: encode::jpeg(g.as_raw(), w, h, false, opts.grey_quality)?,
                    width: w,
                    height: h,
                    kind: ImgKind::JpegGray,
                }],
            ))
        }
        (img, PageClass::Bilevel) => {
            let bm = encode::binarize_grey(&img.to_luma());
            Ok((
                PageEncoding::G4,
                vec![Img {
                    data: encode::g4(&bm),
                    width: w,
                    height: h,
                    kind: ImgKind::G4Gray,
                }],
            ))
        }
    }
}

/// Writes one component's PDF from processed pages, in the given order.
pub fn write_pdf(
    pages: &[ProcessedPage],
    meta: &DocumentMeta,
    opts: &PdfOptions,
) -> Result<WrittenPdf, PdfError> {
    if pages.is_empty() {
        return Err(PdfError::NoPages);
    }
    check_field(&meta.ma_ho_so, "ma_ho_so")?;
    check_field(&meta.thu_tuc, "thu_tuc")?;
    check_field(&meta.thanh_phan, "thanh_phan")?;
    check_field(&meta.can_bo, "can_bo")?;
    for (i, p) in pages.iter().enumerate() {
        if p.dpi.is_nan() || p.dpi < pages::MIN_LEGAL_DPI {
            return Err(PdfError::DpiTooLow {
                page: i + 1,
                dpi: p.dpi,
            });
        }
    }
    let encoded: Vec<(PageEncoding, Vec<Img>)> = pages
        .iter()
        .map(|p| encode_page(p, opts))
        .collect::<Result<_, _>>()?;
    let page_digests: Vec<[u8; 32]> = encoded
        .iter()
        .map(|(_, imgs)| page_digest(&imgs.iter().map(|i| i.data.as_slice()).collect::<Vec<_>>()))
        .collect();

    let title = meta
        .title
        .clone()
        .unwrap_or_else(|| format!("{} – hồ sơ {}", meta.thanh_phan, meta.ma_ho_so));
    let subject = format!("Bản số hóa – {} – {}", meta.thu_tuc, meta.thanh_phan);
    let keywords = format!("mã hồ sơ {}; {}", meta.ma_ho_so, meta.thu_tuc);
    let producer = concat!("pdfdoc ", env!("CARGO_PKG_VERSION"));

    let catalog_id = Ref::new(1);
    let pages_id = Ref::new(2);
    let info_id = Ref::new(3);
    let meta_id = Ref::new(4);
    let icc_id = Ref::new(5);
    let mut next = 6;
    let mut alloc = || {
        let r = Ref::new(next);
        next += 1;
        r
    };
    let mut pdf = Pdf::new();
    pdf.set_binary_marker(b"\xE2\xE3\xCF\xD3");

    let mut page_ids = Vec::new();
    for (p, (_, imgs)) in pages.iter().zip(&encoded) {
        let page_id = alloc();
        let content_id = alloc();
        let img_ids: Vec<Ref> = imgs.iter().map(|_| alloc()).collect();
        page_ids.push(page_id);
        let (wpt, hpt) = p.size_pt();
        let mut content = Content::new();
        content
            .save_state()
            .transform([wpt, 0.0, 0.0, hpt, 0.0, 0.0]);
        // MRC: background, then foreground through its mask (3rd image, not drawn itself).
        let drawn = if imgs.len() == 3 { 2 } else { 1 };
        for i in 0..drawn {
            content.x_object(Name(format!("Im{i}").as_bytes()));
        }
        content.restore_state();
        let content = content.finish();
        pdf.stream(content_id, &content);
        let mut page = pdf.page(page_id);
        page.parent(pages_id)
            .media_box(Rect::new(0.0, 0.0, wpt, hpt))
            .contents(content_id);
        let mut res = page.resources();
        let mut xo = res.x_objects();
        for (i, id) in img_ids.iter().enumerate().take(drawn) {
            xo.pair(Name(format!("Im{i}").as_bytes()), *id);
        }
        xo.finish();
        res.finish();
        page.finish();
        for (i, (img, id)) in imgs.iter().zip(&img_ids).enumerate() {
            let mut x = pdf.image_xobject(*id, &img.data);
            x.width(img.width as i32).height(img.height as i32);
            match img.kind {
                ImgKind::JpegRgb => {
                    x.filter(Filter::DctDecode);
                    x.color_space().device_rgb();
                    x.bits_per_component(8);
                    if drawn == 2 && i == 1 {
                        x.pair(Name(b"Mask"), img_ids[2]);
                    }
                }
                ImgKind::JpegGray => {
                    x.filter(Filter::DctDecode);
                    x.color_space().device_gray();
                    x.bits_per_component(8);
                }
                ImgKind::G4Gray | ImgKind::G4Mask => {
                    if matches!(img.kind, ImgKind::G4Mask) {
                        x.image_mask(true);
                    } else {
                        x.color_space().device_gray();
                    }
                    x.bits_per_component(1).filter(Filter::CcittFaxDecode);
                    x.decode_parms()
                        .k(-1)
                        .columns(img.width as i32)
                        .rows(img.height as i32)
                        .black_is_1(false);
                }
            }
            x.finish();
        }
    }
    pdf.pages(pages_id)
        .kids(page_ids.iter().copied())
        .count(page_ids.len() as i32);

    let xmp = xmp::packet(&xmp::Fields {
        meta,
        title: title.clone(),
        subject: subject.clone(),
        keywords: keywords.clone(),
        creator_tool: &opts.creator_tool,
        producer,
        page_count: pages.len(),
        page_digests: page_digests.iter().map(|d| hex(d)).collect(),
        pdfa: opts.pdfa,
    });
    pdf.metadata(meta_id, xmp.as_bytes());

    let mut cat = pdf.catalog(catalog_id);
    cat.pages(pages_id).metadata(meta_id);
    if opts.pdfa {
        cat.output_intents()
            .push()
            .subtype(pdf_writer::types::OutputIntentSubtype::PDFA)
            .output_condition_identifier(TextStr("sRGB IEC61966-2.1"))
            .info(TextStr("sRGB IEC61966-2.1"))
            .dest_output_profile(icc_id);
    }
    cat.finish();
    if opts.pdfa {
        let icc = icc::srgb_profile();
        pdf.icc_profile(icc_id, &icc).n(3);
    }

    let date = pdf_date(&meta.created_at);
    let mut info = pdf.document_info(info_id);
    info.title(TextStr(&title))
        .author(TextStr(&meta.can_bo))
        .subject(TextStr(&subject))
        .keywords(TextStr(&keywords))
        .creator(TextStr(&opts.creator_tool))
        .producer(TextStr(producer))
        .creation_date(date)
        .modified_date(date);
    info.pair(Name(b"MaHoSo"), TextStr(&meta.ma_ho_so));
    info.pair(Name(b"ThuTuc"), TextStr(&meta.thu_tuc));
    info.pair(Name(b"ThanhPhan"), TextStr(&meta.thanh_phan));
    info.pair(Name(b"CanBoTiepNhan"), TextStr(&meta.can_bo));
    info.pair(
        Name(b"ThoiGianTiepNhan"),
        TextStr(&meta.received_at.to_rfc3339()),
    );
    info.finish();

    // File identifier: derived from the content, identical halves for an original file.
    let mut idh = Sha256::new();
    idh.update(xmp.as_bytes());
    page_digests.iter().for_each(|d| idh.update(d));
    let id: [u8; 32] = idh.finalize().into();
    pdf.set_file_id((id[..16].to_vec(), id[..16].to_vec()));

    let bytes = pdf.finish();
    let startxref = find_startxref(&bytes).unwrap_or(0);
    let sha256: [u8; 32] = Sha256::digest(&bytes).into();
    Ok(WrittenPdf {
        sha256,
        page_image_bytes: encoded
            .iter()
            .map(|(_, imgs)| imgs.iter().map(|i| i.data.len()).sum())
            .collect(),
        encodings: encoded.iter().map(|(e, _)| *e).collect(),
        page_digests,
        catalog_id: catalog_id.get(),
        info_id: info_id.get(),
        next_id: next,
        startxref,
        bytes,
    })
}

fn find_startxref(b: &[u8]) -> Option<usize> {
    let tail = &b[b.len().saturating_sub(64)..];
    let pos = tail.windows(9).rposition(|w| w == b"startxref")?;
    let s = std::str::from_utf8(&tail[pos + 9..]).ok()?;
    s.split_whitespace().next()?.parse().ok()
}
