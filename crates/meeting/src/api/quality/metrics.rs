//! The enterprise's quality metrics (an administrator's): the alarm thresholds, the
//! meetings and participants with their alarms, and a participant's series over a
//! meeting, one point a minute.

use std::time::{Duration, SystemTime};

use meeting_api::operations::{
    SEARCH_QOS_HISTORY_MEETINGS, SEARCH_QOS_ONLINE_MEETINGS, SEARCH_QOS_PARTICIPANT_DETAIL,
    SEARCH_QOS_PARTICIPANTS, SET_QOS_THRESHOLD, SHOW_QOS_THRESHOLD,
};
use meeting_api::types::{
    CpuThresholdData, ParticipantId, PeriodEnd, PeriodStart, QosAlarm, QosConferenceInfo,
    QosDataElement, QosDataNoThrElement, QosParticipantInfo, QosSendReceiveInfo,
    SearchQosHistoryMeetingsSearchKey, SearchQosOnlineMeetingsSearchKey,
    SearchQosParticipantDetailConfType, SearchQosParticipantDetailQosType,
    SearchQosParticipantsConfType, SearchQosParticipantsSearchKey, SetCpuThresholdData,
    SetPacketThresholdData, SetQosThresholdReq, SetQosThresholdThresholdType, SetThresholdData,
    ShowQosThresholdThresholdType, ThresholdData,
};

use crate::client::Client;
use crate::conference::{NO_INPUT, id_problem};
use crate::error::{Context, Error};
use crate::listing::{DEFAULT_PAGE_SIZE, Listing, Page};
use crate::printable;

/// What a threshold or a series is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum QosKind {
    /// Voice.
    Audio,
    /// The camera.
    Video,
    /// Screen sharing.
    Screen,
    /// The CPU of the participant's device.
    Cpu,
}

impl QosKind {
    /// Every kind, in this order.
    pub const ALL: [QosKind; 4] = [Self::Audio, Self::Video, Self::Screen, Self::Cpu];

    /// `audio`, `video`, `screen` or `cpu`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Audio => "audio",
            Self::Video => "video",
            Self::Screen => "screen",
            Self::Cpu => "cpu",
        }
    }
}

impl std::fmt::Display for QosKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a meeting is in progress or over: the quality calls ask for one or the other.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Held {
    /// In progress.
    Now,
    /// Over.
    Before,
}

/// Which way a stream goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Way {
    /// From the participant to the service.
    Sent,
    /// From the service to the participant.
    Received,
}

/// The thresholds to change for one [`QosKind`], each left out unchanged. Latency,
/// jitter and packet loss are the media's (audio, video, screen); the CPU's are the
/// app's and the system's. Checked before sending: at most 10 s, at most 100 %, and
/// only what the kind has.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QosThresholdsUpdate {
    latency: Option<(Duration, Duration)>,
    jitter: Option<(Duration, Duration)>,
    packet_loss: Option<(u8, u8)>,
    app_cpu: Option<u8>,
    system_cpu: Option<u8>,
}

impl QosThresholdsUpdate {
    /// Nothing changed yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The delay over which a stream alarms, sending and receiving (whole milliseconds,
    /// up to 10 s).
    pub fn latency(mut self, sending: Duration, receiving: Duration) -> Self {
        self.latency = Some((sending, receiving));
        self
    }

    /// The jitter over which a stream alarms, sending and receiving.
    pub fn jitter(mut self, sending: Duration, receiving: Duration) -> Self {
        self.jitter = Some((sending, receiving));
        self
    }

    /// The packet loss over which a stream alarms, %, sending and receiving.
    pub fn packet_loss(mut self, sending_percent: u8, receiving_percent: u8) -> Self {
        self.packet_loss = Some((sending_percent, receiving_percent));
        self
    }

