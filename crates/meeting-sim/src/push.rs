//! Sending the event push: the handshake that enabling waits for, and the deliverer
//! that sends the pushes the world queues when they are due and records what came of
//! them. A failure is an answer other than 2xx, or none within 5 s.

use std::sync::Arc;
use std::time::Duration;

use hmac::{Hmac, Mac};
use serde::Deserialize;
use serde_json::Value;
use sha2::Sha256;

use crate::Shared;
use crate::world::Attempt;

/// A push to send: where, signed with what, and the `eventInfo` it carries.
#[derive(Clone)]
pub(crate) struct Push {
    pub url: String,
    pub subscriber_id: String,
    pub key: String,
    /// The compact JSON of `eventInfo`, as it is signed and sent.
    pub event_info: String,
}

impl std::fmt::Debug for Push {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Push")
            .field("url", &self.url)
            .field("subscriber_id", &self.subscriber_id)
            .field("key", &"[REDACTED]")
            .finish_non_exhaustive()
    }
}

impl Push {
    /// The body of one attempt at `now_ms`: signed anew each time, as the service's
    /// retries may be (the outer timestamp and the nonce are the attempt's).
    pub fn body(&self, now_ms: i64, nonce: &str) -> String {
        let signature = sign(
            &self.key,
            &self.subscriber_id,
            now_ms,
            nonce,
            &self.event_info,
        );
        format!(
            r#"{{"appID":{},"timestamp":{now_ms},"nonce":"{nonce}","signature":"{signature}","eventInfo":{}}}"#,
            Value::from(self.subscriber_id.as_str()),
            self.event_info
        )
    }
}

/// `hex(HMAC-SHA256(key, appID ‖ timestamp ‖ nonce ‖ eventInfo))`, lowercase.
pub(crate) fn sign(
    key: &str,
    app_id: &str,
    timestamp: i64,
    nonce: &str,
    event_info: &str,
) -> String {
    // HMAC takes a key of any length.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key.as_bytes()) else {
        return String::new();
    };
    mac.update(app_id.as_bytes());
    mac.update(timestamp.to_string().as_bytes());
    mac.update(nonce.as_bytes());
    mac.update(event_info.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Eight random digits, like the service's nonces.
pub(crate) fn nonce() -> String {
    format!("{:08}", rand::random_range(0..100_000_000u32))
}

/// How long a receiver has to answer (the simulator's choice; the pages set none).
pub(crate) const ANSWER_WITHIN: Duration = Duration::from_secs(5);

/// The client pushes go out with: no proxy (loopback only), no redirects, no
/// certificate check (receivers on loopback use throwaway certificates).
pub(crate) fn client() -> Result<reqwest::Client, String> {
    let tls = crate::tls::push_client_config().map_err(|e| e.to_string())?;
    reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .tls_backend_preconfigured(tls)
        .timeout(ANSWER_WITHIN)
        .build()
        .map_err(|e| e.to_string())
}

/// POSTs one signed push at `now_ms`; the answer's status and body, or why there was
/// none.
async fn post(
    client: &reqwest::Client,
    push: &Push,
    now_ms: i64,
    nonce: &str,
) -> Result<(u16, Vec<u8>), String> {
    let answer = client
        .post(&push.url)
        .header("content-type", "application/json;charset=UTF-8")
        .header("x-request-id", hex::encode(rand::random::<[u8; 16]>()))
        .body(push.body(now_ms, nonce))
        .send()
        .await
        .map_err(describe)?;
    let status = answer.status().as_u16();
    // A receiver's answer is short; a long one is read up to the deadline only.
    let body = answer.bytes().await.map_err(describe)?;
    Ok((status, body.to_vec()))
}

fn describe(error: reqwest::Error) -> String {
    if error.is_timeout() {
        format!("no answer within {} s", ANSWER_WITHIN.as_secs())
    } else if error.is_connect() {
        "could not connect".to_owned()
    } else {
        "the exchange failed".to_owned()
    }
}

/// The verification handshake: the signed `meeting.verify` push must be answered with
/// a 2xx and `{"event":"meeting.verify","nonce":<its nonce>}`.
pub(crate) async fn handshake(
    client: &reqwest::Client,
    push: &Push,
    now_ms: i64,
) -> Result<(), String> {
    #[derive(Deserialize)]
    struct Reply {
        event: String,
        nonce: String,
    }
    let nonce = nonce();
    let (status, body) = post(client, push, now_ms, &nonce).await?;
    if !(200..300).contains(&status) {
        return Err(format!("the receiver answered {status}"));
    }
    match serde_json::from_slice::<Reply>(&body) {
        Ok(reply) if reply.event == "meeting.verify" && reply.nonce == nonce => Ok(()),
        Ok(_) => Err("the receiver answered another event or nonce".to_owned()),
        Err(_) => Err(
            "the receiver's answer is not {\"event\":\"meeting.verify\",\"nonce\":…}".to_owned(),
        ),
    }
}

/// Sends due pushes until the simulator stops: those due now, in order, then waits
/// for the next to fall due, a new push, or a move of the simulator's clock.
pub(crate) async fn deliver(shared: Arc<Shared>) {
    let mut stopping = shared.stopping.clone();
    let mut clock = shared.clock.watch();
    loop {
        if *stopping.borrow() {
            return;
        }
        let now_ms = shared.clock.now_ms();
        let (due, next, wake) = {
            let world = shared.world();
            (
                world.due_pushes(now_ms),
                world.next_push_due(),
                world.webhook_wake(),
            )
        };
        if !due.is_empty() {
            // One at a time, in the order they happened: a receiver sees a meeting's
            // life in order (a retry waits its turn, due later).
            for (id, push) in due {
                let attempt = match post(&shared.push_client, &push, now_ms, &nonce()).await {
                    Ok((status, _)) => Attempt {
                        at_ms: now_ms,
                        status: Some(status),
                        error: None,
                    },
                    Err(error) => Attempt {
                        at_ms: now_ms,
                        status: None,
                        error: Some(error),
                    },
                };
                shared.world().record_push_attempt(id, attempt);
                if *stopping.borrow() {
                    return;
                }
            }
            continue;
        }
        let wait = next.map(|due| Duration::from_millis(due.saturating_sub(now_ms).max(0) as u64));
        tokio::select! {
            _ = wake.notified() => {}
            _ = clock.changed() => {}
            changed = stopping.changed() => if changed.is_err() { return },
            _ = async {
                match wait {
                    Some(wait) => tokio::time::sleep(wait).await,
                    None => std::future::pending().await,
                }
            } => {}
        }
    }
}

#[cfg(test)]
mod signing_tests {
    use super::*;

    #[test]
    fn the_pages_verification_example_is_signed_as_they_say() {
        assert_eq!(
            sign(
                "123456",
                "1988692299",
                1629183619116,
                "85262798",
                r#"{"event":"meeting.verify","timestamp":1629183619116}"#
            ),
            "262ccb5f8854f824c41ea5854ba1798bfa850706fbc85b2be9fd7535ed6b8ff3"
        );
    }
}
