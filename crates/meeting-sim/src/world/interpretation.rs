//! Simultaneous interpretation: the interpreter groups, each participant's language
//! channels, and whether it runs; all refused in a meeting scheduled without it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Change, World};
use crate::errors::{ApiError, Status, codes};

/// An interpreter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interpreter {
    /// Login account (this or `user_id`).
    pub account: Option<String>,
    /// User UUID.
    pub user_id: Option<String>,
    /// A number to call.
    pub number: Option<String>,
    /// Name.
    pub name: Option<String>,
}

/// An interpreter group: two languages and who interprets between them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InterpreterGroup {
    /// The group's number.
    pub id: Option<String>,
    /// Its name.
    pub name: Option<String>,
    /// AI interpretation rather than people.
    pub ai: bool,
    /// The two languages (codes such as `zh`, `en`).
    pub languages: [String; 2],
    /// The interpreters.
    pub interpreters: Vec<Interpreter>,
}

/// What a participant hears and speaks into.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LanguageChannel {
    /// The language heard.
    pub listen: String,
    /// The language spoken into.
    pub speak: String,
    /// Whether the original voice is heard underneath.
    pub original_voice: bool,
}

/// A meeting's interpretation.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interpretation {
    /// Whether the meeting was scheduled with it (`supportSimultaneousInterpretation`,
    /// or the seed's `simultaneous_interpretation`).
    pub offered: bool,
    /// Whether it runs.
    pub running: bool,
    /// The interpreter groups.
    pub groups: Vec<InterpreterGroup>,
    /// Channels by participant ID.
    pub channels: BTreeMap<String, LanguageChannel>,
}

impl Interpretation {
    /// The languages the groups offer, in order, each once.
    pub fn languages(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for language in self.groups.iter().flat_map(|g| &g.languages) {
            if !out.contains(&language.as_str()) {
                out.push(language);
            }
        }
        out
    }
}

impl World {
    fn interpretation_mut(&mut self, id: &str) -> Result<&mut Interpretation, ApiError> {
        let interpretation = &mut self.ongoing_mut(id)?.interpretation;
        if !interpretation.offered {
            return Err(ApiError::new(
                Status::Forbidden,
                codes::NO_INTERPRETATION,
                format!("meeting {id} was scheduled without simultaneous interpretation"),
            ));
        }
        Ok(interpretation)
    }

    /// SetInterpreterGroup: replaces the groups.
    pub fn set_interpreter_groups(
        &mut self,
        id: &str,
        groups: Vec<InterpreterGroup>,
    ) -> Result<(), ApiError> {
        for group in &groups {
            let [first, second] = &group.languages;
            if first.is_empty() || second.is_empty() || first == second {
                return Err(ApiError::bad_request(
                    "an interpreter group interprets between two different languages",
                ));
            }
            if group
                .interpreters
                .iter()
                .any(|i| i.account.is_none() && i.user_id.is_none())
            {
                return Err(ApiError::bad_request(
                    "an interpreter needs a loginAccount or a userID",
                ));
            }
        }
        self.interpretation_mut(id)?.groups = groups;
        self.changed(Change::Meeting(id.to_owned()));
        Ok(())
    }

    /// SetAttendeeLanChannel: every participant present, both channels offered by a group.
    pub fn set_language_channels(
        &mut self,
        id: &str,
        participants: &[String],
        channel: LanguageChannel,
    ) -> Result<(), ApiError> {
        let conference = self.ongoing_mut(id)?;
        if let Some(absent) = participants
            .iter()
            .find(|pid| !conference.participants.iter().any(|p| p.seed.id == **pid))
        {
            return Err(ApiError::participant_not_found(id, absent));
        }
        let interpretation = self.interpretation_mut(id)?;
        let languages = interpretation.languages();
        for language in [&channel.listen, &channel.speak] {
            if !languages.contains(&language.as_str()) {
                return Err(ApiError::new(
                    Status::BadRequest,
                    codes::CHANNEL_UNKNOWN,
                    format!("no interpreter group offers the channel {language:?}"),
                ));
            }
        }
        for pid in participants {
            interpretation.channels.insert(pid.clone(), channel.clone());
        }
        for pid in participants {
            self.changed(Change::Participant {
                conference: id.to_owned(),
                participant: pid.clone(),
            });
        }
        Ok(())
    }

    /// ResumeSimultaneousInterpretation.
    pub fn set_interpretation_running(&mut self, id: &str, running: bool) -> Result<(), ApiError> {
        self.interpretation_mut(id)?.running = running;
        self.changed(Change::Meeting(id.to_owned()));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::example::{CONFERENCE as CONF, LAPTOP};
    use crate::model::{ConferenceSeed, ConferenceState, Seed};

    fn group(a: &str, b: &str) -> InterpreterGroup {
        InterpreterGroup {
            id: Some("1".into()),
            name: None,
            ai: false,
            languages: [a.into(), b.into()],
            interpreters: vec![Interpreter {
                account: None,
                user_id: Some("u1".into()),
                number: None,
                name: None,
            }],
        }
    }

    fn channel(language: &str) -> LanguageChannel {
        LanguageChannel {
            listen: language.into(),
            speak: language.into(),
            original_voice: true,
        }
    }

    #[test]
    fn channels_are_the_groups_languages() {
        let mut world = World::default();
        world.seed(Seed::example());
        world
            .set_interpreter_groups(CONF, vec![group("zh", "en")])
            .expect("set");
        world
            .set_language_channels(CONF, &[LAPTOP.to_owned()], channel("en"))
            .expect("offered");
        let refused = world
            .set_language_channels(CONF, &[LAPTOP.to_owned()], channel("fr"))
            .expect_err("not offered");
        assert_eq!(refused.code, codes::CHANNEL_UNKNOWN);
        let refused = world
            .set_language_channels(CONF, &["gone".to_owned()], channel("en"))
            .expect_err("absent");
        assert_eq!(refused.code, codes::PARTICIPANT_NOT_FOUND);
        world
            .set_interpreter_groups(CONF, vec![group("en", "en")])
            .expect_err("one language");
        world.set_interpretation_running(CONF, true).expect("runs");
        let i = world.view(CONF).expect("seeded").interpretation;
        assert!(i.running && i.channels[LAPTOP].listen == "en");
    }

    #[test]
    fn a_meeting_scheduled_without_it_refuses() {
        let mut world = World::default();
        world.seed(Seed {
            conferences: vec![ConferenceSeed::new("1", "1", ConferenceState::Ongoing)],
            ..Seed::example()
        });
        for refused in [
            world.set_interpretation_running("1", true),
            world.set_interpreter_groups("1", vec![group("zh", "en")]),
        ] {
            assert_eq!(
                refused.expect_err("not offered").code,
                codes::NO_INTERPRETATION
            );
        }
    }
}
