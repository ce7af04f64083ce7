//! PAdES signature of a digitized copy (bản số hóa) by the receiving agency.
//!
//! Rules (issue 6 §Rules, §3): the agency signs the electronic copy; the visible block sits at
//! the top right of page 1, has no image, and shows the copy type, the agency and the ISO-8601
//! time in Times New Roman 10 pt. Liberation Serif (SIL OFL 1.1, `assets/fonts/`), which has
//! the glyph widths of Times New Roman (not redistributable) and every Vietnamese letter, is
//! embedded as a subset with a ToUnicode map, so the block has Times New Roman's layout and the
//! Vietnamese agency name extracts exactly (pdftotext).
//!
//! Structure: the signature is appended as an incremental update ([`lopdf::IncrementalDocument`]),
//! so every byte of the original file stays as it was (the per-page image digests written by
//! `pdfdoc` keep verifying). The update holds a signature dictionary (`/Filter /Adobe.PPKLite`,
//! `/SubFilter /ETSI.CAdES.detached`, `/ByteRange`, `/Contents` placeholder of
//! [`CONTENTS_CAPACITY`] bytes, `/M`), a merged signature field + widget annotation on page 1
//! with its appearance stream (text only), the font objects, and the updated catalog
//! (`/AcroForm`, `/SigFlags 3`) and page 1 (`/Annots`).
//!
//! CMS: a detached `SignedData` (RustCrypto `cms` typed structs) over the ByteRange bytes with
//! SHA-256, signer identified by issuer and serial number, the signer certificate and its chain
//! embedded, signed attributes contentType (id-data), messageDigest, signingCertificateV2 (ESS,
//! RFC 5035) and, when [`SignOptions::cms_signing_time`] is set, signingTime. Note: ETSI EN
//! 319 142-1 (PAdES baseline B-B) puts the claimed signing time in `/M` and says the CMS
//! signing-time attribute shall not be present; set `cms_signing_time = false` for strict B-B.
//!
//! Keys come from a PKCS#12 file ([`SigningCredential::from_pkcs12`], `p12-keystore`): ECDSA
//! P-256 or RSA (PKCS#1 v1.5). [`verify`] checks a signed PDF: ByteRange covers the whole file
//! but the `/Contents` hole, messageDigest, signingCertificateV2, the signature, and optionally
//! that the signer certificate is issued by one of the given trust anchors.
//!
//! Pure code: no I/O, no clock (the caller gives the signing time).

#![warn(missing_docs)]

mod cms_build;
mod error;
mod font;

pub use cms_build::{build_cms, cms_der as cms_build_der, ExternalKey, SigningCredential};
pub use error::{ExternalKeyError, SignError};

use chrono::{DateTime, FixedOffset, SecondsFormat};
use lopdf::{
    dictionary, Dictionary, Document, IncrementalDocument, Object, ObjectId, StringFormat,
};
use sha2::{Digest, Sha256};

/// Bytes reserved for the DER CMS in `/Contents` (written as twice as many hex digits).
pub const CONTENTS_CAPACITY: usize = 16 * 1024;

/// Placeholder for the three unknown ByteRange numbers (10 digits each, patched in place).
const BR_PLACEHOLDER: i64 = 9_999_999_999;

/// What the visible block and the signature dictionary say.
#[derive(Debug, Clone)]
pub struct SignOptions {
    /// Copy type, first line (e.g. "Bản sao điện tử từ bản chính").
    pub copy_type: String,
    /// Agency name, second line (Vietnamese).
    pub agency: String,
    /// Signing time (third line in ISO 8601, `/M`, and the CMS signingTime).
    pub signing_time: DateTime<FixedOffset>,
    /// `/Reason` of the signature dictionary.
    pub reason: Option<String>,
    /// `/Location` of the signature dictionary.
    pub location: Option<String>,
    /// Put the signingTime attribute into the CMS signed attributes (see the crate docs).
    pub cms_signing_time: bool,
}

