//! The embedded Noto Serif faces (SIL OFL 1.1, see `assets/fonts/README.md`) and text metrics.

use crate::DocError;
use std::sync::OnceLock;
use ttf_parser::{Face, GlyphId};

pub(crate) const REGULAR_TTF: &[u8] = include_bytes!("../../../assets/fonts/NotoSerif-Regular.ttf");
pub(crate) const BOLD_TTF: &[u8] = include_bytes!("../../../assets/fonts/NotoSerif-Bold.ttf");
pub(crate) const ITALIC_TTF: &[u8] = include_bytes!("../../../assets/fonts/NotoSerif-Italic.ttf");

/// Which face a run of text uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum FontId {
    Regular,
    Bold,
    Italic,
}

impl FontId {
    pub(crate) const ALL: [FontId; 3] = [FontId::Regular, FontId::Bold, FontId::Italic];
    pub(crate) fn index(self) -> usize {
        self as usize
    }
    pub(crate) fn data(self) -> &'static [u8] {
        match self {
            FontId::Regular => REGULAR_TTF,
            FontId::Bold => BOLD_TTF,
            FontId::Italic => ITALIC_TTF,
        }
    }
    pub(crate) fn postscript_name(self) -> &'static str {
        match self {
            FontId::Regular => "NotoSerif-Regular",
            FontId::Bold => "NotoSerif-Bold",
            FontId::Italic => "NotoSerif-Italic",
        }
    }
}

pub(crate) struct Fonts {
    faces: [Face<'static>; 3],
}

/// The parsed faces (parsed once per process).
pub(crate) fn fonts() -> Result<&'static Fonts, DocError> {
    static FONTS: OnceLock<Option<Fonts>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let r = Face::parse(REGULAR_TTF, 0).ok()?;
            let b = Face::parse(BOLD_TTF, 0).ok()?;
            let i = Face::parse(ITALIC_TTF, 0).ok()?;
            Some(Fonts { faces: [r, b, i] })
        })
        .as_ref()
        .ok_or(DocError::Font("embedded Noto Serif could not be parsed".into()))
}

impl Fonts {
    pub(crate) fn face(&self, f: FontId) -> &Face<'static> {
        &self.faces[f.index()]
    }

    /// Glyph of a character; control characters and unmapped characters are an error.
    pub(crate) fn glyph(&self, f: FontId, ch: char) -> Result<GlyphId, DocError> {
        self.face(f).glyph_index(ch).ok_or(DocError::UnsupportedChar { ch })
    }

    /// Advance of a glyph in text space units (1/1000 em).
    pub(crate) fn advance_1000(&self, f: FontId, g: GlyphId) -> f32 {
        let face = self.face(f);
        let upem = face.units_per_em() as f32;
        face.glyph_hor_advance(g).unwrap_or(0) as f32 * 1000.0 / upem
    }

    /// Width of `text` at `size` points.
    pub(crate) fn width(&self, f: FontId, size: f32, text: &str) -> Result<f32, DocError> {
        let mut w = 0.0;
        for ch in text.chars() {
            w += self.advance_1000(f, self.glyph(f, ch)?);
        }
        Ok(w * size / 1000.0)
    }
}
