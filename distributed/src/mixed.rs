//! `mixed`: one `mpirun`, two languages (MPMD). Rank 0 is the Python twin
//! (`python/distributed.py --mixed-root`, mpi4py); ranks 1.. are this example
//! (`--mixed-worker`). They share no code, only the protocol of
//! [`pool`](crate::pool) and its buffers: Python's `array('Q')` and Rust's `[u64; N]`,
//! both sent as `MPI_UINT64_T`, with mpi4py's buffer methods (`Send`, `Recv`,
//! `Reduce`), not its pickling ones. Python hands out the map; Rust crawls it.
//!
//! Both sides make the same collective calls in the same order: `MPI_Comm_split_type`
//! (the ranks on this machine, to share its cores), a barrier, the chunks, one reduce.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use mpi::traits::*;

use crate::crawl::crawl_range;
use crate::launch::{
    LAUNCHED, LOOPBACK_ENV, LaunchError, cores, start_rank, under_mpi,
};

/// The flag that makes the Python twin rank 0 of a mixed run.
pub const ROOT_FLAG: &str = "--mixed-root";
/// The flag that makes this example a worker rank of a mixed run.
pub const WORKER_FLAG: &str = "--mixed-worker";

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The twin's script, beside this crate.
pub fn twin_script() -> PathBuf {
    manifest_dir().join("../python/distributed.py")
}

/// The twin's interpreter: the chapter's venv (`target/venv`, where mpi4py is
/// installed) if there is one, else `CPAIRS_PYTHON`, else `python3`; refused when it
/// has no mpi4py.
pub fn twin_python() -> Result<PathBuf, LaunchError> {
    let venv = manifest_dir().join("target/venv/bin/python");
    let python = match std::env::var_os("CPAIRS_PYTHON") {
        _ if venv.exists() => venv,
        Some(python) => PathBuf::from(python),
        None => PathBuf::from("python3"),
    };
    let has_mpi4py = Command::new(&python)
        .args(["-c", "import mpi4py"])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .status();
    match has_mpi4py {
        Ok(status) if status.success() => Ok(python),
        _ => Err(LaunchError::NoMpi4py(python)),
    }
}

/// A worker rank of `mixed`: the pool's worker side, answering a Python rank 0;
/// refused outside an `mpirun`.
pub fn worker() -> Result<(), LaunchError> {
    if !under_mpi() {
        return Err(LaunchError::NotARank(WORKER_FLAG));
    }
    let (universe, _threads) = start_rank();
    let world = universe.world();
    world.barrier(); // every rank is up: the Python rank 0 starts its clock
    crate::pool::work(&world, crawl_range);
    Ok(())
}

// ANCHOR: mixed_mpirun
/// `mpirun -n 1 <python> distributed.py --mixed-root --tasks N : -n W <worker>
/// --mixed-worker`: one world of `1 + workers` ranks, the first Python, the rest Rust,
/// on the loopback; unpinned, oversubscribed past the cores (as [`mpirun`] is).
///
/// [`mpirun`]: crate::launch::mpirun
pub fn mpirun(
    python: &Path,
    tasks: usize,
    workers: usize,
    worker: impl Into<OsString>,
) -> Command {
    let mut command = Command::new("mpirun");
    command.args(["--bind-to", "none"]);
    if workers + 1 > cores() {
        command.arg("--oversubscribe");
    }
    command.args(["-n", "1"]).arg(python).arg(twin_script());
    command.args([ROOT_FLAG, "--tasks", &tasks.to_string()]);
    command.args([":", "-n", &workers.to_string()]);
    command.arg(worker.into()).arg(WORKER_FLAG);
    command.envs(LOOPBACK_ENV).env(LAUNCHED, "1");
    command
}
// ANCHOR_END: mixed_mpirun

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_python_root_then_the_rust_workers() {
        let command = mpirun(Path::new("/venv/python"), 24, 3, "/bin/worker");
        let words: Vec<String> = command
            .get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        let colon = words
            .iter()
            .position(|w| w == ":")
            .expect("two app contexts");
        let (root, workers) = words.split_at(colon);
        assert!(root.ends_with(&[ROOT_FLAG.into(), "--tasks".into(), "24".into()]));
        assert!(root.contains(&"/venv/python".to_owned()));
        assert_eq!(workers[1..], ["-n", "3", "/bin/worker", WORKER_FLAG]);
    }
}
