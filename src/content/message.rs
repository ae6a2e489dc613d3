//! One message file -> [`Message`]: read (bounded, text only), front matter
//! split from the body, parsed and checked. Front matter lines are offset by
//! the opening `---`, so every error points at a line of the file itself.

use std::path::{Path, PathBuf};

use super::{FrontMatter, GalleryMode, FRONT_MATTER_KEYS};
use crate::config::{valid_lang, yaml_diagnostic};
use crate::diagnostics::{display_path, line_col, Diagnostic};
use crate::input::{yaml_too_deep, MAX_YAML_DEPTH};
use crate::template::{is_template, parse_date};

/// A message read from `content/`, its body not yet rendered.
#[derive(Debug, Clone)]
pub struct Message {
    /// The file, relative to the site root (for diagnostics).
    pub source: PathBuf,
    /// URL path of the card: `orders/deb`.
    pub slug: String,
    /// The front matter.
    pub front: FrontMatter,
    /// The parsed date.
    pub date: Option<jiff::civil::DateTime>,
    /// The body as written (a Tera template).
    pub body: String,
    /// The 1-based line of the file where the body starts.
    pub body_line: usize,
    /// The 1-based line of each top-level front matter key, and the
    /// 1-based column where its value starts (inside quotes).
    pub key_lines: Vec<(String, usize, usize)>,
    /// A hash of the file's text: a card is drawn again only when it changes
    /// (or its theme, the site's settings or waxseal do). A merged card's
    /// hashes its row too.
    pub digest: [u8; 32],
    /// The row of a merged message's card (see [`crate::content::recipients`]).
    pub recipient: Option<Recipient>,
}

/// The row a merged card is made for.
#[derive(Debug, Clone)]
pub struct Recipient {
    /// The slug of the merged message (the cards' group in the gallery).
    pub group: String,
    /// The rows' file, as diagnostics name it.
    pub file: PathBuf,
    /// The row's number, from 1 (the first row after a CSV's header).
    pub row: usize,
    /// The 1-based line of the file where the row starts.
    pub line: usize,
    /// Its fields (`recipient.*` in the templates); an empty CSV cell is no field.
    pub fields: serde_json::Map<String, serde_json::Value>,
}

impl Recipient {
    /// `row 3 of content/orders.csv`.
    pub fn describe(&self) -> String {
        format!("row {} of {}", self.row, self.file.display())
    }
}

impl Message {
    /// The line of front matter key `key`, or of the body when it is absent.
    pub fn line_of(&self, key: &str) -> usize {
        self.key_lines.iter().find(|(k, _, _)| k == key).map_or(self.body_line, |(_, l, _)| *l)
    }

    /// The line of front matter key `key` and the column of its value (1 when unknown).
    pub fn value_place(&self, key: &str) -> (usize, usize) {
        self.key_lines.iter().find(|(k, _, _)| k == key).map_or((self.body_line, 1), |(_, l, c)| (*l, *c))
    }

    /// Whether its cards are made from the rows of a `recipients:` file.
    pub fn is_merged(&self) -> bool {
        self.front.recipients.is_some()
    }
}

/// A message file may be at most this long. A card holds a few hundred
/// words; a longer file is a mistake (a log, an export) that would only cost
/// time and memory before it failed to fit.
pub const MAX_MESSAGE_BYTES: usize = 1 << 20;

/// Reads and parses one message file.
pub fn read(root: &Path, path: &Path) -> Result<Message, Diagnostic> {
    use std::io::Read;
    let shown = display_path(root, path);
    let cannot_read = |e: std::io::Error| match e.kind() {
        // Listed by the walk, gone when read: deleted or renamed meanwhile.
        std::io::ErrorKind::NotFound => Diagnostic::error(&shown, 0, 0, "the file was deleted while the build ran")
            .with_hint("build again to make the cards of the files there are now"),
        _ => Diagnostic::error(&shown, 0, 0, format!("cannot read: {e}")),
    };
    // A message reached through a link must still be a file of the site.
    if let Err(crate::input::Refused::Outside) = crate::input::inside(root, path) {
        return Err(Diagnostic::error(&shown, 0, 0, "the file is a link that leads outside the site folder")
            .with_hint(
                "messages are read only from inside the site folder: copy the file in instead of linking to it",
            ));
    }
    let file = std::fs::File::open(path).map_err(cannot_read)?;
    // Read no more than the limit allows: a huge file costs no memory.
    let mut bytes = Vec::new();
    file.take(MAX_MESSAGE_BYTES as u64 + 1).read_to_end(&mut bytes).map_err(cannot_read)?;
    if bytes.len() > MAX_MESSAGE_BYTES {
        let size = std::fs::metadata(path).map_or(bytes.len() as u64, |m| m.len());
        return Err(Diagnostic::error(
            &shown,
            1,
            1,
            format!("the file is {:.1} MiB; a message may be at most 1 MiB", size as f64 / (1 << 20) as f64),
        )
        .with_hint("a card holds a few hundred words: is this the file you meant to put in content/?"));
    }
    if let Some(offset) = bytes.iter().position(|&b| b == 0) {
        let (line, col) = byte_place(&bytes, offset);
        return Err(Diagnostic::error(&shown, line, col, "a NUL byte: the file is binary, not a text message")
            .with_hint("a message is Markdown text; keep other files out of content/ or name them other than `.md`"));
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let (line, col) = byte_place(e.as_bytes(), offset);
        let byte = e.as_bytes()[offset];
        Diagnostic::error(&shown, line, col, format!("the file is not UTF-8 text (byte 0x{byte:02X})"))
            .with_hint("save it as UTF-8")
    })?;
    let rel = path.strip_prefix(root.join("content")).unwrap_or(path);
    parse(&shown, rel, &text)
}

