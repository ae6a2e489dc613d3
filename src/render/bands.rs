//! A card drawn over its kept base a band of rows at a time, each row
//! compressed into its PNG as soon as it is drawn: the rows the top layers
//! leave alone are read from the base as they are (neither copied nor
//! compared, their compressed pieces the base's), and a band is drawn and
//! encoded while it is in the processor's cache. The card's pixels are
//! gathered whole only when its smaller pictures are made from them (the
//! thumbnail and the pictures for the pages, up to 1080 pixels wide: see
//! [`draw_in_bands`]).

use std::sync::Arc;

use super::encode::{RowEncoder, Under};
use super::ink::Ink;

/// The rows a band holds, unless a filled path would be cut (see
/// [`Ink::draw`]): 64 rows of an A6 card at 300 dpi are 317 KB.
const BAND: usize = 64;

/// A card drawn over `under` as `ink` says: its PNG (the bytes
/// [`super::encode_png_over`] makes of the card drawn whole, saying `dpi`)
/// and, with `keep`, its pixels (a node resvg draws may put an edge pixel a
/// level apart from the card drawn whole, see [`Ink::draw`]), which its
/// smaller pictures are made from by [`super::shrink_card`] (gathered a
/// row at a time as they are encoded: 8.7 MB an A6 card, about what the
/// WebP encoder holds next). Made small a row at a time instead, never held
/// whole, as the thumbnail was, the three pictures for the pages (up to
/// 1080 pixels wide) cost about a second a card more in the unoptimised
/// build the tests run. `None` when the card is not one this encodes (one
/// with transparency or at most 256 colours): draw it whole.
pub fn draw_in_bands(
    under: &Arc<Under>,
    ink: &Ink,
    dpi: Option<u32>,
    keep: bool,
) -> Option<(Vec<u8>, Option<tiny_skia::Pixmap>)> {
    let base = under.pixmap();
    let (width, height) = (base.width(), base.height());
    let row_bytes = width as usize * 4;
    let marked = marked_rows(ink, height as usize);
    let mut encoder = RowEncoder::new(under, dpi);
    if !under.is_opaque() {
        encoder.not_opaque();
    }
    let mut card: Option<Vec<u8>> = keep.then(|| Vec::with_capacity(base.data().len()));
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
            if let Some(card) = &mut card {
                card.extend_from_slice(under.row(y));
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
            if let Some(card) = &mut card {
                card.extend_from_slice(row);
            }
        }
        drawn_above = rows.last().map(|row| row.to_vec());
        band = pixmap.take();
        y = end;
    }
    let png = encoder.finish()?;
    let card = match card {
        Some(card) => Some(tiny_skia::Pixmap::from_vec(card, tiny_skia::IntSize::from_wh(width, height)?)?),
        None => None,
    };
    Some((png, card))
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
