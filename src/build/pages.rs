//! Making the pages: each card's page (with the cards beside it), the
//! gallery and each tag's and merged message's, a page at a time, the feed,
//! the sitemap, robots.txt and the 404 page. A page whose inputs are as the
//! record says is left as it is.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use rayon::prelude::*;

use crate::card::icons;
use crate::config::SiteConfig;
use crate::diagnostics::Diagnostic;
use crate::feeds;
use crate::hash;
use crate::output::{Output, Staged, CACHE_DIR, ENTRIES_FILE};
use crate::site::{self, GalleryCard, PageAssets};
use crate::theme::Theme;

use super::cards::CardContext;
use super::record::{BuildCache, CachedCard, Entries, PageKeys};
use super::{stage, BuildReport};

/// The gallery being made: its pages, each tag's and each merged message's,
/// the feed, the sitemap, robots.txt and the 404 page, in the site's theme.
struct Gallery<'a> {
    theme: &'a Theme,
    config: &'a SiteConfig,
    output: &'a Output,
    /// What the pages link of the theme's assets.
    assets: &'a PageAssets,
    /// What each page of the last build was made from, by its file.
    old: &'a PageKeys,
    entries: &'a Entries,
    /// This build's cards.
    records: &'a BTreeMap<String, CachedCard>,
    /// The cards listed (those with a page), newest first.
    newest: &'a [GalleryCard<'a>],
    /// The site's settings, as JSON.
    settings: String,
    /// What each page of this build is made from, by its file.
    made: PageKeys,
    /// The pages written, to be put in place with the others.
    staged: Vec<Staged>,
    /// Pages that could not be written.
    failures: Vec<Diagnostic>,
}

/// What making the gallery gave (see [`gallery`]).
struct GalleryMade {
    /// What each page is made from, by its file.
    made: PageKeys,
    /// The pages written, to be put in place with the others.
    staged: Vec<Staged>,
    /// Pages that could not be written.
    failures: Vec<Diagnostic>,
    /// The last build's pages no longer made: removed once the new ones
    /// are in place.
    gone: Vec<String>,
    /// A template that failed, or an entry that could not be read: the
    /// gallery was not made whole.
    error: Option<site::GalleryError>,
}

/// Makes the gallery and each tag's, a page at a time, from `newest` (the
/// cards of `records`, newest first); a page whose inputs are as `old`
/// records and whose file is still there is left as it is, and a page
/// `old` records that is no longer made is to go. Also makes the feed, the
/// sitemap, robots.txt and the 404 page. The pages are staged, not put in
/// place (see [`make_pages`]).
fn gallery(
    ctx: &CardContext,
    theme: &Theme,
    assets: &PageAssets,
    old: &PageKeys,
    entries: &Entries,
    newest: &[GalleryCard],
    records: &BTreeMap<String, CachedCard>,
) -> GalleryMade {
    let config = ctx.config;
    let settings = serde_json::to_string(config).expect("settings are plain data");
    let (made, staged, failures) = (BTreeMap::new(), Vec::new(), Vec::new());
    let mut gallery = Gallery {
        theme,
        config,
        output: ctx.output,
        assets,
        old,
        entries,
        records,
        newest,
        settings,
        made,
        staged,
        failures,
    };
    let error = gallery.make(newest).err();
    // Pages no longer made: the site has fewer cards, or a tag is gone.
    let gone = match error {
        None => old.keys().filter(|file| !gallery.made.contains_key(*file)).cloned().collect(),
        Some(_) => Vec::new(),
    };
    let Gallery { made, staged, failures, .. } = gallery;
    GalleryMade { made, staged, failures, gone, error }
}

