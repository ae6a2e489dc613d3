//! The dev server under hostile and heavy use: methods other than GET and
//! HEAD, requests naming another host (DNS rebinding), paths that try to
//! leave the output folder or make a redirect to another site, and 200
//! clients at once on loopback. The real `waxseal serve`, spoken to over raw HTTP so that
//! every path goes out exactly as written.

use std::io::{BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Barrier};

use crate::serve::Server;
use crate::support::{read_response, request, Response, Site, DEADLINE};

/// What the site folder holds beside output/: no response may ever show it.
const SECRET: &str = "TOPSECRET-beside-the-output-folder";

#[test]
fn only_get_and_head_are_answered() {
    let site = Site::fixture("basic");
    let server = Server::start(&site, &[]);
    let png = std::fs::read(site.output("cards/love/card.png")).unwrap();
    let paths = ["/", "/index.html", "/cards/love/", "/cards/love/card.png", "/cards", "/__waxseal/events", "/missing"];
    for method in ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "PROPFIND", "MKCOL", "BREW"] {
        for path in paths {
            let r = request(server.port, method, path, &[("Content-Length", "0")]);
            assert_eq!(r.status, 405, "{method} {path}: {}", r.headers);
            let allow = r.headers.lines().find_map(|l| l.strip_prefix("allow:")).unwrap_or_default();
            let mut allowed: Vec<&str> = allow.split(',').map(str::trim).collect();
            allowed.sort();
            assert_eq!(allowed, ["get", "head"], "{method} {path}: {}", r.headers);
        }
    }
    // Nothing was changed or removed by any of them.
    assert_eq!(std::fs::read(site.output("cards/love/card.png")).unwrap(), png);
    assert!(site.output("index.html").is_file());

    let got = request(server.port, "GET", "/cards/love/card.png", &[]);
    assert_eq!((got.status, &got.bytes), (200, &png));
    let head = request(server.port, "HEAD", "/cards/love/card.png", &[]);
    assert_eq!(head.status, 200);
    assert!(head.headers.contains(&format!("content-length: {}", png.len())), "{}", head.headers);
    let page = request(server.port, "GET", "/cards/love/", &[]);
    assert_eq!(page.status, 200);
    assert!(page.body.contains("craft genius"), "{}", page.body);
    assert_eq!(request(server.port, "HEAD", "/cards/love/", &[]).status, 200);
    let events = request(server.port, "HEAD", "/__waxseal/events", &[]);
    assert_eq!(events.status, 200, "{}", events.headers);
}

#[test]
fn paths_that_leave_the_output_folder_are_not_found() {
    let site = Site::fixture("basic");
    site.write("secret.txt", SECRET);
    site.write("secret.html", &format!("<p>{SECRET}</p>"));
    let server = Server::start(&site, &[]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::symlink;
        symlink(site.root(), site.output("up")).unwrap();
        symlink(site.root().join("secret.txt"), site.output("secret.txt")).unwrap();
        symlink(site.root().join("secret.html"), site.output("cards/love/secret.html")).unwrap();
        std::fs::create_dir(site.output("looks-like-a-card")).unwrap();
        symlink(site.root().join("secret.html"), site.output("looks-like-a-card/index.html")).unwrap();
    }
    let escapes = [
        "/../secret.txt",
        "/cards/../../secret.txt",
        "/cards/love/../../../secret.txt",
        "/./../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/secret.txt",
        "/.%2e/secret.txt",
        "/%2e./secret.txt",
        "/..%2fsecret.txt",
        "/..%2Fsecret.txt",
        "/%2e%2e%2fsecret.txt",
        "/cards%2f..%2f..%2fsecret.txt",
        "/%252e%252e/secret.txt",
        "/%252e%252e%252fsecret.txt",
        "/..%255csecret.txt",
        "/..\\secret.txt",
        "/cards\\..\\..\\secret.txt",
        "/..%5csecret.txt",
        "/%5c..%5csecret.txt",
        "/..%c0%afsecret.txt",
        "/%c0%ae%c0%ae/secret.txt",
        "/..%00/secret.txt",
        "/secret.txt%00.html",
        "//secret.txt",
        "/%2fsecret.txt",
        "http://127.0.0.1/../secret.txt",
        "/up/secret.txt",
        "/up/secret.html",
        "/up/",
        "/up/waxseal.yaml",
        "/up/content/love.md",
        "/secret.txt",
        "/cards/love/secret.html",
        "/looks-like-a-card/",
        "/looks-like-a-card/index.html",
        "/../.waxseal/output/manifest",
        "/cards/.%2e/.%2e/secret.txt",
    ];
    let leaks = |r: &Response| {
        r.body.contains(SECRET) || r.body.contains("Fixture Shop") || r.body.contains("our very own craft genius")
    };
    for path in escapes {
        for method in ["GET", "HEAD"] {
            let r = request(server.port, method, path, &[]);
            assert_eq!(r.status, 404, "{method} {path}: {}", r.headers);
            assert!(!leaks(&r), "{method} {path}: {}", r.body);
        }
    }
    // Not even a request line a server should reject outright shows it.
    for path in ["../secret.txt", "secret.txt", "*"] {
        let r = request(server.port, "GET", path, &[]);
        assert_ne!(r.status, 200, "GET {path}");
        assert!(!leaks(&r), "GET {path}: {}", r.body);
    }
    // A link that stays inside the folder is served.
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(site.output("cards/love/card.png"), site.output("love.png")).unwrap();
        assert_eq!(request(server.port, "GET", "/love.png", &[]).status, 200);
    }
}

