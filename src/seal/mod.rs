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

use std::f64::consts::{PI, TAU};
use std::fmt::{self, Write as _};

use resvg::usvg::{self, roxmltree, tiny_skia_path};
use unicode_segmentation::UnicodeSegmentation;

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

/// Everything a seal draws, its soft shadow included, lies within this many
/// radii of its centre: leave that much room around it on the card.
pub const FOOTPRINT: f64 = 1.45;

/// Returns an SVG fragment: a `<g>` (with its own `<defs>` inside it) drawing
/// the seal centred at (`cx`, `cy`) with outer radius `r` in user units.
/// The wax may sit a little off centre and a run of wax may reach a few
/// percent past `r`; with the shadow, all stays within [`FOOTPRINT`] radii.
///
/// `seed` makes the rim wobble, the wax bulges, the grain of the stamp face
/// and the slight tilt of the stamp unique per card yet deterministic. `id` prefixes
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
    painter.shadow(&mut out, &rim);
    painter.puddle(&mut out, &rim, &mut rng);
    painter.lip(&mut out);
    painter.face(&mut out);
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
    painter.grain(&mut out, seed);
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
        write!(f, "{v:.2}")
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

/// A colour with channels in 0..=1.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Rgb {
    r: f64,
    g: f64,
    b: f64,
}

impl Rgb {
    const WHITE: Rgb = Rgb { r: 1.0, g: 1.0, b: 1.0 };

    /// Parses `#rgb` or `#rrggbb` (the `#` optional, surrounding space ignored).
    fn parse(s: &str) -> Option<Rgb> {
        let s = s.trim();
        let hex = s.strip_prefix('#').unwrap_or(s);
        if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        // All ASCII from here on, so byte slicing is safe.
        let channel = |i: usize, len: usize| -> f64 {
            let v = u8::from_str_radix(&hex[i..i + len], 16).unwrap_or(0);
            let v = if len == 1 { v * 17 } else { v };
            f64::from(v) / 255.0
        };
        match hex.len() {
            3 => Some(Rgb { r: channel(0, 1), g: channel(1, 1), b: channel(2, 1) }),
            6 => Some(Rgb { r: channel(0, 2), g: channel(2, 2), b: channel(4, 2) }),
            _ => None,
        }
    }

    fn to_hsl(self) -> (f64, f64, f64) {
        let max = self.r.max(self.g).max(self.b);
        let min = self.r.min(self.g).min(self.b);
        let l = (max + min) / 2.0;
        let d = max - min;
        if d <= f64::EPSILON {
            return (0.0, 0.0, l);
        }
        let s = d / (1.0 - (2.0 * l - 1.0).abs());
        let h = if max == self.r {
            ((self.g - self.b) / d).rem_euclid(6.0)
        } else if max == self.g {
            (self.b - self.r) / d + 2.0
        } else {
            (self.r - self.g) / d + 4.0
        };
        (h * 60.0, s, l)
    }

    fn from_hsl(h: f64, s: f64, l: f64) -> Rgb {
        let c = (1.0 - (2.0 * l - 1.0).abs()) * s;
        let hp = h / 60.0;
        let x = c * (1.0 - (hp.rem_euclid(2.0) - 1.0).abs());
        let (r, g, b) = match hp as u32 {
            0 => (c, x, 0.0),
            1 => (x, c, 0.0),
            2 => (0.0, c, x),
            3 => (0.0, x, c),
            4 => (x, 0.0, c),
            _ => (c, 0.0, x),
        };
        let m = l - c / 2.0;
        Rgb { r: r + m, g: g + m, b: b + m }
    }

    /// Raises HSL lightness by `t` of the way to white. Working in HSL keeps
    /// the hue and saturation, so lit chocolate reads as caramel, not grey.
    fn lighten(self, t: f64) -> Rgb {
        let (h, s, l) = self.to_hsl();
        Rgb::from_hsl(h, s, l + (1.0 - l) * t)
    }

    /// Lowers HSL lightness by the fraction `t`.
    fn darken(self, t: f64) -> Rgb {
        let (h, s, l) = self.to_hsl();
        Rgb::from_hsl(h, s, l * (1.0 - t))
    }

    /// Linear mix in RGB: used for specular light, which is white, not tinted.
    fn mix(self, other: Rgb, t: f64) -> Rgb {
        Rgb {
            r: self.r + (other.r - self.r) * t,
            g: self.g + (other.g - self.g) * t,
            b: self.b + (other.b - self.b) * t,
        }
    }
}

impl fmt::Display for Rgb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let byte = |v: f64| (v.clamp(0.0, 1.0) * 255.0).round() as u8;
        write!(f, "#{:02x}{:02x}{:02x}", byte(self.r), byte(self.g), byte(self.b))
    }
}

/// Every shade of the seal, derived from the one wax colour.
struct Palette {
    /// White-ish glint for the brightest catch-lights.
    glint: Rgb,
    highlight: Rgb,
    light: Rgb,
    base: Rgb,
    shade: Rgb,
    deep: Rgb,
}

impl Palette {
    fn new(base: Rgb) -> Palette {
        Palette {
            glint: base.lighten(0.55).mix(Rgb::WHITE, 0.45),
            highlight: base.lighten(0.42),
            light: base.lighten(0.2),
            base,
            shade: base.darken(0.3),
            deep: base.darken(0.58),
        }
    }
}

/// Keeps ids usable inside `url(#...)` whatever the caller passes.
fn sanitize_id(id: &str) -> String {
    let cleaned: String =
        id.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect();
    if cleaned.is_empty() {
        "seal".to_owned()
    } else {
        cleaned
    }
}

/// The outline of the wax puddle: a closed ring of jittered points.
struct Rim {
    points: Vec<(f64, f64)>,
    /// Bounding box (min x, min y, max x, max y).
    bbox: (f64, f64, f64, f64),
}

impl Rim {
    const POINTS: usize = 72;

    /// Low harmonics make the puddle lopsided, a few gaussian bulges are
    /// where the wax spread further, and per-point jitter gives the fine,
    /// hand-poured wobble; all normalised so the widest point is `r`. Some
    /// seeds add a run: a narrow tongue of wax that may reach up to ~6%
    /// beyond `r`, as real wax does when it is poured a little too hot.
    fn new(rng: &mut SplitMix64, cx: f64, cy: f64, r: f64) -> Rim {
        let harmonics: Vec<(f64, f64, f64)> =
            [(2.0, 0.014), (3.0, 0.022), (5.0, 0.015), (7.0, 0.01), (11.0, 0.005), (13.0, 0.004)]
                .iter()
                .map(|&(k, a)| (k, a * rng.range(0.6, 1.4), rng.range(0.0, TAU)))
                .collect();
        let bulge_count = 3 + (rng.next_u64() % 3) as usize;
        let bulges: Vec<(f64, f64, f64)> =
            (0..bulge_count).map(|_| (rng.range(0.0, TAU), rng.range(0.03, 0.07), rng.range(0.12, 0.3))).collect();
        let run = (rng.unit() < 0.5).then(|| (rng.range(0.0, TAU), rng.range(0.04, 0.065), rng.range(0.1, 0.14)));
        // The stamp is rarely dead centre on the puddle.
        let ox = rng.range(-0.025, 0.025) * r;
        let oy = rng.range(-0.025, 0.025) * r;

        let theta = |i: usize| TAU * i as f64 / Self::POINTS as f64;
        let mut radii: Vec<f64> = (0..Self::POINTS)
            .map(|i| {
                let t = theta(i);
                let mut rad = 1.0;
                for &(k, a, phase) in &harmonics {
                    rad += a * libm::sin(k * t + phase);
                }
                for &(at, amp, width) in &bulges {
                    let d = angle_diff(t, at) / width;
                    rad += amp * libm::exp(-d * d);
                }
                rad + rng.range(-0.007, 0.007)
            })
            .collect();
        let max = radii.iter().copied().fold(f64::MIN, f64::max);
        // Keep the puddle at least this wide everywhere (as a fraction of
        // its widest point) so the raised lip never runs off the wax: a too
        // deep dent is squeezed, keeping its shape, rather than clipped.
        let floor = 0.85;
        let min = radii.iter().copied().fold(f64::MAX, f64::min) / max;
        if min < floor {
            for rad in &mut radii {
                *rad = max * (floor + (*rad / max - min) * (1.0 - floor) / (1.0 - min));
            }
        }
        // Added after normalising, so a run does not shrink the seal.
        if let Some((at, amp, width)) = run {
            for (i, rad) in radii.iter_mut().enumerate() {
                let d = angle_diff(theta(i), at) / width;
                *rad += amp * max * libm::exp(-d * d);
            }
        }
        let points: Vec<(f64, f64)> = radii
            .iter()
            .enumerate()
            .map(|(i, rad)| {
                let rr = r * rad / max;
                (cx + ox + rr * libm::cos(theta(i)), cy + oy + rr * libm::sin(theta(i)))
            })
            .collect();
        let bbox = points.iter().fold((f64::MAX, f64::MAX, f64::MIN, f64::MIN), |(x0, y0, x1, y1), &(x, y)| {
            (x0.min(x), y0.min(y), x1.max(x), y1.max(y))
        });
        Rim { points, bbox }
    }

    /// The same rim pulled in by `by` toward its own centre.
    fn inset(&self, by: f64) -> Rim {
        let n = self.points.len() as f64;
        let (sx, sy) = self.points.iter().fold((0.0, 0.0), |(sx, sy), &(x, y)| (sx + x, sy + y));
        let (mx, my) = (sx / n, sy / n);
        let points: Vec<(f64, f64)> = self
            .points
            .iter()
            .map(|&(x, y)| {
                let (dx, dy) = (x - mx, y - my);
                let len = (dx * dx + dy * dy).sqrt().max(1e-9);
                (x - dx / len * by, y - dy / len * by)
            })
            .collect();
        let (x0, y0, x1, y1) = self.bbox;
        Rim { points, bbox: (x0 + by, y0 + by, x1 - by, y1 - by) }
    }

    /// Distance from (`cx`, `cy`) to the rim in the direction `deg` (screen
    /// degrees), read from the nearest rim point: close enough for placing
    /// highlights.
    fn distance_at(&self, cx: f64, cy: f64, deg: f64) -> f64 {
        let t = deg.to_radians().rem_euclid(TAU);
        let i = (t / TAU * Self::POINTS as f64).round() as usize % Self::POINTS;
        let (x, y) = self.points[i];
        ((x - cx) * (x - cx) + (y - cy) * (y - cy)).sqrt()
    }

    /// A smooth closed path through the points (Catmull-Rom as cubic
    /// Béziers), shifted by (`dx`, `dy`).
    fn path(&self, dx: f64, dy: f64) -> String {
        let pts = &self.points;
        let n = pts.len();
        let mut d = String::with_capacity(n * 48);
        let _ = write!(d, "M{} {}", F(pts[0].0 + dx), F(pts[0].1 + dy));
        for i in 0..n {
            let p0 = pts[(i + n - 1) % n];
            let p1 = pts[i];
            let p2 = pts[(i + 1) % n];
            let p3 = pts[(i + 2) % n];
            let c1 = (p1.0 + (p2.0 - p0.0) / 6.0, p1.1 + (p2.1 - p0.1) / 6.0);
            let c2 = (p2.0 - (p3.0 - p1.0) / 6.0, p2.1 - (p3.1 - p1.1) / 6.0);
            let _ = write!(
                d,
                "C{} {} {} {} {} {}",
                F(c1.0 + dx),
                F(c1.1 + dy),
                F(c2.0 + dx),
                F(c2.1 + dy),
                F(p2.0 + dx),
                F(p2.1 + dy)
            );
        }
        d.push('Z');
        d
    }
}

