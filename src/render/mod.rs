//! Card assembly and rasterising: laid-out text + seal + the theme's card
//! template -> one SVG -> usvg tree -> PNG card and thumbnail.
//!
//! Parsing can fail (a theme template that writes bad SVG); drawing cannot.
//! The SVG written to output/ is the same tree the PNG is drawn from, with
//! text turned into outlines so it looks the same in any viewer.
//!
//! Drawing lives in [`raster`] (pixels) and [`layers`] (the kept base
//! under the text and seal), PNG encoding in [`encode`]; the print PDF in
//! [`pdf`].

use std::fmt::Write as _;

use resvg::usvg;
use serde::Serialize;

use crate::layout::{Layout, Line, LineKind, Piece};
use crate::seal::SealSpec;
use crate::size::CardSize;
use crate::svg::guard::{self, Guard, Refusal};
use crate::svg::Fixed2;
use crate::theme::{FontRole, Frac, Geometry, Theme};

pub mod alone;
pub mod bands;
mod blur;
mod deflate;
pub mod encode;
pub mod glyphs;
pub mod ink;
pub mod layers;
pub mod lettering;
pub mod logo;
mod marks;
pub mod parts;
pub mod pdf;
pub mod place;
pub mod qr;
pub mod raster;
pub mod share;
pub mod small;
pub mod webp;

pub use self::webp::encode_webp;
pub use encode::{encode_png, encode_png_over, CardPixels, Under};
pub use layers::{check_layered, rasterize_layered, BaseCache, LayerStore};
pub use raster::rasterize;
pub use share::{share_picture, SharePlace, ShareView, SHARE_SIZE};
pub use small::{shrink_card, shrink_part, shrink_picture, small_height};

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
    /// The QR code, if the card has one.
    pub qr: Option<&'a qr::Qr>,
    /// The message's pictures, in reading order (and a scanned signature
    /// last, when the card is signed with one).
    pub pictures: &'a [CardPicture],
    /// The shop's logo, if the card shows one.
    pub logo: Option<&'a CardPicture>,
    /// The part of their size the logo and the QR code are drawn at (1:
    /// the theme's; less where the text needs the room: see [`boxes_at`]).
    pub room: f32,
}

/// A picture of a message, as its card draws it.
#[derive(Debug, Clone)]
pub struct CardPicture {
    /// The picture, read.
    pub picture: std::sync::Arc<crate::picture::Picture>,
    /// Its alt text.
    pub alt: String,
    /// Its caption, if it has one.
    pub caption: Option<String>,
    /// The file it was read from, relative to the site folder (what the
    /// build's cache keeps, to see it change).
    pub file: String,
}

/// The `data:` URLs of `pictures`: the copies a card draws, or (`print`)
/// the full-size ones a print PDF embeds.
fn picture_urls(pictures: &[CardPicture], print: bool) -> Vec<String> {
    let encoded = |p: &CardPicture| match print {
        true => p.picture.print.as_ref().unwrap_or(&p.picture.draw).data_url(),
        false => p.picture.draw.data_url(),
    };
    pictures.iter().map(encoded).collect()
}

