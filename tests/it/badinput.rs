//! Bad input: one site per case in `tests/fixtures/bad/`, each holding one
//! bad file beside a good message (a case too big or too odd to commit is
//! written by its test). Every case must give its diagnostics word for word,
//! each at the line and column of the file where the problem is; build the
//! good card and list it in the gallery; exit with 1; not panic; and end
//! within [`TIME_LIMIT`] and [`MEMORY_LIMIT_KIB`] of peak memory (measured
//! by GNU time; without it every check but the memory one still runs).

use std::io::{BufRead, BufReader, Write};
use std::os::unix::process::CommandExt;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::support::{installed, Site};

/// Every hostile case ends within a minute (README, Safety; each
/// takes a second or two here, a debug build on a busy machine); a build
/// still running then is stuck.
const TIME_LIMIT: Duration = Duration::from_secs(60);

/// Peak resident memory a build may reach, in KiB (1 GiB; a build of these
/// small sites takes about 60 MiB).
const MEMORY_LIMIT_KIB: u64 = 1 << 20;

/// GNU time: it waits for the build and prints the peak resident memory the
/// kernel recorded for it (`%M`, in KiB). Debian's `/usr/bin/time`, or
/// `WAXSEAL_GNU_TIME` where it is elsewhere (Homebrew's `gtime`).
fn gnu_time() -> String {
    std::env::var("WAXSEAL_GNU_TIME").unwrap_or_else(|_| "/usr/bin/time".to_string())
}

/// What a bounded build did.
struct Bounded {
    /// Its exit code.
    code: i32,
    /// Its standard error.
    stderr: String,
    /// Its peak resident memory, in KiB (`None`: GNU time is not installed).
    peak_kib: Option<u64>,
}

/// A running build, killed with its process group when dropped unfinished
/// (a test that fails while it runs leaves nothing behind).
struct Running {
    child: Child,
    finished: bool,
}

impl Drop for Running {
    fn drop(&mut self) {
        if !self.finished {
            let group = format!("-{}", self.child.id());
            let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
            let _ = self.child.wait();
        }
    }
}

/// The build's standard error as it comes, and its standard input.
struct Live {
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
    stdin: Option<ChildStdin>,
    deadline: Instant,
}

impl Live {
    /// Waits for a line of standard error holding `text`.
    fn wait_for(&mut self, text: &str) {
        loop {
            let left = self.deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    let found = line.contains(text);
                    self.seen.push(line);
                    if found {
                        return;
                    }
                }
                Err(_) => panic!("no `{text}` on standard error within {TIME_LIMIT:?}:\n{}", self.seen.join("\n")),
            }
        }
    }
}

/// Runs `waxseal build` in `site` with `env` under GNU time (when it is
/// installed), in a process group of its own; `during` may talk to it while
/// it runs. Fails the test when the build is still running after
/// [`TIME_LIMIT`].
fn build_bounded(site: &Site, env: &[(&str, &str)], during: impl FnOnce(&mut Live)) -> Bounded {
    run_bounded(site, "build", env, during)
}

/// Runs `waxseal COMMAND` as [`build_bounded`] runs a build.
fn run_bounded(site: &Site, command_name: &str, env: &[(&str, &str)], during: impl FnOnce(&mut Live)) -> Bounded {
    let time = gnu_time();
    let measured = installed(&[&time], Some("its peak memory"));
    let measure = tempfile::NamedTempFile::new().unwrap();
    let mut command = Command::new(if measured { time.as_str() } else { env!("CARGO_BIN_EXE_waxseal") });
    if measured {
        command.args(["-f", "%M", "-o"]).arg(measure.path()).arg(env!("CARGO_BIN_EXE_waxseal"));
    }
    let child = command
        .arg(command_name)
        .current_dir(site.root())
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .expect("the waxseal binary runs");
    let mut running = Running { child, finished: false };
    let stderr = running.child.stderr.take().unwrap();
    let (send, lines) = mpsc::channel();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stderr);
        let mut line = Vec::new();
        while reader.read_until(b'\n', &mut line).is_ok_and(|n| n > 0) {
            let text = String::from_utf8_lossy(&line).trim_end_matches('\n').to_string();
            if send.send(text).is_err() {
                break;
            }
            line.clear();
        }
    });
    let deadline = Instant::now() + TIME_LIMIT;
    let mut live = Live { lines, seen: Vec::new(), stdin: running.child.stdin.take(), deadline };
    during(&mut live);
    live.stdin = None;
    let status = loop {
        if let Some(status) = running.child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "`waxseal {command_name}` was still running after {TIME_LIMIT:?}");
        std::thread::sleep(Duration::from_millis(20));
    };
    running.finished = true;
    // The reader ends when the pipe closes, which it has: the build ended.
    live.seen.extend(live.lines.iter());
    let stderr = live.seen.join("\n");
    let peak_kib = measured.then(|| {
        let measured = std::fs::read_to_string(measure.path()).unwrap();
        assert!(!measured.contains("terminated by signal"), "the build was killed: {measured}\n{stderr}");
        measured
            .lines()
            .last()
            .and_then(|l| l.trim().parse().ok())
            .unwrap_or_else(|| panic!("no peak memory from GNU time: {measured}"))
    });
    Bounded { code: status.code().unwrap_or(-1), stderr, peak_kib }
}

/// The diagnostics of standard error, each with its hint, sorted.
fn diagnostics(stderr: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for line in stderr.lines() {
        if line.starts_with("  hint: ") {
            if let Some(last) = found.last_mut() {
                last.push('\n');
                last.push_str(line);
            }
        } else if !line.starts_with(' ') && (line.contains(": error: ") || line.contains(": warning: ")) {
            found.push(line.to_string());
        }
    }
    found.sort();
    found
}

/// Whether `text` is `pattern`, where each `{n}` of the pattern stands for a
/// whole number.
fn matches(pattern: &str, text: &str) -> bool {
    let mut parts = pattern.split("{n}");
    let Some(rest) = parts.next().and_then(|first| text.strip_prefix(first)) else {
        return false;
    };
    let mut rest = rest;
    for part in parts {
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits == 0 {
            return false;
        }
        match rest[digits..].strip_prefix(part) {
            Some(after) => rest = after,
            None => return false,
        }
    }
    rest.is_empty()
}

