//! Pictures in messages (`![alt](file)`): drawn in the card's text flow the
//! right way up and in their colours, embedded once at full size in the
//! print PDF, and every bad picture (missing, damaged, too many pixels,
//! outside the site) a diagnostic at its `![` while the other cards are
//! built. The pictures are made by the tests.

use std::process::Command;

use crate::serve::Server;
use crate::support::{installed, until, write_bytes, Image, Site, TEXT_BOX};

const RED: [u8; 3] = [210, 30, 30];
const BLUE: [u8; 3] = [30, 50, 200];

/// A JPEG of `width` x `height` pixels coloured by `color(x, y)`, with an
/// EXIF orientation when `orientation` is given.
fn jpeg(width: u16, height: u16, orientation: Option<u8>, color: impl Fn(u16, u16) -> [u8; 3]) -> Vec<u8> {
    let mut pixels = Vec::with_capacity(width as usize * height as usize * 3);
    for y in 0..height {
        for x in 0..width {
            pixels.extend(color(x, y));
        }
    }
    let mut out = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, 92);
    if let Some(orientation) = orientation {
        // EXIF: a big-endian TIFF header and one IFD entry, Orientation (0x0112), a SHORT.
        let mut exif = b"Exif\0\0MM\0\x2a\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01\0".to_vec();
        exif.extend([orientation, 0, 0, 0, 0, 0, 0]);
        encoder.add_app_segment(1, exif).unwrap();
    }
    encoder.encode(&pixels, width, height, jpeg_encoder::ColorType::Rgb).unwrap();
    out
}

/// A PNG of `width` x `height` pixels of noise (it does not compress: half
/// of it holds half of the picture).
fn noisy_png(width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgb);
    let mut seed = 7u32;
    let data: Vec<u8> = (0..width * height * 3)
        .map(|_| {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            (seed >> 16) as u8
        })
        .collect();
    encoder.write_header().unwrap().write_image_data(&data).unwrap();
    out
}

/// A PNG header that says `side` x `side` pixels, and nothing after it.
fn bomb_png(side: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, side, side);
    encoder.set_color(png::ColorType::Rgb);
    // The header is written; the writer, never given pixels, is not finished.
    std::mem::forget(encoder.write_header().unwrap());
    out
}

/// The mean (x, y) of the pixels of `image` within `tolerance` of `color`
/// inside `region` (fractions), and how many there are.
fn centre_of(image: &Image, color: [u8; 3], tolerance: u8, region: (f32, f32, f32, f32)) -> (f32, f32, usize) {
    let (x0, y0) = ((region.0 * image.width as f32) as u32, (region.1 * image.height as f32) as u32);
    let (x1, y1) = ((region.2 * image.width as f32) as u32, (region.3 * image.height as f32) as u32);
    let (mut sx, mut sy, mut n) = (0.0, 0.0, 0usize);
    for y in y0..y1 {
        for x in x0..x1 {
            let p = image.pixel(x, y);
            if (0..3).all(|i| p[i].abs_diff(color[i]) <= tolerance) {
                (sx, sy, n) = (sx + x as f32, sy + y as f32, n + 1);
            }
        }
    }
    (sx / n.max(1) as f32, sy / n.max(1) as f32, n)
}

#[test]
fn a_photo_turned_by_its_exif_orientation_is_drawn_the_right_way_up() {
    // Seen the right way up, 400 x 300: red above, blue below. Stored turned
    // a quarter left (its left half red), with orientation 6 ("turn it a
    // quarter right to show it").
    let site = Site::empty();
    let stored = jpeg(300, 400, Some(6), |x, _| if x < 150 { RED } else { BLUE });
    write_bytes(&site, "content/turned/photo.jpg", &stored);
    site.write(
        "content/turned/note.md",
        "---\ntitle: Hello\nfrom: Bev\n---\nA photo:\n\n![red over blue](photo.jpg)\n\nThe end.\n",
    );
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let card = site.png("cards/turned/note/card.png");
    let (red_x, red_y, reds) = centre_of(&card, RED, 40, TEXT_BOX);
    let (blue_x, blue_y, blues) = centre_of(&card, BLUE, 40, TEXT_BOX);
    assert!(reds > 20_000 && blues > 20_000, "{reds} red and {blues} blue pixels");
    assert!(red_y < blue_y - 50.0, "red at y {red_y} is not above blue at y {blue_y}");
    assert!((red_x - blue_x).abs() < 5.0, "red at x {red_x}, blue at x {blue_x}: side by side");
    // Centred on the card's text.
    assert!((red_x / card.width as f32 - 0.5).abs() < 0.03, "the picture's centre is at x {red_x}");
}

