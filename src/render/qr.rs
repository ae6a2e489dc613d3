//! A card's QR code: how large it is drawn (a physical size a phone's
//! camera reads), where the theme puts it, the text box kept clear of it
//! and its label, and its SVG: the quiet zone in the paper's colour, the
//! dark modules as one path in the theme's ink, the label in the body
//! italic. Pure: pixels in, SVG out.

use std::fmt::Write as _;

use serde::Serialize;

use super::{place, PxRect};
use crate::qr::{Code, QUIET};
use crate::size::CardSize;
use crate::theme::{FontRole, Frac, LabelSide, Theme};

/// The id of the QR code's layer, drawn over the artwork like the text and seal.
pub const QR_ID: &str = "waxseal-qr";

/// The finest module a card's code is drawn with, in millimetres: a
/// phone's camera reads a module of 0.4 mm at a hand's length and more;
/// a code of many modules is drawn larger rather than finer.
const MIN_MODULE_MM: f32 = 0.4;

/// The smallest a code is drawn, its quiet zone included, in millimetres.
const MIN_SIDE_MM: f32 = 12.0;

/// The smallest its label is set, in points.
const MIN_LABEL_PT: f32 = 6.0;

/// Where a theme without a `geometry.qr` puts the code's centre: bottom left.
const DEFAULT_CENTRE: Frac = Frac { x: 0.2, y: 0.87, width: 0.0, height: 0.0 };

/// A card's QR code: the link it holds, encoded, and its label.
#[derive(Debug, Clone)]
pub struct Qr {
    /// What a phone opens.
    pub link: String,
    /// The link encoded.
    pub code: Code,
    /// The words set beside it, if any.
    pub label: Option<String>,
}

/// Where a card's code is drawn, in pixels (what the theme's card.svg sees
/// as `qr_box`).
#[derive(Debug, Clone, Serialize)]
pub struct QrBox {
    /// The left of the quiet zone.
    pub x: f32,
    /// The top of the quiet zone.
    pub y: f32,
    /// The side, quiet zone included.
    pub size: f32,
    /// A module's side.
    pub module: f32,
    /// The quiet zone's width (4 modules).
    pub quiet: f32,
    /// The label's box, if there is a label.
    pub label: Option<PxRect>,
    /// The label's lines: each one's text, left and baseline.
    #[serde(skip)]
    lines: Vec<(String, f32, f32)>,
    /// The label's size in pixels.
    label_px: f32,
}

impl QrBox {
    /// What the code and its label cover.
    pub fn bounds(&self) -> PxRect {
        let code = PxRect { x: self.x, y: self.y, width: self.size, height: self.size };
        match &self.label {
            Some(label) => union(code, *label),
            None => code,
        }
    }
}

/// How far `rect` is from `point`.
fn distance(rect: PxRect, (x, y): (f32, f32)) -> f32 {
    let dx = (rect.x - x).max(x - rect.x - rect.width).max(0.0);
    let dy = (rect.y - y).max(y - rect.y - rect.height).max(0.0);
    dx.hypot(dy)
}

fn overlap(a: PxRect, b: PxRect) -> bool {
    a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height
}

fn union(a: PxRect, b: PxRect) -> PxRect {
    let (left, top) = (a.x.min(b.x), a.y.min(b.y));
    let (right, bottom) = ((a.x + a.width).max(b.x + b.width), (a.y + a.height).max(b.y + b.height));
    PxRect { x: left, y: top, width: right - left, height: bottom - top }
}

/// The side of `code` on a card of `size`, in pixels, and its module's: the
/// theme's size on A6 and larger, a little smaller on smaller cards (with
/// the square root of their size, as the seal), at least 12 mm and at least
/// 0.4 mm a module, and `room` of that where the text needs the room. A
/// module of a few pixels is a whole number of them, so the PNG's modules
/// are crisp.
fn sides(theme: &Theme, code: &Code, size: CardSize, room: f32) -> (f32, f32) {
    let per_mm = place::px_per_mm(size);
    let short_mm = size.width.min(size.height) as f32 / per_mm;
    let scale = (short_mm / 105.0).sqrt().min(1.0);
    let wanted_mm = theme.spec.qr.size.points() as f32 / 72.0 * 25.4;
    let modules = (code.width + 2 * QUIET) as f32;
    let side_mm = (wanted_mm * scale * room).max(MIN_SIDE_MM).max(modules * MIN_MODULE_MM);
    let mut module = side_mm * per_mm / modules;
    if module >= 3.0 {
        let least = MIN_MODULE_MM * per_mm;
        module = module.round();
        if module < least {
            module += 1.0;
        }
    }
    (module * modules, module)
}

