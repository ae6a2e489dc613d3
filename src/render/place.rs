//! The seal's size and place on a card. A seal is a thing of a physical
//! size: a stationer presses the same stamp on every card, so a theme gives
//! its diameter in millimetres (`seal.diameter`), and the seal keeps the
//! same clear space from the border art and from the text on every size.
//! Pure: pixels in, pixels out.

use super::PxRect;
use crate::size::CardSize;
use crate::theme::{Geometry, Theme};

/// The clear space kept between everything the seal draws (its shadow
/// included) and the border art or the text box, in millimetres: about the
/// height of a line of the body text, the least that reads as space left
/// on purpose rather than a near miss.
pub const CLEAR_MM: f32 = 3.0;

/// How far, in radii, what the seal draws may reach from its centre down
/// and to the right: the wax (a little inside its radius) and the soft
/// shadow it casts that way, to the edge of its blur (what shows ends at
/// about 1.15).
pub const REACH: f32 = 1.3;

/// The same, up and to the left, away from the shadow.
const REACH_BACK: f32 = 1.2;

/// The wax of a seal of radius r measures about this many times 2r across
/// (its rim wobbles inside r): a theme's diameter is the wax's, as a ruler
/// laid across the seal reads it.
const WAX: f32 = 0.95;

/// The seal's diameter on a card whose shorter side is 105 mm (A6) or more
/// is the theme's `seal.diameter`: one stamp; a smaller card's is a little
/// smaller (with the square root of its size, down to this factor), as a
/// stationer keeps a smaller stamp for the smallest cards.
const SIZE_RANGE: (f32, f32) = (0.88, 1.0);

/// Pixels per millimetre on a card of `size` (`og`, a screen image, at the
/// 150 px an inch its text is set at, so its seal keeps the card's proportion).
pub fn px_per_mm(size: CardSize) -> f32 {
    size.ppi / 25.4
}

/// The seal's radius in pixels on a card of `size`: from the theme's
/// diameter in millimetres, else from the geometry's `seal_radius` (a
/// fraction of the shorter side, for themes made before the diameter).
pub fn seal_radius(theme: &Theme, g: &Geometry, size: CardSize) -> f32 {
    let short = size.width.min(size.height) as f32;
    match &theme.spec.seal.diameter {
        Some(diameter) => {
            let mm = diameter.points() as f32 / 72.0 * 25.4;
            let short_mm = short / px_per_mm(size);
            let scale = (short_mm / 105.0).sqrt().clamp(SIZE_RANGE.0, SIZE_RANGE.1);
            mm * scale / 2.0 / WAX * px_per_mm(size)
        }
        None => g.seal_radius.unwrap_or(0.1) * short,
    }
}

/// Where the seal goes (centre and radius) and the text box that keeps clear
/// of it: the geometry's centre, moved in as far as it takes for the seal to
/// keep [`CLEAR_MM`] inside the border art (`seal.frame`, `seal.frame_min`); then the text
/// box, where it would come closer than that, cut back on the side that
/// faces the seal.
pub fn place(theme: &Theme, g: &Geometry, size: CardSize, text_box: PxRect) -> (PxRect, (f32, f32, f32)) {
    let (w, h) = (size.width as f32, size.height as f32);
    let r = seal_radius(theme, g, size);
    let clear = CLEAR_MM * px_per_mm(size);
    let keep = Keep { back: REACH_BACK * r + clear, on: REACH * r + clear };
    let within = |at: f32, side: f32| {
        let (low, high) = seal_range(theme, size, r, side);
        if low > high {
            side / 2.0
        } else {
            at.clamp(low, high)
        }
    };
    let (cx, cy) = (within(g.seal.x * w, w), within(g.seal.y * h, h));
    (clear_of(text_box, (cx, cy), keep), (cx, cy, r))
}

/// The least and the most a centre of a seal of radius `r` may be along a
/// side `side` pixels long: its clear space kept inside the border art.
pub fn seal_range(theme: &Theme, size: CardSize, r: f32, side: f32) -> (f32, f32) {
    let clear = CLEAR_MM * px_per_mm(size);
    let border = border(theme, size);
    (border + REACH_BACK * r + clear, side - border - REACH * r - clear)
}

