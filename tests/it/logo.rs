//! The shop's logo (`logo:`) where each theme places it and nowhere in the
//! text, as a PNG or an SVG, once at full size in the print PDF; a scanned
//! signature (`signature:`) in place of the sender's name, tinted with the
//! theme's ink when asked; and a logo or signature that cannot be drawn an
//! error at its key while the other cards are built. The pictures are made
//! by the tests.

use std::process::Command;

use crate::support::{installed, solid_png as png, write_bytes, Site, INK};

const TEAL: &str = "#148c78";
const MAGENTA: &str = "#c814a0";

/// A part of a card: left, top, right and bottom, as fractions of its size.
type Region = (f32, f32, f32, f32);

/// Where each built-in theme draws the logo on an A6 card (fractions:
/// left, top, right, bottom), and where its text is set below it.
const LOGO_REGIONS: [(&str, Region); 4] = [
    ("chocolate", (0.25, 0.06, 0.75, 0.17)),
    ("classic", (0.28, 0.06, 0.72, 0.16)),
    ("kraft", (0.08, 0.06, 0.68, 0.18)),
    ("minimal", (0.12, 0.05, 0.46, 0.13)),
];
const TEXT: Region = (0.08, 0.2, 0.92, 0.8);

/// A site whose waxseal.yaml gives `settings`, a card per theme, A6 at 150 dpi.
fn site_per_theme(settings: &str) -> Site {
    let site = Site::empty();
    site.write("waxseal.yaml", &format!("dpi: 150\noutputs: [html, png, svg]\n{settings}"));
    for (theme, _) in LOGO_REGIONS {
        site.write(
            &format!("content/{theme}.md"),
            &format!("---\ntitle: Thank you\nfrom: Beverly\ntheme: {theme}\n---\nYour vase left the studio today, wrapped in tissue.\n"),
        );
    }
    site
}

fn logo_in_each_theme_s_place(site: &Site) {
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for (theme, region) in LOGO_REGIONS {
        let card = site.png(&format!("cards/{theme}/card.png"));
        let shown = card.count_near(TEAL, 12, region);
        assert!(shown > 3_000, "{theme}: {shown} logo pixels in its place");
        assert_eq!(card.count_near(TEAL, 12, TEXT), 0, "{theme}: the logo reaches the text");
    }
}

#[test]
fn a_png_logo_is_drawn_where_each_theme_places_it_and_not_in_the_text() {
    let site = site_per_theme("logo: static/logo.png\n");
    write_bytes(&site, "static/logo.png", &png(300, 100, TEAL, 0));
    logo_in_each_theme_s_place(&site);
    // `logo: false` leaves the site's logo off one card.
    site.write("content/plain.md", "---\ntitle: Thank you\nlogo: false\n---\nNo logo on this one.\n");
    assert_eq!(site.build(&[]).code, 0);
    assert_eq!(site.png("cards/plain/card.png").count_near(TEAL, 12, (0.0, 0.0, 1.0, 1.0)), 0);
}

#[test]
fn an_svg_logo_is_drawn_where_each_theme_places_it_and_not_in_the_text() {
    let site = site_per_theme("logo: brand/logo.svg\n");
    let svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="90" height="30" viewBox="0 0 90 30"><rect width="90" height="30" fill="{TEAL}"/></svg>"#
    );
    site.write("brand/logo.svg", &svg);
    logo_in_each_theme_s_place(&site);
}

#[test]
fn the_print_pdf_holds_the_logo_once_at_its_full_size() {
    let site = Site::empty();
    site.write("waxseal.yaml", "logo: logo.png\noutputs: [html, png, pdf]\n");
    write_bytes(&site, "assets/logo.png", &png(777, 259, TEAL, 0));
    site.write("content/a.md", "---\ntitle: Thank you\n---\nA note.\n");
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    if !installed(&["pdfimages"], Some("the PDF's pictures")) {
        return;
    }
    let pdf = site.output("cards/a/card.pdf");
    let out = Command::new("pdfimages").args(["-list", pdf.to_str().unwrap()]).output().unwrap();
    let list = String::from_utf8_lossy(&out.stdout);
    let sizes = |l: &&str| {
        let cols: Vec<&str> = l.split_whitespace().collect();
        cols.get(3) == Some(&"777") && cols.get(4) == Some(&"259") && cols.get(2) == Some(&"image")
    };
    assert_eq!(list.lines().filter(sizes).count(), 1, "the logo once at 777 x 259:\n{list}");
}

