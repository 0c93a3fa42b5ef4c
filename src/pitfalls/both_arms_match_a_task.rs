// An arm that matches every task, placed first, leaves the task arm dead.
#![deny(unreachable_patterns)] // a warning, refused under `-D warnings` (CI)

enum Submitted {
    Task(u32),
    Future(u32),
}

fn describe(submitted: &Submitted) -> String {
    match submitted {
        Submitted::Future(id) | Submitted::Task(id) => format!("future {id}"),
        Submitted::Task(id) => format!("task {id}"), // never reached
    }
}

fn main() {
    println!("{}", describe(&Submitted::Task(1)));
    println!("{}", describe(&Submitted::Future(2)));
}
