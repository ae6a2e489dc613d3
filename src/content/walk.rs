//! Walking `content/`: the message files, sorted, with the problems a
//! walk meets (a link loop, a link to nowhere) as diagnostics.

use std::path::{Path, PathBuf};

use crate::diagnostics::{display_path, Diagnostic};

/// Lists the message files under `root/content`, sorted. Symbolic links are
/// followed while they stay inside the site folder; a folder linked from
/// outside it is reported, not walked, and a link that leads back into a
/// folder it is in is reported, not walked forever.
pub fn walk(root: &Path) -> (Vec<PathBuf>, Vec<Diagnostic>) {
    let content = root.join("content");
    let mut files = Vec::new();
    let mut problems = Vec::new();
    if !content.is_dir() {
        return (files, problems);
    }
    let hidden = |path: &Path| path.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.'));
    let mut entries = walkdir::WalkDir::new(&content).follow_links(true).sort_by_file_name().into_iter();
    while let Some(entry) = entries.next() {
        match entry {
            Ok(entry) => {
                let name = entry.file_name().to_string_lossy();
                // A message file linked from outside is refused when it is
                // read, at its name; a folder is not walked: it could be the
                // whole disk.
                let linked = entry.path_is_symlink() || entry.depth() == 0;
                if linked && entry.file_type().is_dir() && leads_out(root, entry.path()) {
                    entries.skip_current_dir();
                    problems.push(
                        Diagnostic::error(
                            display_path(root, entry.path()),
                            0,
                            0,
                            "a symbolic link that leads outside the site folder",
                        )
                        .with_hint(
                            "messages are read only from inside the site folder: move the folder in instead of linking to it",
                        ),
                    );
                    continue;
                }
                if entry.file_type().is_file() && name.ends_with(".md") && !name.starts_with('.') {
                    files.push(entry.into_path());
                }
            }
            Err(e) => {
                let Some(path) = e.path().filter(|p| !hidden(p)) else {
                    // Editors leave links to nowhere named `.#x.md` as locks.
                    continue;
                };
                let shown = display_path(root, path);
                let is_message = path.extension().is_some_and(|x| x == "md");
                let problem = match (e.loop_ancestor(), e.io_error()) {
                    (Some(ancestor), _) => Diagnostic::error(
                        &shown,
                        0,
                        0,
                        format!(
                            "a symbolic link loop: this link leads back to {}, a folder it is in",
                            display_path(root, ancestor).display()
                        ),
                    )
                    .with_hint("remove the link, or point it at a folder outside the one it is in"),
                    // A link to nowhere is only a problem when it is a message.
                    (None, Some(io)) if io.kind() == std::io::ErrorKind::NotFound && !is_message => continue,
                    (None, Some(io)) if io.kind() == std::io::ErrorKind::NotFound => {
                        Diagnostic::error(&shown, 0, 0, "a symbolic link to a file that does not exist")
                    }
                    (None, Some(io)) => Diagnostic::error(&shown, 0, 0, format!("cannot read: {io}")),
                    (None, None) => Diagnostic::error(&shown, 0, 0, format!("cannot read: {e}")),
                };
                problems.push(problem);
            }
        }
    }
    (files, problems)
}

/// Whether `path`, its links resolved, is outside the site folder `root`.
fn leads_out(root: &Path, path: &Path) -> bool {
    matches!(crate::input::inside(root, path), Err(crate::input::Refused::Outside))
}