    /// The app's CPU use over which a participant alarms, % ([`QosKind::Cpu`]).
    pub fn app_cpu(mut self, percent: u8) -> Self {
        self.app_cpu = Some(percent);
        self
    }

    /// The system's CPU use over which a participant alarms, % ([`QosKind::Cpu`]).
    pub fn system_cpu(mut self, percent: u8) -> Self {
        self.system_cpu = Some(percent);
        self
    }

    /// The request body, or what is wrong with it for `kind`.
    fn to_wire(&self, kind: QosKind) -> Result<SetQosThresholdReq, String> {
        let media = self.latency.is_some() || self.jitter.is_some() || self.packet_loss.is_some();
        let cpu = self.app_cpu.is_some() || self.system_cpu.is_some();
        match kind {
            QosKind::Cpu if media => {
                return Err("the CPU's thresholds are app_cpu and system_cpu only".to_owned());
            }
            QosKind::Audio | QosKind::Video | QosKind::Screen if cpu => {
                return Err(format!(
                    "{kind}'s thresholds are latency, jitter and packet loss (the CPU's are set with QosKind::Cpu)"
                ));
            }
            _ if !media && !cpu => return Err("set at least one threshold".to_owned()),
            _ => {}
        }
        let millis = |what: &str, (sending, receiving): (Duration, Duration)| {
            let ms = |d: Duration| {
                i32::try_from(d.as_millis())
                    .ok()
                    .filter(|ms| *ms <= 10_000)
                    .ok_or_else(|| format!("the {what} threshold is at most 10 s"))
            };
            Ok::<_, String>(SetThresholdData {
                sending: Some(ms(sending)?),
                receiving: Some(ms(receiving)?),
            })
        };
        let percent = |what: &str, p: u8| {
            if p > 100 {
                Err(format!("the {what} threshold is at most 100 %"))
            } else {
                Ok(i32::from(p))
            }
        };
        Ok(SetQosThresholdReq {
            latency: self.latency.map(|l| millis("latency", l)).transpose()?,
            jitter: self.jitter.map(|j| millis("jitter", j)).transpose()?,
            packet_loss: self
                .packet_loss
                .map(|(sending, receiving)| {
                    Ok::<_, String>(SetPacketThresholdData {
                        sending: Some(percent("packet loss", sending)?),
                        receiving: Some(percent("packet loss", receiving)?),
                    })
                })
                .transpose()?,
            client_cpu_max: self
                .app_cpu
                .map(|p| {
                    Ok::<_, String>(SetCpuThresholdData {
                        cpu: Some(percent("app CPU", p)?),
                    })
                })
                .transpose()?,
            system_cpu_max: self
                .system_cpu
                .map(|p| {
                    Ok::<_, String>(SetCpuThresholdData {
                        cpu: Some(percent("system CPU", p)?),
                    })
                })
                .transpose()?,
        })
    }
}

/// A threshold each way, beside the service's defaults; in the unit of its field.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Threshold {
    /// Sending.
    pub sending: Option<u32>,
    /// Receiving.
    pub receiving: Option<u32>,
    /// Sending, by default.
    pub sending_default: Option<u32>,
    /// Receiving, by default.
    pub receiving_default: Option<u32>,
}

/// A CPU threshold, %, beside its default.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CpuThreshold {
    /// As set.
    pub percent: Option<u32>,
    /// By default.
    pub default: Option<u32>,
}

/// The thresholds of one [`QosKind`] (see [`Client::qos_thresholds`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct QosThresholds {
    /// Milliseconds of delay (the media).
    pub latency_ms: Option<Threshold>,
    /// Milliseconds of jitter (the media).
    pub jitter_ms: Option<Threshold>,
    /// Percent of packets lost (the media).
    pub packet_loss_percent: Option<Threshold>,
    /// The app's CPU use (the CPU).
    pub app_cpu: Option<CpuThreshold>,
    /// The system's CPU use (the CPU).
    pub system_cpu: Option<CpuThreshold>,
}

