//! Integration tests: the real `waxseal` binary on small sites, checked for
//! what a user would notice. One file per topic (see tests/README.md);
//! `support` is the harness and `browser` drives headless Chromium.

// The harness's helpers are `pub` for the topic files beside it; the
// library's `unreachable_pub` rule is for its API, not for a test binary.
#![allow(unreachable_pub)]

mod architecture;
mod badinput;
mod browser;
mod build;
mod check;
mod diagnostics;
mod email;
mod fit;
mod golden;
mod hostile;
mod incremental;
mod links;
mod logo;
mod merge;
mod page_card;
mod pages;
mod pictures;
mod print;
mod qr;
mod safety;
mod send;
mod serve;
mod serve_safety;
mod site;
mod state;
mod support;
mod themes;
mod web_pictures;
mod webfonts;
