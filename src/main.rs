//! The `waxseal` command: parse the arguments, run, map the outcome to an exit code.

use clap::Parser;

fn main() {
    let cli = waxseal::cli::Cli::parse();
    std::process::exit(waxseal::cli::run(cli));
}
