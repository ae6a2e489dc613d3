//! Renders wax seals to PNG so their look can be judged by eye.
//!
//! `cargo run --example seal_preview -- /tmp/seal.png` writes a 900x600 sheet
//! of six seals (every built-in emblem, a monogram and a custom emblem read
//! from an SVG) to the given path and, beside it, `<stem>-card.png`: seals at
//! card scale (r = 120, as on an A6 card at 300 dpi), `<stem>-small.png`:
//! seals at r = 60, the smallest a card uses, `<stem>-thumb.png`: the card
//! seals at thumbnail scale, `<stem>-colors.png`: every named wax colour, and
//! `<stem>-zoom.png`: one seal magnified. It then times
//! one seal at r = 130, with and without its surface texture. Nothing else is
//! written.

use std::error::Error;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use waxseal::seal::{self, seal_svg, EmblemShape, SealSpec};

/// EB Garamond SemiBold from the chocolate theme, for the initials.
const FONT: &[u8] = include_bytes!("../themes/chocolate/fonts/EBGaramond-SemiBold.ttf");
const FAMILY: &str = "EB Garamond";
const PAPER: &str = "#f6ecd9";

/// A theme's own emblem, as a theme would ship it in `emblems/crown.svg`:
/// a path, a rounded rectangle and circles.
const CROWN: &str = r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">
  <path d="M9 46 L5 19 L20 31 L32 12 L44 31 L59 19 L55 46 Z"/>
  <rect x="8" y="50" width="48" height="7" rx="2"/>
  <circle cx="5" cy="16" r="4"/><circle cx="32" cy="9" r="4"/><circle cx="59" cy="16" r="4"/>
</svg>"#;

fn spec(emblem: &str, color: &str, initials: Option<&str>) -> SealSpec {
    SealSpec { emblem: emblem.to_owned(), color: color.to_owned(), initials: initials.map(str::to_owned), custom: None }
}

fn custom(shape: &EmblemShape, color: &str, initials: Option<&str>) -> SealSpec {
    SealSpec { custom: Some(shape.clone()), ..spec("none", color, initials) }
}

/// Wraps seal fragments in a `width` x `height` document on cream paper and
/// renders it scaled by `zoom`; returns how long rendering took.
fn render(path: &Path, (width, height): (u32, u32), zoom: f32, seals: &[String]) -> Result<Duration, Box<dyn Error>> {
    let svg = document((width, height), seals);
    let mut opt = resvg::usvg::Options::default();
    opt.fontdb_mut().load_font_data(FONT.to_vec());
    let tree = resvg::usvg::Tree::from_str(&svg, &opt)?;
    let (w, h) = ((width as f32 * zoom).ceil() as u32, (height as f32 * zoom).ceil() as u32);
    let mut pixmap = tiny_skia::Pixmap::new(w, h).ok_or("empty canvas")?;
    let started = Instant::now();
    resvg::render(&tree, tiny_skia::Transform::from_scale(zoom, zoom), &mut pixmap.as_mut());
    let took = started.elapsed();
    eprintln!("{}: {} seals rendered in {took:?}, svg {} bytes", path.display(), seals.len(), svg.len());
    pixmap.save_png(path)?;
    Ok(took)
}

fn document((width, height): (u32, u32), seals: &[String]) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\">\
         <rect width=\"100%\" height=\"100%\" fill=\"{PAPER}\"/>{}</svg>",
        seals.concat()
    )
}

/// Seal fragments and the size of the sheet they are laid out on.
type Sheet = (Vec<String>, (u32, u32));

/// Draws `specs` in a grid of `columns`, each seal of radius `r` in a cell
/// of `cell` px; returns the fragments and the sheet's size.
fn grid(specs: &[SealSpec], columns: usize, r: f64, cell: f64, seed: u64, id: &str) -> Result<Sheet, Box<dyn Error>> {
    let seals = specs
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let x = cell / 2.0 + cell * (i % columns) as f64;
            let y = cell / 2.0 + cell * (i / columns) as f64;
            seal_svg(s, x, y, r, seed + i as u64, &format!("{id}{i}"), FAMILY)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let rows = specs.len().div_ceil(columns);
    Ok((seals, ((cell * columns as f64) as u32, (cell * rows as f64) as u32)))
}

