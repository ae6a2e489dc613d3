//! Each command: its arguments made into the library's options, the library
//! called, what it found printed, and its exit code.

use std::time::Instant;

use waxseal::build::{build_in, BuildOptions, Session};
use waxseal::diagnostics::escape_controls;

use super::summary::{check_summary, print_summary, send_summary};
use super::{BuildArgs, CheckArgs, Cli, Command, NewArgs, PrintArgs, SendArgs, ServeArgs, ThemesAction, ThemesArgs};

/// Runs a command and returns the process exit code.
pub(crate) fn run(cli: Cli) -> i32 {
    match cli.command {
        Command::Build(args) => run_build(args),
        Command::Themes(args) => run_themes(args),
        Command::New(args) => run_new(args),
        Command::Serve(args) => run_serve(args),
        Command::Check(args) => run_check(args),
        Command::Print(args) => run_print(args),
        Command::Send(args) => run_send(args),
    }
}

fn run_send(args: SendArgs) -> i32 {
    let started = Instant::now();
    let output = args.output.unwrap_or_else(|| args.root.join("output"));
    let options = waxseal::send::SendOptions {
        root: args.root,
        output,
        cards: args.cards,
        dry_run: args.dry_run,
        resend: args.resend,
        quiet: args.quiet,
    };
    let sent = waxseal::send::send(&options);
    if options.dry_run {
        for message in &sent.sent {
            let line = format!("would send {} to {}: {}", message.slug, message.to.join(", "), message.subject);
            println!("{}", escape_controls(&line));
        }
    }
    for d in &sent.problems.diagnostics {
        eprintln!("{d}");
    }
    if !args.quiet && !sent.problems.fatal {
        eprintln!("{}", send_summary(&sent, options.dry_run, started.elapsed()));
    }
    sent.problems.exit_code()
}

fn run_print(args: PrintArgs) -> i32 {
    let started = Instant::now();
    let output = args.output.unwrap_or_else(|| args.root.join("output"));
    let options = waxseal::print::PrintOptions {
        root: args.root,
        output,
        sheet: args.sheet.into(),
        cards: args.cards,
        drafts: args.drafts,
    };
    let printed = waxseal::print::print(&options);
    for d in &printed.problems.diagnostics {
        eprintln!("{d}");
    }
    if !args.quiet && printed.file.is_some() {
        eprintln!("{}", print_summary(&printed, &options, started.elapsed()));
    }
    printed.problems.exit_code()
}

fn run_check(args: CheckArgs) -> i32 {
    let started = Instant::now();
    // The output folder only names pages in diagnostics: nothing is read or written there.
    let output = args.root.join("output");
    let options = BuildOptions {
        root: args.root,
        output,
        drafts: args.drafts,
        outputs: None,
        optimize: false,
        base_url: args.base_url,
    };
    // As for `build`: the process ends after this one check.
    let session = std::mem::ManuallyDrop::new(Session::default());
    let checked = waxseal::check::check(&session, &options);
    for d in &checked.problems.diagnostics {
        eprintln!("{d}");
    }
    if !args.quiet && !checked.problems.fatal {
        eprintln!("{}", check_summary(&checked, started.elapsed()));
    }
    // Any problem found fails a check, a warning too: it is a CI gate.
    checked.problems.strict_exit_code()
}

fn run_serve(args: ServeArgs) -> i32 {
    let output = args.output.unwrap_or_else(|| args.root.join("output"));
    // Served at the root of the local server, whatever the site's base_url.
    let build = BuildOptions {
        root: args.root,
        output,
        drafts: args.drafts,
        outputs: None,
        optimize: false,
        base_url: Some("/".into()),
    };
    waxseal::serve::serve(waxseal::serve::ServeOptions {
        build,
        bind: args.bind,
        port: args.port,
        open: args.open,
        poll: args.poll,
        quiet: args.quiet,
    })
}

fn run_themes(args: ThemesArgs) -> i32 {
    match args.action {
        None => {
            let themes = waxseal::theme::list(&args.root);
            let width = themes.iter().map(|t| t.name.len()).max().unwrap_or(0);
            for t in themes {
                let line = format!("{:width$}  {} [{}]", t.name, t.description, t.source);
                println!("{}", escape_controls(&line));
            }
            0
        }
        Some(ThemesAction::Eject { name }) => match waxseal::scaffold::eject(&args.root, &name) {
            Ok(files) => {
                println!(
                    "copied {} files of `{name}` into {}",
                    files.len(),
                    args.root.join("themes").join(&name).display()
                );
                println!("edit them there: the site's files are used instead of the built-in ones");
                0
            }
            Err(e) => {
                eprintln!("error: {e}");
                2
            }
        },
    }
}

fn run_new(args: NewArgs) -> i32 {
    match waxseal::scaffold::new_site(&args.dir, &args.theme) {
        Ok(files) => {
            for f in &files {
                println!("created {}", f.display());
            }
            println!("next: cd {} && waxseal build", args.dir.display());
            0
        }
        Err(e) => {
            eprintln!("error: {e}");
            2
        }
    }
}

/// `--jobs` is lowered to at most this many threads per core: a card drawn
/// takes a core, so more threads only wait their turn, each holding its
/// stack and its card's memory (100,000 of them took the machine down).
const JOBS_PER_CORE: usize = 4;

/// The threads a build asked for `--jobs asked` runs on: at least one, at
/// most [`JOBS_PER_CORE`] per core, saying so (unless `quiet`) when lowered.
/// A note rather than an error: the build asked for is still done, as fast.
fn jobs(asked: usize, quiet: bool) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let most = cores * JOBS_PER_CORE;
    if asked <= most {
        return asked.max(1);
    }
    if !quiet {
        let cores = waxseal::diagnostics::plural(cores, "core", "cores");
        eprintln!(
            "note: --jobs {asked} lowered to {most}, {JOBS_PER_CORE} per core ({cores} here): more would only wait"
        );
    }
    most
}

fn run_build(args: BuildArgs) -> i32 {
    let started = Instant::now();
    let output = args.output.clone().unwrap_or_else(|| args.root.join("output"));
    let outputs = args.outputs.as_ref().map(|names| {
        waxseal::config::Outputs::parse(names.iter().map(String::as_str)).expect("each name was checked by clap")
    });
    let options = BuildOptions {
        root: args.root,
        output,
        drafts: args.drafts,
        outputs,
        optimize: args.optimize,
        base_url: args.base_url,
    };
    // The process ends after this one build: what the session holds (drawn
    // layers, fonts) is left for the system to reclaim rather than freed
    // piece by piece, which took a few milliseconds of a one-card rebuild.
    let session = std::mem::ManuallyDrop::new(Session::default());
    let report = match args.jobs.map(|asked| jobs(asked, args.quiet)) {
        Some(jobs) => match rayon::ThreadPoolBuilder::new().num_threads(jobs).build() {
            Ok(pool) => pool.install(|| build_in(&session, &options)),
            Err(e) => {
                eprintln!("error: cannot start {jobs} threads: {e}");
                return 2;
            }
        },
        None => build_in(&session, &options),
    };
    for d in &report.problems.diagnostics {
        eprintln!("{d}");
    }
    if !args.quiet {
        eprintln!("{}", waxseal::serve::build_summary(&report, &options.output, started.elapsed()));
        if let Some(base_url) = &report.relative_base_url {
            eprintln!(
                "note: base_url is `{base_url}`, so feed.xml, sitemap.xml and the link previews hold relative URLs; \
                 to publish, set `base_url: https://your.site/` in waxseal.yaml or pass --base-url"
            );
        }
    }
    report.exit_code()
}
