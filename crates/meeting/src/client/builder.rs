//! Building a [`Client`]: endpoint or region, credentials, timeouts, TLS, retries.

use std::fmt;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::handle::{Client, ClientInner, Shared};
use crate::Error;
use crate::clock::{Clock, SystemClock};
use crate::credentials::{Credentials, Kind};
use crate::retry::{RetryBudget, RetryPolicy};
use crate::runtime::{Runtime, Server};
use crate::store::{Scope, TokenStore};
use crate::tokens::access::{AccessTokenInfo, AccessTokens};
use crate::tokens::cell::TokenCell;
use crate::tokens::shared::SharedStore;
use crate::tokens::token::Token;

impl Client {
    /// A builder with the defaults: cn-north-4, no credentials, 5 s connect and 10 s
    /// request timeouts, the default [`RetryPolicy`].
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from the environment (see [`ClientBuilder::from_env`]).
    pub fn from_env() -> Result<Self, Error> {
        ClientBuilder::from_env()?.build()
    }
}

/// Default connect timeout.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Default timeout of one request (one attempt): a third of the default operation
/// deadline ([`RetryPolicy::max_elapsed`]), so that an attempt that hangs leaves time
/// to try again.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a refused credential is remembered by default.
pub const DEFAULT_REMEMBER_REFUSALS: Duration = Duration::from_secs(30);
/// Default limit of an answer's body: 1 MiB, far above any answer the API describes.
pub const DEFAULT_MAX_RESPONSE_BODY: usize = meeting_api::exchange::DEFAULT_BODY_LIMIT;

/// A Huawei Cloud Meeting region.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Region {
    /// cn-north-4, `https://api.meeting.huaweicloud.com` (Chinese mainland).
    CnNorth4,
    /// ap-southeast-1, `https://api-intl.meeting.huaweicloud.com` (international).
    ApSoutheast1,
}

impl Region {
    /// The region's base URL.
    pub fn base_url(self) -> &'static str {
        match self {
            Self::CnNorth4 => meeting_api::CN_NORTH_4,
            Self::ApSoutheast1 => meeting_api::AP_SOUTHEAST_1,
        }
    }

    /// The region's id, e.g. `cn-north-4`.
    pub fn id(self) -> &'static str {
        match self {
            Self::CnNorth4 => "cn-north-4",
            Self::ApSoutheast1 => "ap-southeast-1",
        }
    }
}

impl FromStr for Region {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        match s.trim() {
            "cn-north-4" => Ok(Self::CnNorth4),
            "ap-southeast-1" => Ok(Self::ApSoutheast1),
            other => Err(Error::config(format!(
                "unknown region {other:?}: expected cn-north-4 or ap-southeast-1"
            ))),
        }
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// Builds a [`Client`]. Start from [`Client::builder`] or [`ClientBuilder::from_env`].
#[must_use]
pub struct ClientBuilder {
    endpoint: Option<String>,
    credentials: Option<Credentials>,
    connect_timeout: Duration,
    request_timeout: Duration,
    user_agent: String,
    http: Option<reqwest::Client>,
    /// Extra trusted roots (DER), for the HTTP client and the event WebSockets alike.
    roots: Vec<rustls::pki_types::CertificateDer<'static>>,
    allow_insecure_http: bool,
    retry: RetryPolicy,
    body_limit: usize,
    remember_refusals: Duration,
    clock: Arc<dyn Clock>,
    store: Option<Arc<dyn TokenStore>>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("endpoint", &self.endpoint.as_deref().map(without_userinfo))
            .field("credentials", &self.credentials)
            .field("connect_timeout", &self.connect_timeout)
            .field("request_timeout", &self.request_timeout)
            .field("retry", &self.retry)
            .field("token_store", &self.store)
            .finish_non_exhaustive()
    }
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            endpoint: None,
            credentials: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            user_agent: concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION")).to_owned(),
            http: None,
            roots: Vec::new(),
            allow_insecure_http: false,
            retry: RetryPolicy::default(),
            body_limit: DEFAULT_MAX_RESPONSE_BODY,
            remember_refusals: DEFAULT_REMEMBER_REFUSALS,
            clock: Arc::new(SystemClock),
            store: None,
        }
    }
}

