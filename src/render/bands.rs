//! A card drawn over its kept base a band of rows at a time, each row
//! compressed into its PNG and added to its thumbnail as soon as it is
//! drawn: no copy of the whole card is made or held (a 5x7 card is 12 MB of
//! pixels, and each thread drew one), the rows the top layers leave alone
//! are read from the base as they are (neither copied nor compared), and a
//! band is drawn, encoded and averaged while it is in the processor's cache.

use std::sync::Arc;

use super::encode::{CardPixels, RowEncoder, Under};
use super::ink::Ink;
use super::small::{shrunk_under, small_height, Shrinker};

/// The rows a band holds, unless a filled path would be cut (see
/// [`Ink::draw`]): 64 rows of an A6 card at 300 dpi are 317 KB.
const BAND: usize = 64;

/// A card drawn over `under` as `ink` says: its PNG (the bytes
/// [`super::encode_png_over`] makes of the card drawn whole, saying `dpi`)
/// and, with `thumb`, its thumbnail that many pixels wide (the pixels
/// [`super::shrink_card`] makes; a node resvg draws may put an edge
/// pixel a level apart, see [`Ink::draw`]). `None` when the card is not
/// one this encodes (one with transparency or at most 256 colours): draw
/// it whole.
pub fn draw_in_bands(
    under: &Arc<Under>,
    ink: &Ink,
    dpi: Option<u32>,
    thumb: Option<u32>,
) -> Option<(Vec<u8>, Option<CardPixels>)> {
    let base = under.pixmap();
    let (width, height) = (base.width(), base.height());
    let row_bytes = width as usize * 4;
    let marked = marked_rows(ink, height as usize);
    let mut encoder = RowEncoder::new(under, dpi);
    if !under.is_opaque() {
        encoder.not_opaque();
    }
    // The base made as small, once: what the thumbnail is encoded over,
    // and where a small row all of whose rows are the base's comes from.
    let small = thumb.map(|w| {
        let size = (w, small_height(width, height, w));
        (size, shrunk_under(under, size))
    });
    let mut shrinker =
        small.as_ref().map(|(size, base)| Shrinker::new((width, height), *size).over(&marked, base.clone()));
    let mut band: Vec<u8> = Vec::new();
    // The row before the next, when it was drawn in the band before.
    let mut drawn_above: Option<Vec<u8>> = None;
    let mut y = 0;
    while y < height as usize {
        if !marked[y] {
            // Nothing drawn on this row: the base's, as it is.
            let above = drawn_above.take();
            let above = above.as_deref().unwrap_or_else(|| under.row(y.saturating_sub(1)));
            encoder.row(under.row(y), above, true);
            if let Some(shrinker) = &mut shrinker {
                shrinker.push(under.row(y));
            }
            y += 1;
            continue;
        }
        let end = band_end(ink, &marked, y);
        band.clear();
        band.extend_from_slice(&base.data()[y * row_bytes..end * row_bytes]);
        let size = tiny_skia::IntSize::from_wh(width, (end - y) as u32)?;
        let mut pixmap = tiny_skia::Pixmap::from_vec(std::mem::take(&mut band), size)?;
        ink.draw(&mut pixmap, y as i32);
        if !super::encode::opaque(&pixmap) {
            encoder.not_opaque();
        }
        let rows: Vec<&[u8]> = pixmap.data().chunks_exact(row_bytes).collect();
        for (i, row) in rows.iter().enumerate() {
            let above = match i {
                0 => drawn_above.as_deref().unwrap_or_else(|| under.row(y.saturating_sub(1))),
                _ => rows[i - 1],
            };
            encoder.row(row, above, false);
            if let Some(shrinker) = &mut shrinker {
                shrinker.push(row);
            }
        }
        drawn_above = rows.last().map(|row| row.to_vec());
        band = pixmap.take();
        y = end;
    }
    let png = encoder.finish()?;
    let thumb =
        shrinker.zip(small).map(|(shrinker, (_, base))| CardPixels { pixmap: shrinker.finish(), under: Some(base) });
    Some((png, thumb))
}

/// Which of the card's `height` rows a mark of `ink` may draw on.
fn marked_rows(ink: &Ink, height: usize) -> Vec<bool> {
    let mut marked = vec![false; height];
    for (from, to) in ink.rows() {
        let (from, to) = (from.clamp(0, height as i32) as usize, to.clamp(0, height as i32) as usize);
        marked[from..to].fill(true);
    }
    marked
}

/// Past the last row of the band that starts at marked row `start`: at
/// most [`BAND`] marked rows, more where a filled path would be cut.
fn band_end(ink: &Ink, marked: &[bool], start: usize) -> usize {
    let mut end = start;
    while end < marked.len() && marked[end] && end - start < BAND {
        end += 1;
    }
    // A filled path across the band's end: the band goes on past it.
    loop {
        let at = end as i32;
        let across = ink.filled_rows().filter(|&(from, to)| from < at && to > at);
        match across.map(|(_, to)| to).max() {
            Some(to) if end < marked.len() => end = (to as usize).min(marked.len()),
            _ => return end,
        }
    }
}
