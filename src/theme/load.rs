//! Loading a theme: its settings checked, its fonts registered (only the
//! theme's own, never the machine's), its templates compiled, its emblems
//! read, and the fingerprints that tell a later build what changed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use resvg::usvg;

use super::sources::{collect, key_line, Sources};
use super::spec::{FontRole, ThemeFile, THEME_KEYS};
use super::{Face, FileBytes, LoadError, Theme, EMAIL_TEMPLATE, TEMPLATES};
use crate::diagnostics::{display_path, Diagnostic};
use crate::{hash, input};

/// Loads theme `name` for the site at `root`: the built-in files overlaid by
/// the site's `themes/NAME/` files.
pub fn load(root: &Path, name: &str) -> Result<Theme, LoadError> {
    let mut chain = Vec::new();
    let Sources { files, origins, oversized, yaml, texts } = collect(root, name, &mut chain)?;
    let theme = Files { root, name, files: &files, origins: &origins, oversized: &oversized };
    let spec: ThemeFile = serde_yaml::from_value(yaml).map_err(|e| locate_yaml_error(&e, &texts))?;
    let theme_yaml = texts.first().map(|(_, t)| t.clone()).unwrap_or_default();
    let (faces, fallbacks, usvg_options) = theme.faces(&spec, &theme_yaml)?;
    if let Some((path, size)) = oversized.iter().next() {
        // Not a font (those are reported at theme.yaml): at the file itself.
        return Err(Diagnostic::error(
            theme.origin(path),
            0,
            0,
            format!("the file is {}; a theme file may be at most 16 MiB", input::mib(*size)),
        )
        .with_hint("a theme needs a few fonts and templates: take out the files it does not use")
        .into());
    }
    let templates = theme.templates()?;
    let css = theme.text("style.css")?;
    let emblems = theme.emblems()?;
    let fingerprint = fingerprint(root, &chain);
    let picture_fingerprint = picture_fingerprint(root, &chain);
    let email_fingerprint = email_fingerprint(root, &chain);
    Ok(Theme {
        chain,
        fingerprint,
        picture_fingerprint,
        email_fingerprint,
        caches: Default::default(),
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

/// The files of a theme being loaded, with where each came from.
struct Files<'a> {
    root: &'a Path,
    name: &'a str,
    files: &'a BTreeMap<String, FileBytes>,
    origins: &'a BTreeMap<String, PathBuf>,
    oversized: &'a BTreeMap<String, u64>,
}

/// A theme's faces by role, its fallback faces, and usvg options that know
/// them (and no other font).
type Fonts = (BTreeMap<FontRole, Face>, Vec<Face>, usvg::Options<'static>);

impl Files<'_> {
    /// File `path` as diagnostics show it.
    fn origin(&self, path: &str) -> PathBuf {
        self.origins.get(path).cloned().unwrap_or_else(|| PathBuf::from(path))
    }

    /// The text of file `path`.
    fn text(&self, path: &str) -> Result<String, Diagnostic> {
        let bytes = self.files.get(path).ok_or_else(|| {
            Diagnostic::error(
                display_path(self.root, &self.root.join("themes").join(self.name).join(path)),
                0,
                0,
                "missing theme file",
            )
        })?;
        String::from_utf8(bytes.to_vec()).map_err(|_| Diagnostic::error(self.origin(path), 0, 0, "not UTF-8 text"))
    }

    /// The faces of every role, then the fallbacks, in that order (usvg
    /// resolves a family to the first face registered with it).
    fn faces(&self, spec: &ThemeFile, theme_yaml: &str) -> Result<Fonts, Diagnostic> {
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
            // Every problem of a font is shown where theme.yaml names it.
            let at = |message: String| {
                let (line, col) = value_place(theme_yaml, file);
                Diagnostic::error(self.origin("theme.yaml"), line, col, message)
            };
            if let Some(size) = self.oversized.get(file.as_str()) {
                return Err(at(format!("font file `{file}` is {}; a font may be at most 16 MiB", input::mib(*size)))
                    .with_hint("use a font made for the languages the cards are written in (a subset)"));
            }
            let data = self.files.get(file.as_str()).ok_or_else(|| {
                at(format!("font file `{file}` not found in the theme"))
                    .with_hint("fonts are loaded only from the theme folder, never from the system")
            })?;
            let broken = |why: &str| {
                at(format!("font file `{file}` is not a usable font: {why}"))
                    .with_hint("the file is damaged or cut short: copy the font again from where it came from")
            };
            check_font(data).map_err(|why| broken(&why))?;
            let data = super::figures::freeze(data.clone(), spec.fonts.figures);
            load_face(options, data, file).ok_or_else(|| broken("it has no face a card can use"))
        };
        for (role, file) in roles {
            faces.insert(role, load(&mut usvg_options, file)?);
        }
        let fallbacks =
            spec.fonts.fallbacks.iter().map(|file| load(&mut usvg_options, file)).collect::<Result<Vec<_>, _>>()?;
        Ok((faces, fallbacks, usvg_options))
    }

    /// The templates a theme must have, its email template when it has one,
    /// and any other `*.html` file of it (`partials/head.html`) for them to
    /// include or extend, added together.
    fn templates(&self) -> Result<tera::Tera, Diagnostic> {
        let mut templates = tera::Tera::new();
        templates.autoescape_on(vec![".svg", ".html", ".html.tera"]);
        crate::template::register_filters(&mut templates);
        let mut names: Vec<&str> = TEMPLATES.to_vec();
        names.extend(
            self.files
                .keys()
                .map(String::as_str)
                .filter(|p| (p.ends_with(".html") || *p == EMAIL_TEMPLATE) && !TEMPLATES.contains(p)),
        );
        let sources = names.iter().map(|name| Ok((*name, self.text(name)?))).collect::<Result<Vec<_>, Diagnostic>>()?;
        // Each with its budget checks put in (columns kept, so Tera's
        // errors still point into the file).
        let bounded = sources
            .iter()
            .map(|(name, source)| {
                let refused = |(line, col, why)| Diagnostic::error(self.origin(name), line, col, why);
                Ok((*name, crate::template::instrument(source).map_err(refused)?))
            })
            .collect::<Result<Vec<_>, Diagnostic>>()?;
        if let Err(e) = templates.add_raw_templates(bounded.iter().map(|(name, source)| (*name, source.as_str()))) {
            return Err(template_error(&e, &sources, &|path| self.origin(path)));
        }
        Ok(templates)
    }

    /// The theme's own emblems (`emblems/NAME.svg`), by name.
    fn emblems(&self) -> Result<BTreeMap<String, crate::seal::EmblemShape>, Diagnostic> {
        let mut emblems = BTreeMap::new();
        for path in self.files.keys().filter(|p| p.starts_with("emblems/") && p.ends_with(".svg")) {
            let name = path.trim_start_matches("emblems/").trim_end_matches(".svg").to_string();
            let shape = crate::seal::parse_emblem_svg(&self.text(path)?)
                .map_err(|e| Diagnostic::error(self.origin(path), 0, 0, e.to_string()))?;
            emblems.insert(name, shape);
        }
        Ok(emblems)
    }
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

/// The 1-based line and column of the first `needle` in `text` (0, 0 when none).
fn value_place(text: &str, needle: &str) -> (usize, usize) {
    text.lines()
        .enumerate()
        .find_map(|(i, l)| l.find(needle).map(|at| (i + 1, l[..at].chars().count() + 1)))
        .unwrap_or((0, 0))
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

/// Checks a font file before it is used: every table it lists lies inside
/// the file (a file cut short does not), and those a card is set with are
/// there and read. Font parsers take a table they cannot reach for one the
/// font does not have, so a damaged file would otherwise set the text in
/// a fallback face without a word.
fn check_font(data: &[u8]) -> Result<(), String> {
    use read_fonts::{FileRef, TableProvider};
    let fonts: Vec<read_fonts::FontRef> = match FileRef::new(data).map_err(|e| e.to_string())? {
        FileRef::Font(font) => vec![font],
        FileRef::Collection(collection) => collection.iter().collect::<Result<_, _>>().map_err(|e| e.to_string())?,
    };
    for font in fonts {
        for record in font.table_directory.table_records() {
            let end = u64::from(record.offset()) + u64::from(record.length());
            if end > data.len() as u64 {
                return Err(format!("its `{}` table ends past the end of the file", record.tag()));
            }
        }
        font.head().map_err(|e| format!("its `head` table: {e}"))?;
        font.maxp().map_err(|e| format!("its `maxp` table: {e}"))?;
        font.cmap().map_err(|e| format!("its `cmap` table: {e}"))?;
        font.hhea().map_err(|e| format!("its `hhea` table: {e}"))?;
        font.hmtx().map_err(|e| format!("its `hmtx` table: {e}"))?;
        let outlines = (font.glyf().is_ok() && font.loca(None).is_ok()) || font.cff().is_ok() || font.cff2().is_ok();
        // Colour emoji fonts may hold pictures instead of outlines.
        if !outlines && font.cbdt().is_err() && font.sbix().is_err() {
            return Err("it has no glyphs (no `glyf`, `CFF`, `CBDT` or `sbix` table)".into());
        }
    }
    Ok(())
}

/// Registers one font file with usvg's database and describes it.
fn load_face(options: &mut usvg::Options<'static>, data: FileBytes, file: &str) -> Option<Face> {
    let db = options.fontdb_mut();
    // The database shares the bytes the theme already holds.
    let ids = db.load_font_source(usvg::fontdb::Source::Binary(data.shared()));
    let id = *ids.first()?;
    let info = db.face(id)?;
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
        id,
        data,
        file: file.to_string(),
    })
}
