//! Card assembly and rasterising: laid-out text + seal + the theme's card
//! template -> one SVG -> usvg tree -> PNG card and thumbnail.
//!
//! Parsing can fail (a theme template that writes bad SVG); drawing cannot.
//! The SVG written to output/ is the same tree the PNG is drawn from, with
//! text turned into outlines so it looks the same in any viewer.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{Arc, OnceLock};

use resvg::usvg;
use serde::Serialize;

use crate::layout::{Layout, LineKind};
use crate::seal::SealSpec;
use crate::size::CardSize;
use crate::svg::guard::{self, Guard, Refusal};
use crate::theme::{FontRole, Theme};

/// Everything a card shows, resolved.
pub struct CardContent<'a> {
    /// The heading, if any.
    pub title: Option<&'a str>,
    /// The laid-out title, message and signature.
    pub layout: &'a Layout,
    /// The seal to press.
    pub seal: &'a SealSpec,
    /// Makes the seal's rim unique to the card.
    pub seed: u64,
    /// The message as plain text (SVG description, alt text).
    pub alt: &'a str,
}

/// The pixel boxes of a theme's geometry on a card.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Boxes {
    /// Where text goes.
    pub text_box: PxRect,
    /// Seal centre and radius.
    pub seal: (f32, f32, f32),
}

impl Boxes {
    /// What the text is laid out into on a card of `size`.
    pub fn frame(&self, size: CardSize) -> crate::layout::Frame {
        crate::layout::Frame {
            width: self.text_box.width,
            height: self.text_box.height,
            px_per_pt: size.px_per_pt(),
            text_scale: size.text_scale(),
        }
    }
}

/// A rectangle in pixels.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct PxRect {
    /// Left.
    pub x: f32,
    /// Top.
    pub y: f32,
    /// Width.
    pub width: f32,
    /// Height.
    pub height: f32,
}

/// The theme's geometry resolved on a card of `size`.
pub fn boxes(theme: &Theme, size: CardSize) -> Boxes {
    let g = theme.geometry_for(&size.full_name(), size.width > size.height);
    let (w, h) = (size.width as f32, size.height as f32);
    Boxes {
        text_box: PxRect {
            x: g.text_box.x * w,
            y: g.text_box.y * h,
            width: g.text_box.width * w,
            height: g.text_box.height * h,
        },
        seal: (g.seal.x * w, g.seal.y * h, g.seal_radius * w.min(h)),
    }
}

/// Why a card's SVG could not be made.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The theme's card template failed.
    #[error("{2}")]
    Template(usize, usize, String),
    /// The template wrote SVG that does not parse.
    #[error("the theme's card.svg does not produce valid SVG: {0}")]
    Svg(String),
    /// The seal could not be drawn.
    #[error(transparent)]
    Seal(#[from] crate::seal::SealError),
    /// The template's SVG holds a picture too large to decode.
    #[error("the theme's card.svg holds a picture of {0} x {1} pixels: at most {max} pixels (8000 x 8000) may be drawn", max = MAX_IMAGE_PIXELS)]
    ImageTooLarge(u64, u64),
    /// The template's SVG refers to something outside itself.
    #[error("the theme's card.svg refers to `{0}`, outside the card: only `#fragments` of the same SVG and data: URLs may be used")]
    External(String),
}

#[derive(Serialize)]
struct CardContext {
    width: u32,
    height: u32,
    u: f32,
    size: String,
    landscape: bool,
    /// How far, in pixels, the paper should run on past each edge: 0 for
    /// the PNG and SVG, the print bleed for the PDF.
    bleed: f32,
}

#[derive(Serialize)]
struct SealBox {
    x: f32,
    y: f32,
    r: f32,
}

/// The ids of the two layers waxseal draws on top of the theme's artwork.
pub const TEXT_ID: &str = "waxseal-text";
/// See [`TEXT_ID`].
pub const SEAL_ID: &str = "waxseal-seal";

/// A card's SVG, whole, and its base: the same artwork without the text and
/// the seal (and without `<title>`/`<desc>`, which draw nothing). Cards whose
/// bases are equal share one rendered base.
pub struct CardSvg {
    /// The complete card.
    pub full: String,
    /// The artwork under the text and seal.
    pub base: String,
    /// The seal layer alone.
    pub seal: String,
}

/// Writes the card SVG from the theme's template.
pub fn card_svg(theme: &Theme, size: CardSize, content: &CardContent) -> Result<CardSvg, RenderError> {
    let (mut context, seal) = card_context(theme, size, content, 0.0)?;
    let full = render_card(theme, &context)?;
    context.insert("text", "");
    context.insert("seal", "");
    let base = strip_element(&strip_element(&render_card(theme, &context)?, "title"), "desc");
    Ok(CardSvg { full, base, seal })
}

/// A card's SVG for print: the theme's template with `card.bleed` set, so
/// that its paper runs on `bleed` pixels past each edge.
pub struct PrintSvg {
    /// The card, its paper drawn into the bleed (the SVG's viewport is
    /// still the card's).
    pub svg: String,
    /// How far past each edge, in pixels.
    pub bleed: f32,
    /// Whether the template draws anything into the bleed: false for a
    /// theme that does not look at `card.bleed` (one made before it
    /// existed), whose bleed the PDF fills with the paper's edge colour.
    pub draws_bleed: bool,
}

impl CardContext {
    /// The `card` of a card of `size`, with `bleed` pixels past each edge.
    fn of(size: CardSize, bleed: f32) -> CardContext {
        CardContext {
            width: size.width,
            height: size.height,
            u: size.width.min(size.height) as f32 / 100.0,
            size: size.full_name(),
            landscape: size.width > size.height,
            bleed,
        }
    }
}

