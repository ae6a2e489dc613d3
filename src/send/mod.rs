//! `waxseal send`: the built emails of the chosen cards
//! (`output/cards/SLUG/message.eml`), handed to the shop's own mail server
//! over SMTP.
//!
//! A message is sent as it was built, byte for byte; its envelope (who it
//! is from and to) is read back from its headers. At most
//! `smtp.per_minute` messages go a minute. Each message the server accepts
//! is recorded at once in the sent log (`.waxseal/output/sent.jsonl`, in the
//! output folder's state folder, see [`crate::output::State`]), with a
//! digest of its bytes: a second run sends only the cards that are new or
//! whose email changed since (or every chosen card with `--resend`). A
//! message the server refuses, or that cannot reach it, is reported and not
//! recorded, and the others still go. The password is only ever read from
//! the environment. Every wait for the server is bounded ([`courier`]):
//! `smtp.timeout` for connecting, the greeting and each answer, however
//! slowly it drips, `smtp.message_timeout` for a whole message; a server
//! that does not answer in time ends the send, the messages left untried.

mod courier;

use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::TlsParameters;
use lettre::transport::smtp::response::Response;
use lettre::Address;
use serde::{Deserialize, Serialize};

use crate::config::{SiteConfig, SmtpConfig, SmtpSecurity, CONFIG_FILE};
use crate::content::patterns::CardPatterns;
use crate::diagnostics::{Diagnostic, Report};
use crate::output::{OLD_SENT_LOG, SENT_LOG};
use courier::{Courier, Failure, Server};

/// A card's email, as the build writes it.
const EMAIL_FILE: &str = "message.eml";

/// What to send.
#[derive(Debug, Clone)]
pub struct SendOptions {
    /// The site folder.
    pub root: PathBuf,
    /// The output folder the emails were built into.
    pub output: PathBuf,
    /// Slug patterns (`orders/*`); every card when empty.
    pub cards: Vec<String>,
    /// Only say what would be sent.
    pub dry_run: bool,
    /// Send the chosen cards again, even those sent before unchanged.
    pub resend: bool,
    /// No progress bar.
    pub quiet: bool,
}

/// One message to send.
#[derive(Debug, Clone)]
pub struct Outgoing {
    /// Its card.
    pub slug: String,
    /// Who it is to, as its `To` header says (`Deb <deb@example.org>`).
    pub to: Vec<String>,
    /// Its subject.
    pub subject: String,
    envelope: Envelope,
    bytes: Vec<u8>,
    digest: String,
}

/// What a send did.
#[derive(Debug, Default)]
pub struct SendReport {
    /// Every problem; fatal when nothing could be sent (bad settings, no
    /// emails built).
    pub problems: Report,
    /// The messages sent (or, on a dry run, that would be).
    pub sent: Vec<Outgoing>,
    /// The chosen cards left out: sent before, their email unchanged.
    pub unchanged: usize,
    /// The messages that were not sent (refused by the server, or the server not reached).
    pub failed: usize,
}

impl SendReport {
    fn fatal(mut self, d: Diagnostic) -> SendReport {
        self.problems.push_fatal(d);
        self
    }
}

/// A line of the sent log.
#[derive(Debug, Serialize, Deserialize)]
struct Sent {
    /// The card's slug.
    card: String,
    /// A digest of the message's bytes, as sent (`crate::hash::key`).
    digest: String,
    /// Its recipients' addresses.
    to: Vec<String>,
    /// When the server accepted it (UTC).
    at: String,
    /// The server's answer.
    reply: String,
}

