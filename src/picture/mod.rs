//! Pictures a site names (a photo in a message, and later a logo or a
//! scanned signature): found, read, measured and decoded, ready to draw.
//!
//! It owns the rules for reading a picture: the reference is looked up
//! next to the message, then in the site's `static/` and `assets/`
//! folders, and refused when it (or a link on the way) leads out of the
//! site; the file is read up to a size cap; the pixel size is read from
//! the header and refused over [`MAX_PIXELS`] before a byte is decoded
//! (a decompression bomb costs nothing); a photo is decoded with its EXIF
//! orientation applied and scaled down to what a card can show. Only a
//! few pictures are decoded at once, whatever the number of threads.
//!
//! It knows nothing of cards, themes or diagnostics: the caller words the
//! error at the place that named the picture. It writes nothing.

mod decode;
mod web;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use base64::Engine as _;

use crate::input::{self, Refused};

pub use decode::{MAX_PIXELS, MAX_SIDE};
pub use web::{web_copies, WebCopy, WEB_WIDTHS};

/// A picture file may be at most this long (a phone's photo is a few MiB).
pub const MAX_BYTES: u64 = 40 << 20;

/// The longest side, in pixels, of the copy a picture is drawn from on a
/// card: a picture as wide as the text of an A5 card at 300 dpi. A larger
/// photo is scaled down to it once, when it is read.
pub const DRAW_SIDE: u32 = 1800;

/// The folders of the site, after the message's own, where a picture is looked for.
pub const SITE_FOLDERS: [&str; 2] = ["static", "assets"];

/// What a picture file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// PNG.
    Png,
    /// JPEG.
    Jpeg,
    /// WebP.
    Webp,
    /// GIF (its first frame is drawn).
    Gif,
    /// SVG (through the guard of theme artwork).
    Svg,
}

impl Format {
    /// The format of `bytes`, from their first bytes (never the file's name).
    pub fn sniff(bytes: &[u8]) -> Option<Format> {
        let text = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]);
        let text = text.trim_start_matches('\u{feff}').trim_start();
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Format::Png)
        } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
            Some(Format::Jpeg)
        } else if bytes.len() > 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
            Some(Format::Webp)
        } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
            Some(Format::Gif)
        } else if text.starts_with("<svg") || text.starts_with("<?xml") || text.starts_with("<!--") {
            Some(Format::Svg)
        } else {
            None
        }
    }

    /// Its media type.
    pub fn mime(self) -> &'static str {
        match self {
            Format::Png => "image/png",
            Format::Jpeg => "image/jpeg",
            Format::Webp => "image/webp",
            Format::Gif => "image/gif",
            Format::Svg => "image/svg+xml",
        }
    }
}

/// Encoded picture bytes and their format, to embed in an SVG or a PDF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Encoded {
    /// PNG, JPEG or SVG.
    pub format: Format,
    /// The bytes.
    pub bytes: Arc<Vec<u8>>,
}

impl Encoded {
    /// The bytes as a `data:` URL (base64), which keeps an SVG one file.
    pub fn data_url(&self) -> String {
        let b64 = base64::engine::general_purpose::STANDARD.encode(self.bytes.as_slice());
        format!("data:{};base64,{b64}", self.format.mime())
    }
}

/// A picture read and decoded, ready to draw.
#[derive(Debug, Clone)]
pub struct Picture {
    /// What the file held.
    pub format: Format,
    /// Its width in pixels as it is seen (its EXIF orientation applied); an
    /// SVG's width in its own units.
    pub width: u32,
    /// Its height, as `width`.
    pub height: u32,
    /// A hash of the file's bytes (hex): what a card's cache key holds.
    pub hash: String,
    /// What a card draws: a PNG (a JPEG for a JPEG photo) no larger than
    /// [`DRAW_SIDE`], or the SVG.
    pub draw: Encoded,
    /// What a print PDF embeds, at full size: the file's own bytes when a
    /// PDF can hold them as they are, else the picture encoded again (a
    /// turned or CMYK JPEG, a WebP, a GIF). `None` unless asked for.
    pub print: Option<Encoded>,
}

