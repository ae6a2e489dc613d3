//! The card drawn in layers: the artwork under the text and seal (the
//! base) is drawn once per theme and width and kept between runs through a
//! [`LayerStore`] the build provides; the text and seal are drawn on a copy.

use std::sync::Arc;

use resvg::usvg;

use super::alone::{draw_alone, Parts};
use super::encode::{CardPixels, Under};
use super::glyphs::{ink_layer, ink_runs, GlyphCache};
use super::ink::Ink;
use super::qr::QR_ID;
use super::raster::rasterize;
use super::{parse, CardSvg, RenderError, SEAL_ID, TEXT_ID};
use crate::theme::Theme;

/// Where drawn layers are kept between runs (the build's output folder):
/// given by the build, so that drawing reads and writes no file itself.
pub trait LayerStore: Send + Sync {
    /// The kept layer `name`, to read, if there is one.
    fn open(&self, name: &str) -> Option<Box<dyn std::io::Read + '_>>;
    /// Keeps layer `name`: the bytes of `parts`, one after the other (a
    /// layer's pixels are not copied to be put after its header).
    fn keep(&self, name: &str, parts: &[&[u8]]) -> std::io::Result<()>;
    /// The names of the kept layers.
    fn names(&self) -> Vec<String>;
    /// Removes the kept layer `name`.
    fn remove(&self, name: &str) -> std::io::Result<()>;
}

/// How many bytes of drawn bases a build keeps in memory: one or two (an
/// A6 card's is 8.7 MB at 300 dpi, a 5x7's 12.6 MB). The build hands the
/// cards out grouped by theme and size, so a kept base serves a run of
/// cards; one that went is read back from the [`LayerStore`], which costs
/// about what copying it from memory does (the system keeps the file in
/// its page cache), so a larger bound buys little and costs memory.
pub const BASE_BYTES: u64 = 16 << 20;

/// How many bytes of drawn seals a build keeps in memory (an A6 card's
/// seal is about 0.5 MB); one that went is read back from the store. Two
/// cards rarely press the same seal (emblem, initials, wax and variant),
/// and a seal is used as soon as it is drawn: a larger bound, once the
/// cards of a variant came together and seals were used again, held 4 MB
/// more at the peak of a 10,000-card build for nothing measurable.
pub const SEAL_BYTES: u64 = 1 << 20;

/// How many bytes of seal parts (wax, shadows, grain; see [`Parts`]) a
/// build keeps in memory: the cards of one theme, size, seal variant and
/// wax colour come together (see `build::plan_cards`), sharing a wax, two
/// shadows and the grain, under 2 MB at 300 dpi (a 5x7 card's).
pub const PART_BYTES: u64 = 3 << 20;

/// A drawn layer: its pixels and where they go on the card (0, 0 for a
/// base); `None` for a seal that draws nothing.
pub type Layer = Option<Drawn>;

/// A layer's pixels and where they go on the card.
pub type Drawn = Arc<(tiny_skia::Pixmap, i32, i32)>;

/// Weighs a layer by its pixels (and what an entry costs besides).
#[derive(Clone)]
pub struct LayerBytes;

impl quick_cache::Weighter<String, Layer> for LayerBytes {
    fn weight(&self, _: &String, layer: &Layer) -> u64 {
        256 + layer.as_ref().map_or(0, |drawn| drawn.0.data().len() as u64)
    }
}

/// Layers kept within `bytes`, the least used going first (quick_cache's
/// S3-FIFO, 97 % of the room for layers used again: its default). One
/// shard, so that a layer as large as a third of the bound still fits.
pub fn layer_cache(bytes: u64) -> quick_cache::sync::Cache<String, Layer, LayerBytes> {
    kept_within(bytes, 0.97)
}

/// Seal parts kept within `bytes`, as [`layer_cache`] keeps layers but with
/// half the room for parts new and not yet used again: with quick_cache's
/// 3 %, once the cache was full a new part (half a megabyte) went as the
/// next came in, before the next card of its variant could use it, and
/// was drawn again for it.
pub fn part_cache(bytes: u64) -> quick_cache::sync::Cache<String, Layer, LayerBytes> {
    kept_within(bytes, 0.5)
}

