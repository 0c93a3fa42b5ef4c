//! # `distributed`: the crawler's tasks over MPI ranks
//!
//! Python (mpi4py): rank 0 cuts the N crawl tasks into one range per rank and
//! `comm.scatter`s them; each rank crawls its range on one asyncio loop; `comm.reduce`
//! adds up what the ranks found. Or an `MPIPoolExecutor` maps the crawler's per-chunk
//! function over the ranks. Here, with rsmpi, three variants; each rank crawls the
//! crawler's best one-machine way ([`crawl_range`]: the IO on tokio's current-thread
//! runtime, the CPU parts on rayon), and every rank draws the same seeded jobs, so a
//! range of tasks is two integers and the jobs themselves never travel:
//!
//! - `scatter-reduce`: rank 0 scatters one range to each rank, the tallies are reduced;
//! - `pool-executor`: rank 0 hands chunks out on request, point to point ([`pool`]);
//! - `mixed`: the same protocol in one `mpirun` of two programs, a Python rank 0 and
//!   Rust workers ([`mixed`]), started by this example with its own `mpirun`.
//!
//! Twin: `python/distributed.py`. Run: `cargo run --release --manifest-path
//! distributed/Cargo.toml --example distributed -- --ranks 2 --tasks 10000` (`--ranks
//! N`, one per core by default; `--variant NAME`; `--json` for the trace). Started
//! plainly, it starts itself again under `mpirun -n N` (and `mixed` under its own).
//!
//! Watch: rank 0 checks the count and the sum against the ones it computes directly,
//! and says how few bytes the ranks exchanged.

use std::process;
use std::time::Instant;

use concurrency_pairs::cli::{CliError, Options, Parsed};
use concurrency_pairs::common::WALL;
use concurrency_pairs::{Headline, Pattern, VariantInfo};
use distributed::crawl::crawl_range;
use distributed::launch::{
    self, cores, gather, own_binary, start_rank, take_ranks, under_mpi,
};
use distributed::outcome::{Outcome, report};
use distributed::{
    ROOT, Range, Tally, direct_tally, mixed, payload_bytes, pool, ranges,
};
use mpi::collective::SystemOperation;
use mpi::topology::SimpleCommunicator;
use mpi::traits::*;

// ANCHOR: scatter_reduce
/// Every rank runs this (SPMD): rank 0 scatters one range to each rank, itself
/// included; each crawls its range; the tallies are added up on rank 0, which alone
/// gets `Some`.
fn scatter_reduce(world: &SimpleCommunicator, tasks: usize) -> Option<Tally> {
    let root = world.process_at_rank(ROOT);
    let mut range: Range = [0; 2];
    if world.rank() == ROOT {
        let ranges: Vec<u64> = ranges(tasks, world.size() as usize).concat();
        root.scatter_into_root(&ranges[..], &mut range);
    } else {
        root.scatter_into(&mut range);
    }
    let tally = crawl_range(range);
    if world.rank() == ROOT {
        let mut total: Tally = [0; 3];
        root.reduce_into_root(&tally, &mut total, SystemOperation::sum());
        Some(total)
    } else {
        root.reduce_into(&tally, SystemOperation::sum());
        None
    }
}
// ANCHOR_END: scatter_reduce

const PATTERN: Pattern = Pattern::new(
    "distributed",
    "the crawler's tasks over MPI ranks: scatter and reduce, a pool, two languages",
)
.variants(&[
    VariantInfo::both(
        "scatter-reduce",
        "rsmpi scatter of ranges, tokio current-thread + rayon per rank, rsmpi reduce",
    ),
    VariantInfo::both(
        "pool-executor",
        "rank 0 hands out chunks on request (rsmpi send/receive, any source), reduce",
    ),
    VariantInfo::python("pool-as-completed"),
    VariantInfo::both(
        "mixed",
        "one mpirun: mpi4py rank 0 (Send/Recv/Reduce of array('Q')), rsmpi workers",
    ),
])
.headline(Headline::alone(WALL, "scatter-reduce"))
.with_tasks();

/// The variants one world of this example runs, in turn; `mixed` is a world of its own.
const IN_WORLD: [&str; 2] = ["scatter-reduce", "pool-executor"];

/// The crawler's default, the articles' 10,000 tasks (the twin's is 1,000).
const TASKS: usize = 10_000;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (ranks, worker, options) = match parse(&args) {
        Ok(parsed) => parsed,
        Err(error) => refuse(format_args!("{error} (try --help)")),
    };
    if worker {
        return mixed_worker();
    }
    let n = options.tasks.unwrap_or(TASKS);
    if !under_mpi() {
        let ranks = ranks.unwrap_or_else(cores);
        fits(&options, ranks);
        process::exit(launch_all(ranks, &args, &options, n));
    }
    if options.variant.as_deref() == Some("mixed") {
        refuse("`mixed` starts an mpirun of its own: run it plainly");
    }
    let size = std::env::var("OMPI_COMM_WORLD_SIZE").map(|s| s.parse());
    fits(&options, size.map_or(1, |s| s.unwrap_or(1)));
    let (universe, threads) = start_rank();
    let world = universe.world();
    let here: Vec<&str> = IN_WORLD
        .into_iter()
        .filter(|v| options.runs(v) && (world.size() > 1 || *v == IN_WORLD[0]))
        .collect();
    if world.rank() != ROOT {
        for name in here {
            world.barrier(); // as rank 0 starts its clock
            match name {
                "scatter-reduce" => drop(scatter_reduce(&world, n)),
                _ => pool::work(&world, crawl_range),
            }
        }
        return;
    }
    let found: Vec<Outcome> =
        here.iter().map(|v| run(&world, v, n, threads)).collect();
    drop(universe); // MPI_Finalize, before the exit code is set
    if launch::outcomes_wanted() {
        found.iter().for_each(|o| println!("{}", o.to_line()));
        process::exit(0);
    }
    process::exit(i32::from(!report(&found, &PATTERN, &options, n)));
}

