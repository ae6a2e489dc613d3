//! What the site knows of a card: its gallery entry (title, links to its
//! pictures, description, the CSS that makes its HTML look like its PNG).

use crate::config::SiteConfig;
use crate::content::{GalleryMode, Message};
use crate::render;
use crate::site::{self, CardEntry, Listing};
use crate::theme::{self, Theme};

use super::artifacts::Artifact;
use super::compose::LaidCard;
use super::pictures::{web_widths, THUMB_WIDTH};
use crate::config::Outputs;

/// The gallery entry of card `m`, laid out as `card` in `theme`, with the
/// files `outputs` makes and its page's seal picture at `seal` (a path in
/// the output folder), when there is one.
pub fn entry(
    config: &SiteConfig,
    outputs: &Outputs,
    theme: &Theme,
    m: &Message,
    card: &LaidCard,
    seal: Option<&str>,
) -> CardEntry {
    let LaidCard { size, markup, alt, title, signature, .. } = card;
    let front = &m.front;
    let base = site::card_url(config, &m.slug);
    let link = |a: Artifact| if a.made_for(outputs) { format!("{base}{}", a.file_name()) } else { String::new() };
    let (signoff, signature_name) = super::page::signed(card);
    CardEntry {
        slug: m.slug.clone(),
        has_title: front.title.is_some(),
        title: title.clone().unwrap_or_else(|| first_words(alt, 6)),
        url: base.clone(),
        png: link(Artifact::Png),
        svg: link(Artifact::Svg),
        pdf: link(Artifact::Pdf),
        thumb: link(Artifact::Thumb),
        srcset: srcset(&base, outputs, size.width),
        share: link(Artifact::Share),
        description: first_sentence(alt),
        thumb_width: THUMB_WIDTH,
        thumb_height: crate::render::small_height(size.width, size.height, THUMB_WIDTH),
        width: size.width,
        height: size.height,
        date: m.date.map(|d| d.date().to_string()).unwrap_or_default(),
        date_display: m.date.map(|d| d.strftime("%B %-d, %Y").to_string()).unwrap_or_default(),
        tags: front.tags.clone(),
        to: front.to.clone().unwrap_or_default(),
        from: front.from.clone().unwrap_or_default(),
        signature: signature.clone().unwrap_or_default(),
        signoff,
        signature_name,
        // The pictures are the page's to add, from their web copies.
        signature_image: None,
        logo: None,
        qr_link: super::page::qr_link(config, &m.slug, card),
        alt: alt.clone(),
        html: markup.html.clone(),
        seal: seal.map(|rel| format!("{}{rel}", config.base_url)).unwrap_or_default(),
        theme: theme.name.clone(),
        style: page_style(theme, card),
        group: m.recipient.as_ref().map(|r| r.group.clone()).unwrap_or_default(),
        listing: match (front.gallery, m.recipient.is_some()) {
            (GalleryMode::Hidden, _) => Listing::Hidden,
            (GalleryMode::Default | GalleryMode::Group, true) => Listing::Group,
            _ => Listing::Card,
        },
    }
}

/// The `srcset` of a card `width` pixels wide whose page is at `base`: its
/// pictures for the pages with their widths, each width once (the first of
/// two alike), or empty when `outputs` makes none.
fn srcset(base: &str, outputs: &Outputs, width: u32) -> String {
    let mut candidates = Vec::new();
    let mut last = 0;
    // The widths grow: a width like the one before it is that picture again.
    for (picture, w) in Artifact::WEB.into_iter().zip(web_widths(width)) {
        if picture.made_for(outputs) && w != last {
            candidates.push(format!("{base}{} {w}w", picture.file_name()));
            last = w;
        }
    }
    candidates.join(", ")
}

