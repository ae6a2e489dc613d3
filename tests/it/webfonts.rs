//! The pages' web fonts: WOFF2 subsets of the theme's fonts that hold every
//! character the pages show and stay small; the fonts of other scripts
//! fetched only by the pages that show them; and nothing on a page moving
//! when its fonts arrive after it was first drawn.

use std::collections::BTreeSet;
use std::sync::Arc;

use serde_json::{json, Value};
use skrifa::MetadataProvider;

use crate::browser::{Browser, Page};
use crate::support::{css_href, require, Gate, Site};

/// One `@font-face` rule of a stylesheet waxseal wrote.
#[derive(Debug)]
struct FontFace {
    family: String,
    weight: String,
    style: String,
    /// The file it loads (none for a local font).
    url: Option<String>,
    /// Its `unicode-range`, as (first, last) code points.
    range: Option<Vec<(u32, u32)>>,
}

/// The `@font-face` rules of `css`.
fn font_faces(css: &str) -> Vec<FontFace> {
    css.split("@font-face {")
        .skip(1)
        .map(|rule| {
            let rule = &rule[..rule.find('}').unwrap()];
            let value = |name: &str| {
                rule.split(';').map(str::trim).find_map(|d| d.strip_prefix(name)).map(|v| v.trim().to_string())
            };
            let url = value("src:").and_then(|src| Some(src.split("url(\"").nth(1)?.split('"').next()?.to_string()));
            let range = value("unicode-range:").map(|ranges| {
                let hex = |h: &str| u32::from_str_radix(h.trim().trim_start_matches("U+"), 16).unwrap();
                ranges
                    .split(',')
                    .map(|r| match r.split_once('-') {
                        Some((a, b)) => (hex(a), hex(b)),
                        None => (hex(r), hex(r)),
                    })
                    .collect()
            });
            FontFace {
                family: value("font-family:").unwrap().trim_matches('\'').to_string(),
                weight: value("font-weight:").unwrap(),
                style: value("font-style:").unwrap(),
                url,
                range,
            }
        })
        .collect()
}

/// The characters of a web font's character map, read back from its file
/// (which must be WOFF2) with a decoder of its own.
fn cmap(bytes: &[u8]) -> BTreeSet<char> {
    assert_eq!(&bytes[..4], b"wOF2", "a WOFF2 file");
    let sfnt = wuff::decompress_woff2(bytes).expect("a WOFF2 file a decoder reads");
    let font = read_fonts::FontRef::new(&sfnt).expect("a font inside");
    font.charmap().mappings().filter(|(_, g)| g.to_u32() != 0).filter_map(|(c, _)| char::from_u32(c)).collect()
}

/// The text a reader of page `html` sees (not its head, scripts or
/// styles), character references read; and, apart, the text of its
/// elements set in the theme's script face (`class="... script-face"`).
fn visible_text(html: &str) -> (String, String) {
    use html5gum::{Token, Tokenizer};
    let (mut text, mut script) = (String::new(), String::new());
    let (mut hidden, mut in_script_face) = (0usize, None::<Vec<u8>>);
    for token in Tokenizer::new(html).flatten() {
        match token {
            Token::StartTag(tag) => {
                let name = tag.name.to_vec();
                if matches!(&name[..], b"head" | b"script" | b"style") {
                    hidden += 1;
                }
                let class = tag.attributes.get(b"class".as_slice()).map(|c| c.to_vec()).unwrap_or_default();
                if String::from_utf8_lossy(&class).split(' ').any(|c| c == "script-face") {
                    in_script_face = Some(name);
                }
            }
            Token::EndTag(tag) => {
                if matches!(&tag.name[..], b"head" | b"script" | b"style") {
                    hidden = hidden.saturating_sub(1);
                }
                if in_script_face.as_deref() == Some(&tag.name[..]) {
                    in_script_face = None;
                }
            }
            Token::String(s) if hidden == 0 => {
                let s = String::from_utf8_lossy(&s);
                text.push_str(&s);
                if in_script_face.is_some() {
                    script.push_str(&s);
                }
            }
            _ => {}
        }
    }
    (text, script)
}

