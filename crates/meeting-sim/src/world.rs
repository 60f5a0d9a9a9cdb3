//! The simulator's mutable state: accounts, apps, conferences, tokens, counters, clock.
//! Every change of state, and every counter it moves, happens in a `World` method that
//! either applies the whole change or refuses with the service's error and changes
//! nothing; the HTTP handlers only read requests and write answers.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::http::StatusCode;
use meeting_api::types::{
    Attendee, ConferenceDetail, ConferenceInfo, PasswordEntry, RealTimeConfInfo, RealTimeInfo,
    RealTimeParticipant, RestScheduleConfDto, UpdateStartedConfigReqBody,
};
use serde::{Deserialize, Serialize};

use crate::errors::{ApiError, codes};
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
/// so token expiry can be crossed without sleeping.
#[derive(Debug, Default)]
pub struct Clock {
    offset_ms: AtomicI64,
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
    /// Injected faults per kind (`500`, `502`, `503`, `429`, `drop`, `expire`).
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
    pub phone: Option<String>,
    pub muted: bool,
}

impl Participant {
    fn new(seed: crate::model::ParticipantSeed) -> Self {
        Self {
            seed,
            view_locked_to: None,
            phone: None,
            muted: false,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Conference {
    pub id: String,
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
                    phone: p.phone.clone(),
                    host: p.seed.host,
                    muted: p.muted,
                })
                .collect(),
            length_minutes: self.length_minutes,
            auto_prolong: self.auto_prolong,
            subject: self.subject.clone(),
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
            host_password: seed.host_password,
            state: seed.state,
            organizer: seed.organizer,
            locked: false,
            settings: Settings::default(),
            participants: seed
                .participants
                .into_iter()
                .map(Participant::new)
                .collect(),
            length_minutes: DEFAULT_LENGTH_MINUTES,
            auto_prolong: false,
            subject: None,
            start_minutes: None,
            media_types: None,
            guest_password: None,
        }
    }
}

/// What changed in a conference: every change of a conference's state passes through
/// [`World::changed`], the one place an observer (the event stream, the webhook
/// pushes) hooks into.
#[derive(Clone, Debug, PartialEq, Eq)]
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
    /// The conference ended or was cancelled.
    Ended(String),
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
    counters: Counters,
    /// Changes since the start, in order (see [`World::changed`]).
    changes: Vec<Change>,
}

impl World {
    /// Records a change of a conference's state: the one place every change passes.
    fn changed(&mut self, change: Change) {
        self.counters.changes += 1;
        // Bounded: an observer reads what it needs as changes happen.
        if self.changes.len() >= MAX_CHANGES_KEPT {
            self.changes.drain(..MAX_CHANGES_KEPT / 2);
        }
        self.changes.push(change);
    }

