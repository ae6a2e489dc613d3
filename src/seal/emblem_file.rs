//! A theme's own emblem file (`emblems/NAME.svg`) read into an
//! [`EmblemShape`]: its shapes only, through the SVG guard.

use std::fmt::Write as _;

use resvg::usvg::{self, tiny_skia_path};

use super::emblem::Seg;
use super::{EmblemShape, SealError, MAX_EMBLEM_BYTES};
use crate::svg::guard::{Guard, Refusal};

/// Parses an emblem SVG file (a theme's `emblems/NAME.svg`): takes its viewBox
/// (or width/height) and the `d` of every <path>; refuses anything that
/// refers outside the file.
///
/// The shapes are read through usvg, so `transform`s, `<use>` of the file's
/// own elements and the basic shapes (`<circle>`, `<rect>`, ...) work as in
/// any viewer; strokes are turned into outlines, so line-art icons work
/// too. The paths come back in absolute coordinates of `view_box`, their
/// transforms applied, and even-odd fills rewound so the nonzero rule the
/// seal uses keeps their holes.
///
/// Refused: files over [`MAX_EMBLEM_BYTES`]; `href`s that are not `#id`,
/// `url(...)` that is not `url(#id)`, `@import`, stylesheet instructions,
/// `<image>`, `<script>`, `<foreignObject>` and other embedders
/// ([`SealError::ExternalReference`]); entity declarations, `<text>`,
/// extreme nesting or detail ([`SealError::BadEmblemSvg`]); a file with
/// nothing to draw ([`SealError::EmptyEmblem`]).
pub fn parse_emblem_svg(text: &str) -> Result<EmblemShape, SealError> {
    let bad = |m: String| SealError::BadEmblemSvg(m);
    let doc = Guard::for_emblem(MAX_EMBLEM_BYTES).check(text).map_err(refused)?;
    let root = doc.root_element();
    if root.tag_name().name() != "svg" || root.tag_name().namespace() != Some(SVG_NS) {
        return Err(bad(format!("the root element must be <svg xmlns=\"{SVG_NS}\">")));
    }
    let tree = usvg::Tree::from_xmltree(&doc, &usvg::Options::default()).map_err(|e| bad(e.to_string()))?;
    let size = (f64::from(tree.size().width()), f64::from(tree.size().height()));
    let view_box = match root.attribute("viewBox").and_then(parse_view_box) {
        Some(vb) => vb,
        None if root.has_attribute("width") && root.has_attribute("height") => (0.0, 0.0, size.0, size.1),
        None => return Err(bad("the <svg> needs a viewBox, or a width and a height".to_owned())),
    };
    // usvg maps the viewBox onto width x height; undo that so the paths are
    // in the viewBox's own units.
    let to_box = view_box_transform(view_box, size, root.attribute("preserveAspectRatio").unwrap_or(""))
        .invert()
        .ok_or_else(|| bad("the viewBox cannot be mapped".to_owned()))?;
    // Strokes are outlined finely enough for a box of this size drawn large.
    let res_scale = (512.0 / view_box.2.max(view_box.3)) as f32;
    let mut paths = Vec::new();
    let mut segments = 0;
    collect_paths(tree.root(), to_box, res_scale, &mut paths, &mut segments)?;
    if paths.is_empty() {
        return Err(SealError::EmptyEmblem);
    }
    Ok(EmblemShape { paths, view_box })
}

const SVG_NS: &str = "http://www.w3.org/2000/svg";

/// Emblem files may hold at most this many path segments in all: enough for
/// any emblem, and it keeps a seal's SVG small.
const MAX_EMBLEM_SEGMENTS: usize = 20_000;

/// An emblem's words for what the SVG guard refused.
fn refused(refusal: Refusal) -> SealError {
    match refusal {
        Refusal::External(what) => SealError::ExternalReference(what),
        Refusal::Url(inner) => SealError::ExternalReference(format!("url({inner})")),
        Refusal::TooLarge(bytes) => SealError::TooLarge(bytes),
        // An emblem takes no pictures, so this cannot come; were it to, it
        // would still be refused.
        Refusal::ImageTooLarge(width, height, _) => {
            SealError::BadEmblemSvg(format!("a picture of {width} x {height} pixels"))
        }
        Refusal::Unusable(why) | Refusal::Costly(why, _) => SealError::BadEmblemSvg(why),
        Refusal::Active(..) => SealError::BadEmblemSvg(refusal.to_string()),
    }
}

