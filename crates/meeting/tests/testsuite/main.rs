//! The integration tests of `meeting`, one module per concern, in one binary (as
//! cargo's `tests/testsuite`): linked once instead of once per file.

mod common;
mod coverage;
mod display;
mod event_form;
mod events;
mod events_properties;
mod fleet;
mod history;
mod host_password;
mod hostile;
mod hostile_answers;
mod in_meeting;
mod interpretation;
mod official_sdk;
mod operations;
mod properties;
mod quality;
mod recording;
mod recordings;
mod reliability;
mod retries;
mod roles;
mod search;
mod secrets;
mod series;
mod spotlight;
mod telemetry;
mod token_store;
mod tokens;
mod waiting;
mod webhook;
mod webhook_e2e;
mod webinar;
