//! DG2: the face image. `75 { 7F61 { 02 n, 7F60 { A1 header, 5F2E|7F2E block } ... } }`, the
//! block being an ISO/IEC 19794-5 facial record (`FAC\0`).

use serde::Serialize;

use crate::{dg_content, tlv, LdsError};

/// Image encoding, detected from the image's magic bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImageFormat {
    Jpeg,
    /// JP2 file or raw JPEG 2000 codestream.
    Jpeg2000,
    Unknown,
}

impl ImageFormat {
    /// Detects the format from magic bytes.
    pub fn detect(data: &[u8]) -> Self {
        if data.starts_with(&[0xFF, 0xD8, 0xFF]) {
            ImageFormat::Jpeg
        } else if data.starts_with(&[
            0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A,
        ]) || data.starts_with(&[0xFF, 0x4F, 0xFF, 0x51])
        {
            ImageFormat::Jpeg2000
        } else {
            ImageFormat::Unknown
        }
    }

    /// MIME type for the UI.
    pub fn mime(self) -> &'static str {
        match self {
            ImageFormat::Jpeg => "image/jpeg",
            ImageFormat::Jpeg2000 => "image/jp2",
            ImageFormat::Unknown => "application/octet-stream",
        }
    }
}

/// One face image from DG2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaceImage {
    pub format: ImageFormat,
    /// From the ISO 19794-5 image information (0 if not stated).
    pub width: u16,
    pub height: u16,
    /// The encoded image (JPEG / JPEG 2000 bytes).
    pub data: Vec<u8>,
}

const FAC_HEADER: usize = 14;
const FACIAL_INFO: usize = 20;
const FEATURE_POINT: usize = 8;
const IMAGE_INFO: usize = 12;

fn be16(b: &[u8], i: usize) -> Result<u16, LdsError> {
    b.get(i..i + 2)
        .map(|s| u16::from_be_bytes([s[0], s[1]]))
        .ok_or(LdsError::MalformedTlv("truncated ISO 19794-5 record"))
}

