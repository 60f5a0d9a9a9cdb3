//! The quality metrics an administrator reads afterwards or live: the enterprise's
//! alarm thresholds, each participant's series (one point a minute of its stays, from
//! the same model ListNetworkQuality reads), and the meetings and participants with
//! their alarms.

use meeting_api::types::{
    CpuThresholdData, QosAlarm, QosConferenceInfo, QosCpuInfo, QosDataElement, QosDataNoThrElement,
    QosInfo, QosParticipantInfo, QosSendReceiveInfo, QosThresholds, SetQosThresholdReq,
    ThresholdData,
};

use super::{Direction, Medium, Stream};
use crate::errors::ApiError;
use crate::model::ConferenceState;
use crate::world::management::resources::administrator;
use crate::world::{Attendance, Conference, Grant, Page, World};

/// The most points a series answers: a day of minutes (a longer meeting's series ends
/// with its last day).
pub const MAX_POINTS: usize = 1440;

/// What SetQosThreshold and ShowQosThreshold name (`thresholdType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThresholdKind {
    Media(Medium),
    Cpu,
}

impl ThresholdKind {
    pub fn parse(name: &str) -> Result<Self, ApiError> {
        Ok(match name {
            "AUDIO" => Self::Media(Medium::Audio),
            "VIDEO" => Self::Media(Medium::Video),
            "SCREEN" => Self::Media(Medium::Screen),
            "CPU" => Self::Cpu,
            _ => {
                return Err(ApiError::bad_request(
                    "thresholdType is AUDIO, VIDEO, SCREEN or CPU",
                ));
            }
        })
    }
}

/// A threshold each way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Pair {
    sending: u32,
    receiving: u32,
}

impl Pair {
    const fn both(value: u32) -> Self {
        Self {
            sending: value,
            receiving: value,
        }
    }

    fn get(self, direction: Direction) -> u32 {
        match direction {
            Direction::Up => self.sending,
            Direction::Down => self.receiving,
        }
    }
}

/// One medium's thresholds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct MediaLimits {
    latency_ms: Pair,
    jitter_ms: Pair,
    loss_percent: Pair,
}

/// The defaults (the pages give none; the simulator's own): a call is hard to follow
/// past 400 ms of delay, 100 ms of jitter or 10 % of packets lost.
const DEFAULT_MEDIA: MediaLimits = MediaLimits {
    latency_ms: Pair::both(400),
    jitter_ms: Pair::both(100),
    loss_percent: Pair::both(10),
};
const DEFAULT_CLIENT_CPU: u32 = 80;
const DEFAULT_SYSTEM_CPU: u32 = 90;

/// The enterprise's alarm thresholds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Thresholds {
    /// Audio, video, screen.
    media: [MediaLimits; 3],
    client_cpu: u32,
    system_cpu: u32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            media: [DEFAULT_MEDIA; 3],
            client_cpu: DEFAULT_CLIENT_CPU,
            system_cpu: DEFAULT_SYSTEM_CPU,
        }
    }
}

impl Thresholds {
    fn media(&self, medium: Medium) -> &MediaLimits {
        &self.media[medium as usize]
    }
}

/// A threshold from the wire: absent keeps `old`; out of `0..=max` is refused.
fn threshold(value: Option<i32>, old: u32, max: u32, what: &str) -> Result<u32, ApiError> {
    match value {
        None => Ok(old),
        Some(v) => u32::try_from(v)
            .ok()
            .filter(|v| *v <= max)
            .ok_or_else(|| ApiError::bad_request(format!("{what} is 0 to {max}"))),
    }
}

/// A participant's quality alarm per medium and direction, and for the CPU.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Alarms {
    /// `[medium][direction]`.
    media: [[bool; 2]; 3],
    cpu: bool,
}

impl Alarms {
    fn any(&self) -> bool {
        self.cpu || self.media.iter().flatten().any(|a| *a)
    }

    fn medium(&self, medium: Medium) -> bool {
        self.media[medium as usize].iter().any(|a| *a)
    }

    fn add(&mut self, other: Alarms) {
        for (mine, theirs) in self
            .media
            .iter_mut()
            .flatten()
            .zip(other.media.iter().flatten())
        {
            *mine |= theirs;
        }
        self.cpu |= other.cpu;
    }
}

