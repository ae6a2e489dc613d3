//! A build: site folder -> output folder, every card in parallel.
//!
//! config -> content -> markup -> layout -> render/site -> output. Themes and
//! fonts load once and are shared by every card. A problem in one message is
//! a diagnostic for that card; the others are still built. Nothing is
//! written outside the output folder, and only through [`Output`].

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::cache::{self, BuildCache, CachedCard, Entries};
use crate::config::SiteConfig;
use crate::content::recipients::{self, RowPlace, RowsFile};
use crate::content::{self, GalleryMode, Message, SealField};
use crate::diagnostics::{did_you_mean, Diagnostic};
use crate::feeds;
use crate::hash;
use crate::layout::{self, LayoutError};
use crate::markup;
use crate::output::{Claim, Output, CACHE_FILE, ENTRIES_FILE, LAYERS_DIR};
use crate::render::{self, CardContent, CardSize};
use crate::seal::{SealSpec, EMBLEMS};
use crate::site::{self, CardEntry, GalleryCard, Listing};
use crate::theme::{self, Theme};

/// What to build.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// The site folder.
    pub root: PathBuf,
    /// Where to write; `root/output` by default.
    pub output: PathBuf,
    /// Build drafts too.
    pub drafts: bool,
    /// Which files to make; the site's `outputs` when not given.
    pub outputs: Option<Outputs>,
    /// Smallest PNG files (slower); also on when the site says `optimize: true`.
    pub optimize: bool,
    /// Publish under this URL instead of the site's `base_url` (a preview
    /// deploy; `serve` uses `/`).
    pub base_url: Option<String>,
}

impl BuildOptions {
    /// The site's settings, as this build uses them (its `base_url` given
    /// instead of the site's).
    pub fn config(&self) -> Result<SiteConfig, Diagnostic> {
        let mut config = SiteConfig::load(&self.root)?;
        if let Some(url) = &self.base_url {
            config.base_url = crate::config::normalize_base_url(url);
        }
        Ok(config)
    }
}

/// Which files a build makes for every card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outputs {
    /// Card pages, the gallery (with thumbnails) and the theme assets.
    pub html: bool,
    /// `card.png`.
    pub png: bool,
    /// `card.svg`.
    pub svg: bool,
    /// `card.pdf`, the print card (not made unless asked for).
    pub pdf: bool,
    /// `message.eml`, the note as an email with the card inline (not made
    /// unless asked for; the card's PNG is drawn for it even without `png`).
    pub email: bool,
}

impl Outputs {
    /// Every output.
    pub const ALL: Outputs = Outputs { html: true, png: true, svg: true, pdf: true, email: true };

    /// Parses `html,png,svg,pdf,email` (any order, any subset).
    pub fn parse<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<Outputs, String> {
        let mut out = Outputs { html: false, png: false, svg: false, pdf: false, email: false };
        for name in names {
            match name.trim() {
                "html" => out.html = true,
                "png" => out.png = true,
                "svg" => out.svg = true,
                "pdf" => out.pdf = true,
                "email" => out.email = true,
                other => return Err(format!("unknown output `{other}`: use html, png, svg, pdf and email")),
            }
        }
        Ok(out)
    }

    /// Whether any of a card's pictures is made.
    fn pictures(&self) -> bool {
        self.png || self.svg || self.pdf || self.email
    }

    /// The names of the pictures made in a card's folder.
    fn picture_names(&self) -> Vec<&'static str> {
        let mut names = Vec::new();
        if self.png {
            names.extend(["card.png", "thumb.png", "share.png"]);
        }
        if self.svg {
            names.push("card.svg");
        }
        if self.pdf {
            names.push("card.pdf");
        }
        if self.email {
            names.push(crate::email::FILE);
        }
        names
    }
}

/// What a build did.
#[derive(Debug, Default)]
pub struct BuildReport {
    /// Every problem, in file order.
    pub diagnostics: Vec<Diagnostic>,
    /// Slugs of the cards written.
    pub built: Vec<String>,
    /// Drafts left out.
    pub drafts_skipped: usize,
    /// Cards that were unchanged since the last build (not drawn again).
    pub reused: usize,
    /// Cards whose page was made again but whose pictures were not drawn
    /// again (only a stylesheet, a page template or a page setting changed).
    pub pages_only: usize,
    /// A problem that stopped the whole build (bad config, unwritable output).
    pub fatal: bool,
    /// Output files this build wrote (new or different bytes) or removed,
    /// relative to the output folder, sorted; the build cache is left out.
    /// Only a long-running session ([`Session::long_running`]) records them.
    pub changed: Vec<String>,
    /// The site's `base_url` when pages were made with a relative one (`/`):
    /// its feed, sitemap and link previews then hold relative URLs, which
    /// feed readers, search engines and chat apps cannot follow.
    pub relative_base_url: Option<String>,
    /// The message each card is made from, by slug; only recorded for an
    /// output kept in memory (`check`, which points a problem it finds on a
    /// card's page at the card's message).
    pub sources: BTreeMap<String, CardSource>,
}

/// Where a card comes from.
#[derive(Debug, Clone)]
pub struct CardSource {
    /// Its message file, as diagnostics name it.
    pub path: PathBuf,
    /// Its theme's name.
    pub theme: String,
}

impl BuildReport {
    /// 0 clean, 1 some cards failed, 2 fatal.
    pub fn exit_code(&self) -> i32 {
        crate::diagnostics::exit_code(self.fatal, &self.diagnostics)
    }
}

/// Thumbnails are drawn this wide, in pixels.
const THUMB_WIDTH: u32 = 360;

/// Builds the site.
pub fn build(options: &BuildOptions) -> BuildReport {
    build_in(&Session::default(), options)
}

/// What a long-running process (`serve`) keeps between builds: the drawn
/// card bases and seals, so that after an edit only the edited card's own
/// layers are drawn.
#[derive(Default)]
pub struct Session {
    bases: render::BaseCache,
    page_seals: Mutex<HashMap<String, (String, Arc<String>)>>,
    themes: Mutex<HashMap<String, Arc<Theme>>>,
    /// Whether it is for many builds (see [`Session::long_running`]).
    long_running: bool,
    /// Messages read by earlier builds, with the size and time of their file.
    messages: Mutex<HashMap<PathBuf, (u64, std::time::SystemTime, Message)>>,
}

impl Session {
    /// A session for many builds (`serve`): it also keeps every message it
    /// reads and records which files each build changed, which a single
    /// build would only hold in memory for nothing.
    pub fn long_running() -> Session {
        Session { long_running: true, ..Session::default() }
    }

    /// Message `path`, as an earlier build read it when its file has the
    /// same size and modification time.
    fn read_message(&self, root: &std::path::Path, path: &std::path::Path) -> Result<Message, Diagnostic> {
        if !self.long_running {
            return content::read(root, path);
        }
        let stamp = std::fs::metadata(path).ok().and_then(|m| Some((m.len(), m.modified().ok()?)));
        if let Some((len, time)) = stamp {
            let messages = self.messages.lock().expect("no panics while holding the lock");
            if let Some((_, _, m)) = messages.get(path).filter(|(l, t, _)| *l == len && *t == time) {
                return Ok(m.clone());
            }
        }
        let message = content::read(root, path)?;
        if let Some((len, time)) = stamp {
            let mut messages = self.messages.lock().expect("no panics while holding the lock");
            messages.insert(path.to_path_buf(), (len, time, message.clone()));
        }
        Ok(message)
    }

    /// The theme `name`, as loaded by an earlier build when none of its files changed.
    fn theme(&self, root: &std::path::Path, name: &str) -> Result<Arc<Theme>, theme::LoadError> {
        let known = self.themes.lock().expect("no panics while holding the lock").get(name).cloned();
        if let Some(theme) = known.filter(|t| theme::fingerprint(root, &t.chain) == t.fingerprint) {
            return Ok(theme);
        }
        let theme = Arc::new(theme::load(root, name)?);
        self.themes.lock().expect("no panics while holding the lock").insert(name.to_string(), theme.clone());
        Ok(theme)
    }
}

/// For the test of a file deleted while a build runs (debug builds only):
/// with `WAXSEAL_TEST_PAUSE_AFTER_WALK` set, the build says on standard error
/// that it has listed content/ and waits for a line on standard input before
/// it reads the files it found.
#[cfg(debug_assertions)]
fn pause_after_walk() {
    if std::env::var_os("WAXSEAL_TEST_PAUSE_AFTER_WALK").is_some() {
        eprintln!("waxseal: content/ listed; waiting for a line on standard input");
        let _ = std::io::stdin().read_line(&mut String::new());
    }
}

/// Builds the site, reusing what `session` drew in earlier builds.
pub fn build_in(session: &Session, options: &BuildOptions) -> BuildReport {
    build_to(session, options, None)
}

/// Builds the site into `output` rather than the folder `options` names:
/// `check` builds into an output kept in memory.
pub fn build_into(session: &Session, options: &BuildOptions, output: &Output) -> BuildReport {
    build_to(session, options, Some(output))
}

