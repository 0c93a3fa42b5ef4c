//! Ctrl-C in the middle of a run: one line on stderr, `NAME: interrupted`, and exit code
//! 130 (128 + SIGINT, what a shell reports for a program that SIGINT ended), instead of a
//! silent death by signal. The Python twins do the same (`cpairs`).
//!
//! [`Cli::parse`](crate::Cli::parse) installs it for every example, except the ones that
//! listen to SIGINT themselves and declare so with
//! [`Cli::with_own_signals`](crate::Cli::with_own_signals) (`shutdown`, which drains on it).

use std::io::{self, Write};
use std::sync::OnceLock;
use std::{process, thread};

use signal_hook::consts::SIGINT;
use signal_hook::iterator::Signals;

/// The exit code of a run that SIGINT ended: 128 + 2.
pub const EXIT_CODE: i32 = 130;

static INSTALLED: OnceLock<()> = OnceLock::new();

/// From now on SIGINT prints `name: interrupted` on stderr and exits with code 130. A
/// thread of its own waits for it, so the lesson running meanwhile needs no checks; a
/// second call does nothing.
pub fn install(name: &'static str) {
    INSTALLED.get_or_init(|| {
        let mut signals = Signals::new([SIGINT]).expect("a SIGINT handler installs");
        thread::Builder::new()
            .name("interrupt".to_owned())
            .spawn(move || {
                if signals.forever().next().is_some() {
                    interrupted(name);
                }
            })
            .expect("the interrupt thread starts");
    });
}

/// Say so and exit, whatever the other threads are doing: worker threads end with the
/// process, and a line (or a JSON trace) half-written on stdout stays so; the exit code
/// tells it was cut short. `process::exit` never waits for a lock another thread holds.
fn interrupted(name: &str) -> ! {
    // stderr is unbuffered: the line is out before the exit. A closed stderr is no reason
    // not to exit.
    let _ = writeln!(io::stderr().lock(), "{name}: interrupted");
    process::exit(EXIT_CODE)
}
