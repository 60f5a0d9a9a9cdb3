//! The live events of one meeting, from the meeting-control WebSocket: typed events
//! and the meeting they add up to, over a connection that heartbeats, repairs lost
//! messages and reconnects by itself. Behind the `events` feature.
//!
//! ```no_run
//! # async fn run(client: meeting::Client) -> Result<(), meeting::Error> {
//! use futures::StreamExt;
//! use meeting::events::EventKind;
//!
//! let meeting = client.conference("914083136").with_host_password("654321");
//! let mut events = meeting.events().await?;
//! while let Some(event) = events.next().await {
//!     match event?.kind {
//!         EventKind::ParticipantJoined { participant } => {
//!             println!("{} joined", participant.name.unwrap_or_default());
//!         }
//!         EventKind::Ended => break,
//!         _ => {}
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! Choices where the reference pages are silent are listed in the crate README.

mod connection;
mod driver;
mod model;
mod snapshot;
mod stream;
mod versions;
mod wire;
mod words;

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::oneshot;

#[cfg(feature = "fleet")]
pub(crate) use driver::NOT_IN_PROGRESS;
pub use model::{
    Event, EventKind, InviteResult, Media, MeetingInfo, MeetingStatus, MultiPictureStatus,
    Notification, ParticipantField, ParticipantInfo, ParticipantRole, ParticipantState, Phase,
    PictureStatus, ResyncCause, Speaker, StatusField, Viewing, WaitingParticipant,
};
pub use snapshot::Snapshot;
#[cfg(feature = "fleet")]
pub use stream::StreamHealth;
pub use stream::{EventStats, EventStream};
pub use words::{describe, participant_name, participant_role, status_summary, yes_no};

use crate::conference::Conference;
use crate::error::{Context, Error};
use driver::{Driver, Failure, OPERATION, Options};

/// The heartbeat period by default: the pages recommend one a minute.
pub const DEFAULT_HEARTBEAT: Duration = Duration::from_secs(60);
/// How long a heartbeat may wait for its echo by default.
pub const DEFAULT_ECHO_TIMEOUT: Duration = Duration::from_secs(10);
/// How long the stream keeps reconnecting by default.
pub const DEFAULT_RECONNECT_FOR: Duration = Duration::from_secs(5 * 60);
/// How many events wait for the consumer by default.
pub const DEFAULT_BUFFER: usize = 1024;
/// How many bytes of events wait for the consumer by default (about: an event is
/// weighed as its JSON form).
pub const DEFAULT_BUFFER_BYTES: usize = 8 << 20;
/// The least time between two subscriptions that repair lost messages, by default.
pub const DEFAULT_RESUBSCRIBE_INTERVAL: Duration = Duration::from_secs(10);
/// How often a stream waiting for its meeting to start asks, by default.
pub const DEFAULT_WAIT_POLL: Duration = Duration::from_secs(5);

/// Waits between reconnection attempts by default: doubling from 100 ms to 30 s (the
/// cap reached at the tenth attempt of an outage).
pub const DEFAULT_RECONNECT_BACKOFF: (Duration, Duration) =
    (Duration::from_millis(100), Duration::from_secs(30));
pub(crate) const DEFAULT_BACKOFF: driver::Backoff = driver::Backoff {
    first: DEFAULT_RECONNECT_BACKOFF.0,
    max: DEFAULT_RECONNECT_BACKOFF.1,
};

/// The service closes a socket that sent no heartbeat for this long.
const SERVICE_HEARTBEAT_LIMIT: Duration = Duration::from_secs(180);

impl Conference {
    /// The meeting's live events. Configure the stream on the builder, then `.await`
    /// it (or call [`EventsBuilder::start`]): the meeting must be in progress, unless
    /// [`EventsBuilder::wait_for_start`] says to wait.
    pub fn events(&self) -> EventsBuilder {
        EventsBuilder {
            conference: self.clone(),
            notifications: None,
            heartbeat: DEFAULT_HEARTBEAT,
            echo_timeout: DEFAULT_ECHO_TIMEOUT,
            buffer: DEFAULT_BUFFER,
            buffer_bytes: DEFAULT_BUFFER_BYTES,
            reconnect_for: DEFAULT_RECONNECT_FOR,
            resubscribe_interval: DEFAULT_RESUBSCRIBE_INTERVAL,
            backoff: DEFAULT_BACKOFF,
            wait: None,
            resume_from: None,
        }
    }
}

/// How to watch a meeting (see [`Conference::events`]).
#[derive(Debug)]
#[must_use = "a builder does nothing until it is awaited"]
pub struct EventsBuilder {
    conference: Conference,
    notifications: Option<Vec<Notification>>,
    heartbeat: Duration,
    echo_timeout: Duration,
    buffer: usize,
    buffer_bytes: usize,
    reconnect_for: Duration,
    resubscribe_interval: Duration,
    backoff: driver::Backoff,
    wait: Option<Duration>,
    resume_from: Option<Snapshot>,
}

