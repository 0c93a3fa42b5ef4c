//! Timing each task and printing the trace.
//!
//! A [`Recorder`] times one variant of an example. Workers wrap each unit of work with
//! [`Clock::span`] (or build a [`TaskSpan`] by hand), and the caller hands each span to
//! [`Recorder::receive`] at the moment it obtains the result, so the trace records the
//! order *and* the time at which results became available. [`Trace::finish`] prints either
//! the JSON object of `shared/TRACE.md` or a human summary with ratios.

use std::fmt::{self, Display};
use std::future::Future;
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Instant;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::cli::Options;

static HUMAN_TO_STDERR: AtomicBool = AtomicBool::new(false);

/// With `--json`, stdout carries only the trace: human text moves to stderr.
pub fn set_human_to_stderr(yes: bool) {
    HUMAN_TO_STDERR.store(yes, Ordering::Relaxed);
}

/// Print one line of human output (stdout, or stderr under `--json`).
pub fn say(args: fmt::Arguments<'_>) {
    // A closed pipe (`| head`) is not worth a panic: drop the line.
    if HUMAN_TO_STDERR.load(Ordering::Relaxed) {
        let _ = writeln!(io::stderr().lock(), "{args}");
    } else {
        let _ = writeln!(io::stdout().lock(), "{args}");
    }
}

/// `say!("...", args)`: a line of human output, see [`say`].
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => { $crate::trace::say(format_args!($($arg)*)) };
}

/// Seconds since a variant began. `Copy`, so every worker can carry one.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    origin: Instant,
}

impl Clock {
    pub fn start() -> Self {
        Clock {
            origin: Instant::now(),
        }
    }

    /// Seconds elapsed since the clock started.
    pub fn now(&self) -> f64 {
        self.origin.elapsed().as_secs_f64()
    }

    /// Run `work` on this thread and time it as task `id`, in this thread's lane.
    pub fn span<T>(&self, id: usize, work: impl FnOnce() -> T) -> (T, TaskSpan) {
        let start_s = self.now();
        let value = work();
        (value, TaskSpan::new(id, thread_lane(), start_s, self.now()))
    }

    /// Await `work` and time it as task `id` in the named lane (async tasks have no
    /// thread of their own: the lane names the task or the runtime).
    pub async fn span_async<F: Future>(
        &self,
        id: usize,
        lane: impl Into<String>,
        work: F,
    ) -> (F::Output, TaskSpan) {
        let start_s = self.now();
        let value = work.await;
        (value, TaskSpan::new(id, lane, start_s, self.now()))
    }
}

static NEXT_THREAD: AtomicUsize = AtomicUsize::new(0);
thread_local! {
    static THREAD_INDEX: usize = NEXT_THREAD.fetch_add(1, Ordering::Relaxed);
}

/// A stable, readable name for the current thread: its own name when that is already
/// unique (`main`, `rayon-2`), otherwise the name (or `thread`) plus a per-process index.
pub fn thread_lane() -> String {
    let current = std::thread::current();
    let index = THREAD_INDEX.with(|i| *i);
    match current.name() {
        Some(name) if name == "main" || name.ends_with(|c: char| c.is_ascii_digit()) => {
            name.to_owned()
        }
        Some(name) => format!("{name}-{index}"),
        None => format!("thread-{index}"),
    }
}

/// One unit of work: when and where it ran.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskSpan {
    /// Numbered from 0 in submission order.
    pub id: usize,
    /// Where it ran: a thread, a worker process, an async task, a runtime.
    pub lane: String,
    pub start_s: f64,
    pub end_s: f64,
    /// What sort of work, where a variant mixes sorts (`io` beside `cpu`, say).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

impl TaskSpan {
    pub fn new(id: usize, lane: impl Into<String>, start_s: f64, end_s: f64) -> Self {
        TaskSpan {
            id,
            lane: lane.into(),
            start_s,
            end_s,
            kind: None,
        }
    }

    pub fn with_kind(mut self, kind: &str) -> Self {
        self.kind = Some(kind.to_owned());
        self
    }
}

