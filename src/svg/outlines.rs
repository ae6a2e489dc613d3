//! The standalone card SVG: the card's own source with each `<text>` drawn
//! as glyph outlines, so the file needs no fonts to look the same anywhere.
//!
//! Each glyph's outline is written once, in font units, in `<defs>`, and
//! placed with `<use>`; everything that is not text is the theme's own SVG,
//! as the template wrote it. A 150-word card is about a quarter of the size
//! of usvg's writer's output (which flattens every glyph into path data) and
//! takes a fraction of the time. A colour glyph of plain layers (COLR v0:
//! an emoji) is defined once as a group of filled paths. Text this writer
//! cannot reproduce exactly (gradient, bitmap or SVG glyphs, a stroked
//! colour glyph, font variations, text inside symbols, clip paths
//! or defs, styled `<tspan>`s beyond colour and face) makes it return `None`;
//! the caller then falls back to usvg's writer.

use std::collections::HashMap;
use std::fmt::Write;
use std::sync::{Arc, Mutex};

use resvg::usvg::{self, roxmltree};
use skrifa::outline::OutlinePen;
use skrifa::MetadataProvider;

/// A glyph: its font in the theme's database, and its id.
type GlyphKey = (usvg::fontdb::ID, u32);

/// A glyph as the standalone SVG defines it once, in font units.
#[derive(Clone)]
enum Outline {
    /// An outline: SVG path data, filled with the text's colour.
    Plain(Arc<str>),
    /// A colour glyph (COLR v0): its layers, each a `<path>` with its own fill.
    Layers(Arc<str>),
}

impl Outline {
    fn is_empty(&self) -> bool {
        match self {
            Outline::Plain(d) | Outline::Layers(d) => d.is_empty(),
        }
    }
}

/// Glyph outlines in font units, as SVG, shared by every card drawn with
/// one font database (one theme).
#[derive(Default)]
pub struct GlyphOutlines {
    /// `None`: the glyph is neither an outline nor a colour glyph of plain
    /// layers (a COLR v1, bitmap or SVG glyph).
    paths: Mutex<HashMap<GlyphKey, Option<Outline>>>,
    /// Whether a font is variable (has an `fvar` table).
    variable: Mutex<HashMap<usvg::fontdb::ID, bool>>,
}

impl GlyphOutlines {
    fn get(&self, db: &usvg::fontdb::Database, font: usvg::fontdb::ID, glyph: u32) -> Option<Outline> {
        let key = (font, glyph);
        if let Some(path) = self.paths.lock().expect("no panics while holding the lock").get(&key) {
            return path.clone();
        }
        let outline = db
            .with_face_data(font, |data, index| {
                let mut pen = PathData(String::new());
                match draw_outline(data, index, glyph, &mut pen) {
                    Some(()) => Some(Outline::Plain(Arc::from(pen.0))),
                    None => color_layers(data, index, glyph).map(|layers| Outline::Layers(Arc::from(layers))),
                }
            })
            .flatten();
        self.paths.lock().expect("no panics while holding the lock").insert(key, outline.clone());
        outline
    }
}

impl GlyphOutlines {
    fn is_variable(&self, db: &usvg::fontdb::Database, font: usvg::fontdb::ID) -> bool {
        *self.variable.lock().expect("no panics while holding the lock").entry(font).or_insert_with(|| {
            db.with_face_data(font, |data, index| {
                skrifa::FontRef::from_index(data, index)
                    .is_ok_and(|f| f.table_data(skrifa::Tag::new(b"fvar")).is_some())
            })
            .unwrap_or(true)
        })
    }
}

/// Draws a plain outline glyph in font units (y up, as in the font) with
/// `pen`; `None` for a colour, SVG or bitmap glyph.
fn draw_outline(data: &[u8], index: u32, glyph: u32, pen: &mut impl OutlinePen) -> Option<()> {
    let font = skrifa::FontRef::from_index(data, index).ok()?;
    let id = skrifa::GlyphId::new(glyph);
    let table = |tag: &[u8; 4]| font.table_data(skrifa::Tag::new(tag)).is_some();
    if font.color_glyphs().get(id).is_some() || table(b"SVG ") || table(b"CBDT") || table(b"sbix") {
        return None;
    }
    draw_unhinted(&font, id, pen)?;
    Some(())
}

