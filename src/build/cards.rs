//! Making the cards: each message read again, laid out in its theme, its
//! pictures drawn (now, in the background, or kept), its files written and
//! its gallery entry recorded; then the outcomes folded, in the messages'
//! order, into the record of this build.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::card::compose::missing_glyph_warning;
use crate::card::email::{card_email, CardEmailError};
use crate::card::entry::first_words;
use crate::card::guard;
use crate::card::pictures::{Drawing, Pictures, PrintJob};
use crate::card::themes::{own_error, theme_of, Themes};
use crate::card::{self, lay_out, Artifact, LaidCard};
use crate::config::Outputs;
use crate::config::SiteConfig;
use crate::content::catalog::{message_of, Head};
use crate::content::Message;
use crate::diagnostics::Diagnostic;
use crate::output::{Output, ENTRIES_FILE};
use crate::render;
use crate::seal::SealSpec;
use crate::site::CardEntry;
use crate::theme::{self, Theme};

use super::pages::template_diagnostic;
use super::plan::{Action, Draw, Keys};
use super::record::{self, BuildCache, CachedCard, Entries};
use super::{write, BuildReport, Planned, Session};

/// What every card of a build shares.
pub(super) struct CardContext<'a> {
    pub(super) config: &'a SiteConfig,
    pub(super) themes: &'a Themes,
    pub(super) body_tera: &'a tera::Tera,
    pub(super) output: &'a Output,
    pub(super) bases: &'a render::BaseCache,
    /// Each page seal made, by variant: its file and, when `keep_page_seals`,
    /// its SVG.
    pub(super) page_seals: &'a super::session::PageSeals,
    /// Whether later builds (`serve`) will write the page seals again. A
    /// single build keeps only their files' names: with a monogram each a
    /// customer's initials, their SVGs would grow with the corpus.
    pub(super) keep_page_seals: bool,
    /// Seal files written by this build (each once).
    pub(super) seals_written: Mutex<HashSet<String>>,
    /// Web copies of the messages' pictures written by this build (each once).
    pub(super) web_written: Mutex<HashSet<String>>,
    pub(super) seal_failures: Mutex<Vec<Diagnostic>>,
    pub(super) outputs: Outputs,
    pub(super) optimize: bool,
    /// `check`: pictures are noted, not drawn.
    pub(super) check: bool,
    /// The messages' pictures (`![alt](file)`), each read once.
    pub(super) figures: &'a crate::card::figures::Figures,
    /// The day of this build: the date of an undated card's email and PDF.
    pub(super) built: jiff::civil::Date,
}

