//! # `crawler`: asyncio uses one core; an event loop per core uses all
//!
//! Python: N "crawl" tasks on one asyncio event loop, each awaiting an IO delay (0.2–1 s)
//! and then parsing the page (CPU work: summing 100,000–500,000 integers). The waits
//! overlap; the parses run on the loop's one thread, one after another. The article's fix:
//! 5 batches of 2,000 tasks, each run by `asyncio.run` in a `ProcessPoolExecutor` worker;
//! here that split (`article-batches`) and one batch per core (`loop-per-core`).
//! Twin: `python/crawler.py`. Chapter: `book/src/crawler.md`.
//!
//! Run: `cargo run --release --example crawler` (the articles' 10,000 tasks, `--full` or
//! not; `--tasks N`, `--json` for the trace, `--variant NAME` to run one, `--counts-only`
//! to keep counts rather than a span per task, for huge N).
//!
//! Watch: every variant runs the same seeded jobs and ends with the pages each thread
//! parsed and how busy the cores were: `single-loop` parses all on `main`.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use concurrency_pairs::crawl::{CpuMeter, CpuRates, CrawlJob, SEED, crawl_jobs};
use concurrency_pairs::work::{cpu_work, cpu_work_expected, peak_rss_bytes};
use concurrency_pairs::{Cli, Trace, arrived, lab, lab::Task, say, thread_lane};
use tokio::{runtime::Builder, runtime::Runtime, sync::oneshot, task::JoinSet};

// ANCHOR: crawl
/// A crawled page: which task and job, its result, and the thread that parsed it.
struct Page {
    id: usize,
    job: CrawlJob,
    sum: u64,
    thread: String,
}

/// One crawl task: wait for the page (the IO), then parse it (the CPU work) right here.
async fn crawl(id: usize, job: CrawlJob) -> Page {
    tokio::time::sleep(Duration::from_millis(job.io_ms)).await;
    parse(id, job)
}

/// The CPU part: sum `job.units` integers, on whichever thread runs this.
fn parse(id: usize, job: CrawlJob) -> Page {
    Page {
        id,
        job,
        sum: timed(id, || cpu_work(job.units)),
        thread: thread_lane(),
    }
}

/// Spawn one task per job on the current runtime; take each page as soon as it is done.
async fn crawl_all<Fut>(jobs: &[CrawlJob], task: impl Fn(usize, CrawlJob) -> Fut) -> Pages
where
    Fut: Future<Output = Page> + Send + 'static,
{
    let mut set = JoinSet::new();
    for (id, &job) in jobs.iter().enumerate() {
        set.spawn(task(id, job));
    }
    let mut pages = Pages::new(jobs.len());
    while let Some(page) = set.join_next().await {
        pages.take(page.expect("a crawl task does not panic"));
    }
    pages
}
// ANCHOR_END: crawl

// ANCHOR: single_loop
/// One thread runs every task, like one asyncio event loop: the waits overlap, the CPU
/// parts queue up behind each other.
fn single_loop(jobs: &[CrawlJob]) -> Pages {
    event_loop().block_on(crawl_all(jobs, crawl))
}

/// An event loop: tokio's current-thread runtime, on the thread that calls `block_on`.
fn event_loop() -> Runtime {
    let runtime = Builder::new_current_thread().enable_time().build();
    runtime.expect("a current-thread runtime starts")
}
// ANCHOR_END: single_loop

// ANCHOR: loop_per_core
/// An event loop per core: the tasks cut into `count` batches, each crawled by a loop of
/// its own on one of `cores` threads; thread `w` takes batches `w`, `w + cores`, ... in
/// turn. One batch per core (`loop-per-core`), or the article's 5 (`article-batches`): on
/// two cores one thread then crawls 3 batches while the other crawls 2.
fn batches(jobs: &[CrawlJob], cores: usize, count: usize) -> Pages {
    let size = jobs.len().div_ceil(count).max(1);
    let (sender, receiver) = mpsc::channel();
    let mut pages = Pages::new(jobs.len());
    thread::scope(|scope| {
        for core in 0..cores.min(count) {
            let (sender, batches) = (sender.clone(), jobs.chunks(size).enumerate());
            let mine = batches.skip(core).step_by(cores);
            let run = move || mine.for_each(|(b, batch)| run_batch(b * size, batch, &sender));
            let thread = thread::Builder::new().name(format!("loop-{core}"));
            thread.spawn_scoped(scope, run).expect("a thread starts");
        }
        drop(sender); // the loops hold the only senders: the channel ends when they do
        for page in receiver {
            pages.take(page);
        }
    });
    pages
}

/// On a loop thread: crawl one batch (ids from `first`), sending each page back when done.
fn run_batch(first: usize, batch: &[CrawlJob], sender: &mpsc::Sender<Page>) {
    event_loop().block_on(async {
        let mut set = JoinSet::new();
        for (i, &job) in batch.iter().enumerate() {
            set.spawn(crawl(first + i, job));
        }
        while let Some(page) = set.join_next().await {
            let page = page.expect("a crawl task does not panic");
            sender.send(page).expect("the caller is receiving");
        }
    });
}
// ANCHOR_END: loop_per_core

// ANCHOR: multi_thread
/// tokio's multi-thread runtime: one worker per core, and idle workers steal tasks from
/// busy ones, so the CPU parts spread over every core without any batching.
fn multi_thread(jobs: &[CrawlJob], cores: usize) -> Pages {
    let runtime = Builder::new_multi_thread()
        .worker_threads(cores)
        .thread_name("worker")
        .enable_time()
        .build()
        .expect("a multi-thread runtime starts");
    runtime.block_on(crawl_all(jobs, crawl))
}
// ANCHOR_END: multi_thread

