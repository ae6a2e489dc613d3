//! Themes: `theme.yaml`, templates, CSS and fonts, built in or from the site.
//!
//! A built-in theme is compiled into the binary (so `waxseal build` works
//! with nothing installed); a site's `themes/NAME/PATH` file replaces the
//! built-in file of the same path, one file at a time. Fonts come only from
//! the theme's files, never from the machine, so every machine draws the same
//! pixels. A theme is loaded once per build and shared by every card.
//!
//! `spec` is theme.yaml as data, `sources` finds the files (built in, the
//! site's, and those of the themes it extends), `load` makes a [`Theme`] of
//! them. A theme knows nothing of the stages that draw with it: they keep
//! what they learn about it in its [`Caches`], by their own types.

mod bytes;
mod figures;
mod load;
mod sources;
mod spec;

use std::any::{Any, TypeId};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use resvg::usvg;

use crate::diagnostics::Diagnostic;

pub use bytes::FileBytes;
pub use load::{email_fingerprint, fingerprint, load, picture_fingerprint};
pub use sources::{built_in_files, built_in_names};
pub use spec::{
    Align, FaceKey, Figures, FontFiles, FontRole, Frac, Geometry, LabelSide, LogoSettings, Palette, QrSettings,
    SealDefaults, Style, Styles, TextSettings, ThemeFile, VAlign,
};

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

/// The templates every theme provides.
pub const TEMPLATES: &[&str] = &["card.svg", "card.html", "gallery.html", "404.html"];

/// The theme template of a card's email (HTML part), when the theme has one.
pub const EMAIL_TEMPLATE: &str = "email.html.tera";

/// Why a theme could not be loaded: callers tell "there is no such theme"
/// (a message's misspelt `theme:`) from "the theme has an error" (reported
/// once, at the theme's file) by the variant, not by the wording.
#[derive(Debug, Clone)]
pub enum LoadError {
    /// Neither a built-in theme nor a folder in `themes/` has that name.
    Unknown(Diagnostic),
    /// The theme is there, but one of its files (or a theme it extends) is
    /// wrong or missing.
    Broken(Diagnostic),
}

impl LoadError {
    /// What is wrong, where.
    pub fn diagnostic(&self) -> &Diagnostic {
        match self {
            LoadError::Unknown(d) | LoadError::Broken(d) => d,
        }
    }

    /// Whether there is no such theme (rather than a theme with an error).
    pub fn is_unknown(&self) -> bool {
        matches!(self, LoadError::Unknown(_))
    }
}

impl From<Diagnostic> for LoadError {
    /// A problem found in a theme's files: the theme is broken.
    fn from(d: Diagnostic) -> LoadError {
        LoadError::Broken(d)
    }
}

impl From<LoadError> for Diagnostic {
    fn from(e: LoadError) -> Diagnostic {
        match e {
            LoadError::Unknown(d) | LoadError::Broken(d) => d,
        }
    }
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.diagnostic().fmt(f)
    }
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
    pub data: FileBytes,
    /// Face index inside the file.
    pub index: u32,
    /// Font units per em.
    pub units_per_em: u16,
    /// The shaper's tables for this face, built once per build.
    pub shaper: Arc<harfrust::ShaperData>,
    /// The face in the theme's font database (`usvg_options`).
    pub id: usvg::fontdb::ID,
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
    pub files: BTreeMap<String, FileBytes>,
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
    /// What later stages learn about the theme and keep for its next card
    /// (word widths, glyph outlines, print fonts), each stage its own type.
    pub caches: Caches,
}

/// One cache slot per type, for the stages that draw with a theme to keep
/// what they learn about it (the layout's word widths, the standalone SVG's
/// glyph outlines, the PDF's fonts) with the theme, without the theme
/// knowing their types: theme sits below those stages. A cache lives as long
/// as its theme, so a theme loaded again (its files changed) starts empty.
#[derive(Default)]
pub struct Caches(RwLock<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>);

impl Caches {
    /// The theme's cache of type `T`, made empty the first time it is asked for.
    pub fn get_or_default<T: Default + Send + Sync + 'static>(&self) -> Arc<T> {
        let key = TypeId::of::<T>();
        let known = self.0.read().expect("no panics while holding the lock").get(&key).cloned();
        let slot = match known {
            Some(slot) => slot,
            None => {
                let mut slots = self.0.write().expect("no panics while holding the lock");
                slots.entry(key).or_insert_with(|| Arc::new(T::default())).clone()
            }
        };
        slot.downcast::<T>().unwrap_or_else(|_| unreachable!("each slot holds the type it is keyed by"))
    }

    /// Lets every cache go (made empty again when next asked for): what
    /// they hold only saves work, and a build done with a theme's cards
    /// need not keep it while it draws the next theme's.
    pub fn clear(&self) {
        self.0.write().expect("no panics while holding the lock").clear();
    }
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

    /// Where error `e` of rendering template `template` lies, as the theme's
    /// file was written: its name (the template it names, an included one,
    /// else `template`), line, column, and what went wrong. Tera read the
    /// template with budget checks put in (see `template::instrument`), so
    /// a column after one is given back.
    pub fn template_place(&self, template: &str, e: &tera::Error) -> (String, usize, usize, String) {
        let (line, col, message) = crate::template::tera_location(e);
        let name = crate::template::tera_file(e).unwrap_or(template);
        let source = self.files.get(name).map(|bytes| String::from_utf8_lossy(bytes));
        let col = source.map_or(col, |source| crate::template::column_in_source(&source, line, col));
        (name.to_string(), line, col, message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_cache_type_has_one_slot_kept_for_the_next_card() {
        let caches = Caches::default();
        let words = caches.get_or_default::<std::sync::Mutex<Vec<String>>>();
        words.lock().unwrap().push("wax".into());
        let again = caches.get_or_default::<std::sync::Mutex<Vec<String>>>();
        assert!(Arc::ptr_eq(&words, &again));
        assert_eq!(*caches.get_or_default::<std::sync::Mutex<Vec<u8>>>().lock().unwrap(), Vec::<u8>::new());
    }

    #[test]
    fn themes_made_from_chocolate_share_its_fonts_in_memory() {
        let root = tempfile::tempdir().unwrap();
        let (chocolate, kraft) = (load(root.path(), "chocolate").unwrap(), load(root.path(), "kraft").unwrap());
        let font = "fonts/NotoSerifSC-Regular.ttf";
        assert!(FileBytes::same(&chocolate.files[font], &kraft.files[font]), "one copy of {font}");
        // A site's own copy of the file is its own.
        let dir = root.path().join("themes/kraft/fonts");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("NotoSerifSC-Regular.ttf"), &chocolate.files[font][..]).unwrap();
        let site = load(root.path(), "kraft").unwrap();
        assert!(!FileBytes::same(&chocolate.files[font], &site.files[font]));
    }

    #[test]
    fn a_missing_theme_is_unknown_and_a_missing_parent_breaks_its_child() {
        let root = tempfile::tempdir().unwrap();
        let e = load(root.path(), "nosuch").unwrap_err();
        assert!(e.is_unknown(), "{e}");
        assert_eq!(e.diagnostic().message, "unknown theme `nosuch`");
        let dir = root.path().join("themes/child");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("theme.yaml"), "extends: nosuch\n").unwrap();
        let e = load(root.path(), "child").unwrap_err();
        assert!(matches!(&e, LoadError::Broken(d) if d.message == "`extends: nosuch`: unknown theme `nosuch`"), "{e}");
    }
}
