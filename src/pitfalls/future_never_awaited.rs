// An async fn's call only makes a future; dropped unawaited, it never runs.
#![deny(unused_must_use)] // rustc warns by default; `-D warnings` (as in CI) refuses

use std::time::Duration;

async fn sleep(duration: Duration) {
    std::thread::sleep(duration);
}

async fn child_process_task() -> Result<u64, String> {
    sleep(Duration::from_secs(2)); // no `.await`: nothing sleeps
    10_u64.checked_div(0).ok_or_else(|| "division by zero".to_owned())
}

fn main() {
    drop(child_process_task());
}