/// One side of a pair (or an extra variant), as it appears in the trace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Variant {
    pub name: String,
    pub uses: String,
    pub wall_s: f64,
    pub ideal_s: Option<f64>,
    pub tasks: Vec<TaskSpan>,
    /// Task ids in the order the caller obtained their results.
    pub received: Vec<usize>,
    /// When the caller obtained each of those results (parallel to `received`).
    #[serde(default)]
    pub received_s: Vec<f64>,
    /// Example-specific figures (peak concurrency, lost updates, latencies...).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Variant {
    /// Time until the caller held its first result.
    pub fn first_result_s(&self) -> Option<f64> {
        self.received_s.first().copied()
    }

    pub fn task(&self, id: usize) -> Option<&TaskSpan> {
        self.tasks.iter().find(|t| t.id == id)
    }
}

/// Records one variant while it runs, printing each result as it arrives.
#[derive(Debug)]
pub struct Recorder {
    clock: Clock,
    variant: Variant,
    /// With many results: print the first few, then a line per tenth of `expected`.
    quiet: Option<Quiet>,
}

#[derive(Debug, Clone, Copy)]
struct Quiet {
    first: usize,
    expected: usize,
    count: usize,
}

impl Recorder {
    /// Start the variant's clock now.
    pub fn new(name: &str, uses: &str) -> Self {
        say(format_args!("\n== {name} ({uses})"));
        Recorder {
            clock: Clock::start(),
            variant: Variant {
                name: name.to_owned(),
                uses: uses.to_owned(),
                wall_s: 0.0,
                ideal_s: None,
                tasks: Vec::new(),
                received: Vec::new(),
                received_s: Vec::new(),
                extra: Map::new(),
            },
            quiet: None,
        }
    }

    /// Many results are coming (`expected` of them): print the first `first` as usual,
    /// then one line each time another tenth of them is in, so the point stays on screen.
    pub fn quiet_after(&mut self, first: usize, expected: usize) {
        self.quiet = Some(Quiet {
            first,
            expected,
            count: 0,
        });
    }

    /// Count one result; `Some(line)` when it should be printed.
    fn should_print(&mut self, id: usize, what: impl Display) -> Option<String> {
        let line = |what: &dyn Display| format!("received task {id}: {what}");
        let Some(quiet) = self.quiet.as_mut() else {
            return Some(line(&what));
        };
        quiet.count += 1;
        let (count, expected) = (quiet.count, quiet.expected.max(1));
        if count <= quiet.first {
            Some(line(&what))
        } else if count * 10 / expected > (count - 1) * 10 / expected {
            Some(format!(
                "{count} of {expected} results in (last: task {id})"
            ))
        } else {
            None
        }
    }

    pub fn clock(&self) -> Clock {
        self.clock
    }

    /// The lower bound on this variant's wall time, for the workload on this machine.
    pub fn ideal(&mut self, seconds: f64) {
        self.variant.ideal_s = Some(seconds);
    }

    /// The caller now holds task `span.id`'s result: record when, and say so.
    pub fn receive(&mut self, span: TaskSpan, what: impl Display) {
        let id = span.id;
        let ran = format!(
            "ran {:.3}-{:.3}s on {}",
            span.start_s, span.end_s, span.lane
        );
        self.variant.tasks.push(span);
        self.receive_id(id, format_args!("{what}; {ran}"));
    }

    /// The caller now holds task `id`'s result, whose span was recorded separately.
    pub fn receive_id(&mut self, id: usize, what: impl Display) {
        let now = self.clock.now();
        self.variant.received.push(id);
        self.variant.received_s.push(now);
        if let Some(line) = self.should_print(id, what) {
            say(format_args!("[{now:7.3}s] {line}"));
        }
    }

    /// Record a unit of work whose result the caller does not collect.
    pub fn record(&mut self, span: TaskSpan) {
        self.variant.tasks.push(span);
    }

    /// Print a line of commentary, stamped with the variant's clock.
    pub fn say(&self, what: impl Display) {
        say(format_args!("[{:7.3}s] {what}", self.clock.now()));
    }

    /// Add an example-specific figure to the trace.
    pub fn note(&mut self, key: &str, value: impl Into<Value>) {
        self.variant.extra.insert(key.to_owned(), value.into());
    }

    /// Stop the clock.
    pub fn finish(mut self) -> Variant {
        self.variant.wall_s = self.clock.now();
        self.variant.tasks.sort_by_key(|t| t.id);
        say(format_args!(
            "[{:7.3}s] {} done",
            self.variant.wall_s, self.variant.name
        ));
        self.variant
    }
}

/// The whole trace of one run of an example.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trace {
    pub example: String,
    pub language: String,
    pub size: String,
    pub variants: Vec<Variant>,
}

