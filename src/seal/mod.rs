//! The wax seal: a deterministic SVG fragment that draws a hand-pressed seal.
//!
//! This module owns the seal's geometry and colour: a blobby wax puddle with a
//! wobbly rim, the raised lip the stamp squeezed up, the pressed stamp face,
//! and an embossed emblem and/or initials, all lit from the upper left, over a
//! soft drop shadow. Every shade is derived from the one wax colour. It also
//! reads a theme's own emblem drawings ([`parse_emblem_svg`]), keeping only
//! their shapes and refusing anything that points outside the file.
//!
//! It must not do I/O and must not load fonts: initials are emitted as
//! `<text>` in a family the caller has already loaded, and an emblem file
//! arrives as text the caller has read. Its output is byte-identical on every
//! machine: randomness comes from a seeded splitmix64, trigonometry from
//! `libm` (platform `sin`/`cos` may differ in the last bit), and every number
//! is printed with two decimals.
//!
//! Rendering cost is kept low on purpose: shading is done with gradients and
//! offset copies of shapes; the only filters are the two shadow blurs and the
//! fine grain of the stamp face, and their regions are bounded tightly around
//! the seal so resvg does not allocate a canvas-sized buffer for them.
//!
//! This file is the public face: the spec, the errors and [`seal_svg`],
//! which puts the parts together. `color` derives the shades, `rim` shapes
//! the puddle, `emblem` holds the built-in emblems, `emblem_file` reads a
//! theme's own, and `paint` writes each layer as SVG.

mod color;
mod emblem;
mod emblem_file;
mod paint;
mod rim;

use std::fmt::{self, Write as _};

use unicode_segmentation::UnicodeSegmentation;

use color::{Palette, Rgb};
use emblem::Emblem;
pub use emblem_file::parse_emblem_svg;
use paint::{sanitize_id, Painter};
use rim::Rim;

/// Names of the built-in emblems, for "did you mean" hints. `monogram` draws
/// the initials alone (the caller supplies them, from `initials` or
/// [`initials_of`]; without any, the face stays plain); `none` leaves the
/// stamp face plain unless initials are given.
pub const EMBLEMS: &[&str] = &["heart", "star", "flower", "leaf", "bee", "monogram", "none"];

/// Named wax colours and their hex values, for `color:` and its hints.
pub const COLORS: &[(&str, &str)] = &[
    ("chocolate", "#5a3a22"),
    ("burgundy", "#7a1f2b"),
    ("gold", "#b8862b"),
    ("forest", "#2f5a3a"),
    ("navy", "#22345a"),
    ("red", "#9b1b30"),
    ("black", "#2a2626"),
];

/// The largest emblem SVG file [`parse_emblem_svg`] accepts, in bytes.
pub const MAX_EMBLEM_BYTES: usize = 256 * 1024;

/// What to press into the wax.
#[derive(Debug, Clone, PartialEq)]
pub struct SealSpec {
    /// One of [`EMBLEMS`]. Ignored when `custom` is set.
    pub emblem: String,
    /// The wax colour: one of the [`COLORS`] names (`"chocolate"`) or CSS
    /// hex (`"#5a3a22"`, `"#a32"`; the `#` is optional).
    pub color: String,
    /// One to three letters. With emblem `"none"` or `"monogram"` they fill
    /// the stamp face; with an emblem, a small emblem sits above them like a
    /// crest.
    pub initials: Option<String>,
    /// A theme's own emblem, drawn instead of the named one.
    pub custom: Option<EmblemShape>,
}

impl Default for SealSpec {
    /// A chocolate seal with a heart: the design's example.
    fn default() -> SealSpec {
        SealSpec { emblem: "heart".to_owned(), color: "chocolate".to_owned(), initials: None, custom: None }
    }
}

/// An emblem shape given as SVG path data in its own coordinate box.
///
/// Every path is raised out of the wax as one piece (colours are ignored),
/// later paths over earlier ones, filled with the nonzero rule. The seal fits
/// the paths themselves into its stamp face, so padding in `view_box` does
/// not shrink the emblem.
#[derive(Debug, Clone, PartialEq)]
pub struct EmblemShape {
    /// Path data (`d` attributes), bottom first.
    pub paths: Vec<String>,
    /// The box the paths are drawn in: (min x, min y, width, height).
    pub view_box: (f64, f64, f64, f64),
}

