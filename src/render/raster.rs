//! A usvg tree drawn into pixels, and one picture drawn over another.

use resvg::usvg;

/// Draws the tree scaled to `width` pixels wide.
pub fn rasterize(tree: &usvg::Tree, width: u32) -> tiny_skia::Pixmap {
    let size = tree.size();
    let scale = width as f32 / size.width();
    let height = (size.height() * scale).round().max(1.0) as u32;
    let mut pixmap = tiny_skia::Pixmap::new(width.max(1), height).expect("card sizes are small and non-zero");
    draw_tree(tree, tiny_skia::Transform::from_scale(scale, scale), &mut pixmap);
    pixmap
}

/// Draws `tree` on the blank `pixmap` through `transform`, a scale, as
/// `resvg::render` does. A first node that is a theme's paper (see
/// [`fill_paper`]) is filled without blending it over the blank pixmap, and
/// the nodes after it drawn one by one: through a scale, resvg moving a
/// node to its box and back is exact, so every pixel is resvg's.
fn draw_tree(tree: &usvg::Tree, transform: tiny_skia::Transform, pixmap: &mut tiny_skia::Pixmap) {
    let children = tree.root().children();
    let boxes: Option<Vec<_>> = children.iter().skip(1).map(usvg::Node::abs_layer_bounding_box).collect();
    let paper = children.first().zip(boxes).filter(|(first, _)| fill_paper(first, transform, pixmap));
    let Some((_, boxes)) = paper else {
        resvg::render(tree, transform, &mut pixmap.as_mut());
        return;
    };
    for (node, at) in children.iter().skip(1).zip(boxes) {
        resvg::render_node(node, transform.pre_translate(at.x(), at.y()), &mut pixmap.as_mut());
    }
}

/// Fills `node` through `transform` on the blank `pixmap`, as resvg fills
/// it, when it is a rectangle over the whole pixmap filled with an opaque
/// radial gradient (the paper of the built-in themes), and says whether it
/// did. tiny-skia takes every radial gradient for a translucent one and
/// blends it over what is there (a third of drawing a card's paper);
/// over nothing, the paint itself is what blending gives, so it is put
/// down as it is.
fn fill_paper(node: &usvg::Node, transform: tiny_skia::Transform, pixmap: &mut tiny_skia::Pixmap) -> bool {
    let usvg::Node::Path(path) = node else { return false };
    let Some(fill) = path.fill() else { return false };
    let usvg::Paint::RadialGradient(gradient) = fill.paint() else { return false };
    let opaque =
        fill.opacity() == usvg::Opacity::ONE && gradient.stops().iter().all(|s| s.opacity() == usvg::Opacity::ONE);
    if !opaque || !path.is_visible() || path.stroke().is_some() || !covers(path.data(), transform, pixmap) {
        return false;
    }
    let mode = match gradient.spread_method() {
        usvg::SpreadMethod::Pad => tiny_skia::SpreadMode::Pad,
        usvg::SpreadMethod::Reflect => tiny_skia::SpreadMode::Reflect,
        usvg::SpreadMethod::Repeat => tiny_skia::SpreadMode::Repeat,
    };
    let stops = gradient.stops().iter().map(|stop| {
        let c = stop.color();
        tiny_skia::GradientStop::new(stop.offset().get(), tiny_skia::Color::from_rgba8(c.red, c.green, c.blue, 255))
    });
    let Some(shader) = tiny_skia::RadialGradient::new(
        (gradient.fx(), gradient.fy()).into(),
        gradient.fr().get(),
        (gradient.cx(), gradient.cy()).into(),
        gradient.r().get(),
        stops.collect(),
        mode,
        gradient.transform(),
    ) else {
        return false;
    };
    let paint = tiny_skia::Paint {
        shader,
        blend_mode: tiny_skia::BlendMode::Source,
        anti_alias: path.rendering_mode().use_shape_antialiasing(),
        ..tiny_skia::Paint::default()
    };
    let rule = match fill.rule() {
        usvg::FillRule::NonZero => tiny_skia::FillRule::Winding,
        usvg::FillRule::EvenOdd => tiny_skia::FillRule::EvenOdd,
    };
    pixmap.fill_path(path.data(), &paint, rule, transform, None);
    true
}

/// Whether `path` is a rectangle that, through `transform`, covers every
/// pixel of `pixmap` whole.
fn covers(path: &tiny_skia::Path, transform: tiny_skia::Transform, pixmap: &tiny_skia::Pixmap) -> bool {
    use tiny_skia::PathSegment::{Close, LineTo, MoveTo};
    let bounds = path.bounds();
    let corner = |p: &tiny_skia::Point| {
        (p.x == bounds.left() || p.x == bounds.right()) && (p.y == bounds.top() || p.y == bounds.bottom())
    };
    let segments: Vec<_> = path.segments().collect();
    let rectangle = matches!(segments.first(), Some(MoveTo(_)))
        && matches!(segments.last(), Some(Close))
        && (5..=6).contains(&segments.len())
        && segments[1..segments.len() - 1].iter().all(|s| matches!(s, LineTo(_)))
        && path.points().iter().all(corner);
    let Some(on) = bounds.transform(transform) else { return false };
    rectangle
        && on.left() <= 0.0
        && on.top() <= 0.0
        && on.right() >= pixmap.width() as f32
        && on.bottom() >= pixmap.height() as f32
}

