//! `waxseal serve`: the real binary on a free port, edited as editors save,
//! watched over HTTP, over its event stream and in a real browser.
//!
//! Every wait is a poll with a deadline; no test sleeps for timing. Every
//! process a test starts is ended by a guard when the test ends.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use serde_json::Value;

use crate::browser::Browser;
use crate::support::{get, require, tree, until, Response, Site, DEADLINE};

/// A loopback port nobody listens on (for a moment).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A running `waxseal serve`, stopped when dropped.
pub(crate) struct Server {
    pub(crate) child: Child,
    pub(crate) port: u16,
    log: Arc<Mutex<String>>,
}

impl Server {
    /// `waxseal serve --port FREE ARGS` in `site`, once it serves.
    pub(crate) fn start(site: &Site, args: &[&str]) -> Server {
        let port = free_port();
        let mut child = Command::new(env!("CARGO_BIN_EXE_waxseal"))
            .args(["serve", "--port", &port.to_string()])
            .args(args)
            .current_dir(site.root())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the waxseal binary runs");
        let log = Arc::new(Mutex::new(String::new()));
        let stderr = child.stderr.take().unwrap();
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let mut log = sink.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        let server = Server { child, port, log };
        until("the server to say it serves", || server.log().contains("serving http://").then_some(()));
        server
    }

    /// Everything it printed so far.
    pub(crate) fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// `GET path` (sent as it is, not normalised).
    pub(crate) fn get(&self, path: &str) -> Response {
        get(self.port, path, &[])
    }

    /// The event stream, from a page served at generation `since` of `run`.
    fn events(&self, query: &str, headers: &[(&str, &str)]) -> Events {
        Events::open(self.port, query, headers)
    }

    /// Waits until `path` is served with a body that passes `check`.
    fn until_page(&self, what: &str, path: &str, check: impl Fn(&str) -> bool) -> String {
        until(what, || Some(self.get(path)).filter(|r| r.status == 200 && check(&r.body)).map(|r| r.body))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One server-sent event.
#[derive(Debug, Clone)]
struct Sse {
    event: String,
    id: String,
    data: Value,
}

/// A subscription to the reload channel, read on its own thread.
struct Events {
    rx: mpsc::Receiver<Sse>,
}

impl Events {
    fn open(port: u16, query: &str, headers: &[(&str, &str)]) -> Events {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        let mut request = format!("GET /__waxseal/events{query} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n");
        for (name, value) in headers {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        request.push_str("\r\n");
        stream.write_all(request.as_bytes()).unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stream).lines().map_while(Result::ok);
            // The response head.
            for line in lines.by_ref() {
                if line.is_empty() {
                    break;
                }
            }
            let (mut event, mut id, mut data) = (String::new(), String::new(), String::new());
            for line in lines {
                if line.is_empty() {
                    if !data.is_empty() {
                        let data = serde_json::from_str(&data).expect("events carry JSON");
                        if tx
                            .send(Sse { event: std::mem::take(&mut event), id: std::mem::take(&mut id), data })
                            .is_err()
                        {
                            return;
                        }
                    }
                    (event, id, data) = (String::new(), String::new(), String::new());
                } else if let Some(v) = line.strip_prefix("event: ") {
                    event = v.to_string();
                } else if let Some(v) = line.strip_prefix("id: ") {
                    id = v.to_string();
                } else if let Some(v) = line.strip_prefix("data: ") {
                    data.push_str(v);
                }
            }
        });
        Events { rx }
    }

    /// The next event, within the deadline.
    fn next(&self, what: &str) -> Sse {
        self.rx.recv_timeout(DEADLINE).unwrap_or_else(|e| panic!("no event while waiting for {what}: {e}"))
    }

    /// The next `build` event whose reload list has `url`.
    fn reload_of(&self, url: &str) -> Sse {
        loop {
            let e = self.next(&format!("a reload of {url}"));
            if e.event == "build" && urls(&e.data["reload"]).iter().any(|u| u == url) {
                return e;
            }
        }
    }
}

fn urls(list: &Value) -> Vec<String> {
    list.as_array().into_iter().flatten().filter_map(|v| v.as_str().map(String::from)).collect()
}

const LOVE: &str = "---\ntitle: Thank you, Deb\nfrom: Beverly\n---\n";

