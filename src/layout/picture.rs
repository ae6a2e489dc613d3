//! Pictures in the text flow: how large each is drawn. A picture is as
//! wide as its size hint says (the whole text width without one), its
//! aspect kept, and no taller than half the text box; when the text does
//! not fit beside it, the pictures are drawn smaller, step by step, before
//! the text is set small, down to a quarter of the text's width.

use super::{Align, Frame, Line, LineKind, Part, Prepared};
use crate::markup::BlockKind;

/// The fewest pixels of a picture an inch of the card may show: a small
/// picture is not blown up past this (it would print blurred).
const MIN_PPI: f32 = 150.0;

/// The tallest a picture is drawn, as a part of the text box's height, in
/// a box at least as tall as it is wide: the words are what the card is
/// for. In a wider box (a landscape or square card) the words' lines are
/// fewer and longer, and each line taken from them costs more of the text:
/// the share goes down with the box's height over its width, to
/// [`MAX_HEIGHT_WIDE`] in a box half again as wide as it is tall.
const MAX_HEIGHT: f32 = 0.5;

/// The least of that share, in a wide box.
const MAX_HEIGHT_WIDE: f32 = 0.34;

/// The parts of its size the title is tried at, for each size of the
/// pictures, before the pictures are set smaller: a photo card's hierarchy
/// is the photo, then the words, then the title (which stays larger than
/// the body: 0.6 of a title twice the body's size and more).
pub(super) const TITLES: [f32; 4] = [1.0, 0.85, 0.72, 0.6];

/// The narrowest a picture is drawn, as a part of the text's width, before
/// the card is an error.
pub(super) const MIN_WIDTH: f32 = 0.25;

/// The text is comfortably large at this part of the theme's size: a logo
/// and a QR code give way before the text goes under it.
pub(super) const COMFORTABLE: f32 = 0.9;

/// The body is readable beside a picture at this part of the theme's size:
/// the title and then the pictures give way before the body
/// goes under it (a picture drawn small to keep the body at its full size
/// would rank the words above the picture).
pub(super) const READABLE: f32 = 0.8;

/// The least part of its size a picture is drawn at for a body that cannot
/// be readable beside it anyway (a small card): past it, the body gives way.
pub(super) const HALF: f32 = 0.5;

/// A scanned signature is drawn this many times the size the name would be
/// set at: about the height of the name's ink with its loops.
const SIGNATURE_HEIGHT: f32 = 1.6;

/// The factors the pictures are drawn at, tried largest first.
const FACTORS: [f32; 8] = [1.0, 0.85, 0.72, 0.6, 0.5, 0.4, 0.32, 0.25];

/// A picture block: which picture, and its shape.
#[derive(Debug, Clone, Copy)]
pub(super) struct PictureBox {
    /// Its place among the message's pictures.
    pub(super) index: usize,
    /// Its size hint: a part of the text's width (of a signature: a part of
    /// its usual height, see [`smaller_signature`]).
    pub(super) hint: f32,
    /// Its height over its width.
    pub(super) ratio: f32,
    /// Its width in pixels.
    pixels: f32,
    /// A scanned signature in place of the sender's name, sized by the
    /// name rather than by the text's width.
    pub(super) signature: bool,
}

impl PictureBox {
    /// The picture `index` of `sizes` (width, height in pixels), drawn at
    /// `hint` of the text's width.
    pub(super) fn new(index: usize, sizes: &[(u32, u32)], hint: f32) -> PictureBox {
        let (w, h) = sizes.get(index).copied().unwrap_or((1, 1));
        let ratio = h.max(1) as f32 / w.max(1) as f32;
        PictureBox { index, hint: hint.clamp(0.01, 1.0), ratio, pixels: w.max(1) as f32, signature: false }
    }

    /// A scanned signature of `size` (width, height in pixels), the card's
    /// picture `index`.
    pub(super) fn signature(index: usize, size: (u32, u32)) -> PictureBox {
        PictureBox { signature: true, ..PictureBox::new(0, &[size], 1.0) }.at(index)
    }

    fn at(self, index: usize) -> PictureBox {
        PictureBox { index, ..self }
    }

    /// A signature's line in place of a name set at `size` pixels, and its
    /// height: [`SIGNATURE_HEIGHT`] times the name's size tall (a written
    /// name's capitals and loops reach well above and below the typeset
    /// one's), no wider than the text, aligned as the theme aligns its name.
    pub(super) fn signature_line(&self, frame: Frame, y: f32, size: f32, align: Align) -> (Line, f32) {
        let height = size * SIGNATURE_HEIGHT * self.hint;
        let width = (height / self.ratio).min(frame.width);
        let height = width * self.ratio;
        let x = match align {
            Align::Left => 0.0,
            Align::Center => (frame.width - width) / 2.0,
            Align::Right => frame.width - width,
        };
        let line = Line {
            kind: LineKind::Picture { index: self.index, height },
            x,
            baseline: y + height,
            size,
            width,
            marker: None,
            part: Part::Signature,
            align,
            rtl: false,
            quote_rule: None,
            justify: false,
        };
        (line, height)
    }

