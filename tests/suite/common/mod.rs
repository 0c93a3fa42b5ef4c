//! Running an example or its Python twin and checking the claims on its trace.
//!
//! Tests assert what a pattern claims (orderings, values, counts), never wall time.
#![allow(dead_code)] // each test file uses its own subset

use std::path::{Path, PathBuf};
use std::process::Command;

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use concurrency_pairs::{Pattern, Trace, Variant};

pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// One example of the workspace: its name, its main file, and its package's folder.
struct Example {
    name: String,
    main: PathBuf,
    package: PathBuf,
}

/// Every example target of the workspace's members, as `cargo metadata` lists them (read
/// once): `examples/NAME.rs` of the root package, and the members' own (`runtimes`'
/// three, the `scheduler`'s folder of modules).
fn examples() -> &'static [Example] {
    static EXAMPLES: OnceLock<Vec<Example>> = OnceLock::new();
    EXAMPLES.get_or_init(|| {
        let output = Command::new(env!("CARGO"))
            .args(["metadata", "--no-deps", "--format-version", "1"])
            .current_dir(root())
            .output()
            .expect("cargo metadata runs");
        assert!(output.status.success(), "cargo metadata failed");
        let metadata: serde_json::Value = serde_json::from_slice(&output.stdout)
            .expect("cargo metadata prints JSON");
        let mut examples = Vec::new();
        for package in metadata["packages"].as_array().expect("packages") {
            let manifest =
                PathBuf::from(package["manifest_path"].as_str().expect("a path"));
            let folder = manifest.parent().expect("a manifest sits in its package");
            for target in package["targets"].as_array().expect("targets") {
                let kinds = target["kind"].as_array().expect("kinds");
                if kinds.iter().any(|k| k == "example") {
                    examples.push(Example {
                        name: target["name"].as_str().expect("a name").to_owned(),
                        main: PathBuf::from(
                            target["src_path"].as_str().expect("a path"),
                        ),
                        package: folder.to_path_buf(),
                    });
                }
            }
        }
        examples.sort_by(|a, b| a.name.cmp(&b.name));
        examples
    })
}

fn example(name: &str) -> &'static Example {
    examples()
        .iter()
        .find(|e| e.name == name)
        .unwrap_or_else(|| panic!("no example `{name}` in the workspace"))
}

/// The names of all examples, sorted.
pub fn example_names() -> Vec<String> {
    examples().iter().map(|e| e.name.clone()).collect()
}

/// The example's main file, from the root: `examples/NAME.rs`, or a member's.
pub fn example_source(name: &str) -> String {
    let main = &example(name).main;
    main.strip_prefix(root())
        .expect("every example lives in the workspace")
        .to_string_lossy()
        .into_owned()
}

