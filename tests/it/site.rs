//! The published site around the cards: tag pages, the way from a card to
//! the cards beside it, and theme partials.

use crate::support::{self, css_href, require, Site, ACCENT};

/// A card dated `date`, titled `title`, with `tags`.
fn card(site: &Site, slug: &str, date: &str, title: &str, tags: &[&str]) {
    let tags = tags.join(", ");
    site.write(
        &format!("content/{slug}.md"),
        &format!("---\ntitle: {title}\ndate: {date}\ntags: [{tags}]\n---\nA note called {title}.\n"),
    );
}

/// The hrefs of the `<a>` elements of `html` with class `class`.
fn links_of_class(html: &str, class: &str) -> Vec<String> {
    let needle = format!("class=\"{class}\"");
    html.match_indices(&needle)
        .filter_map(|(at, _)| {
            let rest = &html[at..];
            let href = rest.split("href=\"").nth(1)?;
            Some(href[..href.find('"')?].to_string())
        })
        .collect()
}

/// The cards listed on a gallery page, by their links.
fn cards_listed(html: &str) -> Vec<String> {
    let list = html.split("<ul class=\"gallery\">").nth(1).unwrap_or("");
    let list = &list[..list.find("</ul>").unwrap_or(list.len())];
    list.split("<a href=\"").skip(1).map(|rest| rest[..rest.find('"').unwrap()].to_string()).collect()
}

