//! Scheduling: create a meeting, edit one (or one occurrence of a series), show,
//! start, cancel or end one; a meeting's region, the enterprise's resources and rooms
//! (with the access token).

use std::time::Duration;

use clap::Args;
use meeting::{Day, Invitee, MeetingState, NewMeeting, OccurrenceUpdate, Recurrence, RoomKind};
use meeting_api::operations::{
    CANCEL_MEETING, CANCEL_RECURRING_MEETING, CANCEL_RECURRING_SUB_MEETING, CREATE_MEETING,
    CREATE_RECURRING_MEETING, SEARCH_CORP_VMR, SHOW_CONF_ORG, SHOW_MEETING_DETAIL, SHOW_ORG_RES,
    SHOW_REGION_INFO_OF_MEETING, SHOW_SP_RES, START_MEETING, UPDATE_MEETING,
    UPDATE_RECURRING_MEETING, UPDATE_RECURRING_SUB_MEETING,
};
use serde::Serialize;

use super::{Family, Run};
use crate::args::{Connection, Global, Target};
use crate::connect::{client, credentials, host_password};
use crate::output::{Done, Failure, Report};

/// This family in the help: each command and the operations of the spec it sends.
pub(super) const FAMILY: Family = Family {
    heading: "Scheduling",
    commands: &[
        ("create", &[&CREATE_MEETING, &CREATE_RECURRING_MEETING]),
        (
            "update",
            &[
                &UPDATE_MEETING,
                &UPDATE_RECURRING_MEETING,
                &UPDATE_RECURRING_SUB_MEETING,
            ],
        ),
        ("show", &[&SHOW_MEETING_DETAIL]),
        ("start", &[&START_MEETING]),
        ("region", &[&SHOW_REGION_INFO_OF_MEETING]),
        ("resources", &[&SHOW_ORG_RES, &SHOW_SP_RES, &SHOW_CONF_ORG]),
        ("rooms", &[&SEARCH_CORP_VMR]),
        (
            "cancel",
            &[
                &CANCEL_MEETING,
                &CANCEL_RECURRING_MEETING,
                &CANCEL_RECURRING_SUB_MEETING,
            ],
        ),
    ],
};

/// Schedule a meeting (--repeat: a series) and print its ID; --show-passwords prints
/// the passwords too.
#[derive(Debug, Args)]
pub struct Create {
    #[command(flatten)]
    schedule: Schedule,
    /// Also print the host and guest passwords (secrets).
    #[arg(long)]
    show_passwords: bool,
    #[command(flatten)]
    connection: Connection,
}

/// A meeting as `create` schedules it and `update` says it again.
#[derive(Debug, Args)]
struct Schedule {
    /// The subject (required, but for one occurrence).
    #[arg(long)]
    subject: Option<String>,
    /// The start, "YYYY-MM-DD HH:MM" in --time-zone (default: now; a series needs it).
    #[arg(long, value_name = "YYYY-MM-DD HH:MM")]
    start: Option<String>,
    /// The length in minutes, 15 to 1440 (default 30).
    #[arg(long, value_parser = clap::value_parser!(u32).range(15..=1440))]
    minutes: Option<u32>,
    /// The time zone of --start and of a series' days and end: an IANA name (default
    /// UTC).
    #[arg(long, value_name = "ZONE")]
    time_zone: Option<String>,
    /// Repeat: daily, weekly:mon,wed or monthly:1,15, every N with /N (weekly/2:fri).
    #[arg(long, value_name = "RULE", value_parser = parse_repeat)]
    repeat: Option<Recurrence>,
    /// The series' last day, YYYY-MM-DD (with --repeat).
    #[arg(
        long,
        value_name = "DATE",
        requires = "repeat",
        conflicts_with = "times"
    )]
    until: Option<String>,
    /// How many occurrences, 1 to 50 (with --repeat).
    #[arg(long, value_name = "N", requires = "repeat")]
    times: Option<u32>,
    /// Invite someone: NAME=PHONE (repeat for more).
    #[arg(long, value_name = "NAME=PHONE", value_parser = parse_invitee)]
    invite: Vec<(String, String)>,
}

