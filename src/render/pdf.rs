//! Print PDFs: a card as vector PDF for a print shop (`card.pdf`), and pages
//! of cards for `waxseal print`. The card's own SVG is drawn by krilla, so
//! text stays text (selectable, found by search) in embedded subset fonts.
//!
//! Page geometry is in PostScript points (1/72 in), y down, as krilla
//! draws. A card's page is its trim size plus the bleed on every side, with
//! TrimBox and BleedBox set; its paper runs on into the bleed (the theme's
//! card.svg draws it there, see `card.bleed`), and the page grows by room
//! for crop marks when they are asked for.
//!
//! # Why the card is parsed twice
//!
//! krilla-svg, the maintained converter of a usvg tree to PDF, takes a tree
//! of usvg 0.47; waxseal draws its PNGs with usvg/resvg 0.49. So the card's
//! SVG (the same string the PNG is drawn from, with its viewport grown by
//! the bleed) is parsed a second time, with usvg 0.47 and the theme's own
//! fonts, for the PDF. Moving the whole project back to 0.47 would give one
//! tree, at a cost: usvg 0.47 shapes text with rustybuzz while the layout
//! measures with harfrust (the shaper of 0.49), so either the layout would
//! have to measure with an older shaper or the two could drift apart; the
//! golden images would have to be made again; and the fixes of two resvg
//! releases would go. Two parses cost little instead: each piece of a line
//! is placed at the x the layout measured, so only glyph advances inside a
//! piece come from the other shaper, and both are ports of HarfBuzz (a test
//! compares the PDF drawn by poppler with the PNG). When krilla-svg takes
//! the project's usvg, the second parse goes and the PNG's tree is drawn.
//!
//! This module only turns SVG into PDF bytes: what to draw comes from
//! render, where it goes is output's business.

use std::sync::{Arc, OnceLock};

use std::num::NonZeroU16;

use krilla::color::separation::{SeparationColorant, SeparationSpace};
use krilla::configure::{Accessibility, Archival, ConfigurationBuilder};
use krilla::geom::{PathBuilder, Rect, Size, Transform};
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{FillRule, LineCap, Stroke};
use krilla::surface::Surface;
use krilla::tagging::{Artifact, ArtifactType, ContentTag, ListNumbering, Node, SpanTag, Tag, TagGroup, TagTree};
use krilla::{Document, SerializeSettings};
use krilla_svg::{SurfaceExt, SvgSettings};
use resvg::usvg::roxmltree;
use usvg_print as usvg;

use crate::config::PrintConfig;
use crate::render::parts::Block;
use crate::render::PrintSvg;
use crate::size::CardSize;
use crate::theme::Theme;

/// Points per millimetre.
pub const MM: f32 = 72.0 / 25.4;

/// Crop marks start this far beyond the bleed, so a cut a little outside
/// the bleed does not touch them.
pub(crate) const MARK_OFFSET: f32 = 2.0 * MM;
/// How long a crop mark is.
pub(crate) const MARK_LENGTH: f32 = 5.0 * MM;
/// Paper left beyond a crop mark's end.
const MARK_MARGIN: f32 = 1.0 * MM;
/// The width of a crop mark's line: the usual hairline of print shops.
const MARK_WIDTH: f32 = 0.25;

/// Why a card's PDF could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// The card's SVG did not parse (for the PDF's usvg).
    #[error("the card's SVG cannot be read for the PDF: {0}")]
    Svg(String),
    /// krilla refused the document (a font it cannot embed).
    #[error("the PDF cannot be written: {0}")]
    Write(String),
}

/// A theme's fonts and SVG options for the PDF's usvg, made the first time
/// a PDF is made with the theme (a build without PDFs never makes them).
#[derive(Default)]
pub struct PrintFonts(OnceLock<usvg::Options<'static>>);

impl PrintFonts {
    /// The options, with the theme's fonts in the order theme.rs loads them
    /// for the PNG (so a family resolves to the same face) and nothing from
    /// the system or the disk.
    fn options(&self, theme: &Theme) -> &usvg::Options<'static> {
        self.0.get_or_init(|| {
            let mut db = usvg::fontdb::Database::new();
            for face in theme.faces.values().chain(&theme.fallbacks) {
                // The database shares the bytes the theme already holds.
                db.load_font_source(usvg::fontdb::Source::Binary(face.data.shared()));
            }
            usvg::Options {
                image_href_resolver: usvg::ImageHrefResolver {
                    resolve_data: usvg::ImageHrefResolver::default_data_resolver(),
                    resolve_string: Box::new(|_, _| None),
                },
                font_family: String::new(),
                fontdb: Arc::new(db),
                ..usvg::Options::default()
            }
        })
    }
}

