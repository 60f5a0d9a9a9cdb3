//! Media quality: each participant's network and streams in a meeting in progress
//! (`network`), the enterprise's metrics over a meeting with sparklines (`quality`),
//! and the alarm thresholds (`thresholds`).

use std::time::{Duration, SystemTime};

use clap::{Args, ValueEnum};
use futures_util::TryStreamExt;
use meeting::{
    Held, MAX_QUALITY_PARTICIPANTS, Metric, NetworkQuality, QosKind, QosPoint, QosSeries,
    QosThresholdsUpdate, Way,
};
use meeting_api::operations::{
    LIST_NETWORK_QUALITY, SEARCH_HIS_MEETINGS, SEARCH_QOS_HISTORY_MEETINGS,
    SEARCH_QOS_ONLINE_MEETINGS, SEARCH_QOS_PARTICIPANT_DETAIL, SEARCH_QOS_PARTICIPANTS,
    SEARCH_STATISTIC_CONFERENCE_INFO, SEARCH_STATISTIC_CONFERENCE_PARTICIPANT,
    SEARCH_STATISTIC_RESOURCE_INFO, SEARCH_STATISTIC_USER_INFO, SET_QOS_THRESHOLD,
    SHOW_HIS_MEETING_DETAIL, SHOW_QOS_THRESHOLD, SHOW_REAL_TIME_INFO_OF_MEETING,
};
use serde::Serialize;

use super::history::{is_uuid, past_meeting, zone};
use super::{Family, Run};
use crate::args::{Connection, Global, Target};
use crate::chart;
use crate::connect::{client, conference, credentials};
use crate::output::{Failure, Report};

/// This family in the help: each command and the operations of the spec it sends.
pub(super) const FAMILY: Family = Family {
    heading: "Quality",
    commands: &[
        (
            "network",
            &[&LIST_NETWORK_QUALITY, &SHOW_REAL_TIME_INFO_OF_MEETING],
        ),
        (
            "quality",
            &[
                &SEARCH_QOS_ONLINE_MEETINGS,
                &SEARCH_QOS_HISTORY_MEETINGS,
                &SEARCH_HIS_MEETINGS,
                &SHOW_HIS_MEETING_DETAIL,
                &SEARCH_QOS_PARTICIPANTS,
                &SEARCH_QOS_PARTICIPANT_DETAIL,
            ],
        ),
        ("thresholds", &[&SHOW_QOS_THRESHOLD, &SET_QOS_THRESHOLD]),
        (
            "dashboard",
            &[
                &SEARCH_STATISTIC_CONFERENCE_INFO,
                &SEARCH_STATISTIC_CONFERENCE_PARTICIPANT,
                &SEARCH_STATISTIC_RESOURCE_INFO,
                &SEARCH_STATISTIC_USER_INFO,
            ],
        ),
    ],
};

/// Show the network quality of a meeting's participants now: rating, bandwidth, loss
/// and delay each way (everyone in the meeting unless participants are named).
#[derive(Debug, Args)]
pub struct Network {
    #[command(flatten)]
    target: Target,
    /// Only these participant IDs.
    participants: Vec<String>,
}

/// The participants' quality.
#[derive(Debug, Serialize)]
pub struct NetworkReport {
    conference: String,
    participants: Vec<Row>,
}

/// One participant's figures.
#[derive(Debug, Serialize)]
struct Row {
    id: String,
    name: Option<String>,
    rating: Option<String>,
    sent_kbps: Option<u32>,
    received_kbps: Option<u32>,
    sent_loss_permille: Option<u32>,
    received_loss_permille: Option<u32>,
    delay_ms: Option<u128>,
}

impl Row {
    fn new(q: NetworkQuality, name: Option<String>) -> Self {
        Self {
            rating: q.rating.map(|r| r.to_string()),
            sent_kbps: q.sent_kbps,
            received_kbps: q.received_kbps,
            sent_loss_permille: q.sent_loss_permille,
            received_loss_permille: q.received_loss_permille,
            delay_ms: q.delay.map(|d| d.as_millis()),
            id: q.participant,
            name,
        }
    }
}

impl Report for NetworkReport {
    fn text(&self) -> String {
        let mut text = format!(
            "Network quality in meeting {} ({} participant(s)):\n  {:<34} {:<6} {:>11} {:>11} {:>9} {:>9} {:>7}  name",
            meeting::printable(&self.conference),
            self.participants.len(),
            "participant",
            "rating",
            "sent kb/s",
            "recv kb/s",
            "loss up",
            "loss dn",
            "delay",
        );
        let n = |v: Option<u32>| v.map_or("-".to_owned(), |n| n.to_string());
        let permille = |v: Option<u32>| v.map_or("-".to_owned(), |n| format!("{n}‰"));
        for p in &self.participants {
            text.push_str(&format!(
                "\n  {:<34} {:<6} {:>11} {:>11} {:>9} {:>9} {:>7}  {}",
                p.id,
                p.rating.as_deref().unwrap_or("-"),
                n(p.sent_kbps),
                n(p.received_kbps),
                permille(p.sent_loss_permille),
                permille(p.received_loss_permille),
                p.delay_ms.map_or("-".to_owned(), |ms| format!("{ms} ms")),
                meeting::printable(p.name.as_deref().unwrap_or("")),
            ));
        }
        text
    }
}

