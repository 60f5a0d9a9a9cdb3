//! The command line.

use std::path::PathBuf;
use std::time::Duration;

use clap::builder::TypedValueParser;
use clap::{Args, Parser, Subcommand, ValueEnum};
use meeting::{AudienceCallInRestriction, CallInRestriction, ChatPermission, LocalRecording};
use meeting_sim::cli::SimArgs;

/// A parser for one of the `meeting` crate's setting enums: its command-line names as
/// the possible values, each with what it means (shown by `--help`).
macro_rules! setting {
    ($setting:ident) => {
        clap::builder::PossibleValuesParser::new(
            $setting::ALL.iter().map(|value| {
                clap::builder::PossibleValue::new(value.name()).help(value.describe())
            }),
        )
        .try_map(|text| text.parse::<$setting>())
    };
}

/// Operate Huawei Cloud Meeting meetings: lock them, change who may join, lock a
/// terminal's video, cancel or end them. `meeting demo` shows it all on a simulator.
///
/// Secrets (passwords, app key, tokens) are read from the environment, from a file
/// (--*-file), or from a prompt; never from a plain flag.
///
/// Exit codes: 0 success; 1 the service answered with an error; 2 usage or invalid
/// input (nothing was sent); 3 transport failure or timeout.
#[derive(Debug, Parser)]
#[command(name = "meeting", version, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    #[command(flatten)]
    pub global: Global,
}

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
    /// every machine that uses it.
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

fn parse_token_cache(text: &str) -> Result<TokenCache, String> {
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

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lock a meeting: users can no longer join by themselves.
    Lock(Target),
    /// Unlock a meeting.
    Unlock(Target),
    /// Change settings of a meeting in progress (at least one).
    Settings(SettingsArgs),
    /// Lock a professional terminal's view to a video source.
    LockView(ViewArgs),
    /// Unlock a professional terminal's view.
    UnlockView(ViewArgs),
    /// Schedule a meeting: prints its ID (the passwords only with --show-passwords).
    Create(CreateArgs),
    /// Show a meeting's subject, state, times and join details.
    Show(ShowArgs),
    /// Show who is in a meeting in progress: participant IDs, names, roles, mute.
    Participants(Target),
    /// Mute everyone but the host, or one participant with --participant.
    Mute(MuteArgs),
    /// Unmute everyone, or one participant with --participant.
    Unmute(UnmuteArgs),
    /// Call someone into a meeting in progress.
    Invite(InviteArgs),
    /// Hang up a participant.
    HangUp(ParticipantArgs),
    /// Prolong a meeting in progress.
    Prolong(ProlongArgs),
    /// End a meeting in progress for everyone.
    Stop(Target),
    /// Cancel a scheduled meeting (or end one in progress with --end-ongoing).
    Cancel(CancelArgs),
    /// Show the meeting control token's role and expiry (the token only with --show-token).
    Token(TokenArgs),
    /// Check the credentials: log in and say who and until when.
    Login(Connection),
    /// Forget the stored tokens of this endpoint and login (see --token-cache).
    ///
    /// They stay valid at the service until they expire.
    Logout(LogoutArgs),
    /// Run the simulator (the same options as `meeting-sim`).
    Sim(SimArgs),
    /// Run the whole flow on an embedded simulator, printing each step.
    Demo,
    /// Print the completion script for a shell (bash, zsh, fish, elvish, powershell).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), e.g. `meeting man > meeting.1`.
    Man,
}

