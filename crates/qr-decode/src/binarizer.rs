//! A faster equivalent of rxing's `HybridBinarizer` (ZXing's local block binariser): the same
//! thresholds (8×8 blocks, black point averaged over 5×5 blocks, dynamic-range floor 24), but
//! written row-wise into packed words instead of one `BitMatrix::set` per pixel, and without
//! copying the frame. Binarisation was about half the cost of an rxing pass.

use rxing::common::{BitArray, BitMatrix, LineOrientation, BIT_FIELD_BASE_BITS};
use rxing::{Binarizer, Luma8Source, LuminanceSource};
use std::borrow::Cow;

const B: usize = 8;
const MIN_DYNAMIC_RANGE: u32 = 24;

pub struct BlockBinarizer<'a> {
    src: Luma8Source<'a>,
    matrix: BitMatrix,
}

impl<'a> BlockBinarizer<'a> {
    /// `data` is `w`×`h` row-major.
    pub fn new(data: &'a [u8], w: usize, h: usize) -> Option<Self> {
        let src = Luma8Source::new_with_slice(data, w as u32, h as u32).ok()?;
        let matrix = matrix(data, w, h)?;
        Some(BlockBinarizer { src, matrix })
    }
}

/// Black points per 8×8 block, as ZXing's `calculateBlackPoints` (which stops tracking min/max
/// once the range exceeds the floor: that does not change the result). Row-wise for speed.
fn black_points(l: &[u8], w: usize, h: usize, sw: usize, sh: usize) -> Vec<u32> {
    let (max_x, max_y) = (w - B, h - B);
    let mut bp = vec![0u32; sw * sh];
    let mut sums = vec![0u32; sw];
    let mut los = vec![255u8; sw];
    let mut his = vec![0u8; sw];
    for y in 0..sh {
        let yo = (y * B).min(max_y);
        sums.iter_mut().for_each(|v| *v = 0);
        los.iter_mut().for_each(|v| *v = 255);
        his.iter_mut().for_each(|v| *v = 0);
        for yy in 0..B {
            let row = &l[(yo + yy) * w..(yo + yy + 1) * w];
            // Whole blocks, then the last (shifted) one when the width is not a multiple of 8.
            let full = w / B;
            for (((c, s), lo), hi) in row
                .chunks_exact(B)
                .zip(sums.iter_mut())
                .zip(los.iter_mut())
                .zip(his.iter_mut())
            {
                let mut a = 0u32;
                let (mut mn, mut mx) = (*lo, *hi);
                for &v in c {
                    a += u32::from(v);
                    mn = mn.min(v);
                    mx = mx.max(v);
                }
                *s += a;
                *lo = mn;
                *hi = mx;
            }
            if full < sw {
                for &v in &row[max_x..max_x + B] {
                    sums[full] += u32::from(v);
                    los[full] = los[full].min(v);
                    his[full] = his[full].max(v);
                }
            }
        }
        for x in 0..sw {
            let (lo, hi) = (los[x], his[x]);
            let mut avg = sums[x] >> 6;
            if u32::from(hi - lo) <= MIN_DYNAMIC_RANGE {
                avg = u32::from(lo) / 2;
                if y > 0 && x > 0 {
                    let nb =
                        (bp[(y - 1) * sw + x] + 2 * bp[y * sw + x - 1] + bp[(y - 1) * sw + x - 1])
                            / 4;
                    if u32::from(lo) < nb {
                        avg = nb;
                    }
                }
            }
            bp[y * sw + x] = avg;
        }
    }
    bp
}

/// The binarised frame (true = dark).
fn matrix(l: &[u8], w: usize, h: usize) -> Option<BitMatrix> {
    if w == 0 || h == 0 || l.len() < w * h {
        return None;
    }
    let words = w.div_ceil(BIT_FIELD_BASE_BITS);
    let mut bits = vec![0usize; words * h];
    if w < 5 * B || h < 5 * B {
        // Too small for the block method: one global threshold (the mean).
        let mean = (l[..w * h].iter().map(|&v| u64::from(v)).sum::<u64>() / (w * h) as u64) as u8;
        for y in 0..h {
            set_row(
                &l[y * w..(y + 1) * w],
                &vec![mean; w],
                &mut bits[y * words..(y + 1) * words],
            );
        }
    } else {
        let (sw, sh) = (w.div_ceil(B), h.div_ceil(B));
        let bp = black_points(l, w, h, sw, sh);
        let (max_x, max_y) = (w - B, h - B);
        let mut thr_row = vec![0u8; w];
        for by in 0..sh {
            let yo = (by * B).min(max_y);
            let top = by.clamp(2, sh - 3);
            thr_row.iter_mut().for_each(|t| *t = 0);
            for bx in 0..sw {
                let xo = (bx * B).min(max_x);
                let left = bx.clamp(2, sw - 3);
                let mut sum = 0u32;
                for z in top - 2..=top + 2 {
                    sum += bp[z * sw + left - 2..=z * sw + left + 2]
                        .iter()
                        .sum::<u32>();
                }
                let t = (sum / 25).min(255) as u8;
                // Pixels covered by two blocks (the last, shifted block) are dark if either says so.
                for v in &mut thr_row[xo..xo + B] {
                    *v = (*v).max(t);
                }
            }
            for y in yo..yo + B {
                set_row(
                    &l[y * w..(y + 1) * w],
                    &thr_row,
                    &mut bits[y * words..(y + 1) * words],
                );
            }
        }
    }
    let mut m = BitMatrix::new(w as u32, h as u32).ok()?;
    let mut row = BitArray::with_size(w);
    for y in 0..h {
        for (i, &word) in bits[y * words..(y + 1) * words].iter().enumerate() {
            row.setBulk(i * BIT_FIELD_BASE_BITS, word);
        }
        m.setRow(y as u32, &row);
    }
    Some(m)
}