/// 1-based line and column of byte `offset` of `bytes`, which are UTF-8 up
/// to there or not.
fn byte_place(bytes: &[u8], offset: usize) -> (usize, usize) {
    line_col(&String::from_utf8_lossy(&bytes[..offset]), usize::MAX)
}

/// Parses the text of a message; `rel` is its path inside `content/`.
pub fn parse(shown: &Path, rel: &Path, text: &str) -> Result<Message, Diagnostic> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    check_text(shown, text)?;
    let (yaml, body, body_line) = split_front_matter(text).map_err(|line| {
        Diagnostic::error(shown, line, 1, "the front matter is not closed")
            .with_hint("end the front matter with a line holding only `---`")
    })?;
    if let Some((line, col)) = yaml.and_then(|yaml| yaml_too_deep(yaml, MAX_YAML_DEPTH)) {
        // Refused before the parser, which takes minutes on such nesting.
        return Err(Diagnostic::error(
            shown,
            line + 1,
            col,
            format!("the front matter nests more than {MAX_YAML_DEPTH} levels deep here"),
        )
        .with_hint("front matter is a few levels deep at most: flatten its lists and maps"));
    }
    let key_lines = yaml.map(top_level_keys).unwrap_or_default();
    let front: FrontMatter = match yaml {
        Some(yaml) if !yaml.trim().is_empty() => serde_yaml::from_str(yaml).map_err(|e| {
            let d = yaml_diagnostic(&shown.to_string_lossy(), &e, 1, FRONT_MATTER_KEYS);
            // A key inside `sign_off:` is placed at the map's start: shown at the key.
            // (The YAML's lines start on the file's second.)
            match crate::signoff::lang_key_place(yaml, d.line.saturating_sub(1), d.col, &d.message) {
                (line, col) if d.line > 0 => Diagnostic { line: line + 1, col, ..d },
                _ => d,
            }
        })?,
        _ => FrontMatter::default(),
    };
    let Checked { date, slug } = check_front(shown, rel, &front, &key_lines)?;
    Ok(Message {
        source: shown.to_path_buf(),
        slug,
        front,
        date,
        body: body.to_string(),
        body_line,
        key_lines,
        digest: sha2::Digest::finalize(<sha2::Sha256 as sha2::Digest>::new_with_prefix(text.as_bytes())).into(),
        recipient: None,
    })
}

