//! Which pages a rebuild changed, from the output files it wrote.
//!
//! The build lists the files it wrote or removed ([`BuildReport::changed`]);
//! this turns that list into what the browser should do. Theme stylesheets
//! have content-hashed names, so a stylesheet edit rewrites every page that
//! links it. To tell such a page from one whose content changed, [`Pages`]
//! remembers a digest of each page with its stylesheet links blanked out:
//! when only the links differ, the page swaps its stylesheet instead of
//! reloading. Reads the output folder, never writes it.
//!
//! [`BuildReport::changed`]: crate::build::BuildReport::changed

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::Path;

use super::live::Reloads;

/// Digests of the served HTML pages, stylesheet links left out.
#[derive(Debug, Default)]
pub struct Pages {
    digests: HashMap<String, u64>,
}

impl Pages {
    /// Digests every page of the output folder.
    pub fn scan(output: &Path) -> Pages {
        let mut pages = Pages::default();
        for entry in walkdir::WalkDir::new(output).into_iter().flatten() {
            let path = entry.path();
            if entry.file_type().is_file() && path.extension().is_some_and(|e| e == "html") {
                if let (Ok(rel), Ok(html)) = (path.strip_prefix(output), std::fs::read_to_string(path)) {
                    pages.digests.insert(rel.to_string_lossy().replace('\\', "/"), digest(&html));
                }
            }
        }
        pages
    }

    /// What the browser should do after a rebuild that wrote or removed
    /// `changed` (paths relative to `output`, `/`-separated).
    pub fn plan(&mut self, output: &Path, changed: &[String]) -> Reloads {
        let mut reloads = Reloads::default();
        for rel in changed {
            let path = output.join(rel);
            if rel.ends_with(".html") {
                let now = std::fs::read_to_string(&path).ok().map(|html| digest(&html));
                let before = match now {
                    Some(d) => self.digests.insert(rel.clone(), d),
                    None => self.digests.remove(rel),
                };
                if now.is_none() || before != now {
                    reloads.reload.push(page_url(rel));
                }
            } else if let Some(theme) = stylesheet_theme(rel).filter(|_| path.is_file()) {
                reloads.styles.insert(theme.to_string(), format!("/{rel}"));
            } else {
                reloads.images.push(format!("/{rel}"));
            }
        }
        reloads
    }
}

/// The URL path of a page: `cards/a/index.html` -> `/cards/a/`.
fn page_url(rel: &str) -> String {
    match rel.strip_suffix("index.html") {
        Some(dir) => format!("/{dir}"),
        None => format!("/{rel}"),
    }
}

/// The theme of a stylesheet `assets/NAME.HASH.css`.
fn stylesheet_theme(rel: &str) -> Option<&str> {
    let file = rel.strip_prefix("assets/")?.strip_suffix(".css")?;
    let (name, _hash) = file.rsplit_once('.')?;
    (!name.contains('/')).then_some(name)
}

/// A digest of a page with every `/assets/….css` URL blanked out.
fn digest(html: &str) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    let mut rest = html;
    while let Some(at) = rest.find("/assets/") {
        let url = &rest[at..];
        let end = url.find(|c: char| c == '"' || c == '\'' || c == '>' || c.is_whitespace()).unwrap_or(url.len());
        rest[..at].hash(&mut hasher);
        if url[..end].ends_with(".css") {
            "/assets/*.css".hash(&mut hasher);
        } else {
            url[..end].hash(&mut hasher);
        }
        rest = &url[end..];
    }
    rest.hash(&mut hasher);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(css: &str, text: &str) -> String {
        format!("<link rel=\"stylesheet\" href=\"/assets/{css}\"><img src=\"/assets/seals/a.svg\"><p>{text}</p>")
    }

    #[test]
    fn a_page_whose_only_change_is_its_stylesheet_is_not_reloaded() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        std::fs::create_dir_all(out.join("cards/a")).unwrap();
        std::fs::create_dir_all(out.join("assets")).unwrap();
        std::fs::write(out.join("cards/a/index.html"), page("chocolate.111.css", "Hello")).unwrap();
        std::fs::write(out.join("index.html"), page("chocolate.111.css", "Gallery")).unwrap();
        let mut pages = Pages::scan(out);

        std::fs::write(out.join("assets/chocolate.222.css"), "body {}").unwrap();
        std::fs::write(out.join("cards/a/index.html"), page("chocolate.222.css", "Hello")).unwrap();
        std::fs::write(out.join("index.html"), page("chocolate.222.css", "Gallery")).unwrap();
        let changed = ["assets/chocolate.222.css", "cards/a/index.html", "index.html"].map(String::from);
        let reloads = pages.plan(out, &changed);
        assert!(reloads.reload.is_empty(), "{reloads:?}");
        assert_eq!(reloads.styles.get("chocolate").map(String::as_str), Some("/assets/chocolate.222.css"));

        std::fs::write(out.join("cards/a/index.html"), page("chocolate.222.css", "Hello again")).unwrap();
        std::fs::write(out.join("cards/a/card.png"), "png").unwrap();
        let changed = ["cards/a/card.png", "cards/a/index.html"].map(String::from);
        let reloads = pages.plan(out, &changed);
        assert_eq!(reloads.reload, ["/cards/a/"]);
        assert_eq!(reloads.images, ["/cards/a/card.png"]);
        assert!(reloads.styles.is_empty());
    }

    #[test]
    fn removed_and_new_pages_are_reloaded() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        std::fs::create_dir_all(out.join("cards/b")).unwrap();
        std::fs::write(out.join("cards/b/index.html"), page("x.1.css", "B")).unwrap();
        let mut pages = Pages::default();
        let changed = ["cards/a/index.html", "cards/b/index.html"].map(String::from);
        assert_eq!(pages.plan(out, &changed).reload, ["/cards/a/", "/cards/b/"]);
    }

    #[test]
    fn urls_and_theme_names() {
        assert_eq!(page_url("index.html"), "/");
        assert_eq!(page_url("cards/orders/shipped/index.html"), "/cards/orders/shipped/");
        assert_eq!(page_url("tags/love.html"), "/tags/love.html");
        assert_eq!(stylesheet_theme("assets/chocolate.0fef9f2cb4.css"), Some("chocolate"));
        assert_eq!(stylesheet_theme("assets/my.theme.0fef9f2cb4.css"), Some("my.theme"));
        assert_eq!(stylesheet_theme("assets/fonts/a.css"), None);
        assert_eq!(stylesheet_theme("cards/a/card.svg"), None);
    }
}
