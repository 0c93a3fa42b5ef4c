//! One run of one program: to its end, or stopped at a time limit as hung.

use std::io::Read;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// The longest one run may take before it is stopped as hung.
const RUN_LIMIT: Duration = Duration::from_secs(15 * 60);

/// Run a command to the end (or until [`RUN_LIMIT`]) and return its stdout; a failure
/// quotes the last line of its stderr.
pub fn run_once(command: &mut Command) -> Result<String> {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("starting {:?}", command.get_program()))?;
    let mut stdout = child.stdout.take().expect("stdout is piped");
    let mut stderr = child.stderr.take().expect("stderr is piped");
    // Both pipes drain at once, so a chatty child never blocks on a full one.
    let out_reader = thread::spawn(move || {
        let mut text = String::new();
        stdout.read_to_string(&mut text).map(|_| text)
    });
    let err_reader = thread::spawn(move || {
        let mut text = String::new();
        stderr.read_to_string(&mut text).map(|_| text)
    });
    let deadline = Instant::now() + RUN_LIMIT;
    let status = loop {
        if let Some(status) = child.try_wait().context("waiting for the run")? {
            break status;
        }
        if Instant::now() > deadline {
            child.kill().context("stopping a hung run")?;
            child.wait().context("reaping a hung run")?;
            bail!("still running after {} s: stopped", RUN_LIMIT.as_secs());
        }
        thread::sleep(Duration::from_millis(20));
    };
    let stdout = out_reader
        .join()
        .expect("the reader thread does not panic")
        .context("reading stdout")?;
    let stderr = err_reader
        .join()
        .expect("the reader thread does not panic")
        .context("reading stderr")?;
    if !status.success() {
        let last = stderr
            .trim()
            .lines()
            .last()
            .unwrap_or("(nothing on stderr)");
        bail!("exited with {status}: {last}");
    }
    Ok(stdout)
}
