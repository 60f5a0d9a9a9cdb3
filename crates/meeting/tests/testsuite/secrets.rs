//! No secret (password, app key, host password, access or control token, webhook key) in any log
//! line, `Debug` or `Display` produced during a run that touches every operation and
//! several failures.

use crate::common;

use common::*;
use meeting::{AppId, Credentials, SettingsUpdate};
use meeting_sim::{ConferenceSeed, ConferenceState, ParticipantSeed, ScriptedFault, Seed};

/// A meeting whose host password cannot occur in any other text by chance.
const SECRET_CONF: &str = "955000777";
const UNIQUE_HOST_PASSWORD: &str = "hp-Zq7wK-unique-3141";
/// A webhook subscriber key that cannot occur by chance either.
const WEBHOOK_KEY: &str = "whk-Rt5uV-unique-2718";

#[tokio::test]
async fn no_secret_in_logs_debug_or_errors() {
    // Current-thread runtime: every task of the run logs through this capture.
    let logs = capture_logs();

    let sim = sim().await;
    sim.seed(Seed {
        conferences: vec![
            ConferenceSeed::new(SECRET_CONF, UNIQUE_HOST_PASSWORD, ConferenceState::Ongoing)
                .participant(ParticipantSeed::terminal(TERMINAL, "Board room TE50")),
        ],
        ..Seed::default()
    });
    let mut shown = Vec::new();
    let account = builder(&sim).build().expect("builds");
    let app = builder(&sim)
        .credentials(Credentials::app_id(
            AppId::single_enterprise(APP_ID, APP_KEY).user_id("u1"),
        ))
        .build()
        .expect("builds");
    let meeting = account
        .conference(SECRET_CONF)
        .with_host_password(UNIQUE_HOST_PASSWORD);
    shown.push(format!(
        "{account:?} {app:?} {meeting:?} {:?}",
        builder(&sim)
    ));

    shown.push(format!("{:?}", account.login().await.expect("login")));
    shown.push(format!("{:?}", app.login().await.expect("login")));
    meeting.lock().await.expect("lock");
    // StartMeeting sends the host password in its body; the join randoms are secrets
    // (the simulator lists them with its tokens).
    shown.push(format!("{:?}", meeting.start().await.expect("start")));
    shown.push(format!(
        "{:?}",
        meeting.join_random(false).await.expect("random")
    ));
    shown.push(format!(
        "{:?}",
        meeting.anonymous_join_random().await.expect("random")
    ));
    meeting
        .update_settings(&SettingsUpdate::new().lock_sharing(true))
        .await
        .expect("settings");
    meeting
        .participant(TERMINAL)
        .lock_video()
        .await
        .expect("lockView");
    let info = meeting.control_token_info().await.expect("token info");
    shown.push(format!("{info:?}"));
    let with_token = account
        .conference(SECRET_CONF)
        .with_control_token(info.expose_token());
    shown.push(format!("{with_token:?}"));
    app.conference(SCHEDULED).cancel().await.expect("cancel");
    // Ending a meeting revokes its tokens: note them as the run goes.
    let mut secrets: Vec<String> = sim.issued_tokens();

    // Failures: refused tokens (renewed), a wrong password, a server error, bad input.
    sim.expire_tokens();
    meeting.unlock().await.expect("renews and unlocks");
    sim.fail_next(3, ScriptedFault::Status { status: 500 });
    let errors = vec![
        meeting.lock().await.expect_err("500s"),
        account
            .conference("900000005")
            .with_host_password("wrong-host-pw")
            .lock()
            .await
            .expect_err("401"),
        account
            .conference(SECRET_CONF)
            .with_host_password("bad\nvalue")
            .lock()
            .await
            .expect_err("invalid"),
        builder(&sim)
            .credentials(Credentials::account(ACCOUNT, "not-the-password"))
            .build()
            .expect("builds")
            .login()
            .await
            .expect_err("401"),
    ];
    for e in &errors {
        shown.push(format!("{e} {e:?}"));
    }
    secrets.extend(sim.issued_tokens());

    // An event stream's run: its WebSocket token travels in the URL, its Subscribe
    // frame carries the control token; a reconnect takes both again.
    {
        use futures::StreamExt;
        let ws = meeting.websocket_token().await.expect("a WebSocket token");
        shown.push(format!("{ws:?}"));
        let mut events = meeting.events().await.expect("the stream starts");
        shown.push(format!("{events:?}"));
        let mut reconnected = false;
        while let Some(event) = events.next().await {
            let event = event.expect("an event");
            shown.push(format!("{event:?}"));
            if matches!(
                event.kind,
                meeting::events::EventKind::ParticipantJoined { .. }
            ) && !reconnected
            {
                sim.drop_sockets(SECRET_CONF);
                reconnected = true;
            }
            if matches!(
                event.kind,
                meeting::events::EventKind::Connected { resumed: true }
            ) {
                break;
            }
        }
        let refused = account
            .conference(SECRET_CONF)
            .with_host_password("wrong-host-pw")
            .events()
            .await
            .expect_err("refused");
        shown.push(format!("{refused} {refused:?}"));
    }
    secrets.extend(sim.issued_tokens());

    // The event push's configuration: the subscriber key goes in a body, and a refused
    // URL and a refused handshake come back as errors.
    {
        use meeting::webhook::{Verifier, WebhookSetup};
        let setup = WebhookSetup::new("http://127.0.0.1:9/hook", "12345678", WEBHOOK_KEY);
        shown.push(format!(
            "{setup:?} {:?}",
            Verifier::new("12345678", WEBHOOK_KEY).expect("a usable key")
        ));
        account.set_webhook(&setup).await.expect("set");
        let config = account
            .webhook_config(&Default::default())
            .await
            .expect("shown");
        shown.push(format!("{config:?}"));
        let refused = account
            .enable_webhook(&config.id)
            .await
            .expect_err("no receiver");
        shown.push(format!("{refused} {refused:?}"));
        let refused = account
            .set_webhook(&WebhookSetup::new(
                "https://example.com/",
                "12345678",
                WEBHOOK_KEY,
            ))
            .await
            .expect_err("not loopback");
        shown.push(format!("{refused} {refused:?}"));
    }
    account.conference(SECRET_CONF).end().await.expect("end");
    secrets.extend(sim.issued_tokens());

    let logs = logs.text();
    assert!(
        logs.contains("meeting.operation") && logs.contains("meeting.attempt"),
        "the spans were captured"
    );
    assert!(
        logs.contains("LockMeeting") && logs.contains("request_id"),
        "{logs}"
    );
    // The spans as OpenTelemetry's HTTP client conventions name them.
    for field in [
        "meeting.operation otel.name=\"LockMeeting\"",
        "meeting.operation meeting.conference_id=\"",
        "meeting.attempt otel.name=PUT /v1/mmc/control/conferences/lock",
        "meeting.attempt http.request.method=\"PUT\"",
        "meeting.attempt url.template=\"/v1/mmc/control/conferences/lock\"",
        "meeting.attempt server.address=\"127.0.0.1\"",
        "meeting.attempt server.port=",
        "meeting.attempt http.response.status_code=200",
        "meeting.attempt meeting.request_id=\"",
        "meeting.attempt error.type=\"",
        "meeting.attempt meeting.error_code=\"",
        "meeting.operation error.type=\"",
    ] {
        assert!(logs.contains(field), "no span field {field}: {logs}");
    }

    secrets.sort();
    secrets.dedup();
    assert!(secrets.len() >= 5, "tokens were issued: {}", secrets.len());
    secrets.push(info.expose_token().to_owned());
    secrets.extend(
        [
            PASSWORD,
            APP_KEY,
            UNIQUE_HOST_PASSWORD,
            "wrong-host-pw",
            "not-the-password",
            WEBHOOK_KEY,
        ]
        .map(str::to_owned),
    );
    let everything = format!("{logs}\n{}", shown.join("\n"));
    assert!(
        logs.contains("event socket open") && logs.contains("event stream reconnecting"),
        "the stream's run was logged"
    );
    for secret in &secrets {
        assert!(
            !everything.contains(secret.as_str()),
            "a secret leaked: {secret:.6}…"
        );
        // As the Subscribe frame sends a control token.
        assert!(
            !everything.contains(&base64_of(secret)),
            "a secret leaked in base64: {secret:.6}…"
        );
    }
    // The Basic credentials would leak the password in base64.
    let basic = base64_of(&format!("{ACCOUNT}:{PASSWORD}"));
    assert!(!everything.contains(&basic));
}

fn base64_of(text: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(text)
}
