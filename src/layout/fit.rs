//! How large each part of a card's text is set: a short note grows (up to
//! the theme's ceiling) as a long letter shrinks, a note of a few words
//! becomes the card's title, and the title stays above the sender's name,
//! which stays above the sign-off words.
//!
//! Pure arithmetic on the prepared blocks; `mod.rs` does the fitting (which
//! body size fits the box) and builds the lines.

use super::breaks::{greedy_breaks, line_width, Segment};
use super::cjk::TITLE_MIN_SCALE;
use super::{Frame, Part, Prepared};
use crate::markup::{BlockKind, RichText, RunStyle};
use crate::theme::TextSettings;

/// A note of at most this many words, and no title, is set as the title.
const HERO_WORDS: usize = 6;
/// ... and at most this many characters (a CJK note has no spaces).
const HERO_CHARS: usize = 40;

/// How much larger than the theme's size a short note's body may grow when
/// the theme does not say (`text.max_size`).
const GROW: f32 = 1.6;

/// The title's capitals are at least this much taller than the name's: a
/// little over the 1.25 the eye needs to rank them at a glance, as the
/// fonts' stated cap heights and their ink differ by a few percent.
const TITLE_OVER_NAME: f32 = 1.3;

/// The least a title given way to a picture is set at, in times the
/// body's size: still the card's heading.
const TITLE_OVER_BODY: f32 = 1.3;

/// The runs of a note of a few words without a title (a single plain
/// paragraph, no line break), to be set as the card's title.
pub(super) fn hero(text: &RichText) -> Option<Vec<(String, RunStyle)>> {
    let [block] = &text.blocks[..] else {
        return None;
    };
    let plain = block.plain_text();
    let short = plain.split_whitespace().count() <= HERO_WORDS && plain.chars().count() <= HERO_CHARS;
    // A line break or a control character (a bidi separator) makes a text, not a title.
    let plain_line = !plain.chars().any(char::is_control);
    if block.kind != BlockKind::Paragraph || block.quoted || block.depth > 0 || !plain_line || !short {
        return None;
    }
    Some(block.runs.iter().map(|r| (r.text.clone(), r.style)).collect())
}

/// The largest body size, in points, the text may be set at: the theme's
/// size for a letter, growing towards `text.max_size` as the note gets
/// shorter (from about five lines at the theme's size down to two). A list,
/// a quote or a heading keeps the theme's size: its structure, not its
/// size, is what the reader should see.
pub(super) fn ceiling(blocks: &[Prepared], settings: &TextSettings, frame: Frame) -> f32 {
    let base = settings.size * frame.text_scale;
    let top = settings.max_size.unwrap_or(settings.size * GROW) * frame.text_scale;
    let per_line = frame.width / (base * frame.px_per_pt);
    let mut lines = 0.0;
    for block in blocks {
        let (structured, scale) = match block.part {
            Part::Body => (block.kind != BlockKind::Paragraph || block.quoted || block.depth > 0, 1.0),
            // A long title counts: a card that has much to say in its title is not a short note.
            Part::Title => (false, settings.title_scale),
            Part::Signature | Part::SignOff => continue,
        };
        if structured {
            return base;
        }
        lines += line_width(&block.segments) * scale / per_line;
    }
    let short = ((5.0 - lines) / 3.0).clamp(0.0, 1.0);
    (base + (top - base) * short).max(base)
}

/// The sizes, in pixels, of the parts of a card's text at one body size.
#[derive(Debug, Clone, Copy)]
pub(super) struct Sizes {
    /// The title, before it is fitted to the box's width.
    pub(super) title: f32,
    /// The title at the theme's size: a grown title never takes more lines than this one.
    pub(super) title_base: f32,
    /// The smallest any text is set: the theme's `min_size`.
    pub(super) floor: f32,
    /// The sender's name, before the title and the width have their say.
    pub(super) name: f32,
    /// The sign-off words, before the name has its say.
    pub(super) sign_off: f32,
}

