//! Themes: `theme.yaml`, templates, CSS and fonts, built in or from the site.
//!
//! A built-in theme is compiled into the binary (so `waxseal build` works
//! with nothing installed); a site's `themes/NAME/PATH` file replaces the
//! built-in file of the same path, one file at a time. Fonts come only from
//! the theme's files, never from the machine, so every machine draws the same
//! pixels. A theme is loaded once per build and shared by every card.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use resvg::usvg;
use serde::Deserialize;

use crate::diagnostics::{display_path, Diagnostic};
use crate::hash;

/// The built-in themes, compiled into the binary from `themes/`.
static BUILT_IN: &[(&str, &include_dir::Dir)] = &[
    ("chocolate", &include_dir::include_dir!("$CARGO_MANIFEST_DIR/themes/chocolate")),
    ("classic", &include_dir::include_dir!("$CARGO_MANIFEST_DIR/themes/classic")),
    ("kraft", &include_dir::include_dir!("$CARGO_MANIFEST_DIR/themes/kraft")),
    ("minimal", &include_dir::include_dir!("$CARGO_MANIFEST_DIR/themes/minimal")),
];

/// Every file of an embedded theme folder, as (path inside the theme, bytes).
fn embedded_files(dir: &'static include_dir::Dir) -> Vec<(String, &'static [u8])> {
    let mut out = Vec::new();
    let mut stack = vec![dir];
    while let Some(dir) = stack.pop() {
        for entry in dir.entries() {
            match entry {
                include_dir::DirEntry::Dir(d) => stack.push(d),
                include_dir::DirEntry::File(f) => {
                    out.push((f.path().to_string_lossy().replace('\\', "/"), f.contents()))
                }
            }
        }
    }
    out.sort();
    out
}

/// The files of built-in theme `name`, as (path inside the theme, bytes).
pub fn built_in_files(name: &str) -> Option<Vec<(String, &'static [u8])>> {
    BUILT_IN.iter().find(|(n, _)| *n == name).map(|(_, dir)| embedded_files(dir))
}

/// A theme's name and description, for listings: built-in themes and the
/// site's own, with where each comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThemeInfo {
    /// The name cards use.
    pub name: String,
    /// One line about its look.
    pub description: String,
    /// `built-in`, `site` or `built-in, with site files`.
    pub source: &'static str,
}

/// Lists the built-in themes and those in `root/themes/`, sorted by name.
pub fn list(root: &Path) -> Vec<ThemeInfo> {
    let mut names: Vec<String> = built_in_names().into_iter().map(String::from).collect();
    if let Ok(entries) = std::fs::read_dir(root.join("themes")) {
        names.extend(
            entries.flatten().filter(|e| e.path().is_dir()).map(|e| e.file_name().to_string_lossy().into_owned()),
        );
    }
    names.sort();
    names.dedup();
    names
        .into_iter()
        .map(|name| {
            let builtin = built_in_names().contains(&name.as_str());
            let site = root.join("themes").join(&name).is_dir();
            let source = match (builtin, site) {
                (true, true) => "built-in, with site files",
                (true, false) => "built-in",
                _ => "site",
            };
            let description = match load(root, &name) {
                Ok(theme) => theme.spec.description.clone(),
                Err(d) => format!("(broken: {d})"),
            };
            ThemeInfo { name, description, source }
        })
        .collect()
}

/// Names of the built-in themes.
pub fn built_in_names() -> Vec<&'static str> {
    BUILT_IN.iter().map(|(name, _)| *name).collect()
}

/// The templates every theme provides.
pub const TEMPLATES: &[&str] = &["card.svg", "card.html", "gallery.html", "404.html"];

/// Colours, as CSS hex strings.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Palette {
    /// The card's paper.
    pub paper: String,
    /// A second paper tone for the edges (gradients).
    pub paper_edge: String,
    /// The text.
    pub ink: String,
    /// Emphasised words, links, the title.
    pub accent: String,
    /// Border art.
    pub border: String,
    /// The default wax colour.
    pub seal: String,
}

