//! Card sizes: the names `size:` accepts, their size in pixels at the
//! site's dpi and as cut in points. A leaf: layout, render, the PDF and the
//! card all measure with it.

use serde::Serialize;

/// A card size: its name and its size in pixels at the site's dpi.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CardSize {
    /// `a6`, `5x7`, ...
    pub name: &'static str,
    /// Turned on its side.
    pub landscape: bool,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Pixels per inch that text sizes in points are set at: the site's dpi,
    /// or 150 for `og`, whose size is given in pixels.
    pub ppi: f32,
}

/// The card sizes, portrait, as (name, width, height, unit); `og` is in pixels.
const SIZES: &[(&str, f64, f64, Unit)] = &[
    ("a6", 105.0, 148.0, Unit::Mm),
    ("a7", 74.0, 105.0, Unit::Mm),
    ("5x7", 5.0, 7.0, Unit::In),
    ("4x6", 4.0, 6.0, Unit::In),
    ("square", 5.0, 5.0, Unit::In),
    ("og", 1200.0, 630.0, Unit::Px),
];

#[derive(Debug, Clone, Copy)]
enum Unit {
    Mm,
    In,
    Px,
}

/// The names `size:` accepts (each also as `NAME-landscape`).
pub fn size_names() -> Vec<&'static str> {
    SIZES.iter().map(|s| s.0).collect()
}

impl CardSize {
    /// The size called `name` (`a6`, `5x7`, `a6-landscape`, ...) at `dpi`.
    pub fn named(name: &str, dpi: u32) -> Option<CardSize> {
        let (base, landscape) = match name.strip_suffix("-landscape") {
            Some(base) => (base, true),
            None => (name, false),
        };
        let &(name, w, h, unit) = SIZES.iter().find(|s| s.0 == base)?;
        let px = |v: f64| -> u32 {
            match unit {
                Unit::Mm => (v / 25.4 * dpi as f64).round() as u32,
                Unit::In => (v * dpi as f64).round() as u32,
                Unit::Px => v as u32,
            }
        };
        let (width, height) = (px(w), px(h));
        let ppi = match unit {
            Unit::Px => 150.0,
            _ => dpi as f32,
        };
        Some(if landscape {
            CardSize { name, landscape, width: height, height: width, ppi }
        } else {
            CardSize { name, landscape, width, height, ppi }
        })
    }

    /// The card's size as cut, in PostScript points (1/72 in): its nominal
    /// size (A6 is 105 x 148 mm), not its pixels rounded at the dpi.
    pub fn trim_points(&self) -> (f32, f32) {
        let &(_, w, h, unit) = SIZES.iter().find(|s| s.0 == self.name).expect("sizes are made from the table");
        let pt = |v: f64| -> f32 {
            match unit {
                Unit::Mm => (v / 25.4 * 72.0) as f32,
                Unit::In => (v * 72.0) as f32,
                Unit::Px => (v / f64::from(self.ppi) * 72.0) as f32,
            }
        };
        if self.landscape {
            (pt(h), pt(w))
        } else {
            (pt(w), pt(h))
        }
    }

    /// Pixels per typographic point on this card.
    pub fn px_per_pt(&self) -> f32 {
        self.ppi / 72.0
    }

    /// How much larger than on an A6 card the theme's preferred text size is
    /// set: in proportion to the short side, for cards larger than A6 only.
    pub fn text_scale(&self) -> f32 {
        let short_mm = self.width.min(self.height) as f32 / self.ppi * 25.4;
        (short_mm / 105.0).max(1.0)
    }

    /// The name as written in front matter: `a6` or `a6-landscape`.
    pub fn full_name(&self) -> String {
        if self.landscape {
            format!("{}-landscape", self.name)
        } else {
            self.name.to_string()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a6_at_300_dpi_is_1240_by_1748() {
        let px = |name: &str| CardSize::named(name, 300).map(|s| (s.width, s.height));
        assert_eq!(px("a6"), Some((1240, 1748)));
        assert_eq!(px("a6-landscape"), Some((1748, 1240)));
        assert_eq!(px("a7"), Some((874, 1240)));
        assert_eq!(px("5x7"), Some((1500, 2100)));
        assert_eq!(px("4x6"), Some((1200, 1800)));
        assert_eq!(px("square"), Some((1500, 1500)));
        assert_eq!(CardSize::named("a6-landscape", 300).unwrap().full_name(), "a6-landscape");
        assert_eq!(CardSize::named("b5", 300), None);
    }
}
