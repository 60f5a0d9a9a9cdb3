//! Prolong a meeting in progress by 15 minutes, then let the service prolong it by itself.

mod support;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, _sim) = support::connect().await?;
    let meeting = client
        .conference(support::conference_id())
        .with_host_password(support::host_password());
    meeting.prolong(15).await?;
    println!("prolonged {} by 15 minutes", meeting.id());
    meeting.prolong_automatically().await?;
    println!("it now prolongs by itself near its end");
    Ok(())
}
