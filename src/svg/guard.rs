//! The one guard every untrusted SVG passes before usvg reads it: a theme's
//! card artwork (`card.svg`, and the `data:` SVG pictures inside it) and a
//! theme's emblem files (`emblems/NAME.svg`). A theme may come from anyone;
//! what it draws must not read the user's files or the network, nor take the
//! memory of the machine.
//!
//! The rules are one set; where the two kinds of file need different ones,
//! the difference is a named field of [`Guard`], and [`Guard::for_art`] and
//! [`Guard::for_emblem`] say which applies to which. The guard only refuses:
//! it says why in a [`Refusal`], and each caller words that for its users
//! (a card's errors and an emblem's errors read differently).

use std::collections::HashMap;

use resvg::usvg::roxmltree;

/// The most pixels a picture in card artwork may have: a decoder takes four
/// bytes a pixel, so this is at most 256 MB (8000 x 8000).
pub const MAX_IMAGE_PIXELS: u64 = 64_000_000;

/// The longest side a picture in card artwork may have, in pixels. Each
/// side is bounded before the two are multiplied: a picture of 1 x 60
/// million pixels is under [`MAX_IMAGE_PIXELS`], but fitting it into its
/// box leaves a width usvg cannot represent (it panics).
pub const MAX_IMAGE_SIDE: u64 = 8000;

/// How deep `data:` SVG pictures may sit inside each other.
const MAX_NESTING: usize = 4;

/// Elements that embed or run something from elsewhere.
const EMBEDDERS: &[&str] =
    &["image", "feImage", "script", "foreignObject", "iframe", "embed", "object", "video", "audio", "handler"];

/// Elements that run something in a browser that opens the SVG: scripts,
/// embedded documents and animations (`<set>` and `<animate>` can turn an
/// `href` into a `javascript:` link). usvg draws none of them, so the PNG
/// never shows them; a published `card.svg` would run them.
const ACTIVE: &[&str] = &[
    "script",
    "foreignObject",
    "iframe",
    "embed",
    "object",
    "handler",
    "video",
    "audio",
    "animate",
    "animateMotion",
    "animateTransform",
    "animateColor",
    "set",
    "discard",
    "listener",
];

/// Elements whose `href` may be a `data:` URL: those that draw a picture.
const PICTURES: &[&str] = &["image", "feImage"];

/// What an untrusted SVG may use. Every field is a rule that one kind of
/// file needs and the other cannot take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Guard {
    /// The file may be at most this many bytes.
    max_bytes: Option<usize>,
    /// The most XML nodes the parser builds (`None`: its default).
    max_nodes: Option<u32>,
    /// Whether a DOCTYPE is read at all. Card artwork refuses any (its
    /// entities can grow without bound, and nothing in a card needs one);
    /// an emblem may keep the plain one drawing programs write (Illustrator
    /// does), as long as it declares no entity.
    doctype: bool,
    /// Whether `href` and `url(...)` may be `data:` URLs. Card artwork may
    /// hold pictures inline (each is looked into: a raster one's size, an SVG
    /// one through this same guard); an emblem is only shapes.
    data_urls: bool,
    /// Whether elements that embed or run something (`<image>`, `<script>`,
    /// `<foreignObject>`, ...) are refused outright. An emblem has no use for
    /// them; card artwork draws its `data:` pictures with `<image>`, and
    /// usvg leaves out the rest.
    embedders: bool,
    /// Whether `<text>` is refused: an emblem is pressed into wax as shapes,
    /// so its text would be lost; a card's text is what it is for.
    no_text: bool,
    /// Whether nesting, `<use>` count and what the `<use>`s expand to are
    /// bounded. An emblem is drawn once per card with every `<use>` expanded
    /// into paths, so a file of a few kilobytes could stand for billions.
    shape_limits: bool,
}

