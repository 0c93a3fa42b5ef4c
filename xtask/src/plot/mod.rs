//! Pictures: the timelines of one run, and the one log-log plot of a figure against the
//! number of tasks (the sweep's and the runtimes page's).

mod log_log;
mod timelines;

pub use log_log::{LogLog, Marker, Series, log_log};
pub use timelines::{extent, time_axes, timelines};