    /// The changes recorded so far (the most recent ones, at most 4,096).
    pub fn changes(&self) -> &[Change] {
        &self.changes
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

    /// Every access and control token issued and not evicted.
    pub fn issued_tokens(&self) -> Vec<String> {
        self.access_tokens
            .keys()
            .chain(self.control_tokens.keys())
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

    pub fn seed(&mut self, seed: Seed) {
        for account in seed.accounts {
            self.accounts.insert(account.account.clone(), account);
        }
        for app in seed.apps {
            self.apps.insert(app.app_id.clone(), app);
        }
        for conference in seed.conferences {
            self.conferences
                .insert(conference.id.clone(), conference.into());
        }
    }

    /// Grants an access token, evicting the subject's oldest beyond the limit.
    fn grant_access(&mut self, subject: &str, admin: bool, expires_ms: i64) -> String {
        let token = new_token("stb");
        self.access_tokens.insert(
            token.clone(),
            Grant {
                subject: subject.to_owned(),
                admin,
                expires_ms,
            },
        );
        let live = self
            .tokens_by_subject
            .entry(subject.to_owned())
            .or_default();
        live.push_back(token.clone());
        while live.len() > TOKENS_PER_SUBJECT {
            if let Some(oldest) = live.pop_front() {
                self.access_tokens.remove(&oldest);
            }
        }
        token
    }

    /// The grant behind a live access token.
    fn access(&self, token: &str, now_ms: i64) -> Option<&Grant> {
        self.access_tokens
            .get(token)
            .filter(|grant| grant.expires_ms > now_ms)
    }

    fn grant_control(&mut self, conference: &str, expires_ms: i64) -> String {
        let token = new_token("cnr");
        self.control_tokens.insert(
            token.clone(),
            ControlGrant {
                conference: conference.to_owned(),
                expires_ms,
            },
        );
        token
    }

    /// Ends every control token of a conference (it ended).
    fn revoke_control(&mut self, conference: &str) {
        self.control_tokens
            .retain(|_, g| g.conference != conference);
    }

    /// Expires every token now (the admin API's `tokens/expire`).
    pub fn expire_tokens(&mut self) {
        for grant in self.access_tokens.values_mut() {
            grant.expires_ms = i64::MIN;
        }
        for grant in self.control_tokens.values_mut() {
            grant.expires_ms = i64::MIN;
        }
    }

    // ---- authentication ----

    /// A login with account and password: an access token (none with `issue_token`
    /// false) and whether the account is an administrator.
    pub fn login_account(
        &mut self,
        account: &str,
        password: &str,
        issue_token: bool,
        expires_ms: i64,
    ) -> Result<(String, bool), ApiError> {
        let seed = match self.accounts.get(account) {
            Some(seed) if seed.password == password => seed.clone(),
            _ => return Err(ApiError::login_failed("account or password is wrong")),
        };
        if seed.disabled {
            return Err(ApiError::new(
                StatusCode::PRECONDITION_FAILED,
                codes::ACCOUNT_DISABLED,
                "the account is disabled",
            ));
        }
        if seed.locked {
            return Err(ApiError::new(
                StatusCode::LOCKED,
                codes::ACCOUNT_LOCKED,
                "the account is locked",
            ));
        }
        let token = if issue_token {
            self.grant_access(account, seed.admin, expires_ms)
        } else {
            String::new()
        };
        self.counters.account_logins += 1;
        Ok((token, seed.admin))
    }

    /// A known app.
    pub fn app(&self, app_id: &str) -> Result<AppSeed, ApiError> {
        self.apps
            .get(app_id)
            .cloned()
            .ok_or_else(|| ApiError::login_failed("unknown App ID"))
    }

    /// A login with a verified App ID signature: an access token for `subject`.
    pub fn login_app(&mut self, subject: &str, admin: bool, expires_ms: i64) -> String {
        self.counters.app_logins += 1;
        self.grant_access(subject, admin, expires_ms)
    }

    /// The grant behind `X-Access-Token`, which must be live.
    pub fn authorize_access(&self, token: Option<&str>, now_ms: i64) -> Result<Grant, ApiError> {
        let token = token.filter(|t| !t.is_empty()).ok_or_else(|| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                codes::ACCESS_TOKEN_INVALID,
                "X-Access-Token is required",
            )
        })?;
        self.access(token, now_ms).cloned().ok_or_else(|| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                codes::ACCESS_TOKEN_INVALID,
                "the access token is invalid or has expired",
            )
        })
    }

    /// Checks `X-Conference-Authorization` (already unwrapped from `Basic`) for
    /// conference `id`, which must be in progress.
    pub fn authorize_control(
        &self,
        token: Option<&str>,
        id: &str,
        now_ms: i64,
    ) -> Result<(), ApiError> {
        let Some(token) = token.filter(|t| !t.is_empty()) else {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                codes::TOKEN_NULL,
                "X-Conference-Authorization (the control token) is required",
            ));
        };
        if !self.control_token_valid(token, id, now_ms) {
            return Err(ApiError::control_token_invalid());
        }
        self.conference(id).map(|_| ())
    }

    fn control_token_valid(&self, token: &str, id: &str, now_ms: i64) -> bool {
        self.control_tokens
            .get(token)
            .is_some_and(|g| g.conference == id && g.expires_ms > now_ms)
    }

    /// `GET …/token`: keeps `current` alive if it is live for this conference (the
    /// password is not checked then), else grants a new token for the host password.
    pub fn control_token(
        &mut self,
        id: &str,
        current: Option<&str>,
        password: Option<&str>,
        login_type: Option<&str>,
        now_ms: i64,
        validity_ms: i64,
    ) -> Result<String, ApiError> {
        let host_password = self.conference(id)?.host_password.clone();
        if let Some(token) = current.filter(|t| self.control_token_valid(t, id, now_ms)) {
            if let Some(grant) = self.control_tokens.get_mut(token) {
                grant.expires_ms = now_ms + validity_ms;
            }
            self.counters.control_token_keepalives += 1;
            return Ok(token.to_owned());
        }
        match password.filter(|p| !p.is_empty()) {
            Some(_) if login_type != Some("1") => Err(ApiError::bad_request(
                "X-Login-Type must be 1 with X-Password",
            )),
            Some(password) if password != host_password => {
                Err(ApiError::auth_failed("the host password is wrong"))
            }
            Some(_) => {
                self.counters.control_token_grants += 1;
                Ok(self.grant_control(id, now_ms + validity_ms))
            }
            None if current.is_some() => Err(ApiError::control_token_invalid()),
            None => Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                codes::PASSWORD_BLANK,
                "X-Password (the host password) or X-Conference-Authorization is required",
            )),
        }
    }

    /// CreateWebSocketToken: a one-use token for conference `id`'s event WebSocket,
    /// valid `validity_ms` (one minute at the service). Expired ones are dropped here.
    pub fn grant_ws_token(
        &mut self,
        id: &str,
        now_ms: i64,
        validity_ms: i64,
    ) -> Result<String, ApiError> {
        self.conference(id)?;
        self.ws_tokens.retain(|_, g| g.expires_ms > now_ms);
        let token = new_token("ws");
        self.ws_tokens.insert(
            token.clone(),
            ControlGrant {
                conference: id.to_owned(),
                expires_ms: now_ms + validity_ms,
            },
        );
        Ok(token)
    }

    // ---- conferences ----

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

    /// LockMeeting.
    pub fn lock(&mut self, id: &str, locked: bool) -> Result<(), ApiError> {
        self.ongoing_mut(id)?.locked = locked;
        self.changed(Change::Meeting(id.to_owned()));
        Ok(())
    }

    /// UpdateStartedConfConfig: only the fields the update sets.
    pub fn update_settings(
        &mut self,
        id: &str,
        update: &UpdateStartedConfigReqBody,
    ) -> Result<(), ApiError> {
        if *update == UpdateStartedConfigReqBody::default() {
            return Err(ApiError::bad_request(
                "no setting given: send at least one field",
            ));
        }
        let conference = self.ongoing_mut(id)?;
        conference.settings = conference.settings.updated(update)?;
        if let Some(is_lock) = &update.is_lock {
            conference.locked = **is_lock == 1;
        }
        self.changed(Change::Meeting(id.to_owned()));
        Ok(())
    }

    /// LockView: locks (or with `locked` false, unlocks) the view of professional
    /// terminal `terminal` to the video source of participant `source`.
    pub fn lock_view(
        &mut self,
        id: &str,
        terminal: &str,
        source: &str,
        locked: bool,
    ) -> Result<(), ApiError> {
        let conference = self.ongoing_mut(id)?;
        if conference.participant_mut(source).is_none() {
            return Err(ApiError::bad_request(format!(
                "participant {source} is not in meeting {id}"
            )));
        }
        let Some(participant) = conference.participant_mut(terminal) else {
            return Err(ApiError::bad_request(format!(
                "participant {terminal} is not in meeting {id}"
            )));
        };
        if !participant.seed.professional_terminal {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                codes::NO_PERMISSION,
                format!("participant {terminal} is not a professional terminal"),
            ));
        }
        participant.view_locked_to = locked.then(|| source.to_owned());
        self.changed(Change::Participant {
            conference: id.to_owned(),
            participant: terminal.to_owned(),
        });
        Ok(())
    }

    /// CancelMeeting: cancels a scheduled meeting, or with `end_ongoing` ends one in
    /// progress; its control tokens die with it.
    pub fn cancel(&mut self, id: &str, by: &Grant, end_ongoing: bool) -> Result<(), ApiError> {
        let conference = self
            .conferences
            .get_mut(id)
            .ok_or_else(|| ApiError::meeting_not_found(id))?;
        if !conference.managed_by(by) {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                codes::NO_PERMISSION,
                format!("only the organizer or an administrator may cancel meeting {id}"),
            ));
        }
        conference.state = match conference.state {
            ConferenceState::Scheduled => ConferenceState::Cancelled,
            ConferenceState::Ongoing if end_ongoing => ConferenceState::Ended,
            ConferenceState::Ongoing => {
                return Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    codes::REQUEST_ERROR,
                    format!("meeting {id} is in progress: pass type=1 to end it"),
                ));
            }
            ConferenceState::Ended | ConferenceState::Cancelled => {
                return Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    codes::NOT_IN_PROGRESS,
                    format!("meeting {id} has already ended or been cancelled"),
                ));
            }
        };
        self.revoke_control(id);
        self.changed(Change::Ended(id.to_owned()));
        Ok(())
    }

    /// ShowRealTimeInfoOfMeeting: who is online, who was invited, who hosts.
    pub fn live(&self, id: &str) -> Result<RealTimeInfo, ApiError> {
        let conference = self.conference(id)?;
        let participants = conference
            .participants
            .iter()
            .map(|p| RealTimeParticipant {
                pid: p.seed.id.clone(),
                name: p.seed.name.clone(),
                phone: p.phone.clone(),
                state: Some(0),
                video: Some(1),
                mute: Some(i32::from(p.muted)),
                hand: Some(0),
            })
            .collect();
        let chair = conference.participants.iter().find(|p| p.seed.host);
        Ok(RealTimeInfo {
            participants,
            attendees: Vec::new(),
            conf_info: Some(RealTimeConfInfo {
                chair_id: chair.map(|p| p.seed.id.clone()),
                co_hosts: Vec::new(),
            }),
        })
    }

    /// MuteMeeting: everyone but the host; `allow_unmute` (when muting) says whether
    /// participants may unmute themselves.
    pub fn mute_all(
        &mut self,
        id: &str,
        mute: bool,
        allow_unmute: Option<bool>,
    ) -> Result<(), ApiError> {
        let conference = self.ongoing_mut(id)?;
        for participant in conference.participants.iter_mut().filter(|p| !p.seed.host) {
            participant.muted = mute;
        }
        if mute {
            conference.settings.allow_unmute_by_oneself = i32::from(allow_unmute.unwrap_or(true));
        }
        self.changed(Change::Meeting(id.to_owned()));
        Ok(())
    }

    /// MuteParticipant.
    pub fn mute_participant(
        &mut self,
        id: &str,
        participant: &str,
        mute: bool,
    ) -> Result<(), ApiError> {
        let conference = self.ongoing_mut(id)?;
        let Some(found) = conference.participant_mut(participant) else {
            return Err(ApiError::bad_request(format!(
                "participant {participant} is not in meeting {id}"
            )));
        };
        found.muted = mute;
        self.changed(Change::Participant {
            conference: id.to_owned(),
            participant: participant.to_owned(),
        });
        Ok(())
    }

    /// InviteParticipant: every attendee is called and joins at once; returns their new
    /// participant IDs.
    pub fn invite(&mut self, id: &str, attendees: &[Attendee]) -> Result<Vec<String>, ApiError> {
        if attendees.is_empty() {
            return Err(ApiError::bad_request("attendees must not be empty"));
        }
        if let Some(i) = attendees
            .iter()
            .position(|a| a.phone.as_deref().unwrap_or("").trim().is_empty())
        {
            return Err(ApiError::bad_request(format!(
                "attendees[{i}].phone is required"
            )));
        }
        let conference = self.ongoing_mut(id)?;
        let mut joined = Vec::new();
        for attendee in attendees {
            let pid = hex::encode(rand::random::<[u8; 16]>());
            let mut participant = Participant::new(crate::model::ParticipantSeed {
                id: pid.clone(),
                name: attendee.name.clone(),
                professional_terminal: false,
                host: attendee.role.as_deref() == Some(&1),
            });
            participant.phone = attendee.phone.clone();
            conference.participants.push(participant);
            joined.push(pid);
        }
        for participant in &joined {
            self.changed(Change::Participant {
                conference: id.to_owned(),
                participant: participant.clone(),
            });
        }
        Ok(joined)
    }

    /// HangUp: all of them, or none if one is not in the meeting.
    pub fn hang_up(&mut self, id: &str, participants: &[&str]) -> Result<(), ApiError> {
        if participants.is_empty() {
            return Err(ApiError::bad_request(
                "bulkHangUpParticipants must not be empty",
            ));
        }
        let conference = self.ongoing_mut(id)?;
        if let Some(missing) = participants
            .iter()
            .find(|pid| !conference.participants.iter().any(|p| p.seed.id == **pid))
        {
            return Err(ApiError::bad_request(format!(
                "participant {missing} is not in meeting {id}"
            )));
        }
        conference
            .participants
            .retain(|p| !participants.contains(&p.seed.id.as_str()));
        for participant in participants {
            self.changed(Change::Left {
                conference: id.to_owned(),
                participant: (*participant).to_owned(),
            });
        }
        Ok(())
    }

    /// ProlongMeeting: `auto` turns automatic prolonging on; otherwise the meeting is
    /// prolonged by `minutes` (15 by default, at most 1440).
    pub fn prolong(&mut self, id: &str, auto: bool, minutes: Option<u32>) -> Result<(), ApiError> {
        if minutes.is_some_and(|m| m > 1440) {
            return Err(ApiError::bad_request("duration must be 1 to 1440 minutes"));
        }
        let conference = self.ongoing_mut(id)?;
        if auto {
            conference.auto_prolong = true;
        } else {
            conference.length_minutes = conference
                .length_minutes
                .saturating_add(minutes.unwrap_or(DEFAULT_PROLONG_MINUTES));
        }
        self.changed(Change::Meeting(id.to_owned()));
        Ok(())
    }

    /// StopMeeting: the meeting ends for everyone, and its control tokens with it.
    pub fn stop(&mut self, id: &str) -> Result<(), ApiError> {
        let conference = self.ongoing_mut(id)?;
        conference.state = ConferenceState::Ended;
        conference.participants.clear();
        self.revoke_control(id);
        self.changed(Change::Ended(id.to_owned()));
        Ok(())
    }

    // ---- management ----

    /// CreateMeeting: a scheduled meeting with a new ID and host and guest passwords,
    /// organized by `by`.
    pub fn create_meeting(
        &mut self,
        by: &Grant,
        request: &RestScheduleConfDto,
        now_ms: i64,
    ) -> Result<ConferenceInfo, ApiError> {
        let length = request.length.unwrap_or(30);
        if !(15..=1440).contains(&length) {
            return Err(ApiError::bad_request("length must be 15 to 1440 minutes"));
        }
        if request.media_types.trim().is_empty() {
            return Err(ApiError::bad_request("mediaTypes is required"));
        }
        let start = match &request.start_time {
            Some(text) => crate::calendar::parse(text)
                .ok_or_else(|| ApiError::bad_request("startTime must be YYYY-MM-DD HH:MM (UTC)"))?,
            None => now_ms.div_euclid(60_000),
        };
        let id = loop {
            let id = rand::random_range(100_000_000u32..1_000_000_000).to_string();
            if !self.conferences.contains_key(&id) {
                break id;
            }
        };
        let password = || format!("{:06}", rand::random_range(0..1_000_000u32));
        let mut conference = Conference::from(ConferenceSeed::new(
            id.clone(),
            password(),
            ConferenceState::Scheduled,
        ));
        conference.organizer = Some(by.subject.clone());
        conference.length_minutes = u32::try_from(length).unwrap_or(DEFAULT_LENGTH_MINUTES);
        conference.subject = request.subject.as_ref().map(|s| s.to_string());
        conference.start_minutes = Some(start);
        conference.media_types = Some(request.media_types.clone());
        conference.guest_password = Some(password());
        let info = conference.info(true);
        self.conferences.insert(id.clone(), conference);
        self.changed(Change::Scheduled(id));
        Ok(info)
    }

    /// ShowMeetingDetail: for its organizer or an administrator, with the passwords.
    pub fn detail(&self, id: &str, by: &Grant) -> Result<ConferenceDetail, ApiError> {
        let conference = self
            .conferences
            .get(id)
            .ok_or_else(|| ApiError::meeting_not_found(id))?;
        if !conference.managed_by(by) {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                codes::NO_PERMISSION,
                format!("only the organizer or an administrator may see meeting {id}"),
            ));
        }
        Ok(ConferenceDetail {
            conference_data: Some(conference.info(true)),
        })
    }

    /// A participant joins (the admin API, `SimHandle::join`): a scheduled meeting
    /// starts.
    pub fn join(
        &mut self,
        id: &str,
        participant: crate::model::ParticipantSeed,
    ) -> Result<(), ApiError> {
        let conference = self
            .conferences
            .get_mut(id)
            .ok_or_else(|| ApiError::meeting_not_found(id))?;
        let started = match conference.state {
            ConferenceState::Scheduled => {
                conference.state = ConferenceState::Ongoing;
                true
            }
            ConferenceState::Ongoing => false,
            ConferenceState::Ended | ConferenceState::Cancelled => {
                return Err(ApiError::not_in_progress(id));
            }
        };
        let pid = participant.id.clone();
        conference.participants.retain(|p| p.seed.id != pid);
        conference.participants.push(Participant::new(participant));
        if started {
            self.changed(Change::Meeting(id.to_owned()));
        }
        self.changed(Change::Participant {
            conference: id.to_owned(),
            participant: pid,
        });
        Ok(())
    }
}

/// An unguessable token: a prefix and 48 hex digits.
fn new_token(prefix: &str) -> String {
    let bytes: [u8; 24] = rand::random();
    format!("{prefix}{}", hex::encode(bytes))
}

#[cfg(test)]
mod tests {
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
