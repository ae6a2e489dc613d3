//! The card page follows the drawn card: the shop's logo where the card
//! has it, each picture a figure as wide on the text as on the card with
//! its caption, the sign-off words and the name on lines of their own (or
//! the scanned signature, tinted as on the card), the QR code a link where
//! it leads elsewhere; and a table of the message set on the card a row a
//! line, a picture in its cells drawn after it. The pictures are made by
//! the tests.

use std::process::Command;

use crate::support::{installed, solid_png as png, write_bytes, Image, Site, INK, TEXT_BOX};

const TEAL: &str = "#148c78";
const RED: &str = "#d21e1e";
const MAGENTA: &str = "#c814a0";
const THEMES: [&str; 4] = ["chocolate", "classic", "kraft", "minimal"];
const BASE: &str = "https://shop.example/";

/// A shop's site: a logo, a photo at 40 % with a caption, a review QR code
/// and a card per theme, signed with the scanned signature (`signed`) or
/// in type; waxseal.yaml ends with `settings`.
fn shop(signed: bool, settings: &str) -> Site {
    let site = Site::empty();
    site.write(
        "waxseal.yaml",
        &format!("title: Mossbrook\nbase_url: {BASE}\ndpi: 150\nlogo: static/logo.png\n{settings}"),
    );
    write_bytes(&site, "static/logo.png", &png(600, 200, TEAL, 0));
    write_bytes(&site, "content/vase.png", &png(1600, 1200, RED, 0));
    write_bytes(&site, "static/sig.png", &png(400, 160, MAGENTA, 20));
    let signature = if signed { "signature: /sig.png\n" } else { "" };
    for theme in THEMES {
        site.write(
            &format!("content/{theme}.md"),
            &format!(
                "---\ntitle: Thank you, Deb\nfrom: Beverly\ntheme: {theme}\n{signature}\
                 qr: https://reviews.example/mossbrook\nqr_label: Scan to leave a review\n---\n\
                 Your vase left the studio today.\n\n![the red vase](vase.png \"=40% Fresh from the kiln\")\n"
            ),
        );
    }
    site
}

/// The HTML of `page` that starts with `start`, up to the `>` after it.
fn element<'p>(page: &'p str, start: &str) -> &'p str {
    let at = page.find(start).unwrap_or_else(|| panic!("no `{start}` in\n{page}"));
    let past = at + start.len();
    &page[at..past + page[past..].find('>').unwrap() + 1]
}

/// The value of attribute `name` of `tag`.
fn attribute<'t>(tag: &'t str, name: &str) -> &'t str {
    let value = tag.split(&format!(" {name}=\"")).nth(1).unwrap_or_else(|| panic!("no {name} in {tag}"));
    value.split('"').next().unwrap()
}

/// The file in the output folder that the site's `url` names.
fn file_of(site: &Site, url: &str) -> std::path::PathBuf {
    site.output(url.strip_prefix(BASE).unwrap_or_else(|| panic!("{url} is not the site's")))
}