/// `daily`, `weekly:mon,wed`, `monthly/2:1,15`.
fn parse_repeat(text: &str) -> Result<Recurrence, String> {
    let (kind, days) = text.split_once(':').unwrap_or((text, ""));
    let (kind, every) = match kind.split_once('/') {
        Some((kind, n)) => (
            kind,
            n.parse::<u8>()
                .map_err(|_| format!("/{n} is not a number"))?,
        ),
        None => (kind, 1),
    };
    let days = days.split(',').map(str::trim).filter(|d| !d.is_empty());
    let rule = match kind.trim().to_lowercase().as_str() {
        "daily" => Recurrence::daily(),
        "weekly" => Recurrence::weekly(days.map(str::parse).collect::<Result<Vec<Day>, _>>()?),
        "monthly" => Recurrence::monthly(
            days.map(|d| {
                d.parse::<u8>()
                    .map_err(|_| format!("{d:?} is not a day of the month"))
            })
            .collect::<Result<Vec<_>, _>>()?,
        ),
        _ => return Err("daily, weekly:DAYS or monthly:DAYS, e.g. weekly:mon,wed".into()),
    };
    Ok(rule.every(every))
}

impl Schedule {
    fn meeting(&self) -> Result<NewMeeting, Failure> {
        let subject = self
            .subject
            .as_deref()
            .ok_or_else(|| Failure::Usage("--subject is required".to_owned()))?;
        let mut meeting = NewMeeting::new(subject);
        if let Some(start) = &self.start {
            meeting = meeting.starts_at(start);
        }
        if let Some(minutes) = self.minutes {
            meeting = meeting.lasts(Duration::from_secs(u64::from(minutes) * 60));
        }
        if let Some(zone) = &self.time_zone {
            meeting = meeting.time_zone(zone);
        }
        if let Some(rule) = &self.repeat {
            let rule = match (&self.until, self.times) {
                (Some(until), _) => rule.clone().until(until),
                (None, Some(n)) => rule.clone().times(n),
                (None, None) => rule.clone(),
            };
            meeting = meeting.repeats(rule);
        }
        for (name, phone) in &self.invite {
            let mut invitee = Invitee::phone(phone);
            if !name.is_empty() {
                invitee = invitee.name(name);
            }
            meeting = meeting.invite(invitee);
        }
        Ok(meeting)
    }

    /// One occurrence's new start (in the time zone) and length.
    fn occurrence(&self) -> OccurrenceUpdate {
        let mut update = OccurrenceUpdate::new();
        if let Some(start) = &self.start {
            update = update.starts_at(start);
        }
        if let Some(minutes) = self.minutes {
            update = update.lasts(Duration::from_secs(u64::from(minutes) * 60));
        }
        if let Some(zone) = &self.time_zone {
            update = update.time_zone(zone);
        }
        update
    }
}

/// Replace what was scheduled for a meeting (or a series, with --repeat) that has not
/// started: the whole meeting, as `create` takes it.
#[derive(Debug, Args)]
pub struct Update {
    /// The conference ID.
    conference: String,
    /// Only this occurrence of a series: its --start and --minutes (IDs from `meeting
    /// show`); the rest of the series stays as it is.
    #[arg(
        long,
        value_name = "ID",
        conflicts_with_all = ["subject", "repeat", "until", "times", "invite"]
    )]
    occurrence: Option<String>,
    #[command(flatten)]
    schedule: Schedule,
    #[command(flatten)]
    connection: Connection,
}

