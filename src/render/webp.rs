//! Pixels encoded as WebP, for the card's pictures on the web pages:
//! lossy, at a quality where the paper's grain, thin script strokes and a
//! seal's gradient look as in the PNG at a screen's own pixels, in a
//! fifth to a tenth of the bytes of a PNG as wide (a lossless WebP of a
//! grainy paper is two thirds of the PNG). libwebp does the work (through
//! the `webp` crate), on the calling thread, so the same pixels give the
//! same bytes. Nothing here draws.

/// The encoder's quality (0-100): see BENCHMARKS.md for the sizes and
/// what a lower one loses (the texture of the seal's wax first, seen only
/// zoomed in: at a screen's own pixels it looks as at 90, in 70 % of the
/// bytes, which a phone's first screen waits for).
const QUALITY: f32 = 80.0;

/// The encoder's effort (0-6) by default: where its files stop getting
/// much smaller for the time it takes (see BENCHMARKS.md).
const METHOD: i32 = 2;

/// Its effort for the smallest files (`--optimize`).
const METHOD_SMALLEST: i32 = 6;

/// Encodes `pixmap` (premultiplied, as drawn) as a lossy WebP; with
/// `optimize`, with the encoder's most effort (smaller, slower).
pub fn encode_webp(pixmap: &tiny_skia::Pixmap, optimize: bool) -> Vec<u8> {
    let (width, height) = (pixmap.width(), pixmap.height());
    // An opaque picture's premultiplied bytes are its colours; any other
    // is made straight first (a WebP's alpha is not premultiplied).
    let straight: Vec<u8>;
    let rgba = match super::encode::opaque(pixmap) {
        true => pixmap.data(),
        false => {
            let colour = |p: &tiny_skia::PremultipliedColorU8| {
                let c = p.demultiply();
                [c.red(), c.green(), c.blue(), c.alpha()]
            };
            straight = pixmap.pixels().iter().flat_map(colour).collect();
            &straight
        }
    };
    let mut config = webp::WebPConfig::new().expect("libwebp's default settings");
    config.quality = QUALITY;
    config.method = if optimize { METHOD_SMALLEST } else { METHOD };
    // One thread: the build runs a card on each core already.
    config.thread_level = 0;
    let encoded = webp::Encoder::from_rgba(rgba, width, height)
        .encode_advanced(&config)
        .expect("a WebP of a picture no wider or taller than a card");
    encoded.to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A picture `w` x `h` of a gradient with a grain, opaque or half transparent.
    fn picture(w: u32, h: u32, alpha: u8) -> tiny_skia::Pixmap {
        let mut pixmap = tiny_skia::Pixmap::new(w, h).unwrap();
        for (i, pixel) in pixmap.pixels_mut().iter_mut().enumerate() {
            let (x, y) = (i as u32 % w, i as u32 / w);
            let grain = ((i * 7919) % 13) as u8;
            let colour = tiny_skia::ColorU8::from_rgba(200 + grain, (x * 255 / w) as u8, (y * 255 / h) as u8, alpha);
            *pixel = colour.premultiply();
        }
        pixmap
    }

    #[test]
    fn a_webp_holds_the_pictures_size_and_colours() {
        for alpha in [255, 128] {
            let pixmap = picture(90, 60, alpha);
            let bytes = encode_webp(&pixmap, false);
            assert!(bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP");
            let back = image::load_from_memory_with_format(&bytes, image::ImageFormat::WebP).unwrap().to_rgba8();
            assert_eq!(back.dimensions(), (90, 60));
            // Lossy, but near: the middle pixel's colour within a few levels.
            let want = pixmap.pixel(45, 30).unwrap().demultiply();
            let got = back.get_pixel(45, 30).0;
            let near = |a: u8, b: u8| a.abs_diff(b) <= 12;
            assert!(
                near(got[0], want.red()) && near(got[1], want.green()) && near(got[2], want.blue()),
                "{got:?} for {want:?}"
            );
            assert!(got[3].abs_diff(alpha) <= 2, "alpha {} for {alpha}", got[3]);
        }
    }

    #[test]
    fn the_same_pixels_give_the_same_bytes() {
        let pixmap = picture(120, 80, 255);
        assert_eq!(encode_webp(&pixmap, false), encode_webp(&pixmap, false));
        assert!(encode_webp(&pixmap, true).len() <= encode_webp(&pixmap, false).len() + 64);
    }
}
