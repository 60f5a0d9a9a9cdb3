//! Finding meetings: list the scheduled, running (and later past) meetings, and the
//! attendees of a running one, printed as the pages arrive.

use std::io::Write;

use clap::{Args, ValueEnum};
use futures_util::TryStreamExt;
use meeting::{MeetingDetails, MeetingState, Within};
use meeting_api::operations::{
    SEARCH_MEETINGS, SEARCH_ONLINE_MEETINGS, SHOW_ONLINE_MEETING_DETAIL,
};
use serde_json::json;

use super::Family;
use crate::args::{Connection, Global};
use crate::connect::{client, credentials};
use crate::output::Failure;

/// This family in the help: each command and the operations of the spec it sends.
pub(super) const FAMILY: Family = Family {
    heading: "Finding meetings",
    commands: &[
        ("list", &[&SEARCH_MEETINGS, &SEARCH_ONLINE_MEETINGS]),
        ("attendees", &[&SHOW_ONLINE_MEETING_DETAIL]),
    ],
};

/// List meetings not over (--ongoing: the running ones), a page at a time as they are
/// printed.
#[derive(Debug, Args)]
pub struct List {
    /// Only the meetings in progress.
    #[arg(long)]
    ongoing: bool,
    /// Only those whose subject, organizer or ID contains TEXT.
    #[arg(long, value_name = "TEXT")]
    search: Option<String>,
    /// Every user's meetings (administrators).
    #[arg(long)]
    all_users: bool,
    /// Only those starting within a day, a week or a month.
    #[arg(long, value_enum, conflicts_with = "ongoing")]
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

/// List the attendees of a running meeting.
#[derive(Debug, Args)]
pub struct Attendees {
    /// The conference ID.
    conference: String,
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
        } else {
            client.meetings()
        }
        .page_size(self.page_size);
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

impl Attendees {
    /// Lists the attendees, printing each as its page arrives.
    pub async fn run(self, global: &Global) -> Result<(), Failure> {
        let login = Some(credentials(&self.connection.login)?);
        let meeting =
            client(&self.connection.endpoint, global, login)?.conference(&self.conference);
        let mut attendees = meeting.attendees(self.search.as_deref())?;
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
