//! The build cache: what each card was made from and what it wrote, kept in
//! the output folder's state folder between builds (see [`crate::output::State`]).
//!
//! A card whose key (its message's text, its theme's files, the site's
//! settings, the options and waxseal itself, hashed together) is the same as
//! last time, and whose files are all still there, is not drawn or written
//! again. Files of cards that are gone are removed. The cache only says what
//! can be skipped: deleting it just makes the next build a full one.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::card::Artifact;
use crate::diagnostics::Diagnostic;
use crate::output::{AppendFile, Link, Output, State, CACHE_FILE, ENTRIES_FILE, LAYERS_DIR};
use crate::site::{CardEntry, FontFile, Listing};

use super::{plan, BuildReport, Built, Run};

/// Bumped when what the cache holds changes shape.
const FORMAT: u32 = 5;

/// The cache of one output folder.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(super) struct BuildCache {
    format: u32,
    /// By slug.
    pub cards: BTreeMap<String, CachedCard>,
    /// Files of the whole site (theme assets), relative to the output folder.
    #[serde(default)]
    pub site_files: Vec<String>,
    /// Each gallery page's inputs (of the whole gallery and of each tag),
    /// hashed, by its file: a page made from the same inputs is not made
    /// again (none: made again however it is), and a page no longer made
    /// is removed.
    #[serde(default)]
    pub gallery: PageKeys,
    /// The id of the entries file the cards' entries are in (see [`Entries`]).
    #[serde(default)]
    pub entries_id: String,
    /// The web fonts of the themes' faces, each by what it is made of (see
    /// `site::WebFace::key`): one still there is not made again.
    #[serde(default)]
    pub web_fonts: BTreeMap<String, FontFile>,
    /// The files many cards share (seals, under `assets/`) that are in the
    /// output folder: each is looked for once, not once per card.
    #[serde(skip)]
    pub(super) shared_present: HashSet<String>,
}

/// The gallery's pages by file, each with what it was made from, hashed
/// (none: made again however it is).
pub(super) type PageKeys = BTreeMap<String, Option<String>>;

/// What one card was made from and what it wrote.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct CachedCard {
    /// Its key: none when the last build of it failed (it is made again).
    #[serde(default)]
    pub key: Option<String>,
    /// The key of its pictures (PNG, thumbnail, SVG) alone, which leaves out
    /// what only the page uses (the theme's HTML templates and CSS).
    #[serde(default)]
    pub picture_key: Option<String>,
    /// Its files, relative to the output folder.
    pub files: Vec<String>,
    /// Its gallery entry, kept in the entries file.
    pub entry: EntryRef,
    /// Its page's inputs (the card and the cards beside it in the
    /// gallery), hashed; none when the page is to be made.
    #[serde(default)]
    pub page: Option<String>,
    /// Its warnings, shown again when it is skipped.
    pub warnings: Vec<Diagnostic>,
    /// The pictures its message draws (`![alt](file)`): each file, relative
    /// to the site folder, and the hash of its bytes. A card whose picture
    /// changed is drawn again.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pictures: Vec<(String, String)>,
}

/// Where a card's gallery entry is kept, with what the gallery orders cards
/// by and the characters its pages show beyond the base set (which the web
/// fonts keep).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct EntryRef {
    /// The card's date, `2026-11-23`, or empty.
    pub date: String,
    /// The card's title.
    pub title: String,
    /// The card's tags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// The slug of the merged message it was made from, or empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub group: String,
    /// How the gallery lists it.
    #[serde(default, skip_serializing_if = "Listing::is_card")]
    pub listing: Listing,
    /// Where its line starts in the entries file, in bytes.
    pub at: u64,
    /// Its line's length, in bytes.
    pub len: u32,
    /// The characters its pages show beyond the base set (see
    /// `site::entry_chars`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub chars: String,
}

