//! A build: the cards it draws (their size, text and colours), the files it
//! makes and those it leaves out, drafts and slugs, and the same bytes every
//! time, on any number of threads.

use crate::support::{self, site_tree, Site, ACCENT, INK, TEXT_BOX};

#[test]
fn builds_cards_pages_and_a_gallery() {
    let site = Site::fixture("basic");
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("built 3 cards"), "{}", run.stderr);
    for slug in ["love", "plain", "orders/shipped"] {
        for file in ["index.html", "card.png", "card.svg", "thumb.png"] {
            assert!(site.output(&format!("cards/{slug}/{file}")).is_file(), "cards/{slug}/{file} missing");
        }
    }
    let png = site.png("cards/love/card.png");
    assert_eq!((png.width, png.height), (1240, 1748), "A6 at 300 dpi");
    let svg = site.read("cards/love/card.svg");
    assert!(svg.starts_with("<svg") && svg.contains("width=\"1240\""), "{}", &svg[..200]);
    assert!(!svg.contains("<text") && svg.contains("<use"), "the text is in outlines, each glyph drawn once");
}

#[test]
fn emphasis_is_drawn_in_the_accent_colour() {
    let site = Site::fixture("basic");
    assert_eq!(site.build(&[]).code, 0);
    let love = site.png("cards/love/card.png");
    let plain = site.png("cards/plain/card.png");
    // `love` has a title and two emphasised words, all in the accent colour.
    let accent_love = love.count_near(ACCENT, 24, TEXT_BOX);
    let accent_plain = plain.count_near(ACCENT, 24, TEXT_BOX);
    assert!(accent_love > 2000, "accent pixels on the card with emphasis: {accent_love}");
    assert_eq!(accent_plain, 0, "accent pixels on a card without emphasis or title");
    // The plain card still has text, in ink.
    assert!(plain.count_near(INK, 24, TEXT_BOX) > 1000);
}

#[test]
fn emphasis_without_a_title_is_accent_too() {
    let site = Site::empty();
    // Longer than a few words, which would be set as the title, in the title's colour.
    site.write("content/a.md", "Your order was made with *love* at the big table.\n");
    site.write("content/b.md", "Your order was made with love at the big table.\n");
    assert_eq!(site.build(&[]).code, 0);
    let a = site.png("cards/a/card.png").count_near(ACCENT, 24, TEXT_BOX);
    let b = site.png("cards/b/card.png").count_near(ACCENT, 24, TEXT_BOX);
    assert!(a > 300, "accent pixels for one emphasised word: {a}");
    assert_eq!(b, 0);
}

#[test]
fn the_card_page_holds_the_text_with_em() {
    let site = Site::fixture("basic");
    assert_eq!(site.build(&[]).code, 0);
    let page = site.read("cards/love/index.html");
    assert!(page.contains("<em>love</em>"), "{page}");
    assert!(page.contains("<em>Beverly</em>, our very own craft genius."), "{page}");
    assert!(page.contains("You\u{2019}re welcome back anytime."), "smart quotes: {page}");
    assert!(page.contains(">with love,</p>") && page.contains(">Beverly</p>"), "{page}");
    assert!(page.contains("<time datetime=\"2026-11-23\">November 23, 2026</time>"));
    // The HTML card is told the PNG's text size: this short note grows from
    // the theme's 13.5pt to 18.5pt (at 300 dpi on a 1240 px card).
    assert!(page.contains("--text: 0.0623;"), "{page}");
}

#[test]
fn the_body_template_sees_the_front_matter_and_formats_dates() {
    let site = Site::fixture("basic");
    assert_eq!(site.build(&[]).code, 0);
    let page = site.read("cards/orders/shipped/index.html");
    assert!(page.contains("It left the shop on Friday, November 20."), "{page}");
}

