//! Emblems as raised shapes: the built-in ones (heart, star, flower, leaf,
//! bee), drawn in a unit box, and a theme's own [`EmblemShape`] fitted into it.

use std::f64::consts::{PI, TAU};
use std::fmt::Write as _;

use resvg::usvg;

use super::emblem_file::subpaths_of;
use super::{EmblemShape, SealError, F, MAX_EMBLEM_BYTES};

/// One path command of an emblem, in the emblem's unit box.
#[derive(Debug, Clone, Copy)]
pub(super) enum Seg {
    M(f64, f64),
    L(f64, f64),
    C(f64, f64, f64, f64, f64, f64),
    Z,
}

/// A raised piece of an emblem. Its top is either a smooth dome (shaded by a
/// gradient) or, if `facets` is not empty, flat facets each lit by how much
/// it faces the light.
pub(super) struct Relief {
    pub(super) outline: Vec<Seg>,
    pub(super) facets: Vec<(Vec<Seg>, f64)>,
}

/// An emblem designed in a box from -1 to 1 (y down), centred on the origin.
pub(super) struct Emblem {
    /// Raised pieces, bottom first: each casts its shadow on those below.
    pub(super) reliefs: Vec<Relief>,
    /// Engraved lines (leaf veins, petal creases).
    pub(super) grooves: Vec<Vec<Seg>>,
    /// Groove width in unit-box units.
    pub(super) groove_width: f64,
}

impl Emblem {
    /// Looks up a built-in emblem; `Ok(None)` is the plain `"none"`.
    pub(super) fn named(name: &str) -> Result<Option<Emblem>, SealError> {
        match name.trim().to_ascii_lowercase().as_str() {
            "heart" => Ok(Some(Emblem::heart())),
            "star" => Ok(Some(Emblem::star())),
            "flower" => Ok(Some(Emblem::flower())),
            "leaf" => Ok(Some(Emblem::leaf())),
            "bee" => Ok(Some(Emblem::bee())),
            // A monogram is the initials alone, which is what no emblem draws.
            "monogram" | "none" => Ok(None),
            _ => Err(SealError::UnknownEmblem(name.to_owned())),
        }
    }

    /// A plump heart with round lobes and a soft point, slightly lower than
    /// centre so its visual weight sits in the middle of the stamp.
    pub(super) fn heart() -> Emblem {
        use Seg::*;
        let outline = vec![
            M(0.0, 0.92),
            C(-0.22, 0.7, -0.98, 0.28, -0.98, -0.28),
            C(-0.98, -0.7, -0.68, -0.9, -0.46, -0.9),
            C(-0.22, -0.9, -0.06, -0.76, 0.0, -0.56),
            C(0.06, -0.76, 0.22, -0.9, 0.46, -0.9),
            C(0.68, -0.9, 0.98, -0.7, 0.98, -0.28),
            C(0.98, 0.28, 0.22, 0.7, 0.0, 0.92),
            Z,
        ];
        Emblem { reliefs: vec![Relief { outline, facets: Vec::new() }], grooves: Vec::new(), groove_width: 0.0 }
    }

    /// A five-pointed star cut in facets, like a faceted brass stamp: each
    /// ray has a lit and a shaded half, so the star catches the light.
    pub(super) fn star() -> Emblem {
        use Seg::*;
        let outer = 1.0;
        let inner = 0.43;
        // Pulled down a touch so the star looks centred (its mass is low).
        let oy = 0.08;
        let vertex = |i: usize| -> (f64, f64) {
            let a = -PI / 2.0 + PI * i as f64 / 5.0;
            let rad = if i.is_multiple_of(2) { outer } else { inner };
            (rad * libm::cos(a), rad * libm::sin(a) + oy)
        };
        let mut outline = Vec::with_capacity(11);
        for i in 0..10 {
            let (x, y) = vertex(i);
            outline.push(if i == 0 { M(x, y) } else { L(x, y) });
        }
        outline.push(Z);
        let centre = (0.0, oy);
        let facets = (0..10)
            .map(|i| {
                let a = vertex(i);
                let b = vertex((i + 1) % 10);
                // The facet slopes down from the centre ridge to edge a-b;
                // its outward normal is perpendicular to a-b, away from centre.
                let (ex, ey) = (b.0 - a.0, b.1 - a.1);
                let len = (ex * ex + ey * ey).sqrt();
                let (mut nx, mut ny) = (ey / len, -ex / len);
                let mid = ((a.0 + b.0) / 2.0 - centre.0, (a.1 + b.1) / 2.0 - centre.1);
                if nx * mid.0 + ny * mid.1 < 0.0 {
                    nx = -nx;
                    ny = -ny;
                }
                (vec![M(centre.0, centre.1), L(a.0, a.1), L(b.0, b.1), Z], light_facing(nx, ny))
            })
            .collect();
        Emblem { reliefs: vec![Relief { outline, facets }], grooves: Vec::new(), groove_width: 0.0 }
    }