/// This repository's example site, with a card in many scripts and a gallery
/// of many tags (a row of buttons that wraps).
fn shop() -> Site {
    let site = Site::examples();
    site.write(
        "waxseal.yaml",
        "title: Mossbrook Studio\ndescription: Thank-you cards and shipping notes from a small craft studio\n",
    );
    site.write(
        "content/world.md",
        "---\ntitle: Dziękujemy, Zoë!\ndate: 2026-11-30\ntags: [thank-you, world, Ünïcødé]\n---\n\
         Zażółć gęślą jaźń — “AV To Wa Ty”, ﬁne *ƒlourish* and **Œuvre**.\n\n\
         谢谢你的订单。 شكرا لطلبك. תודה על ההזמנה. 🙂 ❤️ 🎁\n",
    );
    let tags = [
        "thank-you",
        "shipping",
        "wholesale",
        "returns",
        "gift wrap",
        "custom orders",
        "seasonal",
        "workshops",
        "bespoke",
        "ceramics",
        "textiles",
        "woodwork",
        "jewellery",
        "prints",
        "candles",
        "stationery",
        "embroidery",
        "bookbinding",
        "marbling",
        "letterpress",
    ];
    for (i, pair) in tags.chunks(4).enumerate() {
        site.write(
            &format!("content/tagged-{i}.md"),
            &format!(
                "---\ntitle: A note about our {} and {}\ndate: 2026-10-{:02}\ntags: [{}]\n---\n\
                 Thank you for your order: it was wrapped by hand and sent with care, \
                 with a little note from all of us at the studio.\n",
                pair[0],
                pair[1],
                i + 1,
                pair.join(", ")
            ),
        );
    }
    site
}

#[test]
fn the_fonts_are_small_woff2_subsets_that_hold_every_character_the_pages_show() {
    let site = shop();
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("no font of the theme"), "{}", run.stderr);
    let pages =
        ["index.html", "cards/world/index.html", "cards/thank-you-deb/index.html", "tags/world/index.html", "404.html"];
    for page in pages {
        let html = site.read(page);
        let css = site.read(css_href(&html).trim_start_matches('/'));
        let faces = font_faces(&css);
        let web: Vec<(&FontFace, BTreeSet<char>)> = faces
            .iter()
            .filter_map(|f| {
                Some((f, cmap(&std::fs::read(site.output(f.url.as_ref()?.trim_start_matches('/'))).unwrap())))
            })
            .collect();
        // Every face of a family draws a character when it, or a face
        // standing in for it with the character in its range, has it.
        let draws = |face: &FontFace, c: char| {
            web.iter().any(|(f, chars)| {
                (&f.family, &f.weight, &f.style) == (&face.family, &face.weight, &face.style)
                    && f.range.as_ref().is_none_or(|r| r.iter().any(|(a, b)| (*a..=*b).contains(&u32::from(c))))
                    && chars.contains(&c)
            })
        };
        let (text, script) = visible_text(&html);
        let shown = |text: &str| -> BTreeSet<char> { text.chars().filter(|c| !c.is_whitespace()).collect() };
        let own = web.iter().filter(|(f, _)| f.range.is_none()).map(|(f, _)| *f);
        for face in own {
            let wanted = if face.family == "Dancing Script" { shown(&script) } else { shown(&text) };
            let lost: String = wanted.iter().filter(|c| !draws(face, **c)).collect();
            assert!(lost.is_empty(), "{page}: {} {} {} lacks {lost:?}", face.family, face.weight, face.style);
        }
    }
    // The Latin faces stay small; the scripts' faces smaller still.
    let fonts = crate::support::tree(&site.output("assets/fonts"));
    for (name, bytes) in &fonts {
        assert_eq!(&bytes[..4], b"wOF2", "{name}");
        let budget = if name.starts_with("EBGaramond") || name.starts_with("Dancing") { 60_000 } else { 12_000 };
        assert!(bytes.len() < budget, "{name}: {} bytes", bytes.len());
    }
    for script in ["NotoSerifSC", "NotoNaskhArabic", "NotoSerifHebrew", "Twemoji"] {
        assert!(fonts.keys().any(|name| name.starts_with(script)), "{script} in {:?}", fonts.keys());
    }
    assert!(!fonts.keys().any(|name| name.ends_with(".ttf")), "no whole font without emails");
}

