//! Property tests over the simulator's request handling: whatever the method, path,
//! query, headers and body, the answer is never a 5xx, and a refused request changes
//! no conference.

use std::sync::{Mutex, OnceLock};

use meeting_sim::{ConferenceView, Seed, SimHandle, Simulator};
use proptest::prelude::*;
use reqwest::Method;

use meeting_sim::example::CONFERENCE as CONF;

/// One simulator, with live tokens, for all cases.
struct Fixture {
    runtime: tokio::runtime::Runtime,
    sim: SimHandle,
    http: reqwest::Client,
    access: String,
    control: Mutex<String>,
}

impl Fixture {
    /// A control token for the example meeting (after a cancel revoked the last one).
    fn new_control_token(&self) -> String {
        self.runtime
            .block_on(control_token(&self.http, self.sim.base_url()))
    }
}

async fn control_token(http: &reqwest::Client, base_url: &str) -> String {
    let token: serde_json::Value = http
        .get(format!(
            "{base_url}/v1/mmc/control/conferences/token?conferenceID={CONF}"
        ))
        .header("x-password", "654321")
        .header("x-login-type", "1")
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("JSON");
    token["data"]["token"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let sim = runtime
            .block_on(Simulator::new().seed(Seed::example()).start())
            .expect("starts");
        let http = reqwest::Client::new();
        let (access, control) = runtime.block_on(async {
            let login: serde_json::Value = http
                .post(format!("{}/v1/usg/acs/auth/account", sim.base_url()))
                .basic_auth("meeting_admin", Some("Admin-pass-2026"))
                .json(&serde_json::json!({"account": "meeting_admin", "clientType": 72}))
                .send()
                .await
                .expect("login")
                .json()
                .await
                .expect("JSON");
            (
                login["accessToken"].as_str().unwrap_or_default().to_owned(),
                control_token(&http, sim.base_url()).await,
            )
        });
        Fixture {
            runtime,
            sim,
            http,
            access,
            control: Mutex::new(control),
        }
    })
}

/// Every operation of the table (`meeting_api::operations`), plus a wrong method and
/// a path that does not exist.
fn route() -> impl Strategy<Value = (Method, &'static str)> {
    let mut routes: Vec<(Method, &'static str)> = meeting_api::operations::ALL
        .iter()
        .map(|op| {
            let method = Method::from_bytes(op.method.as_str().as_bytes()).expect("a method");
            (method, op.path)
        })
        .collect();
    routes.push((Method::PATCH, meeting_api::operations::LOCK_MEETING.path));
    routes.push((Method::GET, "/v1/nothing/here"));
    proptest::sample::select(routes)
}

/// A value that is sometimes right, sometimes wrong, sometimes absent.
fn value(right: &'static str) -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        Just(Some(right.to_owned())),
        Just(None),
        Just(Some(String::new())),
        "[ -~]{0,40}".prop_map(Some),
    ]
}

/// JSON made of the fields the operations know, with values of any type.
fn body() -> impl Strategy<Value = Option<String>> {
    let field = prop_oneof![
        Just("isLock"),
        Just("status"),
        Just("participantID"),
        Just("lockSharing"),
        Just("callInRestriction"),
        Just("chatPermission"),
        Just("freeShare"),
        Just("account"),
        Just("clientType"),
        Just("appId"),
        Just("nonce"),
        Just("expireTime"),
        Just("createTokenType"),
        Just("isMute"),
        Just("allowUnmuteByOneself"),
        Just("attendees"),
        Just("bulkHangUpParticipants"),
        Just("auto"),
        Just("duration"),
        Just("subject"),
        Just("mediaTypes"),
        Just("startTime"),
        Just("length"),
        Just("applyChair"),
        Just("chairmanPwd"),
        Just("isCohost"),
        Just("newName"),
        Just("number"),
        Just("handsState"),
        Just("pids"),
        Just("subscriberId"),
        Just("subscriberKey"),
        Just("url"),
    ];
    let json_value = prop_oneof![
        (-3i64..5).prop_map(|n| n.to_string()),
        Just("1e40".to_owned()),
        Just("-9223372036854775809".to_owned()),
        Just("null".to_owned()),
        Just("true".to_owned()),
        "[a-z0-9]{0,12}".prop_map(|s| format!("\"{s}\"")),
        Just("[1,2]".to_owned()),
        Just("{}".to_owned()),
    ];
    prop_oneof![
        Just(None),
        "[ -~]{0,60}".prop_map(Some),
        proptest::collection::vec((field, json_value), 0..5).prop_map(|fields| {
            let inner: Vec<String> = fields.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
            Some(format!("{{{}}}", inner.join(",")))
        }),
    ]
}

fn conferences(sim: &SimHandle) -> Vec<ConferenceView> {
    sim.state().conferences
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn never_a_server_error_and_refusals_change_nothing(
        (method, path) in route(),
        conference in value(CONF),
        participant in value("6a1acfe867f211eaa1cd59f41ff47e04"),
        kind in value("1"),
        control in prop_oneof![Just(true), Just(false)],
        access in prop_oneof![Just(true), Just(false)],
        password in value("654321"),
        login_type in value("1"),
        authorization in value("Basic bWVldGluZ19hZG1pbjpBZG1pbi1wYXNzLTIwMjY="),
        body in body(),
    ) {
        let f = fixture();
        let mut url = reqwest::Url::parse(&format!("{}{path}", f.sim.base_url())).expect("URL");
        for (name, value) in [("conferenceID", &conference), ("participantID", &participant), ("type", &kind)] {
            if let Some(value) = value {
                url.query_pairs_mut().append_pair(name, value);
            }
        }
        let mut request = f.http.request(method, url);
        if control {
            let token = f.control.lock().unwrap_or_else(|p| p.into_inner()).clone();
            request = request.header("x-conference-authorization", token);
        }
        if access {
            request = request.header("x-access-token", &f.access);
        }
        for (name, value) in [("x-password", &password), ("x-login-type", &login_type), ("authorization", &authorization)] {
            if let Some(value) = value.as_ref().filter(|v| reqwest::header::HeaderValue::from_str(v).is_ok()) {
                request = request.header(name, value);
            }
        }
        if let Some(body) = body {
            request = request.header("content-type", "application/json").body(body);
        }
        let before = conferences(&f.sim);
        let status = f.runtime.block_on(request.send()).expect("an answer").status();
        prop_assert!(status.as_u16() < 500, "{status}");
        if !status.is_success() {
            prop_assert_eq!(conferences(&f.sim), before, "a refused request changed state");
        }
        // A successful cancel or stop ends a meeting for good, and a hang-up removes a
        // participant: put the world back as it was.
        let ends = ["/v1/mmc/management/conferences", "/v1/mmc/control/conferences/stop",
            "/v1/mmc/control/conferences/participants/delete"];
        if status.is_success() && ends.contains(&path) {
            f.sim.seed(Seed::example());
            *f.control.lock().unwrap_or_else(|p| p.into_inner()) = f.new_control_token();
        }
    }
}