/// Where `qr` goes on a card of `size` in `theme` (`geometry.qr_with_logo`
/// on a card `with_logo`), drawn at `room` of its size (see [`sides`]), and the text box `text_box` cut back to keep
/// [`place::CLEAR_MM`] from it and its label; and how far the seal moves
/// over to make room for it in the foot (pixels, to the right when positive).
/// A label beside the code that would come near the seal (centre and
/// radius `seal`) or leave the card goes under the code instead.
pub fn place(
    theme: &Theme,
    size: CardSize,
    qr: &Qr,
    (text_box, room, with_logo): (PxRect, f32, bool),
    seal: (f32, f32, f32),
) -> (PxRect, QrBox, f32) {
    let (w, h) = (size.width as f32, size.height as f32);
    let g = theme.geometry_for(&size.full_name(), size.width > size.height);
    let own = |g: &crate::theme::Geometry| if with_logo { g.qr_with_logo.or(g.qr) } else { g.qr };
    let centre = own(g).or_else(|| own(&theme.spec.geometry)).unwrap_or(DEFAULT_CENTRE);
    let (side, module) = sides(theme, &qr.code, size, room);
    let scale = (size.width.min(size.height) as f32 / place::px_per_mm(size) / 105.0).sqrt().min(1.0);
    let label_px = (theme.spec.qr.label_size * scale).max(MIN_LABEL_PT) * size.px_per_pt();
    let mut b = QrBox {
        x: centre.x * w - side / 2.0,
        y: centre.y * h - side / 2.0,
        size: side,
        module,
        quiet: module * QUIET as f32,
        label: None,
        lines: Vec::new(),
        label_px,
    };
    // The code and its label inside the border art, with the seal's clear space.
    let clear = place::CLEAR_MM * place::px_per_mm(size);
    let border = place::border(theme, size) + clear;
    if let Some(label) = qr.label.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
        let side = g.qr_label.unwrap_or(theme.spec.qr.label);
        set_label(theme, &mut b, label, side);
        // A label beside the code where it has no room goes under it,
        // rather than push the code from its place or touch the seal.
        let (cx, cy, r) = seal;
        let reach = r * place::REACH + clear;
        let seal_box = PxRect { x: cx - reach, y: cy - reach, width: 2.0 * reach, height: 2.0 * reach };
        let crowded = b.label.is_some_and(|l| l.x < border || l.x + l.width > w - border || overlap(l, seal_box));
        if crowded && matches!(side, LabelSide::Left | LabelSide::Right) {
            set_label(theme, &mut b, label, LabelSide::Below);
        }
    }
    let bounds = b.bounds();
    let shift = |low: f32, extent: f32, side: f32| {
        if low < border {
            border - low
        } else if low + extent > side - border {
            (side - border - low - extent).min(0.0).max(border - low)
        } else {
            0.0
        }
    };
    move_by(&mut b, shift(bounds.x, bounds.width, w), shift(bounds.y, bounds.height, h));
    let seal_dx = clear_of_seal(theme, size, &mut b, seal, border);
    (clear_of(text_box, b.bounds(), clear), b, seal_dx)
}

/// Moves the code `b` clear of the seal's wax (its soft shadow may reach
/// the quiet zone's edge), inside `border`: sideways, away from the seal;
/// where the foot has no room for that, the seal makes way (the returned
/// shift of its centre, in pixels); and where it cannot either, the code
/// moves up as little as it takes.
fn clear_of_seal(theme: &Theme, size: CardSize, b: &mut QrBox, seal: (f32, f32, f32), border: f32) -> f32 {
    let w = size.width as f32;
    let clear = place::CLEAR_MM * place::px_per_mm(size);
    let (cx, cy, r) = seal;
    let keep = r * 1.1 + clear / 2.0;
    let bounds = b.bounds();
    let mut seal_dx = 0.0;
    if distance(bounds, (cx, cy)) < keep {
        // Only away from the seal, and only as far as the border allows.
        let sideways = if bounds.x + bounds.width / 2.0 < cx {
            ((cx - keep - bounds.width).max(border) - bounds.x).min(0.0)
        } else {
            ((cx + keep).min(w - border - bounds.width) - bounds.x).max(0.0)
        };
        move_by(b, sideways, 0.0);
        let bounds = b.bounds();
        // Where the foot has no room for both, the seal makes way
        // sideways, as far as its own clear space allows, so the code
        // stays in the foot rather than climb beside the text.
        let left = bounds.x + bounds.width / 2.0 < cx;
        let dx = (bounds.x - cx).max(cx - bounds.x - bounds.width).max(0.0);
        let (low, high) = place::seal_range(theme, size, r, w);
        seal_dx = match left {
            true => (keep - dx).min(high - cx).max(0.0),
            false => -(keep - dx).min(cx - low).max(0.0),
        };
        let cx = cx + seal_dx;
        let dx = (bounds.x - cx).max(cx - bounds.x - bounds.width).max(0.0);
        if dx < keep && bounds.y + bounds.height > cy - keep {
            let bottom = cy - (keep * keep - dx * dx).sqrt();
            move_by(b, 0.0, (bottom - bounds.y - bounds.height).min(0.0));
        }
    }
    seal_dx
}

