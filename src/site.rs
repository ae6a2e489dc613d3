//! The published site: card pages, the gallery and the theme assets, from
//! the theme's Tera templates.
//!
//! Every URL is built from `base_url`, so output/ can be copied to any static
//! host. Asset file names carry a hash of their content so they can be
//! cached forever. This module renders text; writing is the build's job.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::config::SiteConfig;
use crate::theme::{FontRole, Theme};

/// What the gallery and a card page know about one card.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
pub struct CardEntry {
    /// `orders/deb`.
    pub slug: String,
    /// The title, or the first words of the message.
    pub title: String,
    /// Whether `title` came from the front matter.
    pub has_title: bool,
    /// Absolute URL path of the card page.
    pub url: String,
    /// URL of the PNG card.
    pub png: String,
    /// URL of the SVG card.
    pub svg: String,
    /// URL of the print PDF, or empty when none is made.
    #[serde(default)]
    pub pdf: String,
    /// URL of the thumbnail.
    pub thumb: String,
    /// URL of the link-preview picture (1200 x 630), or empty.
    pub share: String,
    /// The first sentence of the message (a link preview's description).
    pub description: String,
    /// Thumbnail size in pixels.
    pub thumb_width: u32,
    /// Thumbnail height in pixels.
    pub thumb_height: u32,
    /// Card size in pixels.
    pub width: u32,
    /// Card height in pixels.
    pub height: u32,
    /// `2026-11-23`, or empty.
    pub date: String,
    /// `November 23, 2026`, or empty.
    pub date_display: String,
    /// Tags.
    pub tags: Vec<String>,
    /// Recipient.
    pub to: String,
    /// Sender.
    pub from: String,
    /// The signature line.
    pub signature: String,
    /// The message as plain text (alt text).
    pub alt: String,
    /// The message as HTML (escaped unless the site allows raw HTML).
    pub html: String,
    /// URL of the seal picture (an SVG file shared by the cards with the
    /// same seal), or empty.
    pub seal: String,
    /// The theme's name.
    pub theme: String,
    /// CSS custom properties that give the HTML card the PNG's proportions:
    /// text size, leading, title and signature scale and margins, as
    /// fractions of the card's width (`--text: 0.0452; ...`).
    pub style: String,
}

/// The hashed file name of an asset: `name.HASH.ext`.
pub fn hashed_name(name: &str, bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let hash: String = digest.iter().take(5).map(|b| format!("{b:02x}")).collect();
    match name.rsplit_once('.') {
        Some((stem, ext)) => format!("{stem}.{hash}.{ext}"),
        None => format!("{name}.{hash}"),
    }
}

/// A theme's files for output/assets/: the stylesheet (with `@font-face`
/// rules for the theme's fonts) and the fonts, as (path, bytes); and the
/// stylesheet's URL.
pub fn theme_assets(theme: &Theme, config: &SiteConfig) -> (Vec<(String, Vec<u8>)>, String) {
    let mut files = Vec::new();
    let mut css = String::new();
    let mut seen = Vec::new();
    for face in theme.faces.values() {
        if seen.contains(&face.file) {
            continue;
        }
        seen.push(face.file.clone());
        let base = face.file.rsplit('/').next().unwrap_or(&face.file);
        let path = format!("assets/fonts/{}", hashed_name(base, &face.data));
        css.push_str(&format!(
            "@font-face {{ font-family: '{}'; font-weight: {}; font-style: {}; font-display: swap; src: url(\"{}{}\") format(\"truetype\"); }}\n",
            face.family,
            face.weight,
            if face.italic { "italic" } else { "normal" },
            config.base_url,
            path
        ));
        files.push((path, face.data.to_vec()));
    }
    let p = &theme.spec.palette;
    css.push_str(&format!(
        ":root {{ --paper: {}; --paper-edge: {}; --ink: {}; --accent: {}; --border: {}; --seal: {}; }}\n",
        p.paper, p.paper_edge, p.ink, p.accent, p.border, p.seal
    ));
    css.push_str(&format!(
        ".body-face {{ {} }}\n.script-face {{ {} }}\n",
        theme.face(FontRole::Body).css(),
        theme.face(FontRole::Script).css()
    ));
    // The page parts themes share (`base.css`, inherited from chocolate),
    // then the theme's own stylesheet.
    if let Some(base) = theme.files.get("base.css") {
        css.push_str(&String::from_utf8_lossy(base));
        css.push('\n');
    }
    css.push_str(&theme.css);
    let name = hashed_name(&format!("{}.css", theme.name), css.as_bytes());
    let path = format!("assets/{name}");
    let url = format!("{}{}", config.base_url, path);
    files.push((path, css.into_bytes()));
    (files, url)
}

