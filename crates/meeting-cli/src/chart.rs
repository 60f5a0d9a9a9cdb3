//! Charts of series over time (`--chart FILE.svg|png`): panels of lines over one time
//! axis in a time zone, a threshold line and shaded alarm periods each. What a command
//! charts is data ([`Chart`]); drawing it is plotters' (feature `charts`): without the
//! feature, asking for a chart is a usage error.

#![cfg_attr(not(feature = "charts"), allow(dead_code))]

use std::fs::File;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::output::Failure;

/// The most lines a panel tells apart by colour: [`PALETTE`]'s length.
pub const MAX_LINES: usize = PALETTE.len();

/// The lines' colours, told apart at a glance (Tableau 10 and two more); none is the
/// axes' black or [`THRESHOLD`].
const PALETTE: [(u8, u8, u8); 12] = [
    (31, 119, 180),
    (255, 127, 14),
    (44, 160, 44),
    (148, 103, 189),
    (140, 86, 75),
    (227, 119, 194),
    (127, 127, 127),
    (188, 189, 34),
    (23, 190, 207),
    (57, 59, 121),
    (99, 121, 57),
    (140, 109, 49),
];

/// The threshold lines' colour; alarm periods are shaded in it.
const THRESHOLD: (u8, u8, u8) = (214, 39, 40);

/// What is drawn: panels sharing one time axis.
#[derive(Debug)]
pub struct Chart {
    pub title: String,
    /// The axis' zone.
    pub zone: TimeZone,
    /// The axis covers this span.
    pub start: Timestamp,
    pub end: Timestamp,
    /// The legend: each line's name, by its colour (an index in the palette).
    pub legend: Vec<String>,
    pub panels: Vec<Panel>,
}

/// One panel: its lines over the chart's time axis.
#[derive(Debug)]
pub struct Panel {
    pub title: String,
    /// The values' unit, the y axis' name.
    pub unit: &'static str,
    pub threshold: Option<f64>,
    /// Shaded spans (alarms).
    pub shaded: Vec<(Timestamp, Timestamp)>,
    pub lines: Vec<Line>,
}

/// One series.
#[derive(Debug)]
pub struct Line {
    /// Its colour and legend entry (an index in [`Chart::legend`]).
    pub colour: usize,
    pub points: Vec<(Timestamp, f64)>,
}

/// A chart file to write, opened before anything is asked of the service (a wrong
/// name or directory fails first).
#[derive(Debug)]
pub struct Target {
    path: PathBuf,
    file: File,
    bitmap: bool,
}

impl Target {
    /// `path`, which ends in `.svg` or `.png`.
    pub fn create(path: &Path) -> Result<Self, Failure> {
        let extension = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        let bitmap = match extension.as_deref() {
            Some("svg") => false,
            Some("png") => true,
            _ => {
                return Err(Failure::Usage(format!(
                    "a chart is written as FILE.svg or FILE.png, not {}",
                    meeting::printable(&path.display().to_string())
                )));
            }
        };
        if !cfg!(feature = "charts") {
            return Err(Failure::Usage(
                "this `meeting` was built without charts (the `charts` feature)".to_owned(),
            ));
        }
        let file = File::create(path).map_err(|e| write_failure(path, &e))?;
        Ok(Self {
            path: path.to_owned(),
            file,
            bitmap,
        })
    }

    /// Draws `chart` into the file.
    pub fn write(mut self, chart: &Chart) -> Result<(), Failure> {
        use std::io::Write as _;
        let bytes = draw::render(chart, self.bitmap)
            .map_err(|e| Failure::Usage(format!("the chart could not be drawn: {e}")))?;
        self.file
            .write_all(&bytes)
            .and_then(|()| self.file.flush())
            .map_err(|e| write_failure(&self.path, &e))
    }
}

/// At most this many ticks on a time axis.
const MAX_TICKS: i64 = 8;