#[test]
fn the_card_page_has_the_logo_the_figure_the_signature_and_the_review_link_in_every_theme() {
    let site = shop(true, "");
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for theme in THEMES {
        let page = site.read(&format!("cards/{theme}/index.html"));
        let logo = element(&page, "<img class=\"card-logo\"");
        assert!(file_of(&site, attribute(logo, "src")).is_file(), "{theme}: {logo}");
        assert_eq!(attribute(logo, "alt"), "the logo of Mossbrook", "{theme}");
        assert!(attribute(logo, "style").contains("cqw"), "{theme}: placed as on the card: {logo}");
        // The photo: a figure as wide a part of the text as the card draws
        // it (40 %, or a little less where the card had to draw it smaller
        // to fit), its caption under it.
        let photo = element(&page, "<figure class=\"card-figure\"><img ");
        let width = attribute(photo, "style").strip_prefix("width: ").and_then(|w| w.strip_suffix('%'));
        let width: f32 = width.and_then(|w| w.parse().ok()).unwrap_or_else(|| panic!("{theme}: {photo}"));
        assert!((25.0..=40.0).contains(&width), "{theme}: {photo}");
        if theme == "chocolate" {
            assert_eq!(width, 40.0, "the card draws it at its hint");
        }
        // A phone is sent the copy for the width shown: a part of the card's.
        let sizes = attribute(photo, "sizes");
        let vw: f32 = sizes.split(") ").nth(1).and_then(|s| s.split("vw").next()?.parse().ok()).unwrap();
        assert!(vw < width && vw > width / 2.0, "{theme}: {sizes}");
        assert!(file_of(&site, attribute(photo, "src")).is_file(), "{theme}: {photo}");
        assert!(!photo.contains(" title="), "{theme}: the caption is the figure's: {photo}");
        assert!(attribute(photo, "width").parse::<u32>().is_ok() && attribute(photo, "height").parse::<u32>().is_ok());
        assert!(page.contains("<figcaption>Fresh from the kiln</figcaption></figure>"), "{theme}");
        // The sign-off words on their line, the scanned signature under them.
        assert!(page.contains("<p class=\"card-signoff body-face\">"), "{theme}");
        let signature = element(&page, "<p class=\"card-signature\"><img ");
        assert_eq!(attribute(signature, "alt"), "signature of Beverly", "{theme}");
        assert!(file_of(&site, attribute(signature, "src")).is_file(), "{theme}: {signature}");
        assert!(page.contains("<a href=\"https://reviews.example/mossbrook\">Leave a review</a>"), "{theme}");
    }
    // Every file the pages link is there.
    let checked = site.run(&["check"]);
    assert_eq!(checked.code, 0, "{}", checked.stderr);
}

#[test]
fn a_card_signed_in_type_has_its_sign_off_words_and_its_name_on_lines_of_their_own() {
    let site = shop(false, "sign_off: \"with love,\"\n");
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for theme in THEMES {
        let page = site.read(&format!("cards/{theme}/index.html"));
        assert!(page.contains("<p class=\"card-signoff body-face\">with love,</p>"), "{theme}:\n{page}");
        assert!(page.contains("<p class=\"card-signature script-face\">Beverly</p>"), "{theme}:\n{page}");
        assert!(!page.contains("with love, Beverly"), "{theme}: not on one line");
    }
}

#[test]
fn a_qr_code_of_the_card_s_own_page_is_no_link_on_it() {
    let site = shop(false, "");
    site.write(
        "content/own.md",
        "---\ntitle: Hello\nfrom: Beverly\nqr: card\nqr_label: Scan to see this card online\n---\nHi.\n",
    );
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let page = site.read("cards/own/index.html");
    assert!(!page.contains("card-qr-link") && !page.contains("See this card online"), "{page}");
}

#[test]
fn a_tinted_signature_is_in_the_theme_s_ink_on_the_page_too() {
    let site = shop(true, "signature_tint: true\n");
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let page = site.read("cards/chocolate/index.html");
    let signature = element(&page, "<p class=\"card-signature\"><img ");
    let copy = Image::read(&file_of(&site, attribute(signature, "src")));
    let all = (0.0, 0.0, 1.0, 1.0);
    assert!(copy.count_near(INK, 12, all) > 10_000, "the signature's copy is in the ink");
    assert_eq!(copy.count_near(MAGENTA, 30, all), 0, "and not in its own colour");
}

