//! # `spawn_vs_await`: awaiting in sequence versus running concurrently
//!
//! Python: `await say_hello("A"); await say_hello("B")`, each sleeping 3 s, takes 6 s;
//! wrapping both in `asyncio.create_task` (or `asyncio.gather`) takes 3 s. Twin:
//! `python/spawn_vs_await.py`.
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

use concurrency_pairs::work::sleep_s;
use concurrency_pairs::{Cli, Clock, Recorder, TaskSpan, Trace, Variant};
use futures::channel::oneshot;
use tokio::task::JoinSet;

const CLI: Cli = Cli::new(
    "spawn_vs_await",
    "awaiting in sequence versus running concurrently, on tokio, async-std, smol and futures",
);

/// Each greeting sleeps this long first (the article's 3 s with `--full`).
const DEFAULT_S: f64 = 0.3;
const FULL_S: f64 = 3.0;

fn main() {
    let options = CLI.parse();
    let secs = if options.full { FULL_S } else { DEFAULT_S };

    // One thread is enough for concurrency: this runtime never runs two things at once.
    let tokio = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a tokio runtime starts");
    let mut trace = Trace::new("spawn_vs_await", &options);
    for mut variant in [
        tokio.block_on(sequential(secs)),
        tokio.block_on(join(secs)),
        tokio.block_on(spawn(secs)),
        tokio.block_on(group(secs)),
        async_std::task::block_on(async_std_spawn(secs)),
        smol::block_on(smol_spawn(secs)),
        futures::executor::block_on(futures_sequential(secs)),
        futures::executor::block_on(futures_join(secs)),
    ] {
        // The workload's lower bound, for every variant: the sequential ones show 2x.
        variant.ideal_s = Some(secs);
        trace.push(variant);
    }
    trace.finish(&options);
}

fn dur(secs: f64) -> Duration {
    Duration::from_secs_f64(secs)
}

// ANCHOR: say_hello
/// The article's coroutine: sleep, then greet. The sleep is passed in, because each
/// runtime brings its own timer; everything else here is plain Rust.
async fn say_hello(
    clock: Clock,
    id: usize,
    name: &'static str,
    sleep: impl Future,
) -> (String, TaskSpan) {
    let ((), span) = clock
        .span_async(id, format!("task-{id}"), async {
            sleep.await;
        })
        .await;
    (format!("hello, {name}"), span)
}
// ANCHOR_END: say_hello

// ANCHOR: sequential
/// `await say_hello("A"); await say_hello("B")`: B's sleep does not begin until A's ends.
async fn sequential(secs: f64) -> Variant {
    let mut rec = Recorder::new("sequential", "tokio, .await one after the other");
    let clock = rec.clock();
    let (a, span) = say_hello(clock, 0, "A", tokio::time::sleep(dur(secs))).await;
    rec.receive(span, a);
    let (b, span) = say_hello(clock, 1, "B", tokio::time::sleep(dur(secs))).await;
    rec.receive(span, b);
    rec.finish()
}
// ANCHOR_END: sequential

// ANCHOR: join
/// `asyncio.gather`: both futures are polled by this one task, so both sleeps overlap.
async fn join(secs: f64) -> Variant {
    let mut rec = Recorder::new("join", "tokio::join!, no spawn");
    let clock = rec.clock();
    let ((a, span_a), (b, span_b)) = tokio::join!(
        say_hello(clock, 0, "A", tokio::time::sleep(dur(secs))),
        say_hello(clock, 1, "B", tokio::time::sleep(dur(secs))),
    );
    rec.receive(span_a, a);
    rec.receive(span_b, b);
    rec.finish()
}
// ANCHOR_END: join

// ANCHOR: spawn
/// `asyncio.create_task`: each greeting becomes a task the runtime drives on its own;
/// the handles are awaited afterwards.
async fn spawn(secs: f64) -> Variant {
    let mut rec = Recorder::new("spawn", "tokio::spawn, then await the JoinHandles");
    let clock = rec.clock();
    let a = tokio::spawn(say_hello(clock, 0, "A", tokio::time::sleep(dur(secs))));
    let b = tokio::spawn(say_hello(clock, 1, "B", tokio::time::sleep(dur(secs))));
    for handle in [a, b] {
        let (greeting, span) = handle.await.expect("say_hello does not panic");
        rec.receive(span, greeting);
    }
    rec.finish()
}
// ANCHOR_END: spawn

