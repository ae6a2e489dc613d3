//! The only writer: files go into the output folder and the site's state
//! folder, and nowhere else.
//!
//! The output folder holds only what a static host should serve. What
//! waxseal keeps of its builds (the lock, the manifest, the build cache, the
//! sent log) goes into the output folder's state folder instead: a folder of
//! the site's `.waxseal/`, beside `content/` and (by default) `output/`,
//! never published and ignored by git (see [`state_folder`] and [`State`]).
//! Nothing outside the output folder and the site's `.waxseal/` is written.
//!
//! Every file is written to a temporary file beside it and renamed into
//! place, so a reader (a web server, a build killed half-way) only ever sees
//! a whole file: the previous version or the new one. A file whose bytes did
//! not change is not rewritten (its modification time stays, which keeps
//! `serve` reloads and rsync uploads small). Paths are checked: nothing can
//! climb out with `..` or an absolute path, nor through a symbolic link:
//! the folder is walked, not trusted. Each part of a path below the folder
//! (below `.waxseal/`, in the state folder) is looked at before a file is
//! written, read, renamed or removed there, and a link on the way is a
//! [`Link`] error, left as it is (a published site's checkout, or a
//! collaborator, may have put one there). The folder itself (and
//! `.waxseal/` itself) may be a link: it is the one the user named.
//!
//! A build first claims the folder ([`Output::claim`]): it must not be the
//! site itself or one of its source folders, and must be empty or one that
//! waxseal wrote (its manifest, in its state folder, lists every file
//! waxseal put there). The claim holds a lock file, so two builds into one
//! folder take turns, and it notes the build as running until it finishes:
//! the next build after one that was killed repairs what it left (see
//! [`Claim`]). A new file's name goes into the manifest before the file
//! appears, so a killed build's files are known too. A folder an older
//! waxseal wrote, which kept those files in the output folder itself, is
//! adopted by the claim: they move into the state folder.
//!
//! An output can also be kept in memory (`waxseal check`): then nothing is
//! read from or written to the folder of that name, nor to its state
//! folder, if there are any; what it keeps of each file is chosen by its
//! owner (see [`Keep`]), and the cards' gallery entries go to an unnamed
//! temporary file, gone when closed.

use std::collections::BTreeMap;
use std::fmt;
use std::io::{Read, Seek, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

mod old_layout;
mod place;

use place::state_name;

pub use old_layout::OLD_SENT_LOG;
pub use place::{check_place, state_folder, PlaceError};

/// The output folder.
#[derive(Debug, Clone)]
pub struct Output {
    root: PathBuf,
    /// Its state folder (none for the site's `.waxseal/` folder, which a
    /// [`State`] writes through an `Output` of its own).
    state: Option<Arc<State>>,
    /// Files written (new or different bytes) or removed, as given, when
    /// they are recorded (see [`Output::recording_changes`]).
    changed: Option<Arc<Mutex<Vec<String>>>>,
    /// The files, when the output is kept in memory (see [`Output::in_memory`]).
    memory: Option<Arc<Memory>>,
    /// The manifest's journal, once the folder is claimed.
    journal: Option<Arc<Mutex<Journal>>>,
    /// The links met inside the folder, by path: each is reported once.
    links: Arc<Mutex<BTreeMap<PathBuf, PathBuf>>>,
}

/// A symbolic link inside the output folder, where waxseal was to write,
/// read or remove a file: nothing goes through it, and it is left as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The link: the output folder's path joined with its place there.
    pub path: PathBuf,
    /// Where it points, as it says.
    pub target: PathBuf,
}

impl fmt::Display for Link {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "is a symbolic link (to {}); waxseal does not write through links", self.target.display())
    }
}

impl std::error::Error for Link {}

impl Link {
    /// The link `e` is about, when it is about one.
    pub fn of(e: &std::io::Error) -> Option<&Link> {
        e.get_ref()?.downcast_ref()
    }

    /// How to go on.
    pub const HINT: &'static str = "remove it: waxseal leaves it as it is, and makes what belongs there anew";
}

/// A file written to a temporary file beside its place, not yet put there
/// (see [`Output::stage`]). Dropped, the temporary file is removed.
#[derive(Debug)]
pub struct Staged {
    rel: String,
    path: PathBuf,
    tmp: tempfile::TempPath,
    /// Whether there was no file there (it was put in the manifest).
    new: bool,
}

impl Staged {
    /// Its place in the folder.
    pub fn rel(&self) -> &str {
        &self.rel
    }
}

/// Why a folder could not be claimed: the file of waxseal's own it was
/// opening (the lock file, the manifest), and what went wrong.
#[derive(Debug, thiserror::Error)]
#[error("{error}")]
pub struct ClaimError {
    /// The file.
    pub file: PathBuf,
    /// What went wrong.
    #[source]
    pub error: std::io::Error,
}

/// The site's state folder, beside its `content/`: what waxseal keeps of
/// the builds of each output folder, one folder each (see [`state_folder`]).
pub const STATE_DIR: &str = ".waxseal";

/// The lock file, in the state folder: held by the build that writes the
/// output folder, and holding what that build is while it runs (empty once
/// it has finished).
pub const LOCK_FILE: &str = "lock";

