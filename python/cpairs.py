"""Shared pieces of the Python twins (standard library only).

Every twin in this folder mirrors one Rust example: same workload, same sizes, same
variant names, same JSON trace (see shared/TRACE.md). What they have in common lives
here, once, shaped like the Rust library (src/cli.rs, src/trace.rs, src/work.rs):

- parse_args: --json, --full, --help (and --tasks N where a twin takes it); anything
  else is a one-line error and exit code 2;
- the lab (task, task_async, arrived, note, Trace.run): record each variant around its
  lesson, print each result as it arrives, print the trace;
- cpu_work, crawl_jobs: the workloads.
"""

import functools
import json
import multiprocessing
import multiprocessing.queues  # noqa: F401 (imported now, not in the first variant's time)
import os
import sys
import threading
import time

_human_to_stderr = False


def say(text):
    """One line of human output: stdout, or stderr under --json."""
    stream = sys.stderr if _human_to_stderr else sys.stdout
    try:
        print(text, file=stream, flush=True)
    except BrokenPipeError:
        # The reader went away (`| head`): drop human output from here on, as the Rust
        # examples do, instead of dying with a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())


class Options:
    def __init__(self, json_out=False, full=False, tasks=None):
        self.json = json_out
        self.full = full
        self.tasks = tasks
        self.variant = None
        self.counts_only = False
        self.switch = False

    def runs(self, name):
        """Whether the variant called `name` should run (all, unless --variant chose one)."""
        return self.variant is None or self.variant == name

    def size_label(self):
        if self.tasks is not None:
            return str(self.tasks)
        return "full" if self.full else "default"


def parse_args(name, about, tasks=False, argv=None, variants=(), counts_only=False,
               switch=None):
    """Parse the twin's flags; print help or a one-line error and exit when needed.
    `variants` enables --variant NAME (one of them) and --variants (list them, one a
    line); `counts_only` enables --counts-only; `switch`, a (flag, help) pair, enables
    one flag of the twin's own, which sets options.switch."""
    global _human_to_stderr
    args = list(sys.argv[1:] if argv is None else argv)
    options = Options()

    def fail(message):
        print(f"{name}: error: {message} (try --help)", file=sys.stderr)
        sys.exit(2)

    def count(value):
        if value.isdigit() and int(value) > 0:
            return int(value)
        fail(f"`--tasks` takes a whole number above 0, not `{value}`")

    def variant(value):
        if value in variants:
            return value
        fail(f"unknown variant `{value}` (known: {', '.join(variants)})")

    while args:
        arg = args.pop(0)
        if arg == "--json":
            options.json = True
        elif arg == "--full":
            options.full = True
        elif arg in ("-h", "--help"):
            extra = " [--tasks N]" if tasks else ""
            if variants:
                extra += f" [--variant {'|'.join(variants)}] [--variants]"
            if counts_only:
                extra += " [--counts-only]"
            if switch:
                extra += f" [{switch[0]}]\n\n  {switch[0]}: {switch[1]}"
            print(f"{name}: {about}\n\nusage: python3 python/{name}.py [--json] [--full]{extra}")
            sys.exit(0)
        elif tasks and arg == "--tasks":
            if not args:
                fail("`--tasks` needs a value")
            options.tasks = count(args.pop(0))
        elif tasks and arg.startswith("--tasks="):
            options.tasks = count(arg.split("=", 1)[1])
        elif variants and arg == "--variants":
            print("\n".join(variants))
            sys.exit(0)
        elif variants and arg == "--variant":
            if not args:
                fail("`--variant` needs a value")
            options.variant = variant(args.pop(0))
        elif variants and arg.startswith("--variant="):
            options.variant = variant(arg.split("=", 1)[1])
        elif counts_only and arg == "--counts-only":
            options.counts_only = True
        elif switch and arg == switch[0]:
            options.switch = True
        else:
            fail(f"unknown flag `{arg}`")
    _human_to_stderr = options.json
    return options


def task_span(task_id, lane, start_s, end_s, kind=None):
    span = {"id": task_id, "lane": lane, "start_s": start_s, "end_s": end_s}
    if kind is not None:
        span["kind"] = kind
    return span


def process_lane():
    """The current worker process, by name (ForkPoolWorker-2, Process-1, ...)."""
    return multiprocessing.current_process().name


def thread_lane():
    return threading.current_thread().name


