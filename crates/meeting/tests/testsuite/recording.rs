//! Recording, live streaming and pause against the simulator: its state and times,
//! the stream's status, the refusal where there is no recording resource.

use crate::common;

use common::*;
use meeting::{MmrRecording, Refusal};
use meeting_sim::{RecordingState, Seed, Simulator};

#[tokio::test]
async fn a_recording_starts_pauses_and_stops_with_the_meeting_and_the_stream_sees_it() {
    let sim = sim().await;
    let meeting = client(&sim)
        .conference(CONF)
        .with_host_password(HOST_PASSWORD);
    let mut events = meeting.events().await.expect("the stream starts");
    let state = |sim: &meeting_sim::SimHandle| sim.conference(CONF).expect("seeded").broadcasting;

    meeting.start_recording().await.expect("records");
    next_status(&mut events, |s| s.recording == Some(true)).await;
    assert_eq!(state(&sim).recording, RecordingState::On);
    meeting
        .mmr_recording(MmrRecording::Pause)
        .await
        .expect("paused");
    assert_eq!(state(&sim).recording, RecordingState::Paused);
    meeting
        .mmr_recording(MmrRecording::Start)
        .await
        .expect("resumed");
    meeting.live_stream(true).await.expect("live");
    meeting
        .mmr_live_stream(true)
        .await
        .expect("live again: the same state");
    meeting.pause(true).await.expect("paused");
    let b = state(&sim);
    assert!(b.live && b.paused && b.recording == RecordingState::On);
    meeting.pause(false).await.expect("resumed");
    meeting.stop().await.expect("stopped");
    let b = state(&sim);
    assert_eq!(
        b.recording,
        RecordingState::Off,
        "the meeting's end stops it"
    );
    assert!(!b.live && b.recording_stopped_ms >= b.recording_started_ms);
}

#[tokio::test]
async fn without_a_recording_resource_recording_is_refused_and_typed() {
    let sim = Simulator::new()
        .seed(Seed {
            no_recording_resource: true,
            ..seed()
        })
        .start()
        .await
        .expect("starts");
    let meeting = client(&sim)
        .conference(CONF)
        .with_host_password(HOST_PASSWORD);
    let refused = meeting.start_recording().await.expect_err("no resource");
    assert_eq!(refused.refusal(), Some(Refusal::NoRecordingResource));
    let refused = meeting
        .mmr_recording(MmrRecording::Start)
        .await
        .expect_err("no resource");
    assert_eq!(refused.refusal(), Some(Refusal::NoRecordingResource));
    meeting.stop_recording().await.expect("stopping needs none");
    meeting
        .live_stream(true)
        .await
        .expect("streaming needs none");
}
