//! What a site gives waxseal to read, before anything reads it: a file a
//! site names is read only from inside the site folder, its links resolved
//! first (one rule for messages, rows, themes and fonts), and never before
//! its size is known; YAML is measured for nesting before a parser sees it.
//! It knows nothing of messages or themes: their readers call it and word
//! the diagnostic at the key that named the file.

use std::io::Read;

use serde::Deserialize as _;
use std::path::{Path, PathBuf};

/// Reads a key that names a file or turns it off: a path, or `false`
/// (kept as an empty path: none, even where the site's settings name one).
/// `logo:` and `signature:` are read so.
pub fn file_or_off<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Written {
        Off(bool),
        File(String),
    }
    match Option::<Written>::deserialize(deserializer)? {
        None | Some(Written::Off(false)) => Ok(Some(String::new())),
        Some(Written::Off(true)) => {
            Err(serde::de::Error::custom("`true` names no file: write the picture's path, such as `static/logo.png`"))
        }
        Some(Written::File(file)) => Ok(Some(file)),
    }
}

/// Why a file a site names may not be read.
#[derive(Debug)]
pub enum Refused {
    /// Its real place (its links resolved) is outside the site folder.
    Outside,
    /// It is larger than allowed: its size in bytes.
    TooLarge(u64),
    /// It cannot be found or read.
    Io(std::io::Error),
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refused::Outside => f.write_str("it leads outside the site folder"),
            Refused::TooLarge(size) => write!(f, "it is {}", mib(*size)),
            Refused::Io(e) => e.fmt(f),
        }
    }
}

/// `path`'s real place when it lies inside the folder `root` once every
/// link on the way (the file's own included) is resolved: the one rule for
/// a file a site names. A link that stays inside the site is fine; one
/// that leads out (`content/rows.csv -> /etc/passwd`) is [`Refused::Outside`].
pub fn inside(root: &Path, path: &Path) -> Result<PathBuf, Refused> {
    let real_root = root.canonicalize().map_err(Refused::Io)?;
    let real = path.canonicalize().map_err(Refused::Io)?;
    if real.starts_with(&real_root) {
        Ok(real)
    } else {
        Err(Refused::Outside)
    }
}

/// The bytes of `path`, refused without reading when it has more than
/// `limit` bytes: a huge (or sparse) file costs no memory. Read only up to
/// the limit, in case it grows meanwhile.
pub fn read_at_most(path: &Path, limit: u64) -> Result<Vec<u8>, Refused> {
    let size = std::fs::metadata(path).map_err(Refused::Io)?.len();
    if size > limit {
        return Err(Refused::TooLarge(size));
    }
    let mut bytes = Vec::new();
    let file = std::fs::File::open(path).map_err(Refused::Io)?;
    file.take(limit + 1).read_to_end(&mut bytes).map_err(Refused::Io)?;
    if bytes.len() as u64 > limit {
        return Err(Refused::TooLarge(bytes.len() as u64));
    }
    Ok(bytes)
}

/// Whether `name` can name a theme: one folder name in `themes/`, so that
/// joined onto it, it never leads out (no separator, no `..`, not absolute).
pub fn is_theme_name(name: &str) -> bool {
    !name.trim().is_empty() && !name.contains(['/', '\\', ':', '\0']) && !name.starts_with('.')
}

/// `bytes` as people read a size: `500.0 MiB`, `12.3 KiB`.
pub fn mib(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{:.1} MiB", bytes as f64 / (1u64 << 20) as f64)
    } else {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    }
}

/// How deep YAML a site writes may nest (block lists and maps, and `[`/`{`
/// flow collections, counted together). Front matter and rows are a few
/// levels deep; a YAML parser spends time and stack out of all proportion
/// on a file nested thousands of levels deep.
pub const MAX_YAML_DEPTH: usize = 64;

/// Where YAML `text` first nests deeper than `max` levels: its 1-based line
/// and column. A cheap scan, linear in the text, made before a parser sees
/// it; it over-counts nothing a parser would not also nest (quoted text,
/// comments and block scalars are skipped).
pub fn yaml_too_deep(text: &str, max: usize) -> Option<(usize, usize)> {
    let mut scan = DepthScan::default();
    for (i, line) in text.lines().enumerate() {
        if let Some(col) = scan.line(line, max) {
            return Some((i + 1, col));
        }
    }
    None
}

/// The state of [`yaml_too_deep`] between lines.
#[derive(Default)]
struct DepthScan {
    /// The columns of the open block collections.
    blocks: Vec<usize>,
    /// Open `[` and `{`.
    flow: usize,
    /// Inside a quoted text: its quote mark.
    quote: Option<char>,
    /// Inside a block scalar (`|`, `>`): the indentation of its key.
    scalar: Option<usize>,
}

