//! A node drawn alone, as a layer to place on cards: at whole pixels, its
//! wide blurs drawn at a lower resolution and scaled up.

use resvg::usvg;

use super::layers::{Layer, LayerBytes};
use super::raster::draw_over;

/// How many pixels of blur (the standard deviation) a blur keeps when drawn
/// at a lower resolution: a shadow blurred this much has nothing finer than
/// a few pixels, so scaling it up smoothly loses nothing the eye sees.
const BLUR_KEPT: f32 = 2.0;

/// Drawn parts of layers that many layers share, by what they draw (see
/// [`part_key`]): a seal's shadows and the grain of its face are the same
/// under every emblem and wax colour of its rim, its wax (see
/// [`crate::seal::WAX`]) under every emblem and initials of its rim and
/// colour.
pub type Parts = quick_cache::sync::Cache<String, Layer, LayerBytes>;

/// Draws a node alone on a transparent pixmap covering its box at `scale`,
/// at whole-pixel offsets so placing it gives the same pixels as drawing it
/// in place. A group drawn straight onto the card (not isolated) is drawn
/// child by child, so that a child that is only a wide blur (a seal's cast
/// shadow) can be drawn smaller (resvg's blur costs by the pixel, and the
/// seal's two shadows were 40 % of drawing it), and a filtered part drawn
/// once for every layer that has it, kept in `parts`.
pub fn draw_alone(node: &usvg::Node, scale: f32, parts: &Parts) -> Option<(tiny_skia::Pixmap, i32, i32)> {
    let (mut pixmap, x0, y0) = covering(node, scale)?;
    // A card's top-level node: its parent is the card itself.
    let blank = std::cell::Cell::new(true);
    let on = Canvas { card: tiny_skia::Transform::from_scale(scale, scale), at: (x0, y0), scale, parts, blank: &blank };
    draw_in_parts(node, &on, &mut pixmap);
    Some((pixmap, x0, y0))
}

/// A transparent pixmap covering `node`'s box on the card at `scale`, at
/// whole pixels, and the card pixel where it starts.
fn covering(node: &usvg::Node, scale: f32) -> Option<(tiny_skia::Pixmap, i32, i32)> {
    let bbox = node.abs_layer_bounding_box()?;
    let (x0, y0) = ((bbox.x() * scale).floor(), (bbox.y() * scale).floor());
    let (x1, y1) = ((bbox.right() * scale).ceil(), (bbox.bottom() * scale).ceil());
    let pixmap = tiny_skia::Pixmap::new((x1 - x0).max(1.0) as u32, (y1 - y0).max(1.0) as u32)?;
    Some((pixmap, x0 as i32, y0 as i32))
}

/// Where a node is drawn: `card` maps its parent's space to the card's
/// pixels, the pixmap drawn on starts at the card's pixel `at`.
struct Canvas<'a> {
    card: tiny_skia::Transform,
    at: (i32, i32),
    scale: f32,
    parts: &'a Parts,
    /// Whether nothing is drawn on the pixmap yet: a part placed on it is
    /// then copied, which is what laying it over nothing makes.
    blank: &'a std::cell::Cell<bool>,
}

impl Canvas<'_> {
    /// The parent's space to the pixmap's pixels.
    fn space(&self) -> tiny_skia::Transform {
        tiny_skia::Transform::from_translate(-self.at.0 as f32, -self.at.1 as f32).pre_concat(self.card)
    }
}

/// Draws `node` on `pixmap` (see [`Canvas`]): a group drawn straight onto
/// the card (not isolated) child by child, a shared part from `parts`.
fn draw_in_parts(node: &usvg::Node, on: &Canvas, pixmap: &mut tiny_skia::Pixmap) {
    match node {
        usvg::Node::Group(group) if !group.should_isolate() && !is_wax(group) => draw_children(group, on, pixmap),
        _ => match part_key(node, on.card) {
            Some(key) => {
                let drawn = on.parts.get_or_insert_with(&key, || {
                    Ok::<_, std::convert::Infallible>(draw_part(node, on).map(std::sync::Arc::new))
                });
                if let Some(part) = drawn.unwrap_or_else(|never| match never {}) {
                    let (x, y) = (i64::from(part.1 - on.at.0), i64::from(part.2 - on.at.1));
                    if on.blank.replace(false) {
                        copy_onto_blank(&part.0, pixmap, x, y);
                    } else {
                        draw_over(&part.0, pixmap, x, y);
                    }
                }
            }
            None => {
                on.blank.set(false);
                draw_node(node, on.space(), pixmap);
            }
        },
    }
}

