// `Arc` shares a value between threads, but only for reading.
use std::sync::Arc;
use std::thread;

fn main() {
    let count = Arc::new(0_u64);
    let handle = {
        let count = Arc::clone(&count);
        thread::spawn(move || *count += 1)
    };
    handle.join().expect("the thread does not panic");
    println!("{count}");
}
