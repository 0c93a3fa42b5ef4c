//! Shared pieces of the concurrency-pairs examples.
//!
//! Every example in `examples/` is a small program that shows one Python concurrency
//! pattern next to its Rust counterpart. Its lessons are plain functions; what the
//! examples have in common, the measuring around the lessons included, lives here once.
//! Modules import downwards only, in this order:
//!
//! - [`out`]: where human text goes (stdout, or stderr under `--json`), and `say!`;
//! - [`cli`]: the flags every example takes, parsed from its [`Pattern`] (`--json`, `--full`, `--help`, and where
//!   declared `--tasks`, `--variant`, `--variants`, `--counts-only`), with a one-line
//!   error for anything else;
//! - [`pattern`]: what a pattern declares about itself, once, in its example: its
//!   variants, headline, tables, flags and sweep (`--describe` prints it);
//! - [`figures`]: the figures a variant reports beside its tasks, and those computed
//!   from its trace;
//! - [`trace`]: the data every example prints with `--json` (`book/src/trace.md`);
//! - [`lab`]: the ambient recorder: [`lab::task`] and [`lab::arrived`] mark a lesson, and
//!   [`Trace::run`] runs a lesson as one variant;
//! - [`signals`]: SIGINT, SIGTERM and SIGHUP as one stream (needs a tokio runtime);
//! - [`work`]: the workloads: a timed sleep, CPU work the compiler cannot remove, and
//!   the articles' big-integer Fibonacci, cancellable at every step;
//! - [`crawl`]: the crawler's seeded jobs (an IO delay, then CPU work), its ideal time,
//!   and what the crawler measures around its lessons (CPU rates and time, the pages'
//!   tally, its figures);
//! - [`event`]: the figures and table the two halves of the event pattern share;
//! - [`gil`]: documentation only: `Send` and `Sync`, and the racy counter the compiler
//!   refuses (checked as `compile_fail` doctests);
//! - [`shared_state`]: documentation only: the ways of sharing a counter between threads
//!   that the compiler refuses (checked as `compile_fail` doctests), and one it accepts.

pub mod articles;
pub mod cli;
pub mod crawl;
pub mod event;
pub mod figures;
pub mod gil;
pub mod interrupt;
pub mod lab;
pub mod out;
pub mod pattern;
pub mod shared_state;
pub mod signals;
pub mod trace;
pub mod work;

pub use cli::Options;
pub use figures::{
    Amount, Derived, Figure, Found, List, Report, Text, Unit, common, given, ideal,
};
pub use lab::{arrived, task, task_async};
pub use pattern::{
    ArticleFigure, Headline, Languages, Pattern, Sweep, Table, VariantInfo,
};
pub use trace::{TaskSpan, Trace, Variant, thread_lane};

/// Documentation only: the articles' slips that the compiler refuses in Rust
/// (`thread::spawn(f())`, a future never awaited, awaiting a thread's handle, a dead
/// match arm, a closure borrowing a loop's variable, spinning on a plain value), checked
/// as `compile_fail` doctests.
pub mod pitfalls;
