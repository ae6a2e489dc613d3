//! The in-process floor of a waxseal build: how fast the card pixels of a
//! site can be drawn and PNG-encoded (fast deflate) when nothing else is done.
//!
//!     waxseal-floor SITE_DIR [--cards N] [--threads 1,2] [--variants whole,layered,png-set]
//!                   [--check OUTPUT_DIR]
//!
//! Every message of SITE_DIR/content is prepared exactly as `waxseal build`
//! prepares it (body template, Markdown, layout, card SVG, usvg tree), outside
//! the timed part. Then, timed, per card:
//!
//! - `whole`:   `render::rasterize(&tree, 1240)` + `render::encode_png(.., Some(300), false)`
//!              (the card drawn whole, as the issue defines the floor);
//! - `layered`: `render::rasterize_layered` (cached artwork base and seal, the
//!              path `waxseal build` draws with) + the same encode;
//! - `png-set`: `layered` plus the 360 px thumbnail (shrunk from the card) and the link preview
//!              (`share.png`, the thumbnail on a 1200 x 630 sheet) made and
//!              encoded: all the PNG work a build does for one card;
//!
//! each sequentially (1 thread) and with rayon on 2 threads (`--threads`
//! and `--variants` choose). Results are
//! printed as milliseconds per card (wall time / cards), plus machine-readable
//! `FLOOR name threads ms_per_card` lines for bench/compare.sh.
//!
//! `--check OUTPUT_DIR` compares the PNG bytes of the `layered` run with the
//! `cards/SLUG/card.png` files a build wrote to OUTPUT_DIR, to show the floor
//! makes the same pixels.

use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;
use waxseal::render::{self, CardSvg};

/// One card, ready to draw.
struct Prepared {
    slug: String,
    svg: CardSvg,
    tree: resvg::usvg::Tree,
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut root: Option<PathBuf> = None;
    let mut limit = usize::MAX;
    let mut check: Option<PathBuf> = None;
    let mut thread_counts = vec![1usize, 2];
    let mut only: Option<Vec<String>> = None;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--cards" => limit = args.next().expect("--cards N").parse().expect("a number"),
            "--threads" => {
                thread_counts =
                    args.next().expect("--threads 1,2").split(',').map(|t| t.parse().expect("a number")).collect()
            }
            "--variants" => {
                only =
                    Some(args.next().expect("--variants whole,layered,png-set").split(',').map(String::from).collect())
            }
            "--check" => check = Some(args.next().expect("--check OUTPUT_DIR").into()),
            _ => root = Some(a.into()),
        }
    }
    let root = root.expect("usage: waxseal-floor SITE_DIR [--cards N] [--threads 1,2] [--variants whole,layered,png-set] [--check OUTPUT_DIR]");

    let t0 = Instant::now();
    let cards = prepare(&root, limit);
    let theme = waxseal::theme::load(&root, &waxseal::config::SiteConfig::load(&root).unwrap().theme).unwrap();
    let n = cards.len();
    eprintln!("prepared {n} cards in {:.2}s (not timed)", t0.elapsed().as_secs_f64());

    if let Some(out) = &check {
        check_pixels(&theme, &cards, out);
    }

    let whole = |c: &Prepared| -> usize {
        let pixmap = render::rasterize(&c.tree, 1240);
        render::encode_png(&pixmap, Some(300), false).len()
    };
    let cache = render::BaseCache::default();
    let layered = |c: &Prepared| -> usize {
        let drawn = render::rasterize_layered(&cache, &theme, &c.svg, &c.tree, 1240).unwrap();
        render::encode_png_over(&drawn.pixmap, drawn.under.as_deref(), Some(300), false).len()
    };
    let png_set = |c: &Prepared| -> usize {
        let card = render::rasterize_layered(&cache, &theme, &c.svg, &c.tree, 1240).unwrap();
        let thumb = render::shrink_card(&card, 360);
        // An A6 note's view: the card across the preview.
        let view = render::ShareView { body: 46.0, column: (150.0, 1090.0), top: 160.0 };
        let place = view.place((card.pixmap.width(), card.pixmap.height()));
        let part = render::shrink_part(&card.pixmap, place.shown, place.visible());
        let share = render::share_picture(&theme, &place, &part).unwrap();
        let over = |d: &render::CardPixels| render::encode_png_over(&d.pixmap, d.under.as_deref(), Some(300), false).len();
        over(&card) + over(&thumb) + over(&share)
    };
    // Warm the base and seal caches (a build draws each once, too).
    layered(&cards[0]);
    png_set(&cards[0]);

    let variants: [(&str, &(dyn Fn(&Prepared) -> usize + Sync)); 3] =
        [("whole", &whole), ("layered", &layered), ("png-set", &png_set)];
    println!("{:<10} {:>8} {:>14} {:>12}", "variant", "threads", "ms per card", "total s");
    for (name, f) in variants {
        if only.as_ref().is_some_and(|o| !o.iter().any(|v| v == name)) {
            continue;
        }
        for &threads in &thread_counts {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            let start = Instant::now();
            let bytes: usize = pool.install(|| cards.par_iter().map(f).sum());
            let secs = start.elapsed().as_secs_f64();
            let ms = secs * 1000.0 / n as f64;
            std::hint::black_box(bytes);
            println!("{name:<10} {threads:>8} {ms:>14.2} {secs:>12.2}");
            println!("FLOOR {name} {threads} {ms:.3}");
        }
    }
}

/// Every message of the site, prepared as `waxseal build` prepares it.
fn prepare(root: &Path, limit: usize) -> Vec<Prepared> {
    let config = waxseal::config::SiteConfig::load(root).expect("waxseal.yaml");
    let theme = waxseal::theme::load(root, &config.theme).expect("theme");
    let mut tera = tera::Tera::new();
    waxseal::template::register_filters(&mut tera);
    let (mut files, _) = waxseal::content::walk(root);
    files.sort();
    files.truncate(limit);
    let figures = waxseal::card::figures::Figures::new(root, false);
    files
        .par_iter()
        .map(|path| {
            // Exactly as `waxseal build` prepares a card.
            let m = waxseal::content::read(root, path).expect("message");
            let card = waxseal::card::lay_out(&theme, &config, &tera, &m, &figures).expect("layout");
            let (svg, tree) = card.draw_whole(&theme, &m).expect("card svg");
            Prepared { slug: m.slug.clone(), svg, tree }
        })
        .collect()
}

/// Compares the floor's PNGs with a build's (first 20 cards).
fn check_pixels(theme: &waxseal::theme::Theme, cards: &[Prepared], out: &Path) {
    let cache = render::BaseCache::default();
    let (mut same, mut whole_same, mut checked) = (0, 0, 0);
    for c in cards.iter().take(20) {
        let Ok(built) = std::fs::read(out.join("cards").join(&c.slug).join("card.png")) else { continue };
        checked += 1;
        let layered = render::rasterize_layered(&cache, theme, &c.svg, &c.tree, 1240).unwrap().pixmap;
        same += usize::from(render::encode_png(&layered, Some(300), false) == built);
        whole_same += usize::from(render::encode_png(&render::rasterize(&c.tree, 1240), Some(300), false) == built);
    }
    println!("check: {same}/{checked} layered PNGs and {whole_same}/{checked} whole PNGs are byte-identical to the build's card.png");
}
