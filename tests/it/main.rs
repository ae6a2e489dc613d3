//! Integration tests: the real `waxseal` binary on small sites, checked for
//! what a user would notice.

mod badinput;
mod browser;
mod check;
mod email;
mod gallery;
mod golden;
mod hostile;
mod merge;
mod pages;
mod print;
mod safety;
mod send;
mod serve;
mod serve_safety;
mod support;
mod themes;

use support::{require, site_tree, tree, Site};

/// The chocolate theme's accent (rose) and ink.
const ACCENT: &str = "#a63d5e";
const INK: &str = "#3b2417";
/// The chocolate theme's text box, as fractions of the card.
const TEXT_BOX: (f32, f32, f32, f32) = (0.13, 0.08, 0.87, 0.77);

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
    site.write("content/a.md", "Made with *love*.\n");
    site.write("content/b.md", "Made with love.\n");
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
    assert!(page.contains("with love, Beverly"));
    assert!(page.contains("<time datetime=\"2026-11-23\">November 23, 2026</time>"));
    // The HTML card is told the PNG's text size (13.5pt at 300 dpi on a 1240 px card).
    assert!(page.contains("--text: 0.0454;"), "{page}");
}

#[test]
fn the_body_template_sees_the_front_matter_and_formats_dates() {
    let site = Site::fixture("basic");
    assert_eq!(site.build(&[]).code, 0);
    let page = site.read("cards/orders/shipped/index.html");
    assert!(page.contains("It left the shop on Friday, November 20."), "{page}");
}

#[test]
fn html_and_script_in_messages_come_out_escaped() {
    let site = Site::empty();
    site.write(
        "content/hostile.md",
        "---\ntitle: \"<img src=x onerror=alert(1)>\"\nfrom: \"<b>Eve</b>\"\nextra: { evil: \"<script>alert(2)</script>\" }\n---\n\
         Hello <script>alert(3)</script> and {{ extra.evil }} and {{ from }}.\n",
    );
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for file in ["cards/hostile/index.html", "index.html"] {
        let html = site.read(file);
        assert!(!html.contains("<script>alert"), "{file}: {html}");
        assert!(!html.contains("<img src=x"), "{file}: {html}");
        assert!(!html.contains("<b>Eve"), "{file}: {html}");
        assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"), "{file}: {html}");
    }
    let page = site.read("cards/hostile/index.html");
    assert!(page.contains("&lt;script&gt;alert(3)&lt;/script&gt;"), "{page}");
    assert!(page.contains("&lt;script&gt;alert(2)&lt;/script&gt;"), "{page}");
    let svg = site.read("cards/hostile/card.svg");
    assert!(!svg.contains("<script"), "the SVG card carries no script");
}

