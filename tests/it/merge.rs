//! Mail merge: a message with `recipients:` makes one card per row, bad rows
//! are reported with their row and line, and the gallery lists the cards of
//! a merged message as one entry.

use crate::support::Site;

/// The rows of the `merge` fixture's `content/orders.csv` as (name,
/// nickname, order_id, items, shipped), in order.
fn rows(site: &Site) -> Vec<[String; 5]> {
    let text = std::fs::read_to_string(site.root().join("content/orders.csv")).unwrap();
    text.lines()
        .skip(1)
        .map(|line| {
            let cells: Vec<String> = line.split(',').map(String::from).collect();
            cells.try_into().unwrap_or_else(|c: Vec<String>| panic!("{c:?}"))
        })
        .collect()
}

/// Rewrites line `n` (1-based) of the fixture's `content/orders.csv`.
fn set_line(site: &Site, n: usize, line: &str) {
    let path = site.root().join("content/orders.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines[n - 1] = line;
    std::fs::write(path, lines.join("\n") + "\n").unwrap();
}

/// The `href` values of `html`'s links to card pages, in order.
fn card_links(html: &str) -> Vec<&str> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|h| h.starts_with("/cards/"))
        .collect()
}

#[test]
fn fifty_rows_make_fifty_cards_with_the_right_names() {
    let site = Site::fixture("merge");
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("built 51 cards"), "{}", run.stderr);
    let rows = rows(&site);
    assert_eq!(rows.len(), 50);
    for [name, nickname, order, items, _] in &rows {
        let dir = format!("cards/thanks/{order}");
        let page = site.read(&format!("{dir}/index.html"));
        assert!(
            page.contains(&format!("<h1 class=\"card-title script-face\">Thank you, {name}</h1>")),
            "{dir}: {page}"
        );
        // The nickname where the row has one, else the name (`default`).
        let greeting = if nickname.is_empty() { name } else { nickname };
        assert!(page.contains(&format!("<p>Dear {greeting},</p>")), "{dir}: {page}");
        let cds = if items == "1" { "CD" } else { "CDs" };
        assert!(page.contains(&format!("your {items} {cds} left the shop on ")), "{dir}: {page}");
        for file in ["card.png", "card.svg", "thumb.png", "share.png"] {
            assert!(site.output(&format!("{dir}/{file}")).is_file(), "{dir}/{file} missing");
        }
    }
    // Date phrases with ordinal days, from each row's own date.
    for (order, phrase) in [
        ("A-101", "Monday, June 1st."),
        ("A-102", "Tuesday, June 2nd."),
        ("A-103", "Wednesday, June 3rd."),
        ("A-150", "Monday, June 22nd."),
    ] {
        let page = site.read(&format!("cards/thanks/{order}/index.html"));
        assert!(page.contains(phrase), "{order}: {page}");
    }
    assert!(site.read("cards/thanks/A-103/index.html").contains("Dear Cleopatra,"));
    assert!(site.read("cards/thanks/A-101/index.html").contains("your 1 CD left"));
}

