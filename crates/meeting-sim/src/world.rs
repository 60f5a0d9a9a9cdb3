//! The simulator's mutable state: accounts, apps, conferences, tokens, counters, clock.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::model::{
    AccountSeed, AppSeed, ConferenceSeed, ConferenceState, ConferenceView, ParticipantView, Seed,
    Settings,
};

/// Live tokens one subject may hold (WIRE: 64 with clientType 72); a 65th evicts the oldest.
const TOKENS_PER_SUBJECT: usize = 64;

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
                })
                .collect(),
        }
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
                .map(|seed| Participant {
                    seed,
                    view_locked_to: None,
                })
                .collect(),
        }
    }
}

/// Everything that changes, behind one lock.
#[derive(Debug, Default)]
pub struct World {
    pub accounts: HashMap<String, AccountSeed>,
    pub apps: HashMap<String, AppSeed>,
    pub conferences: BTreeMap<String, Conference>,
    pub access_tokens: HashMap<String, Grant>,
    pub tokens_by_subject: HashMap<String, VecDeque<String>>,
    pub control_tokens: HashMap<String, ControlGrant>,
    pub counters: Counters,
}

impl World {
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
    pub fn grant_access(&mut self, subject: &str, admin: bool, expires_ms: i64) -> String {
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
    pub fn access(&self, token: &str, now_ms: i64) -> Option<&Grant> {
        self.access_tokens
            .get(token)
            .filter(|grant| grant.expires_ms > now_ms)
    }

    pub fn grant_control(&mut self, conference: &str, expires_ms: i64) -> String {
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
    pub fn revoke_control(&mut self, conference: &str) {
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

    pub fn count_error(&mut self, code: &str) {
        *self.counters.errors.entry(code.to_owned()).or_default() += 1;
    }
}

/// An unguessable token: a prefix and 48 hex digits.
fn new_token(prefix: &str) -> String {
    let bytes: [u8; 24] = rand::random();
    format!("{prefix}{}", hex::encode(bytes))
}
