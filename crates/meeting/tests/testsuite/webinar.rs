//! Webinars against the simulator: scheduled in a zone, upcoming, running on the
//! simulator's clock (and reached by the control calls), their room settings with an
//! uploaded cover, over, in history, deleted for good; the input checked before sending.

use crate::common;

use std::time::{Duration, SystemTime};

use common::*;
use meeting::{
    ErrorKind, NewWebinar, Panelist, RoomSettings, WebinarImage, WebinarPhase, WebinarSummary,
};
use meeting_sim::example::WEBINAR_ROOM;
use secrecy::ExposeSecret;

const MINUTE: Duration = Duration::from_secs(60);

/// A 1×1 PNG.
fn png() -> Vec<u8> {
    hex::decode(concat!(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000",
        "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
    ))
    .expect("hex")
}

async fn ids(listing: Result<meeting::Listing<WebinarSummary>, meeting::Error>) -> Vec<String> {
    let found = listing.expect("listed").collect_all().await.expect("pages");
    found.into_iter().map(|w| w.id).collect()
}

#[tokio::test]
async fn a_webinar_goes_from_upcoming_to_history_and_is_deleted() {
    let sim = sim().await;
    let client = client(&sim);
    // Ten minutes from the simulator's now, on the minute, written in Tokyo's time.
    let now = jiff::Timestamp::from_millisecond(sim.state().now_ms).expect("a time");
    let start = jiff::Timestamp::from_second((now.as_second() / 60 + 10) * 60).expect("a time");
    let tokyo = jiff::tz::TimeZone::get("Asia/Tokyo").expect("a zone");
    let local = start.to_zoned(tokyo).strftime("%Y-%m-%d %H:%M").to_string();
    let launch = NewWebinar::new("Product launch", WEBINAR_ROOM)
        .starts_at(local)
        .time_zone("Asia/Tokyo")
        .lasts(30 * MINUTE)
        .panelist(Panelist::named("Carol").phone("+8613800000000"))
        .audience_password("202603".into());
    let scheduled = client.create_webinar(&launch).await.expect("scheduled");
    assert_eq!(scheduled.start, Some(SystemTime::from(start)));
    assert_eq!(scheduled.phase, WebinarPhase::Scheduled);
    assert_eq!(scheduled.panelists, ["Carol"]);
    assert_eq!(
        scheduled
            .audience_password
            .as_ref()
            .map(|p| p.expose_secret().to_owned()),
        Some("202603".to_owned())
    );
    let id = scheduled.id.clone();
    let webinars = client.webinars();
    assert!(ids(webinars.upcoming()).await.contains(&id));
    assert!(!ids(webinars.ongoing()).await.contains(&id));
    let matching = ids(webinars.clone().matching("launch").upcoming()).await;
    assert_eq!(matching, std::slice::from_ref(&id));
    assert!(
        ids(webinars.clone().matching("nothing like it").upcoming())
            .await
            .is_empty()
    );

    // Its cover: an image uploaded, then set with the introduction.
    let dir = tempfile::tempdir().expect("a directory");
    let cover = dir.path().join("cover.png");
    std::fs::write(&cover, png()).expect("written");
    let uploaded = client
        .upload_webinar_image(WebinarImage::path(&cover))
        .await
        .expect("uploaded");
    assert_eq!(uploaded.verdict.as_deref(), Some("pass"));
    let webinar = client.webinar(&id);
    let settings = RoomSettings::new()
        .cover(&uploaded.file_id)
        .introduction("Our spring launch")
        .audience_shown(100, 1.5);
    webinar.set_room_settings(&settings).await.expect("set");
    let kept = webinar.room_settings().await.expect("read");
    assert_eq!(kept.cover.as_deref(), Some(uploaded.file_id.as_str()));
    assert_eq!(kept.introduction.as_deref(), Some("Our spring launch"));
    assert_eq!((kept.base_audience, kept.multiple), (Some(100), Some(1.5)));
    assert_eq!(kept.show_audience, Some(true), "the default stays");
    let unknown = webinar
        .set_room_settings(&RoomSettings::new().logo("not-uploaded"))
        .await
        .expect_err("refused");
    assert_eq!(unknown.kind(), ErrorKind::BadRequest, "{unknown}");

    // Its start on the simulator's clock: in progress, a meeting the control calls
    // reach with its host password.
    sim.advance_clock(11 * MINUTE);
    assert!(ids(webinars.ongoing()).await.contains(&id));
    assert!(!ids(webinars.upcoming()).await.contains(&id));
    let running = webinar.details().await.expect("details");
    assert_eq!(running.phase, WebinarPhase::InProgress);
    let host = running.host_password.expect("a host password");
    let meeting = client
        .conference(&id)
        .with_host_password(host.expose_secret());
    meeting.lock().await.expect("locked");
    assert!(
        sim.state()
            .conferences
            .iter()
            .any(|c| c.id == id && c.locked)
    );
    meeting.mute_all(true).await.expect("muted");
    meeting.stop().await.expect("ended");

    let today = start.to_zoned(jiff::tz::TimeZone::UTC).date();
    let (from, to) = (
        today.yesterday().expect("a day").to_string(),
        today.tomorrow().expect("a day").to_string(),
    );
    let past = client
        .webinars()
        .between(from, to)
        .history()
        .expect("listed");
    let past = past.collect_all().await.expect("pages");
    let over = past.iter().find(|w| w.id == id).expect("in history");
    assert_eq!(over.started, Some(SystemTime::from(start)));
    assert!(!ids(webinars.ongoing()).await.contains(&id));
    assert_eq!(
        webinar.details().await.expect("details").phase,
        WebinarPhase::Over
    );

    webinar.delete().await.expect("deleted");
    let again = webinar.delete().await.expect_err("gone");
    assert_eq!(again.kind(), ErrorKind::NotFound, "{again}");
    assert!(webinar.details().await.is_err());
}

