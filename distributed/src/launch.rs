//! Starting under MPI: the example, run plainly, sees that no `mpirun` started it and
//! starts itself again as `mpirun -n N` with its own arguments, on the loopback only.
//! The Python twin (`python/distributed.py`) does the same.

use std::ffi::OsString;
use std::fmt;
use std::io;
use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// What an MPI launcher sets in each rank's environment (Open MPI, then PMIx and PMI,
/// which MPICH's and Slurm's use), and what this launcher sets itself: any one means
/// "a rank already", so a launcher that sets none of the others cannot loop.
pub const UNDER_MPI: [&str; 4] =
    ["OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE", LAUNCHED];

/// Set by [`relaunch`] on the ranks it starts.
pub const LAUNCHED: &str = "CPAIRS_MPI_LAUNCHED";

/// Set by the launcher that gathers several runs' findings: rank 0 then prints an
/// [`Outcome`](crate::outcome::Outcome) line per variant instead of the summary.
pub const OUTCOMES: &str = "CPAIRS_MPI_OUTCOMES";

/// Set by [`gather`] on the `mpirun` it starts: the moment it started it, in
/// nanoseconds since the Unix epoch, for rank 0's [`since_launch`].
pub const LAUNCHED_AT: &str = "CPAIRS_MPI_LAUNCHED_AT_NS";

/// Open MPI's settings for every run: its byte transfer over TCP (and to itself) on
/// the loopback interface only, its runtime's own traffic too, and running as root
/// allowed (containers and CI run as root; as any other user they change nothing).
pub const LOOPBACK_ENV: [(&str, &str); 5] = [
    ("OMPI_MCA_btl", "self,tcp"),
    ("OMPI_MCA_btl_tcp_if_include", "lo"),
    ("OMPI_MCA_oob_tcp_if_include", "lo"),
    ("OMPI_ALLOW_RUN_AS_ROOT", "1"),
    ("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1"),
];

/// Whether this process is a rank that an MPI launcher started.
pub fn under_mpi() -> bool {
    UNDER_MPI.iter().any(|key| std::env::var_os(key).is_some())
}

/// MPI up in this rank, and rayon given its share of the machine's cores (the ranks
/// on this machine share them): the universe, and rayon's thread count.
pub fn start_rank() -> (mpi::environment::Universe, usize) {
    use mpi::traits::Communicator;
    let (universe, _threading) =
        mpi::initialize_with_threading(mpi::Threading::Funneled)
            .expect("MPI is initialised once, here");
    let world = universe.world();
    let local_ranks = world.split_shared(world.rank()).size() as usize;
    let threads = (cores() / local_ranks).max(1);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads);
    let pool = pool.thread_name(|i| format!("rayon-{i}"));
    pool.build_global().expect("rayon is set up once");
    (universe, threads)
}

/// Whether rank 0 should print outcome lines for a launcher to gather.
pub fn outcomes_wanted() -> bool {
    std::env::var_os(OUTCOMES).is_some()
}

/// The cores this process may use (1 when it cannot tell).
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Why the example could not start itself under `mpirun`.
#[derive(Debug)]
pub enum LaunchError {
    /// No `mpirun` on `PATH`.
    NoMpirun,
    /// The example cannot find its own binary to hand to `mpirun`.
    OwnPath(io::Error),
    /// `mpirun` is there but did not start.
    Spawn(io::Error),
    /// The Python rank 0 of a `mixed` run cannot run: no mpi4py for this interpreter.
    NoMpi4py(PathBuf),
    /// A rank's own flag, given outside an `mpirun`.
    NotARank(&'static str),
}

impl fmt::Display for LaunchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LaunchError::NoMpirun => write!(
                f,
                "no `mpirun` on PATH (Debian: apt-get install openmpi-bin)"
            ),
            LaunchError::OwnPath(e) => write!(f, "cannot find this binary: {e}"),
            LaunchError::Spawn(e) => write!(f, "`mpirun` did not start: {e}"),
            LaunchError::NoMpi4py(python) => write!(
                f,
                "no mpi4py for {} (the Python rank 0 of `mixed`; set CPAIRS_PYTHON)",
                python.display()
            ),
            LaunchError::NotARank(flag) => write!(
                f,
                "{flag} is a rank of a `mixed` run: run --variant mixed instead"
            ),
        }
    }
}

impl std::error::Error for LaunchError {}