/// The manifest, in the state folder: every file waxseal wrote into the
/// output folder, one path a line.
pub const MANIFEST_FILE: &str = "manifest";

/// The sent log of `waxseal send`, in the state folder: one JSON line per
/// message the mail server accepted.
pub const SENT_LOG: &str = "sent.jsonl";

/// The build cache's folder, in the state folder: removing it makes the
/// next build a full one, and loses nothing else.
pub const CACHE_DIR: &str = "cache";

/// The cache file: what each card was made from and what it wrote.
pub const CACHE_FILE: &str = "cache/build.json";

/// The cards' gallery entries, beside the cache file: one JSON line per card
/// made, appended as cards are made, so that a build holds none of them in
/// memory (the gallery reads back a page's worth at a time).
pub const ENTRIES_FILE: &str = "cache/entries.jsonl";

/// The folder where drawn layers are kept.
pub const LAYERS_DIR: &str = "cache/layers";

/// The `.gitignore` of the site's `.waxseal/`, which keeps all of it out of git.
const STATE_GITIGNORE: (&str, &[u8]) =
    (".gitignore", b"# waxseal's own records of its builds: never published, never committed.\n*\n");

/// The manifest's first line.
const MANIFEST_HEAD: &str = "# The files waxseal wrote into the output folder (a build removes only these).";

/// The manifest as a build adds to it: new files are appended before they
/// appear; removed ones are noted, to be left out when it is written whole.
#[derive(Debug)]
struct Journal {
    file: std::fs::File,
    appended: bool,
    removed: Vec<String>,
}

/// A file of an output kept in memory: its size, and what its owner chose
/// to keep of its bytes (see [`Keep`]).
#[derive(Debug, Clone)]
pub struct HeldFile {
    /// Its size in bytes.
    pub len: u64,
    /// What was kept of it, when anything was.
    pub kept: Option<Kept>,
}

/// What an output kept in memory keeps of a file, made from its bytes when
/// it is written: the bytes themselves would grow with the site (`check`
/// keeps only a page's links and ids).
pub type Kept = Arc<dyn std::any::Any + Send + Sync>;

/// Chooses what an output kept in memory keeps of file `rel`, given its
/// bytes; `None` keeps only that it is there, and its size.
pub type Keep = fn(rel: &str, bytes: &[u8]) -> Option<Kept>;

/// The files of an output kept in memory.
#[derive(Debug)]
struct Memory {
    files: Mutex<BTreeMap<String, HeldFile>>,
    keep: Keep,
}

impl Output {
    /// Opens (creating it if needed) the output folder `root` of the site
    /// in `site`. Its state folder (see [`state_folder`]) is made when the
    /// folder is claimed.
    pub fn create(site: &Path, root: &Path) -> std::io::Result<Output> {
        std::fs::create_dir_all(root)?;
        Ok(Output::new(site, root, None))
    }

    /// An output kept in memory, named `root` in messages (as the output
    /// folder of the site in `site`): it starts empty (a folder `root`, and
    /// its state folder, are neither read nor changed), so a build into it
    /// finds no build cache and makes every card. Of each file written it
    /// keeps the size and what `keep` makes of its bytes.
    pub fn in_memory(site: &Path, root: &Path, keep: Keep) -> Output {
        Output::new(site, root, Some(keep))
    }

    /// The output folder `root` of the site in `site`, and its state
    /// folder; both kept in memory when `keep` is given.
    fn new(site: &Path, root: &Path, keep: Option<Keep>) -> Output {
        let links: Arc<Mutex<BTreeMap<PathBuf, PathBuf>>> = Arc::default();
        let memory = |keep: Keep| Arc::new(Memory { files: Mutex::default(), keep });
        let folder = Output {
            root: site.join(STATE_DIR),
            state: None,
            changed: None,
            memory: keep.map(|_| memory(|_, _| None)),
            journal: None,
            links: links.clone(),
        };
        let state = State { folder, name: state_name(site, root) };
        let memory = keep.map(memory);
        Output { root: root.to_path_buf(), state: Some(Arc::new(state)), changed: None, memory, journal: None, links }
    }

    /// Its state folder: the lock, the manifest, the build cache, the sent log.
    pub fn state(&self) -> &State {
        self.state.as_deref().expect("an output folder has a state folder (only a state's own folder has none)")
    }

    /// Whether the output is kept in memory.
    pub fn is_in_memory(&self) -> bool {
        self.memory.is_some()
    }

    /// The files of an output kept in memory, by path, taken out of it
    /// (it is empty after; always empty for a folder).
    pub fn take_held_files(&self) -> BTreeMap<String, HeldFile> {
        let files = self
            .memory
            .as_ref()
            .map(|m| std::mem::take(&mut *m.files.lock().expect("no panics while holding the lock")));
        files.unwrap_or_default()
    }

    /// Whether file `rel` is there.
    pub fn is_file(&self, rel: &str) -> bool {
        match &self.memory {
            Some(memory) => memory.files.lock().expect("no panics while holding the lock").contains_key(rel),
            None => self.walk(rel).is_ok_and(|path| path.is_file()),
        }
    }

