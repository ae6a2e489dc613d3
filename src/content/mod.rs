//! Messages: `content/**/*.md` -> [`Message`]s with typed front matter and a
//! rendered body.
//!
//! This module walks the content folder (sorted, so builds are
//! deterministic), splits and parses the YAML front matter, and runs the body
//! through Tera. Every error points at a line of the message file itself:
//! front matter lines are offset by the opening `---`, template lines by the
//! front matter block. It knows nothing of themes, fonts or output.
//!
//! Where things go: a new front matter key is a field of [`FrontMatter`]
//! (and its name in [`FRONT_MATTER_KEYS`]), with any check serde cannot
//! make in `message.rs`; `walk.rs` lists the files, `body.rs` renders the
//! body, `recipients` makes a merged message's cards from its rows, and
//! `catalog` lists the cards a site has before any is made, and `patterns`
//! says which of them a command's `--cards` chose.

mod body;
pub mod catalog;
mod front_matter;
mod message;
pub mod patterns;
pub mod recipients;
mod walk;

pub use body::{render_body, template_diagnostic};
pub use front_matter::{FrontMatter, GalleryMode, SealField, SealSpecField, FRONT_MATTER_KEYS};
pub use message::{
    clean_slug, hyphenation_lang, parse, qr_problem, read, tags_problem, Message, Recipient, SlugProblem,
    MAX_MESSAGE_BYTES, MAX_SLUG_BYTES, MAX_SLUG_PART_BYTES, MAX_TAGS, MAX_TAG_CHARS,
};
pub use walk::walk;