    /// Five round petals around a domed heart, a crease down each petal.
    pub(super) fn flower() -> Emblem {
        use Seg::*;
        let petal = [M(0.0, 0.0), C(-0.52, -0.28, -0.5, -1.0, 0.0, -1.0), C(0.5, -1.0, 0.52, -0.28, 0.0, 0.0), Z];
        let mut petals = Vec::new();
        let mut grooves = Vec::new();
        for k in 0..5 {
            let a = TAU * k as f64 / 5.0;
            petals.extend(petal.iter().map(|s| rotate_seg(*s, a)));
            grooves.push(vec![rotate_seg(M(0.0, -0.36), a), rotate_seg(L(0.0, -0.74), a)]);
        }
        Emblem {
            reliefs: vec![
                Relief { outline: petals, facets: Vec::new() },
                Relief { outline: circle_segs(0.0, 0.0, 0.25), facets: Vec::new() },
            ],
            grooves,
            groove_width: 0.05,
        }
    }

    /// A leaf on a short stem, tilted, with a midrib and side veins engraved.
    pub(super) fn leaf() -> Emblem {
        use Seg::*;
        let blade = vec![M(0.0, -1.0), C(0.66, -0.62, 0.7, 0.32, 0.0, 0.74), C(-0.7, 0.32, -0.66, -0.62, 0.0, -1.0), Z];
        let stem = vec![
            M(-0.05, 0.6),
            L(0.05, 0.6),
            C(0.05, 0.8, 0.1, 0.9, 0.2, 0.98),
            L(0.14, 1.03),
            C(0.02, 0.95, -0.05, 0.82, -0.05, 0.6),
            Z,
        ];
        let mut grooves = vec![vec![M(0.0, -0.84), C(0.02, -0.3, 0.02, 0.3, 0.0, 0.68)]];
        for &(y, reach) in &[(-0.5, 0.3), (-0.2, 0.42), (0.12, 0.42), (0.4, 0.3)] {
            for side in [-1.0, 1.0] {
                grooves.push(vec![
                    M(0.0, y),
                    C(side * reach * 0.5, y - 0.08, side * reach * 0.85, y - 0.2, side * reach, y - 0.3),
                ]);
            }
        }
        // Tilted like a leaf that has just fallen, not a diagram of one.
        let tilt = 0.55;
        let turn = |segs: Vec<Seg>| segs.into_iter().map(|s| rotate_seg(s, tilt)).collect();
        Emblem {
            reliefs: vec![
                Relief { outline: turn(stem), facets: Vec::new() },
                Relief { outline: turn(blade), facets: Vec::new() },
            ],
            grooves: grooves.into_iter().map(turn).collect(),
            groove_width: 0.045,
        }
    }
}