/// Sends the chosen cards' emails (or says which it would send).
pub fn send(options: &SendOptions) -> SendReport {
    let mut report = SendReport::default();
    let config = match SiteConfig::load(&options.root) {
        Ok(config) => config,
        Err(d) => return report.fatal(d),
    };
    let emails = match built_emails(&options.output) {
        Ok(emails) => emails,
        Err(d) => return report.fatal(d),
    };
    let patterns = match CardPatterns::new(&options.cards, &options.output.join("cards")) {
        Ok(patterns) => patterns,
        Err(d) => return report.fatal(d),
    };
    let outgoing = outgoing(options, &patterns, emails, &mut report);
    if options.dry_run {
        report.sent = outgoing;
        return report;
    }
    if outgoing.is_empty() {
        return report;
    }
    let Some(smtp) = &config.smtp else {
        return report.fatal(
            Diagnostic::error(CONFIG_FILE, 0, 0, "no `smtp:` settings: `waxseal send` needs the shop's mail server")
                .with_hint("add `smtp:` with `host:` (and `user:` if it asks for a login; the password goes in the environment variable WAXSEAL_SMTP_PASSWORD), or try `--dry-run`"),
        );
    };
    let server = match server(smtp) {
        Ok(server) => server,
        Err(d) => return report.fatal(d),
    };
    // The log is written under the output folder's lock: a build does not
    // rewrite the emails meanwhile, and two sends do not send one card twice.
    let (output, claim) = match crate::build::claim_output(&options.root, &options.output) {
        Ok(claimed) => claimed,
        Err(d) => return report.fatal(d),
    };
    if let Err(e) = claim.settle() {
        return report.fatal(Diagnostic::error(&options.output, 0, 0, format!("cannot claim the output folder: {e}")));
    }
    let mut log = match output.state().open_append(SENT_LOG) {
        Ok(log) => log,
        Err(e) => {
            return report.fatal(Diagnostic::error(output.state().path(SENT_LOG), 0, 0, format!("cannot open: {e}")))
        }
    };
    let courier = match Courier::start(server) {
        Ok(courier) => courier,
        Err(e) => return report.fatal(Diagnostic::error(CONFIG_FILE, 0, 0, format!("cannot start sending: {e}"))),
    };
    deliver(options, smtp, &courier, outgoing, &mut log, &mut report);
    if let Err(e) = claim.finish(&output, None) {
        report.problems.push(Diagnostic::error(
            &options.output,
            0,
            0,
            format!("cannot release the output folder: {e}"),
        ));
    }
    report
}

/// The chosen cards' emails to send, read: those sent before and unchanged
/// since are counted, not sent (unless `--resend`); a pattern that matches
/// no card and an email that cannot be read are reported.
fn outgoing(
    options: &SendOptions,
    patterns: &CardPatterns,
    emails: Vec<(String, PathBuf)>,
    report: &mut SendReport,
) -> Vec<Outgoing> {
    for pattern in patterns.unmatched(emails.iter().map(|(slug, _)| slug.as_str())) {
        report.problems.push(
            Diagnostic::error(options.output.join("cards"), 0, 0, format!("no card with an email matches `{pattern}`"))
                .with_hint("slugs are paths under content/ without `.md`; `*` stops at a `/`, `**` does not"),
        );
    }
    // The log where a build of an older waxseal left it, in the output
    // folder, until a build (or this send) moves it (a dry run moves nothing).
    let state = crate::output::state_folder(&options.root, &options.output);
    let mut sent_before = read_log(&options.output.join(OLD_SENT_LOG));
    sent_before.extend(read_log(&state.join(SENT_LOG)));
    let mut outgoing = Vec::new();
    for (slug, path) in emails.into_iter().filter(|(slug, _)| patterns.chooses(slug)) {
        let shown = options.output.join("cards").join(&slug).join(EMAIL_FILE);
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) => {
                report.problems.push(Diagnostic::error(&shown, 0, 0, format!("cannot read: {e}")));
                continue;
            }
        };
        let digest = crate::hash::key(&[&bytes]);
        if !options.resend && sent_before.get(&slug) == Some(&digest) {
            report.unchanged += 1;
            continue;
        }
        match outgoing_of(slug, bytes, digest) {
            Ok(message) => outgoing.push(message),
            Err(d) => report.problems.push(Diagnostic { path: shown, ..d }),
        }
    }
    outgoing
}

