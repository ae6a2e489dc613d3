//! A PNG card's text drawn from glyph pictures kept per theme: each glyph
//! is rasterised once per font, size and place within a pixel (its coverage
//! mask, or the RGBA picture of a colour emoji) and composited wherever it
//! is set again, instead of its outline being filled for every card.
//!
//! The glyphs and their places are those of the runs waxseal set (see
//! [`super::lettering`]: the shaper usvg uses, on the same font bytes) or,
//! for a text left to usvg, usvg's own, so the PNG shows the glyphs the
//! SVG and the PDF show. A glyph is drawn at its pen position rounded to a [`STEPS`]th of a
//! pixel, and a picture is made from its key alone, so a card's pixels never
//! depend on which card (or thread) drew a glyph first. What this module does
//! not draw exactly as resvg would (strokes, gradients, skewed or variable
//! text, bitmap and SVG glyphs) it leaves to resvg, a whole `<text>` at a time.

use std::borrow::Cow;
use std::sync::{Arc, Mutex};

use resvg::usvg;
use rustc_hash::FxHashMap;
use skrifa::MetadataProvider;
use usvg::fontdb;

use super::ink::Ink;

/// Places within a pixel, on each axis, that a glyph is drawn at: a glyph
/// moves at most an eighth of a pixel from where resvg puts it (invisible,
/// but an edge pixel's coverage may change by up to a quarter; see
/// BENCHMARKS.md). Finer steps keep more pictures for fewer hits: on 200
/// cards of bench/generate.py, 16% of the look-ups made a picture at 4
/// steps, 57% at 16 and 88% at 64 (which drew slower than filling outlines).
const STEPS: f32 = 4.0;

/// The most bytes of glyph pictures a theme keeps. Pictures average about
/// 500 bytes (body text at 300 dpi, titles and names larger, thumbnails
/// much smaller): 8 MB is some 16,000 of them. On 1,000 cards of
/// bench/generate.py, 12% of the look-ups made a picture with 8 MB and 7%
/// with 24 MB, for the same build time, while the build's peak memory grew
/// by 18 MB against 36 MB.
pub const CACHE_BYTES: u64 = 8 << 20;

/// No glyph picture larger than this is made (a title can be large; this is
/// a glyph of over 2,000 px an em): such a text is drawn by resvg.
const MAX_PICTURE_PIXELS: usize = 4 << 20;

/// A glyph at one size and place within a pixel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Key {
    font: fontdb::ID,
    glyph: u32,
    /// The em, in 1/64 px.
    em: u32,
    /// The pen's place within its pixel, in [`STEPS`]ths.
    x: u8,
    y: u8,
}

/// A glyph drawn once, its top-left corner at (`left`, `top`) from the
/// pixel its pen is in.
pub(super) enum Picture {
    /// An outline glyph's coverage, drawn in its text's colour.
    Mask { left: i32, top: i32, mask: tiny_skia::Mask },
    /// A colour glyph, premultiplied, drawn as it is.
    Color { left: i32, top: i32, pixmap: tiny_skia::Pixmap },
    /// Nothing to draw (a space).
    Empty,
    /// Not drawn from a picture: its text is left to resvg.
    Unsupported,
}

impl Picture {
    fn bytes(&self) -> u64 {
        match self {
            Picture::Mask { mask, .. } => mask.data().len() as u64,
            Picture::Color { pixmap, .. } => pixmap.data().len() as u64,
            Picture::Empty | Picture::Unsupported => 0,
        }
    }

    /// The rows it covers, from the first to past the last, with its pen
    /// in row `y`.
    pub(super) fn rows(&self, y: i32) -> (i32, i32) {
        match self {
            Picture::Mask { top, mask, .. } => (y + top, y + top + mask.height() as i32),
            Picture::Color { top, pixmap, .. } => (y + top, y + top + pixmap.height() as i32),
            Picture::Empty | Picture::Unsupported => (y, y),
        }
    }
}