def current_lane():
    """A worker process by its name (ForkPoolWorker-2); in the main process, the thread."""
    if multiprocessing.parent_process() is not None:
        return process_lane()
    return thread_lane()


# --- The lab: records a variant around its lesson (the twin of src/lab.rs) -----------
#
# A lesson reads like the article's code: the pattern's inputs in, plain values out. The
# recorder is ambient, so nothing about measuring is passed through the lesson:
#   task(id, work, *args)   times work(*args) as task `id` where it runs (this thread, or
#                           the worker process it runs in) and returns its value;
#   await task_async(id, coroutine)   the same for a coroutine (lane `task-ID`);
#   arrived(id, what)       the caller holds task id's result: record when, and print it.
# Worker processes forked while a variant runs (a Pool or ProcessPoolExecutor made inside
# the lesson, with Linux's default `fork`) inherit the variant's clock and a pipe back to
# the parent, on which task() sends its span; a thread in the parent reads it. Every
# process shares one monotonic clock, so their times line up.

_lab = None


class _Lab:
    def __init__(self, name, uses):
        self.owner = os.getpid()
        self.variant = {"name": name, "uses": uses, "wall_s": 0.0, "ideal_s": None,
                        "tasks": [], "received": [], "received_s": []}
        self.quiet = None
        self.changed = threading.Condition()
        self.from_workers = multiprocessing.SimpleQueue()
        self.reader = threading.Thread(target=self._read, name="lab-reader", daemon=True)
        self.reader.start()
        # Last: setting up the pipe and its reader is the lab's cost, not the lesson's.
        self.origin = time.monotonic()

    def _read(self):
        while True:
            span = self.from_workers.get()
            if span is None:
                return
            self.add(span)

    def add(self, span):
        with self.changed:
            self.variant["tasks"].append(span)
            self.changed.notify_all()

    def span_of(self, task_id, wait_s):
        """Task task_id's span, waiting a moment for one a worker process has sent."""
        deadline = time.monotonic() + wait_s
        with self.changed:
            while True:
                for span in reversed(self.variant["tasks"]):
                    if span["id"] == task_id:
                        return span
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.changed.wait(left)

    def close(self):
        self.from_workers.put(None)  # after every worker's span: they were sent first
        self.reader.join(timeout=10)


def now():
    """Seconds since the current variant began (0 outside a variant)."""
    return 0.0 if _lab is None else time.monotonic() - _lab.origin


def record(span):
    """Record a span measured some other way (a heartbeat's tick, say)."""
    if _lab is None:
        return
    if os.getpid() == _lab.owner:
        _lab.add(span)
    else:
        _lab.from_workers.put(span)


def task(task_id, work, *args, lane=None, kind=None):
    """Run work(*args) as task `task_id`, timed, in this thread's (or process's) lane."""
    start = now()
    value = work(*args)
    record(task_span(task_id, lane or current_lane(), start, now(), kind))
    return value


class timed:
    """`work` as a pool job: timed(work)(task_id, *args) runs work(task_id, *args) as task
    `task_id` in the worker that runs it. An object of this module's class holding a
    module-level function, so a pool can pickle it."""

    def __init__(self, work):
        self.work = work

    def __call__(self, task_id, *args, **kwargs):
        return task(task_id, functools.partial(self.work, task_id, *args, **kwargs))


async def task_async(task_id, coroutine, lane=None, kind=None):
    """Await `coroutine` as task `task_id`, in lane `task-ID` unless given one."""
    start = now()
    value = await coroutine
    record(task_span(task_id, lane or f"task-{task_id}", start, now(), kind))
    return value


def arrived(task_id, what):
    """The caller now holds task task_id's result: record when, and say so."""
    if _lab is None:
        return
    at = now()
    _lab.variant["received"].append(task_id)
    _lab.variant["received_s"].append(at)
    line = _quiet_line(task_id)
    if line is None:
        return
    if line == "":
        span = _lab.span_of(task_id, wait_s=0.05)
        ran = "" if span is None else (
            f"; ran {span['start_s']:.3f}-{span['end_s']:.3f}s on {span['lane']}")
        line = f"received task {task_id}: {what}{ran}"
    say(f"[{at:7.3f}s] {line}")


