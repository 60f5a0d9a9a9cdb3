//! The recordings of past meetings: listed, their download links, deleted.

use clap::Args;
use futures_util::TryStreamExt;
use serde_json::json;

use super::history::is_uuid;
use crate::args::{Connection, Global};
use crate::connect::{client, credentials};
use crate::output::{Failure, emit, line};

/// List recordings (with a meeting: its recording, --urls its download links, --delete
/// deletes it).
#[derive(Debug, Args)]
pub struct Recordings {
    /// A conference ID or a meeting UUID: that meeting's recording only.
    meeting: Option<String>,
    /// Print the download links (secrets, valid for an hour, usable once).
    #[arg(long, requires = "meeting", conflicts_with = "delete")]
    urls: bool,
    /// Delete the meeting's recording.
    #[arg(long, requires = "meeting")]
    delete: bool,
    /// The recording's segments and their files, as the recording service holds them
    /// (with --urls, their links too).
    #[arg(long, requires = "meeting", conflicts_with = "delete")]
    segments: bool,
    /// Only those whose subject, organizer or ID contains TEXT.
    #[arg(long, value_name = "TEXT", conflicts_with = "meeting")]
    search: Option<String>,
    /// The first day of the meetings' start, YYYY-MM-DD.
    #[arg(long, value_name = "DATE", requires = "to")]
    from: Option<String>,
    /// The last day, YYYY-MM-DD, included.
    #[arg(long, value_name = "DATE", requires = "from")]
    to: Option<String>,
    /// The time zone of the dates: an IANA name (default UTC).
    #[arg(long, value_name = "ZONE")]
    time_zone: Option<String>,
    #[command(flatten)]
    connection: Connection,
}

fn recording_line(r: &meeting::Recording, json: bool) -> String {
    if json {
        return json!({
            "uuid": r.uuid, "conference": r.meeting, "subject": r.subject,
            "start_time": r.start_time, "seconds": r.seconds, "size_mb": r.size_mb,
            "available": r.available,
        })
        .to_string();
    }
    let field = |v: &Option<String>| meeting::printable(v.as_deref().unwrap_or("-"));
    format!(
        "{:<32} {:<11} {:<16} {:>7} {}",
        meeting::printable(&r.uuid),
        field(&r.meeting),
        field(&r.start_time),
        r.seconds.map_or("-".to_owned(), |s| format!("{s} s")),
        field(&r.subject)
    )
}

/// A file of a recording's segment; its links only when asked (they are secrets).
fn segment_line(order: i32, f: &meeting::SegmentFile, urls: bool, json: bool) -> String {
    let (play, download) = if urls {
        (f.expose_play_url(), f.expose_download_url())
    } else {
        (None, None)
    };
    if json {
        return json!({
            "segment": order, "kind": f.kind, "begin_ms": f.begin_ms, "end_ms": f.end_ms,
            "seconds": f.seconds, "bytes": f.size_bytes, "sha256": f.sha256,
            "play_url": play, "download_url": download,
        })
        .to_string();
    }
    let number = |n: Option<i64>| n.map_or("-".to_owned(), |n| n.to_string());
    let mut text = format!(
        "{order:>3} {:<19} {:>7} s {:>12} B {}",
        meeting::printable(f.kind.as_deref().unwrap_or("-")),
        number(f.seconds),
        number(f.size_bytes),
        meeting::printable(f.sha256.as_deref().unwrap_or("-")),
    );
    for link in [play, download].into_iter().flatten() {
        text.push(' ');
        text.push_str(link);
    }
    text
}

impl Recordings {
    /// Lists, shows, links or deletes recordings.
    pub async fn run(self, global: &Global) -> Result<(), Failure> {
        let login = Some(credentials(&self.connection.login)?);
        let client = client(&self.connection.endpoint, global, login)?;
        let mut search = client.recordings().all_users();
        if let (Some(from), Some(to)) = (&self.from, &self.to) {
            search = search.between(from, to);
        }
        if let Some(zone) = &self.time_zone {
            search = search.time_zone(zone);
        }
        let mut out = std::io::stdout().lock();
        let Some(meeting) = &self.meeting else {
            if let Some(text) = &self.search {
                search = search.matching(text);
            }
            let mut found = search.list()?;
            while let Some(r) = found.try_next().await? {
                if !line(&mut out, &recording_line(&r, global.json))? {
                    break;
                }
            }
            return Ok(());
        };
        // A UUID as it is; a conference ID as its latest recording.
        let uuid = if is_uuid(meeting) {
            meeting.clone()
        } else {
            let mut found = search.matching(meeting).newest_first().list()?;
            let mut uuid = None;
            while let Some(r) = found.try_next().await? {
                if r.meeting.as_deref() == Some(meeting.as_str()) {
                    uuid = Some(r.uuid);
                    break;
                }
            }
            uuid.ok_or_else(|| {
                Failure::Usage(format!(
                    "meeting {} has no recording",
                    meeting::printable(meeting)
                ))
            })?
        };
        if self.delete {
            client.delete_recordings([&uuid]).await?;
            let text = format!("Deleted the recording of {}.", meeting::printable(meeting));
            emit(
                global.json,
                &crate::output::Done::new("recordings-delete", meeting, text),
            );
            return Ok(());
        }
        if self.segments {
            let mut segments = client.recording_segments(&uuid)?;
            while let Some(segment) = segments.try_next().await? {
                for file in &segment.files {
                    if !line(
                        &mut out,
                        &segment_line(segment.order, file, self.urls, global.json),
                    )? {
                        return Ok(());
                    }
                }
            }
            return Ok(());
        }
        if self.urls {
            for file in client.recording_downloads(&uuid).await? {
                let kind = file.kind.as_deref().unwrap_or("-");
                let text = if global.json {
                    json!({"kind": kind, "url": file.expose_url()}).to_string()
                } else {
                    format!("{:<4} {}", meeting::printable(kind), file.expose_url())
                };
                if !line(&mut out, &text)? {
                    break;
                }
            }
            return Ok(());
        }
        let r = client.recording(&uuid).await?;
        line(&mut out, &recording_line(&r, global.json))?;
        Ok(())
    }
}

/// This family's commands, flattened into the top-level command: adding one is a
/// variant here and its arm in [`Commands::run`], which the compiler holds together.
#[derive(Debug, clap::Subcommand)]
pub enum Commands {
    Recordings(Recordings),
}

impl Commands {
    /// Runs the command and prints what it answers.
    pub(super) async fn run(
        self,
        global: &crate::args::Global,
    ) -> Result<(), crate::output::Failure> {
        match self {
            Self::Recordings(c) => c.run(global).await?,
        }
        Ok(())
    }
}