impl Gallery<'_> {
    /// Makes every page of the gallery from `newest`.
    fn make(&mut self, newest: &[GalleryCard]) -> Result<(), site::GalleryError> {
        let config = self.config;
        // The gallery lists each merged message's cards as one item (see
        // `site::listing`), which leads to the pages of its cards.
        let items = site::listing(newest);
        let tags = site::tags(newest, config);
        let listed_tags = site::listed_tags(&tags);
        let mut page_urls = self.list(site::Listed::All, &items, &listed_tags)?;
        for (tag, items) in &tags {
            page_urls.extend(self.list(site::Listed::Tag(tag), items, &listed_tags)?);
        }
        for (group, cards) in &site::groups(newest, config) {
            let items: Vec<site::ListItem> =
                cards.iter().map(|card| site::ListItem { card: *card, cards: 0 }).collect();
            page_urls.extend(self.list(site::Listed::Group(group), &items, &listed_tags)?);
        }
        self.feeds(&items, page_urls)?;
        self.icons();
        Ok(())
    }

    /// The site's icons (see [`icons`]), drawn again only when the theme or
    /// the site's title changed or a file is gone, and not by `check` (an
    /// output in memory), which notes pictures without drawing them. Kept
    /// with the pages, so they go when the gallery does.
    fn icons(&mut self) {
        let key = hash::key(&[self.theme.fingerprint.as_bytes(), self.config.title.as_bytes()]);
        let files = [icons::FAVICON, icons::TOUCH_ICON];
        let same = |file: &str| self.old.get(file).and_then(Option::as_ref) == Some(&key) && self.output.is_file(file);
        if !files.iter().all(|file| same(file)) {
            let drawn = match self.output.is_in_memory() {
                true => Some(files.map(|file| (file, Vec::new()))),
                false => icons::site_icons(self.theme, &self.config.title),
            };
            let Some(drawn) = drawn else { return };
            for (file, bytes) in drawn {
                self.failures.extend(stage(self.output, file, &bytes, &mut self.staged));
            }
        }
        for file in files {
            self.made.insert(file.to_string(), Some(key.clone()));
        }
    }

    /// Makes the pages of `listed` listing `items`; returns their URLs.
    fn list(
        &mut self,
        listed: site::Listed,
        items: &[site::ListItem],
        listed_tags: &[site::TagLink],
    ) -> Result<Vec<String>, site::GalleryError> {
        let pages = site::list_pages(self.config, listed, items, listed_tags);
        for page in &pages {
            let key = self.page_key(page);
            let same =
                self.old.get(&page.file).and_then(Option::as_ref) == Some(&key) && self.output.is_file(&page.file);
            self.made.insert(page.file.clone(), Some(key));
            if same {
                continue;
            }
            // One page at a time: only its cards become template values.
            let entries = page
                .items
                .iter()
                .map(|item| self.entry(&item.card).map(|e| site::list_entry(self.config, item, e)))
                .collect::<Result<Vec<_>, _>>()
                .map_err(site::GalleryError::Entry)?;
            let html = page
                .html(self.theme, self.config, &entries, listed_tags, self.assets)
                .map_err(site::GalleryError::Template)?;
            self.failures.extend(stage(self.output, &page.file, html.as_bytes(), &mut self.staged));
        }
        Ok(pages.iter().map(|page| page.url(self.config)).collect())
    }

    /// What a page is made from, hashed: the site's settings, the theme,
    /// where it stands among the pages and its cards, each by its key, which
    /// covers all it is made from (a card whose last build failed has none,
    /// and is taken by its entry as it is).
    fn page_key(&self, page: &site::ListPage) -> String {
        let (theme, css_url) = (self.theme.fingerprint.as_bytes(), self.assets.css_url.as_bytes());
        let mut parts = vec![theme, self.settings.as_bytes(), css_url, page.place.as_bytes()];
        let failed: Vec<Vec<u8>> = page
            .items
            .iter()
            .filter_map(|item| self.records.get(item.card.slug).filter(|c| c.key.is_none()))
            .map(|c| self.entries.line(&c.entry).unwrap_or_default())
            .collect();
        // A group's item shows how many cards it has.
        let counts: Vec<String> = page.items.iter().map(|item| item.cards.to_string()).collect();
        for (item, count) in page.items.iter().zip(&counts) {
            parts.push(item.card.slug.as_bytes());
            parts.push(self.records.get(item.card.slug).and_then(|c| c.key.as_deref()).unwrap_or_default().as_bytes());
            parts.push(count.as_bytes());
        }
        parts.extend(failed.iter().map(Vec::as_slice));
        hash::key(&parts)
    }

    /// The gallery entry of `card`, read back.
    fn entry(&self, card: &GalleryCard) -> Result<site::CardEntry, String> {
        let place = &self.records[card.slug].entry;
        self.entries.get(place).map_err(|e| format!("cannot read the gallery entry of `{}`: {e}", card.slug))
    }

    /// The feed of the newest items (a group as one entry, its title saying
    /// how many cards it has; hidden and undated cards left out), the sitemap (every
    /// gallery page, `page_urls`, and every card's page), robots.txt and
    /// the 404 page.
    fn feeds(&mut self, items: &[site::ListItem], page_urls: Vec<String>) -> Result<(), site::GalleryError> {
        let config = self.config;
        let feed_cards = items
            .iter()
            .filter(|item| !item.card.date.is_empty())
            .take(feeds::FEED_CARDS)
            .map(|item| {
                let mut card = site::list_entry(config, item, self.entry(&item.card)?).card;
                if item.cards > 0 {
                    card.title = format!("{} ({} cards)", card.title, item.cards);
                }
                Ok(card)
            })
            .collect::<Result<Vec<_>, String>>()
            .map_err(site::GalleryError::Entry)?;
        let (output, staged) = (self.output, &mut self.staged);
        self.failures.extend(stage(output, "feed.xml", feeds::atom(config, &feed_cards).as_bytes(), staged));
        // Every card with a page (a card whose page could not be made is not in `newest`).
        let mut cards: Vec<&GalleryCard> = self.newest.iter().collect();
        cards.sort_by_key(|card| card.slug);
        let card_urls: Vec<(String, &str)> = cards.iter().map(|c| (site::card_url(config, c.slug), c.date)).collect();
        let sitemap = feeds::sitemap(page_urls.into_iter(), card_urls.iter().map(|(url, date)| (url.as_str(), *date)));
        self.failures.extend(stage(output, "sitemap.xml", sitemap.as_bytes(), staged));
        self.failures.extend(stage(output, "robots.txt", feeds::robots(config).as_bytes(), staged));
        let not_found = site::not_found_page(self.theme, config, self.assets).map_err(site::GalleryError::NotFound)?;
        self.failures.extend(stage(output, "404.html", not_found.as_bytes(), &mut self.staged));
        Ok(())
    }
}