/// Weighs a picture by its bytes (and what a cache entry costs besides).
#[derive(Clone)]
struct Bytes;

impl quick_cache::Weighter<Key, Arc<Picture>> for Bytes {
    fn weight(&self, _: &Key, picture: &Arc<Picture>) -> u64 {
        picture.bytes() + 64
    }
}

/// What a font allows: `None` for one this module leaves to resvg.
#[derive(Debug, Clone, Copy)]
pub(super) struct FontInfo {
    pub(super) units_per_em: u16,
    /// It has colour (COLR) glyphs.
    pub(super) colr: bool,
}

/// A theme's glyph pictures (keyed by its font database's ids), within
/// [`CACHE_BYTES`]: the least used go first (quick_cache's S3-FIFO).
pub struct GlyphCache {
    pictures: quick_cache::sync::Cache<Key, Arc<Picture>, Bytes>,
    fonts: Mutex<FxHashMap<fontdb::ID, Option<FontInfo>>>,
}

impl Default for GlyphCache {
    fn default() -> Self {
        GlyphCache::with_bytes(CACHE_BYTES)
    }
}

impl GlyphCache {
    /// A cache keeping at most `bytes` of pictures.
    pub fn with_bytes(bytes: u64) -> GlyphCache {
        GlyphCache { pictures: quick_cache::sync::Cache::with_weighter(4096, bytes, Bytes), fonts: Mutex::default() }
    }

    /// The bytes of the pictures kept now.
    pub fn bytes(&self) -> u64 {
        self.pictures.weight()
    }

    /// How many pictures are kept now.
    pub fn len(&self) -> usize {
        self.pictures.len()
    }

    /// Whether no picture is kept.
    pub fn is_empty(&self) -> bool {
        self.pictures.is_empty()
    }

    fn font(&self, db: &fontdb::Database, id: fontdb::ID) -> Option<FontInfo> {
        let mut fonts = self.fonts.lock().expect("no panics while holding the lock");
        *fonts.entry(id).or_insert_with(|| db.with_face_data(id, font_info).flatten())
    }

    fn picture(&self, db: &fontdb::Database, key: Key, info: FontInfo) -> Arc<Picture> {
        let made = self.pictures.get_or_insert_with(&key, || {
            let picture = db.with_face_data(key.font, |data, index| draw_glyph(data, index, key, info));
            Ok::<_, ()>(Arc::new(picture.flatten().unwrap_or(Picture::Unsupported)))
        });
        made.unwrap_or_else(|()| unreachable!("making a picture does not fail"))
    }
}

/// What this module can draw of a font: static (no `fvar`, whose `opsz`
/// usvg may set by size), with outlines, and no bitmap or SVG glyphs.
pub(super) fn font_info(data: &[u8], index: u32) -> Option<FontInfo> {
    use read_fonts::TableProvider;
    let font = skrifa::FontRef::from_index(data, index).ok()?;
    let has = |tag: &[u8; 4]| font.table_data(skrifa::Tag::new(tag)).is_some();
    if has(b"fvar") || has(b"SVG ") || has(b"CBDT") || has(b"sbix") {
        return None;
    }
    Some(FontInfo { units_per_em: font.head().ok()?.units_per_em(), colr: has(b"COLR") })
}

/// The picture of the glyph `key`, made from the key alone.
fn draw_glyph(data: &[u8], index: u32, key: Key, info: FontInfo) -> Option<Picture> {
    let font = skrifa::FontRef::from_index(data, index).ok()?;
    let glyph = skrifa::GlyphId::new(key.glyph);
    let scale = key.em as f32 / 64.0 / f32::from(info.units_per_em.max(1));
    let pen = (f32::from(key.x) / STEPS, f32::from(key.y) / STEPS);
    if info.colr && font.color_glyphs().get(glyph).is_some() {
        let layers = crate::svg::outlines::plain_layers(&font, glyph)?;
        // usvg draws a layer with no outline as nothing.
        let paths = layers.into_iter().filter_map(|(layer, [r, g, b, a])| {
            Some((outline(&font, layer)?, tiny_skia::Color::from_rgba8(r, g, b, a)))
        });
        return draw_layers(paths.collect(), scale, pen);
    }
    let Some(path) = outline(&font, glyph) else {
        return Some(Picture::Empty);
    };
    let (left, top, width, height, transform) = frame(path.bounds(), scale, pen)?;
    let mut mask = tiny_skia::Mask::new(width, height)?;
    mask.fill_path(&path, tiny_skia::FillRule::Winding, true, transform);
    Some(Picture::Mask { left, top, mask })
}