/// A card made ready for a PDF: its SVG, bleed included, parsed.
pub struct PrintCard {
    /// Its artwork, text and seal.
    art: Art,
    /// The message as plain text: the alt text of a card drawn whole.
    alt: String,
    /// Its size as cut, in points.
    trim: (f32, f32),
    /// How far its artwork runs past the cut, in points.
    bleed: f32,
    /// Its pixels per inch (filters are drawn as pictures at this resolution).
    ppi: f32,
}

/// A card's SVG parsed whole (untagged but as a figure), or in parts.
enum Art {
    Whole(Box<usvg::Tree>),
    Parts(Box<PrintParts>),
}

/// A card's artwork, blocks of text and seal, each parsed.
struct PrintParts {
    base: usvg::Tree,
    blocks: Vec<(Block, usvg::Tree, String)>,
    seal: usvg::Tree,
    seal_alt: String,
}

impl PrintCard {
    /// Parses a card's print SVG (drawn `svg.bleed` pixels past each edge),
    /// refusing, as for the PNG, artwork that refers to anything outside it.
    pub fn new(theme: &Theme, size: CardSize, svg: &PrintSvg) -> Result<PrintCard, PdfError> {
        crate::render::check_references(&svg.svg).map_err(|e| PdfError::Svg(e.to_string()))?;
        let edge = (!svg.draws_bleed).then_some(theme.spec.palette.paper_edge.as_str());
        let fonts = theme.caches.get_or_default::<PrintFonts>();
        let (px, bleed) = ((size.width as f32, size.height as f32), svg.bleed);
        let parse = |source: &str, edge: Option<&str>| -> Result<usvg::Tree, PdfError> {
            let grown = grow_viewport(source, px, bleed, edge).map_err(PdfError::Svg)?;
            usvg::Tree::from_str(&grown, fonts.options(theme)).map_err(|e| PdfError::Svg(e.to_string()))
        };
        let art = match &svg.parts {
            Some(p) => Art::Parts(Box::new(PrintParts {
                base: parse(&p.base, edge)?,
                blocks: p
                    .blocks
                    .iter()
                    .map(|(b, svg, text)| Ok((*b, parse(svg, None)?, text.clone())))
                    .collect::<Result<_, PdfError>>()?,
                seal: parse(&p.seal, None)?,
                seal_alt: p.seal_alt.clone(),
            })),
            None => Art::Whole(Box::new(parse(&svg.svg, edge)?)),
        };
        let (trim, bleed) = (size.trim_points(), svg.bleed / size.ppi * 72.0);
        Ok(PrintCard { art, alt: svg.alt.clone(), trim, bleed, ppi: size.ppi })
    }

    /// Its size as cut, in points.
    pub fn trim(&self) -> (f32, f32) {
        self.trim
    }

    /// Draws the card with its cut at `(x, y)`, its artwork clipped to
    /// `clip`, and returns its structure, in reading order: the nodes of
    /// the document's tag tree its text and seal make.
    fn draw(&self, surface: &mut Surface, x: f32, y: f32, clip: Rect) -> Vec<Node> {
        let b = self.bleed;
        let (w, h) = self.trim;
        surface.push_clip_path(&rect_path(clip), &FillRule::NonZero);
        surface.push_transform(&Transform::from_translate(x - b, y - b));
        let settings = SvgSettings { embed_text: true, filter_scale: self.ppi / 72.0 };
        let size = Size::from_wh(w + 2.0 * b, h + 2.0 * b).expect("cards have a size");
        // It draws what it can; there is no failure to report.
        let draw = |surface: &mut Surface, tree: &usvg::Tree, tag: ContentTag| {
            let id = surface.start_tagged(tag);
            let _ = surface.draw_svg(tree, size, settings);
            surface.end_tagged();
            id
        };
        let decoration = ContentTag::Artifact(Artifact::with_kind(ArtifactType::Layout));
        let nodes = match &self.art {
            Art::Whole(tree) => {
                let id = draw(surface, tree, ContentTag::Other);
                vec![TagGroup::with_children(Tag::Figure(Some(self.alt.clone())), vec![id.into()]).into()]
            }
            Art::Parts(parts) => {
                draw(surface, &parts.base, decoration);
                let mut text = Structure::default();
                for (block, tree, words) in &parts.blocks {
                    if *block == Block::Ornament {
                        draw(surface, tree, decoration);
                    } else if *block == Block::Figure {
                        let id = draw(surface, tree, ContentTag::Other);
                        text.push(*block, id.into(), words);
                    } else {
                        let id = draw(surface, tree, ContentTag::Span(SpanTag::empty()));
                        text.push(*block, id.into(), words);
                    }
                }
                let seal = draw(surface, &parts.seal, ContentTag::Other);
                let mut nodes = text.finish();
                nodes
                    .push(TagGroup::with_children(Tag::Figure(Some(parts.seal_alt.clone())), vec![seal.into()]).into());
                nodes
            }
        };
        surface.pop();
        surface.pop();
        nodes
    }
}

