//! A receiver without a web framework: a body in, an answer out, the handler between,
//! with the handshake answered and replays kept from the handler.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use super::event::PushEvent;
use super::memory::{Claim, InMemory, MemoryError, PushMemory};
use super::verify::{Refused, Verifier};
use crate::telemetry;

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
    /// The memory cannot tell whether the push is new (its store failed, or another
    /// receiver is handling it): 503, so the service retries.
    Unavailable(Option<MemoryError>, Answer),
}

/// How long after an event the service may still retry its push: it stops after 24
/// hours (the webhook overview's retry rules).
const RETRY_HORIZON_MS: i64 = 24 * 3600 * 1000;

/// An event claimed for handling. Accept it when the handler succeeded, fail it
/// otherwise; one dropped unanswered stays claimed for the claim's time.
#[derive(Debug)]
#[must_use = "accept or fail the event"]
pub struct PendingEvent<'a> {
    receiver: &'a Receiver,
    key: String,
    fresh_until: SystemTime,
    /// With [`Receiver::once_per_event`]: the event's own key, claimed too, and until
    /// when it is kept.
    event_key: Option<(String, SystemTime)>,
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
        let memory = &self.receiver.memory;
        let event = match &self.event_key {
            Some((key, until)) => memory.remember(key, *until).await,
            None => Ok(()),
        };
        match event.and(memory.remember(&self.key, self.fresh_until).await) {
            Ok(()) => {
                telemetry::push("accepted");
                Answer::status(200)
            }
            Err(error) => {
                tracing::warn!(target: "meeting::webhook", "an accepted push was not remembered: {error}");
                Answer::status(503)
            }
        }
    }

    /// The handler failed: forgotten, answered 500, so that the service's retry
    /// reaches the handler again.
    pub async fn fail(self) -> Answer {
        let memory = &self.receiver.memory;
        let event = match &self.event_key {
            Some((key, _)) => memory.release(key).await,
            None => Ok(()),
        };
        if let Err(error) = event.and(memory.release(&self.key).await) {
            tracing::warn!(target: "meeting::webhook", "a failed push's claim was not released: {error}");
        }
        telemetry::push("failed");
        Answer::status(500)
    }

    /// The keys to remember once the event is handled, should it be done later (after
    /// the push was answered, say): each with until when.
    pub fn keys(&self) -> Vec<(String, SystemTime)> {
        let mut keys = vec![(self.key.clone(), self.fresh_until)];
        keys.extend(self.event_key.clone());
        keys
    }
}

/// Checks pushes with a [`Verifier`] and keeps replays from the handler with a
/// [`PushMemory`] (in memory by default).
///
/// ```
/// # async fn run(body: &[u8]) -> Result<(), meeting::Error> {
/// use meeting::webhook::{Receiver, Verifier};
///
/// let receiver = Receiver::new(Verifier::new("12345678", "subscriber-key")?);
/// let answer = receiver
///     .handle(body, |event| async move {
///         println!("{event}");
///         Ok::<(), std::io::Error>(())
///     })
///     .await;
/// // Send `answer.status`, and `answer.body` as JSON when there is one.
/// # Ok::<(), meeting::Error>(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct Receiver {
    verifier: Verifier,
    memory: Arc<dyn PushMemory>,
    claim_ttl: Duration,
    once_per_event: bool,
}

impl Receiver {
    /// Pushes checked by `verifier`, remembered in memory ([`InMemory`], on the
    /// verifier's clock).
    pub fn new(verifier: Verifier) -> Self {
        let memory = InMemory::default().clock(verifier.clock_handle());
        Self {
            verifier,
            memory: Arc::new(memory),
            claim_ttl: DEFAULT_CLAIM_TTL,
            once_per_event: false,
        }
    }

    /// Also recognizes a retry the service signed anew (a new signature, so a new
    /// push to the replay memory) by its event's [`PushEvent::dedup_key`], kept until
    /// the window after the service's last retry (24 hours after the event's own time):
    /// the handler sees each event once. Off by default: two events that share that
    /// key (the same type, meeting, millisecond and participant) are then one.
    pub fn once_per_event(mut self, on: bool) -> Self {
        self.once_per_event = on;
        self
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

    /// Checks one body and says what to do with it.
    pub async fn receive(&self, body: &[u8]) -> Incoming<'_> {
        let incoming = self.check(body).await;
        match &incoming {
            Incoming::Refused(refused, _) => telemetry::push_refused(refused.reason()),
            Incoming::Handshake(_) => telemetry::push("handshake"),
            Incoming::Replay(_) => telemetry::push("replayed"),
            Incoming::Unavailable(..) => telemetry::push("unavailable"),
            // Counted when the handler's verdict is known.
            Incoming::Event(_) => {}
        }
        incoming
    }

    async fn check(&self, body: &[u8]) -> Incoming<'_> {
        let push = match self.verifier.verify(body) {
            Ok(push) => push,
            Err(refused) => {
                let status = if refused.is_malformed() { 400 } else { 401 };
                return Incoming::Refused(refused, Answer::status(status));
            }
        };
        let reply = push.reply();
        let key = push.replay_key().to_owned();
        let fresh_until = push.fresh_until();
        let Some(event) = push.event else {
            return Incoming::Handshake(Answer {
                status: 200,
                body: reply,
            });
        };
        match self.memory.claim(&key, fresh_until, self.claim_ttl).await {
            Ok(Claim::New) if self.once_per_event => {
                self.claim_event(key, fresh_until, event).await
            }
            Ok(Claim::New) => Incoming::Event(PendingEvent {
                receiver: self,
                key,
                fresh_until,
                event_key: None,
                event,
            }),
            Ok(Claim::Seen) => Incoming::Replay(Answer::status(200)),
            Ok(Claim::InFlight) => Incoming::Unavailable(None, Answer::status(503)),
            Err(error) => Incoming::Unavailable(Some(error), Answer::status(503)),
        }
    }

    /// A push new to the memory, claimed by its event's key too: a retry signed anew of
    /// an event handled before is a replay (and its signature is remembered as well).
    async fn claim_event(
        &self,
        key: String,
        fresh_until: SystemTime,
        event: PushEvent,
    ) -> Incoming<'_> {
        let event_key = event.dedup_memory_key();
        // The event's alone, the same for every retry of it: a memory may file a key by
        // its time (the in-memory default does, in 10-minute generations), so a time
        // taken from the retry's own signing would look for it elsewhere. Fresh until
        // the window after the service's last retry.
        let last_retry_ms = event.at_ms.saturating_add(RETRY_HORIZON_MS);
        let event_until = self.verifier.fresh_until_of(last_retry_ms);
        let claimed = self
            .memory
            .claim(&event_key, event_until, self.claim_ttl)
            .await;
        let unavailable = |error| Incoming::Unavailable(error, Answer::status(503));
        match claimed {
            Ok(Claim::New) => Incoming::Event(PendingEvent {
                receiver: self,
                key,
                fresh_until,
                event_key: Some((event_key, event_until)),
                event,
            }),
            Ok(Claim::Seen) => match self.memory.remember(&key, fresh_until).await {
                Ok(()) => Incoming::Replay(Answer::status(200)),
                Err(error) => unavailable(Some(error)),
            },
            Ok(Claim::InFlight) => {
                let _ = self.memory.release(&key).await;
                unavailable(None)
            }
            Err(error) => {
                let _ = self.memory.release(&key).await;
                unavailable(Some(error))
            }
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
