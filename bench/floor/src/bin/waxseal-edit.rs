//! One-card edits in one process, as `waxseal serve` rebuilds: a first build,
//! then N rounds of "append a word to one message, rebuild", each timed.
//!
//!   waxseal-edit SITE_DIR OUTPUT_DIR [--rounds 10] [--message content/msg-00500.md]
//!
//! Prints each rebuild's time and the median. The message is restored at the end.

use std::path::PathBuf;
use std::time::Instant;

use waxseal::build::{build_in, BuildOptions, Session};

fn main() {
    let mut args = std::env::args().skip(1);
    let mut positional = Vec::new();
    let mut rounds = 10;
    let mut message = "content/msg-00500.md".to_string();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--rounds" => rounds = args.next().expect("--rounds N").parse().expect("a number"),
            "--message" => message = args.next().expect("--message PATH"),
            _ => positional.push(PathBuf::from(a)),
        }
    }
    let [root, output] = positional.as_slice() else {
        panic!("usage: waxseal-edit SITE_DIR OUTPUT_DIR [--rounds N] [--message content/FILE.md]");
    };
    let options =
        BuildOptions { root: root.clone(), output: output.clone(), drafts: false, outputs: None, optimize: false, base_url: None };
    let session = Session::long_running();
    let t0 = Instant::now();
    let first = build_in(&session, &options);
    eprintln!("first build: {} cards ({} unchanged) in {:.3}s", first.built.len(), first.reused, t0.elapsed().as_secs_f64());

    let path = root.join(&message);
    let original = std::fs::read_to_string(&path).expect("the message to edit");
    let mut times = Vec::new();
    for round in 0..rounds {
        std::fs::write(&path, format!("{original}\nagain {round}\n")).unwrap();
        let t = Instant::now();
        let report = build_in(&session, &options);
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        assert_eq!(report.built.len() - report.reused, 1, "one card redrawn");
        eprintln!("edit {round}: {ms:.1} ms, {} files changed", report.changed.len());
        times.push(ms);
    }
    std::fs::write(&path, original).unwrap();
    build_in(&session, &options);
    times.sort_by(f64::total_cmp);
    println!("median one-card edit in a warm session: {:.1} ms over {rounds} rounds", times[times.len() / 2]);
}
