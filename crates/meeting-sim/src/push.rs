//! Sending the event push: the handshake that enabling waits for, and the deliverer
//! that sends the pushes the world queues when they are due and records what came of
//! them. A failure is an answer other than 2xx, or none within 5 s.

use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;

use crate::Shared;
use crate::world::{Attempt, Push, nonce};

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