/// Refuses a message that is no text to make a card of: empty, or holding
/// a control character.
fn check_text(shown: &Path, text: &str) -> Result<(), Diagnostic> {
    if text.trim().is_empty() {
        return Err(Diagnostic::error(shown, 1, 1, "the message is empty")
            .with_hint("write the message in it (front matter first, if any), or delete the file"));
    }
    if let Some(offset) =
        text.find(|c: char| (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || c == '\u{fffe}' || c == '\u{ffff}')
    {
        let (line, col) = line_col(text, offset);
        let c = text[offset..].chars().next().unwrap_or_default();
        return Err(Diagnostic::error(
            shown,
            line,
            col,
            format!("a control character (U+{:04X}) is not text", c as u32),
        )
        .with_hint("delete it: most editors do not show it, and no card can draw it"));
    }
    Ok(())
}

/// What [`check_front`] makes of the front matter.
struct Checked {
    date: Option<jiff::civil::DateTime>,
    slug: String,
}

/// Checks the front matter values serde cannot (the gallery mode of a
/// message that is not merged, the date, the language, the slug) and makes
/// the date and the slug, in that order, so the first problem is the one
/// reported. `key_lines` places an error at its key's value.
/// A key of `map` (or of a map inside it) that templates cannot take: not
/// text, a whole number or true/false.
fn unusable_key(map: &serde_yaml::Mapping) -> Option<String> {
    use serde_yaml::Value;
    map.iter().find_map(|(key, value)| {
        let usable = matches!(key, Value::String(_) | Value::Bool(_))
            || matches!(key, Value::Number(n) if n.is_i64() || n.is_u64());
        if !usable {
            return Some(serde_yaml::to_string(key).unwrap_or_default().trim().replace('\n', " "));
        }
        match value {
            Value::Mapping(inner) => unusable_key(inner),
            Value::Sequence(items) => items.iter().find_map(|item| match item {
                Value::Mapping(inner) => unusable_key(inner),
                _ => None,
            }),
            _ => None,
        }
    })
}

fn check_front(
    shown: &Path,
    rel: &Path,
    front: &FrontMatter,
    key_lines: &[(String, usize, usize)],
) -> Result<Checked, Diagnostic> {
    // An error at the value of front matter key `key`.
    let error_at = |key: &str, message: String| {
        let (line, col) = key_lines.iter().find(|(k, _, _)| k == key).map_or((0, 0), |(_, l, c)| (*l, *c));
        Diagnostic::error(shown, line, col, message)
    };
    // A merged message's date and slug are templates, checked for each row.
    let merged = front.recipients.is_some();
    if front.gallery == GalleryMode::Group && !merged {
        return Err(error_at("gallery", "`gallery: group` is for merged messages".to_string())
            .with_hint("a message with `recipients:` makes a group of cards; this one makes one card"));
    }
    let date = match &front.date {
        // Made for each row; a date that is no template is checked here, once.
        Some(d) if merged && is_template(d) => None,
        Some(d) => Some(parse_date(d).ok_or_else(|| {
            error_at("date", format!("`{d}` is not a date")).with_hint("write dates as YYYY-MM-DD, e.g. 2026-11-23")
        })?),
        None => None,
    };
    if let Some((message, hint)) =
        tags_problem(front.tags.iter().filter(|tag| !(merged && is_template(tag))), front.tags.len())
    {
        return Err(error_at("tags", message).with_hint(hint));
    }
    if let Some(theme) = front.theme.as_deref().filter(|t| !crate::input::is_theme_name(t)) {
        return Err(error_at("theme", format!("`{theme}` is not a theme name"))
            .with_hint("a theme is a name: a built-in theme or a folder in themes/, without `/`, `\\` or `..`"));
    }
    if let Some(lang) = &front.lang {
        if !valid_lang(lang) {
            return Err(error_at("lang", format!("`{lang}` is not a language tag"))
                .with_hint("use a code such as `en`, `de` or `pt-BR`"));
        }
    }
    if let Some(link) = front.qr.as_deref().filter(|q| !(merged && is_template(q))) {
        if let Some((message, hint)) = qr_problem(link) {
            return Err(error_at("qr", message).with_hint(hint));
        }
    }
    if let Some(key) = unusable_key(&front.extra) {
        // Templates see `extra` as a map of names: another key would not convert.
        return Err(error_at("extra", format!("`extra` has a key that is not a name: `{key}`")).with_hint(
            "a key is text, a whole number or true/false: a `[...]`, `{...}` or `&anchor` before the `:` makes another kind",
        ));
    }
    if let Some(slug) = front.slug.as_ref().filter(|slug| merged && !is_template(slug)) {
        return Err(error_at("slug", format!("slug `{slug}` would be every row's")).with_hint(
            "a merged message's `slug:` is a template that gives each row its own: `thanks/{{ recipient.order_id }}`",
        ));
    }
    let slug = match &front.slug {
        Some(slug) if !merged => {
            clean_slug(slug).map_err(|problem| error_at("slug", problem.message(slug)).with_hint(problem.hint()))?
        }
        _ => {
            let stem = rel.with_extension("");
            let slug = stem.to_string_lossy().replace('\\', "/");
            clean_slug(&slug).map_err(|_| {
                Diagnostic::error(shown, 0, 0, "the file name does not make a usable slug")
                    .with_hint("rename the file, or set `slug:` in the front matter")
            })?
        }
    };
    Ok(Checked { date, slug })
}

/// What is wrong with `link`, a card's `qr:` as it will be: nothing when
/// it is empty (no code) or `card`, else what [`crate::qr::problem`] says.
pub fn qr_problem(link: &str) -> Option<(String, &'static str)> {
    let link = link.trim();
    if link.is_empty() || link == crate::qr::CARD {
        return None;
    }
    crate::qr::problem(link)
}

/// Splits `---` front matter from the body. Returns the YAML (if any), the
/// body and the body's first line; `Err(line)` when the block is not closed.
fn split_front_matter(text: &str) -> Result<(Option<&str>, &str, usize), usize> {
    let Some(rest) = text.strip_prefix("---").filter(|r| r.starts_with('\n') || r.starts_with("\r\n")) else {
        return Ok((None, text, 1));
    };
    let rest = rest.trim_start_matches('\r').strip_prefix('\n').unwrap_or(rest);
    let mut offset = 0;
    for (i, line) in rest.split_inclusive('\n').enumerate() {
        if line.trim_end() == "---" {
            let yaml = &rest[..offset];
            let body = &rest[offset + line.len()..];
            // Line 1 is the opening `---`, then the YAML lines, then the closing one.
            return Ok((Some(yaml), body, i + 3));
        }
        offset += line.len();
    }
    Err(1)
}

/// The top-level keys of a YAML block, their 1-based lines in the file (the
/// block starts on line 2) and the 1-based column where each value starts
/// (after an opening quote).
fn top_level_keys(yaml: &str) -> Vec<(String, usize, usize)> {
    yaml.lines()
        .enumerate()
        .filter(|(_, l)| !l.starts_with([' ', '\t', '#', '-']))
        .filter_map(|(i, l)| {
            let (key, value) = l.split_once(':')?;
            let blank = value.len() - value.trim_start().len();
            let quote = usize::from(value.trim_start().starts_with(['"', '\'']));
            let col = key.chars().count() + 1 + value[..blank + quote].chars().count() + 1;
            Some((key.trim().to_string(), i + 2, col))
        })
        .collect()
}

/// The hyphenation patterns for a language tag, if there are any.
pub fn hyphenation_lang(tag: &str) -> Option<hypher::Lang> {
    let bytes = tag.as_bytes();
    if bytes.len() < 2 || (bytes.len() > 2 && bytes[2].is_ascii_alphabetic()) {
        return None;
    }
    hypher::Lang::from_iso([bytes[0].to_ascii_lowercase(), bytes[1].to_ascii_lowercase()])
}

/// A message may have at most this many tags. Each tag has pages that
/// list its cards, so a message with thousands of tags would make
/// thousands of pages; a card is said in a few words.
pub const MAX_TAGS: usize = 32;

/// A tag may be at most this many characters: it names the folder of its
/// pages, and 60 characters lower-cased take at most 240 bytes, within
/// the 255 a file name may have.
pub const MAX_TAG_CHARS: usize = 60;

/// What is wrong with a message's `count` tags, of which `tags` are as they
/// will be (a merged message's templates are checked per row), with a hint.
pub fn tags_problem<'a>(tags: impl IntoIterator<Item = &'a String>, count: usize) -> Option<(String, &'static str)> {
    if count > MAX_TAGS {
        let hint = "tags group cards in the gallery: keep the few that say what the card is";
        return Some((format!("{count} tags; a message may have at most {MAX_TAGS}"), hint));
    }
    let tag = tags.into_iter().find(|tag| tag.chars().count() > MAX_TAG_CHARS)?;
    let message = format!(
        "tag `{}` is {} characters long; a tag may be at most {MAX_TAG_CHARS}",
        shortened(tag),
        tag.chars().count()
    );
    Some((message, "a tag is a word or two that groups cards; it names a page of the gallery"))
}