/// One shard, at most `bytes`, `hot` of them for layers used again.
fn kept_within(bytes: u64, hot: f64) -> quick_cache::sync::Cache<String, Layer, LayerBytes> {
    let options = quick_cache::OptionsBuilder::new()
        .shards(1)
        .estimated_items_capacity(64)
        .weight_capacity(bytes)
        .hot_allocation(hot)
        .build()
        .expect("the options are valid");
    quick_cache::sync::Cache::with_options(options, LayerBytes, Default::default(), Default::default())
}

/// Bases kept in memory, the most recently used first, within a bound.
/// Cards come in runs of one theme and size, so the base a card was drawn
/// on serves the cards after it, and the newest base must stay when it
/// comes in over the one before. (quick_cache's S3-FIFO gives a new entry
/// 3 % of the room until it is used again, so an older base pushed a newer,
/// bigger one out, and the next cards read it back and compressed its rows
/// again.)
struct Recent {
    bytes: u64,
    bases: std::sync::Mutex<Vec<(String, Arc<Under>)>>,
    /// Held while a base is read or drawn, so that it is made once.
    making: std::sync::Mutex<()>,
}

impl Recent {
    fn new(bytes: u64) -> Recent {
        Recent { bytes, bases: std::sync::Mutex::default(), making: std::sync::Mutex::default() }
    }

    /// Base `name`, now the most recently used, if it is kept.
    fn get(&self, name: &str) -> Option<Arc<Under>> {
        let mut bases = self.bases.lock().expect("no panics while holding the lock");
        let at = bases.iter().position(|(kept, _)| kept == name)?;
        let base = bases.remove(at);
        let under = base.1.clone();
        bases.insert(0, base);
        Some(under)
    }

    /// Base `name`, kept, or made by `make` and kept (the least recently
    /// used going while the others pass the bound, never the newest).
    fn get_or_make<E>(&self, name: &str, make: impl FnOnce() -> Result<Under, E>) -> Result<Arc<Under>, E> {
        if let Some(under) = self.get(name) {
            return Ok(under);
        }
        let _making = self.making.lock().expect("no panics while holding the lock");
        if let Some(under) = self.get(name) {
            return Ok(under);
        }
        let under = Arc::new(make()?);
        let mut bases = self.bases.lock().expect("no panics while holding the lock");
        bases.insert(0, (name.to_string(), under.clone()));
        while bases.len() > 1 && weight(&bases) > self.bytes {
            bases.pop();
        }
        Ok(under)
    }

    /// Lets the least recently used bases go until one of `bytes` more
    /// fits the bound: before a base is drawn (drawing holds several
    /// copies of it for a while), not after.
    fn room(&self, bytes: u64) {
        let mut bases = self.bases.lock().expect("no panics while holding the lock");
        while !bases.is_empty() && weight(&bases) + bytes > self.bytes {
            bases.pop();
        }
    }

    /// The bytes kept.
    fn weight(&self) -> u64 {
        weight(&self.bases.lock().expect("no panics while holding the lock"))
    }
}

/// The bytes `bases` hold.
fn weight(bases: &[(String, Arc<Under>)]) -> u64 {
    bases.iter().map(|(_, base)| base.bytes()).sum()
}

/// Rendered card bases and seals, shared by every card (and thread) of a
/// build: the artwork under the text and seal is drawn once per distinct
/// base SVG and width, a seal once per variant and width; at most
/// [`BASE_BYTES`] and [`SEAL_BYTES`] of them are kept in memory, the rest
/// in the [`LayerStore`].
pub struct BaseCache {
    bases: Recent,
    seals: quick_cache::sync::Cache<String, Layer, LayerBytes>,
    /// Parts many seals share, drawn once.
    parts: Parts,
    /// Where drawn layers are kept between runs, once a build says.
    store: std::sync::Mutex<Option<Arc<dyn LayerStore>>>,
    /// Layer files this process drew or read.
    used: std::sync::Mutex<std::collections::HashSet<String>>,
    /// Bases a card read for itself (see [`BaseCache::base`]).
    read_once: std::sync::Mutex<std::collections::HashSet<String>>,
    /// How many seals this cache drew (not read or made from another).
    seals_drawn: std::sync::atomic::AtomicUsize,
}

