//! One A6 chocolate card at 300 dpi: drawing it (whole, and layered on a
//! cached base with a cached seal), drawing a seal alone; and the PNG
//! encoding of an A6 card, its thumbnail and link preview in each built-in
//! theme, in several ways (sizes are printed once, to stderr).

use criterion::{criterion_group, criterion_main, Criterion};
use waxseal::layout::{layout, Content};
use waxseal::render::{self, CardContent};
use waxseal::size::CardSize;

const MESSAGE: &str = "Thank you for shopping with us, Deb! Your order was made with *love* by *Beverly*, \
our very own craft genius, at the big table under the studio window.\\n\\nEvery stitch was checked twice and \
wrapped in tissue, so it reaches you **exactly** as she meant it to.\\n\\nYou're welcome back anytime.";

fn bench(c: &mut Criterion) {
    let root = tempfile::tempdir().unwrap();
    let theme = waxseal::theme::load(root.path(), "chocolate").unwrap();
    let rich =
        waxseal::markup::render(&MESSAGE.replace("\\n", "\n"), false).expect("the message nests a few levels").rich;
    let size = CardSize::named("a6", 300).unwrap();
    let frame = render::boxes(&theme, size).frame(size);
    let content = Content {
        title: Some("Thank you, Deb"),
        text: &rich,
        signature: Some("with love, Beverly"),
        lang: None,
        pictures: &[],
        signed: None,
    };
    let laid = layout(&theme, content, frame).unwrap();
    let seal = waxseal::seal::SealSpec::default();
    let card_content = CardContent {
        title: Some("Thank you, Deb"),
        layout: &laid,
        seal: &seal,
        seed: 7,
        alt: "x",
        qr: None,
        pictures: &[],
        logo: None,
        room: 1.0,
    };
    let card = render::card_svg(&theme, size, &card_content).unwrap();
    let tree = render::parse(&theme, &card.full).unwrap();
    let cache = render::BaseCache::default();

    c.bench_function("card svg from template", |b| b.iter(|| render::card_svg(&theme, size, &card_content).unwrap()));
    c.bench_function("parse card svg (usvg, text layout)", |b| b.iter(|| render::parse(&theme, &card.full).unwrap()));
    c.bench_function("draw card whole", |b| b.iter(|| render::rasterize(&tree, size.width)));
    c.bench_function("draw card layered (cached base and seal)", |b| {
        b.iter(|| render::rasterize_layered(&cache, &theme, &card, &tree, size.width).unwrap())
    });
    let drawn = render::rasterize_layered(&cache, &theme, &card, &tree, size.width).unwrap();
    c.bench_function("thumbnail shrunk from the card", |b| b.iter(|| render::shrink_card(&drawn, 360)));
    text_layer(c, &tree, size.width);
    let emoji = MESSAGE.replace("\\n", "\n").replace("love*", "love* 🍫 ❤️").replace("anytime.", "anytime! 🌿 👍🏽");
    let rich = waxseal::markup::render(&emoji, false).unwrap().rich;
    let content = Content {
        title: Some("Thank you, Deb"),
        text: &rich,
        signature: Some("with love, Beverly"),
        lang: None,
        pictures: &[],
        signed: None,
    };
    let laid = layout(&theme, content, frame).unwrap();
    let card = render::card_svg(&theme, size, &CardContent { layout: &laid, ..card_content }).unwrap();
    let tree = render::parse(&theme, &card.full).unwrap();
    c.bench_function("draw card layered, emoji", |b| {
        b.iter(|| render::rasterize_layered(&cache, &theme, &card, &tree, size.width).unwrap())
    });
    c.bench_function("seal svg", |b| {
        b.iter(|| waxseal::seal::seal_svg(&seal, 620.0, 1500.0, 124.0, 7, "seal", "EB Garamond").unwrap())
    });
    seal_layer(c, &tree, size.width);
    c.bench_function("standalone svg (text as outlines)", |b| {
        b.iter(|| render::standalone_svg(&theme, &card.full, &tree))
    });
}

