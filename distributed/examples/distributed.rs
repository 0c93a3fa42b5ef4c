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

use concurrency_pairs::cli::Options;
use concurrency_pairs::common::{OVER_IDEAL, WALL};
use concurrency_pairs::crawl::{CpuRates, SEED, crawl_jobs};
use concurrency_pairs::{Headline, Pattern, Table, VariantInfo};
use distributed::cli;
use distributed::crawl::crawl_range;
use distributed::launch::{self, cores, own_binary, since_launch, start_rank};
use distributed::outcome::{self, Outcome, report};
use distributed::timeline::Clock;
use distributed::{
    BYTES_SENT, JOB_BUSY, MPI_START, ROOT, Range, Tally, direct_tally, mixed,
    payload_bytes, pool, ranges,
};
use mpi::collective::SystemOperation;
use mpi::topology::SimpleCommunicator;
use mpi::traits::*;

// ANCHOR: scatter_reduce
/// Every rank runs this (SPMD): rank 0 scatters one range to each rank, itself
/// included; each crawls its range; the tallies are added up on rank 0, which alone
/// gets `Some`.
fn scatter_reduce(
    world: &SimpleCommunicator,
    tasks: usize,
    crawl: impl Fn(Range) -> Tally,
) -> Option<Tally> {
    let root = world.process_at_rank(ROOT);
    let mut range: Range = [0; 2];
    if world.rank() == ROOT {
        let ranges: Vec<u64> = ranges(tasks, world.size() as usize).concat();
        root.scatter_into_root(&ranges[..], &mut range);
    } else {
        root.scatter_into(&mut range);
    }
    let tally = crawl(range);
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
.tables(&[Table::new(
    "Does spreading the crawl over ranks pay on one machine?",
    &[WALL, OVER_IDEAL, JOB_BUSY, MPI_START, BYTES_SENT],
)])
.with_tasks();

/// The variants one world of this example runs, in turn; `mixed` is a world of its own.
const IN_WORLD: [&str; 2] = ["scatter-reduce", "pool-executor"];

/// The crawler's default, the articles' 10,000 tasks (the twin's is 1,000).
const TASKS: usize = 10_000;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cli::Args {
        ranks,
        worker,
        options,
    } = cli::parse(&PATTERN, &args)
        .unwrap_or_else(|e| refuse(format_args!("{e} (try --help)")));
    if worker {
        return mixed::worker().unwrap_or_else(|e| refuse(e));
    }
    let n = options.tasks.unwrap_or(TASKS);
    if !launch::under_mpi() {
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
    world.barrier(); // every rank is up: what MPI's start cost ends here
    let started_s = since_launch();
    let here = IN_WORLD
        .into_iter()
        .filter(|v| options.runs(v) && (world.size() > 1 || *v == IN_WORLD[0]));
    let mut found: Vec<Outcome> = here.filter_map(|v| run(&world, v, n)).collect();
    drop(universe); // MPI_Finalize, before the exit code is set
    for outcome in &mut found {
        outcome
            .extra
            .push(("rayon_threads".to_owned(), threads as f64));
        outcome
            .extra
            .extend(started_s.map(|s| ("mpi_start_s".to_owned(), s)));
    }
    if launch::outcomes_wanted() {
        found.iter().for_each(|o| println!("{}", o.to_line()));
        process::exit(0);
    }
    process::exit(i32::from(!report(&found, &PATTERN, &options, n, None)));
}

/// On every rank: one variant, timed from the barrier every rank passes, each rank's
/// spans gathered once the clock has stopped. Rank 0 alone gets the outcome.
fn run(world: &SimpleCommunicator, name: &str, n: usize) -> Option<Outcome> {
    let ranks = world.size() as usize;
    let scatter = name == "scatter-reduce";
    let cut = if scatter {
        ranges(n, ranks)
    } else {
        pool::chunks(n, ranks)
    };
    world.barrier(); // the clock starts on the work, on every rank at once
    let clock = Clock::start();
    let crawl = clock.timed(crawl_range);
    let got = match world.rank() == ROOT {
        _ if scatter => scatter_reduce(world, n, crawl)
            .map(|got| (got, payload_bytes(ranks), Vec::new())),
        true => {
            let served = pool::serve(world, &cut);
            Some((served.total, served.bytes, served.figures()))
        }
        false => {
            pool::work(world, crawl);
            None
        }
    };
    let wall_s = clock.elapsed();
    let spans = clock.gather(world, &cut);
    let (got, bytes_sent, extra) = got?;
    Some(Outcome {
        name: name.to_owned(),
        wall_s,
        ranks: ranks as u64,
        got,
        direct: direct_tally(n),
        bytes_sent,
        extra,
        spans: spans.unwrap_or_default(),
    })
}

/// Started plainly: one `mpirun` for the variants of one world, one for `mixed`; their
/// rank 0s print outcome lines, gathered here into the summary or the trace (with the
/// crawl's ideal, measured here before any rank starts).
fn launch_all(ranks: usize, args: &[String], options: &Options, n: usize) -> i32 {
    let binary = own_binary().unwrap_or_else(|e| refuse(e));
    let cores = cores();
    let rates = options.json.then(|| CpuRates::measure(cores));
    let ideal_s = rates.map(|r| r.ideal(&crawl_jobs(n, SEED)));
    let mut found = Vec::new();
    if IN_WORLD.iter().any(|v| options.runs(v)) {
        found.extend(gathered(launch::mpirun(ranks, &binary, args), cores));
    }
    if options.runs("mixed") && ranks > 1 {
        match mixed::twin_python() {
            Ok(python) => found.extend(gathered(
                mixed::mpirun(&python, n, ranks - 1, binary),
                cores,
            )),
            Err(error) if options.variant.is_some() => refuse(error),
            Err(error) => eprintln!("{}: mixed skipped: {error}", PATTERN.name),
        }
    }
    for outcome in &mut found {
        let rate = rates.map(|r| ("seconds_per_unit".to_owned(), r.all_cores));
        outcome.extra.extend(rate); // the model's, for more cores than these
    }
    i32::from(!report(&found, &PATTERN, options, n, ideal_s))
}

/// The outcomes one `mpirun` printed (its other lines passed on); its exit code, if it
/// failed, ends this one too.
fn gathered(command: process::Command, cores: usize) -> Vec<Outcome> {
    let ran = launch::gather(command).unwrap_or_else(|e| refuse(e));
    let (found, others) = outcome::read(&ran, cores).unwrap_or_else(|e| refuse(e));
    others.iter().for_each(|line| println!("{line}"));
    if ran.code != 0 {
        process::exit(ran.code);
    }
    found
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

/// A one-line error and exit code 2 (see [`cli::refuse`]).
fn refuse(error: impl std::fmt::Display) -> ! {
    cli::refuse(&PATTERN, error)
}