/// The ticks of a time axis over `start..=end` in `zone`, on the zone's round times: the
/// first step of 1, 2, 5, 10, 15, 20, 30 minutes, 1, 2, 3, 4, 6, 12 hours, 1, 2, 7, 14 or
/// 28 days that gives at most [`MAX_TICKS`]; with their format (a time of day, or a
/// day).
fn ticks(start: Timestamp, end: Timestamp, zone: &TimeZone) -> (Vec<Timestamp>, &'static str) {
    const MINUTES: [i64; 19] = [
        1, 2, 5, 10, 15, 20, 30, 60, 120, 180, 240, 360, 720, 1440, 2880, 10080, 20160, 40320,
        80640,
    ];
    let minutes = start.duration_until(end).as_secs().max(0) / 60;
    let step = MINUTES
        .into_iter()
        .find(|step| minutes / step < MAX_TICKS)
        .unwrap_or(MINUTES[MINUTES.len() - 1]);
    let local = start.to_zoned(zone.clone());
    let Ok(midnight) = local.start_of_day() else {
        return (Vec::new(), "%H:%M");
    };
    // The first round time at or after the start: a multiple of the step since the
    // day's start (a day's steps: the day's start).
    let since_midnight = (midnight.duration_until(&local).as_secs().max(0) + 59) / 60;
    let first = if step < 1440 {
        (since_midnight + step - 1) / step * step
    } else if since_midnight == 0 {
        0
    } else {
        1440
    };
    let mut ticks = Vec::new();
    for i in 0..=MAX_TICKS {
        let offset = first + i * step;
        let span = if step < 1440 {
            jiff::Span::new().try_minutes(offset)
        } else {
            jiff::Span::new().try_days(offset / 1440)
        };
        let Some(at) = span.ok().and_then(|span| midnight.checked_add(span).ok()) else {
            break;
        };
        if at.timestamp() > end {
            break;
        }
        ticks.push(at.timestamp());
    }
    (ticks, if step < 1440 { "%H:%M" } else { "%m-%d" })
}

fn write_failure(path: &Path, error: &std::io::Error) -> Failure {
    Failure::Usage(format!(
        "cannot write the chart to {}: {error}",
        meeting::printable(&path.display().to_string())
    ))
}

#[cfg(feature = "charts")]
mod draw {
    use plotters::coord::Shift;
    use plotters::prelude::*;
    use plotters::style::FontStyle;

    use super::{Chart, PALETTE, Panel, THRESHOLD};

    const FONT: &str = "sans-serif";
    const WIDTH: u32 = 1200;
    const PANEL_HEIGHT: u32 = 280;
    const TITLE_HEIGHT: u32 = 40;
    const LEGEND_HEIGHT: u32 = 36;

    fn colour((r, g, b): (u8, u8, u8)) -> RGBColor {
        RGBColor(r, g, b)
    }

    /// The chart as SVG text or PNG bytes.
    pub fn render(chart: &Chart, bitmap: bool) -> Result<Vec<u8>, String> {
        // The font is compiled in: no system font is looked for.
        plotters::style::register_font(FONT, FontStyle::Normal, dejavu::sans::regular())
            .map_err(|_| "the bundled font did not load".to_owned())?;
        let columns = if chart.panels.len() > 2 { 2 } else { 1 };
        let rows = chart.panels.len().div_ceil(columns).max(1);
        let rows_height = u32::try_from(rows).unwrap_or(u32::MAX / 2);
        let size = (
            WIDTH,
            TITLE_HEIGHT + LEGEND_HEIGHT + PANEL_HEIGHT.saturating_mul(rows_height),
        );
        if bitmap {
            let (w, h) = (size.0 as usize, size.1 as usize);
            let mut pixels = vec![0u8; w * h * 3];
            {
                let root = BitMapBackend::with_buffer(&mut pixels, size).into_drawing_area();
                draw(&root, chart, (rows, columns)).map_err(|e| e.to_string())?;
            }
            let mut png_bytes = Vec::new();
            let mut encoder = png::Encoder::new(&mut png_bytes, size.0, size.1);
            encoder.set_color(png::ColorType::Rgb);
            encoder.set_depth(png::BitDepth::Eight);
            let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
            writer
                .write_image_data(&pixels)
                .map_err(|e| e.to_string())?;
            writer.finish().map_err(|e| e.to_string())?;
            Ok(png_bytes)
        } else {
            let mut svg = String::new();
            {
                let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
                draw(&root, chart, (rows, columns)).map_err(|e| e.to_string())?;
            }
            Ok(svg.into_bytes())
        }
    }

