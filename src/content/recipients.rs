//! Mail merge: the rows of a message's `recipients:` file, and the card
//! message each row makes.
//!
//! A message with `recipients: orders.csv` makes one card per row. Rows are
//! streamed, never all held at once: CSV and TSV through the csv crate, a
//! JSON list of objects and a YAML list of maps through small scanners that
//! find where each row starts. A build first reads every row once (for its
//! slug and a hash of its text) and keeps only where it is; the card is made
//! later from the row read again at that place. In a merged message the
//! front matter's text values are templates too, with the row as
//! `recipient`. Every problem names the rows' file and the row's line, or,
//! for a template, the message's line and the row. This module reads files
//! and renders text; it knows nothing of themes, layout or output.

use std::fs::File;
use std::io::{BufRead, BufReader, Seek, SeekFrom};
use std::path::{Component, Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::config::SiteConfig;
use crate::content::{self, Message, Recipient};
use crate::diagnostics::{display_path, Diagnostic};
use crate::{input, template};

/// A file of rows may have at most this many rows. A build keeps of each
/// card only its record (its slug, keys and files, where its gallery entry
/// is: under a kilobyte) until the gallery is made, so this bounds the
/// memory a rows file can take (about 100 MB) and the cards a message makes.
pub const MAX_ROWS: usize = 100_000;

/// A file of rows may be at most this long (checked before it is read):
/// [`MAX_ROWS`] rows of a few hundred bytes fit many times over.
pub const MAX_ROWS_FILE_BYTES: u64 = 64 << 20;

/// The fields of a row: `recipient.*` in the templates.
pub type Fields = serde_json::Map<String, serde_json::Value>;

/// The file a merged message's rows come from.
#[derive(Debug, Clone)]
pub struct RowsFile {
    /// Where it is.
    path: PathBuf,
    /// As diagnostics name it.
    shown: PathBuf,
    format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    /// Delimited text with a header line: `,` or tab.
    Delimited(u8),
    /// A JSON list of objects.
    Json,
    /// A YAML list of maps, one `- ` item per row.
    Yaml,
}

/// One row, read.
#[derive(Debug, Clone)]
pub struct Row {
    /// Where it is in its file.
    pub place: RowPlace,
    /// Its fields; an empty cell is no field.
    pub fields: Fields,
    /// A hash of its text (and of a CSV's header): a card is made again only
    /// when its own row changes.
    pub digest: [u8; 32],
}

/// Where a row is, to read it again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowPlace {
    /// Its number, from 1 (the first row after a CSV's header).
    pub number: usize,
    /// The 1-based line where it starts.
    pub line: usize,
    /// The byte where it starts.
    pub offset: u64,
}

/// The rows of a file, one at a time: a row that cannot be read is an error
/// for that row, and the rows after it are still read (unless the file
/// itself cannot be read on).
pub type Rows<'a> = Box<dyn Iterator<Item = Result<Row, RowError>> + Send + 'a>;

/// Why a row could not be read.
#[derive(Debug)]
pub struct RowError {
    /// What is wrong, where.
    pub diagnostic: Diagnostic,
    /// The file could not be read on: no rows come after this.
    pub last: bool,
}

impl RowError {
    fn row(diagnostic: Diagnostic) -> RowError {
        RowError { diagnostic, last: false }
    }

    fn last(diagnostic: Diagnostic) -> RowError {
        RowError { diagnostic, last: true }
    }
}

