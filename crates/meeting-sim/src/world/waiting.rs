//! The waiting room: who waits to be admitted, admitted one by one or all at once,
//! and participants moved back into it.

use super::{Change, Participant, World};
use crate::errors::{ApiError, Status, codes};
use crate::model::ParticipantSeed;

/// Someone in the waiting room.
#[derive(Clone, Debug)]
pub struct Waiting {
    pub seed: ParticipantSeed,
    /// When it started waiting, in ms since the epoch.
    pub since_ms: i64,
}

fn not_waiting(id: &str, participant: &str) -> ApiError {
    ApiError::new(
        Status::BadRequest,
        codes::NOT_WAITING,
        format!("participant {participant} is not in the waiting room of meeting {id}"),
    )
}

impl World {
    /// Someone enters the waiting room (the admin API, `SimHandle::wait`).
    pub fn wait(&mut self, id: &str, participant: ParticipantSeed) -> Result<(), ApiError> {
        let now_ms = self.now_ms;
        let conference = self.ongoing_mut(id)?;
        let pid = participant.id.clone();
        if conference.participants.iter().any(|p| p.seed.id == pid) {
            return Err(ApiError::bad_request(format!(
                "participant {pid} is already in meeting {id}"
            )));
        }
        conference.waiting.retain(|w| w.seed.id != pid);
        conference.waiting.push(Waiting {
            seed: participant,
            since_ms: now_ms,
        });
        self.changed(Change::Waiting {
            conference: id.to_owned(),
            participant: pid,
        });
        Ok(())
    }

    /// AllowWaitingParticipant: `participant` (or, with `all`, everyone waiting) joins
    /// the meeting; refused for someone who is not waiting.
    pub fn admit(
        &mut self,
        id: &str,
        participant: Option<&str>,
        all: bool,
    ) -> Result<(), ApiError> {
        let now_ms = self.now_ms;
        let conference = self.ongoing_mut(id)?;
        let admitted: Vec<Waiting> = if all {
            std::mem::take(&mut conference.waiting)
        } else {
            let pid = participant.filter(|p| !p.is_empty()).ok_or_else(|| {
                ApiError::bad_request("participantID is required without allowAll")
            })?;
            let at = conference
                .waiting
                .iter()
                .position(|w| w.seed.id == pid)
                .ok_or_else(|| not_waiting(id, pid))?;
            vec![conference.waiting.remove(at)]
        };
        for waiting in &admitted {
            conference
                .participants
                .push(Participant::new(waiting.seed.clone(), now_ms));
        }
        for waiting in admitted {
            self.changed(Change::Waiting {
                conference: id.to_owned(),
                participant: waiting.seed.id.clone(),
            });
            self.changed(Change::Participant {
                conference: id.to_owned(),
                participant: waiting.seed.id,
            });
        }
        Ok(())
    }

    /// MoveToWaitingRoom, BatchMoveToWaitingRoom: every named participant leaves the
    /// meeting for the waiting room, or none if one is not in the meeting.
    pub fn move_to_waiting_room(
        &mut self,
        id: &str,
        participants: &[&str],
    ) -> Result<(), ApiError> {
        if participants.is_empty() {
            return Err(ApiError::bad_request("name at least one participant"));
        }
        let now_ms = self.now_ms;
        let conference = self.ongoing_mut(id)?;
        if let Some(missing) = participants
            .iter()
            .find(|pid| !conference.participants.iter().any(|p| p.seed.id == **pid))
        {
            return Err(ApiError::participant_not_found(id, missing));
        }
        let (moved, stay): (Vec<Participant>, Vec<Participant>) =
            std::mem::take(&mut conference.participants)
                .into_iter()
                .partition(|p| participants.contains(&p.seed.id.as_str()));
        conference.participants = stay;
        conference
            .speakers
            .retain(|(pid, _)| !participants.contains(&pid.as_str()));
        for p in &moved {
            conference.waiting.push(Waiting {
                seed: p.seed.clone(),
                since_ms: now_ms,
            });
        }
        for p in moved {
            self.changed(Change::Left {
                conference: id.to_owned(),
                participant: p.seed.id.clone(),
            });
            self.changed(Change::Waiting {
                conference: id.to_owned(),
                participant: p.seed.id,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::example::{CONFERENCE as CONF, LAPTOP};
    use crate::model::Seed;

    #[test]
    fn the_waiting_room_is_a_list_participants_move_in_and_out_of() {
        let mut world = World::default();
        world.seed(Seed::example());
        world
            .wait(CONF, ParticipantSeed::client("late", "Late guest"))
            .expect("waits");
        let view = world.view(CONF).expect("seeded");
        assert_eq!(view.waiting, ["late"]);
        assert_eq!(
            world
                .admit(CONF, Some("nobody"), false)
                .expect_err("not waiting")
                .code,
            codes::NOT_WAITING
        );
        world.admit(CONF, Some("late"), false).expect("admitted");
        let view = world.view(CONF).expect("seeded");
        assert!(view.waiting.is_empty() && view.participants.iter().any(|p| p.id == "late"));
        world
            .move_to_waiting_room(CONF, &[LAPTOP, "late"])
            .expect("moved");
        assert_eq!(world.view(CONF).expect("seeded").waiting.len(), 2);
        assert!(
            world.move_to_waiting_room(CONF, &[LAPTOP]).is_err(),
            "not in the meeting any more"
        );
        world.admit(CONF, None, true).expect("everyone");
        let view = world.view(CONF).expect("seeded");
        assert!(view.waiting.is_empty() && view.participants.len() == 3);
    }
}