impl Emblem {
    /// A bee seen from above, tilted as if crawling up the seal: round wings
    /// under a plump striped body, a round head, short antennae. Bold and
    /// few shapes, so it still reads on a small seal.
    pub(super) fn bee() -> Emblem {
        use Seg::*;
        // Lifted so the whole bee, stinger to antennae, is centred.
        let oy = -0.1;
        let wing = |side: f64| ellipse_segs(side * 0.47, -0.32 + oy, 0.42, 0.26, -side * 0.55);
        let body = vec![
            M(0.0, -0.36 + oy),
            C(0.3, -0.36 + oy, 0.47, -0.1 + oy, 0.47, 0.24 + oy),
            C(0.47, 0.62 + oy, 0.2, 0.86 + oy, 0.0, 1.04 + oy),
            C(-0.2, 0.86 + oy, -0.47, 0.62 + oy, -0.47, 0.24 + oy),
            C(-0.47, -0.1 + oy, -0.3, -0.36 + oy, 0.0, -0.36 + oy),
            Z,
        ];
        let head = circle_segs(0.0, -0.5 + oy, 0.21);
        let knobs: Vec<Seg> = [-1.0, 1.0].iter().flat_map(|&side| circle_segs(side * 0.33, -0.9 + oy, 0.07)).collect();
        // Stripes wrap round the body: engraved bands that sag a little.
        let mut grooves: Vec<Vec<Seg>> = [(0.06, 0.4), (0.33, 0.4), (0.6, 0.31)]
            .iter()
            .map(|&(y, hw)| vec![M(-hw, y + oy), C(-hw * 0.5, y + 0.08 + oy, hw * 0.5, y + 0.08 + oy, hw, y + oy)])
            .collect();
        for side in [-1.0, 1.0] {
            grooves.push(vec![
                M(side * 0.07, -0.68 + oy),
                C(side * 0.1, -0.78 + oy, side * 0.18, -0.86 + oy, side * 0.3, -0.89 + oy),
            ]);
        }
        let tilt = -0.3;
        let turn = |segs: Vec<Seg>| segs.into_iter().map(|s| rotate_seg(s, tilt)).collect();
        Emblem {
            reliefs: vec![
                Relief { outline: turn([wing(-1.0), wing(1.0)].concat()), facets: Vec::new() },
                Relief { outline: turn(body), facets: Vec::new() },
                Relief { outline: turn([head, knobs].concat()), facets: Vec::new() },
            ],
            grooves: grooves.into_iter().map(turn).collect(),
            groove_width: 0.085,
        }
    }

    /// A theme's own emblem: each path one raised piece, the whole fitted
    /// into the unit box (and a circle a little wider, as the stamp face is
    /// round), centred on its own bounds.
    pub(super) fn custom(shape: &EmblemShape) -> Result<Emblem, SealError> {
        let bytes: usize = shape.paths.iter().map(String::len).sum();
        if bytes > MAX_EMBLEM_BYTES {
            return Err(SealError::TooLarge(bytes));
        }
        // usvg reads the path data, so any valid SVG syntax is accepted and
        // the text never reaches the output: only numbers printed here do.
        let mut doc = String::from("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1\" height=\"1\">");
        for d in &shape.paths {
            let _ = write!(doc, "<path d=\"{}\"/>", crate::svg::escape(d));
        }
        doc.push_str("</svg>");
        let tree = usvg::Tree::from_str(&doc, &usvg::Options::default())
            .map_err(|e| SealError::BadEmblemSvg(e.to_string()))?;
        let mut pieces = Vec::new();
        for node in tree.root().children() {
            if let usvg::Node::Path(path) = node {
                let subpaths = subpaths_of(path.data());
                if !subpaths.is_empty() {
                    pieces.push(subpaths.concat());
                }
            }
        }
        let points = || pieces.iter().flatten().flat_map(seg_points);
        let (x0, y0, x1, y1) = points().fold((f64::MAX, f64::MAX, f64::MIN, f64::MIN), |(x0, y0, x1, y1), (x, y)| {
            (x0.min(x), y0.min(y), x1.max(x), y1.max(y))
        });
        if pieces.is_empty() || !(x1 > x0 || y1 > y0) {
            return Err(SealError::EmptyEmblem);
        }
        let (mx, my) = ((x0 + x1) / 2.0, (y0 + y1) / 2.0);
        let half = (x1 - x0).max(y1 - y0) / 2.0;
        // Control points bound the curves, so this errs on the small side.
        let reach = points().map(|(x, y)| ((x - mx) * (x - mx) + (y - my) * (y - my)).sqrt()).fold(0.0, f64::max);
        let k = (1.0 / half).min(1.12 / reach);
        let fit = |x: f64, y: f64| ((x - mx) * k, (y - my) * k);
        let reliefs = pieces
            .into_iter()
            .map(|segs| Relief { outline: segs.into_iter().map(|s| map_seg(s, fit)).collect(), facets: Vec::new() })
            .collect();
        Ok(Emblem { reliefs, grooves: Vec::new(), groove_width: 0.0 })
    }
}