fn main() -> Result<(), Box<dyn Error>> {
    let out =
        PathBuf::from(std::env::args().nth(1).ok_or("usage: seal_preview OUT.png   (also writes OUT-card.png, ...)")?);
    let stem = out.file_stem().and_then(|s| s.to_str()).unwrap_or("seal").to_owned();
    let beside = |suffix: &str| out.with_file_name(format!("{stem}-{suffix}.png"));
    let crown = seal::parse_emblem_svg(CROWN)?;

    let sheet = [
        spec("heart", "chocolate", None),
        spec("bee", "gold", None),
        custom(&crown, "burgundy", None),
        spec("star", "red", None),
        spec("flower", "#b8862b", None),
        spec("monogram", "navy", Some("BC")),
    ];
    let (seals, size) = grid(&sheet, 3, 115.0, 300.0, 1, "s")?;
    render(&out, size, 1.0, &seals)?;

    let initials = seal::initials_of("the whole Mossbrook crew").ok_or("no initials")?;
    let card = [
        spec("bee", "chocolate", None),
        custom(&crown, "forest", Some("M")),
        spec("monogram", "burgundy", Some(&initials)),
        spec("bee", "black", Some("JLK")),
    ];
    let (seals, size) = grid(&card, 2, 120.0, 310.0, 42, "c")?;
    render(&beside("card"), size, 1.0, &seals)?;
    // The same seals as in a gallery thumbnail.
    render(&beside("thumb"), size, 0.4, &seals)?;

    let small = [
        spec("bee", "gold", None),
        custom(&crown, "navy", None),
        spec("monogram", "red", Some("WMW")),
        spec("leaf", "forest", Some("A")),
    ];
    let (seals, size) = grid(&small, 4, 60.0, 160.0, 7, "m")?;
    render(&beside("small"), size, 1.0, &seals)?;

    let colors: Vec<SealSpec> = seal::COLORS.iter().map(|(name, _)| spec("bee", name, None)).collect();
    let (seals, size) = grid(&colors, 4, 90.0, 230.0, 3, "k")?;
    render(&beside("colors"), size, 1.0, &seals)?;

    // One card-scale seal magnified, to check the fine detail.
    // Sized by the seal's footprint, so the whole shadow must fit.
    let half = seal::FOOTPRINT * 120.0;
    let zoomed = seal_svg(&card[0], half, half, 120.0, 42, "z", FAMILY)?;
    let side = (2.0 * half).ceil() as u32;
    render(&beside("zoom"), (side, side), 2.0, &[zoomed])?;

    time_one_seal()?;
    Ok(())
}

/// Times one seal at r = 130 (the largest a card uses) as drawn, and again
/// with its filters stripped, so the cost of the shadows and texture shows.
fn time_one_seal() -> Result<(), Box<dyn Error>> {
    let half = seal::FOOTPRINT * 130.0;
    let side = (2.0 * half).ceil() as u32;
    let svg = seal_svg(&spec("bee", "chocolate", None), half, half, 130.0, 5, "t", FAMILY)?;
    let without_texture = strip_filter(&svg, "-grain");
    let without_filters = strip_filter(&strip_filter(&without_texture, "-shadow"), "-contact");
    let opt = resvg::usvg::Options::default();
    for (label, svg) in [("as drawn", &svg), ("no texture", &without_texture), ("no filters", &without_filters)] {
        let tree = resvg::usvg::Tree::from_str(&document((side, side), std::slice::from_ref(svg)), &opt)?;
        let mut pixmap = tiny_skia::Pixmap::new(side, side).ok_or("empty canvas")?;
        // The fastest of several runs: the least disturbed by other work.
        let best = (0..15)
            .map(|_| {
                let started = Instant::now();
                resvg::render(&tree, tiny_skia::Transform::identity(), &mut pixmap.as_mut());
                started.elapsed()
            })
            .min()
            .unwrap_or_default();
        eprintln!("one seal at r=130, {label}: {best:?}");
    }
    Ok(())
}

/// The SVG with every use of the filter whose id ends in `suffix` removed.
fn strip_filter(svg: &str, suffix: &str) -> String {
    let mut out = String::with_capacity(svg.len());
    let mut rest = svg;
    while let Some(at) = rest.find(" filter=\"url(#") {
        let end = at + rest[at..].find(")\"").map_or(0, |e| e + 2);
        let attr = &rest[at..end];
        out.push_str(&rest[..at]);
        if !attr.ends_with(&format!("{suffix})\"")) {
            out.push_str(attr);
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}
