//! Every operation of the spec (its table, `meeting_api::operations`) is sent by a
//! method of this crate and has the official SDK's recorded request as a fixture; every
//! fixture is of an operation the spec has. The simulator's routes and the CLI's
//! commands are checked against the same table in their own crates.

use std::path::{Path, PathBuf};

use meeting_api::operations::ALL;

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `LockMeeting` -> `LOCK_MEETING`, the name of its row in `meeting_api::operations`.
fn constant(id: &str) -> String {
    let mut out = String::new();
    for (i, c) in id.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

fn sources(dir: &Path, out: &mut String) {
    for entry in std::fs::read_dir(dir).expect("src is readable").flatten() {
        let path = entry.path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push_str(&std::fs::read_to_string(&path).expect("a source file"));
        }
    }
}

#[test]
fn every_operation_has_a_wrapper_method_and_a_fixture() {
    let mut src = String::new();
    sources(&crate_dir().join("src"), &mut src);
    let fixtures = crate_dir().join("tests/fixtures/official-sdk");
    let mut gaps = Vec::new();
    for operation in ALL {
        // A method sends an operation through the pipeline by its row of the table.
        let row = constant(operation.id);
        if !src.contains(&format!("&{row}")) && !src.contains(&format!("{row}.id")) {
            gaps.push(format!(
                "{}: no method of the wrapper sends it",
                operation.id
            ));
        }
        if !fixtures.join(format!("{}.json", operation.id)).exists() {
            gaps.push(format!(
                "{}: no fixture of the official SDK's request (xtask/oracle/official_sdk.py record)",
                operation.id
            ));
        }
    }
    for entry in std::fs::read_dir(&fixtures).expect("fixtures").flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let id = name.trim_end_matches(".json");
        if !ALL.iter().any(|op| op.id == id) {
            gaps.push(format!("fixture {name}: the spec has no operation {id}"));
        }
    }
    assert!(
        gaps.is_empty(),
        "gaps between the spec and the wrapper:\n{}",
        gaps.join("\n")
    );
}

/// No hand-written source of the workspace (the crates' `src` and xtask's) spells an
/// operation's path: they read it from the table. Comments aside.
#[test]
fn no_hand_written_source_spells_an_operation_path() {
    let workspace = crate_dir().join("../..");
    let mut src = String::new();
    for entry in std::fs::read_dir(workspace.join("crates"))
        .expect("crates")
        .flatten()
    {
        if entry.path().join("src").is_dir() {
            sources(&entry.path().join("src"), &mut src);
        }
    }
    sources(&workspace.join("xtask/src"), &mut src);
    for operation in ALL {
        let quoted = format!("\"{}", operation.path);
        let spelled: Vec<&str> = src
            .lines()
            .filter(|l| l.contains(&quoted) && !l.trim_start().starts_with("//"))
            .collect();
        assert!(
            spelled.is_empty(),
            "{} is spelled by hand (read it from meeting_api::operations): {spelled:?}",
            operation.path
        );
    }
}
