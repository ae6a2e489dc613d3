//! A theme's faces as web fonts: which characters each face keeps, and the
//! face cut down to them (fontations' subsetter, `skera`, which keeps the
//! character map, the kerning and the ligatures a browser needs) and
//! written as WOFF2.
//!
//! A face of a role keeps the base set and every character the site uses
//! that it has. A face that stands in for others (the theme's fallbacks:
//! emoji, CJK, Arabic, Hebrew; and the italic face, for the script and
//! display faces) keeps what it draws in their place, as a card is drawn:
//! for each role's face, a character it lacks goes to the first of them
//! that has it (an emoji to the colour fonts first). Its `@font-face` rules
//! give each role's family those characters by `unicode-range`, so a
//! browser fetches it only for a page that shows one of them.

use std::collections::BTreeSet;

use read_fonts::collections::IntSet;
use read_fonts::types::{NameId, Tag};
use read_fonts::{FontRef, TableProvider};
use skrifa::MetadataProvider;

use crate::theme::{Face, FontRole, Theme};

/// The characters each face of a theme keeps, and the rules that give them
/// to the families of its roles.
pub struct FontPlan<'a> {
    /// The faces of the roles, one for each family, weight and style, with
    /// the roles they are the face of.
    pub roles: Vec<(Vec<FontRole>, WebFace<'a>)>,
    /// The faces that stand in for others, in the order they are tried:
    /// those that give any face of `roles` a character.
    pub standins: Vec<StandIn<'a>>,
}

/// A face that stands in for the faces of roles, for characters they lack.
pub struct StandIn<'a> {
    /// The face, as a web font.
    pub web: WebFace<'a>,
    /// What it gives each face of the roles (by its index in
    /// [`FontPlan::roles`]), when it gives it any.
    pub given: Vec<(usize, Vec<char>)>,
}

/// One face of a theme as a web font.
pub struct WebFace<'a> {
    /// The face.
    pub face: &'a Face,
    /// The characters it keeps, in order.
    pub chars: Vec<char>,
    /// What its web font is made of, hashed: the same key, the same file.
    pub key: String,
}

impl<'a> WebFace<'a> {
    fn new(theme: &Theme, face: &'a Face, chars: Vec<char>) -> WebFace<'a> {
        let text: String = chars.iter().collect();
        let (file, index) = (face.file.as_bytes(), face.index.to_le_bytes());
        // The face's bytes come from the theme's font files and its
        // `figures` setting, which its picture fingerprint follows.
        let parts: [&[u8]; 5] = [FORMAT, file, &index, theme.picture_fingerprint.as_bytes(), text.as_bytes()];
        WebFace { face, chars, key: crate::hash::key(&parts) }
    }
}

/// Changed when the web fonts are made otherwise.
const FORMAT: &[u8] = b"woff2 subset 1";

/// Characters that join or select the emoji around them: a colour font
/// that draws the emoji draws them too.
fn is_joiner(c: char) -> bool {
    matches!(c, '\u{200c}'..='\u{200d}' | '\u{fe00}'..='\u{fe0f}' | '\u{20e3}' | '\u{e0020}'..='\u{e007f}')
}

/// Whether `c` is an emoji a colour font draws first, as on the card.
fn is_emoji(c: char) -> bool {
    matches!(c, '\u{1f000}'..='\u{1faff}') || is_joiner(c)
}

/// What a face's character map has.
struct Coverage<'f>(skrifa::charmap::Charmap<'f>);

impl Coverage<'_> {
    fn of(face: &Face) -> Coverage<'_> {
        let font = FontRef::from_index(&face.data, face.index).ok();
        Coverage(font.map(|f| f.charmap()).unwrap_or_default())
    }

    fn has(&self, c: char) -> bool {
        self.0.map(c).is_some_and(|g| g.to_u32() != 0)
    }

    /// Whether it is a colour font (emoji).
    fn color(face: &Face) -> bool {
        FontRef::from_index(&face.data, face.index)
            .is_ok_and(|f| f.colr().is_ok() || f.cbdt().is_ok() || f.sbix().is_ok())
    }
}

