//! `waxseal.yaml`: the site's settings.
//!
//! Every key has a default, so the file is optional. Unknown keys are refused
//! with a "did you mean" hint, since a misspelt setting that is silently
//! ignored is worse than an error. This module reads one file and nothing
//! else, and checks its values itself: the language tag rule and the
//! mailbox ([`Mailbox`], which email and messages use too) live here, so
//! the settings depend on no later stage.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::diagnostics::{did_you_mean, Diagnostic};

/// The name of the settings file at the site root.
pub const CONFIG_FILE: &str = "waxseal.yaml";

/// The site's settings, with defaults filled in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SiteConfig {
    /// The gallery's title.
    pub title: String,
    /// One line about the site, for the gallery page.
    pub description: String,
    /// Where output/ will be published; every URL is made from it.
    pub base_url: String,
    /// The theme of a message that names none.
    pub theme: String,
    /// The card size of a message that names none.
    pub size: String,
    /// Dots per inch of the PNG cards.
    pub dpi: u32,
    /// Let raw HTML in messages through to the card pages (off: it is shown as text).
    pub raw_html: bool,
    /// The language of messages that name none (`en`); turns on hyphenation.
    pub lang: Option<String>,
    /// The words before the sender's name on every card, or per language
    /// (a card's own `sign_off:` wins; none: the theme's for the card's language).
    #[serde(deserialize_with = "crate::signoff::written")]
    pub sign_off: Option<crate::signoff::SignOff>,
    /// The link of every card's QR code (`card`: its own page), unless its
    /// front matter gives one; none when not given.
    #[serde(deserialize_with = "crate::qr::written")]
    pub qr: Option<String>,
    /// The words set small beside every card's QR code, unless its front matter gives them.
    pub qr_label: Option<String>,
    /// The shop's logo on every card (a picture's path, relative to the
    /// site folder, else in `static/` or `assets/`), unless its front matter says otherwise.
    #[serde(deserialize_with = "crate::input::file_or_off")]
    pub logo: Option<String>,
    /// A scanned signature on every card in place of the sender's name,
    /// unless its front matter says otherwise.
    #[serde(deserialize_with = "crate::input::file_or_off")]
    pub signature: Option<String>,
    /// Whether a signature is drawn in the colour the theme signs in.
    pub signature_tint: bool,
    /// Where `logo:` and `signature:` are written in waxseal.yaml (key,
    /// line, column of the value): a picture that cannot be drawn is
    /// reported there.
    #[serde(skip)]
    pub places: Vec<(String, usize, usize)>,
    /// The `base_url` of waxseal.yaml, kept when a build publishes under
    /// another (`serve`'s `/`): a card's QR code links its published page.
    #[serde(skip)]
    pub site_base_url: String,
    /// Which files to make for every card: `html`, `png`, `svg`, `pdf`, `email`.
    pub outputs: Outputs,
    /// Smallest PNG files, at the cost of time (for publishing).
    pub optimize: bool,
    /// The gallery's pages.
    pub gallery: GalleryConfig,
    /// The print PDFs (`card.pdf`, `waxseal print`).
    pub print: PrintConfig,
    /// The cards as emails (`message.eml`).
    pub email: EmailConfig,
    /// The mail server `waxseal send` hands the cards' emails to. Not part
    /// of what a card is made from (nor shown to templates).
    #[serde(skip_serializing)]
    pub smtp: Option<SmtpConfig>,
}

/// `smtp:` in `waxseal.yaml`: the shop's own mail server.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    /// The server's name (`smtp.example.org`).
    pub host: String,
    /// Its port: 587 for STARTTLS, 465 for TLS, 25 without either, unless given.
    #[serde(default)]
    pub port: Option<u16>,
    /// How the connection is encrypted.
    #[serde(default)]
    pub security: SmtpSecurity,
    /// The user name to log in with, if the server asks for one; the
    /// password comes from the environment variable `password_env`.
    #[serde(default)]
    pub user: Option<String>,
    /// The environment variable holding the password.
    #[serde(default = "default_password_env")]
    pub password_env: String,
    /// At most this many messages a minute.
    #[serde(default = "default_per_minute")]
    pub per_minute: u32,
    /// Seconds to wait for the server: to connect, for its greeting, for
    /// each answer (however slowly it comes).
    #[serde(default = "default_timeout")]
    pub timeout: u32,
    /// Seconds one message may take in all, from connecting to the server's
    /// acceptance.
    #[serde(default = "default_message_timeout")]
    pub message_timeout: u32,
    /// Never read: a password written here is refused (see [`refuse_password`]).
    #[serde(default, deserialize_with = "refuse_password")]
    pub password: Option<()>,
}

