//! A theme file's bytes: a built-in file's are the binary's own (never
//! copied: the built-in fonts are 9 MiB, and copying them was a tenth of a
//! small build), a site's file's are read into memory. Cloning shares them.

use std::sync::Arc;

/// Bytes fontdb can share (its `Source::Binary`).
type Shared = Arc<dyn AsRef<[u8]> + Send + Sync>;

/// A theme file's bytes, shared.
#[derive(Clone)]
pub struct FileBytes(Shared);

impl FileBytes {
    /// The bytes, for a font database to share.
    pub fn shared(&self) -> Shared {
        self.0.clone()
    }

    /// Whether `a` and `b` are the same bytes in memory (not a copy).
    pub fn same(a: &FileBytes, b: &FileBytes) -> bool {
        std::ptr::eq(&a[..], &b[..])
    }
}

impl std::ops::Deref for FileBytes {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        (*self.0).as_ref()
    }
}

impl From<Vec<u8>> for FileBytes {
    fn from(bytes: Vec<u8>) -> FileBytes {
        FileBytes(Arc::new(bytes))
    }
}

impl From<&'static [u8]> for FileBytes {
    fn from(bytes: &'static [u8]) -> FileBytes {
        FileBytes(Arc::new(bytes))
    }
}

impl std::fmt::Debug for FileBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FileBytes({} bytes)", self.len())
    }
}