#[test]
fn a_bad_message_is_reported_with_its_line_and_the_rest_are_built() {
    let site = Site::fixture("broken");
    let run = site.build(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("content/unknown-key.md:3:1: error: unknown field `titel`\n  hint: did you mean `title`?"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("content/template-error.md:7:26: error: Variable `nobody` is not defined"),
        "{}",
        run.stderr
    );
    assert!(site.output("cards/good/card.png").is_file());
    assert!(!site.output("cards/unknown-key").exists());
    assert!(site.read("index.html").contains("/cards/good/"));
}

#[test]
fn a_text_that_cannot_fit_is_an_error_not_clipped() {
    let site = Site::empty();
    let long = "All work and no play makes a very long letter. ".repeat(400);
    site.write("content/long.md", &format!("---\ntitle: Too long\n---\n{long}\n"));
    site.write("content/short.md", "Short and sweet.\n");
    let run = site.build(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("content/long.md:4:1: error: text needs "), "{}", run.stderr);
    assert!(run.stderr.contains("more lines than fit at the minimum size 8pt"), "{}", run.stderr);
    assert!(!site.output("cards/long/card.png").exists());
    assert!(site.output("cards/short/card.png").is_file());
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
fn a_character_no_font_has_is_a_warning_where_it_stands() {
    let site = Site::empty();
    // Ethiopic: neither the theme's fonts nor its fallbacks have it.
    site.write("content/glyph.md", "---\ntitle: Hi\n---\nFine line.\nA letter \u{1200} here.\n");
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "content/glyph.md:5:10: warning: no font of the theme `chocolate` has the character `\u{1200}` (U+1200)"
        ),
        "{}",
        run.stderr
    );
    assert!(site.output("cards/glyph/card.png").is_file(), "the card is still built");
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
fn the_gallery_lists_every_card_newest_first() {
    let site = Site::fixture("basic");
    assert_eq!(site.build(&[]).code, 0);
    let gallery = site.read("index.html");
    assert!(gallery.contains("<title>Fixture Shop</title>"));
    let love = gallery.find("href=\"/cards/love/\"").expect("link to love");
    let shipped = gallery.find("href=\"/cards/orders/shipped/\"").expect("link to orders/shipped");
    let plain = gallery.find("href=\"/cards/plain/\"").expect("link to plain");
    assert!(love < shipped && shipped < plain, "newest first, undated last");
    assert!(gallery.contains("src=\"/cards/love/thumb.png\" width=\"360\" height=\"507\""), "{gallery}");
    // Every link and image of the gallery points at a file that exists.
    for url in gallery.split(['"', '\'']).filter(|s| s.starts_with('/')) {
        let rel = url.trim_start_matches('/');
        let path = if rel.is_empty() || rel.ends_with('/') { format!("{rel}index.html") } else { rel.to_string() };
        assert!(site.output(&path).is_file(), "{url} does not exist in output/");
    }
}

#[test]
fn base_url_prefixes_every_link() {
    let site = Site::fixture("basic");
    site.write("waxseal.yaml", "title: Shop\nbase_url: https://example.org/shop\n");
    assert_eq!(site.build(&[]).code, 0);
    let gallery = site.read("index.html");
    assert!(gallery.contains("href=\"https://example.org/shop/cards/love/\""), "{gallery}");
    assert!(gallery.contains("href=\"https://example.org/shop/assets/chocolate."), "{gallery}");
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

#[test]
fn unknown_front_matter_values_get_hints() {
    let site = Site::empty();
    site.write("content/a.md", "---\ntitle: A\ntheme: chocolat\n---\nBody.\n");
    site.write("content/b.md", "---\nsize: a8\n---\nBody.\n");
    site.write("content/c.md", "---\nseal: hart\n---\nBody.\n");
    let run = site.build(&[]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("content/a.md:3:8: error: unknown theme `chocolat`"), "{}", run.stderr);
    assert!(run.stderr.contains("did you mean `chocolate`?"), "{}", run.stderr);
    assert!(run.stderr.contains("content/b.md:2:7: error: unknown card size `a8`"), "{}", run.stderr);
    assert!(run.stderr.contains("content/c.md:2:1: error: unknown seal emblem `hart`"), "{}", run.stderr);
    assert!(run.stderr.contains("did you mean `heart`?"), "{}", run.stderr);
}

#[test]
fn a_broken_config_is_fatal() {
    let site = Site::fixture("basic");
    site.write("waxseal.yaml", "title: Shop\nbase_ulr: /x/\n");
    let run = site.build(&[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("waxseal.yaml:2:1: error: unknown field `base_ulr`"), "{}", run.stderr);
    assert!(run.stderr.contains("did you mean `base_url`?"));
    assert!(!site.output("index.html").exists());
}

#[test]
fn nothing_outside_the_output_folder_is_written() {
    let site = Site::fixture("broken");
    let before = tree(site.root());
    site.build(&[]);
    let after: std::collections::BTreeMap<_, _> =
        tree(site.root()).into_iter().filter(|(path, _)| !path.starts_with("output/")).collect();
    assert_eq!(before, after);
}

#[test]
fn the_bundled_examples_build() {
    let site = Site::examples();
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("built 3 cards"), "{}", run.stderr);
    let shipping = site.read("cards/orders/shipping-note/index.html");
    assert!(shipping.contains("Friday, November 20"), "the shipping note uses its date");
}

#[test]
fn the_gallery_shows_its_cards_in_a_browser() {
    let site = Site::fixture("basic");
    assert_eq!(site.build(&[]).code, 0);
    require!("chromium");
    let url = support::serve(&site.root().join("output"));
    let shot = support::screenshot(&url, 1280, 900);
    // The thumbnails loaded: cream card paper and the rose of titles and
    // emphasis show up in the grid, where a broken image would be blank.
    let grid = (0.0, 0.12, 1.0, 1.0);
    let paper = shot.count_near("#fbf4e6", 6, grid);
    assert!(paper > 20_000, "card paper pixels in the gallery: {paper}");
    assert!(shot.count_near(ACCENT, 30, grid) > 200, "rose titles on the thumbnails");
    // The page's own heading is set in the theme's script font, in rose.
    assert!(shot.count_near(ACCENT, 30, (0.3, 0.0, 0.7, 0.12)) > 300, "the gallery title");
    // And the card page renders its text.
    let page = support::screenshot(&format!("{url}cards/love/"), 1000, 900);
    assert!(page.count_near(ACCENT, 30, (0.0, 0.0, 1.0, 1.0)) > 500);
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
fn two_messages_with_one_slug_is_an_error_naming_both() {
    let site = Site::empty();
    site.write("content/a.md", "---\nslug: same\n---\nFirst.\n");
    site.write("content/b.md", "---\nslug: same\n---\nSecond.\n");
    let run = site.build(&[]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("content/b.md:2:1: error: slug `same` is already used by content/a.md"),
        "{}",
        run.stderr
    );
    assert!(site.read("cards/same/index.html").contains("First."));
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

#[test]
fn outputs_choose_the_files_made() {
    let site = Site::fixture("basic");
    let run = site.build(&["--outputs", "html,png"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(site.output("cards/love/card.png").is_file());
    assert!(site.output("cards/love/index.html").is_file());
    assert!(!site.output("cards/love/card.svg").exists());
    let run = site.build(&["--outputs", "jpeg"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("unknown output `jpeg`"), "{}", run.stderr);
    let svg_only = Site::fixture("basic");
    svg_only.write("waxseal.yaml", "outputs: [svg]\n");
    assert_eq!(svg_only.build(&[]).code, 0);
    assert!(svg_only.output("cards/love/card.svg").is_file());
    assert!(!svg_only.output("cards/love/card.png").exists());
    assert!(!svg_only.output("index.html").exists());
}

#[test]
fn optimize_makes_smaller_pngs_of_the_same_pixels() {
    let site = Site::fixture("basic");
    assert_eq!(site.build(&["--output", "fast"]).code, 0);
    assert_eq!(site.build(&["--output", "small", "--optimize"]).code, 0);
    let fast = site.root().join("fast/cards/love/card.png");
    let small = site.root().join("small/cards/love/card.png");
    let (a, b) = (std::fs::metadata(&fast).unwrap().len(), std::fs::metadata(&small).unwrap().len());
    assert!(b < a, "optimized {b} bytes, fast {a} bytes");
    let (ia, ib) = (support::Image::read(&fast), support::Image::read(&small));
    assert_eq!(ia.diff(&ib, 0).0, 0, "the same pixels");
}

#[test]
fn an_unchanged_card_is_not_drawn_again_and_a_cached_build_matches_a_clean_one() {
    let site = Site::fixture("basic");
    assert_eq!(site.build(&[]).code, 0);
    let png = site.output("cards/love/card.png");
    let before = std::fs::metadata(&png).unwrap().modified().unwrap();
    // Edit one message.
    let plain = site.root().join("content/plain.md");
    std::fs::write(&plain, "A plain note, edited.\n").unwrap();
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("(2 unchanged)"), "{}", run.stderr);
    assert_eq!(std::fs::metadata(&png).unwrap().modified().unwrap(), before, "love was not written again");
    assert!(site.read("cards/plain/index.html").contains("A plain note, edited."));
    // A clean build gives the same files.
    assert_eq!(site.build(&["--output", "clean"]).code, 0);
    let (cached, clean) = (site_tree(&site.root().join("output")), site_tree(&site.root().join("clean")));
    assert!(cached == clean, "cached and clean builds differ");
}

#[test]
fn a_theme_change_redraws_only_that_themes_cards() {
    let site = Site::empty();
    site.write("content/a.md", "---\ntheme: kraft\n---\nOne.\n");
    site.write("content/b.md", "Two.\n");
    assert_eq!(site.build(&[]).code, 0);
    // The card template, as built in, with a comment: kraft's card is made again.
    let files = waxseal::theme::built_in_files("kraft").unwrap();
    let (_, svg) = files.iter().find(|(path, _)| path == "card.svg").unwrap();
    site.write("themes/kraft/card.svg", &format!("{{# edited #}}{}", String::from_utf8_lossy(svg)));
    let run = site.build(&[]);
    assert!(run.stderr.contains("built 2 cards") && run.stderr.contains("(1 unchanged)"), "{}", run.stderr);
}

/// When a file was last written.
fn written(path: &std::path::Path) -> std::time::SystemTime {
    std::fs::metadata(path).unwrap().modified().unwrap()
}

/// The stylesheet a page links.
fn css_href(page: &str) -> String {
    let needle = "rel=\"stylesheet\" href=\"";
    let at = page.find(needle).expect("a stylesheet link") + needle.len();
    page[at..at + page[at..].find('"').unwrap()].to_string()
}

#[test]
fn a_stylesheet_edit_makes_the_pages_again_but_draws_no_card() {
    let site = Site::fixture("basic");
    assert_eq!(site.build(&[]).code, 0);
    let (png, svg) = (site.output("cards/love/card.png"), site.output("cards/love/card.svg"));
    let (png_written, svg_written) = (written(&png), written(&svg));
    let old_css = css_href(&site.read("cards/love/index.html"));
    std::thread::sleep(std::time::Duration::from_millis(20));
    site.write("themes/chocolate/style.css", "body { color: rebeccapurple; }\n");
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("(3 with only their pages made again)"), "{}", run.stderr);
    let new_css = css_href(&site.read("cards/love/index.html"));
    assert_ne!(old_css, new_css, "the page links the new stylesheet");
    assert!(site.read(new_css.trim_start_matches('/')).contains("rebeccapurple"));
    assert!(!site.output(old_css.trim_start_matches('/')).exists(), "the old stylesheet is removed");
    assert_eq!((written(&png), written(&svg)), (png_written, svg_written), "the card was not drawn again");
    // A clean build gives the same files.
    assert_eq!(site.build(&["--output", "clean"]).code, 0);
    assert!(
        site_tree(&site.root().join("output")) == site_tree(&site.root().join("clean")),
        "a page-only rebuild differs from a clean build"
    );
}

#[test]
fn base_url_can_be_given_for_one_build_without_drawing_the_cards_again() {
    let site = Site::fixture("basic");
    assert_eq!(site.build(&[]).code, 0);
    let png = site.output("cards/love/card.png");
    let drawn = written(&png);
    let run = site.build(&["--base-url", "https://preview.example.org/shop"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let gallery = site.read("index.html");
    assert!(gallery.contains("href=\"https://preview.example.org/shop/cards/love/\""), "{gallery}");
    assert_eq!(written(&png), drawn, "only the pages change");
}

#[test]
fn the_files_of_a_removed_card_are_removed() {
    let site = Site::fixture("basic");
    assert_eq!(site.build(&[]).code, 0);
    assert!(site.output("cards/orders/shipped/card.png").is_file());
    std::fs::remove_file(site.root().join("content/orders/shipped.md")).unwrap();
    assert_eq!(site.build(&[]).code, 0);
    assert!(!site.output("cards/orders").exists(), "the card's files and folders are gone");
    assert!(!site.read("index.html").contains("/cards/orders/shipped/"));
    assert!(site.output("cards/love/card.png").is_file());
}

#[test]
fn a_broken_edit_keeps_the_last_good_card() {
    let site = Site::fixture("basic");
    assert_eq!(site.build(&[]).code, 0);
    site.write("content/love.md", "---\ntitel: broken\n---\nOops.\n");
    let run = site.build(&[]);
    assert_eq!(run.code, 1);
    assert!(site.output("cards/love/card.png").is_file(), "the last good card stays");
    assert!(site.read("index.html").contains("/cards/love/"));
}

/// The `src` of the seal picture on a card page.
fn seal_src(page: &str) -> String {
    let at = page.find("class=\"card-seal\"").expect("a seal on the page");
    let src = &page[at..][page[at..].find("src=\"").expect("a seal picture") + 5..];
    src[..src.find('"').unwrap()].to_string()
}

#[test]
fn card_pages_share_seal_files_which_go_with_their_last_card() {
    let site = Site::empty();
    site.write("waxseal.yaml", "title: Seals\n");
    for n in 0..30 {
        site.write(&format!("content/m{n}.md"), "---\nseal: {emblem: monogram, initials: AB}\n---\nThank you!\n");
    }
    assert_eq!(site.build(&[]).code, 0);
    let seals = || std::fs::read_dir(site.output("assets/seals")).map_or(0, |d| d.count());
    assert!((2..30).contains(&seals()), "{} seal files for 30 cards", seals());
    for n in 0..30 {
        let src = seal_src(&site.read(&format!("cards/m{n}/index.html")));
        let svg = site.read(src.trim_start_matches('/'));
        assert!(svg.starts_with("<svg") && !svg.contains("<text"), "{src}: the initials are outlines");
    }
    let kept = seal_src(&site.read("cards/m0/index.html"));
    for n in 1..30 {
        std::fs::remove_file(site.root().join(format!("content/m{n}.md"))).unwrap();
    }
    assert_eq!(site.build(&[]).code, 0);
    assert_eq!(seals(), 1, "only the seal of the card left stays");
    assert!(site.output(kept.trim_start_matches('/')).is_file());
}

#[test]
fn the_gallery_is_split_into_pages_that_link_to_each_other() {
    let site = Site::fixture("basic");
    let config = std::fs::read_to_string(site.root().join("waxseal.yaml")).unwrap();
    site.write("waxseal.yaml", &format!("{config}\ngallery:\n  per_page: 2\n"));
    assert_eq!(site.build(&[]).code, 0);
    let (first, second) = (site.read("index.html"), site.read("page/2/index.html"));
    let cards_on = |page: &str| page.matches("class=\"gallery-title\"").count();
    assert_eq!((cards_on(&first), cards_on(&second)), (2, 1), "newest two first, the oldest on page 2");
    assert!(first.contains("href=\"/page/2/\"") && first.contains("Page 1 of 2"), "{first}");
    assert!(second.contains("rel=\"prev\" href=\"/\""), "{second}");
    // All on one page again: page 2 goes.
    site.write("waxseal.yaml", &format!("{config}\ngallery:\n  per_page: 0\n"));
    assert_eq!(site.build(&[]).code, 0);
    assert_eq!(cards_on(&site.read("index.html")), 3);
    assert!(!site.output("page").exists(), "the second page and its folder are removed");
}

#[test]
fn an_edit_makes_again_only_the_gallery_page_listing_the_card() {
    let site = Site::fixture("basic");
    site.add_settings("gallery:\n  per_page: 1\n");
    assert_eq!(site.build(&[]).code, 0);
    let pages = ["index.html", "page/2/index.html", "page/3/index.html"];
    let plain = pages.iter().position(|p| site.read(p).contains("/cards/plain/")).expect("a page lists plain");
    let before: Vec<_> = pages.iter().map(|p| written(&site.output(p))).collect();
    std::thread::sleep(std::time::Duration::from_millis(20));
    site.write("content/plain.md", "A plain note, edited.\n");
    // A new process: what the last build made is known from its cache.
    assert_eq!(site.build(&[]).code, 0);
    for (i, page) in pages.iter().enumerate() {
        let same = written(&site.output(page)) == before[i];
        assert_eq!(same, i != plain, "{page} made again: {}", !same);
    }
    assert!(site.read(pages[plain]).contains("A plain note, edited."));
    // The same files as a clean build.
    assert_eq!(site.build(&["--output", "clean"]).code, 0);
    assert!(
        site_tree(&site.root().join("output")) == site_tree(&site.root().join("clean")),
        "an incremental build differs from a clean one"
    );
}

#[test]
fn a_damaged_build_cache_makes_every_card_again() {
    let site = Site::fixture("basic");
    assert_eq!(site.build(&[]).code, 0);
    let gallery = site.read("index.html");
    // The gallery entries' file cut short: the cache cannot be trusted.
    std::fs::write(site.output(".waxseal-cache/entries.jsonl"), "").unwrap();
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("unchanged"), "every card is made again: {}", run.stderr);
    assert_eq!(site.read("index.html"), gallery);
    // Another entries file in its place (remade by another build): the same.
    let entries = std::fs::read_to_string(site.output(".waxseal-cache/entries.jsonl")).unwrap();
    let (_, lines) = entries.split_once('\n').unwrap();
    std::fs::write(site.output(".waxseal-cache/entries.jsonl"), format!("{{\"entries\":\"another\"}}\n{lines}"))
        .unwrap();
    let run = site.build(&[]);
    assert!(!run.stderr.contains("unchanged"), "{}", run.stderr);
    assert_eq!(site.read("index.html"), gallery);
    // A cache file that is not JSON: the same.
    std::fs::write(site.output(".waxseal-cache.json"), "{ not json").unwrap();
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("unchanged"), "{}", run.stderr);
    assert_eq!(site.read("index.html"), gallery);
}

#[test]
fn the_feed_sitemap_and_robots_list_the_cards_under_the_base_url() {
    let site = Site::fixture("basic");
    site.add_settings("base_url: https://example.org/shop/\n");
    assert_eq!(site.build(&[]).code, 0);
    let cards = ["https://example.org/shop/cards/love/", "https://example.org/shop/cards/orders/shipped/"];

    let feed = site.read("feed.xml");
    let feed = roxmltree::Document::parse(&feed).expect("the feed is XML");
    let atom = "http://www.w3.org/2005/Atom";
    assert_eq!(feed.root_element().tag_name().namespace(), Some(atom));
    let entries: Vec<_> = feed.descendants().filter(|n| n.has_tag_name((atom, "entry"))).collect();
    let links: Vec<&str> = entries
        .iter()
        .map(|e| e.children().find(|n| n.has_tag_name((atom, "link")) && n.attribute("rel").is_none()).unwrap())
        .map(|link| link.attribute("href").unwrap())
        .collect();
    assert_eq!(links.len(), 3, "every published card, no draft: {links:?}");
    for card in cards {
        assert!(links.contains(&card), "{card} in {links:?}");
    }
    let updated: Vec<&str> = entries
        .iter()
        .map(|e| e.children().find(|n| n.has_tag_name((atom, "updated"))).unwrap().text().unwrap())
        .collect();
    assert!(updated.windows(2).all(|w| w[0] >= w[1]), "newest first: {updated:?}");

    let sitemap = site.read("sitemap.xml");
    let sitemap = roxmltree::Document::parse(&sitemap).expect("the sitemap is XML");
    let locs: Vec<&str> = sitemap.descendants().filter(|n| n.has_tag_name("loc")).filter_map(|n| n.text()).collect();
    assert_eq!(locs.first(), Some(&"https://example.org/shop/"), "the gallery first: {locs:?}");
    for card in cards {
        assert!(locs.contains(&card), "{card} in {locs:?}");
    }
    assert!(locs.iter().all(|l| l.starts_with("https://example.org/shop/")), "{locs:?}");
    assert!(site.read("robots.txt").contains("Sitemap: https://example.org/shop/sitemap.xml"));
}

/// The `content` of the page's `<meta>` whose `property` or `name` is `key`.
fn meta(page: &str, key: &str) -> Option<String> {
    let pattern = format!("=\"{key}\" content=\"");
    let rest = &page[page.find(&pattern)? + pattern.len()..];
    Some(rest[..rest.find('"')?].to_string())
}

#[test]
fn a_card_page_unfurls_as_the_card_itself() {
    let site = Site::fixture("basic");
    assert_eq!(site.build(&["--base-url", "https://example.org/shop/"]).code, 0);
    let page = site.read("cards/love/index.html");
    let image = meta(&page, "og:image").expect("og:image");
    assert_eq!(image, "https://example.org/shop/cards/love/share.png");
    assert_eq!(meta(&page, "og:url").as_deref(), Some("https://example.org/shop/cards/love/"));
    assert_eq!(meta(&page, "twitter:card").as_deref(), Some("summary_large_image"));
    assert_eq!(meta(&page, "og:title").as_deref(), Some("Thank you, Deb"));
    let description = meta(&page, "og:description").unwrap();
    assert!(description == "Your order was made with love by Beverly, our very own craft genius.", "{description}");
    // The preview: 1200 x 630, the card (its paper and its accent-coloured
    // emphasis) in the middle, the theme's paper edge around it.
    // The gallery unfurls as its newest card.
    let gallery = site.read("index.html");
    assert_eq!(meta(&gallery, "og:image").as_deref(), Some(image.as_str()), "love is the newest card");
    assert_eq!(meta(&gallery, "og:url").as_deref(), Some("https://example.org/shop/"));
    let share = site.png("cards/love/share.png");
    assert_eq!((share.width, share.height), (1200, 630));
    assert_eq!(share.pixel(30, 315)[..3], support::hex("#f1e2c8"), "the margin is the paper edge");
    let middle = (0.35, 0.1, 0.65, 0.9);
    assert!(share.count_near("#fbf4e6", 10, middle) > 40_000, "the card's paper fills the middle");
    assert!(share.count_near(ACCENT, 24, middle) > 200, "its emphasis is drawn");
}

#[test]
fn a_missing_url_gets_the_themes_not_found_page() {
    let site = Site::fixture("basic");
    assert_eq!(site.build(&["--base-url", "https://example.org/shop/"]).code, 0);
    let page = site.read("404.html");
    assert!(page.contains("href=\"https://example.org/shop/\""), "a way back to the gallery: {page}");
    let css = css_href(&page);
    assert!(css.starts_with("https://example.org/shop/assets/") && css.ends_with(".css"), "{css}");
    assert!(page.contains("noindex"));
    // HTML off: it goes with the other pages.
    assert_eq!(site.build(&["--outputs", "png"]).code, 0);
    assert!(!site.output("404.html").exists() && !site.output("feed.xml").exists());
}

/// The values of every `attr="..."` in `text`.
fn attribute_values<'a>(text: &'a str, attr: &str) -> Vec<&'a str> {
    let needle = format!(" {attr}=\"");
    text.match_indices(&needle)
        .filter_map(|(at, _)| {
            let rest = &text[at + needle.len()..];
            rest.find('"').map(|end| &rest[..end])
        })
        .collect()
}

#[test]
fn every_internal_link_of_the_site_resolves_to_a_file() {
    let site = Site::fixture("basic");
    site.add_settings("gallery:\n  per_page: 2\n");
    let base = "https://example.org/shop/";
    assert_eq!(site.build(&["--base-url", base]).code, 0);
    let files = site_tree(&site.root().join("output"));
    let mut checked = 0;
    for (name, bytes) in &files {
        let text = String::from_utf8_lossy(bytes);
        let links: Vec<&str> = if name.ends_with(".html") {
            let mut links = attribute_values(&text, "href");
            links.extend(attribute_values(&text, "src"));
            links.extend(attribute_values(&text, "content").into_iter().filter(|c| c.starts_with("http")));
            links
        } else if name.ends_with(".css") {
            text.match_indices("url(").filter_map(|(at, _)| text[at + 4..].split(')').next()).collect()
        } else {
            continue;
        };
        for link in links {
            let link = link.trim_matches(['"', '\'']);
            assert!(!link.starts_with('/'), "{name}: `{link}` is not under the base URL");
            let Some(path) = link.strip_prefix(base) else {
                let elsewhere = ["https://", "http://", "data:", "mailto:", "#"].iter().any(|p| link.starts_with(p));
                assert!(elsewhere, "{name}: `{link}` is neither under the base URL nor elsewhere");
                continue;
            };
            let path = path.split(['#', '?']).next().unwrap();
            let file =
                if path.is_empty() || path.ends_with('/') { format!("{path}index.html") } else { path.to_string() };
            assert!(files.contains_key(&file), "{name} links `{link}`, which is not in the output");
            checked += 1;
        }
    }
    assert!(checked > 40, "only {checked} links checked");
}
