//! `waxseal check`: every problem a build would report, and every broken
//! link and missing image of the site it would make, with nothing written.
//!
//! The site is built into an output kept in memory ([`Output::in_memory`]):
//! no file is read from or written to the output folder, and no build
//! cache is used, so every card is made. A broken link is reported where it
//! was written: in its message, when the message holds the URL, else on the
//! output page, with the theme file that makes that page.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use crate::build::{self, BuildOptions, CardSource, Session};
use crate::config::SiteConfig;
use crate::diagnostics::{display_path, line_col, Diagnostic, Report};
use crate::links::{self, Broken, SiteUrls, Use};
use crate::output::Output;
use crate::theme::{self, Theme};

/// What a check found.
#[derive(Debug, Default)]
pub struct CheckReport {
    /// Every problem: the build's, in its order, then the broken links;
    /// fatal when the site could not be built at all (a bad config).
    pub problems: Report,
    /// How many cards were made.
    pub cards: usize,
    /// Drafts left out.
    pub drafts_skipped: usize,
}

/// Checks the site `options` describe (its `output` only names the pages
/// in diagnostics: nothing there is read or written).
pub fn check(session: &Session, options: &BuildOptions) -> CheckReport {
    let output = Output::in_memory(&options.root, &options.output, links::keep);
    let built = build::build_into(session, options, &output);
    let mut checked =
        CheckReport { problems: built.problems, cards: built.built.len(), drafts_skipped: built.drafts_skipped };
    if checked.problems.fatal {
        return checked;
    }
    // The build read the settings already: they load.
    let Ok(config) = options.config() else {
        return checked;
    };
    let files = output.take_held_files();
    let broken = links::check(&files, &SiteUrls::new(&config.base_url));
    let places = Places { root: &options.root, output: &options.output, config: &config, sources: &built.sources };
    drop(files);
    checked.problems.diagnostics.extend(places.diagnostics(broken));
    checked
}

/// What a broken link is reported with.
struct Places<'a> {
    root: &'a Path,
    output: &'a Path,
    config: &'a SiteConfig,
    sources: &'a BTreeMap<String, CardSource>,
}

impl Places<'_> {
    /// The diagnostics of `broken`, each where it was written; a theme's
    /// link broken on many pages is reported once.
    fn diagnostics(&self, broken: Vec<Broken>) -> Vec<Diagnostic> {
        let mut found = Found::default();
        for b in broken {
            self.place(b, &mut found);
        }
        let mut diagnostics = once_per_place(found.from_messages);
        diagnostics.extend(found.from_themes.into_values().map(|(d, alone, many, pages)| match pages {
            1 => d.with_hint(alone),
            n => d.with_hint(format!("{many} (and {} more pages like it)", n - 1)),
        }));
        diagnostics.sort_by(|a, b| (&a.path, a.line, a.col).cmp(&(&b.path, b.line, b.col)));
        diagnostics
    }

    /// Puts `b` where it was written: in its card's message when the
    /// message holds the URL, else on its output page, or in the theme file
    /// that makes that page.
    fn place(&self, b: Broken, found: &mut Found) {
        let what = match b.found.kind {
            Use::Link => format!("broken link to `{}`", b.found.url),
            Use::Image => format!("missing image `{}`", b.found.url),
        };
        let source = card_slug(&b.file).and_then(|slug| self.sources.get(slug));
        if let Some(source) = source {
            let text = found.messages.entry(source.path.clone()).or_insert_with(|| {
                let path = if source.path.is_absolute() { source.path.clone() } else { self.root.join(&source.path) };
                std::fs::read_to_string(path).ok()
            });
            let nth = found.seen.entry((b.file.clone(), b.found.url.clone())).or_default();
            if let Some((line, col)) = text.as_deref().and_then(|text| find_url(text, &b.found.url, *nth)) {
                *nth += 1;
                found.from_messages.push(Diagnostic::error(&source.path, line, col, what).with_hint(b.reason));
                return;
            }
        }
        let page = display_path(self.root, &self.output.join(&b.file));
        let diagnostic = Diagnostic::error(page, b.place.0, b.place.1, what);
        match self.template_of(&b.file, source) {
            Some((theme_name, template)) => self.in_theme(b, source, diagnostic, &theme_name, template, found),
            None => found.from_messages.push(diagnostic.with_hint(b.reason)),
        }
    }

    /// Puts `b`, on a page `template` of theme `theme_name` makes, in the
    /// theme's file when the site's copy of it holds the URL as written,
    /// else on the page (`diagnostic`), naming the template.
    fn in_theme(
        &self,
        b: Broken,
        source: Option<&CardSource>,
        diagnostic: Diagnostic,
        theme_name: &str,
        template: &str,
        found: &mut Found,
    ) {
        let theme =
            found.themes.entry(theme_name.to_string()).or_insert_with(|| theme::load(self.root, theme_name).ok());
        let origin = match theme {
            Some(theme) => theme.origin(template).display().to_string(),
            None => format!("{template} of the theme `{theme_name}`"),
        };
        // A theme file of the site that holds the URL as written is where to fix it.
        let written = std::fs::read_to_string(self.root.join(&origin))
            .ok()
            .and_then(|text| find_url(&text, &b.found.url, 0))
            .map(|(line, col)| Diagnostic { path: PathBuf::from(&origin), line, col, ..diagnostic.clone() });
        let (alone, many) = match &written {
            Some(_) => {
                let page = display_path(self.root, &self.output.join(&b.file));
                let hint = format!("{}, on {} made from it", b.reason, page.display());
                (hint.clone(), hint)
            }
            None => {
                let hint = format!("{}; this page is made by {origin}", b.reason);
                // Alone, the URL of a card page may come from its
                // message's body template as well.
                let alone = match source {
                    Some(source) => format!("{hint} from {}", source.path.display()),
                    None => hint.clone(),
                };
                (alone, hint)
            }
        };
        let diagnostic = written.unwrap_or(diagnostic);
        found.from_themes.entry((origin, b.found.url)).or_insert((diagnostic, alone, many, 0)).3 += 1;
    }

    /// The theme and template that make output file `file`.
    fn template_of(&self, file: &str, source: Option<&CardSource>) -> Option<(String, &'static str)> {
        let site_theme = || self.config.theme.clone();
        if let Some(source) = source {
            return Some((source.theme.clone(), "card.html"));
        }
        if file == "index.html" || (file.starts_with("page/") && file.ends_with("/index.html")) {
            return Some((site_theme(), "gallery.html"));
        }
        if file == "404.html" {
            return Some((site_theme(), "404.html"));
        }
        // `assets/NAME.HASH.css`, the theme's stylesheet after the font rules.
        let name = file.strip_prefix("assets/")?.strip_suffix(".css")?.rsplit_once('.')?.0;
        (!name.contains('/')).then(|| (name.to_string(), "style.css"))
    }
}