impl ClientBuilder {
    /// Configuration from the environment: `MEETING_ENDPOINT` or `MEETING_REGION`,
    /// `MEETING_CA_CERT` (path of an extra trusted root, PEM) and the credentials of
    /// [`Credentials::from_env`]. Anything may still be changed afterwards.
    pub fn from_env() -> Result<Self, Error> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let mut builder = Self::default();
        if let Some(region) = var("MEETING_REGION") {
            builder = builder.region(region.parse()?);
        }
        if let Some(endpoint) = var("MEETING_ENDPOINT") {
            builder = builder.endpoint(endpoint);
        }
        if let Some(path) = var("MEETING_CA_CERT") {
            let pem = std::fs::read(&path).map_err(|e| {
                Error::config_with(format!("cannot read MEETING_CA_CERT {path}: {e}"), e)
            })?;
            builder = builder.add_root_certificate_pem(&pem)?;
        }
        if let Some(credentials) = Credentials::from_env()? {
            builder = builder.credentials(credentials);
        }
        Ok(builder)
    }

    /// A region's endpoint (the default is cn-north-4).
    pub fn region(mut self, region: Region) -> Self {
        self.endpoint = Some(region.base_url().to_owned());
        self
    }

    /// A custom endpoint, e.g. a simulator's base URL. Must be HTTPS, except for a
    /// loopback address or with [`ClientBuilder::allow_insecure_http`].
    pub fn endpoint(mut self, url: impl Into<String>) -> Self {
        self.endpoint = Some(url.into());
        self
    }

    /// How the client logs in. Without credentials, only control calls with a host
    /// password or a control token work.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// Connect timeout (default 5 s). Ignored with [`ClientBuilder::http_client`].
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Timeout of one attempt (default 10 s), from sending the request to reading the
    /// whole answer. Ignored with [`ClientBuilder::http_client`] (that client's own
    /// timeout applies). Either way, no attempt runs past the operation's deadline
    /// ([`RetryPolicy::max_elapsed`]).
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// User agent (default `meeting/<version>`). Ignored with [`ClientBuilder::http_client`].
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Uses this `reqwest::Client` as it is (its timeouts, TLS and proxy settings).
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Also trusts these root certificates (PEM, one or several), e.g. the simulator's
    /// CA under `--tls`. Text without a certificate is refused here, not ignored.
    pub fn add_root_certificate_pem(mut self, pem: &[u8]) -> Result<Self, Error> {
        self.roots.extend(super::tls::certificates_from_pem(pem)?);
        Ok(self)
    }

    /// Allows plain HTTP to a host that is not loopback. Insecure: tokens and
    /// passwords then cross the network in clear text.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// The retry policy (see [`RetryPolicy`] for the default).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The longest answer body the client reads (default 1 MiB). A longer answer fails
    /// the call at once with [`crate::ErrorKind::UnexpectedResponse`], so memory stays
    /// bounded whatever the server sends.
    pub fn max_response_body(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// How long a refused credential (a wrong password or host password, an unknown
    /// app, a bad signature, a disabled or locked account) is remembered: calls within
    /// that time fail at once with the same error instead of asking the service again,
    /// which locks an account after a few failed logins. Default 30 s; zero turns it
    /// off. A 5xx or a transport failure is never remembered. Either way, one failed
    /// fetch answers every call that was waiting for it.
    pub fn remember_refusals(mut self, duration: Duration) -> Self {
        self.remember_refusals = duration;
        self
    }

    /// Shares the client's tokens through `store` with the other clients that use it,
    /// in this process or others (see [`crate::store`]): one login per access token's
    /// validity and one control token per conference, however many clients there are.
    /// Without a store, the client keeps its tokens to itself, in memory.
    pub fn token_store(mut self, store: impl TokenStore) -> Self {
        self.store = Some(Arc::new(store));
        self
    }

    /// Like [`ClientBuilder::token_store`], for a store already behind an `Arc` (one
    /// chosen at run time, say).
    pub fn shared_token_store(mut self, store: Arc<dyn TokenStore>) -> Self {
        self.store = Some(store);
        self
    }

    /// Where the client reads the time for token expiry (tests use a
    /// `clock::ManualClock`, with the `test-util` feature).
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Checks the configuration and builds the client. Nothing is sent.
    pub fn build(self) -> Result<Client, Error> {
        let endpoint = self
            .endpoint
            .unwrap_or_else(|| Region::CnNorth4.base_url().to_owned());
        let base_url = check_endpoint(&endpoint, self.allow_insecure_http)?;
        // One TLS configuration (roots, crypto provider) for HTTP and WebSockets.
        let tls = super::tls::TlsSettings::new(self.roots)?;
        // The request timeout is known only for a client built here.
        let (http, request_timeout) = match self.http {
            Some(http) => (http, None),
            None => {
                let mut builder = reqwest::Client::builder()
                    .connect_timeout(self.connect_timeout)
                    .timeout(self.request_timeout)
                    .user_agent(self.user_agent)
                    .redirect(reqwest::redirect::Policy::none())
                    .tls_backend_preconfigured(tls.for_http());
                if !self.allow_insecure_http && base_url.starts_with("https://") {
                    builder = builder.https_only(true);
                }
                let http = builder.build().map_err(|e| {
                    Error::config_with(format!("cannot build the HTTP client: {e}"), e)
                })?;
                (http, Some(self.request_timeout))
            }
        };
        let shared = self.store.map(|store| Shared {
            store: Arc::new(SharedStore::new(store, self.retry.max_elapsed_budget())),
            scope: Scope::new(
                &base_url,
                self.credentials
                    .as_ref()
                    .and_then(|c| c.identity())
                    .as_deref(),
            ),
        });
        let access = match &self.credentials {
            Some(Credentials(Kind::AccessToken(token))) => {
                TokenCell::preset(Token::fixed(token.clone(), AccessTokenInfo::default()))
            }
            _ => TokenCell::linked(
                shared
                    .as_ref()
                    .map(|s| s.link(s.scope.access_key(), Some(self.remember_refusals))),
            ),
        };
        Ok(Client {
            inner: Arc::new(ClientInner {
                runtime: Runtime {
                    api: meeting_api::Client::new_with_client(&base_url, http),
                    retry_budget: RetryBudget::new(&self.retry),
                    retry: self.retry,
                    request_timeout,
                    body_limit: self.body_limit,
                    clock: self.clock,
                    server: Server::of(&base_url),
                },
                base_url,
                websocket: super::tls::WebSocketSettings {
                    tls: tls.for_websocket(),
                    allow_insecure: self.allow_insecure_http,
                    connect_timeout: self.connect_timeout,
                },
                access: AccessTokens::new(self.credentials, access, self.remember_refusals),
                control: Mutex::default(),
                remember_refusals: self.remember_refusals,
                shared,
            }),
        })
    }
}

