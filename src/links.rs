//! The links of a made site: every URL its pages and stylesheets use,
//! resolved to the output file it leads to and looked for among the files
//! there are.
//!
//! It reads the text of output files and knows nothing of messages or
//! themes: `check` says where a broken link was written. URLs that lead off
//! the site (another host, `mailto:`, `data:`, a path outside `base_url`)
//! are not checked.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::convert::Infallible;
use std::sync::Arc;

use html5gum::emitters::callback::{CallbackEmitter, CallbackEvent};
use html5gum::{Span, Tokenizer};
use iri_string::format::ToDedicatedString;
use iri_string::types::{IriAbsoluteStr, IriAbsoluteString, IriReferenceStr};
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, CONTROLS};

use crate::output::{HeldFile, Kept};

/// How a page uses a URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Use {
    /// It links to it (`href`, `og:url`, a stylesheet's `url(...)`).
    Link,
    /// It shows it (`src`, `srcset`, `og:image`).
    Image,
}

/// A URL as it stands in an output file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The URL, as a browser reads it (character references decoded).
    pub url: String,
    /// Where it starts in the file, in bytes.
    pub offset: usize,
    /// How it is used.
    pub kind: Use,
}

/// The URLs of an HTML page, and the `id`s a `#fragment` can lead to.
#[derive(Debug, Default)]
pub struct Page {
    /// Its URLs, in the order they stand.
    pub links: Vec<Found>,
    /// Its elements' `id`s (and `<a name>`s).
    pub ids: HashSet<String>,
    /// The line and column of each URL of `links`, when known (see [`keep`]).
    pub places: Vec<(usize, usize)>,
}

/// Where a URL leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A file of the site, relative to the output folder
    /// (`cards/deb/index.html`), and the `#fragment` asked for, if any.
    Site {
        /// The file.
        file: String,
        /// The fragment.
        fragment: Option<String>,
    },
    /// A path of the site's host outside the site's own (`base_url`'s),
    /// led to by a relative URL, which cannot mean another site: broken.
    Outside {
        /// The path.
        path: String,
    },
    /// Off the site (another host or scheme, or an absolute URL outside
    /// `base_url`): not checked.
    Elsewhere,
    /// Not a URL at all.
    Invalid,
}

/// A URL that leads nowhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    /// The output file it stands in.
    pub file: String,
    /// The URL, where it stands and how it is used.
    pub found: Found,
    /// Why it leads nowhere, in a few words.
    pub reason: String,
    /// Its line and column in the file (0, 0 when not known).
    pub place: (usize, usize),
}

/// The site's address, from `base_url`: which URLs are its own, and the
/// file each leads to.
#[derive(Debug, Clone)]
pub struct SiteUrls {
    /// `https://example.org` (a stand-in origin when `base_url` is a path).
    origin: String,
    /// `/shop/cards/`: where the output folder is published.
    path: String,
}

/// The origin of a site whose `base_url` is only a path: no URL a page
/// holds can have it, so every absolute URL is off the site.
const LOCAL_ORIGIN: &str = "waxseal-site://local";

/// Characters a browser percent-encodes in a URL before using it, where
/// a strict parser refuses them.
const LENIENT: &AsciiSet =
    &CONTROLS.add(b' ').add(b'"').add(b'<').add(b'>').add(b'\\').add(b'^').add(b'`').add(b'{').add(b'|').add(b'}');

/// What a path segment of an output file escapes, to stand in a URL.
const SEGMENT: &AsciiSet = &LENIENT.add(b'#').add(b'?').add(b'%').add(b'[').add(b']');