impl Run for Network {
    type Report = NetworkReport;
    async fn run(self, global: &Global) -> Result<NetworkReport, Failure> {
        let meeting = conference(&self.target, global)?;
        // The names come with the participant list, which names everyone when no one is.
        let live = meeting.live().await?;
        let name = |id: &str| {
            live.participants
                .iter()
                .find(|p| p.id == id)
                .and_then(|p| p.name.clone())
        };
        let wanted: Vec<String> = if self.participants.is_empty() {
            live.participants.iter().map(|p| p.id.clone()).collect()
        } else {
            self.participants
        };
        let mut participants = Vec::with_capacity(wanted.len());
        for chunk in wanted.chunks(MAX_QUALITY_PARTICIPANTS) {
            for quality in meeting.network_quality(chunk.iter().cloned()).await? {
                let name = name(&quality.participant);
                participants.push(Row::new(quality, name));
            }
        }
        Ok(NetworkReport {
            conference: self.target.conference,
            participants,
        })
    }
}

/// A kind of quality series, as the command line names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Kind {
    Audio,
    Video,
    Screen,
    Cpu,
}

impl From<Kind> for QosKind {
    fn from(kind: Kind) -> Self {
        match kind {
            Kind::Audio => QosKind::Audio,
            Kind::Video => QosKind::Video,
            Kind::Screen => QosKind::Screen,
            Kind::Cpu => QosKind::Cpu,
        }
    }
}

/// The metric a participant's sparkline draws.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Drawn {
    Loss,
    Latency,
    Jitter,
    Bitrate,
}

impl From<Drawn> for Metric {
    fn from(drawn: Drawn) -> Self {
        match drawn {
            Drawn::Loss => Metric::PacketLoss,
            Drawn::Latency => Metric::Latency,
            Drawn::Jitter => Metric::Jitter,
            Drawn::Bitrate => Metric::Bitrate,
        }
    }
}

/// Show a meeting's quality (an administrator's): each participant's alarms and a
/// sparkline of one metric, one mark a minute (`!` where it alarmed); with a
/// participant, every series of the kind; without a meeting, the meetings in progress
/// (or, with --from and --to, past) with their alarms.
#[derive(Debug, Args)]
pub struct Quality {
    /// The meeting's UUID, or its conference ID (in progress, or if it ended once).
    meeting: Option<String>,
    /// Only this participant, with every series of the kind.
    participant: Option<String>,
    /// Which series: audio, video, screen (sharing) or cpu.
    #[arg(long, value_enum, default_value = "audio")]
    kind: Kind,
    /// The metric of the participants' sparklines (the media's).
    #[arg(long, value_enum, default_value = "loss")]
    metric: Drawn,
    /// The received streams' sparklines instead of the sent ones.
    #[arg(long)]
    received: bool,
    /// Without a meeting: the past meetings that started from this day (YYYY-MM-DD,
    /// in --time-zone).
    #[arg(long, value_name = "DATE", requires = "to", conflicts_with = "meeting")]
    from: Option<String>,
    /// ... to this day.
    #[arg(
        long,
        value_name = "DATE",
        requires = "from",
        conflicts_with = "meeting"
    )]
    to: Option<String>,
    /// The time zone of the times printed and charted: an IANA name (default UTC).
    #[arg(long, value_name = "ZONE")]
    time_zone: Option<String>,
    /// Also draw the meeting as a chart, FILE.svg or FILE.png: a panel per kind and
    /// way (the --metric's series of each participant, the CPU's), the threshold as a
    /// line, alarm periods shaded.
    #[arg(long, value_name = "FILE", requires = "meeting")]
    chart: Option<std::path::PathBuf>,
    #[command(flatten)]
    connection: Connection,
}

/// A series as the report prints it.
#[derive(Debug, Serialize)]
struct SeriesRow {
    metric: &'static str,
    unit: &'static str,
    way: Option<&'static str>,
    sparkline: String,
    max: Option<u32>,
    threshold: Option<u32>,
    /// The alarm periods, in the zone asked.
    alarms: Vec<String>,
    #[serde(skip)]
    label: String,
}

impl SeriesRow {
    fn new(
        metric: Metric,
        way: Option<Way>,
        points: &[QosPoint],
        zone: &jiff::tz::TimeZone,
    ) -> Self {
        let way = way.map(|w| match w {
            Way::Sent => "sent",
            Way::Received => "received",
        });
        Self {
            metric: metric.name(),
            unit: metric.unit(),
            way,
            sparkline: sparkline(points),
            max: points.iter().map(|p| p.value).max(),
            threshold: points.iter().find_map(|p| p.threshold),
            alarms: alarm_periods(points, zone),
            label: format!("{} {}", way.unwrap_or(""), metric.name())
                .trim()
                .to_owned(),
        }
    }

    fn of(series: &QosSeries, zone: &jiff::tz::TimeZone) -> Self {
        Self::new(series.metric, series.way, &series.points, zone)
    }

    fn text(&self) -> String {
        let max = self
            .max
            .map_or("-".to_owned(), |m| format!("{m} {}", self.unit));
        let threshold = self
            .threshold
            .map_or(String::new(), |t| format!(" (threshold {t})"));
        let alarms = if self.alarms.is_empty() {
            String::new()
        } else {
            format!("  ! {}", self.alarms.join(", "))
        };
        format!("{}  max {max}{threshold}{alarms}", self.sparkline)
    }
}

