//! The mail server's connection, on a thread of its own and watched.
//!
//! lettre bounds each wait for the server (`smtp.timeout`: to connect, and
//! for each read), but a server that sends a byte a second is never idle,
//! and would hold `send` (and the output folder's lock) for as long as it
//! drips. So the SMTP exchange runs on a courier thread that says which
//! stage it is in, and the sending thread waits for it only so long: the
//! greeting, the STARTTLS handshake, the login and each command (MAIL
//! FROM, RCPT TO, DATA) get their own bound, and a whole message
//! `smtp.message_timeout`. A courier that is
//! given up on is left behind (it cannot be interrupted inside lettre) and
//! ends with the process; the send stops there, since a server that does
//! not answer in time would cost every message the same wait.

use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, DEFAULT_MECHANISMS};
use lettre::transport::smtp::client::{SmtpConnection, TlsParameters};
use lettre::transport::smtp::commands::{Data, Mail, Rcpt};
use lettre::transport::smtp::extension::{ClientId, Extension, MailBodyParameter, MailParameter};
use lettre::transport::smtp::response::Response;
use lettre::transport::smtp::Error;

use crate::config::SmtpSecurity;

/// How to reach the mail server, and how long to wait for it.
#[derive(Clone)]
pub(super) struct Server {
    /// Its name.
    pub(super) host: String,
    /// Its port.
    pub(super) port: u16,
    /// STARTTLS, TLS from the start, or neither.
    pub(super) security: SmtpSecurity,
    /// The certificate checks, for either kind of TLS.
    pub(super) tls: Option<TlsParameters>,
    /// The login, when it asks for one.
    pub(super) credentials: Option<Credentials>,
    /// The wait for any one answer (and for the connection).
    pub(super) wait: Duration,
    /// The time a whole message may take.
    pub(super) budget: Duration,
}

/// Where an exchange with the server stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Connecting, the greeting, EHLO.
    Greeting,
    /// STARTTLS and its handshake.
    Tls,
    /// AUTH.
    Login,
    /// MAIL FROM, each RCPT TO, DATA: an answer each.
    Command(&'static str),
    /// The message itself and the answer to it: as long as the message needs.
    Content,
}

/// Why a message did not go.
#[derive(Debug)]
pub(super) enum Failure {
    /// The server refused this message (or its recipients): its answer.
    Refused(String),
    /// The server could not be reached or logged into: said with its name.
    Server(String),
    /// The server did not answer in time: said with its name. The send
    /// stops, as the next message would wait as long.
    TimedOut(String),
}

/// What the courier says as it goes.
enum Note {
    Stage(Stage),
    Done(Result<Response, Failure>),
}

/// A message to hand over.
type Job = (Envelope, Vec<u8>);

/// The courier thread, and the lines to it.
pub(super) struct Courier {
    server: Server,
    jobs: Sender<Job>,
    notes: Receiver<Note>,
}

impl Courier {
    /// Starts the courier (it connects with the first message).
    pub(super) fn start(server: Server) -> std::io::Result<Courier> {
        let (jobs, jobs_rx) = mpsc::channel::<Job>();
        let (notes_tx, notes) = mpsc::channel();
        let courier_server = server.clone();
        std::thread::Builder::new()
            .name("waxseal-smtp".into())
            .spawn(move || courier_server.run(&jobs_rx, &notes_tx))?;
        Ok(Courier { server, jobs, notes })
    }

    /// The server it speaks to.
    pub(super) fn server(&self) -> &Server {
        &self.server
    }

    /// Hands one message over, waiting for the server no longer than its
    /// bounds allow.
    pub(super) fn deliver(&self, envelope: &Envelope, bytes: &[u8]) -> Result<Response, Failure> {
        let gone = || Failure::Server(format!("{}: the connection ended unexpectedly", self.server.name()));
        self.jobs.send((envelope.clone(), bytes.to_vec())).map_err(|_| gone())?;
        let started = Instant::now();
        let message_deadline = started + self.server.budget;
        let (mut stage, mut since) = (Stage::Greeting, started);
        loop {
            let stage_deadline = self.server.allowance(stage).map(|allowed| since + allowed);
            let deadline = stage_deadline.map_or(message_deadline, |d| d.min(message_deadline));
            match self.notes.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                Ok(Note::Stage(next)) => (stage, since) = (next, Instant::now()),
                Ok(Note::Done(result)) => return result,
                Err(RecvTimeoutError::Timeout) if stage_deadline.is_some_and(|d| d < message_deadline) => {
                    return Err(Failure::TimedOut(self.server.late(stage)));
                }
                Err(RecvTimeoutError::Timeout) => {
                    let budget = self.server.budget.as_secs();
                    return Err(Failure::TimedOut(format!(
                        "{}: the message was not through within {budget} s",
                        self.server.name()
                    )));
                }
                Err(RecvTimeoutError::Disconnected) => return Err(gone()),
            }
        }
    }
}

impl Server {
    /// `host:port`, as errors name it.
    pub(super) fn name(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }

    /// How long `stage` may take, however the server drips its answers;
    /// `None`: only the message's budget bounds it. The greeting's includes
    /// connecting, which lettre bounds by the same wait.
    fn allowance(&self, stage: Stage) -> Option<Duration> {
        match stage {
            Stage::Greeting => Some(self.wait * 2),
            Stage::Tls | Stage::Login | Stage::Command(_) => Some(self.wait),
            Stage::Content => None,
        }
    }

