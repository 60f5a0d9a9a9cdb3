//! The simulator over HTTP, as a client sees it: every operation's success and error
//! paths, state transitions, both login flows, HTTPS, faults and the admin API.

use std::time::Duration;

use base64::Engine;
use hmac::{Hmac, Mac};
use meeting_sim::example::{CONFERENCE as CONF, HOST_PASSWORD, LAPTOP as SOFT_CLIENT, TERMINAL};
use meeting_sim::{
    AccountSeed, ConferenceState, FaultConfig, ScriptedFault, Seed, SimHandle, Simulator,
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::Sha256;

/// The example seed plus a disabled and a locked account.
fn seed() -> Seed {
    let mut seed = Seed::example();
    seed.accounts.extend([
        AccountSeed::new("gone", "Gone-pass-1").disabled(),
        AccountSeed::new("stuck", "Stuck-pass-1").locked(),
    ]);
    seed
}

async fn sim() -> SimHandle {
    Simulator::new()
        .seed(seed())
        .start()
        .await
        .expect("simulator starts")
}

/// A response, read whole.
struct Answer {
    status: StatusCode,
    request_id: Option<String>,
    retry_after: Option<String>,
    body: Value,
}

impl Answer {
    fn code(&self) -> &str {
        self.body["error_code"].as_str().unwrap_or("")
    }
}

struct Call<'a> {
    sim: &'a SimHandle,
    http: reqwest::Client,
}

impl<'a> Call<'a> {
    fn new(sim: &'a SimHandle) -> Self {
        Self {
            sim,
            http: reqwest::Client::new(),
        }
    }

    async fn send(
        &self,
        method: Method,
        path_and_query: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> Answer {
        let mut request = self
            .http
            .request(method, format!("{}{path_and_query}", self.sim.base_url()))
            .header("content-type", "application/json");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request.body(body.to_owned());
        }
        let response = request.send().await.expect("the simulator answers");
        let status = response.status();
        let request_id = response
            .headers()
            .get("x-request-id")
            .map(|v| v.to_str().expect("ascii").to_owned());
        let retry_after = response
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().expect("ascii").to_owned());
        let bytes = response.bytes().await.expect("body");
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).expect("JSON body")
        };
        Answer {
            status,
            request_id,
            retry_after,
            body,
        }
    }

    async fn login(&self, account: &str, password: &str) -> Answer {
        let basic =
            base64::engine::general_purpose::STANDARD.encode(format!("{account}:{password}"));
        let body = json!({"account": account, "clientType": 72}).to_string();
        self.send(
            Method::POST,
            "/v1/usg/acs/auth/account",
            &[("authorization", &format!("Basic {basic}"))],
            Some(&body),
        )
        .await
    }

    async fn access_token(&self, account: &str, password: &str) -> String {
        let answer = self.login(account, password).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        answer.body["accessToken"]
            .as_str()
            .expect("accessToken")
            .to_owned()
    }

    async fn control_token(&self) -> String {
        let answer = self
            .token_with(&[("x-password", HOST_PASSWORD), ("x-login-type", "1")])
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        answer.body["data"]["token"]
            .as_str()
            .expect("token")
            .to_owned()
    }

    async fn token_with(&self, headers: &[(&str, &str)]) -> Answer {
        self.send(
            Method::GET,
            &format!("/v1/mmc/control/conferences/token?conferenceID={CONF}"),
            headers,
            None,
        )
        .await
    }

    async fn lock(&self, token: &str, body: &str) -> Answer {
        self.send(
            Method::PUT,
            &format!("/v1/mmc/control/conferences/lock?conferenceID={CONF}"),
            &[("x-conference-authorization", token)],
            Some(body),
        )
        .await
    }
}

/// The App ID signature, computed here independently of the simulator.
fn sign(key: &str, fields: &[&str], upper: bool) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("any key length");
    mac.update(fields.join(":").as_bytes());
    let hex = hex::encode(mac.finalize().into_bytes());
    if upper { hex.to_uppercase() } else { hex }
}

fn app_authorization(signature: &str, app_id: &str) -> String {
    format!(
        "HMAC-SHA256 signature={signature},access={}",
        base64::engine::general_purpose::STANDARD.encode(app_id)
    )
}

const NONCE: &str = "b941cc32517847f583c17705cf82cb1a";

fn future_expiry() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs() as i64
        + 600
}

// ---- authentication ----

#[tokio::test]
async fn account_login_returns_the_documented_fields() {
    let sim = sim().await;
    let call = Call::new(&sim);
    let answer = call.login("alice", "Alice-pass-2026").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(
        answer.body["accessToken"]
            .as_str()
            .is_some_and(|t| t.starts_with("stb"))
    );
    assert_eq!(answer.body["validPeriod"], 12 * 3600);
    assert_eq!(answer.body["clientType"], 72);
    assert!(
        answer.body["expireTime"]
            .as_i64()
            .is_some_and(|t| t > 1_700_000_000)
    );
    assert!(
        answer.body["createTime"]
            .as_i64()
            .is_some_and(|t| t > 1_700_000_000_000),
        "ms"
    );
    assert_eq!(sim.counters().account_logins, 1);
}

