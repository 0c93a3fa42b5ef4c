//! Pictures: the timelines of one run, and the one log-log plot of a figure against the
//! number of tasks (the sweep's and the runtimes page's).

mod log_log;
mod timelines;

use plotters::style::{FontDesc, IntoFont};

/// plotters' SVG backend writes a font's size divided by 1.24 (`font-size` is
/// `size / 1.24`): ask for this much more to get the size wanted.
const SVG_FONT_SCALE: f64 = 1.24;

/// A sans-serif font of `px` pixels as shown (every picture is drawn at the size the
/// book shows it).
fn font(px: f64) -> FontDesc<'static> {
    ("sans-serif", px * SVG_FONT_SCALE).into_font()
}

pub use log_log::{LogLog, Marker, Series, log_log};
pub use timelines::{extent, time_axes, timelines};