#[test]
fn a_cmyk_jpeg_is_drawn_in_its_colours() {
    let site = Site::empty();
    // Cyan 0, magenta and yellow full, black 0: red, in a printer's colours.
    let (width, height) = (200u16, 100u16);
    let pixels: Vec<u8> = (0..width as usize * height as usize).flat_map(|_| [0u8, 255, 255, 0]).collect();
    let mut cmyk = Vec::new();
    jpeg_encoder::Encoder::new(&mut cmyk, 92).encode(&pixels, width, height, jpeg_encoder::ColorType::Cmyk).unwrap();
    write_bytes(&site, "content/print.jpg", &cmyk);
    site.write("content/cmyk.md", "---\ntitle: Hello\n---\n![a red square](print.jpg)\n\nPrinted in four colours.\n");
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let card = site.png("cards/cmyk/card.png");
    let (_, _, reds) = centre_of(&card, [237, 28, 36], 60, TEXT_BOX);
    assert!(reds > 20_000, "{reds} red pixels");
}

#[test]
fn the_print_pdf_holds_the_photo_once_at_its_full_size() {
    let site = Site::empty();
    let photo = jpeg(1600, 1200, None, |x, y| if (x / 100 + y / 100) % 2 == 0 { RED } else { BLUE });
    write_bytes(&site, "static/photos/big.jpg", &photo);
    site.write("waxseal.yaml", "outputs: [html, png, svg, pdf]\n");
    site.write(
        "content/big.md",
        "---\ntitle: Hello\n---\n![squares](/photos/big.jpg \"Squares, in red and blue\")\n\nThe end.\n",
    );
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // The SVG draws it from a copy no larger than the card needs, inside the file.
    let svg = site.read("cards/big/card.svg");
    assert_eq!(svg.matches("<image").count(), 1, "one picture in card.svg");
    assert!(svg.contains("data:image/jpeg;base64,"), "the picture is a data: URL");
    assert!(svg.len() < 1_000_000, "card.svg holds a copy of the photo the card's size: {} bytes", svg.len());
    if !installed(&["pdfimages"], Some("the PDF's pictures")) {
        return;
    }
    let pdf = site.output("cards/big/card.pdf");
    let out = Command::new("pdfimages").args(["-list", pdf.to_str().unwrap()]).output().unwrap();
    let list = String::from_utf8_lossy(&out.stdout);
    let full: Vec<&str> = list
        .lines()
        .filter(|l| {
            let cols: Vec<&str> = l.split_whitespace().collect();
            cols.get(3) == Some(&"1600") && cols.get(4) == Some(&"1200")
        })
        .collect();
    assert_eq!(full.len(), 1, "the photo once at 1600 x 1200:\n{list}");
    assert!(full[0].contains(" jpeg "), "embedded as the JPEG it is:\n{list}");
}

#[test]
fn each_bad_picture_is_an_error_at_its_mark_and_the_other_cards_are_built() {
    let dir = tempfile::tempdir().unwrap();
    let site = Site::empty();
    let outside = dir.path().join("outside.png");
    std::fs::write(&outside, noisy_png(10, 10)).unwrap();
    let truncated = noisy_png(300, 300);
    write_bytes(&site, "content/truncated.png", &truncated[..truncated.len() / 2]);
    write_bytes(&site, "content/bomb.png", &bomb_png(20_000));
    write_bytes(&site, "content/notes.png", b"these are notes, not a picture");
    #[cfg(unix)]
    std::os::unix::fs::symlink(&outside, site.root().join("content/link.png")).unwrap();
    let cases = [
        ("missing", "missing.png".to_string()),
        ("truncated", "truncated.png".to_string()),
        ("bomb", "bomb.png".to_string()),
        ("notes", "notes.png".to_string()),
        ("up", "../../outside.png".to_string()),
        ("link", "link.png".to_string()),
        ("web", "https://example.org/photo.png".to_string()),
    ];
    for (slug, src) in &cases {
        site.write(&format!("content/{slug}.md"), &format!("---\ntitle: Hello\n---\nA picture:\n\n  ![it]({src})\n"));
    }
    site.write("content/good.md", "---\ntitle: Fine\n---\nNo pictures here.\n");
    let before = std::fs::read(&outside).unwrap();
    let run = site.build(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let at = |slug: &str, src: &str, what: &str| {
        format!("content/{slug}.md:6:3: error: cannot draw the picture `{src}`: {what}\n")
    };
    let expected = [
        at("missing", "missing.png", "no such file next to the message, nor in the site's static/ or assets/ folder"),
        at("truncated", "truncated.png", "it is damaged or cut short, and cannot be decoded"),
        at(
            "bomb",
            "bomb.png",
            "it is 20000 x 20000 pixels; a picture may have at most 50 million pixels and sides of at most 8000 pixels",
        ),
        at("notes", "notes.png", "it is not a PNG, JPEG, WebP, GIF or SVG picture"),
        at("up", "../../outside.png", "it leads outside the site folder"),
        at("web", "https://example.org/photo.png", "a card draws pictures from the site's files, not from the web"),
    ];
    for line in &expected {
        assert!(run.stderr.contains(line.as_str()), "missing {line:?} in:\n{}", run.stderr);
    }
    #[cfg(unix)]
    assert!(
        run.stderr.contains(&at("link", "link.png", "it leads outside the site folder")),
        "a link out of the site:\n{}",
        run.stderr
    );
    assert!(run.stderr.contains("  hint: scale the picture down"), "{}", run.stderr);
    assert!(site.output("cards/good/card.png").exists(), "the good card is built");
    for (slug, _) in &cases {
        assert!(!site.output(&format!("cards/{slug}/card.png")).exists(), "{slug} has no card");
    }
    assert_eq!(std::fs::read(&outside).unwrap(), before, "nothing outside the site is touched");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "nothing is written beside the site");
}

