//! Messages: `content/**/*.md` -> [`Message`]s with typed front matter and a
//! rendered body.
//!
//! This module walks the content folder (sorted, so builds are
//! deterministic), splits and parses the YAML front matter, and runs the body
//! through Tera. Every error points at a line of the message file itself:
//! front matter lines are offset by the opening `---`, template lines by the
//! front matter block. It knows nothing of themes, fonts or output.

pub mod recipients;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::config::{valid_lang, yaml_diagnostic, SiteConfig};
use crate::diagnostics::{display_path, line_col, Diagnostic};
use crate::template::{is_template, parse_date, tera_location};

/// The front matter keys a message accepts, for hints.
pub const FRONT_MATTER_KEYS: &[&str] = &[
    "title",
    "to",
    "from",
    "email",
    "date",
    "theme",
    "seal",
    "size",
    "tags",
    "draft",
    "slug",
    "lang",
    "extra",
    "recipients",
    "gallery",
];

/// The seal as written: an emblem name, or a map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum SealField {
    /// `seal: heart`
    Emblem(String),
    /// `seal: { emblem: heart, color: "#5a3a22", initials: BC }`
    Spec(SealSpecField),
}

/// The map form of `seal`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SealSpecField {
    /// Emblem pressed into the wax.
    pub emblem: Option<String>,
    /// Wax colour, CSS hex.
    pub color: Option<String>,
    /// Up to three letters.
    pub initials: Option<String>,
}

/// The YAML front matter of a message. Every field is optional.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    /// The card's heading and the page title.
    pub title: Option<String>,
    /// Who the card is for.
    pub to: Option<String>,
    /// Who signs it.
    pub from: Option<String>,
    /// The recipient's address (for email output).
    pub email: Option<String>,
    /// `YYYY-MM-DD` (or with a time); orders the gallery.
    pub date: Option<String>,
    /// Theme name.
    pub theme: Option<String>,
    /// The wax seal.
    pub seal: Option<SealField>,
    /// Card size name.
    pub size: Option<String>,
    /// Tags for the gallery.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Drafts are built only with `--drafts`.
    #[serde(default)]
    pub draft: bool,
    /// Overrides the slug taken from the path.
    pub slug: Option<String>,
    /// The message's language (`en`, `de-CH`): turns on hyphenation.
    pub lang: Option<String>,
    /// Anything else the body template may use.
    #[serde(default)]
    pub extra: serde_yaml::Mapping,
    /// A file of rows (CSV, TSV, JSON or YAML), relative to the message: one
    /// card per row (a mail merge).
    pub recipients: Option<String>,
    /// How the message's cards are listed in the gallery.
    #[serde(default)]
    pub gallery: GalleryMode,
}

/// `gallery:` in the front matter: how a message's cards are listed in the
/// gallery, its tag pages and the feed. Every card gets its page either way.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GalleryMode {
    /// `gallery: true` or no `gallery:`: a merged message's cards as one
    /// group, any other message's card on its own.
    #[default]
    Default,
    /// `gallery: group`: the cards of a merged message as one entry that
    /// leads to a page of them.
    Group,
    /// `gallery: cards`: each card of a merged message on its own.
    Cards,
    /// `gallery: false`: left out of the gallery, the tag pages and the feed.
    Hidden,
}

impl<'de> Deserialize<'de> for GalleryMode {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Written {
            Flag(bool),
            Name(String),
        }
        match Written::deserialize(deserializer)? {
            Written::Flag(true) => Ok(GalleryMode::Default),
            Written::Flag(false) => Ok(GalleryMode::Hidden),
            Written::Name(name) => match name.as_str() {
                "group" => Ok(GalleryMode::Group),
                "cards" => Ok(GalleryMode::Cards),
                other => Err(serde::de::Error::custom(format!(
                    "`gallery: {other}` is not a gallery mode: use true, false, group or cards"
                ))),
            },
        }
    }
}

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
    /// The row of a merged message's card (see [`recipients`]).
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

