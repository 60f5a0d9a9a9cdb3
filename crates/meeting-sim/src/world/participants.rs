//! One participant at a time: its view, muting, inviting, hanging up, the one-use join
//! randoms, and the joins, leaves and speakers a script or the admin API makes happen.

use meeting_api::types::Attendee;

use super::{Change, ControlGrant, Participant, World};
use crate::errors::{ApiError, Status, codes};
use crate::model::ConferenceState;

/// How long a join random is valid: ten minutes (the pages give no figure).
pub const RANDOM_VALIDITY_MS: i64 = 10 * 60 * 1000;
/// How many unused randoms the simulator keeps at most.
pub const MAX_RANDOMS: usize = 4096;

impl World {
    /// LockView: locks (or with `locked` false, unlocks) the view of professional
    /// terminal `terminal` to the video source of participant `source`.
    pub fn lock_view(
        &mut self,
        id: &str,
        terminal: &str,
        source: &str,
        locked: bool,
    ) -> Result<(), ApiError> {
        let conference = self.ongoing_mut(id)?;
        if conference.participant_mut(source).is_none() {
            return Err(ApiError::participant_not_found(id, source));
        }
        let Some(participant) = conference.participant_mut(terminal) else {
            return Err(ApiError::participant_not_found(id, terminal));
        };
        if !participant.seed.professional_terminal {
            return Err(ApiError::new(
                Status::Forbidden,
                codes::NO_PERMISSION,
                format!("participant {terminal} is not a professional terminal"),
            ));
        }
        participant.view_locked_to = locked.then(|| source.to_owned());
        self.changed(Change::Participant {
            conference: id.to_owned(),
            participant: terminal.to_owned(),
        });
        Ok(())
    }

    /// MuteParticipant.
    pub fn mute_participant(
        &mut self,
        id: &str,
        participant: &str,
        mute: bool,
    ) -> Result<(), ApiError> {
        let conference = self.ongoing_mut(id)?;
        let Some(found) = conference.participant_mut(participant) else {
            return Err(ApiError::participant_not_found(id, participant));
        };
        found.muted = mute;
        self.changed(Change::Participant {
            conference: id.to_owned(),
            participant: participant.to_owned(),
        });
        Ok(())
    }

    /// InviteParticipant: every attendee is called and joins at once; returns their new
    /// participant IDs.
    /// InviteWithPwd: calls `call_num` in, authorized by the meeting's host or guest
    /// password `password` (with the access token, no control token); `body_id` is the
    /// meeting the body names, which must be `id`.
    pub fn invite_with_password(
        &mut self,
        id: &str,
        body_id: &str,
        call_num: &str,
        password: &str,
    ) -> Result<String, ApiError> {
        if body_id != id {
            return Err(ApiError::bad_request("confID must be the conferenceID"));
        }
        let conference = self.conference(id)?;
        let passwords = [
            Some(&conference.host_password),
            conference.guest_password.as_ref(),
        ];
        if password.is_empty() || !passwords.contains(&Some(&password.to_owned())) {
            return Err(ApiError::auth_failed("the meeting's password is wrong"));
        }
        let callee = Attendee {
            phone: Some(call_num.to_owned()),
            ..Attendee::default()
        };
        let mut joined = self.invite(id, &[callee])?;
        Ok(joined.pop().unwrap_or_default())
    }

    pub fn invite(&mut self, id: &str, attendees: &[Attendee]) -> Result<Vec<String>, ApiError> {
        if attendees.is_empty() {
            return Err(ApiError::bad_request("attendees must not be empty"));
        }
        if let Some(i) = attendees
            .iter()
            .position(|a| a.phone.as_deref().unwrap_or("").trim().is_empty())
        {
            return Err(ApiError::bad_request(format!(
                "attendees[{i}].phone is required"
            )));
        }
        let now_ms = self.now_ms;
        let conference = self.ongoing_mut(id)?;
        let mut joined = Vec::new();
        for attendee in attendees {
            let pid = hex::encode(rand::random::<[u8; 16]>());
            let mut participant = Participant::new(
                crate::model::ParticipantSeed {
                    id: pid.clone(),
                    name: attendee.name.clone(),
                    professional_terminal: false,
                    host: attendee.role.as_deref() == Some(&1),
                },
                now_ms,
            );
            participant.phone = attendee.phone.clone();
            conference.participants.push(participant);
            joined.push(pid);
        }
        for (participant, attendee) in joined.iter().zip(attendees) {
            self.changed(Change::Participant {
                conference: id.to_owned(),
                participant: participant.clone(),
            });
            self.changed(Change::Invited {
                conference: id.to_owned(),
                number: attendee.phone.clone().unwrap_or_default(),
            });
        }
        Ok(joined)
    }

