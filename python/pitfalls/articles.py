"""The articles' absent pitfalls, each shown as a small check that prints JSON.

python3 python/pitfalls/articles.py NAME prints what NAME finds; the suite's
`pitfalls_articles` module asserts on it. Standard library only.
"""
import argparse
import asyncio
import concurrent.futures
import functools
import json
import os
import sys
import threading
import time
import warnings

NAMES = ("wraps_submit", "task_is_future", "concurrent_future",
         "run_vs_get_event_loop", "late_binding", "busy_wait", "default_pool",
         "to_thread_wraps", "join_returns_nothing")


def wraps_submit():
    """run_in_executor hands the call to executor.submit and wraps its future."""
    calls = []

    class Counting(concurrent.futures.ThreadPoolExecutor):
        def submit(self, fn, /, *args, **kwargs):
            calls.append(fn.__name__)
            return super().submit(fn, *args, **kwargs)

    async def main():
        with Counting(max_workers=1) as pool:
            fut = asyncio.get_running_loop().run_in_executor(pool, abs, -3)
            kind = type(fut).__name__
            return kind, await fut

    kind, value = asyncio.run(main())
    return {"submit_calls": calls, "returned": kind, "value": value}


def task_is_future():
    """case asyncio.Future() placed first swallows Tasks."""
    def first(x):
        match x:
            case asyncio.Future():
                return "future"
            case asyncio.Task():
                return "task"
        return "other"

    def fixed(x):
        match x:
            case asyncio.Task():
                return "task"
            case asyncio.Future():
                return "future"
        return "other"

    async def main():
        task = asyncio.create_task(asyncio.sleep(0))
        fut = asyncio.get_running_loop().create_future()
        fut.set_result(None)
        out = {"subclass": issubclass(asyncio.Task, asyncio.Future),
               "future_first": [first(task), first(fut)],
               "task_first": [fixed(task), fixed(fut)]}
        await task
        return out

    return asyncio.run(main())


def concurrent_future():
    """A concurrent.futures.Future cannot be awaited; wrap_future makes it one."""
    async def main():
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            raw = pool.submit(abs, -4)
            try:
                await raw
                error = None
            except TypeError as e:
                error = type(e).__name__
            return {"is_asyncio_future": isinstance(raw, asyncio.Future),
                    "await_error": error,
                    "wrapped": await asyncio.wrap_future(raw)}

    return asyncio.run(main())


def run_vs_get_event_loop():
    """asyncio.run makes a new loop, cancels leftover tasks, closes its loop."""
    seen = {}

    async def leftover(tag):
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            seen[tag] = "cancelled"
            raise

    async def main(tag):
        asyncio.create_task(leftover(tag))
        await asyncio.sleep(0)
        return asyncio.get_running_loop()

    first = asyncio.run(main("run"))
    second = asyncio.run(main("run2"))
    # The "equivalent": an explicit loop (get_event_loop warns in 3.12+ and
    # raises on 3.14 with no loop set, so make and set one as 3.14 requires).
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        same = asyncio.get_event_loop() is loop
    mine = loop.run_until_complete(main("manual"))
    pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
    out = {"run_new_loop_each_call": first is not second,
           "run_closed_loop": first.is_closed(),
           "run_cancelled_leftover": seen.get("run") == "cancelled",
           "manual_same_loop": same and mine is loop,
           "manual_loop_open": not loop.is_closed(),
           "manual_leftover_pending": len(pending),
           "manual_leftover_cancelled": "manual" in seen}
    for t in pending:
        t.cancel()
    loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    loop.close()
    asyncio.set_event_loop(None)
    return out


def late_binding():
    """Lambdas made in a loop read the loop variable when called, not when made."""
    sigs = ("SIGTERM", "SIGHUP", "SIGINT")
    late, bound, partial = [], [], []
    for sig in sigs:
        late.append(lambda: sig)
        bound.append(lambda s=sig: s)
        partial.append(functools.partial(str, sig))
    return {"loop": list(sigs), "late": [f() for f in late],
            "default_arg": [f() for f in bound],
            "partial": [f() for f in partial]}


def _cpu_ratio(wait_for_result, seconds):
    result = []

    def worker():
        time.sleep(seconds)
        result.append(42)
        ready.set()

    ready = threading.Event()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    thread = threading.Thread(target=worker)
    thread.start()
    wait_for_result(result, ready)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    thread.join(5)
    return round(cpu / wall, 3)


def busy_wait(seconds=0.3):
    """while not result: pass burns a core; Event.wait burns almost nothing."""
    def spin(result, _ready):
        deadline = time.monotonic() + 10
        while not result and time.monotonic() < deadline:
            pass

    def wait(_result, ready):
        ready.wait(10)

    return {"busy_ratio": _cpu_ratio(spin, seconds),
            "event_ratio": _cpu_ratio(wait, seconds)}


def default_pool(calls=40, seconds=0.2):
    """run_in_executor(None, ...) on more blocking calls than the default pool has
    threads: count the threads that ran them, against the two rules for its size."""
    def blocking(_):
        time.sleep(seconds)
        return threading.get_ident()

    async def main():
        loop = asyncio.get_running_loop()
        return await asyncio.gather(
            *(loop.run_in_executor(None, blocking, i) for i in range(calls)))

    threads = len(set(asyncio.run(main())))
    count = getattr(os, "process_cpu_count", os.cpu_count)() or 1
    return {"threads": threads, "cores_plus_4": min(32, count + 4),
            "processors_times_5": (os.cpu_count() or 1) * 5}


def to_thread_wraps():
    """asyncio.to_thread hands its call to the loop's run_in_executor."""
    calls = []

    async def main():
        loop = asyncio.get_running_loop()
        original = loop.run_in_executor

        def counting(executor, func, *args):
            calls.append("default pool" if executor is None else "a pool")
            return original(executor, func, *args)

        loop.run_in_executor = counting
        return await asyncio.to_thread(abs, -5)

    value = asyncio.run(main())
    return {"run_in_executor_calls": calls, "value": value}


def _child():
    return 42


def join_returns_nothing():
    """Process.join waits for the child and gives back nothing of what it returned."""
    import multiprocessing
    process = multiprocessing.Process(target=_child)
    process.start()
    joined = process.join(30)
    return {"join_returned": repr(joined), "exitcode": process.exitcode}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", help="one of: " + ", ".join(NAMES))
    args = parser.parse_args()
    if args.name not in NAMES:
        print(f"articles: unknown pitfall {args.name!r}", file=sys.stderr)
        return 2
    print(json.dumps(globals()[args.name]()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
