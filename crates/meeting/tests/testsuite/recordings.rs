//! Recordings against the simulator: a meeting recorded with the recording calls is
//! found with its length, its links are secrets kept out of Debug and logs, and it is
//! deleted.

use crate::common;

use std::time::Duration;

use common::*;
use meeting::{ErrorKind, NewMeeting};
use meeting_sim::ParticipantSeed;

#[tokio::test(flavor = "current_thread")]
async fn a_recorded_meeting_is_listed_downloaded_and_deleted_without_leaking_its_links() {
    let logs = capture_logs();
    let sim = sim().await;
    let client = client(&sim);
    let created = client
        .create_meeting(&NewMeeting::new("Compliance call"))
        .await
        .expect("created");
    assert!(sim.join(&created.id, ParticipantSeed::client("p-erin", "Erin")));
    let meeting = created.conference();
    meeting.start_recording().await.expect("records");
    sim.advance_clock(Duration::from_secs(90));
    meeting.stop_recording().await.expect("stops");
    meeting.start_recording().await.expect("records again");
    sim.advance_clock(Duration::from_secs(30));
    meeting
        .stop()
        .await
        .expect("the meeting's end stops the recording");

    let found = client
        .recordings()
        .all_users()
        .matching(&created.id)
        .list()
        .expect("valid")
        .collect_all()
        .await
        .expect("listed");
    assert_eq!(found.len(), 1);
    let listed = &found[0];
    assert_eq!(listed.meeting.as_deref(), Some(created.id.as_str()));
    assert_eq!(listed.seconds, Some(120), "both segments");
    assert!(listed.watch_urls.is_empty(), "a list gives no links");

    let detail = client.recording(&listed.uuid).await.expect("detail");
    assert_eq!(detail.watch_urls.len(), 1);
    let files = client
        .recording_downloads(&listed.uuid)
        .await
        .expect("links");
    let kinds: Vec<_> = files.iter().filter_map(|f| f.kind.as_deref()).collect();
    assert_eq!(kinds, ["Hd", "Sd"]);
    let again = client
        .recording_downloads(&listed.uuid)
        .await
        .expect("links");
    assert_ne!(
        files[0].expose_url(),
        again[0].expose_url(),
        "each answer's links are new"
    );

    // The recording service's view: a segment per start, a file each, their sizes at
    // the simulator's rate (1 MB per 10 s), digests, and links of their own.
    let segments = client
        .recording_segments(&listed.uuid)
        .expect("valid")
        .collect_all()
        .await
        .expect("segments");
    let seconds: Vec<_> = segments
        .iter()
        .map(|s| {
            (
                s.order,
                s.files.iter().filter_map(|f| f.seconds).sum::<i64>(),
            )
        })
        .collect();
    assert_eq!(seconds, [(1, 90), (2, 30)]);
    assert_eq!(segments[0].size_bytes, Some(9_000_000));
    let segment_files: Vec<_> = segments.iter().flat_map(|s| &s.files).collect();
    assert!(
        segment_files
            .iter()
            .all(|f| f.sha256.as_ref().is_some_and(|d| d.len() == 64))
    );
    let segment_links: Vec<String> = segment_files
        .iter()
        .flat_map(|f| [f.expose_play_url(), f.expose_download_url()])
        .map(|link| link.expect("a link").to_owned())
        .collect();

    // The links are secrets: not in Debug, not in the logs.
    let debug = format!("{files:?} {detail:?} {segments:?}");
    let log = logs.text();
    for secret in files
        .iter()
        .map(|f| f.expose_url().to_owned())
        .chain(
            files
                .iter()
                .filter_map(|f| f.expose_token().map(str::to_owned)),
        )
        .chain(segment_links)
    {
        assert!(!debug.contains(&secret), "Debug shows a link");
        assert!(!log.contains(&secret), "a log line shows a link");
    }

    client
        .delete_recordings([&listed.uuid])
        .await
        .expect("deleted");
    let left = client
        .recordings()
        .all_users()
        .matching(&created.id)
        .list()
        .expect("valid")
        .collect_all()
        .await
        .expect("listed");
    assert!(left.is_empty());
    let gone = client.recording(&listed.uuid).await.expect_err("deleted");
    assert_eq!(gone.kind(), ErrorKind::NotFound);
    assert!(
        client
            .delete_recordings(Vec::<String>::new())
            .await
            .is_err()
    );
    assert!(client.delete_recordings(["a,b"]).await.is_err());
}