/// Why a picture could not be used; the caller says which picture and where.
#[derive(Debug, thiserror::Error)]
pub enum PictureError {
    /// No such file next to the message, nor in the site's folders.
    #[error("no such file next to the message, nor in the site's static/ or assets/ folder")]
    NotFound,
    /// A URL, not a file of the site.
    #[error("a card draws pictures from the site's files, not from the web")]
    Url,
    /// The path (or a link on it) leads out of the site folder.
    #[error("it leads outside the site folder")]
    Outside,
    /// The file is too large to read.
    #[error("the file is {}; a picture may be at most {}", input::mib(*.0), input::mib(MAX_BYTES))]
    TooLarge(u64),
    /// It could not be read from the disk.
    #[error("{0}")]
    Io(std::io::Error),
    /// It is not a picture waxseal can draw.
    #[error("it is not a PNG, JPEG, WebP, GIF or SVG picture")]
    UnknownFormat,
    /// Its header says more pixels than may be decoded.
    #[error("it is {0} x {1} pixels; a picture may have at most {max} million pixels and sides of at most {MAX_SIDE} pixels", max = MAX_PIXELS / 1_000_000)]
    TooManyPixels(u64, u64),
    /// Its pixels could not be decoded (a truncated or damaged file).
    #[error("it is damaged or cut short, and cannot be decoded")]
    Damaged(String),
    /// An SVG picture the artwork guard refuses, or that does not parse.
    #[error("{0}")]
    Svg(String),
}

impl From<Refused> for PictureError {
    fn from(refused: Refused) -> Self {
        match refused {
            Refused::Outside => PictureError::Outside,
            Refused::TooLarge(size) => PictureError::TooLarge(size),
            Refused::Io(e) if e.kind() == std::io::ErrorKind::NotFound => PictureError::NotFound,
            Refused::Io(e) => PictureError::Io(e),
        }
    }
}

/// Where the picture `reference` (as written in a message in folder `dir`
/// of the site `root`) is: next to the message, or (also for a reference
/// starting with `/`) in one of the site's [`SITE_FOLDERS`]. Its real place,
/// every link on the way resolved, must be inside the site.
pub fn resolve(root: &Path, dir: &Path, reference: &str) -> Result<PathBuf, PictureError> {
    let reference = percent_encoding::percent_decode_str(reference.trim()).decode_utf8_lossy().into_owned();
    let scheme = reference.split_once(':').is_some_and(|(s, _)| s.len() > 1 && !s.contains(['/', '\\']));
    if scheme || reference.starts_with("//") {
        return Err(PictureError::Url);
    }
    let relative = reference.trim_start_matches('/');
    let mut candidates: Vec<PathBuf> = Vec::new();
    if !reference.starts_with('/') {
        candidates.push(root.join(within(&dir.join(relative)).ok_or(PictureError::Outside)?));
    }
    let in_folders = SITE_FOLDERS.iter().filter_map(|folder| within(&Path::new(folder).join(relative)));
    candidates.extend(in_folders.map(|rel| root.join(rel)));
    if candidates.is_empty() {
        return Err(PictureError::Outside);
    }
    // The first that exists as a name (a dangling or outward link included,
    // so that it is refused rather than passed over).
    let found = candidates.into_iter().find(|path| path.symlink_metadata().is_ok());
    let path = found.ok_or(PictureError::NotFound)?;
    Ok(input::inside(root, &path)?)
}

/// `rel` (a path inside the site) with its `.` and `..` taken out, or
/// `None` when a `..` climbs out of the site: refused before anything
/// outside is looked at. An absolute `rel` is out too.
fn within(rel: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for part in rel.components() {
        match part {
            std::path::Component::Normal(name) => out.push(name),
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            _ => return None,
        }
    }
    Some(out)
}

/// Reads, measures and decodes the picture at `path` (found by
/// [`resolve`]); with `print`, also what a print PDF embeds.
pub fn load(path: &Path, print: bool) -> Result<Picture, PictureError> {
    let bytes = input::read_at_most(path, MAX_BYTES)?;
    from_bytes(bytes, print)
}

