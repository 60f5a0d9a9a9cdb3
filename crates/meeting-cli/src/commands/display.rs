//! What the meeting shows: the host's and a terminal's view, the display mode, the
//! multi-picture and saved layouts.

use std::time::Duration;

use clap::{Args, Subcommand, ValueEnum};
use meeting::{DisplayMode, Grid, HostView, Layout, MultiPicture, Picture};
use meeting_api::operations::{
    DELETE_LAYOUT, SAVE_LAYOUT, SET_CUSTOM_MULTI_PICTURE, SET_HOST_VIEW, SET_MULTI_PICTURE,
    SET_PARTICIPANT_VIEW, SHOW_LAYOUT, SWITCH_MODE,
};
use serde::Serialize;

use super::Family;
use crate::args::{Global, Target};
use crate::connect::conference;
use crate::output::{Done, Failure, Report, emit};

/// This family in the help: each command and the operations of the spec it sends.
pub(super) const FAMILY: Family = Family {
    heading: "Views and layouts",
    commands: &[
        (
            "view",
            &[&SET_HOST_VIEW, &SET_PARTICIPANT_VIEW, &SWITCH_MODE],
        ),
        (
            "layout",
            &[
                &SET_MULTI_PICTURE,
                &SET_CUSTOM_MULTI_PICTURE,
                &SAVE_LAYOUT,
                &SHOW_LAYOUT,
                &DELETE_LAYOUT,
            ],
        ),
    ],
};

/// Choose what the host, a terminal or everyone sees.
#[derive(Debug, Args)]
pub struct View {
    #[command(subcommand)]
    command: ViewCommand,
}

#[derive(Debug, Subcommand)]
enum ViewCommand {
    /// What the host sees: one participant, the multi-picture, or each in turn.
    Host {
        #[command(flatten)]
        target: Target,
        #[command(flatten)]
        view: HostViewArgs,
    },
    /// Make a professional terminal watch a participant.
    Terminal {
        #[command(flatten)]
        target: Target,
        /// The terminal's participant ID.
        terminal: String,
        /// The participant it watches.
        watched: String,
    },
    /// How the picture follows the speaker.
    Mode {
        #[command(flatten)]
        target: Target,
        /// fixed: a fixed broadcast picture; speaker: follow whoever speaks;
        /// speaker-multi: a multi-picture that follows whoever speaks.
        #[arg(value_enum)]
        mode: Mode,
    },
}

