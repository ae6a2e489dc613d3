//! A group that is only a box blur of what it holds (a seal's shadows),
//! drawn as resvg draws it, its blur a row at a time.
//!
//! resvg blurs a deviation of 2 pixels or more with five box blurs, each
//! down every column and then along every row, a pixel at a time. Going
//! down a column strides through memory a row apart, so a seal's contact
//! shadow took 6 ms to blur, most of a cold seal's drawing. Here the
//! columns are summed a whole row at a time; the sums, and their rounding,
//! are the ones resvg makes, so the pixels are too.

use resvg::usvg;
use tiny_skia::IntRect;

/// Boxes in the blur, as resvg has them.
const STEPS: usize = 5;

/// Draws `node` through `transform` on `pixmap`, as `resvg::render_node`
/// does: a group that is only a box blur of what it holds is drawn here,
/// anything else by resvg.
pub(super) fn render_node(node: &usvg::Node, transform: tiny_skia::Transform, pixmap: &mut tiny_skia::Pixmap) {
    let drawn = match node {
        usvg::Node::Group(group) => lone_blur(group).is_some_and(|blur| draw(group, blur, transform, pixmap)),
        _ => false,
    };
    if !drawn {
        resvg::render_node(node, transform, &mut pixmap.as_mut());
    }
}

/// The blur of `group` when the group is only that (one filter of one
/// Gaussian blur of what it draws, in sRGB, with nothing else to apply).
fn lone_blur(group: &usvg::Group) -> Option<&usvg::filter::GaussianBlur> {
    let [filter] = group.filters() else { return None };
    let [primitive] = filter.primitives() else { return None };
    let usvg::filter::Kind::GaussianBlur(blur) = primitive.kind() else { return None };
    let plain = group.clip_path().is_none()
        && group.mask().is_none()
        && group.opacity() == usvg::Opacity::ONE
        && group.blend_mode() == usvg::BlendMode::Normal
        && primitive.color_interpolation() == usvg::filter::ColorInterpolation::SRGB
        && matches!(blur.input(), usvg::filter::Input::SourceGraphic);
    plain.then_some(blur)
}

/// Draws `group` (see [`lone_blur`]) through `transform` on `pixmap`, each
/// step as resvg 0.49 takes it (`render_group`, `render_layer`,
/// `filter::apply`); `false`, drawing nothing, where resvg would not blur
/// with boxes (a deviation under 2 pixels) or the group is turned.
fn draw(
    group: &usvg::Group,
    blur: &usvg::filter::GaussianBlur,
    transform: tiny_skia::Transform,
    pixmap: &mut tiny_skia::Pixmap,
) -> bool {
    let bbox = group.abs_layer_bounding_box();
    let to_layer = transform.pre_translate(-bbox.x(), -bbox.y()).pre_concat(group.transform());
    // Unturned and unmirrored, resvg draws the layer with no transform left.
    if to_layer.kx != 0.0 || to_layer.ky != 0.0 || to_layer.sx <= 0.0 || to_layer.sy <= 0.0 {
        return false;
    }
    let (sx, sy) = to_layer.get_scale();
    let Some((sigma_x, sigma_y)) = box_sigmas(blur.std_dev_x().get() * sx, blur.std_dev_y().get() * sy) else {
        return false;
    };
    // The layer: the group's box (its filter's region) at whole pixels.
    let Some(layer_box) = group.layer_bounding_box().transform(to_layer) else { return false };
    let Some(at) = IntRect::from_xywh(
        layer_box.x().floor() as i32,
        layer_box.y().floor() as i32,
        layer_box.width().ceil().max(1.0) as u32,
        layer_box.height().ceil().max(1.0) as u32,
    )
    .and_then(|at| at.intersect(&max_box(pixmap))) else {
        return false;
    };
    let (mut dx, mut dy) = (layer_box.x(), layer_box.y());
    dx -= layer_box.x() - at.x() as f32;
    dy -= layer_box.y() - at.y() as f32;
    let in_layer = tiny_skia::Transform::from_translate(-dx, -dy).pre_concat(to_layer);
    let Some(mut layer) = tiny_skia::Pixmap::new(at.width(), at.height()) else { return false };
    for child in group.children() {
        if let Some(child_box) = child.abs_layer_bounding_box() {
            resvg::render_node(child, in_layer.pre_translate(child_box.x(), child_box.y()), &mut layer.as_mut());
        }
    }
    // The filter's region of the layer, blurred, cut to the blur's own.
    let whole = IntRect::from_xywh(0, 0, layer.width(), layer.height()).expect("a pixmap is not empty");
    let Some(region) = group.filters()[0].rect().transform(in_layer).and_then(|r| r.to_int_rect().intersect(&whole))
    else {
        return false;
    };
    let in_region = in_layer.post_translate(-region.x() as f32, -region.y() as f32);
    // With no region for the blur, left to resvg (which draws nothing).
    let Some(kept) = group.filters()[0].primitives()[0].rect().transform(in_region) else { return false };
    let Some(mut blurred) = layer.clone_rect(region) else { return false };
    box_blur(sigma_x, sigma_y, &mut blurred);
    clear_outside(&mut blurred, kept.to_int_rect());
    super::raster::draw_over(&blurred, pixmap, i64::from(at.x() + region.x()), i64::from(at.y() + region.y()));
    true
}