/// One mark a minute, scaled to the series' largest value (or its threshold, if
/// higher); `!` where the point alarmed. Long series keep their last 60 minutes.
fn sparkline(points: &[QosPoint]) -> String {
    const MARKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let points = &points[points.len().saturating_sub(60)..];
    let top = points
        .iter()
        .map(|p| p.value.max(p.threshold.unwrap_or(0)))
        .max()
        .unwrap_or(0)
        .max(1);
    points
        .iter()
        .map(|p| {
            if p.alarm {
                '!'
            } else {
                let level = (u64::from(p.value) * 7).div_ceil(u64::from(top));
                MARKS[usize::try_from(level).unwrap_or(7).min(7)]
            }
        })
        .collect()
}

/// The runs of alarmed points: their first and last point's time.
fn alarm_runs(points: &[QosPoint]) -> Vec<(SystemTime, SystemTime)> {
    let mut runs = Vec::new();
    let mut run: Option<(SystemTime, SystemTime)> = None;
    for point in points {
        match (&mut run, point.alarm) {
            (Some((_, last)), true) => *last = point.at,
            (None, true) => run = Some((point.at, point.at)),
            (Some(_), false) => runs.extend(run.take()),
            (None, false) => {}
        }
    }
    runs.extend(run);
    runs
}

/// The runs of alarmed points, as `HH:MM–HH:MM` (their first and last minute) in
/// `zone`.
fn alarm_periods(points: &[QosPoint], zone: &jiff::tz::TimeZone) -> Vec<String> {
    let at = |t: SystemTime| {
        jiff::Timestamp::try_from(t)
            .map(|t| t.to_zoned(zone.clone()).strftime("%H:%M").to_string())
            .unwrap_or_default()
    };
    alarm_runs(points)
        .into_iter()
        .map(|(first, last)| {
            let (first, last) = (at(first), at(last));
            if first == last {
                first
            } else {
                format!("{first}–{last}")
            }
        })
        .collect()
}

/// A participant's row.
#[derive(Debug, Serialize)]
struct ParticipantRow {
    id: String,
    name: Option<String>,
    alarms: Vec<&'static str>,
    series: SeriesRow,
}

/// What `meeting quality` answers: the meetings, or one meeting's quality.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum QualityReport {
    Meetings(MeetingsReport),
    Meeting(MeetingQuality),
}

impl Report for QualityReport {
    fn text(&self) -> String {
        match self {
            Self::Meetings(m) => m.text(),
            Self::Meeting(m) => m.text(),
        }
    }
}

/// The meetings with their alarms.
#[derive(Debug, Serialize)]
pub struct MeetingsReport {
    in_progress: bool,
    meetings: Vec<MeetingRow>,
}

/// One meeting with its alarms.
#[derive(Debug, Serialize)]
struct MeetingRow {
    uuid: String,
    id: Option<String>,
    subject: Option<String>,
    start: String,
    stays: Option<u32>,
    alarms: Vec<&'static str>,
}

impl Report for MeetingsReport {
    fn text(&self) -> String {
        let mut text = format!(
            "{} {} meeting(s), their quality alarms:",
            self.meetings.len(),
            if self.in_progress {
                "in progress"
            } else {
                "past"
            }
        );
        for m in &self.meetings {
            let alarms = if m.alarms.is_empty() {
                "-".to_owned()
            } else {
                m.alarms.join(",")
            };
            text.push_str(&format!(
                "\n  {}  {:<10} {:<16} {:>3} stays  {:<24} {}",
                meeting::printable(&m.uuid),
                meeting::printable(m.id.as_deref().unwrap_or("-")),
                m.start,
                m.stays.map_or("-".to_owned(), |n| n.to_string()),
                alarms,
                meeting::printable(m.subject.as_deref().unwrap_or("")),
            ));
        }
        text
    }
}

/// A meeting's quality.
#[derive(Debug, Serialize)]
pub struct MeetingQuality {
    meeting: String,
    uuid: String,
    in_progress: bool,
    kind: &'static str,
    /// Without a participant: one row each.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    participants: Vec<ParticipantRow>,
    /// With a participant: each series of the kind.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    series: Vec<SeriesRow>,
}

impl Report for MeetingQuality {
    fn text(&self) -> String {
        let mut text = format!(
            "Quality of meeting {} ({}, {}), one mark a minute, ! an alarm:",
            meeting::printable(&self.meeting),
            if self.in_progress {
                "in progress"
            } else {
                "over"
            },
            self.kind
        );
        for p in &self.participants {
            let alarms = if p.alarms.is_empty() {
                "-".to_owned()
            } else {
                p.alarms.join(",")
            };
            text.push_str(&format!(
                "\n  {:<34} {:<18} {:<18} {}: {}",
                meeting::printable(&p.id),
                meeting::printable(p.name.as_deref().unwrap_or("")),
                alarms,
                p.series.label,
                p.series.text()
            ));
        }
        for s in &self.series {
            text.push_str(&format!("\n  {:<22} {}", s.label, s.text()));
        }
        text
    }
}

/// The names of a participant's alarms.
fn alarm_names(alarms: &meeting::QosAlarms) -> Vec<&'static str> {
    let media = [("audio", 0), ("video", 1), ("screen", 2)];
    let mut names = Vec::new();
    for (name, i) in media {
        match (alarms.sent[i], alarms.received[i]) {
            (true, true) => names.push(name),
            (true, false) => names.push(match name {
                "audio" => "audio-sent",
                "video" => "video-sent",
                _ => "screen-sent",
            }),
            (false, true) => names.push(match name {
                "audio" => "audio-received",
                "video" => "video-received",
                _ => "screen-received",
            }),
            (false, false) => {}
        }
    }
    if alarms.cpu {
        names.push("cpu");
    }
    names
}

