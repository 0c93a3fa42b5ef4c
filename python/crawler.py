"""crawler: asyncio uses one core; an event loop per core uses all.

N "crawl" tasks, each awaiting an IO delay of 0.2-1.0 s and then parsing the page (CPU
work: summing 100,000-500,000 integers), with the same seeded jobs as the Rust example
(cpairs.crawl_jobs). Twin of examples/crawler.rs.

- single-loop: every task on one event loop with asyncio.gather. The waits overlap; the
  CPU parts run one after another on the loop's one thread, one core.
- loop-per-core: the tasks split into one batch per core, each batch run by asyncio.run
  inside a ProcessPoolExecutor worker: an event loop on every core. A batch's results
  come back only when the whole batch is done.

Run: python3 python/crawler.py (1,000 tasks; --full for the articles' 10,000;
--tasks N; --json; --variant NAME; --counts-only).
"""

import asyncio
import os
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cpairs  # noqa: E402

VARIANTS = ("single-loop", "loop-per-core")
DEFAULT_TASKS = 1_000  # Python's CPU part is far slower than Rust's: a smaller default
FULL_TASKS = 10_000


# ANCHOR: crawl
async def crawl(clock, task_id, job):
    """One crawl task: wait for the page (IO), then parse it (CPU) on the loop's thread."""
    await asyncio.sleep(job.io_ms / 1000)
    start = clock.now()
    total = cpairs.cpu_work(job.units)
    return task_id, total, start, clock.now(), cpairs.current_lane()


async def crawl_batch(clock, first_id, jobs):
    """Every job of a batch on the running loop, gathered: results in submission order."""
    return await asyncio.gather(
        *(crawl(clock, first_id + i, job) for i, job in enumerate(jobs)))
# ANCHOR_END: crawl


class Results:
    """Checks and records each result as the caller receives it (as in Rust)."""

    def __init__(self, name, uses, jobs, options):
        self.rec = cpairs.Recorder(name, uses)
        self.rec.quiet_after(3, len(jobs))
        self.jobs = jobs
        self.counts_only = options.counts_only
        self.alone = options.variant is not None
        self.sums = [] if self.counts_only else [0] * len(jobs)
        self.done = 0
        self.wrong = 0
        self.lanes = {}

    def take(self, result):
        task_id, total, start, end, lane = result
        self.done += 1
        if total != cpairs.cpu_work_expected(self.jobs[task_id].units):
            self.wrong += 1
        self.lanes[lane] = self.lanes.get(lane, 0) + 1
        if self.counts_only:
            return
        self.sums[task_id] = total
        self.rec.receive(cpairs.task_span(task_id, lane, start, end, "cpu"), f"sum {total}")

    def finish(self, peak_rss=None):
        lanes = ", ".join(f"{lane} ({n} tasks)" for lane, n in sorted(self.lanes.items()))
        self.rec.say(f"CPU work ran on {len(self.lanes)} thread(s)/process(es): {lanes}")
        if self.wrong:
            self.rec.say(f"{self.wrong} results are wrong")
        self.rec.note("tasks_run", self.done)
        self.rec.note("wrong", self.wrong)
        self.rec.note("lanes", len(self.lanes))
        if not self.counts_only:
            self.rec.note("sums", self.sums)
        if self.alone and peak_rss is not None:
            self.rec.note("peak_rss_bytes", peak_rss)
        return self.rec.finish()


# ANCHOR: single_loop
def single_loop(jobs, options):
    results = Results("single-loop", "one asyncio loop, gather", jobs, options)
    for result in asyncio.run(crawl_batch(results.rec.clock, 0, jobs)):
        results.take(result)
    return results.finish(cpairs.peak_rss_bytes())
# ANCHOR_END: single_loop


# ANCHOR: loop_per_core
def run_batch(clock, first_id, jobs):
    """In a worker process: a fresh event loop for this batch. Module level, so the pool
    can pickle it. Also reports the worker's peak memory."""
    return asyncio.run(crawl_batch(clock, first_id, jobs)), cpairs.peak_rss_bytes()


def loop_per_core(jobs, options, cores):
    results = Results("loop-per-core", "asyncio.run per process, ProcessPoolExecutor",
                      jobs, options)
    size = -(-len(jobs) // cores)  # ceiling division: one batch per core
    peak = cpairs.peak_rss_bytes() or 0
    with ProcessPoolExecutor(max_workers=cores) as pool:
        futures = [pool.submit(run_batch, results.rec.clock, first, jobs[first:first + size])
                   for first in range(0, len(jobs), size)]
        for future in as_completed(futures):
            batch, worker_peak = future.result()
            peak += worker_peak or 0
            for result in batch:
                results.take(result)
    # The parent's peak plus each batch's worker's: pages shared after fork count twice.
    return results.finish(peak)
# ANCHOR_END: loop_per_core


def main():
    options = cpairs.parse_args(
        "crawler",
        "N tasks, each an IO wait then CPU work: one event loop, or a loop per core",
        tasks=True, variants=VARIANTS, counts_only=True)
    n = options.tasks or (FULL_TASKS if options.full else DEFAULT_TASKS)
    cores = cpairs.cores()
    jobs = cpairs.crawl_jobs(n)

    # The CPU work's cost measured in this run: before the first variant and again after
    # each one, keeping the fastest rate (the machine's speed drifts; an ideal must be a
    # lower bound).
    per_unit = cpairs.cpu_seconds_per_unit()
    units = sum(j.units for j in jobs)
    cpairs.say(f"{n} tasks on {cores} cores: {units * per_unit:.2f} s of CPU work in all "
               f"({per_unit * 1e9:.2f} ns per integer), "
               f"ideal {cpairs.crawl_ideal(jobs, per_unit, cores):.3f} s")

    trace = cpairs.Trace("crawler", options)
    # The two languages' defaults differ: the trace names the task count, always.
    options.tasks = n
    runs = [("single-loop", lambda: single_loop(jobs, options)),
            ("loop-per-core", lambda: loop_per_core(jobs, options, cores))]
    for name, run in runs:
        if options.runs(name):
            trace.push(run())
            per_unit = min(per_unit, cpairs.cpu_seconds_per_unit())
    ideal = cpairs.crawl_ideal(jobs, per_unit, cores)
    for variant in trace.variants:
        variant["ideal_s"] = ideal
        variant["cpu_s"] = units * per_unit
    trace.finish()


if __name__ == "__main__":
    main()
