//! The published site: card pages, the gallery and the theme assets, from
//! the theme's Tera templates.
//!
//! Every URL is built from `base_url`, so output/ can be copied to any static
//! host. Asset file names carry a hash of their content so they can be
//! cached forever. This module renders text; writing is the build's job.

use std::rc::Rc;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::config::SiteConfig;
use crate::theme::{FontRole, Theme};

mod chars;
mod fallback;
mod stylesheet;
mod webfont;

pub use chars::{entry_chars, theme_chars};
pub use stylesheet::{stylesheet, web_font_path, FontFile, PageAssets, Stylesheet};
pub use webfont::{make as make_web_font, plan as plan_fonts, FontPlan, StandIn, WebFace, WebFont};

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
    /// URL of the thumbnail (a PNG).
    pub thumb: String,
    /// The card's pictures for the pages (WebP), each URL with its width
    /// (`/cards/a/card-1x.webp 360w, /cards/a/card-2x.webp 720w, ...`), for
    /// an `<img>`'s `srcset`; empty when none is made.
    #[serde(default)]
    pub srcset: String,
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
    /// The sign-off words where the card sets them on a line of their own
    /// above the name (`with love,`), else empty.
    #[serde(default)]
    pub signoff: String,
    /// The name line of the signature as the card sets it (`Beverly`; the
    /// whole signature where the card sets it on one line), or empty.
    #[serde(default)]
    pub signature_name: String,
    /// A scanned signature drawn in place of the name, as the card draws it.
    #[serde(default)]
    pub signature_image: Option<PageImage>,
    /// The shop's logo, where the card has it.
    #[serde(default)]
    pub logo: Option<PageImage>,
    /// The card's QR code as a link, when it leads anywhere but this page.
    #[serde(default)]
    pub qr_link: Option<QrLink>,
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
    /// The slug of the merged message the card was made from (one of its
    /// rows), or empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub group: String,
    /// How it is listed in the gallery.
    #[serde(default, skip_serializing_if = "Listing::is_card")]
    pub listing: Listing,
}

/// A picture on a card page, from its web copies (`assets/pictures/`).
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
pub struct PageImage {
    /// The URL of its largest copy.
    pub src: String,
    /// Its copies with their widths (`a-640.png 640w, a-1280.png 1280w`), or empty.
    pub srcset: String,
    /// How wide it is shown, for the `srcset` (`(max-width: 44rem) 30vw, 13rem`).
    pub sizes: String,
    /// The width of its largest copy, in pixels.
    pub width: u32,
    /// Its height, in pixels.
    pub height: u32,
    /// Its alt text.
    pub alt: String,
    /// Where the card has it and how wide, as CSS in lengths relative to
    /// the card's width (`left: 25cqw; top: 7.2cqw; width: 50cqw;`).
    pub style: String,
}

/// A card's QR code as a link on its page: where it leads, and its words.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
pub struct QrLink {
    /// Its URL.
    pub href: String,
    /// The words of the link: the code's label without "Scan to", or the URL.
    pub text: String,
}

/// How a card is listed in the gallery, on its tag pages and in the feed
/// (every card has its page either way, and is in the sitemap).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Listing {
    /// On its own.
    #[default]
    Card,
    /// With the other cards of its merged message, as one entry that leads
    /// to their page.
    Group,
    /// Not at all.
    Hidden,
}

impl Listing {
    /// Whether it is the default, [`Listing::Card`].
    pub fn is_card(&self) -> bool {
        *self == Listing::Card
    }
}

/// The favicon every page links: the site theme's seal on nothing, 64
/// pixels square (a 32-pixel tab at 2x; see `card::icons`).
pub const FAVICON: &str = "favicon.png";

/// The home-screen icon: the seal on the theme's paper, 180 pixels square.
pub const TOUCH_ICON: &str = "apple-touch-icon.png";

