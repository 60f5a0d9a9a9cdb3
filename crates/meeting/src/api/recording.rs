//! Recording, live streaming and pause: what the host switches on and off. Control
//! calls, with the control token (and the access token when the client has
//! credentials).

use meeting_api::operations::{LIVE, PAUSE_CONFERENCE, RECORD, SET_MMR_LIVE, SET_MMR_RECORD};
use meeting_api::types::{
    PauseConferenceReq, RestSetLiveReqBody, RestSetMmrLiveReqBody, RestSetMmrRecordReqBody,
    RestSetRecordReqBody,
};

use crate::api::control::switch;
use crate::conference::Conference;
use crate::error::Error;

/// What to do with an MMR (cloud) meeting's recording (see
/// [`Conference::mmr_recording`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MmrRecording {
    /// Start (or resume) recording.
    Start,
    /// Pause it.
    Pause,
    /// Stop it.
    Stop,
}

impl Conference {
    /// Starts recording the meeting. The service refuses where the enterprise has no
    /// recording resource ([`crate::Refusal::NoRecordingResource`]).
    pub async fn start_recording(&self) -> Result<(), Error> {
        self.record(true).await
    }

    /// Stops recording the meeting.
    pub async fn stop_recording(&self) -> Result<(), Error> {
        self.record(false).await
    }

    async fn record(&self, on: bool) -> Result<(), Error> {
        let body = switch(on).map(|is_record| RestSetRecordReqBody { is_record });
        self.run(&RECORD, body.as_ref(), |api, body| {
            api.record(self.id(), body)
        })
        .await
    }

    /// Starts, pauses or stops the recording of an MMR (cloud) meeting.
    pub async fn mmr_recording(&self, action: MmrRecording) -> Result<(), Error> {
        let value = match action {
            MmrRecording::Pause => 0,
            MmrRecording::Start => 1,
            MmrRecording::Stop => 2,
        };
        let body = value
            .try_into()
            .map(|record_type| RestSetMmrRecordReqBody { record_type })
            .map_err(|_| "not a recording action".to_owned());
        self.run(&SET_MMR_RECORD, body.as_ref(), |api, body| {
            api.set_mmr_record(self.id(), body)
        })
        .await
    }

    /// Starts (`true`) or stops the meeting's live stream.
    pub async fn live_stream(&self, on: bool) -> Result<(), Error> {
        let body = switch(on).map(|is_live| RestSetLiveReqBody { is_live });
        self.run(&LIVE, body.as_ref(), |api, body| api.live(self.id(), body))
            .await
    }

    /// Starts (`true`) or stops the live stream of an MMR (cloud) meeting.
    pub async fn mmr_live_stream(&self, on: bool) -> Result<(), Error> {
        let body = switch(on).map(|live_state| RestSetMmrLiveReqBody { live_state });
        self.run(&SET_MMR_LIVE, body.as_ref(), |api, body| {
            api.set_mmr_live(self.id(), body)
        })
        .await
    }

    /// Pauses the meeting (`true`: everyone muted, a pause screen) or resumes it.
    pub async fn pause(&self, paused: bool) -> Result<(), Error> {
        let body = switch(paused).map(|pause| PauseConferenceReq { pause });
        self.run(&PAUSE_CONFERENCE, body.as_ref(), |api, body| {
            api.pause_conference(self.id(), body)
        })
        .await
    }
}
