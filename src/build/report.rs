//! What a build did: its diagnostics (repeated ones folded), the cards it
//! made or kept, what it changed, and its exit code.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::config::Outputs;
use crate::config::SiteConfig;
use crate::diagnostics::{Diagnostic, Report};
use crate::output::Output;

/// What a build did.
#[derive(Debug, Default)]
pub struct BuildReport {
    /// Every problem, in file order, and whether one stopped the whole
    /// build (bad settings, an output folder it cannot write).
    pub problems: Report,
    /// Slugs of the cards written.
    pub built: Vec<String>,
    /// Drafts left out.
    pub drafts_skipped: usize,
    /// Cards that were unchanged since the last build (not drawn again).
    pub reused: usize,
    /// Cards whose page was made again but whose pictures were not drawn
    /// again (only a stylesheet, a page template or a page setting changed).
    pub pages_only: usize,
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
    /// The report of a build that stopped at once, for `d`.
    pub(super) fn failed(d: Diagnostic) -> BuildReport {
        let mut problems = Report::default();
        problems.push_fatal(d);
        BuildReport { problems, ..BuildReport::default() }
    }

    /// The last of a build's report: whether its pages' base URL is
    /// relative, the files it changed, the repeated diagnostics folded.
    pub(super) fn conclude(&mut self, config: &SiteConfig, outputs: &Outputs, output: &Output) {
        if outputs.html && !config.base_url.contains("://") {
            self.relative_base_url = Some(config.base_url.clone());
        }
        self.changed = output.changed();
        self.problems.fold_repeats();
    }

    /// 0 clean, 1 some cards failed, 2 fatal.
    pub fn exit_code(&self) -> i32 {
        self.problems.exit_code()
    }
}
