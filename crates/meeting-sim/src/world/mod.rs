//! The simulator's mutable state: accounts, apps, conferences, tokens, counters, clock.
//! Every change of state, and every counter it moves, happens in a `World` method that
//! either applies the whole change or refuses with the service's error and changes
//! nothing; the HTTP handlers only read requests and write answers. The methods are
//! split by the spec's families (`meeting_api::operations::FAMILIES`), one module each
//! as in `service` (a test holds both to the list), beside the event sockets and the
//! traffic.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use meeting_api::types::{ConferenceInfo, PasswordEntry};
use serde::{Deserialize, Serialize};

// The families (the spec's tags), then the rest: the event sockets and the traffic.
mod archive;
mod auth;
mod control;
mod display;
mod history;
mod interpretation;
mod management;
mod participants;
mod quality;
mod recording;
mod roles;
mod search;
mod spotlight;
mod waiting;
mod webhook;
mod webinar;

mod sockets;
mod traffic;

pub use archive::Segment;
pub use display::{Cell, Display, DisplayMode, Grid, HostView, MultiPicture, Picture, SavedLayout};
pub use history::Attendance;
pub use interpretation::{Interpretation, Interpreter, InterpreterGroup, LanguageChannel};
pub use management::resources::ENTERPRISE_ID;
pub use management::series::{Cycle, Occurrence, Series};
pub use management::{REGION_IP, REGION_URL};
pub(crate) use quality::{Bucket, ThresholdKind, buckets};
pub use quality::{Degradation, Direction, Medium};
pub use recording::{Broadcasting, RecordingState};
pub(crate) use search::{MeetingQuery, Page};
pub use sockets::SocketFaults;
pub(crate) use sockets::{NOTIFY_TYPES, Opened, Outgoing};
pub(crate) use spotlight::Spotlight;
pub use traffic::Traffic;
pub(crate) use webhook::ENABLED as WEBHOOK_ENABLED;
pub use webhook::{Attempt, Delivery, DeliveryState};
#[cfg(feature = "uploads")]
pub use webinar::{ImageKind, MAX_IMAGE_BYTES};

use crate::errors::ApiError;
use crate::model::{
    AccountSeed, AppSeed, ConferenceSeed, ConferenceState, ConferenceView, ParticipantView, Seed,
    Settings,
};

/// Live access tokens one subject may hold with clientType 72 (Huawei documents 64); a 65th
/// login evicts the oldest.
const TOKENS_PER_SUBJECT: usize = 64;

/// How many changes [`World::changes`] keeps.
const MAX_CHANGES_KEPT: usize = 4096;

/// The length of a seeded meeting, in minutes.
const DEFAULT_LENGTH_MINUTES: u32 = 60;
/// What ProlongMeeting adds when the request names no duration (the documented default).
const DEFAULT_PROLONG_MINUTES: u32 = 15;

/// Wall clock plus an offset that tests move forward ([`crate::SimHandle::advance_clock`]),
/// so token expiry and the WebSocket's heartbeat limit can be crossed without sleeping.
#[derive(Debug)]
pub struct Clock {
    offset_ms: AtomicI64,
    /// Bumped at each move, so that whoever waits on the clock looks again.
    moved: tokio::sync::watch::Sender<u64>,
}

impl Default for Clock {
    fn default() -> Self {
        Self {
            offset_ms: AtomicI64::new(0),
            moved: tokio::sync::watch::Sender::new(0),
        }
    }
}

impl Clock {
    /// Milliseconds since the epoch, as the simulator sees them.
    pub fn now_ms(&self) -> i64 {
        let wall = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        wall + self.offset_ms.load(Ordering::Relaxed)
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        let ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX / 4);
        self.offset_ms.fetch_add(ms, Ordering::Relaxed);
        self.moved.send_modify(|moves| *moves += 1);
    }

    /// Changes each time the clock is moved.
    pub fn watch(&self) -> tokio::sync::watch::Receiver<u64> {
        self.moved.subscribe()
    }
}

