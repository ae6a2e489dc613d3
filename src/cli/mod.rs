//! The command line, part of the binary only (the library knows no CLI):
//! the arguments as clap derives them, here; each command turning its
//! arguments into the library's typed options and printing what it did, in
//! [`run`]; the line each command ends with, in [`summary`]. The exit code
//! is 0 when clean, 1 when some cards failed, 2 on a fatal problem.

mod run;
mod summary;

use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

pub(crate) use run::run;

/// Turns Markdown messages into print-quality cards, card pages and a gallery.
#[derive(Debug, Parser)]
#[command(name = "waxseal", version, about)]
pub(crate) struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
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
pub(crate) struct SendArgs {
    /// The site folder (holding waxseal.yaml and content/).
    #[arg(long, default_value = ".")]
    pub(crate) root: PathBuf,
    /// The output folder the emails were built into [default: ROOT/output].
    #[arg(long)]
    pub(crate) output: Option<PathBuf>,
    /// Only the cards whose slug matches, e.g. `orders/*` (`**` crosses folders); may be given more than once [default: every card].
    #[arg(long, value_name = "GLOB")]
    pub(crate) cards: Vec<String>,
    /// Say what would be sent, and send nothing.
    #[arg(long)]
    pub(crate) dry_run: bool,
    /// Send the chosen cards again, even those sent before and unchanged since.
    #[arg(long)]
    pub(crate) resend: bool,
    /// Print only problems.
    #[arg(long, short)]
    pub(crate) quiet: bool,
}

/// Arguments of `waxseal print`.
#[derive(Debug, clap::Args)]
pub(crate) struct PrintArgs {
    /// The site folder (holding waxseal.yaml and content/).
    #[arg(long, default_value = ".")]
    pub(crate) root: PathBuf,
    /// The output folder; the PDF goes into its print/ folder [default: ROOT/output].
    #[arg(long)]
    pub(crate) output: Option<PathBuf>,
    /// The paper.
    #[arg(long, value_enum, default_value_t = Sheet::A4)]
    pub(crate) sheet: Sheet,
    /// Only the cards whose slug matches, e.g. `orders/*` (`**` crosses folders); may be given more than once [default: every card].
    #[arg(long, value_name = "GLOB")]
    pub(crate) cards: Vec<String>,
    /// Print messages marked `draft: true` too.
    #[arg(long)]
    pub(crate) drafts: bool,
    /// Print only problems.
    #[arg(long, short)]
    pub(crate) quiet: bool,
}

/// Arguments of `waxseal check`.
#[derive(Debug, clap::Args)]
pub(crate) struct CheckArgs {
    /// The site folder (holding waxseal.yaml and content/).
    #[arg(long, default_value = ".")]
    pub(crate) root: PathBuf,
    /// Check messages marked `draft: true` too.
    #[arg(long)]
    pub(crate) drafts: bool,
    /// Check the site as published under this URL instead of `base_url` in waxseal.yaml.
    #[arg(long, value_name = "URL")]
    pub(crate) base_url: Option<String>,
    /// Print only problems.
    #[arg(long, short)]
    pub(crate) quiet: bool,
}

/// Arguments of `waxseal serve`.
#[derive(Debug, clap::Args)]
pub(crate) struct ServeArgs {
    /// The site folder (holding waxseal.yaml and content/).
    #[arg(long, default_value = ".")]
    pub(crate) root: PathBuf,
    /// Where to write the site [default: ROOT/output].
    #[arg(long)]
    pub(crate) output: Option<PathBuf>,
    /// The port [default: 4000, or the next free one].
    #[arg(long, short)]
    pub(crate) port: Option<u16>,
    /// The address to listen on; `--bind 0.0.0.0` lets other machines in.
    #[arg(long, default_value = "127.0.0.1")]
    pub(crate) bind: IpAddr,
    /// Open the gallery in the default browser.
    #[arg(long)]
    pub(crate) open: bool,
    /// Build messages marked `draft: true` too.
    #[arg(long)]
    pub(crate) drafts: bool,
    /// Look for changes by scanning the folders (for file systems that send no events).
    #[arg(long)]
    pub(crate) poll: bool,
    /// Print only problems (and the address).
    #[arg(long, short)]
    pub(crate) quiet: bool,
}

/// Arguments of `waxseal themes`.
#[derive(Debug, clap::Args)]
pub(crate) struct ThemesArgs {
    /// The site folder.
    #[arg(long, default_value = ".", global = true)]
    pub(crate) root: PathBuf,
    /// What to do; lists the themes when absent.
    #[command(subcommand)]
    pub(crate) action: Option<ThemesAction>,
}

/// `waxseal themes` actions.
#[derive(Debug, Subcommand)]
pub(crate) enum ThemesAction {
    /// Copy a built-in theme into themes/NAME/ to edit it.
    Eject {
        /// The built-in theme.
        name: String,
    },
}

/// Arguments of `waxseal new`.
#[derive(Debug, clap::Args)]
pub(crate) struct NewArgs {
    /// The folder to make (it must not exist, or be empty).
    pub(crate) dir: PathBuf,
    /// The site's theme.
    #[arg(long, default_value = "chocolate")]
    pub(crate) theme: String,
}

/// Arguments of `waxseal build`.
#[derive(Debug, clap::Args)]
pub(crate) struct BuildArgs {
    /// The site folder (holding waxseal.yaml and content/).
    #[arg(long, default_value = ".")]
    pub(crate) root: PathBuf,
    /// Where to write the site [default: ROOT/output].
    #[arg(long)]
    pub(crate) output: Option<PathBuf>,
    /// Build messages marked `draft: true` too.
    #[arg(long)]
    pub(crate) drafts: bool,
    /// Print only problems.
    #[arg(long, short)]
    pub(crate) quiet: bool,
    /// How many cards to draw at once [default: one per core].
    #[arg(long, short)]
    pub(crate) jobs: Option<usize>,
    /// Which files to make, e.g. `html,png` or `html,png,svg,pdf,email` [default: the site's `outputs`, else html,png,svg].
    #[arg(long, value_delimiter = ',', value_parser = parse_output)]
    pub(crate) outputs: Option<Vec<String>>,
    /// Smallest PNG files (slower): for publishing.
    #[arg(long)]
    pub(crate) optimize: bool,
    /// Publish under this URL instead of `base_url` in waxseal.yaml (for a preview deploy).
    #[arg(long, value_name = "URL")]
    pub(crate) base_url: Option<String>,
}

fn parse_output(name: &str) -> Result<String, String> {
    waxseal::config::Outputs::parse([name]).map(|_| name.to_string())
}

/// `--sheet`: the library's [`waxseal::print::Sheet`], as clap names and
/// documents its values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Sheet {
    /// ISO A4, 210 x 297 mm.
    A4,
    /// US Letter, 8.5 x 11 in.
    Letter,
}

impl From<Sheet> for waxseal::print::Sheet {
    fn from(sheet: Sheet) -> Self {
        match sheet {
            Sheet::A4 => waxseal::print::Sheet::A4,
            Sheet::Letter => waxseal::print::Sheet::Letter,
        }
    }
}
