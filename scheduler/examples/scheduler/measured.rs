//! `--measure` and `--json`: the scheduler driven by a script instead of a person, so the
//! timing tool can measure it. Every variant runs the real scheduler (the same `submit`,
//! `kill` and `shutdown` the REPL calls) against the embedded dex service.
//!
//! - `dex-idle`, `dex-busy`: dex requests sent on a fixed schedule, with nothing else
//!   running, then while `fib-multi` keeps every core busy on the pool. A request's latency
//!   runs from when the schedule meant to send it to when its task held the answer.
//! - `dex-naive`: the same while the fibs run on the runtime's own threads (inside async
//!   tasks, one per core): the mistake the pool avoids.
//! - `kill`: a running `fib` killed, many times: how long until it stopped.
//! - `session`: a scripted session for the timeline: dex, fib, fib-multi, a kill, and
//!   the shutdown arriving while a `fib-multi` still runs.

use std::future::Future;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use concurrency_pairs::lab::{Task, note};
use concurrency_pairs::work::fib;
use concurrency_pairs::{Found, Options, Trace, given, say};
use scheduler::command::MAX_FIB;
use scheduler::{Job, Print, Scheduler, State, dex};
use tokio::time::sleep;

use crate::Args;
use crate::pattern::{
    CANCELLED, CANCELS, FINISHED, KILLED, LATENCY_MEDIAN, LATENCY_P99, PATTERN,
    REQUESTS, SERVICE_DELAY, STOP_MEDIAN, STOP_WORST,
};

/// The Pokémon the requests cycle through.
const NAMES: &[&str] =
    &["pikachu", "eevee", "snorlax", "gengar", "psyduck", "mewtwo"];

/// How far apart the requests are sent.
const EVERY: Duration = Duration::from_millis(10);
/// The N of the fibs that run on the runtime's own threads in `dex-naive`.
const NAIVE_N: u64 = 300_000;

pub fn run(args: &Args) -> ExitCode {
    let names = PATTERN.names(false);
    if let Some(name) = args.variant.as_deref().filter(|v| !names.contains(v)) {
        eprintln!(
            "scheduler: unknown variant `{name}` (known: {})",
            names.join(", ")
        );
        return ExitCode::from(2);
    }
    let options = Options {
        json: args.json,
        full: args.full,
        variant: args.variant.clone(),
        ..Options::default()
    };
    concurrency_pairs::out::set_human_to_stderr(options.json);
    let (requests, kill_count) = if args.full { (500, 50) } else { (100, 10) };
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let delay = Duration::from_millis(args.delay_ms);
    let workers = usize::from(args.workers);
    let mut trace = Trace::new(&PATTERN, &options);

    for (name, busy) in [
        ("dex-idle", None),
        ("dex-busy", Some(Busy::Pool(vec![MAX_FIB; cores]))),
        ("dex-naive", Some(Busy::OnRuntime(vec![NAIVE_N; cores]))),
    ] {
        let lesson = on(dex_while(busy, requests, delay, workers));
        trace.run(name, || latency_figures(&lesson(), delay));
    }
    let lesson = on(kills(kill_count, delay, workers));
    trace.run("kill", || {
        let mut stops = lesson();
        stops.sort();
        let mut found = vec![CANCELS.of(stops.len()), given("kills", kill_count)];
        found.extend(stops.get(stops.len() / 2).map(|&s| STOP_MEDIAN.of(s)));
        found.extend(stops.last().map(|&s| STOP_WORST.of(s)));
        found
    });
    let lesson = on(session(cores, delay, workers));
    trace.run("session", || {
        let rows = lesson();
        let count = |word: &str| rows.iter().filter(|s| s.word() == word).count();
        [
            FINISHED.of(count("done")),
            KILLED.of(count("killed")),
            CANCELLED.of(count("cancelled")),
        ]
    });
    trace.finish(&options);
    ExitCode::SUCCESS
}

/// A lesson to run on a fresh multi-thread runtime (one per variant).
fn on<F: Future>(lesson: F) -> impl FnOnce() -> F::Output {
    move || {
        tokio::runtime::Runtime::new()
            .expect("a runtime starts")
            .block_on(lesson)
    }
}

/// What keeps the machine busy while the requests run.
enum Busy {
    /// `fib-multi` on the pool, through the scheduler.
    Pool(Vec<u64>),
    /// `fib`s called inside async tasks, one per core: each holds a runtime thread.
    OnRuntime(Vec<u64>),
}