/// Why the guard refused a file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// It refers to something outside itself: an `href`, an `@import` rule,
    /// a `<?xml-stylesheet?>`, an embedding element (named as `<name> href`).
    #[error("refers to `{0}` outside the file")]
    External(String),
    /// A `url(...)` that points outside: what stands between the
    /// parentheses, trimmed (quotes kept; [`unquoted`] takes them off).
    #[error("refers to `url({0})` outside the file")]
    Url(String),
    /// The file has more bytes than the guard allows.
    #[error("the file is {0} bytes")]
    TooLarge(usize),
    /// A `data:` picture of this width and height has more than
    /// [`MAX_IMAGE_PIXELS`] or a side over [`MAX_IMAGE_SIDE`]; the text (the
    /// start of the outermost `data:` URL) by which a caller finds where.
    #[error("a picture of {0} x {1} pixels")]
    ImageTooLarge(u64, u64, String),
    /// It cannot be used, for the reason given (not XML, a DTD, an entity,
    /// nesting, `<use>` bombs, ...).
    #[error("{0}")]
    Unusable(String),
    /// It holds what a browser would run: a script, an event attribute
    /// (`onload=`), an animation, an embedded document, a `data:` link.
    /// What it is, and the text by which a caller finds where it is.
    #[error("holds `{0}`, which a browser would run")]
    Active(String, String),
    /// Drawing it would cost more than a card may: the reason, and the
    /// text (an attribute, an id) by which a caller finds where it is.
    #[error("{0}")]
    Costly(String, String),
}

/// A `url(...)`'s reference without its quotes (see [`Refusal::Url`]).
pub fn unquoted(inner: &str) -> &str {
    inner.trim_matches(['"', '\'']).trim()
}

impl Guard {
    /// For a theme's card artwork and the SVG pictures inside it.
    pub const fn for_art() -> Guard {
        Guard {
            max_bytes: None,
            max_nodes: None,
            doctype: false,
            data_urls: true,
            embedders: false,
            no_text: false,
            shape_limits: false,
        }
    }

    /// For a theme's emblem file, at most `max_bytes` long.
    pub const fn for_emblem(max_bytes: usize) -> Guard {
        Guard {
            max_bytes: Some(max_bytes),
            max_nodes: Some(50_000),
            doctype: true,
            data_urls: false,
            embedders: true,
            no_text: true,
            shape_limits: true,
        }
    }

