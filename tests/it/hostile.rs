//! Hostile input: messages and front matter full of markup and script, and
//! site themes whose artwork, templates and fonts reach for files outside
//! their folder, the network, or more memory than a card needs. Markup
//! comes out as text; a theme that reaches out is refused with an error
//! naming its file.

use serde_json::Value;

use crate::browser::Browser;
use crate::support::{require, tree, Site};

/// A message whose every field tries to run script: each payload that runs
/// sets `window.pwned` to its own number.
const HOSTILE: &str = r#"---
title: "<script>window.pwned=1</script><img src=x onerror=window.pwned=2>"
from: "<svg onload=window.pwned=3>"
to: "\"><script>window.pwned=4</script>"
date: 2026-11-02
tags: ["<b>bold</b>", "x\" onmouseover=\"window.pwned=5", "javascript:alert(1)"]
extra: { evil: "<iframe src=javascript:window.pwned=6></iframe>" }
---
Hi <script>window.pwned=7</script> <img src=x onerror="window.pwned=8"> {{ extra.evil }}

[a](javascript:window.pwned=9) [b](JaVaScRiPt:window.pwned=10) [c](jav&#x61;script:window.pwned=11)
[d](vbscript:window.pwned=12) [e](data:text/html,<script>window.pwned=13</script>) <javascript:window.pwned=14>
[f](&#106;avascript:window.pwned=15) [g](java&#x0A;script:window.pwned=16) [h]( javascript:window.pwned=17 )
[i](data:text/html;base64,PHNjcmlwdD53aW5kb3cucHduZWQ9MTg8L3NjcmlwdD4=) [j](file:///etc/passwd)

<a href="javascript:window.pwned=19" onclick="window.pwned=20">raw</a>
<div onmouseover="window.pwned=21" style="background:url(javascript:window.pwned=22)">x</div>
"#;

/// The title as the visitor must see it: as text.
const TITLE: &str = "<script>window.pwned=1</script><img src=x onerror=window.pwned=2>";

/// What no page may hold: the payloads as live markup.
const LIVE_MARKUP: &[&str] = &[
    "<script>window",
    "<img src=x",
    "<svg onload",
    "<iframe",
    "<b>bold",
    "<a href=\"javascript",
    "href=\"javascript",
    "href=\"JaVaScRiPt",
    "href=\"vbscript",
    "href=\"data:",
    "href=\"file:",
    " onmouseover=\"",
    " onclick=\"",
    " onerror=\"",
];

/// In the page: whether a payload ran, and every element that could run one
/// (an `on*` attribute, a script-bearing URL, an embedder, a script of the payloads).
const PROBE: &str = r#"(() => {
  const bad = [];
  if (window.pwned !== undefined) bad.push('pwned=' + window.pwned);
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      if (/^on/i.test(a.name)) bad.push(el.tagName + ' ' + a.name);
      if (/(^|:)(href|src|action|formaction|data)$/i.test(a.name)
          && /^\s*(javascript|vbscript|data|file):/i.test(a.value)) bad.push(el.tagName + ' ' + a.name + '=' + a.value);
    }
    if (/^(iframe|object|embed|foreignobject)$/i.test(el.tagName)) bad.push(el.tagName);
    if (/^script$/i.test(el.tagName) && /pwned/.test(el.textContent)) bad.push('script ' + el.textContent);
  }
  for (const a of document.links) {
    if (!/^(https?|mailto):$/.test(a.protocol) && a.getAttribute('href') !== '') bad.push('link ' + a.href);
  }
  return bad;
})()"#;

