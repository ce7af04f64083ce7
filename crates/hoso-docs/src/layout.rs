//! A tiny page-layout engine: a top-down cursor over pages of drawing operations, rich-text
//! word wrapping, tables with repeated header rows, automatic page breaks.

use crate::font::{FontId, Fonts};
use crate::DocError;

/// Line height as a multiple of the font size.
pub(crate) const LINE_H: f32 = 1.22;

/// Drawing operations in PDF coordinates (points, origin bottom-left).
#[derive(Debug, Clone)]
pub(crate) enum Op {
    Text { font: FontId, size: f32, x: f32, y: f32, text: String },
    Line { x1: f32, y1: f32, x2: f32, y2: f32, width: f32 },
    /// Filled black rectangle (barcode bars, QR modules).
    Fill { x: f32, y: f32, w: f32, h: f32 },
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Align {
    Left,
    Center,
}

/// A run of text in one face.
#[derive(Debug, Clone)]
pub(crate) struct Span {
    pub font: FontId,
    pub text: String,
}

pub(crate) fn sp(font: FontId, text: impl Into<String>) -> Span {
    Span { font, text: text.into() }
}

/// A laid-out line: runs with their x offsets and the total width.
#[derive(Debug, Clone, Default)]
pub(crate) struct Line {
    pub runs: Vec<(f32, FontId, String)>,
    pub width: f32,
}

pub(crate) struct Layout<'f> {
    pub fonts: &'f Fonts,
    pub page_w: f32,
    pub page_h: f32,
    pub left: f32,
    pub right: f32,
    pub top: f32,
    pub bottom: f32,
    pub pages: Vec<Vec<Op>>,
    /// Cursor: distance from the top edge of the page.
    pub y: f32,
}

impl<'f> Layout<'f> {
    pub fn new(fonts: &'f Fonts, page_w: f32, page_h: f32, margin_lr: f32, margin_tb: f32) -> Self {
        Layout {
            fonts,
            page_w,
            page_h,
            left: margin_lr * 1.2,
            right: margin_lr,
            top: margin_tb,
            bottom: margin_tb,
            pages: vec![Vec::new()],
            y: margin_tb,
        }
    }

    pub fn content_w(&self) -> f32 {
        self.page_w - self.left - self.right
    }

