//! `waxseal print`: the chosen cards of a site on sheets of paper for a home
//! printer, n-up, with cut marks, in one PDF (`output/print/sheets-a4.pdf`).
//!
//! It reads and lays out the chosen cards itself, as a build does, so it
//! works on a fresh site in one command and neither needs a build nor
//! touches one (the build cache, the cards' files). The imposition (how
//! many cards go on a sheet, where, and where the cuts are) is a pure
//! function of the card's and the sheet's sizes; drawing is pdf's job and
//! writing output's.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::card::themes::{own_error, theme_name, theme_of, Themes};
use crate::config::SiteConfig;
use crate::content::catalog::{heads_of, message_of, path_slug, unique_slugs, Heads};
use crate::content::patterns::CardPatterns;
use crate::content::{self, Message};
use crate::diagnostics::{Diagnostic, Report};
use crate::render::pdf::{self, PrintCard, SheetPage, MM};
use crate::theme;

/// A sheet of paper for a home printer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sheet {
    /// ISO A4, 210 x 297 mm.
    A4,
    /// US Letter, 8.5 x 11 in.
    Letter,
}

impl Sheet {
    /// Its size, portrait, in points.
    pub fn points(self) -> (f32, f32) {
        match self {
            Sheet::A4 => (210.0 * MM, 297.0 * MM),
            Sheet::Letter => (8.5 * 72.0, 11.0 * 72.0),
        }
    }

    /// `a4`, `letter`.
    pub fn name(self) -> &'static str {
        match self {
            Sheet::A4 => "a4",
            Sheet::Letter => "letter",
        }
    }

    /// `A4`, `Letter`.
    pub fn label(self) -> &'static str {
        match self {
            Sheet::A4 => "A4",
            Sheet::Letter => "Letter",
        }
    }
}

/// What to print.
#[derive(Debug, Clone)]
pub struct PrintOptions {
    /// The site folder.
    pub root: PathBuf,
    /// The output folder; the PDF goes into its `print/`.
    pub output: PathBuf,
    /// The paper.
    pub sheet: Sheet,
    /// Slug patterns (`orders/*`); every card when empty.
    pub cards: Vec<String>,
    /// Drafts too.
    pub drafts: bool,
}

/// What a print did.
#[derive(Debug, Default)]
pub struct PrintReport {
    /// Every problem; fatal when nothing could be printed (bad settings, no
    /// card chosen, unwritable output).
    pub problems: Report,
    /// The PDF written, relative to the output folder (none when nothing was printed).
    pub file: Option<String>,
    /// Cards printed.
    pub cards: usize,
    /// Sheets (pages) of the PDF.
    pub sheets: usize,
    /// For each card size: its name, how many cards a sheet holds, and how many were printed.
    pub sizes: Vec<(String, usize, usize)>,
}

/// Prints the chosen cards of the site on sheets; a problem the rows of a
/// merged message share is reported once, as a build does.
pub fn print(options: &PrintOptions) -> PrintReport {
    let mut printed = print_sheets(options);
    printed.problems.fold_repeats();
    printed
}

fn print_sheets(options: &PrintOptions) -> PrintReport {
    let mut printed = PrintReport::default();
    let report = &mut printed.problems;
    let config = match SiteConfig::load(&options.root) {
        Ok(config) => config,
        Err(d) => {
            report.push_fatal(d);
            return printed;
        }
    };
    let patterns = match CardPatterns::new(&options.cards, Path::new("content")) {
        Ok(patterns) => patterns,
        Err(d) => {
            report.push_fatal(d);
            return printed;
        }
    };
    let mut body_tera = tera::Tera::new();
    crate::template::register_filters(&mut body_tera);
    let messages = chosen_cards(options, &patterns, &config, &body_tera, report);
    if messages.is_empty() {
        if options.cards.is_empty() && report.diagnostics.is_empty() {
            report.push(Diagnostic::error("content", 0, 0, "no cards to print"));
        }
        report.fatal = true;
        return printed;
    }
    let bleed = config.print.bleed.points() as f32;
    let cards = print_cards(&options.root, &messages, &config, &body_tera, bleed, report);
    let pages = sheets(&cards, options.sheet, bleed, &mut printed);
    if pages.is_empty() {
        printed.problems.fatal = true;
        return printed;
    }
    let title = format!("{}: cards on {} sheets", config.title, options.sheet.label());
    let lang = config.lang.as_deref().unwrap_or("en");
    let date = messages.iter().filter_map(|m| m.date).max().map_or_else(crate::config::build_date, |d| d.date());
    if let Some(rel) = write_pdf(options, &pages, &title, (lang, date), &mut printed.problems) {
        printed.sheets = pages.len();
        printed.file = Some(rel);
    }
    printed
}