/// resvg's largest layer on `pixmap`: its size twice over on every side.
fn max_box(pixmap: &tiny_skia::Pixmap) -> IntRect {
    let (w, h) = (pixmap.width(), pixmap.height());
    IntRect::from_xywh(
        i32::try_from(w).unwrap_or(i32::MAX).saturating_mul(-2),
        i32::try_from(h).unwrap_or(i32::MAX).saturating_mul(-2),
        w.saturating_mul(5),
        h.saturating_mul(5),
    )
    .unwrap_or_else(|| IntRect::from_ltrb(i32::MIN / 2, i32::MIN / 2, i32::MAX / 2, i32::MAX / 2).expect("a rect"))
}

/// The deviations, in pixels, resvg blurs with boxes; `None` for the ones
/// it leaves alone (both nil) or blurs otherwise (both under 2 pixels).
fn box_sigmas(x: f32, y: f32) -> Option<(f64, f64)> {
    // Within 4 units in the last place of nil, as resvg asks.
    let nil = |s: f32| s == 0.0 || (s > 0.0 && s.to_bits() <= 4);
    if nil(x) && nil(y) {
        return None;
    }
    let tiny = |s: f32| if s < 0.05 { 0.0 } else { s };
    let (x, y) = (tiny(x), tiny(y));
    (x >= 2.0 || y >= 2.0).then_some((f64::from(x), f64::from(y)))
}

/// Makes transparent every pixel of `pixmap` outside `kept`.
fn clear_outside(pixmap: &mut tiny_skia::Pixmap, kept: IntRect) {
    let (w, h) = (pixmap.width() as i64, pixmap.height() as i64);
    let (x0, x1) = (i64::from(kept.left()).clamp(0, w), i64::from(kept.right()).clamp(0, w));
    let (y0, y1) = (i64::from(kept.top()).clamp(0, h), i64::from(kept.bottom()).clamp(0, h));
    for (y, row) in pixmap.data_mut().chunks_exact_mut(w as usize * 4).enumerate() {
        let y = y as i64;
        if y < y0 || y >= y1 || x0 >= x1 {
            row.fill(0);
        } else {
            row[..x0 as usize * 4].fill(0);
            row[x1 as usize * 4..].fill(0);
        }
    }
}

/// resvg's box blur: for each of five boxes, the columns then the rows.
pub(super) fn box_blur(sigma_x: f64, sigma_y: f64, pixmap: &mut tiny_skia::Pixmap) {
    let width = pixmap.width() as usize;
    let mut back = vec![0u8; pixmap.data().len()];
    let mut sums = Vec::new();
    for (across, down) in boxes(sigma_x as f32).into_iter().zip(boxes(sigma_y as f32)) {
        let front = pixmap.data_mut();
        columns((down - 1) / 2, front, &mut back, width, &mut sums);
        rows((across - 1) / 2, &back, front, width, &mut sums);
    }
}

/// The five box widths resvg blurs a deviation of `sigma` with.
fn boxes(sigma: f32) -> [usize; STEPS] {
    if sigma <= 0.0 {
        return [1; STEPS];
    }
    let n = STEPS as f32;
    let ideal = (12.0 * sigma * sigma / n).sqrt() + 1.0;
    let mut lower = ideal.floor() as i32;
    if lower % 2 == 0 {
        lower -= 1;
    }
    let l = lower as f32;
    let m = ((12.0 * sigma * sigma - n * l * l - 4.0 * n * l - 3.0 * n) / (-4.0 * l - 4.0)).round() as usize;
    std::array::from_fn(|i| if i < m { lower as usize } else { lower as usize + 2 })
}

