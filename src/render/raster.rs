//! A usvg tree drawn into pixels, and pixels encoded as PNG.

use resvg::usvg;

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
/// centred on the theme's paper-edge colour.
pub fn share_picture(theme: &Theme, thumb: &tiny_skia::Pixmap) -> Result<tiny_skia::Pixmap, RenderError> {
    let (width, height) = SHARE_SIZE;
    let background = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}"><rect width="{width}" height="{height}" fill="{}"/></svg>"#,
        crate::svg::escape(&theme.spec.palette.paper_edge)
    );
    let mut pixmap = rasterize(&parse(theme, &background)?, width);
    // A card taller than the picture (a thumbnail is 360 px wide) is cut, not scaled.
    let x = (i64::from(width) - i64::from(thumb.width())) / 2;
    let y = (i64::from(height) - i64::from(thumb.height())) / 2;
    let paint = tiny_skia::PixmapPaint::default();
    pixmap.draw_pixmap(x as i32, y as i32, thumb.as_ref(), &paint, tiny_skia::Transform::identity(), None);
    Ok(pixmap)
}

/// Encodes a pixmap as PNG: fast deflate by default (a tenth of the time of
/// the default level, for larger files), or the smallest files with
/// `optimize` (see BENCHMARKS.md).
pub fn encode_png(pixmap: &tiny_skia::Pixmap, dpi: u32, optimize: bool) -> Vec<u8> {
    // A card covers its whole canvas: without transparency it is stored as
    // RGB, a quarter less to filter and compress (and premultiplied equals
    // straight colour, so nothing to undo).
    let opaque = pixmap.pixels().iter().all(|p| p.alpha() == u8::MAX);
    let color = if opaque { png::ColorType::Rgb } else { png::ColorType::Rgba };
    // Fast deflate makes files of about a fifth of the raw pixels.
    let mut out = Vec::with_capacity(pixmap.data().len() / 4);
    {
        let mut encoder = png::Encoder::new(&mut out, pixmap.width(), pixmap.height());
        encoder.set_color(color);
        encoder.set_depth(png::BitDepth::Eight);
        if optimize {
            encoder.set_compression(png::Compression::High);
            encoder.set_filter(png::Filter::Adaptive);
        } else {
            // The `Up` filter costs a third of adaptive filtering for files
            // about a fifth larger (BENCHMARKS.md).
            encoder.set_compression(png::Compression::Fast);
            encoder.set_filter(png::Filter::Up);
        }
        let ppm = (dpi as f64 / 0.0254).round() as u32;
        encoder.set_pixel_dims(Some(png::PixelDimensions { xppu: ppm, yppu: ppm, unit: png::Unit::Meter }));
        let mut writer = encoder.write_header().expect("PNG header of a valid pixmap");
        // The pixels are converted a band of rows at a time, not into a copy
        // of the whole card.
        let mut stream = writer.stream_writer().expect("a PNG stream of a valid pixmap");
        let row = pixmap.width() as usize * 4;
        let mut band = Vec::with_capacity(row * 32);
        for rows in pixmap.data().chunks(row * 32) {
            band.clear();
            if opaque {
                for p in rows.chunks_exact(4) {
                    band.extend_from_slice(&p[..3]);
                }
            } else {
                for p in rows.chunks_exact(4) {
                    let c = tiny_skia::PremultipliedColorU8::from_rgba(p[0], p[1], p[2], p[3])
                        .expect("premultiplied pixels")
                        .demultiply();
                    band.extend_from_slice(&[c.red(), c.green(), c.blue(), c.alpha()]);
                }
            }
            std::io::Write::write_all(&mut stream, &band).expect("PNG data into memory");
        }
        stream.finish().expect("PNG end");
    }
    out
}