/// Moves the code and its label by (`dx`, `dy`).
fn move_by(b: &mut QrBox, dx: f32, dy: f32) {
    b.x += dx;
    b.y += dy;
    if let Some(label) = &mut b.label {
        label.x += dx;
        label.y += dy;
    }
    for line in &mut b.lines {
        line.1 += dx;
        line.2 += dy;
    }
}

/// Breaks `label` into lines and sets them beside the code, on the theme's side.
fn set_label(theme: &Theme, b: &mut QrBox, label: &str, side: LabelSide) {
    let measure = |text: &str| {
        crate::layout::width_em(theme, FontRole::Italic, text).unwrap_or(0.5 * text.chars().count() as f32) * b.label_px
    };
    let widest = match side {
        LabelSide::Below | LabelSide::Above => b.size * 1.6,
        // Beside the code, a narrow column: a band's other marks (a
        // postmark) or the seal are seldom far.
        LabelSide::Left | LabelSide::Right => b.size * 1.4,
    };
    let words: Vec<&str> = label.split_whitespace().take(40).collect();
    let lines = balanced(&words, widest, &measure);
    let leading = b.label_px * 1.25;
    let height = leading * lines.len() as f32;
    let width = lines.iter().map(|(_, w)| *w).fold(0.0, f32::max);
    let (left, top) = match side {
        LabelSide::Below => (b.x + (b.size - width) / 2.0, b.y + b.size),
        LabelSide::Above => (b.x + (b.size - width) / 2.0, b.y - height),
        LabelSide::Left => (b.x - width, b.y + (b.size - height) / 2.0),
        LabelSide::Right => (b.x + b.size, b.y + (b.size - height) / 2.0),
    };
    // A baseline sits about 0.8 of the size below the top of its line.
    b.lines = lines
        .iter()
        .enumerate()
        .map(|(i, (text, w))| {
            let x = match side {
                LabelSide::Below | LabelSide::Above => left + (width - w) / 2.0,
                LabelSide::Left => left + width - w,
                LabelSide::Right => left,
            };
            (text.clone(), x, top + leading * i as f32 + b.label_px * 0.95)
        })
        .collect();
    b.label = Some(PxRect { x: left, y: top, width, height });
}

