//! Which saved files matter, and the watcher that reports them.
//!
//! [`classify`] sorts one changed path into a kind of change: a pure function
//! of the path (no file system access), so it is unit tested. [`Watcher`]
//! wraps notify's debouncer: it watches the site folder itself (not
//! recursively: `waxseal.yaml`, data files, and the folders below being
//! made) and `content/`, `themes/`, `data/`, `static/` and `assets/`
//! recursively, and re-watches those when they are made again. It never looks at, nor writes into, the output
//! folder, nor the site's `.waxseal/` (what the build keeps of itself): a
//! build writes both, and must not set off another.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use notify::{EventKind, RecursiveMode};
use notify_debouncer_full::{new_debouncer_opt, DebounceEventResult, Debouncer, RecommendedCache};

/// The folders watched recursively: messages, themes, data files
/// (recipient lists) kept apart from the messages, and the site's pictures.
const WATCHED_DIRS: [&str; 5] = ["content", "themes", "data", "static", "assets"];

/// Extensions of pictures a card may draw (a photo beside its message, a
/// logo or a signature in `static/` or `assets/`).
const PICTURE_EXTENSIONS: [&str; 7] = ["png", "jpg", "jpeg", "webp", "gif", "svg", "svgz"];

/// Extensions of data files that messages can use (recipient lists).
const DATA_EXTENSIONS: [&str; 5] = ["csv", "tsv", "yaml", "yml", "json"];

/// What kind of change a changed path is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ChangeKind {
    /// A message (or a folder of messages) under `content/`.
    Message,
    /// A data file a message may use (a recipient list).
    Data,
    /// A picture beside the messages, or any file of `static/` or `assets/`.
    Picture,
    /// A file of a site theme under `themes/`.
    Theme,
    /// The site settings, `waxseal.yaml`.
    Config,
    /// Nothing the build reads: the output folder, the site's `.waxseal/`,
    /// hidden and editor temporary files, anything else.
    Ignored,
}

/// Sorts `path` (absolute, or relative to the current folder like `root`)
/// into a kind of change. `root` is the site folder and `output` the output
/// folder (which may lie inside `root` or anywhere else).
pub fn classify(root: &Path, output: &Path, path: &Path) -> ChangeKind {
    if path.starts_with(output) || path.starts_with(root.join(crate::output::STATE_DIR)) {
        return ChangeKind::Ignored;
    }
    let Ok(rel) = path.strip_prefix(root) else {
        return ChangeKind::Ignored;
    };
    let parts: Vec<&str> = rel.iter().map(|p| p.to_str().unwrap_or(".")).collect();
    let Some(name) = parts.last() else {
        return ChangeKind::Ignored; // the site folder itself
    };
    if parts.iter().any(|p| p.starts_with('.')) || is_editor_temp(name) {
        return ChangeKind::Ignored;
    }
    let extension = Path::new(name).extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    let is_data = extension.as_deref().is_some_and(|e| DATA_EXTENSIONS.contains(&e));
    let is_picture = extension.as_deref().is_some_and(|e| PICTURE_EXTENSIONS.contains(&e));
    match parts[0] {
        "waxseal.yaml" if parts.len() == 1 => ChangeKind::Config,
        "content" => match extension.as_deref() {
            Some("md") => ChangeKind::Message,
            // A folder of messages moved, made or removed.
            None => ChangeKind::Message,
            Some(_) if is_data => ChangeKind::Data,
            Some(_) if is_picture => ChangeKind::Picture,
            Some(_) => ChangeKind::Ignored,
        },
        "themes" => ChangeKind::Theme,
        "static" | "assets" if parts.len() > 1 || extension.is_none() => ChangeKind::Picture,
        // A folder of data files moved, made or removed, or a data file.
        "data" if is_data || extension.is_none() => ChangeKind::Data,
        _ if parts.len() == 1 && is_data => ChangeKind::Data,
        _ => ChangeKind::Ignored,
    }
}

/// Files editors write beside the real one while saving, or keep while
/// editing: vim (`.x.swp`, `x~`, `4913`), emacs (`.#x`, `#x#`), JetBrains
/// (`x___jb_tmp___`), Kate, Chromium-based editors, and `*.tmp`.
fn is_editor_temp(name: &str) -> bool {
    const SUFFIXES: [&str; 10] =
        [".swp", ".swo", ".swx", ".swpx", "~", ".tmp", "___jb_tmp___", "___jb_old___", ".kate-swp", ".crswap"];
    name == "4913"
        || name.starts_with(".#")
        || (name.starts_with('#') && name.ends_with('#'))
        || SUFFIXES.iter().any(|s| name.ends_with(s))
}

/// One batch of saves: the paths that matter, each with its kind (sorted, each once).
pub type Batch = BTreeMap<PathBuf, ChangeKind>;