/// A card's text as the tag tree's nodes: a heading, paragraphs, lists of
/// items, quotes; made block by block.
#[derive(Default)]
struct Structure {
    nodes: Vec<Node>,
    /// The list being made, while its items come.
    list: Option<TagGroup>,
}

impl Structure {
    /// Adds the block whose content is `content`, and whose text is `words`.
    fn push(&mut self, block: Block, content: Node, words: &str) {
        if block == Block::ListItem {
            let item =
                TagGroup::with_children(Tag::LI, vec![TagGroup::with_children(Tag::LBody, vec![content]).into()]);
            self.list.get_or_insert_with(|| TagGroup::new(Tag::L(ListNumbering::None))).push(item);
            return;
        }
        self.end_list();
        let group = match block {
            Block::Title => TagGroup::with_children(Tag::Hn(NonZeroU16::MIN, Some(words.into())), vec![content]),
            Block::Heading => {
                TagGroup::with_children(Tag::Hn(NonZeroU16::new(2).expect("2"), Some(words.into())), vec![content])
            }
            Block::Figure => TagGroup::with_children(Tag::Figure(Some(words.into())), vec![content]),
            Block::Quote => {
                TagGroup::with_children(Tag::BlockQuote, vec![TagGroup::with_children(Tag::P, vec![content]).into()])
            }
            _ => TagGroup::with_children(Tag::P, vec![content]),
        };
        self.nodes.push(group.into());
    }

    fn end_list(&mut self) {
        if let Some(list) = self.list.take() {
            self.nodes.push(list.into());
        }
    }

    fn finish(mut self) -> Vec<Node> {
        self.end_list();
        self.nodes
    }
}

/// What a PDF says of itself.
pub struct PdfInfo<'a> {
    /// Its title (the card's, or the sheets').
    pub title: &'a str,
    /// Its language, a language tag.
    pub lang: &'a str,
    /// Its date (year, month, day): the card's; a PDF/A must have one, so
    /// an undated card's is the day it is built (see
    /// [`crate::config::build_date`]).
    pub date: jiff::civil::Date,
}

/// A card's print PDF: one page of its trim size plus the bleed (plus room
/// for crop marks when `print.marks`), TrimBox and BleedBox set.
pub fn card_pdf(card: &PrintCard, print: &PrintConfig, info: &PdfInfo) -> Result<Vec<u8>, PdfError> {
    let (w, h) = card.trim;
    let bleed = print.bleed.points() as f32;
    let margin = if print.marks { bleed + MARK_OFFSET + MARK_LENGTH + MARK_MARGIN } else { bleed };
    let trim = Rect::from_xywh(margin, margin, w, h).expect("cards have a size");
    let bleed_box = outset(trim, bleed);
    let page = Size::from_wh(w + 2.0 * margin, h + 2.0 * margin).expect("cards have a size");
    let settings = PageSettings::new(page).with_trim_box(Some(trim)).with_bleed_box(Some(bleed_box));
    conforming(|level| {
        let mut document = document(info, Some(&card.alt), level);
        let mut tree = TagTree::new();
        {
            let mut page = document.start_page_with(settings.clone());
            let mut surface = page.surface();
            for node in card.draw(&mut surface, margin, margin, bleed_box) {
                tree.push(node);
            }
            if print.marks {
                draw_marks(&mut surface, &crop_marks(trim, bleed));
            }
            surface.finish();
            page.finish();
        }
        document.set_tag_tree(tree);
        document
    })
}

