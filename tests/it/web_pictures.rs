//! The card's pictures on the pages: the gallery's thumbnails and the card
//! page's picture are WebP files in a `srcset` of three widths (each file
//! there, decoding to the width it says), every `<img>` sized, the first
//! thumbnails of a page fetched at once and first and the rest as the
//! reader scrolls, `card.png` only downloaded; and what a card page weighs
//! on a phone.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::browser::Browser;
use crate::support::{self, require, Site};

/// The thumbnails of a gallery page fetched at once, with a high priority:
/// the first (a phone's largest picture on its first screen).
const EAGER: usize = 1;

/// A site of seven listed cards, three a page, all tagged `thanks`: two
/// themes, an A7 card (874 pixels wide, narrower than three thumbnails) and
/// a landscape one.
fn site() -> Site {
    let site = Site::empty();
    site.write("waxseal.yaml", "title: Shop\ngallery:\n  per_page: 3\n");
    for i in 1..=7 {
        let extra = match i {
            2 => "theme: kraft\n",
            3 => "size: a7\n",
            5 => "size: a6-landscape\n",
            _ => "",
        };
        let front = format!("---\ntitle: Card {i}\ndate: 2026-11-{:02}\ntags: [thanks]\n{extra}---\n", 10 + i);
        site.write(&format!("content/card-{i}.md"), &format!("{front}Thank you for *order* number {i}.\n"));
    }
    site
}

/// The `<img>` tags of `html`, each as its attributes (the values as written).
fn images(html: &str) -> Vec<BTreeMap<String, String>> {
    let mut out = Vec::new();
    for tag in html.split("<img").skip(1) {
        // Attribute values are escaped: the tag ends at the first `>`.
        let tag = &tag[..tag.find('>').expect("a closed tag")];
        let mut attributes = BTreeMap::new();
        let mut rest = tag.trim_start();
        while !rest.is_empty() {
            let end = rest.find(|c: char| c == '=' || c.is_whitespace()).unwrap_or(rest.len());
            let name = rest[..end].to_string();
            rest = &rest[end..];
            let value = match rest.strip_prefix("=\"") {
                Some(quoted) => {
                    let close = quoted.find('"').expect("a closing quote");
                    rest = &quoted[close + 1..];
                    quoted[..close].to_string()
                }
                None => String::new(),
            };
            attributes.insert(name, value);
            rest = rest.trim_start();
        }
        out.push(attributes);
    }
    out
}

/// The (URL, width) candidates of a `srcset`.
fn candidates(srcset: &str) -> Vec<(String, u32)> {
    srcset
        .split(", ")
        .map(|c| {
            let (url, w) = c.trim().rsplit_once(' ').unwrap_or_else(|| panic!("`{c}` has no width"));
            (url.to_string(), w.strip_suffix('w').and_then(|w| w.parse().ok()).unwrap_or_else(|| panic!("{c}")))
        })
        .collect()
}

/// The output file of a root-relative URL.
fn file_of(site: &Site, url: &str) -> std::path::PathBuf {
    site.output(url.strip_prefix('/').unwrap_or_else(|| panic!("{url} is not root-relative")))
}

#[test]
fn the_first_thumbnails_of_a_page_are_fetched_first_and_the_others_as_the_reader_scrolls() {
    let site = site();
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for page in ["index.html", "page/2/index.html", "page/3/index.html", "tags/thanks/index.html"] {
        let thumbs = images(&site.read(page));
        assert!(!thumbs.is_empty(), "{page} shows thumbnails");
        for (i, img) in thumbs.iter().enumerate() {
            let (lazy, high) = (img.get("loading").map(String::as_str), img.get("fetchpriority").map(String::as_str));
            match i < EAGER {
                true => {
                    assert_eq!((lazy, high), (None, Some("high")), "{page}: thumbnail {} of {}", i + 1, thumbs.len())
                }
                false => assert_eq!((lazy, high), (Some("lazy"), None), "{page}: thumbnail {}", i + 1),
            }
            assert_eq!(img.get("decoding").map(String::as_str), Some("async"), "{page}");
        }
    }
    // The card page's picture is under the card and its downloads: fetched when scrolled to.
    let picture = images(&site.read("cards/card-1/index.html"));
    let print = picture.iter().find(|img| img.contains_key("srcset")).expect("the print card's picture");
    assert_eq!(print.get("loading").map(String::as_str), Some("lazy"));
}

