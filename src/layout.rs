//! The layout engine: rich text + a theme's fonts + a text box -> positioned
//! lines.
//!
//! SVG text does not wrap, so waxseal sets the text itself: every run is
//! shaped with the theme's own font file by harfrust (the shaper usvg uses,
//! so measured widths are what resvg draws), lines break at UAX #14
//! opportunities, each paragraph's breaks are chosen together so lines are
//! balanced, and the whole message shrinks step by step until it fits the
//! box. Below the theme's minimum size it is an error; nothing is clipped.
//!
//! Pure: no I/O, no SVG. Shaping happens once per layout (in em units), so
//! trying another size is arithmetic only.

use std::collections::BTreeMap;
use std::ops::Range;

use harfrust::{FontRef, ShapeOptions, ShaperData, UnicodeBuffer};
use unicode_linebreak::BreakOpportunity;

use crate::markup::{BlockKind, RichText, RunStyle};
use crate::theme::{Align, FontRole, TextSettings, Theme};

/// Why a text could not be laid out.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LayoutError {
    /// Too much text for the box even at the minimum size.
    #[error("text needs {lines} more line{} than fit at the minimum size {min_size}pt", if *lines == 1 { "" } else { "s" })]
    DoesNotFit {
        /// How many lines of body text would have to go.
        lines: usize,
        /// The theme's minimum size.
        min_size: f32,
    },
    /// One word is wider than the box at the minimum size.
    #[error("the word `{word}` is too wide for the card even at the minimum size {min_size}pt")]
    WordTooWide {
        /// The word.
        word: String,
        /// The theme's minimum size.
        min_size: f32,
    },
    /// A character the theme's font cannot draw.
    #[error("the character `{ch}` (U+{:04X}) is not in the theme's font {file}", *ch as u32)]
    MissingGlyph {
        /// The character.
        ch: char,
        /// The font file, relative to the theme.
        file: String,
    },
    /// A font file harfrust cannot read.
    #[error("cannot read font {0}")]
    BadFont(String),
}

/// A piece of a line in one face and colour.
#[derive(Debug, Clone, PartialEq)]
pub struct Piece {
    /// The characters.
    pub text: String,
    /// The face.
    pub role: FontRole,
    /// Accent colour instead of ink.
    pub accent: bool,
    /// Underlined.
    pub underline: bool,
}

/// What a line draws.
#[derive(Debug, Clone, PartialEq)]
pub enum LineKind {
    /// Text.
    Text(Vec<Piece>),
    /// An ornament standing for a thematic break.
    Rule,
}

/// One positioned line, in pixels relative to the text box's top-left corner.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// Text or ornament.
    pub kind: LineKind,
    /// Left end of the text.
    pub x: f32,
    /// Baseline.
    pub baseline: f32,
    /// Font size in pixels.
    pub size: f32,
    /// Measured width in pixels.
    pub width: f32,
    /// A list marker hung left of `x`, and its x.
    pub marker: Option<(String, f32)>,
    /// Which part of the card the line belongs to.
    pub part: Part,
    /// How the line is aligned in the box; `x` and `width` already reflect
    /// it, and a renderer anchors the line at the matching end.
    pub align: Align,
}

/// The parts of a card's text, which take different faces and colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The heading, in the script face and the accent colour.
    Title,
    /// The message.
    Body,
    /// The sign-off and sender, in the script face, set right.
    Signature,
}

/// A laid-out message.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// The lines, top to bottom.
    pub lines: Vec<Line>,
    /// The body size chosen, in points.
    pub size_pt: f32,
    /// Height used, in pixels.
    pub height: f32,
}

/// The box and scale to lay out into.
#[derive(Debug, Clone, Copy)]
pub struct Frame {
    /// Box width in pixels.
    pub width: f32,
    /// Box height in pixels.
    pub height: f32,
    /// Pixels per typographic point (dpi / 72).
    pub px_per_pt: f32,
}

/// What goes into the text box, top to bottom.
#[derive(Debug, Clone, Copy)]
pub struct Content<'a> {
    /// The heading.
    pub title: Option<&'a str>,
    /// The message.
    pub text: &'a RichText,
    /// The signature line ("with love, Beverly").
    pub signature: Option<&'a str>,
}