// ANCHOR: io_plus_rayon
/// The IO on one event loop, each CPU part handed to rayon's pool (a thread per core):
/// the loop only waits and dispatches, so it never stalls.
fn io_plus_rayon(jobs: &[CrawlJob], cores: usize) -> Pages {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(cores);
    let pool = pool.thread_name(|i| format!("rayon-{i}"));
    pool.build_global().expect("rayon is set up once");
    let task = |id, job: CrawlJob| async move {
        tokio::time::sleep(Duration::from_millis(job.io_ms)).await;
        let (sender, receiver) = oneshot::channel();
        // The receiver only goes away if the task is dropped: nothing to tell.
        rayon::spawn(move || drop(sender.send(parse(id, job))));
        receiver.await.expect("the rayon job sends its page")
    };
    event_loop().block_on(crawl_all(jobs, task))
}
// ANCHOR_END: io_plus_rayon

/// What the caller keeps of the pages: each sum, checked, and the pages each thread parsed.
#[derive(Default)]
struct Pages {
    sums: Vec<u64>,
    wrong: usize,
    threads: BTreeMap<String, usize>,
}

impl Pages {
    fn new(n: usize) -> Self {
        lab::quiet_after(3, n);
        let mut pages = Pages::default();
        pages.sums.resize(if lab::counts_only() { 0 } else { n }, 0);
        pages
    }

    /// The caller holds a page: check it, count its thread, keep its sum and print it.
    fn take(&mut self, page: Page) {
        self.wrong += usize::from(page.sum != cpu_work_expected(page.job.units));
        *self.threads.entry(page.thread).or_default() += 1;
        // Counting only: no sums kept, no line printed.
        if let Some(sum) = self.sums.get_mut(page.id) {
            *sum = page.sum;
            arrived(page.id, format_args!("sum {}", page.sum));
        }
    }
}

/// The lab's `task` mark, as CPU work (the timelines colour it apart from the waits).
fn timed<T>(id: usize, work: impl FnOnce() -> T) -> T {
    Task::new(id).kind("cpu").run(work)
}

#[rustfmt::skip]
const CLI: Cli = Cli::new("crawler", "N tasks, each an IO wait then CPU work, on one or many threads")
    .with_tasks()
    .with_variants(&["single-loop", "article-batches", "loop-per-core", "multi-thread", "io-plus-rayon"])
    .with_counts_only();

/// The articles' 10,000 tasks, `--full` or not (quick in Rust; the twin's default is 1,000).
const TASKS: usize = 10_000;

/// Each variant's name, what it uses, and its lesson, in run order.
type Lesson = fn(&[CrawlJob], usize) -> Pages;
#[rustfmt::skip]
const LESSONS: [(&str, &str, Lesson); 5] = [
    ("single-loop",     "tokio current-thread runtime",                  |jobs, _| single_loop(jobs)),
    ("article-batches", "5 batches on a thread per core, a runtime each",  |jobs, cores| batches(jobs, cores, 5)),
    ("loop-per-core",   "a current-thread runtime per core",             |jobs, cores| batches(jobs, cores, cores)),
    ("multi-thread",    "tokio multi-thread runtime (work stealing)",    multi_thread),
    ("io-plus-rayon",   "current-thread runtime for IO + rayon for CPU", io_plus_rayon),
];

fn main() {
    let options = CLI.parse();
    lab::set_counts_only(options.counts_only); // no span, no line, no sum kept per task
    let n = options.tasks.unwrap_or(TASKS);
    let cores = thread::available_parallelism().map_or(1, |n| n.get());
    let jobs = crawl_jobs(n, SEED);

    // What an integer costs, measured again after each variant; the ideal assumes the
    // rate with every core busy at once (a core runs slower when its neighbours work).
    let mut rates = CpuRates::measure(cores);
    let units: f64 = jobs.iter().map(|j| j.units as f64).sum();
    let (cpu_s, ideal) = (units * rates.all_cores, rates.ideal(&jobs));
    say!("{n} tasks on {cores} cores: {cpu_s:.2} s of CPU work in all, ideal {ideal:.3} s");

    let mut trace = Trace::new("crawler", &options);
    // The two languages' defaults differ: the trace names the task count, always.
    trace.size = n.to_string();
    for (name, uses, lesson) in LESSONS {
        let meter = CpuMeter::start();
        if let Some((pages, v)) = trace.run(name, uses, || lesson(&jobs, cores)) {
            v.figures.cpu_utilisation = meter.utilisation(v.wall_s, cores);
            let (threads, wrong) = (&pages.threads, pages.wrong);
            let busy = v.figures.cpu_utilisation.unwrap_or(f64::NAN);
            say!("pages parsed on each thread: {threads:?}; wrong: {wrong}; cores busy {busy:.2}");
            v.figures.tasks_run = Some(pages.threads.values().sum::<usize>() as f64);
            v.figures.wrong = Some(pages.wrong as f64);
            v.figures.lanes = Some(pages.threads.len() as f64);
            v.figures.sums = (!options.counts_only).then_some(pages.sums);
            // The process's high-water mark: this variant's own when no other ran here.
            let alone = options.variant.is_some();
            v.figures.peak_rss_bytes = peak_rss_bytes().filter(|_| alone).map(|b| b as f64);
            rates.again();
        }
    }
    let ideal = rates.ideal(&jobs);
    for v in &mut trace.variants {
        v.ideal_s = Some(ideal);
        v.figures.cpu_s = Some(units * rates.all_cores);
        v.figures.load_slowdown = Some(rates.load_slowdown());
    }
    trace.finish(&options);
}