/// Why a seal could not be drawn, or an emblem file not be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SealError {
    /// The emblem name is not one of [`EMBLEMS`].
    #[error("unknown seal emblem `{0}` (known emblems: {known})", known = EMBLEMS.join(", "))]
    UnknownEmblem(String),
    /// The colour is neither a [`COLORS`] name nor a 3- or 6-digit hex colour.
    #[error(
        "bad seal colour `{0}`: expected a colour name ({names}) or a hex colour such as \"#5a3a22\"",
        names = color_names()
    )]
    BadColor(String),
    /// The initials are empty or longer than three letters.
    #[error("seal initials `{0}` must be 1 to 3 letters")]
    BadInitials(String),
    /// The centre is not finite or the radius is not a positive number.
    #[error("seal needs a finite centre and a positive radius (got cx={cx}, cy={cy}, r={r})")]
    BadGeometry {
        /// Requested centre x.
        cx: f64,
        /// Requested centre y.
        cy: f64,
        /// Requested outer radius.
        r: f64,
    },
    /// The emblem SVG refers to something outside itself: a file, a URL, a
    /// script, an image.
    #[error(
        "emblem SVG refers to `{0}` outside the file: only the file's own shapes are used, \
         so draw the emblem with <path> elements and remove the reference"
    )]
    ExternalReference(String),
    /// The emblem SVG has no filled or stroked shape.
    #[error("emblem SVG has no shape to press into the wax: draw the emblem with <path> elements")]
    EmptyEmblem,
    /// The emblem SVG is larger than [`MAX_EMBLEM_BYTES`].
    #[error("emblem SVG is {0} bytes; an emblem may be at most 256 KiB")]
    TooLarge(usize),
    /// The emblem SVG is not well-formed XML, not SVG, or uses something an
    /// emblem cannot (text, entities, extreme nesting or detail).
    #[error("emblem SVG cannot be used: {0}")]
    BadEmblemSvg(String),
}

/// The colour names, for messages.
fn color_names() -> String {
    COLORS.iter().map(|(name, _)| *name).collect::<Vec<_>>().join(", ")
}

/// The end of the id of a seal's group that draws its wax (the shadows, the
/// puddle, the lip and the stamp face) and nothing of its emblem, initials
/// or grain: `{id}-wax`, `id` as given to [`seal_svg`].
pub const WAX: &str = "wax";

/// Everything a seal draws, its soft shadow included, lies within this many
/// radii of its centre: leave that much room around it on the card.
pub const FOOTPRINT: f64 = 1.45;

/// Returns an SVG fragment: a `<g>` (with its own `<defs>` inside it) drawing
/// the seal centred at (`cx`, `cy`) with outer radius `r` in user units.
/// The wax may sit a little off centre and a run of wax may reach a few
/// percent past `r`; with the shadow, all stays within [`FOOTPRINT`] radii.
///
/// `seed` makes the rim wobble, the wax bulges and the slight tilt of the
/// stamp unique per card yet deterministic (the grain of the stamp's face is
/// the stamp's, the same on every seal). `id` prefixes
/// every `id` attribute, so two seals in one SVG never clash; characters
/// other than ASCII letters, digits, `-` and `_` are replaced by `_`.
/// `font_family` is used for the initials only, and the caller guarantees it
/// is loaded.
pub fn seal_svg(
    spec: &SealSpec,
    cx: f64,
    cy: f64,
    r: f64,
    seed: u64,
    id: &str,
    font_family: &str,
) -> Result<String, SealError> {
    let emblem = match &spec.custom {
        Some(shape) => Some(Emblem::custom(shape)?),
        None => Emblem::named(&spec.emblem)?,
    };
    let wax = wax_color(&spec.color).ok_or_else(|| SealError::BadColor(spec.color.clone()))?;
    let initials = match &spec.initials {
        Some(text) => {
            let trimmed = text.trim();
            let count = trimmed.graphemes(true).count();
            if count == 0 || count > 3 {
                return Err(SealError::BadInitials(text.clone()));
            }
            Some(trimmed)
        }
        None => None,
    };
    if !(cx.is_finite() && cy.is_finite() && r.is_finite() && r > 0.0) {
        return Err(SealError::BadGeometry { cx, cy, r });
    }

    let painter = Painter { p: sanitize_id(id), cx, cy, r, pal: Palette::new(wax) };
    let mut rng = SplitMix64(seed);
    let rim = Rim::new(&mut rng, cx, cy, r);
    // A hand never presses the stamp perfectly upright.
    let tilt = rng.range(-4.0, 4.0);

    let mut out = String::with_capacity(16 * 1024);
    out.push_str("<g class=\"waxseal\">");
    painter.defs(&mut out, &rim);
    // The wax as it lies before the stamp's emblem and grain: the same under
    // every emblem and initials of its rim and colour, so drawn once for
    // them all (see `render::alone`).
    let _ = write!(out, "<g id=\"{}-{WAX}\">", painter.p);
    painter.shadow(&mut out, &rim);
    painter.puddle(&mut out, &rim, &mut rng);
    painter.lip(&mut out);
    painter.face(&mut out);
    out.push_str("</g>");
    let _ = write!(out, "<g transform=\"rotate({} {} {})\">", F(tilt), F(cx), F(cy));
    match (emblem, initials) {
        (Some(e), None) => painter.emblem(&mut out, &e, cx, cy, 0.4 * r),
        (None, Some(text)) => painter.initials(&mut out, text, cy, 1.0, font_family),
        (Some(e), Some(text)) => {
            // Crest layout: a small emblem above slightly smaller initials.
            painter.emblem(&mut out, &e, cx, cy - 0.3 * r, 0.14 * r);
            painter.initials(&mut out, text, cy + 0.08 * r, 0.8, font_family);
        }
        (None, None) => {}
    }
    out.push_str("</g>");
    painter.grain(&mut out);
    out.push_str("</g>");
    Ok(out)
}