/// Font files by role, relative to the theme folder.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FontFiles {
    /// Body text.
    pub body: String,
    /// `*em*`.
    pub italic: String,
    /// `**strong**`.
    pub bold: String,
    /// `***both***`.
    pub bold_italic: String,
    /// Title and signature.
    pub script: String,
    /// Headings inside the message; the script font when not given.
    #[serde(default)]
    pub display: Option<String>,
    /// Fonts tried in order, per character, for what the others lack
    /// (other scripts, emoji).
    #[serde(default)]
    pub fallbacks: Vec<String>,
}

/// How the message text is set.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct TextSettings {
    /// Preferred body size, in points.
    pub size: f32,
    /// The smallest body size the text may shrink to, in points.
    pub min_size: f32,
    /// Line height as a multiple of the size.
    pub line_height: f32,
    /// Space between paragraphs, as a multiple of the line height.
    pub paragraph_gap: f32,
    /// `left` or `center`.
    pub align: Align,
    /// Where a text shorter than its box sits: `center` (a little above the
    /// middle) or `top`.
    #[serde(default)]
    pub valign: VAlign,
    /// The title's size as a multiple of the body size.
    pub title_scale: f32,
    /// The signature's size as a multiple of the body size.
    pub signature_scale: f32,
    /// Words before the sender's name in the signature line.
    pub sign_off: String,
    /// How the signature is set: `right` (the default), `center` or `left`.
    #[serde(default = "signature_align")]
    pub signature_align: Align,
}

fn signature_align() -> Align {
    Align::Right
}

/// Horizontal alignment of text lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Align {
    /// Ragged right.
    Left,
    /// Centred lines.
    Center,
    /// Ragged left (signatures).
    Right,
}

/// Vertical placement of a text shorter than its box.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum VAlign {
    /// A little above the middle.
    #[default]
    Center,
    /// At the top of the box.
    Top,
}

/// A rectangle as fractions of the card's width and height.
#[derive(Debug, Clone, Copy, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Frac {
    /// Left edge.
    pub x: f32,
    /// Top edge.
    pub y: f32,
    /// Width (0 for a point).
    #[serde(default)]
    pub width: f32,
    /// Height (0 for a point).
    #[serde(default)]
    pub height: f32,
}

/// Where things go on the card, as fractions of its size.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Geometry {
    /// The box the title, message and signature must fit in.
    pub text_box: Frac,
    /// The seal's centre.
    pub seal: Frac,
    /// The seal's radius as a fraction of the card's shorter side.
    pub seal_radius: f32,
}

/// The default seal of the theme's cards.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct SealDefaults {
    /// Emblem pressed into the wax: a built-in one or `emblems/NAME.svg` of the theme.
    pub emblem: String,
    /// Wax colour (a name or hex); the palette's `seal` when not given.
    #[serde(default)]
    pub color: Option<String>,
}

/// How one kind of text looks. Unset fields keep the text's own look.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Style {
    /// Set in an italic face.
    pub italic: Option<bool>,
    /// Set in a bold face.
    pub bold: Option<bool>,
    /// `ink`, `accent`, `border`, `seal` (palette entries) or a hex colour.
    pub color: Option<String>,
    /// Underlined.
    pub underline: Option<bool>,
    /// For headings, the title and the signature: `body`, `italic`, `bold`,
    /// `bold_italic`, `script` or `display`.
    pub face: Option<FontRole>,
}

impl Style {
    fn of(face: Option<FontRole>, italic: Option<bool>, bold: Option<bool>, color: &str, underline: bool) -> Style {
        Style { italic, bold, color: Some(color.into()), underline: Some(underline), face }
    }
}

