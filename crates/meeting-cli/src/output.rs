//! What the user sees: results on stdout, errors on stderr, and the exit code.

use std::time::{Duration, SystemTime};

use meeting::ErrorKind;
use serde_json::json;

/// The service answered with an error.
pub const EXIT_SERVICE: u8 = 1;
/// Usage or invalid input: nothing was sent.
pub const EXIT_USAGE: u8 = 2;
/// Transport failure or timeout (and an event stream that could not reconnect).
pub const EXIT_TRANSPORT: u8 = 3;
/// Interrupted (Ctrl-C), as shells report SIGINT.
pub const EXIT_INTERRUPTED: u8 = 130;

/// Why a command failed.
#[derive(Debug)]
pub enum Failure {
    /// Wrong or missing input, found before anything was sent.
    Usage(String),
    /// A call failed.
    Call(meeting::Error),
    /// The token store failed (`meeting logout`).
    Store(meeting::store::StoreError),
    /// Ctrl-C, after what was open was closed.
    Interrupted,
}

impl From<meeting::Error> for Failure {
    fn from(error: meeting::Error) -> Self {
        Self::Call(error)
    }
}

/// Prints the failure on stderr and returns the exit code.
pub fn report(failure: &Failure, json: bool) -> u8 {
    let (code, value, text) = match failure {
        Failure::Usage(message) => (
            EXIT_USAGE,
            json!({"error": {"kind": "usage", "message": message}}),
            message.clone(),
        ),
        Failure::Interrupted => (
            EXIT_INTERRUPTED,
            json!({"error": {"kind": "interrupted", "message": "interrupted"}}),
            "interrupted".to_owned(),
        ),
        Failure::Store(error) => (
            EXIT_TRANSPORT,
            json!({"error": {"kind": "token_store", "message": error.to_string()}}),
            error.to_string(),
        ),
        Failure::Call(error) => {
            let code = match error.kind() {
                ErrorKind::InvalidInput | ErrorKind::Config => EXIT_USAGE,
                ErrorKind::Transport
                | ErrorKind::Tls
                | ErrorKind::Timeout
                | ErrorKind::Disconnected => EXIT_TRANSPORT,
                // The service's answers, including ones it should not have given.
                _ => EXIT_SERVICE,
            };
            let value = json!({"error": {
                "kind": error.kind().as_str(),
                "message": error.to_string(),
                "status": error.status(),
                "code": error.code(),
                "request_id": error.request_id(),
            }});
            (code, value, error.to_string())
        }
    };
    if json {
        say!("{value}");
    } else {
        say!("error: {text}");
    }
    code
}

/// What a command answers: one value, printed as text for people and as JSON (one
/// object on one line) with --json.
pub trait Report: serde::Serialize {
    /// The value as text for people.
    fn text(&self) -> String;
}

/// Prints what a command answered.
pub fn emit(json: bool, report: &impl Report) {
    let text = if json {
        match serde_json::to_string(report) {
            Ok(line) => line,
            // A report is plain data: it always serializes. Said rather than hidden.
            Err(e) => return say!("error: cannot write the result as JSON: {e}"),
        }
    } else {
        report.text()
    };
    // Read by `head` or a closed pipe: the answer is lost, nothing panics.
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{text}").and_then(|()| stdout.flush());
}

/// The answer of a command that changed something: which change, of which meeting.
#[derive(Debug, serde::Serialize)]
pub struct Done {
    ok: bool,
    operation: &'static str,
    conference: String,
    #[serde(skip)]
    text: String,
}

impl Done {
    /// `operation` done on `conference`; `text` says it to people.
    pub fn new(operation: &'static str, conference: &str, text: String) -> Self {
        Self {
            ok: true,
            operation,
            conference: conference.to_owned(),
            text,
        }
    }
}

impl Report for Done {
    fn text(&self) -> String {
        self.text.clone()
    }
}

/// `2026-11-22T03:45:00Z`; a time past what RFC 3339 can write (year 9999) as that
/// limit, never a panic.
pub fn timestamp(time: SystemTime) -> String {
    const LAST_SECOND_OF_9999: u64 = 253_402_300_799;
    if epoch(time) > LAST_SECOND_OF_9999 {
        return "after 9999-12-31T23:59:59Z".to_owned();
    }
    humantime::format_rfc3339_seconds(time).to_string()
}

/// `30m`, `12h`.
pub fn duration(d: Duration) -> String {
    humantime::format_duration(Duration::from_secs(d.as_secs())).to_string()
}

/// Seconds since the epoch, for JSON.
pub fn epoch(time: SystemTime) -> u64 {
    time.duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Prints one line (a meeting, an attendee); a closed pipe (`| head`) ends the listing.
pub fn line(out: &mut impl std::io::Write, text: &str) -> Result<bool, Failure> {
    match writeln!(out, "{text}").and_then(|()| out.flush()) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(false),
        Err(e) => Err(Failure::Usage(format!("cannot write the list: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn far_times_and_hostile_text_print_safely() {
        let far = SystemTime::UNIX_EPOCH + Duration::from_secs(10u64.pow(15));
        assert_eq!(timestamp(far), "after 9999-12-31T23:59:59Z");
        assert_eq!(
            timestamp(SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_313_834)),
            "2026-11-22T02:17:14Z"
        );
    }
}
