//! What the fuzz targets share: the built-in themes and the site settings,
//! loaded once per process so each execution only does the work under test,
//! and the stack size a build gives each card.

use std::path::Path;
use std::sync::OnceLock;

use waxseal::config::SiteConfig;
use waxseal::theme::{self, Theme};

/// A site with no files of its own: the default settings, every built-in
/// theme, and the body template engine a build makes.
pub struct Site {
    /// `waxseal.yaml`'s defaults.
    pub config: SiteConfig,
    /// Each built-in theme by name.
    pub themes: Vec<(&'static str, Theme)>,
    /// Renders a message's body template.
    pub body_tera: tera::Tera,
}

impl Site {
    /// The theme called `name`, if it is built in.
    pub fn theme(&self, name: &str) -> Option<&Theme> {
        self.themes.iter().find(|(n, _)| *n == name).map(|(_, theme)| theme)
    }

    /// The default theme (`chocolate`).
    pub fn default_theme(&self) -> &Theme {
        self.theme(&self.config.theme).expect("the default theme is built in")
    }
}

/// The site, loaded on first use.
pub fn site() -> &'static Site {
    static SITE: OnceLock<Site> = OnceLock::new();
    SITE.get_or_init(|| {
        // An empty folder as the site root: only the built-in theme files.
        let root = tempfile::tempdir().expect("a temporary folder");
        let themes = theme::built_in_names()
            .into_iter()
            .map(|name| (name, theme::load(root.path(), name).expect("built-in themes load")))
            .collect();
        let mut body_tera = tera::Tera::new();
        waxseal::content::register_filters(&mut body_tera);
        Site { config: SiteConfig::default(), themes, body_tera }
    })
}

/// The stack a build's worker thread has (rayon's default, Rust's 2 MiB):
/// each card is made on one, so a message that overflows it here would
/// crash a build too, while the fuzzer's main thread has more.
const BUILD_STACK: usize = 2 * 1024 * 1024;

/// Runs `f` on a thread with a build worker's stack. A panic there aborts
/// the process (libFuzzer's panic hook), which is what reports it.
pub fn on_build_stack(f: impl FnOnce() + Send) {
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .stack_size(BUILD_STACK)
            .spawn_scoped(scope, f)
            .expect("a thread")
            .join()
            .expect("a panic aborts before it is joined");
    });
}

/// The path a fuzzed message is shown as, and its path inside `content/`.
pub fn message_paths() -> (&'static Path, &'static Path) {
    (Path::new("content/fuzz.md"), Path::new("fuzz.md"))
}