/// OR the dark pixels (`v <= t`) of one row into packed words.
fn set_row(lum: &[u8], thr: &[u8], out: &mut [usize]) {
    const W: usize = BIT_FIELD_BASE_BITS;
    let mut flags = [0u8; W];
    for ((o, l), t) in out.iter_mut().zip(lum.chunks(W)).zip(thr.chunks(W)) {
        flags.iter_mut().for_each(|f| *f = 0);
        for ((f, &v), &th) in flags.iter_mut().zip(l).zip(t) {
            *f = u8::from(v <= th);
        }
        // Pack eight 0/1 bytes into eight bits (bit k = byte k).
        let mut word = 0usize;
        for (k, c) in flags.chunks_exact(8).enumerate() {
            let x = u64::from_le_bytes(c.try_into().unwrap_or([0; 8]));
            let bits = x.wrapping_mul(0x0102_0408_1020_4080) >> 56;
            word |= (bits as usize) << (8 * k);
        }
        *o |= word;
    }
}

impl<'a> Binarizer for BlockBinarizer<'a> {
    type Source = Luma8Source<'a>;

    fn get_luminance_source(&self) -> &Self::Source {
        &self.src
    }

    fn get_black_row(&self, y: usize) -> rxing::common::Result<Cow<'_, BitArray>> {
        Ok(Cow::Owned(self.matrix.getRow(y as u32)))
    }

    fn get_black_row_from_matrix(&self, y: usize) -> rxing::common::Result<Cow<'_, BitArray>> {
        self.get_black_row(y)
    }

    fn get_black_matrix(&self) -> rxing::common::Result<&BitMatrix> {
        Ok(&self.matrix)
    }

    fn get_black_line(
        &self,
        l: usize,
        lt: LineOrientation,
    ) -> rxing::common::Result<Cow<'_, BitArray>> {
        Ok(Cow::Owned(match lt {
            LineOrientation::Row => self.matrix.getRow(l as u32),
            LineOrientation::Column => self.matrix.getCol(l as u32),
        }))
    }

    fn create_binarizer(&self, source: Self::Source) -> Self {
        let (w, h) = (source.get_width(), source.get_height());
        let m = {
            let d = source.get_matrix();
            matrix(&d, w, h)
        };
        BlockBinarizer {
            matrix: m.unwrap_or_else(|| self.matrix.clone()),
            src: source,
        }
    }

    fn get_width(&self) -> usize {
        self.src.get_width()
    }

    fn get_height(&self) -> usize {
        self.src.get_height()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rxing::common::HybridBinarizer;

    /// Same bits as rxing's HybridBinarizer, including widths and heights that are not
    /// multiples of 8 and flat areas (the neighbour rule).
    #[test]
    fn same_bits_as_hybrid_binarizer() {
        let mut seed = 12345u64;
        for &(w, h) in &[(853usize, 480usize), (101, 67), (64, 40), (200, 203)] {
            let data: Vec<u8> = (0..w * h)
                .map(|i| {
                    seed = seed
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    let (x, y) = (i % w, i / w);
                    // Flat regions, gradients and noisy texture.
                    let base = if (x / 37 + y / 23) % 3 == 0 {
                        200
                    } else {
                        (x + y) % 256
                    };
                    let noise = (seed >> 59) as usize * ((x / 50) % 2) * 8;
                    ((base + noise) % 256) as u8
                })
                .collect();
            let ours = matrix(&data, w, h).expect("matrix");
            let src = rxing::Luma8LuminanceSource::new(data.clone(), w as u32, h as u32).unwrap();
            let theirs = HybridBinarizer::new(src);
            let theirs = theirs.get_black_matrix().unwrap();
            for y in 0..h as u32 {
                for x in 0..w as u32 {
                    assert_eq!(ours.get(x, y), theirs.get(x, y), "{w}x{h} at ({x},{y})");
                }
            }
        }
    }
}
