//! Multi-picture layouts as values: a [`Layout`] names how many pictures and their
//! arrangement, a [`MultiPicture`] fills them, built and checked before anything is
//! sent (the pictures against the layout, each picture's shape, a custom grid's
//! cells). Whether the participants are in the meeting only the service knows: it
//! refuses with [`crate::Refusal::ParticipantNotInMeeting`].

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use meeting_api::operations::SET_MULTI_PICTURE;

use crate::conference::id_problem;
use crate::error::{Context, Error};

/// The layouts, by name: how many pictures each holds and how many arrangements of
/// that count there are (`Three-2` is the second arrangement of three).
const LAYOUTS: [(&str, u8, u8); 14] = [
    ("Single", 1, 1),
    ("Two", 2, 1),
    ("Three", 3, 4),
    ("Four", 4, 3),
    ("Five", 5, 2),
    ("Six", 6, 5),
    ("Seven", 7, 4),
    ("Eight", 8, 4),
    ("Nine", 9, 1),
    ("Ten", 10, 6),
    ("Thirteen", 13, 5),
    ("Sixteen", 16, 1),
    ("Seventeen", 17, 1),
    ("Twenty-Five", 25, 1),
];

/// The layouts SetMultiPicture takes; the others need SetCustomMultiPicture.
const STANDARD: [u8; 7] = [1, 2, 3, 4, 6, 9, 16];

/// How a multi-picture is arranged: how many pictures, in which of that count's
/// arrangements. Written as the service names it (`Four`, `Three-2`).
///
/// ```
/// use meeting::Layout;
///
/// assert_eq!(Layout::new(3, 2)?.to_string(), "Three-2");
/// assert_eq!("Four".parse::<Layout>()?, Layout::pictures(4)?);
/// assert!(Layout::new(3, 5).is_err()); // three pictures have four arrangements
/// # Ok::<(), meeting::LayoutError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Layout {
    pictures: u8,
    arrangement: u8,
}

/// A layout the service does not have.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct LayoutError(String);

impl Layout {
    /// One picture.
    pub const SINGLE: Layout = Layout::of(1);
    /// Two pictures side by side.
    pub const TWO: Layout = Layout::of(2);
    /// Three pictures.
    pub const THREE: Layout = Layout::of(3);
    /// Four pictures.
    pub const FOUR: Layout = Layout::of(4);
    /// Six pictures.
    pub const SIX: Layout = Layout::of(6);
    /// Nine pictures.
    pub const NINE: Layout = Layout::of(9);
    /// Sixteen pictures.
    pub const SIXTEEN: Layout = Layout::of(16);

    const fn of(pictures: u8) -> Layout {
        Layout {
            pictures,
            arrangement: 1,
        }
    }

    /// The first arrangement of `pictures` pictures (1 to 10, 13, 16, 17 or 25).
    pub fn pictures(pictures: u8) -> Result<Layout, LayoutError> {
        Layout::new(pictures, 1)
    }

    /// Arrangement `arrangement` (from 1) of `pictures` pictures.
    pub fn new(pictures: u8, arrangement: u8) -> Result<Layout, LayoutError> {
        let Some((_, _, arrangements)) = LAYOUTS.iter().find(|(_, n, _)| *n == pictures) else {
            return Err(LayoutError(format!(
                "no layout holds {pictures} pictures (1 to 10, 13, 16, 17 or 25)"
            )));
        };
        if !(1..=*arrangements).contains(&arrangement) {
            return Err(LayoutError(format!(
                "{pictures} pictures have arrangements 1 to {arrangements}, not {arrangement}"
            )));
        }
        Ok(Layout {
            pictures,
            arrangement,
        })
    }

    /// How many pictures it holds.
    pub fn capacity(&self) -> usize {
        usize::from(self.pictures)
    }

    /// Whether SetMultiPicture takes it (the others go through SetCustomMultiPicture).
    fn is_standard(&self) -> bool {
        self.arrangement == 1 && STANDARD.contains(&self.pictures)
    }
}

impl fmt::Display for Layout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = LAYOUTS
            .iter()
            .find(|(_, n, _)| *n == self.pictures)
            .map_or("?", |(name, _, _)| name);
        match self.arrangement {
            1 => f.write_str(name),
            n => write!(f, "{name}-{n}"),
        }
    }
}