/// How each kind of text looks (`styles:` in theme.yaml); every entry is optional.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Styles {
    /// `*em*`.
    pub em: Style,
    /// `**strong**`.
    pub strong: Style,
    /// Links.
    pub link: Style,
    /// Block quotes.
    pub quote: Style,
    /// `#` headings.
    pub heading: Style,
    /// The card's title.
    pub title: Style,
    /// The signature line.
    pub signature: Style,
    /// List bullets and numbers.
    pub marker: Style,
}

impl Default for Styles {
    fn default() -> Self {
        Styles {
            em: Style::of(None, Some(true), None, "accent", false),
            strong: Style::of(None, None, Some(true), "ink", false),
            link: Style::of(None, None, None, "accent", true),
            quote: Style::of(None, Some(true), None, "ink", false),
            heading: Style::of(Some(FontRole::Display), None, None, "ink", false),
            title: Style::of(Some(FontRole::Script), None, None, "accent", false),
            signature: Style::of(Some(FontRole::Script), None, None, "ink", false),
            marker: Style::of(Some(FontRole::Body), None, None, "accent", false),
        }
    }
}

/// `theme.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThemeFile {
    /// The theme's name.
    pub name: String,
    /// One line about its look.
    pub description: String,
    /// Colours.
    pub palette: Palette,
    /// Font files by role.
    pub fonts: FontFiles,
    /// Text settings.
    pub text: TextSettings,
    /// Placement on a portrait card.
    pub geometry: Geometry,
    /// Placement on particular sizes, by size name (`a7`, `square`,
    /// `a6-landscape`) or `landscape` for every landscape card.
    #[serde(default)]
    pub sizes: BTreeMap<String, Geometry>,
    /// How emphasis, links, headings, the title and the signature look.
    #[serde(default)]
    pub styles: Styles,
    /// The seal.
    pub seal: SealDefaults,
    /// The theme this one is made from: its files and settings are used for
    /// whatever this one does not give.
    #[serde(default)]
    pub extends: Option<String>,
}

/// The keys of `theme.yaml`, for hints.
const THEME_KEYS: &[&str] =
    &["name", "description", "extends", "palette", "fonts", "text", "geometry", "sizes", "styles", "seal"];

/// The faces a card is set in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FontRole {
    /// Body text.
    Body,
    /// Italic.
    Italic,
    /// Bold.
    Bold,
    /// Bold italic.
    BoldItalic,
    /// Title and signature.
    Script,
    /// Headings.
    Display,
}

/// Names a face of a theme: one of its roles, or its n-th fallback font.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FaceKey {
    /// The face of a role.
    Role(FontRole),
    /// A fallback font, tried in order for characters the role's face lacks.
    Fallback(usize),
}

/// One loaded font face.
#[derive(Clone)]
pub struct Face {
    /// Family name as fontdb (and so usvg) knows it.
    pub family: String,
    /// 100..900.
    pub weight: u16,
    /// Italic or oblique.
    pub italic: bool,
    /// The font file.
    pub data: Arc<Vec<u8>>,
    /// Face index inside the file.
    pub index: u32,
    /// Font units per em.
    pub units_per_em: u16,
    /// The shaper's tables for this face, built once per build.
    pub shaper: Arc<harfrust::ShaperData>,
    /// The file, relative to the theme, for messages.
    pub file: String,
}

impl Face {
    /// The SVG attributes that make usvg pick exactly this face.
    pub fn svg_attrs(&self) -> String {
        format!(
            "font-family=\"{}\" font-weight=\"{}\" font-style=\"{}\"",
            self.family,
            self.weight,
            if self.italic { "italic" } else { "normal" }
        )
    }

    /// The CSS for the same face.
    pub fn css(&self) -> String {
        format!(
            "font-family: '{}'; font-weight: {}; font-style: {};",
            self.family,
            self.weight,
            if self.italic { "italic" } else { "normal" }
        )
    }
}

