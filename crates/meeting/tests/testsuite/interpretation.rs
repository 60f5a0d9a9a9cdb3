//! Simultaneous interpretation against the simulator: groups, channels, start and
//! stop, seen by the stream; refused in a meeting scheduled without it.

use crate::common;

use common::*;
use meeting::{Interpreter, InterpreterGroup, Language, LanguageChannel, NewMeeting, Refusal};

#[tokio::test]
async fn groups_channels_and_the_running_state_reach_the_simulator_and_the_stream() {
    let sim = sim().await;
    let meeting = client(&sim)
        .conference(CONF)
        .with_host_password(HOST_PASSWORD);
    let mut events = meeting.events().await.expect("the stream starts");
    let state = || sim.conference(CONF).expect("seeded").interpretation;

    let groups = [
        InterpreterGroup::new(Language::Chinese, Language::English)
            .interpreter(Interpreter::account("alice").name("Alice")),
        InterpreterGroup::new(Language::English, Language::French)
            .named("EN/FR booth")
            .interpreter(
                Interpreter::user("6e72b5c3b8654d9e8b1a0c4f1d2e3a4b").number("+8613800000001"),
            ),
    ];
    meeting.set_interpreter_groups(&groups).await.expect("set");
    let status = next_status(&mut events, |s| {
        s.language_channels.as_ref().is_some_and(|c| !c.is_empty())
    })
    .await;
    assert_eq!(
        status.language_channels,
        Some(vec!["zh".into(), "en".into(), "fr".into()])
    );
    let set = state().groups;
    assert_eq!(set[1].name.as_deref(), Some("EN/FR booth"));
    assert_eq!(
        set[1].interpreters[0].number.as_deref(),
        Some("+8613800000001")
    );

    meeting
        .set_language_channel([LAPTOP, TERMINAL], LanguageChannel::new(Language::French))
        .await
        .expect("French");
    meeting
        .set_language_channel(
            [LAPTOP],
            LanguageChannel::new(Language::English)
                .speaking(Language::Chinese)
                .with_original_voice(),
        )
        .await
        .expect("an interpreter's channel");
    let channels = state().channels;
    assert_eq!(channels[TERMINAL].listen, "fr");
    let laptop = &channels[LAPTOP];
    assert!(laptop.listen == "en" && laptop.speak == "zh" && laptop.original_voice);

    let refused = meeting
        .set_language_channel([LAPTOP], LanguageChannel::new(Language::Japanese))
        .await
        .expect_err("no group offers it");
    assert_eq!(refused.refusal(), Some(Refusal::UnknownChannel));
    let refused = meeting
        .set_language_channel(["not-here"], LanguageChannel::new(Language::English))
        .await
        .expect_err("absent");
    assert_eq!(refused.refusal(), Some(Refusal::ParticipantNotInMeeting));

    meeting.start_interpretation().await.expect("starts");
    next_status(&mut events, |s| s.interpretation == Some(true)).await;
    meeting.stop_interpretation().await.expect("stops");
    next_status(&mut events, |s| s.interpretation == Some(false)).await;
}

#[tokio::test]
async fn a_meeting_scheduled_without_interpretation_refuses_it_and_one_with_it_does_not() {
    let sim = sim().await;
    let client = client(&sim);
    let without = client
        .conference("900000001")
        .with_host_password(HOST_PASSWORD);
    let refused = without
        .start_interpretation()
        .await
        .expect_err("not offered");
    assert_eq!(refused.refusal(), Some(Refusal::NoInterpretation));
    let group = InterpreterGroup::new(Language::Chinese, Language::English)
        .interpreter(Interpreter::account("alice"));
    let refused = without
        .set_interpreter_groups(&[group])
        .await
        .expect_err("not offered");
    assert_eq!(refused.refusal(), Some(Refusal::NoInterpretation));

    let created = client
        .create_meeting(&NewMeeting::new("Town hall").with_interpretation())
        .await
        .expect("created");
    let details = created.conference().details().await.expect("details");
    assert_eq!(details.interpretation, Some(true));
    let plain = client
        .create_meeting(&NewMeeting::new("Stand-up"))
        .await
        .expect("created");
    assert_eq!(
        plain
            .conference()
            .details()
            .await
            .expect("details")
            .interpretation,
        Some(false)
    );

    // Checked before sending: a group between one language, or without interpreters.
    let before = sim.counters().requests_for("SetInterpreterGroup");
    let same = InterpreterGroup::new(Language::English, Language::English)
        .interpreter(Interpreter::account("alice"));
    assert!(without.set_interpreter_groups(&[same]).await.is_err());
    let nobody = InterpreterGroup::new(Language::Chinese, Language::English);
    assert!(without.set_interpreter_groups(&[nobody]).await.is_err());
    let empty: [&str; 0] = [];
    assert!(
        without
            .set_language_channel(empty, LanguageChannel::new(Language::English))
            .await
            .is_err()
    );
    assert_eq!(sim.counters().requests_for("SetInterpreterGroup"), before);
}
