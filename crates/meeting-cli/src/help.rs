//! The command line as the help shows it: the commands by family ([`FAMILIES`]), and
//! from the table of operations (`meeting_api::operations`) which commands are not
//! retried. A test checks that every operation of the spec has a command or a declared
//! user.

use clap::CommandFactory;
use meeting_api::table::Repeat;

use crate::Cli;
use crate::commands::FAMILIES;

/// The command line, its help completed from the table (a command that sends an
/// operation the table says is never repeated says it is not retried) and listing the
/// commands by family.
pub fn command() -> clap::Command {
    let mut command = Cli::command();
    for (name, operations) in FAMILIES.iter().flat_map(|f| f.commands) {
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
        .flat_map(|f| f.commands)
        .map(|(name, _)| name.len())
        .max()
        .unwrap_or(0)
        + 2;
    let mut out = String::new();
    for family in FAMILIES {
        out.push_str(&format!("{}:\n", family.heading));
        for (name, _) in family.commands {
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
    use crate::commands::FAMILIES;
    use meeting_api::operations::*;
    use meeting_api::table::Operation;

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
    ];

    #[test]
    fn every_operation_has_a_command_or_a_declared_user_and_every_command_exists() {
        for operation in ALL {
            let used = FAMILIES
                .iter()
                .flat_map(|f| f.commands)
                .any(|(_, ops)| ops.contains(&operation))
                || DECLARED.iter().any(|(op, _)| *op == operation);
            assert!(used, "{} has no command and no declared user", operation.id);
        }
        let mut cli = Cli::command();
        cli.build();
        for (name, _) in FAMILIES.iter().flat_map(|f| f.commands) {
            assert!(
                cli.find_subcommand(name).is_some(),
                "FAMILIES names a command `{name}` that does not exist"
            );
        }
        // Every command is listed in one family of the help, once.
        for sub in cli.get_subcommands() {
            let name = sub.get_name();
            let listed = FAMILIES
                .iter()
                .flat_map(|f| f.commands)
                .filter(|(n, _)| *n == name)
                .count();
            assert_eq!(listed, 1, "`{name}` is listed {listed} times in FAMILIES");
        }
    }
}
