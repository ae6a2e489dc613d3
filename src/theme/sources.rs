//! A theme's files: the built-in ones compiled into the binary, the site's
//! `themes/NAME/` files over them, and through `extends` the themes it is
//! made from, merged (files by path, settings key by key).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::spec::THEME_KEYS;
use super::{FileBytes, LoadError};
use crate::diagnostics::{display_path, Diagnostic};
use crate::input;

/// The built-in themes, compiled into the binary from `themes/`.
pub(super) static BUILT_IN: &[(&str, &include_dir::Dir)] = &[
    ("chocolate", &include_dir::include_dir!("$CARGO_MANIFEST_DIR/themes/chocolate")),
    ("classic", &include_dir::include_dir!("$CARGO_MANIFEST_DIR/themes/classic")),
    ("kraft", &include_dir::include_dir!("$CARGO_MANIFEST_DIR/themes/kraft")),
    ("minimal", &include_dir::include_dir!("$CARGO_MANIFEST_DIR/themes/minimal")),
];

/// Every file of an embedded theme folder, as (path inside the theme, bytes).
pub(super) fn embedded_files(dir: &'static include_dir::Dir) -> Vec<(String, &'static [u8])> {
    let mut out = Vec::new();
    let mut stack = vec![dir];
    while let Some(dir) = stack.pop() {
        for entry in dir.entries() {
            match entry {
                include_dir::DirEntry::Dir(d) => stack.push(d),
                include_dir::DirEntry::File(f) => {
                    out.push((f.path().to_string_lossy().replace('\\', "/"), f.contents()))
                }
            }
        }
    }
    out.sort();
    out
}

/// The files of built-in theme `name`, as (path inside the theme, bytes).
pub fn built_in_files(name: &str) -> Option<Vec<(String, &'static [u8])>> {
    BUILT_IN.iter().find(|(n, _)| *n == name).map(|(_, dir)| embedded_files(dir))
}

/// Names of the built-in themes.
pub fn built_in_names() -> Vec<&'static str> {
    BUILT_IN.iter().map(|(name, _)| *name).collect()
}

/// A file of a site's theme may be at most this long (a font with every
/// script of a language fits); a larger one is refused before it is read.
pub(super) const MAX_THEME_FILE_BYTES: u64 = 16 << 20;

/// A site's theme folder may hold at most this much: the built-in
/// chocolate theme, with Chinese and emoji fonts, holds 9 MiB.
pub(super) const MAX_THEME_BYTES: u64 = 64 << 20;

/// The hint for a theme name that is not one.
const NAME_HINT: &str = "a theme is a name: a built-in theme or a folder in themes/, without `/`, `\\` or `..`";

/// A theme's files and settings with everything it extends merged in.
pub(super) struct Sources {
    pub(super) files: BTreeMap<String, FileBytes>,
    /// Where each file came from, for diagnostics.
    pub(super) origins: BTreeMap<String, PathBuf>,
    /// The site's files too large to be read, with their sizes: an error
    /// where the theme uses one (a font at its line of theme.yaml).
    pub(super) oversized: BTreeMap<String, u64>,
    /// theme.yaml, merged over the theme it extends.
    pub(super) yaml: serde_yaml::Value,
    /// Every theme.yaml of the chain, child first, with its origin: to find
    /// the line of a key serde cannot locate in merged settings.
    pub(super) texts: Vec<(PathBuf, String)>,
}

