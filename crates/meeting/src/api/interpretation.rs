//! Simultaneous interpretation: the interpreter groups, the participants' language
//! channels, starting and stopping. The service refuses all three in a meeting
//! scheduled without interpretation ([`crate::Refusal::NoInterpretation`]; schedule
//! with [`crate::NewMeeting::with_interpretation`]).

use std::fmt;
use std::str::FromStr;

use meeting_api::operations::{
    RESUME_SIMULTANEOUS_INTERPRETATION, SET_ATTENDEE_LAN_CHANNEL, SET_INTERPRETER_GROUP,
};
use meeting_api::types::{
    InterpreterGroupInfo, InterpreterGroupInfoGroupType, InterpreterInfo,
    InterpreterInfoInterpreterType, RestSetAttendeeLanChannelBody, RestSetInterpreterGroupBody,
    RestSimultaneousInterpretationBody,
};

use crate::api::control::switch;
use crate::conference::{Conference, id_problem, ids_problem};
use crate::error::Error;

/// A language of interpretation, and the channel participants hear or speak into.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
#[allow(missing_docs)]
pub enum Language {
    Arabic,
    Chinese,
    Dutch,
    English,
    French,
    German,
    Hindi,
    Indonesian,
    Italian,
    Japanese,
    Korean,
    Malay,
    Polish,
    Portuguese,
    Russian,
    Spanish,
    Thai,
    Turkish,
    Vietnamese,
}

/// The languages and their codes on the wire (ISO 639-1, as the pages' `zh`, `en`).
const LANGUAGES: [(Language, &str, &str); 19] = [
    (Language::Arabic, "ar", "Arabic"),
    (Language::Chinese, "zh", "Chinese"),
    (Language::Dutch, "nl", "Dutch"),
    (Language::English, "en", "English"),
    (Language::French, "fr", "French"),
    (Language::German, "de", "German"),
    (Language::Hindi, "hi", "Hindi"),
    (Language::Indonesian, "id", "Indonesian"),
    (Language::Italian, "it", "Italian"),
    (Language::Japanese, "ja", "Japanese"),
    (Language::Korean, "ko", "Korean"),
    (Language::Malay, "ms", "Malay"),
    (Language::Polish, "pl", "Polish"),
    (Language::Portuguese, "pt", "Portuguese"),
    (Language::Russian, "ru", "Russian"),
    (Language::Spanish, "es", "Spanish"),
    (Language::Thai, "th", "Thai"),
    (Language::Turkish, "tr", "Turkish"),
    (Language::Vietnamese, "vi", "Vietnamese"),
];

impl Language {
    fn row(self) -> (Language, &'static str, &'static str) {
        LANGUAGES
            .into_iter()
            .find(|(l, _, _)| *l == self)
            .unwrap_or((self, "", ""))
    }

    /// Its code on the wire (`zh`, `en`, …).
    pub fn code(self) -> &'static str {
        self.row().1
    }

    /// Its English name.
    pub fn name(self) -> &'static str {
        self.row().2
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Not a language this version knows.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a language code this version knows (zh, en, fr, …)")]
pub struct UnknownLanguage(String);

impl FromStr for Language {
    type Err = UnknownLanguage;

    /// A code (`en`) or an English name (`English`), in any case.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        LANGUAGES
            .into_iter()
            .find(|(_, code, name)| {
                code.eq_ignore_ascii_case(text) || name.eq_ignore_ascii_case(text)
            })
            .map(|(l, _, _)| l)
            .ok_or_else(|| UnknownLanguage(text.to_owned()))
    }
}

/// Who interprets: a user of the enterprise, by user UUID or login account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Interpreter {
    user_id: Option<String>,
    account: Option<String>,
    name: Option<String>,
    number: Option<String>,
}

impl Interpreter {
    /// The user with this user UUID.
    pub fn user(user_id: impl Into<String>) -> Interpreter {
        Interpreter {
            user_id: Some(user_id.into()),
            account: None,
            name: None,
            number: None,
        }
    }

    /// The user with this login account (account, phone or e-mail).
    pub fn account(login: impl Into<String>) -> Interpreter {
        Interpreter {
            user_id: None,
            account: Some(login.into()),
            name: None,
            number: None,
        }
    }

    /// A display name.
    pub fn name(mut self, name: impl Into<String>) -> Interpreter {
        self.name = Some(name.into());
        self
    }

    /// The number to call the interpreter at.
    pub fn number(mut self, number: impl Into<String>) -> Interpreter {
        self.number = Some(number.into());
        self
    }
}

/// A group of interpreters between two languages.
///
/// ```
/// use meeting::{Interpreter, InterpreterGroup, Language};
///
/// let group = InterpreterGroup::new(Language::Chinese, Language::English)
///     .interpreter(Interpreter::user("6e72b5c3b8654d9e8b1a0c4f1d2e3a4b").name("Alice"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InterpreterGroup {
    languages: [Language; 2],
    name: Option<String>,
    interpreters: Vec<Interpreter>,
}

impl InterpreterGroup {
    /// Interpreting between `first` and `second`, named after them
    /// (`Chinese-English`).
    pub fn new(first: Language, second: Language) -> InterpreterGroup {
        InterpreterGroup {
            languages: [first, second],
            name: None,
            interpreters: Vec::new(),
        }
    }

    /// A name of its own.
    pub fn named(mut self, name: impl Into<String>) -> InterpreterGroup {
        self.name = Some(name.into());
        self
    }

    /// One more interpreter.
    pub fn interpreter(mut self, interpreter: Interpreter) -> InterpreterGroup {
        self.interpreters.push(interpreter);
        self
    }

