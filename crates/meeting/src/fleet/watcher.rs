//! One watcher: a loop that claims, renews and balances, doing nothing but Redis calls
//! bounded below the fence window, so that no slowness of the service can make a lease
//! lapse; the discovery and the chores (skips, releases) run beside it, and a task per
//! claimed meeting runs its event stream and publishes what it reads.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use futures_util::{FutureExt, StreamExt};
use tokio::sync::mpsc;
use tokio::task::{JoinHandle, JoinSet};
use tokio::time::{Instant, sleep};

use super::entry;
use super::redis::{Claim, Published, Store};
use super::{FleetReport, FleetStats, Settings};
use crate::clock::later;
use crate::events::{Event, EventKind, EventStream, NOT_IN_PROGRESS, ResyncCause, StreamHealth};
use crate::telemetry::{self, Lease};
use crate::{Client, ErrorKind};

/// Entries published by one script call at most.
const BATCH: usize = 256;

/// How many times in a row a meeting that discovery lists may be "not in progress"
/// before it counts as ended; the waits between are 1, 2, 4, … s (about a minute in
/// all).
const NOT_IN_PROGRESS_TRIES: u32 = 6;
/// The first wait after a meeting's stream failed; doubling per failure in a row.
const FAILED_FIRST_WAIT: Duration = Duration::from_secs(5);
/// The longest wait after failures in a row, and after a publisher that gave up.
const FAILED_MAX_WAIT: Duration = Duration::from_secs(300);
/// How long a meeting said to have started stays a candidate though discovery does not
/// list it (a push comes before the service lists the meeting): the "not in progress"
/// tries' time.
const STARTED_GRACE: Duration = Duration::from_secs(1 << NOT_IN_PROGRESS_TRIES);

/// What the loop tells a meeting's task.
enum Command {
    /// Publish the whole state again: Redis lost what was published.
    Republish,
}

/// How a meeting's task ended.
enum Outcome {
    /// The meeting ended (published, state cleared).
    Ended,
    /// The service says the meeting is not in progress: not yet, or not any more.
    NotInProgress,
    /// The host password was refused, or the meeting cannot be watched.
    Refused(String),
    /// Another watcher holds the lease now.
    Fenced,
    /// The stream or the publisher failed; the meeting may be claimed again later.
    Failed(String),
}

struct Held {
    token: String,
    /// When the claim was sent.
    claimed_at: Instant,
    /// Past this, without a renewal, the lease may be someone else's: stop first.
    deadline: Instant,
    /// The stream's health, once it is open.
    health: Arc<OnceLock<StreamHealth>>,
    commands: mpsc::UnboundedSender<Command>,
    task: JoinHandle<Outcome>,
}

impl Held {
    /// Whether its lease may be renewed: the task runs, and its stream (or, before
    /// it opened, the claim) showed within `window` that it works (a heartbeat echo, a
    /// Subscribe answer or a reconnection attempt each count).
    fn working(&self, window: Duration) -> bool {
        !self.task.is_finished()
            && match self.health.get() {
                Some(health) => health.alive_within(window),
                None => self.claimed_at.elapsed() <= window,
            }
    }
}