/// Signed smallest difference between two angles, in (-PI, PI].
fn angle_diff(a: f64, b: f64) -> f64 {
    let d = (a - b).rem_euclid(TAU);
    if d > PI {
        d - TAU
    } else {
        d
    }
}

/// One path command of an emblem, in the emblem's unit box.
#[derive(Debug, Clone, Copy)]
enum Seg {
    M(f64, f64),
    L(f64, f64),
    C(f64, f64, f64, f64, f64, f64),
    Z,
}

/// A raised piece of an emblem. Its top is either a smooth dome (shaded by a
/// gradient) or, if `facets` is not empty, flat facets each lit by how much
/// it faces the light.
struct Relief {
    outline: Vec<Seg>,
    facets: Vec<(Vec<Seg>, f64)>,
}

/// An emblem designed in a box from -1 to 1 (y down), centred on the origin.
struct Emblem {
    /// Raised pieces, bottom first: each casts its shadow on those below.
    reliefs: Vec<Relief>,
    /// Engraved lines (leaf veins, petal creases).
    grooves: Vec<Vec<Seg>>,
    /// Groove width in unit-box units.
    groove_width: f64,
}

impl Emblem {
    /// Looks up a built-in emblem; `Ok(None)` is the plain `"none"`.
    fn named(name: &str) -> Result<Option<Emblem>, SealError> {
        match name.trim().to_ascii_lowercase().as_str() {
            "heart" => Ok(Some(Emblem::heart())),
            "star" => Ok(Some(Emblem::star())),
            "flower" => Ok(Some(Emblem::flower())),
            "leaf" => Ok(Some(Emblem::leaf())),
            "bee" => Ok(Some(Emblem::bee())),
            // A monogram is the initials alone, which is what no emblem draws.
            "monogram" | "none" => Ok(None),
            _ => Err(SealError::UnknownEmblem(name.to_owned())),
        }
    }

    /// A plump heart with round lobes and a soft point, slightly lower than
    /// centre so its visual weight sits in the middle of the stamp.
    fn heart() -> Emblem {
        use Seg::*;
        let outline = vec![
            M(0.0, 0.92),
            C(-0.22, 0.7, -0.98, 0.28, -0.98, -0.28),
            C(-0.98, -0.7, -0.68, -0.9, -0.46, -0.9),
            C(-0.22, -0.9, -0.06, -0.76, 0.0, -0.56),
            C(0.06, -0.76, 0.22, -0.9, 0.46, -0.9),
            C(0.68, -0.9, 0.98, -0.7, 0.98, -0.28),
            C(0.98, 0.28, 0.22, 0.7, 0.0, 0.92),
            Z,
        ];
        Emblem { reliefs: vec![Relief { outline, facets: Vec::new() }], grooves: Vec::new(), groove_width: 0.0 }
    }

    /// A five-pointed star cut in facets, like a faceted brass stamp: each
    /// ray has a lit and a shaded half, so the star catches the light.
    fn star() -> Emblem {
        use Seg::*;
        let outer = 1.0;
        let inner = 0.43;
        // Pulled down a touch so the star looks centred (its mass is low).
        let oy = 0.08;
        let vertex = |i: usize| -> (f64, f64) {
            let a = -PI / 2.0 + PI * i as f64 / 5.0;
            let rad = if i.is_multiple_of(2) { outer } else { inner };
            (rad * libm::cos(a), rad * libm::sin(a) + oy)
        };
        let mut outline = Vec::with_capacity(11);
        for i in 0..10 {
            let (x, y) = vertex(i);
            outline.push(if i == 0 { M(x, y) } else { L(x, y) });
        }
        outline.push(Z);
        let centre = (0.0, oy);
        let facets = (0..10)
            .map(|i| {
                let a = vertex(i);
                let b = vertex((i + 1) % 10);
                // The facet slopes down from the centre ridge to edge a-b;
                // its outward normal is perpendicular to a-b, away from centre.
                let (ex, ey) = (b.0 - a.0, b.1 - a.1);
                let len = (ex * ex + ey * ey).sqrt();
                let (mut nx, mut ny) = (ey / len, -ex / len);
                let mid = ((a.0 + b.0) / 2.0 - centre.0, (a.1 + b.1) / 2.0 - centre.1);
                if nx * mid.0 + ny * mid.1 < 0.0 {
                    nx = -nx;
                    ny = -ny;
                }
                (vec![M(centre.0, centre.1), L(a.0, a.1), L(b.0, b.1), Z], light_facing(nx, ny))
            })
            .collect();
        Emblem { reliefs: vec![Relief { outline, facets }], grooves: Vec::new(), groove_width: 0.0 }
    }

    /// Five round petals around a domed heart, a crease down each petal.
    fn flower() -> Emblem {
        use Seg::*;
        let petal = [M(0.0, 0.0), C(-0.52, -0.28, -0.5, -1.0, 0.0, -1.0), C(0.5, -1.0, 0.52, -0.28, 0.0, 0.0), Z];
        let mut petals = Vec::new();
        let mut grooves = Vec::new();
        for k in 0..5 {
            let a = TAU * k as f64 / 5.0;
            petals.extend(petal.iter().map(|s| rotate_seg(*s, a)));
            grooves.push(vec![rotate_seg(M(0.0, -0.36), a), rotate_seg(L(0.0, -0.74), a)]);
        }
        Emblem {
            reliefs: vec![
                Relief { outline: petals, facets: Vec::new() },
                Relief { outline: circle_segs(0.0, 0.0, 0.25), facets: Vec::new() },
            ],
            grooves,
            groove_width: 0.05,
        }
    }

    /// A leaf on a short stem, tilted, with a midrib and side veins engraved.
    fn leaf() -> Emblem {
        use Seg::*;
        let blade = vec![M(0.0, -1.0), C(0.66, -0.62, 0.7, 0.32, 0.0, 0.74), C(-0.7, 0.32, -0.66, -0.62, 0.0, -1.0), Z];
        let stem = vec![
            M(-0.05, 0.6),
            L(0.05, 0.6),
            C(0.05, 0.8, 0.1, 0.9, 0.2, 0.98),
            L(0.14, 1.03),
            C(0.02, 0.95, -0.05, 0.82, -0.05, 0.6),
            Z,
        ];
        let mut grooves = vec![vec![M(0.0, -0.84), C(0.02, -0.3, 0.02, 0.3, 0.0, 0.68)]];
        for &(y, reach) in &[(-0.5, 0.3), (-0.2, 0.42), (0.12, 0.42), (0.4, 0.3)] {
            for side in [-1.0, 1.0] {
                grooves.push(vec![
                    M(0.0, y),
                    C(side * reach * 0.5, y - 0.08, side * reach * 0.85, y - 0.2, side * reach, y - 0.3),
                ]);
            }
        }
        // Tilted like a leaf that has just fallen, not a diagram of one.
        let tilt = 0.55;
        let turn = |segs: Vec<Seg>| segs.into_iter().map(|s| rotate_seg(s, tilt)).collect();
        Emblem {
            reliefs: vec![
                Relief { outline: turn(stem), facets: Vec::new() },
                Relief { outline: turn(blade), facets: Vec::new() },
            ],
            grooves: grooves.into_iter().map(turn).collect(),
            groove_width: 0.045,
        }
    }
}

impl Emblem {
    /// A bee seen from above, tilted as if crawling up the seal: round wings
    /// under a plump striped body, a round head, short antennae. Bold and
    /// few shapes, so it still reads on a small seal.
    fn bee() -> Emblem {
        use Seg::*;
        // Lifted so the whole bee, stinger to antennae, is centred.
        let oy = -0.1;
        let wing = |side: f64| ellipse_segs(side * 0.47, -0.32 + oy, 0.42, 0.26, -side * 0.55);
        let body = vec![
            M(0.0, -0.36 + oy),
            C(0.3, -0.36 + oy, 0.47, -0.1 + oy, 0.47, 0.24 + oy),
            C(0.47, 0.62 + oy, 0.2, 0.86 + oy, 0.0, 1.04 + oy),
            C(-0.2, 0.86 + oy, -0.47, 0.62 + oy, -0.47, 0.24 + oy),
            C(-0.47, -0.1 + oy, -0.3, -0.36 + oy, 0.0, -0.36 + oy),
            Z,
        ];
        let head = circle_segs(0.0, -0.5 + oy, 0.21);
        let knobs: Vec<Seg> = [-1.0, 1.0].iter().flat_map(|&side| circle_segs(side * 0.33, -0.9 + oy, 0.07)).collect();
        // Stripes wrap round the body: engraved bands that sag a little.
        let mut grooves: Vec<Vec<Seg>> = [(0.06, 0.4), (0.33, 0.4), (0.6, 0.31)]
            .iter()
            .map(|&(y, hw)| vec![M(-hw, y + oy), C(-hw * 0.5, y + 0.08 + oy, hw * 0.5, y + 0.08 + oy, hw, y + oy)])
            .collect();
        for side in [-1.0, 1.0] {
            grooves.push(vec![
                M(side * 0.07, -0.68 + oy),
                C(side * 0.1, -0.78 + oy, side * 0.18, -0.86 + oy, side * 0.3, -0.89 + oy),
            ]);
        }
        let tilt = -0.3;
        let turn = |segs: Vec<Seg>| segs.into_iter().map(|s| rotate_seg(s, tilt)).collect();
        Emblem {
            reliefs: vec![
                Relief { outline: turn([wing(-1.0), wing(1.0)].concat()), facets: Vec::new() },
                Relief { outline: turn(body), facets: Vec::new() },
                Relief { outline: turn([head, knobs].concat()), facets: Vec::new() },
            ],
            grooves: grooves.into_iter().map(turn).collect(),
            groove_width: 0.085,
        }
    }

    /// A theme's own emblem: each path one raised piece, the whole fitted
    /// into the unit box (and a circle a little wider, as the stamp face is
    /// round), centred on its own bounds.
    fn custom(shape: &EmblemShape) -> Result<Emblem, SealError> {
        let bytes: usize = shape.paths.iter().map(String::len).sum();
        if bytes > MAX_EMBLEM_BYTES {
            return Err(SealError::TooLarge(bytes));
        }
        // usvg reads the path data, so any valid SVG syntax is accepted and
        // the text never reaches the output: only numbers printed here do.
        let mut doc = String::from("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1\" height=\"1\">");
        for d in &shape.paths {
            let _ = write!(doc, "<path d=\"{}\"/>", crate::xml::escape(d));
        }
        doc.push_str("</svg>");
        let tree = usvg::Tree::from_str(&doc, &usvg::Options::default())
            .map_err(|e| SealError::BadEmblemSvg(e.to_string()))?;
        let mut pieces = Vec::new();
        for node in tree.root().children() {
            if let usvg::Node::Path(path) = node {
                let subpaths = subpaths_of(path.data());
                if !subpaths.is_empty() {
                    pieces.push(subpaths.concat());
                }
            }
        }
        let points = || pieces.iter().flatten().flat_map(seg_points);
        let (x0, y0, x1, y1) = points().fold((f64::MAX, f64::MAX, f64::MIN, f64::MIN), |(x0, y0, x1, y1), (x, y)| {
            (x0.min(x), y0.min(y), x1.max(x), y1.max(y))
        });
        if pieces.is_empty() || !(x1 > x0 || y1 > y0) {
            return Err(SealError::EmptyEmblem);
        }
        let (mx, my) = ((x0 + x1) / 2.0, (y0 + y1) / 2.0);
        let half = (x1 - x0).max(y1 - y0) / 2.0;
        // Control points bound the curves, so this errs on the small side.
        let reach = points().map(|(x, y)| ((x - mx) * (x - mx) + (y - my) * (y - my)).sqrt()).fold(0.0, f64::max);
        let k = (1.0 / half).min(1.12 / reach);
        let fit = |x: f64, y: f64| ((x - mx) * k, (y - my) * k);
        let reliefs = pieces
            .into_iter()
            .map(|segs| Relief { outline: segs.into_iter().map(|s| map_seg(s, fit)).collect(), facets: Vec::new() })
            .collect();
        Ok(Emblem { reliefs, grooves: Vec::new(), groove_width: 0.0 })
    }
}