/// The text of `site`'s file `rel` from 1-based `line`:`col` to the end of that line.
fn text_at(site: &Site, rel: &str, line: usize, col: usize) -> String {
    let bytes = std::fs::read(site.root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    let text = String::from_utf8_lossy(&bytes);
    text.split('\n').nth(line - 1).map(|l| l.chars().skip(col - 1).collect()).unwrap_or_default()
}

/// The slugs of the cards in the output, sorted.
fn cards_built(site: &Site) -> Vec<String> {
    let cards = site.output("cards");
    let mut slugs: Vec<String> = walkdir::WalkDir::new(&cards)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_name() == "card.png")
        .map(|e| e.path().parent().unwrap().strip_prefix(&cards).unwrap().to_string_lossy().replace('\\', "/"))
        .collect();
    slugs.sort();
    slugs
}

/// One case: fixture `case` (with `prepare` run on its copy) built under
/// the bounds. Its diagnostics must be `expected`, each as (the diagnostic
/// with its hint, what its file holds from its line and column on: "" for
/// an empty line or a diagnostic with no line); `built` the cards made.
fn bad_input(case: &str, prepare: impl FnOnce(&Site), expected: &[(&str, &str)], built: &[&str]) -> (Site, Bounded) {
    let site = Site::fixture(&format!("bad/{case}"));
    prepare(&site);
    let run = build_bounded(&site, &[], |_| {});
    check(case, &site, &run, expected, built);
    (site, run)
}

/// What every case must do; see [`bad_input`].
fn check(case: &str, site: &Site, run: &Bounded, expected: &[(&str, &str)], built: &[&str]) {
    let stderr = &run.stderr;
    for sign in ["panicked", "RUST_BACKTRACE", "overflowed its stack"] {
        assert!(!stderr.contains(sign), "{case}: the build crashed:\n{stderr}");
    }
    if let Some(peak_kib) = run.peak_kib {
        assert!(peak_kib < MEMORY_LIMIT_KIB, "{case}: peak memory {peak_kib} KiB");
    }
    assert_eq!(run.code, 1, "{case}: exit code\n{stderr}");

    let got = diagnostics(stderr);
    let mut want: Vec<&(&str, &str)> = expected.iter().collect();
    want.sort_by_key(|(text, _)| *text);
    let same = got.len() == want.len() && got.iter().zip(&want).all(|(g, (w, _))| matches(w, g));
    let want_texts: Vec<&str> = want.iter().map(|(w, _)| *w).collect();
    assert!(same, "{case}: diagnostics\n--- expected:\n{}\n--- got:\n{}", want_texts.join("\n"), got.join("\n"));

    // Each diagnostic's line and column hold the bad text.
    for (diagnostic, there) in expected {
        let place = diagnostic.split(": error: ").next().unwrap();
        let parts: Vec<&str> = place.split(':').collect();
        if parts.len() == 1 {
            assert_eq!(*there, "", "{case}: `{place}` has no line to hold `{there}`");
            continue;
        }
        let [file, line, col] = parts[..] else { panic!("{case}: `{place}` is not path:line:col") };
        let at = text_at(site, file, line.parse().unwrap(), col.parse().unwrap());
        let holds = if there.is_empty() { at.is_empty() } else { at.starts_with(there) };
        assert!(holds, "{case}: {place} is `{at}`, not `{there}...`");
    }

    assert_eq!(cards_built(site), built, "{case}: the cards built");
    let good = site.png("cards/good/card.png");
    assert!(good.width > 0 && good.height > 0, "{case}: the good card is drawn");
    assert!(site.read("index.html").contains("/cards/good/"), "{case}: the gallery lists the good card");
    // `waxseal check` finds the same problems, under the same bounds, and
    // reports a problem as a failure too (a file deleted during a build is
    // a problem of that build alone).
    if case == "deleted-during-build" {
        return;
    }
    let checked = run_bounded(site, "check", &[], |_| {});
    assert!(!checked.stderr.contains("panicked"), "{case}: check crashed:\n{}", checked.stderr);
    assert_eq!(diagnostics(&checked.stderr), got, "{case}: what check reports (left) and build (right)");
    assert_eq!(checked.code, 1, "{case}: check's exit code\n{}", checked.stderr);
}

#[test]
fn invalid_yaml_points_at_the_quote_left_open() {
    bad_input(
        "invalid-yaml",
        |_| {},
        &[(
            "content/x.md:3:7: error: this quote is not closed\n  \
             hint: end the text with the quote mark it starts with",
            "\"Beverly",
        )],
        &["good"],
    );
}

#[test]
fn an_unclosed_front_matter_block_points_at_its_opening() {
    bad_input(
        "unclosed-front-matter",
        |_| {},
        &[(
            "content/x.md:1:1: error: the front matter is not closed\n  \
             hint: end the front matter with a line holding only `---`",
            "---",
        )],
        &["good"],
    );
}

#[test]
fn an_unknown_key_names_the_known_ones() {
    bad_input(
        "unknown-key",
        |_| {},
        &[(
            "content/x.md:3:1: error: unknown field `colour`\n  \
             hint: known keys: title, to, from, email, date, theme, seal, size, tags, draft, slug, lang, sign_off, qr, qr_label, logo, signature, signature_tint, extra, recipients, gallery",
            "colour: red",
        )],
        &["good"],
    );
}

#[test]
fn a_wrong_type_points_at_the_value() {
    bad_input(
        "wrong-type",
        |_| {},
        &[(
            "content/x.md:3:7: error: tags: invalid type: integer `5`, expected a sequence\n  \
             hint: write a list: `[one, two]`, or one item a line below the key, each after `- `",
            "5",
        )],
        &["good"],
    );
}

#[test]
fn an_impossible_date_points_at_the_date() {
    bad_input(
        "impossible-date",
        |_| {},
        &[(
            "content/x.md:3:7: error: `2026-02-30` is not a date\n  \
             hint: write dates as YYYY-MM-DD, e.g. 2026-11-23",
            "2026-02-30",
        )],
        &["good"],
    );
}

