//! A build: the cards it draws (their size, text and colours), the files it
//! makes and those it leaves out, drafts and slugs, and the same bytes every
//! time, on any number of threads.

use crate::support::{self, site_tree, Site, ACCENT, INK, TEXT_BOX};

#[test]
fn builds_cards_pages_and_a_gallery() {
    let site = Site::fixture("basic");
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("built 3 cards"), "{}", run.stderr);
    for slug in ["love", "plain", "orders/shipped"] {
        for file in ["index.html", "card.png", "card.svg", "thumb.png"] {
            assert!(site.output(&format!("cards/{slug}/{file}")).is_file(), "cards/{slug}/{file} missing");
        }
    }
    let png = site.png("cards/love/card.png");
    assert_eq!((png.width, png.height), (1240, 1748), "A6 at 300 dpi");
    let svg = site.read("cards/love/card.svg");
    assert!(svg.starts_with("<svg") && svg.contains("width=\"1240\""), "{}", &svg[..200]);
    assert!(!svg.contains("<text") && svg.contains("<use"), "the text is in outlines, each glyph drawn once");
}

#[test]
fn emphasis_is_drawn_in_the_accent_colour() {
    let site = Site::fixture("basic");
    assert_eq!(site.build(&[]).code, 0);
    let love = site.png("cards/love/card.png");
    let plain = site.png("cards/plain/card.png");
    // `love` has a title and two emphasised words, all in the accent colour.
    let accent_love = love.count_near(ACCENT, 24, TEXT_BOX);
    let accent_plain = plain.count_near(ACCENT, 24, TEXT_BOX);
    assert!(accent_love > 2000, "accent pixels on the card with emphasis: {accent_love}");
    assert_eq!(accent_plain, 0, "accent pixels on a card without emphasis or title");
    // The plain card still has text, in ink.
    assert!(plain.count_near(INK, 24, TEXT_BOX) > 1000);
}

#[test]
fn emphasis_without_a_title_is_accent_too() {
    let site = Site::empty();
    site.write("content/a.md", "Made with *love*.\n");
    site.write("content/b.md", "Made with love.\n");
    assert_eq!(site.build(&[]).code, 0);
    let a = site.png("cards/a/card.png").count_near(ACCENT, 24, TEXT_BOX);
    let b = site.png("cards/b/card.png").count_near(ACCENT, 24, TEXT_BOX);
    assert!(a > 300, "accent pixels for one emphasised word: {a}");
    assert_eq!(b, 0);
}

#[test]
fn the_card_page_holds_the_text_with_em() {
    let site = Site::fixture("basic");
    assert_eq!(site.build(&[]).code, 0);
    let page = site.read("cards/love/index.html");
    assert!(page.contains("<em>love</em>"), "{page}");
    assert!(page.contains("<em>Beverly</em>, our very own craft genius."), "{page}");
    assert!(page.contains("You\u{2019}re welcome back anytime."), "smart quotes: {page}");
    assert!(page.contains("with love, Beverly"));
    assert!(page.contains("<time datetime=\"2026-11-23\">November 23, 2026</time>"));
    // The HTML card is told the PNG's text size (13.5pt at 300 dpi on a 1240 px card).
    assert!(page.contains("--text: 0.0454;"), "{page}");
}

#[test]
fn the_body_template_sees_the_front_matter_and_formats_dates() {
    let site = Site::fixture("basic");
    assert_eq!(site.build(&[]).code, 0);
    let page = site.read("cards/orders/shipped/index.html");
    assert!(page.contains("It left the shop on Friday, November 20."), "{page}");
}

#[test]
fn a_letter_of_250_words_fits_an_a6_card() {
    let site = Site::empty();
    let sentence = "We wanted to write and say how much your kind words meant to all of us here at the studio. ";
    let body = [sentence.repeat(4), sentence.repeat(3), sentence.repeat(3), sentence.repeat(3)].join("\n\n");
    assert!(body.split_whitespace().count() >= 240);
    site.write("content/letter.md", &format!("---\ntitle: Dear friend\nfrom: Bev\n---\n{body}\n"));
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(site.png("cards/letter/card.png").count_near(INK, 24, TEXT_BOX) > 5000);
}

