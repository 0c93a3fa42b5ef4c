//! The articles' pitfalls that their own text does not show: each Python test runs a
//! check of `python/pitfalls/articles.py` and asserts what the pitfall claims; each
//! Rust test asserts what the compiler or a thread's CPU time says to the same slip.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use crate::common;

fn run(name: &str) -> serde_json::Value {
    let output = common::python()
        .arg(common::root().join("python/pitfalls/articles.py"))
        .arg(name)
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "{name} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("the check prints JSON")
}

#[test]
fn python_run_in_executor_calls_submit_once() {
    let v = run("wraps_submit");
    assert_eq!(v["submit_calls"], serde_json::json!(["abs"]));
    assert_eq!(v["returned"], "Future");
    assert_eq!(v["value"], 3);
}

#[test]
fn python_future_case_first_swallows_tasks() {
    let v = run("task_is_future");
    assert_eq!(v["subclass"], true);
    assert_eq!(v["future_first"], serde_json::json!(["future", "future"]));
    assert_eq!(v["task_first"], serde_json::json!(["task", "future"]));
}

#[test]
fn python_concurrent_future_needs_wrap_future() {
    let v = run("concurrent_future");
    assert_eq!(v["is_asyncio_future"], false);
    assert_eq!(v["await_error"], "TypeError");
    assert_eq!(v["wrapped"], 4);
}

#[test]
fn python_asyncio_run_is_not_run_until_complete() {
    let v = run("run_vs_get_event_loop");
    for key in [
        "run_new_loop_each_call",
        "run_closed_loop",
        "run_cancelled_leftover",
    ] {
        assert_eq!(v[key], true, "{key}");
    }
    assert_eq!(v["manual_same_loop"], true);
    assert_eq!(v["manual_loop_open"], true);
    assert_eq!(v["manual_leftover_pending"], 1);
    assert_eq!(v["manual_leftover_cancelled"], false);
}

#[test]
fn python_signal_lambdas_bind_late() {
    let v = run("late_binding");
    assert_eq!(v["late"], serde_json::json!(["SIGINT", "SIGINT", "SIGINT"]));
    assert_eq!(v["default_arg"], v["loop"]);
    assert_eq!(v["partial"], v["loop"]);
}

#[test]
fn python_busy_wait_burns_cpu_event_wait_does_not() {
    let v = run("busy_wait");
    let busy = v["busy_ratio"].as_f64().expect("a ratio");
    let event = v["event_ratio"].as_f64().expect("a ratio");
    // A spinning thread keeps a core busy for what share of it the machine's other
    // work leaves (a tenth even on a machine loaded many times over); a waiting one,
    // next to none of it.
    assert!(
        busy >= 0.1 && busy >= 4.0 * event,
        "busy-wait {busy}, Event.wait {event}"
    );
    assert!(event <= 0.05, "Event.wait CPU/wall {event}");
}

#[test]
fn python_default_pool_is_cores_plus_four_not_processors_times_five() {
    // "Multi-tasking in Python" sizes `executor=None` at the processors times 5: the
    // rule up to 3.7. Since 3.8 it is min(32, cores + 4).
    let v = run("default_pool");
    // (On one core the two rules agree; on more, only the newer one can hold.)
    assert_eq!(v["threads"], v["cores_plus_4"], "{v}");
}

#[test]
fn python_to_thread_calls_run_in_executor() {
    // "Concurrency vs. Parallelism": `to_thread` is `run_in_executor` on the default
    // pool, with the context carried over.
    let v = run("to_thread_wraps");
    assert_eq!(
        v["run_in_executor_calls"],
        serde_json::json!(["default pool"])
    );
    assert_eq!(v["value"], 5);
}

#[test]
fn python_process_join_returns_nothing() {
    // "Combining Multiprocessing and Asyncio": `join` only waits; the child's return
    // value is lost unless it travels back another way (a queue, a pipe, a pool).
    let v = run("join_returns_nothing");
    assert_eq!(v["join_returned"], "None");
    assert_eq!(v["exitcode"], 0);
}

/// The Rust counterparts in `src/pitfalls/` (the articles' slips the chapters show,
/// these and `join_order`'s and `errors`') fail to compile with the errors the book
/// quotes.
#[test]
fn rust_refuses_the_same_slips() {
    common::assert_refused_by_rustc(
        "pitfalls",
        &[
            (
                "spawn_needs_a_closure.rs",
                "error[E0277]: expected a `FnOnce()` closure, found `u64`",
            ),
            (
                "future_never_awaited.rs",
                "error: unused implementer of `Future` that must be used",
            ),
            (
                "await_a_thread_handle.rs",
                "error[E0277]: `JoinHandle<u64>` is not a future",
            ),
            ("both_arms_match_a_task.rs", "error: unreachable pattern"),
            (
                "closure_borrows_the_loop_variable.rs",
                "error[E0373]: closure may outlive the current function, but it \
                 borrows `name`",
            ),
            (
                "plain_flag_across_threads.rs",
                "error[E0502]: cannot borrow `result` as immutable because it is \
                 also borrowed as mutable",
            ),
        ],
    );
}

/// This thread's CPU time, from the kernel's per-thread scheduler statistics.
fn thread_cpu() -> Duration {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat")
        .expect("Linux reports a thread's CPU time");
    let ns = stat.split_whitespace().next().expect("the first field");
    Duration::from_nanos(ns.parse().expect("nanoseconds on a CPU"))
}

/// This thread's CPU time ÷ wall time while it runs `wait`.
fn cpu_ratio(wait: impl FnOnce()) -> f64 {
    let (cpu, start) = (thread_cpu(), Instant::now());
    wait();
    (thread_cpu() - cpu).as_secs_f64() / start.elapsed().as_secs_f64()
}

#[test]
fn rust_spinning_on_an_atomic_burns_a_core_a_channel_does_not() {
    // Another thread sets the result after `delay`; this one waits for it, twice.
    let delay = Duration::from_millis(300);
    let bound = Instant::now() + 20 * delay;
    let done = AtomicBool::new(false);
    let spin = thread::scope(|s| {
        s.spawn(|| {
            thread::sleep(delay);
            done.store(true, Ordering::Release);
        });
        cpu_ratio(|| {
            while !done.load(Ordering::Acquire) && Instant::now() < bound {
                std::hint::spin_loop(); // a hint to the core, still a spin
            }
        })
    });
    let (tx, rx) = mpsc::channel();
    let sleep = thread::scope(|s| {
        s.spawn(move || {
            thread::sleep(delay);
            tx.send(16).expect("the waiter is listening");
        });
        cpu_ratio(|| assert_eq!(rx.recv_timeout(10 * delay), Ok(16)))
    });
    assert!(done.load(Ordering::Acquire), "the spin ran out of time");
    assert!(spin >= 0.1, "spinning kept a core {spin:.2} busy");
    assert!(
        sleep <= 0.05,
        "waiting on a channel kept a core {sleep:.2} busy"
    );
}

#[test]
fn rust_a_dropped_runtime_drops_its_tasks() {
    // `asyncio.run` cancels what is left on its loop; so does dropping a runtime.
    struct Dropped(mpsc::Sender<&'static str>);
    impl Drop for Dropped {
        fn drop(&mut self) {
            let _ = self.0.send("dropped");
        }
    }
    let (tx, rx) = mpsc::channel();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let guard = Dropped(tx);
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(30)).await;
            drop(guard);
        });
        tokio::task::yield_now().await;
    });
    assert!(rx.try_recv().is_err(), "the task is still pending");
    drop(runtime);
    assert_eq!(rx.recv_timeout(Duration::from_secs(5)), Ok("dropped"));
}
