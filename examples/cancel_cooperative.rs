//! # `cancel_cooperative`: stopping running work by asking it to stop
//!
//! Python: `Future.cancel()` cannot stop a running job (the `cancel` example), so the
//! scheduler article (KitfuCoda part 4) passes a `Manager().Event()` to its big-integer
//! `fib` and checks it every step instead. Twin: `python/cancel_cooperative.py`. Chapter:
//! "cancel" in the book, its second half.
//!
//! Run: `cargo run --release --example cancel_cooperative` (`--full`: a longer fib, more
//! cancels; `--json`: the trace; `--variant NAME`: one variant). A debug build does a fifth.
//!
//! Watch: `cooperative-flag` and `cancellation-token` stop within a step of the request;
//! `shutdown-timeout` returns, and its fib runs on to its end.

use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::{hint::black_box, sync::Arc, thread, time::Duration, time::Instant};

use concurrency_pairs::work::{Cancelled, fib};
use concurrency_pairs::{
    Figure, Found, Headline, Pattern, Table, Trace, VariantInfo, given, lab,
    lab::note, say, task,
};
use num_bigint::BigUint;
use tokio_util::sync::CancellationToken;

/// A fib's result, and how long after the request to stop it stopped.
type Run = (Result<BigUint, Cancelled>, Duration);

// ANCHOR: cooperative_flag
/// The `Manager().Event()` workaround in one address space: an `AtomicBool` the fib
/// checks before every step. Gives the fib's result and how long it took to stop.
fn cancel_with_flag(n: u64, after: Duration) -> Run {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let job = thread::spawn(move || (fib(n, || flag.load(Relaxed)), Instant::now()));
    thread::sleep(after);
    let asked = Instant::now();
    stop.store(true, Relaxed);
    lab::mark("flag set");
    stopped(job, asked)
}

/// Join a fib's thread: its result, and how long after `asked` it ended.
fn stopped(
    job: thread::JoinHandle<(Result<BigUint, Cancelled>, Instant)>,
    asked: Instant,
) -> Run {
    let (result, ended) = job.join().expect("fib does not panic");
    (result, ended.saturating_duration_since(asked))
}
// ANCHOR_END: cooperative_flag

// ANCHOR: cancellation_token
/// tokio-util's `CancellationToken`: each job checks a child token of one parent;
/// cancelling the parent cancels every child.
fn cancel_with_token(n: u64, jobs: usize, after: Duration) -> Vec<Run> {
    let parent = CancellationToken::new();
    let spawn = |child: CancellationToken| {
        thread::spawn(move || (fib(n, || child.is_cancelled()), Instant::now()))
    };
    let handles: Vec<_> = (0..jobs).map(|_| spawn(parent.child_token())).collect();
    thread::sleep(after);
    let asked = Instant::now();
    parent.cancel();
    lab::mark("cancel");
    handles.into_iter().map(|job| stopped(job, asked)).collect()
}
// ANCHOR_END: cancellation_token

// ANCHOR: shutdown_timeout
/// `shutdown_timeout` gives up waiting for blocking work and returns; the work runs
/// on. Gives how long after shutdown returned the fib actually ended.
fn shutdown_leaves_blocking_work(n: u64) -> Duration {
    let rt = tokio::runtime::Runtime::new().expect("a tokio runtime starts");
    let (tx, ended) = std::sync::mpsc::channel();
    rt.spawn_blocking(move || {
        let _ = fib(n, || false); // checks nothing: nothing can stop it
        tx.send(Instant::now()).is_ok()
    });
    thread::sleep(Duration::from_millis(50));
    rt.shutdown_timeout(Duration::from_millis(100));
    lab::mark("shutdown returned");
    let returned = Instant::now();
    note("shutdown_timeout returned; the blocking fib runs on");
    let ended = ended
        .recv_timeout(Duration::from_secs(120))
        .expect("the fib ran on");
    ended.saturating_duration_since(returned)
}
// ANCHOR_END: shutdown_timeout