fn flag(on: bool) -> Option<QosAlarm> {
    Some(if on { QosAlarm::Yes } else { QosAlarm::No })
}

fn int(value: u32) -> i32 {
    i32::try_from(value).unwrap_or(i32::MAX)
}

/// Percent, rounded up: a loss of 1 ‰ is not 0 %.
fn percent(permille: u32) -> u32 {
    permille.div_ceil(10)
}

impl Conference {
    /// The minutes of the meeting `participant` was in (over every stay, each once),
    /// up to `now_ms`, the last [`MAX_POINTS`].
    fn minutes_present(&self, participant: &str, now_ms: i64) -> Vec<u32> {
        let stays: Vec<(u32, u32)> = self
            .attendance
            .iter()
            .filter(|a| a.participant == participant)
            .map(|a| {
                let left = a.left_ms.unwrap_or(now_ms);
                (self.minute(a.joined_ms), self.minute(left))
            })
            .collect();
        // Only the last day's minutes are kept: a stay older than that adds none, and
        // a year-long one adds a day's, not a year's.
        let last = stays.iter().map(|(_, last)| *last).max().unwrap_or(0);
        let window = last.saturating_sub(MAX_POINTS as u32 - 1);
        let mut minutes: Vec<u32> = stays
            .into_iter()
            .flat_map(|(first, last)| first.max(window)..=last)
            .collect();
        minutes.sort_unstable();
        minutes.dedup();
        let skip = minutes.len().saturating_sub(MAX_POINTS);
        minutes.split_off(skip)
    }

    /// The alarms of `participant` over its stays against `limits`.
    fn alarms(&self, participant: &str, limits: &Thresholds, now_ms: i64) -> Alarms {
        let mut alarms = Alarms::default();
        for minute in self.minutes_present(participant, now_ms) {
            for medium in [Medium::Audio, Medium::Video, Medium::Screen] {
                let limit = limits.media(medium);
                for direction in [Direction::Up, Direction::Down] {
                    let stream = Stream { medium, direction };
                    if !self.carried(participant, stream, minute, now_ms) {
                        continue;
                    }
                    let s = self.sample(participant, stream, minute);
                    alarms.media[medium as usize][direction as usize] |= s.delay_ms
                        > limit.latency_ms.get(direction)
                        || s.jitter_ms > limit.jitter_ms.get(direction)
                        || percent(s.loss_permille) > limit.loss_percent.get(direction);
                }
            }
            let (client, system) = self.cpu(participant, minute);
            alarms.cpu |= client > limits.client_cpu || system > limits.system_cpu;
        }
        alarms
    }

    /// One stay as SearchQosParticipants answers it, with the participant's alarms.
    fn qos_participant(&self, stay: &Attendance, alarms: Alarms) -> QosParticipantInfo {
        let present = self
            .participants
            .iter()
            .find(|p| p.seed.id == stay.participant);
        let role = match present {
            Some(p) if p.seed.host || p.flags.co_host => "host",
            _ => "guest",
        };
        let alarm =
            |medium, direction: Direction| flag(alarms.media[medium as usize][direction as usize]);
        QosParticipantInfo {
            conf_uuid: Some(self.uuid.clone()),
            conference_id: Some(self.id.clone()),
            participant_id: Some(stay.participant.clone()),
            user_uuid: None,
            display_name: stay.name.clone(),
            dept_name: None,
            terminal_type: Some(if stay.terminal { "TE50" } else { "PC" }.to_owned()),
            role: Some(role.to_owned()),
            ip_address: Some("127.0.0.1".to_owned()),
            country: None,
            province: None,
            city: None,
            app_version: None,
            join_time: Some(stay.joined_ms),
            left_time: Some(stay.left_ms.unwrap_or(0)),
            system_info: None,
            network_type: Some("wired".to_owned()),
            alarm: flag(alarms.any()),
            audio_alarm_send: alarm(Medium::Audio, Direction::Up),
            video_alarm_send: alarm(Medium::Video, Direction::Up),
            screen_alarm_send: alarm(Medium::Screen, Direction::Up),
            audio_alarm_rec: alarm(Medium::Audio, Direction::Down),
            video_alarm_rec: alarm(Medium::Video, Direction::Down),
            screen_alarm_rec: alarm(Medium::Screen, Direction::Down),
            cpu_alarm: flag(alarms.cpu),
            microphone_info: None,
            speaker_info: None,
            camera_info: None,
            data_center: Some(crate::world::REGION_URL.to_owned()),
            left_reason: Some(0),
            exist_qos: Some(true),
        }
    }

