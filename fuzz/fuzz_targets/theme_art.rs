//! A theme's card artwork and a message made into the card's PNG, as a
//! build makes it: the input is the theme's `card.svg` template, a NUL byte,
//! then a message file (without the NUL, the whole input is the template
//! and the message is a short note). The template is put into a site theme
//! that extends `chocolate`; the message is laid out, the template filled,
//! the SVG guarded and parsed, its filters costed, and the card drawn
//! (PNG, thumbnail, link preview, standalone SVG) as `waxseal build` draws
//! it. A diagnostic is an answer; only a panic, an overflow or a hang is a
//! finding.
#![no_main]

use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use waxseal::card;
use waxseal::card::pictures::{self, Drawing, Pictures};
use waxseal::config::Outputs;
use waxseal::{content, render};

/// The message drawn when the input brings none.
const NOTE: &str = "---\ntitle: Thank you\nfrom: Bev\n---\nMade with *love*.\n";

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (art, message) = text.split_once('\0').unwrap_or((text, NOTE));
    let site = waxseal_fuzz::site();
    let mut theme = waxseal_fuzz::art_theme().lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    {
        // The last execution's pictures are dropped: the theme is not shared.
        let Some(only) = Arc::get_mut(&mut theme) else { return };
        // A template Tera refuses is refused when the theme loads: an answer.
        if only.templates.add_raw_template("card.svg", art).is_err() {
            return;
        }
        only.files.insert("card.svg".to_owned(), waxseal::theme::FileBytes::from(art.as_bytes().to_vec()));
    }
    let theme = Arc::clone(&theme);
    waxseal_fuzz::on_build_stack(|| {
        let (shown, rel) = waxseal_fuzz::message_paths();
        let Ok(message) = content::parse(shown, rel, message) else { return };
        if message.is_merged() {
            return;
        }
        let config = &site.art_config;
        let Ok(laid) = card::lay_out(&theme, config, &site.body_tera, &message, &site.figures) else { return };
        let Ok((svg, tree)) = laid.draw(&theme, &message) else { return };
        let pictures = Pictures {
            slug: message.slug.clone(),
            theme: Arc::clone(&theme),
            svg,
            tree,
            width: laid.size.width,
            share: laid.share_view(),
            print: None,
            email: None,
        };
        let bases = render::BaseCache::default();
        let outputs = Outputs { html: false, png: true, svg: true, pdf: false, email: false };
        let how = Drawing { bases: &bases, outputs, dpi: config.dpi, optimize: false, print: &config.print };
        let _ = pictures::draw(&how, &pictures);
    });
});
