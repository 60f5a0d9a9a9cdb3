#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

mod client;
pub mod clock;
mod control;
mod credentials;
mod error;
mod in_meeting;
mod management;
mod retry;
mod settings;
pub mod store;
mod tokens;

pub use client::{
    Client, ClientBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_BODY,
    DEFAULT_REMEMBER_REFUSALS, DEFAULT_REQUEST_TIMEOUT, Region,
};
pub use control::{Conference, Participant};
pub use credentials::{AppId, Credentials};
pub use error::{ConfigError, Context, Error, ErrorKind, Result, ServiceError};
pub use in_meeting::{Invitee, LiveMeeting, LiveParticipant, LiveRole, LiveState};
pub use management::{CreatedMeeting, MeetingDetails, MeetingState, NewMeeting};
pub use retry::{DEFAULT_RETRY_BUDGET, RetryPolicy};
pub use settings::{
    AudienceCallInRestriction, CallInRestriction, ChatPermission, LocalRecording, SettingsUpdate,
};
pub use tokens::{AccessTokenInfo, ControlTokenInfo, Role};
