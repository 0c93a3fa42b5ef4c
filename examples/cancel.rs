//! # `cancel`: stopping work that is already running
//!
//! Python: `Future.cancel()` on a running `ProcessPoolExecutor` job returns `False`; the
//! scheduler article (KitfuCoda part 4) passes a `Manager().Event()` to its big-integer
//! `fib` and checks it every step instead. Twin: `python/cancel.py`. Chapter: "cancel".
//!
//! Run: `cargo run --release --example cancel` (`--full`: a longer fib, more cancels;
//! `--json`: the trace; `--variant NAME`: one variant). A debug build does a fifth.
//!
//! Watch: `abort-async`'s ticks freeze at the abort; `abort-cpu-loop`, `-spawn-blocking`
//! and `-rayon` say "ran to its end" most of a second after it; `cooperative-flag` and
//! `cancellation-token` stop within a step; `shutdown-timeout` returns, its fib runs on.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::{hint::black_box, sync::Arc, thread, time::Duration, time::Instant};

use concurrency_pairs::work::{Cancelled, fib};
use concurrency_pairs::{
    Figure, Found, Headline, Pattern, Table, Trace, VariantInfo, given, lab::note, say, task,
    task_async,
};
use num_bigint::BigUint;
use tokio::sync::oneshot;
use tokio::time::{sleep, timeout};
use tokio_util::sync::CancellationToken;

/// A fib's result, and how long after the request to stop it stopped.
type Run = (Result<BigUint, Cancelled>, Duration);

/// The job `abort` is tried on: a fib nobody can stop; gives the instant it ended.
fn job(n: u64) -> Instant {
    let _ = fib(n, || false);
    Instant::now()
}

// ANCHOR: abort_async
/// An async loop that awaits on every turn: `abort` takes effect at its next `.await`.
/// Gives the tick count when aborted, and 50 ms later (the same: it has stopped).
async fn abort_async() -> (u64, u64) {
    let ticks = Arc::new(AtomicU64::new(0));
    let counter = ticks.clone();
    let handle = tokio::spawn(async move {
        loop {
            counter.fetch_add(1, Relaxed);
            sleep(Duration::from_millis(1)).await;
        }
    });
    sleep(Duration::from_millis(50)).await;
    handle.abort();
    let _ = handle.await; // Err(JoinError::Cancelled): dropped at its `.await`
    let at_abort = ticks.load(Relaxed);
    sleep(Duration::from_millis(50)).await;
    (at_abort, ticks.load(Relaxed))
}
// ANCHOR_END: abort_async

// ANCHOR: abort_not_stopping
#[derive(Clone, Copy)]
enum Where {
    CpuLoop, // `tokio::spawn` of a future that never reaches an `.await`
    SpawnBlocking,
    Rayon, // `rayon::spawn`, awaited by a tokio task: that task is the one aborted
}

/// Start a fib, abort its handle 50 ms in, then wait for the instant the fib ended:
/// how long after the abort the work actually stopped.
async fn abort_running_job(place: Where, n: u64) -> Duration {
    let (tx, ended) = oneshot::channel();
    let work = move || tx.send(job(n)).is_ok();
    let handle = match place {
        Where::CpuLoop => tokio::spawn(async move { work() }),
        Where::SpawnBlocking => tokio::task::spawn_blocking(work),
        Where::Rayon => tokio::spawn(async move {
            let (done_tx, done) = oneshot::channel();
            rayon::spawn(move || _ = done_tx.send(work()));
            done.await.is_ok()
        }),
    };
    sleep(Duration::from_millis(50)).await;
    handle.abort();
    let aborted = Instant::now();
    let ended = timeout(Duration::from_secs(120), ended)
        .await
        .expect("bounded");
    let ended = ended.expect("the fib ran to its end despite abort");
    ended.saturating_duration_since(aborted)
}
// ANCHOR_END: abort_not_stopping

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
    stopped(job, asked)
}

/// Join a fib's thread: its result, and how long after `asked` it ended.
fn stopped(job: thread::JoinHandle<(Result<BigUint, Cancelled>, Instant)>, asked: Instant) -> Run {
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
    handles.into_iter().map(|job| stopped(job, asked)).collect()
}
// ANCHOR_END: cancellation_token

