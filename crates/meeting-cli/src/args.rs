//! The command line's shared arguments and parsers: a leaf every command module uses
//! (the top-level `Cli`, which names the commands, is beside `main`).

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, ValueEnum};

/// A parser for one of the `meeting` crate's setting enums: its command-line names as
/// the possible values, each with what it means (shown by `--help`).
macro_rules! setting {
    ($setting:ident) => {
        clap::builder::TypedValueParser::try_map(
            clap::builder::PossibleValuesParser::new($setting::ALL.iter().map(|value| {
                clap::builder::PossibleValue::new(value.name()).help(value.describe())
            })),
            |text| text.parse::<$setting>(),
        )
    };
}
pub(crate) use setting;

/// Options every command takes.
#[derive(Debug, Args)]
pub struct Global {
    /// Print results (and errors, on stderr) as JSON.
    #[arg(long, global = true)]
    pub json: bool,
    /// More logging on stderr: -v for each call, -vv for everything.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// The longest the command's call may take, every retry and token fetch included
    /// (e.g. 30s, 2m, 1500ms; a bare number is seconds).
    #[arg(long, global = true, env = "MEETING_TIMEOUT", value_name = "DURATION", value_parser = parse_timeout)]
    pub timeout: Option<Duration>,
    /// Where tokens are kept between invocations, so that each does not log in again:
    /// `file` (the user's cache directory), `file:DIR`, `none` (this invocation only;
    /// also `memory`), or a Redis URL (`redis://host:6379/0`, `rediss://…`) shared by
    /// every machine that uses it. A Redis URL with a password goes in the variable or
    /// in --token-cache-file, not here.
    #[arg(
        long,
        global = true,
        env = "MEETING_TOKEN_STORE",
        value_name = "STORE",
        default_value = "file",
        value_parser = parse_token_cache,
        hide_env_values = true
    )]
    pub token_cache: TokenCache,
    /// A file holding what --token-cache takes (for a Redis URL with a password); it
    /// must be the user's own, mode 600.
    #[arg(long, global = true, value_name = "FILE")]
    pub token_cache_file: Option<PathBuf>,
    /// A root certificate (PEM) to trust for a `rediss://` token store, e.g. a private
    /// CA; instead of the system's roots. (MEETING_CA_CERT is the service endpoint's.)
    #[arg(
        long,
        global = true,
        env = "MEETING_REDIS_CA_CERT",
        value_name = "FILE"
    )]
    pub redis_ca_cert: Option<PathBuf>,
}

/// Where the CLI keeps tokens between invocations.
#[derive(Clone, PartialEq, Eq)]
pub enum TokenCache {
    /// Files in this directory, or in the user's cache directory.
    File(Option<PathBuf>),
    /// Nowhere: this invocation only.
    None,
    /// Redis at this URL.
    Redis(String),
}

impl std::fmt::Debug for TokenCache {
    // A Redis URL may carry a password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::File(dir) => f.debug_tuple("File").field(dir).finish(),
            Self::None => f.write_str("None"),
            Self::Redis(_) => f.write_str("Redis(..)"),
        }
    }
}

pub(crate) fn parse_token_cache(text: &str) -> Result<TokenCache, String> {
    let text = text.trim();
    match text {
        "file" | "" => Ok(TokenCache::File(None)),
        "none" | "memory" => Ok(TokenCache::None),
        _ if text.starts_with("redis://") || text.starts_with("rediss://") => {
            Ok(TokenCache::Redis(text.to_owned()))
        }
        _ => match text.strip_prefix("file:") {
            Some(dir) if !dir.is_empty() => Ok(TokenCache::File(Some(dir.into()))),
            _ => Err("expected file, file:DIR, none, memory, redis://… or rediss://…".into()),
        },
    }
}

fn parse_timeout(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let duration = match text.parse::<u64>() {
        Ok(seconds) => Duration::from_secs(seconds),
        Err(_) => {
            humantime::parse_duration(text).map_err(|e| format!("{e} (try 30s, 2m or 1500ms)"))?
        }
    };
    if duration.is_zero() {
        return Err("the timeout must be longer than zero".into());
    }
    Ok(duration)
}

/// Where the service is.
#[derive(Debug, Args)]
pub struct Endpoint {
    /// Service endpoint (overrides --region).
    #[arg(long, env = "MEETING_ENDPOINT", value_name = "URL")]
    pub endpoint: Option<String>,
    /// Region: cn-north-4 or ap-southeast-1.
    #[arg(long, env = "MEETING_REGION")]
    pub region: Option<String>,
    /// Extra trusted root certificate (PEM), e.g. the simulator's CA.
    #[arg(long, env = "MEETING_CA_CERT", value_name = "FILE")]
    pub ca_cert: Option<PathBuf>,
}