#[test]
fn a_letter_of_250_words_fits_an_a6_card() {
    let site = Site::empty();
    let sentence = "We wanted to write and say how much your kind words meant to all of us here at the studio. ";
    let body = [sentence.repeat(4), sentence.repeat(3), sentence.repeat(3), sentence.repeat(3)].join("\n\n");
    assert!(body.split_whitespace().count() >= 240);
    site.write("content/letter.md", &format!("---\ntitle: Dear friend\nfrom: Bev\n---\n{body}\n"));
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(site.png("cards/letter/card.png").count_near(INK, 24, TEXT_BOX) > 5000);
}

#[test]
fn drafts_are_skipped_unless_asked_for() {
    let site = Site::fixture("basic");
    let run = site.build(&[]);
    assert!(run.stderr.contains("(1 draft skipped)"), "{}", run.stderr);
    assert!(!site.output("cards/secret").exists());
    assert!(!site.read("index.html").contains("Not yet"));
    let run = site.build(&["--drafts"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(site.output("cards/secret/card.png").is_file());
    assert!(site.read("index.html").contains("Not yet"));
}

#[test]
fn two_builds_are_byte_identical() {
    let site = Site::fixture("basic");
    assert_eq!(site.build(&["--output", "out-a"]).code, 0);
    assert_eq!(site.build(&["--output", "out-b"]).code, 0);
    let a = site_tree(&site.root().join("out-a"));
    let b = site_tree(&site.root().join("out-b"));
    assert!(a.len() > 10);
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (path, bytes) in &a {
        assert!(bytes == &b[path], "{path} differs between two builds");
    }
}

#[test]
fn the_bundled_examples_build() {
    let site = Site::examples();
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("built 4 cards"), "{}", run.stderr);
    let shop = site.read("cards/orders/vase-for-mira/index.html");
    assert!(shop.contains("Fresh from the kiln"), "the shop's card shows its photo's caption");
    let shipping = site.read("cards/orders/shipping-note/index.html");
    assert!(shipping.contains("Friday, November 20"), "the shipping note uses its date");
}

#[test]
fn the_slug_comes_from_the_path_or_the_front_matter() {
    let site = Site::empty();
    site.write("waxseal.yaml", "title: Mossbrook\n");
    site.write("content/orders/deb.md", "From the {{ site.title }} studio.\n");
    site.write("content/x.md", "---\nslug: thanks/special\n---\nHello.\n");
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(site.read("cards/orders/deb/index.html").contains("From the Mossbrook studio."));
    assert!(site.output("cards/thanks/special/card.png").is_file());
    assert!(!site.output("cards/x").exists());
}

#[test]
fn parallel_and_single_threaded_builds_are_byte_identical() {
    let site = Site::fixture("golden");
    assert_eq!(site.build(&["--jobs", "1", "--output", "one"]).code, 0);
    assert_eq!(site.build(&["--jobs", "4", "--output", "four"]).code, 0);
    let (one, four) = (site_tree(&site.root().join("one")), site_tree(&site.root().join("four")));
    assert!(one.len() > 30);
    assert!(one == four, "output differs with the thread count");
}

/// The kept layers of a build, by kind (`base`, `seal`).
fn kept_layers(site: &Site, kind: &str) -> usize {
    let dir = site.state("cache/layers");
    let names = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned());
    names.filter(|name| name.starts_with(&format!("{kind}-"))).count()
}