impl SiteUrls {
    /// The site published at `base_url`: `https://example.org/shop/`,
    /// `/shop/` or `/`.
    pub fn new(base_url: &str) -> SiteUrls {
        let base = base_url.trim();
        let absolute = if base.starts_with("//") { format!("https:{base}") } else { base.to_string() };
        if let Ok(url) = IriAbsoluteStr::new(&absolute) {
            if let Some(authority) = url.authority_str() {
                let origin = format!("{}://{authority}", url.scheme_str());
                return SiteUrls { origin, path: with_slashes(url.path_str()) };
            }
        }
        // A path: a base without a leading slash is relative to each page,
        // which places the site nowhere in particular; take the host's root.
        let path = if base.starts_with('/') { with_slashes(base) } else { "/".to_string() };
        SiteUrls { origin: LOCAL_ORIGIN.to_string(), path }
    }

    /// Where the site is published: `base_url`, from its root.
    fn address(&self) -> String {
        match self.origin.as_str() {
            LOCAL_ORIGIN => self.path.clone(),
            origin => format!("{origin}{}", self.path),
        }
    }

    /// Where `url`, standing in output file `page` (`cards/deb/index.html`),
    /// leads.
    pub fn resolve(&self, page: &str, url: &str) -> Target {
        let page_url = format!("{}{}{}", self.origin, self.path, utf8_percent_encode(page, SEGMENT));
        let Ok(base) = IriAbsoluteString::try_from(page_url) else {
            return Target::Invalid;
        };
        // As a browser does: no surrounding whitespace, no tabs or line
        // breaks, spaces and the like percent-encoded.
        let cleaned: String = url.trim_matches(|c: char| c.is_ascii_whitespace()).replace(['\t', '\n', '\r'], "");
        let cleaned = escape_stray_percents(&utf8_percent_encode(&cleaned, LENIENT).to_string());
        let Ok(reference) = IriReferenceStr::new(&cleaned) else {
            return Target::Invalid;
        };
        // Relative (`../x`, `/x`) URLs are the site's own; absolute ones
        // only when they start with `base_url`.
        let own = reference.scheme_str().is_none() && reference.authority_str().is_none();
        let resolved = reference.resolve_against(&base).to_dedicated_string();
        let origin = match resolved.authority_str() {
            Some(authority) => format!("{}://{authority}", resolved.scheme_str()),
            None => return Target::Elsewhere,
        };
        if !origin.eq_ignore_ascii_case(&self.origin) {
            return Target::Elsewhere;
        }
        let path = resolved.path_str();
        let rel = match path.strip_prefix(self.path.as_str()) {
            Some(rel) => rel,
            None if path == self.path.trim_end_matches('/') => "",
            None if own => return Target::Outside { path: percent_decode_str(path).decode_utf8_lossy().into_owned() },
            None => return Target::Elsewhere,
        };
        let mut file = percent_decode_str(rel).decode_utf8_lossy().into_owned();
        if file.is_empty() || file.ends_with('/') {
            file.push_str("index.html");
        }
        let fragment = resolved
            .fragment_str()
            .map(|f| percent_decode_str(f).decode_utf8_lossy().into_owned())
            .filter(|f| !f.is_empty());
        Target::Site { file, fragment }
    }
}

/// `path` with a slash at each end.
fn with_slashes(path: &str) -> String {
    let inner = path.trim_matches('/');
    if inner.is_empty() {
        "/".to_string()
    } else {
        format!("/{inner}/")
    }
}

/// `url` with each `%` that starts no `%XX` escape written `%25`, as a
/// browser reads it.
fn escape_stray_percents(url: &str) -> String {
    let bytes = url.as_bytes();
    let mut out = String::with_capacity(url.len());
    for (i, c) in url.char_indices() {
        let escape = bytes.get(i + 1..i + 3).is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit));
        if c == '%' && !escape {
            out.push_str("%25");
        } else {
            out.push(c);
        }
    }
    out
}

