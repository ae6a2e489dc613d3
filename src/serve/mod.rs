//! `waxseal serve`: build, watch, serve the output folder, reload browsers.
//!
//! One [`Session`] lives for the whole run, and every rebuild is the same
//! incremental [`build_in`] as `waxseal build`: an edited message redraws
//! its own card, and the build writes (atomically) only the files whose
//! bytes changed. A rebuild runs on its own thread; the HTTP server runs on
//! a small tokio runtime beside it. After a rebuild has written everything,
//! the files it changed are published on the reload channel ([`live`]), and
//! its errors become the overlay of every served page until a rebuild has
//! none. Serve writes nothing itself: the output folder belongs to the
//! build, and the site's own folders are only watched.

pub mod host;
pub mod live;
pub mod overlay;
pub mod pages;
pub mod server;
pub mod watch;

use std::future::IntoFuture;
use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use crate::build::{build_in, BuildOptions, BuildReport, Session};
use crate::diagnostics::{escape_controls, plural};
use live::Live;
use pages::Pages;
use watch::{Batch, Events, Watcher};

/// The port tried first.
pub const DEFAULT_PORT: u16 = 4000;

/// How long the watcher waits after the last event of a burst: one save is
/// one rebuild, however many events the editor makes.
const DEBOUNCE: Duration = Duration::from_millis(50);

/// What to serve, and how.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// What each build builds.
    pub build: BuildOptions,
    /// The address to listen on.
    pub bind: IpAddr,
    /// The port; `None` takes [`DEFAULT_PORT`] or the next free one.
    pub port: Option<u16>,
    /// Open the gallery in the default browser.
    pub open: bool,
    /// Scan the folders instead of asking the system for file events.
    pub poll: bool,
    /// Print only problems (and the address).
    pub quiet: bool,
}

/// Serves until Ctrl-C; returns the exit code (0 after a clean stop, 2 when
/// the server could not start).
pub fn serve(options: ServeOptions) -> i32 {
    match run(options) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {}", escape_controls(&format!("{e:#}")));
            2
        }
    }
}

fn run(mut options: ServeOptions) -> anyhow::Result<()> {
    use anyhow::Context;
    // Absolute paths: watcher events are absolute.
    let root = options
        .build
        .root
        .canonicalize()
        .with_context(|| format!("cannot open the site folder {}", options.build.root.display()))?;
    let output = std::path::absolute(&options.build.output).context("cannot find the output folder")?;
    options.build.root = root.clone();
    options.build.output = output.clone();

    // The port first: a port in use fails before a long build.
    let (listener, moved_from) = bind(options.bind, options.port)?;
    let (events, watcher) = match Watcher::start(&root, DEBOUNCE, options.poll) {
        Ok((watcher, events)) => (events, watcher),
        Err(e) => {
            anyhow::bail!("cannot watch {}: {e}{}", root.display(), if options.poll { "" } else { " (try --poll)" })
        }
    };

    let session = Session::long_running();
    let started = Instant::now();
    let report = build_in(&session, &options.build);
    for d in &report.problems.diagnostics {
        eprintln!("{d}");
    }
    if !options.quiet {
        eprintln!("{}", build_summary(&report, &output, started.elapsed()));
    }
    let live = Arc::new(Live::new(overlay::render(&root, &report.problems.diagnostics)));
    let pages = Pages::scan(&output);

    // Ctrl-C is ours from here on (during the first build it just ends the
    // process; the build's atomic writes leave the output readable).
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let interrupted = {
        let _context = runtime.enter();
        let mut interrupted = Box::pin(tokio::signal::ctrl_c());
        // Polled once now, so that the handler is in place before we say we serve.
        let _ = futures_util::FutureExt::now_or_never(&mut interrupted);
        interrupted
    };
    announce(&listener, moved_from, &options)?;

    let stop = Arc::new(AtomicBool::new(false));
    let rebuilder = Rebuilder { session, options: options.build.clone(), root, output, live: live.clone(), pages };
    let quiet = options.quiet;
    let thread_stop = stop.clone();
    let rebuilds = std::thread::Builder::new()
        .name("waxseal-rebuild".into())
        .spawn(move || rebuilder.watch(watcher, events, &thread_stop, quiet))
        .context("cannot start the rebuild thread")?;
    runtime.block_on(serve_until_stopped(listener, options.build.output, live, interrupted, stop, rebuilds))
}

