//! `--chart`: the files `meeting quality` and `meeting dashboard` draw, read back as
//! SVG (and PNG) rather than looked at.

use std::collections::{BTreeMap, BTreeSet};

use crate::common::{CONF, LAPTOP, Sim, stderr};

/// The threshold lines' and alarm shading's colour; the axes are black.
const THRESHOLD: &str = "#D62728";
const AXES: &str = "#000000";

/// The SVG's polylines (one per line drawn: series, thresholds, axes): stroke colour,
/// and points.
fn polylines(svg: &roxmltree::Document) -> Vec<(String, Vec<(f64, f64)>)> {
    svg.descendants()
        .filter(|n| n.has_tag_name("polyline"))
        .map(|n| {
            let points = n
                .attribute("points")
                .unwrap_or("")
                .split_whitespace()
                .filter_map(|xy| {
                    let (x, y) = xy.split_once(',')?;
                    Some((x.parse().ok()?, y.parse().ok()?))
                })
                .collect();
            (n.attribute("stroke").unwrap_or("").to_owned(), points)
        })
        .collect()
}

/// The texts, trimmed.
fn texts(svg: &roxmltree::Document) -> Vec<String> {
    svg.descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .map(|t| t.trim().to_owned())
        .collect()
}

fn read(path: &std::path::Path) -> String {
    std::fs::read_to_string(path).expect("the chart was written")
}

/// A meeting with the laptop's uplink losing 8 % in minutes 3 and 4 and the audio loss
/// threshold at 5 %, seven minutes in.
fn degraded_meeting() -> Sim {
    let sim = Sim::start();
    sim.handle
        .degrade(
            CONF,
            meeting_sim::Degradation::new(LAPTOP, meeting_sim::Direction::Up, 3..5)
                .loss_permille(80),
        )
        .expect("scripted");
    sim.ok(&["thresholds", "audio", "--loss", "5,5"]);
    sim.handle
        .advance_clock(std::time::Duration::from_secs(7 * 60));
    sim
}

/// The quality chart of a meeting holds one line per series each participant has (a
/// colour each), a horizontal threshold line per panel with a threshold, the scripted
/// alarm shaded, and a time axis over the whole meeting in the zone asked.
#[test]
fn the_quality_chart_draws_every_series_threshold_and_alarm_over_the_meeting() {
    let sim = degraded_meeting();
    let dir = tempfile::tempdir().expect("a directory");
    let file = dir.path().join("quality.svg");
    let out = sim
        .meeting()
        .args(["quality", CONF, "--time-zone", "Europe/Berlin", "--chart"])
        .arg(&file)
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", stderr(&out));
    let text = read(&file);
    let svg = roxmltree::Document::parse(&text).expect("the chart is XML");
    assert!(svg.root_element().has_tag_name("svg"));

    // What the chart should hold, from the same service: each participant's series of
    // each panel (the sent and received loss of each medium, the app's CPU).
    let report: serde_json::Value =
        serde_json::from_str(&sim.ok(&["--json", "quality", CONF])).expect("JSON");
    let people: Vec<String> = report["participants"]
        .as_array()
        .expect("participants")
        .iter()
        .map(|p| p["id"].as_str().expect("an ID").to_owned())
        .collect();
    assert_eq!(people.len(), 2, "{report}");
    let (mut series, mut thresholds, mut alarms) = (BTreeMap::new(), BTreeSet::new(), 0);
    for (i, id) in people.iter().enumerate() {
        for kind in ["audio", "video", "screen", "cpu"] {
            let one: serde_json::Value =
                serde_json::from_str(&sim.ok(&["--json", "quality", CONF, id, "--kind", kind]))
                    .expect("JSON");
            for row in one["series"].as_array().expect("series") {
                let drawn = ["packet loss", "app CPU"].contains(&row["metric"].as_str().unwrap());
                if !drawn || row["max"].is_null() {
                    continue;
                }
                *series.entry(i).or_insert(0) += 1;
                if !row["threshold"].is_null() {
                    thresholds.insert((kind, row["way"].to_string()));
                }
                alarms += row["alarms"].as_array().map_or(0, Vec::len);
            }
        }
    }
    assert_eq!(alarms, 1, "the scripted loss alarms once");

    let lines = polylines(&svg);
    let mut by_colour: BTreeMap<&str, usize> = BTreeMap::new();
    for (stroke, _) in lines.iter().filter(|(s, _)| s != AXES && s != THRESHOLD) {
        *by_colour.entry(stroke).or_insert(0) += 1;
    }
    assert_eq!(
        by_colour.len(),
        people.len(),
        "a colour per participant: {by_colour:?}"
    );
    let mut drawn: Vec<usize> = by_colour.values().copied().collect();
    let mut expected: Vec<usize> = series.values().copied().collect();
    drawn.sort_unstable();
    expected.sort_unstable();
    assert_eq!(drawn, expected, "one line per series");
    let threshold_lines: Vec<_> = lines.iter().filter(|(s, _)| s == THRESHOLD).collect();
    assert_eq!(threshold_lines.len(), thresholds.len(), "{thresholds:?}");
    for (_, points) in threshold_lines {
        assert!(
            points.len() == 2 && points[0].1 == points[1].1,
            "{points:?}"
        );
    }
    let shaded = svg
        .descendants()
        .filter(|n| n.has_tag_name("rect") && n.attribute("fill") == Some(THRESHOLD))
        .count();
    assert_eq!(shaded, alarms, "the alarm period shaded");

    // The axis: the meeting's start to its planned end in Berlin, ticks on round times
    // between them.
    let meetings: serde_json::Value =
        serde_json::from_str(&sim.ok(&["--json", "quality", "--time-zone", "Europe/Berlin"]))
            .expect("JSON");
    let start = meetings["meetings"]
        .as_array()
        .expect("meetings")
        .iter()
        .find(|m| m["id"] == CONF)
        .and_then(|m| m["start"].as_str())
        .expect("its start")
        .to_owned();
    let minutes = sim
        .handle
        .state()
        .conferences
        .iter()
        .find(|c| c.id == CONF)
        .expect("the meeting")
        .length_minutes;
    let from = jiff::civil::DateTime::strptime("%Y-%m-%d %H:%M", &start).expect("a time");
    let to = from
        .checked_add(jiff::Span::new().minutes(i64::from(minutes)))
        .expect("a time");
    let axis = format!(
        "{start}–{} Europe/Berlin",
        if to.date() == from.date() {
            to.strftime("%H:%M").to_string()
        } else {
            to.strftime("%Y-%m-%d %H:%M").to_string()
        }
    );
    let texts = texts(&svg);
    assert_eq!(
        texts.iter().filter(|t| **t == axis).count(),
        7,
        "each panel's axis: {axis}"
    );
    let ticks: BTreeSet<jiff::civil::Time> = texts
        .iter()
        .filter(|t| t.len() == 5 && t.as_bytes()[2] == b':')
        .filter_map(|t| t.parse().ok())
        .collect();
    assert!(ticks.len() >= 4, "{ticks:?}");
    for tick in &ticks {
        assert_eq!(tick.minute() % 10, 0, "a round time: {tick}");
        let on = if *tick >= from.time() {
            from.date()
        } else {
            to.date()
        };
        let at = on.to_datetime(*tick);
        assert!(from <= at && at <= to, "{at} within {from}–{to}");
    }
}