#[test]
fn drafts_are_skipped_unless_asked_for() {
    let site = Site::fixture("basic");
    let run = site.build(&[]);
    assert!(run.stderr.contains("(1 draft skipped)"), "{}", run.stderr);
    assert!(!site.output("cards/secret").exists());
    assert!(!site.read("index.html").contains("Not yet"));
    let run = site.build(&["--drafts"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(site.output("cards/secret/card.png").is_file());
    assert!(site.read("index.html").contains("Not yet"));
}

#[test]
fn two_builds_are_byte_identical() {
    let site = Site::fixture("basic");
    assert_eq!(site.build(&["--output", "out-a"]).code, 0);
    assert_eq!(site.build(&["--output", "out-b"]).code, 0);
    let a = site_tree(&site.root().join("out-a"));
    let b = site_tree(&site.root().join("out-b"));
    assert!(a.len() > 10);
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (path, bytes) in &a {
        assert!(bytes == &b[path], "{path} differs between two builds");
    }
}

#[test]
fn the_bundled_examples_build() {
    let site = Site::examples();
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("built 3 cards"), "{}", run.stderr);
    let shipping = site.read("cards/orders/shipping-note/index.html");
    assert!(shipping.contains("Friday, November 20"), "the shipping note uses its date");
}

#[test]
fn the_slug_comes_from_the_path_or_the_front_matter() {
    let site = Site::empty();
    site.write("waxseal.yaml", "title: Mossbrook\n");
    site.write("content/orders/deb.md", "From the {{ site.title }} studio.\n");
    site.write("content/x.md", "---\nslug: thanks/special\n---\nHello.\n");
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(site.read("cards/orders/deb/index.html").contains("From the Mossbrook studio."));
    assert!(site.output("cards/thanks/special/card.png").is_file());
    assert!(!site.output("cards/x").exists());
}

#[test]
fn parallel_and_single_threaded_builds_are_byte_identical() {
    let site = Site::fixture("golden");
    assert_eq!(site.build(&["--jobs", "1", "--output", "one"]).code, 0);
    assert_eq!(site.build(&["--jobs", "4", "--output", "four"]).code, 0);
    let (one, four) = (site_tree(&site.root().join("one")), site_tree(&site.root().join("four")));
    assert!(one.len() > 30);
    assert!(one == four, "output differs with the thread count");
}

#[test]
fn outputs_choose_the_files_made() {
    let site = Site::fixture("basic");
    let run = site.build(&["--outputs", "html,png"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(site.output("cards/love/card.png").is_file());
    assert!(site.output("cards/love/index.html").is_file());
    assert!(!site.output("cards/love/card.svg").exists());
    let run = site.build(&["--outputs", "jpeg"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("unknown output `jpeg`"), "{}", run.stderr);
    let typo = Site::fixture("basic");
    typo.write("waxseal.yaml", "title: Shop\noutputs:\n  - html\n  - jpeg\n");
    let run = typo.build(&[]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("waxseal.yaml:4:5: error: unknown output `jpeg`"), "{}", run.stderr);
    let svg_only = Site::fixture("basic");
    svg_only.write("waxseal.yaml", "outputs: [svg]\n");
    assert_eq!(svg_only.build(&[]).code, 0);
    assert!(svg_only.output("cards/love/card.svg").is_file());
    assert!(!svg_only.output("cards/love/card.png").exists());
    assert!(!svg_only.output("index.html").exists());
}

#[test]
fn optimize_makes_smaller_pngs_of_the_same_pixels() {
    let site = Site::fixture("basic");
    assert_eq!(site.build(&["--output", "fast"]).code, 0);
    assert_eq!(site.build(&["--output", "small", "--optimize"]).code, 0);
    let fast = site.root().join("fast/cards/love/card.png");
    let small = site.root().join("small/cards/love/card.png");
    let (a, b) = (std::fs::metadata(&fast).unwrap().len(), std::fs::metadata(&small).unwrap().len());
    assert!(b < a, "optimized {b} bytes, fast {a} bytes");
    let (ia, ib) = (support::Image::read(&fast), support::Image::read(&small));
    assert_eq!(ia.diff(&ib, 0).0, 0, "the same pixels");
}

#[cfg(unix)]
#[test]
fn a_huge_jobs_count_is_lowered_to_a_few_threads_per_core() {
    let site = Site::fixture("basic");
    let started = std::time::Instant::now();
    // Within 4 GiB of address space (100,000 threads' stacks do not fit):
    // the machine is not thrashed even when the count is not lowered.
    let out = std::process::Command::new("sh")
        .args(["-c", "ulimit -v 4194304 && exec \"$0\" build --jobs 100000", env!("CARGO_BIN_EXE_waxseal")])
        .current_dir(site.root())
        .output()
        .expect("sh runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let cores = std::thread::available_parallelism().unwrap().get();
    let here = if cores == 1 { "1 core".to_string() } else { format!("{cores} cores") };
    let note =
        format!("note: --jobs 100000 lowered to {}, 4 per core ({here} here): more would only wait\n", 4 * cores);
    assert!(stderr.starts_with(&note), "{stderr}");
    assert!(stderr.contains("built 3 cards"), "{stderr}");
    assert!(started.elapsed() < std::time::Duration::from_secs(60), "took {:?}", started.elapsed());
    assert!(site.output("cards/love/card.png").is_file());
}

/// The signature line of a card page (the words the card is signed with).
fn signature_of(site: &Site, slug: &str) -> String {
    let page = site.read(&format!("cards/{slug}/index.html"));
    let start = page.find("class=\"card-signature").map(|at| at + page[at..].find('>').unwrap() + 1);
    start.map(|at| page[at..at + page[at..].find("</p>").unwrap()].to_string()).unwrap_or_default()
}

/// How many glyphs the card's last line of text (its signature) draws in card.svg.
fn signature_glyphs(site: &Site, slug: &str) -> usize {
    let svg = site.read(&format!("cards/{slug}/card.svg"));
    let last = svg.rfind("<g id=\"waxseal-text-").expect("a line of text");
    let line = &svg[last..];
    line[..line.find("</g></g>").unwrap_or(line.len())].matches("<use").count()
}

#[test]
fn a_card_is_signed_in_its_own_language() {
    let site = Site::empty();
    let card = |lang: &str| format!("---\nfrom: Beverly\nlang: {lang}\n---\nDanke!\n");
    for lang in ["en", "de", "de-CH", "fr", "es", "it", "nl", "pt", "ja", "zh", "ar", "he", "fi"] {
        site.write(&format!("content/{}.md", lang.to_lowercase()), &card(lang));
    }
    site.write("content/minimal.md", "---\nfrom: Deb\ntheme: minimal\n---\nThanks, Deb!\n");
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(signature_of(&site, "en"), "with love, Beverly", "the theme's own words in English");
    assert_eq!(signature_of(&site, "de"), "Alles Liebe, Beverly", "the theme's tone in German");
    assert_eq!(signature_of(&site, "de-ch"), "Alles Liebe, Beverly", "a regional tag falls back to its language");
    for lang in ["fr", "es", "it", "nl", "pt", "ja", "zh", "ar", "he"] {
        let signature = signature_of(&site, lang);
        assert!(signature.ends_with("Beverly") && signature != "Beverly", "{lang}: {signature}");
        assert!(!signature.contains("with") && !signature.contains("love"), "{lang}: {signature}");
    }
    assert_eq!(signature_of(&site, "ja"), "心を込めて Beverly");
    assert_eq!(signature_of(&site, "ar"), "مع أطيب التحيات، Beverly");
    assert_eq!(signature_of(&site, "he"), "בברכה, Beverly");
    // A language waxseal has no words for: the name alone, never English.
    assert_eq!(signature_of(&site, "fi"), "Beverly");
    // A note that already says thanks is not signed with thanks again.
    assert!(!signature_of(&site, "minimal").to_lowercase().contains("thank"), "{}", signature_of(&site, "minimal"));
}

#[test]
fn front_matter_and_site_settings_replace_or_remove_the_sign_off() {
    let site = Site::empty();
    let card = |sign_off: &str| format!("---\nfrom: Beverly\n{sign_off}---\nSee you soon.\n");
    site.write("content/default.md", &card(""));
    site.write("content/own.md", &card("sign_off: \"xoxo,\"\n"));
    site.write("content/empty.md", &card("sign_off: \"\"\n"));
    site.write("content/false.md", &card("sign_off: false\n"));
    site.write("content/null.md", &card("sign_off: null\n"));
    site.write("content/german.md", &card("lang: de\n"));
    assert_eq!(site.build(&[]).code, 0);
    assert_eq!(signature_of(&site, "default"), "with love, Beverly");
    assert_eq!(signature_of(&site, "own"), "xoxo, Beverly");
    for slug in ["empty", "false", "null"] {
        assert_eq!(signature_of(&site, slug), "Beverly", "{slug}");
        assert_eq!(signature_glyphs(&site, slug), "Beverly".len(), "{slug}: the card draws the name alone");
    }
    assert_eq!(signature_glyphs(&site, "own"), "xoxo,Beverly".len(), "the card draws the words it is given");

    // The site's setting is every card's, but a card's own wins.
    site.write("waxseal.yaml", "sign_off: \"Cheers,\"\n");
    assert_eq!(site.build(&[]).code, 0);
    assert_eq!(signature_of(&site, "default"), "Cheers, Beverly");
    assert_eq!(signature_of(&site, "german"), "Cheers, Beverly", "asked for in every language");
    assert_eq!(signature_of(&site, "own"), "xoxo, Beverly");
    assert_eq!(signature_of(&site, "false"), "Beverly");
    // Per language: the languages given, and the theme's for the others.
    site.write("waxseal.yaml", "sign_off:\n  de: \"Bis bald,\"\n");
    assert_eq!(site.build(&[]).code, 0);
    assert_eq!(signature_of(&site, "german"), "Bis bald, Beverly");
    assert_eq!(signature_of(&site, "default"), "with love, Beverly");
    site.write("waxseal.yaml", "sign_off: false\n");
    assert_eq!(site.build(&[]).code, 0);
    assert_eq!(signature_of(&site, "default"), "Beverly");
    assert_eq!(signature_of(&site, "own"), "xoxo, Beverly");
}