impl SignOptions {
    /// The three lines of the visible block.
    pub fn lines(&self) -> [String; 3] {
        [
            self.copy_type.clone(),
            self.agency.clone(),
            self.signing_time
                .to_rfc3339_opts(SecondsFormat::Secs, false),
        ]
    }
}

/// Result of [`sign_pdf`].
#[derive(Debug, Clone)]
pub struct SignedPdf {
    /// The signed file (original bytes followed by the incremental update).
    pub bytes: Vec<u8>,
    /// `/ByteRange` values.
    pub byte_range: [usize; 4],
    /// SHA-256 of the signed ranges (the CMS messageDigest).
    pub signed_digest: [u8; 32],
    /// Length of the DER CMS inside `/Contents`.
    pub cms_len: usize,
    /// Visible block rectangle on page 1 (x0, y0, x1, y1) in points.
    pub rect: [f32; 4],
}

/// Signs `pdf` (any non-encrypted PDF; in the app the output of `pdfdoc::write_pdf`).
pub fn sign_pdf(
    pdf: &[u8],
    cred: &SigningCredential,
    opts: &SignOptions,
) -> Result<SignedPdf, SignError> {
    for (name, v) in [("copy_type", &opts.copy_type), ("agency", &opts.agency)] {
        if v.trim().is_empty() || v.chars().any(char::is_control) {
            return Err(SignError::InvalidOption(name));
        }
    }
    let prev = Document::load_mem(pdf).map_err(|e| SignError::PdfParse(e.to_string()))?;
    if prev.is_encrypted() {
        return Err(SignError::PdfParse("encrypted PDF".into()));
    }
    let page_id = *prev
        .get_pages()
        .get(&1)
        .ok_or_else(|| SignError::PdfParse("no page 1".into()))?;
    let media = media_box(&prev, page_id)?;
    let catalog_id = prev
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .map_err(|_| SignError::PdfParse("no /Root".into()))?;

    let mut inc = IncrementalDocument::create_from(pdf.to_vec(), prev);

    // Font and appearance.
    let lines = opts.lines();
    let line_refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let sub = font::subset(&line_refs)?;
    let font_id = font::add_font(&mut inc.new_document, &sub);

    const SIZE: f32 = 10.0;
    const LEADING: f32 = 12.0;
    const PAD: f32 = 3.0;
    const MARGIN: f32 = 28.35; // 1 cm
    let width = lines
        .iter()
        .map(|l| sub.text_width(l, SIZE))
        .fold(0.0f32, f32::max)
        + 2.0 * PAD;
    let height = LEADING * lines.len() as f32 + 2.0 * PAD;
    let x1 = media[2] - MARGIN;
    let y1 = media[3] - MARGIN;
    let x0 = (x1 - width).max(media[0]);
    let y0 = (y1 - height).max(media[1]);
    let rect = [x0, y0, x1, y1];

    let mut content = pdf_writer::Content::new();
    content.begin_text();
    content.set_font(pdf_writer::Name(b"F1"), SIZE);
    for (i, l) in lines.iter().enumerate() {
        // Right-aligned lines, first baseline one ascent below the top.
        let w = sub.text_width(l, SIZE);
        let x = width - PAD - w;
        let y = height - PAD - 9.0 - LEADING * i as f32;
        content.set_text_matrix([1.0, 0.0, 0.0, 1.0, x, y]);
        content.show(pdf_writer::Str(&sub.encode(l)));
    }
    content.end_text();
    let ap = lopdf::Stream::new(
        dictionary! {
            "Type" => "XObject",
            "Subtype" => "Form",
            "BBox" => vec![0.into(), 0.into(), Object::Real(width), Object::Real(height)],
            "Resources" => dictionary! { "Font" => dictionary! { "F1" => font_id } },
        },
        content.finish().to_vec(),
    );
    let ap_id = inc.new_document.add_object(ap);

    // Signature dictionary with placeholders.
    let mut sig = dictionary! {
        "Type" => "Sig",
        "Filter" => "Adobe.PPKLite",
        "SubFilter" => "ETSI.CAdES.detached",
        "ByteRange" => vec![
            Object::Integer(0),
            Object::Integer(BR_PLACEHOLDER),
            Object::Integer(BR_PLACEHOLDER),
            Object::Integer(BR_PLACEHOLDER),
        ],
        "Contents" => Object::String(vec![0u8; CONTENTS_CAPACITY], StringFormat::Hexadecimal),
        "M" => Object::string_literal(pdf_date(&opts.signing_time)),
        "Name" => text_string(&opts.agency),
    };
    if let Some(r) = &opts.reason {
        sig.set("Reason", text_string(r));
    }
    if let Some(l) = &opts.location {
        sig.set("Location", text_string(l));
    }
    let sig_id = inc.new_document.add_object(sig);

    let widget = dictionary! {
        "Type" => "Annot",
        "Subtype" => "Widget",
        "FT" => "Sig",
        "T" => text_string("Chu ky co quan tiep nhan"),
        "V" => sig_id,
        "Rect" => rect.iter().map(|v| Object::Real(*v)).collect::<Vec<_>>(),
        "F" => 4,
        "P" => page_id,
        "AP" => dictionary! { "N" => ap_id },
    };
    let widget_id = inc.new_document.add_object(widget);

    // Page 1: /Annots.
    inc.opt_clone_object_to_new_document(page_id)
        .map_err(|e| SignError::PdfParse(e.to_string()))?;
    append_to_array(&mut inc, page_id, b"Annots", widget_id)?;

    // Catalog: /AcroForm with the field and /SigFlags 3.
    inc.opt_clone_object_to_new_document(catalog_id)
        .map_err(|e| SignError::PdfParse(e.to_string()))?;
    let acro = inc
        .new_document
        .get_object(catalog_id)
        .and_then(Object::as_dict)
        .map_err(|e| SignError::PdfParse(e.to_string()))?
        .get(b"AcroForm")
        .ok()
        .cloned();
    match acro {
        Some(Object::Reference(aid)) => {
            inc.opt_clone_object_to_new_document(aid)
                .map_err(|e| SignError::PdfParse(e.to_string()))?;
            append_to_array(&mut inc, aid, b"Fields", widget_id)?;
            dict_mut(&mut inc, aid)?.set("SigFlags", 3);
        }
        Some(Object::Dictionary(mut d)) => {
            let mut fields = d
                .get(b"Fields")
                .and_then(Object::as_array)
                .cloned()
                .unwrap_or_default();
            fields.push(widget_id.into());
            d.set("Fields", fields);
            d.set("SigFlags", 3);
            dict_mut(&mut inc, catalog_id)?.set("AcroForm", d);
        }
        _ => {
            dict_mut(&mut inc, catalog_id)?.set(
                "AcroForm",
                dictionary! { "Fields" => vec![widget_id.into()], "SigFlags" => 3 },
            );
        }
    }

    let mut out = Vec::with_capacity(pdf.len() + CONTENTS_CAPACITY * 2 + 64 * 1024);
    inc.save_to(&mut out)
        .map_err(|e| SignError::PdfWrite(e.to_string()))?;
    if out.len() < pdf.len() || out[..pdf.len()] != *pdf {
        return Err(SignError::PdfWrite("original bytes changed".into()));
    }

    // Locate and patch the placeholders (only in the appended part).
    let base = pdf.len();
    let mut hole = Vec::with_capacity(CONTENTS_CAPACITY * 2 + 2);
    hole.push(b'<');
    hole.resize(CONTENTS_CAPACITY * 2 + 1, b'0');
    hole.push(b'>');
    let c_start = base
        + find_unique(&out[base..], &hole)
            .ok_or_else(|| SignError::PdfWrite("/Contents placeholder not found".into()))?;
    let c_end = c_start + hole.len();
    let br_pat = format!("0 {BR_PLACEHOLDER} {BR_PLACEHOLDER} {BR_PLACEHOLDER}");
    let br_at = base
        + find_unique(&out[base..], br_pat.as_bytes())
            .ok_or_else(|| SignError::PdfWrite("/ByteRange placeholder not found".into()))?;
    let byte_range = [0, c_start, c_end, out.len() - c_end];
    let mut br_text = format!("0 {} {} {}", byte_range[1], byte_range[2], byte_range[3]);
    if br_text.len() > br_pat.len() {
        return Err(SignError::PdfWrite("file too large for /ByteRange".into()));
    }
    while br_text.len() < br_pat.len() {
        br_text.push(' ');
    }
    out[br_at..br_at + br_pat.len()].copy_from_slice(br_text.as_bytes());

    let mut h = Sha256::new();
    h.update(&out[..c_start]);
    h.update(&out[c_end..]);
    let signed_digest: [u8; 32] = h.finalize().into();

    let cms = build_cms(&signed_digest, cred, opts)?;
    if cms.len() > CONTENTS_CAPACITY {
        return Err(SignError::SignatureTooLarge {
            len: cms.len(),
            capacity: CONTENTS_CAPACITY,
        });
    }
    let hex = hex_upper(&cms);
    out[c_start + 1..c_start + 1 + hex.len()].copy_from_slice(hex.as_bytes());

    Ok(SignedPdf {
        bytes: out,
        byte_range,
        signed_digest,
        cms_len: cms.len(),
        rect,
    })
}

