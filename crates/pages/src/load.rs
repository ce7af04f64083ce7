//! Loading scanner output: JPEG, PNG and (multi-page) TIFF, with the resolution each file
//! records (JFIF density, PNG `pHYs`, TIFF `XResolution`/`ResolutionUnit`).

use crate::{PageError, PageImage, RawPage, MAX_PIXELS};
use image::{DynamicImage, ImageFormat};
use std::io::Cursor;

/// Image container detected from the first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceFormat {
    /// JPEG (JFIF/EXIF).
    Jpeg,
    /// PNG.
    Png,
    /// TIFF, possibly multi-page.
    Tiff,
}

/// Detects the format from magic bytes.
pub fn detect_format(bytes: &[u8]) -> Result<SourceFormat, PageError> {
    if bytes.is_empty() {
        return Err(PageError::Empty);
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Ok(SourceFormat::Jpeg)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Ok(SourceFormat::Png)
    } else if bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") {
        Ok(SourceFormat::Tiff)
    } else {
        Err(PageError::UnsupportedFormat)
    }
}

/// Loads every page of a scanner file, in file order. `fallback_dpi` is used when the file
/// records no resolution (many scanners do record it; SANE frames never do).
pub fn load_pages(bytes: &[u8], fallback_dpi: Option<f32>) -> Result<Vec<RawPage>, PageError> {
    match detect_format(bytes)? {
        SourceFormat::Jpeg => {
            // Decoders fill a truncated scan with grey; a transfer cut short must not pass.
            let end = bytes.iter().rposition(|&b| b != 0).unwrap_or(0);
            if end < 1 || bytes[end - 1..=end] != [0xFF, 0xD9] {
                return Err(PageError::Corrupt {
                    format: "JPEG",
                    detail: "truncated: no end-of-image marker".into(),
                });
            }
            let img = decode_with(bytes, ImageFormat::Jpeg, "JPEG")?;
            let dpi = jfif_dpi(bytes).or(fallback_dpi).ok_or(PageError::NoDpi)?;
            Ok(vec![RawPage::new(img, dpi)?])
        }
        SourceFormat::Png => {
            let img = decode_with(bytes, ImageFormat::Png, "PNG")?;
            let dpi = png_dpi(bytes).or(fallback_dpi).ok_or(PageError::NoDpi)?;
            Ok(vec![RawPage::new(img, dpi)?])
        }
        SourceFormat::Tiff => load_tiff(bytes, fallback_dpi),
    }
}

fn decode_with(
    bytes: &[u8],
    format: ImageFormat,
    name: &'static str,
) -> Result<PageImage, PageError> {
    let mut reader = image::ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(MAX_PIXELS * 3 + (64 << 20));
    reader.limits(limits);
    let img = reader.decode().map_err(|e| PageError::Corrupt {
        format: name,
        detail: e.to_string(),
    })?;
    Ok(match img {
        DynamicImage::ImageLuma8(g) => PageImage::Luma(g),
        DynamicImage::ImageRgb8(c) => PageImage::Rgb(c),
        DynamicImage::ImageLuma16(_)
        | DynamicImage::ImageLumaA8(_)
        | DynamicImage::ImageLumaA16(_) => PageImage::Luma(img.to_luma8()),
        other => PageImage::Rgb(other.to_rgb8()),
    })
}

/// JFIF APP0 density (units 1 = dots per inch, 2 = dots per cm).
fn jfif_dpi(b: &[u8]) -> Option<f32> {
    let mut i = 2;
    while i + 4 <= b.len() && b[i] == 0xFF {
        let marker = b[i + 1];
        let len = u16::from_be_bytes([b[i + 2], b[i + 3]]) as usize;
        if marker == 0xE0 && i + 2 + len <= b.len() && len >= 14 && &b[i + 4..i + 9] == b"JFIF\0" {
            let units = b[i + 11];
            let xd = u16::from_be_bytes([b[i + 12], b[i + 13]]) as f32;
            return match units {
                1 if xd > 0.0 => Some(xd),
                2 if xd > 0.0 => Some(xd * 2.54),
                _ => None,
            };
        }
        if marker == 0xDA || len < 2 {
            break;
        }
        i += 2 + len;
    }
    None
}

/// PNG `pHYs` chunk (unit 1 = metre).
fn png_dpi(b: &[u8]) -> Option<f32> {
    let mut i = 8;
    while i + 12 <= b.len() {
        let len = u32::from_be_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]) as usize;
        let kind = &b[i + 4..i + 8];
        if kind == b"pHYs" && len == 9 && i + 17 <= b.len() {
            let ppm = u32::from_be_bytes([b[i + 8], b[i + 9], b[i + 10], b[i + 11]]) as f32;
            return (b[i + 16] == 1 && ppm > 0.0).then_some(ppm * 0.0254);
        }
        if kind == b"IDAT" || kind == b"IEND" {
            break;
        }
        i = i.checked_add(12 + len)?;
    }
    None
}

fn tiff_err(e: tiff::TiffError) -> PageError {
    match e {
        tiff::TiffError::UnsupportedError(u) => PageError::UnsupportedLayout(u.to_string()),
        other => PageError::Corrupt {
            format: "TIFF",
            detail: other.to_string(),
        },
    }
}

