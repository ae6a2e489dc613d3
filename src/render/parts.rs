//! A card's print SVG in parts, for a tagged PDF: the artwork, each block
//! of its text (the title, a paragraph, a list item, the signature) and
//! the seal, each a whole SVG of the card's size that draws only its part.
//! Drawn one over another in that order they are the card, and the PDF
//! tags each part for what it is (the artwork and ornaments as artifacts).
//!
//! Only a template that draws the text and the seal last, at its top level
//! (the built-in themes do, and docs/themes.md asks for it), can be cut so;
//! another's card is drawn whole, as one figure with the card's alt text.
//!
//! This module cuts strings; it neither parses nor draws.

use std::ops::Range;

use crate::layout::{Layout, Line, LineKind, Part};
use crate::seal::SealSpec;

/// What a block of a card's text is, for the PDF's structure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Block {
    /// The card's title: the document's heading.
    Title,
    /// A heading in the message.
    Heading,
    /// A paragraph of the message.
    Paragraph,
    /// An item of a list, its marker with it.
    ListItem,
    /// A paragraph of a block quote.
    Quote,
    /// The sign-off and the sender's name.
    Signature,
    /// A thematic break's ornament: decoration, not text.
    Ornament,
    /// A picture of the message, with its alt text.
    Figure,
}

/// A card's print SVG cut into parts.
#[derive(Debug, Clone, PartialEq)]
pub struct Parts {
    /// The artwork under the text and seal (the template drawn without them).
    pub base: String,
    /// Each block of text, in reading order: what it is, an SVG that draws
    /// only it, and its text (a heading's title in the structure).
    pub blocks: Vec<(Block, String, String)>,
    /// The seal alone.
    pub seal: String,
    /// What the seal shows, for its alt text.
    pub seal_alt: String,
}

/// The blocks of a laid-out text, in reading order, as ranges of its lines.
/// The layout keeps no paragraphs, so they are found again from what it
/// does keep: a line of another part, size or quote, a list marker, or a
/// line further below the one before than lines of a paragraph are (the
/// theme's paragraph gap), begins a block.
pub fn blocks(layout: &Layout, line_height: f32) -> Vec<(Block, Range<usize>)> {
    let lines = &layout.lines;
    // The body's size: headings are set larger.
    let body = lines.iter().filter(|l| l.part == Part::Body).map(|l| l.size).fold(f32::INFINITY, f32::min);
    let mut out: Vec<(Block, Range<usize>)> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let mut kind = block_of(line, body);
        let close = i > 0 && {
            let prev = &lines[i - 1];
            // The sign-off words and the name under them are one signature.
            let signed = prev.part == Part::SignOff && line.part == Part::Signature;
            signed
                || (line.part == prev.part
                    && (line.size - prev.size).abs() < 0.01
                    && line.baseline - prev.baseline < line.size * line_height * 1.12)
        };
        // A list item's later lines have no marker.
        let last = out.last().map(|(block, _)| *block);
        if close && line.marker.is_none() && kind == Block::Paragraph && last == Some(Block::ListItem) {
            kind = Block::ListItem;
        }
        let alone = matches!(kind, Block::Ornament | Block::Figure);
        let joins = close && line.marker.is_none() && !alone && last == Some(kind);
        match out.last_mut() {
            Some((_, range)) if joins => range.end = i + 1,
            _ => out.push((kind, i..i + 1)),
        }
    }
    out
}

fn block_of(line: &Line, body: f32) -> Block {
    match (&line.kind, line.part) {
        (LineKind::Rule, _) => Block::Ornament,
        (LineKind::Picture { .. }, _) => Block::Figure,
        (_, Part::Title) => Block::Title,
        (_, Part::Signature | Part::SignOff) => Block::Signature,
        _ if line.size > body * 1.05 => Block::Heading,
        _ if line.quote_rule.is_some() => Block::Quote,
        _ if line.marker.is_some() => Block::ListItem,
        _ => Block::Paragraph,
    }
}