/// Lays out the title, the message and the signature in `frame`, shrinking
/// the text until it fits, and centres the result vertically.
pub fn layout(theme: &Theme, content: Content, frame: Frame) -> Result<Layout, LayoutError> {
    let settings = &theme.spec.text;
    let measurer = Measurer::new(theme)?;
    let blocks = prepare(&measurer, settings, content)?;

    // Check the smallest size first: a text that cannot fit fails at once.
    let min = settings.min_size.min(settings.size);
    let at_min = arrange(&blocks, settings, frame, min, false)?;
    if at_min.height > frame.height + 0.01 {
        let line_px = min * frame.px_per_pt * settings.line_height;
        let lines = ((at_min.height - frame.height) / line_px).ceil().max(1.0) as usize;
        return Err(LayoutError::DoesNotFit { lines, min_size: min });
    }
    let mut size = settings.size;
    while size > min {
        let trial = arrange(&blocks, settings, frame, size, false)?;
        if trial.height <= frame.height + 0.01 {
            break;
        }
        size = (size - 0.25).max(min);
    }
    let mut laid = arrange(&blocks, settings, frame, size, true)?;
    // Optical centre: a little above the middle.
    let offset = (frame.height - laid.height).max(0.0) * 0.45;
    for line in &mut laid.lines {
        line.baseline += offset;
    }
    Ok(laid)
}

/// Shapes text with the theme's faces.
struct Measurer<'t> {
    fonts: BTreeMap<FontRole, (FontRef<'t>, &'t ShaperData, f32, &'t str)>,
}

impl<'t> Measurer<'t> {
    fn new(theme: &'t Theme) -> Result<Self, LayoutError> {
        let mut fonts = BTreeMap::new();
        for (role, face) in &theme.faces {
            let font =
                FontRef::from_index(&face.data, face.index).map_err(|_| LayoutError::BadFont(face.file.clone()))?;
            fonts.insert(*role, (font, face.shaper.as_ref(), face.units_per_em as f32, face.file.as_str()));
        }
        Ok(Measurer { fonts })
    }

    /// The advance of `text` in `role`'s face, in em.
    fn width_em(&self, role: FontRole, text: &str) -> Result<f32, LayoutError> {
        if text.is_empty() {
            return Ok(0.0);
        }
        let (font, data, upem, file) = &self.fonts[&role];
        let shaper = data.shaper(font).build();
        let mut buffer = UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.guess_segment_properties();
        let output = shaper.shape(buffer, ShapeOptions::new());
        let mut units = 0i64;
        for (info, pos) in output.glyph_infos().iter().zip(output.glyph_positions()) {
            if info.glyph_id == 0 {
                let ch = text[info.cluster as usize..].chars().next().unwrap_or('?');
                if !ch.is_control() {
                    return Err(LayoutError::MissingGlyph { ch, file: file.to_string() });
                }
            }
            units += pos.x_advance as i64;
        }
        Ok(units as f32 / upem)
    }
}

/// A stretch of text between two break opportunities.
#[derive(Debug)]
struct Segment {
    /// Byte range in the block's text, trailing spaces excluded.
    range: Range<usize>,
    /// Width without trailing spaces, in em.
    width: f32,
    /// Width of the trailing spaces, in em.
    space: f32,
    /// A hard line break follows.
    hard_break: bool,
}

/// A block shaped once, ready to be broken into lines at any size.
#[derive(Debug)]
struct Prepared {
    kind: BlockKind,
    part: Part,
    depth: usize,
    /// Size relative to the body size.
    scale: f32,
    /// The smallest `scale` may become to keep the block on one line.
    min_scale: f32,
    /// Line height as a multiple of the block's size.
    line_height: f32,
    align: Align,
    text: String,
    /// Byte ranges of the runs and their faces.
    runs: Vec<(Range<usize>, FontRole, RunStyle)>,
    segments: Vec<Segment>,
    marker: Option<(String, f32)>,
}