/// Draws `glyph`'s outline with `pen`, in font units and unhinted, as usvg
/// reads it: `Some(false)` when it has none (a space), `None` when it
/// cannot be read.
pub(crate) fn draw_unhinted(font: &skrifa::FontRef, glyph: skrifa::GlyphId, pen: &mut impl OutlinePen) -> Option<bool> {
    let Some(outline) = font.outline_glyphs().get(glyph) else {
        return Some(false);
    };
    let size = skrifa::instance::Size::unscaled();
    let settings = skrifa::outline::DrawSettings::unhinted(size, skrifa::instance::LocationRef::default());
    outline.draw(settings, pen).ok()?;
    Some(true)
}

/// A colour glyph's layers as `<path>`s in font units, each filled as usvg
/// fills it; `None` unless it is plain layers (see [`plain_layers`]).
fn color_layers(data: &[u8], index: u32, glyph: u32) -> Option<String> {
    let font = skrifa::FontRef::from_index(data, index).ok()?;
    let mut out = String::new();
    for (layer, [r, g, b, a]) in plain_layers(&font, skrifa::GlyphId::new(glyph))? {
        let mut d = PathData(String::new());
        // usvg draws a layer with no outline as nothing.
        if !draw_unhinted(&font, layer, &mut d)? {
            continue;
        }
        let _ = write!(out, "<path d=\"{}\" fill=\"#{r:02x}{g:02x}{b:02x}\" fill-opacity=\"", d.0);
        // Always said: a layer does not take the opacity of the text's fill
        // (usvg gives each layer its own).
        num(&mut out, f32::from(a) / 255.0, 3);
        out.push_str("\"/>");
    }
    Some(out)
}

/// The layers of `glyph`, when it is a colour glyph of plain layers (COLR
/// v0: glyph outlines filled with solid palette colours, nothing drawn
/// under a transform), each with its colour as usvg fills it (see
/// [`layer_color`]); `None` for anything else (gradients, clips,
/// transforms, composites: COLR v1), which only usvg's own code draws.
/// The card's raster and its standalone SVG both draw colour glyphs from
/// these.
pub(crate) fn plain_layers(font: &skrifa::FontRef, glyph: skrifa::GlyphId) -> Option<Vec<(skrifa::GlyphId, [u8; 4])>> {
    let color = font.color_glyphs().get(glyph)?;
    let mut layers = PlainLayers { font, layers: Vec::new(), transforms: 0, unsupported: false };
    color.paint(skrifa::instance::LocationRef::default(), &mut layers).ok()?;
    (!layers.unsupported).then_some(layers.layers)
}

/// Palette colour `index` of `font`'s first palette, its alpha times
/// `alpha`, black for the text colour (0xFFFF): how usvg fills a layer of a
/// colour glyph.
fn layer_color(font: &skrifa::FontRef, index: u16, alpha: f32) -> [u8; 4] {
    let palette = font.color_palettes();
    let found = palette.get(0).and_then(|p| p.colors().get(usize::from(index)).copied());
    let (r, g, b, a) = match found {
        Some(c) if index != u16::MAX => (c.red, c.green, c.blue, c.alpha),
        _ => (0, 0, 0, 255),
    };
    [r, g, b, (f32::from(a) * alpha) as u8]
}

/// Collects a colour glyph's plain layers (see [`plain_layers`]).
struct PlainLayers<'a> {
    font: &'a skrifa::FontRef<'a>,
    layers: Vec<(skrifa::GlyphId, [u8; 4])>,
    transforms: usize,
    unsupported: bool,
}

