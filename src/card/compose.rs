//! A message laid out on its card in its theme: the body template run, the
//! Markdown read, its pictures read, the text fitted, the seal chosen;
//! everything a card is made of but the drawing. It reads no file but the
//! pictures (through [`Figures`]) and writes none.

use sha2::{Digest, Sha256};

use crate::config::SiteConfig;
use crate::content::{self, Message, SealField};
use crate::diagnostics::{did_you_mean, Diagnostic};
use crate::layout::{self, LayoutError};
use crate::markup;
use crate::render::qr::Qr;
use crate::render::{self, CardContent};
use crate::seal::{SealSpec, EMBLEMS};
use crate::signoff;
use crate::size::{self, CardSize};
use crate::theme::Theme;

use super::figures::{Figures, Named};

/// A message laid out on its card: everything a card is made of but the drawing.
pub struct LaidCard {
    /// Its size.
    pub size: CardSize,
    /// Its seal.
    pub seal: SealSpec,
    /// Its variant of the seal and artwork.
    pub seed: u64,
    /// The message as rich text and HTML.
    pub markup: markup::Markup,
    /// The message as plain text.
    pub alt: String,
    /// The title, with smart punctuation.
    pub title: Option<String>,
    /// The signature line.
    pub signature: Option<String>,
    /// The signature as the card sets it: the sign-off words, a line
    /// break, the name (see `signoff::signature_lines`).
    pub signed: Option<String>,
    /// Where things go on the card.
    pub boxes: render::Boxes,
    /// The part of their size its logo and QR code are drawn at.
    pub room: f32,
    /// The text, set.
    pub laid: layout::Layout,
    /// The message's pictures, in reading order.
    pub pictures: Vec<render::CardPicture>,
    /// Its QR code, if it has one.
    pub qr: Option<Qr>,
    /// The shop's logo, if it shows one.
    pub logo: Option<render::CardPicture>,
    /// The pictures it draws in its text: the message's, then a scanned
    /// signature in place of the sender's name, if it is signed with one.
    pub drawn: Vec<render::CardPicture>,
}

/// Lays message `m` out on its card in `theme` (its body template run, its
/// Markdown read, its text fitted), as every build does.
pub fn lay_out(
    theme: &Theme,
    config: &SiteConfig,
    body_tera: &tera::Tera,
    m: &Message,
    figures: &Figures,
) -> Result<LaidCard, Diagnostic> {
    let front = &m.front;
    let size = card_size(config, m)?;
    let seal = seal_spec(theme, m)?;
    let markup = markup_of(body_tera, config, m)?;
    let pictures = figures.of(m, &markup.rich)?;
    let alt = markup.rich.plain_text();
    let qr = qr_of(config, m)?;
    let logo = figures.named(config, m, Named::Logo, format!("the logo of {}", config.title.trim()))?;
    let from = front.from.as_deref().map(str::trim).unwrap_or_default();
    let scanned = figures.named(config, m, Named::Signature, format!("signature of {from}"))?;
    let scanned = scanned.map(|p| figures.signature(p, tint_of(theme, config, m)));
    let tag = front.lang.as_deref().or(config.lang.as_deref());
    let (signature, signed) = signatures(theme, config, m, tag);
    let title = front.title.as_deref().map(markup::smarten);
    let lang = tag.and_then(content::hyphenation_lang);
    let sizes: Vec<(u32, u32)> = pictures.iter().map(|p| layout_size(&p.picture)).collect();
    // A card without a sender has no name for a signature to stand for.
    let scanned = scanned.filter(|_| signed.is_some());
    let text = layout::Content {
        title: title.as_deref(),
        text: &markup.rich,
        signature: signed.as_deref(),
        lang,
        pictures: &sizes,
        signed: scanned.as_ref().map(|p| layout_size(&p.picture)),
    };
    let placed = (qr.as_ref(), logo.as_ref().map(render::ratio));
    let (boxes, laid, room) =
        super::balance::lay_out(theme, size, placed, text).map_err(|e| layout_diagnostic(m, &markup.rich, &e))?;
    let drawn = pictures.iter().cloned().chain(scanned).collect();
    let seed = seed_of(&m.slug);
    Ok(LaidCard {
        size,
        seal,
        seed,
        markup,
        alt,
        title,
        signature,
        signed,
        boxes,
        laid,
        qr,
        pictures,
        logo,
        drawn,
        room,
    })
}