/// A theme, loaded and ready to render with.
pub struct Theme {
    /// The name cards use.
    pub name: String,
    /// theme.yaml.
    pub spec: ThemeFile,
    /// Faces by role.
    pub faces: BTreeMap<FontRole, Face>,
    /// Fallback faces, in the order they are tried.
    pub fallbacks: Vec<Face>,
    /// The card, page and gallery templates.
    pub templates: tera::Tera,
    /// The theme's stylesheet.
    pub css: String,
    /// Every file of the theme, for assets (fonts) and hashing.
    pub files: BTreeMap<String, Arc<Vec<u8>>>,
    /// usvg options with the theme's fonts and nothing from outside.
    pub usvg_options: usvg::Options<'static>,
    /// Where each file came from, as shown in diagnostics.
    pub origins: BTreeMap<String, PathBuf>,
    /// The theme's own emblems (`emblems/NAME.svg`), by name.
    pub emblems: BTreeMap<String, crate::seal::EmblemShape>,
    /// This theme and the themes it extends, in order.
    pub chain: Vec<String>,
    /// Changes when any file of the theme (or waxseal itself) changes.
    pub fingerprint: String,
    /// Changes when a file the card pictures are drawn from changes: not
    /// the pages' templates and stylesheets (`*.html`, `*.css`), nor the
    /// email template.
    pub picture_fingerprint: String,
    /// Changes when a template the card's email may use changes (`*.html`,
    /// `email.html.tera`).
    pub email_fingerprint: String,
    /// Glyph outlines written into standalone card SVGs, by font and glyph.
    pub glyphs: crate::svgout::GlyphOutlines,
    /// Widths of the words of its cards, and the shape plans of its faces, made once.
    pub widths: crate::layout::WidthCache,
    /// Its fonts for print PDFs, loaded the first time one is made.
    pub print_fonts: crate::pdf::PrintFonts,
}

impl std::fmt::Debug for Face {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Face").field("family", &self.family).field("file", &self.file).finish_non_exhaustive()
    }
}

impl std::fmt::Debug for Theme {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Theme").field("name", &self.name).finish_non_exhaustive()
    }
}

impl Theme {
    /// The face for a role.
    pub fn face(&self, role: FontRole) -> &Face {
        &self.faces[&role]
    }

    /// The geometry for a card size: the size's own (`a6-landscape`, `og`),
    /// then `landscape` for a card wider than tall, then the base size's
    /// (`a6` for `a6-landscape`), then the default.
    pub fn geometry_for(&self, size_name: &str, wide: bool) -> &Geometry {
        let sizes = &self.spec.sizes;
        let base = size_name.strip_suffix("-landscape");
        sizes
            .get(size_name)
            .or_else(|| wide.then(|| sizes.get("landscape")).flatten())
            .or_else(|| base.and_then(|b| sizes.get(b)))
            .unwrap_or(&self.spec.geometry)
    }

    /// A colour of a style: a palette entry's name or a hex colour.
    pub fn color(&self, name: &str) -> String {
        let p = &self.spec.palette;
        match name {
            "ink" => p.ink.clone(),
            "accent" => p.accent.clone(),
            "border" => p.border.clone(),
            "seal" => p.seal.clone(),
            "paper" => p.paper.clone(),
            other => other.to_string(),
        }
    }

    /// The face a key names.
    pub fn face_by_key(&self, key: FaceKey) -> &Face {
        match key {
            FaceKey::Role(role) => self.face(role),
            FaceKey::Fallback(i) => &self.fallbacks[i],
        }
    }

    /// Every face with its key: roles first, then fallbacks.
    pub fn all_faces(&self) -> impl Iterator<Item = (FaceKey, &Face)> {
        self.faces
            .iter()
            .map(|(role, face)| (FaceKey::Role(*role), face))
            .chain(self.fallbacks.iter().enumerate().map(|(i, face)| (FaceKey::Fallback(i), face)))
    }

    /// The file `path` of the theme as shown in diagnostics: the site's file,
    /// or a note that it is the built-in one.
    pub fn origin(&self, path: &str) -> PathBuf {
        self.origins.get(path).cloned().unwrap_or_else(|| PathBuf::from(path))
    }
}

