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
use concurrency_pairs::{Cli, Trace, Variant, lab::note, say, task, task_async};
use num_bigint::BigUint;
use tokio::sync::oneshot;
use tokio::time::{sleep, timeout};
use tokio_util::sync::CancellationToken;

/// A fib's result, and how long after the request to stop it stopped.
type Run = (Result<BigUint, Cancelled>, Duration);
/// What `Trace::run` gives back: the lesson's value and its record, unless not run.
type Ran<'a, T> = Option<(T, &'a mut Variant)>;

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
fn stops(run: Ran<'_, Vec<Run>>, n: u64, check: impl Fn() -> bool) -> Option<&mut Variant> {
    let (runs, v) = run?;
    let mut secs: Vec<f64> = runs.iter().map(|(_, d)| d.as_secs_f64()).collect();
    secs.sort_by(f64::total_cmp);
    let (median, worst, count) = (secs[secs.len() / 2], secs[secs.len() - 1], secs.len());
    let done = |(r, _): &Run| r.as_ref().map_or_else(|c| c.step, |_| n) as f64;
    let f = &mut v.figures;
    (f.stop_median_s, f.stop_worst_s) = (Some(median), Some(worst));
    (f.cancels, f.steps) = (Some(count as f64), Some(n as f64));
    f.steps_done = runs.iter().map(done).reduce(f64::max);
    f.cancelled = Some(runs.iter().filter(|(r, _)| r.is_err()).count() as f64);
    let (median, worst) = (median * 1e6, worst * 1e6);
    say!("  {count} cancels: stopped in {median:.1} µs (median), {worst:.1} µs (worst)");
    // What a check costs, over many checks, and fib's slowdown with one every step.
    let (checks, n) = (10_000_000, n / 5);
    let timed = |f: &dyn Fn()| {
        let start = Instant::now();
        f();
        start.elapsed().as_secs_f64()
    };
    let count = || _ = black_box((0..checks).filter(|_| black_box(check())).count());
    let per_check = timed(&count) / checks as f64;
    let slowdown = timed(&|| _ = fib(n, &check)) / timed(&|| _ = fib(n, || false));
    (v.figures.check_s, v.figures.slowdown) = (Some(per_check), Some(slowdown));
    let ns = per_check * 1e9;
    say!("  one check: {ns:.2} ns; fib with a check every step: {slowdown:.3}x as slow");
    Some(v)
}

/// One job that ran to its end `late` after it was asked to stop.
fn ran_on(run: Ran<'_, Duration>, n: u64) {
    let Some((late, v)) = run else { return };
    let late = late.as_secs_f64();
    say!("  the fib ran to its end {late:.3} s after it was asked to stop");
    let f = &mut v.figures;
    (f.stop_median_s, f.stop_worst_s, f.cancels) = (Some(late), Some(late), Some(1.0));
    (f.ran_to_end, f.steps, f.steps_done) = (Some(1.0), Some(n as f64), Some(n as f64));
}

const CLI: Cli = Cli::new(
    "cancel",
    "abort stops async tasks, not running CPU work; checks do",
)
.with_variants(&[
    "abort-async",
    "abort-cpu-loop",
    "abort-spawn-blocking",
    "abort-rayon",
    "cooperative-flag",
    "cancellation-token",
    "shutdown-timeout",
]);
const ABORTED: [(&str, &str, Where); 3] = [
    (
        "abort-cpu-loop",
        "tokio::spawn, no .await, + abort",
        Where::CpuLoop,
    ),
    (
        "abort-spawn-blocking",
        "spawn_blocking + abort",
        Where::SpawnBlocking,
    ),
    (
        "abort-rayon",
        "rayon::spawn, its tokio task aborted",
        Where::Rayon,
    ),
];
/// fib's steps (a debug build does a fifth) and the cancels timed.
const DEFAULT: (u64, usize) = (500_000, 100);
const FULL: (u64, usize) = (1_000_000, 1000);

fn main() {
    let options = CLI.parse();
    let (n, cancels) = if options.full { FULL } else { DEFAULT };
    let n = if cfg!(debug_assertions) { n / 5 } else { n };
    let rt = tokio::runtime::Runtime::new().expect("a tokio runtime starts");
    let mut trace = Trace::new("cancel", &options);
    let (uses, lesson) = ("tokio::spawn + abort", || rt.block_on(abort_async()));
    if let Some(((at_abort, later), v)) = trace.run("abort-async", uses, lesson) {
        say!("  ticks when aborted: {at_abort}; 50 ms later: {later}");
        let f = &mut v.figures;
        (f.ticks_at_abort, f.ticks_after) = (Some(at_abort as f64), Some(later as f64));
    }
    for (name, uses, place) in ABORTED {
        let lesson = || rt.block_on(task_async(0, abort_running_job(place, n)));
        ran_on(trace.run(name, uses, lesson), n);
    }
    let after = Duration::from_millis(2);
    let uses = "Arc<AtomicBool> checked every step";
    let lesson = || Vec::from_iter((0..cancels).map(|_| cancel_with_flag(n, after)));
    let flag = AtomicBool::new(false);
    let check = || flag.load(Relaxed);
    stops(trace.run("cooperative-flag", uses, lesson), n, check);
    let uses = "CancellationToken + child_token, 2 jobs";
    let lesson = || Vec::from_iter((0..cancels / 2).flat_map(|_| cancel_with_token(n, 2, after)));
    let token = CancellationToken::new().child_token();
    let check = || token.is_cancelled();
    if let Some(v) = stops(trace.run("cancellation-token", uses, lesson), n, check) {
        v.figures.children_cancelled = v.figures.cancelled;
    }
    let uses = "Runtime::shutdown_timeout";
    let lesson = || task(0, || shutdown_leaves_blocking_work(n));
    ran_on(trace.run("shutdown-timeout", uses, lesson), n);
    trace.finish(&options);
}