/// What became of a card's page.
enum PageMade {
    /// Its inputs are as its record says: it was left as it is.
    Same,
    /// Made and written (staged, unless the file held it already), from
    /// these inputs (hashed).
    Made(String, Option<Staged>),
    /// Made, but it could not be written.
    Unwritten(Diagnostic),
    /// Its theme's template failed.
    Failed(Arc<Theme>, tera::Error),
}

/// What card pages link of their themes' assets, by theme name, and all
/// of it hashed: a page links another stylesheet when its theme's fonts
/// change (a card shows a character none showed before).
struct Styles<'a> {
    links: &'a HashMap<String, PageAssets>,
    key: String,
}

impl Styles<'_> {
    fn new(links: &HashMap<String, PageAssets>) -> Styles<'_> {
        let mut all: Vec<(&String, &PageAssets)> = links.iter().collect();
        all.sort_by_key(|(name, _)| *name);
        let text: Vec<String> =
            all.iter().map(|(name, a)| format!("{name} {} {:?} {:?}", a.css_url, a.fonts, a.title)).collect();
        Styles { links, key: hash::key(&[text.join("\n").as_bytes()]) }
    }
}

/// Makes each card's page in its theme, with links to the cards beside it
/// in `newest` (the gallery's order; a grouped card's among its group's
/// cards, see `site::neighbours`); a page whose inputs are as its record
/// says is left as it is.
fn card_pages(
    ctx: &CardContext,
    styles: &Styles,
    entries: &Entries,
    newest: &[GalleryCard],
    records: &BTreeMap<String, CachedCard>,
    done: &HashMap<String, String>,
) -> Vec<(String, PageMade)> {
    let config = ctx.config;
    let mut beside = site::neighbours(config, newest);
    let mut made = Vec::with_capacity(newest.len());
    // A chunk at a time: the links of every card are never all held.
    loop {
        let chunk: Vec<site::Beside> = beside.by_ref().take(PAGES_AT_ONCE).collect();
        if chunk.is_empty() {
            return made;
        }
        made.par_extend(chunk.into_par_iter().map(|beside| card_page(ctx, styles, entries, records, done, beside)));
    }
}

