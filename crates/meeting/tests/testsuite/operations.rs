//! Every operation end to end against the simulator, both login flows, and input that
//! is refused before anything is sent.

use crate::common;

use common::*;
use meeting::{
    AppId, AudienceCallInRestriction, CallInRestriction, ChatPermission, Client, Credentials,
    ErrorKind, LocalRecording, Role, RoomKind, SettingsUpdate,
};
use meeting_sim::ConferenceState;

#[tokio::test]
async fn lock_and_unlock() {
    let sim = sim().await;
    let meeting = client(&sim)
        .conference(CONF)
        .with_host_password(HOST_PASSWORD);
    meeting.lock().await.expect("locks");
    assert!(sim.conference(CONF).expect("seeded").locked);
    meeting.unlock().await.expect("unlocks");
    assert!(!sim.conference(CONF).expect("seeded").locked);
    let counters = sim.counters();
    assert_eq!(
        counters.control_token_grants, 1,
        "the control token is cached"
    );
    assert_eq!(
        counters.logins(),
        1,
        "with credentials, control calls send the access token too, as the official SDKs do"
    );
}

#[tokio::test]
async fn update_every_setting() {
    let sim = sim().await;
    let meeting = client(&sim)
        .conference(CONF)
        .with_host_password(HOST_PASSWORD);
    meeting
        .update_settings(
            &SettingsUpdate::new()
                .lock_sharing(true)
                .call_in(CallInRestriction::EnterpriseUsers),
        )
        .await
        .expect("updates");
    let settings = sim.conference(CONF).expect("seeded").settings;
    assert_eq!(
        (settings.lock_sharing, settings.call_in_restriction),
        (1, 2)
    );
    let all = SettingsUpdate::new()
        .lock_sharing(false)
        .call_in(CallInRestriction::InvitedUsers)
        .allow_unmute(false)
        .chat(ChatPermission::PublicOnly)
        .audience_call_in(AudienceCallInRestriction::EnterpriseAndInvited)
        .local_recording(LocalRecording::Everyone)
        .allow_camera(false)
        .allow_rename(false)
        .locked(true)
        .free_share(true);
    meeting.update_settings(&all).await.expect("updates");
    let view = sim.conference(CONF).expect("seeded");
    let s = view.settings;
    assert_eq!(
        (
            s.lock_sharing,
            s.call_in_restriction,
            s.allow_unmute_by_oneself,
            s.chat_permission,
            s.audience_call_in_restriction
        ),
        (0, 3, 0, 3, 2)
    );
    assert_eq!(
        (
            s.client_rec_mode,
            s.allow_open_camera,
            s.allow_rename,
            s.free_share
        ),
        (1, 0, 0, 1)
    );
    assert!(view.locked);
}

#[tokio::test]
async fn lock_and_unlock_a_terminals_video() {
    let sim = sim().await;
    let meeting = client(&sim)
        .conference(CONF)
        .with_host_password(HOST_PASSWORD);
    let terminal = |sim: &meeting_sim::SimHandle| {
        sim.conference(CONF)
            .expect("seeded")
            .participants
            .into_iter()
            .find(|p| p.id == TERMINAL)
            .expect("terminal")
    };
    meeting
        .participant(TERMINAL)
        .lock_video()
        .await
        .expect("locks");
    assert_eq!(terminal(&sim).view_locked_to.as_deref(), Some(TERMINAL));
    meeting
        .participant(TERMINAL)
        .lock_video_to(LAPTOP)
        .await
        .expect("locks to another source");
    assert_eq!(terminal(&sim).view_locked_to.as_deref(), Some(LAPTOP));
    meeting
        .participant(TERMINAL)
        .unlock_video()
        .await
        .expect("unlocks");
    assert!(!terminal(&sim).video_locked());
    let err = meeting
        .participant(LAPTOP)
        .lock_video()
        .await
        .expect_err("a laptop is no terminal");
    assert_eq!(err.kind(), ErrorKind::PermissionDenied);
    assert_eq!(err.code(), Some("MMC.111070002"));
    assert!(err.request_id().is_some());
    assert!(
        err.to_string()
            .contains("LockView for conference 914083136"),
        "{err}"
    );
}

#[tokio::test]
async fn cancel_a_scheduled_meeting_and_end_an_ongoing_one() {
    let sim = sim().await;
    let client = client(&sim);
    client
        .conference(SCHEDULED)
        .cancel()
        .await
        .expect("cancels");
    assert_eq!(
        sim.conference(SCHEDULED).expect("seeded").state,
        ConferenceState::Cancelled
    );
    let err = client
        .conference(CONF)
        .cancel()
        .await
        .expect_err("a meeting in progress is not cancelled");
    assert_eq!(err.kind(), ErrorKind::PermissionDenied);
    assert_eq!(
        sim.conference(CONF).expect("seeded").state,
        ConferenceState::Ongoing
    );
    client.conference(CONF).end().await.expect("ends");
    assert_eq!(
        sim.conference(CONF).expect("seeded").state,
        ConferenceState::Ended
    );
    assert_eq!(
        sim.counters().account_logins,
        1,
        "one login for all three calls"
    );
    let err = client
        .conference("123")
        .cancel()
        .await
        .expect_err("no such meeting");
    assert_eq!(err.kind(), ErrorKind::NotFound);
}