/// A card signed by Beverly with a scanned signature, in chocolate (its
/// name set right, in the lower part of the text).
fn signed_site(extra: &str) -> Site {
    let site = Site::empty();
    site.write("waxseal.yaml", "dpi: 150\noutputs: [html, png, svg, pdf]\n");
    write_bytes(&site, "content/sig.png", &png(400, 160, MAGENTA, 20));
    site.write(
        "content/signed.md",
        &format!(
            "---\ntitle: Thank you\nfrom: Beverly\nsignature: sig.png\n{extra}---\nYour vase left the studio today.\n"
        ),
    );
    site
}

/// Where chocolate sets the name on the signed card: the right half of
/// the text box's lower part.
const NAME: Region = (0.45, 0.35, 0.88, 0.8);

#[test]
fn a_scanned_signature_is_drawn_in_place_of_the_name_and_the_words_stay_in_type() {
    let site = signed_site("");
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let card = site.png("cards/signed/card.png");
    let shown = card.count_near(MAGENTA, 12, NAME);
    assert!(shown > 5_000, "{shown} signature pixels where the name goes");
    assert_eq!(card.count_near(MAGENTA, 12, (0.0, 0.0, 1.0, 0.35)), 0, "the signature is not above the text");
    // The picture, and no glyph of the name: the card's one picture.
    let svg = site.read("cards/signed/card.svg");
    assert_eq!(svg.matches("<image").count(), 1, "the signature is the card's one picture");
    // The page and the PDF's text still name the sender in words.
    assert!(site.read("cards/signed/index.html").contains("Beverly"));
    if installed(&["pdftotext"], Some("the PDF's text")) {
        let pdf = site.output("cards/signed/card.pdf");
        let out = Command::new("pdftotext").args([pdf.to_str().unwrap(), "-"]).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("with love,"), "the sign-off in type:\n{text}");
        assert!(!text.contains("Beverly"), "the name is drawn by the signature, not set:\n{text}");
    }
}

#[test]
fn a_tinted_signature_is_drawn_in_the_theme_s_ink() {
    let site = signed_site("signature_tint: true\n");
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let card = site.png("cards/signed/card.png");
    assert_eq!(card.count_near(MAGENTA, 30, NAME), 0, "the signature keeps its own colour");
    let inked = card.count_near(INK, 6, NAME);
    assert!(inked > 5_000, "{inked} pixels of the ink where the name goes");
}