/// One page of a sheet PDF: cards placed on it, and its cut marks.
pub struct SheetPage<'a> {
    /// The page's size in points.
    pub size: (f32, f32),
    /// Each card, with where its cut goes (x, y of its top left corner) and
    /// what of its artwork shows.
    pub cards: Vec<(&'a PrintCard, (f32, f32), Rect)>,
    /// Cut marks: lines from (x0, y0) to (x1, y1).
    pub marks: Vec<[f32; 4]>,
}

/// A PDF of pages of cards.
pub fn sheets_pdf(pages: &[SheetPage], info: &PdfInfo) -> Result<Vec<u8>, PdfError> {
    conforming(|level| {
        let mut document = document(info, None, level);
        let mut tree = TagTree::new();
        for sheet in pages {
            let size = Size::from_wh(sheet.size.0, sheet.size.1).expect("sheets have a size");
            let mut page = document.start_page_with(PageSettings::new(size));
            let mut surface = page.surface();
            for (card, (x, y), clip) in &sheet.cards {
                // Each card a part of the document, in the order they are cut.
                tree.push(TagGroup::with_children(Tag::Part, card.draw(&mut surface, *x, *y, *clip)));
            }
            draw_marks(&mut surface, &sheet.marks);
            surface.finish();
            page.finish();
        }
        document.set_tag_tree(tree);
        document
    })
}

/// The standards a PDF is checked against as it is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    /// PDF/A-2a and PDF/UA-1: for print and for screen readers.
    Accessible,
    /// PDF/A-2b: for print. Still tagged, but some of its text does not map
    /// back to characters (krilla cannot tell which of an Arabic word's
    /// glyphs are which letters), which PDF/A-2a and PDF/UA-1 forbid.
    Archival,
}

/// The bytes of the document `make` makes, at the best level it passes.
fn conforming(make: impl Fn(Level) -> Document) -> Result<Vec<u8>, PdfError> {
    let written = |level| make(level).finish();
    match written(Level::Accessible) {
        Err(krilla::error::KrillaError::Validation(_)) => written(Level::Archival),
        done => done,
    }
    .map_err(|e| PdfError::Write(format!("{e:?}")))
}

/// A new document as `info` says, described as `alt`, with a bookmark
/// of its title to its first page: no clock or anything else that changes
/// between two runs, so the same card gives the same bytes.
///
/// At [`Level::Accessible`] it is PDF/A-2a and PDF/UA-1, checked by krilla
/// as it is written: what a
/// print shop's preflight asks for (every colour in sRGB, which the output
/// intent names; fonts embedded) and what a screen reader needs (the text
/// tagged in reading order, the artwork marked as such, alt text for the
/// seal, the language and title).
fn document(info: &PdfInfo, alt: Option<&str>, level: Level) -> Document {
    let configuration = match level {
        Level::Accessible => ConfigurationBuilder::new()
            .with_archival_validator(Archival::A2_A)
            .with_accessibility_validator(Accessibility::UA1),
        Level::Archival => ConfigurationBuilder::new().with_archival_validator(Archival::A2_B),
    }
    .finish()
    .expect("PDF/A-2 and PDF/UA-1 share PDF 1.7");
    let settings = SerializeSettings {
        render_svg_glyph_fn: krilla_svg::render_svg_glyph,
        configuration,
        enable_tagging: true,
        ..SerializeSettings::default()
    };
    let mut document = Document::new_with(settings);
    let (year, month, day) = (info.date.year(), info.date.month(), info.date.day());
    let date = krilla::metadata::DateTime::new(year.max(0) as u16).month(month as u8).day(day as u8);
    let mut metadata = krilla::metadata::Metadata::new()
        .title(info.title.to_string())
        .language(info.lang.to_string())
        .creation_date(date)
        .creator("waxseal".to_string());
    if let Some(alt) = alt {
        metadata = metadata.description(alt.to_string());
    }
    document.set_metadata(metadata);
    let mut outline = krilla::outline::Outline::new();
    let top = krilla::destination::XyzDestination::new(0, krilla::geom::Point::from_xy(0.0, 0.0));
    outline.push_child(krilla::outline::OutlineNode::new(info.title.to_string(), top));
    document.set_outline(outline);
    document
}

