//! A card's link-preview picture (`share.png`): where a card goes in it
//! and what of it shows, from where its text is, and the picture made.

use std::sync::Arc;

use super::encode::{CardPixels, Under};
use super::raster::{draw_over, rasterize};
use super::{parse, RenderError};
use crate::theme::Theme;

/// The size of a card's link-preview picture (`share.png`): what chat apps
/// and social sites show for a shared link.
pub const SHARE_SIZE: (u32, u32) = (1200, 630);

/// How far below the link preview's top edge a card taller than the
/// preview starts, in pixels: the card's own top edge shows, on the
/// theme's paper edge.
const SHARE_TOP: u32 = 56;

/// The narrowest margin around a card shown whole in its link preview.
const SHARE_MARGIN: u32 = 24;

/// How far down a link preview a card's first line may start, in pixels,
/// before the card is moved up to start it at [`SHARE_TEXT_TOP`].
const SHARE_TEXT_LOW: u32 = 260;

/// Where a card's first line starts in its link preview when the card is
/// moved up to show it.
const SHARE_TEXT_TOP: u32 = 150;

/// What a card's link preview shows of it, from where its text is: how
/// large its body text is, where its text column stands and where its
/// text starts, in the card's pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ShareView {
    /// The body text's size.
    pub body: f32,
    /// The text column's left and right edges.
    pub column: (f32, f32),
    /// The top of its first line (the title's, when it has one).
    pub top: f32,
}

/// How large a card's body text is made in its link preview when the card
/// across the preview sets it smaller, in the preview's pixels: 14 px in
/// a preview shown 500 px wide, as a feed shows it.
const SHARE_TEXT: f32 = 14.0 * SHARE_SIZE.0 as f32 / 500.0;

/// How wide a card's text column may be made in its link preview, in
/// pixels: the preview's width less a margin each side.
const SHARE_COLUMN: f32 = (SHARE_SIZE.0 - 2 * 40) as f32;

/// Where a card goes in its link preview ([`ShareView::place`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SharePlace {
    /// The card's size as shown, in the preview's pixels.
    pub shown: (u32, u32),
    /// Where its top left corner goes (outside the preview when its edges are cut).
    pub at: (i64, i64),
}

impl SharePlace {
    /// The part of the card the preview shows, in pixels of the card as
    /// shown: left, top, right, bottom.
    pub fn visible(&self) -> (u32, u32, u32, u32) {
        let clip = |at: i64, length: u32, most: u32| {
            let from = (-at).clamp(0, i64::from(length));
            (from as u32, (i64::from(most) - at).clamp(from, i64::from(length)) as u32)
        };
        let (left, right) = clip(self.at.0, self.shown.0, SHARE_SIZE.0);
        let (top, bottom) = clip(self.at.1, self.shown.1, SHARE_SIZE.1);
        (left, top, right, bottom)
    }
}

impl ShareView {
    /// Where a card `size` in pixels goes in its link preview, and how
    /// large: see [`ShareView::width`], `top` and `left`.
    pub fn place(&self, (width, height): (u32, u32)) -> SharePlace {
        let shown = self.width(width);
        let tall = super::small_height(width, height, shown);
        SharePlace { shown: (shown, tall), at: (self.left(width, shown), self.top(width, (shown, tall))) }
    }

    /// How wide a card `width` pixels wide is shown in its link preview:
    /// [`SHARE_CARD_WIDTH`], or wider (its sides cut off) as far as its
    /// body text needs to be read at 500 px and its text column stays
    /// within [`SHARE_COLUMN`]; never wider than drawn.
    fn width(&self, width: u32) -> u32 {
        let width = width.max(1) as f32;
        let across = SHARE_CARD_WIDTH as f32 / width;
        let legible = SHARE_TEXT / self.body.max(1.0);
        let column = SHARE_COLUMN / (self.column.1 - self.column.0).max(1.0);
        (width * across.max(legible.min(column)).min(1.0)).round() as u32
    }

    /// Where the top edge of a card `width` pixels wide, shown `shown` x
    /// `height`, goes in its link preview: whole in the middle when it
    /// fits; else its top edge [`SHARE_TOP`] down, unless that puts its
    /// first line below [`SHARE_TEXT_LOW`] (art above the text, as
    /// stamps): then that line at [`SHARE_TEXT_TOP`], the art above it cut.
    fn top(&self, width: u32, (shown, height): (u32, u32)) -> i64 {
        if height + 2 * SHARE_MARGIN <= SHARE_SIZE.1 {
            return i64::from((SHARE_SIZE.1 - height) / 2);
        }
        let first = (self.top * shown as f32 / width.max(1) as f32).round() as i64;
        match i64::from(SHARE_TOP) + first <= i64::from(SHARE_TEXT_LOW) {
            true => i64::from(SHARE_TOP),
            false => i64::from(SHARE_TEXT_TOP) - first,
        }
    }

