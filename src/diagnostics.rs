//! Problems found while building, and how they are shown to the user.
//!
//! Every stage reports a problem in one message as a [`Diagnostic`] and goes
//! on; only the build decides what the exit status is. A diagnostic always
//! names the file the user must edit (never a template engine's internal
//! name) and, where known, the 1-based line and column in that file.
//!
//! What a diagnostic echoes comes from the user's files, and those may come
//! from anyone: every control character in its path, message and hint is
//! shown escaped (`\u{1b}`, `\r`), as `rustc` and `cargo` do, so that a
//! value cannot recolour, retitle or clear the terminal, or start a line of
//! its own that reads like waxseal's.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum Severity {
    /// The card (or the site) could not be built as asked.
    Error,
    /// The card was built, but something deserves a look.
    Warning,
}

/// One problem, located in a user's file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The file, relative to the site root when it lies inside it.
    pub path: PathBuf,
    /// 1-based line, 0 when unknown.
    pub line: usize,
    /// 1-based column, 0 when unknown.
    pub col: usize,
    /// What is wrong, in one sentence.
    pub message: String,
    /// How to fix it, when we can tell.
    pub hint: Option<String>,
    /// A problem every row of a merged message can have at the same place
    /// of the message (its template): the problem in words the rows share,
    /// so that [`fold_repeats`] reports it once, not once per row.
    pub repeats_as: Option<Box<str>>,
}

impl Diagnostic {
    /// An error at `path:line:col`.
    pub fn error(path: impl Into<PathBuf>, line: usize, col: usize, message: impl Into<String>) -> Self {
        let (path, message) = (path.into(), message.into());
        Diagnostic { severity: Severity::Error, path, line, col, message, hint: None, repeats_as: None }
    }

    /// A warning at `path:line:col`.
    pub fn warning(path: impl Into<PathBuf>, line: usize, col: usize, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(path, line, col, message) }
    }

    /// Adds a hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Adds a hint when there is one.
    pub fn with_hint_opt(mut self, hint: Option<String>) -> Self {
        self.hint = hint;
        self
    }

    /// Marks a problem of one row that other rows may share as `gist`
    /// (see [`Diagnostic::repeats_as`]).
    pub fn repeating_as(mut self, gist: impl Into<String>) -> Self {
        self.repeats_as = Some(gist.into().into_boxed_str());
        self
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// What a command found, and whether it could do its work at all: the one
/// thing its exit code is decided from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Every problem, in the order found.
    pub diagnostics: Vec<Diagnostic>,
    /// The command could not do its work at all (bad settings, nothing to do,
    /// an output it cannot write).
    pub fatal: bool,
}

impl Report {
    /// Adds a problem that does not stop the command.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// Adds a problem that stops the command.
    pub fn push_fatal(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
        self.fatal = true;
    }

    /// 2 when the command could not do its work at all, 1 when some of it
    /// failed (an error), else 0: a warning alone is still a success.
    pub fn exit_code(&self) -> i32 {
        exit_code(self.fatal, &self.diagnostics)
    }

    /// Reports a problem the rows of a merged message share once (see
    /// [`fold_repeats`]).
    pub fn fold_repeats(&mut self) {
        self.diagnostics = fold_repeats(std::mem::take(&mut self.diagnostics));
    }

    /// As [`Report::exit_code`], but any problem found, a warning too, is a
    /// 1: for `waxseal check`, a CI gate whose whole job is finding problems.
    pub fn strict_exit_code(&self) -> i32 {
        code(self.fatal, !self.diagnostics.is_empty())
    }
}

/// The exit code of a command that found `diagnostics`: 2 when it could
/// not do its work at all (`fatal`), 1 when any is an error, else 0
/// ([`Report::exit_code`], for reports that do not hold a [`Report`] yet).
pub fn exit_code(fatal: bool, diagnostics: &[Diagnostic]) -> i32 {
    code(fatal, diagnostics.iter().any(Diagnostic::is_error))
}

/// The one exit-code rule: 2 fatal, 1 failed, 0 clean.
fn code(fatal: bool, failed: bool) -> i32 {
    if fatal {
        2
    } else if failed {
        1
    } else {
        0
    }
}

/// The diagnostics with those that repeat one at the same place, as the
/// same problem (the cards of a merged message share its text: a template
/// mistake fails every row the same way; see [`Diagnostic::repeats_as`]),
/// folded into the first, whose hint says how many more rows have it.
pub fn fold_repeats(diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = Vec::with_capacity(diagnostics.len());
    let mut more: Vec<usize> = Vec::with_capacity(diagnostics.len());
    let mut first: HashMap<(bool, PathBuf, usize, usize, String), usize> = HashMap::new();
    for d in diagnostics {
        let gist = d.repeats_as.as_deref().unwrap_or(&d.message).to_string();
        let place = (d.is_error(), d.path.clone(), d.line, d.col, gist);
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
        let rows = plural(n, "more row", "more rows");
        d.hint = Some(match d.hint.take() {
            Some(hint) => format!("{hint}\n  and the same for {rows}"),
            None => format!("the same for {rows}"),
        });
    }
    out
}

