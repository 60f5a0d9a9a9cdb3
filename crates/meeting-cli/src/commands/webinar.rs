//! Webinars: `meeting webinar create|show|update|delete|list|room|upload`, with an
//! access token (the organizer's, or an administrator's).

use std::io::{IsTerminal as _, Write as _};
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use clap::{Args, Subcommand};
use meeting::{NewWebinar, Panelist, RoomSettings, WebinarDetails, WebinarImage, WebinarPhase};
use meeting_api::operations::{
    CREATE_WEBINAR, DELETE_WEBINAR, LIST_HISTORY_WEBINARS, LIST_ONGOING_WEBINARS,
    LIST_UP_COMING_WEBINARS, SHOW_ROOM_SETTING, SHOW_WEBINAR, UPDATE_ROOM_SETTING, UPDATE_WEBINAR,
    UPLOAD_FILE,
};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;

use super::Family;
use super::history::zone;
use crate::args::{Connection, Global};
use crate::connect::{client, credentials};
use crate::output::{Failure, Report, emit};

/// This family in the help: the command and the operations of the spec it sends.
pub(super) const FAMILY: Family = Family {
    heading: "Webinars",
    commands: &[(
        "webinar",
        &[
            &CREATE_WEBINAR,
            &SHOW_WEBINAR,
            &UPDATE_WEBINAR,
            &DELETE_WEBINAR,
            &LIST_UP_COMING_WEBINARS,
            &LIST_ONGOING_WEBINARS,
            &LIST_HISTORY_WEBINARS,
            &SHOW_ROOM_SETTING,
            &UPDATE_ROOM_SETTING,
            &UPLOAD_FILE,
        ],
    )],
};

/// Webinars: schedule, show, change, cancel and list them; their room settings; the
/// images their rooms show.
#[derive(Debug, Args)]
pub struct Webinar {
    #[command(subcommand)]
    command: WebinarCommand,
}

#[derive(Debug, Subcommand)]
enum WebinarCommand {
    Create(Create),
    Show(Show),
    Update(Update),
    Delete(Delete),
    List(List),
    Room(Room),
    Upload(Upload),
}

/// What a webinar is (create and update say it whole).
#[derive(Debug, Args)]
struct Schedule {
    /// Its subject.
    subject: String,
    /// When it starts, YYYY-MM-DD HH:MM in --time-zone.
    #[arg(long, value_name = "TIME")]
    start: String,
    /// The time zone of --start: an IANA name (default UTC).
    #[arg(long, value_name = "ZONE")]
    time_zone: Option<String>,
    /// How long it lasts, minutes (15 to 1440).
    #[arg(long, default_value_t = 60)]
    minutes: u64,
    /// A panelist: NAME, or NAME:PHONE (repeatable).
    #[arg(long = "panelist", value_name = "NAME[:PHONE]")]
    panelists: Vec<String>,
    /// What it is about.
    #[arg(long)]
    description: Option<String>,
    /// Record it.
    #[arg(long)]
    recorded: bool,
    /// File holding the audience's password (4 to 16 digits; else
    /// MEETING_AUDIENCE_PASSWORD; else one is generated).
    #[arg(long, value_name = "FILE")]
    audience_password_file: Option<PathBuf>,
    /// File holding the panelists' password (else MEETING_PANELIST_PASSWORD; else one
    /// is generated).
    #[arg(long, value_name = "FILE")]
    panelist_password_file: Option<PathBuf>,
}

/// An optional secret: from its file, else its environment variable (never a flag,
/// never asked: without one, the service generates it).
fn optional_secret(
    file: Option<&std::path::Path>,
    env: &str,
) -> Result<Option<SecretString>, Failure> {
    if let Some(path) = file {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Failure::Usage(format!("cannot read {}: {e}", path.display())))?;
        return Ok(Some(SecretString::from(
            text.trim_end_matches(['\r', '\n']).to_owned(),
        )));
    }
    Ok(crate::secrets::from_env(env).map(SecretString::from))
}

