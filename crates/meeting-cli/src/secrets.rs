//! Secrets come from the environment, a file, or a prompt: never from a flag, where
//! they would show in `ps` and in shell history. This is the one place that reads them
//! (everything else comes through clap, flags and their `env`).

use std::io::IsTerminal;
use std::path::Path;

use crate::output::Failure;

/// The secret named `what`, from `file`, else the variable `env`, else a prompt if
/// stdin is a terminal. `None` if there is none and no one to ask.
pub fn read(what: &str, env: &str, file: Option<&Path>) -> Result<Option<String>, Failure> {
    if let Some(path) = file {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Failure::Usage(format!(
                "cannot read the {what} from {}: {e}",
                path.display()
            ))
        })?;
        return Ok(Some(text.trim_end_matches(['\r', '\n']).to_owned()));
    }
    if let Some(value) = from_env(env) {
        return Ok(Some(value));
    }
    if std::io::stdin().is_terminal() {
        let value = rpassword::prompt_password(format!("{what}: "))
            .map_err(|e| Failure::Usage(format!("cannot read the {what}: {e}")))?;
        return Ok(Some(value));
    }
    Ok(None)
}

/// A secret from the environment variable `name`, if set and not empty.
pub fn from_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// Like [`read`], but the secret must exist.
pub fn require(what: &str, env: &str, file: Option<&Path>, flag: &str) -> Result<String, Failure> {
    read(what, env, file)?.ok_or_else(|| {
        Failure::Usage(format!(
            "the {what} is needed: set {env}, pass {flag} FILE, or run in a terminal to be asked"
        ))
    })
}
