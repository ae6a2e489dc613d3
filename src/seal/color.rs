//! The wax colour and every shade derived from it, in HSL so a lit or
//! shaded wax keeps its hue.

use std::fmt;

/// A colour with channels in 0..=1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Rgb {
    pub(super) r: f64,
    pub(super) g: f64,
    pub(super) b: f64,
}

impl Rgb {
    pub(super) const WHITE: Rgb = Rgb { r: 1.0, g: 1.0, b: 1.0 };

    /// Parses `#rgb` or `#rrggbb` (the `#` optional, surrounding space ignored).
    pub(super) fn parse(s: &str) -> Option<Rgb> {
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

    pub(super) fn to_hsl(self) -> (f64, f64, f64) {
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

    pub(super) fn from_hsl(h: f64, s: f64, l: f64) -> Rgb {
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
    pub(super) fn lighten(self, t: f64) -> Rgb {
        let (h, s, l) = self.to_hsl();
        Rgb::from_hsl(h, s, l + (1.0 - l) * t)
    }

    /// Lowers HSL lightness by the fraction `t`.
    pub(super) fn darken(self, t: f64) -> Rgb {
        let (h, s, l) = self.to_hsl();
        Rgb::from_hsl(h, s, l * (1.0 - t))
    }

    /// Linear mix in RGB: used for specular light, which is white, not tinted.
    pub(super) fn mix(self, other: Rgb, t: f64) -> Rgb {
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
pub(super) struct Palette {
    /// White-ish glint for the brightest catch-lights.
    pub(super) glint: Rgb,
    pub(super) highlight: Rgb,
    pub(super) light: Rgb,
    pub(super) base: Rgb,
    pub(super) shade: Rgb,
    pub(super) deep: Rgb,
}

impl Palette {
    pub(super) fn new(base: Rgb) -> Palette {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seal::tests::{draw, spec};
    use crate::seal::SealError;

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
}