/// How the error of [`load`] for a theme there is not begins.
const UNKNOWN: &str = "unknown theme";

/// Whether `d`, an error of [`load`], says that there is no such theme (rather
/// than that the theme has an error).
pub fn is_unknown(d: &Diagnostic) -> bool {
    d.message.starts_with(UNKNOWN)
}

/// Loads theme `name` for the site at `root`: the built-in files overlaid by
/// the site's `themes/NAME/` files.
pub fn load(root: &Path, name: &str) -> Result<Theme, Diagnostic> {
    let mut chain = Vec::new();
    let sources = collect(root, name, &mut chain)?;
    let Sources { files, origins, yaml, texts } = sources;
    let origin = |path: &str| origins.get(path).cloned().unwrap_or_else(|| PathBuf::from(path));
    let text = |path: &str| -> Result<String, Diagnostic> {
        let bytes = files.get(path).ok_or_else(|| {
            Diagnostic::error(
                display_path(root, &root.join("themes").join(name).join(path)),
                0,
                0,
                "missing theme file",
            )
        })?;
        String::from_utf8(bytes.to_vec()).map_err(|_| Diagnostic::error(origin(path), 0, 0, "not UTF-8 text"))
    };
    let spec: ThemeFile = serde_yaml::from_value(yaml).map_err(|e| locate_yaml_error(&e, &texts))?;
    let theme_yaml = texts.first().map(|(_, t)| t.clone()).unwrap_or_default();
    let mut usvg_options = usvg::Options {
        // Card artwork may not pull files from the disk or the network.
        image_href_resolver: usvg::ImageHrefResolver {
            resolve_data: usvg::ImageHrefResolver::default_data_resolver(),
            resolve_string: Box::new(|_, _| None),
        },
        font_family: String::new(),
        ..usvg::Options::default()
    };
    let mut faces = BTreeMap::new();
    let display = spec.fonts.display.clone().unwrap_or_else(|| spec.fonts.script.clone());
    let roles = [
        (FontRole::Body, &spec.fonts.body),
        (FontRole::Italic, &spec.fonts.italic),
        (FontRole::Bold, &spec.fonts.bold),
        (FontRole::BoldItalic, &spec.fonts.bold_italic),
        (FontRole::Script, &spec.fonts.script),
        (FontRole::Display, &display),
    ];
    let load = |options: &mut usvg::Options<'static>, file: &String| -> Result<Face, Diagnostic> {
        let data = files.get(file.as_str()).ok_or_else(|| {
            let (line, col) = value_place(&theme_yaml, file);
            Diagnostic::error(origin("theme.yaml"), line, col, format!("font file `{file}` not found in the theme"))
                .with_hint("fonts are loaded only from the theme folder, never from the system")
        })?;
        load_face(options, data.clone(), file)
            .ok_or_else(|| Diagnostic::error(origin(file), 0, 0, "not a TrueType or OpenType font"))
    };
    for (role, file) in roles {
        faces.insert(role, load(&mut usvg_options, file)?);
    }
    let fallbacks =
        spec.fonts.fallbacks.iter().map(|file| load(&mut usvg_options, file)).collect::<Result<Vec<_>, _>>()?;

    let mut templates = tera::Tera::new();
    templates.autoescape_on(vec![".svg", ".html", ".html.tera"]);
    crate::template::register_filters(&mut templates);
    // The templates a theme must have, its email template when it has one,
    // and any other `*.html` file of it (`partials/head.html`) for them to
    // include or extend, added together.
    let mut names: Vec<&str> = TEMPLATES.to_vec();
    names.extend(
        files
            .keys()
            .map(String::as_str)
            .filter(|p| (p.ends_with(".html") || *p == crate::email::TEMPLATE) && !TEMPLATES.contains(p)),
    );
    let sources = names.iter().map(|name| Ok((*name, text(name)?))).collect::<Result<Vec<_>, Diagnostic>>()?;
    if let Err(e) = templates.add_raw_templates(sources.iter().map(|(name, source)| (*name, source.as_str()))) {
        return Err(template_error(&e, &sources, &origin));
    }
    let css = text("style.css")?;
    let mut emblems = BTreeMap::new();
    for path in files.keys().filter(|p| p.starts_with("emblems/") && p.ends_with(".svg")) {
        let name = path.trim_start_matches("emblems/").trim_end_matches(".svg").to_string();
        let shape = crate::seal::parse_emblem_svg(&text(path)?)
            .map_err(|e| Diagnostic::error(origin(path), 0, 0, e.to_string()))?;
        emblems.insert(name, shape);
    }
    let fingerprint = fingerprint(root, &chain);
    let picture_fingerprint = picture_fingerprint(root, &chain);
    let email_fingerprint = email_fingerprint(root, &chain);
    Ok(Theme {
        chain,
        fingerprint,
        picture_fingerprint,
        email_fingerprint,
        glyphs: Default::default(),
        widths: Default::default(),
        print_fonts: Default::default(),
        emblems,
        origins,
        name: name.to_string(),
        spec,
        faces,
        fallbacks,
        templates,
        css,
        files,
        usvg_options,
    })
}

