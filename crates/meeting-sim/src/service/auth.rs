//! `AuthenticateAccount` and `AuthenticateAppId`: access tokens.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::on;
use base64::Engine;
use hmac::{Hmac, Mac};
use meeting_api::operations;
use meeting_api::types::{AccountAuthRequest, AppAuthRequest, AuthResponse, UserInfo};
use sha2::Sha256;

use super::{ApiResult, Route, header, json_body};
use crate::Shared;
use crate::errors::{ApiError, codes};
use crate::model::Tenancy;

fn bad_login_body(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, codes::LOGIN_BAD_BODY, message)
}

/// This family's operations and their handlers.
pub(super) static ROUTES: &[Route] = &[
    Route {
        operation: &operations::AUTHENTICATE_ACCOUNT,
        handler: |m| on(m, account),
    },
    Route {
        operation: &operations::AUTHENTICATE_APP_ID,
        handler: |m| on(m, app_id),
    },
];

pub(super) async fn account(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<AuthResponse>> {
    let (account, password) = header(&headers, "authorization")
        .and_then(basic_credentials)
        .ok_or_else(|| {
            ApiError::login_failed("Authorization must be Basic base64(account:password)")
        })?;
    let request: AccountAuthRequest = json_body(body).map_err(|e| bad_login_body(e.message))?;
    if *request.account != account {
        return Err(bad_login_body(
            "the body's account differs from the Basic credentials",
        ));
    }
    let now_ms = shared.clock.now_ms();
    let validity_ms = shared.config.access_token_validity.as_millis() as i64;
    let issue_token = request.create_token_type.is_none_or(|t| *t != 1);
    let (token, admin) =
        shared
            .world()
            .login_account(&account, &password, issue_token, now_ms + validity_ms)?;
    Ok(Json(auth_response(
        token,
        now_ms,
        validity_ms,
        &account,
        admin,
    )))
}

pub(super) async fn app_id(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<AuthResponse>> {
    let authorization = header(&headers, "authorization")
        .and_then(HmacAuthorization::parse)
        .ok_or_else(|| {
            ApiError::login_failed(
                "Authorization must be HMAC-SHA256 signature=<hex>,access=<base64(appId)>",
            )
        })?;
    let request: AppAuthRequest = json_body(body).map_err(|e| bad_login_body(e.message))?;
    let app_id: &str = &request.app_id;
    let now_ms = shared.clock.now_ms();
    let app = shared.world().app(app_id)?;
    if let Some(access) = &authorization.access {
        // `access` is documented as required, but real clients omit it and succeed.
        if *access != base64::engine::general_purpose::STANDARD.encode(app_id) {
            return Err(ApiError::login_failed("access does not match the App ID"));
        }
    }
    if request.expire_time != 0 && request.expire_time.saturating_mul(1000) < now_ms {
        return Err(ApiError::login_failed(
            "the signature has expired (expireTime is in the past)",
        ));
    }
    let user_id = request.user_id.as_deref().unwrap_or("");
    let corp_id = request.corp_id.as_deref().unwrap_or("");
    let signed = match app.tenancy {
        Tenancy::Single if !corp_id.is_empty() => {
            return Err(ApiError::login_failed(
                "corpId must not be sent for a single enterprise",
            ));
        }
        Tenancy::Single => format!(
            "{app_id}:{user_id}:{}:{}",
            request.expire_time, *request.nonce
        ),
        Tenancy::Multi => format!(
            "{app_id}:{corp_id}:{user_id}:{}:{}",
            request.expire_time, *request.nonce
        ),
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(app.app_key.as_bytes())
        .map_err(|_| ApiError::login_failed("unusable app key"))?;
    mac.update(signed.as_bytes());
    // hex::decode accepts upper- and lower-case digits alike.
    let given = hex::decode(&authorization.signature)
        .map_err(|_| ApiError::login_failed("the signature is not hex"))?;
    mac.verify_slice(&given)
        .map_err(|_| ApiError::login_failed("the signature does not match"))?;

    let subject = format!("app:{app_id}:{corp_id}:{user_id}");
    let validity_ms = shared.config.access_token_validity.as_millis() as i64;
    // The enterprise's default administrator stands behind an empty userId.
    let admin = user_id.is_empty();
    let token = shared
        .world()
        .login_app(&subject, admin, now_ms + validity_ms);
    Ok(Json(auth_response(
        token,
        now_ms,
        validity_ms,
        user_id,
        admin,
    )))
}

fn auth_response(
    token: String,
    now_ms: i64,
    validity_ms: i64,
    user: &str,
    admin: bool,
) -> AuthResponse {
    AuthResponse {
        access_token: token,
        client_type: Some(72),
        create_time: Some(now_ms),
        days_pwd_available: None,
        delay_delete: Some(false),
        expire_time: Some((now_ms + validity_ms) / 1000),
        first_login: Some(false),
        force_login_ind: None,
        proxy_token: None,
        pwd_expired: Some(false),
        refresh_create_time: None,
        refresh_expire_time: None,
        refresh_token: None,
        refresh_valid_period: None,
        token_ip: Some("127.0.0.1".to_owned()),
        token_type: Some(0),
        user: Some(UserInfo {
            user_id: Some(user.to_owned()),
            name: Some(user.to_owned()),
            admin_type: Some(if admin { 1 } else { 2 }),
            user_type: Some(2),
            status: Some(0),
            ..Default::default()
        }),
        valid_period: Some(validity_ms / 1000),
    }
}

/// `account:password` from `Basic base64(account:password)`.
fn basic_credentials(value: &str) -> Option<(String, String)> {
    let encoded = value
        .strip_prefix("Basic ")
        .or_else(|| value.strip_prefix("basic "))?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (account, password) = text.split_once(':')?;
    Some((account.to_owned(), password.to_owned()))
}

/// `HMAC-SHA256 signature=<hex>,access=<base64(appId)>`.
struct HmacAuthorization {
    signature: String,
    access: Option<String>,
}

impl HmacAuthorization {
    fn parse(value: &str) -> Option<Self> {
        let rest = value.strip_prefix("HMAC-SHA256")?.trim_start();
        let mut signature = None;
        let mut access = None;
        for part in rest.split(',') {
            match part.trim().split_once('=') {
                Some(("signature", v)) => signature = Some(v.trim().to_owned()),
                // base64 may end in '=': split only at the first one.
                Some(("access", v)) => access = Some(v.trim().to_owned()),
                _ => return None,
            }
        }
        Some(Self {
            signature: signature?,
            access,
        })
    }
}
