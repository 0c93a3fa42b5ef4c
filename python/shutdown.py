"""shutdown: signals and graceful termination.

Twin of examples/shutdown.rs, in the shape of the task scheduler in "Concurrency vs (chapter: book/src/shutdown.md).
Parallelism: Achieving Scalability with ProcessPoolExecutor" (KitfuCoda, part 4):
loop.add_signal_handler for SIGTERM, SIGHUP and SIGINT (and loop.set_exception_handler)
start the shutdown; an exit event reaches every task, and the pool jobs check an
inherited multiprocessing.Event between slices of CPU work. The drain has a deadline; a
second signal forces the exit, after pool.terminate().

Run: python3 python/shutdown.py [--json] [--full]   (each variant sends itself SIGTERM)
     python3 python/shutdown.py --wait-for-signal     (press Ctrl-C once, or twice)
Exit codes: 0 clean; 1 the deadline passed; 128 + N after a second signal N (130 SIGINT,
143 SIGTERM, 129 SIGHUP).
"""

import asyncio
import multiprocessing
import os
import signal
import sys
import time

import cpairs

SIGNALS = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)
WORKERS = 3
READY_S = 30  # the longest wait for a pool worker to start
JOBS = 6
SHORT_S = [0.1, 0.2]  # the first jobs' lengths in seconds: they end before the signal
_exit_flag = None  # the pool workers' copy of the exit event, set by init_worker


def init_worker(exit_flag, ready):
    """In each pool worker: keep the exit event; leave Ctrl-C to the parent (the terminal
    sends SIGINT to the whole process group); say it is up."""
    global _exit_flag
    _exit_flag = exit_flag
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    ready.release()


# ANCHOR: crunch
def crunch(seconds, check_every):
    """CPU work in a pool worker: between slices, a look at the exit event."""
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        if _exit_flag.is_set():
            return None
        slice_end = time.monotonic() + check_every
        while time.monotonic() < slice_end:
            cpairs.cpu_work(10_000)
    return f"{seconds} s of CPU work"
# ANCHOR_END: crunch


def timed_crunch(task_id, seconds, check_every):
    return cpairs.task_or_stopped(task_id, crunch, seconds, check_every)


# ANCHOR: job
async def wait_or_exit(exit_event, seconds):
    try:
        await asyncio.wait_for(exit_event.wait(), seconds)
        return None
    except asyncio.TimeoutError:
        return f"slept {seconds} s"


async def job(task_id, spec, exit_event, pool):
    """One job; None when the exit event stopped it."""
    cpu, seconds, check_every = spec
    if not cpu:  # an async wait gives way at once
        wait = wait_or_exit(exit_event, seconds)
        return await cpairs.task_async_or_stopped(task_id, wait)
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    call_soon = loop.call_soon_threadsafe
    pool.apply_async(timed_crunch, (task_id, seconds, check_every),
                     callback=lambda v: call_soon(done.set_result, v),
                     error_callback=lambda e: call_soon(done.set_exception, e))
    return await done
# ANCHOR_END: job


# ANCHOR: ledger
class Ledger:
    """Each job's outcome is written once: by the job, or as cancelled by shutdown."""

    def __init__(self, n):
        self.written = [None] * n

    def settle(self, task_id, outcome):
        if self.written[task_id] is not None:
            return False
        self.written[task_id] = outcome is not None
        what = "cancelled" if outcome is None else f"finished: {outcome}"
        cpairs.arrived(task_id, what)
        return True

    def open(self):
        return [i for i, w in enumerate(self.written) if w is None]
# ANCHOR_END: ledger