    /// Where the left edge of a card `width` pixels wide, shown `shown`
    /// wide, goes in its link preview: the card in the middle, or made
    /// wider than [`SHARE_CARD_WIDTH`], its text column in the middle (as
    /// far as the card covers the preview).
    fn left(&self, width: u32, shown: u32) -> i64 {
        let spare = i64::from(SHARE_SIZE.0) - i64::from(shown);
        if shown <= SHARE_CARD_WIDTH {
            return spare / 2;
        }
        let scale = shown as f32 / width.max(1) as f32;
        let middle = (self.column.0 + self.column.1) / 2.0 * scale;
        ((SHARE_SIZE.0 as f32 / 2.0 - middle).round() as i64).clamp(spare.min(0), spare.max(0))
    }
}

/// A card's link-preview picture, from `part`, the part of the card the
/// preview shows ([`SharePlace::visible`], made by
/// [`super::shrink_part`]) as `place` places it: on the theme's
/// paper-edge colour with a soft shadow under it. A card taller than the
/// preview shows its top (its title and first lines, large enough to read
/// where a feed shows the picture 500 px wide) and runs off the bottom
/// edge, fading into the paper edge, as a card slid half out of its
/// envelope; a shorter one shows whole, in the middle. The paper edge is
/// drawn once per theme (kept with it), and the PNG takes its compressed
/// pieces for the rows the card and its shadow leave bare.
pub fn share_picture(theme: &Theme, place: &SharePlace, part: &tiny_skia::Pixmap) -> Result<CardPixels, RenderError> {
    let height = SHARE_SIZE.1;
    let ((x, y), (card_width, card_height)) = (place.at, place.shown);
    let (left, top, ..) = place.visible();
    // The paper edge is drawn once per theme (kept with it), not per card.
    let kept = theme.caches.get_or_default::<ShareBackground>();
    let background = match kept.0.get() {
        Some(background) => background.clone(),
        None => {
            let svg = format!(
                r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{height}"><rect width="{w}" height="{height}" fill="{}"/></svg>"#,
                crate::svg::escape(&theme.spec.palette.paper_edge),
                w = SHARE_SIZE.0,
            );
            let drawn = Under::new(rasterize(&parse(theme, &svg)?, SHARE_SIZE.0));
            kept.0.get_or_init(|| Arc::new(drawn)).clone()
        }
    };
    let mut pixmap = background.pixmap().clone();
    shadow(&mut pixmap, (x, y + SHADOW_DROP), (card_width, card_height));
    draw_over(part, &mut pixmap, x + i64::from(left), y + i64::from(top));
    if y + i64::from(card_height) > i64::from(height) {
        fade_out(&mut pixmap, SHARE_FADE);
    }
    Ok(CardPixels { pixmap, under: Some(background) })
}

/// How many rows at the bottom of a link preview the card fades out over
/// when it runs off the edge: its lines there end in the paper edge, not
/// cut through.
const SHARE_FADE: u32 = 120;

/// The bottom `rows` rows of `pixmap` faded into the colour of its top
/// left pixel (the paper edge), from none of it to all, eased (a
/// smoothstep).
fn fade_out(pixmap: &mut tiny_skia::Pixmap, rows: u32) {
    let (width, height) = (pixmap.width() as usize, pixmap.height());
    let edge: [f32; 4] = std::array::from_fn(|i| f32::from(pixmap.data()[i]));
    let from = height.saturating_sub(rows);
    for row in from..height {
        let t = smoothstep((row - from + 1) as f32 / rows as f32);
        let line = &mut pixmap.data_mut()[row as usize * width * 4..][..width * 4];
        for (i, channel) in line.iter_mut().enumerate() {
            *channel = (f32::from(*channel) * (1.0 - t) + edge[i % 4] * t).round() as u8;
        }
    }
}

/// How wide cards are shown in their link previews, unless their text
/// needs them wider: the preview's width less a margin each side.
pub const SHARE_CARD_WIDTH: u32 = 1080;

/// How far below a card its shadow falls in its link preview, in pixels.
const SHADOW_DROP: i64 = 5;

/// How far a card's shadow spreads past its edges, in pixels.
const SHADOW_SPREAD: f32 = 22.0;

/// How dark a card's shadow is under it.
const SHADOW_DARK: f32 = 0.22;

