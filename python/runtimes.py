"""runtimes: what one task costs, asyncio tasks against OS threads.

Twin of examples/runtimes.rs. An asyncio task is much cheaper than a threading.Thread,
so a server can hold a hundred thousand of them. For each variant and each N (1,000,
10,000 and 100,000, a million with --full; threads stop at 10,000), two passes, each in a
fresh interpreter so that memory freed by one cannot hide the growth of the next: the
time pass creates N no-op tasks and joins them; the memory pass keeps N tasks alive at
once behind a gate and reads the process's resident memory.

Run: python3 python/runtimes.py [--json] [--full] [--tasks N]
"""

import asyncio
import json
import subprocess
import sys
import threading
import time

import cpairs

LADDER = [1_000, 10_000, 100_000, 1_000_000]
DEFAULT_LARGEST = 100_000  # asyncio is slow enough that a million belongs to --full
FULL_LARGEST = 1_000_000
ASYNC_CAP = 10_000_000
# Each Python thread reserves a stack (8 MiB by default here: `ulimit -s`) and a kernel
# task; the per-user process limit is shared with everything else on the machine.
# Ten thousand is far from those limits; a hundred thousand is not.
THREAD_CAP = 10_000
BATCH_LIMIT_S = 300


class Batch:
    """One pass (time or memory) over a batch of n tasks: the counters, and a clock that
    stops while memory is read."""

    def __init__(self, n, pass_name):
        self.n = n
        self.gated = pass_name == "memory"
        self.arrived = 0
        self.done = 0
        self.rss_before = cpairs.rss_bytes()
        self.rss_alive = None
        self.paused = 0.0
        self.started = time.perf_counter()

    def read_memory(self):
        pause = time.perf_counter()
        self.rss_alive = cpairs.rss_bytes()
        self.paused += time.perf_counter() - pause

    def result(self):
        elapsed = time.perf_counter() - self.started - self.paused
        per_task = None
        if self.rss_before is not None and self.rss_alive is not None:
            per_task = max(0, self.rss_alive - self.rss_before) / self.n
        return {"tasks": self.n, "completed": self.done,
                "ns_per_task": elapsed * 1e9 / self.n, "bytes_per_task": per_task}


# ANCHOR: asyncio
async def noop():
    """The task the time pass creates n of: it does nothing and returns 1 (the joiner
    adds these up, which shows that every one ran to its end)."""
    return 1


async def gated(batch, gate, all_arrived):
    """The task the memory pass creates n of: it waits at the gate, so that all n are
    alive at once when the memory is read."""
    batch.arrived += 1
    if batch.arrived == batch.n:
        all_arrived.set()
    await gate.wait()
    return 1


async def asyncio_batch(batch):
    if batch.gated:
        gate, all_arrived = asyncio.Event(), asyncio.Event()
        tasks = [asyncio.create_task(gated(batch, gate, all_arrived))
                 for _ in range(batch.n)]
        await all_arrived.wait()
        batch.read_memory()
        gate.set()
    else:
        tasks = [asyncio.create_task(noop()) for _ in range(batch.n)]
    for task in tasks:
        batch.done += await task
# ANCHOR_END: asyncio


def on_asyncio(n, pass_name):
    async def main():
        # One warm-up task first, so the loop's own structures exist before the baseline.
        await asyncio_batch(Batch(1, pass_name))
        batch = Batch(n, pass_name)
        await asyncio_batch(batch)
        return batch.result()
    return asyncio.run(main())


# ANCHOR: threads
def thread_task(batch, gate, all_arrived, lock):
    """A thread's work: a no-op in the time pass; in the memory pass, wait at the gate.
    Either way, count itself done (a thread returns nothing to its joiner)."""
    if batch.gated:
        with lock:  # `+=` on a shared int is not atomic, GIL or not
            batch.arrived += 1
            if batch.arrived == batch.n:
                all_arrived.set()
        gate.wait()
    with lock:
        batch.done += 1


def threads_batch(batch):
    gate, all_arrived, lock = threading.Event(), threading.Event(), threading.Lock()
    threads = [threading.Thread(target=thread_task, args=(batch, gate, all_arrived, lock))
               for _ in range(batch.n)]
    for thread in threads:
        thread.start()
    if batch.gated:
        if not all_arrived.wait(timeout=BATCH_LIMIT_S):
            sys.exit("runtimes: error: the threads never all reached the gate")
        batch.read_memory()
        gate.set()
    for thread in threads:
        thread.join()
# ANCHOR_END: threads


def on_os_threads(n, pass_name):
    threads_batch(Batch(1, pass_name))  # warm-up, as for asyncio
    batch = Batch(n, pass_name)
    threads_batch(batch)
    return batch.result()