fn be32(b: &[u8], i: usize) -> Result<u32, LdsError> {
    b.get(i..i + 4)
        .map(|s| u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
        .ok_or(LdsError::MalformedTlv("truncated ISO 19794-5 record"))
}

/// Parses an ISO/IEC 19794-5:2005 facial record (`FAC\0 010\0 ...`) into its images.
pub fn parse_facial_record(block: &[u8]) -> Result<Vec<FaceImage>, LdsError> {
    if !block.starts_with(b"FAC\0") {
        return Err(LdsError::UnsupportedAlgorithm(
            "biometric data block is not an ISO/IEC 19794-5 facial record".into(),
        ));
    }
    let count = be16(block, 12)?;
    let mut pos = FAC_HEADER;
    let mut out = Vec::new();
    for _ in 0..count {
        let rec_len = be32(block, pos)? as usize;
        let rec_end = pos
            .checked_add(rec_len)
            .filter(|e| *e <= block.len() && rec_len >= FACIAL_INFO + IMAGE_INFO)
            .ok_or(LdsError::MalformedTlv("facial record length out of range"))?;
        let points = usize::from(be16(block, pos + 4)?);
        let img_info = pos + FACIAL_INFO + points * FEATURE_POINT;
        let img_start = img_info + IMAGE_INFO;
        if img_start > rec_end {
            return Err(LdsError::MalformedTlv(
                "facial record shorter than its headers",
            ));
        }
        let data = block[img_start..rec_end].to_vec();
        out.push(FaceImage {
            format: ImageFormat::detect(&data),
            width: be16(block, img_info + 2)?,
            height: be16(block, img_info + 4)?,
            data,
        });
        pos = rec_end;
    }
    if out.is_empty() {
        return Err(LdsError::Missing("face image in DG2"));
    }
    Ok(out)
}

/// Parses DG2 and returns every face image it holds (normally one).
pub fn parse_dg2(bytes: &[u8]) -> Result<Vec<FaceImage>, LdsError> {
    let inner = dg_content(2, bytes)?;
    let group = tlv::find(inner, 0x7F61)?
        .ok_or(LdsError::Missing("DG2 biometric information group (7F61)"))?;
    let mut faces = Vec::new();
    for t in tlv::iter(group.value) {
        let t = t?;
        if t.tag != 0x7F60 {
            continue;
        }
        let mut found = false;
        for e in tlv::iter(t.value) {
            let e = e?;
            match e.tag {
                0x5F2E => {
                    faces.extend(parse_facial_record(e.value)?);
                    found = true;
                }
                0x7F2E => {
                    // ISO/IEC 39794-5 (LDS 2 / extensible) encoding: not decoded yet.
                    return Err(LdsError::UnsupportedAlgorithm(
                        "ISO/IEC 39794-5 face data (7F2E) is not supported yet".into(),
                    ));
                }
                _ => {}
            }
        }
        if !found {
            return Err(LdsError::Missing("DG2 biometric data block (5F2E)"));
        }
    }
    if faces.is_empty() {
        return Err(LdsError::Missing(
            "DG2 biometric information template (7F60)",
        ));
    }
    Ok(faces)
}

/// Builds DG2 around one JPEG image (width/height read from the JPEG SOF marker when present).
pub fn build_dg2(jpeg: &[u8]) -> Result<Vec<u8>, LdsError> {
    let (w, h) = jpeg_size(jpeg).unwrap_or((0, 0));
    build_dg2_image(jpeg, w, h)
}

/// Builds DG2 around one JPEG or JPEG 2000 image of the given size.
pub fn build_dg2_image(image: &[u8], width: u16, height: u16) -> Result<Vec<u8>, LdsError> {
    let format = ImageFormat::detect(image);
    let data_type = match format {
        ImageFormat::Jpeg => 0u8,
        ImageFormat::Jpeg2000 => 1u8,
        ImageFormat::Unknown => {
            return Err(LdsError::InvalidInput(
                "image is neither JPEG nor JPEG 2000".into(),
            ))
        }
    };
    let rec_len = FACIAL_INFO + IMAGE_INFO + image.len();
    let total = FAC_HEADER + rec_len;
    let too_big = || LdsError::InvalidInput("image too large".into());
    let mut fac = Vec::with_capacity(total);
    fac.extend_from_slice(b"FAC\x00010\x00");
    fac.extend_from_slice(&u32::try_from(total).map_err(|_| too_big())?.to_be_bytes());
    fac.extend_from_slice(&1u16.to_be_bytes());
    // Facial information: length, 0 feature points, gender/eye/hair unspecified, no properties,
    // neutral expression, pose angles/uncertainty unspecified.
    fac.extend_from_slice(&u32::try_from(rec_len).map_err(|_| too_big())?.to_be_bytes());
    fac.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
    // Image information: full frontal, data type, size, colour space 24-bit RGB, source
    // unspecified, device 0, quality unspecified.
    fac.extend_from_slice(&[1, data_type]);
    fac.extend_from_slice(&width.to_be_bytes());
    fac.extend_from_slice(&height.to_be_bytes());
    fac.extend_from_slice(&[1, 0, 0, 0, 0, 0]);
    fac.extend_from_slice(image);

    // Biometric header template: ICAO header version, type = face, subtype none, format owner
    // 0x0101, format type 0x0008 (19794-5).
    let mut bht = tlv::encode(0x80, &[0x01, 0x01]);
    bht.extend(tlv::encode(0x81, &[0x02]));
    bht.extend(tlv::encode(0x87, &[0x01, 0x01]));
    bht.extend(tlv::encode(0x88, &[0x00, 0x08]));
    let mut bit = tlv::encode(0xA1, &bht);
    bit.extend(tlv::encode(0x5F2E, &fac));
    let mut group = tlv::encode(0x02, &[0x01]);
    group.extend(tlv::encode(0x7F60, &bit));
    Ok(tlv::encode(0x75, &tlv::encode(0x7F61, &group)))
}

/// Width/height from a JPEG's first SOFn marker.
fn jpeg_size(jpeg: &[u8]) -> Option<(u16, u16)> {
    let mut i = 2;
    while i + 9 < jpeg.len() {
        if jpeg[i] != 0xFF {
            return None;
        }
        let marker = jpeg[i + 1];
        let seg_len = usize::from(u16::from_be_bytes([jpeg[i + 2], jpeg[i + 3]]));
        if matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
            let h = u16::from_be_bytes([jpeg[i + 5], jpeg[i + 6]]);
            let w = u16::from_be_bytes([jpeg[i + 7], jpeg[i + 8]]);
            return Some((w, h));
        }
        i += 2 + seg_len;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fake_jpeg() -> Vec<u8> {
        // SOI, SOF0 (8-bit, 240×320, 3 components), filler, EOI: enough for the container.
        let mut j = vec![
            0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x11, 0x08, 0x01, 0x40, 0x00, 0xF0, 0x03,
        ];
        j.extend_from_slice(&[1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
        j.extend(std::iter::repeat_n(0x55u8, 400));
        j.extend_from_slice(&[0xFF, 0xD9]);
        j
    }

    #[test]
    fn round_trip_jpeg() {
        let jpeg = fake_jpeg();
        let dg2 = build_dg2(&jpeg).unwrap();
        assert_eq!(dg2[0], 0x75);
        let faces = parse_dg2(&dg2).unwrap();
        assert_eq!(faces.len(), 1);
        assert_eq!(faces[0].format, ImageFormat::Jpeg);
        assert_eq!((faces[0].width, faces[0].height), (240, 320));
        assert_eq!(faces[0].data, jpeg);
    }

    #[test]
    fn round_trip_jpeg2000() {
        let mut jp2 = vec![
            0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A,
        ];
        jp2.extend(std::iter::repeat_n(7u8, 50));
        let faces = parse_dg2(&build_dg2_image(&jp2, 10, 20).unwrap()).unwrap();
        assert_eq!(faces[0].format, ImageFormat::Jpeg2000);
        assert_eq!(faces[0].data, jp2);
    }

    #[test]
    fn rejects_garbage() {
        assert!(build_dg2(b"not an image").is_err());
        assert!(parse_dg2(&[0x75, 0x00]).is_err());
        let mut dg2 = build_dg2(&fake_jpeg()).unwrap();
        // Corrupt the FAC magic: find it through the structure, not by scanning.
        let pos = dg2.windows(4).position(|w| w == b"FAC\0").unwrap();
        dg2[pos] = b'X';
        assert!(parse_dg2(&dg2).is_err());
        assert!(parse_facial_record(b"FAC\x00010\x00\x00\x00\x00\x0e\x00\x01").is_err());
    }
}