/// The endpoint without a trailing slash, if it is a usable base URL. Messages quote
/// the endpoint without any user info, which may hold a password.
fn check_endpoint(endpoint: &str, allow_insecure_http: bool) -> Result<String, Error> {
    let shown = without_userinfo(endpoint);
    let url = reqwest::Url::parse(endpoint.trim())
        .map_err(|e| Error::config_with(format!("endpoint {shown:?} is not a URL: {e}"), e))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::config(format!(
            "endpoint {shown:?} must not carry a user name or password"
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::config(format!(
            "endpoint {shown:?} must not have a query or fragment"
        )));
    }
    let loopback = match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        None => return Err(Error::config(format!("endpoint {shown:?} has no host"))),
    };
    match url.scheme() {
        "https" => {}
        "http" if loopback || allow_insecure_http => {}
        "http" => {
            return Err(Error::config(format!(
                "endpoint {shown:?} is plain HTTP: use HTTPS, a loopback address, or \
                 allow_insecure_http(true) if you accept sending tokens in clear text"
            )));
        }
        other => {
            return Err(Error::config(format!(
                "endpoint scheme {other:?} is not HTTP(S)"
            )));
        }
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// `scheme://user:password@host/…` as `scheme://***@host/…`: everything between the
/// scheme and the last `@` of the authority is dropped, parsable or not.
fn without_userinfo(endpoint: &str) -> String {
    let (scheme, rest) = endpoint.split_once("://").unwrap_or(("", endpoint));
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => {
            let prefix = if scheme.is_empty() {
                String::new()
            } else {
                format!("{scheme}://")
            };
            format!("{prefix}***{}", &rest[at..])
        }
        None => endpoint.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_is_required_except_for_loopback_or_an_explicit_opt_in() {
        assert_eq!(
            check_endpoint("https://api.meeting.huaweicloud.com/", false)
                .ok()
                .as_deref(),
            Some("https://api.meeting.huaweicloud.com")
        );
        for ok in [
            "http://127.0.0.1:8080",
            "http://localhost:1",
            "http://[::1]:2",
            "http://127.9.9.9",
        ] {
            assert!(check_endpoint(ok, false).is_ok(), "{ok}");
        }
        let err = check_endpoint("http://meeting.example.com", false).expect_err("plain HTTP");
        assert!(err.to_string().contains("allow_insecure_http"));
        assert!(check_endpoint("http://meeting.example.com", true).is_ok());
        for bad in ["ftp://x", "not a url", "https://x/?a=1", "https://u:p@x"] {
            assert!(check_endpoint(bad, false).is_err(), "{bad}");
        }
    }

    #[test]
    fn user_info_in_the_endpoint_is_refused_without_quoting_it() {
        for endpoint in [
            "http://u:SECRET@127.0.0.1:1/",
            "https://SECRET@x/",
            "http://u:SECRET@127.0.0.1:1/?q=1",
            "http://u:SECRET@[::1/",
            "http://u:SECRET@exa mple.com/",
        ] {
            let builder = Client::builder().endpoint(endpoint);
            assert!(!format!("{builder:?}").contains("SECRET"), "{endpoint}");
            let err = builder.build().expect_err("refused");
            let shown = format!("{err} {err:?}");
            assert!(!shown.contains("SECRET"), "{shown}");
            assert!(shown.contains("***@"), "{shown}");
        }
    }

    #[test]
    fn configuration_errors_keep_their_cause() {
        use std::error::Error as _;
        let err = Client::builder()
            .endpoint("not a url")
            .build()
            .expect_err("refused");
        assert_eq!(err.kind(), crate::ErrorKind::Config);
        let cause = err.source().expect("the URL parser's error");
        assert!(
            cause.downcast_ref::<url::ParseError>().is_some(),
            "{cause:?}"
        );
        let err = Client::builder()
            .add_root_certificate_pem(b"not PEM")
            .expect_err("refused");
        assert_eq!(err.kind(), crate::ErrorKind::Config, "{err}");
        let err = Client::builder()
            .add_root_certificate_pem(
                b"-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n",
            )
            .expect_err("refused");
        assert!(err.source().is_some(), "{err:?}");
    }

    #[test]
    fn regions() {
        assert_eq!(
            "ap-southeast-1".parse::<Region>().ok(),
            Some(Region::ApSoutheast1)
        );
        assert_eq!(
            Region::CnNorth4.base_url(),
            "https://api.meeting.huaweicloud.com"
        );
        assert!("eu-west-0".parse::<Region>().is_err());
    }
}
