//! # `crawler`: asyncio uses one core; an event loop per core uses all
//!
//! Python: N "crawl" tasks on one asyncio event loop, each awaiting an IO delay of
//! 0.2–1.0 s and then parsing the page (CPU work: summing 100,000–500,000 integers).
//! The waits overlap, but every CPU part runs on the loop's one thread, one after
//! another. The articles' fix: split the tasks into batches and run each batch with
//! `asyncio.run` inside a `ProcessPoolExecutor` worker, an event loop per core.
//! Twin: `python/crawler.py`.
//!
//! Run: `cargo run --release --example crawler` (the articles' 10,000 tasks, already
//! quick in Rust, so `--full` changes nothing here; `--tasks N` for any size; `--json` for the trace; `--variant NAME` for one
//! variant; `--counts-only` to keep counts instead of a span per task, for huge N).
//!
//! Watch: the jobs are the same in every variant (a fixed seed). `single-loop` does all
//! the CPU work on one thread, `main`; the other three spread it over every core, so at
//! 10,000 tasks they finish close to the ideal printed beside them (about the slowest
//! task's 1 s) while the single loop runs about a third longer, and with `--tasks 100000`
//! nearly twice as long. Each variant says which threads did the CPU work.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, mpsc};
use std::thread;
use std::time::Duration;

use concurrency_pairs::crawl::{CrawlJob, SEED, crawl_ideal, crawl_jobs};
use concurrency_pairs::work::{cpu_seconds_per_unit, cpu_work, cpu_work_expected, peak_rss_bytes};
use concurrency_pairs::{Cli, Clock, Recorder, TaskSpan, Trace, Variant, say, thread_lane};
use tokio::runtime::{Builder, Runtime};
use tokio::sync::oneshot;
use tokio::task::JoinSet;

const VARIANTS: &[&str] = &[
    "single-loop",
    "loop-per-core",
    "multi-thread",
    "io-plus-rayon",
];
const CLI: Cli = Cli::new(
    "crawler",
    "N tasks, each an IO wait then CPU work: one event loop, a loop per core, work stealing, rayon",
)
.with_tasks()
.with_variants(VARIANTS)
.with_counts_only();

/// Rust's default is already the articles' size: its CPU part takes seconds, not minutes.
/// (The Python twin runs 1,000 by default; both run 10,000 with `--full`.)
const DEFAULT_TASKS: usize = 10_000;
const FULL_TASKS: usize = 10_000;

/// What every variant runs, and how it records.
struct Workload {
    jobs: Arc<[CrawlJob]>,
    cores: usize,
    counts_only: bool,
    /// Only one variant runs in this process: its peak memory is its own.
    alone: bool,
}

fn main() {
    let options = CLI.parse();
    let n = options.tasks.unwrap_or(if options.full {
        FULL_TASKS
    } else {
        DEFAULT_TASKS
    });
    let cores = thread::available_parallelism().map_or(1, |n| n.get());
    let work = Workload {
        jobs: crawl_jobs(n, SEED).into(),
        cores,
        counts_only: options.counts_only,
        alone: options.variant.is_some(),
    };

    // The ideal, from the CPU work's cost measured in this run: before the first variant
    // and again after each one, keeping the fastest rate (this machine's speed drifts, and
    // an ideal must be a lower bound).
    let mut per_unit = cpu_seconds_per_unit();
    let units: f64 = work.jobs.iter().map(|j| j.units as f64).sum();
    say!(
        "{n} tasks on {cores} cores: {:.2} s of CPU work in all ({:.2} ns per integer), \
         ideal {:.3} s",
        units * per_unit,
        per_unit * 1e9,
        crawl_ideal(&work.jobs, per_unit, cores)
    );

    let mut trace = Trace::new("crawler", &options);
    // The two languages' defaults differ: the trace names the task count, always.
    trace.size = n.to_string();
    let runs: [(&str, Run); 4] = [
        ("single-loop", single_loop),
        ("loop-per-core", loop_per_core),
        ("multi-thread", multi_thread),
        ("io-plus-rayon", io_plus_rayon),
    ];
    for (name, run) in runs {
        if options.runs(name) {
            trace.push(run(&work));
            per_unit = per_unit.min(cpu_seconds_per_unit());
        }
    }
    let ideal = crawl_ideal(&work.jobs, per_unit, cores);
    for variant in &mut trace.variants {
        variant.ideal_s = Some(ideal);
        variant
            .extra
            .insert("cpu_s".into(), (units * per_unit).into());
    }
    trace.finish(&options);
}

