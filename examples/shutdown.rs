//! # `shutdown`: signals and graceful termination
//!
//! Python: the task scheduler of "Concurrency vs. Parallelism: Achieving Scalability with
//! ProcessPoolExecutor" (KitfuCoda, part 4): `loop.add_signal_handler` for SIGTERM, SIGHUP
//! and SIGINT sets an exit event every task, pool jobs included, checks and returns on.
//! Here: `tokio::signal::unix` streams, a `CancellationToken` (a child token per job), a
//! `TaskTracker` drained under a deadline, a second signal forcing the exit.
//! Twin: `python/shutdown.py`. Chapter: "shutdown" in the book.
//!
//! Run: `cargo run --release --example shutdown` (`--full`: longer jobs, `--json`: the
//! trace): each variant sends itself SIGTERM after 0.3 s. With `--wait-for-signal`, press
//! Ctrl-C once (a clean drain) or twice (a forced exit), or `kill -TERM`/`-HUP` its pid.
//!
//! Exit codes: 0 clean; 1 the deadline passed (jobs still running reported cancelled);
//! 128 + N a second signal N forced the exit (130 SIGINT, 143 SIGTERM, 129 SIGHUP).
//!
//! Watch: jobs done before the signal print `finished`, jobs in flight `cancelled`, once
//! each. In `deadline` job 5 is reported cancelled at the deadline, its late end not again.

use std::process::{self, Command};
use std::{sync::Arc, sync::Mutex, time::Duration, time::Instant};

use concurrency_pairs::{
    Figure, Headline, Pattern, Table, Trace, VariantInfo, arrived, given, lab,
    lab::note, lab::task_async_or_stopped, signals::Signals, work::cpu_work,
};
use tokio::time::{sleep, timeout};
use tokio_util::{sync::CancellationToken, task::TaskTracker};

/// One job: IO (a wait) or CPU work, how long, and how often a CPU job looks at its token.
#[derive(Debug, Clone, Copy)]
struct Job {
    cpu: bool,
    secs: f64,
    check_every: f64,
}

// ANCHOR: job
/// A job that returns early, `None`, once its token is cancelled.
async fn job(spec: Job, token: CancellationToken) -> Option<String> {
    if !spec.cpu {
        let nap = sleep(Duration::from_secs_f64(spec.secs));
        return tokio::select! { // an async wait gives way at once: race the token
            () = token.cancelled() => None,
            () = nap => Some(format!("slept {} s", spec.secs)),
        };
    }
    // A CPU loop cannot be interrupted: it looks at the token between slices.
    tokio::task::spawn_blocking(move || {
        let start = Instant::now();
        while start.elapsed().as_secs_f64() < spec.secs {
            if token.is_cancelled() {
                return None;
            }
            let slice = Instant::now();
            while slice.elapsed().as_secs_f64() < spec.check_every {
                cpu_work(10_000);
            }
        }
        Some(format!("{} s of CPU work", spec.secs))
    })
    .await
    .expect("a CPU job does not panic")
}
// ANCHOR_END: job

// ANCHOR: ledger
/// Each job's outcome is written exactly once: by the job when it ends, or as
/// cancelled by the shutdown when the job is not done in time. A late end is dropped.
#[derive(Clone)]
struct Ledger(Arc<Mutex<Vec<Option<bool>>>>);

impl Ledger {
    fn new(jobs: usize) -> Self {
        Ledger(Arc::new(Mutex::new(vec![None; jobs])))
    }

    fn settle(&self, id: usize, outcome: Option<String>) -> bool {
        let mut written = self.0.lock().expect("the ledger is never poisoned");
        if written[id].replace(outcome.is_some()).is_some() {
            return false;
        }
        let what = outcome.map_or("cancelled".into(), |r| format!("finished: {r}"));
        arrived(id, what);
        true
    }

    /// The jobs with nothing written yet, and how many finished.
    fn open(&self) -> (Vec<usize>, usize) {
        let written = self.0.lock().expect("the ledger is never poisoned");
        let open = (0..written.len()).filter(|&id| written[id].is_none());
        let finished = written.iter().filter(|w| **w == Some(true)).count();
        (open.collect(), finished)
    }
}
// ANCHOR_END: ledger

/// Exit code, jobs in flight at the signal, jobs finished, signal to all stopped (or deadline).
struct Report {
    code: i32,
    in_flight: usize,
    finished: usize,
    drain_s: f64,
}