fn role_for(style: RunStyle) -> FontRole {
    match (style.bold, style.italic) {
        (true, true) => FontRole::BoldItalic,
        (true, false) => FontRole::Bold,
        (false, true) => FontRole::Italic,
        (false, false) => FontRole::Body,
    }
}

fn prepare(m: &Measurer, settings: &TextSettings, content: Content) -> Result<Vec<Prepared>, LayoutError> {
    let mut out = Vec::new();
    let script = |text: &str, part: Part, scale: f32, align: Align| -> Result<Prepared, LayoutError> {
        let runs = vec![(text.trim().to_string(), RunStyle::default())];
        let mut block = prepare_block(m, BlockKind::Paragraph, 0, Some(FontRole::Script), &runs)?;
        block.part = part;
        block.scale = scale;
        block.min_scale = (scale * 0.65).max(1.0);
        block.line_height = 1.2;
        block.align = align;
        Ok(block)
    };
    if let Some(title) = content.title.filter(|t| !t.trim().is_empty()) {
        out.push(script(title, Part::Title, settings.title_scale, settings.align)?);
    }
    for block in &content.text.blocks {
        let (scale, role) = match block.kind {
            BlockKind::Heading(1) => (1.6, Some(FontRole::Display)),
            BlockKind::Heading(2) => (1.35, Some(FontRole::Display)),
            BlockKind::Heading(_) => (1.15, Some(FontRole::Display)),
            _ => (1.0, None),
        };
        let runs: Vec<(String, RunStyle)> = block.runs.iter().map(|r| (r.text.clone(), r.style)).collect();
        let mut prepared = prepare_block(m, block.kind.clone(), block.depth, role, &runs)?;
        prepared.scale = scale;
        prepared.min_scale = scale;
        prepared.align = settings.align;
        prepared.line_height = if role.is_some() { 1.2 } else { settings.line_height };
        if let BlockKind::ListItem { marker } = &block.kind {
            let width = m.width_em(FontRole::Body, marker)?;
            prepared.marker = Some((marker.clone(), width));
        }
        out.push(prepared);
    }
    if let Some(signature) = content.signature.filter(|t| !t.trim().is_empty()) {
        out.push(script(signature, Part::Signature, settings.signature_scale, Align::Right)?);
    }
    Ok(out)
}

fn prepare_block(
    m: &Measurer,
    kind: BlockKind,
    depth: usize,
    role_override: Option<FontRole>,
    runs: &[(String, RunStyle)],
) -> Result<Prepared, LayoutError> {
    let mut text = String::new();
    let mut ranges = Vec::new();
    for (run_text, style) in runs {
        let start = text.len();
        text.push_str(run_text);
        let role = role_override.unwrap_or_else(|| role_for(*style));
        ranges.push((start..text.len(), role, *style));
    }
    let mut segments = Vec::new();
    let mut start = 0;
    for (end, opportunity) in unicode_linebreak::linebreaks(&text) {
        let slice = &text[start..end];
        let hard_break = opportunity == BreakOpportunity::Mandatory && slice.ends_with('\n');
        let trimmed = slice.trim_end_matches([' ', '\n']);
        let range = start..start + trimmed.len();
        let spaces = slice[trimmed.len()..].matches(' ').count();
        let mut width = 0.0;
        let mut space = 0.0;
        for (run, role, _) in &ranges {
            let lo = run.start.max(range.start);
            let hi = run.end.min(range.end);
            if lo < hi {
                width += m.width_em(*role, &text[lo..hi])?;
            }
            if spaces > 0 && run.start <= range.end && range.end < run.end {
                space = m.width_em(*role, " ")? * spaces as f32;
            }
        }
        if !range.is_empty() || hard_break {
            segments.push(Segment { range, width, space, hard_break });
        }
        start = end;
    }
    Ok(Prepared {
        kind,
        part: Part::Body,
        depth,
        scale: 1.0,
        min_scale: 1.0,
        line_height: 1.0,
        align: Align::Left,
        text,
        runs: ranges,
        segments,
        marker: None,
    })
}

