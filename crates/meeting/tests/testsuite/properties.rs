//! Property tests over the wrapper's reading of answers: whatever status, headers and
//! body come back, a call ends in `Ok` or a typed error, never a panic, and the error
//! is safe to print.

use crate::common;

use std::sync::{Arc, Mutex, OnceLock};

use common::*;
use meeting::{Client, Credentials, RetryPolicy};
use meeting_sim::scripted::{Reply, ScriptedServer};
use proptest::prelude::*;

struct Fixture {
    runtime: tokio::runtime::Runtime,
    next: Arc<Mutex<Reply>>,
    client: Client,
    _server: ScriptedServer,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let next = Arc::new(Mutex::new(Reply::json(200, "{}")));
        let server = {
            let next = next.clone();
            runtime
                .block_on(ScriptedServer::start(move |_| {
                    next.lock().unwrap_or_else(|p| p.into_inner()).clone()
                }))
                .expect("server")
        };
        let client = Client::builder()
            .endpoint(server.base_url())
            .credentials(Credentials::account(ACCOUNT, PASSWORD))
            .retry_policy(RetryPolicy::never())
            .remember_refusals(std::time::Duration::ZERO)
            .build()
            .expect("builds");
        Fixture {
            runtime,
            next,
            client,
            _server: server,
        }
    })
}

fn status() -> impl Strategy<Value = u16> {
    prop_oneof![
        Just(200u16),
        Just(201),
        Just(204),
        Just(302),
        Just(400),
        Just(401),
        Just(403),
        Just(404),
        Just(429),
        Just(500),
        Just(502),
        Just(503),
        Just(504),
        200u16..=599,
    ]
}

/// Bodies near what the API sends, and far from it.
fn body() -> impl Strategy<Value = Vec<u8>> {
    let scalar = prop_oneof![
        Just("null".to_owned()),
        Just("0".to_owned()),
        Just("-1".to_owned()),
        Just("1000000000000000000".to_owned()),
        Just("1e400".to_owned()),
        Just("true".to_owned()),
        "[ -~]{0,20}".prop_map(|s| serde_json::Value::String(s).to_string()),
        Just("\"\\u001b[2J\"".to_owned()),
        Just("[]".to_owned()),
        Just("{}".to_owned()),
    ];
    let field = prop_oneof![
        Just("accessToken"),
        Just("validPeriod"),
        Just("expireTime"),
        Just("data"),
        Just("token"),
        Just("confTokenExpireTime"),
        Just("role"),
        Just("error_code"),
        Just("error_msg"),
        Just("errorCode"),
        Just("code"),
        Just("message"),
        Just("user"),
    ];
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..200),
        proptest::collection::vec((field.clone(), scalar.clone()), 0..6).prop_map(|fields| {
            let inner: Vec<String> = fields.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
            format!("{{{}}}", inner.join(",")).into_bytes()
        }),
        proptest::collection::vec((field, scalar), 0..4).prop_map(|fields| {
            let inner: Vec<String> = fields.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
            format!("{{\"data\":{{{}}}}}", inner.join(",")).into_bytes()
        }),
    ]
}

fn header_value() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        Just(None),
        "[!-~]{0,40}".prop_map(Some),
        Just(Some("18446744073709551616".into()))
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn any_answer_ends_in_ok_or_a_printable_error(
        status in status(),
        body in body(),
        request_id in header_value(),
        retry_after in header_value(),
        login in any::<bool>(),
    ) {
        let f = fixture();
        let mut headers = vec![("content-type".to_owned(), "application/json".to_owned())];
        headers.extend(request_id.map(|v| ("x-request-id".to_owned(), v)));
        headers.extend(retry_after.map(|v| ("retry-after".to_owned(), v)));
        *f.next.lock().unwrap_or_else(|p| p.into_inner()) = Reply::Http { status, headers, body };
        let result = f.runtime.block_on(async {
            if login {
                f.client.login().await.map(|_| ())
            } else {
                f.client.conference(CONF).with_host_password(HOST_PASSWORD).lock().await
            }
        });
        if let Err(error) = result {
            let shown = error.to_string();
            prop_assert!(!shown.chars().any(char::is_control), "{:?}", shown);
            prop_assert!(shown.len() < 4096, "{} bytes", shown.len());
        }
    }
}
