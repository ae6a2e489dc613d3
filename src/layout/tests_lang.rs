//! Line breaking per language, checked on the laid-out lines: German
//! hyphenation (how many hyphens stack, how short a piece may be, where
//! compounds break, centred text) and Japanese (kinsoku, the full measure,
//! words kept whole, a title on one line).

use super::*;
use crate::theme::Theme;
use std::sync::OnceLock;

/// A built-in theme, loaded once per name for all tests.
fn theme(name: &str) -> &'static Theme {
    static THEMES: OnceLock<Vec<Theme>> = OnceLock::new();
    let themes = THEMES.get_or_init(|| {
        ["chocolate", "classic", "kraft", "minimal"]
            .iter()
            .map(|n| crate::theme::load(std::path::Path::new("/nonexistent-site"), n).unwrap())
            .collect()
    });
    themes.iter().find(|t| t.spec.name == name).unwrap()
}

const A6: Frame = Frame { width: 917.0, height: 1206.0, px_per_pt: 300.0 / 72.0, text_scale: 1.0 };

/// The spread's German message.
const GERMAN: &str = "Unser Team in der Schokoladenmanufaktur hat Ihre Pralinen mit größter Sorgfalt von Hand \
    gefertigt und verpackt. Die Geschenkverpackung wurde nach Ihren Wünschen gestaltet, und wir hoffen, dass \
    Ihnen die Herbstkollektion genauso viel Freude bereitet wie uns bei der Herstellung.";

/// A longer German letter, thick with compounds.
const GERMAN_LONG: &str = "Herzlichen Glückwunsch zur Hochzeitsfeier! Unsere Konditormeisterin hat die \
    Hochzeitstorte mit Himbeerfüllung und Vanillebuttercreme nach Ihrem Lieblingsrezept gebacken, die \
    Tischdekoration mit Sonnenblumen aus dem Gemeinschaftsgarten geschmückt und die Einladungskarten in \
    Handschrift beschriftet. Die Weihnachtsgeschenke für Ihre Familienangehörigen verschicken wir mit der \
    Paketzustellung im Dezember; die Sendungsverfolgungsnummer steht auf der Auftragsbestätigung. \
    Vielen Dank für Ihre Bestellung und Ihre Geduld mit unserer Schokoladenmanufaktur.";

/// The lines of `text` laid out on `theme` in a box `width` px wide.
fn lines(theme: &Theme, text: &str, width: f32, lang: Option<hypher::Lang>) -> Vec<String> {
    let rich = crate::markup::render(text, false).unwrap().rich;
    let content = Content { title: None, text: &rich, signature: None, lang };
    let laid = layout(theme, content, Frame { width, ..A6 }).unwrap();
    laid.lines
        .iter()
        .filter_map(|l| match &l.kind {
            LineKind::Text(pieces) => Some(pieces.iter().map(|p| p.text.as_str()).collect()),
            LineKind::Rule => None,
        })
        .collect()
}

/// The German paragraphs on every theme, in boxes from a narrow column to A6.
fn german_settings() -> impl Iterator<Item = (&'static str, &'static str, f32, Vec<String>)> {
    let widths = (0..12).map(|i| 420.0 + 45.0 * i as f32);
    ["chocolate", "classic", "kraft", "minimal"].into_iter().flat_map(move |name| {
        let widths = widths.clone();
        [GERMAN, GERMAN_LONG].into_iter().flat_map(move |text| {
            widths.clone().map(move |w| (name, text, w, lines(theme(name), text, w, Some(hypher::Lang::German))))
        })
    })
}

#[test]
fn german_never_stacks_more_than_two_hyphens() {
    for (name, _, width, lines) in german_settings() {
        let mut run = 0;
        for line in &lines {
            run = if line.ends_with('-') { run + 1 } else { 0 };
            assert!(run <= 2, "{name} at {width} px: three hyphens in a row\n{lines:#?}");
        }
    }
}

#[test]
fn german_hyphens_keep_three_letters_on_each_side() {
    for (name, _, width, lines) in german_settings() {
        for (i, line) in lines.iter().enumerate() {
            let Some(before) = line.strip_suffix('-') else { continue };
            let left = before.rsplit(' ').next().unwrap().chars().filter(|c| c.is_alphabetic()).count();
            let next = lines.get(i + 1).map_or("", |l| l.as_str());
            let right = next.split(' ').next().unwrap().chars().filter(|c| c.is_alphabetic()).count();
            assert!(left >= 3 && right >= 3, "{name} at {width} px: {line:?} / {next:?}\n{lines:#?}");
        }
    }
}

#[test]
fn german_compounds_break_at_their_joints_when_they_can() {
    // "Schokoladenmanufaktur" at the end of the first line: the joint is free
    // at this width, and was passed over for "Schokoladenma-nufaktur".
    let lines = lines(theme("chocolate"), GERMAN, A6.width, Some(hypher::Lang::German));
    let all = lines.join("\n");
    for bad in ["Schokoladenma-", "Geschenkver-", "Herbstkol-", "Pra-"] {
        assert!(!all.contains(bad), "{bad}\n{lines:#?}");
    }
    let hyphenated = lines.iter().filter(|l| l.ends_with('-')).count();
    assert!(hyphenated * 4 <= lines.len(), "{hyphenated} of {} lines hyphenated\n{lines:#?}", lines.len());
}

#[test]
fn centred_german_is_hyphenated_and_keeps_no_word_alone() {
    let lines = lines(theme("classic"), GERMAN, 700.0, Some(hypher::Lang::German));
    assert!(lines.iter().any(|l| l.ends_with('-')), "{lines:#?}");
    assert!(lines.iter().all(|l| l.contains(' ')), "a word alone on a line\n{lines:#?}");
}