/// Says where the site is served (and opens the browser when asked).
fn announce(listener: &TcpListener, moved_from: Option<u16>, options: &ServeOptions) -> anyhow::Result<()> {
    let address = listener.local_addr()?;
    if let Some(wanted) = moved_from {
        eprintln!("port {wanted} is in use, so serving on port {} instead", address.port());
    }
    let url = browser_url(address);
    eprintln!("serving {url} (Ctrl-C to stop)");
    if options.bind.is_unspecified() {
        eprintln!("listening on every network address of this machine (--bind {})", options.bind);
    }
    if options.open {
        open_browser(&url);
    }
    Ok(())
}

/// Serves `output` (with `live` reloads) until `interrupted` (Ctrl-C), then
/// lets the rebuilds stop.
async fn serve_until_stopped(
    listener: TcpListener,
    output: PathBuf,
    live: Arc<Live>,
    mut interrupted: std::pin::Pin<Box<impl std::future::Future<Output = std::io::Result<()>>>>,
    stop: Arc<AtomicBool>,
    rebuilds: std::thread::JoinHandle<()>,
) -> anyhow::Result<()> {
    let (stopping_tx, stopping) = tokio::sync::watch::channel(false);
    listener.set_nonblocking(true)?;
    let served = listener.local_addr()?;
    let listener = tokio::net::TcpListener::from_std(listener)?;
    let app = Arc::new(server::App { output, live, stopping: stopping.clone(), served });
    let mut wait_stop = stopping.clone();
    let server = axum::serve(listener, server::router(app))
        .with_graceful_shutdown(async move {
            let _ = wait_stop.wait_for(|stop| *stop).await;
        })
        .into_future();
    let shutdown = async move {
        let _ = (&mut interrupted).await;
        eprintln!("stopping");
        let _ = stopping_tx.send(true);
        // Connections that do not close in time are dropped.
        tokio::time::sleep(Duration::from_secs(2)).await;
    };
    tokio::select! {
        result = server => result?,
        () = shutdown => {}
    }
    // Let a rebuild in progress finish (its files are then whole); a
    // second Ctrl-C stops at once.
    stop.store(true, Ordering::Relaxed);
    tokio::select! {
        _ = tokio::task::spawn_blocking(move || rebuilds.join()) => {}
        _ = tokio::signal::ctrl_c() => eprintln!("stopped in the middle of a rebuild"),
    }
    anyhow::Ok(())
}

/// Listens on `port`, or on [`DEFAULT_PORT`] or the next free port after it
/// when none was asked for (returning the port it moved from).
fn bind(address: IpAddr, port: Option<u16>) -> anyhow::Result<(TcpListener, Option<u16>)> {
    use std::io::ErrorKind;
    match port {
        Some(port) => match TcpListener::bind((address, port)) {
            Ok(listener) => Ok((listener, None)),
            Err(e) if e.kind() == ErrorKind::AddrInUse => {
                anyhow::bail!("port {port} on {address} is in use: stop what uses it, or choose another --port")
            }
            Err(e) => anyhow::bail!("cannot listen on {}: {e}", SocketAddr::new(address, port)),
        },
        None => {
            for port in DEFAULT_PORT..DEFAULT_PORT.saturating_add(100) {
                match TcpListener::bind((address, port)) {
                    Ok(listener) => return Ok((listener, (port != DEFAULT_PORT).then_some(DEFAULT_PORT))),
                    Err(e) if e.kind() == ErrorKind::AddrInUse => continue,
                    Err(e) => anyhow::bail!("cannot listen on {}: {e}", SocketAddr::new(address, port)),
                }
            }
            anyhow::bail!("ports {DEFAULT_PORT} to {} are all in use: choose one with --port", DEFAULT_PORT + 99)
        }
    }
}

