"""scheduler: the capstone, an interactive task scheduler.

Twin of scheduler/examples/scheduler/ (chapter: book/src/scheduler.md). The asyncio REPL of the KitfuCoda series as part 4
("Concurrency vs. Parallelism: Achieving Scalability with ProcessPoolExecutor") scales it:
`dex NAME` is an asyncio task awaiting HTTP, `fib N` and `fib-multi N N...` go to a
ProcessPoolExecutor(max_workers=5) through run_in_executor (and gather), every fib checks
a Manager().Event() for its own cancel and one for the exit, `kill ID` cancels a task or
sets its event, and SIGTERM, SIGHUP and SIGINT run a ShutdownHandler.

Run: python3 python/scheduler.py, then `help`; or pipe a script into it.
     --measure runs the measured variants (--json: their trace; --variant NAME; --full).
"""

import asyncio
import multiprocessing
import os
import signal
import sys
import termios
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing.managers import SyncManager
from dataclasses import dataclass, field

import cpairs
import scheduler_parts as parts

MAX_FIB = 1_000_000


# ANCHOR: fib
def fib(nth, exit_event=None, cancel_event=None):
    """The article's fib: a string result, "Cancelled" once either event is set."""
    a, b = 0, 1
    for _ in range(nth):
        if ((exit_event and exit_event.is_set())
                or (cancel_event and cancel_event.is_set())):
            return "Cancelled"
        a, b = b, a + b
    return str(a)
# ANCHOR_END: fib


def fib_job(task_id, nth, exit_event, cancel_event, part=None):
    """fib as task `task_id` of the timeline (its part `part`, in a fib-multi), timed
    in the worker that runs it."""
    return cpairs.task(task_id, fib, nth, exit_event, cancel_event, kind="cpu",
                       part=part)


@dataclass
class Entry:
    line: str
    event: object  # the Manager().Event() of a pool job, None for an asyncio task
    future: asyncio.Future
    started: float = field(default_factory=time.monotonic)
    ended: float = None
    killed: bool = False


class Scheduler:
    def __init__(self, workers, server, say):
        self.executor = ProcessPoolExecutor(max_workers=workers, initializer=parts.in_child)
        self.manager = SyncManager()  # what multiprocessing.Manager() makes and starts
        self.manager.start(parts.in_child)
        self.exit_event = self.manager.Event()
        self.server, self.say, self.tasks = server, say, []
        self.origin = time.monotonic()

    # ANCHOR: evaluate
    def submit(self, line, command, args):
        """Start the task a line asks for; give its id. Results print on arrival."""
        loop, task_id = asyncio.get_running_loop(), len(self.tasks) + 1
        match command:
            case "dex":
                fetch = parts.fetch(self.server, args[0])
                event, future = None, asyncio.create_task(
                    cpairs.task_async(task_id, fetch, kind="io"))
            case "fib":
                event = self.manager.Event()
                future = loop.run_in_executor(
                    self.executor, fib_job, task_id, args[0], self.exit_event, event)
            case "fib-multi":
                event = self.manager.Event()  # one event for the whole group
                future = asyncio.gather(*[  # each fib a part of the task
                    loop.run_in_executor(self.executor, fib_job, task_id, nth,
                                         self.exit_event, event, part)
                    for part, nth in enumerate(args)])
        entry = Entry(line.strip(), event, future)
        self.tasks.append(entry)
        future.add_done_callback(lambda _: self.finished(task_id, entry))
        return task_id
    # ANCHOR_END: evaluate

    def finished(self, task_id, entry):
        entry.ended = time.monotonic()
        self.say(f"task {task_id} ({entry.line}) {parts.describe(self.state(entry), entry, 60)}")

    def state(self, entry):
        """("running" | "done" | "failed" | "killed" | "cancelled", the value or error)."""
        future = entry.future
        if not future.done():
            return "running", None
        if future.cancelled():
            return ("killed" if entry.killed else "cancelled"), "at its await"
        if future.exception() is not None:
            return "failed", str(future.exception())
        value = future.result()
        values = value if isinstance(value, list) else [value]
        if "Cancelled" in values:
            return ("killed" if entry.killed else "cancelled"), 'with "Cancelled"'
        return "done", "; ".join(values)

    def entry(self, task_id):
        if not 1 <= task_id <= len(self.tasks):
            count = len(self.tasks)
            raise parts.BadInput(f"no task {task_id}: no task has been started yet" if count == 0
                                 else f"no task {task_id} (ids run from 1 to {count})")
        return self.tasks[task_id - 1]

    # ANCHOR: kill
    async def kill(self, task_id):
        """Cancel an asyncio task or set a pool job's event; give its time to stop."""
        entry = self.entry(task_id)
        if entry.future.done():
            state = self.state(entry)[0]
            raise parts.BadInput(f"task {task_id} is not running (it is {state})")
        entry.killed, asked = True, time.monotonic()
        if entry.event is None:
            entry.future.cancel()
        else:
            entry.event.set()
        await asyncio.wait([entry.future], timeout=5)
        if not entry.future.done():
            raise parts.BadInput(f"task {task_id} did not stop within 5 s")
        return time.monotonic() - asked
    # ANCHOR_END: kill

    # ANCHOR: shutdown
    async def shutdown(self, deadline):
        """Set the exit event, cancel every asyncio task, wait up to `deadline`."""
        self.exit_event.set()
        for entry in self.tasks:
            if entry.event is None:
                entry.future.cancel()
        running = [e.future for e in self.tasks if not e.future.done()]
        drained = True
        if running:
            _, pending = await asyncio.wait(running, timeout=deadline)
            drained = not pending
        states = [self.state(e)[0] for e in self.tasks]
        self.executor.shutdown(wait=drained, cancel_futures=True)
        self.manager.shutdown()
        counts = {word: states.count(word) for word in ("done", "failed", "killed")}
        counts["cancelled"] = states.count("cancelled") + states.count("running")
        return counts, drained
    # ANCHOR_END: shutdown