#[test]
fn a_file_not_in_utf8_points_at_the_first_bad_byte() {
    // The title is Latin-1: `Caf\xe9`.
    bad_input(
        "non-utf8",
        |_| {},
        &[(
            "content/x.md:2:11: error: the file is not UTF-8 text (byte 0xE9)\n  hint: save it as UTF-8",
            "\u{fffd} au lait",
        )],
        &["good"],
    );
}

#[test]
fn a_binary_file_is_not_read_as_a_message() {
    // A PNG named `.md`: its first NUL byte is on its third line.
    bad_input(
        "binary",
        |_| {},
        &[(
            "content/photo.md:3:1: error: a NUL byte: the file is binary, not a text message\n  \
             hint: a message is Markdown text; keep other files out of content/ or name them other than `.md`",
            "\0",
        )],
        &["good"],
    );
}

#[test]
fn a_control_character_points_at_itself() {
    bad_input(
        "control-character",
        |_| {},
        &[(
            "content/x.md:4:7: error: a control character (U+0007) is not text\n  \
             hint: delete it: most editors do not show it, and no card can draw it",
            "\u{7} rings",
        )],
        &["good"],
    );
}

/// No control character reaches the terminal but line ends: none can
/// recolour, retitle or clear it, or start a line of its own.
fn assert_printable(case: &str, stderr: &str) {
    let bad: Vec<char> = stderr.chars().filter(|c| *c != '\n' && (c.is_control() || *c == '\u{202e}')).collect();
    assert!(bad.is_empty(), "{case}: control characters on standard error: {bad:?}\n{stderr}");
}

#[test]
fn control_characters_echoed_from_values_and_file_names_are_shown_escaped() {
    // YAML escapes: the file holds only printable text, its values do not.
    let (site, run) = bad_input(
        "control-escapes",
        |_| {},
        &[
            (
                "content/x.md:3:8: error: `\\u{1b}[8m2026\\r\\u{1b}[2Kbuilt 2 cards` is not a date\n  \
                 hint: write dates as YYYY-MM-DD, e.g. 2026-11-23",
                "\\e[8m2026",
            ),
            (
                "content/y.md:2:8: error: unknown card size `\\u{1b}]0;retitled\\u{7}\\u{202e}`\n  \
                 hint: sizes: a6, a7, 5x7, 4x6, square, og (add -landscape to turn one)",
                "\\e]0;retitled",
            ),
        ],
        &["good"],
    );
    assert_printable("control-escapes", &run.stderr);
    assert!(run.stderr.lines().any(|l| l.starts_with("built 1 card into ")), "{}", run.stderr);

    // A file name with control characters: its path is escaped too.
    std::fs::remove_file(site.root().join("content/x.md")).unwrap();
    std::fs::remove_file(site.root().join("content/y.md")).unwrap();
    site.write("content/z\u{1b}[2K\r.md", "---\ntitel: Hi\n---\nA misspelt key.\n");
    let run = build_bounded(&site, &[], |_| {});
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_printable("a file name", &run.stderr);
    assert_eq!(
        diagnostics(&run.stderr),
        ["content/z\\u{1b}[2K\\r.md:2:1: error: unknown field `titel`\n  hint: did you mean `title`?"]
    );
}

#[test]
fn an_empty_file_is_an_error() {
    // An empty card is never what was meant: a file saved before it was
    // written, or emptied by mistake.
    let (site, _) = bad_input(
        "empty",
        |_| {},
        &[(
            "content/x.md:1:1: error: the message is empty\n  \
             hint: write the message in it (front matter first, if any), or delete the file",
            "",
        )],
        &["good"],
    );
    assert_eq!(std::fs::metadata(site.root().join("content/x.md")).unwrap().len(), 0);
}

#[test]
fn a_10_mb_message_is_refused_before_it_is_read() {
    let (_, run) = bad_input(
        "huge",
        |site| {
            let line = "All work and no play makes a very long letter, and this line is long.\n";
            let mut text = String::from("---\ntitle: Huge\n---\n");
            while text.len() + line.len() <= 10_000_000 {
                text.push_str(line);
            }
            text.push_str(&"x".repeat(10_000_000 - text.len()));
            site.write("content/x.md", &text);
        },
        &[(
            "content/x.md:1:1: error: the file is 9.5 MiB; a message may be at most 1 MiB\n  \
             hint: a card holds a few hundred words: is this the file you meant to put in content/?",
            "---",
        )],
        &["good"],
    );
    // Refused before it is laid out, which took 270 MiB: the build needs
    // about what it needs without the file.
    if let Some(peak_kib) = run.peak_kib {
        assert!(peak_kib < 200 << 10, "peak memory {peak_kib} KiB");
    }
}

#[test]
fn ten_thousand_quote_levels_are_refused_where_they_go_too_deep() {
    bad_input(
        "deep-nesting",
        |site| {
            let quotes = ">".repeat(10_000);
            site.write("content/x.md", &format!("---\ntitle: Deep\n---\nA quote in a quote:\n\n{quotes} too deep\n"));
        },
        &[(
            "content/x.md:6:101: error: quotes, lists and emphasis nest more than 100 levels deep here\n  \
             hint: a card's text nests a few levels at most: take out some of the `>`, list markers or `*`",
            ">",
        )],
        &["good"],
    );
}

#[test]
fn a_template_syntax_error_points_at_the_body_line() {
    bad_input(
        "template-syntax",
        |_| {},
        &[(
            "content/x.md:6:13: error: Found `%}` but expected one of: integer, float, string, bool, ident, `-`, `not`, `<`, `{`, `[` or `(`",
            "%} there.",
        )],
        &["good"],
    );
}

#[test]
fn an_undefined_variable_points_at_the_body_line() {
    bad_input(
        "undefined-variable",
        |_| {},
        &[(
            "content/x.md:7:14: error: Variable `sender` is not defined. Available variables: date, email, extra, from, lang, site, slug, tags, title, to\n  \
             hint: your own fields go under `extra:` in the front matter and are used as `{{ extra.name }}`",
            "sender }}",
        )],
        &["good"],
    );
}

#[test]
fn an_unknown_theme_is_one_error_at_its_name() {
    bad_input(
        "unknown-theme",
        |_| {},
        &[(
            "content/x.md:3:8: error: unknown theme `velvet`\n  \
             hint: built-in themes: chocolate, classic, kraft, minimal; or create themes/velvet/theme.yaml",
            "velvet",
        )],
        &["good"],
    );
}