/// Stop times of many cancels (median, worst), how far the fibs got, what a check costs.
fn stops(runs: &[Run], n: u64, check: impl Fn() -> bool) -> Vec<Found> {
    let mut secs: Vec<f64> = runs.iter().map(|(_, d)| d.as_secs_f64()).collect();
    secs.sort_by(f64::total_cmp);
    let median = secs[secs.len() / 2];
    let worst = secs[secs.len() - 1];
    let done = |(r, _): &Run| r.as_ref().map_or_else(|c| c.step, |_| n);
    let most_done = runs.iter().map(done).max().unwrap_or(0);
    let count = secs.len();
    let median_us = median * 1e6;
    let worst_us = worst * 1e6;
    say!(
        "  {count} cancels: stopped in {median_us:.1} µs (median), {worst_us:.1} µs (worst)"
    );
    // What a check costs, over many checks, and fib's slowdown with one every step.
    let checks = 10_000_000;
    let timed = |f: &dyn Fn()| {
        let start = Instant::now();
        f();
        start.elapsed().as_secs_f64()
    };
    let count_checks =
        || _ = black_box((0..checks).filter(|_| black_box(check())).count());
    let per_check = timed(&count_checks) / checks as f64;
    let short = n / 5;
    let slowdown =
        timed(&|| _ = fib(short, &check)) / timed(&|| _ = fib(short, || false));
    let ns = per_check * 1e9;
    say!(
        "  one check: {ns:.2} ns; fib with a check every step: {slowdown:.3}x as slow"
    );
    vec![
        STOP_MEDIAN.of(median),
        STOP_WORST.of(worst),
        given("cancels", count),
        given("steps", n),
        STEPS_DONE.of(most_done),
        CANCELLED.of(runs.iter().filter(|(r, _)| r.is_err()).count()),
        CHECK.of(per_check),
        SLOWDOWN.of(slowdown),
    ]
}

/// The one job that ran to its end `late` after it was asked to stop.
fn ran_on(late: Duration, n: u64) -> [Found; 6] {
    let late = late.as_secs_f64();
    say!("  the fib ran to its end {late:.3} s after it was asked to stop");
    [
        STOP_MEDIAN.of(late),
        STOP_WORST.of(late),
        given("cancels", 1),
        RAN_TO_END.of(1),
        given("steps", n),
        STEPS_DONE.of(n),
    ]
}

const STOP_MEDIAN: Figure =
    Figure::seconds("stop_median_s", "cancel → stopped (median)");
const STOP_WORST: Figure =
    Figure::seconds("stop_worst_s", "cancel → stopped (worst)");
const STEPS_DONE: Figure = Figure::count("steps_done", "most steps done");
const CANCELLED: Figure = Figure::count("cancelled", "cancelled");
const RAN_TO_END: Figure = Figure::count("ran_to_end", "ran to the end anyway");
const CHECK: Figure = Figure::seconds("check_s", "per check");
const SLOWDOWN: Figure = Figure::ratio("slowdown", "slowdown with checks");

const PATTERN: Pattern = Pattern::new(
    "cancel_cooperative",
    "a flag or a token checked every step stops running work; shutdown_timeout does not",
)
.variants(&[
    VariantInfo::both("cooperative-flag", "Arc<AtomicBool> checked every step"),
    VariantInfo::rust(
        "cancellation-token",
        "CancellationToken + child_token, 2 jobs",
    ),
    VariantInfo::rust("shutdown-timeout", "Runtime::shutdown_timeout"),
])
.headline(Headline::new(
    STOP_MEDIAN,
    "cooperative-flag",
    "shutdown-timeout",
))
.tables(&[
    Table::new(
        "How soon after the request does the work stop?",
        &[STOP_MEDIAN, STOP_WORST, STEPS_DONE, CANCELLED],
    ),
    Table::new(
        "Does shutting the runtime down stop blocking work?",
        &[RAN_TO_END],
    ),
    Table::new("What does one check cost?", &[CHECK, SLOWDOWN]),
]);
/// fib's steps (a debug build does a fifth) and the cancels timed.
const DEFAULT: (u64, usize) = (500_000, 100);
const FULL: (u64, usize) = (1_000_000, 1000);

fn main() {
    let options = PATTERN.parse();
    let (n, cancels) = if options.full { FULL } else { DEFAULT };
    let n = if cfg!(debug_assertions) { n / 5 } else { n };
    let mut trace = Trace::new(&PATTERN, &options);
    let after = Duration::from_millis(2);
    let flag = AtomicBool::new(false);
    trace.run("cooperative-flag", || {
        let runs = Vec::from_iter((0..cancels).map(|_| cancel_with_flag(n, after)));
        stops(&runs, n, || flag.load(Relaxed))
    });
    let token = CancellationToken::new().child_token();
    trace.run("cancellation-token", || {
        let pairs = (0..cancels / 2).flat_map(|_| cancel_with_token(n, 2, after));
        let runs = Vec::from_iter(pairs);
        stops(&runs, n, || token.is_cancelled())
    });
    trace.run("shutdown-timeout", || {
        let late = task(0, || shutdown_leaves_blocking_work(n));
        ran_on(late, n)
    });
    trace.finish(&options);
}
