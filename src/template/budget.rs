//! The budgets of one template render, and the instrumented sources that
//! keep them.
//!
//! Tera (2.4) runs a template to its end: it has a cap on `range` but none
//! on loop steps, on the size of a value or on time, and it gives waxseal
//! no hook inside its loop. A 110-byte body can double a text forty times
//! (a terabyte) and two nested loops can run for hours. So before Tera
//! reads a template, [`instrument`] puts a check into the tags that can
//! multiply work: each `for` passes what it walks through `__waxseal_loop`
//! (which counts its length against [`MAX_LOOP_STEPS`]), each `set` passes
//! its value through `__waxseal_value` (at most [`MAX_VALUE_BYTES`]); the
//! filters that multiply text (`replace`, `join`, `indent`, the escapes)
//! are waxseal's, checking their result's size before they build it; and
//! what cannot be checked this way (a `set` or `filter` block, a list
//! comprehension, a component, a tag of more than [`MAX_CONCATS`] `~`) is
//! refused at its line. [`render`] and [`render_str`] give each render its
//! budget and write into a buffer of at most [`MAX_OUTPUT_BYTES`]; every
//! 64th check also looks at the clock ([`MAX_RENDER_TIME`]).
//!
//! The checks go where they keep every column before them: `in range(...)`
//! becomes `in(range(...))|__waxseal_loop`, so Tera's errors still point
//! at the place in the file.

use std::cell::RefCell;
use std::io::Write;
use std::time::{Duration, Instant};

/// The most loop steps one render may take, counted as each loop starts
/// (the length of what it walks), nested loops each time they start.
pub const MAX_LOOP_STEPS: usize = 1_000_000;

/// The largest value (bytes of text, summed over a list or map) a `set`
/// may store or a filter that multiplies text may make.
pub const MAX_VALUE_BYTES: usize = 1 << 20;

/// The most bytes one render may write.
pub const MAX_OUTPUT_BYTES: usize = 16 << 20;

/// The longest one render may run.
pub const MAX_RENDER_TIME: Duration = Duration::from_secs(10);

/// The most `~` (text joins) one tag may hold: each join can make a text
/// as long as its parts, and a tag is checked only as a whole.
pub const MAX_CONCATS: usize = 64;

/// The budget of the render running on this thread.
struct Budget {
    steps: usize,
    /// Checks so far: the clock is read at every [`CLOCK_EVERY`]th.
    checks: usize,
    deadline: Instant,
    /// The first budget passed, in words.
    broken: Option<String>,
}

thread_local! {
    static BUDGET: RefCell<Option<Budget>> = const { RefCell::new(None) };
}

/// Runs `render` with a fresh budget on this thread. When a budget was
/// passed, that is the error, at the place of Tera's error when it has one
/// (a loop's or a `set`'s check), else at none (the output's).
fn bounded(render: impl FnOnce(&mut Limited) -> tera::TeraResult<()>) -> tera::TeraResult<String> {
    let budget = Budget { steps: 0, checks: 0, deadline: Instant::now() + MAX_RENDER_TIME, broken: None };
    let outer = BUDGET.with_borrow_mut(|b| b.replace(budget));
    let mut out = Limited(Vec::new());
    let result = render(&mut out);
    let broken = BUDGET.with_borrow_mut(|b| std::mem::replace(b, outer)).and_then(|b| b.broken);
    match (result, broken) {
        (Err(e), Some(why)) => {
            let (line, col, _) = super::tera_location(&e);
            let file = super::tera_file(&e).unwrap_or("");
            // The form `tera_location` and `tera_file` read back.
            Err(tera::Error::message(if line > 0 { format!("error: {why}\n --> {file}:{line}:{col}") } else { why }))
        }
        (Ok(()), Some(why)) => Err(tera::Error::message(why)),
        (Err(e), None) => Err(e),
        // Tera writes text: its output is UTF-8.
        (Ok(()), None) => Ok(String::from_utf8_lossy(&out.0).into_owned()),
    }
}

