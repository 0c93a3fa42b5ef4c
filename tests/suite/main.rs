//! The integration tests, as one binary: it links once, and its tests run in parallel.
//! A module per pattern checks that pattern's claims on the traces of the Rust example
//! and its Python twin; `book` and `generated` check the book and the generated files.

mod common;

mod as_completed;
mod blocking_in_async;
mod book;
mod cancel;
mod claims;
mod concurrency_vs_parallelism;
mod contract;
mod crawler;
mod deadlock;
mod describe;
mod errors;
mod errors_async;
mod event;
mod generated;
mod gil;
mod interrupt;
mod join_order;
mod pipeline;
mod pitfalls_articles;
mod pool_apply;
mod pool_map;
mod prose;
mod run_in_executor;
mod runtimes;
mod scheduler;
mod shared_state;
mod shutdown;
mod spawn_vs_await;
mod sync_primitives;
mod wait_timeout;