/// How a page is named and how a link to it unfurls (`page` in the
/// templates; see the theme's `partials/head.html`).
#[derive(Debug, Default, Serialize)]
pub struct PageHead {
    /// The `<title>`.
    pub title: String,
    /// The title of a link preview.
    pub og_title: String,
    /// One sentence about the page, or empty.
    pub description: String,
    /// The page's own URL.
    pub url: String,
    /// `article` or `website`.
    pub kind: &'static str,
    /// The URL of its preview picture (1200 x 630), or empty.
    pub image: String,
    /// What that picture shows.
    pub image_alt: String,
    /// Kept out of search engines (the 404 page).
    pub noindex: bool,
    /// The URL of the site's feed.
    pub feed: String,
}

/// A card a page links to, with the title to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CardLink {
    pub url: String,
    pub title: String,
}

/// A tag, with the URL of its first page and how many cards have it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TagLink {
    pub name: String,
    pub url: String,
    pub count: usize,
}

/// Renders the card page, with links to the cards `newer` and `older` than
/// it in the gallery.
pub fn card_page(
    theme: &Theme,
    config: &SiteConfig,
    card: &CardEntry,
    css_url: &str,
    newer: Option<&CardLink>,
    older: Option<&CardLink>,
) -> Result<String, tera::Error> {
    let page = PageHead {
        title: format!("{} · {}", card.title, config.title),
        og_title: card.title.clone(),
        description: card.description.clone(),
        url: card.url.clone(),
        kind: "article",
        image: card.share.clone(),
        image_alt: card.description.clone(),
        noindex: false,
        feed: feed_url(config),
    };
    let card_tags: Vec<TagLink> = card
        .tags
        .iter()
        .filter(|name| !tag_slug(name).is_empty())
        .map(|name| TagLink { name: name.clone(), url: tag_page_url(config, name, 1), count: 0 })
        .collect();
    let mut context = tera::Context::new();
    context.insert("site", config);
    context.insert("card", card);
    context.insert("card_tags", &card_tags);
    context.insert("css_url", css_url);
    context.insert("gallery_url", &config.base_url);
    context.insert("page", &page);
    context.insert("newer", &newer);
    context.insert("older", &older);
    theme.templates.render("card.html", &context)
}

/// A card as the gallery orders it; its entry is read only for the pages
/// that are made.
#[derive(Debug, Clone, Copy)]
pub struct GalleryCard<'a> {
    /// `orders/deb`.
    pub slug: &'a str,
    /// `2026-11-23`, or empty.
    pub date: &'a str,
    /// Its title.
    pub title: &'a str,
    /// Its tags.
    pub tags: &'a [String],
}

/// Why the gallery could not be made.
#[derive(Debug)]
pub enum GalleryError {
    /// The theme's `gallery.html` failed.
    Template(tera::Error),
    /// The theme's `404.html` failed.
    NotFound(tera::Error),
    /// A card's entry could not be read back.
    Entry(String),
}