/// Darkens `pixmap` with the soft shadow of a rectangle `size` at `at`,
/// as light falling from above casts it: [`SHADOW_DARK`] under it, fading
/// over [`SHADOW_SPREAD`] pixels across each edge (a smoothstep each way,
/// their product: a blurred rectangle, as a separable blur makes it, at a
/// pass over the pixels it touches).
fn shadow(pixmap: &mut tiny_skia::Pixmap, at: (i64, i64), size: (u32, u32)) {
    let reach = |from: i64, length: u32, most: u32| -> Vec<f32> {
        let (start, end) = (from as f32, from as f32 + length as f32);
        (0..most)
            .map(|i| {
                let centre = i as f32 + 0.5;
                let ramp = |d: f32| smoothstep((d + SHADOW_SPREAD) / (2.0 * SHADOW_SPREAD));
                ramp(centre - start) * ramp(end - centre)
            })
            .collect()
    };
    let (width, height) = (pixmap.width(), pixmap.height());
    let across = reach(at.0, size.0, width);
    let down = reach(at.1, size.1, height);
    let row_bytes = width as usize * 4;
    for (row, dark) in down.iter().enumerate().filter(|(_, d)| **d > 0.0) {
        let line = &mut pixmap.data_mut()[row * row_bytes..][..row_bytes];
        for (pixel, across) in line.chunks_exact_mut(4).zip(&across).filter(|(_, a)| **a > 0.0) {
            let keep = 1.0 - SHADOW_DARK * dark * across;
            // Black over it: every premultiplied channel (alpha too, when
            // the edge is translucent: it is darkened, not made clearer)
            // kept in part, the black adding none but alpha.
            let alpha = f32::from(pixel[3]);
            for channel in &mut pixel[..3] {
                *channel = (f32::from(*channel) * keep).round() as u8;
            }
            pixel[3] = (alpha * keep + 255.0 * (1.0 - keep)).round() as u8;
        }
    }
}

/// `t` (clamped to 0-1) eased in and out: 3t² - 2t³.
fn smoothstep(t: f32) -> f32 {
    let t = t.clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}

/// A theme's link-preview background, drawn by the first card that needs it.
#[derive(Default)]
struct ShareBackground(std::sync::OnceLock<Arc<Under>>);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_preview_shows_a_card_across_or_closer_as_its_text_needs() {
        // An A6 card at 300 dpi (1240 px), its column from 150 to 1090.
        let view = |body: f32, top: f32| ShareView { body, column: (150.0, 1090.0), top };
        // Large text: the card across the preview, its top edge showing.
        let note = view(46.0, 160.0);
        assert_eq!(note.width(1240), SHARE_CARD_WIDTH);
        assert_eq!(note.left(1240, SHARE_CARD_WIDTH), 60);
        assert_eq!(note.top(1240, (1080, 1522)), i64::from(SHARE_TOP));
        let place = note.place((1240, 1748));
        assert_eq!((place.shown, place.at), ((1080, 1522), (60, i64::from(SHARE_TOP))));
        assert_eq!(place.visible(), (0, 0, 1080, SHARE_SIZE.1 - SHARE_TOP), "the top of the card");
        // Small text: closer, as far as its column fits, in the middle.
        let letter = view(25.0, 160.0);
        let shown = letter.width(1240);
        assert!(shown > SHARE_CARD_WIDTH, "{shown}");
        let scale = shown as f32 / 1240.0;
        assert!(940.0 * scale <= SHARE_COLUMN + 0.5, "the column fits: {}", 940.0 * scale);
        let left = letter.left(1240, shown) as f32;
        let cut = letter.place((1240, 1748)).visible();
        assert!(cut.0 > 0 && cut.2 - cut.0 == SHARE_SIZE.0, "its sides cut: {cut:?}");
        assert!((left + 150.0 * scale - (SHARE_SIZE.0 as f32 - 940.0 * scale) / 2.0).abs() <= 1.0, "{left}");
        // Text that starts low (under stamps): moved up to show it.
        let low = view(46.0, 700.0);
        assert_eq!(
            low.top(1240, (1080, 1522)),
            i64::from(SHARE_TEXT_TOP) - (700.0f32 * 1080.0 / 1240.0).round() as i64
        );
        // A card as wide as the preview's shape: whole, in the middle.
        let og = view(30.0, 100.0);
        assert_eq!(og.top(1200, (1080, 567)), (630 - 567) / 2);
        // Never larger than drawn.
        assert_eq!(view(5.0, 0.0).width(600), 600);
    }
}