/// One variant: runs the workload and returns what it recorded.
type Run = fn(&Workload) -> Variant;

// ANCHOR: crawl
/// A crawled page: which task, its result, and when and where its CPU part ran.
struct Crawled {
    id: usize,
    sum: u64,
    start_s: f64,
    end_s: f64,
    lane: String,
}

/// One crawl task: wait for the page (the IO), then parse it (the CPU work) right here,
/// on whichever thread is running this task.
async fn crawl(clock: Clock, id: usize, job: CrawlJob) -> Crawled {
    tokio::time::sleep(Duration::from_millis(job.io_ms)).await;
    parse(clock, id, job)
}

/// The CPU part: sum `job.units` integers, timed.
fn parse(clock: Clock, id: usize, job: CrawlJob) -> Crawled {
    let start_s = clock.now();
    let sum = cpu_work(job.units);
    Crawled {
        id,
        sum,
        start_s,
        end_s: clock.now(),
        lane: thread_lane(),
    }
}
// ANCHOR_END: crawl

/// Spawn one task per job on the current runtime and hand each result to `sink` as soon
/// as it is done.
async fn crawl_all<F, Fut>(
    jobs: impl Iterator<Item = (usize, CrawlJob)>,
    task: F,
    mut sink: impl FnMut(Crawled),
) where
    F: Fn(usize, CrawlJob) -> Fut,
    Fut: Future<Output = Crawled> + Send + 'static,
{
    let mut set = JoinSet::new();
    for (id, job) in jobs {
        set.spawn(task(id, job));
    }
    while let Some(done) = set.join_next().await {
        sink(done.expect("a crawl task does not panic"));
    }
}

// ANCHOR: single_loop
/// One thread runs every task, like one asyncio event loop: the waits overlap, the CPU
/// parts queue up behind each other.
fn single_loop(work: &Workload) -> Variant {
    let runtime = Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a current-thread runtime starts");
    run_on(
        &runtime,
        "single-loop",
        "tokio current-thread runtime / one asyncio loop",
        work,
    )
}
// ANCHOR_END: single_loop

// ANCHOR: loop_per_core
/// The articles' design: the tasks split into one batch per core, each batch on its own
/// thread with its own current-thread runtime. Results stream back over a channel.
fn loop_per_core(work: &Workload) -> Variant {
    let mut results = Results::new(
        "loop-per-core",
        "a current-thread runtime per core / asyncio.run per process",
        work,
    );
    let clock = results.clock();
    let batch = work.jobs.len().div_ceil(work.cores);
    let (sender, receiver) = mpsc::channel();
    thread::scope(|scope| {
        for (core, first) in (0..work.jobs.len()).step_by(batch.max(1)).enumerate() {
            let jobs = Arc::clone(&work.jobs);
            let sender = sender.clone();
            thread::Builder::new()
                .name(format!("loop-{core}"))
                .spawn_scoped(scope, move || {
                    let runtime = Builder::new_current_thread()
                        .enable_time()
                        .build()
                        .expect("a current-thread runtime starts");
                    let end = (first + batch).min(jobs.len());
                    let mine = (first..end).map(|id| (id, jobs[id]));
                    runtime.block_on(crawl_all(
                        mine,
                        |id, job| crawl(clock, id, job),
                        |c| sender.send(c).expect("the main thread is receiving"),
                    ));
                })
                .expect("a loop thread starts");
        }
        drop(sender); // the loops hold the only senders: the channel ends when they do
        for crawled in receiver {
            results.take(crawled);
        }
    });
    results.finish()
}
// ANCHOR_END: loop_per_core

// ANCHOR: multi_thread
/// tokio's multi-thread runtime: one worker per core, and idle workers steal tasks from
/// busy ones, so the CPU parts spread over every core without any batching.
fn multi_thread(work: &Workload) -> Variant {
    let runtime = Builder::new_multi_thread()
        .worker_threads(work.cores)
        .thread_name("worker")
        .enable_time()
        .build()
        .expect("a multi-thread runtime starts");
    run_on(
        &runtime,
        "multi-thread",
        "tokio multi-thread runtime (work stealing)",
        work,
    )
}
// ANCHOR_END: multi_thread

