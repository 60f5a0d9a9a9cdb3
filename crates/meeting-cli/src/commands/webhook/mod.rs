//! The enterprise's event push: configure it (`set`, `show`, `enable`, `disable`,
//! `delete`, with an administrator's access token) and receive it (`listen`).

mod printer;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use clap::{Args, Subcommand};
use meeting::webhook::{
    Answer, InMemory, InStore, Incoming, PushMemory, Receiver, Verifier, WebhookScope,
    WebhookSetup, WebhookStatus,
};
use meeting_api::operations::{
    DELETE_WEB_HOOK_CONFIG, SET_WEB_HOOK_CONFIG, SHOW_WEB_HOOK_CONFIG,
    UPDATE_WEB_HOOK_CONFIG_STATUS,
};
use serde::Serialize;

use super::Family;
use crate::args::{Connection, Global};
use crate::connect::{client, credentials};
use crate::output::{Failure, Report, emit};
use crate::secrets;

/// This family in the help: the command and the operations of the spec it sends.
pub(super) const FAMILY: Family = Family {
    heading: "Event push",
    commands: &[(
        "webhook",
        &[
            &SET_WEB_HOOK_CONFIG,
            &SHOW_WEB_HOOK_CONFIG,
            &UPDATE_WEB_HOOK_CONFIG_STATUS,
            &DELETE_WEB_HOOK_CONFIG,
        ],
    )],
};

/// The enterprise's event push: set, show, enable, disable, delete it; listen for it.
#[derive(Debug, Args)]
pub struct Webhook {
    #[command(subcommand)]
    command: WebhookCommand,
}

#[derive(Debug, Subcommand)]
enum WebhookCommand {
    Set(Set),
    Show(Show),
    Enable(Toggle),
    Disable(Toggle),
    Delete(Delete),
    Listen(Listen),
}

/// The subscriber key: never a flag.
#[derive(Debug, Args)]
struct Key {
    /// File holding the subscriber key (else MEETING_WEBHOOK_KEY, else a prompt).
    #[arg(long, value_name = "FILE")]
    webhook_key_file: Option<PathBuf>,
}

impl Key {
    /// The key, refused (a usage error naming where it came from) when no push should
    /// be signed with it: empty or blank.
    fn read(&self) -> Result<String, Failure> {
        let key = secrets::require(
            "webhook subscriber key",
            "MEETING_WEBHOOK_KEY",
            self.webhook_key_file.as_deref(),
            "--webhook-key-file",
        )?;
        if let Some(problem) = meeting::webhook::key_problem(&key) {
            let source = match &self.webhook_key_file {
                Some(file) => format!("the file {}", file.display()),
                None if secrets::from_env("MEETING_WEBHOOK_KEY").is_some() => {
                    "MEETING_WEBHOOK_KEY".to_owned()
                }
                None => "the prompt".to_owned(),
            };
            return Err(Failure::Usage(format!(
                "{problem} (from {source}): anyone who knows the subscriber ID could sign \
                 pushes with it"
            )));
        }
        Ok(key)
    }
}

/// Whose configuration (default: the credentials' enterprise).
#[derive(Debug, Args)]
struct Scope {
    /// Another enterprise's configuration (its corpId).
    #[arg(long, value_name = "ID", conflicts_with = "webhook_sp_id")]
    webhook_corp_id: Option<String>,
    /// An SP's configuration (its spId).
    #[arg(long, value_name = "ID")]
    webhook_sp_id: Option<String>,
}

impl Scope {
    fn scope(&self) -> WebhookScope {
        match (&self.webhook_corp_id, &self.webhook_sp_id) {
            (Some(corp), _) => WebhookScope::Corp(corp.clone()),
            (None, Some(sp)) => WebhookScope::Sp(sp.clone()),
            (None, None) => WebhookScope::Own,
        }
    }
}

