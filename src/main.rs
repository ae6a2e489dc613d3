//! The `waxseal` command: parse the arguments, run, map the outcome to an
//! exit code. The command line ([`cli`]) is the binary's alone: the library
//! knows no CLI.

mod cli;

use clap::Parser;

fn main() {
    let cli = cli::Cli::parse();
    std::process::exit(cli::run(cli));
}
