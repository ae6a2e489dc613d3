//! A card made smaller (its thumbnail) from its drawn pixels, not drawn
//! again: each small pixel the average of the card's pixels under it, as
//! anti-aliasing a drawing that small would make it. The text's glyphs,
//! the seal and the paper are not drawn a second time at a size no other
//! card shares, and the thumbnail shows exactly what the card does.

use super::encode::{CardPixels, Under};

/// How tall a picture `width` x `height` is made `small` pixels wide (to
/// the nearest pixel).
pub fn small_height(width: u32, height: u32, small: u32) -> u32 {
    (height as f32 * small as f32 / width.max(1) as f32).round().max(1.0) as u32
}

/// `card` made `width` pixels wide (see [`small_height`]), over its base
/// made as small (once per base), so that the thumbnail's PNG puts in the
/// base's compressed pieces as the card's does.
pub fn shrink_card(card: &CardPixels, width: u32) -> CardPixels {
    let size = (width, small_height(card.pixmap.width(), card.pixmap.height(), width));
    let pixmap = shrink(&card.pixmap, size);
    let under = card.under.as_ref().map(|under| shrunk_under(under, size));
    CardPixels { pixmap, under }
}

/// `under` made `size` (once): what the thumbnails of the cards over it
/// are made over.
pub(super) fn shrunk_under(under: &Under, size: (u32, u32)) -> std::sync::Arc<Under> {
    under.shrunk(size, |base| shrink(base, size))
}

/// `pixmap` (premultiplied) resized to `width` x `height` by area: a box
/// filter (fast_image_resize's, in SIMD), whose weights are never negative,
/// so a colour stays within its alpha. A card drawn a band at a time is
/// made smaller by a [`Shrinker`], into the same bytes.
fn shrink(pixmap: &tiny_skia::Pixmap, (width, height): (u32, u32)) -> tiny_skia::Pixmap {
    use fast_image_resize as fir;
    let (w, h) = (pixmap.width(), pixmap.height());
    let src = fir::images::ImageRef::new(w, h, pixmap.data(), fir::PixelType::U8x4).expect("a pixmap's bytes");
    let mut dst = fir::images::Image::new(width.max(1), height.max(1), fir::PixelType::U8x4);
    // Already premultiplied: averaged as it is.
    let options =
        fir::ResizeOptions::new().resize_alg(fir::ResizeAlg::Convolution(fir::FilterType::Box)).use_alpha(false);
    fir::Resizer::new().resize(&src, &mut dst, &options).expect("both are RGBA, neither empty");
    let size = tiny_skia::IntSize::from_wh(dst.width(), dst.height()).expect("not empty");
    tiny_skia::Pixmap::from_vec(dst.into_vec(), size).expect("the size of its bytes")
}

/// A picture (premultiplied RGBA, already averaged as it is) made smaller
/// a row at a time as its rows are drawn, never held whole: the bytes
/// fast_image_resize's box filter makes of the whole picture (what the
/// thumbnails were made with), by its arithmetic. Its weights are never
/// negative, so a colour stays within its alpha. fast_image_resize
/// averages the rows under each small row first, then across; so does
/// this, as the rows come in. A box's weights for one small pixel are all
/// the same: its pixels' bytes are summed, then weighed once.
pub struct Shrinker {
    rows: Taps,
    columns: Taps,
    /// The next big row.
    y: u32,
    /// The sums of the small rows begun and not finished, first to last
    /// (the first is small row `done`): 16 bits a byte when that holds
    /// them (twice the bytes summed at once).
    open: Open,
    /// The small rows finished.
    done: usize,
    /// A small row averaged down, not yet across.
    down: Vec<u8>,
    out: tiny_skia::Pixmap,
    /// Which small rows are a base's, copied from the base made small
    /// (see [`Shrinker::over`]).
    from_base: Option<(Vec<bool>, std::sync::Arc<Under>)>,
}