/// How lit a surface is whose outward normal is (nx, ny): 0 dark .. 1 lit,
/// with the light coming from the upper left.
fn light_facing(nx: f64, ny: f64) -> f64 {
    let (lx, ly) = (-core::f64::consts::FRAC_1_SQRT_2, -core::f64::consts::FRAC_1_SQRT_2);
    0.5 + 0.5 * (nx * lx + ny * ly)
}

/// Rotates a unit-box segment about the origin by `a` radians.
fn rotate_seg(s: Seg, a: f64) -> Seg {
    let (c, sn) = (libm::cos(a), libm::sin(a));
    map_seg(s, |x, y| (x * c - y * sn, x * sn + y * c))
}

/// Moves every point of a segment through `f`.
fn map_seg(s: Seg, f: impl Fn(f64, f64) -> (f64, f64)) -> Seg {
    match s {
        Seg::M(x, y) => {
            let (x, y) = f(x, y);
            Seg::M(x, y)
        }
        Seg::L(x, y) => {
            let (x, y) = f(x, y);
            Seg::L(x, y)
        }
        Seg::C(x1, y1, x2, y2, x, y) => {
            let (x1, y1) = f(x1, y1);
            let (x2, y2) = f(x2, y2);
            let (x, y) = f(x, y);
            Seg::C(x1, y1, x2, y2, x, y)
        }
        Seg::Z => Seg::Z,
    }
}

/// The points of a segment, control points included.
fn seg_points(s: &Seg) -> Vec<(f64, f64)> {
    match *s {
        Seg::M(x, y) | Seg::L(x, y) => vec![(x, y)],
        Seg::C(x1, y1, x2, y2, x, y) => vec![(x1, y1), (x2, y2), (x, y)],
        Seg::Z => Vec::new(),
    }
}

/// An ellipse centred at (`cx`, `cy`), its `rx` axis turned by `a` radians.
fn ellipse_segs(cx: f64, cy: f64, rx: f64, ry: f64, a: f64) -> Vec<Seg> {
    circle_segs(0.0, 0.0, 1.0)
        .into_iter()
        .map(|s| map_seg(rotate_seg(map_seg(s, |x, y| (x * rx, y * ry)), a), |x, y| (x + cx, y + cy)))
        .collect()
}

/// A circle as four cubic Béziers (kappa approximation).
fn circle_segs(cx: f64, cy: f64, r: f64) -> Vec<Seg> {
    use Seg::*;
    let k = 0.552_284_749_8 * r;
    vec![
        M(cx + r, cy),
        C(cx + r, cy + k, cx + k, cy + r, cx, cy + r),
        C(cx - k, cy + r, cx - r, cy + k, cx - r, cy),
        C(cx - r, cy - k, cx - k, cy - r, cx, cy - r),
        C(cx + k, cy - r, cx + r, cy - k, cx + r, cy),
        Z,
    ]
}

/// Path data for unit-box segments scaled by `s` and moved to (`x`, `y`).
fn segs_path(segs: &[Seg], x: f64, y: f64, s: f64) -> String {
    let mut d = String::with_capacity(segs.len() * 40);
    let p = |u: f64, v: f64| (F(x + u * s), F(y + v * s));
    for seg in segs {
        let _ = match *seg {
            Seg::M(u, v) => {
                let (a, b) = p(u, v);
                write!(d, "M{a} {b}")
            }
            Seg::L(u, v) => {
                let (a, b) = p(u, v);
                write!(d, "L{a} {b}")
            }
            Seg::C(u1, v1, u2, v2, u, v) => {
                let (a1, b1) = p(u1, v1);
                let (a2, b2) = p(u2, v2);
                let (a, b) = p(u, v);
                write!(d, "C{a1} {b1} {a2} {b2} {a} {b}")
            }
            Seg::Z => {
                d.push('Z');
                Ok(())
            }
        };
    }
    d
}

/// Parses an emblem SVG file (a theme's `emblems/NAME.svg`): takes its viewBox
/// (or width/height) and the `d` of every <path>; refuses anything that
/// refers outside the file.
///
/// The shapes are read through usvg, so `transform`s, `<use>` of the file's
/// own elements and the basic shapes (`<circle>`, `<rect>`, ...) work as in
/// any viewer; strokes are turned into outlines, so line-art icons work
/// too. The paths come back in absolute coordinates of `view_box`, their
/// transforms applied, and even-odd fills rewound so the nonzero rule the
/// seal uses keeps their holes.
///
/// Refused: files over [`MAX_EMBLEM_BYTES`]; `href`s that are not `#id`,
/// `url(...)` that is not `url(#id)`, `@import`, stylesheet instructions,
/// `<image>`, `<script>`, `<foreignObject>` and other embedders
/// ([`SealError::ExternalReference`]); entity declarations, `<text>`,
/// extreme nesting or detail ([`SealError::BadEmblemSvg`]); a file with
/// nothing to draw ([`SealError::EmptyEmblem`]).
pub fn parse_emblem_svg(text: &str) -> Result<EmblemShape, SealError> {
    if text.len() > MAX_EMBLEM_BYTES {
        return Err(SealError::TooLarge(text.len()));
    }
    // roxmltree stops nested entity expansion (the billion laughs), but not
    // a flat one: a large entity referenced thousands of times. Emblems have
    // no use for entities, so declaring one is refused before parsing.
    if text.contains("<!ENTITY") {
        return Err(SealError::BadEmblemSvg("entity declarations (<!ENTITY ...>) are not allowed".to_owned()));
    }
    let bad = |m: String| SealError::BadEmblemSvg(m);
    let xml_opt = roxmltree::ParsingOptions { allow_dtd: true, nodes_limit: 50_000, ..Default::default() };
    let doc = roxmltree::Document::parse_with_options(text, xml_opt).map_err(|e| bad(e.to_string()))?;
    check_emblem_doc(&doc)?;
    let root = doc.root_element();
    if root.tag_name().name() != "svg" || root.tag_name().namespace() != Some(SVG_NS) {
        return Err(bad(format!("the root element must be <svg xmlns=\"{SVG_NS}\">")));
    }
    let tree = usvg::Tree::from_xmltree(&doc, &usvg::Options::default()).map_err(|e| bad(e.to_string()))?;
    let size = (f64::from(tree.size().width()), f64::from(tree.size().height()));
    let view_box = match root.attribute("viewBox").and_then(parse_view_box) {
        Some(vb) => vb,
        None if root.has_attribute("width") && root.has_attribute("height") => (0.0, 0.0, size.0, size.1),
        None => return Err(bad("the <svg> needs a viewBox, or a width and a height".to_owned())),
    };
    // usvg maps the viewBox onto width x height; undo that so the paths are
    // in the viewBox's own units.
    let to_box = view_box_transform(view_box, size, root.attribute("preserveAspectRatio").unwrap_or(""))
        .invert()
        .ok_or_else(|| bad("the viewBox cannot be mapped".to_owned()))?;
    // Strokes are outlined finely enough for a box of this size drawn large.
    let res_scale = (512.0 / view_box.2.max(view_box.3)) as f32;
    let mut paths = Vec::new();
    let mut segments = 0;
    collect_paths(tree.root(), to_box, res_scale, &mut paths, &mut segments)?;
    if paths.is_empty() {
        return Err(SealError::EmptyEmblem);
    }
    Ok(EmblemShape { paths, view_box })
}

const SVG_NS: &str = "http://www.w3.org/2000/svg";

/// Emblem files may hold at most this many path segments in all: enough for
/// any emblem, and it keeps a seal's SVG small.
const MAX_EMBLEM_SEGMENTS: usize = 20_000;

/// Refuses what could reach outside the file, and what could make usvg
/// work without bound (deep nesting, `<use>` chains that multiply).
fn check_emblem_doc(doc: &roxmltree::Document) -> Result<(), SealError> {
    let external = |what: &str| SealError::ExternalReference(what.to_owned());
    // Elements that embed or run something from elsewhere.
    const EMBEDDERS: &[&str] =
        &["image", "feImage", "script", "foreignObject", "iframe", "embed", "object", "video", "audio", "handler"];
    let mut depth = vec![0usize; doc.descendants().count() + 1];
    let mut uses = 0;
    for node in doc.descendants() {
        let d = node.parent().map_or(0, |p| depth[p.id().get() as usize] + 1);
        depth[node.id().get() as usize] = d;
        if d > 64 {
            return Err(SealError::BadEmblemSvg("elements are nested more than 64 deep".to_owned()));
        }
        if let Some(pi) = node.pi() {
            if pi.target.eq_ignore_ascii_case("xml-stylesheet") {
                return Err(external(&format!("<?xml-stylesheet {}?>", pi.value.unwrap_or("").trim())));
            }
        }
        if node.is_text() && node.parent().is_some_and(|p| p.has_tag_name((SVG_NS, "style"))) {
            check_css(node.text().unwrap_or(""))?;
        }
        if !node.is_element() {
            continue;
        }
        let name = node.tag_name().name();
        if EMBEDDERS.contains(&name) {
            // Name what it would load, when it says.
            let href = node.attributes().find(|a| a.name() == "href").map(|a| format!(" {}", a.value()));
            return Err(external(&format!("<{name}>{}", href.unwrap_or_default())));
        }
        if name == "text" {
            return Err(SealError::BadEmblemSvg(
                "<text> is not supported: convert the text to paths (Inkscape: Path > Object to Path)".to_owned(),
            ));
        }
        if name == "use" {
            uses += 1;
            if uses > 100 {
                return Err(SealError::BadEmblemSvg("more than 100 <use> elements".to_owned()));
            }
        }
        for attr in node.attributes() {
            let value = attr.value().trim();
            if attr.name() == "href" && !value.starts_with('#') {
                return Err(external(value));
            }
            check_urls(value)?;
        }
    }
    // `<use>` of a group that itself uses groups multiplies: ten levels of
    // ten copies is ten billion paths. Count what usvg would expand.
    let mut memo = std::collections::HashMap::new();
    if expanded_size(doc, doc.root_element(), &mut memo, 0) > 20_000 {
        return Err(SealError::BadEmblemSvg("<use> elements expand to too many shapes".to_owned()));
    }
    Ok(())
}

