//! What `serve` adds to a served page: the live-reload script and, while the
//! last rebuild had errors, an overlay that shows them.
//!
//! The overlay gives each error as the terminal prints it
//! (`path:line:col: error: message` and its hint) and the source lines
//! around it, every piece HTML-escaped. These functions work on strings
//! only; nothing here is ever written to the output folder.

use std::fmt::Write as _;
use std::path::Path;

use crate::diagnostics::{escape_controls, plural, Diagnostic};

/// The live-reload script (see `live.js`).
const SCRIPT: &str = include_str!("live.js");

/// Source lines shown before and after an error's line.
const CONTEXT: usize = 2;

/// The overlay's look: fixed over the page, independent of the theme.
const STYLE: &str = "#waxseal-overlay{position:fixed;inset:0;z-index:2147483647;overflow:auto;\
background:rgba(20,12,8,.82);color:#fdf6ee;font:14px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;\
padding:5vh 4vw;box-sizing:border-box;text-align:left}\
#waxseal-overlay .ws-box{max-width:60rem;margin:0 auto;background:#2a1a12;border-left:6px solid #e0565b;\
border-radius:6px;padding:1rem 1.25rem;box-shadow:0 10px 40px rgba(0,0,0,.5)}\
#waxseal-overlay h2{font:600 15px/1.4 system-ui,sans-serif;margin:0 0 .75rem;color:#ffb3a7}\
#waxseal-overlay pre{white-space:pre-wrap;margin:.5rem 0 1rem;font:inherit}\
#waxseal-overlay .ws-src{background:#1b100b;padding:.5rem .75rem;border-radius:4px;color:#d9c8b8}\
#waxseal-overlay .ws-src mark{background:none;color:#fff;font-weight:700}\
#waxseal-overlay .ws-caret{color:#e0565b}\
#waxseal-overlay button{float:right;background:none;border:0;color:#fdf6ee;font-size:20px;cursor:pointer}";

/// The overlay for the errors among `diagnostics`, or `None` when there are
/// none. Relative paths are read from `root` for the source lines.
pub fn render(root: &Path, diagnostics: &[Diagnostic]) -> Option<String> {
    let errors: Vec<&Diagnostic> = diagnostics.iter().filter(|d| d.is_error()).collect();
    if errors.is_empty() {
        return None;
    }
    let mut html = format!(
        "<div id=\"waxseal-overlay\" role=\"alertdialog\" aria-label=\"Build errors\"><style>{STYLE}</style>\
         <div class=\"ws-box\"><button type=\"button\" aria-label=\"Hide\" \
         onclick=\"this.closest('#waxseal-overlay').remove()\">&times;</button>\
         <h2>waxseal: {}. The last good cards are still shown; save a fix and this goes away.</h2>",
        plural(errors.len(), "error", "errors")
    );
    for d in errors {
        let _ = write!(html, "<pre class=\"ws-diag\">{}</pre>", escape(&d.to_string()));
        let path = if d.path.is_absolute() { d.path.clone() } else { root.join(&d.path) };
        if let Some(source) = std::fs::read_to_string(&path).ok().filter(|_| d.line > 0) {
            if let Some(lines) = source_lines(&source, d.line, d.col) {
                let _ = write!(html, "<pre class=\"ws-src\">{lines}</pre>");
            }
        }
    }
    html.push_str("</div></div>");
    Some(html)
}

/// The lines around `line` (1-based), numbered, the line itself marked and
/// a caret under `col` (1-based, 0 for none); HTML-escaped, and control
/// characters but tabs shown as escapes, as the terminal shows them.
fn source_lines(source: &str, line: usize, col: usize) -> Option<String> {
    let lines: Vec<&str> = source.lines().collect();
    // An error can stand just past the last line (at the end of the file).
    if line == 0 || line > lines.len() + 1 {
        return None;
    }
    let first = line.saturating_sub(CONTEXT).max(1);
    let last = (line + CONTEXT).min(lines.len().max(line));
    let width = last.to_string().len();
    let mut out = String::new();
    for n in first..=last {
        let text: String = lines.get(n - 1).copied().unwrap_or("").chars().take(240).collect();
        if n == line {
            let _ = writeln!(out, "<mark>{n:>width$} | {}</mark>", escape(&visible(&text)));
            if col > 0 {
                // Tabs stay tabs so the caret lines up under them.
                let pad: String = text
                    .chars()
                    .take(col - 1)
                    .map(|c| {
                        if c == '\t' {
                            "\t".into()
                        } else {
                            " ".repeat(visible(c.encode_utf8(&mut [0; 4])).chars().count())
                        }
                    })
                    .collect();
                let _ = writeln!(out, "{:>width$} | {pad}<span class=\"ws-caret\">^</span>", "");
            }
        } else {
            let _ = writeln!(out, "{n:>width$} | {}", escape(&visible(&text)));
        }
    }
    Some(out)
}