impl Drop for Held {
    // A replica that goes away (dropped, its task aborted) takes its sockets with it.
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A meeting's attempts that came to nothing, in a row.
#[derive(Default)]
struct Misses {
    not_in_progress: u32,
    failed: u32,
}

/// A discovery under way: when it was sent, and its task.
type Discovery = (Instant, JoinHandle<Result<BTreeSet<String>, crate::Error>>);

pub(super) struct Watcher {
    pub client: Client,
    pub store: Arc<Store>,
    pub settings: Arc<Settings>,
    pub reports: mpsc::Sender<FleetReport>,
    pub started: mpsc::Receiver<String>,
    pub stop: tokio::sync::oneshot::Receiver<()>,
    /// Reports the application did not read in time.
    pub dropped: AtomicU64,
    /// When Redis last answered a round, for the health check.
    pub contact: Arc<super::Contact>,
}

impl Watcher {
    pub async fn run(mut self) -> FleetStats {
        let settings = self.settings.clone();
        let mut held: HashMap<String, Held> = HashMap::new();
        let mut known: BTreeSet<String> = BTreeSet::new();
        // Meetings this watcher held when it last lost touch with Redis.
        let mut former: HashSet<String> = HashSet::new();
        let mut refused: HashSet<String> = HashSet::new();
        let mut misses: HashMap<String, Misses> = HashMap::new();
        // Meetings said to have started, and when: candidates for a while, listed or not.
        let mut started_at: HashMap<String, Instant> = HashMap::new();
        let mut discovery: Option<Discovery> = None;
        // Skips and releases: Redis calls the loop does not wait for.
        let mut chores: JoinSet<()> = JoinSet::new();
        let mut members = 1usize;
        let mut stats = FleetStats::default();
        let mut next_discovery = Instant::now();
        let mut next_renewal = Instant::now();
        let mut tick = tokio::time::interval(settings.claim_interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = &mut self.stop => break,
                _ = tick.tick() => {}
                Some(id) = self.started.recv() => {
                    // Another occurrence: what an end or "not in progress" left is cleared.
                    misses.remove(&id);
                    let store = self.store.clone();
                    let meeting = id.clone();
                    chores.spawn(async move {
                        if let Err(e) = store.unskip_ended(&meeting).await {
                            tracing::warn!(target: "meeting::fleet", meeting, "clearing an ended meeting's skip failed: {e}");
                        }
                    });
                    started_at.insert(id.clone(), Instant::now());
                    known.insert(id);
                }
            }
            while chores.try_join_next().is_some() {}
            let now = Instant::now();
            // Lapsed leases first: this watcher stops before another may start.
            let lapsed: Vec<String> = held
                .iter()
                .filter(|(_, h)| h.deadline <= now)
                .map(|(id, _)| id.clone())
                .collect();
            for id in lapsed {
                if let Some(h) = held.remove(&id) {
                    former.insert(id.clone());
                    stats.count(Lease::Lapsed);
                    let why = "the lease could not be renewed".to_owned();
                    self.let_go(&mut chores, id, h, why).await;
                }
            }
            // Finished tasks.
            let finished: Vec<String> = held
                .iter()
                .filter(|(_, h)| h.task.is_finished())
                .map(|(id, _)| id.clone())
                .collect();
            for id in finished {
                let Some(mut h) = held.remove(&id) else {
                    continue;
                };
                let outcome = (&mut h.task)
                    .await
                    .unwrap_or(Outcome::Failed("the task panicked".into()));
                let ended_for = settings.ended_skip();
                let (why, skip) = match outcome {
                    Outcome::Ended => {
                        known.remove(&id);
                        misses.remove(&id);
                        started_at.remove(&id);
                        (
                            "the meeting ended".to_owned(),
                            Some(("ended".to_owned(), ended_for)),
                        )
                    }
                    Outcome::NotInProgress => {
                        let tries = &mut misses.entry(id.clone()).or_default().not_in_progress;
                        *tries += 1;
                        if *tries >= NOT_IN_PROGRESS_TRIES {
                            known.remove(&id);
                            misses.remove(&id);
                            started_at.remove(&id);
                            (
                                format!(
                                    "the service said {NOT_IN_PROGRESS_TRIES} times that it is not in progress: taken as ended"
                                ),
                                Some(("ended".to_owned(), ended_for)),
                            )
                        } else {
                            let wait = Duration::from_secs(1 << (*tries - 1));
                            (
                                format!(
                                    "the service says it is not in progress yet (try {tries} of {NOT_IN_PROGRESS_TRIES}): again in {wait:?}"
                                ),
                                Some((format!("not in progress (try {tries})"), wait)),
                            )
                        }
                    }
                    Outcome::Refused(why) => {
                        refused.insert(id.clone());
                        self.report(FleetReport::Refused {
                            meeting: id.clone(),
                            why: why.clone(),
                        });
                        (why.clone(), Some((why, settings.skip_for)))
                    }
                    Outcome::Fenced => ("another watcher holds its lease".to_owned(), None),
                    Outcome::Failed(why) => {
                        let failed = &mut misses.entry(id.clone()).or_default().failed;
                        // A stream that ran for a while starts a new count.
                        if h.claimed_at.elapsed() >= FAILED_MAX_WAIT {
                            *failed = 0;
                        }
                        *failed += 1;
                        let wait = FAILED_FIRST_WAIT
                            .saturating_mul(1 << (*failed - 1).min(10))
                            .min(FAILED_MAX_WAIT);
                        (
                            format!("{why} (no replica claims it for {wait:?})"),
                            Some((format!("failed: {why}"), wait)),
                        )
                    }
                };
                self.chore(&mut chores, &id, &h.token, skip);
                self.report(FleetReport::Released { meeting: id, why });
            }
            // Discovery runs beside the loop: however slow the service, leases renew.
            if discovery
                .as_ref()
                .is_some_and(|(_, task)| task.is_finished())
                && let Some((sent, task)) = discovery.take()
            {
                match task.await {
                    Ok(Ok(mut found)) => {
                        refused.retain(|id| found.contains(id));
                        // Started since the discovery was sent, or recently enough that
                        // the service may not list it yet.
                        started_at.retain(|_, at| *at >= sent || at.elapsed() < STARTED_GRACE);
                        found.extend(started_at.keys().cloned());
                        misses.retain(|id, _| found.contains(id));
                        known = found;
                    }
                    Ok(Err(e)) => {
                        tracing::warn!(target: "meeting::fleet", "discovering ongoing meetings failed: {e}")
                    }
                    Err(_) => {
                        tracing::warn!(target: "meeting::fleet", "discovering ongoing meetings failed: its task stopped")
                    }
                }
                next_discovery = later(Instant::now(), settings.discover_interval);
            }
            if discovery.is_none() && now >= next_discovery {
                let client = self.client.clone();
                discovery = Some((now, tokio::spawn(async move { discover(&client).await })));
            }
            if now >= next_renewal {
                next_renewal = later(now, settings.lease / 3);
                // A lease whose task stopped working is given up, so that its meeting
                // moves to a replica whose stream works.
                let window = settings.stall_window();
                let stalled: Vec<String> = held
                    .iter()
                    .filter(|(_, h)| !h.working(window))
                    .map(|(id, _)| id.clone())
                    .collect();
                for id in stalled {
                    if let Some(h) = held.remove(&id) {
                        stats.count(Lease::Stalled);
                        let why = format!("its event stream showed no sign of life for {window:?}");
                        self.let_go(&mut chores, id, h, why).await;
                    }
                }
                let sent = Instant::now();
                let tokens: Vec<(String, String)> = held
                    .iter()
                    .map(|(id, h)| (id.clone(), h.token.clone()))
                    .collect();
                let pairs: Vec<(&str, &str)> = tokens
                    .iter()
                    .map(|(a, b)| (a.as_str(), b.as_str()))
                    .collect();
                let renewed = tokio::time::timeout_at(
                    self.redis_deadline(&held),
                    self.store.renew(&settings.watcher, settings.lease, &pairs),
                )
                .await
                .unwrap_or_else(|_| Err(timed_out()));
                match renewed {
                    Ok((alive, statuses)) => {
                        self.contact.reached();
                        members = alive;
                        former.clear();
                        for ((id, _), status) in tokens.iter().zip(statuses) {
                            let Some(h) = held.get_mut(id) else { continue };
                            match status {
                                0 => {
                                    h.task.abort();
                                    stats.count(Lease::Fenced);
                                }
                                2 => {
                                    h.deadline = later(sent, settings.fence_window());
                                    let _ = h.commands.send(Command::Republish);
                                    stats.count(Lease::Reclaimed);
                                }
                                _ => h.deadline = later(sent, settings.fence_window()),
                            }
                        }
                    }
                    Err(e) => {
                        tracing::warn!(target: "meeting::fleet", "renewing leases failed: {e}");
                        // Keep trying at the claim interval until the deadlines pass.
                        next_renewal = later(now, settings.claim_interval);
                    }
                }
            }
            // Balance: at most the fair share; above twice it, give the rest back.
            let fair = known.len().div_ceil(members.max(1)).max(1);
            if held.len() > 2 * fair {
                let extra: Vec<String> = held.keys().skip(fair).cloned().collect();
                for id in extra {
                    if let Some(h) = held.remove(&id) {
                        stats.count(Lease::Rebalanced);
                        self.let_go(&mut chores, id, h, "rebalanced".into()).await;
                    }
                }
            }
            // Claims up to the fair share as Redis counts the members now, so a clean stop
            // elsewhere shows at the next round. At its share as far as it knows, the
            // watcher asks for the count alone (no candidates: each costs Redis work).
            let mut share = fair;
            if held.len() >= share && held.len() < known.len() {
                let counted = tokio::time::timeout_at(
                    self.redis_deadline(&held),
                    self.store.claim(
                        &settings.watcher,
                        settings.lease,
                        (known.len(), held.len()),
                        &[],
                    ),
                )
                .await;
                if let Ok(Ok((alive, _))) = counted {
                    members = alive;
                    share = known.len().div_ceil(alive).max(1);
                }
            }
            let mut candidates: Vec<(&str, bool)> = known
                .iter()
                .filter(|id| !held.contains_key(*id) && !refused.contains(*id))
                .map(|id| (id.as_str(), former.contains(id)))
                .collect();
            if held.len() < share && !candidates.is_empty() {
                // Former holdings first; the others in an order of this watcher's own.
                candidates.sort_by_key(|(id, own)| (!own, spread(&settings.watcher, id)));
                // The lease runs in Redis from before the claim was sent.
                let sent = Instant::now();
                let claimed = tokio::time::timeout_at(
                    self.redis_deadline(&held),
                    self.store.claim(
                        &settings.watcher,
                        settings.lease,
                        (known.len(), held.len()),
                        &candidates,
                    ),
                )
                .await
                .unwrap_or_else(|_| Err(timed_out()));
                match claimed {
                    Ok((alive, claimed)) => {
                        self.contact.reached();
                        members = alive;
                        for Claim {
                            index,
                            fence,
                            taken_over,
                        } in claimed
                        {
                            let Some((id, _)) = candidates.get(index) else {
                                continue;
                            };
                            let id = (*id).to_owned();
                            let token = format!("{}:{fence}", settings.watcher);
                            former.remove(&id);
                            stats.count(Lease::Claimed);
                            if taken_over {
                                stats.count(Lease::TakenOver);
                            }
                            self.report(FleetReport::Claimed {
                                meeting: id.clone(),
                                fence,
                                taken_over,
                            });
                            let h = self.spawn_meeting(&id, token, sent);
                            held.insert(id, h);
                        }
                    }
                    Err(e) => tracing::warn!(target: "meeting::fleet", "claiming failed: {e}"),
                }
            }
            telemetry::leases_held(held.len());
        }
        telemetry::leases_held(0);
        self.contact.stopped();
        if let Some((_, task)) = discovery {
            task.abort();
        }
        // A clean stop: sockets closed first, then the leases given back at once.
        let mut tokens = Vec::new();
        for (id, mut h) in held.drain() {
            h.task.abort();
            let _ = (&mut h.task).await;
            tokens.push((id, h.token.clone()));
        }
        let pairs: Vec<(&str, &str)> = tokens
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let released = tokio::time::timeout(
            settings.lease,
            self.store.release(&settings.watcher, true, &pairs),
        )
        .await
        .unwrap_or_else(|_| Err(timed_out()));
        if let Err(e) = released {
            tracing::warn!(target: "meeting::fleet", "releasing leases failed: {e}");
        }
        // Chores under way finish, within a lease.
        let _ = tokio::time::timeout(settings.lease, async {
            while chores.join_next().await.is_some() {}
        })
        .await;
        for (id, _) in tokens {
            self.report(FleetReport::Released {
                meeting: id,
                why: "the watcher stopped".into(),
            });
        }
        stats.reports_dropped = self.dropped.load(Ordering::Relaxed);
        stats
    }

