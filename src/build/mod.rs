//! A build: site folder -> output folder, every card in parallel.
//!
//! config -> content -> markup -> layout -> render/site -> output. Themes and
//! fonts load once and are shared by every card. A problem in one message is
//! a diagnostic for that card; the others are still built. Nothing is
//! written outside the output folder and its state folder (in the site's
//! `.waxseal/`), and only through [`Output`].

//!
//! The stages, in order ([`build_to`]): read the settings and claim the
//! output folder ([`Run::start`]); read the site's messages, the last
//! build's record and the themes ([`read_site`]); plan each card from its
//! keys ([`plan`]: keep, page only, draw now or in the background); make
//! the cards ([`cards`]), the theme assets, whose fonts keep the characters
//! the cards show ([`assets`]), and the pages ([`pages`]); record what was
//! made and tidy up ([`record`]). [`Session`] keeps what a
//! long-running `serve` reuses between builds.

mod assets;
mod cards;
mod options;
mod pages;
mod plan;
mod record;
mod report;
mod session;

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, Mutex};

use rayon::prelude::*;

pub use options::BuildOptions;
pub use report::{BuildReport, CardSource};
pub use session::Session;

use crate::card::themes::Themes;
use crate::card::Artifact;
use crate::config::Outputs;
use crate::config::SiteConfig;
use crate::content;
use crate::content::catalog::{heads_of, unique_slugs, Head};
use crate::diagnostics::Diagnostic;
use crate::output::{Claim, Link, Output, Staged, State, ENTRIES_FILE};
use crate::theme::Theme;
use cards::CardContext;
use plan::{Action, Draw, KeyBase, Keys};
use record::{BuildCache, Entries};

/// Builds the site.
pub fn build(options: &BuildOptions) -> BuildReport {
    build_in(&Session::default(), options)
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
    let run = match Run::start(session, options, output) {
        Ok(run) => run,
        Err(d) => return BuildReport::failed(d),
    };
    let mut report = BuildReport::default();
    let mut site = match read_site(&run, &mut report) {
        Ok(site) => site,
        Err(d) => {
            report.problems.diagnostics.push(d);
            report.problems.fatal = true;
            // Nothing was written: the build is over, not interrupted.
            let _ = run.claim.finish(&run.output, None);
            return report;
        }
    };
    let planned = plan_cards(&run, &mut site);
    let made = make(&run, site, planned, &mut report);
    record::finish(run, made, &mut report);
    report
}

/// What a build's stages share once its settings are read and its output
/// folder claimed.
struct Run<'a> {
    session: &'a Session,
    root: &'a Path,
    drafts: bool,
    config: SiteConfig,
    outputs: Outputs,
    /// `--optimize` (the settings' `optimize` is in `config`).
    optimize_asked: bool,
    output: Output,
    claim: Claim,
    /// The Tera that runs the messages' bodies and front matter.
    body_tera: tera::Tera,
}

impl<'a> Run<'a> {
    /// Reads the settings and claims the output folder (`output`, kept in
    /// memory, when given).
    fn start(session: &'a Session, options: &'a BuildOptions, output: Option<&Output>) -> Result<Run<'a>, Diagnostic> {
        let (config, outputs) = options.settings()?;
        let (output, claim) = match output {
            Some(output) => output.clone().claim(|_| {}).expect("an output in memory is claimed at once"),
            None => claim_output(&options.root, &options.output)?,
        };
        let output = if session.long_running { output.recording_changes() } else { output };
        let mut body_tera = tera::Tera::new();
        crate::template::register_filters(&mut body_tera);
        let (root, drafts, optimize_asked) = (&options.root, options.drafts, options.optimize);
        Ok(Run { session, root, drafts, config, outputs, optimize_asked, output, claim, body_tera })
    }

    /// Smallest PNG files, asked for by the command line or the settings.
    fn optimize(&self) -> bool {
        self.optimize_asked || self.config.optimize
    }
}

/// The site as a build finds it: its cards (not made yet), the last build's
/// record and the themes.
struct Site {
    /// Every card, in the messages' order.
    cards: Vec<Head>,
    /// Slugs of messages that could not be read: their cards of the last
    /// build stay (a merged message's, all of them).
    unreadable: Vec<String>,
    /// Every card this build knows of, made or not (see [`plan::kept_after_a_kill`]).
    present_slugs: HashSet<String>,
    /// What the last build made.
    record: BuildCache,
    entries: Entries,
    themes: Themes,
}