impl Sizes {
    /// The sizes with the body at `size_pt`: the title follows the body
    /// down, and up in step with it, from its size at the theme's size to
    /// `title_max_size` when the body reaches `max_size` (a note of a few
    /// words, set as the title, reaches it); the name and the sign-off do
    /// not grow with the body. The title and the name are set at `display`
    /// of that, and the title at `title_part` of it again.
    pub(super) fn new(settings: &TextSettings, frame: Frame, size_pt: f32, (display, title_part): (f32, f32)) -> Sizes {
        let base = settings.size * frame.text_scale;
        let kept = size_pt.min(base);
        let title = if size_pt <= base {
            settings.title_scale * size_pt
        } else {
            let top_body = settings.max_size.unwrap_or(settings.size * GROW) * frame.text_scale;
            let top = settings.title_max_size.unwrap_or(settings.title_scale * settings.size * 1.25) * frame.text_scale;
            let grown = ((size_pt - base) / (top_body - base).max(0.01)).clamp(0.0, 1.0);
            settings.title_scale * base + (top - settings.title_scale * base) * grown
        };
        let px = frame.px_per_pt;
        // Given way to a picture, the title still stands above the body.
        let title_part = match title_part < 1.0 {
            true => title_part.max(TITLE_OVER_BODY / (settings.title_scale * display).max(0.01)).min(1.0),
            false => 1.0,
        };
        Sizes {
            title: title.max(settings.title_scale * kept) * px * display * title_part,
            title_base: settings.title_scale * kept * px * display * title_part,
            floor: settings.min_size.min(settings.size) * px,
            name: settings.signature_scale * kept * px * display,
            sign_off: kept * px,
        }
    }

    /// The name's size once the title (its size and cap height, if the
    /// card has one) is set: its capitals stay `TITLE_OVER_NAME` shorter
    /// than the title's, so a title that must shrink takes the name down
    /// first.
    pub(super) fn name_under(&self, title: Option<(f32, f32)>, cap: f32) -> f32 {
        match title {
            Some((size, title_cap)) => self.name.min(size * title_cap / (cap * TITLE_OVER_NAME)),
            None => self.name,
        }
    }

    /// The sign-off's size under a name of `name` pixels: the body's size,
    /// and never more than three quarters of the name.
    pub(super) fn sign_off_under(&self, name: f32) -> f32 {
        self.sign_off.min(name * 0.75)
    }

    /// The size, in pixels, of each of `blocks` with the body at `body_px`
    /// in a box `width` pixels wide: the title fitted first, then the name
    /// under it, then the sign-off words under the name.
    pub(super) fn of_blocks(&self, blocks: &[Prepared], body_px: f32, width: f32) -> Vec<f32> {
        // The title's size and cap height, once set: the name stays below it.
        let mut title = None;
        let name_size = |block: &Prepared, title| {
            let nominal = self.name_under(title, block.cap);
            let limits = Limits { base: nominal, min: nominal * 0.65, floor: self.floor };
            Fitting::NAME.size(block, nominal, limits, width)
        };
        let mut out = Vec::with_capacity(blocks.len());
        for (i, block) in blocks.iter().enumerate() {
            out.push(match block.part {
                Part::Body => body_px * block.scale,
                Part::Title => {
                    let min = (self.title * 0.65).max(self.sign_off.min(self.title));
                    let limits = Limits { base: self.title_base, min, floor: self.floor };
                    let fitting = if block.cjk { Fitting::cjk_title(body_px, self.title) } else { Fitting::TITLE };
                    let size = fitting.size(block, self.title, limits, width);
                    title = Some((size, block.cap));
                    size
                }
                Part::Signature => name_size(block, title),
                Part::SignOff => match blocks.get(i + 1) {
                    Some(name) => self.sign_off_under(name_size(name, title)),
                    None => self.sign_off,
                },
            });
        }
        out
    }
}

/// The sizes, in pixels, a title or a name line is fitted between.
#[derive(Debug, Clone, Copy)]
pub(super) struct Limits {
    /// Its size at the theme's size: growth never costs it a line.
    pub(super) base: f32,
    /// The smallest it shrinks to in order to take fewer lines.
    pub(super) min: f32,
    /// The smallest it shrinks to so that its widest word fits the line.
    pub(super) floor: f32,
}

/// How a title or a name line is fitted to the width of the box.
#[derive(Debug, Clone, Copy)]
pub(super) struct Fitting {
    /// It may shrink this far (of its size) to stay on one line; past it,
    /// it wraps into balanced lines at its full size.
    pub(super) one_line: f32,
    /// It wraps into at most this many lines before it is set smaller.
    pub(super) lines: usize,
}

impl Fitting {
    /// A title: a few words rather shrink a little than leave one alone on
    /// a line; a long title wraps (in up to three lines) before it shrinks.
    pub(super) const TITLE: Fitting = Fitting { one_line: 0.7, lines: 3 };
    /// A name: rather smaller on one line than broken, and never in more than two.
    pub(super) const NAME: Fitting = Fitting { one_line: 0.7, lines: 2 };