/// The families of the platform fonts that draw `page`'s text, with how
/// many glyphs each (DevTools' `CSS.getPlatformFontsForNode` for every
/// element with text of its own).
fn platform_fonts(page: &mut Page) -> Vec<(String, bool, u64)> {
    page.call("DOM.enable", json!({}));
    page.call("CSS.enable", json!({}));
    let document = page.call("DOM.getDocument", json!({ "depth": -1 }));
    fn with_text(node: &Value, ids: &mut Vec<i64>) {
        let children = node["children"].as_array().map(Vec::as_slice).unwrap_or_default();
        let own = children
            .iter()
            .any(|c| c["nodeType"] == 3 && c["nodeValue"].as_str().is_some_and(|t| !t.trim().is_empty()));
        if own && !matches!(node["nodeName"].as_str(), Some("SCRIPT" | "STYLE" | "TITLE")) {
            ids.push(node["nodeId"].as_i64().unwrap());
        }
        children.iter().for_each(|c| with_text(c, ids));
    }
    let mut ids = Vec::new();
    with_text(&document["root"], &mut ids);
    let mut fonts: Vec<(String, bool, u64)> = Vec::new();
    for id in ids {
        let used = page.call("CSS.getPlatformFontsForNode", json!({ "nodeId": id }));
        for font in used["fonts"].as_array().into_iter().flatten() {
            let (family, custom) =
                (font["familyName"].as_str().unwrap_or("").to_string(), font["isCustomFont"] == true);
            let glyphs = font["glyphCount"].as_u64().unwrap_or(0);
            match fonts.iter_mut().find(|(f, c, _)| *f == family && *c == custom) {
                Some(entry) => entry.2 += glyphs,
                None => fonts.push((family, custom, glyphs)),
            }
        }
    }
    fonts
}

#[test]
fn every_character_is_drawn_in_the_themes_fonts_and_other_scripts_fetched_only_where_shown() {
    let site = shop();
    assert_eq!(site.build(&[]).code, 0);
    require!("chromium");
    let base = crate::support::serve(&site.output(""));
    let browser = Browser::open(&base);
    let mut page = browser.page(&base);
    let theirs =
        ["EB Garamond", "Dancing Script", "Noto Serif SC", "Noto Naskh Arabic", "Noto Serif Hebrew", "Twemoji"];
    for (path, scripts) in [("", false), ("cards/world/", true), ("cards/thank-you-deb/", false), ("404.html", false)] {
        let url = format!("{base}{path}");
        page.load(&url);
        let fonts = platform_fonts(&mut page);
        let strangers: Vec<_> =
            fonts.iter().filter(|(f, custom, _)| !custom || !theirs.iter().any(|t| f.starts_with(t))).collect();
        assert!(strangers.is_empty(), "{url}: text drawn in {strangers:?} (all: {fonts:?})");
        let fetched = page
            .eval("performance.getEntriesByType('resource').map(e => e.name).filter(n => n.includes('/fonts/')).join(' ')")
            .unwrap();
        let fetched = fetched.as_str().unwrap();
        for script in ["NotoSerifSC", "NotoNaskhArabic", "NotoSerifHebrew", "Twemoji"] {
            assert_eq!(fetched.contains(script), scripts, "{url}: {script} fetched? {fetched}");
        }
        // Every web font a page uses loaded (a font the browser could not
        // read would leave its text to a fallback without a word).
        let failed = page.eval(
            "[...document.fonts].filter(f => !f.family.includes(' fallback') && f.status === 'error').map(f => f.family + ' ' + f.weight + ' ' + f.style).join(', ')",
        );
        assert_eq!(failed.unwrap(), "", "{url}: fonts that failed to load");
    }
}

/// Collects the page's layout shifts from its first moments (see
/// [`layout_shifts`]).
const SHIFTS: &str = "window.__shifts = []; new PerformanceObserver(list => { for (const e of list.getEntries()) \
     if (!e.hadRecentInput) window.__shifts.push(e.value); }).observe({ type: 'layout-shift', buffered: true });";