/// The CSS custom properties that make the HTML card look like the PNG:
/// every length as a fraction of the card's width.
fn page_style(theme: &Theme, card: &LaidCard) -> String {
    let LaidCard { laid, boxes, size, .. } = card;
    let w = size.width as f32;
    let text = &theme.spec.text;
    let mut style = format!(
        "--text: {:.4}; --leading: {}; --title: {}; --signature: {}; --pad-x: {:.4}; --pad-top: {:.4}; --ratio: {:.4}; --align: {}; --signature-align: {};",
        laid.size_pt * size.px_per_pt() / w,
        text.line_height,
        text.title_scale,
        text.signature_scale,
        boxes.text_box.x / w,
        boxes.text_box.y / w,
        size.height as f32 / w,
        css_align(text.align),
        css_align(text.signature_align),
    );
    if let Some(logo) = boxes.logo {
        // Where the logo ends, for a theme whose head rule runs on from it.
        style.push_str(&format!(" --logo-end: {:.4};", (logo.x + logo.width) / w));
        style.push_str(&clear_of_logo(boxes, w));
    }
    style
}

/// Where the card's logo is beside its text (not above it), how much
/// wider than the card's side margin the page's text keeps from that side
/// (`--clear-right: 0.2`): the page sets its text the card's width less
/// its margins, where the card's text box may be narrower for its seal.
fn clear_of_logo(boxes: &render::Boxes, w: f32) -> String {
    let (text, margin) = (boxes.text_box, boxes.text_box.x);
    let Some(logo) = boxes.logo.filter(|l| l.y + l.height > text.y) else { return String::new() };
    let gap = 0.02 * w;
    let sides = [
        ("left", logo.x + logo.width <= text.x + 1.0, logo.x + logo.width + gap - margin),
        ("right", logo.x >= text.x + text.width - 1.0, w - logo.x + gap - margin),
    ];
    let beside = sides.into_iter().filter(|(_, beside, cut)| *beside && *cut > 0.0);
    beside.map(|(side, _, cut)| format!(" --clear-{side}: {:.4};", cut / w)).collect()
}

/// The CSS `text-align` of an alignment.
fn css_align(align: theme::Align) -> &'static str {
    match align {
        theme::Align::Left => "left",
        theme::Align::Center => "center",
        theme::Align::Right => "right",
    }
}

/// The first sentence of `text` (a link preview's description): up to the
/// first sentence end or line break, at most 200 characters, cut at a word.
fn first_sentence(text: &str) -> String {
    let text = text.trim();
    let end = text
        .char_indices()
        .find(|&(i, c)| c == '\n' || (matches!(c, '.' | '!' | '?') && text[i + 1..].starts_with(char::is_whitespace)))
        .map_or(text.len(), |(i, c)| if c == '\n' { i } else { i + 1 });
    let sentence = text[..end].trim();
    if sentence.chars().count() <= 200 {
        return sentence.to_string();
    }
    let cut: String = sentence.chars().take(200).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{}\u{2026}", cut.trim_end_matches([',', ';', ':']))
}

/// The first `n` words of a text, with an ellipsis when cut.
pub fn first_words(text: &str, n: usize) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.is_empty() {
        return "Untitled card".into();
    }
    let mut out = words[..words.len().min(n)].join(" ");
    if words.len() > n {
        out.push('\u{2026}');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_srcset_names_each_width_once_and_none_wider_than_the_card() {
        let png = Outputs::parse(["html", "png"]).unwrap();
        assert_eq!(
            srcset("/cards/a/", &png, 1240),
            "/cards/a/card-1x.webp 360w, /cards/a/card-2x.webp 720w, /cards/a/card-3x.webp 1080w"
        );
        assert_eq!(
            srcset("/cards/a/", &png, 874),
            "/cards/a/card-1x.webp 360w, /cards/a/card-2x.webp 720w, /cards/a/card-3x.webp 874w"
        );
        // A6 at 150 dpi: 620 pixels wide.
        assert_eq!(srcset("/a/", &png, 620), "/a/card-1x.webp 360w, /a/card-2x.webp 620w");
        assert_eq!(srcset("/cards/a/", &Outputs::parse(["html", "svg"]).unwrap(), 1240), "");
    }

    #[test]
    fn a_description_is_the_first_sentence() {
        assert_eq!(first_sentence("Thank you, Deb! Your order was made with love."), "Thank you, Deb!");
        assert_eq!(first_sentence("Version 2.5 is out\nand more"), "Version 2.5 is out");
        assert_eq!(first_sentence("No end"), "No end");
        let long = first_sentence(&"word ".repeat(100));
        assert!(long.ends_with("word\u{2026}") && long.chars().count() <= 201, "{long}");
    }
}