impl Default for BaseCache {
    fn default() -> BaseCache {
        BaseCache::with_bytes(BASE_BYTES, SEAL_BYTES)
    }
}

impl BaseCache {
    /// A cache keeping at most `bases` bytes of bases and `seals` bytes of
    /// seals in memory.
    pub fn with_bytes(bases: u64, seals: u64) -> BaseCache {
        BaseCache {
            bases: Recent::new(bases),
            seals: layer_cache(seals),
            parts: part_cache(PART_BYTES),
            store: std::sync::Mutex::default(),
            used: std::sync::Mutex::default(),
            read_once: std::sync::Mutex::default(),
            seals_drawn: std::sync::atomic::AtomicUsize::default(),
        }
    }

    /// The bytes of the bases and seals kept in memory now.
    pub fn bytes(&self) -> u64 {
        self.bases.weight() + self.seals.weight() + self.parts.weight()
    }

    /// How many seals were drawn (not read back from the store).
    pub fn seals_drawn(&self) -> usize {
        self.seals_drawn.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Keeps drawn layers in `store`, and reads them from there.
    pub fn keep_in(&self, store: Arc<dyn LayerStore>) {
        *self.store.lock().expect("no panics while holding the lock") = Some(store);
    }

    /// Removes the kept layers this process did not use (after a build that
    /// drew every card, so none of them is needed).
    pub fn forget_unused(&self) -> std::io::Result<()> {
        let Some(store) = self.store.lock().expect("no panics while holding the lock").clone() else {
            return Ok(());
        };
        let used = self.used.lock().expect("no panics while holding the lock").clone();
        for name in store.names() {
            if !used.contains(&name) {
                store.remove(&name)?;
            }
        }
        Ok(())
    }

    /// A layer's file name: what it is drawn from (the theme's files, the
    /// SVG) and how wide.
    fn name(theme: &Theme, kind: &str, svg: &str, width: u32) -> String {
        let key = crate::hash::key(&[
            theme.picture_fingerprint.as_bytes(),
            kind.as_bytes(),
            svg.as_bytes(),
            &width.to_le_bytes(),
        ]);
        format!("{kind}-{key}.layer")
    }

    /// A kept layer, if there is one (and it decodes).
    fn read(&self, rel: &str) -> Option<(tiny_skia::Pixmap, i32, i32)> {
        let store = self.store.lock().expect("no panics while holding the lock").clone()?;
        let layer = decode_layer(store.open(rel)?)?;
        self.used.lock().expect("no panics while holding the lock").insert(rel.to_string());
        Some(layer)
    }

    /// Keeps a drawn layer for the next run. A failure only costs that run a redraw.
    fn keep(&self, rel: &str, pixmap: &tiny_skia::Pixmap, x: i32, y: i32) {
        let Some(store) = self.store.lock().expect("no panics while holding the lock").clone() else {
            return;
        };
        if store.keep(rel, &[&layer_header(pixmap, x, y), pixmap.data()]).is_ok() {
            self.used.lock().expect("no panics while holding the lock").insert(rel.to_string());
        }
    }

    /// The base `svg` drawn `width` pixels wide, to draw a card on: a copy
    /// of the one in memory (which is also given), read from the output's
    /// cache folder, or drawn now. A card that needs a base another thread
    /// is drawing waits for it.
    fn base(&self, theme: &Theme, svg: &str, width: u32) -> Result<Base, RenderError> {
        let name = Self::name(theme, "base", svg, width);
        if let Some(under) = self.bases.get(&name) {
            return Ok(Base::Kept(under));
        }
        // The first card to need a kept base reads it for itself, so a
        // build that draws one card (an edit) does not copy it again; the
        // second keeps it in memory for the cards after it.
        let first = self.read_once.lock().expect("no panics while holding the lock").insert(name.clone());
        if let Some((pixmap, _, _)) = first.then(|| self.read(&name)).flatten() {
            return Ok(Base::Own(pixmap));
        }
        let under = self.bases.get_or_make(&name, || {
            let pixmap = match self.read(&name) {
                Some((pixmap, _, _)) => pixmap,
                None => {
                    let tree = parse(theme, svg)?;
                    let height = (tree.size().height() * width as f32 / tree.size().width()).round();
                    self.bases.room(Under::weight_of(width, height as u32));
                    let pixmap = rasterize(&tree, width);
                    self.keep(&name, &pixmap, 0, 0);
                    pixmap
                }
            };
            Ok::<_, RenderError>(Under::new(pixmap))
        })?;
        Ok(Base::Kept(under))
    }

    /// The seal layer drawn from `svg` `width` pixels wide, from memory,
    /// from the output's cache folder, or drawn now by `draw` (with the
    /// parts seals share).
    fn seal(
        &self,
        theme: &Theme,
        svg: &str,
        width: u32,
        draw: impl FnOnce(&Parts) -> Result<Option<(tiny_skia::Pixmap, i32, i32)>, RenderError>,
    ) -> Result<Layer, RenderError> {
        let name = Self::name(theme, "seal", svg, width);
        self.seals.get_or_insert_with(&name, || {
            if let Some(layer) = self.read(&name) {
                return Ok(Some(Arc::new(layer)));
            }
            let drawn = draw(&self.parts)?;
            if let Some((pixmap, x, y)) = &drawn {
                self.seals_drawn.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                self.keep(&name, pixmap, *x, *y);
            }
            Ok(drawn.map(Arc::new))
        })
    }
}

/// The first bytes of a kept layer file.
const LAYER_MAGIC: &[u8; 16] = b"waxseal layer 1\n";

/// The header of a drawn layer kept as its premultiplied pixels as they are
/// (only waxseal reads it back): its size and its place on the card.
/// Uncompressed: reading it back is a copy, where decoding a PNG of it took
/// longer than drawing the one card a rebuild after an edit draws.
fn layer_header(pixmap: &tiny_skia::Pixmap, x: i32, y: i32) -> Vec<u8> {
    let mut out = Vec::with_capacity(LAYER_MAGIC.len() + 16);
    out.extend_from_slice(LAYER_MAGIC);
    for n in [pixmap.width() as i32, pixmap.height() as i32, x, y] {
        out.extend_from_slice(&n.to_le_bytes());
    }
    out
}

fn decode_layer(mut input: impl std::io::Read) -> Option<(tiny_skia::Pixmap, i32, i32)> {
    let mut header = [0; LAYER_MAGIC.len() + 16];
    input.read_exact(&mut header).ok()?;
    let (magic, numbers) = header.split_at(LAYER_MAGIC.len());
    if magic != LAYER_MAGIC {
        return None;
    }
    let [width, height, x, y] =
        [0, 1, 2, 3].map(|i| i32::from_le_bytes(numbers[i * 4..i * 4 + 4].try_into().expect("four bytes")));
    let size = tiny_skia::IntSize::from_wh(u32::try_from(width).ok()?, u32::try_from(height).ok()?)?;
    let mut data = vec![0; size.width() as usize * size.height() as usize * 4];
    input.read_exact(&mut data).ok()?;
    // Nothing after the pixels: a longer file is not one of ours.
    if input.read(&mut [0]).ok()? != 0 {
        return None;
    }
    Some((tiny_skia::Pixmap::from_vec(data, size)?, x, y))
}

/// How many of the last things in `tree` (drawn from `card`)
/// [`rasterize_layered`] draws over the base: the text and the seal, and
/// the QR code of a card that has one (unique to the card, it is kept out
/// of the base cards share), when they are the last things in it; 0 when
/// they are not.
fn layered(card: &CardSvg, tree: &usvg::Tree) -> usize {
    let has_qr = card.full.contains(&format!("id=\"{QR_ID}\""));
    let top = if has_qr { 3 } else { 2 };
    let ids: Vec<&str> = tree.root().children().iter().rev().take(top).map(|n| n.id()).collect();
    let on_top = ids.contains(&TEXT_ID) && ids.contains(&SEAL_ID) && (!has_qr || ids.contains(&QR_ID));
    if on_top {
        top
    } else {
        0
    }
}

/// Fails where [`rasterize_layered`] would, without drawing anything: it
/// parses the card's base when the card is drawn in layers (and the seal of
/// one whose texts were set, which its tree leaves out), and nothing else
/// that can fail.
pub fn check_layered(theme: &Theme, card: &CardSvg, tree: &usvg::Tree) -> Result<(), RenderError> {
    if layered(card, tree) > 0 {
        parse(theme, &card.base)?;
        if let Some(lettered) = &card.lettered {
            parse(theme, &lettered.seal)?;
        }
    }
    Ok(())
}

/// Draws the card `width` pixels wide: the cached base, then the text and
/// seal layers of `tree` on top. When the theme draws anything over the text
/// or the seal (they are not the last things in the card), the whole tree is
/// drawn instead, so the result is always the same as drawing the card whole.
pub fn rasterize_layered(
    cache: &BaseCache,
    theme: &Theme,
    card: &CardSvg,
    tree: &usvg::Tree,
    width: u32,
) -> Result<CardPixels, RenderError> {
    Ok(layered_card(cache, theme, card, tree, width)?.draw_whole(tree, width))
}

/// A card ready to draw `width` pixels wide (see [`layered_card`]).
pub enum Layered<'a> {
    /// Its tree drawn whole: the theme draws over its text or seal.
    Whole,
    /// Its base, and the marks of its top layers over it.
    Top {
        /// What the top layers are drawn over.
        base: Base,
        /// The top layers.
        ink: Ink<'a>,
    },
}

