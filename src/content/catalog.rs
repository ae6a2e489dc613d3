//! The cards a site has, before any is made: every message's card, and one
//! card per row of a merged message, each kept as where it is (a path, a
//! row's place) with its slug, theme and digest, so that a build, a print or
//! a send never holds every message or row at once and all three agree on
//! which cards exist. Slugs two cards share are refused here, once.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::SiteConfig;
use crate::content::recipients::{self, RowPlace, RowsFile};
use crate::content::Message;
use crate::diagnostics::Diagnostic;

/// Drops the later of two cards with one slug, with an error naming both
/// (for a merged card, its row).
pub fn unique_slugs(messages: Vec<Head>, diagnostics: &mut Vec<Diagnostic>) -> Vec<Head> {
    let mut seen: HashMap<String, String> = HashMap::new();
    let mut out = Vec::new();
    for m in messages {
        if let Some(first) = seen.get(&m.slug) {
            let d = match &m.row {
                Some(row) => Diagnostic::error(
                    &*row.file,
                    row.place.line,
                    1,
                    format!("row {}: slug `{}` is already used by {first}", row.place.number, m.slug),
                )
                .with_hint(format!(
                    "the `slug:` of {} must give each row its own: use a field that differs from row to row, such as an order number",
                    m.source.display()
                )),
                None => Diagnostic::error(
                    &m.source,
                    m.slug_line,
                    1,
                    format!("slug `{}` is already used by {first}", m.slug),
                )
                .with_hint("set a different `slug:` in the front matter"),
            };
            diagnostics.push(d);
            continue;
        }
        seen.insert(m.slug.clone(), m.describe());
        out.push(m);
    }
    out
}

/// What a build keeps of a message (or of one row of a merged message)
/// until its card is made, when the message is read again: a build never
/// holds every message or row at once.
pub struct Head {
    /// Its file.
    pub path: PathBuf,
    /// Its file as diagnostics name it.
    pub source: PathBuf,
    /// Its card's slug.
    pub slug: String,
    /// The line of its `slug:`, or of its body.
    pub slug_line: usize,
    /// Its `theme:`.
    pub theme: Option<String>,
    /// See [`Message::digest`] (a merged card's covers its row).
    pub digest: [u8; 32],
    /// The row a merged card is made from.
    pub row: Option<HeadRow>,
}

/// Where a merged card's row is.
pub struct HeadRow {
    /// The rows' file, as diagnostics name it (shared by the rows of one file).
    pub file: Arc<PathBuf>,
    /// Where the row is in it.
    pub place: RowPlace,
}

impl Head {
    /// The card of message `m`, read from `path`.
    pub fn of(path: &Path, m: Message) -> Head {
        Head {
            path: path.to_path_buf(),
            slug_line: m.line_of("slug"),
            source: m.source,
            slug: m.slug,
            theme: m.front.theme,
            digest: m.digest,
            row: None,
        }
    }

    /// `content/a.md`, or `row 3 of content/orders.csv (line 4)`.
    pub fn describe(&self) -> String {
        match &self.row {
            Some(row) => format!("row {} of {} (line {})", row.place.number, row.file.display(), row.place.line),
            None => self.source.display().to_string(),
        }
    }
}

/// The cards one message file makes, before they are made.
#[derive(Default)]
pub struct Heads {
    /// One for a message; one per good row for a merged message.
    pub heads: Vec<Head>,
    /// Its problems: the message's, or its rows'.
    pub problems: Vec<Diagnostic>,
    /// Drafts left out.
    pub drafts: usize,
    /// The slug of a message that could not be read (or whose rows could
    /// not be read on): its cards of the last build stay.
    pub unreadable: Option<String>,
}