fn build_to(session: &Session, options: &BuildOptions, output: Option<&Output>) -> BuildReport {
    let mut report = BuildReport::default();
    let root = &options.root;
    let config = match options.config() {
        Ok(config) => config,
        Err(d) => {
            report.diagnostics.push(d);
            report.fatal = true;
            return report;
        }
    };
    let outputs = match options.outputs {
        Some(outputs) => outputs,
        None => match Outputs::parse(config.outputs.iter().map(String::as_str)) {
            Ok(outputs) => outputs,
            Err(e) => {
                report.diagnostics.push(Diagnostic::error(crate::config::CONFIG_FILE, 0, 0, e));
                report.fatal = true;
                return report;
            }
        },
    };
    if outputs.email && config.email.from.is_none() {
        // At the settings' `outputs`, unless the command line asked for the emails.
        let line = if options.outputs.is_none() { config_line(root, "outputs") } else { 0 };
        report.diagnostics.push(
            Diagnostic::error(
                crate::config::CONFIG_FILE,
                line,
                usize::from(line > 0),
                "`email` is an output but the emails are from no one",
            )
            .with_hint(
                "say who they are from in waxseal.yaml: `email: { from: \"Beverly's Shop <hello@shop.example>\" }`",
            ),
        );
        report.fatal = true;
        return report;
    }

    let (output, claim) = match output {
        Some(output) => output.clone().claim(|_| {}).expect("an output in memory is claimed at once"),
        None => match claim_output(root, &options.output) {
            Ok(claimed) => claimed,
            Err(d) => {
                report.diagnostics.push(d);
                report.fatal = true;
                return report;
            }
        },
    };
    let output = if session.long_running { output.recording_changes() } else { output };

    let mut body_tera = tera::Tera::new();
    crate::template::register_filters(&mut body_tera);

    // Read every message (and every row of a merged one) while the build
    // cache and the site's theme load.
    let (files, problems) = content::walk(root);
    report.diagnostics.extend(problems);
    #[cfg(debug_assertions)]
    pause_after_walk();
    let (parsed, (mut cache, site_theme)) = rayon::join(
        || {
            files
                .par_iter()
                .map(|path| heads_of(session, root, path, &body_tera, &config, options.drafts))
                .collect::<Vec<_>>()
        },
        || rayon::join(|| BuildCache::load(&output), || session.theme(root, &config.theme)),
    );
    if claim.interrupted() {
        // The last build was killed: what it wrote is not in the cache.
        // Every card is made again; the cache still says which files are
        // whose (a card that fails now keeps its last good files).
        cache.distrust();
    }
    let entries = match Entries::open(&output) {
        Ok(entries) => entries,
        Err(e) => {
            let path = output.root().join(ENTRIES_FILE);
            report.diagnostics.push(Diagnostic::error(path, 0, 0, format!("cannot open: {e}")));
            report.fatal = true;
            // Nothing was written: the build is over, not interrupted.
            let _ = claim.finish(&output, None);
            return report;
        }
    };
    let mut messages = Vec::new();
    // Messages that could not be read keep their last good card, found by the
    // slug their path gives (a merged message's, all its cards).
    let mut unreadable = Vec::new();
    for heads in parsed {
        report.drafts_skipped += heads.drafts;
        messages.extend(heads.heads);
        report.diagnostics.extend(heads.problems);
        unreadable.extend(heads.unreadable);
    }
    messages = unique_slugs(messages, &mut report.diagnostics);
    // Every card this build knows of, made or not (see the repair below).
    let present_slugs: HashSet<String> =
        messages.iter().map(|m| m.slug.clone()).chain(unreadable.iter().cloned()).collect();
    if output.is_in_memory() {
        let source = |m: &Head| CardSource {
            path: m.source.clone(),
            theme: m.theme.clone().unwrap_or_else(|| config.theme.clone()),
        };
        report.sources = messages.iter().map(|m| (m.slug.clone(), source(m))).collect();
    }

    // Load each other theme once.
    let mut theme_names: Vec<String> =
        messages.iter().filter_map(|m| m.theme.clone()).filter(|name| *name != config.theme).collect();
    theme_names.sort();
    theme_names.dedup();
    let mut themes: BTreeMap<String, Result<Arc<Theme>, theme::LoadError>> =
        theme_names.into_par_iter().map(|name| (name.clone(), session.theme(root, &name))).collect();
    themes.insert(config.theme.clone(), site_theme);
    let mut theme_errors_reported = Vec::new();

    // The theme assets (CSS with hashed font URLs) come first: pages link them.
    let mut css_urls = HashMap::new();
    let mut site_files = Vec::new();
    let mut failures = Vec::new();
    for name in themes.keys() {
        if let Some(Ok(theme)) = themes.get(name) {
            let (files, url) = site::theme_assets(theme, &config);
            if outputs.html {
                for (rel, bytes) in files {
                    failures.extend(write(&output, &rel, &bytes));
                    site_files.push(rel);
                }
            }
            css_urls.insert(name.clone(), url);
        }
    }

    if outputs.html {
        // Made with the gallery.
        site_files.extend(SITE_FILES.map(String::from));
    }

    // What each card is made from: a card whose key and files are as last
    // time is not drawn again.
    let settings = serde_json::to_string(&config).expect("settings are plain data");
    let global = hash::key(&[
        hash::tool_fingerprint().as_bytes(),
        settings.as_bytes(),
        format!("{outputs:?} {}", options.optimize).as_bytes(),
    ]);
    // The pictures depend on less: not on the pages' templates and CSS, nor
    // on settings only pages use (title, base_url, the gallery's pages).
    // The print settings only matter to the PDF. The email, made with the
    // PNG, says the site's title and links its pages: with it, every
    // setting matters.
    let print = outputs.pdf.then_some(&config.print);
    let picture_settings = match outputs.email {
        true => settings.clone(),
        false => {
            serde_json::to_string(&(&config.theme, &config.size, config.dpi, config.raw_html, &config.lang, print))
                .expect("settings are plain data")
        }
    };
    let picture_global = hash::key(&[
        hash::tool_fingerprint().as_bytes(),
        picture_settings.as_bytes(),
        format!("{outputs:?} {}", options.optimize || config.optimize).as_bytes(),
    ]);
    let theme_keys: HashMap<&str, (String, String)> = themes
        .iter()
        .map(|(name, theme)| {
            let keys = theme.as_ref().map(|t| match outputs.email {
                true => (t.fingerprint.clone(), format!("{} {}", t.picture_fingerprint, t.email_fingerprint)),
                false => (t.fingerprint.clone(), t.picture_fingerprint.clone()),
            });
            (name.as_str(), keys.unwrap_or_default())
        })
        .collect();
    // Drawn artwork and seals are kept in the output's cache folder, so the
    // next run (a new process) that redraws one card does not draw them again.
    session.bases.keep_in(&output);

    // Each card's keys. The cards whose key is not the cached one (an edited
    // message) go first: their pictures are drawn from the start.
    let mut keyed: Vec<(usize, Head, String, String, String)> = messages
        .into_par_iter()
        .enumerate()
        .map(|(index, m)| {
            let theme = m.theme.clone().unwrap_or_else(|| config.theme.clone());
            let (theme_key, theme_picture_key) = theme_keys.get(theme.as_str()).cloned().unwrap_or_default();
            let key = hash::key(&[global.as_bytes(), theme_key.as_bytes(), &m.digest, m.slug.as_bytes()]);
            let picture_key =
                hash::key(&[picture_global.as_bytes(), theme_picture_key.as_bytes(), &m.digest, m.slug.as_bytes()]);
            (index, m, theme, key, picture_key)
        })
        .collect();
    keyed.sort_by_key(|(_, m, _, key, _)| cache.cards.get(&m.slug).is_some_and(|c| c.key == *key));

    // Every card, in parallel; each writes its own files as soon as they are made.
    let ctx = CardContext {
        config: &config,
        themes: &themes,
        body_tera: &body_tera,
        output: &output,
        css_urls: &css_urls,
        bases: &session.bases,
        page_seals: &session.page_seals,
        seals_written: Mutex::default(),
        seal_failures: Mutex::default(),
        outputs,
        optimize: options.optimize || config.optimize,
    };
    // The first few cards to draw (an edit) are drawn in the background while
    // the other cards are checked and the gallery is made; any more are drawn
    // as their cards are made, so that memory does not grow with their number.
    let to_draw = AtomicUsize::new(0);
    let picture_names = outputs.picture_names();
    let drawn = Mutex::new(Vec::new());
    let entries = &entries;
    let (old_site_files, old_gallery) = (std::mem::take(&mut cache.site_files), std::mem::take(&mut cache.gallery));
    let mut next = BuildCache::default();
    let mut stale: Vec<String> = Vec::new();
    next.site_files = site_files;
    next.entries_id = entries.id().to_string();
    rayon::scope(|scope| {
        let (ctx, drawn) = (&ctx, &drawn);
        // Each message is dropped as soon as its card is made: only what the
        // gallery and the cache need is kept.
        let mut results: Vec<(usize, Outcome)> = keyed
            .into_par_iter()
            .map(|(index, head, theme, key, picture_key)| {
                let result = if cache.fresh(&head.slug, &key, &output).is_some() {
                    Ok(None)
                } else {
                    let draw = if cache.pictures_fresh(&head.slug, &picture_key, &output).is_some() {
                        // Only the page changed (a stylesheet, the site's title).
                        Draw::Keep
                    } else if cache.had_pictures(&head.slug, &picture_names, &output)
                        && to_draw.fetch_add(1, Ordering::Relaxed) < DRAWN_IN_THE_BACKGROUND
                    {
                        // Its page, made meanwhile, links pictures that are
                        // there: the last ones, until the new ones replace them.
                        Draw::Later
                    } else {
                        Draw::Now
                    };
                    // The message, read again (or kept by a long-running session).
                    // A merged card's row is read again too.
                    let read = session
                        .read_message(root, &head.path)
                        .and_then(|m| match &head.row {
                            Some(row) => merged_card(root, &head.path, &m, row.place, &body_tera, &config),
                            None => Ok(m),
                        })
                        .map(|m| Message { slug: head.slug.clone(), ..m });
                    read.and_then(|m| build_card(ctx, &m, draw)).map(|mut card| {
                        if let Some(pictures) = card.later.take() {
                            scope.spawn(move |_| {
                                let result = draw_pictures(ctx, &pictures);
                                drawn.lock().expect("no panics while holding the lock").push((pictures.slug, result));
                            });
                        }
                        // The gallery entry goes to the entries file at once.
                        let entry = entries.add(&card.entry);
                        let CardDone { files, warnings, failures, drawn, .. } = card;
                        Some(Made { entry, files, warnings, failures, drawn })
                    })
                };
                (index, Outcome { slug: head.slug, theme, key, picture_key, result })
            })
            .collect();
        // Back in the messages' order (their warnings are reported in it).
        results.sort_unstable_by_key(|(index, _)| *index);
        for (_, Outcome { slug, theme, key, picture_key, result }) in results {
            match result {
                Ok(Some(Made { entry: Ok(entry), files, warnings, failures: card_failures, drawn })) => {
                    report.pages_only += usize::from(!drawn);
                    report.diagnostics.extend(warnings.clone());
                    failures.extend(card_failures);
                    report.built.push(slug.clone());
                    let card = CachedCard { key, picture_key, files, entry, warnings, page: String::new() };
                    next.cards.insert(slug, card);
                }
                Ok(Some(Made { entry: Err(e), failures: card_failures, .. })) => {
                    // Made, but not recorded: the last good record stays, to be made again.
                    failures.extend(card_failures);
                    let path = output.root().join(ENTRIES_FILE);
                    failures.push(Diagnostic::error(path, 0, 0, format!("cannot write: {e}")));
                    if let Some(card) = cache.cards.remove(&slug) {
                        next.cards.insert(slug, CachedCard { key: String::new(), ..card });
                    }
                }
                Ok(None) => {
                    // Unchanged: moved from the old cache as it is.
                    let card = cache.cards.remove(&slug).expect("a fresh card is in the cache");
                    report.diagnostics.extend(card.warnings.clone());
                    report.built.push(slug.clone());
                    report.reused += 1;
                    next.cards.insert(slug, card);
                }
                Err(d) => {
                    // The last good card stays: its files, its place in the gallery.
                    if let Some(card) = cache.cards.remove(&slug) {
                        next.cards.insert(slug, CachedCard { key: String::new(), ..card });
                    }
                    // A broken theme is reported once, with its own path, and then per card briefly;
                    // a message's unknown theme only by the message.
                    if let Some(Err(theme_diag)) = themes.get(&theme) {
                        let named_by_the_message = theme != config.theme && theme_diag.is_unknown();
                        if !named_by_the_message && !theme_errors_reported.contains(&theme) {
                            theme_errors_reported.push(theme.clone());
                            report.diagnostics.push(theme_diag.diagnostic().clone());
                        }
                    }
                    report.diagnostics.push(d);
                }
            }
        }
        let old = &mut cache.cards;

        for slug in unreadable {
            // The card of that slug, or every card of the merged message of that slug.
            let of_it: Vec<String> =
                old.iter().filter(|(s, c)| **s == slug || c.entry.group == slug).map(|(s, _)| s.clone()).collect();
            for slug in of_it {
                if let std::collections::btree_map::Entry::Vacant(place) = next.cards.entry(slug) {
                    if let Some(card) = old.remove(place.key()) {
                        place.insert(CachedCard { key: String::new(), ..card });
                    }
                }
            }
        }

        // Files of cards that are gone (or of outputs no longer made) go too;
        // a file cards share (a seal) stays while any card has it.
        // Theme assets of an earlier build (an edited stylesheet has a new name) go as well.
        // They are removed last, when no page links them any more.
        let kept: HashSet<&String> = next.cards.values().flat_map(|c| &c.files).chain(&next.site_files).collect();
        let mut seen = HashSet::new();
        let old_files = old.values().flat_map(|c| &c.files).chain(&old_site_files);
        stale = old_files.filter(|f| !kept.contains(f) && seen.insert(*f)).cloned().collect();

        if outputs.html {
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
            let pages = card_pages(ctx, entries, &newest, &next.cards);
            // The gallery, in the site's theme, a page at a time.
            let gallery = match themes.get(&config.theme) {
                Some(Ok(theme)) => {
                    let css_url = &css_urls[&config.theme];
                    Some(gallery(theme, &config, &output, css_url, &old_gallery, entries, &newest, &next.cards))
                }
                Some(Err(d)) if !theme_errors_reported.contains(&config.theme) => {
                    report.diagnostics.push(d.diagnostic().clone());
                    None
                }
                _ => None,
            };
            drop(newest);
            let mut broken_templates = Vec::new();
            for (slug, page) in pages {
                let card = next.cards.get_mut(&slug).expect("pages are made for recorded cards");
                match page {
                    PageMade::Same => {}
                    PageMade::Made(key) => card.page = key,
                    PageMade::Unwritten(d) => {
                        card.page.clear();
                        failures.push(d);
                    }
                    PageMade::Failed(theme, e) => {
                        // Made again by the next build.
                        card.key.clear();
                        card.page.clear();
                        if !broken_templates.contains(&theme.name) {
                            broken_templates.push(theme.name.clone());
                            report.diagnostics.push(template_diagnostic(&theme, "card.html", &e));
                        }
                    }
                }
            }
            match gallery {
                Some(Ok((problems, made))) => {
                    failures.extend(problems);
                    next.gallery = made;
                }
                Some(Err(site::GalleryError::Template(e))) => {
                    let theme = themes[&config.theme].as_ref().expect("the gallery was made");
                    report.diagnostics.push(template_diagnostic(theme, "gallery.html", &e))
                }
                Some(Err(site::GalleryError::NotFound(e))) => {
                    let theme = themes[&config.theme].as_ref().expect("the gallery was made");
                    report.diagnostics.push(template_diagnostic(theme, "404.html", &e))
                }
                Some(Err(site::GalleryError::Entry(e))) => failures.push(
                    Diagnostic::error(output.root().join(ENTRIES_FILE), 0, 0, e)
                        .with_hint("remove the output folder's .waxseal-cache to make every card again"),
                ),
                None => {}
            }
            if next.gallery.is_empty() {
                // Not made: the pages there stay, to be made again.
                next.gallery = old_gallery.keys().map(|file| (file.clone(), String::new())).collect();
            }
        } else {
            // No pages are made: those of an earlier build go.
            for file in old_gallery.keys() {
                if let Err(e) = output.remove(file) {
                    failures.push(Diagnostic::error(output.root().join(file), 0, 0, format!("cannot remove: {e}")));
                }
            }
        }
    });
    for (slug, result) in drawn.into_inner().expect("no panics while holding the lock") {
        let problems = match result {
            Ok(problems) => problems,
            Err(d) => vec![d],
        };
        if !problems.is_empty() {
            // Not all of its pictures were made: the next build tries again.
            if let Some(card) = next.cards.get_mut(&slug) {
                card.key.clear();
            }
            failures.extend(problems);
        }
    }
    failures.extend(ctx.seal_failures.into_inner().expect("no panics while holding the lock"));
    if !failures.is_empty() {
        // A page that could not be written must be made again next time.
        next.gallery.values_mut().for_each(String::clear);
    }
    if let Err(e) = compact(&output, entries, &mut next, 1 << 20) {
        let path = output.root().join(ENTRIES_FILE);
        failures.push(Diagnostic::error(path, 0, 0, format!("cannot tidy: {e}")));
    }
    if let Err(e) = output.write_streamed(CACHE_FILE, |out| next.write_json(out)) {
        let path = output.root().join(CACHE_FILE);
        failures.push(Diagnostic::error(path, 0, 0, format!("cannot write: {e}")));
    }
    for file in &stale {
        if let Err(e) = output.remove(file) {
            failures.push(Diagnostic::error(output.root().join(file), 0, 0, format!("cannot remove: {e}")));
        }
    }
    // After a killed build, the files it made that no card or page of this
    // one is (those of a message deleted since) go too; a message there
    // keeps its folder, even when its card failed.
    let repair = claim.interrupted().then(|| {
        let known: HashSet<&str> = next
            .cards
            .values()
            .flat_map(|c| &c.files)
            .chain(&next.site_files)
            .chain(next.gallery.keys())
            .map(String::as_str)
            .collect();
        move |file: &str| {
            known.contains(file)
                || file.starts_with("print/")
                || file
                    .strip_prefix("cards/")
                    .is_some_and(|rest| rest.rsplit_once('/').is_some_and(|(slug, _)| present_slugs.contains(slug)))
        }
    });
    if let Err(e) = claim.finish(&output, repair.as_ref().map(|keep| keep as &dyn Fn(&str) -> bool)) {
        let path = output.root().join(crate::output::MANIFEST_FILE);
        failures.push(Diagnostic::error(path, 0, 0, format!("cannot write: {e}")));
    }
    if !failures.is_empty() {
        report.fatal = true;
        report.diagnostics.extend(failures);
    }
    if report.reused == 0 && !report.fatal {
        // Every card was drawn: kept layers no card used are of old artwork.
        if let Err(e) = session.bases.forget_unused() {
            report.diagnostics.push(Diagnostic::warning(
                output.root().join(LAYERS_DIR),
                0,
                0,
                format!("cannot tidy: {e}"),
            ));
        }
    }
    if outputs.html && !config.base_url.contains("://") {
        report.relative_base_url = Some(config.base_url.clone());
    }
    report.changed = output.changed().into_iter().filter(|f| !f.starts_with(".waxseal-cache")).collect();
    report.diagnostics = once_per_message(std::mem::take(&mut report.diagnostics));
    report
}