#[test]
fn an_unknown_size_points_at_its_name() {
    bad_input(
        "unknown-size",
        |_| {},
        &[(
            "content/x.md:3:7: error: unknown card size `huge`\n  \
             hint: sizes: a6, a7, 5x7, 4x6, square, og (add -landscape to turn one)",
            "huge",
        )],
        &["good"],
    );
}

#[test]
fn a_missing_font_points_at_theme_yaml_and_the_message_at_it() {
    bad_input(
        "missing-font",
        |_| {},
        &[
            (
                "themes/mine/theme.yaml:5:9: error: font file `fonts/Nope.ttf` not found in the theme\n  \
                 hint: fonts are loaded only from the theme folder, never from the system",
                "fonts/Nope.ttf",
            ),
            (
                "content/x.md:2:8: error: theme `mine` cannot be used\n  \
                 hint: fix the theme's error at themes/mine/theme.yaml:5 first",
                "mine",
            ),
        ],
        &["good"],
    );
}

#[test]
fn a_text_that_cannot_fit_points_at_the_body() {
    bad_input(
        "cannot-fit",
        |_| {},
        &[(
            "content/x.md:4:1: error: text needs {n} more lines than fit at the minimum size 8pt\n  \
             hint: shorten the message, or choose a larger `size:`",
            "All work and no play",
        )],
        &["good"],
    );
}

#[test]
fn a_symbolic_link_loop_in_content_is_named() {
    bad_input(
        "symlink-loop",
        |site| {
            std::fs::create_dir_all(site.root().join("content/album")).unwrap();
            std::os::unix::fs::symlink("..", site.root().join("content/album/again")).unwrap();
        },
        &[(
            "content/album/again: error: a symbolic link loop: this link leads back to content, a folder it is in\n  \
             hint: remove the link, or point it at a folder outside the one it is in",
            "",
        )],
        &["good"],
    );
}

/// A debug build pauses after it lists content/ when told to (see
/// `pause_after_walk` in src/build.rs); a release build has no such pause.
#[cfg(debug_assertions)]
#[test]
fn a_file_deleted_while_the_build_runs_is_named() {
    let case = "deleted-during-build";
    let site = Site::fixture(&format!("bad/{case}"));
    let run = build_bounded(&site, &[("WAXSEAL_TEST_PAUSE_AFTER_WALK", "1")], |live| {
        live.wait_for("content/ listed");
        std::fs::remove_file(site.root().join("content/x.md")).unwrap();
        live.stdin.as_mut().unwrap().write_all(b"\n").unwrap();
    });
    check(
        case,
        &site,
        &run,
        &[(
            "content/x.md: error: the file was deleted while the build ran\n  \
             hint: build again to make the cards of the files there are now",
            "",
        )],
        &["good"],
    );
}

#[test]
fn a_csv_row_with_missing_fields_is_named_and_the_other_rows_are_built() {
    // Row 2 (line 3) has no `items` cell. A short row is allowed (its last
    // columns may be optional); using a field it lacks is the error, shown
    // where the message uses it, with the row's line in the hint.
    bad_input(
        "csv-missing-fields",
        |_| {},
        &[(
            "content/thanks.md:8:19: error: row 2 of content/orders.csv: Field `items` is not defined. Available fields: name, order_id\n  \
             hint: row 2 of content/orders.csv (content/orders.csv:3) has no `items`: fill it in, or give a default: `{{ recipient.items | default(value=\"...\") }}`",
            "items }}",
        )],
        &["good", "thanks/A-101", "thanks/A-103"],
    );
}

#[test]
fn the_pattern_matcher_takes_numbers_only_where_asked() {
    assert!(matches("needs {n} more lines", "needs 214 more lines"));
    assert!(!matches("needs {n} more lines", "needs many more lines"));
    assert!(!matches("needs 2 more", "needs 2 more lines"));
    assert!(matches("exact", "exact"));
}

#[test]
fn a_control_character_from_a_yaml_escape_or_a_csv_cell_is_left_out_of_the_card() {
    // The message file itself has none (that is refused at its place): they
    // come from a YAML escape and a CSV cell, through templates.
    let site = Site::empty();
    site.write("content/a.md", "---\ntitle: \"Bell \\u0007 here\"\ndate: 2026-11-02\n---\nHello.\n");
    site.write("content/people.csv", "id,name\n1,Bell\u{7}Row\n");
    site.write(
        "content/m.md",
        "---\nrecipients: people.csv\nslug: r/{{ recipient.id }}\ntitle: Hi {{ recipient.name }}\n---\nDear {{ recipient.name }}.\n",
    );
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for card in ["a", "r/1"] {
        let svg = site.read(&format!("cards/{card}/card.svg"));
        assert!(roxmltree::Document::parse(&svg).is_ok() && !svg.contains('\u{7}'), "{card}");
        assert!(site.output(&format!("cards/{card}/card.png")).is_file());
    }
    let feed = site.read("feed.xml");
    assert!(roxmltree::Document::parse(&feed).is_ok() && feed.contains("Bell  here"), "{feed}");
}

/// The bytes of every file below `dir`.
fn size_of(dir: &std::path::Path) -> u64 {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .sum()
}

#[test]
fn a_slug_through_another_cards_file_is_refused_and_that_card_kept() {
    // `good/index.html` would make the good card's page a folder.
    let (site, _) = bad_input(
        "slug-card-file",
        |_| {},
        &[(
            "content/x.md:2:7: error: slug `good/index.html` has a part named `index.html`, a file of every card's folder\n  \
             hint: a part of a slug may not be named as a card's files: card.png, thumb.png, share.png, card-1x.webp, card-2x.webp, card-3x.webp, card.svg, card.pdf, message.eml, index.html",
            "good/index.html",
        )],
        &["good"],
    );
    assert!(site.read("cards/good/index.html").contains("The other cards are built all the same."));
}

#[test]
fn two_messages_with_one_slug_are_an_error_at_both_and_the_first_is_built() {
    let (site, _) = bad_input(
        "slug-collision",
        |_| {},
        &[
            (
                "content/b.md:2:1: error: slug `same` is already used by content/a.md\n  \
                 hint: set a different `slug:` in the front matter",
                "slug: same",
            ),
            (
                "content/a.md:2:1: error: slug `same` is used again by content/b.md, whose card is not built\n  \
                 hint: set a different `slug:` in one of the two",
                "slug: same",
            ),
        ],
        &["good", "same"],
    );
    assert!(site.read("cards/same/index.html").contains("The first card with this slug is built."));
}

