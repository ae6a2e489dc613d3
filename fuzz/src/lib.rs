//! What the fuzz targets share: the built-in themes and the site settings,
//! loaded once per process so each execution only does the work under test,
//! and the stack size a build gives each card.

use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

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
    /// The settings `theme_art` draws with: the defaults at 100 dpi, so a
    /// card is drawn in a tenth of the time it takes at 300.
    pub art_config: SiteConfig,
    /// Where a message's pictures are read: a folder that is gone, so that
    /// every picture is a diagnostic (the fuzzer makes no files).
    pub figures: waxseal::card::figures::Figures,
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
        waxseal::template::register_filters(&mut body_tera);
        let art_config = SiteConfig { dpi: 100, ..SiteConfig::default() };
        let figures = waxseal::card::figures::Figures::new(root.path(), false);
        Site { config: SiteConfig::default(), themes, body_tera, art_config, figures }
    })
}

/// A site theme, `fuzz`, that extends `chocolate` as a theme folder of a
/// site does: `theme_art` puts each input's `card.svg` into it. Behind a
/// lock, as its templates change; shared only while one input is drawn.
pub fn art_theme() -> &'static Mutex<Arc<Theme>> {
    static THEME: OnceLock<Mutex<Arc<Theme>>> = OnceLock::new();
    THEME.get_or_init(|| {
        let root = tempfile::tempdir().expect("a temporary folder");
        let folder = root.path().join("themes/fuzz");
        std::fs::create_dir_all(&folder).expect("a theme folder");
        std::fs::write(folder.join("theme.yaml"), "name: fuzz\ndescription: fuzzed art\nextends: chocolate\n")
            .expect("theme.yaml");
        Mutex::new(Arc::new(theme::load(root.path(), "fuzz").expect("a theme that extends chocolate loads")))
    })
}

/// The stack a build's worker thread has (rayon's default, Rust's 2 MiB):
/// each card is made on one, so a message that overflows it here would
/// crash a build too, while the fuzzer's main thread has more.
const BUILD_STACK: usize = 2 * 1024 * 1024;

/// Runs `f` on a thread with a build worker's stack. A panic there aborts
/// the process (libFuzzer's panic hook), which is what reports it; so does
/// overflowing the stack (see [`report_stack_overflow`]).
pub fn on_build_stack(f: impl FnOnce() + Send) {
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .stack_size(BUILD_STACK)
            .spawn_scoped(scope, || report_stack_overflow(f))
            .expect("a thread")
            .join()
            .expect("a panic aborts before it is joined");
    });
}

/// Runs `f` so that a stack overflow in it is reported as a crash, its input
/// saved. The overflow hits the thread's guard page (SIGSEGV), but
/// libFuzzer's handler would run on the exhausted stack and the process
/// would die without a word: a fuzz target has no Rust runtime start-up to
/// give its threads a signal stack. So the handler is told to use one, and
/// this thread is given one while `f` runs.
fn report_stack_overflow(f: impl FnOnce()) {
    static ON_STACK: std::sync::Once = std::sync::Once::new();
    const SIGNAL_STACK: usize = 256 * 1024;
    // SAFETY: sigaction and sigaltstack are given valid pointers; the
    // signal stack outlives its registration, which is removed before the
    // memory is freed.
    #[allow(unsafe_code)]
    unsafe {
        ON_STACK.call_once(|| {
            for signal in [libc::SIGSEGV, libc::SIGBUS] {
                let mut action: libc::sigaction = std::mem::zeroed();
                libc::sigaction(signal, std::ptr::null(), &mut action);
                action.sa_flags |= libc::SA_ONSTACK;
                libc::sigaction(signal, &action, std::ptr::null_mut());
            }
        });
        let mut memory = vec![0u8; SIGNAL_STACK];
        let stack = libc::stack_t { ss_sp: memory.as_mut_ptr().cast(), ss_flags: 0, ss_size: memory.len() };
        libc::sigaltstack(&stack, std::ptr::null_mut());
        f();
        let off = libc::stack_t { ss_sp: std::ptr::null_mut(), ss_flags: libc::SS_DISABLE, ss_size: 0 };
        libc::sigaltstack(&off, std::ptr::null_mut());
        drop(memory);
    }
}

/// The path a fuzzed message is shown as, and its path inside `content/`.
pub fn message_paths() -> (&'static Path, &'static Path) {
    (Path::new("content/fuzz.md"), Path::new("fuzz.md"))
}
