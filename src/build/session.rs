//! What a long-running process (`serve`) keeps between builds: the themes
//! it loaded, the messages it read, the drawn card bases and page seals.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use crate::content::{self, Message};
use crate::diagnostics::Diagnostic;
use crate::render;
use crate::theme::{self, Theme};

/// The page seals made, by variant: each one's file in the output folder
/// and, in a long-running session (whose builds each write it), its SVG.
pub(super) type PageSeals = Mutex<HashMap<String, (String, Option<Arc<String>>)>>;

/// What a long-running process (`serve`) keeps between builds: the drawn
/// card bases and seals, so that after an edit only the edited card's own
/// layers are drawn.
#[derive(Default)]
pub struct Session {
    pub(super) bases: render::BaseCache,
    pub(super) page_seals: PageSeals,
    themes: Mutex<HashMap<String, Arc<Theme>>>,
    /// Whether it is for many builds (see [`Session::long_running`]).
    pub(super) long_running: bool,
    /// Messages read by earlier builds, with the size and time of their file.
    messages: Mutex<HashMap<PathBuf, (u64, std::time::SystemTime, Message)>>,
}

impl Session {
    /// A session for many builds (`serve`): it also keeps every message it
    /// reads and records which files each build changed, which a single
    /// build would only hold in memory for nothing.
    pub fn long_running() -> Session {
        Session { long_running: true, ..Session::default() }
    }

    /// Message `path`, as an earlier build read it when its file has the
    /// same size and modification time.
    pub(super) fn read_message(&self, root: &std::path::Path, path: &std::path::Path) -> Result<Message, Diagnostic> {
        if !self.long_running {
            return content::read(root, path);
        }
        let stamp = std::fs::metadata(path).ok().and_then(|m| Some((m.len(), m.modified().ok()?)));
        if let Some((len, time)) = stamp {
            let messages = self.messages.lock().expect("no panics while holding the lock");
            if let Some((_, _, m)) = messages.get(path).filter(|(l, t, _)| *l == len && *t == time) {
                return Ok(m.clone());
            }
        }
        let message = content::read(root, path)?;
        if let Some((len, time)) = stamp {
            let mut messages = self.messages.lock().expect("no panics while holding the lock");
            messages.insert(path.to_path_buf(), (len, time, message.clone()));
        }
        Ok(message)
    }

    /// The theme `name`, as loaded by an earlier build when none of its files changed.
    pub(super) fn theme(&self, root: &std::path::Path, name: &str) -> Result<Arc<Theme>, theme::LoadError> {
        let known = self.themes.lock().expect("no panics while holding the lock").get(name).cloned();
        if let Some(theme) = known.filter(|t| theme::fingerprint(root, &t.chain) == t.fingerprint) {
            return Ok(theme);
        }
        let theme = Arc::new(theme::load(root, name)?);
        self.themes.lock().expect("no panics while holding the lock").insert(name.to_string(), theme.clone());
        Ok(theme)
    }

    /// Lets theme `name`'s caches go (see [`theme::Caches::clear`]).
    pub(super) fn forget_caches(&self, name: &str) {
        if let Some(theme) = self.themes.lock().expect("no panics while holding the lock").get(name) {
            theme.caches.clear();
        }
    }
}
