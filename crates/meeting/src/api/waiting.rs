//! The waiting room: admitting participants, one or all, and moving participants back
//! into it. Control calls, with the control token (and the access token when the
//! client has credentials).

use meeting_api::operations::{
    ALLOW_WAITING_PARTICIPANT, BATCH_MOVE_TO_WAITING_ROOM, MOVE_TO_WAITING_ROOM,
};
use meeting_api::types::{
    RestAllowWaitingParticipantReqBody, RestBatchMoveToWaitingRoomReqBody,
    RestMoveToWaitingRoomReqBody,
};

use crate::conference::{Conference, NO_INPUT, Participant, ids_problem};
use crate::error::Error;

impl Participant<'_> {
    /// Lets this participant in from the waiting room. The service refuses one that
    /// is not waiting.
    pub async fn admit(&self) -> Result<(), Error> {
        let body = NO_INPUT.map(|()| RestAllowWaitingParticipantReqBody {
            participant_id: Some(self.id().to_owned()),
            allow_all: Some(false),
        });
        self.run(&ALLOW_WAITING_PARTICIPANT, body.as_ref(), |api, body| {
            api.allow_waiting_participant(self.conference().id(), body)
        })
        .await
    }

    /// Moves this participant from the meeting into the waiting room.
    pub async fn to_waiting_room(&self) -> Result<(), Error> {
        let body = self
            .id()
            .try_into()
            .map(|participant_id| RestMoveToWaitingRoomReqBody { participant_id })
            .map_err(|_| "invalid participant id".to_owned());
        self.run(&MOVE_TO_WAITING_ROOM, body.as_ref(), |api, body| {
            api.move_to_waiting_room(self.conference().id(), body)
        })
        .await
    }
}

impl Conference {
    /// Lets everyone in from the waiting room.
    pub async fn admit_all(&self) -> Result<(), Error> {
        let body = NO_INPUT.map(|()| RestAllowWaitingParticipantReqBody {
            participant_id: None,
            allow_all: Some(true),
        });
        self.run(&ALLOW_WAITING_PARTICIPANT, body.as_ref(), |api, body| {
            api.allow_waiting_participant(self.id(), body)
        })
        .await
    }

    /// Moves these participants from the meeting into the waiting room: all of them,
    /// or none if one is not in the meeting.
    pub async fn to_waiting_room(&self, participants: &[&str]) -> Result<(), Error> {
        let body = ids_problem(
            "participant",
            "participant id",
            participants.iter().copied(),
        )
        .map(|()| RestBatchMoveToWaitingRoomReqBody {
            batch_participants: participants.iter().map(|p| (*p).to_owned()).collect(),
        });
        self.run(&BATCH_MOVE_TO_WAITING_ROOM, body.as_ref(), |api, body| {
            api.batch_move_to_waiting_room(self.id(), body)
        })
        .await
    }
}
