//! What the meeting shows: the host's view, each terminal's view, how the picture
//! follows the speaker, the multi-picture and the layouts saved for it.

use std::str::FromStr;

use meeting_api::types::RestCustomMultiPictureBodyImageType as ImageType;
use serde::{Deserialize, Serialize};

use super::{Change, Conference, World};
use crate::errors::{ApiError, Status, codes};

/// What the host sees (SetHostView).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HostView {
    /// What everyone sees.
    #[default]
    Default,
    /// Each participant in turn, `every_s` seconds each.
    Rotating {
        /// Seconds per participant.
        every_s: i32,
    },
    /// The multi-picture.
    MultiPicture,
    /// One participant.
    Participant(String),
}

/// How the meeting's picture follows the speaker (SwitchMode).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DisplayMode {
    /// Nothing chosen yet.
    #[default]
    Free,
    /// A fixed broadcast picture.
    Fixed,
    /// Voice-activated switching, as one picture or a multi-picture.
    VoiceActivated {
        /// Whether it shows a multi-picture.
        multi_picture: bool,
    },
}

/// One picture of a multi-picture.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Picture {
    /// Its number, from 1.
    pub index: i32,
    /// Who it shows (in turn when more than one).
    pub participants: Vec<String>,
    /// Whether it shows the shared (auxiliary) stream.
    pub assist_stream: bool,
}

/// A cell rectangle of a custom grid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cell {
    /// The picture's number.
    pub id: i32,
    /// First column, from 0.
    pub left: i32,
    /// First row, from 0.
    pub top: i32,
    /// Width in cells.
    pub width: i32,
    /// Height in cells.
    pub height: i32,
}

/// A custom grid: `across` by `down` cells.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grid {
    /// Cells across.
    pub across: i32,
    /// Cells down.
    pub down: i32,
    /// The pictures' rectangles.
    pub cells: Vec<Cell>,
}

/// A multi-picture set by hand.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MultiPicture {
    /// The layout's name (`Four`, `Three-2`, …).
    pub layout: String,
    /// Its pictures.
    pub pictures: Vec<Picture>,
    /// Seconds per participant in a picture that shows several.
    pub switch_s: Option<i32>,
    /// A grid of its own (SetCustomMultiPicture).
    pub grid: Option<Grid>,
    /// False when only saved (`multiPicSaveOnly`), not shown.
    pub applied: bool,
}

/// A layout saved with SaveLayout.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedLayout {
    /// Its UUID, given by the simulator.
    pub uuid: String,
    /// Its name.
    pub name: String,
    /// The layout's name (`Four`, …).
    pub layout: String,
    /// Seconds per participant in a picture that shows several.
    pub switch_s: Option<i32>,
    /// Its pictures.
    pub pictures: Vec<Picture>,
}

/// What a meeting shows.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Display {
    /// What the host sees.
    pub host_view: HostView,
    /// How the picture follows the speaker.
    pub mode: DisplayMode,
    /// The multi-picture set by hand; `None`: the service composes it.
    pub multi_picture: Option<MultiPicture>,
    /// The saved layouts, oldest first.
    pub saved_layouts: Vec<SavedLayout>,
}

/// How many pictures a layout holds, for the names SetCustomMultiPicture takes
/// (`Three-2` holds three): `None` for any other name.
pub(crate) fn capacity(layout: &str) -> Option<usize> {
    ImageType::from_str(layout).ok()?;
    let base = layout.split_once('-').map_or(layout, |(base, variant)| {
        // `Twenty-Five` is a name, not a variant.
        if variant.parse::<u8>().is_ok() {
            base
        } else {
            layout
        }
    });
    const COUNTS: [(&str, usize); 14] = [
        ("Single", 1),
        ("Two", 2),
        ("Three", 3),
        ("Four", 4),
        ("Five", 5),
        ("Six", 6),
        ("Seven", 7),
        ("Eight", 8),
        ("Nine", 9),
        ("Ten", 10),
        ("Thirteen", 13),
        ("Sixteen", 16),
        ("Seventeen", 17),
        ("Twenty-Five", 25),
    ];
    COUNTS
        .iter()
        .find(|(name, _)| *name == base)
        .map(|(_, n)| *n)
}