/// How lit a surface is whose outward normal is (nx, ny): 0 dark .. 1 lit,
/// with the light coming from the upper left.
fn light_facing(nx: f64, ny: f64) -> f64 {
    let (lx, ly) = (-core::f64::consts::FRAC_1_SQRT_2, -core::f64::consts::FRAC_1_SQRT_2);
    0.5 + 0.5 * (nx * lx + ny * ly)
}

/// Rotates a unit-box segment about the origin by `a` radians.
fn rotate_seg(s: Seg, a: f64) -> Seg {
    let (c, sn) = (libm::cos(a), libm::sin(a));
    map_seg(s, |x, y| (x * c - y * sn, x * sn + y * c))
}

/// Moves every point of a segment through `f`.
fn map_seg(s: Seg, f: impl Fn(f64, f64) -> (f64, f64)) -> Seg {
    match s {
        Seg::M(x, y) => {
            let (x, y) = f(x, y);
            Seg::M(x, y)
        }
        Seg::L(x, y) => {
            let (x, y) = f(x, y);
            Seg::L(x, y)
        }
        Seg::C(x1, y1, x2, y2, x, y) => {
            let (x1, y1) = f(x1, y1);
            let (x2, y2) = f(x2, y2);
            let (x, y) = f(x, y);
            Seg::C(x1, y1, x2, y2, x, y)
        }
        Seg::Z => Seg::Z,
    }
}

/// The points of a segment, control points included.
fn seg_points(s: &Seg) -> Vec<(f64, f64)> {
    match *s {
        Seg::M(x, y) | Seg::L(x, y) => vec![(x, y)],
        Seg::C(x1, y1, x2, y2, x, y) => vec![(x1, y1), (x2, y2), (x, y)],
        Seg::Z => Vec::new(),
    }
}

/// An ellipse centred at (`cx`, `cy`), its `rx` axis turned by `a` radians.
fn ellipse_segs(cx: f64, cy: f64, rx: f64, ry: f64, a: f64) -> Vec<Seg> {
    circle_segs(0.0, 0.0, 1.0)
        .into_iter()
        .map(|s| map_seg(rotate_seg(map_seg(s, |x, y| (x * rx, y * ry)), a), |x, y| (x + cx, y + cy)))
        .collect()
}

/// A circle as four cubic Béziers (kappa approximation).
fn circle_segs(cx: f64, cy: f64, r: f64) -> Vec<Seg> {
    use Seg::*;
    let k = 0.552_284_749_8 * r;
    vec![
        M(cx + r, cy),
        C(cx + r, cy + k, cx + k, cy + r, cx, cy + r),
        C(cx - k, cy + r, cx - r, cy + k, cx - r, cy),
        C(cx - r, cy - k, cx - k, cy - r, cx, cy - r),
        C(cx + k, cy - r, cx + r, cy - k, cx + r, cy),
        Z,
    ]
}

/// Path data for unit-box segments scaled by `s` and moved to (`x`, `y`).
pub(super) fn segs_path(segs: &[Seg], x: f64, y: f64, s: f64) -> String {
    let mut d = String::with_capacity(segs.len() * 40);
    let p = |u: f64, v: f64| (F(x + u * s), F(y + v * s));
    for seg in segs {
        let _ = match *seg {
            Seg::M(u, v) => {
                let (a, b) = p(u, v);
                write!(d, "M{a} {b}")
            }
            Seg::L(u, v) => {
                let (a, b) = p(u, v);
                write!(d, "L{a} {b}")
            }
            Seg::C(u1, v1, u2, v2, u, v) => {
                let (a1, b1) = p(u1, v1);
                let (a2, b2) = p(u2, v2);
                let (a, b) = p(u, v);
                write!(d, "C{a1} {b1} {a2} {b2} {a} {b}")
            }
            Seg::Z => {
                d.push('Z');
                Ok(())
            }
        };
    }
    d
}

