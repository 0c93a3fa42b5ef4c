//! # `distributed`: the crawler's tasks over MPI ranks, scattered and reduced
//!
//! Python (mpi4py): rank 0 cuts the N crawl tasks into one range per rank and
//! `comm.scatter`s them; each rank crawls its range on one asyncio loop; `comm.reduce`
//! adds up what the ranks found. Here the same with rsmpi (`scatter-reduce`): each rank
//! crawls its range the crawler's best one-machine way, the IO on tokio's
//! current-thread runtime and the CPU parts on rayon, and sends back three integers.
//! A range is two integers: every rank draws the same seeded jobs, so the jobs
//! themselves never travel. Twin: `python/distributed.py`.
//!
//! Run: `cargo run --release --manifest-path distributed/Cargo.toml --example distributed
//! -- --ranks 2 --tasks 10000` (`--ranks N`, one per core by default; `--json` for the
//! trace). Started plainly, it starts itself again under `mpirun -n N`.
//!
//! Watch: rank 0 checks the reduced count and sum against the ones it computes directly,
//! and says how few bytes the ranks exchanged.

use std::process;
use std::time::Duration;

use concurrency_pairs::cli::{CliError, Options, Parsed};
use concurrency_pairs::common::WALL;
use concurrency_pairs::crawl::{TASKS_RUN, WRONG};
use concurrency_pairs::work::{cpu_work, cpu_work_expected};
use concurrency_pairs::{Figure, Headline, Pattern, Trace, VariantInfo, given, out};
use distributed::launch::{cores, relaunch, take_ranks, under_mpi};
use distributed::{ROOT, Range, Tally, direct_tally, jobs_of, payload_bytes, ranges};
use mpi::collective::SystemOperation;
use mpi::topology::SimpleCommunicator;
use mpi::traits::*;
use tokio::{runtime::Builder, sync::oneshot, task::JoinSet};

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

// ANCHOR: crawl_range
/// One rank's range, crawled as the crawler's `io-plus-rayon` does: the waits on one
/// event loop, each CPU part handed to rayon's pool; each result checked as it comes.
fn crawl_range(range: Range) -> Tally {
    let runtime = Builder::new_current_thread().enable_time().build();
    let runtime = runtime.expect("a current-thread runtime starts");
    runtime.block_on(async {
        let mut set = JoinSet::new();
        for job in jobs_of(range) {
            set.spawn(async move {
                tokio::time::sleep(Duration::from_millis(job.io_ms)).await;
                let (sender, receiver) = oneshot::channel();
                rayon::spawn(move || {
                    // The receiver only goes away if the task is dropped: nothing to tell.
                    let _ = sender.send(cpu_work(job.units));
                });
                let sum = receiver.await.expect("the rayon job sends its sum");
                (sum, sum != cpu_work_expected(job.units))
            });
        }
        let mut tally: Tally = [0; 3];
        while let Some(crawled) = set.join_next().await {
            let (sum, wrong) = crawled.expect("a crawl task does not panic");
            tally[0] += 1;
            tally[1] = tally[1].wrapping_add(sum);
            tally[2] += u64::from(wrong);
        }
        tally
    })
}
// ANCHOR_END: crawl_range

/// The ranks the run had.
const RANKS: Figure = Figure::count("ranks", "ranks");
/// The payload bytes the scatter and the reduce moved between processes.
const BYTES_SENT: Figure = Figure::bytes("bytes_sent", "bytes sent");
/// 1 if the reduced sum differs from the one computed directly, else 0.
const SUM_WRONG: Figure = Figure::count("sum_wrong", "reduced sum wrong");

const PATTERN: Pattern = Pattern::new(
    "distributed",
    "the crawler's tasks over MPI ranks: scatter ranges, reduce counts and sums",
)
.variants(&[VariantInfo::both(
    "scatter-reduce",
    "rsmpi scatter of ranges, tokio current-thread + rayon per rank, rsmpi reduce",
)])
.headline(Headline::alone(WALL, "scatter-reduce"))
.with_tasks();

