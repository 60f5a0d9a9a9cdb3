//! Check the credentials: log in and say who and until when.

mod support;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, _sim) = support::connect().await?;
    let who = client.login().await?;
    println!(
        "logged in as {:?}, token valid for {:?}",
        who.user_id, who.valid_for
    );
    Ok(())
}