/// The URLs of an HTML page (`href`, `src`, `srcset`, `poster`, link
/// preview `<meta>` tags, and `url(...)` in `<style>` and `style`), and its
/// `id`s.
pub fn html_links(html: &str) -> Page {
    let mut page = Page::default();
    let mut tag = Vec::new();
    // The open tag's attributes: name, value, where the value starts.
    let mut attributes: Vec<(Vec<u8>, String, usize)> = Vec::new();
    let mut in_style = false;
    let mut emitter = CallbackEmitter::new(|event: CallbackEvent<'_>, span: Span<usize>| -> Option<Infallible> {
        match event {
            CallbackEvent::OpenStartTag { name } => {
                tag = name.to_ascii_lowercase();
                attributes.clear();
            }
            CallbackEvent::AttributeName { name } => {
                attributes.push((name.to_ascii_lowercase(), String::new(), span.start));
            }
            CallbackEvent::AttributeValue { value } => {
                if let Some(last) = attributes.last_mut() {
                    last.1 = String::from_utf8_lossy(value).into_owned();
                    last.2 = span.start;
                }
            }
            CallbackEvent::CloseStartTag { .. } => {
                start_tag(html, &tag, &attributes, &mut page);
                in_style = tag == b"style";
            }
            CallbackEvent::EndTag { .. } => in_style = false,
            CallbackEvent::String { value } if in_style => {
                page.links.extend(css_links(&String::from_utf8_lossy(value), span.start));
            }
            _ => {}
        }
        None
    });
    // `<style>` and `<script>` hold text, not tags.
    emitter.naively_switch_states(true);
    match Tokenizer::new_with_emitter(html, emitter).finish() {
        Ok(()) => {}
        Err(never) => match never {},
    }
    page
}

/// The URLs and `id` of one start tag.
fn start_tag(html: &str, tag: &[u8], attributes: &[(Vec<u8>, String, usize)], page: &mut Page) {
    let get = |name: &str| attributes.iter().find(|(n, _, _)| n == name.as_bytes()).map(|(_, v, _)| v);
    let meta = match get("property").or_else(|| get("name")).map(|key| key.to_ascii_lowercase()).as_deref() {
        _ if tag != b"meta" => None,
        Some("og:image" | "og:image:url" | "og:image:secure_url" | "twitter:image" | "twitter:image:src") => {
            Some(Use::Image)
        }
        Some("og:url" | "twitter:url") => Some(Use::Link),
        _ => None,
    };
    let shows = matches!(tag, b"img" | b"source" | b"video" | b"audio" | b"input" | b"embed" | b"track");
    for (name, value, at) in attributes {
        // Where byte `i` of the value stands in the page: exact when the
        // value is written as it reads (no character references), else
        // the value's start.
        let written = html.get(*at..).is_some_and(|rest| rest.starts_with(value.as_str()));
        let place = |i: usize| if written { at + i } else { *at };
        let links = &mut page.links;
        match name.as_slice() {
            b"href" => add(links, value, place(0), Use::Link),
            b"src" => add(links, value, place(0), if shows { Use::Image } else { Use::Link }),
            b"poster" => add(links, value, place(0), Use::Image),
            b"content" => {
                if let Some(kind) = meta {
                    add(links, value, place(0), kind);
                }
            }
            b"srcset" => {
                for (i, url) in srcset_urls(value) {
                    add(links, url, place(i), Use::Image);
                }
            }
            b"style" => links.extend(css_links(value, 0).into_iter().map(|f| Found { offset: place(f.offset), ..f })),
            b"id" => {
                page.ids.insert(value.clone());
            }
            b"name" if tag == b"a" => {
                page.ids.insert(value.clone());
            }
            _ => {}
        }
    }
}

/// Adds `url` (as written in an attribute, at `offset`) unless it is empty.
fn add(links: &mut Vec<Found>, url: &str, offset: usize, kind: Use) {
    let lead = url.len() - url.trim_start_matches(|c: char| c.is_ascii_whitespace()).len();
    let url = url.trim_matches(|c: char| c.is_ascii_whitespace());
    if !url.is_empty() {
        links.push(Found { url: url.to_string(), offset: offset + lead, kind });
    }
}

