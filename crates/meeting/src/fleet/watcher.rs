//! One watcher: a loop that discovers, claims, renews and balances, and a task per
//! claimed meeting that runs its event stream and publishes what it reads.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use futures_util::{FutureExt, StreamExt};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::{Instant, sleep};

use super::entry;
use super::redis::{Published, Store};
use super::{FleetReport, FleetStats, Settings};
use crate::events::{Event, EventKind, EventStream, ResyncCause};
use crate::{Client, ErrorKind};

/// Entries published by one script call at most.
const BATCH: usize = 256;

/// What the loop tells a meeting's task.
enum Command {
    /// Publish the whole state again: Redis lost what was published.
    Republish,
}

/// How a meeting's task ended.
enum Outcome {
    /// The meeting ended (published, state cleared).
    Ended,
    /// The host password was refused, or the meeting cannot be watched.
    Refused(String),
    /// Another watcher holds the lease now.
    Fenced,
    /// The stream failed; the meeting may be claimed again.
    Failed(String),
}

struct Held {
    token: String,
    /// Past this, without a renewal, the lease may be someone else's: stop first.
    deadline: Instant,
    commands: mpsc::UnboundedSender<Command>,
    task: JoinHandle<Outcome>,
}

impl Drop for Held {
    // A replica that goes away (dropped, its task aborted) takes its sockets with it.
    fn drop(&mut self) {
        self.task.abort();
    }
}

pub(super) struct Watcher {
    pub client: Client,
    pub store: Arc<Store>,
    pub settings: Arc<Settings>,
    pub reports: mpsc::UnboundedSender<FleetReport>,
    pub started: mpsc::UnboundedReceiver<String>,
    pub stop: tokio::sync::oneshot::Receiver<()>,
}

