//! Print: `card.pdf` (`outputs: [pdf]`) and `waxseal print`'s sheets, read
//! back with poppler's tools (`pdfinfo`, `pdffonts`, `pdftotext`,
//! `pdftoppm`; Debian's `poppler-utils`, which `.ci/run` installs).

use std::path::Path;
use std::process::Command;

use crate::support::{hex, installed, tree, Image, Site};

/// poppler's tools, which read the PDFs back: a test without them skips
/// that part (see [`installed`]).
const POPPLER: &[&str] = &["pdfinfo", "pdffonts", "pdftotext", "pdftoppm"];

/// Runs a poppler tool and returns its standard output.
fn poppler(tool: &str, args: &[&str]) -> String {
    let out = Command::new(tool)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("`{tool}` does not run ({e}): install poppler-utils"));
    assert!(out.status.success(), "{tool} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The value of `pdfinfo -box`'s line `key:` (`Page size`, `TrimBox`, ...).
fn info(pdf: &Path, key: &str) -> String {
    let text = poppler("pdfinfo", &["-box", pdf.to_str().unwrap()]);
    let line = text.lines().find(|l| l.starts_with(&format!("{key}:"))).unwrap_or_else(|| panic!("no {key}: {text}"));
    line[key.len() + 1..].split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Each font `pdffonts` lists: its name, type and `emb sub uni` columns.
fn fonts(pdf: &Path) -> Vec<(String, String, String)> {
    let text = poppler("pdffonts", &[pdf.to_str().unwrap()]);
    text.lines()
        .skip(2)
        .map(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            // name, type (one or two words), encoding, emb, sub, uni, object, generation
            let n = words.len();
            (words[0].to_string(), words[1..n - 6].join(" "), words[n - 5..n - 2].join(" "))
        })
        .collect()
}

/// The page, drawn by poppler at `dpi`, with `pdftoppm`'s other `args`.
fn draw(pdf: &Path, dpi: u32, args: &[&str]) -> Image {
    let dir = tempfile::tempdir().unwrap();
    let prefix = dir.path().join("page");
    let dpi = dpi.to_string();
    let mut all = vec!["-png", "-singlefile", "-r", &dpi];
    all.extend_from_slice(args);
    all.extend([pdf.to_str().unwrap(), prefix.to_str().unwrap()]);
    poppler("pdftoppm", &all);
    Image::read(&dir.path().join("page.png"))
}

/// `image` averaged over `n` x `n` blocks: what a printed card looks like
/// from a step away, where rasterisers' anti-aliasing no longer shows.
fn blur(image: &Image, n: u32) -> Vec<[f32; 3]> {
    let (w, h) = (image.width / n, image.height / n);
    let mut out = Vec::with_capacity((w * h) as usize);
    for by in 0..h {
        for bx in 0..w {
            let mut sum = [0.0; 3];
            for y in by * n..(by + 1) * n {
                for x in bx * n..(bx + 1) * n {
                    let p = image.pixel(x, y);
                    (0..3).for_each(|c| sum[c] += p[c] as f32);
                }
            }
            out.push(sum.map(|s| s / (n * n) as f32));
        }
    }
    out
}

/// The mean colour of a rectangle of `image` (pixels, end exclusive).
fn mean(image: &Image, x: (u32, u32), y: (u32, u32)) -> [f32; 3] {
    let mut sum = [0.0; 3];
    for yy in y.0..y.1 {
        for xx in x.0..x.1 {
            let p = image.pixel(xx, yy);
            (0..3).for_each(|c| sum[c] += p[c] as f32);
        }
    }
    sum.map(|s| s / ((x.1 - x.0) * (y.1 - y.0)) as f32)
}

fn far(a: [f32; 3], b: [f32; 3]) -> f32 {
    (0..3).map(|c| (a[c] - b[c]).abs()).fold(0.0, f32::max)
}

/// A card to Marguerite in `theme`, greeting her by name from the front matter.
fn card_to_marguerite(site: &Site, slug: &str, theme: &str) {
    site.write(
        &format!("content/{slug}.md"),
        &format!(
            "---\ntitle: For Marguerite\nto: Marguerite\nfrom: Bev\ntheme: {theme}\n---\n\
             Dear {{{{ to }}}}, your order was made with *love* and wrapped in **tissue**.\n"
        ),
    );
}

#[test]
fn a_card_pdf_is_trim_plus_bleed_with_real_text_in_embedded_subset_fonts() {
    let site = Site::empty();
    card_to_marguerite(&site, "marguerite", "chocolate");
    site.write("waxseal.yaml", "outputs: [html, png, pdf]\n");
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // The card page offers it.
    let page = site.read("cards/marguerite/index.html");
    assert!(page.contains("href=\"/cards/marguerite/card.pdf\" download>Download PDF for print</a>"), "{page}");
    if !installed(POPPLER, None) {
        return;
    }
    let pdf = site.output("cards/marguerite/card.pdf");
    // A6 is 105 x 148 mm; with 3 mm of bleed on every side, 111 x 154 mm.
    assert_eq!(info(&pdf, "Page size"), "314.646 x 436.535 pts");
    assert_eq!(info(&pdf, "Pages"), "1");
    assert_eq!(info(&pdf, "TrimBox"), "8.50 8.50 306.14 428.03", "the cut, 3 mm in");
    assert_eq!(info(&pdf, "BleedBox"), "0.00 0.00 314.65 436.54");
    let fonts = fonts(&pdf);
    let names: Vec<&str> = fonts.iter().map(|f| f.0.as_str()).collect();
    for face in ["EBGaramond-Regular", "EBGaramond-Italic", "EBGaramond-SemiBold", "DancingScript-SemiBold"] {
        assert!(names.iter().any(|n| n.ends_with(&format!("+{face}"))), "{face} is not in {names:?}");
    }
    for (name, kind, flags) in &fonts {
        assert_eq!(flags, "yes yes yes", "{name} ({kind}) is not embedded as a subset with its text");
    }
    let text = poppler("pdftotext", &[pdf.to_str().unwrap(), "-"]);
    // A short note is set large, so its lines break anywhere: read it as words.
    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(words.contains("Dear Marguerite, your order was made"), "{text}");
    // The sign-off words stand on a line of their own, above the name.
    assert!(
        text.contains("For Marguerite") && words.contains("tissue. with love, Bev") && text.contains("\nwith love,\n"),
        "{text}"
    );
}

#[test]
fn every_theme_prints_as_its_png_looks_with_its_paper_run_on_into_the_bleed() {
    let site = Site::empty();
    let themes = ["chocolate", "classic", "kraft", "minimal"];
    for theme in themes {
        card_to_marguerite(&site, theme, theme);
    }
    // 0.1 in is 30 px at 300 dpi: poppler's pixels then fall on the PNG's.
    site.write("waxseal.yaml", "outputs: [png, pdf]\nprint:\n  bleed: 0.1in\n");
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    if !installed(POPPLER, None) {
        return;
    }
    for theme in themes {
        let (png, pdf) =
            (site.png(&format!("cards/{theme}/card.png")), site.output(&format!("cards/{theme}/card.pdf")));
        assert_eq!(info(&pdf, "Page size"), "312.038 x 433.928 pts", "{theme}: trim plus 0.1 in");
        let page = draw(&pdf, 300, &[]);
        // 105 x 148 mm and 0.1 in each side at 300 dpi: 1300.2 x 1808.5 px.
        assert_eq!((page.width, page.height), (1301, 1809), "{theme}");
        let (b, w, h) = (30, png.width, png.height);
        let trim = draw(&pdf, 300, &["-x", "30", "-y", "30", "-W", &w.to_string(), "-H", &h.to_string()]);
        // From a step away (blocks of 8 x 8 pixels, 0.7 mm) the printed card
        // is the PNG: poppler draws glyph edges a little darker than resvg,
        // which moves a block by up to about 40 levels; a missing or
        // misplaced word moves blocks by well over 64.
        let (a, c) = (blur(&trim, 8), blur(&png, 8));
        let diffs: Vec<f32> = a.iter().zip(&c).map(|(a, c)| far(*a, *c)).collect();
        let off = diffs.iter().filter(|d| **d > 24.0).count();
        let worst = diffs.iter().copied().fold(0.0, f32::max);
        assert!(off * 200 < a.len() && worst < 64.0, "{theme}: {off} of {} blocks differ, by up to {worst}", a.len());
        // The bleed is paper: each strip past the cut is the colour of the
        // card's edge beside it, not white.
        let strips = [
            (mean(&page, (0, b), (b, b + h)), mean(&png, (0, 4), (0, h))),
            (mean(&page, (b + w, 2 * b + w), (b, b + h)), mean(&png, (w - 4, w), (0, h))),
            (mean(&page, (b, b + w), (0, b)), mean(&png, (0, w), (0, 4))),
            (mean(&page, (b, b + w), (b + h, 2 * b + h)), mean(&png, (0, w), (h - 4, h))),
        ];
        for (side, (bleed, edge)) in ["left", "right", "top", "bottom"].iter().zip(strips) {
            assert!(far(bleed, edge) < 14.0, "{theme}: the {side} bleed is {bleed:?}, the card's edge {edge:?}");
            assert!(bleed.iter().any(|c| *c < 245.0), "{theme}: the {side} bleed is white");
        }
    }
}

#[test]
fn a_bleed_in_inches_and_crop_marks_outside_it() {
    let site = Site::empty();
    card_to_marguerite(&site, "marguerite", "kraft");
    site.write("waxseal.yaml", "outputs: [pdf]\nprint:\n  bleed: 0.125in\n  marks: true\n");
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let pdf = site.output("cards/marguerite/card.pdf");
    if !installed(POPPLER, None) {
        return;
    }
    // Marks start 2 mm past the bleed and are 5 mm long; 1 mm of paper beyond.
    let slug: f64 = 9.0 + 8.0 * 72.0 / 25.4;
    let (w, h): (f64, f64) = (105.0 * 72.0 / 25.4, 148.0 * 72.0 / 25.4);
    assert_eq!(info(&pdf, "Page size"), format!("{:.3} x {:.3} pts", w + 2.0 * slug, h + 2.0 * slug));
    assert_eq!(info(&pdf, "TrimBox"), format!("{:.2} {:.2} {:.2} {:.2}", slug, slug, slug + w, slug + h));
    let bleed = slug - 9.0;
    assert_eq!(
        info(&pdf, "BleedBox"),
        format!("{bleed:.2} {bleed:.2} {:.2} {:.2}", bleed + w + 18.0, bleed + h + 18.0)
    );
    // At 72 dpi a pixel is a point. A mark along the top edge's left cut
    // line: dark; the paper around it white; the bleed kraft.
    let page = draw(&pdf, 72, &[]);
    let x = slug.round() as u32;
    let dark = |x: u32, y: u32| page.pixel(x, y)[..3].iter().all(|c| *c < 140);
    assert!((2..16).any(|y| dark(x, y) || dark(x - 1, y)), "no crop mark above the left cut line");
    assert!(!dark(x, 1) && !dark(x + 6, 10), "a crop mark where there should be paper");
    assert_eq!(page.pixel(2, 2)[..3], [255, 255, 255], "the margin is paper");
    let corner = page.pixel(bleed.round() as u32 + 2, bleed.round() as u32 + 2);
    assert!(corner[..3] != [255, 255, 255], "the bleed's corner is kraft: {corner:?}");
}

#[test]
fn pdfs_are_made_only_when_asked_for_and_removed_when_no_longer() {
    let site = Site::fixture("basic");
    assert_eq!(site.build(&[]).code, 0);
    assert!(!site.output("cards/love/card.pdf").exists(), "not made by default");
    let run = site.build(&["--outputs", "html,png,svg,pdf"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(site.output("cards/love/card.pdf").is_file());
    assert!(site.output("cards/orders/shipped/card.pdf").is_file());
    let pdf = std::fs::read(site.output("cards/love/card.pdf")).unwrap();
    // Unchanged: not made again; the same bytes from a second build.
    let run = site.build(&["--outputs", "html,png,svg,pdf"]);
    assert!(run.stderr.contains("(3 unchanged)"), "{}", run.stderr);
    assert_eq!(site.build(&["--outputs", "html,png,svg,pdf", "--output", "again"]).code, 0);
    assert!(std::fs::read(site.root().join("again/cards/love/card.pdf")).unwrap() == pdf, "two builds differ");
    // A new bleed makes the PDFs again (only they depend on it).
    site.add_settings("print:\n  bleed: 5mm\n");
    assert_eq!(site.build(&["--outputs", "html,png,svg,pdf"]).code, 0);
    if installed(POPPLER, Some("the PDF's TrimBox")) {
        assert_eq!(info(&site.output("cards/love/card.pdf"), "TrimBox"), "14.17 14.17 311.81 433.70");
    }
    assert_eq!(site.build(&[]).code, 0);
    assert!(!site.output("cards/love/card.pdf").exists(), "removed with the output");
}

#[test]
fn a_bad_bleed_is_reported_where_it_is_written() {
    let site = Site::fixture("basic");
    site.write("waxseal.yaml", "title: Shop\nprint:\n  bleed: 3cm\n");
    let run = site.build(&[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "waxseal.yaml:3:10: error: print.bleed: unknown unit `cm` in `3cm`: use mm, in or pt, such as `3mm` or `0.125in`"
        ),
        "{}",
        run.stderr
    );
    site.write("waxseal.yaml", "print:\n  bleed: 3\n");
    let run = site.run(&["print"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("waxseal.yaml:2:10: error: print.bleed: `3` has no unit: write `3mm`"),
        "{}",
        run.stderr
    );
}

#[test]
fn check_counts_the_pdf_without_drawing_it() {
    let site = Site::fixture("basic");
    site.add_settings("outputs: [html, pdf]\n");
    let run = site.run(&["check"]);
    assert_eq!(run.code, 0, "the card pages' PDF links resolve: {}", run.stderr);
    assert!(!site.output("").exists(), "nothing written");
}

/// Five A6 thank-you cards, to five people.
fn five_cards(site: &Site) {
    for (i, name) in ["Ada", "Bea", "Cy", "Dot", "Eli"].iter().enumerate() {
        site.write(
            &format!("content/thanks/{i}-{}.md", name.to_lowercase()),
            &format!("---\ntitle: Thank you\nto: {name}\n---\nDear {{{{ to }}}}, thank you for your order.\n"),
        );
    }
}

#[test]
fn print_imposes_a_fresh_sites_cards_four_a6_to_an_a4_sheet_in_one_command() {
    let site = Site::empty();
    five_cards(&site);
    site.write("content/orders/parcel.md", "---\nto: Fay\n---\nDear {{ to }}, your parcel is on its way.\n");
    let before = tree(site.root());
    let run = site.run(&["print", "--cards", "thanks/*"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .starts_with("printed 5 cards on 2 A4 sheets (4 a6 cards a sheet) into ./output/print/sheets-a4.pdf in "),
        "{}",
        run.stderr
    );
    // Only the sheets are written: no build.
    let after = tree(site.root());
    let new: Vec<&String> = after.keys().filter(|k| !before.contains_key(*k)).collect();
    assert_eq!(
        new,
        [".waxseal/.gitignore", ".waxseal/output/lock", ".waxseal/output/manifest", "output/print/sheets-a4.pdf"]
    );
    assert_eq!(std::fs::read_to_string(site.state("manifest")).unwrap().lines().nth(1), Some("print/sheets-a4.pdf"));
    if !installed(POPPLER, None) {
        return;
    }
    let pdf = site.output("print/sheets-a4.pdf");
    assert_eq!(info(&pdf, "Pages"), "2");
    assert_eq!(info(&pdf, "Page size"), "595.276 x 841.89 pts (A4)");
    let text = poppler("pdftotext", &[pdf.to_str().unwrap(), "-"]);
    for name in ["Ada", "Bea", "Cy", "Dot", "Eli"] {
        assert!(text.contains(&format!("Dear {name}, thank you")), "{name} is not on the sheets: {text}");
    }
    assert!(!text.contains("Fay"), "a card not chosen was printed");
    for (name, kind, flags) in fonts(&pdf) {
        assert_eq!(flags, "yes yes yes", "{name} ({kind})");
    }
    // The four cards touch; the cut lines between them carry their marks,
    // at the sheet's top edge on the middle line (dark there, paper beside).
    let page = draw(&pdf, 72, &["-f", "1", "-l", "1"]);
    let middle = page.width / 2;
    let dark = |x: u32, y: u32| page.pixel(x, y)[..3].iter().all(|c| *c < 140);
    assert!((4..20).all(|y| dark(middle, y) || dark(middle - 1, y)), "no cut mark on the middle line");
    assert!(!dark(middle - 6, 10) && !dark(middle + 6, 10));
}

#[test]
fn print_lays_5x7_cards_two_to_a_letter_sheet_and_a7_cards_eight_to_an_a4() {
    let site = Site::empty();
    for i in 0..3 {
        site.write(
            &format!("content/big/{i}.md"),
            &format!("---\nto: Gus {i}\nsize: 5x7\ntheme: kraft\n---\nDear {{{{ to }}}}, hello.\n"),
        );
    }
    for i in 0..9 {
        site.write(&format!("content/small/{i}.md"), &format!("---\nsize: a7\ntheme: classic\n---\nNote {i}.\n"));
    }
    let run = site.run(&["print", "--sheet", "letter", "--cards", "big/*"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("printed 3 cards on 2 Letter sheets (2 5x7 cards a sheet)"), "{}", run.stderr);
    let poppler = installed(POPPLER, Some("the sheets read back"));
    let letter = site.output("print/sheets-letter.pdf");
    if poppler {
        assert_eq!(info(&letter, "Page size"), "792 x 612 pts (letter)", "landscape");
        assert_eq!(info(&letter, "Pages"), "2");
        // A 6 mm gutter between the cards (17 pt): 792 - 720 - 17 leaves
        // 27.5 pt each side. Crop marks in the margin: on the left card's
        // left cut line, above the top of its bleed (0.75 in down, less 3 mm);
        // and on both cut lines either side of the gutter, 17 pt apart.
        let page = draw(&letter, 72, &["-f", "1", "-l", "1"]);
        let dark = |x: u32, y: u32| page.pixel(x, y)[..3].iter().all(|c| *c < 140);
        let marked = |x: u32| (30..40).any(|y| dark(x, y) || dark(x + 1, y));
        assert!(marked(27), "no crop mark above the left cut");
        assert!(!dark(27, 60) && page.pixel(27, 50)[..3] != [255, 255, 255], "the bleed is kraft, unmarked");
        assert!(marked(387) && marked(404), "no crop marks either side of the gutter");
        assert!(!(30..40).any(|y| dark(395, y)), "a mark in the gutter's middle");
    }

    let run = site.run(&["print", "--cards", "small/**"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("printed 9 cards on 2 A4 sheets (8 a7 cards a sheet)"), "{}", run.stderr);
    let a4 = site.output("print/sheets-a4.pdf");
    if poppler {
        assert_eq!(info(&a4, "Page size"), "841.89 x 595.276 pts (A4)", "landscape");
    }

    let run = site.run(&["print", "--cards", "nobody"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("error: no card matches `nobody`"), "{}", run.stderr);
}

#[test]
fn print_reports_a_card_it_cannot_make_and_prints_the_others() {
    let site = Site::empty();
    five_cards(&site);
    site.write("content/thanks/9-bad.md", "---\ntitle: Bad\nsize: a9\n---\nBody.\n");
    let run = site.run(&["print"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("content/thanks/9-bad.md:3:7: error: unknown card size `a9`"), "{}", run.stderr);
    assert!(run.stderr.contains("printed 5 cards on 2 A4 sheets"), "{}", run.stderr);
    if !installed(POPPLER, None) {
        return;
    }
    assert_eq!(info(&site.output("print/sheets-a4.pdf"), "Pages"), "2");
}

/// The lines of `stderr` that are problems and their hints, not the summary.
fn problems(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| l.contains(": error: ") || l.contains(": warning: ") || l.starts_with("  hint:"))
        .collect()
}

#[test]
fn print_finds_and_names_cards_as_the_build_does() {
    // The same site gives print and build the same problems, in the same
    // words: an unknown theme at the message's line, a slug used twice, a
    // merged message's row whose slug another row has.
    let site = Site::empty();
    five_cards(&site);
    site.write("content/thanks/6-velvet.md", "---\ntitle: Velvet\ntheme: velvte\n---\nBody.\n");
    site.write("content/thanks/7-twin.md", "---\ntitle: Twin\nslug: thanks/0-ada\n---\nBody.\n");
    site.write("content/rows.csv", "name\nAda\nAda\n");
    site.write(
        "content/merged.md",
        "---\nrecipients: rows.csv\nslug: merged/{{ recipient.name }}\n---\nDear {{ recipient.name }}.\n",
    );
    let (build, print) = (site.build(&[]), site.run(&["print"]));
    assert_eq!((build.code, print.code), (1, 1), "{}\n{}", build.stderr, print.stderr);
    assert!(print.stderr.contains("content/thanks/6-velvet.md:3:8: error: unknown theme `velvte`"), "{}", print.stderr);
    assert!(
        print.stderr.contains("slug `thanks/0-ada` is already used by content/thanks/0-ada.md"),
        "{}",
        print.stderr
    );
    assert!(print.stderr.contains("content/rows.csv:3:1: error: row 2: slug `merged/Ada` is already used by row 1"));
    assert_eq!(problems(&print.stderr), problems(&build.stderr));
    assert!(print.stderr.contains("printed 6 cards"), "{}", print.stderr);
}

#[test]
fn print_refuses_artwork_that_reaches_outside_the_theme() {
    let site = Site::empty();
    five_cards(&site);
    let card = include_str!("../../themes/chocolate/card.svg");
    let sneaky = card.replace(
        "{{ text | safe }}",
        "<image href=\"file:///etc/hostname\" width=\"9\" height=\"9\"/>{{ text | safe }}",
    );
    site.write("themes/chocolate/card.svg", &sneaky);
    let run = site.run(&["print"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("refers to `file:///etc/hostname`, outside the card"), "{}", run.stderr);
    assert!(!site.output("print/sheets-a4.pdf").exists());
}

#[test]
fn print_makes_a_card_for_every_row_of_a_merged_message() {
    let site = Site::fixture("merge");
    let run = site.run(&["print", "--cards", "thanks/*"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("printed 50 cards on 13 A4 sheets"), "{}", run.stderr);
    let sheets = site.output("print/sheets-a4.pdf");
    if installed(POPPLER, Some("the sheets read back")) {
        assert_eq!(info(&sheets, "Pages"), "13");
        let text = poppler("pdftotext", &[sheets.to_str().unwrap(), "-"]);
        assert_eq!(text.matches("Dear ").count(), 50, "{text}");
        assert!(text.contains("Thank you, Ann Archer"), "{text}");
    }
    // One row's card alone, by its slug.
    let run = site.run(&["print", "--cards", "thanks/A-101"]);
    assert!(run.stderr.contains("printed 1 card on 1 A4 sheet"), "{}", run.stderr);
}

/// WCAG's contrast ratio of two `#rrggbb` colours, from 1 to 21.
fn contrast(a: &str, b: &str) -> f64 {
    let luminance = |color: &str| {
        let [r, g, b] = hex(color).map(|c| {
            let c = f64::from(c) / 255.0;
            if c <= 0.03928 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        });
        0.2126 * r + 0.7152 * g + 0.0722 * b
    };
    let (x, y) = (luminance(a), luminance(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

#[test]
fn every_themes_ink_and_emphasis_read_on_its_paper_at_4_5_to_1() {
    // Body text and emphasised words (the accent: also links, kraft's
    // title, minimal's signature) are small type: WCAG's 4.5:1 for print
    // as for the screen.
    let root = tempfile::tempdir().unwrap();
    let mut low = Vec::new();
    for name in waxseal::theme::built_in_names() {
        let theme = waxseal::theme::load(root.path(), name).unwrap();
        let p = &theme.spec.palette;
        for (role, color) in [("ink", &p.ink), ("accent", &p.accent)] {
            let ratio = contrast(color, &p.paper);
            if ratio < 4.5 {
                low.push(format!("{name}: {role} {color} on {} is {ratio:.2}:1", p.paper));
            }
        }
    }
    assert!(low.is_empty(), "{low:#?}");
}

/// How far, in pixels, the nearest ink of `card` is from its edges (from
/// the cut), leaving out art that runs off the edge into the bleed (a row
/// or column whose ink touches the edge); ink is a pixel further than 40
/// levels from the paper's tones (between `paper` and `edge`), outside the
/// `seal`'s box (x, y, width, height). `None` when nothing is nearer than
/// `band` pixels.
fn nearest_ink(card: &Image, paper: &str, edge: &str, band: u32, seal: [f32; 4]) -> Option<(u32, &'static str)> {
    let (a, b) = (hex(paper).map(f32::from), hex(edge).map(f32::from));
    let ink = |x: u32, y: u32| {
        let [sx, sy, sw, sh] = seal;
        if (sx..sx + sw).contains(&(x as f32)) && (sy..sy + sh).contains(&(y as f32)) {
            return false;
        }
        let p = card.pixel(x, y).map(f32::from);
        let ab: f32 = (0..3).map(|c| (b[c] - a[c]).powi(2)).sum();
        let t = ((0..3).map(|c| (p[c] - a[c]) * (b[c] - a[c])).sum::<f32>() / ab.max(1.0)).clamp(0.0, 1.0);
        (0..3).map(|c| (p[c] - (a[c] + t * (b[c] - a[c]))).abs()).fold(0.0, f32::max) > 40.0
    };
    let (w, h) = (card.width, card.height);
    // A pixel of each side, at depth d along line i.
    let at = |side: &str, i: u32, d: u32| match side {
        "left" => (d, i),
        "right" => (w - 1 - d, i),
        "top" => (i, d),
        _ => (i, h - 1 - d),
    };
    let ink_at = |side: &str, i: u32, d: u32| {
        let (x, y) = at(side, i, d);
        ink(x, y)
    };
    let mut nearest: Option<(u32, &str)> = None;
    for (side, lines) in [("left", h), ("right", h), ("top", w), ("bottom", w)] {
        for i in 0..lines {
            // Art that runs off the edge here (its antialiased rim too).
            if (i.saturating_sub(4)..(i + 5).min(lines)).any(|j| ink_at(side, j, 0)) {
                continue;
            }
            if let Some(d) = (0..band).find(|d| ink_at(side, i, *d)) {
                if nearest.is_none_or(|(n, _)| d < n) {
                    nearest = Some((d, side));
                }
            }
        }
    }
    nearest
}

/// The box the seal and its shadow take on a card (x, y, width, height in
/// pixels), from its SVG: the region of the seal layer's first filter (its
/// shadow). The seal is not border art: where it goes is the seal's
/// business, tested with the seal.
fn seal_box(svg: &str) -> [f32; 4] {
    let layer = &svg[svg.find("id=\"waxseal-seal\"").expect("a seal layer")..];
    let filter = &layer[layer.find("<filter ").expect("a shadow")..];
    let filter = &filter[..filter.find('>').unwrap()];
    ["x", "y", "width", "height"].map(|name| {
        let at = filter.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
        filter[at..at + filter[at..].find('"').unwrap()].parse().unwrap()
    })
}

#[test]
fn border_art_keeps_6_mm_inside_the_cut_on_every_theme_and_size() {
    // A cut is off by a millimetre or two: art nearer the edge than 6 mm
    // shows it (a frame that runs parallel to the cut and closer to one
    // side than the other). Art may run off the edge into the bleed.
    let site = Site::empty();
    let (themes, sizes) = (["chocolate", "classic", "kraft", "minimal"], ["a6", "a7", "square", "a6-landscape"]);
    for theme in themes {
        for size in sizes {
            site.write(
                &format!("content/{theme}/{size}.md"),
                &format!("---\ntitle: Thank you\ntheme: {theme}\nsize: {size}\n---\nMade with *love*.\n"),
            );
        }
    }
    site.write("waxseal.yaml", "outputs: [png, svg]\n");
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let root = tempfile::tempdir().unwrap();
    let mut near = Vec::new();
    for theme in themes {
        let palette = waxseal::theme::load(root.path(), theme).unwrap().spec.palette;
        for size in sizes {
            let card = site.png(&format!("cards/{theme}/{size}/card.png"));
            let seal = seal_box(&site.read(&format!("cards/{theme}/{size}/card.svg")));
            // 300 dpi: 6 mm is 70.9 px.
            let band = (6.0 / 25.4 * 300.0_f32).ceil() as u32;
            if let Some((d, side)) = nearest_ink(&card, &palette.paper, &palette.paper_edge, band, seal) {
                near.push(format!("{theme} {size}: art {:.1} mm from the {side} edge", d as f32 / 300.0 * 25.4));
            }
        }
    }
    assert!(near.is_empty(), "{near:#?}");
}

/// The text of `pdf`'s objects that are not streams: the catalog, the
/// output intent, the structure tree (krilla writes them uncompressed).
fn objects(pdf: &Path) -> String {
    String::from_utf8_lossy(&std::fs::read(pdf).unwrap()).into_owned()
}

#[test]
fn a_card_pdf_is_tagged_pdf_a_with_an_srgb_output_intent() {
    // What a print shop's preflight and a screen reader look for: PDF/A-2
    // (colours in sRGB, named by the output intent; fonts embedded), and
    // the text tagged as a heading, paragraphs and the signature, in
    // reading order, the artwork marked as artwork and the seal a figure
    // with its alt text.
    let site = Site::empty();
    card_to_marguerite(&site, "marguerite", "chocolate");
    site.write("content/de.md", "---\ntitle: Danke\nlang: de\n---\nVielen Dank für *alles*.\n\nBis bald!\n");
    site.write("waxseal.yaml", "outputs: [pdf]\nprint:\n  marks: true\n");
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    if !installed(POPPLER, None) {
        return;
    }
    for (slug, lang, heading, paragraph) in [
        ("marguerite", "en", "For Marguerite", "Dear Marguerite, your order was made with love and wrapped in tissue."),
        ("de", "de", "Danke", "Vielen Dank für alles."),
    ] {
        let pdf = site.output(&format!("cards/{slug}/card.pdf"));
        let info = poppler("pdfinfo", &[pdf.to_str().unwrap()]);
        assert!(info.lines().any(|l| l.starts_with("Tagged:") && l.ends_with(" yes")), "{slug}: {info}");
        // The catalog's output intent, and the XMP metadata that names the standards.
        let raw = objects(&pdf);
        assert!(raw.contains("/OutputIntents"), "{slug}: no output intent");
        assert!(raw.contains("/S/GTS_PDFA1") && raw.contains("/OutputCondition(sRGB)"), "{slug}: not sRGB");
        for standard in ["pdfaid:part>2<", "pdfaid:conformance>A<", "pdfuaid:part>1<"] {
            assert!(raw.contains(standard), "{slug}: no {standard}");
        }
        assert!(raw.contains(&format!("/Lang({lang})")), "{slug}: the language is not {lang}");
        // The structure, as a screen reader reads it: the title a heading,
        // the message paragraphs (words kept apart across lines), the
        // signature, the seal a figure with its alt text.
        let tree = poppler("pdfinfo", &["-struct-text", pdf.to_str().unwrap()]);
        assert!(tree.contains(&format!("H1 \"{heading}\"")), "{slug}: {tree}");
        assert!(tree.contains(&format!("P (block)\n    \"{paragraph}\"")), "{slug}: {tree}");
        assert!(tree.contains("  Figure"), "{slug}: {tree}");
        assert!(raw.contains("/Alt(A wax seal pressed with a heart)"), "{slug}: the seal's alt text");
    }
    let tree = poppler("pdfinfo", &["-struct-text", site.output("cards/marguerite/card.pdf").to_str().unwrap()]);
    assert!(tree.contains("P (block)\n    \"with love, Bev\""), "{tree}");
}
