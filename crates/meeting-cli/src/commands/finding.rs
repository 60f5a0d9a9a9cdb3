//! Finding meetings: list the scheduled, running and past meetings, the attendees and
//! attendance, and recordings, printed as the pages arrive.

use std::io::Write;

use clap::{Args, ValueEnum};
use futures_util::TryStreamExt;
use meeting::{MeetingDetails, MeetingState, PastMeeting, Within};
use meeting_api::operations::{
    DELETE_RECORDINGS, SEARCH_ATTENDANCE_RECORDS_OF_HIS_MEETING, SEARCH_HIS_MEETINGS,
    SEARCH_MEETINGS, SEARCH_ONLINE_MEETINGS, SEARCH_RECORDINGS, SHOW_HIS_MEETING_DETAIL,
    SHOW_ONLINE_MEETING_DETAIL, SHOW_RECORDING_DETAIL, SHOW_RECORDING_FILE_DOWNLOAD_URLS,
};
use serde_json::json;

use super::Family;
use crate::args::{Connection, Global};
use crate::connect::{client, credentials};
use crate::output::{Failure, emit};

/// This family in the help: each command and the operations of the spec it sends.
pub(super) const FAMILY: Family = Family {
    heading: "Finding meetings",
    commands: &[
        (
            "list",
            &[
                &SEARCH_MEETINGS,
                &SEARCH_ONLINE_MEETINGS,
                &SEARCH_HIS_MEETINGS,
            ],
        ),
        (
            "attendees",
            &[&SHOW_ONLINE_MEETING_DETAIL, &SHOW_HIS_MEETING_DETAIL],
        ),
        (
            "attendance",
            &[
                &SEARCH_HIS_MEETINGS,
                &SEARCH_ATTENDANCE_RECORDS_OF_HIS_MEETING,
            ],
        ),
        (
            "recordings",
            &[
                &SEARCH_RECORDINGS,
                &SHOW_RECORDING_DETAIL,
                &SHOW_RECORDING_FILE_DOWNLOAD_URLS,
                &DELETE_RECORDINGS,
            ],
        ),
    ],
};

/// List meetings not over (--ongoing: the running ones; --history: past ones), a page at
/// a time as they are printed.
#[derive(Debug, Args)]
pub struct List {
    /// Only the meetings in progress.
    #[arg(long, conflicts_with = "history")]
    ongoing: bool,
    /// The meetings that ended (with --from and --to: those that started on those days).
    #[arg(long)]
    history: bool,
    /// The first day, YYYY-MM-DD (with --history).
    #[arg(long, value_name = "DATE", requires_all = ["history", "to"])]
    from: Option<String>,
    /// The last day, YYYY-MM-DD, included (with --history).
    #[arg(long, value_name = "DATE", requires_all = ["history", "from"])]
    to: Option<String>,
    /// The time zone of the dates and of the times printed: an IANA name (default UTC).
    #[arg(long, value_name = "ZONE")]
    time_zone: Option<String>,
    /// Only those whose subject, organizer or ID contains TEXT.
    #[arg(long, value_name = "TEXT")]
    search: Option<String>,
    /// Every user's meetings (administrators).
    #[arg(long)]
    all_users: bool,
    /// Only those starting within a day, a week or a month.
    #[arg(long, value_enum, conflicts_with_all = ["ongoing", "history"])]
    within: Option<Span>,
    /// Latest start first.
    #[arg(long, conflicts_with = "ongoing")]
    newest_first: bool,
    /// At most N meetings.
    #[arg(long, value_name = "N")]
    limit: Option<usize>,
    /// Meetings per request (1 to 500).
    #[arg(long, value_name = "N", default_value_t = meeting::DEFAULT_PAGE_SIZE)]
    page_size: u32,
    #[command(flatten)]
    connection: Connection,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Span {
    Day,
    Week,
    Month,
}

/// List the attendees of a running meeting (--past: of one that ended).
#[derive(Debug, Args)]
pub struct Attendees {
    /// The conference ID (with --past, also a meeting UUID).
    conference: String,
    /// A meeting that ended: its latest run with this ID, or the one with this UUID.
    #[arg(long)]
    past: bool,
    /// Only those whose name or number contains TEXT.
    #[arg(long, value_name = "TEXT")]
    search: Option<String>,
    #[command(flatten)]
    connection: Connection,
}

fn state(state: &MeetingState) -> &'static str {
    match state {
        MeetingState::Scheduled => "scheduled",
        MeetingState::Starting => "starting",
        MeetingState::InProgress => "in progress",
        MeetingState::Over => "over",
        _ => "unknown",
    }
}