#[tokio::test]
async fn start_a_scheduled_meeting_with_its_host_password() {
    use meeting_sim::example::SCHEDULED_HOST_PASSWORD;
    let sim = sim().await;
    let client = client(&sim);
    let state = || sim.conference(SCHEDULED).expect("seeded").state;
    let err = client
        .conference(SCHEDULED)
        .start()
        .await
        .expect_err("no host password");
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    assert_eq!(sim.counters().account_logins, 0, "refused before sending");
    let err = client
        .conference(SCHEDULED)
        .with_host_password("999999")
        .start()
        .await
        .expect_err("a wrong host password");
    assert_eq!(err.kind(), ErrorKind::Authentication, "{err}");
    assert_eq!(state(), ConferenceState::Scheduled);

    let meeting = client
        .conference(SCHEDULED)
        .with_host_password(SCHEDULED_HOST_PASSWORD);
    let region = meeting.start().await.expect("starts");
    assert_eq!(region.as_deref(), Some(meeting_sim::REGION_IP));
    assert_eq!(state(), ConferenceState::Ongoing);
    // Controlled before anyone joined; started again, it stays as it is.
    meeting.lock().await.expect("locks");
    assert!(sim.conference(SCHEDULED).expect("seeded").locked);
    meeting.start().await.expect("still in progress");
    assert_eq!(state(), ConferenceState::Ongoing);

    // Over, it cannot start again.
    meeting.end().await.expect("ends");
    let err = meeting.start().await.expect_err("ended");
    assert_eq!(err.kind(), ErrorKind::PermissionDenied, "{err}");
}

/// The enterprise's resources follow its meetings: one started adds a meeting in
/// progress and one held today, a participant an attendee, time minutes; one ended
/// leaves today's figures and the concurrency drops. Users other than an administrator
/// are refused.
#[tokio::test]
async fn resources_follow_the_meetings() {
    use meeting_sim::example::SCHEDULED_HOST_PASSWORD;
    let sim = sim().await;
    let client = client(&sim);
    // 01:00 UTC the next day: "today" holds only what this test does.
    const DAY_MS: i64 = 86_400_000;
    let now = sim.state().now_ms;
    let one_am = (now.div_euclid(DAY_MS) + 1) * DAY_MS + DAY_MS / 24;
    sim.advance_clock(std::time::Duration::from_millis((one_am - now) as u64));
    let before = client.resources().await.expect("resources");
    assert_eq!(
        (
            before.meetings_today,
            before.minutes_today,
            before.attendees_today
        ),
        (Some(0), Some(0), Some(0))
    );
    let running = before.meetings_in_progress.expect("counted");
    assert_eq!(
        client
            .provider_meetings_in_progress()
            .await
            .expect("provider"),
        Some(running)
    );
    let meeting = client
        .conference(SCHEDULED)
        .with_host_password(SCHEDULED_HOST_PASSWORD);
    meeting.start().await.expect("starts");
    assert!(sim.join(
        SCHEDULED,
        meeting_sim::ParticipantSeed::client("p-zoe", "Zoe")
    ));
    sim.advance_clock(std::time::Duration::from_secs(30 * 60));
    let during = client.resources().await.expect("resources");
    assert_eq!(during.meetings_in_progress, Some(running + 1));
    assert_eq!(
        (
            during.meetings_today,
            during.minutes_today,
            during.attendees_today
        ),
        (Some(1), Some(30), Some(1)),
        "{during:?}"
    );
    meeting.end().await.expect("ends");
    let after = client.resources().await.expect("resources");
    assert_eq!(after.meetings_in_progress, Some(running));
    assert_eq!(after.meetings_today, during.meetings_today);
    assert_eq!(
        meeting
            .enterprise()
            .await
            .expect("its enterprise")
            .as_deref(),
        Some(meeting_sim::ENTERPRISE_ID)
    );

    let user = alice(&sim);
    let err = user.resources().await.expect_err("not an administrator");
    assert_eq!(err.kind(), ErrorKind::PermissionDenied, "{err}");
}