impl RowsFile {
    /// The `recipients:` file of `message` (at `path` in the site `root`).
    pub fn of(root: &Path, path: &Path, message: &Message) -> Result<RowsFile, Diagnostic> {
        let name = message.front.recipients.as_deref().unwrap_or_default();
        let (line, col) = message.value_place("recipients");
        let error = |text: String| Diagnostic::error(&message.source, line, col, text);
        let joined = normalize(&path.parent().unwrap_or(Path::new("")).join(name));
        let outside = joined.components().next() == Some(Component::ParentDir) || !joined.starts_with(normalize(root));
        if outside || name.trim().is_empty() {
            return Err(error(format!("`{name}` is not a file of the site"))
                .with_hint("give a path relative to the message, inside the site folder"));
        }
        let extension = joined.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
        let format = match extension.as_deref() {
            Some("csv") => Format::Delimited(b','),
            Some("tsv") => Format::Delimited(b'\t'),
            Some("json") => Format::Json,
            Some("yaml" | "yml") => Format::Yaml,
            _ => {
                return Err(
                    error(format!("`{name}` is not a file of rows")).with_hint("use a .csv, .tsv, .json or .yaml file")
                )
            }
        };
        let shown = display_path(root, &joined);
        if !joined.is_file() {
            return Err(error(format!("cannot read `{}`: there is no such file", shown.display())));
        }
        // Its real place, links resolved: a link may not lead out of the site.
        let path = input::inside(root, &joined).map_err(|refused| match refused {
            input::Refused::Outside => error(format!("`{name}` leads outside the site folder"))
                .with_hint("rows are read only from inside the site folder: copy the file in instead of linking to it"),
            other => error(format!("cannot read `{}`: {other}", shown.display())),
        })?;
        let size = std::fs::metadata(&path).map_or(0, |m| m.len());
        if size > MAX_ROWS_FILE_BYTES {
            return Err(error(format!("`{name}` is {}; a file of rows may be at most 64 MiB", input::mib(size)))
                .with_hint("split the rows into several files, one merged message each"));
        }
        Ok(RowsFile { path, shown, format })
    }

    /// The file as diagnostics name it.
    pub fn shown(&self) -> &Path {
        &self.shown
    }

    fn open(&self) -> Result<BufReader<File>, Diagnostic> {
        File::open(&self.path).map(BufReader::new).map_err(|e| self.error(0, format!("cannot read: {e}")))
    }

    fn error(&self, line: usize, text: impl Into<String>) -> Diagnostic {
        Diagnostic::error(&self.shown, line, usize::from(line > 0), text)
    }

