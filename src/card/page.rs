//! What a card page shows besides the message's words, as the card draws
//! it: the message's pictures as figures (their web copies, as wide on the
//! text as on the card, their captions under them), the shop's logo where
//! the card has it, the sign-off words and the name (or a scanned
//! signature) as the card sets them, and the QR code as a link. Makes
//! values and the bytes of the web copies; never writes.

use std::sync::Arc;

use crate::config::SiteConfig;
use crate::layout::{LineKind, Part};
use crate::picture::WebCopy;
use crate::render::CardPicture;
use crate::site::{PageImage, QrLink};

use super::compose::LaidCard;
use super::figures::{Figures, WEB_FOLDER};

/// How wide the card is at most on its page, in rem: the page's column
/// (44rem) less its padding (what a `sizes` attribute is worked out from).
const CARD_REM: f32 = 41.0;

/// The pictures of a card page and the files of their web copies.
pub struct PageParts {
    /// The message's HTML, its pictures shown from their web copies.
    pub html: String,
    /// The logo, where the card has it.
    pub logo: Option<PageImage>,
    /// The scanned signature, as the card draws it.
    pub signature: Option<PageImage>,
    /// Each file (relative to the output folder) and its bytes.
    pub files: Vec<(String, Arc<Vec<u8>>)>,
}

/// The card page's pictures of `card`, whose message's HTML is `html`,
/// under `base_url`.
pub fn parts(figures: &Figures, base_url: &str, card: &LaidCard, html: &str) -> PageParts {
    let mut files = Vec::new();
    let text_width = card.boxes.text_box.width.max(1.0);
    let card_width = card.size.width.max(1) as f32;
    // Each picture as wide a part of the text as the card draws it.
    let widths: Vec<f32> = (0..card.pictures.len()).map(|i| drawn_width(card, i) / text_width).collect();
    let web = figures.web(base_url, html, &card.pictures, &widths, text_width / card_width);
    files.extend(web.files);
    let logo = card.logo.as_ref().zip(card.boxes.logo).and_then(|(p, at)| {
        let image = image(figures, base_url, p, &p.picture.hash, at.width / card_width, &mut files)?;
        Some(PageImage { style: placed(at, card.size.width as f32, card.size.height as f32), ..image })
    });
    let signature = card.scanned().and_then(|p| {
        // A tinted signature is not the file's picture: its copies are named by what is drawn.
        let key = crate::hash::key(&[&p.picture.draw.bytes]);
        let part = drawn_width(card, card.pictures.len()) / text_width;
        let image = image(figures, base_url, p, &key, part * text_width / card_width, &mut files)?;
        Some(PageImage { style: format!("width: {:.1}%;", part * 100.0), ..image })
    });
    files.sort_by(|a, b| a.0.cmp(&b.0));
    files.dedup_by(|a, b| a.0 == b.0);
    PageParts { html: web.html, logo, signature, files }
}

/// How wide picture `index` of `card` is drawn, in pixels (the whole text
/// width when it is not drawn).
fn drawn_width(card: &LaidCard, index: usize) -> f32 {
    let line = card.laid.lines.iter().find(|l| matches!(l.kind, LineKind::Picture { index: i, .. } if i == index));
    line.map_or(card.boxes.text_box.width, |l| l.width)
}

/// Picture `p` on the page from its web copies (named by `key`), shown
/// `part` of the card's width wide; its files added to `files`.
fn image(
    figures: &Figures,
    base_url: &str,
    p: &CardPicture,
    key: &str,
    part: f32,
    files: &mut Vec<(String, Arc<Vec<u8>>)>,
) -> Option<PageImage> {
    let copies = figures.copies(key, &p.picture)?;
    let name = |c: &WebCopy| format!("{WEB_FOLDER}/{}", c.file_name(key));
    files.extend(copies.iter().map(|c| (name(c), c.encoded.bytes.clone())));
    let largest = copies.last()?;
    let srcset = match copies.len() {
        1 => String::new(),
        _ => copies.iter().map(|c| format!("{base_url}{} {}w", name(c), c.width)).collect::<Vec<_>>().join(", "),
    };
    Some(PageImage {
        src: format!("{base_url}{}", name(largest)),
        srcset,
        sizes: sizes(part),
        width: largest.width,
        height: largest.height,
        alt: p.alt.trim().to_string(),
        style: String::new(),
    })
}

