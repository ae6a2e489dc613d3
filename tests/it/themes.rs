//! Themes: overrides, `extends`, broken themes, hostile artwork, the
//! `themes` and `new` commands, and seals.

use crate::support::{self, Site, ACCENT, TEXT_BOX};

/// A theme that extends chocolate and changes only its accent.
const ROSE: &str =
    "name: rose\ndescription: Chocolate in green.\nextends: chocolate\npalette:\n  accent: \"#1f7a3a\"\n";

#[test]
fn extends_inherits_files_and_merges_settings() {
    let site = Site::empty();
    site.write("themes/rose/theme.yaml", ROSE);
    site.write("content/a.md", "---\ntheme: rose\n---\nMade with *love*.\n");
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let card = site.png("cards/a/card.png");
    assert!(card.count_near("#1f7a3a", 24, (0.1, 0.05, 0.9, 0.8)) > 300, "the new accent");
    assert_eq!(card.count_near("#a63d5e", 24, (0.1, 0.05, 0.9, 0.8)), 0, "not chocolate's");
    // Everything else is chocolate's: paper, fonts, seal.
    assert!(card.count_near("#fbf4e6", 4, (0.0, 0.0, 1.0, 1.0)) > 100_000);
}

#[test]
fn a_site_template_overrides_the_built_in_one() {
    let site = Site::empty();
    site.write("content/a.md", "Hello.\n");
    site.write(
        "themes/chocolate/card.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{{ card.width }}\" height=\"{{ card.height }}\">\
         <rect width=\"100%\" height=\"100%\" fill=\"#123456\"/>{{ text | safe }}</svg>",
    );
    assert_eq!(site.build(&[]).code, 0);
    let card = site.png("cards/a/card.png");
    assert_eq!(card.pixel(5, 5), [0x12, 0x34, 0x56, 255]);
}

