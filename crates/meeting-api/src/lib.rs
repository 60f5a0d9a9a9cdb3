//! Low-level client for the Huawei Cloud Meeting server API, generated at build time from
//! `openapi/meeting.yaml` by progenitor.
//!
//! Most users want the `meeting` crate, which manages tokens, retries and errors on top
//! of this one. Use this crate directly when you need the raw operations:
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use meeting_api::call::with_secrets;
//! use meeting_api::secrets::Secrets;
//! use meeting_api::types::RestLockReqBody;
//!
//! let client = meeting_api::Client::new_with_client(
//!     "https://api.meeting.huaweicloud.com",
//!     reqwest::Client::new(),
//! );
//! let lock = RestLockReqBody { is_lock: 1.try_into()? }; // 1 locks, 0 unlocks
//! // The tokens an operation's `security` names are headers set by the client's hook,
//! // not arguments (see `secrets`).
//! let control = Secrets::new().control_token("stbaf8fa2ea8a1b0e3ab2e007a85a75f88c5")?;
//! with_secrets(control, client.lock_meeting("914083136", &lock)).await?;
//! # Ok(()) }
//! ```
//!
//! reqwest is built here without a TLS crypto provider (`rustls-no-provider`), so that
//! the application chooses it: install one (`rustls::crypto::CryptoProvider::install_default`)
//! before building a `reqwest::Client`, or reqwest panics when the client is built. The
//! `meeting` crate installs ring's.
//!
//! The code is generated into `OUT_DIR`; a reviewable copy lives in
//! `crates/meeting-api/generated/meeting_api.rs` and `cargo xtask codegen --check`
//! keeps the two identical.

// The generated code, with the hand-written hooks below as its only companion.
#[allow(missing_docs, clippy::all, clippy::pedantic)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/meeting_api.rs"));
}
pub use generated::*;

pub mod call;
pub mod exchange;
#[cfg(feature = "multipart")]
mod multipart;
pub mod secrets;
pub mod table;

/// Base URL of the cn-north-4 region (Chinese mainland).
pub const CN_NORTH_4: &str = "https://api.meeting.huaweicloud.com";
/// Base URL of the ap-southeast-1 region (international).
pub const AP_SOUTHEAST_1: &str = "https://api-intl.meeting.huaweicloud.com";

/// Name of the response header that carries the service's request id.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The header progenitor adds to every request. A constant: a name parsed from text
/// at each use costs as much as the lookup.
const API_VERSION: http::HeaderName = http::HeaderName::from_static("api-version");

impl progenitor_client::ClientHooks for Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        info: &progenitor_client::OperationInfo,
    ) -> Result<(), Error<E>> {
        // progenitor adds `api-version: <info.version>`; the service does not define it.
        request.headers_mut().remove(&API_VERSION);
        // progenitor sends every JSON body as `application/json`; a few the spec types
        // otherwise, as the official SDK sends them.
        let media = operations::CONTENT_TYPES
            .iter()
            .find(|(method, _)| *method == info.operation_id)
            .and_then(|(_, media)| http::HeaderValue::from_str(media).ok());
        if let Some(media) = media {
            request
                .headers_mut()
                .insert(http::header::CONTENT_TYPE, media);
        }
        if call::authorize(request.headers_mut(), info.operation_id).is_none() {
            // Outside `with_secrets`: refused before sending if a secret is needed. (The
            // hook's operation ID is the method's name; the route names the operation.)
            let (method, path) = (request.method().as_str(), request.url().path());
            let operation = operations::ALL
                .iter()
                .find(|op| op.method.as_str() == method && table::path_matches(op.path, path));
            if let Some(op) = operation.filter(|op| !secrets::Secrets::new().suffice_for(op)) {
                return Err(Error::InvalidRequest(format!(
                    "{} sends a token or password: call it within \
                     meeting_api::call::with_secrets",
                    op.id
                )));
            }
        }
        Ok(())
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        info: &progenitor_client::OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        // Copied for the log lines only when they are on: this runs for every request.
        let logged = tracing::enabled!(tracing::Level::DEBUG)
            .then(|| (request.method().clone(), request.url().path().to_owned()));
        let (method, path) = match &logged {
            Some((method, path)) => (method.as_str(), path.as_str()),
            None => ("", ""),
        };
        let result = match self.client.execute(request).await {
            Ok(response) => {
                let record = exchange::Exchange::of(&response);
                tracing::debug!(
                    operation = info.operation_id,
                    method,
                    path,
                    status = record.status.as_u16(),
                    request_id = record.request_id().unwrap_or(""),
                    "meeting api response"
                );
                call::record(record);
                // Read every body here, bounded: see `exchange`.
                call::buffer(response).await
            }
            Err(error) => Err(error),
        };
        if let Err(error) = &result {
            tracing::debug!(
                operation = info.operation_id,
                method,
                path,
                error = %error,
                "meeting api request failed"
            );
        }
        result
    }
}
