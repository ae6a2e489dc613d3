//! Content keys and fingerprints: what the build cache, the themes and the
//! emails hash their inputs with. A leaf: it knows nothing of cards.

use std::path::Path;

use sha2::{Digest, Sha256};

/// Hashes parts into a key (hex), each part length-prefixed so that no two
/// different lists of parts collide by concatenation.
pub fn key(parts: &[&[u8]]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    hasher.finalize().iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// A fingerprint of waxseal itself: its version and its executable's size
/// and time, so that a new build of waxseal (with other built-in themes or
/// drawing code) never reuses old cards.
pub fn tool_fingerprint() -> String {
    let exe = std::env::current_exe().ok().and_then(|p| std::fs::metadata(p).ok());
    let stamp = exe
        .map(|m| {
            format!("{}:{:?}", m.len(), m.modified().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok()))
        })
        .unwrap_or_default();
    format!("{}:{stamp}", env!("CARGO_PKG_VERSION"))
}

/// A fingerprint of the files in a folder (paths, sizes and times), or of
/// nothing when it does not exist.
pub fn folder_fingerprint(dir: &Path) -> String {
    folder_fingerprint_of(dir, |_| true)
}

/// [`folder_fingerprint`] of the files `keep` accepts.
pub fn folder_fingerprint_of(dir: &Path, keep: impl Fn(&Path) -> bool) -> String {
    let mut parts = Vec::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name().into_iter().flatten() {
        if let Ok(meta) = entry.metadata() {
            if meta.is_file() && keep(entry.path()) {
                let time = meta.modified().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok());
                parts.push(format!("{}:{}:{:?}", entry.path().display(), meta.len(), time));
            }
        }
    }
    key(&[parts.join("\n").as_bytes()])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_depend_on_every_part_and_their_boundaries() {
        assert_eq!(key(&[b"a", b"b"]), key(&[b"a", b"b"]));
        assert_ne!(key(&[b"a", b"b"]), key(&[b"ab"]));
        assert_ne!(key(&[b"a", b"b"]), key(&[b"a", b"c"]));
    }
}
