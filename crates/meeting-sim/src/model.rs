//! What the simulator knows: the seed format, and the views of its state.

use serde::{Deserialize, Serialize};

use crate::example;

/// Accounts, apps and conferences to load, from a file (`--seed FILE`), the admin API
/// (`POST /_sim/seed`) or [`crate::SimHandle::seed`]. An entry whose id exists replaces it.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Seed {
    /// Accounts that log in with account and password.
    #[serde(default)]
    pub accounts: Vec<AccountSeed>,
    /// Apps that log in with App ID and a signature made with the app key.
    #[serde(default)]
    pub apps: Vec<AppSeed>,
    /// Conferences.
    #[serde(default)]
    pub conferences: Vec<ConferenceSeed>,
    /// The enterprise has no recording resource: starting a recording is refused.
    #[serde(default)]
    pub no_recording_resource: bool,
    /// Its webinar rooms (VMRs of the webinar mode), which webinars are scheduled on.
    #[serde(default)]
    pub webinar_rooms: Vec<WebinarRoomSeed>,
}

/// A webinar room: a VMR of the webinar mode, whose size caps a webinar's audience.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct WebinarRoomSeed {
    /// Its ID, what CreateWebinar's `vmrID` names.
    pub id: String,
    /// Its name (the answers' `vmrPkgName`).
    pub name: String,
    /// The largest audience it admits.
    pub audience: u32,
}

impl Seed {
    /// The example seed that the READMEs, the demo and the tests start from (the same
    /// as `examples/seed.json`): the administrator `meeting_admin` (`Admin-pass-2026`)
    /// and `alice` (`Alice-pass-2026`); a single-enterprise and a service-provider App
    /// ID; meeting `914083136` in progress (host password `654321`) with the board-room
    /// terminal `6a1acfe867f211eaa1cd59f41ff47e04` and Alice's laptop
    /// `f131536e21ff11eab12735e1cddf6d01`, meeting `900244663` in progress
    /// (`123456`), and meeting `914087436` scheduled (`000000`), all organized by alice.
    /// The secrets are the simulator's own inventions.
    pub fn example() -> Self {
        Self {
            accounts: vec![
                AccountSeed::new(example::ADMIN, example::ADMIN_PASSWORD).admin(),
                AccountSeed::new(example::ALICE, example::ALICE_PASSWORD),
            ],
            apps: vec![
                AppSeed::new(example::APP_ID, example::APP_KEY, Tenancy::Single),
                AppSeed::new(example::SP_APP_ID, example::SP_APP_KEY, Tenancy::Multi),
            ],
            conferences: vec![
                ConferenceSeed::new(
                    example::CONFERENCE,
                    example::HOST_PASSWORD,
                    ConferenceState::Ongoing,
                )
                .organizer(example::ALICE)
                .with_interpretation()
                .participant(ParticipantSeed::terminal(
                    example::TERMINAL,
                    "Board room TE50",
                ))
                .participant(ParticipantSeed::client(example::LAPTOP, "Alice (laptop)")),
                ConferenceSeed::new(
                    example::OTHER_CONFERENCE,
                    example::OTHER_HOST_PASSWORD,
                    ConferenceState::Ongoing,
                )
                .organizer(example::ALICE),
                ConferenceSeed::new(
                    example::SCHEDULED,
                    example::SCHEDULED_HOST_PASSWORD,
                    ConferenceState::Scheduled,
                )
                .organizer(example::ALICE),
            ],
            no_recording_resource: false,
            webinar_rooms: vec![WebinarRoomSeed {
                id: example::WEBINAR_ROOM.to_owned(),
                name: "Webinar room (500)".to_owned(),
                audience: 500,
            }],
        }
    }
}

impl AccountSeed {
    /// An ordinary, usable account.
    pub fn new(account: impl Into<String>, password: impl Into<String>) -> Self {
        Self {
            account: account.into(),
            password: password.into(),
            admin: false,
            disabled: false,
            locked: false,
        }
    }