/// The seal for the card page: a small standalone SVG, its initials as
/// outlines (an `<img>` cannot use the page's fonts), written once per
/// variant as `assets/seals/HASH.svg`. Returns the file's path in the output
/// folder.
fn page_seal(ctx: &CardContext, theme: &Theme, seal: &SealSpec, seed: u64, r: f64) -> Option<String> {
    let key = format!("{}|{seal:?}|{seed}|{r}", theme.name);
    let known = ctx.page_seals.lock().expect("no panics while holding the lock").get(&key).cloned();
    let (rel, svg) = match known {
        Some((rel, Some(svg))) => (rel, svg),
        // Made by another card of this build, which writes it.
        Some((rel, None)) if ctx.seals_written.lock().expect("no panics while holding the lock").contains(&rel) => {
            return Some(rel);
        }
        _ => {
            let family = &theme.face(theme::FontRole::Bold).family;
            let group = crate::seal::seal_svg(seal, r * 1.25, r * 1.25, r, seed, "seal", family).ok()?;
            let source = format!(
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{s:.0}\" height=\"{s:.0}\" viewBox=\"0 0 {s:.0} {s:.0}\">{group}</svg>",
                s = r * 2.5
            );
            // A seal with no text (its emblem guarded when it was read) is
            // already standalone; a monogram's letters become outlines.
            let svg = render::standalone_from_text(theme, &source).ok()?;
            let svg = Arc::new(svg);
            let hash: String = Sha256::digest(svg.as_bytes()).iter().take(6).map(|b| format!("{b:02x}")).collect();
            let rel = format!("assets/seals/{hash}.svg");
            let kept = ctx.keep_page_seals.then(|| svg.clone());
            ctx.page_seals.lock().expect("no panics while holding the lock").insert(key, (rel.clone(), kept));
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
pub(super) struct Outcome {
    slug: String,
    /// Its theme's name.
    theme: String,
    /// Its keys.
    keys: Keys,
    /// The card made, `None` when it was unchanged, or why it failed.
    result: Result<Option<Made>, Diagnostic>,
}

/// What a build keeps of a card it made until it is recorded in the cache.
struct Made {
    /// Where its gallery entry went.
    entry: std::io::Result<record::EntryRef>,
    files: Vec<String>,
    warnings: Vec<Diagnostic>,
    /// Files that could not be written.
    failures: Vec<Diagnostic>,
    /// Its pictures were drawn (not kept from the last build).
    drawn: bool,
    /// The picture files its message draws, with their hashes.
    pictures: Vec<(String, String)>,
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
    /// The picture files its message draws, with their hashes.
    pictures: Vec<(String, String)>,
}

/// The email of card `m`, when emails are made; an address that is not
/// one is a problem of the card (its other files are still made, and the
/// error is reported again while it stands), not its failure.
fn email_of(
    ctx: &CardContext,
    theme: &Theme,
    m: &Message,
    card: &LaidCard,
    problems: &mut Vec<Diagnostic>,
) -> Result<Option<crate::email::Email>, Diagnostic> {
    if !ctx.outputs.email {
        return Ok(None);
    }
    match card_email(ctx.config, ctx.outputs.html, ctx.built, theme, m, card) {
        Ok(email) => Ok(Some(email)),
        Err(CardEmailError::Address(d)) => {
            problems.push(d);
            Ok(None)
        }
        Err(CardEmailError::Template(e)) => Err(template_diagnostic(theme, crate::email::TEMPLATE, &e)),
        Err(CardEmailError::Missing(d)) => Err(d),
    }
}

/// Card `m`'s pictures, ready to draw.
fn pictures_of(
    ctx: &CardContext,
    theme: &Arc<Theme>,
    m: &Message,
    card: &LaidCard,
    email: Option<crate::email::Email>,
) -> Result<Pictures, Diagnostic> {
    let (svg, tree) = card.draw(theme, m)?;
    let print = match ctx.outputs.pdf {
        true => Some(PrintJob {
            svg: card.print_svg(theme, m, ctx.config.print.bleed.points() as f32)?,
            size: card.size,
            title: card.title.clone().unwrap_or_else(|| first_words(&card.alt, 6)),
            lang: crate::card::pictures::print_lang(m, ctx.config),
            date: m.date.map_or(ctx.built, |d| d.date()),
        }),
        false => None,
    };
    let share = card.share_view();
    Ok(Pictures { slug: m.slug.clone(), theme: theme.clone(), svg, tree, width: card.size.width, share, print, email })
}

/// Makes the card of `m`: its pictures (when `draw`; else they are as the
/// last build left them) and its page's entry.
fn build_card(ctx: &CardContext, m: &Message, draw: Draw) -> Result<CardDone, Diagnostic> {
    let theme = theme_of(ctx.themes, ctx.config, m)?;
    // A link where its files go (its folder, or one of them) fails the card
    // before anything is drawn for it.
    for artifact in Artifact::PICTURES.into_iter().chain([Artifact::Page]) {
        let rel = artifact.path(&m.slug);
        ctx.output.check(&rel).map_err(|e| super::output_problem(ctx.output, &rel, "cannot write", &e))?;
    }
    let card = lay_out(theme, ctx.config, ctx.body_tera, m, ctx.figures)?;
    let mut problems = Vec::new();
    let email = email_of(ctx, theme, m, &card, &mut problems)?;
    // Its pictures, drawn now or (when `draw` is Keep) kept from the last build.
    let mut files: Vec<String> = Artifact::pictures_for(&ctx.outputs)
        .filter(|a| *a != Artifact::Email || email.is_some())
        .map(|a| a.path(&m.slug))
        .collect();
    let (mut failures, mut later) = (Vec::new(), None);
    let drawn = draw != Draw::Keep && ctx.outputs.pictures();
    if drawn {
        let pictures = pictures_of(ctx, theme, m, &card, email)?;
        match draw {
            Draw::Later => later = Some(pictures),
            _ => failures.extend(draw_pictures(ctx, &pictures)?),
        }
    }
    let seal_file = match ctx.outputs.html {
        true => page_seal(ctx, theme, &card.seal, card.seed, card.boxes.seal.2 as f64),
        false => None,
    };
    files.extend(seal_file.clone());
    let mut entry = card::entry::entry(ctx.config, &ctx.outputs, theme, m, &card, seal_file.as_deref());
    if ctx.outputs.html {
        // The page shows the message's pictures, the logo and a scanned
        // signature from their web copies.
        let page = card::page::parts(ctx.figures, &ctx.config.base_url, &card, &entry.html);
        (entry.html, entry.logo, entry.signature_image) = (page.html, page.logo, page.signature);
        for (rel, bytes) in page.files {
            if ctx.web_written.lock().expect("no panics while holding the lock").insert(rel.clone()) {
                failures.extend(write(ctx.output, &rel, &bytes));
            }
            files.push(rel);
        }
    }
    if ctx.outputs.html {
        // Made with the gallery, which knows the cards beside it.
        files.push(Artifact::Page.path(&m.slug));
    }
    let mut warnings: Vec<Diagnostic> =
        card.laid.missing.iter().map(|ch| missing_glyph_warning(m, theme, *ch)).collect();
    warnings.extend(problems);
    // The message's pictures, a scanned signature and the logo: an edit of one redraws the card.
    let shown = card.drawn.iter().chain(&card.logo);
    let pictures = shown.map(|p| (p.file.clone(), p.picture.hash.clone())).collect();
    Ok(CardDone { entry, warnings, failures, files, drawn, later, pictures })
}

/// Draws a card's pictures and writes them (into an output kept in memory,
/// `check`, they are noted and not drawn); returns the files that could
/// not be written.
fn draw_pictures(ctx: &CardContext, pictures: &Pictures) -> Result<Vec<Diagnostic>, Diagnostic> {
    let how = Drawing {
        bases: ctx.bases,
        outputs: ctx.outputs,
        dpi: ctx.config.dpi,
        optimize: ctx.optimize,
        print: &ctx.config.print,
    };
    let drawn = match ctx.check {
        true => card::pictures::check(&how, pictures)?,
        false => card::pictures::draw(&how, pictures)?,
    };
    Ok(drawn.into_iter().filter_map(|(a, bytes)| write(ctx.output, &a.path(&pictures.slug), &bytes)).collect())
}

/// The cards drawn in the background: each slug with the files of it that
/// could not be written, or why it could not be drawn.
pub(super) type Background = Mutex<Vec<(String, Result<Vec<Diagnostic>, Diagnostic>)>>;

/// Makes the planned cards in parallel; each writes its own files as soon
/// as they are made, and its gallery entry goes to the entries file at once.
/// A card drawn [`Draw::Later`] is drawn on `scope`, its result put in
/// `drawn`. Each message is dropped as soon as its card is made: only what
/// the gallery and the record need is kept. Returns the outcomes in the
/// messages' order.
pub(super) fn make_cards<'s>(
    ctx: &'s CardContext,
    session: &'s Session,
    root: &'s Path,
    entries: &'s Entries,
    planned: Vec<Planned>,
    scope: &rayon::Scope<'s>,
    drawn: &'s Background,
) -> Vec<Outcome> {
    // Handed out one at a time in the plan's order, so that the threads
    // draw cards of one theme and size together, on the one base kept for
    // them (a thread each taking its own run of cards would need a base
    // each, in memory at once).
    // The cards of a theme are handed out together: when the next theme's
    // come, the last one's caches (glyph pictures, template runs) go.
    let mut theme_drawn: Option<String> = None;
    let mut outcomes: Vec<(usize, Outcome)> = planned
        .into_iter()
        .inspect(|card| {
            if matches!(card.action, Action::Make(_)) && theme_drawn.as_ref() != Some(&card.theme) {
                if let Some(done) = theme_drawn.replace(card.theme.clone()) {
                    session.forget_caches(&done);
                }
            }
        })
        .par_bridge()
        .map(|Planned { index, head, theme, keys, action }| {
            let result = match action {
                Action::Reuse => Ok(None),
                Action::Make(draw) => {
                    let made = read_again(ctx, session, root, &head).and_then(|m| {
                        guard::catch(|| build_card(ctx, &m, draw))
                            .unwrap_or_else(|panic| Err(panicked(ctx, &m, &panic)))
                    });
                    made.map(|mut card| {
                        if let Some(pictures) = card.later.take() {
                            let source = (head.source.clone(), head.slug_line);
                            scope.spawn(move |_| {
                                let result = guard::catch(|| draw_pictures(ctx, &pictures)).unwrap_or_else(|panic| {
                                    let theme = Some(pictures.theme.origin("card.svg"));
                                    Err(panic_diagnostic(&source.0, (source.1, 1), &pictures.theme.name, theme, &panic))
                                });
                                drawn.lock().expect("no panics while holding the lock").push((pictures.slug, result));
                            });
                        }
                        let entry = entries.add(&card.entry);
                        let CardDone { files, warnings, failures, drawn, pictures, .. } = card;
                        Some(Made { entry, files, warnings, failures, drawn, pictures })
                    })
                }
            };
            (index, Outcome { slug: head.slug, theme, keys, result })
        })
        .collect();
    // Back in the messages' order (their warnings are reported in it).
    outcomes.sort_unstable_by_key(|(index, _)| *index);
    outcomes.into_iter().map(|(_, outcome)| outcome).collect()
}

/// A panic while card `m` was made, as its diagnostic: at its `theme:`
/// (else its body), naming the artwork its theme draws it on.
fn panicked(ctx: &CardContext, m: &Message, panic: &str) -> Diagnostic {
    let name = m.front.theme.as_deref().unwrap_or(&ctx.config.theme);
    let place = if m.front.theme.is_some() { m.value_place("theme") } else { (m.body_line, 1) };
    let art = match ctx.themes.get(name) {
        Some(Ok(theme)) => Some(theme.origin("card.svg")),
        _ => None,
    };
    panic_diagnostic(&m.source, place, name, art, panic)
}

/// The diagnostic of a card of message `source` (at `place`) in theme
/// `theme` (its artwork `art`, when known) whose drawing panicked.
fn panic_diagnostic(
    source: &Path,
    place: (usize, usize),
    theme: &str,
    art: Option<PathBuf>,
    panic: &str,
) -> Diagnostic {
    let from = art.map(|art| format!(", whose artwork is {}", art.display())).unwrap_or_default();
    let message = format!("drawing this card failed inside the renderer ({panic})");
    Diagnostic::error(source, place.0, place.1, message).with_hint(format!(
        "it was drawn in theme `{theme}`{from}: something there (or in the message) is more than \
         the renderer can take; the other cards are built. This is a bug in waxseal: please report it"
    ))
}

/// The message of card `head`, read again (or kept by a long-running
/// session); a merged card's row is read again too.
fn read_again(ctx: &CardContext, session: &Session, root: &Path, head: &Head) -> Result<Message, Diagnostic> {
    message_of(&|p| session.read_message(root, p), root, head, ctx.body_tera, ctx.config)
}

/// Folds the cards' outcomes, in the messages' order, into `next` (the
/// record of this build) and the report: a made card with its keys, a kept
/// one as it was, a failed one's last good record kept (its files, its
/// place in the gallery) with no key, to be made again. Returns the themes
/// whose own error was reported.
pub(super) fn record_outcomes(
    ctx: &CardContext,
    outcomes: Vec<Outcome>,
    old: &mut BuildCache,
    next: &mut BuildCache,
    report: &mut BuildReport,
    failures: &mut Vec<Diagnostic>,
) -> Vec<String> {
    let mut themes_reported = Vec::new();
    for Outcome { slug, theme, keys, result } in outcomes {
        match result {
            Ok(Some(Made { entry: Ok(_), failures: card_failures, files, .. }))
                if !card_failures.is_empty() || seal_unwritten(ctx, &files) =>
            {
                // Not all of its pictures (or its seal) were written (a full
                // disk): no page or gallery entry may link them. The last
                // good record stays (its files are whole: a file is
                // replaced, or not, at once), to be made again.
                failures.extend(card_failures);
                record::carry_over(old, next, &slug);
            }
            Ok(Some(Made { entry: Ok(entry), files, warnings, failures: _, drawn, pictures })) => {
                report.pages_only += usize::from(!drawn);
                report.problems.diagnostics.extend(warnings.clone());
                report.built.push(slug.clone());
                let Keys { key, picture_key } = keys;
                next.cards.insert(
                    slug,
                    CachedCard {
                        key: Some(key),
                        picture_key: Some(picture_key),
                        files,
                        entry,
                        warnings,
                        page: None,
                        pictures,
                    },
                );
            }
            Ok(Some(Made { entry: Err(e), failures: card_failures, .. })) => {
                // Made, but not recorded: the last good record stays, to be made again.
                failures.extend(card_failures);
                let path = ctx.output.state().path(ENTRIES_FILE);
                failures.push(Diagnostic::error(path, 0, 0, format!("cannot write: {e}")));
                record::carry_over(old, next, &slug);
            }
            Ok(None) => {
                // Unchanged: moved from the old record as it is.
                let card = old.cards.remove(&slug).expect("a fresh card is in the cache");
                report.problems.diagnostics.extend(card.warnings.clone());
                report.built.push(slug.clone());
                report.reused += 1;
                next.cards.insert(slug, card);
            }
            Err(d) => {
                // A card whose folder is a link is not listed: its last
                // files are behind the link (and go as stale: refused, so
                // the link is reported).
                if !ctx.output.links_met().iter().any(|link| link.path == d.path) {
                    record::carry_over(old, next, &slug);
                }
                report_theme_error(ctx, &theme, &mut themes_reported, report);
                report.problems.diagnostics.push(d);
            }
        }
    }
    themes_reported
}

/// Whether one of `files` is a seal that could not be written.
fn seal_unwritten(ctx: &CardContext, files: &[String]) -> bool {
    let failed = ctx.seal_failures.lock().expect("no panics while holding the lock");
    let root = ctx.output.root();
    files.iter().filter(|f| f.starts_with("assets/")).any(|f| failed.iter().any(|d| root.join(f).starts_with(&d.path)))
}

/// A broken theme is reported once, with its own path (and then per card
/// briefly); a message's unknown theme only by the message.
fn report_theme_error(ctx: &CardContext, theme: &str, reported: &mut Vec<String>, report: &mut BuildReport) {
    if let Some(d) = own_error(ctx.themes, ctx.config, theme) {
        if !reported.iter().any(|t| t == theme) {
            reported.push(theme.to_string());
            report.problems.diagnostics.push(d.clone());
        }
    }
}
