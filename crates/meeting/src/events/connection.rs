//! Opening the socket: the origin `wsURL` gives, the path and query the pages define,
//! TCP, TLS with the client's own configuration, and the WebSocket upgrade, with
//! buffers sized for many idle connections. Errors never quote the URL: it carries the
//! one-use token.

use std::net::IpAddr;
use std::sync::Arc;

use rustls::pki_types::ServerName;
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_util::either::Either;

use super::wire::PATH;
use crate::client::WebSocketSettings;

/// An open meeting-control socket.
pub(crate) type Socket = WebSocketStream<Either<TcpStream, TlsStream<TcpStream>>>;

/// The largest frame or message accepted: a full roster of a very large meeting.
const MAX_MESSAGE: usize = 16 << 20;
/// Read in small steps: most frames are a few hundred bytes, and a thousand idle
/// sockets must not hold 128 KiB each (tungstenite's default).
const READ_BUFFER: usize = 4 << 10;

/// Where a socket connects: scheme, host and port from `wsURL` (any path or query it
/// has is ignored: the pages append theirs to its origin).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Origin {
    tls: bool,
    host: url::Host,
    port: u16,
}

impl Origin {
    /// The origin of `ws_url` (`wss://host:port`, with or without a path; `https`
    /// and `http` are read as `wss` and `ws`). Plain `ws` only to a loopback host or
    /// with `allow_insecure`.
    pub fn parse(ws_url: &str, allow_insecure: bool) -> Result<Self, String> {
        let url = url::Url::parse(ws_url.trim())
            .map_err(|e| format!("the service's wsURL is not a URL: {e}"))?;
        let tls = match url.scheme() {
            "wss" | "https" => true,
            "ws" | "http" => false,
            other => {
                return Err(format!(
                    "the service's wsURL has scheme {:?}, not wss or ws",
                    crate::printable::printable_at_most(other, 16)
                ));
            }
        };
        let host = url
            .host()
            .ok_or("the service's wsURL has no host")?
            .to_owned();
        let loopback = match &host {
            url::Host::Ipv4(ip) => ip.is_loopback(),
            url::Host::Ipv6(ip) => ip.is_loopback(),
            url::Host::Domain(domain) => domain.eq_ignore_ascii_case("localhost"),
        };
        if !tls && !loopback && !allow_insecure {
            return Err(
                "the service's wsURL is plain ws:// to a host that is not loopback: the \
                 control token would cross the network in clear text (allow_insecure_http \
                 allows it)"
                    .to_owned(),
            );
        }
        let port = url
            .port_or_known_default()
            .unwrap_or(if tls { 443 } else { 80 });
        Ok(Self { tls, host, port })
    }

    /// `host:port`, for messages and logs.
    pub fn authority(&self) -> String {
        match &self.host {
            url::Host::Ipv6(ip) => format!("[{ip}]:{}", self.port),
            other => format!("{other}:{}", self.port),
        }
    }

    fn url(&self, conference: &str, token: &str) -> String {
        let encode = |value: &str| {
            url::form_urlencoded::byte_serialize(value.as_bytes()).collect::<String>()
        };
        format!(
            "{}://{}{PATH}?confID={}&tmpToken={}",
            if self.tls { "wss" } else { "ws" },
            self.authority(),
            encode(conference),
            encode(token)
        )
    }
}

/// Connects, upgrades and returns the socket.
pub(crate) async fn open(
    settings: &WebSocketSettings,
    origin: &Origin,
    conference: &str,
    token: &str,
) -> Result<Socket, String> {
    let authority = origin.authority();
    let tcp = tokio::time::timeout(
        settings.connect_timeout,
        TcpStream::connect(match &origin.host {
            url::Host::Domain(domain) => format!("{domain}:{}", origin.port),
            _ => authority.clone(),
        }),
    )
    .await
    .map_err(|_| format!("connecting to {authority} timed out"))?
    .map_err(|e| format!("connecting to {authority}: {e}"))?;
    let _ = tcp.set_nodelay(true);
    let stream = if origin.tls {
        let name = match &origin.host {
            url::Host::Domain(domain) => ServerName::try_from(domain.clone())
                .map_err(|e| format!("{authority} is not a TLS server name: {e}"))?,
            url::Host::Ipv4(ip) => ServerName::IpAddress(IpAddr::V4(*ip).into()),
            url::Host::Ipv6(ip) => ServerName::IpAddress(IpAddr::V6(*ip).into()),
        };
        let connector = tokio_rustls::TlsConnector::from(Arc::clone(&settings.tls));
        let tls = tokio::time::timeout(settings.connect_timeout, connector.connect(name, tcp))
            .await
            .map_err(|_| format!("the TLS handshake with {authority} timed out"))?
            .map_err(|e| format!("TLS with {authority}: {e}"))?;
        Either::Right(tls)
    } else {
        Either::Left(tcp)
    };
    let request = origin
        .url(conference, token)
        .into_client_request()
        .map_err(|_| "the WebSocket request could not be built".to_owned())?;
    let mut config = WebSocketConfig::default();
    config.read_buffer_size = READ_BUFFER;
    config.write_buffer_size = 0;
    config.max_message_size = Some(MAX_MESSAGE);
    config.max_frame_size = Some(MAX_MESSAGE);
    let upgrade = tokio_tungstenite::client_async_with_config(request, stream, Some(config));
    let (socket, _) = tokio::time::timeout(settings.connect_timeout, upgrade)
        .await
        .map_err(|_| format!("the WebSocket upgrade at {authority} timed out"))?
        .map_err(|e| upgrade_failure(&authority, e))?;
    Ok(socket)
}

/// Why an upgrade failed, without the request's URL.
fn upgrade_failure(authority: &str, error: tokio_tungstenite::tungstenite::Error) -> String {
    use tokio_tungstenite::tungstenite::Error as E;
    match error {
        E::Http(response) => {
            let code = response
                .body()
                .as_deref()
                .and_then(|body| serde_json::from_slice::<serde_json::Value>(body).ok())
                .and_then(|body| body.get("error_code")?.as_str().map(str::to_owned));
            format!(
                "{authority} refused the WebSocket with HTTP {}{}",
                response.status().as_u16(),
                code.map(|c| format!(" ({})", crate::printable::printable_at_most(&c, 64)))
                    .unwrap_or_default()
            )
        }
        E::Io(e) => format!("the WebSocket upgrade at {authority}: {e}"),
        E::Protocol(e) => format!("the WebSocket upgrade at {authority}: {e}"),
        other => format!(
            "the WebSocket upgrade at {authority} failed: {}",
            crate::printable::printable_at_most(&other.to_string(), 200)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_origin_is_taken_with_or_without_a_path() {
        for url in [
            "wss://100.94.23.40:443",
            "wss://100.94.23.40",
            "wss://100.94.23.40:443/cms/open/websocket/confctl/increment/conn?confID=900726255",
        ] {
            let origin = Origin::parse(url, false).expect("a usable wsURL");
            assert_eq!(origin.authority(), "100.94.23.40:443");
            assert_eq!(
                origin.url("900726255", "cnr6e/8+"),
                "wss://100.94.23.40:443/cms/open/websocket/confctl/increment/conn?confID=900726255&tmpToken=cnr6e%2F8%2B"
            );
        }
        assert!(Origin::parse("ws://127.0.0.1:8080", false).is_ok());
        assert!(Origin::parse("ws://meeting.example.com", false).is_err());
        assert!(Origin::parse("ws://meeting.example.com", true).is_ok());
        assert!(Origin::parse("ftp://meeting.example.com", true).is_err());
        assert!(Origin::parse("not a url", true).is_err());
    }
}
