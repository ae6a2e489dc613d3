//! How much room a card's logo and QR code take from its text: as much as
//! the theme gives them while the text stays comfortably large, less (the
//! logo smaller, the code down to the least a phone reads) where it would
//! not. A logo may be left smaller; the words are what the card is for.
//! Pure: boxes and layouts in, the chosen pair out.

use crate::layout::{self, Content, Layout, LayoutError};
use crate::render::{self, qr::Qr, Boxes};
use crate::size::CardSize;
use crate::theme::Theme;

/// The parts of their size the logo and the code are tried at, largest first.
const ROOMS: [f32; 5] = [1.0, 0.85, 0.7, 0.55, 0.45];

/// How much smaller than the largest any room gives a body may be set
/// for the logo and the code to stay larger, in points: one step of the fit.
const STEP_PT: f32 = 0.25;

/// The card's boxes and its text laid out in them, and the room the logo
/// and the code were given: the largest of [`ROOMS`] at which the body is
/// set at least [`layout::comfortable`] ([`layout::readable`] beside a
/// picture); where none is, the largest at
/// which the body is within a step of the largest size any room gives it;
/// where none fits, the error of the smallest.
pub fn lay_out(
    theme: &Theme,
    size: CardSize,
    (qr, logo): (Option<&Qr>, Option<f32>),
    text: Content,
) -> Result<(Boxes, Layout, f32), LayoutError> {
    let attempt = |room: f32| {
        let boxes = render::boxes_at(theme, size, qr, logo, room);
        let frame = boxes.frame(size);
        let laid = layout::layout(theme, text, frame)?;
        // A card with pictures wants its body readable: what its pictures
        // give way for (a logo and a code give way before they do).
        let wanted = match text.pictures.is_empty() {
            true => layout::comfortable(&theme.spec.text, frame),
            false => layout::readable(&theme.spec.text, frame),
        };
        let comfortable = laid.size_pt >= wanted - 0.01;
        Ok((comfortable, (boxes, laid, room)))
    };
    let first: Result<(bool, (Boxes, Layout, f32)), LayoutError> = attempt(ROOMS[0]);
    // Nothing to give up, or nothing to gain: one try.
    let no_fit = |e: &LayoutError| matches!(e, LayoutError::DoesNotFit { .. } | LayoutError::PictureDoesNotFit { .. });
    match &first {
        Ok((true, _)) => return first.map(|(_, chosen)| chosen),
        Err(e) if !no_fit(e) => return first.map(|(_, chosen)| chosen),
        _ if qr.is_none() && logo.is_none() => return first.map(|(_, chosen)| chosen),
        _ => {}
    }
    let mut tried = vec![first];
    for &room in &ROOMS[1..] {
        let next = attempt(room);
        if matches!(next, Ok((true, _))) {
            return next.map(|(_, chosen)| chosen);
        }
        tried.push(next);
    }
    let best = tried.iter().filter_map(|t| t.as_ref().ok()).map(|(_, (_, laid, _))| laid.size_pt).fold(0.0, f32::max);
    let last = tried.pop().unwrap_or(Err(LayoutError::TooLong(0)));
    let chosen = tried.into_iter().flatten().find(|(_, (_, laid, _))| laid.size_pt >= best - STEP_PT - 0.01);
    chosen.map_or(last, Ok).map(|(_, chosen)| chosen)
}