    /// A title in Japanese or Chinese, whose body size is `body` and full
    /// size `nominal`: it wraps inside a word or phrase ("ありがとうござ/いました"),
    /// so it rather shrinks to one line while it stays `cjk::TITLE_MIN_SCALE`
    /// times the body's size.
    pub(super) fn cjk_title(body: f32, nominal: f32) -> Fitting {
        let one_line = (TITLE_MIN_SCALE * body / nominal).min(Fitting::TITLE.one_line);
        Fitting { one_line, ..Fitting::TITLE }
    }

    /// The size a block's line is set at in a box `width` pixels wide,
    /// from `nominal`: whole on one line if it fits, shrunk a little to stay
    /// on one line, else wrapped (in balanced lines, by the caller) at its
    /// full size, and smaller only while it would take more lines than it
    /// may, down to `limits.min`. A line grown past its size at the theme's
    /// size, `limits.base`, grows only as far as it takes no more lines than
    /// there. Widths count the ink the block's faces may draw past their
    /// advance (a swash), so that it stays inside the box.
    pub(super) fn size(self, block: &Prepared, nominal: f32, limits: Limits, width: f32) -> f32 {
        let fitted = self.fit(block, nominal, limits, width);
        if nominal <= limits.base {
            return fitted;
        }
        let lines = self.lines(block, self.fit(block, limits.base, limits, width), width);
        let mut size = nominal;
        while size > limits.base && self.lines(block, self.fit(block, size, limits, width), width) > lines {
            size = (size * 0.97).max(limits.base);
        }
        self.fit(block, size, limits, width)
    }

    /// The size without the growth rule of [`Fitting::size`].
    fn fit(self, block: &Prepared, nominal: f32, limits: Limits, width: f32) -> f32 {
        let segs = &block.segments;
        // A word is shrunk to fit the line (down to the body's smallest
        // size) rather than split: a script face's letters join, and a
        // split word's pieces are wider than its letters.
        let widest = segs.iter().map(|s| s.width + s.hyphen).fold(0.0, f32::max) + block.overhang;
        let nominal = if widest * nominal > width { (width / widest).max(limits.floor).min(nominal) } else { nominal };
        let min = limits.min.min(nominal);
        let natural = line_width(segs) + block.overhang;
        if natural <= block.overhang || natural * nominal <= width {
            return nominal;
        }
        if natural * nominal * self.one_line <= width {
            return width / natural;
        }
        let mut size = nominal;
        while size > min && self.lines(block, size, width) > self.lines {
            size = (size * 0.95).max(min);
        }
        size
    }

    /// How many lines the block takes at `size`.
    fn lines(self, block: &Prepared, size: f32, width: f32) -> usize {
        greedy_breaks(&block.segments, width / size - block.overhang).len()
    }
}

/// Words after which a name never breaks: a line ending "Beverly & the"
/// leaves the reader hanging.
const GLUE: &[&str] = &["&", "+", "and", "the", "of", "und", "et", "y", "e", "de", "van", "von"];