/// Who logs in, for the commands that need an access token (else MEETING_ACCESS_TOKEN).
#[derive(Debug, Args)]
pub struct Login {
    /// Account to log in with (password: MEETING_PASSWORD, --password-file, or a prompt).
    #[arg(long, env = "MEETING_ACCOUNT")]
    pub account: Option<String>,
    /// File holding the account's password.
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
    /// App ID to log in with (app key: MEETING_APP_KEY, --app-key-file, or a prompt).
    #[arg(long, env = "MEETING_APP_ID", conflicts_with = "account")]
    pub app_id: Option<String>,
    /// File holding the app key.
    #[arg(long, value_name = "FILE")]
    pub app_key_file: Option<PathBuf>,
    /// Third-party user the App ID acts for.
    #[arg(long, env = "MEETING_USER_ID")]
    pub user_id: Option<String>,
    /// Enterprise a service provider's App ID acts for (makes the App ID multi-tenant).
    #[arg(long, env = "MEETING_CORP_ID")]
    pub corp_id: Option<String>,
}

/// Where the service is and who logs in.
#[derive(Debug, Args)]
pub struct Connection {
    #[command(flatten)]
    pub endpoint: Endpoint,
    #[command(flatten)]
    pub login: Login,
}

/// The host password of the meeting.
#[derive(Debug, Args)]
pub struct HostPassword {
    /// File holding the host password (else MEETING_HOST_PASSWORD, else a prompt).
    #[arg(long, value_name = "FILE")]
    pub host_password_file: Option<PathBuf>,
}

/// A conference and how to control it: with the host password (or
/// MEETING_CONTROL_TOKEN); a login is optional (with one, calls carry the access
/// token, as the official SDKs send it).
#[derive(Debug, Args)]
pub struct Target {
    /// The conference ID.
    pub conference: String,
    #[command(flatten)]
    pub host_password: HostPassword,
    #[command(flatten)]
    pub endpoint: Endpoint,
    #[command(flatten)]
    pub login: Login,
}

/// On or off; what that means is said by each flag.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Switch {
    On,
    Off,
}

impl Switch {
    pub fn on(self) -> bool {
        self == Self::On
    }
}

/// The flags that take a Redis URL: each, the variable and the file option a URL with a
/// password goes in instead.
const REDIS_URL_FLAGS: &[(&str, &str, &str, &str)] = &[
    (
        "token_cache",
        "--token-cache",
        "MEETING_TOKEN_STORE",
        "--token-cache-file",
    ),
    ("publish", "--publish", "MEETING_PUBLISH", "--publish-file"),
    (
        "memory",
        "--memory",
        "MEETING_WEBHOOK_MEMORY",
        "--memory-file",
    ),
];

/// Whether `url` is a Redis URL with a password (`redis://user:password@host`,
/// `redis://:password@host`).
pub(crate) fn has_password(url: &str) -> bool {
    let Some(rest) = url
        .trim()
        .strip_prefix("redis://")
        .or_else(|| url.trim().strip_prefix("rediss://"))
    else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    authority
        .rsplit_once('@')
        .and_then(|(userinfo, _)| userinfo.split_once(':'))
        .is_some_and(|(_, password)| !password.is_empty())
}

/// A flag given a Redis URL with a password on the command line (where `ps` and the
/// shell's history show it), in any subcommand: the message saying where to put it.
pub fn secret_on_command_line(matches: &clap::ArgMatches) -> Option<String> {
    for (id, flag, env, file) in REDIS_URL_FLAGS {
        let given = matches
            .try_get_raw(id)
            .ok()
            .flatten()
            .is_some_and(|mut values| values.any(|v| v.to_str().is_some_and(has_password)));
        if given && matches.value_source(id) == Some(clap::parser::ValueSource::CommandLine) {
            return Some(format!(
                "{flag} holds a Redis password, which a command line shows to `ps` and keeps in \
                 the shell's history: put the URL in {env}, or in a file (mode 600) given \
                 with {file}"
            ));
        }
    }
    matches
        .subcommand()
        .and_then(|(_, sub)| secret_on_command_line(sub))
}

#[cfg(test)]
mod redis_url_tests {
    use super::has_password;

    #[test]
    fn passwords_in_redis_urls_are_found() {
        for url in [
            "redis://:s3cret@127.0.0.1:6379/0",
            "redis://user:s3cret@host/1",
            "rediss://u:p@host:6380",
        ] {
            assert!(has_password(url), "{url}");
        }
        for url in [
            "redis://127.0.0.1:6379/0",
            "redis://user@host/0",
            "rediss://host:6380/0?x=a:b@c",
            "file:/tmp/x:y@z",
            "memory",
        ] {
            assert!(!has_password(url), "{url}");
        }
    }
}