    /// Its width and height in `frame` when drawn at `factor` of its full
    /// size: its hint of the text's width, but no taller than
    /// [`MAX_HEIGHT`] of the box (less in a wide box) and no larger than
    /// [`MIN_PPI`] allows.
    pub(super) fn size(&self, frame: Frame, factor: f32) -> (f32, f32) {
        let sharp = self.pixels * frame.px_per_pt * 72.0 / MIN_PPI;
        let share = (MAX_HEIGHT * frame.height / frame.width.max(1.0)).clamp(MAX_HEIGHT_WIDE, MAX_HEIGHT);
        let width = (frame.width * self.hint).min(frame.height * share / self.ratio).min(sharp) * factor;
        (width, width * self.ratio)
    }

    /// Whether at `factor` it is still as wide as a picture must be (or as
    /// wide as it is at its full size, when that is narrower).
    fn large_enough(&self, frame: Frame, factor: f32) -> bool {
        let full = self.size(frame, 1.0).0;
        self.size(frame, factor).0 >= (frame.width * MIN_WIDTH).min(full) - 0.01
    }

    /// Its line: its foot at `y + height`, centred on the measure (as a
    /// book centres a figure, and as its caption is), whatever the text's
    /// alignment.
    pub(super) fn line(&self, frame: Frame, y: f32, factor: f32) -> Line {
        let (width, height) = self.size(frame, factor);
        let x = (frame.width - width) / 2.0;
        Line {
            kind: LineKind::Picture { index: self.index, height },
            x,
            baseline: y + height,
            size: 0.0,
            width,
            marker: None,
            part: Part::Body,
            align: Align::Center,
            rtl: false,
            quote_rule: None,
            justify: false,
        }
    }
}

/// Gives a picture block its picture, the next of `sizes` (`next` counts
/// them), and centres a caption.
pub(super) fn prepare(block: &mut Prepared, next: &mut std::ops::RangeFrom<usize>, sizes: &[(u32, u32)]) {
    match &block.kind {
        BlockKind::Picture(p) => {
            let index = next.next().unwrap_or_default();
            block.picture = Some(PictureBox::new(index, sizes, p.scale));
        }
        BlockKind::Caption => block.align = Align::Center,
        _ => {}
    }
}

/// The name's block, given the scanned signature of `size` that takes its
/// place (sized by the name), the card's picture `index`.
/// How small a scanned signature may be drawn, of its usual height, where
/// the card has no room for it: about as tall as the name set in type.
const SMALLER_SIGNATURE: f32 = 0.7;

/// `blocks` with their scanned signature (if any) drawn smaller: what a
/// card too small for it gives up before its sign-off words. Whether there
/// was one to make smaller.
pub(super) fn smaller_signature(blocks: &mut [Prepared]) -> bool {
    let scans = blocks.iter_mut().filter_map(|b| b.picture.as_mut()).filter(|p| p.signature);
    scans.map(|p| p.hint = SMALLER_SIGNATURE).count() > 0
}

pub(super) fn signed(mut block: Prepared, size: Option<(u32, u32)>, index: usize) -> Prepared {
    block.picture = size.map(|size| PictureBox::signature(index, size));
    block
}

/// The factors to try for `pictures` in `frame`: 1 alone when there are
/// none, else each at which every picture is still large enough.
pub(super) fn factors(pictures: &[PictureBox], frame: Frame) -> Vec<f32> {
    if pictures.is_empty() {
        return vec![1.0];
    }
    FACTORS.into_iter().filter(|f| pictures.iter().all(|p| p.large_enough(frame, *f))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const FRAME: Frame = Frame { width: 1000.0, height: 1200.0, px_per_pt: 4.0, text_scale: 1.0 };

    #[test]
    fn a_picture_is_the_text_width_at_most_half_the_box_tall_and_its_hint() {
        let wide = PictureBox::new(0, &[(4000, 2000)], 1.0);
        assert_eq!(wide.size(FRAME, 1.0), (1000.0, 500.0));
        let tall = PictureBox::new(0, &[(1000, 2000)], 1.0);
        assert_eq!(tall.size(FRAME, 1.0), (300.0, 600.0));
        // 4 pixels a point is 288 dpi: 100 pixels are drawn at most 192 wide.
        let small = PictureBox::new(0, &[(100, 50)], 1.0);
        assert_eq!(small.size(FRAME, 1.0), (192.0, 96.0));
        let hinted = PictureBox::new(0, &[(4000, 2000)], 0.4);
        assert_eq!(hinted.size(FRAME, 0.5), (200.0, 100.0));
        // 40 % wide may shrink to 25 %: to 0.625 of its size.
        assert_eq!(factors(&[hinted], FRAME), vec![1.0, 0.85, 0.72]);
        assert_eq!(factors(&[], FRAME), vec![1.0]);
    }
}