/// A glyph's outline in font units, as usvg reads it; `None` for one with
/// no outline (a space).
fn outline(font: &skrifa::FontRef, glyph: skrifa::GlyphId) -> Option<tiny_skia::Path> {
    let mut pen = Pen(tiny_skia::PathBuilder::new());
    crate::svg::outlines::draw_unhinted(font, glyph, &mut pen)?.then_some(())?;
    pen.0.finish()
}

/// Where a picture of an outline with `bounds` (font units) goes, drawn at
/// `scale` px a unit with its pen at `pen` within a pixel: its left and top
/// from the pen's pixel, its size, and the transform that draws the
/// outline into it.
fn frame(bounds: tiny_skia::Rect, scale: f32, pen: (f32, f32)) -> Option<(i32, i32, u32, u32, tiny_skia::Transform)> {
    let (x0, x1) = (bounds.left() * scale + pen.0, bounds.right() * scale + pen.0);
    let (y0, y1) = (pen.1 - bounds.bottom() * scale, pen.1 - bounds.top() * scale);
    let (left, top) = (x0.floor() as i32 - 1, y0.floor() as i32 - 1);
    let (width, height) = ((x1.ceil() as i32 + 1 - left).max(1) as u32, (y1.ceil() as i32 + 1 - top).max(1) as u32);
    if width as usize * height as usize > MAX_PICTURE_PIXELS {
        return None;
    }
    let transform = tiny_skia::Transform::from_row(scale, 0.0, 0.0, -scale, pen.0 - left as f32, pen.1 - top as f32);
    Some((left, top, width, height, transform))
}

/// Builds a tiny-skia path from a glyph's outline.
struct Pen(tiny_skia::PathBuilder);

impl skrifa::outline::OutlinePen for Pen {
    fn move_to(&mut self, x: f32, y: f32) {
        self.0.move_to(x, y);
    }
    fn line_to(&mut self, x: f32, y: f32) {
        self.0.line_to(x, y);
    }
    fn quad_to(&mut self, cx0: f32, cy0: f32, x: f32, y: f32) {
        self.0.quad_to(cx0, cy0, x, y);
    }
    fn curve_to(&mut self, cx0: f32, cy0: f32, cx1: f32, cy1: f32, x: f32, y: f32) {
        self.0.cubic_to(cx0, cy0, cx1, cy1, x, y);
    }
    fn close(&mut self) {
        self.0.close();
    }
}

/// A colour glyph's layers (glyph outlines in font units, each with its
/// colour) drawn at `scale` with the pen at `pen` within a pixel.
fn draw_layers(layers: Vec<(tiny_skia::Path, tiny_skia::Color)>, scale: f32, pen: (f32, f32)) -> Option<Picture> {
    let bounds = layers.iter().map(|(path, _)| path.bounds()).reduce(|a, b| {
        tiny_skia::Rect::from_ltrb(
            a.left().min(b.left()),
            a.top().min(b.top()),
            a.right().max(b.right()),
            a.bottom().max(b.bottom()),
        )
        .unwrap_or(a)
    });
    let Some(bounds) = bounds else {
        return Some(Picture::Empty);
    };
    let (left, top, width, height, transform) = frame(bounds, scale, pen)?;
    let mut pixmap = tiny_skia::Pixmap::new(width, height)?;
    for (path, color) in &layers {
        let mut paint = tiny_skia::Paint::default();
        paint.set_color(*color);
        pixmap.fill_path(path, &paint, tiny_skia::FillRule::Winding, transform, None);
    }
    Some(Picture::Color { left, top, pixmap })
}