fn too_many(message: String) -> ApiError {
    ApiError::new(Status::BadRequest, codes::TOO_MANY_PICTURES, message)
}

impl Conference {
    /// Refuses pictures the layout cannot hold, numbered twice, empty, or showing
    /// someone who is not in the meeting.
    fn check_pictures(&self, layout: &str, pictures: &[Picture]) -> Result<(), ApiError> {
        let holds = capacity(layout)
            .ok_or_else(|| ApiError::bad_request(format!("{layout} is not a layout")))?;
        if pictures.len() > holds {
            return Err(too_many(format!(
                "{} pictures, the layout {layout} holds {holds}",
                pictures.len()
            )));
        }
        let mut seen = Vec::with_capacity(pictures.len());
        for picture in pictures {
            if picture.index < 1 || picture.index as usize > holds {
                return Err(too_many(format!(
                    "picture {} is outside the layout {layout} (1 to {holds})",
                    picture.index
                )));
            }
            if seen.contains(&picture.index) {
                return Err(ApiError::bad_request(format!(
                    "picture {} is given twice",
                    picture.index
                )));
            }
            seen.push(picture.index);
            if picture.participants.is_empty() {
                return Err(ApiError::bad_request(format!(
                    "picture {} shows nobody",
                    picture.index
                )));
            }
            if let Some(absent) = picture
                .participants
                .iter()
                .find(|pid| !self.participants.iter().any(|p| p.seed.id == **pid))
            {
                return Err(ApiError::participant_not_found(&self.id, absent));
            }
        }
        Ok(())
    }
}

/// Refuses a grid whose cells leave it, overlap, or do not match the layout's count.
fn check_grid(grid: &Grid, holds: usize) -> Result<(), ApiError> {
    if !(1..=25).contains(&grid.across) || !(1..=25).contains(&grid.down) {
        return Err(ApiError::bad_request("a grid is 1 to 25 cells each way"));
    }
    if grid.cells.len() != holds {
        return Err(ApiError::bad_request(format!(
            "the grid has {} pictures, the layout {holds}",
            grid.cells.len()
        )));
    }
    let mut taken = vec![false; (grid.across * grid.down) as usize];
    for cell in &grid.cells {
        let fits = cell.left >= 0
            && cell.top >= 0
            && cell.width >= 1
            && cell.height >= 1
            && cell.left + cell.width <= grid.across
            && cell.top + cell.height <= grid.down;
        if !fits {
            return Err(ApiError::bad_request(format!(
                "picture {} leaves the grid",
                cell.id
            )));
        }
        for row in cell.top..cell.top + cell.height {
            for column in cell.left..cell.left + cell.width {
                let at = (row * grid.across + column) as usize;
                if std::mem::replace(&mut taken[at], true) {
                    return Err(ApiError::bad_request(format!(
                        "picture {} overlaps another",
                        cell.id
                    )));
                }
            }
        }
    }
    Ok(())
}

impl World {
    /// SetHostView.
    pub fn set_host_view(&mut self, id: &str, view: HostView) -> Result<(), ApiError> {
        let conference = self.ongoing_mut(id)?;
        if let HostView::Participant(pid) = &view
            && conference.participant_mut(pid).is_none()
        {
            return Err(ApiError::participant_not_found(id, pid));
        }
        conference.display.host_view = view;
        self.changed(Change::Meeting(id.to_owned()));
        Ok(())
    }

    /// SetParticipantView: professional terminal `viewer` watches `watched`.
    pub fn set_participant_view(
        &mut self,
        id: &str,
        viewer: &str,
        watched: &str,
    ) -> Result<(), ApiError> {
        let conference = self.ongoing_mut(id)?;
        if conference.participant_mut(watched).is_none() {
            return Err(ApiError::participant_not_found(id, watched));
        }
        let Some(participant) = conference.participant_mut(viewer) else {
            return Err(ApiError::participant_not_found(id, viewer));
        };
        if !participant.seed.professional_terminal {
            return Err(ApiError::new(
                Status::Forbidden,
                codes::NO_PERMISSION,
                format!("participant {viewer} is not a professional terminal"),
            ));
        }
        participant.watching = Some(watched.to_owned());
        self.changed(Change::Participant {
            conference: id.to_owned(),
            participant: viewer.to_owned(),
        });
        Ok(())
    }