/// The eight crop marks of a card cut at `trim`: at each corner, one along
/// each edge, outside the bleed.
pub fn crop_marks(trim: Rect, bleed: f32) -> Vec<[f32; 4]> {
    let (near, far) = (bleed + MARK_OFFSET, bleed + MARK_OFFSET + MARK_LENGTH);
    let mut marks = Vec::new();
    for (x, out_x) in [(trim.left(), -1.0), (trim.right(), 1.0)] {
        for (y, out_y) in [(trim.top(), -1.0), (trim.bottom(), 1.0)] {
            marks.push([x + out_x * near, y, x + out_x * far, y]);
            marks.push([x, y + out_y * near, x, y + out_y * far]);
        }
    }
    marks
}

/// Strokes cut marks as hairlines in the registration colour (every ink of
/// the press), as print shops expect them, marked as the page's artifacts.
fn draw_marks(surface: &mut Surface, marks: &[[f32; 4]]) {
    if marks.is_empty() {
        return;
    }
    surface.start_tagged(ContentTag::Artifact(Artifact::with_kind(ArtifactType::Page)));
    // Black in sRGB for viewers: PDF/A allows no device CMYK beside an
    // sRGB output intent; the press still prints it on every plate.
    let registration =
        SeparationSpace::new(SeparationColorant::AllColorants, krilla::color::rgb::Color::black().into());
    let color: krilla::color::Color = krilla::color::separation::Color::new(255, registration).into();
    surface.set_fill(None);
    surface.set_stroke(Some(Stroke {
        paint: color.into(),
        width: MARK_WIDTH,
        line_cap: LineCap::Butt,
        opacity: NormalizedF32::ONE,
        ..Stroke::default()
    }));
    let mut path = PathBuilder::new();
    for [x0, y0, x1, y1] in marks {
        path.move_to(*x0, *y0);
        path.line_to(*x1, *y1);
    }
    if let Some(path) = path.finish() {
        surface.draw_path(&path);
    }
    surface.set_stroke(None);
    surface.end_tagged();
}

fn rect_path(rect: Rect) -> krilla::geom::Path {
    let mut path = PathBuilder::new();
    path.push_rect(rect);
    path.finish().expect("a rectangle is a path")
}

/// `rect` grown by `by` on every side.
pub fn outset(rect: Rect, by: f32) -> Rect {
    Rect::from_ltrb(rect.left() - by, rect.top() - by, rect.right() + by, rect.bottom() + by)
        .expect("grown, not shrunk")
}