fn dict_mut(inc: &mut IncrementalDocument, id: ObjectId) -> Result<&mut Dictionary, SignError> {
    inc.new_document
        .get_object_mut(id)
        .and_then(Object::as_dict_mut)
        .map_err(|e| SignError::PdfParse(e.to_string()))
}

fn append_to_array(
    inc: &mut IncrementalDocument,
    holder: ObjectId,
    key: &[u8],
    item: ObjectId,
) -> Result<(), SignError> {
    let existing = dict_mut(inc, holder)?.get(key).ok().cloned();
    let mut arr = match existing {
        None => Vec::new(),
        Some(Object::Array(a)) => a,
        Some(Object::Reference(r)) => inc
            .get_prev_documents()
            .get_object(r)
            .and_then(Object::as_array)
            .cloned()
            .map_err(|e| SignError::PdfParse(e.to_string()))?,
        Some(_) => return Err(SignError::PdfParse("malformed array".into())),
    };
    arr.push(item.into());
    dict_mut(inc, holder)?.set(key.to_vec(), arr);
    Ok(())
}

fn media_box(doc: &Document, page: ObjectId) -> Result<[f32; 4], SignError> {
    let mut id = page;
    for _ in 0..32 {
        let d = doc
            .get_dictionary(id)
            .map_err(|e| SignError::PdfParse(e.to_string()))?;
        if let Ok(mb) = d.get(b"MediaBox") {
            let arr = match mb {
                Object::Reference(r) => doc
                    .get_object(*r)
                    .and_then(Object::as_array)
                    .map_err(|e| SignError::PdfParse(e.to_string()))?,
                o => o
                    .as_array()
                    .map_err(|e| SignError::PdfParse(e.to_string()))?,
            };
            let v: Vec<f32> = arr.iter().filter_map(|o| o.as_float().ok()).collect();
            if v.len() == 4 {
                return Ok([v[0], v[1], v[2], v[3]]);
            }
            return Err(SignError::PdfParse("malformed /MediaBox".into()));
        }
        id = d
            .get(b"Parent")
            .and_then(Object::as_reference)
            .map_err(|_| SignError::PdfParse("no /MediaBox".into()))?;
    }
    Err(SignError::PdfParse("page tree too deep".into()))
}