/// An average of a box of sums, rounded as resvg rounds it: to the
/// nearest, ties to even, by adding and taking away 1.5 * 2^23. The sum
/// with 1.5 * 2^23 added holds the rounded average in the low bits of its
/// mantissa, taken from there (the same number, and it vectorises).
#[inline]
fn average(sum: i32, inverse: f32) -> u8 {
    const ROUND: f32 = 12_582_912.0;
    (sum as f32 * inverse + ROUND).to_bits() as u8
}

/// Each column of `from` (`width` pixels a row) averaged over `radius`
/// pixels above and below (nothing past the edges) into `to`: the sums of
/// a row are the last row's, plus the row coming into the box, less the
/// one leaving it.
fn columns(radius: usize, from: &[u8], to: &mut [u8], width: usize, sums: &mut Vec<i32>) {
    if radius == 0 {
        to.copy_from_slice(from);
        return;
    }
    let stride = width * 4;
    let height = from.len() / stride;
    let inverse = 1.0 / (2 * radius + 1) as f32;
    sums.clear();
    sums.resize(stride, 0);
    for above in from.chunks_exact(stride).take(radius.min(height)) {
        sums.iter_mut().zip(above).for_each(|(s, v)| *s += i32::from(*v));
    }
    for (y, out) in to.chunks_exact_mut(stride).enumerate() {
        if let Some(entering) = from.get((y + radius) * stride..(y + radius + 1) * stride) {
            sums.iter_mut().zip(entering).for_each(|(s, v)| *s += i32::from(*v));
        }
        out.iter_mut().zip(sums.iter()).for_each(|(o, s)| *o = average(*s, inverse));
        if let Some(top) = y.checked_sub(radius) {
            let leaving = &from[top * stride..(top + 1) * stride];
            sums.iter_mut().zip(leaving).for_each(|(s, v)| *s -= i32::from(*v));
        }
    }
}