#[test]
fn a_slug_part_longer_than_a_file_name_may_be_is_refused() {
    let long = "a".repeat(300);
    bad_input(
        "slug-too-long",
        |site| {
            site.write("content/x.md", &format!("---\nslug: cards/{long}\n---\nToo long a folder name.\n"));
        },
        &[(
            &format!(
                "content/x.md:2:7: error: slug `cards/{}…` has a part of 300 bytes; a part may be at most 255\n  \
                 hint: each part of a slug is a folder name, which file systems keep short: shorten it",
                "a".repeat(34)
            ),
            "cards/aaaa",
        )],
        &["good"],
    );
}

#[test]
fn a_slug_part_may_not_start_with_a_dot() {
    let hint = "  hint: use letters, digits, `-`, `_` and `/` only, and `.` inside a part (`v1.2`), never at its start";
    bad_input(
        "dot-slug",
        |_| {},
        &[
            (&format!("content/x.md:2:7: error: `.hidden` is not a usable slug\n{hint}"), ".hidden"),
            (&format!("content/y.md:2:7: error: `a/...` is not a usable slug\n{hint}"), "a/..."),
        ],
        &["good"],
    );
}

#[test]
fn merged_messages_whose_gallery_pages_collide_are_an_error_at_both() {
    // Two cards a page: `m`'s 5 cards have merged/m/page/2/, which would
    // also be the page of the cards of `m/page/2`.
    bad_input(
        "merged-paging",
        |_| {},
        &[
            (
                "content/m/page/2.md:3:13: error: the page of the cards of `m/page/2` would be page 2 of the cards of `m` (content/m.md)\n  \
                 hint: the gallery pages a merged message's cards as merged/SLUG/page/N/: rename or move this file",
                "rows.csv",
            ),
            (
                "content/m.md:3:13: error: page 2 of the cards of `m` would be the page of the cards of `m/page/2` (content/m/page/2.md), whose cards are not built\n  \
                 hint: rename or move one of the two files",
                "m.csv",
            ),
        ],
        &["good", "m/1", "m/2", "m/3", "m/4", "m/5"],
    );
}

#[test]
fn ten_thousand_tags_on_one_message_are_refused_without_writing_their_pages() {
    let (site, _) = bad_input(
        "too-many-tags",
        |site| {
            let tags: Vec<String> = (0..10_000).map(|i| format!("tag{i}")).collect();
            site.write("content/x.md", &format!("---\ntitle: Tags\ntags: [{}]\n---\nSo many tags.\n", tags.join(", ")));
        },
        &[(
            "content/x.md:3:7: error: 10000 tags; a message may have at most 32\n  \
             hint: tags group cards in the gallery: keep the few that say what the card is",
            "[tag0, tag1",
        )],
        &["good"],
    );
    // Each tag had its page listing every tag: 8 GB. Now: no tag pages,
    // and the site's 12 MB (its fonts, mostly).
    assert!(!site.output("tags").exists());
    let size = size_of(&site.output(""));
    assert!(size < 16 << 20, "output of {size} bytes");
}

#[test]
fn a_tag_longer_than_a_folder_name_may_be_is_refused() {
    bad_input(
        "long-tag",
        |site| {
            let tag = "ab".repeat(150);
            site.write("content/x.md", &format!("---\ntitle: Tag\ntags: [short, {tag}]\n---\nOne long tag.\n"));
        },
        &[(
            &format!(
                "content/x.md:3:7: error: tag `{}…` is 300 characters long; a tag may be at most 60\n  \
                 hint: a tag is a word or two that groups cards; it names a page of the gallery",
                "ab".repeat(20)
            ),
            "[short",
        )],
        &["good"],
    );
}

#[test]
fn a_date_in_year_0_is_not_a_date() {
    bad_input(
        "year-zero",
        |_| {},
        &[(
            "content/x.md:3:7: error: `0000-01-01` is not a date\n  \
             hint: write dates as YYYY-MM-DD, e.g. 2026-11-23",
            "0000-01-01",
        )],
        &["good"],
    );
}

/// The hint of a file of the site reached through a link that leads out.
const LINKED_IN: &str = "read only from inside the site folder";

#[cfg(unix)]
#[test]
fn files_linked_from_outside_the_site_are_refused_where_they_are_named() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("passwd"), "id\nroot:x:0:0:SECRET-ROW\n").unwrap();
    std::fs::write(outside.path().join("note.md"), "---\ntitle: SECRET-NOTE\n---\nSECRET-NOTE\n").unwrap();
    std::fs::create_dir(outside.path().join("album")).unwrap();
    std::fs::write(outside.path().join("album/a.md"), "SECRET-ALBUM\n").unwrap();
    let rows = format!(
        "content/m.md:2:13: error: `rows.csv` leads outside the site folder\n  \
         hint: rows are {LINKED_IN}: copy the file in instead of linking to it"
    );
    let message = format!(
        "content/x.md: error: the file is a link that leads outside the site folder\n  \
         hint: messages are {LINKED_IN}: copy the file in instead of linking to it"
    );
    let folder = format!(
        "content/album: error: a symbolic link that leads outside the site folder\n  \
         hint: messages are {LINKED_IN}: move the folder in instead of linking to it"
    );
    let (site, _) = bad_input(
        "links-out",
        |site| {
            let content = site.root().join("content");
            std::os::unix::fs::symlink(outside.path().join("passwd"), content.join("rows.csv")).unwrap();
            std::os::unix::fs::symlink(outside.path().join("note.md"), content.join("x.md")).unwrap();
            std::os::unix::fs::symlink(outside.path().join("album"), content.join("album")).unwrap();
        },
        &[(&rows, "rows.csv"), (&message, ""), (&folder, "")],
        &["good"],
    );
    for (name, bytes) in crate::support::tree(&site.output("")) {
        let text = String::from_utf8_lossy(&bytes);
        for secret in ["SECRET-ROW", "SECRET-NOTE", "SECRET-ALBUM"] {
            assert!(!text.contains(secret), "output/{name} holds {secret}");
        }
    }
}

