//! Obtain a meeting control token and show what the service says about it (not the token).

mod support;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, _sim) = support::connect().await?;
    let meeting = client
        .conference(support::conference_id())
        .with_host_password(support::host_password());
    let info = meeting.control_token_info().await?;
    println!(
        "role {:?}, valid for {:?}, events at {:?}",
        info.role, info.valid_for, info.ws_url
    );
    Ok(())
}