/// The chosen messages, in the order of their files (a merged message's
/// cards in the order of its rows), found as a build finds them (the
/// catalog: drafts left out unless asked for, a slug used twice refused);
/// a file's problems reported when it might have been chosen, and a
/// pattern that matches nothing.
fn chosen_cards(
    options: &PrintOptions,
    patterns: &CardPatterns,
    config: &SiteConfig,
    body_tera: &tera::Tera,
    report: &mut Report,
) -> Vec<Message> {
    let root = &options.root;
    let (files, problems) = content::walk(root);
    report.diagnostics.extend(problems);
    let read = |path: &Path| content::read(root, path);
    let parsed: Vec<Heads> =
        files.par_iter().map(|path| heads_of(&read, root, path, body_tera, config, options.drafts)).collect();
    let mut heads = Vec::new();
    // The slugs of the cards the patterns chose, to name a pattern that chose none.
    let mut chosen: Vec<String> = Vec::new();
    for (path, file) in files.iter().zip(parsed) {
        let slug = path_slug(root, path);
        if !file.problems.is_empty() && patterns.chooses(&slug) {
            report.diagnostics.extend(file.problems);
            chosen.push(slug);
        }
        for head in file.heads.into_iter().filter(|head| patterns.chooses(&head.slug)) {
            chosen.push(head.slug.clone());
            heads.push(head);
        }
    }
    for pattern in patterns.unmatched(chosen.iter().map(String::as_str)) {
        report.push(
            Diagnostic::error("content", 0, 0, format!("no card matches `{pattern}`"))
                .with_hint("give a card's slug (its path in content/ without `.md`), or a pattern such as `orders/*`"),
        );
    }
    let card_files = crate::card::Artifact::ALL.map(crate::card::Artifact::file_name);
    let heads = unique_slugs(heads, &card_files, &mut report.diagnostics);
    let read: Vec<Result<Message, Diagnostic>> =
        heads.par_iter().map(|head| message_of(&read, root, head, body_tera, config)).collect();
    read.into_iter().filter_map(|m| m.map_err(|d| report.push(d)).ok()).collect()
}

/// Every message laid out and parsed for the PDF, in parallel, each theme
/// loaded once: each card's size's name and the card. A broken theme's own
/// error is reported once, before its cards' (as a build does).
fn print_cards(
    root: &Path,
    messages: &[Message],
    config: &SiteConfig,
    body_tera: &tera::Tera,
    bleed: f32,
    report: &mut Report,
) -> Vec<(String, PrintCard)> {
    let mut names: Vec<&str> = messages.iter().map(|m| theme_name(config, m)).collect();
    names.sort();
    names.dedup();
    let themes: Themes =
        names.into_par_iter().map(|name| (name.to_string(), theme::load(root, name).map(Arc::new))).collect();
    let figures = crate::card::figures::Figures::new(root, true);
    let made: Vec<Result<(String, PrintCard), Diagnostic>> =
        messages.par_iter().map(|m| prepare(m, config, (&themes, &figures), body_tera, bleed)).collect();
    let mut cards = Vec::new();
    let mut reported = HashSet::new();
    for (m, result) in messages.iter().zip(made) {
        match result {
            Ok(card) => cards.push(card),
            Err(d) => {
                let theme_error = own_error(&themes, config, theme_name(config, m));
                for d in theme_error.into_iter().cloned().chain([d]) {
                    if reported.insert((d.path.clone(), d.line, d.message.clone())) {
                        report.push(d);
                    }
                }
            }
        }
    }
    cards
}