/// The size of `m`'s card: its own `size:`, else the site's.
fn card_size(config: &SiteConfig, m: &Message) -> Result<CardSize, Diagnostic> {
    let front = &m.front;
    let size_name = front.size.as_deref().unwrap_or(&config.size);
    CardSize::named(size_name, config.dpi).ok_or_else(|| {
        let names = size::size_names();
        let hint = match did_you_mean(size_name, names.iter().copied()) {
            Some(best) => format!("did you mean `{best}`?"),
            None => format!("sizes: {} (add -landscape to turn one)", names.join(", ")),
        };
        let (line, col) = if front.size.is_some() { m.value_place("size") } else { (m.body_line, 1) };
        Diagnostic::error(&m.source, line, col, format!("unknown card size `{size_name}`")).with_hint(hint)
    })
}

/// `m`'s body, its template run, read as Markdown.
fn markup_of(body_tera: &tera::Tera, config: &SiteConfig, m: &Message) -> Result<markup::Markup, Diagnostic> {
    let body = content::render_body(body_tera, m, config)?;
    markup::render(&body, config.raw_html).map_err(|e| {
        // The body's lines as the template made them: the same as the file's
        // but where a template tag spans or makes lines.
        Diagnostic::error(&m.source, m.body_line + e.line - 1, e.col, e.to_string())
            .with_hint("a card's text nests a few levels at most: take out some of the `>`, list markers or `*`")
    })
}

/// How `m` is signed, in the card's language `tag`: on one line ("with
/// love, Beverly", for the page and the email), and as the card sets it
/// (the sign-off words on a line of their own above the name). None
/// without a `from`.
fn signatures(theme: &Theme, config: &SiteConfig, m: &Message, tag: Option<&str>) -> (Option<String>, Option<String>) {
    let front = &m.front;
    // Signed in the card's language: with no `lang`, waxseal's default, English.
    let settings = [front.sign_off.as_ref(), config.sign_off.as_ref(), theme.spec.text.sign_off.as_ref()];
    let words = signoff::words_for(settings, tag.unwrap_or("en"));
    let Some(from) = front.from.as_deref().map(str::trim) else { return (None, None) };
    let one_line = markup::smarten(signoff::signature(words, from).trim());
    let lines = markup::smarten(signoff::signature_lines(words, from).trim());
    (Some(one_line), Some(lines))
}

impl LaidCard {
    /// What its link preview shows of it: its body text's size, its text
    /// column and where its text starts, in its pixels.
    pub fn share_view(&self) -> render::ShareView {
        let column = &self.boxes.text_box;
        let first = self.laid.lines.first().map_or(0.0, |line| line.baseline - line.size);
        render::ShareView {
            body: self.laid.size_pt * self.size.px_per_pt(),
            column: (column.x, column.x + column.width),
            top: column.y + first.max(0.0),
        }
    }

    /// The scanned signature drawn in place of the sender's name, if any.
    pub fn scanned(&self) -> Option<&render::CardPicture> {
        self.drawn.get(self.pictures.len())
    }

    /// The card's SVG from the theme's template, and its tree, ready to
    /// draw: what is drawn over its base, its texts set as glyph runs where
    /// they can be (see [`render::parse_card`]), or the whole card.
    pub fn draw(&self, theme: &Theme, m: &Message) -> Result<(render::CardSvg, resvg::usvg::Tree), Diagnostic> {
        let mut svg =
            render::card_svg_lettered(theme, self.size, &self.content()).map_err(|e| svg_diagnostic(theme, m, e))?;
        let tree = render::parse_card(theme, &mut svg, false).map_err(|e| svg_diagnostic(theme, m, e))?;
        Ok((svg, tree))
    }

