//! What the member's test binaries share: the example's binary, built first where a
//! test was built alone, and the twin's interpreter.

#![allow(dead_code)] // each test binary uses its own part of it

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread::{self, JoinHandle};

pub fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The example's binary (`target/<profile>/examples/distributed`), next to the test's
/// own, built first when this test was built alone.
pub fn example_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("the test knows its own path");
    let profile = exe
        .parent()
        .and_then(Path::parent)
        .expect("test binaries live in target/<profile>/deps");
    let binary = profile.join("examples").join("distributed");
    if !binary.exists() {
        let mut build = Command::new(env!("CARGO"));
        build.args(["build", "--quiet", "--example", "distributed"]);
        if profile.ends_with("release") {
            build.arg("--release");
        }
        let status = build
            .current_dir(manifest_dir())
            .status()
            .expect("cargo runs");
        assert!(status.success(), "building the example failed");
    }
    binary
        .canonicalize()
        .expect("the example's binary is there")
}

pub fn example() -> Command {
    Command::new(example_binary())
}

/// The twin's interpreter: the chapter's venv (`target/venv`, where mpi4py is
/// installed) if there is one, else `CPAIRS_PYTHON` or `python3`; as the real binary
/// (`sys.executable`, not a shim), so that it runs with any PATH. `Err`: why the twin
/// cannot run here (no mpi4py for that Python).
pub fn twin_python() -> Result<PathBuf, String> {
    let venv = manifest_dir().join("target/venv/bin/python");
    let python = if venv.exists() {
        venv
    } else {
        PathBuf::from(
            std::env::var("CPAIRS_PYTHON").unwrap_or_else(|_| "python3".into()),
        )
    };
    let asked = Command::new(&python)
        .args(["-c", "import sys, mpi4py; print(sys.executable)"])
        .stderr(Stdio::null())
        .output();
    match asked {
        Ok(out) if out.status.success() => {
            Ok(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
        }
        _ => Err(format!("no mpi4py for {}", python.display())),
    }
}

/// A child started in a process group of its own (so it can be killed with all it
/// started), its stdout and stderr read on threads as they come.
pub struct Spawned {
    pub child: Child,
    pub stdout: JoinHandle<String>,
    pub stderr: JoinHandle<String>,
    /// The command, for messages.
    pub what: String,
}

pub fn spawn_grouped(command: &mut Command) -> Spawned {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    let what = format!("{command:?}");
    let mut child = command.spawn().expect("the command starts");
    let reader = |mut pipe: Box<dyn Read + Send>| {
        thread::spawn(move || {
            let mut text = String::new();
            pipe.read_to_string(&mut text).expect("the output is text");
            text
        })
    };
    let stdout = reader(Box::new(child.stdout.take().expect("piped")));
    let stderr = reader(Box::new(child.stderr.take().expect("piped")));
    Spawned {
        child,
        stdout,
        stderr,
        what,
    }
}