impl FromStr for Layout {
    type Err = LayoutError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (name, arrangement) = match text.rsplit_once('-') {
            Some((name, n)) if n.bytes().all(|b| b.is_ascii_digit()) => (
                name,
                n.parse().map_err(|_| LayoutError(format!("{text:?}")))?,
            ),
            _ => (text, 1),
        };
        let (_, pictures, _) = LAYOUTS
            .iter()
            .find(|(known, _, _)| known.eq_ignore_ascii_case(name))
            .ok_or_else(|| LayoutError(format!("{text:?} is not a layout (Four, Three-2, …)")))?;
        Layout::new(*pictures, arrangement)
    }
}

/// One picture: who it shows (in turn when more than one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Picture {
    pub(crate) participants: Vec<String>,
    pub(crate) shared_stream: bool,
}

impl Picture {
    /// Shows these participants (IDs), in turn when more than one.
    pub fn of<I, S>(participants: I) -> Picture
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Picture {
            participants: participants.into_iter().map(Into::into).collect(),
            shared_stream: false,
        }
    }

    /// Shows what this participant shares (the auxiliary stream) instead of its video.
    pub fn shared_by(participant: impl Into<String>) -> Picture {
        Picture {
            participants: vec![participant.into()],
            shared_stream: true,
        }
    }

    /// Who it shows.
    pub fn participants(&self) -> &[String] {
        &self.participants
    }

    /// Whether it shows the shared stream.
    pub fn is_shared_stream(&self) -> bool {
        self.shared_stream
    }

    fn problem(&self, number: usize) -> Option<String> {
        if self.participants.is_empty() {
            return Some(format!("picture {number} shows nobody"));
        }
        if self.shared_stream && self.participants.len() != 1 {
            return Some(format!(
                "picture {number} shows one participant's shared stream"
            ));
        }
        for (i, pid) in self.participants.iter().enumerate() {
            if let Some(problem) = id_problem(&format!("participant id in picture {number}"), pid) {
                return Some(problem);
            }
            if self.participants[..i].contains(pid) {
                return Some(format!("picture {number} shows {pid} twice"));
            }
        }
        None
    }
}

/// A grid of its own for a multi-picture: `across` by `down` cells, each picture a
/// rectangle of them, numbered in the order added.
///
/// ```
/// use meeting::Grid;
///
/// // One large picture on the left, two small ones stacked on the right.
/// let grid = Grid::new(3, 2).cell(0, 0, 2, 2).cell(2, 0, 1, 1).cell(2, 1, 1, 1);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grid {
    pub(crate) across: u8,
    pub(crate) down: u8,
    pub(crate) cells: Vec<GridCell>,
}

/// A picture's rectangle in a [`Grid`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct GridCell {
    pub left: u8,
    pub top: u8,
    pub width: u8,
    pub height: u8,
}

impl Grid {
    /// `across` by `down` cells (1 to 25 each).
    pub fn new(across: u8, down: u8) -> Grid {
        Grid {
            across,
            down,
            cells: Vec::new(),
        }
    }

    /// The next picture: `width` by `height` cells from column `left`, row `top`
    /// (from 0).
    pub fn cell(mut self, left: u8, top: u8, width: u8, height: u8) -> Grid {
        self.cells.push(GridCell {
            left,
            top,
            width,
            height,
        });
        self
    }

    fn problem(&self, layout: Layout) -> Option<String> {
        let (across, down) = (usize::from(self.across), usize::from(self.down));
        if !(1..=25).contains(&across) || !(1..=25).contains(&down) {
            return Some("a grid is 1 to 25 cells each way".into());
        }
        if self.cells.len() != layout.capacity() {
            return Some(format!(
                "the grid has {} pictures, the layout {layout} {}",
                self.cells.len(),
                layout.capacity()
            ));
        }
        let mut taken = vec![false; across * down];
        for (i, c) in self.cells.iter().enumerate() {
            let (left, top) = (usize::from(c.left), usize::from(c.top));
            let (width, height) = (usize::from(c.width), usize::from(c.height));
            if width == 0 || height == 0 || left + width > across || top + height > down {
                return Some(format!("picture {} leaves the {across}×{down} grid", i + 1));
            }
            for row in top..top + height {
                for column in left..left + width {
                    if std::mem::replace(&mut taken[row * across + column], true) {
                        return Some(format!("picture {} overlaps another", i + 1));
                    }
                }
            }
        }
        None
    }
}

