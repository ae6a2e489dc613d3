//! `waxseal check`: every problem a build reports, and broken links and
//! missing images, with nothing written.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::SystemTime;

use crate::support::Site;

/// Every file and folder below `dir` with its modification time, and each
/// file's bytes.
fn snapshot(dir: &Path) -> BTreeMap<String, (SystemTime, Option<Vec<u8>>)> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(|entry| {
            let entry = entry.unwrap();
            let rel = entry.path().strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
            let time = entry.metadata().unwrap().modified().unwrap();
            let bytes = entry.file_type().is_file().then(|| std::fs::read(entry.path()).unwrap());
            (rel, (time, bytes))
        })
        .collect()
}

impl Site {
    /// `waxseal check ARGS`.
    fn check(&self, args: &[&str]) -> crate::support::Run {
        let mut all = vec!["check"];
        all.extend_from_slice(args);
        self.run(&all)
    }
}

#[test]
fn a_clean_site_passes_and_nothing_is_written_with_or_without_an_output_folder() {
    let site = Site::fixture("basic");
    let before = snapshot(site.root());
    let run = site.check(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.starts_with("checked 3 cards in "), "{}", run.stderr);
    assert!(run.stderr.ends_with("s (1 draft skipped): no problems\n"), "{}", run.stderr);
    let run = site.check(&["--drafts"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.starts_with("checked 4 cards in "), "{}", run.stderr);
    assert!(run.stderr.ends_with("s: no problems\n"), "{}", run.stderr);
    assert!(!site.output("").exists(), "no output folder appears");
    assert_eq!(before, snapshot(site.root()), "the site is as it was");

    // A built site: its output folder is neither changed nor used as a cache
    // (a check that skipped the cards it found built would not have their
    // pages to link to, and report the gallery's links to them as broken).
    assert_eq!(site.build(&[]).code, 0);
    let built = snapshot(site.root());
    assert!(built.contains_key(".waxseal/output/cache/build.json"), "{:?}", built.keys());
    let run = site.check(&["--quiet"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    assert_eq!(built, snapshot(site.root()), "the output folder is as the build left it, times too");
}

#[test]
fn broken_links_in_a_message_point_at_their_line_and_column() {
    let site = Site::fixture("basic");
    site.write(
        "content/links.md",
        "---\ntitle: Links\n---\nThe card [over there](/cards/love/) is fine;\n\
         [this one](/cards/nope/) is not, nor is [a page](/missing.html).\n\
         [This](/cards/nope/) again.\n",
    );
    // A picture is drawn on the card: one that is not there fails its card.
    site.write("content/picture.md", "---\ntitle: A picture\n---\n![a picture](/missing.png)\n");
    let run = site.check(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let expected = [
        "content/links.md:5:12: error: broken link to `/cards/nope/`\n  hint: the site has no file `cards/nope/index.html`",
        "content/links.md:5:50: error: broken link to `/missing.html`\n  hint: the site has no file `missing.html`",
        "content/links.md:6:8: error: broken link to `/cards/nope/`",
        "content/picture.md:4:1: error: cannot draw the picture `/missing.png`: no such file next to the message, nor in the site's static/ or assets/ folder",
    ];
    for line in expected {
        assert!(run.stderr.contains(line), "{line}\nnot in:\n{}", run.stderr);
    }
    assert!(run.stderr.contains("checked 4 cards in ") && run.stderr.contains(": 4 problems"), "{}", run.stderr);
    assert!(!site.output("").exists());
    std::fs::remove_file(site.root().join("content/picture.md")).unwrap();

    // A URL the body template makes is not in the message as written: it is
    // reported on the card's page, naming the message.
    site.write("content/links.md", "Made: [gone]({{ site.base_url }}cards/gone/).\n");
    let run = site.check(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(site.build(&[]).code, 0, "a build does not check links");
    let page = site.read("cards/links/index.html");
    let (line, col) =
        page.lines().enumerate().find_map(|(i, l)| l.find("/cards/gone/").map(|c| (i + 1, c + 1))).unwrap();
    let made = format!(
        "output/cards/links/index.html:{line}:{col}: error: broken link to `/cards/gone/`\n  hint: the site has no file `cards/gone/index.html`; this page is made by (built-in theme chocolate)/card.html from content/links.md\n"
    );
    assert!(run.stderr.starts_with(&made), "{made}\nnot at the start of:\n{}", run.stderr);
}

#[test]
fn problems_are_reported_as_a_build_reports_them() {
    let (checked, built) = (Site::fixture("broken"), Site::fixture("broken"));
    let check = checked.check(&[]);
    let build = built.build(&[]);
    assert_eq!((check.code, build.code), (1, 1), "{}", check.stderr);
    // All but the summary (and the build's note on a relative base_url).
    let problems = |stderr: &str| -> Vec<String> {
        let summary = |l: &&str| ["built ", "checked ", "note: "].iter().any(|start| l.starts_with(start));
        stderr.lines().filter(|l| !summary(l)).map(String::from).collect()
    };
    assert_eq!(problems(&check.stderr), problems(&build.stderr));
    assert!(
        check
            .stderr
            .contains("content/unknown-key.md:3:1: error: unknown field `titel`\n  hint: did you mean `title`?"),
        "{}",
        check.stderr
    );
    assert!(check.stderr.ends_with(": 2 problems\n"), "{}", check.stderr);

    // A warning fails a check too, where the build succeeds.
    let site = Site::empty();
    site.write("content/glyph.md", "A letter \u{1200} here.\n");
    let run = site.check(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("content/glyph.md:1:10: warning: no font of the theme"), "{}", run.stderr);

    // A broken config stops it, as it stops a build.
    site.write("waxseal.yaml", "base_ulr: /x/\n");
    let run = site.check(&[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("waxseal.yaml:1:1: error: unknown field `base_ulr`"), "{}", run.stderr);
}

#[test]
fn links_that_resolve_are_not_reported() {
    let site = Site::fixture("basic");
    site.add_settings("base_url: https://example.org/shop/cards/\ngallery:\n  per_page: 1\n");
    site.write(
        "content/links.md",
        "Absolute [love](https://example.org/shop/cards/cards/love/), [shipped](/shop/cards/cards/orders/shipped/),\n\
         relative [plain](../plain/) and [its own picture](card.png), [the gallery](../../?from=links#top),\n\
         [page 2](../../page/2/), [the feed](/shop/cards/feed.xml), [its card](../love/card.png)\n\
         and elsewhere: [home](https://example.org/), [shop](https://example.org/shop/), [mail](mailto:a@example.org).\n",
    );
    let run = site.check(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.ends_with(": no problems\n"), "{}", run.stderr);

    // The links were checked: one more, broken, is the only problem.
    let text = std::fs::read_to_string(site.root().join("content/links.md")).unwrap();
    site.write("content/links.md", &format!("{text}\n[gone](../gone/)\n"));
    let run = site.check(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.starts_with("content/links.md:6:8: error: broken link to `../gone/`\n"), "{}", run.stderr);
    assert!(run.stderr.ends_with(": 1 problem\n"), "{}", run.stderr);

    // Under a sub-path, a root-relative URL outside it leads off the site.
    site.write("content/links.md", "[love](/cards/love/)\n");
    let run = site.check(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "content/links.md:1:8: error: broken link to `/cards/love/`\n  hint: it leads to `/cards/love/`, outside the site, which is published at `https://example.org/shop/cards/`"
        ),
        "{}",
        run.stderr
    );
    // ... which is where it is published with another base URL.
    assert_eq!(site.check(&["--base-url", "/"]).code, 0);
}

#[test]
fn a_theme_link_points_at_the_theme_file_or_the_page_it_makes() {
    let site = Site::fixture("basic");
    let card =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/chocolate/card.html")).unwrap();
    let nav = "<nav class=\"crumbs\">";
    assert!(card.contains(nav));
    let card = card
        .replace(nav, &format!("{nav}<a href=\"/about/\">About</a> <a href=\"{{{{ gallery_url }}}}help/\">Help</a>"));
    site.write("themes/chocolate/card.html", &card);
    let (line, col) = card.lines().enumerate().find_map(|(i, l)| l.find("/about/").map(|c| (i + 1, c + 1))).unwrap();
    let run = site.check(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    // As written in the site's theme file: there.
    let about = format!(
        "themes/chocolate/card.html:{line}:{col}: error: broken link to `/about/`\n  hint: the site has no file `about/index.html`, on output/cards/love/index.html made from it (and 2 more pages like it)"
    );
    assert!(run.stderr.contains(&about), "{about}\nnot in:\n{}", run.stderr);
    // Made from template values: on the first page, naming the template.
    assert_eq!(site.build(&[]).code, 0, "a build does not check links");
    let page = site.read("cards/love/index.html");
    let (line, col) = page.lines().enumerate().find_map(|(i, l)| l.find("/help/").map(|c| (i + 1, c + 1))).unwrap();
    let help = format!(
        "output/cards/love/index.html:{line}:{col}: error: broken link to `/help/`\n  hint: the site has no file `help/index.html`; this page is made by themes/chocolate/card.html (and 2 more pages like it)"
    );
    assert!(run.stderr.contains(&help), "{help}\nnot in:\n{}", run.stderr);
    assert!(run.stderr.ends_with(": 2 problems\n"), "{}", run.stderr);
}

#[test]
fn the_bundled_examples_pass() {
    let site = Site::examples();
    let run = site.check(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.starts_with("checked 4 cards in ") && run.stderr.ends_with(": no problems\n"), "{}", run.stderr);
}

#[test]
fn slugs_that_collide_or_no_file_system_takes_are_reported_as_a_build_reports_them() {
    let make = || {
        let site = Site::empty();
        site.write("content/good.md", "A good card.\n");
        site.write("content/a.md", "---\nslug: same\n---\nFirst.\n");
        site.write("content/b.md", "---\nslug: same\n---\nSecond.\n");
        site.write("content/over.md", "---\nslug: good/card.png\n---\nOver the good card.\n");
        site.write("content/long.md", &format!("---\nslug: {}\n---\nLong.\n", "x".repeat(300)));
        site.write("content/dot.md", "---\nslug: .hidden\n---\nHidden.\n");
        site.write("content/tags.md", &format!("---\ntags: [{}]\n---\nTags.\n", vec!["t"; 33].join(", ")));
        site
    };
    let (checked, built) = (make(), make());
    let check = checked.check(&[]);
    let build = built.build(&[]);
    assert_eq!((check.code, build.code), (1, 1), "{}", build.stderr);
    let problems = |stderr: &str| -> Vec<String> {
        let summary = |l: &&str| ["built ", "checked ", "note: "].iter().any(|start| l.starts_with(start));
        stderr.lines().filter(|l| !summary(l)).map(String::from).collect()
    };
    assert_eq!(problems(&check.stderr), problems(&build.stderr));
    let starts: Vec<String> = problems(&check.stderr)
        .into_iter()
        .filter(|l| !l.starts_with("  "))
        .map(|l| l[..l.find(": error").unwrap()].to_string())
        .collect();
    assert_eq!(
        starts,
        [
            "content/dot.md:2:7",
            "content/long.md:2:7",
            "content/tags.md:2:7",
            "content/b.md:2:1",
            "content/a.md:2:1",
            "content/over.md:2:7"
        ],
        "{}",
        check.stderr
    );
    assert!(check.stderr.ends_with(": 6 problems\n"), "{}", check.stderr);
    assert!(built.read("cards/same/index.html").contains("First."));
    assert!(built.output("cards/good/card.png").is_file());
}
