//! `meeting watch --all --publish redis://…`: one replica of a fleet watching every
//! ongoing meeting of the enterprise (see `meeting::fleet`).

use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;
use meeting::fleet::{Fleet, FleetReport};
use meeting::printable;
use secrecy::SecretString;

use crate::args::{Endpoint, Global, Login};
use crate::connect;
use crate::output::Failure;

/// The fleet's flags of `meeting watch`.
#[derive(Debug, Args)]
pub struct FleetArgs {
    /// Watch every ongoing meeting, as one replica of a fleet (needs --publish and
    /// --host-passwords).
    #[arg(long, requires = "host_passwords")]
    pub all: bool,
    /// The Redis holding the leases and the event stream (`redis://…`, `rediss://…`);
    /// without it, MEETING_PUBLISH (read with --all only). A URL with a password goes in
    /// MEETING_PUBLISH or --publish-file, not here.
    #[arg(long, value_name = "URL", requires = "all")]
    publish: Option<String>,
    /// A file holding the --publish URL (for one with a password); it must be the
    /// user's own, mode 600.
    #[arg(
        long,
        value_name = "FILE",
        requires = "all",
        conflicts_with = "publish"
    )]
    publish_file: Option<PathBuf>,
    /// The host passwords, a line `ID=password` per meeting; the file must be readable
    /// by its owner only.
    #[arg(long, value_name = "FILE", requires = "all")]
    host_passwords: Option<PathBuf>,
    /// The enterprise's name in the Redis keys (one stream per enterprise).
    #[arg(long, default_value = "default", requires = "all")]
    enterprise: String,
    /// This replica's name (default: random); replicas' names must differ.
    #[arg(long, requires = "all")]
    watcher: Option<String>,
    /// The lease, e.g. `5s`: a crashed replica's meetings are taken over within it.
    #[arg(long, value_parser = humantime::parse_duration, requires = "all")]
    lease: Option<Duration>,
    /// How often to list the ongoing meetings, e.g. `5s`.
    #[arg(long, value_parser = humantime::parse_duration, requires = "all")]
    discover_every: Option<Duration>,
}

impl FleetArgs {
    /// Runs the replica until Ctrl-C or SIGTERM, then stops it cleanly.
    pub async fn run(
        self,
        endpoint: &Endpoint,
        login: &Login,
        metrics: Option<crate::observe::Metrics>,
        global: &Global,
    ) -> Result<(), Failure> {
        let url = match (&self.publish, &self.publish_file) {
            (_, Some(path)) => crate::secrets::read_private_file(path, "Redis URL")?
                .trim()
                .to_owned(),
            (Some(url), None) => url.clone(),
            (None, None) => crate::secrets::from_env("MEETING_PUBLISH").ok_or_else(|| {
                Failure::Usage(
                    "--all needs --publish (or MEETING_PUBLISH, or --publish-file) and --host-passwords"
                        .into(),
                )
            })?,
        };
        let Some(file) = &self.host_passwords else {
            return Err(Failure::Usage("--all needs --host-passwords".into()));
        };
        let passwords = read_host_passwords(file)?;
        let credentials = connect::credentials(login)?;
        let client = connect::client(endpoint, global, Some(credentials))?;
        let redis = connect::redis_store(&url, global)?;
        let mut builder = Fleet::builder(client, &redis, self.enterprise.clone(), passwords);
        if let Some(name) = &self.watcher {
            builder = builder.watcher(name);
        }
        if let Some(lease) = self.lease {
            builder = builder.lease(lease);
        }
        if let Some(every) = self.discover_every {
            builder = builder.discover_every(every);
        }
        let mut fleet = builder
            .start()
            .await
            .map_err(|e| Failure::Store(meeting::store::StoreError::new(e.to_string())))?;
        if let Some(metrics) = metrics {
            let health = fleet.health();
            metrics.serve(std::sync::Arc::new(move || health.check()))?;
        }
        let json = global.json;
        let mut terminate = Terminate::new()?;
        loop {
            tokio::select! {
                report = fleet.next_report() => match report {
                    Some(report) => print(&report, json),
                    None => break,
                },
                _ = tokio::signal::ctrl_c() => break,
                _ = terminate.recv() => break,
            }
        }
        fleet.stop().await;
        while let Some(report) = fleet.next_report().await {
            print(&report, json);
        }
        Ok(())
    }
}