    /// Parses `text` and refuses it unless it keeps to this guard's rules;
    /// the parsed document is handed back for the caller to read on.
    pub fn check<'a>(&self, text: &'a str) -> Result<roxmltree::Document<'a>, Refusal> {
        self.check_at(text, 0)
    }

    /// [`Guard::check`] of a file that sits `depth` `data:` pictures deep.
    fn check_at<'a>(&self, text: &'a str, depth: usize) -> Result<roxmltree::Document<'a>, Refusal> {
        if self.max_bytes.is_some_and(|max| text.len() > max) {
            return Err(Refusal::TooLarge(text.len()));
        }
        let doc = self.parse(text)?;
        let mut depths = vec![0usize; if self.shape_limits { doc.descendants().count() + 1 } else { 0 }];
        let mut uses = 0;
        for node in doc.descendants() {
            if self.shape_limits {
                let d = node.parent().map_or(0, |p| depths[p.id().get() as usize] + 1);
                depths[node.id().get() as usize] = d;
                if d > 64 {
                    return Err(Refusal::Unusable("elements are nested more than 64 deep".to_owned()));
                }
            }
            if let Some(pi) = node.pi().filter(|pi| pi.target.eq_ignore_ascii_case("xml-stylesheet")) {
                return Err(Refusal::External(format!("<?xml-stylesheet {}?>", pi.value.unwrap_or("").trim())));
            }
            // Any element named `style`, whatever its namespace: usvg reads
            // only SVG's, but a sheet that reaches out is refused wherever.
            if node.is_text() && node.parent().is_some_and(|p| p.has_tag_name("style")) {
                self.check_css(node.text().unwrap_or(""))?;
            }
            if node.is_element() {
                self.check_element(node, &mut uses)?;
            }
            for attr in node.attributes() {
                check_active(node, attr.name(), attr.value().trim())?;
                self.check_attribute(attr.name(), attr.value().trim(), depth)?;
            }
        }
        // `<use>` of a group that itself uses groups multiplies: ten levels
        // of ten copies is ten billion paths. Count what usvg would expand.
        if self.shape_limits && expanded_size(&doc, doc.root_element(), &mut HashMap::new(), 0) > 20_000 {
            return Err(Refusal::Unusable("<use> elements expand to too many shapes".to_owned()));
        }
        Ok(doc)
    }

    /// Parses the XML, with or without its DOCTYPE.
    fn parse<'a>(&self, text: &'a str) -> Result<roxmltree::Document<'a>, Refusal> {
        // roxmltree stops nested entity expansion (the billion laughs), but
        // not a flat one: a large entity referenced thousands of times. No
        // SVG here has a use for entities, so declaring one is refused
        // before parsing.
        if self.doctype && text.contains("<!ENTITY") {
            return Err(Refusal::Unusable("entity declarations (<!ENTITY ...>) are not allowed".to_owned()));
        }
        let mut options = roxmltree::ParsingOptions { allow_dtd: self.doctype, ..Default::default() };
        if let Some(limit) = self.max_nodes {
            options.nodes_limit = limit;
        }
        roxmltree::Document::parse_with_options(text, options).map_err(|e| match e {
            roxmltree::Error::DtdDetected => Refusal::Unusable(
                "a DTD (<!DOCTYPE ...>) is not allowed: its entities can grow without bound".to_owned(),
            ),
            e => Refusal::Unusable(e.to_string()),
        })
    }

    /// The rules on an element's name.
    fn check_element(&self, node: roxmltree::Node, uses: &mut usize) -> Result<(), Refusal> {
        let name = node.tag_name().name();
        if self.embedders && EMBEDDERS.contains(&name) {
            // Name what it would load, when it says.
            let href = node.attributes().find(|a| a.name() == "href").map(|a| format!(" {}", a.value()));
            return Err(Refusal::External(format!("<{name}>{}", href.unwrap_or_default())));
        }
        if ACTIVE.contains(&name) {
            return Err(Refusal::Active(format!("<{name}>"), format!("<{name}")));
        }
        if self.no_text && name == "text" {
            return Err(Refusal::Unusable(
                "<text> is not supported: convert the text to paths (Inkscape: Path > Object to Path)".to_owned(),
            ));
        }
        if self.shape_limits && name == "use" {
            *uses += 1;
            if *uses > 100 {
                return Err(Refusal::Unusable("more than 100 <use> elements".to_owned()));
            }
        }
        Ok(())
    }

    /// The rules on one attribute (its value trimmed): an `href` is a
    /// `#fragment` (or a `data:` URL, looked into), and any `url(...)` in
    /// any attribute points inside the file.
    fn check_attribute(&self, name: &str, value: &str, depth: usize) -> Result<(), Refusal> {
        if name == "href" {
            if self.data_urls && is_data_url(value) {
                self.check_data_url(value, depth)?;
            } else if !value.starts_with('#') {
                return Err(Refusal::External(value.to_owned()));
            }
        }
        self.check_urls(value)
    }

    /// Refuses a `<style>` sheet that imports another or points elsewhere.
    fn check_css(&self, css: &str) -> Result<(), Refusal> {
        if let Some(at) = css.to_ascii_lowercase().find("@import") {
            let rule = css[at..].split(';').next().unwrap_or("@import");
            return Err(Refusal::External(rule.trim().to_owned()));
        }
        self.check_urls(css)
    }

    /// Refuses `url(...)` (in any case) that is not `url(#id)` (or, where
    /// allowed, a `data:` URL).
    fn check_urls(&self, text: &str) -> Result<(), Refusal> {
        let lower = text.to_ascii_lowercase();
        for (at, _) in lower.match_indices("url(") {
            let inner = &text[at + 4..];
            let inner = inner[..inner.find(')').unwrap_or(inner.len())].trim();
            let reference = unquoted(inner);
            let inside = reference.starts_with('#') || (self.data_urls && is_data_url(reference));
            if !inside {
                return Err(Refusal::Url(inner.to_owned()));
            }
        }
        Ok(())
    }

    /// Looks into a `data:` picture as usvg would draw it: a raster
    /// picture's size from its header, an SVG picture through this guard.
    fn check_data_url(&self, url: &str, depth: usize) -> Result<(), Refusal> {
        match self.check_picture(url, depth) {
            // Where the file names it: a picture inside one is found by the outer's URL.
            Err(Refusal::ImageTooLarge(width, height, _)) if depth == 0 => {
                Err(Refusal::ImageTooLarge(width, height, url.chars().take(40).collect()))
            }
            other => other,
        }
    }

    /// [`Guard::check_data_url`], but for where the picture is.
    fn check_picture(&self, url: &str, depth: usize) -> Result<(), Refusal> {
        let unreadable = || Refusal::Unusable("a data: URL that cannot be read".to_owned());
        let data = data_url::DataUrl::process(url).map_err(|_| unreadable())?;
        let (bytes, _) = data.decode_to_vec().map_err(|_| unreadable())?;
        if let Ok(size) = imagesize::blob_size(&bytes) {
            return check_picture_size(size.width as f64, size.height as f64);
        }
        let mime = data.mime_type();
        let svg =
            (mime.type_ == "image" && mime.subtype == "svg+xml") || (mime.type_ == "text" && mime.subtype == "plain");
        if !svg {
            // Not a picture usvg draws: it is left out.
            return Ok(());
        }
        if depth >= MAX_NESTING {
            return Err(Refusal::Unusable(format!("SVG pictures nest more than {MAX_NESTING} deep")));
        }
        let text = std::str::from_utf8(&bytes).map_err(|_| {
            Refusal::Unusable("an SVG picture in a data: URL is not UTF-8 text (compressed SVG is not drawn)".into())
        })?;
        match self.check_at(text, depth + 1) {
            Ok(doc) => match svg_size(&doc) {
                Some((width, height)) => check_picture_size(width, height),
                None => Ok(()),
            },
            Err(Refusal::Unusable(message)) => {
                Err(Refusal::Unusable(format!("an SVG picture in a data: URL: {message}")))
            }
            Err(other) => Err(other),
        }
    }
}

