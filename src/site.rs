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
    css.push_str(&theme.css);
    let name = hashed_name(&format!("{}.css", theme.name), css.as_bytes());
    let path = format!("assets/{name}");
    let url = format!("{}{}", config.base_url, path);
    files.push((path, css.into_bytes()));
    (files, url)
}

/// Renders the card page.
pub fn card_page(theme: &Theme, config: &SiteConfig, card: &CardEntry, css_url: &str) -> Result<String, tera::Error> {
    let mut context = tera::Context::new();
    context.insert("site", config);
    context.insert("card", card);
    context.insert("css_url", css_url);
    context.insert("gallery_url", &config.base_url);
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

/// Renders the gallery of `cards` (newest first, as [`sort_newest_first`]
/// orders them), a page at a time, and hands each
/// page to `write`; a page for which `unchanged(page, its cards, its place
/// among the pages as JSON)` is true is left as it is, and only the cards of
/// the pages made are read, with `entry`. Returns the number of pages.
pub fn gallery(
    theme: &Theme,
    config: &SiteConfig,
    cards: &[GalleryCard],
    css_url: &str,
    mut unchanged: impl FnMut(usize, &[GalleryCard], &str) -> bool,
    mut entry: impl FnMut(&GalleryCard) -> Result<CardEntry, String>,
    mut write: impl FnMut(&str, &str),
) -> Result<usize, GalleryError> {
    let per_page = if config.gallery.per_page == 0 { cards.len().max(1) } else { config.gallery.per_page };
    let pages = cards.len().div_ceil(per_page).max(1);
    let url = |page: usize| gallery_page_url(config, page);
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
        let place = serde_json::to_string(&pagination).expect("plain data");
        if unchanged(page, on_page, &place) {
            continue;
        }
        let entries = on_page.iter().map(&mut entry).collect::<Result<Vec<_>, _>>().map_err(GalleryError::Entry)?;
        let mut context = tera::Context::new();
        context.insert("site", config);
        context.insert("cards", &entries);
        context.insert("css_url", css_url);
        context.insert("pagination", &pagination);
        let html = theme.templates.render("gallery.html", &context).map_err(GalleryError::Template)?;
        write(&gallery_page_file(page), &html);
    }
    Ok(pages)
}

/// The page a static host shows for a missing URL (`404.html`).
pub fn not_found_page(theme: &Theme, config: &SiteConfig, css_url: &str) -> Result<String, tera::Error> {
    let mut context = tera::Context::new();
    context.insert("site", config);
    context.insert("css_url", css_url);
    context.insert("gallery_url", &config.base_url);
    theme.templates.render("404.html", &context)
}

/// The URL of gallery page `page` (1: the site's front page).
pub fn gallery_page_url(config: &SiteConfig, page: usize) -> String {
    match page {
        1 => config.base_url.clone(),
        n => format!("{}page/{n}/", config.base_url),
    }
}

/// The URL of the page of card `slug`.
pub fn card_url(config: &SiteConfig, slug: &str) -> String {
    format!("{}cards/{slug}/", config.base_url)
}

/// The file of gallery page `page` (1: the site's front page).
pub fn gallery_page_file(page: usize) -> String {
    match page {
        1 => "index.html".to_string(),
        n => format!("page/{n}/index.html"),
    }
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
}