/// Checks and claims the output folder `dir` of the site in `root` (see
/// [`Output::claim`]), saying so when it waits for another build to finish.
pub fn claim_output(root: &std::path::Path, dir: &std::path::Path) -> Result<(Output, Claim), Diagnostic> {
    let problem = |message: String| Diagnostic::error(dir, 0, 0, message);
    crate::output::check_place(root, dir).map_err(|e| problem(e.to_string()).with_hint(e.hint()))?;
    let output = Output::create(dir).map_err(|e| problem(format!("cannot create the output folder: {e}")))?;
    output
        .claim(|holder| eprintln!("waiting: another waxseal is writing {} ({holder})", dir.display()))
        .map_err(|e| problem(format!("cannot claim the output folder: {e}")))
}

/// The diagnostics with those that repeat one at the same place of a
/// message (the cards of a merged message share its text: a template
/// mistake fails every row the same way) folded into the first, whose hint
/// says how many more rows have it.
fn once_per_message(diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    // `row 3 of content/orders.csv: Field `x` is not defined. Available fields: ...` -> `Field `x` is not defined`.
    fn gist(message: &str) -> &str {
        let bare = message
            .strip_prefix("row ")
            .and_then(|rest| rest.split_once(": "))
            .filter(|(row, _)| row.split_once(" of ").is_some_and(|(n, _)| n.parse::<usize>().is_ok()))
            .map_or(message, |(_, rest)| rest);
        bare.split(". Available fields:").next().unwrap_or(bare)
    }
    let mut out: Vec<Diagnostic> = Vec::with_capacity(diagnostics.len());
    let mut more: Vec<usize> = Vec::with_capacity(diagnostics.len());
    let mut first: HashMap<(bool, PathBuf, usize, usize, String), usize> = HashMap::new();
    for d in diagnostics {
        let place = (d.is_error(), d.path.clone(), d.line, d.col, gist(&d.message).to_string());
        match first.get(&place) {
            Some(&i) if d.line > 0 => more[i] += 1,
            _ => {
                first.insert(place, out.len());
                out.push(d);
                more.push(0);
            }
        }
    }
    for (d, n) in out.iter_mut().zip(more).filter(|(_, n)| *n > 0) {
        let rows = if n == 1 { "1 more row".to_string() } else { format!("{n} more rows") };
        d.hint = Some(match d.hint.take() {
            Some(hint) => format!("{hint}\n  and the same for {rows}"),
            None => format!("the same for {rows}"),
        });
    }
    out
}

