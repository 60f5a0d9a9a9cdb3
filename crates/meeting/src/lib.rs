#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

// Layers, each using only those below it: values (error, clock, retry, credentials,
// settings, store), the runtime, tokens, the client and its call pipeline, the
// handles (conference), and the operation families (meeting, participants, roles,
// spotlight, waiting, recording, management, webhook).
mod calendar;
mod client;
pub mod clock;
mod conference;
mod credentials;
mod display;
mod error;
#[cfg(feature = "events")]
pub mod events;
#[cfg(feature = "fleet")]
pub mod fleet;
mod history;
mod interpretation;
mod layout;
mod listing;
pub mod logging;
mod management;
mod meeting;
mod participants;
mod printable;
mod recording;
mod recordings;
mod recurrence;
mod retry;
mod roles;
mod runtime;
mod search;
mod settings;
mod spotlight;
pub mod store;
mod tokens;
mod waiting;
pub mod webhook;

pub use client::{
    Client, ClientBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_BODY,
    DEFAULT_REMEMBER_REFUSALS, DEFAULT_REQUEST_TIMEOUT, Region,
};
pub use conference::{Conference, Participant};
pub use credentials::{AppId, Credentials};
pub use display::{DisplayMode, HostView};
pub use error::{ConfigError, Context, Error, ErrorKind, Refusal, Result, ServiceError};
pub use printable::printable;
// The operation families' public types (their methods are on the handles).
pub use history::{AttendanceRecord, PastMeeting};
pub use interpretation::{
    Interpreter, InterpreterGroup, Language, LanguageChannel, UnknownLanguage,
};
pub use layout::{
    Grid, Layout, LayoutError, MultiPicture, MultiPictureBuilder, Picture, SavedLayout,
};
pub use listing::{DEFAULT_PAGE_SIZE, Listing, MAX_PAGE_SIZE};
pub use management::*;
pub use meeting::*;
pub use participants::*;
pub use recording::MmrRecording;
pub use recordings::{Recording, RecordingFile};
pub use recurrence::{Day, Recurrence};
pub use retry::{DEFAULT_RETRY_BUDGET, RetryPolicy};
pub use search::{Attendee, MeetingSearch, Within};
pub use settings::{
    AudienceCallInRestriction, CallInRestriction, ChatPermission, LocalRecording, SettingsUpdate,
};
pub use spotlight::AttendeeRef;
pub use tokens::{AccessTokenInfo, ControlTokenInfo, Role};