/// Draws `from` (premultiplied) over `to` with its top left corner at
/// (`x`, `y`), cut to `to`: the pixels tiny-skia's `draw_pixmap` makes
/// (source over, at whole pixels), without its floating-point pattern
/// pipeline (a pixel at a time through eight stages). An opaque pixel is
/// copied and a transparent one skipped; the others are blended with the
/// same single-precision arithmetic tiny-skia's pipeline does, so the
/// result is the same to the bit (a unit test tries every value).
pub(super) fn draw_over(from: &tiny_skia::Pixmap, to: &mut tiny_skia::Pixmap, x: i64, y: i64) {
    let (from_width, to_width) = (i64::from(from.width()), i64::from(to.width()));
    // The columns of `from` that fall on `to`.
    let (left, right) = ((-x).max(0), from_width.min(to_width - x));
    if left >= right {
        return;
    }
    let bytes = |columns: std::ops::Range<i64>| columns.start as usize * 4..columns.end as usize * 4;
    for row in 0..i64::from(from.height()) {
        let at = y + row;
        if !(0..i64::from(to.height())).contains(&at) {
            continue;
        }
        let src = &from.data()[(row * from_width) as usize * 4..][bytes(left..right)];
        let dst = &mut to.data_mut()[(at * to_width) as usize * 4..][bytes(x + left..x + right)];
        over_row(src, dst);
    }
}

/// A row of `src` over `dst` (see [`draw_over`]), four pixels at a time:
/// four transparent ones skipped, four opaque ones copied, the others
/// blended all sixteen channels together (the same arithmetic, which the
/// compiler then does in vector registers).
fn over_row(src: &[u8], dst: &mut [u8]) {
    let mut quads = src.chunks_exact(16).zip(dst.chunks_exact_mut(16));
    for (s, d) in &mut quads {
        let alphas = [s[3], s[7], s[11], s[15]];
        if alphas == [0; 4] {
            continue;
        }
        if alphas == [u8::MAX; 4] {
            d.copy_from_slice(s);
            continue;
        }
        let (s, d): (&[u8; 16], &mut [u8; 16]) = (s.try_into().expect("16 bytes"), d.try_into().expect("16 bytes"));
        blend(s, d);
    }
    let tail = src.len() / 16 * 16;
    for (s, d) in src[tail..].chunks_exact(4).zip(dst[tail..].chunks_exact_mut(4)) {
        let mut quad = [0u8; 16];
        quad[..4].copy_from_slice(s);
        let mut under = [0u8; 16];
        under[..4].copy_from_slice(d);
        blend(&quad, &mut under);
        d.copy_from_slice(&under[..4]);
    }
}

