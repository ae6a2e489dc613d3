//! Japanese and Chinese: words kept whole on a line, lines set to the full
//! measure.
//!
//! UAX #14 (unicode-linebreak, in `prepare_block`) already gives the
//! kinsoku rules: no break before 、。」）ー or a small kana, none after
//! 「（. But it allows a break between any two ideographs or kana, so a name
//! ("ベバ/リー") or a word splits; ICU's dictionary word segmenter says
//! where words end, and a line ends inside a word only when it would
//! otherwise stop well short. Lines broken at words stop short of the
//! measure, so each line but a paragraph's last is spread to the full
//! measure, as Japanese is set (JIS X 4051): the space goes between the
//! characters.
//!
//! Pure: no fonts; widths come from the caller.

use std::ops::Range;

use icu_segmenter::options::WordBreakInvariantOptions;
use icu_segmenter::WordSegmenter;

use super::Piece;

/// How small a Japanese or Chinese title may get, as a multiple of the
/// body size, before it wraps: such a title wraps inside a word or phrase
/// ("ありがとうござ/いました"), so a somewhat smaller title on one line
/// reads better, while it stays larger than the text beneath it.
pub(super) const TITLE_MIN_SCALE: f32 = 1.2;

/// Whether `c` is a Han ideograph, a kana, or CJK punctuation or a
/// full-width form: a character set without spaces between words.
pub(super) fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3000}'..='\u{30ff}'      // CJK punctuation, hiragana, katakana
        | '\u{31f0}'..='\u{31ff}'    // katakana phonetic extensions
        | '\u{3400}'..='\u{4dbf}'    // Han extension A
        | '\u{4e00}'..='\u{9fff}'    // Han
        | '\u{f900}'..='\u{faff}'    // Han compatibility
        | '\u{ff00}'..='\u{ffef}'    // full-width forms
        | '\u{20000}'..='\u{3134f}') // Han extensions B to G
}

/// Whether `text` is mostly Japanese or Chinese: more of its letters are
/// CJK than not. Such a paragraph is set to the full measure.
pub(super) fn is_cjk_text(text: &str) -> bool {
    let (cjk, other) = text.chars().filter(|c| c.is_alphanumeric()).fold((0, 0), |(cjk, other), c| {
        if is_cjk(c) {
            (cjk + 1, other)
        } else {
            (cjk, other + 1)
        }
    });
    cjk > other
}

/// A place where UAX #14 allows a line break, as the words see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Break {
    /// Between words, inside a word of hiragana alone (Japanese breaks
    /// anywhere in kana: "ござ|います" reads as well as "ございます"), or
    /// not in Japanese or Chinese.
    Good,
    /// Inside a word with a kanji ("お楽|しみ", "手作|り"): only when every
    /// good break would leave the line more than [`reach`] short (a long
    /// word in a narrow box).
    Inside,
    /// Inside a word with a katakana, a name or a loanword ("ベバ|リー",
    /// "チョコレー|ト"), which reads worst split: only when every better
    /// break would leave the line more than one and a half [`reach`] short.
    InsideName,
}

impl Break {
    /// What a line ending here costs, as a segment's `penalty` (see
    /// `breaks`): only the order matters, and how far [`reach`] goes.
    pub(super) fn penalty(self) -> f32 {
        match self {
            Break::Good => 0.0,
            Break::Inside => 1.0,
            Break::InsideName => 1.5,
        }
    }
}

/// How short of the measure `max` (in em) a line may stop to end at a
/// better break than one of `penalty` (see [`Break`]): a fifth of the
/// measure, two to four characters, which spread over the line's gaps are
/// about a quarter of an em between two characters; half as much again to
/// keep a name whole.
pub(super) fn reach(max: f32, penalty: f32) -> f32 {
    (0.2 * max).clamp(2.0, 4.0) * penalty.max(1.0)
}

/// Whether `c` is a katakana (the kana of names and loanwords).
fn is_katakana(c: char) -> bool {
    matches!(c, '\u{30a1}'..='\u{30fa}' | '\u{31f0}'..='\u{31ff}')
}

/// The places in a text where a Japanese or Chinese word ends, to tell a
/// line break between words from one inside a word.
pub(super) struct Words {
    /// Word boundaries (byte offsets), in order; empty for text without CJK.
    bounds: Vec<usize>,
}

impl Words {
    /// The word boundaries of `text`, found with ICU's dictionary only
    /// when `text` has a CJK character (most cards have none).
    pub(super) fn new(text: &str) -> Words {
        if !text.chars().any(is_cjk) {
            return Words { bounds: Vec::new() };
        }
        let segmenter = WordSegmenter::new_dictionary(WordBreakInvariantOptions::default());
        Words { bounds: segmenter.segment_str(text).collect() }
    }