#[test]
fn kraft_cards_of_a_size_share_one_base() {
    // A stock of kraft paper is one paper: every card of a size is drawn on
    // the same artwork, drawn once (at the card's width: the thumbnails are
    // made from the cards).
    let site = Site::empty();
    site.write(
        "waxseal.yaml",
        "theme: kraft
size: a7
dpi: 100
",
    );
    for i in 0..30 {
        let size = if i % 3 == 0 { "size: a6\n" } else { "" };
        site.write(
            &format!("content/note-{i}.md"),
            &format!("---\ntitle: Note {i}\n{size}---\nThank you, number {i}.\n"),
        );
    }
    let run = site.build(&["--outputs", "png"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(kept_layers(&site, "base"), 2, "two sizes");
}

#[test]
fn cards_of_one_emblem_and_colour_share_a_few_seals() {
    // A seal's rim comes from the card's slug, from a few variants: a big
    // build draws each variant once and reuses it.
    let site = Site::empty();
    site.write("waxseal.yaml", "size: a7\ndpi: 100\n");
    for i in 0..40 {
        site.write(&format!("content/note-{i}.md"), &format!("---\ntitle: Note {i}\nseal: star\n---\nThanks, {i}.\n"));
    }
    let run = site.build(&["--outputs", "png"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let seals = kept_layers(&site, "seal");
    assert!((2..=SEAL_VARIANTS).contains(&seals), "{seals} seal layers for 40 cards");
}

/// How many different seals of one emblem and colour the cards of a size have.
const SEAL_VARIANTS: usize = 6;

#[test]
fn outputs_choose_the_files_made() {
    let site = Site::fixture("basic");
    let run = site.build(&["--outputs", "html,png"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(site.output("cards/love/card.png").is_file());
    assert!(site.output("cards/love/index.html").is_file());
    assert!(!site.output("cards/love/card.svg").exists());
    // The card's pictures for the pages come with the PNGs and the pages;
    // with the PNGs alone there are no pages to show them.
    let webps = ["card-1x.webp", "card-2x.webp", "card-3x.webp"];
    assert!(webps.iter().all(|w| site.output(&format!("cards/love/{w}")).is_file()));
    let pngs_only = Site::fixture("basic");
    assert_eq!(pngs_only.build(&["--outputs", "png"]).code, 0);
    assert!(pngs_only.output("cards/love/thumb.png").is_file());
    assert!(webps.iter().all(|w| !pngs_only.output(&format!("cards/love/{w}")).exists()));
    let run = site.build(&["--outputs", "jpeg"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("unknown output `jpeg`"), "{}", run.stderr);
    let typo = Site::fixture("basic");
    typo.write("waxseal.yaml", "title: Shop\noutputs:\n  - html\n  - jpeg\n");
    let run = typo.build(&[]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("waxseal.yaml:4:5: error: unknown output `jpeg`"), "{}", run.stderr);
    let svg_only = Site::fixture("basic");
    svg_only.write("waxseal.yaml", "outputs: [svg]\n");
    assert_eq!(svg_only.build(&[]).code, 0);
    assert!(svg_only.output("cards/love/card.svg").is_file());
    assert!(!svg_only.output("cards/love/card.png").exists());
    assert!(!svg_only.output("cards/love/card-1x.webp").exists());
    assert!(!svg_only.output("index.html").exists());
}

#[test]
fn optimize_makes_smaller_pngs_of_the_same_pixels() {
    let site = Site::fixture("basic");
    assert_eq!(site.build(&["--output", "fast", "--outputs", "png"]).code, 0);
    assert_eq!(site.build(&["--output", "small", "--optimize", "--outputs", "png"]).code, 0);
    let fast = site.root().join("fast/cards/love/card.png");
    let small = site.root().join("small/cards/love/card.png");
    let (a, b) = (std::fs::metadata(&fast).unwrap().len(), std::fs::metadata(&small).unwrap().len());
    assert!(b < a, "optimized {b} bytes, fast {a} bytes");
    let (ia, ib) = (support::Image::read(&fast), support::Image::read(&small));
    assert_eq!(ia.diff(&ib, 0).0, 0, "the same pixels");
}

#[test]
fn the_card_png_says_its_print_resolution_and_the_screen_pictures_none() {
    let site = Site::fixture("basic");
    site.add_settings("dpi: 150\n");
    assert_eq!(site.build(&[]).code, 0);
    let dims = |file: &str| {
        let bytes = std::fs::read(site.output(&format!("cards/love/{file}"))).unwrap();
        let reader = png::Decoder::new(std::io::Cursor::new(bytes)).read_info().unwrap();
        reader.info().pixel_dims.map(|d| (d.xppu, d.yppu, d.unit))
    };
    // 150 dots an inch are 5,906 a metre, the unit PNG knows.
    assert_eq!(dims("card.png"), Some((5906, 5906, png::Unit::Meter)));
    assert_eq!(dims("thumb.png"), None, "a thumbnail has no size on paper");
    assert_eq!(dims("share.png"), None);
}

#[cfg(unix)]
#[test]
fn a_huge_jobs_count_is_lowered_to_a_few_threads_per_core() {
    let site = Site::fixture("basic");
    let started = std::time::Instant::now();
    // Within 4 GiB of address space (100,000 threads' stacks do not fit):
    // the machine is not thrashed even when the count is not lowered.
    let out = std::process::Command::new("sh")
        .args(["-c", "ulimit -v 4194304 && exec \"$0\" build --jobs 100000", env!("CARGO_BIN_EXE_waxseal")])
        .current_dir(site.root())
        .output()
        .expect("sh runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let cores = std::thread::available_parallelism().unwrap().get();
    let here = if cores == 1 { "1 core".to_string() } else { format!("{cores} cores") };
    let note =
        format!("note: --jobs 100000 lowered to {}, 4 per core ({here} here): more would only wait\n", 4 * cores);
    assert!(stderr.starts_with(&note), "{stderr}");
    assert!(stderr.contains("built 3 cards"), "{stderr}");
    assert!(started.elapsed() < std::time::Duration::from_secs(60), "took {:?}", started.elapsed());
    assert!(site.output("cards/love/card.png").is_file());
}

/// Messages whose letters most themes' own faces lack (drawn by the
/// fallback faces) or that cannot break like words, with a title and a
/// signature: what must stay inside the text box on every theme.
const SCRIPTS: [(&str, &str, &str); 5] = [
    (
        "ar",
        "title: شكرا جزيلا\nlang: ar",
        "شكرا جزيلا على طلبك! لقد صنعناه بكل حب في مشغلنا الصغير، ونتمنى أن يعجبك ويدفئك طوال الشتاء.",
    ),
    (
        "he",
        "title: תודה רבה\nlang: he",
        "תודה רבה על ההזמנה שלך! הכנו אותה באהבה רבה בסטודיו הקטן שלנו, ואנחנו מקווים שתיהני ממנה כל החורף.",
    ),
    (
        "ja",
        "title: ありがとうございました\nlang: ja",
        "ご注文ありがとうございます。ベバリーが心を込めて一つ一つ手作りしました。寒い季節に、温かいお茶と一緒にお楽しみください。",
    ),
    ("emoji", "title: Hooray 🎉", "Your chocolate 🍫 is on its way ❤️ and we think you'll love it 👍🏽 🎉🎉🎉"),
    (
        "url",
        "title: Your parcel",
        "Follow it here: https://example.org/orders/2026/a-very-long-tracking-reference-0042/status?from=mossbrook&to=you",
    ),
];

#[test]
fn every_script_keeps_its_ink_inside_the_text_box_on_every_theme() {
    // The ink of a card's text is where it differs from the same card (the
    // same slug, so the same seal) with no text at all.
    let (inked, blank) = (Site::empty(), Site::empty());
    let themes = ["chocolate", "classic", "kraft", "minimal"];
    for theme in themes {
        for (name, front, body) in SCRIPTS {
            let path = format!("content/{theme}/{name}.md");
            let head = format!("theme: {theme}\nseal: heart\n");
            inked.write(&path, &format!("---\n{head}{front}\nfrom: Beverly & the Mossbrook kitchen\n---\n{body}\n"));
            blank.write(&path, &format!("---\n{head}---\n"));
        }
    }
    for site in [&inked, &blank] {
        // The cards' PNGs alone: nothing else is looked at.
        let run = site.build(&["--outputs", "png"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
    }
    let size = waxseal::size::CardSize::named("a6", 300).unwrap();
    let mut outside = Vec::new();
    for theme in themes {
        let laid = waxseal::theme::load(inked.root(), theme).unwrap();
        let text_box = waxseal::render::boxes(&laid, size).text_box;
        for (name, _, _) in SCRIPTS {
            let card = format!("cards/{theme}/{name}/card.png");
            let (a, b) = (inked.png(&card), blank.png(&card));
            let (mut left, mut top, mut right, mut bottom) = (u32::MAX, u32::MAX, 0, 0);
            for y in 0..a.height {
                for x in 0..a.width {
                    if a.pixel(x, y).iter().zip(b.pixel(x, y)).any(|(p, q)| p.abs_diff(q) > 48) {
                        (left, top, right, bottom) = (left.min(x), top.min(y), right.max(x + 1), bottom.max(y + 1));
                    }
                }
            }
            assert!(right > left, "{card}: no text drawn");
            // Anti-aliasing may reach the pixel next to the box, no further.
            let past = [
                text_box.x - left as f32,
                text_box.y - top as f32,
                right as f32 - (text_box.x + text_box.width),
                bottom as f32 - (text_box.y + text_box.height),
            ];
            if past.iter().any(|p| *p > 1.0) {
                outside.push(format!("{card}: ink runs past the box's left, top, right, bottom by {past:?} px"));
            }
        }
    }
    assert!(outside.is_empty(), "{outside:#?}");
}

/// A `<text>` of a card.svg as its outlines draw it: its fill, and the
/// glyphs (their `<defs>` id and x, y in pixels) in order.
struct SvgText {
    fill: String,
    glyphs: Vec<(String, f32, f32)>,
}

/// The `<text>`s of a card.svg's text layer, top to bottom.
fn svg_texts(svg: &str) -> Vec<SvgText> {
    let attr = |tag: &str, name: &str| -> Option<String> {
        let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
        Some(tag[at..at + tag[at..].find('"')?].to_string())
    };
    let mut texts = Vec::new();
    for chunk in svg.split("<g id=\"waxseal-text-").skip(1) {
        let fill = attr(&chunk[..chunk.find('>').unwrap()], "fill").unwrap_or_default();
        let mut glyphs = Vec::new();
        // The text's groups end where three close at once.
        let chunk = &chunk[..chunk.find("</g></g></g>").unwrap_or(chunk.len())];
        for group in chunk.split("transform=\"scale(").skip(1) {
            let k: f32 = group[..group.find(' ').unwrap()].parse().unwrap();
            for glyph in group.split("<use").skip(1) {
                let tag = &glyph[..glyph.find("/>").unwrap()];
                let id = attr(tag, "xlink:href").unwrap().trim_start_matches('#').to_string();
                let number = |name: &str| attr(tag, name).unwrap().parse::<f32>().unwrap();
                glyphs.push((id, number("x") * k, -number("y") * k));
            }
        }
        texts.push(SvgText { fill, glyphs });
    }
    texts
}

/// The height, in font units, of the outline `<path id="ID">` of a card.svg.
fn glyph_height(svg: &str, id: &str) -> f32 {
    let start = svg.find(&format!("<path id=\"{id}\" d=\"")).unwrap() + id.len() + 16;
    let d = &svg[start..start + svg[start..].find('"').unwrap()];
    // Absolute commands only, so every second number is a y.
    let mut numbers = Vec::new();
    let mut number = String::new();
    for c in d.chars().chain(['Z']) {
        if c.is_ascii_digit() || c == '.' || (c == '-' && number.is_empty()) {
            number.push(c);
            continue;
        }
        if !number.is_empty() {
            numbers.push(number.parse::<f32>().unwrap());
            number.clear();
        }
        if c == '-' {
            number.push(c);
        }
    }
    let ys = numbers.iter().skip(1).step_by(2);
    ys.clone().fold(f32::NEG_INFINITY, |a, b| a.max(*b)) - ys.fold(f32::INFINITY, |a, b| a.min(*b))
}

#[test]
fn a_list_in_centred_text_is_one_flush_block_with_lining_figures() {
    let site = Site::empty();
    let list = "Here is what we packed for you:\n\n- 2 hand-dyed skeins of merino\n- 1 pattern booklet\n\
                - 11 stitch markers\n- a bar of our darkest chocolate for the knitter, wrapped twice in paper\n\n\
                Enjoy every stitch!\n";
    let numbered = "1. 1 pattern booklet\n2. 12 stitch markers\n3. 3 skeins in moss and 1 in rust\n";
    for (name, theme, body) in
        [("list", "classic", list), ("numbered", "classic", numbered), ("old", "old-figures", numbered)]
    {
        site.write(&format!("content/{name}.md"), &format!("---\ntitle: In your parcel\ntheme: {theme}\n---\n{body}"));
    }
    site.write("themes/old-figures/theme.yaml", "name: old-figures\nextends: classic\nfonts:\n  figures: font\n");
    let run = site.build(&["--outputs", "svg"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let gold = "#8a6616";

    // The bullets stand in one column, the items' text in another, and the
    // turned line of the last item under its text.
    let texts = svg_texts(&site.read("cards/list/card.svg"));
    let markers: Vec<usize> = (0..texts.len()).filter(|i| texts[*i].fill == gold).collect();
    assert_eq!(markers.len(), 4, "{:?}", texts.iter().map(|t| &t.fill).collect::<Vec<_>>());
    let x = |i: usize| texts[i].glyphs[0].1;
    let marker_xs: Vec<f32> = markers.iter().map(|i| x(*i)).collect();
    let text_xs: Vec<f32> = markers.iter().map(|i| x(i + 1)).chain([x(markers[3] + 2)]).collect();
    for xs in [&marker_xs, &text_xs] {
        let spread = xs.iter().fold(0.0f32, |a, b| a.max((b - xs[0]).abs()));
        assert!(spread < 0.5, "{xs:?}");
    }
    assert!(texts[markers[3] + 2].glyphs[0].2 > texts[markers[3] + 1].glyphs[0].2, "the item turns a line");
    // The block is centred: it starts right of the box's left edge (classic:
    // 14% of 1240 px), where the centred lines around it start further left.
    assert!(marker_xs[0] > 0.14 * 1240.0 + 20.0, "{marker_xs:?}");

    // Lining figures: the list's "1." and the quantity "1" are as tall as
    // capitals, not the old-style "1" that reads as an "I".
    let one = |card: &str| {
        let svg = site.read(&format!("cards/{card}/card.svg"));
        let texts = svg_texts(&svg);
        let marker = texts.iter().find(|t| t.fill == gold).unwrap();
        glyph_height(&svg, &marker.glyphs[0].0)
    };
    let (lining, old) = (one("numbered"), one("old"));
    assert!(lining > old * 1.3, "the 1 is {lining} units tall; the font's own {old}");
}

/// The text lines of a card's SVG, top to bottom: for each, the font size
/// in pixels (the outlines' scale times a CJK face's 1000 units per em) and
/// the x of its first and last glyph, in pixels.
fn svg_lines(svg: &str) -> Vec<(f32, f32, f32)> {
    let doc = roxmltree::Document::parse(svg).expect("the card's SVG parses");
    let lines = doc.descendants().filter(|n| n.attribute("id").is_some_and(|id| id.starts_with("waxseal-text-")));
    lines
        .map(|line| {
            let glyphs: Vec<(f32, f32)> = line
                .descendants()
                .filter(|n| n.has_tag_name("use"))
                .map(|u| {
                    let scale = u.ancestors().find_map(|a| a.attribute("transform")?.strip_prefix("scale(")).unwrap();
                    let scale: f32 = scale.split(' ').next().unwrap().parse().unwrap();
                    (scale, u.attribute("x").unwrap().parse::<f32>().unwrap() * scale)
                })
                .collect();
            let xs = glyphs.iter().map(|g| g.1);
            (glyphs[0].0 * 1000.0, xs.clone().fold(f32::MAX, f32::min), xs.fold(f32::MIN, f32::max))
        })
        .collect()
}

#[test]
fn japanese_fills_the_measure_under_a_one_line_title_on_every_theme() {
    // The spread's Japanese card: the title wrapped ("ありがとうござ/いました")
    // on two themes where a slightly smaller size fits one line, and lines
    // stopped one to three characters short of the measure.
    let site = Site::empty();
    for theme in ["chocolate", "classic", "kraft", "minimal"] {
        site.write(
            &format!("content/{theme}.md"),
            &format!(
                "---\ntitle: ありがとうございました\nlang: ja\nfrom: Beverly\ntheme: {theme}\n---\n\
                 ご注文ありがとうございます。ベバリーが心を込めて一つ一つ手作りしました。\
                 寒い季節に、温かいお茶と一緒にお楽しみください。またのお越しを心よりお待ちしております。\n"
            ),
        );
    }
    let run = site.build(&["--outputs", "svg"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for theme in ["chocolate", "classic", "kraft", "minimal"] {
        let lines = svg_lines(&site.read(&format!("cards/{theme}/card.svg")));
        let title = lines[0].0;
        let body_size = lines[1].0;
        assert!(title > body_size * 1.15, "{theme}: the title is one line, larger than the body: {lines:?}");
        let body: Vec<_> = lines.iter().skip(1).take_while(|l| (l.0 - body_size).abs() < 0.01).collect();
        assert!(body.len() >= 3, "{theme}: {lines:?}");
        let right = body.iter().map(|l| l.2).fold(f32::MIN, f32::max);
        for line in &body[..body.len() - 1] {
            // The last glyph of every line but the last sits within one
            // character of the rightmost one.
            assert!(right - line.2 <= body_size + 0.5, "{theme}: a line stops short: {line:?} of {body:?}");
        }
    }
}

/// The signature line of a card page (the words the card is signed with).
fn signature_of(site: &Site, slug: &str) -> String {
    let page = site.read(&format!("cards/{slug}/index.html"));
    // The sign-off words and the name, each on its line, as on the card.
    let text = |class: &str| {
        let start = page.find(&format!("class=\"{class}")).map(|at| at + page[at..].find('>').unwrap() + 1);
        start.map(|at| page[at..at + page[at..].find("</p>").unwrap()].to_string()).unwrap_or_default()
    };
    let (words, name) = (text("card-signoff"), text("card-signature"));
    if words.is_empty() {
        name
    } else {
        format!("{words} {name}")
    }
}

/// How many glyphs the card's last `lines` lines of text draw in card.svg
/// (the name is the last; the sign-off words stand on the line above it).
fn signature_glyphs(site: &Site, slug: &str, lines: usize) -> usize {
    let svg = site.read(&format!("cards/{slug}/card.svg"));
    let starts: Vec<usize> = svg.match_indices("<g id=\"waxseal-text-").map(|(at, _)| at).collect();
    assert!(starts.len() >= lines, "{slug}: {} lines of text", starts.len());
    let line = |at: usize| {
        let line = &svg[at..];
        line[..line.find("</g></g>").unwrap_or(line.len())].matches("<use").count()
    };
    starts[starts.len() - lines..].iter().map(|at| line(*at)).sum()
}

#[test]
fn a_card_is_signed_in_its_own_language() {
    let site = Site::empty();
    let card = |lang: &str| format!("---\nfrom: Beverly\nlang: {lang}\n---\nDanke!\n");
    for lang in ["en", "de", "de-CH", "fr", "es", "it", "nl", "pt", "ja", "zh", "ar", "he", "fi"] {
        site.write(&format!("content/{}.md", lang.to_lowercase()), &card(lang));
    }
    site.write("content/minimal.md", "---\nfrom: Deb\ntheme: minimal\n---\nThanks, Deb!\n");
    // The card pages alone say it: no picture is drawn.
    let run = site.build(&["--outputs", "html"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(signature_of(&site, "en"), "with love, Beverly", "the theme's own words in English");
    assert_eq!(signature_of(&site, "de"), "Alles Liebe, Beverly", "the theme's tone in German");
    assert_eq!(signature_of(&site, "de-ch"), "Alles Liebe, Beverly", "a regional tag falls back to its language");
    for lang in ["fr", "es", "it", "nl", "pt", "ja", "zh", "ar", "he"] {
        let signature = signature_of(&site, lang);
        assert!(signature.ends_with("Beverly") && signature != "Beverly", "{lang}: {signature}");
        assert!(!signature.contains("with") && !signature.contains("love"), "{lang}: {signature}");
    }
    assert_eq!(signature_of(&site, "ja"), "心を込めて Beverly");
    assert_eq!(signature_of(&site, "ar"), "مع أطيب التحيات، Beverly");
    assert_eq!(signature_of(&site, "he"), "בברכה, Beverly");
    // A language waxseal has no words for: the name alone, never English.
    assert_eq!(signature_of(&site, "fi"), "Beverly");
    // A note that already says thanks is not signed with thanks again.
    assert!(!signature_of(&site, "minimal").to_lowercase().contains("thank"), "{}", signature_of(&site, "minimal"));
}

#[test]
fn front_matter_and_site_settings_replace_or_remove_the_sign_off() {
    let site = Site::empty();
    let card = |sign_off: &str| format!("---\nfrom: Beverly\n{sign_off}---\nSee you soon.\n");
    site.write("content/default.md", &card(""));
    site.write("content/own.md", &card("sign_off: \"xoxo,\"\n"));
    site.write("content/empty.md", &card("sign_off: \"\"\n"));
    site.write("content/false.md", &card("sign_off: false\n"));
    site.write("content/null.md", &card("sign_off: null\n"));
    site.write("content/german.md", &card("lang: de\n"));
    site.write("content/unsigned.md", "See you soon.\n");
    assert_eq!(site.build(&["--outputs", "html,svg"]).code, 0);
    assert_eq!(signature_of(&site, "default"), "with love, Beverly");
    assert_eq!(signature_of(&site, "own"), "xoxo, Beverly");
    for slug in ["empty", "false", "null"] {
        assert_eq!(signature_of(&site, slug), "Beverly", "{slug}");
        assert_eq!(signature_glyphs(&site, slug, 1), "Beverly".len(), "{slug}: the card draws the name");
        // Above it, the note (a few words, set as the title, as on a card
        // with no signature), and no sign-off.
        let above = "Beverly".len() + signature_glyphs(&site, "unsigned", 1);
        assert_eq!(signature_glyphs(&site, slug, 2), above, "{slug}: the card draws the name alone");
    }
    assert_eq!(signature_glyphs(&site, "own", 2), "xoxo,Beverly".len(), "the card draws the words it is given");

    // The site's setting is every card's, but a card's own wins.
    site.write("waxseal.yaml", "sign_off: \"Cheers,\"\n");
    assert_eq!(site.build(&["--outputs", "html,svg"]).code, 0);
    assert_eq!(signature_of(&site, "default"), "Cheers, Beverly");
    assert_eq!(signature_of(&site, "german"), "Cheers, Beverly", "asked for in every language");
    assert_eq!(signature_of(&site, "own"), "xoxo, Beverly");
    assert_eq!(signature_of(&site, "false"), "Beverly");
    // Per language: the languages given, and the theme's for the others.
    site.write("waxseal.yaml", "sign_off:\n  de: \"Bis bald,\"\n");
    assert_eq!(site.build(&["--outputs", "html,svg"]).code, 0);
    assert_eq!(signature_of(&site, "german"), "Bis bald, Beverly");
    assert_eq!(signature_of(&site, "default"), "with love, Beverly");
    site.write("waxseal.yaml", "sign_off: false\n");
    assert_eq!(site.build(&["--outputs", "html,svg"]).code, 0);
    assert_eq!(signature_of(&site, "default"), "Beverly");
    assert_eq!(signature_of(&site, "own"), "xoxo, Beverly");
}
