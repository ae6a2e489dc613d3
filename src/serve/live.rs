//! The live-reload channel: what each rebuild changed, numbered.
//!
//! Every finished rebuild is published once, as an [`Update`] with the next
//! generation number, after all its files are in place. A browser page knows
//! the generation it was served at and asks only for newer updates, so a
//! reconnecting page never gets an old reload again; one that fell too far
//! behind is told to reload. Each run of the server has its own id: a page
//! served by an earlier run reloads once when it reconnects. This module
//! holds state only; it never touches files.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};

use tokio::sync::broadcast;

/// How many updates a reconnecting page can catch up on.
const HISTORY: usize = 64;

/// What one rebuild changed, as the browser needs it: URL paths (decoded,
/// from the server's root).
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Reloads {
    /// Pages whose content changed, or that were added or removed: a page
    /// showing one of them reloads.
    pub reload: Vec<String>,
    /// Theme stylesheets written by this rebuild, by theme name: a page
    /// whose only change is the stylesheet swaps its link instead.
    pub styles: BTreeMap<String, String>,
    /// Other files (card pictures, seals, fonts) written or removed: a page
    /// showing one of them fetches it again in place.
    pub images: Vec<String>,
    /// Everything may have changed: every page reloads.
    pub all: bool,
}

/// One published rebuild.
#[derive(Debug)]
pub struct Update {
    /// Its generation (1 for the first rebuild after the initial build).
    pub gen: u64,
    /// The event as the browser reads it (JSON).
    pub json: String,
}

/// The channel's state, shared by the rebuild thread and the server.
pub struct Live {
    run: String,
    state: Mutex<State>,
    tx: broadcast::Sender<Arc<Update>>,
}

struct State {
    gen: u64,
    overlay: Option<Arc<str>>,
    history: VecDeque<Arc<Update>>,
}

/// A new listener: the hello it is greeted with, the updates it missed and
/// the updates to come.
pub struct Subscription {
    /// `{"run": ..., "gen": ...}`.
    pub hello: String,
    /// Updates newer than the listener's generation, oldest first.
    pub missed: Vec<Arc<Update>>,
    /// Updates published from now on.
    pub next: broadcast::Receiver<Arc<Update>>,
}

impl Live {
    /// A channel at generation 0, showing `overlay` (the initial build's errors).
    pub fn new(overlay: Option<String>) -> Live {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        let run = format!("{:x}{:x}", now.as_nanos() & 0xffff_ffff_ffff, std::process::id());
        let state = State { gen: 0, overlay: overlay.map(Arc::from), history: VecDeque::new() };
        Live { run, state: Mutex::new(state), tx: broadcast::channel(HISTORY).0 }
    }

    /// This server run's id.
    pub fn run(&self) -> &str {
        &self.run
    }

    /// The current generation and error overlay (what a page served now shows).
    pub fn current(&self) -> (u64, Option<Arc<str>>) {
        let state = self.lock();
        (state.gen, state.overlay.clone())
    }

    /// Publishes a finished rebuild: what it changed and the overlay to show
    /// (`None` clears it). Returns the new generation.
    pub fn publish(&self, reloads: &Reloads, overlay: Option<String>) -> u64 {
        let mut state = self.lock();
        state.gen += 1;
        state.overlay = overlay.map(Arc::from);
        let update = Arc::new(Update { gen: state.gen, json: event_json(state.gen, reloads, &state.overlay) });
        if state.history.len() == HISTORY {
            state.history.pop_front();
        }
        state.history.push_back(update.clone());
        // Sent under the lock, so that a new listener sees each update once:
        // either in `missed` or from `next`. No listener is not an error.
        let _ = self.tx.send(update);
        state.gen
    }

    /// A listener that has seen generation `since` of run `run`; a page of
    /// another run, or one that gives none, gets no missed updates.
    pub fn subscribe(&self, run: Option<&str>, since: Option<u64>) -> Subscription {
        let state = self.lock();
        let hello = serde_json::json!({ "run": self.run, "gen": state.gen }).to_string();
        let since = match since {
            Some(since) if run == Some(self.run.as_str()) && since < state.gen => since,
            _ => state.gen,
        };
        let missed = if since == state.gen {
            Vec::new()
        } else if state.history.front().is_some_and(|oldest| oldest.gen <= since + 1) {
            state.history.iter().filter(|u| u.gen > since).cloned().collect()
        } else {
            vec![self.catch_up(&state)]
        };
        Subscription { hello, missed, next: self.tx.subscribe() }
    }

    /// An update telling a listener that missed too much to reload.
    pub fn resync(&self) -> Arc<Update> {
        self.catch_up(&self.lock())
    }

    fn catch_up(&self, state: &State) -> Arc<Update> {
        let all = Reloads { all: true, ..Reloads::default() };
        Arc::new(Update { gen: state.gen, json: event_json(state.gen, &all, &state.overlay) })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().expect("no panics while holding the lock")
    }
}

fn event_json(gen: u64, reloads: &Reloads, overlay: &Option<Arc<str>>) -> String {
    serde_json::json!({
        "gen": gen,
        "reload": reloads.reload,
        "styles": reloads.styles,
        "images": reloads.images,
        "all": reloads.all,
        "overlay": overlay.as_deref(),
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(url: &str) -> Reloads {
        Reloads { reload: vec![url.into()], ..Reloads::default() }
    }

    #[test]
    fn a_listener_gets_only_updates_newer_than_its_page() {
        let live = Live::new(None);
        live.publish(&page("/a/"), None);
        live.publish(&page("/b/"), None);
        let run = live.run().to_string();
        let sub = live.subscribe(Some(&run), Some(1));
        assert_eq!(sub.missed.iter().map(|u| u.gen).collect::<Vec<_>>(), [2]);
        assert!(sub.missed[0].json.contains("\"/b/\""));
        assert!(live.subscribe(Some(&run), Some(2)).missed.is_empty(), "nothing is replayed");
        assert!(live.subscribe(None, Some(0)).missed.is_empty(), "no run: no replay");
        assert!(live.subscribe(Some("other"), Some(0)).missed.is_empty(), "another run's page reloads itself");
    }

    #[test]
    fn a_listener_that_missed_too_much_reloads() {
        let live = Live::new(None);
        for _ in 0..HISTORY + 5 {
            live.publish(&page("/a/"), None);
        }
        let run = live.run().to_string();
        let sub = live.subscribe(Some(&run), Some(1));
        assert_eq!(sub.missed.len(), 1);
        assert!(sub.missed[0].json.contains("\"all\":true"), "{}", sub.missed[0].json);
    }

    #[test]
    fn updates_carry_and_clear_the_overlay() {
        let live = Live::new(Some("<p>bad</p>".into()));
        assert_eq!(live.current().1.as_deref(), Some("<p>bad</p>"));
        let run = live.run().to_string();
        let mut sub = live.subscribe(Some(&run), Some(0));
        live.publish(&Reloads::default(), None);
        let update = sub.next.try_recv().unwrap();
        assert_eq!(update.gen, 1);
        assert!(update.json.contains("\"overlay\":null"), "{}", update.json);
        assert_eq!(live.current(), (1, None));
    }
}