/// A webinar whose length passes ends by itself on the clock.
#[tokio::test]
async fn a_webinar_ends_when_its_length_has_passed() {
    let sim = sim().await;
    let client = client(&sim);
    let now = jiff::Timestamp::from_millisecond(sim.state().now_ms).expect("a time");
    let start = jiff::Timestamp::from_second((now.as_second() / 60 + 1) * 60).expect("a time");
    let short = NewWebinar::new("Short", WEBINAR_ROOM)
        .starts_at(start.strftime("%Y-%m-%d %H:%M").to_string())
        .lasts(15 * MINUTE);
    let id = client.create_webinar(&short).await.expect("scheduled").id;
    // The room is taken then.
    let clash = client
        .create_webinar(&short)
        .await
        .expect_err("the room is taken");
    assert_eq!(clash.kind(), ErrorKind::BadRequest, "{clash}");
    sim.advance_clock(2 * MINUTE);
    assert_eq!(
        client.webinar(&id).details().await.expect("details").phase,
        WebinarPhase::InProgress
    );
    sim.advance_clock(20 * MINUTE);
    assert_eq!(
        client.webinar(&id).details().await.expect("details").phase,
        WebinarPhase::Over
    );
    assert!(
        sim.state()
            .conferences
            .iter()
            .any(|c| c.id == id && c.state == meeting_sim::ConferenceState::Ended)
    );
}