/// What a meeting's multi-picture shows: composed by the service
/// ([`MultiPicture::automatic`]) or set by hand with [`MultiPicture::builder`].
///
/// ```
/// use std::time::Duration;
/// use meeting::{Layout, MultiPicture, Picture};
///
/// let picture = MultiPicture::builder(Layout::TWO)
///     .picture(Picture::of(["f131536e21ff11eab12735e1cddf6d01"]))
///     .picture(Picture::of(["6a1acfe867f211eaa1cd59f41ff47e04", "9c2d…"]))
///     .rotate_every(Duration::from_secs(10))
///     .build()?;
/// assert!(MultiPicture::builder(Layout::TWO)
///     .picture(Picture::of(["a"]))
///     .picture(Picture::of(["b"]))
///     .picture(Picture::of(["c"]))
///     .build()
///     .is_err()); // three pictures in a layout of two
/// # Ok::<(), meeting::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MultiPicture {
    pub(crate) manual: Option<Manual>,
}

/// A multi-picture set by hand.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Manual {
    pub layout: Layout,
    pub pictures: Vec<Picture>,
    pub rotate_every_s: Option<i32>,
    pub grid: Option<Grid>,
    pub save_only: bool,
}

impl Manual {
    /// SetMultiPicture takes it; the rest goes through SetCustomMultiPicture.
    pub(crate) fn is_standard(&self) -> bool {
        self.layout.is_standard() && self.grid.is_none() && !self.save_only
    }
}

impl MultiPicture {
    /// The service composes the pictures.
    pub fn automatic() -> MultiPicture {
        MultiPicture { manual: None }
    }

    /// Pictures set by hand in `layout`.
    pub fn builder(layout: Layout) -> MultiPictureBuilder {
        MultiPictureBuilder {
            manual: Manual {
                layout,
                pictures: Vec::new(),
                rotate_every_s: None,
                grid: None,
                save_only: false,
            },
            problem: None,
        }
    }

    /// The layout, when set by hand.
    pub fn layout(&self) -> Option<Layout> {
        self.manual.as_ref().map(|m| m.layout)
    }

    /// The pictures, in order (none when automatic).
    pub fn pictures(&self) -> &[Picture] {
        self.manual.as_ref().map_or(&[], |m| &m.pictures)
    }
}

/// Builds a [`MultiPicture`] set by hand (see [`MultiPicture::builder`]).
#[derive(Clone, Debug)]
pub struct MultiPictureBuilder {
    manual: Manual,
    problem: Option<String>,
}

impl MultiPictureBuilder {
    /// The next picture (numbered from 1 in the order added).
    pub fn picture(mut self, picture: Picture) -> Self {
        self.manual.pictures.push(picture);
        self
    }

    /// How long each participant is shown in a picture that shows several (10 s to
    /// 120 s, whole seconds).
    pub fn rotate_every(mut self, every: Duration) -> Self {
        let secs = every.as_secs();
        if !(10..=120).contains(&secs) || every.subsec_nanos() != 0 {
            self.problem = Some(format!(
                "pictures rotate every 10 to 120 whole seconds, not {every:?}"
            ));
        }
        self.manual.rotate_every_s = i32::try_from(secs).ok();
        self
    }

    /// Arranges the pictures on a grid of their own (one cell rectangle per picture of
    /// the layout).
    pub fn grid(mut self, grid: Grid) -> Self {
        self.manual.grid = Some(grid);
        self
    }

    /// Keeps the layout without showing it (until it is set again without this).
    pub fn save_only(mut self) -> Self {
        self.manual.save_only = true;
        self
    }

    /// The multi-picture, or what is wrong with it.
    pub fn build(self) -> Result<MultiPicture, Error> {
        let context = Context::new(SET_MULTI_PICTURE.id, None);
        let m = &self.manual;
        let problem = self.problem.clone().or_else(|| {
            if m.pictures.is_empty() {
                return Some("a multi-picture set by hand shows at least one picture".into());
            }
            if m.pictures.len() > m.layout.capacity() {
                return Some(format!(
                    "{} pictures, the layout {} holds {}",
                    m.pictures.len(),
                    m.layout,
                    m.layout.capacity()
                ));
            }
            m.pictures
                .iter()
                .enumerate()
                .find_map(|(i, p)| p.problem(i + 1))
                .or_else(|| m.grid.as_ref().and_then(|g| g.problem(m.layout)))
        });
        match problem {
            Some(problem) => Err(Error::invalid(&context, problem)),
            None => Ok(MultiPicture {
                manual: Some(self.manual),
            }),
        }
    }
}