/// One thing to draw of a `<text>`: a decoration line, or a glyph's
/// picture at a pixel in a colour.
enum Step<'a> {
    Line(&'a usvg::Path),
    Glyph(Arc<Picture>, i32, i32, tiny_skia::PremultipliedColorU8),
}

/// Draws the text layer `group` of a card (a top-level group) at `scale`:
/// its texts from glyph pictures where they can be, everything else (and
/// texts that cannot) as resvg draws it. False, having drawn nothing, when
/// the group is not a plain one (opacity, clip, mask or filter).
pub fn draw_layer(
    cache: &GlyphCache,
    db: &fontdb::Database,
    group: &usvg::Group,
    scale: f32,
    pixmap: &mut tiny_skia::Pixmap,
) -> bool {
    let mut ink = Ink::new(scale);
    let plain = ink_layer(cache, db, group, &mut ink);
    ink.draw(pixmap, 0);
    plain
}

/// The marks of the text layer `group` (see [`draw_layer`]), put on `ink`;
/// false, having put nothing, when the group is not a plain one.
pub(super) fn ink_layer<'a>(
    cache: &GlyphCache,
    db: &fontdb::Database,
    group: &'a usvg::Group,
    ink: &mut Ink<'a>,
) -> bool {
    let plain = group.opacity() == usvg::Opacity::ONE
        && group.clip_path().is_none()
        && group.mask().is_none()
        && group.filters().is_empty()
        && group.blend_mode() == usvg::BlendMode::Normal
        && group.transform().is_identity();
    if !plain {
        return false;
    }
    for node in group.children() {
        let inked = match node {
            usvg::Node::Text(text) => ink_text(cache, db, text, ink),
            _ => false,
        };
        if !inked {
            ink.node(node);
        }
    }
    true
}

/// Puts the marks of `text`, from glyph pictures, on `ink`; false, having
/// put nothing, when it has what only resvg draws.
fn ink_text<'a>(cache: &GlyphCache, db: &fontdb::Database, text: &'a usvg::Text, ink: &mut Ink<'a>) -> bool {
    let scale = ink.scale();
    let Some(steps) = plan(cache, db, text, scale) else {
        return false;
    };
    let device = tiny_skia::Transform::from_scale(scale, scale).pre_concat(text.abs_transform());
    for step in steps {
        match step {
            Step::Line(path) => ink_line(path, device, ink),
            Step::Glyph(picture, x, y, color) => ink.glyph(picture, x, y, color),
        }
    }
    true
}

/// The steps that draw `text`, in resvg's order (in each span: its over-
/// and underline, its colour glyphs, its outline glyphs, its line-through),
/// or `None` when something in it is left to resvg.
fn plan<'a>(cache: &GlyphCache, db: &fontdb::Database, text: &'a usvg::Text, scale: f32) -> Option<Vec<Step<'a>>> {
    if text.rendering_mode() == usvg::TextRendering::OptimizeSpeed {
        return None;
    }
    let device = tiny_skia::Transform::from_scale(scale, scale).pre_concat(text.abs_transform());
    let mut steps = Vec::new();
    // The glyphs of a span mostly share a font: asked for once.
    let mut font = None;
    for span in text.layouted() {
        if !span.visible {
            continue;
        }
        let color = solid(span.fill.as_ref())?;
        // Variations are left out: a font with axes is left to resvg
        // (see `font_info`), and a static one has none to vary.
        if span.stroke.is_some() {
            return None;
        }
        for line in [&span.overline, &span.underline].into_iter().flatten() {
            solid(line.fill())?;
            steps.push(Step::Line(line));
        }
        let mut outlines = Vec::with_capacity(span.positioned_glyphs.len());
        for glyph in &span.positioned_glyphs {
            let (picture, x, y) = place(cache, db, glyph, device, &mut font)?;
            match *picture {
                Picture::Empty => {}
                Picture::Unsupported => return None,
                Picture::Color { .. } => steps.push(Step::Glyph(picture, x, y, color)),
                Picture::Mask { .. } => outlines.push(Step::Glyph(picture, x, y, color)),
            }
        }
        steps.extend(outlines);
        if let Some(line) = &span.line_through {
            solid(line.fill())?;
            steps.push(Step::Line(line));
        }
    }
    Some(steps)
}