#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
struct HostViewArgs {
    /// Watch this participant.
    #[arg(long, value_name = "ID")]
    participant: Option<String>,
    /// Watch the multi-picture.
    #[arg(long)]
    multi_picture: bool,
    /// Watch each participant in turn, this many seconds each (10 to 120).
    #[arg(long, value_name = "SECONDS")]
    rotate: Option<u64>,
    /// Stop rotating.
    #[arg(long)]
    stop_rotating: bool,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Mode {
    Fixed,
    Speaker,
    SpeakerMulti,
}

impl View {
    /// Runs the subcommand and prints what it did.
    pub async fn run(self, global: &Global) -> Result<(), Failure> {
        let done = match self.command {
            ViewCommand::Host { target, view } => {
                let (view, text) = match (view.participant, view.rotate) {
                    (Some(id), _) => {
                        let text = format!("The host watches {}.", meeting::printable(&id));
                        (HostView::Participant(id), text)
                    }
                    (None, Some(secs)) => (
                        HostView::Rotate {
                            every: Duration::from_secs(secs),
                        },
                        format!("The host watches each participant in turn, {secs} s each."),
                    ),
                    (None, None) if view.multi_picture => (
                        HostView::MultiPicture,
                        "The host watches the multi-picture.".to_owned(),
                    ),
                    (None, None) => (
                        HostView::StopRotating,
                        "The host view stops rotating.".to_owned(),
                    ),
                };
                conference(&target, global)?.set_host_view(&view).await?;
                Done::new("view-host", &target.conference, text)
            }
            ViewCommand::Terminal {
                target,
                terminal,
                watched,
            } => {
                conference(&target, global)?
                    .participant(&terminal)
                    .watch(&watched)
                    .await?;
                let text = format!(
                    "{} watches {}.",
                    meeting::printable(&terminal),
                    meeting::printable(&watched)
                );
                Done::new("view-terminal", &target.conference, text)
            }
            ViewCommand::Mode { target, mode } => {
                let (mode, text) = match mode {
                    Mode::Fixed => (DisplayMode::Fixed, "The picture is fixed."),
                    Mode::Speaker => (
                        DisplayMode::FollowSpeaker,
                        "The picture follows the speaker.",
                    ),
                    Mode::SpeakerMulti => (
                        DisplayMode::FollowSpeakerMultiPicture,
                        "The multi-picture follows the speaker.",
                    ),
                };
                conference(&target, global)?.set_display_mode(mode).await?;
                Done::new("view-mode", &target.conference, text.to_owned())
            }
        };
        emit(global.json, &done);
        Ok(())
    }
}

/// Set the multi-picture, or save, list and delete layouts.
#[derive(Debug, Args)]
pub struct LayoutCommand {
    #[command(subcommand)]
    command: LayoutAction,
}

#[derive(Debug, Subcommand)]
enum LayoutAction {
    /// Set the multi-picture: `auto`, or a layout (Four, Three-2, …) with its pictures.
    Set {
        #[command(flatten)]
        target: Target,
        #[command(flatten)]
        picture: PictureArgs,
        /// Keep the layout without showing it.
        #[arg(long)]
        save_only: bool,
        /// A grid of its own, ACROSSxDOWN cells (with one --cell per picture).
        #[arg(long, value_name = "ACROSSxDOWN", requires = "cells")]
        grid: Option<String>,
        /// A picture's rectangle on the grid: LEFT,TOP,WIDTH,HEIGHT (cells, from 0).
        #[arg(long = "cell", value_name = "LEFT,TOP,WIDTH,HEIGHT", requires = "grid")]
        cells: Vec<String>,
    },
    /// Save a layout under a name (--replace: over a saved one).
    Save {
        #[command(flatten)]
        target: Target,
        /// Its name.
        name: String,
        #[command(flatten)]
        picture: PictureArgs,
        /// Replace the saved layout with this UUID.
        #[arg(long, value_name = "UUID")]
        replace: Option<String>,
    },
    /// List the saved layouts.
    List {
        #[command(flatten)]
        target: Target,
    },
    /// Delete a saved layout.
    Delete {
        #[command(flatten)]
        target: Target,
        /// Its UUID (from `meeting layout list`).
        uuid: String,
    },
}

#[derive(Debug, Args)]
struct PictureArgs {
    /// `auto` (set only: the service composes it), or a layout: Single, Two, …, Four-2, …
    layout: String,
    /// The next picture: participant IDs, comma-separated (shown in turn), or
    /// `shared:ID` for what that participant shares.
    #[arg(long = "picture", value_name = "IDS")]
    pictures: Vec<String>,
    /// Seconds per participant in a picture that shows several (10 to 120).
    #[arg(long, value_name = "SECONDS")]
    rotate: Option<u64>,
}

impl PictureArgs {
    fn multi_picture(&self, grid: Option<Grid>, save_only: bool) -> Result<MultiPicture, Failure> {
        if self.layout.eq_ignore_ascii_case("auto") {
            if !self.pictures.is_empty() || grid.is_some() {
                return Err(Failure::Usage(
                    "an automatic multi-picture takes no --picture or --grid".into(),
                ));
            }
            return Ok(MultiPicture::automatic());
        }
        let layout: Layout = self
            .layout
            .parse()
            .map_err(|e: meeting::LayoutError| Failure::Usage(e.to_string()))?;
        let mut builder = MultiPicture::builder(layout);
        for picture in &self.pictures {
            builder = builder.picture(match picture.strip_prefix("shared:") {
                Some(id) => Picture::shared_by(id.trim()),
                None => Picture::of(picture.split(',').map(str::trim)),
            });
        }
        if let Some(secs) = self.rotate {
            builder = builder.rotate_every(Duration::from_secs(secs));
        }
        if let Some(grid) = grid {
            builder = builder.grid(grid);
        }
        if save_only {
            builder = builder.save_only();
        }
        Ok(builder.build()?)
    }
}

/// `ACROSSxDOWN` and `LEFT,TOP,WIDTH,HEIGHT` cells.
fn grid(size: &str, cells: &[String]) -> Result<Grid, Failure> {
    let bad = || Failure::Usage(format!("--grid is ACROSSxDOWN (2x1, 3x2, …), not {size:?}"));
    let (across, down) = size.split_once(['x', 'X']).ok_or_else(bad)?;
    let mut grid = Grid::new(
        across.trim().parse().map_err(|_| bad())?,
        down.trim().parse().map_err(|_| bad())?,
    );
    for cell in cells {
        let numbers: Vec<u8> = cell
            .split(',')
            .map(|n| n.trim().parse())
            .collect::<Result<_, _>>()
            .map_err(|_| {
                Failure::Usage(format!("--cell is LEFT,TOP,WIDTH,HEIGHT, not {cell:?}"))
            })?;
        let [left, top, width, height] = numbers[..] else {
            return Err(Failure::Usage(format!(
                "--cell is LEFT,TOP,WIDTH,HEIGHT, not {cell:?}"
            )));
        };
        grid = grid.cell(left, top, width, height);
    }
    Ok(grid)
}

/// The saved layouts.
#[derive(Debug, Serialize)]
pub struct Layouts {
    conference: String,
    layouts: Vec<LayoutRow>,
}

#[derive(Debug, Serialize)]
struct LayoutRow {
    uuid: String,
    name: Option<String>,
    layout: Option<String>,
    pictures: Vec<Vec<String>>,
}

impl Report for Layouts {
    fn text(&self) -> String {
        if self.layouts.is_empty() {
            return format!(
                "No layouts are saved for {}.",
                meeting::printable(&self.conference)
            );
        }
        let mut out = format!("{:<34} {:<20} {:<12} PICTURES", "UUID", "NAME", "LAYOUT");
        for l in &self.layouts {
            let pictures: Vec<String> = l.pictures.iter().map(|p| p.join(",")).collect();
            out.push_str(&format!(
                "\n{:<34} {:<20} {:<12} {}",
                meeting::printable(&l.uuid),
                meeting::printable(l.name.as_deref().unwrap_or("-")),
                l.layout.as_deref().unwrap_or("-"),
                meeting::printable(&pictures.join(" | "))
            ));
        }
        out
    }
}

impl LayoutCommand {
    /// Runs the subcommand and prints what it answers.
    pub async fn run(self, global: &Global) -> Result<(), Failure> {
        let json = global.json;
        match self.command {
            LayoutAction::Set {
                target,
                picture,
                save_only,
                grid: size,
                cells,
            } => {
                let grid = size.map(|size| grid(&size, &cells)).transpose()?;
                let multi = picture.multi_picture(grid, save_only)?;
                conference(&target, global)?
                    .set_multi_picture(&multi)
                    .await?;
                let text = match multi.layout() {
                    None => "The service composes the multi-picture.".to_owned(),
                    Some(layout) if save_only => format!("Kept the {layout} layout (not shown)."),
                    Some(layout) => format!("Showing the {layout} layout."),
                };
                emit(json, &Done::new("layout-set", &target.conference, text));
            }
            LayoutAction::Save {
                target,
                name,
                picture,
                replace,
            } => {
                let multi = picture.multi_picture(None, false)?;
                let meeting = conference(&target, global)?;
                match &replace {
                    Some(uuid) => meeting.replace_layout(uuid, &name, &multi).await?,
                    None => meeting.save_layout(&name, &multi).await?,
                }
                let text = format!("Saved the layout {}.", meeting::printable(&name));
                emit(json, &Done::new("layout-save", &target.conference, text));
            }
            LayoutAction::List { target } => {
                let layouts = conference(&target, global)?.layouts().await?;
                let layouts = layouts
                    .into_iter()
                    .map(|l| LayoutRow {
                        uuid: l.uuid,
                        name: l.name,
                        layout: l.layout.map(|l| l.to_string()),
                        pictures: l
                            .pictures
                            .iter()
                            .map(|p| p.participants().to_vec())
                            .collect(),
                    })
                    .collect();
                emit(
                    json,
                    &Layouts {
                        conference: target.conference.clone(),
                        layouts,
                    },
                );
            }
            LayoutAction::Delete { target, uuid } => {
                conference(&target, global)?.delete_layout(&uuid).await?;
                let text = format!("Deleted the layout {}.", meeting::printable(&uuid));
                emit(json, &Done::new("layout-delete", &target.conference, text));
            }
        }
        Ok(())
    }
}

/// This family's commands, flattened into the top-level command: adding one is a
/// variant here and its arm in [`Commands::run`], which the compiler holds together.
#[derive(Debug, clap::Subcommand)]
pub enum Commands {
    View(View),
    Layout(LayoutCommand),
}

impl Commands {
    /// Runs the command and prints what it answers.
    pub(super) async fn run(
        self,
        global: &crate::args::Global,
    ) -> Result<(), crate::output::Failure> {
        match self {
            Self::View(c) => c.run(global).await?,
            Self::Layout(c) => c.run(global).await?,
        }
        Ok(())
    }
}