impl Trace {
    pub fn new(example: &str, options: &Options) -> Self {
        Trace {
            example: example.to_owned(),
            language: "rust".to_owned(),
            size: options.size_label(),
            variants: Vec::new(),
        }
    }

    pub fn push(&mut self, variant: Variant) {
        self.variants.push(variant);
    }

    pub fn variant(&self, name: &str) -> Option<&Variant> {
        self.variants.iter().find(|v| v.name == name)
    }

    /// Print the trace: the JSON object under `--json`, otherwise a summary table.
    pub fn finish(self, options: &Options) {
        if options.json {
            let json = serde_json::to_string(&self).expect("a trace always serialises");
            let _ = writeln!(io::stdout().lock(), "{json}");
        } else {
            say(format_args!("\n{}", self.summary()));
        }
    }

    /// Wall time, ideal, ratio to ideal, time to first result and speed-up against the
    /// first variant, one row per variant.
    pub fn summary(&self) -> String {
        let base = self.variants.first().map(|v| v.wall_s);
        let width = self
            .variants
            .iter()
            .map(|v| v.name.len())
            .max()
            .unwrap_or(7)
            .max(7);
        let mut out = format!(
            "{:width$}  {:>8}  {:>8}  {:>7}  {:>12}  {}\n",
            "variant", "wall", "ideal", "x ideal", "first result", "speed-up vs first"
        );
        for v in &self.variants {
            let ideal = v.ideal_s.map_or("-".to_owned(), |i| format!("{i:.3}s"));
            let ratio = v
                .ideal_s
                .filter(|i| *i > 0.0)
                .map_or("-".to_owned(), |i| format!("{:.2}x", v.wall_s / i));
            let first = v
                .first_result_s()
                .map_or("-".to_owned(), |f| format!("{f:.3}s"));
            let speedup = base
                .filter(|_| v.wall_s > 0.0)
                .map_or("-".to_owned(), |b| format!("{:.2}x", b / v.wall_s));
            out += &format!(
                "{:width$}  {:>7.3}s  {ideal:>8}  {ratio:>7}  {first:>12}  {speedup}\n",
                v.name, v.wall_s
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recorder_keeps_receive_order_and_sorts_tasks_by_id() {
        let mut rec = Recorder::new("demo", "nothing");
        rec.receive(TaskSpan::new(1, "a", 0.0, 0.1), "one");
        rec.receive(TaskSpan::new(0, "b", 0.0, 0.2), "zero");
        rec.ideal(0.2);
        rec.note("peak", 2);
        let v = rec.finish();
        assert_eq!(v.received, vec![1, 0]);
        assert_eq!(v.received_s.len(), 2);
        assert!(v.received_s[0] <= v.received_s[1]);
        assert_eq!(v.tasks.iter().map(|t| t.id).collect::<Vec<_>>(), vec![0, 1]);
        assert!(v.wall_s >= v.received_s[1]);

        // The JSON has every field TRACE.md names, and extras at the variant's top level.
        let json = serde_json::to_value(&v).expect("serialises");
        for key in [
            "name", "uses", "wall_s", "ideal_s", "tasks", "received", "peak",
        ] {
            assert!(json.get(key).is_some(), "missing {key}");
        }
        let back: Variant = serde_json::from_value(json).expect("parses back");
        assert_eq!(back, v);
    }

    #[test]
    fn quiet_recorder_still_records_everything() {
        let mut rec = Recorder::new("demo", "nothing");
        rec.quiet_after(2, 20);
        let printed: Vec<bool> = (0..20)
            .map(|id| rec.should_print(id, "x").is_some())
            .collect();
        // The first two, then one per tenth (results 4, 6, ..., 20).
        assert_eq!(printed.iter().filter(|p| **p).count(), 2 + 9);
        for id in 0..3 {
            rec.receive_id(id, "x");
        }
        assert_eq!(rec.finish().received, [0, 1, 2]);
    }

    #[test]
    fn lanes_name_threads() {
        let lane = std::thread::Builder::new()
            .name("pool".into())
            .spawn(thread_lane)
            .expect("spawn")
            .join()
            .expect("join");
        assert!(lane.starts_with("pool-"), "{lane}");
        let named = std::thread::Builder::new()
            .name("rayon-3".into())
            .spawn(thread_lane)
            .expect("spawn")
            .join()
            .expect("join");
        assert_eq!(named, "rayon-3");
    }
}
