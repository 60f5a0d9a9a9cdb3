//! A meeting's live events: `meeting watch`, as a view redrawn in place on a terminal,
//! one line per event otherwise, or one JSON object per event with --json.

use std::fmt::Write as _;
use std::io::{IsTerminal, Write};
use std::time::Duration;

use clap::Args;
use futures_util::StreamExt;
use meeting::events::{
    Event, EventKind, EventStream, MeetingStatus, ParticipantField, ParticipantInfo,
    ParticipantRole, Phase, ResyncCause, Snapshot, StatusField,
};
use meeting::printable;
use meeting_api::operations::CREATE_WEB_SOCKET_TOKEN;

use super::Family;
use crate::args::{Endpoint, Global, HostPassword, Login, Target};
use crate::connect::conference;
use crate::output::Failure;

/// This family in the help: each command and the operations of the spec it sends.
pub(super) const FAMILY: Family = Family {
    heading: "Live events",
    commands: &[("watch", &[&CREATE_WEB_SOCKET_TOKEN])],
};

/// Watch a meeting's live events until it ends, or every meeting as a fleet replica
///
/// A live view on a terminal (the meeting's state on top, a row per participant), one
/// line per event otherwise, one JSON object per event with --json. Exits 0 when the
/// meeting ends, 1 when the service refuses, 3 when the connection could not be
/// restored, 130 on Ctrl-C.
///
/// With --all --publish redis://…: one replica of a fleet watching every ongoing
/// meeting of the enterprise (an administrator's login lists them), leases and the
/// event stream in that Redis; a line per meeting claimed and released; a clean stop
/// (leases given back) on Ctrl-C or SIGTERM.
#[derive(Debug, Args)]
pub struct Watch {
    /// The conference ID (not with --all).
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    conference: Option<String>,
    #[command(flatten)]
    host_password: HostPassword,
    #[command(flatten)]
    endpoint: Endpoint,
    #[command(flatten)]
    login: Login,
    /// Wait for a meeting that has not started yet (asking every 5 s).
    #[arg(long, conflicts_with = "all")]
    wait: bool,
    #[command(flatten)]
    fleet: super::fleet::FleetArgs,
}

/// How long a terminal view gathers events before it redraws.
const REDRAW: Duration = Duration::from_millis(100);

impl Watch {
    /// Runs until the meeting ends, the stream fails, or Ctrl-C.
    pub async fn watch(self, global: &Global) -> Result<(), Failure> {
        if self.fleet.all {
            return self.fleet.run(&self.endpoint, &self.login, global).await;
        }
        let target = Target {
            conference: self.conference.unwrap_or_default(),
            host_password: self.host_password,
            endpoint: self.endpoint,
            login: self.login,
        };
        let meeting = conference(&target, global)?;
        let mut builder = meeting.events();
        if self.wait {
            builder = builder.wait_for_start(meeting::events::DEFAULT_WAIT_POLL);
        }
        let started = tokio::select! {
            started = builder.start() => started?,
            _ = tokio::signal::ctrl_c() => return Err(Failure::Interrupted),
        };
        let view = !global.json && std::io::stdout().is_terminal();
        let mut out = Output {
            json: global.json,
            view,
        };
        let result = out.run(started).await;
        if view {
            // Leave the last view on screen, and the cursor below it.
            println!();
        }
        result
    }
}

struct Output {
    json: bool,
    view: bool,
}

impl Output {
    async fn run(&mut self, mut events: EventStream) -> Result<(), Failure> {
        let mut redraw = tokio::time::interval(REDRAW);
        let mut dirty = true;
        let mut last = String::new();
        let interrupted = tokio::signal::ctrl_c();
        tokio::pin!(interrupted);
        loop {
            tokio::select! {
                next = events.next() => match next {
                    Some(Ok(event)) => {
                        let ended = event.kind == EventKind::Ended;
                        if self.view {
                            last = line(&event, events.snapshot());
                            dirty = true;
                        } else {
                            self.print(&event, events.snapshot());
                        }
                        if ended {
                            if self.view {
                                draw(events.snapshot(), &last);
                            }
                            return Ok(());
                        }
                    }
                    Some(Err(error)) => return Err(error.into()),
                    None => return Ok(()),
                },
                _ = redraw.tick(), if self.view && dirty => {
                    draw(events.snapshot(), &last);
                    dirty = false;
                }
                // Dropping the stream closes the socket.
                _ = &mut interrupted => return Err(Failure::Interrupted),
            }
        }
    }

    fn print(&self, event: &Event, snapshot: &Snapshot) {
        let text = if self.json {
            match serde_json::to_string(event) {
                Ok(json) => json,
                Err(e) => {
                    eprintln!("error: cannot write an event as JSON: {e}");
                    return;
                }
            }
        } else {
            line(event, snapshot)
        };
        let mut stdout = std::io::stdout().lock();
        let _ = writeln!(stdout, "{text}");
        let _ = stdout.flush();
    }
}