impl DepthScan {
    /// Scans one line; the 1-based column where the nesting passes `max`.
    fn line(&mut self, line: &str, max: usize) -> Option<usize> {
        let indent = line.len() - line.trim_start_matches(' ').len();
        let blank = line.trim().is_empty() || line.trim_start().starts_with('#');
        if let Some(key_indent) = self.scalar {
            if blank || indent > key_indent {
                return None;
            }
            self.scalar = None;
        }
        let mut expect_node = true;
        let chars: Vec<char> = line.chars().collect();
        let mut i = 0;
        if self.quote.is_none() && self.flow == 0 && !blank {
            while self.blocks.last().is_some_and(|&b| b >= indent) {
                self.blocks.pop();
            }
            self.blocks.push(indent);
            i = line[..indent].chars().count();
            // `- - - x`: each dash opens a list inside the last.
            while chars.get(i) == Some(&'-') && chars.get(i + 1).is_none_or(|c| *c == ' ') {
                self.blocks.push(i + 2);
                if self.blocks.len() + self.flow > max {
                    return Some(i + 1);
                }
                i += 2;
                while chars.get(i) == Some(&' ') {
                    i += 1;
                }
            }
            if self.blocks.len() > max {
                return Some(indent + 1);
            }
        }
        while i < chars.len() {
            let c = chars[i];
            if let Some(q) = self.quote {
                match (q, c) {
                    ('"', '\\') => i += 1,
                    ('\'', '\'') if chars.get(i + 1) == Some(&'\'') => i += 1,
                    _ if c == q => self.quote = None,
                    _ => {}
                }
                i += 1;
                continue;
            }
            match c {
                '#' if i == 0 || chars[i - 1].is_whitespace() => break,
                '"' | '\'' if expect_node => self.quote = Some(c),
                '[' | '{' if expect_node => {
                    self.flow += 1;
                    if self.blocks.len() + self.flow > max {
                        return Some(i + 1);
                    }
                }
                ']' | '}' if self.flow > 0 => {
                    self.flow -= 1;
                    expect_node = false;
                }
                ',' if self.flow > 0 => expect_node = true,
                ':' if chars.get(i + 1).is_none_or(|n| n.is_whitespace() || self.flow > 0) => expect_node = true,
                '|' | '>' if expect_node && self.flow == 0 => {
                    self.scalar = Some(indent);
                    break;
                }
                c if c.is_whitespace() => {}
                _ => expect_node = false,
            }
            i += 1;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_is_found_at_its_place_and_text_is_not_nesting() {
        assert_eq!(yaml_too_deep("a: [[[[x]]]]\n", 4), Some((1, 7)));
        assert_eq!(yaml_too_deep("a: [[[x]]]\n", 4), None);
        assert_eq!(yaml_too_deep("a:\n  b:\n    c:\n      d: 1\n", 3), Some((4, 7)));
        assert_eq!(yaml_too_deep("- - - - x\n", 3), Some((1, 5)));
        assert_eq!(yaml_too_deep(&format!("x: {}", "[".repeat(500_000)), 64), Some((1, 67)));
        let text = "t: \"[[[[\" \n'{{{{': 1\nn: a [b\nm: a [b\nbody: |\n  [[[[[[\n  {{{{\nc: # [[[[\n  d\n";
        assert_eq!(yaml_too_deep(text, 3), None);
        assert_eq!(yaml_too_deep("t: \"a\n  [[[[\n  b\"\nu: [[[[x]]]]\n", 3), Some((4, 6)));
    }

    #[test]
    fn a_link_out_of_the_site_is_refused_and_one_inside_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("site");
        std::fs::create_dir_all(site.join("content")).unwrap();
        std::fs::write(dir.path().join("secret"), "s").unwrap();
        std::fs::write(site.join("rows.csv"), "a\n").unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.path().join("secret"), site.join("content/out.csv")).unwrap();
            std::os::unix::fs::symlink("../rows.csv", site.join("content/in.csv")).unwrap();
            assert!(matches!(inside(&site, &site.join("content/out.csv")), Err(Refused::Outside)));
            assert!(inside(&site, &site.join("content/in.csv")).is_ok());
        }
        assert!(matches!(inside(&site, &site.join("content/../../secret")), Err(Refused::Outside)));
        assert!(matches!(inside(&site, &site.join("nope")), Err(Refused::Io(_))));
    }

    #[test]
    fn a_file_over_the_limit_is_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big");
        std::fs::File::create(&path).unwrap().set_len(500 << 20).unwrap();
        assert!(matches!(read_at_most(&path, 16 << 20), Err(Refused::TooLarge(n)) if n == 500 << 20));
        assert_eq!(mib(500 << 20), "500.0 MiB");
        std::fs::write(&path, "abc").unwrap();
        assert_eq!(read_at_most(&path, 3).unwrap(), b"abc");
    }
}