// ANCHOR: group
/// `asyncio.TaskGroup`: a set of spawned tasks owned by one value; results come back
/// as tasks finish.
async fn group(secs: f64) -> Variant {
    let mut rec = Recorder::new("group", "tokio JoinSet");
    let clock = rec.clock();
    let mut set = JoinSet::new();
    for (id, name) in [(0, "A"), (1, "B")] {
        set.spawn(say_hello(clock, id, name, tokio::time::sleep(dur(secs))));
    }
    while let Some(joined) = set.join_next().await {
        let (greeting, span) = joined.expect("say_hello does not panic");
        rec.receive(span, greeting);
    }
    rec.finish()
}
// ANCHOR_END: group

// ANCHOR: async_std_spawn
/// The same program on async-std (discontinued upstream: use smol, below). Its
/// `JoinHandle` yields the value itself, not a `Result`.
async fn async_std_spawn(secs: f64) -> Variant {
    let mut rec = Recorder::new("async-std-spawn", "async_std::task::spawn");
    let clock = rec.clock();
    let sleep = || async_std::task::sleep(dur(secs));
    let a = async_std::task::spawn(say_hello(clock, 0, "A", sleep()));
    let b = async_std::task::spawn(say_hello(clock, 1, "B", sleep()));
    for handle in [a, b] {
        let (greeting, span) = handle.await;
        rec.receive(span, greeting);
    }
    rec.finish()
}
// ANCHOR_END: async_std_spawn

// ANCHOR: smol_spawn
/// And on smol, async-std's successor. A smol `Task` is cancelled if dropped unawaited
/// (call `.detach()` to let it run on); a tokio `JoinHandle` just lets go of the task.
async fn smol_spawn(secs: f64) -> Variant {
    let mut rec = Recorder::new("smol-spawn", "smol::spawn");
    let clock = rec.clock();
    let a = smol::spawn(say_hello(clock, 0, "A", smol::Timer::after(dur(secs))));
    let b = smol::spawn(say_hello(clock, 1, "B", smol::Timer::after(dur(secs))));
    for task in [a, b] {
        let (greeting, span) = task.await;
        rec.receive(span, greeting);
    }
    rec.finish()
}
// ANCHOR_END: smol_spawn

// ANCHOR: thread_timer
/// `futures::executor` has no timer, so build one from std: a thread sleeps, then
/// completes a oneshot channel, whose receiver is a future any executor can await.
/// Like every `async fn`, nothing happens until it is first polled (the thread starts
/// then). One thread per sleep is fine for two sleeps; for thousands, use a shared
/// timer such as smol's `Timer` (async-io), which also works on any executor.
async fn thread_timer(secs: f64) {
    let (fire, fired) = oneshot::channel::<()>();
    thread::spawn(move || {
        sleep_s(secs);
        // The receiver is gone if the sleeper was cancelled: nothing to do then.
        let _ = fire.send(());
    });
    fired.await.expect("the timer thread fires before it ends");
}
// ANCHOR_END: thread_timer

// ANCHOR: futures_sequential
/// No runtime at all: `futures::executor::block_on` polls one future on this thread.
/// Sequential `.await` is the language, so it behaves exactly as on tokio.
async fn futures_sequential(secs: f64) -> Variant {
    let mut rec = Recorder::new("futures-sequential", "futures::executor, .await in turn");
    let clock = rec.clock();
    let (a, span) = say_hello(clock, 0, "A", thread_timer(secs)).await;
    rec.receive(span, a);
    let (b, span) = say_hello(clock, 1, "B", thread_timer(secs)).await;
    rec.receive(span, b);
    rec.finish()
}
// ANCHOR_END: futures_sequential

// ANCHOR: futures_join
/// `futures::join!` is `tokio::join!` without tokio: one future polling two others.
async fn futures_join(secs: f64) -> Variant {
    let mut rec = Recorder::new("futures-join", "futures::executor + futures::join!");
    let clock = rec.clock();
    let ((a, span_a), (b, span_b)) = futures::join!(
        say_hello(clock, 0, "A", thread_timer(secs)),
        say_hello(clock, 1, "B", thread_timer(secs)),
    );
    rec.receive(span_a, a);
    rec.receive(span_b, b);
    rec.finish()
}
// ANCHOR_END: futures_join