/// Lays message `m` out and makes its card ready to print: its size's name
/// and the card parsed for the PDF.
fn prepare(
    m: &Message,
    config: &SiteConfig,
    (themes, figures): (&Themes, &crate::card::figures::Figures),
    body_tera: &tera::Tera,
    bleed: f32,
) -> Result<(String, PrintCard), Diagnostic> {
    let theme = theme_of(themes, config, m)?;
    let card = crate::card::lay_out(theme, config, body_tera, m, figures)?;
    let svg = card.checked_print_svg(theme, m, bleed)?;
    let print = PrintCard::new(theme, card.size, &svg)
        .map_err(|e| Diagnostic::error(theme.origin("card.svg"), 0, 0, e.to_string()))?;
    Ok((card.size.full_name(), print))
}

/// The pages of the PDF: the cards of each size on their own sheets, sizes
/// in order of first appearance; each size's cards a sheet and count go
/// into `printed`, a size too big for the sheet into its problems.
fn sheets<'a>(
    cards: &'a [(String, PrintCard)],
    sheet: Sheet,
    bleed: f32,
    printed: &mut PrintReport,
) -> Vec<SheetPage<'a>> {
    let mut groups: Vec<(&String, Vec<&PrintCard>)> = Vec::new();
    for (size, card) in cards {
        match groups.iter_mut().find(|(name, _)| *name == size) {
            Some((_, group)) => group.push(card),
            None => groups.push((size, vec![card])),
        }
    }
    let mut pages = Vec::new();
    for (size, group) in &groups {
        let Some(imposition) = impose(group[0].trim(), sheet.points(), bleed) else {
            printed.problems.push(Diagnostic::error(
                "content",
                0,
                0,
                format!("a {size} card does not fit on a {} sheet", sheet.label()),
            ));
            continue;
        };
        for chunk in group.chunks(imposition.slots.len()) {
            let cards = chunk.iter().zip(&imposition.slots).map(|(card, slot)| (*card, slot.at, slot.clip())).collect();
            pages.push(SheetPage { size: imposition.sheet, cards, marks: imposition.marks.clone() });
        }
        printed.sizes.push((size.to_string(), imposition.slots.len(), group.len()));
        printed.cards += group.len();
    }
    pages
}

/// Writes the PDF of `pages` into the output folder's `print/`, under the
/// output folder's lock; returns its path in the output folder, or `None`
/// with the problem in `report` (fatal).
fn write_pdf(
    options: &PrintOptions,
    pages: &[SheetPage],
    title: &str,
    (lang, date): (&str, jiff::civil::Date),
    report: &mut Report,
) -> Option<String> {
    // Dated by the newest card on them, or the build (see `PdfInfo`).
    let bytes = match pdf::sheets_pdf(pages, &pdf::PdfInfo { title, lang, date }) {
        Ok(bytes) => bytes,
        Err(e) => {
            report.push_fatal(Diagnostic::error("content", 0, 0, e.to_string()));
            return None;
        }
    };
    let rel = format!("print/sheets-{}.pdf", options.sheet.name());
    let (output, claim) = match crate::build::claim_output(&options.root, &options.output) {
        Ok(claimed) => claimed,
        Err(d) => {
            report.push_fatal(d);
            return None;
        }
    };
    match output.write(&rel, &bytes).and_then(|()| claim.finish(&output, None)) {
        Ok(_) => Some(rel),
        Err(e) => {
            report.push_fatal(Diagnostic::error(options.output.join(&rel), 0, 0, format!("cannot write: {e}")));
            None
        }
    }
}

/// Where a card goes on a sheet.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Slot {
    /// The top left corner of its cut, in points.
    pub at: (f32, f32),
    /// What of its artwork shows, as left, top, right, bottom: its cut, and
    /// the bleed where there is room for it (a gap between cards, a margin).
    pub clip: [f32; 4],
}

