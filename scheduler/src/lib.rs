//! # `scheduler`: the capstone, an interactive task scheduler
//!
//! The Rust side of the REPL scheduler that the KitfuCoda asyncio series builds (part 3)
//! and scales with a `ProcessPoolExecutor` (part 4, "Concurrency vs. Parallelism:
//! Achieving Scalability with ProcessPoolExecutor"). Its own workspace member, so its
//! HTTP and line-editing crates never slow a newcomer's first example build.
//!
//! - [`command`]: a line in, a command or a one-line error out;
//! - [`dex`]: the IO half, a loopback JSON service and its HTTP client;
//! - [`board`]: the scheduler, its tasks, `kill`, `dash`, `job` and the shutdown.
//!
//! The REPL, signals and the measured variants are in `examples/scheduler/`.

pub mod board;
pub mod command;
pub mod dex;

pub use board::{Print, Scheduler, State, Summary};
pub use command::{BadInput, Command, Job, parse};
pub use dex::Server;
