//! The themes' assets, made once the cards are: each theme's web fonts
//! (its faces cut down to the characters the site's pages show, so made
//! again only when those change, and then only the faces that change) and
//! its stylesheet, and the whole fonts its emails link. Written before the
//! pages that link them are put in place.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rayon::prelude::*;

use crate::card::themes::Themes;
use crate::diagnostics::Diagnostic;
use crate::site::{self, FontFile, PageAssets, WebFace};

use super::record::BuildCache;
use super::{write, Run};

/// The themes' assets, as written.
#[derive(Default)]
struct Assets {
    /// What the pages of each theme link, by theme name.
    links: HashMap<String, PageAssets>,
    /// The files of the whole site (the gallery's are added with it).
    site_files: Vec<String>,
    /// The web fonts, by what each is made of: the next build's to reuse.
    fonts: BTreeMap<String, FontFile>,
    /// Files that could not be written.
    failures: Vec<Diagnostic>,
}

/// Makes and writes the assets of `themes` for the cards of `next` (see
/// [`theme_assets`]) and records them in `next`, with the files made with
/// the gallery; a file that could not be written is a failure (the first
/// says that no page is put in place). Returns what each theme's pages
/// link, and whether every asset was written.
pub(super) fn record(
    run: &Run,
    themes: &Themes,
    next: &mut BuildCache,
    known: &BTreeMap<String, FontFile>,
    failures: &mut Vec<Diagnostic>,
) -> (HashMap<String, PageAssets>, bool) {
    let assets = theme_assets(run, themes, next, known);
    let written = assets.failures.is_empty();
    let mut unwritten = assets.failures;
    if let Some(first) = unwritten.first_mut() {
        // The pages link the assets: none is put in place (see `pages::make_pages`).
        *first = first.clone().with_hint(super::pages::WITHHELD);
    }
    failures.extend(unwritten);
    next.site_files = assets.site_files;
    next.web_fonts = assets.fonts;
    if run.outputs.html {
        // Made with the gallery.
        next.site_files.extend(super::SITE_FILES.map(String::from));
    }
    (assets.links, written)
}

/// Makes and writes the assets of `themes` for the cards of `next` (the
/// record of this build, every card in it), reusing the web fonts of
/// `known` (the last build's) whose files are still there. None without
/// pages: nothing links them.
fn theme_assets(run: &Run, themes: &Themes, next: &BuildCache, known: &BTreeMap<String, FontFile>) -> Assets {
    let mut assets = Assets::default();
    if !run.outputs.html {
        return assets;
    }
    let used = used_chars(run, themes, next);
    let plans: Vec<(&String, &crate::theme::Theme, site::FontPlan)> = themes
        .iter()
        .filter_map(|(name, theme)| theme.as_ref().ok().map(|theme| (name, &**theme, site::plan_fonts(theme, &used))))
        .collect();
    assets.fonts = web_fonts(run, &plans, known, &mut assets.failures);
    let published = run.config.base_url.contains("://");
    for (name, theme, plan) in &plans {
        let faces = plan.roles.iter().map(|(_, w)| w).chain(plan.standins.iter().map(|s| &s.web));
        let keys: Vec<&String> = faces.map(|w| &w.key).collect();
        let mut written = keys.iter().all(|key| assets.fonts.contains_key(*key));
        assets.site_files.extend(keys.iter().filter_map(|key| assets.fonts.get(*key)).map(|f| f.path.clone()));
        if run.outputs.email && published {
            for (path, bytes) in site::email_fonts(theme) {
                let failure = write(&run.output, &path, &bytes);
                written &= failure.is_none();
                assets.failures.extend(failure);
                assets.site_files.push(path);
            }
        }
        let sheet = site::stylesheet(theme, &run.config, plan, &assets.fonts);
        // The stylesheet only after every font it links was written.
        if written {
            assets.failures.extend(write(&run.output, &sheet.path, sheet.css.as_bytes()));
        }
        assets.site_files.push(sheet.path);
        assets.links.insert((*name).clone(), sheet.links);
    }
    assets.site_files.sort();
    assets.site_files.dedup();
    assets
}

/// The characters beyond the base set the site's pages show: those of
/// every card's entry, and of the site's settings and each theme's pages
/// whatever their cards.
fn used_chars(run: &Run, themes: &Themes, next: &BuildCache) -> BTreeSet<char> {
    let mut used: BTreeSet<char> = next.cards.values().flat_map(|card| card.entry.chars.chars()).collect();
    for theme in themes.values().filter_map(|theme| theme.as_ref().ok()) {
        used.extend(site::theme_chars(theme, &run.config).chars());
    }
    used
}

/// The web font of every face of `plans`, by key: the last build's
/// (`known`) when its file is there, else made (in parallel) and written.
/// A font that could not be written is left out (its failure noted).
fn web_fonts(
    run: &Run,
    plans: &[(&String, &crate::theme::Theme, site::FontPlan)],
    known: &BTreeMap<String, FontFile>,
    failures: &mut Vec<Diagnostic>,
) -> BTreeMap<String, FontFile> {
    let mut faces: BTreeMap<&str, &WebFace> = BTreeMap::new();
    for (_, _, plan) in plans {
        faces.extend(plan.roles.iter().map(|(_, w)| (w.key.as_str(), w)));
        faces.extend(plan.standins.iter().map(|s| (s.web.key.as_str(), &s.web)));
    }
    let mut fonts = BTreeMap::new();
    let mut to_make = Vec::new();
    for (key, face) in faces {
        match known.get(key).filter(|file| run.output.is_file(&file.path)) {
            Some(file) => {
                fonts.insert(key.to_string(), file.clone());
            }
            None => to_make.push((key, face)),
        }
    }
    let made: Vec<(&str, String, site::WebFont)> = to_make
        .into_par_iter()
        .map(|(key, face)| {
            let font = site::make_web_font(face.face, &face.chars);
            (key, site::web_font_path(face.face, &font), font)
        })
        .collect();
    for (key, path, font) in made {
        // Two faces may make one file (a theme's fallback another theme has too).
        let failure = match fonts.values().any(|f: &FontFile| f.path == path) {
            true => None,
            false => write(&run.output, &path, &font.bytes),
        };
        match failure {
            Some(failure) => failures.push(failure),
            None => {
                fonts.insert(key.to_string(), FontFile { path, format: font.format.to_string() });
            }
        }
    }
    fonts
}
