//! `waxseal.yaml`: the site's settings.
//!
//! Every key has a default, so the file is optional. Unknown keys are refused
//! with a "did you mean" hint, since a misspelt setting that is silently
//! ignored is worse than an error. This module reads one file and nothing
//! else.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::diagnostics::{did_you_mean, Diagnostic};

/// The name of the settings file at the site root.
pub const CONFIG_FILE: &str = "waxseal.yaml";

/// The site's settings, with defaults filled in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SiteConfig {
    /// The gallery's title.
    pub title: String,
    /// One line about the site, for the gallery page.
    pub description: String,
    /// Where output/ will be published; every URL is made from it.
    pub base_url: String,
    /// The theme of a message that names none.
    pub theme: String,
    /// The card size of a message that names none.
    pub size: String,
    /// Dots per inch of the PNG cards.
    pub dpi: u32,
    /// Let raw HTML in messages through to the card pages (off: it is shown as text).
    pub raw_html: bool,
    /// The language of messages that name none (`en`); turns on hyphenation.
    pub lang: Option<String>,
    /// Which files to make for every card: `html`, `png`, `svg`.
    pub outputs: Vec<String>,
    /// Smallest PNG files, at the cost of time (for publishing).
    pub optimize: bool,
    /// The gallery's pages.
    pub gallery: GalleryConfig,
}

/// `gallery:` in `waxseal.yaml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GalleryConfig {
    /// Cards on a gallery page (`0`: all on one page).
    pub per_page: usize,
}

impl Default for GalleryConfig {
    fn default() -> Self {
        GalleryConfig { per_page: 24 }
    }
}

impl Default for SiteConfig {
    fn default() -> Self {
        SiteConfig {
            title: "Cards".into(),
            description: String::new(),
            base_url: "/".into(),
            theme: "chocolate".into(),
            size: "a6".into(),
            dpi: 300,
            raw_html: false,
            lang: None,
            outputs: vec!["html".into(), "png".into(), "svg".into()],
            optimize: false,
            gallery: GalleryConfig::default(),
        }
    }
}

/// `url` ending in one `/`, as every URL of the site is made by appending to it.
pub fn normalize_base_url(url: &str) -> String {
    format!("{}/", url.trim_end_matches('/'))
}

/// The keys `waxseal.yaml` accepts, for hints.
pub const CONFIG_KEYS: &[&str] =
    &["title", "description", "base_url", "theme", "size", "dpi", "raw_html", "lang", "outputs", "optimize", "gallery"];

impl SiteConfig {
    /// Reads `root/waxseal.yaml`, or the defaults when there is none.
    pub fn load(root: &Path) -> Result<SiteConfig, Diagnostic> {
        let path = root.join(CONFIG_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(SiteConfig::default()),
            Err(e) => return Err(Diagnostic::error(CONFIG_FILE, 0, 0, format!("cannot read: {e}"))),
        };
        let mut config = Self::parse(&text).map_err(|d| Diagnostic { path: CONFIG_FILE.into(), ..d })?;
        config.base_url = normalize_base_url(&config.base_url);
        if let Some(lang) = config.lang.as_deref().filter(|l| !crate::content::valid_lang(l)) {
            return Err(Diagnostic::error(CONFIG_FILE, 0, 0, format!("`{lang}` is not a language tag"))
                .with_hint("use a code such as `en`, `de` or `pt-BR`"));
        }
        if !(72..=1200).contains(&config.dpi) {
            return Err(Diagnostic::error(CONFIG_FILE, 0, 0, format!("dpi {} is out of range", config.dpi))
                .with_hint("use a value from 72 to 1200; print shops ask for 300"));
        }
        Ok(config)
    }

    /// Parses the text of a settings file; the diagnostic's path is left empty.
    pub fn parse(text: &str) -> Result<SiteConfig, Diagnostic> {
        if text.trim().is_empty() {
            return Ok(SiteConfig::default());
        }
        serde_yaml::from_str(text).map_err(|e| yaml_diagnostic("", &e, 0, CONFIG_KEYS))
    }
}

/// Turns a serde_yaml error into a diagnostic, shifting its line by
/// `line_offset` (the lines of the file before the YAML text) and adding a
/// "did you mean" hint for an unknown key.
pub fn yaml_diagnostic(path: &str, e: &serde_yaml::Error, line_offset: usize, keys: &[&str]) -> Diagnostic {
    let (line, col) = e.location().map_or((0, 0), |l| (l.line() + line_offset, l.column()));
    let text = e.to_string();
    // serde_yaml appends " at line L column C" to its message; we print the location ourselves.
    let message = match text.find(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text.clone(),
    };
    let hint = unknown_field(&message).map(|field| match did_you_mean(field, keys.iter().copied()) {
        Some(best) => format!("did you mean `{best}`?"),
        None => format!("known keys: {}", keys.join(", ")),
    });
    let message = match message.find(", expected one of") {
        Some(i) if hint.is_some() => message[..i].to_string(),
        _ => message,
    };
    Diagnostic::error(path, line, col, message).with_hint_opt(hint)
}

/// The field named by serde's "unknown field `x`" message.
fn unknown_field(message: &str) -> Option<&str> {
    let rest = message.split("unknown field `").nth(1)?;
    rest.split('`').next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_file_gives_defaults() {
        assert_eq!(SiteConfig::parse("").unwrap(), SiteConfig::default());
    }

    #[test]
    fn unknown_key_is_an_error_with_a_hint() {
        let d = SiteConfig::parse("title: Shop\nbase_ulr: /x/\n").unwrap_err();
        assert_eq!(d.line, 2);
        assert_eq!(d.message, "unknown field `base_ulr`");
        assert_eq!(d.hint.as_deref(), Some("did you mean `base_url`?"));
    }
}
