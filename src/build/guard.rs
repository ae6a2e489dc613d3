//! A panic while one card is made (a bug in waxseal, or in a library it
//! draws with, that a theme's artwork or a message can reach) costs that
//! card, not the build: the work runs under [`catch`], and the panic becomes
//! the card's diagnostic.
//!
//! Rust prints every panic on standard error as it happens, with a
//! backtrace when asked; for a panic the build catches and reports, that
//! print is only noise between the diagnostics. So the first [`catch`]
//! puts a panic hook in front of the one there was: it stays silent while a
//! card is made, and hands every other panic to the hook before it.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Once;

/// How many [`catch`]es are running.
static CATCHING: AtomicUsize = AtomicUsize::new(0);

std::thread_local! {
    /// Whether this thread runs inside a [`catch`].
    static INSIDE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `work`; a panic in it is its error, the panic's message.
pub(super) fn catch<T>(work: impl FnOnce() -> T) -> Result<T, String> {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let before = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            // The card's work may run on other threads of the pool too (a
            // card's pictures are drawn side by side): while a card is made,
            // a panic on any of the pool's threads is the card's.
            let caught = INSIDE.with(|inside| inside.get())
                || (rayon::current_thread_index().is_some() && CATCHING.load(Ordering::SeqCst) > 0);
            if !caught {
                before(info);
            }
        }));
    });
    let was_inside = INSIDE.with(|inside| inside.replace(true));
    CATCHING.fetch_add(1, Ordering::SeqCst);
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work));
    CATCHING.fetch_sub(1, Ordering::SeqCst);
    INSIDE.with(|inside| inside.set(was_inside));
    result.map_err(|payload| match (payload.downcast_ref::<&str>(), payload.downcast_ref::<String>()) {
        (Some(message), _) => message.to_string(),
        (_, Some(message)) => message.clone(),
        _ => "a panic with no message".to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_is_the_error_and_the_work_after_it_goes_on() {
        assert_eq!(catch(|| 2 + 2), Ok(4));
        assert_eq!(catch(|| -> u32 { panic!("drawn too big: {}", 7) }), Err("drawn too big: 7".to_string()));
        let none: Option<u32> = std::hint::black_box(None);
        let unwrapped = catch(|| none.expect("a value")).unwrap_err();
        assert_eq!(unwrapped, "a value");
        // On the pool's threads too, nested.
        let nested = catch(|| rayon::join(|| 1, || -> i32 { panic!("on another thread") }));
        assert_eq!(nested, Err("on another thread".to_string()));
        assert_eq!(catch(|| "still working"), Ok("still working"));
    }
}