    /// Its rows, in order.
    pub fn rows(&self) -> Result<Rows<'_>, Diagnostic> {
        let reader = self.open()?;
        match self.format {
            Format::Delimited(delimiter) => self.delimited_rows(delimiter, reader),
            Format::Json => self.json_rows(reader),
            Format::Yaml => self.yaml_rows(reader),
        }
    }

    /// The rows of a CSV or TSV file, after its header; a spreadsheet's
    /// empty row is skipped.
    fn delimited_rows(&self, delimiter: u8, reader: BufReader<File>) -> Result<Rows<'_>, Diagnostic> {
        let mut csv = csv_reader(delimiter, reader);
        let header = Header::read(self, &mut csv)?;
        let mut record = csv::ByteRecord::new();
        let mut number = 0;
        let mut done = false;
        Ok(Box::new(std::iter::from_fn(move || loop {
            if done {
                return None;
            }
            match csv.read_byte_record(&mut record) {
                Ok(false) => return None,
                Ok(true) => {
                    number += 1;
                    let pos = record.position().cloned().unwrap_or_else(csv::Position::new);
                    let place = RowPlace { number, line: pos.line() as usize, offset: pos.byte() };
                    if record.iter().all(|cell| cell.iter().all(u8::is_ascii_whitespace)) {
                        continue; // A spreadsheet's empty row.
                    }
                    return Some(header.row(self, place, &record).map_err(RowError::row));
                }
                Err(e) => {
                    done = true;
                    let line = e.position().map_or(0, |p| p.line() as usize);
                    return Some(Err(RowError::last(self.error(line, format!("cannot read: {e}")))));
                }
            }
        })))
    }

    /// The rows of a JSON list of objects, found by a scanner so the list
    /// is never held whole.
    fn json_rows(&self, reader: BufReader<File>) -> Result<Rows<'_>, Diagnostic> {
        let mut scanner = Scanner::new(reader, 0, 1);
        scanner.skip_bom().map_err(|e| self.error(0, format!("cannot read: {e}")))?;
        scanner.skip_whitespace().map_err(|e| self.error(0, format!("cannot read: {e}")))?;
        if scanner.bump().map_err(|e| self.error(0, format!("cannot read: {e}")))? != Some(b'[') {
            return Err(self
                .error(scanner.line, "the rows of a JSON file are a list of objects")
                .with_hint("write `[{\"name\": \"Ann\"}, {\"name\": \"Bob\"}]`"));
        }
        let mut number = 0;
        let mut done = false;
        Ok(Box::new(std::iter::from_fn(move || {
            if done {
                return None;
            }
            let next = (|| -> std::io::Result<Option<(RowPlace, usize, Vec<u8>)>> {
                scanner.skip_whitespace()?;
                if matches!(scanner.peek()?, Some(b']') | None) {
                    return Ok(None);
                }
                number += 1;
                let (place, col) = (RowPlace { number, line: scanner.line, offset: scanner.offset }, scanner.col);
                let mut bytes = Vec::new();
                scanner.value(&mut bytes)?;
                scanner.skip_whitespace()?;
                if scanner.peek()? == Some(b',') {
                    scanner.bump()?;
                }
                Ok(Some((place, col, bytes)))
            })();
            match next {
                Ok(Some((place, col, bytes))) => Some(self.json_row(place, col, &bytes).map_err(RowError::row)),
                Ok(None) => {
                    done = true;
                    (scanner.peek().ok()? != Some(b']')).then(|| {
                        Err(RowError::last(
                            self.error(scanner.line, "the list of rows is not closed")
                                .with_hint("end the file with `]`"),
                        ))
                    })
                }
                Err(e) => {
                    done = true;
                    Some(Err(RowError::last(self.error(scanner.line, format!("cannot read: {e}")))))
                }
            }
        })))
    }

    /// The rows of a YAML list of maps: each `- ` item's lines, up to the
    /// next item or the end of the list.
    fn yaml_rows(&self, reader: BufReader<File>) -> Result<Rows<'_>, Diagnostic> {
        let mut lines = Lines { reader, offset: 0, line: 0 };
        // Up to the first item: only comments, blank lines and document markers.
        let first = loop {
            let Some((offset, line, text)) = lines.next().map_err(|e| self.error(0, e.to_string()))? else {
                break None;
            };
            match yaml_line(&text) {
                YamlLine::Item => break Some((offset, line, text)),
                YamlLine::Blank | YamlLine::Marker => {}
                YamlLine::Other => {
                    return Err(self
                        .error(line, "the rows of a YAML file are a list, one `- ` item per row")
                        .with_hint("write each row as `- name: Ann` with its other fields indented below"))
                }
            }
        };
        let mut pending = first;
        let mut number = 0;
        Ok(Box::new(std::iter::from_fn(move || {
            let (offset, line, mut text) = pending.take()?;
            // The item's lines, up to the next item or the end of the list.
            loop {
                match lines.next() {
                    Ok(Some((o, l, t))) => match yaml_line(&t) {
                        YamlLine::Item => {
                            pending = Some((o, l, t));
                            break;
                        }
                        YamlLine::Marker if t.starts_with("---") || t.starts_with("...") => break,
                        _ => text.push_str(&t),
                    },
                    Ok(None) => break,
                    Err(e) => return Some(Err(RowError::last(self.error(line, format!("cannot read: {e}"))))),
                }
            }
            number += 1;
            Some(self.yaml_row(RowPlace { number, line, offset }, &text).map_err(RowError::row))
        })))
    }

    /// The row at `place`, read again.
    pub fn row_at(&self, place: RowPlace) -> Result<Row, Diagnostic> {
        let mut reader = self.open()?;
        let cannot = |e: std::io::Error| self.error(place.line, format!("cannot read: {e}"));
        match self.format {
            Format::Delimited(delimiter) => {
                let mut csv = csv_reader(delimiter, reader);
                let header = Header::read(self, &mut csv)?;
                let mut pos = csv::Position::new();
                pos.set_byte(place.offset).set_line(place.line as u64);
                csv.seek(pos).map_err(|e| self.error(place.line, format!("cannot read: {e}")))?;
                let mut record = csv::ByteRecord::new();
                match csv.read_byte_record(&mut record) {
                    Ok(true) => header.row(self, place, &record),
                    Ok(false) => Err(self.error(place.line, format!("row {} is gone", place.number))),
                    Err(e) => Err(self.error(place.line, format!("cannot read: {e}"))),
                }
            }
            Format::Json => {
                reader.seek(SeekFrom::Start(place.offset)).map_err(cannot)?;
                let mut scanner = Scanner::new(reader, place.offset, place.line);
                let mut bytes = Vec::new();
                scanner.value(&mut bytes).map_err(cannot)?;
                // The column only matters for an error on the row's first line, found when it was first read.
                self.json_row(place, 1, &bytes)
            }
            Format::Yaml => {
                reader.seek(SeekFrom::Start(place.offset)).map_err(cannot)?;
                let mut lines = Lines { reader, offset: place.offset, line: place.line - 1 };
                let mut text = String::new();
                while let Some((_, _, t)) = lines.next().map_err(cannot)? {
                    let kind = yaml_line(&t);
                    if !text.is_empty() && (kind == YamlLine::Item || t.starts_with("---") || t.starts_with("...")) {
                        break;
                    }
                    text.push_str(&t);
                }
                self.yaml_row(place, &text)
            }
        }
    }

    /// A JSON row from its text, which starts at `place` and column `col`.
    fn json_row(&self, place: RowPlace, col: usize, bytes: &[u8]) -> Result<Row, Diagnostic> {
        let number = place.number;
        let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
            let line = place.line + e.line().saturating_sub(1);
            let col = if e.line() <= 1 { col + e.column().saturating_sub(1) } else { e.column() };
            let text = e.to_string();
            let text = text.split(" at line ").next().unwrap_or(&text).to_string();
            Diagnostic::error(&self.shown, line, col, format!("row {number}: {text}"))
        })?;
        match value {
            serde_json::Value::Object(fields) => {
                let fields = fields.into_iter().filter(|(_, v)| !v.is_null()).collect();
                Ok(Row { place, fields, digest: Sha256::digest(bytes).into() })
            }
            _ => Err(self
                .error(place.line, format!("row {number} is not an object of fields"))
                .with_hint("write each row as `{\"name\": \"Ann\", \"order\": \"A-100\"}`")),
        }
    }

    /// A YAML row from the text of its item (starting with its `-`).
    fn yaml_row(&self, place: RowPlace, text: &str) -> Result<Row, Diagnostic> {
        let number = place.number;
        // The item's map, with the `-` made a space: its lines keep their columns.
        let map = text.replacen('-', " ", 1);
        if let Some((line, col)) = input::yaml_too_deep(&map, input::MAX_YAML_DEPTH) {
            return Err(Diagnostic::error(
                &self.shown,
                place.line + line - 1,
                col,
                format!("row {number} nests more than {} levels deep here", input::MAX_YAML_DEPTH),
            )
            .with_hint("a row is a map of fields a level or two deep: flatten its lists and maps"));
        }
        let value: serde_yaml::Value = serde_yaml::from_str(&map).map_err(|e| {
            let d = crate::config::yaml_diagnostic("", &e, place.line - 1, &[]);
            Diagnostic { path: self.shown.clone(), message: format!("row {number}: {}", d.message), ..d }
        })?;
        let not_a_map = || {
            self.error(place.line, format!("row {number} is not a map of fields"))
                .with_hint("write each row as `- name: Ann` with its other fields indented below")
        };
        let serde_yaml::Value::Mapping(map) = value else {
            return Err(not_a_map());
        };
        let mut fields = Fields::new();
        for (key, value) in map {
            let key = match key {
                serde_yaml::Value::String(key) => key,
                serde_yaml::Value::Number(n) => n.to_string(),
                serde_yaml::Value::Bool(b) => b.to_string(),
                _ => return Err(not_a_map()),
            };
            if value.is_null() {
                continue;
            }
            let value = serde_json::to_value(&value)
                .map_err(|e| self.error(place.line, format!("row {number}: field `{key}`: {e}")))?;
            fields.insert(key, value);
        }
        Ok(Row { place, fields, digest: Sha256::digest(text.as_bytes()).into() })
    }
}