    /// The meeting as the QoS meeting lists answer it, with every participant's alarms.
    fn qos_conference(&self, limits: &Thresholds, now_ms: i64) -> QosConferenceInfo {
        let mut alarms = Alarms::default();
        let mut seen: Vec<&str> = Vec::new();
        for stay in &self.attendance {
            if !seen.contains(&stay.participant.as_str()) {
                seen.push(&stay.participant);
                alarms.add(self.alarms(&stay.participant, limits, now_ms));
            }
        }
        let over = self.state == ConferenceState::Ended;
        let end_ms = if over {
            self.attendance
                .iter()
                .filter_map(|a| a.left_ms)
                .max()
                .unwrap_or(self.started_ms)
        } else {
            self.started_ms + i64::from(self.length_minutes) * 60_000
        };
        QosConferenceInfo {
            conf_uuid: Some(self.uuid.clone()),
            conference_id: Some(self.id.clone()),
            subject: self.subject.clone(),
            scheduser_name: self.organizer.clone(),
            dept_name: None,
            alarm: flag(alarms.any()),
            audio_alarm: flag(alarms.medium(Medium::Audio)),
            video_alarm: flag(alarms.medium(Medium::Video)),
            screen_alarm: flag(alarms.medium(Medium::Screen)),
            cpu_alarm: flag(alarms.cpu),
            // The service's ID of UTC (the simulator keeps no zone per meeting).
            time_zone_id: Some("1".to_owned()),
            start_time: Some(self.started_ms),
            end_time: Some(end_ms),
            duration: Some(if over {
                int(u32::try_from((end_ms - self.started_ms).max(0) / 60_000).unwrap_or(u32::MAX))
            } else {
                0
            }),
            participants: Some(int(u32::try_from(self.attendance.len()).unwrap_or(u32::MAX))),
            webinar: Some(false),
        }
    }

    /// `participant`'s CPU use at `minute` (the app's and the system's, %): a baseline
    /// and the degradations that name a CPU load.
    fn cpu(&self, participant: &str, minute: u32) -> (u32, u32) {
        let h = super::noise(&[
            self.id.as_bytes(),
            participant.as_bytes(),
            b"cpu",
            &minute.to_le_bytes(),
        ]);
        let load: u32 = self
            .degradations
            .iter()
            .filter(|d| {
                d.participant == participant && (d.from_minute..d.to_minute).contains(&minute)
            })
            .map(|d| d.cpu_percent)
            .sum();
        let client = (10 + (h % 20) as u32).saturating_add(load).min(100);
        let system = (20 + ((h >> 8) % 30) as u32).saturating_add(load).min(100);
        (client, system)
    }

