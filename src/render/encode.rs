//! Pixels encoded as PNG, the last step of every card picture: a palette
//! PNG when the picture has at most 256 colours (the same pixels, in a
//! fraction of the bytes), else RGB rows (RGBA when the picture has
//! transparency) converted, filtered and compressed a row at a time as they
//! are read from the pixmap, never copied whole. The pieces of a card's rows
//! that are its base's are compressed once for all the cards drawn over
//! that base (see [`Under`]). Nothing here draws.

use std::sync::{Arc, Mutex, OnceLock};

use super::deflate::{Pieces, Stream};

/// The most colours a palette PNG holds.
const MAX_COLOURS: usize = 256;

/// Encodes a pixmap as PNG: fast (fdeflate over `Up`-filtered rows) by
/// default, or the smallest files with `optimize` (see BENCHMARKS.md). With
/// `dpi`, the PNG says its resolution (a `pHYs` chunk), which print shops
/// read; without, it has none (a picture for screens).
pub fn encode_png(pixmap: &tiny_skia::Pixmap, dpi: Option<u32>, optimize: bool) -> Vec<u8> {
    encode_png_over(pixmap, None, dpi, optimize)
}

/// Encodes a pixmap drawn over `under` as [`encode_png`] does, into the
/// same bytes: the pieces of rows it shares with `under` are put in as
/// compressed for the pictures before it.
pub fn encode_png_over(pixmap: &tiny_skia::Pixmap, under: Option<&Under>, dpi: Option<u32>, optimize: bool) -> Vec<u8> {
    // A card covers its whole canvas: without transparency it is stored as
    // RGB, a quarter less to filter and compress (and premultiplied equals
    // straight colour, so nothing to undo).
    let opaque = opaque(pixmap);
    let palette = if opaque { Palette::of(pixmap) } else { None };
    let rows = match &palette {
        Some(palette) => Rows::Indexed(palette),
        None if opaque => Rows::Rgb,
        None => Rows::Rgba,
    };
    match optimize {
        false => png_file((pixmap.width(), pixmap.height()), &rows, dpi, deflate_fast(pixmap, &rows, under)),
        true => png_smallest(pixmap, &rows, dpi),
    }
}

/// A PNG `size` pixels of `rows`, its pixels compressed in `zlib`.
fn png_file((width, height): (u32, u32), rows: &Rows, dpi: Option<u32>, zlib: Vec<u8>) -> Vec<u8> {
    // The compressed pixels and a few chunks: written once, not grown.
    let mut out = Vec::with_capacity(zlib.len() + 1024);
    let mut writer =
        png_encoder(&mut out, (width, height), rows, dpi).write_header().expect("PNG header of a valid pixmap");
    // A chunk holds at most 2^31 - 1 bytes.
    for chunk in zlib.chunks(1 << 30) {
        writer.write_chunk(png::chunk::IDAT, chunk).expect("PNG data into memory");
    }
    writer.finish().expect("PNG end");
    out
}

/// The smallest PNG of `pixmap`'s `rows` (slow: for publishing).
fn png_smallest(pixmap: &tiny_skia::Pixmap, rows: &Rows, dpi: Option<u32>) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png_encoder(&mut out, (pixmap.width(), pixmap.height()), rows, dpi);
    encoder.set_compression(png::Compression::High);
    encoder.set_filter(png::Filter::Adaptive);
    // One buffer of converted rows is the least of its costs.
    let row_len = rows.row_len(pixmap.width());
    let mut raw = vec![0; row_len * pixmap.height() as usize];
    for (src, dst) in pixmap.data().chunks_exact(pixmap.width() as usize * 4).zip(raw.chunks_exact_mut(row_len)) {
        rows.convert(src, dst);
    }
    let mut writer = encoder.write_header().expect("PNG header of a valid pixmap");
    writer.write_image_data(&raw).expect("PNG data into memory");
    writer.finish().expect("PNG end");
    out
}

/// A PNG encoder of a picture `size` pixels of `rows`, saying its `dpi`
/// when given (a `pHYs` chunk, which print shops read).
fn png_encoder<'w>(
    out: &'w mut Vec<u8>,
    (width, height): (u32, u32),
    rows: &Rows,
    dpi: Option<u32>,
) -> png::Encoder<'w, &'w mut Vec<u8>> {
    let mut encoder = png::Encoder::new(out, width, height);
    encoder.set_color(rows.color_type());
    encoder.set_depth(png::BitDepth::Eight);
    if let Rows::Indexed(palette) = rows {
        encoder.set_palette(palette.colours.as_flattened().to_vec());
    }
    if let Some(dpi) = dpi {
        let ppm = (f64::from(dpi) / 0.0254).round() as u32;
        encoder.set_pixel_dims(Some(png::PixelDimensions { xppu: ppm, yppu: ppm, unit: png::Unit::Meter }));
    }
    encoder
}

