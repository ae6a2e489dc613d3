//! `waxseal send`: the built emails delivered to a real SMTP server on
//! 127.0.0.1 (aiosmtpd, tests/smtp/server.py), each card once, again only
//! when it changed; bad cards and bad settings named, the rest delivered;
//! a server that never greets or drips its answers given up on in time
//! (a small hostile server written here).

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{require, Site};

/// The SMTP server, for as long as the test holds it.
struct MailServer {
    child: Child,
    port: u16,
    maildir: tempfile::TempDir,
}

/// One message the server accepted.
#[derive(Debug)]
struct Delivered {
    to: Vec<String>,
    from: String,
    bytes: Vec<u8>,
}

impl MailServer {
    /// Starts the server; with a login, it refuses mail without it.
    fn start(login: Option<(&str, &str)>) -> MailServer {
        let maildir = tempfile::tempdir().unwrap();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/smtp/server.py");
        let mut command = Command::new("python3");
        command.arg(script).arg(maildir.path()).stdin(Stdio::piped()).stdout(Stdio::piped());
        if let Some((user, password)) = login {
            command.env("SMTP_TEST_USER", user).env("SMTP_TEST_PASSWORD", password);
        }
        let mut child = command.spawn().expect("python3 runs");
        let mut first = String::new();
        BufReader::new(child.stdout.as_mut().unwrap()).read_line(&mut first).unwrap();
        let port = first
            .trim()
            .strip_prefix("port ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("the SMTP server did not start (is aiosmtpd installed?): {first:?}"));
        MailServer { child, port, maildir }
    }

    /// The messages accepted so far, in order.
    fn delivered(&self) -> Vec<Delivered> {
        let mut names: Vec<PathBuf> = std::fs::read_dir(self.maildir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "eml"))
            .collect();
        names.sort();
        names
            .iter()
            .map(|eml| {
                let envelope: serde_json::Value =
                    serde_json::from_str(&std::fs::read_to_string(eml.with_extension("json")).unwrap()).unwrap();
                Delivered {
                    to: envelope["to"].as_array().unwrap().iter().map(|a| a.as_str().unwrap().to_string()).collect(),
                    from: envelope["from"].as_str().unwrap().to_string(),
                    bytes: std::fs::read(eml).unwrap(),
                }
            })
            .collect()
    }

    /// The `smtp:` settings that reach it.
    fn settings(&self) -> String {
        format!("smtp:\n  host: 127.0.0.1\n  port: {}\n  security: none\n  per_minute: 6000\n", self.port)
    }
}

impl Drop for MailServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A site whose one merged message makes a card for each of `rows`
/// (name, address), with emails.
fn merged_site(rows: &[(String, String)], server: &MailServer) -> Site {
    merged_site_for(rows, &server.settings())
}

/// As [`merged_site`], with the `smtp:` settings `smtp`.
fn merged_site_for(rows: &[(String, String)], smtp: &str) -> Site {
    let site = Site::empty();
    site.write(
        "waxseal.yaml",
        &format!(
            "title: Beverly's Shop\noutputs: [html, png, email]\nemail:\n  from: \"Beverly's Shop <shop@example.org>\"\n{smtp}"
        ),
    );
    write_rows(&site, rows);
    site.write(
        "content/thanks.md",
        "---\nrecipients: people.csv\ntitle: Thank you, {{ recipient.name }}\nto: \"{{ recipient.name }}\"\n\
         slug: thanks/{{ recipient.id }}\ndate: 2026-11-20\n---\nDear {{ recipient.name }}, your order was made with *love*.\n",
    );
    site
}

fn write_rows(site: &Site, rows: &[(String, String)]) {
    let mut csv = String::from("id,name,email\n");
    for (i, (name, address)) in rows.iter().enumerate() {
        csv.push_str(&format!("{:03},{name},{address}\n", i + 1));
    }
    site.write("content/people.csv", &csv);
}

fn fifty_rows() -> Vec<(String, String)> {
    (1..=50).map(|i| (format!("Customer {i}"), format!("customer{i}@example.org"))).collect()
}

/// Line ends as LF, and no line end at the end: SMTP carries CRLF whatever
/// the file has, and ends the message with one.
fn lf(bytes: &[u8]) -> Vec<u8> {
    String::from_utf8_lossy(bytes).replace("\r\n", "\n").trim_end_matches('\n').as_bytes().to_vec()
}

