//! A raster picture's pixels: its size read from its header and refused
//! over the limits before anything is decoded, then decoded (a few at a
//! time), turned by its EXIF orientation, scaled down for drawing and
//! encoded again for the card (and, asked, for print).

use std::io::Cursor;
use std::sync::{Arc, Condvar, Mutex};

use image::{DynamicImage, ImageDecoder, ImageReader};

use super::{Encoded, Format, PictureError, DRAW_SIDE};

/// The most pixels a picture may have: a 48-megapixel phone photo fits;
/// decoded, it takes 200 MB, so a larger one is refused from its header.
pub const MAX_PIXELS: u64 = 50_000_000;

/// The longest side a picture may have, in pixels: what the artwork guard
/// lets a card's SVG hold ([`crate::svg::guard::MAX_IMAGE_SIDE`]).
pub const MAX_SIDE: u32 = crate::svg::guard::MAX_IMAGE_SIDE as u32;

/// How many pictures are decoded at once, whatever the number of threads
/// making cards: each may hold [`MAX_PIXELS`] pixels while it is decoded.
const DECODING_AT_ONCE: usize = 2;

/// What a print PDF embeds.
pub(super) enum Print {
    /// The file's own bytes.
    AsItIs,
    /// The picture encoded again at full size.
    Encoded(Encoded),
}

/// A raster picture decoded.
pub(super) struct Decoded {
    /// Its size as seen (turned by its orientation).
    pub(super) size: (u32, u32),
    /// The copy a card draws.
    pub(super) draw: Encoded,
    /// What a print PDF embeds, when asked for.
    pub(super) print: Option<Print>,
}

/// Counts the pictures being decoded: a slot is taken before decoding and
/// given back when the decoded pixels are dropped.
struct Slots {
    busy: Mutex<usize>,
    freed: Condvar,
}

static SLOTS: Slots = Slots { busy: Mutex::new(0), freed: Condvar::new() };

/// A slot taken; given back when dropped.
struct Slot;

impl Slot {
    fn take() -> Slot {
        let mut busy = SLOTS.busy.lock().unwrap_or_else(|e| e.into_inner());
        while *busy >= DECODING_AT_ONCE {
            busy = SLOTS.freed.wait(busy).unwrap_or_else(|e| e.into_inner());
        }
        *busy += 1;
        Slot
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        *SLOTS.busy.lock().unwrap_or_else(|e| e.into_inner()) -= 1;
        SLOTS.freed.notify_one();
    }
}

/// Decodes `bytes` of raster `format`: refused from the header over the
/// limits; with `print`, what a print PDF embeds as well.
pub(super) fn decode(bytes: &[u8], format: Format, print: bool) -> Result<Decoded, PictureError> {
    let image_format = match format {
        Format::Png => image::ImageFormat::Png,
        Format::Jpeg => image::ImageFormat::Jpeg,
        Format::Webp => image::ImageFormat::WebP,
        Format::Gif => image::ImageFormat::Gif,
        Format::Svg => unreachable!("an SVG picture is not decoded"),
    };
    // The header's size, before a decoder is made: a 20,000 x 20,000
    // picture in a few kilobytes is refused here, nothing allocated.
    let header = imagesize::blob_size(bytes).map_err(|e| PictureError::Damaged(e.to_string()))?;
    let (w, h) = (header.width as u64, header.height as u64);
    if w * h > MAX_PIXELS || w > u64::from(MAX_SIDE) || h > u64::from(MAX_SIDE) {
        return Err(PictureError::TooManyPixels(w, h));
    }
    if w == 0 || h == 0 {
        return Err(PictureError::Damaged("it has no pixels".into()));
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), image_format);
    // The decoder's own limits stand behind the header's (a file whose
    // frames disagree with its header).
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_PIXELS * 4 + (64 << 20));
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(damaged)?;
    let orientation = decoder.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
    let _slot = Slot::take();
    let mut pixels = DynamicImage::from_decoder(decoder).map_err(damaged)?;
    pixels.apply_orientation(orientation);
    let size = (pixels.width(), pixels.height());
    let as_it_is = match format {
        Format::Png => true,
        Format::Jpeg => orientation == image::metadata::Orientation::NoTransforms && !jpeg_is_cmyk(bytes),
        _ => false,
    };
    let print = match (print, as_it_is) {
        (false, _) => None,
        (true, true) => Some(Print::AsItIs),
        (true, false) => Some(Print::Encoded(encode(&pixels, format == Format::Jpeg)?)),
    };
    // A photo's copy stays a JPEG: card.svg holds it, and a PNG of a photo
    // is several times larger.
    let draw = encode(&scaled(pixels), format == Format::Jpeg)?;
    Ok(Decoded { size, draw, print })
}