#[test]
fn each_tag_has_its_own_pages_and_a_card_links_its_tags() {
    let site = Site::empty();
    site.add_settings("base_url: https://example.org/shop/cards/\ngallery:\n  per_page: 2\n");
    card(&site, "a", "2026-11-01", "Oldest", &["thank-you"]);
    card(&site, "b", "2026-11-02", "Middle", &["Thank You", "shipping"]);
    card(&site, "c", "2026-11-03", "Newer", &["thank-you"]);
    card(&site, "d", "2026-11-04", "Newest", &["shipping"]);
    let run = site.build(&["--outputs", "html"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let base = "https://example.org/shop/cards/";

    // "Thank You" and "thank-you" make one URL: one tag, named as the newest card names it.
    let first = site.read("tags/thank-you/index.html");
    assert_eq!(cards_listed(&first), [format!("{base}cards/c/"), format!("{base}cards/b/")], "newest first");
    assert!(first.contains("Page 1 of 2") && first.contains(&format!("href=\"{base}tags/thank-you/page/2/\"")));
    let second = site.read("tags/thank-you/page/2/index.html");
    assert_eq!(cards_listed(&second), [format!("{base}cards/a/")]);
    assert_eq!(cards_listed(&site.read("tags/shipping/index.html")).len(), 2);
    // Every gallery page names every tag, with its count, and the page's own tag.
    let gallery = site.read("index.html");
    assert!(gallery.contains(&format!("href=\"{base}tags/shipping/\">shipping <span class=\"count\">2</span>")));
    assert!(first.contains("aria-current=\"page\">thank-you"), "{first}");
    assert!(first.contains("<title>thank-you · "), "the tag's pages say which tag they are");
    // A card's page links the pages of its tags.
    let middle = site.read("cards/b/index.html");
    assert!(middle.contains(&format!("<a href=\"{base}tags/thank-you/\" rel=\"tag\">Thank You</a>")), "{middle}");
    assert!(middle.contains(&format!("<a href=\"{base}tags/shipping/\" rel=\"tag\">shipping</a>")));
    // The sitemap lists them.
    let sitemap = site.read("sitemap.xml");
    assert!(sitemap.contains(&format!("<loc>{base}tags/thank-you/page/2/</loc>")), "{sitemap}");

    // A tag no card has any more goes, with all its pages.
    card(&site, "b", "2026-11-02", "Middle", &["shipping"]);
    card(&site, "c", "2026-11-03", "Newer", &[]);
    assert_eq!(site.build(&["--outputs", "html"]).code, 0);
    assert_eq!(cards_listed(&site.read("tags/thank-you/index.html")), [format!("{base}cards/a/")]);
    assert!(!site.output("tags/thank-you/page").exists(), "its second page is gone");
    std::fs::remove_file(site.root().join("content/a.md")).unwrap();
    assert_eq!(site.build(&["--outputs", "html"]).code, 0);
    assert!(!site.output("tags/thank-you").exists(), "a tag with no cards has no pages");
    assert!(!site.read("index.html").contains("tags/thank-you/"));
    assert!(site.output("tags/shipping/index.html").is_file());
}

#[test]
fn a_card_page_leads_to_the_newer_and_the_older_card() {
    let site = Site::empty();
    card(&site, "a", "2026-11-01", "Oldest", &[]);
    card(&site, "b", "2026-11-02", "Middle", &[]);
    card(&site, "c", "2026-11-03", "Newest", &[]);
    assert_eq!(site.build(&["--outputs", "html"]).code, 0);
    let nav = |slug: &str| {
        let page = site.read(&format!("cards/{slug}/index.html"));
        (links_of_class(&page, "card-nav-newer"), links_of_class(&page, "card-nav-older"))
    };
    assert_eq!(nav("b"), (vec!["/cards/c/".to_string()], vec!["/cards/a/".to_string()]));
    assert_eq!(nav("c"), (vec![], vec!["/cards/b/".to_string()]), "the newest card has no newer one");
    assert_eq!(nav("a"), (vec!["/cards/b/".to_string()], vec![]));
    assert!(site.read("cards/b/index.html").contains("Older &rarr;</span> Oldest</a>"));

    // Editing the oldest card's words leaves the newest card's page as it
    // was; a new card makes the pages beside it again.
    let mtime = |slug: &str| site.output(&format!("cards/{slug}/index.html")).metadata().unwrap().modified().unwrap();
    let newest_before = mtime("c");
    site.write("content/a.md", "---\ntitle: Oldest\ndate: 2026-11-01\n---\nOther words.\n");
    assert_eq!(site.build(&["--outputs", "html"]).code, 0);
    assert_eq!(mtime("c"), newest_before, "a page whose neighbours did not change is not written");
    assert!(site.read("cards/a/index.html").contains("Other words."));
    card(&site, "d", "2026-11-04", "Brand new", &[]);
    assert_eq!(site.build(&["--outputs", "html"]).code, 0);
    assert_eq!(nav("c"), (vec!["/cards/d/".to_string()], vec!["/cards/b/".to_string()]));
    assert!(site.read("cards/c/index.html").contains("Newer</span> Brand new</a>"));
    // Its title changed: so does the link to it.
    card(&site, "b", "2026-11-02", "Renamed", &[]);
    assert_eq!(site.build(&["--outputs", "html"]).code, 0);
    assert!(site.read("cards/c/index.html").contains("Older &rarr;</span> Renamed</a>"));
    assert!(site.read("cards/a/index.html").contains("Newer</span> Renamed</a>"));
}

#[test]
fn a_card_page_has_a_copy_link_button_hidden_until_its_script_shows_it() {
    let site = Site::empty();
    site.add_settings("base_url: https://example.org/shop/\n");
    card(&site, "a", "2026-11-01", "Hello", &[]);
    assert_eq!(site.build(&["--outputs", "html"]).code, 0);
    let page = site.read("cards/a/index.html");
    assert!(
        page.contains(
            "<button type=\"button\" class=\"copy-link\" data-url=\"https://example.org/shop/cards/a/\" hidden>"
        ),
        "{page}"
    );
    assert!(page.contains("navigator.clipboard.writeText(url)"));
}

#[test]
fn an_error_in_a_partial_names_the_partial() {
    let site = Site::empty();
    card(&site, "a", "2026-11-01", "Hello", &[]);
    site.write("themes/chocolate/partials/head.html", "<title>{{ page.title }}</title>\n{{ page.nonsense }}\n");
    let run = site.build(&["--outputs", "html"]);
    assert_ne!(run.code, 0);
    let at = run.stderr.lines().find(|l| l.contains("partials/head.html")).unwrap_or_else(|| panic!("{}", run.stderr));
    assert!(at.contains("themes/chocolate/partials/head.html:2:"), "{at}");
    // Fixed, the pages are made again.
    site.write("themes/chocolate/partials/head.html", "<title>{{ page.title }} (mine)</title>\n");
    assert_eq!(site.build(&["--outputs", "html"]).code, 0);
    assert!(site.read("cards/a/index.html").contains("<title>Hello · "), "{}", site.read("cards/a/index.html"));
    assert!(site.read("cards/a/index.html").contains("(mine)</title>"));
    assert!(site.read("index.html").contains("(mine)</title>"));
}

#[test]
fn a_relative_base_url_is_noted_as_unfit_for_feeds_and_previews() {
    let site = Site::empty();
    card(&site, "a", "2026-11-01", "Hello", &[]);
    let run = site.build(&["--outputs", "html"]);
    assert_eq!(run.code, 0);
    assert!(
        run.stderr.contains("note: base_url is `/`, so feed.xml, sitemap.xml and the link previews"),
        "{}",
        run.stderr
    );
    assert!(site.read("feed.xml").contains("/cards/a/"));
    // Not with an absolute one, nor when only pictures are made.
    let run = site.build(&["--outputs", "html", "--base-url", "https://example.org/"]);
    assert!(!run.stderr.contains("note:"), "{}", run.stderr);
    assert!(site.read("feed.xml").contains("https://example.org/cards/a/"));
    assert!(!site.build(&["--outputs", "png"]).stderr.contains("note:"));
}

#[test]
fn copy_link_puts_the_published_address_of_the_card_on_the_clipboard() {
    use serde_json::json;
    let site = Site::empty();
    site.add_settings("base_url: https://example.org/shop/\n");
    card(&site, "a", "2026-11-01", "Hello", &[]);
    assert_eq!(site.build(&["--outputs", "html"]).code, 0);
    require!("chromium");
    let origin = crate::support::serve(&site.output("")).trim_end_matches('/').to_string();
    let url = format!("{origin}/cards/a/");
    let browser = crate::browser::Browser::open(&url);
    let mut page = browser.page(&url);
    page.load(&url);
    let granted = page.call(
        "Browser.grantPermissions",
        json!({ "origin": origin, "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"] }),
    );
    assert!(granted.is_object(), "{granted}");
    // Shown by the page's script (hidden without JavaScript).
    let hidden = page.eval("document.querySelector('.copy-link').hidden").unwrap();
    assert_eq!(hidden, serde_json::Value::Bool(false));
    let click = "document.querySelector('.copy-link').click()";
    page.call("Runtime.evaluate", json!({ "expression": click, "userGesture": true }));
    page.until("the button to say so", "document.querySelector('.copy-link').textContent", |v| v == "Link copied");
    let read = page.call(
        "Runtime.evaluate",
        json!({ "expression": "navigator.clipboard.readText()", "awaitPromise": true, "userGesture": true }),
    );
    assert_eq!(read["result"]["value"], "https://example.org/shop/cards/a/", "{read}");
}

#[test]
fn the_gallery_lists_every_card_newest_first() {
    let site = Site::fixture("basic");
    assert_eq!(site.build(&[]).code, 0);
    let gallery = site.read("index.html");
    assert!(gallery.contains("<title>Fixture Shop</title>"));
    let love = gallery.find("href=\"/cards/love/\"").expect("link to love");
    let shipped = gallery.find("href=\"/cards/orders/shipped/\"").expect("link to orders/shipped");
    let plain = gallery.find("href=\"/cards/plain/\"").expect("link to plain");
    assert!(love < shipped && shipped < plain, "newest first, undated last");
    assert!(gallery.contains("src=\"/cards/love/thumb.png\" srcset=\"/cards/love/card-1x.webp 360w, "), "{gallery}");
    assert!(gallery.contains(" width=\"360\" height=\"507\""), "{gallery}");
    // Every link and image of the gallery (each of a srcset's) points at a file that exists.
    let quoted = gallery.split(['"', '\'']).filter(|s| s.starts_with('/'));
    for url in quoted.flat_map(|s| s.split(", ").map(|c| c.split(' ').next().unwrap_or(c))) {
        let rel = url.trim_start_matches('/');
        let path = if rel.is_empty() || rel.ends_with('/') { format!("{rel}index.html") } else { rel.to_string() };
        assert!(site.output(&path).is_file(), "{url} does not exist in output/");
    }
}

#[test]
fn the_gallery_shows_its_cards_in_a_browser() {
    let site = Site::fixture("basic");
    assert_eq!(site.build(&[]).code, 0);
    require!("chromium");
    let url = support::serve(&site.root().join("output"));
    let shot = support::screenshot(&url, 1280, 900);
    // The thumbnails loaded: cream card paper and the rose of titles and
    // emphasis show up in the grid, where a broken image would be blank.
    let grid = (0.0, 0.12, 1.0, 1.0);
    let paper = shot.count_near("#fbf4e6", 6, grid);
    assert!(paper > 20_000, "card paper pixels in the gallery: {paper}");
    assert!(shot.count_near(ACCENT, 30, grid) > 200, "rose titles on the thumbnails");
    // The page's own heading is set in the theme's script font, in rose.
    assert!(shot.count_near(ACCENT, 30, (0.3, 0.0, 0.7, 0.12)) > 300, "the gallery title");
    // And the card page renders its text.
    let page = support::screenshot(&format!("{url}cards/love/"), 1000, 900);
    assert!(page.count_near(ACCENT, 30, (0.0, 0.0, 1.0, 1.0)) > 500);
}

#[test]
fn the_gallery_is_split_into_pages_that_link_to_each_other() {
    let site = Site::fixture("basic");
    let config = std::fs::read_to_string(site.root().join("waxseal.yaml")).unwrap();
    site.write("waxseal.yaml", &format!("{config}\ngallery:\n  per_page: 2\n"));
    assert_eq!(site.build(&[]).code, 0);
    let (first, second) = (site.read("index.html"), site.read("page/2/index.html"));
    let cards_on = |page: &str| page.matches("class=\"gallery-title\"").count();
    assert_eq!((cards_on(&first), cards_on(&second)), (2, 1), "newest two first, the oldest on page 2");
    assert!(first.contains("href=\"/page/2/\"") && first.contains("Page 1 of 2"), "{first}");
    assert!(second.contains("rel=\"prev\" href=\"/\""), "{second}");
    // All on one page again: page 2 goes.
    site.write("waxseal.yaml", &format!("{config}\ngallery:\n  per_page: 0\n"));
    assert_eq!(site.build(&[]).code, 0);
    assert_eq!(cards_on(&site.read("index.html")), 3);
    assert!(!site.output("page").exists(), "the second page and its folder are removed");
}

/// The `src` of the seal picture on a card page.
fn seal_src(page: &str) -> String {
    let at = page.find("class=\"card-seal\"").expect("a seal on the page");
    let src = &page[at..][page[at..].find("src=\"").expect("a seal picture") + 5..];
    src[..src.find('"').unwrap()].to_string()
}

#[test]
fn card_pages_share_seal_files_which_go_with_their_last_card() {
    let site = Site::empty();
    site.write("waxseal.yaml", "title: Seals\n");
    for n in 0..30 {
        site.write(&format!("content/m{n}.md"), "---\nseal: {emblem: monogram, initials: AB}\n---\nThank you!\n");
    }
    assert_eq!(site.build(&[]).code, 0);
    let seals = || std::fs::read_dir(site.output("assets/seals")).map_or(0, |d| d.count());
    assert!((2..30).contains(&seals()), "{} seal files for 30 cards", seals());
    for n in 0..30 {
        let src = seal_src(&site.read(&format!("cards/m{n}/index.html")));
        let svg = site.read(src.trim_start_matches('/'));
        assert!(svg.starts_with("<svg") && !svg.contains("<text"), "{src}: the initials are outlines");
    }
    let kept = seal_src(&site.read("cards/m0/index.html"));
    for n in 1..30 {
        std::fs::remove_file(site.root().join(format!("content/m{n}.md"))).unwrap();
    }
    assert_eq!(site.build(&[]).code, 0);
    assert_eq!(seals(), 1, "only the seal of the card left stays");
    assert!(site.output(kept.trim_start_matches('/')).is_file());
}

#[test]
fn the_feed_sitemap_and_robots_list_the_cards_under_the_base_url() {
    let site = Site::fixture("basic");
    site.add_settings("base_url: https://example.org/shop/\n");
    assert_eq!(site.build(&[]).code, 0);
    let cards = ["https://example.org/shop/cards/love/", "https://example.org/shop/cards/orders/shipped/"];

    let feed = site.read("feed.xml");
    let feed = roxmltree::Document::parse(&feed).expect("the feed is XML");
    let atom = "http://www.w3.org/2005/Atom";
    assert_eq!(feed.root_element().tag_name().namespace(), Some(atom));
    let entries: Vec<_> = feed.descendants().filter(|n| n.has_tag_name((atom, "entry"))).collect();
    let links: Vec<&str> = entries
        .iter()
        .map(|e| e.children().find(|n| n.has_tag_name((atom, "link")) && n.attribute("rel").is_none()).unwrap())
        .map(|link| link.attribute("href").unwrap())
        .collect();
    // The dated cards, newest first, each with its own date; the undated
    // `plain` is left out (given no other card's date), and so is the draft.
    assert_eq!(links, cards, "{links:?}");
    let updated: Vec<&str> = entries
        .iter()
        .map(|e| e.children().find(|n| n.has_tag_name((atom, "updated"))).unwrap().text().unwrap())
        .collect();
    assert_eq!(updated, ["2026-11-23T00:00:00Z", "2026-11-20T00:00:00Z"]);
    let feed_updated = feed.root_element().children().find(|n| n.has_tag_name((atom, "updated"))).unwrap();
    assert_eq!(feed_updated.text(), Some("2026-11-23T00:00:00Z"), "dated by its newest card");

    let sitemap = site.read("sitemap.xml");
    let sitemap = roxmltree::Document::parse(&sitemap).expect("the sitemap is XML");
    let locs: Vec<&str> = sitemap.descendants().filter(|n| n.has_tag_name("loc")).filter_map(|n| n.text()).collect();
    assert_eq!(locs.first(), Some(&"https://example.org/shop/"), "the gallery first: {locs:?}");
    for card in cards {
        assert!(locs.contains(&card), "{card} in {locs:?}");
    }
    assert!(locs.iter().all(|l| l.starts_with("https://example.org/shop/")), "{locs:?}");
    assert!(site.read("robots.txt").contains("Sitemap: https://example.org/shop/sitemap.xml"));
}

/// The `content` of the page's `<meta>` whose `property` or `name` is `key`.
fn meta(page: &str, key: &str) -> Option<String> {
    let pattern = format!("=\"{key}\" content=\"");
    let rest = &page[page.find(&pattern)? + pattern.len()..];
    Some(rest[..rest.find('"')?].to_string())
}

#[test]
fn a_card_page_unfurls_as_the_card_itself() {
    let site = Site::fixture("basic");
    assert_eq!(site.build(&["--base-url", "https://example.org/shop/"]).code, 0);
    let page = site.read("cards/love/index.html");
    let image = meta(&page, "og:image").expect("og:image");
    assert_eq!(image, "https://example.org/shop/cards/love/share.png");
    assert_eq!(meta(&page, "og:url").as_deref(), Some("https://example.org/shop/cards/love/"));
    assert!(page.contains("<link rel=\"canonical\" href=\"https://example.org/shop/cards/love/\">"));
    assert_eq!(meta(&page, "twitter:card").as_deref(), Some("summary_large_image"));
    assert_eq!(meta(&page, "og:title").as_deref(), Some("Thank you, Deb"));
    let description = meta(&page, "og:description").unwrap();
    assert!(description == "Your order was made with love by Beverly, our very own craft genius.", "{description}");
    // The preview: 1200 x 630, the card (its paper and its accent-coloured
    // emphasis) in the middle, the theme's paper edge around it.
    // The gallery unfurls as its newest card.
    let gallery = site.read("index.html");
    assert_eq!(meta(&gallery, "og:image").as_deref(), Some(image.as_str()), "love is the newest card");
    assert_eq!(meta(&gallery, "og:url").as_deref(), Some("https://example.org/shop/"));
    let share = site.png("cards/love/share.png");
    assert_eq!((share.width, share.height), (1200, 630));
    assert_eq!(share.pixel(20, 315)[..3], support::hex("#f1e2c8"), "the margin is the paper edge");
    assert_eq!(share.pixel(600, 20)[..3], support::hex("#f1e2c8"), "the card's top edge shows");
    let middle = (0.35, 0.1, 0.65, 0.9);
    assert!(share.count_near("#fbf4e6", 10, middle) > 40_000, "the card's paper fills the middle");
    assert!(share.count_near(ACCENT, 24, middle) > 200, "its emphasis is drawn");
}

/// A letter as long as a 5x7 card holds, in the kraft theme: small text
/// under stamps.
const LONG_LETTER: &str = "---
title: A note for Oksana
theme: kraft
size: 5x7
date: 2026-11-20
---
Your parcel left the studio this morning, wrapped in brown paper and tied with the red string you liked so much last spring. \
We packed the blue mug first, then the two small bowls, each in its own sleeve of tissue, and a sprig of dried lavender on top.

The glaze on the mug came out darker than the sample, closer to the colour of the sea on a grey day. We hope you like it as much as we do. \
If anything arrives chipped or cracked, write to us and we will make it again, no questions asked.

Thank you for waiting while the kiln was being repaired. It took three weeks longer than we promised, and you were kind about it. \
The new shelf in the shop is full again, and the winter pieces go out next Friday.

With many thanks from all of us at the workshop, and see you at the market in December.
";

/// The words of `text`, lower case, without punctuation.
fn words(text: &str) -> Vec<String> {
    let letters = |w: &str| w.chars().filter(|c| c.is_alphanumeric()).collect::<String>().to_lowercase();
    text.split_whitespace().map(letters).filter(|w| !w.is_empty()).collect()
}

#[test]
fn a_link_preview_shows_the_message_large_enough_to_read_in_a_feed() {
    let site = Site::fixture("basic");
    site.write("content/long.md", LONG_LETTER);
    assert_eq!(site.build(&[]).code, 0);
    require!("tesseract");
    let cases = [
        ("love", "Thank you, Deb. Your order was made with love by Beverly"),
        ("long", "Your parcel left the studio this morning, wrapped in brown paper and tied with the red string"),
    ];
    for (slug, opening) in cases {
        // As a feed shows it: 500 px wide.
        let share = site.png(&format!("cards/{slug}/share.png"));
        assert_eq!((share.width, share.height), (1200, 630));
        let seen = site.root().join(format!("{slug}-500.png"));
        share.shrunk(500).write_png(&seen);
        let ocr = std::process::Command::new("tesseract").arg(&seen).arg("-").output().expect("tesseract runs");
        assert!(ocr.status.success(), "{}", String::from_utf8_lossy(&ocr.stderr));
        let read = words(&String::from_utf8_lossy(&ocr.stdout));
        let wanted = words(opening);
        let found = wanted.iter().filter(|w| read.contains(w)).count();
        assert!(
            found * 10 >= wanted.len() * 9,
            "{slug}: {found} of the {} words of the message's opening read back at 500 px: {read:?}",
            wanted.len()
        );
    }
}

/// The text of `page`'s `<title>`.
fn title_of(page: &str) -> String {
    let rest = &page[page.find("<title>").expect("a title") + 7..];
    rest[..rest.find("</title>").unwrap()].to_string()
}

#[test]
fn every_list_page_has_its_own_title_and_a_description() {
    let site = Site::empty();
    site.add_settings(
        "title: Mossbrook
gallery:
  per_page: 2
",
    );
    for n in 1..=5 {
        card(&site, &format!("c{n}"), &format!("2026-11-0{n}"), &format!("Card {n}"), &["thanks"]);
    }
    assert_eq!(site.build(&[]).code, 0);
    let pages = [
        ("index.html", "Mossbrook", "5 cards from Mossbrook, newest first."),
        ("page/2/index.html", "Mossbrook · page 2", "5 cards from Mossbrook, newest first. Page 2 of 3."),
        ("tags/thanks/index.html", "thanks · Mossbrook", "5 cards tagged \u{201c}thanks\u{201d} from Mossbrook."),
        (
            "tags/thanks/page/3/index.html",
            "thanks · page 3 · Mossbrook",
            "5 cards tagged \u{201c}thanks\u{201d} from Mossbrook. Page 3 of 3.",
        ),
    ];
    for (file, title, description) in pages {
        let page = site.read(file);
        assert_eq!(title_of(&page), title, "{file}");
        for key in ["description", "og:description", "twitter:description"] {
            assert_eq!(meta(&page, key).as_deref(), Some(description), "{file}: {key}");
        }
        assert_eq!(meta(&page, "twitter:title"), meta(&page, "og:title"), "{file}");
        // A canonical link must be a whole URL: none under a relative base_url.
        assert!(!page.contains("rel=\"canonical\""), "{file}");
    }
    assert_eq!(site.read("robots.txt"), "User-agent: *\nAllow: /\n", "no Sitemap: line without a whole URL");
    // A site's own description says what its gallery is.
    site.add_settings("description: Thank-you cards from a small studio\n");
    assert_eq!(site.build(&[]).code, 0);
    let gallery = site.read("page/3/index.html");
    assert_eq!(meta(&gallery, "description").as_deref(), Some("Thank-you cards from a small studio. Page 3 of 3."));
}

#[test]
fn a_thumbnail_says_the_title_and_first_sentence_and_the_card_page_does_not_repeat_its_text() {
    let site = Site::fixture("basic");
    assert_eq!(site.build(&[]).code, 0);
    let gallery = site.read("index.html");
    let alts: Vec<&str> = gallery.split(" alt=\"").skip(1).map(|rest| &rest[..rest.find('"').unwrap()]).collect();
    assert!(
        alts.contains(&"Thank you, Deb: Your order was made with love by Beverly, our very own craft genius."),
        "{alts:?}"
    );
    assert!(alts.iter().all(|alt| alt.chars().count() <= 260), "short: {alts:?}");
    // The card page's picture of the card sits beside its text: no alt text
    // to read it twice.
    let page = site.read("cards/love/index.html");
    let figure = &page[page.find("<figure class=\"print-card\">").expect("the print card")..];
    let img = &figure[..figure.find('>').unwrap()];
    assert!(figure[..figure.find("</figure>").unwrap()].contains(" alt=\"\" "), "{img}");
}

#[test]
fn every_page_has_the_sites_seal_as_its_icon() {
    let site = Site::fixture("basic");
    assert_eq!(site.build(&["--base-url", "https://example.org/shop/"]).code, 0);
    for page in ["index.html", "cards/love/index.html", "tags/thank-you/index.html", "404.html"] {
        let html = site.read(page);
        for link in [
            "<link rel=\"icon\" type=\"image/png\" sizes=\"64x64\" href=\"https://example.org/shop/favicon.png\">",
            "<link rel=\"apple-touch-icon\" href=\"https://example.org/shop/apple-touch-icon.png\">",
        ] {
            assert!(html.contains(link), "{page}: {link}");
        }
    }
    // The chocolate seal: brown wax in the middle, nothing in the corners
    // of the favicon, the theme's cream paper in those of the home-screen icon.
    let icon = site.png("favicon.png");
    assert_eq!((icon.width, icon.height), (64, 64));
    assert_eq!(icon.pixel(1, 1)[3], 0, "the favicon's corners are clear");
    let middle = (0.3, 0.3, 0.7, 0.7);
    assert!(icon.count_near("#8a5a3a", 60, middle) > 100, "wax in the middle of the favicon");
    let touch = site.png("apple-touch-icon.png");
    assert_eq!((touch.width, touch.height), (180, 180));
    assert_eq!(touch.pixel(2, 2), [0xfb, 0xf4, 0xe6, 0xff], "the paper behind the seal");
    // A no-op build draws them again only when they are gone.
    std::fs::remove_file(site.output("favicon.png")).unwrap();
    assert_eq!(site.build(&["--base-url", "https://example.org/shop/"]).code, 0);
    assert_eq!(site.png("favicon.png").pixel(32, 32), icon.pixel(32, 32));
}

#[test]
fn a_missing_url_gets_the_themes_not_found_page() {
    let site = Site::fixture("basic");
    assert_eq!(site.build(&["--base-url", "https://example.org/shop/"]).code, 0);
    let page = site.read("404.html");
    assert!(page.contains("href=\"https://example.org/shop/\""), "a way back to the gallery: {page}");
    let css = css_href(&page);
    assert!(css.starts_with("https://example.org/shop/assets/") && css.ends_with(".css"), "{css}");
    assert!(page.contains("noindex"));
    // HTML off: it goes with the other pages.
    assert_eq!(site.build(&["--outputs", "png"]).code, 0);
    assert!(!site.output("404.html").exists() && !site.output("feed.xml").exists());
}

#[test]
fn the_tag_pages_grow_with_the_site_not_with_its_tags_squared() {
    // Each card has three tags of its own: every page once listed every
    // tag, so the tag pages grew with the square of the cards.
    let tag_pages = |cards: usize| {
        let site = Site::empty();
        site.add_settings("gallery:\n  per_page: 100\n");
        for i in 0..cards {
            let tags = [format!("red{i}"), format!("green{i}"), format!("blue{i}")];
            let tags: Vec<&str> = tags.iter().map(String::as_str).collect();
            card(&site, &format!("c{i}"), "2026-11-01", &format!("Card {i}"), &tags);
        }
        let run = site.build(&["--outputs", "html"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let files: Vec<u64> = walkdir::WalkDir::new(site.output("tags"))
            .into_iter()
            .map(Result::unwrap)
            .filter(|e| e.file_type().is_file())
            .map(|e| e.metadata().unwrap().len())
            .collect();
        assert_eq!(files.len(), 3 * cards, "a page for each tag");
        // The most used tags are named on every page, the others on their cards' pages.
        let gallery = site.read("index.html");
        assert_eq!(gallery.matches("<span class=\"count\">").count(), 50.min(3 * cards));
        assert!(site.read("cards/c7/index.html").contains("tags/blue7/\" rel=\"tag\">blue7</a>"));
        files.iter().sum::<u64>()
    };
    let (small, large) = (tag_pages(20), tag_pages(60));
    assert!(large < 60 * 3 * 12_000, "{large} bytes of tag pages for 180 tags");
    assert!(large * 10 < small * 3 * 12, "{small} bytes for 20 cards, {large} for 60: more than linear");
}
