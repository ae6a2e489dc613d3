//! Nothing private is published: the output folder holds only what a static
//! host should serve, and what waxseal keeps of its builds (the lock, the
//! manifest, the build cache, the sent log) is in the site's `.waxseal/`,
//! one folder for each output folder. A folder an older waxseal wrote, with
//! those files inside it, is adopted by the next build with no action.

use std::path::Path;

use crate::support::{assert_nothing_private, tree, Site};

/// A small site of three cards with emails (small cards: quick to draw).
fn site_with_emails() -> Site {
    let site = Site::empty();
    site.write(
        "waxseal.yaml",
        "title: Shop\ndpi: 72\noutputs: [html, png, email]\nemail:\n  from: \"Shop <shop@example.org>\"\n",
    );
    for (slug, name) in [("ann", "Ann"), ("bo", "Bo"), ("cy", "Cy")] {
        let message =
            format!("---\ntitle: Thank you, {name}\nto: {name}\nemail: {slug}@example.org\n---\nThank you!\n");
        site.write(&format!("content/{slug}.md"), &message);
    }
    site
}

/// The names in folder `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

/// Asserts that `run` drew no card: a no-op build of the site's 3 cards.
fn assert_no_op(run: &crate::support::Run, when: &str) {
    assert_eq!(run.code, 0, "{when}: {}", run.stderr);
    assert!(
        run.stderr.contains("built 3 cards into ") && run.stderr.contains(" (3 unchanged)"),
        "{when}: {}",
        run.stderr
    );
}

#[test]
fn each_output_folder_holds_only_what_is_published_and_has_a_state_folder_of_its_own() {
    let site = site_with_emails();
    let elsewhere = tempfile::tempdir().unwrap();
    let www = elsewhere.path().join("www");
    let www_arg = www.to_str().unwrap();
    for args in [&[][..], &["--output", "public"], &["--output", www_arg]] {
        let run = site.build(args);
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
    }
    for output in [site.root().join("output"), site.root().join("public"), www.clone()] {
        assert_nothing_private(&output);
        assert!(output.join("cards/ann/message.eml").is_file(), "{}", output.display());
    }
    // Beside them, in the site: one state folder each, the one of a folder
    // outside the site named after it and a hash of its path.
    let state = names(&site.root().join(".waxseal"));
    assert_eq!(state.len(), 4, "{state:?}");
    assert_eq!(state[..3], [".gitignore", "output", "public"]);
    let hash = state[3].strip_prefix("www-").unwrap_or_else(|| panic!("{state:?}"));
    assert!(hash.len() == 8 && hash.bytes().all(|b| b.is_ascii_hexdigit()), "{state:?}");
    for name in &state[1..] {
        let folder = site.root().join(".waxseal").join(name);
        assert_eq!(names(&folder), ["cache", "lock", "manifest"], "{name}");
        assert_eq!(names(&folder.join("cache")), ["build.json", "entries.jsonl", "layers"], "{name}");
    }
    assert_eq!(names(elsewhere.path()), ["www"], "nothing else is written beside a folder outside the site");
    // Each folder's cache is its own: a second build of each is a no-op.
    for args in [&[][..], &["--output", "public"], &["--output", www_arg]] {
        assert_no_op(&site.build(args), &format!("{args:?}"));
    }
    for output in [site.root().join("output"), site.root().join("public"), www] {
        assert_nothing_private(&output);
    }

    // The output folder removed alone: the next build writes it whole again
    // (from the kept artwork), the same files as before.
    let before = tree(&site.root().join("output"));
    std::fs::remove_dir_all(site.root().join("output")).unwrap();
    assert_eq!(site.build(&[]).code, 0);
    assert!(tree(&site.root().join("output")) == before, "the same files as before");
    assert_no_op(&site.build(&[]), "after that");
}

/// Puts the state folder of `site`'s `output/` back into the layout of an
/// older waxseal, inside the output folder (`.waxseal/` gone), as that
/// waxseal would have left it; `lock` is what its lock file says.
fn into_the_old_layout(site: &Site, state: &Path, lock: &str) {
    let output = site.root().join("output");
    std::fs::create_dir_all(output.join(".waxseal-cache")).unwrap();
    for (new, old) in [
        ("manifest", ".waxseal-manifest"),
        ("sent.jsonl", ".waxseal-sent.jsonl"),
        ("cache/build.json", ".waxseal-cache.json"),
        ("cache/entries.jsonl", ".waxseal-cache/entries.jsonl"),
    ] {
        std::fs::copy(state.join(new), output.join(old)).unwrap();
    }
    crate::support::copy_dir(&state.join("cache/layers"), &output.join(".waxseal-cache/layers"));
    std::fs::write(output.join(".waxseal-lock"), lock).unwrap();
    std::fs::remove_dir_all(site.root().join(".waxseal")).unwrap();
}

