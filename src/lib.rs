//! waxseal turns personal messages written in Markdown into print-quality
//! cards, card pages and a gallery.
//!
//! Data flows one way; each stage is a module with a small typed interface:
//!
//! ```text
//! config    waxseal.yaml            -> SiteConfig (its values checked)
//! content   content/**/*.md         -> Message (front matter, body template);
//!           rows of `recipients:`   -> one Message per row, streamed;
//!           the catalog: the cards a site has, before any is made
//! template  Tera, waxseal's filters, where a template error is
//! markup    Markdown (comrak)       -> RichText (styled runs) + HTML
//! signoff   `sign_off:` + language  -> the words a card is signed with
//! qr        `qr:` link              -> checked, encoded as a QR code's modules
//! theme     built-in + themes/NAME  -> Theme (palette, fonts, templates)
//! layout    RichText + Theme + box  -> positioned lines (shaped, broken, fitted)
//! seal      emblem + colour + seed  -> SVG wax seal
//! picture   `![..](file)`, logo      -> found in the site, measured, decoded, scaled
//! svg       untrusted SVG -> guarded; card SVG -> text as outlines (and escaping)
//! render    card SVG -> usvg tree   -> PNG card, thumbnail, standalone SVG;
//!           kept layers (through a store the build gives);
//!           card SVG + bleed        -> print PDF (real text, TrimBox, BleedBox)
//! email     card PNG + email.html.tera -> message.eml (text, HTML, the card inline)
//! site      Tera templates          -> card pages, gallery pages, assets (values)
//! feeds     card entries            -> feed.xml, sitemap.xml, robots.txt
//! card      message + theme         -> laid-out card, entry, email, pictures (bytes)
//! build     named stages: plan (pure), cards, pages, record
//! input     a file a site names: inside the site, links resolved, size known; YAML depth
//! output    the only writer: atomic, confined to the output folder and the site's .waxseal/ (or in memory)
//! links     the made site's URLs      -> broken links and missing images
//! check     a build in memory + links -> every problem, nothing written
//! print     chosen cards            -> n-up sheets for home printers, one PDF
//! send      built emails            -> the shop's mail server (SMTP), a sent log
//! ```
//!
//! The layers, lowest first: a module may use only modules on layers below
//! its own (`tests/it/architecture.rs` checks every `crate::` path).
//!
//! ```text
//! layers:
//! 0  diagnostics hash input size output markup qr signoff svg template
//! 1  config seal links picture
//! 2  content theme
//! 3  layout site email
//! 4  render feeds
//! 5  card
//! 6  build
//! 7  check print scaffold serve
//! 8  send
//! end of layers
//! ```
//!
//! The command line is not part of the library: the binary (`src/main.rs`
//! and its `cli/`) parses the arguments, calls these modules and prints
//! what they report.

pub mod build;
pub mod card;
pub mod check;
pub mod config;
pub mod content;
pub mod diagnostics;
pub mod email;
pub mod feeds;
pub mod hash;
pub mod input;
pub mod layout;
pub mod links;
pub mod markup;
pub mod output;
pub mod picture;
pub mod print;
pub mod qr;
pub mod render;
pub mod scaffold;
pub mod seal;
pub mod send;
pub mod serve;
pub mod signoff;
pub mod site;
pub mod size;
pub mod svg;
pub mod template;
pub mod theme;