/// [`load`] of bytes already read.
pub fn from_bytes(bytes: Vec<u8>, print: bool) -> Result<Picture, PictureError> {
    let format = Format::sniff(&bytes).ok_or(PictureError::UnknownFormat)?;
    let hash = crate::hash::key(&[&bytes]);
    if format == Format::Svg {
        let (width, height) = svg_size(&bytes)?;
        let svg = Encoded { format, bytes: Arc::new(bytes) };
        return Ok(Picture { format, width, height, hash, print: print.then(|| svg.clone()), draw: svg });
    }
    let decoded = decode::decode(&bytes, format, print)?;
    let print = decoded.print.map(|print| match print {
        decode::Print::AsItIs => Encoded { format, bytes: Arc::new(bytes) },
        decode::Print::Encoded(encoded) => encoded,
    });
    let (width, height) = decoded.size;
    Ok(Picture { format, width, height, hash, draw: decoded.draw, print })
}

/// `picture` drawn in one colour, `rgb` (a scanned signature in the
/// theme's ink): a raster picture's pixels recoloured, their darkness
/// kept as how much ink they lay down; an SVG drawn through a filter that
/// floods its shapes with the colour.
pub fn tinted(picture: &Picture, rgb: [u8; 3]) -> Result<Picture, PictureError> {
    let tint = |encoded: &Encoded| match encoded.format {
        Format::Svg => Ok(tinted_svg(encoded, picture.width, picture.height, rgb)),
        _ => decode::tint(encoded, rgb),
    };
    let print = picture.print.as_ref().map(tint).transpose()?;
    Ok(Picture { draw: tint(&picture.draw)?, print, ..picture.clone() })
}

/// `picture` cut to the box of its ink (a scanned signature, whose
/// margins say nothing of its size): a raster picture's pixels that lay
/// down ink, an SVG's drawn shapes (their bounding box, from usvg).
pub fn cropped_to_ink(picture: &Picture) -> Result<Picture, PictureError> {
    if picture.draw.format == Format::Svg {
        return Ok(cropped_svg(picture).unwrap_or_else(|| picture.clone()));
    }
    let (draw, print, (width, height)) =
        decode::crop_to_ink(&picture.draw, picture.print.as_ref(), (picture.width, picture.height))?;
    Ok(Picture { draw, print, width, height, ..picture.clone() })
}

/// An SVG picture shown through a view of its drawn shapes' box, or
/// `None` when it draws nothing (or cannot be read again).
fn cropped_svg(picture: &Picture) -> Option<Picture> {
    let text = std::str::from_utf8(&picture.draw.bytes).ok()?;
    let tree = resvg::usvg::Tree::from_str(text, &resvg::usvg::Options::default()).ok()?;
    if !tree.root().has_children() {
        return None;
    }
    let ink = tree.root().abs_bounding_box();
    let (w, h) = (ink.width().max(1.0), ink.height().max(1.0));
    let (full_w, full_h) = (tree.size().width(), tree.size().height());
    let wrapped = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"{} {} {w} {h}\">\
         <image width=\"{full_w}\" height=\"{full_h}\" preserveAspectRatio=\"none\" href=\"{}\"/></svg>",
        ink.x(),
        ink.y(),
        picture.draw.data_url()
    );
    let svg = Encoded { format: Format::Svg, bytes: Arc::new(wrapped.into_bytes()) };
    let (width, height) = (w.ceil() as u32, h.ceil() as u32);
    Some(Picture { width, height, print: picture.print.as_ref().map(|_| svg.clone()), draw: svg, ..picture.clone() })
}

