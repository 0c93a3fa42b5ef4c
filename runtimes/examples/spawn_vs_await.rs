//! # `spawn_vs_await`: awaiting in sequence versus running concurrently
//!
//! Python: `await say_hello("A"); await say_hello("B")`, each sleeping 3 s, takes 6 s;
//! wrapping both in `asyncio.create_task` (or `asyncio.gather`) takes 3 s. Twin:
//! `python/spawn_vs_await.py`. Chapter: "spawn_vs_await" in the book.
//!
//! Run: `cargo run --release --example spawn_vs_await` (0.3 s sleeps; `--full` for the
//! article's 3 s, `--json` for the trace).
//!
//! Watch: in `sequential`, task 1 *starts* when task 0 ends and "hello, B" arrives at
//! 0.6 s; in every other block both greetings arrive together at 0.3 s. The same
//! holds on tokio, async-std, smol and with no runtime at all (`futures-*`): `.await`
//! and `join!` are the language and the `futures` crate; `spawn` and timers are the
//! runtime's.

use std::future::Future;
use std::thread;
use std::time::Duration;

use concurrency_pairs::common::{OVER_IDEAL, WALL};
use concurrency_pairs::{
    ArticleFigure, Derived, Figure, Headline, Pattern, Table, Trace, VariantInfo,
    arrived, articles, task_async,
};
use futures::channel::oneshot;
use tokio::task::JoinSet;

// ANCHOR: say_hello
/// The article's coroutine: sleep, then greet. The sleep is passed in, because each
/// runtime brings its own timer; everything else here is plain Rust.
async fn say_hello(name: &str, sleep: impl Future) -> String {
    sleep.await;
    format!("hello, {name}")
}
// ANCHOR_END: say_hello

// Below, `task_async(id, fut)` awaits `fut` as task `id` (timed, for the trace), and
// `arrived(id, value)` prints a result the moment the caller holds it.

// ANCHOR: sequential
/// `await say_hello("A"); await say_hello("B")`: B's sleep begins when A's ends.
async fn sequential(d: Duration) {
    let a = task_async(0, say_hello("A", tokio::time::sleep(d))).await;
    arrived(0, a);
    let b = task_async(1, say_hello("B", tokio::time::sleep(d))).await;
    arrived(1, b);
}
// ANCHOR_END: sequential

// ANCHOR: join
/// `asyncio.gather`: this one task polls both futures, so both sleeps overlap.
async fn join(d: Duration) {
    let (a, b) = tokio::join!(
        task_async(0, say_hello("A", tokio::time::sleep(d))),
        task_async(1, say_hello("B", tokio::time::sleep(d))),
    );
    arrived(0, a);
    arrived(1, b);
}
// ANCHOR_END: join

// ANCHOR: spawn
/// `asyncio.create_task`: each greeting becomes a task the runtime drives on its own;
/// the handles are awaited afterwards.
async fn spawn(d: Duration) {
    let a = tokio::spawn(task_async(0, say_hello("A", tokio::time::sleep(d))));
    let b = tokio::spawn(task_async(1, say_hello("B", tokio::time::sleep(d))));
    for (id, handle) in [a, b].into_iter().enumerate() {
        arrived(id, handle.await.expect("say_hello does not panic"));
    }
}
// ANCHOR_END: spawn

// ANCHOR: group
/// `asyncio.TaskGroup`: a set of spawned tasks owned by one value; results come back
/// as tasks finish, so each task hands back its id with its greeting.
async fn group(d: Duration) {
    let mut set = JoinSet::new();
    for (id, name) in ["A", "B"].into_iter().enumerate() {
        let hello = task_async(id, say_hello(name, tokio::time::sleep(d)));
        set.spawn(async move { (id, hello.await) });
    }
    while let Some(joined) = set.join_next().await {
        let (id, greeting) = joined.expect("say_hello does not panic");
        arrived(id, greeting);
    }
}
// ANCHOR_END: group

// ANCHOR: async_std_spawn
/// The same program on async-std (discontinued upstream: use smol, below). Its
/// `JoinHandle` yields the value itself, not a `Result`.
async fn async_std_spawn(d: Duration) {
    use async_std::task::{sleep, spawn};
    let a = spawn(task_async(0, say_hello("A", sleep(d))));
    let b = spawn(task_async(1, say_hello("B", sleep(d))));
    for (id, handle) in [a, b].into_iter().enumerate() {
        arrived(id, handle.await);
    }
}
// ANCHOR_END: async_std_spawn

// ANCHOR: smol_spawn
/// And on smol, async-std's successor. A smol `Task` is cancelled if dropped
/// unawaited (`.detach()` lets it run on); a tokio `JoinHandle` just lets go of it.
async fn smol_spawn(d: Duration) {
    let a = smol::spawn(task_async(0, say_hello("A", smol::Timer::after(d))));
    let b = smol::spawn(task_async(1, say_hello("B", smol::Timer::after(d))));
    for (id, task) in [a, b].into_iter().enumerate() {
        arrived(id, task.await);
    }
}
// ANCHOR_END: smol_spawn