def _quiet_line(task_id):
    """"" for a full line, a progress line, or None for no line (see quiet_after)."""
    if _lab.quiet is None:
        return ""
    first, expected, count = _lab.quiet
    count += 1
    _lab.quiet[2] = count
    if count <= first:
        return ""
    if count * 10 // expected > (count - 1) * 10 // expected:
        return f"{count} of {expected} results in (last: task {task_id})"
    return None


def note(what):
    """A line of commentary, stamped with the variant's clock."""
    say(f"[{now():7.3f}s] {what}")


def quiet_after(first, expected):
    """Many results are coming: print the first `first`, then a line per tenth."""
    if _lab is not None:
        _lab.quiet = [first, max(expected, 1), 0]


def variant(name, uses, lesson, *args):
    """Run lesson(*args) as one variant: returns (its value, the recorded variant)."""
    global _lab
    say(f"\n== {name} ({uses})")
    _lab = _Lab(name, uses)
    try:
        value = lesson(*args)
    finally:
        lab, _lab = _lab, None
        lab.close()
    v = lab.variant
    v["wall_s"] = time.monotonic() - lab.origin
    v["tasks"].sort(key=lambda t: t["id"])
    say(f"[{v['wall_s']:7.3f}s] {name} done")
    return value, v



class Trace:
    def __init__(self, example, options):
        self.example = example
        self.options = options
        self.variants = []

    def run(self, name, uses, lesson, *args):
        """Run lesson(*args) as variant `name` (unless --variant chose another): returns
        (its value, the recorded variant, for figures), or None when it did not run."""
        if not self.options.runs(name):
            return None
        value, v = variant(name, uses, lesson, *args)
        self.variants.append(v)
        return value, v

    def set_ideal(self, seconds):
        """The same lower bound for every variant that ran."""
        for v in self.variants:
            v["ideal_s"] = seconds

    def push(self, variant):
        self.variants.append(variant)

    def finish(self):
        if self.options.json:
            trace = {
                "example": self.example,
                "language": "python",
                "size": self.options.size_label(),
                "variants": self.variants,
            }
            print(json.dumps(trace), flush=True)
        else:
            say("\n" + self.summary())

    def summary(self):
        base = self.variants[0]["wall_s"] if self.variants else None
        width = max([7] + [len(v["name"]) for v in self.variants])
        lines = [f"{'variant':{width}}  {'wall':>8}  {'ideal':>8}  {'x ideal':>7}  "
                 f"{'first result':>12}  speed-up vs first"]
        for v in self.variants:
            wall, ideal = v["wall_s"], v["ideal_s"]
            first = v["received_s"][0] if v["received_s"] else None
            ideal_text = "-" if ideal is None else f"{ideal:.3f}s"
            ratio = "-" if not ideal else f"{wall / ideal:.2f}x"
            first_text = "-" if first is None else f"{first:.3f}s"
            lines.append(f"{v['name']:{width}}  {wall:7.3f}s  {ideal_text:>8}  {ratio:>7}  "
                         f"{first_text:>12}  {base / wall:.2f}x")
        return "\n".join(lines) + "\n"


def cpu_work(n):
    """Sum the integers 0..n: the same value as the Rust library's cpu_work(n)."""
    return sum(range(n))


def cpu_seconds_per_unit():
    """Seconds one unit of cpu_work costs here: the fastest of many short timed runs over
    at least 0.3 s (as the Rust library's work::cpu_seconds_per_unit: an ideal must be a
    lower bound, and this machine's speed drifts)."""
    return seconds_per_unit(cpu_work, 1_000_000)


def seconds_per_unit(work, units):
    """Seconds one unit of work(units) costs here: the fastest of short timed runs over at
    least 0.3 s (as cpu_seconds_per_unit, for any work)."""
    best = float("inf")
    begun = time.perf_counter()
    while time.perf_counter() - begun < 0.3:
        start = time.perf_counter()
        work(units)
        best = min(best, time.perf_counter() - start)
    return best / units


def _measure_with_others(work, units, start, results):
    start.wait(timeout=60)  # every process starts measuring at once
    results.put(seconds_per_unit(work, units))


