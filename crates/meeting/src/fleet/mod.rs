//! Watching every ongoing meeting of an enterprise from several replicas, through the
//! Redis that already shares their tokens. Behind the `fleet` feature.
//!
//! Each replica runs a [`Fleet`]. Together they
//! - discover the ongoing meetings (SearchOnlineMeetings, every page, each
//!   [`FleetBuilder::discover_every`]; and at once for a meeting passed to
//!   [`Fleet::meeting_started`] or [`MeetingStarts`], e.g. from a `meeting.started`
//!   webhook push);
//! - claim each meeting with a lease (`SET` if absent, with an expiry), renewed while
//!   watching and released on a clean stop. A lease carries a fencing token: a
//!   replica that could not renew stops its socket before the lease can expire in
//!   Redis, and whatever it still tries to publish is refused by Redis;
//! - keep to their fair share (ongoing meetings ÷ live replicas, rounded up), giving
//!   meetings back above twice it;
//! - run [`crate::Conference::events`] for each claimed meeting (the host password from
//!   the caller's [`HostPasswords`]); a meeting whose password is missing or refused is
//!   reported ([`FleetReport::Refused`]) and left alone for a while by every replica; one
//!   whose stream failed is left alone for a backoff that grows with each failure;
//! - renew leases from a loop that makes Redis calls alone (discovery and the rest run
//!   beside it), and only while each meeting's stream shows signs of life;
//! - publish every event onto one Redis Stream per enterprise (approximately capped),
//!   as the fields `meeting`, `connection`, `version`, `seq` and `event` (the event
//!   stream's serialized form; see [`StreamEntry`]). An entry is published once: a
//!   retry after a failed round trip is recognized by its `seq`, and a replica that
//!   lost its lease publishes nothing.
//!
//! ## The guarantee
//! The meeting-control WebSocket has no replay. While no replica holds a meeting (a
//! crashed replica's lease running out, a Redis restart), changes are not seen one by
//! one: the next holder starts from the state the stream's entries describe, and its
//! first entries are a [`crate::events::EventKind::Resynced`] followed by the
//! difference to the meeting as the service reports it. A consumer that applies the
//! entries of a meeting in order ([`crate::events::Snapshot::apply`]) ends in the
//! service's state. Two sockets may be open for one meeting only while a replica that
//! was paused past its lease has not run again; it publishes nothing meanwhile.
//!
//! After Redis loses its data (a restart without persistence), for one lease period
//! only the replicas that held a meeting may claim it again; a holder that kept its
//! socket publishes the whole meeting again (`Resynced`, then the state from nothing),
//! since the stream and the published state went with the data.
//!
//! ```no_run
//! # async fn run(client: meeting::Client) -> Result<(), Box<dyn std::error::Error>> {
//! use std::collections::HashMap;
//! use meeting::fleet::{Fleet, FleetReport};
//! use meeting::store::RedisStore;
//!
//! let passwords: HashMap<String, secrecy::SecretString> =
//!     HashMap::from([("914083136".to_owned(), "654321".into())]);
//! let redis = RedisStore::new("redis://127.0.0.1:6379/0")?;
//! let mut fleet = Fleet::builder(client, &redis, "my-enterprise", passwords)
//!     .start()
//!     .await?;
//! while let Some(report) = fleet.next_report().await {
//!     if let FleetReport::Claimed { meeting, .. } = report {
//!         println!("watching {meeting}");
//!     }
//! #   break;
//! }
//! fleet.stop().await;
//! while let Some(report) = fleet.next_report().await {
//!     println!("{report:?}");
//! }
//! # Ok(()) }
//! ```
//!
//! New meetings without waiting for the next discovery: hand the enterprise push's
//! `meeting.started` to [`Fleet::starts`] (here from the axum receiver, feature `axum`):
//!
//! ```no_run
//! # #[cfg(feature = "axum")]
//! # fn wire(fleet: &meeting::fleet::Fleet, receiver: meeting::webhook::Receiver) -> axum::Router {
//! use meeting::webhook::PushKind;
//!
//! let starts = fleet.starts();
//! let pushes = meeting::webhook::axum::router(receiver, move |event| {
//!     let starts = starts.clone();
//!     async move {
//!         if event.kind == PushKind::MeetingStarted {
//!             starts.meeting_started(event.meeting);
//!         }
//!         Ok::<(), std::convert::Infallible>(())
//!     }
//! });
//! axum::Router::new().nest("/meeting", pushes)
//! # }
//! ```