# ANCHOR: repl
async def repl(scheduler, lines, stop):
    """Answer lines until `quit`, end of input or a signal; give why it stopped."""
    while True:
        line = await parts.first(lines.get(), stop.wait())
        if line is parts.STOPPED:
            return stop.reason
        if line is None:
            return "end of input"
        try:
            command, args = parts.parse(line)
            if command == "quit":
                return "quit"
            if command is not None:
                answer = evaluate(scheduler, line, command, args)
                reply = await parts.first(answer, stop.wait())
                if reply is parts.STOPPED:
                    return stop.reason
                print(reply, flush=True)
        except parts.BadInput as error:
            print(f"error: {error}", flush=True)
        lines.ready()


async def evaluate(scheduler, line, command, args):
    match command:
        case "dex" | "fib" | "fib-multi":
            return f"task {scheduler.submit(line, command, args)} submitted"
        case "dash":
            return parts.dash(scheduler)
        case "job":
            entry = scheduler.entry(args[0])
            state, value = scheduler.state(entry)
            return value if state == "done" else f"task {args[0]} ({entry.line}) " + \
                parts.describe((state, value), entry, None)
        case "kill":
            took = await scheduler.kill(args[0])
            return (f"task {args[0]} killed: "
                    f"stopped {parts.human(took)} after the kill")
        case "wait":
            futures = [scheduler.entry(i).future for i in args] or \
                [e.future for e in scheduler.tasks]
            if futures:
                await asyncio.wait(futures)
            return "waited"
        case "help":
            return parts.HELP
# ANCHOR_END: repl


# ANCHOR: shutdown_handler
@dataclass
class ShutdownHandler:
    """The article's handler: the first signal asks for shutdown; here a second one
    during the drain exits at once, with 128 + its number."""
    stop: "parts.Stop"
    signal: int

    def __call__(self):
        name = signal.Signals(self.signal).name
        if self.stop.is_set():
            for child in multiprocessing.active_children():
                child.kill()
            print(f"{name} again: exiting now", file=sys.stderr)
            os._exit(128 + self.signal)
        self.stop.set_reason(name)
# ANCHOR_END: shutdown_handler


async def session(args):
    stop = parts.Stop()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        loop.add_signal_handler(sig, ShutdownHandler(stop, sig))
    server = args.server or await parts.serve(args.delay_ms / 1000)
    lines = parts.Lines(loop)
    scheduler = Scheduler(args.workers, server, lines.say(time.monotonic()))
    print(f"scheduler: dex at http://{server[0]}:{server[1]}, {args.workers} pool workers; "
          "`help` lists the commands", flush=True)
    lines.ready()
    why = await repl(scheduler, lines, stop)
    scheduler.say(f"shutting down ({why}): cancelling every task")
    stop.draining()
    counts, drained = await scheduler.shutdown(args.deadline_s)
    late = "" if drained else "; the deadline passed with work still running"
    scheduler.say(f"shutdown: {counts['done']} done, {counts['failed']} failed, "
                  f"{counts['killed']} killed, {counts['cancelled']} cancelled{late}")
    return 0 if drained else 1


def main():
    args = parts.parse_args(sys.argv[1:])
    if args.measure:
        import scheduler_measured
        scheduler_measured.run(args, Scheduler, fib)
        return 0
    terminal = termios.tcgetattr(0) if sys.stdin.isatty() else None
    code = asyncio.run(session(args))
    if terminal is not None:
        termios.tcsetattr(0, termios.TCSANOW, terminal)
    # The stdin thread may be blocked in a read: leave without waiting for it.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    main()
