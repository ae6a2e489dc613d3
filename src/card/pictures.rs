//! A laid-out card's pictures: its PNG, thumbnail and link-preview picture,
//! its standalone SVG, its print PDF and its email (which embeds the PNG),
//! drawn and encoded into bytes. Never writes: the build writes what it
//! returns.

use std::sync::Arc;

use crate::config::PrintConfig;
use crate::diagnostics::Diagnostic;
use crate::render;
use crate::size::CardSize;
use crate::theme::Theme;

use super::artifacts::Artifact;
use crate::config::Outputs;

/// Thumbnails are this wide, in pixels (made from the card's pixels).
pub const THUMB_WIDTH: u32 = 360;

/// A card's pictures, laid out and parsed, to be drawn.
pub struct Pictures {
    /// The card's slug.
    pub slug: String,
    /// Its theme.
    pub theme: Arc<Theme>,
    /// Its SVG, from the theme's template.
    pub svg: render::CardSvg,
    /// Its SVG, parsed.
    pub tree: resvg::usvg::Tree,
    /// The card's width in pixels.
    pub width: u32,
    /// What its print PDF is made from, when one is asked for.
    pub print: Option<PrintJob>,
    /// Its email, made with the PNG, when one is asked for.
    pub email: Option<crate::email::Email>,
}

/// A card's print PDF, to be made.
pub struct PrintJob {
    /// The card's SVG for print, its artwork run into the bleed.
    pub svg: render::PrintSvg,
    /// The card's size.
    pub size: CardSize,
    /// The PDF's title.
    pub title: String,
    /// The card's language tag (see [`print_lang`]).
    pub lang: String,
    /// The card's date (year, month, day), or the build's when it has none.
    pub date: (i16, i8, i8),
}

/// The language of message `m`'s printed card: its `lang`, the site's, or
/// English, as its page says.
pub fn print_lang(m: &crate::content::Message, config: &crate::config::SiteConfig) -> String {
    m.front.lang.clone().or_else(|| config.lang.clone()).unwrap_or_else(|| "en".to_string())
}

impl PrintJob {
    /// The card, parsed for the PDF.
    fn card(&self, theme: &Theme) -> Result<crate::render::pdf::PrintCard, Diagnostic> {
        crate::render::pdf::PrintCard::new(theme, self.size, &self.svg).map_err(|e| failed(theme, e))
    }
}

/// What went wrong drawing a card of `theme`, at the theme's card.svg.
fn failed(theme: &Theme, e: impl std::fmt::Display) -> Diagnostic {
    Diagnostic::error(theme.origin("card.svg"), 0, 0, e.to_string())
}

/// How a build draws: the same for every card.
pub struct Drawing<'a> {
    /// Drawn artwork and seals, shared by the cards.
    pub bases: &'a render::BaseCache,
    /// Which pictures are made.
    pub outputs: Outputs,
    /// The PNGs' resolution.
    pub dpi: u32,
    /// Smallest PNG files (slower).
    pub optimize: bool,
    /// The print settings, for the PDF.
    pub print: &'a PrintConfig,
}

/// A card's drawn pictures, as (what, bytes).
pub type Drawn = Vec<(Artifact, Vec<u8>)>;

/// Draws and encodes a card's PNG, thumbnail, link-preview picture, SVG, PDF
/// and email (those asked for).
pub fn draw(how: &Drawing, pictures: &Pictures) -> Result<Drawn, Diagnostic> {
    // The pictures on one core, the SVG and the PDF on another: a rebuild
    // of one card then takes less time.
    let (pngs, rest) = super::guard::join(|| draw_pngs(how, pictures), || draw_vectors(how, pictures));
    let mut out = pngs?;
    out.extend(rest?);
    Ok(out)
}

