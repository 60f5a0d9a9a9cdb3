#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

mod calendar;
#[cfg(feature = "cli")]
pub mod cli;
mod errors;
pub mod example;
mod faults;
mod model;
mod push;
pub mod redis_server;
pub mod scripted;
mod serve;
mod service;
mod tls;
mod traffic;
mod world;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;

pub use faults::{FaultConfig, ScriptedFault};
pub use model::{
    AccountSeed, AppSeed, ConferenceSeed, ConferenceState, ConferenceView, ParticipantFlags,
    ParticipantSeed, ParticipantView, Seed, Settings, StateView, Tenancy, WebinarRoomSeed,
};
pub use world::{
    Attempt, Attendance, Broadcasting, Cell, Change, Counters, Cycle, Degradation, Delivery,
    DeliveryState, Direction, Display, DisplayMode, ENTERPRISE_ID, Grid, HostView, Interpretation,
    Interpreter, InterpreterGroup, LanguageChannel, Medium, MultiPicture, Occurrence, Picture,
    REGION_IP, REGION_URL, RecordingState, SavedLayout, Segment, Series, SocketFaults, Traffic,
};

/// Writes a throwaway certificate for `localhost` and `127.0.0.1` (`cert.pem`, with its
/// key `key.pem`) and the CA that signed it (`ca.pem`) into `dir`: for tests that serve
/// TLS on loopback (a push receiver, say). Returns the CA's PEM.
pub fn write_test_certificates(dir: &std::path::Path) -> std::io::Result<String> {
    let certificates = tls::certificates().map_err(std::io::Error::other)?;
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join("ca.pem"), &certificates.ca_pem)?;
    std::fs::write(dir.join("cert.pem"), &certificates.cert_pem)?;
    std::fs::write(dir.join("key.pem"), &certificates.key_pem)?;
    Ok(certificates.ca_pem)
}

/// How to run a simulator. Build one with [`Simulator::new`], then [`Simulator::start`].
#[derive(Clone, Debug)]
pub struct Simulator {
    addr: SocketAddr,
    tls: bool,
    config: Config,
    faults: FaultConfig,
    seed: Seed,
}

/// Token validities.
#[derive(Clone, Debug)]
pub(crate) struct Config {
    pub access_token_validity: Duration,
    pub control_token_validity: Duration,
}

impl Default for Simulator {
    fn default() -> Self {
        Self::new()
    }
}

impl Simulator {
    /// Plain HTTP on an ephemeral loopback port, access tokens valid 12 h, control
    /// tokens 30 min, no faults, nothing seeded.
    pub fn new() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            tls: false,
            config: Config {
                access_token_validity: Duration::from_secs(12 * 3600),
                control_token_validity: Duration::from_secs(30 * 60),
            },
            faults: FaultConfig::default(),
            seed: Seed::default(),
        }
    }

    /// Listens on this address (port 0 picks a free one).
    pub fn bind(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }

    /// Serves HTTPS (and still plain HTTP on the same port) with a certificate made at
    /// start-up; see [`SimHandle::ca_certificate_pem`].
    pub fn tls(mut self, on: bool) -> Self {
        self.tls = on;
        self
    }

    /// How long access tokens live.
    pub fn access_token_validity(mut self, validity: Duration) -> Self {
        self.config.access_token_validity = validity;
        self
    }

    /// How long control tokens live.
    pub fn control_token_validity(mut self, validity: Duration) -> Self {
        self.config.control_token_validity = validity;
        self
    }

    /// Injected faults.
    pub fn faults(mut self, faults: FaultConfig) -> Self {
        self.faults = faults;
        self
    }

    /// Accounts, apps and conferences to start with.
    pub fn seed(mut self, seed: Seed) -> Self {
        self.seed = seed;
        self
    }

    /// Binds and starts serving in the background of the current tokio runtime.
    pub async fn start(self) -> std::io::Result<SimHandle> {
        let tls = if self.tls {
            Some(tls::generate().map_err(std::io::Error::other)?)
        } else {
            None
        };
        let listener = TcpListener::bind(self.addr).await?;
        let addr = listener.local_addr()?;
        let scheme = if tls.is_some() { "https" } else { "http" };
        let host = if addr.ip().is_loopback() && addr.is_ipv4() {
            "127.0.0.1".to_owned()
        } else if addr.is_ipv6() {
            format!("[{}]", addr.ip())
        } else {
            addr.ip().to_string()
        };
        let base_url = format!("{scheme}://{host}:{}", addr.port());
        let (stop, stopped) = watch::channel(false);
        let shared = Arc::new(Shared {
            authority: format!("{host}:{}", addr.port()),
            stopping: stopped.clone(),
            world: Mutex::new(world::World::default()),
            clock: world::Clock::default(),
            faults: faults::Faults::new(self.faults),
            config: self.config,
            request_seq: AtomicU64::new(0),
            boot: rand::random(),
            push_client: push::client().map_err(std::io::Error::other)?,
            traffic: Mutex::new(None),
            traffic_serial: AtomicU64::new(0),
            runtime: tokio::runtime::Handle::current(),
        });
        shared.world().seed(self.seed);
        let ca_pem = tls.as_ref().map(|t| t.ca_pem.clone());
        let router = service::router(shared.clone());
        tokio::spawn(push::deliver(shared.clone()));
        let task = tokio::spawn(serve::accept_loop(
            listener,
            router,
            tls.map(|t| t.acceptor),
            stopped,
        ));
        Ok(SimHandle {
            base_url,
            addr,
            ca_pem,
            shared,
            stop,
            task: Some(task),
        })
    }
}