fn load_tiff(bytes: &[u8], fallback_dpi: Option<f32>) -> Result<Vec<RawPage>, PageError> {
    use tiff::decoder::{Decoder, DecodingResult};
    use tiff::tags::Tag;
    use tiff::ColorType;
    let mut dec = Decoder::new(Cursor::new(bytes)).map_err(tiff_err)?;
    let mut out = Vec::new();
    loop {
        let (w, h) = dec.dimensions().map_err(tiff_err)?;
        check_size(w, h)?;
        let ct = dec.colortype().map_err(tiff_err)?;
        let photometric = dec
            .find_tag_unsigned::<u16>(Tag::PhotometricInterpretation)
            .map_err(tiff_err)?;
        let white_is_zero = photometric == Some(0);
        let dpi = tiff_dpi(&mut dec)
            .or(fallback_dpi)
            .ok_or(PageError::NoDpi)?;
        let data = dec.read_image().map_err(tiff_err)?;
        let n = w as usize * h as usize;
        let img = match (ct, data) {
            (ColorType::Gray(8), DecodingResult::U8(v)) if v.len() >= n => {
                let mut v = v;
                v.truncate(n);
                if white_is_zero {
                    v.iter_mut().for_each(|p| *p = 255 - *p);
                }
                PageImage::Luma(image::GrayImage::from_raw(w, h, v).ok_or_else(short_tiff)?)
            }
            (ColorType::Gray(1), DecodingResult::U8(v)) => {
                let stride = (w as usize).div_ceil(8);
                if v.len() < stride * h as usize {
                    return Err(short_tiff());
                }
                let mut g = image::GrayImage::new(w, h);
                for (y, row) in g.rows_mut().enumerate() {
                    for (x, p) in row.enumerate() {
                        let bit = (v[y * stride + x / 8] >> (7 - (x % 8))) & 1;
                        let white = (bit == 1) != white_is_zero;
                        p.0[0] = if white { 255 } else { 0 };
                    }
                }
                PageImage::Luma(g)
            }
            (ColorType::Gray(16), DecodingResult::U16(v)) if v.len() >= n => {
                let v8 = v[..n].iter().map(|&p| {
                    let p = (p >> 8) as u8;
                    if white_is_zero {
                        255 - p
                    } else {
                        p
                    }
                });
                PageImage::Luma(
                    image::GrayImage::from_raw(w, h, v8.collect()).ok_or_else(short_tiff)?,
                )
            }
            (ColorType::RGB(8), DecodingResult::U8(v)) if v.len() >= n * 3 => {
                let mut v = v;
                v.truncate(n * 3);
                PageImage::Rgb(image::RgbImage::from_raw(w, h, v).ok_or_else(short_tiff)?)
            }
            (ColorType::RGBA(8), DecodingResult::U8(v)) if v.len() >= n * 4 => {
                let rgb: Vec<u8> = v
                    .chunks_exact(4)
                    .take(n)
                    .flat_map(|p| [p[0], p[1], p[2]])
                    .collect();
                PageImage::Rgb(image::RgbImage::from_raw(w, h, rgb).ok_or_else(short_tiff)?)
            }
            (ColorType::RGB(16), DecodingResult::U16(v)) if v.len() >= n * 3 => {
                let rgb: Vec<u8> = v[..n * 3].iter().map(|&p| (p >> 8) as u8).collect();
                PageImage::Rgb(image::RgbImage::from_raw(w, h, rgb).ok_or_else(short_tiff)?)
            }
            (ct, _) => return Err(PageError::UnsupportedLayout(format!("{ct:?}"))),
        };
        out.push(RawPage::new(img, dpi)?);
        if !dec.more_images() {
            break;
        }
        dec.next_image().map_err(tiff_err)?;
    }
    Ok(out)
}

fn short_tiff() -> PageError {
    PageError::Corrupt {
        format: "TIFF",
        detail: "strip data shorter than the image".into(),
    }
}

fn tiff_dpi<R: std::io::Read + std::io::Seek>(dec: &mut tiff::decoder::Decoder<R>) -> Option<f32> {
    use tiff::decoder::ifd::Value;
    use tiff::tags::Tag;
    let x = match dec.find_tag(Tag::XResolution).ok()?? {
        Value::Rational(n, d) if d != 0 => n as f32 / d as f32,
        Value::Short(v) => v as f32,
        Value::Unsigned(v) => v as f32,
        _ => return None,
    };
    let unit = dec
        .find_tag_unsigned::<u16>(Tag::ResolutionUnit)
        .ok()
        .flatten()
        .unwrap_or(2);
    match unit {
        2 if x > 0.0 => Some(x),
        3 if x > 0.0 => Some(x * 2.54),
        _ => None,
    }
}

pub(crate) fn check_size(w: u32, h: u32) -> Result<(), PageError> {
    if w == 0 || h == 0 || (w as u64) * (h as u64) > MAX_PIXELS {
        return Err(PageError::BadSize {
            width: w,
            height: h,
        });
    }
    Ok(())
}
