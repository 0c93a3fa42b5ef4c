//! # `scheduler`: the capstone, an interactive task scheduler
//!
//! Python: the asyncio REPL of the KitfuCoda series (part 3, scaled in part 4, "Concurrency
//! vs. Parallelism: Achieving Scalability with ProcessPoolExecutor"): `dex NAME` awaits an
//! HTTP API, `fib N` and `fib-multi N N...` run on a process pool, `kill ID` cancels,
//! `quit` and SIGTERM, SIGHUP, SIGINT shut down. Twin: `python/scheduler.py`. Chapter:
//! "scheduler" in the book. The scheduler itself is `scheduler/src/board.rs`.
//!
//! Run: `cargo run --release --example scheduler` and type `help`; or script it,
//! `printf 'dex pikachu\nwait\ndash\n' | cargo run --release --example scheduler`.
//! `--measure` runs the measured variants instead (`--json`: their trace).
//!
//! Watch: `dex` answers while `fib-multi` keeps every core busy; `kill` says how long the
//! task took to stop; `quit` (or Ctrl-C, or end of input) cancels what still runs, drains
//! the pool and prints a summary. A second Ctrl-C during the drain exits at once (130).

mod input;
mod measured;
mod pattern;

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use concurrency_pairs::signals::Signals;
use scheduler::board::human;
use scheduler::command::HELP;
use scheduler::{Command, Scheduler, Server, parse};

use input::Lines;

// ANCHOR: repl
/// Read lines and answer them until `quit`, the end of input or a signal; gives why
/// it stopped. A task command returns at once: its result is printed when it arrives.
async fn repl(
    scheduler: &Arc<Scheduler>,
    lines: &mut Lines,
    signals: &mut Signals,
) -> String {
    loop {
        let line = tokio::select! {
            line = lines.next() => line,
            (name, _) = signals.next() => return name.to_owned(),
        };
        let Some(line) = line else {
            return "end of input".to_owned();
        };
        match parse(&line) {
            Ok(Some(Command::Quit)) => return "quit".to_owned(),
            Ok(Some(command)) => {
                let reply = tokio::select! {
                    reply = evaluate(scheduler, &line, command) => reply,
                    (name, _) = signals.next() => return name.to_owned(),
                };
                lines.print(reply);
            }
            Ok(None) => {}
            Err(bad) => lines.print(format!("error: {bad}")),
        }
        lines.ready();
    }
}

/// One command's answer.
async fn evaluate(
    scheduler: &Arc<Scheduler>,
    line: &str,
    command: Command,
) -> String {
    let answer = match command {
        Command::Start(job) => {
            Ok(format!("task {} submitted", scheduler.submit(line, job)))
        }
        Command::Dash => Ok(scheduler.dash()),
        Command::Job(id) => scheduler.job(id),
        Command::Kill(id) => (scheduler.kill(id).await).map(|took| {
            format!("task {id} killed: stopped {} after the kill", human(took))
        }),
        Command::Wait(id) => scheduler.wait(id).await.map(|()| "waited".to_owned()),
        Command::Help => Ok(HELP.to_owned()),
        Command::Quit => unreachable!("the REPL stops on quit before evaluating"),
    };
    answer.unwrap_or_else(|error| format!("error: {error}"))
}
// ANCHOR_END: repl