/// Sends `head` (the request line and headers, without the blank line that
/// ends them) as it is and reads the answer.
fn raw(port: u16, head: &str) -> Response {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("the server listens");
    stream.set_read_timeout(Some(DEADLINE)).unwrap();
    stream.write_all(format!("{head}\r\n\r\n").as_bytes()).unwrap();
    read_response(&mut BufReader::new(stream), head.starts_with("HEAD "))
}

#[test]
fn a_request_naming_another_host_is_refused_the_event_stream_too() {
    let site = Site::fixture("basic");
    let server = Server::start(&site, &[]);
    let port = server.port;
    let refused = |r: &Response, what: &str| {
        assert_eq!(r.status, 400, "{what}: {}", r.headers);
        assert!(r.headers.contains("content-type: text/plain"), "{what}: {}", r.headers);
        assert_eq!(
            r.body, "Bad Request: waxseal serve answers only to localhost and the address it listens on\n",
            "{what}"
        );
    };
    for host in
        ["evil.example", &format!("evil.example:{port}"), &format!("localhost.evil.example:{port}"), "localhost:1"]
    {
        for path in ["/", "/cards/love/", "/cards/love/card.png", "/__waxseal/events", "/missing"] {
            let r = raw(port, &format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close"));
            refused(&r, &format!("{host} {path}"));
            assert!(!r.body.contains("craft genius") && !r.body.contains("waxseal-live"), "{host} {path}");
        }
    }
    // The event stream's first event would hand out the run and the overlay.
    let r = raw(port, &format!("GET /__waxseal/events HTTP/1.0\r\nHost: evil.example:{port}"));
    refused(&r, "the event stream over HTTP/1.0");
    // An absolute URL naming another host, and two Host headers, are refused too.
    let absolute = format!("GET http://evil.example:{port}/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close");
    refused(&raw(port, &absolute), "absolute URL");
    let two = format!("GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nHost: evil.example\r\nConnection: close");
    refused(&raw(port, &two), "two Host headers");

    // The names this machine reaches the server by, with or without the port.
    for host in [format!("localhost:{port}"), format!("127.0.0.1:{port}"), format!("[::1]:{port}"), "localhost".into()]
    {
        let r = raw(port, &format!("GET /cards/love/ HTTP/1.1\r\nHost: {host}\r\nConnection: close"));
        assert_eq!(r.status, 200, "{host}: {}", r.headers);
        assert!(r.body.contains("craft genius"), "{host}");
    }
    // No Host at all (HTTP/1.0): no browser sends that, so it cannot be rebinding.
    assert_eq!(raw(port, "GET /cards/love/ HTTP/1.0").status, 200);
    // The event stream answers a good Host.
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(DEADLINE)).unwrap();
    stream.write_all(format!("GET /__waxseal/events HTTP/1.1\r\nHost: localhost:{port}\r\n\r\n").as_bytes()).unwrap();
    let mut first = [0; 15];
    stream.read_exact(&mut first).unwrap();
    assert_eq!(&first, b"HTTP/1.1 200 OK");
}

#[test]
fn long_names_are_not_found_and_a_double_slash_is_never_redirected() {
    let site = Site::fixture("basic");
    let server = Server::start(&site, &[]);
    for path in [
        format!("/cards/{}", "a".repeat(300)),
        format!("/cards/{}/", "a".repeat(300)),
        format!("/{}", "b".repeat(5000)),
        format!("/cards/{}/card.png", "c".repeat(256)),
    ] {
        for method in ["GET", "HEAD"] {
            let r = request(server.port, method, &path, &[]);
            assert_eq!(r.status, 404, "{method} {}...: {}", &path[..20], r.headers);
        }
    }
    // `//cards/love/` is another site (`cards`) to a browser: no redirect there.
    for path in ["//cards/love", "//cards/love/", "///cards/love", "//%63ards/love", "/%2fcards/love"] {
        let r = request(server.port, "GET", path, &[]);
        assert_eq!(r.status, 404, "{path}: {}", r.headers);
        assert!(!r.headers.contains("location:"), "{path}: {}", r.headers);
    }
    // A folder without its `/` still gets one, on this site.
    let r = request(server.port, "GET", "/cards/love", &[]);
    assert_eq!(r.status / 100, 3, "{}", r.headers);
    assert!(r.headers.contains("location: /cards/love/\r\n"), "{}", r.headers);
}

