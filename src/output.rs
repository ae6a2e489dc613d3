//! The only writer: files go into the output folder and nowhere else.
//!
//! A file that exists is replaced through a temporary file beside it renamed
//! into place, so an interrupted build leaves the previous file readable; a
//! new file is written in place. A file whose bytes did not change is not
//! rewritten (its modification time stays, which keeps `serve` reloads and
//! rsync uploads small). Paths are checked: nothing can climb out with `..`
//! or an absolute path.

use std::io::Write;
use std::path::{Component, Path, PathBuf};

/// The output folder.
#[derive(Debug, Clone)]
pub struct Output {
    root: PathBuf,
    /// Files written (new or different bytes) or removed, as given, when
    /// they are recorded (see [`Output::recording_changes`]).
    changed: Option<std::sync::Arc<std::sync::Mutex<Vec<String>>>>,
}

impl Output {
    /// Opens (creating it if needed) the output folder.
    pub fn create(root: &Path) -> std::io::Result<Output> {
        std::fs::create_dir_all(root)?;
        Ok(Output { root: root.to_path_buf(), changed: None })
    }

    /// The same folder, recording which files are written or removed (for
    /// `serve`, which reloads the pages that changed; a single build would
    /// only hold a list of every file in memory).
    pub fn recording_changes(self) -> Output {
        Output { changed: Some(Default::default()), ..self }
    }

    /// The folder's path.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Writes `bytes` to `rel` (a `/`-separated path inside the folder), atomically.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> std::io::Result<()> {
        let path = self.resolve(rel)?;
        let dir = path.parent().expect("resolved paths lie inside the root");
        // A new file has no previous version to keep readable: it is written
        // in place (half the directory work of a rename, which is most of a
        // clean HTML build's time), readable by all as the umask allows, like
        // any file a program creates. A build interrupted here leaves a file
        // that no cache lists, so the next build writes it again.
        let create = || std::fs::OpenOptions::new().write(true).create_new(true).open(&path);
        let created = match create() {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::create_dir_all(dir)?;
                create()
            }
            created => created,
        };
        match created {
            Ok(mut file) => {
                file.write_all(bytes)?;
                self.note(rel);
                return Ok(());
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
        // It exists. Compare only when the sizes match: most files written
        // again are changed.
        if let Ok(old) = std::fs::metadata(&path) {
            if old.len() == bytes.len() as u64 && std::fs::read(&path).is_ok_and(|old| old == bytes) {
                return Ok(());
            }
        }
        let mut tmp = tempfile::Builder::new().prefix(".waxseal-").tempfile_in(dir)?;
        tmp.write_all(bytes)?;
        publish(tmp.as_file())?;
        // No fsync: the rename is what keeps an interrupted build's output
        // whole, and syncing every file costs more than drawing it.
        tmp.persist(&path).map_err(|e| e.error)?;
        self.note(rel);
        Ok(())
    }

    /// Writes file `rel` from what `fill` writes into it, through a
    /// temporary file renamed into place: for a large file that changes on
    /// every build (the build cache), never held in memory whole.
    pub fn write_streamed(
        &self,
        rel: &str,
        fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        let path = self.resolve(rel)?;
        let dir = path.parent().expect("resolved paths lie inside the root");
        std::fs::create_dir_all(dir)?;
        let mut tmp = tempfile::Builder::new().prefix(".waxseal-").tempfile_in(dir)?;
        {
            let mut buffered = std::io::BufWriter::with_capacity(1 << 16, tmp.as_file_mut());
            fill(&mut buffered)?;
            buffered.flush()?;
        }
        publish(tmp.as_file())?;
        tmp.persist(&path).map_err(|e| e.error)?;
        self.note(rel);
        Ok(())
    }

    /// Opens file `rel` to read it and to append to it (creating it and its
    /// folder if needed): the build cache's entries file.
    pub fn open_append(&self, rel: &str) -> std::io::Result<std::fs::File> {
        let path = self.resolve(rel)?;
        std::fs::create_dir_all(path.parent().expect("resolved paths lie inside the root"))?;
        std::fs::OpenOptions::new().read(true).append(true).create(true).open(path)
    }

    fn note(&self, rel: &str) {
        if let Some(changed) = &self.changed {
            changed.lock().expect("no panics while holding the lock").push(rel.to_string());
        }
    }

    /// The files written or removed so far (sorted, each once), when recorded.
    pub fn changed(&self) -> Vec<String> {
        let Some(changed) = &self.changed else {
            return Vec::new();
        };
        let mut changed = changed.lock().expect("no panics while holding the lock").clone();
        changed.sort();
        changed.dedup();
        changed
    }

    /// Removes file `rel` (a card that is gone), and the folders it leaves
    /// empty, up to the output folder itself. A missing file is not an error.
    pub fn remove(&self, rel: &str) -> std::io::Result<()> {
        let path = self.resolve(rel)?;
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e),
        }
        self.note(rel);
        let mut dir = path.parent();
        while let Some(d) = dir.filter(|d| *d != self.root) {
            if std::fs::remove_dir(d).is_err() {
                break; // not empty
            }
            dir = d.parent();
        }
        Ok(())
    }

    fn resolve(&self, rel: &str) -> std::io::Result<PathBuf> {
        let rel_path = Path::new(rel);
        let safe = !rel.is_empty() && rel_path.components().all(|c| matches!(c, Component::Normal(_)));
        if !safe {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("refusing to write `{rel}` outside the output folder"),
            ));
        }
        Ok(self.root.join(rel_path))
    }
}

/// Output is published as it is, so files must be readable by everyone; a
/// temporary file is created private, which a web server could not serve.
#[cfg(unix)]
fn publish(file: &std::fs::File) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn publish(_: &std::fs::File) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_inside_and_refuses_to_climb_out() {
        let dir = tempfile::tempdir().unwrap();
        let out = Output::create(&dir.path().join("output")).unwrap();
        out.write("cards/a/index.html", b"hi").unwrap();
        assert_eq!(std::fs::read(dir.path().join("output/cards/a/index.html")).unwrap(), b"hi");
        assert!(out.write("../escape.txt", b"x").is_err());
        assert!(out.write("/etc/x", b"x").is_err());
        assert!(!dir.path().join("escape.txt").exists());
        out.remove("cards/a/index.html").unwrap();
        assert!(!dir.path().join("output/cards").exists(), "empty folders go too");
        assert!(dir.path().join("output").is_dir());
        assert!(out.remove("../x").is_err());
    }

    #[cfg(unix)]
    #[test]
    fn files_are_readable_by_a_web_server() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let out = Output::create(dir.path()).unwrap();
        let mode = || std::fs::metadata(dir.path().join("a/b.html")).unwrap().permissions().mode() & 0o777;
        out.write("a/b.html", b"hi").unwrap();
        assert_eq!(mode(), 0o644, "a new file");
        out.write("a/b.html", b"hello").unwrap();
        assert_eq!(mode(), 0o644, "a replaced file (made as a private temporary file)");
    }
}