    /// An enterprise administrator.
    pub fn admin(mut self) -> Self {
        self.admin = true;
        self
    }

    /// Refused with 412.
    pub fn disabled(mut self) -> Self {
        self.disabled = true;
        self
    }

    /// Refused with 423.
    pub fn locked(mut self) -> Self {
        self.locked = true;
        self
    }
}

impl AppSeed {
    /// An App ID with its key.
    pub fn new(app_id: impl Into<String>, app_key: impl Into<String>, tenancy: Tenancy) -> Self {
        Self {
            app_id: app_id.into(),
            app_key: app_key.into(),
            tenancy,
        }
    }
}

impl ConferenceSeed {
    /// A conference without organizer (anyone may cancel it) or participants.
    pub fn new(
        id: impl Into<String>,
        host_password: impl Into<String>,
        state: ConferenceState,
    ) -> Self {
        Self {
            id: id.into(),
            host_password: host_password.into(),
            state,
            organizer: None,
            participants: Vec::new(),
            simultaneous_interpretation: false,
            degradations: Vec::new(),
        }
    }

    /// Who scheduled it (see [`ConferenceSeed::organizer`]).
    pub fn organizer(mut self, organizer: impl Into<String>) -> Self {
        self.organizer = Some(organizer.into());
        self
    }

    /// Scheduled with simultaneous interpretation.
    pub fn with_interpretation(mut self) -> Self {
        self.simultaneous_interpretation = true;
        self
    }

    /// One more participant.
    pub fn participant(mut self, participant: ParticipantSeed) -> Self {
        self.participants.push(participant);
        self
    }
}

impl ParticipantSeed {
    /// A professional terminal (its view can be locked).
    pub fn terminal(id: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            name: Some(name.into()),
            professional_terminal: true,
            host: false,
        }
    }

    /// This participant, as the host.
    pub fn host(mut self) -> Self {
        self.host = true;
        self
    }

    /// A soft client (a laptop, a phone).
    pub fn client(id: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            professional_terminal: false,
            ..Self::terminal(id, name)
        }
    }
}

/// An account (`POST /v1/usg/acs/auth/account`).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AccountSeed {
    /// The account name.
    pub account: String,
    /// The password.
    pub password: String,
    /// An enterprise administrator may cancel any meeting, not only its own.
    #[serde(default)]
    pub admin: bool,
    /// A disabled account is refused with 412.
    #[serde(default)]
    pub disabled: bool,
    /// A locked account is refused with 423.
    #[serde(default)]
    pub locked: bool,
}

/// An app (`POST /v2/usg/acs/auth/appauth`).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AppSeed {
    /// The App ID.
    pub app_id: String,
    /// The app key, the HMAC-SHA256 key of the signature.
    pub app_key: String,
    /// Single enterprise (signs `appId:userId:expireTime:nonce`) or service provider
    /// (signs `appId:corpId:userId:expireTime:nonce`).
    #[serde(default)]
    pub tenancy: Tenancy,
}

/// Who an app acts for.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Tenancy {
    /// One enterprise; `corpId` must not be sent.
    #[default]
    Single,
    /// A service provider acting for several enterprises; `corpId` is signed.
    Multi,
}

/// A conference.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ConferenceSeed {
    /// The conference ID.
    pub id: String,
    /// The host password, exchanged for a control token.
    pub host_password: String,
    /// Where the conference is in its life.
    #[serde(default)]
    pub state: ConferenceState,
    /// Who scheduled it: an account name, or `app:<appId>:<corpId>:<userId>` for an App ID
    /// user (`corpId` empty for a single enterprise).
    /// Only that subject or an administrator may cancel it. `None`: anyone may.
    #[serde(default)]
    pub organizer: Option<String>,
    /// The participants.
    #[serde(default)]
    pub participants: Vec<ParticipantSeed>,
    /// Whether it was scheduled with simultaneous interpretation (without it, the
    /// interpretation calls are refused).
    #[serde(default)]
    pub simultaneous_interpretation: bool,
    /// Scripted worsenings of its participants' media quality (at most 64).
    #[serde(default)]
    pub degradations: Vec<crate::Degradation>,
}