    /// Reports to the application; a report it does not read in time is dropped (and
    /// counted) rather than kept: the channel is bounded.
    fn report(&self, report: FleetReport) {
        if self.reports.try_send(report).is_err() {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Stops watching `id` (its socket closes), gives its lease back beside the loop
    /// (should it still be this watcher's), and says why.
    async fn let_go(&self, chores: &mut JoinSet<()>, id: String, mut h: Held, why: String) {
        h.task.abort();
        let _ = (&mut h.task).await;
        self.chore(chores, &id, &h.token, None);
        self.report(FleetReport::Released { meeting: id, why });
    }

    /// Marks `id` skipped (with a reason, for a while) if asked, then releases its
    /// lease: beside the loop, in that order, so that no replica claims it between.
    fn chore(
        &self,
        chores: &mut JoinSet<()>,
        id: &str,
        token: &str,
        skip: Option<(String, Duration)>,
    ) {
        let store = self.store.clone();
        let watcher = self.settings.watcher.clone();
        let (id, token) = (id.to_owned(), token.to_owned());
        chores.spawn(async move {
            if let Some((reason, ttl)) = skip
                && let Err(e) = store.skip(&id, &reason, ttl).await
            {
                tracing::warn!(target: "meeting::fleet", meeting = id, "marking a meeting skipped failed: {e}");
            }
            if let Err(e) = store.release(&watcher, false, &[(&id, &token)]).await {
                tracing::warn!(target: "meeting::fleet", meeting = id, "releasing a lease failed: {e}");
            }
        });
    }

    /// When a Redis call of the loop is given up: within a quarter of the lease, and
    /// before the first deadline of the leases held (whose lapse the loop must see).
    fn redis_deadline(&self, held: &HashMap<String, Held>) -> Instant {
        let own = later(Instant::now(), self.settings.lease / 4);
        held.values().map(|h| h.deadline).fold(own, Instant::min)
    }

    fn spawn_meeting(&self, id: &str, token: String, claimed_at: Instant) -> Held {
        let (commands, receiver) = mpsc::unbounded_channel();
        let health = Arc::new(OnceLock::new());
        let task = tokio::spawn(watch_meeting(
            self.client.clone(),
            self.store.clone(),
            self.settings.clone(),
            (id.to_owned(), token.clone()),
            health.clone(),
            receiver,
        ));
        Held {
            token,
            claimed_at,
            deadline: later(claimed_at, self.settings.fence_window()),
            health,
            commands,
            task,
        }
    }
}

/// A Redis call given up by the loop.
fn timed_out() -> ::redis::RedisError {
    ::redis::RedisError::from((
        ::redis::ErrorKind::Io,
        "no answer within the fleet's time limit",
    ))
}

/// A stable order per watcher, so that watchers claiming at once mostly try different
/// meetings first.
fn spread(watcher: &str, meeting: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (watcher, meeting).hash(&mut h);
    h.finish()
}

/// Every ongoing meeting of the enterprise, all pages.
async fn discover(client: &Client) -> Result<BTreeSet<String>, crate::Error> {
    let meetings = client
        .ongoing_meetings()
        .all_users()
        .list()?
        .collect_all()
        .await?;
    Ok(meetings.into_iter().map(|m| m.id).collect())
}

/// Watches one claimed meeting until it ends, the lease is lost, or the task is
/// aborted (which drops the stream: its socket closes).
async fn watch_meeting(
    client: Client,
    store: Arc<Store>,
    settings: Arc<Settings>,
    (id, token): (String, String),
    health: Arc<OnceLock<StreamHealth>>,
    mut commands: mpsc::UnboundedReceiver<Command>,
) -> Outcome {
    let Some(password) = settings.passwords.host_password(&id) else {
        return Outcome::Refused("no host password for it".into());
    };
    let start = match store.state(&id).await {
        Ok(fields) => entry::snapshot(fields),
        Err(e) => return Outcome::Failed(format!("reading its published state failed: {e}")),
    };
    let conference = client
        .conference(id.clone())
        .with_host_password(secrecy::ExposeSecret::expose_secret(&password));
    let (first, cap) = settings.backoff;
    let started = conference
        .events()
        .heartbeat(settings.heartbeat)
        .echo_timeout(settings.echo_timeout())
        .reconnect_backoff(first, cap)
        .resume_from(start)
        .start()
        .await;
    let mut events = match started {
        Ok(events) => events,
        Err(e) => {
            return match e.kind() {
                _ if e.code() == Some(NOT_IN_PROGRESS) => Outcome::NotInProgress,
                ErrorKind::Authentication
                | ErrorKind::PermissionDenied
                | ErrorKind::InvalidInput => Outcome::Refused(e.to_string()),
                ErrorKind::NotFound => Outcome::Ended,
                _ if e.code().is_some() && !e.is_retryable() => Outcome::Refused(e.to_string()),
                _ => Outcome::Failed(e.to_string()),
            };
        }
    };
    let _ = health.set(events.health());
    let mut publisher = Publisher {
        store,
        settings,
        id,
        token,
        next_seq: 1,
    };
    let mut batch: Vec<Event> = Vec::new();
    loop {
        tokio::select! {
            command = commands.recv() => match command {
                Some(Command::Republish) => batch.extend(whole_state(&events)),
                None => return Outcome::Failed("the watcher stopped".into()),
            },
            next = events.next() => match next {
                Some(Ok(event)) => {
                    batch.push(event);
                    while batch.len() < BATCH {
                        match events.next().now_or_never() {
                            Some(Some(Ok(event))) => batch.push(event),
                            _ => break,
                        }
                    }
                }
                Some(Err(e)) => return Outcome::Failed(e.to_string()),
                None => return Outcome::Ended,
            },
        }
        let ended = batch.iter().any(|e| e.kind == EventKind::Ended);
        let connection = format!("{}/{}", publisher.token, events.stats().reconnects);
        match publisher.publish(&batch, &connection).await {
            Ok(()) => batch.clear(),
            Err(outcome) => return outcome,
        }
        if ended {
            return Outcome::Ended;
        }
    }
}

/// The whole meeting as events from nothing, after a `Resynced`: for a Redis that lost
/// the stream and the published state.
fn whole_state(events: &EventStream) -> Vec<Event> {
    let mut kinds = vec![EventKind::Resynced {
        cause: ResyncCause::Resumed,
    }];
    crate::events::Snapshot::default().changes_to(events.snapshot(), &mut kinds);
    kinds
        .into_iter()
        .map(|kind| Event {
            meeting: events.meeting().to_owned(),
            version: None,
            kind,
        })
        .collect()
}

struct Publisher {
    store: Arc<Store>,
    settings: Arc<Settings>,
    id: String,
    token: String,
    next_seq: u64,
}

impl Publisher {
    /// Publishes `batch`, retrying the same numbers (so never twice) while Redis fails,
    /// for at most the fence window: a publisher that cannot publish (an entry Redis
    /// refuses, a stream key of another type) gives the meeting up rather than hold it
    /// with nothing published.
    async fn publish(&mut self, batch: &[Event], connection: &str) -> Result<(), Outcome> {
        let mut entries = Vec::with_capacity(batch.len());
        for event in batch {
            match entry::entry(event, connection) {
                Ok(e) => entries.push(e),
                Err(e) => {
                    tracing::warn!(target: "meeting::fleet", "an event could not be serialized: {e}")
                }
            }
        }
        // Read from the stream just before: the lag from reading to publishing.
        let first_failure = Instant::now();
        let mut wait = Duration::from_millis(20);
        loop {
            match self
                .store
                .publish(
                    &self.id,
                    &self.token,
                    self.next_seq,
                    self.settings.max_len,
                    &entries,
                )
                .await
            {
                Ok(Published::Added(_)) => {
                    self.next_seq += entries.len() as u64;
                    telemetry::published(entries.len(), first_failure.elapsed());
                    return Ok(());
                }
                Ok(Published::Fenced) => return Err(Outcome::Fenced),
                Err(e) if first_failure.elapsed() >= self.settings.fence_window() => {
                    telemetry::publish_abandoned(entries.len());
                    return Err(Outcome::Failed(format!(
                        "publishing failed for {:.1} s: {e}",
                        first_failure.elapsed().as_secs_f64()
                    )));
                }
                Err(e) => {
                    tracing::warn!(target: "meeting::fleet", meeting = %self.id, "publishing failed, retrying: {e}");
                    sleep(wait).await;
                    wait = (wait * 2).min(Duration::from_secs(1));
                }
            }
        }
    }
}
