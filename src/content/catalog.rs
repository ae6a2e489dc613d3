//! The cards a site has, before any is made: every message's card, and one
//! card per row of a merged message, each kept as where it is (a path, a
//! row's place) with its slug, theme and digest, so that a build, a print or
//! a send never holds every message or row at once and all three agree on
//! which cards exist. Slugs two cards share are refused here, once.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::SiteConfig;
use crate::content::recipients::{self, RowPlace, RowsFile};
use crate::content::Message;
use crate::diagnostics::Diagnostic;

/// Keeps the cards whose files no other card's can overwrite. A slug with
/// a part named as one of `card_files` (`a/index.html` would make card
/// `a`'s page a folder) is refused; of two cards with one slug (in any
/// case: macOS and Windows take `A` and `a` for one folder) the later is
/// dropped, with an error at both; and so are the cards of a merged
/// message whose gallery pages another's would be (see [`paging_apart`]).
pub fn unique_slugs(heads: Vec<Head>, card_files: &[&str], diagnostics: &mut Vec<Diagnostic>) -> Vec<Head> {
    let heads = paging_apart(heads, diagnostics);
    // Each slug, lower-cased, and the index in `out` of its card.
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut told = HashSet::new();
    let mut out: Vec<Head> = Vec::new();
    for m in heads {
        if let Some(part) = m.slug.split('/').find(|part| card_files.contains(&part.to_lowercase().as_str())) {
            let message = format!("slug `{}` has a part named `{part}`, a file of every card's folder", m.slug);
            let hint = format!("a part of a slug may not be named as a card's files: {}", card_files.join(", "));
            diagnostics.push(m.error(message, 0).with_hint(hint));
            continue;
        }
        let key = m.slug.to_lowercase();
        let Some(&first) = seen.get(&key) else {
            seen.insert(key, out.len());
            out.push(m);
            continue;
        };
        let first = &out[first];
        diagnostics.push(m.taken_by(first));
        if told.insert(first.describe()) {
            diagnostics.push(first.taken_again_by(&m));
        }
    }
    out
}

/// Drops the cards of a merged message whose gallery pages would be
/// another's: `m/page/2`'s first page is page 2 of `m`'s (whether `m` has
/// that many cards now or only tomorrow), with an error at both messages.
fn paging_apart(heads: Vec<Head>, diagnostics: &mut Vec<Diagnostic>) -> Vec<Head> {
    let mut groups: HashMap<String, (Arc<Group>, &Path)> = HashMap::new();
    for head in &heads {
        if let Some(row) = &head.row {
            groups.entry(row.group.slug.to_lowercase()).or_insert((row.group.clone(), &head.source));
        }
    }
    let mut clashing = HashSet::new();
    let mut names: Vec<&String> = groups.keys().collect();
    names.sort();
    for name in names {
        let Some((parent, page)) = paged_under(name) else { continue };
        let (Some((group, source)), Some((other, other_source))) = (groups.get(name), groups.get(parent)) else {
            continue;
        };
        diagnostics.push(
            group
                .error(
                    source,
                    format!(
                        "the page of the cards of `{}` would be page {page} of the cards of `{}` ({})",
                        group.slug,
                        other.slug,
                        other_source.display()
                    ),
                )
                .with_hint(
                    "the gallery pages a merged message's cards as merged/SLUG/page/N/: rename or move this file",
                ),
        );
        diagnostics.push(
            other
                .error(
                    other_source,
                    format!(
                        "page {page} of the cards of `{}` would be the page of the cards of `{}` ({}), whose cards are not built",
                        other.slug,
                        group.slug,
                        source.display()
                    ),
                )
                .with_hint("rename or move one of the two files"),
        );
        clashing.insert(name.clone());
    }
    if clashing.is_empty() {
        return heads;
    }
    heads
        .into_iter()
        .filter(|head| head.row.as_ref().is_none_or(|row| !clashing.contains(&row.group.slug.to_lowercase())))
        .collect()
}

/// `("m", "2")` for `m/page/2`: the group whose page 2 that is.
fn paged_under(slug: &str) -> Option<(&str, &str)> {
    let (rest, page) = slug.rsplit_once('/')?;
    let parent = rest.strip_suffix("/page")?;
    (!page.is_empty() && page.bytes().all(|b| b.is_ascii_digit())).then_some((parent, page))
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
    /// The column of the value of its `slug:` (1 when it has none).
    pub slug_col: usize,
    /// Its `theme:`.
    pub theme: Option<String>,
    /// Its `size:` (a build hands out the cards grouped by theme and
    /// size, which share their artwork).
    pub size: Option<String>,
    /// Its seal's `color:`, when it gives one: the build hands out the
    /// cards of one wax together (they share its drawing).
    pub wax: Option<String>,
    /// See [`Message::digest`] (a merged card's covers its row).
    pub digest: [u8; 32],
    /// The row a merged card is made from.
    pub row: Option<HeadRow>,
    /// Whether its QR code may link its own page (`qr: card`, or a
    /// template that may make it): `None` when the message gives no `qr:`
    /// and the site's counts.
    pub qr_card: Option<bool>,
}

/// What [`Head::qr_card`] says of message `m`.
fn qr_card(m: &Message) -> Option<bool> {
    m.front.qr.as_deref().map(|q| q.trim() == crate::qr::CARD || crate::template::is_template(q))
}

/// Where a merged card's row is.
pub struct HeadRow {
    /// The rows' file, as diagnostics name it (shared by the rows of one file).
    pub file: Arc<PathBuf>,
    /// Where the row is in it.
    pub place: RowPlace,
    /// The merged message (shared by its rows).
    pub group: Arc<Group>,
}