fn find_unique(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let mut it = hay
        .windows(needle.len())
        .enumerate()
        .filter(|(_, w)| *w == needle);
    let first = it.next()?.0;
    if it.next().is_some() {
        return None;
    }
    Some(first)
}

fn hex_upper(d: &[u8]) -> String {
    d.iter().map(|b| format!("{b:02X}")).collect()
}

/// PDF text string: PDFDocEncoding-compatible ASCII as is, otherwise UTF-16BE with BOM.
fn text_string(s: &str) -> Object {
    if s.is_ascii() {
        Object::string_literal(s)
    } else {
        let mut b = vec![0xFE, 0xFF];
        for u in s.encode_utf16() {
            b.extend_from_slice(&u.to_be_bytes());
        }
        Object::String(b, StringFormat::Literal)
    }
}

fn pdf_date(d: &DateTime<FixedOffset>) -> String {
    let off = d.offset().local_minus_utc() / 60;
    let sign = if off < 0 { '-' } else { '+' };
    format!(
        "D:{}{sign}{:02}'{:02}'",
        d.format("%Y%m%d%H%M%S"),
        off.abs() / 60,
        off.abs() % 60
    )
}

/// What [`verify`] found.
#[derive(Debug, Clone)]
pub struct Verified {
    /// Signer certificate subject (RFC 4514 string).
    pub signer_subject: String,
    /// `/ByteRange`.
    pub byte_range: [usize; 4],
    /// The ByteRange covers the whole file except the `/Contents` hole.
    pub covers_whole_file: bool,
    /// The signer certificate chains to one of the trust anchors given.
    pub trusted: bool,
    /// `/SubFilter` value.
    pub sub_filter: String,
}