/// A participant of a conference.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ParticipantSeed {
    /// The participant ID.
    pub id: String,
    /// A display name.
    #[serde(default)]
    pub name: Option<String>,
    /// Professional terminals (TE series and the like) are the only ones whose view can
    /// be locked.
    #[serde(default)]
    pub professional_terminal: bool,
    /// The host (`confInfo.chairID` of the live state; not muted by MuteMeeting).
    #[serde(default)]
    pub host: bool,
}

/// The life of a conference.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ConferenceState {
    /// Scheduled, not started: can be cancelled; no control token.
    #[default]
    Scheduled,
    /// In progress: control tokens are granted; ends with `type=1`.
    Ongoing,
    /// Ended.
    Ended,
    /// Cancelled before it started.
    Cancelled,
}

impl std::fmt::Display for ConferenceState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Scheduled => "scheduled",
            Self::Ongoing => "in progress",
            Self::Ended => "ended",
            Self::Cancelled => "cancelled",
        })
    }
}

/// The in-meeting settings, with the values as they travel on the wire.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    /// 0: sharing not locked. 1: locked.
    pub lock_sharing: i32,
    /// 0: everyone may join. 2: enterprise users. 3: invited users.
    pub call_in_restriction: i32,
    /// 0: participants may not unmute themselves. 1: they may.
    pub allow_unmute_by_oneself: i32,
    /// 1: no chat. 2: private only. 3: public only. 4: free.
    pub chat_permission: i32,
    /// Webinar audience: 0: everyone. 2: enterprise and invited users.
    pub audience_call_in_restriction: i32,
    /// Local recording: 0: host only. 1: everyone. 2: some.
    pub client_rec_mode: i32,
    /// 0: participants may not turn their camera on. 1: they may.
    pub allow_open_camera: i32,
    /// 0: participants may not rename themselves. 1: they may.
    pub allow_rename: i32,
    /// 0: only host and co-hosts share. 1: anyone may take over sharing.
    pub free_share: i32,
}

impl Settings {
    /// These settings with what `update` sets, every setting by its JSON name: a
    /// setting the spec adds is applied without code here. (`isLock` is the meeting's
    /// lock, not a setting: it is left to the caller.)
    pub(crate) fn updated(
        &self,
        update: &meeting_api::types::UpdateStartedConfigReqBody,
    ) -> Result<Self, crate::errors::ApiError> {
        let bad = |e: serde_json::Error| crate::errors::ApiError::bad_request(e.to_string());
        let mut merged = serde_json::to_value(self).map_err(bad)?;
        if let (Some(current), serde_json::Value::Object(changes)) = (
            merged.as_object_mut(),
            serde_json::to_value(update).map_err(bad)?,
        ) {
            for (name, value) in changes {
                if let Some(slot) = current.get_mut(&name).filter(|_| !value.is_null()) {
                    *slot = value;
                }
            }
        }
        serde_json::from_value(merged).map_err(bad)
    }
}

impl Default for Settings {
    /// The simulator's defaults for a new conference.
    fn default() -> Self {
        Self {
            lock_sharing: 0,
            call_in_restriction: 0,
            allow_unmute_by_oneself: 1,
            chat_permission: 4,
            audience_call_in_restriction: 0,
            client_rec_mode: 0,
            allow_open_camera: 1,
            allow_rename: 1,
            free_share: 0,
        }
    }
}