/// How far the border art reaches in from the card's edge, in pixels
/// (`seal.frame`, `seal.frame_min`): what the seal, and a QR code, keep
/// their clear space inside.
pub fn border(theme: &Theme, size: CardSize) -> f32 {
    let (w, h) = (size.width as f32, size.height as f32);
    let spec = &theme.spec.seal;
    let border_min = spec
        .frame_min
        .as_ref()
        .map_or(0.0, |min| min.cut.points() as f32 / 72.0 * 25.4 * px_per_mm(size) + min.plus * w.min(h));
    (spec.frame.unwrap_or(0.0) * w.min(h)).max(border_min)
}

/// `text` cut back where it comes nearer than `margin` pixels to an edge
/// of a card `w` by `h` pixels.
pub fn inset(text: PxRect, margin: f32, (w, h): (f32, f32)) -> PxRect {
    let (left, top) = (text.x.max(margin), text.y.max(margin));
    let (right, bottom) = ((text.x + text.width).min(w - margin), (text.y + text.height).min(h - margin));
    PxRect { x: left, y: top, width: (right - left).max(0.0), height: (bottom - top).max(0.0) }
}

/// How far from the seal's centre to keep clear: up and to the left
/// (`back`), and down and to the right, where its shadow falls (`on`).
#[derive(Debug, Clone, Copy)]
struct Keep {
    back: f32,
    on: f32,
}

/// `text` cut back so that it stays clear of the seal at (`cx`, `cy`) on
/// the side that faces it, by whichever cut leaves it the most room.
fn clear_of(text: PxRect, (cx, cy): (f32, f32), keep: Keep) -> PxRect {
    let (right, bottom) = (text.x + text.width, text.y + text.height);
    let overlaps = cx + keep.on > text.x && cx - keep.back < right && cy + keep.on > text.y && cy - keep.back < bottom;
    if !overlaps {
        return text;
    }
    let cuts = [
        PxRect { height: (cy - keep.back - text.y).max(0.0), ..text },
        PxRect { y: cy + keep.on, height: (bottom - cy - keep.on).max(0.0), ..text },
        PxRect { width: (cx - keep.back - text.x).max(0.0), ..text },
        PxRect { x: cx + keep.on, width: (right - cx - keep.on).max(0.0), ..text },
    ];
    cuts.into_iter().max_by(|a, b| (a.width * a.height).total_cmp(&(b.width * b.height))).unwrap_or(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_margin_cuts_the_text_box_back_only_where_it_comes_nearer_the_edge() {
        let text = PxRect { x: 50.0, y: 120.0, width: 900.0, height: 700.0 };
        let kept = inset(text, 100.0, (1000.0, 1000.0));
        assert_eq!((kept.x, kept.y, kept.width, kept.height), (100.0, 120.0, 800.0, 700.0));
        let wide = inset(text, 40.0, (1000.0, 1000.0));
        assert_eq!((wide.x, wide.width), (50.0, 900.0));
    }

    #[test]
    fn a_text_box_is_cut_back_on_the_side_that_faces_the_seal() {
        let text = PxRect { x: 100.0, y: 100.0, width: 1000.0, height: 1300.0 };
        let keep = Keep { back: 200.0, on: 250.0 };
        let below = clear_of(text, (620.0, 1450.0), keep);
        assert_eq!((below.y, below.height, below.width), (100.0, 1150.0, 1000.0));
        let right = clear_of(text, (1150.0, 700.0), keep);
        assert_eq!((right.x, right.width, right.height), (100.0, 850.0, 1300.0));
        let above = clear_of(text, (620.0, 50.0), keep);
        assert_eq!((above.y, above.height), (300.0, 1100.0));
        let apart = clear_of(text, (620.0, 1700.0), keep);
        assert_eq!(apart.height, 1300.0);
    }
}
