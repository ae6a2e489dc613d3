//! What drawing an untrusted SVG's filters would cost, bounded before
//! anything is drawn (so `check`, which draws nothing, refuses it too).
//!
//! resvg's filters cost in proportion to the pixels of their region and a
//! factor of their own: `feMorphology` visits `(2r + 1)^2` pixels for each
//! one, `feConvolveMatrix` its kernel, `feTurbulence` each octave. A few
//! bytes of a theme could ask for hours (`radius="1000"`) or overflow its
//! arithmetic (`numOctaves="100000"`). This module reads the parsed usvg
//! tree, where units, `<use>` and styles are already resolved, and only
//! refuses: see [`super::guard::Refusal::Costly`].

use resvg::usvg::{self, filter::Kind};

use super::guard::Refusal;

/// The most octaves an `feTurbulence` may have. Each one halves the size of
/// the detail it adds: past ten, the detail is smaller than a pixel of any
/// card, and the doubled coordinates approach resvg's integer range.
pub const MAX_OCTAVES: u32 = 10;

/// The largest `order` an `feConvolveMatrix` kernel may have on each axis.
pub const MAX_KERNEL_ORDER: u32 = 15;

/// The most pixel operations (a pixel of a filter region times its
/// primitive's factor) all the filters of one SVG may cost: a few seconds
/// of drawing, two hundred simple passes over an A6 card at 300 dpi.
pub const MAX_FILTER_COST: f64 = 500e6;

/// Refuses a tree whose filters would cost more than [`MAX_FILTER_COST`]
/// to draw, or that use more octaves or a larger kernel than allowed.
pub fn check(tree: &usvg::Tree) -> Result<(), Refusal> {
    let canvas = tree.size();
    let mut walk = Walk { canvas: (canvas.width() as f64, canvas.height() as f64), cost: 0.0, refusal: None };
    walk.group(tree.root(), usvg::Transform::identity());
    match walk.refusal {
        Some(refusal) => Err(refusal),
        None => Ok(()),
    }
}

/// The walk's state: the canvas a region is clipped to, the cost so far
/// and the first refusal met.
struct Walk {
    canvas: (f64, f64),
    cost: f64,
    refusal: Option<Refusal>,
}

impl Walk {
    /// Adds the cost of `group`'s filters and of everything under it;
    /// `prefix` places a nested picture's tree on the card.
    fn group(&mut self, group: &usvg::Group, prefix: usvg::Transform) {
        if self.refusal.is_some() {
            return;
        }
        let ts = prefix.pre_concat(group.abs_transform());
        for filter in group.filters() {
            self.filter(filter, ts, prefix);
        }
        for node in group.children() {
            if let usvg::Node::Group(child) = node {
                self.group(child, prefix);
            } else {
                let inner = match node {
                    usvg::Node::Image(image) => prefix.pre_concat(image.abs_transform()),
                    _ => prefix,
                };
                node.subroots(|root| self.group(root, inner));
            }
        }
        // Clip paths and masks are drawn in the group's space (feImage
        // contents are walked with their filter).
        if let Some(clip) = group.clip_path() {
            self.group(clip.root(), prefix);
            if let Some(inner) = clip.clip_path() {
                self.group(inner.root(), prefix);
            }
        }
        if let Some(mask) = group.mask() {
            self.group(mask.root(), prefix);
            if let Some(inner) = mask.mask() {
                self.group(inner.root(), prefix);
            }
        }
    }

    /// Adds one filter's cost, drawn with `ts` from its user space to the
    /// card (`prefix` as for [`Walk::group`]).
    fn filter(&mut self, filter: &usvg::filter::Filter, ts: usvg::Transform, prefix: usvg::Transform) {
        let rect = filter.rect();
        let region = rect.transform(ts).map(|r| {
            let w = (r.right() as f64).min(self.canvas.0) - (r.left() as f64).max(0.0);
            let h = (r.bottom() as f64).min(self.canvas.1) - (r.top() as f64).max(0.0);
            (w.max(0.0).ceil(), h.max(0.0).ceil())
        });
        let (w, h) = region.unwrap_or(self.canvas);
        let pixels = w * h;
        let (sx, sy) = ts.get_scale();
        let needle = if filter.id().is_empty() { "<filter".to_owned() } else { format!("id=\"{}\"", filter.id()) };
        // The coordinates turbulence works in: the region's, in user units.
        let extent = [rect.left(), rect.right(), rect.top(), rect.bottom()]
            .into_iter()
            .map(|v| f64::from(v).abs())
            .fold(self.canvas.0.max(self.canvas.1), f64::max);
        for primitive in filter.primitives() {
            let factor = match primitive.kind() {
                Kind::Turbulence(fe) => match turbulence(fe, extent) {
                    Ok(factor) => factor,
                    Err(why) => return self.refuse(why, "numOctaves"),
                },
                Kind::ConvolveMatrix(fe) => {
                    let (columns, rows) = (fe.matrix().columns(), fe.matrix().rows());
                    if columns.max(rows) > MAX_KERNEL_ORDER {
                        let why = format!(
                            "an feConvolveMatrix of order {columns} x {rows}: at most {MAX_KERNEL_ORDER} on each side"
                        );
                        return self.refuse(why, "order");
                    }
                    f64::from(columns * rows)
                }
                Kind::Morphology(fe) => {
                    // resvg scales the radius to pixels and stops it at the region's edge.
                    let rx = (f64::from(fe.radius_x().get()) * f64::from(sx)).round().clamp(0.0, w);
                    let ry = (f64::from(fe.radius_y().get()) * f64::from(sy)).round().clamp(0.0, h);
                    (2.0 * rx + 1.0) * (2.0 * ry + 1.0)
                }
                Kind::Image(fe) => {
                    self.group(fe.root(), prefix);
                    2.0
                }
                Kind::GaussianBlur(_) | Kind::DropShadow(_) => 8.0,
                Kind::DiffuseLighting(_) | Kind::SpecularLighting(_) => 12.0,
                _ => 2.0,
            };
            self.cost += pixels * factor;
        }
        // NaN (a degenerate transform) counts as too much.
        if self.cost.is_nan() || self.cost > MAX_FILTER_COST {
            let why = format!(
                "its filters would take {} million pixel operations to draw, at most {} million",
                (self.cost / 1e6).ceil().min(1e15),
                MAX_FILTER_COST / 1e6
            );
            self.refuse(why, &needle);
        }
    }