/// What can be known before sending is refused before sending.
#[tokio::test]
async fn bad_webinars_are_refused_before_sending() {
    let sim = sim().await;
    let client = client(&sim);
    let room = WEBINAR_ROOM;
    let mut crowded = NewWebinar::new("Crowded", room).starts_at("2030-01-01 10:00");
    for i in 0..=meeting::MAX_PANELISTS {
        crowded = crowded.panelist(Panelist::named(format!("Panelist {i}")));
    }
    let dir = tempfile::tempdir().expect("a directory");
    let text = dir.path().join("notes.png");
    std::fs::write(&text, "not an image").expect("written");
    let folder = dir.path().join("folder.png");
    std::fs::create_dir(&folder).expect("a folder");
    // What was sent, logins aside.
    let sent = || -> u64 {
        let counters = sim.counters();
        let all: u64 = counters.requests.values().sum();
        all - counters.requests_for("AuthenticateAccount")
    };
    let before = sent();
    for (refused, says) in [
        (
            client.create_webinar(&crowded).await.map(|_| ()),
            "panelists",
        ),
        (
            client
                .create_webinar(&NewWebinar::new("Launch", room).starts_at("tomorrow"))
                .await
                .map(|_| ()),
            "YYYY-MM-DD HH:MM",
        ),
        (client.webinar("").details().await.map(|_| ()), "webinar ID"),
        (
            client
                .webinar("960000001")
                .set_room_settings(&RoomSettings::new().audience_shown(1, 0.25))
                .await,
            "multiple",
        ),
        (
            client
                .upload_webinar_image(WebinarImage::path(&text))
                .await
                .map(|_| ()),
            "not a image/png image",
        ),
        (
            client
                .upload_webinar_image(WebinarImage::path(dir.path().join("missing.png")))
                .await
                .map(|_| ()),
            "cannot read",
        ),
        (
            client
                .upload_webinar_image(WebinarImage::path(&folder))
                .await
                .map(|_| ()),
            "is not a file",
        ),
        (
            client
                .webinars()
                .between("2026-01-01", "2026-01-02")
                .upcoming()
                .map(|_| ()),
            "only the history",
        ),
    ] {
        let error = refused.expect_err(says);
        assert_eq!(error.kind(), ErrorKind::InvalidInput, "{error}");
        assert!(error.to_string().contains(says), "{error}");
    }
    assert_eq!(sent(), before, "nothing was sent");
    // A room that is not a webinar room: the service's refusal.
    let wrong = client
        .create_webinar(&NewWebinar::new("Launch", "no-such-room").starts_at("2030-01-01 10:00"))
        .await
        .expect_err("refused");
    assert_eq!(wrong.kind(), ErrorKind::BadRequest, "{wrong}");
    assert!(wrong.to_string().contains("webinar room"), "{wrong}");
}

/// An image from a byte stream, in chunks, its progress reported as it goes.
#[tokio::test]
async fn an_image_uploads_from_a_byte_stream_with_its_progress() {
    let sim = sim().await;
    let client = client(&sim);
    let image = png();
    let total = image.len() as u64;
    let chunks: Vec<std::io::Result<axum::body::Bytes>> = image
        .chunks(10)
        .map(|c| Ok(axum::body::Bytes::copy_from_slice(c)))
        .collect();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let progress = seen.clone();
    let upload = WebinarImage::stream("cover.png", total, futures::stream::iter(chunks))
        .on_progress(move |sent| progress.lock().expect("not poisoned").push(sent));
    let uploaded = client.upload_webinar_image(upload).await.expect("uploaded");
    assert_eq!(uploaded.file_id.len(), 32);
    let seen = seen.lock().expect("not poisoned").clone();
    assert_eq!(seen.last(), Some(&total), "{seen:?}");
    assert!(seen.windows(2).all(|w| w[0] < w[1]), "{seen:?}");
    // A stream named as no image is refused before sending.
    let refused = client
        .upload_webinar_image(WebinarImage::stream(
            "notes.txt",
            3,
            futures::stream::iter([Ok(axum::body::Bytes::from_static(b"abc"))]),
        ))
        .await
        .expect_err("not an image");
    assert_eq!(refused.kind(), ErrorKind::InvalidInput, "{refused}");
    assert_eq!(sim.counters().requests_for("UploadFile"), 1);
}