/// Every event of `events` in words, until the meeting ends (`meeting demo`).
pub async fn collect(mut events: EventStream) -> Result<Vec<String>, Failure> {
    let mut seen = Vec::new();
    while let Some(event) = events.next().await {
        let event = event?;
        seen.push(line(&event, events.snapshot()));
        if event.kind == EventKind::Ended {
            break;
        }
    }
    Ok(seen)
}

/// Redraws the terminal: the meeting on top, a row per participant, the last event.
fn draw(snapshot: &Snapshot, last: &str) {
    let mut screen = String::from("\x1b[H\x1b[2J");
    let title = snapshot
        .info
        .as_ref()
        .and_then(|i| i.title.as_deref())
        .map(printable)
        .unwrap_or_default();
    let _ = writeln!(screen, "{title}");
    if let Some(status) = &snapshot.status {
        let _ = writeln!(screen, "{}", status_line(status));
    }
    let _ = writeln!(
        screen,
        "\n{:<32} {:<12} {:<6} {:<5} SPEAKING",
        "PARTICIPANT", "ROLE", "MUTED", "HAND"
    );
    for p in snapshot.participants.values() {
        let speaking = snapshot
            .speakers
            .iter()
            .find(|s| s.id == p.id)
            .map(|s| s.volume.map_or_else(|| "yes".to_owned(), |v| v.to_string()))
            .unwrap_or_default();
        let _ = writeln!(
            screen,
            "{:<32} {:<12} {:<6} {:<5} {speaking}",
            truncate(&name(p), 32),
            role(p),
            yes_no(p.muted),
            if p.hand_raised == Some(true) {
                "up"
            } else {
                ""
            },
        );
    }
    if !snapshot.waiting.is_empty() {
        let _ = writeln!(screen, "\nwaiting room: {}", snapshot.waiting.len());
    }
    let _ = write!(screen, "\n{last}");
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(screen.as_bytes());
    let _ = stdout.flush();
}

/// One event in words.
fn line(event: &Event, snapshot: &Snapshot) -> String {
    let meeting = &event.meeting;
    match &event.kind {
        EventKind::Connected { resumed: false } => format!("watching meeting {meeting}"),
        EventKind::Connected { resumed: true } => format!("reconnected to meeting {meeting}"),
        EventKind::Reconnecting { reason, attempt } => {
            format!("connection lost ({reason}); reconnecting, attempt {attempt}")
        }
        EventKind::Resynced { cause } => match cause {
            ResyncCause::Subscribed => "-- the meeting as it is now --",
            ResyncCause::Reconnected => "-- what changed while disconnected --",
            ResyncCause::Gap => "-- what changed in messages that were lost --",
            ResyncCause::Lagged => "-- what changed in the events missed --",
            _ => "-- what changed --",
        }
        .to_owned(),
        EventKind::Lagged { skipped } => {
            format!("{skipped} events were missed (reading too slowly); resynchronizing")
        }
        EventKind::Info { info } => format!(
            "meeting {meeting}: {:?}, scheduled by {}",
            printable(info.title.as_deref().unwrap_or("")),
            printable(info.owner.as_deref().unwrap_or("?"))
        ),
        // A new phase (the first status among them): the whole state.
        EventKind::Status { status, changed } if changed.contains(&StatusField::Phase) => {
            format!("meeting {meeting}: {}", status_line(status))
        }
        EventKind::Status { status, changed } => {
            let what: Vec<String> = changed.iter().map(|f| status_field(status, *f)).collect();
            format!("meeting {meeting}: {}", what.join(", "))
        }
        EventKind::ParticipantJoined { participant } => {
            format!("+ {} joined ({})", name(participant), role(participant))
        }
        EventKind::ParticipantChanged {
            participant,
            changed,
        } => {
            let what: Vec<String> = changed
                .iter()
                .map(|f| participant_field(participant, *f))
                .collect();
            format!("~ {}: {}", name(participant), what.join(", "))
        }
        EventKind::ParticipantLeft { participant } => format!("- {} left", name(participant)),
        EventKind::SpeakersChanged { speakers } if speakers.is_empty() => {
            "nobody is speaking".to_owned()
        }
        EventKind::SpeakersChanged { speakers } => {
            let who: Vec<String> = speakers
                .iter()
                .map(|s| {
                    snapshot
                        .participants
                        .get(&s.id)
                        .map(name)
                        .or_else(|| s.name.as_deref().map(printable))
                        .unwrap_or_else(|| printable(&s.id))
                })
                .collect();
            format!("speaking: {}", who.join(", "))
        }
        EventKind::InviteResult { result } => format!(
            "call to {}: {}",
            printable(result.number.as_deref().unwrap_or("?")),
            result
                .describe()
                .map(str::to_owned)
                .unwrap_or_else(|| format!(
                    "code {}",
                    printable(result.code.as_deref().unwrap_or("?"))
                ))
        ),
        EventKind::WaitingJoined { participant } => format!(
            "waiting room: + {}",
            printable(participant.name.as_deref().unwrap_or(&participant.id))
        ),
        EventKind::WaitingChanged { participant } => format!(
            "waiting room: ~ {}{}",
            printable(participant.name.as_deref().unwrap_or(&participant.id)),
            if participant.admitted == Some(true) {
                " admitted"
            } else {
                ""
            }
        ),
        EventKind::WaitingLeft { participant } => format!(
            "waiting room: - {}",
            printable(participant.name.as_deref().unwrap_or(&participant.id))
        ),
        EventKind::Unknown { action, .. } => {
            format!("a {} notification (not decoded)", printable(action))
        }
        EventKind::Ended => format!("meeting {meeting} ended"),
        // A kind added after this version of the tool.
        _ => "an event this version does not describe".to_owned(),
    }
}