    /// The series of `kind` for `participant` (SearchQosParticipantDetail).
    fn qos_series(
        &self,
        participant: &str,
        kind: ThresholdKind,
        limits: &Thresholds,
        now_ms: i64,
    ) -> QosInfo {
        let minutes = self.minutes_present(participant, now_ms);
        let at =
            |minute: u32| crate::calendar::format_ms(self.started_ms + i64::from(minute) * 60_000);
        let point = |minute, value: u32, threshold: u32| QosDataElement {
            time: Some(at(minute)),
            value: Some(int(value)),
            alarm: Some(value > threshold),
            threshold: Some(int(threshold)),
        };
        let plain = |minute, value: String| QosDataNoThrElement {
            time: Some(at(minute)),
            value: Some(value),
        };
        let medium = match kind {
            ThresholdKind::Cpu => {
                let mut cpu = QosCpuInfo::default();
                for &minute in &minutes {
                    let (client, system) = self.cpu(participant, minute);
                    cpu.client_cpu_max
                        .push(point(minute, client, limits.client_cpu));
                    cpu.system_cpu_max
                        .push(point(minute, system, limits.system_cpu));
                }
                return QosInfo {
                    type_: Some("cpu".to_owned()),
                    cpu: Some(cpu),
                    send: None,
                    receive: None,
                };
            }
            ThresholdKind::Media(medium) => medium,
        };
        let limit = limits.media(medium);
        let series = |direction: Direction| {
            let mut info = QosSendReceiveInfo::default();
            let stream = Stream { medium, direction };
            let carried = minutes
                .iter()
                .filter(|m| self.carried(participant, stream, **m, now_ms));
            for &minute in carried {
                let s = self.sample(participant, stream, minute);
                info.bitrate
                    .push(plain(minute, s.bandwidth_kbps.to_string()));
                info.latency
                    .push(point(minute, s.delay_ms, limit.latency_ms.get(direction)));
                info.jitter
                    .push(point(minute, s.jitter_ms, limit.jitter_ms.get(direction)));
                info.packet_loss_max.push(point(
                    minute,
                    percent(s.loss_permille),
                    limit.loss_percent.get(direction),
                ));
                let (resolution, frames) = match medium {
                    Medium::Audio => continue,
                    Medium::Video => ("1280*720", "30"),
                    Medium::Screen => ("1920*1080", "15"),
                };
                info.resolution.push(plain(minute, resolution.to_owned()));
                info.frame.push(plain(minute, frames.to_owned()));
            }
            info
        };
        QosInfo {
            type_: Some(
                match medium {
                    Medium::Audio => "audio",
                    Medium::Video => "video",
                    Medium::Screen => "screen",
                }
                .to_owned(),
            ),
            send: Some(series(Direction::Up)),
            receive: Some(series(Direction::Down)),
            cpu: None,
        }
    }
}

impl World {
    /// SetQosThreshold: the thresholds of one kind named in `request` change; the others
    /// stay. Values out of range refuse the whole request.
    pub fn set_qos_thresholds(
        &mut self,
        by: &Grant,
        kind: ThresholdKind,
        request: &SetQosThresholdReq,
    ) -> Result<(), ApiError> {
        administrator(by, "the quality thresholds")?;
        let mut next = self.thresholds.clone();
        match kind {
            ThresholdKind::Cpu => {
                let cpu = |data: &Option<meeting_api::types::SetCpuThresholdData>| {
                    data.as_ref().and_then(|d| d.cpu)
                };
                next.client_cpu = threshold(
                    cpu(&request.client_cpu_max),
                    next.client_cpu,
                    100,
                    "clientCpuMax",
                )?;
                next.system_cpu = threshold(
                    cpu(&request.system_cpu_max),
                    next.system_cpu,
                    100,
                    "systemCpuMax",
                )?;
            }
            ThresholdKind::Media(medium) => {
                let limits = &mut next.media[medium as usize];
                let pair = |old: Pair,
                            sending: Option<i32>,
                            receiving: Option<i32>,
                            max,
                            what|
                 -> Result<Pair, ApiError> {
                    Ok(Pair {
                        sending: threshold(sending, old.sending, max, what)?,
                        receiving: threshold(receiving, old.receiving, max, what)?,
                    })
                };
                if let Some(d) = &request.latency {
                    limits.latency_ms =
                        pair(limits.latency_ms, d.sending, d.receiving, 10_000, "latency")?;
                }
                if let Some(d) = &request.jitter {
                    limits.jitter_ms =
                        pair(limits.jitter_ms, d.sending, d.receiving, 10_000, "jitter")?;
                }
                if let Some(d) = &request.packet_loss {
                    limits.loss_percent = pair(
                        limits.loss_percent,
                        d.sending,
                        d.receiving,
                        100,
                        "packetLoss",
                    )?;
                }
            }
        }
        self.thresholds = next;
        Ok(())
    }

