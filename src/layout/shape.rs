//! Shaping and font choice: which face draws each character, and how wide
//! text is in that face.
//!
//! Each grapheme goes to the first face that has all its characters: the
//! run's own face, then the italic face (for script and display faces that lack
//! Greek or Cyrillic), then the theme's fallbacks in order, with colour emoji
//! fonts first for emoji. Spaces, digits and punctuation between the letters
//! of a fallback face (an Arabic or a Japanese sentence in a Latin theme) go
//! to that face too, so a sentence is set in one face. Widths come from
//! harfrust, the shaper usvg uses, on the same font bytes, so they are what
//! resvg draws; ink extents come from the glyphs' bounding boxes.

use std::cell::{Cell, OnceCell};
use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::sync::{Arc, RwLock};

use harfrust::{Direction, FontRef, Script, ShapeOptions, ShapePlan, Shaper, ShaperData, UnicodeBuffer};
use read_fonts::tables::cmap::Cmap;
use read_fonts::TableProvider;
use skrifa::metrics::GlyphMetrics;
use skrifa::MetadataProvider;
use unicode_segmentation::UnicodeSegmentation;

use super::LayoutError;
use crate::theme::{FaceKey, FontRole, Theme};

/// One face ready to shape with.
struct Shaping<'t> {
    font: FontRef<'t>,
    data: &'t ShaperData,
    /// Made on first use: most messages use a few of a theme's faces.
    shaper: OnceCell<Shaper<'t>>,
    /// The glyphs' bounding boxes, in font units; made on first use.
    bounds: OnceCell<GlyphMetrics<'t>>,
    cmap: Option<Cmap<'t>>,
    upem: f32,
    color: bool,
    /// The characters of the face looked up so far.
    coverage: Coverage,
}

impl<'t> Shaping<'t> {
    fn shaper(&self) -> &Shaper<'t> {
        self.shaper.get_or_init(|| self.data.shaper(&self.font).build())
    }

    fn bounds(&self) -> &GlyphMetrics<'t> {
        self.bounds.get_or_init(|| {
            self.font.glyph_metrics(skrifa::instance::Size::unscaled(), skrifa::instance::LocationRef::default())
        })
    }
}

/// What shaping a word tells: its advance and how far its ink runs past
/// either end of the advance, in em.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(super) struct Metrics {
    /// The advance.
    pub width: f32,
    /// How far the ink starts left of the advance's left end (0 if it does not).
    pub ink_left: f32,
    /// How far the ink ends right of the advance's right end (0 if it does not).
    pub ink_right: f32,
}

/// Whether a face has each character below U+0800 (Latin, Greek, Cyrillic,
/// Hebrew, Arabic), looked up in its cmap on first use: a message asks
/// about the same few dozen characters hundreds of times.
#[derive(Default)]
struct Coverage {
    /// One bit per character: looked up.
    known: [Cell<u64>; 32],
    /// One bit per character: the face has it.
    has: [Cell<u64>; 32],
}

impl Coverage {
    /// Whether the face has `c`, from `look_up` the first time.
    fn get(&self, c: char, look_up: impl FnOnce() -> bool) -> bool {
        let (word, bit) = (c as usize / 64, 1u64 << (c as usize % 64));
        if word >= self.known.len() {
            return look_up();
        }
        if self.known[word].get() & bit == 0 {
            let has = if look_up() { bit } else { 0 };
            self.known[word].set(self.known[word].get() | bit);
            self.has[word].set(self.has[word].get() | has);
        }
        self.has[word].get() & bit != 0
    }
}

/// Shapes text with a theme's faces.
pub(super) struct Measurer<'t> {
    faces: BTreeMap<FaceKey, Shaping<'t>>,
    fallbacks: Vec<FaceKey>,
    /// Widths and plans from earlier cards of the theme.
    widths: Arc<WidthCache>,
    /// The buffer of the last shaping, emptied, for the next one.
    buffer: Cell<Option<UnicodeBuffer>>,
}