/// An SVG that draws `svg` (`width` x `height`) flooded with `rgb`.
fn tinted_svg(svg: &Encoded, width: u32, height: u32, [r, g, b]: [u8; 3]) -> Encoded {
    let wrapped = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\">\
         <filter id=\"tint\" x=\"0\" y=\"0\" width=\"1\" height=\"1\" color-interpolation-filters=\"sRGB\">\
         <feFlood flood-color=\"#{r:02x}{g:02x}{b:02x}\"/><feComposite in2=\"SourceGraphic\" operator=\"in\"/></filter>\
         <image width=\"{width}\" height=\"{height}\" preserveAspectRatio=\"none\" filter=\"url(#tint)\" href=\"{}\"/></svg>",
        svg.data_url()
    );
    Encoded { format: Format::Svg, bytes: Arc::new(wrapped.into_bytes()) }
}

/// The size of an SVG picture, once the artwork guard has passed it.
fn svg_size(bytes: &[u8]) -> Result<(u32, u32), PictureError> {
    let text = std::str::from_utf8(bytes).map_err(|_| PictureError::Svg("an SVG picture must be UTF-8 text".into()))?;
    crate::svg::guard::Guard::for_art().check(text).map_err(|refusal| PictureError::Svg(refusal.to_string()))?;
    let tree = resvg::usvg::Tree::from_str(text, &resvg::usvg::Options::default())
        .map_err(|e| PictureError::Svg(format!("it is not valid SVG: {e}")))?;
    let size = tree.size();
    let (width, height) = (size.width().ceil() as u32, size.height().ceil() as u32);
    if width == 0 || height == 0 {
        return Err(PictureError::Svg("it has no size".into()));
    }
    Ok((width, height))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_told_by_their_bytes() {
        assert_eq!(Format::sniff(b"\x89PNG\r\n\x1a\nrest"), Some(Format::Png));
        assert_eq!(Format::sniff(&[0xff, 0xd8, 0xff, 0xe0]), Some(Format::Jpeg));
        assert_eq!(Format::sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some(Format::Webp));
        assert_eq!(Format::sniff(b"GIF89a"), Some(Format::Gif));
        assert_eq!(Format::sniff(b"  <svg xmlns=\"http://www.w3.org/2000/svg\"/>"), Some(Format::Svg));
        assert_eq!(Format::sniff(b"BM...."), None);
    }

    #[test]
    fn an_svg_signature_is_cut_to_the_box_of_what_it_draws() {
        let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100"><rect x="50" y="20" width="40" height="10"/></svg>"#;
        let picture = from_bytes(svg.as_bytes().to_vec(), false).unwrap();
        let cropped = cropped_to_ink(&picture).unwrap();
        assert_eq!((cropped.width, cropped.height), (40, 10));
        let text = String::from_utf8(cropped.draw.bytes.to_vec()).unwrap();
        assert!(text.contains("viewBox=\"50 20 40 10\""), "{text}");
    }

    #[test]
    fn a_reference_is_found_next_to_the_message_then_in_static() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        std::fs::create_dir_all(root.join("content/cards")).unwrap();
        std::fs::create_dir_all(root.join("static/img")).unwrap();
        std::fs::write(root.join("content/cards/a.png"), "x").unwrap();
        std::fs::write(root.join("static/img/b.png"), "x").unwrap();
        std::fs::write(dir.path().join("outside.png"), "x").unwrap();
        let cards = Path::new("content/cards");
        assert!(resolve(&root, cards, "a.png").unwrap().ends_with("content/cards/a.png"));
        assert!(resolve(&root, cards, "img/b.png").unwrap().ends_with("static/img/b.png"));
        assert!(resolve(&root, cards, "/img/b.png").unwrap().ends_with("static/img/b.png"));
        assert!(resolve(&root, cards, "img/b%2Epng").is_ok());
        assert!(matches!(resolve(&root, cards, "/a.png"), Err(PictureError::NotFound)));
        assert!(matches!(resolve(&root, cards, "nope.png"), Err(PictureError::NotFound)));
        assert!(matches!(resolve(&root, cards, "../../../outside.png"), Err(PictureError::Outside)));
        assert!(matches!(resolve(&root, cards, "https://example.org/a.png"), Err(PictureError::Url)));
        assert!(matches!(resolve(&root, cards, "//example.org/a.png"), Err(PictureError::Url)));
    }
}