impl Schedule {
    fn webinar(&self, room: &str) -> Result<NewWebinar, Failure> {
        let mut webinar = NewWebinar::new(&self.subject, room)
            .starts_at(&self.start)
            .lasts(Duration::from_secs(self.minutes.saturating_mul(60)));
        if let Some(zone) = &self.time_zone {
            webinar = webinar.time_zone(zone);
        }
        if let Some(text) = &self.description {
            webinar = webinar.description(text);
        }
        if self.recorded {
            webinar = webinar.recorded();
        }
        for panelist in &self.panelists {
            webinar = webinar.panelist(match panelist.split_once(':') {
                Some((name, phone)) => Panelist::named(name).phone(phone),
                None => Panelist::named(panelist),
            });
        }
        let audience = optional_secret(
            self.audience_password_file.as_deref(),
            "MEETING_AUDIENCE_PASSWORD",
        )?;
        if let Some(password) = audience {
            webinar = webinar.audience_password(password);
        }
        let panelists = optional_secret(
            self.panelist_password_file.as_deref(),
            "MEETING_PANELIST_PASSWORD",
        )?;
        if let Some(password) = panelists {
            webinar = webinar.guest_password(password);
        }
        Ok(webinar)
    }
}

/// Schedule a webinar on a webinar room and print it (--show-passwords: its passwords
/// too).
#[derive(Debug, Args)]
struct Create {
    #[command(flatten)]
    schedule: Schedule,
    /// The webinar room: the ID of a VMR of the webinar mode.
    #[arg(long, value_name = "VMR_ID")]
    room: String,
    /// Also print the host's, panelists' and audience's passwords (secrets).
    #[arg(long)]
    show_passwords: bool,
    #[command(flatten)]
    connection: Connection,
}

/// Show a webinar: its state, times, room, panelists and links (--show-passwords: its
/// passwords too).
#[derive(Debug, Args)]
struct Show {
    /// The webinar's ID.
    id: String,
    /// Also print the passwords (secrets).
    #[arg(long)]
    show_passwords: bool,
    #[command(flatten)]
    connection: Connection,
}

/// Change a scheduled webinar: says it whole again (its room stays).
#[derive(Debug, Args)]
struct Update {
    /// The webinar's ID.
    id: String,
    #[command(flatten)]
    schedule: Schedule,
    #[command(flatten)]
    connection: Connection,
}

/// Cancel a webinar (one in progress ends); it is then gone.
#[derive(Debug, Args)]
struct Delete {
    /// The webinar's ID.
    id: String,
    #[command(flatten)]
    connection: Connection,
}

/// List the webinars not yet started (default), in progress or over.
#[derive(Debug, Args)]
struct List {
    /// Those in progress.
    #[arg(long, conflicts_with = "history")]
    ongoing: bool,
    /// Those that ended (--from and --to bound their start).
    #[arg(long)]
    history: bool,
    /// Only those whose subject, organizer, ID or panelists match.
    #[arg(long, value_name = "TEXT")]
    matching: Option<String>,
    /// With --history: from this day (YYYY-MM-DD, in --time-zone).
    #[arg(long, value_name = "DATE", requires_all = ["to", "history"])]
    from: Option<String>,
    /// ... to this day.
    #[arg(long, value_name = "DATE", requires = "from")]
    to: Option<String>,
    /// The time zone of the days and the times printed (default UTC).
    #[arg(long, value_name = "ZONE")]
    time_zone: Option<String>,
    /// The latest start first.
    #[arg(long)]
    newest_first: bool,
    #[command(flatten)]
    connection: Connection,
}

/// Show a webinar's room settings, or change them (`room set ID …`).
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
struct Room {
    #[command(subcommand)]
    set: Option<RoomCommand>,
    /// The webinar's ID.
    id: Option<String>,
    #[command(flatten)]
    connection: Connection,
}

#[derive(Debug, Subcommand)]
enum RoomCommand {
    Set(RoomSet),
}

/// Change a webinar's room settings; those not given stay.
#[derive(Debug, Args)]
struct RoomSet {
    /// The webinar's ID.
    id: String,
    /// The introduction.
    #[arg(long, value_name = "TEXT")]
    intro: Option<String>,
    /// The enterprise logo: a file ID of `meeting webinar upload`.
    #[arg(long, value_name = "FILE_ID")]
    logo: Option<String>,
    /// The welcome cover: a file ID of `meeting webinar upload`.
    #[arg(long, value_name = "FILE_ID")]
    cover: Option<String>,
    /// Show the audience's size (yes or no).
    #[arg(long, value_name = "YES|NO", value_parser = clap::builder::BoolishValueParser::new())]
    show_audience: Option<bool>,
    /// The audience shown: BASE plus the real one times MULTIPLE (0 to 10, one
    /// decimal).
    #[arg(long, value_name = "BASE,MULTIPLE", value_parser = audience)]
    audience: Option<(u32, f64)>,
    #[command(flatten)]
    connection: Connection,
}