/// Watches a site and sends a [`Batch`] for every burst of saves that touched
/// something the build reads.
pub struct Watcher {
    root: PathBuf,
    inner: Inner,
    /// The recursively watched folders and the identity of each when watched.
    watched: Vec<(PathBuf, Option<DirId>)>,
}

enum Inner {
    Native(Debouncer<notify::RecommendedWatcher, RecommendedCache>),
    Poll(Debouncer<notify::PollWatcher, RecommendedCache>),
}

impl Inner {
    fn watch(&mut self, path: &Path, mode: RecursiveMode) -> notify::Result<()> {
        match self {
            Inner::Native(d) => d.watch(path, mode),
            Inner::Poll(d) => d.watch(path, mode),
        }
    }

    fn unwatch(&mut self, path: &Path) {
        // The folder may be gone, and its watch with it: nothing to undo then.
        let _ = match self {
            Inner::Native(d) => d.unwatch(path),
            Inner::Poll(d) => d.unwatch(path),
        };
    }
}

/// What the watcher thread hands on: batches of changes, or watch errors.
pub type Events = mpsc::Receiver<DebounceEventResult>;

impl Watcher {
    /// Starts watching `root` (absolute). Events arrive on the returned
    /// receiver, batched `debounce` after the last event of a burst. `poll`
    /// scans the folders instead of asking the system for events.
    pub fn start(root: &Path, debounce: Duration, poll: bool) -> notify::Result<(Watcher, Events)> {
        let (tx, rx) = mpsc::channel();
        let inner = if poll {
            let config = notify::Config::default().with_poll_interval(Duration::from_millis(300));
            Inner::Poll(new_debouncer_opt(debounce, None, tx, RecommendedCache::new(), config)?)
        } else {
            Inner::Native(new_debouncer_opt(debounce, None, tx, RecommendedCache::new(), notify::Config::default())?)
        };
        let mut watcher = Watcher { root: root.to_path_buf(), inner, watched: Vec::new() };
        watcher.inner.watch(root, RecursiveMode::NonRecursive)?;
        watcher.refresh();
        Ok((watcher, rx))
    }

    /// Watches the folders of `WATCHED_DIRS` again when they were made, removed
    /// or replaced since the last call (a replaced folder keeps its name but
    /// not its watch). Returns true when something changed.
    pub fn refresh(&mut self) -> bool {
        let mut changed = false;
        for name in WATCHED_DIRS {
            let dir = self.root.join(name);
            let now = std::fs::metadata(&dir).ok().filter(|m| m.is_dir()).map(|m| DirId::of(&m));
            let known = self.watched.iter().position(|(d, _)| *d == dir);
            match (known, now) {
                (Some(i), Some(id)) if self.watched[i].1 == Some(id) => {}
                (Some(i), _) => {
                    self.inner.unwatch(&dir);
                    self.watched.remove(i);
                    changed = true;
                    if now.is_some() && self.inner.watch(&dir, RecursiveMode::Recursive).is_ok() {
                        self.watched.push((dir, now));
                    }
                }
                (None, Some(_)) => {
                    if self.inner.watch(&dir, RecursiveMode::Recursive).is_ok() {
                        self.watched.push((dir, now));
                        changed = true;
                    }
                }
                (None, None) => {}
            }
        }
        changed
    }
}

/// Which folder a path is: on Unix its device and inode, so that a folder
/// removed and made again under the same name is seen as new.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct DirId(u64, u64);

impl DirId {
    #[cfg(unix)]
    fn of(meta: &std::fs::Metadata) -> DirId {
        use std::os::unix::fs::MetadataExt;
        DirId(meta.dev(), meta.ino())
    }

    #[cfg(not(unix))]
    fn of(meta: &std::fs::Metadata) -> DirId {
        let made = meta.created().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok());
        DirId(made.map_or(0, |d| d.as_secs()), made.map_or(0, |d| u64::from(d.subsec_nanos())))
    }
}

