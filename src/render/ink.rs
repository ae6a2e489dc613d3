//! What a card's top layers (its text, seal and QR code) put on its base,
//! set once, in the order they draw it, and drawn onto any band of the
//! card's rows: the whole card (a band from its first row to its last), or
//! a band at a time, encoded and made smaller as it is drawn (see
//! [`super::bands`]), so that no copy of the whole card is held.

use std::borrow::Cow;
use std::sync::Arc;

use resvg::usvg;

use super::glyphs::Picture;
use super::layers::Drawn;

/// One thing a top layer draws.
enum Mark<'a> {
    /// A glyph's picture with its pen in a pixel, in a colour.
    Glyph(Arc<Picture>, i32, i32, tiny_skia::PremultipliedColorU8),
    /// A path in the card's pixels (put through its transform as
    /// tiny-skia does before it fills) filled in one colour (straight
    /// RGBA), anti-aliased, as resvg fills a text's.
    Fill(tiny_skia::Path, [u8; 4]),
    /// A node as resvg draws it.
    Node(&'a usvg::Node),
    /// A layer drawn before (a seal), put over.
    Over(Drawn),
}

/// The marks of a card's top layers at `scale` (the card's units to its
/// pixels).
pub struct Ink<'a> {
    scale: f32,
    /// Each mark and the rows of the card it may draw on (see [`Ink::reach`]).
    marks: Vec<(Mark<'a>, (i32, i32))>,
}

impl<'a> Ink<'a> {
    /// No marks yet.
    pub fn new(scale: f32) -> Ink<'a> {
        Ink { scale, marks: Vec::new() }
    }

    pub(super) fn scale(&self) -> f32 {
        self.scale
    }

    pub(super) fn glyph(&mut self, picture: Arc<Picture>, x: i32, y: i32, color: tiny_skia::PremultipliedColorU8) {
        self.push(Mark::Glyph(picture, x, y, color));
    }

    pub(super) fn fill(&mut self, path: Cow<'a, tiny_skia::Path>, color: [u8; 4], transform: tiny_skia::Transform) {
        // A path tiny-skia cannot put through its transform draws nothing.
        if let Some(path) = path.into_owned().transform(transform) {
            self.push(Mark::Fill(path, color));
        }
    }

    pub(super) fn node(&mut self, node: &'a usvg::Node) {
        self.push(Mark::Node(node));
    }

    pub(super) fn over(&mut self, layer: Drawn) {
        self.push(Mark::Over(layer));
    }

    fn push(&mut self, mark: Mark<'a>) {
        let rows = self.reach(&mark);
        self.marks.push((mark, rows));
    }

    /// Draws every mark on `pixmap`, whose first row is the card's row
    /// `top`: the pixels drawing the whole card makes in those rows, to the
    /// bit, when `top` is 0 or no mark is a node resvg draws, and no filled
    /// path or node crosses the pixmap's first or last row. A path is
    /// moved up by whole rows after its transform (exactly, its points are
    /// on a coarser grid than the move needs); resvg puts a node's own
    /// transform after the move, where a coordinate may round differently
    /// and an edge pixel come out a level apart.
    pub fn draw(&self, pixmap: &mut tiny_skia::Pixmap, top: i32) {
        let rows = top..top + pixmap.height() as i32;
        for (mark, (from, to)) in &self.marks {
            if *to <= rows.start || *from >= rows.end {
                continue;
            }
            match mark {
                Mark::Glyph(picture, x, y, color) => super::glyphs::blit(picture, *x, y - top, *color, pixmap),
                Mark::Fill(path, color) => {
                    let identity = tiny_skia::Transform::identity();
                    match top {
                        0 => super::glyphs::fill_solid(path, *color, identity, pixmap),
                        _ => {
                            let up = tiny_skia::Transform::from_translate(0.0, -top as f32);
                            if let Some(path) = path.clone().transform(up) {
                                super::glyphs::fill_solid(&path, *color, identity, pixmap);
                            }
                        }
                    }
                }
                Mark::Node(node) => super::layers::draw_node(node, self.scale, top, pixmap),
                Mark::Over(layer) => {
                    let (picture, x, y) = layer.as_ref();
                    super::raster::draw_over(picture, pixmap, i64::from(*x), i64::from(y - top));
                }
            }
        }
    }

    /// The rows of the card that `mark` may draw on, from the first to past
    /// the last (a path's and a node's with a pixel to spare for their
    /// anti-aliased edges).
    fn reach(&self, mark: &Mark) -> (i32, i32) {
        let spread = |top: f32, bottom: f32| (top.floor() as i32 - 1, bottom.ceil() as i32 + 1);
        match mark {
            Mark::Glyph(picture, _, y, _) => picture.rows(*y),
            Mark::Fill(path, _) => spread(path.bounds().top(), path.bounds().bottom()),
            Mark::Node(node) => match node.abs_layer_bounding_box() {
                Some(bbox) => spread(bbox.top() * self.scale, bbox.bottom() * self.scale),
                None => (0, 0),
            },
            Mark::Over(layer) => (layer.2, layer.2 + layer.0.height() as i32),
        }
    }

    /// The rows each mark may draw on.
    pub fn rows(&self) -> impl Iterator<Item = (i32, i32)> + '_ {
        self.marks.iter().map(|(_, rows)| *rows)
    }

    /// The rows within which each filled path or node lies (a glyph
    /// picture or a layer puts the same pixels on any band): a band should
    /// not cut one, where tiny-skia would clip its edges (see [`Ink::draw`]).
    pub fn filled_rows(&self) -> impl Iterator<Item = (i32, i32)> + '_ {
        self.marks.iter().filter(|(mark, _)| matches!(mark, Mark::Fill(..) | Mark::Node(_))).map(|(_, rows)| *rows)
    }
}
