//! Shared pieces of the concurrency-pairs examples.
//!
//! Every example in `examples/` is a small program that shows one Python concurrency
//! pattern next to its Rust counterpart. What they have in common lives here, once:
//!
//! - [`cli`]: the flags every example takes (`--json`, `--full`, `--help`), with a clear
//!   one-line error for anything else;
//! - [`trace`]: the recorder that times each task and prints the JSON trace described in
//!   `shared/TRACE.md` (or, by default, a human line per result as it arrives);
//! - [`work`]: the workloads: a timed sleep, CPU work the compiler cannot optimise away,
//!   and an iterative big-number Fibonacci;
//! - [`crawl`]: the crawler's seeded jobs (an IO delay, then CPU work) and its ideal time;
//! - [`shared_state`]: documentation only: the ways of sharing a counter between threads
//!   that the compiler refuses (checked as `compile_fail` doctests), and one it accepts.

pub mod cli;
pub mod crawl;
pub mod shared_state;
pub mod trace;
pub mod work;

pub use cli::{Cli, Options};
pub use trace::{Clock, Recorder, TaskSpan, Trace, Variant, thread_lane};