/// A fill's colour, premultiplied, if it is one solid colour.
fn solid(fill: Option<&usvg::Fill>) -> Option<tiny_skia::PremultipliedColorU8> {
    let fill = fill?;
    let usvg::Paint::Color(c) = fill.paint() else {
        return None;
    };
    if fill.rule() != usvg::FillRule::NonZero {
        return None;
    }
    let color = tiny_skia::Color::from_rgba8(c.red, c.green, c.blue, fill.opacity().to_u8());
    Some(color.premultiply().to_color_u8())
}

/// A glyph's picture and the pixel its pen is in, set by `device` (the
/// text's transform to the pixmap).
fn place(
    cache: &GlyphCache,
    db: &fontdb::Database,
    glyph: &usvg::layout::PositionedGlyph,
    device: tiny_skia::Transform,
    font: &mut Option<(fontdb::ID, Option<FontInfo>)>,
) -> Option<(Arc<Picture>, i32, i32)> {
    picture_at(cache, db, (glyph.font, glyph.id.0), device.pre_concat(glyph.outline_transform()), font)
}

/// The picture of glyph `id` of `face` drawn through `t` (its outline's
/// units to the pixmap's pixels), and the pixel its pen is in.
fn picture_at(
    cache: &GlyphCache,
    db: &fontdb::Database,
    (face, id): (fontdb::ID, u32),
    t: tiny_skia::Transform,
    font: &mut Option<(fontdb::ID, Option<FontInfo>)>,
) -> Option<(Arc<Picture>, i32, i32)> {
    // Upright and unskewed: an em the same across and down.
    if t.kx != 0.0 || t.ky != 0.0 || t.sx <= 0.0 || (t.sx + t.sy).abs() > t.sx * 1e-4 {
        return None;
    }
    let info = match *font {
        Some((known, info)) if known == face => info,
        _ => font.insert((face, cache.font(db, face))).1,
    }?;
    let em = (t.sx * f32::from(info.units_per_em) * 64.0).round();
    if !(1.0..=262_144.0).contains(&em) || !t.tx.is_finite() || !t.ty.is_finite() {
        return None;
    }
    let (px, x) = step(t.tx);
    let (py, y) = step(t.ty);
    let key = Key { font: face, glyph: id, em: em as u32, x, y };
    Some((cache.picture(db, key, info), px, py))
}

/// Puts the marks of `runs` (in the card's units) on `ink`, from glyph
/// pictures: each run's underline, then its colour glyphs, then its
/// outline glyphs, as resvg orders a span's. A glyph with no picture (one
/// too large to keep) is filled from its outline.
pub(super) fn ink_runs(cache: &GlyphCache, db: &fontdb::Database, runs: &[super::lettering::Run], ink: &mut Ink) {
    let scale = ink.scale();
    let mut font = None;
    let mut outlines = Vec::new();
    for run in runs {
        if let Some(rect) = run.underline {
            let underline = tiny_skia::PathBuilder::from_rect(rect);
            ink.fill(Cow::Owned(underline), run.color, tiny_skia::Transform::from_scale(scale, scale));
        }
        let [r, g, b, a] = run.color;
        let color = tiny_skia::Color::from_rgba8(r, g, b, a).premultiply().to_color_u8();
        let em = scale * run.size / f32::from(run.units_per_em.max(1));
        outlines.clear();
        for &(id, x, y) in &run.glyphs {
            let t = tiny_skia::Transform::from_row(em, 0.0, 0.0, -em, x * scale, y * scale);
            match picture_at(cache, db, (run.font, id), t, &mut font) {
                Some((picture, px, py)) => match *picture {
                    Picture::Color { .. } => ink.glyph(picture, px, py, color),
                    Picture::Mask { .. } => outlines.push((picture, px, py)),
                    Picture::Empty => {}
                    Picture::Unsupported => ink_glyph(db, (run.font, id), t, run.color, ink),
                },
                None => ink_glyph(db, (run.font, id), t, run.color, ink),
            }
        }
        for (picture, px, py) in outlines.drain(..) {
            ink.glyph(picture, px, py, color);
        }
    }
}