    /// Checks that file `rel` may be written, read or removed: no part of
    /// its path is a link (always, in memory).
    pub fn check(&self, rel: &str) -> std::io::Result<()> {
        match &self.memory {
            Some(_) => self.resolve(rel).map(drop),
            None => self.walk(rel).map(drop),
        }
    }

    /// Opens file `rel` of the folder to read it (of the state folder: the
    /// build cache, kept layers). Not there in memory.
    pub fn open(&self, rel: &str) -> std::io::Result<std::fs::File> {
        if self.memory.is_some() {
            return Err(std::io::ErrorKind::NotFound.into());
        }
        std::fs::File::open(self.walk(rel)?)
    }

    /// The names in folder `rel` of the folder (none when it is not there,
    /// is reached through a link, or the output is in memory).
    pub fn list(&self, rel: &str) -> Vec<String> {
        let Some(dir) = self.memory.is_none().then(|| self.walk(rel).ok()).flatten() else {
            return Vec::new();
        };
        let Ok(entries) = std::fs::read_dir(dir) else {
            return Vec::new();
        };
        entries.flatten().map(|entry| entry.file_name().to_string_lossy().into_owned()).collect()
    }

    /// The links met inside the folder so far, each once, by path.
    pub fn links_met(&self) -> Vec<Link> {
        let links = self.links.lock().expect("no panics while holding the lock");
        links.iter().map(|(path, target)| Link { path: path.clone(), target: target.clone() }).collect()
    }

    /// Keeps file `rel` of an output in memory: its size and what its
    /// owner keeps of `bytes` (made before the lock is taken: cards write
    /// in parallel).
    fn hold(memory: &Memory, rel: &str, bytes: &[u8]) {
        let file = HeldFile { len: bytes.len() as u64, kept: (memory.keep)(rel, bytes) };
        memory.files.lock().expect("no panics while holding the lock").insert(rel.to_string(), file);
    }

    /// The same folder, recording which files are written or removed (for
    /// `serve`, which reloads the pages that changed; a single build would
    /// only hold a list of every file in memory).
    pub fn recording_changes(self) -> Output {
        Output { changed: Some(Default::default()), ..self }
    }

    /// Claims the folder for a build (see the module's documentation):
    /// while another build writes it, tells `waiting` who that is and waits
    /// for it to finish; then notes this build as running. When the last
    /// build into the folder never finished, its temporary files are
    /// removed, and the claim says so (see [`Claim::interrupted`]). An
    /// output kept in memory needs no claim.
    pub fn claim(self, waiting: impl Fn(&str)) -> Result<(Output, Claim), ClaimError> {
        if self.memory.is_some() {
            return Ok((self, Claim { lock: None, interrupted: false }));
        }
        let state = self.state();
        let at = |file: PathBuf| move |error| ClaimError { file, error };
        state.make().map_err(at(state.root()))?;
        let lock = state.walk(LOCK_FILE).and_then(|path| take_turns(&path, &waiting));
        let (mut lock, mut interrupted) = lock.map_err(at(state.path(LOCK_FILE)))?;
        writeln!(lock, "a build by process {}, started {}", std::process::id(), jiff::Timestamp::now())
            .map_err(at(state.path(LOCK_FILE)))?;
        interrupted |= self.adopt_old_layout(&waiting)?;
        if interrupted {
            remove_temporaries(&self.root).map_err(at(self.root.clone()))?;
            remove_temporaries(&state.root()).map_err(at(state.root()))?;
        }
        let open = |path: PathBuf| std::fs::OpenOptions::new().read(true).append(true).create(true).open(path);
        let manifest_path = state.path(MANIFEST_FILE);
        let mut manifest = state.walk(MANIFEST_FILE).and_then(open).map_err(at(manifest_path.clone()))?;
        if manifest.metadata().map_err(at(manifest_path.clone()))?.len() == 0 {
            writeln!(manifest, "{MANIFEST_HEAD}").map_err(at(manifest_path))?;
        }
        let journal = Journal { file: manifest, appended: false, removed: Vec::new() };
        Ok((Output { journal: Some(Arc::new(Mutex::new(journal))), ..self }, Claim { lock: Some(lock), interrupted }))
    }

