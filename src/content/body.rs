//! A message's body template: rendered with the front matter, the site and
//! (for a merged card) the row in scope; its errors point at the message's
//! lines and name the row.

use super::{Message, Recipient};
use crate::config::SiteConfig;
use crate::diagnostics::Diagnostic;
use crate::template::tera_location;

/// Renders the body template with the front matter, `extra`, `site` and (for
/// a merged card) `recipient` in scope.
pub fn render_body(tera: &tera::Tera, message: &Message, site: &SiteConfig) -> Result<String, Diagnostic> {
    let mut context = tera::Context::new();
    let front = &message.front;
    context.insert("title", &front.title);
    context.insert("to", &front.to);
    context.insert("from", &front.from);
    context.insert("email", &front.email);
    context.insert("date", &front.date);
    context.insert("tags", &front.tags);
    context.insert("slug", &message.slug);
    context.insert("lang", &front.lang);
    context.insert("extra", &front.extra);
    context.insert("site", site);
    if let Some(recipient) = &message.recipient {
        context.insert("recipient", &recipient.fields);
    }
    crate::template::render_str(tera, &message.body, &context, true).map_err(|e| {
        let (line, col, text) = tera_location(&e);
        let line = if line > 0 { line + message.body_line - 1 } else { message.body_line };
        template_diagnostic(message, line, col, text)
    })
}

/// An error of a message's template (its body, or for a merged card a
/// front matter value) at `line:col` of the message: for a merged card it
/// names the row, and a field the row lacks gets a hint to give it a default.
pub fn template_diagnostic(message: &Message, line: usize, col: usize, text: String) -> Diagnostic {
    let Some(recipient) = &message.recipient else {
        let hint = text.contains("is not defined").then(|| {
            "your own fields go under `extra:` in the front matter and are used as `{{ extra.name }}`".to_string()
        });
        return Diagnostic::error(&message.source, line, col, text).with_hint_opt(hint);
    };
    let hint = match missing_field(&text, recipient) {
        Some(name) => format!(
            "{} ({}:{}) has no `{name}`: fill it in, or give a default: `{{{{ recipient.{name} | default(value=\"...\") }}}}`",
            recipient.describe(),
            recipient.file.display(),
            recipient.line,
        ),
        _ => format!("{} is at {}:{}", recipient.describe(), recipient.file.display(), recipient.line),
    };
    // Tera lists the fields the row has: rows that lack the same one share
    // the rest of the sentence.
    let gist = text.split(". Available fields:").next().unwrap_or(&text).to_string();
    Diagnostic::error(&message.source, line, col, format!("{}: {text}", recipient.describe()))
        .with_hint(hint)
        .repeating_as(gist)
}

/// The field of `recipient` a Tera error says is not defined: Tera names
/// the field and the fields its parent has, which must be the row's.
fn missing_field<'a>(text: &'a str, recipient: &Recipient) -> Option<&'a str> {
    let (name, rest) = text.strip_prefix("Field `")?.split_once('`')?;
    let rest = rest.strip_prefix(" is not defined.")?;
    let mut listed: Vec<&str> = rest.trim().strip_prefix("Available fields: ").unwrap_or("").split(", ").collect();
    listed.retain(|f| !f.is_empty());
    listed.sort_unstable();
    let mut fields: Vec<&str> = recipient.fields.keys().map(String::as_str).collect();
    fields.sort_unstable();
    (listed == fields).then_some(name)
}