/// What measuring learns about a theme's faces, shared by every card of the
/// theme: the advances in em of words (most words of a site recur, and a
/// look-up costs a fraction of shaping) and the shape plans.
#[derive(Default)]
pub struct WidthCache {
    widths: RwLock<WordMap<FaceKey, WordMap<Box<str>, Metrics>>>,
    /// Shape plans by face, direction and script: making one costs more
    /// than shaping a line with it, and every card needs the same few.
    plans: RwLock<HashMap<(FaceKey, Direction, Script), Arc<ShapePlan>>>,
}

/// The advance of `text` set in the face of `role` of `theme`, in em: for
/// a few words set outside the text box (a QR code's label).
pub fn width_em(theme: &Theme, role: FontRole, text: &str) -> Result<f32, LayoutError> {
    Ok(Measurer::new(theme)?.width_em(FaceKey::Role(role), text))
}

/// A glyph as the shaper sets it, in font units from the start of its run:
/// its id and the point its outline is drawn from (the advances before it
/// and its own offset; `y` up).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SetGlyph {
    /// The glyph's id in its face.
    pub id: u32,
    /// Across, from the run's start.
    pub x: i32,
    /// Up, from the baseline.
    pub y: i32,
}

/// Sets runs of left-to-right text in a theme's faces for drawing, glyph by
/// glyph, as usvg sets a `<tspan>` (the same shaper, plan and font bytes).
pub struct Setter<'t>(Measurer<'t>);

impl<'t> Setter<'t> {
    /// A setter of `theme`'s faces.
    pub fn new(theme: &'t Theme) -> Result<Setter<'t>, LayoutError> {
        Measurer::new(theme).map(Setter)
    }

    /// `text` set left to right in face `key`, its glyphs into `out`
    /// (emptied first); its advance in font units.
    pub fn set(&self, key: FaceKey, text: &str, out: &mut Vec<SetGlyph>) -> i32 {
        out.clear();
        let measurer = &self.0;
        let Some(face) = measurer.faces.get(&key) else { return 0 };
        let mut buffer = measurer.buffer.take().unwrap_or_default();
        buffer.push_str(text);
        buffer.set_direction(Direction::LeftToRight);
        buffer.guess_segment_properties();
        let plan = measurer.plan(key, buffer.direction(), buffer.script());
        let output = face.shaper().shape(buffer, ShapeOptions::new().plan(Some(&plan)));
        let mut pen = 0;
        for (info, position) in output.glyph_infos().iter().zip(output.glyph_positions()) {
            out.push(SetGlyph { id: info.glyph_id, x: pen + position.x_offset, y: position.y_offset });
            pen += position.x_advance;
        }
        measurer.buffer.set(Some(output.clear()));
        pen
    }
}

/// A hash map with FxHash, the hash rustc uses for its own tables: several
/// times faster than the standard SipHash on a short word, and every word of
/// a message is looked up. Resistance to crafted collisions is not needed for
/// the words of one's own cards.
type WordMap<K, V> = rustc_hash::FxHashMap<K, V>;

impl<'t> Measurer<'t> {
    pub(super) fn new(theme: &'t Theme) -> Result<Self, LayoutError> {
        let mut faces = BTreeMap::new();
        for (key, face) in theme.all_faces() {
            let font =
                FontRef::from_index(&face.data, face.index).map_err(|_| LayoutError::BadFont(face.file.clone()))?;
            let cmap = font.cmap().ok();
            let color = font.colr().is_ok() || font.cbdt().is_ok() || font.sbix().is_ok();
            let upem = face.units_per_em as f32;
            let (shaper, bounds) = (OnceCell::new(), OnceCell::new());
            let coverage = Coverage::default();
            faces.insert(key, Shaping { font, data: &face.shaper, shaper, bounds, cmap, upem, color, coverage });
        }
        let fallbacks = (0..theme.fallbacks.len()).map(FaceKey::Fallback).collect();
        Ok(Measurer { faces, fallbacks, widths: theme.caches.get_or_default::<WidthCache>(), buffer: Cell::default() })
    }

