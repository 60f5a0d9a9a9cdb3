//! Schedule a meeting, read its details back, and cancel it. Needs credentials.

use std::time::Duration;

use meeting::{Invitee, NewMeeting};

mod support;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, _sim) = support::connect().await?;
    let created = client
        .create_meeting(
            &NewMeeting::new("Board review")
                .starts_at("2026-12-01 09:00")
                .lasts(Duration::from_secs(3600))
                .invite(Invitee::phone("+8613800000000").name("Carol")),
        )
        .await?;
    println!(
        "scheduled {} ({:?} to {:?})",
        created.id, created.start_time, created.end_time
    );
    let meeting = created.conference();
    let details = meeting.details().await?;
    println!("{:?}: {:?}", details.subject, details.state);
    meeting.cancel().await?;
    println!("cancelled {}", created.id);
    Ok(())
}