mod entry;
mod redis;
mod watcher;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

pub use entry::StreamEntry;

use crate::Client;
use crate::store::RedisStore;

/// The lease by default: a crashed replica's meetings are taken over within it.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(5);
/// The longest lease accepted: a crashed replica's meetings would go unwatched longer.
pub const MAX_LEASE: Duration = Duration::from_secs(10 * 60);
/// Reports kept for the application to read; past that they are dropped and counted.
const REPORTS: usize = 1024;
/// Started meetings waiting for the loop; past that they are dropped (the next
/// discovery finds them).
const STARTS: usize = 4096;
/// How often a replica tries to claim meetings no one holds, by default.
pub const DEFAULT_CLAIM_INTERVAL: Duration = Duration::from_millis(250);
/// How often a replica lists the ongoing meetings, by default.
pub const DEFAULT_DISCOVER_INTERVAL: Duration = Duration::from_secs(5);
/// The stream's approximate length cap by default.
pub const DEFAULT_MAX_LEN: usize = 1_000_000;

/// Host passwords by conference ID, looked up when a meeting is claimed.
pub trait HostPasswords: Send + Sync + 'static {
    /// The host password of `meeting`, if known.
    fn host_password(&self, meeting: &str) -> Option<SecretString>;
}

impl HostPasswords for HashMap<String, SecretString> {
    fn host_password(&self, meeting: &str) -> Option<SecretString> {
        self.get(meeting).cloned()
    }
}

impl<F> HostPasswords for F
where
    F: Fn(&str) -> Option<SecretString> + Send + Sync + 'static,
{
    fn host_password(&self, meeting: &str) -> Option<SecretString> {
        self(meeting)
    }
}

/// What a replica did, for its logs (see [`Fleet::next_report`]).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FleetReport {
    /// It claimed a meeting and is opening its stream.
    Claimed {
        /// The conference ID.
        meeting: String,
        /// The lease's fencing token.
        fence: u64,
        /// Another replica watched it last and did not give it back (it died, or lost
        /// its lease).
        taken_over: bool,
    },
    /// It stopped watching a meeting.
    Released {
        /// The conference ID.
        meeting: String,
        /// Why.
        why: String,
    },
    /// It cannot watch a meeting (no host password, or a refused one); no replica
    /// tries again for a while.
    Refused {
        /// The conference ID.
        meeting: String,
        /// Why.
        why: String,
    },
}

/// What a replica counted, returned by [`Fleet::stop`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct FleetStats {
    /// Leases claimed.
    pub claimed: u64,
    /// Claimed leases whose last holder did not give them back (counted in `claimed`
    /// too).
    pub taken_over: u64,
    /// Meetings stopped because their lease could not be renewed in time.
    pub lapsed: u64,
    /// Leases Redis said were someone else's.
    pub fenced: u64,
    /// Leases set again after Redis lost them.
    pub reclaimed: u64,
    /// Meetings given back to keep the share fair.
    pub rebalanced: u64,
    /// Leases given up because their stream showed no sign of life (see the module).
    pub stalled: u64,
    /// Reports dropped because the application did not read them in time.
    pub reports_dropped: u64,
}

impl FleetStats {
    /// Counts a lease change here and in the metrics.
    pub(crate) fn count(&mut self, event: crate::telemetry::Lease) {
        use crate::telemetry::Lease;
        let count = match event {
            Lease::Claimed => &mut self.claimed,
            Lease::TakenOver => &mut self.taken_over,
            Lease::Lapsed => &mut self.lapsed,
            Lease::Fenced => &mut self.fenced,
            Lease::Reclaimed => &mut self.reclaimed,
            Lease::Rebalanced => &mut self.rebalanced,
            Lease::Stalled => &mut self.stalled,
        };
        *count += 1;
        crate::telemetry::lease(event);
    }
}

/// A fleet that cannot start.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct FleetError {
    message: String,
}