/// The gallery's URL as a browser on this machine reaches it.
fn browser_url(address: SocketAddr) -> String {
    let host = match address.ip() {
        ip if ip.is_unspecified() && ip.is_ipv4() => IpAddr::from([127, 0, 0, 1]),
        ip if ip.is_unspecified() => IpAddr::from(std::net::Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    format!("http://{}/", SocketAddr::new(host, address.port()))
}

/// Opens `url` in the default browser; a failure is only reported.
fn open_browser(url: &str) {
    let (program, args): (&str, Vec<&str>) = if cfg!(target_os = "macos") {
        ("open", vec![url])
    } else if cfg!(windows) {
        ("cmd", vec!["/C", "start", "", url])
    } else {
        ("xdg-open", vec![url])
    };
    let spawned = std::process::Command::new(program)
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if let Err(e) = spawned {
        eprintln!("warning: cannot open a browser ({program}: {e}); open {url} yourself");
    }
}

/// What the rebuild thread keeps between rebuilds.
struct Rebuilder {
    session: Session,
    options: BuildOptions,
    root: PathBuf,
    output: PathBuf,
    live: Arc<Live>,
    pages: Pages,
}

impl Rebuilder {
    /// Rebuilds after every batch of saves until `stop`.
    fn watch(mut self, mut watcher: Watcher, events: Events, stop: &AtomicBool, quiet: bool) {
        while !stop.load(Ordering::Relaxed) {
            let first = match events.recv_timeout(Duration::from_millis(100)) {
                Ok(first) => first,
                Err(mpsc::RecvTimeoutError::Timeout) => continue,
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            };
            let started = Instant::now();
            let mut saves = Batch::new();
            let mut rescan = false;
            // Everything that arrived meanwhile goes into the same rebuild.
            for result in std::iter::once(first).chain(events.try_iter()) {
                match result {
                    Ok(events) => {
                        rescan |= events.iter().any(|e| e.need_rescan());
                        saves.extend(watch::batch(&self.root, &self.output, &events));
                    }
                    Err(errors) => {
                        rescan = true;
                        for e in errors {
                            eprintln!("warning: watching files: {}", escape_controls(&e.to_string()));
                        }
                    }
                }
            }
            // A folder made again is watched again before it is read.
            let rewatched = watcher.refresh();
            if saves.is_empty() && !rescan && !rewatched {
                continue;
            }
            self.rebuild(&saves, started, quiet);
        }
    }

    /// One rebuild, its terminal line and its reload event.
    fn rebuild(&mut self, saves: &Batch, started: Instant, quiet: bool) {
        // A bug in the build must not leave the writer with a server that
        // silently stopped rebuilding: it is reported, and the next save tries again.
        let build = std::panic::AssertUnwindSafe(|| build_in(&self.session, &self.options));
        let Ok(report) = std::panic::catch_unwind(build) else {
            eprintln!("error: the rebuild stopped on a bug in waxseal (see above); save again to retry");
            return;
        };
        for d in &report.problems.diagnostics {
            eprintln!("{d}");
        }
        // Every file is in place: now the browsers may look.
        let reloads = self.pages.plan(&self.output, &report.changed);
        self.live.publish(&reloads, overlay::render(&self.root, &report.problems.diagnostics));
        let errors = report.problems.diagnostics.iter().filter(|d| d.is_error()).count();
        if !quiet || errors > 0 {
            eprintln!("{}", rebuild_line(&self.root, saves, &report, started.elapsed()));
        }
    }
}

/// The line a build ends with: `built 3 cards into output in 0.21s (2
/// unchanged)`, after `waxseal build` and after the first build of a serve.
pub fn build_summary(report: &BuildReport, output: &Path, took: Duration) -> String {
    let errors = report.problems.diagnostics.iter().filter(|d| d.is_error()).count();
    let built = plural(report.built.len(), "card", "cards");
    let output = escape_controls(&output.to_string_lossy()).into_owned();
    let mut line = format!("built {built} into {output} in {:.2}s", took.as_secs_f64());
    if report.reused > 0 {
        line.push_str(&format!(" ({} unchanged)", report.reused));
    }
    if report.pages_only > 0 {
        line.push_str(&format!(" ({} with only their pages made again)", report.pages_only));
    }
    if report.drafts_skipped > 0 {
        line.push_str(&format!(" ({} skipped)", plural(report.drafts_skipped, "draft", "drafts")));
    }
    if errors > 0 {
        line.push_str(&format!("; {}", plural(errors, "error", "errors")));
    }
    line
}

/// `content/a.md changed: drew 1 card (12 unchanged) in 84 ms`.
fn rebuild_line(root: &Path, saves: &Batch, report: &BuildReport, took: Duration) -> String {
    let mut what: Vec<String> = saves
        .keys()
        .take(3)
        .map(|path| {
            let rel = crate::diagnostics::display_path(root, path).to_string_lossy().replace('\\', "/");
            format!("{} {}", escape_controls(&rel), if path.exists() { "changed" } else { "removed" })
        })
        .collect();
    if saves.len() > 3 {
        what.push(format!("{} more", saves.len() - 3));
    }
    if what.is_empty() {
        what.push("files changed".into());
    }
    let drawn = report.built.len() - report.reused - report.pages_only;
    let mut line = format!("{}: drew {}", what.join(", "), plural(drawn, "card", "cards"));
    if report.pages_only > 0 {
        line.push_str(&format!(", made {} again", plural(report.pages_only, "page", "pages")));
    }
    line.push_str(&format!(" ({} unchanged) in {} ms", report.reused, took.as_millis()));
    let errors = report.problems.diagnostics.iter().filter(|d| d.is_error()).count();
    if errors > 0 {
        line.push_str(&format!("; {} (shown in the browser)", plural(errors, "error", "errors")));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_name_with_control_characters_is_shown_escaped() {
        let root = Path::new("/nowhere/site");
        let mut saves = Batch::new();
        saves.insert(root.join("content/a\u{1b}]0;x\u{7}.md"), watch::ChangeKind::Message);
        let line = rebuild_line(root, &saves, &BuildReport::default(), Duration::from_millis(5));
        assert!(line.starts_with("content/a\\u{1b}]0;x\\u{7}.md removed: "), "{line}");
        let summary = build_summary(&BuildReport::default(), Path::new("out\u{1b}[2K"), Duration::ZERO);
        assert_eq!(summary, "built 0 cards into out\\u{1b}[2K in 0.00s");
    }

    #[test]
    fn the_rebuild_line_says_what_changed_and_what_was_drawn() {
        let root = Path::new("/nowhere/site");
        let mut saves = Batch::new();
        saves.insert(root.join("content/thank-you.md"), watch::ChangeKind::Message);
        let report = BuildReport { built: vec!["a".into(), "b".into(), "c".into()], reused: 2, ..Default::default() };
        assert_eq!(
            rebuild_line(root, &saves, &report, Duration::from_millis(84)),
            "content/thank-you.md removed: drew 1 card (2 unchanged) in 84 ms"
        );
    }

    #[test]
    fn a_stylesheet_edit_says_pages_were_made_not_cards_drawn() {
        let root = Path::new("/nowhere/site");
        let mut saves = Batch::new();
        saves.insert(root.join("themes/chocolate/style.css"), watch::ChangeKind::Theme);
        let report = BuildReport { built: vec!["a".into(), "b".into()], pages_only: 2, ..Default::default() };
        assert_eq!(
            rebuild_line(root, &saves, &report, Duration::from_millis(90)),
            "themes/chocolate/style.css removed: drew 0 cards, made 2 pages again (0 unchanged) in 90 ms"
        );
    }

    #[test]
    fn a_port_given_and_taken_is_an_error_and_none_given_moves_on() {
        let taken = TcpListener::bind(("127.0.0.1", 0)).unwrap();
        let port = taken.local_addr().unwrap().port();
        let e = bind(IpAddr::from([127, 0, 0, 1]), Some(port)).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("port {port} on 127.0.0.1 is in use: stop what uses it, or choose another --port")
        );
        assert_eq!(browser_url("0.0.0.0:4001".parse().unwrap()), "http://127.0.0.1:4001/");
        assert_eq!(browser_url("[::1]:4000".parse().unwrap()), "http://[::1]:4000/");
    }
}