impl Slot {
    fn clip(&self) -> krilla::geom::Rect {
        let [l, t, r, b] = self.clip;
        krilla::geom::Rect::from_ltrb(l, t, r, b).expect("a card's clip has a size")
    }
}

/// Cards laid out on a sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct Imposition {
    /// The sheet as laid out (landscape when that holds more cards), in points.
    pub sheet: (f32, f32),
    /// The places of the cards, row by row.
    pub slots: Vec<Slot>,
    /// Cut marks, as lines from (x0, y0) to (x1, y1).
    pub marks: Vec<[f32; 4]>,
}

/// How far a cut mark on a cut line inside the sheet runs from the edge of
/// the cards into them, when the sheet's margin has no room for it: past
/// the edge a home printer cannot print on. The cut takes it off with the line.
const INLINE_MARK: f32 = 12.0 * MM;

/// The least gutter between two cards: room to cut each on its own, and for
/// each its bleed (twice the bleed when that is more).
const GUTTER: f32 = 6.0 * MM;

/// The shortest cut mark worth drawing in a margin.
const SHORT_MARK: f32 = 3.0 * MM;

/// How cards lie along one side of a sheet.
#[derive(Debug, Clone, Copy)]
struct Axis {
    /// Cards.
    n: usize,
    /// A card's length along this side, as cut.
    card: f32,
    /// Between two cards: none (they share a cut) or a gutter.
    gap: f32,
    /// From the sheet's edge to the first card's cut.
    margin: f32,
    /// How long the cut marks in this side's margins are (0: no room for them).
    mark: f32,
}

impl Axis {
    /// `n` cards of length `card` on a side of `length`, a gutter between
    /// them when there is room for one (`gutter`).
    fn lay(n: usize, length: f32, card: f32, gutter: Option<f32>, bleed: f32) -> Axis {
        let between = n.saturating_sub(1) as f32;
        let gap = gutter.filter(|g| n > 1 && length - n as f32 * card - between * g >= -0.01).unwrap_or(0.0);
        let margin = (length - n as f32 * card - between * gap) / 2.0;
        let mark = (margin - bleed - pdf::MARK_OFFSET).min(pdf::MARK_LENGTH);
        Axis { n, card, gap, margin, mark: if mark >= SHORT_MARK { mark } else { 0.0 } }
    }

    /// Whether the margins hold cut marks.
    fn room(&self) -> bool {
        self.mark > 0.0
    }

    /// Where card `i`'s cut begins.
    fn start(&self, i: usize) -> f32 {
        self.margin + i as f32 * (self.card + self.gap)
    }

    /// The cut lines across this side, each with whether it lies inside the
    /// sheet (not on its edge or a sliver from it, where nothing is cut).
    fn cuts(&self) -> Vec<(f32, bool)> {
        let mut lines: Vec<(f32, bool)> = Vec::new();
        let length = 2.0 * self.margin + self.n as f32 * self.card + self.n.saturating_sub(1) as f32 * self.gap;
        for i in 0..self.n {
            let a = self.start(i);
            for at in [a, a + self.card] {
                // Cards that touch share a cut line.
                if !lines.iter().any(|(l, _)| (l - at).abs() < 0.01) {
                    lines.push((at, at > pdf::MARK_OFFSET && at < length - pdf::MARK_OFFSET));
                }
            }
        }
        lines
    }

    /// Where the marks of a cut line across this side (of `length`) run, at
    /// both ends: in the margins, from the edge of the cards' bleed
    /// outwards; else, on a line `inside` the sheet, on the line itself
    /// from the cards' edge inwards; else nowhere.
    fn mark_spans(&self, length: f32, bleed: f32, inside: bool) -> Option<[(f32, f32); 2]> {
        if self.room() {
            let near = self.margin - bleed - pdf::MARK_OFFSET;
            Some([(near, near - self.mark), (length - near, length - near + self.mark)])
        } else {
            inside.then(|| {
                let m = self.margin;
                [(m, m + INLINE_MARK), (length - m, length - m - INLINE_MARK)]
            })
        }
    }
}

