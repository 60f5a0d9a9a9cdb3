//! Media quality. Every stream of every participant has a quality at every minute of
//! its meeting, computed rather than stored: a baseline that is mostly good and the same
//! on every run (a hash of the meeting, the participant, the stream and the minute, so
//! a test can name figures), worsened by the degradations that the seed or the admin
//! API scripts ("Alice's uplink loses 8 % from minute 3 to 5"). ListNetworkQuality
//! reads the current minute.

use meeting_api::types::{MediaQos, Qos, UserQos};
use serde::{Deserialize, Serialize};

use super::{Conference, Participant, World};
use crate::errors::ApiError;

mod metrics;
mod statistics;

pub use metrics::{ThresholdKind, Thresholds};
pub use statistics::{Bucket, buckets};

/// Degradations one meeting keeps; more are refused.
pub const MAX_DEGRADATIONS: usize = 64;

/// Participants one ListNetworkQuality names at most (the page's limit).
pub const MAX_PARTICIPANTS: usize = 50;

/// Spells of screen sharing one meeting remembers (the oldest go first).
pub const MAX_SHARING_SPELLS: usize = 1024;

/// A spell of one participant sharing its screen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sharing {
    /// Who shared.
    pub participant: String,
    /// From when, ms since the epoch.
    pub from_ms: i64,
    /// Until when (`None` while it shares).
    pub to_ms: Option<i64>,
}

impl Conference {
    /// Opens a spell for each participant that shares without one and closes those of
    /// the participants that stopped, left, or whose meeting is `over`: called with the
    /// attendance at every change, so the screen series follow who shared when.
    pub(super) fn sync_sharing(&mut self, over: bool, now_ms: i64) {
        for p in self
            .participants
            .iter()
            .filter(|p| p.flags.sharing && !over)
        {
            let open = self
                .sharing
                .iter()
                .any(|s| s.participant == p.seed.id && s.to_ms.is_none());
            if !open {
                if self.sharing.len() == MAX_SHARING_SPELLS {
                    self.sharing.pop_front();
                }
                self.sharing.push_back(Sharing {
                    participant: p.seed.id.clone(),
                    from_ms: now_ms,
                    to_ms: None,
                });
            }
        }
        let participants = &self.participants;
        for s in self.sharing.iter_mut().filter(|s| s.to_ms.is_none()) {
            let still = participants
                .iter()
                .any(|p| p.seed.id == s.participant && p.flags.sharing);
            if over || !still {
                s.to_ms = Some(now_ms);
            }
        }
    }

    /// Whether `participant`'s `stream` flowed at `minute`: audio and video whenever it
    /// was there; its screen sent while it shared, a screen received while another did.
    fn carried(&self, participant: &str, stream: Stream, minute: u32, now_ms: i64) -> bool {
        if stream.medium != Medium::Screen {
            return true;
        }
        self.sharing.iter().any(|s| {
            (s.participant == participant) == (stream.direction == Direction::Up)
                && self.minute(s.from_ms) <= minute
                && minute <= self.minute(s.to_ms.unwrap_or(now_ms))
        })
    }
}

/// A medium a participant sends and receives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Medium {
    /// Voice.
    Audio,
    /// The camera.
    Video,
    /// Screen sharing (the service's auxiliary stream, `auxQos`).
    Screen,
}

/// Which way a stream goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// From the participant to the service (`upList`).
    Up,
    /// From the service to the participant (`downList`).
    Down,
}

/// A scripted worsening of one participant's streams over some minutes of the meeting:
/// what the seed (`degradations` of a conference) or `POST
/// /_sim/conferences/{id}/degradations` adds to the baseline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Degradation {
    /// The participant ID.
    pub participant: String,
    /// Which way.
    pub direction: Direction,
    /// Which medium; none: all of them.
    #[serde(default)]
    pub medium: Option<Medium>,
    /// Packets lost, per mille, added (at most 1000 in all).
    #[serde(default)]
    pub loss_permille: u32,
    /// Milliseconds of delay added.
    #[serde(default)]
    pub delay_ms: u32,
    /// Milliseconds of jitter added.
    #[serde(default)]
    pub jitter_ms: u32,
    /// CPU use added, %, to the app's and the system's (whatever the direction and
    /// medium).
    #[serde(default)]
    pub cpu_percent: u32,
    /// The first minute of the meeting it applies to (0: the first).
    pub from_minute: u32,
    /// The minute it stops applying at (exclusive).
    pub to_minute: u32,
}

