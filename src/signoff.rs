//! The words before the sender's name in a card's signature ("with love,"):
//! `sign_off:` as the front matter, `waxseal.yaml` and a theme write it, and
//! waxseal's own words for each language. A leaf: plain data and the rule
//! that picks a card's words; the settings that hold them read it.
//!
//! A card in German is not signed in English: when nothing written gives
//! words for the card's language, waxseal's own for it are used, and a
//! language it has none for gets the name alone.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Whether `tag` looks like a BCP 47 language tag: two or three letters, then
/// optional `-` parts.
pub fn valid_lang(tag: &str) -> bool {
    let mut parts = tag.split(['-', '_']);
    let primary = parts.next().unwrap_or("");
    (2..=3).contains(&primary.len())
        && primary.chars().all(|c| c.is_ascii_alphabetic())
        && parts.all(|p| !p.is_empty() && p.len() <= 8 && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// `sign_off:` as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignOff {
    /// `sign_off: ""`, `false` or `null`: the name alone.
    Off,
    /// The same words in every language.
    Text(String),
    /// Words by language tag (`en`, `de`, `pt-BR`); `""` for the name alone.
    /// Another language gets the words of the next setting down.
    PerLanguage(BTreeMap<String, String>),
}

/// What a wrong `sign_off:` is told it should be.
pub const EXPECTED: &str = "the words before the name (text), false for none, or words per language";

/// How to name a language, for the diagnostic of a key that does not.
pub const LANG_HINT: &str = "give `sign_off` per language with tags such as `en`, `de` or `pt-BR`: `{ en: \"with love,\", de: \"Alles Liebe,\" }`";

/// Where the key of a wrong language tag stands in `text`, whose
/// diagnostic `d` (at the start of its map) names it: its line and column
/// (those of `d` when it is not found).
pub fn lang_key_place(text: &str, line: usize, col: usize, message: &str) -> (usize, usize) {
    let Some(key) = message.strip_suffix("` is not a language tag").and_then(|m| m.rsplit('`').next()) else {
        return (line, col);
    };
    let found = text.lines().enumerate().skip(line.saturating_sub(1)).find_map(|(i, l)| {
        let trimmed = l.trim_start();
        let rest = trimmed.strip_prefix(key)?;
        rest.trim_start().starts_with(':').then(|| (i + 1, l.len() - trimmed.len() + 1))
    });
    found.unwrap_or((line, col))
}

/// How to write one, for the diagnostic of a wrong one.
pub const HINT: &str =
    "write `sign_off: \"with love,\"`, `sign_off: false` for the name alone, or words per language: `{ en: \"with love,\", de: \"Alles Liebe,\" }`";

impl<'de> Deserialize<'de> for SignOff {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = SignOff;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(EXPECTED)
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<SignOff, E> {
                Ok(if text.trim().is_empty() { SignOff::Off } else { SignOff::Text(text.trim().to_string()) })
            }
            fn visit_bool<E: serde::de::Error>(self, on: bool) -> Result<SignOff, E> {
                match on {
                    false => Ok(SignOff::Off),
                    true => Err(E::invalid_value(serde::de::Unexpected::Bool(true), &self)),
                }
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<SignOff, E> {
                Ok(SignOff::Off)
            }
            fn visit_none<E: serde::de::Error>(self) -> Result<SignOff, E> {
                Ok(SignOff::Off)
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<SignOff, A::Error> {
                let mut words = BTreeMap::new();
                while let Some(lang) = map.next_key::<String>()? {
                    if !valid_lang(&lang) {
                        return Err(serde::de::Error::custom(format!("`{lang}` is not a language tag")));
                    }
                    let text: Option<String> = map.next_value()?;
                    words.insert(lang.to_ascii_lowercase(), text.unwrap_or_default().trim().to_string());
                }
                Ok(SignOff::PerLanguage(words))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

impl Serialize for SignOff {
    // Off is `false`, so a setting turned off is told from none at all
    // (settings are hashed into what a card is made from).
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            SignOff::Off => serializer.serialize_bool(false),
            SignOff::Text(text) => serializer.serialize_str(text),
            SignOff::PerLanguage(words) => words.serialize(serializer),
        }
    }
}

/// For `#[serde(deserialize_with)]` on an optional `sign_off`: a key that is
/// written, even as `null`, is a setting (`null` turns it off).
pub fn written<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<SignOff>, D::Error> {
    SignOff::deserialize(deserializer).map(Some)
}

/// What one setting says for `lang`: `Some(None)` for the name alone,
/// `Some(Some(words))`, or `None` when it leaves the language to the next.
fn says<'a>(setting: &'a SignOff, lang: &str) -> Option<Option<&'a str>> {
    let words = match setting {
        SignOff::Off => return Some(None),
        SignOff::Text(text) => text.as_str(),
        SignOff::PerLanguage(words) => lookup(words, lang)?,
    };
    Some(Some(words).filter(|w| !w.is_empty()))
}

/// The entry of `lang` (`de-ch`), else of its language (`de`).
fn lookup<'a, V>(map: &'a BTreeMap<String, V>, lang: &str) -> Option<&'a V> {
    let lang = lang.to_ascii_lowercase().replace('_', "-");
    let primary = lang.split('-').next().unwrap_or_default();
    map.get(&lang).or_else(|| map.get(primary))
}

