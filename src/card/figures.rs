//! A message's pictures (`![alt](file)`): found and read through the
//! picture module, each file once per build however many cards show it
//! (a merged message's photo is on every row's card), and a picture that
//! cannot be drawn worded as a diagnostic at its `![`; and the card page's
//! copies of them (two widths, under their content hash), each made once.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::config::SiteConfig;
use crate::content::Message;
use crate::diagnostics::Diagnostic;
use crate::markup::{BlockKind, PictureRef, RichText};
use crate::picture::{self, Picture, PictureError, WebCopy};
use crate::render::CardPicture;

/// Where a build's cards read their pictures, and the pictures read so far.
pub struct Figures {
    /// The site's folder.
    root: PathBuf,
    /// Whether print PDFs are made (their pictures are kept at full size).
    print: bool,
    /// The pictures read, by their real path, and how many bytes they hold
    /// (kept only up to [`KEPT_BYTES`]).
    read: Mutex<(HashMap<PathBuf, Arc<Picture>>, usize)>,
    /// Their web copies, by the pictures' hashes.
    web: Mutex<HashMap<String, Arc<Vec<WebCopy>>>>,
    /// Signatures drawn in one colour, by the picture's hash and the colour.
    tinted: Mutex<Tinted>,
    /// Signatures cut to their ink, by the picture's hash.
    cropped: Mutex<HashMap<String, Arc<Picture>>>,
}

/// Pictures drawn in one colour, by the picture's hash and the colour.
type Tinted = HashMap<(String, [u8; 3]), Arc<Picture>>;

/// How many bytes of pictures a build keeps to use again (a photo on every
/// card of a merge is read once); past it, a picture is read again for
/// each card that shows it, so that a site of many large photos does not
/// hold them all.
const KEPT_BYTES: usize = 256 << 20;

/// Where a card page's pictures are published, in the output folder.
pub const WEB_FOLDER: &str = "assets/pictures";

/// A card page's pictures: its message's HTML with each picture's `<img>`
/// showing its web copies, and the files of those copies.
pub struct WebPictures {
    /// The message's HTML.
    pub html: String,
    /// Each file (relative to the output folder) and its bytes.
    pub files: Vec<(String, Arc<Vec<u8>>)>,
}

impl Figures {
    /// The pictures of the site in `root`; with `print`, kept at full size for print too.
    pub fn new(root: &Path, print: bool) -> Figures {
        Figures {
            root: root.to_path_buf(),
            print,
            read: Mutex::default(),
            web: Mutex::default(),
            tinted: Mutex::default(),
            cropped: Mutex::default(),
        }
    }

    /// The card page's pictures: `html` (the message's, whose `<img>`
    /// elements are `pictures`, in order) with each `<img>` showing the
    /// picture's web copies under `base_url`, and a picture alone in its
    /// paragraph a `<figure>` with its caption, `widths` (each picture's
    /// part of the text's width on the card) wide; the text is `text` of
    /// the card's width. HTML whose `<img>` elements are not the pictures
    /// one for one (raw HTML with pictures of its own) is left as it is.
    pub fn web(&self, base_url: &str, html: &str, pictures: &[CardPicture], widths: &[f32], text: f32) -> WebPictures {
        let tags = html.matches("<img ").count();
        if pictures.is_empty() || tags != pictures.len() {
            return WebPictures { html: html.to_string(), files: Vec::new() };
        }
        let mut out = String::with_capacity(html.len());
        let mut files = Vec::new();
        let mut rest = html;
        for (i, picture) in pictures.iter().enumerate() {
            let Some(at) = rest.find("<img ") else { break };
            // Attribute values are escaped: the element ends at the first `>`.
            let end = rest[at..].find('>').map_or(rest.len(), |e| at + e + 1);
            let Some(copies) = self.copies(&picture.picture.hash, &picture.picture) else {
                out.push_str(&rest[..end]);
                rest = &rest[end..];
                continue;
            };
            let name = |c: &WebCopy| format!("{WEB_FOLDER}/{}", c.file_name(&picture.picture.hash));
            files.extend(copies.iter().map(|c| (name(c), c.encoded.bytes.clone())));
            let part = widths.get(i).copied().unwrap_or(1.0).clamp(0.01, 1.0);
            // A picture alone in its paragraph is a figure, its caption under it.
            let alone = rest[..at].ends_with("<p>") && rest[end..].starts_with("</p>");
            let img = img(base_url, picture, &copies, part * text, alone.then_some(part));
            match alone {
                true => {
                    out.push_str(&rest[..at - "<p>".len()]);
                    out.push_str(&figure(&img, picture));
                    rest = &rest[end + "</p>".len()..];
                }
                false => {
                    out.push_str(&rest[..at]);
                    out.push_str(&img);
                    rest = &rest[end..];
                }
            }
        }
        out.push_str(rest);
        files.sort_by(|a, b| a.0.cmp(&b.0));
        files.dedup_by(|a, b| a.0 == b.0);
        WebPictures { html: out, files }
    }