/// A count the service sends as a signed integer: a negative one is not a count.
fn count(value: Option<i32>) -> Option<u32> {
    value.and_then(|v| u32::try_from(v).ok())
}

impl From<ThresholdData> for Threshold {
    fn from(t: ThresholdData) -> Self {
        Self {
            sending: count(t.sending),
            receiving: count(t.receiving),
            sending_default: count(t.sending_default),
            receiving_default: count(t.receiving_default),
        }
    }
}

impl From<CpuThresholdData> for CpuThreshold {
    fn from(t: CpuThresholdData) -> Self {
        Self {
            percent: count(t.cpu),
            default: count(t.cpu_default),
        }
    }
}

/// Which alarms a participant (or a meeting) raised: a threshold crossed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct QosAlarms {
    /// Any of them.
    pub any: bool,
    /// `[audio, video, screen]` sending (a meeting's: either way).
    pub sent: [bool; 3],
    /// `[audio, video, screen]` receiving (a meeting's: the same as `sent`).
    pub received: [bool; 3],
    /// The CPU.
    pub cpu: bool,
}

impl QosAlarms {
    /// Whether `kind` alarmed, either way.
    pub fn of(&self, kind: QosKind) -> bool {
        match kind {
            QosKind::Audio => self.sent[0] || self.received[0],
            QosKind::Video => self.sent[1] || self.received[1],
            QosKind::Screen => self.sent[2] || self.received[2],
            QosKind::Cpu => self.cpu,
        }
    }
}

fn yes(alarm: Option<QosAlarm>) -> bool {
    alarm == Some(QosAlarm::Yes)
}

/// `ms` since the epoch as a time; none for a negative or absent one.
fn time(ms: Option<i64>) -> Option<SystemTime> {
    let ms = u64::try_from(ms?).ok()?;
    SystemTime::UNIX_EPOCH.checked_add(Duration::from_millis(ms))
}

/// A meeting with its quality alarms (see [`Client::qos_meetings`]).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct QosMeeting {
    /// Its UUID: what the participant calls take.
    pub uuid: String,
    /// The conference ID.
    pub id: Option<String>,
    /// Its subject.
    pub subject: Option<String>,
    /// Who scheduled it.
    pub organizer: Option<String>,
    /// When it started.
    pub start: Option<SystemTime>,
    /// When it ended, or (in progress) is planned to.
    pub end: Option<SystemTime>,
    /// Stays of participants (one who joined twice counts twice).
    pub stays: Option<u32>,
    /// In progress or over.
    pub held: Held,
    /// Its alarms (per medium, not per direction).
    pub alarms: QosAlarms,
}

impl QosMeeting {
    fn from_wire(m: QosConferenceInfo, held: Held) -> Option<Self> {
        let text = |t: Option<String>| t.as_deref().map(printable);
        let medium = [yes(m.audio_alarm), yes(m.video_alarm), yes(m.screen_alarm)];
        Some(Self {
            uuid: printable(m.conf_uuid.as_deref()?),
            id: text(m.conference_id),
            subject: text(m.subject),
            organizer: text(m.scheduser_name),
            start: time(m.start_time),
            end: time(m.end_time),
            stays: count(m.participants),
            held,
            alarms: QosAlarms {
                any: yes(m.alarm),
                sent: medium,
                received: medium,
                cpu: yes(m.cpu_alarm),
            },
        })
    }
}

/// One stay of a participant in a meeting, with its alarms (see
/// [`Client::qos_participants`]).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct QosParticipant {
    /// The participant ID: what [`Client::qos_series`] takes.
    pub id: String,
    /// Its name.
    pub name: Option<String>,
    /// `PC`, `MOBILE`, `WEB`, `ROOM`, a terminal's model, ….
    pub terminal: Option<String>,
    /// `host`, `guest` or `audience`.
    pub role: Option<String>,
    /// When it joined.
    pub joined: Option<SystemTime>,
    /// When it left; none while it is there.
    pub left: Option<SystemTime>,
    /// Its alarms.
    pub alarms: QosAlarms,
}

