//! Local fonts that stand in for a web font while it loads, sized to take
//! its room, so that nothing on the page moves when it arrives (as
//! next/font and capsize do): `size-adjust` makes the local font's letters
//! as wide on average as the web font's (English letter frequencies), and
//! `ascent-override`, `descent-override` and `line-gap-override` give it
//! the web font's line.
//!
//! Two stand-ins for each web face, tried in turn: the fonts with the
//! widths of Times New Roman, Arial and Courier New (those fonts, on
//! Windows and macOS, and Liberation's, metric-compatible copies on
//! Linux), and DejaVu, which a Linux system without them has. Which of the
//! three (serif, sans-serif, monospace) the theme's stylesheet says, by the
//! generic family it names after the face's family.

use read_fonts::{FontRef, TableProvider};
use skrifa::MetadataProvider;

use crate::theme::Face;

/// What kind of local font stands in for a face.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// Times New Roman, DejaVu Serif (also for a script or display face).
    Serif,
    /// Arial, DejaVu Sans.
    Sans,
    /// Courier New, DejaVu Sans Mono.
    Mono,
}

/// A local font: the names `local()` finds it by (full and PostScript),
/// and the average width of its letters and spaces, in em.
struct Local {
    names: &'static [&'static str],
    width: f64,
}

/// The local fonts of a kind in a style: regular, bold, italic, bold italic.
type Styles = [Local; 4];

/// Widths measured with [`average_width`] on the fonts themselves
/// (Liberation 2.1 for the widths of Times New Roman, Arial and Courier
/// New, which it copies; DejaVu 2.37), in units of their 2048 an em.
const MS_SERIF: Styles = [
    Local {
        names: &["Times New Roman", "TimesNewRomanPSMT", "Liberation Serif", "LiberationSerif"],
        width: 821.4 / 2048.0,
    },
    Local {
        names: &["Times New Roman Bold", "TimesNewRomanPS-BoldMT", "Liberation Serif Bold", "LiberationSerif-Bold"],
        width: 874.2 / 2048.0,
    },
    Local {
        names: &[
            "Times New Roman Italic",
            "TimesNewRomanPS-ItalicMT",
            "Liberation Serif Italic",
            "LiberationSerif-Italic",
        ],
        width: 824.6 / 2048.0,
    },
    Local {
        names: &[
            "Times New Roman Bold Italic",
            "TimesNewRomanPS-BoldItalicMT",
            "Liberation Serif Bold Italic",
            "LiberationSerif-BoldItalic",
        ],
        width: 844.5 / 2048.0,
    },
];
const DEJAVU_SERIF: Styles = [
    Local { names: &["DejaVu Serif", "DejaVuSerif"], width: 1051.4 / 2048.0 },
    Local { names: &["DejaVu Serif Bold", "DejaVuSerif-Bold"], width: 1160.8 / 2048.0 },
    Local { names: &["DejaVu Serif Italic", "DejaVuSerif-Italic"], width: 1051.4 / 2048.0 },
    Local { names: &["DejaVu Serif Bold Italic", "DejaVuSerif-BoldItalic"], width: 1160.8 / 2048.0 },
];
const MS_SANS: Styles = [
    Local { names: &["Arial", "ArialMT", "Liberation Sans", "LiberationSans"], width: 906.4 / 2048.0 },
    Local {
        names: &["Arial Bold", "Arial-BoldMT", "Liberation Sans Bold", "LiberationSans-Bold"],
        width: 980.3 / 2048.0,
    },
    Local {
        names: &["Arial Italic", "Arial-ItalicMT", "Liberation Sans Italic", "LiberationSans-Italic"],
        width: 906.4 / 2048.0,
    },
    Local {
        names: &["Arial Bold Italic", "Arial-BoldItalicMT", "Liberation Sans Bold Italic", "LiberationSans-BoldItalic"],
        width: 980.3 / 2048.0,
    },
];
const DEJAVU_SANS: Styles = [
    Local { names: &["DejaVu Sans", "DejaVuSans"], width: 1040.5 / 2048.0 },
    Local { names: &["DejaVu Sans Bold", "DejaVuSans-Bold"], width: 1175.1 / 2048.0 },
    Local { names: &["DejaVu Sans Oblique", "DejaVuSans-Oblique"], width: 1040.5 / 2048.0 },
    Local { names: &["DejaVu Sans Bold Oblique", "DejaVuSans-BoldOblique"], width: 1175.1 / 2048.0 },
];
const MS_MONO: Styles = [
    Local { names: &["Courier New", "CourierNewPSMT", "Liberation Mono", "LiberationMono"], width: 1229.0 / 2048.0 },
    Local {
        names: &["Courier New Bold", "CourierNewPS-BoldMT", "Liberation Mono Bold", "LiberationMono-Bold"],
        width: 1229.0 / 2048.0,
    },
    Local {
        names: &["Courier New Italic", "CourierNewPS-ItalicMT", "Liberation Mono Italic", "LiberationMono-Italic"],
        width: 1229.0 / 2048.0,
    },
    Local {
        names: &[
            "Courier New Bold Italic",
            "CourierNewPS-BoldItalicMT",
            "Liberation Mono Bold Italic",
            "LiberationMono-BoldItalic",
        ],
        width: 1229.0 / 2048.0,
    },
];
const DEJAVU_MONO: Styles = [
    Local { names: &["DejaVu Sans Mono", "DejaVuSansMono"], width: 1233.0 / 2048.0 },
    Local { names: &["DejaVu Sans Mono Bold", "DejaVuSansMono-Bold"], width: 1233.0 / 2048.0 },
    Local { names: &["DejaVu Sans Mono Oblique", "DejaVuSansMono-Oblique"], width: 1233.0 / 2048.0 },
    Local { names: &["DejaVu Sans Mono Bold Oblique", "DejaVuSansMono-BoldOblique"], width: 1233.0 / 2048.0 },
];