    /// The card's SVG from the theme's template and its whole tree, texts
    /// and artwork and all (what `bench/floor` draws whole).
    pub fn draw_whole(&self, theme: &Theme, m: &Message) -> Result<(render::CardSvg, resvg::usvg::Tree), Diagnostic> {
        let mut svg = render::card_svg(theme, self.size, &self.content()).map_err(|e| svg_diagnostic(theme, m, e))?;
        let tree = render::parse_card(theme, &mut svg, true).map_err(|e| svg_diagnostic(theme, m, e))?;
        Ok((svg, tree))
    }

    /// The card's SVG for print, its artwork run on `bleed` points past each
    /// edge (what the PDF is made from; [`LaidCard::draw`] checks the rest).
    pub fn print_svg(&self, theme: &Theme, m: &Message, bleed: f32) -> Result<render::PrintSvg, Diagnostic> {
        let bleed_px = bleed / 72.0 * self.size.ppi;
        render::print_svg(theme, self.size, &self.content(), bleed_px).map_err(|e| svg_diagnostic(theme, m, e))
    }

    /// [`LaidCard::print_svg`], its artwork costed as a build costs the
    /// card's (`waxseal print` draws nothing else of the card first).
    pub fn checked_print_svg(&self, theme: &Theme, m: &Message, bleed: f32) -> Result<render::PrintSvg, Diagnostic> {
        let svg = self.print_svg(theme, m, bleed)?;
        render::parse(theme, &svg.svg).map_err(|e| svg_diagnostic(theme, m, e))?;
        Ok(svg)
    }

    /// What the theme's card template is given.
    fn content(&self) -> CardContent<'_> {
        CardContent {
            title: self.title.as_deref(),
            layout: &self.laid,
            seal: &self.seal,
            seed: self.seed,
            alt: &self.alt,
            qr: self.qr.as_ref(),
            pictures: &self.drawn,
            logo: self.logo.as_ref(),
            room: self.room,
        }
    }
}

/// The QR code of card `m`: its front matter's `qr:` (and `qr_label:`),
/// else the site's; `card` is the card's page under `base_url`, or under
/// waxseal.yaml's when the build's is not absolute (`serve`'s `/`).
fn qr_of(config: &SiteConfig, m: &Message) -> Result<Option<Qr>, Diagnostic> {
    let (link, own) = match (m.front.qr.as_deref(), config.qr.as_deref()) {
        (Some(link), _) => (link.trim(), true),
        (None, Some(link)) => (link.trim(), false),
        (None, None) => return Ok(None),
    };
    if link.is_empty() {
        return Ok(None);
    }
    let error = |message: String| {
        let (line, col) = if own { m.value_place("qr") } else { (m.line_of("slug"), 1) };
        Diagnostic::error(&m.source, line, col, message)
    };
    let link = if link == crate::qr::CARD {
        let base = [&config.base_url, &config.site_base_url].into_iter().find(|b| b.contains("://"));
        let Some(base) = base else {
            return Err(error(format!("`qr: card` needs an absolute base_url, and base_url is `{}`", config.base_url))
                .with_hint(crate::qr::NEEDS_BASE_URL));
        };
        // The page's URL, as `site::card_url` makes it.
        format!("{base}cards/{}/", m.slug)
    } else {
        link.to_string()
    };
    if let Some((message, hint)) = crate::qr::problem(&link) {
        return Err(error(message).with_hint(hint));
    }
    let code = crate::qr::encode(&link).ok_or_else(|| error(format!("`{link}` does not fit a QR code")))?;
    let label = m.front.qr_label.clone().or_else(|| (!own).then(|| config.qr_label.clone()).flatten());
    Ok(Some(Qr { link, code, label }))
}

