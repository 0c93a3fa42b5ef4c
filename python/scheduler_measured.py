"""--measure and --json for the scheduler twin: the same variants as the Rust example's
measured.rs, each driving the real Scheduler (submit, kill, shutdown) by script.

A dex request's latency runs from when the schedule meant to send it to when its task's
result was held, so a request a blocked loop sends late still counts from its due time."""

import asyncio
import functools
import os
import statistics
import sys
import time

import cpairs
import scheduler_parts as parts

NAMES = ["pikachu", "eevee", "snorlax", "gengar", "psyduck", "mewtwo"]


def run(args, Scheduler, fib):
    options = cpairs.Options(json_out=args.json, full=args.full)
    options.variant = args.variant
    cpairs.begin("scheduler", options, args.start_method)
    requests, every, kills, naive_n = (500, 0.01, 50, 300_000) if args.full else (100, 0.01, 10, 300_000)
    cores, delay, workers = os.cpu_count() or 2, args.delay_ms / 1000, args.workers
    trace = cpairs.Trace("scheduler", options)
    sys.set_int_max_str_digits(0)  # dex-naive's fibs return str(a) here, not in the pool

    def on(coroutine_function, *a):
        return lambda: asyncio.run(coroutine_function(*a))

    async def dex_while(busy):
        """`requests` dex requests on a fixed schedule with `busy` running; latencies."""
        server = await parts.serve(delay)
        scheduler = Scheduler(workers, server, lambda _: None)
        load = None
        if busy == "pool":
            # Every worker up first: under spawn or forkserver the executor starts them on
            # demand, and a fresh interpreter takes longer than the 50 ms below.
            loop = asyncio.get_running_loop()
            await asyncio.gather(*[loop.run_in_executor(scheduler.executor, time.sleep, 0.2)
                                   for _ in range(workers)])
            load = scheduler.submit("fib-multi", "fib-multi", [parts.MAX_FIB] * cores)
        elif busy == "loop":
            for part in range(cores):  # fib on the loop itself: it runs to its end
                asyncio.get_running_loop().call_soon(functools.partial(
                    cpairs.task, 0, fib, naive_n, kind="cpu", part=part))
        start = time.monotonic() + 0.05  # the load is running by then
        planned = []
        for i in range(requests):
            due = start + i * every
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            name = NAMES[i % len(NAMES)]
            planned.append((scheduler.submit(f"dex {name}", "dex", [name]), due))
        await asyncio.wait([scheduler.entry(i).future for i, _ in planned])
        if load is not None:
            still = not scheduler.entry(load).future.done()
            cpairs.note(f"fib-multi still running after the last answer: {still}")
            await scheduler.kill(load)
        latencies = []
        for task_id, due in planned:
            entry = scheduler.entry(task_id)
            assert scheduler.state(entry)[0] == "done", scheduler.state(entry)
            latencies.append(entry.ended - due)
        await scheduler.shutdown(5)
        return latencies

    def latency_figures(v, latencies):
        ordered = sorted(latencies)
        at = lambda q: ordered[round((len(ordered) - 1) * q)]  # noqa: E731
        v.update(requests=len(ordered), service_delay_s=delay,
                 latency_median_s=at(0.5), latency_p99_s=at(0.99))
        cpairs.say(f"{len(ordered)} requests: median {at(0.5) * 1e3:.2f} ms, p99 {at(0.99) * 1e3:.2f} ms")

    for name, busy, uses in (
        ("dex-idle", None, f"{requests} requests, nothing else running"),
        ("dex-busy", "pool", f"fib-multi of {cores} × fib {parts.MAX_FIB} in the pool meanwhile"),
        ("dex-naive", "loop", f"{cores} × fib {naive_n} called on the event loop itself"),
    ):
        ran = trace.run(name, uses, on(dex_while, busy))
        if ran:
            latency_figures(ran[1], ran[0])

    async def kill_many():
        scheduler = Scheduler(workers, await parts.serve(delay), lambda _: None)
        stops = []
        for _ in range(kills):
            task_id = scheduler.submit("fib", "fib", [parts.MAX_FIB])
            await asyncio.sleep(0.03)
            took = await scheduler.kill(task_id)
            cpairs.note(f"task {task_id} stopped {took * 1e3:.3f} ms after the kill")
            stops.append(took)
        await scheduler.shutdown(5)
        return stops

    uses = f"fib {parts.MAX_FIB} in the pool, killed after 30 ms; two Manager events checked every step"
    ran = trace.run("kill", uses, on(kill_many))
    if ran:
        stops, v = sorted(ran[0]), ran[1]
        v.update(cancels=len(stops), kills=kills, stop_median_s=statistics.median_low(stops),
                 stop_worst_s=stops[-1])

    async def session():
        scheduler = Scheduler(workers, await parts.serve(delay), cpairs.say)
        submit = scheduler.submit
        submit("dex pikachu", "dex", ["pikachu"])
        small = submit("fib 200", "fib", [200])
        multi = submit("fib-multi", "fib-multi", [parts.MAX_FIB] * cores)
        submit("dex eevee", "dex", ["eevee"])
        await asyncio.sleep(0.15)
        submit("dex snorlax", "dex", ["snorlax"])
        await asyncio.sleep(0.15)
        took = await scheduler.kill(multi)
        # The small fib ends well before the quit, however slow the machine (bounded).
        await asyncio.wait([scheduler.entry(small).future], timeout=10)
        cpairs.note(f"kill {multi}: stopped {took * 1e3:.3f} ms after the kill")
        submit("fib-multi", "fib-multi", [parts.MAX_FIB] * cores)
        submit("dex mewtwo", "dex", ["mewtwo"])
        await asyncio.sleep(0.2)
        cpairs.note("quit: shutting down")
        _, drained = await scheduler.shutdown(5)
        cpairs.note(f"shutdown drained: {drained}")
        return [scheduler.state(e)[0] for e in scheduler.tasks]

    ran = trace.run("session", "dex, fib, fib-multi, kill, then the shutdown with fib-multi running",
                    on(session))
    if ran:
        states, v = ran
        v.update(finished=states.count("done"), killed=states.count("killed"),
                 cancelled=states.count("cancelled"))
    trace.finish()