/// Lists the message files under `root/content`, sorted. Symbolic links are
/// followed (a message may live elsewhere); a link that leads back into a
/// folder it is in is reported, not walked forever.
pub fn walk(root: &Path) -> (Vec<PathBuf>, Vec<Diagnostic>) {
    let content = root.join("content");
    let mut files = Vec::new();
    let mut problems = Vec::new();
    if !content.is_dir() {
        return (files, problems);
    }
    let hidden = |path: &Path| path.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.'));
    for entry in walkdir::WalkDir::new(&content).follow_links(true).sort_by_file_name() {
        match entry {
            Ok(entry) => {
                let name = entry.file_name().to_string_lossy();
                if entry.file_type().is_file() && name.ends_with(".md") && !name.starts_with('.') {
                    files.push(entry.into_path());
                }
            }
            Err(e) => {
                let Some(path) = e.path().filter(|p| !hidden(p)) else {
                    // Editors leave links to nowhere named `.#x.md` as locks.
                    continue;
                };
                let shown = display_path(root, path);
                let is_message = path.extension().is_some_and(|x| x == "md");
                let problem = match (e.loop_ancestor(), e.io_error()) {
                    (Some(ancestor), _) => Diagnostic::error(
                        &shown,
                        0,
                        0,
                        format!(
                            "a symbolic link loop: this link leads back to {}, a folder it is in",
                            display_path(root, ancestor).display()
                        ),
                    )
                    .with_hint("remove the link, or point it at a folder outside the one it is in"),
                    // A link to nowhere is only a problem when it is a message.
                    (None, Some(io)) if io.kind() == std::io::ErrorKind::NotFound && !is_message => continue,
                    (None, Some(io)) if io.kind() == std::io::ErrorKind::NotFound => {
                        Diagnostic::error(&shown, 0, 0, "a symbolic link to a file that does not exist")
                    }
                    (None, Some(io)) => Diagnostic::error(&shown, 0, 0, format!("cannot read: {io}")),
                    (None, None) => Diagnostic::error(&shown, 0, 0, format!("cannot read: {e}")),
                };
                problems.push(problem);
            }
        }
    }
    (files, problems)
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
    let (yaml, body, body_line) = split_front_matter(text).map_err(|line| {
        Diagnostic::error(shown, line, 1, "the front matter is not closed")
            .with_hint("end the front matter with a line holding only `---`")
    })?;
    let shown_str = shown.to_string_lossy();
    let key_lines = yaml.map(top_level_keys).unwrap_or_default();
    // An error at the value of front matter key `key`.
    let error_at = |key: &str, message: String| {
        let (line, col) = key_lines.iter().find(|(k, _, _)| k == key).map_or((0, 0), |(_, l, c)| (*l, *c));
        Diagnostic::error(shown, line, col, message)
    };
    let front: FrontMatter = match yaml {
        Some(yaml) if !yaml.trim().is_empty() => {
            serde_yaml::from_str(yaml).map_err(|e| yaml_diagnostic(&shown_str, &e, 1, FRONT_MATTER_KEYS))?
        }
        _ => FrontMatter::default(),
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
    if let Some(lang) = &front.lang {
        if !valid_lang(lang) {
            return Err(error_at("lang", format!("`{lang}` is not a language tag"))
                .with_hint("use a code such as `en`, `de` or `pt-BR`"));
        }
    }
    if let Some(slug) = front.slug.as_ref().filter(|slug| merged && !is_template(slug)) {
        return Err(error_at("slug", format!("slug `{slug}` would be every row's")).with_hint(
            "a merged message's `slug:` is a template that gives each row its own: `thanks/{{ recipient.order_id }}`",
        ));
    }
    let slug = match &front.slug {
        Some(slug) if !merged => clean_slug(slug).ok_or_else(|| {
            error_at("slug", format!("`{slug}` is not a usable slug"))
                .with_hint("use letters, digits, `-`, `_` and `/` only")
        })?,
        _ => {
            let stem = rel.with_extension("");
            let slug = stem.to_string_lossy().replace('\\', "/");
            clean_slug(&slug).ok_or_else(|| {
                Diagnostic::error(shown, 0, 0, "the file name does not make a usable slug")
                    .with_hint("rename the file, or set `slug:` in the front matter")
            })?
        }
    };
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

/// A slug made safe for a URL path: no `..`, no leading `/`, no odd characters.
pub fn clean_slug(slug: &str) -> Option<String> {
    let parts: Vec<&str> = slug.trim_matches('/').split('/').collect();
    let ok = parts.iter().all(|p| {
        !p.is_empty()
            && *p != "."
            && *p != ".."
            && p.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
    });
    ok.then(|| parts.join("/"))
}
/// Renders the body template with the front matter, `extra`, `site` and (for
/// a merged card) `recipient` in scope.
pub fn render_body(tera: &tera::Tera, message: &Message, site: &SiteConfig) -> Result<String, Diagnostic> {
    let mut context = tera::Context::new();
    let front = &message.front;
    context.insert("title", &front.title);
    context.insert("to", &front.to);
    context.insert("from", &front.from);
    context.insert("email", &front.email);
    context.insert("date", &front.date);
    context.insert("tags", &front.tags);
    context.insert("slug", &message.slug);
    context.insert("lang", &front.lang);
    context.insert("extra", &front.extra);
    context.insert("site", site);
    if let Some(recipient) = &message.recipient {
        context.insert("recipient", &recipient.fields);
    }
    tera.render_str(&message.body, &context, true).map_err(|e| {
        let (line, col, text) = tera_location(&e);
        let line = if line > 0 { line + message.body_line - 1 } else { message.body_line };
        template_diagnostic(message, line, col, text)
    })
}

/// An error of a message's template (its body, or for a merged card a
/// front matter value) at `line:col` of the message: for a merged card it
/// names the row, and a field the row lacks gets a hint to give it a default.
pub fn template_diagnostic(message: &Message, line: usize, col: usize, text: String) -> Diagnostic {
    let Some(recipient) = &message.recipient else {
        let hint = text.contains("is not defined").then(|| {
            "your own fields go under `extra:` in the front matter and are used as `{{ extra.name }}`".to_string()
        });
        return Diagnostic::error(&message.source, line, col, text).with_hint_opt(hint);
    };
    let hint = match missing_field(&text, recipient) {
        Some(name) => format!(
            "{} ({}:{}) has no `{name}`: fill it in, or give a default: `{{{{ recipient.{name} | default(value=\"...\") }}}}`",
            recipient.describe(),
            recipient.file.display(),
            recipient.line,
        ),
        _ => format!("{} is at {}:{}", recipient.describe(), recipient.file.display(), recipient.line),
    };
    Diagnostic::error(&message.source, line, col, format!("{}: {text}", recipient.describe())).with_hint(hint)
}

/// The field of `recipient` a Tera error says is not defined: Tera names
/// the field and the fields its parent has, which must be the row's.
fn missing_field<'a>(text: &'a str, recipient: &Recipient) -> Option<&'a str> {
    let (name, rest) = text.strip_prefix("Field `")?.split_once('`')?;
    let rest = rest.strip_prefix(" is not defined.")?;
    let mut listed: Vec<&str> = rest.trim().strip_prefix("Available fields: ").unwrap_or("").split(", ").collect();
    listed.retain(|f| !f.is_empty());
    listed.sort_unstable();
    let mut fields: Vec<&str> = recipient.fields.keys().map(String::as_str).collect();
    fields.sort_unstable();
    (listed == fields).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

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