/// The colour a scanned signature is drawn in: the theme's signature
/// colour when `signature_tint:` (the message's, else the site's) asks for
/// it, else none (its own colours).
fn tint_of(theme: &Theme, config: &SiteConfig, m: &Message) -> Option<String> {
    let tint = m.front.signature_tint.unwrap_or(config.signature_tint);
    tint.then(|| theme.color(theme.spec.styles.signature.color.as_deref().unwrap_or("ink")))
}

/// A card SVG that could not be made: at the theme's card.svg (the
/// template's line, or the line that names what it may not use), or at the
/// message's seal (a seal it asks for that cannot be drawn).
fn svg_diagnostic(theme: &Theme, m: &Message, e: render::RenderError) -> Diagnostic {
    use render::RenderError;
    let template = || String::from_utf8_lossy(theme.files.get("card.svg").map_or(&[][..], |b| &b[..])).into_owned();
    let at = |needle: &str| {
        let (line, col) = locate(&template(), needle).unwrap_or((0, 0));
        Diagnostic::error(theme.origin("card.svg"), line, col, e.to_string())
    };
    match &e {
        RenderError::Template(line, col, message) => Diagnostic::error(theme.origin("card.svg"), *line, *col, message),
        RenderError::External(reference) => at(reference),
        RenderError::Svg(message) if message.contains("DTD") => at("<!DOCTYPE"),
        RenderError::Costly(_, needle) | RenderError::Active(_, needle) | RenderError::ImageTooLarge(_, _, needle) => {
            at(needle)
        }
        RenderError::Svg(_) => at(""),
        RenderError::Seal(_) => Diagnostic::error(&m.source, m.line_of("seal"), 1, e.to_string()),
    }
}

/// The size a picture is laid out by: its pixels; an SVG's own size made
/// many pixels (its shape kept), as it is sharp at any size.
fn layout_size(picture: &crate::picture::Picture) -> (u32, u32) {
    let (w, h) = (picture.width.max(1), picture.height.max(1));
    match picture.format {
        crate::picture::Format::Svg => {
            let k = 100_000.0 / w.max(h) as f64;
            (((w as f64 * k) as u32).max(1), ((h as f64 * k) as u32).max(1))
        }
        _ => (w, h),
    }
}

/// The 1-based line and column of the first `needle` in `text`.
fn locate(text: &str, needle: &str) -> Option<(usize, usize)> {
    if needle.is_empty() {
        return None;
    }
    text.lines().enumerate().find_map(|(i, line)| line.find(needle).map(|at| (i + 1, line[..at].chars().count() + 1)))
}

/// The theme's own seal: its default emblem and wax (an emblem of the
/// theme's own is looked up by [`seal_spec`]).
pub fn theme_seal(theme: &Theme) -> SealSpec {
    let defaults = &theme.spec.seal;
    SealSpec {
        emblem: defaults.emblem.clone(),
        color: defaults.color.clone().unwrap_or_else(|| theme.spec.palette.seal.clone()),
        initials: None,
        custom: theme.emblems.get(&defaults.emblem).cloned(),
    }
}

/// The seal of a message: the theme's defaults, overridden by `seal:`.
fn seal_spec(theme: &Theme, m: &Message) -> Result<SealSpec, Diagnostic> {
    let mut spec = SealSpec { custom: None, ..theme_seal(theme) };
    match &m.front.seal {
        Some(SealField::Emblem(name)) => spec.emblem = name.clone(),
        Some(SealField::Spec(s)) => {
            if let Some(e) = &s.emblem {
                spec.emblem = e.clone();
            }
            if let Some(c) = &s.color {
                spec.color = c.clone();
            }
            spec.initials = s.initials.clone();
        }
        None => {}
    }
    if let Some(shape) = theme.emblems.get(&spec.emblem) {
        spec.custom = Some(shape.clone());
    } else if !EMBLEMS.contains(&spec.emblem.as_str()) {
        let known: Vec<&str> = EMBLEMS.iter().copied().chain(theme.emblems.keys().map(String::as_str)).collect();
        let hint = match did_you_mean(&spec.emblem, known.iter().copied()) {
            Some(best) => format!("did you mean `{best}`?"),
            None => format!("emblems: {}", known.join(", ")),
        };
        return Err(Diagnostic::error(
            &m.source,
            m.line_of("seal"),
            1,
            format!("unknown seal emblem `{}`", spec.emblem),
        )
        .with_hint(hint));
    }
    if spec.emblem == "monogram" && spec.initials.is_none() {
        spec.initials = m.front.from.as_deref().and_then(crate::seal::initials_of);
    }
    Ok(spec)
}

