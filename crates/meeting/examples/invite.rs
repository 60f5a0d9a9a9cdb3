//! Call someone into a meeting in progress, then hang them up (neither is retried: a
//! repeat would call twice, or fail).

use meeting::Invitee;

mod support;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, _sim) = support::connect().await?;
    let meeting = client
        .conference(support::conference_id())
        .with_host_password(support::host_password());
    meeting
        .invite(&[Invitee::phone("+8613800000000").name("Carol")])
        .await?;
    println!("called Carol into {}", meeting.id());
    if let Some(carol) = meeting.live().await?.named("Carol") {
        meeting.participant(&carol.id).hang_up().await?;
        println!("hung up {}", carol.id);
    }
    Ok(())
}
