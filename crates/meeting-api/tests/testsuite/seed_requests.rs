//! The example request of each of Huawei's reference pages for these operations
//! (Locking or Unlocking a Meeting, Canceling a Scheduled Meeting, Modifying Settings
//! During a Meeting, Locking a Terminal's Video Source, Obtaining a Meeting Control
//! Token), reproduced by the generated client and checked on the wire against a
//! loopback listener that records what it receives.

use std::collections::BTreeMap;

use meeting_api::call::with_secrets;
use meeting_api::secrets::Secrets;
use meeting_api::types::{self, RestLockSiteViewReqBody, UpdateStartedConfigReqBody};
use meeting_api::Client;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// One HTTP/1.1 request as it arrived.
#[derive(Debug)]
struct Recorded {
    method: String,
    target: String,
    headers: BTreeMap<String, String>,
    body: Vec<u8>,
}

impl Recorded {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("the body is JSON")
    }
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }
}

/// Starts a listener on loopback that answers one request with `status` and `body`, and
/// hands back what it received.
async fn recorder(status: u16, reply: &'static str) -> (String, tokio::task::JoinHandle<Recorded>) {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let base = format!("http://{}", listener.local_addr().expect("local addr"));
    let task = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.expect("accept");
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        let head_end = loop {
            let n = socket.read(&mut chunk).await.expect("read");
            assert!(n > 0, "connection closed before the request ended");
            buf.extend_from_slice(&chunk[..n]);
            if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break pos;
            }
        };
        let head = String::from_utf8(buf[..head_end].to_vec()).expect("ASCII head");
        let mut lines = head.split("\r\n");
        let mut request_line = lines.next().expect("request line").split(' ');
        let method = request_line.next().expect("method").to_owned();
        let target = request_line.next().expect("target").to_owned();
        let headers: BTreeMap<String, String> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        let length: usize = headers
            .get("content-length")
            .map(|v| v.parse().expect("numeric length"))
            .unwrap_or(0);
        let mut body = buf[head_end + 4..].to_vec();
        while body.len() < length {
            let n = socket.read(&mut chunk).await.expect("read body");
            assert!(n > 0, "connection closed inside the body");
            body.extend_from_slice(&chunk[..n]);
        }
        let response = format!(
            "HTTP/1.1 {status} X\r\ncontent-type: application/json;charset=UTF-8\r\nx-request-id: 2a40022a27536e9fbf3dba3dc7d4d443\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{reply}",
            reply.len()
        );
        socket.write_all(response.as_bytes()).await.expect("write");
        Recorded {
            method,
            target,
            headers,
            body,
        }
    });
    (base, task)
}

fn client(base: &str) -> Client {
    // reqwest has no crypto provider of its own here (see the crate docs).
    let _ = rustls::crypto::ring::default_provider().install_default();
    Client::new_with_client(base, reqwest::Client::new())
}

const TOKEN: &str = "stbaf8fa2ea8a1b0e3ab2e007a85a75f88c55d5f6d5c1912dfb";

fn control(token: &str) -> Secrets {
    Secrets::new().control_token(token).expect("a header value")
}

#[tokio::test]
async fn seed_001_lock_meeting() {
    let (base, seen) = recorder(200, "").await;
    with_secrets(
        control(TOKEN),
        client(&base).lock_meeting("914083136", &lock(1)),
    )
    .await
    .expect("200");
    let r = seen.await.expect("recorded");
    assert_eq!(r.method, "PUT");
    assert_eq!(
        r.target,
        "/v1/mmc/control/conferences/lock?conferenceID=914083136"
    );
    assert_eq!(r.header("x-conference-authorization"), Some(TOKEN));
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(
        r.header("api-version"),
        None,
        "the hook strips progenitor's header"
    );
    assert_eq!(r.json(), json!({"isLock": 1}));
}

#[tokio::test]
async fn seed_002_cancel_meeting() {
    let (base, seen) = recorder(200, "").await;
    let access = Secrets::new()
        .access_token("stbX5ElstO5QwOwPB9KGQWUZ1DHoFrTsQjjC")
        .expect("a header value");
    with_secrets(
        access,
        client(&base).cancel_meeting("914087436", None, None, None, None),
    )
    .await
    .expect("200");
    let r = seen.await.expect("recorded");
    assert_eq!(r.method, "DELETE");
    assert_eq!(
        r.target,
        "/v1/mmc/management/conferences?conferenceID=914087436"
    );
    assert_eq!(
        r.header("x-access-token"),
        Some("stbX5ElstO5QwOwPB9KGQWUZ1DHoFrTsQjjC")
    );
    assert!(r.body.is_empty());
}

#[tokio::test]
async fn cancel_meeting_with_type_1_ends_an_ongoing_meeting() {
    let (base, seen) = recorder(200, "").await;
    let end = types::CancelMeetingType::try_from(1).expect("1 is valid");
    let access = Secrets::new().access_token("stb").expect("a header value");
    with_secrets(
        access,
        client(&base).cancel_meeting("914083136", Some(&end), None, None, None),
    )
    .await
    .expect("200");
    let r = seen.await.expect("recorded");
    assert_eq!(
        r.target,
        "/v1/mmc/management/conferences?conferenceID=914083136&type=1"
    );
}