fn audience(text: &str) -> Result<(u32, f64), String> {
    let (base, multiple) = text
        .split_once(',')
        .ok_or("BASE,MULTIPLE: two numbers, e.g. 100,1.5")?;
    Ok((
        base.trim()
            .parse()
            .map_err(|_| format!("{base:?} is not a count"))?,
        multiple
            .trim()
            .parse()
            .map_err(|_| format!("{multiple:?} is not a number"))?,
    ))
}

/// Upload an image (PNG, JPEG, GIF, BMP) for webinar rooms and print its file ID (a
/// progress bar on a terminal).
#[derive(Debug, Args)]
struct Upload {
    /// The image file.
    file: PathBuf,
    #[command(flatten)]
    connection: Connection,
}

/// A time as the service's UTC minute, shown in `zone`.
fn shown(at: Option<SystemTime>, zone: &jiff::tz::TimeZone) -> Option<String> {
    let at = jiff::Timestamp::try_from(at?).ok()?;
    Some(
        at.to_zoned(zone.clone())
            .strftime("%Y-%m-%d %H:%M %Z")
            .to_string(),
    )
}

/// A webinar as printed. No `Debug`: it may hold the passwords.
#[derive(Serialize)]
struct Shown {
    id: String,
    state: &'static str,
    subject: Option<String>,
    start: Option<String>,
    minutes: Option<u32>,
    room: Option<String>,
    panelists: Vec<String>,
    audience_link: Option<String>,
    panelist_link: Option<String>,
    host_link: Option<String>,
    /// Only with --show-passwords.
    #[serde(skip_serializing_if = "Option::is_none")]
    passwords: Option<Passwords>,
}

#[derive(Serialize)]
struct Passwords {
    host: Option<String>,
    panelists: Option<String>,
    audience: Option<String>,
}

impl Shown {
    fn new(w: WebinarDetails, show_passwords: bool) -> Self {
        let expose = |p: &Option<SecretString>| p.as_ref().map(|p| p.expose_secret().to_owned());
        Self {
            passwords: show_passwords.then(|| Passwords {
                host: expose(&w.host_password),
                panelists: expose(&w.panelist_password),
                audience: expose(&w.audience_password),
            }),
            state: match w.phase {
                WebinarPhase::Scheduled => "scheduled",
                WebinarPhase::InProgress => "in progress",
                WebinarPhase::Over => "over",
                _ => "unknown",
            },
            start: shown(w.start, &jiff::tz::TimeZone::UTC),
            id: w.id,
            subject: w.subject,
            minutes: w.minutes,
            room: w.room,
            panelists: w.panelists,
            audience_link: w.audience_link,
            panelist_link: w.panelist_link,
            host_link: w.host_link,
        }
    }
}

impl Report for Shown {
    fn text(&self) -> String {
        let or = |v: &Option<String>| {
            v.as_deref()
                .map(meeting::printable)
                .unwrap_or_else(|| "-".into())
        };
        let mut text = format!(
            "Webinar {} ({}): {}\n  starts {}, {} minutes, room {}\n  panelists: {}\n  audience link: {}",
            meeting::printable(&self.id),
            self.state,
            or(&self.subject),
            or(&self.start),
            self.minutes.map_or("-".into(), |m| m.to_string()),
            or(&self.room),
            if self.panelists.is_empty() {
                "-".to_owned()
            } else {
                meeting::printable(&self.panelists.join(", "))
            },
            or(&self.audience_link),
        );
        if let Some(p) = &self.passwords {
            text.push_str(&format!(
                "\n  host password: {}\n  panelists' password: {}\n  audience's password: {}",
                or(&p.host),
                or(&p.panelists),
                or(&p.audience)
            ));
        }
        text
    }
}

/// A change made.
#[derive(Debug, Serialize)]
struct Done {
    ok: bool,
    id: String,
    #[serde(skip)]
    text: String,
}

