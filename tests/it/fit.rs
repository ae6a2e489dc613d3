//! How large a card's text is set, and where: a short note grows and sits at
//! the optical centre of the free band, the title stays above the
//! signature, a signature breaks after its sign-off words, and a long story
//! still fits. Sizes and positions are read from each `card.svg`, where every
//! line of text is a group of glyph outlines.

use std::collections::HashMap;
use std::process::Command;

use resvg::usvg::roxmltree;

use crate::support::{installed, Site};

const THEMES: [&str; 4] = ["chocolate", "classic", "kraft", "minimal"];

/// The ink of one line of text in card pixels.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ink {
    pub(crate) top: f32,
    pub(crate) bottom: f32,
    /// The baseline.
    base: f32,
    /// The top of the line's first letter.
    first_top: f32,
}

impl Ink {
    /// The height of the line's tallest letters above its baseline.
    fn height(&self) -> f32 {
        self.base - self.top
    }

    /// The height of the line's first letter above its baseline: its cap
    /// height, when the line starts with a capital.
    fn cap(&self) -> f32 {
        self.base - self.first_top
    }
}

/// The bounding box of an outline's points, in font units (y up): control
/// points included, so a curve's box is a hair generous.
fn outline_box(d: &str) -> Option<(f32, f32)> {
    let numbers: Vec<f32> = d
        .split(|c: char| c.is_ascii_alphabetic() || c == ' ' || c == ',')
        .flat_map(|part| {
            // "5-10.5" holds two numbers: split before each minus sign.
            let mut out = Vec::new();
            let mut start = 0;
            for (i, c) in part.char_indices() {
                if c == '-' && i > start {
                    out.push(&part[start..i]);
                    start = i;
                }
            }
            out.push(&part[start..]);
            out
        })
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect();
    let ys = numbers.chunks(2).filter_map(|p| p.get(1).copied());
    ys.fold(None, |acc, y| match acc {
        None => Some((y, y)),
        Some((lo, hi)) => Some((f32::min(lo, y), f32::max(hi, y))),
    })
}

/// The ink of each line of text of a card, top to bottom.
pub(crate) fn lines(svg: &str) -> Vec<Ink> {
    let doc = roxmltree::Document::parse(svg).unwrap();
    let glyphs: HashMap<&str, (f32, f32)> = doc
        .descendants()
        .filter(|n| n.has_tag_name("path") && n.attribute("id").is_some_and(|id| id.starts_with("wg")))
        .filter_map(|n| Some((n.attribute("id")?, outline_box(n.attribute("d")?)?)))
        .collect();
    let text = doc.descendants().find(|n| n.attribute("id") == Some("waxseal-text")).expect("the card's text");
    let mut out = Vec::new();
    for line in text.children().filter(|n| n.is_element()) {
        let mut ink: Option<Ink> = None;
        for scaled in line.descendants().filter(|n| n.attribute("transform").is_some_and(|t| t.starts_with("scale("))) {
            let t = scaled.attribute("transform").unwrap();
            let k: f32 = t["scale(".len()..].split(' ').next().unwrap().parse().unwrap();
            for glyph in scaled.children().filter(|n| n.has_tag_name("use")) {
                let href = glyph.attribute(("http://www.w3.org/1999/xlink", "href")).unwrap();
                let y: f32 = glyph.attribute("y").unwrap().parse().unwrap();
                let Some((lo, hi)) = glyphs.get(&href[1..]) else { continue };
                let (top, bottom, base) = (-k * (hi + y), -k * (lo + y), -k * y);
                ink = Some(match ink {
                    None => Ink { top, bottom, base, first_top: top },
                    Some(i) => Ink { top: i.top.min(top), bottom: i.bottom.max(bottom), ..i },
                });
            }
        }
        out.extend(ink);
    }
    out
}