/// The meetings in progress, or (with both days) those that started within them.
async fn meetings(
    client: &meeting::Client,
    days: Option<(&str, &str)>,
    zone: &jiff::tz::TimeZone,
) -> Result<MeetingsReport, Failure> {
    let day = |text: &str, next: bool| -> Result<std::time::SystemTime, Failure> {
        let date: jiff::civil::Date = text.parse().map_err(|_| {
            Failure::Usage(format!(
                "{} is not a date (YYYY-MM-DD)",
                meeting::printable(text)
            ))
        })?;
        let date = if next {
            date.tomorrow().unwrap_or(date)
        } else {
            date
        };
        let start = date
            .to_zoned(zone.clone())
            .map_err(|e| Failure::Usage(e.to_string()))?
            .timestamp();
        let ms = u64::try_from(start.as_millisecond()).unwrap_or(0);
        Ok(std::time::UNIX_EPOCH + Duration::from_millis(ms))
    };
    let listing = match days {
        None => client.qos_meetings(None)?,
        Some((from, to)) => {
            let end = day(to, true)?
                .checked_sub(Duration::from_millis(1))
                .unwrap_or(std::time::UNIX_EPOCH);
            client.qos_past_meetings(day(from, false)?, end, None)?
        }
    };
    let found: Vec<meeting::QosMeeting> = listing.collect_all().await?;
    let meetings = found
        .into_iter()
        .map(|m| MeetingRow {
            start: m
                .start
                .and_then(|t| jiff::Timestamp::try_from(t).ok())
                .map(|t| {
                    t.to_zoned(zone.clone())
                        .strftime("%Y-%m-%d %H:%M")
                        .to_string()
                })
                .unwrap_or_else(|| "-".to_owned()),
            alarms: QosKind::ALL
                .into_iter()
                .filter(|k| m.alarms.of(*k))
                .map(QosKind::as_str)
                .collect(),
            uuid: m.uuid,
            id: m.id,
            subject: m.subject,
            stays: m.stays,
        })
        .collect();
    Ok(MeetingsReport {
        in_progress: days.is_none(),
        meetings,
    })
}

impl Run for Quality {
    type Report = QualityReport;
    async fn run(self, global: &Global) -> Result<QualityReport, Failure> {
        let zone = zone(self.time_zone.as_deref())?;
        let chart = self
            .chart
            .as_deref()
            .map(chart::Target::create)
            .transpose()?;
        let login = Some(credentials(&self.connection.login)?);
        let client = client(&self.connection.endpoint, global, login)?;
        let Some(wanted) = self.meeting else {
            let days = self.from.as_deref().zip(self.to.as_deref());
            return Ok(QualityReport::Meetings(
                meetings(&client, days, &zone).await?,
            ));
        };
        // In progress: the quality list has it (by ID, or by UUID); else it is over.
        let search = (!is_uuid(&wanted)).then_some(wanted.as_str());
        let mut live = client.qos_meetings(search)?;
        let mut found = None;
        while let Some(m) = live.try_next().await? {
            if m.uuid == wanted || m.id.as_deref() == Some(wanted.as_str()) {
                found = Some(m);
                break;
            }
        }
        let (uuid, held, span) = match found {
            Some(m) => (m.uuid, Held::Now, m.start.zip(m.end)),
            None => {
                let past = past_meeting(&client, &wanted).await?;
                // Only a chart needs its times.
                let span = match chart {
                    Some(_) => past_span(&past.details().await?),
                    None => None,
                };
                (past.uuid().to_owned(), Held::Before, span)
            }
        };
        let kind = QosKind::from(self.kind);
        let mut report = MeetingQuality {
            meeting: wanted,
            uuid: uuid.clone(),
            in_progress: held == Held::Now,
            kind: kind.as_str(),
            participants: Vec::new(),
            series: Vec::new(),
        };
        let drawn = Metric::from(self.metric);
        if let Some(participant) = &self.participant {
            let detail = client.qos_series(&uuid, held, participant, kind).await?;
            report.series = detail
                .series
                .iter()
                .map(|s| SeriesRow::of(s, &zone))
                .collect();
            if let Some(target) = chart {
                let name = detail.participant.and_then(|p| p.name);
                let people = [(participant.clone(), name)];
                let drawing = QualityChart::fetch(&client, &uuid, held, &people).await?;
                target.write(&drawing.chart(&report.meeting, drawn, span, zone))?;
            }
            return Ok(QualityReport::Meeting(report));
        }
        let (metric, way) = match kind {
            QosKind::Cpu => (Metric::AppCpu, None),
            _ => (
                drawn,
                Some(if self.received {
                    Way::Received
                } else {
                    Way::Sent
                }),
            ),
        };
        let stays: Vec<meeting::QosParticipant> = client
            .qos_participants(&uuid, held, None)?
            .collect_all()
            .await?;
        // One row a participant (its stays share its series).
        let mut seen = std::collections::HashSet::new();
        for stay in stays.into_iter().filter(|s| seen.insert(s.id.clone())) {
            let detail = client.qos_series(&uuid, held, &stay.id, kind).await?;
            let series = detail
                .series
                .iter()
                .find(|s| s.metric == metric && s.way == way)
                .map(|s| SeriesRow::of(s, &zone))
                // A medium not kept for this participant: no points.
                .unwrap_or_else(|| SeriesRow::new(metric, way, &[], &zone));
            report.participants.push(ParticipantRow {
                alarms: alarm_names(&stay.alarms),
                id: stay.id,
                name: stay.name,
                series,
            });
        }
        if let Some(target) = chart {
            let people: Vec<(String, Option<String>)> = report
                .participants
                .iter()
                .map(|p| (p.id.clone(), p.name.clone()))
                .take(chart::MAX_LINES)
                .collect();
            if report.participants.len() > people.len() {
                say!(
                    "The chart draws the first {} of {} participants (name one to draw it).",
                    people.len(),
                    report.participants.len()
                );
            }
            let drawing = QualityChart::fetch(&client, &uuid, held, &people).await?;
            target.write(&drawing.chart(&report.meeting, drawn, span, zone))?;
        }
        Ok(QualityReport::Meeting(report))
    }
}

