"""distributed_costs: what MPI costs here, a world's start-up and one message.

Two ranks pass a message of three integers back and forth, `rounds` round trips after
100 warm-up ones, two ways: the lowercase comm.send/comm.recv pickle a tuple, the
uppercase comm.Send/comm.Recv pass an array('Q') as it is (MPI.UINT64_T). Each way runs
in two worlds, an mpirun -n 2 each: over TCP on the loopback (OMPI_MCA_btl=self,tcp,
what every run of the chapter uses) and over shared memory (self,vader). Twin of
distributed/examples/distributed_costs.rs.

- tcp-lowercase, tcp-buffer, vader-lowercase, vader-buffer: each variant's figures are
  one_way_s (a round trip's time, halved), message_bytes (one message's payload: the
  pickle, or the buffer's 24 bytes), mpi_start_s (from the launcher starting mpirun to
  both ranks past the world's first barrier) and ranks; its wall, the timed round
  trips'.

Run: python3 python/distributed_costs.py (20,000 round trips, as the Rust twin's;
--tasks N round trips; --variant NAME; --json). Started plainly, it starts itself again
under mpirun, once per world, on the loopback only; it needs mpi4py and Open MPI.
"""

import argparse
import importlib.util
import os
import pickle
import shutil
import subprocess
import sys
import time
from array import array

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cpairs  # noqa: E402
import distributed_parts as parts  # noqa: E402

NAME = "distributed_costs"
ABOUT = "what MPI costs here: a world's start-up and one message"
VARIANTS = ("tcp-lowercase", "tcp-buffer", "vader-lowercase", "vader-buffer")
# Each world's transport: Open MPI's byte-transfer layers, itself (`self`) included.
TRANSPORTS = (("tcp", "self,tcp"), ("vader", "self,vader"))
KINDS = ("lowercase", "buffer")
ROUNDS = 20_000  # round trips by default, as the Rust twin's: a steady figure
WARM_UP = 100  # round trips before the clock starts: connections made, buffers warm
MESSAGE = (1, 2, 3)  # the three integers every message carries

# What an MPI launcher sets in each rank (Open MPI, PMIx, PMI), and the marks this
# launcher sets: any one means "a rank already", so the relaunch cannot loop.
LAUNCHED = "CPAIRS_MPI_LAUNCHED"
OUTCOMES = "CPAIRS_MPI_OUTCOMES"  # rank 0 prints outcome lines for the launcher
TRANSPORT = "CPAIRS_MPI_TRANSPORT"  # the world's transport, as in TRANSPORTS
UNDER_MPI = ("OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE", LAUNCHED)

USES = {
    "tcp-lowercase": "mpi4py comm.send/comm.recv of a pickled 3-tuple, self,tcp",
    "tcp-buffer": "mpi4py comm.Send/comm.Recv of array('Q') as UINT64_T, self,tcp",
    "vader-lowercase": "mpi4py comm.send/comm.recv of a pickled 3-tuple, self,vader",
    "vader-buffer": "mpi4py comm.Send/comm.Recv of array('Q') as UINT64_T, "
                    "self,vader",
}


# ANCHOR: ping_pong
def ping_pong_lowercase(comm, rounds):
    """On ranks 0 and 1: `rounds` round trips of a tuple, pickled, rank 1 sending back
    what it got; on rank 0, the round trips whose echo came back unchanged."""
    other = 1 - comm.Get_rank()
    echoed = 0
    for _ in range(rounds):
        if comm.Get_rank() == 0:
            comm.send(MESSAGE, dest=other)
            echoed += comm.recv(source=other) == MESSAGE
        else:
            comm.send(comm.recv(source=other), dest=other)
    return echoed


def ping_pong_buffer(comm, rounds):
    """The same with plain buffers: array('Q') as MPI.UINT64_T, nothing pickled."""
    from mpi4py import MPI
    other = 1 - comm.Get_rank()
    message, back = array("Q", MESSAGE), array("Q", [0, 0, 0])
    echoed = 0
    for _ in range(rounds):
        if comm.Get_rank() == 0:
            comm.Send([message, MPI.UINT64_T], dest=other)
            comm.Recv([back, MPI.UINT64_T], source=other)
            echoed += back == message
        else:
            comm.Recv([back, MPI.UINT64_T], source=other)
            comm.Send([back, MPI.UINT64_T], dest=other)
    return echoed
# ANCHOR_END: ping_pong


PING_PONGS = {"lowercase": ping_pong_lowercase, "buffer": ping_pong_buffer}
# One message's payload: the tuple's pickle (as mpi4py sends it), or 3 x 8 bytes.
MESSAGE_BYTES = {"lowercase": len(pickle.dumps(MESSAGE, pickle.HIGHEST_PROTOCOL)),
                 "buffer": array("Q", MESSAGE).itemsize * len(MESSAGE)}