/// Reads message `path`; a merged message's rows are read one at a time
/// and each kept as where it is, with its card's slug and digest.
pub fn heads_of(
    read: &dyn Fn(&Path) -> Result<Message, Diagnostic>,
    root: &Path,
    path: &Path,
    tera: &tera::Tera,
    config: &SiteConfig,
    drafts: bool,
) -> Heads {
    let mut out = Heads::default();
    let path_slug = || {
        let rel = path.strip_prefix(root.join("content")).unwrap_or(path).with_extension("");
        rel.to_string_lossy().replace('\\', "/")
    };
    let m = match read(path) {
        Ok(m) => m,
        Err(d) => {
            out.problems.push(d);
            out.unreadable = Some(path_slug());
            return out;
        }
    };
    if m.front.draft && !drafts {
        out.drafts = 1;
        return out;
    }
    if !m.is_merged() {
        out.heads.push(Head::of(path, m));
        return out;
    }
    if let Err(d) = merged_heads(root, path, &m, tera, config, &mut out) {
        out.problems.push(d);
        out.unreadable = Some(m.slug);
    }
    out
}

/// The cards of merged message `m` (at `path`), one per good row, into
/// `out` with the rows' problems; an error when its rows cannot be read.
fn merged_heads(
    root: &Path,
    path: &Path,
    m: &Message,
    tera: &tera::Tera,
    config: &SiteConfig,
    out: &mut Heads,
) -> Result<(), Diagnostic> {
    let file = RowsFile::of(root, path, m)?;
    let rows = file.rows()?;
    let shown = Arc::new(file.shown().to_path_buf());
    let first = out.heads.len();
    for (seen, row) in rows.enumerate() {
        if seen == recipients::MAX_ROWS {
            // Every card is kept (its slug, theme and digest) until the
            // gallery is made: the rows a build holds are bounded here.
            let (number, line) = match &row {
                Ok(row) => (row.place.number, row.place.line),
                Err(e) => (seen + 1, e.diagnostic.line),
            };
            let max = recipients::MAX_ROWS;
            out.heads.truncate(first);
            out.problems.push(
                Diagnostic::error(
                    &*shown,
                    line,
                    1,
                    format!("row {number}: a file of rows may have at most {max} rows"),
                )
                .with_hint(format!(
                    "no card of it is made: split the rows into files of {max} at most, one merged message each"
                )),
            );
            out.unreadable = Some(m.slug.clone());
            return Ok(());
        }
        let row = match row {
            Ok(row) => row,
            Err(e) => {
                if e.last {
                    // The file could not be read on: the cards of the rows after stay.
                    out.unreadable = Some(m.slug.clone());
                }
                out.problems.push(e.diagnostic);
                continue;
            }
        };
        let place = row.place;
        let card = recipients::with_row(m, &file, row);
        match recipients::card_slug(&card, tera, config) {
            Ok(slug) => out.heads.push(Head {
                path: path.to_path_buf(),
                source: m.source.clone(),
                slug,
                slug_line: m.line_of("slug"),
                theme: m.front.theme.clone(),
                digest: card.digest,
                row: Some(HeadRow { file: shown.clone(), place }),
            }),
            Err(d) => out.problems.push(d),
        }
    }
    if out.heads.is_empty() && out.problems.is_empty() {
        let (line, col) = m.value_place("recipients");
        out.problems.push(
            Diagnostic::warning(&m.source, line, col, format!("{} has no rows: no cards are made", shown.display()))
                .with_hint("add a row for each card under the header"),
        );
    }
    Ok(())
}

/// The message of the card of the row at `place` of merged message `m` (at
/// `path`): the row read again, the front matter rendered with it.
pub fn merged_card(
    root: &Path,
    path: &Path,
    m: &Message,
    place: RowPlace,
    tera: &tera::Tera,
    config: &SiteConfig,
) -> Result<Message, Diagnostic> {
    let file = RowsFile::of(root, path, m)?;
    let row = file.row_at(place)?;
    recipients::card_message(recipients::with_row(m, &file, row), tera, config)
}