/// `svg` (a card of `size` pixels) with its root element's viewport grown
/// by `bleed` pixels on every side, so the PDF sees what the template drew
/// there. With `edge` (a colour), the bleed is first filled with it, under
/// everything: for a theme that draws nothing past the card's edge.
fn grow_viewport(svg: &str, size: (f32, f32), bleed: f32, edge: Option<&str>) -> Result<String, String> {
    if bleed <= 0.0 {
        return Ok(svg.to_string());
    }
    let options = roxmltree::ParsingOptions { allow_dtd: false, ..Default::default() };
    let doc = roxmltree::Document::parse_with_options(svg, options).map_err(|e| e.to_string())?;
    let root = doc.root_element();
    let (w, h) = size;
    // The viewBox maps the card's pixels to the template's units (the
    // built-in themes draw in pixels, viewBox 0 0 w h).
    let numbers: Vec<f32> = root
        .attribute("viewBox")
        .unwrap_or("")
        .split([' ', ','])
        .filter(|n| !n.is_empty())
        .filter_map(|n| n.parse().ok())
        .collect();
    let (vx, vy, vw, vh) = match numbers[..] {
        [x, y, vw, vh] if vw > 0.0 && vh > 0.0 => (x, y, vw, vh),
        _ => (0.0, 0.0, w, h),
    };
    let (bx, by) = (bleed * vw / w, bleed * vh / h);
    let values = [
        ("width", format!("{}", w + 2.0 * bleed)),
        ("height", format!("{}", h + 2.0 * bleed)),
        ("viewBox", format!("{} {} {} {}", vx - bx, vy - by, vw + 2.0 * bx, vh + 2.0 * by)),
    ];
    let mut edits: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    let start = root.range().start;
    let name_end = start + 1 + svg[start + 1..].find(|c: char| c.is_whitespace() || c == '>' || c == '/').unwrap_or(0);
    for (name, value) in &values {
        match root.attributes().find(|a| a.namespace().is_none() && a.name() == *name) {
            Some(attr) => edits.push((attr.range_value(), crate::svg::escape(value))),
            None => edits.push((name_end..name_end, format!(" {name}=\"{value}\""))),
        }
    }
    if let (Some(color), Some(first)) = (edge, root.first_child()) {
        let at = first.range().start;
        let frame = format!(
            "<path fill=\"{}\" fill-rule=\"evenodd\" d=\"M{} {}h{}v{}h{}zM{vx} {vy}h{vw}v{vh}h{}z\"/>",
            crate::svg::escape(color),
            vx - bx,
            vy - by,
            vw + 2.0 * bx,
            vh + 2.0 * by,
            -(vw + 2.0 * bx),
            -vw,
        );
        edits.push((at..at, frame));
    }
    edits.sort_by_key(|(range, _)| std::cmp::Reverse(range.start));
    let mut out = svg.to_string();
    for (range, text) in edits {
        out.replace_range(range, &text);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn the_pdfs_usvg_reads_no_file_even_when_asked_past_the_checks() {
        let root = tempfile::tempdir().unwrap();
        let theme = crate::theme::load(root.path(), "chocolate").unwrap();
        let file = root.path().join("secret.png");
        let pixmap = tiny_skia::Pixmap::new(4, 4).unwrap();
        std::fs::write(&file, crate::render::encode_png(&pixmap, Some(300), false)).unwrap();
        let fonts = theme.caches.get_or_default::<PrintFonts>();
        let options = fonts.options(&theme);
        for href in [file.to_string_lossy().into_owned(), format!("file://{}", file.display()), "secret.png".into()] {
            let svg = format!(
                r#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><image width="4" height="4" href="{href}"/></svg>"#
            );
            let tree = usvg::Tree::from_str(&svg, options).unwrap();
            assert_eq!(images(tree.root()), 0, "{href}");
        }
    }

    #[test]
    fn the_viewport_grows_by_the_bleed_in_the_templates_units() {
        let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100" viewBox="0 0 20 10"><rect width="20" height="10"/></svg>"#;
        let grown = grow_viewport(svg, (200.0, 100.0), 10.0, None).unwrap();
        assert!(grown.contains(r#"width="220" height="120" viewBox="-1 -1 22 12""#), "{grown}");
        // No viewBox, no size: they are added.
        let bare = r#"<svg xmlns="http://www.w3.org/2000/svg"><rect width="20" height="10"/></svg>"#;
        let grown = grow_viewport(bare, (20.0, 10.0), 2.0, None).unwrap();
        let doc = roxmltree::Document::parse(&grown).unwrap();
        let root = doc.root_element();
        assert_eq!(
            (root.attribute("width"), root.attribute("height"), root.attribute("viewBox")),
            (Some("24"), Some("14"), Some("-2 -2 24 14"))
        );
        assert_eq!(grow_viewport(svg, (200.0, 100.0), 0.0, None).unwrap(), svg, "no bleed, no change");
    }

    #[test]
    fn a_theme_that_draws_no_bleed_gets_its_paper_edge_there_under_everything() {
        let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10" viewBox="0 0 20 10"><rect width="20" height="10" fill="red"/></svg>"#;
        let grown = grow_viewport(svg, (20.0, 10.0), 2.0, Some("#f1e2c8")).unwrap();
        let frame = grown.find("<path fill=\"#f1e2c8\" fill-rule=\"evenodd\" d=\"M-2 -2h24v14h-24zM0 0h20v10h-20z\"/>");
        let rect = grown.find("<rect");
        assert!(frame.is_some() && frame < rect, "{grown}");
    }

    #[test]
    fn crop_marks_stay_outside_the_bleed() {
        let trim = Rect::from_xywh(30.0, 30.0, 100.0, 200.0).unwrap();
        let marks = crop_marks(trim, 9.0);
        assert_eq!(marks.len(), 8);
        let bleed = outset(trim, 9.0);
        for [x0, y0, x1, y1] in marks {
            // On a cut line, and wholly outside the bleed.
            assert!((x0 == x1 && [30.0, 130.0].contains(&x0)) || (y0 == y1 && [30.0, 230.0].contains(&y0)));
            let inside =
                |x: f32, y: f32| x >= bleed.left() && x <= bleed.right() && y >= bleed.top() && y <= bleed.bottom();
            assert!(!inside(x0, y0) && !inside(x1, y1), "{x0} {y0} {x1} {y1}");
        }
    }
}