/// `1 card`, `3 cards`: `n` and the word that goes with it.
pub fn plural(n: usize, one: &str, other: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { other })
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", escape_controls(&self.path.to_string_lossy()))?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
            if self.col > 0 {
                write!(f, ":{}", self.col)?;
            }
        }
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, ": {label}: {}", escape_controls(&self.message))?;
        if let Some(hint) = &self.hint {
            // A hint may go on over more lines; each is indented, so none
            // reads as a diagnostic or a summary of its own.
            for (i, line) in hint.split('\n').enumerate() {
                let line = escape_controls(line);
                match i {
                    0 => write!(f, "\n  hint: {line}")?,
                    _ if line.starts_with("  ") => write!(f, "\n{line}")?,
                    _ => write!(f, "\n  {line}")?,
                }
            }
        }
        Ok(())
    }
}

/// `text` with every control character shown as an escape (`\u{1b}`, `\n`,
/// `\r`, `\t`), and the invisible marks that reorder a line's text
/// (`\u{202e}`) too: what is printed to a terminal or a log stays one line of
/// visible text, whatever a user's file held.
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if needs_escape(c) => out.extend(c.escape_unicode()),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Control characters (C0, DEL, C1) and the bidirectional marks, embeddings,
/// overrides and isolates.
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// The closest candidate to `word` when it is close enough to be a likely typo.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// `path` shown relative to `root` when it lies inside it, so diagnostics read
/// `content/x.md` rather than an absolute path.
pub fn display_path(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).map(Path::to_path_buf).unwrap_or_else(|_| path.to_path_buf())
}

/// 1-based line and column of byte `offset` in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_a_compiler() {
        let d = Diagnostic::error("content/x.md", 3, 7, "unknown field `titel`").with_hint("did you mean `title`?");
        assert_eq!(d.to_string(), "content/x.md:3:7: error: unknown field `titel`\n  hint: did you mean `title`?");
    }

    #[test]
    fn control_characters_are_shown_escaped_and_start_no_line() {
        let d = Diagnostic::error("content/a\u{1b}[2K.md", 2, 8, "`\u{1b}[8m` is not a date\rbuilt 2 cards")
            .with_hint("say it\u{7}\nthe same\n  and more\u{202e}");
        assert_eq!(
            d.to_string(),
            "content/a\\u{1b}[2K.md:2:8: error: `\\u{1b}[8m` is not a date\\rbuilt 2 cards\n  \
             hint: say it\\u{7}\n  the same\n  and more\\u{202e}"
        );
        assert_eq!(escape_controls("tab\there\nand é"), "tab\\there\\nand é");
        assert!(matches!(escape_controls("plain: ünïcödé"), Cow::Borrowed(_)));
        assert_eq!(escape_controls("\u{9b}\u{7f}\0"), "\\u{9b}\\u{7f}\\u{0}");
    }

    #[test]
    fn suggests_close_words_only() {
        let keys = ["title", "theme", "tags"];
        assert_eq!(did_you_mean("titel", keys), Some("title"));
        assert_eq!(did_you_mean("zzz", keys), None);
    }

    #[test]
    fn one_exit_code_rule() {
        let warning = Diagnostic::warning("a.md", 1, 1, "odd");
        let error = Diagnostic::error("a.md", 1, 1, "bad");
        let report = |diagnostics: Vec<Diagnostic>, fatal| Report { diagnostics, fatal };
        assert_eq!(report(vec![], false).exit_code(), 0);
        assert_eq!(report(vec![warning.clone()], false).exit_code(), 0);
        assert_eq!(report(vec![warning.clone()], false).strict_exit_code(), 1);
        assert_eq!(report(vec![warning, error], false).exit_code(), 1);
        assert_eq!(report(vec![], true).exit_code(), 2);
        assert_eq!(report(vec![], true).strict_exit_code(), 2);
    }

    #[test]
    fn plurals_follow_the_count() {
        assert_eq!(plural(1, "card", "cards"), "1 card");
        assert_eq!(plural(0, "card", "cards"), "0 cards");
        assert_eq!(plural(2, "email", "emails"), "2 emails");
    }

    #[test]
    fn line_col_counts_from_one() {
        assert_eq!(line_col("ab\ncd", 4), (2, 2));
        assert_eq!(line_col("ab", 0), (1, 1));
    }
}
