//! End a meeting in progress for everyone.

mod support;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, _sim) = support::connect().await?;
    let meeting = client
        .conference(support::conference_id())
        .with_host_password(support::host_password());
    meeting.stop().await?;
    println!("ended {}", meeting.id());
    Ok(())
}
