//! Pixels encoded as PNG, the last step of every card picture: a palette
//! PNG when the picture has at most 256 colours (the same pixels, in a
//! fraction of the bytes), else RGB rows (RGBA when the picture has
//! transparency) converted, filtered and compressed a row at a time as they
//! are read from the pixmap, never copied whole. Nothing here draws.

/// The most colours a palette PNG holds.
const MAX_COLOURS: usize = 256;

/// Encodes a pixmap as PNG: fast (fdeflate over `Up`-filtered rows) by
/// default, or the smallest files with `optimize` (see BENCHMARKS.md). With
/// `dpi`, the PNG says its resolution (a `pHYs` chunk), which print shops
/// read; without, it has none (a picture for screens).
pub fn encode_png(pixmap: &tiny_skia::Pixmap, dpi: Option<u32>, optimize: bool) -> Vec<u8> {
    // A card covers its whole canvas: without transparency it is stored as
    // RGB, a quarter less to filter and compress (and premultiplied equals
    // straight colour, so nothing to undo).
    let opaque = pixmap.pixels().iter().all(|p| p.alpha() == u8::MAX);
    let palette = if opaque { Palette::of(pixmap) } else { None };
    let rows = match &palette {
        Some(palette) => Rows::Indexed(palette),
        None if opaque => Rows::Rgb,
        None => Rows::Rgba,
    };
    let zlib = (!optimize).then(|| deflate_fast(pixmap, &rows));
    // The compressed pixels and a few chunks: written once, not grown.
    let mut out = Vec::with_capacity(zlib.as_ref().map_or(0, Vec::len) + 1024);
    let mut encoder = png::Encoder::new(&mut out, pixmap.width(), pixmap.height());
    encoder.set_color(rows.color_type());
    encoder.set_depth(png::BitDepth::Eight);
    if let Some(palette) = &palette {
        encoder.set_palette(palette.colours.as_flattened().to_vec());
    }
    if let Some(dpi) = dpi {
        let ppm = (f64::from(dpi) / 0.0254).round() as u32;
        encoder.set_pixel_dims(Some(png::PixelDimensions { xppu: ppm, yppu: ppm, unit: png::Unit::Meter }));
    }
    if let Some(zlib) = zlib {
        let mut writer = encoder.write_header().expect("PNG header of a valid pixmap");
        // A chunk holds at most 2^31 - 1 bytes.
        for chunk in zlib.chunks(1 << 30) {
            writer.write_chunk(png::chunk::IDAT, chunk).expect("PNG data into memory");
        }
        writer.finish().expect("PNG end");
    } else {
        encoder.set_compression(png::Compression::High);
        encoder.set_filter(png::Filter::Adaptive);
        // The slow path for the smallest files: one buffer of converted rows
        // is the least of its costs.
        let mut raw = vec![0; rows.row_len(pixmap.width()) * pixmap.height() as usize];
        let row_len = rows.row_len(pixmap.width());
        for (src, dst) in pixmap.data().chunks_exact(pixmap.width() as usize * 4).zip(raw.chunks_exact_mut(row_len)) {
            rows.convert(src, dst);
        }
        let mut writer = encoder.write_header().expect("PNG header of a valid pixmap");
        writer.write_image_data(&raw).expect("PNG data into memory");
        writer.finish().expect("PNG end");
    }
    out
}

/// The zlib stream of the picture's rows, each converted and `Up`-filtered
/// as it is read from the pixmap, compressed by fdeflate (what the png
/// crate's `Compression::Fast` uses, without its copies).
fn deflate_fast(pixmap: &tiny_skia::Pixmap, rows: &Rows) -> Vec<u8> {
    let row_len = rows.row_len(pixmap.width());
    // Fast deflate makes files of about a fifth of the raw pixels.
    let raw = row_len * pixmap.height() as usize;
    let mut compressor = fdeflate::Compressor::new(Vec::with_capacity(raw / 4)).expect("writes into memory");
    let (mut prev, mut cur) = (vec![0; row_len], vec![0; row_len]);
    // The filter type, then the row.
    let mut filtered = vec![0; row_len + 1];
    filtered[0] = 2;
    for src in pixmap.data().chunks_exact(pixmap.width() as usize * 4) {
        rows.convert(src, &mut cur);
        for ((f, c), p) in filtered[1..].iter_mut().zip(&cur).zip(&prev) {
            *f = c.wrapping_sub(*p);
        }
        compressor.write_data(&filtered).expect("writes into memory");
        std::mem::swap(&mut prev, &mut cur);
    }
    compressor.finish().expect("writes into memory")
}

/// How many colours an opaque picture has, when it has at most 256 (what
/// makes it a palette PNG): counting stops at the 257th.
pub fn palette_size(pixmap: &tiny_skia::Pixmap) -> Option<usize> {
    Palette::of(pixmap).map(|palette| palette.colours.len())
}

