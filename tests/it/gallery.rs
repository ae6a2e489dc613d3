//! The published site around the cards: tag pages, the way from a card to
//! the cards beside it, and theme partials.

use crate::support::{require, Site};

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
