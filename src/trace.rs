//! The trace of one run: what `--json` prints (see `book/src/trace.md`).
//!
//! These are plain data, shared by the examples (which write them through `lab`),
//! the Python twins (which write the same JSON), the xtask and the tests (which read it).

use std::io::{self, Write};
use std::sync::atomic::{AtomicUsize, Ordering};

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize, Serializer};

use crate::cli::Options;
use crate::figures::{Derived, Figure, Found, RESERVED, Report};
use crate::out::say;
use crate::pattern::Pattern;

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
        Some(name)
            if name == "main" || name.ends_with(|c: char| c.is_ascii_digit()) =>
        {
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
    /// Which part of its task, numbered from 0, where a task runs in parts (the fibs of
    /// one `fib-multi`): every span of such a task has one, no two the same.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part: Option<usize>,
}

impl TaskSpan {
    pub fn new(id: usize, lane: impl Into<String>, start_s: f64, end_s: f64) -> Self {
        TaskSpan {
            id,
            lane: lane.into(),
            start_s,
            end_s,
            kind: None,
            part: None,
        }
    }

    pub fn with_kind(mut self, kind: &str) -> Self {
        self.kind = Some(kind.to_owned());
        self
    }

    /// Part `part` of its task (see [`TaskSpan::part`]).
    pub fn with_part(mut self, part: usize) -> Self {
        self.part = Some(part);
        self
    }
}

/// A moment in a variant that no span records: a cancel, a signal, a deadline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mark {
    /// What happened, in a word or two (`abort`, `SIGTERM`, `deadline`).
    pub label: String,
    /// When, in seconds since the variant began (like a span's times).
    pub at_s: f64,
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
    /// The moments no span records (a cancel, a signal, a deadline), in the order marked.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub marks: Vec<Mark>,
    /// The sizes of the jobs, where they differ (in the example's own units).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sizes: Option<Vec<u64>>,
    /// Each job's result, by task id, so a test can check every one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sums: Option<Vec<u64>>,
    /// The error a variant ran into on purpose, as the caller saw it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The example's own figures (lost updates, peak memory, ...), by the key its
    /// [`Figure`](crate::Figure) declares, in base units.
    #[serde(flatten, serialize_with = "whole_as_integers")]
    pub figures: BTreeMap<String, f64>,
}

/// Counts are whole numbers: write `4`, not `4.0` (any whole value, whatever its unit).
fn whole_as_integers<S: Serializer>(
    figures: &BTreeMap<String, f64>,
    s: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut map = s.serialize_map(Some(figures.len()))?;
    for (key, &x) in figures {
        if x.fract() == 0.0 && x.abs() < 9.0e15 {
            map.serialize_entry(key, &(x as i64))?;
        } else {
            map.serialize_entry(key, &x)?;
        }
    }
    map.end()
}

impl Variant {
    /// An empty variant, before anything ran.
    pub fn new(name: &str, uses: &str) -> Self {
        Variant {
            name: name.to_owned(),
            uses: uses.to_owned(),
            wall_s: 0.0,
            ideal_s: None,
            tasks: Vec::new(),
            received: Vec::new(),
            received_s: Vec::new(),
            marks: Vec::new(),
            sizes: None,
            sums: None,
            error: None,
            figures: BTreeMap::new(),
        }
    }

    /// Time until the caller held its first result.
    pub fn first_result_s(&self) -> Option<f64> {
        self.received_s.first().copied()
    }

    pub fn task(&self, id: usize) -> Option<&TaskSpan> {
        self.tasks.iter().find(|t| t.id == id)
    }

    /// When the caller obtained task `id`'s result.
    pub fn received_at(&self, id: usize) -> Option<f64> {
        let at = self.received.iter().position(|&r| r == id)?;
        self.received_s.get(at).copied()
    }
}

