//! Templates: Tera set-up, waxseal's own filters and where a template error is.
//!
//! Message bodies, a merged message's front matter values and every theme
//! template are Tera templates with the same filters: `date` (with `%o`, the
//! day as an ordinal), `ordinal`, `plural`, `default` and `fixed`. A Tera error
//! is turned into a line, column and message here, so a diagnostic can point
//! into the file the template came from. This module is a leaf: it knows
//! no message, theme or site.
//!
//! Templates come from anyone (a message body, a theme), so every render is
//! bounded (see [`budget`]): in loop steps, in the size of each value it
//! makes, in what it writes and in time. Tera has no such limits of its own,
//! so each template's source is instrumented before Tera reads it.

mod bounded_filters;
pub mod budget;

pub use budget::{column_in_source, instrument, render, render_str};

/// Whether `text` holds a Tera expression or tag.
pub fn is_template(text: &str) -> bool {
    text.contains("{{") || text.contains("{%")
}

/// Parses `2026-11-23`, `2026-11-23 10:30` or `2026-11-23T10:30:00`, in
/// the years 1 to 9999 (year 0 and before are no calendar's years, and
/// feeds and sitemaps cannot say them).
pub fn parse_date(text: &str) -> Option<jiff::civil::DateTime> {
    let text = text.trim();
    let date = match text.parse::<jiff::civil::Date>() {
        Ok(date) => date.to_datetime(jiff::civil::Time::midnight()),
        Err(_) => text.replacen(' ', "T", 1).parse::<jiff::civil::DateTime>().ok()?,
    };
    (1..=9999).contains(&date.year()).then_some(date)
}

/// Registers waxseal's template filters on a Tera instance: `date`,
/// `ordinal`, `plural`, `default` (for missing and empty fields alike) and
/// `fixed`.
pub fn register_filters(tera: &mut tera::Tera) {
    budget::register(tera);
    tera.register_filter("date", date_filter);
    tera.register_filter("ordinal", ordinal_filter);
    tera.register_filter("plural", plural_filter);
    tera.register_filter("default", default_filter);
    tera.register_filter("fixed", fixed_filter);
}

/// `{{ x | fixed }}`: a number with at most two decimals, for stable SVG.
fn fixed_filter(value: f64, _: tera::Kwargs, _: &tera::State) -> String {
    let text = format!("{value:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_string()
    } else {
        text.to_string()
    }
}

/// `{{ date | date(format="%A, %B %-d") }}`: strftime on a date (the
/// message's, or any `YYYY-MM-DD` text); `%o` is the day with its ordinal
/// suffix (`6th`).
fn date_filter(value: &str, kwargs: tera::Kwargs, _: &tera::State) -> tera::TeraResult<String> {
    let format: String = kwargs.get("format")?.unwrap_or_else(|| "%B %-d, %Y".to_string());
    let date = parse_date(value).ok_or_else(|| tera::Error::message(format!("`{value}` is not a date")))?;
    let format = with_ordinal_day(&format, i64::from(date.day()));
    jiff::fmt::strtime::format(format.as_str(), date).map_err(|e| tera::Error::message(format!("bad date format: {e}")))
}

/// `format` with each `%o` replaced by `day` as an ordinal (`%%o` stays).
fn with_ordinal_day(format: &str, day: i64) -> String {
    let mut out = String::with_capacity(format.len());
    let mut chars = format.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('o') => out.push_str(&ordinal(day)),
            Some(next) => {
                out.push('%');
                out.push(next);
            }
            None => out.push('%'),
        }
    }
    out
}