/// The most cards of `card` size (points, as cut) on a sheet of `sheet`
/// size, portrait or landscape; `None` when not even one fits.
///
/// Between two cards runs a gutter (6 mm, or twice the bleed when that is
/// more) wherever the sheet has room for it, so that each card is cut on
/// its own and keeps its bleed; where it has not (4 A6 cards fill an A4
/// sheet: 2 x 105 mm is its width), the cards touch and share a cut. Of
/// two ways to turn the sheet that hold as many cards, the one with more
/// gutters (then wider margins) is taken. Cut marks go in the sheet's
/// margins, on each cut line, outside the bleed; where a margin has no room
/// for them, a cut line inside the sheet gets its marks on itself, from the
/// cards' edge inwards.
pub fn impose(card: (f32, f32), sheet: (f32, f32), bleed: f32) -> Option<Imposition> {
    let gutter = Some(GUTTER.max(2.0 * bleed));
    // A hundredth of a point of slack: an A4 sheet holds two A5 widths.
    let fits = |length: f32, card: f32| ((length + 0.01) / card).floor() as usize;
    let lay = |(w, h): (f32, f32)| {
        (Axis::lay(fits(w, card.0), w, card.0, gutter, bleed), Axis::lay(fits(h, card.1), h, card.1, gutter, bleed))
    };
    // Then the wider margin: nearer the edge than a few millimetres a home
    // printer prints nothing.
    let score = |(x, y): &(Axis, Axis)| {
        let margin = (x.margin.min(y.margin) / MM * 10.0) as i32;
        (x.n * y.n, usize::from(x.gap > 0.0) + usize::from(y.gap > 0.0), margin)
    };
    let (portrait, landscape) = (sheet, (sheet.1, sheet.0));
    // Portrait unless landscape holds more, or as many with more gutters, or
    // as many gutters and wider margins.
    let (sheet, (x, y)) = if score(&lay(landscape)) > score(&lay(portrait)) {
        (landscape, lay(landscape))
    } else {
        (portrait, lay(portrait))
    };
    if x.n == 0 || y.n == 0 {
        return None;
    }
    // How far a card's artwork shows past its cut on each side: its bleed,
    // where a margin or a gutter has room for it.
    let reach = |axis: &Axis, i: usize| -> (f32, f32) {
        let outer = bleed.min(axis.margin);
        let inner = bleed.min(axis.gap / 2.0);
        let before = if i == 0 { outer } else { inner };
        let after = if i + 1 == axis.n { outer } else { inner };
        (before, after)
    };
    let mut slots = Vec::new();
    for row in 0..y.n {
        for col in 0..x.n {
            let (left, top) = (x.start(col), y.start(row));
            let ((l, r), (t, b)) = (reach(&x, col), reach(&y, row));
            slots.push(Slot { at: (left, top), clip: [left - l, top - t, left + card.0 + r, top + card.1 + b] });
        }
    }
    let marks = cut_marks(&x, &y, sheet, bleed);
    Some(Imposition { sheet, slots, marks })
}

/// The cut lines across each side of a `sheet`, and their marks at both ends.
fn cut_marks(x: &Axis, y: &Axis, sheet: (f32, f32), bleed: f32) -> Vec<[f32; 4]> {
    let mut marks = Vec::new();
    for (at, inside) in x.cuts() {
        for (y0, y1) in y.mark_spans(sheet.1, bleed, inside).into_iter().flatten() {
            marks.push([at, y0, at, y1]);
        }
    }
    for (at, inside) in y.cuts() {
        for (x0, x1) in x.mark_spans(sheet.0, bleed, inside).into_iter().flatten() {
            marks.push([x0, at, x1, at]);
        }
    }
    marks
}

#[cfg(test)]
mod tests {
    use super::*;

    const A6: (f32, f32) = (105.0 * MM, 148.0 * MM);
    const A7: (f32, f32) = (74.0 * MM, 105.0 * MM);
    const FIVE_BY_SEVEN: (f32, f32) = (360.0, 504.0);
    const BLEED: f32 = 3.0 * MM;