/// A layout saved for a meeting (see [`crate::Conference::layouts`]).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SavedLayout {
    /// Its UUID, what [`crate::Conference::delete_layout`] takes.
    pub uuid: String,
    /// Its name.
    pub name: Option<String>,
    /// The layout, when the service names one this version knows.
    pub layout: Option<Layout>,
    /// Its pictures, in order.
    pub pictures: Vec<Picture>,
    /// How long each participant is shown in a picture that shows several.
    pub rotate_every: Option<Duration>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn built(builder: MultiPictureBuilder) -> Result<MultiPicture, String> {
        builder.build().map_err(|e| e.to_string())
    }

    #[test]
    fn every_layout_name_reads_back() {
        let mut names = 0;
        for (_, pictures, arrangements) in LAYOUTS {
            for arrangement in 1..=arrangements {
                let layout = Layout::new(pictures, arrangement).expect("listed");
                assert_eq!(layout.to_string().parse::<Layout>(), Ok(layout));
                names += 1;
            }
        }
        // As many as the service's imageType names.
        assert_eq!(names, 39);
        assert_eq!(Layout::TWO.to_string(), "Two");
        assert_eq!(
            "twenty-five".parse::<Layout>().map(|l| l.capacity()),
            Ok(25)
        );
        assert!("Eleven".parse::<Layout>().is_err());
        assert!(Layout::pictures(11).is_err());
    }

    #[test]
    fn pictures_are_checked_against_the_layout_and_their_shape() {
        let two = || MultiPicture::builder(Layout::TWO);
        let ok = built(
            two()
                .picture(Picture::of(["a"]))
                .picture(Picture::shared_by("b")),
        )
        .expect("fits");
        assert_eq!(ok.pictures().len(), 2);
        let refusals = [
            (two(), "at least one picture"),
            (
                two()
                    .picture(Picture::of(["a"]))
                    .picture(Picture::of(["b"]))
                    .picture(Picture::of(["c"])),
                "3 pictures, the layout Two holds 2",
            ),
            (
                two().picture(Picture::of(Vec::<String>::new())),
                "shows nobody",
            ),
            (two().picture(Picture::of(["a", "a"])), "shows a twice"),
            (two().picture(Picture::of([" "])), "must not be empty"),
            (
                two().picture(Picture {
                    participants: vec!["a".into(), "b".into()],
                    shared_stream: true,
                }),
                "one participant's shared stream",
            ),
            (
                two()
                    .picture(Picture::of(["a"]))
                    .rotate_every(Duration::from_secs(5)),
                "10 to 120",
            ),
        ];
        for (builder, expected) in refusals {
            let problem = built(builder).expect_err(expected);
            assert!(problem.contains(expected), "{problem}");
        }
    }

    #[test]
    fn a_grid_covers_the_layouts_pictures_without_overlap() {
        let two = |grid| {
            built(
                MultiPicture::builder(Layout::TWO)
                    .picture(Picture::of(["a"]))
                    .grid(grid),
            )
        };
        two(Grid::new(2, 1).cell(0, 0, 1, 1).cell(1, 0, 1, 1)).expect("side by side");
        for (grid, expected) in [
            (Grid::new(2, 1).cell(0, 0, 1, 1), "the grid has 1 pictures"),
            (
                Grid::new(2, 1).cell(0, 0, 2, 1).cell(1, 0, 1, 1),
                "picture 2 overlaps",
            ),
            (
                Grid::new(2, 1).cell(0, 0, 1, 1).cell(1, 0, 2, 1),
                "picture 2 leaves",
            ),
            (Grid::new(0, 1), "1 to 25 cells"),
        ] {
            let problem = two(grid).expect_err(expected);
            assert!(problem.contains(expected), "{problem}");
        }
    }

    #[test]
    fn the_standard_call_takes_the_standard_layouts_only() {
        let manual = |layout| {
            MultiPicture::builder(layout)
                .picture(Picture::of(["a"]))
                .build()
                .expect("built")
                .manual
                .expect("manual")
        };
        assert!(manual(Layout::FOUR).is_standard());
        assert!(!manual(Layout::new(4, 2).expect("Four-2")).is_standard());
        assert!(!manual(Layout::pictures(5).expect("Five")).is_standard());
    }
}
