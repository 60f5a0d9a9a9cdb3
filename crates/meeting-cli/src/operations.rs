//! Which operations of the spec each command sends, read with the table of operations
//! (`meeting_api::operations`): the help says from the table which commands are not
//! retried, and a test checks that every operation of the spec has a command or a
//! declared user.

use clap::CommandFactory;
use meeting_api::operations::*;
use meeting_api::table::{Operation, Repeat};

use crate::args::Cli;

/// Each command and the operations it sends (the login and the control token every
/// command may need are declared in the tests).
pub const USES: &[(&str, &[&Operation])] = &[
    ("lock", &[&LOCK_MEETING]),
    ("unlock", &[&LOCK_MEETING]),
    ("settings", &[&UPDATE_STARTED_CONF_CONFIG]),
    ("lock-view", &[&LOCK_VIEW]),
    ("unlock-view", &[&LOCK_VIEW]),
    ("create", &[&CREATE_MEETING]),
    ("show", &[&SHOW_MEETING_DETAIL]),
    ("participants", &[&SHOW_REAL_TIME_INFO_OF_MEETING]),
    ("mute", &[&MUTE_MEETING, &MUTE_PARTICIPANT]),
    ("unmute", &[&MUTE_MEETING, &MUTE_PARTICIPANT]),
    ("invite", &[&INVITE_PARTICIPANT]),
    ("hang-up", &[&HANG_UP]),
    ("prolong", &[&PROLONG_MEETING]),
    ("stop", &[&STOP_MEETING]),
    ("cancel", &[&CANCEL_MEETING]),
    ("token", &[&CREATE_CONF_TOKEN]),
    ("login", &[&AUTHENTICATE_ACCOUNT, &AUTHENTICATE_APP_ID]),
];

/// The command line, its help completed from the table: a command that sends an
/// operation the table says is never repeated says it is not retried.
pub fn command() -> clap::Command {
    let mut command = Cli::command();
    for (name, operations) in USES {
        if operations.iter().any(|op| op.repeat == Repeat::Never) {
            command = command.mut_subcommand(*name, |sub| {
                let about = sub.get_about().map(|a| a.to_string()).unwrap_or_default();
                sub.about(format!("{about} (not retried)"))
            });
        }
    }
    command
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Operations no command is named after, and the part of the pipeline that sends them.
    const DECLARED: &[(&Operation, &str)] = &[
        (
            &AUTHENTICATE_ACCOUNT,
            "the login of every command given an account",
        ),
        (
            &AUTHENTICATE_APP_ID,
            "the login of every command given an App ID",
        ),
        (
            &CREATE_CONF_TOKEN,
            "the control token of every control command",
        ),
        (
            &CREATE_WEB_SOCKET_TOKEN,
            "the meeting's event stream (Conference::websocket_token)",
        ),
    ];

    #[test]
    fn every_operation_has_a_command_or_a_declared_user_and_every_command_exists() {
        for operation in ALL {
            let used = USES.iter().any(|(_, ops)| ops.contains(&operation))
                || DECLARED.iter().any(|(op, _)| *op == operation);
            assert!(used, "{} has no command and no declared user", operation.id);
        }
        let cli = Cli::command();
        for (name, _) in USES {
            assert!(
                cli.find_subcommand(name).is_some(),
                "USES names a command `{name}` that does not exist"
            );
        }
    }
}
