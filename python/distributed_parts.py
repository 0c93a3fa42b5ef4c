"""distributed's parts beside its first lesson (python/distributed.py).

- pool-executor, pool-as-completed: an MPIPoolExecutor (python -m mpi4py.futures: rank 0
  runs the script, the other ranks are the pool's workers) maps the crawler twin's
  per-chunk function (crawler.run_batch) over the chunks, or submits each chunk and
  takes the batches with concurrent.futures.as_completed: the earlier chapters'
  executor code, on a cluster. The jobs travel, pickled, with each call.
- mixed: rank 0 of one mpirun of two programs, the Rust example's worker ranks the
  rest (mpirun -n 1 python distributed.py --mixed-root : -n N distributed
  --mixed-worker). Python hands out the map: plain buffers, array('Q') as
  MPI.UINT64_T, with the uppercase Send/Recv/Reduce, the protocol of the Rust
  library's distributed::pool, whose worker side answers.
- outcome lines: what a run's rank 0 prints for the launcher that gathers the runs
  (as the Rust library's distributed::outcome), each rank's span of work included.
"""

import collections
import os
import pickle
import sys
import time
from array import array
from concurrent.futures import as_completed

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cpairs  # noqa: E402
import crawler  # noqa: E402

ROOT = 0
CHUNKS_PER_WORKER = 4  # as distributed::pool::CHUNKS_PER_WORKER
# The pool protocol's tags, as distributed::pool's.
READY, DONE, WORK, STOP = 1, 2, 3, 4
U64_BYTES = 8

# Open MPI on the loopback only, running as root allowed (as in the Rust example).
LOOPBACK_ENV = {
    "OMPI_MCA_btl": "self,tcp",
    "OMPI_MCA_btl_tcp_if_include": "lo",
    "OMPI_MCA_oob_tcp_if_include": "lo",
    "OMPI_ALLOW_RUN_AS_ROOT": "1",
    "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
}
# Set by the launcher just before it starts mpirun: the time, in ns since the epoch.
LAUNCHED_AT = "CPAIRS_MPI_LAUNCHED_AT_NS"


def ranges(tasks, parts):
    """tasks cut into `parts` contiguous (start, end) ranges, the first tasks % parts
    one task longer: as the Rust library's distributed::ranges."""
    base, extra = divmod(tasks, parts)
    cut, start = [], 0
    for r in range(parts):
        end = start + base + (r < extra)
        cut.append((start, end))
        start = end
    return cut


def chunks(tasks, ranks):
    """CHUNKS_PER_WORKER chunks per worker (every rank but 0), as distributed::pool."""
    return ranges(tasks, max(ranks - 1, 1) * CHUNKS_PER_WORKER)


# ANCHOR: pool_map
def pool_map(jobs, cut):
    """executor.map of the crawler's per-chunk function over the chunks: the batches
    come back in order, each a list of pages."""
    from mpi4py.futures import MPIPoolExecutor
    with MPIPoolExecutor() as executor:
        batches = executor.map(crawler.run_batch, [start for start, _ in cut],
                               [jobs[start:end] for start, end in cut])
        return [page for batch in batches for page in batch]
# ANCHOR_END: pool_map


# ANCHOR: pool_as_completed
def pool_as_completed(jobs, cut):
    """A future per chunk, each batch taken as it ends."""
    from mpi4py.futures import MPIPoolExecutor
    with MPIPoolExecutor() as executor:
        futures = [executor.submit(crawler.run_batch, start, jobs[start:end])
                   for start, end in cut]
        return [page for future in as_completed(futures) for page in future.result()]
# ANCHOR_END: pool_as_completed


POOL_LESSONS = {"pool-executor": pool_map, "pool-as-completed": pool_as_completed}


