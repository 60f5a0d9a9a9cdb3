//! `cargo run -p meeting-demo`, the README's first command: every step, and the event
//! stream's account told as one story.

use std::process::Command;

#[test]
fn the_demo_tells_the_whole_flow_as_one_story() {
    let out = Command::new(env!("CARGO_BIN_EXE_meeting-demo"))
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}\n{text}",
        String::from_utf8_lossy(&out.stderr)
    );
    for step in [
        " 0. log in",
        " 6. room video to speaker",
        "14. stop the meeting",
        "16. lock after the end       ok  refused",
        "~ Board room TE50: view locked to Host (desk)",
        "~ Board room TE50: now host",
        "+ Carol joined",
        "- Carol left",
        "simulator counters",
    ] {
        assert!(text.contains(step), "missing {step:?} in\n{text}");
    }
    let story = text
        .split("what the event stream saw meanwhile:")
        .nth(1)
        .and_then(|rest| rest.split("15. ").next())
        .expect("the event stream's account");
    assert_eq!(
        story.matches("-- the meeting as it is now --").count(),
        1,
        "the state at subscription, said once:\n{story}"
    );
    assert_eq!(
        story.matches("scheduled by meeting_admin").count(),
        1,
        "the meeting described once:\n{story}"
    );
    assert!(!story.contains("details changed"), "{story}");
}