fn phase(phase: Option<&Phase>) -> String {
    match phase {
        Some(Phase::InProgress) => "in progress".to_owned(),
        Some(Phase::Scheduled) => "scheduled".to_owned(),
        Some(Phase::Ended) => "ended".to_owned(),
        Some(Phase::Other(other)) => printable(other),
        _ => "state unknown".to_owned(),
    }
}

fn status_line(status: &MeetingStatus) -> String {
    let mut parts = vec![phase(status.phase.as_ref())];
    for (on, word) in [
        (status.locked, "locked"),
        (status.muted, "everyone muted"),
        (status.sharing_locked, "sharing locked"),
        (status.recording, "recording"),
        (status.paused, "paused"),
    ] {
        if on == Some(true) {
            parts.push(word.to_owned());
        }
    }
    parts.join(" · ")
}

fn status_field(status: &MeetingStatus, field: StatusField) -> String {
    let flag = |name: &str, on: Option<bool>| format!("{name} {}", yes_no(on));
    match field {
        StatusField::Phase => phase(status.phase.as_ref()),
        StatusField::Locked => flag("locked", status.locked),
        StatusField::Muted => flag("everyone muted", status.muted),
        StatusField::CanUnmute => flag("may unmute", status.can_unmute),
        StatusField::SharingLocked => flag("sharing locked", status.sharing_locked),
        StatusField::Recording => flag("recording", status.recording),
        StatusField::Mode => format!(
            "mode {}",
            printable(status.mode.as_deref().unwrap_or("unknown"))
        ),
        StatusField::EndTime => "end time moved".to_owned(),
        StatusField::ChatForbidden => flag("chat forbidden", status.chat_forbidden),
        StatusField::Paused => flag("paused", status.paused),
        _ => "changed".to_owned(),
    }
}

fn participant_field(p: &ParticipantInfo, field: ParticipantField) -> String {
    let flag = |name: &str, on: Option<bool>| format!("{name} {}", yes_no(on));
    match field {
        ParticipantField::Name => format!("renamed to {}", name(p)),
        ParticipantField::Role => format!("now {}", role(p)),
        ParticipantField::Muted => flag("muted", p.muted),
        ParticipantField::HandRaised => flag("hand raised", p.hand_raised),
        ParticipantField::Sharing => flag("sharing", p.sharing),
        ParticipantField::Broadcast => flag("broadcast", p.broadcast),
        ParticipantField::RollCall => flag("called on", p.roll_call),
        ParticipantField::CoHost => flag("co-host", p.co_host),
        ParticipantField::CameraOn => flag("camera on", p.camera_on),
        ParticipantField::Video => flag("video", p.video),
        ParticipantField::State => "state changed".to_owned(),
        _ => "details changed".to_owned(),
    }
}

fn name(p: &ParticipantInfo) -> String {
    printable(p.name.as_deref().filter(|n| !n.is_empty()).unwrap_or(&p.id))
}

fn role(p: &ParticipantInfo) -> String {
    match &p.role {
        Some(ParticipantRole::Host) => "host".to_owned(),
        Some(ParticipantRole::Audience) => "audience".to_owned(),
        Some(ParticipantRole::Other(other)) => format!("role {}", printable(other)),
        _ if p.co_host == Some(true) => "co-host".to_owned(),
        _ => "participant".to_owned(),
    }
}

fn yes_no(on: Option<bool>) -> &'static str {
    match on {
        Some(true) => "yes",
        Some(false) => "no",
        None => "?",
    }
}

fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_owned()
    } else {
        let mut cut: String = text.chars().take(width - 1).collect();
        cut.push('…');
        cut
    }
}