fn broken(theme_yaml_extra: &str, files: &[(&str, &str)]) -> String {
    let site = Site::empty();
    site.write(
        "themes/bad/theme.yaml",
        &format!("name: bad\ndescription: broken\nextends: chocolate\n{theme_yaml_extra}"),
    );
    for (path, text) in files {
        site.write(&format!("themes/bad/{path}"), text);
    }
    site.write("content/a.md", "---\ntheme: bad\n---\nHello.\n");
    site.write("content/b.md", "Fine.\n");
    let run = site.build(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(site.output("cards/b/card.png").is_file(), "other cards are built");
    assert!(run.stderr.contains("content/a.md:2:8: error: theme `bad` cannot be used"), "{}", run.stderr);
    run.stderr
}

#[test]
fn bad_yaml_in_a_theme_is_reported_with_its_line() {
    let err = broken("palette: [unclosed\ntext: {}\n", &[]);
    assert!(err.contains("themes/bad/theme.yaml:5:"), "{err}");
}

#[test]
fn an_unknown_theme_key_gets_a_hint() {
    let err = broken("palete:\n  accent: \"#000000\"\n", &[]);
    assert!(err.contains("themes/bad/theme.yaml:4:1: error: unknown field `palete`"), "{err}");
    assert!(err.contains("did you mean `palette`?"), "{err}");
}

#[test]
fn a_missing_font_file_is_reported() {
    let err = broken("fonts:\n  body: fonts/Nope.ttf\n", &[]);
    assert!(err.contains("themes/bad/theme.yaml:5:"), "{err}");
    assert!(err.contains("font file `fonts/Nope.ttf` not found in the theme"), "{err}");
}

#[test]
fn a_template_syntax_error_is_reported_with_its_line() {
    let err = broken("", &[("card.svg", "<svg>\n\n  {% if %}\n</svg>\n")]);
    assert!(err.contains("themes/bad/card.svg:3:"), "{err}");
}

#[test]
fn extending_an_unknown_theme_or_a_circle_is_an_error() {
    let site = Site::empty();
    site.write("themes/a/theme.yaml", "name: a\ndescription: x\nextends: nowhere\n");
    site.write("themes/b/theme.yaml", "name: b\ndescription: x\nextends: c\n");
    site.write("themes/c/theme.yaml", "name: c\ndescription: x\nextends: b\n");
    site.write("content/one.md", "---\ntheme: a\n---\nx\n");
    site.write("content/two.md", "---\ntheme: b\n---\nx\n");
    let run = site.build(&[]);
    assert!(
        run.stderr.contains("themes/a/theme.yaml:3:1: error: `extends: nowhere`: unknown theme `nowhere`"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("themes extend each other in a circle: b -> c -> b"), "{}", run.stderr);
}

#[test]
fn artwork_that_reaches_outside_the_theme_is_refused() {
    let site = Site::empty();
    site.write("secret.txt", "do not read");
    site.write(
        "themes/chocolate/card.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" width=\"{{ card.width }}\" height=\"{{ card.height }}\">\
         <image xlink:href=\"../../secret.txt\" width=\"10\" height=\"10\"/>{{ text | safe }}</svg>",
    );
    site.write("content/a.md", "Hello.\n");
    let run = site.build(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("refers to `../../secret.txt`, outside the card"), "{}", run.stderr);
}

#[test]
fn templates_cannot_include_files_outside_the_theme() {
    let site = Site::empty();
    site.write("secret.txt", "do not read");
    site.write("themes/chocolate/card.svg", "<svg>{% include \"../../secret.txt\" %}</svg>");
    site.write("content/a.md", "Hello.\n");
    let run = site.build(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(!run.stderr.contains("do not read"));
    assert!(run.stderr.contains("card.svg"), "{}", run.stderr);
}

#[test]
fn themes_lists_built_in_and_site_themes() {
    let site = Site::empty();
    site.write("themes/rose/theme.yaml", ROSE);
    let out = site.run(&["themes"]);
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains("chocolate"), "{}", out.stdout);
    assert!(out.stdout.contains("Cream paper, dark-chocolate ink"), "{}", out.stdout);
    assert!(out.stdout.contains("rose") && out.stdout.contains("Chocolate in green. [site]"), "{}", out.stdout);
}

#[test]
fn eject_copies_a_theme_that_then_builds_the_same_cards() {
    let site = Site::fixture("basic");
    assert_eq!(site.build(&["--output", "before"]).code, 0);
    let out = site.run(&["themes", "eject", "chocolate"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(site.root().join("themes/chocolate/theme.yaml").is_file());
    assert!(site.root().join("themes/chocolate/fonts/OFL-EBGaramond.txt").is_file());
    assert_eq!(site.build(&["--output", "after"]).code, 0);
    // The same cards; only the caches (which record where the theme came from) differ.
    let cards = |dir: &str| support::site_tree(&site.root().join(dir));
    let (before, after) = (cards("before"), cards("after"));
    assert!(before.keys().eq(after.keys()), "{:?} vs {:?}", before.keys(), after.keys());
    assert!(before == after, "the files have the same names but not the same bytes");
    // A second eject refuses to overwrite.
    let again = site.run(&["themes", "eject", "chocolate"]);
    assert_eq!(again.code, 2);
    assert!(again.stderr.contains("already exists"), "{}", again.stderr);
}

#[test]
fn new_makes_a_site_that_builds() {
    let site = Site::empty();
    let out = site.run(&["new", "shop"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let shop = site.root().join("shop");
    assert!(shop.join("waxseal.yaml").is_file());
    let run = site.run(&["build", "--root", "shop"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("built 2 cards"), "{}", run.stderr);
    assert!(shop.join("output/cards/thank-you/card.png").is_file());
    // What waxseal keeps of its builds is beside output/, and git ignores both.
    crate::support::assert_nothing_private(&shop.join("output"));
    assert!(shop.join(".waxseal/output/manifest").is_file());
    let ignored = std::fs::read_to_string(shop.join(".gitignore")).unwrap();
    assert_eq!(ignored.lines().collect::<Vec<_>>(), ["/output/", "/.waxseal/"]);
    let git = |args: &[&str]| std::process::Command::new("git").args(args).current_dir(&shop).output();
    if git(&["init", "-q"]).is_ok_and(|out| out.status.success()) {
        let status = git(&["status", "--porcelain", "--untracked-files=all"]).unwrap();
        let listed = String::from_utf8_lossy(&status.stdout).into_owned();
        assert!(listed.contains("content/thank-you.md"), "{listed}");
        assert!(!listed.contains("output/") && !listed.contains(".waxseal"), "{listed}");
    }
    let again = site.run(&["new", "shop"]);
    assert_eq!(again.code, 2, "a folder with content is refused");
}

#[test]
fn the_same_slug_gives_the_same_seal_and_another_slug_another() {
    let site = Site::empty();
    // Slugs `a` and `c` fall on different seal variants (of six: one pair
    // of slugs in six shares one, as `a` and `b` do).
    site.write("content/a.md", "Hello.\n");
    site.write("content/c.md", "Hello.\n");
    assert_eq!(site.build(&[]).code, 0);
    let seal = |slug: &str| {
        let svg = std::fs::read_to_string(site.output(&format!("cards/{slug}/index.html"))).unwrap();
        let start = svg.find("<div class=\"card-seal\">").unwrap();
        svg[start..].split("</div>").next().unwrap().to_string()
    };
    let (a, c) = (seal("a"), seal("c"));
    assert_ne!(a, c, "two cards get slightly different seals");
    assert_eq!(site.build(&[]).code, 0);
    assert_eq!(a, seal("a"), "the same card always gets the same seal");
}

#[test]
fn every_built_in_theme_lays_out_every_size() {
    // Some 40 words, a list and a quote: what an A7 card holds with its
    // frame 6 mm inside the cut and the seal's clear space around it.
    let site = Site::empty();
    let themes = ["chocolate", "classic", "kraft", "minimal"];
    let sizes = ["a6", "a7", "5x7", "4x6", "square", "a6-landscape", "5x7-landscape"];
    for theme in themes {
        for size in sizes {
            site.write(
                &format!("content/{theme}/{size}.md"),
                &format!(
                    "---\ntitle: Thank you, Deb\nfrom: Beverly\ntheme: {theme}\nsize: {size}\n---\n\
                     Your order was made with *love* by *Beverly*, our very own craft genius, at the big \
                     table under the studio window.\n\nEvery stitch was checked twice and wrapped in tissue, \
                     so it reaches you **exactly** as she meant it to.\n\n- one mug\n- one card\n\n\
                     > Made slowly.\n"
                ),
            );
        }
    }
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    for theme in themes {
        for size in sizes {
            let card = site.png(&format!("cards/{theme}/{size}/card.png"));
            let expected = waxseal::size::CardSize::named(size, 300).unwrap();
            assert_eq!((card.width, card.height), (expected.width, expected.height), "{theme} {size}");
        }
    }
}

const CROWN: &str =
    r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path d="M3 18h18l-2-10-5 5-2-8-2 8-5-5z"/></svg>"#;

#[test]
fn a_theme_emblem_is_pressed_into_the_seal() {
    let site = Site::empty();
    site.write("themes/rose/theme.yaml", ROSE);
    site.write("themes/rose/emblems/crown.svg", CROWN);
    let seal_of = || {
        let page = site.read("cards/a/index.html");
        page[page.find("<div class=\"card-seal\">").unwrap()..].to_string()
    };
    // The same card (same slug, same rim) with the crown and then the heart:
    // only the emblem can make the seals differ.
    site.write("content/a.md", "---\ntheme: rose\nseal: crown\n---\nHello.\n");
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let crown = seal_of();
    site.write("content/a.md", "---\ntheme: rose\nseal: heart\n---\nHello.\n");
    assert_eq!(site.build(&[]).code, 0);
    assert_ne!(crown, seal_of(), "the crown is not drawn like the heart");
    // An unknown emblem names the theme's own emblems in its hint.
    site.write("content/c.md", "---\ntheme: rose\nseal: crwn\n---\nHello.\n");
    let run = site.build(&[]);
    assert!(run.stderr.contains("content/c.md:3:1: error: unknown seal emblem `crwn`"), "{}", run.stderr);
    assert!(run.stderr.contains("did you mean `crown`?"), "{}", run.stderr);
}

#[test]
fn a_hostile_emblem_is_refused() {
    let site = Site::empty();
    site.write("themes/rose/theme.yaml", ROSE);
    site.write(
        "themes/rose/emblems/evil.svg",
        r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 24 24"><image xlink:href="https://example.org/track.png" width="24" height="24"/><path d="M0 0h24v24z"/></svg>"#,
    );
    site.write("content/a.md", "---\ntheme: rose\n---\nHello.\n");
    let run = site.build(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("themes/rose/emblems/evil.svg: error:"), "{}", run.stderr);
    assert!(run.stderr.contains("https://example.org/track.png"), "{}", run.stderr);
}

#[test]
fn a_site_file_overrides_the_built_in_theme_file() {
    let site = Site::empty();
    site.write("content/a.md", "Made with *love*.\n");
    let builtin = include_str!("../../themes/chocolate/theme.yaml");
    site.write("themes/chocolate/theme.yaml", &builtin.replace("#a63d5e", "#1f7a3a"));
    assert_eq!(site.build(&[]).code, 0);
    let card = site.png("cards/a/card.png");
    assert!(card.count_near("#1f7a3a", 24, TEXT_BOX) > 300, "the site's accent is used");
    assert_eq!(card.count_near(ACCENT, 24, TEXT_BOX), 0, "the built-in accent is not");
}

/// What a seal on a card measures, in millimetres of the card, read from its
/// card.svg: the wax's diameter (its body's width and height, averaged), and
/// the least clear space between all the seal draws (the region its shadow
/// may blur into) and the border art and rules (every unfilled stroke of
/// the artwork that does not pass under the wax, as the twine does; fibres
/// and specks under 3 mm are texture) and the text, the signature with it.
struct SealMeasure {
    diameter: f32,
    clear: f32,
    /// The seal's diameter as a share of the card's shorter side.
    share: f32,
}

fn measure_seal(svg: &str, px_per_mm: f32) -> SealMeasure {
    use resvg::usvg::{self, Node, Paint};
    let tree = usvg::Tree::from_str(svg, &usvg::Options::default()).expect("card.svg parses");
    let number = |name: &str| -> f32 {
        let at = svg.find("<filter id=\"seal-shadow\"").expect("the seal's shadow");
        let rest = &svg[at..];
        let value = &rest[rest.find(&format!(" {name}=\"")).unwrap() + name.len() + 3..];
        value[..value.find('"').unwrap()].parse().unwrap()
    };
    let (fx, fy) = (number("x"), number("y"));
    let (fx1, fy1) = (fx + number("width"), fy + number("height"));
    let mut wax = None;
    let mut strokes = Vec::new();
    fn walk(group: &usvg::Group, in_seal: bool, wax: &mut Option<usvg::Rect>, strokes: &mut Vec<(usvg::Rect, f32)>) {
        for node in group.children() {
            match node {
                Node::Group(g) if g.id() == "waxseal-text" => strokes.push((g.abs_bounding_box(), 0.0)),
                Node::Group(g) => walk(g, in_seal || g.id() == "waxseal-seal", wax, strokes),
                Node::Path(p) if in_seal => {
                    if let Some(Paint::RadialGradient(gradient)) = p.fill().map(|f| f.paint()) {
                        if gradient.id() == "seal-body" {
                            *wax = Some(p.abs_bounding_box());
                        }
                    }
                }
                Node::Path(p) if p.fill().is_none() => {
                    if let Some(stroke) = p.stroke() {
                        strokes.push((p.abs_bounding_box(), stroke.width().get() / 2.0));
                    }
                }
                _ => {}
            }
        }
    }
    walk(tree.root(), false, &mut wax, &mut strokes);
    let wax = wax.expect("the seal's wax");
    let mut clear = f32::MAX;
    for (b, half) in strokes {
        let (l, t, r, bo) = (b.left() - half, b.top() - half, b.right() + half, b.bottom() + half);
        if l < fx && r > fx1 && t < fy && bo > fy1 {
            // A frame around the seal: the gap to each of its sides.
            let (l, t, r, bo) = (b.left() + half, b.top() + half, b.right() - half, b.bottom() - half);
            clear = clear.min((fx - l).min(fy - t).min(r - fx1).min(bo - fy1));
        } else if (r - l).max(bo - t) > 3.0 * px_per_mm {
            let under = l < wax.right() && r > wax.left() && t < wax.bottom() && bo > wax.top();
            if !under {
                let gap_x = (l - fx1).max(fx - r).max(0.0);
                let gap_y = (t - fy1).max(fy - bo).max(0.0);
                clear = clear.min(gap_x.hypot(gap_y));
            }
        }
    }
    let size = tree.size();
    SealMeasure {
        diameter: (wax.width() + wax.height()) / 2.0 / px_per_mm,
        clear: clear / px_per_mm,
        share: (wax.width() + wax.height()) / 2.0 / size.width().min(size.height()),
    }
}

#[test]
fn a_seal_is_one_stamp_on_every_size_with_the_same_clear_space() {
    let site = Site::empty();
    let sizes = ["a6", "a6-landscape", "a7", "5x7", "4x6", "square", "og"];
    for theme in ["chocolate", "classic", "kraft", "minimal"] {
        for size in sizes {
            site.write(
                &format!("content/{theme}/{size}.md"),
                &format!("---\ntitle: Thank you, Deb\nfrom: Beverly\ntheme: {theme}\nsize: {size}\n---\nThank you for shopping with us, Deb! Your order was made with *love* by *Beverly*.\n"),
            );
        }
    }
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut problems = Vec::new();
    for theme in ["chocolate", "classic", "kraft", "minimal"] {
        let measure = |size: &str| {
            // The short side in mm (og: its 630 px at 150 px an inch).
            let short_mm = match size.trim_end_matches("-landscape") {
                "a6" => 105.0,
                "a7" => 74.0,
                "5x7" | "square" => 127.0,
                "4x6" => 101.6,
                _ => 630.0 / 150.0 * 25.4,
            };
            let svg = site.read(&format!("cards/{theme}/{size}/card.svg"));
            let short_px = if size == "og" { 630.0 } else { (short_mm / 25.4 * 300.0_f32).round() };
            measure_seal(&svg, short_px / short_mm)
        };
        let a6 = measure("a6");
        if !(22.0..=28.0).contains(&a6.diameter) {
            problems.push(format!("{theme} a6: the seal is {:.1} mm across", a6.diameter));
        }
        for size in sizes {
            let m = measure(size);
            let ratio = if size == "og" { m.share / measure("a6-landscape").share } else { m.diameter / a6.diameter };
            if !(0.85..=1.15).contains(&ratio) {
                problems
                    .push(format!("{theme} {size}: {:.1} mm, {:.2} of a6's {:.1} mm", m.diameter, ratio, a6.diameter));
            }
            // 3 mm are kept around all the seal may draw.
            if m.clear < 2.9 {
                problems.push(format!("{theme} {size}: {:.1} mm clear of the border art, rules and text", m.clear));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