#[test]
fn script_in_messages_and_front_matter_never_runs_and_shows_as_text() {
    let site = Site::empty();
    site.write("content/evil.md", HOSTILE);
    // A mail merge whose row is the payload.
    site.write(
        "content/merged.md",
        "---\nrecipients: rows.csv\ntitle: \"Hi {{ recipient.name }}\"\nslug: merged/{{ recipient.id }}\n---\nDear {{ recipient.name }}.\n",
    );
    site.write(
        "content/rows.csv",
        "id,name\n1,\"<img src=x onerror=window.pwned=30><script>window.pwned=31</script>\"\n",
    );
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);

    // Every page, feed, sitemap and SVG: no payload as live markup.
    let files = tree(&site.output(""));
    let texts: Vec<(&String, String)> = files
        .iter()
        .filter(|(name, _)| [".html", ".xml", ".svg"].iter().any(|e| name.ends_with(e)))
        .map(|(name, bytes)| (name, String::from_utf8_lossy(bytes).into_owned()))
        .collect();
    assert!(texts.len() >= 6, "pages, tag pages, feed, sitemap, SVG: {:?}", files.keys().collect::<Vec<_>>());
    for (name, text) in &texts {
        for live in LIVE_MARKUP {
            assert!(!text.contains(live), "{name} holds `{live}`:\n{text}");
        }
    }

    // The feed is XML whose title is the title, as text.
    let feed = site.read("feed.xml");
    let feed = roxmltree::Document::parse(&feed).expect("the feed is XML");
    let entry = feed.descendants().find(|n| n.has_tag_name("entry")).unwrap();
    let title = entry.children().find(|n| n.has_tag_name("title")).unwrap();
    assert_eq!(title.text(), Some(TITLE));
    let terms: Vec<&str> =
        entry.children().filter(|n| n.has_tag_name("category")).filter_map(|n| n.attribute("term")).collect();
    assert!(terms.contains(&"x\" onmouseover=\"window.pwned=5"), "{terms:?}");

    // The card SVG has only drawing elements, and the title as text.
    let svg_text = site.read("cards/evil/card.svg");
    let svg = roxmltree::Document::parse(&svg_text).expect("the card SVG is XML");
    for node in svg.descendants().filter(|n| n.is_element()) {
        let name = node.tag_name().name();
        assert!(!["script", "foreignObject", "iframe", "image", "a"].contains(&name), "<{name}> in the card SVG");
        for attr in node.attributes() {
            assert!(!attr.name().starts_with("on"), "{name} {}", attr.name());
        }
    }
    let svg_title = svg.descendants().find(|n| n.has_tag_name("title")).and_then(|n| n.text());
    assert_eq!(svg_title, Some(TITLE));

    // In a real browser: nothing ran, nothing could, and the title reads as written.
    require!("chromium");
    let origin = crate::support::serve(&site.output(""));
    let tag_pages: Vec<String> = files
        .keys()
        .filter(|n| n.starts_with("tags/") && n.ends_with("/index.html"))
        .map(|n| n.trim_end_matches("index.html").to_string())
        .collect();
    assert_eq!(tag_pages.len(), 3, "{tag_pages:?}");
    let mut pages = vec![
        "cards/evil/".to_string(),
        String::new(),
        "cards/evil/card.svg".into(),
        "404.html".into(),
        "cards/merged/1/".into(),
    ];
    pages.extend(tag_pages);
    let browser = Browser::open(&origin);
    let mut page = browser.page(&origin);
    for path in &pages {
        let url = format!("{origin}{path}");
        page.load(&url);
        // A task later: any error handler of a broken image has had its turn.
        page.eval("new Promise(r => setTimeout(r, 0))");
        let bad = page.eval(PROBE).expect("the probe runs");
        assert_eq!(bad, Value::Array(vec![]), "{path}");
    }
    page.load(&format!("{origin}cards/evil/"));
    let text = page.text();
    assert!(text.contains(TITLE), "the title shows as written: {text}");
    assert!(text.contains("Hi <script>window.pwned=7</script>"), "{text}");
    let og = page.eval("document.querySelector('meta[property=\"og:title\"]').content").unwrap();
    assert_eq!(og, Value::String(TITLE.into()));
    let document_title = page.eval("document.title").unwrap();
    assert!(document_title.as_str().is_some_and(|t| t.starts_with(TITLE)), "{document_title}");
    page.load(&format!("{origin}cards/merged/1/"));
    let text = page.text();
    assert!(text.contains("Dear <img src=x onerror=window.pwned=30><script>window.pwned=31</script>."), "{text}");
}