/// Writes the card SVG for print, with `bleed` pixels of artwork past each edge.
pub fn print_svg(theme: &Theme, size: CardSize, content: &CardContent, bleed: f32) -> Result<PrintSvg, RenderError> {
    let (mut context, _) = card_context(theme, size, content, bleed)?;
    let svg = render_card(theme, &context)?;
    // The same card without a bleed (its text and seal as they are).
    let draws_bleed = bleed > 0.0 && {
        context.insert("card", &CardContext::of(size, 0.0));
        render_card(theme, &context)? != svg
    };
    Ok(PrintSvg { svg, bleed, draws_bleed })
}

/// What the theme's card.svg template sees, and the seal's SVG.
fn card_context(
    theme: &Theme,
    size: CardSize,
    content: &CardContent,
    bleed: f32,
) -> Result<(tera::Context, String), RenderError> {
    let b = boxes(theme, size);
    let palette = &theme.spec.palette;
    let text = text_svg(theme, content.layout, b.text_box.x, b.text_box.y);
    let (cx, cy, r) = b.seal;
    let seal = format!(
        "<g id=\"{SEAL_ID}\">{}</g>",
        crate::seal::seal_svg(
            content.seal,
            cx as f64,
            cy as f64,
            r as f64,
            content.seed,
            "seal",
            &theme.face(FontRole::Bold).family,
        )?
    );
    let mut context = tera::Context::new();
    context.insert("card", &CardContext::of(size, bleed));
    context.insert("seal_box", &SealBox { x: cx, y: cy, r });
    // Tera numbers are f64 or i64: a u64 seed would not fit.
    context.insert("seed", &(content.seed >> 12));
    context.insert("palette", palette);
    context.insert("text_box", &b.text_box);
    context.insert("text", &text);
    context.insert("seal", &seal);
    context.insert("title", &content.title.unwrap_or(""));
    context.insert("alt", content.alt);
    Ok((context, seal))
}

fn render_card(theme: &Theme, context: &tera::Context) -> Result<String, RenderError> {
    let svg = theme.templates.render("card.svg", context).map_err(|e| {
        let (line, col, message) = crate::template::tera_location(&e);
        RenderError::Template(line, col, message)
    })?;
    // A title or alt text may bring a character XML cannot hold (from a
    // YAML escape or a CSV cell): left out, as in the card's own text.
    Ok(crate::svg::without_forbidden(svg))
}

/// `svg` without the content of its first `<NAME>` element.
fn strip_element(svg: &str, name: &str) -> String {
    let (open, close) = (format!("<{name}>"), format!("</{name}>"));
    match (svg.find(&open), svg.find(&close)) {
        (Some(a), Some(b)) if a < b => format!("{}{}", &svg[..a + open.len()], &svg[b..]),
        _ => svg.to_string(),
    }
}

/// The laid-out lines as SVG `<text>` elements, one per line with a
/// `<tspan>` per face run, at (`left`, `top`).
pub fn text_svg(theme: &Theme, layout: &Layout, left: f32, top: f32) -> String {
    let palette = &theme.spec.palette;
    let mut out = format!("<g id=\"{TEXT_ID}\">");
    // Every `<text>` has an id, by which the standalone SVG finds its glyphs.
    let mut texts = 0;
    let mut next_id = || {
        texts += 1;
        format!("{TEXT_ID}-{texts}")
    };
    for line in &layout.lines {
        let x = left + line.x;
        let y = top + line.baseline;
        match &line.kind {
            LineKind::Rule => ornament(&mut out, &palette.border, left + line.width / 2.0, y, line.size),
            LineKind::Text(pieces) => {
                if let Some(rule_x) = line.quote_rule {
                    // A thin accent rule beside quoted lines; lines touch, so the rules join.
                    let height = line.size * theme.spec.text.line_height;
                    let _ = write!(
                        out,
                        "<rect x=\"{:.2}\" y=\"{:.2}\" width=\"{:.2}\" height=\"{:.2}\" fill=\"{}\" fill-opacity=\"0.55\"/>",
                        left + rule_x,
                        y - line.size * 0.9,
                        (line.size * 0.06).max(1.0),
                        height,
                        theme.color(theme.spec.styles.quote.color.as_deref().filter(|c| *c != "ink").unwrap_or("accent"))
                    );
                }
                if let Some((marker, mx)) = &line.marker {
                    let style = &theme.spec.styles.marker;
                    let _ = write!(
                        out,
                        "<text id=\"{}\" x=\"{:.2}\" y=\"{y:.2}\" font-size=\"{:.2}\" fill=\"{}\" {}>{}</text>",
                        next_id(),
                        left + mx,
                        line.size,
                        theme.color(style.color.as_deref().unwrap_or("accent")),
                        theme.face(style.face.unwrap_or(FontRole::Body)).svg_attrs(),
                        crate::svg::escape(marker)
                    );
                }
                let fill = &palette.ink;
                let _ = write!(
                    out,
                    "<text id=\"{}\" y=\"{y:.2}\" font-size=\"{:.2}\" fill=\"{fill}\" xml:space=\"preserve\">",
                    next_id(),
                    line.size
                );
                // Every piece has its own x, so it is a text chunk of its own,
                // set in one font exactly as the layout measured it.
                for piece in pieces {
                    let face = theme.face_by_key(piece.face);
                    let _ = write!(out, "<tspan x=\"{:.2}\" {}", x + piece.x, face.svg_attrs());
                    if piece.color != palette.ink {
                        let _ = write!(out, " fill=\"{}\"", piece.color);
                    }
                    if piece.underline {
                        out.push_str(" text-decoration=\"underline\"");
                    }
                    let _ = write!(out, ">{}</tspan>", crate::svg::escape(&piece.text));
                }
                out.push_str("</text>");
            }
        }
    }
    out.push_str("</g>");
    out
}