/// Which characters each face of `theme` keeps, for pages that use `used`
/// (the characters beyond the base set the site's pages show).
pub fn plan<'a>(theme: &'a Theme, used: &BTreeSet<char>) -> FontPlan<'a> {
    let wanted: BTreeSet<char> = super::chars::base().chain(used.iter().copied()).collect();
    let roles = role_faces(theme);
    let candidates = StandIns::of(theme, &roles);
    let mut given: Vec<Vec<(usize, Vec<char>)>> = vec![Vec::new(); candidates.faces.len()];
    for (r, (named, face)) in roles.iter().enumerate() {
        for (i, chars) in candidates.give(named, face, &wanted).into_iter().enumerate() {
            // Joiners alone draw nothing: only with the emoji they join.
            if chars.iter().any(|c| !is_joiner(*c)) {
                given[i].push((r, chars));
            }
        }
    }
    let keeps = |face: &Face, chars: &BTreeSet<char>| -> Vec<char> {
        let own = Coverage::of(face);
        chars.iter().copied().filter(|c| own.has(*c)).collect()
    };
    let standins = candidates
        .faces
        .into_iter()
        .zip(given)
        .filter(|(_, given)| !given.is_empty())
        .map(|(face, given)| {
            let mut chars: BTreeSet<char> = given.iter().flat_map(|(_, chars)| chars.iter().copied()).collect();
            // A role's face standing in is served as that role's font, one file.
            if roles.iter().any(|(_, f)| same_face(f, face)) {
                chars.extend(keeps(face, &wanted));
            }
            StandIn { web: WebFace::new(theme, face, chars.into_iter().collect()), given }
        })
        .collect();
    let roles =
        roles.into_iter().map(|(named, face)| (named, WebFace::new(theme, face, keeps(face, &wanted)))).collect();
    FontPlan { roles, standins }
}

/// The faces of `theme`'s roles, one for each family, weight and style (a
/// page can name no more), with the roles each is the face of.
fn role_faces(theme: &Theme) -> Vec<(Vec<FontRole>, &Face)> {
    let mut roles: Vec<(Vec<FontRole>, &Face)> = Vec::new();
    for (role, face) in &theme.faces {
        let same = |f: &&Face| f.family == face.family && f.weight == face.weight && f.italic == face.italic;
        match roles.iter_mut().find(|(_, f)| same(f)) {
            Some((named, _)) => named.push(*role),
            None => roles.push((vec![*role], face)),
        }
    }
    roles
}

/// Whether the roles `named` are set by hand (the script and display
/// faces), which the italic face stands in for.
fn by_hand(named: &[FontRole]) -> bool {
    named.iter().any(|r| matches!(r, FontRole::Script | FontRole::Display))
}

/// The faces that may stand in for a role's face, in the order they are
/// tried, as on the card: the italic face for a hand, then the fallbacks.
struct StandIns<'a> {
    faces: Vec<&'a Face>,
    covers: Vec<Coverage<'a>>,
    color: Vec<bool>,
    /// Where the fallbacks start in `faces`.
    fallbacks: usize,
}

