//! QR codes: the link of a card's `qr:` (front matter or waxseal.yaml)
//! checked, and encoded as the dark modules of a code, drawn as one SVG
//! path. A leaf: it knows no theme, card or site; where the code goes and
//! how large it is drawn is the card's business (`render::qr`).

use std::fmt::Write as _;

use serde::Deserialize;

/// `qr: card`: the code links the card's own page under `base_url`.
pub const CARD: &str = "card";

/// How to give `qr: card` the absolute URL a phone needs.
pub const NEEDS_BASE_URL: &str = "a phone opens a QR code's link from anywhere, so the card's page needs the site's full address: set `base_url: https://your.site/` in waxseal.yaml";

/// The longest link a card's code may hold, in bytes. A link this long
/// needs a code of 49 modules a side (version 8, correction level M); a
/// longer one makes modules too fine to scan on a card the size of a hand.
pub const MAX_BYTES: usize = 150;

/// The light margin every side of a code needs for a reader to find it,
/// in modules (the standard asks for 4).
pub const QUIET: usize = 4;

/// Reads `qr:` as written: a link (or `card`), or `false` (no code, even
/// where the site's settings give one), which it keeps as an empty link.
pub fn written<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Written {
        Off(bool),
        Link(String),
    }
    match Option::<Written>::deserialize(deserializer)? {
        None | Some(Written::Off(false)) => Ok(Some(String::new())),
        Some(Written::Off(true)) => Err(serde::de::Error::custom(
            "`qr: true` says no link: write `card` for the card's own page, or a URL such as `https://shop.example/review`",
        )),
        Some(Written::Link(link)) => Ok(Some(link)),
    }
}

/// What is wrong with `link` as what a card's code holds, and how to fix
/// it; `None` when a phone can open it: an `http://` or `https://` URL
/// with a host, or a `mailto:` address, of at most [`MAX_BYTES`].
pub fn problem(link: &str) -> Option<(String, &'static str)> {
    const HINT: &str =
        "a QR code on a card holds `card` (the card's own page), an http:// or https:// URL, or a mailto: address";
    let shown = shortened(link);
    let Ok(iri) = iri_string::types::IriStr::new(link) else {
        return Some((format!("`{shown}` is not a URL a QR code can hold"), HINT));
    };
    let scheme = iri.scheme_str().to_ascii_lowercase();
    let usable = match scheme.as_str() {
        "http" | "https" => iri.authority_components().is_some_and(|a| !a.host().is_empty()),
        "mailto" => iri.path_str().contains('@'),
        _ => false,
    };
    if !usable {
        return Some((format!("`{shown}` is not a URL a QR code can hold"), HINT));
    }
    if link.len() > MAX_BYTES {
        return Some((
            format!("the QR code's URL is {} bytes long; a card's QR code holds at most {MAX_BYTES}", link.len()),
            "a longer URL makes the code's squares too fine to scan: use a shorter URL (the shop's own short path)",
        ));
    }
    None
}

/// The first 60 characters of a long `text`, then `…`.
fn shortened(text: &str) -> String {
    match text.char_indices().nth(60) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_string(),
    }
}

/// A QR code: its modules, dark or light, row by row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Code {
    /// Modules a side (21 to 177), without the quiet zone.
    pub width: usize,
    dark: Vec<bool>,
}

/// Encodes `link` (one [`problem`] finds nothing wrong with) at error
/// correction level M: a code still reads with 15% of it smudged or
/// covered, and stays small enough to scan at a few centimetres a side.
/// `None` only for more text than any code holds.
pub fn encode(link: &str) -> Option<Code> {
    let code = qrcode::QrCode::with_error_correction_level(link.as_bytes(), qrcode::EcLevel::M).ok()?;
    Some(Code { width: code.width(), dark: code.to_colors().into_iter().map(|c| c == qrcode::Color::Dark).collect() })
}

impl Code {
    /// Whether the module at column `x`, row `y` is dark.
    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        self.dark[y * self.width + x]
    }

    /// The dark modules as SVG path data, each row's runs of dark modules
    /// merged into one rectangle: the code's top-left module at (`x`, `y`),
    /// `module` pixels a side. One path of a few hundred rectangles, where a
    /// `<rect>` per module would be thousands of elements; filled as one
    /// shape, neighbouring rectangles show no seam.
    pub fn path(&self, x: f32, y: f32, module: f32) -> String {
        let mut d = String::new();
        for row in 0..self.width {
            let mut col = 0;
            while col < self.width {
                if !self.is_dark(col, row) {
                    col += 1;
                    continue;
                }
                let start = col;
                while col < self.width && self.is_dark(col, row) {
                    col += 1;
                }
                let (left, top) = (x + start as f32 * module, y + row as f32 * module);
                let run = (col - start) as f32 * module;
                let _ = write!(d, "M{left:.2} {top:.2}h{run:.2}v{module:.2}h-{run:.2}z");
            }
        }
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_a_phone_opens_are_taken_and_others_are_not() {
        for ok in
            ["https://shop.example/review", "http://x.example", "HTTPS://Shop.example/a?b=c#d", "mailto:hi@x.example"]
        {
            assert_eq!(problem(ok), None, "{ok}");
        }
        for bad in [
            "ftp://x.example/f",
            "https://",
            "javascript:alert(1)",
            "shop.example/review",
            "mailto:nobody",
            "https://a b",
        ] {
            let (message, _) = problem(bad).unwrap_or_else(|| panic!("{bad} taken"));
            assert!(message.ends_with("is not a URL a QR code can hold"), "{message}");
        }
        let long = format!("https://shop.example/{}", "a".repeat(200));
        let (message, _) = problem(&long).unwrap();
        assert_eq!(message, "the QR code's URL is 221 bytes long; a card's QR code holds at most 150");
        assert_eq!(problem(&long[..MAX_BYTES]), None);
    }

    #[test]
    fn the_longest_link_fits_a_code_of_49_modules() {
        let code = encode(&format!("https://shop.example/{}", "a".repeat(MAX_BYTES - 21))).unwrap();
        assert_eq!(code.width, 49);
        assert_eq!(encode("https://shop.example/review").unwrap().width, 29);
    }

    #[test]
    fn each_row_s_dark_runs_are_one_rectangle() {
        let code = encode("https://shop.example/review").unwrap();
        let d = code.path(10.0, 20.0, 2.0);
        // The finder pattern's top row: seven dark modules, one run.
        assert!(d.starts_with("M10.00 20.00h14.00v2.00h-14.00z"), "{}", &d[..60]);
        let runs = d.matches('M').count();
        let dark = (0..29).flat_map(|y| (0..29).map(move |x| (x, y))).filter(|&(x, y)| code.is_dark(x, y)).count();
        assert!(runs * 3 < dark * 2, "{runs} runs for {dark} dark modules");
    }
}