/// Cuts `full` (the template drawn with `text` and `seal`) into the
/// artwork (`base`, the template drawn without them) and SVGs of `blocks`
/// and the seal, when the template draws the text and the seal last, at
/// its top level; `None` otherwise.
pub fn cut(full: &str, base: &str, text: &str, seal: &str, blocks: Vec<(Block, String, String)>) -> Option<Parts> {
    let at = full.find(text)?;
    let tail = &full[at + text.len()..];
    let after_seal = tail.trim_start().strip_prefix(seal)?;
    if after_seal.trim() != "</svg>" {
        return None;
    }
    // The rest of the card is the artwork, exactly.
    let before = &full[..at];
    let between = &tail[..tail.len() - after_seal.len() - seal.len()];
    if format!("{before}{between}{after_seal}") != base {
        return None;
    }
    let open = &base[..base.find("<svg").and_then(|s| base[s..].find('>').map(|e| s + e + 1))?];
    let alone = |content: &str| format!("{open}{content}</svg>");
    Some(Parts {
        base: base.to_string(),
        blocks: blocks.into_iter().map(|(block, svg, text)| (block, alone(&svg), text)).collect(),
        seal: alone(seal),
        seal_alt: String::new(),
    })
}

/// `lines` (a block's) with the spaces between words that a line break
/// took, and one after a list marker, so that text taken from the PDF (a
/// screen reader, a search, a copy) has its words apart. The spaces draw
/// nothing. None after a hyphen or CJK text, which break without a space.
pub fn spaced(lines: &mut [Line]) {
    let n = lines.len();
    for (i, line) in lines.iter_mut().enumerate() {
        if let Some((marker, _)) = &mut line.marker {
            // No-break: a plain space at the end of the marker's own
            // `<text>` would be collapsed away.
            marker.push('\u{a0}');
        }
        let LineKind::Text(pieces) = &mut line.kind else { continue };
        let Some(last) = pieces.last_mut() else { continue };
        let spaced = last.text.chars().last().is_none_or(|c| c.is_whitespace() || c == '-' || c >= '\u{2e80}');
        if i + 1 < n && !spaced {
            last.text.push(' ');
        }
    }
}

/// The text of `lines`, a space between two lines.
pub fn plain(lines: &[Line]) -> String {
    let words: Vec<String> = lines
        .iter()
        .filter_map(|line| match &line.kind {
            LineKind::Text(pieces) => Some(pieces.iter().map(|p| p.text.as_str()).collect::<String>()),
            LineKind::Rule | LineKind::Picture { .. } => None,
        })
        .collect();
    words.iter().map(|w| w.trim()).filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ")
}

/// The alt text of the picture `lines` (a figure's) draw, of `pictures`.
pub fn picture_alt(lines: &[Line], pictures: &[super::CardPicture]) -> String {
    let index = lines.iter().find_map(|line| match line.kind {
        LineKind::Picture { index, .. } => Some(index),
        _ => None,
    });
    let alt = index.and_then(|i| pictures.get(i)).map_or("", |p| p.alt.trim());
    if alt.is_empty() {
        "A picture".to_string()
    } else {
        alt.to_string()
    }
}

