//! Markdown (after the body template ran) -> the card's rich text and the
//! card page's HTML.
//!
//! Both come from one comrak parse, so the PNG and the page always say the
//! same thing. The rich text is a flat list of blocks, each a list of styled
//! runs: what the layout engine needs and nothing more. This module knows no
//! fonts and no sizes.

use comrak::arena_tree::NodeEdge;
use comrak::nodes::{ListType, NodeValue};
use comrak::{Arena, Node, Options};

/// What a run of text means; the theme decides how each looks (its face,
/// colour and underline: `styles` in theme.yaml).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct RunStyle {
    /// Inside `*em*`.
    pub em: bool,
    /// Inside `**strong**`.
    pub strong: bool,
    /// Inside a link.
    pub link: bool,
    /// Inside a block quote.
    pub quote: bool,
}

/// A piece of text in one style. A run whose text is `"\n"` is a hard line break.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    /// The characters, with white space already collapsed.
    pub text: String,
    /// How they are set.
    pub style: RunStyle,
}

/// What a block is, which decides its font, spacing and indent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlockKind {
    /// Body text.
    Paragraph,
    /// `#` .. `######`: set in the display font.
    Heading(u8),
    /// A list item's first paragraph, with its marker (`•`, `2.`) hung in the margin.
    ListItem {
        /// The marker drawn before the text.
        marker: String,
    },
    /// A paragraph inside a list item after its first one.
    ListContinuation,
    /// A thematic break, drawn as an ornament.
    Rule,
    /// A picture, `![alt](file "=40% caption")`, drawn in the text flow.
    Picture(PictureRef),
    /// The caption under a picture (its title text), in the body's italic, centred.
    Caption,
}

/// A picture a message draws: `![alt](file "=40% caption")`. The title
/// text may start with a size hint, `=N%` (of the text's width); the rest
/// of it is the caption.
#[derive(Debug, Clone, PartialEq)]
pub struct PictureRef {
    /// The file, as written.
    pub src: String,
    /// The alt text (what the picture shows, for the card's alt text).
    pub alt: String,
    /// The caption, if the title text has one.
    pub caption: Option<String>,
    /// How wide it is drawn, as a part of the text's width (from the size
    /// hint; 1 without one).
    pub scale: f32,
    /// Where its `![` is in the Markdown: 1-based line and column.
    pub line: usize,
    /// See `line`.
    pub col: usize,
}

impl Eq for PictureRef {}

/// The size hint and caption of a picture's title text: `=40% A vase`
/// is 40 % of the text's width and the caption "A vase". A hint out of
/// 1..=100 % is no hint (the title text is all caption).
pub fn picture_title(title: &str) -> (f32, Option<String>) {
    let title = title.trim();
    let hint = title.strip_prefix('=').and_then(|rest| {
        let end = rest.find('%')?;
        let percent: f32 = rest[..end].trim().parse().ok()?;
        (percent.is_finite() && (1.0..=100.0).contains(&percent)).then(|| (percent / 100.0, rest[end + 1..].trim()))
    });
    let (scale, caption) = hint.unwrap_or((1.0, title));
    (scale, (!caption.is_empty()).then(|| caption.to_string()))
}

/// One block of the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// Paragraph, heading, ...
    pub kind: BlockKind,
    /// Nesting depth of lists and quotes (0 for top-level text).
    pub depth: usize,
    /// Inside a block quote.
    pub quoted: bool,
    /// The styled text.
    pub runs: Vec<Run>,
}

impl Block {
    /// The block's plain text; a picture's is its alt text.
    pub fn plain_text(&self) -> String {
        match &self.kind {
            BlockKind::Picture(picture) if picture.alt.trim().is_empty() => "(a picture)".to_string(),
            BlockKind::Picture(picture) => format!("(a picture: {})", picture.alt.trim()),
            _ => self.runs.iter().map(|r| r.text.as_str()).collect(),
        }
    }
}

/// The message as the layout engine sees it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RichText {
    /// Blocks in reading order.
    pub blocks: Vec<Block>,
}

impl RichText {
    /// All text, blocks separated by blank lines: the card's alt text.
    pub fn plain_text(&self) -> String {
        let texts: Vec<String> = self.blocks.iter().map(Block::plain_text).filter(|t| !t.is_empty()).collect();
        texts.join("\n\n")
    }
}

