//! A receiver without a web framework: a body in, an answer out, the handler between,
//! with the handshake answered and replays kept from the handler.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use super::event::PushEvent;
use super::memory::{Claim, InMemory, MemoryError, PushMemory};
use super::verify::{Refused, Verifier};

/// How long one receiver holds a push while its handler runs (another receiver of the
/// fleet answers 503 meanwhile; a receiver that dies frees it after this).
pub const DEFAULT_CLAIM_TTL: Duration = Duration::from_secs(60);

/// What to answer the service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    /// The HTTP status.
    pub status: u16,
    /// A JSON body (the handshake's), or none.
    pub body: Option<Vec<u8>>,
}

impl Answer {
    fn status(status: u16) -> Self {
        Self { status, body: None }
    }
}

/// A push, once checked (see [`Receiver::receive`]).
#[derive(Debug)]
#[must_use = "an event must be accepted or failed, and every case answered"]
// One per push, matched at once: boxing the event would only add an allocation.
#[allow(clippy::large_enum_variant)]
pub enum Incoming<'a> {
    /// A new event: handle it, then [`PendingEvent::accept`] or
    /// [`PendingEvent::fail`].
    Event(PendingEvent<'a>),
    /// The handshake: answer it (200 with its nonce).
    Handshake(Answer),
    /// Accepted before: answer it (200) without handling it again.
    Replay(Answer),
    /// Refused (400 malformed, 401 otherwise), and why.
    Refused(Refused, Answer),
    /// The memory cannot tell whether the push is new (full, failed, or another
    /// receiver is handling it): 503, so the service retries.
    Unavailable(Option<MemoryError>, Answer),
}

/// An event claimed for handling. Accept it when the handler succeeded, fail it
/// otherwise; one dropped unanswered stays claimed for the claim's time.
#[derive(Debug)]
#[must_use = "accept or fail the event"]
pub struct PendingEvent<'a> {
    receiver: &'a Receiver,
    key: String,
    event: PushEvent,
}

impl PendingEvent<'_> {
    /// The event.
    pub fn event(&self) -> &PushEvent {
        &self.event
    }

    /// The handler accepted it: remembered, answered 200 (503 if it could not be
    /// remembered: the service retries, and the application's
    /// [`PushEvent::dedup_key`] tells the retry apart).
    pub async fn accept(self) -> Answer {
        match self
            .receiver
            .memory
            .remember(&self.key, self.receiver.verifier_window())
            .await
        {
            Ok(()) => Answer::status(200),
            Err(error) => {
                tracing::warn!(target: "meeting::webhook", "an accepted push was not remembered: {error}");
                Answer::status(503)
            }
        }
    }

    /// The handler failed: forgotten, answered 500, so that the service's retry
    /// reaches the handler again.
    pub async fn fail(self) -> Answer {
        if let Err(error) = self.receiver.memory.release(&self.key).await {
            tracing::warn!(target: "meeting::webhook", "a failed push's claim was not released: {error}");
        }
        Answer::status(500)
    }
}

/// Checks pushes with a [`Verifier`] and keeps replays from the handler with a
/// [`PushMemory`] (in memory by default).
///
/// ```
/// # async fn run(body: &[u8]) {
/// use meeting::webhook::{Receiver, Verifier};
///
/// let receiver = Receiver::new(Verifier::new("12345678", "subscriber-key"));
/// let answer = receiver
///     .handle(body, |event| async move {
///         println!("{event}");
///         Ok::<(), std::io::Error>(())
///     })
///     .await;
/// // Send `answer.status`, and `answer.body` as JSON when there is one.
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct Receiver {
    verifier: Verifier,
    memory: Arc<dyn PushMemory>,
    claim_ttl: Duration,
}

impl Receiver {
    /// Pushes checked by `verifier`, remembered in memory.
    pub fn new(verifier: Verifier) -> Self {
        Self {
            verifier,
            memory: Arc::new(InMemory::default()),
            claim_ttl: DEFAULT_CLAIM_TTL,
        }
    }

    /// Remembers pushes in `memory` (an [`super::InStore`] for a fleet).
    pub fn memory(mut self, memory: Arc<dyn PushMemory>) -> Self {
        self.memory = memory;
        self
    }

    /// How long a push is held while its handler runs (default 60 s).
    pub fn claim_ttl(mut self, ttl: Duration) -> Self {
        self.claim_ttl = ttl;
        self
    }

    /// The verifier.
    pub fn verifier(&self) -> &Verifier {
        &self.verifier
    }

    /// Pushes are remembered as long as they would be accepted.
    fn verifier_window(&self) -> Duration {
        self.verifier.window()
    }

    /// Checks one body and says what to do with it.
    pub async fn receive(&self, body: &[u8]) -> Incoming<'_> {
        let push = match self.verifier.verify(body) {
            Ok(push) => push,
            Err(refused) => {
                let status = if refused.is_malformed() { 400 } else { 401 };
                return Incoming::Refused(refused, Answer::status(status));
            }
        };
        let reply = push.reply();
        let key = push.replay_key().to_owned();
        let Some(event) = push.event else {
            return Incoming::Handshake(Answer {
                status: 200,
                body: reply,
            });
        };
        match self.memory.claim(&key, self.claim_ttl).await {
            Ok(Claim::New) => Incoming::Event(PendingEvent {
                receiver: self,
                key,
                event,
            }),
            Ok(Claim::Seen) => Incoming::Replay(Answer::status(200)),
            Ok(Claim::InFlight) => Incoming::Unavailable(None, Answer::status(503)),
            Err(error) => Incoming::Unavailable(Some(error), Answer::status(503)),
        }
    }

    /// Checks one body and, for a new event, runs `handler`: accepted when it
    /// returns `Ok`, failed (500, retried by the service) when it returns `Err`.
    /// Refusals are logged with their reason, never with the push.
    pub async fn handle<F, Fut, E>(&self, body: &[u8], handler: F) -> Answer
    where
        F: FnOnce(PushEvent) -> Fut,
        Fut: Future<Output = Result<(), E>>,
        E: std::fmt::Display,
    {
        match self.receive(body).await {
            Incoming::Event(pending) => {
                let event = pending.event.clone();
                match handler(event).await {
                    Ok(()) => pending.accept().await,
                    Err(error) => {
                        tracing::warn!(target: "meeting::webhook", "the push handler failed: {error}");
                        pending.fail().await
                    }
                }
            }
            Incoming::Handshake(answer) | Incoming::Replay(answer) => answer,
            Incoming::Refused(refused, answer) => {
                tracing::warn!(target: "meeting::webhook", "push refused: {refused}");
                answer
            }
            Incoming::Unavailable(error, answer) => {
                if let Some(error) = error {
                    tracing::warn!(target: "meeting::webhook", "push not checked: {error}");
                }
                answer
            }
        }
    }
}