impl skrifa::color::ColorPainter for PlainLayers<'_> {
    fn push_transform(&mut self, _: skrifa::color::Transform) {
        self.transforms += 1;
    }
    fn pop_transform(&mut self) {
        self.transforms = self.transforms.saturating_sub(1);
    }
    fn push_clip_glyph(&mut self, _: skrifa::GlyphId) {
        self.unsupported = true;
    }
    fn push_clip_box(&mut self, _: skrifa::raw::types::BoundingBox<f32>) {
        self.unsupported = true;
    }
    fn pop_clip(&mut self) {}
    fn fill(&mut self, _: skrifa::color::Brush<'_>) {
        self.unsupported = true;
    }
    fn fill_glyph(
        &mut self,
        glyph: skrifa::GlyphId,
        brush_transform: Option<skrifa::color::Transform>,
        brush: skrifa::color::Brush<'_>,
    ) {
        match brush {
            skrifa::color::Brush::Solid { palette_index, alpha }
                if self.transforms == 0 && brush_transform.is_none() =>
            {
                self.layers.push((glyph, layer_color(self.font, palette_index, alpha)));
            }
            _ => self.unsupported = true,
        }
    }
    fn push_layer(&mut self, _: skrifa::color::CompositeMode) {
        self.unsupported = true;
    }
}

/// A pen that moves every point by a transform before writing it.
struct Moved<'a>(usvg::Transform, &'a mut PathData);

impl Moved<'_> {
    fn at(&self, x: f32, y: f32) -> [f32; 2] {
        let mut p = usvg::tiny_skia_path::Point::from_xy(x, y);
        self.0.map_point(&mut p);
        [p.x, p.y]
    }
}

impl OutlinePen for Moved<'_> {
    fn move_to(&mut self, x: f32, y: f32) {
        let p = self.at(x, y);
        self.1.cmd('M', &p);
    }
    fn line_to(&mut self, x: f32, y: f32) {
        let p = self.at(x, y);
        self.1.cmd('L', &p);
    }
    fn quad_to(&mut self, cx0: f32, cy0: f32, x: f32, y: f32) {
        let [a, b] = [self.at(cx0, cy0), self.at(x, y)];
        self.1.cmd('Q', &[a[0], a[1], b[0], b[1]]);
    }
    fn curve_to(&mut self, cx0: f32, cy0: f32, cx1: f32, cy1: f32, x: f32, y: f32) {
        let [a, b, c] = [self.at(cx0, cy0), self.at(cx1, cy1), self.at(x, y)];
        self.1.cmd('C', &[a[0], a[1], b[0], b[1], c[0], c[1]]);
    }
    fn close(&mut self) {
        self.1 .0.push('Z');
    }
}

/// Writes pen commands as compact SVG path data.
struct PathData(String);

impl PathData {
    fn cmd(&mut self, c: char, points: &[f32]) {
        self.0.push(c);
        for (i, v) in points.iter().enumerate() {
            if i > 0 && *v >= 0.0 {
                self.0.push(' ');
            }
            num(&mut self.0, *v, 1);
        }
    }
}

impl OutlinePen for PathData {
    fn move_to(&mut self, x: f32, y: f32) {
        self.cmd('M', &[x, y]);
    }
    fn line_to(&mut self, x: f32, y: f32) {
        self.cmd('L', &[x, y]);
    }
    fn quad_to(&mut self, cx0: f32, cy0: f32, x: f32, y: f32) {
        self.cmd('Q', &[cx0, cy0, x, y]);
    }
    fn curve_to(&mut self, cx0: f32, cy0: f32, cx1: f32, cy1: f32, x: f32, y: f32) {
        self.cmd('C', &[cx0, cy0, cx1, cy1, x, y]);
    }
    fn close(&mut self) {
        self.0.push('Z');
    }
}

/// `v` with at most `decimals` decimals and no trailing zeros.
fn num(out: &mut String, v: f32, decimals: usize) {
    let start = out.len();
    let _ = write!(out, "{v:.decimals$}");
    if out[start..].contains('.') {
        let trimmed = out.trim_end_matches('0').trim_end_matches('.').len();
        out.truncate(trimmed);
    }
    if &out[start..] == "-0" {
        out.truncate(start);
        out.push('0');
    }
}

/// Attributes that only mean something on text; everything else of a
/// `<text>` (paint, opacity, transform, class, id) moves to the `<g>` that
/// replaces it.
const TEXT_ONLY: &[&str] = &[
    "x",
    "y",
    "dx",
    "dy",
    "rotate",
    "textLength",
    "lengthAdjust",
    "font",
    "font-family",
    "font-size",
    "font-style",
    "font-weight",
    "font-variant",
    "font-stretch",
    "font-kerning",
    "font-feature-settings",
    "text-anchor",
    "letter-spacing",
    "word-spacing",
    "text-decoration",
    "writing-mode",
    "direction",
    "unicode-bidi",
    "dominant-baseline",
    "alignment-baseline",
    "baseline-shift",
    "text-rendering",
];

