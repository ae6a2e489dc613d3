//! A theme's stylesheet: its web fonts' `@font-face` rules, the palette
//! and the face classes, before `base.css` and the theme's own stylesheet;
//! and what pages link of it.

use std::collections::BTreeMap;

use serde::Serialize;

use super::hashed_name;
use super::webfont::{FontPlan, WebFont};
use crate::config::SiteConfig;
use crate::theme::{Face, FontRole, Theme};

/// Where the web font of `face` goes in the output folder: its name, the
/// hash of its bytes, and its format's extension.
pub fn web_font_path(face: &Face, font: &WebFont) -> String {
    let stem = face.file.rsplit('/').next().unwrap_or(&face.file);
    let stem = stem.rsplit_once('.').map_or(stem, |(stem, _)| stem);
    let ext = if font.format == "woff2" { "woff2" } else { "ttf" };
    format!("assets/fonts/{}", hashed_name(&format!("{stem}.{ext}"), &font.bytes))
}

/// A web font as it was written: its file in the output folder and its
/// format (`woff2`, or `truetype`).
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct FontFile {
    /// Its path in the output folder.
    pub path: String,
    /// Its format, as `@font-face` names it.
    pub format: String,
}

/// What a page links of its theme's assets.
#[derive(Debug, Clone, Default)]
pub struct PageAssets {
    /// The stylesheet's URL.
    pub css_url: String,
    /// The URL of the WOFF2 font the first screen of every page sets most
    /// of its text in (the body face), to be preloaded; or empty.
    pub preload: String,
}

/// A theme's stylesheet: its file in the output folder (named by the hash
/// of its text), its text, and what pages link of it.
pub struct Stylesheet {
    /// Its path in the output folder.
    pub path: String,
    /// Its text.
    pub css: String,
    /// Its URL, and the font pages preload.
    pub links: PageAssets,
}

/// A theme's stylesheet: the `@font-face` rules of its web fonts (`fonts`:
/// the files made for `plan`'s faces, by key), the palette, the
/// `.body-face` and `.script-face` classes, then `base.css` and the
/// theme's stylesheet.
pub fn stylesheet(
    theme: &Theme,
    config: &SiteConfig,
    plan: &FontPlan,
    fonts: &BTreeMap<String, FontFile>,
) -> Stylesheet {
    let mut css = font_faces(config, plan, fonts);
    let p = &theme.spec.palette;
    css.push_str(&format!(
        ":root {{ --paper: {}; --paper-edge: {}; --ink: {}; --accent: {}; --border: {}; --seal: {}; }}\n",
        p.paper, p.paper_edge, p.ink, p.accent, p.border, p.seal
    ));
    css.push_str(&classes(theme));
    // The page parts themes share (`base.css`, inherited from chocolate),
    // then the theme's own stylesheet.
    if let Some(base) = theme.files.get("base.css") {
        css.push_str(&String::from_utf8_lossy(base));
        css.push('\n');
    }
    css.push_str(&theme.css);
    let name = hashed_name(&format!("{}.css", theme.name), css.as_bytes());
    let path = format!("assets/{name}");
    let body = plan.roles.iter().find(|(roles, _)| roles.contains(&FontRole::Body));
    let preload = body
        .and_then(|(_, web)| fonts.get(&web.key))
        .filter(|file| file.format == "woff2")
        .map(|file| format!("{}{}", config.base_url, file.path))
        .unwrap_or_default();
    let links = PageAssets { css_url: format!("{}{}", config.base_url, path), preload };
    Stylesheet { path, css, links }
}

/// The `@font-face` rules of `plan`'s web fonts: each role's face, and
/// after it the faces that stand in for it with the characters they give
/// it (`unicode-range`), the first one last (of rules that both have a
/// character, the later one is used).
fn font_faces(config: &SiteConfig, plan: &FontPlan, fonts: &BTreeMap<String, FontFile>) -> String {
    let mut css = String::new();
    let rule = |css: &mut String, as_face: &Face, key: &str, range: Option<&[char]>| {
        let Some(file) = fonts.get(key) else { return };
        css.push_str(&format!(
            "@font-face {{ font-family: '{}'; font-weight: {}; font-style: {}; font-display: swap; src: url(\"{}{}\") format(\"{}\");{} }}\n",
            as_face.family,
            as_face.weight,
            if as_face.italic { "italic" } else { "normal" },
            config.base_url,
            file.path,
            file.format,
            range.map(|chars| format!(" unicode-range: {};", unicode_range(chars))).unwrap_or_default(),
        ));
    };
    for (r, (_, web)) in plan.roles.iter().enumerate() {
        rule(&mut css, web.face, &web.key, None);
        for standin in plan.standins.iter().rev() {
            if let Some((_, chars)) = standin.given.iter().find(|(to, _)| *to == r) {
                rule(&mut css, web.face, &standin.web.key, Some(chars));
            }
        }
    }
    css
}

/// The classes that set text in the body and the script face.
fn classes(theme: &Theme) -> String {
    let mut css = String::new();
    for (class, role) in [("body-face", FontRole::Body), ("script-face", FontRole::Script)] {
        let face = theme.face(role);
        css.push_str(&format!(
            ".{class} {{ font-family: '{}'; font-weight: {}; font-style: {}; }}\n",
            face.family,
            face.weight,
            if face.italic { "italic" } else { "normal" }
        ));
    }
    css
}

/// `chars` (in order) as a `unicode-range`: `U+4F60, U+597D-597E`.
fn unicode_range(chars: &[char]) -> String {
    let mut ranges: Vec<(u32, u32)> = Vec::new();
    for c in chars.iter().map(|c| u32::from(*c)) {
        match ranges.last_mut() {
            Some((_, end)) if *end + 1 == c => *end = c,
            _ => ranges.push((c, c)),
        }
    }
    let range = |(a, b): &(u32, u32)| if a == b { format!("U+{a:X}") } else { format!("U+{a:X}-{b:X}") };
    ranges.iter().map(range).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_unicode_range_joins_neighbours() {
        assert_eq!(unicode_range(&['A', '你', '好', '\u{597e}', '🙂']), "U+41, U+4F60, U+597D-597E, U+1F642");
    }
}