/// The hashed file name of an asset: `name.HASH.ext`.
pub fn hashed_name(name: &str, bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let hash: String = digest.iter().take(5).map(|b| format!("{b:02x}")).collect();
    match name.rsplit_once('.') {
        Some((stem, ext)) => format!("{stem}.{hash}.{ext}"),
        None => format!("{name}.{hash}"),
    }
}

/// Where the whole font file of `face` goes in the output folder (its
/// name hashed): the file a card's email links (see [`email_fonts`]).
fn font_path(face: &crate::theme::Face) -> String {
    let base = face.file.rsplit('/').next().unwrap_or(&face.file);
    format!("assets/fonts/{}", hashed_name(base, &face.data))
}

/// The URL of the whole font file of `face` in the published site, which a
/// card's email links.
pub fn font_url(config: &SiteConfig, face: &crate::theme::Face) -> String {
    format!("{}{}", config.base_url, font_path(face))
}

/// The whole font files a theme's emails link (see [`font_url`]), as
/// (path, bytes): an email sent stays as it was, so the fonts it names do
/// not change with the site's pages.
pub fn email_fonts(theme: &Theme) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for face in theme.faces.values() {
        let path = font_path(face);
        if !files.iter().any(|(p, _)| *p == path) {
            files.push((path, face.data.to_vec()));
        }
    }
    files
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
    /// The URL of the site's favicon (its theme's seal).
    pub icon: String,
    /// The URL of its home-screen icon.
    pub touch_icon: String,
    /// The URLs of the WOFF2 fonts its first screen sets text in, to be
    /// fetched at once (see [`PageAssets::preload`]); the body face's first.
    pub fonts: Vec<String>,
    /// The first of `fonts` (the body face's), or empty: what a theme's
    /// own head template may still name.
    pub font: String,
}

impl PageHead {
    /// A page's head in `config`'s site: its feed, icons and the fonts its
    /// first screen shows (the body face and those of `roles`) filled in.
    fn of_site(config: &SiteConfig, assets: &PageAssets, roles: &[FontRole]) -> PageHead {
        let fonts = assets.preload(roles);
        PageHead {
            feed: feed_url(config),
            icon: format!("{}{}", config.base_url, FAVICON),
            touch_icon: format!("{}{}", config.base_url, TOUCH_ICON),
            font: fonts.first().cloned().unwrap_or_default(),
            fonts,
            ..PageHead::default()
        }
    }
}

/// The faces beyond the body's that the first screen of `card`'s page sets
/// text in: its title's, the italic of its emphasis and sign-off and the
/// bold of its strong words, where it has them.
fn card_faces(card: &CardEntry, assets: &PageAssets) -> Vec<FontRole> {
    let mut roles = vec![assets.title];
    if card.html.contains("<em>") || card.html.contains("<blockquote>") || !card.signoff.is_empty() {
        roles.push(FontRole::Italic);
    }
    if card.html.contains("<strong>") {
        roles.push(FontRole::Bold);
    }
    roles
}

/// A card a page links to, with the title to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CardLink {
    /// Its page's URL.
    pub url: String,
    /// Its title.
    pub title: String,
}

/// A tag, with the URL of its first page and how many cards have it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TagLink {
    /// The tag as written.
    pub name: String,
    /// Its first page's URL.
    pub url: String,
    /// How many items have it.
    pub count: usize,
}

/// The cards of a merged message listed as one: its slug (`name`), the URL
/// of the page of its cards, the title of its first card and how many.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupLink {
    /// The merged message's slug.
    pub name: String,
    /// The URL of the page of its cards.
    pub url: String,
    /// Its first card's title.
    pub title: String,
    /// How many cards it has.
    pub count: usize,
}

