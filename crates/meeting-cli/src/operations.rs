//! Which operations of the spec each command sends, read with the table of operations
//! (`meeting_api::operations`): the help says from the table which commands are not
//! retried, and a test checks that every operation of the spec has a command or a
//! declared user.

use clap::CommandFactory;
use meeting_api::operations::*;
use meeting_api::table::{Operation, Repeat};

use crate::args::Cli;
use crate::commands::FAMILIES;

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

/// The command line, its help completed from the table (a command that sends an
/// operation the table says is never repeated says it is not retried) and listing the
/// commands by family.
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
    // Built first, so that the `help` command clap adds is there to be listed.
    command.build();
    let families = families(&command);
    command.help_template(format!(
        "{{before-help}}{{about-with-newline}}\n{{usage-heading}} {{usage}}\n\n{families}Options:\n{{options}}{{after-help}}"
    ))
}

/// The "Commands" part of the help: a heading per family, a line per command.
fn families(command: &clap::Command) -> String {
    let width = FAMILIES
        .iter()
        .flat_map(|(_, names)| names.iter())
        .map(|name| name.len())
        .max()
        .unwrap_or(0)
        + 2;
    let mut out = String::new();
    for (family, names) in FAMILIES {
        out.push_str(&format!("{family}:\n"));
        for name in *names {
            let about = command
                .find_subcommand(name)
                .and_then(|sub| sub.get_about())
                .map(|about| about.to_string())
                .unwrap_or_default();
            out.push_str(&format!("  {name:<width$}{about}\n"));
        }
        out.push('\n');
    }
    out
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
        let mut cli = Cli::command();
        cli.build();
        for (name, _) in USES {
            assert!(
                cli.find_subcommand(name).is_some(),
                "USES names a command `{name}` that does not exist"
            );
        }
        // Every command is listed in one family of the help, once.
        for sub in cli.get_subcommands() {
            let name = sub.get_name();
            let listed = FAMILIES
                .iter()
                .flat_map(|(_, names)| names.iter())
                .filter(|n| **n == name)
                .count();
            assert_eq!(listed, 1, "`{name}` is listed {listed} times in FAMILIES");
        }
    }
}
