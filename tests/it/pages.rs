//! The pages of every built-in theme (the gallery, with thumbnails and
//! without, a card page and the 404 page) in headless Chromium, in the light
//! and the dark colour scheme: every text readable (WCAG contrast of at
//! least 4.5:1 against what is behind it), every link showing where the
//! keyboard is, and no sideways scrolling from a small phone to a wide
//! screen.
//!
//! Screenshots of every page go to `target/tmp/screenshots/pages/`, to be
//! looked at after a change to a theme's stylesheet.

use serde_json::Value;

use crate::browser::{Browser, Page};
use crate::support::{self, require, Site};

/// The built-in themes.
const THEMES: [&str; 4] = ["chocolate", "kraft", "classic", "minimal"];

/// WCAG 2 AA for text of any size.
const TEXT_CONTRAST: f64 = 4.5;

/// WCAG 2 AA for what is not text, such as a focus outline.
const OUTLINE_CONTRAST: f64 = 3.0;

/// The page widths checked for sideways scrolling, from a wide screen down to
/// a small phone (the last, for the phone screenshot).
const WIDTHS: [u32; 4] = [1920, 1280, 768, 320];

/// A card with everything a card page shows: a date, tags, emphasis, strong
/// words, a link and a quote.
const WELCOME: &str = "---
title: Welcome to the studio
to: Sam
from: Hazel
date: 2026-12-01
tags: [welcome, first-order]
---
Dear {{ to }}, thank you for your *very first* order: it was wrapped by hand
and tied with **real** baker's twine.

> Good paper remembers the hand that folded it.

See [every card we have sent](/) in our gallery.
";

/// Helpers evaluated in the page before each check: colours parsed from
/// computed styles, composed and compared as WCAG 2 defines it.
const LIB: &str = r#"
const parse = (css) => {
  css = css.trim();
  let m = css.match(/^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i);
  if (m) return [parseInt(m[1], 16), parseInt(m[2], 16), parseInt(m[3], 16), 1];
  m = css.match(/^rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)$/);
  if (m) return [+m[1], +m[2], +m[3], m[4] === undefined ? 1 : +m[4]];
  m = css.match(/^color\(srgb ([\d.e-]+) ([\d.e-]+) ([\d.e-]+)(?: \/ ([\d.]+))?\)$/);
  if (m) return [m[1] * 255, m[2] * 255, m[3] * 255, m[4] === undefined ? 1 : +m[4]];
  return null;
};
const over = (top, under) => {
  const a = top[3] + under[3] * (1 - top[3]);
  if (a === 0) return [0, 0, 0, 0];
  return [0, 1, 2].map(i => (top[i] * top[3] + under[i] * under[3] * (1 - top[3])) / a).concat([a]);
};
const luminance = (c) => {
  const f = (v) => { v /= 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
  return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
};
const ratio = (a, b) => {
  const [hi, lo] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return Math.floor((hi + 0.05) / (lo + 0.05) * 100) / 100;
};
const hex = (c) => '#' + c.slice(0, 3).map(v => Math.round(v).toString(16).padStart(2, '0')).join('');
const describe = (el) => {
  const parts = [];
  for (let n = el; n && n !== document.body && parts.length < 4; n = n.parentElement) {
    parts.unshift(n.localName + Array.from(n.classList).map(c => '.' + c).join(''));
  }
  return parts.join(' > ');
};
// What is behind `el`: its own and its ancestors' background colours,
// composed down to the first opaque one. The HTML card's paper is a
// gradient fading to its edge colour: the text stands on its --paper.
const background = (el) => {
  const layers = [];
  for (let n = el; n; n = n.parentElement) {
    const style = getComputedStyle(n);
    if (n.matches('.card') && style.backgroundImage !== 'none') {
      const paper = parse(style.getPropertyValue('--paper'));
      if (!paper) return { error: 'no --paper on ' + describe(n) };
      layers.push(paper);
      break;
    }
    const color = parse(style.backgroundColor);
    if (!color) return { error: 'a background colour this test cannot read: ' + style.backgroundColor };
    const page = n === document.documentElement || n === document.body;
    if (style.backgroundImage !== 'none' && !page && color[3] < 1) {
      return { error: 'text over a background image on ' + describe(n) };
    }
    if (color[3] > 0) layers.push(color);
    if (color[3] >= 1) break;
  }
  return { color: layers.reverse().reduce((under, top) => over(top, under), [255, 255, 255, 1]) };
};
// How much of an element shows through its and its ancestors' opacity.
const opacity = (el) => {
  let o = 1;
  for (let n = el; n; n = n.parentElement) o *= +getComputedStyle(n).opacity;
  return o;
};
// Every element that holds visible text itself, with its contrast.
const texts = () => {
  const seen = new Set();
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let t = walker.nextNode(); t; t = walker.nextNode()) {
    const el = t.parentElement;
    if (!t.data.trim() || seen.has(el)) continue;
    if (!el.checkVisibility({ opacityProperty: true, visibilityProperty: true })) continue;
    const range = document.createRange();
    range.selectNodeContents(t);
    if (!Array.from(range.getClientRects()).some(r => r.width > 0 && r.height > 0)) continue;
    seen.add(el);
    const text = el.textContent.trim().replace(/\s+/g, ' ').slice(0, 50);
    const bg = background(el);
    const fg = parse(getComputedStyle(el).color);
    if (bg.error || !fg) {
      out.push({ where: describe(el), text, error: bg.error || 'a colour this test cannot read' });
      continue;
    }
    fg[3] *= opacity(el);
    const shown = over(fg, bg.color);
    out.push({ where: describe(el), text, color: hex(shown), background: hex(bg.color), ratio: ratio(shown, bg.color) });
  }
  return out;
};
// The focused element and how its focus shows.
const focused = () => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const style = getComputedStyle(el);
  const bg = background(el.parentElement || el);
  const outline = parse(style.outlineColor);
  return {
    where: describe(el),
    text: (el.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 50),
    visible: el.matches(':focus-visible'),
    style: style.outlineStyle,
    width: parseFloat(style.outlineWidth) || 0,
    color: outline ? hex(outline) : style.outlineColor,
    ratio: bg.error || !outline ? 0 : ratio(over(outline, bg.color), bg.color),
  };
};
"#;

