//! Preparing a card's text: each block shaped once, in its faces and
//! styles, cut into the segments lines are broken at, ready to be set at
//! any size.

use std::ops::Range;

use unicode_linebreak::BreakOpportunity;

use super::breaks::Segment;
use super::shape::Measurer;
use super::{cjk, fit, hyphen, picture, ranges_face, Content, Part};
use crate::markup::{Block, BlockKind, RunStyle};
use crate::theme::{Align, FaceKey, FontRole, Style, Theme};

/// A block shaped once, ready to be broken into lines at any size.
#[derive(Debug)]
pub(super) struct Prepared {
    pub(super) kind: BlockKind,
    pub(super) part: Part,
    pub(super) depth: usize,
    /// Size relative to the body size (headings).
    pub(super) scale: f32,
    /// The cap height of its face, in em (the title and the signature).
    pub(super) cap: f32,
    /// Line height as a multiple of the block's size.
    pub(super) line_height: f32,
    pub(super) align: Align,
    /// The first strong character is right-to-left.
    pub(super) rtl: bool,
    /// Mostly Japanese or Chinese: lines fill the measure (`cjk`).
    pub(super) cjk: bool,
    /// Inside a block quote.
    pub(super) quoted: bool,
    pub(super) text: String,
    /// Byte ranges of the runs and their faces.
    pub(super) runs: Vec<(Range<usize>, FaceKey, Look)>,
    pub(super) segments: Vec<Segment>,
    pub(super) marker: Option<(String, f32)>,
    /// How much a line's ink may run past its advance, in em (see `ink_overhang`).
    pub(super) overhang: f32,
    /// A picture block's picture.
    pub(super) picture: Option<picture::PictureBox>,
}

/// How a run looks once the theme's styles are applied.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Look {
    pub(super) color: String,
    pub(super) underline: bool,
}

/// The face and look of a run: the block's base style, then the styles of
/// what the run is inside (quote, strong, em, link: later ones win).
fn resolve(theme: &Theme, base: &Style, style: RunStyle) -> (FontRole, Look) {
    let st = &theme.spec.styles;
    let (mut italic, mut bold) = (base.italic.unwrap_or(false), base.bold.unwrap_or(false));
    let mut color = base.color.clone().unwrap_or_else(|| "ink".into());
    let mut underline = base.underline.unwrap_or(false);
    for (on, s) in [(style.quote, &st.quote), (style.strong, &st.strong), (style.em, &st.em), (style.link, &st.link)] {
        if !on {
            continue;
        }
        italic = s.italic.unwrap_or(italic);
        bold = s.bold.unwrap_or(bold);
        color = s.color.clone().unwrap_or(color);
        underline = s.underline.unwrap_or(underline);
    }
    let role = base.face.unwrap_or(match (bold, italic) {
        (true, true) => FontRole::BoldItalic,
        (true, false) => FontRole::Bold,
        (false, true) => FontRole::Italic,
        (false, false) => FontRole::Body,
    });
    (role, Look { color: theme.color(&color), underline })
}

/// The title, the message's blocks and the signature of `content`, each
/// shaped once, and the characters no face of the theme has.
pub(super) fn prepare(m: &Measurer, theme: &Theme, content: Content) -> (Vec<Prepared>, Vec<char>) {
    let mut p = Preparer { m, theme, missing: Vec::new() };
    let align = theme.spec.text.align;
    let mut out = Vec::new();
    let title = content.title.filter(|t| !t.trim().is_empty());
    if let Some(title) = title {
        out.push(p.script(&plain(title), Part::Title, align));
    }
    // A note of a few words and no title is set as the card's title.
    let blocks = match title.map_or_else(|| fit::hero(content.text), |_| None) {
        Some(runs) => {
            out.push(p.script(&runs, Part::Title, align));
            &[][..]
        }
        None => &content.text.blocks[..],
    };
    let mut pictures = 0..;
    for block in blocks {
        let mut prepared = p.block(block, content.lang);
        picture::prepare(&mut prepared, &mut pictures, content.pictures);
        out.push(prepared);
    }
    if let Some(signature) = content.signature.filter(|t| !t.trim().is_empty()) {
        out.extend(p.signature(signature, content.signed, content.pictures.len()));
    }
    (out, first_seen(p.missing))
}

/// A one-line run of `text` in the text's own style.
fn plain(text: &str) -> Vec<(String, RunStyle)> {
    vec![(text.trim().to_string(), RunStyle::default())]
}

/// What preparing a card's blocks shares: the measurer, the theme, and the
/// characters found missing so far.
struct Preparer<'a, 'f> {
    m: &'a Measurer<'f>,
    theme: &'a Theme,
    missing: Vec<char>,
}