/// How much of `path`'s page moves (the sum of its layout shift scores, as
/// the Layout Instability API has them) between its first drawing, with its
/// web fonts held back, and a moment after they arrived.
fn layout_shifts(page: &mut Page, output: &std::path::Path, path: &str) -> f64 {
    let gate = Arc::new(Gate::default());
    let base = crate::support::serve_holding(output, Some(("woff2", gate.clone())));
    let url = format!("{base}{path}");
    page.call("Page.navigate", json!({ "url": url }));
    let painted = format!(
        "location.href === '{url}' && document.readyState !== 'loading' \
         && performance.getEntriesByName('first-contentful-paint').length > 0"
    );
    page.until(&format!("{url} drawn without its fonts"), &painted, |v| v == &Value::Bool(true));
    crate::support::until("the page to ask for its fonts", || (gate.held() > 0).then_some(()));
    let frames = "new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))";
    let wait = |page: &mut Page, expression: &str| {
        page.call("Runtime.evaluate", json!({ "expression": expression, "awaitPromise": true, "returnByValue": true }))
    };
    wait(page, frames);
    let before = page.eval("document.fonts.status").unwrap();
    assert_eq!(before, "loading", "{url}: the fonts are held back while the page is first drawn");
    gate.open();
    wait(page, &format!("document.fonts.ready.then(() => {frames})"));
    wait(page, &format!("new Promise(r => setTimeout(r, 200)).then(() => {frames})"));
    page.eval("window.__shifts.reduce((sum, v) => sum + v, 0)").and_then(|v| v.as_f64()).unwrap()
}

#[test]
fn nothing_moves_when_the_fonts_arrive_late() {
    require!("chromium");
    let site = shop();
    assert_eq!(site.build(&[]).code, 0);
    // The same site whose stylesheet takes the fonts' stand-ins away (the
    // browser's own serif holds the text until the fonts come, as before
    // waxseal had them): what the test would see if they did not work.
    let unmatched = shop();
    let style = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/themes/chocolate/style.css")).unwrap();
    let bare = ":root { --font-body: 'EB Garamond'; --font-italic: 'EB Garamond'; --font-bold: 'EB Garamond'; \
                --font-bold-italic: 'EB Garamond'; --font-script: 'Dancing Script'; --font-display: 'Dancing Script'; }";
    unmatched.write("themes/chocolate/style.css", &format!("{style}\n{bare}\n"));
    assert_eq!(unmatched.build(&[]).code, 0);
    let browser = Browser::open("about:blank");
    let mut page = browser.page("about:blank");
    page.call("Page.enable", json!({}));
    page.call("Network.enable", json!({}));
    page.call("Network.setCacheDisabled", json!({ "cacheDisabled": true }));
    page.call("Page.addScriptToEvaluateOnNewDocument", json!({ "source": SHIFTS }));
    let mut scores = Vec::new();
    // Lighthouse's desktop screen, and a window as narrow as a phone (a
    // phone's emulation reports no layout shifts in headless Chromium).
    for (width, height) in [(1350, 940), (412, 823)] {
        let screen = json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": false });
        page.call("Emulation.setDeviceMetricsOverride", screen);
        for path in ["", "tags/thank-you/", "cards/world/", "cards/thank-you-deb/", "404.html"] {
            let ours = layout_shifts(&mut page, &site.output(""), path);
            let theirs = layout_shifts(&mut page, &unmatched.output(""), path);
            scores.push(format!("/{path} at {width} px: {ours:.4} (without the stand-ins: {theirs:.4})"));
            assert!(ours < 0.05, "{}", scores.join("\n"));
            if path.is_empty() {
                // The row of tag buttons wraps otherwise in the browser's serif.
                assert!(theirs > 0.1, "the fonts came late enough to move the page: {}", scores.join("\n"));
            }
        }
    }
    eprintln!("{}", scores.join("\n"));
}

/// A face as the browser computed it for an element: family, weight, style.
type Shown = (String, u32, String);

