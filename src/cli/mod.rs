//! The command line: clap derive only. Each command turns its arguments into
//! a typed options struct and calls the library; the exit code is 0 when
//! clean, 1 when some cards failed, 2 on a fatal problem.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};

use crate::build::{build_in, BuildOptions, BuildReport, Session};
use crate::check::CheckReport;

/// Turns Markdown messages into print-quality cards, card pages and a gallery.
#[derive(Debug, Parser)]
#[command(name = "waxseal", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build every card of the site into the output folder.
    Build(BuildArgs),
    /// List the themes (built-in and the site's), or eject one to edit.
    Themes(ThemesArgs),
    /// Make a new site: waxseal.yaml and two example messages.
    New(NewArgs),
    /// Build, then rebuild on every save and serve the site with live reload.
    Serve(ServeArgs),
    /// Report every problem a build would, and broken links and missing
    /// images; write nothing. Exits 1 when anything is found (for CI).
    Check(CheckArgs),
    /// Put cards on sheets of paper for a home printer, several to a sheet
    /// with cut marks, in one PDF: output/print/sheets-SHEET.pdf.
    Print(PrintArgs),
    /// Send the built emails of the chosen cards through the mail server
    /// in waxseal.yaml's `smtp:`; each card once, again only when it changed.
    Send(SendArgs),
}

