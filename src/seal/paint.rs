//! The seal's layers written as SVG: shadows, the puddle, the raised lip, the
//! stamp face with its grain, the embossed emblem and initials.

use std::f64::consts::TAU;
use std::fmt::Write as _;

use unicode_segmentation::UnicodeSegmentation;

use super::color::{Palette, Rgb};
use super::emblem::{segs_path, Emblem};
use super::rim::Rim;
use super::{SplitMix64, F};

/// The seed of the stamp face's grain: one stamp, one grain. (0 is the seed
/// of the first of a card's seal variants, whose seals look as before.)
const STAMP_GRAIN: u64 = 0;

/// Keeps ids usable inside `url(#...)` whatever the caller passes.
pub(super) fn sanitize_id(id: &str) -> String {
    let cleaned: String =
        id.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect();
    if cleaned.is_empty() {
        "seal".to_owned()
    } else {
        cleaned
    }
}

/// Radii of the stamp's features, as fractions of the outer radius.
pub(super) mod radius {
    /// Outer foot of the raised lip, where it meets the puddle.
    pub(crate) const LIP_OUT: f64 = 0.76;
    /// Crest of the lip.
    pub(crate) const LIP_CREST: f64 = 0.69;
    /// Edge of the pressed stamp face.
    pub(crate) const FACE: f64 = 0.625;
    /// The ring of beads engraved on the stamp, just inside its edge.
    pub(crate) const BEADS: f64 = 0.56;
}

/// Writes the seal's layers; holds what every layer needs.
pub(super) struct Painter {
    /// Sanitised id prefix.
    pub(super) p: String,
    pub(super) cx: f64,
    pub(super) cy: f64,
    pub(super) r: f64,
    pub(super) pal: Palette,
}

impl Painter {
    /// Gradients and the two bounded shadow filters.
    pub(super) fn defs(&self, out: &mut String, rim: &Rim) {
        out.push_str("<defs>");
        self.shadow_filters(out, rim);
        self.wax_gradients(out);
        self.relief_gradients(out);
        out.push_str("</defs>");
    }

    /// The two bounded blurs the shadows are drawn with.
    fn shadow_filters(&self, out: &mut String, rim: &Rim) {
        let (p, r) = (&self.p, self.r);
        // Shadows: a soft one cast away from the light, and a tight contact
        // shadow where the wax meets the paper. Regions hug the puddle.
        // Blurred in sRGB: a shape of one flat colour blurs the same in
        // linear RGB (only its alpha changes), and resvg's conversion to
        // linear RGB and back cost a tenth of a seal's drawing.
        for (name, blur, (dx, dy)) in [("shadow", 0.07, Self::SHADOW_OFFSET), ("contact", 0.018, Self::CONTACT_OFFSET)]
        {
            let pad = 3.0 * blur * r;
            let (x0, y0, x1, y1) = rim.bbox;
            let _ = write!(
                out,
                "<filter id=\"{p}-{name}\" filterUnits=\"userSpaceOnUse\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" color-interpolation-filters=\"sRGB\"><feGaussianBlur stdDeviation=\"{}\"/></filter>",
                F(x0 + dx * r - pad),
                F(y0 + dy * r - pad),
                F(x1 - x0 + 2.0 * pad),
                F(y1 - y0 + 2.0 * pad),
                F(blur * r)
            );
        }
    }

    /// The shading of the wax itself: the puddle's dome, its rising and
    /// falling edges, the recessed stamp face.
    fn wax_gradients(&self, out: &mut String) {
        let (p, cx, cy, r, pal) = (&self.p, self.cx, self.cy, self.r, &self.pal);
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
    }

    /// The light on raised things: the glint streaks, the domed tops and
    /// bevelled edges of emblem pieces and initials.
    fn relief_gradients(&self, out: &mut String) {
        let (p, pal) = (&self.p, &self.pal);
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
    }

    /// A linear gradient across the seal from upper left to lower right.
    pub(super) fn diagonal(&self, out: &mut String, name: &str, stops: &[(f64, Rgb, f64)]) {
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
    pub(super) const SHADOW_OFFSET: (f64, f64) = (0.05, 0.1);
    pub(super) const CONTACT_OFFSET: (f64, f64) = (0.012, 0.028);

    pub(super) fn shadow(&self, out: &mut String, rim: &Rim) {
        let r = self.r;
        // Shadow on paper: a very dark, warm brown whatever the wax colour
        // (the shadow of chocolate wax, as it always was): light the wax
        // stops, not light it tints. Seals of every colour on a card share
        // their drawn shadows.
        let chocolate = Palette::new(Rgb::parse("#5a3a22").expect("a colour"));
        let tint = chocolate.deep.darken(0.6).mix(Rgb { r: 0.16, g: 0.1, b: 0.06 }, 0.5);
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
    pub(super) fn puddle(&self, out: &mut String, rim: &Rim, rng: &mut SplitMix64) {
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
    pub(super) fn glint(&self, out: &mut String, deg: f64, at: f64, long: f64, wide: f64) {
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
    pub(super) fn lip(&self, out: &mut String) {
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
    pub(super) fn crest_arc(&self, out: &mut String, from: f64, to: f64, width: f64, opacity: f64) {
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
    /// The grain is the stamp's, so it is the same on every seal it
    /// presses (one seed): drawn once per size, it is shared by every rim,
    /// emblem and wax colour (see `render::alone`).
    pub(super) fn grain(&self, out: &mut String) {
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
            STAMP_GRAIN,
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
    pub(super) fn face(&self, out: &mut String) {
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
    pub(super) fn underlays(&self, d: f64) -> [(f64, f64, String); 3] {
        let pal = &self.pal;
        [
            (1.8 * d, 2.0 * d, format!("fill=\"{}\" fill-opacity=\"0.3\"", pal.deep)),
            (d, d, format!("fill=\"{}\" fill-opacity=\"0.85\"", pal.deep)),
            (-0.8 * d, -0.8 * d, format!("fill=\"{}\"", pal.glint)),
        ]
    }

    /// An emblem embossed at (`x`, `y`) with half-size `s`.
    pub(super) fn emblem(&self, out: &mut String, emblem: &Emblem, x: f64, y: f64, s: f64) {
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
    pub(super) fn initials(&self, out: &mut String, text: &str, y: f64, scale: f64, family: &str) {
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
        let text = crate::svg::escape(text);
        let family = crate::svg::escape(&family);
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
    use crate::seal::tests::{draw, spec};
    use crate::seal::FOOTPRINT;

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
    fn grain_is_the_stamps_the_same_on_every_seal_and_hugs_the_stamp_face() {
        let s = spec("heart", "red", None);
        let turbulence = |seed| {
            let svg = draw(&s, seed, "a").unwrap();
            let at = svg.find("<feTurbulence").unwrap();
            svg[at..at + svg[at..].find("/>").unwrap()].to_owned()
        };
        assert_eq!(turbulence(3), turbulence(4));
        assert_ne!(draw(&s, 3, "a").unwrap(), draw(&s, 4, "a").unwrap(), "the rims differ");
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
}