/// The hint of a theme name that is a path.
const THEME_NAME_HINT: &str =
    "hint: a theme is a name: a built-in theme or a folder in themes/, without `/`, `\\` or `..`";

#[test]
fn a_theme_named_by_a_path_is_refused_at_its_name() {
    // A complete theme elsewhere on the disk: once it was used, its fonts published.
    let elsewhere = tempfile::tempdir().unwrap();
    let private = elsewhere.path().join("private");
    std::fs::create_dir_all(&private).unwrap();
    std::fs::write(private.join("theme.yaml"), "name: private\ndescription: SECRET-THEME\nextends: chocolate\n")
        .unwrap();
    std::fs::write(private.join("style.css"), "/* SECRET-THEME */\n").unwrap();
    let abs = private.display().to_string();
    let by_message = format!("content/x.md:2:8: error: `{abs}` is not a theme name\n  {THEME_NAME_HINT}");
    let by_extends =
        format!("themes/mine/theme.yaml:3:10: error: `extends: {abs}` is not a theme name\n  {THEME_NAME_HINT}");
    let (site, _) = bad_input(
        "theme-path",
        |site| {
            site.write("content/x.md", &format!("---\ntheme: {abs}\n---\nA theme from elsewhere.\n"));
            site.write("themes/mine/theme.yaml", &format!("name: mine\ndescription: reaches out\nextends: {abs}\n"));
        },
        &[
            (&by_message, &abs),
            (&by_extends, &abs),
            (
                "content/y.md:2:8: error: theme `mine` cannot be used\n  \
                 hint: fix the theme's error at themes/mine/theme.yaml:3 first",
                "mine",
            ),
        ],
        &["good"],
    );
    for (name, bytes) in crate::support::tree(&site.output("")) {
        assert!(!String::from_utf8_lossy(&bytes).contains("SECRET-THEME"), "output/{name}");
    }
}

/// The sizes of the font files published in `site`'s output.
fn published_fonts(site: &Site) -> Vec<u64> {
    crate::support::tree(&site.output("assets")).values().map(|bytes| bytes.len() as u64).collect()
}

#[test]
fn a_font_cut_short_is_refused_at_the_line_that_names_it() {
    let font = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/chocolate/fonts/EBGaramond-Regular.ttf");
    let bytes = std::fs::read(font).unwrap();
    let cut = &bytes[..bytes.len() * 3 / 5];
    let (site, _) = bad_input(
        "broken-font",
        |site| {
            std::fs::create_dir_all(site.root().join("themes/mine/fonts")).unwrap();
            std::fs::write(site.root().join("themes/mine/fonts/Cut.ttf"), cut).unwrap();
        },
        &[
            (
                "themes/mine/theme.yaml:5:9: error: font file `fonts/Cut.ttf` is not a usable font: its `glyf` table ends past the end of the file\n  \
                 hint: the file is damaged or cut short: copy the font again from where it came from",
                "fonts/Cut.ttf",
            ),
            (
                "content/x.md:2:8: error: theme `mine` cannot be used\n  \
                 hint: fix the theme's error at themes/mine/theme.yaml:5 first",
                "mine",
            ),
        ],
        &["good"],
    );
    assert!(!published_fonts(&site).contains(&(cut.len() as u64)), "the broken font is not published");
}

#[test]
fn a_huge_font_is_refused_before_it_is_read() {
    let (site, run) = bad_input(
        "huge-font",
        |site| {
            std::fs::create_dir_all(site.root().join("themes/mine/fonts")).unwrap();
            for name in ["Huge.ttf", "Huge2.ttf"] {
                // Sparse: 500 MiB that take no room on the disk.
                let file = std::fs::File::create(site.root().join("themes/mine/fonts").join(name)).unwrap();
                file.set_len(500 << 20).unwrap();
            }
        },
        &[
            (
                "themes/mine/theme.yaml:5:9: error: font file `fonts/Huge.ttf` is 500.0 MiB; a font may be at most 16 MiB\n  \
                 hint: use a font made for the languages the cards are written in (a subset)",
                "fonts/Huge.ttf",
            ),
            (
                "content/x.md:2:8: error: theme `mine` cannot be used\n  \
                 hint: fix the theme's error at themes/mine/theme.yaml:5 first",
                "mine",
            ),
        ],
        &["good"],
    );
    assert!(published_fonts(&site).iter().all(|&size| size < 16 << 20), "no huge font is published");
    if let Some(peak_kib) = run.peak_kib {
        assert!(peak_kib < 200 << 10, "peak memory {peak_kib} KiB");
    }
}

#[test]
fn yaml_nested_thousands_deep_and_a_huge_file_of_rows_are_refused_before_they_are_parsed() {
    let (_, run) = bad_input(
        "deep-yaml",
        |site| {
            // Half a megabyte: under the 1 MiB a message may have.
            site.write("content/x.md", &format!("---\ntitle: {}\n---\nDeep.\n", "[".repeat(500_000)));
            site.write("content/rows.yaml", &format!("- id: 1\n- id: 2\n  deep: {}\n- id: 3\n", "[".repeat(100_000)));
            let big = std::fs::File::create(site.root().join("content/big.yaml")).unwrap();
            big.set_len(100 << 20).unwrap();
        },
        &[
            (
                "content/x.md:2:71: error: the front matter nests more than 64 levels deep here\n  \
                 hint: front matter is a few levels deep at most: flatten its lists and maps",
                "[[[",
            ),
            (
                "content/rows.yaml:3:72: error: row 2 nests more than 64 levels deep here\n  \
                 hint: a row is a map of fields a level or two deep: flatten its lists and maps",
                "[[[",
            ),
            (
                "content/n.md:2:13: error: `big.yaml` is 100.0 MiB; a file of rows may be at most 64 MiB\n  \
                 hint: split the rows into several files, one merged message each",
                "big.yaml",
            ),
        ],
        &["good", "r/1", "r/3"],
    );
    if let Some(peak_kib) = run.peak_kib {
        assert!(peak_kib < 300 << 10, "peak memory {peak_kib} KiB");
    }
}

