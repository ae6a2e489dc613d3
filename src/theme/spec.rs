//! `theme.yaml` as serde reads it: palette, fonts by role, text settings,
//! geometry, styles and the seal, and the names of faces. Plain data: no
//! files are read here.

use std::collections::BTreeMap;

use serde::Deserialize;

/// Colours, as CSS hex strings.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Palette {
    /// The card's paper.
    pub paper: String,
    /// A second paper tone for the edges (gradients).
    pub paper_edge: String,
    /// The text.
    pub ink: String,
    /// Emphasised words, links, the title.
    pub accent: String,
    /// Border art.
    pub border: String,
    /// The default wax colour.
    pub seal: String,
}

/// Font files by role, relative to the theme folder.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FontFiles {
    /// Body text.
    pub body: String,
    /// `*em*`.
    pub italic: String,
    /// `**strong**`.
    pub bold: String,
    /// `***both***`.
    pub bold_italic: String,
    /// Title and signature.
    pub script: String,
    /// Headings inside the message; the script font when not given.
    #[serde(default)]
    pub display: Option<String>,
    /// Fonts tried in order, per character, for what the others lack
    /// (other scripts, emoji).
    #[serde(default)]
    pub fallbacks: Vec<String>,
    /// The digits the faces draw: `lining` (the default), `oldstyle`, or
    /// `font` (each font's own).
    #[serde(default)]
    pub figures: Figures,
}

/// Which digits a theme's faces draw, where a face has both kinds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Figures {
    /// Digits of capital height: a quantity's "1" never reads as an "I".
    #[default]
    Lining,
    /// Digits with ascenders and descenders, that sit in running text like
    /// lowercase letters.
    Oldstyle,
    /// Each font's own default.
    Font,
}

/// How the message text is set.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct TextSettings {
    /// Preferred body size, in points.
    pub size: f32,
    /// The smallest body size the text may shrink to, in points.
    pub min_size: f32,
    /// Line height as a multiple of the size.
    pub line_height: f32,
    /// Space between paragraphs, as a multiple of the line height.
    pub paragraph_gap: f32,
    /// `left` or `center`.
    pub align: Align,
    /// Where a text shorter than its box sits: `center` (a little above the
    /// middle) or `top`.
    #[serde(default)]
    pub valign: VAlign,
    /// The title's size as a multiple of the body size.
    pub title_scale: f32,
    /// The largest a short note's body grows to, in points on an A6 card
    /// (larger cards scale it up); 1.6 times `size` when not given.
    #[serde(default)]
    pub max_size: Option<f32>,
    /// The largest the title grows to over a short note, and the size of a
    /// note of a few words without a title (set as one), in points on an A6
    /// card; 1.25 times the title's size when not given.
    #[serde(default)]
    pub title_max_size: Option<f32>,
    /// The signature's size as a multiple of the body size.
    pub signature_scale: f32,
    /// Words before the sender's name in the signature line, the same in
    /// every language or per language; a language not given gets waxseal's
    /// own words for it (see [`crate::signoff`]).
    #[serde(default, deserialize_with = "crate::signoff::written")]
    pub sign_off: Option<crate::signoff::SignOff>,
    /// How the signature is set: `right` (the default), `center` or `left`.
    #[serde(default = "signature_align")]
    pub signature_align: Align,
}

fn signature_align() -> Align {
    Align::Right
}

/// Horizontal alignment of text lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Align {
    /// Ragged right.
    Left,
    /// Centred lines.
    Center,
    /// Ragged left (signatures).
    Right,
}

/// Vertical placement of a text shorter than its box.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum VAlign {
    /// A little above the middle.
    #[default]
    Center,
    /// At the top of the box.
    Top,
}

/// A rectangle as fractions of the card's width and height.
#[derive(Debug, Clone, Copy, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Frac {
    /// Left edge.
    pub x: f32,
    /// Top edge.
    pub y: f32,
    /// Width (0 for a point).
    #[serde(default)]
    pub width: f32,
    /// Height (0 for a point).
    #[serde(default)]
    pub height: f32,
}