/// The words a card in `lang` is signed with: the first of `settings` (the
/// front matter's, the site's, the theme's, in that order) that says
/// something for the language, else waxseal's own for it; `None` for the
/// name alone.
pub fn words_for<'a>(settings: [Option<&'a SignOff>; 3], lang: &str) -> Option<&'a str> {
    settings.into_iter().flatten().find_map(|setting| says(setting, lang)).unwrap_or_else(|| builtin(lang))
}

/// waxseal's own sign-off in `lang`: warm and neutral, as a stationer
/// would print it for any note (a thank-you note is not thanked again).
pub fn builtin(lang: &str) -> Option<&'static str> {
    let lang = lang.to_ascii_lowercase();
    let primary = lang.split(['-', '_']).next().unwrap_or_default();
    BUILTIN.iter().find(|(tag, _)| *tag == primary).map(|(_, words)| *words)
}

/// waxseal's own words, by language.
const BUILTIN: &[(&str, &str)] = &[
    ("en", "with warm wishes,"),
    ("de", "Herzliche Grüße,"),
    ("fr", "Bien à vous,"),
    ("es", "Un saludo cordial,"),
    ("it", "Cari saluti,"),
    ("nl", "Hartelijke groet,"),
    ("pt", "Com carinho,"),
    ("sv", "Varma hälsningar,"),
    ("da", "Kærlig hilsen,"),
    ("pl", "Serdecznie pozdrawiam,"),
    // Japanese and Chinese letters close without a Western comma.
    ("ja", "心を込めて"),
    ("zh", "祝好，"),
    ("ar", "مع أطيب التحيات،"),
    ("he", "בברכה,"),
];

/// The signature line: the words, then the name (`with love, Beverly`);
/// after a full-width comma no space is set, as in Chinese.
pub fn signature(words: Option<&str>, from: &str) -> String {
    match words {
        Some(words) if words.ends_with(['，', '、']) => format!("{words}{from}"),
        Some(words) => format!("{words} {from}"),
        None => from.to_string(),
    }
}

/// The signature as a card sets it: the words on a line of their own,
/// then the name (`with love,\nBeverly`), or the name alone.
pub fn signature_lines(words: Option<&str>, from: &str) -> String {
    match words {
        Some(words) => format!("{words}\n{from}"),
        None => from.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(yaml: &str) -> Result<SignOff, String> {
        serde_yaml::from_str(yaml).map_err(|e| e.to_string())
    }

    #[test]
    fn it_is_text_none_or_words_per_language() {
        assert_eq!(read("\"with love,\""), Ok(SignOff::Text("with love,".into())));
        for off in ["\"\"", "false", "null", "~"] {
            assert_eq!(read(off), Ok(SignOff::Off), "{off}");
        }
        let per = read("{ en: \"hi,\", de-CH: \"Grüezi,\" }").unwrap();
        assert_eq!(words_for([Some(&per), None, None], "de-ch"), Some("Grüezi,"));
        assert!(read("true").unwrap_err().contains("expected the words before the name"));
        assert!(read("[a, b]").unwrap_err().starts_with("invalid type: sequence"));
        assert!(read("{ english: hi }").unwrap_err().starts_with("`english` is not a language tag"));
    }

    #[test]
    fn the_first_setting_that_speaks_the_language_wins() {
        let theme = SignOff::PerLanguage([("en".to_string(), "with love,".to_string())].into());
        let site = SignOff::PerLanguage([("de".to_string(), "Bis bald,".to_string())].into());
        let off = SignOff::Off;
        assert_eq!(words_for([None, None, Some(&theme)], "en-GB"), Some("with love,"));
        assert_eq!(words_for([None, Some(&site), Some(&theme)], "en"), Some("with love,"));
        assert_eq!(words_for([None, Some(&site), Some(&theme)], "de"), Some("Bis bald,"));
        assert_eq!(words_for([Some(&off), Some(&site), Some(&theme)], "de"), None);
        // No setting for French: waxseal's own, never the theme's English.
        assert_eq!(words_for([None, Some(&site), Some(&theme)], "fr"), Some("Bien à vous,"));
        assert_eq!(words_for([None, None, None], "fi"), None);
    }

    #[test]
    fn the_name_follows_the_words() {
        assert_eq!(signature(Some("with love,"), "Bev"), "with love, Bev");
        assert_eq!(signature(Some("祝好，"), "Bev"), "祝好，Bev");
        assert_eq!(signature(None, "Bev"), "Bev");
    }
}