/// How the connection to the mail server is encrypted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    /// Plain at first, then encrypted by STARTTLS before anything is sent (port 587).
    #[default]
    Starttls,
    /// Encrypted from the start (port 465).
    Tls,
    /// Not encrypted: only for a server on this machine (`localhost`).
    None,
}

fn default_password_env() -> String {
    "WAXSEAL_SMTP_PASSWORD".into()
}

fn default_per_minute() -> u32 {
    60
}

fn default_timeout() -> u32 {
    30
}

fn default_message_timeout() -> u32 {
    120
}

/// What is said of a password in `waxseal.yaml`.
const PASSWORD_REFUSED: &str = "waxseal never reads a password from waxseal.yaml; remove it and set the environment variable named by `password_env` (WAXSEAL_SMTP_PASSWORD unless set) instead";

/// A password in `waxseal.yaml` would be copied, committed and published
/// with the site: it is an error wherever it is written.
fn refuse_password<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<()>, D::Error> {
    let _ = serde_yaml::Value::deserialize(deserializer)?;
    Err(serde::de::Error::custom(PASSWORD_REFUSED))
}

/// The line and column of the value of the first indented `password:` after
/// `smtp:` in `text`.
fn password_place(text: &str) -> Option<(usize, usize)> {
    let smtp = text.lines().position(|line| line.starts_with("smtp:"))?;
    text.lines().enumerate().skip(smtp + 1).find_map(|(i, line)| {
        let key = line.trim_start();
        let value = key.strip_prefix("password:")?;
        let col = line.len() - key.len() + "password:".len() + (value.len() - value.trim_start().len()) + 1;
        Some((i + 1, col))
    })
}

/// Where `item` is written in the list of top-level key `key`, as
/// `key: [a, item]` or as `- item` lines under `key:`.
fn list_item_place(text: &str, key: &str, item: &str) -> Option<(usize, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let at = lines.iter().position(|l| l.strip_prefix(key).is_some_and(|r| r.trim_start().starts_with(':')))?;
    let col_in = |line: &str| {
        line.match_indices(item)
            .find(|(i, _)| {
                let before = line[..*i].trim_end().chars().last();
                let after = line[i + item.len()..].trim_start().chars().next();
                matches!(before, Some('[' | ',' | '-' | ':' | '"' | '\''))
                    && matches!(after, None | Some(']' | ',' | '"' | '\''))
            })
            .map(|(i, _)| line[..i].chars().count() + 1)
    };
    let block = lines[at + 1..].iter().copied().take_while(|l| l.starts_with([' ', '\t', '-']) || l.trim().is_empty());
    std::iter::once(lines[at]).chain(block).enumerate().find_map(|(i, line)| col_in(line).map(|col| (at + i + 1, col)))
}

/// `email:` in `waxseal.yaml`: who the cards' emails are from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EmailConfig {
    /// The sender: `"Beverly's Shop <hello@shop.example>"` or an address;
    /// needed when `outputs` has `email`.
    pub from: Option<String>,
    /// Where replies go, when not to `from`.
    pub reply_to: Option<String>,
}

/// `print:` in `waxseal.yaml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PrintConfig {
    /// How far the card's paper runs on past where it is cut (`3mm`,
    /// `0.125in`): a print shop trims into it, so no white edge shows.
    pub bleed: Length,
    /// Crop marks around the card, outside the bleed. Off: print shops
    /// usually ask for a PDF without them and add their own.
    pub marks: bool,
}

impl Default for PrintConfig {
    fn default() -> Self {
        PrintConfig { bleed: Length::parse("3mm").expect("a valid length"), marks: false }
    }
}