    /// The web copies of `picture`, named by `key` (its hash, or for a
    /// picture drawn in a colour, one of what is drawn), made once per build.
    pub(super) fn copies(&self, key: &str, picture: &Picture) -> Option<Arc<Vec<WebCopy>>> {
        if let Some(known) = self.web.lock().unwrap_or_else(|e| e.into_inner()).get(key) {
            return Some(known.clone());
        }
        let copies = Arc::new(picture::web_copies(picture).ok()?);
        self.web.lock().unwrap_or_else(|e| e.into_inner()).insert(key.to_string(), copies.clone());
        Some(copies)
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
            Ok(CardPicture { picture, alt: p.alt.clone(), file, caption: p.caption.clone() })
        })
        .collect()
    }

    /// The picture `src` of message `m`, read once per build, and its
    /// file relative to the site folder.
    fn load(&self, m: &Message, src: &str) -> Result<(String, Arc<Picture>), PictureError> {
        self.load_from(m.source.parent().unwrap_or(Path::new("")), src)
    }

    /// The picture `src` named in folder `dir` of the site (see [`load`]).
    fn load_from(&self, dir: &Path, src: &str) -> Result<(String, Arc<Picture>), PictureError> {
        let path = picture::resolve(&self.root, dir, src)?;
        let real_root = self.root.canonicalize().map_err(PictureError::Io)?;
        let file = path.strip_prefix(&real_root).unwrap_or(&path).to_string_lossy().replace('\\', "/");
        if let Some(known) = self.read.lock().unwrap_or_else(|e| e.into_inner()).0.get(&path) {
            return Ok((file, known.clone()));
        }
        let picture = Arc::new(picture::load(&path, self.print)?);
        let size = picture.draw.bytes.len() + picture.print.as_ref().map_or(0, |p| p.bytes.len());
        let mut read = self.read.lock().unwrap_or_else(|e| e.into_inner());
        if read.1 + size <= KEPT_BYTES {
            read.1 += size;
            read.0.insert(path, picture.clone());
        }
        Ok((file, picture))
    }
}

/// A picture a key names for a whole card: the shop's logo, or a scanned signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Named {
    /// `logo:`.
    Logo,
    /// `signature:`.
    Signature,
}

impl Named {
    /// Its key in the front matter and waxseal.yaml.
    pub fn key(self) -> &'static str {
        match self {
            Named::Logo => "logo",
            Named::Signature => "signature",
        }
    }
}

impl Figures {
    /// The picture `what` of message `m`: its front matter's (a path
    /// relative to the message; empty: none), else the site's (relative
    /// to the site folder), found and read as a message's picture is, with
    /// `alt` as its alt text; or the diagnostic at the key that named it.
    pub fn named(
        &self,
        config: &SiteConfig,
        m: &Message,
        what: Named,
        alt: String,
    ) -> Result<Option<CardPicture>, Diagnostic> {
        let key = what.key();
        let (own, site) = match what {
            Named::Logo => (m.front.logo.as_deref(), config.logo.as_deref()),
            Named::Signature => (m.front.signature.as_deref(), config.signature.as_deref()),
        };
        let (src, dir) = match (own, site) {
            (Some(src), _) => (src.trim(), m.source.parent().unwrap_or(Path::new(""))),
            (None, Some(src)) => (src.trim(), Path::new("")),
            (None, None) => return Ok(None),
        };
        if src.is_empty() {
            return Ok(None);
        }
        let (file, picture) = self.load_from(dir, src).map_err(|e| {
            let (path, line, col) = match own {
                Some(_) => {
                    let (line, col) = m.value_place(key);
                    (m.source.clone(), line, col)
                }
                None => {
                    let place = config.places.iter().find(|(k, _, _)| k == key);
                    let (line, col) = place.map_or((0, 0), |(_, l, c)| (*l, *c));
                    (std::path::PathBuf::from(crate::config::CONFIG_FILE), line, col)
                }
            };
            named_diagnostic(&path, (line, col), what, src, own.is_none(), &e)
        })?;
        Ok(Some(CardPicture { picture, alt, file, caption: None }))
    }

    /// A scanned signature `p` cut to its ink (its margins say nothing of
    /// the size it is drawn at: the name's size does) and drawn in `color`
    /// (see [`Figures::tinted`]), each made once per build.
    pub fn signature(&self, p: CardPicture, color: Option<String>) -> CardPicture {
        let known = self.cropped.lock().unwrap_or_else(|e| e.into_inner()).get(&p.picture.hash).cloned();
        let cropped = match known {
            Some(known) => known,
            None => {
                let Ok(cropped) = picture::cropped_to_ink(&p.picture) else { return self.tinted(p, color) };
                let cropped = Arc::new(cropped);
                self.cropped.lock().unwrap_or_else(|e| e.into_inner()).insert(p.picture.hash.clone(), cropped.clone());
                cropped
            }
        };
        self.tinted(CardPicture { picture: cropped, ..p }, color)
    }