    fn covers(&self, key: FaceKey, c: char) -> bool {
        let Some(face) = self.faces.get(&key) else {
            return false;
        };
        face.coverage
            .get(c, || face.cmap.as_ref().is_some_and(|cmap| cmap.map_codepoint(c).is_some_and(|g| g.to_u32() != 0)))
    }

    /// Splits `text` (set in `key`'s face) into ranges by the face that draws
    /// them, and lists the characters no face has.
    pub(super) fn assign(&self, key: FaceKey, text: &str, base: usize) -> (Vec<(Range<usize>, FaceKey)>, Vec<char>) {
        let mut out: Vec<(Range<usize>, FaceKey)> = Vec::new();
        let mut missing = Vec::new();
        for_each_grapheme(text, |offset, grapheme| {
            let emoji = is_emoji(grapheme);
            // Almost always the run's own face, the first candidate for
            // anything but emoji, has the grapheme: no list to build.
            let own = !emoji && grapheme.chars().filter(|c| !is_invisible(*c)).all(|c| self.covers(key, c));
            let face = if own { key } else { self.other_face(key, grapheme, emoji, &mut missing) };
            let range = base + offset..base + offset + grapheme.len();
            match out.last_mut() {
                Some((r, k)) if *k == face && r.end == range.start => r.end = range.end,
                _ => out.push((range, face)),
            }
        });
        if out.len() > 1 && out.iter().any(|(_, face)| *face == key) {
            out = self.neutrals_join_their_script(key, text, base, out);
        }
        (out, missing)
    }

    /// Gives spaces, digits and punctuation (`key`'s by default) to the
    /// fallback face drawing the letters on both sides of them (or on the
    /// one side they have, at either end of the run), when it has them: an
    /// Arabic sentence's spaces and full stop are Arabic, not the width of
    /// the theme's typewriter face. Neighbouring ranges of one face are
    /// joined.
    fn neutrals_join_their_script(
        &self,
        key: FaceKey,
        text: &str,
        base: usize,
        ranges: Vec<(Range<usize>, FaceKey)>,
    ) -> Vec<(Range<usize>, FaceKey)> {
        let neutral = |r: &Range<usize>| {
            let t = &text[r.start - base..r.end - base];
            !is_emoji(t) && !t.chars().any(char::is_alphabetic)
        };
        let script = |face: Option<&(Range<usize>, FaceKey)>| {
            face.map(|(_, f)| *f).filter(|f| *f != key && !self.faces[f].color)
        };
        let mut out: Vec<(Range<usize>, FaceKey)> = Vec::with_capacity(ranges.len());
        for (i, (range, face)) in ranges.iter().enumerate() {
            let mut face = *face;
            if face == key && neutral(range) {
                let (before, after) = (script(i.checked_sub(1).and_then(|j| ranges.get(j))), script(ranges.get(i + 1)));
                let around = match (before, after) {
                    (Some(b), Some(a)) if a == b => Some(a),
                    (Some(b), None) if i + 1 == ranges.len() => Some(b),
                    (None, Some(a)) if i == 0 => Some(a),
                    _ => None,
                };
                let covered = |f: FaceKey| {
                    text[range.start - base..range.end - base]
                        .chars()
                        .filter(|c| !is_invisible(*c))
                        .all(|c| self.covers(f, c))
                };
                face = around.filter(|f| covered(*f)).unwrap_or(face);
            }
            match out.last_mut() {
                Some((r, k)) if *k == face && r.end == range.start => r.end = range.end,
                _ => out.push((range.clone(), face)),
            }
        }
        out
    }

