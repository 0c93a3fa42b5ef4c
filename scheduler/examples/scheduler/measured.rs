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
use concurrency_pairs::{Options, Trace, Variant, say};
use scheduler::command::MAX_FIB;
use scheduler::{Job, Print, Scheduler, State, dex};
use tokio::time::sleep;

use crate::Args;

pub const VARIANTS: &[&str] = &["dex-idle", "dex-busy", "dex-naive", "kill", "session"];

/// The Pokémon the requests cycle through.
const NAMES: &[&str] = &["pikachu", "eevee", "snorlax", "gengar", "psyduck", "mewtwo"];

/// How far apart the requests are sent.
const EVERY: Duration = Duration::from_millis(10);
/// The N of the fibs that run on the runtime's own threads in `dex-naive`.
const NAIVE_N: u64 = 300_000;

pub fn run(args: &Args) -> ExitCode {
    if let Some(name) = args.variant.as_deref().filter(|v| !VARIANTS.contains(v)) {
        eprintln!(
            "scheduler: unknown variant `{name}` (known: {})",
            VARIANTS.join(", ")
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
    let mut trace = Trace::new("scheduler", &options);

    let naive_n = NAIVE_N;
    for (name, uses, busy) in [
        (
            "dex-idle",
            format!("{requests} requests, nothing else running"),
            None,
        ),
        (
            "dex-busy",
            format!("fib-multi of {cores} × fib {MAX_FIB} on the pool meanwhile"),
            Some(Busy::Pool(vec![MAX_FIB; cores])),
        ),
        (
            "dex-naive",
            format!("{cores} × fib {naive_n} in async tasks, on the runtime's own threads"),
            Some(Busy::OnRuntime(vec![naive_n; cores])),
        ),
    ] {
        let lesson = on(dex_while(busy, requests, delay, workers));
        if let Some((latencies, v)) = trace.run(name, &uses, lesson) {
            latency_figures(v, &latencies, delay);
        }
    }
    let uses =
        format!("fib {MAX_FIB} on the pool, killed after 30 ms; its token checked every step");
    if let Some((mut stops, v)) = trace.run("kill", &uses, on(kills(kill_count, delay, workers))) {
        stops.sort();
        v.figures.cancels = Some(stops.len() as f64);
        v.figures.stop_median_s = stops.get(stops.len() / 2).map(Duration::as_secs_f64);
        v.figures.stop_worst_s = stops.last().map(Duration::as_secs_f64);
    }
    let uses = "dex, fib, fib-multi, kill, then the shutdown with fib-multi running";
    if let Some((rows, v)) = trace.run("session", uses, on(session(cores, delay, workers))) {
        let count = |word: &str| rows.iter().filter(|s| s.word() == word).count() as f64;
        v.figures.finished = Some(count("done"));
        v.figures.killed = Some(count("killed"));
        v.figures.cancelled = Some(count("cancelled"));
    }
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
        Some(Busy::Pool(ns)) => Some(scheduler.submit("fib-multi", Job::FibMulti(ns))),
        Some(Busy::OnRuntime(ns)) => {
            for n in ns {
                // Task 0 of the timeline: it runs on a runtime thread, holding it.
                tokio::spawn(
                    async move { Task::new(0).kind("cpu").run(|| fib(n, || false).is_ok()) },
                );
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

fn latency_figures(v: &mut Variant, latencies: &[Duration], delay: Duration) {
    let mut sorted: Vec<f64> = latencies.iter().map(Duration::as_secs_f64).collect();
    sorted.sort_by(f64::total_cmp);
    let at = |q: f64| sorted[((sorted.len() - 1) as f64 * q).round() as usize];
    v.figures.requests = Some(sorted.len() as f64);
    v.figures.service_delay_s = Some(delay.as_secs_f64());
    v.figures.latency_median_s = Some(at(0.5));
    v.figures.latency_p99_s = Some(at(0.99));
    say!(
        "{} requests: median {:.2} ms, p99 {:.2} ms",
        sorted.len(),
        at(0.5) * 1e3,
        at(0.99) * 1e3
    );
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