/// Register the push URL, subscriber ID and key (the push starts disabled).
#[derive(Debug, Args)]
struct Set {
    /// The URL pushes are POSTed to (the service requires HTTPS).
    #[arg(long)]
    url: String,
    /// The subscriber ID (pushes carry it as appID).
    #[arg(long, env = "MEETING_WEBHOOK_SUBSCRIBER_ID")]
    subscriber_id: String,
    #[command(flatten)]
    key: Key,
    #[command(flatten)]
    scope: Scope,
    #[command(flatten)]
    connection: Connection,
}

/// Show the push configuration (its ID, subscriber, URL, status).
#[derive(Debug, Args)]
struct Show {
    #[command(flatten)]
    scope: Scope,
    #[command(flatten)]
    connection: Connection,
}

/// Enable or disable the push (enabling: the service first sends the handshake).
#[derive(Debug, Args)]
struct Toggle {
    /// The configuration ID (`meeting webhook show`).
    id: String,
    #[command(flatten)]
    connection: Connection,
}

/// Delete the push configuration.
#[derive(Debug, Args)]
struct Delete {
    /// The configuration ID (`meeting webhook show`).
    id: String,
    #[command(flatten)]
    connection: Connection,
}

/// Receive pushes: check each one, print each new event on stdout (one JSON object a
/// line with --json), log each refused push on stderr with the reason, answer the
/// handshake. Runs until Ctrl-C.
#[derive(Debug, Args)]
struct Listen {
    /// The port (0: a free one; the address is printed on stderr).
    #[arg(long)]
    port: u16,
    /// The address to listen on.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    bind: IpAddr,
    /// Answer pushes on this path only (default: every path).
    #[arg(long)]
    path: Option<String>,
    /// The subscriber ID the pushes must carry.
    #[arg(long, env = "MEETING_WEBHOOK_SUBSCRIBER_ID")]
    subscriber_id: String,
    #[command(flatten)]
    key: Key,
    /// Serve HTTPS with this certificate chain (PEM), with --tls-key.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The certificate's private key (PEM).
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Where accepted pushes are remembered, so that a replay is answered without being
    /// printed again: `memory` (this process, forgotten on restart), `file:DIR`, or a
    /// Redis URL (`redis://…`, `rediss://…`, trusting --redis-ca-cert) that a
    /// restarted or second listener shares. A URL with a password goes in the variable
    /// or --memory-file, not here.
    #[arg(
        long,
        value_name = "MEMORY",
        default_value = "memory",
        env = "MEETING_WEBHOOK_MEMORY",
        hide_env_values = true
    )]
    memory: String,
    /// A file holding what --memory takes (for a Redis URL with a password); it must be
    /// the user's own, mode 600.
    #[arg(long, value_name = "FILE")]
    memory_file: Option<PathBuf>,
    /// Connections open at once; at the cap, the oldest one that has not sent a
    /// request is closed to admit the new one.
    #[arg(long, value_name = "N", default_value_t = 1024, value_parser = clap::value_parser!(u32).range(1..))]
    max_connections: u32,
    /// How long a client has to send a request's headers (and to finish a TLS
    /// handshake) before its connection is closed (e.g. 10s, 1500ms).
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_deadline)]
    header_timeout: Duration,
    /// How long a push waits for its line to be written and flushed to stdout before
    /// it is answered 503 (the service retries).
    #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = parse_deadline)]
    output_timeout: Duration,
    #[command(flatten)]
    metrics: crate::observe::MetricsArgs,
}

/// A deadline from 1 ms to an hour: a longer one keeps a slow client's connection for
/// nothing, and none at all would let idle connections pile up.
fn parse_deadline(text: &str) -> Result<Duration, String> {
    let duration =
        humantime::parse_duration(text.trim()).map_err(|e| format!("{e} (try 10s or 1500ms)"))?;
    if duration.is_zero() || duration > Duration::from_secs(3600) {
        return Err("a deadline from 1ms to 1h".into());
    }
    Ok(duration)
}

/// How long one push may take, from its headers to its answer (its body read, checked,
/// printed and flushed).
const REQUEST_DEADLINE: Duration = Duration::from_secs(30);

/// What a configuration command did.
#[derive(Debug, Serialize)]
pub struct Changed {
    ok: bool,
    operation: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    #[serde(skip)]
    text: String,
}

