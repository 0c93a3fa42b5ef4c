"""Shared pieces of the Python twins (standard library only).

Every twin in this folder mirrors one Rust example: same workload, same sizes, same
variant names, same JSON trace (see book/src/trace.md). What they have in common lives
here, once, shaped like the Rust library (src/cli.rs, src/trace.rs, src/work.rs):

- parse_args: --json, --full, --start-method, --help (and --tasks N, --variant NAME
  where a twin takes them), with argparse; a bad flag is a one-line error and exit 2;
- the lab (task, task_async, arrived, mark, note, Trace.run): record each variant around
  its lesson, print each result as it arrives, print the trace; worker processes send
  their spans back by themselves, under every start method (fork, forkserver, spawn);
- Ctrl-C: one line saying the twin was interrupted, exit 130, no worker left behind;
- cpu_work, crawl_jobs: the workloads.
"""

import argparse
import atexit
import functools
import json
import multiprocessing
import multiprocessing.connection
import multiprocessing.forkserver
import multiprocessing.queues  # noqa: F401 (imported now, not in the first variant's time)
import multiprocessing.util
import os
import signal
import socket
import sys
import tempfile
import threading
import time

START_METHODS = ("fork", "forkserver", "spawn")
EXIT_HANDLERS_S = 3.0  # the longest Ctrl-C waits for the exit handlers


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


# --- What every process of a run knows: the twin's options and the lab's address -----
#
# The parent (the process that parsed the flags) writes them into its environment before
# any worker process starts. Every start method hands the environment on: a forked
# worker copies it, a spawned one is started with it, and the forkserver (started on
# first use, after the flags) passes its own on to each worker it forks. So a worker
# needs no fork inheritance to know the flags or where to send its spans.

_ENV = "CPAIRS_RUN"
_run = None  # this process's view: {"name", "owner", "address", "options", ...}
_options = None


def _load_run():
    global _run
    if _run is None and _ENV in os.environ:
        try:
            _run = json.loads(os.environ[_ENV])
        except ValueError:
            _run = None
    return _run


def options():
    """The twin's options, in the parent or in any worker process (None before
    parse_args)."""
    global _options
    run = _load_run()
    if _options is None and run is not None:
        _options = Options()
        _options.__dict__.update(run["options"])
    return _options


def counts_only():
    """--counts-only, as the parent parsed it: no span, no line, no sum kept per task."""
    parsed = options()
    return parsed is not None and parsed.counts_only


def _in_worker():
    run = _load_run()
    return run is not None and run["owner"] != os.getpid()


def say(text):
    """One line of human output: stdout, or stderr under --json."""
    parsed = options()
    stream = sys.stderr if parsed is not None and parsed.json else sys.stdout
    try:
        print(text, file=stream, flush=True)
    except BrokenPipeError:
        # The reader went away (`| head`): drop human output from here on, as the Rust
        # examples do, instead of dying with a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())


# --- Flags -----------------------------------------------------------------------------

class OneLineParser(argparse.ArgumentParser):
    """argparse, with a bad flag said in one line (exit 2), as the Rust examples do."""

    def __init__(self, name, about, **kwargs):
        super().__init__(prog=f"python3 python/{name}.py", description=f"{name}: {about}",
                         **kwargs)
        self.name = name
        self.add_argument("--json", action="store_true",
                          help="print the JSON trace (book/src/trace.md) on stdout")
        self.add_argument("--full", action="store_true",
                          help="the articles' full sizes (slower)")
        self.add_argument("--start-method", choices=START_METHODS,
                          help="make this multiprocessing's default start method first, "
                               "as Python 3.14 on Linux (forkserver) or macOS (spawn) do")

    def error(self, message):
        print(f"{self.name}: error: {message} (try --help)", file=sys.stderr)
        sys.exit(2)


def _whole_above_zero(value):
    if value.isdigit() and int(value) > 0:
        return int(value)
    raise argparse.ArgumentTypeError(f"takes a whole number above 0, not `{value}`")


