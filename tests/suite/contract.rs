//! Every trace keeps the contract `book/src/trace.md` states, in both languages: the
//! ideal is a lower bound on the wall time, every span lies inside its variant, a task
//! id has one span (or one per part, each with its own `part`), and every result the
//! caller received belongs to a task with a span.
//!
//! Each example and each twin runs once, at its default size (the crawler at fewer
//! tasks), two at a time, each bounded.

use std::collections::BTreeMap;
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use concurrency_pairs::{Trace, Variant};

use crate::common::{example_binary, example_names, twin};

/// The timer's resolution, and what one clock read after another can add.
const EPSILON_S: f64 = 1e-3;
/// The longest one example may take before the test gives up on it.
const BOUND: Duration = Duration::from_secs(240);

/// The flags a run takes beside `--json`: the scheduler is a REPL unless measured, and
/// the crawler's default is its slowest run by far.
fn args(name: &str) -> Vec<&'static str> {
    match name {
        "scheduler" => vec!["--measure"],
        "crawler" => vec!["--tasks", "40"],
        _ => vec![],
    }
}

/// Run `command` to its end (at most [`BOUND`]) and parse the trace it prints.
fn trace_of(mut command: Command, what: &str) -> Result<Trace, String> {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("{what}: does not start ({e})"))?;
    let mut stdout = child.stdout.take().expect("stdout is piped");
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut text).map(|_| text)
    });
    let deadline = Instant::now() + BOUND;
    let status = loop {
        if let Some(status) = child.try_wait().expect("the child can be waited for") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("{what}: still running after {BOUND:?}"));
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let text = reader
        .join()
        .expect("the reader does not panic")
        .map_err(|e| format!("{what}: unreadable output ({e})"))?;
    if !status.success() {
        return Err(format!("{what}: failed ({status})"));
    }
    serde_json::from_str(text.trim()).map_err(|e| format!("{what}: no trace ({e})"))
}

/// What breaks the contract in one variant (nothing, if it keeps it).
fn breaches(v: &Variant) -> Vec<String> {
    let mut found = Vec::new();
    if let Some(ideal) = v.ideal_s.filter(|&ideal| v.wall_s + EPSILON_S < ideal) {
        found.push(format!(
            "wall {:.4} s beats its ideal {ideal:.4} s",
            v.wall_s
        ));
    }
    let mut parts: BTreeMap<usize, Vec<Option<usize>>> = BTreeMap::new();
    for t in &v.tasks {
        parts.entry(t.id).or_default().push(t.part);
        let inside = 0.0 <= t.start_s && t.start_s <= t.end_s;
        if !inside || t.end_s > v.wall_s + EPSILON_S {
            found.push(format!(
                "task {} ran {:.4}-{:.4} s, outside 0-{:.4} s",
                t.id, t.start_s, t.end_s, v.wall_s
            ));
        }
    }
    for (id, parts) in &parts {
        let mut numbered: Vec<usize> = parts.iter().flatten().copied().collect();
        numbered.sort_unstable();
        numbered.dedup();
        if parts.len() > 1 && numbered.len() != parts.len() {
            found.push(format!(
                "task {id} has {} spans, parts {parts:?}",
                parts.len()
            ));
        }
    }
    for id in &v.received {
        if !parts.contains_key(id) {
            found.push(format!("task {id} was received but has no span"));
        }
    }
    if v.received_s.len() != v.received.len() {
        found.push("received_s is not in step with received".to_owned());
    }
    found
}

/// Run every example in `language` (two at a time) and fail with every breach found.
fn check_every_example(language: &str) {
    let names = Mutex::new(example_names());
    let failures = Mutex::new(Vec::new());
    let checked = Mutex::new(0usize);
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                loop {
                    let Some(name) = names.lock().expect("no panic holding it").pop()
                    else {
                        return;
                    };
                    let (mut command, what) = match language {
                        "rust" => (Command::new(example_binary(&name)), name.clone()),
                        _ => {
                            (twin(&format!("{name}.py")), format!("python/{name}.py"))
                        }
                    };
                    command.arg("--json").args(args(&name));
                    let mut problems = Vec::new();
                    match trace_of(command, &what) {
                        Err(e) => problems.push(e),
                        Ok(trace) => {
                            for v in &trace.variants {
                                for b in breaches(v) {
                                    problems.push(format!("{what} {}: {b}", v.name));
                                }
                            }
                            *checked.lock().expect("no panic holding it") += 1;
                        }
                    }
                    failures
                        .lock()
                        .expect("no panic holding it")
                        .extend(problems);
                }
            });
        }
    });
    let failures = failures.into_inner().expect("every thread ended");
    assert!(failures.is_empty(), "{language}:\n{}", failures.join("\n"));
    let checked = checked.into_inner().expect("every thread ended");
    assert!(checked >= 30, "{language}: only {checked} traces checked");
}

#[test]
fn rust_traces_keep_their_contract() {
    check_every_example("rust");
}

#[test]
fn python_traces_keep_their_contract() {
    check_every_example("python");
}

#[test]
fn the_checks_catch_each_breach() {
    use concurrency_pairs::TaskSpan;
    let mut v = Variant::new("demo", "nothing");
    (v.wall_s, v.ideal_s) = (0.5, Some(0.4));
    v.tasks = vec![
        TaskSpan::new(0, "a", 0.0, 0.2).with_part(0),
        TaskSpan::new(0, "b", 0.0, 0.3).with_part(1),
        TaskSpan::new(1, "a", 0.2, 0.4),
    ];
    (v.received, v.received_s) = (vec![1, 0], vec![0.4, 0.5]);
    assert!(breaches(&v).is_empty(), "{:?}", breaches(&v));
    let mut beaten = v.clone();
    beaten.ideal_s = Some(0.6);
    let mut twice = v.clone();
    twice.tasks.push(TaskSpan::new(1, "b", 0.0, 0.1));
    let mut same_part = v.clone();
    same_part.tasks[1].part = Some(0);
    let mut unspanned = v.clone();
    unspanned.received.push(2);
    unspanned.received_s.push(0.5);
    let mut late = v.clone();
    late.tasks[2].end_s = 0.6;
    for broken in [beaten, twice, same_part, unspanned, late] {
        assert_eq!(breaches(&broken).len(), 1, "{broken:?}");
    }
}