/// Reads every message (and every row of a merged one) while the last
/// build's record and the site's theme load, then the other themes. An
/// error when the entries file cannot be opened (nothing was written).
fn read_site(run: &Run, report: &mut BuildReport) -> Result<Site, Diagnostic> {
    let (session, root, config) = (run.session, run.root, &run.config);
    let (files, problems) = content::walk(root);
    report.problems.diagnostics.extend(problems);
    #[cfg(debug_assertions)]
    pause_after_walk();
    let (parsed, (mut record, site_theme)) = rayon::join(
        || {
            let read = |path: &Path| {
                heads_of(&|p| session.read_message(root, p), root, path, &run.body_tera, config, run.drafts)
            };
            files.par_iter().map(|path| read(path)).collect::<Vec<_>>()
        },
        || rayon::join(|| BuildCache::load(&run.output), || session.theme(root, &config.theme)),
    );
    if run.claim.interrupted() {
        // The last build was killed: what it wrote is not in the record.
        // Every card is made again; the record still says which files are
        // whose (a card that fails now keeps its last good files).
        record.distrust();
    }
    let entries =
        Entries::open(&run.output).map_err(|e| state_problem(run.output.state(), ENTRIES_FILE, "cannot open", &e))?;
    let (mut cards, mut unreadable) = (Vec::new(), Vec::new());
    for heads in parsed {
        report.drafts_skipped += heads.drafts;
        cards.extend(heads.heads);
        report.problems.diagnostics.extend(heads.problems);
        unreadable.extend(heads.unreadable);
    }
    // No slug may make a card's file a folder: no part is named as one.
    let card_files = Artifact::ALL.map(Artifact::file_name);
    let cards = unique_slugs(cards, &card_files, &mut report.problems.diagnostics);
    let present_slugs = cards.iter().map(|m| m.slug.clone()).chain(unreadable.iter().cloned()).collect();
    if run.output.is_in_memory() {
        let source = |m: &Head| CardSource {
            path: m.source.clone(),
            theme: m.theme.clone().unwrap_or_else(|| config.theme.clone()),
        };
        report.sources = cards.iter().map(|m| (m.slug.clone(), source(m))).collect();
    }
    let themes = load_themes(run, &cards, site_theme);
    Ok(Site { cards, unreadable, present_slugs, record, entries, themes })
}

/// The site's theme (loaded already) and each other theme a card names, once.
fn load_themes(run: &Run, cards: &[Head], site_theme: Result<Arc<Theme>, crate::theme::LoadError>) -> Themes {
    let site = &run.config.theme;
    let mut names: Vec<String> = cards.iter().filter_map(|m| m.theme.clone()).filter(|name| name != site).collect();
    names.sort();
    names.dedup();
    let mut themes: Themes =
        names.into_par_iter().map(|name| (name.clone(), run.session.theme(run.root, &name))).collect();
    themes.insert(site.clone(), site_theme);
    themes
}

/// A card to make, with its keys and what to do with it.
struct Planned {
    /// Its place among the messages (its diagnostics are reported in that order).
    index: usize,
    head: Head,
    /// Its theme's name.
    theme: String,
    keys: Keys,
    action: Action,
}

/// Each card's keys and what to do with it (see [`plan`]). The cards to
/// make go first, so that their pictures are drawn from the start.
fn plan_cards(run: &Run, site: &mut Site) -> Vec<Planned> {
    let base = KeyBase::new(&run.config, &run.outputs, run.optimize_asked, &site.themes);
    let pictures: Vec<Artifact> = Artifact::pictures_for(&run.outputs).collect();
    let present = |file: &str| run.output.is_file(file);
    let record = &site.record;
    // Each picture file read once, however many cards draw it.
    let hashes: Mutex<HashMap<String, Option<String>>> = Mutex::default();
    let picture_changed = |(file, hash): &(String, String)| {
        let known = hashes.lock().expect("no panics while holding the lock").get(file).cloned();
        let now = known.unwrap_or_else(|| {
            let now = crate::card::figures::hash_now(run.root, file);
            hashes.lock().expect("no panics while holding the lock").insert(file.clone(), now.clone());
            now
        });
        now.as_ref() != Some(hash)
    };
    let mut planned: Vec<Planned> = std::mem::take(&mut site.cards)
        .into_par_iter()
        .enumerate()
        .map(|(index, head)| {
            let theme = head.theme.clone().unwrap_or_else(|| run.config.theme.clone());
            // A QR code that links the card's page is drawn from the site's address.
            let links_page = head.qr_card.unwrap_or(run.config.qr.as_deref().map(str::trim) == Some(crate::qr::CARD));
            let keys = match links_page {
                true => {
                    let config = &run.config;
                    let site = [&config.base_url, &config.site_base_url].into_iter().find(|b| b.contains("://"));
                    let digest = crate::hash::key(&[&head.digest, site.map_or("", |b| b.as_str()).as_bytes()]);
                    base.keys(&theme, digest.as_bytes(), &head.slug)
                }
                false => base.keys(&theme, &head.digest, &head.slug),
            };
            let mut action = plan::decide(record, &head.slug, &keys, &pictures, &present);
            // A picture its message draws was edited: the card is drawn again.
            let kept = matches!(action, Action::Reuse | Action::Make(Draw::Keep));
            if kept && record.cards.get(&head.slug).is_some_and(|c| c.pictures.iter().any(picture_changed)) {
                let later = record.had_pictures(&head.slug, &pictures, &present);
                action = Action::Make(if later { Draw::Later } else { Draw::Now });
            }
            Planned { index, head, theme, keys, action }
        })
        .collect();
    // Cards of one theme and size share their artwork: handed out in turn
    // (see `make_cards`), the base kept in memory serves them all. Within
    // them, the cards of one seal variant share its shadows, and those of
    // one variant and wax colour its wax: drawn once while the cards that
    // share them come one after another (the few parts kept in memory would
    // have turned over between cards in the messages' order).
    let group = |p: &Planned| {
        let variant = crate::card::compose::variant_of(&p.head.slug);
        (p.action == Action::Reuse, p.theme.clone(), p.head.size.clone(), variant, p.head.wax.clone())
    };
    planned.sort_by_cached_key(group);
    let mut actions: Vec<Action> = planned.iter().map(|p| p.action).collect();
    plan::schedule(&mut actions);
    for (card, action) in planned.iter_mut().zip(actions) {
        card.action = action;
    }
    planned
}