/// The message rendered both ways.
#[derive(Debug, Clone)]
pub struct Markup {
    /// For the card image.
    pub rich: RichText,
    /// For the card page.
    pub html: String,
}

/// Smart punctuation for plain text (titles, signatures), as comrak does it
/// for the message: curly quotes and apostrophes, en and em dashes, ellipses.
pub fn smarten(text: &str) -> String {
    let text = text.replace("---", "\u{2014}").replace("--", "\u{2013}").replace("...", "\u{2026}");
    let mut out = String::with_capacity(text.len());
    let mut prev: Option<char> = None;
    for c in text.chars() {
        // A quote opens after a space, an opening bracket or a dash, or at the start.
        let opens = prev.is_none_or(|p| p.is_whitespace() || "([{\u{2014}\u{2013}".contains(p));
        out.push(match (c, opens) {
            ('\'', true) => '\u{2018}',
            ('\'', false) => '\u{2019}',
            ('"', true) => '\u{201c}',
            ('"', false) => '\u{201d}',
            (c, _) => c,
        });
        prev = Some(c);
    }
    out
}

/// The comrak options waxseal uses: CommonMark + GFM, smart punctuation, raw
/// HTML escaped unless the site allows it.
fn options(raw_html: bool) -> Options<'static> {
    let mut options = Options::default();
    options.extension.strikethrough = true;
    options.extension.table = true;
    options.extension.autolink = true;
    options.extension.tasklist = true;
    options.parse.smart = true;
    options.render.r#unsafe = raw_html;
    options.render.escape = !raw_html;
    options
}

/// How deep quotes, lists and emphasis may nest (counted as levels of the
/// Markdown tree: a quote in a list item is three). Real messages stay under
/// twenty; the walks below recurse once a level, so a file of ten thousand
/// `>` would overflow the stack instead of being refused.
pub const MAX_DEPTH: usize = 100;

/// Markdown that nests deeper than [`MAX_DEPTH`], at the 1-based line and
/// column (of the Markdown given) where it goes too deep.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("quotes, lists and emphasis nest more than {MAX_DEPTH} levels deep here")]
pub struct TooDeep {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub col: usize,
}

/// Parses Markdown into rich text and HTML, or refuses Markdown nested too deep.
pub fn render(markdown: &str, raw_html: bool) -> Result<Markup, TooDeep> {
    let arena = Arena::new();
    let options = options(raw_html);
    let root = comrak::parse_document(&arena, markdown, &options);
    if let Some(node) = too_deep(root) {
        let start = node.data().sourcepos.start;
        return Err(TooDeep { line: start.line.max(1), col: start.column.max(1) });
    }
    set_pictures_apart(&arena, root);
    let mut html = String::new();
    comrak::format_html(root, &options, &mut html).expect("writing to a String cannot fail");
    let mut builder = Builder::default();
    builder.blocks(root, 0);
    Ok(Markup { rich: RichText { blocks: builder.blocks }, html })
}

/// The first node (in reading order) deeper than [`MAX_DEPTH`], found
/// without recursion.
fn too_deep<'a>(root: Node<'a>) -> Option<Node<'a>> {
    let mut depth = 0;
    for edge in root.traverse() {
        match edge {
            NodeEdge::Start(node) => {
                if depth > MAX_DEPTH {
                    return Some(node);
                }
                depth += 1;
            }
            NodeEdge::End(_) => depth -= 1,
        }
    }
    None
}

#[derive(Default)]
struct Builder {
    blocks: Vec<Block>,
}

