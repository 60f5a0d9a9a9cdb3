//! Logging without secrets. This crate's own records never hold a secret at any level:
//! tokens, passwords and keys are redacted, frames are logged without their `data`. Some
//! dependencies log payloads at `debug` and `trace`, and a payload may hold one:
//!
//! - `tungstenite` (and `tokio_tungstenite`): at `trace`, the WebSocket upgrade request
//!   (its URL carries the one-use `tmpToken`) and every frame in hex (a Subscribe frame
//!   holds the control token, Base64-encoded; the service's frames hold participants'
//!   names and numbers); at `debug`, close frames and the URLs it connects to.
//! - `h2`, `hyper`, `hyper_util`, `reqwest`: at `trace` and `debug`, connection and frame
//!   details (header frames, URLs).
//! - `redis`: at `debug`, connection details of the URL it was given.
//!
//! A subscriber that enables `trace` for every target (`RUST_LOG=trace`) writes those
//! records. Cap the targets at `info`: [`SECRET_SAFE_DIRECTIVES`] appended to an
//! `EnvFilter`'s directives does it for any directive of the same target; a directive of
//! yours for a longer target (`tungstenite::protocol=trace`) still wins over it, so a
//! separate filter over [`SECRET_BEARING_TARGETS`] (as the `meeting` tool does) is the
//! sure way:
//!
//! ```
//! let filter = format!("trace,{}", meeting::logging::SECRET_SAFE_DIRECTIVES);
//! assert!(filter.contains("tungstenite=info"));
//! ```

/// The dependencies' targets that log payloads (and so, possibly, secrets) below `info`.
pub const SECRET_BEARING_TARGETS: &[&str] = &[
    "tungstenite",
    "tokio_tungstenite",
    "h2",
    "hyper",
    "hyper_util",
    "reqwest",
    "redis",
];

/// [`SECRET_BEARING_TARGETS`] capped at `info`, as `EnvFilter` directives: append them
/// after yours (`format!("{yours},{SECRET_SAFE_DIRECTIVES}")`).
pub const SECRET_SAFE_DIRECTIVES: &str = "tungstenite=info,tokio_tungstenite=info,h2=info,hyper=info,hyper_util=info,reqwest=info,redis=info";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_directives_cap_every_target() {
        let directives: Vec<&str> = SECRET_SAFE_DIRECTIVES.split(',').collect();
        let capped: Vec<String> = SECRET_BEARING_TARGETS
            .iter()
            .map(|t| format!("{t}=info"))
            .collect();
        assert_eq!(directives, capped);
    }
}
