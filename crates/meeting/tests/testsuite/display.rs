//! Views, the multi-picture and saved layouts against the simulator: its state, the
//! stream's status and participants, the refusals typed.

use crate::common;

use std::time::Duration;

use common::*;
use meeting::events::{ParticipantField, Viewing};
use meeting::{DisplayMode, Grid, HostView, Layout, MultiPicture, Picture, Refusal};

#[tokio::test]
async fn views_and_the_multi_picture_are_state_the_stream_sees() {
    let sim = sim().await;
    let meeting = client(&sim)
        .conference(CONF)
        .with_host_password(HOST_PASSWORD);
    let mut events = meeting.events().await.expect("the stream starts");
    let display = || sim.conference(CONF).expect("seeded").display;

    meeting
        .set_host_view(&HostView::Rotate {
            every: Duration::from_secs(20),
        })
        .await
        .expect("rotates");
    next_status(&mut events, |s| s.host_view_rotating == Some(true)).await;
    assert_eq!(
        display().host_view,
        meeting_sim::HostView::Rotating { every_s: 20 }
    );
    meeting
        .set_host_view(&HostView::StopRotating)
        .await
        .expect("stops");
    next_status(&mut events, |s| s.host_view_rotating == Some(false)).await;

    meeting
        .participant(TERMINAL)
        .watch(LAPTOP)
        .await
        .expect("watches");
    assert!(
        next_change(&mut events, TERMINAL)
            .await
            .contains(&ParticipantField::Viewing)
    );
    let viewing = events.snapshot().participants[TERMINAL].viewing.clone();
    assert_eq!(viewing, Some(Viewing::Participant));

    meeting
        .set_display_mode(DisplayMode::FollowSpeaker)
        .await
        .expect("follows the speaker");
    next_status(&mut events, |s| s.voice_activated == Some(true)).await;

    let picture = MultiPicture::builder(Layout::TWO)
        .picture(Picture::of([LAPTOP]))
        .picture(Picture::of([TERMINAL, LAPTOP]))
        .rotate_every(Duration::from_secs(15))
        .build()
        .expect("fits");
    meeting.set_multi_picture(&picture).await.expect("set");
    let status = next_status(&mut events, |s| {
        s.multi_picture
            .as_ref()
            .is_some_and(|m| !m.pictures.is_empty())
    })
    .await;
    let shown = status.multi_picture.expect("a multi-picture");
    assert_eq!((shown.count, shown.rotate_every_s), (Some(2), Some(15)));
    assert_eq!(shown.pictures[1].participants, [TERMINAL, LAPTOP]);
    assert_eq!(status.pictures, Some(2));

    // A grid of its own, only kept: the simulator holds it, the meeting does not show it.
    let custom = MultiPicture::builder(Layout::new(3, 2).expect("Three-2"))
        .picture(Picture::of([LAPTOP]))
        .grid(
            Grid::new(3, 2)
                .cell(0, 0, 2, 2)
                .cell(2, 0, 1, 1)
                .cell(2, 1, 1, 1),
        )
        .save_only()
        .build()
        .expect("fits");
    meeting.set_multi_picture(&custom).await.expect("kept");
    let kept = display().multi_picture.expect("kept");
    assert!(!kept.applied && kept.layout == "Three-2" && kept.grid.is_some());
    next_status(&mut events, |s| s.pictures == Some(1)).await;

    meeting
        .set_multi_picture(&MultiPicture::automatic())
        .await
        .expect("automatic");
    assert_eq!(display().multi_picture, None);
}

#[tokio::test]
async fn absent_participants_and_unknown_layouts_are_refusals_typed() {
    let sim = sim().await;
    let meeting = client(&sim)
        .conference(CONF)
        .with_host_password(HOST_PASSWORD);
    let absent = MultiPicture::builder(Layout::SINGLE)
        .picture(Picture::of(["not-here"]))
        .build()
        .expect("well-formed");
    let refused = meeting
        .set_multi_picture(&absent)
        .await
        .expect_err("absent");
    assert_eq!(refused.refusal(), Some(Refusal::ParticipantNotInMeeting));
    let refused = meeting
        .set_host_view(&HostView::Participant("not-here".into()))
        .await
        .expect_err("absent");
    assert_eq!(refused.refusal(), Some(Refusal::ParticipantNotInMeeting));
    let refused = meeting
        .participant(TERMINAL)
        .watch("not-here")
        .await
        .expect_err("absent");
    assert_eq!(refused.refusal(), Some(Refusal::ParticipantNotInMeeting));
    let refused = meeting
        .delete_layout("no-such-layout")
        .await
        .expect_err("unknown");
    assert_eq!(refused.refusal(), Some(Refusal::UnknownLayout));
}

#[tokio::test]
async fn layouts_are_saved_listed_replaced_and_deleted() {
    let sim = sim().await;
    let meeting = client(&sim)
        .conference(CONF)
        .with_host_password(HOST_PASSWORD);
    let two = MultiPicture::builder(Layout::TWO)
        .picture(Picture::of([LAPTOP]))
        .picture(Picture::shared_by(TERMINAL))
        .build()
        .expect("fits");
    meeting.save_layout("Panel", &two).await.expect("saved");
    meeting.save_layout("Q&A", &two).await.expect("saved");
    let saved = meeting.layouts().await.expect("listed");
    assert_eq!(saved.len(), 2);
    assert_eq!(saved[0].name.as_deref(), Some("Panel"));
    assert_eq!(saved[0].layout, Some(Layout::TWO));
    assert_eq!(saved[0].pictures, two.pictures());
    let single = MultiPicture::builder(Layout::SINGLE)
        .picture(Picture::of([TERMINAL]))
        .build()
        .expect("fits");
    meeting
        .replace_layout(&saved[0].uuid, "Speaker", &single)
        .await
        .expect("replaced");
    let refused = meeting
        .replace_layout("no-such-layout", "x", &single)
        .await
        .expect_err("unknown");
    assert_eq!(refused.refusal(), Some(Refusal::UnknownLayout));
    meeting
        .delete_layout(&saved[1].uuid)
        .await
        .expect("deleted");
    let left = meeting.layouts().await.expect("listed");
    assert_eq!(left.len(), 1);
    assert_eq!(
        (
            left[0].uuid.as_str(),
            left[0].name.as_deref(),
            left[0].layout
        ),
        (
            saved[0].uuid.as_str(),
            Some("Speaker"),
            Some(Layout::SINGLE)
        )
    );
    // Only a picture set by hand, without a grid, is saved; said before sending.
    let before = sim.counters().requests_for("SaveLayout");
    assert!(
        meeting
            .save_layout("auto", &MultiPicture::automatic())
            .await
            .is_err()
    );
    assert!(meeting.save_layout(" ", &two).await.is_err());
    assert_eq!(sim.counters().requests_for("SaveLayout"), before);
}
