//! The front matter a message may have: its keys, the seal as written and
//! the gallery mode, as serde reads them from the YAML block.

use serde::{Deserialize, Serialize};

/// The front matter keys a message accepts, for hints.
pub const FRONT_MATTER_KEYS: &[&str] = &[
    "title",
    "to",
    "from",
    "email",
    "date",
    "theme",
    "seal",
    "size",
    "tags",
    "draft",
    "slug",
    "lang",
    "sign_off",
    "qr",
    "qr_label",
    "logo",
    "signature",
    "signature_tint",
    "extra",
    "recipients",
    "gallery",
];

/// The seal as written: an emblem name, or a map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum SealField {
    /// `seal: heart`
    Emblem(String),
    /// `seal: { emblem: heart, color: "#5a3a22", initials: BC }`
    Spec(SealSpecField),
}

/// The map form of `seal`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SealSpecField {
    /// Emblem pressed into the wax.
    pub emblem: Option<String>,
    /// Wax colour, CSS hex.
    pub color: Option<String>,
    /// Up to three letters.
    pub initials: Option<String>,
}

/// The YAML front matter of a message. Every field is optional.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    /// The card's heading and the page title.
    pub title: Option<String>,
    /// Who the card is for.
    pub to: Option<String>,
    /// Who signs it.
    pub from: Option<String>,
    /// The recipient's address (for email output).
    pub email: Option<String>,
    /// `YYYY-MM-DD` (or with a time); orders the gallery.
    pub date: Option<String>,
    /// Theme name.
    pub theme: Option<String>,
    /// The wax seal.
    pub seal: Option<SealField>,
    /// Card size name.
    pub size: Option<String>,
    /// Tags for the gallery.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Drafts are built only with `--drafts`.
    #[serde(default)]
    pub draft: bool,
    /// Overrides the slug taken from the path.
    pub slug: Option<String>,
    /// The message's language (`en`, `de-CH`): turns on hyphenation.
    pub lang: Option<String>,
    /// The words before the sender's name (`""` or `false`: the name alone);
    /// when not given, the site's, then the theme's for the card's language.
    #[serde(default, deserialize_with = "crate::signoff::written")]
    pub sign_off: Option<crate::signoff::SignOff>,
    /// The link of the card's QR code: `card` (its own page), a URL, or
    /// empty (`false`: none, even where the site gives one); the site's
    /// `qr:` when not given.
    #[serde(default, deserialize_with = "crate::qr::written")]
    pub qr: Option<String>,
    /// The words set small beside the QR code ("Scan to leave a review").
    pub qr_label: Option<String>,
    /// The shop's logo on the card (a picture's path, relative to the
    /// message, or empty, `false`: none, even where the site gives one);
    /// the site's `logo:` when not given.
    #[serde(default, deserialize_with = "crate::input::file_or_off")]
    pub logo: Option<String>,
    /// A scanned signature drawn in place of the sender's name (a
    /// picture's path, or empty, `false`: the name in type); the site's
    /// `signature:` when not given.
    #[serde(default, deserialize_with = "crate::input::file_or_off")]
    pub signature: Option<String>,
    /// Whether the signature is drawn in the colour the theme signs in;
    /// the site's `signature_tint:` when not given.
    pub signature_tint: Option<bool>,
    /// Anything else the body template may use.
    #[serde(default)]
    pub extra: serde_yaml::Mapping,
    /// A file of rows (CSV, TSV, JSON or YAML), relative to the message: one
    /// card per row (a mail merge).
    pub recipients: Option<String>,
    /// How the message's cards are listed in the gallery.
    #[serde(default)]
    pub gallery: GalleryMode,
}

/// `gallery:` in the front matter: how a message's cards are listed in the
/// gallery, its tag pages and the feed. Every card gets its page either way.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GalleryMode {
    /// `gallery: true` or no `gallery:`: a merged message's cards as one
    /// group, any other message's card on its own.
    #[default]
    Default,
    /// `gallery: group`: the cards of a merged message as one entry that
    /// leads to a page of them.
    Group,
    /// `gallery: cards`: each card of a merged message on its own.
    Cards,
    /// `gallery: false`: left out of the gallery, the tag pages and the feed.
    Hidden,
}

impl<'de> Deserialize<'de> for GalleryMode {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Written {
            Flag(bool),
            Name(String),
        }
        match Written::deserialize(deserializer)? {
            Written::Flag(true) => Ok(GalleryMode::Default),
            Written::Flag(false) => Ok(GalleryMode::Hidden),
            Written::Name(name) => match name.as_str() {
                "group" => Ok(GalleryMode::Group),
                "cards" => Ok(GalleryMode::Cards),
                other => Err(serde::de::Error::custom(format!(
                    "`gallery: {other}` is not a gallery mode: use true, false, group or cards"
                ))),
            },
        }
    }
}