/// Puts glyph `id` of `face` through `t` in `color` on `ink`, filled from
/// its outline.
fn ink_glyph(
    db: &fontdb::Database,
    (face, id): (fontdb::ID, u32),
    t: tiny_skia::Transform,
    color: [u8; 4],
    ink: &mut Ink,
) {
    let path = db.with_face_data(face, |data, index| {
        let font = skrifa::FontRef::from_index(data, index).ok()?;
        outline(&font, skrifa::GlyphId::new(id))
    });
    if let Some(path) = path.flatten() {
        ink.fill(Cow::Owned(path), color, t);
    }
}

/// Fills `path` through `t` in `color` (straight RGBA), anti-aliased, as
/// resvg fills a text's solid path.
pub(super) fn fill_solid(
    path: &tiny_skia::Path,
    [r, g, b, a]: [u8; 4],
    t: tiny_skia::Transform,
    pixmap: &mut tiny_skia::Pixmap,
) {
    let mut paint = tiny_skia::Paint::default();
    paint.set_color_rgba8(r, g, b, a);
    paint.anti_alias = true;
    pixmap.fill_path(path, &paint, tiny_skia::FillRule::Winding, t, None);
}

/// A coordinate as its pixel and its place within it, rounded to the
/// nearest [`STEPS`]th (the last step rounds up to the next pixel).
fn step(v: f32) -> (i32, u8) {
    let pixel = v.floor();
    let within = ((v - pixel) * STEPS).round();
    if within >= STEPS {
        (pixel as i32 + 1, 0)
    } else {
        (pixel as i32, within as u8)
    }
}

/// Puts a span's decoration line on `ink`, filled as resvg fills a path.
fn ink_line<'a>(path: &'a usvg::Path, device: tiny_skia::Transform, ink: &mut Ink<'a>) {
    let Some(fill) = path.fill() else { return };
    let usvg::Paint::Color(c) = fill.paint() else { return };
    // usvg gives a decoration its text's rendering mode: anti-aliased
    // (an `optimizeSpeed` text is left to resvg).
    ink.fill(Cow::Borrowed(path.data()), [c.red, c.green, c.blue, fill.opacity().to_u8()], device);
}

/// Composites `picture` with its pen in pixel (`x`, `y`): a mask in `color`,
/// a colour glyph as it is (source over).
pub(super) fn blit(
    picture: &Picture,
    x: i32,
    y: i32,
    color: tiny_skia::PremultipliedColorU8,
    pixmap: &mut tiny_skia::Pixmap,
) {
    match picture {
        Picture::Mask { left, top, mask } => blend_mask(mask, x + left, y + top, color, pixmap),
        Picture::Color { left, top, pixmap: glyph } => {
            super::raster::draw_over(glyph, pixmap, i64::from(x + left), i64::from(y + top));
        }
        Picture::Empty | Picture::Unsupported => {}
    }
}

/// `v / 255`, rounded as tiny-skia's pipeline does, so that a glyph comes
/// out as a filled path would.
fn div255(v: u32) -> u32 {
    (v + 255) >> 8
}

