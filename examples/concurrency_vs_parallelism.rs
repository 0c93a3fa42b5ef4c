//! # `concurrency_vs_parallelism`: more tasks, or more cores
//!
//! The articles' kitchen: concurrency is one cook juggling dishes, chopping while the
//! soup boils (one event loop, many waits); parallelism is more cooks in more kitchens
//! (processes, cores). Every job here waits (the soup) and then computes (the chopping).
//! Twin: `python/concurrency_vs_parallelism.py`. Chapter: "concurrency_vs_parallelism".
//!
//! Run: `cargo run --release --example concurrency_vs_parallelism` (`--full`: ten times
//! longer waits and computing; `--json`: the trace; `--variant NAME`: one variant).
//!
//! Watch: `concurrent` computes every job on one thread, back to back, once the waits
//! (all at once) are over; `parallel` computes on every core but waits one job at a time
//! per thread; `both` overlaps the waits and spreads the computing, the fastest of the
//! four. Each variant prints its ideal beside its wall time.

use std::thread;
use std::time::Duration;

use concurrency_pairs::common::WALL;
use concurrency_pairs::crawl::CpuMeter;
use concurrency_pairs::work::{cpu_seconds_per_unit, cpu_work};
use concurrency_pairs::{
    Derived, Figure, Found, Headline, Pattern, Table, Trace, VariantInfo, arrived,
    given, lab, say, task,
};
use rayon::prelude::*;
use tokio::runtime::Builder;
use tokio::task::JoinSet;

/// One dish: wait for something (the soup to boil: IO), then work on it (the CPU).
#[derive(Debug, Clone, Copy)]
struct Job {
    wait: Duration,
    units: u64,
}

// ANCHOR: cook
/// The computing part of job `id`, on whichever thread runs this: sum `units`
/// integers.
fn compute(id: usize, units: u64) -> u64 {
    task(id, || cpu_work(units))
}

/// One job on an event loop: the wait hands the thread back to the loop; the
/// computing keeps it until it is done.
async fn cook(id: usize, job: Job) -> (usize, u64) {
    tokio::time::sleep(job.wait).await;
    (id, compute(id, job.units))
}

/// Every job as a task on the runtime this runs on; each result taken when it
/// is ready.
async fn cook_all(jobs: Vec<Job>) -> Vec<u64> {
    let mut set = JoinSet::new();
    for (id, &job) in jobs.iter().enumerate() {
        set.spawn(cook(id, job));
    }
    let mut sums = vec![0; jobs.len()];
    while let Some(done) = set.join_next().await {
        let (id, sum) = done.expect("a job does not panic");
        arrived(id, format!("sum {sum}"));
        sums[id] = sum;
    }
    sums
}
// ANCHOR_END: cook

// ANCHOR: sequential
/// One cook, one dish at a time: wait, then compute, job after job.
fn sequential(jobs: &[Job]) -> Vec<u64> {
    let each = jobs.iter().enumerate().map(|(id, job)| {
        thread::sleep(job.wait);
        let sum = compute(id, job.units);
        arrived(id, format!("sum {sum}"));
        sum
    });
    each.collect()
}
// ANCHOR_END: sequential

// ANCHOR: concurrent
/// One cook juggling every dish: one event loop on this thread (tokio's
/// current-thread runtime). The waits overlap; the computing takes turns on the
/// one core.
fn concurrent(jobs: &[Job]) -> Vec<u64> {
    let runtime = Builder::new_current_thread().enable_time().build();
    let runtime = runtime.expect("a runtime starts");
    runtime.block_on(cook_all(jobs.to_vec()))
}
// ANCHOR_END: concurrent

// ANCHOR: parallel
/// A kitchen per core, one dish at a time in each: rayon's pool, a thread per
/// core. The computing spreads over every core, but a thread that waits does
/// nothing else.
fn parallel(jobs: &[Job], cores: usize) -> Vec<u64> {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(cores);
    let pool = pool.thread_name(|i| format!("rayon-{i}")).build();
    let pool = pool.expect("a thread pool starts");
    let sums: Vec<u64> = pool.install(|| {
        let each = jobs.par_iter().enumerate().map(|(id, job)| {
            thread::sleep(job.wait);
            compute(id, job.units)
        });
        each.collect() // in input order, once every job is done
    });
    for (id, sum) in sums.iter().enumerate() {
        arrived(id, format!("sum {sum}"));
    }
    sums
}
// ANCHOR_END: parallel