impl Variant {
    /// A derived figure of this variant, if the trace holds what it needs.
    pub fn derived(&self, derived: Derived) -> Option<f64> {
        let v = self;
        match derived {
            Derived::Wall => Some(v.wall_s),
            Derived::FirstResult => v.first_result_s(),
            Derived::OverIdeal => {
                v.ideal_s.filter(|i| *i > 0.0).map(|i| v.wall_s / i)
            }
            Derived::ReceivedAt(id) => v.received_at(id),
            Derived::Ended(id) => v.task(id).map(|t| t.end_s),
            Derived::Waited(id) => Some(v.received_at(id)? - v.task(id)?.end_s),
            Derived::PeakOverlap => peak_overlap(v.tasks.iter()),
            Derived::PeakOverlapOf(kind) => peak_overlap(v.of_kind(&kind)),
            Derived::FirstStart => v.tasks.iter().map(|t| t.start_s).reduce(f64::min),
            Derived::MostInFlight => {
                let most = v.received_s.iter().enumerate().map(|(taken, &at)| {
                    let done = v.tasks.iter().filter(|t| t.end_s <= at).count();
                    done.saturating_sub(taken + 1)
                });
                most.max().map(|n| n as f64)
            }
            Derived::OutOfOrder => {
                let misplaced =
                    v.received.iter().enumerate().filter(|(at, id)| at != *id);
                Some(misplaced.count() as f64)
            }
            Derived::Spans => Some(v.tasks.len() as f64),
            Derived::Lanes => {
                let lanes: std::collections::BTreeSet<&str> =
                    v.tasks.iter().map(|t| t.lane.as_str()).collect();
                (!lanes.is_empty()).then_some(lanes.len() as f64)
            }
            Derived::Received => Some(v.received.len() as f64),
            Derived::OfKind(kind) => Some(v.of_kind(&kind).count() as f64),
            Derived::Overrun { kind, nominal } => {
                let asked = *v.figures.get(nominal.0)?;
                let longest = v
                    .of_kind(&kind)
                    .map(|t| t.end_s - t.start_s)
                    .reduce(f64::max)?;
                Some((longest - asked).max(0.0))
            }
            Derived::Busy => {
                let start = v.tasks.iter().map(|t| t.start_s).reduce(f64::min)?;
                let end = v.tasks.iter().map(|t| t.end_s).reduce(f64::max)?;
                Some(end - start)
            }
        }
    }
}

/// The most spans that overlap at any instant (a span that ends exactly when another
/// starts does not overlap it).
fn peak_overlap<'a>(spans: impl Iterator<Item = &'a TaskSpan>) -> Option<f64> {
    let mut events: Vec<(f64, i64)> = spans
        .flat_map(|t| [(t.start_s, 1), (t.end_s, -1)])
        .collect();
    if events.is_empty() {
        return None;
    }
    // At equal times, ends (-1) sort before starts (+1).
    events.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let (mut now, mut most) = (0i64, 0i64);
    for (_, step) in events {
        now += step;
        most = most.max(now);
    }
    Some(most as f64)
}

impl Variant {
    /// The spans of one kind.
    pub fn of_kind<'a>(
        &'a self,
        kind: &'a str,
    ) -> impl Iterator<Item = &'a TaskSpan> {
        self.tasks
            .iter()
            .filter(move |t| t.kind.as_deref() == Some(kind))
    }

    /// A figure's value in this variant: computed from the trace, or as reported.
    pub fn value(&self, figure: &Figure) -> Option<f64> {
        match figure.derived {
            Some(d) => self.derived(d),
            None => self.figures.get(figure.key.0).copied(),
        }
    }

    /// Write what the lesson found into this variant.
    pub fn record(&mut self, findings: impl Report) {
        for found in findings.findings() {
            match found {
                Found::Figure(key, value) => {
                    assert!(
                        !RESERVED.contains(&key),
                        "`{key}` is a trace field, not a figure"
                    );
                    self.figures.insert(key.to_owned(), value);
                }
                Found::Ideal(seconds) => self.ideal_s = Some(seconds),
                Found::Sums(sums) => self.sums = Some(sums),
                Found::Sizes(sizes) => self.sizes = Some(sizes),
                Found::Error(error) => self.error = Some(error),
            }
        }
    }
}

/// The whole trace of one run of an example.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trace {
    pub example: String,
    pub language: String,
    pub size: String,
    /// A Python twin's interpreter version (`3.12.1`); none for Rust.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub python: Option<String>,
    /// A Python twin's `multiprocessing` start method (fork, forkserver or spawn).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_method: Option<String>,
    pub variants: Vec<Variant>,
    /// `--variant NAME`: only that one runs.
    #[serde(skip)]
    pub(crate) only: Option<String>,
    /// The pattern whose variants run (`Trace::run` finds a variant's `uses` there).
    #[serde(skip)]
    pub(crate) pattern: Option<Pattern>,
}