/// Four pixels `s` over `d`, all premultiplied, as tiny-skia's
/// high-precision pipeline computes it: each channel `d * (1 - sa) + s` in
/// `f32` from bytes times 1/255, clamped, times 255, rounded to the
/// nearest (ties to even, as the SIMD conversion it uses does). A
/// transparent pixel leaves `d` as it was and an opaque one gives `s`.
fn blend(s: &[u8; 16], d: &mut [u8; 16]) {
    const BYTE: f32 = 1.0 / 255.0;
    // Rounded to the nearest, ties to even, by adding 2^23: the sum holds
    // the rounded number in the low bits of its mantissa (round_ties_even
    // is a call to the C library's rintf here).
    const ROUND: f32 = 8_388_608.0;
    let keep: [f32; 16] = std::array::from_fn(|i| 1.0 - f32::from(s[i | 3]) * BYTE);
    for i in 0..16 {
        let v = (f32::from(d[i]) * BYTE) * keep[i] + f32::from(s[i]) * BYTE;
        d[i] = (v.clamp(0.0, 1.0) * 255.0 + ROUND).to_bits() as u8;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::parse;

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
    fn a_themes_paper_put_down_unblended_is_what_resvg_draws() {
        // Every built-in theme's card base at three sizes (its paper an
        // opaque radial gradient over the whole card), and a card of a
        // translucent paper, which is left to resvg.
        let root = tempfile::tempdir().unwrap();
        let rich = crate::markup::render("Made with *love*.", false).unwrap().rich;
        let mut papers = 0;
        for name in ["chocolate", "classic", "kraft", "minimal"] {
            let theme = crate::theme::load(root.path(), name).unwrap();
            for size in ["a6", "5x7", "a7"] {
                let size = crate::render::CardSize::named(size, 300).unwrap();
                let card = crate::render::tests::thank_you_card(&theme, size, &rich, &Default::default());
                for svg in [&card.base, &card.full] {
                    let tree = parse(&theme, svg).unwrap();
                    let mut want = tiny_skia::Pixmap::new(size.width, size.height).unwrap();
                    let scale = size.width as f32 / tree.size().width();
                    resvg::render(&tree, tiny_skia::Transform::from_scale(scale, scale), &mut want.as_mut());
                    let mut blank = tiny_skia::Pixmap::new(size.width, size.height).unwrap();
                    papers += usize::from(fill_paper(
                        &tree.root().children()[0],
                        tiny_skia::Transform::from_scale(scale, scale),
                        &mut blank,
                    ));
                    let got = rasterize(&tree, size.width);
                    assert!(got == want, "{name} {}x{}: not resvg's pixels", size.width, size.height);
                }
            }
        }
        assert!(papers >= 12, "the papers were put down unblended {papers} times");
        let svg = r##"<svg xmlns="http://www.w3.org/2000/svg" width="40" height="30"><defs><radialGradient id="p"><stop offset="0" stop-color="#fff"/><stop offset="1" stop-color="#c96" stop-opacity="0.5"/></radialGradient></defs><rect width="40" height="30" fill="url(#p)"/><circle cx="20" cy="15" r="8" fill="#123"/></svg>"##;
        let tree = usvg::Tree::from_str(svg, &usvg::Options::default()).unwrap();
        let mut blank = tiny_skia::Pixmap::new(40, 30).unwrap();
        assert!(!fill_paper(&tree.root().children()[0], tiny_skia::Transform::identity(), &mut blank));
    }

    #[test]
    fn a_picture_drawn_over_is_what_tiny_skia_draws_wherever_it_falls() {
        let under = picture(50, 30, 255);
        let paint = tiny_skia::PixmapPaint::default();
        for (width, height) in [(20, 10), (60, 40), (5, 50)] {
            for (x, y) in [(0, 0), (7, 3), (-4, -6), (45, 25), (-70, 0), (0, 31)] {
                for alpha in [255, 128, 0, 3] {
                    let from = picture(width, height, alpha);
                    let mut want = under.clone();
                    want.draw_pixmap(x as i32, y as i32, from.as_ref(), &paint, tiny_skia::Transform::identity(), None);
                    let mut got = under.clone();
                    draw_over(&from, &mut got, x, y);
                    assert!(got == want, "{width}x{height} at {x}, {y}, alpha {alpha}");
                }
            }
        }
    }

    #[test]
    fn transparent_opaque_and_partial_pixels_side_by_side_blend_as_tiny_skia_blends_them() {
        // Eight pixels are looked at at once: blocks mixing the three kinds,
        // and rows whose width is not a whole number of blocks.
        let paint = tiny_skia::PixmapPaint::default();
        for width in [37, 64] {
            let mut from = picture(width, 23, 255);
            for (i, p) in from.pixels_mut().iter_mut().enumerate() {
                let alpha = [0, 255, 0, 7, 255, 128, 0, 254][(i * 7 + i / 5) % 8];
                let c = p.demultiply();
                *p = tiny_skia::ColorU8::from_rgba(c.red(), c.green(), c.blue(), alpha).premultiply();
            }
            let under = picture(width + 9, 30, 200);
            let mut want = under.clone();
            want.draw_pixmap(3, 2, from.as_ref(), &paint, tiny_skia::Transform::identity(), None);
            let mut got = under.clone();
            draw_over(&from, &mut got, 3, 2);
            assert!(got == want, "{width} pixels wide");
        }
    }

    #[test]
    fn every_pixel_value_blends_as_tiny_skia_blends_it() {
        // Every premultiplied channel value (at most its alpha) with every
        // alpha, over every value under it: a row per alpha and value
        // under, sixteen alphas at a time.
        let paint = tiny_skia::PixmapPaint::default();
        for alphas in (0..=255u32).collect::<Vec<_>>().chunks(16) {
            let mut from = tiny_skia::Pixmap::new(256, 16 * 256).unwrap();
            let mut under = tiny_skia::Pixmap::new(256, 16 * 256).unwrap();
            for (i, alpha) in alphas.iter().enumerate() {
                for d in 0..=255u32 {
                    let row = i * 256 + d as usize;
                    for s in 0..=255u32 {
                        let c = s.min(*alpha) as u8;
                        let at = (row * 256 + s as usize) * 4;
                        from.data_mut()[at..at + 4].copy_from_slice(&[c, c / 2, c / 3, *alpha as u8]);
                        under.data_mut()[at..at + 4].copy_from_slice(&[d as u8, d as u8 / 2, d as u8 / 3, d as u8]);
                    }
                }
            }
            let mut want = under.clone();
            want.draw_pixmap(0, 0, from.as_ref(), &paint, tiny_skia::Transform::identity(), None);
            draw_over(&from, &mut under, 0, 0);
            let differ = want.data().iter().zip(under.data()).filter(|(a, b)| a != b).count();
            assert_eq!(differ, 0, "channels differ for alphas {alphas:?}");
        }
    }
}
