//! One A6 chocolate card at 300 dpi: drawing it (whole, and layered on a
//! cached base with a cached seal), drawing a seal alone, and encoding the
//! PNG in several ways (sizes are printed once, to stderr).

use criterion::{criterion_group, criterion_main, Criterion};
use waxseal::layout::{layout, Content};
use waxseal::render::{self, CardContent};
use waxseal::size::CardSize;

const MESSAGE: &str = "Thank you for shopping with us, Deb! Your order was made with *love* by *Beverly*, \
our very own craft genius, at the big table under the studio window.\\n\\nEvery stitch was checked twice and \
wrapped in tissue, so it reaches you **exactly** as she meant it to.\\n\\nYou're welcome back anytime.";

fn encode(pixmap: &tiny_skia::Pixmap, rgb: bool, compression: png::Compression, filter: png::Filter) -> Vec<u8> {
    let data: Vec<u8> = if rgb {
        pixmap.data().chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).collect()
    } else {
        pixmap.data().to_vec()
    };
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, pixmap.width(), pixmap.height());
        encoder.set_color(if rgb { png::ColorType::Rgb } else { png::ColorType::Rgba });
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_compression(compression);
        encoder.set_filter(filter);
        encoder.write_header().unwrap().write_image_data(&data).unwrap();
    }
    out
}

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
    let pixmap = render::rasterize_layered(&cache, &theme, &card, &tree, size.width).unwrap();

    c.bench_function("card svg from template", |b| b.iter(|| render::card_svg(&theme, size, &card_content).unwrap()));
    c.bench_function("parse card svg (usvg, text layout)", |b| b.iter(|| render::parse(&theme, &card.full).unwrap()));
    c.bench_function("draw card whole", |b| b.iter(|| render::rasterize(&tree, size.width)));
    c.bench_function("draw card layered (cached base and seal)", |b| {
        b.iter(|| render::rasterize_layered(&cache, &theme, &card, &tree, size.width).unwrap())
    });
    c.bench_function("draw thumbnail layered", |b| {
        b.iter(|| render::rasterize_layered(&cache, &theme, &card, &tree, 360).unwrap())
    });
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

    use png::{Compression as C, Filter as F};
    let variants = [
        ("rgba fast adaptive", false, C::Fast, F::Adaptive),
        ("rgb fast adaptive", true, C::Fast, F::Adaptive),
        ("rgb fast up", true, C::Fast, F::Up),
        ("rgb fast sub", true, C::Fast, F::Sub),
        ("rgb balanced adaptive", true, C::Balanced, F::Adaptive),
        ("rgb high adaptive", true, C::High, F::Adaptive),
    ];
    for (name, rgb, compression, filter) in variants {
        eprintln!("encode {name}: {} bytes", encode(&pixmap, rgb, compression, filter).len());
        c.bench_function(&format!("encode {name}"), |b| b.iter(|| encode(&pixmap, rgb, compression, filter)));
    }
    c.bench_function("encode_png (waxseal default)", |b| b.iter(|| render::encode_png(&pixmap, 300, false)));
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

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