/// The crawler's default, the articles' 10,000 tasks (the twin's is 1,000).
const TASKS: usize = 10_000;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (ranks, options) = match parse(&args) {
        Ok(parsed) => parsed,
        Err(error) => refuse(format_args!("{error} (try --help)")),
    };
    if !under_mpi() {
        match relaunch(ranks.unwrap_or_else(cores), &args) {
            Ok(code) => process::exit(code),
            Err(error) => refuse(error),
        }
    }
    let (universe, _threading) =
        mpi::initialize_with_threading(mpi::Threading::Funneled)
            .expect("MPI is initialised once, here");
    let world = universe.world();
    let local_ranks = world.split_shared(world.rank()).size() as usize;
    // The ranks on this machine share its cores: rayon gets their share of them.
    let threads = (cores() / local_ranks).max(1);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads);
    let pool = pool.thread_name(|i| format!("rayon-{i}"));
    pool.build_global().expect("rayon is set up once");
    let n = options.tasks.unwrap_or(TASKS);
    world.barrier(); // every rank is up: the clock starts on the work, not the launch
    if world.rank() != ROOT {
        scatter_reduce(&world, n);
        return;
    }
    let ok = report(&world, &options, n, threads);
    drop(universe); // MPI_Finalize, before the exit code is set
    process::exit(if ok { 0 } else { 1 });
}

/// On rank 0: run the variant, check its tally and say what it found (one line, or the
/// trace with `--json`). Whether the count and the sum were right.
fn report(
    world: &SimpleCommunicator,
    options: &Options,
    n: usize,
    threads: usize,
) -> bool {
    out::set_human_to_stderr(true); // stdout: the summary line or the trace, alone
    let ranks = world.size() as usize;
    let direct = direct_tally(n);
    let mut trace = Trace::sized(&PATTERN, options, n);
    let mut got: Tally = [0; 3];
    let variant = trace.run("scatter-reduce", || {
        got = scatter_reduce(world, n).expect("rank 0 gets the reduced tally");
        [
            RANKS.of(ranks),
            TASKS_RUN.of(got[0]),
            WRONG.of(got[2]),
            SUM_WRONG.of(got[1] != direct[1]),
            BYTES_SENT.of(payload_bytes(ranks)),
            given("rayon_threads", threads),
        ]
    });
    let wall_s = variant.map_or(f64::NAN, |v| v.wall_s);
    let ok = got[..2] == direct[..2] && got[2] == 0;
    if options.json {
        trace.finish(options);
    } else {
        let [count, sum, wrong] = got;
        let verdict = if ok { "ok" } else { "MISMATCH" };
        println!(
            "scatter-reduce: {n} tasks on {ranks} ranks x {threads} rayon threads: \
             count {count}, sum {sum} (direct {}: {verdict}), {wrong} wrong, \
             {} bytes sent, wall {wall_s:.3} s",
            direct[1],
            payload_bytes(ranks)
        );
    }
    ok
}

/// `--ranks N`, then the flags every example takes: help, `--describe` and
/// `--variants` are answered here and exit.
fn parse(args: &[String]) -> Result<(Option<usize>, Options), CliError> {
    let (ranks, rest) = take_ranks(args)?;
    match PATTERN.try_parse_from(rest)? {
        Parsed::Run(options) => Ok((ranks, options)),
        Parsed::Help => {
            println!(
                "{}\n  --ranks N        run on N MPI ranks (default: one per core)\n\n\
                 Build and run from the repository's root with \
                 `--manifest-path distributed/Cargo.toml`;\nit needs Open MPI \
                 (`mpirun`) on PATH and starts itself under it.",
                PATTERN.usage()
            );
            process::exit(0)
        }
        Parsed::ListVariants => {
            println!("{}", PATTERN.names(false).join("\n"));
            process::exit(0)
        }
        Parsed::Describe => {
            println!("{}", PATTERN.to_json());
            process::exit(0)
        }
    }
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