/// `path` with its `.` and `..` parts resolved, as written (no file system access).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

fn csv_reader(delimiter: u8, reader: BufReader<File>) -> csv::Reader<BufReader<File>> {
    // Rows may be short (their missing cells are no fields); longer rows are
    // an error of their own, found here rather than by the reader.
    csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).from_reader(reader)
}

/// A CSV file's header: the field names.
struct Header {
    names: Vec<String>,
    digest: [u8; 32],
}

impl Header {
    fn read(file: &RowsFile, csv: &mut csv::Reader<BufReader<File>>) -> Result<Header, Diagnostic> {
        let record = csv.byte_headers().map_err(|e| file.error(1, format!("cannot read: {e}")))?.clone();
        let line = record.position().map_or(1, |p| p.line() as usize).max(1);
        let mut names: Vec<String> = Vec::new();
        for (i, cell) in record.iter().enumerate() {
            let name = std::str::from_utf8(cell)
                .map_err(|_| file.error(line, "the header is not UTF-8 text").with_hint("save the file as UTF-8"))?
                .trim()
                .to_string();
            if name.is_empty() {
                return Err(file
                    .error(line, format!("column {} of the header has no name", i + 1))
                    .with_hint("the first line names the fields: `name,email,order_id`"));
            }
            if names.contains(&name) {
                return Err(file.error(line, format!("the header names `{name}` twice")));
            }
            names.push(name);
        }
        if names.is_empty() {
            return Err(file
                .error(1, "the file has no header")
                .with_hint("the first line names the fields: `name,email,order_id`"));
        }
        let mut hasher = Sha256::new();
        for cell in record.iter() {
            hasher.update((cell.len() as u64).to_le_bytes());
            hasher.update(cell);
        }
        Ok(Header { names, digest: hasher.finalize().into() })
    }

