//! Liberation Serif (metric-compatible with Times New Roman) subset as a Type0 / CIDFontType2 font (Identity-H, CIDToGIDMap Identity,
//! widths, ToUnicode), for the visible block.

use std::collections::BTreeMap;

use lopdf::{dictionary, Document, Object, ObjectId, Stream, StringFormat};
use pdf_writer::types::{SystemInfo, UnicodeCmap};
use pdf_writer::{Name, Str};
use subsetter::GlyphRemapper;

use crate::SignError;

const REGULAR_TTF: &[u8] = include_bytes!("../../../assets/fonts/LiberationSerif-Regular.ttf");

pub(crate) struct Subset {
    data: Vec<u8>,
    /// char → new glyph id.
    map: BTreeMap<char, u16>,
    /// new gid → width in 1/1000 em.
    widths: Vec<f32>,
    bbox: [f32; 4],
    ascent: f32,
    descent: f32,
    cap_height: f32,
}

impl Subset {
    pub(crate) fn text_width(&self, s: &str, size: f32) -> f32 {
        s.chars()
            .filter_map(|c| self.map.get(&c))
            .map(|g| self.widths[*g as usize])
            .sum::<f32>()
            * size
            / 1000.0
    }
    pub(crate) fn encode(&self, s: &str) -> Vec<u8> {
        s.chars()
            .filter_map(|c| self.map.get(&c))
            .flat_map(|g| g.to_be_bytes())
            .collect()
    }
}

pub(crate) fn subset(lines: &[&str]) -> Result<Subset, SignError> {
    let face =
        ttf_parser::Face::parse(REGULAR_TTF, 0).map_err(|e| SignError::Font(e.to_string()))?;
    let upem = f32::from(face.units_per_em());
    let s = |v: i16| f32::from(v) * 1000.0 / upem;
    let mut remap = GlyphRemapper::new();
    remap.remap(0);
    let mut map = BTreeMap::new();
    let mut old_of_new: BTreeMap<u16, u16> = BTreeMap::new();
    old_of_new.insert(0, 0);
    for c in lines.iter().flat_map(|l| l.chars()) {
        let g = face.glyph_index(c).ok_or(SignError::MissingGlyph(c))?;
        let n = remap.remap(g.0);
        map.insert(c, n);
        old_of_new.insert(n, g.0);
    }
    let widths = old_of_new
        .values()
        .map(|old| {
            f32::from(
                face.glyph_hor_advance(ttf_parser::GlyphId(*old))
                    .unwrap_or(0),
            ) * 1000.0
                / upem
        })
        .collect();
    let data =
        subsetter::subset(REGULAR_TTF, 0, &remap).map_err(|e| SignError::Font(e.to_string()))?;
    let bb = face.global_bounding_box();
    Ok(Subset {
        data,
        map,
        widths,
        bbox: [s(bb.x_min), s(bb.y_min), s(bb.x_max), s(bb.y_max)],
        ascent: s(face.ascender()),
        descent: s(face.descender()),
        cap_height: s(face.capital_height().unwrap_or(face.ascender())),
    })
}

fn deflate(d: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(d, 6)
}

/// Adds the font objects; returns the Type0 font's id.
pub(crate) fn add_font(doc: &mut Document, sub: &Subset) -> ObjectId {
    // Subset tag from the glyph set (six capitals, PDF 32000 9.6.4).
    let mut tag = String::new();
    let mut h: u32 = 2166136261;
    for b in sub.map.values().flat_map(|g| g.to_be_bytes()) {
        h = (h ^ u32::from(b)).wrapping_mul(16777619);
    }
    for _ in 0..6 {
        tag.push(char::from(b'A' + (h % 26) as u8));
        h /= 26;
    }
    let base = format!("{tag}+LiberationSerif");

    let file = Stream::new(
        dictionary! { "Length1" => sub.data.len() as i64, "Filter" => "FlateDecode" },
        deflate(&sub.data),
    );
    let file_id = doc.add_object(file);
    let desc = dictionary! {
        "Type" => "FontDescriptor",
        "FontName" => Object::Name(base.clone().into_bytes()),
        "Flags" => 2 + 32, // serif, non-symbolic
        "FontBBox" => sub.bbox.iter().map(|v| Object::Real(*v)).collect::<Vec<_>>(),
        "ItalicAngle" => 0,
        "Ascent" => Object::Real(sub.ascent),
        "Descent" => Object::Real(sub.descent),
        "CapHeight" => Object::Real(sub.cap_height),
        "StemV" => 80,
        "FontFile2" => file_id,
    };
    let desc_id = doc.add_object(desc);
    let cid = dictionary! {
        "Type" => "Font",
        "Subtype" => "CIDFontType2",
        "BaseFont" => Object::Name(base.clone().into_bytes()),
        "CIDSystemInfo" => dictionary! {
            "Registry" => Object::String(b"Adobe".to_vec(), StringFormat::Literal),
            "Ordering" => Object::String(b"Identity".to_vec(), StringFormat::Literal),
            "Supplement" => 0,
        },
        "FontDescriptor" => desc_id,
        "DW" => 1000,
        "W" => vec![0.into(), Object::Array(sub.widths.iter().map(|w| Object::Real(*w)).collect())],
        "CIDToGIDMap" => "Identity",
    };
    let cid_id = doc.add_object(cid);

    let mut cmap = UnicodeCmap::new(
        Name(b"Custom"),
        SystemInfo {
            registry: Str(b"Adobe"),
            ordering: Str(b"Identity"),
            supplement: 0,
        },
    );
    for (c, g) in &sub.map {
        cmap.pair(*g, *c);
    }
    let cmap_bytes = cmap.finish();
    let tu = Stream::new(
        dictionary! { "Filter" => "FlateDecode" },
        deflate(cmap_bytes.as_slice()),
    );
    let tu_id = doc.add_object(tu);
    doc.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "Type0",
        "BaseFont" => Object::Name(base.into_bytes()),
        "Encoding" => "Identity-H",
        "DescendantFonts" => vec![cid_id.into()],
        "ToUnicode" => tu_id,
    })
}