/// How many elements `node` stands for once every `<use>` is expanded
/// (saturating). A `<use>` loop, or a chain of them so long that counting
/// it would run deep, counts as too many.
fn expanded_size<'a>(
    doc: &'a roxmltree::Document,
    node: roxmltree::Node<'a, 'a>,
    memo: &mut std::collections::HashMap<roxmltree::NodeId, usize>,
    depth: usize,
) -> usize {
    const TOO_MANY: usize = usize::MAX / 2;
    if let Some(&n) = memo.get(&node.id()) {
        return n;
    }
    // Elements nest at most 64 deep; this leaves room for a few <use> hops.
    if depth > 256 {
        return TOO_MANY;
    }
    // Marked while being counted: a `<use>` that reaches back here is a loop.
    memo.insert(node.id(), TOO_MANY);
    let mut n = 1usize;
    for child in node.children().filter(roxmltree::Node::is_element) {
        n = n.saturating_add(expanded_size(doc, child, memo, depth + 1));
    }
    if node.tag_name().name() == "use" {
        let target = node
            .attributes()
            .find(|a| a.name() == "href")
            .and_then(|a| a.value().trim().strip_prefix('#'))
            .and_then(|id| doc.descendants().find(|d| d.attribute("id") == Some(id)));
        if let Some(target) = target {
            n = n.saturating_add(expanded_size(doc, target, memo, depth + 1));
        }
    }
    let n = n.min(TOO_MANY);
    memo.insert(node.id(), n);
    n
}

/// Refuses `url(...)` that is not `url(#id)`, in an attribute or style.
fn check_urls(text: &str) -> Result<(), SealError> {
    let lower = text.to_ascii_lowercase();
    let mut rest = lower.as_str();
    let mut offset = 0;
    while let Some(at) = rest.find("url(") {
        let start = offset + at + 4;
        let inner = &text[start..];
        let inner = &inner[..inner.find(')').unwrap_or(inner.len())];
        let target = inner.trim().trim_matches(|c| c == '"' || c == '\'').trim();
        if !target.starts_with('#') {
            return Err(SealError::ExternalReference(format!("url({})", inner.trim())));
        }
        offset = start;
        rest = &lower[offset..];
    }
    Ok(())
}

/// Refuses a `<style>` sheet that imports another or points elsewhere.
fn check_css(css: &str) -> Result<(), SealError> {
    if let Some(at) = css.to_ascii_lowercase().find("@import") {
        let rule = css[at..].split(';').next().unwrap_or("@import");
        return Err(SealError::ExternalReference(rule.trim().to_owned()));
    }
    check_urls(css)
}

/// Parses `viewBox="min-x min-y width height"`; `None` if it is unusable,
/// as a viewer would ignore it.
fn parse_view_box(s: &str) -> Option<(f64, f64, f64, f64)> {
    let n: Vec<f64> = s
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|t| !t.is_empty())
        .map(str::parse)
        .collect::<Result<_, _>>()
        .ok()?;
    match n[..] {
        [x, y, w, h] if n.iter().all(|v| v.is_finite()) && w > 0.0 && h > 0.0 => Some((x, y, w, h)),
        _ => None,
    }
}

/// The transform a viewer uses to fit `view_box` into `size`, following
/// `preserveAspectRatio` (default `xMidYMid meet`).
fn view_box_transform(
    (vx, vy, vw, vh): (f64, f64, f64, f64),
    (w, h): (f64, f64),
    aspect: &str,
) -> tiny_skia_path::Transform {
    let mut words = aspect.split_whitespace();
    let align = words.next().unwrap_or("xMidYMid");
    let slice = words.next() == Some("slice");
    let (sx, sy) = (w / vw, h / vh);
    let (sx, sy, ax, ay) = if align == "none" {
        (sx, sy, 0.0, 0.0)
    } else {
        let s = if slice { sx.max(sy) } else { sx.min(sy) };
        let place = |key_min: &str, key_max: &str| {
            if align.contains(key_min) {
                0.0
            } else if align.contains(key_max) {
                1.0
            } else {
                0.5
            }
        };
        (s, s, place("xMin", "xMax"), place("YMin", "YMax"))
    };
    let tx = -vx * sx + ax * (w - vw * sx);
    let ty = -vy * sy + ay * (h - vh * sy);
    tiny_skia_path::Transform::from_row(sx as f32, 0.0, 0.0, sy as f32, tx as f32, ty as f32)
}

/// Gathers every visible fill and stroke below `group`, in paint order, as
/// path data in the view box's units.
fn collect_paths(
    group: &usvg::Group,
    to_box: tiny_skia_path::Transform,
    res_scale: f32,
    out: &mut Vec<String>,
    segments: &mut usize,
) -> Result<(), SealError> {
    for node in group.children() {
        let path = match node {
            usvg::Node::Group(g) => {
                collect_paths(g, to_box, res_scale, out, segments)?;
                continue;
            }
            usvg::Node::Path(path) if path.is_visible() => path,
            _ => continue,
        };
        let ts = to_box.pre_concat(path.abs_transform());
        let mut shapes = Vec::new();
        if let Some(fill) = path.fill() {
            shapes.push((path.data().clone(), fill.rule() == usvg::FillRule::EvenOdd));
        }
        if let Some(stroke) = path.stroke() {
            let mut outline = stroke.to_tiny_skia();
            let dashed = match outline.dash.take() {
                Some(dash) => path.data().dash(&dash, res_scale),
                None => Some(path.data().clone()),
            };
            // A stroke's outline overlaps itself at joins: nonzero fills it whole.
            if let Some(o) = dashed.and_then(|d| d.stroke(&outline, res_scale)) {
                shapes.push((o, false));
            }
        }
        for (data, even_odd) in shapes {
            let Some(data) = data.transform(ts) else { continue };
            let mut subpaths = subpaths_of(&data);
            if even_odd {
                wind_for_nonzero(&mut subpaths);
            }
            *segments += subpaths.iter().map(Vec::len).sum::<usize>();
            if *segments > MAX_EMBLEM_SEGMENTS {
                return Err(SealError::BadEmblemSvg(format!(
                    "too detailed: more than {MAX_EMBLEM_SEGMENTS} path segments; simplify the drawing"
                )));
            }
            if !subpaths.is_empty() {
                out.push(path_data(&subpaths));
            }
        }
    }
    Ok(())
}

/// A tiny-skia path as closed subpaths of M, L, C and Z (quadratics raised
/// to cubics); lone moves are dropped.
fn subpaths_of(path: &tiny_skia_path::Path) -> Vec<Vec<Seg>> {
    use tiny_skia_path::PathSegment as P;
    let mut all = Vec::new();
    let mut current: Vec<Seg> = Vec::new();
    let mut at = (0.0, 0.0);
    let pt = |p: tiny_skia_path::Point| (f64::from(p.x), f64::from(p.y));
    let mut flush = |current: &mut Vec<Seg>| {
        if current.len() > 1 {
            if !matches!(current.last(), Some(Seg::Z)) {
                current.push(Seg::Z);
            }
            all.push(std::mem::take(current));
        }
        current.clear();
    };
    for seg in path.segments() {
        match seg {
            P::MoveTo(p) => {
                flush(&mut current);
                at = pt(p);
                current.push(Seg::M(at.0, at.1));
            }
            P::LineTo(p) => {
                at = pt(p);
                current.push(Seg::L(at.0, at.1));
            }
            P::QuadTo(c, p) => {
                let (c, p) = (pt(c), pt(p));
                let c1 = (at.0 + 2.0 / 3.0 * (c.0 - at.0), at.1 + 2.0 / 3.0 * (c.1 - at.1));
                let c2 = (p.0 + 2.0 / 3.0 * (c.0 - p.0), p.1 + 2.0 / 3.0 * (c.1 - p.1));
                current.push(Seg::C(c1.0, c1.1, c2.0, c2.1, p.0, p.1));
                at = p;
            }
            P::CubicTo(c1, c2, p) => {
                let (c1, c2, p) = (pt(c1), pt(c2), pt(p));
                current.push(Seg::C(c1.0, c1.1, c2.0, c2.1, p.0, p.1));
                at = p;
            }
            P::Close => {
                current.push(Seg::Z);
                flush(&mut current);
            }
        }
    }
    flush(&mut current);
    all
}

/// Rewinds closed subpaths so that the nonzero rule fills what the even-odd
/// rule would: a subpath inside an even number of others runs one way, one
/// inside an odd number the other way. (Exact for subpaths that do not
/// cross, which is how holes are drawn.)
fn wind_for_nonzero(subpaths: &mut [Vec<Seg>]) {
    let polygons: Vec<Vec<(f64, f64)>> = subpaths.iter().map(|s| flatten(s)).collect();
    for i in 0..subpaths.len() {
        let area = signed_area(&polygons[i]);
        let Some(&probe) = polygons[i].first() else { continue };
        if area.abs() < 1e-12 {
            continue;
        }
        let depth = (0..polygons.len()).filter(|&j| j != i && contains(&polygons[j], probe)).count();
        if (area > 0.0) != depth.is_multiple_of(2) {
            subpaths[i] = reversed(&subpaths[i]);
        }
    }
}

/// A closed subpath as a polygon, curves sampled.
fn flatten(segs: &[Seg]) -> Vec<(f64, f64)> {
    let mut pts = Vec::new();
    let mut at = (0.0, 0.0);
    for s in segs {
        match *s {
            Seg::M(x, y) | Seg::L(x, y) => {
                at = (x, y);
                pts.push(at);
            }
            Seg::C(x1, y1, x2, y2, x, y) => {
                for k in 1..=8 {
                    let t = f64::from(k) / 8.0;
                    let u = 1.0 - t;
                    let b = |p0: f64, p1: f64, p2: f64, p3: f64| {
                        u * u * u * p0 + 3.0 * u * u * t * p1 + 3.0 * u * t * t * p2 + t * t * t * p3
                    };
                    pts.push((b(at.0, x1, x2, x), b(at.1, y1, y2, y)));
                }
                at = (x, y);
            }
            Seg::Z => {}
        }
    }
    pts
}

/// Twice the signed area of a polygon (shoelace); its sign is its winding.
fn signed_area(pts: &[(f64, f64)]) -> f64 {
    let n = pts.len();
    (0..n).map(|i| pts[i].0 * pts[(i + 1) % n].1 - pts[(i + 1) % n].0 * pts[i].1).sum()
}

/// Whether `p` is inside the polygon (even-odd crossing test).
fn contains(pts: &[(f64, f64)], p: (f64, f64)) -> bool {
    let n = pts.len();
    let mut inside = false;
    for i in 0..n {
        let (a, b) = (pts[i], pts[(i + n - 1) % n]);
        if (a.1 > p.1) != (b.1 > p.1) && p.0 < (b.0 - a.0) * (p.1 - a.1) / (b.1 - a.1) + a.0 {
            inside = !inside;
        }
    }
    inside
}