/// What making the cards and pages gave.
struct Built {
    /// The record of this build.
    next: BuildCache,
    /// Files of the last build this one does not have: removed last, when
    /// no page links them any more.
    stale: Vec<String>,
    /// Files that could not be written or removed.
    failures: Vec<Diagnostic>,
    present_slugs: HashSet<String>,
    entries: Entries,
}

/// Makes every card, in parallel (the first few to draw are drawn in the
/// background while the others are made), then the themes' assets and the
/// pages.
fn make(run: &Run, site: Site, planned: Vec<Planned>, report: &mut BuildReport) -> Built {
    let Site { unreadable, present_slugs, mut record, entries, themes, .. } = site;
    // Drawn artwork and seals are kept in the build cache, so the
    // next run (a new process) that redraws one card does not draw them again.
    // Not in an output kept in memory: it has no layers of earlier runs, and
    // none that it keeps would outlive it.
    if !run.output.is_in_memory() {
        run.session.bases.keep_in(Arc::new(record::OutputLayers(run.output.state().clone())));
    }
    let figures = crate::card::figures::Figures::new(run.root, run.outputs.pdf);
    let ctx = CardContext {
        config: &run.config,
        themes: &themes,
        body_tera: &run.body_tera,
        output: &run.output,
        bases: &run.session.bases,
        page_seals: &run.session.page_seals,
        keep_page_seals: run.session.long_running,
        seals_written: Mutex::default(),
        web_written: Mutex::default(),
        seal_failures: Mutex::default(),
        outputs: run.outputs,
        optimize: run.optimize(),
        check: run.output.is_in_memory(),
        figures: &figures,
        built: crate::config::build_date(),
    };
    let mut failures = Vec::new();
    let (old_site_files, old_gallery) = (std::mem::take(&mut record.site_files), std::mem::take(&mut record.gallery));
    let old_fonts = std::mem::take(&mut record.web_fonts);
    let mut next = BuildCache::default();
    next.entries_id = entries.id().to_string();
    let drawn = Mutex::new(Vec::new());
    let mut stale = Vec::new();
    rayon::scope(|scope| {
        let outcomes = cards::make_cards(&ctx, run.session, run.root, &entries, planned, scope, &drawn);
        let reported = cards::record_outcomes(&ctx, outcomes, &mut record, &mut next, report, &mut failures);
        record::keep_unreadable(&mut record.cards, &mut next, unreadable);
        // Now that every card's characters are known: the fonts keep them.
        let (links, assets_written) = assets::record(run, &themes, &mut next, &old_fonts, &mut failures);
        stale = plan::stale_files(&record.cards, &old_site_files, &next);
        let published = match run.outputs.html {
            true => {
                let (old, written) = (&old_gallery, assets_written);
                pages::make_pages(&ctx, &links, &entries, &mut next, old, &reported, written, report, &mut failures)
            }
            // No pages are made: those of an earlier build go.
            false => {
                failures.extend(old_gallery.keys().filter_map(|file| remove(&run.output, file)));
                true
            }
        };
        if !published {
            // The last build's pages stay, and so does every file they
            // link: the next build removes what is stale by then.
            next.site_files.append(&mut stale);
        }
    });
    let drawn = drawn.into_inner().expect("no panics while holding the lock");
    record_drawn(drawn, &mut next, report, &mut failures);
    failures.extend(ctx.seal_failures.into_inner().expect("no panics while holding the lock"));
    Built { next, stale, failures, present_slugs, entries }
}