impl BuildCache {
    /// The cache of `output`, or an empty one (no file, another format,
    /// unreadable, or an entries file shorter than it says; an output kept
    /// in memory starts empty).
    pub(super) fn load(output: &Output) -> BuildCache {
        if output.is_in_memory() {
            return BuildCache::default();
        }
        let state = output.state();
        let entries = state.open(ENTRIES_FILE).ok();
        let entries_len = entries.as_ref().and_then(|f| f.metadata().ok()).map_or(0, |m| m.len());
        let entries_id = entries.and_then(|f| read_id(f).ok());
        let mut cache = state
            .open(CACHE_FILE)
            .and_then(|mut file| {
                let mut bytes = Vec::new();
                std::io::Read::read_to_end(&mut file, &mut bytes).map(|_| bytes)
            })
            .ok()
            .and_then(|bytes| serde_json::from_slice::<BuildCache>(&bytes).ok())
            .filter(|cache| cache.format == FORMAT)
            .filter(|cache| Some(&cache.entries_id) == entries_id.as_ref())
            .filter(|cache| cache.cards.values().all(|c| c.entry.at + u64::from(c.entry.len) <= entries_len))
            .unwrap_or_default();
        let shared: HashSet<&String> = cache.cards.values().flat_map(|c| &c.files).filter(|f| is_shared(f)).collect();
        let present = shared.into_iter().filter(|f| output.is_file(f)).cloned().collect();
        cache.shared_present = present;
        cache
    }

    /// Whether a card's file `file` is there, `present` saying which of
    /// the output folder's files are (those many cards share were looked
    /// for once, when the cache was loaded).
    fn has(&self, present: &dyn Fn(&str) -> bool, file: &str) -> bool {
        if is_shared(file) {
            self.shared_present.contains(file)
        } else {
            present(file)
        }
    }

    /// Writes the cache as JSON (sorted: the same cards give the same bytes).
    pub(super) fn write_json(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        #[derive(Serialize)]
        struct Borrowed<'a> {
            format: u32,
            cards: &'a BTreeMap<String, CachedCard>,
            site_files: &'a [String],
            gallery: &'a PageKeys,
            entries_id: &'a str,
            web_fonts: &'a BTreeMap<String, FontFile>,
        }
        let borrowed = Borrowed {
            format: FORMAT,
            cards: &self.cards,
            site_files: &self.site_files,
            gallery: &self.gallery,
            entries_id: &self.entries_id,
            web_fonts: &self.web_fonts,
        };
        serde_json::to_writer(out, &borrowed).map_err(std::io::Error::from)
    }

    /// The cached card `slug` when its pictures' key is `key` and its
    /// pictures are all `present`: only its page needs making again.
    pub(super) fn pictures_fresh(&self, slug: &str, key: &str, present: &dyn Fn(&str) -> bool) -> Option<&CachedCard> {
        self.cards.get(slug).filter(|c| {
            c.key.is_some()
                && c.picture_key.as_deref() == Some(key)
                && c.files.iter().filter(|f| Artifact::is_picture(f)).all(|f| self.has(present, f))
        })
    }

    /// Whether card `slug` has its pictures `pictures` from the last build,
    /// and they are `present`.
    pub(super) fn had_pictures(&self, slug: &str, pictures: &[Artifact], present: &dyn Fn(&str) -> bool) -> bool {
        self.cards.get(slug).is_some_and(|c| {
            pictures.iter().map(|a| a.path(slug)).all(|f| c.files.contains(&f) && self.has(present, &f))
        })
    }

    /// Forgets what each card and page was made from, keeping which files
    /// are whose: every card and page is made again.
    pub(super) fn distrust(&mut self) {
        for card in self.cards.values_mut() {
            card.key = None;
            card.picture_key = None;
            card.page = None;
        }
        self.gallery.values_mut().for_each(|key| *key = None);
    }

    /// The cached card `slug` when its key is `key` and its files are all `present`.
    pub(super) fn fresh(&self, slug: &str, key: &str, present: &dyn Fn(&str) -> bool) -> Option<&CachedCard> {
        self.cards.get(slug).filter(|c| c.key.as_deref() == Some(key) && c.files.iter().all(|f| self.has(present, f)))
    }
}

/// The entries file, open for a build: new entries are appended, kept ones
/// read back by their place. Its first line is its id, new whenever the file
/// is made anew (or compacted), which the cache records: a cache pointing
/// into another file than the one there is not used.
pub(super) struct Entries {
    file: std::sync::Mutex<(AppendFile, u64)>,
    id: String,
}