impl EventsBuilder {
    /// The notification types to subscribe to. By default: every type the service
    /// says it supports (`supportNotifyType`) that this version decodes
    /// ([`Notification::KNOWN`]), or all of those when the service lists none. A
    /// type this version does not decode arrives as [`EventKind::Unknown`].
    pub fn notifications(mut self, types: impl IntoIterator<Item = Notification>) -> Self {
        self.notifications = Some(types.into_iter().collect());
        self
    }

    /// How often to send a heartbeat (default 60 s; less than the service's 180 s).
    pub fn heartbeat(mut self, period: Duration) -> Self {
        self.heartbeat = period;
        self
    }

    /// How long a heartbeat waits for its echo before the connection counts as dead
    /// (default 10 s). Also the time the service has to answer Subscribe.
    pub fn echo_timeout(mut self, timeout: Duration) -> Self {
        self.echo_timeout = timeout;
        self
    }

    /// How many events wait for the consumer (default 1,024). Past that the stream
    /// drops events, and the consumer reads [`EventKind::Lagged`] and a
    /// [`EventKind::Resynced`] diff instead: memory stays bounded.
    pub fn buffer(mut self, events: usize) -> Self {
        self.buffer = events;
        self
    }

    /// How many bytes of events wait for the consumer (default 8 MiB; an event weighs
    /// about its JSON form): past that, as past [`EventsBuilder::buffer`], the consumer
    /// reads [`EventKind::Lagged`] and a [`EventKind::Resynced`] diff. With frames of
    /// up to 16 MiB, this is what bounds a stream's memory; the stream also leaves out
    /// oversized parts of frames and roster entries past 10,000 (see
    /// [`EventStats::oversized`]).
    pub fn buffer_bytes(mut self, bytes: usize) -> Self {
        self.buffer_bytes = bytes;
        self
    }

    /// How long to keep reconnecting after the connection is lost (default 5 min);
    /// then the stream ends with [`crate::ErrorKind::Disconnected`].
    pub fn reconnect_for(mut self, window: Duration) -> Self {
        self.reconnect_for = window;
        self
    }

    /// The waits between reconnection attempts: `first`, doubling up to `max` (default
    /// 100 ms and 30 s), each a random time between half of it and all of it. An outage
    /// lasts until a connection proves itself (a heartbeat echo, or 30 s connected),
    /// so a server that answers Subscribe and closes at once meets the growing wait,
    /// and in the end [`EventsBuilder::reconnect_for`].
    pub fn reconnect_backoff(mut self, first: Duration, max: Duration) -> Self {
        self.backoff = driver::Backoff { first, max };
        self
    }

    /// The least time between two subscriptions made to repair lost incremental
    /// messages (default 10 s).
    pub fn resubscribe_interval(mut self, interval: Duration) -> Self {
        self.resubscribe_interval = interval;
        self
    }

    /// Waits for a meeting that has not started, asking every `poll` (without it,
    /// such a meeting fails the stream at once: its control token does not exist yet).
    pub fn wait_for_start(mut self, poll: Duration) -> Self {
        self.wait = Some(poll);
        self
    }

    /// Starts from `snapshot`, the meeting as a consumer last saw it (from an earlier
    /// stream's [`EventStream::snapshot`], or rebuilt from stored events): the stream
    /// says [`EventKind::Connected`], then [`EventKind::Resynced`] with
    /// [`ResyncCause::Resumed`], then the events that turn `snapshot` into the meeting
    /// as the service reports it, then live events. Without it the stream starts from
    /// nothing, and its first events describe the whole meeting.
    ///
    /// The WebSocket has no replay: what happened in between arrives as that
    /// difference, not one change at a time.
    pub fn resume_from(mut self, snapshot: Snapshot) -> Self {
        self.resume_from = Some(snapshot);
        self
    }

    /// Connects and subscribes. Fails if the meeting is not in progress (without
    /// [`EventsBuilder::wait_for_start`]), if the host password is refused, or if no
    /// connection can be opened.
    pub async fn start(self) -> Result<EventStream, Error> {
        let context = Context::new(OPERATION, Some(self.conference.id()));
        self.check()
            .map_err(|problem| Error::invalid(&context, problem))?;
        let info = self.control_token_info(&context).await?;
        let types: Vec<String> = match &self.notifications {
            Some(types) => types.iter().map(|t| t.wire_name().to_owned()).collect(),
            None => default_types(&info.supported_notifications),
        };
        let options = Options {
            types,
            heartbeat: self.heartbeat,
            echo_timeout: self.echo_timeout,
            reconnect_for: self.reconnect_for,
            resubscribe_interval: self.resubscribe_interval,
            keep_alive: keep_alive_period(info.valid_for),
            backoff: self.backoff,
        };
        let resuming = self.resume_from.is_some();
        let view = self.resume_from.unwrap_or_default();
        let shared = stream::Shared::new(
            self.buffer,
            self.buffer_bytes,
            snapshot::State::from(view.clone()),
        );
        let mut driver = Driver::new(self.conference.clone(), options, shared.clone());
        let link = driver
            .connect(ResyncCause::Subscribed)
            .await
            .map_err(|failure| failure.into_error(&context))?;
        shared.update(|inner| {
            inner.push(EventKind::Connected { resumed: false });
            if resuming {
                // One announcement for the whole difference, even an empty one.
                crate::telemetry::stream_resynced(ResyncCause::Resumed.as_str());
                inner.push(EventKind::Resynced {
                    cause: ResyncCause::Resumed,
                });
                driver.announced();
            }
        });
        let (stop, stopped) = oneshot::channel();
        tokio::spawn(driver.run(link, stopped));
        let stall_window = self
            .heartbeat
            .saturating_mul(2)
            .max(self.heartbeat.saturating_add(self.echo_timeout))
            .saturating_add(self.backoff.max);
        Ok(EventStream::new(
            Arc::from(self.conference.id()),
            shared,
            view,
            stop,
            stall_window,
        ))
    }