/// The diagnostic for templates that could not be added: at the template
/// the error names (a syntax error, an include or `extends` of a template
/// the theme does not have: themes use only their own files).
fn template_error(e: &tera::Error, sources: &[(&str, String)], origin: &dyn Fn(&str) -> PathBuf) -> Diagnostic {
    let (mut line, mut col, message) = crate::template::tera_location(e);
    let named = match e.kind() {
        tera::ErrorKind::MissingParent { current, .. } => Some(current.as_str()),
        tera::ErrorKind::CircularExtend { tpl, .. } | tera::ErrorKind::CircularInclude { tpl, .. } => {
            Some(tpl.as_str())
        }
        _ => crate::template::tera_file(e),
    };
    let name = named
        .or_else(|| sources.iter().map(|(name, _)| *name).find(|name| message.contains(&format!("`{name}`"))))
        .unwrap_or(TEMPLATES[0]);
    if let tera::ErrorKind::MissingParent { parent, .. } = e.kind() {
        // The line of the `extends` that names it.
        let source = sources.iter().find(|(n, _)| *n == name).map_or("", |(_, s)| s.as_str());
        if let Some((i, text)) =
            source.lines().enumerate().find(|(_, l)| l.contains("extends") && l.contains(parent.as_str()))
        {
            (line, col) = (i + 1, text.find("extends").map_or(1, |at| text[..at].chars().count() + 1));
        }
    }
    Diagnostic::error(origin(name), line, col, message)
}

/// A theme's files and settings with everything it extends merged in.
struct Sources {
    files: BTreeMap<String, Arc<Vec<u8>>>,
    /// Where each file came from, for diagnostics.
    origins: BTreeMap<String, PathBuf>,
    /// theme.yaml, merged over the theme it extends.
    yaml: serde_yaml::Value,
    /// Every theme.yaml of the chain, child first, with its origin: to find
    /// the line of a key serde cannot locate in merged settings.
    texts: Vec<(PathBuf, String)>,
}