    /// SetMultiPicture, SetCustomMultiPicture: `None` lets the service compose it.
    pub fn set_multi_picture(
        &mut self,
        id: &str,
        picture: Option<MultiPicture>,
    ) -> Result<(), ApiError> {
        let conference = self.ongoing_mut(id)?;
        if let Some(p) = &picture {
            conference.check_pictures(&p.layout, &p.pictures)?;
            if let Some(grid) = &p.grid {
                check_grid(grid, capacity(&p.layout).unwrap_or_default())?;
            }
        }
        conference.display.multi_picture = picture;
        self.changed(Change::Meeting(id.to_owned()));
        Ok(())
    }

    /// SwitchMode.
    pub fn set_display_mode(&mut self, id: &str, mode: DisplayMode) -> Result<(), ApiError> {
        self.ongoing_mut(id)?.display.mode = mode;
        self.changed(Change::Meeting(id.to_owned()));
        Ok(())
    }

    /// SaveLayout: a new layout (its UUID made here), or with `uuid` a saved one replaced.
    pub fn save_layout(
        &mut self,
        id: &str,
        uuid: Option<&str>,
        mut layout: SavedLayout,
    ) -> Result<String, ApiError> {
        let conference = self.ongoing_mut(id)?;
        if layout.name.trim().is_empty() {
            return Err(ApiError::bad_request("a saved layout needs a name"));
        }
        conference.check_pictures(&layout.layout, &layout.pictures)?;
        let saved = &mut conference.display.saved_layouts;
        match uuid {
            Some(uuid) => {
                let Some(old) = saved.iter_mut().find(|l| l.uuid == uuid) else {
                    return Err(unknown_layout(uuid));
                };
                layout.uuid = uuid.to_owned();
                *old = layout;
            }
            None => {
                layout.uuid = hex::encode(rand::random::<[u8; 16]>());
                saved.push(layout);
            }
        }
        let uuid = uuid.map_or_else(
            || saved.last().map(|l| l.uuid.clone()).unwrap_or_default(),
            str::to_owned,
        );
        self.changed(Change::Meeting(id.to_owned()));
        Ok(uuid)
    }

    /// ShowLayout.
    pub fn saved_layouts(&self, id: &str) -> Result<Vec<SavedLayout>, ApiError> {
        Ok(self.conference(id)?.display.saved_layouts.clone())
    }

    /// DeleteLayout: an unknown UUID is refused.
    pub fn delete_layout(&mut self, id: &str, uuid: &str) -> Result<(), ApiError> {
        let saved = &mut self.ongoing_mut(id)?.display.saved_layouts;
        let before = saved.len();
        saved.retain(|l| l.uuid != uuid);
        if saved.len() == before {
            return Err(unknown_layout(uuid));
        }
        self.changed(Change::Meeting(id.to_owned()));
        Ok(())
    }
}