/// Reads theme `name` (built-in files overlaid by the site's) and, through
/// `extends`, the themes it is made from.
pub(super) fn collect(root: &Path, name: &str, chain: &mut Vec<String>) -> Result<Sources, LoadError> {
    if !input::is_theme_name(name) {
        // Joined onto themes/, an absolute path or `..` would lead out of it.
        return Err(LoadError::Unknown(
            Diagnostic::error(display_path(root, &root.join("themes")), 0, 0, format!("`{name}` is not a theme name"))
                .with_hint(NAME_HINT),
        ));
    }
    let site_dir = root.join("themes").join(name);
    if chain.iter().any(|n| n == name) {
        chain.push(name.to_string());
        return Err(LoadError::Broken(Diagnostic::error(
            display_path(root, &site_dir.join("theme.yaml")),
            0,
            0,
            format!("themes extend each other in a circle: {}", chain.join(" -> ")),
        )));
    }
    chain.push(name.to_string());
    let (files, origins, oversized) = theme_files(root, name, &site_dir)?;
    let Settings { origin: yaml_origin, text: yaml_text, yaml, parent } = settings(root, &site_dir, &files, &origins)?;
    let own = Sources { files, origins, oversized, yaml, texts: vec![(yaml_origin.clone(), yaml_text.clone())] };
    let Some(parent) = parent else {
        return Ok(own);
    };
    if !input::is_theme_name(&parent) {
        let line = key_line(&yaml_text, "extends:");
        let col =
            yaml_text.lines().nth(line.saturating_sub(1)).and_then(|l| l.find(parent.as_str())).map_or(1, |c| c + 1);
        return Err(LoadError::Broken(
            Diagnostic::error(&yaml_origin, line, col, format!("`extends: {parent}` is not a theme name"))
                .with_hint(NAME_HINT),
        ));
    }
    let mut base = collect(root, &parent, chain).map_err(|e| match e {
        // The theme is there; what it extends is not: an error of its `extends:`.
        LoadError::Unknown(d) => LoadError::Broken(
            Diagnostic::error(
                &yaml_origin,
                key_line(&yaml_text, "extends:"),
                1,
                format!("`extends: {parent}`: {}", d.message),
            )
            .with_hint_opt(d.hint),
        ),
        broken => broken,
    })?;
    // A file of this theme replaces the base's, too large or not.
    for path in own.files.keys() {
        base.oversized.remove(path);
    }
    for path in own.oversized.keys() {
        base.files.remove(path);
    }
    base.files.extend(own.files);
    base.origins.extend(own.origins);
    base.oversized.extend(own.oversized);
    base.yaml = merge_yaml(base.yaml, own.yaml);
    let mut texts = own.texts;
    texts.extend(base.texts);
    base.texts = texts;
    Ok(base)
}

/// The files of one theme (not those it extends), by path: the built-in
/// ones, replaced one by one by the site's in `site_dir`; where each came
/// from; and the site's files too large to read, with their sizes.
/// [`LoadError::Unknown`] when there are none.
type Files = (BTreeMap<String, FileBytes>, BTreeMap<String, PathBuf>, BTreeMap<String, u64>);

fn theme_files(root: &Path, name: &str, site_dir: &Path) -> Result<Files, LoadError> {
    let mut files: BTreeMap<String, FileBytes> = BTreeMap::new();
    let mut origins: BTreeMap<String, PathBuf> = BTreeMap::new();
    let mut oversized = BTreeMap::new();
    // A built-in file's bytes are the binary's own, shared by every theme
    // made from them (kraft, classic and minimal extend chocolate, whose
    // fonts are 9 MiB), never copied.
    for (path, bytes) in built_in_files(name).unwrap_or_default() {
        origins.insert(path.clone(), PathBuf::from(format!("(built-in theme {name})/{path}")));
        files.insert(path, FileBytes::from(bytes));
    }
    if site_dir.is_dir() {
        // The folder may be a link, but not to outside the site; the links
        // inside it are not walked: a theme's files are its own.
        if let Err(input::Refused::Outside) = input::inside(root, site_dir) {
            return Err(LoadError::Broken(
                Diagnostic::error(display_path(root, site_dir), 0, 0, "the theme folder leads outside the site folder")
                    .with_hint("themes are read only from inside the site folder: move the theme into themes/"),
            ));
        }
        let mut total = 0;
        for entry in walkdir::WalkDir::new(site_dir).sort_by_file_name() {
            let entry = entry.map_err(|e| Diagnostic::error(display_path(root, site_dir), 0, 0, e.to_string()))?;
            if !entry.file_type().is_file() {
                continue;
            }
            let rel = entry.path().strip_prefix(site_dir).expect("walkdir stays inside its root");
            let key = rel.to_string_lossy().replace('\\', "/");
            let shown = display_path(root, entry.path());
            origins.insert(key.clone(), shown.clone());
            match input::read_at_most(entry.path(), MAX_THEME_FILE_BYTES) {
                Ok(bytes) => {
                    total += bytes.len() as u64;
                    files.insert(key, FileBytes::from(bytes));
                }
                Err(input::Refused::TooLarge(size)) if key == "theme.yaml" => {
                    return Err(Diagnostic::error(
                        shown,
                        0,
                        0,
                        format!("the file is {}; a theme file may be at most 16 MiB", input::mib(size)),
                    )
                    .into())
                }
                Err(input::Refused::TooLarge(size)) => {
                    files.remove(&key);
                    oversized.insert(key, size);
                }
                Err(e) => return Err(Diagnostic::error(shown, 0, 0, format!("cannot read theme file: {e}")).into()),
            }
            if total > MAX_THEME_BYTES {
                return Err(Diagnostic::error(shown, 0, 0, "the theme's files add up to more than 64 MiB")
                    .with_hint("a theme needs a few fonts and templates: take out the files it does not use")
                    .into());
            }
        }
    }
    if files.is_empty() && oversized.is_empty() {
        let mut known = built_in_names();
        known.sort();
        return Err(LoadError::Unknown(
            Diagnostic::error(display_path(root, site_dir), 0, 0, format!("unknown theme `{name}`"))
                .with_hint(format!("built-in themes: {}; or create themes/{name}/theme.yaml", known.join(", "))),
        ));
    }
    Ok((files, origins, oversized))
}

