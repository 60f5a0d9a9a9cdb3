//! The demo: the whole flow through the `meeting` crate, on a simulator started in
//! this process on loopback. Nothing leaves the machine.
//!
//! A package of its own, so that a first `cargo run -p meeting-demo` builds only what
//! the flow needs (the wrapper with its event stream, and the simulator), not the
//! command line's Redis, fleet and push receiver; `meeting demo` runs the same code.

use std::fmt;
use std::time::Duration;

use futures_util::StreamExt;
use meeting::events::{EventKind, EventStream, ResyncCause, describe};
use meeting::{CallInRestriction, Client, Credentials, Invitee, NewMeeting, SettingsUpdate};
use meeting_sim::example::{ADMIN as ACCOUNT, SCHEDULED};
use meeting_sim::{ConferenceView, ParticipantSeed, Seed, SimHandle, Simulator};
// The example seed's made-up secret, never printed all the same.
use meeting_sim::example::ADMIN_PASSWORD as PASSWORD;

fn step(n: u32, what: &str, result: &str) {
    println!("{n:>2}. {what:<24} ok  {result}");
}

/// Why the demo stopped: a call the wrapper reports as failed, or the simulator not
/// doing what the flow expects.
#[derive(Debug)]
pub enum Failure {
    /// A call failed.
    Call(meeting::Error),
    /// The flow went off its course (the simulator did not do what it should).
    Usage(String),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Call(error) => error.fmt(f),
            Self::Usage(what) => f.write_str(what),
        }
    }
}

impl std::error::Error for Failure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Call(error) => Some(error),
            Self::Usage(_) => None,
        }
    }
}

impl From<meeting::Error> for Failure {
    fn from(error: meeting::Error) -> Self {
        Self::Call(error)
    }
}

/// `d` as `12h`, `30m`, `1h 30m 5s`.
fn duration(d: Duration) -> String {
    let s = d.as_secs();
    let parts: Vec<String> = [(s / 3600, "h"), (s / 60 % 60, "m"), (s % 60, "s")]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, unit)| format!("{n}{unit}"))
        .collect();
    if parts.is_empty() {
        "0s".to_owned()
    } else {
        parts.join(" ")
    }
}

/// The meeting's events in words until it ends, told as one story: the state at
/// subscription once (the service sends a snapshot per notification type), and a
/// repeated description of the meeting only when it says something new.
async fn story(mut events: EventStream) -> Result<Vec<String>, Failure> {
    let mut seen = Vec::new();
    let (mut told_state, mut last_info) = (false, String::new());
    while let Some(event) = events.next().await {
        let event = event?;
        let line = describe(&event, events.snapshot());
        match &event.kind {
            EventKind::Resynced {
                cause: ResyncCause::Subscribed,
            } if told_state => continue,
            EventKind::Resynced {
                cause: ResyncCause::Subscribed,
            } => told_state = true,
            EventKind::Info { .. } if line == last_info => continue,
            EventKind::Info { .. } => last_info.clone_from(&line),
            _ => {}
        }
        seen.push(line);
        if event.kind == EventKind::Ended {
            break;
        }
    }
    Ok(seen)
}

