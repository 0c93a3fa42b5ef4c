// A thread's handle is not a future: `.await` on it is refused (E0277).
use std::thread;

fn fib(n: u64) -> u64 {
    if n < 2 { n } else { fib(n - 1) + fib(n - 2) }
}

async fn answer() -> u64 {
    let handle = thread::spawn(|| fib(30));
    handle.await // a `JoinHandle<u64>`, not a future
}

fn main() {
    drop(answer());
}