/// A site of one message merged with `rows` rows (`name,slug`), pages only:
/// what a build keeps of each card until the gallery is made, not drawing,
/// is what it measures.
fn merged_site(rows: usize) -> Site {
    let site = Site::empty();
    site.write("waxseal.yaml", "outputs: [html]\n");
    site.write(
        "content/m.md",
        "---\ntitle: Hello {{ recipient.name }}\nrecipients: rows.csv\nslug: \"{{ recipient.slug }}\"\n---\nThanks, {{ recipient.name }}!\n",
    );
    let mut csv = String::from("name,slug\n");
    for i in 1..=rows {
        csv.push_str(&format!("Person {i},p{i}\n"));
    }
    site.write("content/rows.csv", &csv);
    site
}

#[test]
fn more_rows_than_ten_thousand_are_built_in_bounded_memory() {
    // Past the 10,000 rows a file once could have: a build keeps of each
    // card its record alone, well under a kilobyte or two.
    let site = merged_site(10_500);
    let run = build_bounded(&site, &[], |_| {});
    assert_eq!(run.code, 0, "{}", run.stderr);
    for page in ["cards/p1/index.html", "cards/p10500/index.html", "merged/m/index.html"] {
        assert!(site.output(page).is_file(), "{page} is made");
    }
    assert!(site.read("cards/p10500/index.html").contains("Thanks, Person 10500!"));
    if let Some(peak_kib) = run.peak_kib {
        // About 60 MiB here (a debug build), 45 of them for a site of one card.
        assert!(peak_kib < 128 << 10, "peak memory {peak_kib} KiB");
    }
}

#[test]
fn check_keeps_of_each_page_its_links_not_its_text() {
    // `check` makes every page in memory; it keeps only the links and ids
    // the link check reads, so it takes hardly more than a build (it took
    // 4 KB a card more when it held each page's HTML: 24 MiB here).
    let site = merged_site(6_000);
    let built = build_bounded(&site, &[], |_| {});
    let checked = run_bounded(&site, "check", &[], |_| {});
    assert_eq!((built.code, checked.code), (0, 0), "{}\n{}", built.stderr, checked.stderr);
    assert!(checked.stderr.contains("no problems"), "{}", checked.stderr);
    if let (Some(build_kib), Some(check_kib)) = (built.peak_kib, checked.peak_kib) {
        let more = check_kib.saturating_sub(build_kib);
        assert!(more < 18 << 10, "check took {more} KiB more than the build ({check_kib} KiB, {build_kib} KiB)");
    }
}

#[test]
fn a_million_rows_are_refused_after_the_most_a_file_may_have() {
    let started = Instant::now();
    let (_, run) = bad_input(
        "too-many-rows",
        |site| {
            let mut rows = String::from("id\n");
            for i in 1..=1_000_000 {
                rows.push_str(&format!("{i}\n"));
            }
            site.write("content/rows.csv", &rows);
        },
        &[(
            "content/rows.csv:100002:1: error: row 100001: a file of rows may have at most 100000 rows\n  \
             hint: no card of it is made: split the rows into files of 100000 at most, one merged message each",
            "100001",
        )],
        &["good"],
    );
    assert!(started.elapsed() < Duration::from_secs(60), "took {:?}", started.elapsed());
    if let Some(peak_kib) = run.peak_kib {
        assert!(peak_kib < 300 << 10, "peak memory {peak_kib} KiB");
    }
}

#[test]
fn nested_loops_stop_at_the_loop_budget() {
    // 100,000 x 100,000 steps ran for about ten minutes.
    bad_input(
        "template-loops",
        |_| {},
        &[(
            "content/x.md:5:45: error: this template ran more than 1000000 loop steps (a loop too long?)",
            "range(end=100000) %}{% endfor %}",
        )],
        &["good"],
    );
}

#[test]
fn a_text_that_doubles_stops_at_the_value_budget() {
    // Forty doublings passed 4 GB in 6 s.
    bad_input(
        "template-doubling",
        |_| {},
        &[(
            "content/x.md:5:47: error: this template made a text of more than 1024 KiB (a text that doubles?)",
            "s ~ s %}",
        )],
        &["good"],
    );
}

#[test]
fn a_word_of_a_million_letters_is_too_long_for_a_card_and_a_long_one_is_set_quickly() {
    // A 1.5 MB word took minutes to break into lines; a card holds 64 KiB
    // of text, and a 60,000-letter word (under that) is split in one pass
    // (and found too long for the card at once).
    bad_input(
        "long-word",
        |site| {
            let word = "abcdefghij".repeat(6000);
            site.write("content/word.md", &format!("---\ntitle: A long word\n---\n{word}\n"));
        },
        &[
            (
                "content/x.md:4:1: error: the card's text is 1465 KiB; a card holds at most 64 KiB\n  \
                 hint: a card holds a few hundred words: does a template repeat text?",
                "A word of a million",
            ),
            (
                "content/word.md:4:1: error: text needs {n} more lines than fit at the minimum size 8pt\n  \
                 hint: shorten the message, or choose a larger `size:`",
                "abcdefghij",
            ),
        ],
        &["good"],
    );
}

/// The theme `evil` of a case, with `art` on line 3 of its card.svg.
fn write_art(site: &Site, art: &str) {
    site.write(
        "themes/evil/card.svg",
        &format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{{{{ card.width }}}}\" height=\"{{{{ card.height }}}}\">\n\
             <rect width=\"100%\" height=\"100%\" fill=\"{{{{ palette.paper }}}}\"/>\n  {art}\n{{{{ text | safe }}}}{{{{ seal | safe }}}}\n</svg>\n"
        ),
    );
}

#[test]
fn a_picture_one_pixel_wide_and_a_hundred_million_high_is_refused_not_a_crash() {
    // It passed the 64-megapixel check (which multiplied first) and
    // panicked inside usvg: exit 101, no other card built.
    let (site, _) = bad_input(
        "art-tall-picture",
        |_| {},
        &[(
            "themes/evil/card.svg:3:37: error: the theme's card.svg holds a picture of 1 x 100000000 pixels: \
             at most 8000 x 8000 pixels may be drawn, neither side over 8000 times the other",
            "data:image/svg+xml,",
        )],
        &["good"],
    );
    let check = site.run(&["check"]);
    assert_eq!(check.code, 1, "{}", check.stderr);
    assert!(check.stderr.contains("1 x 100000000 pixels"), "{}", check.stderr);
}