/// A length for print, written with its unit: `3mm`, `0.125in`, `9pt` (or
/// `0`). Kept as written (which is what templates and the cache see) and in
/// points.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(into = "String")]
pub struct Length {
    text: String,
    points: f64,
}

/// The largest bleed anyone asks for is a few millimetres; past an inch it
/// is a typo.
const MAX_LENGTH_PT: f64 = 72.0;

impl Length {
    /// Parses `3mm`, `0.125in`, `9pt` or `0`.
    pub fn parse(text: &str) -> Result<Length, String> {
        let t = text.trim();
        let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == '+')).unwrap_or(t.len());
        let (number, unit) = (t[..split].trim(), t[split..].trim());
        let value: f64 = number
            .parse()
            .map_err(|_| format!("`{t}` is not a length: use a number and mm, in or pt, such as `3mm` or `0.125in`"))?;
        let per_unit = match unit {
            "mm" => 72.0 / 25.4,
            "in" => 72.0,
            "pt" => 1.0,
            "" if value == 0.0 => 0.0,
            "" => return Err(format!("`{t}` has no unit: write `{t}mm`, `{t}in` or `{t}pt`")),
            other => {
                return Err(format!("unknown unit `{other}` in `{t}`: use mm, in or pt, such as `3mm` or `0.125in`"))
            }
        };
        let points = value * per_unit;
        if !points.is_finite() || points < 0.0 {
            return Err(format!("`{t}` is less than nothing"));
        }
        if points > MAX_LENGTH_PT {
            return Err(format!("`{t}` is more than an inch: a bleed is usually 3mm or 0.125in"));
        }
        Ok(Length { text: t.to_string(), points })
    }

    /// The length in PostScript points (1/72 in).
    pub fn points(&self) -> f64 {
        self.points
    }
}

/// Read from the YAML value itself (not through an intermediate value), so
/// a bad length is reported at its own line and column.
impl<'de> Deserialize<'de> for Length {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Length, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Length;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a length such as `3mm` or `0.125in`")
            }

            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Length, E> {
                Length::parse(text).map_err(E::custom)
            }

            fn visit_f64<E: serde::de::Error>(self, n: f64) -> Result<Length, E> {
                Length::parse(&n.to_string()).map_err(E::custom)
            }

            fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<Length, E> {
                Length::parse(&n.to_string()).map_err(E::custom)
            }

            fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<Length, E> {
                Length::parse(&n.to_string()).map_err(E::custom)
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

impl From<Length> for String {
    fn from(length: Length) -> String {
        length.text
    }
}

/// `gallery:` in `waxseal.yaml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GalleryConfig {
    /// Cards on a gallery page (`0`: all on one page).
    pub per_page: usize,
}

impl Default for GalleryConfig {
    fn default() -> Self {
        GalleryConfig { per_page: 24 }
    }
}

/// Which files a build makes for every card (`outputs: [html, png, svg]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<String>", into = "Vec<&str>")]
pub struct Outputs {
    /// Card pages, the gallery (with thumbnails) and the theme assets.
    pub html: bool,
    /// `card.png`.
    pub png: bool,
    /// `card.svg`.
    pub svg: bool,
    /// `card.pdf`, the print card (not made unless asked for).
    pub pdf: bool,
    /// `message.eml`, the note as an email with the card inline (not made
    /// unless asked for; the card's PNG is drawn for it even without `png`).
    pub email: bool,
}

impl Outputs {
    /// What a site makes unless it says: pages, the PNG and the SVG.
    pub const DEFAULT: Outputs = Outputs { html: true, png: true, svg: true, pdf: false, email: false };

    /// Every output.
    pub const ALL: Outputs = Outputs { html: true, png: true, svg: true, pdf: true, email: true };

    /// Parses `html,png,svg,pdf,email` (any order, any subset).
    pub fn parse<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<Outputs, String> {
        let mut out = Outputs { html: false, png: false, svg: false, pdf: false, email: false };
        for name in names {
            match name.trim() {
                "html" => out.html = true,
                "png" => out.png = true,
                "svg" => out.svg = true,
                "pdf" => out.pdf = true,
                "email" => out.email = true,
                other => return Err(format!("unknown output `{other}`: use html, png, svg, pdf and email")),
            }
        }
        Ok(out)
    }