#[test]
fn each_kind_of_save_rebuilds_the_card_and_tells_the_page() {
    let site = Site::fixture("basic");
    let server = Server::start(&site, &[]);
    let page = server.until_page("the card page", "/cards/love/", |p| p.contains("our very own craft genius"));
    assert!(page.contains("id=\"waxseal-live\""), "served pages carry the live script");
    assert!(!page.contains("id=\"waxseal-overlay\""), "no errors, no overlay");
    let events = server.events("", &[]);
    assert_eq!(events.next("hello").event, "hello");
    let love = site.root().join("content/love.md");

    // In place, as most editors save.
    std::fs::write(&love, format!("{LOVE}Saved in place.\n")).unwrap();
    let e = events.reload_of("/cards/love/");
    assert!(urls(&e.data["images"]).contains(&"/cards/love/card.png".to_string()), "{:?}", e.data);
    assert!(server.get("/cards/love/").body.contains("Saved in place."));
    until("the rebuild line", || {
        server.log().contains("content/love.md changed: drew 1 card (2 unchanged)").then_some(())
    });

    // Written to a temporary file, then renamed over the message (vim, JetBrains, VS Code).
    let temp = site.root().join("content/.love.md.tmp-4913");
    std::fs::write(&temp, format!("{LOVE}Saved through a rename.\n")).unwrap();
    std::fs::rename(&temp, &love).unwrap();
    events.reload_of("/cards/love/");
    server.until_page("the renamed save", "/cards/love/", |p| p.contains("Saved through a rename."));

    // Deleted, then made again.
    std::fs::remove_file(&love).unwrap();
    std::fs::write(&love, format!("{LOVE}Saved after a delete.\n")).unwrap();
    events.reload_of("/cards/love/");
    server.until_page("the re-created message", "/cards/love/", |p| p.contains("Saved after a delete."));

    // A new folder of messages is watched as soon as it is made.
    std::fs::create_dir_all(site.root().join("content/later")).unwrap();
    std::fs::write(site.root().join("content/later/new.md"), "A brand new card.\n").unwrap();
    events.reload_of("/cards/later/new/");
    server.until_page("the gallery with the new card", "/", |p| p.contains("/cards/later/new/"));

    // A removed message leaves the output folder and the gallery.
    std::fs::remove_file(site.root().join("content/plain.md")).unwrap();
    events.reload_of("/cards/plain/");
    assert_eq!(server.get("/cards/plain/").status, 404);
    server.until_page("the gallery without it", "/", |p| !p.contains("/cards/plain/"));

    // Nothing `serve` adds reaches the files on disk.
    for (path, bytes) in tree(&site.root().join("output")) {
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("waxseal-live") && !text.contains("__waxseal"), "output/{path} has the live script");
    }
}

#[test]
fn what_the_build_keeps_of_itself_in_the_state_folder_sets_off_no_rebuild() {
    let site = Site::fixture("basic");
    let server = Server::start(&site, &[]);
    let events = server.events("", &[]);
    events.next("hello");
    // Writes into the site's `.waxseal/`, as every build makes them, and
    // the folder itself moved away and back: no rebuild.
    let state = site.root().join(".waxseal");
    std::fs::write(state.join("output/probe.json"), "{}").unwrap();
    std::fs::create_dir_all(state.join("content")).unwrap();
    std::fs::write(state.join("content/probe.md"), "Not a message.\n").unwrap();
    std::fs::rename(&state, site.root().join(".waxseal.away")).unwrap();
    std::fs::rename(site.root().join(".waxseal.away"), &state).unwrap();
    // The first rebuild is the one a message's save sets off, and the
    // files it writes into `.waxseal/` set off none after it.
    for (gen, text) in [(1, "First save."), (2, "Second save.")] {
        site.write("content/love.md", &format!("{LOVE}{text}\n"));
        let e = events.reload_of("/cards/love/");
        assert_eq!(e.data["gen"], gen, "{:?}\n{}", e.data, server.log());
        assert!(server.get("/cards/love/").body.contains(text));
    }
    // The rebuild's line is logged after its reload is sent.
    let log = until("the second rebuild's line", || {
        let log = server.log();
        (log.matches("changed: drew").count() >= 2).then_some(log)
    });
    assert_eq!(log.matches("changed: drew").count(), 2, "{log}");
    assert!(!log.contains(".waxseal"), "{log}");
    crate::support::assert_nothing_private(&site.root().join("output"));
}