    /// ShowQosThreshold: the thresholds of one kind, beside their defaults.
    pub fn qos_thresholds(
        &self,
        by: &Grant,
        kind: ThresholdKind,
    ) -> Result<QosThresholds, ApiError> {
        administrator(by, "the quality thresholds")?;
        let pair = |now: Pair, default: Pair| ThresholdData {
            sending: Some(int(now.sending)),
            sending_default: Some(int(default.sending)),
            receiving: Some(int(now.receiving)),
            receiving_default: Some(int(default.receiving)),
        };
        Ok(match kind {
            ThresholdKind::Cpu => QosThresholds {
                client_cpu_max: Some(CpuThresholdData {
                    cpu: Some(int(self.thresholds.client_cpu)),
                    cpu_default: Some(int(DEFAULT_CLIENT_CPU)),
                }),
                system_cpu_max: Some(CpuThresholdData {
                    cpu: Some(int(self.thresholds.system_cpu)),
                    cpu_default: Some(int(DEFAULT_SYSTEM_CPU)),
                }),
                ..QosThresholds::default()
            },
            ThresholdKind::Media(medium) => {
                let now = self.thresholds.media(medium);
                QosThresholds {
                    latency: Some(pair(now.latency_ms, DEFAULT_MEDIA.latency_ms)),
                    jitter: Some(pair(now.jitter_ms, DEFAULT_MEDIA.jitter_ms)),
                    packet_loss: Some(pair(now.loss_percent, DEFAULT_MEDIA.loss_percent)),
                    ..QosThresholds::default()
                }
            }
        })
    }

    /// The meeting with `uuid`, in progress (`online`) or ended, that `by` may read.
    fn qos_meeting(&self, uuid: &str, online: bool, by: &Grant) -> Result<&Conference, ApiError> {
        let state = if online {
            ConferenceState::Ongoing
        } else {
            ConferenceState::Ended
        };
        self.conferences
            .values()
            .find(|c| c.uuid == uuid && c.state == state && c.managed_by(by))
            .ok_or_else(|| ApiError::meeting_not_found(uuid))
    }

    /// SearchQosOnlineMeetings (`dates` none) and SearchQosHistoryMeetings: an
    /// administrator's meetings in progress, or ended and started within `dates`,
    /// newest first, with their alarms; how many match and the page.
    pub fn qos_meetings(
        &self,
        by: &Grant,
        search: Option<&str>,
        dates: Option<(i64, i64)>,
        page: Page,
    ) -> Result<(usize, Vec<QosConferenceInfo>), ApiError> {
        administrator(by, "the quality metrics")?;
        if let Some((from, to)) = dates
            && from > to
        {
            return Err(ApiError::bad_request("startDate must not be after endDate"));
        }
        let search = search.map(str::to_lowercase);
        let mut found: Vec<&Conference> = self
            .conferences
            .values()
            .filter(|c| match dates {
                None => c.state == ConferenceState::Ongoing,
                Some((from, to)) => {
                    c.state == ConferenceState::Ended && (from..=to).contains(&c.started_ms)
                }
            })
            .filter(|c| search.as_deref().is_none_or(|text| c.matches(text)))
            .collect();
        found.sort_by(|a, b| (b.started_ms, &b.id).cmp(&(a.started_ms, &a.id)));
        let count = found.len();
        let page = page
            .take(found.into_iter())
            .into_iter()
            .map(|c| c.qos_conference(&self.thresholds, self.now_ms))
            .collect();
        Ok((count, page))
    }

    /// SearchQosParticipants: each stay in the meeting, by join time, with the
    /// participant's alarms; `search` matches the name.
    pub fn qos_participants(
        &self,
        by: &Grant,
        uuid: &str,
        online: bool,
        search: Option<&str>,
        page: Page,
    ) -> Result<(usize, Vec<QosParticipantInfo>), ApiError> {
        administrator(by, "the quality metrics")?;
        let conference = self.qos_meeting(uuid, online, by)?;
        let search = search.map(str::to_lowercase);
        let stays: Vec<_> = conference
            .attendance
            .iter()
            .filter(|a| {
                search.as_deref().is_none_or(|text| {
                    a.name
                        .as_deref()
                        .is_some_and(|n| n.to_lowercase().contains(text))
                })
            })
            .collect();
        let count = stays.len();
        let page = page
            .take(stays.into_iter())
            .into_iter()
            .map(|stay| {
                let alarms = conference.alarms(&stay.participant, &self.thresholds, self.now_ms);
                conference.qos_participant(stay, alarms)
            })
            .collect();
        Ok((count, page))
    }