# name: (uses, largest batch allowed, function running one batch)
RUNTIMES = {
    "asyncio": ("asyncio.create_task + await", ASYNC_CAP, on_asyncio),
    "os-threads": ("threading.Thread start + join", THREAD_CAP, on_os_threads),
}


def refuse(message):
    print(f"runtimes: error: {message} (try --help)", file=sys.stderr)
    sys.exit(2)


def child(args):
    """--one PASS RUNTIME N: run one pass (time or memory) over one batch in this (fresh)
    interpreter and print it as one JSON line. Internal: the parent starts these;
    --help does not mention it."""
    if len(args) != 3:
        refuse("`--one` takes a pass (time or memory), a runtime and a task count")
    pass_name, name, count = args
    if pass_name not in ("time", "memory"):
        refuse(f"`--one` takes a pass, time or memory, not `{pass_name}`")
    if name not in RUNTIMES:
        refuse(f"unknown runtime `{name}` (known: {', '.join(RUNTIMES)})")
    cap = RUNTIMES[name][1]
    if not (count.isascii() and count.isdigit() and 1 <= int(count) <= cap):
        refuse(f"`--one {pass_name} {name}` takes a whole number from 1 to {cap}, "
               f"not `{count}`")
    print(json.dumps(RUNTIMES[name][2](int(count), pass_name)), flush=True)
    sys.exit(0)


def sizes(largest, cap):
    top = min(largest, cap)
    return [n for n in LADDER if n < top] + [top]


def run_child(pass_name, name, n):
    """Start `runtimes.py --one PASS RUNTIME N` and read its one line, stopping it if it
    hangs."""
    try:
        done = subprocess.run([sys.executable, __file__, "--one", pass_name, name, str(n)],
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True,
                              timeout=BATCH_LIMIT_S, check=False)
    except subprocess.TimeoutExpired:
        refuse(f"{name} with {n} tasks ({pass_name} pass) still running after "
               f"{BATCH_LIMIT_S} s: stopped")
    if done.returncode != 0:
        refuse(f"{name} with {n} tasks ({pass_name} pass) failed "
               f"(exit code {done.returncode})")
    return json.loads(done.stdout)


def per_task(ns):
    return f"{ns:.0f} ns" if ns < 1_000 else f"{ns / 1_000:.1f} µs"


def size_text(b):
    if b is None:
        return "? B (no /proc)"
    return f"{b / 1024:.1f} KiB" if b >= 10_240 else f"{b:.0f} B"


# ANCHOR: parent
def measure_runtime(name, batch_sizes):
    """Run every batch of one variant, each pass in a fresh interpreter, and record the
    batch as a task whose span is the life of its two child processes."""
    rec = cpairs.Recorder(name, RUNTIMES[name][0])
    ns, bytes_alive, completed = [], [], []
    for task_id, n in enumerate(batch_sizes):
        start = rec.clock.now()
        timed = run_child("time", name, n)
        memory = run_child("memory", name, n)
        span = cpairs.task_span(task_id, name, start, rec.clock.now())
        rec.receive(span, f"{n:>9} tasks: {per_task(timed['ns_per_task'])} each to spawn "
                          f"and join, {size_text(memory['bytes_per_task'])} each while "
                          f"all alive")
        ns.append(timed["ns_per_task"])
        bytes_alive.append(memory["bytes_per_task"])
        completed.append(min(timed["completed"], memory["completed"]))
    rec.note("sizes", batch_sizes)
    rec.note("ns_per_task", ns)
    rec.note("bytes_per_task", bytes_alive)
    rec.note("completed", completed)
    return rec.finish()
# ANCHOR_END: parent


def say_largest(variants):
    cpairs.say("\nper task, at the largest batch each variant ran:")
    base = variants[0]["ns_per_task"][-1]
    for v in variants:
        ns = v["ns_per_task"][-1]
        cpairs.say(f"  {v['name']:12} {v['sizes'][-1]:>9} tasks  {per_task(ns):>9}  "
                   f"{size_text(v['bytes_per_task'][-1]):>9}  ({ns / base:.1f}x asyncio)")


def main():
    if sys.argv[1:2] == ["--one"]:
        child(sys.argv[2:])
    options = cpairs.parse_args(
        "runtimes", "the cost of one task (time and memory): asyncio tasks and OS threads",
        tasks=True)
    largest = options.tasks or (FULL_LARGEST if options.full else DEFAULT_LARGEST)
    trace = cpairs.Trace("runtimes", options)
    for name, (_, cap, _) in RUNTIMES.items():
        trace.push(measure_runtime(name, sizes(largest, cap)))
    say_largest(trace.variants)
    trace.finish()


if __name__ == "__main__":
    main()
