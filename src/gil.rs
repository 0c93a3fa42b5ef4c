//! The GIL's job, done by the type system: what the compiler refuses to share between
//! threads, and why.
//!
//! CPython's global interpreter lock (GIL) lets one thread at a time run Python code. It
//! keeps the interpreter's own data (reference counts, dictionaries, lists) consistent,
//! but not the program's: `x = counter; ...; counter = x + 1` from two threads still
//! loses updates, because another thread may run between the read and the write. Rust
//! has no such lock. Instead two marker traits, checked at compile time, say what may
//! cross a thread boundary:
//!
//! - `Send`: a value of this type may be *moved* to another thread. `Rc` is not `Send`,
//!   because its reference count is updated without atomic instructions.
//! - `Sync`: a value of this type may be *shared* between threads (`&T` is `Send`).
//!   `Cell` and `RefCell` are not `Sync`: they allow mutation through a shared
//!   reference with no synchronisation.
//!
//! The compiler implements both for a type whose parts all have them, and `thread::spawn`
//! (and `Scope::spawn`) require them of what the new thread captures. This module holds
//! no code: its documentation is the programs `cargo test --doc` checks the compiler
//! still refuses (`compile_fail`), and one it accepts. Each refused program is a file
//! in `src/gil/` (not a module: read only by this documentation, the book and a test), so
//! you can also compile one yourself: `rustc --edition 2024 src/gil/rc_is_not_send.rs`.
//!
//! The running example, with the measurements, is `examples/gil.rs`.
//!
//! # Python's racy counter, in Rust
//!
//! Read, let the other thread run, write back, through a `Cell`: `Cell<u64>` is not
//! `Sync`, so `&Cell<u64>` is not `Send`, and no thread may capture it (error E0277).
//!
//! ```compile_fail,E0277
#![doc = include_str!("gil/cell_is_not_sync.rs")]
//! ```
//!
//! # A handle that may not move
//!
//! `Rc<u64>` is not `Send`: the closure that captures it cannot go to another thread
//! (error E0277).
//!
//! ```compile_fail,E0277
#![doc = include_str!("gil/rc_is_not_send.rs")]
//! ```
//!
//! # What compiles
//!
//! A `Mutex` is `Sync` when what it guards is `Send`: the lock, held from the read to
//! the write, makes the two one step for every other thread. (An atomic integer does the
//! same in one instruction.)
//!
//! ```
//! use std::sync::Mutex;
//! use std::thread;
//!
//! let counter = Mutex::new(0_u64);
//! thread::scope(|s| {
//!     for _ in 0..2 {
//!         s.spawn(|| {
//!             for _ in 0..1_000 {
//!                 let mut n = counter.lock().expect("no thread panics holding it");
//!                 let x = *n; // read
//!                 thread::yield_now(); // let the other thread run: it waits for the lock
//!                 *n = x + 1; // write back
//!             }
//!         });
//!     }
//! });
//! assert_eq!(counter.into_inner().expect("not poisoned"), 2_000); // no update lost
//! ```