impl Trace {
    /// An empty trace of `pattern`, run with `options`.
    pub fn new(pattern: &Pattern, options: &Options) -> Self {
        Trace {
            example: pattern.name.0.to_owned(),
            language: "rust".to_owned(),
            size: options.size_label(),
            python: None,
            start_method: None,
            variants: Vec::new(),
            only: options.variant.clone(),
            pattern: Some(*pattern),
        }
    }

    /// An empty trace of a run of `n` tasks, whether or not `--tasks` set it (where the
    /// two languages' defaults differ, the trace names the count).
    pub fn sized(pattern: &Pattern, options: &Options, n: usize) -> Self {
        Trace {
            size: n.to_string(),
            ..Trace::new(pattern, options)
        }
    }

    pub fn push(&mut self, variant: Variant) {
        self.variants.push(variant);
    }

    pub fn variant(&self, name: &str) -> Option<&Variant> {
        self.variants.iter().find(|v| v.name == name)
    }

    /// The least one unit of CPU work cost in this run: `calibrated` (measured before
    /// the variants ran), or any span of CPU work whose size its variant reports (in
    /// `sizes`, by task id), whichever is less. The machine's speed drifts, so a rate
    /// calibrated in a slow moment would make an ideal a run can beat; this one cannot.
    pub fn fastest_per_unit(&self, calibrated: f64) -> f64 {
        let mut best = calibrated;
        for v in &self.variants {
            let Some(sizes) = &v.sizes else { continue };
            let cpu = v
                .tasks
                .iter()
                .filter(|t| t.kind.is_none() || t.kind.as_deref() == Some("cpu"));
            for t in cpu {
                if let Some(&n) = sizes.get(t.id).filter(|&&n| n > 0) {
                    best = best.min((t.end_s - t.start_s) / n as f64);
                }
            }
        }
        best
    }

    /// Set each variant's ideal to `ideal(variant, per_unit)`, where `per_unit` is
    /// [`Trace::fastest_per_unit`]`(calibrated)`, once every variant has run; `None`
    /// leaves a variant's ideal as it was.
    pub fn set_ideals_from_rate(
        &mut self,
        calibrated: f64,
        ideal: impl Fn(&Variant, f64) -> Option<f64>,
    ) {
        let per_unit = self.fastest_per_unit(calibrated);
        for v in &mut self.variants {
            if let Some(seconds) = ideal(v, per_unit) {
                v.ideal_s = Some(seconds);
            }
        }
    }

    /// The same lower bound for every variant that ran.
    pub fn set_ideal(&mut self, seconds: f64) {
        for v in &mut self.variants {
            v.ideal_s = Some(seconds);
        }
    }

