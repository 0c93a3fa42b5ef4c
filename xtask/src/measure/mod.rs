//! The bottom layer: building the examples, running them, and the facts about the
//! machine they ran on. Nothing here knows about tables, units or pictures.
//!
//! Its modules, each importing only from those listed before it:
//!
//! - [`build`]: where the workspace is, and building the examples in release mode;
//! - [`language`]: Rust or Python, and the command that runs an example in each;
//! - [`process`]: one run of one program, to the end or to a time limit;
//! - [`runs`]: one example's trace, run again and again ([`Runs`], [`Measured`]);
//! - [`fresh`]: one fresh process per (language, variant, N): the sweep and the ladder;
//! - [`machine`]: the machine as a struct, and the [`Setup`] of a measurement.

mod build;
mod fresh;
mod language;
mod machine;
mod process;
mod runs;

use indicatif::{ProgressBar, ProgressStyle};

pub use build::{build_release, examples, root};
pub use fresh::{Fresh, Job, plan, warm_ups};
pub use language::Language;
pub use machine::Setup;
pub use process::run_once;
pub use runs::{Measured, Runs, describe, parse_trace, repeat};

/// A progress bar for runs: elapsed time, a bar, done/total and what runs now. Callers
/// grow its length as they plan work ([`ProgressBar::inc_length`]).
pub fn progress() -> ProgressBar {
    let bar = ProgressBar::new(0).with_style(
        ProgressStyle::with_template(
            "{elapsed_precise} [{bar:30}] {pos}/{len} {msg}",
        )
        .expect("a valid progress template")
        .progress_chars("=> "),
    );
    // Single runs last minutes at the largest sizes: keep the clock moving.
    bar.enable_steady_tick(std::time::Duration::from_secs(1));
    bar
}
