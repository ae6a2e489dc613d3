//! The wax seal: a deterministic SVG fragment that draws a hand-pressed seal.
//!
//! This module owns the seal's geometry and colour: a blobby wax puddle with a
//! wobbly rim, the raised lip the stamp squeezed up, the pressed stamp face,
//! and an embossed emblem and/or initials, all lit from the upper left, over a
//! soft drop shadow. Every shade is derived from the one wax colour.
//!
//! It must not do I/O and must not load fonts: initials are emitted as
//! `<text>` in a family the caller has already loaded. Its output is
//! byte-identical on every machine: randomness comes from a seeded splitmix64,
//! trigonometry from `libm` (platform `sin`/`cos` may differ in the last bit),
//! and every number is printed with two decimals.
//!
//! Rendering cost is kept low on purpose: shading is done with gradients and
//! offset copies of shapes; the only filters are the two shadow blurs, and
//! their regions are bounded tightly around the seal so resvg does not
//! allocate a canvas-sized buffer for them.

use std::f64::consts::{PI, TAU};
use std::fmt::{self, Write as _};

/// Names of the built-in emblems, for "did you mean" hints.
pub const EMBLEMS: &[&str] = &["heart", "star", "flower", "leaf", "none"];

/// What to press into the wax.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealSpec {
    /// One of [`EMBLEMS`]: `"heart"`, `"star"`, `"flower"`, `"leaf"` or `"none"`.
    pub emblem: String,
    /// The wax colour as CSS hex: `"#5a3a22"` or `"#a32"` (the `#` is optional).
    pub color: String,
    /// One to three characters. With emblem `"none"` they fill the stamp
    /// face; with an emblem, a small emblem sits above them like a crest.
    pub initials: Option<String>,
}

/// Why a seal could not be drawn.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SealError {
    /// The emblem name is not one of [`EMBLEMS`].
    #[error("unknown seal emblem `{0}` (known emblems: {known})", known = EMBLEMS.join(", "))]
    UnknownEmblem(String),
    /// The colour is not a 3- or 6-digit hex colour.
    #[error("bad seal colour `{0}`: expected a hex colour such as \"#5a3a22\" or \"#a32\"")]
    BadColor(String),
    /// The initials are empty or longer than three characters.
    #[error("seal initials `{0}` must be 1 to 3 characters")]
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
}

/// Everything a seal draws, its soft shadow included, lies within this many
/// radii of its centre: leave that much room around it on the card.
pub const FOOTPRINT: f64 = 1.45;

/// Returns an SVG fragment: a `<g>` (with its own `<defs>` inside it) drawing
/// the seal centred at (`cx`, `cy`) with outer radius `r` in user units.
/// The wax may sit a little off centre and a run of wax may reach a few
/// percent past `r`; with the shadow, all stays within [`FOOTPRINT`] radii.
///
/// `seed` makes the rim wobble, the wax bulges and the slight tilt of the
/// stamp unique per card yet deterministic. `id` prefixes every `id`
/// attribute, so two seals in one SVG never clash; characters other than
/// ASCII letters, digits, `-` and `_` are replaced by `_`. `font_family` is
/// used for the initials only, and the caller guarantees it is loaded.
pub fn seal_svg(
    spec: &SealSpec,
    cx: f64,
    cy: f64,
    r: f64,
    seed: u64,
    id: &str,
    font_family: &str,
) -> Result<String, SealError> {
    let emblem = Emblem::named(&spec.emblem)?;
    let wax = Rgb::parse(&spec.color).ok_or_else(|| SealError::BadColor(spec.color.clone()))?;
    let initials = match &spec.initials {
        Some(text) => {
            let trimmed = text.trim();
            let count = trimmed.chars().count();
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
    out.push_str("</g></g>");
    Ok(out)
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
            "none" => Ok(None),
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

/// How lit a surface is whose outward normal is (nx, ny): 0 dark .. 1 lit,
/// with the light coming from the upper left.
fn light_facing(nx: f64, ny: f64) -> f64 {
    let (lx, ly) = (-core::f64::consts::FRAC_1_SQRT_2, -core::f64::consts::FRAC_1_SQRT_2);
    0.5 + 0.5 * (nx * lx + ny * ly)
}

/// Rotates a unit-box segment about the origin by `a` radians.
fn rotate_seg(s: Seg, a: f64) -> Seg {
    let (c, sn) = (libm::cos(a), libm::sin(a));
    let t = |x: f64, y: f64| (x * c - y * sn, x * sn + y * c);
    match s {
        Seg::M(x, y) => {
            let (x, y) = t(x, y);
            Seg::M(x, y)
        }
        Seg::L(x, y) => {
            let (x, y) = t(x, y);
            Seg::L(x, y)
        }
        Seg::C(x1, y1, x2, y2, x, y) => {
            let (x1, y1) = t(x1, y1);
            let (x2, y2) = t(x2, y2);
            let (x, y) = t(x, y);
            Seg::C(x1, y1, x2, y2, x, y)
        }
        Seg::Z => Seg::Z,
    }
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
        let size = match text.chars().count() {
            1 => 0.68,
            2 => 0.5,
            _ => 0.36,
        } * r
            * scale;
        // Centre the capitals: their height is about 0.66 em in book faces.
        let baseline = y + 0.33 * size;
        let d = (0.035 * size).max(0.6);
        // Quotes would end the CSS string; no real family name has them.
        let family: String = family.chars().filter(|c| !matches!(c, '\'' | '"' | '\\')).collect();
        let text = crate::xml::escape(text);
        let family = crate::xml::escape(&family);
        let _ = write!(
            out,
            "<g font-family=\"'{family}'\" font-size=\"{}\" text-anchor=\"middle\" letter-spacing=\"{}\">",
            F(size),
            F(0.03 * size)
        );
        let top =
            format!("fill=\"url(#{p}-dome)\" stroke=\"url(#{p}-bevel)\" stroke-width=\"{}\"", F(0.5 * d), p = self.p);
        for (dx, dy, paint) in self.underlays(d).into_iter().chain([(0.0, 0.0, top)]) {
            let _ = write!(out, "<text x=\"{}\" y=\"{}\" {paint}>{text}</text>", F(cx + dx), F(baseline + dy));
        }
        out.push_str("</g>");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(emblem: &str, color: &str, initials: Option<&str>) -> SealSpec {
        SealSpec { emblem: emblem.to_owned(), color: color.to_owned(), initials: initials.map(str::to_owned) }
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
        assert!(msg.contains("heart, star, flower, leaf, none"), "{msg}");
    }

    #[test]
    fn colours_parse_and_bad_ones_are_errors() {
        let brown = Rgb::parse("#5a3a22").unwrap();
        assert_eq!(brown.to_string(), "#5a3a22");
        assert_eq!(Rgb::parse("#a32").unwrap().to_string(), "#aa3322");
        assert_eq!(Rgb::parse(" 9B1B30 ").unwrap().to_string(), "#9b1b30");
        for bad in ["", "#", "#12", "#12345", "#5a3a22ff", "red", "#ggg", "#5a3a2é"] {
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
}