/// Where things go on the card, as fractions of its size.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Geometry {
    /// The box the title, message and signature must fit in.
    pub text_box: Frac,
    /// The seal's centre.
    pub seal: Frac,
    /// The seal's radius as a fraction of the card's shorter side, for a
    /// theme that gives no `seal.diameter` (0.1 when neither is given).
    #[serde(default)]
    pub seal_radius: Option<f32>,
    /// The least distance from the cut to the text box (`12mm`): border art
    /// kept a physical distance inside the cut comes nearer a small card's
    /// text box, which this keeps clear of it. A size's geometry without
    /// one takes the theme's.
    #[serde(default)]
    pub margin: Option<crate::config::Length>,
    /// The QR code's centre (a card's `qr:`); a size's geometry without
    /// one takes the theme's, and a theme without one puts it bottom left.
    #[serde(default)]
    pub qr: Option<Frac>,
    /// Where the QR code's label goes on this size; `qr.label` when not given.
    #[serde(default)]
    pub qr_label: Option<LabelSide>,
    /// The QR code's centre on a card that shows a logo too, where the two
    /// would crowd one place; `qr` when not given (a size's geometry with
    /// its own `qr` and none of this keeps its `qr`).
    #[serde(default)]
    pub qr_with_logo: Option<Frac>,
    /// The box the shop's logo is fitted into (a card's `logo:`); a size's
    /// geometry without one takes the theme's, and a theme without one
    /// centres it at the top.
    #[serde(default)]
    pub logo: Option<Frac>,
}

/// `logo:` in theme.yaml: how large the theme draws a card's logo.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogoSettings {
    /// Its largest width in millimetres on a card whose shorter side is
    /// 105 mm (A6) or more; smaller cards a little less.
    pub width_mm: f32,
    /// Its largest height in millimetres, likewise.
    pub height_mm: f32,
    /// Where it sits in its box: `left`, `center` or `right`.
    pub align: Align,
}

impl Default for LogoSettings {
    fn default() -> Self {
        LogoSettings { width_mm: 40.0, height_mm: 14.0, align: Align::Center }
    }
}

/// `qr:` in theme.yaml: how the theme draws a card's QR code.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct QrSettings {
    /// The code's side, its quiet zone included, on a card whose shorter
    /// side is 105 mm (A6) or more; smaller cards a little smaller, never
    /// under 12 mm, and larger where a long link needs finer modules.
    pub size: crate::config::Length,
    /// Where the label is set: `below`, `above`, `left` or `right` of the code.
    pub label: LabelSide,
    /// The label's size, in points (on an A6 card).
    pub label_size: f32,
}

impl Default for QrSettings {
    fn default() -> Self {
        QrSettings {
            size: crate::config::Length::parse("18mm").expect("a length"),
            label: LabelSide::Below,
            label_size: 7.0,
        }
    }
}

/// Where a QR code's label is set, from the code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LabelSide {
    /// Under it, centred.
    Below,
    /// Over it, centred.
    Above,
    /// To its left, set right.
    Left,
    /// To its right, set left.
    Right,
}

/// The default seal of the theme's cards.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct SealDefaults {
    /// Emblem pressed into the wax: a built-in one or `emblems/NAME.svg` of the theme.
    pub emblem: String,
    /// Wax colour (a name or hex); the palette's `seal` when not given.
    #[serde(default)]
    pub color: Option<String>,
    /// The seal's diameter on the card (`24mm`), the same stamp on every
    /// card size (a little smaller on the smallest); the geometry's
    /// `seal_radius` when not given.
    #[serde(default)]
    pub diameter: Option<crate::config::Length>,
    /// Where the border art ends, from the card's edge, as a fraction of its
    /// shorter side: the seal keeps its clear space inside it (0: the edge).
    #[serde(default)]
    pub frame: Option<f32>,
    /// For border art kept a physical distance inside the cut (so on small
    /// cards further in than `frame`): that distance, and how much further
    /// in (of the shorter side) the art ends.
    #[serde(default)]
    pub frame_min: Option<FrameMin>,
}