impl Shrinker {
    /// A picture `from` (width, height) made `to`.
    pub fn new(from: (u32, u32), to: (u32, u32)) -> Shrinker {
        let to = (to.0.max(1), to.1.max(1));
        let rows = Taps::new(from.1, to.1);
        let wide = rows.spans.iter().any(|span| span.len > Taps::NARROW);
        Shrinker {
            open: if wide { Open::Wide(Default::default()) } else { Open::Narrow(Default::default()) },
            rows,
            columns: Taps::new(from.0, to.0),
            y: 0,
            done: 0,
            down: vec![0; from.0 as usize * 4],
            out: tiny_skia::Pixmap::new(to.0, to.1).expect("a small picture"),
            from_base: None,
        }
    }

    /// A picture drawn over a base, `small` being the base made as small:
    /// a small row none of whose big rows is drawn on (`drawn`, by big
    /// row) is the base's small row, copied, its big rows not summed.
    pub fn over(mut self, drawn: &[bool], small: std::sync::Arc<Under>) -> Shrinker {
        let size = (small.pixmap().width(), small.pixmap().height());
        if size != (self.out.width(), self.out.height()) {
            return self;
        }
        let untouched =
            |span: &Span| drawn.get(span.start as usize..span.end() as usize).is_some_and(|rows| !rows.contains(&true));
        self.from_base = Some((self.rows.spans.iter().map(untouched).collect(), small));
        self
    }

    /// The next row of the big picture.
    pub fn push(&mut self, row: &[u8]) {
        let copied = self.from_base.as_ref().map_or(&[][..], |(copied, _)| copied);
        match &mut self.open {
            Open::Narrow(open) => Self::sum(&self.rows, copied, self.done, self.y, open, row),
            Open::Wide(open) => Self::sum(&self.rows, copied, self.done, self.y, open, row),
        }
        self.y += 1;
        // The small rows whose big rows are all in: averaged across.
        while self.done < self.rows.spans.len() && self.rows.spans[self.done].end() <= self.y {
            let span = &self.rows.spans[self.done];
            match &mut self.open {
                Open::Narrow(open) => Self::down(&self.rows, span, open, &mut self.down),
                Open::Wide(open) => Self::down(&self.rows, span, open, &mut self.down),
            }
            match self.from_base.as_ref().filter(|(copied, _)| copied[self.done]) {
                Some((_, base)) => {
                    let bytes = self.out.width() as usize * 4;
                    let from = &base.pixmap().data()[self.done * bytes..][..bytes];
                    self.out.data_mut()[self.done * bytes..][..bytes].copy_from_slice(from);
                }
                None => self.across(),
            }
            self.done += 1;
        }
    }

    /// Adds big row `y` to the sums of the small rows over it, `open` (the
    /// first is small row `done`), begun as they are reached.
    fn sum<T>(
        rows: &Taps,
        copied: &[bool],
        done: usize,
        y: u32,
        open: &mut std::collections::VecDeque<Vec<T>>,
        row: &[u8],
    ) where
        T: Copy + Default + From<u8> + std::ops::AddAssign,
    {
        let copied = |i: usize| copied.get(i).copied().unwrap_or(false);
        while done + open.len() < rows.spans.len() && rows.spans[done + open.len()].start <= y {
            let len = if copied(done + open.len()) { 0 } else { row.len() };
            open.push_back(vec![T::default(); len]);
        }
        for (i, sums) in open.iter_mut().enumerate() {
            if rows.spans[done + i].covers(y) && !copied(done + i) {
                // Sixteen bytes at a time: whole vectors.
                let mut sums = sums.chunks_exact_mut(16);
                let mut bytes = row.chunks_exact(16);
                for (sums, bytes) in (&mut sums).zip(&mut bytes) {
                    for (sum, &byte) in sums.iter_mut().zip(bytes) {
                        *sum += T::from(byte);
                    }
                }
                for (sum, &byte) in sums.into_remainder().iter_mut().zip(bytes.remainder()) {
                    *sum += T::from(byte);
                }
            }
        }
    }

    /// The first of the `open` sums (over `span`, every row of it in),
    /// weighed into `down`.
    fn down<T: Copy + Into<u32>>(
        rows: &Taps,
        span: &Span,
        open: &mut std::collections::VecDeque<Vec<T>>,
        down: &mut [u8],
    ) {
        match open.pop_front() {
            Some(sums) => {
                for (d, &sum) in down.iter_mut().zip(&sums) {
                    *d = rows.weigh(span, sum.into());
                }
            }
            // A small row over no big row (fast_image_resize's too): zeros.
            None => down.fill(rows.weigh(span, 0)),
        }
    }

