//! Incremental builds: a rebuild draws again only the cards whose inputs
//! changed, makes again only the pages that show them, removes what is gone,
//! keeps the last good card of a broken edit, distrusts a damaged cache, and
//! always ends with the files a clean build makes.

use crate::support::{assert_nothing_private, css_href, site_tree, Site};

/// The site's output holds the same files as a clean build of it into
/// `clean/` (the build cache left out).
fn assert_same_as_a_clean_build(site: &Site, what: &str) {
    assert_eq!(site.build(&["--output", "clean"]).code, 0);
    assert!(
        site_tree(&site.root().join("output")) == site_tree(&site.root().join("clean")),
        "{what} differs from a clean build"
    );
}

#[test]
fn an_unchanged_card_is_not_drawn_again_and_a_cached_build_matches_a_clean_one() {
    let site = Site::fixture("basic");
    assert_eq!(site.build(&[]).code, 0);
    // Built again as it is, in a new process: a no-op, the cache found
    // where the build keeps it (not in the output folder).
    let run = site.build(&[]);
    assert!(
        run.stderr.starts_with("built 3 cards into ./output in ") && run.stderr.contains("(3 unchanged)"),
        "{}",
        run.stderr
    );
    assert_nothing_private(&site.root().join("output"));
    let png = site.output("cards/love/card.png");
    let before = std::fs::metadata(&png).unwrap().modified().unwrap();
    // Edit one message.
    let plain = site.root().join("content/plain.md");
    std::fs::write(&plain, "A plain note, edited.\n").unwrap();
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("(2 unchanged)"), "{}", run.stderr);
    assert_eq!(std::fs::metadata(&png).unwrap().modified().unwrap(), before, "love was not written again");
    assert!(site.read("cards/plain/index.html").contains("A plain note, edited."));
    // A clean build gives the same files.
    assert_eq!(site.build(&["--output", "clean"]).code, 0);
    let (cached, clean) = (site_tree(&site.root().join("output")), site_tree(&site.root().join("clean")));
    assert!(cached == clean, "cached and clean builds differ");
}

#[test]
fn a_theme_change_redraws_only_that_themes_cards() {
    let site = Site::empty();
    site.write("content/a.md", "---\ntheme: kraft\n---\nOne.\n");
    site.write("content/b.md", "Two.\n");
    assert_eq!(site.build(&[]).code, 0);
    // The card template, as built in, with a comment: kraft's card is made again.
    let files = waxseal::theme::built_in_files("kraft").unwrap();
    let (_, svg) = files.iter().find(|(path, _)| path == "card.svg").unwrap();
    site.write("themes/kraft/card.svg", &format!("{{# edited #}}{}", String::from_utf8_lossy(svg)));
    let run = site.build(&[]);
    assert!(run.stderr.contains("built 2 cards") && run.stderr.contains("(1 unchanged)"), "{}", run.stderr);
}

/// When a file was last written.
fn written(path: &std::path::Path) -> std::time::SystemTime {
    std::fs::metadata(path).unwrap().modified().unwrap()
}

#[test]
fn a_stylesheet_edit_makes_the_pages_again_but_draws_no_card() {
    let site = Site::fixture("basic");
    assert_eq!(site.build(&[]).code, 0);
    let (png, svg) = (site.output("cards/love/card.png"), site.output("cards/love/card.svg"));
    let (png_written, svg_written) = (written(&png), written(&svg));
    let old_css = css_href(&site.read("cards/love/index.html"));
    std::thread::sleep(std::time::Duration::from_millis(20));
    site.write("themes/chocolate/style.css", "body { color: rebeccapurple; }\n");
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("(3 with only their pages made again)"), "{}", run.stderr);
    let new_css = css_href(&site.read("cards/love/index.html"));
    assert_ne!(old_css, new_css, "the page links the new stylesheet");
    assert!(site.read(new_css.trim_start_matches('/')).contains("rebeccapurple"));
    assert!(!site.output(old_css.trim_start_matches('/')).exists(), "the old stylesheet is removed");
    assert_eq!((written(&png), written(&svg)), (png_written, svg_written), "the card was not drawn again");
    assert_same_as_a_clean_build(&site, "a page-only rebuild");
}