/// A card's PNG, email (which embeds it), thumbnail and link-preview
/// picture (those asked for). A card over a base kept for the cards after
/// it is drawn a band at a time (see [`render::bands`]), no copy of it held
/// whole; any other is drawn whole.
fn draw_pngs(how: &Drawing, pictures: &Pictures) -> Result<Drawn, Diagnostic> {
    let Pictures { theme, svg, tree, width, email, .. } = pictures;
    if !how.outputs.png && email.is_none() {
        return Ok(Drawn::new());
    }
    let layered = render::layers::layered_card(how.bases, theme, svg, tree, *width).map_err(|e| failed(theme, e))?;
    let thumb_width = how.outputs.png.then_some(THUMB_WIDTH);
    let banded = match &layered {
        render::layers::Layered::Top { base: render::layers::Base::Kept(under), ink } if !how.optimize => {
            render::bands::draw_in_bands(under, ink, Some(how.dpi), thumb_width)
        }
        _ => None,
    };
    let (card, small) = match banded {
        Some((png, thumb)) => (card_files(how, pictures, png), small_pictures(how, theme, thumb)?),
        None => {
            // The card's pixels, for card.png, the email and the thumbnail
            // (made from them, not drawn again); the big PNG on one core,
            // the small ones on another.
            let drawn = layered.draw_whole(tree, *width);
            let encode = || render::encode_png_over(&drawn.pixmap, drawn.under.as_deref(), Some(how.dpi), how.optimize);
            let thumb = || thumb_width.map(|w| render::shrink_card(&drawn, w));
            let (png, small) =
                super::guard::join(|| Ok::<_, Diagnostic>(encode()), || small_pictures(how, theme, thumb()));
            (card_files(how, pictures, png?), small?)
        }
    };
    Ok(card.into_iter().chain(small).collect())
}

/// card.png (when asked for) and the email made with it.
fn card_files(how: &Drawing, pictures: &Pictures, png: Vec<u8>) -> Drawn {
    let eml = pictures.email.as_ref().map(|email| email.eml(&png));
    let mut out = Drawn::new();
    if how.outputs.png {
        out.push((Artifact::Png, png));
    }
    out.extend(eml.map(|eml| (Artifact::Email, eml)));
    out
}

/// The thumbnail and the link preview (the thumbnail on a wider sheet),
/// screen pictures with no size on paper to say.
fn small_pictures(how: &Drawing, theme: &Theme, thumb: Option<render::CardPixels>) -> Result<Drawn, Diagnostic> {
    let Some(thumb) = thumb else { return Ok(Drawn::new()) };
    let encode =
        |drawn: &render::CardPixels| render::encode_png_over(&drawn.pixmap, drawn.under.as_deref(), None, how.optimize);
    let share = render::share_picture(theme, &thumb.pixmap).map_err(|e| failed(theme, e))?;
    Ok(vec![(Artifact::Thumb, encode(&thumb)), (Artifact::Share, encode(&share))])
}

/// The card's SVG and print PDF (those asked for).
fn draw_vectors(how: &Drawing, pictures: &Pictures) -> Result<Drawn, Diagnostic> {
    let Pictures { theme, svg, tree, print, .. } = pictures;
    let mut out = Drawn::new();
    if how.outputs.svg {
        out.push((
            Artifact::Svg,
            render::card_standalone(theme, svg, tree).map_err(|e| failed(theme, e))?.into_bytes(),
        ));
    }
    if let Some(job) = print {
        let pdf = crate::render::pdf::card_pdf(
            &job.card(theme)?,
            how.print,
            &crate::render::pdf::PdfInfo { title: &job.title, lang: &job.lang, date: job.date },
        )
        .map_err(|e| failed(theme, e))?;
        out.push((Artifact::Pdf, pdf));
    }
    Ok(out)
}

/// A card's pictures as `check` sees them: the PNGs, the PDF and the email
/// empty (noted as there, not drawn), the SVG made. Drawing would find no
/// other problem (the card's SVG is made and parsed already; what else
/// drawing parses is checked here), and it would take most of a check's time.
pub fn check(how: &Drawing, pictures: &Pictures) -> Result<Drawn, Diagnostic> {
    let Pictures { theme, svg, tree, print, email, .. } = pictures;
    let mut out = Drawn::new();
    if email.is_some() {
        // Its text is made (and its template checked) already.
        out.push((Artifact::Email, Vec::new()));
    }
    if let Some(job) = print {
        // Parsed for the PDF, not drawn.
        job.card(theme)?;
        out.push((Artifact::Pdf, Vec::new()));
    }
    if how.outputs.png {
        render::check_layered(theme, svg, tree).map_err(|e| failed(theme, e))?;
        out.extend([Artifact::Png, Artifact::Thumb, Artifact::Share].map(|a| (a, Vec::new())));
    }
    if how.outputs.svg {
        let standalone = render::card_standalone(theme, svg, tree).map_err(|e| failed(theme, e))?;
        out.push((Artifact::Svg, standalone.into_bytes()));
    }
    Ok(out)
}