// ANCHOR: thread_timer
/// `futures::executor` has no timer, so build one from std: a thread sleeps, then
/// completes a oneshot channel, whose receiver is a future any executor can await.
/// Like every `async fn`, nothing happens until it is first polled (the thread starts
/// then). One thread per sleep is fine for two sleeps; for thousands, use a shared
/// timer such as smol's `Timer` (async-io), which also works on any executor.
async fn thread_timer(d: Duration) {
    let (fire, fired) = oneshot::channel::<()>();
    thread::spawn(move || {
        thread::sleep(d);
        // The receiver is gone if the sleeper was cancelled: nothing to do then.
        let _ = fire.send(());
    });
    fired.await.expect("the timer thread fires before it ends");
}
// ANCHOR_END: thread_timer

// ANCHOR: futures_sequential
/// No runtime at all: `futures::executor::block_on` polls one future on this thread.
/// Sequential `.await` is the language, so it behaves exactly as on tokio.
async fn futures_sequential(d: Duration) {
    let a = task_async(0, say_hello("A", thread_timer(d))).await;
    arrived(0, a);
    let b = task_async(1, say_hello("B", thread_timer(d))).await;
    arrived(1, b);
}
// ANCHOR_END: futures_sequential

// ANCHOR: futures_join
/// `futures::join!` is `tokio::join!` without tokio: one future polling two others.
async fn futures_join(d: Duration) {
    let (a, b) = futures::join!(
        task_async(0, say_hello("A", thread_timer(d))),
        task_async(1, say_hello("B", thread_timer(d))),
    );
    arrived(0, a);
    arrived(1, b);
}
// ANCHOR_END: futures_join

/// Python only: how many event loops two `asyncio.run` calls went through.
const EVENT_LOOPS: Figure = Figure::count("event_loops", "distinct event loops");
/// When the first greeting was printed: the article's program with one greeting.
const FIRST_GREETING: Figure = Figure::seconds("first_greeting_s", "first greeting")
    .derived(Derived::ReceivedAt(0));

const PATTERN: Pattern = Pattern::new(
    "spawn_vs_await",
    "awaiting in sequence versus running concurrently, on tokio, async-std, smol and futures",
)
.variants(&[
    VariantInfo::both("sequential", "tokio, .await one after the other"),
    VariantInfo::both("join", "tokio::join!, no spawn"),
    VariantInfo::both("spawn", "tokio::spawn, then await the JoinHandles"),
    VariantInfo::both("group", "tokio JoinSet"),
    VariantInfo::rust("async-std-spawn", "async_std::task::spawn"),
    VariantInfo::rust("smol-spawn", "smol::spawn"),
    VariantInfo::rust("futures-sequential", "futures::executor, .await in turn"),
    VariantInfo::rust("futures-join", "futures::executor + futures::join!"),
    VariantInfo::python("asyncio-run-twice"),
])
.headline(Headline::new(WALL, "join", "sequential"))
.article(&[
    ArticleFigure::new(
        articles::MULTI_TASKING,
        "one greeting after an awaited sleep of 3 s",
        3.00425,
        FIRST_GREETING,
        "sequential",
        "claims::article_figure_one_greeting_takes_its_sleep",
    ),
    ArticleFigure::new(
        articles::MULTI_TASKING,
        "two greetings awaited one after the other",
        6.00553,
        WALL,
        "sequential",
        "claims::article_figure_two_awaits_take_the_sum",
    ),
    ArticleFigure::new(
        articles::MULTI_TASKING,
        "the two made tasks with create_task, then awaited",
        3.00403,
        WALL,
        "spawn",
        "claims::article_figure_create_task_takes_the_longest",
    ),
])
.tables(&[
    Table::new(
        "Do two awaits in a row take the sum, and joined or spawned ones the max?",
        &[WALL, OVER_IDEAL],
    ),
    Table::new(
        "Does asyncio.run make a new event loop on every call?",
        &[EVENT_LOOPS],
    ),
]);

/// Each greeting sleeps this long first (the article's 3 s with `--full`).
const DEFAULT_S: f64 = 0.3;
const FULL_S: f64 = 3.0;

fn main() {
    let options = PATTERN.parse();
    let secs = if options.full { FULL_S } else { DEFAULT_S };
    let d = Duration::from_secs_f64(secs);

    // One thread is enough for concurrency: this runtime never runs two things at once.
    let tokio = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a tokio runtime starts");
    let mut trace = Trace::new(&PATTERN, &options);
    trace.run("sequential", || tokio.block_on(sequential(d)));
    trace.run("join", || tokio.block_on(join(d)));
    trace.run("spawn", || tokio.block_on(spawn(d)));
    trace.run("group", || tokio.block_on(group(d)));
    trace.run("async-std-spawn", || {
        async_std::task::block_on(async_std_spawn(d))
    });
    trace.run("smol-spawn", || smol::block_on(smol_spawn(d)));
    trace.run("futures-sequential", || {
        futures::executor::block_on(futures_sequential(d))
    });
    trace.run("futures-join", || {
        futures::executor::block_on(futures_join(d))
    });
    // The workload's lower bound, for every variant: the sequential ones show 2x.
    trace.set_ideal(secs);
    trace.finish(&options);
}
