//! A message file's front matter split from its body and parsed (YAML,
//! date, language, slug), and the places of its keys looked up, as a build
//! does for every file under `content/`. An error is an answer; only a
//! panic, an overflow or a hang is a finding.
#![no_main]

use libfuzzer_sys::fuzz_target;
use waxseal::content::{self, FRONT_MATTER_KEYS};

fuzz_target!(|data: &[u8]| {
    // A file that is not UTF-8 is refused before it is parsed.
    let Ok(text) = std::str::from_utf8(data) else { return };
    waxseal_fuzz::on_build_stack(|| {
        let (shown, rel) = waxseal_fuzz::message_paths();
        match content::parse(shown, rel, text) {
            Ok(message) => {
                for key in FRONT_MATTER_KEYS {
                    message.line_of(key);
                    message.value_place(key);
                }
            }
            Err(diagnostic) => {
                diagnostic.to_string();
            }
        }
    });
});