/// What a `<tspan>` may set for this writer to reproduce it: position,
/// face and a colour (which the laid-out spans carry).
const TSPAN_OK: &[&str] =
    &["x", "y", "dx", "dy", "font-family", "font-size", "font-style", "font-weight", "fill", "text-decoration"];

/// `source` (the card SVG that `tree` was parsed from) with its text as
/// outlines, or `None` when only usvg's writer can do it.
pub fn write(source: &str, tree: &usvg::Tree, glyphs: &GlyphOutlines) -> Option<String> {
    let options = roxmltree::ParsingOptions { allow_dtd: false, ..Default::default() };
    let doc = roxmltree::Document::parse_with_options(source, options).ok()?;
    let mut texts: HashMap<&str, Vec<&usvg::Text>> = HashMap::new();
    collect_texts(tree.root(), &mut texts);

    let mut defs = Defs::default();
    let mut out = String::with_capacity(source.len() + 16 * 1024);
    let mut copied = 0;
    for node in doc.descendants().filter(|n| n.has_tag_name("text")) {
        if node.ancestors().skip(1).any(|a| {
            matches!(
                a.tag_name().name(),
                "defs" | "symbol" | "clipPath" | "mask" | "pattern" | "marker" | "switch" | "text"
            )
        }) {
            return None;
        }
        let [text] = texts.get(node.attribute("id")?)?.as_slice() else {
            return None;
        };
        for tspan in node.descendants().skip(1).filter(|n| n.is_element()) {
            if !tspan.has_tag_name("tspan")
                || tspan.attributes().any(|a| a.namespace().is_none() && !TSPAN_OK.contains(&a.name()))
            {
                return None;
            }
        }
        let range = node.range();
        out.push_str(&source[copied..range.start]);
        copied = range.end;
        out.push_str("<g");
        let mut stroked = false;
        for a in node.attributes().filter(|a| a.namespace().is_none() && !TEXT_ONLY.contains(&a.name())) {
            stroked |= a.name() == "stroke" && a.value() != "none";
            let _ = write!(out, " {}=\"{}\"", a.name(), super::escape(a.value()));
        }
        out.push('>');
        glyph_runs(&mut out, text, tree.fontdb(), glyphs, &mut defs, stroked)?;
        out.push_str("</g>");
    }
    out.push_str(&source[copied..]);
    if defs.order.is_empty() {
        return Some(out);
    }

    // The outlines go at the end of the document, inside the root element.
    let end = out.rfind("</svg>")?;
    let mut tail = String::from("<defs>");
    for (n, outline) in defs.order.iter().enumerate() {
        let _ = match outline {
            Outline::Plain(d) => write!(tail, "<path id=\"wg{n}\" d=\"{d}\"/>"),
            Outline::Layers(layers) => write!(tail, "<g id=\"wg{n}\">{layers}</g>"),
        };
    }
    tail.push_str("</defs>");
    out.insert_str(end, &tail);
    if !doc.root_element().namespaces().any(|ns| ns.name() == Some("xlink")) {
        let at = doc.root_element().range().start + "<svg".len();
        out.insert_str(at, " xmlns:xlink=\"http://www.w3.org/1999/xlink\"");
    }
    Some(out)
}

/// Elements kept whole by [`text_only`]: what text and the groups around
/// it may refer to or be styled by.
const DEFINITIONS: &[&str] = &[
    "defs",
    "style",
    "linearGradient",
    "radialGradient",
    "pattern",
    "filter",
    "clipPath",
    "mask",
    "marker",
    "symbol",
    "font",
];