#[cfg(test)]
mod tests {
    use crate::seal::paint::radius;
    use crate::seal::tests::{draw, spec};
    use crate::seal::{EmblemShape, SealError};

    #[test]
    fn unknown_emblem_is_an_error_naming_the_known_ones() {
        let err = draw(&spec("hart", "#5a3a22", None), 1, "a").unwrap_err();
        assert_eq!(err, SealError::UnknownEmblem("hart".to_owned()));
        let msg = err.to_string();
        assert!(msg.contains("`hart`"), "{msg}");
        assert!(msg.contains("heart, star, flower, leaf, bee, monogram, none"), "{msg}");
    }

    #[test]
    fn bee_is_drawn_and_parses() {
        let svg = draw(&spec("bee", "gold", None), 9, "b").unwrap();
        assert_ne!(svg, draw(&spec("heart", "gold", None), 9, "b").unwrap());
        // Wings, body and head, each with three underlays and a top.
        assert!(svg.matches("fill=\"url(#b-dome)\"").count() >= 3);
        // Stripes and antennae are engraved lines.
        assert!(svg.contains("stroke-linecap=\"round\"><path"));
        let doc = format!("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"600\" height=\"600\">{svg}</svg>");
        resvg::usvg::Tree::from_str(&doc, &resvg::usvg::Options::default()).unwrap();
    }

    #[test]
    fn monogram_draws_initials_alone() {
        let svg = draw(&spec("monogram", "navy", Some("BC")), 2, "a").unwrap();
        assert!(svg.contains(">BC</text>"));
        assert_eq!(svg, draw(&spec("none", "navy", Some("BC")), 2, "a").unwrap());
        // Without initials it is a plain stamp, as `none` is.
        let plain = draw(&spec("monogram", "navy", None), 2, "a").unwrap();
        assert_eq!(plain, draw(&spec("none", "navy", None), 2, "a").unwrap());
    }

    #[test]
    fn custom_emblem_overrides_the_name_and_fits_the_face() {
        // A huge square far from the origin still lands inside the ring of beads.
        let shape =
            EmblemShape { paths: vec!["M1000 1000h500v500h-500z".to_owned()], view_box: (0.0, 0.0, 2000.0, 2000.0) };
        let mut s = spec("heart", "#5a3a22", None);
        s.custom = Some(shape.clone());
        let svg = draw(&s, 1, "a").unwrap();
        assert_ne!(svg, draw(&spec("heart", "#5a3a22", None), 1, "a").unwrap());
        let top = svg.split("fill=\"url(#a-dome)\"").next().unwrap();
        let d = &top[top.rfind("d=\"").unwrap() + 3..];
        let nums: Vec<f64> = d[..d.find('"').unwrap()]
            .split(|c: char| c.is_ascii_alphabetic() || c == ' ')
            .filter_map(|t| t.parse().ok())
            .collect();
        assert!(nums.len() >= 8, "{d}");
        for pair in nums.chunks(2) {
            let (dx, dy) = (pair[0] - 300.0, pair[1] - 300.0);
            // Tilted up to 4 degrees; the corners stay inside the beads.
            assert!((dx * dx + dy * dy).sqrt() < radius::BEADS * 120.0 - 4.0, "{pair:?}");
        }
        // Hand-made shapes are checked too.
        s.custom = Some(EmblemShape { paths: vec!["nonsense".to_owned()], view_box: (0.0, 0.0, 1.0, 1.0) });
        assert_eq!(draw(&s, 1, "a").unwrap_err(), SealError::EmptyEmblem);
        s.custom = Some(EmblemShape { paths: vec!["M0 0\"/><script/>".to_owned()], view_box: (0.0, 0.0, 1.0, 1.0) });
        assert!(!draw(&s, 1, "a").map(|svg| svg.contains("script")).unwrap_or(false));
    }
}