/// The site's tags, by name (tags whose names make one URL are one tag,
/// named as the first card with it names it), with the cards of each in
/// the order given.
pub fn tags<'a, 'b>(cards: &'b [GalleryCard<'a>], config: &SiteConfig) -> Vec<(TagLink, Vec<GalleryCard<'a>>)> {
    let mut by_slug: std::collections::BTreeMap<String, (TagLink, Vec<GalleryCard<'a>>)> = Default::default();
    for card in cards {
        let mut seen = Vec::new();
        for name in card.tags {
            let slug = tag_slug(name);
            if slug.is_empty() || seen.contains(&slug) {
                continue;
            }
            seen.push(slug.clone());
            let (link, tagged) = by_slug.entry(slug).or_insert_with(|| {
                (TagLink { name: name.clone(), url: tag_page_url(config, name, 1), count: 0 }, Vec::new())
            });
            link.count += 1;
            tagged.push(*card);
        }
    }
    let mut tags: Vec<_> = by_slug.into_values().collect();
    tags.sort_by(|(a, _), (b, _)| a.name.to_lowercase().cmp(&b.name.to_lowercase()).then_with(|| a.name.cmp(&b.name)));
    tags
}

/// Renders the gallery of `cards` (newest first, as [`sort_newest_first`]
/// orders them), or of those with `tag`, a page at a time, and hands each
/// page to `write`; a page for which `unchanged(its file, its cards, its
/// place among the pages and the site's tags as JSON)` is true is left as
/// it is, and only the cards of the pages made are read, with `entry`.
/// Returns the number of pages.
#[allow(clippy::too_many_arguments)]
pub fn gallery(
    theme: &Theme,
    config: &SiteConfig,
    tag: Option<&TagLink>,
    cards: &[GalleryCard],
    all_tags: &[TagLink],
    css_url: &str,
    mut unchanged: impl FnMut(&str, &[GalleryCard], &str) -> bool,
    mut entry: impl FnMut(&GalleryCard) -> Result<CardEntry, String>,
    mut write: impl FnMut(&str, &str),
) -> Result<usize, GalleryError> {
    let per_page = if config.gallery.per_page == 0 { cards.len().max(1) } else { config.gallery.per_page };
    let pages = cards.len().div_ceil(per_page).max(1);
    let tag_name = tag.map(|t| t.name.as_str());
    let url = |page: usize| listing_page_url(config, tag_name, page);
    // One page at a time: only its cards become template values.
    for page in 1..=pages {
        let on_page = &cards[((page - 1) * per_page).min(cards.len())..(page * per_page).min(cards.len())];
        let pagination = Pagination {
            page,
            pages,
            total: cards.len(),
            previous: if page > 1 { url(page - 1) } else { String::new() },
            next: if page < pages { url(page + 1) } else { String::new() },
            first: url(1),
        };
        // When the page's cards and place are as the last build recorded (in
        // the build cache), the page is not made again.
        let file = listing_page_file(tag_name, page);
        let place = serde_json::to_string(&(&pagination, tag, all_tags)).expect("plain data");
        if unchanged(&file, on_page, &place) {
            continue;
        }
        let entries = on_page.iter().map(&mut entry).collect::<Result<Vec<_>, _>>().map_err(GalleryError::Entry)?;
        // A link to the gallery unfurls as its newest card (the first on the page).
        let newest = entries.first();
        let head = PageHead {
            title: match tag {
                Some(tag) => format!("{} · {}", tag.name, config.title),
                None if page > 1 => format!("{} · page {page}", config.title),
                None => config.title.clone(),
            },
            og_title: match tag {
                Some(tag) => format!("{}: {}", config.title, tag.name),
                None => config.title.clone(),
            },
            description: config.description.clone(),
            url: url(page),
            kind: "website",
            image: newest.map(|c| c.share.clone()).unwrap_or_default(),
            image_alt: newest.map(|c| c.description.clone()).unwrap_or_default(),
            noindex: false,
            feed: feed_url(config),
        };
        let mut context = tera::Context::new();
        context.insert("site", config);
        context.insert("cards", &entries);
        context.insert("css_url", css_url);
        context.insert("pagination", &pagination);
        context.insert("page", &head);
        context.insert("tag", &tag);
        context.insert("tags", all_tags);
        let html = theme.templates.render("gallery.html", &context).map_err(GalleryError::Template)?;
        write(&file, &html);
    }
    Ok(pages)
}

/// The page a static host shows for a missing URL (`404.html`).
pub fn not_found_page(theme: &Theme, config: &SiteConfig, css_url: &str) -> Result<String, tera::Error> {
    let page = PageHead {
        title: format!("Not found · {}", config.title),
        og_title: config.title.clone(),
        url: format!("{}404.html", config.base_url),
        kind: "website",
        noindex: true,
        feed: feed_url(config),
        ..PageHead::default()
    };
    let mut context = tera::Context::new();
    context.insert("site", config);
    context.insert("css_url", css_url);
    context.insert("gallery_url", &config.base_url);
    context.insert("page", &page);
    theme.templates.render("404.html", &context)
}

/// The URL of the site's Atom feed.
pub fn feed_url(config: &SiteConfig) -> String {
    format!("{}feed.xml", config.base_url)
}

/// The URL of gallery page `page` (1: the site's front page).
pub fn gallery_page_url(config: &SiteConfig, page: usize) -> String {
    listing_page_url(config, None, page)
}

/// The URL of page `page` of the cards with tag `name`.
pub fn tag_page_url(config: &SiteConfig, name: &str, page: usize) -> String {
    listing_page_url(config, Some(name), page)
}

/// The URL of the page of card `slug`.
pub fn card_url(config: &SiteConfig, slug: &str) -> String {
    format!("{}cards/{slug}/", config.base_url)
}

/// The file of gallery page `page` (1: the site's front page).
pub fn gallery_page_file(page: usize) -> String {
    listing_page_file(None, page)
}

/// The URL of page `page` of the gallery, or of the cards with `tag`.
fn listing_page_url(config: &SiteConfig, tag: Option<&str>, page: usize) -> String {
    format!("{}{}", config.base_url, listing_page_file(tag, page).trim_end_matches("index.html"))
}

/// The file of page `page` of the gallery, or of the cards with `tag`:
/// `index.html`, `page/2/index.html`, `tags/thank-you/page/2/index.html`.
pub fn listing_page_file(tag: Option<&str>, page: usize) -> String {
    let dir = tag.map(|name| format!("tags/{}/", tag_slug(name))).unwrap_or_default();
    match page {
        1 => format!("{dir}index.html"),
        n => format!("{dir}page/{n}/index.html"),
    }
}

/// A tag's name as a URL path segment: lower case, its letters and digits
/// kept (in any script), anything else between them a single `-`.
/// `Thank You!` -> `thank-you`. Empty when the name has no letter or digit.
pub fn tag_slug(name: &str) -> String {
    let mut slug = String::new();
    let mut gap = false;
    for ch in name.chars() {
        if ch.is_alphanumeric() {
            if gap && !slug.is_empty() {
                slug.push('-');
            }
            gap = false;
            slug.extend(ch.to_lowercase());
        } else {
            gap = true;
        }
    }
    slug
}

/// Where a gallery page stands among the others.
#[derive(Serialize)]
struct Pagination {
    /// This page, from 1.
    page: usize,
    /// How many pages.
    pages: usize,
    /// Cards on all pages.
    total: usize,
    /// URL of the page before, or empty.
    previous: String,
    /// URL of the page after, or empty.
    next: String,
    /// URL of the first page.
    first: String,
}

/// Newest first; undated cards after dated ones; then by title and slug.
pub fn sort_newest_first(cards: &mut [GalleryCard]) {
    cards.sort_by(|a, b| {
        let undated = |c: &GalleryCard| c.date.is_empty();
        undated(a)
            .cmp(&undated(b))
            .then_with(|| b.date.cmp(a.date))
            .then_with(|| a.title.cmp(b.title))
            .then_with(|| a.slug.cmp(b.slug))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_names_change_with_content() {
        let a = hashed_name("style.css", b"a");
        assert!(a.starts_with("style.") && a.ends_with(".css"));
        assert_ne!(a, hashed_name("style.css", b"b"));
    }

    #[test]
    fn tag_slugs_keep_letters_and_digits_of_any_script() {
        assert_eq!(tag_slug("Thank You!"), "thank-you");
        assert_eq!(tag_slug("  thank--you "), "thank-you");
        assert_eq!(tag_slug("Ärger 2026"), "ärger-2026");
        assert_eq!(tag_slug("お礼"), "お礼");
        assert_eq!(tag_slug("../"), "");
    }

    #[test]
    fn tags_that_make_one_url_are_one_tag() {
        let config = SiteConfig { base_url: "/shop/".into(), ..SiteConfig::default() };
        let (a, b) =
            (vec!["Thank you".to_string(), "thank-you".to_string()], vec!["thank-you".to_string(), "new".into()]);
        let cards = [
            GalleryCard { slug: "a", date: "", title: "A", tags: &a },
            GalleryCard { slug: "b", date: "", title: "B", tags: &b },
        ];
        let tags = tags(&cards, &config);
        let names: Vec<(&str, &str, usize)> =
            tags.iter().map(|(t, _)| (t.name.as_str(), t.url.as_str(), t.count)).collect();
        assert_eq!(names, [("new", "/shop/tags/new/", 1), ("Thank you", "/shop/tags/thank-you/", 2)]);
        assert_eq!(tags[1].1.iter().map(|c| c.slug).collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(tag_page_url(&config, "Thank you", 2), "/shop/tags/thank-you/page/2/");
        assert_eq!(gallery_page_url(&config, 1), "/shop/");
    }
}