    /// The row of `record`, read at `place`.
    fn row(&self, file: &RowsFile, place: RowPlace, record: &csv::ByteRecord) -> Result<Row, Diagnostic> {
        let number = place.number;
        let mut fields = Fields::new();
        let mut hasher = Sha256::new_with_prefix(self.digest);
        for (i, cell) in record.iter().enumerate() {
            hasher.update((cell.len() as u64).to_le_bytes());
            hasher.update(cell);
            let text = std::str::from_utf8(cell)
                .map_err(|_| {
                    file.error(place.line, format!("row {number} is not UTF-8 text"))
                        .with_hint("save the file as UTF-8")
                })?
                .trim();
            match self.names.get(i) {
                Some(_) if text.is_empty() => {}
                Some(name) => {
                    fields.insert(name.clone(), serde_json::Value::String(text.to_string()));
                }
                None if text.is_empty() => {}
                None => {
                    return Err(file
                        .error(
                            place.line,
                            format!("row {number} has {} fields; the header names {}", record.len(), self.names.len()),
                        )
                        .with_hint("quote a value that holds the delimiter: `\"Smith, Ann\"`"))
                }
            }
        }
        Ok(Row { place, fields, digest: hasher.finalize().into() })
    }
}

/// Bytes with their offset, line and column, for the JSON scanner.
struct Scanner<R> {
    reader: R,
    offset: u64,
    line: usize,
    /// 1-based byte column.
    col: usize,
}

impl<R: BufRead> Scanner<R> {
    fn new(reader: R, offset: u64, line: usize) -> Scanner<R> {
        Scanner { reader, offset, line, col: 1 }
    }

    fn peek(&mut self) -> std::io::Result<Option<u8>> {
        Ok(self.reader.fill_buf()?.first().copied())
    }

    fn bump(&mut self) -> std::io::Result<Option<u8>> {
        let byte = self.peek()?;
        if let Some(b) = byte {
            self.reader.consume(1);
            self.offset += 1;
            if b == b'\n' {
                self.line += 1;
                self.col = 1;
            } else {
                self.col += 1;
            }
        }
        Ok(byte)
    }

    fn skip_bom(&mut self) -> std::io::Result<()> {
        if self.reader.fill_buf()?.starts_with(b"\xef\xbb\xbf") {
            self.reader.consume(3);
            self.offset += 3;
        }
        Ok(())
    }

    fn skip_whitespace(&mut self) -> std::io::Result<()> {
        while self.peek()?.is_some_and(|b| b.is_ascii_whitespace()) {
            self.bump()?;
        }
        Ok(())
    }

    /// One JSON value's bytes into `out`: up to its closing bracket, or for
    /// a plain value up to the `,` or `]` after it. It is not checked here:
    /// serde_json parses it.
    fn value(&mut self, out: &mut Vec<u8>) -> std::io::Result<()> {
        let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
        while let Some(b) = self.peek()? {
            if in_string {
                if escaped {
                    escaped = false;
                } else if b == b'\\' {
                    escaped = true;
                } else if b == b'"' {
                    in_string = false;
                }
            } else {
                match b {
                    b'"' => in_string = true,
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' if depth == 0 => return Ok(()),
                    b'}' | b']' => depth -= 1,
                    b',' if depth == 0 => return Ok(()),
                    _ => {}
                }
            }
            self.bump()?;
            out.push(b);
            if depth == 0 && !in_string && matches!(b, b'}' | b']' | b'"') {
                return Ok(());
            }
        }
        Ok(())
    }
}