#[test]
fn a_logo_or_signature_that_cannot_be_drawn_is_an_error_at_its_key() {
    let site = Site::empty();
    site.write("waxseal.yaml", "dpi: 150\nlogo: nope.png\n");
    site.write("content/own.md", "---\ntitle: Hi\nlogo: missing.png\n---\nA note.\n");
    // A 20,000 x 20,000 PNG header: refused before a pixel is decoded.
    let mut bomb = png(1, 1, TEAL, 0);
    bomb[16..20].copy_from_slice(&20_000u32.to_be_bytes());
    bomb[20..24].copy_from_slice(&20_000u32.to_be_bytes());
    write_bytes(&site, "content/big.png", &bomb);
    site.write("content/huge.md", "---\ntitle: Hi\nfrom: Bev\nlogo: false\nsignature: big.png\n---\nA note.\n");
    site.write("content/fine.md", "---\ntitle: Hi\nlogo: false\n---\nA note.\n");
    site.write("content/site.md", "---\ntitle: Hi\n---\nThe site's logo.\n");
    let run = site.build(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    for line in [
        "content/own.md:3:7: error: cannot draw the logo `missing.png`: no such file next to the message, nor in the site's static/ or assets/ folder",
        "content/huge.md:5:12: error: cannot draw the signature `big.png`: it is 20000 x 20000 pixels; a picture may have at most 50 million pixels and sides of at most 8000 pixels",
        "waxseal.yaml:2:7: error: cannot draw the logo `nope.png`: no such file in the site folder, nor in its static/ or assets/ folder",
        "  hint: waxseal.yaml's `logo:` is read from the site folder (where waxseal.yaml is), then from its static/ and assets/ folders",
    ] {
        assert!(run.stderr.contains(line), "missing {line:?} in:\n{}", run.stderr);
    }
    assert!(site.output("cards/fine/card.png").is_file(), "the good card is built");
    for slug in ["own", "huge", "site"] {
        assert!(!site.output(&format!("cards/{slug}/card.png")).exists(), "{slug} is built");
    }
}

/// The rows of `card` that hold a pixel of `color`: the first and the last.
fn ink_rows(card: &crate::support::Image, color: &str) -> Option<(u32, u32)> {
    let [r, g, b] = crate::support::hex(color);
    let near = |p: [u8; 4]| p[0].abs_diff(r) <= 12 && p[1].abs_diff(g) <= 12 && p[2].abs_diff(b) <= 12;
    let rows: Vec<u32> = (0..card.height).filter(|y| (0..card.width).any(|x| near(card.pixel(x, *y)))).collect();
    Some((*rows.first()?, *rows.last()?))
}

#[test]
fn a_signature_is_sized_by_its_ink_not_by_the_margins_of_its_scan() {
    // The same signature scanned tight and with 200 transparent pixels
    // all round: a card draws both the same size.
    let site = Site::empty();
    site.write("waxseal.yaml", "dpi: 150\noutputs: [html, png]\n");
    write_bytes(&site, "content/tight.png", &png(400, 160, MAGENTA, 0));
    write_bytes(&site, "content/loose.png", &png(800, 560, MAGENTA, 200));
    for scan in ["tight", "loose"] {
        site.write(
            &format!("content/{scan}.md"),
            &format!(
                "---\ntitle: Thank you\nfrom: Beverly\nsignature: {scan}.png\n---\nYour vase left the studio today.\n"
            ),
        );
    }
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let height = |scan: &str| {
        let (top, bottom) = ink_rows(&site.png(&format!("cards/{scan}/card.png")), MAGENTA).expect("the signature");
        (bottom - top + 1) as f32
    };
    let (tight, loose) = (height("tight"), height("loose"));
    assert!(tight > 20.0, "{tight} px");
    assert!((loose / tight - 1.0).abs() <= 0.05, "the tight scan's ink {tight} px tall, the loose one's {loose} px");
}

#[test]
fn a_small_card_short_of_room_for_its_scanned_signature_builds_and_keeps_the_sign_off_words() {
    // Kraft's A7 card with a photo, a QR code and a scanned signature has
    // no room for the scan at its usual size: it is drawn smaller, under
    // the sign-off words, rather than the words given up for it.
    let site = Site::empty();
    site.write("waxseal.yaml", "theme: kraft\nsize: a7\noutputs: [html, png, pdf]\n");
    write_bytes(&site, "content/vase.png", &png(1600, 1200, TEAL, 0));
    write_bytes(&site, "content/sig.png", &png(400, 160, MAGENTA, 0));
    site.write(
        "content/mira.md",
        "---\ntitle: Thank you, Mira\nfrom: Beverly\nsignature: sig.png\nqr: https://shop.example/review\n\
         qr_label: Scan to leave a review\n---\nYour vase was thrown, glazed and fired by *Beverly* at the wheel \
         under the studio window. We hope it holds many bunches of flowers.\n\n\
         ![The vase](vase.png \"=70% Fresh from the kiln\")\n",
    );
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let page = site.read("cards/mira/index.html");
    assert!(page.contains(">sent with care,</p>"), "the sign-off words on their own line:\n{page}");
    let (top, bottom) = ink_rows(&site.png("cards/mira/card.png"), MAGENTA).expect("the signature drawn");
    assert!(bottom - top > 20, "the signature {} px tall", bottom - top);
    if installed(&["pdftotext"], Some("the card's sign-off words")) {
        let out = Command::new("pdftotext").arg(site.output("cards/mira/card.pdf")).arg("-").output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("sent with care,"), "{text}");
    }
}
