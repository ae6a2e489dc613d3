//! Shaping and font choice: which face draws each character, and how wide
//! text is in that face.
//!
//! Each grapheme goes to the first face that has all its characters: the
//! run's own face, then the italic face (for script and display faces that lack
//! Greek or Cyrillic), then the theme's fallbacks in order, with colour emoji
//! fonts first for emoji. Widths come from harfrust, the shaper usvg uses, on
//! the same font bytes, so they are what resvg draws.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use harfrust::{Direction, FontRef, Script, ShapeOptions, ShapePlan, Shaper, UnicodeBuffer};
use read_fonts::tables::cmap::Cmap;
use read_fonts::TableProvider;
use unicode_segmentation::UnicodeSegmentation;

use super::LayoutError;
use crate::theme::{FaceKey, FontRole, Theme};

/// One face ready to shape with.
struct Shaping<'t> {
    shaper: Shaper<'t>,
    cmap: Option<Cmap<'t>>,
    upem: f32,
    color: bool,
}

/// Shapes text with a theme's faces.
pub(super) struct Measurer<'t> {
    faces: BTreeMap<FaceKey, Shaping<'t>>,
    fallbacks: Vec<FaceKey>,
    /// Shape plans by face, direction and script: making one costs more
    /// than shaping a word with it.
    plans: RefCell<HashMap<(FaceKey, Direction, Script), ShapePlan>>,
    /// Widths measured for earlier cards of the theme.
    widths: &'t WidthCache,
}

/// Advances in em of the words (and pieces) of a theme's cards, shared by
/// every card: most words of a site recur, and a look-up costs a fraction
/// of shaping.
#[derive(Default)]
pub struct WidthCache(std::sync::RwLock<HashMap<FaceKey, HashMap<Box<str>, f32>>>);

impl<'t> Measurer<'t> {
    pub(super) fn new(theme: &'t Theme) -> Result<Self, LayoutError> {
        let mut faces = BTreeMap::new();
        for (key, face) in theme.all_faces() {
            let font =
                FontRef::from_index(&face.data, face.index).map_err(|_| LayoutError::BadFont(face.file.clone()))?;
            let cmap = font.cmap().ok();
            let color = font.colr().is_ok() || font.cbdt().is_ok() || font.sbix().is_ok();
            let shaper = face.shaper.shaper(&font).build();
            faces.insert(key, Shaping { shaper, cmap, upem: face.units_per_em as f32, color });
        }
        let fallbacks = (0..theme.fallbacks.len()).map(FaceKey::Fallback).collect();
        Ok(Measurer { faces, fallbacks, plans: RefCell::default(), widths: &theme.widths })
    }

    fn covers(&self, key: FaceKey, c: char) -> bool {
        let Some(cmap) = self.faces.get(&key).and_then(|f| f.cmap.as_ref()) else {
            return false;
        };
        cmap.map_codepoint(c).is_some_and(|g| g.to_u32() != 0)
    }

    /// Splits `text` (set in `key`'s face) into ranges by the face that draws
    /// them, and lists the characters no face has.
    pub(super) fn assign(&self, key: FaceKey, text: &str, base: usize) -> (Vec<(Range<usize>, FaceKey)>, Vec<char>) {
        let mut out: Vec<(Range<usize>, FaceKey)> = Vec::new();
        let mut missing = Vec::new();
        for (offset, grapheme) in text.grapheme_indices(true) {
            let needed: Vec<char> = grapheme.chars().filter(|c| !is_invisible(*c)).collect();
            let emoji = is_emoji(grapheme);
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
            let face = chosen.unwrap_or_else(|| {
                missing.extend(needed.iter().filter(|c| !self.covers(key, **c)));
                key
            });
            let range = base + offset..base + offset + grapheme.len();
            match out.last_mut() {
                Some((r, k)) if *k == face && r.end == range.start => r.end = range.end,
                _ => out.push((range, face)),
            }
        }
        (out, missing)
    }

    /// The advance of `text` in a face, in em.
    pub(super) fn width_em(&self, key: FaceKey, text: &str) -> f32 {
        if text.is_empty() {
            return 0.0;
        }
        let cached = self
            .widths
            .0
            .read()
            .expect("no panics while holding the lock")
            .get(&key)
            .and_then(|m| m.get(text).copied());
        if let Some(width) = cached {
            return width;
        }
        let face = &self.faces[&key];
        let output = self.shape(key, text);
        let units: i64 = output.glyph_positions().iter().map(|p| p.x_advance as i64).sum();
        let width = units as f32 / face.upem;
        // Words recur; whole lines (measured once, at the end) do not.
        if !text.contains(' ') {
            let mut widths = self.widths.0.write().expect("no panics while holding the lock");
            widths.entry(key).or_default().insert(text.into(), width);
        }
        width
    }

    /// The cumulative width of `text` after each grapheme, in em (each
    /// measured alone: good enough to split a word that cannot fit).
    pub(super) fn grapheme_widths(&self, key: FaceKey, text: &str) -> Vec<(usize, f32)> {
        let mut width = 0.0;
        text.grapheme_indices(true)
            .map(|(i, g)| {
                width += self.width_em(key, g);
                (i + g.len(), width)
            })
            .collect()
    }

    fn shape(&self, key: FaceKey, text: &str) -> harfrust::GlyphBuffer {
        let shaper = &self.faces[&key].shaper;
        let mut buffer = UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.guess_segment_properties();
        let plan_key = (key, buffer.direction(), buffer.script());
        let mut plans = self.plans.borrow_mut();
        let plan =
            plans.entry(plan_key).or_insert_with(|| ShapePlan::new(shaper, plan_key.1, Some(plan_key.2), None, &[]));
        shaper.shape(buffer, ShapeOptions::new().plan(Some(plan)))
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
    fn emoji_and_invisible_characters_are_told_apart() {
        assert!(is_emoji("\u{2764}\u{fe0f}"));
        assert!(is_emoji("\u{1f389}"));
        assert!(!is_emoji("a"));
        assert!(is_invisible('\u{fe0f}'));
        assert!(!is_invisible('a'));
    }
}
