//! Writing into a user's site on request: `waxseal new` (a new site) and
//! `waxseal themes eject` (a built-in theme's files, to edit). These are the
//! only commands that write outside an output folder, and only where asked:
//! they never overwrite an existing file.

use std::path::{Path, PathBuf};

use crate::theme;

/// Why a scaffold could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ScaffoldError {
    /// The folder to write already has content.
    #[error("{0} already exists and is not empty")]
    NotEmpty(PathBuf),
    /// The file to write exists.
    #[error("{0} already exists; nothing was written")]
    Exists(PathBuf),
    /// No built-in theme has this name.
    #[error("there is no built-in theme `{0}` (built-in: {1})")]
    UnknownTheme(String, String),
    /// Reading or writing failed.
    #[error("{0}: {1}")]
    Io(PathBuf, std::io::Error),
}

fn write_new(path: &Path, bytes: &[u8]) -> Result<(), ScaffoldError> {
    if path.exists() {
        return Err(ScaffoldError::Exists(path.to_path_buf()));
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| ScaffoldError::Io(dir.to_path_buf(), e))?;
    }
    std::fs::write(path, bytes).map_err(|e| ScaffoldError::Io(path.to_path_buf(), e))
}

fn known_themes() -> String {
    theme::built_in_names().join(", ")
}

/// Copies built-in theme `name` into `root/themes/NAME/` and returns the
/// files written. Refuses when any of them exists.
pub fn eject(root: &Path, name: &str) -> Result<Vec<PathBuf>, ScaffoldError> {
    let files = theme::built_in_files(name).ok_or_else(|| ScaffoldError::UnknownTheme(name.into(), known_themes()))?;
    let dir = root.join("themes").join(name);
    let targets: Vec<PathBuf> = files.iter().map(|(path, _)| dir.join(path)).collect();
    if let Some(existing) = targets.iter().find(|t| t.exists()) {
        return Err(ScaffoldError::Exists(existing.clone()));
    }
    for (target, (_, bytes)) in targets.iter().zip(&files) {
        write_new(target, bytes)?;
    }
    Ok(targets)
}

/// The example messages of a new site.
const WELCOME: &str = r#"---
title: Thank you, Deb
to: Deb
from: Beverly
date: 2026-11-23
tags: [thank-you]
extra: { role: our very own craft genius }
---
Thank you for shopping with us, {{ to }}! Your order was made with *love*
by *{{ from }}*, {{ extra.role }}.

You're welcome back anytime.
"#;

const SHIPPING: &str = r#"---
title: Your parcel is on its way
from: the whole studio
date: 2026-11-20
tags: [shipping]
extra: { courier: Pip }
---
On {{ date | date(format="%A, %B %-d") }}, our courier *{{ extra.courier }}*
lifted your parcel into a shiny van. We all waved until it turned the corner.

It promises to behave, and to arrive soon.
"#;

/// Makes a new site in `dir` (which must not exist or be empty) with
/// waxseal.yaml and two example messages; returns the files written.
pub fn new_site(dir: &Path, theme_name: &str) -> Result<Vec<PathBuf>, ScaffoldError> {
    if theme::built_in_files(theme_name).is_none() {
        return Err(ScaffoldError::UnknownTheme(theme_name.into(), known_themes()));
    }
    if dir.exists() {
        let mut entries = std::fs::read_dir(dir).map_err(|e| ScaffoldError::Io(dir.to_path_buf(), e))?;
        if entries.next().is_some() {
            return Err(ScaffoldError::NotEmpty(dir.to_path_buf()));
        }
    }
    let title = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "Cards".into());
    let config = format!(
        "# waxseal settings: every key is optional.\ntitle: {}\nbase_url: /\ntheme: {theme_name}\nsize: a6\n",
        serde_yaml::to_string(&title).unwrap_or_default().trim()
    );
    let files = [
        (dir.join("waxseal.yaml"), config.into_bytes()),
        (dir.join("content/thank-you.md"), WELCOME.as_bytes().to_vec()),
        (dir.join("content/orders/on-its-way.md"), SHIPPING.as_bytes().to_vec()),
        (dir.join(".gitignore"), b"/output/\n/.waxseal/\n".to_vec()),
    ];
    for (path, bytes) in &files {
        write_new(path, bytes)?;
    }
    Ok(files.into_iter().map(|(p, _)| p).collect())
}