/// `words` broken into lines no wider than `widest` (as `measure` says) and
/// as even as that many lines can be: the narrowest measure that takes no
/// more lines than the widest does, so no word is left alone on the last.
fn balanced(words: &[&str], widest: f32, measure: &impl Fn(&str) -> f32) -> Vec<(String, f32)> {
    let count = wrap(words, widest, measure).len();
    let (mut lo, mut hi) = (words.iter().map(|w| measure(w)).fold(0.0, f32::max), widest.max(0.0));
    // A dozen halvings put the measure within a 4000th of the best.
    for _ in 0..12 {
        let mid = (lo + hi) / 2.0;
        if wrap(words, mid, measure).len() <= count {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    wrap(words, hi.max(lo), measure)
}

/// `words` broken greedily into lines no wider than `widest`: each line's
/// text and width.
fn wrap(words: &[&str], widest: f32, measure: &impl Fn(&str) -> f32) -> Vec<(String, f32)> {
    let mut lines: Vec<(String, f32)> = Vec::new();
    for word in words {
        match lines.last_mut() {
            Some((line, width)) if measure(&format!("{line} {word}")) <= widest => {
                line.push(' ');
                line.push_str(word);
                *width = measure(line);
            }
            _ => lines.push((word.to_string(), measure(word))),
        }
    }
    lines
}

/// `text` cut back so that it stays `clear` pixels from `keep`, on the side
/// that leaves it the most room.
pub(super) fn clear_of(text: PxRect, keep: PxRect, clear: f32) -> PxRect {
    let (right, bottom) = (text.x + text.width, text.y + text.height);
    let (k_left, k_top) = (keep.x - clear, keep.y - clear);
    let (k_right, k_bottom) = (keep.x + keep.width + clear, keep.y + keep.height + clear);
    if k_right <= text.x || k_left >= right || k_bottom <= text.y || k_top >= bottom {
        return text;
    }
    let cuts = [
        PxRect { height: (k_top - text.y).max(0.0), ..text },
        PxRect { y: k_bottom, height: (bottom - k_bottom).max(0.0), ..text },
        PxRect { width: (k_left - text.x).max(0.0), ..text },
        PxRect { x: k_right, width: (right - k_right).max(0.0), ..text },
    ];
    cuts.into_iter().max_by(|a, b| (a.width * a.height).total_cmp(&(b.width * b.height))).unwrap_or(text)
}

/// The code's layer: its quiet zone in the paper's colour, its modules in
/// the ink, its label in the body italic.
pub fn svg(theme: &Theme, qr: &Qr, b: &QrBox) -> String {
    let palette = &theme.spec.palette;
    let mut out = format!("<g id=\"{QR_ID}\">");
    let _ = write!(
        out,
        "<rect x=\"{:.2}\" y=\"{:.2}\" width=\"{:.2}\" height=\"{:.2}\" fill=\"{}\"/>",
        b.x, b.y, b.size, b.size, palette.paper
    );
    let path = qr.code.path(b.x + b.quiet, b.y + b.quiet, b.module);
    let _ = write!(out, "<path fill=\"{}\" d=\"{path}\"/>", palette.ink);
    let attrs = theme.face(FontRole::Italic).svg_attrs();
    for (i, (text, x, y)) in b.lines.iter().enumerate() {
        let _ = write!(
            out,
            "<text id=\"{QR_ID}-{}\" x=\"{x:.2}\" y=\"{y:.2}\" font-size=\"{:.2}\" fill=\"{}\" {attrs} xml:space=\"preserve\">{}</text>",
            i + 1,
            b.label_px,
            palette.ink,
            crate::svg::escape(text)
        );
    }
    out.push_str("</g>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_is_broken_into_even_lines_leaving_no_word_alone() {
        // Every letter and space 10 px wide.
        let measure = |text: &str| 10.0 * text.chars().count() as f32;
        let words = ["Scan", "to", "leave", "a", "review"];
        let texts = |lines: Vec<(String, f32)>| lines.into_iter().map(|(t, _)| t).collect::<Vec<_>>();
        assert_eq!(texts(wrap(&words, 160.0, &measure)), ["Scan to leave a", "review"]);
        assert_eq!(texts(balanced(&words, 160.0, &measure)), ["Scan to leave", "a review"]);
        assert_eq!(texts(balanced(&words, 400.0, &measure)), ["Scan to leave a review"]);
    }

    #[test]
    fn a_text_box_keeps_clear_of_the_code_on_the_side_that_faces_it() {
        let text = PxRect { x: 100.0, y: 100.0, width: 1000.0, height: 1300.0 };
        let below = clear_of(text, PxRect { x: 150.0, y: 1350.0, width: 200.0, height: 200.0 }, 30.0);
        assert_eq!((below.y, below.height, below.width), (100.0, 1220.0, 1000.0));
        let apart = clear_of(text, PxRect { x: 150.0, y: 1450.0, width: 200.0, height: 200.0 }, 30.0);
        assert_eq!(apart.height, 1300.0);
    }

    #[test]
    fn a_code_is_at_least_12_mm_and_its_modules_at_least_0_4_mm() {
        let root = tempfile::tempdir().unwrap();
        let theme = crate::theme::load(root.path(), "chocolate").unwrap();
        let short = crate::qr::encode("https://shop.example/r").unwrap();
        let long = crate::qr::encode(&format!("https://shop.example/{}", "a".repeat(120))).unwrap();
        for (name, dpi) in [("a6", 300), ("a7", 300), ("a7", 150)] {
            let size = CardSize::named(name, dpi).unwrap();
            let per_mm = place::px_per_mm(size);
            for code in [&short, &long] {
                let (side, module) = sides(&theme, code, size, 1.0);
                assert!(side / per_mm >= 12.0 - 0.5, "{name}: {} mm", side / per_mm);
                assert!(module / per_mm >= MIN_MODULE_MM - 0.05, "{name}: {} mm modules", module / per_mm);
            }
        }
        let a6 = CardSize::named("a6", 300).unwrap();
        let (side, _) = sides(&theme, &short, a6, 1.0);
        // 18 mm, give or take the rounding of a module to whole pixels.
        let mm = side / place::px_per_mm(a6);
        assert!((16.0..=20.0).contains(&mm), "{mm} mm");
    }
}
