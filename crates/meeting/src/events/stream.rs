//! What the consumer holds: a bounded buffer between the connection's task and the
//! consumer, and the consumer's own snapshot. A consumer that reads too slowly makes
//! the buffer drop events, not grow: it then reads `Lagged`, and a `Resynced` diff of
//! the meeting as it last saw it against the meeting now.

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

use futures_core::Stream;
use tokio::sync::oneshot;
use tokio::time::Instant;

use super::model::{Event, EventKind, ResyncCause};
use super::snapshot::{Snapshot, State};
use crate::error::Error;

/// What a stream counted (see [`EventStream::stats`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct EventStats {
    /// Frames received and decoded.
    pub frames: u64,
    /// Incremental frames dropped as already applied.
    pub duplicates: u64,
    /// Incremental frames that showed lost ones before them.
    pub gaps: u64,
    /// Subscriptions renewed on the same connection to repair a gap.
    pub resubscribes: u64,
    /// Connections opened again after one was lost.
    pub reconnects: u64,
    /// Events dropped because the consumer lagged.
    pub skipped: u64,
    /// Frames that were not JSON objects with an `action` (ignored).
    pub malformed: u64,
    /// Times the service's version numbering started again at 1 (each repaired by
    /// subscribing again).
    pub restarts: u64,
    /// Parts of frames left out for their size (a roster item over 16 KiB, a
    /// top-level payload over 1 MiB, a frame before the Subscribe answer past 1 MiB of
    /// them) and roster entries past the cap of 10,000.
    pub oversized: u64,
}

/// How the stream ends.
#[derive(Debug)]
enum End {
    Running,
    Ended,
    Failed(Error),
    /// The end was reported.
    Reported,
}

/// Shared by the connection's task and the consumer.
pub(crate) struct Shared {
    inner: Mutex<Inner>,
}

pub(crate) struct Inner {
    /// The meeting as the connection knows it.
    pub state: State,
    /// Events with the version of the frame they came from, and their weight.
    queue: VecDeque<(EventKind, Option<i64>, usize)>,
    capacity: usize,
    /// The queue's weight: about the bytes its events hold.
    bytes: usize,
    byte_budget: usize,
    /// Events dropped since the consumer last caught up (non-zero: lagging).
    skipped: u64,
    end: End,
    waker: Option<Waker>,
    pub stats: EventStats,
    /// When the connection's task last showed it works: a Subscribe answered, a
    /// heartbeat echoed, a reconnection attempt made.
    alive_at: Instant,
}

impl Inner {
    /// The connection's task shows it works.
    pub fn alive(&mut self) {
        self.alive_at = Instant::now();
    }

    /// Queues an event of the stream's own, or drops it if the buffer is full or
    /// already dropping.
    pub fn push(&mut self, event: EventKind) {
        self.push_from(event, None);
    }

    /// Queues an event that a frame of `version` caused, or drops it like `push`.
    pub fn push_from(&mut self, event: EventKind, version: Option<i64>) {
        let weight = weigh(&event);
        if self.skipped > 0
            || self.queue.len() >= self.capacity
            || self.bytes.saturating_add(weight) > self.byte_budget
        {
            self.skipped += 1;
            self.stats.skipped += 1;
        } else {
            self.bytes += weight;
            self.queue.push_back((event, version, weight));
        }
    }
}

