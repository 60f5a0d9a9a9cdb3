//! The service commands: build a client from flags and environment, make the call,
//! print the result.

use std::time::Duration;

use meeting::{
    AppId, Client, Conference, Credentials, Invitee, LiveRole, MeetingState, NewMeeting,
    RetryPolicy, Role, SettingsUpdate,
};
use serde_json::json;

use std::sync::Arc;

use meeting::store::{FileStore, RedisStore, TokenStore};

use crate::args::{
    Command, Endpoint, Global, Login, LogoutArgs, SettingsArgs, Switch, Target, TokenCache,
};
use crate::output::{self, Failure, print};
use crate::secrets;

pub async fn run(command: Command, global: &Global) -> Result<(), Failure> {
    let json = global.json;
    match command {
        Command::Lock(target) => {
            conference(&target, global)?.lock().await?;
            done(
                json,
                "lock",
                &target.conference,
                &format!("Locked meeting {}.", target.conference),
            );
        }
        Command::Unlock(target) => {
            conference(&target, global)?.unlock().await?;
            done(
                json,
                "unlock",
                &target.conference,
                &format!("Unlocked meeting {}.", target.conference),
            );
        }
        Command::Settings(args) => {
            let (update, described) = settings(&args)?;
            conference(&args.target, global)?
                .update_settings(&update)
                .await?;
            let id = &args.target.conference;
            done(
                json,
                "settings",
                id,
                &format!("Updated meeting {id}: {}.", described.join(", ")),
            );
        }
        Command::LockView(args) => {
            let source = args
                .source
                .clone()
                .unwrap_or_else(|| args.participant.clone());
            conference(&args.target, global)?
                .participant(&args.participant)
                .lock_video_to(&source)
                .await?;
            let id = &args.target.conference;
            let text = format!(
                "Locked the view of terminal {} in meeting {id} to the video of {source}.",
                args.participant
            );
            done(json, "lock-view", id, &text);
        }
        Command::UnlockView(args) => {
            conference(&args.target, global)?
                .participant(&args.participant)
                .unlock_video()
                .await?;
            let id = &args.target.conference;
            let text = format!(
                "Unlocked the view of terminal {} in meeting {id}.",
                args.participant
            );
            done(json, "unlock-view", id, &text);
        }
        Command::Create(args) => {
            let mut meeting = NewMeeting::new(&args.subject);
            if let Some(start) = &args.start {
                meeting = meeting.starts_at(start);
            }
            if let Some(minutes) = args.minutes {
                meeting = meeting.lasts(Duration::from_secs(u64::from(minutes) * 60));
            }
            for (name, phone) in &args.invite {
                let mut invitee = Invitee::phone(phone);
                if !name.is_empty() {
                    invitee = invitee.name(name);
                }
                meeting = meeting.invite(invitee);
            }
            let client = client(
                &args.connection.endpoint,
                global,
                Some(credentials(&args.connection.login)?),
            )?;
            let created = client.create_meeting(&meeting).await?;
            let mut text = format!("Scheduled meeting {}", created.id);
            if let (Some(start), Some(end)) = (&created.start_time, &created.end_time) {
                text.push_str(&format!(
                    ", {} to {} UTC",
                    output::printable(start),
                    output::printable(end)
                ));
            }
            text.push('.');
            let mut value = json!({
                "conference": created.id,
                "start_time": created.start_time,
                "end_time": created.end_time,
            });
            if args.show_passwords {
                let host = created.expose_host_password().unwrap_or_default();
                let guest = created.expose_guest_password().unwrap_or_default();
                text.push_str(&format!("\nhost password: {host}\nguest password: {guest}"));
                value["host_password"] = json!(host);
                value["guest_password"] = json!(guest);
            }
            print(json, &text, value);
        }
        Command::Show(args) => {
            let client = client(
                &args.connection.endpoint,
                global,
                Some(credentials(&args.connection.login)?),
            )?;
            let d = client.conference(&args.conference).details().await?;
            let state = match &d.state {
                MeetingState::Scheduled => "scheduled".to_owned(),
                MeetingState::Starting => "starting".to_owned(),
                MeetingState::InProgress => "in progress".to_owned(),
                MeetingState::Over => "over".to_owned(),
                MeetingState::Other(s) => s.clone().unwrap_or_else(|| "unknown".into()),
                _ => "unknown".to_owned(),
            };
            let field = |v: &Option<String>| output::printable(v.as_deref().unwrap_or("-"));
            let text = format!(
                "Meeting {}: {}\n  state: {state}\n  start: {}\n  end: {}\n  media: {}\n  dial-in: {}\n  guest link: {}",
                d.id,
                field(&d.subject),
                field(&d.start_time),
                field(&d.end_time),
                field(&d.media_types),
                field(&d.access_number),
                field(&d.guest_join_uri),
            );
            let value = json!({
                "conference": d.id,
                "subject": d.subject,
                "state": state,
                "start_time": d.start_time,
                "end_time": d.end_time,
                "media_types": d.media_types,
                "access_number": d.access_number,
                "guest_join_uri": d.guest_join_uri,
            });
            print(json, &text, value);
        }
        Command::Participants(target) => {
            let live = conference(&target, global)?.live().await?;
            let role = |r: LiveRole| match r {
                LiveRole::Host => "host",
                LiveRole::CoHost => "co-host",
                _ => "participant",
            };
            let mut text = format!(
                "{} participant(s) in meeting {}:",
                live.participants.len(),
                target.conference
            );
            for p in &live.participants {
                text.push_str(&format!(
                    "\n  {:<34} {:<12} {:<6} {}",
                    p.id,
                    role(p.role),
                    if p.muted == Some(true) { "muted" } else { "" },
                    output::printable(p.name.as_deref().unwrap_or(""))
                ));
            }
            let participants: Vec<_> = live
                .participants
                .iter()
                .map(|p| {
                    json!({
                        "id": p.id,
                        "name": p.name,
                        "phone": p.phone,
                        "role": role(p.role),
                        "muted": p.muted,
                        "hand_raised": p.hand_raised,
                    })
                })
                .collect();
            print(
                json,
                &text,
                json!({"conference": target.conference, "participants": participants}),
            );
        }
        Command::Mute(args) => {
            let meeting = conference(&args.target, global)?;
            let id = &args.target.conference;
            let text = match &args.participant {
                Some(p) => {
                    meeting.participant(p).mute().await?;
                    format!("Muted participant {p} in meeting {id}.")
                }
                None => {
                    let allow = args.allow_unmute.is_none_or(Switch::on);
                    meeting.mute_all(allow).await?;
                    format!("Muted everyone but the host in meeting {id}.")
                }
            };
            done(json, "mute", id, &text);
        }
        Command::Unmute(args) => {
            let meeting = conference(&args.target, global)?;
            let id = &args.target.conference;
            let text = match &args.participant {
                Some(p) => {
                    meeting.participant(p).unmute().await?;
                    format!("Unmuted participant {p} in meeting {id}.")
                }
                None => {
                    meeting.unmute_all().await?;
                    format!("Unmuted everyone in meeting {id}.")
                }
            };
            done(json, "unmute", id, &text);
        }
        Command::Invite(args) => {
            let mut invitee = Invitee::phone(&args.phone);
            if let Some(name) = &args.name {
                invitee = invitee.name(name);
            }
            conference(&args.target, global)?.invite(&[invitee]).await?;
            let id = &args.target.conference;
            done(
                json,
                "invite",
                id,
                &format!("Called {} into meeting {id}.", args.phone),
            );
        }
        Command::HangUp(args) => {
            conference(&args.target, global)?
                .participant(&args.participant)
                .hang_up()
                .await?;
            let id = &args.target.conference;
            let text = format!("Hung up participant {} in meeting {id}.", args.participant);
            done(json, "hang-up", id, &text);
        }
        Command::Prolong(args) => {
            conference(&args.target, global)?
                .prolong(args.minutes)
                .await?;
            let id = &args.target.conference;
            let text = format!("Prolonged meeting {id} by {} minutes.", args.minutes);
            done(json, "prolong", id, &text);
        }
        Command::Stop(target) => {
            conference(&target, global)?.stop().await?;
            let id = &target.conference;
            done(
                json,
                "stop",
                id,
                &format!("Ended meeting {id} for everyone."),
            );
        }
        Command::Cancel(args) => {
            let meeting = client(
                &args.connection.endpoint,
                global,
                Some(credentials(&args.connection.login)?),
            )?
            .conference(&args.conference);
            let id = &args.conference;
            if args.end_ongoing {
                meeting.end().await?;
                done(
                    json,
                    "end",
                    id,
                    &format!("Ended (or cancelled) meeting {id}."),
                );
            } else {
                meeting.cancel().await?;
                done(json, "cancel", id, &format!("Cancelled meeting {id}."));
            }
        }
        Command::Token(args) => {
            let info = conference(&args.target, global)?
                .control_token_info()
                .await?;
            let role = match info.role {
                Role::Host => "host".to_owned(),
                Role::Participant => "participant".to_owned(),
                Role::Other(n) => format!("role {n}"),
                _ => "unknown".to_owned(),
            };
            let mut text = format!(
                "Control token for meeting {}: {role}",
                args.target.conference
            );
            if let Some(valid) = info.valid_for {
                text.push_str(&format!(", valid {}", output::duration(valid)));
            }
            if let Some(expires) = info.expires_at {
                text.push_str(&format!(", expires {}", output::timestamp(expires)));
            }
            text.push('.');
            let mut value = json!({
                "conference": args.target.conference,
                "role": role,
                "valid_for_secs": info.valid_for.map(|d| d.as_secs()),
                "expires_at": info.expires_at.map(output::epoch),
                "ws_url": info.ws_url,
            });
            if args.show_token {
                text.push_str(&format!("\ntoken: {}", info.expose_token()));
                value["token"] = json!(info.expose_token());
            }
            print(json, &text, value);
        }
        Command::Login(connection) => {
            let who = client(
                &connection.endpoint,
                global,
                Some(credentials(&connection.login)?),
            )?
            .login()
            .await?;
            let name = who
                .user_id
                .as_deref()
                .or(who.name.as_deref())
                .map_or_else(|| "(default administrator)".into(), output::printable);
            let mut text = format!("Logged in as {name}");
            if let (Some(valid), Some(until)) = (who.valid_for, who.expires_at) {
                text.push_str(&format!(
                    "; the token is valid for {}, until {}",
                    output::duration(valid),
                    output::timestamp(until)
                ));
            }
            text.push('.');
            let value = json!({
                "user_id": who.user_id,
                "name": who.name,
                "valid_for_secs": who.valid_for.map(|d| d.as_secs()),
                "expires_at": who.expires_at.map(output::epoch),
            });
            print(json, &text, value);
        }
        Command::Logout(args) => {
            let removed = logout(&args, global).await?;
            let text = match removed {
                1 => "Forgot 1 stored token.".to_owned(),
                n => format!("Forgot {n} stored tokens."),
            };
            print(json, &text, json!({"forgotten": removed}));
        }
        Command::Sim(args) => args
            .run()
            .await
            .map_err(|e| Failure::Usage(format!("{e:#}")))?,
        Command::Demo => crate::demo::run().await?,
        Command::Completions { shell } => {
            let mut command = crate::operations::command();
            clap_complete::generate(shell, &mut command, "meeting", &mut std::io::stdout());
        }
        Command::Man => clap_mangen::Man::new(crate::operations::command())
            .render(&mut std::io::stdout())
            .map_err(|e| Failure::Usage(format!("cannot write the manual page: {e}")))?,
    }
    Ok(())
}

