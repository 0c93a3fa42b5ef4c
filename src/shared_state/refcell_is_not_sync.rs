// A `RefCell` lets one thread mutate through a shared reference; it cannot be shared
// between threads, because its borrow checks at run time are not thread-safe.
use std::cell::RefCell;
use std::sync::Arc;
use std::thread;

fn main() {
    let count = Arc::new(RefCell::new(0_u64));
    let handle = {
        let count = Arc::clone(&count);
        thread::spawn(move || *count.borrow_mut() += 1)
    };
    handle.join().expect("the thread does not panic");
    println!("{}", count.borrow());
}