/// Border art kept `cut` inside the cut that ends `plus` (a fraction of the
/// card's shorter side) further in: `{ cut: 6.4mm, plus: 0.027 }`.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct FrameMin {
    /// How far inside the cut the art starts, at the least.
    pub cut: crate::config::Length,
    /// How far further in it ends, as a fraction of the shorter side.
    pub plus: f32,
}

/// How one kind of text looks. Unset fields keep the text's own look.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Style {
    /// Set in an italic face.
    pub italic: Option<bool>,
    /// Set in a bold face.
    pub bold: Option<bool>,
    /// `ink`, `accent`, `border`, `seal` (palette entries) or a hex colour.
    pub color: Option<String>,
    /// Underlined.
    pub underline: Option<bool>,
    /// For headings, the title and the signature: `body`, `italic`, `bold`,
    /// `bold_italic`, `script` or `display`.
    pub face: Option<FontRole>,
}

impl Style {
    fn of(face: Option<FontRole>, italic: Option<bool>, bold: Option<bool>, color: &str, underline: bool) -> Style {
        Style { italic, bold, color: Some(color.into()), underline: Some(underline), face }
    }
}

/// How each kind of text looks (`styles:` in theme.yaml); every entry is optional.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Styles {
    /// `*em*`.
    pub em: Style,
    /// `**strong**`.
    pub strong: Style,
    /// Links.
    pub link: Style,
    /// Block quotes.
    pub quote: Style,
    /// `#` headings.
    pub heading: Style,
    /// The card's title.
    pub title: Style,
    /// The sender's name in the signature.
    pub signature: Style,
    /// The sign-off words above the name ("with love,").
    pub sign_off: Style,
    /// List bullets and numbers.
    pub marker: Style,
}

impl Default for Styles {
    fn default() -> Self {
        Styles {
            em: Style::of(None, Some(true), None, "accent", false),
            strong: Style::of(None, None, Some(true), "ink", false),
            link: Style::of(None, None, None, "accent", true),
            quote: Style::of(None, Some(true), None, "ink", false),
            heading: Style::of(Some(FontRole::Display), None, None, "ink", false),
            title: Style::of(Some(FontRole::Script), None, None, "accent", false),
            signature: Style::of(Some(FontRole::Script), None, None, "ink", false),
            sign_off: Style::of(Some(FontRole::Italic), None, None, "ink", false),
            marker: Style::of(Some(FontRole::Body), None, None, "accent", false),
        }
    }
}

/// `theme.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThemeFile {
    /// The theme's name.
    pub name: String,
    /// One line about its look.
    pub description: String,
    /// Colours.
    pub palette: Palette,
    /// Font files by role.
    pub fonts: FontFiles,
    /// Text settings.
    pub text: TextSettings,
    /// Placement on a portrait card.
    pub geometry: Geometry,
    /// Placement on particular sizes, by size name (`a7`, `square`,
    /// `a6-landscape`) or `landscape` for every landscape card.
    #[serde(default)]
    pub sizes: BTreeMap<String, Geometry>,
    /// How emphasis, links, headings, the title and the signature look.
    #[serde(default)]
    pub styles: Styles,
    /// The seal.
    pub seal: SealDefaults,
    /// The QR code.
    #[serde(default)]
    pub qr: QrSettings,
    /// The shop's logo.
    #[serde(default)]
    pub logo: LogoSettings,
    /// The theme this one is made from: its files and settings are used for
    /// whatever this one does not give.
    #[serde(default)]
    pub extends: Option<String>,
}

/// The keys of `theme.yaml`, for hints.
pub(super) const THEME_KEYS: &[&str] = &[
    "name",
    "description",
    "extends",
    "palette",
    "fonts",
    "text",
    "geometry",
    "sizes",
    "styles",
    "seal",
    "qr",
    "logo",
];

/// The faces a card is set in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FontRole {
    /// Body text.
    #[default]
    Body,
    /// Italic.
    Italic,
    /// Bold.
    Bold,
    /// Bold italic.
    BoldItalic,
    /// Title and signature.
    Script,
    /// Headings.
    Display,
}

/// Names a face of a theme: one of its roles, or its n-th fallback font.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FaceKey {
    /// The face of a role.
    Role(FontRole),
    /// A fallback font, tried in order for characters the role's face lacks.
    Fallback(usize),
}