/// The URLs of a `srcset` value (`a.png 1x, b.png 2x`), each with where it
/// starts in the value.
fn srcset_urls(value: &str) -> Vec<(usize, &str)> {
    let mut urls = Vec::new();
    let mut rest = 0;
    while rest < value.len() {
        let start = match value[rest..].find(|c: char| !c.is_ascii_whitespace() && c != ',') {
            Some(skip) => rest + skip,
            None => break,
        };
        let end = value[start..].find(|c: char| c.is_ascii_whitespace()).map_or(value.len(), |n| start + n);
        let url = &value[start..end];
        // A URL followed by no descriptor may end with the comma.
        let trimmed = url.trim_end_matches(',');
        if !trimmed.is_empty() {
            urls.push((start, trimmed));
        }
        if url.ends_with(',') {
            rest = end;
            continue;
        }
        // Skip the descriptors, up to the next comma.
        rest = value[end..].find(',').map_or(value.len(), |n| end + n + 1);
    }
    urls
}

/// The `url(...)`s (and `@import` strings) of a stylesheet that starts at
/// `at` in its file.
pub fn css_links(css: &str, at: usize) -> Vec<Found> {
    let mut parser = cssparser::Parser::new(css);
    let mut found = Vec::new();
    css_urls(&mut parser, css, false, &mut found);
    for f in &mut found {
        f.offset += at;
    }
    found
}

/// Collects the URLs of a block; in `url(` when `in_url`.
fn css_urls(parser: &mut cssparser::Parser, css: &str, in_url: bool, found: &mut Vec<Found>) {
    use cssparser::Token;
    let mut import = false;
    let mut push = |url: &str, offset: usize| found.push(Found { url: url.to_string(), offset, kind: Use::Link });
    loop {
        let start = parser.position().byte_index();
        let token = match parser.next_including_whitespace_and_comments() {
            Ok(token) => token.clone(),
            Err(_) => break,
        };
        match &token {
            Token::UnquotedUrl(url) => {
                let inside = css[start..].find(&**url).map_or(start, |n| start + n);
                push(url, inside);
            }
            Token::QuotedString(url) if in_url || import => push(url, start + 1),
            Token::AtKeyword(name) => import = name.eq_ignore_ascii_case("import"),
            Token::WhiteSpace(_) | Token::Comment(_) => {}
            Token::Function(_) | Token::ParenthesisBlock | Token::SquareBracketBlock | Token::CurlyBracketBlock => {
                let url = matches!(&token, Token::Function(name) if name.eq_ignore_ascii_case("url"));
                let mut inner = Vec::new();
                let _ = parser.parse_nested_block(|p| -> Result<(), cssparser::ParseError<()>> {
                    css_urls(p, css, url, &mut inner);
                    Ok(())
                });
                for f in inner {
                    push(&f.url, f.offset);
                }
                import = false;
            }
            _ => import = false,
        }
    }
}

/// What a link check keeps of output file `rel` (see [`crate::output::Keep`]):
/// of a page or a stylesheet its URLs, each with its line and column, and
/// its `id`s, never its text (a site of many cards would be held whole).
pub fn keep(rel: &str, bytes: &[u8]) -> Option<Kept> {
    let text = || String::from_utf8_lossy(bytes);
    let mut page = if rel.ends_with(".html") {
        html_links(&text())
    } else if rel.ends_with(".css") {
        Page { links: css_links(&text(), 0), ..Page::default() }
    } else {
        return None;
    };
    page.places = places(&text(), page.links.iter().map(|f| f.offset));
    page.links.shrink_to_fit();
    Some(Arc::new(page))
}

/// The line and column of each byte offset of `offsets` in `text`.
fn places(text: &str, offsets: impl Iterator<Item = usize>) -> Vec<(usize, usize)> {
    let starts: Vec<usize> = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
    offsets
        .map(|offset| {
            let offset = offset.min(text.len());
            let line = starts.partition_point(|&start| start <= offset);
            let start = starts[line - 1];
            (line, text.get(start..offset).map_or(offset - start, |s| s.chars().count()) + 1)
        })
        .collect()
}