/// What a seal shows, as alt text: "A wax seal pressed with a heart".
pub fn seal_alt(seal: &SealSpec) -> String {
    let emblem = seal.emblem.replace(['-', '_'], " ");
    match (emblem.as_str(), seal.initials.as_deref()) {
        ("none" | "monogram", Some(initials)) => format!("A wax seal pressed with the initials {initials}"),
        ("none" | "monogram", None) => "A wax seal".to_string(),
        (emblem, Some(initials)) => format!("A wax seal pressed with a {emblem} and the initials {initials}"),
        (emblem, None) => format!("A wax seal pressed with a {emblem}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::Piece;
    use crate::theme::{Align, FaceKey, FontRole};

    fn line(part: Part, baseline: f32, size: f32) -> Line {
        Line {
            kind: LineKind::Text(Vec::<Piece>::new()),
            x: 0.0,
            baseline,
            size,
            width: 100.0,
            marker: None,
            part,
            align: Align::Left,
            rtl: false,
            quote_rule: None,
            justify: false,
        }
    }

    #[test]
    fn paragraphs_are_found_by_their_gap_list_items_by_their_markers() {
        let (t, b, o, s) = (Part::Title, Part::Body, Part::SignOff, Part::Signature);
        let mut lines = vec![
            line(t, 40.0, 40.0),
            line(b, 80.0, 20.0),
            line(b, 106.4, 20.0),
            // A paragraph gap of 0.45 lines.
            line(b, 144.7, 20.0),
            line(b, 190.0, 20.0),
            line(b, 216.4, 20.0),
            line(b, 242.8, 20.0),
            // The sign-off words, smaller, and the name under them.
            line(o, 280.0, 18.0),
            line(s, 320.0, 38.0),
        ];
        lines[4].marker = Some(("•".into(), -10.0));
        lines[5].x = 12.0;
        lines[6].marker = Some(("•".into(), -10.0));
        let layout = Layout { lines, size_pt: 10.0, height: 300.0, missing: Vec::new() };
        let found: Vec<(Block, Range<usize>)> = blocks(&layout, 1.32);
        assert_eq!(
            found,
            [
                (Block::Title, 0..1),
                (Block::Paragraph, 1..3),
                (Block::Paragraph, 3..4),
                (Block::ListItem, 4..6),
                (Block::ListItem, 6..7),
                (Block::Signature, 7..9),
            ]
        );
    }

    #[test]
    fn words_broken_across_lines_get_their_space_back_but_not_after_a_hyphen_or_cjk() {
        let text = |words: &str| {
            let piece = Piece {
                text: words.into(),
                face: FaceKey::Role(FontRole::Body),
                color: "#000000".into(),
                underline: false,
                x: 0.0,
                width: 100.0,
            };
            Line { kind: LineKind::Text(vec![piece]), ..line(Part::Body, 0.0, 20.0) }
        };
        let mut lines = vec![text("made with"), text("love and hyph-"), text("enation ありが"), text("とう")];
        spaced(&mut lines);
        assert_eq!(plain(&lines), "made with love and hyph- enation ありが とう");
        let texts: Vec<String> = lines
            .iter()
            .map(|l| match &l.kind {
                LineKind::Text(p) => p[0].text.clone(),
                LineKind::Rule | LineKind::Picture { .. } => String::new(),
            })
            .collect();
        assert_eq!(texts, ["made with ", "love and hyph-", "enation ありが", "とう"]);
    }

    #[test]
    fn a_card_is_cut_only_when_its_text_and_seal_come_last() {
        let open = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\">";
        let base = format!("{open}<rect/>\n  \n  \n</svg>");
        let full = format!("{open}<rect/>\n  <g id=\"t\"/>\n  <g id=\"s\"/>\n</svg>");
        let blocks = vec![(Block::Title, "<text>A</text>".to_string(), "A".to_string())];
        let parts = cut(&full, &base, "<g id=\"t\"/>", "<g id=\"s\"/>", blocks.clone()).unwrap();
        assert_eq!(parts.base, base);
        assert_eq!(parts.blocks, [(Block::Title, format!("{open}<text>A</text></svg>"), "A".to_string())]);
        assert_eq!(parts.seal, format!("{open}<g id=\"s\"/></svg>"));
        // Art over the text, or the text in a group: drawn whole.
        let over = format!("{open}<g id=\"t\"/><g id=\"s\"/><rect/></svg>");
        let base_over = format!("{open}<rect/></svg>");
        assert_eq!(cut(&over, &base_over, "<g id=\"t\"/>", "<g id=\"s\"/>", blocks.clone()), None);
        let grouped = format!("{open}<g transform=\"scale(2)\"><g id=\"t\"/></g><g id=\"s\"/></svg>");
        let base_grouped = format!("{open}<g transform=\"scale(2)\"></g></svg>");
        assert_eq!(cut(&grouped, &base_grouped, "<g id=\"t\"/>", "<g id=\"s\"/>", blocks), None);
    }
}