/// Builds `site` and records its emails as sent, then leaves its output
/// folder as an older waxseal would have (see [`into_the_old_layout`]):
/// returns its state and its output folder's files as the build left
/// them, and the copy of its state the old layout was made from.
fn built_then_old_layout(site: &Site) -> (Tree, Tree, tempfile::TempDir) {
    assert_eq!(site.build(&[]).code, 0);
    record_as_sent(site);
    let kept = tree(&site.state(""));
    let published = tree(&site.root().join("output"));
    let state = tempfile::tempdir().unwrap();
    crate::support::copy_dir(&site.state(""), state.path());
    into_the_old_layout(site, state.path(), "");
    (kept, published, state)
}

/// A folder's files and their bytes, by path.
type Tree = std::collections::BTreeMap<String, Vec<u8>>;

/// Records every card's built email of `site` as sent, in the sent log of
/// its state folder, as `waxseal send` would have.
fn record_as_sent(site: &Site) {
    let mut log = String::new();
    for slug in ["ann", "bo", "cy"] {
        let bytes = std::fs::read(site.output(&format!("cards/{slug}/message.eml"))).unwrap();
        let digest = waxseal::hash::key(&[&bytes]);
        log.push_str(&format!(
            "{{\"card\":\"{slug}\",\"digest\":\"{digest}\",\"to\":[\"{slug}@example.org\"],\"at\":\"2026-01-01T00:00:00Z\",\"reply\":\"250 OK\"}}\n"
        ));
    }
    std::fs::write(site.state("sent.jsonl"), log).unwrap();
}

/// `waxseal send --dry-run`: it says nothing would be sent, every card
/// sent before and unchanged.
fn assert_nothing_to_send(site: &Site, when: &str) {
    let run = site.run(&["send", "--dry-run"]);
    assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{when}: {}", run.stderr);
    assert!(run.stderr.starts_with("would send 0 emails (3 sent before and unchanged) in "), "{when}: {}", run.stderr);
}

#[test]
fn a_folder_an_older_waxseal_wrote_is_adopted_with_nothing_lost() {
    let site = site_with_emails();
    let (kept, published, state) = built_then_old_layout(&site);
    // A dry run adopts nothing, and finds the old sent log where it is.
    assert_nothing_to_send(&site, "in the old layout");
    assert!(!site.root().join(".waxseal").exists() && site.output(".waxseal-sent.jsonl").is_file());

    // The next build moves it all into `.waxseal/`: nothing is drawn again,
    // nothing of waxseal's own is left in the output folder, and the sent
    // log and the manifest are as they were.
    assert_no_op(&site.build(&[]), "the first build after");
    assert_nothing_private(&site.root().join("output"));
    assert!(tree(&site.root().join("output")) == published, "the published files are as they were");
    let adopted = tree(&site.state(""));
    assert_eq!(adopted.keys().collect::<Vec<_>>(), kept.keys().collect::<Vec<_>>());
    for file in ["manifest", "sent.jsonl", "cache/entries.jsonl"] {
        assert!(adopted[file] == kept[file], "{file} is as it was");
    }
    assert_nothing_to_send(&site, "adopted");
    assert_no_op(&site.build(&[]), "the next build");

    // A build of the older waxseal that was killed: the next build repairs
    // what it left, as after a build of its own that was killed.
    into_the_old_layout(&site, state.path(), "a build by process 4242, started 2026-01-01T00:00:00Z");
    std::fs::remove_file(site.output("cards/bo/index.html")).unwrap();
    std::fs::write(site.output("cards/.waxseal-abc123"), "a temporary file of the killed build").unwrap();
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("unchanged"), "every card made again: {}", run.stderr);
    assert_nothing_private(&site.root().join("output"));
    assert!(tree(&site.root().join("output")) == published);
    assert_nothing_to_send(&site, "adopted after a kill");
}

#[test]
fn an_output_folder_on_another_file_system_is_adopted_its_manifest_and_sent_log_copied() {
    let site = site_with_emails();
    let Some(_disk) = crate::safety::Mounted::tmpfs(&site.root().join("output"), "64m") else {
        return eprintln!("skipped: state::an_output_folder_on_another_file_system_is_adopted_its_manifest_and_sent_log_copied: cannot mount a tmpfs here (Linux, as root)");
    };
    let (kept, published, _) = built_then_old_layout(&site);
    // No rename reaches `.waxseal/` from there: the manifest and the sent
    // log are copied, the cache is dropped (a full build, once).
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("unchanged"), "{}", run.stderr);
    assert_nothing_private(&site.root().join("output"));
    assert!(tree(&site.root().join("output")) == published);
    let adopted = tree(&site.state(""));
    for file in ["manifest", "sent.jsonl"] {
        assert!(adopted[file] == kept[file], "{file} is as it was");
    }
    assert_nothing_to_send(&site, "adopted from another file system");
    assert_no_op(&site.build(&[]), "the next build");
}
