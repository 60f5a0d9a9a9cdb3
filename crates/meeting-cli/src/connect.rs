//! Connecting: a client from the endpoint flags, the environment and the token store
//! (`--token-cache`), the credentials from the login flags, and a conference handle
//! with the host password or a control token.

use std::sync::Arc;

use meeting::store::{FileStore, RedisStore, TokenStore};
use meeting::{AppId, Client, Conference, Credentials, RetryPolicy};

use crate::args::{Endpoint, Global, Login, Target, TokenCache};
use crate::output::Failure;
use crate::secrets;

/// A client for `endpoint`, sharing tokens through the `--token-cache` store; with
/// credentials if given (needed by management calls and login; control calls send the
/// access token too when there are credentials).
pub fn client(
    endpoint: &Endpoint,
    global: &Global,
    credentials: Option<Credentials>,
) -> Result<Client, Failure> {
    let mut builder = Client::builder();
    if let Some(store) = token_store(global)? {
        builder = builder.shared_token_store(store);
    }
    if let Some(timeout) = global.timeout {
        builder = builder
            .retry_policy(RetryPolicy::default().max_elapsed(timeout))
            .request_timeout(timeout.min(meeting::DEFAULT_REQUEST_TIMEOUT));
    }
    if let Some(region) = &endpoint.region {
        builder = builder.region(region.parse()?);
    }
    if let Some(url) = &endpoint.endpoint {
        builder = builder.endpoint(url);
    }
    if let Some(path) = &endpoint.ca_cert {
        let pem = std::fs::read(path).map_err(|e| {
            Failure::Usage(format!(
                "cannot read the CA certificate {}: {e}",
                path.display()
            ))
        })?;
        builder = builder.add_root_certificate_pem(&pem)?;
    }
    if let Some(credentials) = credentials {
        builder = builder.credentials(credentials);
    }
    Ok(builder.build()?)
}

/// A Redis at `url`, trusting `--redis-ca-cert` for `rediss://`.
pub fn redis_store(url: &str, global: &Global) -> Result<RedisStore, Failure> {
    let usage = |e: meeting::store::StoreError| Failure::Usage(e.to_string());
    let mut store = RedisStore::new(url).map_err(usage)?;
    if let Some(path) = &global.redis_ca_cert {
        let pem = std::fs::read(path).map_err(|e| {
            Failure::Usage(format!(
                "cannot read the Redis CA certificate {}: {e}",
                path.display()
            ))
        })?;
        store = store.trust_root_certificates_pem(&pem).map_err(usage)?;
    }
    Ok(store)
}

/// The store `--token-cache` names (a `rediss://` one trusting `--redis-ca-cert`). A
/// file store that cannot be opened (no home directory, say) is not worth failing a
/// command for: it runs without, with a warning.
pub fn token_store(global: &Global) -> Result<Option<Arc<dyn TokenStore>>, Failure> {
    // A URL with a password comes from a private file rather than a flag.
    let from_file = match &global.token_cache_file {
        Some(path) => {
            let text = crate::secrets::read_private_file(path, "token store URL")?;
            Some(
                crate::args::parse_token_cache(&text)
                    .map_err(|e| Failure::Usage(format!("{}: {e}", path.display())))?,
            )
        }
        None => None,
    };
    let file = match from_file.as_ref().unwrap_or(&global.token_cache) {
        TokenCache::None => return Ok(None),
        TokenCache::Redis(url) => return Ok(Some(Arc::new(redis_store(url, global)?))),
        TokenCache::File(Some(dir)) => FileStore::open(dir),
        TokenCache::File(None) => FileStore::user_default(),
    };
    match file {
        Ok(store) => Ok(Some(Arc::new(store))),
        Err(e) => {
            tracing::warn!(error = %e, "tokens are not kept after this command");
            Ok(None)
        }
    }
}

/// The credentials the login flags and environment give; an error if there are none.
pub fn credentials(login: &Login) -> Result<Credentials, Failure> {
    optional_credentials(login)?.ok_or_else(|| {
        Failure::Usage(
            "credentials are needed: --account (or MEETING_ACCOUNT) with its password, --app-id (or MEETING_APP_ID) \
             with its app key, or MEETING_ACCESS_TOKEN"
                .into(),
        )
    })
}

/// The credentials the login flags and environment give, if any.
pub fn optional_credentials(login: &Login) -> Result<Option<Credentials>, Failure> {
    if let Some(account) = &login.account {
        let password = secrets::require(
            "password",
            "MEETING_PASSWORD",
            login.password_file.as_deref(),
            "--password-file",
        )?;
        return Ok(Some(Credentials::account(account, password)));
    }
    if let Some(app_id) = &login.app_id {
        let key = secrets::require(
            "app key",
            "MEETING_APP_KEY",
            login.app_key_file.as_deref(),
            "--app-key-file",
        )?;
        return Ok(Some(Credentials::app_id(app(login, app_id, key))));
    }
    Ok(secrets::from_env("MEETING_ACCESS_TOKEN").map(Credentials::access_token))
}

/// App ID `app_id` with `key`, for the enterprise and user the login flags name.
pub fn app(login: &Login, app_id: &str, key: String) -> AppId {
    let app = match &login.corp_id {
        Some(corp) => AppId::service_provider(app_id, key, corp),
        None => AppId::single_enterprise(app_id, key),
    };
    match &login.user_id {
        Some(user) => app.user_id(user),
        None => app,
    }
}

/// The conference with a control token (MEETING_CONTROL_TOKEN) or the host password.
pub fn conference(target: &Target, global: &Global) -> Result<Conference, Failure> {
    let credentials = optional_credentials(&target.login)?;
    let meeting = client(&target.endpoint, global, credentials)?.conference(&target.conference);
    if let Some(token) = secrets::from_env("MEETING_CONTROL_TOKEN") {
        return Ok(meeting.with_control_token(token));
    }
    Ok(meeting.with_host_password(host_password(target)?))
}

/// The host password of `target`: from MEETING_HOST_PASSWORD, --host-password-file,
/// or a prompt.
pub fn host_password(target: &Target) -> Result<String, Failure> {
    secrets::require(
        "host password",
        "MEETING_HOST_PASSWORD",
        target.host_password.host_password_file.as_deref(),
        "--host-password-file",
    )
}