/// Every Rust file of the example: one, or the folder of modules of one whose main is
/// `NAME/main.rs` (the scheduler's).
pub fn example_files(name: &str) -> Vec<PathBuf> {
    let main = &example(name).main;
    let Some(folder) = main.parent().filter(|_| main.ends_with("main.rs")) else {
        return vec![main.clone()];
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(folder)
        .expect("the example's folder is readable")
        .filter_map(|e| Some(e.ok()?.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .collect();
    files.sort();
    files
}

/// The example's binary, built by `cargo test` next to this test's own binary
/// (`target/<profile>/examples/NAME`); built on demand when a single test file runs.
pub fn example_binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test knows its own path");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("test binaries live in target/<profile>/deps");
    let binary = profile_dir.join("examples").join(name);
    if is_stale(&binary, name) {
        let status = Command::new(env!("CARGO"))
            .args(["build", "--quiet", "--example", name])
            .current_dir(root())
            .status()
            .expect("cargo runs");
        assert!(status.success(), "building example {name} failed");
    }
    binary
}

/// Missing, or older than its source or the library's (`cargo test --test X` does not
/// rebuild examples, so a test could otherwise run yesterday's binary).
fn is_stale(binary: &Path, name: &str) -> bool {
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let Some(built) = modified(binary) else {
        return true;
    };
    let mut sources = example_files(name);
    for library in [root().join("src"), example(name).package.join("src")] {
        if let Ok(entries) = std::fs::read_dir(library) {
            sources.extend(entries.filter_map(|e| e.ok().map(|e| e.path())));
        }
    }
    sources
        .iter()
        .any(|source| modified(source).is_some_and(|m| m > built))
}

/// The Python the suite runs the twins on, alone (for `-c` snippets): `CPAIRS_PYTHON` (a
/// path or a name on PATH), else `python3`.
pub fn python() -> Command {
    Command::new(
        std::env::var("CPAIRS_PYTHON").unwrap_or_else(|_| "python3".to_owned()),
    )
}

/// `python3 python/SCRIPT` as a reader runs it, with the start method the suite was
/// asked for (`CPAIRS_START_METHOD`: fork, forkserver or spawn) made the process-wide
/// default before the twin's code runs, as that reader's interpreter would (the twins'
/// `--start-method`); without it, the interpreter's own default.
pub fn twin(script: &str) -> Command {
    let mut command = python();
    command.arg(root().join("python").join(script));
    if let Ok(method) = std::env::var("CPAIRS_START_METHOD") {
        command.args(["--start-method", &method]);
    }
    command
}

fn parse(output: std::process::Output, what: &str) -> Trace {
    assert!(
        output.status.success(),
        "{what} failed ({}):\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).expect("the trace is UTF-8");
    let raw: serde_json::Value = serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("{what} printed no JSON ({e}):\n{stdout}"));
    let trace: Trace = serde_json::from_value(raw)
        .unwrap_or_else(|e| panic!("{what} printed no valid trace ({e}):\n{stdout}"));
    trace
}

/// What the example declares about itself (`--describe`), read once per test binary.
pub fn describe(name: &str) -> Pattern {
    static READ: OnceLock<Mutex<HashMap<String, Pattern>>> = OnceLock::new();
    let read = READ.get_or_init(Mutex::default);
    if let Some(pattern) = read.lock().expect("no test panics holding it").get(name) {
        return *pattern;
    }
    let output = Command::new(example_binary(name))
        .arg("--describe")
        .output()
        .expect("the example starts");
    assert!(output.status.success(), "{name} --describe failed");
    let json = String::from_utf8(output.stdout).expect("the description is UTF-8");
    let pattern = Pattern::from_json(json.trim())
        .unwrap_or_else(|e| panic!("{name} --describe printed no description ({e})"));
    assert_eq!(pattern.name.0, name, "{name} describes another pattern");
    read.lock()
        .expect("no test panics holding it")
        .insert(name.to_owned(), pattern);
    pattern
}

/// The variant names an example (or, with `python`, its twin) lists with `--variants`.
pub fn listed_variants(name: &str, python: bool) -> Vec<String> {
    let output = if python {
        twin(&format!("{name}.py"))
            .arg("--variants")
            .output()
            .expect("python3 is installed")
    } else {
        Command::new(example_binary(name))
            .arg("--variants")
            .output()
            .expect("the example starts")
    };
    assert!(output.status.success(), "{name} --variants failed");
    String::from_utf8(output.stdout)
        .expect("names are UTF-8")
        .lines()
        .map(str::to_owned)
        .collect()
}

/// A whole run runs exactly the variants the example declares for its language, in that
/// order (the description is read once; the twin's own `--variants` is checked against
/// it in `describe.rs`).
fn assert_lists_its_variants(trace: &Trace, args: &[&str], python: bool) {
    if args.iter().any(|a| a.starts_with("--variant")) {
        return;
    }
    let ran: Vec<&str> = trace.variants.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(
        ran,
        describe(&trace.example).names(python),
        "{} {}: the run disagrees with the description",
        trace.language,
        trace.example
    );
}

/// Run `cargo run --example NAME -- --json ARGS` (debug build) and parse its trace.
pub fn rust_trace(name: &str, args: &[&str]) -> Trace {
    let output = Command::new(example_binary(name))
        .arg("--json")
        .args(args)
        .output()
        .expect("the example starts");
    let trace = parse(output, &format!("example {name}"));
    assert_eq!(
        (trace.example.as_str(), trace.language.as_str()),
        (name, "rust")
    );
    assert_lists_its_variants(&trace, args, false);
    trace
}

/// Run `python3 python/NAME.py --json ARGS` and parse its trace.
pub fn python_trace(name: &str, args: &[&str]) -> Trace {
    let output = twin(&format!("{name}.py"))
        .arg("--json")
        .args(args)
        .output()
        .expect("python3 is installed");
    let trace = parse(output, &format!("python/{name}.py"));
    assert_eq!(
        (trace.example.as_str(), trace.language.as_str()),
        (name, "python")
    );
    // The twin ran under the start method the suite asked for, and says which Python.
    if let Ok(method) = std::env::var("CPAIRS_START_METHOD") {
        assert_eq!(
            trace.start_method.as_deref(),
            Some(method.as_str()),
            "{name}"
        );
    }
    assert!(
        trace.python.as_deref().is_some_and(|v| v.starts_with("3.")),
        "{name}"
    );
    // Every result the caller received belongs to a task with a span, whichever process
    // ran it: the worker processes' spans came back under this start method too.
    for v in &trace.variants {
        for id in &v.received {
            assert!(
                v.task(*id).is_some(),
                "{name} {}: task {id} has no span",
                v.name
            );
        }
    }
    assert_lists_its_variants(&trace, args, true);
    trace
}

/// Run an example with bad arguments: it must fail with one line on stderr, no panic.
pub fn assert_rejects(command: &mut Command, what: &str) {
    let output = command.output().expect("the program starts");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{what}: {stderr}");
    assert_eq!(
        stderr.trim().lines().count(),
        1,
        "{what}: one line, got {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{what}: {stderr}");
}

pub fn assert_bad_flags_rejected(name: &str) {
    assert_rejects(
        Command::new(example_binary(name)).arg("--no-such-flag"),
        &format!("example {name}"),
    );
    assert_rejects(
        twin(&format!("{name}.py")).arg("--no-such-flag"),
        &format!("python/{name}.py"),
    );
}

pub fn variant<'a>(trace: &'a Trace, name: &str) -> &'a Variant {
    trace.variant(name).unwrap_or_else(|| {
        panic!("{} {} has no variant {name}", trace.language, trace.example)
    })
}

