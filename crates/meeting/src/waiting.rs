//! The waiting room: admitting participants, one or all, and moving participants back
//! into it. Control calls, with the control token (and the access token when the
//! client has credentials). A repeat of one that was applied fails (the participant
//! is no longer where it was), so they are retried only when the caller asks.

use meeting_api::operations::{
    ALLOW_WAITING_PARTICIPANT, BATCH_MOVE_TO_WAITING_ROOM, MOVE_TO_WAITING_ROOM,
};
use meeting_api::types::{
    RestAllowWaitingParticipantReqBody, RestBatchMoveToWaitingRoomReqBody,
    RestMoveToWaitingRoomReqBody,
};

use crate::conference::{Conference, Participant, id_problem};
use crate::error::Error;

impl Participant<'_> {
    /// Lets this participant in from the waiting room. The service refuses one that
    /// is not waiting.
    pub async fn admit(&self) -> Result<(), Error> {
        let body = Ok(RestAllowWaitingParticipantReqBody {
            participant_id: Some(self.id().to_owned()),
            allow_all: Some(false),
        });
        let body = &self.checked(&ALLOW_WAITING_PARTICIPANT, body)?;
        let conference = self.conference();
        conference.admit_with(body).await
    }

    /// Moves this participant from the meeting into the waiting room.
    pub async fn to_waiting_room(&self) -> Result<(), Error> {
        let body = self
            .id()
            .try_into()
            .map(|participant_id| RestMoveToWaitingRoomReqBody { participant_id })
            .map_err(|_| "invalid participant id".to_owned());
        let body = &self.checked(&MOVE_TO_WAITING_ROOM, body)?;
        let conference = self.conference();
        conference
            .send(&MOVE_TO_WAITING_ROOM, |t| async move {
                conference
                    .api()
                    .move_to_waiting_room(conference.id(), t.access_if_any(), t.control(), body)
                    .await
            })
            .await
    }
}

impl Conference {
    /// Lets everyone in from the waiting room.
    pub async fn admit_all(&self) -> Result<(), Error> {
        let body = Ok(RestAllowWaitingParticipantReqBody {
            participant_id: None,
            allow_all: Some(true),
        });
        let body = &self.checked(&ALLOW_WAITING_PARTICIPANT, body)?;
        self.admit_with(body).await
    }

    async fn admit_with(&self, body: &RestAllowWaitingParticipantReqBody) -> Result<(), Error> {
        self.send(&ALLOW_WAITING_PARTICIPANT, |t| async move {
            self.api()
                .allow_waiting_participant(self.id(), t.access_if_any(), t.control(), body)
                .await
        })
        .await
    }

    /// Moves these participants from the meeting into the waiting room: all of them,
    /// or none if one is not in the meeting.
    pub async fn to_waiting_room(&self, participants: &[&str]) -> Result<(), Error> {
        let body = if participants.is_empty() {
            Err("name at least one participant".to_owned())
        } else if let Some(problem) = participants
            .iter()
            .find_map(|p| id_problem("participant id", p))
        {
            Err(problem)
        } else {
            Ok(RestBatchMoveToWaitingRoomReqBody {
                batch_participants: participants.iter().map(|p| (*p).to_owned()).collect(),
            })
        };
        let body = &self.checked(&BATCH_MOVE_TO_WAITING_ROOM, body)?;
        self.send(&BATCH_MOVE_TO_WAITING_ROOM, |t| async move {
            self.api()
                .batch_move_to_waiting_room(self.id(), t.access_if_any(), t.control(), body)
                .await
        })
        .await
    }
}