impl Builder {
    /// Walks block-level nodes. `depth` counts enclosing lists and quotes.
    fn blocks<'a>(&mut self, node: Node<'a>, depth: usize) {
        for child in node.children() {
            let value = child.data().value.clone();
            match value {
                NodeValue::Paragraph => self.push(BlockKind::Paragraph, depth, child, RunStyle::default()),
                NodeValue::Heading(h) => self.push(BlockKind::Heading(h.level), depth, child, RunStyle::default()),
                NodeValue::ThematicBreak => {
                    self.blocks.push(Block { kind: BlockKind::Rule, depth, quoted: false, runs: Vec::new() })
                }
                NodeValue::BlockQuote | NodeValue::MultilineBlockQuote(_) => {
                    let start = self.blocks.len();
                    self.blocks(child, depth + 1);
                    for block in &mut self.blocks[start..] {
                        block.quoted = true;
                        for run in &mut block.runs {
                            run.style.quote = true;
                        }
                    }
                }
                NodeValue::List(list) => {
                    for (i, item) in child.children().enumerate() {
                        let marker = match list.list_type {
                            ListType::Bullet => "•".to_string(),
                            ListType::Ordered => format!("{}.", list.start + i),
                        };
                        self.item(item, depth + 1, marker);
                    }
                }
                NodeValue::CodeBlock(code) => {
                    for line in code.literal.trim_end_matches('\n').split('\n') {
                        self.blocks.push(Block {
                            kind: BlockKind::Paragraph,
                            depth,
                            quoted: false,
                            runs: vec![Run { text: line.to_string(), style: RunStyle::default() }],
                        });
                    }
                }
                NodeValue::Table(_) => self.table(child, depth),
                NodeValue::HtmlBlock(html) => self.blocks.push(Block {
                    kind: BlockKind::Paragraph,
                    depth,
                    quoted: false,
                    runs: vec![Run { text: html.literal.trim().to_string(), style: RunStyle::default() }],
                }),
                _ => self.blocks(child, depth),
            }
        }
    }

    /// A table, set as the card can set it: one paragraph whose lines are
    /// its rows, the cells of a row parted by [`CELL_SEPARATOR`], the
    /// header row strong; then the pictures its cells hold, each a
    /// picture block of its own (and its caption), in reading order.
    fn table<'a>(&mut self, table: Node<'a>, depth: usize) {
        let mut runs = Vec::new();
        let mut pictures = Vec::new();
        for row in table.children() {
            let style =
                RunStyle { strong: matches!(row.data().value, NodeValue::TableRow(true)), ..RunStyle::default() };
            let mut line = Vec::new();
            for cell in row.children() {
                let mut text = Vec::new();
                let mut found = Vec::new();
                inlines(cell, style, &mut text, &mut found);
                pictures.extend(found.into_iter().filter_map(|(_, p)| p));
                let text = normalize(text);
                if text.is_empty() {
                    continue;
                }
                if !line.is_empty() {
                    line.push(Run { text: CELL_SEPARATOR.to_string(), style });
                }
                line.extend(text);
            }
            if line.is_empty() {
                continue;
            }
            if !runs.is_empty() {
                runs.push(Run { text: "\n".to_string(), style: RunStyle::default() });
            }
            runs.extend(line);
        }
        let runs = normalize(runs);
        if !runs.is_empty() {
            self.blocks.push(Block { kind: BlockKind::Paragraph, depth, quoted: false, runs });
        }
        for picture in pictures {
            self.picture(picture, depth);
        }
    }

    /// A picture block, and its caption's when it has one.
    fn picture(&mut self, picture: PictureRef, depth: usize) {
        let caption = picture.caption.clone();
        self.blocks.push(Block { kind: BlockKind::Picture(picture), depth, quoted: false, runs: Vec::new() });
        if let Some(caption) = caption {
            let runs = vec![Run { text: caption, style: RunStyle::default() }];
            self.blocks.push(Block { kind: BlockKind::Caption, depth, quoted: false, runs });
        }
    }

    /// A list item: its first paragraph carries the marker, the rest continue it.
    fn item<'a>(&mut self, item: Node<'a>, depth: usize, marker: String) {
        let mut marker = Some(marker);
        for child in item.children() {
            let is_paragraph = matches!(child.data().value, NodeValue::Paragraph);
            if is_paragraph {
                let kind = match marker.take() {
                    Some(marker) => BlockKind::ListItem { marker },
                    None => BlockKind::ListContinuation,
                };
                self.push(kind, depth, child, RunStyle::default());
            } else {
                self.blocks(child, depth);
            }
        }
    }

    /// A block of inline `node`, cut where it holds a picture: the text
    /// before, the picture (and its caption), then the rest as a paragraph
    /// of its own (or a list item's continuation).
    fn push<'a>(&mut self, kind: BlockKind, depth: usize, node: Node<'a>, style: RunStyle) {
        let mut runs = Vec::new();
        let mut pictures = Vec::new();
        inlines(node, style, &mut runs, &mut pictures);
        let mut kind = Some(kind);
        let mut start = 0;
        for (at, picture) in pictures.into_iter().chain([(runs.len(), None)]) {
            let text = normalize(runs[start..at].to_vec());
            start = at;
            let first = kind.clone().unwrap_or(BlockKind::Paragraph);
            let continued = matches!(first, BlockKind::ListItem { .. } | BlockKind::ListContinuation);
            if !text.is_empty() || !matches!(first, BlockKind::Paragraph | BlockKind::ListContinuation) {
                self.blocks.push(Block { kind: first, depth, quoted: false, runs: text });
                kind = continued.then_some(BlockKind::ListContinuation);
            }
            let Some(picture) = picture else { continue };
            self.picture(picture, depth);
        }
    }
}