#[test]
fn every_picture_of_the_pages_is_sized_and_its_srcset_files_are_webps_as_wide_as_it_says() {
    let site = site();
    assert_eq!(site.build(&[]).code, 0);
    let pages = ["index.html", "page/2/index.html", "tags/thanks/index.html", "cards/card-3/index.html"];
    let mut checked = BTreeMap::new();
    for page in pages {
        for img in images(&site.read(page)) {
            let src = &img["src"];
            let number = |name: &str| img.get(name).and_then(|v| v.parse::<u32>().ok()).filter(|&n| n > 0);
            let (Some(width), Some(height)) = (number("width"), number("height")) else {
                panic!("{page}: {src} has no width and height: {img:?}")
            };
            assert!(file_of(&site, src).is_file(), "{page}: {src} is not there");
            if src.ends_with(".svg") {
                // The seal: drawn at any size from its vector file.
                continue;
            }
            let srcset = img.get("srcset").unwrap_or_else(|| panic!("{page}: {src} has no srcset"));
            assert!(img.contains_key("sizes"), "{page}: {src} has a srcset and no sizes");
            let set = candidates(srcset);
            assert!(set.len() >= 2, "{page}: {srcset}");
            for (url, w) in &set {
                let bytes = std::fs::read(file_of(&site, url)).unwrap_or_else(|e| panic!("{page}: {url}: {e}"));
                assert!(bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP", "{url} is a WebP");
                let picture = image::load_from_memory_with_format(&bytes, image::ImageFormat::WebP).unwrap();
                assert_eq!(picture.width(), *w, "{url} is as wide as its srcset says");
                // In the proportions of the <img>'s size, to a pixel.
                let tall = f64::from(*w) * f64::from(height) / f64::from(width);
                assert!((f64::from(picture.height()) - tall).abs() <= 1.0, "{url}: {} for {tall}", picture.height());
                checked.insert(url.clone(), *w);
            }
        }
    }
    let widths = |slug: &str| -> Vec<u32> {
        let mut w: Vec<u32> =
            checked.iter().filter(|(url, _)| url.starts_with(&format!("/cards/{slug}/"))).map(|(_, w)| *w).collect();
        w.sort_unstable();
        w
    };
    // One, two and three thumbnails wide: phones of one to three pixels a
    // CSS pixel; an A7 card at 300 dpi is no wider than itself.
    assert_eq!(widths("card-6"), [360, 720, 1080]);
    assert_eq!(widths("card-2"), [360, 720, 1080], "kraft");
    assert_eq!(widths("card-5"), [360, 720, 1080], "landscape");
    assert_eq!(widths("card-3"), [360, 720, 874]);
}

#[test]
fn card_png_is_only_the_print_download_and_the_previews_and_feed_keep_their_pngs() {
    let site = site();
    assert_eq!(site.build(&[]).code, 0);
    let page = site.read("cards/card-1/index.html");
    assert!(page.contains("<a href=\"/cards/card-1/card.png\" download>Download PNG</a>"), "{page}");
    for img in images(&page) {
        let shown = format!("{} {}", img["src"], img.get("srcset").map_or("", String::as_str));
        assert!(!shown.contains("card.png"), "the print file shown on the page: {shown}");
    }
    assert!(page.contains("<meta property=\"og:image\" content=\"/cards/card-1/share.png\">"), "{page}");
    let gallery = site.read("index.html");
    assert!(!gallery.contains("card.png"), "the gallery shows no print file");
    assert!(site.read("feed.xml").contains("type=\"image/png\" href=\"/cards/card-1/card.png\""));
}

#[test]
fn the_pictures_for_the_pages_come_with_the_pngs_and_go_with_their_card() {
    let site = Site::fixture("basic");
    let webps = ["card-1x.webp", "card-2x.webp", "card-3x.webp"];
    let run = site.build(&["--outputs", "html"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(webps.iter().all(|w| !site.output(&format!("cards/love/{w}")).exists()), "no pictures without png");
    let gallery = site.read("index.html");
    assert!(!gallery.contains("srcset") && !gallery.contains("<img src=\"/cards/"), "the text shown instead");
    assert_eq!(site.build(&[]).code, 0);
    assert!(webps.iter().all(|w| site.output(&format!("cards/love/{w}")).is_file()));
    // A build with nothing changed writes none of them again.
    let written = |w: &str| std::fs::metadata(site.output(&format!("cards/love/{w}"))).unwrap().modified().unwrap();
    let before: Vec<_> = webps.iter().map(|w| written(w)).collect();
    let run = site.build(&[]);
    assert!(run.stderr.contains("(3 unchanged)"), "{}", run.stderr);
    assert_eq!(webps.iter().map(|w| written(w)).collect::<Vec<_>>(), before);
    // One deleted by hand is made again; a removed card's go.
    std::fs::remove_file(site.output("cards/love/card-2x.webp")).unwrap();
    assert_eq!(site.build(&[]).code, 0);
    assert!(site.output("cards/love/card-2x.webp").is_file(), "made again");
    std::fs::remove_file(site.root().join("content/love.md")).unwrap();
    assert_eq!(site.build(&[]).code, 0);
    assert!(!site.output("cards/love").exists(), "the removed card's pictures are gone");
}

/// A phone's screen: 412 CSS pixels wide, 2.625 device pixels to one.
const PHONE: (u32, u32, f64) = (412, 915, 2.625);

/// Shows `page`'s pages as [`PHONE`] does.
fn as_phone(page: &mut crate::browser::Page) {
    let (width, height, scale) = PHONE;
    let metrics = serde_json::json!({
        "width": width, "height": height, "deviceScaleFactor": scale, "mobile": true,
        "screenWidth": width, "screenHeight": height,
    });
    page.call("Emulation.setDeviceMetricsOverride", metrics);
}

/// The most a card page's pictures may weigh on [`PHONE`], in bytes: the
/// card's picture for three pixels a CSS pixel (45-150 KB for the built-in
/// themes) and its seal.
const PICTURES_BUDGET: u64 = 160_000;

#[test]
fn a_card_page_on_a_phone_fetches_a_picture_for_its_pixels_and_stays_light() {
    require!("chromium");
    let site = Site::fixture("basic");
    assert_eq!(site.build(&[]).code, 0);
    let url = support::serve(&site.root().join("output"));
    let browser = Browser::open("about:blank");
    let mut page = browser.page("about:blank");
    let (width, _, scale) = PHONE;
    as_phone(&mut page);
    page.load(&format!("{url}cards/love/"));
    // Scrolled to the foot: the lazy picture under the card is fetched too.
    page.eval("window.scrollTo(0, document.documentElement.scrollHeight)");
    let loaded = "Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)";
    page.until("every picture", loaded, |v| v == &Value::Bool(true));
    let shown = page.eval("document.querySelector('.print-card img').currentSrc").unwrap();
    assert!(shown.as_str().unwrap().ends_with("/cards/love/card-3x.webp"), "{shown}");
    // What the page fetched, from the browser's own account.
    let fetched = page
        .eval(
            "[[location.href, performance.getEntriesByType('navigation')[0].decodedBodySize]]\
             .concat(performance.getEntriesByType('resource').map(e => [e.name, e.decodedBodySize]))",
        )
        .unwrap();
    let mut weight: BTreeMap<&str, u64> = BTreeMap::new();
    for entry in fetched.as_array().unwrap() {
        let (name, bytes) = (entry[0].as_str().unwrap(), entry[1].as_u64().unwrap());
        assert!(!name.ends_with("card.png"), "the print file was fetched: {name}");
        let kind = match name.rsplit('.').next().unwrap_or("") {
            "webp" | "png" | "jpg" | "svg" => "pictures",
            "ttf" | "woff2" | "woff" | "otf" => "fonts",
            _ => "page and stylesheet",
        };
        *weight.entry(kind).or_default() += bytes;
    }
    eprintln!("the card page on a {width} px phone at {scale}x: {weight:?}");
    let pictures = weight.get("pictures").copied().unwrap_or(0);
    assert!(pictures > 20_000 && pictures <= PICTURES_BUDGET, "pictures: {pictures} bytes");
    let rest = weight.get("page and stylesheet").copied().unwrap_or(0);
    assert!(pictures + rest < 400_000, "{weight:?}");
    // The gallery on the same phone: one column of thumbnails, each
    // fetched for that phone's pixels.
    page.load(&url);
    let thumb = page.eval("document.querySelector('.gallery img').currentSrc").unwrap();
    assert!(thumb.as_str().unwrap().ends_with("/cards/love/card-3x.webp"), "{thumb}");
}

#[test]
fn a_phone_fetches_the_thumbnails_near_its_first_screen_and_the_others_as_the_reader_scrolls() {
    require!("chromium");
    let site = Site::empty();
    site.write("waxseal.yaml", "title: Shop\n");
    for i in 1..=12 {
        let front = format!("---\ntitle: Card {i}\ndate: 2026-11-{:02}\n---\n", 10 + i);
        site.write(&format!("content/card-{i}.md"), &format!("{front}Thank you for *order* number {i}.\n"));
    }
    assert_eq!(site.build(&[]).code, 0);
    let url = support::serve(&site.output(""));
    let browser = Browser::open("about:blank");
    let mut page = browser.page("about:blank");
    as_phone(&mut page);
    // A phone on 3G: Chromium fetches a lazy picture up to about three
    // screens ahead on such a link (on a fast one, about one and a half).
    page.call("Network.enable", serde_json::json!({}));
    let link = serde_json::json!({
        "offline": false, "latency": 300, "downloadThroughput": 10_000_000, "uploadThroughput": 10_000_000,
        "connectionType": "cellular3g",
    });
    page.call("Network.emulateNetworkConditions", link);
    page.load(&url);
    let fetched = "performance.getEntriesByType('resource').filter(e => e.name.endsWith('.webp')).length";
    let settled = "new Promise(r => setTimeout(r, 500)).then(() => true)";
    page.call("Runtime.evaluate", serde_json::json!({ "expression": settled, "awaitPromise": true }));
    // A card a screen: the first, and those within a couple of screens of
    // it, not the six a lazy picture alone would be, nor any far below.
    let first = page.eval(fetched).unwrap().as_u64().unwrap();
    let rendered =
        "[...document.querySelectorAll('.gallery img')].map(i => i.checkVisibility({ contentVisibilityAuto: true }))";
    let drawn = page.eval(rendered).unwrap();
    assert!((1..=4).contains(&first), "{first} of 12 thumbnails fetched on the first screen; drawn: {drawn}");
    assert_eq!(drawn[11], Value::Bool(false), "the last card is not drawn yet: {drawn}");
    // Scrolled down step by step, the reader sees every card's picture.
    let step = "window.scrollBy(0, innerHeight); scrollY + innerHeight >= document.documentElement.scrollHeight";
    for _ in 0..40 {
        if page.eval(step) == Some(Value::Bool(true)) {
            break;
        }
        page.call("Runtime.evaluate", serde_json::json!({ "expression": settled, "awaitPromise": true }));
    }
    let all = "[...document.querySelectorAll('.gallery img')].every(i => i.complete && i.naturalWidth > 0)";
    page.until("every thumbnail once scrolled to", all, |v| v == &Value::Bool(true));
    assert_eq!(page.eval(fetched).unwrap().as_u64(), Some(12));
}