impl QosParticipant {
    fn from_wire(p: QosParticipantInfo) -> Option<Self> {
        let text = |t: Option<String>| t.as_deref().map(printable);
        Some(Self {
            id: printable(p.participant_id.as_deref()?),
            name: text(p.display_name),
            terminal: text(p.terminal_type),
            role: text(p.role),
            joined: time(p.join_time),
            // 0 while the participant is there.
            left: time(p.left_time.filter(|t| *t > 0)),
            alarms: QosAlarms {
                any: yes(p.alarm),
                sent: [
                    yes(p.audio_alarm_send),
                    yes(p.video_alarm_send),
                    yes(p.screen_alarm_send),
                ],
                received: [
                    yes(p.audio_alarm_rec),
                    yes(p.video_alarm_rec),
                    yes(p.screen_alarm_rec),
                ],
                cpu: yes(p.cpu_alarm),
            },
        })
    }
}

/// What a series measures, and its unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Metric {
    /// kbit/s.
    Bitrate,
    /// Milliseconds of delay.
    Latency,
    /// Milliseconds of jitter.
    Jitter,
    /// The most packets lost, %.
    PacketLoss,
    /// Lines of the picture (720 for 1280×720).
    Resolution,
    /// Frames a second.
    FrameRate,
    /// The app's CPU use, %.
    AppCpu,
    /// The system's CPU use, %.
    SystemCpu,
}

impl Metric {
    /// Its name, for people.
    pub fn name(self) -> &'static str {
        match self {
            Self::Bitrate => "bitrate",
            Self::Latency => "latency",
            Self::Jitter => "jitter",
            Self::PacketLoss => "packet loss",
            Self::Resolution => "resolution",
            Self::FrameRate => "frame rate",
            Self::AppCpu => "app CPU",
            Self::SystemCpu => "system CPU",
        }
    }

    /// Its unit (`kbit/s`, `ms`, `%`, `lines`, `fps`).
    pub fn unit(self) -> &'static str {
        match self {
            Self::Bitrate => "kbit/s",
            Self::Latency | Self::Jitter => "ms",
            Self::PacketLoss | Self::AppCpu | Self::SystemCpu => "%",
            Self::Resolution => "lines",
            Self::FrameRate => "fps",
        }
    }
}

/// One point of a series.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct QosPoint {
    /// When.
    pub at: SystemTime,
    /// The value, in its metric's unit.
    pub value: u32,
    /// The threshold then in force, for the metrics that have one.
    pub threshold: Option<u32>,
    /// Whether the value crossed it.
    pub alarm: bool,
}

/// One metric of a participant over a meeting (see [`Client::qos_series`]).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct QosSeries {
    /// The kind asked.
    pub kind: QosKind,
    /// Which way, for the media.
    pub way: Option<Way>,
    /// What it measures.
    pub metric: Metric,
    /// Its points, in time order; a point the service sent without a readable time or
    /// value is left out.
    pub points: Vec<QosPoint>,
}

impl QosSeries {
    /// Whether any point alarmed.
    pub fn alarmed(&self) -> bool {
        self.points.iter().any(|p| p.alarm)
    }
}

/// The service's times: UTC, `yyyy-MM-ddTHH:mm:ss.SSSZ`.
fn parse_time(text: Option<&str>) -> Option<SystemTime> {
    let at: jiff::Timestamp = text?.parse().ok()?;
    time(Some(at.as_millisecond()))
}

fn thresholded(points: Vec<QosDataElement>) -> Vec<QosPoint> {
    points
        .into_iter()
        .filter_map(|p| {
            Some(QosPoint {
                at: parse_time(p.time.as_deref())?,
                value: count(p.value)?,
                threshold: count(p.threshold),
                alarm: p.alarm == Some(true),
            })
        })
        .collect()
}