/// A past meeting's start and end (the service's `YYYY-MM-DD HH:MM`, UTC).
fn past_span(details: &meeting::MeetingDetails) -> Option<(SystemTime, SystemTime)> {
    let at = |text: &Option<String>| -> Option<SystemTime> {
        let civil = jiff::civil::DateTime::strptime("%Y-%m-%d %H:%M", text.as_deref()?).ok()?;
        let instant = civil.to_zoned(jiff::tz::TimeZone::UTC).ok()?.timestamp();
        Some(SystemTime::from(instant))
    };
    at(&details.start_time).zip(at(&details.end_time))
}

/// The series a quality chart draws: every kind's, of each participant.
struct QualityChart {
    /// The legend: each participant's name (or ID), in colour order.
    legend: Vec<String>,
    /// Each series, with its participant's place in the legend.
    series: Vec<(usize, QosSeries)>,
}

impl QualityChart {
    /// The panels: each medium each way, and the CPU.
    const PANELS: [(QosKind, Option<Way>); 7] = [
        (QosKind::Audio, Some(Way::Sent)),
        (QosKind::Audio, Some(Way::Received)),
        (QosKind::Video, Some(Way::Sent)),
        (QosKind::Video, Some(Way::Received)),
        (QosKind::Screen, Some(Way::Sent)),
        (QosKind::Screen, Some(Way::Received)),
        (QosKind::Cpu, None),
    ];

    async fn fetch(
        client: &meeting::Client,
        uuid: &str,
        held: Held,
        people: &[(String, Option<String>)],
    ) -> Result<Self, Failure> {
        let mut series = Vec::new();
        for (i, (id, _)) in people.iter().enumerate() {
            for kind in QosKind::ALL {
                let detail = client.qos_series(uuid, held, id, kind).await?;
                series.extend(detail.series.into_iter().map(|s| (i, s)));
            }
        }
        let legend = people
            .iter()
            .map(|(id, name)| name.clone().unwrap_or_else(|| id.clone()))
            .collect();
        Ok(Self { legend, series })
    }

    /// The chart of `metric` (the CPU panel: the app's CPU) over the meeting's `span`
    /// (or, unknown, its points'), in `zone`.
    fn chart(
        self,
        meeting: &str,
        metric: Metric,
        span: Option<(SystemTime, SystemTime)>,
        zone: jiff::tz::TimeZone,
    ) -> chart::Chart {
        let instant = |t: SystemTime| jiff::Timestamp::try_from(t).unwrap_or_default();
        let minute = Duration::from_secs(60);
        let times = self.series.iter().flat_map(|(_, s)| s.points.iter());
        let first = times.clone().map(|p| p.at).min();
        let last = times.filter_map(|p| p.at.checked_add(minute)).max();
        let (start, end) = match (span, first.zip(last)) {
            (Some((s, e)), Some((f, l))) => (s.min(f), e.max(l)),
            (Some(span), None) | (None, Some(span)) => span,
            (None, None) => {
                let now = SystemTime::now();
                (now, now.checked_add(minute).unwrap_or(now))
            }
        };
        let panels = Self::PANELS
            .into_iter()
            .map(|(kind, way)| {
                let metric = if kind == QosKind::Cpu {
                    Metric::AppCpu
                } else {
                    metric
                };
                let drawn: Vec<&(usize, QosSeries)> = self
                    .series
                    .iter()
                    .filter(|(_, s)| s.kind == kind && s.way == way && s.metric == metric)
                    .collect();
                let way = match way {
                    Some(Way::Sent) => " sent",
                    Some(Way::Received) => " received",
                    None => "",
                };
                chart::Panel {
                    title: format!("{}{way}: {}", kind.as_str(), metric.name()),
                    unit: metric.unit(),
                    threshold: drawn
                        .iter()
                        .find_map(|(_, s)| s.points.iter().find_map(|p| p.threshold))
                        .map(f64::from),
                    shaded: drawn
                        .iter()
                        .flat_map(|(_, s)| alarm_runs(&s.points))
                        .map(|(from, to)| {
                            (instant(from), instant(to.checked_add(minute).unwrap_or(to)))
                        })
                        .collect(),
                    lines: drawn
                        .iter()
                        .filter(|(_, s)| !s.points.is_empty())
                        .map(|(i, s)| chart::Line {
                            colour: *i,
                            points: s
                                .points
                                .iter()
                                .map(|p| (instant(p.at), f64::from(p.value)))
                                .collect(),
                        })
                        .collect(),
                }
            })
            .collect();
        chart::Chart {
            title: format!("Quality of meeting {}", meeting::printable(meeting)),
            zone,
            start: instant(start),
            end: instant(end),
            legend: self.legend,
            panels,
        }
    }
}