    /// The folder's path.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Writes `bytes` to `rel` (a `/`-separated path inside the folder), atomically.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> std::io::Result<()> {
        match self.stage(rel, bytes)? {
            Some(staged) => self.put(staged),
            None => Ok(()),
        }
    }

    /// Writes `bytes` for `rel` to a temporary file beside it, to be put in
    /// place by [`Output::put`] (or thrown away by [`Output::discard`]):
    /// files that must appear together (pages linking each other) are all
    /// staged first, and put in place only when every one could be written.
    /// None when the file already holds those bytes (it is not rewritten),
    /// and always in memory, where the file is kept at once.
    pub fn stage(&self, rel: &str, bytes: &[u8]) -> std::io::Result<Option<Staged>> {
        if let Some(memory) = &self.memory {
            self.resolve(rel)?;
            Self::hold(memory, rel, bytes);
            self.note(rel);
            return Ok(None);
        }
        let path = self.walk(rel)?;
        // Compare only when the sizes match: most files written again are changed.
        let new = match std::fs::metadata(&path) {
            // Refused now: a folder in the way would only fail the rename.
            Ok(old) if old.is_dir() => return Err(std::io::ErrorKind::IsADirectory.into()),
            Ok(old) => {
                if old.len() == bytes.len() as u64 && std::fs::read(&path).is_ok_and(|old| old == bytes) {
                    return Ok(None);
                }
                false
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                self.enter(rel)?;
                true
            }
            Err(e) => return Err(e),
        };
        let dir = path.parent().expect("resolved paths lie inside the root");
        let temporary = || tempfile::Builder::new().prefix(TEMPORARY_PREFIX).tempfile_in(dir);
        let mut tmp = match temporary() {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::create_dir_all(dir)?;
                temporary()?
            }
            tmp => tmp?,
        };
        // Written to the file itself: the temporary's random name would
        // only clutter the error.
        tmp.as_file_mut().write_all(bytes)?;
        publish(tmp.as_file())?;
        Ok(Some(Staged { rel: rel.to_string(), path, tmp: tmp.into_temp_path(), new }))
    }

    /// Puts a staged file in place: a rename, which needs no room on the disk.
    pub fn put(&self, staged: Staged) -> std::io::Result<()> {
        // No fsync: the rename is what keeps an interrupted build's output
        // whole, and syncing every file costs more than drawing it.
        staged.tmp.persist(&staged.path).map_err(|e| e.error)?;
        self.note(&staged.rel);
        Ok(())
    }

    /// Throws staged files away: their temporary files, the folders made
    /// for them and left empty, and the manifest's lines of those that
    /// were new.
    pub fn discard(&self, staged: Vec<Staged>) {
        for Staged { rel, path, tmp, new } in staged {
            drop(tmp);
            if new {
                if let Some(journal) = &self.journal {
                    journal.lock().expect("no panics while holding the lock").removed.push(rel);
                }
            }
            self.remove_empty_folders(&path);
        }
    }

    /// Puts `rel`, about to be written for the first time, in the manifest.
    fn enter(&self, rel: &str) -> std::io::Result<()> {
        let Some(journal) = &self.journal else {
            return Ok(());
        };
        let mut journal = journal.lock().expect("no panics while holding the lock");
        // One write a line: a build killed meanwhile leaves whole lines, or
        // at worst a last line cut short, which names no file it wrote.
        journal.file.write_all(format!("{rel}\n").as_bytes())?;
        journal.appended = true;
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
        if let Some(memory) = &self.memory {
            self.resolve(rel)?;
            let mut bytes = Vec::new();
            fill(&mut bytes)?;
            Self::hold(memory, rel, &bytes);
            self.note(rel);
            return Ok(());
        }
        let path = self.walk(rel)?;
        if !path.exists() {
            self.enter(rel)?;
        }
        let dir = path.parent().expect("resolved paths lie inside the root");
        std::fs::create_dir_all(dir)?;
        let mut tmp = tempfile::Builder::new().prefix(TEMPORARY_PREFIX).tempfile_in(dir)?;
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
    /// new empty unnamed temporary file (a buffer when none can be made)
    /// that only the one who opened it reads.
    pub fn open_append(&self, rel: &str) -> std::io::Result<AppendFile> {
        if self.memory.is_some() {
            self.resolve(rel)?;
            // On the disk, unnamed: a site's entries grow with its cards.
            return Ok(tempfile::tempfile()
                .map(AppendFile::Unnamed)
                .unwrap_or_else(|_| AppendFile::Memory(std::io::Cursor::new(Vec::new()))));
        }
        let path = self.walk(rel)?;
        std::fs::create_dir_all(path.parent().expect("resolved paths lie inside the root"))?;
        // Its folder is made: it must still be no link (see `walk`).
        let path = self.walk(rel)?;
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
        if let Some(memory) = &self.memory {
            self.resolve(rel)?;
            if memory.files.lock().expect("no panics while holding the lock").remove(rel).is_some() {
                self.note(rel);
            }
            return Ok(());
        }
        // A file reached through a link is not removed, and stays listed.
        let path = self.walk(rel)?;
        if let Some(journal) = &self.journal {
            journal.lock().expect("no panics while holding the lock").removed.push(rel.to_string());
        }
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e),
        }
        self.note(rel);
        self.remove_empty_folders(&path);
        Ok(())
    }

    /// Removes the folders holding `path` that are empty, up to the output
    /// folder itself.
    fn remove_empty_folders(&self, path: &Path) {
        let mut dir = path.parent();
        while let Some(d) = dir.filter(|d| *d != self.root) {
            if std::fs::remove_dir(d).is_err() {
                break; // not empty
            }
            dir = d.parent();
        }
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

    /// The path of `rel` in the folder on disk, once each part of it below
    /// the folder is found to be no symbolic link (up to the first part not
    /// there yet, which waxseal makes). A link is remembered, to be
    /// reported once (see [`Output::links_met`]), and is the error.
    ///
    /// This keeps out links put there before or between builds; a process
    /// swapping a folder for a link while the build writes it could still
    /// win the race, which only writing through directory handles would
    /// close.
    fn walk(&self, rel: &str) -> std::io::Result<PathBuf> {
        let path = self.resolve(rel)?;
        let mut at = self.root.clone();
        for part in Path::new(rel).components() {
            at.push(part);
            match std::fs::symlink_metadata(&at) {
                Ok(meta) if meta.file_type().is_symlink() => {
                    let target = std::fs::read_link(&at).unwrap_or_default();
                    let mut links = self.links.lock().expect("no panics while holding the lock");
                    links.insert(at.clone(), target.clone());
                    return Err(std::io::Error::other(Link { path: at, target }));
                }
                Ok(_) => {}
                // Not there (or a file where a folder should be): what is
                // done there next fails or makes it, never through a link.
                Err(_) => break,
            }
        }
        Ok(path)
    }
}

