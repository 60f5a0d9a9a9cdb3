//! `meeting demo`: the whole flow through the `meeting` crate, on a simulator started
//! in this process on loopback. Nothing leaves the machine.

use std::time::Duration;

use meeting::{CallInRestriction, Client, Credentials, SettingsUpdate};
use meeting_sim::{Seed, SimHandle, Simulator};

use crate::output::{self, Failure};

const CONFERENCE: &str = "914083136";
const TERMINAL: &str = "6a1acfe867f211eaa1cd59f41ff47e04";
const ACCOUNT: &str = "meeting_admin";
// The example seed's made-up secrets, never printed all the same.
const PASSWORD: &str = "Admin-pass-2026";
const HOST_PASSWORD: &str = "654321";

fn step(n: u32, what: &str, result: &str) {
    println!("{n}. {what:<22} ok  {result}");
}

pub async fn run() -> Result<(), Failure> {
    println!(
        "meeting demo: the whole flow on an embedded simulator (nothing leaves this machine)\n"
    );
    let sim = Simulator::new()
        .seed(Seed::example())
        .start()
        .await
        .map_err(|e| Failure::Usage(format!("cannot start the simulator: {e}")))?;
    println!(
        "simulator at {}: meeting {CONFERENCE} in progress, with a professional terminal\n",
        sim.base_url()
    );
    let client = Client::builder()
        .endpoint(sim.base_url())
        .credentials(Credentials::account(ACCOUNT, PASSWORD))
        .build()?;
    let meeting = client
        .conference(CONFERENCE)
        .with_host_password(HOST_PASSWORD);
    let view = |sim: &SimHandle| {
        sim.conference(CONFERENCE)
            .ok_or_else(|| Failure::Usage("the seeded meeting vanished".into()))
    };

    let who = client.login().await?;
    let valid = who
        .valid_for
        .map(output::duration)
        .unwrap_or_else(|| "?".into());
    step(
        1,
        "log in",
        &format!("as {ACCOUNT}, access token valid {valid}"),
    );

    let token = meeting.control_token_info().await?;
    let valid = token
        .valid_for
        .map(output::duration)
        .unwrap_or_else(|| "?".into());
    step(
        2,
        "control token",
        &format!(
            "role {:?}, valid {valid} (kept alive automatically)",
            token.role
        ),
    );

    meeting.lock().await?;
    step(
        3,
        "lock",
        &format!("simulator: locked = {}", view(&sim)?.locked),
    );

    meeting.unlock().await?;
    step(
        4,
        "unlock",
        &format!("simulator: locked = {}", view(&sim)?.locked),
    );

    meeting
        .update_settings(
            &SettingsUpdate::new()
                .lock_sharing(true)
                .call_in(CallInRestriction::EnterpriseUsers),
        )
        .await?;
    let settings = view(&sim)?.settings;
    step(
        5,
        "lock sharing, call-in",
        &format!(
            "simulator: lockSharing = {}, callInRestriction = {} (enterprise users)",
            settings.lock_sharing, settings.call_in_restriction
        ),
    );

    meeting.participant(TERMINAL).lock_video().await?;
    let terminal = view(&sim)?
        .participants
        .into_iter()
        .find(|p| p.id == TERMINAL);
    let locked_to = terminal
        .and_then(|p| p.view_locked_to)
        .unwrap_or_else(|| "nothing".into());
    step(
        6,
        "lock terminal video",
        &format!("simulator: terminal {TERMINAL} view locked to {locked_to}"),
    );

    meeting.end().await?;
    step(
        7,
        "end the meeting",
        &format!("simulator: state = {:?}", view(&sim)?.state),
    );

    match meeting.lock().await {
        Err(e) => step(
            8,
            "lock after the end",
            &format!("refused, as it should be: {e}"),
        ),
        Ok(()) => return Err(Failure::Usage("the ended meeting accepted a lock".into())),
    }

    let c = sim.counters();
    println!("\nsimulator counters:");
    for (operation, count) in &c.requests {
        println!("  {operation:<24} {count} request(s)");
    }
    println!(
        "  logins {}, control-token grants {}, keep-alives {}, errors {:?}",
        c.logins(),
        c.control_token_grants,
        c.control_token_keepalives,
        c.errors
    );
    tokio::time::timeout(Duration::from_secs(5), sim.shutdown())
        .await
        .map_err(|_| Failure::Usage("the simulator did not stop".into()))?;
    Ok(())
}