    fn problem(&self) -> Option<String> {
        let [first, second] = self.languages;
        if first == second {
            return Some(format!(
                "an interpreter group interprets between two languages, not {first} and {first}"
            ));
        }
        if self.interpreters.is_empty() {
            return Some(format!(
                "the {}-{} group has no interpreter",
                first.name(),
                second.name()
            ));
        }
        self.interpreters.iter().find_map(|i| {
            i.user_id
                .as_deref()
                .or(i.account.as_deref())
                .and_then(|id| id_problem("interpreter", id))
        })
    }

    fn to_wire(&self, id: usize) -> InterpreterGroupInfo {
        let [first, second] = self.languages;
        InterpreterGroupInfo {
            group_id: Some(id.to_string()),
            group_name: Some(
                self.name
                    .clone()
                    .unwrap_or_else(|| format!("{}-{}", first.name(), second.name())),
            ),
            group_type: Some(InterpreterGroupInfoGroupType::Manual),
            first_language: Some(first.code().to_owned()),
            second_language: Some(second.code().to_owned()),
            interpreters: self
                .interpreters
                .iter()
                .map(|i| InterpreterInfo {
                    login_account: i.account.clone(),
                    user_id: i.user_id.clone(),
                    call_number: i.number.clone(),
                    name: i.name.clone(),
                    interpreter_id: None,
                    interpreter_type: Some(InterpreterInfoInterpreterType::Manual),
                })
                .collect(),
        }
    }
}

/// What participants hear and speak into (see [`Conference::set_language_channel`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LanguageChannel {
    listen: Language,
    speak: Language,
    original_voice: bool,
}

impl LanguageChannel {
    /// Hearing and speaking `language` (what an ordinary participant does), without
    /// the original voice underneath.
    pub fn new(language: Language) -> LanguageChannel {
        LanguageChannel {
            listen: language,
            speak: language,
            original_voice: false,
        }
    }

    /// Speaking into another language than the one heard (an interpreter's channel).
    pub fn speaking(mut self, language: Language) -> LanguageChannel {
        self.speak = language;
        self
    }

    /// With the original voice underneath.
    pub fn with_original_voice(mut self) -> LanguageChannel {
        self.original_voice = true;
        self
    }
}

impl Conference {
    /// Replaces the meeting's interpreter groups. A channel is a language of one of
    /// them.
    pub async fn set_interpreter_groups(&self, groups: &[InterpreterGroup]) -> Result<(), Error> {
        let body = match groups.iter().find_map(InterpreterGroup::problem) {
            Some(problem) => Err(problem),
            None => Ok(RestSetInterpreterGroupBody {
                interpreter_groups: (1..).zip(groups).map(|(id, g)| g.to_wire(id)).collect(),
            }),
        };
        self.run(&SET_INTERPRETER_GROUP, body.as_ref(), |api, body| {
            api.set_interpreter_group(self.id(), body)
        })
        .await
    }

    /// Puts these participants (IDs) on `channel`. A channel no group offers is the
    /// service's refusal ([`crate::Refusal::UnknownChannel`]), as is a participant not
    /// in the meeting.
    pub async fn set_language_channel<I, S>(
        &self,
        participants: I,
        channel: LanguageChannel,
    ) -> Result<(), Error>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let participants: Vec<String> = participants.into_iter().map(Into::into).collect();
        let ids = participants.iter().map(String::as_str);
        let body = ids_problem("participant", "participant id", ids)
            .and_then(|()| switch(channel.original_voice))
            .map(|include_original_voice| RestSetAttendeeLanChannelBody {
                participant_i_ds: participants,
                listen_lan_channel: Some(channel.listen.code().to_owned()),
                speak_lan_channel: Some(channel.speak.code().to_owned()),
                include_original_voice: Some(include_original_voice),
            });
        self.run(&SET_ATTENDEE_LAN_CHANNEL, body.as_ref(), |api, body| {
            api.set_attendee_lan_channel(self.id(), body)
        })
        .await
    }

    /// Starts simultaneous interpretation.
    pub async fn start_interpretation(&self) -> Result<(), Error> {
        self.interpretation(true).await
    }

    /// Stops simultaneous interpretation.
    pub async fn stop_interpretation(&self) -> Result<(), Error> {
        self.interpretation(false).await
    }

    async fn interpretation(&self, on: bool) -> Result<(), Error> {
        let body =
            switch(on).map(
                |simultaneous_interpretation| RestSimultaneousInterpretationBody {
                    simultaneous_interpretation,
                },
            );
        self.run(
            &RESUME_SIMULTANEOUS_INTERPRETATION,
            body.as_ref(),
            |api, body| api.resume_simultaneous_interpretation(self.id(), body),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_read_from_their_codes_and_names() {
        for (language, code, name) in LANGUAGES {
            assert_eq!(code.parse(), Ok(language));
            assert_eq!(name.to_uppercase().parse(), Ok(language));
            assert_eq!(language.to_string(), code);
        }
        assert!("xx".parse::<Language>().is_err());
    }

    #[test]
    fn a_group_needs_two_languages_and_an_interpreter() {
        let zh_en = InterpreterGroup::new(Language::Chinese, Language::English);
        assert!(
            zh_en
                .problem()
                .is_some_and(|p| p.contains("no interpreter"))
        );
        let ok = zh_en.clone().interpreter(Interpreter::account("alice"));
        assert_eq!(ok.problem(), None);
        assert_eq!(ok.to_wire(1).group_name.as_deref(), Some("Chinese-English"));
        let same = InterpreterGroup::new(Language::English, Language::English)
            .interpreter(Interpreter::account("bob"));
        assert!(same.problem().is_some_and(|p| p.contains("two languages")));
        let blank = zh_en.interpreter(Interpreter::user(" "));
        assert!(
            blank
                .problem()
                .is_some_and(|p| p.contains("must not be empty"))
        );
    }
}
