//! Where human text goes: stdout, or stderr when stdout carries the JSON trace.

use std::fmt;
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

static HUMAN_TO_STDERR: AtomicBool = AtomicBool::new(false);

/// With `--json`, stdout carries only the trace: human text moves to stderr.
pub fn set_human_to_stderr(yes: bool) {
    HUMAN_TO_STDERR.store(yes, Ordering::Relaxed);
}

/// Print one line of human output (stdout, or stderr under `--json`).
pub fn say(args: fmt::Arguments<'_>) {
    // A closed pipe (`| head`) is not worth a panic: drop the line.
    if HUMAN_TO_STDERR.load(Ordering::Relaxed) {
        let _ = writeln!(io::stderr().lock(), "{args}");
    } else {
        let _ = writeln!(io::stdout().lock(), "{args}");
    }
}

/// `say!("...", args)`: a line of human output, see [`say`].
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => { $crate::out::say(format_args!($($arg)*)) };
}