#[test]
fn a_picture_that_cannot_fit_is_an_error_at_its_mark() {
    let site = Site::empty();
    write_bytes(&site, "content/tall.jpg", &jpeg(100, 400, None, |_, _| RED));
    let words = "Thank you for your order, it was a pleasure to make. ".repeat(18);
    site.write(
        "content/crowded.md",
        &format!("---\ntitle: Hello\nsize: a7\n---\n{words}\n\n![a tall one](tall.jpg)\n"),
    );
    let run = site.build(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("content/crowded.md:7:1: error: the picture does not fit on the card, even a quarter as wide as the text and with the text at the minimum size"),
        "{}",
        run.stderr
    );
}

#[test]
fn editing_a_photo_redraws_its_card_and_only_it() {
    let site = Site::empty();
    write_bytes(&site, "content/photo.jpg", &jpeg(300, 200, None, |_, _| RED));
    site.write("content/with.md", "---\ntitle: Hello\n---\n![red](photo.jpg)\n\nA photo.\n");
    site.write("content/without.md", "---\ntitle: Hello\n---\nNo photo.\n");
    assert_eq!(site.build(&[]).code, 0);
    let run = site.build(&[]);
    assert!(run.stderr.contains("(2 unchanged)"), "{}", run.stderr);
    // The same file, now blue: its card is drawn again, blue.
    write_bytes(&site, "content/photo.jpg", &jpeg(300, 200, None, |_, _| BLUE));
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("built 2 cards") && run.stderr.contains("(1 unchanged)"), "{}", run.stderr);
    let card = site.png("cards/with/card.png");
    assert!(centre_of(&card, BLUE, 40, TEXT_BOX).2 > 10_000, "the card shows the blue photo");
    assert_eq!(centre_of(&card, RED, 40, TEXT_BOX).2, 0, "and not the red one");
    // Nothing changed since: nothing is drawn.
    assert!(site.build(&[]).stderr.contains("(2 unchanged)"));
}

#[test]
fn in_serve_a_photo_edit_redraws_its_card_and_only_it() {
    let site = Site::empty();
    write_bytes(&site, "content/photo.jpg", &jpeg(300, 200, None, |_, _| RED));
    site.write("content/with.md", "---\ntitle: Hello\n---\n![red](photo.jpg)\n\nA photo.\n");
    site.write("content/without.md", "---\ntitle: Hello\n---\nNo photo.\n");
    let server = Server::start(&site, &[]);
    until("the first build", || site.root().join("output/cards/with/card.png").exists().then_some(()));
    // The photo beside the message, saved blue, as an image editor does.
    write_bytes(&site, "content/photo.jpg", &jpeg(300, 200, None, |_, _| BLUE));
    until("the rebuild line", || {
        server.log().contains("content/photo.jpg changed: drew 1 card (1 unchanged)").then_some(())
    });
    let card = site.png("cards/with/card.png");
    assert!(centre_of(&card, BLUE, 40, TEXT_BOX).2 > 10_000, "the card shows the blue photo");
    assert_eq!(centre_of(&card, RED, 40, TEXT_BOX).2, 0, "and not the red one");
}