/// One participant as a PNG: a bitmap of the chart's size, no system font needed.
#[test]
fn a_participants_chart_is_a_png_too() {
    let sim = degraded_meeting();
    let dir = tempfile::tempdir().expect("a directory");
    let file = dir.path().join("laptop.png");
    let out = sim
        .meeting()
        .args(["quality", CONF, LAPTOP, "--chart"])
        .arg(&file)
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", stderr(&out));
    let bytes = std::fs::read(&file).expect("written");
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    assert_eq!(&bytes[12..16], b"IHDR");
    let width = u32::from_be_bytes(bytes[16..20].try_into().expect("4 bytes"));
    let height = u32::from_be_bytes(bytes[20..24].try_into().expect("4 bytes"));
    assert_eq!((width, height), (1200, 40 + 36 + 4 * 280));
}

/// A chart file that cannot be one is refused before anything is sent.
#[test]
fn a_chart_of_another_kind_or_place_is_refused_before_sending() {
    let sim = Sim::start();
    let dir = tempfile::tempdir().expect("a directory");
    let before = sim.requests();
    for (args, says) in [
        (
            vec!["quality", CONF, "--chart", "quality.pdf"],
            "FILE.svg or FILE.png",
        ),
        (
            vec!["dashboard", "--show", "users", "--chart", "d.svg"],
            "--show meetings",
        ),
    ] {
        let out = sim
            .meeting()
            .current_dir(dir.path())
            .args(&args)
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(says), "{}", stderr(&out));
    }
    let missing = dir.path().join("no such directory").join("q.svg");
    let out = sim
        .meeting()
        .args(["quality", CONF, "--chart"])
        .arg(&missing)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("cannot write the chart"),
        "{}",
        stderr(&out)
    );
    assert_eq!(sim.requests(), before, "nothing was sent");
}

/// The dashboard's chart: the meetings and their participants of each of the seven
/// days, a line each in its own colour, the days on the axis; each day's start shown
/// in the zone asked.
#[test]
fn the_dashboard_charts_meetings_and_participants_per_day() {
    let sim = Sim::start();
    let dir = tempfile::tempdir().expect("a directory");
    let file = dir.path().join("dashboard.svg");
    let out = sim
        .meeting()
        .args([
            "--json",
            "dashboard",
            "--time-zone",
            "Asia/Tokyo",
            "--chart",
        ])
        .arg(&file)
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let rows = report["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 7, "{report}");
    for row in rows {
        // The service's UTC day starts at 09:00 in Tokyo.
        let day = row[0].as_str().expect("a day");
        assert_eq!(
            row[1][0],
            serde_json::json!(["starts", format!("{day} 09:00 JST")])
        );
    }
    let svg_text = read(&file);
    let svg = roxmltree::Document::parse(&svg_text).expect("the chart is XML");
    let series: Vec<_> = polylines(&svg)
        .into_iter()
        .filter(|(s, _)| s != AXES)
        .collect();
    assert_eq!(series.len(), 2, "{series:?}");
    assert_ne!(series[0].0, series[1].0, "a colour each");
    assert!(series.iter().all(|(_, points)| points.len() == 7));
    // The axis in Tokyo: each UTC day starts at 09:00 there, so the ticks (Tokyo's
    // midnights, MM-DD) are each day's next, and the span runs to the last one's.
    let texts = texts(&svg);
    let day = |row: &serde_json::Value| -> jiff::civil::Date {
        row[0].as_str().and_then(|d| d.parse().ok()).expect("a day")
    };
    for row in rows {
        let tick = day(row)
            .tomorrow()
            .expect("a day")
            .strftime("%m-%d")
            .to_string();
        assert!(texts.contains(&tick), "{tick}");
    }
    let period = format!(
        "{}–{} Asia/Tokyo",
        day(&rows[0]),
        day(&rows[6]).tomorrow().expect("a day")
    );
    assert!(texts.contains(&period), "{period}");
}