/// SIGTERM, the stop of a rolling restart (never, where there is no such signal).
struct Terminate(#[cfg(unix)] tokio::signal::unix::Signal);

impl Terminate {
    fn new() -> Result<Self, Failure> {
        #[cfg(unix)]
        {
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                .map(Self)
                .map_err(|e| Failure::Usage(format!("cannot handle SIGTERM: {e}")))
        }
        #[cfg(not(unix))]
        Ok(Self())
    }

    async fn recv(&mut self) {
        #[cfg(unix)]
        self.0.recv().await;
        #[cfg(not(unix))]
        std::future::pending::<()>().await
    }
}

fn print(report: &FleetReport, json: bool) {
    let (what, meeting, detail) = match report {
        FleetReport::Claimed {
            meeting,
            fence,
            taken_over,
        } => (
            "claimed",
            meeting,
            if *taken_over {
                format!("fence {fence}, taken over")
            } else {
                format!("fence {fence}")
            },
        ),
        FleetReport::Released { meeting, why } => ("released", meeting, why.clone()),
        FleetReport::Refused { meeting, why } => ("refused", meeting, why.clone()),
        _ => return,
    };
    let text = if json {
        serde_json::json!({ "fleet": what, "meeting": meeting, "detail": detail }).to_string()
    } else {
        format!("{what} {}: {}", printable(meeting), printable(&detail))
    };
    // A replica runs for months: a closed stdout loses the line, it does not stop it.
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{text}").and_then(|()| stdout.flush());
}

/// `ID=password` lines (blank lines and `#` comments skipped), from a file only its
/// owner may read.
fn read_host_passwords(path: &Path) -> Result<HashMap<String, SecretString>, Failure> {
    let shown = path.display();
    let text = crate::secrets::read_private_file(path, "host passwords")?;
    let mut passwords = HashMap::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        // The line is never quoted: it holds a password.
        let Some((id, password)) = line.split_once('=') else {
            return Err(Failure::Usage(format!(
                "{shown}:{}: expected ID=password",
                n + 1
            )));
        };
        let (id, password) = (id.trim(), password.trim());
        if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric()) || password.is_empty() {
            return Err(Failure::Usage(format!(
                "{shown}:{}: expected ID=password",
                n + 1
            )));
        }
        passwords.insert(id.to_owned(), SecretString::from(password.to_owned()));
    }
    Ok(passwords)
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use secrecy::ExposeSecret;

    use super::*;

    #[test]
    fn host_passwords_not_through_a_link_nor_from_another_owner() {
        use std::os::unix::fs::MetadataExt;
        let temp = tempfile::tempdir().unwrap();
        let file = temp.path().join("passwords");
        std::fs::write(&file, "700000001=link-secret-112233\n").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        let link = temp.path().join("link");
        std::os::unix::fs::symlink(&file, &link).unwrap();
        let Err(Failure::Usage(message)) = read_host_passwords(&link) else {
            panic!("a symbolic link was followed");
        };
        assert!(
            message.contains("symbolic link")
                && message.contains("link")
                && !message.contains("link-secret"),
            "{message}"
        );
        let Err(Failure::Usage(message)) = read_host_passwords(temp.path()) else {
            panic!("a directory was read");
        };
        assert!(message.contains("not a regular file"), "{message}");
        // Another owner: only root can make one here; as anyone else the file is ours.
        if rustix::process::geteuid().is_root() {
            let nobody = rustix::process::Uid::from_raw(65534);
            rustix::fs::chown(&file, Some(nobody), None).unwrap();
            assert_eq!(std::fs::metadata(&file).unwrap().uid(), 65534);
            let Err(Failure::Usage(message)) = read_host_passwords(&file) else {
                panic!("a file of another owner was read");
            };
            assert!(
                message.contains("belongs to uid 65534") && message.contains("chown"),
                "{message}"
            );
        } else {
            assert!(read_host_passwords(&file).is_ok());
        }
    }

    #[test]
    fn host_passwords_only_from_a_private_file() {
        let temp = tempfile::tempdir().unwrap();
        let dir = temp.path();
        let file = dir.join("passwords");
        std::fs::write(&file, "# meetings\n700000001=112233\n\n700000002 = a=b\n").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let Err(Failure::Usage(message)) = read_host_passwords(&file) else {
            panic!("a readable file was accepted");
        };
        assert!(
            message.contains("chmod 600") && !message.contains("112233"),
            "{message}"
        );
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        let passwords = read_host_passwords(&file).unwrap();
        assert_eq!(passwords["700000001"].expose_secret(), "112233");
        assert_eq!(passwords["700000002"].expose_secret(), "a=b");
        std::fs::write(&file, "700000003 secret\n").unwrap();
        let Err(Failure::Usage(message)) = read_host_passwords(&file) else {
            panic!("a line without = was accepted");
        };
        assert!(!message.contains("secret"), "{message}");
    }
}
