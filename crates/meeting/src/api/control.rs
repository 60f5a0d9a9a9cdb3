//! The meeting as a whole while it runs: lock, settings, who is in it, muting
//! everyone, prolonging, stopping. Control calls, with the control token (and the
//! access token when the client has credentials).

use std::num::NonZeroU32;

use meeting_api::operations::{
    CREATE_WEB_SOCKET_TOKEN, LOCK_MEETING, MUTE_MEETING, PROLONG_MEETING, SHOW_MGMT_SITE_STATUS,
    SHOW_REAL_TIME_INFO_OF_MEETING, STOP_MEETING, UPDATE_STARTED_CONF_CONFIG,
};
use meeting_api::types::{
    MgmtSiteStatus, RealTimeInfo, RestLockReqBody, RestMuteReqBody, RestProlongDurReqBody,
};

use secrecy::{ExposeSecret, SecretString};

use crate::Client;
use crate::conference::{Conference, NO_INPUT};
use crate::error::Error;
use crate::settings::SettingsUpdate;

impl Conference {
    /// Locks the meeting: users can no longer join by themselves (the host can still
    /// invite them, and the host password or link still works).
    pub async fn lock(&self) -> Result<(), Error> {
        self.set_locked(true).await
    }

    /// Unlocks the meeting.
    pub async fn unlock(&self) -> Result<(), Error> {
        self.set_locked(false).await
    }

    async fn set_locked(&self, locked: bool) -> Result<(), Error> {
        let body = switch(locked).map(|is_lock| RestLockReqBody { is_lock });
        self.run(&LOCK_MEETING, body.as_ref(), |api, body| {
            api.lock_meeting(self.id(), body)
        })
        .await
    }

    /// Changes settings of the meeting in progress: only what `update` sets.
    pub async fn update_settings(&self, update: &SettingsUpdate) -> Result<(), Error> {
        let body = if update.is_empty() {
            Err("the settings update is empty: set at least one setting".to_owned())
        } else {
            update.to_body()
        };
        self.run(&UPDATE_STARTED_CONF_CONFIG, body.as_ref(), |api, body| {
            api.update_started_conf_config(self.id(), body)
        })
        .await
    }

    /// Who is in the meeting now, with the participant IDs that [`Conference::participant`]
    /// takes.
    ///
    /// ```no_run
    /// # async fn run(meeting: meeting::Conference) -> Result<(), meeting::Error> {
    /// let live = meeting.live().await?;
    /// if let Some(room) = live.named("Board room TE50") {
    ///     meeting.participant(&room.id).lock_video().await?;
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn live(&self) -> Result<LiveMeeting, Error> {
        let info = self
            .run(&SHOW_REAL_TIME_INFO_OF_MEETING, NO_INPUT, |api, ()| {
                api.show_real_time_info_of_meeting(self.id())
            })
            .await?;
        Ok(LiveMeeting::from_answer(info))
    }

    /// Mutes everyone but the host; with `allow_unmute` false they cannot unmute
    /// themselves.
    pub async fn mute_all(&self, allow_unmute: bool) -> Result<(), Error> {
        self.mute_meeting(true, Some(allow_unmute)).await
    }

    /// Unmutes everyone.
    pub async fn unmute_all(&self) -> Result<(), Error> {
        self.mute_meeting(false, None).await
    }

    async fn mute_meeting(&self, mute: bool, allow_unmute: Option<bool>) -> Result<(), Error> {
        let body = (|| -> Result<_, String> {
            Ok(RestMuteReqBody {
                is_mute: switch(mute)?,
                allow_unmute_by_oneself: allow_unmute.map(switch).transpose()?,
            })
        })();
        self.run(&MUTE_MEETING, body.as_ref(), |api, body| {
            api.mute_meeting(self.id(), body)
        })
        .await
    }

    /// Moves the end of the meeting `minutes` later (1 to 1440).
    pub async fn prolong(&self, minutes: u32) -> Result<(), Error> {
        let minutes = NonZeroU32::new(minutes)
            .filter(|m| m.get() <= 1440)
            .ok_or_else(|| format!("prolong by 1 to 1440 minutes, not {minutes}"));
        self.prolong_meeting(false, minutes.map(Some)).await
    }

    /// Lets the service prolong the meeting by itself when it nears its end.
    pub async fn prolong_automatically(&self) -> Result<(), Error> {
        self.prolong_meeting(true, Ok(None)).await
    }

    async fn prolong_meeting(
        &self,
        auto: bool,
        minutes: Result<Option<NonZeroU32>, String>,
    ) -> Result<(), Error> {
        let body = minutes.and_then(|duration| {
            Ok(RestProlongDurReqBody {
                auto: switch(auto)?,
                duration,
            })
        });
        self.run(&PROLONG_MEETING, body.as_ref(), |api, body| {
            api.prolong_meeting(self.id(), body)
        })
        .await
    }