#[test]
fn a_recipients_file_edit_rebuilds_the_cards_of_its_rows() {
    let site = Site::fixture("merge");
    site.add_settings("outputs: [html]\n");
    let csv = site.root().join("content/orders.csv");
    let server = Server::start(&site, &[]);
    server.until_page("a merged card", "/cards/thanks/A-107/", |p| p.contains("Thank you, Greta García"));
    let events = server.events("", &[]);
    events.next("hello");

    // One row edited: its card is made again, the others are not.
    let text = std::fs::read_to_string(&csv).unwrap();
    std::fs::write(&csv, text.replace("Greta García,", "Gretchen García,")).unwrap();
    events.reload_of("/cards/thanks/A-107/");
    assert!(server.get("/cards/thanks/A-107/").body.contains("Thank you, Gretchen García"));
    until("the rebuild line", || {
        let log = server.log();
        (log.contains("content/orders.csv changed: drew 0 cards, made 1 page again (50 unchanged)")).then_some(())
    });

    // A new row is a new card, in its group's page.
    std::fs::write(&csv, format!("{}Zora Holt,,A-151,1,2026-06-30\n", text)).unwrap();
    events.reload_of("/cards/thanks/A-151/");
    server.until_page("the group with the new card", "/merged/thanks/", |p| p.contains("/cards/thanks/A-151/"));

    // A recipients file kept in data/ is watched too.
    let message = std::fs::read_to_string(site.root().join("content/thanks.md")).unwrap();
    site.write("data/orders.csv", &text.replace("Ann Archer,", "Annie Archer,"));
    site.write("content/thanks.md", &message.replace("recipients: orders.csv", "recipients: ../data/orders.csv"));
    server.until_page("the card from data/", "/cards/thanks/A-101/", |p| p.contains("Thank you, Annie Archer"));
    std::fs::write(site.root().join("data/orders.csv"), text.replace("Ann Archer,", "Anna Archer,")).unwrap();
    server.until_page("the edit in data/", "/cards/thanks/A-101/", |p| p.contains("Thank you, Anna Archer"));
}

#[test]
fn an_error_shows_the_overlay_keeps_the_last_good_card_and_a_fix_clears_it() {
    let site = Site::fixture("basic");
    let server = Server::start(&site, &[]);
    let events = server.events("", &[]);
    events.next("hello");
    site.write("content/love.md", "---\ntitel: Oops <b>bold</b>\nfrom: Beverly\n---\nA broken save.\n");
    let e = events.next("the failed rebuild");
    let overlay = e.data["overlay"].as_str().expect("the event carries the overlay").to_string();
    assert!(overlay.contains("content/love.md:2:1: error: unknown field `titel`"), "{overlay}");

    let page = server.get("/cards/love/").body;
    assert!(page.contains("id=\"waxseal-overlay\""), "{page}");
    assert!(page.contains("content/love.md:2:1: error: unknown field `titel`\n  hint: did you mean `title`?"));
    assert!(page.contains("<mark>2 | titel: Oops &lt;b&gt;bold&lt;/b&gt;</mark>"), "the source, escaped: {page}");
    assert!(page.contains("our very own craft genius"), "the last good card is still served");
    assert!(server.get("/").body.contains("id=\"waxseal-overlay\""), "every page shows it");
    until("the error in the terminal", || {
        let log = server.log();
        (log.contains("content/love.md:2:1: error: unknown field `titel`") && log.contains("; 1 error")).then_some(())
    });

    site.write("content/love.md", &format!("{LOVE}Fixed it.\n"));
    let e = events.reload_of("/cards/love/");
    assert!(e.data["overlay"].is_null(), "{:?}", e.data);
    let page = server.get("/cards/love/").body;
    assert!(page.contains("Fixed it.") && !page.contains("id=\"waxseal-overlay\""), "{page}");
}

#[test]
fn a_reconnecting_page_gets_what_it_missed_and_never_an_old_reload() {
    let site = Site::fixture("basic");
    let server = Server::start(&site, &[]);
    let first = server.events("", &[]);
    let run = first.next("hello").data["run"].as_str().unwrap().to_string();
    site.write("content/love.md", &format!("{LOVE}One.\n"));
    let one = first.reload_of("/cards/love/");
    assert_eq!(one.id, one.data["gen"].to_string());

    // Reconnecting after generation 1 (as EventSource does, with Last-Event-ID).
    let again = server.events(&format!("?run={run}&since=0"), &[("Last-Event-ID", &one.id)]);
    assert_eq!(again.next("hello").event, "hello");
    site.write("content/love.md", &format!("{LOVE}Two.\n"));
    let two = again.next("the next rebuild");
    assert_eq!(two.event, "build");
    assert_eq!(two.data["gen"], one.data["gen"].as_u64().unwrap() + 1, "generation 1 was not sent again");

    // A page served at generation 0 that connects late catches up.
    let late = server.events(&format!("?run={run}&since=0"), &[]);
    late.next("hello");
    assert_eq!(late.next("a missed rebuild").data["gen"], 1, "the first rebuild it missed comes first");
}