/// Whether every pixel of `pixmap` is opaque: its alphas ANDed 64 at a
/// time, which vectorises (a test of each pixel's alpha in turn, stopping
/// at the first, took 6 % of a build).
pub(super) fn opaque(pixmap: &tiny_skia::Pixmap) -> bool {
    let alpha = |block: &[tiny_skia::PremultipliedColorU8]| block.iter().fold(u8::MAX, |all, p| all & p.alpha());
    pixmap.pixels().chunks(64).all(|block| alpha(block) == u8::MAX)
}

/// A row is compressed in pieces of this many pixels: the parts of a card
/// that are its base's (a text line leaves most of its row's pieces as
/// they were) are put in as the base keeps them compressed.
const PIECE: usize = 128;

/// The zlib stream of the picture's rows, each converted and `Up`-filtered
/// as it is read from the pixmap, compressed a piece at a time as fdeflate
/// does (what the png crate's `Compression::Fast` uses, without its
/// copies). A piece that is `under`'s, below a piece that is too, filters
/// to `under`'s filtered piece (the `Up` filter looks at the same columns
/// of the row above): it is put in as `under` keeps it compressed.
fn deflate_fast(pixmap: &tiny_skia::Pixmap, rows: &Rows, under: Option<&Under>) -> Vec<u8> {
    let mut deflater = Deflater::new(rows, under, (pixmap.width(), pixmap.height()));
    let pixels: Vec<&[u8]> = pixmap.data().chunks_exact(pixmap.width() as usize * 4).collect();
    for (y, src) in pixels.iter().enumerate() {
        deflater.row(src, pixels[y.saturating_sub(1)], false);
    }
    deflater.finish()
}

/// A picture's rows compressed as [`deflate_fast`] does, a row at a time.
struct Deflater<'a> {
    rows: &'a Rows<'a>,
    /// What the picture is drawn over, when its pieces can be put in.
    under: Option<&'a Under>,
    stream: Stream,
    width: usize,
    /// The next row.
    y: usize,
    /// Which pieces of the row, and of the row above, are `under`'s.
    shared: Vec<bool>,
    shared_above: Vec<bool>,
    /// The row above and this one converted, this one filtered.
    prev: Vec<u8>,
    cur: Vec<u8>,
    filtered: Vec<u8>,
    /// Which pieces of `prev` hold the row above converted (a piece is
    /// converted only when it is compressed, or below one that is), and of
    /// `cur`.
    prev_converted: Vec<bool>,
    cur_converted: Vec<bool>,
}