def rank(args, rounds):
    """One rank of a two-rank world: up, then each way warmed and timed; rank 0 prints
    an outcome line per variant (a summary line if no launcher reads them)."""
    try:
        from mpi4py import MPI
    except ImportError as error:
        refuse(f"mpi4py does not load: {error}")
    comm = MPI.COMM_WORLD
    if comm.Get_size() != 2:
        refuse("a world of two ranks passes the messages: run it plainly")
    transport = os.environ.get(TRANSPORT, "tcp")
    comm.Barrier()  # every rank is up: what MPI's start-up costs ends here
    up = parts.mpi_started()
    for kind in KINDS:
        name = f"{transport}-{kind}"
        if args.variant not in (None, name):
            continue
        PING_PONGS[kind](comm, WARM_UP)
        comm.Barrier()
        start = time.monotonic()
        echoed = PING_PONGS[kind](comm, rounds)
        wall = time.monotonic() - start
        if comm.Get_rank() == 0:
            size = MESSAGE_BYTES[kind]
            o = parts.outcome(name, wall, 2, (echoed, 0, 0), (rounds, 0, 0),
                              2 * rounds * size, one_way_s=wall / (2 * rounds),
                              message_bytes=size, **up)
            print(parts.to_line(o) if OUTCOMES in os.environ else summary(o),
                  flush=True)


def launch_all(args, rounds):
    """Started plainly: a world per transport that a chosen variant needs, their
    outcome lines gathered into the summary or the trace; whether all echoed."""
    mpirun = shutil.which("mpirun")
    if mpirun is None:
        refuse("no `mpirun` on PATH (Debian: apt-get install openmpi-bin)")
    if importlib.util.find_spec("mpi4py") is None:
        refuse(f"no mpi4py for {sys.executable} (pip install mpi4py)")
    found = []
    for transport, btl in TRANSPORTS:
        names = [f"{transport}-{kind}" for kind in KINDS]
        if args.variant is None or args.variant in names:
            found += world(mpirun, transport, btl)
    if args.json:
        trace = cpairs.Trace(NAME, cpairs.Options(True, args.full, rounds))
        for o in found:
            trace.push(parts.to_variant(o, USES[o["name"]]))
        trace.finish()
    else:
        for o in found:
            print(summary(o), flush=True)
    return all(parts.ok(o) for o in found)


def world(mpirun, transport, btl):
    """One mpirun -n 2 of this script (unpinned), over `btl`: its outcomes."""
    command = [mpirun, "-n", "2", "--bind-to", "none"]
    if cpairs.cores() < 2:
        command.append("--oversubscribe")  # Open MPI refuses more ranks than cores
    command += [sys.executable, os.path.abspath(__file__)] + sys.argv[1:]
    env = dict(os.environ, **parts.LOOPBACK_ENV)
    env.update({"OMPI_MCA_btl": btl, TRANSPORT: transport, LAUNCHED: "1",
                OUTCOMES: "1"})
    env[parts.LAUNCHED_AT] = str(time.time_ns())
    try:
        done = subprocess.run(command, env=env, check=False, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, text=True)
    except OSError as error:
        refuse(f"`mpirun` did not start: {error}")
    except KeyboardInterrupt:  # mpirun got the Ctrl-C too, and stops its ranks
        print(f"{NAME}: interrupted", file=sys.stderr, flush=True)
        sys.exit(130)
    found = []
    for line in done.stdout.splitlines():
        try:
            o = parts.parse_line(line)
        except (ValueError, KeyError):
            refuse(f"a run's outcome line does not parse: {line}")
        if o is None:
            print(line, flush=True)
        else:
            found.append(o)
    if done.returncode != 0 or not found:
        refuse(f"the {transport} world failed (exit {done.returncode})")
    return found


def summary(o):
    """`tcp-buffer: 2000 round trips of 24 bytes, all echoed: 31.20 µs one way; the
    world was up in 0.41 s`."""
    extra = o["extra"]
    echoed = "all" if parts.ok(o) else "NOT all"
    up = extra.get("mpi_start_s")
    up_text = "-" if up is None else f"{up:.2f} s"
    return (f"{o['name']}: {o['direct'][0]} round trips of {extra['message_bytes']:g} "
            f"bytes, {echoed} echoed: {extra['one_way_s'] * 1e6:.2f} µs one way; "
            f"the world was up in {up_text}")


def whole_above_zero(value):
    """A flag's count: argparse says which flag, this says what is wrong."""
    if value.isdigit() and int(value) > 0:
        return int(value)
    raise argparse.ArgumentTypeError(f"takes a whole number above 0, not `{value}`")


def parse_args(argv):
    """The flags, checked (a bad one: one line, exit 2)."""
    parser = cpairs.OneLineParser(NAME, ABOUT)
    parser.add_argument("--tasks", type=whole_above_zero, metavar="N",
                        help=f"N timed round trips (default {ROUNDS:,})")
    parser.add_argument("--variant", choices=VARIANTS, metavar="NAME",
                        help=f"run only this variant: {', '.join(VARIANTS)}")
    return parser.parse_args(argv)


def refuse(message):
    """A one-line error and exit code 2 (from rank 0 only, under MPI)."""
    if os.environ.get("OMPI_COMM_WORLD_RANK", "0") == "0":
        print(f"{NAME}: error: {message}", file=sys.stderr, flush=True)
    sys.exit(2)


def main():
    """Started plainly: the launcher; under MPI: a rank of a two-rank world."""
    args = parse_args(sys.argv[1:])
    rounds = args.tasks or ROUNDS
    if any(key in os.environ for key in UNDER_MPI):
        rank(args, rounds)
        return
    sys.exit(0 if launch_all(args, rounds) else 1)


if __name__ == "__main__":
    main()
