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
    let paint = tiny_skia::PixmapPaint::default();
    pixmap.draw_pixmap(x as i32, y as i32, thumb.as_ref(), &paint, tiny_skia::Transform::identity(), None);
    Ok(CardPixels { pixmap, under: Some(background) })
}

/// A theme's link-preview background, drawn by the first card that needs it.
#[derive(Default)]
struct ShareBackground(std::sync::OnceLock<Arc<Under>>);