/// A slug part (a folder of `cards/`) may be at most this many bytes: the
/// limit of a file name on most file systems.
pub const MAX_SLUG_PART_BYTES: usize = 255;

/// A slug may be at most this many bytes: its folders, below the output
/// folder, stay well inside the longest path a system takes (4096 bytes).
pub const MAX_SLUG_BYTES: usize = 1024;

/// Why a slug cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SlugProblem {
    /// An empty part, `.` or `..`, a part that starts with a dot (a hidden
    /// folder, which servers and many hosts do not serve), or a character
    /// other than a letter, digit, `-`, `_` or `.`.
    Unusable,
    /// A part longer than [`MAX_SLUG_PART_BYTES`]: its length in bytes.
    PartTooLong(usize),
    /// A slug longer than [`MAX_SLUG_BYTES`]: its length in bytes.
    TooLong(usize),
}

impl SlugProblem {
    /// What is wrong with `slug`, in one sentence.
    pub fn message(&self, slug: &str) -> String {
        match self {
            SlugProblem::Unusable => format!("`{slug}` is not a usable slug"),
            SlugProblem::PartTooLong(n) => format!(
                "slug `{}` has a part of {n} bytes; a part may be at most {MAX_SLUG_PART_BYTES}",
                shortened(slug)
            ),
            SlugProblem::TooLong(n) => {
                format!("slug `{}` is {n} bytes long; a slug may be at most {MAX_SLUG_BYTES}", shortened(slug))
            }
        }
    }

