//! Lock a meeting, then unlock it.

mod support;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, _sim) = support::connect().await?;
    let meeting = client
        .conference(support::conference_id())
        .with_host_password(support::host_password());
    meeting.lock().await?;
    println!("locked {}", meeting.id());
    meeting.unlock().await?;
    println!("unlocked {}", meeting.id());
    Ok(())
}