/// Send `requests` dex requests on a fixed schedule, with `busy` running, and give
/// each one's latency (from its planned send time to its answer).
async fn dex_while(
    busy: Option<Busy>,
    requests: usize,
    delay: Duration,
    workers: usize,
) -> Vec<Duration> {
    let server = dex::serve(delay)
        .await
        .expect("the dex service binds loopback");
    let quiet: Print = Arc::new(|_| {});
    let scheduler = Scheduler::new(workers, server, quiet);
    let load = match busy {
        Some(Busy::Pool(ns)) => {
            Some(scheduler.submit("fib-multi", Job::FibMulti(ns)))
        }
        Some(Busy::OnRuntime(ns)) => {
            for (part, n) in ns.into_iter().enumerate() {
                // Part `part` of task 0: each holds a runtime thread while it runs.
                tokio::spawn(async move {
                    let task = Task::new(0).kind("cpu").part(part);
                    task.run(|| fib(n, || false).is_ok())
                });
            }
            None
        }
        None => None,
    };
    // The schedule is fixed now: a request the stalled runtime sends late counts from
    // when it was due, not from when it finally went.
    let start = Instant::now() + Duration::from_millis(50); // the load is running by then
    let mut planned = Vec::new();
    for i in 0..requests {
        let at = start + EVERY * i as u32;
        tokio::time::sleep_until(at.into()).await;
        let name = NAMES[i % NAMES.len()];
        planned.push((
            scheduler.submit(&format!("dex {name}"), Job::Dex(name.into())),
            at,
        ));
    }
    for &(id, _) in &planned {
        let _ = scheduler.wait(Some(id)).await;
    }
    if let Some(id) = load {
        let still = scheduler.rows()[id - 1].state == State::Running;
        note(format!(
            "fib-multi still running after the last answer: {still}"
        ));
        let _ = scheduler.kill(id).await;
    }
    let rows = scheduler.rows();
    scheduler.shutdown(Duration::from_secs(5)).await;
    let latency = |&(id, at): &(usize, Instant)| {
        let row = &rows[id - 1];
        assert!(
            matches!(row.state, State::Done(_)),
            "dex {id}: {:?}",
            row.state
        );
        row.ended.expect("a done task has ended") - at
    };
    planned.iter().map(latency).collect()
}

/// A dex variant's figures: how many requests, the service's delay, and the median and
/// 99th percentile of their latencies.
fn latency_figures(latencies: &[Duration], delay: Duration) -> [Found; 4] {
    let mut sorted: Vec<f64> = latencies.iter().map(Duration::as_secs_f64).collect();
    sorted.sort_by(f64::total_cmp);
    let at = |q: f64| sorted[((sorted.len() - 1) as f64 * q).round() as usize];
    say!(
        "{} requests: median {:.2} ms, p99 {:.2} ms",
        sorted.len(),
        at(0.5) * 1e3,
        at(0.99) * 1e3
    );
    [
        REQUESTS.of(sorted.len()),
        SERVICE_DELAY.of(delay),
        LATENCY_MEDIAN.of(at(0.5)),
        LATENCY_P99.of(at(0.99)),
    ]
}

/// Start a long `fib` and kill it once it runs, `times` times; each stop's latency.
async fn kills(times: usize, delay: Duration, workers: usize) -> Vec<Duration> {
    let server = dex::serve(delay)
        .await
        .expect("the dex service binds loopback");
    let scheduler = Scheduler::new(workers, server, Arc::new(|_| {}));
    let mut stops = Vec::new();
    for _ in 0..times {
        let id = scheduler.submit("fib", Job::Fib(MAX_FIB));
        sleep(Duration::from_millis(30)).await;
        let took = scheduler
            .kill(id)
            .await
            .expect("a running fib stops when killed");
        note(format!(
            "task {id} stopped {:.3} ms after the kill",
            took.as_secs_f64() * 1e3
        ));
        stops.push(took);
    }
    scheduler.shutdown(Duration::from_secs(5)).await;
    stops
}

/// The scripted session of the timeline picture; every task's final state.
async fn session(cores: usize, delay: Duration, workers: usize) -> Vec<State> {
    let server = dex::serve(delay)
        .await
        .expect("the dex service binds loopback");
    let print: Print = Arc::new(|line| say!("{line}"));
    let s = Scheduler::new(workers, server, print);
    let submit = |line: &str, job| s.submit(line, job);
    submit("dex pikachu", Job::Dex("pikachu".into()));
    let small = submit("fib 200", Job::Fib(200));
    let multi = submit("fib-multi", Job::FibMulti(vec![MAX_FIB; cores]));
    submit("dex eevee", Job::Dex("eevee".into()));
    sleep(Duration::from_millis(150)).await;
    submit("dex snorlax", Job::Dex("snorlax".into()));
    sleep(Duration::from_millis(150)).await;
    let took = s.kill(multi).await.expect("fib-multi stops when killed");
    // The small fib ends well before the quit, however slow the machine (bounded).
    let _ = tokio::time::timeout(Duration::from_secs(10), s.wait(Some(small))).await;
    note(format!(
        "kill {multi}: stopped {:.3} ms after the kill",
        took.as_secs_f64() * 1e3
    ));
    submit("fib-multi", Job::FibMulti(vec![MAX_FIB; cores]));
    submit("dex mewtwo", Job::Dex("mewtwo".into()));
    sleep(Duration::from_millis(200)).await;
    note("quit: shutting down");
    let summary = s.shutdown(Duration::from_secs(5)).await;
    note(format!("shutdown drained: {}", summary.drained));
    s.rows().into_iter().map(|row| row.state).collect()
}