/// How a picture's pixels become a PNG's rows.
enum Rows<'a> {
    /// Opaque, at most 256 colours: an index a pixel.
    Indexed(&'a Palette),
    /// Opaque: red, green, blue.
    Rgb,
    /// With transparency: straight (not premultiplied) colour and alpha.
    Rgba,
}

impl Rows<'_> {
    fn color_type(&self) -> png::ColorType {
        match self {
            Rows::Indexed(_) => png::ColorType::Indexed,
            Rows::Rgb => png::ColorType::Rgb,
            Rows::Rgba => png::ColorType::Rgba,
        }
    }

    /// The bytes of a row `width` pixels wide.
    fn row_len(&self, width: u32) -> usize {
        let bytes = match self {
            Rows::Indexed(_) => 1,
            Rows::Rgb => 3,
            Rows::Rgba => 4,
        };
        width as usize * bytes
    }

    /// Converts a row of premultiplied RGBA pixels, `src`, into `dst`.
    fn convert(&self, src: &[u8], dst: &mut [u8]) {
        match self {
            Rows::Indexed(palette) => palette.index_row(src, dst),
            Rows::Rgb => {
                for (d, s) in dst.chunks_exact_mut(3).zip(src.chunks_exact(4)) {
                    d.copy_from_slice(&s[..3]);
                }
            }
            Rows::Rgba => {
                for (d, s) in dst.chunks_exact_mut(4).zip(src.chunks_exact(4)) {
                    let c = tiny_skia::PremultipliedColorU8::from_rgba(s[0], s[1], s[2], s[3])
                        .expect("premultiplied pixels")
                        .demultiply();
                    d.copy_from_slice(&[c.red(), c.green(), c.blue(), c.alpha()]);
                }
            }
        }
    }
}

/// Slots of a palette's look-up table: twice the colours, so a look-up
/// probes few.
const SLOTS: usize = 2 * MAX_COLOURS;

/// The colours of an opaque picture that has at most [`MAX_COLOURS`], in
/// the order they are counted (so the same picture gives the same PNG).
struct Palette {
    colours: Vec<[u8; 3]>,
    /// An open-addressing table: a pixel's RGBA bytes as a number (never 0:
    /// its alpha is 255), or 0 for an empty slot.
    keys: [u32; SLOTS],
    /// The palette index of the colour in the same slot of `keys`.
    indices: [u8; SLOTS],
}

impl Palette {
    /// The picture's palette, or `None` as soon as a 257th colour is seen
    /// (a textured card stops early). `pixmap` is opaque.
    fn of(pixmap: &tiny_skia::Pixmap) -> Option<Palette> {
        let mut palette = Palette { colours: Vec::new(), keys: [0; SLOTS], indices: [0; SLOTS] };
        // A card's flat paper may hold fewer than 257 colours for most of
        // its height, its seal or a picture the rest (over a millisecond
        // of counting row by row on the minimal theme): a pixel in every 61
        // (a prime, so no column is favoured) is counted first, then every
        // pixel (a colour seen twice counts once).
        let pixels = pixmap.data().chunks_exact(4);
        let mut last = 0;
        for pixel in pixels.clone().step_by(61).chain(pixels) {
            let key = u32::from_le_bytes(pixel.try_into().expect("four bytes"));
            // Runs of one colour are most of a flat picture.
            if key == last {
                continue;
            }
            last = key;
            let slot = palette.slot(key);
            if palette.keys[slot] == 0 {
                if palette.colours.len() == MAX_COLOURS {
                    return None;
                }
                palette.keys[slot] = key;
                palette.indices[slot] = palette.colours.len() as u8;
                palette.colours.push([pixel[0], pixel[1], pixel[2]]);
            }
        }
        Some(palette)
    }

    /// The slot that holds `key`, or the empty one where it would go.
    fn slot(&self, key: u32) -> usize {
        // Fibonacci hashing: the top bits of the product.
        let mut slot = (key.wrapping_mul(0x9E37_79B1) >> (32 - SLOTS.trailing_zeros())) as usize;
        while self.keys[slot] != key && self.keys[slot] != 0 {
            slot = (slot + 1) % SLOTS;
        }
        slot
    }