/// The seal layer alone, drawn as a build draws each seal variant once: its
/// shadows' blurs, its lighting and the grain of its face, at the card's
/// width and the thumbnail's.
fn seal_layer(c: &mut Criterion, tree: &resvg::usvg::Tree, width: u32) {
    let node = tree.root().children().iter().find(|n| n.id() == render::SEAL_ID).unwrap();
    let bbox = node.abs_layer_bounding_box().unwrap();
    for width in [width, waxseal::card::pictures::THUMB_WIDTH] {
        let scale = width as f32 / tree.size().width();
        let (w, h) = ((bbox.width() * scale).ceil() as u32 + 1, (bbox.height() * scale).ceil() as u32 + 1);
        let mut pixmap = tiny_skia::Pixmap::new(w, h).unwrap();
        let transform = tiny_skia::Transform::from_scale(scale, scale);
        eprintln!("seal layer {width} px: {w} x {h} px");
        c.bench_function(&format!("seal layer {width} px"), |b| {
            b.iter(|| resvg::render_node(node, transform, &mut pixmap.as_mut()))
        });
    }
    // As a build draws it: its wide shadow drawn smaller.
    let scale = width as f32 / tree.size().width();
    c.bench_function(&format!("seal layer {width} px, as a build draws it"), |b| {
        b.iter(|| {
            render::alone::draw_alone(node, scale, &render::layers::layer_cache(render::layers::PART_BYTES)).unwrap()
        })
    });
}

/// The card's text layer alone, drawn over and over on one pixmap: as resvg
/// fills every glyph's outline (what every card cost before the glyph
/// cache), from glyph pictures kept from the run before (every card after
/// a build's first few), and from an empty cache (a build's first card).
fn text_layer(c: &mut Criterion, tree: &resvg::usvg::Tree, width: u32) {
    let node = tree.root().children().iter().find(|n| n.id() == render::TEXT_ID).unwrap();
    let resvg::usvg::Node::Group(group) = node else { unreachable!("the text layer is a group") };
    let bbox = node.abs_layer_bounding_box().unwrap();
    for width in [width, waxseal::card::pictures::THUMB_WIDTH] {
        let scale = width as f32 / tree.size().width();
        let mut pixmap = tiny_skia::Pixmap::new(width, (tree.size().height() * scale) as u32).unwrap();
        c.bench_function(&format!("text layer {width} px, resvg (outlines filled)"), |b| {
            let transform = tiny_skia::Transform::from_scale(scale, scale).pre_translate(bbox.x(), bbox.y());
            b.iter(|| resvg::render_node(node, transform, &mut pixmap.as_mut()))
        });
        let glyphs = render::glyphs::GlyphCache::default();
        c.bench_function(&format!("text layer {width} px, cached glyphs"), |b| {
            b.iter(|| render::glyphs::draw_layer(&glyphs, tree.fontdb(), group, scale, &mut pixmap))
        });
        c.bench_function(&format!("text layer {width} px, glyph cache empty"), |b| {
            b.iter(|| {
                let glyphs = render::glyphs::GlyphCache::default();
                render::glyphs::draw_layer(&glyphs, tree.fontdb(), group, scale, &mut pixmap)
            })
        });
    }
}

/// A6 cards of each built-in theme, their thumbnails and link previews,
/// PNG-encoded by waxseal's encoder and the ways it was chosen from: the
/// png crate fed through its stream writer (waxseal's encoder before) or
/// one buffer (each row filter, fdeflate), and zlib-rs at level 1.
fn encoders(c: &mut Criterion) {
    let root = tempfile::tempdir().unwrap();
    let message = MESSAGE.replace("\\n", "\n").replace("love*", "love* 🍫 ❤️");
    let rich = waxseal::markup::render(&message, false).unwrap().rich;
    for name in ["chocolate", "kraft", "minimal", "classic"] {
        let theme = waxseal::theme::load(root.path(), name).unwrap();
        let size = CardSize::named("a6", 300).unwrap();
        let frame = render::boxes(&theme, size).frame(size);
        let content = Content {
            title: Some("Thank you, Deb"),
            text: &rich,
            signature: Some("with love, Beverly"),
            lang: None,
            pictures: &[],
            signed: None,
        };
        let laid = layout(&theme, content, frame).unwrap();
        let seal = waxseal::seal::SealSpec::default();
        let card_content = CardContent {
            title: Some("Thank you, Deb"),
            layout: &laid,
            seal: &seal,
            seed: 7,
            alt: "x",
            qr: None,
            pictures: &[],
            logo: None,
            room: 1.0,
        };
        let card = render::card_svg(&theme, size, &card_content).unwrap();
        let tree = render::parse(&theme, &card.full).unwrap();
        let cache = render::BaseCache::default();
        let drawn = render::rasterize_layered(&cache, &theme, &card, &tree, size.width).unwrap();
        let thumb = render::rasterize_layered(&cache, &theme, &card, &tree, 360).unwrap();
        // An A6 note's view: the card across the preview.
        let view = render::ShareView { body: 46.0, column: (150.0, 1090.0), top: 160.0 };
        let place = view.place((drawn.pixmap.width(), drawn.pixmap.height()));
        let part = render::shrink_part(&drawn.pixmap, place.shown, place.visible());
        let share = render::share_picture(&theme, &place, &part).unwrap();
        for (what, drawn) in [("card", &drawn), ("thumb", &thumb), ("share", &share)] {
            let pixmap = &drawn.pixmap;
            let colours = render::encode::palette_size(pixmap).map_or("> 256".to_string(), |n| n.to_string());
            eprintln!("{name} {what}: {colours} colours");
            // What it is drawn over, its pieces kept by the first picture encoded over it.
            let under = drawn.under.clone();
            let mut variants: Vec<(&str, Encoder)> = vec![
                ("encode_png", Box::new(|p| render::encode_png(p, Some(300), false))),
                (
                    "encode_png_over, its base's pieces kept",
                    Box::new(move |p| render::encode_png_over(p, under.as_deref(), Some(300), false)),
                ),
                ("before: png stream writer, fast, up", Box::new(encode_before)),
                ("zlib-rs level 1, up", Box::new(zlib_rs_up)),
            ];
            if what == "card" {
                use png::Filter as F;
                for (filter, f) in [("up", F::Up), ("sub", F::Sub), ("paeth", F::Paeth), ("adaptive", F::Adaptive)] {
                    let label: &str = Box::leak(format!("png one buffer, fast, {filter}").into_boxed_str());
                    variants.push((label, Box::new(move |p| encode_one_buffer(p, f))));
                }
                c.bench_function(&format!("{name} {what}: count colours"), |b| {
                    b.iter(|| render::encode::palette_size(pixmap))
                });
            }
            for (label, encode) in &variants {
                eprintln!("{name} {what} {label}: {} bytes", encode(pixmap).len());
                c.bench_function(&format!("{name} {what}: {label}"), |b| b.iter(|| encode(pixmap)));
            }
        }
    }
}