    /// What is said when `stage` took too long.
    fn late(&self, stage: Stage) -> String {
        let what = match stage {
            Stage::Greeting => "no greeting",
            Stage::Tls => "no encrypted connection",
            Stage::Login => "no answer to the login",
            Stage::Command(command) => {
                return format!("{}: no answer to {command} within {} s", self.name(), self.wait.as_secs())
            }
            Stage::Content => "no answer to the message",
        };
        format!("{}: {what} within {} s", self.name(), self.wait.as_secs())
    }

    /// The courier: hands over each message it is given on one connection,
    /// opened again when the last one broke, saying each stage it enters.
    fn run(&self, jobs: &Receiver<Job>, notes: &Sender<Note>) {
        let mut open: Option<SmtpConnection> = None;
        for (envelope, bytes) in jobs {
            let result = self.hand_over(&mut open, &envelope, &bytes, notes);
            if notes.send(Note::Done(result)).is_err() {
                // Given up on: the sending thread went on without us.
                return;
            }
        }
        if let Some(mut connection) = open {
            let _ = connection.quit();
        }
    }

    fn hand_over(
        &self,
        open: &mut Option<SmtpConnection>,
        envelope: &Envelope,
        bytes: &[u8],
        notes: &Sender<Note>,
    ) -> Result<Response, Failure> {
        let _ = notes.send(Note::Stage(Stage::Greeting));
        // A connection kept from the last message is used again when it still answers.
        if !open.as_mut().is_some_and(|c| !c.has_broken() && c.test_connected()) {
            *open = Some(self.connect(notes)?);
        }
        let connection = open.as_mut().expect("just opened");
        let result = self.exchange(connection, envelope, bytes, notes);
        if result.is_err() {
            // As lettre does: the connection is not used again.
            connection.abort();
        }
        result
    }

    /// MAIL FROM, RCPT TO, DATA and the message, as lettre's `send` does
    /// it, each command its own stage, so that each answer has its bound.
    fn exchange(
        &self,
        connection: &mut SmtpConnection,
        envelope: &Envelope,
        bytes: &[u8],
        notes: &Sender<Note>,
    ) -> Result<Response, Failure> {
        let mut options = Vec::new();
        let mut addresses = envelope.from().into_iter().chain(envelope.to());
        if !addresses.all(|address| AsRef::<str>::as_ref(address).is_ascii()) {
            if !connection.server_info().supports_feature(Extension::SmtpUtfEight) {
                return Err(Failure::Refused(
                    "the addresses are not ASCII and the server does not take SMTPUTF8".into(),
                ));
            }
            options.push(MailParameter::SmtpUtfEight);
        }
        if !bytes.is_ascii() {
            if !connection.server_info().supports_feature(Extension::EightBitMime) {
                return Err(Failure::Refused("the message is not ASCII and the server does not take 8BITMIME".into()));
            }
            options.push(MailParameter::Body(MailBodyParameter::EightBitMime));
        }
        let mut step = |stage: Stage, run: &mut dyn FnMut(&mut SmtpConnection) -> Result<Response, Error>| {
            let _ = notes.send(Note::Stage(stage));
            run(connection).map_err(|e| self.failure(stage, &e))
        };
        step(Stage::Command("MAIL FROM"), &mut |c| c.command(Mail::new(envelope.from().cloned(), options.clone())))?;
        for to in envelope.to() {
            step(Stage::Command("RCPT TO"), &mut |c| c.command(Rcpt::new(to.clone(), Vec::new())))?;
        }
        step(Stage::Command("DATA"), &mut |c| c.command(Data))?;
        step(Stage::Content, &mut |c| c.message(bytes))
    }

    /// A new connection: greeted, encrypted, logged in.
    fn connect(&self, notes: &Sender<Note>) -> Result<SmtpConnection, Failure> {
        let hello = ClientId::default();
        let wrapped = self.tls.as_ref().filter(|_| self.security == SmtpSecurity::Tls);
        let mut connection =
            SmtpConnection::connect((self.host.as_str(), self.port), Some(self.wait), &hello, wrapped, None)
                .map_err(|e| self.failure(Stage::Greeting, &e))?;
        if let (SmtpSecurity::Starttls, Some(tls)) = (self.security, &self.tls) {
            let _ = notes.send(Note::Stage(Stage::Tls));
            connection.starttls(tls, &hello).map_err(|e| self.failure(Stage::Tls, &e))?;
        }
        if let Some(credentials) = &self.credentials {
            let _ = notes.send(Note::Stage(Stage::Login));
            connection.auth(DEFAULT_MECHANISMS, credentials).map_err(|e| self.failure(Stage::Login, &e))?;
        }
        Ok(connection)
    }

    /// What lettre's error `e` in `stage` means for the send.
    fn failure(&self, stage: Stage, e: &Error) -> Failure {
        if timed_out(e) {
            // lettre calls a failed connection a "Connection error", a failed read a "network error".
            if stage == Stage::Greeting && e.to_string().starts_with("Connection error") {
                return Failure::TimedOut(format!("{}: cannot connect within {} s", self.name(), self.wait.as_secs()));
            }
            return Failure::TimedOut(self.late(stage));
        }
        match stage {
            Stage::Command(_) | Stage::Content => Failure::Refused(e.to_string()),
            _ => Failure::Server(format!("{}: {e}", self.name())),
        }
    }
}

/// True when `e` is a wait that ran out (a read times out as `WouldBlock` on
/// Unix, as `TimedOut` elsewhere).
fn timed_out(e: &Error) -> bool {
    let mut source = std::error::Error::source(e);
    while let Some(err) = source {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            return matches!(io.kind(), std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock);
        }
        source = err.source();
    }
    false
}
