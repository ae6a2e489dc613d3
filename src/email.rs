//! A card as an email: `cards/SLUG/message.eml`, a MIME message made with
//! mail-builder.
//!
//! The message is multipart/related: a multipart/alternative (the note as
//! plain text, and as HTML from the theme's `email.html.tera`) and the
//! card's PNG, shown inline by its `Content-ID`. Everything in it comes from
//! the card: the MIME boundaries and the `Message-ID` are hashes of its
//! content and the `Date` is the card's date, so the same inputs give the
//! same bytes (no clock, no randomness). This module makes the text and the
//! bytes; it writes nothing (`waxseal send` reads the files it makes).

use mail_builder::headers::address::Address;
use mail_builder::headers::content_type::ContentType;
use mail_builder::headers::date::Date;
use mail_builder::headers::message_id::MessageId;
use mail_builder::headers::text::Text;
use mail_builder::mime::MimePart;
use mail_builder::MessageBuilder;
use serde::Serialize;

pub use crate::config::{one_line, Mailbox};
use crate::content::Message;
use crate::diagnostics::Diagnostic;
use crate::markup::{BlockKind, RichText};
use crate::theme::{FontRole, Theme};

/// The theme template of the HTML part (the theme names it: it loads it).
pub const TEMPLATE: &str = crate::theme::EMAIL_TEMPLATE;

/// The file of a card's email, in its folder.
pub const FILE: &str = "message.eml";

/// The `Content-ID` of the card picture, as the HTML refers to it (`cid:card.png@waxseal`).
const IMAGE_CID: &str = "card.png@waxseal";

/// The widest the card picture is shown in the email, in CSS pixels: a
/// 600 px column less its padding.
const IMAGE_WIDTH: u32 = 520;

/// Who card `m` is for: the front matter's `email:` (with `to:` as the
/// name), else a merged row's `email` field (with its `to` or `name`).
/// `None` when it names no address; an address that is not one is an error
/// at its value (or at its row).
pub fn recipient(m: &Message) -> Result<Option<Mailbox>, Diagnostic> {
    let field = |key: &str| {
        m.recipient.as_ref().and_then(|r| r.fields.get(key)).and_then(|v| match v {
            serde_json::Value::String(s) => Some(s.trim().to_string()),
            serde_json::Value::Null => None,
            other => Some(other.to_string()),
        })
    };
    let name = m.front.to.clone().or_else(|| field("to")).or_else(|| field("name"));
    let row_values = || {
        m.recipient.iter().flat_map(|r| r.fields.values()).filter_map(|v| v.as_str().map(str::trim)).collect::<Vec<_>>()
    };
    let (address, from_row) = match m.front.email.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
        // In a merged message, a value that has a row's field in it came from the row.
        Some(address) => (address.to_string(), row_values().iter().any(|v| !v.is_empty() && address.contains(v))),
        None => match field("email").filter(|e| !e.is_empty()) {
            Some(address) => (address, true),
            None => return Ok(None),
        },
    };
    Mailbox::named(&address, name.as_deref()).map(Some).map_err(|e| match (&m.recipient, from_row) {
        (Some(row), true) => Diagnostic::error(&row.file, row.line, 1, format!("row {}: {e}", row.row)).with_hint(
            "the row's `email` is where its card's email is sent: write an address such as `deb@example.org`",
        ),
        _ => {
            let (line, col) = m.value_place("email");
            Diagnostic::error(&m.source, line, col, e)
                .with_hint("`email:` is where the card's email is sent: write an address such as `deb@example.org`")
        }
    })
}