impl<'a> StandIns<'a> {
    fn of(theme: &'a Theme, roles: &[(Vec<FontRole>, &Face)]) -> StandIns<'a> {
        let mut faces: Vec<&Face> = Vec::new();
        if roles.iter().any(|(named, _)| by_hand(named)) {
            faces.push(theme.face(FontRole::Italic));
        }
        let fallbacks = faces.len();
        faces.extend(&theme.fallbacks);
        let covers = faces.iter().map(|f| Coverage::of(f)).collect();
        let color = faces.iter().map(|f| Coverage::color(f)).collect();
        StandIns { faces, covers, color, fallbacks }
    }

    /// What each of them (by its place in `faces`) gives `face`, the face
    /// of roles `named`, of the characters `wanted`: what `face` lacks goes
    /// to the first that has it, and an emoji to the first colour font
    /// that has it (even one `face` has).
    fn give(&self, named: &[FontRole], face: &Face, wanted: &BTreeSet<char>) -> Vec<Vec<char>> {
        let own = Coverage::of(face);
        let first = if by_hand(named) { 0 } else { self.fallbacks };
        let order: Vec<usize> = (first..self.faces.len()).filter(|&i| !same_face(self.faces[i], face)).collect();
        let (color, plain): (Vec<usize>, Vec<usize>) = order.iter().partition(|&&i| self.color[i]);
        let colour_first: Vec<usize> = color.into_iter().chain(plain).collect();
        let mut gives: Vec<Vec<char>> = vec![Vec::new(); self.faces.len()];
        for &c in wanted {
            let emoji = is_emoji(c);
            if own.has(c) && !emoji {
                continue;
            }
            let candidates = if emoji { &colour_first } else { &order };
            let able = |i: &&usize| self.covers[**i].has(c) && (self.color[**i] || !own.has(c));
            if let Some(&i) = candidates.iter().find(able) {
                gives[i].push(c);
            }
        }
        gives
    }
}

/// Whether `a` and `b` are one face of one font file.
fn same_face(a: &Face, b: &Face) -> bool {
    a.file == b.file && a.index == b.index
}

/// A web font's file: its bytes, and its format as `@font-face` names it.
pub struct WebFont {
    /// The font file.
    pub bytes: Vec<u8>,
    /// `woff2`, or `truetype` for a font the WOFF2 encoder refused.
    pub format: &'static str,
}

/// `face` as a web font keeping `chars`: a subset as WOFF2. A face the
/// subsetter cannot cut down (outlines in CFF, or tables it cannot read)
/// is served whole.
pub fn make(face: &Face, chars: &[char]) -> WebFont {
    let sfnt = subset(face, chars).unwrap_or_else(|| face.data.to_vec());
    match ttf2woff2::encode(&sfnt, ttf2woff2::BrotliQuality::from(11)) {
        Ok(bytes) => WebFont { bytes, format: "woff2" },
        Err(_) => WebFont { bytes: sfnt, format: "truetype" },
    }
}

/// `face` cut down to `chars` and what a browser needs to set them: the
/// character map, metrics, names, and the substitutions and positions of
/// the features browsers apply (kerning, ligatures, marks); hinting is
/// left out. None when it cannot be done.
fn subset(face: &Face, chars: &[char]) -> Option<Vec<u8>> {
    let font = FontRef::from_index(&face.data, face.index).ok()?;
    // skera subsets TrueType outlines (and colour and bitmap tables), not CFF.
    font.glyf().ok()?;
    let mut unicodes = IntSet::empty();
    unicodes.extend(chars.iter().map(|c| u32::from(*c)));
    let mut flags = skera::SubsetFlags::SUBSET_FLAGS_NO_HINTING;
    let mut drop: IntSet<Tag> = skera::DEFAULT_DROP_TABLES.iter().copied().collect();
    // A face whose kerning is only in the old `kern` table, which skera
    // does not cut down: kept as it is, valid because the glyphs keep
    // their numbers (those left out are empty).
    let kern = Tag::new(b"kern");
    if font.table_data(kern).is_some() && font.gpos().is_err() {
        flags |=
            skera::SubsetFlags::SUBSET_FLAGS_RETAIN_GIDS | skera::SubsetFlags::SUBSET_FLAGS_PASSTHROUGH_UNRECOGNIZED;
        drop.remove(kern);
    }
    let mut scripts = IntSet::<Tag>::empty();
    scripts.invert();
    let features: IntSet<Tag> = skera::DEFAULT_LAYOUT_FEATURES.iter().copied().collect();
    let mut names = IntSet::<NameId>::empty();
    names.insert_range(NameId::new(0)..=NameId::new(6));
    let mut languages = IntSet::<u16>::empty();
    languages.insert(0x409);
    let plan =
        skera::Plan::new(&IntSet::empty(), &unicodes, &font, flags, &drop, &scripts, &features, &names, &languages);
    let bytes = skera::subset_font(&font, &plan).ok()?;
    // Only what a browser can read is served.
    let made = FontRef::new(&bytes).ok()?;
    (made.cmap().is_ok() && made.glyf().is_ok()).then_some(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::theme;

    fn chocolate() -> Theme {
        theme::load(tempfile::tempdir().unwrap().path(), "chocolate").unwrap()
    }

    /// The characters of a WOFF2 file's character map, read back.
    fn woff2_chars(bytes: &[u8]) -> BTreeSet<char> {
        assert_eq!(&bytes[..4], b"wOF2");
        let sfnt = wuff::decompress_woff2(bytes).expect("a WOFF2 a decoder reads");
        let font = FontRef::new(&sfnt).unwrap();
        font.charmap().mappings().filter_map(|(c, _)| char::from_u32(c)).collect()
    }

    #[test]
    fn a_latin_face_keeps_the_base_set_and_what_the_site_uses_under_60_kb() {
        let theme = chocolate();
        let used: BTreeSet<char> = "Łódź ĳ".chars().filter(|c| !super::super::chars::in_base(*c)).collect();
        let plan = plan(&theme, &used);
        for (roles, web) in &plan.roles {
            let font = make(web.face, &web.chars);
            assert_eq!(font.format, "woff2");
            assert!(font.bytes.len() < 60_000, "{roles:?}: {} bytes", font.bytes.len());
            let kept = woff2_chars(&font.bytes);
            for c in super::super::chars::base().chain(used.iter().copied()) {
                if Coverage::of(web.face).has(c) {
                    assert!(kept.contains(&c), "{roles:?} lost {c:?}");
                }
            }
            assert!(kept.contains(&'Ł') || roles.contains(&FontRole::Script), "{roles:?}");
        }
        assert!(plan.standins.iter().all(|s| !s.web.chars.is_empty()));
    }

    #[test]
    fn fallback_faces_keep_only_what_they_stand_in_for() {
        let theme = chocolate();
        let used: BTreeSet<char> = "你好 שלום 🙂".chars().filter(|c| !c.is_whitespace()).collect();
        let plan = plan(&theme, &used);
        let by_file = |name: &str| {
            let found = plan.standins.iter().find(|s| s.web.face.file.contains(name));
            found.map(|s| (&s.web, &s.given)).unwrap_or_else(|| panic!("{name}"))
        };
        let (cjk, given) = by_file("NotoSerifSC");
        assert!(cjk.chars.contains(&'你') && cjk.chars.contains(&'好') && !cjk.chars.contains(&'ש'), "{:?}", cjk.chars);
        assert_eq!(given.len(), plan.roles.len(), "every family draws them from it");
        let (emoji, _) = by_file("Twemoji");
        assert!(emoji.chars.contains(&'🙂') && !emoji.chars.contains(&'A'), "{:?}", emoji.chars);
        let (hebrew, _) = by_file("Hebrew");
        let font = make(hebrew.face, &hebrew.chars);
        assert!(font.bytes.len() < 8_000, "{} bytes", font.bytes.len());
        assert!("שלום".chars().all(|c| woff2_chars(&font.bytes).contains(&c)));
    }

    #[test]
    fn a_face_kerned_by_the_old_kern_table_keeps_it() {
        let root = tempfile::tempdir().unwrap();
        let kraft = theme::load(root.path(), "kraft").unwrap();
        let marker = kraft.face(FontRole::Display);
        let font = FontRef::new(&marker.data).unwrap();
        assert!(
            font.gpos().is_err() && font.table_data(Tag::new(b"kern")).is_some(),
            "Permanent Marker kerns by `kern`"
        );
        let sfnt = subset(marker, &super::super::chars::base().collect::<Vec<_>>()).unwrap();
        let cut = FontRef::new(&sfnt).unwrap();
        assert_eq!(
            cut.table_data(Tag::new(b"kern")).unwrap().as_bytes(),
            font.table_data(Tag::new(b"kern")).unwrap().as_bytes()
        );
        // Its glyphs keep their numbers, which the table names.
        for c in "AVTo".chars() {
            assert_eq!(cut.charmap().map(c), font.charmap().map(c));
        }
        assert!(sfnt.len() < marker.data.len());
    }
}
