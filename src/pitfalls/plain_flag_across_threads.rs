// Spinning on a value another thread writes is a data race: refused (E0502).
use std::thread;
use std::time::Duration;

fn main() {
    let mut result: Option<u64> = None;
    thread::scope(|s| {
        s.spawn(|| {
            thread::sleep(Duration::from_millis(300));
            result = Some(4 * 4);
        });
        while result.is_none() {} // reads what the other thread is writing
    });
}