impl<'a> Deflater<'a> {
    /// For a picture `size` pixels of `rows`, drawn over `under`.
    fn new(rows: &'a Rows<'a>, under: Option<&'a Under>, (width, height): (u32, u32)) -> Deflater<'a> {
        let row_len = rows.row_len(width);
        // Only RGB rows are kept compressed, of a picture of `under`'s size.
        let size = |p: &tiny_skia::Pixmap| (p.width(), p.height());
        let under = under.filter(|under| matches!(rows, Rows::Rgb) && size(&under.pixmap) == (width, height));
        let pieces = (width as usize).div_ceil(PIECE);
        Deflater {
            rows,
            under,
            // Fast deflate makes files of about a fifth of the raw pixels.
            stream: Stream::new(row_len * height as usize / 4),
            width: width as usize,
            y: 0,
            // Row -1 is zeros, in both.
            shared: vec![false; pieces],
            shared_above: vec![true; pieces],
            prev: vec![0; row_len],
            cur: vec![0; row_len],
            filtered: vec![0; row_len],
            prev_converted: vec![true; pieces],
            cur_converted: vec![false; pieces],
        }
    }

    /// Piece `n` of a row of `len` bytes a pixel.
    fn piece(&self, n: usize, len: usize) -> std::ops::Range<usize> {
        n * PIECE * len..((n + 1) * PIECE * len).min(self.width * len)
    }

    /// Compresses the next row, `src` (premultiplied RGBA), `above` being
    /// the row before it (any row for the first); `as_under` when it is
    /// known to be `under`'s row (nothing was drawn on it).
    fn row(&mut self, src: &[u8], above: &[u8], as_under: bool) {
        let y = self.y;
        self.y += 1;
        if let Some(under) = self.under {
            let base = under.row(y);
            for n in 0..self.shared.len() {
                let piece = self.piece(n, 4);
                self.shared[n] = as_under || src[piece.clone()] == base[piece];
            }
        }
        // The `Up` filter type, then the pieces.
        self.stream.write(&[2]);
        let bytes = self.rows.row_len(self.width as u32) / self.width.max(1);
        for n in 0..self.shared.len() {
            self.cur_converted[n] = !(self.shared[n] && self.shared_above[n]);
            if let Some(under) = self.under.filter(|_| !self.cur_converted[n]) {
                self.stream.put(under.pieces(y), n);
                continue;
            }
            let (rgba, rgb) = (self.piece(n, 4), self.piece(n, bytes));
            if !self.prev_converted[n] {
                self.rows.convert(&above[rgba.clone()], &mut self.prev[rgb.clone()]);
            }
            self.rows.convert(&src[rgba], &mut self.cur[rgb.clone()]);
            up_filter(&self.cur[rgb.clone()], &self.prev[rgb.clone()], &mut self.filtered[rgb.clone()]);
            self.stream.write(&self.filtered[rgb]);
        }
        std::mem::swap(&mut self.prev, &mut self.cur);
        std::mem::swap(&mut self.prev_converted, &mut self.cur_converted);
        std::mem::swap(&mut self.shared, &mut self.shared_above);
    }

    /// The zlib stream, every row compressed.
    fn finish(self) -> Vec<u8> {
        self.stream.finish()
    }
}

/// An opaque picture drawn over `under` (a card over its base), encoded as
/// [`encode_png_over`] does a row at a time as it is drawn: into the same
/// bytes, when it has more than 256 colours and is opaque (what the rows
/// are checked for as they come).
pub struct RowEncoder<'a> {
    deflater: Deflater<'a>,
    size: (u32, u32),
    dpi: Option<u32>,
    /// The colours seen, until there are more than a palette holds.
    colours: Option<Palette>,
    /// Whether every row given was opaque (as the caller says).
    opaque: bool,
}

impl<'a> RowEncoder<'a> {
    /// For a picture of `under`'s size, drawn over it.
    pub fn new(under: &'a Under, dpi: Option<u32>) -> RowEncoder<'a> {
        let size = (under.pixmap.width(), under.pixmap.height());
        RowEncoder {
            deflater: Deflater::new(&Rows::Rgb, Some(under), size),
            size,
            dpi,
            colours: Some(Palette::empty()),
            opaque: true,
        }
    }

    /// Says that rows given were not all opaque: the picture is not one
    /// this encodes (see [`opaque`], which rows drawn are checked with).
    pub fn not_opaque(&mut self) {
        self.opaque = false;
    }

    /// The next row, `src` (premultiplied RGBA), `above` being the row
    /// before it; `as_under` when nothing was drawn on it.
    pub fn row(&mut self, src: &[u8], above: &[u8], as_under: bool) {
        if let Some(palette) = &mut self.colours {
            if !src.chunks_exact(4).all(|pixel| palette.add(pixel)) {
                self.colours = None;
            }
        }
        self.deflater.row(src, above, as_under);
    }

    /// The PNG, every row given; `None` when the picture is not what this
    /// encodes (it has transparency, or at most 256 colours).
    pub fn finish(self) -> Option<Vec<u8>> {
        (self.opaque && self.colours.is_none())
            .then(|| png_file(self.size, &Rows::Rgb, self.dpi, self.deflater.finish()))
    }
}

/// A card's pixels, drawn: over a base kept for other cards (its rows
/// compressed once for them all, see [`Under`]), or not.
pub struct CardPixels {
    /// The card.
    pub pixmap: tiny_skia::Pixmap,
    /// What it was drawn over, when that is kept.
    pub under: Option<Arc<Under>>,
}

/// PNG's `Up` filter: each byte of `row` less the one above it, into `out`.
fn up_filter(row: &[u8], above: &[u8], out: &mut [u8]) {
    for ((f, c), p) in out.iter_mut().zip(row).zip(above) {
        *f = c.wrapping_sub(*p);
    }
}

/// A picture's size and an [`Under`] made that small from it.
type Smaller = ((u32, u32), Arc<Under>);

/// A picture others are drawn over (a card's base), with its rows' pieces
/// compressed (as RGB, `Up`-filtered) when a picture drawn over it first
/// shares one of them.
pub struct Under {
    pixmap: tiny_skia::Pixmap,
    rows: Vec<OnceLock<Pieces>>,
    /// It made smaller (for the thumbnails of the cards over it), by size.
    smaller: Mutex<Vec<Smaller>>,
    /// Whether every pixel of it is opaque, once asked.
    opaque: OnceLock<bool>,
}

impl Under {
    /// `pixmap`, no row compressed yet.
    pub fn new(pixmap: tiny_skia::Pixmap) -> Under {
        let rows = (0..pixmap.height()).map(|_| OnceLock::new()).collect();
        Under { pixmap, rows, smaller: Mutex::default(), opaque: OnceLock::new() }
    }