/// A thematic break's small ornament, centred at `cx`: two fading rules and a diamond.
fn ornament(out: &mut String, color: &str, cx: f32, y: f32, size: f32) {
    let s = size * 0.22;
    let _ = write!(
        out,
        "<g fill=\"{c}\" stroke=\"{c}\"><path fill=\"none\" stroke-width=\"{sw:.2}\" d=\"M{a:.2} {y:.2}H{b:.2}M{d:.2} {y:.2}H{e:.2}\"/><path stroke=\"none\" d=\"M{cx:.2} {t:.2}l{s:.2} {s:.2}l-{s:.2} {s:.2}l-{s:.2} -{s:.2}z\"/></g>",
        c = color,
        sw = size * 0.04,
        a = cx - size * 3.0,
        b = cx - s * 2.0,
        d = cx + s * 2.0,
        e = cx + size * 3.0,
        t = y - s,
    );
}

/// Parses card SVG into a tree with the theme's fonts and nothing from outside.
pub fn parse(theme: &Theme, svg: &str) -> Result<usvg::Tree, RenderError> {
    check_references(svg)?;
    usvg::Tree::from_str(svg, &theme.usvg_options).map_err(|e| RenderError::Svg(e.to_string()))
}

/// Refuses SVG that refers to anything but itself: an `href` or a `url(...)`
/// that is not a `#fragment` (or a `data:` URL), in any attribute or `<style>`,
/// a stylesheet `@import` or `<?xml-stylesheet?>`, and a DTD (its entities
/// can grow a small file into gigabytes). A `data:` picture is looked into:
/// an SVG one must pass the same checks, and a raster one may have at most
/// [`MAX_IMAGE_PIXELS`]. A theme may come from anyone; its artwork must not
/// read the user's files or the network, nor take the memory of the machine.
/// The rules are the SVG guard's for artwork ([`Guard::for_art`]).
pub fn check_references(svg: &str) -> Result<(), RenderError> {
    match Guard::for_art().check(svg) {
        Ok(_) => Ok(()),
        Err(Refusal::External(reference)) => Err(RenderError::External(reference)),
        Err(Refusal::Url(inner)) => Err(RenderError::External(guard::unquoted(&inner).to_owned())),
        Err(Refusal::ImageTooLarge(width, height)) => Err(RenderError::ImageTooLarge(width, height)),
        // Artwork has no size limit of its own, so this cannot come; were
        // it to, the artwork would still be refused.
        Err(Refusal::TooLarge(bytes)) => Err(RenderError::Svg(format!("{bytes} bytes is too large"))),
        Err(Refusal::Unusable(why)) => Err(RenderError::Svg(why)),
    }
}

/// The most pixels a picture in card artwork may have (see the SVG guard).
pub use crate::svg::guard::MAX_IMAGE_PIXELS;

/// The tree as standalone SVG, text as outlines.
pub fn standalone_svg(theme: &Theme, source: &str, tree: &usvg::Tree) -> String {
    let glyphs = theme.caches.get_or_default::<crate::svg::outlines::GlyphOutlines>();
    if let Some(svg) = crate::svg::outlines::write(source, tree, &glyphs) {
        return svg;
    }
    // Card coordinates are pixels at print resolution: two decimals are a
    // hundredth of a pixel. Fewer digits make the file half as large and
    // quicker to write.
    let options = usvg::WriteOptions { coordinates_precision: 2, transforms_precision: 6, ..Default::default() };
    tree.to_string(&options)
}

/// Draws the tree scaled to `width` pixels wide.
pub fn rasterize(tree: &usvg::Tree, width: u32) -> tiny_skia::Pixmap {
    let size = tree.size();
    let scale = width as f32 / size.width();
    let height = (size.height() * scale).round().max(1.0) as u32;
    let mut pixmap = tiny_skia::Pixmap::new(width.max(1), height).expect("card sizes are small and non-zero");
    resvg::render(tree, tiny_skia::Transform::from_scale(scale, scale), &mut pixmap.as_mut());
    pixmap
}

/// Where drawn layers are kept between runs (the build's output folder):
/// given by the build, so that drawing reads and writes no file itself.
pub trait LayerStore: Send + Sync {
    /// The kept layer `name`, to read, if there is one.
    fn open(&self, name: &str) -> Option<Box<dyn std::io::Read + '_>>;
    /// Keeps layer `name`.
    fn keep(&self, name: &str, bytes: &[u8]) -> std::io::Result<()>;
    /// The names of the kept layers.
    fn names(&self) -> Vec<String>;
    /// Removes the kept layer `name`.
    fn remove(&self, name: &str) -> std::io::Result<()>;
}

/// Rendered card bases, shared by every card (and thread) of a build: the
/// artwork under the text and seal is drawn once per distinct base SVG and
/// width.
#[derive(Default)]
pub struct BaseCache {
    bases: std::sync::Mutex<HashMap<String, BaseSlot>>,
    seals: std::sync::Mutex<HashMap<String, SealSlot>>,
    /// Where drawn layers are kept between runs, once a build says.
    store: std::sync::Mutex<Option<Arc<dyn LayerStore>>>,
    /// Layer files this process drew or read.
    used: std::sync::Mutex<std::collections::HashSet<String>>,
    /// Bases a card read for itself (see [`BaseCache::base`]).
    read_once: std::sync::Mutex<std::collections::HashSet<String>>,
}

/// One base, drawn (or read) by the first card that needs it.
type BaseSlot = Arc<OnceLock<tiny_skia::Pixmap>>;

/// One seal drawn alone, and where its pixmap goes on the card.
type SealSlot = Arc<OnceLock<Option<(tiny_skia::Pixmap, i32, i32)>>>;

impl BaseCache {
    /// Keeps drawn layers in `store`, and reads them from there.
    pub fn keep_in(&self, store: Arc<dyn LayerStore>) {
        *self.store.lock().expect("no panics while holding the lock") = Some(store);
    }