/// `encoded` (a PNG or JPEG this module made or checked) recoloured to
/// `rgb`, as a PNG: each pixel's darkness becomes how much of the colour
/// it lays down (the darkest ink solid, white paper none), so a dark
/// signature on a transparent ground, or scanned on white, is drawn in one ink.
pub(super) fn tint(encoded: &Encoded, rgb: [u8; 3]) -> Result<Encoded, PictureError> {
    let _slot = Slot::take();
    let mut pixels = image::load_from_memory(&encoded.bytes).map_err(damaged)?.to_rgba8();
    let luminance =
        |p: &image::Rgba<u8>| (0.2126 * f32::from(p[0]) + 0.7152 * f32::from(p[1]) + 0.0722 * f32::from(p[2])) / 255.0;
    // The darkest of the ink that shows is taken as solid.
    let darkest = pixels.pixels().filter(|p| p[3] >= 128).map(luminance).fold(1.0f32, f32::min).min(0.9);
    for p in pixels.pixels_mut() {
        let ink = ((1.0 - luminance(p)) / (1.0 - darkest)).clamp(0.0, 1.0);
        *p = image::Rgba([rgb[0], rgb[1], rgb[2], (f32::from(p[3]) * ink).round() as u8]);
    }
    encode(&DynamicImage::ImageRgba8(pixels), false)
}

/// A picture cut to its ink: what a card draws, what a print PDF embeds,
/// and its size in the picture's own pixels.
pub(super) type Cropped = (Encoded, Option<Encoded>, (u32, u32));

/// A pixel counts as ink when it covers at least this much of the paper
/// (of 255): a scan's soft anti-aliased edge and its faint dust do not.
const INK_ALPHA: u8 = 64;

/// ... and, on a scan with no transparency (ink on white paper), when it
/// is at least this dark (0: white, 1: black): the paper and its grain do not.
const INK_DARKNESS: f32 = 0.25;

/// `draw` and `print` (what a card draws of a picture `size` pixels, and
/// what a print PDF embeds) cut to the box of their ink: a signature scanned
/// with wide margins is drawn the size of its writing, as one cropped
/// tight is. A picture with no ink is left whole. The loops run over the
/// pixels once each, and a picture holds at most [`MAX_PIXELS`].
pub(super) fn crop_to_ink(draw: &Encoded, print: Option<&Encoded>, size: (u32, u32)) -> Result<Cropped, PictureError> {
    let _slot = Slot::take();
    let pixels = image::load_from_memory(&draw.bytes).map_err(damaged)?;
    let Some(ink) = ink_box(&pixels.to_rgba8()) else {
        return Ok((draw.clone(), print.cloned(), size));
    };
    let cut = |pixels: &DynamicImage, photo: bool| {
        let (w, h) = (pixels.width() as f32, pixels.height() as f32);
        let (x0, y0) = ((ink[0] * w).floor() as u32, (ink[1] * h).floor() as u32);
        let (x1, y1) =
            (((ink[2] * w).ceil() as u32).min(pixels.width()), ((ink[3] * h).ceil() as u32).min(pixels.height()));
        encode(&pixels.crop_imm(x0, y0, (x1 - x0).max(1), (y1 - y0).max(1)), photo)
    };
    let cropped = cut(&pixels, draw.format == Format::Jpeg)?;
    drop(pixels);
    let print = match print {
        Some(p) => Some(cut(&image::load_from_memory(&p.bytes).map_err(damaged)?, p.format == Format::Jpeg)?),
        None => None,
    };
    let side = |full: u32, lo: f32, hi: f32| ((hi - lo) * full as f32).round().max(1.0) as u32;
    Ok((cropped, print, (side(size.0, ink[0], ink[2]), side(size.1, ink[1], ink[3]))))
}

/// The box of `pixels`' ink (left, top, right, bottom, as fractions of its
/// size, a pixel wider all round for the soft edge), or `None` when it has none.
fn ink_box(pixels: &image::RgbaImage) -> Option<[f32; 4]> {
    let transparent = pixels.pixels().any(|p| p[3] < 250);
    let ink = |p: &image::Rgba<u8>| match transparent {
        true => p[3] >= INK_ALPHA,
        false => {
            let luminance = 0.2126 * f32::from(p[0]) + 0.7152 * f32::from(p[1]) + 0.0722 * f32::from(p[2]);
            1.0 - luminance / 255.0 >= INK_DARKNESS
        }
    };
    let (mut x0, mut y0, mut x1, mut y1) = (u32::MAX, u32::MAX, 0, 0);
    for (x, y, p) in pixels.enumerate_pixels() {
        if ink(p) {
            (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x + 1), y1.max(y + 1));
        }
    }
    if x0 >= x1 || y0 >= y1 {
        return None;
    }
    let (w, h) = (pixels.width() as f32, pixels.height() as f32);
    let (x0, y0) = (x0.saturating_sub(1) as f32, y0.saturating_sub(1) as f32);
    let (x1, y1) = ((x1 + 1).min(pixels.width()) as f32, (y1 + 1).min(pixels.height()) as f32);
    Some([x0 / w, y0 / h, x1 / w, y1 / h])
}