/// A layout error, at the start of the message's body (or at the `![` of
/// a picture that does not fit).
fn layout_diagnostic(m: &Message, rich: &markup::RichText, e: &LayoutError) -> Diagnostic {
    match e {
        LayoutError::PictureDoesNotFit { index, .. } => {
            let picture = rich.blocks.iter().filter_map(|b| match &b.kind {
                markup::BlockKind::Picture(p) => Some(p),
                _ => None,
            });
            let (line, col) =
                picture.clone().nth(*index).map_or((m.body_line, 1), |p| (m.body_line + p.line - 1, p.col));
            Diagnostic::error(&m.source, line, col, e.to_string()).with_hint(
                "shorten the message, make the picture smaller (`![alt](file \"=50%\")`), or choose a larger `size:`",
            )
        }
        LayoutError::DoesNotFit { .. } => Diagnostic::error(&m.source, m.body_line, 1, e.to_string())
            .with_hint("shorten the message, or choose a larger `size:`"),
        LayoutError::TooLong(_) => Diagnostic::error(&m.source, m.body_line, 1, e.to_string())
            .with_hint("a card holds a few hundred words: does a template repeat text?"),
        LayoutError::BadFont(_) => Diagnostic::error(&m.source, 0, 0, e.to_string()),
    }
}

/// A warning for a character no font of the theme has, where it stands in the file.
pub fn missing_glyph_warning(m: &Message, theme: &Theme, ch: char) -> Diagnostic {
    let (line, col) = match m.body.find(ch) {
        Some(offset) => {
            let (l, c) = crate::diagnostics::line_col(&m.body, offset);
            (m.body_line + l - 1, c)
        }
        None => (m.body_line, 1),
    };
    Diagnostic::warning(
        &m.source,
        line,
        col,
        format!(
            "no font of the theme `{}` has the character `{ch}` (U+{:04X}); it is drawn as an empty box",
            theme.name, ch as u32
        ),
    )
    .with_hint("use another character, or add a font that has it to the theme's `fonts.fallbacks`")
}

/// A stable per-card seed from its slug.
///
/// There are `SEED_VARIANTS` seeds: two cards almost always get different
/// seals and paper, and a big build draws each variant once and reuses it.
fn seed_of(slug: &str) -> u64 {
    // Spread the variants over the range the seal's random numbers use.
    variant_of(slug).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// Which of the `SEED_VARIANTS` seeds the card of `slug` has: the cards of
/// one variant (and theme and size) share their seal's wax and shadows,
/// whatever their emblem, so a build draws them one after another.
pub fn variant_of(slug: &str) -> u64 {
    let digest = Sha256::digest(slug.as_bytes());
    let hash = u64::from_le_bytes(digest[..8].try_into().expect("a SHA-256 digest has 32 bytes"));
    hash % SEED_VARIANTS
}

/// How many different seals (and seeded artwork) a theme draws per emblem,
/// colour and size. Six rims are enough for cards no one lays side by
/// side, and each variant is drawn (its blurs and grain) and kept once
/// per width: with 24, a build of 1,000 cards in four emblems, five
/// colours and three sizes drew about 1,000 seals, with six at most 360.
/// A card whose variant was one of the first six of 24 keeps its seed (and
/// its seal).
const SEED_VARIANTS: u64 = 6;