/// The files the gallery comes with.
const SITE_FILES: [&str; 4] = ["feed.xml", "sitemap.xml", "robots.txt", "404.html"];

/// At most this many cards' pictures are drawn in the background (see
/// [`Draw::Later`]).
const DRAWN_IN_THE_BACKGROUND: usize = 4;

/// Makes the gallery and each tag's, a page at a time, from `newest` (the
/// cards of `records`, newest first); a page whose inputs are as `old`
/// records and whose file is still there is left as it is, and a page
/// `old` records that is no longer made goes. Also makes the feed, the
/// sitemap, robots.txt and the 404 page. Returns the files that could not
/// be written or removed, and what each page was made from.
#[allow(clippy::too_many_arguments)]
fn gallery(
    theme: &Theme,
    config: &SiteConfig,
    output: &Output,
    css_url: &str,
    old: &BTreeMap<String, String>,
    entries: &Entries,
    newest: &[GalleryCard],
    records: &BTreeMap<String, CachedCard>,
) -> Result<(Vec<Diagnostic>, BTreeMap<String, String>), site::GalleryError> {
    let mut failures = Vec::new();
    let mut made = BTreeMap::new();
    let settings = serde_json::to_string(config).expect("settings are plain data");
    // A page is made from the site's settings, the theme, where it stands
    // among the pages and its cards: each card by its cache key, which
    // covers all it is made from (a card whose last build failed has none,
    // and is taken by its entry as it is).
    let mut unchanged = |file: &str, on_page: &[site::ListItem], place: &str| {
        let mut parts = vec![theme.fingerprint.as_bytes(), settings.as_bytes(), css_url.as_bytes(), place.as_bytes()];
        let failed: Vec<Vec<u8>> = on_page
            .iter()
            .filter_map(|item| records.get(item.card.slug).filter(|c| c.key.is_empty()))
            .map(|c| entries.line(&c.entry).unwrap_or_default())
            .collect();
        // A group's item shows how many cards it has.
        let counts: Vec<String> = on_page.iter().map(|item| item.cards.to_string()).collect();
        for (item, count) in on_page.iter().zip(&counts) {
            parts.push(item.card.slug.as_bytes());
            parts.push(records.get(item.card.slug).map_or("", |c| c.key.as_str()).as_bytes());
            parts.push(count.as_bytes());
        }
        parts.extend(failed.iter().map(Vec::as_slice));
        let key = hash::key(&parts);
        let same = old.get(file) == Some(&key) && output.is_file(file);
        made.insert(file.to_string(), key);
        same
    };
    let entry = |card: &GalleryCard| {
        let place = &records[card.slug].entry;
        entries.get(place).map_err(|e| format!("cannot read the gallery entry of `{}`: {e}", card.slug))
    };
    let mut write_page = |rel: &str, html: &str| failures.extend(write(output, rel, html.as_bytes()));
    // The gallery lists each merged message's cards as one item (see
    // `site::listing`), which leads to the pages of its cards.
    let items = site::listing(newest);
    let tags = site::tags(newest, config);
    let all_tags: Vec<site::TagLink> = tags.iter().map(|(tag, _)| tag.clone()).collect();
    let mut page_urls = Vec::new();
    let mut listings: Vec<(site::Listed, &[site::ListItem])> = vec![(site::Listed::All, &items)];
    listings.extend(tags.iter().map(|(tag, items)| (site::Listed::Tag(tag), items.as_slice())));
    for (listed, items) in listings {
        let pages =
            site::gallery(theme, config, listed, items, &all_tags, css_url, &mut unchanged, entry, &mut write_page)?;
        page_urls.extend((1..=pages).map(|page| listed.page_url(config, page)));
    }
    for (group, cards) in &site::groups(newest, config) {
        let items: Vec<site::ListItem> = cards.iter().map(|card| site::ListItem { card: *card, cards: 0 }).collect();
        let listed = site::Listed::Group(group);
        let pages =
            site::gallery(theme, config, listed, &items, &all_tags, css_url, &mut unchanged, entry, &mut write_page)?;
        page_urls.extend((1..=pages).map(|page| listed.page_url(config, page)));
    }

    // The feed of the newest items (a group as one entry, its title saying
    // how many cards it has; hidden cards left out), the sitemap (every
    // card's page) and robots.txt.
    let feed_cards = items
        .iter()
        .take(feeds::FEED_CARDS)
        .map(|item| {
            let mut card = site::list_entry(config, item, entry(&item.card)?).card;
            if item.cards > 0 {
                card.title = format!("{} ({} cards)", card.title, item.cards);
            }
            Ok(card)
        })
        .collect::<Result<Vec<_>, String>>();
    failures.extend(write(
        output,
        "feed.xml",
        feeds::atom(config, &feed_cards.map_err(site::GalleryError::Entry)?).as_bytes(),
    ));
    let card_urls: Vec<(String, &str)> =
        records.iter().map(|(slug, c)| (site::card_url(config, slug), c.entry.date.as_str())).collect();
    let sitemap = feeds::sitemap(page_urls.into_iter(), card_urls.iter().map(|(url, date)| (url.as_str(), *date)));
    failures.extend(write(output, "sitemap.xml", sitemap.as_bytes()));
    failures.extend(write(output, "robots.txt", feeds::robots(config).as_bytes()));
    let not_found = site::not_found_page(theme, config, css_url).map_err(site::GalleryError::NotFound)?;
    failures.extend(write(output, "404.html", not_found.as_bytes()));
    // Pages no longer made: the site has fewer cards, or a tag is gone.
    for file in old.keys().filter(|file| !made.contains_key(*file)) {
        if let Err(e) = output.remove(file) {
            failures.push(Diagnostic::error(output.root().join(file), 0, 0, format!("cannot remove: {e}")));
        }
    }
    Ok((failures, made))
}

/// What became of a card's page.
enum PageMade {
    /// Its inputs are as its record says: it was left as it is.
    Same,
    /// Made and written, from these inputs (hashed).
    Made(String),
    /// Made, but it could not be written.
    Unwritten(Diagnostic),
    /// Its theme's template failed.
    Failed(Arc<Theme>, tera::Error),
}

/// Makes each card's page in its theme, with links to the cards beside it
/// in `newest` (the gallery's order; a grouped card's among its group's
/// cards, see `site::neighbours`); a page whose inputs are as its record
/// says is left as it is.
fn card_pages(
    ctx: &CardContext,
    entries: &Entries,
    newest: &[GalleryCard],
    records: &BTreeMap<String, CachedCard>,
) -> Vec<(String, PageMade)> {
    let config = ctx.config;
    site::neighbours(config, newest)
        .into_par_iter()
        .map(|site::Beside { card, newer, older, group }| {
            let record = &records[card.slug];
            // A card whose last build failed has no key: it is taken by its
            // entry as it is.
            let line = if record.key.is_empty() { entries.line(&record.entry).ok() } else { None };
            let made_from = line.as_deref().unwrap_or(record.key.as_bytes());
            let beside = serde_json::to_string(&(&newer, &older, &group)).expect("plain data");
            let key = hash::key(&[made_from, beside.as_bytes()]);
            if key == record.page {
                return (card.slug.to_string(), PageMade::Same);
            }
            let page = (|| {
                let entry = match entries.get(&record.entry) {
                    Ok(entry) => entry,
                    Err(e) => {
                        let path = ctx.output.root().join(ENTRIES_FILE);
                        let d = Diagnostic::error(path, 0, 0, format!("cannot read the entry of `{}`: {e}", card.slug));
                        return PageMade::Unwritten(d);
                    }
                };
                let Some(Ok(theme)) = ctx.themes.get(&entry.theme) else {
                    // Its theme is broken now (reported with the card): the page stays.
                    return PageMade::Same;
                };
                let css_url = &ctx.css_urls[&theme.name];
                let (newer, older, group) = (newer.as_ref(), older.as_ref(), group.as_ref());
                match site::card_page(theme, config, &entry, css_url, newer, older, group) {
                    Ok(html) => match write(ctx.output, &format!("cards/{}/index.html", card.slug), html.as_bytes()) {
                        None => PageMade::Made(key),
                        Some(d) => PageMade::Unwritten(d),
                    },
                    Err(e) => PageMade::Failed(theme.clone(), e),
                }
            })();
            (card.slug.to_string(), page)
        })
        .collect()
}