/// Draws the children of `group`, not isolated, straight onto `pixmap`.
fn draw_children(group: &usvg::Group, on: &Canvas, pixmap: &mut tiny_skia::Pixmap) {
    let inner = Canvas { card: on.card.pre_concat(group.transform()), ..*on };
    for child in group.children() {
        draw_in_parts(child, &inner, pixmap);
    }
}

/// Whether `group` is a seal's wax (see [`crate::seal::WAX`]), drawn once
/// for every seal that has it.
fn is_wax(group: &usvg::Group) -> bool {
    group.id().strip_suffix(crate::seal::WAX).is_some_and(|id| id.ends_with('-'))
}

/// Puts `from` on `to`, where nothing is drawn yet, with its top left corner
/// at (`x`, `y`), cut to `to`: the pixels [`draw_over`] makes there, copied.
fn copy_onto_blank(from: &tiny_skia::Pixmap, to: &mut tiny_skia::Pixmap, x: i64, y: i64) {
    let (from_width, to_width) = (i64::from(from.width()), i64::from(to.width()));
    let (left, right) = ((-x).max(0), from_width.min(to_width - x));
    if left >= right {
        return;
    }
    let (top, bottom) = ((-y).max(0), i64::from(from.height()).min(i64::from(to.height()) - y));
    let span = (right - left) as usize * 4;
    for row in top..bottom {
        let src = &from.data()[((row * from_width + left) * 4) as usize..][..span];
        to.data_mut()[(((y + row) * to_width + x + left) * 4) as usize..][..span].copy_from_slice(src);
    }
}

/// Draws `node` through `space` (its parent's space to `pixmap`'s pixels).
fn draw_node(node: &usvg::Node, space: tiny_skia::Transform, pixmap: &mut tiny_skia::Pixmap) {
    match blur_shrink(node, space) {
        Some(k) => draw_blurred(node, space, k, pixmap),
        None => {
            // render_node puts a node's box at the origin it is given:
            // moved back by `at`.
            if let Some(at) = node.abs_layer_bounding_box() {
                super::blur::render_node(node, space.pre_translate(at.x(), at.y()), pixmap);
            }
        }
    }
}

/// `node` (a part) alone on a pixmap covering its box at whole pixels of
/// the card, and the card pixel where that starts.
fn draw_part(node: &usvg::Node, on: &Canvas) -> Option<(tiny_skia::Pixmap, i32, i32)> {
    let (mut pixmap, x0, y0) = covering(node, on.scale)?;
    let blank = std::cell::Cell::new(true);
    let at = Canvas { at: (x0, y0), blank: &blank, ..*on };
    match node {
        // A seal's wax: its own shadows are parts too.
        usvg::Node::Group(group) if !group.should_isolate() => draw_children(group, &at, &mut pixmap),
        _ => draw_node(node, at.space(), &mut pixmap),
    }
    Some((pixmap, x0, y0))
}

