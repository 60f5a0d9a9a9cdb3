//! The spotlight and requests to one participant: roll call, broadcast, sharing, the
//! camera, local recording; and the meeting's audience, guests' unmuting, attendees
//! removed. Control calls, with the control token (and the access token when the
//! client has credentials).

use meeting_api::operations::{
    ALLOW_AUDIENCE_JOIN, ALLOW_CLIENT_RECORD, ALLOW_GUEST_UNMUTE, BROADCAST_PARTICIPANT,
    CANCEL_BROADCAST, DELETE_ATTENDEES, INVITE_OPERATE_VIDEO, INVITE_SHARE, ROLLCALL_PARTICIPANT,
};
use meeting_api::types::{
    DelAttendInfo, InviteShareDto, RestAllowAudienceReqBody, RestAllowClientRecordReqBody,
    RestAllowUnMuteReqBody, RestBulkDelAttendReqBody, RestVideoBody,
};

use crate::api::control::switch;
use crate::conference::{Conference, NO_INPUT, Participant, id_problem};
use crate::error::Error;

impl Participant<'_> {
    /// Calls on this participant: everyone sees and hears them (the last one called on
    /// is released).
    pub async fn roll_call(&self) -> Result<(), Error> {
        self.run(&ROLLCALL_PARTICIPANT, NO_INPUT, |api, ()| {
            api.rollcall_participant(self.conference().id(), self.wire_id())
        })
        .await
    }

    /// Shows this participant to everyone, until [`Conference::cancel_broadcast`] or
    /// another broadcast.
    pub async fn broadcast(&self) -> Result<(), Error> {
        self.run(&BROADCAST_PARTICIPANT, NO_INPUT, |api, ()| {
            api.broadcast_participant(self.conference().id(), self.wire_id())
        })
        .await
    }

    /// Invites this participant to share their screen (`true`) or withdraws the
    /// invitation (`false`).
    pub async fn invite_to_share(&self, invite: bool) -> Result<(), Error> {
        let body = switch(invite).map(|share| InviteShareDto { share });
        self.run(&INVITE_SHARE, body.as_ref(), |api, body| {
            api.invite_share(self.conference().id(), self.wire_id(), body)
        })
        .await
    }

    /// Asks this participant to turn the camera on (`true`) or off (`false`).
    pub async fn ask_camera(&self, on: bool) -> Result<(), Error> {
        // On the wire 0 is on and 1 is off.
        let body = switch(!on).map(|status| RestVideoBody { status });
        self.run(&INVITE_OPERATE_VIDEO, body.as_ref(), |api, body| {
            api.invite_operate_video(self.conference().id(), self.wire_id(), body)
        })
        .await
    }

    /// Lets this participant record the meeting on their client (`true`), or not.
    pub async fn allow_local_recording(&self, allow: bool) -> Result<(), Error> {
        let body = switch(allow).map(|allow_client_record| RestAllowClientRecordReqBody {
            allow_client_record,
        });
        self.run(&ALLOW_CLIENT_RECORD, body.as_ref(), |api, body| {
            api.allow_client_record(self.conference().id(), self.wire_id(), body)
        })
        .await
    }
}

/// An attendee to remove (see [`Conference::remove_attendees`]).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AttendeeRef {
    /// A participant in the meeting, by its ID.
    Participant(String),
    /// An attendee by number (one called or invited by number).
    Number(String),
}

impl Conference {
    /// Ends the broadcast (also when nobody is broadcast).
    pub async fn cancel_broadcast(&self) -> Result<(), Error> {
        self.run(&CANCEL_BROADCAST, NO_INPUT, |api, ()| {
            api.cancel_broadcast(self.id())
        })
        .await
    }

    /// Lets the audience (webinar viewers) join (`true`), or closes the doors to them.
    pub async fn allow_audience(&self, allow: bool) -> Result<(), Error> {
        let body = switch(allow).map(|allow_audience| RestAllowAudienceReqBody { allow_audience });
        self.run(&ALLOW_AUDIENCE_JOIN, body.as_ref(), |api, body| {
            api.allow_audience_join(self.id(), body)
        })
        .await
    }

    /// Whether muted guests may unmute themselves.
    pub async fn allow_guests_to_unmute(&self, allow: bool) -> Result<(), Error> {
        let body = switch(allow).map(|allow_unmute_by_oneself| RestAllowUnMuteReqBody {
            allow_unmute_by_oneself,
        });
        self.run(&ALLOW_GUEST_UNMUTE, body.as_ref(), |api, body| {
            api.allow_guest_unmute(self.id(), body)
        })
        .await
    }

    /// Removes these attendees from the meeting: all of them, or none if one is not
    /// in it.
    pub async fn remove_attendees(&self, attendees: &[AttendeeRef]) -> Result<(), Error> {
        let body = if attendees.is_empty() {
            Err("name at least one attendee".to_owned())
        } else if let Some(problem) = attendees.iter().find_map(|a| match a {
            AttendeeRef::Participant(id) => id_problem("participant id", id),
            AttendeeRef::Number(number) => id_problem("attendee's number", number),
        }) {
            Err(problem)
        } else {
            Ok(RestBulkDelAttendReqBody {
                bulk_del_attend_info: attendees
                    .iter()
                    .map(|a| match a {
                        AttendeeRef::Participant(id) => DelAttendInfo {
                            participant_id: Some(id.clone()),
                            number: None,
                        },
                        AttendeeRef::Number(number) => DelAttendInfo {
                            participant_id: None,
                            number: Some(number.clone()),
                        },
                    })
                    .collect(),
            })
        };
        self.run(&DELETE_ATTENDEES, body.as_ref(), |api, body| {
            api.delete_attendees(self.id(), body)
        })
        .await
    }
}