impl Layered<'_> {
    /// The card drawn whole, `width` pixels wide (`tree` is the card's).
    pub fn draw_whole(self, tree: &usvg::Tree, width: u32) -> CardPixels {
        match self {
            Layered::Whole => CardPixels { pixmap: rasterize(tree, width), under: None },
            Layered::Top { base, ink } => {
                let (mut pixmap, under) = match base {
                    Base::Kept(under) => (under.pixmap().clone(), Some(under)),
                    Base::Own(pixmap) => (pixmap, None),
                };
                ink.draw(&mut pixmap, 0);
                CardPixels { pixmap, under }
            }
        }
    }
}

/// A card's base: kept for the cards after it, or read for this card alone.
pub enum Base {
    /// Kept in memory, its rows compressed once for every card over it.
    Kept(Arc<Under>),
    /// This card's alone.
    Own(tiny_skia::Pixmap),
}

/// The card `width` pixels wide, as its base (drawn once and kept) and the
/// marks of its text, seal and QR code (its seal drawn once per variant),
/// ready to draw whole or a band at a time.
pub fn layered_card<'a>(
    cache: &BaseCache,
    theme: &Theme,
    card: &'a CardSvg,
    tree: &'a usvg::Tree,
    width: u32,
) -> Result<Layered<'a>, RenderError> {
    let children = tree.root().children();
    let top = layered(card, tree);
    if top == 0 {
        return Ok(Layered::Whole);
    }
    let base = cache.base(theme, &card.base, width)?;
    let scale = width as f32 / tree.size().width();
    let glyphs = theme.caches.get_or_default::<GlyphCache>();
    let mut ink = Ink::new(scale);
    for node in &children[children.len() - top..] {
        if node.id() == SEAL_ID {
            // A seal is drawn once per variant and size, then placed: the
            // tree of a card whose texts were set holds only its place, and
            // its SVG is parsed when it is drawn.
            let drawn = cache.seal(theme, &card.seal, width, |parts| match &card.lettered {
                Some(lettered) => {
                    let alone = parse(theme, &lettered.seal)?;
                    let seal = alone.root().children().iter().find(|n| n.id() == SEAL_ID);
                    Ok(seal.and_then(|seal| draw_alone(seal, scale, parts)))
                }
                None => Ok(draw_alone(node, scale, parts)),
            })?;
            if let Some(drawn) = drawn {
                ink.over(drawn);
            }
        } else {
            let inked = match node {
                // The text from glyph pictures kept per theme.
                usvg::Node::Group(group) if node.id() == TEXT_ID => ink_layer(&glyphs, tree.fontdb(), group, &mut ink),
                _ => false,
            };
            if !inked {
                ink.node(node);
            }
            // The texts set as glyph runs, left out of the tree.
            if let Some(lettered) = card.lettered.as_ref().filter(|_| node.id() == TEXT_ID) {
                ink_runs(&glyphs, tree.fontdb(), &lettered.runs, &mut ink);
            }
        }
    }
    Ok(Layered::Top { base, ink })
}