    /// What a line break at byte `at` of `text` (a UAX #14 opportunity)
    /// would be.
    pub(super) fn at(&self, text: &str, at: usize) -> Break {
        if self.bounds.is_empty() || at == 0 || at >= text.len() {
            return Break::Good;
        }
        let (Some(before), Some(after)) = (text[..at].chars().next_back(), text[at..].chars().next()) else {
            return Break::Good;
        };
        if !is_cjk(before) || !is_cjk(after) {
            return Break::Good;
        }
        let Err(i) = self.bounds.binary_search(&at) else {
            return Break::Good;
        };
        let word = &text[self.bounds[i - 1]..self.bounds[i]];
        if word.chars().any(is_katakana) {
            Break::InsideName
        } else if word.chars().all(|c| matches!(c, '\u{3041}'..='\u{309f}')) {
            // Hiragana alone.
            Break::Good
        } else {
            Break::Inside
        }
    }
}

/// Spreads a line's pieces over `measure` pixels: each piece is cut into
/// characters, each set at its own advance, and what is left of the measure
/// goes evenly between two characters of which one is CJK (Latin words
/// inside stay as they are). `width_of(piece, range)` is the advance in
/// pixels of `piece.text[range]`. Returns the pieces as they were if there
/// is nothing to spread.
pub(super) fn spread(pieces: Vec<Piece>, measure: f32, width_of: impl Fn(&Piece, Range<usize>) -> f32) -> Vec<Piece> {
    // Each character with its piece and its own advance, measured once.
    // Characters set one by one are as wide as their own advances, which
    // may add up to more than the piece shaped whole.
    let chars: Vec<(usize, char, f32)> = pieces
        .iter()
        .enumerate()
        .flat_map(|(i, p)| p.text.char_indices().map(move |(at, c)| (i, at, c)))
        .map(|(i, at, c)| (i, c, width_of(&pieces[i], at..at + c.len_utf8())))
        .collect();
    let gaps = chars.windows(2).filter(|w| is_cjk(w[0].1) || is_cjk(w[1].1)).count();
    let slack = measure - chars.iter().map(|&(_, _, width)| width).sum::<f32>();
    if gaps == 0 || slack <= 0.0 {
        return pieces;
    }
    let gap = slack / gaps as f32;
    let mut out: Vec<Piece> = Vec::with_capacity(chars.len());
    let mut x = 0.0;
    let mut previous: Option<char> = None;
    for &(i, c, width) in &chars {
        let piece = &pieces[i];
        let spaced = previous.is_some_and(|p| is_cjk(p) || is_cjk(c));
        x += if spaced { gap } else { 0.0 };
        // Characters that share a piece and no gap stay one piece.
        match out.last_mut() {
            Some(last) if !spaced && previous.is_some() && last.face == piece.face && last.color == piece.color => {
                last.text.push(c);
                last.width += width;
            }
            _ => out.push(Piece { text: c.to_string(), x, width, ..piece.clone() }),
        }
        x += width;
        previous = Some(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::theme::{FaceKey, FontRole};

    #[test]
    fn a_name_in_katakana_is_one_word() {
        let text = "ご注文ありがとうございます。ベバリーが心を込めて一つ一つ手作りしました。";
        let words = Words::new(text);
        let name = text.find("ベバリー").unwrap();
        for (at, _) in text[name..name + "ベバリー".len()].char_indices().skip(1) {
            assert_eq!(words.at(text, name + at), Break::InsideName, "a break allowed inside ベバリー at {at}");
        }
        assert_eq!(words.at(text, name), Break::Good, "a break before ベバリー");
        let made = text.find("手作り").unwrap();
        assert_eq!(words.at(text, made + "手".len()), Break::Inside, "手|作り is a good break");
    }

    #[test]
    fn text_without_cjk_is_not_segmented() {
        let words = Words::new("plain words");
        assert_eq!(words.at("plain words", 3), Break::Good);
        assert!(is_cjk_text("ありがとう, Deb") && !is_cjk_text("Thank you, 先生"));
    }

    #[test]
    fn spreading_puts_the_slack_between_characters() {
        let piece = |text: &str| Piece {
            text: text.into(),
            face: FaceKey::Role(FontRole::Body),
            color: "#000".into(),
            underline: false,
            x: 0.0,
            width: 10.0 * text.chars().count() as f32,
        };
        let out = spread(vec![piece("あいう")], 38.0, |_, r| 10.0 * (r.len() / 3) as f32);
        let xs: Vec<f32> = out.iter().map(|p| p.x).collect();
        assert_eq!(xs, vec![0.0, 14.0, 28.0]);
        assert_eq!(out.last().map(|p| p.x + p.width), Some(38.0));
    }
}
