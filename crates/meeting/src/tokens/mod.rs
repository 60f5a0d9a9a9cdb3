//! Tokens: how each is obtained ([`access`]: logging in; [`control`]: the conference
//! control token), what an operation sends ([`auth`]), and the cache both share
//! ([`cell`]): one for the access token and one per conference for control tokens.
//! Each refreshes ahead of expiry, with one fetch at a time however many calls wait
//! for it (single flight), and forgets a token the service refused. A client with a
//! token store links its cells to it ([`shared`]): a cell then reads the store before
//! fetching, and other processes share its token.
//!
//! Layers, each using only those below it: [`token`], [`shared`], [`cell`], then
//! [`access`] and [`control`], then [`auth`].

pub(crate) mod access;
pub(crate) mod auth;
pub(crate) mod cell;
pub(crate) mod control;
pub(crate) mod shared;
pub(crate) mod token;

pub use access::AccessTokenInfo;
pub use control::{ControlTokenInfo, Role};
