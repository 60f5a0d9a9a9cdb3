//! Recording, live streaming and pause: what the host switches on and off, with the
//! times a recording started and stopped (what the webhook's `record.finish` is made
//! from).

use serde::{Deserialize, Serialize};

use super::{Change, Conference, World};
use crate::errors::{ApiError, Status, codes};

/// A meeting's recording.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordingState {
    /// Not recording.
    #[default]
    Off,
    /// Recording.
    On,
    /// Paused (an MMR recording, SetMmrRecord 0).
    Paused,
}

/// The recording, live stream and pause of a meeting.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Broadcasting {
    /// The recording.
    pub recording: RecordingState,
    /// When the current (or last) recording started, in ms since the epoch.
    pub recording_started_ms: Option<i64>,
    /// When the last recording stopped.
    pub recording_stopped_ms: Option<i64>,
    /// Whether it is streamed live.
    pub live: bool,
    /// Whether the host paused the meeting.
    pub paused: bool,
}

impl Conference {
    /// The meeting ends: its recording stops (with its stop time), so do the live
    /// stream and the pause.
    pub(super) fn stop_broadcasting(&mut self, now_ms: i64) {
        let b = &mut self.broadcasting;
        b.live = false;
        b.paused = false;
        if b.recording != RecordingState::Off {
            b.recording = RecordingState::Off;
            b.recording_stopped_ms = Some(now_ms);
            self.keep_recording(now_ms);
        }
    }
}

impl World {
    /// Record, SetMmrRecord: starts, pauses or stops the recording; refused where the
    /// enterprise has no recording resource.
    pub fn set_recording(&mut self, id: &str, to: RecordingState) -> Result<(), ApiError> {
        let now_ms = self.now_ms;
        let no_resource = self.no_recording_resource;
        let conference = self.ongoing_mut(id)?;
        if no_resource && to != RecordingState::Off {
            return Err(ApiError::new(
                Status::Forbidden,
                codes::NO_RECORDING_RESOURCE,
                "the enterprise has no recording resource",
            ));
        }
        let b = &mut conference.broadcasting;
        let stopped = b.recording != RecordingState::Off && to == RecordingState::Off;
        match (b.recording, to) {
            (RecordingState::Off, RecordingState::On) => b.recording_started_ms = Some(now_ms),
            (RecordingState::On | RecordingState::Paused, RecordingState::Off) => {
                b.recording_stopped_ms = Some(now_ms)
            }
            _ => {}
        }
        b.recording = to;
        if stopped {
            conference.keep_recording(now_ms);
        }
        self.changed(Change::Meeting(id.to_owned()));
        Ok(())
    }

    /// Live, SetMmrLive.
    pub fn set_live(&mut self, id: &str, live: bool) -> Result<(), ApiError> {
        self.ongoing_mut(id)?.broadcasting.live = live;
        self.changed(Change::Meeting(id.to_owned()));
        Ok(())
    }

    /// PauseConference.
    pub fn set_paused(&mut self, id: &str, paused: bool) -> Result<(), ApiError> {
        self.ongoing_mut(id)?.broadcasting.paused = paused;
        self.changed(Change::Meeting(id.to_owned()));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Seed;

    use crate::example::CONFERENCE as CONF;

    #[test]
    fn a_recording_keeps_its_start_and_stop_and_needs_a_resource() {
        let mut world = World::default();
        world.seed(Seed::example());
        world
            .set_recording(CONF, RecordingState::On)
            .expect("starts");
        world
            .set_recording(CONF, RecordingState::Paused)
            .expect("pauses");
        world
            .set_recording(CONF, RecordingState::Off)
            .expect("stops");
        let b = world.view(CONF).expect("seeded").broadcasting;
        assert_eq!(b.recording, RecordingState::Off);
        assert!(
            b.recording_started_ms.is_some() && b.recording_stopped_ms >= b.recording_started_ms
        );

        let mut world = World::default();
        world.seed(Seed {
            no_recording_resource: true,
            ..Seed::example()
        });
        let refused = world
            .set_recording(CONF, RecordingState::On)
            .expect_err("no resource");
        assert_eq!(refused.code, codes::NO_RECORDING_RESOURCE);
        world.set_live(CONF, true).expect("live needs none");
        world.set_paused(CONF, true).expect("paused");
        let b = world.view(CONF).expect("seeded").broadcasting;
        assert!(b.live && b.paused && b.recording == RecordingState::Off);
    }
}
