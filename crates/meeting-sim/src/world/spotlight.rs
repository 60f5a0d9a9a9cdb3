//! The spotlight and what the host asks of a participant: roll call and broadcast
//! (one participant each at most), sharing, the camera, local recording; and the
//! meeting's audience, guests' unmuting, attendees removed.

use super::{Change, World};
use crate::errors::ApiError;

/// Which one-at-a-time spotlight.
#[derive(Clone, Copy)]
pub enum Spotlight {
    RollCall,
    Broadcast,
}

impl World {
    /// RollcallParticipant, BroadcastParticipant (with `Some`), CancelBroadcast (with
    /// `None`): one participant at most holds each spotlight.
    pub fn spotlight(
        &mut self,
        id: &str,
        which: Spotlight,
        participant: Option<&str>,
    ) -> Result<(), ApiError> {
        let conference = self.ongoing_mut(id)?;
        if let Some(pid) = participant
            && conference.participant_mut(pid).is_none()
        {
            return Err(ApiError::participant_not_found(id, pid));
        }
        let mut changed = Vec::new();
        for p in &mut conference.participants {
            let on = participant == Some(p.seed.id.as_str());
            let flag = match which {
                Spotlight::RollCall => &mut p.flags.roll_call,
                Spotlight::Broadcast => &mut p.flags.broadcast,
            };
            if *flag != on {
                *flag = on;
                changed.push(p.seed.id.clone());
            }
        }
        for participant in changed {
            self.changed(Change::Participant {
                conference: id.to_owned(),
                participant,
            });
        }
        Ok(())
    }

    /// InviteShare, InviteOperateVideo, AllowClientRecord: one participant's flag.
    pub fn set_flag(
        &mut self,
        id: &str,
        participant: &str,
        set: impl FnOnce(&mut crate::model::ParticipantFlags),
    ) -> Result<(), ApiError> {
        let conference = self.ongoing_mut(id)?;
        let p = conference
            .participant_mut(participant)
            .ok_or_else(|| ApiError::participant_not_found(id, participant))?;
        set(&mut p.flags);
        self.changed(Change::Participant {
            conference: id.to_owned(),
            participant: participant.to_owned(),
        });
        Ok(())
    }

    /// AllowAudienceJoin.
    pub fn allow_audience(&mut self, id: &str, allow: bool) -> Result<(), ApiError> {
        self.ongoing_mut(id)?.allow_audience = allow;
        self.changed(Change::Meeting(id.to_owned()));
        Ok(())
    }

    /// AllowGuestUnmute: the meeting's `allowUnmuteByOneself`.
    pub fn allow_guest_unmute(&mut self, id: &str, allow: bool) -> Result<(), ApiError> {
        self.ongoing_mut(id)?.settings.allow_unmute_by_oneself = i32::from(allow);
        self.changed(Change::Meeting(id.to_owned()));
        Ok(())
    }

    /// DeleteAttendees: each named by participant ID (or, without one, by number)
    /// leaves the meeting; all or none.
    pub fn delete_attendees(
        &mut self,
        id: &str,
        attendees: &[(Option<&str>, Option<&str>)],
    ) -> Result<(), ApiError> {
        if attendees.is_empty() {
            return Err(ApiError::bad_request("bulkDelAttendInfo must not be empty"));
        }
        let conference = self.ongoing_mut(id)?;
        let mut gone = Vec::new();
        for (participant, number) in attendees {
            let found = conference
                .participants
                .iter()
                .find(|p| match (participant, number) {
                    (Some(pid), _) => p.seed.id == *pid,
                    (None, Some(number)) => p.phone.as_deref() == Some(*number),
                    (None, None) => false,
                });
            match found {
                Some(p) => gone.push(p.seed.id.clone()),
                None => {
                    return Err(ApiError::participant_not_found(
                        id,
                        participant.or(*number).unwrap_or("(unnamed)"),
                    ));
                }
            }
        }
        conference
            .participants
            .retain(|p| !gone.contains(&p.seed.id));
        conference.speakers.retain(|(pid, _)| !gone.contains(pid));
        for participant in gone {
            self.changed(Change::Left {
                conference: id.to_owned(),
                participant,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::example::{CONFERENCE as CONF, LAPTOP, TERMINAL};
    use crate::model::Seed;

    fn flags(world: &World, pid: &str) -> crate::model::ParticipantFlags {
        let view = world.view(CONF).expect("seeded");
        view.participants
            .into_iter()
            .find(|p| p.id == pid)
            .expect("in it")
            .flags
    }

    #[test]
    fn one_participant_at_a_time_holds_the_broadcast_and_the_roll_call() {
        let mut world = World::default();
        world.seed(Seed::example());
        world
            .spotlight(CONF, Spotlight::Broadcast, Some(LAPTOP))
            .expect("broadcast");
        world
            .spotlight(CONF, Spotlight::Broadcast, Some(TERMINAL))
            .expect("moved");
        assert!(!flags(&world, LAPTOP).broadcast && flags(&world, TERMINAL).broadcast);
        world
            .spotlight(CONF, Spotlight::Broadcast, None)
            .expect("cancelled");
        assert!(!flags(&world, TERMINAL).broadcast);
        world
            .spotlight(CONF, Spotlight::RollCall, Some(LAPTOP))
            .expect("called on");
        assert!(flags(&world, LAPTOP).roll_call);
        assert!(
            world
                .spotlight(CONF, Spotlight::RollCall, Some("nobody"))
                .is_err()
        );
        assert!(flags(&world, LAPTOP).roll_call, "a refusal changes nothing");
    }

    #[test]
    fn attendees_are_removed_all_or_none() {
        let mut world = World::default();
        world.seed(Seed::example());
        assert!(
            world
                .delete_attendees(CONF, &[(Some(LAPTOP), None), (Some("nobody"), None)])
                .is_err()
        );
        assert_eq!(world.view(CONF).expect("seeded").participants.len(), 2);
        world
            .delete_attendees(CONF, &[(Some(LAPTOP), None)])
            .expect("removed");
        assert_eq!(world.view(CONF).expect("seeded").participants.len(), 1);
    }
}