/// Renders the card page, with links to the cards `newer` and `older` than
/// it in the gallery (or among the cards of its `group`).
#[allow(clippy::too_many_arguments)]
pub fn card_page(
    theme: &Theme,
    config: &SiteConfig,
    card: &CardEntry,
    assets: &PageAssets,
    newer: Option<&CardLink>,
    older: Option<&CardLink>,
    group: Option<&GroupLink>,
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
        ..PageHead::of_site(config, assets, &card_faces(card, assets))
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
    context.insert("css_url", &assets.css_url);
    context.insert("gallery_url", &config.base_url);
    context.insert("page", &page);
    context.insert("newer", &newer);
    context.insert("older", &older);
    context.insert("group", &group);
    crate::template::render(&theme.templates, "card.html", &context)
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
    /// The slug of its merged message, or empty.
    pub group: &'a str,
    /// How it is listed.
    pub listing: Listing,
}

/// One entry of a listing (the gallery, a tag's or a group's pages): a
/// card, or the cards of a merged message, which its first card stands for.
#[derive(Debug, Clone, Copy)]
pub struct ListItem<'a> {
    /// The card, or the group's first card.
    pub card: GalleryCard<'a>,
    /// How many cards the group has; 0 for a card on its own.
    pub cards: usize,
}

/// The listing of `cards` (in their order): a card listed on its own as it
/// is, the cards of a group as one item in its first card's place, and the
/// hidden cards left out.
pub fn listing<'a>(cards: &[GalleryCard<'a>]) -> Vec<ListItem<'a>> {
    let mut counts: std::collections::HashMap<&str, usize> = Default::default();
    for card in cards.iter().filter(|c| c.listing == Listing::Group) {
        *counts.entry(card.group).or_default() += 1;
    }
    let mut items = Vec::new();
    for card in cards {
        match card.listing {
            Listing::Card => items.push(ListItem { card: *card, cards: 0 }),
            Listing::Group => {
                // The count is taken when its first card is met: the group is listed once.
                if let Some(count) = counts.remove(card.group) {
                    items.push(ListItem { card: *card, cards: count });
                }
            }
            Listing::Hidden => {}
        }
    }
    items
}

/// The groups of `cards` (the merged messages listed as groups), by slug,
/// each with its cards in the order given.
pub fn groups<'a>(cards: &[GalleryCard<'a>], config: &SiteConfig) -> Vec<(GroupLink, Vec<GalleryCard<'a>>)> {
    let mut groups: std::collections::BTreeMap<&str, Vec<GalleryCard<'a>>> = Default::default();
    for card in cards.iter().filter(|c| c.listing == Listing::Group) {
        groups.entry(card.group).or_default().push(*card);
    }
    groups
        .into_iter()
        .map(|(name, cards)| {
            let link = GroupLink {
                name: name.to_string(),
                url: group_page_url(config, name, 1),
                title: cards[0].title.to_string(),
                count: cards.len(),
            };
            (link, cards)
        })
        .collect()
}

/// What a listing's item shows: its card's entry, or for a group its first
/// card's with the group's URL, and how many cards it stands for.
#[derive(Debug, Serialize)]
pub struct ListEntry {
    /// The card's entry (a group's: its first card's, with the group's URL).
    #[serde(flatten)]
    pub card: CardEntry,
    /// How many cards the group has; 0 for a card on its own.
    pub cards: usize,
}

/// The entry of `item`, given its card's `entry`.
pub fn list_entry(config: &SiteConfig, item: &ListItem, entry: CardEntry) -> ListEntry {
    let mut card = entry;
    if item.cards > 0 {
        card.url = group_page_url(config, &card.group, 1);
    }
    ListEntry { card, cards: item.cards }
}

/// A card's page with the cards beside it, as its page links them.
#[derive(Debug, Clone)]
pub struct Beside<'a> {
    /// The card.
    pub card: GalleryCard<'a>,
    /// The item before it: in the gallery, or among its group's cards.
    pub newer: Option<CardLink>,
    /// The item after it.
    pub older: Option<CardLink>,
    /// Its group, when it is listed in one.
    pub group: Option<GroupLink>,
}

