//! A card's lines of text set glyph by glyph for its PNG, so that usvg
//! neither parses, lays out nor flattens them: each `<text>` of the text
//! layer that can be set as usvg sets it (left to right, every glyph in its
//! own face, a static font of outlines or of plain colour layers, colours
//! in hex) becomes a [`Run`] of glyphs drawn from glyph pictures (see
//! [`super::glyphs`]), and is left out of what usvg parses. The others stay
//! `<text>` for usvg, as before. The glyphs are the shaper's usvg uses
//! (harfrust, on the same font bytes, with the same plan), at the pens the
//! layout gave.

use resvg::usvg::{fontdb, roxmltree};
use skrifa::MetadataProvider;

use crate::layout::{Piece, SetGlyph, Setter};
use crate::theme::{FaceKey, Theme};

/// A run of glyphs in one face, size and colour, set on the card.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// The face, in the theme's font database.
    pub font: fontdb::ID,
    /// Its units per em.
    pub units_per_em: u16,
    /// The font size, in the card's units.
    pub size: f32,
    /// The fill, straight RGBA.
    pub color: [u8; 4],
    /// Each glyph and its pen, in the card's units (`y` down).
    pub glyphs: Vec<(u32, f32, f32)>,
    /// The underline, as a rectangle in the card's units.
    pub underline: Option<tiny_skia::Rect>,
}

/// Sets a card's `<text>` elements as [`Run`]s, where it can.
pub struct Letterer<'t> {
    theme: &'t Theme,
    setter: Setter<'t>,
    /// The glyphs of the last piece set.
    set: Vec<SetGlyph>,
    /// Each face asked about so far, read, when runs can be set in it.
    faces: Vec<(FaceKey, Option<(skrifa::FontRef<'t>, super::glyphs::FontInfo)>)>,
    /// The runs set so far.
    pub runs: Vec<Run>,
}

/// One piece of a `<text>`, in one face and fill.
#[derive(Debug, Clone, Copy)]
pub struct Chunk<'a> {
    /// Its characters.
    pub text: &'a str,
    /// Its face.
    pub face: FaceKey,
    /// Its fill, when it is one [`hex`] reads.
    pub color: Option<[u8; 4]>,
    /// Whether it is underlined.
    pub underline: bool,
    /// Where it starts, in the card's units.
    pub x: f32,
}

