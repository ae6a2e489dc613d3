//! The only writer: files go into the output folder and nowhere else.
//!
//! A file that exists is replaced through a temporary file beside it renamed
//! into place, so an interrupted build leaves the previous file readable; a
//! new file is written in place. A file whose bytes did not change is not
//! rewritten (its modification time stays, which keeps `serve` reloads and
//! rsync uploads small). Paths are checked: nothing can climb out with `..`
//! or an absolute path.
//!
//! An output can also be kept in memory (`waxseal check`): then nothing is
//! read from or written to the disk at all, and the folder of that name, if
//! there is one, is left as it is.

use std::collections::BTreeMap;
use std::io::{Read, Seek, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The output folder.
#[derive(Debug, Clone)]
pub struct Output {
    root: PathBuf,
    /// Files written (new or different bytes) or removed, as given, when
    /// they are recorded (see [`Output::recording_changes`]).
    changed: Option<Arc<Mutex<Vec<String>>>>,
    /// The files, when the output is kept in memory (see [`Output::in_memory`]).
    memory: Option<Arc<Mutex<BTreeMap<String, HeldFile>>>>,
}

/// A file of an output kept in memory: its size, and its bytes when it is
/// text (pages, stylesheets, feeds, SVG), which is all a link check reads.
/// Pictures and fonts are only noted as there.
#[derive(Debug, Clone)]
pub struct HeldFile {
    /// Its size in bytes.
    pub len: u64,
    /// Its bytes, for a text file.
    pub text: Option<Arc<[u8]>>,
}

/// The extensions of the files an output in memory keeps the bytes of.
const TEXT_EXTENSIONS: [&str; 5] = ["html", "css", "xml", "txt", "svg"];

impl Output {
    /// Opens (creating it if needed) the output folder.
    pub fn create(root: &Path) -> std::io::Result<Output> {
        std::fs::create_dir_all(root)?;
        Ok(Output { root: root.to_path_buf(), changed: None, memory: None })
    }

    /// An output kept in memory, named `root` in messages: it starts empty
    /// (a folder `root` is neither read nor changed), so a build into it
    /// finds no build cache and makes every card.
    pub fn in_memory(root: &Path) -> Output {
        Output { root: root.to_path_buf(), changed: None, memory: Some(Arc::default()) }
    }

    /// Whether the output is kept in memory.
    pub fn is_in_memory(&self) -> bool {
        self.memory.is_some()
    }

    /// The files of an output kept in memory, by path (empty for a folder).
    pub fn held_files(&self) -> BTreeMap<String, HeldFile> {
        self.memory.as_ref().map(|m| m.lock().expect("no panics while holding the lock").clone()).unwrap_or_default()
    }

    /// Whether file `rel` is there.
    pub fn is_file(&self, rel: &str) -> bool {
        match &self.memory {
            Some(memory) => memory.lock().expect("no panics while holding the lock").contains_key(rel),
            None => self.resolve(rel).is_ok_and(|path| path.is_file()),
        }
    }

    /// Keeps `bytes` as file `rel` of an output in memory.
    fn hold(memory: &Mutex<BTreeMap<String, HeldFile>>, rel: &str, bytes: &[u8]) {
        let text = Path::new(rel)
            .extension()
            .is_some_and(|ext| TEXT_EXTENSIONS.iter().any(|t| ext.eq_ignore_ascii_case(t)))
            .then(|| Arc::from(bytes));
        let file = HeldFile { len: bytes.len() as u64, text };
        memory.lock().expect("no panics while holding the lock").insert(rel.to_string(), file);
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
        if let Some(memory) = &self.memory {
            Self::hold(memory, rel, bytes);
            self.note(rel);
            return Ok(());
        }
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
        if let Some(memory) = &self.memory {
            let mut bytes = Vec::new();
            fill(&mut bytes)?;
            Self::hold(memory, rel, &bytes);
            self.note(rel);
            return Ok(());
        }
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
    /// folder if needed): the build cache's entries file. In memory, it is a
    /// new empty buffer that only the one who opened it reads.
    pub fn open_append(&self, rel: &str) -> std::io::Result<AppendFile> {
        let path = self.resolve(rel)?;
        if self.memory.is_some() {
            return Ok(AppendFile::Memory(std::io::Cursor::new(Vec::new())));
        }
        std::fs::create_dir_all(path.parent().expect("resolved paths lie inside the root"))?;
        std::fs::OpenOptions::new().read(true).append(true).create(true).open(path).map(AppendFile::Disk)
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
        if let Some(memory) = &self.memory {
            if memory.lock().expect("no panics while holding the lock").remove(rel).is_some() {
                self.note(rel);
            }
            return Ok(());
        }
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

/// A file open to read and to append to (see [`Output::open_append`]).
#[derive(Debug)]
pub enum AppendFile {
    /// A file of the output folder, opened to append.
    Disk(std::fs::File),
    /// A buffer of an output kept in memory.
    Memory(std::io::Cursor<Vec<u8>>),
}

impl AppendFile {
    /// Its length in bytes.
    pub fn len(&self) -> std::io::Result<u64> {
        match self {
            AppendFile::Disk(file) => Ok(file.metadata()?.len()),
            AppendFile::Memory(buffer) => Ok(buffer.get_ref().len() as u64),
        }
    }

    /// Whether it is empty.
    pub fn is_empty(&self) -> std::io::Result<bool> {
        Ok(self.len()? == 0)
    }

    /// Cuts it (or makes it longer, with zeros) to `len` bytes.
    pub fn set_len(&mut self, len: u64) -> std::io::Result<()> {
        match self {
            AppendFile::Disk(file) => file.set_len(len),
            AppendFile::Memory(buffer) => {
                buffer.get_mut().resize(len as usize, 0);
                Ok(())
            }
        }
    }
}

impl Read for AppendFile {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            AppendFile::Disk(file) => file.read(buf),
            AppendFile::Memory(buffer) => buffer.read(buf),
        }
    }
}

impl Write for AppendFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            AppendFile::Disk(file) => file.write(buf),
            AppendFile::Memory(buffer) => {
                // Like a file opened to append: every write goes at the end,
                // wherever the last read left off.
                buffer.seek(std::io::SeekFrom::End(0))?;
                buffer.write(buf)
            }
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            AppendFile::Disk(file) => file.flush(),
            AppendFile::Memory(_) => Ok(()),
        }
    }
}