    /// It made `size` by `shrink`, once: what the cards over it are made
    /// that small over.
    pub fn shrunk(&self, size: (u32, u32), shrink: impl FnOnce(&tiny_skia::Pixmap) -> tiny_skia::Pixmap) -> Arc<Under> {
        let mut smaller = self.smaller.lock().expect("no panics while holding the lock");
        if let Some((_, under)) = smaller.iter().find(|(at, _)| *at == size) {
            return under.clone();
        }
        let under = Arc::new(Under::new(shrink(&self.pixmap)));
        smaller.push((size, under.clone()));
        under
    }

    /// Whether every pixel of it is opaque.
    pub fn is_opaque(&self) -> bool {
        *self.opaque.get_or_init(|| opaque(&self.pixmap))
    }

    /// Its pixels.
    pub fn pixmap(&self) -> &tiny_skia::Pixmap {
        &self.pixmap
    }

    /// About the bytes it holds once its rows are compressed (a fast PNG
    /// is about a fifth of its RGBA pixels or less).
    pub fn bytes(&self) -> u64 {
        let smaller = self.smaller.lock().expect("no panics while holding the lock");
        Self::weight_of(self.pixmap.width(), self.pixmap.height())
            + smaller.iter().map(|(_, under)| under.bytes()).sum::<u64>()
    }

    /// About the bytes one `width` x `height` holds (see [`Under::bytes`]).
    pub fn weight_of(width: u32, height: u32) -> u64 {
        u64::from(width) * u64::from(height) * 4 * 6 / 5
    }

    /// Row `y`'s premultiplied RGBA bytes.
    pub(super) fn row(&self, y: usize) -> &[u8] {
        let stride = self.pixmap.width() as usize * 4;
        &self.pixmap.data()[y * stride..(y + 1) * stride]
    }