/// The broken links placed so far, and what placing them read.
#[derive(Default)]
struct Found {
    /// The cards' message files, read once each.
    messages: HashMap<PathBuf, Option<String>>,
    /// The themes of the pages, loaded once each.
    themes: HashMap<String, Option<Theme>>,
    /// How many times each URL of a card's page has been met, to point at
    /// its next occurrence in the card's message.
    seen: HashMap<(String, String), usize>,
    /// Those in messages, or on pages no theme file makes.
    from_messages: Vec<Diagnostic>,
    /// By template file and URL: the first page's diagnostic, its hint
    /// when alone and when it stands for many pages, and how many pages.
    from_themes: BTreeMap<(String, String), (Diagnostic, String, String, usize)>,
}

/// `diagnostics` with each place reported once: the cards of a merged
/// message share its text, so a URL broken there is reported once, its
/// hint saying on how many cards.
fn once_per_place(diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut once: Vec<Diagnostic> = Vec::new();
    let mut cards: Vec<usize> = Vec::new();
    let mut first: HashMap<(PathBuf, usize, usize, String), usize> = HashMap::new();
    for d in diagnostics {
        let place = (d.path.clone(), d.line, d.col, d.message.clone());
        match first.get(&place) {
            Some(&i) => cards[i] += 1,
            None => {
                first.insert(place, once.len());
                once.push(d);
                cards.push(1);
            }
        }
    }
    for (d, n) in once.iter_mut().zip(cards).filter(|(_, n)| *n > 1) {
        d.hint = Some(format!("{} (on the {n} cards made from it)", d.hint.take().unwrap_or_default()));
    }
    once
}

/// The slug of a card page's file: `orders/deb` for `cards/orders/deb/index.html`.
fn card_slug(file: &str) -> Option<&str> {
    file.strip_prefix("cards/")?.strip_suffix("/index.html")
}

/// Line and column of the `nth` (from 0) occurrence of `url` in `text`
/// (or of its last when there are fewer), as it is or percent-decoded
/// (Markdown writes `<a b.png>` as `a%20b.png`).
fn find_url(text: &str, url: &str, nth: usize) -> Option<(usize, usize)> {
    let decoded = percent_encoding::percent_decode_str(url).decode_utf8_lossy();
    let found = [url, &decoded].into_iter().find_map(|needle| {
        let offset = text.match_indices(needle).take(nth + 1).last()?.0;
        Some(line_col(text, offset))
    });
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn card_pages_name_their_slug() {
        assert_eq!(card_slug("cards/orders/deb/index.html"), Some("orders/deb"));
        assert_eq!(card_slug("cards/deb/card.png"), None);
        assert_eq!(card_slug("index.html"), None);
    }

    #[test]
    fn occurrences_in_turn() {
        let text = "a [x](/u)\nb [y](/u) ![z](<a b.png>)";
        assert_eq!(find_url(text, "/u", 0), Some((1, 7)));
        assert_eq!(find_url(text, "/u", 1), Some((2, 7)));
        assert_eq!(find_url(text, "/u", 5), Some((2, 7)));
        assert_eq!(find_url(text, "/v", 0), None);
        assert_eq!(find_url(text, "a%20b.png", 0), Some((2, 17)));
    }
}
