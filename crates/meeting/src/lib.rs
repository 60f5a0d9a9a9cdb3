#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

// Layers, each using only those below it: values (error, clock, retry, credentials,
// settings, layout, recurrence, store), the runtime, tokens, the client and its call
// pipeline, the handles (conference), and the operation families (`api`, one module
// per family of the spec's tags).
mod api;
mod calendar;
mod client;
pub mod clock;
mod conference;
mod credentials;
mod error;
#[cfg(feature = "events")]
pub mod events;
#[cfg(feature = "fleet")]
pub mod fleet;
mod layout;
mod listing;
pub mod logging;
mod printable;
mod recurrence;
mod retry;
mod runtime;
mod settings;
pub mod store;
pub mod telemetry;
mod tokens;
pub mod webhook;

pub use api::display::{DisplayMode, HostView};
pub use client::{
    Client, ClientBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_BODY,
    DEFAULT_REMEMBER_REFUSALS, DEFAULT_REQUEST_TIMEOUT, Region,
};
pub use conference::{Conference, Participant};
pub use credentials::{AppId, Credentials};
pub use error::{ConfigError, Context, Error, ErrorKind, Refusal, Result, ServiceError};
pub use printable::printable;
// The operation families' public types (their methods are on the handles).
pub use api::archive::{Recording, RecordingFile, RecordingSegment, SegmentFile};
pub use api::control::*;
pub use api::history::{AttendanceRecord, ControlRecord, PastMeeting};
pub use api::interpretation::{
    Interpreter, InterpreterGroup, Language, LanguageChannel, UnknownLanguage,
};
pub use api::management::*;
pub use api::participants::*;
pub use api::quality::{
    AttendanceBy, AttendanceStats, MeetingStats, Period, ResourceKind, ResourceStats, StatsPeriod,
    UserStats, UserStatsKind,
};
pub use api::quality::{
    CpuThreshold, Held, MAX_QUALITY_PARTICIPANTS, MediaStreams, Metric, NetRating, NetworkQuality,
    QosAlarms, QosDetail, QosKind, QosMeeting, QosParticipant, QosPoint, QosSeries, QosThresholds,
    QosThresholdsUpdate, StreamQuality, Threshold, Way,
};
pub use api::recording::MmrRecording;
pub use api::search::{Attendee, MeetingSearch, OnlineAttendee, Within};
pub use api::spotlight::AttendeeRef;
pub use api::webinar::{
    MAX_PANELISTS, NewWebinar, Panelist, RoomSettings, Webinar, WebinarDetails, WebinarPhase,
    WebinarSearch, WebinarSummary,
};
#[cfg(feature = "uploads")]
pub use api::webinar::{UploadedImage, WebinarImage};
pub use layout::{
    Grid, Layout, LayoutError, MultiPicture, MultiPictureBuilder, Picture, SavedLayout,
};
pub use listing::{DEFAULT_PAGE_SIZE, Listing, MAX_PAGE_SIZE};
pub use recurrence::{Day, Recurrence};
pub use retry::{DEFAULT_RETRY_BUDGET, RetryPolicy};
pub use settings::{
    AudienceCallInRestriction, CallInRestriction, ChatPermission, LocalRecording, SettingsUpdate,
};
pub use tokens::{AccessTokenInfo, ControlTokenInfo, Role};