/// A keep-alive connection that sends requests one after another.
struct Connection {
    writer: TcpStream,
    reader: BufReader<TcpStream>,
    port: u16,
}

impl Connection {
    fn open(port: u16) -> Connection {
        let stream = TcpStream::connect(("127.0.0.1", port)).expect("the server takes the connection");
        stream.set_read_timeout(Some(DEADLINE)).unwrap();
        stream.set_write_timeout(Some(DEADLINE)).unwrap();
        Connection { writer: stream.try_clone().unwrap(), reader: BufReader::new(stream), port }
    }

    fn send(&mut self, method: &str, path: &str) -> Response {
        let port = self.port;
        let request = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n");
        self.writer.write_all(request.as_bytes()).expect("the server reads the request");
        read_response(&mut self.reader, method == "HEAD")
    }
}

/// The resident memory of process `pid`, in KiB (Linux).
fn resident_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status.lines().find_map(|l| l.strip_prefix("VmRSS:"))?.trim().trim_end_matches("kB").trim().parse().ok()
}

const CLIENTS: usize = 200;
const REQUESTS: usize = 20;

/// One round: `CLIENTS` clients at once, each making `REQUESTS` requests
/// on its own keep-alive connection, every answer checked; the failures.
fn round(port: u16, gallery: &Arc<Vec<u8>>, png: &Arc<Vec<u8>>) -> Vec<String> {
    let start = Arc::new(Barrier::new(CLIENTS));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|client| {
            let (start, gallery, png) = (start.clone(), gallery.clone(), png.clone());
            std::thread::Builder::new()
                .stack_size(256 << 10)
                .spawn(move || {
                    let mut connection = Connection::open(port);
                    start.wait();
                    let mut failures = Vec::new();
                    for i in 0..REQUESTS {
                        let (method, path) = match (client + i) % 4 {
                            0 => ("GET", "/"),
                            1 => ("GET", "/cards/love/card.png"),
                            2 => ("GET", "/cards/nobody/"),
                            _ => ("HEAD", "/cards/love/card.png"),
                        };
                        let r = connection.send(method, path);
                        let right = match (client + i) % 4 {
                            0 => r.status == 200 && r.bytes == **gallery,
                            1 => r.status == 200 && r.bytes == **png,
                            2 => r.status == 404 && r.body.contains("/cards/nobody/"),
                            _ => {
                                r.status == 200
                                    && r.bytes.is_empty()
                                    && r.headers.contains(&format!("content-length: {}", png.len()))
                            }
                        };
                        if !right {
                            failures.push(format!("client {client}, request {i}: {method} {path}: {}", r.status));
                        }
                    }
                    failures
                })
                .expect("a client thread")
        })
        .collect();
    clients.into_iter().flat_map(|c| c.join().unwrap_or_else(|_| vec!["a client panicked".into()])).collect()
}

#[test]
fn two_hundred_clients_at_once_get_every_answer_right_in_bounded_memory() {
    let site = Site::fixture("basic");
    let server = Server::start(&site, &["--quiet"]);
    let pid = server.child.id();
    let png = Arc::new(std::fs::read(site.output("cards/love/card.png")).unwrap());
    // The gallery as served (with the live script); no rebuild happens meanwhile.
    let gallery = Arc::new(server.get("/").bytes);
    assert!(String::from_utf8_lossy(&gallery).contains("waxseal-live"));

    let mut resident = vec![resident_kib(pid).expect("the server's memory")];
    for n in 1..=3 {
        let failures = round(server.port, &gallery, &png);
        assert!(failures.is_empty(), "round {n}: {} wrong answers:\n{}", failures.len(), failures.join("\n"));
        resident.push(resident_kib(pid).expect("the server's memory"));
    }
    eprintln!("resident memory before and after each round of {} requests (KiB): {resident:?}", CLIENTS * REQUESTS);
    // The first round may grow buffers and pools for 200 connections; the
    // later rounds must not keep growing (no memory kept per request).
    let growth = resident[3].saturating_sub(resident[1]);
    assert!(growth < 16 << 10, "the server grew by {growth} KiB over 8000 more requests: {resident:?}");
    assert!(resident[3] < 512 << 10, "the server holds {} KiB", resident[3]);
    // And it still serves.
    assert_eq!(server.get("/cards/love/card.png").bytes, *png);
}
