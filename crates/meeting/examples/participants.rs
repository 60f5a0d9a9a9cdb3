//! Who is in a meeting in progress: the participant IDs that lock_view, mute and
//! hang_up take.

mod support;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, _sim) = support::connect().await?;
    let meeting = client
        .conference(support::conference_id())
        .with_host_password(support::host_password());
    for p in meeting.live().await?.participants {
        println!("{} {:?} {:?} muted={:?}", p.id, p.name, p.role, p.muted);
    }
    Ok(())
}