    /// `p` drawn in `color` (a `#rrggbb` colour; none: as it is), made
    /// once per build for each picture and colour. A picture that cannot
    /// be recoloured is drawn as it is.
    pub fn tinted(&self, p: CardPicture, color: Option<String>) -> CardPicture {
        let Some(rgb) = color.as_deref().and_then(hex_rgb) else { return p };
        let key = (p.picture.hash.clone(), rgb);
        if let Some(known) = self.tinted.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
            return CardPicture { picture: known.clone(), ..p };
        }
        let Ok(tinted) = picture::tinted(&p.picture, rgb) else { return p };
        let tinted = Arc::new(tinted);
        self.tinted.lock().unwrap_or_else(|e| e.into_inner()).insert(key, tinted.clone());
        CardPicture { picture: tinted, ..p }
    }
}

/// The red, green and blue of a `#rrggbb` colour.
fn hex_rgb(color: &str) -> Option<[u8; 3]> {
    let hex = color.trim().strip_prefix('#').filter(|h| h.len() == 6 && h.is_ascii())?;
    let channel = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
    Some([channel(0)?, channel(2)?, channel(4)?])
}

/// The picture `src` that key `what` names, which cannot be drawn, at
/// `path`'s `place` (waxseal.yaml's for the site's, `site`).
fn named_diagnostic(
    path: &Path,
    (line, col): (usize, usize),
    what: Named,
    src: &str,
    site: bool,
    e: &PictureError,
) -> Diagnostic {
    let reason = match e {
        PictureError::NotFound if site => {
            "no such file in the site folder, nor in its static/ or assets/ folder".to_string()
        }
        e => e.to_string(),
    };
    let error = Diagnostic::error(path, line, col, format!("cannot draw the {} `{src}`: {reason}", what.key()));
    match e {
        PictureError::NotFound if site => error.with_hint(format!(
            "waxseal.yaml's `{}:` is read from the site folder (where waxseal.yaml is), then from its static/ and assets/ folders",
            what.key()
        )),
        PictureError::NotFound => error.with_hint(format!("put `{src}` next to the message, or in the site's static/ folder")),
        _ => hint(error, e),
    }
}

/// `error` with the hint for picture problem `e`, but a missing file's.
fn hint(error: Diagnostic, e: &PictureError) -> Diagnostic {
    match e {
        PictureError::Url => error.with_hint("save the picture in the site, next to the message, and name its file"),
        PictureError::Outside => error.with_hint("pictures are read only from inside the site folder: copy it in"),
        PictureError::TooLarge(_) | PictureError::TooManyPixels(..) => {
            error.with_hint("scale the picture down: a card draws a picture at most a few thousand pixels across")
        }
        PictureError::UnknownFormat => error.with_hint("save it as a PNG, JPEG, WebP, GIF or SVG picture"),
        PictureError::Damaged(detail) => {
            error.with_hint(format!("export the picture again (the decoder says: {detail})"))
        }
        PictureError::NotFound | PictureError::Io(_) | PictureError::Svg(_) => error,
    }
}

/// The `<img>` of `picture` on a card page: its largest web copy, the
/// others in its `srcset` (shown `part` of the card's width wide), its
/// size, alt text, and in a figure its width there (a part of the text's
/// width), else its caption as its title.
fn img(base_url: &str, picture: &CardPicture, copies: &[WebCopy], part: f32, figure: Option<f32>) -> String {
    let url = |c: &WebCopy| format!("{base_url}{WEB_FOLDER}/{}", c.file_name(&picture.picture.hash));
    let Some(largest) = copies.last() else { return String::new() };
    let mut tag = format!("<img src=\"{}\"", url(largest));
    if copies.len() > 1 {
        let set: Vec<String> = copies.iter().map(|c| format!("{} {}w", url(c), c.width)).collect();
        tag.push_str(&format!(" srcset=\"{}\" sizes=\"{}\"", set.join(", "), super::page::sizes(part)));
    }
    tag.push_str(&format!(
        " width=\"{}\" height=\"{}\" alt=\"{}\"",
        largest.width,
        largest.height,
        crate::svg::escape(picture.alt.trim())
    ));
    match (figure, &picture.caption) {
        (Some(width), _) => tag.push_str(&format!(" style=\"width: {:.1}%\"", width * 100.0)),
        (None, Some(caption)) => tag.push_str(&format!(" title=\"{}\"", crate::svg::escape(caption))),
        (None, None) => {}
    }
    tag.push_str(" loading=\"lazy\">");
    tag
}

/// The `<figure>` of picture `p` whose `<img>` is `img`, its caption under
/// it (across the text, as on the card).
fn figure(img: &str, p: &CardPicture) -> String {
    let caption = p.caption.as_ref().map(|c| format!("<figcaption>{}</figcaption>", crate::svg::escape(c)));
    format!("<figure class=\"card-figure\">{img}{}</figure>", caption.unwrap_or_default())
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
        e => hint(error, e),
    }
}