/// What the simulator counted since it started (or was reset).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Counters {
    /// Requests per operation (`LockMeeting`, …; `admin` and `unknown` for the rest).
    pub requests: BTreeMap<String, u64>,
    /// Successful account/password logins.
    pub account_logins: u64,
    /// Successful App ID logins.
    pub app_logins: u64,
    /// Control tokens granted with the host password.
    pub control_token_grants: u64,
    /// Control tokens kept alive with `X-Conference-Authorization`.
    pub control_token_keepalives: u64,
    /// Error answers per error code (injected faults included).
    pub errors: BTreeMap<String, u64>,
    /// Injected faults per kind (`500`, `502`, `503`, `429`, `drop`, `expire`, and
    /// `flood` per frame of a socket flood).
    pub faults: BTreeMap<String, u64>,
    /// Changes of conferences' state (each lock, join, mute, … that changed something).
    #[serde(default)]
    pub changes: u64,
}

impl Counters {
    /// Logins of either kind.
    pub fn logins(&self) -> u64 {
        self.account_logins + self.app_logins
    }

    /// Requests counted for one operation.
    pub fn requests_for(&self, operation: &str) -> u64 {
        self.requests.get(operation).copied().unwrap_or(0)
    }
}

/// Who an access token was granted to.
#[derive(Clone, Debug)]
pub struct Grant {
    pub subject: String,
    pub admin: bool,
    pub expires_ms: i64,
}

/// A control token: which conference, until when.
#[derive(Clone, Debug)]
pub struct ControlGrant {
    pub conference: String,
    pub expires_ms: i64,
}

#[derive(Clone, Debug)]
pub struct Participant {
    pub seed: crate::model::ParticipantSeed,
    pub view_locked_to: Option<String>,
    /// Whom it watches (SetParticipantView).
    pub watching: Option<String>,
    pub phone: Option<String>,
    pub muted: bool,
    /// Roles, hand, spotlight, sharing, camera, local recording.
    pub flags: crate::model::ParticipantFlags,
    /// When it joined, in ms since the epoch (the simulator's clock).
    pub joined_ms: i64,
}