/// The enterprise's rooms of each kind, a page after another, matched by name; the search
/// text checked before sending; a user who is not an administrator refused.
#[tokio::test]
async fn the_enterprises_rooms() {
    let mut seed = seed();
    seed.webinar_rooms
        .extend((0..150).map(|i| meeting_sim::WebinarRoomSeed {
            id: format!("room-{i:03}"),
            name: format!("Hall {i}"),
            audience: 1000 + i,
        }));
    let sim = meeting_sim::Simulator::new()
        .seed(seed)
        .start()
        .await
        .expect("starts");
    let client = client(&sim);
    let rooms = client.rooms(RoomKind::Webinar, None).expect("checked");
    let rooms = rooms.collect_all().await.expect("every page");
    assert_eq!(rooms.len(), 151);
    let seeded = &rooms[0];
    assert_eq!(seeded.id, meeting_sim::example::WEBINAR_ROOM);
    assert_eq!((seeded.audience, seeded.in_service), (Some(500), true));
    assert_eq!(rooms[150].name.as_deref(), Some("Hall 149"));
    let halls = client
        .rooms(RoomKind::Webinar, Some("hall 14"))
        .expect("checked");
    let halls = halls.collect_all().await.expect("found");
    let names: Vec<_> = halls.iter().filter_map(|r| r.name.as_deref()).collect();
    assert_eq!(names.len(), 11, "Hall 14 and Hall 140 to 149: {names:?}");
    let meeting_rooms = client.rooms(RoomKind::Meeting, None).expect("checked");
    assert!(meeting_rooms.collect_all().await.expect("none").is_empty());

    let sent = sim.counters().requests_for("SearchCorpVmr");
    let err = client
        .rooms(RoomKind::Webinar, Some(""))
        .expect_err("empty");
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    let long = "x".repeat(129);
    let err = client
        .rooms(RoomKind::Webinar, Some(&long))
        .expect_err("too long");
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    assert_eq!(
        sim.counters().requests_for("SearchCorpVmr"),
        sent,
        "refused before sending"
    );
    let user = alice(&sim);
    let rooms = user.rooms(RoomKind::Webinar, None).expect("checked");
    let err = rooms.collect_all().await.expect_err("not an administrator");
    assert_eq!(err.kind(), ErrorKind::PermissionDenied, "{err}");
}

/// The region of a meeting in progress; a scheduled one is held nowhere yet.
#[tokio::test]
async fn the_region_of_a_meeting_in_progress() {
    let sim = sim().await;
    let client = client(&sim);
    let region = client.conference(CONF).region().await.expect("its region");
    assert_eq!(region.ip.as_deref(), Some(meeting_sim::REGION_IP));
    assert_eq!(region.domain.as_deref(), Some(meeting_sim::REGION_URL));
    let err = client
        .conference(SCHEDULED)
        .region()
        .await
        .expect_err("not in progress");
    assert_eq!(err.kind(), ErrorKind::PermissionDenied, "{err}");
}

#[tokio::test]
async fn control_token_info_and_login_info() {
    let sim = sim().await;
    let client = client(&sim);
    let info = client
        .conference(CONF)
        .with_host_password(HOST_PASSWORD)
        .control_token_info()
        .await
        .expect("info");
    assert_eq!(info.role, Role::Host);
    assert_eq!(
        info.valid_for,
        Some(std::time::Duration::from_secs(30 * 60))
    );
    assert!(info.ws_url.is_some());
    assert!(info.expose_token().starts_with("cnr"));
    assert!(!format!("{info:?}").contains(info.expose_token()));
    // A caller-supplied token keeps itself alive.
    let supplied = client
        .conference(CONF)
        .with_control_token(info.expose_token())
        .control_token_info()
        .await
        .expect("info");
    assert_eq!(supplied.expose_token(), info.expose_token());
    assert_eq!(sim.counters().control_token_keepalives, 1);

    let who = client.login().await.expect("logs in");
    assert_eq!(who.user_id.as_deref(), Some(ACCOUNT));
    assert_eq!(
        who.valid_for,
        Some(std::time::Duration::from_secs(12 * 3600))
    );
    assert!(who.expires_at.is_some());
}

#[tokio::test]
async fn app_id_single_enterprise_and_service_provider() {
    let sim = sim().await;
    let single = app_client(&sim);
    single
        .login()
        .await
        .expect("single-enterprise App ID logs in");
    single
        .conference(SCHEDULED)
        .cancel()
        .await
        .expect("and cancels");
    let provider = builder(&sim)
        .credentials(Credentials::app_id(
            AppId::service_provider(SP_APP_ID, SP_APP_KEY, "corp-7").user_id("u1"),
        ))
        .build()
        .expect("builds");
    provider
        .login()
        .await
        .expect("service-provider App ID logs in");
    let wrong_key = builder(&sim)
        .credentials(Credentials::app_id(AppId::single_enterprise(
            APP_ID,
            "wrong-key",
        )))
        .build()
        .expect("builds");
    let err = wrong_key.login().await.expect_err("refused");
    assert_eq!(err.kind(), ErrorKind::Authentication);
    assert_eq!(sim.counters().app_logins, 2);
}