    fn inside(slot: &Slot, x: f32, y: f32) -> bool {
        let [l, t, r, b] = slot.clip;
        x > l + 0.01 && x < r - 0.01 && y > t + 0.01 && y < b - 0.01
    }

    #[test]
    fn four_a6_cards_fill_an_a4_sheet_and_are_cut_through_the_middle() {
        let a4 = Sheet::A4.points();
        let i = impose(A6, a4, BLEED).unwrap();
        assert_eq!(i.sheet, a4, "portrait");
        assert_eq!(i.slots.len(), 4);
        // They touch: one cut between two, no bleed shown.
        assert!((i.slots[1].at.0 - (i.slots[0].at.0 + A6.0)).abs() < 0.01);
        assert!((i.slots[0].clip[2] - i.slots[1].clip[0]).abs() < 0.01, "no overlap, no gap");
        // No margin for marks: the two middle cut lines carry their own, at both ends.
        assert_eq!(i.marks.len(), 4, "{:?}", i.marks);
        let middle = (a4.0 / 2.0, a4.1 / 2.0);
        for [x0, y0, x1, y1] in &i.marks {
            assert!(((x0 - middle.0).abs() < 0.01 && x0 == x1) || ((y0 - middle.1).abs() < 0.01 && y0 == y1));
        }
    }

    #[test]
    fn eight_a7_cards_go_on_a_landscape_a4_sheet() {
        let i = impose(A7, Sheet::A4.points(), BLEED).unwrap();
        assert_eq!(i.slots.len(), 8);
        assert!(i.sheet.0 > i.sheet.1, "landscape");
    }

    #[test]
    fn two_5x7_cards_go_on_a_landscape_letter_sheet_with_marks_outside_the_art() {
        let i = impose(FIVE_BY_SEVEN, Sheet::Letter.points(), BLEED).unwrap();
        assert_eq!(i.slots.len(), 2);
        assert_eq!(i.sheet, (792.0, 612.0));
        // A gutter between them: four vertical cut lines, two horizontal, a
        // mark at each end of each, in the margins (the side margins hold
        // marks 4.7 mm long, the least of three).
        assert_eq!(i.marks.len(), 12, "{:?}", i.marks);
        for [x0, y0, x1, y1] in &i.marks {
            for slot in &i.slots {
                assert!(!inside(slot, *x0, *y0) && !inside(slot, *x1, *y1), "a mark on a card");
            }
            assert!(
                [x0, x1].iter().all(|x| (0.0..=792.0).contains(*x))
                    && [y0, y1].iter().all(|y| (0.0..=612.0).contains(*y))
            );
        }
        // Every edge keeps its bleed: the margins and the gutter have room.
        assert!((i.slots[1].at.0 - (i.slots[0].at.0 + 360.0) - 6.0 * MM).abs() < 0.01, "a 6 mm gutter");
        assert!((i.slots[0].at.0 - i.slots[0].clip[0] - BLEED).abs() < 0.01);
        assert!((i.slots[0].clip[2] - (i.slots[0].at.0 + 360.0) - BLEED).abs() < 0.01);
    }

    #[test]
    fn cards_with_room_between_them_keep_their_bleed_in_the_gap() {
        // Two A7 cards on an A5-sized sheet with room to spare.
        let i = impose(A7, (200.0 * MM, 160.0 * MM), BLEED).unwrap();
        assert_eq!(i.slots.len(), 2);
        let (a, b) = (&i.slots[0], &i.slots[1]);
        assert!((b.at.0 - (a.at.0 + A7.0) - 2.0 * BLEED).abs() < 0.01, "a gap of twice the bleed");
        assert!((a.clip[2] - b.clip[0]).abs() < 0.01, "each card's bleed fills half the gap");
        // Four vertical cut lines, two horizontal, each marked at both ends.
        assert_eq!(i.marks.len(), 12);
    }

