//! # `cancel`: stopping work that is already running
//!
//! Python: `Future.cancel()` on a running `ProcessPoolExecutor` job returns `False`, and the
//! job runs to its end; a plain `multiprocessing.Event`, the flag one would pass instead,
//! cannot even be submitted. Twin: `python/cancel.py`. Chapter: "cancel" (what does stop a
//! running job is its second half, the `cancel_cooperative` example).
//!
//! Run: `cargo run --release --example cancel` (`--full`: a longer fib; `--json`: the
//! trace; `--variant NAME`: one variant). A debug build does a fifth.
//!
//! Watch: `abort-async`'s ticks freeze at the abort, and its task is gone at once;
//! `abort-cpu-loop`, `-spawn-blocking` and `-rayon` say "ran to its end" most of a second
//! after it.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::{sync::Arc, time::Duration, time::Instant};

use concurrency_pairs::lab::{self, task_async_or_cancelled};
use concurrency_pairs::work::fib;
use concurrency_pairs::{
    Figure, Found, Headline, Pattern, Table, Trace, VariantInfo, say, task_async,
};
use tokio::sync::oneshot;
use tokio::time::{sleep, timeout};

/// The job `abort` is tried on: a fib nobody can stop; gives the instant it ended.
fn job(n: u64) -> Instant {
    let _ = fib(n, || false);
    Instant::now()
}

// ANCHOR: abort_async
/// An async loop that awaits on every turn: `abort` takes effect at its next
/// `.await`. Gives how long after the abort the task was gone, and the tick count
/// then and 50 ms later (the same: it has stopped).
async fn abort_async() -> (Duration, u64, u64) {
    let ticks = Arc::new(AtomicU64::new(0));
    let counter = ticks.clone();
    let handle = tokio::spawn(task_async_or_cancelled(0, async move {
        loop {
            counter.fetch_add(1, Relaxed);
            sleep(Duration::from_millis(1)).await;
        }
    }));
    sleep(Duration::from_millis(50)).await;
    handle.abort();
    lab::mark("abort");
    let aborted = Instant::now();
    let _ = handle.await; // Err(JoinError::Cancelled): dropped at its `.await`
    let gone = aborted.elapsed();
    let at_abort = ticks.load(Relaxed);
    sleep(Duration::from_millis(50)).await;
    (gone, at_abort, ticks.load(Relaxed))
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
    lab::mark("abort");
    let aborted = Instant::now();
    let ended = timeout(Duration::from_secs(120), ended)
        .await
        .expect("bounded");
    let ended = ended.expect("the fib ran to its end despite abort");
    ended.saturating_duration_since(aborted)
}
// ANCHOR_END: abort_not_stopping

/// One job that ran to its end `late` after it was aborted.
fn ran_on(late: Duration) -> [Found; 2] {
    let secs = late.as_secs_f64();
    say!("  the fib ran to its end {secs:.3} s after the abort");
    [STOPPED.of(late), RAN_TO_END.of(1)]
}

const STOPPED: Figure = Figure::seconds("stopped_after_s", "abort → work stopped");
const TICKS_AT_ABORT: Figure = Figure::count("ticks_at_abort", "ticks at abort");
const TICKS_AFTER: Figure = Figure::count("ticks_after", "ticks later");
const RAN_TO_END: Figure = Figure::count("ran_to_end", "ran to the end anyway");
const REFUSED: Figure = Figure::count("refused", "cancel refused");
const CANCELLED: Figure = Figure::count("cancelled", "cancelled");

const PATTERN: Pattern = Pattern::new(
    "cancel",
    "abort stops an async task at its next .await, not running CPU work; cancel() refuses it",
)
.variants(&[
    VariantInfo::rust("abort-async", "tokio::spawn + abort"),
    VariantInfo::rust("abort-cpu-loop", "tokio::spawn, no .await, + abort"),
    VariantInfo::rust("abort-spawn-blocking", "spawn_blocking + abort"),
    VariantInfo::rust("abort-rayon", "rayon::spawn, its tokio task aborted"),
    VariantInfo::python("future-cancel"),
    VariantInfo::python("plain-event"),
])
.headline(Headline::new(STOPPED, "abort-cpu-loop", "abort-async"))
.tables(&[
    Table::new(
        "Does abort stop a running job?",
        &[STOPPED, RAN_TO_END],
    ),
    Table::new(
        "Does an aborted async task stay stopped?",
        &[TICKS_AT_ABORT, TICKS_AFTER],
    ),
    Table::new(
        "Which of the pool's jobs does cancel() stop?",
        &[REFUSED, CANCELLED],
    ),
]);
const ABORTED: [(&str, Where); 3] = [
    ("abort-cpu-loop", Where::CpuLoop),
    ("abort-spawn-blocking", Where::SpawnBlocking),
    ("abort-rayon", Where::Rayon),
];
/// fib's steps (a debug build does a fifth).
const DEFAULT_STEPS: u64 = 500_000;
const FULL_STEPS: u64 = 1_000_000;

fn main() {
    let options = PATTERN.parse();
    let n = if options.full {
        FULL_STEPS
    } else {
        DEFAULT_STEPS
    };
    let n = if cfg!(debug_assertions) { n / 5 } else { n };
    let rt = tokio::runtime::Runtime::new().expect("a tokio runtime starts");
    let mut trace = Trace::new(&PATTERN, &options);
    trace.run("abort-async", || {
        let (gone, at_abort, later) = rt.block_on(abort_async());
        say!("  ticks when aborted: {at_abort}; 50 ms later: {later}");
        [
            STOPPED.of(gone),
            RAN_TO_END.of(0),
            TICKS_AT_ABORT.of(at_abort),
            TICKS_AFTER.of(later),
        ]
    });
    for (name, place) in ABORTED {
        trace.run(name, || {
            let late = rt.block_on(task_async(0, abort_running_job(place, n)));
            ran_on(late)
        });
    }
    trace.finish(&options);
}
