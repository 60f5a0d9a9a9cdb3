//! The task behind a stream: connect (control token, WebSocket token, socket,
//! Subscribe), then read frames, heartbeat, repair gaps by subscribing again, and
//! reconnect with backoff when the connection dies, until the meeting ends, the
//! reconnection window closes, or the stream is dropped.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures_util::{SinkExt, StreamExt};
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::oneshot;
use tokio::time::{Instant, sleep, sleep_until};
use tokio_tungstenite::tungstenite::Message;

use super::connection::{self, Origin, Socket};
use super::model::{EventKind, ResyncCause};
use super::stream::Shared;
use super::versions::{Verdict, Versions};
use super::wire::{self, Frame};
use crate::clock::later;
use crate::conference::Conference;
use crate::error::{Context, Error, ErrorKind};
use crate::telemetry;

/// The name errors and logs give the event stream.
pub(crate) const OPERATION: &str = "MeetingEvents";

/// The service's code for a meeting that is not in progress.
pub(crate) const NOT_IN_PROGRESS: &str = "MMC.111072005";

/// Frames kept that arrive before the Subscribe answer, in bytes at most; later ones
/// are dropped (the full messages after the answer describe the meeting anyway).
const EARLY_BYTES: usize = 1 << 20;

/// A connection that stayed up this long proved itself, even before its first
/// heartbeat echo: the backoff starts again from its first step.
const PROVEN_AFTER: Duration = Duration::from_secs(30);

/// How a stream behaves (see [`super::EventsBuilder`]).
#[derive(Clone, Debug)]
pub(crate) struct Options {
    /// The wire names subscribed.
    pub types: Vec<String>,
    pub heartbeat: Duration,
    pub echo_timeout: Duration,
    pub reconnect_for: Duration,
    pub resubscribe_interval: Duration,
    /// How often to keep the control token alive.
    pub keep_alive: Duration,
    pub backoff: Backoff,
}

/// The waits between reconnection attempts: doubling from `first` up to `max`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Backoff {
    pub first: Duration,
    pub max: Duration,
}

impl Backoff {
    /// The wait before attempt `attempt` (1 for the first), the second half of it
    /// random so that the watchers of a meeting that every one of them lost do not
    /// come back at once.
    pub fn wait(self, attempt: u32) -> Duration {
        let full = self
            .first
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(20))
            .min(self.max);
        let half = full / 2;
        half.saturating_add(half.mul_f64(rand::random::<f64>()))
    }
}

/// A loss of connection being ridden out: it ends only when a connection proves itself
/// (a heartbeat echo, or [`PROVEN_AFTER`] connected), not when one merely opens, so
/// that a server that accepts and then closes meets a growing backoff and, in the end,
/// the reconnection window.
struct Outage {
    since: Instant,
    attempts: u32,
}

/// An open, subscribed connection.
pub(crate) struct Link {
    socket: Socket,
    /// Frames that arrived before the Subscribe answer.
    early: Vec<String>,
}

/// Why connecting failed.
pub(crate) enum Failure {
    /// The meeting is not in progress or does not exist.
    Ended(Error),
    /// The service refused in a way another attempt cannot change.
    Refused(Error),
    /// Worth another attempt.
    Retry(String),
}

impl Failure {
    pub fn of(error: Error) -> Self {
        if error.code() == Some(NOT_IN_PROGRESS) || error.kind() == ErrorKind::NotFound {
            Self::Ended(error)
        } else if error.is_retryable() {
            Self::Retry(error.to_string())
        } else {
            Self::Refused(error)
        }
    }

    /// The error a caller sees when the first connection fails.
    pub fn into_error(self, context: &Context) -> Error {
        match self {
            Self::Ended(e) | Self::Refused(e) => e,
            Self::Retry(message) => Error::Transport {
                context: context.clone(),
                message,
                source: None,
            },
        }
    }
}

/// How one connection ended.
enum Outcome {
    /// The stream was dropped.
    Stopped,
    /// The meeting ended.
    Ended,
    /// The connection was lost, for this reason.
    Lost(String),
}