def parse_args(name, about, tasks=False, argv=None, variants=(), counts_only=False,
               switch=None, worker_peaks=False):
    """Parse the twin's flags (help, or a one-line error and exit 2, when needed) and
    begin the run. `variants` enables --variant NAME (one of them) and --variants (list
    them, one a line); `counts_only` enables --counts-only; `switch`, a (flag, help)
    pair, enables one flag of the twin's own, which sets options.switch; with
    `worker_peaks`, every worker process sends its peak memory as it exits
    (worker_peak_bytes)."""
    parser = OneLineParser(name, about)
    if tasks:
        parser.add_argument("--tasks", type=_whole_above_zero, metavar="N",
                            help="run N tasks")
    if variants:
        parser.add_argument("--variant", choices=variants, metavar="NAME",
                            help=f"run only this variant: {', '.join(variants)}")
        parser.add_argument("--variants", action="store_true", help="list the variants")
    if counts_only:
        parser.add_argument("--counts-only", action="store_true",
                            help="count results only: no span, no line per task")
    if switch:
        parser.add_argument(switch[0], dest="switch", action="store_true", help=switch[1])
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if getattr(args, "variants", False):
        print("\n".join(variants))
        sys.exit(0)
    parsed = Options(args.json, args.full, getattr(args, "tasks", None))
    parsed.variant = getattr(args, "variant", None)
    parsed.counts_only = getattr(args, "counts_only", False)
    parsed.switch = getattr(args, "switch", False)
    begin(name, parsed, args.start_method, worker_peaks=worker_peaks)
    return parsed


def begin(name, parsed, start_method=None, interrupt=True, worker_peaks=False):
    """Begin the run in this (the parent) process: apply the start method, as a reader's
    interpreter would, before the twin's code starts a process; open the lab's inbox for
    worker processes' spans; tell every later process both; and, with `interrupt`, make
    Ctrl-C one line and exit 130."""
    global _run, _options
    if start_method is not None:
        multiprocessing.set_start_method(start_method, force=True)
    _Inbox.open()
    _run = {"name": name, "owner": os.getpid(), "address": _Inbox.address,
            "options": vars(parsed), "worker_peaks": worker_peaks}
    os.environ[_ENV] = json.dumps(_run)
    _options = parsed
    if interrupt:
        signal.signal(signal.SIGINT, _interrupted)
    if multiprocessing.get_start_method() == "forkserver":
        # The server starts with the run, as in a long-lived program, not inside
        # whichever variant first starts a process.
        multiprocessing.forkserver.ensure_running()


# --- Ctrl-C ------------------------------------------------------------------------------