/// Every card of `newest` (the gallery's order) with the cards beside it: a
/// card listed on its own among the gallery's items (a group there is
/// linked as its page), a grouped card among its group's cards, and a
/// hidden card alone. One at a time: the links of a site's every card are
/// never all held (a merged message may have many thousand).
pub fn neighbours<'a>(config: &'a SiteConfig, newest: &'a [GalleryCard<'a>]) -> impl Iterator<Item = Beside<'a>> + 'a {
    let link = move |item: &ListItem| match item.cards {
        0 => CardLink { url: card_url(config, item.card.slug), title: item.card.title.to_string() },
        n => CardLink {
            url: group_page_url(config, item.card.group, 1),
            title: format!("{} ({n} cards)", item.card.title),
        },
    };
    let items = Rc::new(listing(newest));
    let alone = (0..items.len()).filter({
        let items = items.clone();
        move |&i| items[i].cards == 0
    });
    let alone = alone.map(move |i| {
        let newer = i.checked_sub(1).map(|j| link(&items[j]));
        let older = items.get(i + 1).map(link);
        Beside { card: items[i].card, newer, older, group: None }
    });
    let grouped = groups(newest, config).into_iter().flat_map(move |(group, cards)| {
        let as_item = move |card: &GalleryCard<'a>| link(&ListItem { card: *card, cards: 0 });
        (0..cards.len()).map(move |i| {
            let newer = i.checked_sub(1).map(|j| as_item(&cards[j]));
            let older = cards.get(i + 1).map(as_item);
            Beside { card: cards[i], newer, older, group: Some(group.clone()) }
        })
    });
    let hidden = newest.iter().filter(|c| c.listing == Listing::Hidden);
    alone.chain(grouped).chain(hidden.map(|card| Beside { card: *card, newer: None, older: None, group: None }))
}