/// The stand-ins of a kind, in the order they are tried, with the word
/// their family names end with.
fn locals(kind: Kind) -> [(&'static str, &'static Styles); 2] {
    match kind {
        Kind::Serif => [("fallback", &MS_SERIF), ("fallback DejaVu", &DEJAVU_SERIF)],
        Kind::Sans => [("fallback", &MS_SANS), ("fallback DejaVu", &DEJAVU_SANS)],
        Kind::Mono => [("fallback", &MS_MONO), ("fallback DejaVu", &DEJAVU_MONO)],
    }
}

/// The families of the stand-ins for the web family `family`, in order.
pub(super) fn families(family: &str) -> [String; 2] {
    ["fallback", "fallback DejaVu"].map(|end| format!("{family} {end}"))
}

/// English letters and the space, by how often they are written (in
/// hundredths: the letters' usual table, the space once a word).
const FREQUENCIES: [(char, f64); 27] = [
    ('a', 8.2),
    ('b', 1.5),
    ('c', 2.8),
    ('d', 4.3),
    ('e', 12.7),
    ('f', 2.2),
    ('g', 2.0),
    ('h', 6.1),
    ('i', 7.0),
    ('j', 0.15),
    ('k', 0.77),
    ('l', 4.0),
    ('m', 2.4),
    ('n', 6.7),
    ('o', 7.5),
    ('p', 1.9),
    ('q', 0.095),
    ('r', 6.0),
    ('s', 6.3),
    ('t', 9.1),
    ('u', 2.8),
    ('v', 0.98),
    ('w', 2.4),
    ('x', 0.15),
    ('y', 2.0),
    ('z', 0.074),
    (' ', 21.2),
];

/// A face's line and letters, in em.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Metrics {
    /// Above the baseline.
    pub(super) ascent: f64,
    /// Below it (positive).
    pub(super) descent: f64,
    /// Between lines.
    pub(super) line_gap: f64,
    /// The average advance of its letters and spaces ([`FREQUENCIES`]).
    pub(super) width: f64,
}

