//! The names and secrets of [`crate::Seed::example`], for tests, examples and demos to
//! name instead of spelling the values again. The secrets are the simulator's own
//! inventions.
//!
//! ```
//! use meeting_sim::example::{CONFERENCE, HOST_PASSWORD};
//! use meeting_sim::Seed;
//!
//! let seed = Seed::example();
//! assert!(seed.conferences.iter().any(|c| c.id == CONFERENCE && c.host_password == HOST_PASSWORD));
//! ```

/// The administrator's account.
pub const ADMIN: &str = "meeting_admin";
/// The administrator's password.
pub const ADMIN_PASSWORD: &str = "Admin-pass-2026";
/// Alice, who organizes every example meeting.
pub const ALICE: &str = "alice";
/// Alice's password.
pub const ALICE_PASSWORD: &str = "Alice-pass-2026";
/// The single-enterprise App ID.
pub const APP_ID: &str = "6d8a1e1b2e4c4a5f9b0c7d3e2f1a0b9c";
/// Its app key.
pub const APP_KEY: &str = "sim-app-key-single";
/// The service provider's App ID.
pub const SP_APP_ID: &str = "a1b2c3d4e5f60718293a4b5c6d7e8f90";
/// Its app key.
pub const SP_APP_KEY: &str = "sim-app-key-multi";
/// The meeting in progress that the examples control.
pub const CONFERENCE: &str = "914083136";
/// Its host password.
pub const HOST_PASSWORD: &str = "654321";
/// Its board-room terminal ("Board room TE50"), a participant.
pub const TERMINAL: &str = "6a1acfe867f211eaa1cd59f41ff47e04";
/// Alice's laptop ("Alice (laptop)"), a participant.
pub const LAPTOP: &str = "f131536e21ff11eab12735e1cddf6d01";
/// A second meeting in progress.
pub const OTHER_CONFERENCE: &str = "900244663";
/// Its host password.
pub const OTHER_HOST_PASSWORD: &str = "123456";
/// A scheduled meeting, not started.
pub const SCHEDULED: &str = "914087436";
/// Its host password.
pub const SCHEDULED_HOST_PASSWORD: &str = "000000";
/// The enterprise's webinar room (a VMR of the webinar mode, for 500).
pub const WEBINAR_ROOM: &str = "ff808081838b4f3f0183a8f4ef6a0201";
/// The subscriber ID the simulator's event pushes carry by default.
pub const SUBSCRIBER: &str = "12345678";