/// How many card pages are made at once (their links held together).
const PAGES_AT_ONCE: usize = 512;

/// Makes the page of `beside.card`, unless its inputs are as its record says.
fn card_page(
    ctx: &CardContext,
    styles: &Styles,
    entries: &Entries,
    records: &BTreeMap<String, CachedCard>,
    done: &HashMap<String, String>,
    site::Beside { card, newer, older, group }: site::Beside,
) -> (String, PageMade) {
    let config = ctx.config;
    let record = &records[card.slug];
    // A card whose last build failed has no key: it is taken by its
    // entry as it is.
    let line = match &record.key {
        Some(_) => None,
        None => entries.line(&record.entry).ok(),
    };
    let made_from = line.as_deref().unwrap_or(record.key.as_deref().unwrap_or_default().as_bytes());
    let beside = serde_json::to_string(&(&newer, &older, &group)).expect("plain data");
    let key = hash::key(&[made_from, beside.as_bytes(), styles.key.as_bytes()]);
    if record.page.as_ref() == Some(&key) {
        return (card.slug.to_string(), PageMade::Same);
    }
    if done.get(card.slug) == Some(&key) {
        // Made so already, before a card beside it was left out.
        return (card.slug.to_string(), PageMade::Made(key, None));
    }
    let page = (|| {
        let entry = match entries.get(&record.entry) {
            Ok(entry) => entry,
            Err(e) => {
                let path = ctx.output.state().path(ENTRIES_FILE);
                let d = Diagnostic::error(path, 0, 0, format!("cannot read the entry of `{}`: {e}", card.slug));
                return PageMade::Unwritten(d);
            }
        };
        let Some(Ok(theme)) = ctx.themes.get(&entry.theme) else {
            // Its theme is broken now (reported with the card): the page stays.
            return PageMade::Same;
        };
        let assets = &styles.links[&theme.name];
        let (newer, older, group) = (newer.as_ref(), older.as_ref(), group.as_ref());
        let html = match site::card_page(theme, config, &entry, assets, newer, older, group) {
            Ok(html) => html,
            Err(e) => return PageMade::Failed(theme.clone(), e),
        };
        let rel = format!("cards/{}/index.html", card.slug);
        match ctx.output.stage(&rel, html.as_bytes()) {
            Ok(staged) => PageMade::Made(key, staged),
            Err(e) => PageMade::Unwritten(super::output_problem(ctx.output, &rel, "cannot write", &e)),
        }
    })();
    (card.slug.to_string(), page)
}

/// Makes each card's page (see [`card_pages`]); a card whose page could
/// not be made and is not there from an earlier build is left out of
/// `newest`, so that no page links it, and the pages beside it are made
/// again without it, until every page linked is made. Returns what became
/// of every card's page.
fn linked_card_pages(
    ctx: &CardContext,
    styles: &Styles,
    entries: &Entries,
    newest: &mut Vec<GalleryCard>,
    records: &BTreeMap<String, CachedCard>,
) -> Vec<(String, PageMade)> {
    let mut pages: BTreeMap<String, PageMade> = BTreeMap::new();
    loop {
        let done = pages
            .iter()
            .filter_map(|(slug, page)| match page {
                PageMade::Made(key, _) => Some((slug.clone(), key.clone())),
                _ => None,
            })
            .collect();
        let results = card_pages(ctx, styles, entries, newest, records, &done);
        // A page that could not be written withholds every page of the
        // build (see `withhold`): only a failed template leaves a card out.
        let missing: HashSet<String> = results
            .iter()
            .filter(|(slug, page)| {
                matches!(page, PageMade::Failed(..)) && !ctx.output.is_file(&format!("cards/{slug}/index.html"))
            })
            .map(|(slug, _)| slug.clone())
            .collect();
        for (slug, page) in results {
            // Made the same already: the first round's file stays staged.
            if matches!((pages.get(&slug), &page), (Some(PageMade::Made(before, _)), PageMade::Made(now, _)) if before == now)
            {
                continue;
            }
            if let Some(PageMade::Made(_, Some(staged))) = pages.insert(slug, page) {
                ctx.output.discard(vec![staged]);
            }
        }
        if missing.is_empty() {
            return pages.into_iter().collect();
        }
        // Each round leaves a card out: at most one round a card.
        newest.retain(|card| !missing.contains(card.slug));
    }
}