    /// The face that draws `grapheme` when it is an emoji or `key`'s face
    /// lacks one of its characters, noting the characters no face has.
    fn other_face(&self, key: FaceKey, grapheme: &str, emoji: bool, missing: &mut Vec<char>) -> FaceKey {
        let needed: Vec<char> = grapheme.chars().filter(|c| !is_invisible(*c)).collect();
        let mut candidates = Vec::with_capacity(self.fallbacks.len() + 2);
        if emoji {
            candidates.extend(self.fallbacks.iter().filter(|k| self.faces[k].color));
        }
        candidates.push(key);
        if matches!(key, FaceKey::Role(FontRole::Script | FontRole::Display)) {
            // Of the text faces, italic is closest to a hand.
            candidates.push(FaceKey::Role(FontRole::Italic));
        }
        candidates.extend(self.fallbacks.iter().copied());
        let chosen = candidates.into_iter().find(|k| needed.iter().all(|c| self.covers(*k, *c)));
        chosen.unwrap_or_else(|| {
            missing.extend(needed.iter().filter(|c| !self.covers(key, **c)));
            key
        })
    }

    /// The advance of `text` in a face, in em.
    pub(super) fn width_em(&self, key: FaceKey, text: &str) -> f32 {
        self.metrics(key, text).width
    }

    /// The advance of `text` in a face and how far its ink runs past it, in em.
    pub(super) fn metrics(&self, key: FaceKey, text: &str) -> Metrics {
        if text.is_empty() {
            return Metrics::default();
        }
        // Words recur, and so does the space measured after each of them;
        // whole lines (measured once, at the end) do not, and are neither
        // looked up nor kept.
        let recurs = text == " " || !text.contains(' ');
        if recurs {
            let widths = self.widths.widths.read().expect("no panics while holding the lock");
            if let Some(metrics) = widths.get(&key).and_then(|m| m.get(text)) {
                return *metrics;
            }
        }
        let metrics = self.shape(key, text);
        if recurs {
            let mut widths = self.widths.widths.write().expect("no panics while holding the lock");
            widths.entry(key).or_default().insert(text.into(), metrics);
        }
        metrics
    }

    /// The height of a face's capitals, in em: the ink of its "H" (a
    /// script face's stated cap height can be well short of its capitals),
    /// else OS/2's cap height, else 0.7 em. What the eye compares when it
    /// ranks a title over a signature set in another face.
    pub(super) fn cap_height_em(&self, key: FaceKey) -> f32 {
        let Some(face) = self.faces.get(&key) else {
            return 0.7;
        };
        let ink = || {
            let glyph = face.cmap.as_ref()?.map_codepoint('H')?;
            let outline = face.font.loca(None).ok()?.get_glyf(glyph, &face.font.glyf().ok()?).ok()??;
            Some(outline.y_max())
        };
        let stated = || face.font.os2().ok().and_then(|os2| os2.s_cap_height());
        ink().or_else(stated).filter(|c| *c > 0).map_or(0.7, |c| c as f32 / face.upem)
    }

    /// The end of each grapheme of `text`, with the width of the text up
    /// to it and the grapheme's own ink past its ends, in em (each measured
    /// alone: good enough to split a word that cannot fit).
    pub(super) fn graphemes(&self, key: FaceKey, text: &str) -> Vec<(usize, Metrics)> {
        let mut width = 0.0;
        text.grapheme_indices(true)
            .map(|(i, g)| {
                let metrics = self.metrics(key, g);
                width += metrics.width;
                (i + g.len(), Metrics { width, ..metrics })
            })
            .collect()
    }