#[tokio::test]
async fn account_login_errors() {
    let sim = sim().await;
    let call = Call::new(&sim);
    let wrong = call.login("alice", "nope").await;
    assert_eq!(
        (wrong.status, wrong.code()),
        (StatusCode::UNAUTHORIZED, "USG.000000001")
    );
    assert_eq!(
        call.login("gone", "Gone-pass-1").await.status,
        StatusCode::PRECONDITION_FAILED
    );
    assert_eq!(
        call.login("stuck", "Stuck-pass-1").await.status,
        StatusCode::LOCKED
    );
    let no_header = call
        .send(
            Method::POST,
            "/v1/usg/acs/auth/account",
            &[],
            Some(r#"{"account":"alice","clientType":72}"#),
        )
        .await;
    assert_eq!(no_header.status, StatusCode::UNAUTHORIZED);
    let basic = base64::engine::general_purpose::STANDARD.encode("alice:Alice-pass-1");
    let auth = format!("Basic {basic}");
    for body in [
        r#"{"account":"bob","clientType":72}"#,
        r#"{"account":"alice","clientType":5}"#,
        r#"{"account":"alice"}"#,
        "{",
        "",
    ] {
        let answer = call
            .send(
                Method::POST,
                "/v1/usg/acs/auth/account",
                &[("authorization", &auth)],
                Some(body),
            )
            .await;
        assert_eq!(
            (answer.status, answer.code()),
            (StatusCode::BAD_REQUEST, "USG.000000002"),
            "{body}"
        );
    }
    assert_eq!(sim.counters().account_logins, 0);
}

async fn app_login(call: &Call<'_>, authorization: &str, body: Value) -> Answer {
    call.send(
        Method::POST,
        "/v2/usg/acs/auth/appauth",
        &[("authorization", authorization)],
        Some(&body.to_string()),
    )
    .await
}

#[tokio::test]
async fn app_id_login_single_tenant_accepts_upper_and_lower_hex() {
    let sim = sim().await;
    let call = Call::new(&sim);
    let expire = future_expiry();
    for upper in [true, false] {
        let signature = sign(
            "sim-app-key-single",
            &[
                "6d8a1e1b2e4c4a5f9b0c7d3e2f1a0b9c",
                "third_user_001",
                &expire.to_string(),
                NONCE,
            ],
            upper,
        );
        // Exactly what the official SDK sends, JSON nulls included.
        let body = json!({"appId": "6d8a1e1b2e4c4a5f9b0c7d3e2f1a0b9c", "userId": "third_user_001", "corpId": null, "expireTime": expire,
                          "nonce": NONCE, "clientType": 72, "deptCode": null});
        let answer = app_login(
            &call,
            &app_authorization(&signature, "6d8a1e1b2e4c4a5f9b0c7d3e2f1a0b9c"),
            body,
        )
        .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    }
    assert_eq!(sim.counters().app_logins, 2);
}

#[tokio::test]
async fn app_id_login_without_user_id_signs_an_empty_user() {
    let sim = sim().await;
    let call = Call::new(&sim);
    let signature = sign(
        "sim-app-key-single",
        &["6d8a1e1b2e4c4a5f9b0c7d3e2f1a0b9c", "", "0", NONCE],
        true,
    );
    let body = json!({"appId": "6d8a1e1b2e4c4a5f9b0c7d3e2f1a0b9c", "userId": "", "expireTime": 0, "nonce": NONCE, "clientType": 72});
    let answer = app_login(
        &call,
        &app_authorization(&signature, "6d8a1e1b2e4c4a5f9b0c7d3e2f1a0b9c"),
        body,
    )
    .await;
    assert_eq!(
        answer.status,
        StatusCode::OK,
        "expireTime 0 never expires: {}",
        answer.body
    );
}

#[tokio::test]
async fn app_id_login_multi_tenant_signs_the_corp_id() {
    let sim = sim().await;
    let call = Call::new(&sim);
    let expire = future_expiry().to_string();
    let signature = sign(
        "sim-app-key-multi",
        &[
            "a1b2c3d4e5f60718293a4b5c6d7e8f90",
            "corp-7",
            "u1",
            &expire,
            NONCE,
        ],
        false,
    );
    let body = json!({"appId": "a1b2c3d4e5f60718293a4b5c6d7e8f90", "corpId": "corp-7", "userId": "u1", "expireTime": expire.parse::<i64>().expect("int"),
                      "nonce": NONCE, "clientType": 72});
    let answer = app_login(
        &call,
        &app_authorization(&signature, "a1b2c3d4e5f60718293a4b5c6d7e8f90"),
        body.clone(),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    // The single-tenant formula does not pass for a multi-tenant app.
    let wrong = sign(
        "sim-app-key-multi",
        &["a1b2c3d4e5f60718293a4b5c6d7e8f90", "u1", &expire, NONCE],
        false,
    );
    assert_eq!(
        app_login(
            &call,
            &app_authorization(&wrong, "a1b2c3d4e5f60718293a4b5c6d7e8f90"),
            body
        )
        .await
        .status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn app_id_login_errors() {
    let sim = sim().await;
    let call = Call::new(&sim);
    let expire = future_expiry();
    let good = sign(
        "sim-app-key-single",
        &[
            "6d8a1e1b2e4c4a5f9b0c7d3e2f1a0b9c",
            "u1",
            &expire.to_string(),
            NONCE,
        ],
        true,
    );
    let body = |user: &str, expire: i64| json!({"appId": "6d8a1e1b2e4c4a5f9b0c7d3e2f1a0b9c", "userId": user, "expireTime": expire, "nonce": NONCE, "clientType": 72});
    // Mismatched userId: signed u1, sent u2.
    let answer = app_login(
        &call,
        &app_authorization(&good, "6d8a1e1b2e4c4a5f9b0c7d3e2f1a0b9c"),
        body("u2", expire),
    )
    .await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    // expireTime in the past.
    let past = expire - 3600;
    let signed_past = sign(
        "sim-app-key-single",
        &[
            "6d8a1e1b2e4c4a5f9b0c7d3e2f1a0b9c",
            "u1",
            &past.to_string(),
            NONCE,
        ],
        true,
    );
    let answer = app_login(
        &call,
        &app_authorization(&signed_past, "6d8a1e1b2e4c4a5f9b0c7d3e2f1a0b9c"),
        body("u1", past),
    )
    .await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert!(
        answer.body["error_msg"]
            .as_str()
            .is_some_and(|m| m.contains("expired"))
    );
    // corpId for a single enterprise.
    let mut with_corp = body("u1", expire);
    with_corp["corpId"] = json!("corp-7");
    assert_eq!(
        app_login(
            &call,
            &app_authorization(&good, "6d8a1e1b2e4c4a5f9b0c7d3e2f1a0b9c"),
            with_corp
        )
        .await
        .status,
        StatusCode::UNAUTHORIZED
    );
    // Wrong key, unknown app, access of another app.
    let bad = sign(
        "other-key",
        &[
            "6d8a1e1b2e4c4a5f9b0c7d3e2f1a0b9c",
            "u1",
            &expire.to_string(),
            NONCE,
        ],
        true,
    );
    assert_eq!(
        app_login(
            &call,
            &app_authorization(&bad, "6d8a1e1b2e4c4a5f9b0c7d3e2f1a0b9c"),
            body("u1", expire)
        )
        .await
        .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app_login(
            &call,
            &app_authorization(&good, "a1b2c3d4e5f60718293a4b5c6d7e8f90"),
            body("u1", expire)
        )
        .await
        .status,
        StatusCode::UNAUTHORIZED
    );
    // A nonce shorter than 32 characters is invalid input.
    let mut short = body("u1", expire);
    short["nonce"] = json!("short");
    assert_eq!(
        app_login(
            &call,
            &app_authorization(&good, "6d8a1e1b2e4c4a5f9b0c7d3e2f1a0b9c"),
            short
        )
        .await
        .status,
        StatusCode::BAD_REQUEST
    );
    // Extreme expireTime values are input like any other, never a crash.
    for extreme in [i64::MAX, i64::MIN, -1] {
        let signed = sign(
            "sim-app-key-single",
            &[
                "6d8a1e1b2e4c4a5f9b0c7d3e2f1a0b9c",
                "u1",
                &extreme.to_string(),
                NONCE,
            ],
            true,
        );
        let answer = app_login(
            &call,
            &app_authorization(&signed, "6d8a1e1b2e4c4a5f9b0c7d3e2f1a0b9c"),
            body("u1", extreme),
        )
        .await;
        assert!(
            answer.status.is_client_error() || answer.status.is_success(),
            "{extreme}: {}",
            answer.status
        );
    }
    assert_eq!(sim.counters().errors.get("MMC.111070003"), None);
}

// ---- control token ----

#[tokio::test]
async fn control_token_grant_keepalive_and_expiry() {
    let sim = Simulator::new()
        .seed(seed())
        .control_token_validity(Duration::from_secs(60))
        .start()
        .await
        .expect("starts");
    let call = Call::new(&sim);
    let answer = call
        .token_with(&[("x-password", HOST_PASSWORD), ("x-login-type", "1")])
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    let data = &answer.body["data"];
    assert_eq!(data["role"], 1);
    assert_eq!(data["confTokenExpireTime"], 60);
    assert!(
        answer.body.get("gloablPublicIP").is_some(),
        "the service's spelling"
    );
    let token = data["token"].as_str().expect("token").to_owned();

    // Keep-alive with the token alone (raw, then Basic base64(token)).
    sim.advance_clock(Duration::from_secs(50));
    let kept = call
        .token_with(&[("x-conference-authorization", &token)])
        .await;
    assert_eq!(
        (kept.status, kept.body["data"]["token"].as_str()),
        (StatusCode::OK, Some(token.as_str()))
    );
    sim.advance_clock(Duration::from_secs(50));
    let basic = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(&token)
    );
    assert_eq!(
        call.token_with(&[("x-conference-authorization", &basic)])
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        call.lock(&basic, r#"{"isLock":1}"#).await.status,
        StatusCode::OK
    );

    // Past its validity the token is refused; with the password a new one is granted.
    sim.advance_clock(Duration::from_secs(61));
    let expired = call
        .token_with(&[("x-conference-authorization", &token)])
        .await;
    assert_eq!(
        (expired.status, expired.code()),
        (StatusCode::UNAUTHORIZED, "MMC.111070004")
    );
    assert_eq!(
        call.lock(&token, r#"{"isLock":0}"#).await.status,
        StatusCode::UNAUTHORIZED
    );
    let renewed = call
        .token_with(&[
            ("x-conference-authorization", &token),
            ("x-password", HOST_PASSWORD),
            ("x-login-type", "1"),
        ])
        .await;
    assert_eq!(renewed.status, StatusCode::OK);
    assert_ne!(renewed.body["data"]["token"].as_str(), Some(token.as_str()));
    let counters = sim.counters();
    assert_eq!(
        (
            counters.control_token_grants,
            counters.control_token_keepalives
        ),
        (2, 2)
    );
}

#[tokio::test]
async fn control_token_errors() {
    let sim = sim().await;
    let call = Call::new(&sim);
    let wrong = call
        .token_with(&[("x-password", "000000"), ("x-login-type", "1")])
        .await;
    assert_eq!(
        (wrong.status, wrong.code()),
        (StatusCode::UNAUTHORIZED, "MMC.111070004")
    );
    assert_eq!(call.token_with(&[]).await.code(), "MMC.111070009");
    assert_eq!(
        call.token_with(&[("x-password", HOST_PASSWORD)])
            .await
            .status,
        StatusCode::BAD_REQUEST,
        "X-Login-Type missing"
    );
    let headers = [("x-password", "000000"), ("x-login-type", "1")];
    let scheduled = call
        .send(
            Method::GET,
            "/v1/mmc/control/conferences/token?conferenceID=914087436",
            &headers,
            None,
        )
        .await;
    assert_eq!(
        (scheduled.status, scheduled.code()),
        (StatusCode::FORBIDDEN, "MMC.111072005")
    );
    let unknown = call
        .send(
            Method::GET,
            "/v1/mmc/control/conferences/token?conferenceID=1",
            &headers,
            None,
        )
        .await;
    assert_eq!(
        (unknown.status, unknown.code()),
        (StatusCode::BAD_REQUEST, "MMC.111070005")
    );
    let empty = call
        .send(
            Method::GET,
            "/v1/mmc/control/conferences/token?conferenceID=",
            &headers,
            None,
        )
        .await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
    let bad_access = call
        .token_with(&[
            ("x-password", HOST_PASSWORD),
            ("x-login-type", "1"),
            ("x-access-token", "stbnope"),
        ])
        .await;
    assert_eq!(bad_access.code(), "USG.000000004");
    // The official SDK's extra X-Access-Token is accepted when it is live.
    let access = call.access_token("alice", "Alice-pass-2026").await;
    let with_access = call
        .token_with(&[
            ("x-password", HOST_PASSWORD),
            ("x-login-type", "1"),
            ("x-access-token", &access),
        ])
        .await;
    assert_eq!(with_access.status, StatusCode::OK);
}

// ---- control calls ----

#[tokio::test]
async fn lock_and_unlock_change_state() {
    let sim = sim().await;
    let call = Call::new(&sim);
    let token = call.control_token().await;
    assert!(!sim.conference(CONF).expect("seeded").locked);
    // The official SDK's body, with its spaces.
    assert_eq!(
        call.lock(&token, r#"{"isLock": 1}"#).await.status,
        StatusCode::OK
    );
    assert!(sim.conference(CONF).expect("seeded").locked);
    assert_eq!(
        call.lock(&token, r#"{"isLock":0}"#).await.status,
        StatusCode::OK
    );
    assert!(!sim.conference(CONF).expect("seeded").locked);
    assert_eq!(sim.counters().requests_for("LockMeeting"), 2);
}

#[tokio::test]
async fn control_calls_refuse_bad_input_without_changing_state() {
    let sim = sim().await;
    let call = Call::new(&sim);
    let token = call.control_token().await;
    let missing = call.lock("", r#"{"isLock":1}"#).await;
    assert_eq!(
        (missing.status, missing.code()),
        (StatusCode::UNAUTHORIZED, "MMC.111070111")
    );
    let forged = call.lock("cnrforged", r#"{"isLock":1}"#).await;
    assert_eq!(
        (forged.status, forged.code()),
        (StatusCode::UNAUTHORIZED, "MMC.111070004")
    );
    let oversized = format!(r#"{{"isLock":1,"pad":"{}"}}"#, "x".repeat(100_000));
    for body in [
        r#"{"isLock":2}"#,
        r#"{"isLock":"1"}"#,
        r#"{"isLock":true}"#,
        "{",
        "[]",
        "",
        r#"{}"#,
        &oversized,
    ] {
        let answer = call.lock(&token, body).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{body:.40}");
        assert_eq!(answer.code(), "MMC.111070001");
        assert!(!answer.body["error_msg"].as_str().unwrap_or("").is_empty());
    }
    for query in ["", "?conferenceID=", "?conferenceID=%20"] {
        let answer = call
            .send(
                Method::PUT,
                &format!("/v1/mmc/control/conferences/lock{query}"),
                &[("x-conference-authorization", &token)],
                Some(r#"{"isLock":1}"#),
            )
            .await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{query}");
    }
    // A token of one meeting does not control another.
    let other = call
        .send(
            Method::PUT,
            "/v1/mmc/control/conferences/lock?conferenceID=914087436",
            &[("x-conference-authorization", &token)],
            Some(r#"{"isLock":1}"#),
        )
        .await;
    assert_eq!(other.status, StatusCode::UNAUTHORIZED);
    assert!(!sim.conference(CONF).expect("seeded").locked);
}

#[tokio::test]
async fn settings_change_only_what_is_sent() {
    let sim = sim().await;
    let call = Call::new(&sim);
    let token = call.control_token().await;
    let put = |body: &'static str| {
        let token = token.clone();
        let call = &call;
        async move {
            call.send(
                Method::PUT,
                &format!("/v1/mmc/control/conferences/updateStartedConfConfig?conferenceID={CONF}"),
                &[("x-conference-authorization", &token)],
                Some(body),
            )
            .await
        }
    };
    assert_eq!(
        put(r#"{"lockSharing": 1, "callInRestriction": 2}"#)
            .await
            .status,
        StatusCode::OK
    );
    let view = sim.conference(CONF).expect("seeded");
    assert_eq!(
        (
            view.settings.lock_sharing,
            view.settings.call_in_restriction
        ),
        (1, 2)
    );
    assert_eq!(view.settings.chat_permission, 4, "untouched");
    let all = r#"{"lockSharing":0,"callInRestriction":3,"allowUnmuteByOneself":0,"chatPermission":1,"audienceCallInRestriction":2,"clientRecMode":2,"allowOpenCamera":0,"allowRename":0,"isLock":1,"freeShare":1}"#;
    assert_eq!(put(all).await.status, StatusCode::OK);
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
        (0, 3, 0, 1, 2)
    );
    assert_eq!(
        (
            s.client_rec_mode,
            s.allow_open_camera,
            s.allow_rename,
            s.free_share,
            view.locked
        ),
        (2, 0, 0, 1, true)
    );
    for bad in [
        r#"{}"#,
        r#"{"callInRestriction":1}"#,
        r#"{"chatPermission":0}"#,
        r#"{"lockSharing":"yes"}"#,
    ] {
        let answer = put(bad).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{bad}");
    }
    assert_eq!(
        put(r#"{}"#).await.body["error_msg"],
        "no setting given: send at least one field"
    );
}

#[tokio::test]
async fn lock_view_locks_a_professional_terminal_to_a_video_source() {
    let sim = sim().await;
    let call = Call::new(&sim);
    let token = call.control_token().await;
    let put = |terminal: &str, status: i32, source: &str| {
        let path = format!(
            "/v1/mmc/control/conferences/lockView?conferenceID={CONF}&participantID={terminal}"
        );
        let body = json!({"status": status, "participantID": source}).to_string();
        let token = token.clone();
        let call = &call;
        async move {
            call.send(
                Method::PUT,
                &path,
                &[("x-conference-authorization", &token)],
                Some(&body),
            )
            .await
        }
    };
    assert_eq!(put(TERMINAL, 1, SOFT_CLIENT).await.status, StatusCode::OK);
    let terminal = |sim: &SimHandle| {
        sim.conference(CONF)
            .expect("seeded")
            .participants
            .into_iter()
            .find(|p| p.id == TERMINAL)
            .expect("terminal")
    };
    assert_eq!(terminal(&sim).view_locked_to.as_deref(), Some(SOFT_CLIENT));
    assert!(terminal(&sim).video_locked());
    assert_eq!(put(TERMINAL, 0, SOFT_CLIENT).await.status, StatusCode::OK);
    assert!(!terminal(&sim).video_locked());

    let soft = put(SOFT_CLIENT, 1, SOFT_CLIENT).await;
    assert_eq!(
        (soft.status, soft.code()),
        (StatusCode::FORBIDDEN, "MMC.111070002")
    );
    assert_eq!(
        put("nobody", 1, SOFT_CLIENT).await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        put(TERMINAL, 1, "nobody").await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        put(TERMINAL, 3, SOFT_CLIENT).await.status,
        StatusCode::BAD_REQUEST
    );
    assert!(!terminal(&sim).video_locked());
}

// ---- management ----

#[tokio::test]
async fn cancel_moves_scheduled_to_cancelled_and_ends_ongoing_only_with_type_1() {
    let sim = sim().await;
    let call = Call::new(&sim);
    let access = call.access_token("alice", "Alice-pass-2026").await;
    let control = call.control_token().await;
    let cancel = |query: String| {
        let access = access.clone();
        let call = &call;
        async move {
            call.send(
                Method::DELETE,
                &format!("/v1/mmc/management/conferences?{query}"),
                &[("x-access-token", &access)],
                None,
            )
            .await
        }
    };
    assert_eq!(
        cancel("conferenceID=914087436".into()).await.status,
        StatusCode::OK
    );
    assert_eq!(
        sim.conference("914087436").expect("seeded").state,
        ConferenceState::Cancelled
    );
    assert_eq!(
        cancel("conferenceID=914087436".into()).await.status,
        StatusCode::FORBIDDEN,
        "already cancelled"
    );

    let refused = cancel(format!("conferenceID={CONF}")).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(
        sim.conference(CONF).expect("seeded").state,
        ConferenceState::Ongoing
    );
    // Query order and strict percent-encoding do not matter (the SDK sorts and encodes).
    assert_eq!(
        cancel(format!("type=1&conferenceID={CONF}")).await.status,
        StatusCode::OK
    );
    assert_eq!(
        sim.conference(CONF).expect("seeded").state,
        ConferenceState::Ended
    );
    assert_eq!(
        call.lock(&control, r#"{"isLock":1}"#).await.status,
        StatusCode::UNAUTHORIZED,
        "control tokens end with the meeting"
    );
    assert_eq!(
        cancel("conferenceID=404".into()).await.code(),
        "MMC.111070005"
    );
    assert_eq!(
        cancel(format!("conferenceID={CONF}&type=2")).await.status,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn cancel_needs_a_live_access_token_of_the_organizer_or_an_admin() {
    let sim = sim().await;
    let call = Call::new(&sim);
    let path = "/v1/mmc/management/conferences?conferenceID=914087436";
    let none = call.send(Method::DELETE, path, &[], None).await;
    assert_eq!(
        (none.status, none.code()),
        (StatusCode::UNAUTHORIZED, "USG.000000004")
    );
    let forged = call
        .send(
            Method::DELETE,
            path,
            &[("x-access-token", "stbforged")],
            None,
        )
        .await;
    assert_eq!(forged.status, StatusCode::UNAUTHORIZED);
    let signature = sign(
        "sim-app-key-single",
        &["6d8a1e1b2e4c4a5f9b0c7d3e2f1a0b9c", "mallory", "0", NONCE],
        true,
    );
    let body = json!({"appId": "6d8a1e1b2e4c4a5f9b0c7d3e2f1a0b9c", "userId": "mallory", "expireTime": 0, "nonce": NONCE, "clientType": 72});
    let mallory = app_login(
        &call,
        &app_authorization(&signature, "6d8a1e1b2e4c4a5f9b0c7d3e2f1a0b9c"),
        body,
    )
    .await;
    let mallory = mallory.body["accessToken"]
        .as_str()
        .expect("token")
        .to_owned();
    let denied = call
        .send(Method::DELETE, path, &[("x-access-token", &mallory)], None)
        .await;
    assert_eq!(
        (denied.status, denied.code()),
        (StatusCode::FORBIDDEN, "MMC.111070002")
    );
    let root = call.access_token("meeting_admin", "Admin-pass-2026").await;
    assert_eq!(
        call.send(Method::DELETE, path, &[("x-access-token", &root)], None)
            .await
            .status,
        StatusCode::OK
    );
    // Tokens expire with the simulator's clock.
    let alice = call.access_token("alice", "Alice-pass-2026").await;
    sim.advance_clock(Duration::from_secs(12 * 3600 + 1));
    let late = call
        .send(
            Method::DELETE,
            &format!("/v1/mmc/management/conferences?conferenceID={CONF}&type=1"),
            &[("x-access-token", &alice)],
            None,
        )
        .await;
    assert_eq!(
        (late.status, late.code()),
        (StatusCode::UNAUTHORIZED, "USG.000000004")
    );
}

// ---- cross-cutting ----

#[tokio::test]
async fn every_answer_has_a_request_id_and_unknown_routes_are_404_with_the_error_body() {
    let sim = sim().await;
    let call = Call::new(&sim);
    let missing = call.send(Method::GET, "/v1/nothing/here", &[], None).await;
    assert_eq!(
        (missing.status, missing.code()),
        (StatusCode::NOT_FOUND, "SIM.000000404")
    );
    let wrong_method = call
        .send(Method::POST, "/v1/mmc/control/conferences/lock", &[], None)
        .await;
    assert_eq!(wrong_method.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(wrong_method.body["error_msg"].is_string());
    let ok = call.login("alice", "Alice-pass-2026").await;
    let mut ids = Vec::new();
    for answer in [missing, wrong_method, ok] {
        let id = answer.request_id.expect("x-request-id on every answer");
        assert_eq!(id.len(), 32);
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
        ids.push(id);
    }
    ids.dedup();
    assert_eq!(ids.len(), 3, "request ids are unique");
    let counters = sim.counters();
    assert_eq!(counters.errors.get("SIM.000000404"), Some(&2));
    assert_eq!(
        counters.requests_for("unknown"),
        2,
        "the unknown route and the wrong method"
    );
}

#[tokio::test]
async fn https_with_the_generated_ca_and_plain_http_on_the_same_port() {
    let sim = Simulator::new()
        .seed(seed())
        .tls(true)
        .start()
        .await
        .expect("starts");
    assert!(sim.base_url().starts_with("https://127.0.0.1:"));
    let pem = sim.ca_certificate_pem().expect("a CA under TLS");
    let ca = reqwest::Certificate::from_pem(pem.as_bytes()).expect("PEM parses");
    let https = reqwest::Client::builder()
        .add_root_certificate(ca)
        .build()
        .expect("client");
    let call = Call {
        sim: &sim,
        http: https,
    };
    assert_eq!(
        call.login("alice", "Alice-pass-2026").await.status,
        StatusCode::OK
    );
    let plain = reqwest::Client::new()
        .get(format!(
            "http://127.0.0.1:{}/_sim/counters",
            sim.local_addr().port()
        ))
        .send()
        .await
        .expect("plain HTTP answers too");
    assert_eq!(plain.status(), StatusCode::OK);
    // Without the CA the certificate is not trusted.
    let untrusted = reqwest::Client::new()
        .get(format!("{}/_sim/counters", sim.base_url()))
        .send()
        .await;
    assert!(untrusted.is_err());
}

#[tokio::test]
async fn a_connection_that_never_sent_a_request_does_not_hold_up_shutdown() {
    // Before: it held the graceful shutdown for its full 5 s (the demo's own 5 s
    // timeout then lost the race). A client's pool may open one it never uses.
    let sim = sim().await;
    let idle = tokio::net::TcpStream::connect(sim.local_addr())
        .await
        .expect("connects");
    // The simulator has accepted it once a request on another connection is answered.
    let call = Call::new(&sim);
    assert_eq!(
        call.login("alice", "Alice-pass-2026").await.status,
        StatusCode::OK
    );
    // Generous: the point is well under the 5 s that open requests are given.
    tokio::time::timeout(Duration::from_secs(4), sim.shutdown())
        .await
        .expect("shutdown does not wait for the idle connection");
    drop(idle);
}

// ---- faults ----

#[tokio::test]
async fn injected_errors_have_no_effect() {
    let sim = sim().await;
    let call = Call::new(&sim);
    let token = call.control_token().await;
    for status in [500u16, 502, 503] {
        sim.fail_next(1, ScriptedFault::Status { status });
        let answer = call.lock(&token, r#"{"isLock":1}"#).await;
        assert_eq!(answer.status.as_u16(), status);
        assert!(answer.body["error_code"].is_string());
        assert!(
            !sim.conference(CONF).expect("seeded").locked,
            "{status} changed state"
        );
    }
    sim.fail_next(
        1,
        ScriptedFault::Throttle {
            retry_after_secs: 7,
        },
    );
    let throttled = call.lock(&token, r#"{"isLock":1}"#).await;
    assert_eq!(
        (throttled.status, throttled.code()),
        (StatusCode::TOO_MANY_REQUESTS, "MMC.100000429")
    );
    assert_eq!(throttled.retry_after.as_deref(), Some("7"));
    assert!(!sim.conference(CONF).expect("seeded").locked);
    assert_eq!(
        call.lock(&token, r#"{"isLock":1}"#).await.status,
        StatusCode::OK,
        "the script ran out"
    );
    let faults = sim.counters().faults;
    assert_eq!(
        (faults["500"], faults["502"], faults["503"], faults["429"]),
        (1, 1, 1, 1)
    );
}

#[tokio::test]
async fn dropped_connections_and_expired_tokens() {
    let sim = sim().await;
    let call = Call::new(&sim);
    let token = call.control_token().await;
    sim.fail_next(1, ScriptedFault::Drop);
    let dropped = call
        .http
        .put(format!(
            "{}/v1/mmc/control/conferences/lock?conferenceID={CONF}",
            sim.base_url()
        ))
        .header("x-conference-authorization", &token)
        .body(r#"{"isLock":1}"#)
        .send()
        .await;
    assert!(dropped.is_err(), "no answer on a dropped connection");
    assert!(!sim.conference(CONF).expect("seeded").locked);
    sim.fail_next(1, ScriptedFault::ExpireTokens);
    assert_eq!(
        call.lock(&token, r#"{"isLock":1}"#).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(sim.counters().faults["drop"], 1);
}

#[tokio::test]
async fn fault_rates_are_deterministic_from_the_seed() {
    async fn statuses(seed: u64) -> Vec<u16> {
        let sim = Simulator::new()
            .faults(FaultConfig {
                seed,
                server_error_rate: 0.5,
                throttle_rate: 0.2,
                retry_after_secs: 1,
                ..FaultConfig::default()
            })
            .start()
            .await
            .expect("starts");
        let call = Call::new(&sim);
        let mut out = Vec::new();
        for _ in 0..40 {
            out.push(
                call.send(
                    Method::GET,
                    "/v1/mmc/control/conferences/token?conferenceID=1",
                    &[],
                    None,
                )
                .await
                .status
                .as_u16(),
            );
        }
        out
    }
    let first = statuses(42).await;
    assert_eq!(first, statuses(42).await);
    assert_ne!(first, statuses(43).await);
    assert!(first.contains(&429) && first.iter().any(|s| *s >= 500) && first.contains(&400));
}

#[tokio::test]
async fn latency_is_added_before_the_answer() {
    let sim = Simulator::new()
        .faults(FaultConfig {
            latency_ms: 30,
            ..FaultConfig::default()
        })
        .start()
        .await
        .expect("starts");
    let started = std::time::Instant::now();
    let answer = Call::new(&sim)
        .send(Method::GET, "/v1/unknown", &[], None)
        .await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    // A lower bound only: the delay is a sleep before the handler.
    assert!(started.elapsed() >= Duration::from_millis(30));
}

// ---- admin API ----

#[tokio::test]
async fn admin_api_seeds_reads_moves_the_clock_and_resets() {
    let sim = Simulator::new().start().await.expect("starts");
    let call = Call::new(&sim);
    let seeded = call
        .send(
            Method::POST,
            "/_sim/seed",
            &[],
            Some(&serde_json::to_string(&seed()).expect("JSON")),
        )
        .await;
    assert_eq!(seeded.status, StatusCode::OK);
    assert_eq!(seeded.body["conferences"].as_array().map(Vec::len), Some(3));
    let token = call.control_token().await;
    assert_eq!(
        call.lock(&token, r#"{"isLock":1}"#).await.status,
        StatusCode::OK
    );
    let conference = call
        .send(Method::GET, &format!("/_sim/conferences/{CONF}"), &[], None)
        .await;
    assert_eq!(conference.body["locked"], true);
    let counters = call.send(Method::GET, "/_sim/counters", &[], None).await;
    assert_eq!(counters.body["control_token_grants"], 1);
    assert_eq!(counters.body["requests"]["LockMeeting"], 1);
    let before = sim.state().now_ms;
    let moved = call
        .send(
            Method::POST,
            "/_sim/clock/advance",
            &[],
            Some(r#"{"seconds":3600}"#),
        )
        .await;
    assert!(moved.body["now_ms"].as_i64().expect("now_ms") >= before + 3_600_000);
    let faults = call
        .send(
            Method::PUT,
            "/_sim/faults",
            &[],
            Some(r#"{"throttle_rate":1.0,"retry_after_secs":2}"#),
        )
        .await;
    assert_eq!(faults.body["throttle_rate"], 1.0);
    assert_eq!(
        call.send(Method::GET, "/v1/x", &[], None).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        call.send(Method::GET, "/_sim/state", &[], None)
            .await
            .status,
        StatusCode::OK,
        "admin is never faulted"
    );
    assert_eq!(
        call.send(
            Method::POST,
            "/_sim/faults/next",
            &[],
            Some(r#"{"count":1,"fault":{"kind":"status","status":503}}"#)
        )
        .await
        .status,
        StatusCode::OK
    );
    assert_eq!(
        call.send(Method::POST, "/_sim/reset", &[], None)
            .await
            .status,
        StatusCode::OK
    );
    assert!(sim.state().conferences.is_empty());
    assert_eq!(sim.counters().requests_for("LockMeeting"), 0);
    assert_eq!(
        call.send(Method::GET, "/v1/x", &[], None).await.status,
        StatusCode::NOT_FOUND,
        "reset clears faults"
    );
    sim.shutdown().await;
}