/// Meetings to start at once (`POST /_sim/meetings/start`).
#[derive(Clone, Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StartMeetings {
    /// The first ID; the others follow it.
    pub first_id: u64,
    /// How many (at most 10,000).
    pub count: u32,
    /// Their host password.
    pub host_password: String,
    /// Who scheduled them.
    #[serde(default)]
    pub organizer: Option<String>,
}

impl StartMeetings {
    /// The seed that starts them, and their IDs.
    fn seed(&self) -> (Seed, Vec<String>) {
        let ids: Vec<String> = (0..u64::from(self.count.min(10_000)))
            .map(|n| (self.first_id + n).to_string())
            .collect();
        let conferences = ids
            .iter()
            .map(|id| {
                let mut seed = ConferenceSeed::new(
                    id.clone(),
                    self.host_password.clone(),
                    ConferenceState::Ongoing,
                );
                seed.organizer.clone_from(&self.organizer);
                seed.participants.push(ParticipantSeed {
                    id: format!("{id:0>32}"),
                    name: Some("Host".into()),
                    professional_terminal: false,
                    host: true,
                });
                seed
            })
            .collect();
        (
            Seed {
                conferences,
                ..Seed::default()
            },
            ids,
        )
    }
}

/// State shared by every connection.
pub(crate) struct Shared {
    /// `host:port`, for the URLs the simulator answers (the control token's wsURL).
    authority: String,
    /// Turns true when the simulator stops: open WebSockets close.
    stopping: watch::Receiver<bool>,
    world: Mutex<world::World>,
    clock: world::Clock,
    faults: faults::Faults,
    config: Config,
    request_seq: AtomicU64,
    boot: u64,
    /// What the event push is sent with.
    push_client: reqwest::Client,
    /// The traffic generator running, if any.
    traffic: Mutex<Option<tokio::task::AbortHandle>>,
    /// Numbers the generated participants, across generators.
    traffic_serial: AtomicU64,
    /// The runtime the simulator serves on: its tasks start there, also when a test
    /// thread outside it asks.
    runtime: tokio::runtime::Handle,
}

