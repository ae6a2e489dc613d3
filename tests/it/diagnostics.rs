//! Mistakes in a site reported as a compiler reports them: each at its file,
//! line and column, with a hint where one helps. A bad message costs only its
//! own card; a broken `waxseal.yaml` stops the build.

use crate::support::Site;

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
fn a_site_theme_named_by_a_path_is_refused_at_its_line() {
    let site = Site::fixture("basic");
    for theme in ["/etc", "../elsewhere", "themes/../../x"] {
        site.write("waxseal.yaml", &format!("title: Shop\ntheme: {theme}\n"));
        let run = site.build(&[]);
        assert_eq!(run.code, 2, "{}", run.stderr);
        let wanted = format!("waxseal.yaml:2:8: error: `{theme}` is not a theme name\n  hint: a theme is a name: ");
        assert!(run.stderr.starts_with(&wanted), "{theme}: {}", run.stderr);
    }
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
fn a_sign_off_of_the_wrong_kind_is_shown_where_it_stands() {
    let site = Site::empty();
    site.write("content/list.md", "---\nfrom: Bev\nsign_off: [with, love]\n---\nHi.\n");
    site.write("content/good.md", "---\nfrom: Bev\n---\nHi.\n");
    let run = site.build(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "content/list.md:3:11: error: sign_off: invalid type: sequence, expected the words before the name"
        ),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("  hint: write `sign_off: \"with love,\"`, "), "{}", run.stderr);
    assert!(site.output("cards/good/card.png").is_file());

    // An unknown language in waxseal.yaml stops the build, at the key.
    site.write("waxseal.yaml", "title: Shop\nsign_off:\n  de: \"Bis bald,\"\n  english: \"See you,\"\n");
    let run = site.build(&[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("waxseal.yaml:4:3: error: sign_off: `english` is not a language tag"),
        "{}",
        run.stderr
    );
    // And in a theme's settings, at the theme's line.
    site.write("waxseal.yaml", "title: Shop\n");
    site.write("themes/mine/theme.yaml", "extends: chocolate\ntext:\n  sign_off:\n    klingon: \"Qapla',\"\n");
    site.write("content/good.md", "---\nfrom: Bev\ntheme: mine\n---\nHi.\n");
    let run = site.build(&[]);
    assert!(
        run.stderr.contains(
            "themes/mine/theme.yaml:4:5: error: `klingon` is not a language tag\n  hint: give `sign_off` per language"
        ),
        "{}",
        run.stderr
    );
}
