//! What a build is asked to do: the site, the output folder, drafts, which
//! outputs, and the settings as the build uses them.

use std::path::{Path, PathBuf};

use crate::config::Outputs;
use crate::config::{SiteConfig, CONFIG_FILE};
use crate::diagnostics::Diagnostic;

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
    /// The site's settings as this build uses them, and the outputs it
    /// makes (the command line's, else the settings'); an error when
    /// emails are to be made with no sender.
    pub fn settings(&self) -> Result<(SiteConfig, Outputs), Diagnostic> {
        let config = self.config()?;
        let outputs = self.outputs.unwrap_or(config.outputs);
        if outputs.email && config.email.from.is_none() {
            // At the settings' `outputs`, unless the command line asked for the emails.
            let line = if self.outputs.is_none() { config_line(&self.root, "outputs") } else { 0 };
            let d = Diagnostic::error(
                CONFIG_FILE,
                line,
                usize::from(line > 0),
                "`email` is an output but the emails are from no one",
            )
            .with_hint(
                "say who they are from in waxseal.yaml: `email: { from: \"Beverly's Shop <hello@shop.example>\" }`",
            );
            return Err(d);
        }
        Ok((config, outputs))
    }

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

/// The 1-based line of top-level key `key` in the site's waxseal.yaml (0
/// when it is not there).
fn config_line(root: &Path, key: &str) -> usize {
    let text = std::fs::read_to_string(root.join(crate::config::CONFIG_FILE)).unwrap_or_default();
    text.lines().position(|l| l.starts_with(key) && l[key.len()..].trim_start().starts_with(':')).map_or(0, |i| i + 1)
}