pub(crate) struct Driver {
    conference: Conference,
    options: Options,
    shared: Arc<Shared>,
    versions: Versions,
    /// Types whose first full message since the last Subscribe is still to come.
    awaiting_full: HashSet<String>,
    /// Why the last Subscribe was sent.
    cause: ResyncCause,
    last_sequence: u64,
    /// When the control token is next kept alive (it must not expire while the stream
    /// runs, connected or not).
    keep_alive_at: Instant,
    outage: Option<Outage>,
}

impl Driver {
    pub fn new(conference: Conference, options: Options, shared: Arc<Shared>) -> Self {
        Self {
            keep_alive_at: later(Instant::now(), options.keep_alive),
            outage: None,
            conference,
            options,
            shared,
            versions: Versions::default(),
            awaiting_full: HashSet::new(),
            cause: ResyncCause::Subscribed,
            last_sequence: 0,
        }
    }

    fn context(&self) -> Context {
        Context::new(OPERATION, Some(self.conference.id()))
    }

    /// A `sequence`: the time in ms, strictly increasing within the stream.
    fn next_sequence(&mut self) -> String {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        self.last_sequence = now.max(self.last_sequence + 1);
        wire::sequence(self.last_sequence)
    }

    /// Obtains the tokens, opens the socket and subscribes, waiting for the answer.
    pub async fn connect(&mut self, cause: ResyncCause) -> Result<Link, Failure> {
        let info = self
            .conference
            .control_token_info()
            .await
            .map_err(Failure::of)?;
        let ws_url = info.ws_url.as_deref().ok_or_else(|| {
            Failure::Refused(Error::invalid(
                &self.context(),
                "the service's control token came without a wsURL",
            ))
        })?;
        let settings = self.conference.client().websocket();
        let origin = Origin::parse(ws_url, settings.allow_insecure)
            .map_err(|message| Failure::Refused(Error::invalid(&self.context(), message)))?;
        let ws_token = self
            .conference
            .websocket_token()
            .await
            .map_err(Failure::of)?;
        let mut socket =
            connection::open(settings, &origin, self.conference.id(), ws_token.expose())
                .await
                .map_err(Failure::Retry)?;
        tracing::debug!(
            target: "meeting::events",
            conference = self.conference.id(),
            server = %origin.authority(),
            "event socket open"
        );
        telemetry::stream_connected();
        let token = SecretString::from(info.expose_token().to_owned());
        self.subscribe(&mut socket, &token, cause)
            .await
            .map_err(Failure::Retry)?;
        // The answer, within the echo timeout; pushes that come first are kept.
        let mut early: Vec<String> = Vec::new();
        let mut early_bytes = 0usize;
        let deadline = later(Instant::now(), self.options.echo_timeout);
        loop {
            let message = tokio::time::timeout_at(deadline, socket.next())
                .await
                .map_err(|_| {
                    Failure::Retry(format!(
                        "no answer to Subscribe within {:?}",
                        self.options.echo_timeout
                    ))
                })?;
            match message {
                Some(Ok(Message::Text(text))) => match Frame::parse(&text) {
                    Some(frame) if frame.action == wire::SUBSCRIBE => {
                        frame.subscribe_result().map_err(Failure::Retry)?;
                        self.shared.update(|inner| inner.alive());
                        return Ok(Link { socket, early });
                    }
                    _ if early_bytes.saturating_add(text.len()) <= EARLY_BYTES => {
                        early_bytes += text.len();
                        early.push(text.to_string());
                    }
                    _ => self.shared.update(|inner| inner.stats.oversized += 1),
                },
                Some(Ok(Message::Close(_))) | None => {
                    return Err(Failure::Retry(
                        "the service closed the connection before answering Subscribe".into(),
                    ));
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(Failure::Retry(format!("reading failed: {e}"))),
            }
        }
    }

    async fn subscribe(
        &mut self,
        socket: &mut Socket,
        token: &SecretString,
        cause: ResyncCause,
    ) -> Result<(), String> {
        let sequence = self.next_sequence();
        let types: Vec<&str> = self.options.types.iter().map(String::as_str).collect();
        let frame = wire::subscribe(
            &sequence,
            self.conference.id(),
            &types,
            token.expose_secret(),
        );
        tracing::debug!(target: "meeting::events", %sequence, ?types, "Subscribe");
        send(socket, frame, self.options.echo_timeout)
            .await
            .map_err(|e| format!("sending Subscribe failed: {e}"))?;
        self.versions.reset();
        self.awaiting_full = self.options.types.iter().cloned().collect();
        self.cause = cause;
        Ok(())
    }

    /// The first subscription's difference was announced already: its full messages
    /// add no `Resynced` of their own.
    pub fn announced(&mut self) {
        self.awaiting_full.clear();
    }

    /// The connection answered a heartbeat: the outage, if any, is over.
    fn proven(&mut self) {
        self.outage = None;
        self.shared.update(|inner| inner.alive());
    }

    /// Serves connections until the stream ends.
    pub async fn run(mut self, mut link: Link, mut stop: oneshot::Receiver<()>) {
        loop {
            let connected_at = Instant::now();
            let outcome = self.serve(&mut link, &mut stop).await;
            match outcome {
                Outcome::Stopped => {
                    let _ =
                        tokio::time::timeout(Duration::from_secs(1), link.socket.close(None)).await;
                    return;
                }
                Outcome::Ended => {
                    let _ =
                        tokio::time::timeout(Duration::from_secs(1), link.socket.close(None)).await;
                    self.shared.ended();
                    return;
                }
                Outcome::Lost(reason) => {
                    drop(link);
                    if connected_at.elapsed() >= PROVEN_AFTER {
                        self.outage = None;
                    }
                    // Boxed: reconnecting holds the whole connect path (token calls,
                    // TLS, upgrade), which an idle stream's task should not.
                    match Box::pin(self.reconnect(reason, &mut stop)).await {
                        Some(next) => link = next,
                        None => return,
                    }
                }
            }
        }
    }

    /// Connects again with backoff until it works, the meeting turns out to have
    /// ended, or the window closes; `None` when the stream is over. The attempts count
    /// on from those of an outage no connection has ended yet.
    async fn reconnect(
        &mut self,
        mut reason: String,
        stop: &mut oneshot::Receiver<()>,
    ) -> Option<Link> {
        let lost_at = self
            .outage
            .get_or_insert(Outage {
                since: Instant::now(),
                attempts: 0,
            })
            .since;
        loop {
            let attempt = self.outage.as_mut().map_or(1, |outage| {
                outage.attempts = outage.attempts.saturating_add(1);
                outage.attempts
            });
            tracing::info!(
                target: "meeting::events",
                conference = self.conference.id(),
                attempt,
                %reason,
                "event stream reconnecting"
            );
            telemetry::stream_reconnecting();
            self.shared.update(|inner| {
                // Trying is a sign of life too: the task is not wedged.
                inner.alive();
                inner.push(EventKind::Reconnecting {
                    reason: reason.clone(),
                    attempt,
                })
            });
            let wait = self.options.backoff.wait(attempt);
            if lost_at.elapsed().saturating_add(wait) > self.options.reconnect_for && attempt > 1 {
                return self.give_up(&reason, lost_at);
            }
            tokio::select! {
                _ = sleep(wait) => {}
                _ = &mut *stop => return None,
            }
            let connected = tokio::select! {
                connected = self.connect(ResyncCause::Reconnected) => connected,
                _ = &mut *stop => return None,
            };
            match connected {
                Ok(link) => {
                    self.shared.update(|inner| {
                        inner.stats.reconnects += 1;
                        inner.push(EventKind::Connected { resumed: true });
                    });
                    return Some(link);
                }
                Err(Failure::Ended(_)) => {
                    self.shared.ended();
                    return None;
                }
                Err(Failure::Refused(error)) => {
                    self.shared.failed(error);
                    return None;
                }
                Err(Failure::Retry(why)) => reason = why,
            }
            if lost_at.elapsed() >= self.options.reconnect_for {
                return self.give_up(&reason, lost_at);
            }
        }
    }

    fn give_up(&self, reason: &str, lost_at: Instant) -> Option<Link> {
        self.shared.failed(Error::Disconnected {
            context: self.context(),
            message: format!(
                "no connection for {:.1} s (allowed: {:?}); last: {reason}",
                lost_at.elapsed().as_secs_f64(),
                self.options.reconnect_for
            ),
        });
        None
    }

    /// Serves one connection until it is lost, the meeting ends or the stream stops.
    async fn serve(&mut self, link: &mut Link, stop: &mut oneshot::Receiver<()>) -> Outcome {
        let period = self.options.heartbeat;
        let mut heartbeat = tokio::time::interval_at(later(Instant::now(), period), period);
        heartbeat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        // The heartbeat waiting for its echo, and when it was sent.
        let mut awaiting: Option<(String, Instant)> = None;
        let mut resubscribe_at: Option<Instant> = None;
        let mut last_resubscribe: Option<Instant> = None;
        // One timer for the whole connection, reset when it fires.
        let keep_alive = sleep_until(self.keep_alive_at);
        tokio::pin!(keep_alive);
        for text in std::mem::take(&mut link.early) {
            match self.handle(&text, &mut awaiting) {
                Handled::Continue => {}
                Handled::Echo => self.proven(),
                Handled::Gap => resubscribe_at = Some(Instant::now()),
                Handled::Ended => return Outcome::Ended,
                Handled::Lost(reason) => return Outcome::Lost(reason),
            }
        }
        loop {
            let echo_deadline = awaiting
                .as_ref()
                .map(|(_, sent)| later(*sent, self.options.echo_timeout));
            // Not biased: a flood of frames must not starve the heartbeat.
            tokio::select! {
                _ = &mut *stop => return Outcome::Stopped,
                message = link.socket.next() => match message {
                    Some(Ok(Message::Text(text))) => match self.handle(&text, &mut awaiting) {
                        Handled::Continue => {}
                        Handled::Echo => self.proven(),
                        Handled::Gap => {
                            // At most one Subscribe per interval repairs gaps.
                            let earliest = last_resubscribe
                                .map_or_else(Instant::now, |at| later(at, self.options.resubscribe_interval));
                            resubscribe_at.get_or_insert(earliest.max(Instant::now()));
                        }
                        Handled::Ended => return Outcome::Ended,
                        Handled::Lost(reason) => return Outcome::Lost(reason),
                    },
                    Some(Ok(Message::Close(_))) | None => {
                        return Outcome::Lost("the service closed the connection".into());
                    }
                    Some(Ok(_)) => {}
                    Some(Err(e)) => return Outcome::Lost(format!("reading failed: {e}")),
                },
                _ = heartbeat.tick() => {
                    if awaiting.is_none() {
                        let sequence = self.next_sequence();
                        if let Err(e) = send(&mut link.socket, wire::heartbeat(&sequence), self.options.echo_timeout).await {
                            return Outcome::Lost(format!("sending HeartBeat failed: {e}"));
                        }
                        awaiting = Some((sequence, Instant::now()));
                    }
                }
                _ = until(echo_deadline) => {
                    return Outcome::Lost(format!(
                        "no echo of HeartBeat within {:?}",
                        self.options.echo_timeout
                    ));
                }
                _ = &mut keep_alive => {
                    self.keep_alive_at = later(Instant::now(), self.options.keep_alive);
                    keep_alive.as_mut().reset(self.keep_alive_at);
                    // Beside the connection: a slow service must not hold up its reading
                    // and heartbeats. A failure is not the connection's: the next
                    // reconnect (or keep-alive) tries again.
                    let conference = self.conference.clone();
                    tokio::spawn(async move {
                        if let Err(e) = conference.control_token_info().await {
                            tracing::warn!(
                                target: "meeting::events",
                                conference = conference.id(),
                                "keeping the control token alive failed: {e}"
                            );
                        }
                    });
                }
                _ = until(resubscribe_at) => {
                    resubscribe_at = None;
                    last_resubscribe = Some(Instant::now());
                    let token = match Box::pin(self.conference.control_token_info()).await {
                        Ok(info) => SecretString::from(info.expose_token().to_owned()),
                        Err(e) => match Failure::of(e) {
                            Failure::Ended(_) => return Outcome::Ended,
                            Failure::Refused(e) => return Outcome::Lost(e.to_string()),
                            Failure::Retry(reason) => return Outcome::Lost(reason),
                        },
                    };
                    tracing::info!(
                        target: "meeting::events",
                        conference = self.conference.id(),
                        "incremental messages were lost: subscribing again for a full snapshot"
                    );
                    if let Err(reason) = self.subscribe(&mut link.socket, &token, ResyncCause::Gap).await {
                        return Outcome::Lost(reason);
                    }
                    self.shared.update(|inner| inner.stats.resubscribes += 1);
                }
            }
        }
    }

    /// One text frame from the service.
    fn handle(&mut self, text: &str, awaiting: &mut Option<(String, Instant)>) -> Handled {
        let Some(frame) = Frame::parse(text) else {
            tracing::debug!(target: "meeting::events", "ignored a frame that is not a JSON object with an action");
            self.shared.update(|inner| inner.stats.malformed += 1);
            return Handled::Continue;
        };
        // Never `data`: a frame may carry names, numbers and tokens.
        tracing::trace!(
            target: "meeting::events",
            action = %frame.action,
            sequence = frame.sequence.as_deref().unwrap_or(""),
            full = frame.full,
            version = frame.version.unwrap_or(-1),
            "frame"
        );
        match frame.action.as_str() {
            wire::HEARTBEAT => {
                if awaiting
                    .as_ref()
                    .is_some_and(|(sent, _)| Some(sent) == frame.sequence.as_ref())
                {
                    *awaiting = None;
                    return Handled::Echo;
                }
                return Handled::Continue;
            }
            wire::SUBSCRIBE => {
                return match frame.subscribe_result() {
                    Ok(()) => Handled::Continue,
                    Err(reason) => Handled::Lost(reason),
                };
            }
            _ => {}
        }
        let verdict = self
            .versions
            .check(&frame.action, frame.full, frame.version);
        let resync = (frame.full && self.awaiting_full.remove(&frame.action)).then_some(self.cause);
        let ended = self.shared.update(|inner| {
            inner.stats.frames += 1;
            match verdict {
                Verdict::Duplicate => {
                    inner.stats.duplicates += 1;
                    return false;
                }
                Verdict::Late => {
                    inner.stats.gaps += 1;
                    return false;
                }
                Verdict::Gap => inner.stats.gaps += 1,
                Verdict::Restarted => inner.stats.restarts += 1,
                Verdict::Apply => {}
            }
            let mut events = Vec::new();
            inner.state.apply(&frame, &mut events);
            inner.stats.oversized += frame.skipped.get();
            if let Some(cause) = resync.filter(|_| !events.is_empty()) {
                telemetry::stream_resynced(cause.as_str());
                inner.push_from(EventKind::Resynced { cause }, frame.version);
            }
            for event in events {
                inner.push_from(event, frame.version);
            }
            inner.state.snapshot().ended()
        });
        if ended {
            Handled::Ended
        } else if matches!(verdict, Verdict::Gap | Verdict::Late | Verdict::Restarted) {
            Handled::Gap
        } else {
            Handled::Continue
        }
    }
}

/// What a frame asks of the connection.
enum Handled {
    Continue,
    /// The echo of the heartbeat sent: the connection works.
    Echo,
    /// Lost incremental messages: subscribe again.
    Gap,
    Ended,
    Lost(String),
}

/// Sleeps until `deadline`, or forever without one.
async fn until(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}

/// Sends one text frame, within `timeout`: a peer that stops reading must not wedge the
/// connection's task.
async fn send(socket: &mut Socket, text: String, timeout: Duration) -> Result<(), String> {
    let deadline = later(Instant::now(), timeout);
    match tokio::time::timeout_at(deadline, socket.send(Message::Text(text.into()))).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err(format!("not written within {timeout:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_its_cap_within_ten_attempts() {
        let backoff = super::super::DEFAULT_BACKOFF;
        for attempt in 1..80 {
            let wait = backoff.wait(attempt);
            let full = backoff
                .first
                .saturating_mul(1 << (attempt - 1).min(20))
                .min(backoff.max);
            assert!(wait >= full / 2 && wait <= full, "{attempt}: {wait:?}");
        }
        assert!(backoff.wait(10) >= backoff.max / 2);
        let huge = Backoff {
            first: Duration::MAX,
            max: Duration::MAX,
        };
        assert!(huge.wait(u32::MAX) >= Duration::MAX / 2);
    }
}