/// The pixel boxes of a theme's geometry on a card.
#[derive(Debug, Clone, Serialize)]
pub struct Boxes {
    /// Where text goes.
    pub text_box: PxRect,
    /// Seal centre and radius.
    pub seal: (f32, f32, f32),
    /// Where the QR code goes, if the card has one.
    pub qr: Option<qr::QrBox>,
    /// Where the logo goes, if the card has one.
    pub logo: Option<PxRect>,
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

/// The theme's geometry resolved on a card of `size` without a QR code.
pub fn boxes(theme: &Theme, size: CardSize) -> Boxes {
    boxes_for(theme, size, None, None)
}

/// The theme's geometry resolved on a card of `size` with QR code `qr`
/// and a logo whose height over width is `logo`: the text box keeps clear
/// of the seal, the code and the logo.
pub fn boxes_for(theme: &Theme, size: CardSize, qr: Option<&qr::Qr>, logo: Option<f32>) -> Boxes {
    boxes_at(theme, size, qr, logo, 1.0)
}

/// [`boxes_for`] with the logo and the QR code drawn at `room` of the
/// theme's size (the code no smaller than a phone reads, the logo as small
/// as it takes): what a card gives up for its text to stay comfortably large.
pub fn boxes_at(theme: &Theme, size: CardSize, qr: Option<&qr::Qr>, logo: Option<f32>, room: f32) -> Boxes {
    let g = theme.geometry_for(&size.full_name(), size.width > size.height);
    let (w, h) = (size.width as f32, size.height as f32);
    let text_box =
        PxRect { x: g.text_box.x * w, y: g.text_box.y * h, width: g.text_box.width * w, height: g.text_box.height * h };
    let margin = g.margin.as_ref().or(theme.spec.geometry.margin.as_ref());
    let text_box = match margin {
        Some(margin) => place::inset(text_box, margin.points() as f32 / 72.0 * 25.4 * place::px_per_mm(size), (w, h)),
        None => text_box,
    };
    let (framed, seal) = place::place(theme, g, size, text_box);
    let (text_box, qr, seal) = match qr {
        Some(qr) => {
            let (cut, qr_box, seal_dx) = qr::place(theme, size, qr, (framed, room, logo.is_some()), seal);
            if seal_dx == 0.0 {
                (cut, Some(qr_box), seal)
            } else {
                // The seal made way for the code: placed again, and the
                // text box cut back from it where it now stands.
                let moved = Geometry { seal: Frac { x: (seal.0 + seal_dx) / w, ..g.seal }, ..g.clone() };
                let (text_box, seal) = place::place(theme, &moved, size, text_box);
                let clear = place::CLEAR_MM * place::px_per_mm(size);
                (qr::clear_of(text_box, qr_box.bounds(), clear), Some(qr_box), seal)
            }
        }
        None => (framed, None, seal),
    };
    match logo {
        Some(ratio) => {
            let (text_box, logo) = logo::place(theme, size, ratio, (text_box, room), qr.as_ref());
            Boxes { text_box, seal, qr, logo: Some(logo) }
        }
        None => Boxes { text_box, seal, qr, logo: None },
    }
}

/// The height over width of picture `p`, as a card draws it.
pub fn ratio(p: &CardPicture) -> f32 {
    p.picture.height.max(1) as f32 / p.picture.width.max(1) as f32
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
    /// (Its width and height, and the text where it is.)
    #[error("the theme's card.svg holds a picture of {0} x {1} pixels: at most {side} x {side} pixels may be drawn, neither side over {side} times the other", side = guard::MAX_IMAGE_SIDE)]
    ImageTooLarge(u64, u64, String),
    /// The template's SVG holds what a browser would run (in the published
    /// card.svg): what, and the text where it is.
    #[error("the theme's card.svg holds `{0}`, which would run in a browser that opens the published card.svg: a card's artwork may hold no scripts, event attributes (`on...=`), animations or embedded documents")]
    Active(String, String),
    /// The template's SVG would cost too much to draw: why, and the text
    /// (an attribute or an id) where it is.
    #[error("the theme's card.svg cannot be drawn: {0}")]
    Costly(String, String),
    /// The template's SVG refers to something outside itself.
    #[error("the theme's card.svg refers to `{0}`, outside the card: only `#fragments` of the same SVG and data: URLs may be used")]
    External(String),
}

#[derive(Serialize)]
struct CardContext {
    width: u32,
    height: u32,
    u: f32,
    /// A millimetre of the card as cut, in pixels: for art that keeps a
    /// physical distance from the cut whatever the card's size.
    mm: f32,
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
    /// How far from the centre what the seal draws shows (its shadow too).
    reach: f32,
    /// The clear space to keep around that, in pixels.
    clear: f32,
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
    /// The card's text, seal and code alone, on the card's canvas, when
    /// they are the last things in it and need nothing else of it: all a
    /// card drawn on its kept base parses (see [`marks::top_svg`]).
    pub top: Option<String>,
    /// The same top layers with the texts set as glyph runs left out, and
    /// those runs (see [`lettering`]): what a card drawn on its kept base
    /// parses and draws, when asked for ([`card_svg_lettered`]).
    pub lettered: Option<Lettered>,
}

/// A card's top layers, their texts set as glyph runs (see [`lettering`]).
pub struct Lettered {
    /// The top layers without the texts of `runs`, the seal an empty group
    /// in its place (a drawn seal is kept: its SVG is parsed only to draw
    /// it, from `seal`).
    pub top: String,
    /// The seal alone on the card's canvas.
    pub seal: String,
    /// Those texts, set.
    pub runs: Vec<lettering::Run>,
}

/// Writes the card SVG from the theme's template.
pub fn card_svg(theme: &Theme, size: CardSize, content: &CardContent) -> Result<CardSvg, RenderError> {
    card_svg_with(theme, size, content, false)
}

/// [`card_svg`], and its top layers with their texts set as glyph runs
/// (see [`CardSvg::lettered`]): for a card drawn on its base and not
/// written whole.
pub fn card_svg_lettered(theme: &Theme, size: CardSize, content: &CardContent) -> Result<CardSvg, RenderError> {
    card_svg_with(theme, size, content, true)
}

fn card_svg_with(theme: &Theme, size: CardSize, content: &CardContent, letter: bool) -> Result<CardSvg, RenderError> {
    let urls = picture_urls(content.pictures, false);
    let (mut context, seal, artwork) = card_context(theme, size, content, 0.0, (&urls, false))?;
    // The template is run once, with a mark where each layer goes; the card
    // and its base are that with the layers put in, or left out.
    let layers = marks::LAYERS.map(|name| {
        let svg = context.get(name).and_then(|v| v.as_str()).unwrap_or_default().to_string();
        (name, svg)
    });
    for (name, _) in &layers {
        context.insert(*name, &marks::mark(name));
    }
    let marked = marks::run_once(theme, &mut context, (&artwork, [content.title.unwrap_or(""), content.alt]), |c| {
        render_card(theme, c)
    })?;
    let top = marks::top_svg(&marked, &layers);
    let lettered = match (&top, letter) {
        (Some(_), true) => lettered(theme, size, content, &urls, &marked, &layers),
        _ => None,
    };
    let (full, base) = match marks::fill(&marked, &layers) {
        Some(pair) => pair,
        // A template that puts a layer in more than one place (or none) is
        // run twice, as before.
        None => {
            for (name, svg) in &layers {
                context.insert(*name, svg);
            }
            let full = render_card(theme, &context)?;
            for name in marks::LAYERS {
                context.insert(name, "");
            }
            (full, render_card(theme, &context)?)
        }
    };
    let base = strip_element(&strip_element(&base, "title"), "desc");
    Ok(CardSvg { full, base, seal, top, lettered })
}

/// The card's top layers with the texts a [`lettering::Letterer`] sets left
/// out, and the runs it set; `None` when it set none.
fn lettered(
    theme: &Theme,
    size: CardSize,
    content: &CardContent,
    urls: &[String],
    marked: &str,
    layers: &[(&str, String); 3],
) -> Option<Lettered> {
    if !lettering::plain_root(marks::root_tag(marked)?) {
        return None;
    }
    let b = boxes_at(theme, size, content.qr, content.logo.map(ratio), content.room);
    let mut letterer = lettering::Letterer::new(theme)?;
    let text = text_layer(theme, content.layout, b.text_box.x, b.text_box.y, urls, Some(&mut letterer));
    if letterer.runs.is_empty() {
        return None;
    }
    let placed = layers.clone().map(|(name, svg)| match name {
        "text" => (name, text.clone()),
        "seal" => (name, format!("<g id=\"{SEAL_ID}\"/>")),
        _ => (name, svg),
    });
    let seal = layers.clone().map(|(name, svg)| if name == "seal" { (name, svg) } else { (name, String::new()) });
    let (top, seal) = (marks::top_svg(marked, &placed)?, marks::top_svg(marked, &seal)?);
    Some(Lettered { top, seal, runs: letterer.runs })
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
    /// The same card cut into its artwork, blocks of text and seal, for a
    /// tagged PDF; `None` for a template that cannot be cut so.
    pub parts: Option<parts::Parts>,
    /// The message as plain text, the alt text of a card drawn whole.
    pub alt: String,
}

impl CardContext {
    /// The `card` of a card of `size`, with `bleed` pixels past each edge.
    fn of(size: CardSize, bleed: f32) -> CardContext {
        CardContext {
            width: size.width,
            height: size.height,
            u: size.width.min(size.height) as f32 / 100.0,
            mm: place::px_per_mm(size),
            size: size.full_name(),
            landscape: size.width > size.height,
            bleed,
        }
    }
}

/// Writes the card SVG for print, with `bleed` pixels of artwork past each edge.
pub fn print_svg(theme: &Theme, size: CardSize, content: &CardContent, bleed: f32) -> Result<PrintSvg, RenderError> {
    let urls = picture_urls(content.pictures, true);
    let (mut context, seal, _) = card_context(theme, size, content, bleed, (&urls, true))?;
    let svg = render_card(theme, &context)?;
    let parts = print_parts(theme, size, content, &svg, (&context, &urls), &seal)?;
    // The same card without a bleed (its text and seal as they are).
    let draws_bleed = bleed > 0.0 && {
        context.insert("card", &CardContext::of(size, 0.0));
        render_card(theme, &context)? != svg
    };
    Ok(PrintSvg { svg, bleed, draws_bleed, parts, alt: content.alt.to_string() })
}

/// The print card `svg` (drawn from `context`) cut into parts, if its
/// template allows (see [`parts`]).
fn print_parts(
    theme: &Theme,
    size: CardSize,
    content: &CardContent,
    svg: &str,
    (context, urls): (&tera::Context, &[String]),
    seal: &str,
) -> Result<Option<parts::Parts>, RenderError> {
    let mut context = context.clone();
    let b = boxes_at(theme, size, content.qr, content.logo.map(ratio), content.room);
    let layout = content.layout;
    let text = text_svg(theme, layout, b.text_box.x, b.text_box.y, urls);
    context.insert("text", "");
    context.insert("seal", "");
    let base = render_card(theme, &context)?;
    let blocks = parts::blocks(layout, theme.spec.text.line_height)
        .into_iter()
        .map(|(block, lines)| {
            let mut part = Layout { lines: layout.lines[lines].to_vec(), missing: Vec::new(), ..*layout };
            parts::spaced(&mut part.lines);
            let words = match block {
                // A picture's words are its alt text.
                parts::Block::Figure => parts::picture_alt(&part.lines, content.pictures),
                _ => parts::plain(&part.lines),
            };
            (block, text_svg(theme, &part, b.text_box.x, b.text_box.y, urls), words)
        })
        .collect();
    Ok(parts::cut(svg, &base, &text, seal, blocks)
        .map(|cut| parts::Parts { seal_alt: parts::seal_alt(content.seal), ..cut }))
}

/// What the theme's card.svg template sees, and the seal's SVG.
fn card_context(
    theme: &Theme,
    size: CardSize,
    content: &CardContent,
    bleed: f32,
    (urls, print): (&[String], bool),
) -> Result<(tera::Context, String, String), RenderError> {
    let b = boxes_at(theme, size, content.qr, content.logo.map(ratio), content.room);
    let palette = &theme.spec.palette;
    let text = text_svg(theme, content.layout, b.text_box.x, b.text_box.y, urls);
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
    let mut art = Artwork::default();
    art.put("card", &CardContext::of(size, bleed));
    let (reach, clear) = (r * place::REACH, place::CLEAR_MM * place::px_per_mm(size));
    art.put("seal_box", &SealBox { x: cx, y: cy, r, reach, clear });
    // Tera numbers are f64 or i64: a u64 seed would not fit.
    art.put("seed", &(content.seed >> 12));
    art.put("palette", palette);
    art.put("text_box", &b.text_box);
    art.put("qr_box", &b.qr);
    let logo = content.logo.zip(b.logo.as_ref()).map(|(p, logo_box)| {
        let url = picture_urls(std::slice::from_ref(p), print).pop().unwrap_or_default();
        logo::svg(&url, logo_box)
    });
    art.put("logo", &logo.unwrap_or_default());
    art.put("logo_box", &b.logo);
    let key = art.key();
    let mut context = art.context;
    // The card's own: its layers and words.
    context.insert("text", &text);
    context.insert("seal", &seal);
    let qr = content.qr.zip(b.qr.as_ref()).map(|(qr, qr_box)| qr::svg(theme, qr, qr_box));
    context.insert("qr", &qr.unwrap_or_default());
    context.insert("title", &content.title.unwrap_or(""));
    context.insert("alt", content.alt);
    Ok((context, seal, key))
}

/// What a card's template is given besides the card's own layers and
/// words (its artwork), and a key of it: cards with the same key share a
/// run of the template (see [`marks::run_once`]).
#[derive(Default)]
struct Artwork {
    context: tera::Context,
    hasher: sha2::Sha256,
}

impl Artwork {
    fn put<T: Serialize + ?Sized>(&mut self, name: &'static str, value: &T) {
        use sha2::Digest;
        let bytes = serde_json::to_vec(value).unwrap_or_default();
        for part in [name.as_bytes(), &bytes] {
            self.hasher.update((part.len() as u64).to_le_bytes());
            self.hasher.update(part);
        }
        self.context.insert(name, value);
    }

