//! The old layout, where waxseal kept its own files (the lock, the
//! manifest, the sent log, the build cache) in the output folder itself:
//! what a claim adopts of it, moving them into the state folder.

use std::path::PathBuf;

use super::{
    remove_all, take_turns, ClaimError, Output, CACHE_DIR, CACHE_FILE, ENTRIES_FILE, LAYERS_DIR, MANIFEST_FILE,
    SENT_LOG,
};

/// The old layout, where waxseal kept its own files in the output folder:
/// the lock file, the manifest and the sent log there.
pub(super) const OLD_LOCK: &str = ".waxseal-lock";
pub(super) const OLD_MANIFEST: &str = ".waxseal-manifest";
/// The sent log in the old layout, in the output folder (read by a dry
/// run of `waxseal send`, which adopts nothing).
pub const OLD_SENT_LOG: &str = ".waxseal-sent.jsonl";

/// The build cache in the old layout: each of its parts in the output
/// folder, and where it goes in the state folder.
pub(super) const OLD_CACHE: [(&str, &str); 3] = [
    (".waxseal-cache.json", CACHE_FILE),
    (".waxseal-cache/entries.jsonl", ENTRIES_FILE),
    (".waxseal-cache/layers", LAYERS_DIR),
];

/// The build cache's folder in the old layout.
pub(super) const OLD_CACHE_DIR: &str = ".waxseal-cache";

impl Output {
    /// Adopts a folder in the old layout, where waxseal kept its own files
    /// in the output folder itself: waits for a build of an older waxseal
    /// writing it, then moves them into the state folder, and says whether
    /// the last build in the old layout never finished. The manifest (which
    /// files waxseal may remove) and the sent log (which emails went) are
    /// renamed into place, or copied where that cannot be done (another
    /// file system); when the state folder has one already (an older
    /// waxseal built after a newer one), their lines are merged. The build
    /// cache is renamed into place (the old layout's is the newer one),
    /// or dropped: the next build is then a full one. A link among those
    /// files is left as it is (and reported, see [`Output::links_met`]).
    pub(super) fn adopt_old_layout(&self, waiting: &dyn Fn(&str)) -> Result<bool, ClaimError> {
        let at = |rel: &str| {
            let file = self.root.join(rel);
            move |error| ClaimError { file, error }
        };
        let old_lock = match self.old_file(OLD_LOCK) {
            Some(path) => Some((take_turns(&path, waiting).map_err(at(OLD_LOCK))?, path)),
            None => None,
        };
        self.merge_old(OLD_MANIFEST, MANIFEST_FILE).map_err(at(OLD_MANIFEST))?;
        self.merge_old(OLD_SENT_LOG, SENT_LOG).map_err(at(OLD_SENT_LOG))?;
        self.move_old_cache().map_err(at(OLD_CACHE_DIR))?;
        let Some(((lock, interrupted), path)) = old_lock else {
            return Ok(false);
        };
        drop(lock);
        std::fs::remove_file(path).map_err(at(OLD_LOCK))?;
        Ok(interrupted)
    }

    /// The path of file or folder `rel` of the old layout, when it is there
    /// and reached through no link.
    fn old_file(&self, rel: &str) -> Option<PathBuf> {
        let path = self.walk(rel).ok()?;
        std::fs::symlink_metadata(&path).is_ok().then_some(path)
    }

    /// Moves file `old` of the old layout to `new` in the state folder:
    /// renamed when `new` is not there and the rename works, else copied,
    /// after the lines `new` already has (each line once).
    fn merge_old(&self, old: &str, new: &str) -> std::io::Result<()> {
        let Some(from) = self.old_file(old) else {
            return Ok(());
        };
        let state = self.state();
        let to = state.walk(new)?;
        if !to.exists() && std::fs::rename(&from, &to).is_ok() {
            return Ok(());
        }
        let theirs = std::fs::read_to_string(&from)?;
        let mut text = match std::fs::read_to_string(&to) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(e),
        };
        let mut seen: std::collections::HashSet<String> = text.lines().map(String::from).collect();
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n'); // a last line cut short by a killed run
        }
        for line in theirs.lines().filter(|line| !line.is_empty()) {
            if seen.insert(line.to_string()) {
                text.push_str(line);
                text.push('\n');
            }
        }
        state.write(new, text.as_bytes())?;
        std::fs::remove_file(from)
    }

    /// Moves the build cache of the old layout into the state folder, in
    /// place of the one there; a part that cannot be renamed is dropped.
    fn move_old_cache(&self) -> std::io::Result<()> {
        let parts: Vec<(PathBuf, &str)> =
            OLD_CACHE.iter().filter_map(|(old, new)| Some((self.old_file(old)?, *new))).collect();
        let state = self.state();
        if !parts.is_empty() {
            state.remove_all(CACHE_DIR)?;
        }
        for (from, new) in parts {
            let to = state.walk(new)?;
            std::fs::create_dir_all(to.parent().expect("a state file lies inside the state folder"))?;
            if std::fs::rename(&from, &to).is_err() {
                remove_all(&from)?;
            }
        }
        match self.old_file(OLD_CACHE_DIR) {
            Some(dir) => remove_all(&dir),
            None => Ok(()),
        }
    }
}
