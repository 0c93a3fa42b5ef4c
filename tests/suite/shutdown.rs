//! `shutdown`: a signal cancels every job, each finished result is written once and every
//! job in flight is reported cancelled; a second signal forces the exit with 128 + N; no
//! child process is left behind. Real signals, sent to the example and its twin run as
//! child processes; every wait is bounded.

use crate::common::*;

use std::process::{Child, Command, Stdio};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use concurrency_pairs::Trace;

const JOBS: usize = 6;

fn check_trace(trace: &Trace) {
    for (name, code) in [("sigterm-drain", 0.0), ("deadline", 1.0)] {
        let v = variant(trace, name);
        let mut ids = v.received.clone();
        ids.sort_unstable();
        assert_eq!(ids, (0..JOBS).collect::<Vec<_>>(), "{name}: each job once");
        assert_eq!(v.figures.finished, Some(2.0), "{name}");
        assert_eq!(v.figures.in_flight, Some(4.0), "{name}");
        assert_eq!(v.figures.cancelled, Some(4.0), "{name}");
        assert_eq!(v.figures.exit_code, Some(code), "{name}");
        assert!(v.figures.drain_s.is_some_and(|d| d >= 0.0), "{name}");
    }
}

#[test]
fn rust_every_job_finishes_or_is_cancelled_once() {
    check_trace(&rust_trace("shutdown", &[]));
}

#[test]
fn python_every_job_finishes_or_is_cancelled_once() {
    check_trace(&python_trace("shutdown", &[]));
}

#[test]
fn bad_flags_are_one_line_errors() {
    assert_bad_flags_rejected("shutdown");
}

fn start(python: bool) -> (Child, Receiver<String>) {
    let mut command = if python {
        twin("shutdown.py")
    } else {
        Command::new(example_binary("shutdown"))
    };
    let mut child = command
        .arg("--wait-for-signal")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the program starts");
    let stdout = child.stdout.take().expect("piped");
    let rx = lines_of(stdout);
    (child, rx)
}

fn wait_for(child: &mut Child, rx: &Receiver<String>, seen: &mut Vec<String>, what: &str) {
    wait_for_line(child, rx, seen, what, Duration::from_secs(30));
}

/// Send `signals` (the second once the drain has begun), then check code and output.
fn signal_and_check(python: bool, signals: &[&str], code: i32) {
    let what = format!("{} {signals:?}", if python { "python" } else { "rust" });
    let (mut child, rx) = start(python);
    let pid = child.id();
    let mut seen = Vec::new();
    wait_for(&mut child, &rx, &mut seen, "ready");
    wait_for(&mut child, &rx, &mut seen, "received task 1:"); // two jobs finished
    let workers = children(pid);
    kill(pid, signals[0]);
    if let Some(second) = signals.get(1) {
        wait_for(&mut child, &rx, &mut seen, "cancelling");
        kill(pid, second);
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("{what}: did not exit in time; saw {seen:#?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    seen.extend(rx.try_iter());
    // The reader thread may still hold the last lines for a moment.
    let until = Instant::now() + Duration::from_secs(2);
    while let Ok(line) = rx.recv_timeout(until.saturating_duration_since(Instant::now())) {
        seen.push(line);
    }
    assert_eq!(status.code(), Some(code), "{what}: {seen:#?}");
    for id in 0..5 {
        let lines: Vec<&String> = seen
            .iter()
            .filter(|l| l.contains(&format!("received task {id}:")))
            .collect();
        assert_eq!(lines.len(), 1, "{what}: job {id} once: {seen:#?}");
        let expected = if id < 2 { "finished" } else { "cancelled" };
        assert!(
            lines[0].contains(expected),
            "{what}: job {id}: {}",
            lines[0]
        );
    }
    assert_children_gone(&workers, &what);
}

#[test]
fn rust_signals_end_it_cleanly_or_by_force() {
    signal_and_check(false, &["TERM"], 0);
    signal_and_check(false, &["HUP"], 0);
    signal_and_check(false, &["INT"], 0);
    signal_and_check(false, &["INT", "INT"], 130);
    signal_and_check(false, &["TERM", "TERM"], 143);
}

#[test]
fn python_signals_end_it_cleanly_or_by_force() {
    signal_and_check(true, &["TERM"], 0);
    signal_and_check(true, &["HUP"], 0);
    signal_and_check(true, &["INT"], 0);
    signal_and_check(true, &["INT", "INT"], 130);
    signal_and_check(true, &["TERM", "TERM"], 143);
}