/// Rewrites the entries file with only the entries `cache` refers to, when
/// more than half of it (and over `slack` bytes) is of cards made again or
/// gone since.
fn compact(output: &Output, entries: &Entries, cache: &mut BuildCache, slack: u64) -> std::io::Result<()> {
    let live: u64 = cache.cards.values().map(|c| u64::from(c.entry.len)).sum();
    if entries.size() <= 2 * live + slack {
        return Ok(());
    }
    let mut places = Vec::with_capacity(cache.cards.len());
    let id = cache::new_id();
    output.write_streamed(ENTRIES_FILE, |out| {
        let head = cache::id_line(&id);
        out.write_all(&head)?;
        let mut at = head.len() as u64;
        for card in cache.cards.values() {
            let line = entries.line(&card.entry)?;
            out.write_all(&line)?;
            places.push(at);
            at += line.len() as u64;
        }
        Ok(())
    })?;
    for (card, at) in cache.cards.values_mut().zip(places) {
        card.entry.at = at;
    }
    cache.entries_id = id;
    Ok(())
}

/// Writes one output file; a failure is a diagnostic.
fn write(output: &Output, rel: &str, bytes: &[u8]) -> Option<Diagnostic> {
    output
        .write(rel, bytes)
        .err()
        .map(|e| Diagnostic::error(output.root().join(rel), 0, 0, format!("cannot write: {e}")))
}

/// What every card of a build shares.
struct CardContext<'a> {
    config: &'a SiteConfig,
    themes: &'a BTreeMap<String, Result<Arc<Theme>, theme::LoadError>>,
    body_tera: &'a tera::Tera,
    output: &'a Output,
    css_urls: &'a HashMap<String, String>,
    bases: &'a render::BaseCache,
    page_seals: &'a Mutex<HashMap<String, (String, Arc<String>)>>,
    /// Seal files written by this build (each once).
    seals_written: Mutex<HashSet<String>>,
    seal_failures: Mutex<Vec<Diagnostic>>,
    outputs: Outputs,
    optimize: bool,
}

/// The seal for the card page: a small standalone SVG, its initials as
/// outlines (an `<img>` cannot use the page's fonts), written once per
/// variant as `assets/seals/HASH.svg`. Returns the file's path in the output
/// folder.
fn page_seal(ctx: &CardContext, theme: &Theme, seal: &SealSpec, seed: u64, r: f64) -> Option<String> {
    let key = format!("{}|{seal:?}|{seed}|{r}", theme.name);
    let known = ctx.page_seals.lock().expect("no panics while holding the lock").get(&key).cloned();
    let (rel, svg) = match known {
        Some(known) => known,
        None => {
            let family = &theme.face(theme::FontRole::Bold).family;
            let group = crate::seal::seal_svg(seal, r * 1.25, r * 1.25, r, seed, "seal", family).ok()?;
            let source = format!(
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{s:.0}\" height=\"{s:.0}\" viewBox=\"0 0 {s:.0} {s:.0}\">{group}</svg>",
                s = r * 2.5
            );
            let tree = render::parse(theme, &source).ok()?;
            let svg = Arc::new(render::standalone_svg(theme, &source, &tree));
            let hash: String = Sha256::digest(svg.as_bytes()).iter().take(6).map(|b| format!("{b:02x}")).collect();
            let rel = format!("assets/seals/{hash}.svg");
            ctx.page_seals.lock().expect("no panics while holding the lock").insert(key, (rel.clone(), svg.clone()));
            (rel, svg)
        }
    };
    // Written by the first card of this build that shows it.
    if ctx.seals_written.lock().expect("no panics while holding the lock").insert(rel.clone()) {
        if let Some(failure) = write(ctx.output, &rel, svg.as_bytes()) {
            ctx.seal_failures.lock().expect("no panics while holding the lock").push(failure);
        }
    }
    Some(rel)
}

/// What became of one message.
struct Outcome {
    slug: String,
    /// Its theme's name.
    theme: String,
    /// Its cache key.
    key: String,
    /// The cache key of its pictures.
    picture_key: String,
    /// The card made, `None` when it was unchanged, or why it failed.
    result: Result<Option<Made>, Diagnostic>,
}

/// What a build keeps of a card it made until it is recorded in the cache.
struct Made {
    /// Where its gallery entry went.
    entry: std::io::Result<cache::EntryRef>,
    files: Vec<String>,
    warnings: Vec<Diagnostic>,
    /// Files that could not be written.
    failures: Vec<Diagnostic>,
    /// Its pictures were drawn (not kept from the last build).
    drawn: bool,
}

/// A card that was built and written.
struct CardDone {
    /// What the gallery needs (the page's own HTML and seal are dropped).
    entry: CardEntry,
    warnings: Vec<Diagnostic>,
    /// Files that could not be written.
    failures: Vec<Diagnostic>,
    /// The card's files, relative to the output folder.
    files: Vec<String>,
    /// Its pictures were drawn (not kept from the last build).
    drawn: bool,
    /// Its pictures, when they are drawn after the pages.
    later: Option<Pictures>,
}

/// Drops the later of two cards with one slug, with an error naming both
/// (for a merged card, its row).
fn unique_slugs(messages: Vec<Head>, diagnostics: &mut Vec<Diagnostic>) -> Vec<Head> {
    let mut seen: HashMap<String, String> = HashMap::new();
    let mut out = Vec::new();
    for m in messages {
        if let Some(first) = seen.get(&m.slug) {
            let d = match &m.row {
                Some(row) => Diagnostic::error(
                    &*row.file,
                    row.place.line,
                    1,
                    format!("row {}: slug `{}` is already used by {first}", row.place.number, m.slug),
                )
                .with_hint(format!(
                    "the `slug:` of {} must give each row its own: use a field that differs from row to row, such as an order number",
                    m.source.display()
                )),
                None => Diagnostic::error(
                    &m.source,
                    m.slug_line,
                    1,
                    format!("slug `{}` is already used by {first}", m.slug),
                )
                .with_hint("set a different `slug:` in the front matter"),
            };
            diagnostics.push(d);
            continue;
        }
        seen.insert(m.slug.clone(), m.describe());
        out.push(m);
    }
    out
}

/// What a build keeps of a message (or of one row of a merged message)
/// until its card is made, when the message is read again: a build never
/// holds every message or row at once.
struct Head {
    /// Its file.
    path: PathBuf,
    /// Its file as diagnostics name it.
    source: PathBuf,
    slug: String,
    /// The line of its `slug:`, or of its body.
    slug_line: usize,
    /// Its `theme:`.
    theme: Option<String>,
    /// See [`Message::digest`] (a merged card's covers its row).
    digest: [u8; 32],
    /// The row a merged card is made from.
    row: Option<HeadRow>,
}

/// Where a merged card's row is.
struct HeadRow {
    /// The rows' file, as diagnostics name it (shared by the rows of one file).
    file: Arc<PathBuf>,
    place: RowPlace,
}

impl Head {
    fn of(path: &std::path::Path, m: Message) -> Head {
        Head {
            path: path.to_path_buf(),
            slug_line: m.line_of("slug"),
            source: m.source,
            slug: m.slug,
            theme: m.front.theme,
            digest: m.digest,
            row: None,
        }
    }

    /// `content/a.md`, or `row 3 of content/orders.csv (line 4)`.
    fn describe(&self) -> String {
        match &self.row {
            Some(row) => format!("row {} of {} (line {})", row.place.number, row.file.display(), row.place.line),
            None => self.source.display().to_string(),
        }
    }
}

/// The cards one message file makes, before they are made.
#[derive(Default)]
struct Heads {
    /// One for a message; one per good row for a merged message.
    heads: Vec<Head>,
    /// Its problems: the message's, or its rows'.
    problems: Vec<Diagnostic>,
    /// Drafts left out.
    drafts: usize,
    /// The slug of a message that could not be read (or whose rows could
    /// not be read on): its cards of the last build stay.
    unreadable: Option<String>,
}

/// Reads message `path`; a merged message's rows are read one at a time
/// and each kept as where it is, with its card's slug and digest.
fn heads_of(
    session: &Session,
    root: &std::path::Path,
    path: &std::path::Path,
    tera: &tera::Tera,
    config: &SiteConfig,
    drafts: bool,
) -> Heads {
    let mut out = Heads::default();
    let path_slug = || {
        let rel = path.strip_prefix(root.join("content")).unwrap_or(path).with_extension("");
        rel.to_string_lossy().replace('\\', "/")
    };
    let m = match session.read_message(root, path) {
        Ok(m) => m,
        Err(d) => {
            out.problems.push(d);
            out.unreadable = Some(path_slug());
            return out;
        }
    };
    if m.front.draft && !drafts {
        out.drafts = 1;
        return out;
    }
    if !m.is_merged() {
        out.heads.push(Head::of(path, m));
        return out;
    }
    let file = match RowsFile::of(root, path, &m) {
        Ok(file) => file,
        Err(d) => {
            out.problems.push(d);
            out.unreadable = Some(m.slug);
            return out;
        }
    };
    let rows = match file.rows() {
        Ok(rows) => rows,
        Err(d) => {
            out.problems.push(d);
            out.unreadable = Some(m.slug);
            return out;
        }
    };
    let shown = Arc::new(file.shown().to_path_buf());
    for row in rows {
        let row = match row {
            Ok(row) => row,
            Err(e) => {
                if e.last {
                    // The file could not be read on: the cards of the rows after stay.
                    out.unreadable = Some(m.slug.clone());
                }
                out.problems.push(e.diagnostic);
                continue;
            }
        };
        let place = row.place;
        let card = recipients::with_row(&m, &file, row);
        match recipients::card_slug(&card, tera, config) {
            Ok(slug) => out.heads.push(Head {
                path: path.to_path_buf(),
                source: m.source.clone(),
                slug,
                slug_line: m.line_of("slug"),
                theme: m.front.theme.clone(),
                digest: card.digest,
                row: Some(HeadRow { file: shown.clone(), place }),
            }),
            Err(d) => out.problems.push(d),
        }
    }
    if out.heads.is_empty() && out.problems.is_empty() {
        let (line, col) = m.value_place("recipients");
        out.problems.push(
            Diagnostic::warning(&m.source, line, col, format!("{} has no rows: no cards are made", shown.display()))
                .with_hint("add a row for each card under the header"),
        );
    }
    out
}