impl Run for Update {
    type Report = Details;
    async fn run(self, global: &Global) -> Result<Details, Failure> {
        let login = Some(credentials(&self.connection.login)?);
        let meeting =
            client(&self.connection.endpoint, global, login)?.conference(&self.conference);
        if let Some(occurrence) = &self.occurrence {
            meeting
                .update_occurrence(occurrence, &self.schedule.occurrence())
                .await?;
            return Ok(Details::from(meeting.details().await?));
        }
        Ok(Details::from(
            meeting.update(&self.schedule.meeting()?).await?,
        ))
    }
}

fn parse_invitee(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, phone)) if !phone.trim().is_empty() => {
            Ok((name.trim().to_owned(), phone.trim().to_owned()))
        }
        _ => Err("expected NAME=PHONE, e.g. Carol=+8613800000000".into()),
    }
}

/// A meeting just scheduled. No `Debug`: it may hold the passwords.
#[derive(Serialize)]
pub struct Created {
    conference: String,
    start_time: Option<String>,
    end_time: Option<String>,
    /// Only with --show-passwords.
    #[serde(skip_serializing_if = "Option::is_none")]
    host_password: Option<String>,
    /// Only with --show-passwords.
    #[serde(skip_serializing_if = "Option::is_none")]
    guest_password: Option<String>,
}

impl Report for Created {
    fn text(&self) -> String {
        let mut text = format!("Scheduled meeting {}", self.conference);
        if let (Some(start), Some(end)) = (&self.start_time, &self.end_time) {
            text.push_str(&format!(
                ", {} to {} UTC",
                meeting::printable(start),
                meeting::printable(end)
            ));
        }
        text.push('.');
        if let (Some(host), Some(guest)) = (&self.host_password, &self.guest_password) {
            text.push_str(&format!("\nhost password: {host}\nguest password: {guest}"));
        }
        text
    }
}

impl Run for Create {
    type Report = Created;
    async fn run(self, global: &Global) -> Result<Created, Failure> {
        let meeting = self.schedule.meeting()?;
        let login = Some(credentials(&self.connection.login)?);
        let created = client(&self.connection.endpoint, global, login)?
            .create_meeting(&meeting)
            .await?;
        let password = |p: Option<&str>| {
            self.show_passwords
                .then(|| p.unwrap_or_default().to_owned())
        };
        Ok(Created {
            host_password: password(created.expose_host_password()),
            guest_password: password(created.expose_guest_password()),
            conference: created.id,
            start_time: created.start_time,
            end_time: created.end_time,
        })
    }
}

/// Show a meeting's subject, state, times and join details.
#[derive(Debug, Args)]
pub struct Show {
    /// The conference ID.
    conference: String,
    #[command(flatten)]
    connection: Connection,
}

/// What the service says of a meeting.
#[derive(Debug, Serialize)]
pub struct Details {
    conference: String,
    subject: Option<String>,
    state: String,
    start_time: Option<String>,
    end_time: Option<String>,
    media_types: Option<String>,
    access_number: Option<String>,
    guest_join_uri: Option<String>,
    /// A series' occurrences to come: ID and start (UTC).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    /// Each occurrence: its ID, start and end.
    occurrences: Vec<(String, Option<String>, Option<String>)>,
}

impl From<meeting::MeetingDetails> for Details {
    fn from(d: meeting::MeetingDetails) -> Self {
        let state = match d.state {
            MeetingState::Scheduled => "scheduled".to_owned(),
            MeetingState::Starting => "starting".to_owned(),
            MeetingState::InProgress => "in progress".to_owned(),
            MeetingState::Over => "over".to_owned(),
            MeetingState::Other(s) => s.unwrap_or_else(|| "unknown".into()),
            _ => "unknown".to_owned(),
        };
        Details {
            conference: d.id,
            subject: d.subject,
            state,
            start_time: d.start_time,
            end_time: d.end_time,
            media_types: d.media_types,
            access_number: d.access_number,
            guest_join_uri: d.guest_join_uri,
            occurrences: d
                .occurrences
                .into_iter()
                .map(|o| (o.id, o.start_time, o.end_time))
                .collect(),
        }
    }
}