impl Report for Done {
    fn text(&self) -> String {
        self.text.clone()
    }
}

fn done(id: &str, text: String) -> Done {
    Done {
        ok: true,
        id: id.to_owned(),
        text,
    }
}

/// A list of webinars.
#[derive(Debug, Serialize)]
struct Listed {
    kind: &'static str,
    webinars: Vec<Row>,
}

#[derive(Debug, Serialize)]
struct Row {
    id: String,
    subject: Option<String>,
    start: Option<String>,
    minutes: Option<u32>,
    room: Option<String>,
    attendees: Option<u32>,
}

impl Report for Listed {
    fn text(&self) -> String {
        let mut text = format!("{} webinar(s) {}:", self.webinars.len(), self.kind);
        for w in &self.webinars {
            text.push_str(&format!(
                "\n  {:<10}  {:<22}  {:>4} min  {}{}",
                meeting::printable(&w.id),
                w.start.as_deref().unwrap_or("-"),
                w.minutes.map_or("-".into(), |m| m.to_string()),
                meeting::printable(w.subject.as_deref().unwrap_or("")),
                w.attendees
                    .map_or(String::new(), |n| format!("  ({n} attended)")),
            ));
        }
        text
    }
}

/// A webinar's room settings.
#[derive(Debug, Serialize)]
struct RoomShown {
    id: String,
    introduction: Option<String>,
    logo: Option<String>,
    cover: Option<String>,
    show_audience: Option<bool>,
    base_audience: Option<u32>,
    multiple: Option<f64>,
}

impl Report for RoomShown {
    fn text(&self) -> String {
        let or = |v: &Option<String>| {
            v.as_deref()
                .map(meeting::printable)
                .unwrap_or_else(|| "-".into())
        };
        format!(
            "Room of webinar {}:\n  introduction: {}\n  logo: {}\n  cover: {}\n  audience shown: {}",
            meeting::printable(&self.id),
            or(&self.introduction),
            or(&self.logo),
            or(&self.cover),
            match (self.show_audience, self.base_audience, self.multiple) {
                (Some(false), _, _) => "no".to_owned(),
                (_, Some(base), Some(m)) => format!("{base} + the audience × {m}"),
                _ => "the audience".to_owned(),
            }
        )
    }
}

/// An image uploaded.
#[derive(Debug, Serialize)]
struct Uploaded {
    file_id: String,
    verdict: Option<String>,
}

impl Report for Uploaded {
    fn text(&self) -> String {
        meeting::printable(&self.file_id)
    }
}

/// A progress bar on stderr when it is a terminal: `done` of `total` bytes.
fn progress(name: String, total: u64) -> impl Fn(u64) + Send + Sync + 'static {
    let terminal = std::io::stderr().is_terminal();
    move |sent| {
        if !terminal {
            return;
        }
        let share = if total == 0 {
            1.0
        } else {
            sent as f64 / total as f64
        };
        let filled = (share * 30.0).round().clamp(0.0, 30.0) as usize;
        let mut err = std::io::stderr();
        let _ = write!(
            err,
            "\r{} [{}{}] {:>3}%{}",
            meeting::printable(&name),
            "#".repeat(filled),
            " ".repeat(30 - filled),
            (share * 100.0).round().clamp(0.0, 100.0) as u32,
            if sent >= total { "\n" } else { "" }
        );
        let _ = err.flush();
    }
}

