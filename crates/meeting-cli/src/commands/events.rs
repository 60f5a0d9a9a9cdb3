//! A meeting's live events: `meeting watch`, as a view redrawn in place on a terminal,
//! one line per event otherwise, or one JSON object per event with --json.

use std::fmt::Write as _;
use std::io::{IsTerminal, Write};
use std::time::Duration;

use clap::Args;
use futures_util::StreamExt;
use meeting::events::{
    Event, EventKind, EventStream, Snapshot, describe, participant_name, participant_role,
    status_summary, yes_no,
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
    /// How long to keep reconnecting once the connection is lost, e.g. `10m` (default
    /// 5 min); then exit 3. The waits between attempts double up to 30 s.
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration, conflicts_with = "all")]
    reconnect_for: Option<Duration>,
    #[command(flatten)]
    fleet: super::fleet::FleetArgs,
    #[command(flatten)]
    metrics: crate::observe::MetricsArgs,
}

/// How long a terminal view gathers events before it redraws.
const REDRAW: Duration = Duration::from_millis(100);

impl Watch {
    /// Runs until the meeting ends, the stream fails, or Ctrl-C.
    pub async fn watch(self, global: &Global) -> Result<(), Failure> {
        let metrics = self.metrics.start().await?;
        if self.fleet.all {
            return self
                .fleet
                .run(&self.endpoint, &self.login, metrics, global)
                .await;
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
        if let Some(window) = self.reconnect_for {
            builder = builder.reconnect_for(window);
        }
        let started = tokio::select! {
            started = builder.start() => started?,
            _ = tokio::signal::ctrl_c() => return Err(Failure::Interrupted),
        };
        if let Some(metrics) = metrics {
            let health = started.health();
            metrics.serve(std::sync::Arc::new(move || health.check()))?;
        }
        let view = !global.json && std::io::stdout().is_terminal();
        let mut out = Output {
            json: global.json,
            view,
        };
        let result = out.run(started).await;
        if view {
            // Leave the last view on screen, and the cursor below it.
            let _ = writeln!(std::io::stdout());
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
                            last = describe(&event, events.snapshot());
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
                    say!("error: cannot write an event as JSON: {e}");
                    return;
                }
            }
        } else {
            describe(event, snapshot)
        };
        let mut stdout = std::io::stdout().lock();
        let _ = writeln!(stdout, "{text}");
        let _ = stdout.flush();
    }
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
        let _ = writeln!(screen, "{}", status_summary(status));
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
            truncate(&participant_name(p), 32),
            participant_role(p),
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

fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_owned()
    } else {
        let mut cut: String = text.chars().take(width - 1).collect();
        cut.push('…');
        cut
    }
}

/// This family's commands, flattened into the top-level command: adding one is a
/// variant here and its arm in [`Commands::run`], which the compiler holds together.
#[derive(Debug, clap::Subcommand)]
pub enum Commands {
    Watch(Watch),
}

impl Commands {
    /// Runs the command and prints what it answers.
    pub(super) async fn run(
        self,
        global: &crate::args::Global,
    ) -> Result<(), crate::output::Failure> {
        match self {
            Self::Watch(c) => c.watch(global).await?,
        }
        Ok(())
    }
}
