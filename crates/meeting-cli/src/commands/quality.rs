//! Media quality: each participant's network and streams in a meeting in progress.

use clap::Args;
use meeting::{MAX_QUALITY_PARTICIPANTS, NetworkQuality};
use meeting_api::operations::{LIST_NETWORK_QUALITY, SHOW_REAL_TIME_INFO_OF_MEETING};
use serde::Serialize;

use super::{Family, Run};
use crate::args::{Global, Target};
use crate::connect::conference;
use crate::output::{Failure, Report};

/// This family in the help: the command and the operations of the spec it sends.
pub(super) const FAMILY: Family = Family {
    heading: "Quality",
    commands: &[(
        "network",
        &[&LIST_NETWORK_QUALITY, &SHOW_REAL_TIME_INFO_OF_MEETING],
    )],
};

/// Show the network quality of a meeting's participants now: rating, bandwidth, loss
/// and delay each way (everyone in the meeting unless participants are named).
#[derive(Debug, Args)]
pub struct Network {
    #[command(flatten)]
    target: Target,
    /// Only these participant IDs.
    participants: Vec<String>,
}

/// The participants' quality.
#[derive(Debug, Serialize)]
pub struct NetworkReport {
    conference: String,
    participants: Vec<Row>,
}

/// One participant's figures.
#[derive(Debug, Serialize)]
struct Row {
    id: String,
    name: Option<String>,
    rating: Option<String>,
    sent_kbps: Option<u32>,
    received_kbps: Option<u32>,
    sent_loss_permille: Option<u32>,
    received_loss_permille: Option<u32>,
    delay_ms: Option<u128>,
}

impl Row {
    fn new(q: NetworkQuality, name: Option<String>) -> Self {
        Self {
            rating: q.rating.map(|r| r.to_string()),
            sent_kbps: q.sent_kbps,
            received_kbps: q.received_kbps,
            sent_loss_permille: q.sent_loss_permille,
            received_loss_permille: q.received_loss_permille,
            delay_ms: q.delay.map(|d| d.as_millis()),
            id: q.participant,
            name,
        }
    }
}

impl Report for NetworkReport {
    fn text(&self) -> String {
        let mut text = format!(
            "Network quality in meeting {} ({} participant(s)):\n  {:<34} {:<6} {:>11} {:>11} {:>9} {:>9} {:>7}  name",
            meeting::printable(&self.conference),
            self.participants.len(),
            "participant",
            "rating",
            "sent kb/s",
            "recv kb/s",
            "loss up",
            "loss dn",
            "delay",
        );
        let n = |v: Option<u32>| v.map_or("-".to_owned(), |n| n.to_string());
        let permille = |v: Option<u32>| v.map_or("-".to_owned(), |n| format!("{n}‰"));
        for p in &self.participants {
            text.push_str(&format!(
                "\n  {:<34} {:<6} {:>11} {:>11} {:>9} {:>9} {:>7}  {}",
                p.id,
                p.rating.as_deref().unwrap_or("-"),
                n(p.sent_kbps),
                n(p.received_kbps),
                permille(p.sent_loss_permille),
                permille(p.received_loss_permille),
                p.delay_ms.map_or("-".to_owned(), |ms| format!("{ms} ms")),
                meeting::printable(p.name.as_deref().unwrap_or("")),
            ));
        }
        text
    }
}

impl Run for Network {
    type Report = NetworkReport;
    async fn run(self, global: &Global) -> Result<NetworkReport, Failure> {
        let meeting = conference(&self.target, global)?;
        // The names come with the participant list, which names everyone when no one is.
        let live = meeting.live().await?;
        let name = |id: &str| {
            live.participants
                .iter()
                .find(|p| p.id == id)
                .and_then(|p| p.name.clone())
        };
        let wanted: Vec<String> = if self.participants.is_empty() {
            live.participants.iter().map(|p| p.id.clone()).collect()
        } else {
            self.participants
        };
        let mut participants = Vec::with_capacity(wanted.len());
        for chunk in wanted.chunks(MAX_QUALITY_PARTICIPANTS) {
            for quality in meeting.network_quality(chunk.iter().cloned()).await? {
                let name = name(&quality.participant);
                participants.push(Row::new(quality, name));
            }
        }
        Ok(NetworkReport {
            conference: self.target.conference,
            participants,
        })
    }
}

/// This family's commands, flattened into the top-level command: adding one is a
/// variant here and its arm in [`Commands::run`], which the compiler holds together.
#[derive(Debug, clap::Subcommand)]
pub enum Commands {
    Network(Network),
}

impl Commands {
    /// Runs the command and prints what it answers.
    pub(super) async fn run(self, global: &Global) -> Result<(), Failure> {
        use crate::output::emit;
        match self {
            Self::Network(c) => emit(global.json, &c.run(global).await?),
        }
        Ok(())
    }
}
