//! Token stores: where a client keeps its access and control tokens so that other
//! clients, in this process or in others, use the same ones instead of logging in
//! again. The service lets one account hold 64 live access tokens; past that every
//! login evicts the oldest, so a fleet that logs in once per process evicts its own
//! tokens in a loop.
//!
//! A client without a store keeps its tokens to itself, in memory (the default). With
//! one ([`ClientBuilder::token_store`](crate::ClientBuilder::token_store)) it reads a
//! token from the store before fetching one, and when the token is missing or due, one
//! client takes the store's fetch lock and fetches while the others wait for its
//! result. A token the service refuses is discarded from the store only if the store
//! still holds it, so it is replaced once, not once per client.
//!
//! - [`MemoryStore`]: shared by the clients of one process.
//! - [`FileStore`]: shared by the processes of one user (the CLI's default).
//! - `RedisStore` (feature `redis`): shared by a fleet.
//!
//! Passwords and app keys are never stored. Keys are hashes of the endpoint, the
//! identity (account or App ID) and the conference: no key shows an account or a
//! conference ID. Beside each token, the store keeps what the service said about it
//! (the user ID and name, the role, the expiry). Tokens are secrets: whoever can read the store can act with
//! them until they expire, so give it the protection you give the credentials.
//!
//! When a store fails (Redis down, say), calls go on with the client's own in-memory
//! tokens, with one warning, and the store is tried again a few seconds later.

mod file;
mod memory;
mod protocol;
#[cfg(feature = "redis")]
mod redis;

pub use file::FileStore;
pub use memory::MemoryStore;
pub(crate) use protocol::Scope;
pub use protocol::{
    ACCESS_TOKEN_PREFIX, CONTROL_TOKEN_PREFIX, LockId, StoreError, StoredToken, TokenStore,
};
#[cfg(feature = "redis")]
pub use redis::RedisStore;
