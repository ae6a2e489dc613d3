//! A whole message file made into its card's SVG, as a build makes one
//! card: the front matter parsed, its theme (any built-in one) and size
//! chosen, the body template run, the Markdown read, the text laid out, the
//! theme's card template filled and the SVG parsed by usvg. A diagnostic is
//! an answer; only a panic, an overflow or a hang is a finding.
#![no_main]

use libfuzzer_sys::fuzz_target;
use waxseal::{card, content};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let site = waxseal_fuzz::site();
    waxseal_fuzz::on_build_stack(|| {
        let (shown, rel) = waxseal_fuzz::message_paths();
        let Ok(message) = content::parse(shown, rel, text) else { return };
        // A merged message's cards come from the rows of a file beside it.
        if message.is_merged() {
            return;
        }
        let name = message.front.theme.as_deref().unwrap_or(&site.config.theme);
        let Some(theme) = site.theme(name) else { return };
        let Ok(card) = card::lay_out(theme, &site.config, &site.body_tera, &message, &site.figures) else { return };
        let _ = card.draw(theme, &message);
    });
});