/// What a listing lists: the whole gallery, the cards with a tag, or the
/// cards of a merged message.
#[derive(Debug, Clone, Copy)]
pub enum Listed<'a> {
    /// The gallery.
    All,
    /// A tag's pages.
    Tag(&'a TagLink),
    /// A group's pages.
    Group(&'a GroupLink),
}

impl<'a> Listed<'a> {
    /// Its tag, or its group.
    fn parts(self) -> (Option<&'a TagLink>, Option<&'a GroupLink>) {
        match self {
            Listed::All => (None, None),
            Listed::Tag(tag) => (Some(tag), None),
            Listed::Group(group) => (None, Some(group)),
        }
    }

    /// The folder of its pages: ``, `tags/SLUG/`, `merged/SLUG/`.
    fn dir(&self) -> String {
        match self {
            Listed::All => String::new(),
            Listed::Tag(tag) => format!("tags/{}/", tag_slug(&tag.name)),
            Listed::Group(group) => group_dir(&group.name),
        }
    }

    /// The file of its page `page`: `index.html`, `page/2/index.html`,
    /// `tags/thank-you/page/2/index.html`, `merged/thanks/index.html`.
    pub fn page_file(&self, page: usize) -> String {
        page_file_in(&self.dir(), page)
    }

    /// The URL of its page `page`.
    pub fn page_url(&self, config: &SiteConfig, page: usize) -> String {
        format!("{}{}", config.base_url, self.page_file(page).trim_end_matches("index.html"))
    }
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
/// named as the first card with it names it), each with the listing of its
/// cards in the order given (see [`listing`]) and how many items that is.
pub fn tags<'a, 'b>(cards: &'b [GalleryCard<'a>], config: &SiteConfig) -> Vec<(TagLink, Vec<ListItem<'a>>)> {
    let mut by_slug: std::collections::BTreeMap<String, (TagLink, Vec<GalleryCard<'a>>)> = Default::default();
    for card in cards.iter().filter(|c| c.listing != Listing::Hidden) {
        let mut seen = Vec::new();
        for name in card.tags {
            let slug = tag_slug(name);
            if slug.is_empty() || seen.contains(&slug) {
                continue;
            }
            seen.push(slug.clone());
            let (_, tagged) = by_slug.entry(slug).or_insert_with(|| {
                (TagLink { name: name.clone(), url: tag_page_url(config, name, 1), count: 0 }, Vec::new())
            });
            tagged.push(*card);
        }
    }
    let mut tags: Vec<(TagLink, Vec<ListItem<'a>>)> = by_slug
        .into_values()
        .map(|(mut link, cards)| {
            let items = listing(&cards);
            link.count = items.len();
            (link, items)
        })
        .collect();
    tags.sort_by(|(a, _), (b, _)| a.name.to_lowercase().cmp(&b.name.to_lowercase()).then_with(|| a.name.cmp(&b.name)));
    tags
}

/// How many tags every page of the gallery names, at most: the most used.
/// Naming all of a site's tags on each of its pages, of which each tag has
/// one, would grow the pages with the square of the tags; a card's page
/// links every tag of its own.
pub const LISTED_TAGS: usize = 50;

/// The tags every page of the gallery names: the [`LISTED_TAGS`] with the
/// most items (of two with as many, the first), in the order of `tags`.
pub fn listed_tags(tags: &[(TagLink, Vec<ListItem>)]) -> Vec<TagLink> {
    let mut most: Vec<usize> = (0..tags.len()).collect();
    most.sort_by_key(|&i| (std::cmp::Reverse(tags[i].0.count), i));
    most.truncate(LISTED_TAGS);
    most.sort_unstable();
    most.into_iter().map(|i| tags[i].0.clone()).collect()
}

/// One page of a listing (the gallery, a tag's or a group's), before it is made.
pub struct ListPage<'a> {
    /// Its file in the output folder.
    pub file: String,
    /// Its items.
    pub items: &'a [ListItem<'a>],
    /// Where it stands among the pages, and the site's tags, as JSON: with
    /// its items, what the page is made from.
    pub place: String,
    listed: Listed<'a>,
    pagination: Pagination,
}

/// The pages of `listed` listing `items` (newest first, see [`listing`]),
/// `gallery.per_page` items a page.
pub fn list_pages<'a>(
    config: &SiteConfig,
    listed: Listed<'a>,
    items: &'a [ListItem<'a>],
    all_tags: &[TagLink],
) -> Vec<ListPage<'a>> {
    let per_page = if config.gallery.per_page == 0 { items.len().max(1) } else { config.gallery.per_page };
    let pages = items.len().div_ceil(per_page).max(1);
    let url = |page: usize| listed.page_url(config, page);
    (1..=pages)
        .map(|page| {
            let on_page = &items[((page - 1) * per_page).min(items.len())..(page * per_page).min(items.len())];
            let pagination = Pagination {
                page,
                pages,
                total: items.len(),
                previous: if page > 1 { url(page - 1) } else { String::new() },
                next: if page < pages { url(page + 1) } else { String::new() },
                first: url(1),
            };
            let (tag, group) = listed.parts();
            let place = serde_json::to_string(&(&pagination, tag, group, all_tags)).expect("plain data");
            ListPage { file: listed.page_file(page), items: on_page, place, listed, pagination }
        })
        .collect()
}