    /// Whether any of a card's pictures is made.
    pub fn pictures(&self) -> bool {
        self.png || self.svg || self.pdf || self.email
    }
}

impl From<Outputs> for Vec<&str> {
    /// The names, as `outputs:` lists them.
    fn from(outputs: Outputs) -> Vec<&'static str> {
        let Outputs { html, png, svg, pdf, email } = outputs;
        [(html, "html"), (png, "png"), (svg, "svg"), (pdf, "pdf"), (email, "email")]
            .into_iter()
            .filter_map(|(made, name)| made.then_some(name))
            .collect()
    }
}

impl TryFrom<Vec<String>> for Outputs {
    type Error = String;

    fn try_from(names: Vec<String>) -> Result<Outputs, String> {
        Outputs::parse(names.iter().map(String::as_str))
    }
}

impl Default for SiteConfig {
    fn default() -> Self {
        SiteConfig {
            title: "Cards".into(),
            description: String::new(),
            base_url: "/".into(),
            theme: "chocolate".into(),
            size: "a6".into(),
            dpi: 300,
            raw_html: false,
            lang: None,
            sign_off: None,
            qr: None,
            qr_label: None,
            logo: None,
            signature: None,
            signature_tint: false,
            places: Vec::new(),
            site_base_url: "/".into(),
            outputs: Outputs::DEFAULT,
            optimize: false,
            gallery: GalleryConfig::default(),
            print: PrintConfig::default(),
            email: EmailConfig::default(),
            smtp: None,
        }
    }
}

/// The line and column of the value of `key` under `email:` in the text of
/// a settings file ((0, 0) when it is not written there as a line of its own).
fn email_value_place(text: &str, key: &str) -> (usize, usize) {
    let mut inside = false;
    for (i, line) in text.lines().enumerate() {
        let indented = line.starts_with([' ', '\t']);
        if !indented && !line.trim().is_empty() {
            inside = line.trim_start().starts_with("email:");
        } else if inside {
            let trimmed = line.trim_start();
            if let Some(rest) = trimmed.strip_prefix(key).and_then(|r| r.strip_prefix(':')) {
                let value_at = line.len() - rest.trim_start().len();
                let col =
                    line[..value_at].chars().count() + 1 + usize::from(rest.trim_start().starts_with(['"', '\'']));
                return (i + 1, col);
            }
        }
    }
    (0, 0)
}

/// Where top-level `key` is written in a settings file: the key, its
/// line and the column of its value.
fn top_level_place(text: &str, key: &str) -> Option<(String, usize, usize)> {
    text.lines().enumerate().find_map(|(i, line)| {
        let rest = line.strip_prefix(key)?.strip_prefix(':')?;
        let value = rest.trim_start();
        let col = line[..line.len() - value.len()].chars().count() + 1 + usize::from(value.starts_with(['"', '\'']));
        Some((key.to_string(), i + 1, col))
    })
}

/// Refuses a `qr:` no phone could open: a link that is not a URL, or
/// `card` on a site whose `base_url` is not absolute.
fn check_qr(config: &SiteConfig, text: &str) -> Result<(), Diagnostic> {
    let Some(link) = config.qr.as_deref().map(str::trim).filter(|l| !l.is_empty()) else {
        return Ok(());
    };
    let line = text.lines().position(|l| l.starts_with("qr:")).map_or(0, |i| i + 1);
    let col = text.lines().nth(line.saturating_sub(1)).and_then(|l| l.find(link)).map_or(0, |c| c + 1);
    let at = |message: String| Diagnostic::error(CONFIG_FILE, line, col, message);
    if link == crate::qr::CARD {
        if !config.base_url.contains("://") {
            return Err(at(format!("`qr: card` needs an absolute base_url, and base_url is `{}`", config.base_url))
                .with_hint(crate::qr::NEEDS_BASE_URL));
        }
        return Ok(());
    }
    match crate::qr::problem(link) {
        Some((message, hint)) => Err(at(message).with_hint(hint)),
        None => Ok(()),
    }
}