    /// SearchQosParticipantDetail: the participant (its latest stay) and its series of
    /// `kind`.
    pub fn qos_participant_detail(
        &self,
        by: &Grant,
        uuid: &str,
        online: bool,
        participant: &str,
        kind: ThresholdKind,
    ) -> Result<(QosParticipantInfo, QosInfo), ApiError> {
        administrator(by, "the quality metrics")?;
        let conference = self.qos_meeting(uuid, online, by)?;
        let stay = conference
            .attendance
            .iter()
            .rev()
            .find(|a| a.participant == participant)
            .ok_or_else(|| ApiError::participant_not_found(uuid, participant))?;
        let alarms = conference.alarms(participant, &self.thresholds, self.now_ms);
        Ok((
            conference.qos_participant(stay, alarms),
            conference.qos_series(participant, kind, &self.thresholds, self.now_ms),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::example::{CONFERENCE, LAPTOP};
    use crate::model::Seed;

    #[test]
    fn a_long_stay_answers_its_last_day_only() {
        let mut world = World::default();
        world.seed(Seed::example());
        let start = world.now_ms;
        world.set_now(start + 3 * 86_400_000);
        let conference = &world.conferences[CONFERENCE];
        let minutes = conference.minutes_present(LAPTOP, world.now_ms);
        assert_eq!(minutes.len(), MAX_POINTS);
        assert_eq!(minutes.last(), Some(&(3 * 1440)));
        assert_eq!(minutes.first(), Some(&(3 * 1440 - (MAX_POINTS as u32 - 1))));
    }
}

#[cfg(test)]
mod sharing_tests {
    use super::*;
    use crate::example::{CONFERENCE, LAPTOP, TERMINAL};
    use crate::model::Seed;
    use crate::world::quality::MAX_SHARING_SPELLS;

    /// The minutes of `participant`'s screen series one way (of its points' times).
    fn screen_minutes(world: &World, participant: &str, sent: bool) -> Vec<u32> {
        let conference = &world.conferences[CONFERENCE];
        let info = conference.qos_series(
            participant,
            ThresholdKind::Media(Medium::Screen),
            &world.thresholds,
            world.now_ms,
        );
        let series = if sent { info.send } else { info.receive };
        series
            .expect("a series")
            .latency
            .iter()
            .map(|p| {
                let at = p.time.as_deref().expect("a time");
                (0..u32::MAX)
                    .find(|m| {
                        crate::calendar::format_ms(conference.started_ms + i64::from(*m) * 60_000)
                            == at
                    })
                    .expect("a minute of the meeting")
            })
            .collect()
    }

    /// The screen series follow who shared when: the sharer's sent screen and the
    /// others' received one over the minutes it shared, kept after it stopped; none
    /// before or after.
    #[test]
    fn the_screen_series_cover_the_minutes_someone_shared() {
        let mut world = World::default();
        world.seed(Seed::example());
        let start = world.now_ms;
        let share = |world: &mut World, on: bool| {
            world
                .set_flag(CONFERENCE, LAPTOP, |f| f.sharing = on)
                .expect("shares");
        };
        world.set_now(start + 2 * 60_000);
        share(&mut world, true);
        world.set_now(start + 4 * 60_000 + 30_000);
        share(&mut world, false);
        world.set_now(start + 7 * 60_000);
        assert_eq!(screen_minutes(&world, LAPTOP, true), [2, 3, 4]);
        assert_eq!(screen_minutes(&world, LAPTOP, false), Vec::<u32>::new());
        assert_eq!(screen_minutes(&world, TERMINAL, false), [2, 3, 4]);
        assert_eq!(screen_minutes(&world, TERMINAL, true), Vec::<u32>::new());
        // Sharing again, until the meeting ends: a second spell.
        share(&mut world, true);
        world.set_now(start + 9 * 60_000);
        assert_eq!(screen_minutes(&world, LAPTOP, true), [2, 3, 4, 7, 8, 9]);
    }

    /// A meeting remembers its latest spells only.
    #[test]
    fn the_spells_remembered_are_bounded() {
        let mut world = World::default();
        world.seed(Seed::example());
        for i in 0..(MAX_SHARING_SPELLS + 10) {
            let on = i % 2 == 0;
            world
                .set_flag(CONFERENCE, LAPTOP, |f| f.sharing = on)
                .expect("shares");
            world
                .set_flag(CONFERENCE, LAPTOP, |f| f.sharing = !on)
                .expect("shares");
        }
        assert!(world.conferences[CONFERENCE].sharing.len() <= MAX_SHARING_SPELLS);
    }
}