    /// Keeps the first refusal.
    fn refuse(&mut self, why: String, needle: &str) {
        self.refusal.get_or_insert(Refusal::Costly(why, needle.to_owned()));
    }
}

/// The cost factor of an `feTurbulence` over coordinates up to `extent`,
/// or why it is refused: too many octaves, or a frequency so high that
/// resvg's integer lattice would overflow as each octave doubles it.
fn turbulence(fe: &usvg::filter::Turbulence, extent: f64) -> Result<f64, String> {
    let octaves = fe.num_octaves();
    if octaves > MAX_OCTAVES {
        return Err(format!("an feTurbulence of {octaves} octaves: at most {MAX_OCTAVES}"));
    }
    let frequency = f64::from(fe.base_frequency_x().get().max(fe.base_frequency_y().get()));
    // resvg adds 4096 to each coordinate and keeps it in an i32, doubled once an octave.
    let reach = (extent * frequency + 8192.0) * f64::from(1u32 << octaves);
    if reach.is_nan() || reach >= f64::from(1u32 << 30) {
        let most = (f64::from(1u32 << 30) / f64::from(1u32 << octaves) - 8192.0) / extent;
        return Err(format!(
            "an feTurbulence's base frequency of {frequency} over {extent:.0} units would overflow: at most {:.3}",
            (most * 1000.0).floor() / 1000.0
        ));
    }
    // Four channels, each a noise lookup an octave: measured, an octave
    // costs about what a 3 x 4 kernel does.
    Ok(12.0 * f64::from(octaves.max(1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The cost check of an A6 card at 300 dpi holding `art`.
    fn cost(art: &str) -> Result<(), Refusal> {
        let svg = format!("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1240\" height=\"1748\">{art}</svg>");
        check(&usvg::Tree::from_str(&svg, &usvg::Options::default()).unwrap())
    }

    fn whole(filter: &str) -> String {
        format!("<filter id=\"f\">{filter}</filter><rect width=\"100%\" height=\"100%\" filter=\"url(#f)\"/>")
    }

    #[test]
    fn filters_a_card_draws_in_time_pass() {
        assert_eq!(
            cost(&whole("<feTurbulence baseFrequency=\"0.05\" numOctaves=\"4\"/><feGaussianBlur stdDeviation=\"3\"/>")),
            Ok(())
        );
        assert_eq!(cost(&whole("<feMorphology radius=\"3\"/>")), Ok(()));
        assert_eq!(cost(&whole("<feConvolveMatrix order=\"3\" kernelMatrix=\"0 1 0 1 1 1 0 1 0\"/>")), Ok(()));
        // A large radius on a small region is cheap.
        let small = "<filter id=\"f\" filterUnits=\"userSpaceOnUse\" x=\"0\" y=\"0\" width=\"20\" height=\"20\"><feMorphology radius=\"50\"/></filter><rect width=\"20\" height=\"20\" filter=\"url(#f)\"/>";
        assert_eq!(cost(small), Ok(()));
    }

    #[test]
    fn filters_that_would_take_hours_or_overflow_are_refused() {
        let refused = |art: &str| match cost(art) {
            Err(Refusal::Costly(why, needle)) => format!("{needle}: {why}"),
            other => panic!("{art}: {other:?}"),
        };
        assert_eq!(
            refused(&whole("<feTurbulence baseFrequency=\"0.05\" numOctaves=\"100000\"/>")),
            "numOctaves: an feTurbulence of 100000 octaves: at most 10"
        );
        assert!(refused(&whole("<feTurbulence baseFrequency=\"1000000\"/>")).contains("would overflow"));
        let kernel = vec!["1"; 300 * 300].join(" ");
        assert_eq!(
            refused(&whole(&format!("<feConvolveMatrix order=\"300\" kernelMatrix=\"{kernel}\"/>"))),
            "order: an feConvolveMatrix of order 300 x 300: at most 15 on each side"
        );
        assert!(refused(&whole("<feMorphology radius=\"1000\"/>")).starts_with("id=\"f\": its filters would take"));
        // Scaled up by a transform, a small radius is a large one.
        let scaled = format!("<g transform=\"scale(50)\">{}</g>", whole("<feMorphology radius=\"2\"/>"));
        assert!(refused(&scaled).contains("million pixel operations"));
    }
}