/// Renders template `name` of `tera` with `context`, within the budgets.
pub fn render(tera: &tera::Tera, name: &str, context: &tera::Context) -> tera::TeraResult<String> {
    bounded(|out| tera.render_to(name, context, out))
}

/// Renders the one-off template `source` (instrumented here) with
/// `context`, within the budgets.
pub fn render_str(
    tera: &tera::Tera,
    source: &str,
    context: &tera::Context,
    autoescape: bool,
) -> tera::TeraResult<String> {
    let bounded_source = instrument(source)
        .map_err(|(line, col, why)| tera::Error::message(format!("error: {why}\n --> :{line}:{col}")))?;
    bounded(|out| tera.render_str_to(&bounded_source, context, autoescape, out)).map_err(|e| {
        // A place after a check put in is that many columns further right in
        // the source Tera read: give the place in `source`.
        let (line, col, why) = super::tera_location(&e);
        match original_column(source, &bounded_source, line, col) {
            Some(col) => tera::Error::message(format!("error: {why}\n --> :{line}:{col}")),
            None => e,
        }
    })
}

/// Column `col` of line `line` of the template Tera read from `source`
/// (with the checks put in) as a column of `source` itself, for an error
/// of a template added with [`instrument`].
pub fn column_in_source(source: &str, line: usize, col: usize) -> usize {
    instrument(source).ok().and_then(|bounded| original_column(source, &bounded, line, col)).unwrap_or(col)
}

/// Column `col` of line `line` of `bounded` (the instrumented `source`)
/// as a column of `source`, when the line differs.
fn original_column(source: &str, bounded: &str, line: usize, col: usize) -> Option<usize> {
    let (before, after) = (source.lines().nth(line.checked_sub(1)?)?, bounded.lines().nth(line - 1)?);
    if before == after {
        return None;
    }
    // The checks only add text: walk both lines, skipping what was added.
    let (b, a): (Vec<char>, Vec<char>) = (before.chars().collect(), after.chars().collect());
    // An error of a check itself is at the expression it checks.
    let mut col = col;
    for name in [")|__waxseal_loop", ")|__waxseal_value"] {
        for (at, _) in after.match_indices(name) {
            let at = after[..at].chars().count();
            if (at..at + name.len()).contains(&(col - 1)) {
                col = matching_open(&a, at).map_or(col, |open| open + 2);
            }
        }
    }
    let (mut i, mut j) = (0, 0);
    while j + 1 < col && j < a.len() {
        // A character of the source, or the `(` in place of its space.
        if i < b.len() && (b[i] == a[j] || (a[j] == '(' && b[i] == ' ')) {
            i += 1;
        }
        j += 1;
    }
    Some(i + 1)
}