/// Show the thresholds over which the quality metrics alarm (an administrator's), after
/// changing those given.
#[derive(Debug, Args)]
pub struct Thresholds {
    /// audio, video, screen (sharing) or cpu.
    #[arg(value_enum)]
    kind: Kind,
    /// Latency, ms: SENDING,RECEIVING.
    #[arg(long, value_name = "MS,MS", value_parser = pair)]
    latency: Option<(u32, u32)>,
    /// Jitter, ms: SENDING,RECEIVING.
    #[arg(long, value_name = "MS,MS", value_parser = pair)]
    jitter: Option<(u32, u32)>,
    /// Packet loss, %: SENDING,RECEIVING.
    #[arg(long, value_name = "PCT,PCT", value_parser = pair)]
    loss: Option<(u32, u32)>,
    /// The app's CPU use, % (cpu).
    #[arg(long, value_name = "PCT")]
    app_cpu: Option<u8>,
    /// The system's CPU use, % (cpu).
    #[arg(long, value_name = "PCT")]
    system_cpu: Option<u8>,
    #[command(flatten)]
    connection: Connection,
}

fn pair(text: &str) -> Result<(u32, u32), String> {
    let (a, b) = text
        .split_once(',')
        .ok_or_else(|| "give SENDING,RECEIVING".to_owned())?;
    let number = |s: &str| s.trim().parse::<u32>().map_err(|e| format!("{s:?}: {e}"));
    Ok((number(a)?, number(b)?))
}

/// The thresholds of one kind.
#[derive(Debug, Serialize)]
pub struct ThresholdsReport {
    kind: &'static str,
    changed: bool,
    thresholds: Vec<ThresholdRow>,
}

/// One threshold: each way for the media, one value (`sending`) for the CPU.
#[derive(Debug, Serialize)]
struct ThresholdRow {
    name: &'static str,
    unit: &'static str,
    sending: Option<u32>,
    receiving: Option<u32>,
    sending_default: Option<u32>,
    receiving_default: Option<u32>,
}

impl Report for ThresholdsReport {
    fn text(&self) -> String {
        let mut text = format!(
            "{} thresholds{}:",
            self.kind,
            if self.changed { " (changed)" } else { "" }
        );
        let n = |v: Option<u32>| v.map_or("-".to_owned(), |v| v.to_string());
        for t in &self.thresholds {
            let (name, unit) = (t.name, t.unit);
            if t.receiving.is_none() && t.receiving_default.is_none() {
                text.push_str(&format!(
                    "\n  {name:<12} {} {unit} (default {})",
                    n(t.sending),
                    n(t.sending_default)
                ));
            } else {
                text.push_str(&format!(
                    "\n  {name:<12} sending {} {unit}, receiving {} {unit} (defaults {}, {})",
                    n(t.sending),
                    n(t.receiving),
                    n(t.sending_default),
                    n(t.receiving_default)
                ));
            }
        }
        text
    }
}

impl Run for Thresholds {
    type Report = ThresholdsReport;
    async fn run(self, global: &Global) -> Result<ThresholdsReport, Failure> {
        let kind = QosKind::from(self.kind);
        let ms = |(s, r): (u32, u32)| {
            (
                Duration::from_millis(u64::from(s)),
                Duration::from_millis(u64::from(r)),
            )
        };
        let percent = |p: u32| u8::try_from(p).unwrap_or(u8::MAX);
        let mut update = QosThresholdsUpdate::new();
        if let Some(l) = self.latency {
            let (s, r) = ms(l);
            update = update.latency(s, r);
        }
        if let Some(j) = self.jitter {
            let (s, r) = ms(j);
            update = update.jitter(s, r);
        }
        if let Some((s, r)) = self.loss {
            update = update.packet_loss(percent(s), percent(r));
        }
        if let Some(p) = self.app_cpu {
            update = update.app_cpu(p);
        }
        if let Some(p) = self.system_cpu {
            update = update.system_cpu(p);
        }
        let login = Some(credentials(&self.connection.login)?);
        let client = client(&self.connection.endpoint, global, login)?;
        let changed = update != QosThresholdsUpdate::new();
        if changed {
            client.set_qos_thresholds(kind, &update).await?;
        }
        let t = client.qos_thresholds(kind).await?;
        let mut thresholds = Vec::new();
        for (name, unit, threshold) in [
            ("latency", "ms", t.latency_ms),
            ("jitter", "ms", t.jitter_ms),
            ("packet loss", "%", t.packet_loss_percent),
        ] {
            if let Some(t) = threshold {
                thresholds.push(ThresholdRow {
                    name,
                    unit,
                    sending: t.sending,
                    receiving: t.receiving,
                    sending_default: t.sending_default,
                    receiving_default: t.receiving_default,
                });
            }
        }
        for (name, cpu) in [("app CPU", t.app_cpu), ("system CPU", t.system_cpu)] {
            if let Some(c) = cpu {
                thresholds.push(ThresholdRow {
                    name,
                    unit: "%",
                    sending: c.percent,
                    receiving: None,
                    sending_default: c.default,
                    receiving_default: None,
                });
            }
        }
        Ok(ThresholdsReport {
            kind: kind.as_str(),
            changed,
            thresholds,
        })
    }
}