/// Lays blocks out at body size `size_pt`. With `balance`, breaks are chosen
/// per paragraph for even lines; without, greedily (same line count, faster).
fn arrange(
    blocks: &[Prepared],
    settings: &TextSettings,
    frame: Frame,
    size_pt: f32,
    balance: bool,
) -> Result<Layout, LayoutError> {
    let body_px = size_pt * frame.px_per_pt;
    let indent_em = 1.3;
    let mut lines = Vec::new();
    let mut y = 0.0f32;
    for (i, block) in blocks.iter().enumerate() {
        // A script line shrinks (down to its minimum) rather than wrap.
        let natural = line_width(&block.segments) * body_px;
        let scale = if natural * block.scale > frame.width && natural > 0.0 {
            (frame.width / natural).clamp(block.min_scale.min(block.scale), block.scale)
        } else {
            block.scale
        };
        let size = body_px * scale;
        let line_h = size * block.line_height;
        if i > 0 {
            let gap = match (&blocks[i - 1].kind, &block.kind, block.part) {
                (_, _, Part::Signature) => 0.6,
                (BlockKind::ListItem { .. } | BlockKind::ListContinuation, BlockKind::ListItem { .. }, _) => 0.15,
                _ => settings.paragraph_gap,
            };
            y += body_px * settings.line_height * gap;
        }
        if block.kind == BlockKind::Rule {
            lines.push(Line {
                kind: LineKind::Rule,
                x: 0.0,
                baseline: y + line_h * 0.5,
                size,
                width: frame.width,
                marker: None,
                part: block.part,
                align: Align::Center,
            });
            y += line_h;
            continue;
        }
        let indent = if block.depth > 0 { size * indent_em * block.depth as f32 } else { 0.0 };
        let max_em = (frame.width - indent) / size;
        for seg in &block.segments {
            if seg.width > max_em + 1e-4 {
                return Err(LayoutError::WordTooWide {
                    word: block.text[seg.range.clone()].to_string(),
                    min_size: settings.min_size,
                });
            }
        }
        let breaks =
            if balance { balanced_breaks(&block.segments, max_em) } else { greedy_breaks(&block.segments, max_em) };
        let mut first = true;
        let mut start = 0;
        for end in breaks {
            let segs = &block.segments[start..end];
            let width_em = line_width(segs);
            let baseline = y + size * (block.line_height - 1.0) / 2.0 + size * 0.82;
            let free = frame.width - indent - width_em * size;
            let x = indent
                + match block.align {
                    Align::Left => 0.0,
                    Align::Center => free / 2.0,
                    Align::Right => free,
                };
            let marker = match (&block.marker, first) {
                (Some((marker, width)), true) => Some((marker.clone(), x - size * 0.45 - width * size)),
                _ => None,
            };
            lines.push(Line {
                kind: LineKind::Text(pieces(block, segs)),
                x,
                baseline,
                size,
                width: width_em * size,
                marker,
                part: block.part,
                align: block.align,
            });
            y += line_h;
            first = false;
            start = end;
        }
    }
    Ok(Layout { lines, size_pt, height: y })
}

/// Width of a line made of `segs`, in em: the last segment's spaces hang.
fn line_width(segs: &[Segment]) -> f32 {
    match segs.split_last() {
        Some((last, rest)) => rest.iter().map(|s| s.width + s.space).sum::<f32>() + last.width,
        None => 0.0,
    }
}

/// The pieces (one per face run) of a line made of `segs`.
fn pieces(block: &Prepared, segs: &[Segment]) -> Vec<Piece> {
    let (Some(first), Some(last)) = (segs.first(), segs.last()) else {
        return Vec::new();
    };
    let range = first.range.start..last.range.end;
    let mut out = Vec::new();
    for (run, role, style) in &block.runs {
        let lo = run.start.max(range.start);
        let hi = run.end.min(range.end);
        if lo >= hi {
            continue;
        }
        let text: String = block.text[lo..hi].chars().filter(|c| *c != '\n').collect();
        if text.is_empty() {
            continue;
        }
        out.push(Piece { text, role: *role, accent: style.accent, underline: style.underline });
    }
    out
}