/// Points sent as text: a number, or `width*height` (the height is kept).
fn plain(points: Vec<QosDataNoThrElement>) -> Vec<QosPoint> {
    points
        .into_iter()
        .filter_map(|p| {
            let value = p.value?;
            let value = value.rsplit(['*', 'x']).next()?.trim().parse().ok()?;
            Some(QosPoint {
                at: parse_time(p.time.as_deref())?,
                value,
                threshold: None,
                alarm: false,
            })
        })
        .collect()
}

fn media_series(kind: QosKind, way: Way, info: QosSendReceiveInfo) -> Vec<QosSeries> {
    let series = |metric, points| QosSeries {
        kind,
        way: Some(way),
        metric,
        points,
    };
    let mut all = vec![
        series(Metric::Bitrate, plain(info.bitrate)),
        series(Metric::Latency, thresholded(info.latency)),
        series(Metric::Jitter, thresholded(info.jitter)),
        series(Metric::PacketLoss, thresholded(info.packet_loss_max)),
        series(Metric::Resolution, plain(info.resolution)),
        series(Metric::FrameRate, plain(info.frame)),
    ];
    // Audio has no resolution nor frame rate.
    all.retain(|s| {
        !s.points.is_empty() || !matches!(s.metric, Metric::Resolution | Metric::FrameRate)
    });
    all
}

/// A participant over a meeting: the stay the service describes, and its series of
/// one kind (see [`Client::qos_series`]).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct QosDetail {
    /// The participant (its latest stay).
    pub participant: Option<QosParticipant>,
    /// One series per metric and way: six sent and six received for video and the
    /// screen, four each for audio, two for the CPU.
    pub series: Vec<QosSeries>,
}

impl Client {
    /// The thresholds of `kind` over which the quality metrics alarm, beside the
    /// service's defaults. Needs an administrator's credentials.
    pub async fn qos_thresholds(&self, kind: QosKind) -> Result<QosThresholds, Error> {
        let wire = match kind {
            QosKind::Audio => ShowQosThresholdThresholdType::Audio,
            QosKind::Video => ShowQosThresholdThresholdType::Video,
            QosKind::Screen => ShowQosThresholdThresholdType::Screen,
            QosKind::Cpu => ShowQosThresholdThresholdType::Cpu,
        };
        let answer = self
            .run(&SHOW_QOS_THRESHOLD, NO_INPUT, |api, ()| {
                api.show_qos_threshold(wire)
            })
            .await?;
        Ok(QosThresholds {
            latency_ms: answer.latency.map(Into::into),
            jitter_ms: answer.jitter.map(Into::into),
            packet_loss_percent: answer.packet_loss.map(Into::into),
            app_cpu: answer.client_cpu_max.map(Into::into),
            system_cpu: answer.system_cpu_max.map(Into::into),
        })
    }

    /// Changes thresholds of `kind` (the rest keep theirs); checked before sending.
    /// Needs an administrator's credentials.
    ///
    /// ```no_run
    /// # async fn run(client: meeting::Client) -> Result<(), meeting::Error> {
    /// use meeting::{QosKind, QosThresholdsUpdate};
    /// let loss = QosThresholdsUpdate::new().packet_loss(5, 5);
    /// client.set_qos_thresholds(QosKind::Audio, &loss).await?;
    /// # Ok(()) }
    /// ```
    pub async fn set_qos_thresholds(
        &self,
        kind: QosKind,
        update: &QosThresholdsUpdate,
    ) -> Result<(), Error> {
        let wire = match kind {
            QosKind::Audio => SetQosThresholdThresholdType::Audio,
            QosKind::Video => SetQosThresholdThresholdType::Video,
            QosKind::Screen => SetQosThresholdThresholdType::Screen,
            QosKind::Cpu => SetQosThresholdThresholdType::Cpu,
        };
        let body = update.to_wire(kind);
        self.run(&SET_QOS_THRESHOLD, body.as_ref(), |api, body| {
            api.set_qos_threshold(wire, body)
        })
        .await
        .map(|_| ())
    }