#[test]
fn filters_that_would_draw_for_hours_are_refused_by_build_and_check() {
    let kernel = vec!["1"; 300 * 300].join(" ");
    let convolve = format!(
        "<filter id=\"blur\"><feConvolveMatrix order=\"300\" kernelMatrix=\"{kernel}\"/></filter><rect width=\"100%\" height=\"100%\" filter=\"url(#blur)\"/>"
    );
    let cases = [
        (
            "art-turbulence",
            None,
            "themes/evil/card.svg:3:57: error: the theme's card.svg cannot be drawn: an feTurbulence of 100000 octaves: at most 10",
            "numOctaves=",
        ),
        (
            "art-convolve",
            Some(convolve.as_str()),
            "themes/evil/card.svg:3:39: error: the theme's card.svg cannot be drawn: an feConvolveMatrix of order 300 x 300: at most 15 on each side",
            "order=",
        ),
        (
            "art-morphology",
            None,
            "themes/evil/card.svg:3:11: error: the theme's card.svg cannot be drawn: its filters would take 8678753 million pixel operations to draw, at most 500 million",
            "id=\"thick\"",
        ),
    ];
    for (case, art, diagnostic, there) in cases {
        let (site, _) = bad_input(
            case,
            |site| art.into_iter().for_each(|art| write_art(site, art)),
            &[(diagnostic, there)],
            &["good"],
        );
        // `check` draws nothing: the guard alone must refuse it, as fast.
        let check = site.run(&["check"]);
        assert_eq!(check.code, 1, "{case}: {}", check.stderr);
        assert!(check.stderr.contains(diagnostic), "{case}: {}", check.stderr);
        // Nor does `waxseal print` draw it: the same error, the good card printed.
        let print = run_bounded(&site, "print", &[], |_| {});
        assert_eq!(print.code, 1, "{case}: print: {}", print.stderr);
        assert!(print.stderr.starts_with(&format!("{diagnostic}\n")), "{case}: print: {}", print.stderr);
        assert!(print.stderr.contains("printed 1 card on 1 A4 sheet"), "{case}: print: {}", print.stderr);
    }
}

#[test]
fn a_themes_templates_have_the_same_budgets() {
    bad_input(
        "theme-template-loops",
        |_| {},
        &[(
            "themes/evil/card.svg:3:47: error: this template ran more than 1000000 loop steps (a loop too long?)",
            "range(end=100000) %}{% endfor %}",
        )],
        &["good"],
    );
}

#[test]
fn an_extra_key_that_is_not_a_name_is_refused_not_a_crash() {
    // Found by fuzzing (message_svg): `&riends:` is an anchor on an empty
    // (null) key; Tera cannot take such a map and panicked, ending the build.
    bad_input(
        "extra-key",
        |_| {},
        &[(
            "content/x.md:3:8: error: `extra` has a key that is not a name: `null`\n  \
             hint: a key is text, a whole number or true/false: a `[...]`, `{...}` or `&anchor` before the `:` makes another kind",
            "{ age: 31, &riends",
        )],
        &["good"],
    );
}

#[test]
fn a_themes_page_templates_have_the_same_budgets_at_the_column_written() {
    // The column is the one written, after the loop checks put into the line.
    let (site, _) = bad_input(
        "page-template-loops",
        |_| {},
        &[(
            "themes/evil/card.html:4:47: error: this template ran more than 1000000 loop steps (a loop too long?)",
            "range(end=100000) %}{% endfor %}",
        )],
        &["good", "x"],
    );
    // The card's pictures are made, but it has no page: no page links one.
    assert!(!site.output("cards/x/index.html").exists());
    for page in ["index.html", "cards/good/index.html", "feed.xml", "sitemap.xml"] {
        assert!(!site.read(page).contains("/cards/x/"), "{page} links the card with no page");
    }
}

#[test]
fn pictures_too_large_are_refused_from_their_size_before_they_are_decoded() {
    let (_, run) = bad_input(
        "pictures",
        |site| {
            // A PNG header of 20,000 x 20,000 pixels (1.2 GB decoded), a
            // thin one of 9,000 x 10, and a 50 MB file (sparse: no disk).
            let header = |width: u32, height: u32| {
                let mut out = Vec::new();
                let mut encoder = png::Encoder::new(&mut out, width, height);
                encoder.set_color(png::ColorType::Rgb);
                std::mem::forget(encoder.write_header().unwrap());
                out
            };
            std::fs::write(site.root().join("content/bomb.png"), header(20_000, 20_000)).unwrap();
            std::fs::write(site.root().join("content/thin.png"), header(9_000, 10)).unwrap();
            let big = std::fs::File::create(site.root().join("content/big.png")).unwrap();
            big.set_len(50 << 20).unwrap();
            for name in ["bomb", "thin", "big"] {
                site.write(&format!("content/{name}.md"), &format!("---\ntitle: Hi\n---\nLook:\n\n![it]({name}.png)\n"));
            }
        },
        &[
            (
                "content/bomb.md:6:1: error: cannot draw the picture `bomb.png`: it is 20000 x 20000 pixels; a picture may have at most 50 million pixels and sides of at most 8000 pixels\n  \
                 hint: scale the picture down: a card draws a picture at most a few thousand pixels across",
                "![it](bomb.png)",
            ),
            (
                "content/thin.md:6:1: error: cannot draw the picture `thin.png`: it is 9000 x 10 pixels; a picture may have at most 50 million pixels and sides of at most 8000 pixels\n  \
                 hint: scale the picture down: a card draws a picture at most a few thousand pixels across",
                "![it](thin.png)",
            ),
            (
                "content/big.md:6:1: error: cannot draw the picture `big.png`: the file is 50.0 MiB; a picture may be at most 40.0 MiB\n  \
                 hint: scale the picture down: a card draws a picture at most a few thousand pixels across",
                "![it](big.png)",
            ),
        ],
        &["good"],
    );
    // Nothing of them was decoded: the build needs what it needs without them.
    if let Some(peak_kib) = run.peak_kib {
        assert!(peak_kib < 200 << 10, "peak memory {peak_kib} KiB");
    }
}