#[test]
fn a_bad_row_is_reported_with_its_row_number_and_the_other_rows_are_built() {
    let site = Site::fixture("merge");
    // Row 3 lacks the name its title uses, row 7 has no such date, row 10
    // lacks the number its text uses, and row 12 has a cell too many.
    set_line(&site, 4, ",Cleopatra,A-103,5,2026-06-03");
    set_line(&site, 8, "Greta Holt,,A-107,3,2026-06-31");
    set_line(&site, 11, "Jonah Jansen,,A-110,,2026-06-10");
    set_line(&site, 13, "Luca Brown,,A-112,2,2026-06-12,oops");
    let run = site.build(&["--outputs", "html"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let expected = [
        "content/thanks.md:3:32: error: row 3 of content/orders.csv: Field `name` is not defined. Available fields: items, nickname, order_id, shipped\n  \
         hint: row 3 of content/orders.csv (content/orders.csv:4) has no `name`: fill it in, or give a default: `{{ recipient.name | default(value=\"...\") }}`",
        "content/orders.csv:8:1: error: row 7: `2026-06-31` is not a date\n  \
         hint: write dates as YYYY-MM-DD, e.g. 2026-11-23 (the `date:` of content/thanks.md)",
        "content/thanks.md:12:19: error: row 10 of content/orders.csv: Field `items` is not defined. Available fields: name, order_id, shipped\n  \
         hint: row 10 of content/orders.csv (content/orders.csv:11) has no `items`",
        "content/orders.csv:13:1: error: row 12 has 6 fields; the header names 5",
    ];
    for text in expected {
        assert!(run.stderr.contains(text), "missing `{text}` in\n{}", run.stderr);
    }
    assert!(run.stderr.contains("built 47 cards"), "{}", run.stderr);
    for order in ["A-103", "A-107", "A-110", "A-112"] {
        assert!(!site.output(&format!("cards/thanks/{order}")).exists(), "{order} was built");
    }
    for order in ["A-102", "A-104", "A-111", "A-113", "A-150"] {
        assert!(site.output(&format!("cards/thanks/{order}/index.html")).is_file(), "{order} was not built");
    }
}

#[test]
fn two_rows_with_one_slug_are_an_error_naming_both() {
    let site = Site::fixture("merge");
    set_line(&site, 21, "Tess Jansen,,A-105,2,2026-06-20");
    let run = site.build(&["--outputs", "html"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "content/orders.csv:21:1: error: row 20: slug `thanks/A-105` is already used by row 5 of content/orders.csv (line 6)\n  \
             hint: the `slug:` of content/thanks.md must give each row its own"
        ),
        "{}",
        run.stderr
    );
    // The first row keeps its card; the others are built.
    assert!(site.read("cards/thanks/A-105/index.html").contains("Thank you, Esther Eklund"));
    assert!(run.stderr.contains("built 50 cards"), "{}", run.stderr);

    // A plain message whose slug a row already took is named with that row.
    let site = Site::fixture("merge");
    site.write("content/zz.md", "---\nslug: thanks/A-101\n---\nMine.\n");
    let run = site.build(&["--outputs", "html"]);
    assert!(
        run.stderr.contains(
            "content/zz.md:2:1: error: slug `thanks/A-101` is already used by row 1 of content/orders.csv (line 2)"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn the_gallery_lists_a_merged_message_once_with_a_page_of_its_cards() {
    let site = Site::fixture("merge");
    let run = site.build(&["--outputs", "html", "--base-url", "https://example.org/"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let base = "https://example.org";
    let gallery = site.read("index.html");
    let links: Vec<&str> = gallery.split("href=\"").skip(1).filter_map(|r| r.split('"').next()).collect();
    let cards: Vec<&&str> = links.iter().filter(|l| l.contains("/cards/")).collect();
    assert_eq!(cards, [&format!("{base}/cards/hello/")], "the merged cards are not in the gallery");
    assert_eq!(links.iter().filter(|l| **l == format!("{base}/merged/thanks/")).count(), 1, "{gallery}");
    assert!(gallery.contains("<span class=\"gallery-count\">50 cards</span>"), "{gallery}");
    assert!(!site.output("page/2").exists(), "two entries fit one page");

    // The group's pages: 24 cards a page, newest first, 50 in all.
    let pages = ["merged/thanks/index.html", "merged/thanks/page/2/index.html", "merged/thanks/page/3/index.html"];
    let mut all = Vec::new();
    for page in pages {
        let html = site.read(page).replace(base, "");
        assert!(html.contains("<h2 class=\"tag-heading\">50 cards of “thanks”</h2>"), "{page}: {html}");
        all.extend(card_links(&html).into_iter().map(String::from));
    }
    assert_eq!(card_links(&site.read("merged/thanks/page/3/index.html").replace(base, "")).len(), 2);
    let mut expected: Vec<String> = rows(&site).iter().map(|r| format!("/cards/thanks/{}/", r[2])).collect();
    assert_eq!(all.len(), 50, "{all:?}");
    all.sort();
    expected.sort();
    assert_eq!(all, expected);
    assert!(!site.output("merged/thanks/page/4").exists());

    // A merged card's page leads to its group and to the cards beside it there.
    let page = site.read("cards/thanks/A-122/index.html").replace(base, "");
    assert!(page.contains("<a href=\"/merged/thanks/\">thanks</a></nav>"), "{page}");
    let beside: Vec<&str> = card_links(&page).into_iter().filter(|l| !l.starts_with("/cards/thanks/A-122/")).collect();
    assert!(beside.len() == 2 && beside.iter().all(|l| l.starts_with("/cards/thanks/")), "{beside:?}");
    // The plain card's neighbour in the gallery is the group.
    let hello = site.read("cards/hello/index.html").replace(base, "");
    assert!(hello.contains("href=\"/merged/thanks/\"><span>&larr; Newer</span>"), "{hello}");

    // The tag lists the group once, and says so.
    let tag = site.read("tags/thank-you/index.html").replace(base, "");
    assert!(tag.contains("thank-you <span class=\"count\">1</span>"), "{tag}");
    assert!(card_links(&tag).is_empty() && tag.contains("href=\"/merged/thanks/\""), "{tag}");

    // The sitemap has every card and the group's pages; the feed one entry for the group.
    let sitemap = site.read("sitemap.xml");
    for url in expected
        .iter()
        .map(|u| format!("<loc>{base}{u}</loc>"))
        .chain([format!("<loc>{base}/merged/thanks/</loc>"), format!("<loc>{base}/merged/thanks/page/3/</loc>")])
    {
        assert!(sitemap.contains(&url), "{url} not in {sitemap}");
    }
    let feed = site.read("feed.xml");
    assert_eq!(feed.matches("<entry>").count(), 2, "{feed}");
    assert!(feed.contains(&format!("<link href=\"{base}/merged/thanks/\"/>")), "{feed}");
    assert!(feed.contains(" (50 cards)</title>"), "{feed}");
}

#[test]
fn gallery_false_leaves_merged_cards_out_and_gallery_cards_lists_each() {
    let site = Site::fixture("merge");
    let message = std::fs::read_to_string(site.root().join("content/thanks.md")).unwrap();
    site.write("content/thanks.md", &message.replacen("---\n", "---\ngallery: false\n", 1));
    let run = site.build(&["--outputs", "html"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let gallery = site.read("index.html");
    assert_eq!(card_links(&gallery), ["/cards/hello/"]);
    assert!(!gallery.contains("/merged/") && !site.output("merged").exists(), "{gallery}");
    assert!(!site.output("tags/thank-you").exists(), "a tag only hidden cards have has no page");
    assert_eq!(site.read("feed.xml").matches("<entry>").count(), 1);
    assert!(site.read("sitemap.xml").contains("<loc>/cards/thanks/A-150/</loc>"), "still in the sitemap");
    let page = site.read("cards/thanks/A-150/index.html");
    assert!(page.contains("Thank you, Zeke Jansen") && !page.contains("card-nav"), "its page, no neighbours: {page}");

    site.write("content/thanks.md", &message.replacen("---\n", "---\ngallery: cards\n", 1));
    let run = site.build(&["--outputs", "html"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let first = card_links(&site.read("index.html")).len();
    let second = card_links(&site.read("page/2/index.html")).len();
    let third = card_links(&site.read("page/3/index.html")).len();
    assert_eq!((first, second, third), (24, 24, 3), "51 cards, each on its own");
    assert!(!site.output("merged").exists(), "the group's pages are gone");

    site.write("content/thanks.md", &message.replace("slug: thanks/{{ recipient.order_id }}", "slug: thanks"));
    site.write("content/hello.md", "---\ngallery: group\n---\nHi.\n");
    let run = site.build(&["--outputs", "html"]);
    assert!(
        run.stderr.contains("content/hello.md:2:10: error: `gallery: group` is for merged messages"),
        "{}",
        run.stderr
    );
    // A slug that is no template would be every row's: one error, not one per row.
    assert!(run.stderr.contains("content/thanks.md:7:7: error: slug `thanks` would be every row's"), "{}", run.stderr);
    assert_eq!(run.stderr.matches("error:").count(), 2, "{}", run.stderr);
}

#[test]
fn an_edited_row_makes_only_its_card_again() {
    let site = Site::fixture("merge");
    assert_eq!(site.build(&["--outputs", "html"]).code, 0);
    set_line(&site, 8, "Gretchen Holt,,A-107,3,2026-06-07");
    let run = site.build(&["--outputs", "html"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("built 51 cards") && run.stderr.contains("(50 unchanged)"), "{}", run.stderr);
    assert!(site.read("cards/thanks/A-107/index.html").contains("Thank you, Gretchen Holt"));
    // A removed row's card goes; the others stay as they are.
    let text = std::fs::read_to_string(site.root().join("content/orders.csv")).unwrap();
    let kept: Vec<&str> = text.lines().filter(|l| !l.contains("A-150")).collect();
    site.write("content/orders.csv", &(kept.join("\n") + "\n"));
    let run = site.build(&["--outputs", "html"]);
    assert!(run.stderr.contains("built 50 cards") && run.stderr.contains("(50 unchanged)"), "{}", run.stderr);
    assert!(!site.output("cards/thanks/A-150").exists());
    assert!(site.read("merged/thanks/index.html").contains("49 cards of"));
}

#[test]
fn a_recipients_file_that_cannot_be_read_keeps_the_last_good_cards() {
    let site = Site::fixture("merge");
    assert_eq!(site.build(&["--outputs", "html"]).code, 0);
    set_line(&site, 1, "name,name,order_id,items,shipped");
    let run = site.build(&["--outputs", "html"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("content/orders.csv:1:1: error: the header names `name` twice"), "{}", run.stderr);
    assert!(site.read("cards/thanks/A-150/index.html").contains("Zeke Jansen"), "the last good card stays");
    assert!(site.read("index.html").contains("50 cards"), "and so does its place in the gallery");

    std::fs::remove_file(site.root().join("content/orders.csv")).unwrap();
    let run = site.build(&["--outputs", "html"]);
    assert!(
        run.stderr.contains("content/thanks.md:2:13: error: cannot read `content/orders.csv`: there is no such file"),
        "{}",
        run.stderr
    );
    assert!(site.output("cards/thanks/A-101/index.html").is_file());
}

#[test]
fn json_and_yaml_rows_from_anywhere_in_the_site() {
    let site = Site::empty();
    site.write(
        "content/notes/club.md",
        "---\nrecipients: ../../data/club.yaml\nto: \"{{ recipient.name }}\"\n---\nWelcome, {{ to }}! You are member {{ recipient.number | ordinal }}.\n",
    );
    site.write("data/club.yaml", "# members\n- name: Ann\n  number: 1\n- name: Bo\n  number: 22\n");
    site.write(
        "content/shipped.md",
        "---\nrecipients: shipped.json\nslug: \"shipped/{{ recipient.id }}\"\n---\n{{ recipient.what }} is on its way.\n",
    );
    site.write(
        "content/shipped.json",
        "[\n  {\"id\": \"a1\", \"what\": \"The teapot\"},\n  {\"id\": \"a2\",\n   \"what\": oops},\n  {\"id\": \"a3\", \"what\": \"The mug\"}\n]\n",
    );
    site.write("content/outside.md", "---\nrecipients: ../../list.csv\n---\nHi.\n");
    let run = site.build(&["--outputs", "html"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    // Without a `slug:`, a row's card is the message's slug and the row's number.
    assert!(site.read("cards/notes/club/1/index.html").contains("Welcome, Ann! You are member 1st."));
    assert!(site.read("cards/notes/club/2/index.html").contains("Welcome, Bo! You are member 22nd."));
    assert!(site.read("cards/shipped/a1/index.html").contains("The teapot is on its way."));
    assert!(site.read("cards/shipped/a3/index.html").contains("The mug is on its way."));
    assert!(run.stderr.contains("content/shipped.json:4:12: error: row 2: expected value"), "{}", run.stderr);
    assert!(
        run.stderr.contains("content/outside.md:2:13: error: `../../list.csv` is not a file of the site"),
        "{}",
        run.stderr
    );
}

#[test]
fn helpers_work_in_any_message_and_a_missing_field_can_have_a_default() {
    let site = Site::empty();
    site.write(
        "content/note.md",
        "---\ndate: 2026-06-06\nextra: { count: 3 }\n---\nFor {{ to | default(value=\"a friend\") }}: \
         {{ extra.count }} {{ extra.count | plural(one=\"CD\", other=\"CDs\") }}, \
         {{ extra.gift | default(value=\"no gift\") }}, sent {{ date | date(format=\"%B\") }} {{ date | ordinal }}.\n",
    );
    let run = site.build(&["--outputs", "html"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let page = site.read("cards/note/index.html");
    assert!(page.contains("For a friend: 3 CDs, no gift, sent June 6th."), "{page}");
}

#[test]
fn check_reports_a_link_broken_in_a_merged_message_once() {
    let site = Site::fixture("merge");
    let message = std::fs::read_to_string(site.root().join("content/thanks.md")).unwrap();
    site.write("content/thanks.md", &format!("{message}\nSee [our help](/help/).\n"));
    let run = site.run(&["check"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let expected = "content/thanks.md:14:16: error: broken link to `/help/`\n  \
                    hint: the site has no file `help/index.html` (on the 50 cards made from it)";
    assert!(run.stderr.contains(expected), "{}", run.stderr);
    assert_eq!(run.stderr.matches("error:").count(), 1, "{}", run.stderr);
}

#[test]
fn a_template_mistake_every_row_makes_is_reported_once() {
    let site = Site::fixture("merge");
    let message = std::fs::read_to_string(site.root().join("content/thanks.md")).unwrap();
    site.write(
        "content/thanks.md",
        &message.replace("Dear {{ recipient.nickname", "Dear {{ recipient.nikname }} {{ recipient.nickname"),
    );
    let run = site.build(&["--outputs", "html"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.stderr.matches("error:").count(), 1, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "content/thanks.md:10:19: error: row 1 of content/orders.csv: Field `nikname` is not defined. Available fields: items, name, order_id, shipped\n  \
             hint: row 1 of content/orders.csv (content/orders.csv:2) has no `nikname`"
        ),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("\n  and the same for 49 more rows\n"), "{}", run.stderr);
    assert!(run.stderr.contains("built 1 card"), "{}", run.stderr);
}