/// What parts the cells of a table's row where the card sets the row as a
/// line: a middle dot, kept on the line of the cell before it.
pub const CELL_SEPARATOR: &str = "\u{a0}\u{b7} ";

/// Cuts each paragraph that holds a picture among its words (as the card
/// does) so that the picture is a paragraph of its own, which the card
/// page shows as a `<figure>`: `<p>Before <img> after</p>` becomes
/// `<p>Before</p><p><img></p><p>after</p>`. A tight list's paragraphs are
/// left as they are: the page sets them without `<p>`.
fn set_pictures_apart<'a>(arena: &'a Arena<'a>, root: Node<'a>) {
    let paragraphs: Vec<Node<'a>> = root
        .descendants()
        .filter(|n| matches!(n.data().value, NodeValue::Paragraph))
        .filter(|n| n.children().any(|c| matches!(c.data().value, NodeValue::Image(_))))
        .filter(|n| n.children().count() > 1)
        .filter(|n| !in_tight_list(n))
        .collect();
    let is_image = |n: Node<'a>| matches!(n.data().value, NodeValue::Image(_));
    for paragraph in paragraphs {
        let start = paragraph.data().sourcepos;
        let children: Vec<Node<'a>> = paragraph.children().collect();
        children.iter().for_each(|c| c.detach());
        let (mut current, mut last_was_image) = (paragraph, None);
        for child in children {
            let image = is_image(child);
            if last_was_image.is_some_and(|last| last || image) {
                trim_edges(current);
                let next = arena.alloc(comrak::nodes::Ast::new_with_sourcepos(NodeValue::Paragraph, start).into());
                current.insert_after(next);
                current = next;
            }
            current.append(child);
            last_was_image = Some(image);
        }
        trim_edges(current);
    }
    // Paragraphs left with only spaces (the space between a picture and a word).
    let empty: Vec<Node<'a>> = root
        .descendants()
        .filter(|n| matches!(n.data().value, NodeValue::Paragraph))
        .filter(|n| n.children().all(|c| blank(&c.data().value)))
        .collect();
    for paragraph in empty {
        paragraph.detach();
    }
}

/// Paragraph `node` without the spaces at its start and end (where a
/// picture was cut out of it).
fn trim_edges(node: Node) {
    if let Some(first) = node.first_child() {
        if let NodeValue::Text(text) = &mut first.data_mut().value {
            *text = text.trim_start().to_string().into();
        }
    }
    if let Some(last) = node.last_child() {
        if let NodeValue::Text(text) = &mut last.data_mut().value {
            *text = text.trim_end().to_string().into();
        }
    }
}

/// Whether inline `value` shows nothing: spaces, or a line break.
fn blank(value: &NodeValue) -> bool {
    match value {
        NodeValue::Text(text) => text.trim().is_empty(),
        NodeValue::SoftBreak | NodeValue::LineBreak => true,
        _ => false,
    }
}

/// Whether paragraph `node` is in an item of a tight list.
fn in_tight_list(node: Node) -> bool {
    let list = node.parent().and_then(|item| item.parent());
    list.is_some_and(|l| matches!(&l.data().value, NodeValue::List(list) if list.tight))
}

/// The picture of image node `node`: its file, alt text, hint and caption.
fn picture_of<'a>(node: Node<'a>, url: &str, title: &str) -> PictureRef {
    let mut alt = Vec::new();
    inlines(node, RunStyle::default(), &mut alt, &mut Vec::new());
    let alt = normalize(alt).iter().map(|r| r.text.as_str()).collect();
    let (scale, caption) = picture_title(title);
    let start = node.data().sourcepos.start;
    PictureRef { src: url.to_string(), alt, caption, scale, line: start.line.max(1), col: start.column.max(1) }
}