impl Preparer<'_, '_> {
    /// A block set in one of the theme's display styles: the title, the
    /// sign-off words or the name.
    fn script(&mut self, runs: &[(String, RunStyle)], part: Part, align: Align) -> Prepared {
        let styles = &self.theme.spec.styles;
        let style = match part {
            Part::Title => &styles.title,
            Part::SignOff => &styles.sign_off,
            Part::Body | Part::Signature => &styles.signature,
        };
        let mut block =
            prepare_block(self.m, self.theme, BlockKind::Paragraph, 0, style, runs, None, &mut self.missing);
        block.part = part;
        block.line_height = 1.2;
        block.align = align;
        block.cap = block.runs.first().map_or(0.7, |(_, face, _)| self.m.cap_height_em(*face));
        block
    }

    /// A block of the message: a paragraph, heading, list item, quote,
    /// caption or picture, in its style and at its scale.
    fn block(&mut self, block: &Block, lang: Option<hypher::Lang>) -> Prepared {
        let (settings, styles) = (&self.theme.spec.text, &self.theme.spec.styles);
        // A caption is set in the body's italic, a little smaller, centred.
        let (caption, body) = (Style { italic: Some(true), ..Style::default() }, Style::default());
        let (scale, style) = match block.kind {
            BlockKind::Heading(1) => (1.6, &styles.heading),
            BlockKind::Heading(2) => (1.35, &styles.heading),
            BlockKind::Heading(_) => (1.15, &styles.heading),
            BlockKind::Caption => (0.85, &caption),
            _ => (1.0, &body),
        };
        let heading = matches!(block.kind, BlockKind::Heading(_));
        let runs: Vec<(String, RunStyle)> = block.runs.iter().map(|r| (r.text.clone(), r.style)).collect();
        // Hyphenation in ragged and centred text alike (a centred line of
        // long German words is otherwise a word or two), never in headings.
        let hyphenate = lang.filter(|_| !heading);
        let mut prepared = prepare_block(
            self.m,
            self.theme,
            block.kind.clone(),
            block.depth,
            style,
            &runs,
            hyphenate,
            &mut self.missing,
        );
        prepared.scale = scale;
        prepared.quoted = block.quoted;
        // In centred text a list is set flush (its markers in one column,
        // its turned lines under the item's text) and centred as a whole:
        // see `centre_flush_runs`.
        let listed = matches!(block.kind, BlockKind::ListItem { .. } | BlockKind::ListContinuation);
        prepared.align = if listed && settings.align == Align::Center { Align::Left } else { settings.align };
        prepared.line_height = if heading { 1.2 } else { settings.line_height };
        if let BlockKind::ListItem { marker } = &block.kind {
            let width = self.m.width_em(FaceKey::Role(styles.marker.face.unwrap_or(FontRole::Body)), marker);
            prepared.marker = Some((marker.clone(), width));
        }
        prepared
    }

    /// The signature: the sign-off words on a line of their own (if any),
    /// then the name (or the scanned signature in its place).
    fn signature(&mut self, signature: &str, signed: Option<(u32, u32)>, pictures: usize) -> Vec<Prepared> {
        let align = self.theme.spec.text.signature_align;
        let (sign_off, name) = signature.split_once('\n').unwrap_or(("", signature));
        let mut out = Vec::new();
        if !sign_off.trim().is_empty() {
            let mut block = self.script(&plain(sign_off), Part::SignOff, align);
            // Close to the name it leads to: the two read as one signature.
            block.line_height = 1.1;
            out.push(block);
        }
        let mut block = self.script(&plain(name), Part::Signature, align);
        fit::glue_name(&mut block.segments, &block.text);
        out.push(picture::signed(block, signed, pictures));
        out
    }
}

/// Each character once, in the order first seen.
fn first_seen(mut chars: Vec<char>) -> Vec<char> {
    let mut seen = Vec::new();
    chars.retain(|c| {
        if seen.contains(c) {
            false
        } else {
            seen.push(*c);
            true
        }
    });
    chars
}