/// Checks every link of the pages and stylesheets among `files` (output
/// paths and what an output in memory holds of them, see [`keep`]) of the
/// site at `site`.
pub fn check(files: &BTreeMap<String, HeldFile>, site: &SiteUrls) -> Vec<Broken> {
    let parsed: Vec<(&str, &Page)> = files
        .iter()
        .filter_map(|(file, held)| Some((file.as_str(), held.kept.as_ref()?.downcast_ref::<Page>()?)))
        .collect();
    let ids: HashMap<&str, &HashSet<String>> = parsed.iter().map(|(file, page)| (*file, &page.ids)).collect();
    let mut broken = Vec::new();
    for (file, page) in &parsed {
        for (i, found) in page.links.iter().enumerate() {
            let place = page.places.get(i).copied().unwrap_or_default();
            let reason = match site.resolve(file, &found.url) {
                Target::Elsewhere => continue,
                Target::Invalid => "it is not a valid URL".to_string(),
                Target::Outside { path } => {
                    format!("it leads to `{path}`, outside the site, which is published at `{}`", site.address())
                }
                Target::Site { file: target, fragment } => {
                    let folder = format!("{target}/index.html");
                    let there = if files.contains_key(&target) {
                        target
                    } else if !target.ends_with("/index.html") && files.contains_key(&folder) {
                        // A folder without its slash: hosts redirect it.
                        folder
                    } else {
                        broken.push(Broken {
                            file: file.to_string(),
                            found: found.clone(),
                            reason: format!("the site has no file `{target}`"),
                            place,
                        });
                        continue;
                    };
                    let Some(fragment) = fragment else { continue };
                    let Some(targets) = ids.get(there.as_str()) else { continue };
                    // `#top` scrolls to the top of any page.
                    if targets.contains(&fragment) || fragment.eq_ignore_ascii_case("top") {
                        continue;
                    }
                    format!("`{there}` has no element with the id `{fragment}`")
                }
            };
            broken.push(Broken { file: file.to_string(), found: found.clone(), reason, place });
        }
    }
    broken
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(file: &str) -> Target {
        Target::Site { file: file.to_string(), fragment: None }
    }

    #[test]
    fn site_urls_under_a_sub_path() {
        let urls = SiteUrls::new("https://example.org/shop/cards/");
        let page = "cards/deb/index.html";
        assert_eq!(urls.resolve(page, "https://example.org/shop/cards/cards/ann/"), site("cards/ann/index.html"));
        assert_eq!(urls.resolve(page, "HTTPS://Example.org/shop/cards/feed.xml"), site("feed.xml"));
        assert_eq!(urls.resolve(page, "/shop/cards/assets/a.css"), site("assets/a.css"));
        assert_eq!(urls.resolve(page, "/shop/cards"), site("index.html"), "the site's folder without its slash");
        assert_eq!(urls.resolve("index.html", "/shop/cards/?page=2"), site("index.html"));
        // A relative URL outside the site's path is the site's, and broken;
        // an absolute one, or another host, is not the site's.
        let outside = |path: &str| Target::Outside { path: path.to_string() };
        assert_eq!(urls.resolve(page, "/shop/"), outside("/shop/"));
        assert_eq!(urls.resolve(page, "/missing.png"), outside("/missing.png"));
        assert_eq!(urls.resolve(page, "../../../x"), outside("/shop/x"));
        assert_eq!(urls.resolve(page, "https://example.org/shop/"), Target::Elsewhere);
        assert_eq!(urls.resolve(page, "https://example.org/shop/cardsx/"), Target::Elsewhere);
        assert_eq!(urls.resolve(page, "https://other.example/shop/cards/"), Target::Elsewhere);
        assert_eq!(urls.resolve(page, "//other.example/shop/cards/"), Target::Elsewhere);
        assert_eq!(urls.resolve(page, "//example.org/shop/cards/x.png"), site("x.png"));
    }

    #[test]
    fn relative_urls_resolve_from_their_page() {
        let urls = SiteUrls::new("/");
        let page = "cards/orders/deb/index.html";
        assert_eq!(urls.resolve(page, "card.png"), site("cards/orders/deb/card.png"));
        assert_eq!(urls.resolve(page, "./"), site("cards/orders/deb/index.html"));
        assert_eq!(urls.resolve(page, "../ann/"), site("cards/orders/ann/index.html"));
        assert_eq!(urls.resolve(page, "../../../"), site("index.html"));
        assert_eq!(urls.resolve(page, "../../../../../feed.xml"), site("feed.xml"), "no climbing above the root");
        assert_eq!(urls.resolve(page, "/cards/nope/"), site("cards/nope/index.html"));
        assert_eq!(urls.resolve(page, " /a%20b.png "), site("a b.png"));
        assert_eq!(urls.resolve(page, "/a b.png"), site("a b.png"));
        assert_eq!(urls.resolve(page, "/caf%C3%A9/"), site("café/index.html"));
        assert_eq!(urls.resolve(page, "/café/"), site("café/index.html"));
        assert_eq!(urls.resolve(page, "/100%/"), site("100%/index.html"));
        let under = SiteUrls::new("/shop/");
        assert_eq!(under.resolve("cards/a/index.html", "../b/"), site("cards/b/index.html"));
        assert_eq!(under.resolve("cards/a/index.html", "../../../../x"), Target::Outside { path: "/x".into() });
        assert_eq!(under.resolve("index.html", "https://example.org/shop/"), Target::Elsewhere);
    }

    #[test]
    fn fragments_and_queries() {
        let urls = SiteUrls::new("/");
        let fragment = |file: &str, f: &str| Target::Site { file: file.into(), fragment: Some(f.into()) };
        assert_eq!(urls.resolve("cards/a/index.html", "#note"), fragment("cards/a/index.html", "note"));
        assert_eq!(urls.resolve("cards/a/index.html", "#"), site("cards/a/index.html"));
        assert_eq!(urls.resolve("index.html", "/cards/a/?x=1#caf%C3%A9"), fragment("cards/a/index.html", "café"));
        assert_eq!(urls.resolve("index.html", "page/2/?x=1"), site("page/2/index.html"));
    }

    #[test]
    fn other_schemes_are_elsewhere() {
        let urls = SiteUrls::new("/");
        for url in [
            "mailto:deb@example.org",
            "tel:+15551234",
            "data:image/png;base64,AAAA",
            "javascript:void(0)",
            "https://example.org/",
            "http://localhost:4000/",
        ] {
            assert_eq!(urls.resolve("index.html", url), Target::Elsewhere, "{url}");
        }
        assert_eq!(urls.resolve("index.html", "http://[::1"), Target::Invalid);
    }

    #[test]
    fn html_links_with_where_they_stand() {
        let html = "<html><head>\n<meta property=\"og:image\" content=\"/s.png\">\n<meta name=\"twitter:card\" content=\"summary\">\
                    <link rel=stylesheet href='/a.css'><style>p { background: url(\"/bg.png\") }</style></head>\n\
                    <body id=top><a href=\"/x/?a=1&amp;b=2\">x</a><img src=\"t.png\" srcset=\"t.png 1x, t2.png 2x\">\
                    <p style=\"background:url(/p.png)\" id=\"note\"><a name=old></a></body></html>";
        let page = html_links(html);
        let at = |url: &str| html.find(url).unwrap();
        let found: Vec<(&str, usize, Use)> = page.links.iter().map(|f| (f.url.as_str(), f.offset, f.kind)).collect();
        assert_eq!(
            found,
            vec![
                ("/s.png", at("/s.png"), Use::Image),
                ("/a.css", at("/a.css"), Use::Link),
                ("/bg.png", at("/bg.png"), Use::Link),
                ("/x/?a=1&b=2", at("/x/?a=1&amp;b=2"), Use::Link),
                ("t.png", at("t.png"), Use::Image),
                ("t.png", at("t.png 1x"), Use::Image),
                ("t2.png", at("t2.png"), Use::Image),
                ("/p.png", at("/p.png"), Use::Link),
            ]
        );
        let mut ids: Vec<&str> = page.ids.iter().map(String::as_str).collect();
        ids.sort();
        assert_eq!(ids, ["note", "old", "top"]);
    }

    #[test]
    fn srcset_candidates() {
        assert_eq!(srcset_urls("a.png"), vec![(0, "a.png")]);
        assert_eq!(srcset_urls(" a.png 1x,b.png 2x , c.png"), vec![(1, "a.png"), (10, "b.png"), (21, "c.png")]);
        assert_eq!(srcset_urls("a.png, b.png 2x"), vec![(0, "a.png"), (7, "b.png")]);
        // As the HTML standard reads it: a comma inside a URL is part of it.
        assert_eq!(srcset_urls("a.png,b.png 2x"), vec![(0, "a.png,b.png")]);
        assert_eq!(srcset_urls(""), Vec::<(usize, &str)>::new());
    }

    #[test]
    fn css_urls_in_every_form() {
        let css =
            "@import \"base.css\";\n/* url(/not.png) */ @font-face { src: url(\"/f.ttf\") format(\"truetype\"); }\n\
                   .a { background: url( /b.png ) , url('c.png'); content: \"url(/no.png)\" }";
        let found: Vec<(String, usize)> = css_links(css, 0).into_iter().map(|f| (f.url, f.offset)).collect();
        let at = |url: &str| css.find(url).unwrap();
        assert_eq!(
            found,
            vec![
                ("base.css".to_string(), at("base.css")),
                ("/f.ttf".to_string(), at("/f.ttf")),
                ("/b.png".to_string(), at("/b.png")),
                ("c.png".to_string(), at("c.png")),
            ]
        );
    }

    #[test]
    fn check_reports_missing_files_and_fragments() {
        let mut files = BTreeMap::new();
        let mut text = |rel: &str, s: &str| {
            files.insert(rel.to_string(), HeldFile { len: s.len() as u64, kept: keep(rel, s.as_bytes()) });
        };
        text(
            "index.html",
            "<a href=\"cards/a/\">a</a><a href=\"cards/a/#note\">n</a><a href=\"cards/a#gone\">g</a>\
                  <a href=\"cards/b/\">b</a><img src=\"pic.png\"><a href=\"https://else.example/\">e</a>\
                  <a href=\"#top\">top</a>\n<a href=\"cards/a/card.png#x\">png</a>",
        );
        text("cards/a/index.html", "<p id=\"note\">hi</p><link href=\"../../style.css\">");
        text("cards/a/card.png", "\u{89}PNG");
        text("style.css", "body {\n  background: url(missing.png) }");
        assert!(files["cards/a/card.png"].kept.is_none(), "only pages and stylesheets are read");
        let broken = check(&files, &SiteUrls::new("/"));
        let seen: Vec<(&str, &str, &str)> =
            broken.iter().map(|b| (b.file.as_str(), b.found.url.as_str(), b.reason.as_str())).collect();
        assert_eq!(
            seen,
            vec![
                ("index.html", "cards/a#gone", "`cards/a/index.html` has no element with the id `gone`"),
                ("index.html", "cards/b/", "the site has no file `cards/b/index.html`"),
                ("index.html", "pic.png", "the site has no file `pic.png`"),
                ("style.css", "missing.png", "the site has no file `missing.png`"),
            ]
        );
        assert_eq!(broken[2].found.kind, Use::Image);
        let places: Vec<(usize, usize)> = broken.iter().map(|b| b.place).collect();
        assert_eq!(places, [(1, 63), (1, 91), (1, 116), (2, 19)], "where each stands in its file");
    }
}