/// `source` with only what its `<text>` needs: the text, the groups around
/// it, definitions (paint servers, filters, clip paths, styles) and any
/// element something refers to by id; every other shape is left out.
/// Parsing it lays the text out as parsing `source` would, for a fraction
/// of the work when the text sits among many shapes (a seal's monogram),
/// and [`write`] takes its tree with `source`. `None` when `source` has no
/// text or does not parse.
pub fn text_only(source: &str) -> Option<String> {
    if !source.contains("<text") {
        return None;
    }
    let options = roxmltree::ParsingOptions { allow_dtd: false, ..Default::default() };
    let doc = roxmltree::Document::parse_with_options(source, options).ok()?;
    let root = doc.root_element();
    if !root.descendants().any(|n| n.has_tag_name("text")) {
        return None;
    }
    let mut dropped = Vec::new();
    drop_shapes(root, source, &mut dropped);
    let mut out = String::with_capacity(source.len());
    let mut copied = 0;
    for range in dropped {
        out.push_str(&source[copied..range.start]);
        copied = range.end;
    }
    out.push_str(&source[copied..]);
    Some(out)
}

/// The ranges of `parent`'s descendants that [`text_only`] leaves out, in
/// document order.
fn drop_shapes(parent: roxmltree::Node, source: &str, dropped: &mut Vec<std::ops::Range<usize>>) {
    for child in parent.children().filter(|n| n.is_element()) {
        let name = child.tag_name().name();
        let referred = child.attribute("id").is_some_and(|id| source.contains(&format!("#{id}")));
        if DEFINITIONS.contains(&name) || name == "text" || referred {
            continue;
        }
        if child.descendants().any(|n| n.has_tag_name("text")) {
            drop_shapes(child, source, dropped);
        } else {
            dropped.push(child.range());
        }
    }
}

/// The text nodes of the tree by id.
fn collect_texts<'a>(group: &'a usvg::Group, into: &mut HashMap<&'a str, Vec<&'a usvg::Text>>) {
    for node in group.children() {
        match node {
            usvg::Node::Group(g) => collect_texts(g, into),
            usvg::Node::Text(t) => into.entry(t.id()).or_default().push(t),
            _ => {}
        }
    }
}

/// The glyph outlines a card uses, numbered in order of first use.
#[derive(Default)]
struct Defs {
    order: Vec<Outline>,
    numbers: HashMap<GlyphKey, usize>,
}

/// Writes the laid-out spans of `text`: a `<g>` per span with its colour,
/// each glyph a `<use>` of its outline (or, under a stroke, the outline
/// itself in user space, so the stroke keeps its width).
fn glyph_runs(
    out: &mut String,
    text: &usvg::Text,
    db: &usvg::fontdb::Database,
    glyphs: &GlyphOutlines,
    defs: &mut Defs,
    stroked: bool,
) -> Option<()> {
    for span in text.layouted().iter().filter(|s| s.visible) {
        // usvg lists the weight and style as variations; they matter only to
        // a variable font.
        if !span.variations.is_empty() && span.positioned_glyphs.iter().any(|g| glyphs.is_variable(db, g.font)) {
            return None;
        }
        out.push_str("<g");
        span_fill(out, span);
        out.push('>');
        for path in [&span.overline, &span.underline].into_iter().flatten() {
            decoration_path(out, path);
        }
        let shared = shared_scale(span);
        if let (Some(t), false) = (shared, stroked) {
            out.push_str("<g transform=\"scale(");
            num(out, t.sx, 7);
            out.push(' ');
            num(out, t.sy, 7);
            out.push_str(")\">");
        }
        let place = Placing { db, glyphs, shared, stroked };
        for glyph in &span.positioned_glyphs {
            place.glyph(out, glyph, defs)?;
        }
        if shared.is_some() && !stroked {
            out.push_str("</g>");
        }
        if let Some(path) = &span.line_through {
            decoration_path(out, path);
        }
        out.push_str("</g>");
    }
    Some(())
}

/// A span's fill as attributes of its group.
fn span_fill(out: &mut String, span: &usvg::layout::Span) {
    match span.fill.as_ref().map(|f| (f.paint(), f.opacity().get())) {
        None => out.push_str(" fill=\"none\""),
        Some((usvg::Paint::Color(c), opacity)) => {
            let _ = write!(out, " fill=\"#{:02x}{:02x}{:02x}\"", c.red, c.green, c.blue);
            if opacity < 1.0 {
                out.push_str(" fill-opacity=\"");
                num(out, opacity, 3);
                out.push('"');
            }
        }
        // A gradient or pattern comes from the text element's own attributes.
        Some(_) => {}
    }
}