#[allow(clippy::too_many_arguments)]
fn prepare_block(
    m: &Measurer,
    theme: &Theme,
    kind: BlockKind,
    depth: usize,
    base: &Style,
    runs: &[(String, RunStyle)],
    hyphenate: Option<hypher::Lang>,
    missing: &mut Vec<char>,
) -> Prepared {
    let mut text = String::new();
    let mut ranges = Vec::new();
    for (run_text, style) in runs {
        let start = text.len();
        text.push_str(run_text);
        let (role, look) = resolve(theme, base, *style);
        let (parts, lacking) = m.assign(FaceKey::Role(role), run_text, start);
        missing.extend(lacking);
        ranges.extend(parts.into_iter().map(|(range, face)| (range, face, look.clone())));
    }
    let segments = segments(m, &text, &ranges, hyphenate);
    let overhang = ink_overhang(m, &text, &ranges, &segments);
    Prepared {
        kind,
        part: Part::Body,
        depth,
        scale: 1.0,
        cap: 0.7,
        line_height: 1.0,
        align: Align::Left,
        rtl: unicode_bidi::get_base_direction(text.as_str()) == unicode_bidi::Direction::Rtl,
        cjk: cjk::is_cjk_text(&text),
        quoted: false,
        text,
        runs: ranges,
        segments,
        marker: None,
        overhang,
        picture: None,
    }
}

/// `text` cut where its lines may break (between words, at hyphenation
/// points in `hyphenate`'s language, between Japanese and Chinese words),
/// each piece measured in the faces of `ranges`.
fn segments(
    m: &Measurer,
    text: &str,
    ranges: &[(Range<usize>, FaceKey, Look)],
    hyphenate: Option<hypher::Lang>,
) -> Vec<Segment> {
    let mut segments = Vec::new();
    let mut start = 0;
    // Japanese and Chinese break between words, inside one only if they must.
    let words = cjk::Words::new(text);
    for (end, opportunity) in unicode_linebreak::linebreaks(text) {
        let kind = words.at(text, end);
        let slice = &text[start..end];
        let hard_break = opportunity == BreakOpportunity::Mandatory && slice.ends_with('\n');
        let trimmed = slice.trim_end_matches([' ', '\n']);
        let word = start..start + trimmed.len();
        let spaces = slice[trimmed.len()..].matches(' ').count();
        if !word.is_empty() || hard_break {
            let parts = match hyphenate {
                Some(lang) => hyphen::syllables(text, word.clone(), lang),
                None => vec![hyphen::Syllable { range: word.clone(), penalty: 0.0 }],
            };
            let last = parts.len() - 1;
            for (i, part) in parts.into_iter().enumerate() {
                let mut seg = measure_segment(m, text, ranges, part.range.clone());
                let face = ranges_face(ranges, part.range.end);
                if i < last {
                    seg.hyphen = m.width_em(face, "-");
                    seg.penalty = part.penalty;
                } else {
                    // The spaces in the face that draws them (an Arabic
                    // word's spaces are Arabic, a Latin word's the theme's).
                    seg.space = m.width_em(ranges_face(ranges, part.range.end + 1), " ") * spaces as f32;
                    seg.hard_break = hard_break;
                    seg.penalty = kind.penalty();
                }
                segments.push(seg);
            }
        }
        start = end;
    }
    segments
}

/// How much wider than its advance a line of `text` may draw, in em: the
/// most any of its pieces' ink runs past their left end plus the most past
/// their right end (a script face's swash, an italic f, a Naskh tail), so
/// that lines measured this much short of the box keep their ink inside it.
/// A piece is a word, or the part of one between two of its break points
/// (`segments`: a syllable, a link's part after a `/`): each may begin or
/// end a line.
fn ink_overhang(m: &Measurer, text: &str, ranges: &[(Range<usize>, FaceKey, Look)], segments: &[Segment]) -> f32 {
    let (mut left, mut right) = (0.0f32, 0.0f32);
    // Both are in the text's order: each segment looks only at the runs
    // from the first that reaches it.
    let mut first = 0;
    for seg in segments {
        while ranges.get(first).is_some_and(|(range, _, _)| range.end <= seg.range.start) {
            first += 1;
        }
        for (range, face, _) in ranges[first..].iter().take_while(|(range, _, _)| range.start < seg.range.end) {
            let (lo, hi) = (range.start.max(seg.range.start), range.end.min(seg.range.end));
            for word in text[lo..hi].split([' ', '\n']) {
                let ink = m.metrics(*face, word);
                (left, right) = (left.max(ink.ink_left), right.max(ink.ink_right));
            }
        }
    }
    left + right
}

/// Measures `range` of a block's text (its runs may change face inside it),
/// with the points where it may be split if it turns out wider than a line.
fn measure_segment(m: &Measurer, text: &str, ranges: &[(Range<usize>, FaceKey, Look)], range: Range<usize>) -> Segment {
    let width = ranges
        .iter()
        .filter_map(|(run, face, _)| {
            let (lo, hi) = (run.start.max(range.start), run.end.min(range.end));
            (lo < hi).then(|| m.width_em(*face, &text[lo..hi]))
        })
        .sum();
    Segment { range, width, space: 0.0, hard_break: false, splits: Vec::new(), hyphen: 0.0, penalty: 0.0 }
}
