//! Sharing a counter between threads: what the compiler refuses, and what it accepts.
//!
//! In Python, two threads (or two processes through a `Manager`) can both run
//! `count += 1` on the same counter; it is a read followed by a write, so increments are
//! lost when the two interleave. In Rust the same program does not compile. This module
//! holds no code: its documentation is a set of programs that `cargo test --doc` checks
//! the compiler still refuses (`compile_fail`), and one that it accepts. Each refused
//! program is a file in `src/shared_state/` (not a module: the files are only read by
//! this documentation and by the book, which quotes the compiler's messages), so you can
//! also compile one yourself: `rustc --edition 2024 src/shared_state/arc_is_read_only.rs`.
//!
//! The running example, with the measurements, is `examples/shared_state.rs`.
//!
//! # Two threads, one plain counter
//!
//! Each thread needs `&mut count` to add to it, and there can be only one `&mut` at a
//! time (error E0499): the data race is a compile error.
//!
//! ```compile_fail,E0499
#![doc = include_str!("shared_state/two_threads_one_counter.rs")]
//! ```
//!
//! # `Arc` shares, but read-only
//!
//! `Arc<u64>` gives every thread a handle on the same value, but only `&u64` through it
//! (error E0594): shared *and* mutable needs something that synchronises.
//!
//! ```compile_fail,E0594
#![doc = include_str!("shared_state/arc_is_read_only.rs")]
//! ```
//!
//! # `RefCell` is for one thread
//!
//! `RefCell` allows mutation through a shared reference by checking borrows at run time,
//! with no synchronisation, so it is not `Sync` and `Arc<RefCell<_>>` cannot cross to
//! another thread (error E0277).
//!
//! ```compile_fail,E0277
#![doc = include_str!("shared_state/refcell_is_not_sync.rs")]
//! ```
//!
//! # What compiles
//!
//! An atomic (or a `Mutex`) makes the read-modify-write one indivisible step, and the
//! compiler accepts sharing it:
//!
//! ```
//! use std::sync::Arc;
//! use std::sync::atomic::{AtomicU64, Ordering};
//! use std::thread;
//!
//! let count = Arc::new(AtomicU64::new(0));
//! let threads: Vec<_> = (0..2)
//!     .map(|_| {
//!         let count = Arc::clone(&count);
//!         thread::spawn(move || {
//!             for _ in 0..1_000 {
//!                 count.fetch_add(1, Ordering::Relaxed);
//!             }
//!         })
//!     })
//!     .collect();
//! for thread in threads {
//!     thread.join().expect("a counting thread does not panic");
//! }
//! assert_eq!(count.load(Ordering::Relaxed), 2_000); // no update lost
//! ```
