//! The site's icons: its theme's seal as the favicon of every page
//! (`favicon.png`) and, on the theme's paper, as the picture a phone puts
//! on its home screen (`apple-touch-icon.png`, the name iOS asks for).

use crate::render;
use crate::theme::{FontRole, Theme};

pub use crate::site::{FAVICON, TOUCH_ICON};

/// The icons of a site in `theme`, as (file, PNG bytes); `title` gives the
/// initials of a monogram seal. `None` when the seal cannot be drawn.
pub fn site_icons(theme: &Theme, title: &str) -> Option<[(&'static str, Vec<u8>); 2]> {
    let mut spec = super::compose::theme_seal(theme);
    if spec.emblem == "monogram" {
        spec.initials = crate::seal::initials_of(title);
    }
    // The seal fills its picture: its shadow may reach past the edge.
    let (r, side) = (100.0, 210.0);
    let family = &theme.face(FontRole::Bold).family;
    let seal = crate::seal::seal_svg(&spec, side / 2.0, side / 2.0, r, 0, "icon", family).ok()?;
    let draw = |under: &str, width: u32| -> Option<Vec<u8>> {
        let source = format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{side}" height="{side}" viewBox="0 0 {side} {side}">{under}{seal}</svg>"#
        );
        let svg = render::standalone_from_text(theme, &source).ok()?;
        let tree = render::parse(theme, &svg).ok()?;
        Some(render::encode_png(&render::rasterize(&tree, width), None, true))
    };
    let paper =
        format!(r#"<rect width="{side}" height="{side}" fill="{}"/>"#, crate::svg::escape(&theme.spec.palette.paper));
    Some([(FAVICON, draw("", 64)?), (TOUCH_ICON, draw(&paper, 180)?)])
}