/// Collects the styled text of inline nodes, and the pictures among them
/// with the number of runs before each.
fn inlines<'a>(node: Node<'a>, style: RunStyle, runs: &mut Vec<Run>, pictures: &mut Vec<(usize, Option<PictureRef>)>) {
    for child in node.children() {
        let value = child.data().value.clone();
        let text = |text: &str, runs: &mut Vec<Run>| runs.push(Run { text: text.to_string(), style });
        match value {
            NodeValue::Text(t) => text(&t, runs),
            NodeValue::Code(code) => text(&code.literal, runs),
            NodeValue::HtmlInline(html) => text(&html, runs),
            NodeValue::SoftBreak => text(" ", runs),
            NodeValue::LineBreak => text("\n", runs),
            NodeValue::Emph => inlines(child, RunStyle { em: true, ..style }, runs, pictures),
            NodeValue::Strong => inlines(child, RunStyle { strong: true, ..style }, runs, pictures),
            NodeValue::Link(_) | NodeValue::WikiLink(_) => {
                inlines(child, RunStyle { link: true, ..style }, runs, pictures)
            }
            NodeValue::Image(link) => pictures.push((runs.len(), Some(picture_of(child, &link.url, &link.title)))),
            _ => inlines(child, style, runs, pictures),
        }
    }
}

