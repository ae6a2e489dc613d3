//! What a published site has besides its pages: the Atom feed of the newest
//! cards, the sitemap and `robots.txt`. Written from the cards' entries, with
//! every URL from `base_url` (absolute when `base_url` is, as feed readers
//! and search engines need).

use crate::config::SiteConfig;
use crate::site::CardEntry;
use crate::svg::escape;

/// The feed holds this many cards, the newest.
pub const FEED_CARDS: usize = 50;

/// The Atom feed of `cards` (newest first): the newest [`FEED_CARDS`] of
/// those with a date. A feed is in order of date and every entry must have
/// one, so an undated card is left out rather than given another's (the
/// gallery lists it, after the dated ones). The feed is dated by its newest
/// card: the same cards give the same feed (no build time in it). With no
/// dated card it has no entry, and is dated 1 January 1970 (Atom needs a
/// date there; no card's is lent to it).
pub fn atom(config: &SiteConfig, cards: &[CardEntry]) -> String {
    let stamp = |date: &str| format!("{date}T00:00:00Z");
    let dated = || cards.iter().filter(|c| !c.date.is_empty());
    let newest = dated().map(|c| c.date.as_str()).max().unwrap_or("1970-01-01");
    let site = escape(&config.base_url);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    out.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\"");
    if let Some(lang) = &config.lang {
        out.push_str(&format!(" xml:lang=\"{}\"", escape(lang)));
    }
    out.push_str(">\n");
    out.push_str(&format!("  <title>{}</title>\n", escape(&config.title)));
    if !config.description.is_empty() {
        out.push_str(&format!("  <subtitle>{}</subtitle>\n", escape(&config.description)));
    }
    out.push_str(&format!("  <id>{site}</id>\n"));
    out.push_str(&format!("  <link href=\"{site}\"/>\n"));
    out.push_str(&format!("  <link rel=\"self\" href=\"{site}feed.xml\"/>\n"));
    out.push_str(&format!("  <updated>{}</updated>\n", stamp(newest)));
    out.push_str(&format!("  <author><name>{}</name></author>\n", escape(&config.title)));
    for card in dated().take(FEED_CARDS) {
        let url = escape(&card.url);
        out.push_str("  <entry>\n");
        out.push_str(&format!("    <title>{}</title>\n", escape(&card.title)));
        out.push_str(&format!("    <id>{url}</id>\n"));
        out.push_str(&format!("    <link href=\"{url}\"/>\n"));
        if !card.png.is_empty() {
            out.push_str(&format!("    <link rel=\"enclosure\" type=\"image/png\" href=\"{}\"/>\n", escape(&card.png)));
        }
        out.push_str(&format!("    <updated>{}</updated>\n", stamp(&card.date)));
        for tag in &card.tags {
            out.push_str(&format!("    <category term=\"{}\"/>\n", escape(tag)));
        }
        out.push_str(&format!("    <summary>{}</summary>\n", escape(&card.alt)));
        out.push_str("  </entry>\n");
    }
    out.push_str("</feed>\n");
    out
}

/// The sitemap: the gallery's pages, then each card's page with its date.
pub fn sitemap<'a>(pages: impl Iterator<Item = String>, cards: impl Iterator<Item = (&'a str, &'a str)>) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    out.push_str("<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for page in pages {
        out.push_str(&format!("  <url><loc>{}</loc></url>\n", escape(&page)));
    }
    for (url, date) in cards {
        out.push_str(&format!("  <url><loc>{}</loc>", escape(url)));
        if !date.is_empty() {
            out.push_str(&format!("<lastmod>{date}</lastmod>"));
        }
        out.push_str("</url>\n");
    }
    out.push_str("</urlset>\n");
    out
}

/// `robots.txt`: everything may be read, and the sitemap is where it says
/// when `base_url` is absolute (a `Sitemap:` line must be a whole URL).
pub fn robots(config: &SiteConfig) -> String {
    let mut robots = String::from("User-agent: *\nAllow: /\n");
    if config.base_url.contains("://") {
        robots.push_str(&format!("Sitemap: {}sitemap.xml\n", config.base_url));
    }
    robots
}
