//! A panic while one card is made (a bug in waxseal, or in a library it
//! draws with, that a theme's artwork or a message can reach) costs that
//! card, not the build: the work runs under [`catch`], and the panic becomes
//! the card's diagnostic.
//!
//! Rust prints every panic on standard error as it happens, with a
//! backtrace when asked; for a panic the build catches and reports, that
//! print is only noise between the diagnostics. So the first [`catch`]
//! puts a panic hook in front of the one there was: it stays silent for a
//! panic on a thread that is making a card, and hands every other panic
//! (on any other thread, at the same moment too) to the hook before it.
//! A card's work that goes to another thread goes through [`join`], which
//! says so there.

use std::cell::Cell;
use std::sync::Once;

std::thread_local! {
    /// Whether this thread makes a card, inside a [`catch`].
    static INSIDE: Cell<bool> = const { Cell::new(false) };
}

/// Runs `work`; a panic in it is its error, the panic's message.
pub fn catch<T>(work: impl FnOnce() -> T) -> Result<T, String> {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let before = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !INSIDE.with(Cell::get) {
                before(info);
            }
        }));
    });
    let result = inside(true, || std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)));
    result.map_err(|payload| match (payload.downcast_ref::<&str>(), payload.downcast_ref::<String>()) {
        (Some(message), _) => message.to_string(),
        (_, Some(message)) => message.clone(),
        _ => "a panic with no message".to_string(),
    })
}

/// `rayon::join` for a card's work: the two halves run side by side, and a
/// panic in either, on whichever thread, is the card's (quiet when the card
/// is made under [`catch`], as on the calling thread).
pub fn join<A, B, RA, RB>(a: A, b: B) -> (RA, RB)
where
    A: FnOnce() -> RA + Send,
    B: FnOnce() -> RB + Send,
    RA: Send,
    RB: Send,
{
    // Called outside the pool, both halves run on the pool's threads. While
    // this thread waits for a half another thread took, it takes other work
    // of the pool: that work is not the card's, so the mark is off meanwhile.
    let caught = INSIDE.with(Cell::get);
    inside(false, || rayon::join(move || inside(caught, a), move || inside(caught, b)))
}

/// Runs `work` with this thread marked as making a card or not, as it was after.
fn inside<T>(mark: bool, work: impl FnOnce() -> T) -> T {
    /// Puts the mark back however `work` ends (a panic unwinds through here).
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            INSIDE.with(|inside| inside.set(self.0));
        }
    }
    let _restore = Restore(INSIDE.with(|inside| inside.replace(mark)));
    work()
}

/// Whether a panic on this thread, now, would be kept quiet.
#[cfg(test)]
fn quiet() -> bool {
    INSIDE.with(Cell::get)
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
        let nested = catch(|| join(|| 1, || -> i32 { panic!("on another thread") }));
        assert_eq!(nested, Err("on another thread".to_string()));
        assert_eq!(catch(|| "still working"), Ok("still working"));
        assert!(!quiet(), "the mark is taken off after a panic");
    }

    #[test]
    fn only_a_cards_work_is_quiet() {
        // Both halves of a card's join are the card's, on whichever thread.
        let (a, b) = catch(|| join(quiet, quiet)).unwrap();
        assert!(a && b);
        // Work beside a card, on the pool's threads while the card is made,
        // is not: its panic is printed as ever. The card waits inside its
        // catch until the work beside it has looked.
        let inside_card = std::sync::Barrier::new(2);
        std::thread::scope(|scope| {
            scope.spawn(|| {
                catch(|| {
                    inside_card.wait();
                    inside_card.wait();
                })
            });
            inside_card.wait();
            let beside = rayon::join(quiet, quiet);
            inside_card.wait();
            assert_eq!(beside, (false, false));
        });
        // Outside any card, a join marks nothing.
        assert_eq!(join(quiet, quiet), (false, false));
    }
}