/// On rank 0: one variant, timed from the barrier every rank passes.
fn run(world: &SimpleCommunicator, name: &str, n: usize, threads: usize) -> Outcome {
    let ranks = world.size() as usize;
    world.barrier(); // every rank is up: the clock starts on the work, not the launch
    let start = Instant::now();
    let (got, bytes_sent, mut extra) = if name == "scatter-reduce" {
        let got = scatter_reduce(world, n).expect("rank 0 gets the reduced tally");
        (got, payload_bytes(ranks), Vec::new())
    } else {
        let served = pool::serve(world, &pool::chunks(n, ranks));
        (served.total, served.bytes, served.figures())
    };
    extra.push(("rayon_threads".to_owned(), threads as f64));
    Outcome {
        name: name.to_owned(),
        wall_s: start.elapsed().as_secs_f64(),
        ranks: ranks as u64,
        got,
        direct: direct_tally(n),
        bytes_sent,
        extra,
    }
}

/// Started plainly: one `mpirun` for the variants of one world, one for `mixed`; their
/// rank 0s print outcome lines, gathered here into the summary or the trace.
fn launch_all(ranks: usize, args: &[String], options: &Options, n: usize) -> i32 {
    let binary = own_binary().unwrap_or_else(|e| refuse(e));
    let mut found = Vec::new();
    if IN_WORLD.iter().any(|v| options.runs(v)) {
        found.extend(gathered(launch::mpirun(ranks, &binary, args)));
    }
    if options.runs("mixed") && ranks > 1 {
        match mixed::twin_python() {
            Ok(python) => {
                found.extend(gathered(mixed::mpirun(&python, n, ranks - 1, binary)))
            }
            Err(error) if options.variant.is_some() => refuse(error),
            Err(error) => eprintln!("{}: mixed skipped: {error}", PATTERN.name),
        }
    }
    i32::from(!report(&found, &PATTERN, options, n))
}

/// The outcomes one `mpirun` printed; its exit code, if it failed, ends this one too.
fn gathered(command: process::Command) -> Vec<Outcome> {
    let ran = gather(command).unwrap_or_else(|e| refuse(e));
    let mut found = Vec::new();
    for line in ran.stdout.lines() {
        match Outcome::parse(line) {
            Some(Ok(outcome)) => found.push(outcome),
            Some(Err(error)) => refuse(error),
            None => println!("{line}"),
        }
    }
    if ran.code != 0 {
        process::exit(ran.code);
    }
    found
}

/// A worker rank of `mixed`: the pool's worker side, answering a Python rank 0.
fn mixed_worker() {
    if !under_mpi() {
        refuse(
            "--mixed-worker is a rank of a `mixed` run: run --variant mixed instead",
        );
    }
    let (universe, _threads) = start_rank();
    let world = universe.world();
    world.barrier();
    pool::work(&world, crawl_range);
}

/// `pool-executor` and `mixed` need a worker besides rank 0; asked for on one rank,
/// they are refused (left out when every variant runs).
fn fits(options: &Options, ranks: usize) {
    match options.variant.as_deref() {
        Some(v @ ("pool-executor" | "mixed")) if ranks < 2 => refuse(format_args!(
            "`{v}` needs --ranks 2 or more (rank 0 hands out, the others crawl)"
        )),
        None if ranks < 2 => {
            eprintln!("{}: one rank: scatter-reduce only", PATTERN.name)
        }
        _ => {}
    }
}

/// `--ranks N` and `--mixed-worker`, then the flags every example takes: help,
/// `--describe` and `--variants` are answered here and exit.
fn parse(args: &[String]) -> Result<(Option<usize>, bool, Options), CliError> {
    let (ranks, rest) = take_ranks(args)?;
    let worker = rest.iter().any(|a| a == mixed::WORKER_FLAG);
    let rest = rest.into_iter().filter(|a| a != mixed::WORKER_FLAG);
    match PATTERN.try_parse_from(rest)? {
        Parsed::Run(options) => return Ok((ranks, worker, options)),
        Parsed::Help => println!(
            "{}\n  --ranks N        run on N MPI ranks (default: one per core)\n\n\
             Build and run from the repository's root with \
             `--manifest-path distributed/Cargo.toml`;\nit needs Open MPI \
             (`mpirun`) on PATH and starts itself under it.",
            PATTERN.usage()
        ),
        Parsed::ListVariants => println!("{}", PATTERN.names(false).join("\n")),
        Parsed::Describe => println!("{}", PATTERN.to_json()),
    }
    process::exit(0)
}

/// A one-line error and exit code 2, said by one process only: the launcher, or rank 0
/// when a rank is refused.
fn refuse(error: impl std::fmt::Display) -> ! {
    let rank = std::env::var("OMPI_COMM_WORLD_RANK").ok();
    if rank.is_none_or(|r| r == "0") {
        eprintln!("{}: error: {error}", PATTERN.name);
    }
    process::exit(2)
}
