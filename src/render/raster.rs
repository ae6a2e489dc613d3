//! A usvg tree drawn into pixels, and a card's link-preview picture.

use resvg::usvg;

use std::sync::Arc;

use super::encode::{CardPixels, Under};
use super::{parse, RenderError};
use crate::theme::Theme;

/// Draws the tree scaled to `width` pixels wide.
pub fn rasterize(tree: &usvg::Tree, width: u32) -> tiny_skia::Pixmap {
    let size = tree.size();
    let scale = width as f32 / size.width();
    let height = (size.height() * scale).round().max(1.0) as u32;
    let mut pixmap = tiny_skia::Pixmap::new(width.max(1), height).expect("card sizes are small and non-zero");
    resvg::render(tree, tiny_skia::Transform::from_scale(scale, scale), &mut pixmap.as_mut());
    pixmap
}

/// The size of a card's link-preview picture (`share.png`): what chat apps
/// and social sites show for a shared link.
pub const SHARE_SIZE: (u32, u32) = (1200, 630);

/// A card's link-preview picture: the card as drawn for its thumbnail,
/// centred on the theme's paper-edge colour (what it is drawn over, its
/// pieces compressed once for every card of the theme).
pub fn share_picture(theme: &Theme, thumb: &tiny_skia::Pixmap) -> Result<CardPixels, RenderError> {
    let (width, height) = SHARE_SIZE;
    // The background is drawn once per theme (kept with it), not per card.
    let kept = theme.caches.get_or_default::<ShareBackground>();
    let background = match kept.0.get() {
        Some(background) => background.clone(),
        None => {
            let background = format!(
                r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}"><rect width="{width}" height="{height}" fill="{}"/></svg>"#,
                crate::svg::escape(&theme.spec.palette.paper_edge)
            );
            let tree = parse(theme, &background)?;
            kept.0.get_or_init(|| Arc::new(Under::new(rasterize(&tree, width)))).clone()
        }
    };
    let mut pixmap = background.pixmap().clone();
    // A card taller than the picture (a thumbnail is 360 px wide) is cut, not scaled.
    let x = (i64::from(width) - i64::from(thumb.width())) / 2;
    let y = (i64::from(height) - i64::from(thumb.height())) / 2;
    if !copy_opaque(thumb, &mut pixmap, x, y) {
        let paint = tiny_skia::PixmapPaint::default();
        pixmap.draw_pixmap(x as i32, y as i32, thumb.as_ref(), &paint, tiny_skia::Transform::identity(), None);
    }
    Ok(CardPixels { pixmap, under: Some(background) })
}

/// Copies `from`, when it is opaque, onto `to` with its top left corner at
/// (`x`, `y`), cut to `to`: what drawing it over does (an opaque pixel
/// covers what is under it), without tiny-skia's floating-point pipeline
/// (a pattern is drawn a pixel at a time in it). Whether it copied.
fn copy_opaque(from: &tiny_skia::Pixmap, to: &mut tiny_skia::Pixmap, x: i64, y: i64) -> bool {
    if from.pixels().iter().any(|p| p.alpha() != u8::MAX) {
        return false;
    }
    let (from_width, to_width) = (i64::from(from.width()), i64::from(to.width()));
    // The columns of `from` that fall on `to`.
    let (left, right) = ((-x).max(0), from_width.min(to_width - x));
    if left >= right {
        return true;
    }
    let bytes = |columns: std::ops::Range<i64>| columns.start as usize * 4..columns.end as usize * 4;
    for row in 0..i64::from(from.height()) {
        let at = y + row;
        if !(0..i64::from(to.height())).contains(&at) {
            continue;
        }
        let src = &from.data()[(row * from_width) as usize * 4..][bytes(left..right)];
        to.data_mut()[(at * to_width) as usize * 4..][bytes(x + left..x + right)].copy_from_slice(src);
    }
    true
}

/// A theme's link-preview background, drawn by the first card that needs it.
#[derive(Default)]
struct ShareBackground(std::sync::OnceLock<Arc<Under>>);

#[cfg(test)]
mod tests {
    use super::*;

    /// A picture of many colours, `alpha` opaque.
    fn picture(width: u32, height: u32, alpha: u8) -> tiny_skia::Pixmap {
        let mut pixmap = tiny_skia::Pixmap::new(width, height).unwrap();
        for (i, p) in pixmap.pixels_mut().iter_mut().enumerate() {
            let n = (i as u32).wrapping_mul(0x9E37_79B1) >> 8;
            let c = tiny_skia::ColorU8::from_rgba(n as u8, (n >> 8) as u8, (n >> 16) as u8, alpha);
            *p = c.premultiply();
        }
        pixmap
    }

    #[test]
    fn an_opaque_picture_copied_on_is_the_picture_drawn_on_wherever_it_falls() {
        let under = picture(50, 30, 255);
        let paint = tiny_skia::PixmapPaint::default();
        for (width, height) in [(20, 10), (60, 40), (5, 50)] {
            for (x, y) in [(0, 0), (7, 3), (-4, -6), (45, 25), (-70, 0), (0, 31)] {
                let (opaque, translucent) = (picture(width, height, 255), picture(width, height, 128));
                let mut drawn = under.clone();
                drawn.draw_pixmap(x as i32, y as i32, opaque.as_ref(), &paint, tiny_skia::Transform::identity(), None);
                let mut copied = under.clone();
                assert!(copy_opaque(&opaque, &mut copied, x, y));
                assert!(copied == drawn, "{width}x{height} at {x}, {y}");
                assert!(!copy_opaque(&translucent, &mut copied, x, y));
            }
        }
    }
}