/// Runs `expression` in the page with the helpers above in scope.
fn check(page: &mut Page, what: &str, expression: &str) -> Value {
    page.until(what, &format!("(() => {{ {LIB}\nreturn {expression}; }})()"), |v| !v.is_null())
}

/// A site of four cards in `theme`, three to a gallery page, built.
fn site(theme: &str) -> Site {
    let site = Site::fixture("basic");
    site.add_settings(&format!("theme: {theme}\ndpi: 150\ngallery:\n  per_page: 3\n"));
    site.write("content/welcome.md", WELCOME);
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{theme}: {}", run.stderr);
    site
}

/// What is found wrong with the pages, and the lowest contrasts seen.
#[derive(Default)]
struct Findings {
    failures: Vec<String>,
    lowest: Vec<String>,
}

/// Loads `url` in the current colour scheme and checks its texts, its
/// keyboard focus (at least `focusable` stops) and its width; saves
/// screenshots named `name`: the first focus, the page at 1280 and at 320 px.
fn check_page(page: &mut Page, at: &str, url: &str, focusable: usize, name: &str, found: &mut Findings) {
    let shots = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots/pages");
    std::fs::create_dir_all(&shots).unwrap();
    page.set_viewport(1280, 900);
    page.load(url);

    // Every text against what is behind it.
    let texts = check(page, "the texts", "texts()");
    let texts = texts.as_array().unwrap();
    assert!(texts.len() > 2, "{at}: too few texts found: {texts:?}");
    let mut min = f64::MAX;
    for t in texts {
        match t["ratio"].as_f64() {
            Some(ratio) => {
                min = min.min(ratio);
                if ratio < TEXT_CONTRAST {
                    found.failures.push(format!(
                        "{at}: {} \"{}\": {} on {} is {ratio}:1",
                        t["where"].as_str().unwrap(),
                        t["text"].as_str().unwrap(),
                        t["color"].as_str().unwrap(),
                        t["background"].as_str().unwrap(),
                    ));
                }
            }
            None => found.failures.push(format!("{at}: {}: {}", t["where"], t["error"])),
        }
    }
    found.lowest.push(format!("{at}: lowest text contrast {min}:1"));

    // Tab through every link: each shows a clear outline.
    let mut seen = Vec::new();
    for _ in 0..20 {
        page.press("Tab", 9);
        let focus = page.eval(&format!("(() => {{ {LIB}\nreturn focused(); }})()")).unwrap_or_default();
        if focus.is_null() {
            break;
        }
        let key = format!("{} \"{}\"", focus["where"].as_str().unwrap(), focus["text"].as_str().unwrap());
        if seen.contains(&key) {
            break;
        }
        let width = focus["width"].as_f64().unwrap();
        let ratio = focus["ratio"].as_f64().unwrap();
        if focus["visible"] != true || focus["style"] == "none" || width < 2.0 || ratio < OUTLINE_CONTRAST {
            found.failures.push(format!(
                "{at}: the keyboard focus on {key} shows as a {width} px {} {} outline ({ratio}:1, :focus-visible {})",
                focus["style"].as_str().unwrap(),
                focus["color"].as_str().unwrap(),
                focus["visible"],
            ));
        }
        if seen.is_empty() {
            std::fs::write(shots.join(format!("{name}-focus.png")), page.screenshot()).unwrap();
        }
        seen.push(key);
    }
    if seen.len() < focusable {
        found.failures.push(format!("{at}: the Tab key reached only {seen:?}"));
    }
    std::fs::write(shots.join(format!("{name}-1280.png")), page.full_screenshot(1280)).unwrap();

    // No sideways scrolling, from a wide screen to a small phone.
    for width in WIDTHS {
        page.set_viewport(width, 900);
        page.load(url);
        // The page's width, the width it can show (without a scroll bar) and
        // the window's (a phone zooms out on a page too wide for it).
        let widths = "[document.documentElement.scrollWidth, document.documentElement.clientWidth, innerWidth]";
        let w = page.eval(widths).unwrap();
        if w[0].as_u64() > w[1].as_u64() || w[2].as_u64() != Some(u64::from(width)) {
            found.failures.push(format!("{at}: scrolls sideways at {width} px: {w} (page, shown, window)"));
        }
    }
    std::fs::write(shots.join(format!("{name}-320.png")), page.full_screenshot(320)).unwrap();
}