/// A wax colour: a [`COLORS`] name (any case) or a hex colour.
fn wax_color(s: &str) -> Option<Rgb> {
    let name = s.trim().to_ascii_lowercase();
    match COLORS.iter().find(|(n, _)| *n == name) {
        Some((_, hex)) => Rgb::parse(hex),
        None => Rgb::parse(s),
    }
}

/// The initials of a name, uppercased: the first letter of each of its first
/// three words, skipping lowercase joining words ("the", "and", "of",
/// "from", ...) and words without letters ("&"). `"Beverly Crane"` gives
/// `"BC"`, `"the whole Mossbrook crew"` gives `"WMC"`, `"Zoë"` gives `"Z"`.
/// `None` when the name has no letters.
pub fn initials_of(name: &str) -> Option<String> {
    // Lowercase only: "The Crane Shop" keeps its "The" as a word of the name.
    const JOINERS: &[&str] = &[
        "the", "and", "of", "from", "a", "an", "for", "by", "at", "in", "on", "to", "with", "de", "la", "le", "van",
        "von", "der", "den", "du", "des", "da", "di", "y", "et", "und",
    ];
    // The first letter of a word, as a whole grapheme so a decomposed accent
    // stays with its letter.
    let initial = |word: &str| -> Option<String> {
        let g = word.graphemes(true).find(|g| g.chars().next().is_some_and(char::is_alphabetic))?;
        let upper = g.to_uppercase();
        // "ß" uppercases to "SS": one letter stays one letter.
        Some(upper.graphemes(true).next().unwrap_or(g).to_owned())
    };
    let words: Vec<&str> = name.split_whitespace().filter(|w| w.chars().any(char::is_alphabetic)).collect();
    let mut chosen: Vec<&str> = words.iter().copied().filter(|w| !JOINERS.contains(w)).collect();
    if chosen.is_empty() {
        // A name made only of joining words is still a name.
        chosen = words;
    }
    let initials: String = chosen.into_iter().take(3).filter_map(initial).collect();
    (!initials.is_empty()).then_some(initials)
}

/// A number printed with a fixed two decimals, so output bytes are stable
/// (and `-0.00` never appears).
struct F(f64);

impl fmt::Display for F {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = if self.0.abs() < 0.005 { 0.0 } else { self.0 };
        fmt::Display::fmt(&crate::svg::Fixed2(v), f)
    }
}