/// The face each text of `page`'s first `height` CSS pixels is set in, and
/// of all its text, for each element with text of its own.
fn faces_shown(page: &mut Page, height: u32) -> (Vec<Shown>, Vec<Shown>) {
    let script = format!(
        "(() => {{ const first = [], all = []; for (const el of document.querySelectorAll('body *')) {{ \
           if (![...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())) continue; \
           const r = el.getBoundingClientRect(); if (r.width === 0 || r.height === 0) continue; \
           const s = getComputedStyle(el); \
           const face = [s.fontFamily.split(',')[0].trim().replace(/['\"]/g, ''), s.fontWeight, s.fontStyle].join('|'); \
           all.push(face); if (r.top < {height} && r.bottom > 0) first.push(face); }} \
         return JSON.stringify([first, all]); }})()"
    );
    let found = page.eval(&script).unwrap();
    let lists: Vec<Vec<String>> = serde_json::from_str(found.as_str().unwrap()).unwrap();
    let parse = |face: &String| {
        let mut parts = face.split('|');
        let family = parts.next().unwrap().to_string();
        (family, parts.next().unwrap().parse().unwrap(), parts.next().unwrap().to_string())
    };
    (lists[0].iter().map(parse).collect(), lists[1].iter().map(parse).collect())
}

/// The web font the browser sets `(family, weight, style)` in: of the
/// family's own faces (not its stand-ins) in that style, the one nearest
/// in weight.
fn face_file<'f>(faces: &'f [FontFace], (family, weight, style): &Shown) -> Option<&'f str> {
    let own = faces.iter().filter(|f| f.range.is_none() && &f.family == family && &f.style == style);
    let nearest = own.min_by_key(|f| f.weight.parse::<u32>().unwrap().abs_diff(*weight))?;
    nearest.url.as_deref()
}

#[test]
fn a_page_fetches_at_once_the_fonts_its_first_screen_shows_and_no_other() {
    require!("chromium");
    let site = shop();
    site.write(
        "content/kraft-note.md",
        "---\ntitle: Your parcel is on its way\ntheme: kraft\ndate: 2026-09-01\n---\n\
         Packed by *Pip* with **extra** tissue.\n",
    );
    assert_eq!(site.build(&[]).code, 0);
    let base = crate::support::serve(&site.output(""));
    let browser = Browser::open(&base);
    let mut page = browser.page(&base);
    let paths = ["", "tags/thank-you/", "cards/thank-you-deb/", "cards/kraft-note/", "404.html"];
    let mut preloads = Vec::new();
    for (width, height) in [(412, 823), (1350, 940)] {
        page.set_viewport(width, height);
        for path in paths {
            let file = if path.ends_with(".html") { path.to_string() } else { format!("{path}index.html") };
            let html = site.read(&file);
            let faces = font_faces(&site.read(css_href(&html).trim_start_matches('/')));
            let preloaded: BTreeSet<&str> = html
                .split("<link rel=\"preload\" href=\"")
                .skip(1)
                .filter(|tail| tail.contains("as=\"font\""))
                .map(|tail| tail.split('"').next().unwrap())
                .collect();
            page.load(&format!("{base}{path}"));
            let (first, all) = faces_shown(&mut page, height);
            let wanted: BTreeSet<&str> = first.iter().filter_map(|f| face_file(&faces, f)).collect();
            let used: BTreeSet<&str> = all.iter().filter_map(|f| face_file(&faces, f)).collect();
            // Every face the first screen shows is asked for with the page,
            // not once the stylesheet has been read and the page laid out.
            let late: Vec<_> = wanted.difference(&preloaded).collect();
            assert!(late.is_empty(), "/{path} at {width} px: {late:?} not preloaded ({preloaded:?})");
            // And nothing is fetched at once that the page does not show.
            let unused: Vec<_> = preloaded.difference(&used).collect();
            assert!(unused.is_empty(), "/{path}: {unused:?} preloaded, not used ({used:?})");
            preloads.push(format!("/{path} at {width} px: {}", preloaded.len()));
        }
    }
    eprintln!("{}", preloads.join("\n"));
}