/// Collapses white space (as HTML would), drops leading and trailing spaces
/// of the block and merges neighbouring runs of one style.
fn normalize(runs: Vec<Run>) -> Vec<Run> {
    let mut out: Vec<Run> = Vec::new();
    let mut last_was_space = true; // drops leading spaces
    for run in runs {
        let mut text = String::with_capacity(run.text.len());
        if run.text == "\n" {
            if let Some(prev) = out.last_mut() {
                let trimmed = prev.text.trim_end_matches(' ').len();
                prev.text.truncate(trimmed);
            }
            out.push(run);
            last_was_space = true;
            continue;
        }
        for c in run.text.chars() {
            // Non-breaking spaces are kept: they are there to stop a break.
            if c.is_whitespace() && c != '\u{a0}' {
                if !last_was_space {
                    text.push(' ');
                }
                last_was_space = true;
            } else {
                text.push(c);
                last_was_space = false;
            }
        }
        if text.is_empty() {
            continue;
        }
        match out.last_mut() {
            Some(prev) if prev.style == run.style && prev.text != "\n" => prev.text.push_str(&text),
            _ => out.push(Run { text, style: run.style }),
        }
    }
    while let Some(last) = out.last_mut() {
        let trimmed = last.text.trim_end_matches(' ').len();
        last.text.truncate(trimmed);
        if last.text.is_empty() {
            out.pop();
        } else {
            break;
        }
    }
    out.retain(|r| !r.text.is_empty());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn styles(md: &str) -> Vec<(String, bool, bool, bool)> {
        render(md, false).unwrap().rich.blocks[0]
            .runs
            .iter()
            .map(|r| (r.text.clone(), r.style.em, r.style.strong, r.style.link))
            .collect()
    }

    #[test]
    fn emphasis_and_strong_are_marked() {
        assert_eq!(
            styles("made with *love* by **Bev**"),
            vec![
                ("made with ".into(), false, false, false),
                ("love".into(), true, false, false),
                (" by ".into(), false, false, false),
                ("Bev".into(), false, true, false),
            ]
        );
    }

    #[test]
    fn soft_breaks_become_spaces_and_spaces_collapse() {
        assert_eq!(render("one\ntwo   three", false).unwrap().rich.blocks[0].plain_text(), "one two three");
    }

    #[test]
    fn smart_punctuation_is_on() {
        assert_eq!(
            render("\"Hi\" -- it's... ok---", false).unwrap().rich.plain_text(),
            "\u{201c}Hi\u{201d} \u{2013} it\u{2019}s\u{2026} ok\u{2014}"
        );
    }

    #[test]
    fn plain_text_gets_smart_punctuation_too() {
        assert_eq!(
            smarten("What's in the \"box\" -- 'really'..."),
            "What\u{2019}s in the \u{201c}box\u{201d} \u{2013} \u{2018}really\u{2019}\u{2026}"
        );
        assert_eq!(smarten("rock 'n' roll---yes"), "rock \u{2018}n\u{2019} roll\u{2014}yes");
    }

    #[test]
    fn raw_html_is_escaped_in_the_page() {
        let m = render("hi <script>alert(1)</script>", false).unwrap();
        assert!(!m.html.contains("<script>"), "{}", m.html);
        assert!(m.html.contains("&lt;script&gt;"));
    }

    #[test]
    fn lists_carry_markers() {
        let rich = render("1. one\n2. two\n\n- dot", false).unwrap().rich;
        let kinds: Vec<_> = rich.blocks.iter().map(|b| b.kind.clone()).collect();
        assert_eq!(
            kinds,
            vec![
                BlockKind::ListItem { marker: "1.".into() },
                BlockKind::ListItem { marker: "2.".into() },
                BlockKind::ListItem { marker: "•".into() },
            ]
        );
    }

    #[test]
    fn hard_break_is_its_own_run() {
        let rich = render("one\\\ntwo", false).unwrap().rich;
        let texts: Vec<_> = rich.blocks[0].runs.iter().map(|r| r.text.as_str()).collect();
        assert_eq!(texts, vec!["one", "\n", "two"]);
    }

    #[test]
    fn a_picture_is_a_block_of_its_own_with_its_caption_and_hint() {
        let rich =
            render("Before ![a *blue* vase](vase.jpg \"=40% The vase\") after.\n\n![](b.png)", false).unwrap().rich;
        let kinds: Vec<_> = rich.blocks.iter().map(|b| (b.kind.clone(), b.plain_text())).collect();
        let vase = PictureRef {
            src: "vase.jpg".into(),
            alt: "a blue vase".into(),
            caption: Some("The vase".into()),
            scale: 0.4,
            line: 1,
            col: 8,
        };
        let b = PictureRef { src: "b.png".into(), alt: String::new(), caption: None, scale: 1.0, line: 3, col: 1 };
        assert_eq!(
            kinds,
            vec![
                (BlockKind::Paragraph, "Before".into()),
                (BlockKind::Picture(vase), "(a picture: a blue vase)".into()),
                (BlockKind::Caption, "The vase".into()),
                (BlockKind::Paragraph, "after.".into()),
                (BlockKind::Picture(b), "(a picture)".into()),
            ]
        );
        assert_eq!(picture_title("=250% big"), (1.0, Some("=250% big".into())));
        assert_eq!(picture_title("=50%"), (0.5, None));
    }

    #[test]
    fn a_picture_among_words_is_a_paragraph_of_its_own_on_the_page() {
        let html =
            render("Before ![a vase](vase.jpg \"=40% The vase\") after.\n\n- a ![b](b.png) tight", false).unwrap().html;
        assert!(
            html.starts_with("<p>Before</p>\n<p><img src=\"vase.jpg\" alt=\"a vase\" title=\"=40% The vase\" /></p>\n<p>after.</p>\n"),
            "{html}"
        );
        assert!(html.contains("<li>a <img src=\"b.png\" alt=\"b\" /> tight</li>"), "{html}");
    }

    #[test]
    fn a_table_is_set_a_row_a_line_and_its_pictures_after_it() {
        let md = "| Item | Qty |\n|---|---|\n| Vase ![the vase](v.png \"Glazed\") | 1 |\n| | 2 |\n\nBye.";
        let rich = render(md, false).unwrap().rich;
        let kinds: Vec<_> = rich.blocks.iter().map(|b| (b.kind.clone(), b.plain_text())).collect();
        assert_eq!(kinds[0], (BlockKind::Paragraph, "Item\u{a0}\u{b7} Qty\nVase\u{a0}\u{b7} 1\n2".to_string()));
        assert!(
            rich.blocks[0].runs[0].style.strong && !rich.blocks[0].runs[2].style.strong,
            "{:?}",
            rich.blocks[0].runs
        );
        assert!(matches!(&kinds[1].0, BlockKind::Picture(p) if p.src == "v.png" && p.line == 3), "{kinds:?}");
        assert_eq!(kinds[2], (BlockKind::Caption, "Glazed".into()));
        assert_eq!(kinds[3], (BlockKind::Paragraph, "Bye.".into()));
    }

    #[test]
    fn nesting_too_deep_is_refused_where_it_goes_too_deep() {
        let quotes = format!("Hello.\n\n{} deep\n", ">".repeat(10_000));
        assert_eq!(render(&quotes, false).unwrap_err(), TooDeep { line: 3, col: MAX_DEPTH + 1 });
        let lists = format!("{}x\n", "- ".repeat(10_000));
        assert!(render(&lists, false).is_err());
        let fine = format!("{} deep enough\n", ">".repeat(20));
        assert_eq!(render(&fine, false).unwrap().rich.blocks[0].depth, 20);
    }
}
