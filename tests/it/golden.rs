//! Golden cards: small PNGs in tests/golden/ that the cards of
//! tests/fixtures/golden/ must match, channel by channel within a tolerance.
//!
//! `WAXSEAL_BLESS=1 cargo test --test it golden` writes the current cards as
//! the new goldens (look at them first). On a mismatch the test writes a diff
//! image (differing pixels in red) to target/golden-diff/NAME.png.

use std::path::{Path, PathBuf};

use crate::support::{Image, Site};

/// Per-channel difference allowed for antialiasing noise.
const TOLERANCE: u8 = 10;
/// Share of pixels that may differ by more than the tolerance.
const MAX_DIFFERING: f64 = 0.002;

const CARDS: &[&str] = &[
    "emphasis-wrap",
    "list",
    "quote",
    "arabic",
    "japanese",
    "emoji",
    "long-url",
    "theme-classic",
    "theme-kraft",
    "theme-minimal",
];

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

#[test]
fn cards_match_their_golden_pngs() {
    let site = Site::fixture("golden");
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    let bless = std::env::var_os("WAXSEAL_BLESS").is_some();
    let mut failures = Vec::new();
    for name in CARDS {
        let actual_path = site.output(&format!("cards/{name}/card.png"));
        let golden_path = golden_dir().join(format!("{name}.png"));
        if bless {
            let image = Image::read(&actual_path);
            image.write_png(&golden_path);
            continue;
        }
        let actual = Image::read(&actual_path);
        let golden = Image::read(&golden_path);
        assert_eq!((actual.width, actual.height), (golden.width, golden.height), "{name}: size");
        let (differing, diff) = actual.diff(&golden, TOLERANCE);
        let share = differing as f64 / (actual.width * actual.height) as f64;
        if share > MAX_DIFFERING {
            let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/golden-diff");
            std::fs::create_dir_all(&out).unwrap();
            diff.write_png(&out.join(format!("{name}.png")));
            actual.write_png(&out.join(format!("{name}.actual.png")));
            failures.push(format!("{name}: {differing} pixels ({:.3}%) differ", share * 100.0));
        }
    }
    assert!(failures.is_empty(), "golden mismatches (see target/golden-diff/):\n{}", failures.join("\n"));
}