/// Prints one line (a meeting, an attendee); a closed pipe (`| head`) ends the listing.
fn line(out: &mut impl Write, text: &str) -> Result<bool, Failure> {
    match writeln!(out, "{text}").and_then(|()| out.flush()) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(false),
        Err(e) => Err(Failure::Usage(format!("cannot write the list: {e}"))),
    }
}

fn meeting_line(m: &MeetingDetails, json: bool) -> String {
    if json {
        return json!({
            "conference": m.id,
            "uuid": m.uuid,
            "subject": m.subject,
            "state": state(&m.state),
            "start_time": m.start_time,
            "end_time": m.end_time,
            "organizer": m.organizer,
        })
        .to_string();
    }
    let field = |v: &Option<String>| meeting::printable(v.as_deref().unwrap_or("-"));
    format!(
        "{:<11} {:<16} {:<11} {:<16} {}",
        meeting::printable(&m.id),
        field(&m.start_time),
        state(&m.state),
        field(&m.organizer),
        field(&m.subject)
    )
}

impl List {
    /// Lists the meetings, printing each as its page arrives.
    pub async fn run(self, global: &Global) -> Result<(), Failure> {
        let login = Some(credentials(&self.connection.login)?);
        let client = client(&self.connection.endpoint, global, login)?;
        let mut search = if self.ongoing {
            client.ongoing_meetings()
        } else if self.history {
            client.past_meetings()
        } else {
            client.meetings()
        }
        .page_size(self.page_size);
        if let (Some(from), Some(to)) = (&self.from, &self.to) {
            search = search.between(from, to);
        }
        if let Some(zone) = &self.time_zone
            && self.history
        {
            search = search.time_zone(zone);
        }
        if let Some(text) = self.search {
            search = search.matching(text);
        }
        if self.all_users {
            search = search.all_users();
        }
        if let Some(span) = self.within {
            search = search.starting_within(match span {
                Span::Day => Within::Day,
                Span::Week => Within::Week,
                Span::Month => Within::Month,
            });
        }
        if self.newest_first {
            search = search.newest_first();
        }
        if let Some(limit) = self.limit {
            search = search.limit(limit);
        }
        let mut meetings = search.list()?;
        let mut out = std::io::stdout().lock();
        if !global.json
            && !line(
                &mut out,
                &format!(
                    "{:<11} {:<16} {:<11} {:<16} SUBJECT",
                    "ID", "START", "STATE", "ORGANIZER"
                ),
            )?
        {
            return Ok(());
        }
        while let Some(m) = meetings.try_next().await? {
            if !line(&mut out, &meeting_line(&m, global.json))? {
                break;
            }
        }
        Ok(())
    }
}

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
fn is_uuid(meeting: &str) -> bool {
    meeting.len() == 32 && meeting.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The past meeting `meeting` names: a UUID as it is, a conference ID as its latest run.
async fn past_meeting(client: &meeting::Client, meeting: &str) -> Result<PastMeeting, Failure> {
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

impl Attendance {
    /// Lists the stays, printing each as its page arrives.
    pub async fn run(self, global: &Global) -> Result<(), Failure> {
        let zone = match &self.time_zone {
            None => jiff::tz::TimeZone::UTC,
            Some(name) => jiff::tz::TimeZone::get(name).map_err(|_| {
                Failure::Usage(format!(
                    "{} is not a time zone (an IANA name)",
                    meeting::printable(name)
                ))
            })?,
        };
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

impl Attendees {
    /// Lists the attendees, printing each as its page arrives.
    pub async fn run(self, global: &Global) -> Result<(), Failure> {
        let login = Some(credentials(&self.connection.login)?);
        let client = client(&self.connection.endpoint, global, login)?;
        let mut attendees = if self.past {
            past_meeting(&client, &self.conference)
                .await?
                .attendees(self.search.as_deref())?
        } else {
            client
                .conference(&self.conference)
                .attendees(self.search.as_deref())?
        };

        let mut out = std::io::stdout().lock();
        while let Some(a) = attendees.try_next().await? {
            let text = if global.json {
                json!({"id": a.id, "name": a.name, "host": a.host, "state": a.state, "kind": a.kind})
                    .to_string()
            } else {
                format!(
                    "{:<34} {:<6} {}",
                    meeting::printable(&a.id),
                    if a.host { "host" } else { "" },
                    meeting::printable(a.name.as_deref().unwrap_or("-"))
                )
            };
            if !line(&mut out, &text)? {
                break;
            }
        }
        Ok(())
    }
}

/// List recordings (with a meeting: its recording, --urls its download links, --delete
/// deletes it).
#[derive(Debug, Args)]
pub struct Recordings {
    /// A conference ID or a meeting UUID: that meeting's recording only.
    meeting: Option<String>,
    /// Print the download links (secrets, valid for an hour, usable once).
    #[arg(long, requires = "meeting", conflicts_with = "delete")]
    urls: bool,
    /// Delete the meeting's recording.
    #[arg(long, requires = "meeting")]
    delete: bool,
    /// Only those whose subject, organizer or ID contains TEXT.
    #[arg(long, value_name = "TEXT", conflicts_with = "meeting")]
    search: Option<String>,
    /// The first day of the meetings' start, YYYY-MM-DD.
    #[arg(long, value_name = "DATE", requires = "to")]
    from: Option<String>,
    /// The last day, YYYY-MM-DD, included.
    #[arg(long, value_name = "DATE", requires = "from")]
    to: Option<String>,
    /// The time zone of the dates: an IANA name (default UTC).
    #[arg(long, value_name = "ZONE")]
    time_zone: Option<String>,
    #[command(flatten)]
    connection: Connection,
}

fn recording_line(r: &meeting::Recording, json: bool) -> String {
    if json {
        return json!({
            "uuid": r.uuid, "conference": r.meeting, "subject": r.subject,
            "start_time": r.start_time, "seconds": r.seconds, "size_mb": r.size_mb,
            "available": r.available,
        })
        .to_string();
    }
    let field = |v: &Option<String>| meeting::printable(v.as_deref().unwrap_or("-"));
    format!(
        "{:<32} {:<11} {:<16} {:>7} {}",
        meeting::printable(&r.uuid),
        field(&r.meeting),
        field(&r.start_time),
        r.seconds.map_or("-".to_owned(), |s| format!("{s} s")),
        field(&r.subject)
    )
}

impl Recordings {
    /// Lists, shows, links or deletes recordings.
    pub async fn run(self, global: &Global) -> Result<(), Failure> {
        let login = Some(credentials(&self.connection.login)?);
        let client = client(&self.connection.endpoint, global, login)?;
        let mut search = client.recordings().all_users();
        if let (Some(from), Some(to)) = (&self.from, &self.to) {
            search = search.between(from, to);
        }
        if let Some(zone) = &self.time_zone {
            search = search.time_zone(zone);
        }
        let mut out = std::io::stdout().lock();
        let Some(meeting) = &self.meeting else {
            if let Some(text) = &self.search {
                search = search.matching(text);
            }
            let mut found = search.list()?;
            while let Some(r) = found.try_next().await? {
                if !line(&mut out, &recording_line(&r, global.json))? {
                    break;
                }
            }
            return Ok(());
        };
        // A UUID as it is; a conference ID as its latest recording.
        let uuid = if is_uuid(meeting) {
            meeting.clone()
        } else {
            let mut found = search.matching(meeting).newest_first().list()?;
            let mut uuid = None;
            while let Some(r) = found.try_next().await? {
                if r.meeting.as_deref() == Some(meeting.as_str()) {
                    uuid = Some(r.uuid);
                    break;
                }
            }
            uuid.ok_or_else(|| {
                Failure::Usage(format!(
                    "meeting {} has no recording",
                    meeting::printable(meeting)
                ))
            })?
        };
        if self.delete {
            client.delete_recordings([&uuid]).await?;
            let text = format!("Deleted the recording of {}.", meeting::printable(meeting));
            emit(
                global.json,
                &crate::output::Done::new("recordings-delete", meeting, text),
            );
            return Ok(());
        }
        if self.urls {
            for file in client.recording_downloads(&uuid).await? {
                let kind = file.kind.as_deref().unwrap_or("-");
                let text = if global.json {
                    json!({"kind": kind, "url": file.expose_url()}).to_string()
                } else {
                    format!("{:<4} {}", meeting::printable(kind), file.expose_url())
                };
                if !line(&mut out, &text)? {
                    break;
                }
            }
            return Ok(());
        }
        let r = client.recording(&uuid).await?;
        line(&mut out, &recording_line(&r, global.json))?;
        Ok(())
    }
}
