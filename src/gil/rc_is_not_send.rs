// `Rc` counts its owners without atomic instructions, so a handle on it may
// not move to another thread: two threads would race on the count itself.
use std::rc::Rc;
use std::thread;

fn main() {
    let counter = Rc::new(0_u64);
    let handle = {
        let counter = Rc::clone(&counter);
        thread::spawn(move || *counter + 1)
    };
    let total = handle.join().expect("the thread does not panic");
    println!("{total} {counter}");
}