/// Each row of `from` averaged over `radius` pixels left and right
/// (nothing past the ends) into `to`, from the row's running sums: a box
/// is the sum up to its right end less the sum before its left end.
fn rows(radius: usize, from: &[u8], to: &mut [u8], width: usize, running: &mut Vec<i32>) {
    if radius == 0 {
        to.copy_from_slice(from);
        return;
    }
    let stride = width * 4;
    let inverse = 1.0 / (2 * radius + 1) as f32;
    running.clear();
    running.resize(stride + 4, 0);
    for (from, out) in from.chunks_exact(stride).zip(to.chunks_exact_mut(stride)) {
        // running[4 * x + c]: channel c of the pixels before x.
        for i in 0..stride {
            running[i + 4] = running[i] + i32::from(from[i]);
        }
        let at = |x: usize| x.min(width) * 4;
        // Where a box runs past an end.
        let ends = (0..radius.min(width)).chain(width.saturating_sub(radius).max(radius)..width);
        for x in ends {
            let (lo, hi) = (at(x.saturating_sub(radius)), at(x + radius + 1));
            for c in 0..4 {
                out[x * 4 + c] = average(running[hi + c] - running[lo + c], inverse);
            }
        }
        // The boxes within the row.
        if width > 2 * radius {
            let middle = &mut out[radius * 4..(width - radius) * 4];
            let (lo, hi) = (&running[..middle.len()], &running[(2 * radius + 1) * 4..]);
            for ((o, l), h) in middle.iter_mut().zip(lo).zip(hi) {
                *o = average(h - l, inverse);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first node of `svg`, drawn by resvg and here on a pixmap of its
    /// size, over a background when `over` (as a part is drawn on a card).
    fn both(svg: &str, over: bool) -> (tiny_skia::Pixmap, tiny_skia::Pixmap) {
        let tree = usvg::Tree::from_str(svg, &usvg::Options::default()).unwrap();
        let node = &tree.root().children()[0];
        assert!(matches!(node, usvg::Node::Group(g) if lone_blur(g).is_some()), "{svg}");
        let size = tree.size().to_int_size();
        let mut theirs = tiny_skia::Pixmap::new(size.width(), size.height()).unwrap();
        if over {
            for (i, v) in theirs.data_mut().iter_mut().enumerate() {
                *v = if i % 4 == 3 { 200 } else { (i * 37 % 200) as u8 };
            }
        }
        let mut ours = theirs.clone();
        let at = node.abs_layer_bounding_box().unwrap();
        let transform = tiny_skia::Transform::from_scale(1.0, 1.0).pre_translate(at.x(), at.y());
        resvg::render_node(node, transform, &mut theirs.as_mut());
        render_node(node, transform, &mut ours);
        (theirs, ours)
    }

    #[test]
    fn a_lone_box_blur_is_resvgs_to_the_byte() {
        // Deviations from resvg's least box blur up, a wide and a narrow
        // box, shapes smaller than the blur, a blur cut to a smaller
        // region, over nothing and over a picture.
        let shapes = [
            r##"<path d="M40 30 C90 10 140 60 120 110 C100 150 30 140 25 90 Z" fill="#1c120b" fill-opacity="0.55"/>"##,
            r##"<rect x="60" y="60" width="3" height="2" fill="#e05050"/><circle cx="80" cy="70" r="20" fill="#3050d0" fill-opacity="0.4"/>"##,
        ];
        let filters = [
            r#"<filter id="f" filterUnits="userSpaceOnUse" x="5" y="5" width="170" height="150" color-interpolation-filters="sRGB"><feGaussianBlur stdDeviation="2"/></filter>"#,
            r#"<filter id="f" filterUnits="userSpaceOnUse" x="10.4" y="7.7" width="150.3" height="140.6" color-interpolation-filters="sRGB"><feGaussianBlur stdDeviation="2.57"/></filter>"#,
            r#"<filter id="f" filterUnits="userSpaceOnUse" x="0" y="0" width="180" height="160" color-interpolation-filters="sRGB"><feGaussianBlur stdDeviation="10.01 3.3"/></filter>"#,
            r#"<filter id="f" filterUnits="userSpaceOnUse" x="50" y="50" width="60" height="50" color-interpolation-filters="sRGB"><feGaussianBlur stdDeviation="40"/></filter>"#,
            r#"<filter id="f" filterUnits="userSpaceOnUse" x="0" y="0" width="180" height="160" color-interpolation-filters="sRGB"><feGaussianBlur x="30" y="20" width="90" height="70" stdDeviation="6"/></filter>"#,
        ];
        for (f, filter) in filters.iter().enumerate() {
            for (s, shape) in shapes.iter().enumerate() {
                for over in [false, true] {
                    let svg = format!(
                        r#"<svg xmlns="http://www.w3.org/2000/svg" width="180" height="160"><defs>{filter}</defs><g filter="url(#f)">{shape}</g></svg>"#
                    );
                    let (theirs, ours) = both(&svg, over);
                    let differing = theirs.data().iter().zip(ours.data()).filter(|(a, b)| a != b).count();
                    assert_eq!(differing, 0, "filter {f}, shape {s}, over {over}: bytes differ");
                    assert!(ours.data().iter().any(|v| *v != 0), "filter {f}, shape {s}: drawn");
                }
            }
        }
    }

    #[test]
    fn what_resvg_blurs_otherwise_is_left_to_it() {
        let svg = |extra: &str, blur: &str| {
            format!(
                r#"<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><defs><filter id="f" {extra}>{blur}</filter></defs><g filter="url(#f)"><circle cx="50" cy="50" r="20"/></g></svg>"#
            )
        };
        let group = |svg: &str| {
            let tree = usvg::Tree::from_str(svg, &usvg::Options::default()).unwrap();
            let usvg::Node::Group(group) = &tree.root().children()[0] else { panic!("a group") };
            lone_blur(group).is_some()
        };
        // Linear RGB (the default) and two primitives are resvg's.
        assert!(!group(&svg("", r#"<feGaussianBlur stdDeviation="3"/>"#)));
        assert!(!group(&svg(
            r#"color-interpolation-filters="sRGB""#,
            r#"<feGaussianBlur stdDeviation="3"/><feOffset dx="2"/>"#
        )));
        assert!(group(&svg(r#"color-interpolation-filters="sRGB""#, r#"<feGaussianBlur stdDeviation="3"/>"#)));
        // Under 2 pixels, resvg's other blur.
        assert_eq!(box_sigmas(1.5, 1.9), None);
        assert_eq!(box_sigmas(0.0, 0.0), None);
        assert_eq!(box_sigmas(2.0, 0.01), Some((2.0, 0.0)));
    }
}