impl Shared {
    fn world(&self) -> MutexGuard<'_, world::World> {
        // Handlers never leave the world half-changed across an await or a panic point,
        // so a poisoned lock still holds consistent state.
        let mut world = self.world.lock().unwrap_or_else(|p| p.into_inner());
        world.set_now(self.clock.now_ms());
        // Webinars start and end on the clock, whichever call comes next.
        world.advance_webinars();
        world
    }

    /// 32 hex digits, like the service's.
    fn next_request_id(&self) -> String {
        let n = self.request_seq.fetch_add(1, Ordering::Relaxed);
        format!("{:016x}{n:016x}", self.boot)
    }

    fn state_view(&self) -> StateView {
        let world = self.world();
        let now_ms = self.clock.now_ms();
        let (access_tokens, control_tokens) = world.live_tokens(now_ms);
        StateView {
            conferences: world.views(),
            access_tokens,
            control_tokens,
            now_ms,
        }
    }

    fn reset(&self) {
        traffic::stop(self);
        *self.world() = world::World::default();
        self.faults.clear();
    }

    fn traffic_task(&self) -> MutexGuard<'_, Option<tokio::task::AbortHandle>> {
        self.traffic.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn traffic_serial(&self) -> u64 {
        self.traffic_serial.fetch_add(1, Ordering::Relaxed)
    }
}

/// A running simulator. Dropping it stops the server; [`SimHandle::shutdown`] also
/// waits for open connections to finish.
pub struct SimHandle {
    base_url: String,
    addr: SocketAddr,
    ca_pem: Option<String>,
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl std::fmt::Debug for SimHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimHandle")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl SimHandle {
    /// The base URL, e.g. `http://127.0.0.1:41234`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// With TLS on: the PEM of the CA that signed the server certificate.
    pub fn ca_certificate_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    /// Adds (or replaces, by id) accounts, apps and conferences.
    pub fn seed(&self, seed: Seed) {
        self.shared.world().seed(seed);
    }

    /// A participant joins conference `id` (a scheduled meeting starts, as when its
    /// first participant joins); `false` if there is no such conference or it is over.
    pub fn join(&self, id: &str, participant: ParticipantSeed) -> bool {
        self.shared.world().join(id, participant).is_ok()
    }

    /// Scripts a worsening of a participant's media quality in conference `id` (see
    /// [`Degradation`]); the error says why it was refused (no such meeting, a
    /// degradation that makes no sense, or the meeting's 64 already).
    pub fn degrade(&self, id: &str, degradation: Degradation) -> Result<(), String> {
        self.shared
            .world()
            .degrade(id, degradation)
            .map_err(|refused| refused.message)
    }

    /// Someone joins conference `id` with a join random (CreateAuthRandom,
    /// CreateAnonymousAuthRandom): once, before it expires; `false` otherwise.
    pub fn join_with_random(&self, id: &str, random: &str, participant: ParticipantSeed) -> bool {
        self.shared
            .world()
            .join_with_random(id, random, participant)
            .is_ok()
    }

    /// Someone enters the waiting room of conference `id` (admitted with
    /// AllowWaitingParticipant); `false` if that meeting is not in progress or it is
    /// already in it.
    pub fn wait(&self, id: &str, participant: ParticipantSeed) -> bool {
        self.shared.world().wait(id, participant).is_ok()
    }

    /// One conference as it is now.
    pub fn conference(&self, id: &str) -> Option<ConferenceView> {
        self.shared.world().view(id)
    }

    /// Everything, as the admin API's `GET /_sim/state` shows it.
    pub fn state(&self) -> StateView {
        self.shared.state_view()
    }

    /// The changes of conferences' state so far, in order (the most recent 4,096):
    /// what an observer of the service (the event stream, webhook pushes) reports.
    pub fn changes(&self) -> Vec<Change> {
        self.shared.world().changes().to_vec()
    }

    /// What was counted so far.
    pub fn counters(&self) -> Counters {
        self.shared.world().counters().clone()
    }

    /// A participant leaves by itself; `false` if it was not in that meeting in progress.
    pub fn leave(&self, id: &str, participant: &str) -> bool {
        self.shared.world().leave(id, participant).is_ok()
    }

    /// Who is speaking in conference `id` (participant ID, volume): the event stream
    /// reports the three loudest. `false` if one is not in that meeting in progress.
    pub fn set_speakers(&self, id: &str, speakers: &[(&str, i64)]) -> bool {
        let speakers: Vec<(String, i64)> = speakers
            .iter()
            .map(|(pid, volume)| ((*pid).to_owned(), *volume))
            .collect();
        self.shared.world().set_speakers(id, &speakers).is_ok()
    }