#[test]
fn the_card_page_shows_the_photo_from_web_copies_in_two_widths() {
    let site = Site::empty();
    write_bytes(&site, "content/orders/vase.jpg", &jpeg(2000, 1500, None, |x, _| if x < 1000 { RED } else { BLUE }));
    site.write("waxseal.yaml", "base_url: https://shop.example/cards/\n");
    site.write(
        "content/orders/deb.md",
        "---\ntitle: Hello\n---\nHi.\n\n![the <blue> vase](vase.jpg \"=50% Our vase\")\n",
    );
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let page = site.read("cards/orders/deb/index.html");
    let at = page.find("<img src=\"https://shop.example/cards/assets/pictures/").unwrap_or_else(|| panic!("{page}"));
    let tag = &page[at..at + page[at..].find('>').unwrap() + 1];
    assert!(tag.contains("alt=\"the &lt;blue&gt; vase\""), "{tag}");
    assert!(page.contains("<figcaption>Our vase</figcaption></figure>"), "{page}");
    let srcset = tag.split("srcset=\"").nth(1).and_then(|s| s.split('"').next()).unwrap_or_else(|| panic!("{tag}"));
    let widths: Vec<&str> = srcset.split(", ").map(|c| c.rsplit(' ').next().unwrap()).collect();
    assert_eq!(widths, ["640w", "1280w"], "{tag}");
    for candidate in srcset.split(", ") {
        let url = candidate.split(' ').next().unwrap();
        let rel = url.strip_prefix("https://shop.example/cards/").unwrap();
        let copy = image::load_from_memory(&std::fs::read(site.output(rel)).unwrap()).unwrap();
        let width: u32 = candidate.rsplit(' ').next().unwrap().trim_end_matches('w').parse().unwrap();
        assert_eq!((copy.width(), copy.height()), (width, width * 3 / 4), "{rel}");
    }
    // `check` finds every file the page links.
    let checked = site.run(&["check"]);
    assert_eq!(checked.code, 0, "{}", checked.stderr);
}

#[test]
fn a_photo_card_ranks_the_photo_then_the_words_then_the_title_on_every_theme_and_size() {
    // The placed sizes of a thank-you card with a 4:3 photo, from the
    // layout the build makes: the title, then the photo, give way before
    // the body goes under readable (on the cards with room for both), the
    // photo is never a thumbnail nor more than half the text box (less in
    // a wide box), and the title still heads the card.
    let root = tempfile::tempdir().unwrap();
    let markdown = "Your vase was thrown, glazed and fired by *Beverly*, our very own craft genius.\n\n\
                    ![The vase](vase.jpg \"Your vase, fresh from the kiln\")\n\n\
                    We hope it holds many bunches of flowers.\n";
    let rich = waxseal::markup::render(markdown, false).unwrap().rich;
    for theme_name in ["chocolate", "classic", "kraft", "minimal"] {
        let theme = waxseal::theme::load(root.path(), theme_name).unwrap();
        for size_name in ["a6", "a7", "a6-landscape", "square"] {
            let size = waxseal::size::CardSize::named(size_name, 300).unwrap();
            let frame = waxseal::render::boxes(&theme, size).frame(size);
            let content = waxseal::layout::Content {
                title: Some("Thank you, Deb"),
                text: &rich,
                signature: Some("with love,\nBeverly"),
                lang: None,
                pictures: &[(2400, 1800)],
                signed: None,
            };
            let laid = waxseal::layout::layout(&theme, content, frame).unwrap();
            let card = format!("{theme_name} {size_name}");
            let readable = waxseal::layout::readable(&theme.spec.text, frame);
            if ["a6", "a6-landscape"].contains(&size_name) {
                assert!(
                    laid.size_pt >= readable - 0.01,
                    "{card}: the body at {} pt, readable {readable}",
                    laid.size_pt
                );
            }
            let (width, height) = laid
                .lines
                .iter()
                .find_map(|l| match l.kind {
                    waxseal::layout::LineKind::Picture { height, .. } => Some((l.width, height)),
                    _ => None,
                })
                .expect("the photo");
            let (wide, tall) = (width / frame.width, height / frame.height);
            assert!(wide >= 0.22, "{card}: the photo {:.0} % of the text's width", wide * 100.0);
            assert!(tall <= 0.5 + 0.001, "{card}: the photo {:.0} % of the box's height", tall * 100.0);
            let title = laid.lines.iter().find(|l| l.part == waxseal::layout::Part::Title).expect("the title");
            let body = laid.size_pt * size.px_per_pt();
            assert!(title.size >= body * 1.29, "{card}: the title {} px over a body of {body} px", title.size);
        }
    }
}
