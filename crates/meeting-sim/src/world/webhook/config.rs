//! The event push's configurations: SetWebHookConfig, ShowWebHookConfig, the
//! verification handshake, UpdateWebHookConfigStatus and DeleteWebHookConfig.

use meeting_api::types::{WebHookConfig, WebHookConfigRequest};

use super::{Config, DISABLED, DeliveryState};
use crate::errors::{ApiError, Status, codes};
use crate::push::Push;
use crate::world::{Grant, World};

/// The loopback URL a configuration may name, or why not.
fn check_url(url: &str) -> Result<(), ApiError> {
    let refused = |why: &str| {
        ApiError::new(
            Status::BadRequest,
            codes::WEBHOOK_URL_REFUSED,
            format!("the simulator pushes only to http(s) URLs on a loopback address: {why}"),
        )
    };
    let parsed = url::Url::parse(url).map_err(|e| refused(&format!("not a URL ({e})")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(refused("the scheme is neither http nor https"));
    }
    let loopback = match parsed.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    };
    if !loopback {
        return Err(refused("the host is not loopback"));
    }
    Ok(())
}

fn no_permission() -> ApiError {
    ApiError::new(
        Status::Forbidden,
        codes::NO_PERMISSION,
        "only an enterprise administrator may configure the event push",
    )
}

fn no_config(id: &str) -> ApiError {
    ApiError::bad_request(format!("there is no event-push configuration {id}"))
}

impl World {
    /// SetWebHookConfig: the configuration for (`corpId`, `spId`), created disabled or
    /// replaced (keeping its ID and status).
    pub fn set_webhook(
        &mut self,
        by: &Grant,
        request: &WebHookConfigRequest,
    ) -> Result<(), ApiError> {
        if !by.admin {
            return Err(no_permission());
        }
        check_url(&request.url)?;
        let (subscriber_id, key, url) = (
            request.subscriber_id.to_string(),
            request.subscriber_key.to_string(),
            request.url.to_string(),
        );
        // The simulator is one enterprise: one configuration, whatever corpId or spId.
        match self.webhooks.configs.first_mut() {
            Some(config) => {
                config.subscriber_id = subscriber_id;
                config.key = key;
                config.url = url;
            }
            None => {
                let id = hex::encode(rand::random::<[u8; 16]>());
                self.webhooks.configs.push(Config {
                    id,
                    subscriber_id,
                    key,
                    url,
                    status: DISABLED,
                });
            }
        }
        Ok(())
    }

    /// ShowWebHookConfig.
    pub fn show_webhook(&self, by: &Grant) -> Result<WebHookConfig, ApiError> {
        if !by.admin {
            return Err(no_permission());
        }
        let config = self
            .webhooks
            .configs
            .first()
            .ok_or_else(|| ApiError::bad_request("no event-push configuration is set"))?;
        Ok(WebHookConfig {
            id: Some(config.id.clone()),
            subscriber_id: Some(config.subscriber_id.clone()),
            url: Some(config.url.clone()),
            status: Some(config.status),
            return_code: None,
            return_desc: None,
        })
    }

    /// UpdateWebHookConfigStatus, first half: what enabling configuration `id` must
    /// send its handshake to (the caller sends it without holding the world).
    pub fn webhook_handshake(&self, by: &Grant, id: &str) -> Result<Push, ApiError> {
        if !by.admin {
            return Err(no_permission());
        }
        let config = self.webhook(id)?;
        Ok(Push {
            url: config.url.clone(),
            subscriber_id: config.subscriber_id.clone(),
            key: config.key.clone(),
            event_info: format!(
                r#"{{"event":"meeting.verify","timestamp":{}}}"#,
                self.now_ms
            ),
        })
    }

    /// UpdateWebHookConfigStatus: sets the status (enabling only after the handshake).
    pub fn set_webhook_status(
        &mut self,
        by: &Grant,
        id: &str,
        status: i32,
    ) -> Result<(), ApiError> {
        if !by.admin {
            return Err(no_permission());
        }
        if !(0..=2).contains(&status) {
            return Err(ApiError::bad_request("status must be 0, 1 or 2"));
        }
        self.webhook(id)?;
        if let Some(config) = self.webhooks.configs.iter_mut().find(|c| c.id == id) {
            config.status = status;
        }
        Ok(())
    }

    /// DeleteWebHookConfig: the configuration and its pending deliveries go.
    pub fn delete_webhook(&mut self, by: &Grant, id: &str) -> Result<(), ApiError> {
        if !by.admin {
            return Err(no_permission());
        }
        self.webhook(id)?;
        self.webhooks.configs.retain(|c| c.id != id);
        let hooks = &mut self.webhooks;
        for at in 0..hooks.deliveries.len() {
            if hooks.deliveries[at].config == id
                && hooks.deliveries[at].state == DeliveryState::Pending
            {
                hooks.finish(at, DeliveryState::GaveUp);
            }
        }
        Ok(())
    }

    fn webhook(&self, id: &str) -> Result<&Config, ApiError> {
        self.webhooks
            .configs
            .iter()
            .find(|c| c.id == id)
            .ok_or_else(|| no_config(id))
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;

    #[test]
    fn only_loopback_urls_are_accepted_and_only_administrators_configure() {
        let mut world = World::default();
        for url in [
            "https://example.com/hook",
            "ftp://127.0.0.1/x",
            "http://10.0.0.1/",
            "nonsense",
        ] {
            let refused = world.set_webhook(&admin(), &config(url)).expect_err(url);
            assert_eq!(refused.code, codes::WEBHOOK_URL_REFUSED, "{url}");
        }
        for url in [
            "http://127.0.0.1:1/a",
            "https://localhost:8443/",
            "http://[::1]:80/",
        ] {
            world.set_webhook(&admin(), &config(url)).expect(url);
        }
        let user = Grant {
            admin: false,
            ..admin()
        };
        assert_eq!(
            world
                .set_webhook(&user, &config("http://127.0.0.1/"))
                .expect_err("user")
                .code,
            codes::NO_PERMISSION
        );
    }
}