/// The lines of a file with where each starts.
struct Lines<R> {
    reader: R,
    offset: u64,
    /// The line last read (0 before the first).
    line: usize,
}

impl<R: BufRead> Lines<R> {
    /// The next line (with its end of line) and its offset and 1-based number.
    fn next(&mut self) -> std::io::Result<Option<(u64, usize, String)>> {
        let mut bytes = Vec::new();
        if self.reader.read_until(b'\n', &mut bytes)? == 0 {
            return Ok(None);
        }
        let (offset, line) = (self.offset, self.line + 1);
        self.offset += bytes.len() as u64;
        self.line = line;
        let mut text = String::from_utf8(bytes).map_err(|_| {
            std::io::Error::new(std::io::ErrorKind::InvalidData, format!("line {line} is not UTF-8 text"))
        })?;
        if offset == 0 && text.starts_with('\u{feff}') {
            text = text.replacen('\u{feff}', "", 1);
        }
        Ok(Some((offset, line, text)))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum YamlLine {
    /// `- ...` at the left margin: a row starts.
    Item,
    /// Blank, a comment, or indented (inside an item).
    Blank,
    /// `---`, `...` or a `%` directive.
    Marker,
    /// Anything else at the left margin.
    Other,
}

fn yaml_line(text: &str) -> YamlLine {
    let bare = text.trim_end_matches(['\n', '\r']);
    if bare == "-" || bare.starts_with("- ") || bare.starts_with("-\t") {
        YamlLine::Item
    } else if bare.starts_with("---") || bare.starts_with("...") || bare.starts_with('%') {
        YamlLine::Marker
    } else if bare.trim().is_empty() || bare.starts_with([' ', '\t', '#']) {
        YamlLine::Blank
    } else {
        YamlLine::Other
    }
}

/// The message of `row`'s card before its front matter is rendered: the
/// merged message with the row as its `recipient` and a digest of both.
pub fn with_row(message: &Message, file: &RowsFile, row: Row) -> Message {
    let digest = Sha256::new_with_prefix(message.digest).chain_update(row.digest).finalize().into();
    let recipient = Recipient {
        group: message.slug.clone(),
        file: file.shown.clone(),
        row: row.place.number,
        line: row.place.line,
        fields: row.fields,
    };
    Message { digest, recipient: Some(recipient), date: None, ..message.clone() }
}

/// The context of a merged message's front matter templates: `recipient` and `site`.
fn front_context(m: &Message, site: &SiteConfig) -> tera::Context {
    let mut context = tera::Context::new();
    if let Some(recipient) = &m.recipient {
        context.insert("recipient", &recipient.fields);
    }
    context.insert("site", site);
    context
}

/// Renders `text`, the value of front matter key `key` of `m`, as a template
/// (text without `{{` or `{%` is taken as it is).
fn render_value(
    tera: &tera::Tera,
    context: &tera::Context,
    m: &Message,
    key: &str,
    text: &str,
) -> Result<String, Diagnostic> {
    if !template::is_template(text) {
        return Ok(text.to_string());
    }
    // Front matter values are text: the pages and the card escape them.
    template::render_str(tera, text, context, false).map_err(|e| {
        let (line, col, message) = template::tera_location(&e);
        let (key_line, value_col) = m.value_place(key);
        // A value on the key's own line: the column counts from the value's.
        let scalar = matches!(key, "title" | "to" | "from" | "email" | "date" | "slug" | "qr" | "qr_label");
        let (line, col) = match (scalar, line) {
            (true, 0 | 1) => (key_line, value_col + col.saturating_sub(1)),
            (true, l) => (key_line + l - 1, col),
            (false, _) => (key_line, 0),
        };
        content::template_diagnostic(m, line, col, message)
    })
}

/// An error of row `m.recipient` itself (a value it gives is not usable),
/// at its line of the rows' file.
fn row_error(m: &Message, text: String, key: &str) -> Diagnostic {
    let recipient = m.recipient.as_ref().expect("a merged card has its row");
    Diagnostic::error(&recipient.file, recipient.line, 1, format!("row {}: {text}", recipient.row)).with_hint(format!(
        "it is the `{key}:` of {} (line {}) for this row",
        m.source.display(),
        m.line_of(key)
    ))
}

/// The slug of the card of `m` (a message [`with_row`]): its `slug:`
/// rendered, else the message's own slug and the row's number (`thanks/3`).
pub fn card_slug(m: &Message, tera: &tera::Tera, site: &SiteConfig) -> Result<String, Diagnostic> {
    let recipient = m.recipient.as_ref().expect("a merged card has its row");
    let Some(template) = &m.front.slug else {
        return Ok(format!("{}/{}", m.slug, recipient.row));
    };
    let slug = render_value(tera, &front_context(m, site), m, "slug", template)?;
    content::clean_slug(&slug).map_err(|problem| {
        let hint = match problem {
            content::SlugProblem::Unusable => "a slug has letters, digits, `-`, `_` and `/` only, and `.` inside a part, never at its start: pick a field such as an order number",
            _ => problem.hint(),
        };
        row_error(m, problem.message(&slug), "slug").with_hint(hint)
    })
}

/// The card message of `m` (a message [`with_row`]): its front matter's
/// text values (`title`, `to`, `from`, `email`, `date`, `slug`, `qr`,
/// `qr_label`, `tags` and the text in `extra`) rendered with the row, its
/// date, slug and QR code's link checked.
pub fn card_message(mut m: Message, tera: &tera::Tera, site: &SiteConfig) -> Result<Message, Diagnostic> {
    let context = front_context(&m, site);
    let slug = card_slug(&m, tera, site)?;
    let mut front = m.front.clone();
    for (key, value) in [
        ("title", &mut front.title),
        ("to", &mut front.to),
        ("from", &mut front.from),
        ("email", &mut front.email),
        ("date", &mut front.date),
        ("qr", &mut front.qr),
        ("qr_label", &mut front.qr_label),
    ] {
        if let Some(text) = value {
            *text = render_value(tera, &context, &m, key, text)?;
        }
    }
    for tag in &mut front.tags {
        *tag = render_value(tera, &context, &m, "tags", tag)?;
    }
    front.tags.retain(|tag| !tag.trim().is_empty());
    if let Some((message, hint)) = content::tags_problem(&front.tags, front.tags.len()) {
        return Err(row_error(&m, message, "tags").with_hint(hint));
    }
    if let Some((message, hint)) = front.qr.as_deref().and_then(content::qr_problem) {
        return Err(row_error(&m, message, "qr").with_hint(hint));
    }
    render_yaml(tera, &context, &m, &mut front.extra)?;
    let date_text = front.date.as_deref().map(str::trim).filter(|d| !d.is_empty()).map(str::to_string);
    let date = match &date_text {
        Some(text) => Some(template::parse_date(text).ok_or_else(|| {
            row_error(&m, format!("`{text}` is not a date"), "date").with_hint(format!(
                "write dates as YYYY-MM-DD, e.g. 2026-11-23 (the `date:` of {})",
                m.source.display()
            ))
        })?),
        None => None,
    };
    front.date = date_text;
    m.front = front;
    m.date = date;
    m.slug = slug;
    Ok(m)
}

/// Renders the text values inside `extra` as templates.
fn render_yaml(
    tera: &tera::Tera,
    context: &tera::Context,
    m: &Message,
    map: &mut serde_yaml::Mapping,
) -> Result<(), Diagnostic> {
    fn walk(
        value: &mut serde_yaml::Value,
        render: &mut dyn FnMut(&str) -> Result<String, Diagnostic>,
    ) -> Result<(), Diagnostic> {
        match value {
            serde_yaml::Value::String(text) => *text = render(text)?,
            serde_yaml::Value::Sequence(items) => {
                for item in items {
                    walk(item, render)?;
                }
            }
            serde_yaml::Value::Mapping(map) => {
                for (_, item) in map.iter_mut() {
                    walk(item, render)?;
                }
            }
            _ => {}
        }
        Ok(())
    }
    let mut render = |text: &str| render_value(tera, context, m, "extra", text);
    for (_, value) in map.iter_mut() {
        walk(value, &mut render)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(dir: &Path, name: &str, text: &str) -> RowsFile {
        std::fs::write(dir.join(name), text).unwrap();
        let front = format!("---\nrecipients: {name}\n---\nHi.\n");
        let message = content::parse(Path::new("m.md"), Path::new("m.md"), &front).unwrap();
        RowsFile::of(dir, &dir.join("m.md"), &message).unwrap()
    }

    fn names(rows: &RowsFile) -> Vec<Result<(usize, usize, String), String>> {
        rows.rows()
            .unwrap()
            .map(|r| {
                r.map(|row| {
                    let name = row.fields.get("name").and_then(|v| v.as_str()).unwrap_or("-").to_string();
                    (row.place.number, row.place.line, name)
                })
                .map_err(|e| e.diagnostic.to_string())
            })
            .collect()
    }

    #[test]
    fn csv_rows_stream_with_their_lines_and_are_found_again() {
        let dir = tempfile::tempdir().unwrap();
        let rows = file(dir.path(), "o.csv", "name,note\nAnn,\"two\nlines\"\n,,\nBob,x,extra\n\"Cy, Jr\", hi\nDee\n");
        let got = names(&rows);
        assert_eq!(got[0], Ok((1, 2, "Ann".into())));
        assert_eq!(got[1], Err("o.csv:5:1: error: row 3 has 3 fields; the header names 2\n  hint: quote a value that holds the delimiter: `\"Smith, Ann\"`".into()));
        assert_eq!(got[2], Ok((4, 6, "Cy, Jr".into())));
        assert_eq!(got[3], Ok((5, 7, "Dee".into())), "a short row has fewer fields");
        assert_eq!(got.len(), 4, "the empty row is skipped");
        let all: Vec<Row> = rows.rows().unwrap().filter_map(Result::ok).collect();
        for row in &all {
            let again = rows.row_at(row.place).unwrap();
            assert_eq!((again.fields, again.digest), (row.fields.clone(), row.digest));
        }
        assert_eq!(all[0].fields["note"], "two\nlines");
        assert_eq!(all[1].fields["note"], "hi", "cells are trimmed");
        assert!(!all[2].fields.contains_key("note"), "a missing cell is no field");
    }

    #[test]
    fn json_and_yaml_rows_stream_with_their_lines() {
        let dir = tempfile::tempdir().unwrap();
        let json = file(
            dir.path(),
            "o.json",
            "[\n  {\"name\": \"Ann\", \"n\": 2},\n  {\"name\": \"B]o{b\\\"\"},\n  3,\n  {\"name\": \"Cy\",\n   \"x\": oops}\n, {\"name\": \"Dee\"}]\n",
        );
        let got = names(&json);
        assert_eq!(got[0], Ok((1, 2, "Ann".into())));
        assert_eq!(got[1], Ok((2, 3, "B]o{b\"".into())));
        assert!(got[2].as_ref().unwrap_err().starts_with("o.json:4:1: error: row 3 is not an object"), "{got:?}");
        assert!(got[3].as_ref().unwrap_err().starts_with("o.json:6:9: error: row 4: expected value"), "{got:?}");
        assert_eq!(got[4], Ok((5, 7, "Dee".into())));
        let yaml = file(
            dir.path(),
            "o.yaml",
            "# orders\n---\n- name: Ann\n  n: 2\n\n- name: Bob\n  bad: [\n- 3\n- { name: Cy, nick: ~ }\n",
        );
        let got = names(&yaml);
        assert_eq!(got[0], Ok((1, 3, "Ann".into())));
        assert!(got[1].as_ref().unwrap_err().starts_with("o.yaml:8:1: error: row 2: "), "{got:?}");
        assert!(got[2].as_ref().unwrap_err().starts_with("o.yaml:8:1: error: row 3 is not a map"), "{got:?}");
        assert_eq!(got[3], Ok((4, 9, "Cy".into())));
        for rows in [&json, &yaml] {
            for row in rows.rows().unwrap().filter_map(Result::ok) {
                let again = rows.row_at(row.place).unwrap();
                assert_eq!((again.fields, again.digest), (row.fields.clone(), row.digest));
            }
        }
    }
}
