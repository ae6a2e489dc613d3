//! One card, from its message to its files' bytes: the message laid out in
//! its theme ([`compose`]), its theme found ([`themes`]), its gallery entry
//! ([`entry`]), its email ([`email`]) and its pictures drawn ([`pictures`]);
//! the site's icons are its theme's seal ([`icons`]);
//! [`artifacts`] names the files. Nothing here writes: the build writes what a card returns.

pub mod artifacts;
pub mod balance;
pub mod compose;
pub mod email;
pub mod entry;
pub mod figures;
pub mod guard;
pub mod icons;
pub mod page;
pub mod pictures;
pub mod themes;

pub use artifacts::Artifact;
pub use compose::{lay_out, LaidCard};