/// Removes file or folder `path`, all it holds (a link in it is removed,
/// not followed); a missing one is not an error.
fn remove_all(path: &Path) -> std::io::Result<()> {
    let removed = match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.is_dir() => std::fs::remove_dir_all(path),
        Ok(_) => std::fs::remove_file(path),
        Err(e) => Err(e),
    };
    match removed {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        removed => removed,
    }
}

/// The state folder of an output folder (see [`state_folder`]): what
/// waxseal keeps of its builds there, the lock, the manifest, the build
/// cache and the sent log. Written as the output folder is (atomically,
/// through no link below the site's `.waxseal/`, nothing in memory), but
/// never listed in its manifest, nor recorded as changed.
#[derive(Debug, Clone)]
pub struct State {
    /// The site's `.waxseal/` folder.
    folder: Output,
    /// The output folder's state folder in it.
    name: String,
}

impl State {
    /// Its path.
    pub fn root(&self) -> PathBuf {
        self.folder.root.join(&self.name)
    }

    /// The path of its file `rel` (for messages).
    pub fn path(&self, rel: &str) -> PathBuf {
        self.root().join(rel)
    }

    /// `rel` in the site's `.waxseal/`.
    fn rel(&self, rel: &str) -> String {
        format!("{}/{rel}", self.name)
    }

    /// Opens file `rel` to read it (not there in memory).
    pub fn open(&self, rel: &str) -> std::io::Result<std::fs::File> {
        self.folder.open(&self.rel(rel))
    }

    /// The names in folder `rel` (none when it is not there, is reached
    /// through a link, or the state is in memory).
    pub fn list(&self, rel: &str) -> Vec<String> {
        self.folder.list(&self.rel(rel))
    }

    /// Writes `bytes` to `rel`, atomically.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> std::io::Result<()> {
        self.folder.write(&self.rel(rel), bytes)
    }

    /// Writes file `rel` from what `fill` writes into it (see [`Output::write_streamed`]).
    pub fn write_streamed(
        &self,
        rel: &str,
        fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        self.folder.write_streamed(&self.rel(rel), fill)
    }

    /// Opens file `rel` to read it and to append to it (see [`Output::open_append`]).
    pub fn open_append(&self, rel: &str) -> std::io::Result<AppendFile> {
        self.folder.open_append(&self.rel(rel))
    }

    /// Removes file `rel`, and the folders it leaves empty.
    pub fn remove(&self, rel: &str) -> std::io::Result<()> {
        self.folder.remove(&self.rel(rel))
    }

    /// Removes file or folder `rel` and all it holds.
    fn remove_all(&self, rel: &str) -> std::io::Result<()> {
        remove_all(&self.walk(rel)?)
    }

    /// The path of `rel`, checked (see [`Output::walk`]).
    fn walk(&self, rel: &str) -> std::io::Result<PathBuf> {
        self.folder.walk(&self.rel(rel))
    }

    /// Makes the folder, and the `.gitignore` of the site's `.waxseal/`.
    fn make(&self) -> std::io::Result<()> {
        let (gitignore, text) = STATE_GITIGNORE;
        if !self.folder.is_file(gitignore) {
            self.folder.write(gitignore, text)?;
        }
        std::fs::create_dir_all(self.folder.walk(&self.name)?)
    }
}

/// Opens the lock file at `path` and takes it: at once, or (telling
/// `waiting` who holds it) once the build holding it has finished. Returns
/// it emptied, and whether the last build into the folder never finished.
fn take_turns(path: &Path, waiting: &dyn Fn(&str)) -> std::io::Result<(std::fs::File, bool)> {
    let mut lock = std::fs::OpenOptions::new().read(true).write(true).create(true).truncate(false).open(path)?;
    match lock.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            let mut holder = String::new();
            lock.read_to_string(&mut holder)?;
            waiting(holder.trim());
            lock.lock()?;
        }
        Err(std::fs::TryLockError::Error(e)) => return Err(e),
    }
    let mut last = String::new();
    lock.seek(std::io::SeekFrom::Start(0))?;
    lock.read_to_string(&mut last)?;
    lock.set_len(0)?;
    lock.seek(std::io::SeekFrom::Start(0))?;
    Ok((lock, !last.trim().is_empty()))
}