def _interrupted(signum, frame):
    """SIGINT in the parent: say so in one line, stop every worker process, run the exit
    handlers (multiprocessing's among them, so nothing is left to clean up), exit 130."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    name = _run["name"] if _run else os.path.basename(sys.argv[0])
    print(f"{name}: interrupted", file=sys.stderr, flush=True)
    _Inbox.mark_interrupted()
    # Plain processes first; a Pool's workers (daemonic) are left to the Pool's own exit
    # handler, which stops the Pool from replacing them before it terminates them.
    stop_workers([child for child in multiprocessing.active_children() if not child.daemon])
    try:
        # Bounded: a handler that waits on a lock a terminated worker held must not hang
        # the exit.
        handlers = threading.Thread(target=atexit._run_exitfuncs, daemon=True)
        handlers.start()
        handlers.join(EXIT_HANDLERS_S)
        stop_workers(multiprocessing.active_children())
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(130)


def stop_workers(children, grace_s=2.0):
    """Terminate these child processes, waiting at most grace_s for each before killing
    it."""
    for child in children:
        child.terminate()
    for child in children:
        child.join(grace_s)
        if child.is_alive():
            child.kill()
            child.join(grace_s)


# --- The lab: records a variant around its lesson (the twin of src/lab.rs) -----------
#
# A lesson reads like the article's code: the pattern's inputs in, plain values out. The
# recorder is ambient, so nothing about measuring is passed through the lesson:
#   task(id, work, *args)   times work(*args) as task `id` where it runs (this thread, or
#                           the worker process it runs in) and returns its value;
#   await task_async(id, coroutine)   the same for a coroutine (lane `task-ID`);
#   arrived(id, what)       the caller holds task id's result: record when, and print it.
#   mark(label)             a moment no span records (a cancel, a signal, a deadline).
# A worker process, however it was started, connects to the parent's inbox (a Unix
# socket whose address it finds in the environment) and sends each span as it ends,
# before the result it belongs to leaves the worker. Every process reads one monotonic
# clock, so a span carries clock readings and the parent makes them variant times.

_lab = None


class _Lab:
    def __init__(self, name, uses):
        self.variant = {"name": name, "uses": uses, "wall_s": 0.0, "ideal_s": None,
                        "tasks": [], "received": [], "received_s": []}
        self.quiet = None
        self.changed = threading.Condition()
        # Last: setting up is the lab's cost, not the lesson's.
        self.origin = time.monotonic()

    def add(self, task_id, lane, start, end, kind, part=None):
        """A span, its times as clock readings; one that began before this variant did
        belongs to an earlier one (a worker that outlived it) and is dropped."""
        if start < self.origin:
            return
        span = task_span(task_id, lane, start - self.origin, end - self.origin, kind,
                         part)
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


class _Inbox:
    """The parent's end: a Unix socket that worker processes connect to, read by one
    thread. `drain()` takes in everything already sent, so a variant that ends has every
    span whose result it holds."""

    address = None
    _listener = None
    _wake = None
    _drained = threading.Event()
    _worker_peaks = 0
    _lock = threading.Lock()

    @classmethod
    def open(cls):
        if cls._listener is not None:
            return
        folder = tempfile.mkdtemp(prefix="cpairs-")
        cls.address = os.path.join(folder, "inbox")
        cls._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        cls._listener.bind(cls.address)
        cls._listener.listen(64)
        cls._wake, wake_here = socket.socketpair()
        atexit.register(_remove, folder, cls.address)
        threading.Thread(target=cls._read, args=(wake_here,), name="lab-inbox",
                         daemon=True).start()

    @classmethod
    def _read(cls, wake):
        connections = []
        while True:
            ready = multiprocessing.connection.wait([cls._listener, wake] + connections)
            if wake in ready:
                wake.recv(1)
            cls._take(ready, connections)
            if wake in ready:
                while cls._take(multiprocessing.connection.wait(
                        [cls._listener] + connections, timeout=0), connections):
                    pass
                cls._drained.set()

    @classmethod
    def _take(cls, ready, connections):
        """Accept and read what is ready; whether there was anything."""
        took = False
        for source in ready:
            if source is cls._listener:
                sock, _ = cls._listener.accept()
                connections.append(multiprocessing.connection.Connection(sock.detach()))
                took = True
            elif source in connections:
                try:
                    message = source.recv()
                except (EOFError, OSError):
                    connections.remove(source)
                    source.close()
                    continue
                took = True
                cls._deliver(message)
        return took

    @classmethod
    def _deliver(cls, message):
        kind, body = message
        if kind == "span":
            lab = _lab
            if lab is not None:
                lab.add(*body)
        elif kind == "peak":
            with cls._lock:
                cls._worker_peaks += body

    @classmethod
    def mark_interrupted(cls):
        """Tell the workers, which may still be starting, that the run was interrupted."""
        if cls.address is not None:
            with open(_interrupted_marker(cls.address), "w", encoding="ascii"):
                pass

    @classmethod
    def drain(cls, wait_s=10):
        if cls._listener is None:
            return
        cls._drained.clear()
        cls._wake.send(b"d")
        cls._drained.wait(wait_s)

    @classmethod
    def worker_peaks(cls):
        cls.drain()
        with cls._lock:
            total, cls._worker_peaks = cls._worker_peaks, 0
        return total


def _interrupted_marker(address):
    return address + ".interrupted"


def _remove(folder, address):
    marker = _interrupted_marker(address)
    for remove in (lambda: os.unlink(address), lambda: os.unlink(marker),
                   lambda: os.rmdir(folder)):
        try:
            remove()
        except OSError:
            pass


class _Outbox:
    """A worker process's end: one connection to the parent's inbox, made on first use."""

    _pid = None
    _connection = None
    _lock = threading.Lock()

    @classmethod
    def send(cls, message):
        run = _load_run()
        if run is None:
            return
        with cls._lock:
            if cls._pid != os.getpid():  # a fresh process (a fork copied the parent's)
                cls._pid, cls._connection = os.getpid(), None
                try:
                    cls._connection = multiprocessing.connection.Client(run["address"])
                except OSError:
                    return  # the parent has gone: nobody to tell
            if cls._connection is not None:
                try:
                    cls._connection.send(message)
                except OSError:
                    cls._connection = None


def _worker_started():
    """In every worker process as it starts (fork, forkserver and spawn alike): leave
    Ctrl-C to the parent, which stops its workers itself; where the twin asked, send
    this process's peak memory as it exits (worker_peak_bytes adds them up)."""
    if not _in_worker():
        return
    _leave_interrupts_to_parent()
    if _load_run()["worker_peaks"]:
        multiprocessing.util.Finalize(None, _send_peak, exitpriority=100)