/// Source-over of `color` through `mask`, its top-left at (`x0`, `y0`).
fn blend_mask(
    mask: &tiny_skia::Mask,
    x0: i32,
    y0: i32,
    color: tiny_skia::PremultipliedColorU8,
    pixmap: &mut tiny_skia::Pixmap,
) {
    let (mw, mh) = (mask.width() as i32, mask.height() as i32);
    let (pw, ph) = (pixmap.width() as i32, pixmap.height() as i32);
    let (cx0, cy0) = (x0.max(0), y0.max(0));
    let (cx1, cy1) = ((x0 + mw).min(pw), (y0 + mh).min(ph));
    if cx0 >= cx1 || cy0 >= cy1 {
        return;
    }
    let src = [color.red(), color.green(), color.blue(), color.alpha()].map(u32::from);
    let (coverage, data) = (mask.data(), pixmap.data_mut());
    for y in cy0..cy1 {
        let row = &coverage[((y - y0) * mw + (cx0 - x0)) as usize..][..(cx1 - cx0) as usize];
        let out = &mut data[((y * pw + cx0) * 4) as usize..][..row.len() * 4];
        for (&c, px) in row.iter().zip(out.chunks_exact_mut(4)) {
            if c == 0 {
                continue;
            }
            let c = u32::from(c);
            let s = src.map(|v| div255(v * c));
            let keep = 255 - s[3];
            for (d, s) in px.iter_mut().zip(s) {
                *d = (s + div255(u32::from(*d) * keep)).min(255) as u8;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::{parse, tests::thank_you_card, TEXT_ID};
    use crate::size::CardSize;

    const MIXED: &str = "Made with *love* by **Bev** 🍫 ❤️ 👍🏽, [our shop](https://example.org).\n\n\
        - one *item*\n- two\n\n> A quote.\n\nشكرا جزيلا, תודה רבה, ありがとうございます。";

    /// A card of `markdown` in `theme` at 150 dpi, parsed.
    fn card(theme: &crate::theme::Theme, markdown: &str, size: &str) -> usvg::Tree {
        let rich = crate::markup::render(markdown, false).unwrap().rich;
        let size = CardSize::named(size, 150).unwrap();
        let card = thank_you_card(theme, size, &rich, &crate::seal::SealSpec::default());
        parse(theme, &card.full).unwrap()
    }

    /// The card's text layer on a transparent pixmap `width` wide: from
    /// `cache`'s glyph pictures, or (`None`) as resvg draws it.
    fn text_layer(tree: &usvg::Tree, width: u32, cache: Option<&GlyphCache>) -> tiny_skia::Pixmap {
        let scale = width as f32 / tree.size().width();
        let height = (tree.size().height() * scale).round() as u32;
        let mut pixmap = tiny_skia::Pixmap::new(width, height).unwrap();
        let node = tree.root().children().iter().find(|n| n.id() == TEXT_ID).unwrap();
        let usvg::Node::Group(group) = node else { panic!("the text layer is a group") };
        match cache {
            Some(cache) => assert!(draw_layer(cache, tree.fontdb(), group, scale, &mut pixmap)),
            None => super::super::layers::draw_node(node, scale, 0, &mut pixmap),
        }
        pixmap
    }

    #[test]
    fn text_from_glyph_pictures_is_the_text_resvg_draws_within_a_quarter_pixel() {
        let root = tempfile::tempdir().unwrap();
        for name in crate::theme::built_in_names() {
            let theme = crate::theme::load(root.path(), name).unwrap();
            let tree = card(&theme, MIXED, "a6");
            let cache = GlyphCache::default();
            for width in [tree.size().width() as u32, 360] {
                let (want, got) = (text_layer(&tree, width, None), text_layer(&tree, width, Some(&cache)));
                let ink = want.pixels().iter().filter(|p| p.alpha() > 0).count();
                let sum = |p: &tiny_skia::Pixmap| p.pixels().iter().map(|p| u64::from(p.alpha())).sum::<u64>();
                let (inked, drawn) = (sum(&want), sum(&got));
                let diffs = || want.pixels().iter().zip(got.pixels()).map(|(a, b)| a.alpha().abs_diff(b.alpha()));
                let (far, worst) = (diffs().filter(|d| *d > 64).count(), diffs().max().unwrap());
                eprintln!("{name} at {width} px: {ink} pixels, ink {inked} vs {drawn}, {far} differ by over 64, worst {worst}");
                assert!(ink > 5_000 * width as usize / 620, "{name} at {width} px: no text? ({ink} pixels)");
                // A glyph moves by at most 1/(2 STEPS) px: as much ink, and
                // an edge pixel's coverage changes by about a quarter at most.
                assert!(inked.abs_diff(drawn) * 100 < inked, "{name} at {width} px: ink {inked} vs {drawn}");
                assert!(
                    far * 200 < ink && worst < 128,
                    "{name} at {width} px: {far} pixels differ by over 64, worst {worst}"
                );
            }
            let kinds = cache.pictures.iter().map(|(_, p)| matches!(*p, Picture::Color { .. })).filter(|c| *c);
            assert!(kinds.count() >= 3, "{name}: the emoji are not drawn as colour pictures");
            let unsupported = cache.pictures.iter().filter(|(_, p)| matches!(**p, Picture::Unsupported)).count();
            assert_eq!(unsupported, 0, "{name}: glyphs left to resvg");
        }
    }

    #[test]
    fn a_card_draws_the_same_whichever_cards_drew_its_glyphs_first_and_whatever_the_cache_kept() {
        let root = tempfile::tempdir().unwrap();
        let theme = crate::theme::load(root.path(), "chocolate").unwrap();
        let other = card(&theme, "Other words, *other* places: **bold** 🍫 and more. ありがとう", "a6");
        let tree = card(&theme, MIXED, "a6");
        let width = tree.size().width() as u32;
        let alone = text_layer(&tree, width, Some(&GlyphCache::default()));
        let shared = GlyphCache::default();
        text_layer(&other, width, Some(&shared));
        text_layer(&other, 360, Some(&shared));
        assert_eq!(text_layer(&tree, width, Some(&shared)).data(), alone.data(), "after another card");
        // A cache too small for one card's glyphs evicts as it goes, and
        // still draws every glyph.
        let tiny = GlyphCache::with_bytes(16 << 10);
        assert_eq!(text_layer(&tree, width, Some(&tiny)).data(), alone.data(), "through a tiny cache");
        assert!(tiny.bytes() <= 16 << 10, "{} bytes kept", tiny.bytes());
        assert!(shared.bytes() > tiny.bytes());
    }

    #[test]
    fn a_pen_is_rounded_to_the_nearest_step_and_the_last_step_to_the_next_pixel() {
        assert_eq!(step(10.0), (10, 0));
        assert_eq!(step(10.2), (10, (0.2 * STEPS).round() as u8));
        assert_eq!(step(10.999), (11, 0));
        assert_eq!(step(-0.999), (-1, 0));
        assert_eq!(step(-0.1), (0, 0));
    }

    #[test]
    fn a_mask_is_composited_as_tiny_skia_fills_a_path() {
        let mut path = tiny_skia::PathBuilder::new();
        path.push_circle(20.3, 15.7, 9.6);
        let path = path.finish().unwrap();
        let mut want = tiny_skia::Pixmap::new(40, 40).unwrap();
        want.fill(tiny_skia::Color::from_rgba8(240, 230, 200, 255));
        let mut got = want.clone();
        let mut paint = tiny_skia::Paint::default();
        paint.set_color_rgba8(90, 40, 20, 200);
        want.fill_path(&path, &paint, tiny_skia::FillRule::Winding, tiny_skia::Transform::identity(), None);
        let mut mask = tiny_skia::Mask::new(40, 40).unwrap();
        mask.fill_path(&path, tiny_skia::FillRule::Winding, true, tiny_skia::Transform::identity());
        let color = tiny_skia::Color::from_rgba8(90, 40, 20, 200).premultiply().to_color_u8();
        blend_mask(&mask, 0, 0, color, &mut got);
        let worst = want.data().iter().zip(got.data()).map(|(a, b)| a.abs_diff(*b)).max().unwrap();
        assert!(worst <= 1, "differs by {worst}");
    }
}
