// Python's racy counter in Rust: read it, let the other thread run, write it
// back. A `Cell` allows that through a shared reference, on one thread only.
use std::cell::Cell;
use std::thread;

fn main() {
    let counter = Cell::new(0_u64);
    thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                for _ in 0..10_000 {
                    let x = counter.get(); // read
                    thread::yield_now(); // let the other thread run
                    counter.set(x + 1); // write back
                }
            });
        }
    });
    println!("{}", counter.get());
}
