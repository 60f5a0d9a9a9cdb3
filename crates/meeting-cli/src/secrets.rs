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

/// The text of a file of secrets that must be private: opened once, without following
/// a symbolic link (a link could be swapped between a check and the read), then
/// checked on the open descriptor (a regular file, owned by the running user, readable
/// by nobody else) and read from it. Errors name the file and the fix, never its
/// content.
pub fn read_private_file(path: &Path, what: &str) -> Result<String, Failure> {
    use rustix::fs::{FileType, Mode, OFlags};
    use std::io::Read;
    let shown = path.display();
    let fd = rustix::fs::open(
        path,
        OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC | OFlags::NOCTTY,
        Mode::empty(),
    )
    .map_err(|e| {
        Failure::Usage(if e == rustix::io::Errno::LOOP {
            format!(
                "the {what} {shown} is a symbolic link: give the file itself (it is opened without following links)"
            )
        } else {
            format!("cannot read the {what} {shown}: {e}")
        })
    })?;
    let stat = rustix::fs::fstat(&fd)
        .map_err(|e| Failure::Usage(format!("cannot read the {what} {shown}: {e}")))?;
    if FileType::from_raw_mode(stat.st_mode) != FileType::RegularFile {
        return Err(Failure::Usage(format!(
            "the {what} {shown} is not a regular file"
        )));
    }
    let me = rustix::process::geteuid();
    if stat.st_uid != me.as_raw() {
        return Err(Failure::Usage(format!(
            "the {what} {shown} belongs to uid {}, not to this user (uid {}): chown it to the user that runs meeting",
            stat.st_uid,
            me.as_raw()
        )));
    }
    let mode = stat.st_mode & 0o777;
    if mode & 0o077 != 0 {
        return Err(Failure::Usage(format!(
            "the {what} {shown} may be read by others (mode {mode:o}): chmod 600 it"
        )));
    }
    let mut text = String::new();
    std::fs::File::from(fd)
        .read_to_string(&mut text)
        .map_err(|e| Failure::Usage(format!("cannot read the {what} {shown}: {e}")))?;
    Ok(text)
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