/// The scale every glyph of the span shares, if they share one (glyphs of
/// one size): the group then carries it and each glyph is placed in font
/// units.
fn shared_scale(span: &usvg::layout::Span) -> Option<usvg::Transform> {
    span.positioned_glyphs.first().map(|g| g.outline_transform()).filter(|first| {
        first.kx == 0.0
            && first.ky == 0.0
            && span.positioned_glyphs.iter().all(|g| {
                let t = g.outline_transform();
                t.sx == first.sx && t.sy == first.sy && t.kx == 0.0 && t.ky == 0.0
            })
    })
}

/// How the glyphs of one span are placed.
struct Placing<'a> {
    db: &'a usvg::fontdb::Database,
    glyphs: &'a GlyphOutlines,
    /// The span's shared scale (see [`shared_scale`]).
    shared: Option<usvg::Transform>,
    /// Under a stroke: outlines in user space.
    stroked: bool,
}

impl Placing<'_> {
    /// Writes one glyph; `None` when it is not a plain outline.
    fn glyph(&self, out: &mut String, glyph: &usvg::layout::PositionedGlyph, defs: &mut Defs) -> Option<()> {
        let (db, glyphs) = (self.db, self.glyphs);
        let path = glyphs.get(db, glyph.font, glyph.id.0)?;
        if path.is_empty() {
            return Some(());
        }
        let t = glyph.outline_transform();
        if matches!(path, Outline::Layers(_)) && self.stroked {
            // usvg draws a colour glyph unstroked; the outline would inherit the stroke.
            return None;
        }
        if self.stroked {
            // Outlines in user space: a stroke must not be scaled with them.
            let mut moved = PathData(String::new());
            db.with_face_data(glyph.font, |data, index| {
                draw_outline(data, index, glyph.id.0, &mut Moved(t, &mut moved))
            });
            let _ = write!(out, "<path d=\"{}\"/>", moved.0);
            return Some(());
        }
        let next = defs.order.len();
        let n = *defs.numbers.entry((glyph.font, glyph.id.0)).or_insert(next);
        if n == next {
            defs.order.push(path);
        }
        let _ = write!(out, "<use xlink:href=\"#wg{n}\"");
        match self.shared {
            Some(s) => {
                out.push_str(" x=\"");
                num(out, t.tx / s.sx, 1);
                out.push_str("\" y=\"");
                num(out, t.ty / s.sy, 1);
                out.push('"');
            }
            None => {
                out.push_str(" transform=\"matrix(");
                for (i, v) in [t.sx, t.ky, t.kx, t.sy, t.tx, t.ty].into_iter().enumerate() {
                    if i > 0 {
                        out.push(' ');
                    }
                    num(out, v, if i < 4 { 7 } else { 2 });
                }
                out.push_str(")\"");
            }
        }
        out.push_str("/>");
        Some(())
    }
}

/// An underline (or over-, or line-through) as a filled path.
fn decoration_path(out: &mut String, path: &usvg::Path) {
    let mut d = PathData(String::new());
    for segment in path.data().segments() {
        use usvg::tiny_skia_path::PathSegment as S;
        match segment {
            S::MoveTo(p) => d.cmd('M', &[p.x, p.y]),
            S::LineTo(p) => d.cmd('L', &[p.x, p.y]),
            S::QuadTo(a, p) => d.cmd('Q', &[a.x, a.y, p.x, p.y]),
            S::CubicTo(a, b, p) => d.cmd('C', &[a.x, a.y, b.x, b.y, p.x, p.y]),
            S::Close => d.0.push('Z'),
        }
    }
    let _ = write!(out, "<path d=\"{}\"", d.0);
    if let Some(usvg::Paint::Color(c)) = path.fill().map(|f| f.paint()) {
        let _ = write!(out, " fill=\"#{:02x}{:02x}{:02x}\"", c.red, c.green, c.blue);
    }
    out.push_str("/>");
}

#[cfg(test)]
mod tests {
    use super::num;

    #[test]
    fn numbers_are_short() {
        let cases = [(1.0, 1, "1"), (1.26, 1, "1.3"), (-0.01, 1, "0"), (0.0123456, 7, "0.0123456"), (-3.5, 2, "-3.5")];
        for (v, decimals, want) in cases {
            let mut s = String::new();
            num(&mut s, v, decimals);
            assert_eq!(s, want, "{v} with {decimals} decimals");
        }
    }
}
