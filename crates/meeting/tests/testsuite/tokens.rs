//! Token lifecycles under concurrency: many calls cross an access-token expiry and a
//! control-token expiry, and the simulator counts exactly one login and one refresh per
//! conference. No sleeps: the simulator's clock and the client's move together.

use crate::common;

use std::time::Duration;

use common::*;
use futures::future::join_all;
use meeting::clock::ManualClock;

const CONFERENCES: [&str; 3] = ["900000000", "900000001", "900000002"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_calls_cross_token_expiries_with_one_login_and_one_refresh_per_conference() {
    let sim = sim().await;
    let clocks = Clocks {
        sim: &sim,
        client: ManualClock::default(),
    };
    let client = builder(&sim)
        .clock(clocks.client.clone())
        .build()
        .expect("builds");
    let meetings: Vec<_> = CONFERENCES
        .iter()
        .map(|id| client.conference(*id).with_host_password(HOST_PASSWORD))
        .collect();
    let scheduled: Vec<String> = (0..40).map(|i| format!("8000000{i:02}")).collect();

    // 60 control calls over 3 conferences and 10 cancels, all at once, from cold.
    let round = |cancels: std::ops::Range<usize>| {
        let locks = (0..60).map(|i| {
            let meeting = meetings[i % 3].clone();
            async move {
                if i % 2 == 0 {
                    meeting.lock().await
                } else {
                    meeting.unlock().await
                }
            }
        });
        let cancels = scheduled[cancels].iter().map(|id| {
            let meeting = client.conference(id.as_str());
            async move { meeting.cancel().await }
        });
        async move {
            let (a, b) = futures::join!(join_all(locks), join_all(cancels));
            for result in a.into_iter().chain(b) {
                result.expect("call succeeds");
            }
        }
    };
    round(0..10).await;
    let counters = sim.counters();
    assert_eq!(
        counters.account_logins, 1,
        "one login for 10 concurrent cancels"
    );
    assert_eq!(
        counters.control_token_grants, 3,
        "one control token per conference"
    );

    // 26 minutes on: control tokens (30 min) are inside their refresh margin, the
    // access token (12 h) is not. One keep-alive per conference.
    clocks.advance(Duration::from_secs(26 * 60));
    round(10..20).await;
    let counters = sim.counters();
    assert_eq!(
        counters.control_token_keepalives, 3,
        "one keep-alive per conference"
    );
    assert_eq!(
        (counters.control_token_grants, counters.account_logins),
        (3, 1)
    );

    // 12 hours on: every token has expired. One login, one new grant per conference.
    clocks.advance(Duration::from_secs(12 * 3600));
    round(20..30).await;
    let counters = sim.counters();
    assert_eq!(counters.account_logins, 2, "one more login");
    assert_eq!(
        counters.control_token_grants, 6,
        "one new control token per conference"
    );
    assert_eq!(counters.control_token_keepalives, 3);
    assert_eq!(
        counters.errors.get("MMC.111070004"),
        None,
        "no call was sent with an expired token"
    );
    assert_eq!(counters.requests_for("LockMeeting"), 180);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_control_token_is_replaced_once_for_all_waiting_calls() {
    let sim = sim().await;
    let meeting = client(&sim)
        .conference(CONF)
        .with_host_password(HOST_PASSWORD);
    meeting.lock().await.expect("locks");
    // The service forgets every token; the client's cache still thinks them fresh.
    sim.expire_tokens();
    let calls = (0..20).map(|_| {
        let meeting = meeting.clone();
        async move { meeting.unlock().await }
    });
    for result in join_all(calls).await {
        result.expect("succeeds after one renewal");
    }
    let counters = sim.counters();
    assert_eq!(
        counters.control_token_grants, 2,
        "one renewal for 20 refused calls"
    );
    assert!(!sim.conference(CONF).expect("seeded").locked);
}

#[tokio::test]
async fn a_refused_access_token_means_one_new_login_and_one_retry() {
    let sim = sim().await;
    let client = client(&sim);
    client
        .conference("800000000")
        .cancel()
        .await
        .expect("cancels");
    sim.expire_tokens();
    client
        .conference("800000001")
        .cancel()
        .await
        .expect("cancels after logging in again");
    let counters = sim.counters();
    assert_eq!(counters.account_logins, 2);
    assert_eq!(
        counters.requests_for("CancelMeeting"),
        3,
        "the refused call and its one retry"
    );
    assert_eq!(counters.errors.get("USG.000000004"), Some(&1));
}

#[tokio::test]
async fn without_a_password_a_refused_control_token_is_an_error_not_a_loop() {
    let sim = sim().await;
    let client = client(&sim);
    let info = client
        .conference(CONF)
        .with_host_password(HOST_PASSWORD)
        .control_token_info()
        .await
        .expect("info");
    let supplied = client
        .conference(CONF)
        .with_control_token(info.expose_token());
    supplied
        .lock()
        .await
        .expect("locks with the supplied token");
    sim.expire_tokens();
    let err = supplied.unlock().await.expect_err("cannot renew");
    assert_eq!(err.kind(), meeting::ErrorKind::Authentication);
    assert_eq!(sim.counters().requests_for("LockMeeting"), 2);
}

#[tokio::test]
async fn the_access_token_is_refreshed_ahead_of_the_servers_validity() {
    // The server says 1 hour: the client refreshes 5 minutes before, not after 12 h.
    let sim = meeting_sim::Simulator::new()
        .seed(seed())
        .access_token_validity(Duration::from_secs(3600))
        .start()
        .await
        .expect("starts");
    let clocks = Clocks {
        sim: &sim,
        client: ManualClock::default(),
    };
    let client = builder(&sim)
        .clock(clocks.client.clone())
        .build()
        .expect("builds");
    client
        .conference("800000000")
        .cancel()
        .await
        .expect("cancels");
    clocks.advance(Duration::from_secs(54 * 60));
    client
        .conference("800000001")
        .cancel()
        .await
        .expect("cancels");
    assert_eq!(
        sim.counters().account_logins,
        1,
        "still fresh 6 minutes before expiry"
    );
    clocks.advance(Duration::from_secs(2 * 60));
    client
        .conference("800000002")
        .cancel()
        .await
        .expect("cancels");
    let counters = sim.counters();
    assert_eq!(
        counters.account_logins, 2,
        "refreshed 4 minutes before expiry"
    );
    assert!(
        counters.errors.is_empty(),
        "no call was refused: {:?}",
        counters.errors
    );
}

/// With credentials, the control-token request carries the access token too; if the
/// service refuses that one (401, `USG.`), the client logs in again once and carries on.
#[tokio::test]
async fn an_access_token_refused_while_renewing_the_control_token_is_renewed_once() {
    let sim = sim().await;
    let client = client(&sim);
    let meeting = client.conference(CONF).with_host_password(HOST_PASSWORD);
    meeting.lock().await.expect("locks");
    assert_eq!(sim.counters().logins(), 1);
    // Both tokens die on the service's side; the client still thinks them fresh.
    sim.expire_tokens();
    meeting.unlock().await.expect("renews both and unlocks");
    let counters = sim.counters();
    assert_eq!(counters.logins(), 2, "one new login");
    assert_eq!(counters.control_token_grants, 2, "one new control token");
    assert!(!sim.conference(CONF).expect("seeded").locked);
}