def seconds_per_unit_all_cores(work, units, cores):
    """Seconds one unit of work(units) costs with `cores` processes computing at once: each
    measures its fastest rate while the others run too, and their rates add up (as the
    Rust library's crawl::cpu_seconds_per_unit_busy). A core runs slower when its
    neighbours work, so this is the rate an ideal with every core busy can assume."""
    cores = max(cores, 1)
    start, results = multiprocessing.Barrier(cores), multiprocessing.Queue()
    workers = [multiprocessing.Process(target=_measure_with_others,
                                       args=(work, units, start, results))
               for _ in range(cores)]
    for worker in workers:
        worker.start()
    rates = sum(1 / results.get(timeout=120) for _ in workers)
    for worker in workers:
        worker.join()
    return cores / rates


def cpu_time_s():
    """User + system CPU time of this process and of its children that have ended and been
    waited for (a pool's workers, once the pool is shut down), in seconds."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def cores():
    return os.cpu_count() or 1


def cpu_work_expected(n):
    """What cpu_work(n) returns, computed directly: n * (n - 1) / 2 (as in the Rust
    library's cpu_work_expected)."""
    return n * (n - 1) // 2 if n > 0 else 0


def _proc_status_bytes(key):
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(key):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def peak_rss_bytes():
    """This process's peak resident set size so far (VmHWM), in bytes, or None without
    /proc: the same reading as the Rust library's work::peak_rss_bytes."""
    return _proc_status_bytes("VmHWM:")


def rss_bytes():
    """This process's resident set size (VmRSS in /proc/self/status) in bytes, or None
    where there is no /proc (not Linux). Coarse: it moves by whole pages, and memory the
    allocator keeps after a free still counts, so measure growth in a fresh process. Same
    reading as the Rust library's work::rss_bytes."""
    return _proc_status_bytes("VmRSS:")


# The crawler's workload: the same jobs as the Rust library's crawl module (src/crawl.rs).
CRAWL_SEED = 2024
_MASK = (1 << 64) - 1


class SplitMix64:
    """SplitMix64, step for step as in src/crawl.rs: 64-bit wrapping arithmetic."""

    def __init__(self, seed):
        self.state = seed & _MASK

    def next_u64(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & _MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
        return z ^ (z >> 31)

    def in_range(self, low, high):
        return low + self.next_u64() % (high - low + 1)


class CrawlJob:
    """One crawl task: an IO wait of io_ms milliseconds, then summing `units` integers."""

    __slots__ = ("io_ms", "units")

    def __init__(self, io_ms, units):
        self.io_ms = io_ms
        self.units = units


def crawl_jobs(n, seed=CRAWL_SEED):
    """The n jobs of a run: IO 200-1000 ms, 100,000-500,000 integers, as in Rust."""
    rng = SplitMix64(seed)
    jobs = []
    for _ in range(n):
        io_ms = rng.in_range(200, 1000)
        jobs.append(CrawlJob(io_ms, rng.in_range(100_000, 500_000)))
    return jobs


def crawl_ideal(jobs, seconds_per_unit, cores):
    """The true lower bound (src/crawl.rs crawl_ideal): the slowest single task, or the
    earliest IO plus all the CPU work spread over every core, whichever is larger."""
    if not jobs:
        return 0.0
    slowest = max(j.io_ms / 1e3 + j.units * seconds_per_unit for j in jobs)
    earliest = min(j.io_ms for j in jobs) / 1e3
    total_cpu = sum(j.units for j in jobs) * seconds_per_unit
    return max(slowest, earliest + total_cpu / max(cores, 1))


# --- CPU work in Python bytecode (gil, concurrency_vs_parallelism) --------------------

# ANCHOR: cpu_loop
def cpu_loop(n):
    """Sum the integers 0..n one step at a time, in Python (the crawler
    article's loop). Every step is bytecode the interpreter runs, so the thread
    holds the GIL throughout, handing it over only when the interpreter asks it
    to (every 5 ms by default)."""
    result = 0
    for i in range(n):
        result += i
    return result
# ANCHOR_END: cpu_loop


def cpu_loop_seconds_per_unit():
    """Seconds one step of cpu_loop costs here (see seconds_per_unit)."""
    return seconds_per_unit(cpu_loop, 100_000)


class CpuMeter:
    """The CPU time this process and its finished worker processes use from here on
    (cpu_time_s), as the Rust library's crawl::CpuMeter reads /proc/self/stat."""

    def __init__(self):
        self.start = cpu_time_s()

    def utilisation(self, wall_s, cores):
        """CPU time since the start over wall_s x cores: 1 is every core busy throughout."""
        return (cpu_time_s() - self.start) / (wall_s * max(cores, 1))