// ANCHOR: run_on
/// Every task on `runtime`, each result taken as soon as it is done.
fn run_on(runtime: &Runtime, name: &str, uses: &str, work: &Workload) -> Variant {
    let mut results = Results::new(name, uses, work);
    let clock = results.clock();
    let jobs = work.jobs.iter().copied().enumerate();
    runtime.block_on(crawl_all(
        jobs,
        |id, job| crawl(clock, id, job),
        |c| results.take(c),
    ));
    results.finish()
}
// ANCHOR_END: run_on

// ANCHOR: io_plus_rayon
/// The IO on one current-thread runtime, each CPU part handed to rayon's pool (a thread
/// per core): the loop only waits and dispatches, so it never stalls.
fn io_plus_rayon(work: &Workload) -> Variant {
    let runtime = Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a current-thread runtime starts");
    let pool = Arc::new(
        rayon::ThreadPoolBuilder::new()
            .num_threads(work.cores)
            .thread_name(|i| format!("rayon-{i}"))
            .build()
            .expect("a rayon pool starts"),
    );
    let mut results = Results::new(
        "io-plus-rayon",
        "tokio current-thread runtime for IO + rayon pool for CPU",
        work,
    );
    let clock = results.clock();
    let jobs = work.jobs.iter().copied().enumerate();
    let task = |id, job: CrawlJob| {
        let pool = Arc::clone(&pool);
        async move {
            tokio::time::sleep(Duration::from_millis(job.io_ms)).await;
            let (sender, receiver) = oneshot::channel();
            pool.spawn(move || {
                // The receiver only goes away if the task is dropped: nothing to tell.
                let _ = sender.send(parse(clock, id, job));
            });
            receiver.await.expect("the rayon job sends its result")
        }
    };
    runtime.block_on(crawl_all(jobs, task, |c| results.take(c)));
    results.finish()
}
// ANCHOR_END: io_plus_rayon

/// Checks and records each result as the caller receives it.
struct Results {
    rec: Recorder,
    jobs: Arc<[CrawlJob]>,
    counts_only: bool,
    alone: bool,
    sums: Vec<u64>,
    done: usize,
    wrong: usize,
    /// Tasks whose CPU part ran on each thread.
    lanes: BTreeMap<String, usize>,
}

impl Results {
    fn new(name: &str, uses: &str, work: &Workload) -> Self {
        let mut rec = Recorder::new(name, uses);
        rec.quiet_after(3, work.jobs.len());
        Results {
            rec,
            jobs: Arc::clone(&work.jobs),
            counts_only: work.counts_only,
            alone: work.alone,
            sums: if work.counts_only {
                Vec::new()
            } else {
                vec![0; work.jobs.len()]
            },
            done: 0,
            wrong: 0,
            lanes: BTreeMap::new(),
        }
    }

    fn clock(&self) -> Clock {
        self.rec.clock()
    }

    fn take(&mut self, c: Crawled) {
        self.done += 1;
        if c.sum != cpu_work_expected(self.jobs[c.id].units) {
            self.wrong += 1;
        }
        if self.counts_only {
            // Only the lane count: no per-task record, so memory stays the tasks' own.
            if let Some(count) = self.lanes.get_mut(&c.lane) {
                *count += 1;
            } else {
                self.lanes.insert(c.lane, 1);
            }
            return;
        }
        *self.lanes.entry(c.lane.clone()).or_default() += 1;
        self.sums[c.id] = c.sum;
        let span = TaskSpan::new(c.id, c.lane, c.start_s, c.end_s).with_kind("cpu");
        self.rec.receive(span, format_args!("sum {}", c.sum));
    }

    fn finish(mut self) -> Variant {
        let lanes: Vec<String> = self
            .lanes
            .iter()
            .map(|(lane, n)| format!("{lane} ({n} tasks)"))
            .collect();
        self.rec.say(format_args!(
            "CPU work ran on {} thread(s): {}",
            lanes.len(),
            lanes.join(", ")
        ));
        if self.wrong > 0 {
            self.rec
                .say(format_args!("{} results are wrong", self.wrong));
        }
        self.rec.note("tasks_run", self.done);
        self.rec.note("wrong", self.wrong);
        self.rec.note("lanes", self.lanes.len());
        if !self.counts_only {
            self.rec.note("sums", self.sums);
        }
        if self.alone {
            // The process's high-water mark: meaningful because no other variant ran here.
            if let Some(peak) = peak_rss_bytes() {
                self.rec.note("peak_rss_mb", peak as f64 / 1e6);
            }
        }
        self.rec.finish()
    }
}
