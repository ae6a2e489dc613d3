//! A card's template run once: with a mark where each layer drawn per card
//! (text, seal, QR code) goes, from which the card, its base and its top
//! layers alone are cut, instead of running the template again for each;
//! and, with marks for the card's title and alt text too, run once for all
//! the cards whose artwork is the same (see [`run_once`]).

use std::sync::Arc;

/// The template variables drawn over the base, per card.
pub(super) const LAYERS: [&str; 3] = ["text", "seal", "qr"];

/// What stands for layer `name` in a template's output: nothing a filter
/// that escapes or changes case would change, nothing a card's text holds.
pub(super) fn mark(name: &str) -> String {
    format!("\u{e000}waxseal-{name}\u{e000}")
}

/// The card (each mark replaced by its layer) and its base (the marks
/// removed), from the template's output `marked`; `None` unless each mark
/// is there exactly once.
pub(super) fn fill(marked: &str, layers: &[(&str, String); 3]) -> Option<(String, String)> {
    let marks = layers.each_ref().map(|(name, _)| mark(name));
    if marks.iter().any(|m| marked.matches(m.as_str()).count() != 1) {
        return None;
    }
    let (mut full, mut base) = (marked.to_string(), marked.to_string());
    for (m, (_, svg)) in marks.iter().zip(layers) {
        full = full.replacen(m.as_str(), &crate::svg::without_forbidden(svg.clone()), 1);
        base = base.replacen(m.as_str(), "", 1);
    }
    Some((full, base))
}

/// The layers alone (in the order the template puts them) on the card's
/// canvas, from the template's output `marked`: when the marks come last,
/// at the top of the document (nothing after them but `</svg>`), the
/// document has no style sheet, and the layers refer to nothing outside
/// themselves; else `None` (the card is parsed whole).
pub(super) fn top_svg(marked: &str, layers: &[(&str, String); 3]) -> Option<String> {
    let mut at: Vec<(usize, &String)> = Vec::new();
    for (name, svg) in layers {
        let m = mark(name);
        if marked.matches(m.as_str()).count() != 1 {
            return None;
        }
        at.push((marked.find(m.as_str())?, svg));
    }
    at.sort_by_key(|(i, _)| *i);
    let mut tail = marked[at[0].0..].to_string();
    for (name, _) in layers {
        tail = tail.replacen(mark(name).as_str(), "", 1);
    }
    let last = tail.trim().strip_suffix("</svg>").is_some_and(|rest| rest.trim().is_empty());
    if !last || marked.contains("<style") {
        return None;
    }
    let root = root_tag(marked)?;
    let body: String = at.iter().map(|(_, svg)| crate::svg::without_forbidden((*svg).clone())).collect();
    self_contained(&body).then(|| format!("{root}{body}</svg>"))
}

/// The document's `<svg ...>` start tag, as written.
pub(super) fn root_tag(svg: &str) -> Option<&str> {
    let start = svg.find("<svg")?;
    let mut quote = None;
    for (i, c) in svg[start..].char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return Some(&svg[start..=start + i]),
            _ => {}
        }
    }
    None
}

/// Whether every `url(#id)` and `href="#id"` in `svg` names an `id` in it.
fn self_contained(svg: &str) -> bool {
    let refs = |open: &str, close: char| -> Vec<String> {
        svg.match_indices(open)
            .filter_map(|(i, _)| {
                let rest = &svg[i + open.len()..];
                rest.find(close).map(|end| rest[..end].to_string())
            })
            .collect()
    };
    let mut named = refs("url(#", ')');
    named.extend(refs("href=\"#", '"'));
    named.iter().all(|id| svg.contains(&format!("id=\"{id}\"")))
}

/// The bases of a theme's cards that parsed, by hash: each parsed once.
#[derive(Default)]
struct CheckedBases(std::sync::Mutex<rustc_hash::FxHashSet<u64>>);

/// How many bases a theme remembers as parsed (then it starts again):
/// a few per size, or one per card for artwork that shows a card's title.
const CHECKED_BASES: usize = 4096;