/// Hands each message to the mail server, at most `smtp.per_minute` a
/// minute, recording each one it accepts in the sent `log` before the next
/// goes; a message refused is reported and the others still go.
fn deliver(
    options: &SendOptions,
    smtp: &SmtpConfig,
    courier: &Courier,
    outgoing: Vec<Outgoing>,
    log: &mut impl Write,
    report: &mut SendReport,
) {
    let progress = if options.quiet {
        indicatif::ProgressBar::hidden()
    } else {
        let bar = indicatif::ProgressBar::new(outgoing.len() as u64);
        let style = indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}").expect("a valid template");
        bar.set_style(style);
        bar
    };
    let gap = Duration::from_secs_f64(60.0 / f64::from(smtp.per_minute.max(1)));
    let mut last: Option<Instant> = None;
    let mut outgoing = outgoing.into_iter();
    while let Some(message) = outgoing.next() {
        if let Some(last) = last {
            std::thread::sleep(gap.saturating_sub(last.elapsed()));
        }
        last = Some(Instant::now());
        progress.set_message(message.slug.clone());
        let shown = options.output.join("cards").join(&message.slug).join(EMAIL_FILE);
        match courier.deliver(&message.envelope, &message.bytes) {
            Ok(reply) => {
                // Recorded before the next message goes: a send stopped
                // half-way knows what went.
                if let Err(e) = record(log, &message, &reply) {
                    report.problems.push(
                        Diagnostic::error(
                            crate::output::state_folder(&options.root, &options.output).join(SENT_LOG),
                            0,
                            0,
                            format!("cannot record `{}` as sent: {e}", message.slug),
                        )
                        .with_hint("it was sent: a next run would send it again"),
                    );
                }
                report.sent.push(message);
            }
            Err(failure) => {
                report.failed += 1;
                let (Failure::Refused(e) | Failure::Server(e) | Failure::TimedOut(e)) = &failure;
                report.problems.push(
                    Diagnostic::error(&shown, 0, 0, format!("not sent to {}: {e}", message.to.join(", ")))
                        .with_hint("it is not recorded as sent: the next `waxseal send` tries it again"),
                );
                if matches!(failure, Failure::TimedOut(_)) {
                    let left = outgoing.len();
                    if left > 0 {
                        report.failed += left;
                        report.problems.push(not_tried(courier.server(), left));
                    }
                    break;
                }
            }
        }
        progress.inc(1);
    }
    progress.finish_and_clear();
}

/// The messages left when the server did not answer in time.
fn not_tried(server: &Server, left: usize) -> Diagnostic {
    let emails = crate::diagnostics::plural(left, "more email was", "more emails were");
    Diagnostic::error(CONFIG_FILE, 0, 0, format!("smtp: {} did not answer in time, so {emails} not tried", server.name()))
        .with_hint(format!(
            "the next `waxseal send` tries them; `timeout:` ({} s an answer) and `message_timeout:` ({} s a message) under `smtp:` set the waits",
            server.wait.as_secs(),
            server.budget.as_secs()
        ))
}

/// Appends `message`, accepted with `reply`, to the sent log, flushed.
fn record(log: &mut impl Write, message: &Outgoing, reply: &Response) -> std::io::Result<()> {
    let record = Sent {
        card: message.slug.clone(),
        digest: message.digest.clone(),
        to: message.envelope.to().iter().map(ToString::to_string).collect(),
        at: jiff::Timestamp::now().round(jiff::Unit::Second).map(|t| t.to_string()).unwrap_or_default(),
        reply: reply.message().collect::<Vec<_>>().join(" "),
    };
    let mut line = serde_json::to_vec(&record).expect("a record is plain data");
    line.push(b'\n');
    log.write_all(&line).and_then(|()| log.flush())
}

/// The built emails of `output`, by slug, sorted.
fn built_emails(output: &Path) -> Result<Vec<(String, PathBuf)>, Diagnostic> {
    let cards = output.join("cards");
    let mut emails: Vec<(String, PathBuf)> = walkdir::WalkDir::new(&cards)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_file() && entry.file_name() == EMAIL_FILE)
        .filter_map(|entry| {
            let folder = entry.path().parent()?.strip_prefix(&cards).ok()?;
            let slug = folder.to_str()?.replace('\\', "/");
            Some((slug, entry.path().to_path_buf()))
        })
        .collect();
    if emails.is_empty() {
        return Err(Diagnostic::error(&cards, 0, 0, "no card has an email to send")
            .with_hint("add `email` to `outputs` in waxseal.yaml (and `email: { from: ... }`), then build"));
    }
    emails.sort();
    Ok(emails)
}