pub(super) fn template_diagnostic(theme: &Theme, template: &str, e: &tera::Error) -> Diagnostic {
    let (name, line, col, message) = theme.template_place(template, e);
    Diagnostic::error(theme.origin(&name), line, col, message)
}

/// Makes the pages of the cards recorded in `next` and the gallery, in the
/// site's theme, and puts them in place together (see [`publish`]);
/// records what each page was made from. `links`: what the pages of each
/// theme link of its assets; `themes_reported`: themes whose
/// own error was reported already; `assets_written`: whether every theme
/// asset (which the pages link) was written. Returns whether the pages were
/// put in place.
#[allow(clippy::too_many_arguments)]
pub(super) fn make_pages(
    ctx: &CardContext,
    links: &HashMap<String, PageAssets>,
    entries: &Entries,
    next: &mut BuildCache,
    old_gallery: &PageKeys,
    themes_reported: &[String],
    assets_written: bool,
    report: &mut BuildReport,
    failures: &mut Vec<Diagnostic>,
) -> bool {
    let config = ctx.config;
    let mut newest: Vec<GalleryCard> = next
        .cards
        .iter()
        .map(|(slug, c)| GalleryCard {
            slug,
            date: &c.entry.date,
            title: &c.entry.title,
            tags: &c.entry.tags,
            group: &c.entry.group,
            listing: c.entry.listing,
        })
        .collect();
    site::sort_newest_first(&mut newest);
    let styles = Styles::new(links);
    let pages = linked_card_pages(ctx, &styles, entries, &mut newest, &next.cards);
    // The gallery, in the site's theme, a page at a time.
    let gallery = match ctx.themes.get(&config.theme) {
        Some(Ok(theme)) => {
            let assets = &links[&config.theme];
            Some(gallery(ctx, theme, assets, old_gallery, entries, &newest, &next.cards))
        }
        Some(Err(d)) if !themes_reported.contains(&config.theme) => {
            report.problems.diagnostics.push(d.diagnostic().clone());
            None
        }
        _ => None,
    };
    drop(newest);
    let mut made = record_card_pages(pages, next, report);
    let mut gone = Vec::new();
    if let Some(gallery) = gallery {
        made.staged.extend(gallery.staged);
        made.unwritten.extend(gallery.failures);
        match gallery.error {
            None => {
                next.gallery = gallery.made;
                gone = gallery.gone;
            }
            Some(e) => failures.extend(gallery_error(ctx, e, report)),
        }
    }
    if next.gallery.is_empty() {
        // Not made: the pages there stay, to be made again.
        next.gallery = old_gallery.keys().map(|file| (file.clone(), None)).collect();
    }
    let published = made.unwritten.is_empty() && assets_written;
    match published {
        true => publish(ctx.output, made, gone, next, failures),
        false => withhold(ctx.output, made, old_gallery, next, failures, assets_written),
    }
    published
}

/// This build's pages: written beside their places, not yet put there.
struct PagesMade {
    staged: Vec<Staged>,
    /// What each card page put in place is made from, by slug.
    keys: Vec<(String, String)>,
    /// Pages that could not be written.
    unwritten: Vec<Diagnostic>,
}