/// Forgets stored tokens: every one with `--all`, else those of this endpoint and
/// login. Who logs in is needed, not the password: none is asked for.
async fn logout(args: &LogoutArgs, global: &Global) -> Result<usize, Failure> {
    if args.all {
        return match token_store(&global.token_cache)? {
            Some(store) => store.remove_prefix("").await.map_err(Failure::Store),
            None => Ok(0),
        };
    }
    let login = &args.connection.login;
    let identity = match (&login.account, &login.app_id) {
        (Some(account), _) => Some(Credentials::account(account, String::new())),
        (None, Some(app_id)) => Some(Credentials::app_id(app(login, app_id, String::new()))),
        (None, None) => None,
    };
    let client = client(&args.connection.endpoint, global, identity)?;
    client.forget_tokens().await.map_err(Failure::Store)
}

fn done(json: bool, operation: &str, conference: &str, text: &str) {
    print(
        json,
        text,
        json!({"ok": true, "operation": operation, "conference": conference}),
    );
}

/// A client for `endpoint`, sharing tokens through the `--token-cache` store; with
/// credentials if given (needed by management calls and login; control calls send the
/// access token too when there are credentials).
fn client(
    endpoint: &Endpoint,
    global: &Global,
    credentials: Option<Credentials>,
) -> Result<Client, Failure> {
    let mut builder = Client::builder();
    if let Some(store) = token_store(&global.token_cache)? {
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

/// The store `--token-cache` names. A file store that cannot be opened (no home
/// directory, say) is not worth failing a command for: it runs without, with a warning.
fn token_store(cache: &TokenCache) -> Result<Option<Arc<dyn TokenStore>>, Failure> {
    let file = match cache {
        TokenCache::None => return Ok(None),
        TokenCache::Redis(url) => {
            let store = RedisStore::new(url).map_err(|e| Failure::Usage(e.to_string()))?;
            return Ok(Some(Arc::new(store)));
        }
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
fn credentials(login: &Login) -> Result<Credentials, Failure> {
    optional_credentials(login)?.ok_or_else(|| {
        Failure::Usage(
            "credentials are needed: --account (or MEETING_ACCOUNT) with its password, --app-id (or MEETING_APP_ID) \
             with its app key, or MEETING_ACCESS_TOKEN"
                .into(),
        )
    })
}

/// The credentials the login flags and environment give, if any.
fn optional_credentials(login: &Login) -> Result<Option<Credentials>, Failure> {
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
fn app(login: &Login, app_id: &str, key: String) -> AppId {
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
fn conference(target: &Target, global: &Global) -> Result<Conference, Failure> {
    let credentials = optional_credentials(&target.login)?;
    let meeting = client(&target.endpoint, global, credentials)?.conference(&target.conference);
    if let Some(token) = secrets::from_env("MEETING_CONTROL_TOKEN") {
        return Ok(meeting.with_control_token(token));
    }
    let password = secrets::require(
        "host password",
        "MEETING_HOST_PASSWORD",
        target.host_password.host_password_file.as_deref(),
        "--host-password-file",
    )?;
    Ok(meeting.with_host_password(password))
}

/// The update the flags describe, and a description of it for people.
fn settings(args: &SettingsArgs) -> Result<(SettingsUpdate, Vec<String>), Failure> {
    let mut update = SettingsUpdate::new();
    let mut described = Vec::new();
    let switch = |on: bool| if on { "on" } else { "off" };
    if let Some(v) = args.lock_sharing {
        update = update.lock_sharing(v.on());
        described.push(format!("lock sharing {}", switch(v.on())));
    }
    if let Some(v) = args.call_in {
        update = update.call_in(v);
        described.push(format!("call-in {v}"));
    }
    if let Some(v) = args.allow_unmute {
        update = update.allow_unmute(v.on());
        described.push(format!("allow unmute {}", switch(v.on())));
    }
    if let Some(v) = args.chat {
        update = update.chat(v);
        described.push(format!("chat {v}"));
    }
    if let Some(v) = args.audience_call_in {
        update = update.audience_call_in(v);
        described.push(format!("audience call-in {v}"));
    }
    if let Some(v) = args.local_recording {
        update = update.local_recording(v);
        described.push(format!("local recording {v}"));
    }
    if let Some(v) = args.allow_camera {
        update = update.allow_camera(v.on());
        described.push(format!("allow camera {}", switch(v.on())));
    }
    if let Some(v) = args.allow_rename {
        update = update.allow_rename(v.on());
        described.push(format!("allow rename {}", switch(v.on())));
    }
    if let Some(v) = args.locked {
        update = update.locked(v.on());
        described.push(format!("lock {}", switch(v.on())));
    }
    if let Some(v) = args.free_share {
        update = update.free_share(v.on());
        described.push(format!("free share {}", switch(v.on())));
    }
    if update.is_empty() {
        return Err(Failure::Usage(
            "no setting given: pass at least one of --lock-sharing, --call-in, --allow-unmute, --chat, \
             --audience-call-in, --local-recording, --allow-camera, --allow-rename, --lock, --free-share"
                .into(),
        ));
    }
    Ok((update, described))
}