impl Degradation {
    /// A degradation of `participant`'s streams going `direction`, every medium, over
    /// the meeting's `minutes` (from its start), adding nothing yet.
    pub fn new(
        participant: impl Into<String>,
        direction: Direction,
        minutes: std::ops::Range<u32>,
    ) -> Self {
        Self {
            participant: participant.into(),
            direction,
            medium: None,
            loss_permille: 0,
            delay_ms: 0,
            jitter_ms: 0,
            cpu_percent: 0,
            from_minute: minutes.start,
            to_minute: minutes.end,
        }
    }

    /// Only this medium.
    pub fn medium(mut self, medium: Medium) -> Self {
        self.medium = Some(medium);
        self
    }

    /// Packets lost, per mille.
    pub fn loss_permille(mut self, permille: u32) -> Self {
        self.loss_permille = permille;
        self
    }

    /// Delay added, ms.
    pub fn delay_ms(mut self, ms: u32) -> Self {
        self.delay_ms = ms;
        self
    }

    /// Jitter added, ms.
    pub fn jitter_ms(mut self, ms: u32) -> Self {
        self.jitter_ms = ms;
        self
    }

    /// CPU use added, %.
    pub fn cpu_percent(mut self, percent: u32) -> Self {
        self.cpu_percent = percent;
        self
    }

    fn problem(&self) -> Option<&'static str> {
        if self.participant.trim().is_empty() {
            Some("participant must not be empty")
        } else if self.from_minute >= self.to_minute {
            Some("from_minute must come before to_minute")
        } else if self.loss_permille > 1000 {
            Some("loss_permille is at most 1000")
        } else if self.delay_ms > 60_000 || self.jitter_ms > 60_000 {
            Some("delay_ms and jitter_ms are at most 60000")
        } else if self.cpu_percent > 100 {
            Some("cpu_percent is at most 100")
        } else {
            None
        }
    }

    fn applies(&self, participant: &str, stream: Stream, minute: u32) -> bool {
        self.participant == participant
            && self.direction == stream.direction
            && self.medium.is_none_or(|m| m == stream.medium)
            && (self.from_minute..self.to_minute).contains(&minute)
    }
}

/// The service's rating of a stream, and of a participant (its worst stream).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Rating {
    Good,
    Poor,
    Bad,
}