/// The day a build is made, for the files whose format needs a date when
/// a card has none (an email's `Date`, a print PDF's creation date): the
/// day of `SOURCE_DATE_EPOCH` when it is set (seconds since 1970, the
/// reproducible-builds convention), else today's, in UTC.
pub fn build_date() -> jiff::civil::Date {
    let given = std::env::var("SOURCE_DATE_EPOCH").ok().and_then(|s| s.trim().parse::<i64>().ok());
    let stamp = given.and_then(|s| jiff::Timestamp::from_second(s).ok()).unwrap_or_else(jiff::Timestamp::now);
    jiff::tz::Offset::UTC.to_datetime(stamp).date()
}

/// `url` ending in one `/`, as every URL of the site is made by appending to it.
pub fn normalize_base_url(url: &str) -> String {
    format!("{}/", url.trim_end_matches('/'))
}

/// The keys `waxseal.yaml` accepts, for hints.
pub const CONFIG_KEYS: &[&str] = &[
    "title",
    "description",
    "base_url",
    "theme",
    "size",
    "dpi",
    "raw_html",
    "lang",
    "sign_off",
    "qr",
    "qr_label",
    "logo",
    "signature",
    "signature_tint",
    "outputs",
    "optimize",
    "gallery",
    "print",
    "email",
    "smtp",
];

impl SiteConfig {
    /// Reads `root/waxseal.yaml`, or the defaults when there is none.
    pub fn load(root: &Path) -> Result<SiteConfig, Diagnostic> {
        let path = root.join(CONFIG_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(SiteConfig::default()),
            Err(e) => return Err(Diagnostic::error(CONFIG_FILE, 0, 0, format!("cannot read: {e}"))),
        };
        let mut config = Self::parse(&text).map_err(|d| Diagnostic { path: CONFIG_FILE.into(), ..d })?;
        config.base_url = normalize_base_url(&config.base_url);
        config.site_base_url = config.base_url.clone();
        check_qr(&config, &text)?;
        config.places = ["logo", "signature"].iter().filter_map(|key| top_level_place(&text, key)).collect();
        if let Some(lang) = config.lang.as_deref().filter(|l| !valid_lang(l)) {
            return Err(Diagnostic::error(CONFIG_FILE, 0, 0, format!("`{lang}` is not a language tag"))
                .with_hint("use a code such as `en`, `de` or `pt-BR`"));
        }
        for (key, value) in [("from", &config.email.from), ("reply_to", &config.email.reply_to)] {
            if let Some(Err(e)) = value.as_deref().map(Mailbox::parse) {
                let (line, col) = email_value_place(&text, key);
                return Err(Diagnostic::error(CONFIG_FILE, line, col, format!("email.{key}: {e}"))
                    .with_hint("write an address, or a name and an address: \"Beverly's Shop <hello@shop.example>\""));
            }
        }
        if !crate::input::is_theme_name(&config.theme) {
            // Joined onto themes/, a path would lead out of it.
            let line = text.lines().position(|l| l.starts_with("theme:")).map_or(0, |i| i + 1);
            let col = text
                .lines()
                .nth(line.saturating_sub(1))
                .and_then(|l| l.find(config.theme.as_str()))
                .map_or(0, |c| c + 1);
            return Err(Diagnostic::error(CONFIG_FILE, line, col, format!("`{}` is not a theme name", config.theme))
                .with_hint("a theme is a name: a built-in theme or a folder in themes/, without `/`, `\\` or `..`"));
        }
        if !(72..=1200).contains(&config.dpi) {
            return Err(Diagnostic::error(CONFIG_FILE, 0, 0, format!("dpi {} is out of range", config.dpi))
                .with_hint("use a value from 72 to 1200; print shops ask for 300"));
        }
        Ok(config)
    }