/// The message of the card of the row at `place` of merged message `m` (at
/// `path`): the row read again, the front matter rendered with it.
fn merged_card(
    root: &std::path::Path,
    path: &std::path::Path,
    m: &Message,
    place: RowPlace,
    tera: &tera::Tera,
    config: &SiteConfig,
) -> Result<Message, Diagnostic> {
    let file = RowsFile::of(root, path, m)?;
    let row = file.row_at(place)?;
    recipients::card_message(recipients::with_row(m, &file, row), tera, config)
}

fn template_diagnostic(theme: &Theme, template: &str, e: &tera::Error) -> Diagnostic {
    let (line, col, message) = crate::template::tera_location(e);
    Diagnostic::error(theme.origin(crate::template::tera_file(e).unwrap_or(template)), line, col, message)
}

/// A message laid out on its card: everything a card is made of but the drawing.
pub struct LaidCard {
    /// Its size.
    pub size: CardSize,
    /// Its seal.
    pub seal: SealSpec,
    /// Its variant of the seal and artwork.
    pub seed: u64,
    /// The message as rich text and HTML.
    pub markup: markup::Markup,
    /// The message as plain text.
    pub alt: String,
    /// The title, with smart punctuation.
    pub title: Option<String>,
    /// The signature line.
    pub signature: Option<String>,
    /// Where things go on the card.
    pub boxes: render::Boxes,
    /// The text, set.
    pub laid: layout::Layout,
}

/// Lays message `m` out on its card in `theme` (its body template run, its
/// Markdown read, its text fitted), as every build does.
pub fn lay_out(
    theme: &Theme,
    config: &SiteConfig,
    body_tera: &tera::Tera,
    m: &Message,
) -> Result<LaidCard, Diagnostic> {
    let front = &m.front;
    let size_name = front.size.as_deref().unwrap_or(&config.size);
    let size = CardSize::named(size_name, config.dpi).ok_or_else(|| {
        let names = render::size_names();
        let hint = match did_you_mean(size_name, names.iter().copied()) {
            Some(best) => format!("did you mean `{best}`?"),
            None => format!("sizes: {} (add -landscape to turn one)", names.join(", ")),
        };
        let (line, col) = if front.size.is_some() { m.value_place("size") } else { (m.body_line, 1) };
        Diagnostic::error(&m.source, line, col, format!("unknown card size `{size_name}`")).with_hint(hint)
    })?;
    let seal = seal_spec(theme, m)?;
    let body = content::render_body(body_tera, m, config)?;
    let markup = markup::render(&body, config.raw_html).map_err(|e| {
        // The body's lines as the template made them: the same as the file's
        // but where a template tag spans or makes lines.
        Diagnostic::error(&m.source, m.body_line + e.line - 1, e.col, e.to_string())
            .with_hint("a card's text nests a few levels at most: take out some of the `>`, list markers or `*`")
    })?;
    let alt = markup.rich.plain_text();
    let boxes = render::boxes(theme, size);
    let frame = boxes.frame(size);
    let signature =
        front.from.as_ref().map(|from| markup::smarten(format!("{} {}", theme.spec.text.sign_off, from).trim()));
    let title = front.title.as_deref().map(markup::smarten);
    let lang = front.lang.as_deref().or(config.lang.as_deref()).and_then(content::hyphenation_lang);
    let text = layout::Content { title: title.as_deref(), text: &markup.rich, signature: signature.as_deref(), lang };
    let laid = layout::layout(theme, text, frame).map_err(|e| layout_diagnostic(m, &e))?;
    Ok(LaidCard { size, seal, seed: seed_of(&m.slug), markup, alt, title, signature, boxes, laid })
}

impl LaidCard {
    /// The card's SVG from the theme's template, and its tree, ready to draw.
    pub fn draw(&self, theme: &Theme, m: &Message) -> Result<(render::CardSvg, resvg::usvg::Tree), Diagnostic> {
        let svg = render::card_svg(theme, self.size, &self.content()).map_err(|e| svg_diagnostic(theme, m, e))?;
        let tree = render::parse(theme, &svg.full).map_err(|e| svg_diagnostic(theme, m, e))?;
        Ok((svg, tree))
    }

    /// The card's SVG for print, its artwork run on `bleed` points past each
    /// edge (what the PDF is made from; [`LaidCard::draw`] checks the rest).
    pub fn print_svg(&self, theme: &Theme, m: &Message, bleed: f32) -> Result<render::PrintSvg, Diagnostic> {
        let bleed_px = bleed / 72.0 * self.size.ppi;
        render::print_svg(theme, self.size, &self.content(), bleed_px).map_err(|e| svg_diagnostic(theme, m, e))
    }

    /// What the theme's card template is given.
    fn content(&self) -> CardContent<'_> {
        CardContent {
            title: self.title.as_deref(),
            layout: &self.laid,
            seal: &self.seal,
            seed: self.seed,
            alt: &self.alt,
        }
    }
}

/// A card SVG that could not be made: at the theme's card.svg (the
/// template's line, or the line that names what it may not use), or at the
/// message's seal (a seal it asks for that cannot be drawn).
fn svg_diagnostic(theme: &Theme, m: &Message, e: render::RenderError) -> Diagnostic {
    use render::RenderError;
    let template =
        || String::from_utf8_lossy(theme.files.get("card.svg").map_or(&[][..], |b| b.as_slice())).into_owned();
    let at = |needle: &str| {
        let (line, col) = locate(&template(), needle).unwrap_or((0, 0));
        Diagnostic::error(theme.origin("card.svg"), line, col, e.to_string())
    };
    match &e {
        RenderError::Template(line, col, message) => Diagnostic::error(theme.origin("card.svg"), *line, *col, message),
        RenderError::External(reference) => at(reference),
        RenderError::Svg(message) if message.contains("DTD") => at("<!DOCTYPE"),
        RenderError::Svg(_) | RenderError::ImageTooLarge(..) => at(""),
        RenderError::Seal(_) => Diagnostic::error(&m.source, m.line_of("seal"), 1, e.to_string()),
    }
}

/// The 1-based line and column of the first `needle` in `text`.
fn locate(text: &str, needle: &str) -> Option<(usize, usize)> {
    if needle.is_empty() {
        return None;
    }
    text.lines().enumerate().find_map(|(i, line)| line.find(needle).map(|at| (i + 1, line[..at].chars().count() + 1)))
}

/// Everything for one card: body template, Markdown, layout, SVG, PNGs, page data.
/// Makes the card of `m`: its pictures (when `draw`; else they are as the
/// last build left them) and its page.
fn build_card(ctx: &CardContext, m: &Message, draw: Draw) -> Result<CardDone, Diagnostic> {
    let (config, themes, body_tera) = (ctx.config, ctx.themes, ctx.body_tera);
    let front = &m.front;
    let theme_name = front.theme.as_deref().unwrap_or(&config.theme);
    let theme = match themes.get(theme_name) {
        Some(Ok(theme)) => theme,
        // The theme's own error is reported once, before this one.
        Some(Err(theme::LoadError::Broken(d))) => {
            let (line, col) = if front.theme.is_some() { m.value_place("theme") } else { (m.body_line, 1) };
            let place = match d.line {
                0 => d.path.display().to_string(),
                line => format!("{}:{line}", d.path.display()),
            };
            return Err(Diagnostic::error(&m.source, line, col, format!("theme `{theme_name}` cannot be used"))
                .with_hint(format!("fix the theme's error at {place} first")));
        }
        _ => {
            let mut known = theme::built_in_names();
            known.sort();
            let hint = match did_you_mean(theme_name, known.iter().copied()) {
                Some(best) => format!("did you mean `{best}`?"),
                None => format!("built-in themes: {}; or create themes/{theme_name}/theme.yaml", known.join(", ")),
            };
            let (line, col) = if front.theme.is_some() { m.value_place("theme") } else { (m.body_line, 1) };
            return Err(
                Diagnostic::error(&m.source, line, col, format!("unknown theme `{theme_name}`")).with_hint(hint)
            );
        }
    };
    let card = lay_out(theme, config, body_tera, m)?;
    let LaidCard { size, seal, seed, markup, alt, title: title_text, signature, boxes, laid } = &card;
    let (size, seed) = (*size, *seed);
    let px_per_pt = size.px_per_pt();
    let dir = format!("cards/{}", m.slug);
    let mut failures = Vec::new();
    let mut files = Vec::new();
    // Its pictures, drawn now or (when `draw` is off) kept from the last build.
    if ctx.outputs.png {
        files.extend([format!("{dir}/card.png"), format!("{dir}/thumb.png"), format!("{dir}/share.png")]);
    }
    if ctx.outputs.svg {
        files.push(format!("{dir}/card.svg"));
    }
    if ctx.outputs.pdf {
        files.push(format!("{dir}/card.pdf"));
    }
    // The email, unless its address is not one: then the card's other files
    // are made, and the error is the card's (reported again while it stands).
    let mut problems = Vec::new();
    let email = match ctx.outputs.email {
        true => match card_email(ctx, theme, m, &card) {
            Ok(email) => Some(email),
            Err(CardEmailError::Address(d)) => {
                problems.push(d);
                None
            }
            Err(CardEmailError::Template(e)) => return Err(template_diagnostic(theme, crate::email::TEMPLATE, &e)),
            Err(CardEmailError::Missing(d)) => return Err(d),
        },
        false => None,
    };
    if email.is_some() {
        files.push(format!("{dir}/{}", crate::email::FILE));
    }
    // Drawn only when one of them is asked for.
    let mut later = None;
    if draw != Draw::Keep && ctx.outputs.pictures() {
        let (svg, tree) = card.draw(theme, m)?;
        let print = match ctx.outputs.pdf {
            true => Some(PrintJob {
                svg: card.print_svg(theme, m, ctx.config.print.bleed.points() as f32)?,
                size,
                title: title_text.clone().unwrap_or_else(|| first_words(alt, 6)),
            }),
            false => None,
        };
        let pictures =
            Pictures { slug: m.slug.clone(), theme: theme.clone(), svg, tree, width: size.width, print, email };
        if draw == Draw::Later {
            later = Some(pictures);
        } else {
            failures.extend(draw_pictures(ctx, &pictures)?);
        }
    }
    let thumb_height = (size.height as f32 * THUMB_WIDTH as f32 / size.width as f32).round() as u32;

    let base = site::card_url(config, &m.slug);
    let title = title_text.clone().unwrap_or_else(|| first_words(alt, 6));
    let seal_file = if ctx.outputs.html { page_seal(ctx, theme, seal, seed, boxes.seal.2 as f64) } else { None };
    if let Some(rel) = &seal_file {
        files.push(rel.clone());
    }
    let entry = CardEntry {
        slug: m.slug.clone(),
        has_title: front.title.is_some(),
        title,
        url: base.clone(),
        png: if ctx.outputs.png { format!("{base}card.png") } else { String::new() },
        svg: if ctx.outputs.svg { format!("{base}card.svg") } else { String::new() },
        pdf: if ctx.outputs.pdf { format!("{base}card.pdf") } else { String::new() },
        thumb: if ctx.outputs.png { format!("{base}thumb.png") } else { String::new() },
        share: if ctx.outputs.png { format!("{base}share.png") } else { String::new() },
        description: first_sentence(alt),
        thumb_width: THUMB_WIDTH,
        thumb_height,
        width: size.width,
        height: size.height,
        date: m.date.map(|d| d.date().to_string()).unwrap_or_default(),
        date_display: m.date.map(|d| d.strftime("%B %-d, %Y").to_string()).unwrap_or_default(),
        tags: front.tags.clone(),
        to: front.to.clone().unwrap_or_default(),
        from: front.from.clone().unwrap_or_default(),
        signature: signature.clone().unwrap_or_default(),
        alt: alt.clone(),
        html: markup.html.clone(),
        seal: seal_file.map(|rel| format!("{}{rel}", config.base_url)).unwrap_or_default(),
        theme: theme.name.clone(),
        style: page_style(theme, laid, boxes, size, px_per_pt),
        group: m.recipient.as_ref().map(|r| r.group.clone()).unwrap_or_default(),
        listing: match (front.gallery, m.recipient.is_some()) {
            (GalleryMode::Hidden, _) => Listing::Hidden,
            (GalleryMode::Default | GalleryMode::Group, true) => Listing::Group,
            _ => Listing::Card,
        },
    };
    if ctx.outputs.html {
        // Made with the gallery, which knows the cards beside it.
        files.push(format!("{dir}/index.html"));
    }
    let mut warnings: Vec<Diagnostic> = laid.missing.iter().map(|ch| missing_glyph_warning(m, theme, *ch)).collect();
    warnings.extend(problems);
    let drawn = draw != Draw::Keep && ctx.outputs.pictures();
    Ok(CardDone { entry, warnings, failures, files, drawn, later })
}