/// Refuses an attribute a browser would act on: an event handler
/// (`onload`, `onclick`, ... in any case), `src` (SVG has none: it belongs to
/// embedded HTML), and a `data:` `href` on anything but a picture (on `<a>`
/// it is a link to a document of the theme's making).
fn check_active(node: roxmltree::Node, name: &str, value: &str) -> Result<(), Refusal> {
    let lower = name.to_ascii_lowercase();
    if lower.starts_with("on") || lower == "src" {
        return Err(Refusal::Active(format!("{name}=\"{}\"", shorten(value)), format!("{name}=")));
    }
    if name == "href" && is_data_url(value) && !PICTURES.contains(&node.tag_name().name()) {
        let element = node.tag_name().name();
        return Err(Refusal::Active(format!("<{element} href=\"{}\">", shorten(value)), "data:".to_owned()));
    }
    Ok(())
}

/// The first 40 characters of `text`, with `...` when there were more.
fn shorten(text: &str) -> String {
    match text.char_indices().nth(40) {
        Some((at, _)) => format!("{}...", &text[..at]),
        None => text.to_owned(),
    }
}

/// Refuses a picture with a side over [`MAX_IMAGE_SIDE`], a side under
/// one [`MAX_IMAGE_SIDE`]th of the other (fitted into its box, the short
/// side would be too thin for usvg), or over [`MAX_IMAGE_PIXELS`]. Each
/// side is checked before the two are multiplied.
fn check_picture_size(width: f64, height: f64) -> Result<(), Refusal> {
    let max = MAX_IMAGE_SIDE as f64;
    let (long, short) = (width.max(height), width.min(height));
    let thin = short > 0.0 && long / short > max;
    if long > max || thin || width * height > MAX_IMAGE_PIXELS as f64 || !(long.is_finite()) {
        let side = |n: f64| if n.is_finite() { n.ceil().min(u64::MAX as f64) as u64 } else { u64::MAX };
        return Err(Refusal::ImageTooLarge(side(width), side(height), String::new()));
    }
    Ok(())
}

/// The size an SVG picture is drawn at, as usvg takes it: its root's
/// `width` and `height` (plain numbers or pixels), else its `viewBox`.
fn svg_size(doc: &roxmltree::Document) -> Option<(f64, f64)> {
    let root = doc.root_element();
    let number = |name: &str| {
        let value = root.attribute(name)?.trim();
        value.strip_suffix("px").unwrap_or(value).trim().parse::<f64>().ok()
    };
    let view_box: Option<Vec<f64>> =
        root.attribute("viewBox").map(|v| v.split([' ', ',']).filter_map(|n| n.trim().parse().ok()).collect());
    let from_view_box = |i: usize| view_box.as_ref().filter(|v| v.len() == 4).map(|v| v[i]);
    let width = number("width").or_else(|| from_view_box(2))?;
    let height = number("height").or_else(|| from_view_box(3))?;
    Some((width.abs(), height.abs()))
}

/// Whether a reference is a `data:` URL (scheme in any case).
fn is_data_url(reference: &str) -> bool {
    reference.get(..5).is_some_and(|scheme| scheme.eq_ignore_ascii_case("data:"))
}

