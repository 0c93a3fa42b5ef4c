//! # `distributed_costs`: what MPI costs here, before any work
//!
//! Python (mpi4py): two ranks pass a three-integer message back and forth; the
//! lowercase `comm.send`/`comm.recv` pickle a tuple, the uppercase `Send`/`Recv` pass an
//! `array('Q')` as it is. Here, with rsmpi, the message is a `[u64; 3]` buffer, as in
//! the `distributed` example. Each way runs twice, in a world of its own: over TCP on
//! the loopback (`OMPI_MCA_btl=self,tcp`, what every run of the chapter uses) and over
//! shared memory (`self,vader`). The chapter's model for several hosts starts from
//! these figures: a world's start-up and one message's time.
//!
//! Twin: `python/distributed_costs.py`. Run: `cargo run --release --manifest-path
//! distributed/Cargo.toml --example distributed_costs` (`--tasks N` round trips,
//! 20,000 by default; `--variant NAME`; `--json` for the trace).
//!
//! Watch: shared memory against TCP, and how many messages a world's start-up is
//! worth.

use std::process;
use std::time::Instant;

use concurrency_pairs::{Headline, Pattern, Table, VariantInfo};
use distributed::launch::{self, own_binary, since_launch};
use distributed::outcome::{self, Outcome, report};
use distributed::{MESSAGE_BYTES, MPI_START, ONE_WAY, cli};
use mpi::traits::*;

// ANCHOR: ping_pong
/// On ranks 0 and 1: `rounds` round trips of a three-integer message, rank 1 sending
/// back what it got; on rank 0, the round trips whose echo came back unchanged.
fn ping_pong(world: &impl Communicator, rounds: usize) -> Option<u64> {
    let other = world.process_at_rank(1 - world.rank());
    let mut echoed = 0;
    for round in 0..rounds as u64 {
        let mut message = [round, round + 1, round + 2];
        if world.rank() == 0 {
            other.send(&message);
            let sent = message;
            other.receive_into(&mut message);
            echoed += u64::from(message == sent);
        } else {
            other.receive_into(&mut message);
            other.send(&message);
        }
    }
    (world.rank() == 0).then_some(echoed)
}
// ANCHOR_END: ping_pong

const PATTERN: Pattern = Pattern::new(
    "distributed_costs",
    "what MPI costs here: a world's start-up and one message, over TCP and shared memory",
)
.variants(&[
    VariantInfo::python("tcp-lowercase"),
    VariantInfo::both("tcp-buffer", "rsmpi send/receive of [u64; 3], self,tcp"),
    VariantInfo::python("vader-lowercase"),
    VariantInfo::both("vader-buffer", "rsmpi send/receive of [u64; 3], self,vader"),
])
.headline(Headline::new(ONE_WAY, "vader-buffer", "tcp-buffer"))
.tables(&[Table::new(
    "What do a message and a world's start cost?",
    &[ONE_WAY, MESSAGE_BYTES, MPI_START],
)])
.with_tasks();

/// Round trips by default: enough for a steady figure, under a second over TCP.
const ROUNDS: usize = 20_000;
/// Round trips before the clock starts: connections made, buffers warm.
const WARM_UP: usize = 100;
/// Each variant's transport: Open MPI's byte-transfer layers, itself included.
const TRANSPORTS: [(&str, &str); 2] =
    [("tcp-buffer", "self,tcp"), ("vader-buffer", "self,vader")];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cli::Args { options, .. } = cli::parse(&PATTERN, &args)
        .unwrap_or_else(|e| refuse(format_args!("{e} (try --help)")));
    let rounds = options.tasks.unwrap_or(ROUNDS);
    if launch::under_mpi() {
        return rank(rounds);
    }
    let binary = own_binary().unwrap_or_else(|e| refuse(e));
    let mut found = Vec::new();
    for (name, btl) in TRANSPORTS.into_iter().filter(|(v, _)| options.runs(v)) {
        let mut command = launch::mpirun(2, &binary, &args);
        command.env("OMPI_MCA_btl", btl).env(VARIANT, name);
        let ran = launch::gather(command).unwrap_or_else(|e| refuse(e));
        let (mut outcomes, _) = outcome::read(&ran, 1).unwrap_or_else(|e| refuse(e));
        if ran.code != 0 || outcomes.len() != 1 {
            refuse(format_args!("the {name} world failed (exit {})", ran.code));
        }
        found.append(&mut outcomes);
    }
    let ok = if options.json {
        report(&found, &PATTERN, &options, rounds, None)
    } else {
        found.iter().for_each(|o| println!("{}", summary(o)));
        found.iter().all(Outcome::ok)
    };
    process::exit(i32::from(!ok));
}

/// `tcp-buffer: 20000 round trips of 24 bytes, all echoed: 6.9 µs one way; the world
/// was up in 0.30 s`.
fn summary(o: &Outcome) -> String {
    let [echoed, _, _] = o.got;
    let figure = |key| o.extra(key).unwrap_or(f64::NAN);
    let all = if o.ok() { "all" } else { "NOT all" };
    format!(
        "{}: {echoed} round trips of {} bytes, {all} echoed: {:.2} µs one way; the \
         world was up in {:.2} s",
        o.name,
        figure("message_bytes"),
        figure("one_way_s") * 1e6,
        figure("mpi_start_s"),
    )
}

/// The variant a world runs, set by its launcher.
const VARIANT: &str = "CPAIRS_MPI_VARIANT";

/// One rank of a two-rank world: up, warmed, then the timed round trips; rank 0
/// prints what it found as an outcome line.
fn rank(rounds: usize) {
    let universe = mpi::initialize().expect("MPI is initialised once, here");
    let world = universe.world();
    if world.size() != 2 {
        refuse("a world of two ranks passes the messages: run it plainly");
    }
    world.barrier(); // every rank is up: what MPI's start cost ends here
    let started_s = since_launch();
    ping_pong(&world, WARM_UP);
    world.barrier();
    let start = Instant::now();
    let echoed = ping_pong(&world, rounds);
    let wall_s = start.elapsed().as_secs_f64();
    let Some(echoed) = echoed else { return };
    let message = size_of::<[u64; 3]>() as f64;
    let mut extra = vec![
        ("one_way_s".to_owned(), wall_s / (2 * rounds.max(1)) as f64),
        ("message_bytes".to_owned(), message),
    ];
    extra.extend(started_s.map(|s| ("mpi_start_s".to_owned(), s)));
    let outcome = Outcome {
        name: std::env::var(VARIANT).unwrap_or_else(|_| "tcp-buffer".to_owned()),
        wall_s,
        ranks: 2,
        got: [echoed, 0, 0],
        direct: [rounds as u64, 0, 0],
        bytes_sent: 2 * rounds as u64 * message as u64,
        extra,
        spans: Vec::new(),
    };
    println!("{}", outcome.to_line());
}

/// A one-line error and exit code 2 (see [`cli::refuse`]).
fn refuse(error: impl std::fmt::Display) -> ! {
    cli::refuse(&PATTERN, error)
}