/// The `mpirun` command that runs this binary on `ranks` ranks with `args`:
/// `--oversubscribe` when there are more ranks than cores (Open MPI refuses otherwise),
/// no pinning of ranks to cores, and the loopback settings.
pub fn mpirun(
    ranks: usize,
    program: impl Into<OsString>,
    args: &[String],
) -> Command {
    let mut command = Command::new("mpirun");
    command.arg("-n").arg(ranks.to_string());
    // Open MPI pins each rank to a core when there are at most two: one rank alone
    // would then crawl on one core. Unpinned, each rank sees every core, and the
    // example gives rayon its share of them.
    command.args(["--bind-to", "none"]);
    if ranks > cores() {
        command.arg("--oversubscribe");
    }
    command.arg(program.into()).args(args);
    command.envs(LOOPBACK_ENV).env(LAUNCHED, "1");
    command
}

/// Run this binary again under `mpirun` on `ranks` ranks, with `args`, and wait for it:
/// its exit status, as a process exit code (128 + the signal that ended it, if one did).
pub fn relaunch(ranks: usize, args: &[String]) -> Result<i32, LaunchError> {
    let program = own_binary()?;
    let status = mpirun(ranks, program, args).status().map_err(spawn_error)?;
    Ok(exit_code(status))
}

/// This binary, to hand to `mpirun`.
pub fn own_binary() -> Result<PathBuf, LaunchError> {
    std::env::current_exe().map_err(LaunchError::OwnPath)
}

/// What a gathering run left: its exit code and what it printed on stdout, and how
/// long the whole job took and the CPU time all its processes used.
#[derive(Debug, Clone, PartialEq)]
pub struct Gathered {
    pub code: i32,
    pub stdout: String,
    pub job_s: f64,
    pub job_cpu_s: f64,
}

/// Run `command` (an `mpirun`) with [`OUTCOMES`] and [`LAUNCHED_AT`] set, its stderr
/// passed on, its stdout read, and wait for it.
pub fn gather(mut command: Command) -> Result<Gathered, LaunchError> {
    let cpu_before = children_cpu_s();
    let start = Instant::now();
    command
        .env(OUTCOMES, "1")
        .env(LAUNCHED_AT, unix_ns().to_string())
        .stdin(Stdio::null())
        .stderr(Stdio::inherit());
    let output = command.output().map_err(spawn_error)?;
    Ok(Gathered {
        code: exit_code(output.status),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        job_s: start.elapsed().as_secs_f64(),
        job_cpu_s: children_cpu_s() - cpu_before,
    })
}

/// On rank 0: the seconds since the launcher started `mpirun` ([`LAUNCHED_AT`]), if
/// one did. Read as every rank passes its first barrier, it is what MPI's start costs:
/// `mpirun` up, every rank started and initialised, the ranks wired to each other.
pub fn since_launch() -> Option<f64> {
    let launched: u128 = std::env::var(LAUNCHED_AT).ok()?.parse().ok()?;
    Some(unix_ns().saturating_sub(launched) as f64 / 1e9)
}

fn unix_ns() -> u128 {
    let now = SystemTime::now().duration_since(UNIX_EPOCH);
    now.map_or(0, |since| since.as_nanos())
}

/// The CPU time (user and system) of every child this process has waited for, and
/// theirs: `mpirun` waits for its ranks, so a finished job's whole CPU time. 0 without
/// `/proc`.
fn children_cpu_s() -> f64 {
    const TICKS_PER_S: f64 = 100.0;
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // After the command name, in parentheses: field 3 first; cutime and cstime are 16
    // and 17.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or(Vec::new(), |(_, rest)| rest.split_whitespace().collect());
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<u64>().ok());
    (ticks(13).unwrap_or(0) + ticks(14).unwrap_or(0)) as f64 / TICKS_PER_S
}

fn spawn_error(e: io::Error) -> LaunchError {
    match e.kind() {
        io::ErrorKind::NotFound => LaunchError::NoMpirun,
        _ => LaunchError::Spawn(e),
    }
}

fn exit_code(status: ExitStatus) -> i32 {
    status
        .code()
        .or_else(|| status.signal().map(|s| 128 + s))
        .unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(args: &[&str]) -> Vec<String> {
        args.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn mpirun_oversubscribes_only_past_the_cores() {
        let args = strings(&["--tasks", "4"]);
        let words = |ranks| {
            let command = mpirun(ranks, "/bin/example", &args);
            let args: Vec<String> = command
                .get_args()
                .map(|a| a.to_string_lossy().into_owned())
                .collect();
            args
        };
        let one = [
            "-n",
            "1",
            "--bind-to",
            "none",
            "/bin/example",
            "--tasks",
            "4",
        ];
        assert_eq!(words(1), strings(&one));
        assert!(words(cores() + 1).contains(&"--oversubscribe".to_owned()));
        let command = mpirun(1, "/bin/example", &args);
        let envs: Vec<_> = command.get_envs().collect();
        assert!(envs.iter().any(|(k, v)| *k == "OMPI_MCA_btl_tcp_if_include"
            && v.is_some_and(|v| v == "lo")));
    }
}