    type Drawn<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

    fn draw<DB: DrawingBackend>(
        root: &DrawingArea<DB, Shift>,
        chart: &Chart,
        grid: (usize, usize),
    ) -> Drawn<DB> {
        root.fill(&WHITE)?;
        let (title, rest) = root.split_vertically(TITLE_HEIGHT);
        title.titled(&chart.title, (FONT, 20))?;
        let (body, legend) = rest.split_vertically(rest.dim_in_pixel().1 - LEGEND_HEIGHT);
        for (area, panel) in body.split_evenly(grid).iter().zip(&chart.panels) {
            draw_panel(area, chart, panel)?;
        }
        // The legend: each line's colour and name, in a row.
        let mut x = 20i32;
        for (i, name) in chart.legend.iter().enumerate() {
            let c = colour(PALETTE[i % PALETTE.len()]);
            legend.draw(&Rectangle::new([(x, 12), (x + 14, 26)], c.filled()))?;
            let text = meeting::printable(name);
            legend.draw(&Text::new(text.clone(), (x + 20, 12), (FONT, 14)))?;
            let width = legend
                .estimate_text_size(&text, &(FONT, 14).into_text_style(&legend))
                .map_or(100, |(w, _)| i32::try_from(w).unwrap_or(100));
            x = x.saturating_add(width + 44);
        }
        root.present()
    }

    fn draw_panel<DB: DrawingBackend>(
        area: &DrawingArea<DB, Shift>,
        chart: &Chart,
        panel: &Panel,
    ) -> Drawn<DB> {
        // x: seconds since the chart's start's whole second (integers: plotters formats
        // integer axes, and a tick's time is then exactly its label's).
        let origin = jiff::Timestamp::from_second(chart.start.as_second()).unwrap_or(chart.start);
        let seconds = |t: jiff::Timestamp| t.duration_since(origin).as_secs();
        let x_end = seconds(chart.end).max(1);
        let highest = panel
            .lines
            .iter()
            .flat_map(|l| l.points.iter().map(|p| p.1))
            .chain(panel.threshold)
            .filter(|v| v.is_finite())
            .fold(0.0f64, f64::max);
        let y_end = if highest > 0.0 { highest * 1.15 } else { 1.0 };
        let (ticks, format) = super::ticks(chart.start, chart.end, &chart.zone);
        let x_axis = (0i64..x_end).with_key_points(ticks.iter().map(|t| seconds(*t)).collect());
        let mut c = ChartBuilder::on(area)
            .caption(meeting::printable(&panel.title), (FONT, 15))
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(56)
            .build_cartesian_2d(x_axis, 0f64..y_end)?;
        let tick = |x: &i64| {
            let at = origin
                .checked_add(jiff::SignedDuration::from_secs(*x))
                .unwrap_or(origin);
            at.to_zoned(chart.zone.clone()).strftime(format).to_string()
        };
        // The span under the axis: its days, or its first minute and its end.
        let daily = format == "%m-%d";
        let last = if daily {
            chart.end.checked_sub(jiff::SignedDuration::from_secs(1))
        } else {
            Ok(chart.end)
        };
        let (from, to) = (
            chart.start.to_zoned(chart.zone.clone()),
            last.unwrap_or(chart.end).to_zoned(chart.zone.clone()),
        );
        let (from_format, to_format) = match (daily, from.date() == to.date()) {
            (true, _) => ("%Y-%m-%d", "%Y-%m-%d"),
            (false, true) => ("%Y-%m-%d %H:%M", "%H:%M"),
            (false, false) => ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M"),
        };
        let axis = format!(
            "{}–{} {}",
            from.strftime(from_format),
            to.strftime(to_format),
            chart.zone.iana_name().unwrap_or("UTC")
        );
        c.configure_mesh()
            .x_labels(ticks.len())
            .x_label_formatter(&tick)
            .x_desc(axis)
            .y_desc(panel.unit)
            .light_line_style(WHITE)
            .draw()?;
        let red = colour(THRESHOLD);
        for (from, to) in &panel.shaded {
            c.draw_series(std::iter::once(Rectangle::new(
                [(seconds(*from), 0.0), (seconds(*to), y_end)],
                red.mix(0.15).filled(),
            )))?;
        }
        if let Some(threshold) = panel.threshold.filter(|v| v.is_finite()) {
            c.draw_series(LineSeries::new(
                [(0, threshold), (x_end, threshold)],
                red.stroke_width(1),
            ))?;
        }
        for line in &panel.lines {
            let c_line = colour(PALETTE[line.colour % PALETTE.len()]);
            c.draw_series(LineSeries::new(
                // A server's answer may hold anything: a value no axis holds is left out.
                line.points
                    .iter()
                    .filter(|(_, v)| v.is_finite())
                    .map(|(t, v)| (seconds(*t), *v)),
                c_line.stroke_width(2),
            ))?;
        }
        Ok(())
    }
}