/// `6th`, `1st`, `22nd`, `113th`: English ordinals.
pub fn ordinal(n: i64) -> String {
    // unsigned_abs: the smallest i64 has no positive i64.
    let suffix = match (n.unsigned_abs() % 10, n.unsigned_abs() % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// An integer given as a number or as text (a CSV cell): `3`, `"3"`, `" 3 "`.
fn integer_of(value: &tera::Value) -> Option<i64> {
    match value.as_str() {
        Some(text) => text.trim().parse().ok(),
        None => value.as_i128().and_then(|n| i64::try_from(n).ok()),
    }
}

/// `{{ 6 | ordinal }}` is `6th`; on a date (`{{ date | ordinal }}`), the
/// ordinal of its day.
fn ordinal_filter(value: tera::Value, _: tera::Kwargs, _: &tera::State) -> tera::TeraResult<String> {
    if let Some(n) = integer_of(&value) {
        return Ok(ordinal(n));
    }
    match value.as_str().and_then(parse_date) {
        Some(date) => Ok(ordinal(i64::from(date.day()))),
        None => Err(tera::Error::message(format!("`ordinal` needs a whole number or a date, not `{value}`"))),
    }
}

/// `{{ count | plural(one="CD", other="CDs") }}`: `one` for 1 (and -1),
/// else `other` (and `zero`, when given, for 0). The count may be a number
/// or text holding one (a CSV cell).
fn plural_filter(value: tera::Value, kwargs: tera::Kwargs, _: &tera::State) -> tera::TeraResult<String> {
    let n = integer_of(&value)
        .ok_or_else(|| tera::Error::message(format!("`plural` needs a whole number, not `{value}`")))?;
    let one: String = kwargs.must_get("one")?;
    let other: String = kwargs.must_get("other")?;
    let zero: Option<String> = kwargs.get("zero")?;
    Ok(match n {
        1 | -1 => one,
        0 => zero.unwrap_or(other),
        _ => other,
    })
}

/// `{{ recipient.nickname | default(value=recipient.name) }}`: `value` when
/// the field is missing (a row or the front matter lacks it) or empty (null,
/// as an absent front matter field is); else the field. With
/// `boolean=true`, also for anything false (empty text, 0, an empty list).
fn default_filter(value: tera::Value, kwargs: tera::Kwargs, _: &tera::State) -> tera::TeraResult<tera::Value> {
    let fallback: tera::Value = kwargs.must_get("value")?;
    let boolean: bool = kwargs.get("boolean")?.unwrap_or_default();
    let missing = value.is_undefined() || value.is_none() || (boolean && !value.is_truthy());
    Ok(if missing { fallback } else { value })
}

/// 1-based line, 1-based column and message of a Tera error.
pub fn tera_location(e: &tera::Error) -> (usize, usize, String) {
    match e.kind() {
        tera::ErrorKind::SyntaxError(report) | tera::ErrorKind::RenderingError(report) => {
            (report.span().start_line, report.span().start_col + 1, report.message().to_string())
        }
        tera::ErrorKind::Msg(text) => match report_parts(text) {
            Some((_, line, col, message)) => (line, col, message.to_string()),
            None => (0, 0, text.clone()),
        },
        other => (0, 0, other.to_string()),
    }
}

/// The template, line, column and message of the first report in an error
/// Tera gives as text (the checks it makes once every template is added,
/// such as an include of a template it does not have):
/// `error: MESSAGE\n --> NAME:LINE:COL\n...`.
fn report_parts(text: &str) -> Option<(&str, usize, usize, &str)> {
    let mut lines = text.lines();
    let message = lines.next()?.strip_prefix("error: ")?;
    let (name, position) = lines.next()?.trim().strip_prefix("--> ")?.split_once(':')?;
    let (line, col) = position.split_once(':')?;
    Some((name, line.parse().ok()?, col.parse().ok()?, message))
}

/// The template a Tera error happened in, when it says (an error in an
/// included template names that one).
pub fn tera_file(e: &tera::Error) -> Option<&str> {
    match e.kind() {
        tera::ErrorKind::SyntaxError(report) | tera::ErrorKind::RenderingError(report) => {
            Some(report.filename()).filter(|name| !name.is_empty())
        }
        tera::ErrorKind::Msg(text) => report_parts(text).map(|(name, ..)| name),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(template: &str, context: &tera::Context) -> String {
        let mut tera = tera::Tera::new();
        register_filters(&mut tera);
        tera.render_str(template, context, false).unwrap_or_else(|e| format!("error: {}", tera_location(&e).2))
    }

    #[test]
    fn date_phrases_ordinals_plurals_and_defaults() {
        let mut context = tera::Context::new();
        context.insert("date", "2026-06-06");
        context.insert("none", &Option::<String>::None);
        context.insert("row", &serde_json::json!({ "name": "Deb", "count": "3", "one": 1 }));
        assert_eq!(render("{{ date | date(format=\"%A, %B %o\") }}", &context), "Saturday, June 6th");
        assert_eq!(render("{{ date | date(format=\"100%% on the %o\") }}", &context), "100% on the 6th");
        assert_eq!(render("{{ date | ordinal }} {{ 22 | ordinal }} {{ \"13\" | ordinal }}", &context), "6th 22nd 13th");
        let ordinals: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 101, 111, 112].map(ordinal).to_vec();
        assert_eq!(ordinals, ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "101st", "111th", "112th"]);
        let cds = "{{ row.count }} {{ row.count | plural(one=\"CD\", other=\"CDs\") }}";
        assert_eq!(render(cds, &context), "3 CDs");
        assert_eq!(render("{{ row.one | plural(one=\"CD\", other=\"CDs\") }}", &context), "CD");
        assert_eq!(render("{{ 0 | plural(one=\"CD\", other=\"CDs\", zero=\"no CDs\") }}", &context), "no CDs");
        assert!(render("{{ row.name | plural(one=\"a\", other=\"b\") }}", &context).contains("needs a whole number"));
        let nick = "{{ row.nickname | default(value=row.name) }} {{ none | default(value=\"friend\") }}";
        assert_eq!(render(nick, &context), "Deb friend");
        assert_eq!(render("{{ row.name | default(value=\"x\") }}", &context), "Deb");
        assert!(render("{{ row.nickname }}", &context).starts_with("error: Field `nickname` is not defined"));
    }

    #[test]
    fn the_smallest_integer_has_an_ordinal() {
        // As `extra: { n: -9223372036854775808 }` gives it; `abs` overflowed.
        let mut context = tera::Context::new();
        context.insert("n", &i64::MIN);
        assert_eq!(render("{{ n | ordinal }}", &context), "-9223372036854775808th");
    }
}
