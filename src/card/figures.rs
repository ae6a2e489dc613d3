//! A message's pictures (`![alt](file)`): found and read through the
//! picture module, each file once per build however many cards show it
//! (a merged message's photo is on every row's card), and a picture that
//! cannot be drawn worded as a diagnostic at its `![`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::content::Message;
use crate::diagnostics::Diagnostic;
use crate::markup::{BlockKind, PictureRef, RichText};
use crate::picture::{self, Picture, PictureError};
use crate::render::CardPicture;

/// Where a build's cards read their pictures, and the pictures read so far.
pub struct Figures {
    /// The site's folder.
    root: PathBuf,
    /// Whether print PDFs are made (their pictures are kept at full size).
    print: bool,
    /// The pictures read, by their real path.
    read: Mutex<HashMap<PathBuf, Arc<Picture>>>,
}

impl Figures {
    /// The pictures of the site in `root`; with `print`, kept at full size for print too.
    pub fn new(root: &Path, print: bool) -> Figures {
        Figures { root: root.to_path_buf(), print, read: Mutex::default() }
    }

    /// The pictures of message `m`'s rich text, in reading order, or the
    /// diagnostic of the first that cannot be drawn.
    pub fn of(&self, m: &Message, rich: &RichText) -> Result<Vec<CardPicture>, Diagnostic> {
        let refs = rich.blocks.iter().filter_map(|b| match &b.kind {
            BlockKind::Picture(p) => Some(p),
            _ => None,
        });
        refs.map(|p| {
            let (file, picture) = self.load(m, &p.src).map_err(|e| diagnostic(m, p, &e))?;
            Ok(CardPicture { picture, alt: p.alt.clone(), file })
        })
        .collect()
    }

    /// The picture `src` of message `m`, read once per build, and its
    /// file relative to the site folder.
    fn load(&self, m: &Message, src: &str) -> Result<(String, Arc<Picture>), PictureError> {
        let dir = m.source.parent().unwrap_or(Path::new(""));
        let path = picture::resolve(&self.root, dir, src)?;
        let real_root = self.root.canonicalize().map_err(PictureError::Io)?;
        let file = path.strip_prefix(&real_root).unwrap_or(&path).to_string_lossy().replace('\\', "/");
        if let Some(known) = self.read.lock().unwrap_or_else(|e| e.into_inner()).get(&path) {
            return Ok((file, known.clone()));
        }
        let picture = Arc::new(picture::load(&path, self.print)?);
        self.read.lock().unwrap_or_else(|e| e.into_inner()).insert(path, picture.clone());
        Ok((file, picture))
    }
}

/// The hash of the bytes of picture `file` (relative to the site folder
/// `root`) as they are now, as [`Picture::hash`] has it; `None` when it
/// cannot be read (or leads out of the site).
pub fn hash_now(root: &Path, file: &str) -> Option<String> {
    crate::input::inside(root, &root.join(file))
        .and_then(|path| crate::input::read_at_most(&path, picture::MAX_BYTES))
        .ok()
        .map(|bytes| crate::hash::key(&[&bytes]))
}

/// Picture `p` of message `m` that cannot be drawn, at its `![`.
pub fn diagnostic(m: &Message, p: &PictureRef, e: &PictureError) -> Diagnostic {
    let src = p.src.trim();
    let error =
        Diagnostic::error(&m.source, m.body_line + p.line - 1, p.col, format!("cannot draw the picture `{src}`: {e}"));
    match e {
        PictureError::NotFound => error.with_hint(format!(
            "put `{src}` next to the message, or in the site's static/ folder (a path starting with / is read from there)"
        )),
        PictureError::Url => error.with_hint("save the picture in the site, next to the message, and name its file"),
        PictureError::Outside => error.with_hint("pictures are read only from inside the site folder: copy it in"),
        PictureError::TooLarge(_) | PictureError::TooManyPixels(..) => error
            .with_hint("scale the picture down: a card draws a picture at most a few thousand pixels across"),
        PictureError::UnknownFormat => error.with_hint("save it as a PNG, JPEG, WebP, GIF or SVG picture"),
        PictureError::Damaged(detail) => error.with_hint(format!("export the picture again (the decoder says: {detail})")),
        PictureError::Io(_) | PictureError::Svg(_) => error,
    }
}