/// Why a card's email could not be made.
enum CardEmailError {
    /// Its address is not one: an error of the card, whose other files are made.
    Address(Diagnostic),
    /// The theme's email template failed.
    Template(tera::Error),
    /// The theme has no email template.
    Missing(Diagnostic),
}

/// The email of card `m`, but for its picture: the headers, the note as
/// plain text and the HTML of the theme's `email.html.tera`.
fn card_email(
    ctx: &CardContext,
    theme: &Theme,
    m: &Message,
    card: &LaidCard,
) -> Result<crate::email::Email, CardEmailError> {
    use crate::email::{self, Email, EmailPage, Mailbox};
    let config = ctx.config;
    if !theme.files.contains_key(email::TEMPLATE) {
        let yaml = theme.origin("theme.yaml");
        let path = yaml.parent().map_or_else(|| email::TEMPLATE.into(), |dir| dir.join(email::TEMPLATE));
        return Err(CardEmailError::Missing(
            Diagnostic::error(path, 0, 0, format!("the theme `{}` has no email template", theme.name))
                .with_hint("add an email.html.tera (see docs/themes.md), or `extends: chocolate` in its theme.yaml"),
        ));
    }
    let to = email::recipient(m).map_err(CardEmailError::Address)?;
    let mailbox = |text: &Option<String>| text.as_deref().and_then(|t| Mailbox::parse(t).ok());
    let from = mailbox(&config.email.from).expect("a build with emails has a valid `email.from`");
    let mut email = Email {
        slug: m.slug.clone(),
        from,
        reply_to: mailbox(&config.email.reply_to),
        to,
        subject: email::one_line(&card.title.clone().unwrap_or_else(|| first_words(&card.alt, 6)))
            .unwrap_or_else(|| "Untitled card".into()),
        date: email::date_of(m.front.date.as_deref(), m.date),
        text: String::new(),
        html: String::new(),
    };
    let mut text = email::plain_text(&card.markup.rich);
    if let Some(signature) = &card.signature {
        text.push_str(&format!("\n\n{signature}"));
    }
    text.push('\n');
    email.text = text;
    let date = m.date.map(|d| d.date().to_string()).unwrap_or_default();
    let date_display = m.date.map(|d| d.strftime("%B %-d, %Y").to_string()).unwrap_or_default();
    // The site's pages and fonts can be linked only from where it is published.
    let published = ctx.outputs.html && config.base_url.contains("://");
    let card_url = if published { site::card_url(config, &m.slug) } else { String::new() };
    let font_urls: Vec<(String, String)> = match published {
        true => theme.faces.values().map(|face| (face.file.clone(), site::font_url(config, face))).collect(),
        false => Vec::new(),
    };
    let page = EmailPage::new(
        theme,
        &email,
        m.front.title.is_some(),
        &card.markup.html,
        card.signature.as_deref().unwrap_or(""),
        (&date, &date_display),
        (card.size.width, card.size.height, &card.alt),
        card_url,
        &font_urls,
    );
    let mut context = tera::Context::new();
    context.insert("site", config);
    context.insert("email", &page);
    let html = theme.templates.render(email::TEMPLATE, &context).map_err(CardEmailError::Template)?;
    email.html = html;
    Ok(email)
}

/// The 1-based line of top-level key `key` in the site's waxseal.yaml (0
/// when it is not there).
fn config_line(root: &std::path::Path, key: &str) -> usize {
    let text = std::fs::read_to_string(root.join(crate::config::CONFIG_FILE)).unwrap_or_default();
    text.lines().position(|l| l.starts_with(key) && l[key.len()..].trim_start().starts_with(':')).map_or(0, |i| i + 1)
}

/// Whether, and when, a card's pictures are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Draw {
    /// They are as the last build left them: only the page is made.
    Keep,
    /// Now, as the card is made.
    Now,
    /// In the background, while the other cards and the gallery are made.
    Later,
}

/// A card's pictures, laid out and parsed, to be drawn and written.
struct Pictures {
    slug: String,
    theme: Arc<Theme>,
    svg: render::CardSvg,
    tree: resvg::usvg::Tree,
    /// The card's width in pixels.
    width: u32,
    /// What its print PDF is made from, when one is asked for.
    print: Option<PrintJob>,
    /// Its email, made with the PNG, when one is asked for.
    email: Option<crate::email::Email>,
}

/// A card's print PDF, to be made.
struct PrintJob {
    svg: render::PrintSvg,
    size: CardSize,
    /// The PDF's title.
    title: String,
}

impl PrintJob {
    /// The card, parsed for the PDF.
    fn card(&self, theme: &Theme) -> Result<crate::pdf::PrintCard, Diagnostic> {
        crate::pdf::PrintCard::new(theme, self.size, &self.svg)
            .map_err(|e| Diagnostic::error(theme.origin("card.svg"), 0, 0, e.to_string()))
    }
}

/// Draws and writes a card's PNG, thumbnail and SVG (those asked for);
/// returns the files that could not be written.
fn draw_pictures(ctx: &CardContext, pictures: &Pictures) -> Result<Vec<Diagnostic>, Diagnostic> {
    if ctx.output.is_in_memory() {
        return note_pictures(ctx, pictures);
    }
    let Pictures { slug, theme, svg, tree, width, print, email } = pictures;
    let dir = format!("cards/{slug}");
    let draw = |width: u32| {
        render::rasterize_layered(ctx.bases, theme, svg, tree, width)
            .map_err(|e| Diagnostic::error(theme.origin("card.svg"), 0, 0, e.to_string()))
    };
    let encode = |pixmap: &tiny_skia::Pixmap| render::encode_png(pixmap, ctx.config.dpi, ctx.optimize);
    // The card PNG, written as card.png and put into the email (drawn for
    // the email alone when card.png is not asked for).
    let write_card = || -> Result<Vec<Diagnostic>, Diagnostic> {
        let mut failures = Vec::new();
        if !ctx.outputs.png && email.is_none() {
            return Ok(failures);
        }
        let png = encode(&draw(*width)?);
        if ctx.outputs.png {
            failures.extend(write(ctx.output, &format!("{dir}/card.png"), &png));
        }
        if let Some(email) = email {
            failures.extend(write(ctx.output, &format!("{dir}/{}", crate::email::FILE), &email.eml(&png)));
        }
        Ok(failures)
    };
    let write_pdf = |job: &PrintJob| -> Result<Option<Diagnostic>, Diagnostic> {
        let pdf = crate::pdf::card_pdf(&job.card(theme)?, &ctx.config.print, &job.title)
            .map_err(|e| Diagnostic::error(theme.origin("card.svg"), 0, 0, e.to_string()))?;
        Ok(write(ctx.output, &format!("{dir}/card.pdf"), &pdf))
    };
    // The big PNG on one core, the thumbnail, the SVG and the PDF on
    // another: a rebuild of one card then takes half the time.
    let (card, rest) = rayon::join(write_card, || -> Result<Vec<Diagnostic>, Diagnostic> {
        let mut failures = Vec::new();
        if ctx.outputs.png {
            // The link preview is the thumbnail on a wider sheet.
            let thumb = draw(THUMB_WIDTH)?;
            failures.extend(write(ctx.output, &format!("{dir}/thumb.png"), &encode(&thumb)));
            let share = render::share_picture(theme, &thumb)
                .map_err(|e| Diagnostic::error(theme.origin("card.svg"), 0, 0, e.to_string()))?;
            failures.extend(write(ctx.output, &format!("{dir}/share.png"), &encode(&share)));
        }
        if ctx.outputs.svg {
            let standalone = render::standalone_svg(theme, &svg.full, tree);
            failures.extend(write(ctx.output, &format!("{dir}/card.svg"), standalone.as_bytes()));
        }
        if let Some(job) = print {
            failures.extend(write_pdf(job)?);
        }
        Ok(failures)
    });
    let mut failures = card?;
    failures.extend(rest?);
    Ok(failures)
}