/// The same closed subpath drawn the other way round.
fn reversed(segs: &[Seg]) -> Vec<Seg> {
    let Some(&Seg::M(sx, sy)) = segs.first() else { return segs.to_vec() };
    // Each drawn piece as (its start, the piece), the closing line made explicit.
    let mut pieces = Vec::new();
    let mut at = (sx, sy);
    for s in &segs[1..] {
        match *s {
            Seg::L(x, y) => {
                pieces.push((at, *s));
                at = (x, y);
            }
            Seg::C(.., x, y) => {
                pieces.push((at, *s));
                at = (x, y);
            }
            Seg::M(..) | Seg::Z => {}
        }
    }
    if at != (sx, sy) {
        pieces.push((at, Seg::L(sx, sy)));
    }
    let mut out = vec![Seg::M(sx, sy)];
    for &(start, piece) in pieces.iter().rev() {
        out.push(match piece {
            Seg::C(x1, y1, x2, y2, ..) => Seg::C(x2, y2, x1, y1, start.0, start.1),
            _ => Seg::L(start.0, start.1),
        });
    }
    out.push(Seg::Z);
    out
}

/// Path data for absolute segments, numbers to three decimals.
fn path_data(subpaths: &[Vec<Seg>]) -> String {
    let n = |v: f64| {
        let s = format!("{:.3}", if v.abs() < 0.0005 { 0.0 } else { v });
        let s = s.trim_end_matches('0').trim_end_matches('.');
        s.to_owned()
    };
    let mut d = String::new();
    for seg in subpaths.iter().flatten() {
        let _ = match *seg {
            Seg::M(x, y) => write!(d, "M{} {}", n(x), n(y)),
            Seg::L(x, y) => write!(d, "L{} {}", n(x), n(y)),
            Seg::C(x1, y1, x2, y2, x, y) => {
                write!(d, "C{} {} {} {} {} {}", n(x1), n(y1), n(x2), n(y2), n(x), n(y))
            }
            Seg::Z => {
                d.push('Z');
                Ok(())
            }
        };
    }
    d
}

/// Radii of the stamp's features, as fractions of the outer radius.
mod radius {
    /// Outer foot of the raised lip, where it meets the puddle.
    pub const LIP_OUT: f64 = 0.76;
    /// Crest of the lip.
    pub const LIP_CREST: f64 = 0.69;
    /// Edge of the pressed stamp face.
    pub const FACE: f64 = 0.625;
    /// The ring of beads engraved on the stamp, just inside its edge.
    pub const BEADS: f64 = 0.56;
}

/// Writes the seal's layers; holds what every layer needs.
struct Painter {
    /// Sanitised id prefix.
    p: String,
    cx: f64,
    cy: f64,
    r: f64,
    pal: Palette,
}

impl Painter {
    /// Gradients and the two bounded shadow filters.
    fn defs(&self, out: &mut String, rim: &Rim) {
        let (p, cx, cy, r, pal) = (&self.p, self.cx, self.cy, self.r, &self.pal);
        out.push_str("<defs>");

        // Shadows: a soft one cast away from the light, and a tight contact
        // shadow where the wax meets the paper. Regions hug the puddle.
        for (name, blur, (dx, dy)) in [("shadow", 0.07, Self::SHADOW_OFFSET), ("contact", 0.018, Self::CONTACT_OFFSET)]
        {
            let pad = 3.0 * blur * r;
            let (x0, y0, x1, y1) = rim.bbox;
            let _ = write!(
                out,
                "<filter id=\"{p}-{name}\" filterUnits=\"userSpaceOnUse\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"><feGaussianBlur stdDeviation=\"{}\"/></filter>",
                F(x0 + dx * r - pad),
                F(y0 + dy * r - pad),
                F(x1 - x0 + 2.0 * pad),
                F(y1 - y0 + 2.0 * pad),
                F(blur * r)
            );
        }

        // The puddle is a low dome lit from the upper left.
        let _ = write!(
            out,
            "<radialGradient id=\"{p}-body\" gradientUnits=\"userSpaceOnUse\" cx=\"{}\" cy=\"{}\" r=\"{}\">\
             <stop offset=\"0\" stop-color=\"{}\"/><stop offset=\"0.45\" stop-color=\"{}\"/>\
             <stop offset=\"0.8\" stop-color=\"{}\"/><stop offset=\"1\" stop-color=\"{}\"/></radialGradient>",
            F(cx - 0.35 * r),
            F(cy - 0.4 * r),
            F(1.55 * r),
            pal.light,
            pal.base,
            pal.base.darken(0.18),
            pal.shade
        );
        // A diagonal light-to-dark ramp, reused (stroked) for every edge that
        // rises toward the light: lit upper left, shaded lower right.
        self.diagonal(out, "rise", &[(0.0, pal.highlight, 1.0), (0.5, pal.base, 1.0), (1.0, pal.deep, 1.0)]);
        // The inner wall of the lip faces the other way: shaded upper left.
        self.diagonal(out, "fall", &[(0.0, pal.deep, 1.0), (0.5, pal.shade, 1.0), (1.0, pal.light, 1.0)]);
        // The rounded outer edge of the puddle: only its ends are visible.
        self.diagonal(
            out,
            "edge",
            &[(0.0, pal.glint, 0.6), (0.38, pal.base, 0.0), (0.62, pal.base, 0.0), (1.0, pal.deep, 0.9)],
        );
        // The stamp face is recessed: the lip shades its upper-left side.
        let _ = write!(
            out,
            "<radialGradient id=\"{p}-face\" gradientUnits=\"userSpaceOnUse\" cx=\"{}\" cy=\"{}\" r=\"{}\">\
             <stop offset=\"0\" stop-color=\"{}\"/><stop offset=\"0.62\" stop-color=\"{}\"/>\
             <stop offset=\"1\" stop-color=\"{}\"/></radialGradient>",
            F(cx + 0.1 * r),
            F(cy + 0.12 * r),
            F(0.74 * r),
            pal.base.lighten(0.06),
            pal.base.darken(0.06),
            pal.shade
        );
        // A soft specular glint, stretched into streaks by transforms.
        let _ = write!(
            out,
            "<radialGradient id=\"{p}-glint\"><stop offset=\"0\" stop-color=\"#ffffff\" stop-opacity=\"0.55\"/>\
             <stop offset=\"0.5\" stop-color=\"#ffffff\" stop-opacity=\"0.18\"/>\
             <stop offset=\"1\" stop-color=\"#ffffff\" stop-opacity=\"0\"/></radialGradient>"
        );
        // Tops of raised emblem pieces: a dome lit from the upper left.
        let _ = write!(
            out,
            "<radialGradient id=\"{p}-dome\" cx=\"0.36\" cy=\"0.3\" r=\"0.85\">\
             <stop offset=\"0\" stop-color=\"{}\"/><stop offset=\"0.55\" stop-color=\"{}\"/>\
             <stop offset=\"1\" stop-color=\"{}\"/></radialGradient>",
            pal.highlight,
            pal.light,
            pal.base.darken(0.05)
        );
        // The bevelled edge of raised emblem pieces, stroked along their
        // outline: it turns smoothly from lit to shaded as the edge turns
        // away from the light, which softens the cut-out look of the
        // offset copies underneath.
        let _ = write!(
            out,
            "<linearGradient id=\"{p}-bevel\" x1=\"0\" y1=\"0\" x2=\"1\" y2=\"1\">\
             <stop offset=\"0\" stop-color=\"{}\" stop-opacity=\"0.85\"/>\
             <stop offset=\"0.42\" stop-color=\"{}\" stop-opacity=\"0\"/>\
             <stop offset=\"0.58\" stop-color=\"{}\" stop-opacity=\"0\"/>\
             <stop offset=\"1\" stop-color=\"{}\" stop-opacity=\"0.8\"/></linearGradient>",
            pal.glint, pal.light, pal.shade, pal.deep
        );
        out.push_str("</defs>");
    }

    /// A linear gradient across the seal from upper left to lower right.
    fn diagonal(&self, out: &mut String, name: &str, stops: &[(f64, Rgb, f64)]) {
        let (cx, cy, r) = (self.cx, self.cy, self.r);
        let _ = write!(
            out,
            "<linearGradient id=\"{}-{name}\" gradientUnits=\"userSpaceOnUse\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\">",
            self.p,
            F(cx - 0.7 * r),
            F(cy - 0.7 * r),
            F(cx + 0.7 * r),
            F(cy + 0.7 * r)
        );
        for (offset, color, opacity) in stops {
            let _ = write!(
                out,
                "<stop offset=\"{}\" stop-color=\"{color}\" stop-opacity=\"{}\"/>",
                F(*offset),
                F(*opacity)
            );
        }
        out.push_str("</linearGradient>");
    }

    /// Offsets of the shadows, as fractions of the radius (light from the upper left).
    const SHADOW_OFFSET: (f64, f64) = (0.05, 0.1);
    const CONTACT_OFFSET: (f64, f64) = (0.012, 0.028);

    fn shadow(&self, out: &mut String, rim: &Rim) {
        let r = self.r;
        // Shadow of coloured wax on paper: a very dark, slightly tinted brown.
        let tint = self.pal.deep.darken(0.6).mix(Rgb { r: 0.16, g: 0.1, b: 0.06 }, 0.5);
        for (name, (dx, dy), opacity) in
            [("shadow", Self::SHADOW_OFFSET, 0.42), ("contact", Self::CONTACT_OFFSET, 0.55)]
        {
            let _ = write!(
                out,
                "<path d=\"{}\" fill=\"{tint}\" fill-opacity=\"{}\" filter=\"url(#{}-{name})\"/>",
                rim.path(dx * r, dy * r),
                F(opacity),
                self.p
            );
        }
    }

    /// The wax puddle: dome-shaded body, a rounded rim, a glossy streak.
    fn puddle(&self, out: &mut String, rim: &Rim, rng: &mut SplitMix64) {
        let (p, r) = (&self.p, self.r);
        // The rounded edge is a stroke along the rim pulled in by half its
        // width, so none of it spills onto the paper as a pale halo.
        let edge = 0.036 * r;
        let _ = write!(
            out,
            "<path d=\"{}\" fill=\"url(#{p}-body)\"/>\
             <path d=\"{}\" fill=\"none\" stroke=\"url(#{p}-edge)\" stroke-width=\"{}\" stroke-linejoin=\"round\"/>",
            rim.path(0.0, 0.0),
            rim.inset(edge / 2.0).path(0.0, 0.0),
            F(edge)
        );
        // Specular streaks on the shoulder of the puddle: a main one facing
        // the light and a couple of small ones where the surface ripples.
        // Each sits midway across the puddle at its angle, so it never
        // floats off a narrow stretch of rim.
        let mut streak = |deg: f64, long: f64, wide: f64| {
            let mid = (radius::LIP_OUT * r + rim.distance_at(self.cx, self.cy, deg)) / 2.0;
            self.glint(out, deg, mid / r, long, wide);
        };
        streak(rng.range(212.0, 232.0), 0.2, 0.045);
        for _ in 0..2 {
            streak(rng.range(150.0, 300.0), rng.range(0.05, 0.1), 0.022);
        }
        // A faint reflected light on the far side keeps it from looking flat.
        out.push_str("<g opacity=\"0.35\">");
        let mut streak = |deg: f64, long: f64, wide: f64| {
            let mid = (radius::LIP_OUT * r + rim.distance_at(self.cx, self.cy, deg)) / 2.0;
            self.glint(out, deg, mid / r, long, wide);
        };
        streak(rng.range(30.0, 60.0), 0.16, 0.035);
        out.push_str("</g>");
    }