#[tokio::test]
async fn seed_003_update_started_conf_config_is_a_put() {
    let (base, seen) = recorder(200, "").await;
    let unlocked = types::UpdateStartedConfigReqBodyLockSharing::try_from(0).expect("0 is valid");
    let body = UpdateStartedConfigReqBody {
        lock_sharing: Some(unlocked),
        ..Default::default()
    };
    with_secrets(
        control(TOKEN),
        client(&base).update_started_conf_config("900244663", &body),
    )
    .await
    .expect("200");
    let r = seen.await.expect("recorded");
    // The reference page's curl example says POST; its prototype table and the official
    // SDK say PUT.
    assert_eq!(r.method, "PUT");
    assert_eq!(
        r.target,
        "/v1/mmc/control/conferences/updateStartedConfConfig?conferenceID=900244663"
    );
    assert_eq!(
        r.json(),
        json!({"lockSharing": 0}),
        "unset fields are omitted"
    );
}

#[tokio::test]
async fn seed_004_lock_view_sends_the_participant_in_query_and_body() {
    let (base, seen) = recorder(200, "").await;
    let body = RestLockSiteViewReqBody {
        status: 1.try_into().expect("1 is valid"),
        participant_id: "f131536e21ff11eab12735e1cddf6d01"
            .try_into()
            .expect("an ID"),
    };
    let terminal = types::ParticipantId("6a1acfe867f211eaa1cd59f41ff47e04".to_owned());
    with_secrets(
        control(TOKEN),
        client(&base).lock_view("914083136", &terminal, &body),
    )
    .await
    .expect("200");
    let r = seen.await.expect("recorded");
    assert_eq!(r.method, "PUT");
    assert_eq!(
        r.target,
        "/v1/mmc/control/conferences/lockView?conferenceID=914083136&participantID=6a1acfe867f211eaa1cd59f41ff47e04"
    );
    assert_eq!(
        r.json(),
        json!({"status": 1, "participantID": "f131536e21ff11eab12735e1cddf6d01"})
    );
}

#[tokio::test]
async fn create_conf_token_sends_password_headers_and_reads_token_info() {
    let (base, seen) = recorder(
        200,
        r#"{"data":{"token":"cnr1","role":1,"expireTime":1700000000000,"confTokenExpireTime":1800},"gloablPublicIP":"10.0.0.1"}"#,
    )
    .await;
    let password_login = types::CreateConfTokenXLoginType::try_from(1).expect("1 is valid");
    let password = Secrets::new()
        .host_password("654321")
        .expect("a header value");
    let response = with_secrets(
        password,
        client(&base).create_conf_token("914083136", Some(&password_login), None),
    )
    .await
    .expect("200");
    let r = seen.await.expect("recorded");
    assert_eq!(r.method, "GET");
    assert_eq!(
        r.target,
        "/v1/mmc/control/conferences/token?conferenceID=914083136"
    );
    assert_eq!(r.header("x-password"), Some("654321"));
    assert_eq!(r.header("x-login-type"), Some("1"));
    let body = response.into_inner();
    assert_eq!(body.data.token, "cnr1");
    assert_eq!(body.data.role, Some(1));
    assert_eq!(body.data.conf_token_expire_time, Some(1800));
    assert_eq!(body.gloabl_public_ip.as_deref(), Some("10.0.0.1"));
}

#[tokio::test]
async fn documented_error_is_typed_with_code_message_and_request_id() {
    let (base, _seen) = recorder(
        401,
        r#"{"error_code":"MMC.111070004","error_msg":"Meeting authentication failed."}"#,
    )
    .await;
    let err = with_secrets(
        control("bad"),
        client(&base).lock_meeting("914083136", &lock(0)),
    )
    .await
    .expect_err("401");
    let meeting_api::Error::ErrorResponse(response) = err else {
        panic!("expected a documented error, got {err:?}")
    };
    assert_eq!(response.status().as_u16(), 401);
    assert_eq!(
        response.headers().get("x-request-id").map(|v| v.as_bytes()),
        Some(&b"2a40022a27536e9fbf3dba3dc7d4d443"[..])
    );
    assert_eq!(response.error_code, "MMC.111070004");
}

#[tokio::test]
async fn non_json_error_body_keeps_status_and_request_id_through_observe() {
    let (base, _seen) = recorder(502, "<html>bad gateway</html>").await;
    let c = client(&base);
    let body = lock(1);
    let (result, exchange) = meeting_api::call::observe(
        meeting_api::exchange::DEFAULT_BODY_LIMIT,
        control(TOKEN),
        c.lock_meeting("914083136", &body),
    )
    .await;
    assert!(matches!(
        result,
        Err(meeting_api::Error::InvalidResponsePayload(..))
    ));
    let exchange = exchange.expect("the hook recorded the response");
    assert_eq!(exchange.status.as_u16(), 502);
    assert_eq!(
        exchange.request_id(),
        Some("2a40022a27536e9fbf3dba3dc7d4d443")
    );
}

#[test]
fn out_of_range_enum_cannot_even_be_built() {
    // A request body holds validated values: 2 is no lock state, so no request with it
    // can be made, let alone sent.
    let err = types::RestLockReqBodyIsLock::try_from(2).expect_err("2 is not a lock state");
    assert!(err.to_string().contains("invalid value"), "{err}");
}

/// The body of LockMeeting.
fn lock(is_lock: i32) -> types::RestLockReqBody {
    types::RestLockReqBody {
        is_lock: is_lock.try_into().expect("0 or 1"),
    }
}

#[tokio::test]
async fn an_operation_that_needs_a_token_is_refused_before_sending_outside_with_secrets() {
    // Port 9 of loopback: the refusal comes before any connection is attempted.
    let err = client("http://127.0.0.1:9")
        .lock_meeting("914083136", &lock(1))
        .await
        .expect_err("no control token");
    match err {
        meeting_api::Error::InvalidRequest(message) => {
            assert!(message.contains("LockMeeting"), "{message}");
            assert!(message.contains("with_secrets"), "{message}");
        }
        other => panic!("expected InvalidRequest, got {other:?}"),
    }
}