    /// The gutters between the cards of `i` along x and along y, in mm.
    fn gutters(i: &Imposition, card: (f32, f32)) -> (Vec<f32>, Vec<f32>) {
        let mut xs: Vec<f32> = i.slots.iter().map(|s| s.at.0).collect();
        let mut ys: Vec<f32> = i.slots.iter().map(|s| s.at.1).collect();
        for v in [&mut xs, &mut ys] {
            v.sort_by(f32::total_cmp);
            v.dedup_by(|a, b| (*a - *b).abs() < 0.01);
        }
        let gaps =
            |v: &[f32], len: f32| v.windows(2).map(|w| ((w[1] - w[0] - len) / MM * 10.0).round() / 10.0).collect();
        (gaps(&xs, card.0), gaps(&ys, card.1))
    }

    /// Whether every edge of every card's cut has a mark on its line.
    fn every_cut_marked(i: &Imposition, card: (f32, f32)) -> bool {
        let on = |vertical: bool, at: f32| {
            i.marks.iter().any(|[x0, y0, x1, y1]| {
                if vertical {
                    (x0 - x1).abs() < 0.01 && (x0 - at).abs() < 0.01
                } else {
                    (y0 - y1).abs() < 0.01 && (y0 - at).abs() < 0.01
                }
            })
        };
        let (w, h) = i.sheet;
        let edge = |v: f32, len: f32| v < 2.0 * MM || v > len - 2.0 * MM;
        i.slots.iter().all(|s| {
            let (l, t, r, b) = (s.at.0, s.at.1, s.at.0 + card.0, s.at.1 + card.1);
            [(true, l, w), (true, r, w), (false, t, h), (false, b, h)]
                .iter()
                .all(|(vertical, at, len)| edge(*at, *len) || on(*vertical, *at))
        })
    }

    #[test]
    fn cards_get_a_gutter_wherever_the_sheet_has_room_and_each_cut_its_marks() {
        const A6_LANDSCAPE: (f32, f32) = (148.0 * MM, 105.0 * MM);
        const FOUR_BY_SIX: (f32, f32) = (288.0, 432.0);
        let (a4, letter) = (Sheet::A4.points(), Sheet::Letter.points());
        // (card, sheet, cards, gutters across, gutters down)
        type Case = ((f32, f32), (f32, f32), usize, Vec<f32>, Vec<f32>);
        let cases: [Case; 7] = [
            // 2 x 105 mm is A4's width: no room, the cards touch.
            (A6, a4, 4, vec![0.0], vec![0.0]),
            (A6_LANDSCAPE, a4, 4, vec![0.0], vec![0.0]),
            // Letter is 5.9 mm wider: turned, two A6 cards have room.
            (A6, letter, 2, vec![6.0], vec![]),
            (A7, letter, 6, vec![6.0, 6.0], vec![0.0]),
            (FIVE_BY_SEVEN, letter, 2, vec![6.0], vec![]),
            // Turned, with a gutter and margins a printer can print to.
            (FOUR_BY_SIX, a4, 2, vec![6.0], vec![]),
            (FOUR_BY_SIX, letter, 2, vec![6.0], vec![]),
        ];
        for (card, sheet, n, across, down) in cases {
            let i = impose(card, sheet, BLEED).unwrap();
            assert_eq!(i.slots.len(), n, "{card:?} on {sheet:?}");
            assert_eq!(gutters(&i, card), (across, down), "{card:?} on {sheet:?}: {:?}", i.slots);
            assert!(every_cut_marked(&i, card), "{card:?} on {sheet:?}: a cut with no mark: {:?}", i.marks);
            let margin = i.slots.iter().map(|s| s.at.0.min(s.at.1)).fold(f32::MAX, f32::min);
            if card == FOUR_BY_SIX {
                assert!(margin > 20.0 * MM, "{card:?} on {sheet:?}: margins of {} mm", margin / MM);
            }
        }
    }

    #[test]
    fn a_card_larger_than_the_sheet_does_not_fit() {
        assert_eq!(impose((700.0, 900.0), Sheet::A4.points(), BLEED), None);
    }
}