#[test]
fn front_matter_that_would_land_in_markup_unchecked_is_refused() {
    let site = Site::empty();
    let cases = [
        ("colour", "seal: { emblem: heart, color: \"red\\\"/><script>window.pwned=1</script>\" }", "bad seal colour"),
        ("initials", "seal: { emblem: monogram, initials: \"<b>x\" }", "seal initials `<b>x` must be 1 to 3 letters"),
        ("emblem", "seal: { emblem: \"../../themes/x\" }", "unknown seal emblem `../../themes/x`"),
        ("lang", "lang: \"en\\\"><script>window.pwned=2</script>\"", "is not a language tag"),
        ("date", "date: \"2026-01-01\\\"><script>\"", "is not a date"),
        ("size", "size: \"a6\\\"><script>\"", "unknown card size"),
    ];
    for (name, line, _) in &cases {
        site.write(&format!("content/{name}.md"), &format!("---\n{line}\n---\nHi.\n"));
    }
    let run = site.build(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    for (name, _, message) in &cases {
        let at = format!("content/{name}.md:2:");
        assert!(run.stderr.lines().any(|l| l.starts_with(&at) && l.contains(message)), "{name}: {}", run.stderr);
        assert!(!site.output(&format!("cards/{name}")).exists(), "{name}");
    }
    assert_nowhere_in_output(&site, "<script>");
    // Three characters of markup are initials like any others: drawn, and the SVG still whole.
    site.write("content/marks.md", "---\nseal: { emblem: monogram, initials: \"<&>\" }\n---\nHi.\n");
    assert_eq!(site.build(&[]).code, 1);
    let svg = site.read("cards/marks/card.svg");
    roxmltree::Document::parse(&svg).expect("the card SVG is XML");
}

/// A PNG of one pixel, base64.
const ONE_PIXEL_PNG: &str =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

/// A site whose one message uses theme `evil` (the chocolate theme with
/// whatever files a test gives it), and secrets beside the theme folder.
fn evil_site() -> Site {
    let site = Site::empty();
    site.write("content/a.md", "---\ntheme: evil\n---\nHello.\n");
    site.write("themes/evil/theme.yaml", "name: evil\ndescription: reaches out\nextends: chocolate\n");
    site.write("secret.html", "<p>SECRET-TEMPLATE</p>");
    site.write("secret.svg", r##"<svg xmlns="http://www.w3.org/2000/svg"><linearGradient id="g"/></svg>"##);
    std::fs::write(site.root().join("secret.png"), crate::browser::base64_decode(ONE_PIXEL_PNG)).unwrap();
    site
}

/// The theme's card.svg: `art` on line 3, among the usual layers.
fn card_svg(art: &str) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" width=\"{{{{ card.width }}}}\" height=\"{{{{ card.height }}}}\">\n\
         <rect width=\"100%\" height=\"100%\" fill=\"{{{{ palette.paper }}}}\"/>\n  {art}\n{{{{ text | safe }}}}{{{{ seal | safe }}}}\n</svg>\n"
    )
}

