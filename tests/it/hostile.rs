//! Hostile input: messages and front matter full of markup and script, and
//! site themes whose artwork, templates and fonts reach for files outside
//! their folder, the network, or more memory than a card needs. Markup
//! comes out as text; a theme that reaches out is refused with an error
//! naming its file.

use serde_json::Value;

use crate::browser::Browser;
use crate::support::{tree, Site};

/// A message whose every field tries to run script: each payload that runs
/// sets `window.pwned` to its own number.
const HOSTILE: &str = r#"---
title: "<script>window.pwned=1</script><img src=x onerror=window.pwned=2>"
from: "<svg onload=window.pwned=3>"
to: "\"><script>window.pwned=4</script>"
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
    let origin = crate::support::serve(&site.output(""));
    let tag_pages: Vec<String> = files
        .keys()
        .filter(|n| n.starts_with("tags/") && n.ends_with("/index.html"))
        .map(|n| n.trim_end_matches("index.html").to_string())
        .collect();
    assert_eq!(tag_pages.len(), 3, "{tag_pages:?}");
    let mut pages = vec!["cards/evil/".to_string(), String::new(), "cards/evil/card.svg".into(), "404.html".into()];
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
}