#[test]
fn every_themes_pages_are_readable_keyboard_friendly_and_fit_any_screen_in_light_and_dark() {
    require!("chromium");
    let mut found = Findings::default();
    for theme in THEMES {
        let site = site(theme);
        let base = support::serve(&site.root().join("output"));
        // The same site without PNG output: the gallery shows the cards' text.
        site.add_settings("outputs: [html]\n");
        let run = site.build(&["--output", "text-only"]);
        assert_eq!(run.code, 0, "{theme}: {}", run.stderr);
        let text_only = support::serve(&site.root().join("text-only"));
        let pages = [
            ("gallery", base.clone(), 4),
            ("card", format!("{base}cards/welcome/"), 4),
            ("404", format!("{base}404.html"), 1),
            ("text-gallery", text_only, 4),
        ];
        let browser = Browser::open(&base);
        let mut page = browser.page(&base);
        page.call("Emulation.setFocusEmulationEnabled", serde_json::json!({ "enabled": true }));
        for scheme in ["light", "dark"] {
            page.emulate_color_scheme(scheme);
            for (name, url, focusable) in &pages {
                let at = format!("{theme}, {scheme}, {name} page");
                check_page(&mut page, &at, url, *focusable, &format!("{theme}-{scheme}-{name}"), &mut found);
            }
        }
    }
    eprintln!("{}", found.lowest.join("\n"));
    assert!(found.failures.is_empty(), "{} problems:\n{}", found.failures.len(), found.failures.join("\n"));
}