    /// Parses the text of a settings file; the diagnostic's path is left empty.
    pub fn parse(text: &str) -> Result<SiteConfig, Diagnostic> {
        if text.trim().is_empty() {
            return Ok(SiteConfig::default());
        }
        serde_yaml::from_str(text).map_err(|e| {
            let d = yaml_diagnostic("", &e, 0, CONFIG_KEYS);
            match d.message.find(PASSWORD_REFUSED) {
                // serde_yaml places it at the start of `smtp:`: shown at the password itself.
                Some(at) => {
                    let (line, col) = password_place(text).unwrap_or((d.line, d.col));
                    Diagnostic { line, col, message: format!("smtp.password: {}", &d.message[at..]), ..d }
                }
                None => match d.message.strip_prefix("unknown output `").and_then(|m| m.split_once('`')) {
                    // serde_yaml places it at the start of the file: shown at the name itself.
                    Some((name, _)) => {
                        let (line, col) = list_item_place(text, "outputs", name).unwrap_or((d.line, d.col));
                        Diagnostic { line, col, ..d }
                    }
                    None => {
                        let (line, col) = crate::signoff::lang_key_place(text, d.line, d.col, &d.message);
                        Diagnostic { line, col, ..d }
                    }
                },
            }
        })
    }
}

/// Turns a serde_yaml error into a diagnostic, shifting its line by
/// `line_offset` (the lines of the file before the YAML text) and adding a
/// "did you mean" hint for an unknown key.
pub fn yaml_diagnostic(path: &str, e: &serde_yaml::Error, line_offset: usize, keys: &[&str]) -> Diagnostic {
    let (mut line, mut col) = e.location().map_or((0, 0), |l| (l.line() + line_offset, l.column()));
    let text = e.to_string();
    // serde_yaml appends " at line L column C" to its message; we print the location ourselves.
    let mut message = match text.find(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text.clone(),
    };
    // A quote left open runs to the end of the block: the place to show is
    // where it opened ("..., while scanning a quoted scalar at line L column C").
    if message == "found unexpected end of stream" {
        if let Some(opened) = text.split(", while scanning a quoted scalar at line ").nth(1) {
            let mut numbers = opened.split(" column ").map(|n| n.trim().parse::<usize>());
            if let (Some(Ok(l)), Some(Ok(c))) = (numbers.next(), numbers.next()) {
                (line, col) = (l + line_offset, c);
                message = "this quote is not closed".to_string();
            }
        }
    }
    // The keys of the section the field is in, when serde names them (a
    // nested section's), else those given.
    // ("..., expected one of `a`, `b`, `c`", "..., expected `a` or `b`").
    let expected: Vec<&str> = message
        .split_once(", expected ")
        .map(|(_, list)| list.split('`').skip(1).step_by(2).collect::<Vec<_>>())
        .filter(|named| !named.is_empty())
        .unwrap_or_else(|| keys.to_vec());
    let hint = unknown_field(&message).map(|field| match did_you_mean(field, expected.iter().copied()) {
        Some(best) => format!("did you mean `{best}`?"),
        None => format!("known keys: {}", expected.join(", ")),
    });
    let message = match message.find(", expected ") {
        Some(i) if hint.is_some() => message[..i].to_string(),
        _ => message,
    };
    let hint = hint.or_else(|| {
        if message == "this quote is not closed" {
            Some("end the text with the quote mark it starts with".to_string())
        } else if message.ends_with("is not a language tag") {
            Some(crate::signoff::LANG_HINT.to_string())
        } else if message.contains(crate::signoff::EXPECTED) {
            Some(crate::signoff::HINT.to_string())
        } else if message.contains("invalid type") && message.ends_with("expected a sequence") {
            Some("write a list: `[one, two]`, or one item a line below the key, each after `- `".to_string())
        } else {
            None
        }
    });
    Diagnostic::error(path, line, col, message).with_hint_opt(hint)
}

/// The field named by serde's "unknown field `x`" message.
fn unknown_field(message: &str) -> Option<&str> {
    let rest = message.split("unknown field `").nth(1)?;
    rest.split('`').next()
}

pub use crate::signoff::valid_lang;

/// An email address, with the name shown beside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mailbox {
    /// `Beverly's Shop`, or none.
    pub name: Option<String>,
    /// `hello@shop.example`.
    pub address: String,
}

