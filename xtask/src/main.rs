//! `cargo xtask`: the project's automation, as a plain Rust program (see
//! matklad/cargo-xtask). Heavy tooling lives here so `cargo run --example` never compiles it.
//!
//! - `cargo xtask timings [--only NAME]... [--runs N] [--full] [--quick] [--out DIR]`
//!   runs every example and its Python twin and writes the tables and timelines in
//!   `book/src/generated/`.
//! - `cargo xtask sweep [--only NAME]... [--runs N] [--quick] [--out DIR]` runs every
//!   example that declares a sweep, and its twin, over the sizes it declares, one fresh
//!   process per run, and writes its compact table, its full tables, a picture per
//!   figure and a headline.
//! - `cargo xtask book [--check] [--shots DIR] [--book DIR]` builds the HTML book
//!   (mdBook as a library); `--check` opens every page in headless Chromium and fails on
//!   a table or picture wider than the text column, a page with more than 10% empty
//!   table cells, a name broken inside a word, a snippet that scrolls sideways, a figure
//!   with three leading zeros, a missing image or include, or a broken link.
//!
//! The modules are layers; each imports only from the layers below it, never sideways
//! up or in a circle:
//!
//! 1. [`measure`]: build the examples, run them (once, repeatedly, in a fresh process per
//!    variant and size), the machine and the setup of a measurement;
//! 2. [`format`](mod@format): one convention for seconds, bytes, ratios, counts and colours;
//! 3. [`plot`]: timelines and the one log-log picture;
//! 4. the pages: [`timings`], [`sweep`] and [`book`], each on the layers below, none on
//!    another.
//!
//! What an example is (its variants, headline, tables and sweep) the xtask does not
//! know: it asks the example (`--describe`).
//!
//! This file only parses the command line and dispatches.

mod book;
mod distributed;
mod format;
mod measure;
mod plot;
mod sweep;
mod timings;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "Automation for concurrency-pairs")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run every example and its Python twin, and write the timing tables and timelines.
    Timings(timings::Args),
    /// Run every example that declares a sweep, and its twin, against the number of
    /// tasks, and write each sweep's table, pictures and headline.
    Sweep(sweep::Args),
    /// Run the MPI chapter's workspace (`distributed/`) and its twins on 1, 2 and 4
    /// ranks beside the crawler, and write its tables, model and pictures.
    Distributed(distributed::Args),
    /// Build the HTML book with search, and print the path of its index page; with
    /// `--check`, open every page in headless Chromium and fail on overflow or breakage.
    Book(book::Args),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            use clap::error::ErrorKind;
            if matches!(
                error.kind(),
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
            ) || matches!(
                error.kind(),
                ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            ) {
                let _ = error.print();
                return if error.kind() == ErrorKind::DisplayHelp {
                    ExitCode::SUCCESS
                } else {
                    ExitCode::from(2)
                };
            }
            // One line, not clap's usage block.
            let rendered = error.render().to_string();
            let first = rendered.lines().next().unwrap_or("error: bad arguments");
            eprintln!("cargo xtask: {first} (try --help)");
            return ExitCode::from(2);
        }
    };
    let result = match cli.command {
        Command::Timings(args) => timings::run(&args),
        Command::Sweep(args) => sweep::run(&args),
        Command::Distributed(args) => distributed::run(&args),
        Command::Book(args) => book::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("cargo xtask: error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
