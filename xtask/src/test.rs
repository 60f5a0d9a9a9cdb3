//! `cargo xtask test`: the README's test command. Installs what the tests need when it
//! can, then runs every test of the workspace.
//!
//! The token-store tests run a real Redis (Debian's `redis-server`, on a loopback port),
//! never a mock, and never skip. On a machine without it this installs it when it can
//! (`apt-get` is there and this runs as root, as on CI and in containers); elsewhere it
//! stops before testing and prints the one command to run, rather than asking for a
//! password or installing behind the user's back.
//!
//! `cargo test` runs its test binaries one after another, and the heavy ones (the
//! wrapper's, the CLI's, the token-store waves) spend most of their time waiting on
//! timers, sockets and child processes rather than on the CPU. So this builds them
//! with `cargo test --no-run`, then runs every binary and the doc tests at once, each as
//! cargo would (its package's directory, `CARGO_MANIFEST_DIR`), and prints each one's
//! output whole when it ends. That is also the load the tests must hold under: a test
//! that passes alone but fails beside the others fails here. cargo-nextest does the
//! same and more, but building it costs a fresh machine more than it saves.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;

use anyhow::{Context, Result, bail};

/// The workspace's packages, less the OpenTelemetry example: CI builds it on its own, so
/// that the test command does not build OpenTelemetry.
const PACKAGES: [&str; 3] = ["--workspace", "--exclude", "meeting-otlp-example"];

/// Runs every test. With `extra` (a filter, cargo options), `cargo test --workspace
/// EXTRA` runs as given, one binary after another.
pub fn run(root: &Path, extra: &[String]) -> Result<String> {
    ensure_redis_server()?;
    if !extra.is_empty() {
        let status = cargo(root)
            .arg("test")
            .args(PACKAGES)
            .args(extra)
            .status()
            .context("running cargo test")?;
        if !status.success() {
            bail!("cargo test --workspace failed ({status})");
        }
        return Ok("the tests passed".to_owned());
    }
    let binaries = build(root)?;
    let failed = run_side_by_side(root, &binaries);
    if !failed.is_empty() {
        bail!("failed: {}", failed.join("; "));
    }
    Ok(format!(
        "every test of the workspace passed ({} test binaries and the doc tests)",
        binaries.len()
    ))
}

fn cargo(root: &Path) -> Command {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command.current_dir(root);
    command
}

/// One test binary that `cargo test --no-run` built.
#[derive(Debug, PartialEq)]
struct TestBinary {
    package: String,
    /// The package's directory: the binary runs there, as under `cargo test`.
    manifest_dir: PathBuf,
    /// `unittests src/lib.rs`, `tests/testsuite/main.rs`: what cargo prints.
    source: String,
    /// The `cargo test` arguments that run this binary alone.
    rerun: String,
    executable: PathBuf,
}