/// The text box of a built-in theme on an A6 card, as fractions of the
/// card's height: the free band between the head art and the seal.
/// The free band the text is set in on an A6 card, as fractions of the
/// card's height: the theme's text box, as cut back to keep clear of the
/// seal and the border art.
fn band(site: &Site, theme: &str) -> (f32, f32) {
    let laid = waxseal::theme::load(site.root(), theme).unwrap();
    let size = waxseal::size::CardSize::named("a6", 300).unwrap();
    let text_box = waxseal::render::boxes(&laid, size).text_box;
    let height = size.height as f32;
    (text_box.y / height, (text_box.y + text_box.height) / height)
}

fn card(site: &Site, slug: &str) -> Vec<Ink> {
    lines(&site.read(&format!("cards/{slug}/card.svg")))
}

#[test]
fn a_three_word_note_fills_a_quarter_of_the_card_at_the_optical_centre_of_its_band() {
    let site = Site::empty();
    for theme in THEMES {
        site.write(
            &format!("content/{theme}.md"),
            &format!("---\nfrom: Beverly\ntheme: {theme}\nsize: a6\n---\nThanks, Deb!\n"),
        );
    }
    let run = site.build(&["--outputs", "svg"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for theme in THEMES {
        let ink = card(&site, theme);
        let height = 1748.0;
        let (top, bottom) = (ink[0].top, ink.last().unwrap().bottom);
        let share = (bottom - top) / height;
        // Today's 13 % left ~50 mm of bare paper above and below the note.
        assert!(share >= 0.2, "{theme}: the note and signature fill {:.0} % of the card's height", share * 100.0);
        let (band_top, band_bottom) = band(&site, theme);
        let centre = ((top + bottom) / 2.0 / height - band_top) / (band_bottom - band_top);
        // The optical centre: a little above the geometric one.
        assert!((0.40..=0.5).contains(&centre), "{theme}: the block's centre is at {:.2} of the free band", centre);
    }
}

#[test]
fn the_titles_capitals_stand_a_quarter_taller_than_the_names_even_when_long() {
    let site = Site::empty();
    let titles = [
        ("short", "Thank you, Deb"),
        ("long", "A very warm thank you for the kindest words anyone has ever written about our little shop"),
    ];
    for theme in THEMES {
        for (kind, title) in titles {
            site.write(
                &format!("content/{theme}-{kind}.md"),
                &format!(
                    "---\ntitle: {title}\nfrom: Sam Rowan\ntheme: {theme}\n---\n\
                     We read your review out loud at the studio and it made our whole week.\n"
                ),
            );
        }
    }
    let run = site.build(&["--outputs", "svg"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for theme in THEMES {
        for (kind, _) in titles {
            let ink = card(&site, &format!("{theme}-{kind}"));
            let (title, name) = (ink[0], *ink.last().unwrap());
            // The title's first capital ("T", "A") over the name's tallest
            // letters: its capitals, as "Sam Rowan" has no ascenders.
            let ratio = title.cap() / name.height();
            assert!(ratio >= 1.25, "{theme}, {kind} title: its cap height is {ratio:.2} times the name's");
        }
    }
}

#[test]
fn a_wrapping_signature_breaks_after_the_sign_off_words_and_never_after_and() {
    if !installed(&["pdftotext"], Some("the card's lines, read from its PDF")) {
        return;
    }
    let site = Site::empty();
    site.write("waxseal.yaml", "outputs: [pdf]\n");
    for theme in THEMES {
        site.write(
            &format!("content/{theme}.md"),
            &format!(
                "---\nfrom: Beverly & the Mossbrook kitchen\ntheme: {theme}\nsize: a7\n---\n\
                 Your order has shipped and should reach you by Friday.\n"
            ),
        );
    }
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for theme in THEMES {
        let pdf = site.output(&format!("cards/{theme}/card.pdf"));
        let out = Command::new("pdftotext").args([pdf.to_str().unwrap(), "-"]).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
        let sign_off =
            lines.iter().position(|l| l.starts_with(char::is_lowercase) && l.contains(',') && !l.contains("Friday"));
        let sign_off = sign_off.unwrap_or_else(|| panic!("{theme}: no sign-off line in {lines:?}"));
        assert!(lines[sign_off].ends_with(','), "{theme}: the sign-off line is {:?}", lines[sign_off]);
        for line in &lines[sign_off..] {
            let last = line.rsplit(' ').next().unwrap();
            assert!(!["&", "and", "the"].contains(&last), "{theme}: a signature line ends in {last:?}: {lines:?}");
        }
    }
}

#[test]
fn a_two_hundred_word_story_still_fits_every_theme() {
    let story = "Once upon a Tuesday, a skein of undyed wool arrived at the studio, a little shy and very soft. \
                 Beverly took one look at it and said, *this one wants to be mittens*.\n\n"
        .repeat(6);
    let site = Site::empty();
    for theme in THEMES {
        site.write(
            &format!("content/{theme}.md"),
            &format!("---\ntitle: The journey of your mittens\nfrom: Beverly\ntheme: {theme}\n---\n{story}"),
        );
    }
    let run = site.build(&["--outputs", "svg"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for theme in THEMES {
        let ink = card(&site, theme);
        let (band_top, band_bottom) = band(&site, theme);
        let (top, bottom) = (ink[0].top / 1748.0, ink.last().unwrap().bottom / 1748.0);
        // Script descenders may dip a little below the box, as they always have.
        assert!(
            top >= band_top - 0.01 && bottom <= band_bottom + 0.02,
            "{theme}: the story runs {top:.3}..{bottom:.3}"
        );
    }
}

/// The median distance between the baselines of a card's body lines
/// (between its title and its sign-off), in pixels: its size times its
/// leading, whatever letters the lines hold.
fn body_pitch(site: &Site, slug: &str) -> f32 {
    let lines = card(site, slug);
    let body = &lines[1..lines.len() - 2];
    let mut pitches: Vec<f32> = body.windows(2).map(|w| w[1].base - w[0].base).collect();
    pitches.sort_by(f32::total_cmp);
    pitches[pitches.len() / 2]
}

#[test]
fn an_a7_card_with_a_logo_and_a_qr_code_keeps_its_text_as_large_as_without_them() {
    // The logo and the code give way (the logo smaller, the code to its
    // least, the seal over) before the text is set small: the body keeps
    // at least 85 % of its size on the same card without them (a code
    // reads only down to 0.4 mm a module, and its label takes a line).
    let site = Site::empty();
    site.write("waxseal.yaml", "base_url: https://shop.example/\noutputs: [html, png, svg]\n");
    let logo = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"90\" height=\"30\"><rect width=\"90\" height=\"30\" fill=\"#148c78\"/></svg>";
    site.write("static/logo.svg", logo);
    let words = "Your vase was thrown, glazed and fired by *Beverly*, our very own craft genius. We packed it \
                 in plenty of paper so it reaches you whole, and we hope it holds many bunches of flowers on \
                 your table this spring.";
    for theme in THEMES {
        let head = format!("title: Thank you, Deb\nfrom: Beverly\ntheme: {theme}\nsize: a7\n");
        let both = "logo: /logo.svg\nqr: https://shop.example/review\nqr_label: Scan to leave a review\n";
        site.write(&format!("content/{theme}-bare.md"), &format!("---\n{head}---\n{words}\n"));
        site.write(&format!("content/{theme}-both.md"), &format!("---\n{head}{both}---\n{words}\n"));
    }
    let run = site.build(&["--outputs", "svg"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for theme in THEMES {
        let (bare, both) = (body_pitch(&site, &format!("{theme}-bare")), body_pitch(&site, &format!("{theme}-both")));
        assert!(
            both >= bare * 0.85,
            "{theme}: the body's lines {both:.1} px apart with a logo and a code, {bare:.1} px without"
        );
    }
}
