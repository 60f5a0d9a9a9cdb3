//! The spotlight and requests to one participant: roll call, broadcast, sharing, the
//! camera, local recording; and the meeting's audience, guests' unmuting, attendees
//! removed. Control calls, with the control token (and the access token when the
//! client has credentials).
//!
//! Retried like a lock where the call sets a state (roll call, broadcast, recording
//! permission, audience, guests); not where it asks the participant something (share,
//! camera: a repeat asks again) or removes attendees (a repeat fails).

use meeting_api::operations::{
    ALLOW_AUDIENCE_JOIN, ALLOW_CLIENT_RECORD, ALLOW_GUEST_UNMUTE, BROADCAST_PARTICIPANT,
    CANCEL_BROADCAST, DELETE_ATTENDEES, INVITE_OPERATE_VIDEO, INVITE_SHARE, ROLLCALL_PARTICIPANT,
};
use meeting_api::types::{
    DelAttendInfo, InviteShareDto, RestAllowAudienceReqBody, RestAllowClientRecordReqBody,
    RestAllowUnMuteReqBody, RestBulkDelAttendReqBody, RestVideoBody,
};

use crate::conference::{Conference, Participant, id_problem};
use crate::error::Error;
use crate::meeting::switch;

impl Participant<'_> {
    /// Calls on this participant: everyone sees and hears them (the last one called on
    /// is released).
    pub async fn roll_call(&self) -> Result<(), Error> {
        self.checked(&ROLLCALL_PARTICIPANT, Ok(()))?;
        let (conference, id) = (self.conference(), self.id());
        conference
            .send(&ROLLCALL_PARTICIPANT, |t| async move {
                conference
                    .api()
                    .rollcall_participant(conference.id(), id, t.access_if_any(), t.control())
                    .await
            })
            .await
    }

    /// Shows this participant to everyone, until [`Conference::cancel_broadcast`] or
    /// another broadcast.
    pub async fn broadcast(&self) -> Result<(), Error> {
        self.checked(&BROADCAST_PARTICIPANT, Ok(()))?;
        let (conference, id) = (self.conference(), self.id());
        conference
            .send(&BROADCAST_PARTICIPANT, |t| async move {
                conference
                    .api()
                    .broadcast_participant(conference.id(), id, t.access_if_any(), t.control())
                    .await
            })
            .await
    }

    /// Invites this participant to share their screen (`true`) or withdraws the
    /// invitation (`false`). Not retried: the participant is asked again.
    pub async fn invite_to_share(&self, invite: bool) -> Result<(), Error> {
        let body = switch(invite).map(|share| InviteShareDto { share });
        let body = &self.checked(&INVITE_SHARE, body)?;
        let (conference, id) = (self.conference(), self.id());
        conference
            .send(&INVITE_SHARE, |t| async move {
                conference
                    .api()
                    .invite_share(conference.id(), id, t.access_if_any(), t.control(), body)
                    .await
            })
            .await
    }

    /// Asks this participant to turn the camera on (`true`) or off (`false`). Not
    /// retried: the participant is asked again.
    pub async fn ask_camera(&self, on: bool) -> Result<(), Error> {
        // On the wire 0 is on and 1 is off.
        let body = switch(!on).map(|status| RestVideoBody { status });
        let body = &self.checked(&INVITE_OPERATE_VIDEO, body)?;
        let (conference, id) = (self.conference(), self.id());
        conference
            .send(&INVITE_OPERATE_VIDEO, |t| async move {
                conference
                    .api()
                    .invite_operate_video(conference.id(), id, t.access_if_any(), t.control(), body)
                    .await
            })
            .await
    }

    /// Lets this participant record the meeting on their client (`true`), or not.
    pub async fn allow_local_recording(&self, allow: bool) -> Result<(), Error> {
        let body = switch(allow).map(|allow_client_record| RestAllowClientRecordReqBody {
            allow_client_record,
        });
        let body = &self.checked(&ALLOW_CLIENT_RECORD, body)?;
        let (conference, id) = (self.conference(), self.id());
        conference
            .send(&ALLOW_CLIENT_RECORD, |t| async move {
                conference
                    .api()
                    .allow_client_record(conference.id(), id, t.access_if_any(), t.control(), body)
                    .await
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
        self.checked(&CANCEL_BROADCAST, Ok(()))?;
        self.send(&CANCEL_BROADCAST, |t| async move {
            self.api()
                .cancel_broadcast(self.id(), t.access_if_any(), t.control())
                .await
        })
        .await
    }

    /// Lets the audience (webinar viewers) join (`true`), or closes the doors to them.
    pub async fn allow_audience(&self, allow: bool) -> Result<(), Error> {
        let body = switch(allow).map(|allow_audience| RestAllowAudienceReqBody { allow_audience });
        let body = &self.checked(&ALLOW_AUDIENCE_JOIN, body)?;
        self.send(&ALLOW_AUDIENCE_JOIN, |t| async move {
            self.api()
                .allow_audience_join(self.id(), t.access_if_any(), t.control(), body)
                .await
        })
        .await
    }

    /// Whether muted guests may unmute themselves.
    pub async fn allow_guests_to_unmute(&self, allow: bool) -> Result<(), Error> {
        let body = switch(allow).map(|allow_unmute_by_oneself| RestAllowUnMuteReqBody {
            allow_unmute_by_oneself,
        });
        let body = &self.checked(&ALLOW_GUEST_UNMUTE, body)?;
        self.send(&ALLOW_GUEST_UNMUTE, |t| async move {
            self.api()
                .allow_guest_unmute(self.id(), t.access_if_any(), t.control(), body)
                .await
        })
        .await
    }

    /// Removes these attendees from the meeting: all of them, or none if one is not
    /// in it. Not retried: a repeat fails (they are gone).
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
        let body = &self.checked(&DELETE_ATTENDEES, body)?;
        self.send(&DELETE_ATTENDEES, |t| async move {
            self.api()
                .delete_attendees(self.id(), t.access_if_any(), t.control(), body)
                .await
        })
        .await
    }
}