    /// A soft white streak tangent to the circle of radius `at` (fraction of
    /// r) at angle `deg` (screen degrees, 0 = right, 90 = down).
    fn glint(&self, out: &mut String, deg: f64, at: f64, long: f64, wide: f64) {
        let (cx, cy, r) = (self.cx, self.cy, self.r);
        let a = deg.to_radians();
        let x = cx + at * r * libm::cos(a);
        let y = cy + at * r * libm::sin(a);
        let _ = write!(
            out,
            "<ellipse cx=\"{}\" cy=\"{}\" rx=\"{}\" ry=\"{}\" transform=\"rotate({} {} {})\" fill=\"url(#{}-glint)\"/>",
            F(x),
            F(y),
            F(long * r),
            F(wide * r),
            F(deg + 90.0),
            F(x),
            F(y),
            self.p
        );
    }

    /// The raised lip squeezed up around the stamp: its outer slope lit on
    /// the upper left, its inner slope lit on the lower right, a bright
    /// catch-light along the crest.
    fn lip(&self, out: &mut String) {
        let (p, cx, cy, r) = (&self.p, self.cx, self.cy, self.r);
        let outer_w = radius::LIP_OUT - radius::LIP_CREST;
        let inner_w = radius::LIP_CREST - radius::FACE;
        // A soft crease where the lip rises from the puddle.
        let _ = write!(
            out,
            "<circle cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"none\" stroke=\"{}\" stroke-opacity=\"0.35\" stroke-width=\"{}\"/>",
            F(cx),
            F(cy),
            F(radius::LIP_OUT * r),
            self.pal.deep,
            F(0.02 * r)
        );
        let _ = write!(
            out,
            "<circle cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"none\" stroke=\"url(#{p}-rise)\" stroke-width=\"{}\"/>\
             <circle cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"none\" stroke=\"url(#{p}-fall)\" stroke-width=\"{}\"/>",
            F(cx),
            F(cy),
            F((radius::LIP_OUT + radius::LIP_CREST) / 2.0 * r),
            F(outer_w * r + 0.5),
            F(cx),
            F(cy),
            F((radius::LIP_CREST + radius::FACE) / 2.0 * r),
            F(inner_w * r + 0.5),
        );
        // Catch-light along the crest, brightest at the upper left and
        // fading toward both ends (a gradient along the arc's chord).
        self.crest_arc(out, 188.0, 262.0, 0.022, 0.85);
        // A dimmer reflection on the lower right crest.
        self.crest_arc(out, 20.0, 70.0, 0.014, 0.3);
    }

    /// A glint along the lip's crest from angle `from` to `to` (screen
    /// degrees). Its gradient is written inline, beside the arc, because its
    /// ends depend on the arc; SVG allows gradients outside `<defs>`.
    fn crest_arc(&self, out: &mut String, from: f64, to: f64, width: f64, opacity: f64) {
        let (cx, cy, r) = (self.cx, self.cy, self.r);
        let rad = radius::LIP_CREST * r;
        let pt = |deg: f64| {
            let a = deg.to_radians();
            (cx + rad * libm::cos(a), cy + rad * libm::sin(a))
        };
        let (a, b) = (pt(from), pt(to));
        let grad = format!("{}-crest{}", self.p, from as i64);
        let _ = write!(
            out,
            "<linearGradient id=\"{grad}\" gradientUnits=\"userSpaceOnUse\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\">\
             <stop offset=\"0\" stop-color=\"{g}\" stop-opacity=\"0\"/>\
             <stop offset=\"0.5\" stop-color=\"{g}\" stop-opacity=\"{}\"/>\
             <stop offset=\"1\" stop-color=\"{g}\" stop-opacity=\"0\"/></linearGradient>\
             <path d=\"M{} {}A{} {} 0 0 1 {} {}\" fill=\"none\" stroke=\"url(#{grad})\" stroke-width=\"{}\" stroke-linecap=\"round\"/>",
            F(a.0),
            F(a.1),
            F(b.0),
            F(b.1),
            F(opacity),
            F(a.0),
            F(a.1),
            F(rad),
            F(rad),
            F(b.0),
            F(b.1),
            F(width * r),
            g = self.pal.glint,
        );
    }

    /// The fine grain the stamp leaves on the face it pressed: real brass
    /// stamps have a matte face, so the impression is satin while the wax
    /// around it stays glossy. Seeded noise is lit from the upper left like
    /// the rest of the seal and laid over the face as translucent black on
    /// the slopes facing away from the light and white on those facing it.
    /// One octave and a filter region that hugs the face keep it to about
    /// 7 ms for a seal of r = 130 px (over the whole puddle it took 15 ms).
    fn grain(&self, out: &mut String, seed: u64) {
        let (p, cx, cy, r) = (&self.p, self.cx, self.cy, self.r);
        let face = radius::FACE * r;
        let box_side = 2.0 * face + 2.0;
        // Grain a few pixels across on a card's seal; never finer than a few
        // user units, where noise would only alias into speckle.
        let freq = (45.0 / r).min(0.4);
        // The most a slope darkens or lightens the wax.
        let k = 0.14;
        // A flat surface lit at 45 degrees reflects sin 45: the neutral level.
        let flat = k * core::f64::consts::FRAC_1_SQRT_2;
        let _ = write!(
            out,
            "<defs><filter id=\"{p}-grain\" filterUnits=\"userSpaceOnUse\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" \
             color-interpolation-filters=\"sRGB\">\
             <feTurbulence type=\"fractalNoise\" baseFrequency=\"{:.4}\" numOctaves=\"1\" seed=\"{}\"/>\
             <feDiffuseLighting surfaceScale=\"1.5\" lighting-color=\"#ffffff\" result=\"lit\">\
             <feDistantLight azimuth=\"225\" elevation=\"45\"/></feDiffuseLighting>\
             <feColorMatrix in=\"lit\" type=\"matrix\" values=\"0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 {:.4} 0 0 0 {:.4}\" result=\"dark\"/>\
             <feColorMatrix in=\"lit\" type=\"matrix\" values=\"0 0 0 0 1 0 0 0 0 1 0 0 0 0 1 {:.4} 0 0 0 {:.4}\" result=\"light\"/>\
             <feMerge><feMergeNode in=\"dark\"/><feMergeNode in=\"light\"/></feMerge>\
             <feComposite in2=\"SourceAlpha\" operator=\"in\"/></filter></defs>\
             <circle cx=\"{}\" cy=\"{}\" r=\"{}\" filter=\"url(#{p}-grain)\"/>",
            F(cx - box_side / 2.0),
            F(cy - box_side / 2.0),
            F(box_side),
            F(box_side),
            freq,
            seed % 10_000,
            -k,
            flat,
            k,
            -flat,
            F(cx),
            F(cy),
            F(face)
        );
    }