/// Puts the pages in place (each a rename, which needs no room on the
/// disk), then removes the gallery pages no longer made, `gone`.
fn publish(output: &Output, made: PagesMade, gone: Vec<String>, next: &mut BuildCache, failures: &mut Vec<Diagnostic>) {
    for staged in made.staged {
        let rel = staged.rel().to_string();
        if let Err(e) = output.put(staged) {
            failures.push(super::output_problem(output, &rel, "cannot write", &e));
        }
    }
    for (slug, key) in made.keys {
        next.cards.get_mut(&slug).expect("pages are made for recorded cards").page = Some(key);
    }
    failures.extend(gone.iter().filter_map(|file| super::remove(output, file)));
}

/// A page could not be written (a full disk): none of this build's pages is
/// put in place, so none links a page that is not there; the last build's
/// stay, with everything they link (nothing is removed). The record claims
/// none of the new pages: the next build makes them all again.
fn withhold(
    output: &Output,
    made: PagesMade,
    old_gallery: &PageKeys,
    next: &mut BuildCache,
    failures: &mut Vec<Diagnostic>,
    assets_written: bool,
) {
    output.discard(made.staged);
    for (slug, _) in made.keys {
        next.cards.get_mut(&slug).expect("pages are made for recorded cards").page = None;
    }
    // The last build's pages are still there, and go when no longer made.
    next.gallery.extend(old_gallery.keys().map(|file| (file.clone(), None)));
    next.gallery.values_mut().for_each(|key| *key = None);
    let mut unwritten = made.unwritten.into_iter();
    // Said once: at the asset that failed, else at the first page.
    failures.extend(unwritten.next().map(|d| if assets_written { d.with_hint(WITHHELD) } else { d }));
    failures.extend(unwritten);
}

/// Why no page of a build was put in place.
pub(super) const WITHHELD: &str =
    "the pages are put in place together, once all of them can be written: until then the last build's pages stay as they were";

/// Records what became of each card's page (those made, once they are put
/// in place); a theme whose card template failed is reported once.
fn record_card_pages(pages: Vec<(String, PageMade)>, next: &mut BuildCache, report: &mut BuildReport) -> PagesMade {
    let mut made = PagesMade { staged: Vec::new(), keys: Vec::new(), unwritten: Vec::new() };
    let mut broken_templates = Vec::new();
    for (slug, page) in pages {
        let card = next.cards.get_mut(&slug).expect("pages are made for recorded cards");
        match page {
            PageMade::Same => {}
            PageMade::Made(key, staged) => {
                made.staged.extend(staged);
                made.keys.push((slug, key));
            }
            PageMade::Unwritten(d) => {
                card.page = None;
                made.unwritten.push(d);
            }
            PageMade::Failed(theme, e) => {
                // Made again by the next build.
                card.key = None;
                card.page = None;
                if !broken_templates.contains(&theme.name) {
                    broken_templates.push(theme.name.clone());
                    report.problems.diagnostics.push(template_diagnostic(&theme, "card.html", &e));
                }
            }
        }
    }
    made
}

/// A gallery that could not be made: a template's error is the build's
/// diagnostic; an entry that could not be read is a failure (returned).
fn gallery_error(ctx: &CardContext, e: site::GalleryError, report: &mut BuildReport) -> Option<Diagnostic> {
    let theme = || ctx.themes[&ctx.config.theme].as_ref().expect("the gallery was made");
    match e {
        site::GalleryError::Template(e) => {
            report.problems.diagnostics.push(template_diagnostic(theme(), "gallery.html", &e))
        }
        site::GalleryError::NotFound(e) => {
            report.problems.diagnostics.push(template_diagnostic(theme(), "404.html", &e))
        }
        site::GalleryError::Entry(e) => {
            let cache = ctx.output.state().path(CACHE_DIR);
            return Some(
                Diagnostic::error(ctx.output.state().path(ENTRIES_FILE), 0, 0, e)
                    .with_hint(format!("remove {} to make every card again", cache.display())),
            );
        }
    }
    None
}
