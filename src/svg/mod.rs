//! SVG as text: escaping what waxseal writes into it, the one guard every
//! untrusted SVG passes before usvg reads it, and the standalone card SVG
//! with its text as outlines.
//!
//! A leaf below the drawing modules: it knows SVG and usvg, nothing of
//! themes, cards or builds (the seal, render and pdf use it, never the
//! other way round).

pub mod cost;
pub mod escape;
pub mod guard;
pub mod number;
pub mod outlines;

pub use escape::{escape, without_forbidden};
pub use number::Fixed2;