    fn ops(&mut self) -> &mut Vec<Op> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let n = self.pages.len() - 1;
        &mut self.pages[n]
    }

    pub fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = self.top;
    }

    /// Break the page unless `h` more points fit.
    pub fn ensure(&mut self, h: f32) {
        if self.y + h > self.page_h - self.bottom && self.y > self.top + 0.1 {
            self.new_page();
        }
    }

    pub fn gap(&mut self, h: f32) {
        self.y += h;
    }

    /// Text with its baseline at `y_top + size` (top-down coordinates).
    pub fn text_at(&mut self, font: FontId, size: f32, x: f32, y_top_down: f32, text: &str) {
        if text.is_empty() {
            return;
        }
        let y = self.page_h - y_top_down;
        self.ops().push(Op::Text { font, size, x, y, text: text.to_string() });
    }

    pub fn hline(&mut self, x1: f32, x2: f32, y_top_down: f32, width: f32) {
        let y = self.page_h - y_top_down;
        self.ops().push(Op::Line { x1, y1: y, x2, y2: y, width });
    }

    pub fn vline(&mut self, x: f32, y1_td: f32, y2_td: f32, width: f32) {
        let (y1, y2) = (self.page_h - y1_td, self.page_h - y2_td);
        self.ops().push(Op::Line { x1: x, y1, x2: x, y2, width });
    }

    /// Black box with its top-left corner at (x, y_top_down).
    pub fn fill(&mut self, x: f32, y_top_down: f32, w: f32, h: f32) {
        let y = self.page_h - y_top_down - h;
        self.ops().push(Op::Fill { x, y, w, h });
    }

    /// Word-wraps spans into lines of at most `width` points. Words longer than a line are cut
    /// between characters. Explicit '\n' starts a new line.
    pub fn wrap(&self, spans: &[Span], size: f32, width: f32) -> Result<Vec<Line>, DocError> {
        enum Tok {
            Word(FontId, String, bool),
            Break,
        }
        let mut toks = Vec::new();
        let mut space = false;
        for s in spans {
            let mut word = String::new();
            for ch in s.text.chars() {
                match ch {
                    ' ' | '\t' => {
                        if !word.is_empty() {
                            toks.push(Tok::Word(s.font, std::mem::take(&mut word), space));
                        }
                        space = true;
                    }
                    '\n' => {
                        if !word.is_empty() {
                            toks.push(Tok::Word(s.font, std::mem::take(&mut word), space));
                        }
                        toks.push(Tok::Break);
                        space = false;
                    }
                    c => word.push(c),
                }
            }
            if !word.is_empty() {
                toks.push(Tok::Word(s.font, word, space));
                space = false;
            }
        }
        let mut lines = Vec::new();
        let mut cur = Line::default();
        for t in toks {
            let (f, word, space) = match t {
                Tok::Break => {
                    lines.push(std::mem::take(&mut cur));
                    continue;
                }
                Tok::Word(f, w, s) => (f, w, s),
            };
            let ww = self.fonts.width(f, size, &word)?;
            let spw = if space && !cur.runs.is_empty() { self.fonts.width(f, size, " ")? } else { 0.0 };
            if !cur.runs.is_empty() && cur.width + spw + ww > width {
                lines.push(std::mem::take(&mut cur));
            }
            if cur.runs.is_empty() && ww > width {
                // cut a word longer than the line between characters
                let mut piece = String::new();
                let mut pw = 0.0;
                for ch in word.chars() {
                    let cw = self.fonts.width(f, size, ch.encode_utf8(&mut [0; 4]))?;
                    if pw + cw > width && !piece.is_empty() {
                        // cut after the last '-', '/', '.' or ',' of the piece when there is one
                        let keep = piece
                            .char_indices()
                            .filter(|(_, c)| matches!(c, '-' | '/' | '.' | ','))
                            .map(|(i, c)| i + c.len_utf8())
                            .next_back()
                            .filter(|i| *i < piece.len())
                            .unwrap_or(piece.len());
                        let rest = piece.split_off(keep);
                        let w_head = self.fonts.width(f, size, &piece)?;
                        cur.runs.push((0.0, f, std::mem::take(&mut piece)));
                        cur.width = w_head;
                        lines.push(std::mem::take(&mut cur));
                        pw = self.fonts.width(f, size, &rest)?;
                        piece = rest;
                    }
                    piece.push(ch);
                    pw += cw;
                }
                cur.runs.push((0.0, f, piece));
                cur.width = pw;
                continue;
            }
            let spw = if space && !cur.runs.is_empty() { self.fonts.width(f, size, " ")? } else { 0.0 };
            let text = if spw > 0.0 { format!(" {word}") } else { word };
            match cur.runs.last_mut() {
                Some(last) if last.1 == f => last.2.push_str(&text),
                _ => cur.runs.push((cur.width, f, text)),
            }
            cur.width += spw + ww;
        }
        if !cur.runs.is_empty() || lines.is_empty() {
            lines.push(cur);
        }
        Ok(lines)
    }

    /// Draws prepared lines in the box [x, x+width] starting at the cursor (no page breaks).
    pub fn draw_lines(&mut self, lines: &[Line], size: f32, x: f32, width: f32, y_top: f32, align: Align) -> f32 {
        let lh = size * LINE_H;
        let mut y = y_top;
        for line in lines {
            let dx = match align {
                Align::Left => 0.0,
                Align::Center => (width - line.width) / 2.0,
            };
            for (rx, f, t) in &line.runs {
                self.text_at(*f, size, x + dx + rx, y + size, t);
            }
            y += lh;
        }
        y - y_top
    }

    /// A flowing paragraph across the content width (page breaks between lines).
    /// `indent` shifts every line; `first_indent` only the first.
    pub fn para(&mut self, spans: &[Span], size: f32, align: Align, indent: f32) -> Result<(), DocError> {
        let width = self.content_w() - indent;
        let lines = self.wrap(spans, size, width)?;
        let lh = size * LINE_H;
        for line in lines {
            self.ensure(lh);
            let x = self.left + indent;
            let y = self.y;
            self.draw_lines(std::slice::from_ref(&line), size, x, width, y, align);
            self.y += lh;
        }
        Ok(())
    }

    /// A table with proportional column widths, wrapped cells, a header row repeated after
    /// each page break.
    pub fn table(
        &mut self,
        weights: &[f32],
        aligns: &[Align],
        header: &[&str],
        rows: &[Vec<String>],
        size: f32,
    ) -> Result<(), DocError> {
        let total: f32 = weights.iter().sum();
        let cw = self.content_w();
        let widths: Vec<f32> = weights.iter().map(|w| w / total * cw).collect();
        let pad = 3.0;
        let lh = size * LINE_H;
        let cell_lines = |l: &Self, cells: &[String], font: FontId| -> Result<Vec<Vec<Line>>, DocError> {
            cells
                .iter()
                .zip(&widths)
                .map(|(c, w)| l.wrap(&[sp(font, c.clone())], size, w - 2.0 * pad))
                .collect()
        };
        let head_cells: Vec<String> = header.iter().map(|s| s.to_string()).collect();
        let head = cell_lines(self, &head_cells, FontId::Bold)?;
        let head_h = head.iter().map(|c| c.len()).max().unwrap_or(1) as f32 * lh + 2.0 * pad;
        let draw_row = |l: &mut Self, cells: &[Vec<Line>], h: f32, centered: bool| {
            let mut x = l.left;
            let y0 = l.y;
            l.hline(l.left, l.left + cw, y0, 0.6);
            l.hline(l.left, l.left + cw, y0 + h, 0.6);
            for (i, (lines, w)) in cells.iter().zip(&widths).enumerate() {
                l.vline(x, y0, y0 + h, 0.6);
                let a = if centered { Align::Center } else { aligns.get(i).copied().unwrap_or(Align::Left) };
                l.draw_lines(lines, size, x + pad, w - 2.0 * pad, y0 + pad, a);
                x += w;
            }
            l.vline(x, y0, y0 + h, 0.6);
            l.y += h;
        };
        self.ensure(head_h + lh + 2.0 * pad);
        draw_row(self, &head, head_h, true);
        for row in rows {
            let cells = cell_lines(self, row, FontId::Regular)?;
            let h = cells.iter().map(|c| c.len()).max().unwrap_or(1) as f32 * lh + 2.0 * pad;
            if self.y + h > self.page_h - self.bottom {
                self.new_page();
                draw_row(self, &head, head_h, true);
            }
            draw_row(self, &cells, h, false);
        }
        Ok(())
    }
}