// ANCHOR: shutdown_timeout
/// `shutdown_timeout` gives up waiting for blocking work and returns; the work runs on.
/// Gives how long after shutdown returned the fib actually ended.
fn shutdown_leaves_blocking_work(n: u64) -> Duration {
    let rt = tokio::runtime::Runtime::new().expect("a tokio runtime starts");
    let (tx, ended) = std::sync::mpsc::channel();
    rt.spawn_blocking(move || tx.send(job(n)).is_ok());
    thread::sleep(Duration::from_millis(50));
    rt.shutdown_timeout(Duration::from_millis(100));
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
    say!("  {count} cancels: stopped in {median_us:.1} µs (median), {worst_us:.1} µs (worst)");
    // What a check costs, over many checks, and fib's slowdown with one every step.
    let checks = 10_000_000;
    let timed = |f: &dyn Fn()| {
        let start = Instant::now();
        f();
        start.elapsed().as_secs_f64()
    };
    let count_checks = || _ = black_box((0..checks).filter(|_| black_box(check())).count());
    let per_check = timed(&count_checks) / checks as f64;
    let short = n / 5;
    let slowdown = timed(&|| _ = fib(short, &check)) / timed(&|| _ = fib(short, || false));
    let ns = per_check * 1e9;
    say!("  one check: {ns:.2} ns; fib with a check every step: {slowdown:.3}x as slow");
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

/// One job that ran to its end `late` after it was asked to stop.
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

const STOP_MEDIAN: Figure = Figure::seconds("stop_median_s", "cancel → stopped (median)");
const STOP_WORST: Figure = Figure::seconds("stop_worst_s", "cancel → stopped (worst)");
const STEPS_DONE: Figure = Figure::count("steps_done", "most steps done");
const CANCELLED: Figure = Figure::count("cancelled", "cancelled");
const TICKS_AT_ABORT: Figure = Figure::count("ticks_at_abort", "ticks at abort");
const TICKS_AFTER: Figure = Figure::count("ticks_after", "ticks later");
const REFUSED: Figure = Figure::count("refused", "cancel refused");
const RAN_TO_END: Figure = Figure::count("ran_to_end", "ran to the end anyway");
const CHECK: Figure = Figure::seconds("check_s", "per check");
const SLOWDOWN: Figure = Figure::ratio("slowdown", "slowdown with checks");

const PATTERN: Pattern = Pattern::new(
    "cancel",
    "abort stops async tasks, not running CPU work; checks do",
)
.variants(&[
    VariantInfo::rust("abort-async", "tokio::spawn + abort"),
    VariantInfo::rust("abort-cpu-loop", "tokio::spawn, no .await, + abort"),
    VariantInfo::rust("abort-spawn-blocking", "spawn_blocking + abort"),
    VariantInfo::rust("abort-rayon", "rayon::spawn, its tokio task aborted"),
    VariantInfo::python("future-cancel"),
    VariantInfo::python("plain-event"),
    VariantInfo::both("cooperative-flag", "Arc<AtomicBool> checked every step"),
    VariantInfo::rust(
        "cancellation-token",
        "CancellationToken + child_token, 2 jobs",
    ),
    VariantInfo::rust("shutdown-timeout", "Runtime::shutdown_timeout"),
])
.headline(Headline::alone(STOP_MEDIAN, "cooperative-flag"))
.tables(&[
    Table::new(
        "Does abort or cancel() stop a running job?",
        &[TICKS_AT_ABORT, TICKS_AFTER, REFUSED, RAN_TO_END],
    ),
    Table::new(
        "How soon after the request does the work stop?",
        &[STOP_MEDIAN, STOP_WORST, STEPS_DONE, CANCELLED],
    ),
    Table::new("What does one check cost?", &[CHECK, SLOWDOWN]),
]);
const ABORTED: [(&str, Where); 3] = [
    ("abort-cpu-loop", Where::CpuLoop),
    ("abort-spawn-blocking", Where::SpawnBlocking),
    ("abort-rayon", Where::Rayon),
];
/// fib's steps (a debug build does a fifth) and the cancels timed.
const DEFAULT: (u64, usize) = (500_000, 100);
const FULL: (u64, usize) = (1_000_000, 1000);

fn main() {
    let options = PATTERN.parse();
    let (n, cancels) = if options.full { FULL } else { DEFAULT };
    let n = if cfg!(debug_assertions) { n / 5 } else { n };
    let rt = tokio::runtime::Runtime::new().expect("a tokio runtime starts");
    let mut trace = Trace::new(&PATTERN, &options);
    trace.run("abort-async", || {
        let (at_abort, later) = rt.block_on(abort_async());
        say!("  ticks when aborted: {at_abort}; 50 ms later: {later}");
        [TICKS_AT_ABORT.of(at_abort), TICKS_AFTER.of(later)]
    });
    for (name, place) in ABORTED {
        trace.run(name, || {
            let late = rt.block_on(task_async(0, abort_running_job(place, n)));
            ran_on(late, n)
        });
    }
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
