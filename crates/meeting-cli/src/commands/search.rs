//! Finding meetings: list the scheduled, running and past meetings and the attendees
//! of one, printed as the pages arrive; the running meeting a number is in. (The help's "Finding meetings" lists this
//! family's commands with those of `history` and `archive`.)

use clap::{Args, ValueEnum};
use futures_util::TryStreamExt;
use meeting::{MeetingDetails, MeetingState, Within};
use meeting_api::operations::{
    CHECK_CALL_NUMBER_IN_CONF, DELETE_RECORDINGS, LIST_ONLINE_CONF_ATTENDEE,
    SEARCH_ATTENDANCE_RECORDS_OF_HIS_MEETING, SEARCH_CTL_RECORDS_OF_HIS_MEETING,
    SEARCH_HIS_MEETINGS, SEARCH_MEETINGS, SEARCH_ONLINE_MEETINGS, SEARCH_RECORDINGS,
    SHOW_HIS_MEETING_DETAIL, SHOW_ONLINE_MEETING_DETAIL, SHOW_RECORD_INFO, SHOW_RECORDING_DETAIL,
    SHOW_RECORDING_FILE_DOWNLOAD_URLS,
};
use serde::Serialize;
use serde_json::json;

use super::history::past_meeting;
use super::{Family, Run};
use crate::args::{Connection, Global};
use crate::connect::{client, credentials};
use crate::output::{Failure, Report, line};

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
            &[
                &SHOW_ONLINE_MEETING_DETAIL,
                &SHOW_HIS_MEETING_DETAIL,
                &LIST_ONLINE_CONF_ATTENDEE,
            ],
        ),
        ("where", &[&CHECK_CALL_NUMBER_IN_CONF]),
        (
            "attendance",
            &[
                &SEARCH_HIS_MEETINGS,
                &SEARCH_ATTENDANCE_RECORDS_OF_HIS_MEETING,
            ],
        ),
        (
            "audit",
            &[&SEARCH_HIS_MEETINGS, &SEARCH_CTL_RECORDS_OF_HIS_MEETING],
        ),
        (
            "recordings",
            &[
                &SEARCH_RECORDINGS,
                &SHOW_RECORDING_DETAIL,
                &SHOW_RECORDING_FILE_DOWNLOAD_URLS,
                &SHOW_RECORD_INFO,
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
    /// A running meeting's attendees with their numbers and accounts.
    #[arg(long, conflicts_with = "past")]
    join_data: bool,
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

impl Attendees {
    /// Lists the attendees, printing each as its page arrives.
    pub async fn run(self, global: &Global) -> Result<(), Failure> {
        let login = Some(credentials(&self.connection.login)?);
        let client = client(&self.connection.endpoint, global, login)?;
        if self.join_data {
            let attendees = client
                .conference(&self.conference)
                .online_attendees(self.search.as_deref())?;
            return print_join_data(attendees, global.json).await;
        }
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

/// Prints a running meeting's attendees with their join data as the pages arrive.
async fn print_join_data(
    mut attendees: meeting::Listing<meeting::OnlineAttendee>,
    json: bool,
) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    while let Some(a) = attendees.try_next().await? {
        let text = if json {
            json!({
                "id": a.id, "name": a.name, "number": a.number, "host": a.host,
                "account": a.account, "third_account": a.third_account, "user_id": a.user_id,
            })
            .to_string()
        } else {
            let field = |v: &Option<String>| meeting::printable(v.as_deref().unwrap_or("-"));
            format!(
                "{:<34} {:<6} {:<16} {}",
                meeting::printable(&a.id),
                if a.host { "host" } else { "" },
                field(&a.number),
                field(&a.name)
            )
        };
        if !line(&mut out, &text)? {
            break;
        }
    }
    Ok(())
}

/// Find the meeting in progress a number (a terminal's, a phone's) is in.
#[derive(Debug, Args)]
pub struct Where {
    /// The number.
    number: String,
    #[command(flatten)]
    connection: Connection,
}

/// The meeting a number is in, or none.
#[derive(Debug, Serialize)]
pub struct Whereabouts {
    number: String,
    conference: Option<String>,
}

impl Report for Whereabouts {
    fn text(&self) -> String {
        let number = meeting::printable(&self.number);
        match &self.conference {
            Some(id) => format!("{number} is in meeting {id}."),
            None => format!("{number} is in no meeting in progress."),
        }
    }
}

impl Run for Where {
    type Report = Whereabouts;
    async fn run(self, global: &Global) -> Result<Whereabouts, Failure> {
        let login = Some(credentials(&self.connection.login)?);
        let client = client(&self.connection.endpoint, global, login)?;
        let conference = client.meeting_of_number(&self.number).await?;
        Ok(Whereabouts {
            conference: conference.map(|c| c.id().to_owned()),
            number: self.number,
        })
    }
}

/// This family's commands, flattened into the top-level command: adding one is a
/// variant here and its arm in [`Commands::run`], which the compiler holds together.
#[derive(Debug, clap::Subcommand)]
pub enum Commands {
    List(List),
    Attendees(Attendees),
    Where(Where),
}

impl Commands {
    /// Runs the command and prints what it answers.
    pub(super) async fn run(
        self,
        global: &crate::args::Global,
    ) -> Result<(), crate::output::Failure> {
        match self {
            Self::List(c) => c.run(global).await?,
            Self::Attendees(c) => c.run(global).await?,
            Self::Where(c) => crate::output::emit(global.json, &c.run(global).await?),
        }
        Ok(())
    }
}