/// Reads theme `name` (built-in files overlaid by the site's) and, through
/// `extends`, the themes it is made from.
fn collect(root: &Path, name: &str, chain: &mut Vec<String>) -> Result<Sources, Diagnostic> {
    let site_dir = root.join("themes").join(name);
    if chain.iter().any(|n| n == name) {
        chain.push(name.to_string());
        return Err(Diagnostic::error(
            display_path(root, &site_dir.join("theme.yaml")),
            0,
            0,
            format!("themes extend each other in a circle: {}", chain.join(" -> ")),
        ));
    }
    chain.push(name.to_string());
    let mut files: BTreeMap<String, Arc<Vec<u8>>> = BTreeMap::new();
    let mut origins: BTreeMap<String, PathBuf> = BTreeMap::new();
    if let Some((_, builtin)) = BUILT_IN.iter().find(|(n, _)| *n == name) {
        for (path, bytes) in embedded_files(builtin) {
            origins.insert(path.clone(), PathBuf::from(format!("(built-in theme {name})/{path}")));
            files.insert(path, Arc::new(bytes.to_vec()));
        }
    }
    if site_dir.is_dir() {
        for entry in walkdir::WalkDir::new(&site_dir).sort_by_file_name() {
            let entry = entry.map_err(|e| Diagnostic::error(display_path(root, &site_dir), 0, 0, e.to_string()))?;
            if !entry.file_type().is_file() {
                continue;
            }
            let rel = entry.path().strip_prefix(&site_dir).expect("walkdir stays inside its root");
            let key = rel.to_string_lossy().replace('\\', "/");
            let bytes = std::fs::read(entry.path()).map_err(|e| {
                Diagnostic::error(display_path(root, entry.path()), 0, 0, format!("cannot read theme file: {e}"))
            })?;
            origins.insert(key.clone(), display_path(root, entry.path()));
            files.insert(key, Arc::new(bytes));
        }
    }
    if files.is_empty() {
        let mut known = built_in_names();
        known.sort();
        return Err(Diagnostic::error(display_path(root, &site_dir), 0, 0, format!("{UNKNOWN} `{name}`"))
            .with_hint(format!("built-in themes: {}; or create themes/{name}/theme.yaml", known.join(", "))));
    }
    let yaml_origin =
        origins.get("theme.yaml").cloned().unwrap_or_else(|| display_path(root, &site_dir.join("theme.yaml")));
    let yaml_text = match files.get("theme.yaml") {
        Some(bytes) => {
            String::from_utf8(bytes.to_vec()).map_err(|_| Diagnostic::error(&yaml_origin, 0, 0, "not UTF-8 text"))?
        }
        None => {
            return Err(Diagnostic::error(&yaml_origin, 0, 0, "missing theme file")
                .with_hint("every theme has a theme.yaml; `extends: chocolate` in it borrows the rest"))
        }
    };
    let yaml: serde_yaml::Value = serde_yaml::from_str(&yaml_text).map_err(|e| {
        let d = crate::config::yaml_diagnostic("", &e, 0, THEME_KEYS);
        Diagnostic { path: yaml_origin.clone(), ..d }
    })?;
    let parent = match yaml.get("extends") {
        None | Some(serde_yaml::Value::Null) => None,
        Some(serde_yaml::Value::String(parent)) => Some(parent.clone()),
        Some(_) => {
            return Err(Diagnostic::error(
                &yaml_origin,
                key_line(&yaml_text, "extends:"),
                1,
                "`extends` must be a theme name",
            ))
        }
    };
    let own = Sources { files, origins, yaml, texts: vec![(yaml_origin.clone(), yaml_text.clone())] };
    let Some(parent) = parent else {
        return Ok(own);
    };
    let mut base = collect(root, &parent, chain).map_err(|d| {
        if is_unknown(&d) {
            Diagnostic::error(
                &yaml_origin,
                key_line(&yaml_text, "extends:"),
                1,
                format!("`extends: {parent}`: {}", d.message),
            )
            .with_hint_opt(d.hint)
        } else {
            d
        }
    })?;
    base.files.extend(own.files);
    base.origins.extend(own.origins);
    base.yaml = merge_yaml(base.yaml, own.yaml);
    let mut texts = own.texts;
    texts.extend(base.texts);
    base.texts = texts;
    Ok(base)
}

/// `over` merged into `base`: maps merge key by key, anything else is replaced.
fn merge_yaml(base: serde_yaml::Value, over: serde_yaml::Value) -> serde_yaml::Value {
    match (base, over) {
        (serde_yaml::Value::Mapping(mut base), serde_yaml::Value::Mapping(over)) => {
            for (key, value) in over {
                let merged = match base.remove(&key) {
                    Some(old) => merge_yaml(old, value),
                    None => value,
                };
                base.insert(key, merged);
            }
            serde_yaml::Value::Mapping(base)
        }
        (_, over) => over,
    }
}