impl Report for Changed {
    fn text(&self) -> String {
        self.text.clone()
    }
}

/// The configuration, as shown.
#[derive(Debug, Serialize)]
pub struct Shown {
    id: String,
    subscriber_id: Option<String>,
    url: Option<String>,
    status: String,
}

impl Report for Shown {
    fn text(&self) -> String {
        let field = |v: &Option<String>| v.as_deref().map_or("-".into(), meeting::printable);
        format!(
            "Event push {}\n  subscriber: {}\n  url:        {}\n  status:     {}",
            meeting::printable(&self.id),
            field(&self.subscriber_id),
            field(&self.url),
            self.status
        )
    }
}

fn changed(operation: &'static str, id: Option<&str>, text: String) -> Changed {
    Changed {
        ok: true,
        operation,
        id: id.map(str::to_owned),
        text,
    }
}

impl Webhook {
    /// Runs the subcommand and prints what it answers.
    pub async fn run(self, global: &Global) -> Result<(), Failure> {
        let json = global.json;
        match self.command {
            WebhookCommand::Set(c) => {
                let key = c.key.read()?;
                let login = Some(credentials(&c.connection.login)?);
                let setup = WebhookSetup::new(&c.url, &c.subscriber_id, key).scope(c.scope.scope());
                client(&c.connection.endpoint, global, login)?
                    .set_webhook(&setup)
                    .await?;
                let text = format!(
                    "Set the event push to {} (disabled until `meeting webhook enable`).",
                    meeting::printable(&c.url)
                );
                emit(json, &changed("set", None, text));
            }
            WebhookCommand::Show(c) => {
                let login = Some(credentials(&c.connection.login)?);
                let config = client(&c.connection.endpoint, global, login)?
                    .webhook_config(&c.scope.scope())
                    .await?;
                let status = match config.status {
                    WebhookStatus::Enabled => "enabled".to_owned(),
                    WebhookStatus::Disabled => "disabled".to_owned(),
                    WebhookStatus::Locked => "locked".to_owned(),
                    WebhookStatus::Other(Some(n)) => n.to_string(),
                    _ => "unknown".to_owned(),
                };
                emit(
                    json,
                    &Shown {
                        id: config.id,
                        subscriber_id: config.subscriber_id,
                        url: config.url,
                        status,
                    },
                );
            }
            WebhookCommand::Enable(c) => {
                let login = Some(credentials(&c.connection.login)?);
                client(&c.connection.endpoint, global, login)?
                    .enable_webhook(&c.id)
                    .await?;
                let text = format!("Enabled event push {}.", meeting::printable(&c.id));
                emit(json, &changed("enable", Some(&c.id), text));
            }
            WebhookCommand::Disable(c) => {
                let login = Some(credentials(&c.connection.login)?);
                client(&c.connection.endpoint, global, login)?
                    .disable_webhook(&c.id)
                    .await?;
                let text = format!("Disabled event push {}.", meeting::printable(&c.id));
                emit(json, &changed("disable", Some(&c.id), text));
            }
            WebhookCommand::Delete(c) => {
                let login = Some(credentials(&c.connection.login)?);
                client(&c.connection.endpoint, global, login)?
                    .delete_webhook(&c.id)
                    .await?;
                let text = format!("Deleted event push {}.", meeting::printable(&c.id));
                emit(json, &changed("delete", Some(&c.id), text));
            }
            WebhookCommand::Listen(c) => c.listen(global).await?,
        }
        Ok(())
    }
}

/// What the receiver's requests share.
struct Listener {
    receiver: Receiver,
    /// The receiver's memory, for a push whose line is flushed after its answer.
    memory: Arc<dyn PushMemory>,
    printer: printer::Printer,
    /// How long a push waits for its line to be flushed.
    output_timeout: Duration,
    path: Option<String>,
    json: bool,
}

