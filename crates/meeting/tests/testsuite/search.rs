//! Finding meetings against the simulator: paging across 1,000 meetings with the
//! service's page limit, a list that changes while it is read, running meetings and
//! their attendees.

use crate::common;

use common::*;
use futures::TryStreamExt;
use meeting::{MeetingState, NewMeeting, Within};
use meeting_sim::{ConferenceSeed, ConferenceState, Simulator};

async fn with_meetings(n: usize) -> meeting_sim::SimHandle {
    let mut seed = seed();
    seed.conferences.extend((0..n).map(|i| {
        ConferenceSeed::new(
            format!("7{i:08}"),
            HOST_PASSWORD,
            ConferenceState::Scheduled,
        )
    }));
    Simulator::new().seed(seed).start().await.expect("starts")
}

#[tokio::test]
async fn a_thousand_meetings_are_each_listed_once_in_pages_of_the_services_limit() {
    let sim = with_meetings(1000).await;
    let expected = sim
        .state()
        .conferences
        .into_iter()
        .filter(|c| {
            matches!(
                c.state,
                ConferenceState::Scheduled | ConferenceState::Ongoing
            )
        })
        .count();
    let before = sim.counters().requests_for("SearchMeetings");
    let listed = client(&sim)
        .meetings()
        .all_users()
        .page_size(500)
        .list()
        .expect("a valid search")
        .collect_all()
        .await
        .expect("listed");
    assert_eq!(listed.len(), expected);
    let mut ids: Vec<_> = listed.iter().map(|m| m.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), expected, "each once");
    let pages = sim.counters().requests_for("SearchMeetings") - before;
    assert_eq!(pages as usize, expected.div_ceil(500));

    // Read lazily: ten meetings take one page.
    let before = sim.counters().requests_for("SearchMeetings");
    let first = client(&sim)
        .meetings()
        .all_users()
        .limit(10)
        .list()
        .expect("valid")
        .collect_all()
        .await
        .expect("listed");
    assert_eq!(first.len(), 10);
    assert_eq!(sim.counters().requests_for("SearchMeetings") - before, 1);

    // The service's limit, said before anything is sent.
    assert!(client(&sim).meetings().page_size(501).list().is_err());
    assert!(client(&sim).meetings().matching("").list().is_err());
    assert!(
        client(&sim)
            .ongoing_meetings()
            .starting_within(Within::Day)
            .list()
            .is_err()
    );
}

#[tokio::test]
async fn a_meeting_scheduled_while_the_list_is_read_repeats_nothing() {
    let sim = with_meetings(30).await;
    let client = client(&sim);
    let mut listing = client
        .meetings()
        .all_users()
        .page_size(10)
        .list()
        .expect("valid");
    let mut seen = Vec::new();
    for _ in 0..10 {
        seen.push(listing.try_next().await.expect("ok").expect("a meeting").id);
    }
    // Scheduled before every other: it shifts the list by one.
    client
        .create_meeting(&NewMeeting::new("Early").starts_at("2000-01-01 00:00"))
        .await
        .expect("created");
    while let Some(meeting) = listing.try_next().await.expect("ok") {
        seen.push(meeting.id);
    }
    let mut unique = seen.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), seen.len(), "no meeting twice");
}

#[tokio::test]
async fn running_meetings_and_their_attendees() {
    let sim = sim().await;
    let client = client(&sim);
    let running = client
        .ongoing_meetings()
        .all_users()
        .list()
        .expect("valid")
        .collect_all()
        .await
        .expect("listed");
    assert!(running.iter().all(|m| m.state == MeetingState::InProgress));
    assert!(running.iter().any(|m| m.id == CONF));
    assert!(!running.iter().any(|m| m.id == SCHEDULED));

    let found = client
        .meetings()
        .all_users()
        .matching(SCHEDULED)
        .list()
        .expect("valid")
        .collect_all()
        .await
        .expect("listed");
    assert_eq!(found.len(), 1);
    assert!(found[0].uuid.is_some());

    let attendees = client
        .conference(CONF)
        .attendees(None)
        .expect("valid")
        .collect_all()
        .await
        .expect("listed");
    assert_eq!(attendees.len(), 2);
    let laptop = client
        .conference(CONF)
        .attendees(Some("laptop"))
        .expect("valid")
        .collect_all()
        .await
        .expect("listed");
    assert_eq!(
        laptop.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(),
        [LAPTOP]
    );
}

/// The meeting a number is in, as the simulator's participants say: called in, found;
/// hung up, or never called, none. An empty number is refused before sending.
#[tokio::test]
async fn the_meeting_a_number_is_in() {
    let sim = sim().await;
    let client = client(&sim);
    let number = "+8613800000001";
    assert!(
        client
            .meeting_of_number(number)
            .await
            .expect("asked")
            .is_none()
    );
    let meeting = client.conference(CONF).with_host_password(HOST_PASSWORD);
    meeting
        .invite(&[meeting::Invitee::phone(number)])
        .await
        .expect("called in");
    let found = client.meeting_of_number(number).await.expect("asked");
    assert_eq!(found.as_ref().map(|c| c.id()), Some(CONF));
    let called = sim
        .conference(CONF)
        .expect("seeded")
        .participants
        .into_iter()
        .find(|p| p.phone.as_deref() == Some(number))
        .expect("the one called");
    meeting
        .participant(&called.id)
        .hang_up()
        .await
        .expect("hung up");
    assert!(
        client
            .meeting_of_number(number)
            .await
            .expect("asked")
            .is_none()
    );
    let requests = sim.counters().requests_for("CheckCallNumberInConf");
    let err = client.meeting_of_number(" ").await.expect_err("empty");
    assert_eq!(err.kind(), meeting::ErrorKind::InvalidInput);
    assert_eq!(
        sim.counters().requests_for("CheckCallNumberInConf"),
        requests
    );
}

/// A running meeting's attendees with their join data, in pages of 100, agree with
/// what `live()` sees: the same IDs, names and numbers; a search narrows them by number.
#[tokio::test]
async fn online_attendees_agree_with_the_live_state() {
    let sim = sim().await;
    let client = client(&sim);
    let meeting = client.conference(CONF).with_host_password(HOST_PASSWORD);
    let numbers: Vec<String> = (0..120).map(|i| format!("+8613800001{i:03}")).collect();
    let invitees: Vec<_> = numbers.iter().map(meeting::Invitee::phone).collect();
    meeting.invite(&invitees).await.expect("called in");
    let listed = meeting
        .online_attendees(None)
        .expect("a listing")
        .collect_all()
        .await
        .expect("listed");
    let live = meeting.live().await.expect("live");
    let mut from_listing: Vec<_> = listed
        .iter()
        .map(|a| (a.id.clone(), a.name.clone(), a.number.clone()))
        .collect();
    let mut from_live: Vec<_> = live
        .participants
        .iter()
        .map(|p| (p.id.clone(), p.name.clone(), p.phone.clone()))
        .collect();
    from_listing.sort();
    from_live.sort();
    assert_eq!(from_listing, from_live);
    assert!(listed.len() > 120, "{}", listed.len());
    assert_eq!(sim.counters().requests_for("ListOnlineConfAttendee"), 2);
    let found = meeting
        .online_attendees(Some(&numbers[103]))
        .expect("a listing")
        .collect_all()
        .await
        .expect("listed");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].number.as_deref(), Some(numbers[103].as_str()));
    let err = meeting
        .online_attendees(Some(""))
        .expect_err("an empty search");
    assert_eq!(err.kind(), meeting::ErrorKind::InvalidInput);
}