/// A settings error located in the theme.yaml (of the chain) that has the key.
fn locate_yaml_error(e: &serde_yaml::Error, texts: &[(PathBuf, String)]) -> Diagnostic {
    let d = crate::config::yaml_diagnostic("", e, 0, THEME_KEYS);
    let key = d.message.split('`').nth(1).unwrap_or("");
    for (path, text) in texts {
        let line = key_line(text, &format!("{key}:"));
        if !key.is_empty() && line > 0 {
            let col = text.lines().nth(line - 1).map_or(1, |l| l.len() - l.trim_start().len() + 1);
            return Diagnostic { path: path.clone(), line, col, ..d };
        }
    }
    let path = texts.first().map(|(p, _)| p.clone()).unwrap_or_default();
    Diagnostic { path, ..d }
}

/// The 1-based line of the first line of `text` that mentions `needle`.
/// The 1-based line and column of the first `needle` in `text` (0, 0 when none).
fn value_place(text: &str, needle: &str) -> (usize, usize) {
    text.lines()
        .enumerate()
        .find_map(|(i, l)| l.find(needle).map(|at| (i + 1, l[..at].chars().count() + 1)))
        .unwrap_or((0, 0))
}

fn key_line(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).map_or(0, |i| i + 1)
}

/// What a theme is made of: waxseal's own files (its built-in themes) and
/// the site's folders of the themes in `chain`, by their files' sizes and times.
pub fn fingerprint(root: &Path, chain: &[String]) -> String {
    let prints: Vec<String> = chain.iter().map(|n| hash::folder_fingerprint(&root.join("themes").join(n))).collect();
    hash::key(&[hash::tool_fingerprint().as_bytes(), prints.join(",").as_bytes()])
}

/// [`fingerprint`] of the files card pictures are drawn from: a stylesheet
/// or page template edit leaves it as it is.
pub fn picture_fingerprint(root: &Path, chain: &[String]) -> String {
    let pictures = |path: &Path| !path.extension().is_some_and(|e| e == "html" || e == "css" || e == "tera");
    let prints: Vec<String> =
        chain.iter().map(|n| hash::folder_fingerprint_of(&root.join("themes").join(n), pictures)).collect();
    hash::key(&[hash::tool_fingerprint().as_bytes(), prints.join(",").as_bytes()])
}

/// [`fingerprint`] of the templates a card's email is made with.
pub fn email_fingerprint(root: &Path, chain: &[String]) -> String {
    let templates = |path: &Path| path.extension().is_some_and(|e| e == "html" || e == "tera");
    let prints: Vec<String> =
        chain.iter().map(|n| hash::folder_fingerprint_of(&root.join("themes").join(n), templates)).collect();
    hash::key(&[hash::tool_fingerprint().as_bytes(), prints.join(",").as_bytes()])
}

/// Registers one font file with usvg's database and describes it.
fn load_face(options: &mut usvg::Options<'static>, data: Arc<Vec<u8>>, file: &str) -> Option<Face> {
    let db = options.fontdb_mut();
    // The database shares the bytes the theme already holds.
    let ids = db.load_font_source(usvg::fontdb::Source::Binary(data.clone()));
    let info = db.face(*ids.first()?)?;
    let family = info.families.first()?.0.clone();
    let font = harfrust::FontRef::from_index(&data, info.index).ok()?;
    use read_fonts::TableProvider;
    let head = font.head().ok()?;
    Some(Face {
        family,
        weight: info.weight.0,
        italic: info.style != usvg::fontdb::Style::Normal,
        index: info.index,
        units_per_em: head.units_per_em(),
        shaper: Arc::new(harfrust::ShaperData::new(&font)),
        data,
        file: file.to_string(),
    })
}
