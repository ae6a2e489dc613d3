//! Links: every link and picture of the published site is under its base
//! URL and points at a file the build wrote.

use crate::support::{site_tree, Site};

#[test]
fn base_url_prefixes_every_link() {
    let site = Site::fixture("basic");
    site.write("waxseal.yaml", "title: Shop\nbase_url: https://example.org/shop\n");
    assert_eq!(site.build(&[]).code, 0);
    let gallery = site.read("index.html");
    assert!(gallery.contains("href=\"https://example.org/shop/cards/love/\""), "{gallery}");
    assert!(gallery.contains("href=\"https://example.org/shop/assets/chocolate."), "{gallery}");
}

/// The values of every `attr="..."` in `text`.
fn attribute_values<'a>(text: &'a str, attr: &str) -> Vec<&'a str> {
    let needle = format!(" {attr}=\"");
    text.match_indices(&needle)
        .filter_map(|(at, _)| {
            let rest = &text[at + needle.len()..];
            rest.find('"').map(|end| &rest[..end])
        })
        .collect()
}

#[test]
fn every_internal_link_of_the_site_resolves_to_a_file() {
    let site = Site::fixture("basic");
    site.add_settings("gallery:\n  per_page: 2\n");
    let base = "https://example.org/shop/";
    assert_eq!(site.build(&["--base-url", base]).code, 0);
    let files = site_tree(&site.root().join("output"));
    let mut checked = 0;
    for (name, bytes) in &files {
        let text = String::from_utf8_lossy(bytes);
        let links: Vec<&str> = if name.ends_with(".html") {
            let mut links = attribute_values(&text, "href");
            links.extend(attribute_values(&text, "src"));
            links.extend(attribute_values(&text, "content").into_iter().filter(|c| c.starts_with("http")));
            links
        } else if name.ends_with(".css") {
            text.match_indices("url(").filter_map(|(at, _)| text[at + 4..].split(')').next()).collect()
        } else {
            continue;
        };
        for link in links {
            let link = link.trim_matches(['"', '\'']);
            assert!(!link.starts_with('/'), "{name}: `{link}` is not under the base URL");
            let Some(path) = link.strip_prefix(base) else {
                let elsewhere = ["https://", "http://", "data:", "mailto:", "#"].iter().any(|p| link.starts_with(p));
                assert!(elsewhere, "{name}: `{link}` is neither under the base URL nor elsewhere");
                continue;
            };
            let path = path.split(['#', '?']).next().unwrap();
            let file =
                if path.is_empty() || path.ends_with('/') { format!("{path}index.html") } else { path.to_string() };
            assert!(files.contains_key(&file), "{name} links `{link}`, which is not in the output");
            checked += 1;
        }
    }
    assert!(checked > 40, "only {checked} links checked");
}
