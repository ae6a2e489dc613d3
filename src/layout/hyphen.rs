//! Where a word may be hyphenated: hypher's patterns, held to a book's
//! rules (at least four letters before a hyphen and three after it, so no
//! "Pra-linen" or "hap-py"), with each place marked when it is likely the
//! joint of a German compound, where a reader expects the break
//! ("Schokoladen-manufaktur", not "Schokoladenma-nufaktur").
//!
//! Pure: no fonts, no widths. How many hyphens may stack, and how much a
//! hyphen costs, is the breaker's business (`breaks`).

use std::ops::Range;

/// Letters a line must keep before a hyphen: three-letter stubs such as
/// "Pra-" or "Ver-" read as a word of their own.
const LEFT_MIN: usize = 4;
/// Letters carried to the next line: fewer look like a stray syllable.
const RIGHT_MIN: usize = 3;

/// What a hyphen costs, as the share of a line it weighs like a gap of: at
/// a compound's joint a fifth of a line (a hyphen is used where it evens
/// out the rag, not to gain a few points); inside a simple word a third;
/// inside one part of a compound seven tenths, so the joint wins wherever it is free.
pub(super) const JOINT: f32 = 0.2;
/// See [`JOINT`].
pub(super) const PLAIN: f32 = 0.33;
/// See [`JOINT`].
pub(super) const INSIDE_PART: f32 = 0.7;

/// A piece of a hyphenated word: its byte range in the block's text, and
/// what a hyphen after it costs.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Syllable {
    /// Byte range in the block's text.
    pub range: Range<usize>,
    /// [`JOINT`], [`PLAIN`] or [`INSIDE_PART`]; 0 for the word's last piece.
    pub penalty: f32,
}

impl Syllable {
    /// Whether the break after this piece is a compound's joint.
    #[cfg(test)]
    fn joint(&self) -> bool {
        self.penalty == JOINT
    }
}

/// The word `word` of `text` split where it may be hyphenated. Words too
/// short to keep four letters before and three after a hyphen, and
/// anything but letters (numbers, URLs, words with an apostrophe), stay whole.
pub(super) fn syllables(text: &str, word: Range<usize>, lang: hypher::Lang) -> Vec<Syllable> {
    let whole = || vec![Syllable { range: word.clone(), penalty: 0.0 }];
    let w = &text[word.clone()];
    let core_start = w.find(char::is_alphabetic).unwrap_or(w.len());
    let core_end =
        w.rfind(char::is_alphabetic).map_or(core_start, |i| i + w[i..].chars().next().map_or(1, char::len_utf8));
    let core = &w[core_start..core_end];
    if core.chars().count() < LEFT_MIN + RIGHT_MIN || !core.chars().all(char::is_alphabetic) {
        return whole();
    }
    let german = lang == hypher::Lang::German;
    let mut out = Vec::new();
    let (mut from, mut at) = (word.start, word.start + core_start);
    let mut cut = 0;
    for syllable in hypher::hyphenate_bounded(core, lang, LEFT_MIN, RIGHT_MIN) {
        at += syllable.len();
        cut += syllable.len();
        let joint = german && cut < core.len() && is_joint(&core[..cut], &core[cut..]);
        out.push(Syllable { range: from..at, penalty: if joint { JOINT } else { PLAIN } });
        from = at;
    }
    if let Some(last) = out.last_mut() {
        last.range.end = word.end;
        last.penalty = 0.0;
    }
    // In a compound, a break beside the joint splits one of its words.
    if out.iter().any(|s| s.penalty == JOINT) {
        out.iter_mut().filter(|s| s.penalty == PLAIN).for_each(|s| s.penalty = INSIDE_PART);
    }
    out
}