/// One theme's `theme.yaml`: where it is, its text, its settings (not yet
/// merged with those it extends) and the theme it extends.
struct Settings {
    origin: PathBuf,
    text: String,
    yaml: serde_yaml::Value,
    parent: Option<String>,
}

/// Reads the `theme.yaml` among `files`.
fn settings(
    root: &Path,
    site_dir: &Path,
    files: &BTreeMap<String, FileBytes>,
    origins: &BTreeMap<String, PathBuf>,
) -> Result<Settings, Diagnostic> {
    let origin = origins.get("theme.yaml").cloned().unwrap_or_else(|| display_path(root, &site_dir.join("theme.yaml")));
    let text = match files.get("theme.yaml") {
        Some(bytes) => {
            String::from_utf8(bytes.to_vec()).map_err(|_| Diagnostic::error(&origin, 0, 0, "not UTF-8 text"))?
        }
        None => {
            return Err(Diagnostic::error(&origin, 0, 0, "missing theme file")
                .with_hint("every theme has a theme.yaml; `extends: chocolate` in it borrows the rest"))
        }
    };
    if let Some((line, col)) = input::yaml_too_deep(&text, input::MAX_YAML_DEPTH) {
        return Err(Diagnostic::error(
            &origin,
            line,
            col,
            format!("theme.yaml nests more than {} levels deep here", input::MAX_YAML_DEPTH),
        )
        .with_hint("theme settings are a few levels deep at most: flatten its lists and maps"));
    }
    let yaml: serde_yaml::Value = serde_yaml::from_str(&text).map_err(|e| {
        let d = crate::config::yaml_diagnostic("", &e, 0, THEME_KEYS);
        Diagnostic { path: origin.clone(), ..d }
    })?;
    let parent = match yaml.get("extends") {
        None | Some(serde_yaml::Value::Null) => None,
        Some(serde_yaml::Value::String(parent)) => Some(parent.clone()),
        Some(_) => {
            return Err(Diagnostic::error(&origin, key_line(&text, "extends:"), 1, "`extends` must be a theme name"))
        }
    };
    Ok(Settings { origin, text, yaml, parent })
}

/// `over` merged into `base`: maps merge key by key, anything else is replaced.
fn merge_yaml(base: serde_yaml::Value, over: serde_yaml::Value) -> serde_yaml::Value {
    match (base, over) {
        (serde_yaml::Value::Mapping(mut base), serde_yaml::Value::Mapping(over)) => {
            for (key, value) in over {
                let merged = match base.remove(&key) {
                    Some(old) => merge_yaml(old, value),
                    None => value,
                };
                base.insert(key, merged);
            }
            serde_yaml::Value::Mapping(base)
        }
        (_, over) => over,
    }
}

/// The 1-based line of the first line of `text` that mentions `needle`.
pub(super) fn key_line(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).map_or(0, |i| i + 1)
}
