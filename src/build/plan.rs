//! The incremental rules: from the last build's record and what each card
//! is made from now, what this build does with it (keep it, make only its
//! page, draw it now or in the background), which files go, and what a
//! build after a killed one keeps. Pure: the output folder is seen only
//! through a function saying which files are there.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use crate::card::Artifact;
use crate::config::Outputs;
use crate::config::SiteConfig;
use crate::hash;
use crate::theme::Theme;

use super::record::{BuildCache, CachedCard};

/// At most this many cards' pictures are drawn in the background (see
/// [`Draw::Later`]).
pub(super) const DRAWN_IN_THE_BACKGROUND: usize = 4;

/// Whether, and when, a card's pictures are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Draw {
    /// They are as the last build left them: only the page is made.
    Keep,
    /// Now, as the card is made.
    Now,
    /// In the background, while the other cards and the gallery are made:
    /// its page, made meanwhile, links the last build's pictures until the
    /// new ones replace them.
    Later,
}

/// What a build does with one card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Action {
    /// Nothing it is made from changed and its files are there: it is kept
    /// as the last build made it.
    Reuse,
    /// It is made (its entry, its page), its pictures as said.
    Make(Draw),
}

/// What a card is made from, hashed: everything (`key`), and what its
/// pictures are drawn from (`picture_key`: not the pages' templates and
/// CSS, nor settings only pages use).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Keys {
    /// Its whole key.
    pub key: String,
    /// The key of its pictures.
    pub picture_key: String,
}

/// What every card's keys start from: the settings, the options, waxseal
/// itself and each theme's fingerprints.
pub(super) struct KeyBase {
    global: String,
    picture_global: String,
    /// Each theme's (fingerprint, picture fingerprint); a broken theme's are empty.
    themes: HashMap<String, (String, String)>,
}

impl KeyBase {
    /// The key base of a build of `config` making `outputs` in `themes`.
    pub(super) fn new(
        config: &SiteConfig,
        outputs: &Outputs,
        optimize: bool,
        themes: &BTreeMap<String, Result<Arc<Theme>, crate::theme::LoadError>>,
    ) -> KeyBase {
        let settings = serde_json::to_string(config).expect("settings are plain data");
        let global = hash::key(&[
            hash::tool_fingerprint().as_bytes(),
            settings.as_bytes(),
            format!("{outputs:?} {optimize}").as_bytes(),
        ]);
        // The pictures depend on less: not on the pages' templates and CSS,
        // nor on settings only pages use (title, base_url, the gallery's
        // pages). The print settings only matter to the PDF. The email, made
        // with the PNG, says the site's title and links its pages: with it,
        // every setting matters.
        let print = outputs.pdf.then_some(&config.print);
        let picture_settings = match outputs.email {
            true => settings.clone(),
            false => {
                let qr = (&config.qr, &config.qr_label);
                serde_json::to_string(&(
                    &config.theme,
                    &config.size,
                    config.dpi,
                    config.raw_html,
                    &config.lang,
                    print,
                    qr,
                ))
                .expect("settings are plain data")
            }
        };
        let picture_global = hash::key(&[
            hash::tool_fingerprint().as_bytes(),
            picture_settings.as_bytes(),
            format!("{outputs:?} {}", optimize || config.optimize).as_bytes(),
        ]);
        let themes = themes
            .iter()
            .map(|(name, theme)| {
                let keys = theme.as_ref().map(|t| match outputs.email {
                    true => (t.fingerprint.clone(), format!("{} {}", t.picture_fingerprint, t.email_fingerprint)),
                    false => (t.fingerprint.clone(), t.picture_fingerprint.clone()),
                });
                (name.clone(), keys.unwrap_or_default())
            })
            .collect();
        KeyBase { global, picture_global, themes }
    }

    /// The keys of card `slug` in theme `theme`, made from a message (and
    /// row) of digest `digest`.
    pub(super) fn keys(&self, theme: &str, digest: &[u8], slug: &str) -> Keys {
        let (theme_key, theme_picture_key) = self.themes.get(theme).cloned().unwrap_or_default();
        Keys {
            key: hash::key(&[self.global.as_bytes(), theme_key.as_bytes(), digest, slug.as_bytes()]),
            picture_key: hash::key(&[
                self.picture_global.as_bytes(),
                theme_picture_key.as_bytes(),
                digest,
                slug.as_bytes(),
            ]),
        }
    }
}

/// What to do with card `slug` of keys `keys`, given the last build's
/// `record`, the pictures this build makes and the files `present` in the
/// output folder. A card to draw whose last pictures are there is drawn
/// [`Draw::Later`]; [`schedule`] keeps that for the first few.
pub(super) fn decide(
    record: &BuildCache,
    slug: &str,
    keys: &Keys,
    pictures: &[Artifact],
    present: &dyn Fn(&str) -> bool,
) -> Action {
    if record.fresh(slug, &keys.key, present).is_some() {
        Action::Reuse
    } else if record.pictures_fresh(slug, &keys.picture_key, present).is_some() {
        // Only the page changed (a stylesheet, the site's title).
        Action::Make(Draw::Keep)
    } else if record.had_pictures(slug, pictures, present) {
        Action::Make(Draw::Later)
    } else {
        Action::Make(Draw::Now)
    }
}