impl ListPage<'_> {
    /// The page's URL.
    pub fn url(&self, config: &SiteConfig) -> String {
        self.listed.page_url(config, self.pagination.page)
    }

    /// The page's `<title>`: what it lists, its page after the first, the site.
    fn title(&self, config: &SiteConfig) -> String {
        let page = self.pagination.page;
        let listed = match self.listed.parts() {
            (Some(tag), _) => Some(tag.name.as_str()),
            (_, Some(group)) => Some(group.name.as_str()),
            _ => None,
        };
        match (listed, page) {
            (Some(name), 1) => format!("{name} · {}", config.title),
            (Some(name), _) => format!("{name} · page {page} · {}", config.title),
            (None, 1) => config.title.clone(),
            (None, _) => format!("{} · page {page}", config.title),
        }
    }

    /// One sentence about the page for search results and link previews:
    /// what it lists (the site's description on the gallery, else how many
    /// cards), and which page of how many after the first.
    fn description(&self, config: &SiteConfig) -> String {
        let Pagination { page, pages, total, .. } = self.pagination;
        let cards = |n: usize| if n == 1 { "1 card".to_string() } else { format!("{n} cards") };
        let what = match self.listed.parts() {
            (Some(tag), _) => format!("{} tagged \u{201c}{}\u{201d} from {}.", cards(total), tag.name, config.title),
            (_, Some(group)) => format!("{} of \u{201c}{}\u{201d} from {}.", cards(total), group.name, config.title),
            _ if !config.description.trim().is_empty() => {
                let text = config.description.trim();
                let end = if text.ends_with(['.', '!', '?']) { "" } else { "." };
                format!("{text}{end}")
            }
            _ => format!("{} from {}, newest first.", cards(total), config.title),
        };
        match page {
            1 => what,
            _ => format!("{what} Page {page} of {pages}."),
        }
    }

    /// The page's HTML in `theme`, `entries` being its items' (see [`list_entry`]).
    pub fn html(
        &self,
        theme: &Theme,
        config: &SiteConfig,
        entries: &[ListEntry],
        all_tags: &[TagLink],
        assets: &PageAssets,
    ) -> Result<String, tera::Error> {
        let (tag, group) = self.listed.parts();
        // A link to the gallery unfurls as its newest card (the first on the page).
        let newest = entries.first().map(|e| &e.card);
        let head = PageHead {
            title: self.title(config),
            og_title: match (tag, group) {
                (Some(tag), _) => format!("{}: {}", config.title, tag.name),
                (_, Some(group)) => format!("{}: {}", config.title, group.name),
                _ => config.title.clone(),
            },
            description: self.description(config),
            url: self.url(config),
            kind: "website",
            image: newest.map(|c| c.share.clone()).unwrap_or_default(),
            image_alt: newest.map(|c| c.description.clone()).unwrap_or_default(),
            noindex: false,
            // The site's name in the title's face, the cards' titles in bold.
            ..PageHead::of_site(config, assets, &[assets.title, FontRole::Bold])
        };
        let mut context = tera::Context::new();
        context.insert("site", config);
        context.insert("cards", entries);
        context.insert("css_url", &assets.css_url);
        context.insert("pagination", &self.pagination);
        context.insert("page", &head);
        context.insert("tag", &tag);
        context.insert("group", &group);
        context.insert("tags", all_tags);
        crate::template::render(&theme.templates, "gallery.html", &context)
    }
}

