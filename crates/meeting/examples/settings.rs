//! Lock sharing and let only enterprise users join a meeting in progress.

mod support;

use meeting::{CallInRestriction, ChatPermission, SettingsUpdate};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, _sim) = support::connect().await?;
    let meeting = client
        .conference(support::conference_id())
        .with_host_password(support::host_password());
    let update = SettingsUpdate::new()
        .lock_sharing(true)
        .call_in(CallInRestriction::EnterpriseUsers)
        .chat(ChatPermission::PublicOnly);
    meeting.update_settings(&update).await?;
    println!("updated {}: {update:?}", meeting.id());
    Ok(())
}