#[test]
fn a_table_is_set_on_the_card_a_row_a_line_and_a_picture_in_it_is_drawn() {
    let site = Site::empty();
    site.write("waxseal.yaml", &format!("base_url: {BASE}\ndpi: 150\noutputs: [html, png, svg, pdf]\n"));
    write_bytes(&site, "content/vase.png", &png(800, 600, RED, 0));
    site.write(
        "content/order.md",
        "---\ntitle: Your order\n---\nWhat we packed:\n\n| Item | Qty |\n|---|---|\n\
         | Glazed vase ![the red vase](vase.png) | 1 |\n| Tea towel | 2 |\n\nThank you!\n",
    );
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // The picture in the cell is drawn on the card, under the table.
    let card = site.png("cards/order/card.png");
    assert!(card.count_near(RED, 30, TEXT_BOX) > 5_000, "the table's picture is on the card");
    // The page shows it in its cell, from its web copy.
    let page = site.read("cards/order/index.html");
    let cell = element(&page, "<td>Glazed vase <img ");
    assert!(file_of(&site, attribute(cell, "src")).is_file(), "{cell}");
    if installed(&["pdftotext"], Some("the card's text, read from its PDF")) {
        let pdf = site.output("cards/order/card.pdf");
        let out = Command::new("pdftotext").args([pdf.to_str().unwrap(), "-"]).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout).replace('\u{a0}', " ");
        for row in ["Item · Qty", "Glazed vase · 1", "Tea towel · 2"] {
            assert!(text.lines().any(|l| l.trim() == row), "no line `{row}` in:\n{text}");
        }
    }
}

/// Where the parts of the card on the page in `page` are, as JSON:
/// `{card, logo, title, message, signed, signoff, signature, loaded}`,
/// each part `[left, top, right, bottom]` in CSS pixels, `loaded` whether
/// the logo and the signature were drawn.
const PARTS: &str = r#"(() => {
  const rect = (s) => { const e = document.querySelector(s); if (!e) return null; const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const drawn = (s) => { const e = document.querySelector(s); return !!e && e.complete && e.naturalWidth > 0; };
  return { card: rect('.card'), logo: rect('.card-logo'), title: rect('.card-title'), message: rect('.card-message'),
    signed: rect('.card-signed'), signoff: rect('.card-signoff'), signature: rect('.card-signature'),
    loaded: drawn('.card-logo') && drawn('.card-signature img') };
})()"#;

#[test]
fn in_a_browser_the_logo_stands_clear_of_the_text_on_a_wide_screen_and_a_phone() {
    crate::support::require!("chromium");
    let site = shop(true, "");
    let run = site.build(&["--base-url", "/"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let base = crate::support::serve(&site.root().join("output"));
    let browser = crate::browser::Browser::open(&base);
    let mut page = browser.page(&base);
    let rect = |v: &serde_json::Value, part: &str| -> [f64; 4] {
        let r = v[part].as_array().unwrap_or_else(|| panic!("no {part}: {v}"));
        [0, 1, 2, 3].map(|i| r[i].as_f64().unwrap())
    };
    let overlap =
        |a: [f64; 4], b: [f64; 4]| a[0] < b[2] - 1.0 && b[0] < a[2] - 1.0 && a[1] < b[3] - 1.0 && b[1] < a[3] - 1.0;
    let mut problems = Vec::new();
    for width in [1200, 390] {
        page.set_viewport(width, 900);
        for theme in THEMES {
            page.load(&format!("{base}cards/{theme}/"));
            let parts = page.eval(PARTS).unwrap();
            let at = format!("{theme} at {width} px");
            let (card, logo) = (rect(&parts, "card"), rect(&parts, "logo"));
            if parts["loaded"] != true {
                problems.push(format!("{at}: the logo or the signature is not drawn: {parts}"));
            }
            if !(logo[0] >= card[0] && logo[2] <= card[2] && logo[1] >= card[1] && logo[3] <= card[3]) {
                problems.push(format!("{at}: the logo {logo:?} is not on the card {card:?}"));
            }
            for part in ["title", "message", "signed"] {
                if overlap(logo, rect(&parts, part)) {
                    problems.push(format!("{at}: the logo {logo:?} covers the {part} {:?}", rect(&parts, part)));
                }
            }
            if rect(&parts, "signoff")[3] > rect(&parts, "signature")[1] + 1.0 {
                problems.push(format!("{at}: the sign-off words are not above the signature: {parts}"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
