//! A past meeting: each stay of its attendees, printed as the pages arrive.

use clap::Args;
use futures_util::TryStreamExt;
use meeting::PastMeeting;
use serde_json::json;

use crate::args::{Connection, Global};
use crate::connect::{client, credentials};
use crate::output::{Failure, line};

/// Each stay in a meeting that ended: who, when they joined and when they left.
#[derive(Debug, Args)]
pub struct Attendance {
    /// The meeting's UUID, or its conference ID if it ended once.
    meeting: String,
    /// Only those whose name or number contains TEXT.
    #[arg(long, value_name = "TEXT")]
    search: Option<String>,
    /// The time zone of the times printed: an IANA name (default UTC).
    #[arg(long, value_name = "ZONE")]
    time_zone: Option<String>,
    #[command(flatten)]
    connection: Connection,
}

/// Whether a meeting argument is a UUID (32 hex digits) rather than a conference ID.
pub(super) fn is_uuid(meeting: &str) -> bool {
    meeting.len() == 32 && meeting.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Runs of one ID listed at most when asking which one was meant.
const RUNS_LISTED: usize = 20;

/// The past meeting `meeting` names: a UUID as it is, a conference ID as its one ended
/// run. An ID that ended more than once (a series' occurrences) is ambiguous: the
/// runs are listed (newest first) in the usage error, which exits 2, to be named by
/// UUID.
pub(super) async fn past_meeting(
    client: &meeting::Client,
    meeting: &str,
) -> Result<PastMeeting, Failure> {
    if is_uuid(meeting) {
        return Ok(client.past_meeting(meeting));
    }
    let mut found = client
        .past_meetings()
        .all_users()
        .matching(meeting)
        .newest_first()
        .list()?;
    let mut runs = Vec::new();
    while let Some(run) = found.try_next().await? {
        if run.id == meeting && run.uuid.is_some() {
            runs.push(run);
            if runs.len() > RUNS_LISTED {
                break;
            }
        }
    }
    let uuid = |run: &meeting::MeetingDetails| run.uuid.clone().unwrap_or_default();
    match runs.as_slice() {
        [] => Err(Failure::Usage(format!(
            "no meeting {} has ended",
            meeting::printable(meeting)
        ))),
        [one] => Ok(client.past_meeting(uuid(one))),
        several => {
            let mut message = format!(
                "meeting {} ended {} times; name one by its UUID:",
                meeting::printable(meeting),
                if several.len() > RUNS_LISTED {
                    format!("more than {RUNS_LISTED}")
                } else {
                    several.len().to_string()
                }
            );
            for run in several.iter().take(RUNS_LISTED) {
                let field = |v: &Option<String>| meeting::printable(v.as_deref().unwrap_or("-"));
                message.push_str(&format!(
                    "\n  {}  {} to {}",
                    meeting::printable(&uuid(run)),
                    field(&run.start_time),
                    field(&run.end_time)
                ));
            }
            Err(Failure::Usage(message))
        }
    }
}

/// `ms` as a time in `zone`, to the second.
pub(super) fn time(ms: Option<i64>, zone: &jiff::tz::TimeZone) -> String {
    ms.and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok())
        .map(|t| {
            t.to_zoned(zone.clone())
                .strftime("%Y-%m-%d %H:%M:%S")
                .to_string()
        })
        .unwrap_or_else(|| "-".to_owned())
}

/// The time zone `name` names (UTC by default).
pub(super) fn zone(name: Option<&str>) -> Result<jiff::tz::TimeZone, Failure> {
    match name {
        None => Ok(jiff::tz::TimeZone::UTC),
        Some(name) => jiff::tz::TimeZone::get(name).map_err(|_| {
            Failure::Usage(format!(
                "{} is not a time zone (an IANA name)",
                meeting::printable(name)
            ))
        }),
    }
}

/// Print the control actions taken in a past meeting, in order: when, who, what, on
/// whom, how it ended.
#[derive(Debug, Args)]
pub struct Audit {
    /// The meeting's UUID, or its conference ID if it ended once.
    meeting: String,
    /// The time zone of the times printed: an IANA name (default UTC).
    #[arg(long, value_name = "ZONE")]
    time_zone: Option<String>,
    #[command(flatten)]
    connection: Connection,
}

impl Audit {
    /// Lists the control records, printing each as its page arrives.
    pub async fn run(self, global: &Global) -> Result<(), Failure> {
        let zone = zone(self.time_zone.as_deref())?;
        let login = Some(credentials(&self.connection.login)?);
        let client = client(&self.connection.endpoint, global, login)?;
        let mut records = past_meeting(&client, &self.meeting)
            .await?
            .control_records()?;
        let mut out = std::io::stdout().lock();
        while let Some(r) = records.try_next().await? {
            let text = if global.json {
                json!({"at_ms": r.at_ms, "operator": r.operator, "action": r.action,
                       "object": r.object, "result": r.result, "source": r.source})
                .to_string()
            } else {
                let field = |v: &Option<String>| meeting::printable(v.as_deref().unwrap_or("-"));
                format!(
                    "{:<19}  {:<16} {:<28} {:<32} {}",
                    time(r.at_ms, &zone),
                    field(&r.operator),
                    field(&r.action),
                    field(&r.object),
                    field(&r.result)
                )
            };
            if !line(&mut out, &text)? {
                break;
            }
        }
        Ok(())
    }
}

impl Attendance {
    /// Lists the stays, printing each as its page arrives.
    pub async fn run(self, global: &Global) -> Result<(), Failure> {
        let zone = zone(self.time_zone.as_deref())?;
        let login = Some(credentials(&self.connection.login)?);
        let client = client(&self.connection.endpoint, global, login)?;
        let mut stays = past_meeting(&client, &self.meeting)
            .await?
            .attendance(self.search.as_deref())?;
        let mut out = std::io::stdout().lock();
        while let Some(r) = stays.try_next().await? {
            let text = if global.json {
                json!({"name": r.name, "number": r.number, "device": r.device,
                       "joined_at_ms": r.joined_at_ms, "left_at_ms": r.left_at_ms})
                .to_string()
            } else {
                format!(
                    "{:<19}  {:<19}  {:<24} {}",
                    time(r.joined_at_ms, &zone),
                    time(r.left_at_ms, &zone),
                    meeting::printable(r.name.as_deref().unwrap_or("-")),
                    meeting::printable(r.number.as_deref().unwrap_or("-"))
                )
            };
            if !line(&mut out, &text)? {
                break;
            }
        }
        Ok(())
    }
}

/// This family's commands, flattened into the top-level command: adding one is a
/// variant here and its arm in [`Commands::run`], which the compiler holds together.
#[derive(Debug, clap::Subcommand)]
pub enum Commands {
    Attendance(Attendance),
    Audit(Audit),
}

impl Commands {
    /// Runs the command and prints what it answers.
    pub(super) async fn run(
        self,
        global: &crate::args::Global,
    ) -> Result<(), crate::output::Failure> {
        match self {
            Self::Attendance(c) => c.run(global).await?,
            Self::Audit(c) => c.run(global).await?,
        }
        Ok(())
    }
}
