//! A message body's Markdown read into rich text and laid out on an A6 card
//! of the built-in `chocolate` theme (shaped with its fonts, hyphenated,
//! broken into lines and fitted). Text that cannot fit is an answer; only a
//! panic, an overflow or a hang is a finding.
#![no_main]

use libfuzzer_sys::fuzz_target;
use waxseal::layout::{self, Content};
use waxseal::render;
use waxseal::size::CardSize;
use waxseal::{content, markup};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let site = waxseal_fuzz::site();
    waxseal_fuzz::on_build_stack(|| {
        let theme = site.default_theme();
        // Markdown nested too deep is refused (an answer, not a finding).
        let Ok(markup) = markup::render(text, false) else { return };
        markup.rich.plain_text();
        let size = CardSize::named("a6", site.config.dpi).expect("a6 is a size");
        let frame = render::boxes(theme, size).frame(size);
        let content = Content {
            title: Some("Thank you"),
            text: &markup.rich,
            signature: Some("with love, Beverly"),
            lang: content::hyphenation_lang("en"),
            // Pictures of every shape (a message's later ones are square).
            pictures: &[(640, 480), (1, 8000), (8000, 1)],
            // A scanned signature of an odd shape in place of the name.
            signed: Some((8000, 1)),
        };
        let _ = layout::layout(theme, content, frame);
    });
});
