//! `cargo xtask codegen [--check]`: the reviewable copy and the surface snapshot.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

/// The workspace's root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The spec, the single source of truth.
pub fn spec_path() -> PathBuf {
    root().join("openapi/meeting.yaml")
}

/// The committed, reviewable copy of what `meeting-api`'s build.rs generates.
pub fn copy_path() -> PathBuf {
    root().join("crates/meeting-api/generated/meeting_api.rs")
}

/// Generates the code and its surface summary.
pub fn generate() -> Result<(String, String)> {
    let code = meeting_codegen::generate(&spec_path())?;
    let surface = meeting_codegen::surface(&code)?;
    Ok((code, surface))
}

/// Compares `surface` with the committed snapshot (insta decides, from `INSTA_UPDATE`,
/// whether a difference is written or reported).
pub fn assert_surface(surface: &str) {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_description("Public surface of meeting-api, generated from openapi/meeting.yaml");
    settings.set_omit_expression(true);
    settings.bind(|| insta::assert_snapshot!("surface", surface));
}

/// Writes the copy and the snapshot.
pub fn write() -> Result<String> {
    let (code, surface) = generate()?;
    std::fs::write(copy_path(), &code)
        .with_context(|| format!("writing {}", copy_path().display()))?;
    // SAFETY: single-threaded here, before insta reads its configuration.
    unsafe { std::env::set_var("INSTA_UPDATE", "always") };
    unsafe { std::env::remove_var("INSTA_FORCE_PASS") };
    assert_surface(&surface);
    Ok(format!(
        "wrote {} and the surface snapshot; review `git diff` and commit them with the spec",
        copy_path().display()
    ))
}

/// Fails with a diff if the copy or the snapshot is stale.
pub fn check() -> Result<String> {
    let (code, surface) = generate()?;
    let committed = std::fs::read_to_string(copy_path()).unwrap_or_default();
    let mut stale = Vec::new();
    if committed != code {
        let diff = similar::TextDiff::from_lines(&committed, &code);
        eprintln!(
            "{}",
            diff.unified_diff()
                .context_radius(3)
                .header("committed copy", "generated from the spec")
        );
        stale.push(format!("{} is stale", copy_path().display()));
    }
    // SAFETY: single-threaded here, before insta reads its configuration.
    unsafe { std::env::set_var("INSTA_UPDATE", "no") };
    unsafe { std::env::remove_var("INSTA_FORCE_PASS") };
    // insta prints its own diff and panics on a mismatch.
    let matched = meeting_codegen::catch_quietly(|| assert_surface(&surface)).is_ok();
    if !matched {
        stale.push("the surface snapshot xtask/src/snapshots/surface.snap is stale".to_owned());
    }
    if !stale.is_empty() {
        bail!(
            "{}; run `cargo xtask codegen` and review the diff",
            stale.join("; ")
        );
    }
    Ok("generated code and surface snapshot are up to date".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn surface_snapshot_is_current() {
        let (_, surface) = generate().expect("the spec generates");
        assert_surface(&surface);
    }

    #[test]
    fn committed_copy_is_current() {
        let (code, _) = generate().expect("the spec generates");
        let committed = std::fs::read_to_string(copy_path()).expect("the copy is committed");
        assert!(
            committed == code,
            "{} is stale: run `cargo xtask codegen`",
            copy_path().display()
        );
    }

    #[test]
    fn changing_one_description_makes_the_copy_stale() {
        let spec = std::fs::read_to_string(spec_path()).expect("spec readable");
        let changed = spec.replacen(
            "summary: Lock or unlock a meeting\n",
            "summary: Lock or unlock a meeting, now\n",
            1,
        );
        assert_ne!(spec, changed, "the summary to change is in the spec");
        let temp = tempfile::tempdir().expect("a temporary directory");
        let path = temp.path().join("meeting.yaml");
        std::fs::write(&path, changed).expect("temp spec written");
        let code = meeting_codegen::generate(&path).expect("the changed spec generates");
        let committed = std::fs::read_to_string(copy_path()).expect("the copy is committed");
        assert_ne!(code, committed, "--check would not notice the change");
        assert!(code.contains("Lock or unlock a meeting, now"));
    }

    #[test]
    fn every_spec_operation_is_in_the_surface() {
        let (_, surface) = generate().expect("the spec generates");
        let spec = meeting_codegen::load_spec(&spec_path()).expect("the spec loads");
        let mut count = 0;
        for item in spec.paths.paths.values() {
            count += item
                .as_item()
                .expect("no external path items")
                .iter()
                .count();
        }
        // Every operation has a row in the table of operations, and is generated
        // unless its body is multipart (sent by hand: meeting-api's `multipart`).
        let rows = meeting_codegen::table::rows(&spec).expect("the table");
        for row in &rows {
            let line = format!(": {} {}\n", row.method, row.path);
            let multipart = row.content_type.as_deref() == Some(meeting_codegen::MULTIPART);
            assert_eq!(
                surface.contains(&line),
                !multipart,
                "generated or not as it should be: {line}"
            );
        }
        assert_eq!(count, rows.len());
        for row in rows {
            let listed = surface
                .lines()
                .any(|l| l.starts_with(&format!("{} ", row.id)) && l.contains(&row.path));
            assert!(listed, "no row for {} in the surface", row.id);
        }
    }
}
