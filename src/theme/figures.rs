//! The figures a theme's faces draw: a face whose own digits are old-style
//! (Cormorant Garamond's "1" is a small "I") gets lining ones, so "1 pattern
//! booklet" and a list's "1." read as numbers.
//!
//! usvg, which draws the card, applies no OpenType features but kerning, so
//! the choice cannot be made when drawing: the digits' entries in the font's
//! character map are pointed at the glyphs the `lnum` (or `onum`) feature
//! would choose, once, when the theme loads. Every output then draws and
//! measures the same glyphs: the PNG, the SVG, the PDF and the web font.
//! Only the character map changes; a face without the feature is left as it
//! is.

use harfrust::{Feature, FontRef, ShapeOptions, ShaperData, Tag, UnicodeBuffer};
use skrifa::MetadataProvider;

use super::{Figures, FileBytes};

const DIGITS: &str = "0123456789";

/// The font `data` with its digits mapped to the glyphs `figures` asks for,
/// or `data` itself when the font already draws them (or cannot be changed
/// safely: a collection, or a font with variation sequences, which the new
/// character map would lose).
pub(super) fn freeze(data: FileBytes, figures: Figures) -> FileBytes {
    let tag = match figures {
        Figures::Lining => Tag::new(b"lnum"),
        Figures::Oldstyle => Tag::new(b"onum"),
        Figures::Font => return data,
    };
    match remapped(&data, tag) {
        Some(bytes) => FileBytes::from(bytes),
        None => data,
    }
}

/// The font with the digits the feature `tag` substitutes mapped to their
/// substitutes, if it substitutes any.
fn remapped(data: &[u8], tag: Tag) -> Option<Vec<u8>> {
    let font = FontRef::new(data).ok()?;
    let charmap = font.charmap();
    if charmap.has_variant_map() {
        return None;
    }
    let changed = substitutes(&font, tag)?;
    let mappings = charmap.mappings().filter_map(|(c, glyph)| {
        let c = char::from_u32(c)?;
        let glyph = changed.iter().find(|(d, _)| *d == c).map_or(glyph.to_u32(), |(_, g)| *g);
        Some((c, write_fonts::types::GlyphId::new(glyph)))
    });
    let cmap = write_fonts::tables::cmap::Cmap::from_mappings(mappings).ok()?;
    let mut builder = write_fonts::FontBuilder::new();
    builder.add_table(&cmap).ok()?;
    for record in font.table_directory().table_records() {
        let tag = record.tag();
        if tag != Tag::new(b"cmap") {
            let table = font.table_data(tag)?;
            builder.add_raw(write_fonts::types::Tag::new(&tag.to_be_bytes()), table.as_bytes().to_vec());
        }
    }
    Some(builder.build())
}

/// The digits whose glyph the feature `tag` changes, with the new glyph;
/// `None` when it changes none.
fn substitutes(font: &FontRef, tag: Tag) -> Option<Vec<(char, u32)>> {
    let data = ShaperData::new(font);
    let shaper = data.shaper(font).build();
    let glyphs = |features: &[Feature]| -> Vec<u32> {
        let mut buffer = UnicodeBuffer::new();
        buffer.push_str(DIGITS);
        buffer.guess_segment_properties();
        let output = shaper.shape(buffer, ShapeOptions::new().features(features));
        output.glyph_infos().iter().map(|g| g.glyph_id).collect()
    };
    let (own, asked) = (glyphs(&[]), glyphs(&[Feature::new(tag, 1, ..)]));
    // One glyph per digit both ways, or the font does something else with
    // digits (a ligature, a contextual form) that one map cannot hold.
    if own.len() != DIGITS.len() || asked.len() != DIGITS.len() {
        return None;
    }
    let changed: Vec<(char, u32)> =
        DIGITS.chars().zip(own.iter().zip(&asked)).filter(|(_, (a, b))| a != b).map(|(d, (_, b))| (d, *b)).collect();
    (!changed.is_empty()).then_some(changed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use read_fonts::TableProvider;

    fn glyph_of(data: &[u8], c: char) -> u32 {
        FontRef::new(data).unwrap().charmap().map(c).unwrap().to_u32()
    }

    fn classic_body() -> FileBytes {
        let files = crate::theme::built_in_files("classic").unwrap();
        let (_, bytes) = files.iter().find(|(path, _)| path.ends_with("CormorantGaramond-Medium.ttf")).unwrap();
        FileBytes::from(bytes.to_vec())
    }

    #[test]
    fn old_style_digits_become_lining_ones() {
        let own = classic_body();
        let font = FontRef::new(&own).unwrap();
        let lining = substitutes(&font, Tag::new(b"lnum")).expect("Cormorant Garamond has lining figures");
        let frozen = freeze(own.clone(), Figures::Lining);
        for c in DIGITS.chars() {
            let want = lining.iter().find(|(d, _)| *d == c).map_or(glyph_of(&own, c), |(_, g)| *g);
            assert_eq!(glyph_of(&frozen, c), want, "{c}");
        }
        assert_ne!(glyph_of(&frozen, '1'), glyph_of(&own, '1'), "the old-style 1 is gone");
        // Everything else is drawn as before.
        for c in "AIl pattern booklet".chars() {
            assert_eq!(glyph_of(&frozen, c), glyph_of(&own, c), "{c}");
        }
        assert_eq!(
            FontRef::new(&frozen).unwrap().glyf().unwrap().offset_data().len(),
            font.glyf().unwrap().offset_data().len()
        );
    }

    #[test]
    fn a_face_already_lining_or_asked_to_keep_its_figures_is_unchanged() {
        let own = classic_body();
        assert!(FileBytes::same(&freeze(own.clone(), Figures::Font), &own));
        let files = crate::theme::built_in_files("chocolate").unwrap();
        let (_, garamond) = files.iter().find(|(path, _)| path.ends_with("EBGaramond-Regular.ttf")).unwrap();
        let garamond = FileBytes::from(garamond.to_vec());
        assert!(
            FileBytes::same(&freeze(garamond.clone(), Figures::Lining), &garamond),
            "EB Garamond's digits are lining"
        );
    }
}