/// Verifies the last signature of `pdf`: ByteRange shape, messageDigest over the ranges,
/// signingCertificateV2, the signature with the embedded signer certificate, and whether that
/// certificate is issued (signature checked) by one of `trust_anchors_der`.
pub fn verify(pdf: &[u8], trust_anchors_der: &[Vec<u8>]) -> Result<Verified, SignError> {
    let doc = Document::load_mem(pdf).map_err(|e| SignError::PdfParse(e.to_string()))?;
    let mut found: Option<(Vec<i64>, Vec<u8>, String)> = None;
    for obj in doc.objects.values() {
        let Ok(d) = obj.as_dict() else { continue };
        if d.get(b"Type").and_then(Object::as_name).ok() != Some(b"Sig".as_slice()) {
            continue;
        }
        let br: Vec<i64> = d
            .get(b"ByteRange")
            .and_then(Object::as_array)
            .map_err(|_| SignError::Verify("no /ByteRange".into()))?
            .iter()
            .filter_map(|o| o.as_i64().ok())
            .collect();
        let contents = d
            .get(b"Contents")
            .and_then(Object::as_str)
            .map_err(|_| SignError::Verify("no /Contents".into()))?
            .to_vec();
        let sf = d
            .get(b"SubFilter")
            .and_then(Object::as_name)
            .map(|n| String::from_utf8_lossy(n).into_owned())
            .unwrap_or_default();
        let later = found.as_ref().is_none_or(|(b, _, _)| br.get(1) > b.get(1));
        if later {
            found = Some((br, contents, sf));
        }
    }
    let (br, contents, sub_filter) = found.ok_or(SignError::NotSigned)?;
    if br.len() != 4 || br.iter().any(|v| *v < 0) {
        return Err(SignError::Verify("malformed /ByteRange".into()));
    }
    let b: Vec<usize> = br.iter().map(|v| *v as usize).collect();
    let byte_range = [b[0], b[1], b[2], b[3]];
    if b[0] + b[1] > pdf.len() || b[2] + b[3] > pdf.len() || b[1] > b[2] {
        return Err(SignError::Verify("/ByteRange outside the file".into()));
    }
    let covers_whole_file = b[0] == 0
        && b[2] + b[3] == pdf.len()
        && pdf.get(b[1]) == Some(&b'<')
        && pdf.get(b[2] - 1) == Some(&b'>');
    let mut h = Sha256::new();
    h.update(&pdf[b[0]..b[0] + b[1]]);
    h.update(&pdf[b[2]..b[2] + b[3]]);
    let digest: [u8; 32] = h.finalize().into();
    let signer = cms_build::verify_cms(&contents, &digest, trust_anchors_der)?;
    Ok(Verified {
        signer_subject: signer.0,
        byte_range,
        covers_whole_file,
        trusted: signer.1,
        sub_filter,
    })
}
