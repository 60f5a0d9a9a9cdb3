//! Mute everyone but the host (they may not unmute themselves), unmute one participant,
//! then everyone.

mod support;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, _sim) = support::connect().await?;
    let meeting = client
        .conference(support::conference_id())
        .with_host_password(support::host_password());
    meeting.mute_all(false).await?;
    println!("muted everyone in {}", meeting.id());
    let live = meeting.live().await?;
    if let Some(first) = live.participants.first() {
        meeting.participant(&first.id).unmute().await?;
        println!("unmuted {}", first.id);
    }
    meeting.unmute_all().await?;
    println!("unmuted everyone");
    Ok(())
}