    /// The pressed stamp face with its engraved ring of beads.
    fn face(&self, out: &mut String) {
        let (p, cx, cy, r) = (&self.p, self.cx, self.cy, self.r);
        let _ = write!(
            out,
            "<circle cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"url(#{p}-face)\"/>",
            F(cx),
            F(cy),
            F(radius::FACE * r)
        );
        // Beads are raised dots: a shadow copy down-right, a lit copy up-left.
        let count = 40;
        let bead = 0.017 * r;
        let d = 0.008 * r;
        for (dx, dy, color) in
            [(d, d, self.pal.deep), (-d * 0.8, -d * 0.8, self.pal.highlight), (0.0, 0.0, self.pal.base.lighten(0.08))]
        {
            let _ = write!(out, "<g fill=\"{color}\">");
            for i in 0..count {
                let a = TAU * i as f64 / count as f64;
                let _ = write!(
                    out,
                    "<circle cx=\"{}\" cy=\"{}\" r=\"{}\"/>",
                    F(cx + radius::BEADS * r * libm::cos(a) + dx),
                    F(cy + radius::BEADS * r * libm::sin(a) + dy),
                    F(bead)
                );
            }
            out.push_str("</g>");
        }
    }

    /// The copies drawn under a raised shape of emboss depth `d`, as
    /// (offset x, offset y, paint attributes): a faint wide shadow, a firm
    /// near shadow and a lit edge. Only their slivers beside the shape show.
    fn underlays(&self, d: f64) -> [(f64, f64, String); 3] {
        let pal = &self.pal;
        [
            (1.8 * d, 2.0 * d, format!("fill=\"{}\" fill-opacity=\"0.3\"", pal.deep)),
            (d, d, format!("fill=\"{}\" fill-opacity=\"0.85\"", pal.deep)),
            (-0.8 * d, -0.8 * d, format!("fill=\"{}\"", pal.glint)),
        ]
    }

    /// An emblem embossed at (`x`, `y`) with half-size `s`.
    fn emblem(&self, out: &mut String, emblem: &Emblem, x: f64, y: f64, s: f64) {
        let pal = &self.pal;
        // The emboss depth scales with the emblem, never below ~0.6px so it
        // still reads at small sizes.
        let d = (0.05 * s).max(0.6);
        for relief in &emblem.reliefs {
            for (dx, dy, paint) in self.underlays(d) {
                let _ = write!(out, "<path d=\"{}\" {paint}/>", segs_path(&relief.outline, x + dx, y + dy, s));
            }
            if relief.facets.is_empty() {
                let _ = write!(
                    out,
                    "<path d=\"{}\" fill=\"url(#{p}-dome)\" stroke=\"url(#{p}-bevel)\" stroke-width=\"{}\" stroke-linejoin=\"round\"/>",
                    segs_path(&relief.outline, x, y, s),
                    F(0.9 * d),
                    p = self.p
                );
            } else {
                for (facet, lit) in &relief.facets {
                    let color = pal.shade.mix(pal.highlight, *lit);
                    // A hairline stroke in the same colour hides seams between facets.
                    let _ = write!(
                        out,
                        "<path d=\"{}\" fill=\"{color}\" stroke=\"{color}\" stroke-width=\"0.4\" stroke-linejoin=\"round\"/>",
                        segs_path(facet, x, y, s)
                    );
                }
            }
        }
        if !emblem.grooves.is_empty() {
            // Engraved lines: lit on their lower-right wall, dark above it.
            let w = emblem.groove_width * s;
            let o = (0.4 * w).max(0.4);
            for (dx, color, width) in [(o, pal.highlight, w), (0.0, pal.shade, w * 0.8)] {
                let _ = write!(
                    out,
                    "<g fill=\"none\" stroke=\"{color}\" stroke-width=\"{}\" stroke-linecap=\"round\">",
                    F(width)
                );
                for groove in &emblem.grooves {
                    let _ = write!(out, "<path d=\"{}\"/>", segs_path(groove, x + dx, y + dx, s));
                }
                out.push_str("</g>");
            }
        }
    }

    /// Embossed initials with their caps centred on `y`; `scale` shrinks
    /// them when they share the face with an emblem.
    fn initials(&self, out: &mut String, text: &str, y: f64, scale: f64, family: &str) {
        let (cx, r) = (self.cx, self.r);
        let count = text.graphemes(true).count();
        let tall = match count {
            1 => 0.68,
            2 => 0.52,
            _ => 0.42,
        } * r
            * scale;
        // Wide letters must still clear the ring of beads: without the
        // font's metrics here, estimate the width from typical capitals.
        let spacing = 0.03;
        let em = text.chars().map(cap_width).sum::<f64>() + spacing * count.saturating_sub(1) as f64;
        let size = tall.min(0.92 * r * scale / em.max(0.1));
        // Centre the capitals: their height is about 0.66 em in book faces.
        let baseline = y + 0.33 * size;
        // Letter-spacing is also added after the last letter, which would
        // pull the word left of centre.
        let x = cx + 0.5 * spacing * size;
        let d = (0.035 * size).max(0.6);
        // Quotes would end the CSS string; no real family name has them.
        let family: String = family.chars().filter(|c| !matches!(c, '\'' | '"' | '\\')).collect();
        let text = crate::xml::escape(text);
        let family = crate::xml::escape(&family);
        let _ = write!(
            out,
            "<g font-family=\"'{family}'\" font-size=\"{}\" text-anchor=\"middle\" letter-spacing=\"{}\">",
            F(size),
            F(spacing * size)
        );
        let top =
            format!("fill=\"url(#{p}-dome)\" stroke=\"url(#{p}-bevel)\" stroke-width=\"{}\"", F(0.5 * d), p = self.p);
        for (n, (dx, dy, paint)) in self.underlays(d).into_iter().chain([(0.0, 0.0, top)]).enumerate() {
            let _ = write!(
                out,
                "<text id=\"{p}-initials-{n}\" x=\"{}\" y=\"{}\" {paint}>{text}</text>",
                F(x + dx),
                F(baseline + dy),
                p = self.p
            );
        }
        out.push_str("</g>");
    }
}

/// The advance of a character in em, roughly, as in a book face's capitals.
fn cap_width(c: char) -> f64 {
    match c.to_ascii_uppercase() {
        'I' | 'J' => 0.36,
        'S' | 'F' | 'L' | 'E' | 'P' => 0.58,
        'T' | 'Z' | 'B' | 'R' | 'Y' => 0.65,
        'M' => 0.9,
        'W' => 1.0,
        // CJK and other wide scripts fill the em.
        c if c >= '\u{2e80}' => 1.0,
        _ => 0.74,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(emblem: &str, color: &str, initials: Option<&str>) -> SealSpec {
        SealSpec {
            emblem: emblem.to_owned(),
            color: color.to_owned(),
            initials: initials.map(str::to_owned),
            custom: None,
        }
    }

    fn draw(s: &SealSpec, seed: u64, id: &str) -> Result<String, SealError> {
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
    fn different_seeds_give_different_rims() {
        let s = spec("heart", "#5a3a22", None);
        let a = draw(&s, 1, "a").unwrap();
        let b = draw(&s, 2, "a").unwrap();
        assert_ne!(a, b);
        let rim_a = Rim::new(&mut SplitMix64(1), 0.0, 0.0, 100.0).path(0.0, 0.0);
        let rim_b = Rim::new(&mut SplitMix64(2), 0.0, 0.0, 100.0).path(0.0, 0.0);
        assert_ne!(rim_a, rim_b);
    }

    #[test]
    fn rim_stays_within_radius_and_outside_the_lip() {
        for seed in 0..200 {
            let rim = Rim::new(&mut SplitMix64(seed), 0.0, 0.0, 100.0);
            for &(x, y) in &rim.points {
                let d = (x * x + y * y).sqrt();
                // The puddle may sit up to 2.5% off centre, and a run reach 6.5% out.
                assert!(d <= 100.0 * (1.0 + 0.025 * 1.5 + 0.065), "seed {seed}: {d}");
                assert!(d >= 100.0 * (radius::LIP_OUT + 0.05), "seed {seed}: {d}");
            }
        }
    }

    #[test]
    fn shadow_regions_stay_within_the_footprint() {
        let attr = |svg: &str, from: usize, name: &str| -> f64 {
            let at = svg[from..].find(&format!(" {name}=\"")).unwrap() + from + name.len() + 3;
            svg[at..at + svg[at..].find('"').unwrap()].parse().unwrap()
        };
        for seed in 0..200 {
            let svg = draw(&spec("heart", "#5a3a22", None), seed, "a").unwrap();
            let mut from = 0;
            while let Some(i) = svg[from..].find("<filter") {
                from += i + 1;
                let (x, y) = (attr(&svg, from, "x"), attr(&svg, from, "y"));
                let (w, h) = (attr(&svg, from, "width"), attr(&svg, from, "height"));
                let reach = FOOTPRINT * 120.0;
                assert!(x >= 300.0 - reach && y >= 300.0 - reach, "seed {seed}");
                assert!(x + w <= 300.0 + reach && y + h <= 300.0 + reach, "seed {seed}");
            }
        }
    }

    #[test]
    fn unknown_emblem_is_an_error_naming_the_known_ones() {
        let err = draw(&spec("hart", "#5a3a22", None), 1, "a").unwrap_err();
        assert_eq!(err, SealError::UnknownEmblem("hart".to_owned()));
        let msg = err.to_string();
        assert!(msg.contains("`hart`"), "{msg}");
        assert!(msg.contains("heart, star, flower, leaf, bee, monogram, none"), "{msg}");
    }

    #[test]
    fn colours_parse_and_bad_ones_are_errors() {
        let brown = Rgb::parse("#5a3a22").unwrap();
        assert_eq!(brown.to_string(), "#5a3a22");
        assert_eq!(Rgb::parse("#a32").unwrap().to_string(), "#aa3322");
        assert_eq!(Rgb::parse(" 9B1B30 ").unwrap().to_string(), "#9b1b30");
        for bad in ["", "#", "#12", "#12345", "#5a3a22ff", "purple", "#ggg", "#5a3a2é"] {
            assert!(Rgb::parse(bad).is_none(), "{bad:?} should not parse");
            let err = draw(&spec("heart", bad, None), 1, "a").unwrap_err();
            assert_eq!(err, SealError::BadColor(bad.to_owned()));
        }
    }

    #[test]
    fn shades_keep_the_hue() {
        let red = Rgb::parse("#9b1b30").unwrap();
        let (h, _, l) = red.to_hsl();
        let (hl, _, ll) = red.lighten(0.3).to_hsl();
        let (hd, _, ld) = red.darken(0.3).to_hsl();
        assert!((h - hl).abs() < 1e-6 && (h - hd).abs() < 1e-6);
        assert!(ll > l && ld < l);
    }

    #[test]
    fn every_id_is_prefixed() {
        let s = spec("flower", "#b8862b", Some("A"));
        let svg = draw(&s, 3, "card7-seal").unwrap();
        let mut ids = 0;
        for part in svg.split("id=\"").skip(1) {
            ids += 1;
            assert!(part.starts_with("card7-seal-"), "unprefixed id: {}", &part[..20]);
        }
        assert!(ids >= 5);
        for part in svg.split("url(#").skip(1) {
            assert!(part.starts_with("card7-seal-"));
        }
        // Hostile prefixes cannot break out of the attribute.
        let svg = draw(&s, 3, "a\"b c").unwrap();
        assert!(svg.contains("id=\"a_b_c-body\""));
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
    fn grain_is_seeded_and_hugs_the_stamp_face() {
        let s = spec("heart", "red", None);
        let turbulence = |seed| {
            let svg = draw(&s, seed, "a").unwrap();
            let at = svg.find("<feTurbulence").unwrap();
            svg[at..at + svg[at..].find("/>").unwrap()].to_owned()
        };
        assert_eq!(turbulence(3), turbulence(3));
        assert_ne!(turbulence(3), turbulence(4));
        let svg = draw(&s, 3, "a").unwrap();
        let filter = &svg[svg.find("<filter id=\"a-grain\"").unwrap()..];
        let attr = |name: &str| -> f64 {
            let at = filter.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
            filter[at..at + filter[at..].find('"').unwrap()].parse().unwrap()
        };
        assert!(filter.starts_with("<filter id=\"a-grain\" filterUnits=\"userSpaceOnUse\""));
        let side = 2.0 * radius::FACE * 120.0;
        assert!(attr("width") <= side + 4.0 && attr("height") <= side + 4.0);
        assert!(attr("x") >= 300.0 - side / 2.0 - 2.0 && attr("y") >= 300.0 - side / 2.0 - 2.0);
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
    fn bee_is_drawn_and_parses() {
        let svg = draw(&spec("bee", "gold", None), 9, "b").unwrap();
        assert_ne!(svg, draw(&spec("heart", "gold", None), 9, "b").unwrap());
        // Wings, body and head, each with three underlays and a top.
        assert!(svg.matches("fill=\"url(#b-dome)\"").count() >= 3);
        // Stripes and antennae are engraved lines.
        assert!(svg.contains("stroke-linecap=\"round\"><path"));
        let doc = format!("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"600\" height=\"600\">{svg}</svg>");
        resvg::usvg::Tree::from_str(&doc, &resvg::usvg::Options::default()).unwrap();
    }

    #[test]
    fn monogram_draws_initials_alone() {
        let svg = draw(&spec("monogram", "navy", Some("BC")), 2, "a").unwrap();
        assert!(svg.contains(">BC</text>"));
        assert_eq!(svg, draw(&spec("none", "navy", Some("BC")), 2, "a").unwrap());
        // Without initials it is a plain stamp, as `none` is.
        let plain = draw(&spec("monogram", "navy", None), 2, "a").unwrap();
        assert_eq!(plain, draw(&spec("none", "navy", None), 2, "a").unwrap());
    }

    #[test]
    fn initials_shrink_to_fit_wide_letters() {
        let size = |initials: &str| -> f64 {
            let svg = draw(&spec("none", "red", Some(initials)), 1, "a").unwrap();
            let at = svg.find("font-size=\"").unwrap() + 11;
            svg[at..at + svg[at..].find('"').unwrap()].parse().unwrap()
        };
        assert!(size("A") > size("AB") && size("AB") > size("ABC"));
        assert!(size("WMW") < size("ILJ"));
        // Three wide capitals still fit inside the ring of beads (r = 120).
        assert!(size("WMW") * 2.9 < 2.0 * radius::BEADS * 120.0 * 0.85);
        // A decomposed accent is one letter with its accent.
        assert!(draw(&spec("none", "red", Some("E\u{301}BC")), 1, "a").is_ok());
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

    const ICON: &str = r##"<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 24 24" width="48" height="48">
  <title>Acorn</title>
  <defs><path id="cap" d="M4 10 Q12 2 20 10 Z"/><linearGradient id="g"><stop offset="0"/></linearGradient></defs>
  <use xlink:href="#cap" fill="url(#g)"/>
  <g transform="translate(12 0)"><path d="m-6 11 h12 l-6 11 z" style="fill: url('#g')"/></g>
  <circle cx="12" cy="3" r="1.5"/>
  <path d="M2 2 L6 6" fill="none" stroke="black" stroke-width="1"/>
  <path d="M0 0 h1 v1 h-1 z" display="none"/>
</svg>"##;

    #[test]
    fn emblem_svg_paths_come_back_in_view_box_units() {
        let shape = parse_emblem_svg(ICON).unwrap();
        assert_eq!(shape.view_box, (0.0, 0.0, 24.0, 24.0));
        // The <use>d cap, the translated body, the circle, the outlined stroke;
        // not the hidden square or the <defs> original.
        assert_eq!(shape.paths.len(), 4, "{:?}", shape.paths);
        assert!(shape.paths[0].starts_with("M4 10"), "{}", shape.paths[0]);
        assert!(shape.paths[1].starts_with("M6 11L18 11L12 22"), "{}", shape.paths[1]);
        for d in &shape.paths {
            assert!(d.ends_with('Z') && !d.contains("-0 ") && !d.contains('e'), "{d}");
        }
        // Same file, same shape; and it draws.
        assert_eq!(parse_emblem_svg(ICON).unwrap(), shape);
        let mut s = spec("no-such-emblem", "forest", None);
        s.custom = Some(shape);
        let svg = draw(&s, 3, "c").unwrap();
        assert_eq!(svg, draw(&s, 3, "c").unwrap());
        assert!(svg.matches("fill=\"url(#c-dome)\"").count() == 4);
        let doc = format!("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"600\" height=\"600\">{svg}</svg>");
        resvg::usvg::Tree::from_str(&doc, &resvg::usvg::Options::default()).unwrap();
    }

    #[test]
    fn emblem_svg_view_box_mapping_is_undone() {
        // A viewBox not at the origin, stretched onto a wider viewport.
        let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="-10 -10 20 20" width="100" height="50">
            <path d="M-5 -5 H5 V5 H-5 Z"/></svg>"#;
        let shape = parse_emblem_svg(svg).unwrap();
        assert_eq!(shape.view_box, (-10.0, -10.0, 20.0, 20.0));
        assert_eq!(shape.paths, ["M-5 -5L5 -5L5 5L-5 5Z"]);
        // No viewBox: width and height give the box.
        let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" width="30" height="20"><rect x="1" y="2" width="3" height="4"/></svg>"#;
        let shape = parse_emblem_svg(svg).unwrap();
        assert_eq!(shape.view_box, (0.0, 0.0, 30.0, 20.0));
        assert_eq!(shape.paths, ["M1 2L4 2L4 6L1 6Z"]);
    }

    #[test]
    fn even_odd_holes_survive_the_nonzero_rule() {
        // Two squares wound the same way: even-odd makes the inner one a hole.
        let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">
            <path fill-rule="evenodd" d="M0 0H10V10H0Z M3 3H7V7H3Z"/></svg>"#;
        let shape = parse_emblem_svg(svg).unwrap();
        let tree = usvg::Tree::from_str(
            &format!("<svg xmlns=\"{SVG_NS}\" width=\"10\" height=\"10\"><path d=\"{}\"/></svg>", shape.paths[0]),
            &usvg::Options::default(),
        )
        .unwrap();
        let mut pixmap = tiny_skia::Pixmap::new(10, 10).unwrap();
        resvg::render(&tree, tiny_skia::Transform::identity(), &mut pixmap.as_mut());
        assert_eq!(pixmap.pixel(5, 5).unwrap().alpha(), 0, "the hole is filled");
        assert_eq!(pixmap.pixel(1, 5).unwrap().alpha(), 255);
    }

    #[test]
    fn emblem_svg_refuses_external_references() {
        let wrap = |body: &str| {
            format!(
                "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" \
                 viewBox=\"0 0 10 10\"><path d=\"M0 0H5V5Z\"/>{body}</svg>"
            )
        };
        let cases = [
            (wrap("<use xlink:href=\"other.svg#shape\"/>"), "other.svg#shape"),
            (wrap("<use href=\"https://example.com/a.svg#x\"/>"), "https://example.com/a.svg#x"),
            (wrap("<image href=\"#x\" width=\"5\" height=\"5\"/>"), "<image> #x"),
            (wrap("<script>alert(1)</script>"), "<script>"),
            (wrap("<foreignObject width=\"5\" height=\"5\"/>"), "<foreignObject>"),
            (wrap("<filter id=\"f\"><feImage href=\"#p\"/></filter>"), "<feImage> #p"),
            (
                wrap("<path d=\"M0 0H1V1Z\" fill=\"url(http://evil.example/p.svg#g)\"/>"),
                "url(http://evil.example/p.svg#g)",
            ),
            (wrap("<path d=\"M0 0H1V1Z\" style=\"fill:URL( 'file:///etc/passwd' )\"/>"), "url('file:///etc/passwd')"),
            (wrap("<style>@import url(#x); path { fill: red }</style>"), "@import url(#x)"),
            (wrap("<style>path { fill: url(other.svg#g) }</style>"), "url(other.svg#g)"),
            (wrap("<a href=\"https://example.com\"><path d=\"M0 0H1V1Z\"/></a>"), "https://example.com"),
            (format!("<?xml-stylesheet href=\"s.css\"?>{}", wrap("")), "<?xml-stylesheet href=\"s.css\"?>"),
        ];
        for (svg, reference) in cases {
            let err = parse_emblem_svg(&svg).unwrap_err();
            assert_eq!(err, SealError::ExternalReference(reference.to_owned()), "{svg}");
            let msg = err.to_string();
            assert!(msg.contains(reference) && msg.contains("only the file's own shapes are used"), "{msg}");
        }
        // Fragments within the file are fine.
        let ok = wrap(
            "<defs><linearGradient id=\"g\"><stop/></linearGradient></defs><path d=\"M0 0H1V1Z\" fill=\"url(#g)\"/>",
        );
        assert_eq!(parse_emblem_svg(&ok).unwrap().paths.len(), 2);
    }

    #[test]
    fn emblem_svg_refuses_empty_large_and_unusable_files() {
        let empty = [
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"/>"#,
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><defs><path d="M0 0H5V5Z"/></defs></svg>"#,
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><path d="M0 0H5V5Z" fill="none"/></svg>"#,
        ];
        for svg in empty {
            assert_eq!(parse_emblem_svg(svg).unwrap_err(), SealError::EmptyEmblem, "{svg}");
        }
        let big = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\"><!--{}--><path d=\"M0 0H5V5Z\"/></svg>",
            "x".repeat(MAX_EMBLEM_BYTES)
        );
        assert_eq!(parse_emblem_svg(&big).unwrap_err(), SealError::TooLarge(big.len()));

        let bad = |svg: &str| match parse_emblem_svg(svg) {
            Err(SealError::BadEmblemSvg(why)) => why,
            other => panic!("{svg}: {other:?}"),
        };
        assert!(!bad("<svg").is_empty());
        assert!(bad(r#"<svg viewBox="0 0 1 1"><path d="M0 0H1V1Z"/></svg>"#).contains("xmlns"));
        assert!(bad(r#"<svg xmlns="http://www.w3.org/2000/svg"><path d="M0 0H1V1Z"/></svg>"#).contains("viewBox"));
        let text = r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 9 9"><text>B</text></svg>"#;
        assert!(bad(text).contains("<text>"));
        let deep = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 9 9\">{}<path d=\"M0 0H1V1Z\"/>{}</svg>",
            "<g>".repeat(100),
            "</g>".repeat(100)
        );
        assert!(bad(&deep).contains("nested"));
        let mut detailed = String::from("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 9 9\"><path d=\"M0 0");
        detailed.push_str(&"L1 1L2 0".repeat(11_000));
        detailed.push_str("Z\"/></svg>");
        assert!(bad(&detailed).contains("too detailed"));
    }

    #[test]
    fn emblem_svg_refuses_entity_and_use_bombs() {
        // The classic billion laughs: refused before parsing. (roxmltree alone
        // would also stop this nested form, but not a flat one.)
        let mut laughs = String::from("<?xml version=\"1.0\"?><!DOCTYPE svg [<!ENTITY lol \"lol\">");
        for i in 1..10 {
            let prev = if i == 1 { "lol".to_owned() } else { format!("lol{}", i - 1) };
            laughs.push_str(&format!("<!ENTITY lol{i} \"{}\">", format!("&{prev};").repeat(10)));
        }
        laughs.push_str("]><svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 9 9\"><title>&lol9;</title></svg>");
        assert!(matches!(parse_emblem_svg(&laughs), Err(SealError::BadEmblemSvg(why)) if why.contains("ENTITY")));
        let nested = roxmltree::ParsingOptions { allow_dtd: true, ..Default::default() };
        assert!(roxmltree::Document::parse_with_options(&laughs, nested).is_err());
        // A flat, quadratic blow-up, which roxmltree would expand in full.
        let flat = format!(
            "<!DOCTYPE svg [<!ENTITY a \"{}\">]><svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 9 9\"><title>{}</title></svg>",
            "a".repeat(100_000),
            "&a;".repeat(40_000)
        );
        assert!(matches!(parse_emblem_svg(&flat), Err(SealError::BadEmblemSvg(why)) if why.contains("ENTITY")));
        // A plain DOCTYPE, as Illustrator writes, is fine.
        let doctype = r#"<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 9 9"><path d="M0 0H5V5Z"/></svg>"#;
        assert!(parse_emblem_svg(doctype).is_ok());

        // <use> of <use> of ...: ten copies, eight levels deep.
        let mut bomb = String::from(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" viewBox=\"0 0 9 9\"><defs><path id=\"g0\" d=\"M0 0H1V1Z\"/>",
        );
        for i in 1..8 {
            bomb.push_str(&format!("<g id=\"g{i}\">{}</g>", format!("<use xlink:href=\"#g{}\"/>", i - 1).repeat(10)));
        }
        bomb.push_str("</defs><use xlink:href=\"#g7\"/></svg>");
        assert!(matches!(parse_emblem_svg(&bomb), Err(SealError::BadEmblemSvg(why)) if why.contains("<use>")));
        // A <use> loop.
        let looped = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 9 9"><g id="a"><path d="M0 0H1V1Z"/><use href="#a"/></g></svg>"##;
        assert!(matches!(parse_emblem_svg(looped), Err(SealError::BadEmblemSvg(why)) if why.contains("<use>")));
    }

    #[test]
    fn custom_emblem_overrides_the_name_and_fits_the_face() {
        // A huge square far from the origin still lands inside the ring of beads.
        let shape =
            EmblemShape { paths: vec!["M1000 1000h500v500h-500z".to_owned()], view_box: (0.0, 0.0, 2000.0, 2000.0) };
        let mut s = spec("heart", "#5a3a22", None);
        s.custom = Some(shape.clone());
        let svg = draw(&s, 1, "a").unwrap();
        assert_ne!(svg, draw(&spec("heart", "#5a3a22", None), 1, "a").unwrap());
        let top = svg.split("fill=\"url(#a-dome)\"").next().unwrap();
        let d = &top[top.rfind("d=\"").unwrap() + 3..];
        let nums: Vec<f64> = d[..d.find('"').unwrap()]
            .split(|c: char| c.is_ascii_alphabetic() || c == ' ')
            .filter_map(|t| t.parse().ok())
            .collect();
        assert!(nums.len() >= 8, "{d}");
        for pair in nums.chunks(2) {
            let (dx, dy) = (pair[0] - 300.0, pair[1] - 300.0);
            // Tilted up to 4 degrees; the corners stay inside the beads.
            assert!((dx * dx + dy * dy).sqrt() < radius::BEADS * 120.0 - 4.0, "{pair:?}");
        }
        // Hand-made shapes are checked too.
        s.custom = Some(EmblemShape { paths: vec!["nonsense".to_owned()], view_box: (0.0, 0.0, 1.0, 1.0) });
        assert_eq!(draw(&s, 1, "a").unwrap_err(), SealError::EmptyEmblem);
        s.custom = Some(EmblemShape { paths: vec!["M0 0\"/><script/>".to_owned()], view_box: (0.0, 0.0, 1.0, 1.0) });
        assert!(!draw(&s, 1, "a").map(|svg| svg.contains("script")).unwrap_or(false));
    }
}