#[test]
fn a_stylesheet_edit_swaps_the_stylesheet_instead_of_reloading() {
    let site = Site::fixture("basic");
    let css = include_str!("../../themes/chocolate/style.css");
    site.write("themes/chocolate/style.css", &format!("{css}\n:root {{ --probe: red; }}\n"));
    let server = Server::start(&site, &[]);
    let events = server.events("", &[]);
    events.next("hello");
    site.write("themes/chocolate/style.css", &format!("{css}\n:root {{ --probe: blue; }}\n"));
    let e = events.next("the rebuild");
    let style = e.data["styles"]["chocolate"].as_str().expect("a new chocolate stylesheet").to_string();
    assert!(urls(&e.data["reload"]).is_empty(), "pages changed only in their stylesheet link: {:?}", e.data);
    let sheet = server.get(&style);
    assert_eq!(sheet.status, 200);
    assert!(sheet.body.contains("--probe: blue"));
    assert!(server.get("/cards/love/").body.contains(&style), "the page on disk links the new stylesheet");
}

#[test]
fn only_the_output_folder_is_served() {
    let site = Site::fixture("basic");
    let server = Server::start(&site, &[]);
    let png = server.get("/cards/love/card.png");
    assert_eq!(png.status, 200);
    assert!(png.headers.contains("content-type: image/png") && png.headers.contains("cache-control: no-store"));
    for path in [
        "/../waxseal.yaml",
        "/cards/../../waxseal.yaml",
        "/%2e%2e/waxseal.yaml",
        "/cards/%2E%2E/%2e%2e/content/love.md",
        "/..%2fwaxseal.yaml",
        "/../.waxseal/output/manifest",
    ] {
        let r = server.get(path);
        assert_eq!(r.status, 404, "{path}");
        assert!(!r.body.contains("Fixture Shop") && !r.body.contains("craft genius"), "{path}: {}", r.body);
    }
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(site.root(), site.output("escape")).unwrap();
        std::os::unix::fs::symlink(site.root().join("content/love.md"), site.output("love.md")).unwrap();
        assert_eq!(server.get("/escape/waxseal.yaml").status, 404);
        assert_eq!(server.get("/escape/").status, 404);
        assert_eq!(server.get("/love.md").status, 404);
    }
}

