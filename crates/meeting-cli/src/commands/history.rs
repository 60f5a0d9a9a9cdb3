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
    /// The conference ID (its latest run) or the meeting's UUID.
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

/// The past meeting `meeting` names: a UUID as it is, a conference ID as its latest run.
pub(super) async fn past_meeting(
    client: &meeting::Client,
    meeting: &str,
) -> Result<PastMeeting, Failure> {
    if is_uuid(meeting) {
        return Ok(client.past_meeting(meeting));
    }
    let mut runs = client
        .past_meetings()
        .all_users()
        .matching(meeting)
        .newest_first()
        .list()?;
    while let Some(run) = runs.try_next().await? {
        if let (true, Some(uuid)) = (run.id == meeting, run.uuid) {
            return Ok(client.past_meeting(uuid));
        }
    }
    Err(Failure::Usage(format!(
        "no meeting {} has ended",
        meeting::printable(meeting)
    )))
}

/// `ms` as a time in `zone`, to the second.
fn time(ms: Option<i64>, zone: &jiff::tz::TimeZone) -> String {
    ms.and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok())
        .map(|t| {
            t.to_zoned(zone.clone())
                .strftime("%Y-%m-%d %H:%M:%S")
                .to_string()
        })
        .unwrap_or_else(|| "-".to_owned())
}

/// The time zone `name` names (UTC by default).
fn zone(name: Option<&str>) -> Result<jiff::tz::TimeZone, Failure> {
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
    /// The conference ID (its latest run) or the meeting's UUID.
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