    /// `text` shaped in a face: its advance, and where its glyphs' ink
    /// starts and ends (from their bounding boxes) against it.
    fn shape(&self, key: FaceKey, text: &str) -> Metrics {
        let face = &self.faces[&key];
        let shaper = face.shaper();
        let mut buffer = self.buffer.take().unwrap_or_default();
        buffer.push_str(text);
        buffer.guess_segment_properties();
        let plan = self.plan(key, buffer.direction(), buffer.script());
        let output = shaper.shape(buffer, ShapeOptions::new().plan(Some(&plan)));
        let (mut pen, mut ink_min, mut ink_max) = (0i64, f32::INFINITY, f32::NEG_INFINITY);
        for (info, position) in output.glyph_infos().iter().zip(output.glyph_positions()) {
            let at = (pen + position.x_offset as i64) as f32;
            // A glyph with no outline (a space) has no ink.
            if let Some(b) = face.bounds().bounds(info.glyph_id.into()).filter(|b| b.x_max > b.x_min) {
                ink_min = ink_min.min(at + b.x_min);
                ink_max = ink_max.max(at + b.x_max);
            }
            pen += position.x_advance as i64;
        }
        self.buffer.set(Some(output.clear()));
        let upem = face.upem;
        let (ink_left, ink_right) =
            if ink_min <= ink_max { ((-ink_min).max(0.0), (ink_max - pen as f32).max(0.0)) } else { (0.0, 0.0) };
        Metrics { width: pen as f32 / upem, ink_left: ink_left / upem, ink_right: ink_right / upem }
    }

    /// The theme's plan for shaping in a face, made on first use.
    fn plan(&self, key: FaceKey, direction: Direction, script: Script) -> Arc<ShapePlan> {
        let plan_key = (key, direction, script);
        let known = self.widths.plans.read().expect("no panics while holding the lock").get(&plan_key).cloned();
        known.unwrap_or_else(|| {
            let plan = Arc::new(ShapePlan::new(self.faces[&key].shaper(), direction, Some(script), None, &[]));
            let mut plans = self.widths.plans.write().expect("no panics while holding the lock");
            plans.entry(plan_key).or_insert(plan).clone()
        })
    }
}

/// Calls `visit` with each grapheme of `text` and its offset, as
/// `grapheme_indices(true)` gives them, but without that iterator's table
/// look-ups between two ASCII characters: there is always a boundary
/// between them (UAX #29), except between CR and LF.
fn for_each_grapheme<'a>(text: &'a str, mut visit: impl FnMut(usize, &'a str)) {
    let bytes = text.as_bytes();
    let certain = |at: usize| {
        let (before, after) = (bytes[at - 1], bytes[at]);
        before.is_ascii() && after.is_ascii() && (before, after) != (b'\r', b'\n')
    };
    let mut start = 0;
    while start < bytes.len() {
        // The stretch up to the next certain boundary: one ASCII character,
        // or a cluster (and its neighbours) that needs the tables.
        let end = (start + 1..bytes.len()).find(|&at| certain(at)).unwrap_or(bytes.len());
        let stretch = &text[start..end];
        if stretch.len() == 1 {
            visit(start, stretch);
        } else {
            stretch.grapheme_indices(true).for_each(|(offset, grapheme)| visit(start + offset, grapheme));
        }
        start = end;
    }
}

/// Characters that draw nothing of their own and need no glyph of a face:
/// joiners, variation selectors, controls.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200b}'..='\u{200f}' | '\u{fe00}'..='\u{fe0f}' | '\u{e0020}'..='\u{e007f}') || c.is_control()
}

