// A thread's closure that borrows a loop's variable is refused (E0373).
use std::thread;

fn main() {
    let mut handlers = Vec::new();
    for signal in ["SIGTERM", "SIGHUP", "SIGINT"] {
        let name = format!("the {signal} handler");
        handlers.push(thread::spawn(|| println!("{name}"))); // borrows `name`
    }
    for handler in handlers {
        handler.join().expect("the handler does not panic");
    }
}