/// A build's hold on its output folder, from [`Output::claim`] to
/// [`Claim::finish`]. The lock is let go when the claim is dropped (or the
/// process ends, however it ends); a claim dropped unfinished leaves the
/// build noted as running, which the next build takes as interrupted.
#[derive(Debug)]
pub struct Claim {
    lock: Option<std::fs::File>,
    interrupted: bool,
}

impl Claim {
    /// Whether the last build into the folder never finished (it was
    /// killed, or the machine stopped): its files may be a mix of two
    /// builds, and the manifest may list files no build needs any more.
    pub fn interrupted(&self) -> bool {
        self.interrupted
    }

    /// Notes the folder as not being built while this claim holds it: for
    /// a command that writes only its own log there (`send`), which leaves
    /// nothing for a next build to repair if it is stopped.
    pub fn settle(&self) -> std::io::Result<()> {
        match &self.lock {
            Some(lock) => lock.set_len(0),
            None => Ok(()),
        }
    }

    /// Ends the build's claim on `output`: writes the manifest anew (the
    /// files added, less those removed), first removing the files it lists
    /// that `keep` does not want, when given (after an interrupted build,
    /// the files the killed build made for cards gone since), and notes the
    /// build as finished.
    pub fn finish(self, output: &Output, keep: Option<&dyn Fn(&str) -> bool>) -> std::io::Result<Vec<String>> {
        let (Some(lock), Some(journal)) = (&self.lock, &output.journal) else {
            return Ok(Vec::new());
        };
        let (appended, removed) = {
            let mut journal = journal.lock().expect("no panics while holding the lock");
            (journal.appended, std::mem::take(&mut journal.removed))
        };
        let mut orphans = Vec::new();
        if appended || !removed.is_empty() || keep.is_some() {
            let state = output.state();
            let text = std::io::read_to_string(state.open(MANIFEST_FILE)?)?;
            let mut files: std::collections::BTreeSet<&str> =
                text.lines().filter(|line| !line.is_empty() && !line.starts_with('#')).collect();
            for file in &removed {
                files.remove(file.as_str());
            }
            if let Some(keep) = keep {
                // Only files that are there: a line a killed build cut short names none.
                files.retain(|file| output.is_file(file));
                orphans = files.iter().filter(|file| !keep(file)).map(|file| file.to_string()).collect();
                for file in &orphans {
                    match output.remove(file) {
                        Ok(()) => {
                            files.remove(file.as_str());
                        }
                        // Left as it is, and listed (the link is reported).
                        Err(e) if Link::of(&e).is_some() => {}
                        Err(e) => return Err(e),
                    }
                }
                orphans.retain(|file| !files.contains(file.as_str()));
            }
            state.write_streamed(MANIFEST_FILE, |out| {
                writeln!(out, "{MANIFEST_HEAD}")?;
                files.iter().try_for_each(|file| writeln!(out, "{file}"))
            })?;
        }
        lock.set_len(0)?;
        Ok(orphans)
    }
}

/// Temporary files are named this, and a few random letters.
const TEMPORARY_PREFIX: &str = ".waxseal-";

/// Removes the temporary files a killed build left in `root`.
fn remove_temporaries(root: &Path) -> std::io::Result<()> {
    let random = |rest: &str| rest.len() == 6 && rest.bytes().all(|b| b.is_ascii_alphanumeric());
    for entry in walkdir::WalkDir::new(root).min_depth(1).into_iter().filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy();
        if entry.file_type().is_file() && name.strip_prefix(TEMPORARY_PREFIX).is_some_and(random) {
            std::fs::remove_file(entry.path())?;
        }
    }
    Ok(())
}

/// A file open to read and to append to (see [`Output::open_append`]).
#[derive(Debug)]
pub enum AppendFile {
    /// A file of the output folder, opened to append.
    Disk(std::fs::File),
    /// An unnamed temporary file (of an output kept in memory), gone when
    /// closed: appended to like the others.
    Unnamed(std::fs::File),
    /// A buffer (of an output kept in memory, when no temporary file can be made).
    Memory(std::io::Cursor<Vec<u8>>),
}

impl AppendFile {
    /// Its length in bytes.
    pub fn len(&self) -> std::io::Result<u64> {
        match self {
            AppendFile::Disk(file) | AppendFile::Unnamed(file) => Ok(file.metadata()?.len()),
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
            AppendFile::Disk(file) | AppendFile::Unnamed(file) => file.set_len(len),
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
            AppendFile::Disk(file) | AppendFile::Unnamed(file) => file.read(buf),
            AppendFile::Memory(buffer) => buffer.read(buf),
        }
    }
}

impl Write for AppendFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            AppendFile::Disk(file) => file.write(buf),
            AppendFile::Unnamed(file) => {
                file.seek(std::io::SeekFrom::End(0))?;
                file.write(buf)
            }
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
            AppendFile::Disk(file) | AppendFile::Unnamed(file) => file.flush(),
            AppendFile::Memory(_) => Ok(()),
        }
    }
}