/// What `node`, drawn through `card`, draws, as a key to share its drawing
/// by: a filtered group or a seal's wax, of groups and plain paths (no
/// images, text or references a description could leave out), described
/// by everything resvg draws it from (names in it only keep apart what
/// could have been shared); `None` for anything else, drawn where it is.
fn part_key(node: &usvg::Node, card: tiny_skia::Transform) -> Option<String> {
    use sha2::Digest as _;
    use std::fmt::Write as _;
    let usvg::Node::Group(group) = node else { return None };
    if group.filters().is_empty() && !is_wax(group) {
        return None;
    }
    let mut described = Described(sha2::Sha256::new());
    let _ = write!(described, "{card:?}");
    describe(node, &mut described)?;
    Some(described.0.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// A description, hashed as it is written.
struct Described(sha2::Sha256);

impl std::fmt::Write for Described {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        sha2::Digest::update(&mut self.0, s.as_bytes());
        Ok(())
    }
}

/// Describes what resvg draws `node` from; `None` for what a description
/// could leave out (images, text, clips and masks).
fn describe(node: &usvg::Node, out: &mut Described) -> Option<()> {
    use std::fmt::Write as _;
    match node {
        usvg::Node::Group(group) => {
            if group.clip_path().is_some() || group.mask().is_some() {
                return None;
            }
            let _ = write!(
                out,
                " group {:?} {:?} {:?} {}",
                group.transform(),
                group.opacity(),
                group.blend_mode(),
                group.should_isolate()
            );
            for filter in group.filters() {
                let _ = write!(out, " filter {:?}", filter.rect());
                for primitive in filter.primitives() {
                    if matches!(primitive.kind(), usvg::filter::Kind::Image(_)) {
                        return None;
                    }
                    let _ = write!(out, " {primitive:?}");
                }
            }
            for child in group.children() {
                describe(child, out)?;
            }
            let _ = out.write_str(" end");
        }
        usvg::Node::Path(path) => {
            let _ = write!(
                out,
                " path {} {:?} {:?} {:?} {:?} {}",
                path.is_visible(),
                path.fill(),
                path.stroke(),
                path.paint_order(),
                path.rendering_mode(),
                path.data().verbs().len(),
            );
            // The outline as its numbers' bits: formatting them took as
            // long as drawing what they describe.
            let data = path.data();
            for verb in data.verbs() {
                sha2::Digest::update(&mut out.0, [*verb as u8]);
            }
            for point in data.points() {
                sha2::Digest::update(&mut out.0, point.x.to_bits().to_le_bytes());
                sha2::Digest::update(&mut out.0, point.y.to_bits().to_le_bytes());
            }
        }
        _ => return None,
    }
    Some(())
}

/// How many times smaller `node` can be drawn, drawn through `space`: more
/// than once when it is a group whose filters are only Gaussian blurs,
/// each at least `2 * BLUR_KEPT` pixels (clipped or masked groups are drawn
/// as they are).
fn blur_shrink(node: &usvg::Node, space: tiny_skia::Transform) -> Option<u32> {
    let usvg::Node::Group(group) = node else { return None };
    if group.filters().is_empty() || group.clip_path().is_some() || group.mask().is_some() {
        return None;
    }
    let (sx, sy) = space.pre_concat(group.transform()).get_scale();
    let mut least = f32::INFINITY;
    for primitive in group.filters().iter().flat_map(|f| f.primitives()) {
        let usvg::filter::Kind::GaussianBlur(blur) = primitive.kind() else { return None };
        least = least.min(blur.std_dev_x().get() * sx).min(blur.std_dev_y().get() * sy);
    }
    let k = (least / BLUR_KEPT).floor().min(4.0);
    (k >= 2.0).then_some(k as u32)
}

/// Draws `node` (see [`blur_shrink`]) `k` times smaller, then scaled up
/// onto `pixmap` in its place (bilinear, see [`scale_up_over`]).
fn draw_blurred(node: &usvg::Node, space: tiny_skia::Transform, k: u32, pixmap: &mut tiny_skia::Pixmap) {
    let (usvg::Node::Group(group), Some(at)) = (node, node.abs_layer_bounding_box()) else { return };
    // The node's box on the card, k times smaller, at whole pixels.
    let small = tiny_skia::Transform::from_scale(1.0 / k as f32, 1.0 / k as f32).pre_concat(space);
    let Some(corners) = group.layer_bounding_box().to_rect().transform(small.pre_concat(group.transform())) else {
        return;
    };
    let (sx0, sy0) = (corners.x().floor(), corners.y().floor());
    let (w, h) = ((corners.right().ceil() - sx0) as u32 + 1, (corners.bottom().ceil() - sy0) as u32 + 1);
    let Some(mut drawn) = tiny_skia::Pixmap::new(w, h) else { return };
    let to_small = tiny_skia::Transform::from_translate(-sx0, -sy0).pre_concat(small);
    super::blur::render_node(node, to_small.pre_translate(at.x(), at.y()), &mut drawn);
    scale_up_over(pixmap, &drawn, k, (sx0 as i64, sy0 as i64));
}

/// Draws `small` (premultiplied) `k` times larger over `pixmap`, its pixel
/// (0, 0) covering `pixmap`'s pixels from `k * at` on: each pixel of
/// `pixmap` gets the bilinear blend of the four small pixels around its
/// centre (transparent past the edges), laid over it. tiny-skia's own
/// bilinear draw (its high-precision pipeline) cost 5 ms for a seal's
/// shadow; this, a fraction of one.
fn scale_up_over(pixmap: &mut tiny_skia::Pixmap, small: &tiny_skia::Pixmap, k: u32, at: (i64, i64)) {
    let k = k as i64;
    // For each pixel along an axis: the small pixel before its centre and
    // the weight of the one after (`None` where the picture is not).
    let taps = |len: u32, from: i64, out: u32| -> Vec<Option<(i64, f32)>> {
        (0..out as i64)
            .map(|p| {
                let f = (p as f32 + 0.5) / k as f32 - from as f32 - 0.5;
                let i = f.floor();
                (i >= -1.0 && i < len as f32).then_some((i as i64, f - i))
            })
            .collect()
    };
    let (cols, rows) = (taps(small.width(), at.0, pixmap.width()), taps(small.height(), at.1, pixmap.height()));
    let Some(x0) = cols.iter().position(Option::is_some) else { return };
    let span = cols[x0..].iter().take_while(|c| c.is_some()).count();
    // Each small row (and a transparent one above and below) widened
    // across first: `wide[j + 1]` is small row j.
    let (sw, dw) = (small.width() as usize, pixmap.width() as usize);
    let mut wide = vec![0f32; (small.height() as usize + 2) * span * 4];
    for (row, out) in small.data().chunks_exact(sw * 4).zip(wide.chunks_exact_mut(span * 4).skip(1)) {
        let texel = |i: i64, c: usize| if i < 0 || i >= sw as i64 { 0.0 } else { row[i as usize * 4 + c] as f32 };
        for (col, px) in cols[x0..x0 + span].iter().zip(out.chunks_exact_mut(4)) {
            let (i, u) = col.expect("within the span");
            for (c, v) in px.iter_mut().enumerate() {
                *v = texel(i, c) * (1.0 - u) + texel(i + 1, c) * u;
            }
        }
    }
    let data = pixmap.data_mut();
    for (y, row) in rows.iter().enumerate() {
        let Some((j, v)) = *row else { continue };
        let (top, bottom) =
            (&wide[(j + 1) as usize * span * 4..][..span * 4], &wide[(j + 2) as usize * span * 4..][..span * 4]);
        let dst = &mut data[(y * dw + x0) * 4..][..span * 4];
        let mut quads = dst.chunks_exact_mut(16).zip(top.chunks_exact(16)).zip(bottom.chunks_exact(16));
        for ((d, t), b) in &mut quads {
            mix_over::<16>(d.try_into().expect("16"), t.try_into().expect("16"), b.try_into().expect("16"), v);
        }
        let done = span / 4 * 16;
        let pixels =
            dst[done..].chunks_exact_mut(4).zip(top[done..].chunks_exact(4)).zip(bottom[done..].chunks_exact(4));
        for ((d, t), b) in pixels {
            mix_over::<4>(d.try_into().expect("4"), t.try_into().expect("4"), b.try_into().expect("4"), v);
        }
    }
}

/// `N / 4` pixels, the blend of `top` and `bottom` by `v`, laid over `d`,
/// rounded to the nearest (halves up): all `N` channels together, with no
/// branch, so the compiler does them in vector registers. A transparent
/// blend (where a shadow is not) gives `d` back.
#[inline]
fn mix_over<const N: usize>(d: &mut [u8; N], top: &[f32; N], bottom: &[f32; N], v: f32) {
    let keep: [f32; N] = std::array::from_fn(|i| 1.0 - (top[i | 3] * (1.0 - v) + bottom[i | 3] * v) / 255.0);
    for i in 0..N {
        let s = top[i] * (1.0 - v) + bottom[i] * v;
        d[i] = byte(s + d[i] as f32 * keep[i]);
    }
}

/// `x.round().min(255.0) as u8` for `x` from a hair under nought to 2^23,
/// without the C library's `roundf` (a call per channel was a third of
/// scaling a shadow up) or a branch.
#[inline]
fn byte(x: f32) -> u8 {
    let whole = x as i32 as f32;
    let rounded = whole + if x - whole >= 0.5 { 1.0 } else { 0.0 };
    // A whole number under 2^23 plus 2^23 holds itself in the low bits.
    (rounded.min(255.0) + 8_388_608.0).to_bits() as u8
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::{parse, CardSize, SEAL_ID};

    /// A 300 dpi A6 card of `theme` with the default seal, and its scale.
    fn seal_drawn(theme: &str) -> (usvg::Tree, f32) {
        seal_of(theme, &crate::seal::SealSpec::default())
    }

    /// A 300 dpi A6 card of `theme` with `seal`, and its scale.
    fn seal_of(theme: &str, seal: &crate::seal::SealSpec) -> (usvg::Tree, f32) {
        let root = tempfile::tempdir().unwrap();
        let rich = crate::markup::render("Made with *love*.", false).unwrap().rich;
        let theme = crate::theme::load(root.path(), theme).unwrap();
        let size = CardSize::named("a6", 300).unwrap();
        let card = crate::render::tests::thank_you_card(&theme, size, &rich, seal);
        let tree = parse(&theme, &card.full).unwrap();
        let scale = size.width as f32 / tree.size().width();
        (tree, scale)
    }

    #[test]
    fn byte_rounds_as_the_standard_library() {
        let mut x = 0.0f32;
        while x < 300.0 {
            let half = f32::from_bits((x.floor() + 0.5).to_bits());
            let near = [x, half, f32::from_bits(half.to_bits() - 1), f32::from_bits(half.to_bits() + 1)];
            for v in near {
                assert_eq!(byte(v), v.round().min(255.0) as u8, "{v}");
            }
            x += 0.37;
        }
        for v in [-1e-6, -0.0, 0.0, 0.49999997, 0.5, 254.5, 255.49998, 8_388_607.5] {
            assert_eq!(byte(v), v.round().min(255.0) as u8, "{v}");
        }
    }

    #[test]
    fn a_seals_wide_shadow_drawn_smaller_looks_like_one_drawn_whole() {
        for theme in ["chocolate", "kraft"] {
            let (tree, scale) = seal_drawn(theme);
            let seal = tree.root().children().iter().find(|n| n.id() == SEAL_ID).unwrap();
            let usvg::Node::Group(group) = seal else { panic!("the seal is a group") };
            let usvg::Node::Group(drawing) = &group.children()[0] else { panic!("the seal's drawing is a group") };
            let usvg::Node::Group(wax) = &drawing.children()[0] else { panic!("the seal's wax is a group") };
            assert!(is_wax(wax), "{theme}: the wax is drawn first");
            let space = tiny_skia::Transform::from_scale(scale, scale).pre_concat(wax.abs_transform());
            let shrunk: Vec<_> = wax.children().iter().filter_map(|c| blur_shrink(c, space)).collect();
            assert_eq!(shrunk, [4], "{theme}: the cast shadow is drawn 4 times smaller, the contact shadow whole");
            let (fast, x, y) = draw_alone(seal, scale, &crate::render::layers::part_cache(1 << 20)).unwrap();
            // As resvg draws the whole group, in the same place.
            let mut whole = tiny_skia::Pixmap::new(fast.width(), fast.height()).unwrap();
            let bbox = seal.abs_layer_bounding_box().unwrap();
            let to = tiny_skia::Transform::from_translate(-x as f32, -y as f32).pre_scale(scale, scale);
            resvg::render_node(seal, to.pre_translate(bbox.x(), bbox.y()), &mut whole.as_mut());
            let diffs = || fast.data().iter().zip(whole.data()).map(|(a, b)| a.abs_diff(*b) as u64);
            let (sum, worst) = (diffs().sum::<u64>(), diffs().max().unwrap());
            let mean = sum as f64 / fast.data().len() as f64;
            assert!(mean < 0.3, "{theme}: mean difference {mean}");
            assert!(worst <= 8, "{theme}: worst difference {worst}");
        }
    }

    #[test]
    fn seals_of_one_rim_share_their_shadows_grain_and_wax_whatever_their_emblem() {
        let spec = |emblem: &str, color: &str, initials: Option<&str>| crate::seal::SealSpec {
            emblem: emblem.into(),
            color: color.into(),
            initials: initials.map(Into::into),
            custom: None,
        };
        let parts = crate::render::layers::part_cache(16 << 20);
        let seals = [
            spec("heart", "chocolate", None),
            spec("star", "red", None),
            spec("star", "chocolate", None),
            spec("monogram", "chocolate", Some("BC")),
        ];
        for spec in seals {
            let (tree, scale) = seal_of("chocolate", &spec);
            let seal = tree.root().children().iter().find(|n| n.id() == SEAL_ID).unwrap();
            let shared = draw_alone(seal, scale, &parts).unwrap();
            // As resvg draws the whole group, in the same place.
            let mut whole = tiny_skia::Pixmap::new(shared.0.width(), shared.0.height()).unwrap();
            let bbox = seal.abs_layer_bounding_box().unwrap();
            let to = tiny_skia::Transform::from_translate(-shared.1 as f32, -shared.2 as f32).pre_scale(scale, scale);
            let alone = draw_alone(seal, scale, &crate::render::layers::part_cache(16 << 20)).unwrap();
            assert_eq!(shared.0.data(), alone.0.data(), "{} {}: as drawn alone", spec.emblem, spec.color);
            assert_eq!((shared.1, shared.2), (alone.1, alone.2));
            resvg::render_node(seal, to.pre_translate(bbox.x(), bbox.y()), &mut whole.as_mut());
            let worst = shared.0.data().iter().zip(whole.data()).map(|(a, b)| a.abs_diff(*b)).max().unwrap();
            assert!(worst <= 8, "{} {}: worst difference {worst} from the seal drawn whole", spec.emblem, spec.color);
        }
        // The cast and contact shadows and the face's grain, once; the wax
        // once for each colour.
        assert_eq!(parts.len(), 5);
    }
}