/// Draws `node`, a card's top-level node (or a child of one without a
/// transform of its own), in its place at `scale`, on a pixmap whose first
/// row is the card's row `top`.
pub(super) fn draw_node(node: &usvg::Node, scale: f32, top: i32, pixmap: &mut tiny_skia::Pixmap) {
    if let Some(bbox) = node.abs_layer_bounding_box() {
        // render_node draws a node at its own box's origin: move it back.
        let mut transform = tiny_skia::Transform::from_scale(scale, scale).pre_translate(bbox.x(), bbox.y());
        if top != 0 {
            transform = transform.post_translate(0.0, -top as f32);
        }
        resvg::render_node(node, transform, &mut pixmap.as_mut());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_layers_stay_within_their_bound_and_a_base_of_a_third_of_it_fits() {
        let cache = layer_cache(3 << 20);
        for i in 0..20 {
            // 1 MB each, as a base of a third of the bound.
            let pixmap = tiny_skia::Pixmap::new(512, 512).unwrap();
            cache.insert(format!("base-{i}"), Some(Arc::new((pixmap, 0, 0))));
            assert!(cache.weight() <= 3 << 20, "{} bytes kept", cache.weight());
            assert!(cache.get(&format!("base-{i}")).is_some(), "the layer just drawn is kept");
        }
    }

    #[test]
    fn a_new_seal_part_stays_while_the_next_few_come_in() {
        // Parts of half a megabyte, as a seal's wax or shadow at 300 dpi.
        let cache = part_cache(PART_BYTES);
        let part = || Some(Arc::new((tiny_skia::Pixmap::new(362, 362).unwrap(), 0, 0)));
        // The cache full of the last variants' parts, each used a few times.
        for i in 0..20 {
            let old = format!("old-{i}");
            cache.insert(old.clone(), part());
            cache.get(&old);
            cache.get(&old);
        }
        // A variant's two shadows and a wax.
        for i in 0..3 {
            cache.insert(format!("part-{i}"), part());
        }
        for i in 0..3 {
            assert!(cache.get(&format!("part-{i}")).is_some(), "part {i} is kept for the next card of its variant");
        }
    }

    #[test]
    fn kept_bases_make_room_before_the_next_is_drawn_and_the_newest_stays() {
        let base = || Ok::<_, std::convert::Infallible>(Under::new(tiny_skia::Pixmap::new(512, 512).unwrap()));
        let one = Under::weight_of(512, 512);
        let recent = Recent::new(3 * one);
        for name in ["a", "b", "c"] {
            recent.get_or_make(name, base).unwrap();
        }
        assert_eq!(recent.weight(), 3 * one, "three bases fit");
        // A base of twice the size to come: the two least recently used go first.
        recent.get("a");
        recent.room(2 * one);
        assert_eq!(recent.weight(), one);
        assert!(recent.get("a").is_some() && recent.get("b").is_none() && recent.get("c").is_none());
        // One larger than the bound: it is kept alone when it comes.
        recent.room(4 * one);
        assert_eq!(recent.weight(), 0);
        recent
            .get_or_make("big", || {
                Ok::<_, std::convert::Infallible>(Under::new(tiny_skia::Pixmap::new(1024, 1024).unwrap()))
            })
            .unwrap();
        assert!(recent.get("big").is_some(), "the newest base stays");
    }

    #[test]
    fn a_kept_layer_reads_back_as_drawn_and_a_damaged_one_not_at_all() {
        let mut pixmap = tiny_skia::Pixmap::new(7, 5).unwrap();
        pixmap.fill(tiny_skia::Color::from_rgba8(120, 60, 30, 200));
        let bytes = [layer_header(&pixmap, -3, 11), pixmap.data().to_vec()].concat();
        let (back, x, y) = decode_layer(&bytes[..]).unwrap();
        assert_eq!((back.data(), x, y), (pixmap.data(), -3, 11));
        assert!(decode_layer(&bytes[..bytes.len() - 1]).is_none(), "cut short");
        assert!(decode_layer(&[&bytes[..], b"x"].concat()[..]).is_none(), "too long");
        assert!(decode_layer(&bytes[1..]).is_none(), "not a layer");
    }
}