/// Parses `viewBox="min-x min-y width height"`; `None` if it is unusable,
/// as a viewer would ignore it.
fn parse_view_box(s: &str) -> Option<(f64, f64, f64, f64)> {
    let n: Vec<f64> = s
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|t| !t.is_empty())
        .map(str::parse)
        .collect::<Result<_, _>>()
        .ok()?;
    match n[..] {
        [x, y, w, h] if n.iter().all(|v| v.is_finite()) && w > 0.0 && h > 0.0 => Some((x, y, w, h)),
        _ => None,
    }
}

/// The transform a viewer uses to fit `view_box` into `size`, following
/// `preserveAspectRatio` (default `xMidYMid meet`).
fn view_box_transform(
    (vx, vy, vw, vh): (f64, f64, f64, f64),
    (w, h): (f64, f64),
    aspect: &str,
) -> tiny_skia_path::Transform {
    let mut words = aspect.split_whitespace();
    let align = words.next().unwrap_or("xMidYMid");
    let slice = words.next() == Some("slice");
    let (sx, sy) = (w / vw, h / vh);
    let (sx, sy, ax, ay) = if align == "none" {
        (sx, sy, 0.0, 0.0)
    } else {
        let s = if slice { sx.max(sy) } else { sx.min(sy) };
        let place = |key_min: &str, key_max: &str| {
            if align.contains(key_min) {
                0.0
            } else if align.contains(key_max) {
                1.0
            } else {
                0.5
            }
        };
        (s, s, place("xMin", "xMax"), place("YMin", "YMax"))
    };
    let tx = -vx * sx + ax * (w - vw * sx);
    let ty = -vy * sy + ay * (h - vh * sy);
    tiny_skia_path::Transform::from_row(sx as f32, 0.0, 0.0, sy as f32, tx as f32, ty as f32)
}

/// Gathers every visible fill and stroke below `group`, in paint order, as
/// path data in the view box's units.
fn collect_paths(
    group: &usvg::Group,
    to_box: tiny_skia_path::Transform,
    res_scale: f32,
    out: &mut Vec<String>,
    segments: &mut usize,
) -> Result<(), SealError> {
    for node in group.children() {
        let path = match node {
            usvg::Node::Group(g) => {
                collect_paths(g, to_box, res_scale, out, segments)?;
                continue;
            }
            usvg::Node::Path(path) if path.is_visible() => path,
            _ => continue,
        };
        let ts = to_box.pre_concat(path.abs_transform());
        let mut shapes = Vec::new();
        if let Some(fill) = path.fill() {
            shapes.push((path.data().clone(), fill.rule() == usvg::FillRule::EvenOdd));
        }
        if let Some(stroke) = path.stroke() {
            let mut outline = stroke.to_tiny_skia();
            let dashed = match outline.dash.take() {
                Some(dash) => path.data().dash(&dash, res_scale),
                None => Some(path.data().clone()),
            };
            // A stroke's outline overlaps itself at joins: nonzero fills it whole.
            if let Some(o) = dashed.and_then(|d| d.stroke(&outline, res_scale)) {
                shapes.push((o, false));
            }
        }
        for (data, even_odd) in shapes {
            let Some(data) = data.transform(ts) else { continue };
            let mut subpaths = subpaths_of(&data);
            if even_odd {
                wind_for_nonzero(&mut subpaths);
            }
            *segments += subpaths.iter().map(Vec::len).sum::<usize>();
            if *segments > MAX_EMBLEM_SEGMENTS {
                return Err(SealError::BadEmblemSvg(format!(
                    "too detailed: more than {MAX_EMBLEM_SEGMENTS} path segments; simplify the drawing"
                )));
            }
            if !subpaths.is_empty() {
                out.push(path_data(&subpaths));
            }
        }
    }
    Ok(())
}