#[cfg(not(feature = "charts"))]
mod draw {
    pub fn render(_: &super::Chart, _: bool) -> Result<Vec<u8>, String> {
        Err("this `meeting` was built without charts (the `charts` feature)".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().expect("a time")
    }

    fn shown(ticks: &[Timestamp], zone: &TimeZone, format: &str) -> Vec<String> {
        ticks
            .iter()
            .map(|t| t.to_zoned(zone.clone()).strftime(format).to_string())
            .collect()
    }

    /// A value no axis holds (an answer's infinity, NaN) is left out: the line keeps the
    /// others, the threshold is not drawn, nothing panics.
    #[cfg(feature = "charts")]
    #[test]
    fn values_no_axis_holds_are_left_out() {
        let start = at("2026-12-06T10:00:00Z");
        let point =
            |minute: i64, value: f64| (start + jiff::SignedDuration::from_mins(minute), value);
        let points = vec![
            point(0, 1.0),
            point(1, f64::INFINITY),
            point(2, f64::NAN),
            point(3, 2.0),
        ];
        let chart = Chart {
            title: "quality".into(),
            zone: TimeZone::UTC,
            start,
            end: start + jiff::SignedDuration::from_mins(10),
            legend: vec!["Alice".into()],
            panels: vec![Panel {
                title: "audio sent: latency".into(),
                unit: "ms",
                threshold: Some(f64::NAN),
                shaded: Vec::new(),
                lines: vec![Line { colour: 0, points }],
            }],
        };
        let svg = draw::render(&chart, false).expect("drawn");
        let svg = String::from_utf8(svg).expect("SVG text");
        // The axes and their ticks are black polylines; the threshold would be red.
        let lines: Vec<&str> = svg
            .lines()
            .filter(|l| l.contains("<polyline") && !l.contains(r##"stroke="#000000""##))
            .collect();
        assert_eq!(lines.len(), 1, "the series alone: {lines:?}");
        assert!(lines[0].contains(r##"stroke="#1F77B4""##), "{}", lines[0]);
        assert_eq!(lines[0].matches(',').count(), 2, "two points: {}", lines[0]);
    }

    #[test]
    fn an_hours_ticks_fall_on_round_minutes_of_the_zone() {
        let berlin = TimeZone::get("Europe/Berlin").expect("a zone");
        let (ticks, format) = ticks(
            at("2026-12-06T23:08:40Z"),
            at("2026-12-07T00:08:40Z"),
            &berlin,
        );
        assert_eq!(format, "%H:%M");
        assert_eq!(
            shown(&ticks, &berlin, format),
            ["00:10", "00:20", "00:30", "00:40", "00:50", "01:00"]
        );
    }
}
