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
    pub fn width(&self, width: u32) -> u32 {
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
        let t = (row - from + 1) as f32 / rows as f32;
        let t = t * t * (3.0 - 2.0 * t);
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
                let ramp = |d: f32| {
                    let t = ((d + SHADOW_SPREAD) / (2.0 * SHADOW_SPREAD)).clamp(0.0, 1.0);
                    t * t * (3.0 - 2.0 * t)
                };
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