    /// What is wrong with the settings, found before anything is sent.
    fn check(&self) -> Result<(), String> {
        if self.heartbeat.is_zero() || self.heartbeat >= SERVICE_HEARTBEAT_LIMIT {
            return Err(format!(
                "the heartbeat period must be more than 0 and less than the service's {} s, not {:?}",
                SERVICE_HEARTBEAT_LIMIT.as_secs(),
                self.heartbeat
            ));
        }
        if self.echo_timeout.is_zero() {
            return Err("the echo timeout must be more than 0".into());
        }
        if self.backoff.first.is_zero() || self.backoff.max < self.backoff.first {
            return Err(format!(
                "the reconnection backoff must start above 0 and end at or above its start, not {:?} to {:?}",
                self.backoff.first, self.backoff.max
            ));
        }
        if self.buffer == 0 {
            return Err("the buffer must hold at least one event".into());
        }
        if self.buffer_bytes < 256 << 10 {
            return Err(format!(
                "the buffer must hold at least 256 KiB of events (a few large ones), not {} bytes",
                self.buffer_bytes
            ));
        }
        if self.wait.is_some_and(|poll| poll.is_zero()) {
            return Err("the wait's polling period must be more than 0".into());
        }
        if let Some(types) = &self.notifications {
            if types.is_empty() {
                return Err("subscribe to at least one notification type".into());
            }
            if let Some(bad) = types.iter().find(|t| {
                let name = t.wire_name();
                name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric())
            }) {
                return Err(format!(
                    "{:?} is not a notification type name",
                    crate::printable::printable_at_most(bad.wire_name(), 64)
                ));
            }
        }
        Ok(())
    }

    /// The control token's information, waiting for the meeting to start if asked.
    async fn control_token_info(
        &self,
        context: &Context,
    ) -> Result<crate::ControlTokenInfo, Error> {
        loop {
            match self.conference.control_token_info().await {
                Ok(info) => return Ok(info),
                Err(error) => match (self.wait, Failure::of(error)) {
                    (Some(poll), Failure::Ended(error)) if !is_missing(&error) => {
                        tracing::debug!(
                            target: "meeting::events",
                            conference = self.conference.id(),
                            "the meeting has not started: waiting"
                        );
                        tokio::time::sleep(poll).await;
                    }
                    (_, failure) => return Err(failure.into_error(context)),
                },
            }
        }
    }
}

/// Whether the meeting does not exist (as opposed to not being in progress).
fn is_missing(error: &Error) -> bool {
    error.kind() == crate::ErrorKind::NotFound
}

impl IntoFuture for EventsBuilder {
    type Output = Result<EventStream, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.start())
    }
}

/// Every type the service supports that this version decodes, in its order; all the
/// known ones when the service lists none.
fn default_types(supported: &[String]) -> Vec<String> {
    let known: Vec<String> = Notification::KNOWN
        .iter()
        .map(|t| t.wire_name().to_owned())
        .collect();
    if supported.is_empty() {
        return known;
    }
    supported
        .iter()
        .filter(|name| known.contains(name))
        .cloned()
        .collect()
}

/// Keeps the control token alive at a third of its validity (ten minutes when
/// unknown), so that it never expires while the stream runs.
fn keep_alive_period(valid_for: Option<Duration>) -> Duration {
    valid_for
        .map(|v| v / 3)
        .unwrap_or(Duration::from_secs(600))
        .max(Duration::from_secs(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_default_the_known_types_the_service_supports() {
        let supported: Vec<String> = [
            "ConfBasicInfoNotify",
            "ParticipantsNotify",
            "RealTimeSubtitleNotify",
            "InterpreterGroupNotify",
        ]
        .map(String::from)
        .into();
        assert_eq!(
            default_types(&supported),
            ["ConfBasicInfoNotify", "ParticipantsNotify"]
        );
        assert_eq!(default_types(&[]).len(), Notification::KNOWN.len());
    }
}