/// A tiny-skia path as closed subpaths of M, L, C and Z (quadratics raised
/// to cubics); lone moves are dropped.
pub(super) fn subpaths_of(path: &tiny_skia_path::Path) -> Vec<Vec<Seg>> {
    use tiny_skia_path::PathSegment as P;
    let mut all = Vec::new();
    let mut current: Vec<Seg> = Vec::new();
    let mut at = (0.0, 0.0);
    let pt = |p: tiny_skia_path::Point| (f64::from(p.x), f64::from(p.y));
    let mut flush = |current: &mut Vec<Seg>| {
        if current.len() > 1 {
            if !matches!(current.last(), Some(Seg::Z)) {
                current.push(Seg::Z);
            }
            all.push(std::mem::take(current));
        }
        current.clear();
    };
    for seg in path.segments() {
        match seg {
            P::MoveTo(p) => {
                flush(&mut current);
                at = pt(p);
                current.push(Seg::M(at.0, at.1));
            }
            P::LineTo(p) => {
                at = pt(p);
                current.push(Seg::L(at.0, at.1));
            }
            P::QuadTo(c, p) => {
                let (c, p) = (pt(c), pt(p));
                let c1 = (at.0 + 2.0 / 3.0 * (c.0 - at.0), at.1 + 2.0 / 3.0 * (c.1 - at.1));
                let c2 = (p.0 + 2.0 / 3.0 * (c.0 - p.0), p.1 + 2.0 / 3.0 * (c.1 - p.1));
                current.push(Seg::C(c1.0, c1.1, c2.0, c2.1, p.0, p.1));
                at = p;
            }
            P::CubicTo(c1, c2, p) => {
                let (c1, c2, p) = (pt(c1), pt(c2), pt(p));
                current.push(Seg::C(c1.0, c1.1, c2.0, c2.1, p.0, p.1));
                at = p;
            }
            P::Close => {
                current.push(Seg::Z);
                flush(&mut current);
            }
        }
    }
    flush(&mut current);
    all
}

/// Rewinds closed subpaths so that the nonzero rule fills what the even-odd
/// rule would: a subpath inside an even number of others runs one way, one
/// inside an odd number the other way. (Exact for subpaths that do not
/// cross, which is how holes are drawn.)
fn wind_for_nonzero(subpaths: &mut [Vec<Seg>]) {
    let polygons: Vec<Vec<(f64, f64)>> = subpaths.iter().map(|s| flatten(s)).collect();
    for i in 0..subpaths.len() {
        let area = signed_area(&polygons[i]);
        let Some(&probe) = polygons[i].first() else { continue };
        if area.abs() < 1e-12 {
            continue;
        }
        let depth = (0..polygons.len()).filter(|&j| j != i && contains(&polygons[j], probe)).count();
        if (area > 0.0) != depth.is_multiple_of(2) {
            subpaths[i] = reversed(&subpaths[i]);
        }
    }
}

/// A closed subpath as a polygon, curves sampled.
fn flatten(segs: &[Seg]) -> Vec<(f64, f64)> {
    let mut pts = Vec::new();
    let mut at = (0.0, 0.0);
    for s in segs {
        match *s {
            Seg::M(x, y) | Seg::L(x, y) => {
                at = (x, y);
                pts.push(at);
            }
            Seg::C(x1, y1, x2, y2, x, y) => {
                for k in 1..=8 {
                    let t = f64::from(k) / 8.0;
                    let u = 1.0 - t;
                    let b = |p0: f64, p1: f64, p2: f64, p3: f64| {
                        u * u * u * p0 + 3.0 * u * u * t * p1 + 3.0 * u * t * t * p2 + t * t * t * p3
                    };
                    pts.push((b(at.0, x1, x2, x), b(at.1, y1, y2, y)));
                }
                at = (x, y);
            }
            Seg::Z => {}
        }
    }
    pts
}

/// Twice the signed area of a polygon (shoelace); its sign is its winding.
fn signed_area(pts: &[(f64, f64)]) -> f64 {
    let n = pts.len();
    (0..n).map(|i| pts[i].0 * pts[(i + 1) % n].1 - pts[(i + 1) % n].0 * pts[i].1).sum()
}

/// Whether `p` is inside the polygon (even-odd crossing test).
fn contains(pts: &[(f64, f64)], p: (f64, f64)) -> bool {
    let n = pts.len();
    let mut inside = false;
    for i in 0..n {
        let (a, b) = (pts[i], pts[(i + n - 1) % n]);
        if (a.1 > p.1) != (b.1 > p.1) && p.0 < (b.0 - a.0) * (p.1 - a.1) / (b.1 - a.1) + a.0 {
            inside = !inside;
        }
    }
    inside
}