    /// The meetings in progress (`Held::Now`) with their alarms, newest first;
    /// `search` matches a subject, an organizer or an ID. Needs an administrator's
    /// credentials.
    pub fn qos_meetings(&self, search: Option<&str>) -> Result<Listing<QosMeeting>, Error> {
        self.qos_meeting_listing(None, search)
    }

    /// The meetings that ended and started within `from..=to`, with their alarms,
    /// newest first. Needs an administrator's credentials.
    pub fn qos_past_meetings(
        &self,
        from: SystemTime,
        to: SystemTime,
        search: Option<&str>,
    ) -> Result<Listing<QosMeeting>, Error> {
        self.qos_meeting_listing(Some((from, to)), search)
    }

    /// The meetings in progress, or (with a period) past: one listing, two operations.
    fn qos_meeting_listing(
        &self,
        period: Option<(SystemTime, SystemTime)>,
        search: Option<&str>,
    ) -> Result<Listing<QosMeeting>, Error> {
        let operation = match period {
            None => &SEARCH_QOS_ONLINE_MEETINGS,
            Some(_) => &SEARCH_QOS_HISTORY_MEETINGS,
        };
        let context = Context::new(operation.id, None);
        let ms = |t: SystemTime| {
            t.duration_since(SystemTime::UNIX_EPOCH)
                .ok()
                .and_then(|d| i64::try_from(d.as_millis()).ok())
                .ok_or_else(|| {
                    Error::invalid(&context, "the period is before 1970 or too far ahead")
                })
        };
        let period = match period {
            None => None,
            Some((from, to)) => {
                let (from, to) = (ms(from)?, ms(to)?);
                if from > to {
                    return Err(Error::invalid(&context, "the period ends before it starts"));
                }
                Some((PeriodStart(from), PeriodEnd(to)))
            }
        };
        // Both keys are 1 to 512 characters; each operation has its own type.
        let keys = (
            search_key::<SearchQosOnlineMeetingsSearchKey>(&context, search)?,
            search_key::<SearchQosHistoryMeetingsSearchKey>(&context, search)?,
        );
        Ok(Listing::new(
            DEFAULT_PAGE_SIZE,
            None,
            |m: &QosMeeting| m.uuid.clone(),
            (self.clone(), period, keys),
            move |(client, period, (online, past)), offset, size| async move {
                let (offset, limit) = page(offset, size);
                let (answer, held) = match &period {
                    None => (
                        client
                            .run(operation, NO_INPUT, |api, ()| {
                                api.search_qos_online_meetings(limit, offset, online.as_ref())
                            })
                            .await?,
                        Held::Now,
                    ),
                    Some((start, end)) => (
                        client
                            .run(operation, NO_INPUT, |api, ()| {
                                api.search_qos_history_meetings(
                                    end,
                                    limit,
                                    offset,
                                    past.as_ref(),
                                    start,
                                )
                            })
                            .await?,
                        Held::Before,
                    ),
                };
                let items = answer
                    .data
                    .into_iter()
                    .filter_map(|m| QosMeeting::from_wire(m, held))
                    .collect();
                Ok(Page::new(items, answer.count))
            },
        ))
    }