impl Participant {
    fn new(seed: crate::model::ParticipantSeed, joined_ms: i64) -> Self {
        Self {
            seed,
            view_locked_to: None,
            watching: None,
            phone: None,
            muted: false,
            flags: Default::default(),
            joined_ms,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Conference {
    pub id: String,
    /// Its UUID (`confUUID`): history and recordings name a meeting by it.
    pub uuid: String,
    pub host_password: String,
    pub state: ConferenceState,
    pub organizer: Option<String>,
    pub locked: bool,
    pub settings: Settings,
    pub participants: Vec<Participant>,
    pub length_minutes: u32,
    pub auto_prolong: bool,
    /// What CreateMeeting was told (seeded meetings have none of it).
    pub subject: Option<String>,
    pub start_minutes: Option<i64>,
    pub media_types: Option<String>,
    pub guest_password: Option<String>,
    /// Whether MuteMeeting muted everyone (and has not unmuted them).
    pub all_muted: bool,
    /// Who is speaking (participant ID, volume), loudest first, as the admin API set it.
    pub speakers: Vec<(String, i64)>,
    /// When it started (or was seeded), in ms since the epoch.
    pub started_ms: i64,
    /// Whether the audience may join (AllowAudienceJoin).
    pub allow_audience: bool,
    /// Who waits to be admitted, in the order they came.
    pub waiting: Vec<waiting::Waiting>,
    /// Recording, live stream, pause.
    pub broadcasting: Broadcasting,
    /// Views, display mode, multi-picture, saved layouts.
    pub display: Display,
    /// Interpreter groups, language channels.
    pub interpretation: Interpretation,
    /// Every stay of every participant (history's attendance).
    pub attendance: Vec<history::Attendance>,
    /// Every control action taken, the latest `history::MAX_CONTROL_RECORDS`.
    pub control_records: VecDeque<history::ControlRecord>,
    /// What its recordings recorded (until DeleteRecordings).
    pub recordings: Vec<Segment>,
    /// A recurring meeting's rule and occurrences.
    pub series: Option<Series>,
    /// Scripted worsenings of its participants' media quality.
    pub degradations: Vec<Degradation>,
    /// Who shared a screen when (the latest `quality::MAX_SHARING_SPELLS`).
    pub sharing: VecDeque<quality::Sharing>,
}

impl Conference {
    pub fn view(&self) -> ConferenceView {
        ConferenceView {
            id: self.id.clone(),
            state: self.state,
            locked: self.locked,
            settings: self.settings.clone(),
            participants: self
                .participants
                .iter()
                .map(|p| ParticipantView {
                    id: p.seed.id.clone(),
                    name: p.seed.name.clone(),
                    professional_terminal: p.seed.professional_terminal,
                    view_locked_to: p.view_locked_to.clone(),
                    watching: p.watching.clone(),
                    phone: p.phone.clone(),
                    host: p.seed.host,
                    muted: p.muted,
                    flags: p.flags.clone(),
                })
                .collect(),
            length_minutes: self.length_minutes,
            auto_prolong: self.auto_prolong,
            subject: self.subject.clone(),
            allow_audience: self.allow_audience,
            waiting: self.waiting.iter().map(|w| w.seed.id.clone()).collect(),
            broadcasting: self.broadcasting.clone(),
            display: self.display.clone(),
            interpretation: self.interpretation.clone(),
            attendance: self.attendance.clone(),
            recordings: self.recordings.clone(),
            series: self.series.clone(),
            degradations: self.degradations.clone(),
        }
    }

    /// The service's view of it; the passwords only for `with_passwords`.
    fn info(&self, with_passwords: bool) -> ConferenceInfo {
        let state = match self.state {
            ConferenceState::Scheduled => "Schedule",
            ConferenceState::Ongoing => "Created",
            ConferenceState::Ended | ConferenceState::Cancelled => "Destroyed",
        };
        let mut passwords = vec![PasswordEntry {
            conference_role: Some("chair".into()),
            password: Some(self.host_password.clone()),
        }];
        passwords.extend(self.guest_password.as_ref().map(|p| PasswordEntry {
            conference_role: Some("general".into()),
            password: Some(p.clone()),
        }));
        ConferenceInfo {
            conference_id: self.id.clone(),
            subject: self.subject.clone(),
            start_time: self.start_minutes.map(crate::calendar::format),
            end_time: self
                .start_minutes
                .map(|start| crate::calendar::format(start + i64::from(self.length_minutes))),
            media_types: self.media_types.clone(),
            conference_state: Some(state.to_owned()),
            access_number: Some("+991117".to_owned()),
            chair_join_uri: Some(format!("https://127.0.0.1/j/{}?role=chair", self.id)),
            guest_join_uri: Some(format!("https://127.0.0.1/j/{}", self.id)),
            scheduser_name: self.organizer.clone(),
            user_uuid: self.organizer.clone(),
            conf_uuid: Some(self.uuid.clone()),
            cycle_params: self.series.as_ref().map(Series::params),
            sub_confs: self
                .series
                .as_ref()
                .map(|s| s.sub_confs(&self.id, self.length_minutes, self.media_types.as_deref()))
                .unwrap_or_default(),
            support_simultaneous_interpretation: Some(self.interpretation.offered),
            password_entry: if with_passwords {
                passwords
            } else {
                Vec::new()
            },
        }
    }

    /// Whether `by` may cancel or see this meeting: its organizer or an administrator.
    fn managed_by(&self, by: &Grant) -> bool {
        by.admin || self.organizer.as_ref().is_none_or(|o| *o == by.subject)
    }

    pub fn participant_mut(&mut self, id: &str) -> Option<&mut Participant> {
        self.participants.iter_mut().find(|p| p.seed.id == id)
    }
}

impl From<ConferenceSeed> for Conference {
    fn from(seed: ConferenceSeed) -> Self {
        Self {
            id: seed.id,
            uuid: hex::encode(rand::random::<[u8; 16]>()),
            host_password: seed.host_password,
            state: seed.state,
            organizer: seed.organizer,
            locked: false,
            settings: Settings::default(),
            participants: seed
                .participants
                .into_iter()
                .map(|p| Participant::new(p, 0))
                .collect(),
            length_minutes: DEFAULT_LENGTH_MINUTES,
            auto_prolong: false,
            subject: None,
            start_minutes: None,
            media_types: None,
            guest_password: None,
            all_muted: false,
            speakers: Vec::new(),
            started_ms: 0,
            allow_audience: false,
            waiting: Vec::new(),
            broadcasting: Broadcasting::default(),
            display: Display::default(),
            interpretation: Interpretation {
                offered: seed.simultaneous_interpretation,
                ..Interpretation::default()
            },
            attendance: Vec::new(),
            control_records: VecDeque::new(),
            recordings: Vec::new(),
            series: None,
            degradations: Vec::new(),
            sharing: VecDeque::new(),
        }
    }
}

/// What changed in a conference. Every change of a conference's state passes one place
/// in the simulator, where an observer (the event stream, the webhook pushes) hooks
/// in; [`crate::SimHandle::changes`] lists them. Serialized (the admin API's
/// `/_sim/changes`) as `{"participant": {"conference": "…", "participant": "…"}}`,
/// `{"meeting": "…"}` and so on.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// The conference's state, lock or settings changed.
    Meeting(String),
    /// A participant joined, changed, or was called.
    Participant {
        /// The conference ID.
        conference: String,
        /// The participant ID.
        participant: String,
    },
    /// A participant left or was hung up.
    Left {
        /// The conference ID.
        conference: String,
        /// The participant ID.
        participant: String,
    },
    /// The conference was scheduled.
    Scheduled(String),
    /// A scheduled conference (or series) was edited.
    Modified(String),
    /// The conference ended or was cancelled.
    Ended(String),
    /// Who is speaking changed.
    Speakers(String),
    /// Someone entered or left the waiting room.
    Waiting {
        /// The conference ID.
        conference: String,
        /// The participant ID.
        participant: String,
    },
    /// A number was called into the conference.
    Invited {
        /// The conference ID.
        conference: String,
        /// The number called.
        number: String,
    },
}

impl Change {
    /// For a participant's change: the conference, the participant, and whether they
    /// left.
    pub fn participant(&self) -> Option<(&str, &str, bool)> {
        match self {
            Change::Participant {
                conference,
                participant,
            } => Some((conference, participant, false)),
            Change::Left {
                conference,
                participant,
            } => Some((conference, participant, true)),
            _ => None,
        }
    }

    /// The conference it is about.
    pub fn conference(&self) -> &str {
        match self {
            Self::Meeting(id)
            | Self::Scheduled(id)
            | Self::Modified(id)
            | Self::Ended(id)
            | Self::Speakers(id) => id,
            Self::Participant { conference, .. }
            | Self::Left { conference, .. }
            | Self::Waiting { conference, .. }
            | Self::Invited { conference, .. } => conference,
        }
    }
}

/// Everything that changes, behind one lock. Every field is private: each change and
/// each counter it moves is a method.
#[derive(Debug, Default)]
pub struct World {
    accounts: HashMap<String, AccountSeed>,
    apps: HashMap<String, AppSeed>,
    conferences: BTreeMap<String, Conference>,
    access_tokens: HashMap<String, Grant>,
    tokens_by_subject: HashMap<String, VecDeque<String>>,
    control_tokens: HashMap<String, ControlGrant>,
    /// One-use WebSocket tokens: the conference each opens, and until when.
    ws_tokens: HashMap<String, ControlGrant>,
    /// The last WebSocket tokens issued, used or not (for tests that look for secrets).
    ws_issued: VecDeque<String>,
    /// One-use join randoms: the conference each lets one in, and until when.
    randoms: HashMap<String, ControlGrant>,
    /// The last control record's number (see [`World::begin_control`]).
    control_seq: u64,
    counters: Counters,
    /// Changes since the start, in order (see [`World::changed`]).
    changes: Vec<Change>,
    /// The meeting-control WebSockets.
    sockets: sockets::Sockets,
    /// The simulator's clock when the lock was taken (see [`World::set_now`]).
    now_ms: i64,
    /// The enterprise's event push: configurations and deliveries.
    webhooks: webhook::Webhooks,
    /// The enterprise has no recording resource (a seed flag).
    no_recording_resource: bool,
    /// The enterprise's quality alarm thresholds.
    thresholds: quality::Thresholds,
    /// The latest logins (when, who), for the dashboard.
    logins: VecDeque<(i64, String)>,
    /// The webinars, their rooms and images.
    webinars: webinar::Webinars,
    /// When each account was seeded (activated), for the dashboard.
    activated: BTreeMap<String, i64>,
}

impl World {
    /// Records a change of a conference's state: the one place every change passes.
    fn changed(&mut self, change: Change) {
        self.counters.changes += 1;
        let now_ms = self.now_ms;
        if let Some(c) = self.conferences.get_mut(change.conference()) {
            c.sync_attendance(now_ms);
        }
        self.publish(&change);
        self.webhook_change(&change);
        // Bounded: an observer reads what it needs as changes happen.
        if self.changes.len() >= MAX_CHANGES_KEPT {
            self.changes.drain(..MAX_CHANGES_KEPT / 2);
        }
        self.changes.push(change);
    }

    /// The simulator's clock, read when the lock is taken: what changes are stamped
    /// with.
    pub fn set_now(&mut self, now_ms: i64) {
        self.now_ms = now_ms;
    }

    /// The changes recorded so far (the most recent ones, at most 4,096).
    pub fn changes(&self) -> &[Change] {
        &self.changes
    }

    /// The changes after the first `since` (numbered from 0 since the start), the
    /// number to ask from next time, and how many were no longer kept.
    pub fn changes_since(&self, since: u64) -> (Vec<Change>, u64, u64) {
        let total = self.counters.changes;
        let first_kept = total - self.changes.len() as u64;
        let from = since.clamp(first_kept, total);
        let skip = usize::try_from(from - first_kept).unwrap_or(usize::MAX);
        (
            self.changes.iter().skip(skip).cloned().collect(),
            total,
            from - since.min(from),
        )
    }

    /// The open meeting-control WebSockets of every conference that has one.
    pub fn all_open_sockets(&self) -> BTreeMap<String, usize> {
        self.sockets.all_open()
    }

    /// Conference `id` as it is now.
    pub fn view(&self, id: &str) -> Option<ConferenceView> {
        self.conferences.get(id).map(Conference::view)
    }

    /// Every conference as it is now.
    pub fn views(&self) -> Vec<ConferenceView> {
        self.conferences.values().map(Conference::view).collect()
    }

    /// Live access and control tokens at `now_ms`.
    pub fn live_tokens(&self, now_ms: i64) -> (usize, usize) {
        (
            self.access_tokens
                .values()
                .filter(|g| g.expires_ms > now_ms)
                .count(),
            self.control_tokens
                .values()
                .filter(|g| g.expires_ms > now_ms)
                .count(),
        )
    }

    /// Every access and control token issued and not evicted, and the last WebSocket
    /// tokens.
    pub fn issued_tokens(&self) -> Vec<String> {
        self.access_tokens
            .keys()
            .chain(self.control_tokens.keys())
            .chain(&self.ws_issued)
            .chain(self.randoms.keys())
            .cloned()
            .collect()
    }

    /// What was counted so far.
    pub fn counters(&self) -> &Counters {
        &self.counters
    }

    /// Counts a request to `operation`, the error code it was answered with and the
    /// fault injected into it.
    pub fn count_request(&mut self, operation: &str, code: Option<&str>, fault: Option<&str>) {
        *self
            .counters
            .requests
            .entry(operation.to_owned())
            .or_default() += 1;
        if let Some(code) = code {
            *self.counters.errors.entry(code.to_owned()).or_default() += 1;
        }
        if let Some(fault) = fault {
            *self.counters.faults.entry(fault.to_owned()).or_default() += 1;
        }
    }

    /// Counts a fault injected outside a request (a socket's: `flood`).
    pub fn count_fault(&mut self, fault: &str) {
        *self.counters.faults.entry(fault.to_owned()).or_default() += 1;
    }

    pub fn seed(&mut self, seed: Seed) {
        self.no_recording_resource |= seed.no_recording_resource;
        for account in seed.accounts {
            self.activated
                .entry(account.account.clone())
                .or_insert(self.now_ms);
            self.accounts.insert(account.account.clone(), account);
        }
        for app in seed.apps {
            self.apps.insert(app.app_id.clone(), app);
        }
        self.seed_webinar_rooms(seed.webinar_rooms);
        for mut seed in seed.conferences {
            let degradations = std::mem::take(&mut seed.degradations);
            let mut conference: Conference = seed.into();
            conference.started_ms = self.now_ms;
            for participant in &mut conference.participants {
                participant.joined_ms = self.now_ms;
            }
            conference.sync_attendance(self.now_ms);
            self.webhook_seeded(&conference);
            let id = conference.id.clone();
            self.conferences.insert(id.clone(), conference);
            // Checked and bounded as the admin API's are.
            for degradation in degradations {
                if let Err(refused) = self.degrade(&id, degradation) {
                    tracing::warn!(
                        "seed: meeting {id}: a degradation is left out: {}",
                        refused.message
                    );
                }
            }
        }
    }

    /// Conference `id`, which must exist and be in progress.
    fn conference(&self, id: &str) -> Result<&Conference, ApiError> {
        match self.conferences.get(id) {
            None => Err(ApiError::meeting_not_found(id)),
            Some(c) if c.state != ConferenceState::Ongoing => Err(ApiError::not_in_progress(id)),
            Some(c) => Ok(c),
        }
    }

    fn ongoing_mut(&mut self, id: &str) -> Result<&mut Conference, ApiError> {
        self.conference(id)?;
        self.conferences
            .get_mut(id)
            .ok_or_else(|| ApiError::meeting_not_found(id))
    }
}

/// An unguessable token: a prefix and 48 hex digits.
fn new_token(prefix: &str) -> String {
    let bytes: [u8; 24] = rand::random();
    format!("{prefix}{}", hex::encode(bytes))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_modules_are_the_spec_families() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/world");
        // Not families: the event sockets, the traffic the admin API scripts.
        let checked = meeting_api::table::check_family_modules(&dir, &[], &["sockets", "traffic"]);
        assert_eq!(checked, Ok(()));
    }

    use super::*;

    fn world() -> World {
        let mut world = World::default();
        world.seed(Seed::example());
        world
    }

    #[test]
    fn every_applied_change_passes_one_place_and_a_refused_one_none() {
        let mut world = world();
        world.lock("914083136", true).expect("locks");
        world
            .mute_participant("914083136", "6a1acfe867f211eaa1cd59f41ff47e04", true)
            .expect("mutes");
        assert!(world.lock("000000000", true).is_err());
        assert!(world.mute_participant("914083136", "nobody", true).is_err());
        assert_eq!(
            world.changes(),
            [
                Change::Meeting("914083136".into()),
                Change::Participant {
                    conference: "914083136".into(),
                    participant: "6a1acfe867f211eaa1cd59f41ff47e04".into(),
                },
            ]
        );
        assert_eq!(world.counters().changes, 2);
    }
}
