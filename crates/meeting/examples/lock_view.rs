//! Lock a professional terminal's view to its own video source, then unlock it.

mod support;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, _sim) = support::connect().await?;
    let meeting = client
        .conference(support::conference_id())
        .with_host_password(support::host_password());
    let terminal =
        std::env::var("MEETING_PARTICIPANT_ID").unwrap_or_else(|_| support::TERMINAL.to_owned());
    meeting.participant(&terminal).lock_video().await?;
    println!("locked the video of {terminal}");
    meeting.participant(&terminal).unlock_video().await?;
    println!("unlocked the video of {terminal}");
    Ok(())
}