    /// Removes the kept layers this process did not use (after a build that
    /// drew every card, so none of them is needed).
    pub fn forget_unused(&self) -> std::io::Result<()> {
        let Some(store) = self.store.lock().expect("no panics while holding the lock").clone() else {
            return Ok(());
        };
        let used = self.used.lock().expect("no panics while holding the lock").clone();
        for name in store.names() {
            if !used.contains(&name) {
                store.remove(&name)?;
            }
        }
        Ok(())
    }

    /// A layer's file name: what it is drawn from (the theme's files, the
    /// SVG) and how wide.
    fn name(theme: &Theme, kind: &str, svg: &str, width: u32) -> String {
        let key = crate::hash::key(&[
            theme.picture_fingerprint.as_bytes(),
            kind.as_bytes(),
            svg.as_bytes(),
            &width.to_le_bytes(),
        ]);
        format!("{kind}-{key}.layer")
    }

    /// A kept layer, if there is one (and it decodes).
    fn read(&self, rel: &str) -> Option<(tiny_skia::Pixmap, i32, i32)> {
        let store = self.store.lock().expect("no panics while holding the lock").clone()?;
        let layer = decode_layer(store.open(rel)?)?;
        self.used.lock().expect("no panics while holding the lock").insert(rel.to_string());
        Some(layer)
    }

    /// Keeps a drawn layer for the next run. A failure only costs that run a redraw.
    fn keep(&self, rel: &str, pixmap: &tiny_skia::Pixmap, x: i32, y: i32) {
        let Some(store) = self.store.lock().expect("no panics while holding the lock").clone() else {
            return;
        };
        if store.keep(rel, &encode_layer(pixmap, x, y)).is_ok() {
            self.used.lock().expect("no panics while holding the lock").insert(rel.to_string());
        }
    }

    /// The base `svg` drawn `width` pixels wide, to draw a card on: a copy
    /// of the one in memory, read from the output's cache folder, or drawn
    /// now.
    fn base(&self, theme: &Theme, svg: &str, width: u32) -> Result<tiny_skia::Pixmap, RenderError> {
        let name = Self::name(theme, "base", svg, width);
        let cell =
            self.bases.lock().expect("no panics while holding the lock").entry(name.clone()).or_default().clone();
        if cell.get().is_none() {
            // The first card to need a kept base reads it for itself, so a
            // build that draws one card (an edit) does not copy it again; the
            // second keeps it in memory for every card after it.
            let first = self.read_once.lock().expect("no panics while holding the lock").insert(name.clone());
            if let Some((pixmap, _, _)) = first.then(|| self.read(&name)).flatten() {
                return Ok(pixmap);
            }
            let pixmap = match self.read(&name) {
                Some((pixmap, _, _)) => pixmap,
                None => {
                    let pixmap = rasterize(&parse(theme, svg)?, width);
                    self.keep(&name, &pixmap, 0, 0);
                    pixmap
                }
            };
            let _ = cell.set(pixmap);
        }
        Ok(cell.get().expect("set above or by another card").clone())
    }

    /// The seal layer `node` (drawn from `svg`) at `scale`, from memory, from
    /// the output's cache folder, or drawn now.
    fn seal(&self, theme: &Theme, svg: &str, node: &usvg::Node, width: u32, scale: f32) -> SealSlot {
        let name = Self::name(theme, "seal", svg, width);
        let cell =
            self.seals.lock().expect("no panics while holding the lock").entry(name.clone()).or_default().clone();
        cell.get_or_init(|| {
            self.read(&name).or_else(|| {
                let (pixmap, x, y) = draw_alone(node, scale)?;
                self.keep(&name, &pixmap, x, y);
                Some((pixmap, x, y))
            })
        });
        cell
    }
}

/// The first bytes of a kept layer file.
const LAYER_MAGIC: &[u8; 16] = b"waxseal layer 1\n";

/// A drawn layer as its premultiplied pixels as they are (only waxseal reads
/// it back), after a header with its size and its place on the card.
/// Uncompressed: reading it back is a copy, where decoding a PNG of it took
/// longer than drawing the one card a rebuild after an edit draws.
fn encode_layer(pixmap: &tiny_skia::Pixmap, x: i32, y: i32) -> Vec<u8> {
    let mut out = Vec::with_capacity(LAYER_MAGIC.len() + 16 + pixmap.data().len());
    out.extend_from_slice(LAYER_MAGIC);
    for n in [pixmap.width() as i32, pixmap.height() as i32, x, y] {
        out.extend_from_slice(&n.to_le_bytes());
    }
    out.extend_from_slice(pixmap.data());
    out
}

fn decode_layer(mut input: impl std::io::Read) -> Option<(tiny_skia::Pixmap, i32, i32)> {
    let mut header = [0; LAYER_MAGIC.len() + 16];
    input.read_exact(&mut header).ok()?;
    let (magic, numbers) = header.split_at(LAYER_MAGIC.len());
    if magic != LAYER_MAGIC {
        return None;
    }
    let [width, height, x, y] =
        [0, 1, 2, 3].map(|i| i32::from_le_bytes(numbers[i * 4..i * 4 + 4].try_into().expect("four bytes")));
    let size = tiny_skia::IntSize::from_wh(u32::try_from(width).ok()?, u32::try_from(height).ok()?)?;
    let mut data = vec![0; size.width() as usize * size.height() as usize * 4];
    input.read_exact(&mut data).ok()?;
    // Nothing after the pixels: a longer file is not one of ours.
    if input.read(&mut [0]).ok()? != 0 {
        return None;
    }
    Some((tiny_skia::Pixmap::from_vec(data, size)?, x, y))
}

/// Whether [`rasterize_layered`] draws `tree` in layers: the text and the
/// seal are the last things in it.
fn is_layered(tree: &usvg::Tree) -> bool {
    let last_two: Vec<&str> = tree.root().children().iter().rev().take(2).map(|n| n.id()).collect();
    last_two.contains(&TEXT_ID) && last_two.contains(&SEAL_ID)
}