    /// A one-use token that opens this meeting's event WebSocket within one minute.
    pub async fn websocket_token(&self) -> Result<WebSocketToken, Error> {
        let answer = self
            .run(&CREATE_WEB_SOCKET_TOKEN, NO_INPUT, |api, ()| {
                api.create_web_socket_token(self.id())
            })
            .await?;
        Ok(WebSocketToken(SecretString::from(answer.web_socket_token)))
    }

    /// Ends the meeting for everyone (its control tokens stop working).
    pub async fn stop(&self) -> Result<(), Error> {
        self.run(&STOP_MEETING, NO_INPUT, |api, ()| {
            api.stop_meeting(self.id())
        })
        .await
    }
}

impl Client {
    /// The state of the service's management site: whether it is failing, and where
    /// joins are redirected then. Needs credentials.
    pub async fn management_site_status(&self) -> Result<SiteStatus, Error> {
        let answer = self
            .run(&SHOW_MGMT_SITE_STATUS, NO_INPUT, |api, ()| {
                api.show_mgmt_site_status(None)
            })
            .await?;
        Ok(SiteStatus::from(answer))
    }
}

/// The state of the management site (see [`Client::management_site_status`]).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SiteStatus {
    /// `NORMAL`.
    Normal,
    /// `FAULT`, with the URL joins are redirected to, if the service gives one.
    Fault {
        /// Where joins go while the site fails.
        redirect_join_url: Option<String>,
    },
    /// A state this version does not know (or none), as the service says it.
    Other(Option<String>),
}

impl From<MgmtSiteStatus> for SiteStatus {
    fn from(answer: MgmtSiteStatus) -> Self {
        match answer.status.as_deref() {
            Some("NORMAL") => Self::Normal,
            Some("FAULT") => Self::Fault {
                redirect_join_url: answer.redirect_join_url.map(|url| crate::printable(&url)),
            },
            _ => Self::Other(answer.status.map(|s| crate::printable(&s))),
        }
    }
}

/// Who is in a meeting now (see [`Conference::live`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct LiveMeeting {
    /// The participants online: in the meeting, being called, or joining.
    pub participants: Vec<LiveParticipant>,
}

impl LiveMeeting {
    /// The host, if the service names one.
    pub fn host(&self) -> Option<&LiveParticipant> {
        self.participants.iter().find(|p| p.role == LiveRole::Host)
    }

    /// The first participant whose name is `name`.
    pub fn named(&self, name: &str) -> Option<&LiveParticipant> {
        self.participants
            .iter()
            .find(|p| p.name.as_deref() == Some(name))
    }
}

/// A participant online.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct LiveParticipant {
    /// The participant ID, what [`Conference::participant`] takes.
    pub id: String,
    /// The participant's name.
    pub name: Option<String>,
    /// The number it joined from or was called at.
    pub phone: Option<String>,
    /// Host, co-host or participant.
    pub role: LiveRole,
    /// Whether its microphone is muted, when the service says.
    pub muted: Option<bool>,
    /// Whether it has raised its hand, when the service says.
    pub hand_raised: Option<bool>,
    /// In the meeting, being called, or joining.
    pub state: LiveState,
}

/// A participant's role in the meeting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LiveRole {
    /// The host (`confInfo.chairID`).
    Host,
    /// A co-host.
    CoHost,
    /// Anyone else.
    Participant,
}

/// Where a participant online is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LiveState {
    /// In the meeting.
    InMeeting,
    /// Being called.
    Calling,
    /// Joining.
    Joining,
    /// A value this version does not know, or none.
    Other(Option<i32>),
}

impl LiveMeeting {
    fn from_answer(info: RealTimeInfo) -> Self {
        let chair = info.conf_info.as_ref().and_then(|c| c.chair_id.clone());
        let co_hosts = info.conf_info.map(|c| c.co_hosts).unwrap_or_default();
        let participants = info
            .participants
            .into_iter()
            .map(|p| LiveParticipant {
                role: if chair.as_deref() == Some(p.pid.as_str()) {
                    LiveRole::Host
                } else if co_hosts.contains(&p.pid) {
                    LiveRole::CoHost
                } else {
                    LiveRole::Participant
                },
                muted: p.mute.map(|m| m == 1),
                hand_raised: p.hand.map(|h| h == 1),
                state: match p.state {
                    Some(0) => LiveState::InMeeting,
                    Some(1) => LiveState::Calling,
                    Some(2) => LiveState::Joining,
                    other => LiveState::Other(other),
                },
                id: p.pid,
                name: p.name,
                phone: p.phone,
            })
            .collect();
        Self { participants }
    }
}

/// A token that opens a meeting's event WebSocket once (see
/// [`Conference::websocket_token`]). `Debug` redacts it.
#[derive(Clone, Debug)]
pub struct WebSocketToken(SecretString);

impl WebSocketToken {
    /// The token itself. Treat it as a secret: it travels in the WebSocket's URL.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

/// An on/off value of the wire (`0`/`1`) in its generated type.
pub(crate) fn switch<T: TryFrom<i32>>(on: bool) -> Result<T, String> {
    T::try_from(i32::from(on)).map_err(|_| "not a 0/1 value".to_owned())
}