/// What the dashboard shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Show {
    /// Meetings held, attendances, minutes, the most at once.
    Meetings,
    /// Each user's meetings and time.
    Users,
    /// Each hardware terminal's meetings and time.
    Terminals,
    /// Attendances per kind of device.
    Devices,
    /// Meeting rooms' parties and the most at once.
    Rooms,
    /// The most live streams at once.
    Live,
    /// Recording storage.
    Recording,
    /// Phone minutes.
    Phone,
    /// Users who logged in.
    Logins,
    /// Users activated.
    Activations,
}

/// Show the enterprise's dashboard (an administrator's) per day (the service's days,
/// UTC): by default the meetings of the last seven days.
#[derive(Debug, Args)]
pub struct Dashboard {
    /// What to show.
    #[arg(long, value_enum, default_value = "meetings")]
    show: Show,
    /// The first day, YYYY-MM-DD (default: six days before --to).
    #[arg(long, value_name = "DATE")]
    from: Option<String>,
    /// The last day, YYYY-MM-DD (default: today, UTC).
    #[arg(long, value_name = "DATE")]
    to: Option<String>,
    /// Per month instead (--from and --to YYYY-MM).
    #[arg(long, requires_all = ["from", "to"])]
    monthly: bool,
    /// Also chart the meetings and their participants per day, FILE.svg or FILE.png
    /// (--show meetings).
    #[arg(long, value_name = "FILE", conflicts_with = "monthly")]
    chart: Option<std::path::PathBuf>,
    /// Show when each period starts in this zone (an IANA name), and chart in it.
    #[arg(long, value_name = "ZONE")]
    time_zone: Option<String>,
    #[command(flatten)]
    connection: Connection,
}

/// The dashboard's rows: the period, then its figures by name.
#[derive(Debug, Serialize)]
pub struct DashboardReport {
    show: String,
    rows: Vec<(String, Vec<(String, String)>)>,
}

impl Report for DashboardReport {
    fn text(&self) -> String {
        let mut text = format!(
            "The enterprise's {} ({} row(s)):",
            self.show,
            self.rows.len()
        );
        for (period, figures) in &self.rows {
            let figures: Vec<String> = figures
                .iter()
                .map(|(name, value)| format!("{name} {value}"))
                .collect();
            text.push_str(&format!(
                "\n  {:<10}  {}",
                meeting::printable(period),
                meeting::printable(&figures.join(", "))
            ));
        }
        text
    }
}