pub(crate) struct Settings {
    pub watcher: String,
    pub lease: Duration,
    pub claim_interval: Duration,
    pub discover_interval: Duration,
    pub max_len: usize,
    pub skip_for: Duration,
    pub passwords: Box<dyn HostPasswords>,
    /// The streams' heartbeat period (also their echo timeout, at most 10 s).
    pub heartbeat: Duration,
    /// The streams' reconnection backoff: first wait, cap.
    pub backoff: (Duration, Duration),
}

impl Settings {
    /// How long after a renewal was sent the lease is surely still this replica's: a
    /// fifth of it is kept for the time the answer took and for clocks that drift.
    pub fn fence_window(&self) -> Duration {
        self.lease - self.lease / 5
    }

    /// The streams' echo timeout: the heartbeat period, at most the default 10 s.
    pub fn echo_timeout(&self) -> Duration {
        self.heartbeat.min(crate::events::DEFAULT_ECHO_TIMEOUT)
    }

    /// A lease whose stream showed no sign of life for this long is not renewed: twice
    /// the heartbeat period (at least a heartbeat and its echo timeout), plus the
    /// backoff's cap, the longest a reconnecting stream waits between two attempts.
    pub fn stall_window(&self) -> Duration {
        self.heartbeat
            .saturating_mul(2)
            .max(self.heartbeat.saturating_add(self.echo_timeout()))
            .saturating_add(self.backoff.1)
    }

    /// How long an ended meeting is skipped: until discoveries that still list it
    /// are over (two discovery intervals, at least a lease), not the whole skip time,
    /// so that a meeting started again is watched again even without a push.
    pub fn ended_skip(&self) -> Duration {
        self.discover_interval
            .saturating_mul(2)
            .max(self.lease)
            .min(self.skip_for)
    }
}

/// How a replica watches (see [`Fleet::builder`]).
#[must_use = "a builder does nothing until started"]
pub struct FleetBuilder {
    client: Client,
    redis: ::redis::Client,
    prefix: String,
    enterprise: String,
    settings: Settings,
}

impl std::fmt::Debug for FleetBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FleetBuilder")
            .field("enterprise", &self.enterprise)
            .field("watcher", &self.settings.watcher)
            .field("lease", &self.settings.lease)
            .finish_non_exhaustive()
    }
}

impl FleetBuilder {
    /// This replica's name in leases and entries (default: `w` and 16 random hex
    /// digits). Names must differ between replicas.
    pub fn watcher(mut self, name: impl Into<String>) -> Self {
        self.settings.watcher = name.into();
        self
    }

    /// The lease (default 5 s; 500 ms to 10 min): renewed every third of it; a crashed
    /// replica's meetings are taken over within it and a claim interval.
    pub fn lease(mut self, lease: Duration) -> Self {
        self.settings.lease = lease;
        self
    }

    /// How often to try claiming meetings no one holds (default 250 ms): how soon a
    /// meeting released by a replica that stops is taken.
    pub fn claim_every(mut self, interval: Duration) -> Self {
        self.settings.claim_interval = interval;
        self
    }

    /// How often to list the ongoing meetings (default 5 s).
    pub fn discover_every(mut self, interval: Duration) -> Self {
        self.settings.discover_interval = interval;
        self
    }

    /// Each meeting's stream's heartbeat period (default 60 s, as
    /// [`crate::events::EventsBuilder::heartbeat`]); also its echo timeout, at most
    /// 10 s. A lease is renewed only while its stream shows signs of life (an echo, a
    /// Subscribe answer, a reconnection attempt) within twice this period and the
    /// backoff's cap (2.5 min by default): a stream that is stuck lets its meeting move
    /// to another replica.
    pub fn heartbeat(mut self, period: Duration) -> Self {
        self.settings.heartbeat = period;
        self
    }

    /// Each meeting's stream's reconnection backoff (default 100 ms doubling to 30 s,
    /// as [`crate::events::EventsBuilder::reconnect_backoff`]).
    pub fn reconnect_backoff(mut self, first: Duration, max: Duration) -> Self {
        self.settings.backoff = (first, max);
        self
    }