#[test]
fn base_url_can_be_given_for_one_build_without_drawing_the_cards_again() {
    let site = Site::fixture("basic");
    assert_eq!(site.build(&[]).code, 0);
    let png = site.output("cards/love/card.png");
    let drawn = written(&png);
    let run = site.build(&["--base-url", "https://preview.example.org/shop"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let gallery = site.read("index.html");
    assert!(gallery.contains("href=\"https://preview.example.org/shop/cards/love/\""), "{gallery}");
    assert_eq!(written(&png), drawn, "only the pages change");
}

#[test]
fn the_files_of_a_removed_card_are_removed() {
    let site = Site::fixture("basic");
    assert_eq!(site.build(&[]).code, 0);
    assert!(site.output("cards/orders/shipped/card.png").is_file());
    std::fs::remove_file(site.root().join("content/orders/shipped.md")).unwrap();
    assert_eq!(site.build(&[]).code, 0);
    assert!(!site.output("cards/orders").exists(), "the card's files and folders are gone");
    assert!(!site.read("index.html").contains("/cards/orders/shipped/"));
    assert!(site.output("cards/love/card.png").is_file());
}

#[test]
fn a_broken_edit_keeps_the_last_good_card() {
    let site = Site::fixture("basic");
    assert_eq!(site.build(&[]).code, 0);
    site.write("content/love.md", "---\ntitel: broken\n---\nOops.\n");
    let run = site.build(&[]);
    assert_eq!(run.code, 1);
    assert!(site.output("cards/love/card.png").is_file(), "the last good card stays");
    assert!(site.read("index.html").contains("/cards/love/"));
}

#[test]
fn an_edit_makes_again_only_the_gallery_page_listing_the_card() {
    let site = Site::fixture("basic");
    site.add_settings("gallery:\n  per_page: 1\n");
    assert_eq!(site.build(&[]).code, 0);
    let pages = ["index.html", "page/2/index.html", "page/3/index.html"];
    let plain = pages.iter().position(|p| site.read(p).contains("/cards/plain/")).expect("a page lists plain");
    let before: Vec<_> = pages.iter().map(|p| written(&site.output(p))).collect();
    std::thread::sleep(std::time::Duration::from_millis(20));
    site.write("content/plain.md", "A plain note, edited.\n");
    // A new process: what the last build made is known from its cache.
    assert_eq!(site.build(&[]).code, 0);
    for (i, page) in pages.iter().enumerate() {
        let same = written(&site.output(page)) == before[i];
        assert_eq!(same, i != plain, "{page} made again: {}", !same);
    }
    assert!(site.read(pages[plain]).contains("A plain note, edited."));
    assert_same_as_a_clean_build(&site, "an incremental build");
}

#[test]
fn a_damaged_build_cache_makes_every_card_again() {
    let site = Site::fixture("basic");
    assert_eq!(site.build(&[]).code, 0);
    let gallery = site.read("index.html");
    // The gallery entries' file cut short: the cache cannot be trusted.
    std::fs::write(site.state("cache/entries.jsonl"), "").unwrap();
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("unchanged"), "every card is made again: {}", run.stderr);
    assert_eq!(site.read("index.html"), gallery);
    // Another entries file in its place (remade by another build): the same.
    let entries = std::fs::read_to_string(site.state("cache/entries.jsonl")).unwrap();
    let (_, lines) = entries.split_once('\n').unwrap();
    std::fs::write(site.state("cache/entries.jsonl"), format!("{{\"entries\":\"another\"}}\n{lines}")).unwrap();
    let run = site.build(&[]);
    assert!(!run.stderr.contains("unchanged"), "{}", run.stderr);
    assert_eq!(site.read("index.html"), gallery);
    // A cache file that is not JSON: the same.
    std::fs::write(site.state("cache/build.json"), "{ not json").unwrap();
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("unchanged"), "{}", run.stderr);
    assert_eq!(site.read("index.html"), gallery);
}

/// The web font files of the site's output, by name.
fn web_fonts(site: &Site) -> std::collections::BTreeMap<String, std::time::SystemTime> {
    let dir = site.output("assets/fonts");
    let names = crate::support::tree(&dir).into_keys();
    names.map(|name| (name.clone(), written(&dir.join(name)))).collect()
}

#[test]
fn a_character_no_page_showed_makes_again_only_the_fonts_that_have_it_and_then_every_page() {
    let site = Site::fixture("basic");
    assert_eq!(site.build(&[]).code, 0);
    let (fonts, gallery, love) =
        (web_fonts(&site), site.read("index.html"), written(&site.output("cards/love/index.html")));
    assert!(fonts.keys().all(|name| name.ends_with(".woff2")), "{fonts:?}");
    std::thread::sleep(std::time::Duration::from_millis(20));
    // An edit in letters every page's fonts hold already: the stylesheet,
    // the fonts and the other pages stay as they are.
    site.write("content/plain.md", "A plain note, edited: café, “naïve” — and 25 €.\n");
    assert_eq!(site.build(&[]).code, 0);
    assert_eq!(web_fonts(&site), fonts);
    assert_eq!(css_href(&site.read("index.html")), css_href(&gallery));
    assert_eq!(written(&site.output("cards/love/index.html")), love, "another card's page is not made again");
    // A Chinese word: only a font that has it is made, and every page
    // links the stylesheet that names it.
    site.write("content/plain.md", "A plain note: 谢谢.\n");
    assert_eq!(site.build(&[]).code, 0);
    let now = web_fonts(&site);
    let new: Vec<&String> = now.keys().filter(|name| !fonts.contains_key(*name)).collect();
    assert!(new.len() == 1 && new[0].starts_with("NotoSerifSC-Regular."), "{new:?}");
    assert!(fonts.iter().all(|(name, time)| now.get(name) == Some(time)), "the Latin fonts stay: {now:?}");
    let css = css_href(&site.read("index.html"));
    assert_ne!(css, css_href(&gallery));
    assert_eq!(css_href(&site.read("cards/love/index.html")), css, "every page links the new stylesheet");
    assert!(!site.output(css_href(&gallery).trim_start_matches('/')).exists(), "the old stylesheet is gone");
    assert_same_as_a_clean_build(&site, "a build with a new character");
    // The word gone, its font goes too.
    site.write("content/plain.md", "A plain note.\n");
    assert_eq!(site.build(&[]).code, 0);
    assert_eq!(web_fonts(&site).keys().collect::<Vec<_>>(), fonts.keys().collect::<Vec<_>>());
}