/// The message of card `slug`, with its envelope read from its headers.
fn outgoing_of(slug: String, bytes: Vec<u8>, digest: String) -> Result<Outgoing, Diagnostic> {
    let problem = |message: String| Diagnostic::error("", 0, 0, message);
    let parsed = mail_parser::MessageParser::default()
        .parse_headers(&bytes)
        .ok_or_else(|| problem(format!("card `{slug}`: the email cannot be read")))?;
    let addresses = |header: Option<&mail_parser::Address>| -> Vec<(String, Option<String>)> {
        header
            .map(|a| {
                a.iter().map(|addr| (addr.address().unwrap_or("").to_string(), addr.name().map(String::from))).collect()
            })
            .unwrap_or_default()
    };
    let valid = |(address, _): &(String, Option<String>)| -> Result<Address, Diagnostic> {
        address.parse::<Address>().map_err(|_| problem(format!("card `{slug}`: `{address}` is not an email address")))
    };
    let to = addresses(parsed.to());
    if to.is_empty() {
        return Err(problem(format!("card `{slug}` has no recipient address")).with_hint(
            "give its message an `email:` in its front matter (a merged row an `email` field), then build",
        ));
    }
    let from = addresses(parsed.from());
    let Some(sender) = from.first() else {
        return Err(problem(format!("card `{slug}` has no sender address"))
            .with_hint("set `email: { from: ... }` in waxseal.yaml, then build"));
    };
    let envelope = Envelope::new(Some(valid(sender)?), to.iter().map(valid).collect::<Result<_, _>>()?)
        .map_err(|e| problem(format!("card `{slug}`: {e}")))?;
    let shown = to
        .iter()
        .map(|(address, name)| match name {
            Some(name) => format!("{name} <{address}>"),
            None => address.clone(),
        })
        .collect();
    let subject = parsed.subject().unwrap_or("").to_string();
    Ok(Outgoing { slug, to: shown, subject, envelope, bytes, digest })
}

/// The mail server, from the settings and the environment.
fn server(smtp: &SmtpConfig) -> Result<Server, Diagnostic> {
    let problem = |message: String| Diagnostic::error(CONFIG_FILE, 0, 0, message);
    let local = ["localhost", "127.0.0.1", "::1"].contains(&smtp.host.as_str());
    // The ports lettre's `relay` (465) and `starttls_relay` (587) take.
    let port = match smtp.security {
        SmtpSecurity::Tls => 465,
        SmtpSecurity::Starttls => 587,
        SmtpSecurity::None if local => 25,
        SmtpSecurity::None => {
            return Err(problem(format!("smtp: `security: none` sends in the clear, refused for `{}`", smtp.host))
                .with_hint(
                "use `security: starttls` (port 587) or `tls` (port 465); `none` is only for a server on this machine",
            ))
        }
    };
    let tls = match smtp.security {
        SmtpSecurity::None => None,
        _ => Some(TlsParameters::new(smtp.host.clone()).map_err(|e| problem(format!("smtp: `{}`: {e}", smtp.host)))?),
    };
    let credentials = match &smtp.user {
        None => None,
        Some(user) => {
            let password = std::env::var(&smtp.password_env).map_err(|_| {
                problem(format!(
                    "smtp: the user `{user}` needs a password, and the environment variable {} is not set",
                    smtp.password_env
                ))
                .with_hint(format!(
                    "export {}=... before `waxseal send` (it is never read from waxseal.yaml)",
                    smtp.password_env
                ))
            })?;
            Some(Credentials::new(user.clone(), password))
        }
    };
    Ok(Server {
        host: smtp.host.clone(),
        port: smtp.port.unwrap_or(port),
        security: smtp.security,
        tls,
        credentials,
        wait: Duration::from_secs(u64::from(smtp.timeout.max(1))),
        budget: Duration::from_secs(u64::from(smtp.message_timeout.max(1))),
    })
}

/// The digest each card was last sent with, from the sent log (a line that
/// cannot be read, cut short by a send that was stopped, is passed over).
fn read_log(path: &Path) -> HashMap<String, String> {
    let Ok(file) = std::fs::File::open(path) else {
        return HashMap::new();
    };
    std::io::BufReader::new(file)
        .lines()
        .map_while(Result::ok)
        .filter_map(|line| serde_json::from_str::<Sent>(&line).ok())
        .map(|sent| (sent.card, sent.digest))
        .collect()
}