/// The `sizes` of a picture shown `part` of the card's width wide: the
/// card fills a phone's screen and is at most [`CARD_REM`] wide.
pub fn sizes(part: f32) -> String {
    let part = part.clamp(0.01, 1.0);
    format!("(max-width: {CARD_REM}rem) {:.0}vw, {:.1}rem", part * 100.0, part * CARD_REM)
}

/// Where rectangle `at` is on a card `w` x `h` pixels, as CSS lengths in
/// the card's width (`cqw`): from its top when it is in the card's upper
/// half, else from its foot (the page's card grows downwards with its text).
fn placed(at: crate::render::PxRect, w: f32, h: f32) -> String {
    let cqw = |px: f32| px / w * 100.0;
    let vertical = match at.y + at.height / 2.0 < h / 2.0 {
        true => format!("top: {:.2}cqw", cqw(at.y)),
        false => format!("bottom: {:.2}cqw", cqw(h - at.y - at.height)),
    };
    format!("left: {:.2}cqw; {vertical}; width: {:.2}cqw;", cqw(at.x), cqw(at.width))
}

/// The signature as the page sets it, following the card: the sign-off
/// words (empty when the card sets the signature on one line) and the name.
pub fn signed(card: &LaidCard) -> (String, String) {
    let one_line = card.signature.clone().unwrap_or_default();
    let own_line = card.laid.lines.iter().any(|l| l.part == Part::SignOff);
    match card.signed.as_deref().and_then(|s| s.split_once('\n')) {
        Some((words, name)) if own_line => (words.trim().to_string(), name.trim().to_string()),
        _ => (String::new(), one_line),
    }
}

/// The card's QR code as a link on its page, unless it leads to that page
/// (`qr: card`: the reader is on it already).
pub fn qr_link(config: &SiteConfig, slug: &str, card: &LaidCard) -> Option<QrLink> {
    let qr = card.qr.as_ref()?;
    let bases = [&config.base_url, &config.site_base_url];
    if bases.iter().any(|base| base.contains("://") && qr.link == format!("{base}cards/{slug}/")) {
        return None;
    }
    Some(QrLink { href: qr.link.clone(), text: link_text(qr.label.as_deref(), &qr.link) })
}

/// The words of a QR code's link: its label, a label that starts "Scan to"
/// without those words ("Scan to leave a review" is "Leave a review": the
/// reader clicks, not scans); with no label, the URL without its scheme.
pub fn link_text(label: Option<&str>, link: &str) -> String {
    let label = label.map(str::trim).filter(|l| !l.is_empty());
    let Some(label) = label else {
        let bare = link.split_once("://").map_or(link, |(_, rest)| rest);
        let bare = bare.strip_prefix("mailto:").unwrap_or(bare);
        return bare.trim_end_matches('/').to_string();
    };
    let words = label.char_indices().nth(8).map_or(label, |(at, _)| &label[..at]);
    let rest = match words.eq_ignore_ascii_case("scan to ") {
        true => label[words.len()..].trim_start(),
        false => return label.to_string(),
    };
    let mut chars = rest.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => label.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_qr_link_says_what_it_leads_to() {
        let link = "https://shop.example/review";
        assert_eq!(link_text(Some("Scan to leave a review"), link), "Leave a review");
        assert_eq!(link_text(Some("SCAN TO  see more"), link), "See more");
        assert_eq!(link_text(Some("Our reviews"), link), "Our reviews");
        assert_eq!(link_text(Some("Scan to"), link), "Scan to");
        assert_eq!(link_text(Some("  "), link), "shop.example/review");
        assert_eq!(link_text(None, "https://shop.example/"), "shop.example");
        assert_eq!(link_text(None, "mailto:hi@shop.example"), "hi@shop.example");
        assert_eq!(link_text(Some("Scan to ünd"), link), "Ünd");
    }

    #[test]
    fn a_picture_is_placed_from_the_nearer_edge() {
        let at = |y| crate::render::PxRect { x: 100.0, y, width: 500.0, height: 100.0 };
        assert_eq!(placed(at(50.0), 1000.0, 1400.0), "left: 10.00cqw; top: 5.00cqw; width: 50.00cqw;");
        assert_eq!(placed(at(1200.0), 1000.0, 1400.0), "left: 10.00cqw; bottom: 10.00cqw; width: 50.00cqw;");
        assert_eq!(sizes(0.5), "(max-width: 41rem) 50vw, 20.5rem");
    }
}