/// Notes a card's PNG, thumbnail, link-preview picture and PDF as there
/// without drawing them, and writes its SVG (those asked for), into an
/// output kept in memory (`check`). Drawing would find no other problem (the card's SVG
/// is made and parsed already; what else drawing parses is checked here),
/// and it would take most of a check's time.
fn note_pictures(ctx: &CardContext, pictures: &Pictures) -> Result<Vec<Diagnostic>, Diagnostic> {
    let Pictures { slug, theme, svg, tree, print, email, .. } = pictures;
    let dir = format!("cards/{slug}");
    let mut failures = Vec::new();
    if email.is_some() {
        // Its text is made (and its template checked) already.
        failures.extend(write(ctx.output, &format!("{dir}/{}", crate::email::FILE), &[]));
    }
    if let Some(job) = print {
        // Parsed for the PDF, not drawn.
        job.card(theme)?;
        failures.extend(write(ctx.output, &format!("{dir}/card.pdf"), &[]));
    }
    if ctx.outputs.png {
        render::check_layered(theme, svg, tree)
            .map_err(|e| Diagnostic::error(theme.origin("card.svg"), 0, 0, e.to_string()))?;
        for name in ["card.png", "thumb.png", "share.png"] {
            failures.extend(write(ctx.output, &format!("{dir}/{name}"), &[]));
        }
    }
    if ctx.outputs.svg {
        let standalone = render::standalone_svg(theme, &svg.full, tree);
        failures.extend(write(ctx.output, &format!("{dir}/card.svg"), standalone.as_bytes()));
    }
    Ok(failures)
}

/// The seal of a message: the theme's defaults, overridden by `seal:`.
fn seal_spec(theme: &Theme, m: &Message) -> Result<SealSpec, Diagnostic> {
    let defaults = &theme.spec.seal;
    let mut spec = SealSpec {
        emblem: defaults.emblem.clone(),
        color: defaults.color.clone().unwrap_or_else(|| theme.spec.palette.seal.clone()),
        initials: None,
        custom: None,
    };
    match &m.front.seal {
        Some(SealField::Emblem(name)) => spec.emblem = name.clone(),
        Some(SealField::Spec(s)) => {
            if let Some(e) = &s.emblem {
                spec.emblem = e.clone();
            }
            if let Some(c) = &s.color {
                spec.color = c.clone();
            }
            spec.initials = s.initials.clone();
        }
        None => {}
    }
    if let Some(shape) = theme.emblems.get(&spec.emblem) {
        spec.custom = Some(shape.clone());
    } else if !EMBLEMS.contains(&spec.emblem.as_str()) {
        let known: Vec<&str> = EMBLEMS.iter().copied().chain(theme.emblems.keys().map(String::as_str)).collect();
        let hint = match did_you_mean(&spec.emblem, known.iter().copied()) {
            Some(best) => format!("did you mean `{best}`?"),
            None => format!("emblems: {}", known.join(", ")),
        };
        return Err(Diagnostic::error(
            &m.source,
            m.line_of("seal"),
            1,
            format!("unknown seal emblem `{}`", spec.emblem),
        )
        .with_hint(hint));
    }
    if spec.emblem == "monogram" && spec.initials.is_none() {
        spec.initials = m.front.from.as_deref().and_then(crate::seal::initials_of);
    }
    Ok(spec)
}

/// A layout error, at the start of the message's body.
fn layout_diagnostic(m: &Message, e: &LayoutError) -> Diagnostic {
    match e {
        LayoutError::DoesNotFit { .. } => Diagnostic::error(&m.source, m.body_line, 1, e.to_string())
            .with_hint("shorten the message, or choose a larger `size:`"),
        LayoutError::BadFont(_) => Diagnostic::error(&m.source, 0, 0, e.to_string()),
    }
}

/// A warning for a character no font of the theme has, where it stands in the file.
fn missing_glyph_warning(m: &Message, theme: &Theme, ch: char) -> Diagnostic {
    let (line, col) = match m.body.find(ch) {
        Some(offset) => {
            let (l, c) = crate::diagnostics::line_col(&m.body, offset);
            (m.body_line + l - 1, c)
        }
        None => (m.body_line, 1),
    };
    Diagnostic::warning(
        &m.source,
        line,
        col,
        format!(
            "no font of the theme `{}` has the character `{ch}` (U+{:04X}); it is drawn as an empty box",
            theme.name, ch as u32
        ),
    )
    .with_hint("use another character, or add a font that has it to the theme's `fonts.fallbacks`")
}

/// The CSS custom properties that make the HTML card look like the PNG:
/// every length as a fraction of the card's width.
fn page_style(theme: &Theme, laid: &layout::Layout, boxes: &render::Boxes, size: CardSize, px_per_pt: f32) -> String {
    let w = size.width as f32;
    let text = &theme.spec.text;
    format!(
        "--text: {:.4}; --leading: {}; --title: {}; --signature: {}; --pad-x: {:.4}; --pad-top: {:.4}; --ratio: {:.4}; --align: {}; --signature-align: {};",
        laid.size_pt * px_per_pt / w,
        text.line_height,
        text.title_scale,
        text.signature_scale,
        boxes.text_box.x / w,
        boxes.text_box.y / w,
        size.height as f32 / w,
        css_align(text.align),
        css_align(text.signature_align),
    )
}

fn css_align(align: theme::Align) -> &'static str {
    match align {
        theme::Align::Left => "left",
        theme::Align::Center => "center",
        theme::Align::Right => "right",
    }
}

/// A stable per-card seed from its slug.
///
/// There are `SEED_VARIANTS` seeds: two cards almost always get different
/// seals and paper, and a big build draws each variant once and reuses it.
fn seed_of(slug: &str) -> u64 {
    let digest = Sha256::digest(slug.as_bytes());
    let hash = u64::from_le_bytes(digest[..8].try_into().expect("a SHA-256 digest has 32 bytes"));
    // Spread the variants over the range the seal's random numbers use.
    (hash % SEED_VARIANTS).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// How many different seals (and seeded artwork) a theme draws.
const SEED_VARIANTS: u64 = 24;

/// The first `n` words of a text, with an ellipsis when cut.
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

fn first_words(text: &str, n: usize) -> String {
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
    fn a_description_is_the_first_sentence() {
        assert_eq!(first_sentence("Thank you, Deb! Your order was made with love."), "Thank you, Deb!");
        assert_eq!(first_sentence("Version 2.5 is out\nand more"), "Version 2.5 is out");
        assert_eq!(first_sentence("No end"), "No end");
        let long = first_sentence(&"word ".repeat(100));
        assert!(long.ends_with("word\u{2026}") && long.chars().count() <= 201, "{long}");
    }

    #[test]
    fn two_builds_appending_entries_to_one_folder_each_find_their_own() {
        let dir = tempfile::tempdir().unwrap();
        let output = Output::create(dir.path()).unwrap();
        let (one, two) = (Entries::open(&output).unwrap(), Entries::open(&output).unwrap());
        let entry = |slug: &str| CardEntry { slug: slug.into(), ..CardEntry::default() };
        let places: Vec<_> = ["a", "b", "c", "d"]
            .iter()
            .enumerate()
            .map(|(i, slug)| (slug, if i % 2 == 0 { &one } else { &two }.add(&entry(slug)).unwrap()))
            .collect();
        for (slug, place) in &places {
            assert_eq!(&one.get(place).unwrap().slug, *slug);
        }
    }

    #[test]
    fn compacting_keeps_only_the_entries_in_use_and_where_they_are() {
        let dir = tempfile::tempdir().unwrap();
        let output = Output::create(dir.path()).unwrap();
        let entries = Entries::open(&output).unwrap();
        let entry = |slug: &str| CardEntry { slug: slug.into(), title: format!("Card {slug}"), ..CardEntry::default() };
        let mut cache = BuildCache::default();
        for slug in ["a", "gone", "gone", "gone", "b", "a-again"] {
            let place = entries.add(&entry(slug)).unwrap();
            let card = CachedCard {
                key: "k".into(),
                picture_key: "p".into(),
                files: vec![],
                entry: place,
                warnings: vec![],
                page: String::new(),
            };
            if slug != "gone" {
                cache.cards.insert(slug.trim_end_matches("-again").into(), card);
            }
        }
        compact(&output, &entries, &mut cache, 0).unwrap();
        let reopened = Entries::open(&output).unwrap();
        let read = |slug: &str| reopened.get(&cache.cards[slug].entry).unwrap().slug;
        assert_eq!((read("a"), read("b")), ("a-again".to_string(), "b".to_string()));
        let live: u64 = cache.cards.values().map(|c| u64::from(c.entry.len)).sum();
        let head = cache::id_line(reopened.id()).len() as u64;
        assert_eq!(reopened.size(), head + live, "only the two entries in use are left");
        assert_eq!(cache.entries_id, reopened.id(), "the cache knows the new file");
    }
}
