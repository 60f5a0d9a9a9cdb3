//! The integration tests of `meeting-cli`, one module per concern, in one binary (as
//! cargo's `tests/testsuite`): linked once instead of once per file.

mod charts;
mod cli;
mod common;
mod display;
mod finding;
mod fleet;
mod hostile;
mod recording;
mod roles;
mod spotlight;
mod token_store;
mod watch;
mod webhook;
mod webhook_hostile;
mod webinar;