// ANCHOR: both
/// A kitchen per core, and every cook juggling: the same `cook_all` on tokio's
/// multi-thread runtime, a worker thread per core, idle workers taking ready
/// tasks.
fn both(jobs: &[Job], cores: usize) -> Vec<u64> {
    let mut runtime = Builder::new_multi_thread();
    let runtime = runtime
        .worker_threads(cores)
        .thread_name("cook")
        .enable_time()
        .build();
    let runtime = runtime.expect("a runtime starts");
    runtime.block_on(cook_all(jobs.to_vec()))
}
// ANCHOR_END: both

const WORKERS: Figure = Figure::count("workers", "workers");
/// The threads (or processes) that computed, from the spans the variant recorded.
const LANES: Figure = Figure::count("lanes", "lanes").derived(Derived::Lanes);
const CPU_BUSY: Figure =
    Figure::ratio("cpu_utilisation", "CPU time ÷ (wall × cores)");

const PATTERN: Pattern = Pattern::new(
    "concurrency_vs_parallelism",
    "the same waits and computing: one core juggling, every core, or both",
)
.variants(&[
    VariantInfo::both(
        "sequential",
        "one thread: sleep, then compute, job after job",
    ),
    VariantInfo::both("concurrent", "tokio current-thread runtime, a task per job"),
    VariantInfo::both("parallel", "rayon pool, a thread per core, par_iter"),
    VariantInfo::both("both", "tokio multi-thread runtime, a worker per core"),
])
.headline(Headline::new(WALL, "both", "sequential"))
.tables(&[Table::new(
    "How many cores does the computing keep busy?",
    &[WORKERS, LANES, CPU_BUSY],
)]);

/// Jobs per core, and each job's wait and computing (seconds of one core's work).
const JOBS_PER_CORE: usize = 4;
const DEFAULT: (f64, f64) = (0.1, 0.05);
const FULL: (f64, f64) = (1.0, 0.5);

fn main() {
    let options = PATTERN.parse();
    let (wait_s, work_s) = if options.full { FULL } else { DEFAULT };
    let cores = thread::available_parallelism().map_or(1, |n| n.get());
    let per_unit = cpu_seconds_per_unit();
    let job = Job {
        wait: Duration::from_secs_f64(wait_s),
        units: (work_s / per_unit) as u64,
    };
    let jobs = vec![job; JOBS_PER_CORE * cores];
    // The lower bounds, from the wait and what one job's computing costs (`c`).
    let n = jobs.len() as f64;
    let rounds = jobs.len().div_ceil(cores) as f64;
    let ideal_of = |name: &str, c: f64| match name {
        "sequential" => n * (wait_s + c),
        "concurrent" => wait_s + n * c,
        "parallel" => rounds * (wait_s + c),
        _ => wait_s + c.max(n * c / cores as f64),
    };
    let mut trace = Trace::new(&PATTERN, &options);
    let variants = [
        ("sequential", 1),
        ("concurrent", 1),
        ("parallel", cores),
        ("both", cores),
    ];
    for (name, workers) in variants {
        let lesson = || {
            let meter = CpuMeter::start();
            let sums = match name {
                "sequential" => sequential(&jobs),
                "concurrent" => concurrent(&jobs),
                "parallel" => parallel(&jobs, workers),
                _ => both(&jobs, workers),
            };
            // The variant's wall time so far: its lesson has just returned.
            let busy = meter.utilisation(lab::now(), cores);
            let mut found = vec![
                WORKERS.of(workers),
                given("jobs", jobs.len()),
                given("wait_s", wait_s),
                Found::Sizes(vec![job.units; jobs.len()]),
                Found::Sums(sums),
            ];
            found.extend(busy.map(|x| CPU_BUSY.of(x)));
            found
        };
        if let Some(v) = trace.run(name, lesson) {
            let lanes = v.value(&LANES).unwrap_or(0.0);
            say!("  computed on {lanes} thread(s)");
        }
    }
    // At the fastest rate the run saw: an ideal the machine's drift cannot beat.
    let units = job.units as f64;
    trace.set_ideals_from_rate(per_unit, |v, per_unit| {
        Some(ideal_of(&v.name, units * per_unit))
    });
    trace.finish(&options);
}