impl Listen {
    async fn listen(self, global: &Global) -> Result<(), Failure> {
        let json = global.json;
        let metrics = self.metrics.start().await?;
        let key = self.key.read()?;
        if self.subscriber_id.trim().is_empty() {
            return Err(Failure::Usage("the subscriber ID must not be empty".into()));
        }
        let tls = match (&self.tls_cert, &self.tls_key) {
            (Some(cert), Some(key)) => Some(tls_acceptor(cert, key)?),
            _ => None,
        };
        let verifier = Verifier::new(self.subscriber_id.trim(), key)
            .map_err(|e| Failure::Usage(e.to_string()))?;
        let named = match &self.memory_file {
            Some(path) => crate::secrets::read_private_file(path, "push memory")?,
            None => self.memory.clone(),
        };
        let memory = match push_memory(&named, global)? {
            Some(memory) => memory,
            None => Arc::new(InMemory::default()),
        };
        let printer = printer::Printer::stdout(printer::QUEUE)
            .map_err(|e| Failure::Usage(format!("cannot start the output thread: {e}")))?;
        let listener = Arc::new(Listener {
            // The service signs a retry anew: an event printed once is not printed again.
            receiver: Receiver::new(verifier)
                .memory(memory.clone())
                .once_per_event(true),
            memory,
            printer,
            output_timeout: self.output_timeout,
            path: self.path.map(|p| format!("/{}", p.trim_start_matches('/'))),
            json,
        });
        let router = axum::Router::new()
            .fallback(answer)
            .with_state(listener.clone());
        let socket = tokio::net::TcpListener::bind(SocketAddr::new(self.bind, self.port))
            .await
            .map_err(|e| {
                Failure::Usage(format!("cannot listen on {}:{}: {e}", self.bind, self.port))
            })?;
        let addr = socket
            .local_addr()
            .map_err(|e| Failure::Usage(format!("cannot listen: {e}")))?;
        let scheme = if tls.is_some() { "https" } else { "http" };
        say!(
            "listening on {scheme}://{addr}{}",
            listener.path.as_deref().unwrap_or("/")
        );
        let limits = crate::serve::Limits {
            connections: self.max_connections as usize,
            handshake: self.header_timeout,
            headers: self.header_timeout,
        };
        let backed_up = listener.printer.backed_up();
        let health = move || {
            if backed_up.load(std::sync::atomic::Ordering::Relaxed) {
                Err("the output does not keep up: pushes are answered 503".to_owned())
            } else {
                Ok(())
            }
        };
        if let Some(metrics) = metrics {
            metrics.serve(std::sync::Arc::new(health))?;
        }
        tokio::select! {
            () = crate::serve::serve(socket, router, tls, limits) => Ok(()),
            _ = tokio::signal::ctrl_c() => Err(Failure::Interrupted),
        }
    }
}

/// The memory `--memory` names: none for the default (in this process), a file store's
/// or a Redis store's otherwise.
fn push_memory(text: &str, global: &Global) -> Result<Option<Arc<dyn PushMemory>>, Failure> {
    let text = text.trim();
    if text == "memory" {
        return Ok(None);
    }
    if text.starts_with("redis://") || text.starts_with("rediss://") {
        let store = crate::connect::redis_store(text, global)?;
        return Ok(Some(Arc::new(InStore::new(store))));
    }
    match text.strip_prefix("file:") {
        Some(dir) if !dir.is_empty() => {
            let store = meeting::store::FileStore::open(dir)
                .map_err(|e| Failure::Usage(format!("--memory: {e}")))?;
            Ok(Some(Arc::new(InStore::new(store))))
        }
        _ => Err(Failure::Usage(
            "--memory takes memory, file:DIR, redis://… or rediss://…".into(),
        )),
    }
}

fn tls_acceptor(
    cert: &std::path::Path,
    key: &std::path::Path,
) -> Result<tokio_rustls::TlsAcceptor, Failure> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let usage = |what: &str, path: &std::path::Path, e: &dyn std::fmt::Display| {
        Failure::Usage(format!(
            "cannot read the {what} from {}: {e}",
            path.display()
        ))
    };
    let chain = CertificateDer::pem_file_iter(cert)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| usage("TLS certificate", cert, &e))?;
    if chain.is_empty() {
        return Err(Failure::Usage(format!(
            "no certificate in {}",
            cert.display()
        )));
    }
    let private = PrivateKeyDer::from_pem_file(key).map_err(|e| usage("TLS key", key, &e))?;
    // Named, not the process default: a build may have two providers.
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .and_then(|b| b.with_no_client_auth().with_single_cert(chain, private))
        .map_err(|e| Failure::Usage(format!("the TLS certificate and key do not fit: {e}")))?;
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}