/// The page a static host shows for a missing URL (`404.html`).
pub fn not_found_page(theme: &Theme, config: &SiteConfig, assets: &PageAssets) -> Result<String, tera::Error> {
    let page = PageHead {
        title: format!("Not found · {}", config.title),
        og_title: config.title.clone(),
        url: format!("{}404.html", config.base_url),
        kind: "website",
        noindex: true,
        ..PageHead::of_site(config, assets, &[assets.title])
    };
    let mut context = tera::Context::new();
    context.insert("site", config);
    context.insert("css_url", &assets.css_url);
    context.insert("gallery_url", &config.base_url);
    context.insert("page", &page);
    crate::template::render(&theme.templates, "404.html", &context)
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

/// The URL of page `page` of the cards of merged message `name` (its slug).
pub fn group_page_url(config: &SiteConfig, name: &str, page: usize) -> String {
    format!("{}{}", config.base_url, page_file_in(&group_dir(name), page).trim_end_matches("index.html"))
}

/// The folder of the pages of the cards of merged message `name`.
fn group_dir(name: &str) -> String {
    format!("merged/{name}/")
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
    page_file_in(&tag.map(|name| format!("tags/{}/", tag_slug(name))).unwrap_or_default(), page)
}

/// The file of page `page` of a listing whose pages are in `dir`.
fn page_file_in(dir: &str, page: usize) -> String {
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
    fn a_group_is_listed_once_in_its_first_cards_place_and_hidden_cards_not_at_all() {
        let config = SiteConfig::default();
        let card = |slug, group, listing| GalleryCard { slug, date: "", title: slug, tags: &[], group, listing };
        let cards = [
            card("a", "", Listing::Card),
            card("m/1", "m", Listing::Group),
            card("b", "", Listing::Card),
            card("m/2", "m", Listing::Group),
            card("secret", "", Listing::Hidden),
            card("m/3", "m", Listing::Group),
            card("c", "", Listing::Card),
        ];
        let items: Vec<(&str, usize)> = listing(&cards).iter().map(|i| (i.card.slug, i.cards)).collect();
        assert_eq!(items, [("a", 0), ("m/1", 3), ("b", 0), ("c", 0)]);
        let groups = groups(&cards, &config);
        assert_eq!(groups.len(), 1);
        assert_eq!((groups[0].0.url.as_str(), groups[0].0.count, groups[0].1.len()), ("/merged/m/", 3, 3));
        let beside: Vec<(&str, Option<String>, Option<String>, bool)> = neighbours(&config, &cards)
            .map(|b| (b.card.slug, b.newer.map(|l| l.url), b.older.map(|l| l.url), b.group.is_some()))
            .collect();
        let url = |s: &str| Some(s.to_string());
        assert_eq!(
            beside,
            [
                ("a", None, url("/merged/m/"), false),
                ("b", url("/merged/m/"), url("/cards/c/"), false),
                ("c", url("/cards/b/"), None, false),
                ("m/1", None, url("/cards/m/2/"), true),
                ("m/2", url("/cards/m/1/"), url("/cards/m/3/"), true),
                ("m/3", url("/cards/m/2/"), None, true),
                ("secret", None, None, false),
            ]
        );
        assert_eq!(Listed::Group(&groups[0].0).page_file(2), "merged/m/page/2/index.html");
        assert_eq!(group_page_url(&config, "m", 2), "/merged/m/page/2/");
    }

    #[test]
    fn the_pages_name_the_most_used_tags_by_name() {
        let config = SiteConfig::default();
        let link =
            |name: &str, count| (TagLink { name: name.into(), url: tag_page_url(&config, name, 1), count }, vec![]);
        let mut tags: Vec<(TagLink, Vec<ListItem>)> = (0..LISTED_TAGS).map(|i| link(&format!("t{i:02}"), 1)).collect();
        tags.insert(0, link("a", 1));
        tags.push(link("z", 2));
        let names: Vec<String> = listed_tags(&tags).into_iter().map(|t| t.name).collect();
        assert_eq!(names.len(), LISTED_TAGS);
        assert_eq!((names[0].as_str(), names[LISTED_TAGS - 1].as_str()), ("a", "z"), "the last of the once-used goes");
        assert!(!names.contains(&"t49".to_string()));
    }

    #[test]
    fn tags_that_make_one_url_are_one_tag() {
        let config = SiteConfig { base_url: "/shop/".into(), ..SiteConfig::default() };
        let (a, b) =
            (vec!["Thank you".to_string(), "thank-you".to_string()], vec!["thank-you".to_string(), "new".into()]);
        let cards = [
            GalleryCard { slug: "a", date: "", title: "A", tags: &a, group: "", listing: Listing::Card },
            GalleryCard { slug: "b", date: "", title: "B", tags: &b, group: "", listing: Listing::Card },
        ];
        let tags = tags(&cards, &config);
        let names: Vec<(&str, &str, usize)> =
            tags.iter().map(|(t, _)| (t.name.as_str(), t.url.as_str(), t.count)).collect();
        assert_eq!(names, [("new", "/shop/tags/new/", 1), ("Thank you", "/shop/tags/thank-you/", 2)]);
        assert_eq!(tags[1].1.iter().map(|item| item.card.slug).collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(tag_page_url(&config, "Thank you", 2), "/shop/tags/thank-you/page/2/");
        assert_eq!(gallery_page_url(&config, 1), "/shop/");
    }
}
