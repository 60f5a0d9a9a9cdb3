//! Media quality: of a meeting in progress, each participant's rating, bandwidth, loss
//! and delay, and every stream it sends and receives (ListNetworkQuality, here); the
//! enterprise's metrics over meetings, with thresholds and alarms (`metrics`).

use std::time::Duration;

use meeting_api::operations::LIST_NETWORK_QUALITY;
use meeting_api::types::{MediaQos, Qos, RestQosRequestDto, UserQos, UserQosReqInfo};

use crate::conference::{Conference, ids_problem};
use crate::error::Error;
use crate::printable;

mod metrics;
mod statistics;

pub use metrics::{
    CpuThreshold, Held, Metric, QosAlarms, QosDetail, QosKind, QosMeeting, QosParticipant,
    QosPoint, QosSeries, QosThresholds, QosThresholdsUpdate, Threshold, Way,
};
pub use statistics::{
    AttendanceBy, AttendanceStats, MeetingStats, Period, ResourceKind, ResourceStats, StatsPeriod,
    UserStats, UserStatsKind,
};

/// The most participants one [`Conference::network_quality`] call names.
pub const MAX_QUALITY_PARTICIPANTS: usize = 50;

/// The service's rating of a network or a stream.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NetRating {
    /// `good`.
    Good,
    /// `poor`: noticeable loss, delay or jitter.
    Poor,
    /// `bad`: hardly usable.
    Bad,
    /// A rating this version does not know, as the service sent it.
    Other(String),
}

impl NetRating {
    fn from_wire(rating: Option<String>) -> Option<Self> {
        Some(match rating?.as_str() {
            "good" => Self::Good,
            "poor" => Self::Poor,
            "bad" => Self::Bad,
            other => Self::Other(printable(other)),
        })
    }
}

impl std::fmt::Display for NetRating {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Good => "good",
            Self::Poor => "poor",
            Self::Bad => "bad",
            Self::Other(other) => other,
        })
    }
}

/// One participant's media quality now (see [`Conference::network_quality`]).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct NetworkQuality {
    /// The participant ID.
    pub participant: String,
    /// The rating of its network (its worst stream).
    pub rating: Option<NetRating>,
    /// Everything it sends, in kbit/s.
    pub sent_kbps: Option<u32>,
    /// Everything it receives, in kbit/s.
    pub received_kbps: Option<u32>,
    /// Packets lost on the way to the service, per mille.
    pub sent_loss_permille: Option<u32>,
    /// Packets lost on the way from the service, per mille.
    pub received_loss_permille: Option<u32>,
    /// The delay.
    pub delay: Option<Duration>,
    /// Its voice, and the meeting's it hears.
    pub audio: MediaStreams,
    /// Its camera, and the video it watches.
    pub video: MediaStreams,
    /// A screen it shares, and one it is shown.
    pub screen: MediaStreams,
}

/// The streams of one medium, each way.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct MediaStreams {
    /// From the participant to the service.
    pub sent: Vec<StreamQuality>,
    /// From the service to the participant.
    pub received: Vec<StreamQuality>,
}

/// One stream's quality.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct StreamQuality {
    /// Its rating.
    pub rating: Option<NetRating>,
    /// The codec (`OPUS`, `H264`, …).
    pub codec: Option<String>,
    /// Its bandwidth, kbit/s.
    pub kbps: Option<u32>,
    /// Packets lost, per mille.
    pub loss_permille: Option<u32>,
    /// The delay.
    pub delay: Option<Duration>,
    /// The jitter.
    pub jitter: Option<Duration>,
    /// Width and height of a video or screen, in pixels.
    pub resolution: Option<(u32, u32)>,
    /// Frames per second of a video or screen.
    pub frame_rate: Option<u32>,
    /// Whose video a received video stream is (a participant ID).
    pub source: Option<String>,
}

/// A count the service sends as a signed integer: a negative one is not a count.
fn count(value: Option<i32>) -> Option<u32> {
    value.and_then(|v| u32::try_from(v).ok())
}

fn millis(value: Option<i32>) -> Option<Duration> {
    count(value).map(|ms| Duration::from_millis(ms.into()))
}

impl From<Qos> for StreamQuality {
    fn from(qos: Qos) -> Self {
        Self {
            rating: NetRating::from_wire(qos.network_quality),
            codec: qos.codec_type.as_deref().map(printable),
            kbps: count(qos.band_width),
            loss_permille: count(qos.lost_packet_rate),
            delay: millis(qos.delay),
            jitter: millis(qos.jitter),
            resolution: count(qos.resolution_width).zip(count(qos.resolution_height)),
            frame_rate: count(qos.frame_rate),
            source: qos.codec_user_id.as_deref().map(printable),
        }
    }
}

impl From<Option<MediaQos>> for MediaStreams {
    fn from(media: Option<MediaQos>) -> Self {
        let media = media.unwrap_or_default();
        Self {
            sent: media.up_list.into_iter().map(Into::into).collect(),
            received: media.down_list.into_iter().map(Into::into).collect(),
        }
    }
}

impl NetworkQuality {
    /// `None` for an entry without a participant ID: it names nobody.
    fn from_wire(qos: UserQos) -> Option<Self> {
        Some(Self {
            participant: printable(qos.participant_id.as_deref()?),
            rating: NetRating::from_wire(qos.net_rate),
            sent_kbps: count(qos.band_width_up),
            received_kbps: count(qos.band_width_down),
            sent_loss_permille: count(qos.lost_packet_rate_up),
            received_loss_permille: count(qos.lost_packet_rate_down),
            delay: millis(qos.delay),
            audio: qos.audio_qos.into(),
            video: qos.video_qos.into(),
            screen: qos.aux_qos.into(),
        })
    }
}

impl Conference {
    /// The current media quality of these participants (1 to
    /// [`MAX_QUALITY_PARTICIPANTS`] IDs, from [`Conference::live`]), in the order the
    /// service answers; a participant who is not in the meeting is left out. Sends the
    /// control token (as `confToken`). A read: retried on transient failures.
    ///
    /// ```no_run
    /// # async fn run(client: meeting::Client) -> Result<(), meeting::Error> {
    /// let meeting = client.conference("914083136").with_host_password("654321");
    /// for quality in meeting.network_quality(["f131536e21ff11eab12735e1cddf6d01"]).await? {
    ///     println!("{}: {:?}, {:?} ms", quality.participant, quality.rating, quality.delay);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn network_quality<I, S>(&self, participants: I) -> Result<Vec<NetworkQuality>, Error>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let participants: Vec<String> = participants.into_iter().map(Into::into).collect();
        let ids = participants.iter().map(String::as_str);
        let body = ids_problem("participant", "participant id", ids)
            .and_then(|()| {
                if participants.len() > MAX_QUALITY_PARTICIPANTS {
                    Err(format!(
                        "name at most {MAX_QUALITY_PARTICIPANTS} participants per call \
                         ({} named)",
                        participants.len()
                    ))
                } else {
                    Ok(())
                }
            })
            .map(|()| RestQosRequestDto {
                users: participants
                    .into_iter()
                    .map(|pid| UserQosReqInfo {
                        pid,
                        access_media_type: None,
                    })
                    .collect(),
            });
        let answer = self
            .run(&LIST_NETWORK_QUALITY, body.as_ref(), |api, body| {
                api.list_network_quality(None, self.id(), None, body)
            })
            .await?;
        Ok(answer
            .qos_list
            .into_iter()
            .filter_map(NetworkQuality::from_wire)
            .collect())
    }
}
