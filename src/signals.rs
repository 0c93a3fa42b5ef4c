//! The three signals that ask a program to stop, as one stream: what the `shutdown`
//! example and the `scheduler` capstone listen to (Python: `loop.add_signal_handler`).

use tokio::signal::unix::{Signal, SignalKind, signal};

// ANCHOR: signals
/// SIGINT (what Ctrl-C sends; `tokio::signal::ctrl_c` is its portable form), SIGTERM
/// and SIGHUP. Listening starts when this is made: from then on they don't kill us.
pub struct Signals {
    pub int: Signal,
    pub term: Signal,
    pub hup: Signal,
}

impl Signals {
    pub fn listen() -> Self {
        let on = |kind| signal(kind).expect("a signal handler installs");
        Signals {
            int: on(SignalKind::interrupt()),
            term: on(SignalKind::terminate()),
            hup: on(SignalKind::hangup()),
        }
    }

    /// The next of the three to arrive: its name and number.
    pub async fn next(&mut self) -> (&'static str, i32) {
        tokio::select! {
            _ = self.int.recv() => ("SIGINT", 2),
            _ = self.term.recv() => ("SIGTERM", 15),
            _ = self.hup.recv() => ("SIGHUP", 1),
        }
    }
}
// ANCHOR_END: signals
