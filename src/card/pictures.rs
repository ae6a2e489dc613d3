//! A laid-out card's pictures: its PNG, thumbnail and link-preview picture,
//! its pictures for the pages (WebP, in three widths), its standalone SVG,
//! its print PDF and its email (which embeds the PNG), drawn and encoded
//! into bytes. Never writes: the build writes what it returns.

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

/// How wide the card's pictures for the pages are ([`Artifact::WEB`]), in
/// pixels: the thumbnail's width (the gallery's column and the card page's
/// picture are about as wide, in CSS pixels) once, twice and three times,
/// for screens of one, two and three pixels to a CSS pixel; each at most the
/// card's own `width` (never made larger than drawn), so two may be alike.
pub fn web_widths(width: u32) -> [u32; 3] {
    [1, 2, 3].map(|times| (times * THUMB_WIDTH).min(width.max(1)))
}

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
    /// What its link preview shows of it.
    pub share: render::ShareView,
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
    /// The card's date, or the build's when it has none.
    pub date: jiff::civil::Date,
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

/// Draws and encodes a card's PNG, thumbnail, link-preview picture,
/// pictures for the pages, SVG, PDF and email (those asked for).
pub fn draw(how: &Drawing, pictures: &Pictures) -> Result<Drawn, Diagnostic> {
    // The pictures on one core, the SVG and the PDF on another: a rebuild
    // of one card then takes less time.
    let (pngs, rest) = super::guard::join(|| draw_pngs(how, pictures), || draw_vectors(how, pictures));
    let mut out = pngs?;
    out.extend(rest?);
    Ok(out)
}

