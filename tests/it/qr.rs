//! QR codes on cards (`qr:`): read back from card.png by a real decoder
//! (zbar's `zbarimg`, Debian's `zbar-tools`) on every theme and two sizes,
//! the text kept off them, and a bad link's diagnostic word for word.

use std::path::Path;
use std::process::Command;

use crate::support::{require, Image, Site};

const THEMES: [&str; 4] = ["chocolate", "classic", "kraft", "minimal"];

/// What `zbarimg` reads in `png`: the text of each code it finds.
fn decoded(png: &Path) -> Vec<String> {
    let out = Command::new("zbarimg").args(["--quiet", "--raw"]).arg(png).output().expect("zbarimg runs");
    String::from_utf8_lossy(&out.stdout).lines().map(str::to_string).collect()
}

/// The code's box in a card's SVG (as card.png's pixels): left, top, side
/// and the quiet zone's width.
fn quiet_zone(svg: &str) -> (f32, f32, f32, f32) {
    let at = svg.find("id=\"waxseal-qr\"><rect ").expect("the card has a QR code");
    let number = |from: usize, prefix: &str| -> f32 {
        let start = svg[from..].find(prefix).unwrap() + from + prefix.len();
        let end = start + svg[start..].find(|c: char| c != '.' && !c.is_ascii_digit()).unwrap();
        svg[start..end].parse().unwrap()
    };
    let x = number(at, " x=\"");
    // The finder pattern's top-left module starts the path, a quiet zone in.
    (x, number(at, " y=\""), number(at, " width=\""), number(at, " d=\"M") - x)
}

/// The pixels of the quiet zone (but its outermost pixel) far from the
/// paper colour `paper`: text or art drawn over the code would show there.
fn marks_in_quiet_zone(png: &Image, (x, y, side, quiet): (f32, f32, f32, f32), paper: [u8; 3]) -> usize {
    let mut marks = 0;
    for py in (y + 1.0) as u32..(y + side - 1.0) as u32 {
        for px in (x + 1.0) as u32..(x + side - 1.0) as u32 {
            let (dx, dy) = (px as f32 + 0.5 - x, py as f32 + 0.5 - y);
            let inner = quiet - 1.0;
            let in_ring = dx < inner || dy < inner || dx > side - inner || dy > side - inner;
            let p = png.pixel(px, py);
            if in_ring && (0..3).any(|i| p[i].abs_diff(paper[i]) > 60) {
                marks += 1;
            }
        }
    }
    marks
}

fn message(theme: &str, size: &str, qr: &str) -> String {
    format!(
        "---\ntitle: Thank you, Deb\nfrom: Beverly\ntheme: {theme}\nsize: {size}\nqr: {qr}\nqr_label: Scan to leave a review\n---\n\
         Thank you for shopping with us: your order was made with *love* by *Beverly*, our very own craft \
         genius.{}\n\nYou're welcome back anytime.\n",
        // A7 holds fewer words, the more so with a code in its foot.
        if size == "a6" { " We hope the candles fill your home with the scent of a slow Sunday morning." } else { "" }
    )
}

fn paper(theme: &str) -> [u8; 3] {
    let yaml =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("themes").join(theme).join("theme.yaml"))
            .unwrap();
    let line = yaml.lines().find(|l| l.trim_start().starts_with("paper:")).unwrap();
    crate::support::hex(line.split('"').nth(1).unwrap())
}

#[test]
fn a_card_s_qr_code_scans_to_its_page_or_its_link_on_every_theme_with_the_text_kept_off_it() {
    let site = Site::empty();
    site.write("waxseal.yaml", "base_url: https://shop.example/shop/\noutputs: [png, svg]\n");
    for theme in THEMES {
        for size in ["a6", "a7"] {
            site.write(&format!("content/{theme}/{size}-page.md"), &message(theme, size, "card"));
            site.write(
                &format!("content/{theme}/{size}-link.md"),
                &message(theme, size, "https://shop.example/review"),
            );
        }
    }
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for theme in THEMES {
        for size in ["a6", "a7"] {
            for (kind, link) in [
                ("page", format!("https://shop.example/shop/cards/{theme}/{size}-page/")),
                ("link", "https://shop.example/review".to_string()),
            ] {
                let slug = format!("{theme}/{size}-{kind}");
                let svg = site.read(&format!("cards/{slug}/card.svg"));
                let png = site.png(&format!("cards/{slug}/card.png"));
                let zone = quiet_zone(&svg);
                // At least 15 mm a side on A6 (300 dpi: 11.8 px a mm), 12 mm on A7.
                let least = if size == "a6" { 15.0 } else { 12.0 } * 300.0 / 25.4;
                assert!(zone.2 >= least, "{slug}: a code of {} px", zone.2);
                assert_eq!(
                    marks_in_quiet_zone(&png, zone, paper(theme)),
                    0,
                    "{slug}: something is drawn over the code"
                );
                if crate::support::installed(&["zbarimg"], Some("the codes read back")) {
                    assert_eq!(decoded(&site.output(&format!("cards/{slug}/card.png"))), vec![link.clone()], "{slug}");
                }
            }
        }
    }
    require!("zbarimg");
}