/// The metrics of `face` as a browser lays it out (the typographic ones
/// when the font says to use them, else `hhea`'s), or none for a face
/// without most of the Latin letters.
pub(super) fn metrics(face: &Face) -> Option<Metrics> {
    let font = FontRef::from_index(&face.data, face.index).ok()?;
    let em = f64::from(font.head().ok()?.units_per_em());
    let hhea = font.hhea().ok()?;
    let typo = font.os2().ok().filter(|os2| os2.fs_selection().bits() & (1 << 7) != 0);
    let (ascent, descent, gap) = match typo {
        Some(os2) => (os2.s_typo_ascender(), os2.s_typo_descender(), os2.s_typo_line_gap()),
        None => (hhea.ascender().to_i16(), hhea.descender().to_i16(), hhea.line_gap().to_i16()),
    };
    let width = average_width(&font)?;
    let em_of = |v: i16| f64::from(v) / em;
    Some(Metrics { ascent: em_of(ascent), descent: -em_of(descent), line_gap: em_of(gap), width: width / em })
}

/// The average advance of `font`'s letters and spaces, weighted by
/// [`FREQUENCIES`], in font units; none when it lacks most of them.
fn average_width(font: &FontRef) -> Option<f64> {
    let charmap = font.charmap();
    let advances = font.glyph_metrics(skrifa::instance::Size::unscaled(), skrifa::instance::LocationRef::default());
    let (mut sum, mut weights) = (0.0, 0.0);
    for (c, weight) in FREQUENCIES {
        if let Some(advance) = charmap.map(c).and_then(|g| advances.advance_width(g)) {
            sum += f64::from(advance) * weight;
            weights += weight;
        }
    }
    (weights > 50.0).then(|| sum / weights)
}

/// The `@font-face` rules of the local fonts that stand in for `face`
/// (a `kind` of font), under the families [`families`] of its own.
pub(super) fn rules(face: &Face, kind: Kind) -> String {
    let Some(m) = metrics(face) else { return String::new() };
    let style = usize::from(face.weight >= 600) + 2 * usize::from(face.italic);
    let mut css = String::new();
    for (end, styles) in locals(kind) {
        let local = &styles[style];
        let size = m.width / local.width;
        let sources: Vec<String> = local.names.iter().map(|name| format!("local(\"{name}\")")).collect();
        css.push_str(&format!(
            "@font-face {{ font-family: '{} {end}'; font-weight: {}; font-style: {}; src: {}; size-adjust: {}; ascent-override: {}; descent-override: {}; line-gap-override: {}; }}\n",
            face.family,
            face.weight,
            if face.italic { "italic" } else { "normal" },
            sources.join(", "),
            percent(size),
            percent(m.ascent / size),
            percent(m.descent / size),
            percent(m.line_gap / size),
        ));
    }
    css
}

/// `v` as a CSS percentage, to a hundredth of a per cent.
fn percent(v: f64) -> String {
    let s = format!("{:.2}", v * 100.0);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    format!("{s}%")
}

/// The kind of font the stylesheet `css` asks for after `names` (a family
/// as it is written, or `var(--font-body)`): the generic family of the
/// first `font-family` list that starts with one of them and names one.
pub(super) fn kind_in(css: &str, names: &[String]) -> Option<Kind> {
    let mut lists = Vec::new();
    font_family_lists(&mut cssparser::Parser::new(css), &mut lists);
    lists.iter().filter(|list| list.first().is_some_and(|first| names.contains(first))).find_map(|list| {
        list.iter().find_map(|item| match item.as_str() {
            "serif" | "ui-serif" | "cursive" | "fantasy" => Some(Kind::Serif),
            "sans-serif" | "system-ui" | "ui-sans-serif" | "ui-rounded" => Some(Kind::Sans),
            "monospace" | "ui-monospace" => Some(Kind::Mono),
            _ => None,
        })
    })
}

/// The kind of font `face` is when no stylesheet says: monospace when its
/// font says it is, else serif.
pub(super) fn kind_of(face: &Face) -> Kind {
    let fixed = FontRef::from_index(&face.data, face.index)
        .ok()
        .and_then(|f| f.post().ok())
        .is_some_and(|p| p.is_fixed_pitch() != 0);
    if fixed {
        Kind::Mono
    } else {
        Kind::Serif
    }
}