    /// How to fix it.
    pub fn hint(&self) -> &'static str {
        match self {
            SlugProblem::Unusable => {
                "use letters, digits, `-`, `_` and `/` only, and `.` inside a part (`v1.2`), never at its start"
            }
            SlugProblem::PartTooLong(_) => {
                "each part of a slug is a folder name, which file systems keep short: shorten it"
            }
            SlugProblem::TooLong(_) => "a slug is the card's folder and URL: shorten it",
        }
    }
}

/// The first 40 characters of a long `text`, then `…`.
fn shortened(text: &str) -> String {
    match text.char_indices().nth(40) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_string(),
    }
}

/// A slug made safe for a URL path and a folder name: no `..`, no leading
/// `/`, no part starting with a dot, no odd characters, no part or slug
/// longer than file systems take.
pub fn clean_slug(slug: &str) -> Result<String, SlugProblem> {
    let parts: Vec<&str> = slug.trim_matches('/').split('/').collect();
    let ok = parts.iter().all(|p| {
        !p.is_empty() && !p.starts_with('.') && p.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
    });
    if !ok {
        return Err(SlugProblem::Unusable);
    }
    if let Some(part) = parts.iter().find(|p| p.len() > MAX_SLUG_PART_BYTES) {
        return Err(SlugProblem::PartTooLong(part.len()));
    }
    let slug = parts.join("/");
    if slug.len() > MAX_SLUG_BYTES {
        return Err(SlugProblem::TooLong(slug.len()));
    }
    Ok(slug)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::{SealField, SealSpecField};

    fn parse_str(text: &str) -> Result<Message, Diagnostic> {
        parse(Path::new("content/x.md"), Path::new("x.md"), text)
    }

    #[test]
    fn a_file_without_front_matter_is_a_card() {
        let m = parse_str("Just a note.\n").unwrap();
        assert_eq!(m.slug, "x");
        assert_eq!(m.front, FrontMatter::default());
        assert_eq!(m.body_line, 1);
    }

    #[test]
    fn body_line_follows_the_front_matter() {
        let m = parse_str("---\ntitle: Hi\nto: Deb\n---\nBody\n").unwrap();
        assert_eq!(m.body_line, 5);
        assert_eq!(m.body, "Body\n");
        assert_eq!(m.front.title.as_deref(), Some("Hi"));
    }

    #[test]
    fn unknown_key_points_at_its_line() {
        let d = parse_str("---\ntitle: Hi\ntitel: x\n---\n").unwrap_err();
        assert_eq!((d.line, d.message.as_str()), (3, "unknown field `titel`"));
        assert_eq!(d.hint.as_deref(), Some("did you mean `title`?"));
    }

    #[test]
    fn seal_is_a_name_or_a_map() {
        let m = parse_str("---\nseal: heart\n---\n").unwrap();
        assert_eq!(m.front.seal, Some(SealField::Emblem("heart".into())));
        let m = parse_str("---\nseal: { emblem: star, color: \"#123456\" }\n---\n").unwrap();
        assert!(matches!(m.front.seal, Some(SealField::Spec(SealSpecField { emblem: Some(_), .. }))));
    }

    #[test]
    fn bad_dates_and_slugs_are_errors() {
        let d = parse_str("---\ntitle: x\ndate: 2026-02-30\n---\n").unwrap_err();
        assert_eq!(d.line, 3);
        assert!(parse_str("---\nslug: ../etc\n---\n").is_err());
    }

    #[test]
    fn language_tags_are_checked_and_map_to_patterns() {
        assert!(valid_lang("en") && valid_lang("pt-BR") && valid_lang("gsw"));
        assert!(!valid_lang("english") && !valid_lang("e") && !valid_lang("en-"));
        assert_eq!(hyphenation_lang("en-GB"), Some(hypher::Lang::English));
        assert_eq!(hyphenation_lang("gsw"), None);
        assert!(parse_str("---\nlang: klingon\n---\n").is_err());
    }

    #[test]
    fn unclosed_front_matter_is_an_error() {
        let d = parse_str("---\ntitle: x\n").unwrap_err();
        assert_eq!(d.message, "the front matter is not closed");
    }
}
