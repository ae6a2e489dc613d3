//! A picture's copies for the web: two widths for a card page's `srcset`
//! (a phone takes the small one, a wide screen the large one), named by
//! the picture's content hash, so that a page links a file that never
//! changes under its name.

use std::io::Cursor;
use std::sync::Arc;

use super::{Encoded, Format, Picture, PictureError};

/// The widths of a picture's web copies, in pixels: a phone's screen, and
/// twice that for a dense one or a wide window.
pub const WEB_WIDTHS: [u32; 2] = [640, 1280];

/// One copy of a picture for the web.
#[derive(Debug, Clone)]
pub struct WebCopy {
    /// Its width in pixels (for an SVG, its own width).
    pub width: u32,
    /// Its height in pixels.
    pub height: u32,
    /// Its bytes.
    pub encoded: Encoded,
}

impl WebCopy {
    /// Its file's name: the picture's hash, its width and the format's extension.
    pub fn file_name(&self, hash: &str) -> String {
        let ext = match self.encoded.format {
            Format::Png => "png",
            Format::Jpeg => "jpg",
            Format::Webp => "webp",
            Format::Gif => "gif",
            Format::Svg => "svg",
        };
        format!("{}-{}.{ext}", &hash[..hash.len().min(16)], self.width)
    }
}

/// The web copies of `picture`, smallest first: an SVG as it is; a raster
/// picture at each of [`WEB_WIDTHS`] it is wider than (and at its own width
/// when it is narrower than the smallest), as a JPEG when it is opaque.
pub fn web_copies(picture: &Picture) -> Result<Vec<WebCopy>, PictureError> {
    let (width, height) = (picture.width, picture.height);
    if picture.format == Format::Svg {
        return Ok(vec![WebCopy { width, height, encoded: picture.draw.clone() }]);
    }
    let pixels = image::load_from_memory(&picture.draw.bytes).map_err(|e| PictureError::Damaged(e.to_string()))?;
    let mut widths: Vec<u32> = WEB_WIDTHS.into_iter().filter(|w| *w < width).collect();
    if widths.len() < WEB_WIDTHS.len() {
        widths.push(width.min(pixels.width()).max(1));
    }
    let mut copies = Vec::new();
    for w in widths {
        let h = ((height as f64 * w as f64 / width as f64).round() as u32).max(1);
        let scaled = pixels.resize_exact(w, h, image::imageops::FilterType::Triangle);
        copies.push(WebCopy { width: w, height: h, encoded: encode(&scaled)? });
    }
    Ok(copies)
}

/// `pixels` as a JPEG when opaque (a photo's PNG is several times larger), else a PNG.
fn encode(pixels: &image::DynamicImage) -> Result<Encoded, PictureError> {
    let mut out = Cursor::new(Vec::new());
    let opaque = !pixels.color().has_alpha() || pixels.to_rgba8().pixels().all(|p| p[3] == 255);
    let format = if opaque {
        let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85);
        pixels.to_rgb8().write_with_encoder(encoder).map_err(|e| PictureError::Damaged(e.to_string()))?;
        Format::Jpeg
    } else {
        pixels.write_to(&mut out, image::ImageFormat::Png).map_err(|e| PictureError::Damaged(e.to_string()))?;
        Format::Png
    };
    Ok(Encoded { format, bytes: Arc::new(out.into_inner()) })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn picture(width: u32, height: u32) -> Picture {
        let mut out = Vec::new();
        let pixels = image::RgbImage::from_pixel(width, height, image::Rgb([200, 30, 30]));
        pixels.write_with_encoder(image::codecs::png::PngEncoder::new(&mut out)).unwrap();
        super::super::from_bytes(out, false).unwrap()
    }

    #[test]
    fn a_photo_gets_two_widths_and_a_small_one_its_own() {
        let copies = web_copies(&picture(3000, 1500)).unwrap();
        let sizes: Vec<(u32, u32)> = copies.iter().map(|c| (c.width, c.height)).collect();
        assert_eq!(sizes, vec![(640, 320), (1280, 640)]);
        assert!(copies.iter().all(|c| c.encoded.format == Format::Jpeg));
        let small = web_copies(&picture(300, 200)).unwrap();
        assert_eq!(small.iter().map(|c| (c.width, c.height)).collect::<Vec<_>>(), vec![(300, 200)]);
        let middle = web_copies(&picture(1000, 500)).unwrap();
        assert_eq!(middle.iter().map(|c| c.width).collect::<Vec<_>>(), vec![640, 1000]);
        assert_eq!(copies[0].file_name(&"ab".repeat(20)), "abababababababab-640.jpg");
    }
}
