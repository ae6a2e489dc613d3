//! What the layout's unit tests share: the built-in themes, loaded once,
//! an A6 text box, and a laid-out line's text.

use super::{Frame, Line, LineKind};
use crate::theme::Theme;
use std::sync::OnceLock;

/// A built-in theme, loaded once per name for all tests.
pub(super) fn theme_named(name: &str) -> &'static Theme {
    static THEMES: OnceLock<Vec<Theme>> = OnceLock::new();
    let themes = THEMES.get_or_init(|| {
        ["chocolate", "classic", "kraft", "minimal"]
            .iter()
            .map(|n| crate::theme::load(std::path::Path::new("/nonexistent-site"), n).unwrap())
            .collect()
    });
    themes.iter().find(|t| t.spec.name == name).unwrap()
}

/// The built-in chocolate theme.
pub(super) fn chocolate() -> &'static Theme {
    theme_named("chocolate")
}

/// Chocolate's text box on an A6 card at 300 dpi.
pub(super) const A6: Frame = Frame { width: 917.0, height: 1206.0, px_per_pt: 300.0 / 72.0, text_scale: 1.0 };

/// The text a line draws (none for a rule or a picture).
pub(super) fn text_of(line: &Line) -> Option<String> {
    match &line.kind {
        LineKind::Text(pieces) => Some(pieces.iter().map(|p| p.text.as_str()).collect()),
        LineKind::Rule | LineKind::Picture { .. } => None,
    }
}