#[test]
fn each_merged_row_s_card_holds_the_row_s_own_link() {
    let site = Site::empty();
    site.write("waxseal.yaml", "outputs: [png]\nqr_label: Scan to leave a review\n");
    site.write(
        "content/thanks.md",
        "---\nrecipients: orders.csv\ntitle: Thank you, {{ recipient.name }}\nslug: thanks/{{ recipient.id }}\n\
         qr: \"{{ recipient.review }}\"\nsize: a7\n---\nDear {{ recipient.name }}, thank you.\n",
    );
    site.write(
        "content/orders.csv",
        "name,id,review\nAnn,a1,https://shop.example/r/a1\nBob,b2,https://shop.example/r/b2\nCy,c3,not a link\n",
    );
    let run = site.build(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "content/orders.csv:4:1: error: row 3: `not a link` is not a URL a QR code can hold\n  \
             hint: a QR code on a card holds `card` (the card's own page), an http:// or https:// URL, or a mailto: address"
        ),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("built 2 cards"), "{}", run.stderr);
    require!("zbarimg");
    for id in ["a1", "b2"] {
        let png = site.output(&format!("cards/thanks/{id}/card.png"));
        assert_eq!(decoded(&png), [format!("https://shop.example/r/{id}")], "{id}");
    }
}

#[test]
fn a_link_no_phone_opens_is_an_error_at_its_value_and_the_other_cards_are_built() {
    let site = Site::empty();
    site.write("waxseal.yaml", "outputs: [png]\n");
    site.write("content/ok.md", "---\nqr: https://shop.example/review\n---\nHello.\n");
    site.write("content/ftp.md", "---\ntitle: Hi\nqr: ftp://shop.example/x\n---\nHello.\n");
    site.write("content/long.md", &format!("---\nqr: \"https://shop.example/{}\"\n---\nHello.\n", "a".repeat(140)));
    site.write("content/page.md", "---\nqr: card\n---\nHello.\n");
    site.write("content/yes.md", "---\nqr: true\n---\nHello.\n");
    let run = site.build(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    for expected in [
        "content/ftp.md:3:5: error: `ftp://shop.example/x` is not a URL a QR code can hold\n  \
         hint: a QR code on a card holds `card` (the card's own page), an http:// or https:// URL, or a mailto: address",
        "content/long.md:2:6: error: the QR code's URL is 161 bytes long; a card's QR code holds at most 150\n  \
         hint: a longer URL makes the code's squares too fine to scan: use a shorter URL (the shop's own short path)",
        "content/page.md:2:5: error: `qr: card` needs an absolute base_url, and base_url is `/`\n  \
         hint: a phone opens a QR code's link from anywhere, so the card's page needs the site's full address: \
         set `base_url: https://your.site/` in waxseal.yaml",
    ] {
        assert!(run.stderr.contains(expected), "missing\n{expected}\nin\n{}", run.stderr);
    }
    assert!(run.stderr.contains("content/yes.md:2:1: error: `qr: true` says no link"), "{}", run.stderr);
    assert!(run.stderr.contains("built 1 card"), "{}", run.stderr);
    assert!(site.output("cards/ok/card.png").is_file());
}

#[test]
fn the_site_s_qr_code_is_every_card_s_unless_one_says_otherwise() {
    let site = Site::empty();
    site.write("waxseal.yaml", "outputs: [png]\nqr: nope\n");
    site.write("content/a.md", "Hello.\n");
    let run = site.build(&[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("waxseal.yaml:2:5: error: `nope` is not a URL a QR code can hold"), "{}", run.stderr);
    site.write("waxseal.yaml", "outputs: [png]\nqr: card\n");
    let run = site.build(&[]);
    assert!(
        run.stderr.contains("waxseal.yaml:2:5: error: `qr: card` needs an absolute base_url, and base_url is `/`"),
        "{}",
        run.stderr
    );
    site.write("waxseal.yaml", "base_url: https://shop.example/\noutputs: [png]\nqr: card\n");
    site.write("content/b.md", "---\nqr: false\n---\nHello.\n");
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    require!("zbarimg");
    assert_eq!(decoded(&site.output("cards/a/card.png")), ["https://shop.example/cards/a/"]);
    assert!(decoded(&site.output("cards/b/card.png")).is_empty(), "`qr: false` draws no code");
}

#[test]
fn the_code_stands_in_the_foot_and_the_text_ends_above_it_on_small_cards_too() {
    // On A7 the foot has little room beside the seal: the seal makes way,
    // and the code keeps its place in the foot rather than climb beside
    // the text. Kraft keeps it in its top band, a shipping label's, but on
    // A7, where the band cannot hold it and the logo both, in the foot.
    let site = Site::empty();
    site.write("waxseal.yaml", "outputs: [png, svg]\nlogo: logo.svg\n");
    let logo = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"90\" height=\"30\"><rect width=\"90\" height=\"30\" fill=\"#148c78\"/></svg>";
    site.write("static/logo.svg", logo);
    for theme in THEMES {
        for size in ["a6", "a7"] {
            site.write(&format!("content/{theme}-{size}.md"), &message(theme, size, "https://shop.example/review"));
        }
    }
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for theme in THEMES {
        for size in ["a6", "a7"] {
            let slug = format!("{theme}-{size}");
            let svg = site.read(&format!("cards/{slug}/card.svg"));
            let height = site.png(&format!("cards/{slug}/card.png")).height as f32;
            let (_, top, side, _) = quiet_zone(&svg);
            let text = crate::fit::lines(&svg);
            let (first, last) = (text.first().unwrap().top, text.last().unwrap().bottom);
            if theme == "kraft" && size == "a6" {
                assert!(
                    top + side < height * 0.3,
                    "{slug}: the code's foot at {:.2} of the card",
                    (top + side) / height
                );
                assert!(
                    first > top + side,
                    "{slug}: the text starts at {first}, in the band of the code ending {}",
                    top + side
                );
            } else {
                // Kraft's A7 foot is above the twine the seal is tied with.
                let foot = if theme == "kraft" { 0.5 } else { 0.7 };
                assert!(
                    top > height * foot,
                    "{slug}: the code's top at {:.2} of the card, not in its foot",
                    top / height
                );
                assert!(last < top, "{slug}: the text ends at {last}, under the code's top {top}");
            }
        }
    }
}