/// The paths of debounced events that matter, with their kinds. Reads
/// (`Access`) are dropped: the build itself reads every message.
pub fn batch(root: &Path, output: &Path, events: &[notify_debouncer_full::DebouncedEvent]) -> Batch {
    let mut batch = Batch::new();
    for event in events {
        if matches!(event.kind, EventKind::Access(_)) {
            continue;
        }
        for path in &event.paths {
            let kind = classify(root, output, path);
            if kind != ChangeKind::Ignored {
                batch.insert(path.clone(), kind);
            }
        }
    }
    batch
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(path: &str) -> ChangeKind {
        classify(Path::new("/site"), Path::new("/site/output"), Path::new(path))
    }

    #[test]
    fn messages_and_folders_of_messages() {
        assert_eq!(kind("/site/content/thank-you.md"), ChangeKind::Message);
        assert_eq!(kind("/site/content/orders/shipped.md"), ChangeKind::Message);
        assert_eq!(kind("/site/content/orders/SHOUT.MD"), ChangeKind::Message);
        assert_eq!(kind("/site/content/orders"), ChangeKind::Message, "a folder moved or removed");
        assert_eq!(kind("/site/content"), ChangeKind::Message);
        assert_eq!(kind("/site/content/notes.txt"), ChangeKind::Ignored);
    }

    #[test]
    fn pictures_beside_the_messages_and_in_static_or_assets() {
        assert_eq!(kind("/site/content/orders/vase.JPG"), ChangeKind::Picture);
        assert_eq!(kind("/site/content/logo.svg"), ChangeKind::Picture);
        assert_eq!(kind("/site/static/logo.png"), ChangeKind::Picture);
        assert_eq!(kind("/site/static/shop/signature.webp"), ChangeKind::Picture);
        assert_eq!(kind("/site/assets/photo.jpeg"), ChangeKind::Picture);
        assert_eq!(kind("/site/static"), ChangeKind::Picture, "the folder made or removed");
        assert_eq!(kind("/site/static/.logo.png.swp"), ChangeKind::Ignored);
        assert_eq!(kind("/site/photo.png"), ChangeKind::Ignored, "beside waxseal.yaml, not a picture of a card");
    }

    #[test]
    fn themes_settings_and_data() {
        assert_eq!(kind("/site/themes/chocolate/style.css"), ChangeKind::Theme);
        assert_eq!(kind("/site/themes/chocolate/fonts/Body.ttf"), ChangeKind::Theme);
        assert_eq!(kind("/site/themes"), ChangeKind::Theme);
        assert_eq!(kind("/site/waxseal.yaml"), ChangeKind::Config);
        assert_eq!(kind("/site/content/customers.csv"), ChangeKind::Data);
        assert_eq!(kind("/site/content/lists/club.yaml"), ChangeKind::Data);
        assert_eq!(kind("/site/customers.csv"), ChangeKind::Data);
        assert_eq!(kind("/site/data/orders/june.csv"), ChangeKind::Data);
        assert_eq!(kind("/site/data/club.json"), ChangeKind::Data);
        assert_eq!(kind("/site/data"), ChangeKind::Data);
        assert_eq!(kind("/site/data/notes.txt"), ChangeKind::Ignored);
    }

    #[test]
    fn the_output_folder_is_ignored_wherever_it_is() {
        assert_eq!(kind("/site/output/index.html"), ChangeKind::Ignored);
        assert_eq!(kind("/site/output/cards/a/index.html"), ChangeKind::Ignored);
        assert_eq!(kind("/site/output"), ChangeKind::Ignored);
        let inside = Path::new("/site/content/out");
        assert_eq!(classify(Path::new("/site"), inside, Path::new("/site/content/out/x.md")), ChangeKind::Ignored);
        assert_eq!(classify(Path::new("/site"), inside, Path::new("/site/content/x.md")), ChangeKind::Message);
    }

    #[test]
    fn the_state_folder_is_ignored_as_the_output_folder_is() {
        assert_eq!(kind("/site/.waxseal"), ChangeKind::Ignored);
        assert_eq!(kind("/site/.waxseal/output/cache/build.json"), ChangeKind::Ignored);
        assert_eq!(kind("/site/.waxseal/output/cache/entries.jsonl"), ChangeKind::Ignored);
        // What would be a change anywhere else in the site is none there.
        assert_eq!(kind("/site/.waxseal/content/x.md"), ChangeKind::Ignored);
        assert_eq!(kind("/site/.waxseal/waxseal.yaml"), ChangeKind::Ignored);
        let elsewhere = Path::new("/srv/www");
        let state = Path::new("/site/.waxseal/www-1a2b3c4d/manifest");
        assert_eq!(classify(Path::new("/site"), elsewhere, state), ChangeKind::Ignored);
    }

    #[test]
    fn hidden_and_editor_temporary_files_are_ignored() {
        for path in [
            "/site/content/.thank-you.md.swp",
            "/site/content/.thank-you.md.swx",
            "/site/content/thank-you.md~",
            "/site/content/.#thank-you.md",
            "/site/content/#thank-you.md#",
            "/site/content/4913",
            "/site/content/thank-you.md___jb_tmp___",
            "/site/content/thank-you.md.tmp",
            "/site/content/.hidden/x.md",
            "/site/themes/.git/config",
            "/site/.git/index",
            "/site/.waxseal.yaml.swp",
            "/site/waxseal.yaml~",
        ] {
            assert_eq!(kind(path), ChangeKind::Ignored, "{path}");
        }
    }

    #[test]
    fn other_files_of_the_site_folder_and_outside_it_are_ignored() {
        assert_eq!(kind("/site/README.md"), ChangeKind::Ignored);
        assert_eq!(kind("/site/notes/todo.md"), ChangeKind::Ignored);
        assert_eq!(kind("/site"), ChangeKind::Ignored);
        assert_eq!(kind("/elsewhere/content/x.md"), ChangeKind::Ignored);
        assert_eq!(kind("/site-other/content/x.md"), ChangeKind::Ignored, "a folder that only starts the same");
    }
}
