//! The output folder is waxseal's alone and always whole: it may not be the
//! site or hold other files, every file appears whole, a build killed at
//! any moment leaves the last output readable and the next build repairs
//! it, and two builds into one folder take turns.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{copy_dir, site_tree, tree, Image, Site};

/// The files of the output folder a reader sees: not waxseal's own hidden ones.
fn published(output: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = tree(output);
    files.retain(|name, _| !name.split('/').any(|part| part.starts_with('.')));
    files
}

/// The lines of the manifest in state folder `state`, sorted.
fn manifest(state: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(state.join("manifest")).expect("a manifest");
    let mut lines: Vec<String> = text.lines().filter(|l| !l.starts_with('#')).map(String::from).collect();
    lines.sort();
    lines
}

#[test]
fn the_output_folder_may_not_be_the_site_or_a_folder_it_reads() {
    let site = Site::fixture("basic");
    let before = tree(site.root());
    let refused = [
        (".", ".: error: the output folder cannot be the site folder or a folder holding it: a build would mix its files with the site's"),
        ("..", "..: error: the output folder cannot be the site folder or a folder holding it: a build would mix its files with the site's"),
        ("content/out", "content/out: error: the output folder cannot be inside the site's `content/` folder, which the build reads"),
        ("themes", "themes: error: the output folder cannot be inside the site's `themes/` folder, which the build reads"),
        ("./data/../content", "./data/../content: error: the output folder cannot be inside the site's `content/` folder, which the build reads"),
    ];
    for (folder, error) in refused {
        let run = site.build(&["--output", folder]);
        assert_eq!(run.code, 2, "--output {folder}: {}", run.stderr);
        assert!(
            run.stderr.starts_with(&format!(
                "{error}\n  hint: leave out --output to build into the site's `output/`, or name a folder of its own\n"
            )),
            "--output {folder}: {}",
            run.stderr
        );
    }
    assert_eq!(tree(site.root()), before, "nothing was written anywhere");
    // `waxseal print` writes into the same folder, and is refused the same way.
    let run = site.run(&["print", "--output", "content"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.starts_with("content: error: the output folder cannot be inside the site's `content/`"));
    assert_eq!(tree(site.root()), before);
}

#[test]
fn a_folder_holding_files_waxseal_did_not_write_is_refused_and_left_alone() {
    let site = Site::fixture("basic");
    site.write("photos/holiday.jpg", "not a photo").write("photos/notes.txt", "dear diary");
    site.write("photos/album/one.jpg", "x").write("photos/z.txt", "z").write("photos/.hidden", "h");
    let before = tree(&site.root().join("photos"));
    let run = site.build(&["--output", "photos"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(
        run.stderr.lines().take(2).collect::<Vec<_>>(),
        [
            "photos: error: the output folder holds files waxseal did not write (`album/`, `holiday.jpg`, `notes.txt` and 1 more); a build writes only into an empty folder or one it wrote before",
            "  hint: choose a new or empty folder with --output, or move those files elsewhere (a folder waxseal wrote whose records in the site's `.waxseal/` were removed: remove it too, and build again)",
        ]
    );
    assert_eq!(tree(&site.root().join("photos")), before, "not a file touched");

    // A folder with only hidden entries (the published site's own `.git`) is fine.
    site.write("public/.git/HEAD", "ref: refs/heads/main\n");
    let run = site.build(&["--output", "public"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(site.root().join("public/cards/love/card.png").is_file());
    assert_eq!(std::fs::read_to_string(site.root().join("public/.git/HEAD")).unwrap(), "ref: refs/heads/main\n");
    // Once waxseal has written it, it is waxseal's: a file added by hand
    // (a CNAME for the host) does not stop the next build, nor is it removed.
    site.write("public/CNAME", "cards.example.org\n");
    let run = site.build(&["--output", "public"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(site.root().join("public/CNAME")).unwrap(), "cards.example.org\n");
    assert!(!manifest(&site.root().join(".waxseal/public")).contains(&"CNAME".to_string()));
}

#[test]
fn the_manifest_lists_every_file_waxseal_wrote_and_no_other() {
    let site = Site::fixture("basic");
    site.add_settings("gallery:\n  per_page: 1\n");
    assert_eq!(site.build(&[]).code, 0);
    let output = site.root().join("output");
    let files: Vec<String> = published(&output).into_keys().collect();
    assert!(files.len() > 20 && files.contains(&"cards/love/card.png".to_string()), "{files:?}");
    assert_eq!(manifest(&site.state("")), files);
    // A card gone, and with it a gallery page: the manifest follows.
    std::fs::remove_file(site.root().join("content/love.md")).unwrap();
    assert_eq!(site.build(&[]).code, 0);
    let files: Vec<String> = published(&output).into_keys().collect();
    assert!(!files.iter().any(|f| f.starts_with("cards/love/")) && !files.contains(&"page/3/index.html".into()));
    assert_eq!(manifest(&site.state("")), files);
}

#[cfg(unix)]
#[test]
fn a_changed_file_is_replaced_whole_not_rewritten_in_place() {
    let site = Site::fixture("basic");
    assert_eq!(site.build(&[]).code, 0);
    // A second name for the page's and the picture's bytes as they are now:
    // a file rewritten in place would change under it too.
    let page = site.output("cards/plain/index.html");
    let png = site.output("cards/plain/card.png");
    let (page_link, png_link) = (site.root().join("page-before.html"), site.root().join("card-before.png"));
    std::fs::hard_link(&page, &page_link).unwrap();
    std::fs::hard_link(&png, &png_link).unwrap();
    let (page_before, png_before) = (std::fs::read(&page).unwrap(), std::fs::read(&png).unwrap());
    site.write("content/plain.md", "A plain note, and a second thought.\n");
    assert_eq!(site.build(&[]).code, 0);
    assert!(site.read("cards/plain/index.html").contains("a second thought"));
    assert_ne!(std::fs::read(&png).unwrap(), png_before);
    assert_eq!(std::fs::read(&page_link).unwrap(), page_before, "the old page's bytes were not touched");
    assert_eq!(std::fs::read(&png_link).unwrap(), png_before, "the old picture's bytes were not touched");
}

/// A site of `n` cards, in version `v` (each card's text says which).
fn write_cards(site: &Site, n: usize, v: &str) {
    for i in 0..n {
        let tag = ["thanks", "orders", "club"][i % 3];
        site.write(
            &format!("content/card-{i:02}.md"),
            &format!(
                "---\ntitle: Card {i} {v}\ndate: 2026-10-{:02}\ntags: [{tag}]\n---\nThis is card *{i}*, version {v}.\n",
                1 + i % 28
            ),
        );
    }
}

/// Checks that every file of `output` a reader sees is whole and that
/// every link of every page leads to a file that is there.
fn assert_whole(output: &Path, when: &str) {
    let files = published(output);
    let mut links = 0;
    for (name, bytes) in &files {
        let text = || String::from_utf8(bytes.clone()).unwrap_or_else(|_| panic!("{when}: {name} is not text"));
        if name.ends_with(".png") {
            let image = std::panic::catch_unwind(|| Image::read(&output.join(name)));
            assert!(image.is_ok_and(|i| i.width > 0), "{when}: {name} is not a whole PNG");
        } else if name.ends_with(".webp") {
            let image = image::load_from_memory_with_format(bytes, image::ImageFormat::WebP);
            assert!(image.is_ok_and(|i| i.width() > 0), "{when}: {name} is not a whole WebP");
        } else if name.ends_with(".svg") || name.ends_with(".xml") {
            let text = text();
            assert!(roxmltree::Document::parse(&text).is_ok(), "{when}: {name} is not whole XML");
        } else if name.ends_with(".html") {
            let page = text();
            assert!(page.trim_end().ends_with("</html>"), "{when}: {name} is cut short");
            let values = page.split(['"', '\'']).filter(|s| s.starts_with('/') && !s.starts_with("//"));
            // A srcset's every picture: its URLs with their widths.
            for url in values.flat_map(|v| v.split(", ").map(|c| c.split(' ').next().unwrap_or(c))) {
                let rel = url.trim_start_matches('/').split(['#', '?']).next().unwrap();
                let file = if rel.is_empty() || rel.ends_with('/') { format!("{rel}index.html") } else { rel.into() };
                assert!(files.contains_key(&file), "{when}: {name} links {url}, which is not there");
                links += 1;
            }
        }
    }
    assert!(links > 100, "{when}: only {links} links checked");
}

/// Temporary files left in `output`.
fn temporaries(output: &Path) -> Vec<String> {
    tree(output)
        .into_keys()
        .filter(|name| {
            let base = name.rsplit('/').next().unwrap();
            base.strip_prefix(".waxseal-").is_some_and(|rest| rest.len() == 6 && !rest.contains('.'))
        })
        .collect()
}

/// Builds `site` and kills the build (SIGKILL) after `delay`: whether it was
/// still running then, and how long it ran.
fn kill_after(site: &Site, delay: Duration) -> (bool, Duration) {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_waxseal"))
        .args(["build", "--quiet"])
        .current_dir(site.root())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Polled, so that a build that ends early is seen ending.
    while started.elapsed() < delay {
        if child.try_wait().unwrap().is_some() {
            return (false, started.elapsed());
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let running = child.try_wait().unwrap().is_none();
    child.kill().unwrap();
    child.wait().unwrap();
    (running, started.elapsed())
}

#[test]
fn a_build_killed_at_any_moment_leaves_the_last_output_whole_and_the_next_build_repairs_it() {
    // Version A, built; version B: every card edited, two gone, two new.
    // Cards at 72 dpi: what is tested is the output folder, not the pictures,
    // and the test builds sixteen times (a minute at 300 dpi, on a debug build).
    let base = Site::empty();
    base.write("waxseal.yaml", "title: Killed\ndpi: 72\ngallery:\n  per_page: 6\n");
    write_cards(&base, 20, "A");
    assert_eq!(base.build(&[]).code, 0);
    assert_whole(&base.root().join("output"), "version A");
    let version_b = |site: &Site| {
        write_cards(site, 22, "B");
        for gone in ["content/card-03.md", "content/card-11.md"] {
            std::fs::remove_file(site.root().join(gone)).unwrap();
        }
    };
    // How long building version B takes here: the quicker of two builds,
    // so that the kills spread over a build that runs as fast as the ones
    // killed below (the first build of a run may be the slow one).
    let full = (0..2)
        .map(|_| {
            let timed = Site::empty();
            copy_dir(base.root(), timed.root());
            version_b(&timed);
            let started = Instant::now();
            assert_eq!(timed.build(&[]).code, 0);
            started.elapsed()
        })
        .min()
        .unwrap();
    // Before the next build, a new card of B goes (the killed build may have
    // made its files) and an edited one is put back as it was (the killed
    // build may have drawn its B version): version C, built whole here.
    let version_c = |site: &Site| {
        std::fs::remove_file(site.root().join("content/card-21.md")).unwrap();
        std::fs::copy(base.root().join("content/card-05.md"), site.root().join("content/card-05.md")).unwrap();
    };
    let clean = Site::empty();
    copy_dir(base.root(), clean.root());
    version_b(&clean);
    version_c(&clean);
    assert_eq!(clean.build(&[]).code, 0);
    let expected = site_tree(&clean.root().join("output"));

    // Killed at points spread over the build: while it reads, draws the
    // cards, makes the pages and writes the cache. A kill that comes after
    // the build has ended (a build quicker than the timed ones) is tried
    // again on a fresh copy, at the same part of the time that build took.
    let mut killed_running = 0;
    for fraction in [0.05, 0.2, 0.4, 0.6, 0.8, 0.95] {
        let when = format!("killed at {:.0}%", fraction * 100.0);
        let mut delay = full.mul_f64(fraction);
        for _attempt in 0..3 {
            let site = Site::empty();
            copy_dir(base.root(), site.root());
            version_b(&site);
            let (running, took) = kill_after(&site, delay);
            let output = site.root().join("output");
            assert_whole(&output, &when);

            // The next build mends it: the same files as a build that was
            // never interrupted, no temporary file left, the manifest right.
            version_c(&site);
            let run = site.build(&[]);
            assert_eq!(run.code, 0, "{when}, the next build: {}", run.stderr);
            assert_eq!(temporaries(&output), Vec::<String>::new(), "{when}");
            let repaired = site_tree(&output);
            assert_eq!(repaired.keys().collect::<Vec<_>>(), expected.keys().collect::<Vec<_>>(), "{when}");
            for (name, bytes) in &repaired {
                assert!(bytes == &expected[name], "{when}: {name} differs from a clean build's");
            }
            let listed = manifest(&site.state(""));
            assert_eq!(listed, published(&output).into_keys().collect::<Vec<_>>(), "{when}");
            if running {
                killed_running += 1;
                break;
            }
            delay = took.mul_f64(fraction);
        }
    }
    assert!(killed_running >= 5, "only {killed_running} of the kills found the build running");
}

#[test]
fn a_build_waits_for_the_build_holding_the_folder() {
    let site = Site::fixture("basic");
    assert_eq!(site.build(&[]).code, 0);
    site.write("content/plain.md", "Edited while another build runs.\n");
    // Another build holds the folder (this test, holding its lock).
    let lock_path = site.state("lock");
    let mut lock = std::fs::OpenOptions::new().read(true).write(true).open(&lock_path).unwrap();
    lock.lock().unwrap();
    write!(lock, "a build by process 4242").unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_waxseal"))
        .arg("build")
        .current_dir(site.root())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut first = String::new();
    stderr.read_line(&mut first).unwrap();
    assert_eq!(first, "waiting: another waxseal is writing ./output (a build by process 4242)\n");
    std::thread::sleep(Duration::from_millis(300));
    assert!(child.try_wait().unwrap().is_none(), "it waits");
    assert!(!site.read("cards/plain/index.html").contains("Edited"), "and writes nothing meanwhile");
    // The other build finishes: this one goes on.
    lock.set_len(0).unwrap();
    drop(lock);
    let status = child.wait().unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    assert_eq!(status.code(), Some(0), "{rest}");
    assert!(site.read("cards/plain/index.html").contains("Edited while another build runs."));
    assert!(rest.contains("unchanged"), "not taken for an interrupted build: {rest}");
}

#[test]
fn two_builds_started_together_take_turns_and_agree() {
    let site = Site::empty();
    write_cards(&site, 8, "A");
    let start = || {
        Command::new(env!("CARGO_BIN_EXE_waxseal"))
            .args(["build"])
            .current_dir(site.root())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (start(), start());
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    let stderr = format!("{}{}", String::from_utf8_lossy(&a.stderr), String::from_utf8_lossy(&b.stderr));
    assert_eq!((a.status.code(), b.status.code()), (Some(0), Some(0)), "{stderr}");
    // The waiting build names the other where it has said what it is (it
    // may have taken the folder an instant before saying so).
    assert!(stderr.contains("waiting: another waxseal is writing ./output"), "{stderr}");
    assert!(!stderr.contains("()"), "{stderr}");
    let clean = Site::empty();
    write_cards(&clean, 8, "A");
    assert_eq!(clean.build(&[]).code, 0);
    assert!(site_tree(&site.root().join("output")) == site_tree(&clean.root().join("output")));
}

#[test]
fn nothing_outside_the_output_folder_and_its_state_folder_is_written() {
    let site = Site::fixture("broken");
    let before = tree(site.root());
    site.build(&[]);
    let mut after = tree(site.root());
    let state: Vec<String> = after.keys().filter(|path| path.starts_with(".waxseal/")).cloned().collect();
    after.retain(|path, _| !path.starts_with("output/") && !path.starts_with(".waxseal/"));
    assert_eq!(before, after);
    // In the site's `.waxseal/`: the output folder's state folder, and
    // what keeps it out of git.
    assert!(state.iter().all(|path| path == ".waxseal/.gitignore" || path.starts_with(".waxseal/output/")));
    assert!(state.contains(&".waxseal/output/manifest".to_string()), "{state:?}");
}

/// The link error of `path` (`./output/...`) pointing at `target`, as a build prints it.
#[cfg(unix)]
fn link_error(path: &str, target: &Path) -> String {
    format!(
        "{path}: error: is a symbolic link (to {}); waxseal does not write through links\n  \
         hint: remove it: waxseal leaves it as it is, and makes what belongs there anew\n",
        target.display()
    )
}

#[cfg(unix)]
#[test]
fn a_lock_file_that_is_a_link_or_a_folder_is_reported_by_name_and_nothing_is_written_through_it() {
    let site = Site::fixture("basic");
    assert_eq!(site.build(&[]).code, 0);
    let elsewhere = tempfile::tempdir().unwrap();
    let notes = elsewhere.path().join("notes.txt");
    std::fs::write(&notes, "my own notes\n").unwrap();
    let lock = site.state("lock");
    std::fs::remove_file(&lock).unwrap();
    std::os::unix::fs::symlink(&notes, &lock).unwrap();
    let before = tree(site.root());
    let run = site.build(&[]);
    // No build can run without its lock: nothing is written.
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.starts_with(&link_error("./.waxseal/output/lock", &notes)), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&notes).unwrap(), "my own notes\n", "not truncated, not written");
    assert!(std::fs::symlink_metadata(&lock).unwrap().file_type().is_symlink(), "the link is left as it is");
    std::fs::remove_file(&lock).unwrap();
    let mut before = before;
    before.remove(".waxseal/output/lock");
    assert_eq!(tree(site.root()), before, "nothing else was written either");

    // A folder in its place: named, with what to do.
    std::fs::create_dir(&lock).unwrap();
    let run = site.build(&[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.starts_with(
            "./.waxseal/output/lock: error: cannot claim the output folder: Is a directory (os error 21)\n  \
             hint: waxseal keeps a file of its own there: remove the folder\n"
        ),
        "{}",
        run.stderr
    );
    std::fs::remove_dir(&lock).unwrap();
    assert_eq!(site.build(&[]).code, 0);
}

#[cfg(unix)]
#[test]
fn a_card_folder_that_is_a_link_is_reported_and_nothing_is_written_or_removed_through_it() {
    let site = Site::fixture("basic");
    assert_eq!(site.build(&[]).code, 0);
    // The folder of card `love` is now a link to a folder of someone's own,
    // holding files of the names a card has; and card `plain`'s PNG is a
    // link to a file of theirs.
    let elsewhere = tempfile::tempdir().unwrap();
    let theirs = elsewhere.path().join("theirs");
    std::fs::create_dir(&theirs).unwrap();
    std::fs::write(theirs.join("card.png"), "my picture").unwrap();
    std::fs::write(theirs.join("index.html"), "my page").unwrap();
    std::fs::write(elsewhere.path().join("diary.txt"), "dear diary").unwrap();
    std::fs::remove_dir_all(site.output("cards/love")).unwrap();
    std::os::unix::fs::symlink(&theirs, site.output("cards/love")).unwrap();
    std::fs::remove_file(site.output("cards/plain/card.png")).unwrap();
    std::os::unix::fs::symlink(elsewhere.path().join("diary.txt"), site.output("cards/plain/card.png")).unwrap();
    let outside = tree(elsewhere.path());
    site.write("content/love.md", "---\ntitle: Edited\n---\nEdited, to be drawn again.\n");
    site.write("content/plain.md", "Edited too.\n");
    let run = site.build(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let love = link_error("./output/cards/love", &theirs);
    let plain = link_error("./output/cards/plain/card.png", &elsewhere.path().join("diary.txt"));
    assert!(run.stderr.starts_with(&format!("{love}{plain}")), "{}", run.stderr);
    assert_eq!(run.stderr.matches("symbolic link").count(), 2, "each link once: {}", run.stderr);
    assert_eq!(tree(elsewhere.path()), outside, "nothing was written there");
    // The other cards are built; the gallery lists no card behind a link.
    assert!(site.read("cards/orders/shipped/index.html").contains("</html>"));
    let gallery = site.read("index.html");
    assert!(!gallery.contains("/cards/love/") && !gallery.contains("/cards/plain/"), "{gallery}");
    // Its message gone, nothing of theirs is removed either.
    std::fs::remove_file(site.root().join("content/love.md")).unwrap();
    let run = site.build(&[]);
    assert_eq!(tree(elsewhere.path()), outside, "nothing was removed there: {}", run.stderr);
    assert!(std::fs::symlink_metadata(site.output("cards/love")).unwrap().file_type().is_symlink());
    // Once the links are gone, the cards are made again.
    std::fs::remove_file(site.output("cards/plain/card.png")).unwrap();
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(site.read("index.html").contains("/cards/plain/"));
    assert_eq!(tree(elsewhere.path()), outside);
}

#[cfg(unix)]
#[test]
fn a_link_in_the_build_cache_is_reported_and_nothing_is_written_through_it() {
    let site = Site::fixture("basic");
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::write(elsewhere.path().join("cache.json"), "mine").unwrap();
    // Drawn layers would go into the layers folder, the record into the cache file.
    std::fs::create_dir_all(site.state("cache")).unwrap();
    std::os::unix::fs::symlink(elsewhere.path(), site.state("cache/layers")).unwrap();
    std::os::unix::fs::symlink(elsewhere.path().join("cache.json"), site.state("cache/build.json")).unwrap();
    let outside = tree(elsewhere.path());
    let run = site.build(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let cache = link_error("./.waxseal/output/cache/build.json", &elsewhere.path().join("cache.json"));
    let layers = link_error("./.waxseal/output/cache/layers", elsewhere.path());
    assert!(run.stderr.starts_with(&format!("{cache}{layers}")), "{}", run.stderr);
    assert_eq!(tree(elsewhere.path()), outside, "nothing was written there");
    // The cards are built all the same.
    assert!(site.output("cards/love/card.png").is_file() && site.read("index.html").contains("/cards/love/"));

    // The whole cache folder a link (where the gallery's entries are kept):
    // the build keeps them in memory.
    std::fs::remove_dir_all(site.state("cache")).unwrap();
    std::os::unix::fs::symlink(elsewhere.path(), site.state("cache")).unwrap();
    site.write("content/plain.md", "Edited, to be drawn again.\n");
    let run = site.build(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.starts_with(&link_error("./.waxseal/output/cache", elsewhere.path())), "{}", run.stderr);
    assert_eq!(tree(elsewhere.path()), outside, "nothing was written there");
    assert!(site.read("cards/plain/index.html").contains("Edited, to be drawn again."));
    assert!(site.read("index.html").contains("/cards/love/") && site.read("index.html").contains("/cards/plain/"));
}

#[cfg(unix)]
#[test]
fn a_cards_folder_that_is_a_link_is_reported_once() {
    let site = Site::fixture("basic");
    assert_eq!(site.build(&[]).code, 0);
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::rename(site.output("cards"), elsewhere.path().join("cards")).unwrap();
    std::os::unix::fs::symlink(elsewhere.path().join("cards"), site.output("cards")).unwrap();
    let outside = tree(elsewhere.path());
    site.write("content/plain.md", "Edited.\n");
    let run = site.build(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let error = link_error("./output/cards", &elsewhere.path().join("cards"));
    assert!(run.stderr.starts_with(&error), "{}", run.stderr);
    assert_eq!(run.stderr.matches("symbolic link").count(), 1, "once: {}", run.stderr);
    assert_eq!(tree(elsewhere.path()), outside, "nothing was written or removed there");
}

/// The links of every file of `output` a reader sees that lead to no file
/// there, as `file -> url`: `href` and `src` in pages, `<link href>` and
/// `<loc>` in the feed and the sitemap, `url()` in stylesheets and the
/// sitemap robots.txt names (the base URL is `/`); and how many links
/// there are.
fn unresolved_links(output: &Path) -> (Vec<String>, usize) {
    let files = published(output);
    let (mut unresolved, mut links) = (Vec::new(), 0);
    for (name, bytes) in &files {
        let text = String::from_utf8_lossy(bytes);
        let urls: Vec<&str> = match name.rsplit('.').next() {
            Some("html") => values(&text, " href=\"", '"').chain(values(&text, " src=\"", '"')).collect(),
            Some("xml") => values(&text, " href=\"", '"').chain(values(&text, "<loc>", '<')).collect(),
            Some("css") => values(&text, "url(", ')').map(|url| url.trim_matches(['"', '\''])).collect(),
            Some("txt") => values(&text, "Sitemap: ", '\n').collect(),
            _ => continue,
        };
        for url in urls.into_iter().filter(|url| url.starts_with('/') && !url.starts_with("//")) {
            links += 1;
            let rel = url.trim_start_matches('/').split(['#', '?']).next().unwrap();
            let file = if rel.is_empty() || rel.ends_with('/') { format!("{rel}index.html") } else { rel.into() };
            if !files.contains_key(&file) {
                unresolved.push(format!("{name} -> {url}"));
            }
        }
    }
    (unresolved, links)
}

/// What follows each `start` in `text`, up to `end`.
fn values<'a>(text: &'a str, start: &'a str, end: char) -> impl Iterator<Item = &'a str> + 'a {
    text.match_indices(start).filter_map(move |(at, _)| text[at + start.len()..].split(end).next())
}

/// The pages of `output` a reader sees (HTML, the feed, the sitemap, robots.txt).
fn pages(output: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = published(output);
    files.retain(|name, _| [".html", ".xml", ".txt"].iter().any(|ext| name.ends_with(ext)));
    files
}

#[test]
fn a_card_whose_pictures_cannot_be_written_gets_no_page_and_no_place_in_the_gallery() {
    let site = Site::fixture("basic");
    assert_eq!(site.build(&[]).code, 0);
    // Where the new card's PNG goes, a folder (with a file in it): its
    // pictures fail midway, as on a full disk.
    site.write("content/new.md", "---\ntitle: New\n---\nA new card.\n");
    std::fs::create_dir_all(site.output("cards/new/card.png")).unwrap();
    std::fs::write(site.output("cards/new/card.png/keep"), "x").unwrap();
    let run = site.build(&[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.starts_with("./output/cards/new/card.png: error: cannot write: "), "{}", run.stderr);
    assert!(!site.output("cards/new/index.html").exists(), "no page without its pictures");
    assert!(!site.read("index.html").contains("/cards/new/"), "nor a place in the gallery");
    assert_eq!(unresolved_links(&site.root().join("output")).0, Vec::<String>::new());
    // The other cards are there, and the next build makes the new one.
    assert!(site.read("cards/love/index.html").contains("</html>"));
    std::fs::remove_dir_all(site.output("cards/new/card.png")).unwrap();
    assert_eq!(site.build(&[]).code, 0);
    assert!(site.read("index.html").contains("/cards/new/") && site.output("cards/new/card.png").is_file());
}

/// A small file system mounted on a folder (Linux, as root), unmounted when dropped.
pub(crate) struct Mounted(std::path::PathBuf);

impl Mounted {
    /// A tmpfs of `size` on `dir`, or `None` when mounting is not allowed here.
    pub(crate) fn tmpfs(dir: &Path, size: &str) -> Option<Mounted> {
        std::fs::create_dir_all(dir).unwrap();
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .stderr(Stdio::null())
            .status();
        status.is_ok_and(|s| s.success()).then(|| Mounted(dir.to_path_buf()))
    }

    /// Makes it `size` (no smaller than what it holds).
    fn resize(&self, size: &str) {
        let status = Command::new("mount").args(["-o", &format!("remount,size={size}")]).arg(&self.0).status();
        assert!(status.unwrap().success(), "resizing the tmpfs to {size}");
    }

    /// How much of it is used, in KiB.
    fn used_kb(&self) -> usize {
        let out = Command::new("df").args(["-k", "--output=used"]).arg(&self.0).output().unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        text.lines().nth(1).and_then(|line| line.trim().parse().ok()).expect("df gives the space used")
    }
}

impl Drop for Mounted {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

/// The files of the errors of a build that could not write them (a full
/// disk), each reported word for word as `PATH: error: cannot write: No
/// space left on device (os error 28)`; and whether the pages were held
/// back (a page or a theme asset was not written), which one hint says.
fn disk_full_errors(stderr: &str, when: &str) -> (Vec<String>, bool) {
    const FULL: &str = ": error: cannot write: No space left on device (os error 28)";
    let files: Vec<String> = stderr
        .lines()
        .filter(|line| line.contains(": error: "))
        .map(|line| {
            let line_file = line.strip_suffix(FULL);
            // A file of the state folder (the build cache) as `.waxseal/FILE`.
            let state = line_file.and_then(|l| l.strip_prefix("./.waxseal/output/")).map(|f| format!(".waxseal/{f}"));
            let file = line_file.and_then(|l| l.strip_prefix("./output/")).map(String::from).or(state);
            file.unwrap_or_else(|| panic!("{when}: {line}"))
        })
        .collect();
    let seal_or_card = |file: &String| file.starts_with("cards/") && !file.ends_with("/index.html");
    let own = |file: &String| file.starts_with(".waxseal/") || file.starts_with("assets/seals/");
    let held_back = files.iter().any(|file| !seal_or_card(file) && !own(file));
    let hint = "  hint: the pages are put in place together, once all of them can be written: until then the last build's pages stay as they were\n";
    assert_eq!(stderr.matches(hint).count(), usize::from(held_back), "{when}: {stderr}");
    (files, held_back)
}

/// Checks that each card page of `output` (of `cards` cards) is there only
/// with its pictures.
fn assert_pages_have_their_pictures(output: &Path, cards: usize, when: &str) {
    for slug in (0..cards).map(|i| format!("card-{i:02}")) {
        if output.join(format!("cards/{slug}/index.html")).is_file() {
            for picture in ["card.png", "thumb.png", "share.png", "card.svg"] {
                assert!(output.join(format!("cards/{slug}/{picture}")).is_file(), "{when}: {slug}/{picture}");
            }
        }
    }
}

const NO_TMPFS: &str = "cannot mount a tmpfs here (Linux, as root)";

#[test]
fn on_a_full_disk_no_page_links_a_file_that_is_not_there() {
    let base = Site::empty();
    // Small cards (72 dpi) draw fast; four to a gallery page make many pages.
    base.write("waxseal.yaml", "title: Full\ndpi: 72\ngallery:\n  per_page: 4\n");
    write_cards(&base, 12, "A");
    // The whole build takes about 7 MB (a third of it the drawn layers kept
    // in `.waxseal/` for the next build), its pages about 100 KB, written
    // last. The disk is the site's: its output folder and its `.waxseal/`
    // are on it, as they are by default.
    let whole = Site::empty();
    let Some(disk) = Mounted::tmpfs(whole.root(), "64m") else {
        return eprintln!("skipped: safety::on_a_full_disk_no_page_links_a_file_that_is_not_there: {NO_TMPFS}");
    };
    copy_dir(base.root(), whole.root());
    assert_eq!(whole.build(&[]).code, 0);
    let used = disk.used_kb();
    // Disks filling while the pictures are drawn, and while the pages are written.
    let sizes = [used / 4, used / 2, used * 3 / 4].into_iter().chain((1..=8).map(|k| used - 60 * k));
    let (mut filled, mut held_back) = (0, 0);
    for kb in sizes {
        let site = Site::empty();
        let _disk = Mounted::tmpfs(site.root(), &format!("{kb}k")).unwrap();
        copy_dir(base.root(), site.root());
        let run = site.build(&[]);
        let when = format!("{kb} KB of {used}");
        assert!(run.code == 0 || run.code == 2, "{when}: {}", run.stderr);
        filled += usize::from(run.code == 2);
        held_back += usize::from(disk_full_errors(&run.stderr, &when).1);
        let output = site.root().join("output");
        assert_eq!(unresolved_links(&output).0, Vec::<String>::new(), "{when}: {}", run.stderr);
        assert_pages_have_their_pictures(&output, 12, &when);
        assert_eq!(temporaries(&output), Vec::<String>::new(), "{when}");
    }
    assert!(filled >= 10, "only {filled} of the disks filled up");
    assert!(held_back >= 6, "the pages were held back on only {held_back} disks");
}

#[test]
fn on_a_full_disk_the_last_builds_pages_stay_until_every_new_one_is_written() {
    let site = Site::empty();
    // The site's disk: its output folder and its `.waxseal/` are on it.
    let Some(disk) = Mounted::tmpfs(site.root(), "64m") else {
        return eprintln!(
            "skipped: safety::on_a_full_disk_the_last_builds_pages_stay_until_every_new_one_is_written: {NO_TMPFS}"
        );
    };
    site.write("waxseal.yaml", "title: Full\ndpi: 72\ngallery:\n  per_page: 4\n");
    write_cards(&site, 12, "A");
    let output = site.root().join("output");
    assert_eq!(site.build(&[]).code, 0);
    let before = pages(&output);
    // Every page changes (the site's title), no picture does; a card is gone.
    site.write("waxseal.yaml", "title: Fuller\ndpi: 72\ngallery:\n  per_page: 4\n");
    std::fs::remove_file(site.root().join("content/card-00.md")).unwrap();
    for headroom in [8, 24, 40, 56] {
        disk.resize(&format!("{}k", disk.used_kb() + headroom));
        let run = site.build(&[]);
        let when = format!("{headroom} KB free");
        assert_eq!(run.code, 2, "{when}: {}", run.stderr);
        assert!(disk_full_errors(&run.stderr, &when).1, "{when}: {}", run.stderr);
        assert!(pages(&output) == before, "{when}: the last build's pages are as they were");
        // Nothing they link is gone: the gone card's files stay for now.
        assert!(output.join("cards/card-00/card.png").is_file(), "{when}");
        assert_eq!(unresolved_links(&output).0, Vec::<String>::new(), "{when}: {}", run.stderr);
        assert_eq!(temporaries(&output), Vec::<String>::new(), "{when}");
    }
    // With room, the next build puts every page in place and tidies up.
    disk.resize("64m");
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(site.read("index.html").contains("Fuller") && site.read("cards/card-05/index.html").contains("Fuller"));
    assert!(!output.join("cards/card-00").exists(), "the gone card's files go now");
    let (unresolved, links) = unresolved_links(&output);
    assert_eq!((unresolved, links > 200), (Vec::<String>::new(), true), "{links} links");
}

#[test]
fn a_page_that_cannot_be_written_keeps_the_last_builds_pages_until_all_can_be() {
    let site = Site::fixture("basic");
    assert_eq!(site.build(&[]).code, 0);
    let output = site.root().join("output");
    let before = pages(&output);
    // A new card with a new tag, whose page cannot be written (a file is
    // where its folder goes); a card gone; every page changed.
    site.write("content/new.md", "---\ntitle: New\ndate: 2026-11-24\ntags: [blocked]\n---\nA new card.\n");
    std::fs::remove_file(site.root().join("content/plain.md")).unwrap();
    let settings = std::fs::read_to_string(site.root().join("waxseal.yaml")).unwrap();
    site.write("waxseal.yaml", &settings.replace("Cards for the integration tests", "Edited"));
    std::fs::write(site.output("tags/blocked"), "in the way").unwrap();
    let run = site.build(&[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let error = "./output/tags/blocked/index.html: error: cannot write: Not a directory (os error 20)\n  hint: the pages are put in place together, once all of them can be written: until then the last build's pages stay as they were\nbuilt 3 cards into ./output in ";
    assert!(run.stderr.starts_with(error), "{}", run.stderr);
    assert!(pages(&output) == before, "the last build's pages, as they were");
    assert!(site.output("cards/new/card.png").is_file() && site.output("cards/plain/card.png").is_file());
    assert_eq!(unresolved_links(&output).0, Vec::<String>::new());
    assert_eq!(temporaries(&output), Vec::<String>::new());
    // Out of the way: every page is put in place, the gone card's files go.
    std::fs::remove_file(site.output("tags/blocked")).unwrap();
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(site.read("tags/blocked/index.html").contains("/cards/new/"));
    assert!(site.read("index.html").contains("/cards/new/") && !site.output("cards/plain").exists());
    assert_eq!(unresolved_links(&output).0, Vec::<String>::new());
}