/// The same closed subpath drawn the other way round.
fn reversed(segs: &[Seg]) -> Vec<Seg> {
    let Some(&Seg::M(sx, sy)) = segs.first() else { return segs.to_vec() };
    // Each drawn piece as (its start, the piece), the closing line made explicit.
    let mut pieces = Vec::new();
    let mut at = (sx, sy);
    for s in &segs[1..] {
        match *s {
            Seg::L(x, y) => {
                pieces.push((at, *s));
                at = (x, y);
            }
            Seg::C(.., x, y) => {
                pieces.push((at, *s));
                at = (x, y);
            }
            Seg::M(..) | Seg::Z => {}
        }
    }
    if at != (sx, sy) {
        pieces.push((at, Seg::L(sx, sy)));
    }
    let mut out = vec![Seg::M(sx, sy)];
    for &(start, piece) in pieces.iter().rev() {
        out.push(match piece {
            Seg::C(x1, y1, x2, y2, ..) => Seg::C(x2, y2, x1, y1, start.0, start.1),
            _ => Seg::L(start.0, start.1),
        });
    }
    out.push(Seg::Z);
    out
}

/// Path data for absolute segments, numbers to three decimals.
fn path_data(subpaths: &[Vec<Seg>]) -> String {
    let n = |v: f64| {
        let s = format!("{:.3}", if v.abs() < 0.0005 { 0.0 } else { v });
        let s = s.trim_end_matches('0').trim_end_matches('.');
        s.to_owned()
    };
    let mut d = String::new();
    for seg in subpaths.iter().flatten() {
        let _ = match *seg {
            Seg::M(x, y) => write!(d, "M{} {}", n(x), n(y)),
            Seg::L(x, y) => write!(d, "L{} {}", n(x), n(y)),
            Seg::C(x1, y1, x2, y2, x, y) => {
                write!(d, "C{} {} {} {} {} {}", n(x1), n(y1), n(x2), n(y2), n(x), n(y))
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
    use resvg::usvg::roxmltree;

    use super::*;
    use crate::seal::tests::{draw, spec};

    const ICON: &str = r##"<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 24 24" width="48" height="48">
  <title>Acorn</title>
  <defs><path id="cap" d="M4 10 Q12 2 20 10 Z"/><linearGradient id="g"><stop offset="0"/></linearGradient></defs>
  <use xlink:href="#cap" fill="url(#g)"/>
  <g transform="translate(12 0)"><path d="m-6 11 h12 l-6 11 z" style="fill: url('#g')"/></g>
  <circle cx="12" cy="3" r="1.5"/>
  <path d="M2 2 L6 6" fill="none" stroke="black" stroke-width="1"/>
  <path d="M0 0 h1 v1 h-1 z" display="none"/>
</svg>"##;

    #[test]
    fn emblem_svg_paths_come_back_in_view_box_units() {
        let shape = parse_emblem_svg(ICON).unwrap();
        assert_eq!(shape.view_box, (0.0, 0.0, 24.0, 24.0));
        // The <use>d cap, the translated body, the circle, the outlined stroke;
        // not the hidden square or the <defs> original.
        assert_eq!(shape.paths.len(), 4, "{:?}", shape.paths);
        assert!(shape.paths[0].starts_with("M4 10"), "{}", shape.paths[0]);
        assert!(shape.paths[1].starts_with("M6 11L18 11L12 22"), "{}", shape.paths[1]);
        for d in &shape.paths {
            assert!(d.ends_with('Z') && !d.contains("-0 ") && !d.contains('e'), "{d}");
        }
        // Same file, same shape; and it draws.
        assert_eq!(parse_emblem_svg(ICON).unwrap(), shape);
        let mut s = spec("no-such-emblem", "forest", None);
        s.custom = Some(shape);
        let svg = draw(&s, 3, "c").unwrap();
        assert_eq!(svg, draw(&s, 3, "c").unwrap());
        assert!(svg.matches("fill=\"url(#c-dome)\"").count() == 4);
        let doc = format!("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"600\" height=\"600\">{svg}</svg>");
        resvg::usvg::Tree::from_str(&doc, &resvg::usvg::Options::default()).unwrap();
    }

    #[test]
    fn emblem_svg_view_box_mapping_is_undone() {
        // A viewBox not at the origin, stretched onto a wider viewport.
        let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="-10 -10 20 20" width="100" height="50">
            <path d="M-5 -5 H5 V5 H-5 Z"/></svg>"#;
        let shape = parse_emblem_svg(svg).unwrap();
        assert_eq!(shape.view_box, (-10.0, -10.0, 20.0, 20.0));
        assert_eq!(shape.paths, ["M-5 -5L5 -5L5 5L-5 5Z"]);
        // No viewBox: width and height give the box.
        let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" width="30" height="20"><rect x="1" y="2" width="3" height="4"/></svg>"#;
        let shape = parse_emblem_svg(svg).unwrap();
        assert_eq!(shape.view_box, (0.0, 0.0, 30.0, 20.0));
        assert_eq!(shape.paths, ["M1 2L4 2L4 6L1 6Z"]);
    }

    #[test]
    fn even_odd_holes_survive_the_nonzero_rule() {
        // Two squares wound the same way: even-odd makes the inner one a hole.
        let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">
            <path fill-rule="evenodd" d="M0 0H10V10H0Z M3 3H7V7H3Z"/></svg>"#;
        let shape = parse_emblem_svg(svg).unwrap();
        let tree = usvg::Tree::from_str(
            &format!("<svg xmlns=\"{SVG_NS}\" width=\"10\" height=\"10\"><path d=\"{}\"/></svg>", shape.paths[0]),
            &usvg::Options::default(),
        )
        .unwrap();
        let mut pixmap = tiny_skia::Pixmap::new(10, 10).unwrap();
        resvg::render(&tree, tiny_skia::Transform::identity(), &mut pixmap.as_mut());
        assert_eq!(pixmap.pixel(5, 5).unwrap().alpha(), 0, "the hole is filled");
        assert_eq!(pixmap.pixel(1, 5).unwrap().alpha(), 255);
    }

    #[test]
    fn emblem_svg_refuses_external_references() {
        let wrap = |body: &str| {
            format!(
                "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" \
                 viewBox=\"0 0 10 10\"><path d=\"M0 0H5V5Z\"/>{body}</svg>"
            )
        };
        let cases = [
            (wrap("<use xlink:href=\"other.svg#shape\"/>"), "other.svg#shape"),
            (wrap("<use href=\"https://example.com/a.svg#x\"/>"), "https://example.com/a.svg#x"),
            (wrap("<image href=\"#x\" width=\"5\" height=\"5\"/>"), "<image> #x"),
            (wrap("<script>alert(1)</script>"), "<script>"),
            (wrap("<foreignObject width=\"5\" height=\"5\"/>"), "<foreignObject>"),
            (wrap("<filter id=\"f\"><feImage href=\"#p\"/></filter>"), "<feImage> #p"),
            (
                wrap("<path d=\"M0 0H1V1Z\" fill=\"url(http://evil.example/p.svg#g)\"/>"),
                "url(http://evil.example/p.svg#g)",
            ),
            (wrap("<path d=\"M0 0H1V1Z\" style=\"fill:URL( 'file:///etc/passwd' )\"/>"), "url('file:///etc/passwd')"),
            (wrap("<style>@import url(#x); path { fill: red }</style>"), "@import url(#x)"),
            (wrap("<style>path { fill: url(other.svg#g) }</style>"), "url(other.svg#g)"),
            (wrap("<a href=\"https://example.com\"><path d=\"M0 0H1V1Z\"/></a>"), "https://example.com"),
            (format!("<?xml-stylesheet href=\"s.css\"?>{}", wrap("")), "<?xml-stylesheet href=\"s.css\"?>"),
        ];
        for (svg, reference) in cases {
            let err = parse_emblem_svg(&svg).unwrap_err();
            assert_eq!(err, SealError::ExternalReference(reference.to_owned()), "{svg}");
            let msg = err.to_string();
            assert!(msg.contains(reference) && msg.contains("only the file's own shapes are used"), "{msg}");
        }
        // Fragments within the file are fine.
        let ok = wrap(
            "<defs><linearGradient id=\"g\"><stop/></linearGradient></defs><path d=\"M0 0H1V1Z\" fill=\"url(#g)\"/>",
        );
        assert_eq!(parse_emblem_svg(&ok).unwrap().paths.len(), 2);
    }

    #[test]
    fn emblem_svg_refuses_empty_large_and_unusable_files() {
        let empty = [
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"/>"#,
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><defs><path d="M0 0H5V5Z"/></defs></svg>"#,
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><path d="M0 0H5V5Z" fill="none"/></svg>"#,
        ];
        for svg in empty {
            assert_eq!(parse_emblem_svg(svg).unwrap_err(), SealError::EmptyEmblem, "{svg}");
        }
        let big = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\"><!--{}--><path d=\"M0 0H5V5Z\"/></svg>",
            "x".repeat(MAX_EMBLEM_BYTES)
        );
        assert_eq!(parse_emblem_svg(&big).unwrap_err(), SealError::TooLarge(big.len()));

        let bad = |svg: &str| match parse_emblem_svg(svg) {
            Err(SealError::BadEmblemSvg(why)) => why,
            other => panic!("{svg}: {other:?}"),
        };
        assert!(!bad("<svg").is_empty());
        assert!(bad(r#"<svg viewBox="0 0 1 1"><path d="M0 0H1V1Z"/></svg>"#).contains("xmlns"));
        assert!(bad(r#"<svg xmlns="http://www.w3.org/2000/svg"><path d="M0 0H1V1Z"/></svg>"#).contains("viewBox"));
        let text = r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 9 9"><text>B</text></svg>"#;
        assert!(bad(text).contains("<text>"));
        let deep = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 9 9\">{}<path d=\"M0 0H1V1Z\"/>{}</svg>",
            "<g>".repeat(100),
            "</g>".repeat(100)
        );
        assert!(bad(&deep).contains("nested"));
        let mut detailed = String::from("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 9 9\"><path d=\"M0 0");
        detailed.push_str(&"L1 1L2 0".repeat(11_000));
        detailed.push_str("Z\"/></svg>");
        assert!(bad(&detailed).contains("too detailed"));
    }

    #[test]
    fn emblem_svg_refuses_entity_and_use_bombs() {
        // The classic billion laughs: refused before parsing. (roxmltree alone
        // would also stop this nested form, but not a flat one.)
        let mut laughs = String::from("<?xml version=\"1.0\"?><!DOCTYPE svg [<!ENTITY lol \"lol\">");
        for i in 1..10 {
            let prev = if i == 1 { "lol".to_owned() } else { format!("lol{}", i - 1) };
            laughs.push_str(&format!("<!ENTITY lol{i} \"{}\">", format!("&{prev};").repeat(10)));
        }
        laughs.push_str("]><svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 9 9\"><title>&lol9;</title></svg>");
        assert!(matches!(parse_emblem_svg(&laughs), Err(SealError::BadEmblemSvg(why)) if why.contains("ENTITY")));
        let nested = roxmltree::ParsingOptions { allow_dtd: true, ..Default::default() };
        assert!(roxmltree::Document::parse_with_options(&laughs, nested).is_err());
        // A flat, quadratic blow-up, which roxmltree would expand in full.
        let flat = format!(
            "<!DOCTYPE svg [<!ENTITY a \"{}\">]><svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 9 9\"><title>{}</title></svg>",
            "a".repeat(100_000),
            "&a;".repeat(40_000)
        );
        assert!(matches!(parse_emblem_svg(&flat), Err(SealError::BadEmblemSvg(why)) if why.contains("ENTITY")));
        // A plain DOCTYPE, as Illustrator writes, is fine.
        let doctype = r#"<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 9 9"><path d="M0 0H5V5Z"/></svg>"#;
        assert!(parse_emblem_svg(doctype).is_ok());

        // <use> of <use> of ...: ten copies, eight levels deep.
        let mut bomb = String::from(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" viewBox=\"0 0 9 9\"><defs><path id=\"g0\" d=\"M0 0H1V1Z\"/>",
        );
        for i in 1..8 {
            bomb.push_str(&format!("<g id=\"g{i}\">{}</g>", format!("<use xlink:href=\"#g{}\"/>", i - 1).repeat(10)));
        }
        bomb.push_str("</defs><use xlink:href=\"#g7\"/></svg>");
        assert!(matches!(parse_emblem_svg(&bomb), Err(SealError::BadEmblemSvg(why)) if why.contains("<use>")));
        // A <use> loop.
        let looped = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 9 9"><g id="a"><path d="M0 0H1V1Z"/><use href="#a"/></g></svg>"##;
        assert!(matches!(parse_emblem_svg(looped), Err(SealError::BadEmblemSvg(why)) if why.contains("<use>")));
    }
}
