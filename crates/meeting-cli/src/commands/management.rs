//! Scheduling: create a meeting, show one, cancel or end one (with the access token).

use std::time::Duration;

use clap::Args;
use meeting::{Invitee, MeetingState, NewMeeting};
use meeting_api::operations::{CANCEL_MEETING, CREATE_MEETING, SHOW_MEETING_DETAIL};
use serde::Serialize;

use super::{Family, Run};
use crate::args::{Connection, Global};
use crate::connect::{client, credentials};
use crate::output::{Done, Failure, Report};

/// This family in the help: each command and the operations of the spec it sends.
pub(super) const FAMILY: Family = Family {
    heading: "Scheduling",
    commands: &[
        ("create", &[&CREATE_MEETING]),
        ("show", &[&SHOW_MEETING_DETAIL]),
        ("cancel", &[&CANCEL_MEETING]),
    ],
};

/// Schedule a meeting and print its ID; --show-passwords prints the passwords too.
#[derive(Debug, Args)]
pub struct Create {
    /// The subject.
    #[arg(long)]
    subject: String,
    /// The start, UTC: "YYYY-MM-DD HH:MM" (default: now).
    #[arg(long, value_name = "YYYY-MM-DD HH:MM")]
    start: Option<String>,
    /// The length in minutes, 15 to 1440 (default 30).
    #[arg(long, value_parser = clap::value_parser!(u32).range(15..=1440))]
    minutes: Option<u32>,
    /// Invite someone: NAME=PHONE (repeat for more).
    #[arg(long, value_name = "NAME=PHONE", value_parser = parse_invitee)]
    invite: Vec<(String, String)>,
    /// Also print the host and guest passwords (secrets).
    #[arg(long)]
    show_passwords: bool,
    #[command(flatten)]
    connection: Connection,
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
        let mut meeting = NewMeeting::new(&self.subject);
        if let Some(start) = &self.start {
            meeting = meeting.starts_at(start);
        }
        if let Some(minutes) = self.minutes {
            meeting = meeting.lasts(Duration::from_secs(u64::from(minutes) * 60));
        }
        for (name, phone) in &self.invite {
            let mut invitee = Invitee::phone(phone);
            if !name.is_empty() {
                invitee = invitee.name(name);
            }
            meeting = meeting.invite(invitee);
        }
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
}

impl Report for Details {
    fn text(&self) -> String {
        let field = |v: &Option<String>| meeting::printable(v.as_deref().unwrap_or("-"));
        format!(
            "Meeting {}: {}\n  state: {}\n  start: {}\n  end: {}\n  media: {}\n  dial-in: {}\n  guest link: {}",
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
        let state = match d.state {
            MeetingState::Scheduled => "scheduled".to_owned(),
            MeetingState::Starting => "starting".to_owned(),
            MeetingState::InProgress => "in progress".to_owned(),
            MeetingState::Over => "over".to_owned(),
            MeetingState::Other(s) => s.unwrap_or_else(|| "unknown".into()),
            _ => "unknown".to_owned(),
        };
        Ok(Details {
            conference: d.id,
            subject: d.subject,
            state,
            start_time: d.start_time,
            end_time: d.end_time,
            media_types: d.media_types,
            access_number: d.access_number,
            guest_join_uri: d.guest_join_uri,
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
        Ok(if self.end_ongoing {
            meeting.end().await?;
            Done::new("end", id, format!("Ended (or cancelled) meeting {id}."))
        } else {
            meeting.cancel().await?;
            Done::new("cancel", id, format!("Cancelled meeting {id}."))
        })
    }
}