impl Seek for AppendFile {
    fn seek(&mut self, pos: std::io::SeekFrom) -> std::io::Result<u64> {
        match self {
            AppendFile::Disk(file) => file.seek(pos),
            AppendFile::Memory(buffer) => buffer.seek(pos),
        }
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

    #[test]
    fn an_output_in_memory_touches_no_disk() {
        let dir = tempfile::tempdir().unwrap();
        let out = Output::in_memory(&dir.path().join("output"));
        out.write("cards/a/index.html", b"<p>hi</p>").unwrap();
        out.write("cards/a/card.png", b"\x89PNG").unwrap();
        out.write_streamed("feed.xml", |w| w.write_all(b"<feed/>")).unwrap();
        assert!(out.write("../escape.txt", b"x").is_err(), "paths are checked as for a folder");
        assert!(out.is_file("cards/a/index.html") && out.is_file("cards/a/card.png") && !out.is_file("cards/a"));
        let files = out.held_files();
        assert_eq!(files["cards/a/index.html"].text.as_deref(), Some(&b"<p>hi</p>"[..]));
        assert_eq!((files["cards/a/card.png"].len, files["cards/a/card.png"].text.is_none()), (4, true));
        assert_eq!(files["feed.xml"].text.as_deref(), Some(&b"<feed/>"[..]));
        out.remove("cards/a/card.png").unwrap();
        assert!(!out.is_file("cards/a/card.png"));

        // The entries file: appends go at the end, wherever reading left off.
        let mut file = out.open_append(".waxseal-cache/entries.jsonl").unwrap();
        file.write_all(b"one\ntwo\n").unwrap();
        file.seek(std::io::SeekFrom::Start(0)).unwrap();
        let mut first = [0; 4];
        file.read_exact(&mut first).unwrap();
        file.write_all(b"three\n").unwrap();
        assert_eq!((&first, file.len().unwrap()), (b"one\n", 14));
        file.set_len(0).unwrap();
        assert!(file.is_empty().unwrap());

        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "nothing on disk");
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