// ANCHOR: serve
/// Run the jobs until a signal; then cancel them all and drain under a deadline. A
/// second signal ends the drain at once. The caller keeps `tracker` for stragglers.
async fn serve(
    jobs: &[Job],
    signals: &mut Signals,
    deadline: Duration,
    tracker: &TaskTracker,
) -> Report {
    let (token, ledger) = (CancellationToken::new(), Ledger::new(jobs.len()));
    for (id, &spec) in jobs.iter().enumerate() {
        let (token, ledger) = (token.child_token(), ledger.clone()); // one per job
        tracker.spawn(async move {
            let outcome = task_async_or_stopped(id, job(spec, token)).await;
            if !ledger.settle(id, outcome) {
                note(format_args!("job {id} ended late: already reported"));
            }
        });
    }
    tracker.close(); // no more jobs: `wait` may now return
    note(format_args!("ready: pid {}", process::id()));
    let (name, _) = tokio::select! {
        signal = signals.next() => signal,
        () = tracker.wait() => return Report {
            code: 0, in_flight: 0, finished: jobs.len(), drain_s: 0.0,
        },
    };
    let (signalled, in_flight) = (Instant::now(), ledger.open().0.len());
    lab::mark(name);
    note(format_args!("{name}: cancelling {in_flight} jobs"));
    token.cancel();
    let code = tokio::select! { // 0 drained, 1 deadline passed, or 128 + N
        drained = timeout(deadline, tracker.wait()) => i32::from(drained.is_err()),
        (name, number) = signals.next() => {
            note(format_args!("{name} again: forcing the exit"));
            128 + number // the shell's code for "killed by signal N"
        }
    };
    for id in ledger.open().0 {
        ledger.settle(id, None); // in flight at the deadline: said, not silently lost
    }
    Report {
        code,
        in_flight,
        finished: ledger.open().1,
        drain_s: signalled.elapsed().as_secs_f64(),
    }
}
// ANCHOR_END: serve

const IN_FLIGHT: Figure = Figure::count("in_flight", "in flight at signal");
const FINISHED: Figure = Figure::count("finished", "finished");
const CANCELLED: Figure = Figure::count("cancelled", "cancelled");
const DRAIN: Figure = Figure::seconds("drain_s", "signal to all stopped");
const EXIT_CODE: Figure = Figure::count("exit_code", "exit code");

const PATTERN: Pattern = Pattern::new(
    "shutdown",
    "a signal cancels every job, drained under a deadline; a second forces the exit",
)
.variants(&[
    VariantInfo::both("sigterm-drain", "CancellationToken + TaskTracker"),
    VariantInfo::both("deadline", "job 5 checks its token every 0.8 s"),
])
.headline(Headline::alone(DRAIN, "sigterm-drain"))
.tables(&[
    Table::new(
        "Is every job either finished or cancelled?",
        &[IN_FLIGHT, FINISHED, CANCELLED],
    ),
    Table::new(
        "How long does the drain take, and how does it end?",
        &[DRAIN, EXIT_CODE],
    ),
])
.with_switch("--wait-for-signal", "wait for Ctrl-C")
.with_own_signals();

/// Name, whether job 5 is stubborn, the drain deadline in seconds.
const VARIANTS: [(&str, bool, f64); 2] =
    [("sigterm-drain", false, 1.0), ("deadline", true, 0.2)];
/// How many jobs; the first ones' lengths in seconds (they end before the signal).
const JOBS: usize = 6;
const SHORT_S: [f64; 2] = [0.1, 0.2];

/// Jobs 0 and 1 end before the signal, the others run `long` s; a `stubborn` job 5 looks
/// at its token only every 0.8 s.
fn jobs(scale: f64, long: f64, stubborn: bool) -> Vec<Job> {
    let job = |i: usize| Job {
        cpu: i % 2 == 1,
        secs: scale * SHORT_S.get(i).copied().unwrap_or(long),
        check_every: scale * if stubborn && i == 5 { 0.8 } else { 0.01 },
    };
    (0..JOBS).map(job).collect()
}

/// One run on a fresh runtime; SIGTERM to itself after `self_signal_after` s, if given.
fn run(jobs: &[Job], self_signal_after: Option<f64>, deadline: Duration) -> Report {
    let rt = tokio::runtime::Runtime::new().expect("a tokio runtime starts");
    rt.block_on(async {
        let mut signals = Signals::listen();
        if let Some(after) = self_signal_after {
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_secs_f64(after));
                let pid = process::id().to_string();
                let status = Command::new("kill").args(["-TERM", &pid]).status();
                assert!(status.is_ok_and(|s| s.success()), "kill -TERM {pid} failed");
            });
        }
        let tracker = TaskTracker::new();
        let report = serve(jobs, &mut signals, deadline, &tracker).await;
        if self_signal_after.is_none() && report.code != 0 {
            process::exit(report.code); // do not wait for jobs that ignore us
        }
        tracker.wait().await; // a straggler's late end, shown on the timeline
        report
    })
}

fn main() {
    let options = PATTERN.parse();
    if options.switch {
        let wait = || run(&jobs(2.5, 12.0, true), None, Duration::from_secs(5)).code;
        process::exit(lab::variant("wait-for-signal", "you", wait).0);
    }
    let scale = if options.full { 3.0 } else { 1.0 };
    let mut trace = Trace::new(&PATTERN, &options);
    for (name, stubborn, deadline) in VARIANTS {
        let deadline = Duration::from_secs_f64(deadline * scale);
        let jobs = jobs(scale, 1.5, stubborn);
        trace.run(name, || {
            let report = run(&jobs, Some(0.3 * scale), deadline); // SIGTERM mid-run
            [
                IN_FLIGHT.of(report.in_flight),
                FINISHED.of(report.finished),
                CANCELLED.of(jobs.len() - report.finished),
                DRAIN.of(report.drain_s),
                EXIT_CODE.of(report.code),
                given("jobs", jobs.len()),
                given("short_jobs", SHORT_S.len()),
            ]
        });
    }
    trace.finish(&options);
}
