//! The line each command ends with (a build's is the library's
//! [`waxseal::serve::build_summary`], as `serve` prints it after every build).

use std::time::Duration;

use waxseal::check::CheckReport;
use waxseal::diagnostics::{escape_controls, plural};
use waxseal::print::{PrintOptions, PrintReport};
use waxseal::send::SendReport;

/// The line a send ends with: `sent 3 emails (2 sent before and unchanged,
/// 1 not sent) in 1.20s`.
pub(crate) fn send_summary(sent: &SendReport, dry_run: bool, took: Duration) -> String {
    let mut also = Vec::new();
    if sent.unchanged > 0 {
        also.push(format!("{} sent before and unchanged", sent.unchanged));
    }
    if sent.failed > 0 {
        also.push(format!("{} not sent", sent.failed));
    }
    let also = if also.is_empty() { String::new() } else { format!(" ({})", also.join(", ")) };
    let verb = if dry_run { "would send" } else { "sent" };
    format!("{verb} {}{also} in {:.2}s", plural(sent.sent.len(), "email", "emails"), took.as_secs_f64())
}

/// The line a print ends with: `printed 5 cards on 2 A4 sheets (4 a6 cards a
/// sheet) into output/print/sheets-a4.pdf in 0.41s`.
pub(crate) fn print_summary(printed: &PrintReport, options: &PrintOptions, took: Duration) -> String {
    let sizes: Vec<String> = printed
        .sizes
        .iter()
        .map(|(size, per_sheet, _)| {
            format!("{} a sheet", plural(*per_sheet, &format!("{size} card"), &format!("{size} cards")))
        })
        .collect();
    let file = printed.file.as_deref().map(|rel| options.output.join(rel)).unwrap_or_default();
    let sheet = options.sheet.label();
    format!(
        "printed {} on {} ({}) into {} in {:.2}s",
        plural(printed.cards, "card", "cards"),
        plural(printed.sheets, &format!("{sheet} sheet"), &format!("{sheet} sheets")),
        sizes.join(", "),
        escape_controls(&file.to_string_lossy()),
        took.as_secs_f64()
    )
}

/// The line a check ends with: `checked 3 cards in 0.12s: no problems`.
pub(crate) fn check_summary(checked: &CheckReport, took: Duration) -> String {
    let mut line = format!("checked {} in {:.2}s", plural(checked.cards, "card", "cards"), took.as_secs_f64());
    if checked.drafts_skipped > 0 {
        line.push_str(&format!(" ({} skipped)", plural(checked.drafts_skipped, "draft", "drafts")));
    }
    match checked.problems.diagnostics.len() {
        0 => line.push_str(": no problems"),
        n => line.push_str(&format!(": {}", plural(n, "problem", "problems"))),
    }
    line
}