/// Line ends (exclusive segment indices) filling each line as far as it goes.
fn greedy_breaks(segs: &[Segment], max: f32) -> Vec<usize> {
    let mut breaks = Vec::new();
    let mut width = 0.0;
    let mut start = 0;
    for (i, seg) in segs.iter().enumerate() {
        if i > start && width + seg.width > max + 1e-4 {
            breaks.push(i);
            start = i;
            width = 0.0;
        }
        width += seg.width + seg.space;
        if seg.hard_break {
            breaks.push(i + 1);
            start = i + 1;
            width = 0.0;
        }
    }
    if breaks.last() != Some(&segs.len()) && start < segs.len() {
        breaks.push(segs.len());
    }
    breaks
}

/// Line ends chosen over each stretch between hard breaks, with as many lines
/// as the greedy breaks use but the raggedness spread evenly and no stub or
/// lone word on the last line where that can be avoided.
fn balanced_breaks(segs: &[Segment], max: f32) -> Vec<usize> {
    let mut breaks = Vec::new();
    let mut start = 0;
    while start < segs.len() {
        let end = segs[start..].iter().position(|s| s.hard_break).map_or(segs.len(), |p| start + p + 1);
        let group = &segs[start..end];
        let count = greedy_breaks(group, max).len();
        let chosen = best_breaks(group, max, count).unwrap_or_else(|| greedy_breaks(group, max));
        breaks.extend(chosen.into_iter().map(|b| b + start));
        start = end;
    }
    breaks
}

/// Minimum-raggedness breaks of `segs` into exactly `count` lines.
fn best_breaks(segs: &[Segment], max: f32, count: usize) -> Option<Vec<usize>> {
    let n = segs.len();
    if count <= 1 || n > 2000 {
        return None;
    }
    let cost = |i: usize, j: usize| -> f32 {
        let width = line_width(&segs[i..j]);
        if width > max + 1e-4 {
            return f32::INFINITY;
        }
        if j == n {
            // The last line may be short, but not a stub or a lone word.
            let stub = (0.55 * max - width).max(0.0);
            let lone = if j - i == 1 { max * max * 0.5 } else { 0.0 };
            stub * stub * 2.0 + lone
        } else {
            (max - width) * (max - width)
        }
    };
    // best[l][j]: cheapest way to set segs[..j] in l lines, and where the last line starts.
    let mut best = vec![vec![(f32::INFINITY, 0usize); n + 1]; count + 1];
    best[0][0] = (0.0, 0);
    for l in 1..=count {
        for j in 1..=n {
            for i in (l - 1..j).rev() {
                let prev = best[l - 1][i].0;
                if !prev.is_finite() {
                    continue;
                }
                let c = cost(i, j);
                if !c.is_finite() {
                    break; // wider lines only get wider
                }
                if prev + c < best[l][j].0 {
                    best[l][j] = (prev + c, i);
                }
            }
        }
    }
    if !best[count][n].0.is_finite() {
        return None;
    }
    let mut ends = Vec::with_capacity(count);
    let mut j = n;
    for l in (1..=count).rev() {
        ends.push(j);
        j = best[l][j].1;
    }
    ends.reverse();
    Some(ends)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(width: f32) -> Segment {
        Segment { range: 0..0, width, space: 0.25, hard_break: false }
    }

    #[test]
    fn greedy_fills_lines() {
        let segs: Vec<_> = [2.0, 2.0, 2.0, 2.0].into_iter().map(seg).collect();
        assert_eq!(greedy_breaks(&segs, 4.5), vec![2, 4]);
    }

    #[test]
    fn balanced_avoids_a_lone_last_word() {
        // Greedy: [3 words][1 word]; balanced: [2][2].
        let segs: Vec<_> = [1.0, 1.0, 1.0, 1.0].into_iter().map(seg).collect();
        assert_eq!(greedy_breaks(&segs, 3.6), vec![3, 4]);
        assert_eq!(balanced_breaks(&segs, 3.6), vec![2, 4]);
    }

    #[test]
    fn hard_breaks_are_kept() {
        let mut segs: Vec<_> = [1.0, 1.0, 1.0].into_iter().map(seg).collect();
        segs[0].hard_break = true;
        assert_eq!(greedy_breaks(&segs, 10.0), vec![1, 3]);
        assert_eq!(balanced_breaks(&segs, 10.0), vec![1, 3]);
    }
}
