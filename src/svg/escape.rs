//! XML text escaping, shared by everything that writes SVG.

/// Escapes text for XML content and (double- or single-quoted) attribute
/// values. Characters XML cannot hold at all (control characters but tab and
/// line ends, U+FFFE, U+FFFF), which a template can bring in from a YAML
/// escape or a CSV cell, are left out: no font draws them, and one would
/// make the whole file unreadable.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            c if !allowed(c) => {}
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `text` without the characters XML cannot hold (see [`escape`]).
pub fn without_forbidden(text: String) -> String {
    if text.chars().all(allowed) {
        text
    } else {
        text.chars().filter(|c| allowed(*c)).collect()
    }
}

/// Whether XML 1.0 allows `c` in a document.
fn allowed(c: char) -> bool {
    !(c < ' ' && !matches!(c, '\t' | '\n' | '\r') || c == '\u{fffe}' || c == '\u{ffff}')
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_markup() {
        assert_eq!(super::escape("<b>&\"'"), "&lt;b&gt;&amp;&quot;&#39;");
    }

    #[test]
    fn leaves_out_what_xml_cannot_hold() {
        assert_eq!(super::escape("a\u{1}b\u{7}\tc\nd\u{ffff}"), "ab\tc\nd");
    }
}