/// Joins each segment of a name that ends in a word of `GLUE` to the next
/// one, so the name breaks before such a word, never after it.
pub(super) fn glue_name(segs: &mut Vec<Segment>, text: &str) {
    let mut i = 0;
    while i + 1 < segs.len() {
        let last = text[segs[i].range.clone()].rsplit(' ').next().unwrap_or("");
        let word = last.to_lowercase();
        if GLUE.contains(&word.as_str()) && !segs[i].hard_break {
            let next = segs.remove(i + 1);
            let seg = &mut segs[i];
            seg.width += seg.space + next.width;
            seg.range.end = next.range.end;
            seg.space = next.space;
            seg.hard_break = next.hard_break;
            seg.splits.clear();
        } else {
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{chocolate as theme, text_of, A6};
    use super::super::{layout, Content, Frame, Layout, Part};

    fn lay(title: Option<&str>, markdown: &str, signature: Option<&str>, frame: Frame) -> Layout {
        let rich = crate::markup::render(markdown, false).unwrap().rich;
        layout(theme(), Content { title, text: &rich, signature, lang: None, pictures: &[], signed: None }, frame)
            .unwrap()
    }

    fn text(line: &super::super::Line) -> String {
        text_of(line).unwrap_or_default()
    }

    #[test]
    fn a_short_note_grows_and_a_list_or_a_letter_does_not() {
        let size = theme().spec.text.size;
        let note = "Your scarf is on its way to you today. We hope it keeps you warm all winter long!";
        let grown = lay(Some("A little note"), note, None, A6).size_pt;
        assert!(grown >= size * 1.3 && grown <= theme().spec.text.max_size.unwrap(), "{grown}");
        assert_eq!(lay(None, "- one skein\n- one booklet", None, A6).size_pt, size);
        assert_eq!(lay(None, &format!("{note} ").repeat(4), None, A6).size_pt, size);
    }

    #[test]
    fn a_note_of_a_few_words_is_set_as_the_title() {
        let laid = lay(None, "Thanks, Deb!", Some("with love,\nBeverly"), A6);
        let parts: Vec<Part> = laid.lines.iter().map(|l| l.part).collect();
        assert_eq!(parts, [Part::Title, Part::SignOff, Part::Signature]);
        let pt = laid.lines[0].size / A6.px_per_pt;
        assert!((28.0..=40.0).contains(&pt), "{pt} pt");
    }

    #[test]
    fn the_sign_off_is_smaller_than_the_name_and_a_name_breaks_before_and() {
        let narrow = Frame { width: 600.0, ..A6 };
        let laid = lay(None, "Your order has shipped.", Some("with love,\nBeverly & the Mossbrook kitchen"), narrow);
        let sign_off: Vec<_> = laid.lines.iter().filter(|l| l.part == Part::SignOff).collect();
        let name: Vec<_> = laid.lines.iter().filter(|l| l.part == Part::Signature).collect();
        assert_eq!(sign_off.iter().map(|l| text(l)).collect::<Vec<_>>(), ["with love,"]);
        assert!(sign_off[0].size < name[0].size * 0.8, "{} {}", sign_off[0].size, name[0].size);
        assert_eq!(name.len(), 2, "{:?}", name.iter().map(|l| text(l)).collect::<Vec<_>>());
        for line in &name {
            let last = text(line).rsplit(' ').next().unwrap().to_string();
            assert!(!["&", "the"].contains(&last.as_str()), "{:?}", text(line));
        }
    }

    #[test]
    fn a_signature_goes_on_one_line_when_the_sign_off_line_keeps_the_text_from_fitting() {
        // A letter in a box just tall enough for it at the smallest size
        // with its signature on one line.
        let letter = "We wanted to write and say how much your kind words meant to all of us. ".repeat(12);
        let rich = crate::markup::render(&letter, false).unwrap().rich;
        let try_in = |signature: &str, height: f32| {
            let content = Content {
                title: None,
                text: &rich,
                signature: Some(signature),
                lang: None,
                pictures: &[],
                signed: None,
            };
            layout(theme(), content, Frame { height, ..A6 })
        };
        let mut height = 900.0;
        while try_in("with love, Beverly", height - 10.0).is_ok() {
            height -= 10.0;
        }
        assert_eq!(try_in("with love, Beverly", height).unwrap().size_pt, theme().spec.text.min_size);
        let laid = try_in("with love,\nBeverly", height).unwrap();
        let signed: Vec<String> = laid.lines.iter().filter(|l| l.part != Part::Body).map(text).collect();
        assert_eq!(signed, ["with love, Beverly"]);
        // Where there is room, the sign-off stands above the name.
        let roomy = try_in("with love,\nBeverly", height + 200.0).unwrap();
        assert_eq!(roomy.lines.iter().filter(|l| l.part == Part::SignOff).count(), 1);
    }

    #[test]
    fn a_long_title_wraps_in_balanced_lines_before_it_shrinks() {
        let title = "A very warm thank you for the kindest words anyone has ever written about our little shop";
        let laid = lay(Some(title), "Thank you.", None, A6);
        let lines: Vec<_> = laid.lines.iter().filter(|l| l.part == Part::Title).collect();
        assert!(lines.len() <= 3, "{}", lines.len());
        let widths: Vec<f32> = lines.iter().map(|l| l.width).collect();
        let (lo, hi) = widths.iter().fold((f32::MAX, 0.0f32), |(lo, hi), w| (lo.min(*w), hi.max(*w)));
        assert!(lo > hi * 0.6, "unbalanced: {widths:?}");
        // A title two words too long wraps at its size rather than shrink to a third less.
        let letter = "Every stitch was checked twice and wrapped in tissue, so it reaches you as she meant it to. ";
        let two = lay(Some("Thank you so much for your order, Deb"), &letter.repeat(3), None, A6);
        let title_lines: Vec<_> = two.lines.iter().filter(|l| l.part == Part::Title).collect();
        let pt = title_lines[0].size / A6.px_per_pt;
        assert!(title_lines.len() == 2 && pt >= 27.0 * 0.99, "{} lines at {pt} pt", title_lines.len());
    }
}