impl Shared {
    /// A buffer of `capacity` events and about `byte_budget` bytes, the connection
    /// knowing the meeting as `state`.
    pub fn new(capacity: usize, byte_budget: usize, state: State) -> Arc<Self> {
        Arc::new(Self {
            inner: Mutex::new(Inner {
                state,
                queue: VecDeque::new(),
                capacity,
                bytes: 0,
                byte_budget,
                skipped: 0,
                end: End::Running,
                waker: None,
                stats: EventStats::default(),
                alive_at: Instant::now(),
            }),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Nothing panics while the lock is held with the state half-changed.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Changes the shared state and wakes the consumer.
    pub fn update<R>(&self, change: impl FnOnce(&mut Inner) -> R) -> R {
        let mut inner = self.lock();
        let result = change(&mut inner);
        let waker = inner.waker.take();
        drop(inner);
        if let Some(waker) = waker {
            waker.wake();
        }
        result
    }

    /// The meeting ended: the consumer reads `Ended` after what is queued.
    pub fn ended(&self) {
        self.update(|inner| inner.end = End::Ended);
    }

    /// The stream failed: the consumer reads the error after what is queued.
    pub fn failed(&self, error: Error) {
        self.update(|inner| inner.end = End::Failed(error));
    }
}

/// The live events of one meeting, from [`crate::Conference::events`].
///
/// A [`Stream`] of [`Event`]s (use `futures::StreamExt::next`), ending after
/// [`EventKind::Ended`], or with an error when the connection could not be restored
/// in time or the service refused it. Dropping it closes the socket.
pub struct EventStream {
    meeting: Arc<str>,
    shared: Arc<Shared>,
    /// The meeting as the events read so far describe it.
    view: Snapshot,
    /// A diff being delivered after `Lagged`.
    pending: VecDeque<EventKind>,
    /// Dropped with the stream: the connection's task closes the socket and ends.
    _stop: oneshot::Sender<()>,
    /// See [`StreamHealth`].
    stall_window: std::time::Duration,
}

impl std::fmt::Debug for EventStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventStream")
            .field("meeting", &self.meeting)
            .finish_non_exhaustive()
    }
}

impl EventStream {
    /// The stream of `meeting`, whose consumer starts knowing it as `view`.
    pub(crate) fn new(
        meeting: Arc<str>,
        shared: Arc<Shared>,
        view: Snapshot,
        stop: oneshot::Sender<()>,
        stall_window: std::time::Duration,
    ) -> Self {
        Self {
            meeting,
            shared,
            view,
            stall_window,
            pending: VecDeque::new(),
            _stop: stop,
        }
    }

    /// The conference ID.
    pub fn meeting(&self) -> &str {
        &self.meeting
    }

    /// The meeting as the events read so far describe it: basic information, state,
    /// the participants online by ID, the speakers and the waiting room.
    pub fn snapshot(&self) -> &Snapshot {
        &self.view
    }

    /// What the stream counted so far.
    pub fn stats(&self) -> EventStats {
        self.shared.lock().stats
    }

    /// How the connection's task is doing, readable without the stream (for a health
    /// check, or a fleet that renews a lease only while the task works).
    pub fn health(&self) -> StreamHealth {
        StreamHealth {
            shared: self.shared.clone(),
            window: self.stall_window,
        }
    }

    fn deliver(
        &mut self,
        kind: EventKind,
        version: Option<i64>,
    ) -> Poll<Option<Result<Event, Error>>> {
        self.view.apply(&kind);
        Poll::Ready(Some(Ok(Event {
            meeting: self.meeting.to_string(),
            version,
            kind,
        })))
    }
}

/// Whether an [`EventStream`]'s connection works ([`EventStream::health`]); cheap to
/// clone, readable from anywhere.
#[derive(Clone)]
pub struct StreamHealth {
    shared: Arc<Shared>,
    /// Past this without a sign of life (an echo, an attempt to reconnect), the task
    /// is not working: two heartbeat periods (at least one and its echo timeout) and
    /// the reconnect backoff's cap.
    window: std::time::Duration,
}

impl std::fmt::Debug for StreamHealth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamHealth")
            .field("window", &self.window)
            .finish_non_exhaustive()
    }
}

impl StreamHealth {
    /// Whether the task showed within `window` that it works, and the stream is not
    /// over.
    #[cfg_attr(not(feature = "fleet"), allow(dead_code))]
    pub(crate) fn alive_within(&self, window: std::time::Duration) -> bool {
        let inner = self.shared.lock();
        matches!(inner.end, End::Running) && inner.alive_at.elapsed() <= window
    }

    /// `Ok` while the stream runs and its connection's task showed it works within
    /// two heartbeat periods and the reconnect backoff's cap; otherwise what is wrong.
    pub fn check(&self) -> Result<(), String> {
        let inner = self.shared.lock();
        if !matches!(inner.end, End::Running) {
            return Err("the event stream is over".into());
        }
        let silent = inner.alive_at.elapsed();
        if silent > self.window {
            return Err(format!(
                "the event stream's connection showed no sign of life for {:.0} s",
                silent.as_secs_f64()
            ));
        }
        Ok(())
    }
}