    /// The stream's approximate length cap (default 1,000,000 entries).
    pub fn max_len(mut self, entries: usize) -> Self {
        self.settings.max_len = entries;
        self
    }

    fn problem(&self) -> Option<String> {
        let s = &self.settings;
        if s.lease < Duration::from_millis(500) || s.lease > MAX_LEASE {
            return Some(format!(
                "the lease must be at least 500 ms and at most {} min, not {:?}",
                MAX_LEASE.as_secs() / 60,
                s.lease
            ));
        }
        if s.claim_interval.is_zero() || s.claim_interval >= s.lease / 3 {
            return Some(
                "the claim interval must be more than 0 and less than a third of the lease".into(),
            );
        }
        if s.heartbeat.is_zero() || s.heartbeat >= Duration::from_secs(180) {
            return Some(format!(
                "the heartbeat period must be more than 0 and less than the service's 180 s, not {:?}",
                s.heartbeat
            ));
        }
        if s.backoff.0.is_zero() || s.backoff.1 < s.backoff.0 {
            return Some(
                "the reconnection backoff must start above 0 and end at or above its start".into(),
            );
        }
        if s.discover_interval.is_zero() {
            return Some("the discovery interval must be more than 0".into());
        }
        if s.max_len == 0 {
            return Some("the stream must keep at least one entry".into());
        }
        for (what, name) in [("watcher", &s.watcher), ("enterprise", &self.enterprise)] {
            if name.is_empty()
                || name.len() > 128
                || !name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
            {
                return Some(format!(
                    "the {what} name must be 1 to 128 letters, digits, '-', '_' or '.', not {:?}",
                    crate::printable::printable_at_most(name, 64)
                ));
            }
        }
        None
    }

    /// Connects to Redis and starts watching.
    pub async fn start(self) -> Result<Fleet, FleetError> {
        if let Some(message) = self.problem() {
            return Err(FleetError { message });
        }
        let timeout = (self.settings.lease / 4).max(Duration::from_millis(100));
        let keys = redis::Keys::new(&self.prefix, &self.enterprise);
        let store = redis::Store::connect(self.redis, keys, timeout)
            .await
            .map_err(|e| FleetError {
                message: format!("cannot connect to Redis: {}", e.category()),
            })?;
        let (reports, report_receiver) = mpsc::channel(REPORTS);
        let (started, started_receiver) = mpsc::channel(STARTS);
        let (stop, stopped) = oneshot::channel();
        let stream = store.keys().stream();
        let contact = Arc::new(Contact::new());
        let settings_lease = self.settings.lease;
        let watcher = watcher::Watcher {
            client: self.client,
            store: Arc::new(store),
            settings: Arc::new(self.settings),
            reports,
            started: started_receiver,
            stop: stopped,
            dropped: Default::default(),
            contact: contact.clone(),
        };
        Ok(Fleet {
            health: FleetHealth {
                contact,
                lease: settings_lease,
            },
            reports: report_receiver,
            started,
            stop: Some(stop),
            task: Some(tokio::spawn(watcher.run())),
            stream,
        })
    }
}

/// One running replica of a fleet (see the [module](self)). Dropping it stops it
/// without giving its leases back (they expire); [`Fleet::stop`] gives them back.
#[derive(Debug)]
pub struct Fleet {
    health: FleetHealth,
    reports: mpsc::Receiver<FleetReport>,
    started: mpsc::Sender<String>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<FleetStats>>,
    stream: String,
}

impl Fleet {
    /// A replica of the fleet that `client`'s enterprise `enterprise` runs through
    /// `redis` (its address, TLS settings and key prefix), watching with the host
    /// passwords `passwords` gives.
    pub fn builder(
        client: Client,
        redis: &RedisStore,
        enterprise: impl Into<String>,
        passwords: impl HostPasswords,
    ) -> FleetBuilder {
        FleetBuilder {
            client,
            redis: redis.redis_client(),
            prefix: redis.key_prefix().to_owned(),
            enterprise: enterprise.into(),
            settings: Settings {
                watcher: format!("w{:016x}", rand::random::<u64>()),
                lease: DEFAULT_LEASE,
                claim_interval: DEFAULT_CLAIM_INTERVAL,
                discover_interval: DEFAULT_DISCOVER_INTERVAL,
                max_len: DEFAULT_MAX_LEN,
                skip_for: Duration::from_secs(600),
                passwords: Box::new(passwords),
                heartbeat: crate::events::DEFAULT_HEARTBEAT,
                backoff: crate::events::DEFAULT_RECONNECT_BACKOFF,
            },
        }
    }