/// Fails where [`rasterize_layered`] would, without drawing anything: it
/// parses the card's base when the card is drawn in layers, and nothing
/// else that can fail.
pub fn check_layered(theme: &Theme, card: &CardSvg, tree: &usvg::Tree) -> Result<(), RenderError> {
    if is_layered(tree) {
        parse(theme, &card.base)?;
    }
    Ok(())
}

/// Draws the card `width` pixels wide: the cached base, then the text and
/// seal layers of `tree` on top. When the theme draws anything over the text
/// or the seal (they are not the last things in the card), the whole tree is
/// drawn instead, so the result is always the same as drawing the card whole.
pub fn rasterize_layered(
    cache: &BaseCache,
    theme: &Theme,
    card: &CardSvg,
    tree: &usvg::Tree,
    width: u32,
) -> Result<tiny_skia::Pixmap, RenderError> {
    let children = tree.root().children();
    if !is_layered(tree) {
        return Ok(rasterize(tree, width));
    }
    let mut pixmap = cache.base(theme, &card.base, width)?;
    let scale = width as f32 / tree.size().width();
    for node in &children[children.len() - 2..] {
        if node.id() == SEAL_ID {
            // A seal is drawn once per variant and size, then placed.
            let cell = cache.seal(theme, &card.seal, node, width, scale);
            if let Some((seal, x, y)) = cell.get().and_then(Option::as_ref) {
                pixmap.draw_pixmap(
                    *x,
                    *y,
                    seal.as_ref(),
                    &tiny_skia::PixmapPaint::default(),
                    tiny_skia::Transform::identity(),
                    None,
                );
            }
        } else if let Some(bbox) = node.abs_layer_bounding_box() {
            // render_node draws a node at its own box's origin: move it back.
            let transform = tiny_skia::Transform::from_scale(scale, scale).pre_translate(bbox.x(), bbox.y());
            resvg::render_node(node, transform, &mut pixmap.as_mut());
        }
    }
    Ok(pixmap)
}

/// The size of a card's link-preview picture (`share.png`): what chat apps
/// and social sites show for a shared link.
pub const SHARE_SIZE: (u32, u32) = (1200, 630);

/// A card's link-preview picture: the card as drawn for its thumbnail,
/// centred on the theme's paper-edge colour.
pub fn share_picture(theme: &Theme, thumb: &tiny_skia::Pixmap) -> Result<tiny_skia::Pixmap, RenderError> {
    let (width, height) = SHARE_SIZE;
    let background = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}"><rect width="{width}" height="{height}" fill="{}"/></svg>"#,
        crate::svg::escape(&theme.spec.palette.paper_edge)
    );
    let mut pixmap = rasterize(&parse(theme, &background)?, width);
    // A card taller than the picture (a thumbnail is 360 px wide) is cut, not scaled.
    let x = (i64::from(width) - i64::from(thumb.width())) / 2;
    let y = (i64::from(height) - i64::from(thumb.height())) / 2;
    let paint = tiny_skia::PixmapPaint::default();
    pixmap.draw_pixmap(x as i32, y as i32, thumb.as_ref(), &paint, tiny_skia::Transform::identity(), None);
    Ok(pixmap)
}

/// Draws a node alone on a transparent pixmap covering its box at `scale`,
/// at whole-pixel offsets so placing it gives the same pixels as drawing it
/// in place.
fn draw_alone(node: &usvg::Node, scale: f32) -> Option<(tiny_skia::Pixmap, i32, i32)> {
    let bbox = node.abs_layer_bounding_box()?;
    let (x0, y0) = ((bbox.x() * scale).floor(), (bbox.y() * scale).floor());
    let (x1, y1) = ((bbox.right() * scale).ceil(), (bbox.bottom() * scale).ceil());
    let mut pixmap = tiny_skia::Pixmap::new((x1 - x0).max(1.0) as u32, (y1 - y0).max(1.0) as u32)?;
    let transform =
        tiny_skia::Transform::from_translate(-x0, -y0).pre_scale(scale, scale).pre_translate(bbox.x(), bbox.y());
    resvg::render_node(node, transform, &mut pixmap.as_mut());
    Some((pixmap, x0 as i32, y0 as i32))
}