/// What drawing each card in the background came to: a card whose pictures
/// were not all made is drawn again by the next build (its page links the
/// last build's, which stay); files not written are failures of the output
/// folder, a card that could not be drawn a problem of the card.
fn record_drawn(
    drawn: Vec<(String, Result<Vec<Diagnostic>, Diagnostic>)>,
    next: &mut BuildCache,
    report: &mut BuildReport,
    failures: &mut Vec<Diagnostic>,
) {
    for (slug, result) in drawn {
        if result.as_ref().is_ok_and(Vec::is_empty) {
            continue;
        }
        if let Some(card) = next.cards.get_mut(&slug) {
            card.key = None;
        }
        match result {
            Ok(unwritten) => failures.extend(unwritten),
            Err(d) => report.problems.diagnostics.push(d),
        }
    }
}

/// Checks and claims the output folder `dir` of the site in `root` (see
/// [`Output::claim`]), saying so when it waits for another build to finish.
pub fn claim_output(root: &std::path::Path, dir: &std::path::Path) -> Result<(Output, Claim), Diagnostic> {
    let problem = |message: String| Diagnostic::error(dir, 0, 0, message);
    crate::output::check_place(root, dir).map_err(|e| problem(e.to_string()).with_hint(e.hint()))?;
    let output = Output::create(root, dir).map_err(|e| problem(format!("cannot create the output folder: {e}")))?;
    let waiting = |holder: &str| {
        // A build that has just taken the folder may not have said yet
        // what it is: then there is nothing to name.
        let holder = if holder.is_empty() { String::new() } else { format!(" ({holder})") };
        let line = format!("waiting: another waxseal is writing {}{holder}", dir.display());
        eprintln!("{}", crate::diagnostics::escape_controls(&line));
    };
    output.claim(waiting).map_err(|e| {
        if let Some(link) = Link::of(&e.error) {
            return link_diagnostic(link);
        }
        let d = Diagnostic::error(&e.file, 0, 0, format!("cannot claim the output folder: {}", e.error));
        match e.error.kind() {
            std::io::ErrorKind::IsADirectory => d.with_hint("waxseal keeps a file of its own there: remove the folder"),
            _ => d,
        }
    })
}

/// The files the gallery comes with.
const SITE_FILES: [&str; 4] = ["feed.xml", "sitemap.xml", "robots.txt", "404.html"];

/// A link met inside the output folder, as a problem of the build.
fn link_diagnostic(link: &Link) -> Diagnostic {
    Diagnostic::error(&link.path, 0, 0, link.to_string()).with_hint(Link::HINT)
}

/// What went wrong doing `what` (`cannot write`) to output file `rel`: at
/// the link in the way, when that is what it was.
fn output_problem(output: &Output, rel: &str, what: &str, e: &std::io::Error) -> Diagnostic {
    match Link::of(e) {
        Some(link) => link_diagnostic(link),
        None => Diagnostic::error(output.root().join(rel), 0, 0, format!("{what}: {e}")),
    }
}

/// What went wrong doing `what` to file `rel` of the state folder `state`:
/// at the link in the way, when that is what it was.
fn state_problem(state: &State, rel: &str, what: &str, e: &std::io::Error) -> Diagnostic {
    match Link::of(e) {
        Some(link) => link_diagnostic(link),
        None => Diagnostic::error(state.path(rel), 0, 0, format!("{what}: {e}")),
    }
}

/// Removes one output file; a failure is a diagnostic.
fn remove(output: &Output, rel: &str) -> Option<Diagnostic> {
    output.remove(rel).err().map(|e| output_problem(output, rel, "cannot remove", &e))
}

/// Writes one output file; a failure is a diagnostic.
fn write(output: &Output, rel: &str, bytes: &[u8]) -> Option<Diagnostic> {
    output.write(rel, bytes).err().map(|e| output_problem(output, rel, "cannot write", &e))
}

/// Writes one page beside its place, into `staged` (see [`Output::stage`]);
/// a failure is a diagnostic.
fn stage(output: &Output, rel: &str, bytes: &[u8], staged: &mut Vec<Staged>) -> Option<Diagnostic> {
    match output.stage(rel, bytes) {
        Ok(page) => {
            staged.extend(page);
            None
        }
        Err(e) => Some(output_problem(output, rel, "cannot write", &e)),
    }
}
