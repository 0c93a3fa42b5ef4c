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

use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use concurrency_pairs::common::{FIRST_RESULT, OVER_IDEAL, PEAK_RSS, WALL};
use concurrency_pairs::crawl::{BUSY, CPU_WORK, LANES, LOAD, TASKS_RUN, WRONG};
use concurrency_pairs::crawl::{Bench, CrawlJob, Page, Pages, SEED, crawl_jobs};
use concurrency_pairs::work::cpu_work;
use concurrency_pairs::{
    Headline, Pattern, Sweep, Table, Text, Trace, VariantInfo, articles, given, lab,
    lab::Task, thread_lane,
};
use tokio::{runtime::Builder, runtime::Runtime, sync::oneshot, task::JoinSet};

// ANCHOR: crawl
/// One crawl task: wait for the page (the IO), then parse it (the CPU work) here.
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

/// Spawn one task per job on the current runtime; take each page once it is done.
async fn crawl_all<Fut: Future<Output = Page> + Send + 'static>(
    jobs: &[CrawlJob],
    task: impl Fn(usize, CrawlJob) -> Fut,
) -> Pages {
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
/// One thread runs every task, like one asyncio event loop: the waits overlap, the
/// CPU parts queue up behind each other.
fn single_loop(jobs: &[CrawlJob]) -> Pages {
    event_loop().block_on(crawl_all(jobs, crawl))
}

/// An event loop: tokio's current-thread runtime, on the thread calling `block_on`.
fn event_loop() -> Runtime {
    let runtime = Builder::new_current_thread().enable_time().build();
    runtime.expect("a current-thread runtime starts")
}
// ANCHOR_END: single_loop

// ANCHOR: loop_per_core
/// An event loop per core: the tasks cut into `count` batches, each crawled by a loop
/// of its own on one of `cores` threads; thread `w` takes batches `w`, `w + cores`,
/// and so on. One batch per core (`loop-per-core`), or the article's 5
/// (`article-batches`): on two cores, one thread crawls 3 batches, the other 2.
fn batches(jobs: &[CrawlJob], cores: usize, count: usize) -> Pages {
    let size = jobs.len().div_ceil(count).max(1);
    let (sender, receiver) = mpsc::channel();
    let mut pages = Pages::new(jobs.len());
    thread::scope(|scope| {
        for core in 0..cores.min(count) {
            let (sender, batches) = (sender.clone(), jobs.chunks(size).enumerate());
            let mine = batches.skip(core).step_by(cores);
            let run = move || {
                mine.for_each(|(b, batch)| run_batch(b * size, batch, &sender))
            };
            let thread = thread::Builder::new().name(format!("loop-{core}"));
            thread.spawn_scoped(scope, run).expect("a thread starts");
        }
        drop(sender); // the loops hold the only senders: the channel ends with them
        for page in receiver {
            pages.take(page);
        }
    });
    pages
}

/// On a loop thread: crawl a batch (ids from `first`); send each page back when done.
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
/// tokio's multi-thread runtime: one worker per core, and idle workers steal tasks
/// from busy ones, so the CPU parts spread over every core without any batching.
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
/// The IO on one event loop, each CPU part handed to rayon's pool (a thread per
/// core): the loop only waits and dispatches, so it never stalls.
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

/// The lab's `task` mark, as CPU work (the timelines colour it apart from the waits).
fn timed<T>(id: usize, work: impl FnOnce() -> T) -> T {
    Task::new(id).kind("cpu").run(work)
}

/// The sweep's N: the 1-2-5 series from 1,000 to a million.
const SIZES: [u64; 10] = [
    1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000, 1_000_000,
];

const PATTERN: Pattern = Pattern::new(
    "crawler",
    "N tasks, each an IO wait then CPU work, on one or many threads",
)
.variants(&[
    VariantInfo::both("single-loop", "tokio current-thread runtime"),
    VariantInfo::both(
        "article-batches",
        "5 batches on a thread per core, a runtime each",
    ),
    VariantInfo::both("loop-per-core", "a current-thread runtime per core"),
    VariantInfo::rust("multi-thread", "tokio multi-thread runtime (work stealing)"),
    VariantInfo::rust(
        "io-plus-rayon",
        "current-thread runtime for IO + rayon for CPU",
    ),
    VariantInfo::python("single-loop-sum"),
])
.headline(Headline::new(WALL, "loop-per-core", "single-loop"))
.article(articles::CRAWLER)
.tables(&[
    Table::new(
        "How close does each variant come to its ideal?",
        &[WALL, OVER_IDEAL, FIRST_RESULT],
    ),
    Table::new(
        "Did every task run once, right, and on how many threads?",
        &[TASKS_RUN, WRONG, LANES],
    ),
    Table::new("How busy were the cores?", &[CPU_WORK, BUSY, LOAD]),
])
.sweep(
    Sweep::new(
        &SIZES,
        &[
            Text("single-loop"),
            Text("article-batches"),
            Text("loop-per-core"),
            Text("multi-thread"),
            Text("io-plus-rayon"),
            Text("single-loop-sum"),
        ],
    )
    .flags(&[Text("--counts-only")])
    .figures(&[WALL, OVER_IDEAL, BUSY, PEAK_RSS, CPU_WORK, LOAD])
    .python_largest(10_000)
    .repeated_up_to(10_000),
)
.with_tasks()
.with_counts_only();

/// The articles' 10,000 tasks, `--full` or not (quick in Rust; the twin's is 1,000).
const TASKS: usize = 10_000;
/// The article's split: 5 batches (of 2,000 of its 10,000 tasks).
const ARTICLE_BATCHES: usize = 5;

/// Each variant's name and its lesson, in run order.
type Lesson = fn(&[CrawlJob], usize) -> Pages;
const LESSONS: [(&str, Lesson); 5] = [
    ("single-loop", |jobs, _| single_loop(jobs)),
    ("article-batches", |jobs, cores| {
        batches(jobs, cores, ARTICLE_BATCHES)
    }),
    ("loop-per-core", |jobs, cores| batches(jobs, cores, cores)),
    ("multi-thread", multi_thread),
    ("io-plus-rayon", io_plus_rayon),
];

fn main() {
    let options = PATTERN.parse();
    lab::set_counts_only(options.counts_only); // no span, no line, no sum kept per task
    let n = options.tasks.unwrap_or(TASKS);
    let cores = thread::available_parallelism().map_or(1, |n| n.get());
    let jobs = crawl_jobs(n, SEED);

    // What an integer costs, again after each variant (the ideal assumes every core
    // busy at once); the peak memory is a variant's own only when it ran alone here.
    let mut bench = Bench::new(&jobs, cores, options.variant.is_some());
    // The two languages' defaults differ: the trace names the task count, always.
    let mut trace = Trace::sized(&PATTERN, &options, n);
    for (name, lesson) in LESSONS {
        let batches =
            (name == "article-batches").then(|| given("batches", ARTICLE_BATCHES));
        bench.run(&mut trace, name, || lesson(&jobs, cores), batches);
    }
    bench.finish(&mut trace);
    trace.finish(&options);
}