/// One push within [`REQUEST_DEADLINE`] (503 past it: the service retries).
async fn answer(State(listener): State<Arc<Listener>>, request: Request) -> Response {
    match tokio::time::timeout(REQUEST_DEADLINE, answer_in_time(listener, request)).await {
        Ok(response) => response,
        Err(_) => {
            say!("answered a push 503: it took longer than {REQUEST_DEADLINE:?}");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}

/// One push: checked, printed if new, answered.
async fn answer_in_time(listener: Arc<Listener>, request: Request) -> Response {
    if listener
        .path
        .as_deref()
        .is_some_and(|path| request.uri().path() != path)
    {
        return StatusCode::NOT_FOUND.into_response();
    }
    if request.method() != Method::POST {
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    let limit = listener.receiver.verifier().body_limit();
    let Ok(body) = axum::body::to_bytes(request.into_body(), limit).await else {
        say!("refused a push: malformed push: the body is longer than {limit} bytes");
        return StatusCode::BAD_REQUEST.into_response();
    };
    let answer = match listener.receiver.receive(&body).await {
        Incoming::Event(pending) => {
            let event = pending.event();
            let line = if listener.json {
                serde_json::to_string(event).unwrap_or_default()
            } else {
                event.to_string()
            };
            print(&listener, pending, line).await
        }
        Incoming::Handshake(answer) => {
            say!("answered the verification handshake");
            answer
        }
        Incoming::Replay(answer) => {
            say!("a push accepted before arrived again: answered 200, not printed");
            answer
        }
        Incoming::Refused(why, answer) => {
            say!("refused a push: {why}");
            answer
        }
        Incoming::Unavailable(why, answer) => {
            match why {
                Some(why) => say!("answered a push 503: {why}"),
                None => say!("answered a push 503: it is being handled"),
            }
            answer
        }
    };
    meeting::webhook::axum::into_response(answer)
}

/// Printing is the handling: a push is answered 200 once its line is flushed, 500 when
/// stdout failed (its claim released: the service sends it again), 503 when the output
/// is backed up. A line queued but not flushed within the output timeout stays queued,
/// its push claimed: once it is written the push is remembered, so that the service's
/// retry is answered without printing it twice.
async fn print(
    listener: &Listener,
    pending: meeting::webhook::PendingEvent<'_>,
    line: String,
) -> Answer {
    let unavailable = Answer {
        status: 503,
        body: None,
    };
    let Some(mut written) = listener.printer.print(line) else {
        say!("answered a push 503: the output is backed up");
        let _ = pending.fail().await;
        return unavailable;
    };
    match tokio::time::timeout(listener.output_timeout, &mut written).await {
        Ok(Ok(true)) => pending.accept().await,
        Ok(_) => {
            say!("answered a push 500: it could not be written to stdout");
            pending.fail().await
        }
        Err(_) => {
            say!("answered a push 503: stdout is not being read");
            let keys = pending.keys();
            let memory = listener.memory.clone();
            tokio::spawn(async move {
                if let Ok(true) = written.await {
                    for (key, until) in keys {
                        if let Err(e) = memory.remember(&key, until).await {
                            say!("a push printed late was not remembered: {e}");
                        }
                    }
                }
            });
            unavailable
        }
    }
}

/// This family's commands, flattened into the top-level command: adding one is a
/// variant here and its arm in [`Commands::run`], which the compiler holds together.
#[derive(Debug, clap::Subcommand)]
pub enum Commands {
    Webhook(Webhook),
}

impl Commands {
    /// Runs the command and prints what it answers.
    pub(super) async fn run(
        self,
        global: &crate::args::Global,
    ) -> Result<(), crate::output::Failure> {
        match self {
            Self::Webhook(c) => c.run(global).await?,
        }
        Ok(())
    }
}
