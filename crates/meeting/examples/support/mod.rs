//! Shared by the examples: a client for the real service when `MEETING_ENDPOINT` or
//! `MEETING_REGION` is set, otherwise for a simulator started here with the example seed.

// Each example uses a part of this module.
#![allow(dead_code, unused_imports)]

use meeting::{Client, Credentials};
use meeting_sim::{Seed, SimHandle, Simulator};

/// The example seed's conference in progress, its host password and its terminal.
pub use meeting_sim::example::{CONFERENCE, HOST_PASSWORD, TERMINAL};

/// The client, and the simulator if one was started (keep it alive while you use the client).
pub async fn connect() -> Result<(Client, Option<SimHandle>), Box<dyn std::error::Error>> {
    if std::env::var_os("MEETING_ENDPOINT").is_some()
        || std::env::var_os("MEETING_REGION").is_some()
    {
        return Ok((Client::from_env()?, None));
    }
    let sim = Simulator::new().seed(Seed::example()).start().await?;
    println!(
        "(no MEETING_ENDPOINT: using a simulator at {})",
        sim.base_url()
    );
    let client = Client::builder()
        .endpoint(sim.base_url())
        .credentials(Credentials::account("meeting_admin", "Admin-pass-2026"))
        .build()?;
    Ok((client, Some(sim)))
}

/// The conference to act on: `MEETING_CONFERENCE_ID` or the seed's.
pub fn conference_id() -> String {
    std::env::var("MEETING_CONFERENCE_ID").unwrap_or_else(|_| CONFERENCE.to_owned())
}

/// The host password: `MEETING_HOST_PASSWORD` or the seed's.
pub fn host_password() -> String {
    std::env::var("MEETING_HOST_PASSWORD").unwrap_or_else(|_| HOST_PASSWORD.to_owned())
}