/// Whether a German word breaks between `left` and `right` at the joint of
/// two words. No crate splits German compounds without a dictionary of
/// stems (megabytes), so this reads the signs a joint leaves, from German's
/// rule that a syllable inside a simple word starts with at most one
/// consonant (`sch`, `ch`, `ck`, `ph`, `qu` counting as one):
///
/// - three or more consonants meet ("Herbst|kollektion", "Geschenk|verpackung"):
///   inside a simple word only two do ("Kol|lek|tion");
/// - a consonant is followed by a vowel ("Herbst|abend", "Ver|ein"): inside
///   a simple word the consonant would have gone right ("la|den");
/// - a linking element ends a long first word: "-ungs", "-heits", "-keits",
///   "-schafts", "-tions", "-täts", "-lings", or "-en"/"-s" after at least six
///   letters before a consonant ("Schokoladen|manufaktur", "Liebes|brief").
///
/// It misses joints that look like syllables ("Tee|kanne") and takes a few
/// prefixes for joints ("Her|stellung"), which are fine places to break too.
fn is_joint(left: &str, right: &str) -> bool {
    let left = left.to_lowercase();
    let right = right.to_lowercase();
    let vowel = |c: char| "aeiouäöüy".contains(c);
    let trailing = consonant_units(left.chars().rev().take_while(|c| !vowel(*c)).collect::<String>().chars().rev());
    let leading_str: String = right.chars().take_while(|c| !vowel(*c)).collect();
    let leading = consonant_units(leading_str.chars());
    if trailing + leading >= 3 {
        return true;
    }
    if trailing >= 1 && leading == 0 {
        return true;
    }
    let linked = ["ungs", "heits", "keits", "schafts", "tions", "täts", "lings"].iter().any(|s| left.ends_with(s));
    let letters = left.chars().count();
    let fugen = letters >= 6 && leading >= 1 && (left.ends_with("en") || left.ends_with('s'));
    linked || fugen
}

/// How many consonant sounds a run of consonants spells: `sch`, `ch`, `ck`,
/// `ph`, `th`, `qu` and `ß` count as one.
fn consonant_units(run: impl Iterator<Item = char>) -> usize {
    let run: String = run.collect();
    let mut rest = run.as_str();
    let mut count = 0;
    while !rest.is_empty() {
        let unit = ["sch", "ch", "ck", "ph", "th", "qu"].iter().find(|u| rest.starts_with(*u));
        rest = match unit {
            Some(u) => &rest[u.len()..],
            None => &rest[rest.chars().next().map_or(1, char::len_utf8)..],
        };
        count += 1;
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The word as its pieces, a `|` at a joint and a `-` elsewhere.
    fn marked(word: &str, lang: hypher::Lang) -> String {
        let pieces = syllables(word, 0..word.len(), lang);
        let mut out = String::new();
        for (i, s) in pieces.iter().enumerate() {
            out.push_str(&word[s.range.clone()]);
            if i + 1 < pieces.len() {
                out.push(if s.joint() { '|' } else { '-' });
            }
        }
        out
    }

    /// German compounds and the joint a reader expects, marked `|`: the
    /// break the detector must find among the places hypher allows.
    const COMPOUNDS: [(&str, &str); 8] = [
        ("Schokoladenmanufaktur", "Schokoladen|manufaktur"),
        ("Geschenkverpackung", "Geschenk|verpackung"),
        ("Herbstkollektion", "Herbst|kollektion"),
        ("Bestellnummer", "Bestell|nummer"),
        ("Weihnachtsgeschenk", "Weihnachts|geschenk"),
        ("Handschrift", "Hand|schrift"),
        ("Zeitungsartikel", "Zeitungs|artikel"),
        ("Liebesbrief", "Liebes|brief"),
    ];

    #[test]
    fn german_compounds_are_marked_at_their_joints() {
        for (word, joint) in COMPOUNDS {
            let got = marked(word, hypher::Lang::German);
            let joints: Vec<usize> = got.match_indices('|').map(|(i, _)| got[..i].replace('-', "").len()).collect();
            let want = joint.find('|').unwrap();
            assert!(joints.contains(&want), "{word}: expected the joint of {joint}, got {got}");
        }
    }

    #[test]
    fn no_hyphen_leaves_fewer_than_four_letters_before_or_three_after() {
        for word in ["Pralinen", "Unser", "gefertigt", "Herstellung", "Geschenkverpackung", "wonderful"] {
            let pieces = syllables(word, 0..word.len(), hypher::Lang::German);
            if let (Some(first), Some(last)) = (pieces.first(), pieces.last()) {
                if pieces.len() > 1 {
                    assert!(word[first.range.clone()].chars().count() >= LEFT_MIN, "{word}: {pieces:?}");
                    assert!(word[last.range.clone()].chars().count() >= RIGHT_MIN, "{word}: {pieces:?}");
                }
            }
        }
        assert_eq!(marked("Pralinen", hypher::Lang::German), "Prali-nen");
    }

    #[test]
    fn punctuation_stays_with_its_word() {
        let text = "(Schokoladenmanufaktur),";
        let pieces = syllables(text, 0..text.len(), hypher::Lang::German);
        assert_eq!(pieces.first().unwrap().range.start, 0);
        assert_eq!(pieces.last().unwrap().range.end, text.len());
        assert!(text[pieces[0].range.clone()].starts_with("(Scho"));
    }
}