#[test]
fn a_port_given_and_in_use_fails_clearly() {
    let site = Site::fixture("basic");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let mut child = Command::new(env!("CARGO_BIN_EXE_waxseal"))
        .args(["serve", "--port", &port])
        .current_dir(site.root())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let status = until("serve to give up", || child.try_wait().unwrap());
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    assert_eq!(status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "error: port {port} on 127.0.0.1 is in use: stop what uses it, or choose another --port"
        )),
        "{stderr}"
    );
    assert!(!site.output("index.html").exists(), "it gave up before building");
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_cleanly() {
    let site = Site::fixture("basic");
    let mut server = Server::start(&site, &[]);
    let events = server.events("", &[]);
    events.next("hello");
    let status = Command::new("kill").args(["-INT", &server.child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let status = until("serve to stop", || server.child.try_wait().unwrap());
    assert_eq!(status.code(), Some(0), "{}", server.log());
    assert!(server.log().contains("stopping"), "{}", server.log());
}

#[test]
fn the_browser_follows_every_edit_by_itself() {
    require!("chromium");
    let site = Site::fixture("basic");
    let css = include_str!("../../themes/chocolate/style.css");
    site.write("themes/chocolate/style.css", &format!("{css}\n:root {{ --probe: red; }}\n"));
    let server = Server::start(&site, &[]);
    let gallery = format!("http://127.0.0.1:{}/", server.port);
    let browser = Browser::open(&gallery);
    let mut page = browser.page(&gallery);
    let has = |needle: &'static str| move |v: &Value| v.as_str().is_some_and(|t| t.contains(needle));
    let body = "document.body ? document.body.innerText : ''";
    page.until("the gallery", body, has("Thank you, Deb"));
    // An edit made before the page's script connects still reaches it: the
    // page asks for every rebuild after the one it was served at.
    page.until("the live script", "document.getElementById('waxseal-live') !== null", |v| v == true);

    // A new title shows in the gallery.
    site.write("content/love.md", "---\ntitle: Thanks a million, Deb\nfrom: Beverly\n---\nMade with *love*.\n");
    page.until("the new title in the gallery", body, has("Thanks a million, Deb"));

    // On the card page: a text edit reloads it.
    page.eval("location.href = '/cards/love/'");
    page.until("the card page", body, has("Made with love."));
    site.write("content/love.md", "---\ntitle: Thanks a million, Deb\nfrom: Beverly\n---\nMade with *care*.\n");
    page.until("the edited text", body, has("Made with care."));

    // A stylesheet edit is swapped in without a reload.
    page.eval("window.__same_document = true");
    let probe = "getComputedStyle(document.documentElement).getPropertyValue('--probe').trim()";
    page.until("the first stylesheet", probe, |v| v == "red");
    site.write("themes/chocolate/style.css", &format!("{css}\n:root {{ --probe: blue; }}\n"));
    page.until("the new stylesheet", probe, |v| v == "blue");
    assert_eq!(page.eval("window.__same_document === true"), Some(Value::from(true)), "the page was not reloaded");
    until("the old stylesheet to go", || {
        (page.eval("document.querySelectorAll('link[rel=stylesheet]').length") == Some(Value::from(1))).then_some(())
    });

    // A mistake shows the overlay over the last good card; the fix clears it.
    site.write("content/love.md", "---\ntitel: Oops\n---\nBroken.\n");
    let overlay = "(document.getElementById('waxseal-overlay') || {}).innerText || ''";
    page.until("the overlay", overlay, has("content/love.md:2:1: error: unknown field `titel`"));
    assert!(page.text().contains("Made with care."), "the last good card stays under it");
    site.write("content/love.md", "---\ntitle: Thanks a million, Deb\nfrom: Beverly\n---\nMade with *joy*.\n");
    page.until("the fixed card", body, has("Made with joy."));
    page.until("no overlay", "document.getElementById('waxseal-overlay') === null", |v| v == true);
}

#[test]
fn a_redrawn_card_is_fetched_again_through_the_srcset_of_an_open_gallery() {
    require!("chromium");
    let site = Site::empty();
    crate::support::write_bytes(&site, "content/photo.png", &crate::support::solid_png(300, 200, "#d02020", 0));
    site.write("content/with.md", "---\ntitle: Hello\n---\n![a red square](photo.png)\n\nA photo.\n");
    let server = Server::start(&site, &[]);
    let gallery = format!("http://127.0.0.1:{}/", server.port);
    let browser = Browser::open(&gallery);
    let mut page = browser.page(&gallery);
    let shown = "(document.querySelector('.gallery img') || {}).currentSrc || ''";
    page.until("the thumbnail", shown, |v| v.as_str().is_some_and(|s| s.ends_with(".webp")));
    page.eval("window.__same_document = true");
    // The photo saved blue: the card is drawn again, the gallery's HTML is as it was.
    crate::support::write_bytes(&site, "content/photo.png", &crate::support::solid_png(300, 200, "#2040d0", 0));
    let fresh =
        page.until("the thumbnail fetched again", shown, |v| v.as_str().is_some_and(|s| s.contains("waxseal=")));
    assert!(fresh.as_str().unwrap().contains("/cards/with/card-"), "{fresh}");
    assert_eq!(page.eval("window.__same_document === true"), Some(Value::from(true)), "the page was not reloaded");
}

#[test]
fn the_gallery_and_a_card_page_fit_a_phone_and_a_desktop_and_every_image_loads() {
    require!("chromium");
    let site = Site::fixture("basic");
    let server = Server::start(&site, &[]);
    let shots = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    for (width, height) in [(375, 812), (1280, 900)] {
        for path in ["/", "/cards/love/"] {
            let url = format!("http://127.0.0.1:{}{path}", server.port);
            let browser = Browser::open(&url);
            let mut page = browser.page(&url);
            page.emulate_width(width, height);
            page.until("the emulated width", "window.innerWidth", |v| v.as_u64() == Some(u64::from(width)));
            let loaded = "(() => { const images = Array.from(document.images); \
                 return images.length > 0 && images.every(i => i.complete && i.naturalWidth > 0); })()";
            page.until(&format!("every image of {path} at {width} px loaded"), loaded, |v| v == &Value::Bool(true));
            // A phone widens innerWidth to fit a page too wide for it: the
            // page must be as wide as the screen, and scroll no wider.
            let scroll = page
                .eval("[document.documentElement.scrollWidth, document.documentElement.clientWidth, window.innerWidth]")
                .unwrap();
            assert!(
                scroll[0].as_u64() <= scroll[1].as_u64() && scroll[2].as_u64() == Some(u64::from(width)),
                "{path} scrolls sideways at {width} px: {scroll}"
            );
            let name = format!("{}-{width}.png", if path == "/" { "gallery" } else { "card" });
            std::fs::write(shots.join(name), page.screenshot()).unwrap();
        }
    }
}
