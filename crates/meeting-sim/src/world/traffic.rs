//! Generated traffic (the admin API's `/_sim/traffic`): participants joining, leaving
//! and muting in ongoing conferences, so that watchers of many meetings have something
//! to watch. Each step is an ordinary change, seen by sockets, pushes and the log.

use rand::Rng;
use rand::seq::{IndexedMutRandom, IndexedRandom};
use serde::{Deserialize, Serialize};

use super::{Change, World};
use crate::model::{ConferenceState, ParticipantSeed};

/// What to generate: `rate` changes per second over `conferences` (every ongoing one
/// when empty), with at most `max_participants` online in each.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Traffic {
    /// Changes per second, across all the conferences.
    pub rate: f64,
    /// The conferences to change; empty: every ongoing one.
    #[serde(default)]
    pub conferences: Vec<String>,
    /// Participants online at most in one conference (at least 2).
    #[serde(default = "default_max_participants")]
    pub max_participants: usize,
    /// The random generator's seed: the same seed makes the same choices.
    #[serde(default)]
    pub seed: u64,
}

fn default_max_participants() -> usize {
    8
}

impl Traffic {
    /// What is wrong with it, if anything.
    pub(crate) fn problem(&self) -> Option<&'static str> {
        if !(self.rate.is_finite() && self.rate > 0.0 && self.rate <= 1_000_000.0) {
            return Some("rate must be more than 0 and at most 1,000,000 changes per second");
        }
        if self.max_participants < 2 {
            return Some("max_participants must be at least 2");
        }
        None
    }
}

impl World {
    /// One generated change in one conference: a join, a leave or a mute toggled.
    /// `false` when no conference it may change is in progress.
    pub(crate) fn traffic_step(
        &mut self,
        rng: &mut impl Rng,
        traffic: &Traffic,
        serial: u64,
    ) -> bool {
        let pick = if traffic.conferences.is_empty() {
            let ongoing: Vec<&String> = self
                .conferences
                .iter()
                .filter(|(_, c)| c.state == ConferenceState::Ongoing)
                .map(|(id, _)| id)
                .collect();
            ongoing.choose(rng).map(|id| (*id).clone())
        } else {
            traffic
                .conferences
                .choose(rng)
                .filter(|id| {
                    self.conferences
                        .get(*id)
                        .is_some_and(|c| c.state == ConferenceState::Ongoing)
                })
                .cloned()
        };
        let Some(id) = pick else { return false };
        let Some(conference) = self.conferences.get_mut(&id) else {
            return false;
        };
        let online = conference.participants.len();
        // Hosts stay: a meeting keeps someone who runs it.
        let leavers: Vec<String> = conference
            .participants
            .iter()
            .filter(|p| !p.seed.host)
            .map(|p| p.seed.id.clone())
            .collect();
        let roll = rng.random_range(0..4u8);
        if online < 2 || (roll == 0 && online < traffic.max_participants) {
            let seed = ParticipantSeed {
                id: format!("{:032x}", serial),
                name: Some(format!("Guest {serial}")),
                professional_terminal: false,
                host: false,
            };
            return self.join(&id, seed).is_ok();
        }
        if (roll == 1 || online >= traffic.max_participants)
            && let Some(leaver) = leavers.choose(rng)
        {
            return self.leave(&id, leaver).is_ok();
        }
        let Some(participant) = conference.participants.choose_mut(rng) else {
            return false;
        };
        participant.muted = !participant.muted;
        let participant = participant.seed.id.clone();
        self.changed(Change::Participant {
            conference: id,
            participant,
        });
        true
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;
    use crate::model::{ConferenceSeed, Seed};

    fn world_with(ids: &[&str]) -> World {
        let mut world = World::default();
        world.seed(Seed {
            conferences: ids
                .iter()
                .map(|id| ConferenceSeed::new(*id, "123456", ConferenceState::Ongoing))
                .collect(),
            ..Seed::default()
        });
        world
    }

    #[test]
    fn steps_join_leave_and_mute_within_the_bound() {
        let mut world = world_with(&["100000001", "100000002"]);
        let traffic = Traffic {
            rate: 100.0,
            conferences: Vec::new(),
            max_participants: 4,
            seed: 7,
        };
        let mut rng = rand::rngs::StdRng::seed_from_u64(traffic.seed);
        for serial in 0..2_000 {
            assert!(world.traffic_step(&mut rng, &traffic, serial));
        }
        let kinds = world.changes().iter().fold([0; 2], |mut n, c| {
            match c {
                Change::Participant { .. } => n[0] += 1,
                Change::Left { .. } => n[1] += 1,
                _ => {}
            }
            n
        });
        assert!(kinds[0] > 0 && kinds[1] > 0, "{kinds:?}");
        for view in world.views() {
            assert!(view.participants.len() <= 4, "{}", view.participants.len());
        }
    }

    #[test]
    fn nothing_to_change_without_an_ongoing_conference() {
        let mut world = World::default();
        let traffic = Traffic {
            rate: 1.0,
            conferences: vec!["100000001".into()],
            max_participants: 8,
            seed: 0,
        };
        let mut rng = rand::rngs::StdRng::seed_from_u64(0);
        assert!(!world.traffic_step(&mut rng, &traffic, 0));
        assert!(
            Traffic {
                rate: 0.0,
                ..traffic.clone()
            }
            .problem()
            .is_some()
                && Traffic {
                    max_participants: 1,
                    ..traffic
                }
                .problem()
                .is_some()
        );
    }
}