/// splitmix64: tiny, fast, and the same sequence on every platform.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1), from the top 53 bits.
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn spec(emblem: &str, color: &str, initials: Option<&str>) -> SealSpec {
        SealSpec {
            emblem: emblem.to_owned(),
            color: color.to_owned(),
            initials: initials.map(str::to_owned),
            custom: None,
        }
    }

    pub(super) fn draw(s: &SealSpec, seed: u64, id: &str) -> Result<String, SealError> {
        seal_svg(s, 300.0, 300.0, 120.0, seed, id, "EB Garamond")
    }

    #[test]
    fn same_inputs_give_identical_output() {
        for emblem in EMBLEMS {
            let s = spec(emblem, "#5a3a22", Some("BC"));
            assert_eq!(draw(&s, 7, "a").unwrap(), draw(&s, 7, "a").unwrap());
        }
    }

    #[test]
    fn initials_are_escaped_and_validated() {
        let svg = draw(&spec("none", "#1f2a4a", Some("<&\"")), 1, "a").unwrap();
        assert!(svg.contains(">&lt;&amp;&quot;</text>"));
        assert!(!svg.contains("<&"));
        for bad in ["", "   ", "ABCD"] {
            let err = draw(&spec("none", "#1f2a4a", Some(bad)), 1, "a").unwrap_err();
            assert_eq!(err, SealError::BadInitials(bad.to_owned()));
        }
        // Only the initials produce text.
        let svg = draw(&spec("star", "#9b1b30", None), 1, "a").unwrap();
        assert!(!svg.contains("<text"));
    }

    #[test]
    fn bad_geometry_is_an_error() {
        let s = spec("heart", "#5a3a22", None);
        assert!(seal_svg(&s, 0.0, 0.0, 0.0, 1, "a", "x").is_err());
        assert!(seal_svg(&s, f64::NAN, 0.0, 10.0, 1, "a", "x").is_err());
    }

    #[test]
    fn numbers_are_stable() {
        assert_eq!(F(-0.001).to_string(), "0.00");
        assert_eq!(F(1.0 / 3.0).to_string(), "0.33");
        let svg = draw(&spec("leaf", "#3a5a22", Some("Z")), 11, "a").unwrap();
        assert!(!svg.contains("NaN") && !svg.contains("inf") && !svg.contains("-0.00"));
    }

    #[test]
    fn fragment_parses_as_svg() {
        let opt = resvg::usvg::Options::default();
        for (i, emblem) in EMBLEMS.iter().enumerate() {
            let mut body = String::new();
            // Two seals in one document: ids must not clash.
            for (j, initials) in [None, Some("BC")].into_iter().enumerate() {
                let s = spec(emblem, "#9b1b30", initials);
                let id = format!("s{i}{j}");
                body.push_str(&seal_svg(&s, 150.0 + 300.0 * j as f64, 150.0, 110.0, 5, &id, "Serif").unwrap());
            }
            let doc = format!("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"600\" height=\"300\">{body}</svg>");
            let tree = resvg::usvg::Tree::from_str(&doc, &opt);
            assert!(tree.is_ok(), "{emblem}: {:?}", tree.err());
        }
    }

    #[test]
    fn named_colours_are_their_hex_values() {
        for (name, hex) in COLORS {
            assert_eq!(wax_color(name).unwrap().to_string(), *hex);
            let by_name = draw(&spec("bee", name, None), 4, "a").unwrap();
            assert_eq!(by_name, draw(&spec("bee", hex, None), 4, "a").unwrap(), "{name}");
        }
        assert_eq!(wax_color(" Burgundy ").unwrap().to_string(), "#7a1f2b");
        assert_eq!(wax_color("red").unwrap().to_string(), "#9b1b30");
    }

    #[test]
    fn unknown_colour_names_the_known_ones() {
        let err = draw(&spec("heart", "purple", None), 1, "a").unwrap_err();
        assert_eq!(err, SealError::BadColor("purple".to_owned()));
        let msg = err.to_string();
        assert!(msg.contains("`purple`"), "{msg}");
        assert!(msg.contains("chocolate, burgundy, gold, forest, navy, red, black"), "{msg}");
        assert!(msg.contains("#5a3a22"), "{msg}");
    }

    #[test]
    fn initials_of_names() {
        let cases = [
            ("Beverly Crane", Some("BC")),
            ("the whole Mossbrook crew", Some("WMC")),
            ("Zoë", Some("Z")),
            ("zoë", Some("Z")),
            ("Bev & Deb", Some("BD")),
            ("Ludwig van Beethoven", Some("LB")),
            ("The Crane Shop", Some("TCS")),
            ("Anna Maria Beatrice Crane", Some("AMB")),
            ("  ‘Bev’   o'Neill ", Some("BO")),
            ("émile zola", Some("ÉZ")),
            ("of the", Some("OT")),
            ("山田 太郎", Some("山太")),
            ("ßeta", Some("S")),
            ("", None),
            ("  & 42 ", None),
        ];
        for (name, want) in cases {
            assert_eq!(initials_of(name).as_deref(), want, "{name:?}");
        }
        // Decomposed é stays whole.
        assert_eq!(initials_of("e\u{301}mile").as_deref(), Some("E\u{301}"));
    }
}