    /// Small row `done`, averaged across from [`Shrinker::down`].
    fn across(&mut self) {
        let width = self.out.width() as usize;
        let out = &mut self.out.data_mut()[self.done * width * 4..][..width * 4];
        for (span, pixel) in self.columns.spans.iter().zip(out.chunks_exact_mut(4)) {
            let mut sums = [0u32; 4];
            for from in self.down[span.start as usize * 4..span.end() as usize * 4].chunks_exact(4) {
                for (sum, &byte) in sums.iter_mut().zip(from) {
                    *sum += u32::from(byte);
                }
            }
            for (byte, sum) in pixel.iter_mut().zip(sums) {
                *byte = self.columns.weigh(span, sum);
            }
        }
    }

    /// The small picture, every row of the big one pushed.
    pub fn finish(self) -> tiny_skia::Pixmap {
        debug_assert_eq!(self.done, self.rows.spans.len(), "every row pushed");
        self.out
    }
}

/// The sums of a [`Shrinker`]'s open rows.
enum Open {
    Narrow(std::collections::VecDeque<Vec<u16>>),
    Wide(std::collections::VecDeque<Vec<u32>>),
}

/// The big pixels under a small one, each weighing `weight` (in units of
/// `1 << precision`).
struct Span {
    start: u32,
    len: u32,
    weight: i32,
}

impl Span {
    fn end(&self) -> u32 {
        self.start + self.len
    }

    fn covers(&self, at: u32) -> bool {
        (self.start..self.end()).contains(&at)
    }
}

/// A box filter's weights from `from` pixels to `to`: fast_image_resize's
/// coefficients and their rounding to 16 bits.
struct Taps {
    spans: Vec<Span>,
    /// The weights' fractional bits.
    precision: u8,
}

impl Taps {
    /// The most big pixels under a small one whose bytes' sum fits 16 bits.
    const NARROW: u32 = 257;

    fn new(from: u32, to: u32) -> Taps {
        let scale = f64::from(from) / f64::from(to);
        let filter_scale = scale.max(1.0);
        let radius = 0.5 * filter_scale;
        let recip = 1.0 / filter_scale;
        let mut spans = Vec::with_capacity(to as usize);
        for out in 0..to {
            let in_center = (f64::from(out) + 0.5) * scale;
            let low = (in_center - radius).floor().max(0.0) as u32;
            let high = (in_center + radius).ceil().min(f64::from(from)) as u32;
            let center = in_center - 0.5;
            // The box: the big pixels whose centre is within half a small
            // pixel (fast_image_resize leaves out weights of 0 at the ends).
            let inside = |x: &u32| {
                let at = (f64::from(*x) - center) * recip;
                at > -0.5 && at <= 0.5
            };
            let start = (low..high).find(inside).unwrap_or(high);
            let end = (start..high).rev().find(inside).map_or(start, |x| x + 1);
            spans.push((start, end - start));
        }
        // Each weight is 1 / len; the largest sets the precision.
        let max_weight =
            spans.iter().filter(|(_, len)| *len > 0).map(|(_, len)| 1.0 / f64::from(*len)).fold(0.0, f64::max);
        let mut precision = 0u8;
        for bits in 0..22u8 {
            precision = bits;
            if (max_weight * f64::from(1u32 << (bits + 1))).round() as i32 >= 1 << 15 {
                break;
            }
        }
        let unit = f64::from(1u32 << precision);
        let spans = spans
            .into_iter()
            .map(|(start, len)| {
                let weight = if len == 0 { 0 } else { i32::from(((1.0 / f64::from(len)) * unit).round() as i16) };
                Span { start, len, weight }
            })
            .collect();
        Taps { spans, precision }
    }