#[test]
fn a_batch_of_fifty_merged_cards_is_delivered_once_and_a_changed_card_again() {
    require!("python3", "aiosmtpd");
    let server = MailServer::start(None);
    let mut rows = fifty_rows();
    let site = merged_site(&rows, &server);
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);

    let run = site.run(&["send"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.starts_with("sent 50 emails in "), "{}", run.stderr);
    let delivered = server.delivered();
    assert_eq!(delivered.len(), 50);
    for (i, (name, address)) in rows.iter().enumerate() {
        let slug = format!("thanks/{:03}", i + 1);
        let mail = delivered.iter().find(|d| d.to == [address.clone()]).unwrap_or_else(|| panic!("{address}"));
        assert_eq!(mail.from, "shop@example.org");
        let built = std::fs::read(site.output(&format!("cards/{slug}/message.eml"))).unwrap();
        assert!(lf(&mail.bytes) == lf(&built), "{address} got the built email of {slug}, as built");
        assert!(String::from_utf8_lossy(&mail.bytes).contains(&format!("Subject: Thank you, {name}")));
    }

    // Again: nothing goes.
    let run = site.run(&["send"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.starts_with("sent 0 emails (50 sent before and unchanged) in "), "{}", run.stderr);
    assert_eq!(server.delivered().len(), 50);

    // One row changed: its card, and only it, goes again.
    rows[6].0 = "Customer Seven".into();
    write_rows(&site, &rows);
    assert_eq!(site.build(&[]).code, 0);
    let run = site.run(&["send"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.starts_with("sent 1 email (49 sent before and unchanged) in "), "{}", run.stderr);
    let delivered = server.delivered();
    assert_eq!(delivered.len(), 51);
    assert_eq!(delivered[50].to, ["customer7@example.org"]);
    assert!(String::from_utf8_lossy(&delivered[50].bytes).contains("Subject: Thank you, Customer Seven"));

    // `--resend` sends the chosen cards whatever the log says.
    let run = site.run(&["send", "--resend", "--cards", "thanks/001", "--cards", "thanks/002"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let delivered = server.delivered();
    assert_eq!(delivered.len(), 53);
    assert_eq!([&delivered[51].to[0], &delivered[52].to[0]], ["customer1@example.org", "customer2@example.org"]);

    // The log says what went, one line per message accepted.
    let log = std::fs::read_to_string(site.state("sent.jsonl")).unwrap();
    assert_eq!(log.lines().count(), 53);
    let first: serde_json::Value = serde_json::from_str(log.lines().next().unwrap()).unwrap();
    assert_eq!(first["card"], "thanks/001");
    assert_eq!(first["to"][0], "customer1@example.org");
    // Kept beside the output folder, never in it: nothing there to publish by mistake.
    crate::support::assert_nothing_private(&site.root().join("output"));
}

#[test]
fn a_dry_run_says_what_would_be_sent_and_sends_nothing() {
    require!("python3", "aiosmtpd");
    let server = MailServer::start(None);
    let rows: Vec<(String, String)> = fifty_rows().into_iter().take(3).collect();
    let site = merged_site(&rows, &server);
    assert_eq!(site.build(&[]).code, 0);
    let run = site.run(&["send", "--dry-run"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "would send thanks/001 to Customer 1 <customer1@example.org>: Thank you, Customer 1\n\
         would send thanks/002 to Customer 2 <customer2@example.org>: Thank you, Customer 2\n\
         would send thanks/003 to Customer 3 <customer3@example.org>: Thank you, Customer 3\n"
    );
    assert!(run.stderr.starts_with("would send 3 emails in "), "{}", run.stderr);
    assert!(server.delivered().is_empty());
    assert!(!site.state("sent.jsonl").exists(), "nothing recorded");
}

#[test]
fn a_card_without_an_address_or_refused_by_the_server_is_named_and_the_rest_go() {
    require!("python3", "aiosmtpd");
    let server = MailServer::start(None);
    let rows = vec![
        ("Ann".to_string(), "ann@example.org".to_string()),
        ("Nobody".to_string(), String::new()),
        ("Rex".to_string(), "refuse-me@example.org".to_string()),
        ("Zed".to_string(), "zed@example.org".to_string()),
    ];
    let site = merged_site(&rows, &server);
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = site.run(&["send"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        run.stderr.lines().take(4).collect::<Vec<_>>(),
        [
            "./output/cards/thanks/002/message.eml: error: card `thanks/002` has no recipient address",
            "  hint: give its message an `email:` in its front matter (a merged row an `email` field), then build",
            "./output/cards/thanks/003/message.eml: error: not sent to Rex <refuse-me@example.org>: permanent error (550): 5.1.1 no such mailbox here",
            "  hint: it is not recorded as sent: the next `waxseal send` tries it again",
        ],
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("sent 2 emails (1 not sent) in "), "{}", run.stderr);
    let to: Vec<String> = server.delivered().into_iter().flat_map(|d| d.to).collect();
    assert_eq!(to, ["ann@example.org", "zed@example.org"]);
    // Only the refused card is tried again.
    let run = site.run(&["send"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("sent 0 emails (2 sent before and unchanged, 1 not sent) in "), "{}", run.stderr);
    assert_eq!(server.delivered().len(), 2, "nothing accepted twice, nothing refused recorded");
    let log = std::fs::read_to_string(site.state("sent.jsonl")).unwrap();
    assert!(!log.contains("refuse-me"), "{log}");
}

#[test]
fn the_server_login_takes_its_password_from_the_environment_only() {
    require!("python3", "aiosmtpd");
    let server = MailServer::start(Some(("shop", "s3cret")));
    let rows: Vec<(String, String)> = fifty_rows().into_iter().take(2).collect();
    let site = merged_site(&rows, &server);
    let settings = std::fs::read_to_string(site.root().join("waxseal.yaml")).unwrap();
    site.write("waxseal.yaml", &format!("{settings}  user: shop\n"));
    assert_eq!(site.build(&[]).code, 0);
    let send = |password: Option<&str>| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_waxseal"));
        command.arg("send").current_dir(site.root()).env_remove("WAXSEAL_SMTP_PASSWORD");
        if let Some(password) = password {
            command.env("WAXSEAL_SMTP_PASSWORD", password);
        }
        let out = command.output().unwrap();
        (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    // No password: nothing is tried.
    let (code, stderr) = send(None);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.starts_with("waxseal.yaml: error: smtp: the user `shop` needs a password, and the environment variable WAXSEAL_SMTP_PASSWORD is not set\n"),
        "{stderr}"
    );
    // A wrong one: refused, each card reported, none recorded.
    let (code, stderr) = send(Some("guess"));
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("not sent to Customer 1 <customer1@example.org>: "), "{stderr}");
    assert!(server.delivered().is_empty());
    // The right one.
    let (code, stderr) = send(Some("s3cret"));
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(server.delivered().len(), 2);

    // A password written in waxseal.yaml is refused where it stands, by every command.
    site.write("waxseal.yaml", &format!("{settings}  user: shop\n  password: s3cret\n"));
    for command in ["send", "build"] {
        let run = site.run(&[command]);
        assert_eq!(run.code, 2, "{}", run.stderr);
        let line = settings.lines().count() + 2;
        assert!(
            run.stderr.starts_with(&format!(
                "waxseal.yaml:{line}:13: error: smtp.password: waxseal never reads a password from waxseal.yaml"
            )),
            "{command}: {}",
            run.stderr
        );
    }
}

#[test]
fn sending_needs_settings_that_keep_the_mail_private() {
    require!("python3", "aiosmtpd");
    let server = MailServer::start(None);
    let rows: Vec<(String, String)> = fifty_rows().into_iter().take(1).collect();
    let site = merged_site(&rows, &server);
    assert_eq!(site.build(&[]).code, 0);
    let settings = std::fs::read_to_string(site.root().join("waxseal.yaml")).unwrap();
    let without_smtp = &settings[..settings.find("smtp:").unwrap()];
    site.write("waxseal.yaml", without_smtp);
    let run = site.run(&["send"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .starts_with("waxseal.yaml: error: no `smtp:` settings: `waxseal send` needs the shop's mail server\n"),
        "{}",
        run.stderr
    );
    site.write("waxseal.yaml", &format!("{without_smtp}smtp:\n  host: mail.example.org\n  security: none\n"));
    let run = site.run(&["send"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.starts_with(
            "waxseal.yaml: error: smtp: `security: none` sends in the clear, refused for `mail.example.org`\n"
        ),
        "{}",
        run.stderr
    );
    // Emails not built: said so.
    site.write("waxseal.yaml", &settings.replace("outputs: [html, png, email]", "outputs: [html, png]"));
    assert_eq!(site.build(&[]).code, 0);
    let run = site.run(&["send"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.starts_with("./output/cards: error: no card has an email to send\n"), "{}", run.stderr);
    assert!(server.delivered().is_empty());
}

/// How the hostile server behaves once a client connects.
#[derive(Clone, Copy)]
enum Hostile {
    /// Never says a word.
    Silent,
    /// Starts its greeting, then sends a byte every 100 ms and never ends it.
    DripsGreeting,
    /// Greets and answers EHLO, then drips its answer to MAIL.
    DripsAfterHello,
    /// Takes MAIL, RCPT, DATA and the message, then drips its answer to it.
    DripsAfterData,
}

/// A server on 127.0.0.1 that behaves as `how` to every connection for up
/// to 30 s (so the test ends whatever waxseal does); its port.
fn hostile_server(how: Hostile) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().map_while(Result::ok) {
            std::thread::spawn(move || talk(stream, how));
        }
    });
    port
}

fn talk(mut stream: TcpStream, how: Hostile) {
    let end = Instant::now() + Duration::from_secs(30);
    let drip = |stream: &mut TcpStream, start: &[u8]| {
        if stream.write_all(start).is_err() {
            return;
        }
        while Instant::now() < end && stream.write_all(b"x").is_ok() {
            std::thread::sleep(Duration::from_millis(100));
        }
    };
    match how {
        Hostile::Silent => std::thread::sleep(end - Instant::now()),
        Hostile::DripsGreeting => drip(&mut stream, b"220 "),
        Hostile::DripsAfterHello => {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            let _ = stream.write_all(b"220 mail.example ESMTP\r\n");
            let _ = reader.read_line(&mut line);
            let _ = stream.write_all(b"250 mail.example\r\n");
            let _ = reader.read_line(&mut line);
            drip(&mut stream, b"250 ");
        }
        Hostile::DripsAfterData => {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            let _ = stream.write_all(b"220 mail.example ESMTP\r\n");
            for answer in ["250 mail.example", "250 ok", "250 ok", "354 go on"] {
                let _ = reader.read_line(&mut line);
                let _ = stream.write_all(format!("{answer}\r\n").as_bytes());
            }
            line.clear();
            while line != ".\r\n" {
                line.clear();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    return;
                }
            }
            drip(&mut stream, b"250 ");
        }
    }
}

/// `waxseal send` in a site of three cards whose server is `how`, with
/// `timeout: 1` and `message_timeout: 3`: its exit code, its standard error
/// (the time figures masked) and how long it took.
fn send_to_hostile(how: Hostile) -> (i32, String, Duration, u16) {
    let port = hostile_server(how);
    let smtp =
        format!("smtp:\n  host: 127.0.0.1\n  port: {port}\n  security: none\n  timeout: 1\n  message_timeout: 3\n");
    let rows: Vec<(String, String)> = fifty_rows().into_iter().take(3).collect();
    let site = merged_site_for(&rows, &smtp);
    assert_eq!(site.build(&[]).code, 0);
    let started = Instant::now();
    let run = site.run(&["send"]);
    let took = started.elapsed();
    assert!(
        !site.state("sent.jsonl").exists() || std::fs::read_to_string(site.state("sent.jsonl")).unwrap().is_empty()
    );
    (run.code, run.stderr, took, port)
}

/// What a send that gave up on the first message says.
fn given_up(port: u16, why: &str) -> Vec<String> {
    vec![
        format!("./output/cards/thanks/001/message.eml: error: not sent to Customer 1 <customer1@example.org>: 127.0.0.1:{port}: {why}"),
        "  hint: it is not recorded as sent: the next `waxseal send` tries it again".into(),
        format!("waxseal.yaml: error: smtp: 127.0.0.1:{port} did not answer in time, so 2 more emails were not tried"),
        "  hint: the next `waxseal send` tries them; `timeout:` (1 s an answer) and `message_timeout:` (3 s a message) under `smtp:` set the waits".into(),
    ]
}

#[test]
fn a_server_that_never_greets_is_given_up_on_after_the_timeout() {
    let (code, stderr, took, port) = send_to_hostile(Hostile::Silent);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(stderr.lines().take(4).collect::<Vec<_>>(), given_up(port, "no greeting within 1 s"), "{stderr}");
    assert!(stderr.contains("sent 0 emails (3 not sent) in "), "{stderr}");
    assert!(took < Duration::from_secs(10), "took {took:?}");
}

#[test]
fn a_server_that_drips_its_greeting_or_its_answers_is_given_up_on_in_time() {
    // A byte every 100 ms never lets a read wait a whole second: only the
    // deadlines of the greeting (twice the timeout, with connecting) and of
    // the message end it.
    let (code, stderr, took, port) = send_to_hostile(Hostile::DripsGreeting);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(stderr.lines().take(4).collect::<Vec<_>>(), given_up(port, "no greeting within 1 s"), "{stderr}");
    assert!(took < Duration::from_secs(10), "took {took:?}");

    // Each command's answer has its own bound...
    let (code, stderr, took, port) = send_to_hostile(Hostile::DripsAfterHello);
    assert_eq!(code, 1, "{stderr}");
    let why = "no answer to MAIL FROM within 1 s";
    assert_eq!(stderr.lines().take(4).collect::<Vec<_>>(), given_up(port, why), "{stderr}");
    assert!(took < Duration::from_secs(10), "took {took:?}");

    // ...and the message, however long it is, the message's.
    let (code, stderr, took, port) = send_to_hostile(Hostile::DripsAfterData);
    assert_eq!(code, 1, "{stderr}");
    let why = "the message was not through within 3 s";
    assert_eq!(stderr.lines().take(4).collect::<Vec<_>>(), given_up(port, why), "{stderr}");
    assert!(took < Duration::from_secs(12), "took {took:?}");
}