/// Every one of `n` tasks ran once and its result was received once, with times that
/// make sense (a result is received after its task ended).
pub fn assert_each_task_received_once(v: &Variant, n: usize) {
    let mut ids: Vec<usize> = v.received.clone();
    ids.sort_unstable();
    assert_eq!(
        ids,
        (0..n).collect::<Vec<_>>(),
        "{}: received {:?}",
        v.name,
        v.received
    );
    let mut task_ids: Vec<usize> = v.tasks.iter().map(|t| t.id).collect();
    task_ids.sort_unstable();
    assert_eq!(task_ids, (0..n).collect::<Vec<_>>(), "{}: tasks", v.name);
    assert_eq!(
        v.received_s.len(),
        v.received.len(),
        "{}: received_s",
        v.name
    );
    for (id, at) in v.received.iter().zip(&v.received_s) {
        let task = v.task(*id).expect("every received id has a task");
        assert!(
            task.start_s <= task.end_s,
            "{}: task {id} ends before it starts",
            v.name
        );
        assert!(
            at >= &task.end_s,
            "{}: task {id} received before it ended",
            v.name
        );
    }
    assert!(v.wall_s >= v.received_s.iter().copied().fold(0.0, f64::max));
}

/// Results came back in submission order: 0, 1, 2, ...
pub fn assert_submission_order(v: &Variant) {
    assert_eq!(
        v.received,
        (0..v.received.len()).collect::<Vec<_>>(),
        "{}: expected submission order",
        v.name
    );
}

/// Results came back in the order their tasks finished.
pub fn assert_completion_order(v: &Variant) {
    let ends: Vec<f64> = v
        .received
        .iter()
        .map(|id| v.task(*id).expect("received ids have tasks").end_s)
        .collect();
    assert!(
        ends.windows(2).all(|w| w[0] <= w[1]),
        "{}: received {:?} but tasks ended at {ends:?}",
        v.name,
        v.received
    );
}

/// Every task began within `within_s` of the first. Where jobs of different lengths all
/// start at once they finish shortest first; a pool whose workers come up apart (each a
/// fresh interpreter under spawn or forkserver, a `ProcessPoolExecutor` starting them on
/// demand) starts them apart, and the finishing order is then theirs.
pub fn started_together(v: &Variant, within_s: f64) -> bool {
    let starts = v.tasks.iter().map(|t| t.start_s);
    let (first, last) = starts.fold((f64::INFINITY, 0.0_f64), |(lo, hi), s| {
        (lo.min(s), hi.max(s))
    });
    last - first < within_s
}