impl Seek for AppendFile {
    fn seek(&mut self, pos: std::io::SeekFrom) -> std::io::Result<u64> {
        match self {
            AppendFile::Disk(file) | AppendFile::Unnamed(file) => file.seek(pos),
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
    use super::old_layout::{OLD_LOCK, OLD_MANIFEST};
    use super::*;

    #[test]
    fn writes_inside_and_refuses_to_climb_out() {
        let dir = tempfile::tempdir().unwrap();
        let out = Output::create(dir.path(), &dir.path().join("output")).unwrap();
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
        let keep: Keep = |rel, bytes| rel.ends_with(".html").then(|| Arc::new(bytes.len()) as Kept);
        let out = Output::in_memory(dir.path(), &dir.path().join("output"), keep);
        out.write("cards/a/index.html", b"<p>hi</p>").unwrap();
        out.write("cards/a/card.png", b"\x89PNG").unwrap();
        out.write_streamed("feed.xml", |w| w.write_all(b"<feed/>")).unwrap();
        assert!(out.write("../escape.txt", b"x").is_err(), "paths are checked as for a folder");
        assert!(out.is_file("cards/a/index.html") && out.is_file("cards/a/card.png") && !out.is_file("cards/a"));
        out.remove("cards/a/card.png").unwrap();
        assert!(!out.is_file("cards/a/card.png"));
        let kept = |file: &HeldFile| file.kept.as_ref().and_then(|k| k.downcast_ref::<usize>()).copied();
        let files = out.take_held_files();
        assert_eq!((files["cards/a/index.html"].len, kept(&files["cards/a/index.html"])), (9, Some(9)));
        assert_eq!((files["feed.xml"].len, kept(&files["feed.xml"])), (7, None), "only what the owner keeps");
        assert!(!files.contains_key("cards/a/card.png") && !out.is_file("feed.xml"), "taken out");

        // Its state folder is in memory too, and keeps nothing.
        out.state().write_streamed(CACHE_FILE, |w| w.write_all(b"{}")).unwrap();
        assert!(out.state().open(CACHE_FILE).is_err() && out.state().list(LAYERS_DIR).is_empty());
        assert!(out.clone().claim(|_| {}).is_ok(), "claimed at once");

        // The entries file: appends go at the end, wherever reading left off.
        let mut file = out.state().open_append(ENTRIES_FILE).unwrap();
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
    fn nothing_goes_through_a_link_inside_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        let (theirs, root) = (dir.path().join("theirs"), dir.path().join("output"));
        std::fs::create_dir_all(&theirs).unwrap();
        std::fs::write(theirs.join("card.png"), "mine").unwrap();
        let out = Output::create(dir.path(), &root).unwrap();
        std::fs::create_dir(root.join("cards")).unwrap();
        std::os::unix::fs::symlink(&theirs, root.join("cards/a")).unwrap();
        let through = |e: std::io::Error| Link::of(&e).cloned();
        let link = Link { path: root.join("cards/a"), target: theirs.clone() };
        let refused = Err(Some(link.clone()));
        assert_eq!(out.write("cards/a/card.png", b"x").map_err(through), refused);
        assert_eq!(out.write_streamed("cards/a/new.txt", |_| Ok(())).map_err(through), refused);
        assert_eq!(out.remove("cards/a/card.png").map_err(through), refused);
        assert_eq!(out.open("cards/a/card.png").map(drop).map_err(through), refused);
        assert!(!out.is_file("cards/a/card.png") && out.list("cards/a").is_empty());
        assert_eq!(std::fs::read_dir(&theirs).unwrap().count(), 1);
        assert_eq!(std::fs::read_to_string(theirs.join("card.png")).unwrap(), "mine");
        assert_eq!(out.links_met(), vec![link], "met many times, listed once");
        // Beside it, all is as before; the link itself is left as it is.
        out.write("cards/b/card.png", b"x").unwrap();
        assert!(out.is_file("cards/b/card.png"));
        assert!(std::fs::symlink_metadata(root.join("cards/a")).unwrap().file_type().is_symlink());
    }

    #[cfg(unix)]
    #[test]
    fn files_are_readable_by_a_web_server() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let out = Output::create(dir.path(), dir.path()).unwrap();
        let mode = || std::fs::metadata(dir.path().join("a/b.html")).unwrap().permissions().mode() & 0o777;
        out.write("a/b.html", b"hi").unwrap();
        assert_eq!(mode(), 0o644, "a new file");
        out.write("a/b.html", b"hello").unwrap();
        assert_eq!(mode(), 0o644, "a replaced file (made as a private temporary file)");
    }

    #[test]
    fn each_output_folder_has_a_state_folder_of_its_own_named_after_it() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("site");
        std::fs::create_dir_all(site.join("a")).unwrap();
        let name = |output: &Path| {
            let state = state_folder(&site, output);
            assert_eq!(state.parent(), Some(site.join(STATE_DIR).as_path()), "{}", output.display());
            state.file_name().unwrap().to_string_lossy().into_owned()
        };
        // Right inside the site: its name.
        assert_eq!(name(&site.join("output")), "output");
        assert_eq!(name(&site.join("./a/../output/")), "output", "named another way");
        assert_eq!(name(&site.join("public")), "public");
        // Deeper, or outside it, or hidden: its name and a hash of its path.
        let deeper = name(&site.join("a/public"));
        let outside = name(&dir.path().join("public"));
        let hidden = name(&site.join(".public"));
        for (hashed, base) in [(&deeper, "public"), (&outside, "public"), (&hidden, ".public")] {
            let hash = hashed.strip_prefix(base).and_then(|h| h.strip_prefix('-')).expect(hashed);
            assert!(hash.len() == 8 && hash.bytes().all(|b| b.is_ascii_hexdigit()), "{hashed}");
        }
        assert_ne!(deeper, outside);
        assert_eq!(name(&dir.path().join("elsewhere/../public")), outside);
        // The same for a site named by a relative path: the path inside
        // the site is hashed, so the site can be moved.
        let moved = dir.path().join("moved");
        std::fs::create_dir_all(moved.join("a")).unwrap();
        assert_eq!(state_name(&moved, &moved.join("a/public")), deeper);
        // An output folder that is a link keeps its own name.
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.path(), site.join("www")).unwrap();
            assert_eq!(name(&site.join("www")), "www");
        }
    }

    #[test]
    fn a_claimed_folder_keeps_its_lock_and_manifest_in_its_state_folder() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("output");
        let out = Output::create(dir.path(), &root).unwrap();
        let (out, claim) = out.claim(|_| {}).unwrap();
        out.write("cards/a/index.html", b"hi").unwrap();
        out.state().write(CACHE_FILE, b"{}").unwrap();
        claim.finish(&out, None).unwrap();
        let state = dir.path().join(".waxseal/output");
        let manifest = std::fs::read_to_string(state.join(MANIFEST_FILE)).unwrap();
        assert_eq!(manifest.lines().skip(1).collect::<Vec<_>>(), ["cards/a/index.html"], "no state file listed");
        assert_eq!(std::fs::read_to_string(state.join(LOCK_FILE)).unwrap(), "", "finished");
        assert_eq!(std::fs::read(state.join(CACHE_FILE)).unwrap(), b"{}");
        let ignored = std::fs::read_to_string(dir.path().join(".waxseal/.gitignore")).unwrap();
        assert!(ignored.lines().any(|line| line == "*"), "{ignored}");
        let names: Vec<String> =
            std::fs::read_dir(&root).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        assert_eq!(names, ["cards"], "only what is published");
        assert_eq!(check_place(dir.path(), &root).map_err(|e| e.to_string()), Ok(()), "its manifest marks it as ours");
        assert!(matches!(check_place(dir.path(), &dir.path().join(".waxseal/x")), Err(PlaceError::InsideState)));
    }

    #[test]
    fn a_folder_in_the_old_layout_is_adopted_its_manifest_and_sent_log_merged() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("output");
        let state = dir.path().join(".waxseal/output");
        let write = |path: PathBuf, text: &str| {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        // A newer waxseal built first; then an older one, killed.
        write(state.join(MANIFEST_FILE), &format!("{MANIFEST_HEAD}\nindex.html\n"));
        write(state.join(SENT_LOG), "{\"card\":\"a\"}\n{\"card\":\"b\"}\n");
        write(state.join(CACHE_FILE), "newer's");
        write(state.join(LAYERS_DIR).join("base"), "newer's");
        write(root.join(OLD_MANIFEST), &format!("{MANIFEST_HEAD}\nindex.html\ncards/c/card.png\n"));
        write(root.join(OLD_SENT_LOG), "{\"card\":\"b\"}\n{\"card\":\"c\"}\n");
        write(root.join(".waxseal-cache.json"), "older's");
        write(root.join(".waxseal-cache/entries.jsonl"), "older's");
        write(root.join(".waxseal-cache/layers/seal"), "older's");
        write(root.join(OLD_LOCK), "a build by process 4242");
        write(root.join("index.html"), "hi");
        assert!(check_place(dir.path(), &root).is_ok());

        let (out, claim) = Output::create(dir.path(), &root).unwrap().claim(|_| {}).unwrap();
        assert!(claim.interrupted(), "the older build never finished");
        let names: Vec<String> =
            std::fs::read_dir(&root).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        assert_eq!(names, ["index.html"], "nothing of waxseal's own is left in the output folder");
        let read = |rel: &str| std::fs::read_to_string(state.join(rel)).unwrap();
        assert_eq!(read(MANIFEST_FILE), format!("{MANIFEST_HEAD}\nindex.html\ncards/c/card.png\n"));
        assert_eq!(read(SENT_LOG), "{\"card\":\"a\"}\n{\"card\":\"b\"}\n{\"card\":\"c\"}\n", "each line once");
        // The older build's cache is the newer one.
        assert_eq!((read(CACHE_FILE), read(ENTRIES_FILE)), ("older's".into(), "older's".into()));
        assert_eq!(out.state().list(LAYERS_DIR), ["seal"]);
        claim.finish(&out, Some(&|_| true)).unwrap();
        assert!(!read(MANIFEST_FILE).contains("cards/c/card.png"), "a file that is not there is dropped from it");
    }
}