    /// The palette index of each pixel of the row `src` (every colour of
    /// which is in the palette), into `dst`.
    fn index_row(&self, src: &[u8], dst: &mut [u8]) {
        let (mut last, mut index) = (0, 0);
        for (d, pixel) in dst.iter_mut().zip(src.chunks_exact(4)) {
            let key = u32::from_le_bytes(pixel.try_into().expect("four bytes"));
            if key != last {
                last = key;
                index = self.indices[self.slot(key)];
            }
            *d = index;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pixels of a PNG as the png crate decodes them (palettes expanded),
    /// with their colour type before expanding and the resolution it says.
    fn decode(png: &[u8]) -> (png::ColorType, Option<png::PixelDimensions>, Vec<u8>) {
        let mut decoder = png::Decoder::new(std::io::Cursor::new(png));
        decoder.set_transformations(png::Transformations::EXPAND);
        let mut reader = decoder.read_info().unwrap();
        let (color, dims) = (reader.info().color_type, reader.info().pixel_dims);
        let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
        let frame = reader.next_frame(&mut pixels).unwrap();
        pixels.truncate(frame.buffer_size());
        (color, dims, pixels)
    }

    /// A pixmap's pixels as a PNG of `color` holds them (straight colour).
    fn straight(pixmap: &tiny_skia::Pixmap, color: png::ColorType) -> Vec<u8> {
        let rgb = matches!(color, png::ColorType::Rgb | png::ColorType::Indexed);
        let mut out = Vec::new();
        for p in pixmap.pixels() {
            let c = p.demultiply();
            out.extend_from_slice(&[c.red(), c.green(), c.blue()]);
            if !rgb {
                out.push(c.alpha());
            }
        }
        out
    }

    /// `colours` colours in stripes across a picture, with a gradient-like
    /// band below when `many`.
    fn striped(colours: u32, alpha: u8) -> tiny_skia::Pixmap {
        let mut pixmap = tiny_skia::Pixmap::new(67, 41).unwrap();
        for (i, p) in pixmap.pixels_mut().iter_mut().enumerate() {
            let n = (i as u32 / 5) % colours;
            let (r, g, b) = ((n * 37 % 256) as u8, (n * 11 % 256) as u8, (n / 256) as u8);
            let c = tiny_skia::ColorU8::from_rgba(r, g, b, alpha).premultiply();
            *p = c;
        }
        pixmap
    }

    #[test]
    fn a_png_decodes_to_the_pixels_drawn_with_a_palette_only_up_to_256_colours() {
        for (colours, alpha, want) in [
            (1, 255, png::ColorType::Indexed),
            (256, 255, png::ColorType::Indexed),
            (257, 255, png::ColorType::Rgb),
            (600, 255, png::ColorType::Rgb),
            (3, 128, png::ColorType::Rgba),
        ] {
            let pixmap = striped(colours, alpha);
            for optimize in [false, true] {
                let (color, _, pixels) = decode(&encode_png(&pixmap, None, optimize));
                assert_eq!(color, want, "{colours} colours, alpha {alpha}, optimize {optimize}");
                assert!(pixels == straight(&pixmap, color), "{colours} colours, alpha {alpha}, optimize {optimize}");
            }
        }
    }

    #[test]
    fn every_themes_card_thumbnail_and_link_preview_decode_to_the_pixels_drawn() {
        let root = tempfile::tempdir().unwrap();
        let rich = crate::markup::render("Made with *love* 🍫 by **Bev**.", false).unwrap().rich;
        for name in crate::theme::built_in_names() {
            let theme = crate::theme::load(root.path(), name).unwrap();
            let size = crate::size::CardSize::named("a7", 150).unwrap();
            let card = crate::render::tests::thank_you_card(&theme, size, &rich, &crate::seal::SealSpec::default());
            let tree = crate::render::parse(&theme, &card.full).unwrap();
            let cache = crate::render::BaseCache::default();
            let draw = |width| crate::render::rasterize_layered(&cache, &theme, &card, &tree, width).unwrap();
            let (card, thumb) = (draw(size.width), draw(120));
            let share = crate::render::share_picture(&theme, &thumb).unwrap();
            for (what, pixmap) in [("card", card), ("thumbnail", thumb), ("link preview", share)] {
                for optimize in [false, true] {
                    let (color, _, pixels) = decode(&encode_png(&pixmap, Some(150), optimize));
                    let want =
                        if palette_size(&pixmap).is_some() { png::ColorType::Indexed } else { png::ColorType::Rgb };
                    assert_eq!(color, want, "{name} {what}");
                    assert!(pixels == straight(&pixmap, color), "{name} {what}, optimize {optimize}");
                }
            }
        }
    }

    #[test]
    fn a_png_says_its_resolution_when_it_has_one() {
        let pixmap = striped(2, 255);
        let (_, dims, _) = decode(&encode_png(&pixmap, Some(300), false));
        let dims = dims.unwrap();
        assert_eq!((dims.xppu, dims.yppu, dims.unit), (11_811, 11_811, png::Unit::Meter));
        assert!(decode(&encode_png(&pixmap, None, false)).1.is_none());
    }
}