/// The ids of the tasks sorted by when they finished.
pub fn finish_order(v: &Variant) -> Vec<usize> {
    let mut tasks: Vec<_> = v.tasks.iter().collect();
    tasks.sort_by(|a, b| a.end_s.total_cmp(&b.end_s));
    tasks.iter().map(|t| t.id).collect()
}

/// A figure the variant must report, by its key.
pub fn figure(v: &Variant, key: &str) -> f64 {
    *v.figures
        .get(key)
        .unwrap_or_else(|| panic!("{}: no figure `{key}`", v.name))
}

/// A count the variant must report, by its key, as a whole number.
pub fn count(v: &Variant, key: &str) -> u64 {
    let value = figure(v, key);
    assert!(
        value >= 0.0 && value.fract() == 0.0,
        "{}: {key} is {value}, not a count",
        v.name
    );
    value as u64
}

/// Send `signal` (`TERM`, `INT`...) to `pid`.
pub fn kill(pid: u32, signal: &str) {
    let status = Command::new("kill")
        .args([format!("-{signal}"), pid.to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success(), "kill -{signal} {pid}");
}

/// The processes whose parent is `pid` (from /proc).
pub fn children(pid: u32) -> Vec<u32> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| {
        let e = e.ok()?;
        let child: u32 = e.file_name().to_str()?.parse().ok()?;
        let stat = std::fs::read_to_string(e.path().join("stat")).ok()?;
        let ppid: u32 = stat
            .rsplit(')')
            .next()?
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()?;
        (ppid == pid).then_some(child)
    })
    .collect()
}

/// Exited (or a zombie waiting to be reaped).
pub fn gone(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).map_or(true, |s| {
        s.rsplit(')')
            .next()
            .is_some_and(|r| r.trim_start().starts_with('Z'))
    })
}

/// Wait, at most 10 s, until every process in `children` has exited.
pub fn assert_children_gone(children: &[u32], what: &str) {
    let until = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !children.iter().all(|&c| gone(c)) {
        assert!(
            std::time::Instant::now() < until,
            "{what}: children {children:?} left behind"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// Compile each `(file, message)` of `src/{dir}` alone with rustc, which must refuse
/// it with `message` in what it says. (`compile_fail` doctests check only that
/// compilation fails, not why.)
pub fn assert_refused_by_rustc(dir: &str, programs: &[(&str, &str)]) {
    let out_dir = std::env::temp_dir().join(format!(
        "cpairs-{}-{}",
        dir.replace('/', "-"),
        std::process::id()
    ));
    for (file, message) in programs {
        let path = root().join("src").join(dir).join(file);
        let output = Command::new("rustc")
            .args(["--edition", "2024", "--emit=metadata"])
            .arg("--out-dir")
            .arg(&out_dir)
            .arg(&path)
            .output()
            .expect("rustc runs");
        assert!(!output.status.success(), "{} compiled", path.display());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(message),
            "{file}: expected `{message}`, got\n{stderr}"
        );
    }
    let _ = std::fs::remove_dir_all(&out_dir);
}

/// A child's stdout, line by line, read on a thread of its own.
pub fn lines_of(
    stdout: std::process::ChildStdout,
) -> std::sync::mpsc::Receiver<String> {
    use std::io::{BufRead, BufReader};
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    rx
}

/// Lines up to (and including) the first containing `what`, within `bound`; kills the
/// child and fails if it does not come.
pub fn wait_for_line(
    child: &mut std::process::Child,
    rx: &std::sync::mpsc::Receiver<String>,
    seen: &mut Vec<String>,
    what: &str,
    bound: std::time::Duration,
) {
    let deadline = std::time::Instant::now() + bound;
    while std::time::Instant::now() < deadline {
        if let Ok(line) = rx.recv_timeout(std::time::Duration::from_millis(100)) {
            seen.push(line);
            if seen.last().is_some_and(|l| l.contains(what)) {
                return;
            }
        }
    }
    let _ = child.kill();
    panic!("no line with {what:?} in time; saw {seen:#?}");
}