/// Runs `parse` on base `svg` unless a card of `theme` has parsed it already.
pub(super) fn check_base(
    theme: &crate::theme::Theme,
    svg: &str,
    parse: impl FnOnce() -> Result<(), super::RenderError>,
) -> Result<(), super::RenderError> {
    let key = std::hash::BuildHasher::hash_one(&rustc_hash::FxBuildHasher, svg);
    let checked = theme.caches.get_or_default::<CheckedBases>();
    if checked.0.lock().expect("no panics while holding the lock").contains(&key) {
        return Ok(());
    }
    parse()?;
    let mut known = checked.0.lock().expect("no panics while holding the lock");
    if known.len() >= CHECKED_BASES {
        known.clear();
    }
    known.insert(key);
    Ok(())
}

/// The template's words per card (`<title>` and `<desc>`), marked like the
/// layers; the `&` shows whether the template escaped them.
const WORDS: [&str; 2] = ["title", "alt"];

/// The mark of word `name`, as the template was given it.
fn word_mark(name: &str) -> String {
    format!("\u{e000}waxseal-{name}&\u{e000}")
}

/// The most bytes of template output a theme keeps for cards to share.
const KEPT_BYTES: u64 = 8 << 20;

/// Template outputs kept per theme, by what the template was given.
struct Runs(quick_cache::sync::Cache<String, Arc<String>, RunBytes>);

impl Default for Runs {
    fn default() -> Self {
        Runs(quick_cache::sync::Cache::with_weighter(64, KEPT_BYTES, RunBytes))
    }
}

#[derive(Clone)]
struct RunBytes;

impl quick_cache::Weighter<String, Arc<String>> for RunBytes {
    fn weight(&self, key: &String, run: &Arc<String>) -> u64 {
        (key.len() + run.len()) as u64
    }
}

/// The template's output for `context` (its layers marked) with the card's
/// `words` (title, alt) in place: the template is run with marks for the
/// words, once for every card whose `artwork` (a key of all else the
/// template is given) is the same, and the words put in as the template put them
/// (escaped or not). A template that does more with a word than write it
/// (a filter that changes it) is run for the card with its words.
pub(super) fn run_once(
    theme: &crate::theme::Theme,
    context: &mut tera::Context,
    (artwork, words): (&str, [&str; 2]),
    run: impl Fn(&tera::Context) -> Result<String, super::RenderError>,
) -> Result<String, super::RenderError> {
    for (name, word) in WORDS.iter().zip(words) {
        // An empty word is given as it is: a template may test it.
        if !word.is_empty() {
            context.insert(*name, &word_mark(name));
        }
    }
    // The artwork, and which words are empty (the layers are marks).
    let key = format!("{artwork}:{}:{}", words[0].is_empty(), words[1].is_empty());
    let runs = theme.caches.get_or_default::<Runs>();
    let marked = match runs.0.get(&key) {
        Some(marked) => marked,
        None => {
            let marked = Arc::new(run(context)?);
            runs.0.insert(key, marked.clone());
            marked
        }
    };
    let filled = fill_words(&marked, words);
    // The context is left as the card's own, its words in place.
    for (name, word) in WORDS.iter().zip(words) {
        context.insert(*name, word);
    }
    match filled {
        Some(filled) => Ok(filled),
        None => run(context),
    }
}

/// `marked` with each word's mark replaced by the word, escaped where the
/// template escaped it; `None` when a mark is left (changed by a filter).
fn fill_words(marked: &str, words: [&str; 2]) -> Option<String> {
    let mut out = marked.to_string();
    for (name, word) in WORDS.iter().zip(words) {
        let raw = word_mark(name);
        let escaped = raw.replace('&', "&amp;");
        let mut buf = Vec::with_capacity(word.len());
        tera::escape_html(word, &mut buf).ok()?;
        let word_escaped = String::from_utf8(buf).ok()?;
        out = out
            .replace(escaped.as_str(), &crate::svg::without_forbidden(word_escaped))
            .replace(raw.as_str(), &crate::svg::without_forbidden(word.to_string()));
    }
    // Only the layers' marks are left, once each.
    let layers: usize = LAYERS.iter().map(|name| out.matches(mark(name).as_str()).count() * 2).sum();
    (out.matches('\u{e000}').count() == layers).then_some(out)
}