impl Report for Details {
    fn text(&self) -> String {
        let field = |v: &Option<String>| meeting::printable(v.as_deref().unwrap_or("-"));
        let occurrences: String = self
            .occurrences
            .iter()
            .map(|(id, start, end)| {
                format!(
                    "\n  occurrence {} from {} to {} UTC",
                    meeting::printable(id),
                    field(start),
                    field(end)
                )
            })
            .collect();
        format!(
            "Meeting {}: {}\n  state: {}\n  start: {}\n  end: {}\n  media: {}\n  dial-in: {}\n  guest link: {}{occurrences}",
            self.conference,
            field(&self.subject),
            meeting::printable(&self.state),
            field(&self.start_time),
            field(&self.end_time),
            field(&self.media_types),
            field(&self.access_number),
            field(&self.guest_join_uri),
        )
    }
}

impl Run for Show {
    type Report = Details;
    async fn run(self, global: &Global) -> Result<Details, Failure> {
        let login = Some(credentials(&self.connection.login)?);
        let d = client(&self.connection.endpoint, global, login)?
            .conference(&self.conference)
            .details()
            .await?;
        Ok(Details::from(d))
    }
}

/// Start a scheduled meeting now (with its host password): it can be controlled before
/// anyone joins.
#[derive(Debug, Args)]
pub struct Start {
    #[command(flatten)]
    target: Target,
}

impl Run for Start {
    type Report = Done;
    async fn run(self, global: &Global) -> Result<Done, Failure> {
        let login = Some(credentials(&self.target.login)?);
        let id = &self.target.conference;
        let region = client(&self.target.endpoint, global, login)?
            .conference(id)
            .with_host_password(host_password(&self.target)?)
            .start()
            .await?;
        let said = match region {
            Some(ip) => format!("Meeting {id} is in progress (its region: {ip})."),
            None => format!("Meeting {id} is in progress."),
        };
        Ok(Done::new("start", id, said))
    }
}

/// Show where a meeting in progress is held: its region's address and domain.
#[derive(Debug, Args)]
pub struct Region {
    /// The conference ID.
    conference: String,
    #[command(flatten)]
    connection: Connection,
}

/// A meeting's region.
#[derive(Debug, Serialize)]
pub struct RegionReport {
    conference: String,
    ip: Option<String>,
    domain: Option<String>,
}

impl Report for RegionReport {
    fn text(&self) -> String {
        let unknown = || "unknown".to_owned();
        format!(
            "Meeting {} is held in the region at {} ({}).",
            meeting::printable(&self.conference),
            self.ip.clone().unwrap_or_else(unknown),
            self.domain.clone().unwrap_or_else(unknown),
        )
    }
}

impl Run for Region {
    type Report = RegionReport;
    async fn run(self, global: &Global) -> Result<RegionReport, Failure> {
        let login = Some(credentials(&self.connection.login)?);
        let region = client(&self.connection.endpoint, global, login)?
            .conference(&self.conference)
            .region()
            .await?;
        Ok(RegionReport {
            conference: self.conference,
            ip: region.ip,
            domain: region.domain,
        })
    }
}

/// Show what the enterprise uses of its resources, now and today (an administrator).
#[derive(Debug, Args)]
pub struct Resources {
    /// Also the meetings in progress of every enterprise of the service provider.
    #[arg(long)]
    provider: bool,
    /// Also the enterprise this meeting belongs to (a service provider's question).
    #[arg(long, value_name = "ID")]
    meeting: Option<String>,
    #[command(flatten)]
    connection: Connection,
}

/// The enterprise's resources in use.
#[derive(Debug, Serialize)]
pub struct ResourcesReport {
    meetings_in_progress: Option<u32>,
    live_streams: Option<u32>,
    recording_storage_gb: Option<f64>,
    meetings_today: Option<u32>,
    minutes_today: Option<u32>,
    active_users_today: Option<u32>,
    attendees_today: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    provider_meetings_in_progress: Option<Option<u32>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    meeting: Option<(String, Option<String>)>,
}