impl Entries {
    /// Opens the entries file of `output`, making it anew when it is missing
    /// or has no id.
    pub(super) fn open(output: &Output) -> std::io::Result<Entries> {
        let mut file = match output.state().open_append(ENTRIES_FILE) {
            // A link in the way (reported at the end): this build keeps its
            // entries in memory, and the next one, finding no file of the
            // cache's id, makes every card.
            Err(e) if Link::of(&e).is_some() => AppendFile::Memory(std::io::Cursor::new(Vec::new())),
            file => file?,
        };
        let id = match read_id(&mut file) {
            Ok(id) => id,
            Err(_) => {
                file.set_len(0)?;
                let id = new_id();
                std::io::Write::write_all(&mut file, &id_line(&id))?;
                id
            }
        };
        let len = file.len()?;
        Ok(Entries { file: std::sync::Mutex::new((file, len)), id })
    }

    /// The file's id.
    pub(super) fn id(&self) -> &str {
        &self.id
    }

    /// Appends `entry`; returns where it is.
    pub(super) fn add(&self, entry: &CardEntry) -> std::io::Result<EntryRef> {
        let mut line = serde_json::to_vec(entry).expect("an entry is plain data");
        line.push(b'\n');
        let mut guard = self.file.lock().expect("no panics while holding the lock");
        let (file, len) = &mut *guard;
        std::io::Write::write_all(file, &line)?;
        // Where the line went, from the file itself: another process
        // building into the same folder may have appended meanwhile.
        *len = std::io::Seek::stream_position(file)?;
        let at = *len - line.len() as u64;
        Ok(EntryRef {
            date: entry.date.clone(),
            title: entry.title.clone(),
            tags: entry.tags.clone(),
            group: entry.group.clone(),
            listing: entry.listing,
            at,
            len: line.len() as u32,
            chars: crate::site::entry_chars(entry),
        })
    }

    /// The line of the entry at `place`, as written.
    pub(super) fn line(&self, place: &EntryRef) -> std::io::Result<Vec<u8>> {
        use std::io::{Read, Seek};
        let mut guard = self.file.lock().expect("no panics while holding the lock");
        let (file, _) = &mut *guard;
        file.seek(std::io::SeekFrom::Start(place.at))?;
        let mut line = vec![0; place.len as usize];
        file.read_exact(&mut line)?;
        Ok(line)
    }

    /// The entry at `place`.
    pub(super) fn get(&self, place: &EntryRef) -> std::io::Result<CardEntry> {
        Ok(serde_json::from_slice(&self.line(place)?)?)
    }

    /// The file's size in bytes.
    pub(super) fn size(&self) -> u64 {
        self.file.lock().expect("no panics while holding the lock").1
    }
}

/// A new entries file id: no two files made by any build share one.
pub(super) fn new_id() -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    crate::hash::key(&[&now.as_nanos().to_le_bytes(), &std::process::id().to_le_bytes()])
}

/// The first line of an entries file with id `id`.
pub(super) fn id_line(id: &str) -> Vec<u8> {
    format!("{{\"entries\":\"{id}\"}}\n").into_bytes()
}

/// The id on the first line of an entries file.
fn read_id(file: impl std::io::Read) -> std::io::Result<String> {
    let mut line = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(file.take(200)), &mut line)?;
    #[derive(Deserialize)]
    struct Head {
        entries: String,
    }
    Ok(serde_json::from_str::<Head>(&line)?.entries)
}

/// Whether a card's file is one many cards may share (a seal).
fn is_shared(file: &str) -> bool {
    file.starts_with("assets/")
}

/// Rewrites the entries file with only the entries `cache` refers to, when
/// more than half of it (and over `slack` bytes) is of cards made again or
/// gone since.
fn compact(output: &Output, entries: &Entries, cache: &mut BuildCache, slack: u64) -> std::io::Result<()> {
    let live: u64 = cache.cards.values().map(|c| u64::from(c.entry.len)).sum();
    if entries.size() <= 2 * live + slack {
        return Ok(());
    }
    let mut places = Vec::with_capacity(cache.cards.len());
    let id = new_id();
    output.state().write_streamed(ENTRIES_FILE, |out| {
        let head = id_line(&id);
        out.write_all(&head)?;
        let mut at = head.len() as u64;
        for card in cache.cards.values() {
            let line = entries.line(&card.entry)?;
            out.write_all(&line)?;
            places.push(at);
            at += line.len() as u64;
        }
        Ok(())
    })?;
    for (card, at) in cache.cards.values_mut().zip(places) {
        card.entry.at = at;
    }
    cache.entries_id = id;
    Ok(())
}