    /// The event push's deliveries (the most recent 4,096), oldest first: each push,
    /// its attempts and their outcomes, as `GET /_sim/webhook/deliveries` lists them.
    pub fn webhook_deliveries(&self) -> Vec<Delivery> {
        self.shared.world().webhook_deliveries()
    }

    /// Open meeting-control WebSockets of conference `id`.
    pub fn open_sockets(&self, id: &str) -> usize {
        self.shared.world().open_sockets(id)
    }

    /// Open meeting-control WebSockets of every conference that has one, by ID
    /// (`GET /_sim/sockets`), read at one moment.
    pub fn all_open_sockets(&self) -> std::collections::BTreeMap<String, usize> {
        self.shared.world().all_open_sockets()
    }

    /// The changes after the first `since` made since the start (see
    /// [`SimHandle::changes`]), the number to ask from next time, and how many of
    /// those asked for were no longer kept (`GET /_sim/changes?since=N`).
    pub fn changes_since(&self, since: u64) -> (Vec<Change>, u64, u64) {
        self.shared.world().changes_since(since)
    }

    /// Starts `count` meetings in progress with the host password `host_password` and
    /// one host each, numbered from `first_id` (`POST /_sim/meetings/start`); their IDs.
    pub fn start_meetings(&self, first_id: u64, count: u32, host_password: &str) -> Vec<String> {
        let plan = StartMeetings {
            first_id,
            count,
            host_password: host_password.to_owned(),
            organizer: None,
        };
        let (seed, ids) = plan.seed();
        self.shared.world().seed(seed);
        ids
    }

    /// Generates joins, leaves and mutes at `traffic.rate` per second until
    /// [`SimHandle::stop_traffic`] or another call (`POST /_sim/traffic`). Refused (with
    /// the reason) for a rate or bound out of range.
    pub fn start_traffic(&self, traffic: Traffic) -> Result<(), String> {
        if let Some(problem) = traffic.problem() {
            return Err(problem.to_owned());
        }
        traffic::start(&self.shared, traffic);
        Ok(())
    }

    /// Stops generated traffic (`DELETE /_sim/traffic`); whether any ran.
    pub fn stop_traffic(&self) -> bool {
        traffic::stop(&self.shared)
    }

    /// Closes every meeting-control WebSocket of conference `id` (as a network failure
    /// would); how many there were.
    pub fn drop_sockets(&self, id: &str) -> usize {
        self.shared.world().drop_sockets(id)
    }

    /// Faults of conference `id`'s WebSockets: duplicated, reordered or skipped
    /// incremental frames, unanswered heartbeats.
    pub fn set_socket_faults(&self, id: &str, faults: SocketFaults) {
        self.shared.world().set_socket_faults(id, faults);
    }

    /// The faults of conference `id`'s WebSockets not yet used up.
    pub fn socket_faults(&self, id: &str) -> SocketFaults {
        self.shared.world().socket_faults(id)
    }

    /// Moves the simulator's clock forward: tokens expire as if that time had passed.
    pub fn advance_clock(&self, by: Duration) {
        self.shared.clock.advance(by);
    }

    /// The values of every access and control token issued and not evicted, and of the
    /// last WebSocket tokens, so tests can check that a client never prints one.
    pub fn issued_tokens(&self) -> Vec<String> {
        self.shared.world().issued_tokens()
    }

    /// Expires every live token now.
    pub fn expire_tokens(&self) {
        self.shared.world().expire_tokens();
    }

    /// Replaces the fault rates.
    pub fn set_faults(&self, faults: FaultConfig) {
        self.shared.faults.set_config(faults);
    }

    /// Answers the next `count` service requests with `fault` (admin requests excepted).
    pub fn fail_next(&self, count: u32, fault: ScriptedFault) {
        self.shared.faults.fail_next(count, fault);
    }

    /// Forgets everything: state, tokens, counters, faults.
    pub fn reset(&self) {
        self.shared.reset();
    }

    /// Stops accepting, lets open connections finish (up to 5 s), and returns.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}
