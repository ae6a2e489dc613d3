//! Where an output folder may be, and where its state folder is: the
//! checks a build makes before it claims a folder, and the folder of the
//! site's `.waxseal/` that keeps its records.

use std::path::{Component, Path, PathBuf};

use super::old_layout::{OLD_CACHE, OLD_MANIFEST};
use super::{MANIFEST_FILE, STATE_DIR};

/// Why a folder cannot be the output folder.
#[derive(Debug, thiserror::Error)]
pub enum PlaceError {
    /// It is the site folder, or holds it.
    #[error("the output folder cannot be the site folder or a folder holding it: a build would mix its files with the site's")]
    HoldsTheSite,
    /// It is (inside) one of the folders the build reads.
    #[error("the output folder cannot be inside the site's `{0}/` folder, which the build reads")]
    InsideSource(&'static str),
    /// It is (inside) the site's state folder.
    #[error("the output folder cannot be inside the site's `.waxseal/` folder, where waxseal keeps its records")]
    InsideState,
    /// It holds files waxseal did not write.
    #[error("the output folder holds files waxseal did not write ({0}); a build writes only into an empty folder or one it wrote before")]
    NotOurs(String),
}

impl PlaceError {
    /// How to go on.
    pub fn hint(&self) -> &'static str {
        match self {
            PlaceError::NotOurs(_) => "choose a new or empty folder with --output, or move those files elsewhere (a folder waxseal wrote whose records in the site's `.waxseal/` were removed: remove it too, and build again)",
            _ => "leave out --output to build into the site's `output/`, or name a folder of its own",
        }
    }
}

/// The folders of a site that a build reads, which may not hold its output.
const SOURCE_FOLDERS: [&str; 3] = ["content", "themes", "data"];

/// Checks that `output` may be the output folder of the site in `root`:
/// not the site itself, a folder holding it, one of the folders a build
/// reads or its state folder, and either new, empty (but for hidden
/// entries, such as a `.git` of the published site), or written by waxseal
/// before (its state folder has its manifest; or, in the old layout, the
/// folder itself).
pub fn check_place(root: &Path, output: &Path) -> Result<(), PlaceError> {
    let real = |path: &Path| {
        std::path::absolute(path).map(|p| p.canonicalize().unwrap_or_else(|_| normalize(&p))).unwrap_or_default()
    };
    let (real_root, real_output) = (real(root), real(output));
    if real_root.starts_with(&real_output) {
        return Err(PlaceError::HoldsTheSite);
    }
    for folder in SOURCE_FOLDERS {
        if real_output.starts_with(real_root.join(folder)) {
            return Err(PlaceError::InsideSource(folder));
        }
    }
    if real_output.starts_with(real_root.join(STATE_DIR)) {
        return Err(PlaceError::InsideState);
    }
    let Ok(entries) = std::fs::read_dir(&real_output) else {
        return Ok(()); // not there yet (or not a folder: creating it will say so)
    };
    if state_folder(root, output).join(MANIFEST_FILE).is_file() {
        return Ok(());
    }
    let mut foreign = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        // The old layout's manifest, or its build cache (from before
        // waxseal kept a manifest), marks a folder waxseal wrote.
        if name == OLD_MANIFEST || name == OLD_CACHE[0].0 {
            return Ok(());
        }
        if !name.starts_with('.') {
            let slash = if entry.file_type().is_ok_and(|t| t.is_dir()) { "/" } else { "" };
            foreign.push(format!("`{name}{slash}`"));
        }
    }
    if foreign.is_empty() {
        return Ok(());
    }
    foreign.sort();
    let more = foreign.len().saturating_sub(3);
    foreign.truncate(3);
    let mut list = foreign.join(", ");
    if more > 0 {
        list.push_str(&format!(" and {more} more"));
    }
    Err(PlaceError::NotOurs(list))
}

/// The state folder of output folder `output` of the site in `site`: a
/// folder of the site's `.waxseal/`, named after the output folder, so that
/// two output folders of one site never share a lock, a manifest or a
/// cache. An output folder right inside the site folder (the default
/// `output/`, a `public/`) gives its name: `.waxseal/output/`. Any other
/// (deeper in the site, or outside it) gives its name and a short hash of
/// its path, relative to the site when inside it (so that the site can be
/// moved) and absolute when outside it: `.waxseal/public-1a2b3c4d/`. The
/// path is the one the user named, with the folders above it found on the
/// disk (`..` and links worked out), so that two ways of naming one folder
/// give one state folder.
pub fn state_folder(site: &Path, output: &Path) -> PathBuf {
    site.join(STATE_DIR).join(state_name(site, output))
}

/// The name of `output`'s state folder in the site's `.waxseal/` (see [`state_folder`]).
pub(super) fn state_name(site: &Path, output: &Path) -> String {
    let located = |path: &Path| {
        let lexical = lexical(&std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()));
        match (lexical.parent(), lexical.file_name()) {
            (Some(parent), Some(name)) => normalize(parent).join(name),
            _ => lexical,
        }
    };
    let (site, output) =
        (normalize(&std::path::absolute(site).unwrap_or_else(|_| site.to_path_buf())), located(output));
    let name = output.file_name().map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    // A hidden name gets a hash too: none can be the `.gitignore`.
    if output.parent() == Some(site.as_path()) && !name.starts_with('.') {
        return name;
    }
    let key = output.strip_prefix(&site).unwrap_or(&output);
    let digest = <sha2::Sha256 as sha2::Digest>::digest(key.as_os_str().as_encoded_bytes());
    let hash: String = digest.iter().take(4).map(|b| format!("{b:02x}")).collect();
    format!("{name}-{hash}")
}

/// `path` with `.` and `..` parts worked out by name (for a folder that is
/// not there yet, which cannot be canonicalized).
fn normalize(path: &Path) -> PathBuf {
    let out = lexical(path);
    // Its nearest existing folder canonicalized: a symlinked parent counts.
    let mut existing = out.as_path();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => return out,
        }
    }
    let mut real = existing.canonicalize().unwrap_or_else(|_| existing.to_path_buf());
    real.extend(rest.iter().rev());
    real
}

/// `path` with `.` and `..` parts worked out by name alone.
fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            part => out.push(part),
        }
    }
    out
}