    /// The Redis key of the enterprise's stream.
    pub fn stream_key(&self) -> &str {
        &self.stream
    }

    /// A meeting started (a `meeting.started` push, say): claimable at the next claim
    /// round instead of after the next discovery.
    pub fn meeting_started(&self, meeting: impl Into<String>) {
        let _ = self.started.try_send(meeting.into());
    }

    /// A handle to tell this replica of started meetings from elsewhere, such as a
    /// webhook handler (see the [module](self)).
    pub fn starts(&self) -> MeetingStarts {
        MeetingStarts(self.started.clone())
    }

    /// A handle that says whether this replica can do its job (for a health check);
    /// cheap to clone.
    pub fn health(&self) -> FleetHealth {
        self.health.clone()
    }

    /// The next report; `None` once the replica stopped.
    pub async fn next_report(&mut self) -> Option<FleetReport> {
        self.reports.recv().await
    }

    /// Stops cleanly: closes every socket, then gives the leases back so that other
    /// replicas take the meetings at their next claim round. The reports of what it
    /// released remain to be read with [`Fleet::next_report`].
    pub async fn stop(&mut self) -> FleetStats {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.task.take() {
            Some(task) => task.await.unwrap_or_default(),
            None => FleetStats::default(),
        }
    }
}

/// When a replica last reached Redis (claimed or renewed), shared with its task.
#[derive(Debug)]
pub(crate) struct Contact {
    origin: std::time::Instant,
    /// Milliseconds from `origin` to the last round Redis answered; `u64::MAX` once
    /// the replica stopped.
    last_ms: std::sync::atomic::AtomicU64,
}

impl Contact {
    fn new() -> Self {
        Self {
            origin: std::time::Instant::now(),
            last_ms: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// Redis answered a claim or renewal round just now.
    pub(crate) fn reached(&self) {
        // Below u64::MAX, which says the replica stopped.
        let ms = u64::try_from(self.origin.elapsed().as_millis())
            .map_or(u64::MAX - 1, |ms| ms.min(u64::MAX - 1));
        self.last_ms.store(ms, std::sync::atomic::Ordering::Relaxed);
    }

    /// The replica stopped.
    pub(crate) fn stopped(&self) {
        self.last_ms
            .store(u64::MAX, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Whether a [`Fleet`] replica can do its job ([`Fleet::health`]); cheap to clone.
#[derive(Clone, Debug)]
pub struct FleetHealth {
    contact: Arc<Contact>,
    lease: Duration,
}

impl FleetHealth {
    /// `Ok` while the replica runs and Redis answered one of its claim or renewal
    /// rounds within a lease; otherwise what is wrong. A replica that cannot reach
    /// Redis for longer than a lease has let its meetings go.
    pub fn check(&self) -> Result<(), String> {
        let last = self
            .contact
            .last_ms
            .load(std::sync::atomic::Ordering::Relaxed);
        if last == u64::MAX {
            return Err("the replica stopped".into());
        }
        let since = self
            .contact
            .origin
            .elapsed()
            .saturating_sub(Duration::from_millis(last));
        if since > self.lease {
            return Err(format!(
                "Redis has not answered a claim or renewal for {:.1} s (the lease is {:.1} s)",
                since.as_secs_f64(),
                self.lease.as_secs_f64()
            ));
        }
        Ok(())
    }
}

/// Tells a [`Fleet`] of started meetings ([`Fleet::starts`]); cheap to clone. Once the
/// replica stopped, what it is told is dropped.
#[derive(Clone, Debug)]
pub struct MeetingStarts(mpsc::Sender<String>);

impl MeetingStarts {
    /// As [`Fleet::meeting_started`].
    pub fn meeting_started(&self, meeting: impl Into<String>) {
        let _ = self.0.try_send(meeting.into());
    }
}

impl Drop for Fleet {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}
