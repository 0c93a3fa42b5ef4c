//! The articles' own slips, and what Rust says to the same code.
//!
//! Six of the Python mistakes the book shows as pitfalls have a Rust counterpart that the
//! compiler refuses. This module holds no code: its documentation is those programs, which
//! `cargo test --doc` checks the compiler still refuses (`compile_fail`). Each is a file in
//! `src/pitfalls/`, read only by this documentation and by the book, so you can also
//! compile one yourself: `rustc --edition 2024 src/pitfalls/spawn_needs_a_closure.rs`.
//!
//! # `thread::spawn(f())`
//!
//! "Multi-tasking in Python" writes `threading.Thread(target=slow_calculation())`: the
//! call runs on the main thread, and the thread gets its return value (`None`) as its
//! target, so it has nothing to do. `thread::spawn` takes a closure, and `f()` is a value,
//! not a closure (error E0277). The running example is `join_order`.
//!
//! ```compile_fail,E0277
#![doc = include_str!("pitfalls/spawn_needs_a_closure.rs")]
//! ```
//!
//! # A future that is never awaited
//!
//! "Really Boosting Performance: Multiprocessing with Python" calls `asyncio.sleep(2)`
//! without `await` in a plain function: it makes a coroutine and drops it, nothing sleeps,
//! and Python warns at run time that it was never awaited. Rust's futures are
//! `#[must_use]`: rustc warns at compile time ("futures do nothing unless you `.await` or
//! poll them"), and denying warnings, as CI does, makes it an error. The running example
//! is `errors`.
//!
//! ```compile_fail
#![doc = include_str!("pitfalls/future_never_awaited.rs")]
//! ```
//!
//! # Awaiting what is not a future
//!
//! "Concurrency vs. Parallelism" hands CPU work to a pool: `executor.submit` returns a
//! `concurrent.futures.Future`, which asyncio cannot `await` until `wrap_future` (what
//! `run_in_executor` does for you) makes an asyncio future of it. Rust's counterpart is a
//! thread's `JoinHandle`: it is not a `Future`, so `.await` on it is refused (E0277);
//! `tokio::task::spawn_blocking` is the handle an async caller can await. The running
//! example is `run_in_executor`.
//!
//! ```compile_fail,E0277
#![doc = include_str!("pitfalls/await_a_thread_handle.rs")]
//! ```
//!
//! # An arm that swallows the next one
//!
//! The same article matches on what the scheduler holds: `asyncio.Task` is a subclass of
//! `asyncio.Future`, so a `case asyncio.Future()` written first also takes every task, and
//! the task's case never runs. A Rust enum has no subclasses, but the same slip is an arm
//! that matches both cases placed first: rustc finds the dead arm (`unreachable_patterns`),
//! and with warnings denied the program does not build. The running example is
//! `scheduler`.
//!
//! ```compile_fail
#![doc = include_str!("pitfalls/both_arms_match_a_task.rs")]
//! ```
//!
//! # A closure that borrows the loop's variable
//!
//! The same article installs its signal handlers in a loop, each a
//! `lambda: asyncio.create_task(handler())`: the lambdas look `handler` up when they run,
//! so all of them see the last one. A Rust closure that borrows a loop's variable cannot be
//! handed to a thread that may outlive it (E0373); `move` gives each closure its own copy,
//! which is what the Python code meant. The running example is `shutdown`.
//!
//! ```compile_fail,E0373
#![doc = include_str!("pitfalls/closure_borrows_the_loop_variable.rs")]
//! ```
//!
//! # Spinning on a value another thread writes
//!
//! "Multi-tasking in Python" warns against `while result is None: pass`, a loop that
//! burns a core until a thread sets a global. In Rust the plain version is a data race,
//! and the borrow checker refuses it (E0502): one thread holds `result` mutably while the
//! other reads it. An `AtomicBool` compiles and spins just as hard (the suite measures it);
//! `join`, a channel or a `Condvar` sleeps instead. The running example is `event`.
//!
//! ```compile_fail,E0502
#![doc = include_str!("pitfalls/plain_flag_across_threads.rs")]
//! ```