#[derive(Debug, Args)]
pub struct LogoutArgs {
    #[command(flatten)]
    pub connection: Connection,
    /// Forget every stored token, of every endpoint and login.
    #[arg(long)]
    pub all: bool,
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

#[derive(Debug, Args)]
pub struct SettingsArgs {
    #[command(flatten)]
    pub target: Target,
    /// Sharing: on locks it to the host, off lets participants share.
    #[arg(long, value_name = "on|off")]
    pub lock_sharing: Option<Switch>,
    /// Who may join.
    #[arg(long, value_name = "WHO", value_parser = setting!(CallInRestriction))]
    pub call_in: Option<CallInRestriction>,
    /// Participants unmuting themselves: on allows it, off forbids it.
    #[arg(long, value_name = "on|off")]
    pub allow_unmute: Option<Switch>,
    /// What participants may chat.
    #[arg(long, value_name = "WHAT", value_parser = setting!(ChatPermission))]
    pub chat: Option<ChatPermission>,
    /// Who of a webinar's audience may join.
    #[arg(long, value_name = "WHO", value_parser = setting!(AudienceCallInRestriction))]
    pub audience_call_in: Option<AudienceCallInRestriction>,
    /// Who may record locally.
    #[arg(long, value_name = "WHO", value_parser = setting!(LocalRecording))]
    pub local_recording: Option<LocalRecording>,
    /// Participants' cameras: on lets them turn theirs on, off forbids it.
    #[arg(long, value_name = "on|off")]
    pub allow_camera: Option<Switch>,
    /// Renaming: on lets participants rename themselves, off forbids it.
    #[arg(long, value_name = "on|off")]
    pub allow_rename: Option<Switch>,
    /// The meeting's lock: on locks it (no one joins by themselves), off unlocks it.
    #[arg(long = "lock", value_name = "on|off")]
    pub locked: Option<Switch>,
    /// Taking over sharing: on lets anyone take it, off keeps it to host and co-hosts.
    #[arg(long, value_name = "on|off")]
    pub free_share: Option<Switch>,
}

#[derive(Debug, Args)]
pub struct ViewArgs {
    #[command(flatten)]
    pub target: Target,
    /// The professional terminal.
    #[arg(long, value_name = "ID")]
    pub participant: String,
    /// Whose video source to lock to (default: the terminal's own).
    #[arg(long, value_name = "ID")]
    pub source: Option<String>,
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    /// The subject.
    #[arg(long)]
    pub subject: String,
    /// The start, UTC: "YYYY-MM-DD HH:MM" (default: now).
    #[arg(long, value_name = "YYYY-MM-DD HH:MM")]
    pub start: Option<String>,
    /// The length in minutes, 15 to 1440 (default 30).
    #[arg(long, value_parser = clap::value_parser!(u32).range(15..=1440))]
    pub minutes: Option<u32>,
    /// Invite someone: NAME=PHONE (repeat for more).
    #[arg(long, value_name = "NAME=PHONE", value_parser = parse_invitee)]
    pub invite: Vec<(String, String)>,
    /// Also print the host and guest passwords (secrets).
    #[arg(long)]
    pub show_passwords: bool,
    #[command(flatten)]
    pub connection: Connection,
}

fn parse_invitee(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, phone)) if !phone.trim().is_empty() => {
            Ok((name.trim().to_owned(), phone.trim().to_owned()))
        }
        _ => Err("expected NAME=PHONE, e.g. Carol=+8613800000000".into()),
    }
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The conference ID.
    pub conference: String,
    #[command(flatten)]
    pub connection: Connection,
}

#[derive(Debug, Args)]
pub struct MuteArgs {
    #[command(flatten)]
    pub target: Target,
    /// Mute only this participant.
    #[arg(long, value_name = "ID")]
    pub participant: Option<String>,
    /// Whether the muted may unmute themselves (everyone only; default on).
    #[arg(long, value_name = "on|off", conflicts_with = "participant")]
    pub allow_unmute: Option<Switch>,
}

#[derive(Debug, Args)]
pub struct UnmuteArgs {
    #[command(flatten)]
    pub target: Target,
    /// Unmute only this participant.
    #[arg(long, value_name = "ID")]
    pub participant: Option<String>,
}

#[derive(Debug, Args)]
pub struct InviteArgs {
    #[command(flatten)]
    pub target: Target,
    /// The number (or SIP URI) to call.
    #[arg(long)]
    pub phone: String,
    /// The name shown in the meeting.
    #[arg(long)]
    pub name: Option<String>,
}

#[derive(Debug, Args)]
pub struct ParticipantArgs {
    #[command(flatten)]
    pub target: Target,
    /// The participant (see `meeting participants`).
    #[arg(long, value_name = "ID")]
    pub participant: String,
}

#[derive(Debug, Args)]
pub struct ProlongArgs {
    #[command(flatten)]
    pub target: Target,
    /// Minutes to add, 1 to 1440.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1440))]
    pub minutes: u32,
}

#[derive(Debug, Args)]
pub struct CancelArgs {
    /// The conference ID.
    pub conference: String,
    /// End the meeting if it is in progress.
    #[arg(long)]
    pub end_ongoing: bool,
    #[command(flatten)]
    pub connection: Connection,
}

#[derive(Debug, Args)]
pub struct TokenArgs {
    #[command(flatten)]
    pub target: Target,
    /// Also print the token itself (a secret).
    #[arg(long)]
    pub show_token: bool,
}