/// The drawn layers (card bases, seals) kept in the build cache, for the
/// next run that redraws a card.
pub(super) struct OutputLayers(pub(super) State);

impl OutputLayers {
    fn path(name: &str) -> String {
        format!("{LAYERS_DIR}/{name}")
    }
}

impl crate::render::LayerStore for OutputLayers {
    fn open(&self, name: &str) -> Option<Box<dyn std::io::Read + '_>> {
        let file = self.0.open(&Self::path(name)).ok()?;
        Some(Box::new(file))
    }

    fn keep(&self, name: &str, parts: &[&[u8]]) -> std::io::Result<()> {
        self.0.write_streamed(&Self::path(name), |out| parts.iter().try_for_each(|part| out.write_all(part)))
    }

    fn names(&self) -> Vec<String> {
        self.0.list(LAYERS_DIR)
    }

    fn remove(&self, name: &str) -> std::io::Result<()> {
        self.0.remove(&Self::path(name))
    }
}

/// Moves card `slug`'s record from the last build's into this one's, with
/// no key: its files and its place in the gallery stay, and it is made
/// again next time (its message failed now, or its entry was not written).
pub(super) fn carry_over(old: &mut BuildCache, next: &mut BuildCache, slug: &str) {
    if let Some(card) = old.cards.remove(slug) {
        next.cards.insert(slug.to_string(), CachedCard { key: None, ..card });
    }
}

/// Keeps the last build's cards of messages that could not be read now:
/// the card of each slug in `unreadable`, or every card of the merged
/// message of that slug.
pub(super) fn keep_unreadable(old: &mut BTreeMap<String, CachedCard>, next: &mut BuildCache, unreadable: Vec<String>) {
    for slug in unreadable {
        let of_it: Vec<String> =
            old.iter().filter(|(s, c)| **s == slug || c.entry.group == slug).map(|(s, _)| s.clone()).collect();
        for slug in of_it {
            if let std::collections::btree_map::Entry::Vacant(place) = next.cards.entry(slug) {
                if let Some(card) = old.remove(place.key()) {
                    place.insert(CachedCard { key: None, ..card });
                }
            }
        }
    }
}

/// Ends a build: tidies the entries file, writes the record, removes the
/// stale files (last: no page links them any more), after a killed build
/// removes what it made for messages deleted since, and lets the output
/// folder go. Every file that could not be written or removed makes the
/// build fatal, but for a link in the way (see [`report_links`]).
pub(super) fn finish(run: Run, built: Built, report: &mut BuildReport) {
    let Built { mut next, stale, mut failures, present_slugs, entries } = built;
    let output = &run.output;
    if !failures.is_empty() {
        // A page that could not be written must be made again next time.
        next.gallery.values_mut().for_each(|key| *key = None);
    }
    if let Err(e) = compact(output, &entries, &mut next, 1 << 20) {
        failures.push(super::state_problem(output.state(), ENTRIES_FILE, "cannot tidy", &e));
    }
    if let Err(e) = output.state().write_streamed(CACHE_FILE, |out| next.write_json(out)) {
        failures.push(super::state_problem(output.state(), CACHE_FILE, "cannot write", &e));
    }
    failures.extend(stale.iter().filter_map(|file| super::remove(output, file)));
    let repair = run.claim.interrupted().then(|| plan::kept_after_a_kill(&next, &present_slugs));
    if let Err(e) = run.claim.finish(output, repair.as_ref().map(|keep| keep as &dyn Fn(&str) -> bool)) {
        failures.push(super::state_problem(output.state(), crate::output::MANIFEST_FILE, "cannot write", &e));
    }
    report_links(output, &mut failures, report);
    if !failures.is_empty() {
        report.problems.fatal = true;
        report.problems.diagnostics.extend(failures);
    }
    if report.reused == 0 && !report.problems.fatal {
        // Every card was drawn: kept layers no card used are of old artwork.
        if let Err(e) = run.session.bases.forget_unused() {
            let path = output.state().path(LAYERS_DIR);
            report.problems.diagnostics.push(Diagnostic::warning(path, 0, 0, format!("cannot tidy: {e}")));
        }
    }
    report.conclude(&run.config, &run.outputs, output);
}