/// A conference as it is now.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ConferenceView {
    /// The conference ID.
    pub id: String,
    /// Where it is in its life.
    pub state: ConferenceState,
    /// Whether it is locked (LockMeeting, or `isLock` in the settings).
    pub locked: bool,
    /// The in-meeting settings.
    pub settings: Settings,
    /// The participants online.
    pub participants: Vec<ParticipantView>,
    /// Its length in minutes (60 when seeded; ProlongMeeting adds to it).
    pub length_minutes: u32,
    /// Whether the service prolongs it by itself (ProlongMeeting with `auto` 1).
    pub auto_prolong: bool,
    /// Its subject (CreateMeeting).
    pub subject: Option<String>,
    /// Whether the audience may join (AllowAudienceJoin).
    #[serde(default)]
    pub allow_audience: bool,
    /// Who waits in the waiting room (participant IDs, in the order they came).
    #[serde(default)]
    pub waiting: Vec<String>,
    /// Its recording, live stream and pause.
    #[serde(default)]
    pub broadcasting: crate::Broadcasting,
    /// Views, display mode, multi-picture, saved layouts.
    #[serde(default)]
    pub display: crate::Display,
    /// Interpreter groups and language channels.
    #[serde(default)]
    pub interpretation: crate::Interpretation,
    /// Every stay of every participant, in the order they began.
    #[serde(default)]
    pub attendance: Vec<crate::Attendance>,
    /// What its recordings recorded, segment by segment (until DeleteRecordings).
    #[serde(default)]
    pub recordings: Vec<crate::Segment>,
    /// A recurring meeting's rule and occurrences.
    #[serde(default)]
    pub series: Option<crate::Series>,
    /// Scripted worsenings of its participants' media quality.
    #[serde(default)]
    pub degradations: Vec<crate::Degradation>,
}

/// A participant as it is now.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ParticipantView {
    /// The participant ID.
    pub id: String,
    /// A display name.
    pub name: Option<String>,
    /// Whether it is a professional terminal.
    pub professional_terminal: bool,
    /// Whose video source this terminal's view is locked to (LockView), if any.
    pub view_locked_to: Option<String>,
    /// Whom it watches (SetParticipantView).
    #[serde(default)]
    pub watching: Option<String>,
    /// The number it was called at (InviteParticipant).
    pub phone: Option<String>,
    /// Whether it is the host.
    pub host: bool,
    /// Whether its microphone is muted (MuteMeeting, MuteParticipant).
    pub muted: bool,
    /// The rest of what the host sets on it.
    #[serde(flatten)]
    pub flags: ParticipantFlags,
}

/// What the host sets on a participant beyond mute and view: roles, hand, spotlight,
/// sharing, camera, local recording.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct ParticipantFlags {
    /// A co-host (SetCohost).
    pub co_host: bool,
    /// Its hand is raised (Hand, BatchHand).
    pub hand_raised: bool,
    /// Called on (RollcallParticipant).
    pub roll_call: bool,
    /// Shown to everyone (BroadcastParticipant).
    pub broadcast: bool,
    /// Sharing, on the host's invitation (InviteShare).
    pub sharing: bool,
    /// Its camera is off (InviteOperateVideo).
    pub camera_off: bool,
    /// It may record on its client (AllowClientRecord).
    pub client_record: bool,
}

impl ParticipantView {
    /// Whether this terminal's view is locked to a video source.
    pub fn video_locked(&self) -> bool {
        self.view_locked_to.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_file_is_the_example_seed() {
        let file: Seed = serde_json::from_str(include_str!("../examples/seed.json"))
            .expect("examples/seed.json parses");
        assert_eq!(file, Seed::example());
    }
}

/// Everything the simulator holds that a test may want to see.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct StateView {
    /// Every conference.
    pub conferences: Vec<ConferenceView>,
    /// Live access tokens.
    pub access_tokens: usize,
    /// Live control tokens.
    pub control_tokens: usize,
    /// The simulator's clock, epoch milliseconds.
    pub now_ms: i64,
}
