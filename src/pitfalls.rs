//! The articles' own slips, and what Rust says to the same code.
//!
//! Two of the Python mistakes the book shows as pitfalls have a Rust counterpart that the
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