/// The note as plain text for the email's text part: paragraphs kept,
/// emphasis as `*word*`, list items with their markers, quotes after `> `.
pub fn plain_text(rich: &RichText) -> String {
    let mut out = String::new();
    let mut last_kind: Option<&BlockKind> = None;
    for block in &rich.blocks {
        let mut text = String::new();
        let mut open = false;
        for run in &block.runs {
            let marked = run.style.em || run.style.strong;
            if marked != open && run.text != "\n" {
                text.push('*');
                open = marked;
            }
            text.push_str(&run.text);
        }
        if open {
            text.push('*');
        }
        let indent = "   ".repeat(block.depth.saturating_sub(1).min(8));
        let text = match &block.kind {
            BlockKind::Paragraph | BlockKind::Heading(_) | BlockKind::Caption => text,
            // In the plain text, a picture is its alt text in brackets.
            BlockKind::Picture(_) => format!("[{}]", block.plain_text().trim_matches(['(', ')'])),
            BlockKind::ListItem { marker } => format!("{marker} {text}"),
            BlockKind::ListContinuation => format!("   {text}"),
            BlockKind::Rule => "* * *".to_string(),
        };
        if text.trim().is_empty() {
            continue;
        }
        let prefix = if block.quoted { "> " } else { "" };
        let text: Vec<String> = text.lines().map(|line| format!("{indent}{prefix}{line}")).collect();
        // List items follow each other line by line; other blocks have a blank line between.
        let in_list =
            |k: Option<&BlockKind>| matches!(k, Some(BlockKind::ListItem { .. } | BlockKind::ListContinuation));
        if !out.is_empty() {
            out.push_str(if in_list(last_kind) && in_list(Some(&block.kind)) { "\n" } else { "\n\n" });
        }
        out.push_str(&text.join("\n"));
        last_kind = Some(&block.kind);
    }
    out
}

/// `html` without its `<img>` elements: a message's pictures are drawn on
/// the card the email shows, and their files (next to the message) are
/// not in the email; a paragraph that held only a picture goes too.
fn without_pictures(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find("<img ") {
        out.push_str(&rest[..at]);
        // Attribute values are escaped: the element ends at the first `>`.
        rest = rest[at..].find('>').map_or("", |end| &rest[at + end + 1..]);
    }
    out.push_str(rest);
    out.replace("<p></p>\n", "").replace("<p></p>", "")
}

/// The card page's message HTML with the theme's look written into each
/// element's `style` (email clients drop `<style>` and stylesheets): the
/// colours of emphasis, strong text and links, the display face of headings.
pub fn inline_styles(html: &str, theme: &Theme) -> String {
    let styles = &theme.spec.styles;
    let css = |style: &crate::theme::Style| {
        let mut css = String::new();
        if let Some(color) = &style.color {
            css.push_str(&format!("color:{};", theme.color(color)));
        }
        match style.italic {
            Some(true) => css.push_str("font-style:italic;"),
            Some(false) => css.push_str("font-style:normal;"),
            None => {}
        }
        match style.bold {
            Some(true) => css.push_str("font-weight:bold;"),
            Some(false) => css.push_str("font-weight:normal;"),
            None => {}
        }
        match style.underline {
            Some(true) => css.push_str("text-decoration:underline;"),
            Some(false) => css.push_str("text-decoration:none;"),
            None => {}
        }
        css
    };
    let display = font_stack(theme, FontRole::Display);
    let border = &theme.spec.palette.border;
    let replacements = [
        ("<p>", "<p style=\"margin:0 0 1em 0;\">".to_string()),
        ("<em>", format!("<em style=\"{}\">", css(&styles.em))),
        ("<strong>", format!("<strong style=\"{}\">", css(&styles.strong))),
        ("<a href=", format!("<a style=\"{}\" href=", css(&styles.link))),
        (
            "<blockquote>",
            format!(
                "<blockquote style=\"margin:0 0 1em 0;padding:0 0 0 1em;border-left:3px solid {border};{}\">",
                css(&styles.quote)
            ),
        ),
        ("<ul>", "<ul style=\"margin:0 0 1em 0;padding:0 0 0 1.5em;\">".to_string()),
        ("<ol>", "<ol style=\"margin:0 0 1em 0;padding:0 0 0 1.5em;\">".to_string()),
        ("<li>", "<li style=\"margin:0 0 0.25em 0;\">".to_string()),
        ("<hr />", format!("<hr style=\"border:0;border-top:1px solid {border};margin:1.5em 25%;\" />")),
    ];
    let mut out = without_pictures(html);
    for (tag, styled) in &replacements {
        out = out.replace(tag, styled);
    }
    for level in 1..=6 {
        out = out.replace(
            &format!("<h{level}>"),
            &format!(
                "<h{level} style=\"margin:0 0 0.5em 0;font-size:{}em;font-weight:normal;font-family:{display};{}\">",
                [1.6, 1.4, 1.25, 1.1, 1.0, 1.0][level - 1],
                css(&styles.heading).replace('"', "'")
            ),
        );
    }
    out
}