impl Mailbox {
    /// Reads `hello@shop.example` or `Beverly's Shop <hello@shop.example>`
    /// (the name may be in double quotes).
    pub fn parse(text: &str) -> Result<Mailbox, String> {
        let text = text.trim();
        let (name, address) = match text.strip_suffix('>').and_then(|t| t.rsplit_once('<')) {
            Some((name, address)) => {
                let name = name.trim();
                let name = name.strip_prefix('"').and_then(|n| n.strip_suffix('"')).unwrap_or(name).trim();
                ((!name.is_empty()).then(|| name.to_string()), address.trim())
            }
            None => (None, text),
        };
        if !valid_address(address) {
            return Err(format!("`{text}` is not an email address"));
        }
        Ok(Mailbox { name: name.as_deref().and_then(one_line), address: address.to_string() })
    }

    /// The mailbox of `address` with the name `name` instead of the one it
    /// gives (when there is one).
    pub fn named(address: &str, name: Option<&str>) -> Result<Mailbox, String> {
        let mut mailbox = Mailbox::parse(address)?;
        if let Some(name) = name.and_then(one_line) {
            mailbox.name = Some(name);
        }
        Ok(mailbox)
    }

    /// The part of the address after `@`.
    pub fn domain(&self) -> &str {
        self.address.rsplit_once('@').map_or("", |(_, domain)| domain)
    }
}

impl std::fmt::Display for Mailbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.name {
            Some(name) => write!(f, "{name} <{}>", self.address),
            None => f.write_str(&self.address),
        }
    }
}

/// `text` on one line, its white space (line breaks too) collapsed to
/// single spaces; `None` when nothing is left. A header value is one line.
pub fn one_line(text: &str) -> Option<String> {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!line.is_empty()).then_some(line)
}