/// A card's PNG, email (which embeds it), thumbnail, link-preview picture
/// and pictures for the pages (those asked for), all from one drawing of
/// the card. A card over a base kept for the cards after it is drawn a
/// band at a time (see [`render::bands`]); any other is drawn whole.
fn draw_pngs(how: &Drawing, pictures: &Pictures) -> Result<Drawn, Diagnostic> {
    let Pictures { theme, svg, tree, width, email, .. } = pictures;
    if !how.outputs.png && email.is_none() {
        return Ok(Drawn::new());
    }
    let layered = render::layers::layered_card(how.bases, theme, svg, tree, *width).map_err(|e| failed(theme, e))?;
    // The smaller pictures are made from the card's pixels (not drawn again).
    let web = Artifact::Web1x.made_for(&how.outputs);
    let smaller = |drawn: &render::CardPixels| how.outputs.png.then(|| Smaller::of(drawn, web, &pictures.share));
    let banded = match &layered {
        render::layers::Layered::Top { base: render::layers::Base::Kept(under), ink } if !how.optimize => {
            let banded = render::bands::draw_in_bands(under, ink, Some(how.dpi), how.outputs.png);
            banded.map(|(png, pixels)| {
                let drawn = pixels.map(|pixmap| render::CardPixels { pixmap, under: Some(under.clone()) });
                (png, drawn.as_ref().and_then(smaller))
            })
        }
        _ => None,
    };
    let (card, small) = match banded {
        // The card's pixels are gone: only the smaller ones are held while they are encoded.
        Some((png, smaller)) => (card_files(how, pictures, png), small_pictures(how, pictures, smaller)?),
        None => {
            // The card's pixels, for card.png, the email and the smaller
            // pictures; the big PNG on one core, the small ones on another.
            let drawn = layered.draw_whole(tree, *width);
            let encode = || render::encode_png_over(&drawn.pixmap, drawn.under.as_deref(), Some(how.dpi), how.optimize);
            let (png, small) =
                super::guard::join(|| Ok::<_, Diagnostic>(encode()), || small_pictures(how, pictures, smaller(&drawn)));
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

/// A card made smaller, from its pixels.
struct Smaller {
    /// Its thumbnail, over its base made as small (whose compressed pieces
    /// the thumbnail's PNG takes).
    thumb: render::CardPixels,
    /// Its pictures for the pages, by width, each width once; one as wide
    /// as the thumbnail is the thumbnail.
    web: Vec<(u32, tiny_skia::Pixmap)>,
    /// Where it goes in its link preview, and the part the preview shows.
    share: (render::SharePlace, tiny_skia::Pixmap),
}

impl Smaller {
    /// The smaller pictures of the card `drawn`: its thumbnail, the part
    /// of it its link preview shows (placed by `share`), and with `web`
    /// its pictures for the pages.
    fn of(drawn: &render::CardPixels, web: bool, share: &render::ShareView) -> Smaller {
        let pixmap = &drawn.pixmap;
        let mut widths = if web { web_widths(pixmap.width()).to_vec() } else { Vec::new() };
        // They grow: a width like the one before it is that picture.
        widths.dedup();
        let web = widths.into_iter().filter(|&w| w != THUMB_WIDTH);
        let place = share.place((pixmap.width(), pixmap.height()));
        Smaller {
            thumb: render::shrink_card(drawn, THUMB_WIDTH),
            web: web.map(|w| (w, render::shrink_picture(pixmap, w))).collect(),
            share: (place, render::shrink_part(pixmap, place.shown, place.visible())),
        }
    }

    /// The picture `width` pixels wide.
    fn pixels(&self, width: u32) -> Option<&tiny_skia::Pixmap> {
        match width == self.thumb.pixmap.width() {
            true => Some(&self.thumb.pixmap),
            false => self.web.iter().find(|(w, _)| *w == width).map(|(_, pixmap)| pixmap),
        }
    }
}

/// The thumbnail, the link preview and, with the pages, the pictures for
/// them (WebP) from the card made `smaller` (none without PNGs): screen
/// pictures, with no size on paper to say.
fn small_pictures(how: &Drawing, pictures: &Pictures, smaller: Option<Smaller>) -> Result<Drawn, Diagnostic> {
    let Some(smaller) = smaller else { return Ok(Drawn::new()) };
    if !Artifact::Web1x.made_for(&how.outputs) {
        return thumb_and_share(how, pictures, &smaller);
    }
    let widths = web_widths(pictures.width);
    let webp = |w: u32| smaller.pixels(w).map(|p| render::encode_webp(p, how.optimize)).unwrap_or_default();
    // The largest WebP (most of the work) on one core, the rest on another.
    let large = widths[2];
    let (largest, rest) = super::guard::join(
        || webp(large),
        || {
            let pngs = thumb_and_share(how, pictures, &smaller)?;
            let mut webps: Vec<(u32, Vec<u8>)> = Vec::new();
            for w in widths.into_iter().filter(|&w| w != large) {
                if !webps.iter().any(|(at, _)| *at == w) {
                    webps.push((w, webp(w)));
                }
            }
            Ok::<_, Diagnostic>((pngs, webps))
        },
    );
    let (mut out, mut webps) = rest?;
    webps.push((large, largest));
    // A card narrower than three thumbnails has two pictures alike: the same bytes.
    for (artifact, w) in Artifact::WEB.into_iter().zip(widths) {
        let bytes = webps.iter().find(|(at, _)| *at == w).map(|(_, bytes)| bytes.clone()).unwrap_or_default();
        out.push((artifact, bytes));
    }
    Ok(out)
}

/// The thumbnail's PNG and the link preview's (see [`render::share_picture`]).
fn thumb_and_share(how: &Drawing, pictures: &Pictures, smaller: &Smaller) -> Result<Drawn, Diagnostic> {
    let png = |p: &render::CardPixels| render::encode_png_over(&p.pixmap, p.under.as_deref(), None, how.optimize);
    let theme = &pictures.theme;
    let (place, part) = &smaller.share;
    let share = render::share_picture(theme, place, part).map_err(|e| failed(theme, e))?;
    Ok(vec![(Artifact::Thumb, png(&smaller.thumb)), (Artifact::Share, png(&share))])
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
        let pngs = [Artifact::Png, Artifact::Thumb, Artifact::Share].into_iter().chain(Artifact::WEB);
        out.extend(pngs.filter(|a| a.made_for(&how.outputs)).map(|a| (a, Vec::new())));
    }
    if how.outputs.svg {
        let standalone = render::card_standalone(theme, svg, tree).map_err(|e| failed(theme, e))?;
        out.push((Artifact::Svg, standalone.into_bytes()));
    }
    Ok(out)
}