    /// The sum of the bytes under `span`, weighed and rounded back to a byte.
    fn weigh(&self, span: &Span, sum: u32) -> u8 {
        let half = 1 << (self.precision - 1);
        ((half + sum as i32 * span.weight) >> self.precision).clamp(0, 255) as u8
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    /// `pixmap` made `to` a row at a time.
    fn shrunk_by_rows(pixmap: &tiny_skia::Pixmap, to: (u32, u32)) -> tiny_skia::Pixmap {
        let mut shrinker = Shrinker::new((pixmap.width(), pixmap.height()), to);
        for row in pixmap.data().chunks_exact(pixmap.width() as usize * 4) {
            shrinker.push(row);
        }
        shrinker.finish()
    }

    #[test]
    fn a_picture_shrunk_a_row_at_a_time_is_fast_image_resizes_box_filter_to_the_byte() {
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        // Thumbnails of every card size, their bases, and odd sizes.
        for (from, to) in [
            ((1240, 1748), (360, 507)),
            ((1500, 2100), (360, 504)),
            ((874, 1240), (360, 511)),
            ((37, 1000), (5, 3)),
            ((300, 7), (299, 7)),
            ((9, 9), (9, 2)),
        ] {
            let mut pixmap = tiny_skia::Pixmap::new(from.0, from.1).unwrap();
            for pixel in pixmap.pixels_mut() {
                let r = next();
                let alpha = if r % 4 == 0 { 255 } else { (r >> 8) as u8 };
                let c = |shift: u32| ((r >> shift) as u8).min(alpha);
                *pixel = tiny_skia::PremultipliedColorU8::from_rgba(c(16), c(24), c(32), alpha).unwrap();
            }
            assert_eq!(shrunk_by_rows(&pixmap, to).data(), shrink(&pixmap, to).data(), "{from:?} to {to:?}");
        }
    }

    #[test]
    fn a_thumbnail_is_as_tall_as_the_card_in_proportion() {
        assert_eq!(small_height(1240, 1748, 360), 507);
        assert_eq!(small_height(1500, 2100, 360), 504);
        assert_eq!(small_height(874, 1240, 360), 511);
    }

    #[test]
    fn a_picture_over_a_base_copies_the_small_rows_of_the_base_it_leaves_alone() {
        let mut base = tiny_skia::Pixmap::new(1240, 1748).unwrap();
        for (i, pixel) in base.pixels_mut().iter_mut().enumerate() {
            let v = (i * 7919 % 251) as u8;
            *pixel = tiny_skia::PremultipliedColorU8::from_rgba(v, v / 2, 255 - v, 255).unwrap();
        }
        let mut card = base.clone();
        // Drawn on: rows 300-899 and one row, 1500.
        let mut drawn = vec![false; 1748];
        for y in (300..900).chain([1500]) {
            drawn[y] = true;
            card.data_mut()[y * 1240 * 4..][..400].fill(9);
        }
        let to = (360, 507);
        let small = Arc::new(Under::new(shrink(&base, to)));
        let mut shrinker = Shrinker::new((1240, 1748), to).over(&drawn, small);
        let copied = shrinker.from_base.as_ref().unwrap().0.iter().filter(|&&c| c).count();
        assert!(copied > 300 && copied < 507 - 170, "{copied} small rows copied");
        for row in card.data().chunks_exact(1240 * 4) {
            shrinker.push(row);
        }
        assert!(shrinker.finish().data() == shrink(&card, to).data());
    }

    #[test]
    fn a_shrunk_picture_is_the_average_of_what_it_covers() {
        // Black and white columns, a pixel each: grey, shrunk four times;
        // a half-transparent red stays half-transparent red.
        let mut pixmap = tiny_skia::Pixmap::new(400, 40).unwrap();
        for (i, p) in pixmap.pixels_mut().iter_mut().enumerate() {
            let v = if i % 2 == 0 { 255 } else { 0 };
            *p = tiny_skia::ColorU8::from_rgba(v, v, v, 255).premultiply();
        }
        let small = shrink(&pixmap, (100, 10));
        assert!(small.pixels().iter().all(|p| p.red().abs_diff(128) <= 1 && p.alpha() == 255));
        pixmap.fill(tiny_skia::Color::from_rgba8(200, 0, 0, 128));
        let small = shrink(&pixmap, (100, 10));
        let want = pixmap.pixels()[0];
        assert!(small.pixels().iter().all(|p| *p == want));
    }
}