impl Run for Dashboard {
    type Report = DashboardReport;
    async fn run(self, global: &Global) -> Result<DashboardReport, Failure> {
        use meeting::{AttendanceBy, Period, ResourceKind, UserStatsKind};
        let period = if self.monthly {
            Period::Months(self.from.unwrap_or_default(), self.to.unwrap_or_default())
        } else {
            let to = match self.to {
                Some(to) => to,
                None => jiff::Timestamp::now()
                    .to_zoned(jiff::tz::TimeZone::UTC)
                    .date()
                    .to_string(),
            };
            let from = match self.from {
                Some(from) => from,
                None => to
                    .parse::<jiff::civil::Date>()
                    .ok()
                    .and_then(|d| d.checked_sub(jiff::Span::new().days(6)).ok())
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| to.clone()),
            };
            Period::Days(from, to)
        };
        if self.chart.is_some() && self.show != Show::Meetings {
            return Err(Failure::Usage(
                "--chart draws the meetings and their participants (--show meetings)".to_owned(),
            ));
        }
        let shown_zone = self
            .time_zone
            .as_deref()
            .map(|z| zone(Some(z)))
            .transpose()?;
        let chart = self
            .chart
            .as_deref()
            .map(chart::Target::create)
            .transpose()?;
        let login = Some(credentials(&self.connection.login)?);
        let client = client(&self.connection.endpoint, global, login)?;
        let n = |v: Option<u64>| v.map_or("-".to_owned(), |v| v.to_string());
        // A row: the period's label, then (in a zone asked) when it starts there, then
        // the figures.
        let row = |period: meeting::StatsPeriod, pairs: Vec<(&str, String)>| {
            let starts = shown_zone.as_ref().map(|zone| {
                let start = period
                    .start()
                    .and_then(|t| jiff::Timestamp::try_from(t).ok())
                    .map(|t| {
                        t.to_zoned(zone.clone())
                            .strftime("%Y-%m-%d %H:%M %Z")
                            .to_string()
                    });
                ("starts", start.unwrap_or_else(|| "-".to_owned()))
            });
            let figures = starts
                .into_iter()
                .chain(pairs)
                .map(|(k, v)| (k.to_owned(), v))
                .collect();
            (period.to_string(), figures)
        };
        let rows: Vec<(String, Vec<(String, String)>)> = match self.show {
            Show::Meetings => {
                let days = client.meeting_statistics(&period)?.collect_all().await?;
                if let Some(target) = chart {
                    let zone = shown_zone.clone().unwrap_or(jiff::tz::TimeZone::UTC);
                    target.write(&daily_chart(&days, zone))?;
                }
                days.into_iter()
                    .map(|m| {
                        let minutes = m.seconds.map(|s| s / 60);
                        row(
                            m.period,
                            vec![
                                ("meetings", n(m.meetings)),
                                ("attendances", n(m.attendances)),
                                ("minutes", n(minutes)),
                                ("at once", n(m.most_at_once)),
                            ],
                        )
                    })
                    .collect()
            }
            Show::Users | Show::Terminals | Show::Devices => {
                let by = match self.show {
                    Show::Users => AttendanceBy::User,
                    Show::Terminals => AttendanceBy::Terminal,
                    _ => AttendanceBy::Device,
                };
                client
                    .attendance_statistics(&period, by)?
                    .collect_all()
                    .await?
                    .into_iter()
                    .map(|a| {
                        let minutes = a.seconds.map(|s| s / 60);
                        row(
                            a.period,
                            vec![
                                ("name", a.name),
                                ("id", a.id.unwrap_or_else(|| "-".to_owned())),
                                ("count", n(a.count)),
                                ("minutes", n(minutes)),
                            ],
                        )
                    })
                    .collect()
            }
            Show::Rooms | Show::Live | Show::Recording | Show::Phone => {
                let kind = match self.show {
                    Show::Rooms => ResourceKind::Rooms,
                    Show::Live => ResourceKind::Live,
                    Show::Recording => ResourceKind::Recording,
                    _ => ResourceKind::Phone,
                };
                client
                    .resource_statistics(&period, kind)?
                    .collect_all()
                    .await?
                    .into_iter()
                    .map(|r| {
                        let figures = match kind {
                            ResourceKind::Rooms => {
                                vec![("parties", n(r.parties)), ("at once", n(r.rooms_at_once))]
                            }
                            ResourceKind::Live => vec![("live at once", n(r.live_at_once))],
                            ResourceKind::Recording => vec![(
                                "GB",
                                r.recording_gb
                                    .map_or("-".to_owned(), |gb| format!("{gb:.2}")),
                            )],
                            ResourceKind::Phone => vec![("phone minutes", n(r.phone_minutes))],
                        };
                        row(r.period, figures)
                    })
                    .collect()
            }
            Show::Logins | Show::Activations => {
                let kind = if self.show == Show::Logins {
                    UserStatsKind::Logins
                } else {
                    UserStatsKind::Activations
                };
                client
                    .user_statistics(&period, kind)?
                    .collect_all()
                    .await?
                    .into_iter()
                    .map(|u| {
                        let figures = if kind == UserStatsKind::Logins {
                            vec![
                                ("users", n(u.logins)),
                                ("PC", n(u.pc_logins)),
                                ("mobile", n(u.mobile_logins)),
                            ]
                        } else {
                            vec![("activated", n(u.activated))]
                        };
                        row(u.period, figures)
                    })
                    .collect()
            }
        };
        let show = self
            .show
            .to_possible_value()
            .map(|v| v.get_name().to_owned())
            .unwrap_or_default();
        Ok(DashboardReport { show, rows })
    }
}

/// The chart of the meetings and their participants per day (the service's days,
/// UTC, each drawn at its start), on an axis in `zone`.
fn daily_chart(days: &[meeting::MeetingStats], zone: jiff::tz::TimeZone) -> chart::Chart {
    let day_start = |period: &meeting::StatsPeriod| jiff::Timestamp::try_from(period.start()?).ok();
    let line = |colour, figure: fn(&meeting::MeetingStats) -> Option<u64>| chart::Line {
        colour,
        points: days
            .iter()
            .filter_map(|d| Some((day_start(&d.period)?, figure(d)? as f64)))
            .collect(),
    };
    let meetings = line(0, |d| d.meetings);
    let participants = line(1, |d| d.attendances);
    let starts = || {
        meetings
            .points
            .iter()
            .chain(&participants.points)
            .map(|p| p.0)
    };
    let start = starts().min().unwrap_or_else(jiff::Timestamp::now);
    let end = starts()
        .max()
        .unwrap_or(start)
        .checked_add(jiff::SignedDuration::from_hours(24))
        .unwrap_or(start);
    let panel = |title: &str, unit, line| chart::Panel {
        title: title.to_owned(),
        unit,
        threshold: None,
        shaded: Vec::new(),
        lines: vec![line],
    };
    chart::Chart {
        title: "The enterprise's meetings per day".to_owned(),
        zone,
        start,
        end,
        legend: vec!["meetings".to_owned(), "participants".to_owned()],
        panels: vec![
            panel("meetings held", "meetings", meetings),
            panel("participants (attendances)", "attendances", participants),
        ],
    }
}

/// This family's commands, flattened into the top-level command: adding one is a
/// variant here and its arm in [`Commands::run`], which the compiler holds together.
#[derive(Debug, clap::Subcommand)]
pub enum Commands {
    Network(Network),
    Quality(Quality),
    Thresholds(Thresholds),
    Dashboard(Dashboard),
}

impl Commands {
    /// Runs the command and prints what it answers.
    pub(super) async fn run(self, global: &Global) -> Result<(), Failure> {
        use crate::output::emit;
        match self {
            Self::Network(c) => emit(global.json, &c.run(global).await?),
            Self::Quality(c) => emit(global.json, &c.run(global).await?),
            Self::Thresholds(c) => emit(global.json, &c.run(global).await?),
            Self::Dashboard(c) => emit(global.json, &c.run(global).await?),
        }
        Ok(())
    }
}
