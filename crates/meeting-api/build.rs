//! Generates the client from the spec into `OUT_DIR`. `meeting.yaml` beside this file
//! is a link to the workspace's `openapi/meeting.yaml` (the single source of truth);
//! `cargo package` stores the file itself, so the published crate builds alone.

use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let spec = manifest.join("meeting.yaml");
    println!("cargo:rerun-if-changed={}", spec.display());
    let code = match meeting_codegen::generate(&spec) {
        Ok(code) => code,
        Err(e) => {
            // A readable build failure instead of a panic backtrace.
            eprintln!("error: {e}");
            println!("cargo::error={e}");
            std::process::exit(1);
        }
    };
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    if let Err(e) = std::fs::write(Path::new(&out).join("meeting_api.rs"), code) {
        println!("cargo::error=cannot write generated code: {e}");
        std::process::exit(1);
    }
}