def pool_outcome(name, comm, tasks, direct, **figures):
    """On rank 0 of a `python -m mpi4py.futures` run: one pool variant, checked: each
    task's result exactly once, the count and the sum; `figures` added to its own."""
    jobs = cpairs.crawl_jobs(tasks)
    cut = chunks(tasks, comm.Get_size())
    start = time.monotonic()
    pages = POOL_LESSONS[name](jobs, cut)
    wall = time.monotonic() - start
    times = collections.Counter(page.id for page in pages)
    wrong = sum(page.sum != cpairs.cpu_work_expected(jobs[page.id].units)
                for page in pages)
    sent = sum(pickled_size((crawler.run_batch, (s, jobs[s:e]))) for s, e in cut)
    sent += pickled_size(pages) if pages else 0
    return outcome(name, wall, comm.Get_size(), (len(pages), sum(p.sum for p in pages),
                   wrong), direct(), sent, chunks=len(cut),
                   tasks_once=sum(times[i] == 1 for i in range(tasks)), **figures)


def pickled_size(obj):
    """How many bytes mpi4py sends for obj: its pickle (the highest protocol)."""
    return len(pickle.dumps(obj, pickle.HIGHEST_PROTOCOL))


# ANCHOR: mixed_root
def serve(comm, cut):
    """Rank 0 of `mixed`: hand the chunks out to whichever Rust worker asks first, take
    each chunk's tally back with its next request, stop each worker when none is left;
    then a reduce of the workers' own totals. Buffers only: array('Q') as UINT64_T."""
    from mpi4py import MPI
    u64 = MPI.UINT64_T
    total, held, back = [0, 0, 0], {}, [0] * len(cut)
    done = once = sent = 0
    status, tally = MPI.Status(), array("Q", [0, 0, 0])
    pending, working = iter(enumerate(cut)), comm.Get_size() - 1
    while working:
        comm.Recv([tally, u64], source=MPI.ANY_SOURCE, tag=MPI.ANY_TAG, status=status)
        worker = status.Get_source()
        i = held.pop(worker, None)
        if status.Get_tag() == DONE and i is not None:
            total = [a + b for a, b in zip(total, tally)]
            back[i] += 1
            if back[i] == 1 and tally[0] == cut[i][1] - cut[i][0]:
                done, once = done + 1, once + tally[0]
        item = next(pending, None)
        if item is None:
            comm.Send([array("Q", [0, 0]), u64], dest=worker, tag=STOP)
            working -= 1
        else:
            held[worker] = item[0]
            comm.Send([array("Q", item[1]), u64], dest=worker, tag=WORK)
        sent += 5 * U64_BYTES  # a tally in, a range out
    reduced = array("Q", [0, 0, 0])
    comm.Reduce([array("Q", [0, 0, 0]), u64], [reduced, u64], op=MPI.SUM, root=ROOT)
    sent += (comm.Get_size() - 1) * 3 * U64_BYTES
    return total, dict(chunks=len(cut), chunks_done=done, tasks_once=once,
                       reduce_wrong=int(list(reduced) != total)), sent
# ANCHOR_END: mixed_root


def mixed_outcome(comm, tasks, direct):
    """Rank 0 of `mixed`: the collectives the Rust ranks make, in their order (the
    ranks on this machine, a barrier), then the chunks, timed."""
    from mpi4py import MPI
    comm.Split_type(MPI.COMM_TYPE_SHARED, key=comm.Get_rank()).Free()
    comm.Barrier()
    start = time.monotonic()
    up = mpi_started()
    total, figures, sent = serve(comm, chunks(tasks, comm.Get_size()))
    wall = time.monotonic() - start
    return outcome("mixed", wall, comm.Get_size(), total, direct(), sent, **figures,
                   **up)


def mpi_started():
    """On rank 0, past a world's first barrier: {"mpi_start_s": seconds since mpirun
    started, every rank up and wired}; {} when no launcher set LAUNCHED_AT."""
    launched = os.environ.get(LAUNCHED_AT, "")
    if not launched.isdigit():
        return {}
    return {"mpi_start_s": (time.time_ns() - int(launched)) / 1e9}


# --- Outcome lines (as distributed::outcome) ------------------------------------------