/// `waxseal build` in `site`, killed (and the test failed) if it runs past a
/// generous deadline: hostile input must be refused in bounded time.
fn build_within(site: &Site) -> crate::support::Run {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_waxseal"))
        .arg("build")
        .current_dir(site.root())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the waxseal binary runs");
    let end = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > end {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the build still ran after two minutes");
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    let out = child.wait_with_output().unwrap();
    crate::support::Run {
        code: out.status.code().unwrap_or(-1),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
    }
}

/// Fails unless no file of the output holds `needle`.
fn assert_nowhere_in_output(site: &Site, needle: &str) {
    for (name, bytes) in tree(&site.output("")) {
        assert!(!String::from_utf8_lossy(&bytes).contains(needle), "output/{name} holds {needle}");
    }
}

/// `text` percent-encoded for a `data:` URL.
fn percent(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"/:.-_".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[test]
fn theme_artwork_that_reaches_outside_its_file_is_refused_at_its_line() {
    let inner = percent(r#"<svg xmlns="http://www.w3.org/2000/svg"><image href="/etc/passwd"/></svg>"#);
    let cases = [
        (r#"<image width="9" height="9" href="/etc/passwd"/>"#.to_string(), "/etc/passwd"),
        (r#"<image width="9" height="9" href="../../secret.png"/>"#.into(), "../../secret.png"),
        (r#"<image width="9" height="9" xlink:href="http://example.org/x.png"/>"#.into(), "http://example.org/x.png"),
        (r#"<image width="9" height="9" href="file:///etc/passwd"/>"#.into(), "file:///etc/passwd"),
        (r#"<rect width="9" height="9" style="fill: url('../../secret.svg#g')"/>"#.into(), "../../secret.svg#g"),
        (
            r#"<rect width="9" height="9" fill="URL(https://example.org/p.svg#g)"/>"#.into(),
            "https://example.org/p.svg#g",
        ),
        ("<style>rect { fill: url(https://example.org/p.svg#g) }</style>".into(), "https://example.org/p.svg#g"),
        ("<style>@import url(https://example.org/x.css);</style>".into(), "@import url(https://example.org/x.css)"),
        (r#"<filter id="f"><feImage href="https://example.org/x.png"/></filter>"#.into(), "https://example.org/x.png"),
        (format!(r#"<image width="9" height="9" href="data:image/svg+xml,{inner}"/>"#), "/etc/passwd"),
    ];
    for (art, reference) in &cases {
        let site = evil_site();
        site.write("themes/evil/card.svg", &card_svg(art));
        let run = build_within(&site);
        assert_eq!(run.code, 1, "{art}: {}", run.stderr);
        // At the line and column where the file names it.
        let col = format!("  {art}").find(reference).expect("the art names it") + 1;
        let at = format!("themes/evil/card.svg:3:{col}: error: ");
        assert!(run.stderr.contains(&at), "{art}: wanted {at}\n{}", run.stderr);
        assert!(run.stderr.contains(&format!("refers to `{reference}`, outside the card")), "{art}: {}", run.stderr);
        assert!(!site.output("cards/a/card.png").exists(), "{art}");
    }
    // What stays inside the file is drawn: fragments and a small data: picture.
    let site = evil_site();
    let small = ONE_PIXEL_PNG;
    let art = format!(
        "<defs><linearGradient id=\"g\"><stop offset=\"0\" stop-color=\"red\"/></linearGradient></defs>\
         <rect id=\"r\" width=\"9\" height=\"9\" fill=\"url(#g)\"/><use href=\"#r\"/>\
         <image width=\"9\" height=\"9\" href=\"data:image/png;base64,{small}\"/>"
    );
    site.write("themes/evil/card.svg", &card_svg(&art));
    let run = build_within(&site);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(site.output("cards/a/card.png").is_file());
}

#[test]
fn huge_pictures_and_entity_and_use_bombs_in_theme_art_are_refused_in_bounded_time() {
    // A PNG whose header says 100000 x 100000: 40 GB once decoded.
    let huge = huge_png_base64();
    // Entities that grow a few kilobytes into tens of megabytes (and, with
    // more references, into anything).
    let entities =
        format!("<!DOCTYPE svg [<!ENTITY a \"{}\"><!ENTITY b \"{}\">]>", "x".repeat(1000), "&a;".repeat(250));
    let laughs =
        format!("{entities}<svg xmlns=\"http://www.w3.org/2000/svg\"><text>{}</text></svg>", "&b;".repeat(100));
    let mut bomb = String::from("<defs><path id=\"l0\" d=\"M0 0h1v1z\"/>");
    for level in 1..8 {
        bomb.push_str(&format!("<g id=\"l{level}\">{}</g>", format!("<use href=\"#l{}\"/>", level - 1).repeat(10)));
    }
    bomb.push_str("</defs><use href=\"#l7\"/>");
    let cases = [
        (
            card_svg(&format!("<image width=\"9\" height=\"9\" href=\"data:image/png;base64,{huge}\"/>")),
            "themes/evil/card.svg:3:37: error: ",
            "a picture of 100000 x 100000 pixels",
        ),
        (
            format!("{entities}\n{}", card_svg("<text>&b;&b;&b;&b;</text>")),
            "themes/evil/card.svg:1:1: error: ",
            "a DTD (<!DOCTYPE ...>) is not allowed",
        ),
        (
            card_svg(&format!("<image width=\"9\" height=\"9\" href=\"data:image/svg+xml,{}\"/>", percent(&laughs))),
            "themes/evil/card.svg: error: ",
            "an SVG picture in a data: URL: a DTD",
        ),
        (card_svg(&bomb), "themes/evil/card.svg: error: ", "nodes limit reached"),
    ];
    for (svg, at, message) in &cases {
        let site = evil_site();
        site.write("themes/evil/card.svg", svg);
        let run = build_within(&site);
        assert_eq!(run.code, 1, "{message}: {}", run.stderr);
        assert!(run.stderr.contains(at) && run.stderr.contains(message), "{message}: {}", run.stderr);
        assert!(!site.output("cards/a/card.png").exists(), "{message}");
    }
    // An emblem with entities is refused when the theme loads.
    let site = evil_site();
    site.write("themes/evil/emblems/bomb.svg", &laughs);
    let run = build_within(&site);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("themes/evil/emblems/bomb.svg: error: ") && run.stderr.contains("ENTITY"),
        "{}",
        run.stderr
    );
}

/// A base64 PNG whose header says 100000 x 100000 pixels (and that holds a
/// few bytes of them).
fn huge_png_base64() -> String {
    let mut bytes = crate::browser::base64_decode(ONE_PIXEL_PNG);
    bytes[16..20].copy_from_slice(&100_000u32.to_be_bytes());
    bytes[20..24].copy_from_slice(&100_000u32.to_be_bytes());
    base64_encode(&bytes)
}

fn base64_encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            out.push(if i <= chunk.len() { ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char } else { '=' });
        }
    }
    out
}

#[test]
fn theme_templates_may_use_only_the_themes_own_files() {
    let site = evil_site();
    let secret = site.root().join("secret.html");
    let cases = [
        ("card.html", "{% include \"../../secret.html\" %}".to_string(), "Unknown template `../../secret.html`", 12),
        ("card.html", format!("{{% include \"{}\" %}}", secret.display()), "Unknown template `", 12),
        (
            "gallery.html",
            "{% include \"../chocolate/gallery.html\" %}".into(),
            "Unknown template `../chocolate/gallery.html`",
            12,
        ),
        ("card.html", "{% extends \"../../secret.html\" %}".into(), "inheriting from '../../secret.html'", 4),
        ("404.html", "{% extends \"/etc/passwd\" %}".into(), "inheriting from '/etc/passwd'", 4),
        ("card.html", "{% import \"../../secret.html\" as s %}{{ s::m() }}".into(), "Unknown tag", 4),
    ];
    for (file, tag, message, col) in &cases {
        let site = evil_site();
        site.write(&format!("themes/evil/{file}"), &format!("{{# a page #}}\n{tag}\n"));
        let run = build_within(&site);
        assert_eq!(run.code, 1, "{tag}: {}", run.stderr);
        let at = format!("themes/evil/{file}:2:{col}: error: ");
        assert!(
            run.stderr.contains(&at) && run.stderr.contains(message),
            "{tag}: wanted {at}{message}\n{}",
            run.stderr
        );
        assert_nowhere_in_output(&site, "SECRET-TEMPLATE");
        assert_nowhere_in_output(&site, "root:");
    }
    // A link in the theme folder to a file outside it is not one of its files.
    #[cfg(unix)]
    {
        let site = evil_site();
        std::os::unix::fs::symlink(site.root().join("secret.html"), site.root().join("themes/evil/peek.html")).unwrap();
        site.write("themes/evil/card.html", "{# a page #}\n{% include \"peek.html\" %}\n");
        let run = build_within(&site);
        assert_eq!(run.code, 1, "{}", run.stderr);
        assert!(
            run.stderr.contains("themes/evil/card.html:2:12: error: Unknown template `peek.html`"),
            "{}",
            run.stderr
        );
        assert_nowhere_in_output(&site, "SECRET-TEMPLATE");
    }
}

#[test]
fn theme_fonts_come_only_from_the_theme_folder() {
    let font = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/chocolate/fonts/EBGaramond-Regular.ttf");
    let outside = |site: &Site| {
        let copy = site.root().join("Outside.ttf");
        std::fs::copy(&font, &copy).unwrap();
        copy
    };
    let site = evil_site();
    let absolute = outside(&site).display().to_string();
    for file in ["../../Outside.ttf", absolute.as_str(), "/etc/passwd", "fonts/../../../Outside.ttf"] {
        site.write(
            "themes/evil/theme.yaml",
            &format!("name: evil\ndescription: reaches out\nextends: chocolate\nfonts:\n  body: \"{file}\"\n"),
        );
        let run = build_within(&site);
        assert_eq!(run.code, 1, "{file}: {}", run.stderr);
        let wanted = format!("themes/evil/theme.yaml:5:10: error: font file `{file}` not found in the theme");
        assert!(run.stderr.contains(&wanted), "{file}: wanted {wanted}\n{}", run.stderr);
    }
    #[cfg(unix)]
    {
        let site = evil_site();
        std::fs::create_dir_all(site.root().join("themes/evil/fonts")).unwrap();
        std::os::unix::fs::symlink(outside(&site), site.root().join("themes/evil/fonts/link.ttf")).unwrap();
        site.write(
            "themes/evil/theme.yaml",
            "name: evil\ndescription: reaches out\nextends: chocolate\nfonts:\n  body: fonts/link.ttf\n",
        );
        let run = build_within(&site);
        assert_eq!(run.code, 1, "{}", run.stderr);
        assert!(run.stderr.contains("font file `fonts/link.ttf` not found in the theme"), "{}", run.stderr);
    }
}

#[test]
fn a_theme_folder_linked_from_outside_and_huge_or_deep_theme_files_are_refused() {
    #[cfg(unix)]
    {
        let site = Site::empty();
        site.write("content/a.md", "---\ntheme: evil\n---\nHello.\n");
        let elsewhere = tempfile::tempdir().unwrap();
        let yaml = "name: evil\ndescription: SECRET-THEME\nextends: chocolate\n";
        std::fs::write(elsewhere.path().join("theme.yaml"), yaml).unwrap();
        std::fs::create_dir_all(site.root().join("themes")).unwrap();
        std::os::unix::fs::symlink(elsewhere.path(), site.root().join("themes/evil")).unwrap();
        let run = build_within(&site);
        assert_eq!(run.code, 1, "{}", run.stderr);
        let wanted = "themes/evil: error: the theme folder leads outside the site folder\n  \
                      hint: themes are read only from inside the site folder: move the theme into themes/";
        assert!(run.stderr.contains(wanted), "{}", run.stderr);
        assert_nowhere_in_output(&site, "SECRET-THEME");
    }
    // Sparse: 200 MiB that take no room on the disk, and are never read.
    let site = evil_site();
    std::fs::File::create(site.root().join("themes/evil/card.svg")).unwrap().set_len(200 << 20).unwrap();
    let run = build_within(&site);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let wanted = "themes/evil/card.svg: error: the file is 200.0 MiB; a theme file may be at most 16 MiB";
    assert!(run.stderr.contains(wanted), "{}", run.stderr);
    let site = evil_site();
    let deep = "[".repeat(300_000);
    site.write(
        "themes/evil/theme.yaml",
        &format!("name: evil\ndescription: deep\nextends: chocolate\nstyles: {deep}\n"),
    );
    let run = build_within(&site);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let wanted = "themes/evil/theme.yaml:4:72: error: theme.yaml nests more than 64 levels deep here";
    assert!(run.stderr.contains(wanted), "{}", run.stderr);
}

#[test]
fn html_and_script_in_messages_come_out_escaped() {
    let site = Site::empty();
    site.write(
        "content/hostile.md",
        "---\ntitle: \"<img src=x onerror=alert(1)>\"\nfrom: \"<b>Eve</b>\"\nextra: { evil: \"<script>alert(2)</script>\" }\n---\n\
         Hello <script>alert(3)</script> and {{ extra.evil }} and {{ from }}.\n",
    );
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for file in ["cards/hostile/index.html", "index.html"] {
        let html = site.read(file);
        assert!(!html.contains("<script>alert"), "{file}: {html}");
        assert!(!html.contains("<img src=x"), "{file}: {html}");
        assert!(!html.contains("<b>Eve"), "{file}: {html}");
        assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"), "{file}: {html}");
    }
    let page = site.read("cards/hostile/index.html");
    assert!(page.contains("&lt;script&gt;alert(3)&lt;/script&gt;"), "{page}");
    assert!(page.contains("&lt;script&gt;alert(2)&lt;/script&gt;"), "{page}");
    let svg = site.read("cards/hostile/card.svg");
    assert!(!svg.contains("<script"), "the SVG card carries no script");
}

#[test]
fn a_panic_while_drawing_one_card_costs_that_card_only() {
    // An SVG picture of 1 x 100,000,000 pixels in the theme's artwork: the
    // SVG library panicked on it. (Whether it is refused before it is drawn
    // or caught when it panics, the outcome a user sees is the same.)
    let tall = r#"<svg xmlns="http://www.w3.org/2000/svg" width="1" height="100000000"><rect width="1" height="100000000"/></svg>"#;
    let site = evil_site();
    site.write("content/good.md", "A card in the site's own theme.\n");
    let art = format!("<image width=\"9\" height=\"9\" href=\"data:image/svg+xml,{}\"/>", percent(tall));
    site.write("themes/evil/card.svg", &card_svg(&art));
    for command in ["build", "check"] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_waxseal"))
            .arg(command)
            .env("RUST_BACKTRACE", "1")
            .current_dir(site.root())
            .output()
            .expect("the waxseal binary runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{command}: {stderr}");
        let at_the_card = |line: &str| {
            (line.starts_with("content/a.md:") || line.starts_with("themes/evil/card.svg"))
                && line.contains(": error: ")
        };
        assert!(stderr.lines().any(at_the_card), "{command}: {stderr}");
        for noise in ["panicked", "backtrace", "RUST_BACKTRACE"] {
            assert!(!stderr.contains(noise), "{command}: {stderr}");
        }
    }
    assert!(site.output("cards/good/card.png").is_file(), "the card of the other theme is built");
    assert!(site.read("index.html").contains("/cards/good/"));
    assert!(!site.output("cards/a/card.png").exists());
}

#[test]
fn theme_artwork_that_a_browser_would_run_is_refused_at_its_line() {
    // usvg draws none of it, so the PNG never showed it; the published
    // card.svg is the theme's own source, and a browser opening it ran it.
    let cases = [
        ("<script>alert(document.domain)</script>", "<script>", "<script"),
        (r#"<rect width="9" height="9" onload="alert(1)"/>"#, r#"onload="alert(1)""#, "onload="),
        (r#"<rect width="9" height="9" OnClick="alert(1)"/>"#, r#"OnClick="alert(1)""#, "OnClick="),
        (
            r##"<a href="#r"><set attributeName="href" to="javascript:alert(1)"/><rect id="r" width="9" height="9"/></a>"##,
            "<set>",
            "<set",
        ),
        (
            r#"<foreignObject width="9" height="9"><iframe xmlns="http://www.w3.org/1999/xhtml" src="https://example.org"/></foreignObject>"#,
            "<foreignObject>",
            "<foreignObject",
        ),
        (r#"<rect width="9" height="9" src="https://example.org/x.js"/>"#, r#"src="https://example.org/x.js""#, "src="),
        (
            r#"<a href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;"><rect width="9" height="9"/></a>"#,
            "<a href=\"data:text/html,<script>alert(1)</script>\">",
            "data:",
        ),
    ];
    for (art, what, needle) in cases {
        let site = evil_site();
        site.write("themes/evil/card.svg", &card_svg(art));
        let run = build_within(&site);
        assert_eq!(run.code, 1, "{art}: {}", run.stderr);
        let col = format!("  {art}").find(needle).expect("the art holds it") + 1;
        let want = format!(
            "themes/evil/card.svg:3:{col}: error: the theme's card.svg holds `{what}`, which would run in a browser \
             that opens the published card.svg: a card's artwork may hold no scripts, event attributes (`on...=`), \
             animations or embedded documents"
        );
        assert!(run.stderr.contains(&want), "{art}: wanted {want}\n{}", run.stderr);
        assert!(!site.output("cards/a/card.svg").exists(), "{art}");
        let check = site.run(&["check"]);
        assert!(check.code == 1 && check.stderr.contains(&want), "{art}: {}", check.stderr);
    }
}
