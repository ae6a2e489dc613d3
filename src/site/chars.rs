//! The characters the site's pages can show, for the web fonts to hold:
//! a base set every face keeps (printable ASCII, Latin-1 and the usual
//! punctuation, so that a card in a Western European language seldom
//! changes a font), and beyond it what the cards' entries, the site's
//! settings and the theme's templates and stylesheet put on a page, each
//! with its capital and small forms (`text-transform` makes them).

use std::collections::BTreeSet;
use std::convert::Infallible;

use html5gum::emitters::callback::{CallbackEmitter, CallbackEvent};
use html5gum::{Span, Tokenizer};

use super::CardEntry;
use crate::config::SiteConfig;
use crate::theme::Theme;

/// Whether `c` is in the base set every face keeps: printable ASCII, the
/// Latin-1 supplement, dashes, quotes, the ellipsis, bullets, arrows and
/// the euro and trade mark signs.
pub(super) fn in_base(c: char) -> bool {
    matches!(c, ' '..='~' | '\u{a0}'..='\u{ff}')
        || matches!(
            c,
            '\u{2013}'..='\u{2014}'
                | '\u{2018}'..='\u{201e}'
                | '\u{2020}'..='\u{2022}'
                | '\u{2026}'
                | '\u{2030}'
                | '\u{2039}'..='\u{203a}'
                | '\u{20ac}'
                | '\u{2122}'
                | '\u{2190}'..='\u{2193}'
        )
}

/// The base set, in order.
pub(super) fn base() -> impl Iterator<Item = char> {
    ('\u{20}'..='\u{2193}').filter(|c| in_base(*c))
}

/// The characters of `texts` beyond the base set, each with its capital and
/// small forms (a control character is none), sorted, once each.
pub(super) fn beyond_base<'a>(texts: impl IntoIterator<Item = &'a str>) -> String {
    let mut chars = BTreeSet::new();
    for c in texts.into_iter().flat_map(str::chars) {
        chars.extend(std::iter::once(c).chain(c.to_uppercase()).chain(c.to_lowercase()));
    }
    chars.into_iter().filter(|c| !in_base(*c) && !c.is_control()).collect()
}

/// The characters a page can show of card `entry` (its page, and its item
/// on the gallery's pages) beyond the base set: its title, message (the
/// text of its HTML and the words of its attributes), signature, tags,
/// date and the names of its pictures.
pub fn entry_chars(entry: &CardEntry) -> String {
    let html = html_text(&entry.html);
    let mut texts: Vec<&str> = vec![
        &entry.slug,
        &entry.group,
        &entry.title,
        &entry.description,
        &entry.date_display,
        &entry.to,
        &entry.from,
        &entry.signature,
        &entry.signoff,
        &entry.signature_name,
        &entry.alt,
        &html,
    ];
    texts.extend(entry.tags.iter().map(String::as_str));
    texts.extend(entry.qr_link.iter().map(|q| q.text.as_str()));
    texts.extend(entry.logo.iter().chain(&entry.signature_image).map(|p| p.alt.as_str()));
    beyond_base(texts)
}

/// The characters the site's pages can show in `theme` whatever their
/// cards: the site's title and description, the text of the theme's page
/// templates (character references read as what they stand for) and the
/// strings of its stylesheet (`content: '\25C6'`).
pub fn theme_chars(theme: &Theme, config: &SiteConfig) -> String {
    let mut texts = vec![config.title.clone(), config.description.clone()];
    let pages = theme.files.iter().filter(|(path, _)| path.ends_with(".html"));
    texts.extend(pages.map(|(_, bytes)| html_text(&String::from_utf8_lossy(bytes))));
    let sheets = theme.files.iter().filter(|(path, _)| path.ends_with(".css"));
    texts.extend(sheets.map(|(_, bytes)| css_strings(&String::from_utf8_lossy(bytes))));
    texts.push(css_strings(&theme.css));
    beyond_base(texts.iter().map(String::as_str))
}

/// The text of `html` as a reader meets it: its text and its attributes'
/// values, character references read.
fn html_text(html: &str) -> String {
    let mut text = String::new();
    let emitter = CallbackEmitter::new(|event: CallbackEvent<'_>, _: Span<usize>| -> Option<Infallible> {
        match event {
            CallbackEvent::String { value } | CallbackEvent::AttributeValue { value } => {
                text.push_str(&String::from_utf8_lossy(value));
                text.push(' ');
            }
            _ => {}
        }
        None
    });
    match Tokenizer::new_with_emitter(html, emitter).finish() {
        Ok(()) => {}
        Err(never) => match never {},
    }
    text
}

/// The quoted strings of stylesheet `css`, escapes read.
fn css_strings(css: &str) -> String {
    fn walk(parser: &mut cssparser::Parser, out: &mut String) {
        use cssparser::Token;
        while let Ok(token) = parser.next_including_whitespace_and_comments() {
            match token.clone() {
                Token::QuotedString(s) => {
                    out.push_str(&s);
                    out.push(' ');
                }
                Token::Function(_) | Token::ParenthesisBlock | Token::SquareBracketBlock | Token::CurlyBracketBlock => {
                    let _ = parser.parse_nested_block(|p| -> Result<(), cssparser::ParseError<()>> {
                        walk(p, out);
                        Ok(())
                    });
                }
                _ => {}
            }
        }
    }
    let mut out = String::new();
    walk(&mut cssparser::Parser::new(css), &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beyond_the_base_set_with_capitals_and_small_letters() {
        assert_eq!(beyond_base(["Grüße, Straße — “quoted”…"]), "", "all in the base set");
        assert_eq!(beyond_base(["Łódź 🙂", "Ⅻ"]), "ÓŁłŹźⅫⅻ🙂".chars().filter(|c| !in_base(*c)).collect::<String>());
        assert!(base().count() > 200 && base().all(in_base));
    }

    #[test]
    fn an_entrys_html_is_read_as_text() {
        let entry = CardEntry {
            title: "Ευχαριστώ".into(),
            html: "<p>Merci &#10003; <em title=\"&#x2665;\">x</em> &amp; 1 &lt; 2</p>".into(),
            tags: vec!["お礼".into()],
            ..CardEntry::default()
        };
        let chars = entry_chars(&entry);
        for c in "ΕυχαριστώΥΧΑΡΙΣΤΏ✓♥お礼".chars() {
            assert!(chars.contains(c), "{c} in {chars}");
        }
        assert!(!chars.contains('&') && !chars.contains('<'), "markup is not text: {chars}");
    }

    #[test]
    fn a_stylesheets_strings_are_read_with_their_escapes() {
        assert_eq!(
            css_strings(".a::after { content: '\\25C6'; } @media print { .b::before { content: \"→\" } }"),
            "◆ → "
        );
    }
}