/// Reports each link met in the output folder once, in place of the files
/// it kept from being written or removed: an error, but not the build's
/// end (the cards whose folder it is failed; the others are built).
fn report_links(output: &Output, failures: &mut Vec<Diagnostic>, report: &mut BuildReport) {
    let links = output.links_met();
    failures.retain(|d| !links.iter().any(|link| link.path == d.path));
    // Once each, though every card behind it failed on it.
    let mut reported = std::collections::HashSet::new();
    report
        .problems
        .diagnostics
        .retain(|d| !links.iter().any(|link| link.path == d.path) || reported.insert(d.path.clone()));
    for link in &links {
        if reported.insert(link.path.clone()) {
            report.problems.diagnostics.push(super::link_diagnostic(link));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_or_foreign_cache_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        let output = Output::create(dir.path(), &dir.path().join("output")).unwrap();
        assert!(BuildCache::load(&output).cards.is_empty());
        output.state().write(CACHE_FILE, b"{ not json").unwrap();
        assert!(BuildCache::load(&output).cards.is_empty());
    }

    #[test]
    fn an_output_in_memory_has_no_cache_even_where_its_folder_has_one() {
        let dir = tempfile::tempdir().unwrap();
        let folder = Output::create(dir.path(), &dir.path().join("output")).unwrap();
        let entries = Entries::open(&folder).unwrap();
        let entry = entries.add(&CardEntry { slug: "a".into(), ..CardEntry::default() }).unwrap();
        let mut cache = BuildCache { entries_id: entries.id().into(), ..BuildCache::default() };
        let card = CachedCard {
            key: Some("k".into()),
            picture_key: Some("p".into()),
            files: vec![],
            entry,
            warnings: vec![],
            page: None,
            pictures: vec![],
        };
        cache.cards.insert("a".into(), card);
        folder.state().write_streamed(CACHE_FILE, |out| cache.write_json(out)).unwrap();
        assert_eq!(BuildCache::load(&folder).cards.len(), 1, "the folder's cache");
        assert!(BuildCache::load(&Output::in_memory(dir.path(), &dir.path().join("output"), |_, _| None))
            .cards
            .is_empty());
    }

    #[test]
    fn two_builds_appending_entries_to_one_folder_each_find_their_own() {
        let dir = tempfile::tempdir().unwrap();
        let output = Output::create(dir.path(), &dir.path().join("output")).unwrap();
        let (one, two) = (Entries::open(&output).unwrap(), Entries::open(&output).unwrap());
        let entry = |slug: &str| CardEntry { slug: slug.into(), ..CardEntry::default() };
        let places: Vec<_> = ["a", "b", "c", "d"]
            .iter()
            .enumerate()
            .map(|(i, slug)| (slug, if i % 2 == 0 { &one } else { &two }.add(&entry(slug)).unwrap()))
            .collect();
        for (slug, place) in &places {
            assert_eq!(&one.get(place).unwrap().slug, *slug);
        }
    }

    #[test]
    fn compacting_keeps_only_the_entries_in_use_and_where_they_are() {
        let dir = tempfile::tempdir().unwrap();
        let output = Output::create(dir.path(), &dir.path().join("output")).unwrap();
        let entries = Entries::open(&output).unwrap();
        let entry = |slug: &str| CardEntry { slug: slug.into(), title: format!("Card {slug}"), ..CardEntry::default() };
        let mut cache = BuildCache::default();
        for slug in ["a", "gone", "gone", "gone", "b", "a-again"] {
            let place = entries.add(&entry(slug)).unwrap();
            let card = CachedCard {
                key: Some("k".into()),
                picture_key: Some("p".into()),
                files: vec![],
                entry: place,
                warnings: vec![],
                page: None,
                pictures: vec![],
            };
            if slug != "gone" {
                cache.cards.insert(slug.trim_end_matches("-again").into(), card);
            }
        }
        compact(&output, &entries, &mut cache, 0).unwrap();
        let reopened = Entries::open(&output).unwrap();
        let read = |slug: &str| reopened.get(&cache.cards[slug].entry).unwrap().slug;
        assert_eq!((read("a"), read("b")), ("a-again".to_string(), "b".to_string()));
        let live: u64 = cache.cards.values().map(|c| u64::from(c.entry.len)).sum();
        let head = id_line(reopened.id()).len() as u64;
        assert_eq!(reopened.size(), head + live, "only the two entries in use are left");
        assert_eq!(cache.entries_id, reopened.id(), "the cache knows the new file");
    }
}