def outcome(name, wall_s, ranks, got, direct, bytes_sent, spans=(), **extra):
    """What rank 0 found: spans as (id, lane, start_s, end_s), its own figures."""
    return {"name": name, "wall_s": wall_s, "ranks": ranks, "got": tuple(got),
            "direct": tuple(direct), "bytes_sent": bytes_sent, "extra": extra,
            "spans": list(spans)}


def to_line(o):
    """The line a run prints: key=value words, the spans one `spans=` word."""
    count, total, wrong = o["got"]
    line = (f"outcome name={o['name']} wall_s={o['wall_s']} ranks={o['ranks']} "
            f"count={count} sum={total} wrong={wrong} direct_count={o['direct'][0]} "
            f"direct_sum={o['direct'][1]} bytes_sent={o['bytes_sent']}")
    line += "".join(f" {k}={v}" for k, v in o["extra"].items())
    if o["spans"]:
        line += " spans=" + ",".join(span_word(span) for span in o["spans"])
    return line


def span_word(span):
    """A span as an outcome line carries it: ID/LANE/START/END (seconds, repr)."""
    task_id, lane, start_s, end_s = span
    return f"{task_id}/{lane}/{start_s!r}/{end_s!r}"


def parse_spans(value):
    """The spans of a `spans=` word: comma-separated ID/LANE/START/END."""
    fields = [word.split("/") for word in value.split(",")]
    return [(int(i), lane, float(start), float(end)) for i, lane, start, end in fields]


def parse_line(line):
    """The outcome of an outcome line; None for any other line; ValueError if bad."""
    words = line.split()
    if not words or words[0] != "outcome":
        return None
    pairs = dict(word.split("=", 1) for word in words[1:])
    whole = {k: int(pairs.pop(k, 0)) for k in ("ranks", "count", "sum", "wrong",
                                               "direct_count", "direct_sum",
                                               "bytes_sent")}
    name, wall = pairs.pop("name"), float(pairs.pop("wall_s"))
    spans = parse_spans(pairs.pop("spans")) if "spans" in pairs else []
    extra = {k: float(v) for k, v in pairs.items()}
    return outcome(name, wall, whole["ranks"],
                   (whole["count"], whole["sum"], whole["wrong"]),
                   (whole["direct_count"], whole["direct_sum"], 0),
                   whole["bytes_sent"], spans, **extra)


def ok(o):
    """Count and sum as computed directly, and no result wrong."""
    return o["got"][:2] == o["direct"][:2] and o["got"][2] == 0


def summary(o, tasks):
    """The summary line: the count and the sum against the direct ones, bytes, wall."""
    count, total, wrong = o["got"]
    extra, shape = o["extra"], ""
    if "event_loops_per_rank" in extra:
        shape += f" x {extra['event_loops_per_rank']:g} event loop"
    if "chunks" in extra:
        shape += f" ({extra['chunks']:g} chunks to {o['ranks'] - 1} workers)"
    verdict = "ok" if ok(o) else "MISMATCH"
    return (f"{o['name']}: {tasks} tasks on {o['ranks']} ranks{shape}: count {count}, "
            f"sum {total} (direct {o['direct'][1]}: {verdict}), {wrong} wrong, "
            f"{o['bytes_sent']} bytes sent, wall {o['wall_s']:.3f} s")


def to_variant(o, uses, ideal_s=None):
    """The variant as the trace has it (book/src/trace.md), its ideal `ideal_s`."""
    count, total, wrong = o["got"]
    tasks = [cpairs.task_span(*span) for span in o["spans"]]
    v = {"name": o["name"], "uses": uses, "wall_s": o["wall_s"], "ideal_s": ideal_s,
         "tasks": tasks, "received": [], "received_s": []}
    v.update(ranks=o["ranks"], tasks_run=count, sum=total, wrong=wrong,
             sum_wrong=int(total != o["direct"][1]), bytes_sent=o["bytes_sent"])
    v.update({k: int(x) if float(x).is_integer() else x for k, x in o["extra"].items()})
    return v