def _send_peak():
    _Outbox.send(("peak", peak_rss_bytes() or 0))


def _leave_interrupts_to_parent():
    """A worker ignores Ctrl-C (the parent stops it) and keeps quiet about an error the
    parent's interruption caused."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.excepthook = _quiet_when_interrupted


def _quiet_when_interrupted(kind, value, tb):
    """A worker's uncaught error, unless the parent was interrupted or has gone: a worker
    still starting then (its pool's semaphores already removed) has nobody to tell."""
    address = _load_run()["address"]
    if os.path.exists(address) and not os.path.exists(_interrupted_marker(address)):
        sys.__excepthook__(kind, value, tb)


# Runs in each multiprocessing child as it starts, whichever the start method: a forked
# child copies this registry, a spawned or forkserver child rebuilds it by importing
# this module before the child's process starts.
multiprocessing.util.register_after_fork(_Outbox, lambda _: _worker_started())
if _in_worker():
    _leave_interrupts_to_parent()  # already while a spawned child imports


def worker_peak_bytes():
    """The peak memory (VmHWM) of every worker process that has exited since the last
    call, added up: each sends its own as it exits."""
    return _Inbox.worker_peaks()


def task_span(task_id, lane, start_s, end_s, kind=None, part=None):
    """A span as the trace writes it; `part` numbers the parts (from 0) of a task that
    runs in parts, each its own span (see book/src/trace.md)."""
    span = {"id": task_id, "lane": lane, "start_s": start_s, "end_s": end_s}
    if kind is not None:
        span["kind"] = kind
    if part is not None:
        span["part"] = part
    return span


def process_lane():
    """The current worker process, by name (ForkPoolWorker-2, SpawnProcess-1, ...)."""
    return multiprocessing.current_process().name


def thread_lane():
    return threading.current_thread().name


def current_lane():
    """A worker process by its name (ForkPoolWorker-2); in the main process, the thread."""
    if _in_worker() or multiprocessing.parent_process() is not None:
        return process_lane()
    return thread_lane()


def now():
    """Seconds since the current variant began (0 outside a variant, and in a worker
    process, which does not know when the variant began)."""
    return 0.0 if _lab is None or _in_worker() else time.monotonic() - _lab.origin


def _record(task_id, lane, start, end, kind, part=None):
    """A span, its times as clock readings, to the lab: here, or the parent's."""
    if _in_worker():
        _Outbox.send(("span", (task_id, lane, start, end, kind, part)))
    elif _lab is not None:
        _lab.add(task_id, lane, start, end, kind, part)


def record(span):
    """Record a span measured some other way (a heartbeat's tick, say), in variant time,
    in the parent."""
    if _lab is None:
        return
    origin = _lab.origin
    _record(span["id"], span["lane"], origin + span["start_s"], origin + span["end_s"],
            span.get("kind"), span.get("part"))


def _kind_of(kind, value):
    """A span's kind: `kind` itself, or, given a function, what it says of the value."""
    return kind(value) if callable(kind) else kind


def task(task_id, work, *args, lane=None, kind=None, part=None):
    """Run work(*args) as task `task_id`, timed, in this thread's (or process's) lane.
    `kind` names the span's kind, or is a function of the work's value that does; `part`
    numbers the part (from 0) of a task that runs in parts."""
    start = time.monotonic()
    value = work(*args)
    end = time.monotonic()
    _record(task_id, lane or current_lane(), start, end, _kind_of(kind, value), part)
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
    """Await `coroutine` as task `task_id`, in lane `task-ID` unless given one; `kind` as
    for task()."""
    start = time.monotonic()
    value = await coroutine
    end = time.monotonic()
    _record(task_id, lane or f"task-{task_id}", start, end, _kind_of(kind, value))
    return value


CANCELLED = "cancelled"  # the kind of span a task cut short or stopped early records


def _stopped(value):
    """Work that gave None stopped early when asked to (an exit event): `cancelled`."""
    return CANCELLED if value is None else None


def task_or_stopped(task_id, work, *args):
    """As task(); work that gives None, having stopped early when asked to, records a
    span of kind `cancelled` (as the Rust library's lab::task_async_or_stopped)."""
    return task(task_id, work, *args, kind=_stopped)


async def task_async_or_stopped(task_id, coroutine):
    """As task_async(); a coroutine that gives None records a span of kind `cancelled`."""
    return await task_async(task_id, coroutine, kind=_stopped)


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


def mark(label):
    """Mark a moment no span records, a cancel, a signal or a deadline, at now():
    cpairs.mark("cancel()") beside the call. Recorded in the parent process, from any
    thread (a worker process's marks are dropped: it does not know the variant's clock);
    nothing outside a variant or under --counts-only."""
    lab = _lab
    if lab is None or _in_worker() or counts_only():
        return
    at = time.monotonic() - lab.origin
    with lab.changed:
        lab.variant.setdefault("marks", []).append({"label": str(label), "at_s": at})


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
        wall = time.monotonic() - _lab.origin
        _Inbox.drain()  # every span sent so far: they left before their results did
        lab, _lab = _lab, None
    v = lab.variant
    v["wall_s"] = wall
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

    def fastest_per_unit(self, calibrated):
        """The least one unit of CPU work cost in this run: `calibrated`, or any span of
        CPU work whose size its variant reports (`sizes`, by task id), whichever is less
        (as the Rust library's Trace::fastest_per_unit): the machine's speed drifts, and
        an ideal from a rate calibrated in a slow moment is one a run can beat."""
        best = calibrated
        for v in self.variants:
            sizes = v.get("sizes") or []
            for t in v["tasks"]:
                n = sizes[t["id"]] if t["id"] < len(sizes) else 0
                if t.get("kind") in (None, "cpu") and n > 0:
                    best = min(best, (t["end_s"] - t["start_s"]) / n)
        return best

    def set_ideals_from_rate(self, calibrated, ideal):
        """Once every variant has run, set each one's ideal to ideal(variant, per_unit),
        per_unit being fastest_per_unit(calibrated); None leaves it as it was."""
        per_unit = self.fastest_per_unit(calibrated)
        for v in self.variants:
            seconds = ideal(v, per_unit)
            if seconds is not None:
                v["ideal_s"] = seconds

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
                "python": sys.version.split()[0],
                "start_method": multiprocessing.get_start_method(),
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


_said_no_proc = False


def _proc_status_bytes(key):
    global _said_no_proc
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(key):
                    return int(line.split()[1]) * 1024
    except OSError:
        if not _said_no_proc:  # macOS, say: one line, and the memory figures are left out
            _said_no_proc = True
            say("no /proc here: the memory figures are left out")
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