# ANCHOR: serve
async def serve(jobs, deadline_s, pool, exit_flag):
    loop = asyncio.get_running_loop()
    signals = asyncio.Queue()
    for sig in SIGNALS:
        loop.add_signal_handler(sig, signals.put_nowait, sig)
    # An exception nobody handled starts the same shutdown (the article's
    # ExceptionHandler).
    loop.set_exception_handler(
        lambda _loop, context: signals.put_nowait(context["message"]))
    exit_event, ledger = asyncio.Event(), Ledger(len(jobs))

    async def run(task_id, spec):
        outcome = await job(task_id, spec, exit_event, pool)
        if not ledger.settle(task_id, outcome):
            cpairs.note(f"job {task_id} ended late: already reported")

    everything = asyncio.gather(*(run(i, spec) for i, spec in enumerate(jobs)))
    cpairs.note(f"ready: pid {os.getpid()}")
    first = asyncio.ensure_future(signals.get())
    await asyncio.wait({first, everything}, return_when=asyncio.FIRST_COMPLETED)
    if not first.done():
        first.cancel()
        return {"code": 0, "in_flight": 0, "finished": len(jobs), "drain_s": 0.0,
                "rest": everything}
    signalled, in_flight = time.monotonic(), len(ledger.open())
    reason = getattr(first.result(), "name", first.result())
    cpairs.mark(reason)
    cpairs.note(f"{reason}: cancelling {in_flight} jobs")
    exit_event.set()  # the async tasks
    exit_flag.set()   # the pool jobs
    second = asyncio.ensure_future(signals.get())
    await asyncio.wait({second, everything}, timeout=deadline_s,
                       return_when=asyncio.FIRST_COMPLETED)
    drain_s = time.monotonic() - signalled
    if everything.done():
        code = 0
    elif second.done():
        cpairs.note(f"{second.result().name} again: forcing the exit")
        code, _ = 128 + second.result(), pool.terminate()
    else:
        code = 1
    second.cancel()
    for task_id in ledger.open():
        ledger.settle(task_id, None)  # in flight at the deadline: said, not dropped
    finished = sum(1 for w in ledger.written if w)
    return {"code": code, "in_flight": in_flight, "finished": finished,
            "drain_s": drain_s, "rest": everything}
# ANCHOR_END: serve


def jobs_for(scale, long, stubborn):
    """Jobs 0 and 1 end before the signal, the others run `long` s; a stubborn job 5
    looks at the exit event only every 0.8 s."""
    return [(i % 2 == 1, scale * (SHORT_S[i] if i < len(SHORT_S) else long),
             scale * (0.8 if stubborn and i == 5 else 0.01)) for i in range(JOBS)]


def run(jobs, self_signal_after, deadline_s):
    """One run: a pool, the jobs, and SIGTERM to ourselves after a moment if asked."""
    exit_flag, ready = multiprocessing.Event(), multiprocessing.Semaphore(0)
    pool = multiprocessing.Pool(WORKERS, initializer=init_worker, initargs=(exit_flag, ready))
    # Serve once every worker is up: under spawn each starts a fresh interpreter, which
    # takes longer than the moment before the signal.
    for _ in range(WORKERS):
        ready.acquire(timeout=READY_S)

    async def main():
        if self_signal_after is not None:
            asyncio.get_running_loop().call_later(
                self_signal_after, os.kill, os.getpid(), signal.SIGTERM)
        report = await serve(jobs, deadline_s, pool, exit_flag)
        if self_signal_after is None and report["code"] != 0:
            pool.terminate()
            pool.join()
            sys.stdout.flush()
            os._exit(report["code"])
        await report.pop("rest", None) or asyncio.sleep(0)  # a straggler's late end
        return report

    try:
        return asyncio.run(main())
    finally:
        pool.close()
        pool.join()


def main():
    options = cpairs.parse_args(
        "shutdown", "a signal cancels every job, drained under a deadline; a second forces "
        "the exit", variants=["sigterm-drain", "deadline"],
        switch=("--wait-for-signal", "run until a real signal: press Ctrl-C once, or twice"))
    if options.switch:
        report, _ = cpairs.variant("wait-for-signal", "you", run,
                                 jobs_for(2.5, 12.0, True), None, 5.0)
        sys.exit(report["code"])
    scale = 3.0 if options.full else 1.0
    trace = cpairs.Trace("shutdown", options)
    for name, uses, stubborn, deadline in [
            ("sigterm-drain", "add_signal_handler + Event + Pool", False, 1.0),
            ("deadline", "job 5 checks the event every 0.8 s", True, 0.2)]:
        jobs = jobs_for(scale, 1.5, stubborn)
        ran = trace.run(name, uses, run, jobs, 0.3 * scale, deadline * scale)
        if ran is None:
            continue
        report, v = ran
        v.update(in_flight=report["in_flight"], finished=report["finished"],
                 cancelled=len(jobs) - report["finished"], drain_s=report["drain_s"],
                 exit_code=report["code"], jobs=len(jobs), short_jobs=len(SHORT_S))
    trace.finish()


if __name__ == "__main__":
    main()