/// The CSS `font-family` of a role: the theme's font first (shown when the
/// reader's client loads it), then faces most systems have.
pub fn font_stack(theme: &Theme, role: FontRole) -> String {
    let fallback = match role {
        FontRole::Script => "'Brush Script MT', 'Segoe Script', Georgia, serif",
        _ => "Georgia, 'Times New Roman', serif",
    };
    format!("'{}', {fallback}", theme.face(role).family)
}

/// The `@font-face` rules of the theme's fonts at their URLs in the
/// published site (`font_urls`: file in the theme -> URL), for clients that
/// load web fonts; empty when there are none.
fn font_faces(theme: &Theme, font_urls: &[(String, String)]) -> String {
    let mut css = String::new();
    for face in theme.faces.values() {
        if let Some((_, url)) = font_urls.iter().find(|(file, _)| *file == face.file) {
            let rule = format!(
                "@font-face {{ font-family: '{}'; font-weight: {}; font-style: {}; src: url('{url}') format('truetype'); }}\n",
                face.family,
                face.weight,
                if face.italic { "italic" } else { "normal" }
            );
            if !css.contains(&rule) {
                css.push_str(&rule);
            }
        }
    }
    css
}

/// A card's email, ready but for its picture.
#[derive(Debug, Clone)]
pub struct Email {
    /// The card's slug (`X-Waxseal-Card`).
    pub slug: String,
    /// Who it is from (`email.from` of the settings).
    pub from: Mailbox,
    /// Where replies go.
    pub reply_to: Option<Mailbox>,
    /// Who it is for; none when the card names no address.
    pub to: Option<Mailbox>,
    /// The subject: the card's title.
    pub subject: String,
    /// The `Date`, in seconds since 1970 (UTC).
    pub date: i64,
    /// The text part.
    pub text: String,
    /// The HTML part.
    pub html: String,
}

/// What the theme's `email.html.tera` is given (besides `site`).
#[derive(Debug, Serialize)]
pub struct EmailPage<'a> {
    /// The title (the subject).
    pub title: &'a str,
    /// Whether the message has a `title:` (else `title` is its first words).
    pub has_title: bool,
    /// The message as the card page has it (`html`), with the theme's look
    /// inline for email clients (`html_inline`), and as plain text (`text`).
    pub message: MessageParts,
    /// The signature line, or empty.
    pub signature: &'a str,
    /// Who sends it (`{name, address}`).
    pub from: &'a Mailbox,
    /// Who it is for, or null.
    pub to: Option<&'a Mailbox>,
    /// `2026-11-23`, or empty.
    pub date: &'a str,
    /// `November 23, 2026`, or empty.
    pub date_display: &'a str,
    /// The card picture: `src` (`cid:...`), display `width` and `height`
    /// (at most 520 px wide), and `alt` (the message as plain text).
    pub image: Image,
    /// The URL of the card's page (absolute when `base_url` is), or empty
    /// when no pages are made.
    pub card_url: String,
    /// The theme's colours, font stacks and web fonts.
    pub theme: ThemeLook,
}

/// The message text three ways.
#[derive(Debug, Serialize)]
pub struct MessageParts {
    /// As the card page has it (escaped HTML).
    pub html: String,
    /// The same with the theme's look in each tag's `style`.
    pub html_inline: String,
    /// The text part.
    pub text: String,
}

