//! Tera's filters that can make a text many times longer than their input
//! (`replace`, `join`, `indent`, the escapes), as waxseal's own: the same
//! results, but the size of what they would make is checked before they
//! make it (see [`super::budget`]). `s | replace(from="a", to=s)` squares a
//! text's length, a chain of escapes multiplies it by five each time.

use std::borrow::Cow;

use tera::{Kwargs, State, StringInput, TeraResult, Value};

use super::budget::check_size;

/// Registers the filters under Tera's names, in place of Tera's.
pub(super) fn register(tera: &mut tera::Tera) {
    tera.register_filter("replace", replace);
    tera.register_filter("join", join);
    tera.register_filter("indent", indent);
    tera.register_filter("escape", escape);
    tera.register_filter("escape_html", escape_html);
    tera.register_filter("escape_xml", escape_xml);
    tera.register_filter("newlines_to_br", newlines_to_br);
}

/// Tera's `replace`: every `from` replaced by `to`.
fn replace(val: StringInput, kwargs: Kwargs, state: &State) -> TeraResult<Value> {
    let from = kwargs.must_get::<&str>("from")?;
    let to = kwargs.must_get::<StringInput>("to")?;
    let be_safe = state.autoescaping_enabled() && (val.is_safe() || to.is_safe());
    let (text, to): (Cow<str>, Cow<str>) =
        if be_safe { (val.rendered(state)?, to.rendered(state)?) } else { (val.as_str().into(), to.as_str().into()) };
    // An empty `from` matches between every two characters.
    let matches = if from.is_empty() { text.chars().count() + 1 } else { text.matches(from).count() };
    check_size(text.len().saturating_add(matches.saturating_mul(to.len())))?;
    let out = text.replace(from, &to);
    Ok(if be_safe { Value::safe_string(&out) } else { Value::from(out) })
}

/// Tera's `join`: the items as text, `sep` between them.
fn join(val: &[Value], kwargs: Kwargs, state: &State) -> TeraResult<Value> {
    let sep = kwargs.get::<StringInput>("sep")?;
    let be_safe = state.autoescaping_enabled()
        && (val.iter().any(|x| x.is_string() && x.is_safe()) || sep.as_ref().is_some_and(|x| x.is_safe()));
    let sep: Cow<str> = match &sep {
        Some(s) if be_safe => s.rendered(state)?,
        Some(s) => s.as_str().into(),
        None => "".into(),
    };
    let mut parts = Vec::with_capacity(val.len());
    let mut total = 0usize;
    for v in val {
        let part = match (be_safe, v.is_undefined()) {
            (true, true) => String::new(),
            (true, false) => state.escape_if_needed(v)?,
            (false, _) => format!("{v}"),
        };
        total = total.saturating_add(part.len()).saturating_add(sep.len());
        check_size(total)?;
        parts.push(part);
    }
    let out = parts.join(&sep);
    Ok(if be_safe { Value::safe_string(&out) } else { Value::from(out) })
}

/// Tera's `indent`: each line but the first (and, with `first`, that one;
/// with `blank`, empty ones too) after `width` spaces or `indentation`s.
fn indent(val: StringInput, kwargs: Kwargs, state: &State) -> TeraResult<Value> {
    let width = kwargs.get::<usize>("width")?.unwrap_or(4).min(1000);
    let indentation = kwargs.get::<StringInput>("indentation")?;
    let indent_first_line = kwargs.get::<bool>("first")?.unwrap_or(false);
    let indent_blank_line = kwargs.get::<bool>("blank")?.unwrap_or(false);
    if indentation.as_ref().is_some_and(|i| i.as_str().chars().count() != 1) {
        return Err(tera::Error::message("The `indentation` argument must contain exactly one character"));
    }
    let be_safe = state.autoescaping_enabled() && (val.is_safe() || indentation.as_ref().is_some_and(|x| x.is_safe()));
    let text: Cow<str> = if be_safe { val.rendered(state)? } else { val.as_str().into() };
    let one: Cow<str> = match &indentation {
        Some(i) if be_safe => i.rendered(state)?,
        Some(i) => i.as_str().into(),
        None => " ".into(),
    };
    let lines = text.lines().count() + 1;
    check_size(text.len().saturating_add(lines.saturating_mul(one.len() * width)))?;
    let indent = one.repeat(width);
    let mut res = String::with_capacity(text.len() * 2);
    for (i, line) in text.lines().enumerate() {
        if i == 0 {
            if indent_first_line {
                res.push_str(&indent);
            }
        } else {
            res.push('\n');
            if !line.is_empty() || indent_blank_line {
                res.push_str(&indent);
            }
        }
        res.push_str(line);
    }
    if text.ends_with('\n') {
        res.push('\n');
    }
    Ok(if be_safe { Value::safe_string(&res) } else { Value::from(res) })
}

/// The most an escape makes of one byte (`"` is `&quot;`, `&#x27;`...).
const ESCAPE_GROWTH: usize = 6;

/// Tera's `escape`: the text escaped as the template's output is, unless safe.
fn escape(val: StringInput, _: Kwargs, state: &State) -> TeraResult<Value> {
    if val.is_safe() {
        return Ok(val.into_value());
    }
    check_size(val.as_str().len().saturating_mul(ESCAPE_GROWTH))?;
    Ok(Value::safe_string(&state.escape(val.as_str())?))
}

/// Tera's `escape_html`.
fn escape_html(val: &str, _: Kwargs, _: &State) -> TeraResult<String> {
    check_size(val.len().saturating_mul(ESCAPE_GROWTH))?;
    let mut buf = Vec::with_capacity(val.len());
    tera::escape_html(val, &mut buf).map_err(|e| tera::Error::message(e.to_string()))?;
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

/// Tera's `escape_xml`.
fn escape_xml(val: &str, _: Kwargs, _: &State) -> TeraResult<String> {
    check_size(val.len().saturating_mul(ESCAPE_GROWTH))?;
    let mut output = String::with_capacity(val.len() * 2);
    for c in val.chars() {
        match c {
            '&' => output.push_str("&amp;"),
            '<' => output.push_str("&lt;"),
            '>' => output.push_str("&gt;"),
            '"' => output.push_str("&quot;"),
            '\'' => output.push_str("&apos;"),
            _ => output.push(c),
        }
    }
    Ok(output)
}

/// Tera's `newlines_to_br`.
fn newlines_to_br(val: &str, _: Kwargs, _: &State) -> TeraResult<String> {
    check_size(val.len().saturating_mul(4))?;
    Ok(val.replace("\r\n", "<br>").replace(['\n', '\r'], "<br>"))
}
