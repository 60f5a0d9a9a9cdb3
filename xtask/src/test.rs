//! `cargo xtask test`: the README's test command. Installs what the tests need when it
//! can, then runs every test of the workspace (`cargo test --workspace`).
//!
//! The token-store tests run a real Redis (Debian's `redis-server`, on a loopback port),
//! never a mock, and never skip. On a machine without it this installs it when it can
//! (`apt-get` is there and this runs as root, as on CI and in containers); elsewhere it
//! stops before testing and prints the one command to run, rather than asking for a
//! password or installing behind the user's back.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};

/// Runs every test, `extra` passed on to `cargo test` (e.g. a filter).
pub fn run(root: &Path, extra: &[String]) -> Result<String> {
    ensure_redis_server()?;
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(root)
        .args(["test", "--workspace"])
        .args(extra)
        .status()
        .context("running cargo test")?;
    if !status.success() {
        bail!("cargo test --workspace failed ({status})");
    }
    Ok("every test of the workspace passed".to_owned())
}

fn ensure_redis_server() -> Result<()> {
    if on_path("redis-server") {
        return Ok(());
    }
    if on_path("apt-get") && is_root() {
        eprintln!(
            "installing Debian's redis-server: the token-store tests run a real one (apt-get)"
        );
        apt_get(&["update", "-qq"])?;
        apt_get(&["install", "-y", "-qq", "redis-server"])?;
        if on_path("redis-server") {
            return Ok(());
        }
    }
    bail!(
        "the token-store tests run a real Redis, and redis-server is not installed.\n\
         Install it, then run `cargo xtask test` again:\n\
         \x20 Debian, Ubuntu:  sudo apt-get install redis-server\n\
         \x20 Fedora:          sudo dnf install redis\n\
         \x20 macOS:           brew install redis"
    )
}

fn apt_get(args: &[&str]) -> Result<()> {
    let status = Command::new("apt-get")
        .args(args)
        .env("DEBIAN_FRONTEND", "noninteractive")
        .status()
        .context("running apt-get")?;
    if !status.success() {
        bail!("apt-get {} failed ({status})", args.join(" "));
    }
    Ok(())
}

/// Whether an executable of this name is on `PATH`.
fn on_path(name: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|path| {
        std::env::split_paths(&path).any(|dir| {
            std::fs::metadata(dir.join(name)).is_ok_and(|m| {
                use std::os::unix::fs::PermissionsExt;
                m.is_file() && m.permissions().mode() & 0o111 != 0
            })
        })
    })
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| out.stdout.trim_ascii() == b"0")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_executables_on_path_only() {
        assert!(on_path("sh"));
        assert!(!on_path("no-such-command-for-meeting-tests"));
    }
}