    /// Each stay in the meeting `uuid`, with the participant's alarms; `search`
    /// matches a name. Needs an administrator's credentials.
    pub fn qos_participants(
        &self,
        uuid: &str,
        held: Held,
        search: Option<&str>,
    ) -> Result<Listing<QosParticipant>, Error> {
        let context = Context::new(SEARCH_QOS_PARTICIPANTS.id, None);
        if let Some(problem) = id_problem("meeting uuid", uuid) {
            return Err(Error::invalid(&context, problem));
        }
        let key = search_key::<SearchQosParticipantsSearchKey>(&context, search)?;
        let held_wire = match held {
            Held::Now => SearchQosParticipantsConfType::Online,
            Held::Before => SearchQosParticipantsConfType::History,
        };
        Ok(Listing::new(
            DEFAULT_PAGE_SIZE,
            None,
            // A stay is its participant and when it joined.
            |p: &QosParticipant| (p.id.clone(), p.joined),
            (self.clone(), key, uuid.to_owned()),
            move |(client, key, uuid), offset, size| async move {
                let (offset, limit) = page(offset, size);
                let answer = client
                    .run(&SEARCH_QOS_PARTICIPANTS, NO_INPUT, |api, ()| {
                        api.search_qos_participants(held_wire, &uuid, limit, offset, key.as_ref())
                    })
                    .await?;
                let items = answer
                    .data
                    .into_iter()
                    .filter_map(QosParticipant::from_wire)
                    .collect();
                Ok(Page::new(items, answer.count))
            },
        ))
    }

    /// `participant`'s series of `kind` over the meeting `uuid`: one point a minute of
    /// its stays, each with the threshold then in force and whether it crossed it.
    /// Needs an administrator's credentials.
    pub async fn qos_series(
        &self,
        uuid: &str,
        held: Held,
        participant: &str,
        kind: QosKind,
    ) -> Result<QosDetail, Error> {
        let input = id_problem("meeting uuid", uuid)
            .or_else(|| id_problem("participant id", participant))
            .map_or(Ok(()), Err);
        let held_wire = match held {
            Held::Now => SearchQosParticipantDetailConfType::Online,
            Held::Before => SearchQosParticipantDetailConfType::History,
        };
        let kind_wire = match kind {
            QosKind::Audio => SearchQosParticipantDetailQosType::Audio,
            QosKind::Video => SearchQosParticipantDetailQosType::Video,
            QosKind::Screen => SearchQosParticipantDetailQosType::Screen,
            QosKind::Cpu => SearchQosParticipantDetailQosType::Cpu,
        };
        let participant_id = ParticipantId(participant.to_owned());
        let answer = self
            .run(&SEARCH_QOS_PARTICIPANT_DETAIL, input, |api, ()| {
                api.search_qos_participant_detail(held_wire, uuid, &participant_id, kind_wire)
            })
            .await?;
        let mut series = Vec::new();
        if let Some(qos) = answer.qos {
            if let Some(sent) = qos.send {
                series.extend(media_series(kind, Way::Sent, sent));
            }
            if let Some(received) = qos.receive {
                series.extend(media_series(kind, Way::Received, received));
            }
            if let Some(cpu) = qos.cpu {
                for (metric, points) in [
                    (Metric::AppCpu, cpu.client_cpu_max),
                    (Metric::SystemCpu, cpu.system_cpu_max),
                ] {
                    series.push(QosSeries {
                        kind,
                        way: None,
                        metric,
                        points: thresholded(points),
                    });
                }
            }
        }
        Ok(QosDetail {
            participant: answer.user.and_then(QosParticipant::from_wire),
            series,
        })
    }
}

/// `offset` and `limit` as the generated calls take them.
fn page(offset: u32, size: u32) -> (Option<i32>, Option<std::num::NonZeroU32>) {
    (
        Some(i32::try_from(offset).unwrap_or(i32::MAX)),
        std::num::NonZeroU32::new(size),
    )
}

/// A search key as its generated type (1 to 512 characters), checked before sending.
fn search_key<K>(context: &Context, search: Option<&str>) -> Result<Option<K>, Error>
where
    K: for<'a> TryFrom<&'a str>,
{
    search
        .map(K::try_from)
        .transpose()
        .map_err(|_| Error::invalid(context, "the search text is 1 to 512 characters"))
}