/// The card picture in the email.
#[derive(Debug, Serialize)]
pub struct Image {
    /// `cid:card.png@waxseal`.
    pub src: String,
    /// The picture's `Content-ID`, without its angle brackets.
    pub cid: String,
    /// The width to show it at, in CSS pixels (520 at most).
    pub width: u32,
    /// The height to show it at.
    pub height: u32,
    /// The message as plain text.
    pub alt: String,
}

/// A theme's look for its email template.
#[derive(Debug, Serialize)]
pub struct ThemeLook {
    /// `theme.name`.
    pub name: String,
    /// paper, paper_edge, ink, accent, border, seal.
    pub palette: crate::theme::Palette,
    /// `font-family` values with safe fallbacks, by role: body, italic,
    /// bold, script, display.
    pub fonts: std::collections::BTreeMap<&'static str, String>,
    /// The theme's family names alone, by role, for a template to give its
    /// own fallbacks (`'{{ email.theme.families.body }}', Arial, sans-serif`).
    pub families: std::collections::BTreeMap<&'static str, String>,
    /// The colour of the title, as the card has it (`styles:` in theme.yaml).
    pub title_color: String,
    /// The colour of the signature.
    pub signature_color: String,
    /// `@font-face` rules for the theme's fonts on the published site
    /// (empty unless `base_url` is absolute and pages are made).
    pub font_faces: String,
}

impl<'a> EmailPage<'a> {
    /// The template's context for one card.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        theme: &Theme,
        email: &'a Email,
        has_title: bool,
        message_html: &str,
        signature: &'a str,
        dates: (&'a str, &'a str),
        picture: (u32, u32, &str),
        card_url: String,
        font_urls: &[(String, String)],
    ) -> EmailPage<'a> {
        let (pixel_width, pixel_height, alt) = picture;
        let width = pixel_width.clamp(1, IMAGE_WIDTH);
        let height = (pixel_height as f64 * width as f64 / pixel_width.max(1) as f64).round() as u32;
        let roles = [
            ("body", FontRole::Body),
            ("italic", FontRole::Italic),
            ("bold", FontRole::Bold),
            ("script", FontRole::Script),
            ("display", FontRole::Display),
        ];
        let fonts = roles.iter().map(|(name, role)| (*name, font_stack(theme, *role))).collect();
        let families = roles.iter().map(|(name, role)| (*name, theme.face(*role).family.clone())).collect();
        EmailPage {
            title: &email.subject,
            has_title,
            message: MessageParts {
                html: message_html.to_string(),
                html_inline: inline_styles(message_html, theme),
                text: email.text.clone(),
            },
            signature,
            from: &email.from,
            to: email.to.as_ref(),
            date: dates.0,
            date_display: dates.1,
            image: Image {
                src: format!("cid:{IMAGE_CID}"),
                cid: IMAGE_CID.to_string(),
                width,
                height,
                alt: alt.to_string(),
            },
            card_url,
            theme: ThemeLook {
                name: theme.name.clone(),
                palette: theme.spec.palette.clone(),
                fonts,
                families,
                title_color: style_color(theme, &theme.spec.styles.title),
                signature_color: style_color(theme, &theme.spec.styles.signature),
                font_faces: font_faces(theme, font_urls),
            },
        }
    }
}

/// The colour of a style, the ink when it names none.
fn style_color(theme: &Theme, style: &crate::theme::Style) -> String {
    theme.color(style.color.as_deref().unwrap_or("ink"))
}

/// The `Date` of a card dated `date` (as written in its front matter): a
/// day without a time is taken as noon UTC, which is that day from UTC-11
/// to UTC+11. A card without a date is dated the day it is built
/// (`built`, see [`crate::config::build_date`]), at noon UTC.
pub fn date_of(written: Option<&str>, date: Option<jiff::civil::DateTime>, built: jiff::civil::Date) -> i64 {
    let date = match date {
        Some(date) if written.is_some_and(|w| w.trim().len() > 10) => date,
        Some(date) => date.date().at(12, 0, 0, 0),
        None => built.at(12, 0, 0, 0),
    };
    date.duration_since(jiff::civil::DateTime::constant(1970, 1, 1, 0, 0, 0, 0)).as_secs()
}