/// Whether a grapheme asks for emoji presentation.
fn is_emoji(grapheme: &str) -> bool {
    grapheme.chars().any(|c| matches!(c, '\u{fe0f}' | '\u{200d}' | '\u{1f000}'..='\u{1faff}'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graphemes_are_those_of_unicode_segmentation() {
        for text in [
            "",
            "a",
            "plain words, and more.",
            "caf\u{e9} cafe\u{301} e\u{301}\u{302}x",
            "line\r\nnext\r\n\rx\n",
            "\u{600}1 prepend, \u{1f469}\u{200d}\u{1f469}\u{200d}\u{1f467} \u{1f1e9}\u{1f1ea}!",
            "\u{5e9}\u{5c1}\u{5b8}\u{5dc}\u{5d5}\u{5b9}\u{5dd} \u{645}\u{631}\u{62d}\u{628}\u{627} \u{915}\u{94d}\u{937}a",
        ] {
            let mut ours = Vec::new();
            for_each_grapheme(text, |offset, grapheme| ours.push((offset, grapheme)));
            assert_eq!(ours, text.grapheme_indices(true).collect::<Vec<_>>(), "{text:?}");
        }
    }

    fn kraft() -> Theme {
        crate::theme::load(std::path::Path::new("/nonexistent-site"), "kraft").unwrap()
    }

    /// The faces of `text` set in kraft's typewriter face, as (text, face).
    fn faces_of(theme: &Theme, text: &str) -> Vec<(String, FaceKey)> {
        let m = Measurer::new(theme).unwrap();
        let (ranges, missing) = m.assign(FaceKey::Role(FontRole::Body), text, 0);
        assert!(missing.is_empty(), "{missing:?}");
        ranges.into_iter().map(|(r, f)| (text[r].to_string(), f)).collect()
    }

    #[test]
    fn an_arabic_sentence_is_set_in_the_arabic_face_spaces_and_stops_included() {
        // Kraft's typewriter face has spaces and punctuation but no Arabic:
        // its 0.6 em spaces left holes between the Arabic words.
        let theme = kraft();
        let text = "\u{634}\u{643}\u{631}\u{627} \u{62c}\u{632}\u{64a}\u{644}\u{627}! \u{644}\u{642}\u{62f} 2026.";
        let faces = faces_of(&theme, text);
        assert_eq!(faces.len(), 1, "{faces:?}");
        assert!(matches!(faces[0].1, FaceKey::Fallback(_)), "{faces:?}");
        // A space measures what the Arabic face says, not the typewriter's.
        let m = Measurer::new(&theme).unwrap();
        let (arabic, body) = (m.width_em(faces[0].1, " "), m.width_em(FaceKey::Role(FontRole::Body), " "));
        assert!(arabic < body * 0.6, "{arabic} em, typewriter {body} em");
    }

    #[test]
    fn spaces_between_scripts_stay_in_the_run_s_own_face() {
        let theme = kraft();
        let faces = faces_of(
            &theme,
            "say \u{634}\u{643}\u{631}\u{627} and \u{3042}\u{308a}\u{304c}\u{3068}\u{3046}\u{3002} ok",
        );
        let texts: Vec<&str> = faces.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(
            texts,
            [
                "say ",
                "\u{634}\u{643}\u{631}\u{627}",
                " and ",
                "\u{3042}\u{308a}\u{304c}\u{3068}\u{3046}\u{3002}",
                " ok"
            ]
        );
        assert_eq!(faces[0].1, FaceKey::Role(FontRole::Body));
        assert_eq!(faces[2].1, FaceKey::Role(FontRole::Body));
    }

    #[test]
    fn ink_past_the_advance_is_measured() {
        // Caveat's pen strokes run past their advance; a space has no ink.
        let theme = kraft();
        let m = Measurer::new(&theme).unwrap();
        let script = m.metrics(FaceKey::Role(FontRole::Script), "kitchen");
        assert!(script.ink_right > 0.005, "{script:?}");
        assert_eq!(m.metrics(FaceKey::Role(FontRole::Body), " ").ink_right, 0.0);
    }

    #[test]
    fn emoji_and_invisible_characters_are_told_apart() {
        assert!(is_emoji("\u{2764}\u{fe0f}"));
        assert!(is_emoji("\u{1f389}"));
        assert!(!is_emoji("a"));
        assert!(is_invisible('\u{fe0f}'));
        assert!(!is_invisible('a'));
    }
}