/// Draws only the first [`DRAWN_IN_THE_BACKGROUND`] of the cards that could
/// be drawn later so: the others are drawn as their cards are made, so that
/// memory does not grow with their number.
pub(super) fn schedule(actions: &mut [Action]) {
    let later = actions.iter_mut().filter(|a| **a == Action::Make(Draw::Later));
    for action in later.skip(DRAWN_IN_THE_BACKGROUND) {
        *action = Action::Make(Draw::Now);
    }
}

/// The files of the last build no card or site file of this one has (of
/// cards gone, of outputs no longer made, theme assets of an old
/// stylesheet), each once; a file cards share (a seal) stays while any card
/// has it.
pub(super) fn stale_files(
    old: &BTreeMap<String, CachedCard>,
    old_site_files: &[String],
    next: &BuildCache,
) -> Vec<String> {
    let kept: HashSet<&String> = next.cards.values().flat_map(|c| &c.files).chain(&next.site_files).collect();
    let mut seen = HashSet::new();
    let old_files = old.values().flat_map(|c| &c.files).chain(old_site_files);
    old_files.filter(|f| !kept.contains(f) && seen.insert(*f)).cloned().collect()
}

/// After a killed build, which files of the output folder stay: those this
/// build's cards and pages have, the print sheets, and whatever is in the
/// folder of a card this build knows of (`present_slugs`, made or not: a
/// message whose card failed keeps its folder). The rest (what the killed
/// build made for messages deleted since) goes.
pub(super) fn kept_after_a_kill<'a>(
    next: &'a BuildCache,
    present_slugs: &'a HashSet<String>,
) -> impl Fn(&str) -> bool + 'a {
    let known: HashSet<&str> = next
        .cards
        .values()
        .flat_map(|c| &c.files)
        .chain(&next.site_files)
        .chain(next.gallery.keys())
        .map(String::as_str)
        .collect();
    move |file: &str| {
        known.contains(file)
            || file.starts_with("print/")
            || file
                .strip_prefix("cards/")
                .is_some_and(|rest| rest.rsplit_once('/').is_some_and(|(slug, _)| present_slugs.contains(slug)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::record::EntryRef;

    const PNG: [Artifact; 3] = [Artifact::Png, Artifact::Thumb, Artifact::Share];

    fn base(theme: (&str, &str)) -> KeyBase {
        let themes = HashMap::from([("t".to_string(), (theme.0.to_string(), theme.1.to_string()))]);
        KeyBase { global: "g".into(), picture_global: "pg".into(), themes }
    }

    fn files(slug: &str) -> Vec<String> {
        let mut files: Vec<String> = PNG.iter().map(|a| a.path(slug)).collect();
        files.extend([Artifact::Page.path(slug), "assets/seals/1.svg".to_string()]);
        files
    }

    fn card(keys: &Keys, slug: &str) -> CachedCard {
        let entry = EntryRef {
            date: String::new(),
            title: String::new(),
            tags: vec![],
            group: String::new(),
            listing: Default::default(),
            at: 0,
            len: 0,
            chars: String::new(),
        };
        CachedCard {
            key: Some(keys.key.clone()),
            picture_key: Some(keys.picture_key.clone()),
            files: files(slug),
            entry,
            page: Some("p".into()),
            pictures: vec![],
            warnings: vec![],
        }
    }

    /// The record of a build of cards `a`, `b` and `c` in theme `t`, whose
    /// files are all there.
    fn built(base: &KeyBase) -> BuildCache {
        let mut record = BuildCache::default();
        for slug in ["a", "b", "c"] {
            record.cards.insert(slug.into(), card(&base.keys("t", slug.as_bytes(), slug), slug));
        }
        record.site_files = vec!["assets/t/style.1.css".into()];
        // The shared seal was found there when the record was loaded.
        record.shared_present.insert("assets/seals/1.svg".into());
        record
    }

    fn actions(record: &BuildCache, base: &KeyBase, digests: [&str; 3]) -> Vec<Action> {
        let mut actions: Vec<Action> = ["a", "b", "c"]
            .iter()
            .zip(digests)
            .map(|(slug, digest)| decide(record, slug, &base.keys("t", digest.as_bytes(), slug), &PNG, &|_| true))
            .collect();
        schedule(&mut actions);
        actions
    }

    #[test]
    fn nothing_changed_keeps_every_card() {
        let base = base(("theme", "pictures"));
        let record = built(&base);
        assert_eq!(actions(&record, &base, ["a", "b", "c"]), [Action::Reuse; 3]);
    }

    #[test]
    fn an_edited_message_redraws_its_card_only() {
        let base = base(("theme", "pictures"));
        let record = built(&base);
        let actions = actions(&record, &base, ["a", "b edited", "c"]);
        assert_eq!(actions, [Action::Reuse, Action::Make(Draw::Later), Action::Reuse]);
    }

    #[test]
    fn an_edited_stylesheet_makes_pages_and_keeps_pictures() {
        let record = built(&base(("theme", "pictures")));
        let restyled = base(("theme with new css", "pictures"));
        assert_eq!(actions(&record, &restyled, ["a", "b", "c"]), [Action::Make(Draw::Keep); 3]);
    }

    #[test]
    fn a_changed_theme_redraws_its_cards_not_the_others() {
        let before = base(("theme", "pictures"));
        let mut record = built(&before);
        // Card `c` is in another theme, which did not change.
        let mut after = base(("new art", "new pictures"));
        after.themes.insert("u".into(), ("u".into(), "u pictures".into()));
        record.cards.insert("c".into(), card(&after.keys("u", b"c", "c"), "c"));
        let keys = |slug: &str, theme: &str| after.keys(theme, slug.as_bytes(), slug);
        let decided = |slug: &str, theme: &str| decide(&record, slug, &keys(slug, theme), &PNG, &|_| true);
        assert_eq!(decided("a", "t"), Action::Make(Draw::Later));
        assert_eq!(decided("b", "t"), Action::Make(Draw::Later));
        assert_eq!(decided("c", "u"), Action::Reuse);
    }

    #[test]
    fn a_missing_file_makes_the_card_again() {
        let base = base(("theme", "pictures"));
        let record = built(&base);
        let gone = Artifact::Thumb.path("a");
        let present = |file: &str| file != gone;
        let keys = base.keys("t", b"a", "a");
        assert_eq!(decide(&record, "a", &keys, &PNG, &present), Action::Make(Draw::Now));
    }

    #[test]
    fn only_a_few_cards_are_drawn_in_the_background() {
        let mut actions = vec![Action::Make(Draw::Later); DRAWN_IN_THE_BACKGROUND + 2];
        actions.insert(1, Action::Reuse);
        schedule(&mut actions);
        let later = actions.iter().filter(|a| **a == Action::Make(Draw::Later)).count();
        assert_eq!(later, DRAWN_IN_THE_BACKGROUND);
        assert_eq!(actions.last(), Some(&Action::Make(Draw::Now)));
    }

    #[test]
    fn a_deleted_card_takes_its_files_but_not_a_shared_seal() {
        let base = base(("theme", "pictures"));
        let old = built(&base);
        let mut next = built(&base);
        next.cards.remove("b");
        let stale = stale_files(&old.cards, &old.site_files, &next);
        let mut expected: Vec<String> = PNG.iter().map(|a| a.path("b")).collect();
        expected.push(Artifact::Page.path("b"));
        assert_eq!(stale, expected, "the seal stays: cards a and c show it");
    }

    #[test]
    fn outputs_no_longer_made_and_old_stylesheets_go() {
        let base = base(("theme", "pictures"));
        let old = built(&base);
        let mut next = built(&base);
        for card in next.cards.values_mut() {
            card.files.retain(|f| !f.ends_with("/share.png"));
        }
        next.site_files = vec!["assets/t/style.2.css".into()];
        let stale = stale_files(&old.cards, &old.site_files, &next);
        let mut expected: Vec<String> = ["a", "b", "c"].iter().map(|s| Artifact::Share.path(s)).collect();
        expected.push("assets/t/style.1.css".into());
        expected.sort();
        let mut stale = stale;
        stale.sort();
        assert_eq!(stale, expected);
    }

    #[test]
    fn after_a_killed_build_every_card_is_made_again_and_strays_go() {
        let base = base(("theme", "pictures"));
        let mut record = built(&base);
        record.distrust();
        let actions = actions(&record, &base, ["a", "b", "c"]);
        assert!(actions.iter().all(|a| matches!(a, Action::Make(Draw::Later | Draw::Now))), "{actions:?}");
        // Message `c` was deleted while the killed build ran; `b` failed now.
        let mut next = built(&base);
        next.cards.remove("c");
        next.cards.remove("b");
        let present: HashSet<String> = ["a", "b"].map(String::from).into();
        let keep = kept_after_a_kill(&next, &present);
        assert!(keep(&Artifact::Png.path("a")) && keep("assets/t/style.1.css"));
        assert!(keep("cards/b/card.png"), "a card that failed keeps its last files");
        assert!(keep("print/sheets-a4.pdf"));
        assert!(!keep("cards/c/card.png") && !keep("cards/c/index.html"), "the deleted message's card goes");
    }
}
