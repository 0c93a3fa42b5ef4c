// `thread::spawn(f())` calls `f` on this thread and hands `spawn` its value: refused.
use std::thread;
use std::time::Duration;

fn slow_calculation() -> u64 {
    thread::sleep(Duration::from_millis(300));
    4 * 4
}

fn main() {
    let handle = thread::spawn(slow_calculation()); // a `u64`, not a closure
    println!("{}", handle.join().expect("the thread does not panic"));
}
