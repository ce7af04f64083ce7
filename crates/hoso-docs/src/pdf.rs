//! Serializes laid-out pages to PDF 1.7 with `pdf-writer`: one Type0/CIDFontType2 font per face
//! used, subset with `subsetter` (glyphs renumbered; CIDToGIDMap Identity), widths and a
//! ToUnicode CMap so text extraction (pdftotext, screen readers, search) gives the exact
//! Unicode text back.

use crate::font::{FontId, Fonts};
use crate::layout::Op;
use crate::DocError;
use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use subsetter::GlyphRemapper;

const SYSTEM_INFO: SystemInfo = SystemInfo { registry: Str(b"Adobe"), ordering: Str(b"Identity"), supplement: 0 };

pub(crate) fn write_pdf(
    fonts: &Fonts,
    pages: &[Vec<Op>],
    page_w: f32,
    page_h: f32,
    title: &str,
) -> Result<Vec<u8>, DocError> {
    // Pass 1: glyph remapping per face (gid 0 first), and the chars each new gid stands for.
    let mut remap: Vec<GlyphRemapper> = FontId::ALL.iter().map(|_| GlyphRemapper::new()).collect();
    let mut used = [false; 3];
    let mut to_uni: Vec<Vec<(u16, char)>> = vec![Vec::new(); 3];
    for r in remap.iter_mut() {
        r.remap(0);
    }
    let mut contents = Vec::with_capacity(pages.len());
    for ops in pages {
        let mut c = Content::new();
        for op in ops {
            match op {
                Op::Text { font, size, x, y, text } => {
                    let fi = font.index();
                    used[fi] = true;
                    let mut bytes = Vec::with_capacity(text.len() * 2);
                    for ch in text.chars() {
                        let g = fonts.glyph(*font, ch)?;
                        let new = remap[fi].remap(g.0);
                        if !to_uni[fi].iter().any(|(n, _)| *n == new) {
                            to_uni[fi].push((new, ch));
                        }
                        bytes.extend_from_slice(&new.to_be_bytes());
                    }
                    c.begin_text();
                    c.set_font(Name(font_res_name(*font).as_bytes()), *size);
                    c.next_line(*x, *y);
                    c.show(Str(&bytes));
                    c.end_text();
                }
                Op::Line { x1, y1, x2, y2, width } => {
                    c.set_line_width(*width);
                    c.move_to(*x1, *y1);
                    c.line_to(*x2, *y2);
                    c.stroke();
                }
                Op::Fill { x, y, w, h } => {
                    c.rect(*x, *y, *w, *h);
                    c.fill_nonzero();
                }
            }
        }
        contents.push(c.finish());
    }

    let mut pdf = Pdf::new();
    let mut next = 1;
    let mut alloc = || {
        let r = Ref::new(next);
        next += 1;
        r
    };
    let catalog_id = alloc();
    let pages_id = alloc();
    let info_id = alloc();
    let font_ids: Vec<Ref> = FontId::ALL.iter().map(|_| alloc()).collect();
    let page_ids: Vec<Ref> = pages.iter().map(|_| alloc()).collect();
    let content_ids: Vec<Ref> = pages.iter().map(|_| alloc()).collect();

    pdf.catalog(catalog_id).pages(pages_id);
    pdf.pages(pages_id).kids(page_ids.iter().copied()).count(page_ids.len() as i32);
    pdf.document_info(info_id)
        .title(TextStr(title))
        .producer(TextStr("Một Cửa Desk (hoso-docs)"));

    for (i, (pid, cid)) in page_ids.iter().zip(&content_ids).enumerate() {
        let mut page = pdf.page(*pid);
        page.media_box(Rect::new(0.0, 0.0, page_w, page_h)).parent(pages_id).contents(*cid);
        let mut res = page.resources();
        let mut fr = res.fonts();
        for f in FontId::ALL {
            if used[f.index()] {
                fr.pair(Name(font_res_name(f).as_bytes()), font_ids[f.index()]);
            }
        }
        fr.finish();
        res.finish();
        page.finish();
        pdf.stream(*cid, &deflate(&contents[i])).filter(Filter::FlateDecode);
    }

    for f in FontId::ALL {
        let fi = f.index();
        if !used[fi] {
            continue;
        }
        let face = fonts.face(f);
        let type0 = font_ids[fi];
        let cid_ref = alloc();
        let desc_ref = alloc();
        let file_ref = alloc();
        let cmap_ref = alloc();
        let tag = subset_tag(&remap[fi], fi);
        let base = format!("{tag}+{}", f.postscript_name());

        pdf.type0_font(type0)
            .base_font(Name(base.as_bytes()))
            .encoding_predefined(Name(b"Identity-H"))
            .descendant_font(cid_ref)
            .to_unicode(cmap_ref);

        let widths: Vec<f32> = remap[fi]
            .remapped_gids()
            .map(|old| fonts.advance_1000(f, ttf_parser::GlyphId(old)))
            .collect();
        let mut cid = pdf.cid_font(cid_ref);
        cid.subtype(CidFontType::Type2)
            .base_font(Name(base.as_bytes()))
            .system_info(SYSTEM_INFO)
            .font_descriptor(desc_ref)
            .default_width(0.0)
            .cid_to_gid_map_predefined(Name(b"Identity"));
        cid.widths().consecutive(0, widths);
        cid.finish();

        let upem = face.units_per_em() as f32;
        let s = |v: i16| v as f32 * 1000.0 / upem;
        let bb = face.global_bounding_box();
        let mut flags = FontFlags::SERIF | FontFlags::NON_SYMBOLIC;
        if f == FontId::Italic {
            flags |= FontFlags::ITALIC;
        }
        pdf.font_descriptor(desc_ref)
            .name(Name(base.as_bytes()))
            .flags(flags)
            .bbox(Rect::new(s(bb.x_min), s(bb.y_min), s(bb.x_max), s(bb.y_max)))
            .italic_angle(face.italic_angle())
            .ascent(s(face.ascender()))
            .descent(s(face.descender()))
            .cap_height(s(face.capital_height().unwrap_or(face.ascender())))
            .stem_v(if f == FontId::Bold { 140.0 } else { 80.0 })
            .font_file2(file_ref);

        let data = subsetter::subset(f.data(), 0, &remap[fi]).map_err(|e| DocError::Font(format!("subset: {e}")))?;
        pdf.stream(file_ref, &deflate(&data))
            .filter(Filter::FlateDecode)
            .pair(Name(b"Length1"), data.len() as i32);

        let mut cmap = UnicodeCmap::new(Name(b"Custom"), SYSTEM_INFO);
        for (g, ch) in &to_uni[fi] {
            cmap.pair(*g, *ch);
        }
        pdf.stream(cmap_ref, &deflate(cmap.finish().as_slice())).filter(Filter::FlateDecode);
    }
    Ok(pdf.finish())
}

fn deflate(data: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(data, 6)
}

fn font_res_name(f: FontId) -> &'static str {
    match f {
        FontId::Regular => "F1",
        FontId::Bold => "F2",
        FontId::Italic => "F3",
    }
}

/// Six upper-case letters derived from the glyph set (PDF subset naming convention).
fn subset_tag(r: &GlyphRemapper, salt: usize) -> String {
    let mut h: u32 = 2166136261 ^ salt as u32;
    for g in r.remapped_gids() {
        h = (h ^ g as u32).wrapping_mul(16777619);
    }
    (0..6)
        .map(|i| (b'A' + ((h >> (i * 5)) % 26) as u8) as char)
        .collect()
}