/// The index of the `(` that the `)` at `close` closes.
fn matching_open(chars: &[char], close: usize) -> Option<usize> {
    let mut depth = 0usize;
    for at in (0..close).rev() {
        match chars[at] {
            ')' => depth += 1,
            '(' if depth == 0 => return Some(at),
            '(' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// Records the first budget passed and gives the error that stops Tera.
fn exceeded(why: String) -> tera::Error {
    BUDGET.with_borrow_mut(|b| {
        if let Some(b) = b {
            b.broken.get_or_insert(why.clone());
        }
    });
    tera::Error::message(why)
}

/// How many checks pass between two looks at the clock: a page's template
/// writes its output in thousands of small pieces, each a check, and
/// reading the clock for each was 2 % of an HTML-only build. Each check
/// ends a bounded piece of work, so 64 of them take microseconds.
const CLOCK_EVERY: usize = 64;

/// Counts `steps` loop steps, and looks at the clock now and then.
fn spend(steps: usize) -> tera::TeraResult<()> {
    let over = BUDGET.with_borrow_mut(|b| {
        let b = b.as_mut()?;
        b.steps = b.steps.saturating_add(steps);
        if b.steps > MAX_LOOP_STEPS {
            return Some(format!("this template ran more than {MAX_LOOP_STEPS} loop steps (a loop too long?)"));
        }
        b.checks += 1;
        (b.checks % CLOCK_EVERY == 0 && Instant::now() > b.deadline)
            .then(|| format!("this template ran for more than {} s (a loop too long?)", MAX_RENDER_TIME.as_secs()))
    });
    match over {
        Some(why) => Err(exceeded(why)),
        None => Ok(()),
    }
}

/// Refuses a value of more than [`MAX_VALUE_BYTES`] (`bytes` of them).
pub(super) fn check_size(bytes: usize) -> tera::TeraResult<()> {
    spend(0)?;
    if bytes > MAX_VALUE_BYTES {
        return Err(exceeded(format!(
            "this template made a text of more than {} KiB (a text that doubles?)",
            MAX_VALUE_BYTES / 1024
        )));
    }
    Ok(())
}

/// The most lists and maps a value may nest: each level costs a frame of
/// every walk over the value (Tera's printing and dropping it included).
pub const MAX_VALUE_DEPTH: usize = 64;

/// The bytes of text a value holds (its items' summed, for a list or a
/// map), counted up to just past [`MAX_VALUE_BYTES`]; `None` when it nests
/// deeper than [`MAX_VALUE_DEPTH`].
fn size_of(value: &tera::Value, depth: usize) -> Option<usize> {
    if let Some(text) = value.as_str() {
        return Some(text.len());
    }
    let items: Box<dyn Iterator<Item = &tera::Value>> = match (value.as_array(), value.as_map()) {
        (Some(items), _) => Box::new(items.iter()),
        (_, Some(map)) => Box::new(map.values()),
        _ => return Some(8),
    };
    if depth >= MAX_VALUE_DEPTH {
        return None;
    }
    let mut total = 0usize;
    for item in items {
        total = total.saturating_add(size_of(item, depth + 1)?.max(1));
        if total > MAX_VALUE_BYTES {
            break;
        }
    }
    Some(total)
}

/// Refuses a value over [`MAX_VALUE_BYTES`] or nested too deep.
fn check_value(value: &tera::Value) -> tera::TeraResult<()> {
    match size_of(value, 0) {
        Some(bytes) => check_size(bytes),
        None => Err(exceeded(format!("this template made lists nested more than {MAX_VALUE_DEPTH} deep"))),
    }
}

/// The output, refused past [`MAX_OUTPUT_BYTES`]; each write looks at the clock.
struct Limited(Vec<u8>);

impl Write for Limited {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let refuse = |why: String| std::io::Error::other(exceeded(why).to_string());
        if self.0.len() + buf.len() > MAX_OUTPUT_BYTES {
            return Err(refuse(format!("this template wrote more than {} MiB", MAX_OUTPUT_BYTES >> 20)));
        }
        spend(0).map_err(|e| std::io::Error::other(e.to_string()))?;
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Registers the checks [`instrument`] puts in, and waxseal's own `replace`,
/// `join`, `indent` and escapes, which check the size of what they would
/// make before they make it.
pub(super) fn register(tera: &mut tera::Tera) {
    tera.register_filter("__waxseal_loop", |value: tera::Value, _: tera::Kwargs, _: &tera::State| {
        spend(value.len().unwrap_or(1)).map(|()| value)
    });
    tera.register_filter("__waxseal_value", |value: tera::Value, _: tera::Kwargs, _: &tera::State| {
        check_value(&value).map(|()| value)
    });
    super::bounded_filters::register(tera);
}

/// A template's source with the budget checks put in (see the module's
/// text), or why it cannot be bounded: (line, column, message) of the tag.
pub fn instrument(source: &str) -> Result<String, (usize, usize, String)> {
    let mut out = String::with_capacity(source.len() + 64);
    let mut copied = 0;
    let mut at = 0;
    while let Some(found) = source[at..].find('{') {
        let open = at + found;
        let kind = source.as_bytes().get(open + 1).copied();
        at = open + 1;
        let close = match kind {
            Some(b'#') => {
                // A comment runs to its first `#}`.
                at = source[open..].find("#}").map_or(source.len(), |end| open + end + 2);
                continue;
            }
            Some(b'{') => "}}",
            Some(b'%') => "%}",
            _ => continue,
        };
        let Some(end) = tag_end(source, open + 2, close) else { break };
        let place = || {
            // This module is a leaf: the place is counted here.
            let before = &source[..open];
            let line = before.matches('\n').count() + 1;
            let col = before[before.rfind('\n').map_or(0, |n| n + 1)..].chars().count() + 1;
            move |why: String| (line, col, why)
        };
        let inner = &source[open + 2..end];
        let tag = Tag::read(inner);
        if tag.concats > MAX_CONCATS {
            return Err(place()(format!("this tag joins text with `~` more than {MAX_CONCATS} times")));
        }
        let first = tag.words.first().map(|(_, w)| *w);
        if let Some(why) = refused(kind == Some(b'%'), first, &tag) {
            return Err(place()(why.to_owned()));
        }
        at = end + 2;
        if first == Some("raw") && kind == Some(b'%') {
            // Everything up to `{% endraw %}` is text.
            at = raw_end(source, at).unwrap_or(source.len());
            continue;
        }
        let check = match first {
            Some("for") if kind == Some(b'%') => tag.after_word("in").map(|from| (from, "__waxseal_loop")),
            Some("set" | "set_global") if kind == Some(b'%') => tag.assign.map(|from| (from, "__waxseal_value")),
            _ => None,
        };
        if let Some((from, filter)) = check {
            let base = open + 2;
            let expr = &inner[from..];
            let from = from + (expr.len() - expr.trim_start().len());
            let expr = expr.trim().trim_end_matches('-').trim_end();
            let (start, stop) = (base + from, base + from + expr.len());
            if start == stop {
                continue;
            }
            out.push_str(&source[copied..start]);
            // `(` takes the place of the space before the expression when
            // there is one, so the columns before its end stay.
            if out.ends_with(' ') {
                out.pop();
            }
            out.push('(');
            out.push_str(&source[start..stop]);
            out.push_str(")|");
            out.push_str(filter);
            copied = stop;
        }
    }
    out.push_str(&source[copied..]);
    Ok(out)
}

/// Why a tag cannot be bounded, if it cannot: what keeps text or walks a
/// list where no check can go.
fn refused(block: bool, first: Option<&str>, tag: &Tag) -> Option<&'static str> {
    let words = || tag.words.iter().map(|(_, w)| *w);
    match first {
        Some("set" | "set_global") if block && tag.assign.is_none() => {
            Some("a `set` block is not supported in waxseal's templates: write `{% set name = ... %}`")
        }
        Some("filter") if block => {
            Some("a `filter` section is not supported in waxseal's templates: apply the filter to each value")
        }
        Some("component") if block => Some("components are not supported in waxseal's templates: use `{% include %}`"),
        _ if words().skip(usize::from(block && first == Some("for"))).any(|w| w == "for") => Some(
            "list comprehensions (`[x for x in ...]`) are not supported in waxseal's templates: use a `{% for %}` loop",
        ),
        _ => None,
    }
}

/// The end (the offset of `close`) of the tag whose text starts at `from`:
/// quoted strings (`"`, `'`, `` ` ``, with `\` escapes) are skipped.
fn tag_end(source: &str, from: usize, close: &str) -> Option<usize> {
    let bytes = source.as_bytes();
    let mut i = from;
    while i < bytes.len() {
        match bytes[i] {
            quote @ (b'"' | b'\'' | b'`') => {
                i += 1;
                while i < bytes.len() && bytes[i] != quote {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            _ if bytes[i..].starts_with(close.as_bytes()) => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

/// Where the text after a `{% raw %}` tag ends: after its `{% endraw %}`.
fn raw_end(source: &str, from: usize) -> Option<usize> {
    let mut at = from;
    while let Some(found) = source[at..].find("{%") {
        let open = at + found;
        let end = source[open..].find("%}")? + open;
        let words = source[open + 2..end].trim_matches(|c: char| c == '-' || c.is_whitespace());
        if words == "endraw" {
            return Some(end + 2);
        }
        at = open + 2;
    }
    None
}

/// What [`instrument`] needs of a tag's text: its words (outside strings,
/// with their offsets), its `~` count and where a `set`'s value starts.
struct Tag<'a> {
    words: Vec<(usize, &'a str)>,
    concats: usize,
    /// The offset just past a `set`'s `=`.
    assign: Option<usize>,
}

impl<'a> Tag<'a> {
    fn read(text: &'a str) -> Tag<'a> {
        let bytes = text.as_bytes();
        let mut tag = Tag { words: Vec::new(), concats: 0, assign: None };
        // Brackets deep: a `=` inside them is a keyword argument's.
        let mut depth = 0usize;
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                quote @ (b'"' | b'\'' | b'`') => {
                    i += 1;
                    while i < bytes.len() && bytes[i] != quote {
                        i += if bytes[i] == b'\\' { 2 } else { 1 };
                    }
                }
                b'~' => tag.concats += 1,
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' => depth = depth.saturating_sub(1),
                b'=' if tag.assign.is_none()
                    && depth == 0
                    && bytes.get(i + 1) != Some(&b'=')
                    && !matches!(i.checked_sub(1).map(|p| bytes[p]), Some(b'=' | b'!' | b'<' | b'>')) =>
                {
                    tag.assign = Some(i + 1);
                }
                c if c.is_ascii_alphabetic() || c == b'_' => {
                    let start = i;
                    while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                        i += 1;
                    }
                    // An attribute (`x.for`) is not a keyword.
                    if start == 0 || bytes[start - 1] != b'.' {
                        tag.words.push((start, &text[start..i]));
                    }
                    continue;
                }
                _ => {}
            }
            i += 1;
        }
        tag
    }

    /// The offset just past the first word `word`.
    fn after_word(&self, word: &str) -> Option<usize> {
        self.words.iter().find(|(_, w)| *w == word).map(|(at, w)| at + w.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(source: &str) -> Result<String, String> {
        let mut tera = tera::Tera::new();
        crate::template::register_filters(&mut tera);
        let mut context = tera::Context::new();
        context.insert("s", "ab");
        render_str(&tera, source, &context, false).map_err(|e| {
            let (line, col, why) = crate::template::tera_location(&e);
            format!("{line}:{col}: {why}")
        })
    }

    #[test]
    fn checks_go_in_where_the_columns_before_them_stay() {
        let source = "{% for i in range(end=3) %}{{ i }}{% endfor %}{%- set_global x = s ~ s -%}{{ x }}";
        let bounded = instrument(source).unwrap();
        assert_eq!(
            bounded,
            "{% for i in(range(end=3))|__waxseal_loop %}{{ i }}{% endfor %}{%- set_global x =(s ~ s)|__waxseal_value -%}{{ x }}"
        );
        assert_eq!(run(source).unwrap(), "012abab");
        // Text, comments, strings and raw blocks are left alone.
        let text = "{# {% for %} #}{{ \"{% for x in y %}\" }}{% raw %}{% for x in y %}{% endraw %}";
        assert_eq!(instrument(text).unwrap(), text);
        // An error after a check is placed in the source as written.
        assert_eq!(
            run("{% for i in range(end=3) %}{{ nope }}{% endfor %}").unwrap_err().split(": ").next(),
            Some("1:31")
        );
    }

    #[test]
    fn loops_text_and_output_are_bounded() {
        let nested = "{% for i in range(end=100000) %}{% for j in range(end=100000) %}{% endfor %}{% endfor %}";
        assert_eq!(run(nested).unwrap_err(), "1:45: this template ran more than 1000000 loop steps (a loop too long?)");
        let doubling = "{% set_global t = s %}\n{% for i in range(end=40) %}{% set_global t = t ~ t %}{% endfor %}";
        assert!(run(doubling)
            .unwrap_err()
            .ends_with("this template made a text of more than 1024 KiB (a text that doubles?)"));
        let squared = "{% set t = s | replace(from=\"\", to=s) | replace(from=\"\", to=s) %}";
        assert!(run(squared).is_ok());
        let grown = "{% set t = \"x\" %}{% for i in range(end=30) %}{% set_global t = t | replace(from=\"x\", to=\"xx\") %}{% endfor %}";
        assert!(run(grown).unwrap_err().contains("more than 1024 KiB"));
        let deep = "{% set_global l = [] %}{% for i in range(end=100000) %}{% set_global l = [l] %}{% endfor %}";
        assert_eq!(run(deep).unwrap_err(), "1:74: this template made lists nested more than 64 deep");
        let written = format!(
            "{{% for i in range(end=1000) %}}{{% for j in range(end=200) %}}{{{{ \"x\"{} }}}}{{% endfor %}}{{% endfor %}}",
            " ~ s".repeat(64)
        );
        assert_eq!(run(&written).err().as_deref(), Some("0:0: this template wrote more than 16 MiB"));
    }

    #[test]
    fn characters_of_several_bytes_in_a_tag_are_read_whole() {
        // Found by fuzzing (theme_art, message_svg): a tag's end was looked
        // for in the middle of a character.
        for source in ["{{ corner[0]\u{743}\u{7d9}ixed }}", "{{ x🎉 }}", "{% set a = \"\\🎉\" %}{{ a }}", "{{ 'é' }}"]
        {
            assert_eq!(instrument(source).map(|_| ()), Ok(()), "{source}");
            let _ = run(source);
        }
        assert_eq!(run("{{ 'é' ~ \"🎉\" }}").unwrap(), "é🎉");
    }

    #[test]
    fn what_cannot_be_bounded_is_refused_at_its_tag() {
        for (source, why) in [
            ("x\n  {% set t %}{{ s }}{% endset %}", "2:3: a `set` block"),
            ("{% filter upper %}x{% endfilter %}", "1:1: a `filter` section"),
            ("{{ [x for x in range(end=3)] }}", "1:1: list comprehensions"),
            ("{% for y in [x for x in s] %}{% endfor %}", "1:1: list comprehensions"),
            (&format!("{{{{ s{} }}}}", " ~ s".repeat(65)), "1:1: this tag joins text with `~` more than 64 times"),
        ] {
            let got = run(source).unwrap_err();
            assert!(got.starts_with(why), "{source}: {got}");
        }
        // A `set` whose value calls a filter with an argument is not a block.
        assert_eq!(run("{% set t = s | default(value=\"x\") %}{{ t }}").unwrap(), "ab");
    }

    #[test]
    fn waxseal_filters_give_what_teras_give() {
        let mut tera = tera::Tera::new();
        let mut context = tera::Context::new();
        context.insert("s", "a<b>\nc\n\nd");
        context.insert("l", &["x", "<y>"]);
        let source = "{{ s | replace(from=\"<\", to=\"[\") }}|{{ l | join(sep=\", \") }}|{{ s | indent(width=2) }}|{{ s | indent(first=true, blank=true, indentation=\"-\", width=1) }}|{{ s | escape }}|{{ s | escape_html }}|{{ s | escape_xml }}|{{ s | newlines_to_br }}";
        let teras = tera.render_str(source, &context, true).unwrap();
        crate::template::register_filters(&mut tera);
        assert_eq!(render_str(&tera, source, &context, true).unwrap(), teras);
        assert_eq!(
            render_str(&tera, source, &context, false).unwrap(),
            tera::Tera::one_off(source, &context, false).unwrap()
        );
    }
}