    /// Row `y`'s pieces, `Up`-filtered RGB, compressed.
    fn pieces(&self, y: usize) -> &Pieces {
        self.rows[y].get_or_init(|| {
            let width = self.pixmap.width() as usize;
            let (mut above, mut row) = (vec![0; width * 3], vec![0; width * 3]);
            if y > 0 {
                Rows::Rgb.convert(self.row(y - 1), &mut above);
            }
            Rows::Rgb.convert(self.row(y), &mut row);
            let mut filtered = vec![0; width * 3];
            up_filter(&row, &above, &mut filtered);
            let mut pieces = Pieces::default();
            for chunk in filtered.chunks(PIECE * 3) {
                pieces.push(chunk);
            }
            pieces
        })
    }
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
        let mut palette = Palette::empty();
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
            if !palette.add(pixel) {
                return None;
            }
        }
        Some(palette)
    }

    /// No colours yet.
    fn empty() -> Palette {
        Palette { colours: Vec::new(), keys: [0; SLOTS], indices: [0; SLOTS] }
    }

    /// Counts the colour of `pixel` (opaque RGBA); false, counting nothing,
    /// when it would be the 257th.
    fn add(&mut self, pixel: &[u8]) -> bool {
        let key = u32::from_le_bytes(pixel.try_into().expect("four bytes"));
        let slot = self.slot(key);
        if self.keys[slot] == 0 {
            if self.colours.len() == MAX_COLOURS {
                return false;
            }
            self.keys[slot] = key;
            self.indices[slot] = self.colours.len() as u8;
            self.colours.push([pixel[0], pixel[1], pixel[2]]);
        }
        true
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

    /// A noisy opaque picture (thousands of colours) three pieces wide, `seed` choosing it.
    fn noise(seed: u32) -> tiny_skia::Pixmap {
        let mut pixmap = tiny_skia::Pixmap::new(2 * PIECE as u32 + 44, 60).unwrap();
        for (i, p) in pixmap.pixels_mut().iter_mut().enumerate() {
            let n = (i as u32 ^ seed).wrapping_mul(0x9E37_79B1) >> 8;
            *p = tiny_skia::PremultipliedColorU8::from_rgba(n as u8, (n >> 8) as u8, (n >> 16) as u8, 255).unwrap();
        }
        pixmap
    }

    /// Rows of `under` whose pieces have been compressed and kept.
    fn kept(under: &Under) -> Vec<usize> {
        (0..under.rows.len()).filter(|&y| under.rows[y].get().is_some()).collect()
    }

    /// `under`'s picture with the pixels `columns` wide of `rows` white.
    fn inked(under: &Under, rows: std::ops::Range<usize>, columns: usize) -> tiny_skia::Pixmap {
        let mut pixmap = under.pixmap().clone();
        let stride = pixmap.width() as usize * 4;
        for y in rows {
            pixmap.data_mut()[y * stride..y * stride + columns * 4].fill(255);
        }
        pixmap
    }

    #[test]
    fn a_picture_is_opaque_until_one_pixel_is_not_wherever_it_is() {
        // 70 x 3: whole blocks of 64 pixels and a remainder.
        let mut pixmap = tiny_skia::Pixmap::new(70, 3).unwrap();
        pixmap.fill(tiny_skia::Color::from_rgba8(10, 200, 30, 255));
        assert!(opaque(&pixmap));
        for at in [0, 63, 64, 150, 209] {
            let mut one = pixmap.clone();
            one.pixels_mut()[at] = tiny_skia::ColorU8::from_rgba(10, 200, 30, 254).premultiply();
            assert!(!opaque(&one), "pixel {at}");
        }
    }

    #[test]
    fn pictures_drawn_over_a_base_are_the_bytes_they_would_be_and_share_its_unchanged_pieces() {
        let all: Vec<usize> = (0..60).collect();
        let full = 2 * PIECE + 44;
        // A card inked right across rows 12-30 shares none of their pieces,
        // nor row 31's (filtered against row 30); one inked in its first
        // piece of rows 40-44 shares the other pieces of those rows.
        for (ink, columns, shared) in [(12..31, full, [0..12, 32..60]), (40..45, 10, [0..40, 40..60])] {
            let under = Under::new(noise(0));
            let card = inked(&under, ink, columns);
            let over = encode_png_over(&card, Some(&under), Some(300), false);
            assert!(over == encode_png(&card, Some(300), false));
            let (_, _, pixels) = decode(&over);
            assert!(pixels == straight(&card, png::ColorType::Rgb));
            let rows: Vec<usize> = shared.into_iter().flatten().collect();
            assert_eq!(kept(&under), rows);
            // Once kept, the same bytes again; the base itself shares every piece.
            assert!(encode_png_over(&card, Some(&under), Some(300), false) == over);
            let base = under.pixmap().clone();
            assert!(encode_png_over(&base, Some(&under), None, false) == encode_png(&base, None, false));
            assert_eq!(kept(&under), all);
        }
        // A picture of another size, or of a few colours, uses none and keeps none.
        let other = Under::new(noise(1));
        let small = tiny_skia::Pixmap::new(10, 10).unwrap();
        assert!(encode_png_over(&small, Some(&other), None, false) == encode_png(&small, None, false));
        let flat = striped(3, 255);
        assert!(encode_png_over(&flat, Some(&other), None, false) == encode_png(&flat, None, false));
        assert!(kept(&other).is_empty());
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
            // Each twice: the second over the base's rows the first kept.
            let [card, _, thumb, _] = [size.width, size.width, 120, 120].map(draw);
            let view = crate::render::ShareView { body: 20.0, column: (40.0, 400.0), top: 50.0 };
            let place = view.place((card.pixmap.width(), card.pixmap.height()));
            let part = crate::render::shrink_part(&card.pixmap, place.shown, place.visible());
            let share = crate::render::share_picture(&theme, &place, &part).unwrap();
            for (what, drawn) in [("card", card), ("thumbnail", thumb), ("link preview", share)] {
                let pixmap = &drawn.pixmap;
                for optimize in [false, true] {
                    let png = encode_png_over(pixmap, drawn.under.as_deref(), Some(150), optimize);
                    assert!(png == encode_png(pixmap, Some(150), optimize), "{name} {what}, optimize {optimize}");
                    let (color, _, pixels) = decode(&png);
                    let want =
                        if palette_size(pixmap).is_some() { png::ColorType::Indexed } else { png::ColorType::Rgb };
                    assert_eq!(color, want, "{name} {what}");
                    assert!(pixels == straight(pixmap, color), "{name} {what}, optimize {optimize}");
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