/// The header form of a mailbox.
fn header(mailbox: &Mailbox) -> Address<'_> {
    Address::new_address(mailbox.name.as_deref(), mailbox.address.as_str())
}

impl Email {
    /// The `.eml` file: headers, the text and HTML parts and `png` (the
    /// card picture) inline. The same email and picture give the same bytes.
    pub fn eml(&self, png: &[u8]) -> Vec<u8> {
        let (from, reply_to, to) = (
            self.from.to_string(),
            self.reply_to.as_ref().map(ToString::to_string).unwrap_or_default(),
            self.to.as_ref().map(ToString::to_string).unwrap_or_default(),
        );
        let hash = crate::hash::key(&[
            self.slug.as_bytes(),
            from.as_bytes(),
            reply_to.as_bytes(),
            to.as_bytes(),
            self.subject.as_bytes(),
            &self.date.to_le_bytes(),
            self.text.as_bytes(),
            self.html.as_bytes(),
            png,
        ]);
        // `=_` never occurs in quoted-printable or base64 text, and the hash
        // keeps the boundaries out of any 7-bit text part.
        let alternative = MimePart::new(
            ContentType::new("multipart/alternative").attribute("boundary", format!("=_alt_{hash}")),
            vec![
                MimePart::new(ContentType::new("text/plain"), self.text.as_str()),
                MimePart::new(ContentType::new("text/html"), self.html.as_str()),
            ],
        );
        let image = MimePart::new(ContentType::new("image/png"), png).inline().cid(IMAGE_CID);
        let related = MimePart::new(
            ContentType::new("multipart/related")
                .attribute("type", "multipart/alternative")
                .attribute("boundary", format!("=_rel_{hash}")),
            vec![alternative, image],
        );
        let mut message = MessageBuilder::new()
            .from(header(&self.from))
            .subject(self.subject.as_str())
            .date(Date::new(self.date))
            .message_id(MessageId::new(format!("{hash}@{}", self.from.domain())))
            .header("X-Waxseal-Card", Text::new(self.slug.as_str()));
        if let Some(to) = &self.to {
            message = message.to(header(to));
        }
        if let Some(reply_to) = &self.reply_to {
            message = message.reply_to(header(reply_to));
        }
        message.body(related).write_to_vec().expect("writing to memory does not fail")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_keeps_paragraphs_and_marks_emphasis() {
        let markup =
            crate::markup::render("Made with *love* by **Bev**.\n\nSee you!\n\n- one\n- two\n\n> quoted", false)
                .unwrap();
        assert_eq!(plain_text(&markup.rich), "Made with *love* by *Bev*.\n\nSee you!\n\n• one\n• two\n\n> quoted");
    }

    #[test]
    fn a_picture_is_its_alt_text_in_the_plain_text_and_left_out_of_the_html() {
        let markup =
            crate::markup::render("Hello.\n\n![a blue vase](vase.jpg \"=50%\")\n\nBye ![x](y.png) now.", false)
                .unwrap();
        assert_eq!(plain_text(&markup.rich), "Hello.\n\n[a picture: a blue vase]\n\nBye\n\n[a picture: x]\n\nnow.");
        // The words around a picture are two paragraphs, as on the card.
        assert_eq!(without_pictures(&markup.html), "<p>Hello.</p>\n<p>Bye</p>\n<p>now.</p>\n");
    }

    #[test]
    fn a_date_alone_is_noon_utc_and_no_date_is_the_build_day() {
        let built = jiff::civil::date(2027, 3, 4);
        let date = crate::template::parse_date("2026-11-23");
        assert_eq!(date_of(Some("2026-11-23"), date, built), 1_795_435_200);
        let timed = Some(jiff::civil::date(2026, 11, 23).at(8, 30, 0, 0));
        assert_eq!(date_of(Some("2026-11-23 08:30"), timed, built), 1_795_435_200 - 3 * 3600 - 1800);
        assert_eq!(date_of(None, None, built), 1_804_161_600, "4 March 2027, 12:00 UTC");
    }
}