impl Report for ResourcesReport {
    fn text(&self) -> String {
        let n = |v: Option<u32>| v.map_or("-".to_owned(), |n| n.to_string());
        let gb = self
            .recording_storage_gb
            .map_or("-".to_owned(), |gb| format!("{gb:.2} GB"));
        let mut text = format!(
            "Meetings in progress: {}\nLive streams: {}\nRecording storage: {gb}\n\
             Today: {} meetings, {} minutes, {} users, {} attendees",
            n(self.meetings_in_progress),
            n(self.live_streams),
            n(self.meetings_today),
            n(self.minutes_today),
            n(self.active_users_today),
            n(self.attendees_today),
        );
        if let Some(all) = self.provider_meetings_in_progress {
            text.push_str(&format!(
                "\nThe provider's meetings in progress: {}",
                n(all)
            ));
        }
        if let Some((id, org)) = &self.meeting {
            let org = org.as_deref().map_or("-".to_owned(), meeting::printable);
            text.push_str(&format!(
                "\nMeeting {} belongs to enterprise {org}",
                meeting::printable(id)
            ));
        }
        text
    }
}

impl Run for Resources {
    type Report = ResourcesReport;
    async fn run(self, global: &Global) -> Result<ResourcesReport, Failure> {
        let login = Some(credentials(&self.connection.login)?);
        let client = client(&self.connection.endpoint, global, login)?;
        let r = client.resources().await?;
        let provider_meetings_in_progress = if self.provider {
            Some(client.provider_meetings_in_progress().await?)
        } else {
            None
        };
        let meeting = match self.meeting {
            Some(id) => {
                let org = client.conference(&id).enterprise().await?;
                Some((id, org))
            }
            None => None,
        };
        Ok(ResourcesReport {
            meetings_in_progress: r.meetings_in_progress,
            live_streams: r.live_streams,
            recording_storage_gb: r.recording_storage_gb,
            meetings_today: r.meetings_today,
            minutes_today: r.minutes_today,
            active_users_today: r.active_users_today,
            attendees_today: r.attendees_today,
            provider_meetings_in_progress,
            meeting,
        })
    }
}

/// List the enterprise's cloud meeting rooms (an administrator): a room's ID is what
/// scheduling in it takes (`meeting webinar create --room`).
#[derive(Debug, Args)]
pub struct Rooms {
    /// Webinar rooms instead of meeting rooms.
    #[arg(long)]
    webinar: bool,
    /// Only the rooms whose name or meeting ID holds this text.
    #[arg(long, value_name = "TEXT")]
    matching: Option<String>,
    #[command(flatten)]
    connection: Connection,
}

/// The rooms of one kind.
#[derive(Debug, Serialize)]
pub struct RoomsReport {
    kind: &'static str,
    rooms: Vec<RoomRow>,
}

/// One room.
#[derive(Debug, Serialize)]
struct RoomRow {
    id: String,
    name: Option<String>,
    meeting_id: Option<String>,
    capacity: Option<u32>,
    audience: Option<u32>,
    in_service: bool,
}

impl Report for RoomsReport {
    fn text(&self) -> String {
        if self.rooms.is_empty() {
            return format!("No {} rooms.", self.kind);
        }
        let line = |r: &RoomRow| {
            let mut line = format!("{}  {}", r.id, r.name.as_deref().unwrap_or("-"));
            if let Some(n) = r.capacity {
                line.push_str(&format!(", {n} participants"));
            }
            if let Some(n) = r.audience {
                line.push_str(&format!(", an audience of {n}"));
            }
            if !r.in_service {
                line.push_str(" (out of service)");
            }
            line
        };
        self.rooms.iter().map(line).collect::<Vec<_>>().join("\n")
    }
}