#[tokio::test]
async fn a_caller_supplied_access_token_is_used_as_is() {
    let sim = sim().await;
    let token = {
        // Obtain one the way another system would.
        let other = client(&sim);
        other.conference(SCHEDULED).cancel().await.expect("cancels");
        sim.issued_tokens()
            .into_iter()
            .find(|t| t.starts_with("stb"))
            .expect("an access token")
    };
    let client = builder(&sim)
        .credentials(Credentials::access_token(token))
        .build()
        .expect("builds");
    client
        .conference(CONF)
        .end()
        .await
        .expect("ends with the supplied token");
    assert_eq!(sim.counters().account_logins, 1, "no login of its own");
    sim.expire_tokens();
    let err = client
        .conference("800000001")
        .cancel()
        .await
        .expect_err("expired, and cannot renew");
    assert_eq!(err.kind(), ErrorKind::Authentication);
}

#[tokio::test]
async fn bad_input_is_refused_before_anything_is_sent() {
    let sim = sim().await;
    let client = client(&sim);
    let cases = [
        client
            .conference("")
            .with_host_password(HOST_PASSWORD)
            .lock()
            .await,
        client
            .conference("   ")
            .with_host_password(HOST_PASSWORD)
            .unlock()
            .await,
        client.conference("91\n4").end().await,
        client.conference(CONF).with_host_password("").lock().await,
        client
            .conference(CONF)
            .with_host_password("bad\npassword")
            .lock()
            .await,
        client.conference(CONF).with_control_token("").lock().await,
        client
            .conference(CONF)
            .with_host_password(HOST_PASSWORD)
            .update_settings(&SettingsUpdate::new())
            .await,
        client
            .conference(CONF)
            .with_host_password(HOST_PASSWORD)
            .participant("")
            .lock_video()
            .await,
        client
            .conference(CONF)
            .with_host_password(HOST_PASSWORD)
            .participant(TERMINAL)
            .lock_video_to(" ")
            .await,
        client.conference(CONF).lock().await,
    ];
    for (i, result) in cases.into_iter().enumerate() {
        let err = result.expect_err("refused");
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "case {i}: {err}");
        assert!(!err.is_retryable());
        assert!(!err.to_string().contains("bad\npassword"));
    }
    let no_credentials = Client::builder()
        .endpoint(sim.base_url())
        .build()
        .expect("builds");
    let err = no_credentials
        .conference(SCHEDULED)
        .cancel()
        .await
        .expect_err("needs credentials");
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(
        err.to_string()
            .contains("CancelMeeting for conference 914087436"),
        "{err}"
    );
    let empty_account = builder(&sim)
        .credentials(Credentials::account("", "x"))
        .build()
        .expect("builds");
    assert_eq!(
        empty_account
            .login()
            .await
            .expect_err("empty account")
            .kind(),
        ErrorKind::InvalidInput
    );
    assert!(
        sim.counters().requests.is_empty(),
        "nothing was sent: {:?}",
        sim.counters().requests
    );
}

#[tokio::test]
async fn plain_http_is_refused_unless_loopback_or_opted_in() {
    let err = Client::builder()
        .endpoint("http://meeting.example.com")
        .build()
        .expect_err("refused");
    assert_eq!(err.kind(), ErrorKind::Config);
    Client::builder()
        .endpoint("http://meeting.example.com")
        .allow_insecure_http(true)
        .build()
        .expect("explicit opt-in");
}

#[tokio::test]
async fn https_with_the_simulators_ca() {
    let sim = meeting_sim::Simulator::new()
        .seed(seed())
        .tls(true)
        .start()
        .await
        .expect("starts");
    let pem = sim.ca_certificate_pem().expect("a CA").as_bytes().to_vec();
    let client = builder(&sim)
        .add_root_certificate_pem(&pem)
        .expect("PEM")
        .build()
        .expect("builds");
    client
        .conference(CONF)
        .with_host_password(HOST_PASSWORD)
        .lock()
        .await
        .expect("locks over HTTPS");
    client.login().await.expect("logs in over HTTPS");
    let untrusting = builder(&sim).build().expect("builds");
    let err = untrusting
        .login()
        .await
        .expect_err("the certificate is not trusted");
    assert_eq!(err.kind(), ErrorKind::Tls);
    assert!(
        !err.is_retryable(),
        "an untrusted certificate fails the same way again"
    );
}

/// A client logged in as Alice, who is not an administrator.
fn alice(sim: &meeting_sim::SimHandle) -> Client {
    builder(sim)
        .credentials(Credentials::account(
            meeting_sim::example::ALICE,
            meeting_sim::example::ALICE_PASSWORD,
        ))
        .build()
        .expect("builds")
}
