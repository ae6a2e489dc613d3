//! A theme's stylesheet: its web fonts' `@font-face` rules, each role's
//! font stack, the palette and the face classes, before `base.css` and the
//! theme's own stylesheet; and what pages link of it.

use std::collections::BTreeMap;

use serde::Serialize;

use super::fallback::{self, Kind};
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
    /// The URL of each role's web font where it is a WOFF2 file, for a page
    /// to preload the faces its first screen shows (see [`PageAssets::preload`]).
    pub fonts: BTreeMap<FontRole, String>,
    /// The role the theme sets titles in: the site's name at the top of a
    /// list page and the card's title (its `title` style's face).
    pub title: FontRole,
}

impl PageAssets {
    /// The URLs of the web fonts of `roles`, each once, in their order
    /// (roles may share a face); the body face's first, as every page
    /// shows it.
    pub fn preload(&self, roles: &[FontRole]) -> Vec<String> {
        let mut urls: Vec<String> = Vec::new();
        for role in std::iter::once(&FontRole::Body).chain(roles) {
            match self.fonts.get(role) {
                Some(url) if !urls.contains(url) => urls.push(url.clone()),
                _ => {}
            }
        }
        urls
    }
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
/// the files made for `plan`'s faces, by key) and of the local fonts that
/// take their room while they load, each role's font stack as a custom
/// property (`--font-body`), the palette, the `.body-face` and
/// `.script-face` classes, then `base.css` and the theme's stylesheet.
pub fn stylesheet(
    theme: &Theme,
    config: &SiteConfig,
    plan: &FontPlan,
    fonts: &BTreeMap<String, FontFile>,
) -> Stylesheet {
    let base = theme.files.get("base.css").map(|b| String::from_utf8_lossy(b).into_owned()).unwrap_or_default();
    let mut css = font_faces(config, plan, fonts);
    let stacks = stacks(plan, &format!("{base}\n{}", theme.css));
    for (_, web) in &plan.roles {
        let kind = stacks.iter().find(|s| s.family == web.face.family).map_or(Kind::Serif, |s| s.kind);
        css.push_str(&fallback::rules(web.face, kind));
    }
    let variables: Vec<String> = stacks.iter().map(|s| format!("{}: {};", role_variable(s.role), s.fonts)).collect();
    css.push_str(&format!(":root {{ {} }}\n", variables.join(" ")));
    let p = &theme.spec.palette;
    css.push_str(&format!(
        ":root {{ --paper: {}; --paper-edge: {}; --ink: {}; --accent: {}; --border: {}; --seal: {}; }}\n",
        p.paper, p.paper_edge, p.ink, p.accent, p.border, p.seal
    ));
    css.push_str(&classes(theme, &stacks));
    // The page parts themes share (`base.css`, inherited from chocolate),
    // then the theme's own stylesheet.
    if !base.is_empty() {
        css.push_str(&base);
        css.push('\n');
    }
    css.push_str(&theme.css);
    let name = hashed_name(&format!("{}.css", theme.name), css.as_bytes());
    let path = format!("assets/{name}");
    let woff2 = |key: &String| fonts.get(key).filter(|file| file.format == "woff2");
    let urls = plan
        .roles
        .iter()
        .filter_map(|(roles, web)| Some((roles, format!("{}{}", config.base_url, woff2(&web.key)?.path))));
    let fonts = urls.flat_map(|(roles, url)| roles.iter().map(move |role| (*role, url.clone()))).collect();
    let title = theme.spec.styles.title.face.unwrap_or(FontRole::Script);
    let links = PageAssets { css_url: format!("{}{}", config.base_url, path), fonts, title };
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

/// A role's font stack.
struct Stack {
    role: FontRole,
    /// Its face's family.
    family: String,
    /// The family, then its stand-ins': `'EB Garamond', 'EB Garamond fallback', ...`.
    fonts: String,
    /// What kind of local font stands in for it.
    kind: Kind,
}

/// The font stack of each role, in the roles' order. A family's kind is
/// the generic family `css` (the theme's stylesheets) names after one of
/// its roles' stacks or its own name (an italic face goes by the body's
/// stack), else what its font says.
fn stacks(plan: &FontPlan, css: &str) -> Vec<Stack> {
    let mut stacks = Vec::new();
    for (roles, web) in &plan.roles {
        let family = &web.face.family;
        let faces = plan.roles.iter().filter(|(_, w)| w.face.family == *family);
        let mut names: Vec<String> =
            faces.flat_map(|(roles, _)| roles).map(|r| format!("var({})", role_variable(*r))).collect();
        names.push(family.clone());
        let kind = fallback::kind_in(css, &names).unwrap_or_else(|| fallback::kind_of(web.face));
        let [first, second] = fallback::families(family);
        let fonts = format!("'{family}', '{first}', '{second}'");
        stacks.extend(roles.iter().map(|role| Stack {
            role: *role,
            family: family.clone(),
            fonts: fonts.clone(),
            kind,
        }));
    }
    stacks.sort_by_key(|s| s.role);
    stacks
}

/// The classes that set text in the body and the script face, by their
/// stacks and a generic family of their kind.
fn classes(theme: &Theme, stacks: &[Stack]) -> String {
    let mut css = String::new();
    for (class, role) in [("body-face", FontRole::Body), ("script-face", FontRole::Script)] {
        let face = theme.face(role);
        let generic = match stacks.iter().find(|s| s.role == role).map(|s| s.kind) {
            Some(Kind::Sans) => "sans-serif",
            Some(Kind::Mono) => "monospace",
            _ => "serif",
        };
        css.push_str(&format!(
            ".{class} {{ font-family: var({}), {generic}; font-weight: {}; font-style: {}; }}\n",
            role_variable(role),
            face.weight,
            if face.italic { "italic" } else { "normal" }
        ));
    }
    css
}

/// The custom property of a role's font stack: `--font-body`.
fn role_variable(role: FontRole) -> &'static str {
    match role {
        FontRole::Body => "--font-body",
        FontRole::Italic => "--font-italic",
        FontRole::Bold => "--font-bold",
        FontRole::BoldItalic => "--font-bold-italic",
        FontRole::Script => "--font-script",
        FontRole::Display => "--font-display",
    }
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

    #[test]
    fn each_role_has_its_stack_and_the_stylesheet_names_the_stand_ins_kind() {
        let root = tempfile::tempdir().unwrap();
        let minimal = crate::theme::load(root.path(), "minimal").unwrap();
        let plan = super::super::webfont::plan(&minimal, &Default::default());
        let sheet = stylesheet(&minimal, &SiteConfig::default(), &plan, &BTreeMap::new());
        let css = &sheet.css;
        assert!(css.contains("--font-body: 'Inter', 'Inter fallback', 'Inter fallback DejaVu';"), "{css}");
        assert!(css.contains("--font-italic: 'Inter', 'Inter fallback', 'Inter fallback DejaVu';"), "{css}");
        // Inter is sans-serif in minimal's stylesheet; Instrument Serif serif.
        assert!(
            css.contains("font-family: 'Inter fallback'; font-weight: 400; font-style: normal; src: local(\"Arial\")"),
            "{css}"
        );
        assert!(css.contains("font-family: 'Instrument Serif fallback'; font-weight: 400; font-style: normal; src: local(\"Times New Roman\")"), "{css}");
        assert!(css.contains(".body-face { font-family: var(--font-body), sans-serif;"), "{css}");
        // No font made: no rule links one, and nothing to preload.
        assert!(!css.contains("url("), "{css}");
        assert!(sheet.links.fonts.is_empty() && sheet.links.preload(&[FontRole::Script]).is_empty());
    }
}