/// Every `font-family` value of a stylesheet, each as its list of
/// families: a name as written (unquoted), a generic family, or `var(--x)`.
fn font_family_lists(parser: &mut cssparser::Parser, lists: &mut Vec<Vec<String>>) {
    use cssparser::Token;
    let mut list: Option<Vec<String>> = None;
    let mut item = String::new();
    let mut named = false;
    while let Ok(token) = parser.next_including_whitespace_and_comments() {
        let token = token.clone();
        let end_item = |list: &mut Option<Vec<String>>, item: &mut String| {
            if let Some(list) = list.as_mut().filter(|_| !item.is_empty()) {
                list.push(std::mem::take(item));
            }
            item.clear();
        };
        match (&token, list.is_some()) {
            (Token::Ident(name), false) => named = name.eq_ignore_ascii_case("font-family"),
            (Token::Colon, false) if named => list = Some(Vec::new()),
            (Token::WhiteSpace(_) | Token::Comment(_), _) => {}
            (Token::QuotedString(s), true) => item.push_str(s),
            (Token::Ident(s), true) => {
                if !item.is_empty() {
                    item.push(' ');
                }
                item.push_str(s);
            }
            (Token::Function(name), true) if name.eq_ignore_ascii_case("var") => {
                let var = parser.parse_nested_block(|p| -> Result<String, cssparser::ParseError<()>> {
                    Ok(p.expect_ident().map(|i| i.to_string()).unwrap_or_default())
                });
                item.push_str(&format!("var({})", var.unwrap_or_default()));
            }
            (Token::Comma, true) => end_item(&mut list, &mut item),
            (Token::Semicolon | Token::Delim('!'), true) => {
                end_item(&mut list, &mut item);
                lists.extend(list.take());
                named = false;
            }
            (
                Token::Function(_) | Token::ParenthesisBlock | Token::SquareBracketBlock | Token::CurlyBracketBlock,
                _,
            ) => {
                let _ = parser.parse_nested_block(|p| -> Result<(), cssparser::ParseError<()>> {
                    font_family_lists(p, lists);
                    Ok(())
                });
                named = false;
            }
            _ => named = false,
        }
    }
    if let Some(mut list) = list {
        if !item.is_empty() {
            list.push(item);
        }
        lists.push(list);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generic_family_the_stylesheet_names_after_a_family() {
        let css = "body { font-family: var(--font-body), Georgia, serif; }\n\
                   h1 { color: red; font-family: 'Instrument Serif' , Georgia, serif }\n\
                   /* font-family: x */ .m { font-family: Inter, system-ui, sans-serif !important; }\n\
                   @media print { .k { font-family: \"Anonymous Pro\", 'Courier New', monospace; } }";
        let kind = |name: &str| kind_in(css, &[name.to_string()]);
        assert_eq!(kind("var(--font-body)"), Some(Kind::Serif));
        assert_eq!(kind("Instrument Serif"), Some(Kind::Serif));
        assert_eq!(kind("Inter"), Some(Kind::Sans));
        assert_eq!(kind("Anonymous Pro"), Some(Kind::Mono));
        assert_eq!(kind("Georgia"), None);
    }

    #[test]
    fn a_stand_in_takes_the_web_fonts_room() {
        let theme = crate::theme::load(tempfile::tempdir().unwrap().path(), "chocolate").unwrap();
        let body = theme.face(crate::theme::FontRole::Body);
        let m = metrics(body).unwrap();
        // EB Garamond: 1007 and 298 of 1000 units, no line gap, letters 0.378 em on average.
        assert_eq!((m.ascent, m.descent, m.line_gap), (1.007, 0.298, 0.0));
        assert!((m.width - 0.3783).abs() < 0.001, "{m:?}");
        let css = rules(body, Kind::Serif);
        // Times New Roman's letters average 821.4 of 2048 units: EB Garamond's are 94.3 % of them.
        let size: f64 = m.width / (821.4 / 2048.0);
        assert!((size - 0.943).abs() < 0.001, "{size}");
        assert!(
            css.contains(&format!("size-adjust: {}; ascent-override: {}", percent(size), percent(1.007 / size))),
            "{css}"
        );
        assert!(css.contains("font-family: 'EB Garamond fallback'; font-weight: 400; font-style: normal; src: local(\"Times New Roman\")"), "{css}");
        assert!(
            css.contains("font-family: 'EB Garamond fallback DejaVu'") && css.contains("local(\"DejaVu Serif\")"),
            "{css}"
        );
        assert_eq!(percent(1.0), "100%");
        assert_eq!(percent(0.30001), "30%");
        assert_eq!(percent(1.06789), "106.79%");
    }
}