    fn key(&self) -> String {
        use sha2::Digest;
        self.hasher.clone().finalize().iter().take(16).map(|b| format!("{b:02x}")).collect()
    }
}

fn render_card(theme: &Theme, context: &tera::Context) -> Result<String, RenderError> {
    let svg = crate::template::render(&theme.templates, "card.svg", context).map_err(|e| {
        let (_, line, col, message) = theme.template_place("card.svg", &e);
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
/// `<tspan>` per face run, at (`left`, `top`); the message's pictures as
/// `<image>`s of `pictures` (their `data:` URLs, in reading order).
pub fn text_svg(theme: &Theme, layout: &Layout, left: f32, top: f32, pictures: &[String]) -> String {
    text_layer(theme, layout, left, top, pictures, None)
}

/// [`text_svg`], without the `<text>`s `letterer` sets.
fn text_layer(
    theme: &Theme,
    layout: &Layout,
    left: f32,
    top: f32,
    pictures: &[String],
    mut letterer: Option<&mut lettering::Letterer>,
) -> String {
    let mut out = format!("<g id=\"{TEXT_ID}\">");
    // Every `<text>` has an id, by which the standalone SVG finds its glyphs.
    let mut ids = TextIds(0);
    for line in &layout.lines {
        let (x, y) = (left + line.x, top + line.baseline);
        match &line.kind {
            LineKind::Rule => ornament(&mut out, &theme.spec.palette.border, left + line.width / 2.0, y, line.size),
            LineKind::Picture { index, height } => {
                let Some(url) = pictures.get(*index) else { continue };
                let _ = write!(
                    out,
                    "<image x=\"{x:.2}\" y=\"{:.2}\" width=\"{:.2}\" height=\"{height:.2}\" preserveAspectRatio=\"none\" href=\"{url}\"/>",
                    y - height,
                    line.width,
                );
            }
            LineKind::Text(pieces) => {
                // A baseline on a whole pixel of the card: its glyphs then
                // sit alike on every line (a quarter of the glyph pictures
                // to draw and keep; see render::glyphs).
                let y = y.round();
                if let Some(rule_x) = line.quote_rule {
                    quote_rule(&mut out, theme, line, left + rule_x, y);
                }
                if let Some((marker, mx)) = &line.marker {
                    let chunk = marker_chunk(theme, marker, left + mx);
                    if !letterer.as_deref_mut().is_some_and(|l| set(l, &[chunk], y, line.size)) {
                        marker_text(&mut out, theme, ids.next(), marker, left + mx, y, line.size);
                    }
                }
                let chunks: Vec<_> = pieces.iter().map(|piece| lettering::Chunk::of(piece, x)).collect();
                if !letterer.as_deref_mut().is_some_and(|l| set(l, &chunks, y, line.size)) {
                    text_line(&mut out, theme, ids.next(), pieces, x, y, line.size);
                }
            }
        }
    }
    out.push_str("</g>");
    out
}

/// The ids of a card's `<text>` elements, counted from 1.
struct TextIds(usize);

impl TextIds {
    fn next(&mut self) -> String {
        self.0 += 1;
        format!("{TEXT_ID}-{}", self.0)
    }
}

/// A thin accent rule beside a quoted line at `x`; lines touch, so the rules join.
fn quote_rule(out: &mut String, theme: &Theme, line: &Line, x: f32, y: f32) {
    let height = line.size * theme.spec.text.line_height;
    let color = theme.spec.styles.quote.color.as_deref().filter(|c| *c != "ink").unwrap_or("accent");
    let _ = write!(
        out,
        "<rect x=\"{x:.2}\" y=\"{:.2}\" width=\"{:.2}\" height=\"{height:.2}\" fill=\"{}\" fill-opacity=\"0.55\"/>",
        y - line.size * 0.9,
        (line.size * 0.06).max(1.0),
        theme.color(color)
    );
}

/// `chunks` on baseline `y` at `size` set by `letterer`, at the numbers the
/// SVG would give usvg (two decimals); false when it cannot set them.
fn set(letterer: &mut lettering::Letterer, chunks: &[lettering::Chunk], y: f32, size: f32) -> bool {
    let two = |v: f32| Fixed2(v.into()).to_string().parse::<f32>().unwrap_or(v);
    let chunks: Vec<_> = chunks.iter().map(|c| lettering::Chunk { x: two(c.x), ..*c }).collect();
    letterer.text(&chunks, two(y), two(size))
}

/// A list item's marker as a chunk of text at `x`, in the theme's marker style.
fn marker_chunk<'a>(theme: &Theme, marker: &'a str, x: f32) -> lettering::Chunk<'a> {
    let style = &theme.spec.styles.marker;
    let color = theme.color(style.color.as_deref().unwrap_or("accent"));
    let face = crate::theme::FaceKey::Role(style.face.unwrap_or(FontRole::Body));
    lettering::Chunk { text: marker, face, color: lettering::hex(&color), underline: false, x }
}

/// A list item's marker, set at `x` in the theme's marker style.
fn marker_text(out: &mut String, theme: &Theme, id: String, marker: &str, x: f32, y: f32, size: f32) {
    let style = &theme.spec.styles.marker;
    let _ = write!(
        out,
        "<text id=\"{id}\" x=\"{x:.2}\" y=\"{y:.2}\" font-size=\"{size:.2}\" fill=\"{}\" {}>{}</text>",
        theme.color(style.color.as_deref().unwrap_or("accent")),
        theme.face(style.face.unwrap_or(FontRole::Body)).svg_attrs(),
        crate::svg::escape(marker)
    );
}

/// A line of text starting at `x`: one `<text>`, a `<tspan>` per piece.
fn text_line(out: &mut String, theme: &Theme, id: String, pieces: &[Piece], x: f32, y: f32, size: f32) {
    let ink = &theme.spec.palette.ink;
    let (y, size) = (Fixed2(y.into()), Fixed2(size.into()));
    let _ = write!(out, "<text id=\"{id}\" y=\"{y}\" font-size=\"{size}\" fill=\"{ink}\" xml:space=\"preserve\">");
    // Every piece has its own x, so it is a text chunk of its own, set in
    // one font exactly as the layout measured it.
    for piece in pieces {
        let face = theme.face_by_key(piece.face);
        let _ = write!(out, "<tspan x=\"{}\" {}", Fixed2((x + piece.x).into()), face.svg_attrs());
        if &piece.color != ink {
            let _ = write!(out, " fill=\"{}\"", piece.color);
        }
        if piece.underline {
            out.push_str(" text-decoration=\"underline\"");
        }
        let _ = write!(out, ">{}</tspan>", crate::svg::escape(&piece.text));
    }
    out.push_str("</text>");
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
/// The tree's filters are costed before anything draws them (so `check`
/// refuses what a build would spend hours on).
pub fn parse(theme: &Theme, svg: &str) -> Result<usvg::Tree, RenderError> {
    check_references(svg)?;
    let tree = usvg::Tree::from_str(svg, &theme.usvg_options).map_err(|e| RenderError::Svg(e.to_string()))?;
    crate::svg::cost::check(&tree).map_err(refused)?;
    Ok(tree)
}

/// The tree card `svg` is drawn from: its top layers alone when it has
/// them and the whole card is not `wanted` (its base is parsed once per
/// theme, here, to fail where the whole card would), without the texts it
/// set as glyph runs when it did; else the whole card (and the runs are
/// dropped: the tree draws their texts).
pub fn parse_card(theme: &Theme, svg: &mut CardSvg, wanted: bool) -> Result<usvg::Tree, RenderError> {
    match (&svg.top, wanted) {
        (Some(top), false) => {
            marks::check_base(theme, &svg.base, || parse(theme, &svg.base).map(|_| ()))?;
            match &svg.lettered {
                Some(lettered) => parse(theme, &lettered.top),
                None => parse(theme, top),
            }
        }
        _ => {
            svg.lettered = None;
            parse(theme, &svg.full)
        }
    }
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
    Guard::for_art().check(svg).map(|_| ()).map_err(refused)
}

/// The guard's refusal of card artwork as a render error.
fn refused(refusal: Refusal) -> RenderError {
    match refusal {
        Refusal::External(reference) => RenderError::External(reference),
        Refusal::Url(inner) => RenderError::External(guard::unquoted(&inner).to_owned()),
        Refusal::ImageTooLarge(width, height, needle) => RenderError::ImageTooLarge(width, height, needle),
        // Artwork has no size limit of its own, so this cannot come; were
        // it to, the artwork would still be refused.
        Refusal::TooLarge(bytes) => RenderError::Svg(format!("{bytes} bytes is too large")),
        Refusal::Unusable(why) => RenderError::Svg(why),
        Refusal::Costly(why, needle) => RenderError::Costly(why, needle),
        Refusal::Active(what, needle) => RenderError::Active(what, needle),
    }
}

/// The most pixels a picture in card artwork may have (see the SVG guard).
pub use crate::svg::guard::MAX_IMAGE_PIXELS;

/// The tree as standalone SVG, text as outlines.
pub fn standalone_svg(theme: &Theme, source: &str, tree: &usvg::Tree) -> String {
    let glyphs = theme.caches.get_or_default::<crate::svg::outlines::GlyphOutlines>();
    crate::svg::outlines::write(source, tree, &glyphs).unwrap_or_else(|| usvg_written(tree))
}

/// Card `svg` as standalone SVG, text as outlines: from `tree` when it is
/// the whole card (a card not drawn on its base), else from its text
/// alone (see [`standalone_from_text`]).
pub fn card_standalone(theme: &Theme, svg: &CardSvg, tree: &usvg::Tree) -> Result<String, RenderError> {
    match svg.top {
        None => Ok(standalone_svg(theme, &svg.full, tree)),
        Some(_) => standalone_from_text(theme, &svg.full),
    }
}

/// The tree as usvg's writer writes it (every glyph flattened into paths):
/// for text the outline writer cannot write.
fn usvg_written(tree: &usvg::Tree) -> String {
    // Card coordinates are pixels at print resolution: two decimals are a
    // hundredth of a pixel. Fewer digits make the file half as large and
    // quicker to write.
    let options = usvg::WriteOptions { coordinates_precision: 2, transforms_precision: 6, ..Default::default() };
    tree.to_string(&options)
}

/// `source` as standalone SVG, its text laid out from the text alone (see
/// [`crate::svg::outlines::text_only`]) when the outline writer can write
/// it, else from the whole tree; `source` itself when it has no text.
pub fn standalone_from_text(theme: &Theme, source: &str) -> Result<String, RenderError> {
    let Some(text) = crate::svg::outlines::text_only(source) else {
        return Ok(source.to_string());
    };
    let glyphs = theme.caches.get_or_default::<crate::svg::outlines::GlyphOutlines>();
    match crate::svg::outlines::write(source, &parse(theme, &text)?, &glyphs) {
        Some(svg) => Ok(svg),
        // The whole tree, for usvg's writer (the outline writer would give
        // up on the same text again).
        None => Ok(usvg_written(&parse(theme, source)?)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::{self, Content, Frame};

    /// A "Thank you" card of `text`, signed by Bev, with `seal`.
    pub(super) fn thank_you_card(
        theme: &Theme,
        size: CardSize,
        text: &crate::markup::RichText,
        seal: &crate::seal::SealSpec,
    ) -> CardSvg {
        let b = boxes(theme, size);
        let frame =
            Frame { width: b.text_box.width, height: b.text_box.height, px_per_pt: size.px_per_pt(), text_scale: 1.0 };
        let content = Content {
            title: Some("Thank you"),
            text,
            signature: Some("with love, Bev"),
            lang: None,
            pictures: &[],
            signed: None,
        };
        let laid = layout::layout(theme, content, frame).unwrap();
        let content = CardContent {
            title: Some("Thank you"),
            layout: &laid,
            seal,
            seed: 7,
            alt: "x",
            qr: None,
            pictures: &[],
            logo: None,
            room: 1.0,
        };
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

    /// The card and its base as the template makes them with the layers
    /// given, and with them empty: what [`card_svg`] makes with one run.
    fn card_svg_run_twice(theme: &Theme, size: CardSize, content: &CardContent) -> (String, String) {
        let (mut context, _, _) = card_context(theme, size, content, 0.0, (&[], false)).unwrap();
        let full = render_card(theme, &context).unwrap();
        for name in marks::LAYERS {
            context.insert(name, "");
        }
        (full, strip_element(&strip_element(&render_card(theme, &context).unwrap(), "title"), "desc"))
    }

    #[test]
    fn one_run_of_the_template_makes_the_card_and_its_base_as_two_did() {
        let root = tempfile::tempdir().unwrap();
        let rich = crate::markup::render("Made with *love* by **Bev** 🌿 <3 & co.", false).unwrap().rich;
        let link = "https://example.com/r".to_string();
        let code = crate::qr::encode(&link).unwrap();
        let qr = qr::Qr { link, code, label: Some("Scan to leave a review".into()) };
        for name in crate::theme::built_in_names() {
            let theme = crate::theme::load(root.path(), name).unwrap();
            for (size_name, qr) in [("a6", None), ("a7", Some(&qr))] {
                let size = CardSize::named(size_name, 150).unwrap();
                let b = boxes_for(&theme, size, qr, None);
                let laid = crate::layout::layout(&theme, content_of(&rich), b.frame(size)).unwrap();
                let seal = crate::seal::SealSpec::default();
                let content = CardContent { qr, ..card_content(&laid, &seal) };
                let card = card_svg(&theme, size, &content).unwrap();
                assert_eq!((card.full, card.base), card_svg_run_twice(&theme, size, &content), "{name} {size_name}");
            }
        }
    }

    #[test]
    fn a_card_drawn_from_its_top_layers_alone_is_the_card_drawn_from_its_whole_tree() {
        let root = tempfile::tempdir().unwrap();
        let rich = crate::markup::render("Made with *love* by **Bev** 🌿.\n\n- one\n- two", false).unwrap().rich;
        for name in crate::theme::built_in_names() {
            let theme = crate::theme::load(root.path(), name).unwrap();
            let size = CardSize::named("a7", 150).unwrap();
            let laid = crate::layout::layout(&theme, content_of(&rich), boxes(&theme, size).frame(size)).unwrap();
            let seal = crate::seal::SealSpec::default();
            let mut card = card_svg(&theme, size, &card_content(&laid, &seal)).unwrap();
            let top = card.top.as_deref().unwrap_or_else(|| panic!("{name}: the text and seal come last"));
            assert!(!top.contains("<rect"), "{name}: no artwork in the top layers");
            let whole = parse_card(&theme, &mut card, true).unwrap();
            let alone = parse_card(&theme, &mut card, false).unwrap();
            assert_eq!(alone.root().children().len(), 2, "{name}");
            let cache = BaseCache::default();
            for width in [size.width, 120] {
                let a = rasterize_layered(&cache, &theme, &card, &whole, width).unwrap().pixmap;
                let b = rasterize_layered(&cache, &theme, &card, &alone, width).unwrap().pixmap;
                assert!(a.data() == b.data(), "{name} at {width} px");
            }
        }
    }

    #[test]
    fn a_card_whose_texts_are_set_as_glyph_runs_draws_as_the_card_whose_texts_usvg_sets() {
        let root = tempfile::tempdir().unwrap();
        let markdown = "Made with *love* by **Bev** 🍫 ❤️ 👍🏽, [our shop](https://example.org).\n\n\
            - one *item*\n- two\n\n> A quote.\n\nشكرا جزيلا, ありがとうございます。";
        let rich = crate::markup::render(markdown, false).unwrap().rich;
        for name in crate::theme::built_in_names() {
            let theme = crate::theme::load(root.path(), name).unwrap();
            let size = CardSize::named("a6", 300).unwrap();
            let laid = crate::layout::layout(&theme, content_of(&rich), boxes(&theme, size).frame(size)).unwrap();
            let seal = crate::seal::SealSpec::default();
            let mut plain = card_svg(&theme, size, &card_content(&laid, &seal)).unwrap();
            let mut card = card_svg_lettered(&theme, size, &card_content(&laid, &seal)).unwrap();
            assert_eq!((&card.full, &card.top), (&plain.full, &plain.top), "{name}: the same card");
            let lettered = card.lettered.as_ref().unwrap_or_else(|| panic!("{name}: no text set as glyph runs"));
            let texts = |svg: &str| svg.matches("<text ").count();
            let (left, all) = (texts(&lettered.top), texts(plain.top.as_deref().unwrap()));
            // The Arabic line (right to left) is left to usvg, every other text is set.
            assert_eq!(left, 1, "{name}: {left} of {all} texts left to usvg");
            assert!(lettered.top.contains("شكرا"), "{name}");
            assert!(!lettered.top.contains("class=\"waxseal\""), "{name}: the seal is only placed");
            assert!(lettered.seal.contains("class=\"waxseal\""), "{name}: the seal, to draw it");
            let underlined = lettered.runs.iter().filter(|r| r.underline.is_some()).count();
            assert_eq!(underlined, 1, "{name}: the link is underlined");
            let (usvg_set, set) =
                (parse_card(&theme, &mut plain, false).unwrap(), parse_card(&theme, &mut card, false).unwrap());
            assert!(card.lettered.is_some(), "{name}: the runs are kept for the tree without their texts");
            let want = rasterize_layered(&BaseCache::default(), &theme, &plain, &usvg_set, size.width).unwrap().pixmap;
            // Its seal drawn from its own SVG, then kept and placed again.
            let cache = BaseCache::default();
            let got = rasterize_layered(&cache, &theme, &card, &set, size.width).unwrap().pixmap;
            let again = rasterize_layered(&cache, &theme, &card, &set, size.width).unwrap().pixmap;
            assert!(again.data() == got.data(), "{name}: drawn again from the kept seal");
            // The same glyphs at the same pens: the same pictures, the same pixels.
            let differ = want.data().iter().zip(got.data()).filter(|(a, b)| a != b).count();
            assert_eq!(differ, 0, "{name}: {differ} bytes differ");
        }
    }

    #[test]
    fn a_card_drawn_a_band_at_a_time_is_the_card_drawn_whole() {
        let root = tempfile::tempdir().unwrap();
        // Glyph pictures, emoji, an underline, a quote's rule, a list's
        // markers and a seal; then a line left to resvg (right to left).
        let text = "Made with *love* by **Bev** 🍫 ❤️, [our shop](https://example.org).\n\n\
            - one *item*\n- two\n\n> A quote.\n\nありがとうございます。";
        let mut filled = 0;
        for (markdown, exact) in [(text.to_string(), true), (format!("{text}\n\nشكرا جزيلا"), false)] {
            let rich = crate::markup::render(&markdown, false).unwrap().rich;
            for name in crate::theme::built_in_names() {
                let theme = crate::theme::load(root.path(), name).unwrap();
                for size in ["a6", "5x7"] {
                    let size = CardSize::named(size, 300).unwrap();
                    let frame = boxes(&theme, size).frame(size);
                    let laid = crate::layout::layout(&theme, content_of(&rich), frame).unwrap();
                    let seal = crate::seal::SealSpec::default();
                    let mut card = card_svg_lettered(&theme, size, &card_content(&laid, &seal)).unwrap();
                    let tree = parse_card(&theme, &mut card, false).unwrap();
                    let cache = BaseCache::default();
                    // The first card over a base reads it for itself; the next keep it.
                    rasterize_layered(&cache, &theme, &card, &tree, size.width).unwrap();
                    let whole = rasterize_layered(&cache, &theme, &card, &tree, size.width).unwrap();
                    let layers::Layered::Top { base: layers::Base::Kept(under), ink } =
                        layers::layered_card(&cache, &theme, &card, &tree, size.width).unwrap()
                    else {
                        panic!("{name}: drawn in layers over a kept base")
                    };
                    filled += ink.filled_rows().count();
                    let (png, pixels) = bands::draw_in_bands(&under, &ink, Some(300), true)
                        .unwrap_or_else(|| panic!("{name}: an opaque card of many colours"));
                    let want = encode_png_over(&whole.pixmap, whole.under.as_deref(), Some(300), false);
                    let pixels = pixels.expect("the card's pixels asked for");
                    if exact {
                        assert!(png == want, "{name} {}: the same PNG", size.width);
                        assert!(pixels.data() == whole.pixmap.data(), "{name}: the same pixels");
                    } else {
                        // A text left to resvg is drawn through the band's
                        // origin: an edge pixel may come out a level apart.
                        let (got, want) = (decoded(&png), decoded(&want));
                        let apart = got.iter().zip(&want).filter(|(a, b)| a != b).count();
                        let most = got.iter().zip(&want).map(|(a, b)| a.abs_diff(*b)).max().unwrap_or(0);
                        assert!(
                            most <= 1 && apart * 10_000 < got.len(),
                            "{name}: {apart} bytes apart, by up to {most}"
                        );
                    }
                }
            }
        }
        assert!(filled > 0, "paths filled (underlines, rules), drawn in bands not cut through them");
    }

    /// A PNG's pixels, as the png crate decodes them.
    fn decoded(png: &[u8]) -> Vec<u8> {
        let mut reader = png::Decoder::new(std::io::Cursor::new(png)).read_info().unwrap();
        let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
        let frame = reader.next_frame(&mut pixels).unwrap();
        pixels.truncate(frame.buffer_size());
        pixels
    }

    #[test]
    fn a_thumbnail_made_from_its_card_looks_like_the_card_drawn_small() {
        let root = tempfile::tempdir().unwrap();
        let rich = crate::markup::render("Made with *love* by **Beverly** 🍫, our very own craft genius.", false)
            .unwrap()
            .rich;
        let theme = crate::theme::load(root.path(), "kraft").unwrap();
        let size = CardSize::named("a6", 300).unwrap();
        let seal = crate::seal::SealSpec::default();
        let card = thank_you_card(&theme, size, &rich, &seal);
        let tree = parse(&theme, &card.full).unwrap();
        let cache = BaseCache::default();
        let drawn = rasterize_layered(&cache, &theme, &card, &tree, size.width).unwrap();
        let small = shrink_card(&drawn, 360);
        assert_eq!(cache.seals_drawn(), 1, "one seal drawn, for the card");
        let direct = rasterize_layered(&BaseCache::default(), &theme, &card, &tree, 360).unwrap().pixmap;
        assert_eq!((small.pixmap.width(), small.pixmap.height()), (direct.width(), direct.height()));
        // Averaging the wide card, or anti-aliasing the small one: alike
        // within a few levels on average, more on the edges of letters.
        let pairs = || small.pixmap.data().iter().zip(direct.data()).map(|(a, b)| (*a as i32 - *b as i32).abs());
        let (sum, worst) = (pairs().sum::<i32>(), pairs().max().unwrap());
        let mean = sum as f64 / (direct.data().len() as f64);
        assert!(mean < 2.0, "mean difference {mean}");
        assert!(worst <= 160, "worst difference {worst}");
        // Over its base made as small, once.
        let again = shrink_card(&drawn, 360);
        let (a, b) = (small.under.unwrap(), again.under.unwrap());
        assert!(std::sync::Arc::ptr_eq(&a, &b), "the base is made small once");
    }

    #[test]
    fn every_line_of_text_sits_on_a_whole_pixel() {
        let root = tempfile::tempdir().unwrap();
        let theme = crate::theme::load(root.path(), "kraft").unwrap();
        let rich = crate::markup::render("One *two* **three**.\n\n> four\n\n- five\n- six", false).unwrap().rich;
        let size = CardSize::named("a6", 300).unwrap();
        let b = boxes(&theme, size);
        assert!(b.text_box.y.fract() != 0.0, "a text box that starts within a pixel");
        let laid = crate::layout::layout(&theme, content_of(&rich), b.frame(size)).unwrap();
        let svg = text_svg(&theme, &laid, b.text_box.x, b.text_box.y, &[]);
        let ys: Vec<&str> =
            svg.split("<text ").skip(1).filter_map(|t| t.split("y=\"").nth(1)?.split('"').next()).collect();
        assert!(ys.len() >= 6, "{ys:?}");
        assert!(ys.iter().all(|y| y.ends_with(".00")), "{ys:?}");
    }

    #[test]
    fn a_card_whose_layers_need_the_rest_of_it_is_parsed_whole() {
        let layers = [
            ("text", "<g id=\"t\"><text fill=\"url(#ink)\">x</text></g>".to_string()),
            ("seal", String::new()),
            ("qr", String::new()),
        ];
        let marked =
            |body: &str| format!("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"9\" height=\"9\">{body}</svg>");
        let all = format!("{}{}{}", marks::mark("text"), marks::mark("seal"), marks::mark("qr"));
        let defs = "<defs><linearGradient id=\"ink\"/></defs>";
        assert!(marks::top_svg(&marked(&format!("{defs}{all}")), &layers).is_none(), "a gradient of the artwork");
        let own = [
            ("text", "<g><rect id=\"ink\"/><text fill=\"url(#ink)\">x</text></g>".to_string()),
            ("seal", String::new()),
            ("qr", String::new()),
        ];
        assert!(marks::top_svg(&marked(&format!("{defs}{all}")), &own).is_some(), "its own");
        assert!(marks::top_svg(&marked(&format!("<g>{all}</g>")), &own).is_none(), "inside a group");
        assert!(marks::top_svg(&marked(&format!("{all}<rect/>")), &own).is_none(), "drawn over");
        assert!(
            marks::top_svg(&marked(&format!("<style>text {{ fill: red }}</style>{all}")), &own).is_none(),
            "a style sheet"
        );
    }

    #[test]
    fn a_template_that_draws_a_layer_twice_is_run_as_it_sees_it() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("themes/loud");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("theme.yaml"), "extends: minimal\n").unwrap();
        let template = r#"<svg xmlns="http://www.w3.org/2000/svg" width="{{ card.width }}" height="{{ card.height }}"><title>{{ title }}</title><desc>{{ alt }}</desc>{{ text | safe }}{{ seal | safe }}{{ seal | safe }}</svg>"#;
        std::fs::write(dir.join("card.svg"), template).unwrap();
        let theme = crate::theme::load(root.path(), "loud").unwrap();
        let rich = crate::markup::render("Hello there.", false).unwrap().rich;
        let size = CardSize::named("a6", 150).unwrap();
        let laid = crate::layout::layout(&theme, content_of(&rich), boxes(&theme, size).frame(size)).unwrap();
        let seal = crate::seal::SealSpec::default();
        let content = card_content(&laid, &seal);
        let card = card_svg(&theme, size, &content).unwrap();
        assert!(!card.full.contains('\u{e000}') && !card.base.contains('\u{e000}'));
        assert_eq!(card.full.matches(&format!("<g id=\"{SEAL_ID}\"")).count(), 2);
        assert_eq!((card.full, card.base), card_svg_run_twice(&theme, size, &content));
    }

    #[test]
    fn cards_with_the_same_artwork_share_one_run_of_the_template_and_keep_their_own_words() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("themes/words");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("theme.yaml"), "extends: minimal\n").unwrap();
        let template = r#"<svg xmlns="http://www.w3.org/2000/svg" width="{{ card.width }}" height="{{ card.height }}"><title>{{ title }}</title><desc>{{ alt }}</desc>{% if title %}<g aria-label="{{ title }}"/>{% else %}<g class="untitled"/>{% endif %}<!-- {{ alt | safe }} -->{{ text | safe }}{{ seal | safe }}{{ qr | safe }}</svg>"#;
        std::fs::write(dir.join("card.svg"), template).unwrap();
        let upper = root.path().join("themes/upper");
        std::fs::create_dir_all(&upper).unwrap();
        std::fs::write(upper.join("theme.yaml"), "extends: minimal\n").unwrap();
        std::fs::write(upper.join("card.svg"), template.replace("<title>{{ title }}", "<title>{{ title | upper }}"))
            .unwrap();
        let rich = crate::markup::render("Hello there.", false).unwrap().rich;
        let size = CardSize::named("a7", 150).unwrap();
        let seal = crate::seal::SealSpec::default();
        for name in ["words", "upper"] {
            let theme = crate::theme::load(root.path(), name).unwrap();
            let laid = crate::layout::layout(&theme, content_of(&rich), boxes(&theme, size).frame(size)).unwrap();
            for (title, alt) in [("Tea & <cake>", "Ben's \"note\" & more"), ("", "x"), ("Plain", "")] {
                let content = CardContent { title: Some(title), alt, ..card_content(&laid, &seal) };
                let card = card_svg(&theme, size, &content).unwrap();
                assert_eq!((card.full, card.base), card_svg_run_twice(&theme, size, &content), "{name}: {title:?}");
            }
        }
        // The words theme ran its template once for the titled cards and once for the untitled.
        let theme = crate::theme::load(root.path(), "words").unwrap();
        let laid = crate::layout::layout(&theme, content_of(&rich), boxes(&theme, size).frame(size)).unwrap();
        let runs = std::cell::Cell::new(0);
        for (title, alt) in [("One", "a"), ("Two & three", "b"), ("", "c"), ("", "d")] {
            let content = CardContent { title: Some(title), alt, ..card_content(&laid, &seal) };
            let (mut context, _, artwork) = card_context(&theme, size, &content, 0.0, (&[], false)).unwrap();
            let out = marks::run_once(&theme, &mut context, (&artwork, [title, alt]), |c| {
                runs.set(runs.get() + 1);
                render_card(&theme, c)
            })
            .unwrap();
            assert!(out.contains(&format!("<desc>{alt}</desc>")), "{out}");
        }
        assert_eq!(runs.get(), 2);
    }

    fn content_of(rich: &crate::markup::RichText) -> Content<'_> {
        Content {
            title: Some("Thank you"),
            text: rich,
            signature: Some("with love, Bev"),
            lang: None,
            pictures: &[],
            signed: None,
        }
    }

    fn card_content<'a>(laid: &'a Layout, seal: &'a crate::seal::SealSpec) -> CardContent<'a> {
        CardContent {
            title: Some("Thank you & <more>"),
            layout: laid,
            seal,
            seed: 7,
            alt: "x",
            qr: None,
            pictures: &[],
            logo: None,
            room: 1.0,
        }
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
                let decoded = tiny_skia::Pixmap::decode_png(&encode_png(&pixmap, Some(300), optimize)).unwrap();
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
                    let layered = rasterize_layered(&cache, &theme, &card, &tree, width).unwrap().pixmap;
                    // The text is drawn from glyph pictures, a glyph within an eighth of a pixel of
                    // where resvg puts it (render::glyphs tests that): compared where it draws nothing.
                    let text = tree.root().children().iter().find(|n| n.id() == TEXT_ID).unwrap();
                    let mut ink = tiny_skia::Pixmap::new(whole.width(), whole.height()).unwrap();
                    layers::draw_node(text, width as f32 / tree.size().width(), 0, &mut ink);
                    // A glyph moved by an eighth of a pixel may ink the pixel beside resvg's ink.
                    let (w, h) = (ink.width() as i64, ink.height() as i64);
                    let inked = |x: i64, y: i64| ink.pixel(x.clamp(0, w - 1) as u32, y.clamp(0, h - 1) as u32);
                    let near = |i: usize| {
                        let (x, y) = (i as i64 % w, i as i64 / w);
                        (-1..=1).any(|dy| (-1..=1).any(|dx| inked(x + dx, y + dy).is_some_and(|p| p.alpha() > 0)))
                    };
                    let pairs = whole.pixels().iter().zip(layered.pixels()).enumerate();
                    let bare = pairs.filter(|(i, _)| !near(*i)).map(|(_, pair)| pair);
                    // The seal is composited from its own layer: rounding may move a channel a little
                    // (twice over where a translucent glint lies on the wax: up to 6 levels).
                    let channels = |p: &tiny_skia::PremultipliedColorU8| [p.red(), p.green(), p.blue(), p.alpha()];
                    let worst = bare
                        .flat_map(|(a, b)| channels(a).into_iter().zip(channels(b)).map(|(a, b)| a.abs_diff(b)))
                        .max()
                        .unwrap();
                    assert!(worst <= 6, "{name} {size_name} at {width} px differs by {worst} when layered");
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
                let text = Content {
                    title: Some("Hi"),
                    text: &rich,
                    signature: Some("Bev"),
                    lang: None,
                    pictures: &[],
                    signed: None,
                };
                let laid = layout::layout(&theme, text, frame).unwrap();
                let seal = crate::seal::SealSpec::default();
                let content = CardContent {
                    title: Some("Hi"),
                    layout: &laid,
                    seal: &seal,
                    seed: 3,
                    alt: "x",
                    qr: None,
                    pictures: &[],
                    logo: None,
                    room: 1.0,
                };
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
    fn text_laid_out_from_the_text_alone_is_outlined_as_from_the_whole_card() {
        let root = tempfile::tempdir().unwrap();
        // With an emoji, a colour glyph the outline writer leaves to usvg's
        // writer, which then gets the whole card.
        for (text, name) in ["Made with *love* by **Bev**, and\n\n- one\n- two", "Made with love 🌿"]
            .into_iter()
            .flat_map(|text| crate::theme::built_in_names().into_iter().map(move |name| (text, name)))
        {
            let rich = crate::markup::render(text, false).unwrap().rich;
            let theme = crate::theme::load(root.path(), name).unwrap();
            let size = CardSize::named("a7", 150).unwrap();
            let seal =
                crate::seal::SealSpec { emblem: "monogram".into(), initials: Some("BW".into()), ..Default::default() };
            let card = thank_you_card(&theme, size, &rich, &seal);
            let text = crate::svg::outlines::text_only(&card.full).unwrap();
            assert!(text.len() < card.full.len() && text.contains("BW"), "{name}: the shapes are left out");
            let whole = standalone_svg(&theme, &card.full, &parse(&theme, &card.full).unwrap());
            assert_eq!(standalone_from_text(&theme, &card.full).unwrap(), whole, "{name}");
        }
        assert_eq!(
            crate::svg::outlines::text_only("<svg xmlns=\"http://www.w3.org/2000/svg\"><circle r=\"1\"/></svg>"),
            None
        );
    }

    #[test]
    fn standalone_svg_draws_the_card_without_any_font() {
        let root = tempfile::tempdir().unwrap();
        let text = "Made with *love* ❤️ by **Bev**, see [our shop](https://example.org).\n\n\
                    > A quote, *quoted* 🍫.\n\n- one\n- two\n\n---\n\nThe end.";
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
            // The emoji: a colour glyph's layers, defined once (not usvg's writer).
            assert!(standalone.contains("<g id=\"wg"), "{name}: no colour glyph defined");
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
        let mut png = encode_png(&tiny_skia::Pixmap::new(1, 1).unwrap(), Some(300), false);
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
        assert!(matches!(e, RenderError::ImageTooLarge(100_000, 100_000, _)), "{e}");
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
                pictures: &[],
                signed: None,
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