/// Whether `address` is a plain `local@domain` address: a local part of
/// the characters RFC 5322 allows unquoted, a domain of letters, digits and
/// `-` between dots. Quoted local parts and IP-literal domains are refused:
/// a shop's customer does not have one, and a typo is far more likely.
fn valid_address(address: &str) -> bool {
    let Some((local, domain)) = address.rsplit_once('@') else {
        return false;
    };
    let atom = |part: &str, extra: &str| {
        !part.is_empty()
            && part.split('.').all(|piece| {
                !piece.is_empty() && piece.chars().all(|c| c.is_alphanumeric() || extra.contains(c) || !c.is_ascii())
            })
    };
    atom(local, "!#$%&'*+-/=?^_`{|}~")
        && atom(domain, "-")
        && domain.split('.').all(|label| !label.starts_with('-') && !label.ends_with('-') && label.len() <= 63)
        && address.len() <= 254
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_settings_are_read_and_a_password_is_refused_where_it_stands() {
        let config = SiteConfig::parse("smtp:\n  host: mail.example.org\n  user: shop\n").unwrap();
        let smtp = config.smtp.unwrap();
        assert_eq!((smtp.host.as_str(), smtp.security, smtp.port), ("mail.example.org", SmtpSecurity::Starttls, None));
        assert_eq!((smtp.password_env.as_str(), smtp.per_minute), ("WAXSEAL_SMTP_PASSWORD", 60));
        assert_eq!((smtp.timeout, smtp.message_timeout), (30, 120));
        let e = SiteConfig::parse("title: Shop\nsmtp:\n  host: h\n  password: hunter2\n").unwrap_err();
        assert_eq!((e.line, e.col), (4, 13), "{e:?}");
        assert!(e.message.starts_with("smtp.password: waxseal never reads a password"), "{e:?}");
        // A misspelt key of a section is matched against that section's keys.
        let e = SiteConfig::parse("smtp:\n  hots: h\n").unwrap_err();
        assert_eq!(
            (e.message.as_str(), e.hint.as_deref()),
            ("smtp: unknown field `hots`", Some("did you mean `host`?"))
        );
        // The settings a card is made from do not include the mail server's.
        let json = serde_json::to_string(&SiteConfig::parse("smtp:\n  host: h\n").unwrap()).unwrap();
        assert!(!json.contains("smtp"), "{json}");
    }

    #[test]
    fn addresses_are_read_with_or_without_a_name() {
        let m = Mailbox::parse("Beverly's Shop <hello@shop.example>").unwrap();
        assert_eq!((m.name.as_deref(), m.address.as_str()), (Some("Beverly's Shop"), "hello@shop.example"));
        assert_eq!(m.to_string(), "Beverly's Shop <hello@shop.example>");
        assert_eq!(Mailbox::parse("\"Deb\" <deb@example.org>").unwrap().name.as_deref(), Some("Deb"));
        assert_eq!(Mailbox::parse(" deb@example.org ").unwrap().name, None);
        assert_eq!(Mailbox::parse("deb@example.org").unwrap().domain(), "example.org");
        for bad in [
            "not-an-address",
            "@example.org",
            "deb@",
            "deb@@example.org",
            "de b@example.org",
            "deb@ex..org",
            "deb@-x.org",
            "Deb <deb>",
            "a@b@c",
        ] {
            assert!(Mailbox::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Mailbox::parse("not-an-address").unwrap_err(), "`not-an-address` is not an email address");
        // A header is one line: a name's line breaks become spaces.
        let named = Mailbox::named("deb@example.org", Some("Deb\r\nBcc: eve@example.org")).unwrap();
        assert_eq!(named.name.as_deref(), Some("Deb Bcc: eve@example.org"));
    }

    #[test]
    fn outputs_are_read_as_flags_and_a_wrong_one_is_shown_where_it_stands() {
        let config = SiteConfig::parse("outputs: [png, email]\n").unwrap();
        assert_eq!(config.outputs, Outputs { png: true, email: true, ..Outputs::parse([]).unwrap() });
        assert_eq!(SiteConfig::parse("title: x\n").unwrap().outputs, Outputs::DEFAULT);
        let d = SiteConfig::parse("title: x\noutputs: [html, jepg]\n").unwrap_err();
        assert_eq!((d.line, d.col), (2, 17), "{}", d.message);
        assert!(d.message.starts_with("unknown output `jepg`"), "{}", d.message);
        let d = SiteConfig::parse("outputs:\n  - 'pdf'\n  - jpg\n").unwrap_err();
        assert_eq!((d.line, d.col), (3, 5));
    }

    #[test]
    fn empty_file_gives_defaults() {
        assert_eq!(SiteConfig::parse("").unwrap(), SiteConfig::default());
    }

    #[test]
    fn a_bleed_is_read_in_millimetres_inches_or_points() {
        let bleed = |yaml: &str| SiteConfig::parse(yaml).map(|c| c.print.bleed.points());
        let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
        assert!(close(SiteConfig::default().print.bleed.points(), 3.0 / 25.4 * 72.0));
        assert!(close(bleed("print:\n  bleed: 0.125in\n").unwrap(), 9.0));
        assert!(close(bleed("print:\n  bleed: 9pt\n").unwrap(), 9.0));
        assert!(close(bleed("print: { bleed: 5 mm }\n").unwrap(), 5.0 / 25.4 * 72.0));
        assert!(close(bleed("print: { bleed: 0 }\n").unwrap(), 0.0));
        let d = SiteConfig::parse("title: Shop\nprint:\n  bleed: 3cm\n").unwrap_err();
        assert_eq!((d.line, d.col), (3, 10), "{d:?}");
        assert!(d.message.starts_with("print.bleed: unknown unit `cm` in `3cm`: use mm, in or pt"), "{}", d.message);
        for bad in ["print: { bleed: 3 }", "print: { bleed: -1mm }", "print: { bleed: 2in }", "print: { bleed: wide }"]
        {
            assert!(bleed(bad).is_err(), "{bad}");
        }
        let d = SiteConfig::parse("print:\n  marks: yes please\n").unwrap_err();
        assert_eq!(d.line, 2, "{d:?}");
    }

    #[test]
    fn unknown_key_is_an_error_with_a_hint() {
        let d = SiteConfig::parse("title: Shop\nbase_ulr: /x/\n").unwrap_err();
        assert_eq!(d.line, 2);
        assert_eq!(d.message, "unknown field `base_ulr`");
        assert_eq!(d.hint.as_deref(), Some("did you mean `base_url`?"));
    }
}