/// Runs the whole flow, printing each step and what the simulator and the event stream
/// saw.
pub async fn run() -> Result<(), Failure> {
    println!(
        "meeting demo: the whole flow on an embedded simulator (nothing leaves this machine)\n"
    );
    let sim = Simulator::new()
        .seed(Seed::example())
        .start()
        .await
        .map_err(|e| Failure::Usage(format!("cannot start the simulator: {e}")))?;
    println!(
        "simulator at {}: an enterprise with its administrator, meeting {SCHEDULED} scheduled\n",
        sim.base_url()
    );
    let client = Client::builder()
        .endpoint(sim.base_url())
        .credentials(Credentials::account(ACCOUNT, PASSWORD))
        .build()?;

    let who = client.login().await?;
    let valid = who.valid_for.map(duration).unwrap_or_default();
    step(
        0,
        "log in",
        &format!("as {ACCOUNT}, access token valid {valid}"),
    );

    let created = client
        .create_meeting(&NewMeeting::new("Board review").lasts(Duration::from_secs(3600)))
        .await?;
    let id = created.id.clone();
    step(
        1,
        "schedule a meeting",
        &format!("{id}, with its host and guest passwords (not shown)"),
    );
    // The simulator's admin API stands in for people joining from their devices.
    let joined = [
        ParticipantSeed::client("3f0c1a7e9d2b4c6a8e1f0a2b3c4d5e6f", "Host (desk)").host(),
        ParticipantSeed::terminal("6a1acfe867f211eaa1cd59f41ff47e04", "Board room TE50"),
        ParticipantSeed::client("f131536e21ff11eab12735e1cddf6d01", "Alice (laptop)"),
    ]
    .into_iter()
    .all(|p| sim.join(&id, p));
    if !joined {
        return Err(Failure::Usage("the participants could not join".into()));
    }
    let meeting = created.conference();
    let view = |sim: &SimHandle| -> Result<ConferenceView, Failure> {
        sim.conference(&id)
            .ok_or_else(|| Failure::Usage("the meeting vanished".into()))
    };

    let token = meeting.control_token_info().await?;
    let valid = token.valid_for.map(duration).unwrap_or_default();
    // Everything that follows is also watched, as events, over the meeting's WebSocket.
    let watcher = tokio::spawn(story(meeting.events().await?));
    step(
        2,
        "control token",
        &format!(
            "role {}, valid {valid} (kept alive automatically); watching the meeting's events",
            token.role
        ),
    );

    // The IDs every later step uses come from here, not from constants.
    let live = meeting.live().await?;
    let names: Vec<String> = live
        .participants
        .iter()
        .map(|p| format!("{} ({})", p.name.as_deref().unwrap_or("?"), p.id))
        .collect();
    step(3, "who is in the meeting", &names.join(", "));
    // The host speaks: the board room is to show them.
    let (Some(room), Some(speaker)) = (live.named("Board room TE50"), live.host()) else {
        return Err(Failure::Usage("the participants are missing".into()));
    };

    meeting.lock().await?;
    // Recorded from here to the end: stopping the meeting stops the recording.
    meeting.start_recording().await?;
    let now = view(&sim)?;
    step(
        4,
        "lock, record",
        &format!(
            "simulator: the meeting is {}; {}",
            if now.locked {
                "locked"
            } else {
                "still unlocked"
            },
            if now.broadcasting.recording == meeting_sim::RecordingState::On {
                "recording"
            } else {
                "not recording"
            }
        ),
    );

    meeting
        .update_settings(
            &SettingsUpdate::new()
                .lock_sharing(true)
                .call_in(CallInRestriction::EnterpriseUsers),
        )
        .await?;
    let settings = view(&sim)?.settings;
    let sharing = match settings.lock_sharing {
        1 => "only the host shares",
        _ => "anyone shares",
    };
    let who = match settings.call_in_restriction {
        0 => "everyone may join",
        2 => "only the enterprise's users may join",
        3 => "only invited users may join",
        _ => "who may join is unknown",
    };
    step(
        5,
        "lock sharing, call-in",
        &format!("simulator: {sharing}; {who}"),
    );

    meeting
        .participant(&room.id)
        .lock_video_to(&speaker.id)
        .await?;
    let locked_to = view(&sim)?
        .participants
        .into_iter()
        .find(|p| p.id == room.id)
        .and_then(|p| p.view_locked_to)
        .unwrap_or_default();
    step(
        6,
        "room video to speaker",
        &format!("simulator: the room's view is locked to the host, {locked_to}"),
    );

    meeting.mute_all(true).await?;
    let muted = view(&sim)?.participants.iter().filter(|p| p.muted).count();
    step(
        7,
        "mute all but the host",
        &format!("simulator: {muted} participants muted"),
    );

    // The host hands the host role to the board room, which takes it with the host
    // password.
    let password = created
        .expose_host_password()
        .ok_or_else(|| Failure::Usage("the meeting came without a host password".into()))?;
    meeting.participant(&speaker.id).release_host().await?;
    meeting.participant(&room.id).make_host(password).await?;
    let host = meeting.live().await?.host().and_then(|p| p.name.clone());
    step(
        8,
        "host to the board room",
        &format!("now held by {}", host.as_deref().unwrap_or("nobody")),
    );

    let Some(alice) = live.named("Alice (laptop)") else {
        return Err(Failure::Usage("Alice is missing".into()));
    };
    meeting.participant(&alice.id).raise_hand().await?;
    let raised = meeting
        .live()
        .await?
        .named("Alice (laptop)")
        .and_then(|p| p.hand_raised);
    meeting.participant(&alice.id).lower_hand().await?;
    let lowered = meeting
        .live()
        .await?
        .named("Alice (laptop)")
        .and_then(|p| p.hand_raised);
    step(
        9,
        "Alice's hand up, down",
        &format!(
            "hand {} then {}",
            if raised == Some(true) {
                "raised"
            } else {
                "not raised"
            },
            if lowered == Some(false) {
                "down"
            } else {
                "still up"
            }
        ),
    );

    // A late guest knocks: the simulator's admin API puts them in the waiting room.
    if !sim.wait(
        &id,
        ParticipantSeed::client("0d1e2f3a4b5c6d7e8f90a1b2c3d4e5f6", "Dave (late)"),
    ) {
        return Err(Failure::Usage("the late guest could not wait".into()));
    }
    let waiting = view(&sim)?.waiting.len();
    meeting
        .participant("0d1e2f3a4b5c6d7e8f90a1b2c3d4e5f6")
        .admit()
        .await?;
    let dave = meeting.live().await?.named("Dave (late)").is_some();
    step(
        10,
        "admit from waiting room",
        &format!(
            "{waiting} waiting; Dave {}",
            if dave {
                "is in the meeting"
            } else {
                "is still outside"
            }
        ),
    );

    meeting
        .invite(&[Invitee::phone("+8613800000000").name("Carol")])
        .await?;
    let carol = meeting.live().await?.named("Carol").cloned();
    let Some(carol) = carol else {
        return Err(Failure::Usage(
            "the invited participant did not join".into(),
        ));
    };
    step(11, "invite Carol", &format!("joined as {}", carol.id));

    meeting.participant(&carol.id).hang_up().await?;
    let left = view(&sim)?.participants.len();
    step(
        12,
        "hang up Carol",
        &format!("simulator: {left} participants left"),
    );

    meeting.prolong(30).await?;
    step(
        13,
        "prolong by 30 minutes",
        &format!("simulator: lasts {} minutes", view(&sim)?.length_minutes),
    );

    meeting.stop().await?;
    step(
        14,
        "stop the meeting",
        &format!(
            "simulator: the meeting is {}, its recording {}",
            view(&sim)?.state,
            if view(&sim)?.broadcasting.recording_stopped_ms.is_some() {
                "stopped with it"
            } else {
                "never stopped"
            }
        ),
    );

    let seen = tokio::time::timeout(Duration::from_secs(10), watcher)
        .await
        .map_err(|_| Failure::Usage("the event stream did not see the meeting end".into()))?
        .map_err(|e| Failure::Usage(format!("the event stream's task failed: {e}")))??;
    println!("\n    what the event stream saw meanwhile:");
    for line in seen {
        println!("      {line}");
    }
    println!();

    client.conference(SCHEDULED).cancel().await?;
    let state = sim
        .conference(SCHEDULED)
        .map_or_else(|| "gone".to_owned(), |c| c.state.to_string());
    step(
        15,
        "cancel the scheduled one",
        &format!("simulator: the meeting is {state}"),
    );

    match meeting.lock().await {
        Err(e) => step(
            16,
            "lock after the end",
            &format!("refused, as it should be: {e}"),
        ),
        Ok(()) => return Err(Failure::Usage("the ended meeting accepted a lock".into())),
    }

    let c = sim.counters();
    println!("\nsimulator counters:");
    for (operation, count) in &c.requests {
        println!("  {operation:<26} {count} request(s)");
    }
    let errors = if c.errors.is_empty() {
        "none".to_owned()
    } else {
        c.errors
            .iter()
            .map(|(code, n)| format!("{code} ({n})"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    println!(
        "  logins {}, control-token grants {}, keep-alives {}, errors answered: {errors}",
        c.logins(),
        c.control_token_grants,
        c.control_token_keepalives,
    );
    // Longer than the simulator's own 5 s for open requests: past it, it is stuck.
    tokio::time::timeout(Duration::from_secs(10), sim.shutdown())
        .await
        .map_err(|_| Failure::Usage("the simulator did not stop".into()))?;
    Ok(())
}
