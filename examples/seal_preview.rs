//! Renders wax seals to PNG so their look can be judged by eye.
//!
//! `cargo run --example seal_preview -- /tmp/seal.png` writes a 600x600 sheet
//! of four seals to the given path and, beside it, `<stem>-card.png`: seals
//! at card scale (r = 120, as on an A6 card at 300 dpi). Nothing else is written.

use std::error::Error;
use std::path::{Path, PathBuf};
use waxseal::seal::{self, seal_svg, SealSpec};

/// EB Garamond SemiBold from the chocolate theme, for the initials.
const FONT: &[u8] = include_bytes!("../themes/chocolate/fonts/EBGaramond-SemiBold.ttf");
const FAMILY: &str = "EB Garamond";
const PAPER: &str = "#f6ecd9";

fn spec(emblem: &str, color: &str, initials: Option<&str>) -> SealSpec {
    SealSpec { emblem: emblem.to_owned(), color: color.to_owned(), initials: initials.map(str::to_owned) }
}

/// Wraps seal fragments in a `width` x `height` document on cream paper and
/// renders it magnified `zoom` times.
fn render(path: &Path, (width, height): (u32, u32), zoom: u32, seals: &[String]) -> Result<(), Box<dyn Error>> {
    let svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\">\
         <rect width=\"100%\" height=\"100%\" fill=\"{PAPER}\"/>{}</svg>",
        seals.concat()
    );
    let mut opt = resvg::usvg::Options::default();
    opt.fontdb_mut().load_font_data(FONT.to_vec());
    let tree = resvg::usvg::Tree::from_str(&svg, &opt)?;
    let mut pixmap = tiny_skia::Pixmap::new(width * zoom, height * zoom).ok_or("empty canvas")?;
    let started = std::time::Instant::now();
    let scale = zoom as f32;
    resvg::render(&tree, tiny_skia::Transform::from_scale(scale, scale), &mut pixmap.as_mut());
    eprintln!("{}: rendered in {:?}, svg {} bytes", path.display(), started.elapsed(), svg.len());
    pixmap.save_png(path)?;
    Ok(())
}

fn main() -> Result<(), Box<dyn Error>> {
    let out = PathBuf::from(
        std::env::args().nth(1).ok_or("usage: seal_preview OUT.png   (also writes OUT-card.png, OUT-zoom.png)")?,
    );

    let sheet = [
        (spec("heart", "#5a3a22", None), 150.0, 150.0),
        (spec("star", "#9b1b30", None), 450.0, 150.0),
        (spec("flower", "#b8862b", None), 150.0, 450.0),
        (spec("none", "#1f2a4a", Some("BC")), 450.0, 450.0),
    ];
    let seals = sheet
        .iter()
        .enumerate()
        .map(|(i, (s, x, y))| seal_svg(s, *x, *y, 115.0, i as u64 + 1, &format!("s{i}"), FAMILY))
        .collect::<Result<Vec<_>, _>>()?;
    render(&out, (600, 600), 1, &seals)?;

    let card = [
        spec("heart", "#5a3a22", None),
        spec("leaf", "#4a5d2a", Some("M")),
        spec("none", "#9b1b30", Some("A")),
        spec("star", "#b8862b", Some("JLK")),
    ];
    let seals = card
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let x = 155.0 + 310.0 * (i % 2) as f64;
            let y = 155.0 + 310.0 * (i / 2) as f64;
            seal_svg(s, x, y, 120.0, 42 + i as u64, &format!("c{i}"), FAMILY)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let stem = out.file_stem().and_then(|s| s.to_str()).unwrap_or("seal");
    render(&out.with_file_name(format!("{stem}-card.png")), (620, 620), 1, &seals)?;

    // One card-scale seal magnified, to check the fine detail.
    // Sized by the seal's footprint, so the whole shadow must fit.
    let half = seal::FOOTPRINT * 120.0;
    let zoomed = seal_svg(&card[0], half, half, 120.0, 42, "z", FAMILY)?;
    let side = (2.0 * half).ceil() as u32;
    render(&out.with_file_name(format!("{stem}-zoom.png")), (side, side), 2, &[zoomed])?;
    Ok(())
}