fn unknown_layout(uuid: &str) -> ApiError {
    ApiError::new(
        Status::BadRequest,
        codes::LAYOUT_UNKNOWN,
        format!("no layout {uuid} is saved"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::example::{CONFERENCE as CONF, LAPTOP, TERMINAL};
    use crate::model::Seed;

    fn picture(index: i32, who: &str) -> Picture {
        Picture {
            index,
            participants: vec![who.to_owned()],
            assist_stream: false,
        }
    }

    fn manual(layout: &str, pictures: Vec<Picture>) -> MultiPicture {
        MultiPicture {
            layout: layout.to_owned(),
            pictures,
            switch_s: None,
            grid: None,
            applied: true,
        }
    }

    #[test]
    fn layouts_hold_their_count_of_pictures() {
        assert_eq!(capacity("Single"), Some(1));
        assert_eq!(capacity("Three-4"), Some(3));
        assert_eq!(capacity("Twenty-Five"), Some(25));
        assert_eq!(capacity("Three-9"), None);
        assert_eq!(capacity("Eleven"), None);
    }

    #[test]
    fn a_multi_picture_is_checked_against_its_layout_and_the_meeting() {
        let mut world = World::default();
        world.seed(Seed::example());
        let two = vec![picture(1, LAPTOP), picture(2, TERMINAL)];
        world
            .set_multi_picture(CONF, Some(manual("Two", two.clone())))
            .expect("fits");
        let mut three = two.clone();
        three.push(picture(3, LAPTOP));
        let refused = world
            .set_multi_picture(CONF, Some(manual("Two", three)))
            .expect_err("three in two");
        assert_eq!(refused.code, codes::TOO_MANY_PICTURES);
        let refused = world
            .set_multi_picture(CONF, Some(manual("Two", vec![picture(3, LAPTOP)])))
            .expect_err("picture 3 of 2");
        assert_eq!(refused.code, codes::TOO_MANY_PICTURES);
        let refused = world
            .set_multi_picture(CONF, Some(manual("Two", vec![picture(1, "gone")])))
            .expect_err("absent");
        assert_eq!(refused.code, codes::PARTICIPANT_NOT_FOUND);

        let cell = |id, left| Cell {
            id,
            left,
            top: 0,
            width: 1,
            height: 1,
        };
        let mut custom = manual("Two", two);
        custom.grid = Some(Grid {
            across: 2,
            down: 1,
            cells: vec![cell(1, 0), cell(2, 1)],
        });
        world
            .set_multi_picture(CONF, Some(custom.clone()))
            .expect("a grid of two");
        custom.grid = Some(Grid {
            across: 2,
            down: 1,
            cells: vec![cell(1, 0), cell(2, 0)],
        });
        world
            .set_multi_picture(CONF, Some(custom))
            .expect_err("overlap");
        let shown = world.view(CONF).expect("seeded").display.multi_picture;
        assert_eq!(shown.map(|p| p.pictures.len()), Some(2));
    }

    #[test]
    fn layouts_are_saved_replaced_listed_and_deleted_by_uuid() {
        let mut world = World::default();
        world.seed(Seed::example());
        let layout = |name: &str| SavedLayout {
            uuid: String::new(),
            name: name.to_owned(),
            layout: "Two".to_owned(),
            switch_s: Some(10),
            pictures: vec![picture(1, LAPTOP)],
        };
        let first = world.save_layout(CONF, None, layout("a")).expect("saved");
        world.save_layout(CONF, None, layout("b")).expect("saved");
        world
            .save_layout(CONF, Some(&first), layout("a2"))
            .expect("replaced");
        let names: Vec<_> = world
            .saved_layouts(CONF)
            .expect("listed")
            .into_iter()
            .map(|l| l.name)
            .collect();
        assert_eq!(names, ["a2", "b"]);
        world.delete_layout(CONF, &first).expect("deleted");
        let refused = world.delete_layout(CONF, &first).expect_err("gone");
        assert_eq!(refused.code, codes::LAYOUT_UNKNOWN);
        let refused = world
            .save_layout(CONF, Some("nope"), layout("c"))
            .expect_err("unknown");
        assert_eq!(refused.code, codes::LAYOUT_UNKNOWN);
    }

    #[test]
    fn only_a_professional_terminal_watches_someone() {
        let mut world = World::default();
        world.seed(Seed::example());
        world
            .set_participant_view(CONF, TERMINAL, LAPTOP)
            .expect("a terminal");
        world
            .set_participant_view(CONF, LAPTOP, TERMINAL)
            .expect_err("a laptop");
        let refused = world
            .set_host_view(CONF, HostView::Participant("gone".into()))
            .expect_err("absent");
        assert_eq!(refused.code, codes::PARTICIPANT_NOT_FOUND);
        let view = world.view(CONF).expect("seeded");
        let terminal = view.participants.iter().find(|p| p.id == TERMINAL);
        assert_eq!(terminal.and_then(|p| p.watching.as_deref()), Some(LAPTOP));
    }
}
