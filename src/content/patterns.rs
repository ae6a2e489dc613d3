//! Which cards a command chose: the `--cards` patterns of `print` and
//! `send`, matched against slugs (globs through `globset`).

use std::path::Path;

use crate::diagnostics::Diagnostic;

/// The `--cards` patterns of a command: which slugs it chose. `*` stands
/// for any characters but `/`, `**` for any folders, `?` for one character
/// but `/` (glob syntax: `[abc]` and `{a,b}` too).
#[derive(Debug, Clone)]
pub struct CardPatterns {
    patterns: Vec<String>,
    set: globset::GlobSet,
}

impl CardPatterns {
    /// The patterns as given; a pattern that is not a glob is a problem of
    /// `place` (where the command looks for cards).
    pub fn new(patterns: &[String], place: &Path) -> Result<Self, Diagnostic> {
        let mut set = globset::GlobSetBuilder::new();
        for pattern in patterns {
            // `\` escapes on every system: slugs always use `/`.
            let glob = globset::GlobBuilder::new(pattern).literal_separator(true).backslash_escape(true).build();
            let glob = glob.map_err(|e| {
                Diagnostic::error(place, 0, 0, format!("`{pattern}` is not a pattern: {}", e.kind()))
                    .with_hint("a card's slug, or a pattern such as `orders/*`; `*` stops at a `/`, `**` does not")
            })?;
            set.add(glob);
        }
        let set = set.build().map_err(|e| Diagnostic::error(place, 0, 0, format!("the patterns: {e}")))?;
        Ok(CardPatterns { patterns: patterns.to_vec(), set })
    }

    /// True when none was given: every card is chosen.
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// Whether the card `slug` is chosen: every card when no pattern was
    /// given, else those a pattern matches.
    pub fn chooses(&self, slug: &str) -> bool {
        self.is_empty() || self.set.is_match(slug)
    }

    /// The patterns that match none of `slugs`, in the order given.
    pub fn unmatched<'a>(&self, slugs: impl IntoIterator<Item = &'a str>) -> Vec<&str> {
        let mut matched = vec![false; self.patterns.len()];
        for slug in slugs {
            for i in self.set.matches(slug) {
                matched[i] = true;
            }
        }
        self.patterns.iter().zip(matched).filter(|(_, matched)| !matched).map(|(p, _)| p.as_str()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glob_match(pattern: &str, slug: &str) -> bool {
        CardPatterns::new(&[pattern.to_string()], Path::new("content")).unwrap().chooses(slug)
    }

    #[test]
    fn patterns_match_slugs() {
        assert!(glob_match("orders/*", "orders/deb"));
        assert!(!glob_match("orders/*", "orders/2026/deb"));
        assert!(glob_match("orders/**", "orders/2026/deb"));
        assert!(glob_match("*-deb", "thank-you-deb"));
        assert!(!glob_match("*", "orders/deb"));
        assert!(glob_match("thank-you-???", "thank-you-deb"));
        assert!(glob_match("plain-note", "plain-note") && !glob_match("plain", "plain-note"));
    }
}