    /// HangUp: all of them, or none if one is not in the meeting.
    pub fn hang_up(&mut self, id: &str, participants: &[&str]) -> Result<(), ApiError> {
        if participants.is_empty() {
            return Err(ApiError::bad_request(
                "bulkHangUpParticipants must not be empty",
            ));
        }
        let conference = self.ongoing_mut(id)?;
        if let Some(missing) = participants
            .iter()
            .find(|pid| !conference.participants.iter().any(|p| p.seed.id == **pid))
        {
            return Err(ApiError::participant_not_found(id, missing));
        }
        conference
            .participants
            .retain(|p| !participants.contains(&p.seed.id.as_str()));
        for participant in participants {
            self.changed(Change::Left {
                conference: id.to_owned(),
                participant: (*participant).to_owned(),
            });
        }
        Ok(())
    }

    /// CreateAuthRandom and CreateAnonymousAuthRandom: a one-use join credential for
    /// meeting `id` (scheduled or in progress), authorized by its host or guest
    /// password, valid `RANDOM_VALIDITY_MS`. Expired ones are dropped here, and at most
    /// `MAX_RANDOMS` are kept (the oldest go first).
    pub fn issue_random(
        &mut self,
        id: &str,
        password: &str,
    ) -> Result<(String, Option<String>), ApiError> {
        let conference = self
            .conferences
            .get(id)
            .ok_or_else(|| ApiError::meeting_not_found(id))?;
        if matches!(
            conference.state,
            ConferenceState::Ended | ConferenceState::Cancelled
        ) {
            return Err(ApiError::not_in_progress(id));
        }
        let passwords = [
            Some(&conference.host_password),
            conference.guest_password.as_ref(),
        ];
        if password.is_empty() || !passwords.contains(&Some(&password.to_owned())) {
            return Err(ApiError::auth_failed("the meeting's password is wrong"));
        }
        let now_ms = self.now_ms;
        self.randoms.retain(|_, g| g.expires_ms > now_ms);
        if self.randoms.len() >= MAX_RANDOMS {
            let oldest = self
                .randoms
                .iter()
                .min_by_key(|(_, g)| g.expires_ms)
                .map(|(random, _)| random.clone());
            if let Some(oldest) = oldest {
                self.randoms.remove(&oldest);
            }
        }
        let subject = conference.subject.clone();
        let random = super::new_token("rnd");
        self.randoms.insert(
            random.clone(),
            ControlGrant {
                conference: id.to_owned(),
                expires_ms: now_ms + RANDOM_VALIDITY_MS,
            },
        );
        Ok((random, subject))
    }

    /// Someone joins with a random (the admin API, `SimHandle::join_with_random`): once,
    /// before it expires, into the meeting it was issued for.
    pub fn join_with_random(
        &mut self,
        id: &str,
        random: &str,
        participant: crate::model::ParticipantSeed,
    ) -> Result<(), ApiError> {
        let now_ms = self.now_ms;
        match self.randoms.remove(random) {
            Some(grant) if grant.conference == id && grant.expires_ms > now_ms => {
                self.join(id, participant)
            }
            _ => Err(ApiError::auth_failed(
                "the random is unknown, used, expired or for another meeting",
            )),
        }
    }

    /// A participant joins (the admin API, `SimHandle::join`): a scheduled meeting
    /// starts.
    pub fn join(
        &mut self,
        id: &str,
        participant: crate::model::ParticipantSeed,
    ) -> Result<(), ApiError> {
        let now_ms = self.now_ms;
        let started = self.begin(id)?;
        let conference = self
            .conferences
            .get_mut(id)
            .ok_or_else(|| ApiError::meeting_not_found(id))?;
        let pid = participant.id.clone();
        conference.participants.retain(|p| p.seed.id != pid);
        conference
            .participants
            .push(Participant::new(participant, now_ms));
        if started {
            self.changed(Change::Meeting(id.to_owned()));
        }
        self.changed(Change::Participant {
            conference: id.to_owned(),
            participant: pid,
        });
        Ok(())
    }

    /// A participant leaves by itself (the admin API, `SimHandle::leave`).
    pub fn leave(&mut self, id: &str, participant: &str) -> Result<(), ApiError> {
        let conference = self.ongoing_mut(id)?;
        let before = conference.participants.len();
        conference.participants.retain(|p| p.seed.id != participant);
        if conference.participants.len() == before {
            return Err(ApiError::participant_not_found(id, participant));
        }
        conference.speakers.retain(|(pid, _)| pid != participant);
        self.changed(Change::Left {
            conference: id.to_owned(),
            participant: participant.to_owned(),
        });
        Ok(())
    }

    /// Who is speaking (the admin API, `SimHandle::set_speakers`): at most the three
    /// loudest, as the service reports them; every one must be in the meeting.
    pub fn set_speakers(&mut self, id: &str, speakers: &[(String, i64)]) -> Result<(), ApiError> {
        let conference = self.ongoing_mut(id)?;
        if let Some((missing, _)) = speakers
            .iter()
            .find(|(pid, _)| !conference.participants.iter().any(|p| p.seed.id == *pid))
        {
            return Err(ApiError::participant_not_found(id, missing));
        }
        let mut loudest = speakers.to_vec();
        loudest.sort_by_key(|(_, volume)| std::cmp::Reverse(*volume));
        loudest.truncate(3);
        conference.speakers = loudest;
        self.changed(Change::Speakers(id.to_owned()));
        Ok(())
    }
}