impl Run for Rooms {
    type Report = RoomsReport;
    async fn run(self, global: &Global) -> Result<RoomsReport, Failure> {
        let login = Some(credentials(&self.connection.login)?);
        let client = client(&self.connection.endpoint, global, login)?;
        let (kind, name) = match self.webinar {
            true => (RoomKind::Webinar, "webinar"),
            false => (RoomKind::Meeting, "meeting"),
        };
        let rooms = client.rooms(kind, self.matching.as_deref())?.collect_all();
        let rooms = rooms.await?.into_iter().map(|r| RoomRow {
            id: r.id,
            name: r.name,
            meeting_id: r.meeting_id,
            capacity: r.capacity,
            audience: r.audience,
            in_service: r.in_service,
        });
        Ok(RoomsReport {
            kind: name,
            rooms: rooms.collect(),
        })
    }
}

/// Cancel a scheduled meeting (or end one in progress with --end-ongoing).
#[derive(Debug, Args)]
pub struct Cancel {
    /// The conference ID.
    conference: String,
    /// End the meeting if it is in progress.
    #[arg(long)]
    end_ongoing: bool,
    /// Only this occurrence of a series (repeat for more; IDs from `meeting show`).
    #[arg(long, value_name = "ID", conflicts_with = "series")]
    occurrence: Vec<String>,
    /// Every occurrence of a series not yet held.
    #[arg(long)]
    series: bool,
    #[command(flatten)]
    connection: Connection,
}

impl Run for Cancel {
    type Report = Done;
    async fn run(self, global: &Global) -> Result<Done, Failure> {
        let login = Some(credentials(&self.connection.login)?);
        let meeting =
            client(&self.connection.endpoint, global, login)?.conference(&self.conference);
        let id = &self.conference;
        if !self.occurrence.is_empty() {
            let n = self.occurrence.len();
            meeting
                .cancel_occurrences(self.occurrence, self.end_ongoing)
                .await?;
            return Ok(Done::new(
                "cancel-occurrences",
                id,
                format!("Cancelled {n} occurrence(s) of meeting {id}."),
            ));
        }
        if self.series {
            meeting.cancel_series(self.end_ongoing).await?;
            return Ok(Done::new(
                "cancel-series",
                id,
                format!("Cancelled the series {id}."),
            ));
        }
        Ok(if self.end_ongoing {
            meeting.end().await?;
            Done::new("end", id, format!("Ended (or cancelled) meeting {id}."))
        } else {
            meeting.cancel().await?;
            Done::new("cancel", id, format!("Cancelled meeting {id}."))
        })
    }
}

/// This family's commands, flattened into the top-level command: adding one is a
/// variant here and its arm in [`Commands::run`], which the compiler holds together.
#[derive(Debug, clap::Subcommand)]
pub enum Commands {
    Create(Create),
    Update(Update),
    Show(Show),
    Start(Start),
    Region(Region),
    Resources(Resources),
    Rooms(Rooms),
    Cancel(Cancel),
}

impl Commands {
    /// Runs the command and prints what it answers.
    pub(super) async fn run(
        self,
        global: &crate::args::Global,
    ) -> Result<(), crate::output::Failure> {
        use crate::output::emit;
        match self {
            Self::Create(c) => emit(global.json, &c.run(global).await?),
            Self::Update(c) => emit(global.json, &c.run(global).await?),
            Self::Show(c) => emit(global.json, &c.run(global).await?),
            Self::Start(c) => emit(global.json, &c.run(global).await?),
            Self::Region(c) => emit(global.json, &c.run(global).await?),
            Self::Resources(c) => emit(global.json, &c.run(global).await?),
            Self::Rooms(c) => emit(global.json, &c.run(global).await?),
            Self::Cancel(c) => emit(global.json, &c.run(global).await?),
        }
        Ok(())
    }
}