/// Encodes a pixmap as PNG: fast deflate by default (a tenth of the time of
/// the default level, for larger files), or the smallest files with
/// `optimize` (see BENCHMARKS.md).
pub fn encode_png(pixmap: &tiny_skia::Pixmap, dpi: u32, optimize: bool) -> Vec<u8> {
    // A card covers its whole canvas: without transparency it is stored as
    // RGB, a quarter less to filter and compress (and premultiplied equals
    // straight colour, so nothing to undo).
    let opaque = pixmap.pixels().iter().all(|p| p.alpha() == u8::MAX);
    let color = if opaque { png::ColorType::Rgb } else { png::ColorType::Rgba };
    // Fast deflate makes files of about a fifth of the raw pixels.
    let mut out = Vec::with_capacity(pixmap.data().len() / 4);
    {
        let mut encoder = png::Encoder::new(&mut out, pixmap.width(), pixmap.height());
        encoder.set_color(color);
        encoder.set_depth(png::BitDepth::Eight);
        if optimize {
            encoder.set_compression(png::Compression::High);
            encoder.set_filter(png::Filter::Adaptive);
        } else {
            // The `Up` filter costs a third of adaptive filtering for files
            // about a fifth larger (BENCHMARKS.md).
            encoder.set_compression(png::Compression::Fast);
            encoder.set_filter(png::Filter::Up);
        }
        let ppm = (dpi as f64 / 0.0254).round() as u32;
        encoder.set_pixel_dims(Some(png::PixelDimensions { xppu: ppm, yppu: ppm, unit: png::Unit::Meter }));
        let mut writer = encoder.write_header().expect("PNG header of a valid pixmap");
        // The pixels are converted a band of rows at a time, not into a copy
        // of the whole card.
        let mut stream = writer.stream_writer().expect("a PNG stream of a valid pixmap");
        let row = pixmap.width() as usize * 4;
        let mut band = Vec::with_capacity(row * 32);
        for rows in pixmap.data().chunks(row * 32) {
            band.clear();
            if opaque {
                for p in rows.chunks_exact(4) {
                    band.extend_from_slice(&p[..3]);
                }
            } else {
                for p in rows.chunks_exact(4) {
                    let c = tiny_skia::PremultipliedColorU8::from_rgba(p[0], p[1], p[2], p[3])
                        .expect("premultiplied pixels")
                        .demultiply();
                    band.extend_from_slice(&[c.red(), c.green(), c.blue(), c.alpha()]);
                }
            }
            std::io::Write::write_all(&mut stream, &band).expect("PNG data into memory");
        }
        stream.finish().expect("PNG end");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::{self, Content, Frame};

    /// A "Thank you" card of `text`, signed by Bev, with `seal`.
    fn thank_you_card(
        theme: &Theme,
        size: CardSize,
        text: &crate::markup::RichText,
        seal: &crate::seal::SealSpec,
    ) -> CardSvg {
        let b = boxes(theme, size);
        let frame =
            Frame { width: b.text_box.width, height: b.text_box.height, px_per_pt: size.px_per_pt(), text_scale: 1.0 };
        let content = Content { title: Some("Thank you"), text, signature: Some("with love, Bev"), lang: None };
        let laid = layout::layout(theme, content, frame).unwrap();
        let content = CardContent { title: Some("Thank you"), layout: &laid, seal, seed: 7, alt: "x" };
        card_svg(theme, size, &content).unwrap()
    }

    /// x of the first glyph of every `<text>` in an SVG, as usvg lays it out.
    fn first_glyph_xs(theme: &Theme, svg: &str) -> Vec<f32> {
        let tree = parse(theme, svg).unwrap();
        let mut xs = Vec::new();
        for node in tree.root().children() {
            if let usvg::Node::Group(g) = node {
                for child in g.children() {
                    if let usvg::Node::Text(text) = child {
                        let glyph = &text.layouted()[0].positioned_glyphs[0];
                        xs.push(glyph.transform().tx);
                    }
                }
            }
        }
        xs
    }

    #[test]
    fn a_kept_layer_reads_back_as_drawn_and_a_damaged_one_not_at_all() {
        let mut pixmap = tiny_skia::Pixmap::new(7, 5).unwrap();
        pixmap.fill(tiny_skia::Color::from_rgba8(120, 60, 30, 200));
        let bytes = encode_layer(&pixmap, -3, 11);
        let (back, x, y) = decode_layer(&bytes[..]).unwrap();
        assert_eq!((back.data(), x, y), (pixmap.data(), -3, 11));
        assert!(decode_layer(&bytes[..bytes.len() - 1]).is_none(), "cut short");
        assert!(decode_layer(&[&bytes[..], b"x"].concat()[..]).is_none(), "too long");
        assert!(decode_layer(&bytes[1..]).is_none(), "not a layer");
    }

    #[test]
    fn a_png_holds_the_pixels_drawn() {
        for alpha in [255, 128] {
            let mut pixmap = tiny_skia::Pixmap::new(40, 70).unwrap();
            pixmap.fill(tiny_skia::Color::from_rgba8(200, 100, 50, alpha));
            let mut paint = tiny_skia::Paint::default();
            paint.set_color_rgba8(10, 20, 250, 255);
            let rect = tiny_skia::Rect::from_xywh(5.5, 9.0, 20.0, 50.0).unwrap();
            pixmap.fill_rect(rect, &paint, tiny_skia::Transform::identity(), None);
            for optimize in [false, true] {
                let decoded = tiny_skia::Pixmap::decode_png(&encode_png(&pixmap, 300, optimize)).unwrap();
                assert_eq!(decoded.data(), pixmap.data(), "alpha {alpha}, optimize {optimize}");
            }
        }
    }

    #[test]
    fn layered_drawing_is_the_same_as_drawing_the_card_whole() {
        let root = tempfile::tempdir().unwrap();
        let rich = crate::markup::render("Made with *love* by **Bev**.\n\n- one\n- two", false).unwrap().rich;
        for name in crate::theme::built_in_names() {
            let theme = crate::theme::load(root.path(), name).unwrap();
            for size_name in ["a7", "a6-landscape"] {
                let size = CardSize::named(size_name, 150).unwrap();
                let card = thank_you_card(&theme, size, &rich, &crate::seal::SealSpec::default());
                let tree = parse(&theme, &card.full).unwrap();
                let cache = BaseCache::default();
                for width in [size.width, 200] {
                    let whole = rasterize(&tree, width);
                    let layered = rasterize_layered(&cache, &theme, &card, &tree, width).unwrap();
                    // The seal is composited from its own layer: rounding may move a channel a little.
                    let worst = whole.data().iter().zip(layered.data()).map(|(a, b)| a.abs_diff(*b)).max().unwrap();
                    assert!(worst <= 4, "{name} {size_name} at {width} px differs by {worst} when layered");
                }
            }
        }
    }

    #[test]
    fn every_built_in_theme_runs_its_paper_into_the_bleed_and_draws_the_card_as_before() {
        let root = tempfile::tempdir().unwrap();
        let rich = crate::markup::render("Made with *love*.", false).unwrap().rich;
        for name in crate::theme::built_in_names() {
            let theme = crate::theme::load(root.path(), name).unwrap();
            for size_name in ["a6", "a6-landscape"] {
                let size = CardSize::named(size_name, 150).unwrap();
                let b = boxes(&theme, size);
                let frame = b.frame(size);
                let text = Content { title: Some("Hi"), text: &rich, signature: Some("Bev"), lang: None };
                let laid = layout::layout(&theme, text, frame).unwrap();
                let seal = crate::seal::SealSpec::default();
                let content = CardContent { title: Some("Hi"), layout: &laid, seal: &seal, seed: 3, alt: "x" };
                let print = print_svg(&theme, size, &content, 18.0).unwrap();
                assert!(print.draws_bleed, "{name} {size_name}: card.svg draws nothing past the card's edge");
                // The paper reaches past the corners: drawn 18 px wider, the
                // corners of the wider picture are the paper, not transparent.
                let (w, h) = (size.width, size.height);
                let svg = print.svg.replacen(
                    &format!("width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\""),
                    &format!("width=\"{}\" height=\"{}\" viewBox=\"-18 -18 {} {}\"", w + 36, h + 36, w + 36, h + 36),
                    1,
                );
                assert!(svg != print.svg, "{name}: the card's root element is not as expected");
                let pixmap = rasterize(&parse(&theme, &svg).unwrap(), size.width);
                let (w, h) = (pixmap.width() - 1, pixmap.height() - 1);
                for (x, y) in [(0, 0), (w, 0), (0, h), (w, h)] {
                    let p = pixmap.pixel(x, y).unwrap();
                    assert_eq!(p.alpha(), 255, "{name} {size_name}: no paper at ({x}, {y})");
                }
                let plain = print_svg(&theme, size, &content, 0.0).unwrap();
                assert_eq!(plain.svg, card_svg(&theme, size, &content).unwrap().full, "{name}: bleed 0 is the card");
            }
        }
    }

    #[test]
    fn standalone_svg_draws_the_card_without_any_font() {
        let root = tempfile::tempdir().unwrap();
        let text = "Made with *love* by **Bev**, see [our shop](https://example.org).\n\n\
                    > A quote, *quoted*.\n\n- one\n- two\n\n---\n\nThe end.";
        let rich = crate::markup::render(text, false).unwrap().rich;
        let no_fonts = usvg::Options::default();
        for name in crate::theme::built_in_names() {
            let theme = crate::theme::load(root.path(), name).unwrap();
            let size = CardSize::named("a7", 150).unwrap();
            // A monogram seal: its initials are text too, stroked and filled with gradients.
            let seal =
                crate::seal::SealSpec { emblem: "monogram".into(), initials: Some("BW".into()), ..Default::default() };
            let card = thank_you_card(&theme, size, &rich, &seal);
            let tree = parse(&theme, &card.full).unwrap();
            let standalone = standalone_svg(&theme, &card.full, &tree);
            assert!(!standalone.contains("<text"), "{name}: text left in the standalone SVG");
            assert!(standalone.contains("<use"), "{name}: glyphs are not shared through <use>");
            assert!(standalone.len() < card.full.len() + 120_000, "{name}: {} bytes", standalone.len());
            let alone = usvg::Tree::from_str(&standalone, &no_fonts).unwrap();
            let (want, got) = (rasterize(&tree, size.width), rasterize(&alone, size.width));
            let far = want.data().iter().zip(got.data()).filter(|(a, b)| a.abs_diff(**b) > 40).count();
            assert!(far < 400, "{name}: {far} channels differ from the card");
            let bare = rasterize(&parse(&theme, &card.base).unwrap(), size.width);
            let ink = want.data().iter().zip(bare.data()).filter(|(a, b)| a.abs_diff(**b) > 40).count();
            assert!(ink > 20_000, "{name}: the card has no text or seal? ({ink} channels)");
        }
    }

    #[test]
    fn artwork_may_refer_only_to_itself() {
        let ok = r##"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">
            <defs><linearGradient id="g"/></defs><rect fill="url(#g)"/><use xlink:href="#g"/></svg>"##;
        assert!(check_references(ok).is_ok());
        for bad in [
            r#"<svg xmlns="http://www.w3.org/2000/svg"><image href="/etc/passwd"/></svg>"#,
            r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><image xlink:href="https://example.org/x.png"/></svg>"#,
            r#"<svg xmlns="http://www.w3.org/2000/svg"><rect fill="url(https://example.org/x#g)"/></svg>"#,
            r#"<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill: url( '../secret.svg#g' )"/></svg>"#,
            r#"<svg xmlns="http://www.w3.org/2000/svg"><style>rect { fill: url(file:///etc/x) }</style></svg>"#,
        ] {
            assert!(matches!(check_references(bad), Err(RenderError::External(_))), "{bad}");
        }
        let dtd = r#"<!DOCTYPE svg [<!ENTITY a "aaaaaaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>"#;
        assert!(check_references(dtd).is_err(), "entities (billion laughs) are refused");
    }

    /// `svg` as a base64 `data:` URL of type `mime`.
    fn data_url(mime: &str, bytes: &[u8]) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = format!("data:{mime};base64,");
        for chunk in bytes.chunks(3) {
            let n = chunk.iter().enumerate().fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
            for i in 0..4 {
                let c = if i <= chunk.len() { ALPHABET[(n >> (18 - 6 * i) & 63) as usize] } else { b'=' };
                out.push(c as char);
            }
        }
        out
    }

    /// A PNG whose header says `width` x `height`, with almost no pixels.
    fn png_header(width: u32, height: u32) -> Vec<u8> {
        let mut png = encode_png(&tiny_skia::Pixmap::new(1, 1).unwrap(), 300, false);
        png[16..20].copy_from_slice(&width.to_be_bytes());
        png[20..24].copy_from_slice(&height.to_be_bytes());
        png
    }

    #[test]
    fn pictures_in_artwork_are_looked_into() {
        let image = |href: &str| format!(r#"<svg xmlns="http://www.w3.org/2000/svg"><image href="{href}"/></svg>"#);
        let small = png_header(64, 64);
        assert!(check_references(&image(&data_url("image/png", &small))).is_ok());
        let huge = png_header(100_000, 100_000);
        let e = check_references(&image(&data_url("image/png", &huge))).unwrap_err();
        assert!(matches!(e, RenderError::ImageTooLarge(100_000, 100_000)), "{e}");
        // Whatever type it claims, a picture is what its bytes are.
        assert!(check_references(&image(&data_url("text/plain", &huge))).is_err());
        // An SVG picture passes the same checks as the artwork.
        let outside = r#"<svg xmlns="http://www.w3.org/2000/svg"><image href="/etc/passwd"/></svg>"#;
        let e = check_references(&image(&data_url("image/svg+xml", outside.as_bytes()))).unwrap_err();
        assert!(matches!(&e, RenderError::External(r) if r == "/etc/passwd"), "{e}");
        let laughs = r#"<!DOCTYPE svg [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><svg xmlns="http://www.w3.org/2000/svg">&b;</svg>"#;
        let e = check_references(&image(&data_url("image/svg+xml", laughs.as_bytes()))).unwrap_err();
        assert!(e.to_string().contains("DTD"), "{e}");
        // However deep it is put.
        let mut nested = laughs.to_string();
        for _ in 0..3 {
            nested = image(&data_url("image/svg+xml", nested.as_bytes()));
        }
        assert!(check_references(&nested).is_err());
        for bad in [
            r#"<svg xmlns="http://www.w3.org/2000/svg"><rect fill="URL(https://example.org/x#g)"/></svg>"#,
            r#"<svg xmlns="http://www.w3.org/2000/svg"><style>@import "https://example.org/x.css";</style></svg>"#,
            r#"<?xml-stylesheet href="https://example.org/x.css"?><svg xmlns="http://www.w3.org/2000/svg"/>"#,
            r#"<svg xmlns="http://www.w3.org/2000/svg"><filter id="f"><feImage href="file:///etc/passwd"/></filter></svg>"#,
        ] {
            assert!(matches!(check_references(bad), Err(RenderError::External(_))), "{bad}");
        }
    }

    /// The image nodes of a tree, at any depth.
    fn images(group: &usvg::Group) -> usize {
        group
            .children()
            .iter()
            .map(|node| match node {
                usvg::Node::Group(g) => images(g),
                usvg::Node::Image(_) => 1,
                _ => 0,
            })
            .sum()
    }

    #[test]
    fn usvg_reads_no_file_even_when_asked_past_the_checks() {
        let root = tempfile::tempdir().unwrap();
        let theme = crate::theme::load(root.path(), "chocolate").unwrap();
        let file = root.path().join("secret.png");
        std::fs::write(&file, png_header(4, 4)).unwrap();
        let svg = |href: &str| {
            format!(
                r#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><image width="4" height="4" href="{href}"/></svg>"#
            )
        };
        let tree = |href: &str| usvg::Tree::from_str(&svg(href), &theme.usvg_options).unwrap();
        for href in [file.to_string_lossy().into_owned(), format!("file://{}", file.display()), "secret.png".into()] {
            assert_eq!(images(tree(&href).root()), 0, "{href}");
        }
        // A picture inside the artwork itself is drawn.
        assert_eq!(images(tree(&data_url("image/png", &png_header(4, 4))).root()), 1);
    }

    #[test]
    fn measured_widths_are_what_usvg_draws() {
        let root = tempfile::tempdir().unwrap();
        let theme = crate::theme::load(root.path(), "chocolate").unwrap();
        let markdown = "Thank you for shopping with us: your order was made with *love* by *Beverly*, \
            our very own **craft genius**. Efficient ***office*** staff “quoted” it — twice… \
            AVATAR Tokyo, fjord, ffi, Wavy Type. Καλημέρα, Спасибо.";
        let rich = crate::markup::render(markdown, false).unwrap().rich;
        let frame = Frame { width: 880.0, height: 1200.0, px_per_pt: 300.0 / 72.0, text_scale: 1.0 };
        let laid = layout::layout(
            &theme,
            Content {
                title: Some("Thank you, Deb"),
                text: &rich,
                signature: Some("with love, Beverly"),
                lang: Some(hypher::Lang::English),
            },
            frame,
        )
        .unwrap();
        assert!(laid.lines.len() > 4);
        // Draw every piece anchored at its start, then anchored at the end
        // the layout measured: the glyphs land in the same place only if
        // the layout's width is the one usvg uses.
        let mut starts = String::new();
        let mut ends = String::new();
        let mut count = 0;
        for line in &laid.lines {
            let LineKind::Text(pieces) = &line.kind else { continue };
            for p in pieces {
                let attrs = theme.face_by_key(p.face).svg_attrs();
                let text = crate::svg::escape(&p.text);
                let size = line.size;
                let x = line.x + p.x;
                starts.push_str(&format!(
                    "<text x=\"{x}\" y=\"100\" font-size=\"{size}\" {attrs} xml:space=\"preserve\">{text}</text>"
                ));
                ends.push_str(&format!(
                    "<text x=\"{}\" y=\"100\" font-size=\"{size}\" {attrs} text-anchor=\"end\" xml:space=\"preserve\">{text}</text>",
                    x + p.width
                ));
                count += 1;
            }
        }
        let wrap = |inner: String| {
            format!("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1240\" height=\"1748\"><g>{inner}</g></svg>")
        };
        let starts = first_glyph_xs(&theme, &wrap(starts));
        let ends = first_glyph_xs(&theme, &wrap(ends));
        assert!(count > 8);
        assert_eq!((starts.len(), ends.len()), (count, count));
        for (i, (a, b)) in starts.iter().zip(&ends).enumerate() {
            assert!((a - b).abs() < 0.02, "piece {i}: starts at {a} anchored left but {b} anchored right");
        }
        for line in &laid.lines {
            assert!(line.x >= -0.01 && line.x + line.width <= frame.width + 0.01, "{line:?} leaves the box");
        }
    }
}
