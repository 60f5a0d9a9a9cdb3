//! Cancel a scheduled meeting, and end one in progress.

mod support;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, _sim) = support::connect().await?;
    let scheduled =
        std::env::var("MEETING_SCHEDULED_ID").unwrap_or_else(|_| "914087436".to_owned());
    client.conference(&scheduled).cancel().await?;
    println!("cancelled {scheduled}");
    let running = support::conference_id();
    client.conference(&running).end().await?;
    println!("ended {running}");
    Ok(())
}
