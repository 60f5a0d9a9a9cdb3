#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

mod auth;
mod client;
pub mod clock;
mod config;
mod control;
mod credentials;
mod error;
mod management;
mod retry;
mod settings;
mod tokens;

pub use client::{AccessTokenInfo, Client};
pub use config::{ClientBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT, Region};
pub use control::{Conference, ControlTokenInfo, Participant, Role};
pub use credentials::{AppId, Credentials};
pub use error::{Context, Error, ErrorKind, Result, ServiceError};
pub use retry::RetryPolicy;
pub use settings::{
    AudienceCallInRestriction, CallInRestriction, ChatPermission, LocalRecording, SettingsUpdate,
};