impl<'a> Chunk<'a> {
    /// A laid-out piece of a line starting at `x`.
    pub fn of(piece: &'a Piece, x: f32) -> Chunk<'a> {
        Chunk {
            text: &piece.text,
            face: piece.face,
            color: hex(&piece.color),
            underline: piece.underline,
            x: x + piece.x,
        }
    }
}

impl<'t> Letterer<'t> {
    /// A letterer of `theme`'s faces; `None` when its faces cannot be read
    /// so (the texts are then all left to usvg).
    pub fn new(theme: &'t Theme) -> Option<Letterer<'t>> {
        Some(Letterer { theme, setter: Setter::new(theme).ok()?, set: Vec::new(), faces: Vec::new(), runs: Vec::new() })
    }

    /// Sets one `<text>`: `chunks` on the baseline `y` at `size`; false,
    /// having kept nothing, when one of them cannot be set as usvg would.
    pub fn text(&mut self, chunks: &[Chunk], y: f32, size: f32) -> bool {
        let before = self.runs.len();
        for chunk in chunks {
            if self.chunk(chunk, y, size).is_none() {
                self.runs.truncate(before);
                return false;
            }
        }
        true
    }

    fn chunk(&mut self, chunk: &Chunk, y: f32, size: f32) -> Option<()> {
        let color = chunk.color?;
        if !chunk.text.is_ascii() && unicode_bidi::BidiInfo::new(chunk.text, Some(unicode_bidi::Level::ltr())).has_rtl()
        {
            return None;
        }
        let (font, info) = self.face(chunk.face)?;
        let advance = self.setter.set(chunk.face, chunk.text, &mut self.set);
        let scale = size / f32::from(info.units_per_em);
        let mut glyphs = Vec::with_capacity(self.set.len());
        for glyph in &self.set {
            // A glyph the face lacks: usvg would look for another face.
            if glyph.id == 0 {
                return None;
            }
            let id = skrifa::GlyphId::new(glyph.id);
            if info.colr && font.color_glyphs().get(id).is_some() {
                crate::svg::outlines::plain_layers(&font, id)?;
            }
            glyphs.push((glyph.id, chunk.x + glyph.x as f32 * scale, y - glyph.y as f32 * scale));
        }
        let underline = match chunk.underline {
            true => Some(underline(&font, info.units_per_em, chunk.x, y, advance as f32 * scale, size)?),
            false => None,
        };
        let id = self.theme.face_by_key(chunk.face).id;
        let run = Run { font: id, units_per_em: info.units_per_em, size, color, glyphs, underline };
        self.runs.push(run);
        Some(())
    }

    /// Face `key`, read once, when runs can be set in it: usvg draws a
    /// `<tspan>` in it with it (not another of the same family, weight and
    /// style, registered first), and glyph pictures draw it.
    fn face(&mut self, key: FaceKey) -> Option<(skrifa::FontRef<'t>, super::glyphs::FontInfo)> {
        if let Some((_, read)) = self.faces.iter().find(|(k, _)| *k == key) {
            return read.clone();
        }
        let theme = self.theme;
        let face = theme.face_by_key(key);
        let query = fontdb::Query {
            families: &[fontdb::Family::Name(&face.family)],
            weight: fontdb::Weight(face.weight),
            style: if face.italic { fontdb::Style::Italic } else { fontdb::Style::Normal },
            ..fontdb::Query::default()
        };
        let picked = theme.usvg_options.fontdb.query(&query) == Some(face.id);
        let info = super::glyphs::font_info(&face.data, face.index)
            // usvg refuses a font with units per em out of this range.
            .filter(|info| picked && (16..=16_384).contains(&info.units_per_em));
        let read = info.and_then(|info| Some((skrifa::FontRef::from_index(&face.data, face.index).ok()?, info)));
        self.faces.push((key, read.clone()));
        read
    }
}

/// The underline of a run from `x` to `x + width` on baseline `y` at
/// `size`, where usvg draws it: at the font's underline position and
/// thickness (rounded to font units), or a ninth of an em below the
/// baseline and a twelfth thick when the font does not say.
fn underline(font: &skrifa::FontRef, upem: u16, x: f32, y: f32, width: f32, size: f32) -> Option<tiny_skia::Rect> {
    let metrics = font.metrics(skrifa::instance::Size::unscaled(), skrifa::instance::LocationRef::default());
    let fallback = (-(upem as i16) / 9, (upem / 12).max(1));
    let (position, thickness) = match metrics.underline {
        Some(line) => {
            let thickness = u16::try_from(line.thickness.round() as i32).ok().filter(|t| *t > 0);
            (line.offset.round() as i16, thickness.unwrap_or(fallback.1))
        }
        None => fallback,
    };
    let scale = size / f32::from(upem);
    let (offset, thickness) = (-f32::from(position) * scale, f32::from(thickness) * scale);
    tiny_skia::Rect::from_xywh(x, y + offset - thickness / 2.0, width, thickness)
}

/// Whether the card's root element (its start tag, `root`) gives its
/// top layers nothing a run leaves out: only its size, in pixels, and a
/// view box of the same size (a run is set in the card's pixels), and no
/// style that a `<text>` would inherit (a font, a fill, spacing, a
/// transform).
pub fn plain_root(root: &str) -> bool {
    let element = format!("{root}</svg>");
    let Ok(doc) = roxmltree::Document::parse(&element) else { return false };
    let svg = doc.root_element();
    let number = |name: &str| svg.attribute(name).and_then(|v| v.trim().parse::<f32>().ok());
    let (Some(width), Some(height)) = (number("width"), number("height")) else { return false };
    let known = svg
        .attributes()
        .all(|a| a.namespace().is_none() && matches!(a.name(), "width" | "height" | "viewBox" | "version" | "id"));
    let view_box = match svg.attribute("viewBox") {
        None => true,
        Some(v) => {
            let numbers: Vec<f32> =
                v.split(|c: char| c == ',' || c.is_whitespace()).filter_map(|n| n.parse().ok()).collect();
            numbers == [0.0, 0.0, width, height]
        }
    };
    known && view_box
}

/// A `#rgb` or `#rrggbb` colour, opaque.
pub fn hex(color: &str) -> Option<[u8; 4]> {
    let digits = color.strip_prefix('#').filter(|d| d.bytes().all(|b| b.is_ascii_hexdigit()))?;
    let value = |s: &str| u8::from_str_radix(s, 16).ok();
    match digits.len() {
        3 => {
            let d: Vec<u8> = digits.chars().map(|c| value(&c.to_string())).collect::<Option<_>>()?;
            Some([d[0] * 17, d[1] * 17, d[2] * 17, 255])
        }
        6 => Some([value(&digits[0..2])?, value(&digits[2..4])?, value(&digits[4..6])?, 255]),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_card_in_pixels_with_no_style_on_its_root_is_set_as_runs() {
        let plain = r#"<svg xmlns="http://www.w3.org/2000/svg" width="1240" height="1748" viewBox="0 0 1240 1748">"#;
        assert!(plain_root(plain));
        assert!(plain_root(r#"<svg xmlns="http://www.w3.org/2000/svg" width="620" height="874">"#));
        for other in [
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="105mm" height="148mm" viewBox="0 0 1240 1748">"#,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="1240" height="1748" viewBox="0 0 620 874">"#,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="1240" height="1748" letter-spacing="2">"#,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="1240" height="1748" style="fill: red">"#,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="1240" height="1748" font-family="Serif">"#,
            r#"<svg xmlns="http://www.w3.org/2000/svg" height="1748">"#,
        ] {
            assert!(!plain_root(other), "{other}");
        }
    }

    #[test]
    fn hex_colours_are_read_and_others_left_to_usvg() {
        assert_eq!(hex("#5a3a22"), Some([0x5a, 0x3a, 0x22, 255]));
        assert_eq!(hex("#fA0"), Some([0xff, 0xaa, 0x00, 255]));
        assert_eq!(hex("red"), None);
        assert_eq!(hex("#12345"), None);
        assert_eq!(hex("#gg0000"), None);
    }
}
