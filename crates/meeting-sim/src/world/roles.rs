//! Roles and hands: who holds the host role (one participant at most, taken with the
//! host password), the co-hosts, names, raised hands.

use super::{Change, World};
use crate::errors::{ApiError, Status, codes};

impl World {
    /// SetRole: `take` with the host password gives `participant` the host role,
    /// refused while another holds it; without `take` it releases its role.
    pub fn set_role(
        &mut self,
        id: &str,
        participant: &str,
        take: bool,
        password: Option<&str>,
    ) -> Result<(), ApiError> {
        let conference = self.ongoing_mut(id)?;
        if conference.participant_mut(participant).is_none() {
            return Err(ApiError::participant_not_found(id, participant));
        }
        if take {
            if password != Some(conference.host_password.as_str()) {
                return Err(ApiError::new(
                    Status::Forbidden,
                    codes::HOST_PASSWORD_WRONG,
                    "the host password is wrong",
                ));
            }
            if let Some(host) = conference
                .participants
                .iter()
                .find(|p| p.seed.host && p.seed.id != participant)
            {
                return Err(ApiError::new(
                    Status::Forbidden,
                    codes::HOST_TAKEN,
                    format!("participant {} holds the host role", host.seed.id),
                ));
            }
        }
        if let Some(p) = conference.participant_mut(participant) {
            p.seed.host = take;
        }
        self.changed(Change::Participant {
            conference: id.to_owned(),
            participant: participant.to_owned(),
        });
        Ok(())
    }

    /// SetCohost.
    pub fn set_cohost(&mut self, id: &str, participant: &str, on: bool) -> Result<(), ApiError> {
        let conference = self.ongoing_mut(id)?;
        let p = conference
            .participant_mut(participant)
            .ok_or_else(|| ApiError::participant_not_found(id, participant))?;
        p.flags.co_host = on;
        self.changed(Change::Participant {
            conference: id.to_owned(),
            participant: participant.to_owned(),
        });
        Ok(())
    }

    /// RenameParticipant.
    pub fn rename(&mut self, id: &str, participant: &str, name: &str) -> Result<(), ApiError> {
        let conference = self.ongoing_mut(id)?;
        let p = conference
            .participant_mut(participant)
            .ok_or_else(|| ApiError::participant_not_found(id, participant))?;
        p.seed.name = Some(name.to_owned());
        self.changed(Change::Participant {
            conference: id.to_owned(),
            participant: participant.to_owned(),
        });
        Ok(())
    }

    /// Hand and BatchHand: every named participant's hand, or none if one is not in
    /// the meeting.
    pub fn set_hands(
        &mut self,
        id: &str,
        participants: &[&str],
        raised: bool,
    ) -> Result<(), ApiError> {
        if participants.is_empty() {
            return Err(ApiError::bad_request("pids must not be empty"));
        }
        let conference = self.ongoing_mut(id)?;
        if let Some(missing) = participants
            .iter()
            .find(|pid| !conference.participants.iter().any(|p| p.seed.id == **pid))
        {
            return Err(ApiError::participant_not_found(id, missing));
        }
        for p in conference
            .participants
            .iter_mut()
            .filter(|p| participants.contains(&p.seed.id.as_str()))
        {
            p.flags.hand_raised = raised;
        }
        for participant in participants {
            self.changed(Change::Participant {
                conference: id.to_owned(),
                participant: (*participant).to_owned(),
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

    fn world() -> World {
        let mut world = World::default();
        world.seed(Seed::example());
        world
    }

    #[test]
    fn the_host_role_is_held_by_one_participant_and_taken_with_the_password() {
        let mut world = world();
        let chair = |world: &World| {
            world
                .live(CONF)
                .expect("live")
                .conf_info
                .and_then(|c| c.chair_id)
        };
        assert_eq!(chair(&world), None, "the example seeds no host");
        let refused = world
            .set_role(CONF, TERMINAL, true, Some("wrong"))
            .expect_err("password");
        assert_eq!(refused.code, codes::HOST_PASSWORD_WRONG);
        world
            .set_role(CONF, TERMINAL, true, Some("654321"))
            .expect("taken");
        world
            .set_role(CONF, TERMINAL, true, Some("654321"))
            .expect("taken again: the same state");
        let refused = world
            .set_role(CONF, LAPTOP, true, Some("654321"))
            .expect_err("held");
        assert_eq!(refused.code, codes::HOST_TAKEN);
        world
            .set_role(CONF, TERMINAL, false, None)
            .expect("released");
        world
            .set_role(CONF, LAPTOP, true, Some("654321"))
            .expect("handed over");
        assert_eq!(chair(&world).as_deref(), Some(LAPTOP));
        assert!(
            world
                .set_role(CONF, "nobody", true, Some("654321"))
                .is_err()
        );
    }

    #[test]
    fn hands_cohosts_and_names_show_in_the_live_state_and_a_batch_is_all_or_none() {
        let mut world = world();
        world
            .set_hands(CONF, &[LAPTOP, TERMINAL], true)
            .expect("raised");
        assert!(world.set_hands(CONF, &[LAPTOP, "nobody"], false).is_err());
        world.set_hands(CONF, &[TERMINAL], false).expect("lowered");
        world.set_cohost(CONF, LAPTOP, true).expect("co-host");
        world
            .rename(CONF, LAPTOP, "Laptop of Carol")
            .expect("renamed");
        let live = world.live(CONF).expect("live");
        let laptop = live
            .participants
            .iter()
            .find(|p| p.pid == LAPTOP)
            .expect("laptop");
        assert_eq!(laptop.hand, Some(1));
        assert_eq!(laptop.name.as_deref(), Some("Laptop of Carol"));
        let terminal = live
            .participants
            .iter()
            .find(|p| p.pid == TERMINAL)
            .expect("terminal");
        assert_eq!(terminal.hand, Some(0));
        assert_eq!(live.conf_info.expect("info").co_hosts, [LAPTOP]);
    }
}