/// A decoder's error, worded for a person.
fn damaged(e: image::ImageError) -> PictureError {
    match e {
        image::ImageError::Limits(_) => PictureError::Damaged("it needs more memory than a picture may take".into()),
        e => PictureError::Damaged(e.to_string()),
    }
}

/// `pixels` scaled down so that neither side is over [`DRAW_SIDE`].
fn scaled(pixels: DynamicImage) -> DynamicImage {
    let (w, h) = (pixels.width(), pixels.height());
    if w.max(h) <= DRAW_SIDE {
        return pixels;
    }
    // Triangle widens with the reduction: every source pixel is averaged in.
    pixels.resize(DRAW_SIDE, DRAW_SIDE, image::imageops::FilterType::Triangle)
}

/// `pixels` as a PNG (or, for a `photo` with no transparency, a JPEG of
/// high quality: a photo's PNG is several times larger).
fn encode(pixels: &DynamicImage, photo: bool) -> Result<Encoded, PictureError> {
    let opaque = !pixels.color().has_alpha();
    let mut out = Vec::new();
    let format = if photo && opaque {
        let rgb = pixels.to_rgb8();
        let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 95);
        rgb.write_with_encoder(encoder).map_err(damaged)?;
        Format::Jpeg
    } else {
        let encoder = image::codecs::png::PngEncoder::new(&mut out);
        match opaque {
            true => pixels.to_rgb8().write_with_encoder(encoder),
            false => pixels.to_rgba8().write_with_encoder(encoder),
        }
        .map_err(damaged)?;
        Format::Png
    };
    Ok(Encoded { format, bytes: Arc::new(out) })
}

/// Whether a JPEG holds four components (CMYK or YCCK): its first frame
/// header says. A PDF of the PDF/A kind waxseal makes may not hold CMYK
/// pixels without a CMYK profile, so such a photo is embedded as RGB.
fn jpeg_is_cmyk(bytes: &[u8]) -> bool {
    let mut at = 2;
    while at + 4 <= bytes.len() {
        if bytes[at] != 0xff {
            return false;
        }
        let marker = bytes[at + 1];
        let len = usize::from(u16::from_be_bytes([bytes[at + 2], bytes[at + 3]]));
        // SOF0..SOF15 but DHT (c4), JPG (c8) and DAC (cc): the frame header,
        // whose sixth byte after the length is the number of components.
        if (0xc0..=0xcf).contains(&marker) && ![0xc4, 0xc8, 0xcc].contains(&marker) {
            return bytes.get(at + 9) == Some(&4);
        }
        at += 2 + len;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let mut out = Vec::new();
        let pixels = image::RgbImage::from_pixel(width, height, image::Rgb([200, 30, 30]));
        pixels.write_with_encoder(image::codecs::png::PngEncoder::new(&mut out)).unwrap();
        out
    }

    #[test]
    fn a_huge_header_is_refused_before_decoding() {
        // A PNG header that claims 20,000 x 20,000 pixels, and no pixels.
        let mut bytes = png(1, 1);
        bytes[16..20].copy_from_slice(&20_000u32.to_be_bytes());
        bytes[20..24].copy_from_slice(&20_000u32.to_be_bytes());
        let e = decode(&bytes, Format::Png, false).err().unwrap();
        assert!(matches!(e, PictureError::TooManyPixels(20_000, 20_000)), "{e:?}");
    }

    #[test]
    fn a_large_photo_is_drawn_from_a_smaller_copy_and_printed_whole() {
        let decoded = decode(&png(4000, 1000), Format::Png, true).unwrap();
        assert_eq!(decoded.size, (4000, 1000));
        let draw = image::load_from_memory(&decoded.draw.bytes).unwrap();
        assert_eq!((draw.width(), draw.height()), (DRAW_SIDE, DRAW_SIDE / 4));
        assert!(matches!(decoded.print, Some(Print::AsItIs)));
    }

    #[test]
    fn a_truncated_png_is_damaged() {
        let bytes = png(300, 300);
        let e = decode(&bytes[..bytes.len() / 2], Format::Png, false).err().unwrap();
        assert!(matches!(e, PictureError::Damaged(_)), "{e:?}");
    }
}
