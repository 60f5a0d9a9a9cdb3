//! The metrics a client and its event stream record through the `metrics` facade, read back from
//! metrics-util's debugging recorder installed for the test's thread.

use crate::common;

use std::collections::HashMap;
use std::time::Duration;

use common::*;
use futures::StreamExt;
use meeting::Credentials;
use meeting::events::{EventKind, ResyncCause};
use meeting_sim::ScriptedFault;
use metrics_util::debugging::DebugValue;

#[test]
fn calls_retries_and_token_fetches_are_measured() {
    // The calls' metrics, then the event stream's.
    let (calls, stream) = recording(async |recorded| {
        let sim = sim().await;
        let meeting = client(&sim)
            .conference(CONF)
            .with_host_password(HOST_PASSWORD);
        meeting.lock().await.expect("lock");
        sim.fail_next(2, ScriptedFault::Status { status: 503 });
        meeting.unlock().await.expect("the third attempt succeeds");
        sim.fail_next(3, ScriptedFault::Status { status: 502 });
        meeting.lock().await.expect_err("three attempts fail");
        // A wrong password: refused once, then answered from memory, nothing sent.
        let wrong = builder(&sim)
            .credentials(Credentials::account(ACCOUNT, "not-the-password"))
            .build()
            .expect("builds");
        for _ in 0..2 {
            wrong.login().await.expect_err("refused");
        }
        let calls = recorded.read();
        // An event socket opened, dropped, opened again; what changed meanwhile
        // arrives behind a resync.
        let mut events = meeting.events().await.expect("starts");
        assert_eq!(sim.drop_sockets(CONF), 1);
        assert!(sim.leave(CONF, LAPTOP));
        let reconnected = async {
            while let Some(event) = events.next().await {
                if let EventKind::Resynced { cause } = event.expect("an event").kind
                    && cause == ResyncCause::Reconnected
                {
                    return;
                }
            }
            panic!("the stream ended");
        };
        tokio::time::timeout(Duration::from_secs(10), reconnected)
            .await
            .expect("reconnected within 10 s");
        (calls, recorded.read())
    });
    let count_in = |metrics: &HashMap<String, DebugValue>, name: &str| match metrics.get(name) {
        Some(DebugValue::Counter(n)) => *n,
        Some(DebugValue::Histogram(values)) => values.len() as u64,
        other => panic!("{name}: {other:?} in {:?}", metrics.keys()),
    };
    let count = |name: &str| count_in(&calls, name);
    let duration = "meeting.client.operation.duration";
    assert_eq!(
        count(&format!("{duration}{{operation=LockMeeting,outcome=ok}}")),
        2
    );
    assert_eq!(
        count(&format!(
            "{duration}{{operation=LockMeeting,outcome=server_error}}"
        )),
        1
    );
    assert_eq!(
        count("meeting.client.operation.retries{operation=LockMeeting}"),
        4
    );
    assert_eq!(
        count("meeting.client.token.fetches{kind=access,outcome=ok}"),
        1
    );
    assert_eq!(
        count("meeting.client.token.fetches{kind=control,outcome=ok}"),
        1
    );
    assert_eq!(
        count("meeting.client.token.fetches{kind=access,outcome=authentication}"),
        1
    );
    assert_eq!(count("meeting.client.token.refusals{kind=access}"), 1);
    assert_eq!(count_in(&stream, "meeting.events.connects{}"), 2);
    assert_eq!(count_in(&stream, "meeting.events.reconnects{}"), 1);
    assert_eq!(
        count_in(&stream, "meeting.events.resyncs{cause=reconnected}"),
        1
    );
    // Durations in seconds: every call here took well under ten.
    let Some(DebugValue::Histogram(took)) =
        calls.get(&format!("{duration}{{operation=LockMeeting,outcome=ok}}"))
    else {
        panic!("no durations");
    };
    assert!(
        took.iter()
            .all(|s| s.into_inner() > 0.0 && s.into_inner() < 10.0)
    );
}