/// Builds every test binary of the workspace (cargo's diagnostics and progress go to the
/// terminal as usual) and returns them.
fn build(root: &Path) -> Result<Vec<TestBinary>> {
    let output = cargo(root)
        .arg("test")
        .args(PACKAGES)
        .args(["--no-run", "--message-format=json-render-diagnostics"])
        .stderr(Stdio::inherit())
        .output()
        .context("running cargo test --no-run")?;
    if !output.status.success() {
        bail!("building the tests failed ({})", output.status);
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let binaries: Vec<_> = stdout.lines().filter_map(test_binary).collect();
    if binaries.is_empty() {
        bail!("cargo test --no-run reported no test binary");
    }
    Ok(binaries)
}

/// The test binary a line of cargo's JSON messages reports, if it reports one.
fn test_binary(line: &str) -> Option<TestBinary> {
    let message: serde_json::Value = serde_json::from_str(line).ok()?;
    if message["reason"] != "compiler-artifact" || message["profile"]["test"] != true {
        return None;
    }
    let executable = PathBuf::from(message["executable"].as_str()?);
    let manifest_dir = Path::new(message["manifest_path"].as_str()?)
        .parent()?
        .to_path_buf();
    let target = &message["target"];
    let name = target["name"].as_str()?;
    let kind = target["kind"][0].as_str()?;
    let src = Path::new(target["src_path"].as_str()?);
    let src = src.strip_prefix(&manifest_dir).unwrap_or(src).display();
    let package = message["package_id"]
        .as_str()
        .and_then(package_name)
        .unwrap_or(name)
        .to_owned();
    let (source, selector) = match kind {
        "lib" => (format!("unittests {src}"), "--lib".to_owned()),
        "bin" => (format!("unittests {src}"), format!("--bin {name}")),
        _ => (src.to_string(), format!("--{kind} {name}")),
    };
    Some(TestBinary {
        rerun: format!("-p {package} {selector}"),
        package,
        manifest_dir,
        source,
        executable,
    })
}

/// The package's name in a cargo package ID: `path+file:///…/crates/meeting#0.1.0`
/// (the directory's name is the package's), or `…/meeting-cli#meeting@0.1.0`.
fn package_name(id: &str) -> Option<&str> {
    let (path, fragment) = id.rsplit_once('#')?;
    match fragment.split_once('@') {
        Some((name, _)) => Some(name),
        None => path.rsplit('/').next(),
    }
}

/// Runs every binary and the doc tests at once; prints each one's output when it ends;
/// returns what failed, each with the command that reruns it.
fn run_side_by_side(root: &Path, binaries: &[TestBinary]) -> Vec<String> {
    let (done, finished) = mpsc::channel();
    let mut failed = Vec::new();
    std::thread::scope(|scope| {
        for binary in binaries {
            let done = done.clone();
            scope.spawn(move || {
                let output = Command::new(&binary.executable)
                    .current_dir(&binary.manifest_dir)
                    .env("CARGO_MANIFEST_DIR", &binary.manifest_dir)
                    .env("CARGO_PKG_NAME", &binary.package)
                    .output();
                let title = format!(
                    "     Running {} ({})",
                    binary.source,
                    binary.executable.display()
                );
                let _ = done.send((title, format!("cargo test {}", binary.rerun), output));
            });
        }
        scope.spawn(move || {
            let output = cargo(root)
                .arg("test")
                .args(PACKAGES)
                .args(["--doc", "--quiet"])
                .output();
            let _ = done.send((
                "   Doc-tests".to_owned(),
                "cargo test --workspace --doc".to_owned(),
                output,
            ));
        });
        for (title, rerun, output) in finished {
            println!("{title}");
            match output {
                Ok(Output {
                    status,
                    stdout,
                    stderr,
                }) => {
                    print!("{}", String::from_utf8_lossy(&stdout));
                    eprint!("{}", String::from_utf8_lossy(&stderr));
                    if !status.success() {
                        failed.push(format!("{rerun} ({status})"));
                    }
                }
                Err(error) => failed.push(format!("{rerun} (could not start: {error})")),
            }
        }
    });
    failed
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
    fn reads_test_binaries_from_cargos_messages() {
        let line = r#"{"reason":"compiler-artifact","package_id":"path+file:///w/crates/meeting-cli#meeting@0.1.0","manifest_path":"/w/crates/meeting-cli/Cargo.toml","target":{"kind":["test"],"name":"testsuite","src_path":"/w/crates/meeting-cli/tests/testsuite/main.rs"},"profile":{"test":true},"executable":"/w/target/debug/deps/testsuite-1"}"#;
        assert_eq!(
            test_binary(line),
            Some(TestBinary {
                package: "meeting".to_owned(),
                manifest_dir: "/w/crates/meeting-cli".into(),
                source: "tests/testsuite/main.rs".to_owned(),
                rerun: "-p meeting --test testsuite".to_owned(),
                executable: "/w/target/debug/deps/testsuite-1".into(),
            })
        );
        let lib = line
            .replace(r#"["test"]"#, r#"["lib"]"#)
            .replace("tests/testsuite/main.rs", "src/lib.rs")
            .replace("#meeting@0.1.0", "#0.1.0");
        let lib = test_binary(&lib).expect("a unit-test binary");
        assert_eq!(lib.package, "meeting-cli");
        assert_eq!(lib.source, "unittests src/lib.rs");
        assert_eq!(lib.rerun, "-p meeting-cli --lib");
        // A library built for others, not a test, is no test binary.
        let built = line.replace(r#""test":true"#, r#""test":false"#);
        assert_eq!(test_binary(&built), None);
        assert_eq!(test_binary("not json"), None);
    }

    #[test]
    fn finds_executables_on_path_only() {
        assert!(on_path("sh"));
        assert!(!on_path("no-such-command-for-meeting-tests"));
    }
}