/// Arguments of `waxseal send`.
#[derive(Debug, clap::Args)]
pub struct SendArgs {
    /// The site folder (holding waxseal.yaml and content/).
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// The output folder the emails were built into [default: ROOT/output].
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// Only the cards whose slug matches, e.g. `orders/*` (`**` crosses folders); may be given more than once [default: every card].
    #[arg(long, value_name = "GLOB")]
    pub cards: Vec<String>,
    /// Say what would be sent, and send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Send the chosen cards again, even those sent before and unchanged since.
    #[arg(long)]
    pub resend: bool,
    /// Print only problems.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Arguments of `waxseal print`.
#[derive(Debug, clap::Args)]
pub struct PrintArgs {
    /// The site folder (holding waxseal.yaml and content/).
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// The output folder; the PDF goes into its print/ folder [default: ROOT/output].
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// The paper.
    #[arg(long, value_enum, default_value_t = crate::print::Sheet::A4)]
    pub sheet: crate::print::Sheet,
    /// Only the cards whose slug matches, e.g. `orders/*` (`**` crosses folders); may be given more than once [default: every card].
    #[arg(long, value_name = "GLOB")]
    pub cards: Vec<String>,
    /// Print messages marked `draft: true` too.
    #[arg(long)]
    pub drafts: bool,
    /// Print only problems.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Arguments of `waxseal check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The site folder (holding waxseal.yaml and content/).
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// Check messages marked `draft: true` too.
    #[arg(long)]
    pub drafts: bool,
    /// Check the site as published under this URL instead of `base_url` in waxseal.yaml.
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Print only problems.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Arguments of `waxseal serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// The site folder (holding waxseal.yaml and content/).
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// Where to write the site [default: ROOT/output].
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// The port [default: 4000, or the next free one].
    #[arg(long, short)]
    pub port: Option<u16>,
    /// The address to listen on; `--bind 0.0.0.0` lets other machines in.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// Open the gallery in the default browser.
    #[arg(long)]
    pub open: bool,
    /// Build messages marked `draft: true` too.
    #[arg(long)]
    pub drafts: bool,
    /// Look for changes by scanning the folders (for file systems that send no events).
    #[arg(long)]
    pub poll: bool,
    /// Print only problems (and the address).
    #[arg(long, short)]
    pub quiet: bool,
}

/// Arguments of `waxseal themes`.
#[derive(Debug, clap::Args)]
pub struct ThemesArgs {
    /// The site folder.
    #[arg(long, default_value = ".", global = true)]
    pub root: PathBuf,
    /// What to do; lists the themes when absent.
    #[command(subcommand)]
    pub action: Option<ThemesAction>,
}

/// `waxseal themes` actions.
#[derive(Debug, Subcommand)]
pub enum ThemesAction {
    /// Copy a built-in theme into themes/NAME/ to edit it.
    Eject {
        /// The built-in theme.
        name: String,
    },
}

/// Arguments of `waxseal new`.
#[derive(Debug, clap::Args)]
pub struct NewArgs {
    /// The folder to make (it must not exist, or be empty).
    pub dir: PathBuf,
    /// The site's theme.
    #[arg(long, default_value = "chocolate")]
    pub theme: String,
}

/// Arguments of `waxseal build`.
#[derive(Debug, clap::Args)]
pub struct BuildArgs {
    /// The site folder (holding waxseal.yaml and content/).
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// Where to write the site [default: ROOT/output].
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// Build messages marked `draft: true` too.
    #[arg(long)]
    pub drafts: bool,
    /// Print only problems.
    #[arg(long, short)]
    pub quiet: bool,
    /// How many cards to draw at once [default: one per core].
    #[arg(long, short)]
    pub jobs: Option<usize>,
    /// Which files to make, e.g. `html,png` or `html,png,svg,pdf,email` [default: the site's `outputs`, else html,png,svg].
    #[arg(long, value_delimiter = ',', value_parser = parse_output)]
    pub outputs: Option<Vec<String>>,
    /// Smallest PNG files (slower): for publishing.
    #[arg(long)]
    pub optimize: bool,
    /// Publish under this URL instead of `base_url` in waxseal.yaml (for a preview deploy).
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
}

fn parse_output(name: &str) -> Result<String, String> {
    crate::build::Outputs::parse([name]).map(|_| name.to_string())
}

/// Runs a command and returns the process exit code.
pub fn run(cli: Cli) -> i32 {
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
    let options = crate::send::SendOptions {
        root: args.root,
        output,
        cards: args.cards,
        dry_run: args.dry_run,
        resend: args.resend,
        quiet: args.quiet,
    };
    let report = crate::send::send(&options);
    if options.dry_run {
        for message in &report.sent {
            println!("would send {} to {}: {}", message.slug, message.to.join(", "), message.subject);
        }
    }
    for d in &report.diagnostics {
        eprintln!("{d}");
    }
    if !args.quiet && !report.fatal {
        eprintln!("{}", send_summary(&report, options.dry_run, started.elapsed()));
    }
    report.exit_code()
}

/// The line a send ends with: `sent 3 emails (2 unchanged since sent, 1
/// not sent) in 1.20s`.
pub fn send_summary(report: &crate::send::SendReport, dry_run: bool, took: std::time::Duration) -> String {
    let count = |n: usize| if n == 1 { "1 email".to_string() } else { format!("{n} emails") };
    let mut also = Vec::new();
    if report.unchanged > 0 {
        also.push(format!("{} sent before and unchanged", report.unchanged));
    }
    if report.failed > 0 {
        also.push(format!("{} not sent", report.failed));
    }
    let also = if also.is_empty() { String::new() } else { format!(" ({})", also.join(", ")) };
    let verb = if dry_run { "would send" } else { "sent" };
    format!("{verb} {}{also} in {:.2}s", count(report.sent.len()), took.as_secs_f64())
}

fn run_print(args: PrintArgs) -> i32 {
    let started = Instant::now();
    let output = args.output.unwrap_or_else(|| args.root.join("output"));
    let options = crate::print::PrintOptions {
        root: args.root,
        output,
        sheet: args.sheet,
        cards: args.cards,
        drafts: args.drafts,
    };
    let report = crate::print::print(&options);
    for d in &report.diagnostics {
        eprintln!("{d}");
    }
    if !args.quiet && report.file.is_some() {
        eprintln!("{}", print_summary(&report, &options, started.elapsed()));
    }
    report.exit_code()
}

/// The line a print ends with: `printed 5 cards on 2 A4 sheets (4 a6 cards a
/// sheet) into output/print/sheets-a4.pdf in 0.41s`.
pub fn print_summary(
    report: &crate::print::PrintReport,
    options: &crate::print::PrintOptions,
    took: Duration,
) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let sizes: Vec<String> = report
        .sizes
        .iter()
        .map(|(size, per_sheet, _)| format!("{} a sheet", plural(*per_sheet, &format!("{size} card"))))
        .collect();
    let file = report.file.as_deref().map(|rel| options.output.join(rel)).unwrap_or_default();
    format!(
        "printed {} on {} ({}) into {} in {:.2}s",
        plural(report.cards, "card"),
        plural(report.sheets, &format!("{} sheet", options.sheet.label())),
        sizes.join(", "),
        file.display(),
        took.as_secs_f64()
    )
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
    let report = crate::check::check(&session, &options);
    for d in &report.diagnostics {
        eprintln!("{d}");
    }
    if !args.quiet && !report.fatal {
        eprintln!("{}", check_summary(&report, started.elapsed()));
    }
    report.exit_code()
}

/// The line a check ends with: `checked 3 cards in 0.12s: no problems`.
pub fn check_summary(report: &CheckReport, took: Duration) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let mut line = format!("checked {} in {:.2}s", plural(report.cards, "card"), took.as_secs_f64());
    if report.drafts_skipped > 0 {
        line.push_str(&format!(" ({} skipped)", plural(report.drafts_skipped, "draft")));
    }
    match report.diagnostics.len() {
        0 => line.push_str(": no problems"),
        n => line.push_str(&format!(": {}", plural(n, "problem"))),
    }
    line
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
    crate::serve::serve(crate::serve::ServeOptions {
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
            let themes = crate::theme::list(&args.root);
            let width = themes.iter().map(|t| t.name.len()).max().unwrap_or(0);
            for t in themes {
                println!("{:width$}  {} [{}]", t.name, t.description, t.source);
            }
            0
        }
        Some(ThemesAction::Eject { name }) => match crate::scaffold::eject(&args.root, &name) {
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
    match crate::scaffold::new_site(&args.dir, &args.theme) {
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

fn run_build(args: BuildArgs) -> i32 {
    let started = Instant::now();
    let output = args.output.clone().unwrap_or_else(|| args.root.join("output"));
    let outputs = args.outputs.as_ref().map(|names| {
        crate::build::Outputs::parse(names.iter().map(String::as_str)).expect("each name was checked by clap")
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
    let report = match args.jobs {
        Some(jobs) => match rayon::ThreadPoolBuilder::new().num_threads(jobs.max(1)).build() {
            Ok(pool) => pool.install(|| build_in(&session, &options)),
            Err(e) => {
                eprintln!("error: cannot start {jobs} threads: {e}");
                return 2;
            }
        },
        None => build_in(&session, &options),
    };
    for d in &report.diagnostics {
        eprintln!("{d}");
    }
    if !args.quiet {
        eprintln!("{}", summary(&report, &options.output, started.elapsed()));
        if let Some(base_url) = &report.relative_base_url {
            eprintln!(
                "note: base_url is `{base_url}`, so feed.xml, sitemap.xml and the link previews hold relative URLs; \
                 to publish, set `base_url: https://your.site/` in waxseal.yaml or pass --base-url"
            );
        }
    }
    report.exit_code()
}

/// The line a build ends with: `built 3 cards into output in 0.21s (2 unchanged)`.
pub fn summary(report: &BuildReport, output: &Path, took: Duration) -> String {
    let errors = report.diagnostics.iter().filter(|d| d.is_error()).count();
    let mut line = format!(
        "built {} card{} into {} in {:.2}s",
        report.built.len(),
        if report.built.len() == 1 { "" } else { "s" },
        output.display(),
        took.as_secs_f64()
    );
    if report.reused > 0 {
        line.push_str(&format!(" ({} unchanged)", report.reused));
    }
    if report.pages_only > 0 {
        line.push_str(&format!(" ({} with only their pages made again)", report.pages_only));
    }
    if report.drafts_skipped > 0 {
        line.push_str(&format!(
            " ({} draft{} skipped)",
            report.drafts_skipped,
            if report.drafts_skipped == 1 { "" } else { "s" }
        ));
    }
    if errors > 0 {
        line.push_str(&format!("; {errors} error{}", if errors == 1 { "" } else { "s" }));
    }
    line
}