impl Watcher {
    pub async fn run(mut self) -> FleetStats {
        let settings = self.settings.clone();
        let mut held: HashMap<String, Held> = HashMap::new();
        let mut known: BTreeSet<String> = BTreeSet::new();
        // Meetings this watcher held when it last lost touch with Redis.
        let mut former: HashSet<String> = HashSet::new();
        let mut refused: HashSet<String> = HashSet::new();
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
                Some(id) = self.started.recv() => { known.insert(id); }
            }
            let now = Instant::now();
            // Lapsed leases first: this watcher stops before another may start.
            let lapsed: Vec<String> = held
                .iter()
                .filter(|(_, h)| h.deadline <= now)
                .map(|(id, _)| id.clone())
                .collect();
            for id in lapsed {
                if let Some(mut h) = held.remove(&id) {
                    h.task.abort();
                    let _ = (&mut h.task).await;
                    former.insert(id.clone());
                    stats.lapsed += 1;
                    self.report(FleetReport::Released {
                        meeting: id,
                        why: "the lease could not be renewed".into(),
                    });
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
                let why = match outcome {
                    Outcome::Ended => {
                        known.remove(&id);
                        let _ = self.store.skip(&id, "ended", settings.skip_for).await;
                        "the meeting ended".to_owned()
                    }
                    Outcome::Refused(why) => {
                        refused.insert(id.clone());
                        let _ = self.store.skip(&id, &why, settings.skip_for).await;
                        self.report(FleetReport::Refused {
                            meeting: id.clone(),
                            why: why.clone(),
                        });
                        why
                    }
                    Outcome::Fenced => "another watcher holds its lease".to_owned(),
                    Outcome::Failed(why) => why,
                };
                let _ = self
                    .store
                    .release(&settings.watcher, false, &[(&id, &h.token)])
                    .await;
                self.report(FleetReport::Released { meeting: id, why });
            }
            if now >= next_discovery {
                next_discovery = now + settings.discover_interval;
                match discover(&self.client).await {
                    Ok(found) => {
                        refused.retain(|id| found.contains(id));
                        known = found;
                    }
                    Err(e) => {
                        tracing::warn!(target: "meeting::fleet", "discovering ongoing meetings failed: {e}")
                    }
                }
            }
            if now >= next_renewal {
                next_renewal = now + settings.lease / 3;
                let sent = Instant::now();
                let tokens: Vec<(String, String)> = held
                    .iter()
                    .map(|(id, h)| (id.clone(), h.token.clone()))
                    .collect();
                let pairs: Vec<(&str, &str)> = tokens
                    .iter()
                    .map(|(a, b)| (a.as_str(), b.as_str()))
                    .collect();
                match self
                    .store
                    .renew(&settings.watcher, settings.lease, &pairs)
                    .await
                {
                    Ok((alive, statuses)) => {
                        members = alive;
                        former.clear();
                        for ((id, _), status) in tokens.iter().zip(statuses) {
                            let Some(h) = held.get_mut(id) else { continue };
                            match status {
                                0 => {
                                    h.task.abort();
                                    stats.fenced += 1;
                                }
                                2 => {
                                    h.deadline = sent + settings.fence_window();
                                    let _ = h.commands.send(Command::Republish);
                                    stats.reclaimed += 1;
                                }
                                _ => h.deadline = sent + settings.fence_window(),
                            }
                        }
                    }
                    Err(e) => {
                        tracing::warn!(target: "meeting::fleet", "renewing leases failed: {e}");
                        // Keep trying at the claim interval until the deadlines pass.
                        next_renewal = now + settings.claim_interval;
                    }
                }
            }
            // Balance: at most the fair share; above twice it, give the rest back.
            let fair = known.len().div_ceil(members.max(1)).max(1);
            if held.len() > 2 * fair {
                let extra: Vec<String> = held.keys().skip(fair).cloned().collect();
                for id in extra {
                    if let Some(h) = held.remove(&id) {
                        self.give_back(&id, h).await;
                        stats.rebalanced += 1;
                    }
                }
            }
            // Claims up to the fair share as Redis counts the members now, so a clean stop
            // elsewhere shows at the next round. At its share as far as it knows, the
            // watcher asks for the count alone (no candidates: each costs Redis work).
            let mut share = fair;
            if held.len() >= share && held.len() < known.len() {
                let counted = self
                    .store
                    .claim(
                        &settings.watcher,
                        settings.lease,
                        (known.len(), held.len()),
                        &[],
                    )
                    .await;
                if let Ok((alive, _)) = counted {
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
                match self
                    .store
                    .claim(
                        &settings.watcher,
                        settings.lease,
                        (known.len(), held.len()),
                        &candidates,
                    )
                    .await
                {
                    Ok((alive, claimed)) => {
                        members = alive;
                        for (index, fence) in claimed {
                            let Some((id, _)) = candidates.get(index) else {
                                continue;
                            };
                            let id = (*id).to_owned();
                            let token = format!("{}:{fence}", settings.watcher);
                            former.remove(&id);
                            stats.claimed += 1;
                            self.report(FleetReport::Claimed {
                                meeting: id.clone(),
                                fence,
                            });
                            let h = self.spawn_meeting(&id, token, Instant::now());
                            held.insert(id, h);
                        }
                    }
                    Err(e) => tracing::warn!(target: "meeting::fleet", "claiming failed: {e}"),
                }
            }
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
        if let Err(e) = self.store.release(&settings.watcher, true, &pairs).await {
            tracing::warn!(target: "meeting::fleet", "releasing leases failed: {e}");
        }
        for (id, _) in tokens {
            self.report(FleetReport::Released {
                meeting: id,
                why: "the watcher stopped".into(),
            });
        }
        stats
    }

    fn report(&self, report: FleetReport) {
        let _ = self.reports.send(report);
    }

    /// Stops watching `id` and releases its lease.
    async fn give_back(&self, id: &str, mut h: Held) {
        h.task.abort();
        let _ = (&mut h.task).await;
        let _ = self
            .store
            .release(&self.settings.watcher, false, &[(id, &h.token)])
            .await;
        self.report(FleetReport::Released {
            meeting: id.to_owned(),
            why: "rebalanced".into(),
        });
    }

    fn spawn_meeting(&self, id: &str, token: String, claimed_at: Instant) -> Held {
        let (commands, receiver) = mpsc::unbounded_channel();
        let task = tokio::spawn(watch_meeting(
            self.client.clone(),
            self.store.clone(),
            self.settings.clone(),
            id.to_owned(),
            token.clone(),
            receiver,
        ));
        Held {
            token,
            deadline: claimed_at + self.settings.fence_window(),
            commands,
            task,
        }
    }
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
    id: String,
    token: String,
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
    let mut events = match conference.events().resume_from(start).start().await {
        Ok(events) => events,
        Err(e) => {
            return match e.kind() {
                ErrorKind::Authentication
                | ErrorKind::PermissionDenied
                | ErrorKind::InvalidInput => Outcome::Refused(e.to_string()),
                ErrorKind::NotFound => Outcome::Ended,
                _ if e.code().is_some() && !e.is_retryable() => Outcome::Refused(e.to_string()),
                _ => Outcome::Failed(e.to_string()),
            };
        }
    };
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
    /// Publishes `batch`, retrying the same numbers (so never twice) while Redis fails;
    /// the watcher's loop aborts the task when the lease lapses.
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
                    return Ok(());
                }
                Ok(Published::Fenced) => return Err(Outcome::Fenced),
                Err(e) => {
                    tracing::warn!(target: "meeting::fleet", meeting = %self.id, "publishing failed, retrying: {e}");
                    sleep(wait).await;
                    wait = (wait * 2).min(Duration::from_secs(1));
                }
            }
        }
    }
}