// ANCHOR: main
/// The REPL's life: serve, read until told to stop, then shut down under a deadline.
/// A second signal while draining exits at once with 128 + its number.
async fn session(args: &Args) -> Result<u8, String> {
    let mut signals = Signals::listen();
    let server = match &args.server {
        Some(url) => Server::parse(url)?,
        None => scheduler::dex::serve(Duration::from_millis(args.delay_ms))
            .await
            .map_err(|e| format!("cannot start the dex service on loopback: {e}"))?,
    };
    let mut lines =
        Lines::start().map_err(|e| format!("cannot read the terminal: {e}"))?;
    let scheduler =
        Scheduler::new(args.workers.into(), server.clone(), lines.printer());
    lines.print(format!(
        "scheduler: dex at {}, {} pool workers; `help` lists the commands",
        server.url(),
        args.workers
    ));
    lines.ready();
    let why = repl(&scheduler, &mut lines, &mut signals).await;
    scheduler.say(format!("shutting down ({why}): cancelling every task"));
    let deadline = Duration::from_secs_f64(args.deadline_s);
    let summary = tokio::select! {
        summary = scheduler.shutdown(deadline) => summary,
        (name, number) = signals.next() => {
            lines.restore();
            eprintln!("{name} again: exiting now, without waiting");
            return Ok(128 + number as u8);
        }
    };
    scheduler.say(format!(
        "shutdown: {} done, {} failed, {} killed, {} cancelled{}",
        summary.done,
        summary.failed,
        summary.killed,
        summary.cancelled,
        if summary.drained {
            ""
        } else {
            "; the deadline passed with work still running"
        }
    ));
    lines.restore();
    Ok(if summary.drained { 0 } else { 1 })
}
// ANCHOR_END: main

/// The scheduler's command line.
#[derive(Parser, Debug)]
#[command(
    name = "scheduler",
    about = "An interactive task scheduler: dex (IO), fib (CPU), kill, dash, quit."
)]
pub struct Args {
    /// Fetch from this dex service (`http://HOST:PORT`) instead of starting one.
    #[arg(long, value_name = "URL")]
    server: Option<String>,
    /// How long the embedded dex service waits before each answer (a remote API's latency).
    #[arg(long, value_name = "MS", default_value_t = 20)]
    delay_ms: u64,
    /// Threads in the CPU pool (the article's `ProcessPoolExecutor(max_workers=5)`).
    #[arg(long, value_name = "N", default_value_t = 5, value_parser = clap::value_parser!(u16).range(1..=64))]
    workers: u16,
    /// How long the shutdown waits for every task to stop.
    #[arg(long, value_name = "SECONDS", default_value_t = 3.0)]
    deadline_s: f64,
    /// Run the measured variants (dex latency idle, busy and naive; kill latency; a session).
    #[arg(long)]
    measure: bool,
    /// With the measured variants: print the trace as JSON (implies `--measure`).
    #[arg(long)]
    json: bool,
    /// With the measured variants: the larger sizes.
    #[arg(long)]
    full: bool,
    /// With the measured variants: run only this one.
    #[arg(long, value_name = "NAME")]
    variant: Option<String>,
    /// List the measured variants' names and stop.
    #[arg(long)]
    variants: bool,
    /// Print what the measured variants declare about themselves, as JSON, and stop.
    #[arg(long)]
    describe: bool,
}

fn main() -> ExitCode {
    let args = match Args::try_parse() {
        Ok(args) => args,
        Err(e) if !e.use_stderr() => {
            let _ = e.print(); // --help
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            let rendered = e.render().to_string();
            let first = rendered.lines().next().unwrap_or("error: bad arguments");
            eprintln!("scheduler: {first} (try --help)");
            return ExitCode::from(2);
        }
    };
    if args.variants {
        println!("{}", pattern::PATTERN.names(false).join("\n"));
        return ExitCode::SUCCESS;
    }
    if args.describe {
        println!("{}", pattern::PATTERN.to_json());
        return ExitCode::SUCCESS;
    }
    if args.measure || args.json || args.full || args.variant.is_some() {
        // No REPL and no drain: Ctrl-C ends the measuring as it ends any example's run.
        concurrency_pairs::interrupt::install("scheduler");
        return measured::run(&args);
    }
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime starts");
    let code = match runtime.block_on(session(&args)) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("scheduler: {error}");
            2
        }
    };
    // Blocked reads of the terminal end with the process, not with the runtime.
    runtime.shutdown_background();
    ExitCode::from(code)
}
