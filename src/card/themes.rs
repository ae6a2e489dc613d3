//! The themes a run's cards use, each loaded once, and which one a message
//! gets: one wording for a build, a print and a check ("unknown theme",
//! "theme `x` cannot be used" after the theme's own error, once).

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::config::SiteConfig;
use crate::content::Message;
use crate::diagnostics::{did_you_mean, Diagnostic};
use crate::theme::{self, LoadError, Theme};

/// Each theme the cards name, by name, loaded (or why not).
pub type Themes = BTreeMap<String, Result<Arc<Theme>, LoadError>>;

/// The name of message `m`'s theme: its own, or the site's.
pub fn theme_name<'m>(config: &'m SiteConfig, m: &'m Message) -> &'m str {
    m.front.theme.as_deref().unwrap_or(&config.theme)
}

/// Message `m`'s theme, or an error at its `theme:` (or its body, for the
/// site's theme): a theme that does not exist, with the nearest name, or
/// one that is broken, pointing at the theme's own error.
pub fn theme_of<'t>(themes: &'t Themes, config: &SiteConfig, m: &Message) -> Result<&'t Arc<Theme>, Diagnostic> {
    let front = &m.front;
    let theme_name = theme_name(config, m);
    let (line, col) = if front.theme.is_some() { m.value_place("theme") } else { (m.body_line, 1) };
    match themes.get(theme_name) {
        Some(Ok(theme)) => Ok(theme),
        // The theme's own error is reported once, before this one.
        Some(Err(LoadError::Broken(d))) => {
            let place = match d.line {
                0 => d.path.display().to_string(),
                line => format!("{}:{line}", d.path.display()),
            };
            Err(Diagnostic::error(&m.source, line, col, format!("theme `{theme_name}` cannot be used"))
                .with_hint(format!("fix the theme's error at {place} first")))
        }
        _ => {
            let mut known = theme::built_in_names();
            known.sort();
            let hint = match did_you_mean(theme_name, known.iter().copied()) {
                Some(best) => format!("did you mean `{best}`?"),
                None => format!("built-in themes: {}; or create themes/{theme_name}/theme.yaml", known.join(", ")),
            };
            Err(Diagnostic::error(&m.source, line, col, format!("unknown theme `{theme_name}`")).with_hint(hint))
        }
    }
}

/// The error of theme `name` to report once, before its cards' errors: a
/// broken theme's own, or the site's theme not found; none for a message's
/// unknown theme (the message says so itself).
pub fn own_error<'t>(themes: &'t Themes, config: &SiteConfig, name: &str) -> Option<&'t Diagnostic> {
    let Some(Err(load_error)) = themes.get(name) else { return None };
    let named_by_a_message = name != config.theme && load_error.is_unknown();
    (!named_by_a_message).then(|| load_error.diagnostic())
}
