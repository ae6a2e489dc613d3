//! A card made smaller (its thumbnail, its pictures for the pages) from
//! its drawn pixels, not drawn again: each small pixel the average of the
//! card's pixels under it, as anti-aliasing a drawing that small would make
//! it. The text's glyphs,
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

/// `pixmap` made `width` pixels wide (see [`small_height`]), on its own:
/// a picture whose PNG is not encoded over a base's.
pub fn shrink_picture(pixmap: &tiny_skia::Pixmap, width: u32) -> tiny_skia::Pixmap {
    shrink(pixmap, (width, small_height(pixmap.width(), pixmap.height(), width)))
}

/// The part `part` (left, top, right, bottom, in pixels of the picture
/// made `whole` in size) of `pixmap` made `whole` in size: only that part
/// is made (a card's link preview shows its top).
pub fn shrink_part(pixmap: &tiny_skia::Pixmap, whole: (u32, u32), part: (u32, u32, u32, u32)) -> tiny_skia::Pixmap {
    let (sx, sy) =
        (f64::from(pixmap.width()) / f64::from(whole.0.max(1)), f64::from(pixmap.height()) / f64::from(whole.1.max(1)));
    let (left, top, right, bottom) = part;
    let crop = (f64::from(left) * sx, f64::from(top) * sy, f64::from(right - left) * sx, f64::from(bottom - top) * sy);
    resize(pixmap, (right - left, bottom - top), Some(crop))
}

/// `under` made `size` (once): what the thumbnails of the cards over it
/// are made over.
fn shrunk_under(under: &Under, size: (u32, u32)) -> std::sync::Arc<Under> {
    under.shrunk(size, |base| shrink(base, size))
}

/// `pixmap` (premultiplied) resized to `width` x `height` by area: a box
/// filter (fast_image_resize's, in SIMD), whose weights are never negative,
/// so a colour stays within its alpha. A card drawn a band at a time is
/// made smaller from its pixels gathered as its bands are drawn (see
/// [`super::bands`]).
fn shrink(pixmap: &tiny_skia::Pixmap, size: (u32, u32)) -> tiny_skia::Pixmap {
    resize(pixmap, size, None)
}

/// `pixmap`, or its part `crop` (left, top, width, height in its pixels),
/// resized to `width` x `height` (see [`shrink`]).
fn resize(
    pixmap: &tiny_skia::Pixmap,
    (width, height): (u32, u32),
    crop: Option<(f64, f64, f64, f64)>,
) -> tiny_skia::Pixmap {
    use fast_image_resize as fir;
    let (w, h) = (pixmap.width(), pixmap.height());
    let src = fir::images::ImageRef::new(w, h, pixmap.data(), fir::PixelType::U8x4).expect("a pixmap's bytes");
    let mut dst = fir::images::Image::new(width.max(1), height.max(1), fir::PixelType::U8x4);
    // Already premultiplied: averaged as it is.
    let mut options =
        fir::ResizeOptions::new().resize_alg(fir::ResizeAlg::Convolution(fir::FilterType::Box)).use_alpha(false);
    if let Some((left, top, w, h)) = crop {
        options = options.crop(left, top, w, h);
    }
    fir::Resizer::new().resize(&src, &mut dst, &options).expect("both are RGBA, neither empty");
    let size = tiny_skia::IntSize::from_wh(dst.width(), dst.height()).expect("not empty");
    tiny_skia::Pixmap::from_vec(dst.into_vec(), size).expect("the size of its bytes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_thumbnail_is_as_tall_as_the_card_in_proportion() {
        assert_eq!(small_height(1240, 1748, 360), 507);
        assert_eq!(small_height(1500, 2100, 360), 504);
        assert_eq!(small_height(874, 1240, 360), 511);
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