/// How many elements `node` stands for once every `<use>` is expanded
/// (saturating). A `<use>` loop, or a chain of them so long that counting
/// it would run deep, counts as too many.
fn expanded_size<'a>(
    doc: &'a roxmltree::Document,
    node: roxmltree::Node<'a, 'a>,
    memo: &mut HashMap<roxmltree::NodeId, usize>,
    depth: usize,
) -> usize {
    const TOO_MANY: usize = usize::MAX / 2;
    if let Some(&n) = memo.get(&node.id()) {
        return n;
    }
    // Elements nest at most 64 deep; this leaves room for a few <use> hops.
    if depth > 256 {
        return TOO_MANY;
    }
    // Marked while being counted: a `<use>` that reaches back here is a loop.
    memo.insert(node.id(), TOO_MANY);
    let mut n = 1usize;
    for child in node.children().filter(roxmltree::Node::is_element) {
        n = n.saturating_add(expanded_size(doc, child, memo, depth + 1));
    }
    if node.tag_name().name() == "use" {
        let target = node
            .attributes()
            .find(|a| a.name() == "href")
            .and_then(|a| a.value().trim().strip_prefix('#'))
            .and_then(|id| doc.descendants().find(|d| d.attribute("id") == Some(id)));
        if let Some(target) = target {
            n = n.saturating_add(expanded_size(doc, target, memo, depth + 1));
        }
    }
    let n = n.min(TOO_MANY);
    memo.insert(node.id(), n);
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    const SVG: &str = "http://www.w3.org/2000/svg";

    fn art(text: &str) -> Result<(), Refusal> {
        Guard::for_art().check(text).map(|_| ())
    }

    fn emblem(text: &str) -> Result<(), Refusal> {
        Guard::for_emblem(4096).check(text).map(|_| ())
    }

    #[test]
    fn both_refuse_what_points_outside() {
        for (body, refusal) in [
            ("<use href=\"other.svg#a\"/>", Refusal::External("other.svg#a".into())),
            ("<rect fill=\"url( 'x.svg#g' )\"/>", Refusal::Url("'x.svg#g'".into())),
            ("<style>@import \"x.css\"; rect {}</style>", Refusal::External("@import \"x.css\"".into())),
            ("<style>rect { fill: URL(x.svg#g) }</style>", Refusal::Url("x.svg#g".into())),
        ] {
            let svg = format!("<svg xmlns=\"{SVG}\">{body}</svg>");
            assert_eq!(art(&svg), Err(refusal.clone()), "{svg}");
            assert_eq!(emblem(&svg), Err(refusal), "{svg}");
        }
        let pi = format!("<?xml-stylesheet href=\"s.css\"?><svg xmlns=\"{SVG}\"/>");
        let want = Refusal::External("<?xml-stylesheet href=\"s.css\"?>".into());
        assert_eq!(art(&pi), Err(want.clone()));
        assert_eq!(emblem(&pi), Err(want));
        assert_eq!(unquoted("'x.svg#g'"), "x.svg#g");
    }

    #[test]
    fn only_art_takes_data_urls_and_pictures() {
        let svg = format!("<svg xmlns=\"{SVG}\"><image href=\"data:application/x-unknown,hello\"/></svg>");
        assert_eq!(art(&svg), Ok(()));
        assert_eq!(emblem(&svg), Err(Refusal::External("<image> data:application/x-unknown,hello".into())));
        let fill = format!("<svg xmlns=\"{SVG}\"><rect fill=\"url(data:image/png;base64,AA==)\"/></svg>");
        assert_eq!(art(&fill), Ok(()));
        assert_eq!(emblem(&fill), Err(Refusal::Url("data:image/png;base64,AA==".into())));
    }

    #[test]
    fn only_an_emblem_may_keep_a_plain_doctype() {
        let svg = format!("<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" \"x.dtd\"><svg xmlns=\"{SVG}\"/>");
        assert!(matches!(art(&svg), Err(Refusal::Unusable(why)) if why.starts_with("a DTD")));
        assert_eq!(emblem(&svg), Ok(()));
        let entity = format!("<!DOCTYPE svg [<!ENTITY a \"b\">]><svg xmlns=\"{SVG}\"/>");
        assert!(matches!(emblem(&entity), Err(Refusal::Unusable(why)) if why.contains("ENTITY")));
    }

    #[test]
    fn only_an_emblem_is_bounded_in_size_text_and_shapes() {
        let text = format!("<svg xmlns=\"{SVG}\"><text>Hi</text></svg>");
        assert_eq!(art(&text), Ok(()));
        assert!(matches!(emblem(&text), Err(Refusal::Unusable(why)) if why.contains("<text>")));
        let long = format!("<svg xmlns=\"{SVG}\"><!--{}--></svg>", "x".repeat(5000));
        assert_eq!(art(&long), Ok(()));
        assert_eq!(emblem(&long), Err(Refusal::TooLarge(long.len())));
        let uses = format!("<svg xmlns=\"{SVG}\"><g id=\"a\"/>{}</svg>", "<use href=\"#a\"/>".repeat(101));
        assert_eq!(art(&uses), Ok(()));
        assert!(matches!(emblem(&uses), Err(Refusal::Unusable(why)) if why.contains("100 <use>")));
    }

    #[test]
    fn pictures_are_bounded_on_each_side_before_the_sides_are_multiplied() {
        let picture = |inner: &str| {
            let inner: String = inner
                .bytes()
                .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
                .collect();
            format!("<svg xmlns=\"{SVG}\"><image width=\"9\" height=\"9\" href=\"data:image/svg+xml,{inner}\"/></svg>")
        };
        // 1 x 100,000,000 is over the pixels too; 1 x 60,000,000 is not, and
        // usvg could not fit it into its box either.
        for (size, refusal) in [
            ("width=\"1\" height=\"100000000\"", Some((1, 100_000_000))),
            ("width=\"1px\" height=\"60000000\"", Some((1, 60_000_000))),
            ("viewBox=\"0 0 60000000 1\"", Some((60_000_000, 1))),
            ("width=\"0.001\" height=\"100\"", Some((1, 100))),
            ("width=\"8000\" height=\"8000\"", None),
            ("width=\"100%\"", None),
        ] {
            let svg = picture(&format!("<svg xmlns=\"{SVG}\" {size}/>"));
            let found = |(w, h)| Err(Refusal::ImageTooLarge(w, h, svg.split('"').nth(7).unwrap()[..40].to_owned()));
            assert_eq!(art(&svg), refusal.map_or(Ok(()), found), "{size}");
        }
        assert_eq!(check_picture_size(1.0, 60_000_000.0), Err(Refusal::ImageTooLarge(1, 60_000_000, String::new())));
        assert_eq!(check_picture_size(8000.0, 8000.0), Ok(()));
        // Inside a picture inside a picture: the guard looks all the way in.
        let nested = picture(&picture(&format!("<svg xmlns=\"{SVG}\" width=\"1\" height=\"100000000\"/>")));
        assert!(
            matches!(art(&nested), Err(Refusal::ImageTooLarge(1, 100_000_000, at)) if at.starts_with("data:image/svg+xml,%3C"))
        );
    }

    #[test]
    fn what_a_browser_would_run_is_refused() {
        for (body, what, needle) in [
            ("<script>alert(1)</script>", "<script>", "<script"),
            ("<rect width=\"9\" height=\"9\" onload=\"alert(1)\"/>", "onload=\"alert(1)\"", "onload="),
            ("<g ONCLICK=\"x()\"/>", "ONCLICK=\"x()\"", "ONCLICK="),
            ("<a href=\"#x\"><set attributeName=\"href\" to=\"javascript:alert(1)\"/></a>", "<set>", "<set"),
            ("<animate attributeName=\"href\" values=\"javascript:x\"/>", "<animate>", "<animate"),
            ("<foreignObject><p>hi</p></foreignObject>", "<foreignObject>", "<foreignObject"),
            ("<rect src=\"x.js\"/>", "src=\"x.js\"", "src="),
            ("<a href=\"data:text/html,hello\"><rect/></a>", "<a href=\"data:text/html,hello\">", "data:"),
        ] {
            let svg = format!("<svg xmlns=\"{SVG}\">{body}</svg>");
            assert_eq!(art(&svg), Err(Refusal::Active(what.into(), needle.into())), "{body}");
        }
        // A picture may be a data: URL; an emblem still may not embed one.
        let svg = format!("<svg xmlns=\"{SVG}\"><image href=\"data:image/png;base64,AA==\"/></svg>");
        assert_eq!(art(&svg), Ok(()));
    }
}