impl Rating {
    fn of(loss_permille: u32, delay_ms: u32, jitter_ms: u32) -> Self {
        if loss_permille < 20 && delay_ms < 200 && jitter_ms < 30 {
            Self::Good
        } else if loss_permille < 80 && delay_ms < 400 && jitter_ms < 80 {
            Self::Poor
        } else {
            Self::Bad
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Self::Good => "good",
            Self::Poor => "poor",
            Self::Bad => "bad",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Stream {
    medium: Medium,
    direction: Direction,
}

/// One stream's figures at one minute.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sample {
    pub rating: Rating,
    pub bandwidth_kbps: u32,
    pub loss_permille: u32,
    pub delay_ms: u32,
    pub jitter_ms: u32,
}

/// FNV-1a over the parts, then splitmix64's finalizer: the same bits on every run and
/// every platform (std's hasher promises neither).
fn noise(parts: &[&[u8]]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.iter().chain([&0xff]) {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    hash = (hash ^ (hash >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    hash = (hash ^ (hash >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    hash ^ (hash >> 31)
}

impl Conference {
    /// The minute of this meeting that `at_ms` falls in (0 before it started).
    fn minute(&self, at_ms: i64) -> u32 {
        u32::try_from(at_ms.saturating_sub(self.started_ms).max(0) / 60_000).unwrap_or(u32::MAX)
    }

    /// One stream of `participant` at `minute`: the baseline and the degradations.
    fn sample(&self, participant: &str, stream: Stream, minute: u32) -> Sample {
        let medium = [stream.medium as u8, stream.direction as u8];
        let h = noise(&[
            self.id.as_bytes(),
            participant.as_bytes(),
            &medium,
            &minute.to_le_bytes(),
        ]);
        let (mut loss, mut delay, mut jitter) = (
            (h % 5) as u32,
            20 + ((h >> 8) % 40) as u32,
            1 + ((h >> 16) % 8) as u32,
        );
        for d in &self.degradations {
            if d.applies(participant, stream, minute) {
                loss = loss.saturating_add(d.loss_permille).min(1000);
                delay = delay.saturating_add(d.delay_ms);
                jitter = jitter.saturating_add(d.jitter_ms);
            }
        }
        let spread = ((h >> 24) % 1000) as u32;
        let nominal = match stream.medium {
            Medium::Audio => 40 + spread % 16,
            Medium::Video => 1200 + spread % 600,
            Medium::Screen => 600 + spread % 400,
        };
        Sample {
            rating: Rating::of(loss, delay, jitter),
            // What is lost does not arrive.
            bandwidth_kbps: nominal * (1000 - loss) / 1000,
            loss_permille: loss,
            delay_ms: delay,
            jitter_ms: jitter,
        }
    }

    /// The streams `p` sends and receives now, each with whose stream a received video
    /// is: audio unless muted, video unless the camera is off, the screen while sharing;
    /// the mixed audio, the video of whom it watches (or the first other camera), and
    /// a screen someone else shares.
    fn streams<'a>(&'a self, p: &'a Participant) -> Vec<(Stream, Option<&'a str>)> {
        let (up, down) = (Direction::Up, Direction::Down);
        let stream = |medium, direction| Stream { medium, direction };
        let others = || self.participants.iter().filter(|o| o.seed.id != p.seed.id);
        let mut streams = Vec::with_capacity(6);
        if !p.muted {
            streams.push((stream(Medium::Audio, up), None));
        }
        if !p.flags.camera_off {
            streams.push((stream(Medium::Video, up), None));
        }
        if p.flags.sharing {
            streams.push((stream(Medium::Screen, up), None));
        }
        streams.push((stream(Medium::Audio, down), None));
        let watched = p
            .watching
            .as_deref()
            .or(p.view_locked_to.as_deref())
            .filter(|id| others().any(|o| o.seed.id == *id && !o.flags.camera_off))
            .or_else(|| {
                others()
                    .find(|o| !o.flags.camera_off)
                    .map(|o| o.seed.id.as_str())
            });
        if let Some(watched) = watched {
            streams.push((stream(Medium::Video, down), Some(watched)));
        }
        if others().any(|o| o.flags.sharing) {
            streams.push((stream(Medium::Screen, down), None));
        }
        streams
    }

    /// `p`'s quality at `at_ms`, as ListNetworkQuality answers it.
    fn user_qos(&self, p: &Participant, at_ms: i64) -> UserQos {
        let minute = self.minute(at_ms);
        let id = p.seed.id.as_str();
        let mut qos = UserQos {
            participant_id: Some(id.to_owned()),
            ..UserQos::default()
        };
        let (mut rating, mut delay) = (Rating::Good, 0);
        let (mut bandwidth, mut loss) = ([0u32; 2], [0u32; 2]);
        for (stream, source) in self.streams(p) {
            let sample = self.sample(id, stream, minute);
            let way = stream.direction as usize;
            bandwidth[way] += sample.bandwidth_kbps;
            loss[way] = loss[way].max(sample.loss_permille);
            delay = delay.max(sample.delay_ms);
            rating = rating.max(sample.rating);
            let (resolution, frame_rate) = match stream.medium {
                Medium::Audio => (None, None),
                Medium::Video => (Some((1280, 720)), Some(30)),
                Medium::Screen => (Some((1920, 1080)), Some(15)),
            };
            let entry = Qos {
                network_quality: Some(sample.rating.as_str().to_owned()),
                codec_type: Some(
                    if stream.medium == Medium::Audio {
                        "OPUS"
                    } else {
                        "H264"
                    }
                    .to_owned(),
                ),
                band_width: Some(int(sample.bandwidth_kbps)),
                lost_packet_rate: Some(int(sample.loss_permille)),
                delay: Some(int(sample.delay_ms)),
                jitter: Some(int(sample.jitter_ms)),
                resolution_height: resolution.map(|(_, h)| h),
                resolution_width: resolution.map(|(w, _)| w),
                frame_rate,
                codec_user_id: source.map(str::to_owned),
            };
            let media = match stream.medium {
                Medium::Audio => &mut qos.audio_qos,
                Medium::Video => &mut qos.video_qos,
                Medium::Screen => &mut qos.aux_qos,
            };
            let media = media.get_or_insert_with(MediaQos::default);
            match stream.direction {
                Direction::Up => media.up_list.push(entry),
                Direction::Down => media.down_list.push(entry),
            }
        }
        qos.net_rate = Some(rating.as_str().to_owned());
        qos.band_width_up = Some(int(bandwidth[0]));
        qos.band_width_down = Some(int(bandwidth[1]));
        qos.lost_packet_rate_up = Some(int(loss[0]));
        qos.lost_packet_rate_down = Some(int(loss[1]));
        qos.delay = Some(int(delay));
        qos
    }
}

fn int(value: u32) -> i32 {
    i32::try_from(value).unwrap_or(i32::MAX)
}

impl World {
    /// The current quality of the named participants of meeting `id` in progress, in
    /// the order named; those not in the meeting (gone since, or never there) are left
    /// out, as the service answers for whom it measures.
    pub fn network_quality(
        &self,
        id: &str,
        participants: &[&str],
    ) -> Result<Vec<UserQos>, ApiError> {
        if participants.is_empty() || participants.len() > MAX_PARTICIPANTS {
            return Err(ApiError::bad_request(format!(
                "users names 1 to {MAX_PARTICIPANTS} participants"
            )));
        }
        let conference = self.conference(id)?;
        Ok(participants
            .iter()
            .filter_map(|pid| conference.participants.iter().find(|p| p.seed.id == *pid))
            .map(|p| conference.user_qos(p, self.now_ms))
            .collect())
    }

    /// Adds a scripted degradation to meeting `id` (scheduled or in progress).
    pub fn degrade(&mut self, id: &str, degradation: Degradation) -> Result<(), ApiError> {
        if let Some(problem) = degradation.problem() {
            return Err(ApiError::bad_request(problem));
        }
        let conference = self
            .conferences
            .get_mut(id)
            .ok_or_else(|| ApiError::meeting_not_found(id))?;
        if conference.degradations.len() >= MAX_DEGRADATIONS {
            return Err(ApiError::bad_request(format!(
                "a meeting keeps at most {MAX_DEGRADATIONS} degradations"
            )));
        }
        conference.degradations.push(degradation);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::example::{CONFERENCE, LAPTOP, TERMINAL};
    use crate::model::Seed;

    fn world() -> World {
        let mut world = World::default();
        world.seed(Seed::example());
        world
    }

    fn minutes(n: i64) -> i64 {
        n * 60_000
    }

    #[test]
    fn the_baseline_is_good_and_the_same_every_time() {
        let world = world();
        let first = world
            .network_quality(CONFERENCE, &[TERMINAL, LAPTOP])
            .unwrap();
        let again = world
            .network_quality(CONFERENCE, &[TERMINAL, LAPTOP])
            .unwrap();
        assert_eq!(first, again);
        assert_eq!(first.len(), 2);
        for qos in &first {
            assert_eq!(qos.net_rate.as_deref(), Some("good"));
            let audio = qos.audio_qos.as_ref().unwrap();
            assert_eq!((audio.up_list.len(), audio.down_list.len()), (1, 1));
            assert!(qos.lost_packet_rate_up.unwrap() < 5);
        }
        // Each watches the other's camera.
        let video = first[0].video_qos.as_ref().unwrap();
        assert_eq!(video.down_list[0].codec_user_id.as_deref(), Some(LAPTOP));
    }

    #[test]
    fn a_degradation_worsens_its_minutes_and_its_direction_only() {
        let mut world = world();
        let start = world.now_ms;
        world
            .degrade(
                CONFERENCE,
                Degradation::new(LAPTOP, Direction::Up, 3..5).loss_permille(80),
            )
            .unwrap();
        let at = |world: &mut World, minute| {
            world.set_now(start + minutes(minute));
            world
                .network_quality(CONFERENCE, &[LAPTOP])
                .unwrap()
                .remove(0)
        };
        for (minute, degraded) in [(2, false), (3, true), (4, true), (5, false)] {
            let qos = at(&mut world, minute);
            let loss = qos.lost_packet_rate_up.unwrap();
            assert_eq!(loss >= 80, degraded, "minute {minute}: {loss}");
            assert_eq!(qos.net_rate.as_deref() == Some("bad"), degraded);
            assert!(qos.lost_packet_rate_down.unwrap() < 5, "downlink untouched");
        }
    }

    #[test]
    fn what_is_sent_follows_the_participant() {
        let mut world = world();
        world.mute_participant(CONFERENCE, LAPTOP, true).unwrap();
        let qos = world
            .network_quality(CONFERENCE, &[LAPTOP])
            .unwrap()
            .remove(0);
        assert!(
            qos.audio_qos.unwrap().up_list.is_empty(),
            "muted: no audio sent"
        );
    }

    #[test]
    fn the_request_is_checked() {
        let mut world = world();
        assert!(world.network_quality(CONFERENCE, &[]).is_err());
        assert!(world.network_quality(CONFERENCE, &["x"; 51]).is_err());
        assert_eq!(world.network_quality(CONFERENCE, &["nobody"]).unwrap(), []);
        let bad = Degradation::new(LAPTOP, Direction::Down, 5..5)
            .medium(Medium::Video)
            .loss_permille(10);
        assert!(world.degrade(CONFERENCE, bad.clone()).is_err());
        let good = Degradation {
            to_minute: 6,
            ..bad
        };
        for _ in 0..MAX_DEGRADATIONS {
            world.degrade(CONFERENCE, good.clone()).unwrap();
        }
        assert!(world.degrade(CONFERENCE, good).is_err(), "bounded");
    }
}