impl Webinar {
    /// Runs the subcommand and prints what it answers.
    pub async fn run(self, global: &Global) -> Result<(), Failure> {
        let json = global.json;
        let connect = |connection: &Connection| -> Result<meeting::Client, Failure> {
            client(
                &connection.endpoint,
                global,
                Some(credentials(&connection.login)?),
            )
        };
        match self.command {
            WebinarCommand::Create(c) => {
                let webinar = c.schedule.webinar(&c.room)?;
                let created = connect(&c.connection)?.create_webinar(&webinar).await?;
                emit(json, &Shown::new(created, c.show_passwords));
            }
            WebinarCommand::Show(c) => {
                let details = connect(&c.connection)?.webinar(&c.id).details().await?;
                emit(json, &Shown::new(details, c.show_passwords));
            }
            WebinarCommand::Update(c) => {
                let webinar = c.schedule.webinar("")?;
                connect(&c.connection)?
                    .webinar(&c.id)
                    .update(&webinar)
                    .await?;
                emit(
                    json,
                    &done(
                        &c.id,
                        format!("Changed webinar {}.", meeting::printable(&c.id)),
                    ),
                );
            }
            WebinarCommand::Delete(c) => {
                connect(&c.connection)?.webinar(&c.id).delete().await?;
                emit(
                    json,
                    &done(
                        &c.id,
                        format!("Cancelled webinar {}.", meeting::printable(&c.id)),
                    ),
                );
            }
            WebinarCommand::List(c) => {
                let zone = zone(c.time_zone.as_deref())?;
                let mut search = connect(&c.connection)?.webinars();
                if let Some(text) = &c.matching {
                    search = search.matching(text);
                }
                if c.newest_first {
                    search = search.newest_first();
                }
                if let Some(zone) = &c.time_zone {
                    search = search.time_zone(zone);
                }
                if let (Some(from), Some(to)) = (&c.from, &c.to) {
                    search = search.between(from, to);
                }
                let (kind, listing) = if c.history {
                    ("over", search.history()?)
                } else if c.ongoing {
                    ("in progress", search.ongoing()?)
                } else {
                    ("upcoming", search.upcoming()?)
                };
                let webinars = listing
                    .collect_all()
                    .await?
                    .into_iter()
                    .map(|w| Row {
                        start: shown(w.started.or(w.start), &zone),
                        id: w.id,
                        subject: w.subject,
                        minutes: w.minutes,
                        room: w.room,
                        attendees: w.attendees,
                    })
                    .collect();
                emit(json, &Listed { kind, webinars });
            }
            WebinarCommand::Room(Room {
                set: Some(RoomCommand::Set(c)),
                ..
            }) => {
                let mut settings = RoomSettings::new();
                if let Some(text) = &c.intro {
                    settings = settings.introduction(text);
                }
                if let Some(file) = &c.logo {
                    settings = settings.logo(file);
                }
                if let Some(file) = &c.cover {
                    settings = settings.cover(file);
                }
                if let Some(shown) = c.show_audience {
                    settings = settings.show_audience(shown);
                }
                if let Some((base, multiple)) = c.audience {
                    settings = settings.audience_shown(base, multiple);
                }
                if settings == RoomSettings::new() {
                    return Err(Failure::Usage(
                        "nothing to change: give --intro, --logo, --cover, --show-audience or --audience".into(),
                    ));
                }
                connect(&c.connection)?
                    .webinar(&c.id)
                    .set_room_settings(&settings)
                    .await?;
                emit(
                    json,
                    &done(
                        &c.id,
                        format!("Changed the room of webinar {}.", meeting::printable(&c.id)),
                    ),
                );
            }
            WebinarCommand::Room(Room { id, connection, .. }) => {
                let id = id.ok_or_else(|| {
                    Failure::Usage("the webinar's ID is needed: meeting webinar room ID".into())
                })?;
                let s = connect(&connection)?.webinar(&id).room_settings().await?;
                emit(
                    json,
                    &RoomShown {
                        id,
                        introduction: s.introduction,
                        logo: s.logo,
                        cover: s.cover,
                        show_audience: s.show_audience,
                        base_audience: s.base_audience,
                        multiple: s.multiple,
                    },
                );
            }
            WebinarCommand::Upload(c) => {
                let total = std::fs::metadata(&c.file).map(|m| m.len()).unwrap_or(0);
                let name = c
                    .file
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let image = WebinarImage::path(&c.file).on_progress(progress(name, total));
                let uploaded = connect(&c.connection)?.upload_webinar_image(image).await?;
                emit(
                    json,
                    &Uploaded {
                        file_id: uploaded.file_id,
                        verdict: uploaded.verdict,
                    },
                );
            }
        }
        Ok(())
    }
}

/// This family's commands, flattened into the top-level command: adding one is a
/// variant here and its arm in [`Commands::run`], which the compiler holds together.
#[derive(Debug, clap::Subcommand)]
pub enum Commands {
    Webinar(Webinar),
}

impl Commands {
    /// Runs the command and prints what it answers.
    pub(super) async fn run(self, global: &Global) -> Result<(), Failure> {
        match self {
            Self::Webinar(c) => c.run(global).await?,
        }
        Ok(())
    }
}
