//! A card's logo (`logo:`): how large it is drawn (no larger than the
//! theme's `logo:` size in millimetres, a little smaller on small cards),
//! where the theme puts it (fitted into its `geometry.logo` box, its shape
//! kept, beside a QR code that shares the box or heading the text when it
//! has no room there), the text box
//! kept clear of it, and its SVG. Pure: pixels in, SVG out.

use super::{place, qr, PxRect};
use crate::size::CardSize;
use crate::theme::{Align, Frac, Theme};

/// The id of the logo's layer, part of the card's artwork.
pub const LOGO_ID: &str = "waxseal-logo";

/// A logo drawn at least this part of its size beside the QR code that
/// shares its box stays there; smaller, it would be squeezed: it heads the
/// text instead.
const BESIDE: f32 = 0.8;

/// Where a theme without a `geometry.logo` puts the logo: centred at the top.
const DEFAULT_BOX: Frac = Frac { x: 0.3, y: 0.04, width: 0.4, height: 0.08 };

/// Where the logo of height-over-width `ratio` goes on a card of `size`
/// in `theme`, at `room` of the size the theme gives it, and the text box
/// `text_box` cut back to keep [`place::CLEAR_MM`] from it. Where the
/// card's QR code (`qr`) lies in the logo's box, the logo takes the side
/// of the box beside it while it is drawn at least [`BESIDE`] of its size
/// there, and else heads the text instead, as a letterhead: a shipping
/// label's band holds the code where the handling mark goes and the
/// postmark, and a logo squeezed between them is drawn too small to read.
pub fn place(
    theme: &Theme,
    size: CardSize,
    ratio: f32,
    (text_box, room): (PxRect, f32),
    qr: Option<&qr::QrBox>,
) -> (PxRect, PxRect) {
    let (w, h) = (size.width as f32, size.height as f32);
    let g = theme.geometry_for(&size.full_name(), size.width > size.height);
    let frac = g.logo.or(theme.spec.geometry.logo).unwrap_or(DEFAULT_BOX);
    let area = PxRect { x: frac.x * w, y: frac.y * h, width: frac.width * w, height: frac.height * h };
    let per_mm = place::px_per_mm(size);
    let clear = place::CLEAR_MM * per_mm;
    // One stamp for every card from A6 up; smaller cards a little smaller,
    // as the seal and the QR code are.
    let scale = (w.min(h) / per_mm / 105.0).sqrt().min(1.0);
    let settings = &theme.spec.logo;
    let most = (settings.width_mm.max(0.0) * per_mm * scale, settings.height_mm.max(0.0) * per_mm * scale);
    let ratio = ratio.max(0.001);
    let fit = |area: PxRect| area.width.min(most.0).min(area.height.min(most.1) / ratio).max(0.0);
    let full = fit(area);
    let (area, heads) = match beside(area, qr.map(qr::QrBox::bounds), clear) {
        None => (area, false),
        Some(part) if fit(part) >= full * BESIDE => (part, false),
        Some(_) => (PxRect { height: area.height, ..text_box }, true),
    };
    let width = fit(area) * room;
    let height = width * ratio;
    let x = match settings.align {
        Align::Left => area.x,
        Align::Center => area.x + (area.width - width) / 2.0,
        Align::Right => area.x + area.width - width,
    };
    // Heading the text, it stands at the box's top: what it gives up of
    // its size goes to the text under it.
    let y = if heads { area.y } else { area.y + (area.height - height) / 2.0 };
    let logo = PxRect { x, y, width, height };
    (qr::clear_of(text_box, logo, clear), logo)
}

/// The part of `area` beside `code` (what a QR code and its label cover),
/// `clear` pixels from it, on the side that has more room; `None` when
/// the code is not in `area`.
fn beside(area: PxRect, code: Option<PxRect>, clear: f32) -> Option<PxRect> {
    let code = code?;
    let (left, right) = (code.x - clear, code.x + code.width + clear);
    let level = code.y - clear < area.y + area.height && area.y < code.y + code.height + clear;
    if !level || left >= area.x + area.width || area.x >= right {
        return None;
    }
    let before = PxRect { width: (left - area.x).max(0.0), ..area };
    let after = PxRect { x: right, width: (area.x + area.width - right).max(0.0), ..area };
    Some(if before.width >= after.width { before } else { after })
}

/// The logo's layer: the picture at `url`, in `b`.
pub fn svg(url: &str, b: &PxRect) -> String {
    format!(
        "<g id=\"{LOGO_ID}\"><image x=\"{:.2}\" y=\"{:.2}\" width=\"{:.2}\" height=\"{:.2}\" preserveAspectRatio=\"none\" href=\"{url}\"/></g>",
        b.x, b.y, b.width, b.height
    )
}