    /// Print the trace: the JSON object under `--json`, otherwise a summary table.
    pub fn finish(self, options: &Options) {
        if options.json {
            let json =
                serde_json::to_string(&self).expect("a trace always serialises");
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
            "variant",
            "wall",
            "ideal",
            "x ideal",
            "first result",
            "speed-up vs first"
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
    use crate::figures::{common, ideal};

    #[test]
    fn variants_round_trip_with_every_trace_field() {
        let mut v = Variant::new("demo", "nothing");
        v.tasks.push(TaskSpan::new(0, "a", 0.0, 0.1));
        v.received = vec![0];
        v.received_s = vec![0.1];
        v.marks.push(Mark {
            label: "abort".into(),
            at_s: 0.05,
        });
        v.figures.insert("peak_concurrency".into(), 2.0);
        let json = serde_json::to_value(&v).expect("serialises");
        for key in [
            "name",
            "uses",
            "wall_s",
            "ideal_s",
            "tasks",
            "received",
            "marks",
            "peak_concurrency",
        ] {
            assert!(json.get(key).is_some(), "missing {key}");
        }
        let back: Variant = serde_json::from_value(json).expect("parses back");
        assert_eq!(back, v);
        assert_eq!(back.received_at(0), Some(0.1));
    }

    #[test]
    fn marks_are_left_out_when_there_are_none_and_old_traces_parse() {
        let v = Variant::new("demo", "nothing");
        let json = serde_json::to_value(&v).expect("serialises");
        assert!(json.get("marks").is_none(), "{json}");
        let old = r#"{"name": "x", "uses": "y", "wall_s": 1.0, "ideal_s": null,
            "tasks": [], "received": [], "lost_updates": 2}"#;
        let back: Variant = serde_json::from_str(old).expect("a trace without marks");
        assert!(back.marks.is_empty());
        assert_eq!(back.figures["lost_updates"], 2.0);
        let marked = r#"{"name": "x", "uses": "y", "wall_s": 1.0, "ideal_s": null,
            "tasks": [], "received": [], "marks": [{"label": "SIGTERM", "at_s": 0.3}]}"#;
        let back: Variant =
            serde_json::from_str(marked).expect("a trace with a mark");
        assert_eq!(back.marks[0].label, "SIGTERM");
        assert!(back.figures.is_empty(), "a mark is not a figure");
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

    #[test]
    fn ideals_use_the_fastest_rate_the_run_saw() {
        let mut fast = Variant::new("fast", "nothing");
        fast.sizes = Some(vec![10, 10]);
        fast.tasks = vec![
            TaskSpan::new(0, "a", 0.0, 0.1),
            TaskSpan::new(1, "b", 0.0, 0.05),
            TaskSpan::new(1, "b", 0.0, 0.001).with_kind("io"), // not CPU work
        ];
        let mut counter = Variant::new("count", "nothing");
        counter.tasks = vec![TaskSpan::new(0, "a", 0.0, 0.0)];
        let mut trace = Trace {
            example: "demo".into(),
            language: "rust".into(),
            size: "default".into(),
            python: None,
            start_method: None,
            variants: vec![fast, counter],
            only: None,
            pattern: None,
        };
        // A span ran faster than the calibration: its rate wins; a faster calibration
        // wins over the spans.
        assert!((trace.fastest_per_unit(0.01) - 0.005).abs() < 1e-12);
        assert_eq!(trace.fastest_per_unit(0.001), 0.001);
        trace.set_ideals_from_rate(0.01, |v, per_unit| {
            v.sizes
                .as_ref()
                .map(|s| s.iter().sum::<u64>() as f64 * per_unit)
        });
        assert!((trace.variants[0].ideal_s.expect("set") - 0.1).abs() < 1e-12);
        assert_eq!(trace.variants[1].ideal_s, None, "left as it was");
    }

    const LOST: Figure = Figure::count("lost_updates", "lost updates");

    #[test]
    fn findings_are_recorded_by_key_and_read_back() {
        let mut v = Variant::new("demo", "nothing");
        v.record([LOST.of(3usize), ideal(0.5), Found::Sums(vec![1, 2])]);
        assert_eq!(v.value(&LOST), Some(3.0));
        assert_eq!(v.ideal_s, Some(0.5));
        let json = serde_json::to_value(&v).expect("serialises");
        assert_eq!(json["lost_updates"], 3);
        assert_eq!(json["sums"], serde_json::json!([1, 2]));
        let back: Variant = serde_json::from_value(json).expect("parses");
        assert_eq!(back, v);
    }

    #[test]
    fn derived_figures_follow_from_the_spans() {
        let mut v = Variant::new("demo", "nothing");
        v.tasks = vec![
            TaskSpan::new(0, "a", 0.0, 0.2),
            TaskSpan::new(1, "b", 0.1, 0.3),
            TaskSpan::new(2, "a", 0.3, 0.4),
        ];
        (v.received, v.received_s, v.wall_s) = (vec![1, 0], vec![0.3, 0.5], 0.6);
        v.ideal_s = Some(0.4);
        assert_eq!(v.derived(Derived::PeakOverlap), Some(2.0));
        assert_eq!(v.derived(Derived::Lanes), Some(2.0));
        assert_eq!(v.derived(Derived::FirstStart), Some(0.0));
        assert_eq!(v.derived(Derived::OutOfOrder), Some(2.0));
        // At 0.3 s tasks 0 and 1 are done and one is taken; at 0.5, two done, two taken.
        assert_eq!(v.derived(Derived::MostInFlight), Some(1.0));
        assert_eq!(v.derived(Derived::Received), Some(2.0));
        assert!((v.derived(Derived::Busy).expect("spans") - 0.4).abs() < 1e-9);
        assert_eq!(v.derived(Derived::FirstResult), Some(0.3));
        let waited = v
            .derived(Derived::Waited(0))
            .expect("task 0 ran and arrived");
        assert!((waited - 0.3).abs() < 1e-9);
        assert_eq!(v.derived(Derived::Waited(2)), None);
        assert!(
            (v.derived(Derived::OverIdeal).expect("has an ideal") - 1.5).abs() < 1e-9
        );
        assert_eq!(v.value(&common::WALL), Some(0.6));
    }
}