/// A way to encode a picture as PNG.
type Encoder<'a> = Box<dyn Fn(&tiny_skia::Pixmap) -> Vec<u8> + 'a>;

/// An opaque pixmap's RGB bytes, a row after another.
fn rgb(pixmap: &tiny_skia::Pixmap) -> Vec<u8> {
    pixmap.data().chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).collect()
}

/// The png crate given the whole picture as one buffer (converted first).
fn encode_one_buffer(pixmap: &tiny_skia::Pixmap, filter: png::Filter) -> Vec<u8> {
    let data = rgb(pixmap);
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, pixmap.width(), pixmap.height());
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    encoder.set_filter(filter);
    encoder.write_header().unwrap().write_image_data(&data).unwrap();
    out
}

/// waxseal's encoder before (2026-12): the png crate's stream writer, fed
/// bands of 32 rows converted to RGB.
fn encode_before(pixmap: &tiny_skia::Pixmap) -> Vec<u8> {
    let mut out = Vec::with_capacity(pixmap.data().len() / 4);
    let mut encoder = png::Encoder::new(&mut out, pixmap.width(), pixmap.height());
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    encoder.set_filter(png::Filter::Up);
    encoder.set_pixel_dims(Some(png::PixelDimensions { xppu: 11_811, yppu: 11_811, unit: png::Unit::Meter }));
    {
        let mut writer = encoder.write_header().unwrap();
        let mut stream = writer.stream_writer().unwrap();
        let row = pixmap.width() as usize * 4;
        let mut band = Vec::with_capacity(row * 32);
        for rows in pixmap.data().chunks(row * 32) {
            band.clear();
            for p in rows.chunks_exact(4) {
                band.extend_from_slice(&p[..3]);
            }
            std::io::Write::write_all(&mut stream, &band).unwrap();
        }
        stream.finish().unwrap();
    }
    out
}

/// `Up`-filtered RGB rows compressed by zlib-rs (flate2's backend) at
/// level 1, in IDAT chunks written by the png crate.
fn zlib_rs_up(pixmap: &tiny_skia::Pixmap) -> Vec<u8> {
    use std::io::Write as _;
    let row_len = pixmap.width() as usize * 3;
    let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
    let (mut prev, mut cur, mut filtered) = (vec![0; row_len], vec![0; row_len], vec![2; row_len + 1]);
    for src in pixmap.data().chunks_exact(pixmap.width() as usize * 4) {
        for (d, s) in cur.chunks_exact_mut(3).zip(src.chunks_exact(4)) {
            d.copy_from_slice(&s[..3]);
        }
        for ((f, c), p) in filtered[1..].iter_mut().zip(&cur).zip(&prev) {
            *f = c.wrapping_sub(*p);
        }
        zlib.write_all(&filtered).unwrap();
        std::mem::swap(&mut prev, &mut cur);
    }
    let data = zlib.finish().unwrap();
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, pixmap.width(), pixmap.height());
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    {
        let mut writer = encoder.write_header().unwrap();
        writer.write_chunk(png::chunk::IDAT, &data).unwrap();
        writer.finish().unwrap();
    }
    out
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench, encoders
}
criterion_main!(benches);