/// About the bytes `event` holds: its own size and its strings' (a participant's, the
/// usual event, counted field by field); for an unknown frame, the size of its JSON
/// tree, which for small objects is many times its text; for the rarer kinds, twice
/// their JSON form's length (counted, not written).
fn weigh(event: &EventKind) -> usize {
    let own = std::mem::size_of::<EventKind>();
    own + match event {
        EventKind::Unknown { raw, .. } => tree_size(raw),
        EventKind::ParticipantJoined { participant }
        | EventKind::ParticipantChanged { participant, .. }
        | EventKind::ParticipantLeft { participant } => participant_size(participant),
        EventKind::Connected { .. }
        | EventKind::Resynced { .. }
        | EventKind::Lagged { .. }
        | EventKind::Ended => 0,
        other => 2 * json_len(other),
    }
}

/// About the heap a participant holds.
fn participant_size(p: &super::ParticipantInfo) -> usize {
    let text = |s: &Option<String>| s.as_ref().map_or(0, String::len);
    p.id.len()
        + text(&p.name)
        + text(&p.number)
        + text(&p.client_type)
        + text(&p.account_id)
        + text(&p.view_locked_to)
        + p.extra
            .iter()
            .map(|(key, value)| 64 + key.len() + value.len())
            .sum::<usize>()
}

/// The length of `event`'s JSON form, counted as it is written, nothing kept.
fn json_len(event: &EventKind) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0 += bytes.len();
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    let _ = serde_json::to_writer(&mut count, event);
    count.0
}

/// About the bytes a JSON tree holds: each value, each string's bytes, and each map's
/// nodes (a B-tree leaf of 11 entries is some 600 bytes, even for one entry).
fn tree_size(value: &serde_json::Value) -> usize {
    use serde_json::Value;
    const NODE: usize = std::mem::size_of::<Value>();
    const LEAF: usize = 640;
    NODE + match value {
        Value::String(text) => text.len(),
        Value::Array(items) => items.iter().map(tree_size).sum(),
        Value::Object(map) => {
            LEAF * map.len().div_ceil(11).max(1)
                + map
                    .iter()
                    .map(|(key, value)| key.len() + tree_size(value))
                    .sum::<usize>()
        }
        _ => 0,
    }
}

/// A burst leaves its queue's capacity behind; an idle stream should not keep it.
fn shrink_when_empty<T>(queue: &mut VecDeque<T>) {
    if queue.is_empty() && queue.capacity() > 4 {
        queue.shrink_to_fit();
    }
}

impl Stream for EventStream {
    type Item = Result<Event, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if let Some(kind) = this.pending.pop_front() {
            shrink_when_empty(&mut this.pending);
            return this.deliver(kind, None);
        }
        let mut inner = this.shared.lock();
        if let Some((kind, version, weight)) = inner.queue.pop_front() {
            inner.bytes -= weight;
            shrink_when_empty(&mut inner.queue);
            drop(inner);
            return this.deliver(kind, version);
        }
        if inner.skipped > 0 {
            // Caught up after dropping: say so, then what changed since the last event
            // delivered, compared under the lock so that no event falls between.
            let skipped = std::mem::take(&mut inner.skipped);
            crate::telemetry::stream_lagged(skipped);
            let mut diff = Vec::new();
            this.view.changes_to(inner.state.snapshot(), &mut diff);
            drop(inner);
            if !diff.is_empty() {
                crate::telemetry::stream_resynced(ResyncCause::Lagged.as_str());
                this.pending.push_back(EventKind::Resynced {
                    cause: ResyncCause::Lagged,
                });
                this.pending.extend(diff);
            }
            return this.deliver(EventKind::Lagged { skipped }, None);
        }
        match std::mem::replace(&mut inner.end, End::Reported) {
            End::Running => {
                inner.end = End::Running;
                inner.waker = Some(cx.waker().clone());
                Poll::Pending
            }
            End::Ended => {
                drop(inner);
                this.deliver(EventKind::Ended, None)
            }
            End::Failed(error) => Poll::Ready(Some(Err(error))),
            End::Reported => Poll::Ready(None),
        }
    }
}