/// A merged message, whose cards the gallery pages as one
/// (`merged/SLUG/`, `merged/SLUG/page/2/`, ...).
pub struct Group {
    /// Its slug, from its path.
    pub slug: String,
    /// The 1-based line of its `recipients:`.
    pub line: usize,
    /// The 1-based column of the value of its `recipients:`.
    pub col: usize,
}

impl Group {
    /// An error at its `recipients:` in `source`, its file.
    fn error(&self, source: &Path, message: String) -> Diagnostic {
        Diagnostic::error(source, self.line, self.col, message)
    }
}

/// The `color:` of message `m`'s seal, if it gives one.
fn wax_of(m: &Message) -> Option<String> {
    match &m.front.seal {
        Some(crate::content::front_matter::SealField::Spec(spec)) => spec.color.clone(),
        _ => None,
    }
}

impl Head {
    /// The card of message `m`, read from `path`.
    pub fn of(path: &Path, m: Message) -> Head {
        let (slug_line, slug_col) = m.value_place("slug");
        let qr_card = qr_card(&m);
        let wax = wax_of(&m);
        Head {
            path: path.to_path_buf(),
            slug_line,
            slug_col,
            source: m.source,
            slug: m.slug,
            wax,
            theme: m.front.theme,
            size: m.front.size,
            qr_card,
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

    /// An error with its slug: at its row (`row 3: ...`), or at its
    /// `slug:` (at column `col`, or at its value when 0).
    fn error(&self, message: String, col: usize) -> Diagnostic {
        match &self.row {
            Some(row) => {
                Diagnostic::error(&*row.file, row.place.line, 1, format!("row {}: {message}", row.place.number))
                    .with_hint(format!(
                        "the `slug:` of {} must give each row its own: use a field that differs from row to row, such as an order number",
                        self.source.display()
                    ))
            }
            None => Diagnostic::error(&self.source, self.slug_line, if col == 0 { self.slug_col } else { col }, message),
        }
    }

    /// The error of a card whose slug `first` has (in any case), and which is not built.
    fn taken_by(&self, first: &Head) -> Diagnostic {
        let d = self
            .error(format!("slug `{}` is already used by {}{}", self.slug, first.describe(), as_in(first, self)), 1);
        match self.row {
            Some(_) => d,
            None => d.with_hint("set a different `slug:` in the front matter"),
        }
    }

    /// The error of card `self`, built, whose slug `again` has too.
    fn taken_again_by(&self, again: &Head) -> Diagnostic {
        let message = format!(
            "slug `{}` is used again by {}{}, whose card is not built",
            self.slug,
            again.describe(),
            as_in(again, self)
        );
        let d = self.error(message, 1);
        match self.row {
            Some(_) => d,
            None => d.with_hint("set a different `slug:` in one of the two"),
        }
    }
}

/// ` as `Deb`` when `other` spells the slug of `head` in other case: one
/// folder where case is not told apart (macOS, Windows).
fn as_in(other: &Head, head: &Head) -> String {
    if other.slug == head.slug {
        String::new()
    } else {
        format!(" as `{}` (one folder on macOS and Windows)", other.slug)
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

/// The slug message file `path` has by its place in content/, before its
/// front matter is read (`content/orders/a.md` -> `orders/a`).
pub fn path_slug(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root.join("content")).unwrap_or(path).with_extension("");
    rel.to_string_lossy().replace('\\', "/")
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
    let m = match read(path) {
        Ok(m) => m,
        Err(d) => {
            out.problems.push(d);
            out.unreadable = Some(path_slug(root, path));
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
    let (line, col) = m.value_place("recipients");
    let group = Arc::new(Group { slug: m.slug.clone(), line, col });
    let first = out.heads.len();
    for (seen, row) in rows.enumerate() {
        if seen == recipients::MAX_ROWS {
            // Every card is kept (its slug, theme and digest) until the
            // gallery is made: the rows a build holds are bounded here.
            out.heads.truncate(first);
            out.problems.push(too_many_rows(&shown, seen, &row));
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
                slug_col: 1,
                theme: m.front.theme.clone(),
                size: m.front.size.clone(),
                wax: wax_of(m),
                digest: card.digest,
                row: Some(HeadRow { file: shown.clone(), place, group: group.clone() }),
                qr_card: qr_card(m),
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

/// The error of row `row`, the first past [`recipients::MAX_ROWS`] (`seen`
/// rows came before it) of the rows file `shown`: no card of it is made.
fn too_many_rows(shown: &Path, seen: usize, row: &Result<recipients::Row, recipients::RowError>) -> Diagnostic {
    let (number, line) = match row {
        Ok(row) => (row.place.number, row.place.line),
        Err(e) => (seen + 1, e.diagnostic.line),
    };
    let max = recipients::MAX_ROWS;
    Diagnostic::error(shown, line, 1, format!("row {number}: a file of rows may have at most {max} rows")).with_hint(
        format!("no card of it is made: split the rows into files of {max} at most, one merged message each"),
    )
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

/// The message of card `head`, read again with `read` (a merged card's row
/// read again too), under the slug the catalog gave it.
pub fn message_of(
    read: &dyn Fn(&Path) -> Result<Message, Diagnostic>,
    root: &Path,
    head: &Head,
    tera: &tera::Tera,
    config: &SiteConfig,
) -> Result<Message, Diagnostic> {
    read(&head.path)
        .and_then(|m| match &head.row {
            Some(row) => merged_card(root, &head.path, &m, row.place, tera, config),
            None => Ok(m),
        })
        .map(|m| Message { slug: head.slug.clone(), ..m })
}