/// `text` with its control characters shown as escapes, tabs kept.
fn visible(text: &str) -> String {
    text.split('\t').map(escape_controls).collect::<Vec<_>>().join("\t")
}

/// `page` with the live-reload script of run `run` at generation `gen`,
/// and `overlay` when there is one, added before `</body>`.
pub fn inject(page: &str, run: &str, gen: u64, overlay: Option<&str>) -> String {
    let snippet = format!(
        "{}<script id=\"waxseal-live\" data-run=\"{}\" data-gen=\"{gen}\">{SCRIPT}</script>",
        overlay.unwrap_or(""),
        escape(run)
    );
    let at = page.to_ascii_lowercase().rfind("</body>").unwrap_or(page.len());
    let mut out = String::with_capacity(page.len() + snippet.len());
    out.push_str(&page[..at]);
    out.push_str(&snippet);
    out.push_str(&page[at..]);
    out
}

/// The page for a URL with no file: plain, and live, so that it turns into
/// the card as soon as one is built there.
pub fn not_found(path: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not found</title></head>\
         <body style=\"font:16px/1.5 system-ui,sans-serif;margin:3rem\"><h1>Not found</h1>\
         <p><code>{}</code> is not in the output folder (yet).</p><p><a href=\"/\">The gallery</a></p></body></html>",
        escape(path)
    )
}

/// Text as HTML text or attribute value (the same escaping as XML's).
pub use crate::svg::escape;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_overlay_shows_the_error_and_its_source_escaped() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("content")).unwrap();
        std::fs::write(dir.path().join("content/a.md"), "---\ntitle: <b>Hi</b>\ntitel: x\n---\nBody\n").unwrap();
        let d = Diagnostic::error("content/a.md", 3, 1, "unknown field `titel`").with_hint("did you mean `title`?");
        let html = render(dir.path(), &[d, Diagnostic::warning("content/a.md", 1, 1, "just a warning")]).unwrap();
        assert!(html.contains("content/a.md:3:1: error: unknown field `titel`\n  hint: did you mean `title`?"));
        assert!(html.contains("1 error."), "{html}");
        assert!(!html.contains("just a warning"));
        assert!(html.contains("2 | title: &lt;b&gt;Hi&lt;/b&gt;"), "{html}");
        assert!(html.contains("<mark>3 | titel: x</mark>"), "{html}");
        assert!(html.contains("  | <span class=\"ws-caret\">^</span>"), "{html}");
        assert!(html.contains("5 | Body"), "{html}");
        assert!(!html.contains("<b>Hi"));
    }

    #[test]
    fn no_errors_no_overlay() {
        assert_eq!(render(Path::new("."), &[Diagnostic::warning("a.md", 1, 1, "w")]), None);
    }

    #[test]
    fn the_caret_stands_under_the_column() {
        let lines = source_lines("one\n\tkey: <x>\nthree", 2, 7).unwrap();
        assert!(lines.contains("<mark>2 | \tkey: &lt;x&gt;</mark>\n  | \t     <span"), "{lines}");
        assert_eq!(source_lines("one", 5, 1), None);
        let lines = source_lines("title: \u{1b}]0;x\u{7}<b> bad: 1\n", 1, 22).unwrap();
        assert!(lines.starts_with("<mark>1 | title: \\u{1b}]0;x\\u{7}&lt;b&gt; bad: 1</mark>\n"), "{lines}");
        assert!(lines.contains(&format!("  | {}<span", " ".repeat(30))), "{lines}");
    }

    #[test]
    fn the_script_goes_before_the_end_of_the_body() {
        let page = inject("<html><body><p>Hi</p></BODY></html>", "r1", 7, Some("<div id=\"waxseal-overlay\"></div>"));
        assert!(page.starts_with("<html><body><p>Hi</p><div id=\"waxseal-overlay\"></div><script id=\"waxseal-live\""));
        assert!(page.contains("data-run=\"r1\" data-gen=\"7\""));
        assert!(page.ends_with("</script></BODY></html>"));
        assert!(inject("<p>no body</p>", "r", 0, None).starts_with("<p>no body</p><script"));
    }
}
