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
import collections
import multiprocessing
import multiprocessing.util
import os
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cpairs  # noqa: E402

VARIANTS = ("single-loop", "loop-per-core")
DEFAULT_TASKS = 1_000  # Python's CPU part is far slower than Rust's: a smaller default
FULL_TASKS = 10_000

# A crawled page: which task, its result, and the thread (or process) that parsed it.
Page = collections.namedtuple("Page", "id sum lane")


# ANCHOR: crawl
async def crawl(task_id, job):
    """One crawl task: wait for the page (IO), then parse it (CPU) on the loop's thread."""
    await asyncio.sleep(job.io_ms / 1000)
    total = timed(task_id, cpairs.cpu_work, job.units)
    return Page(task_id, total, cpairs.current_lane())


async def crawl_batch(first_id, jobs):
    """Every job of a batch on the running loop, gathered: results in submission order."""
    return await asyncio.gather(
        *(crawl(first_id + i, job) for i, job in enumerate(jobs)))
# ANCHOR_END: crawl


# ANCHOR: single_loop
def single_loop(jobs):
    pages = Pages(jobs)
    for page in asyncio.run(crawl_batch(0, jobs)):
        pages.take(page)
    return pages
# ANCHOR_END: single_loop


# ANCHOR: loop_per_core
def run_batch(first_id, jobs):
    """In a worker process: a fresh event loop for this batch. Module level, so the pool
    can pickle it."""
    return asyncio.run(crawl_batch(first_id, jobs))


def loop_per_core(jobs, cores):
    pages = Pages(jobs)
    size = -(-len(jobs) // cores)  # ceiling division: one batch per core
    with ProcessPoolExecutor(max_workers=cores) as pool:
        futures = [pool.submit(run_batch, first, jobs[first:first + size])
                   for first in range(0, len(jobs), size)]
        for future in as_completed(futures):  # a batch at a time, as each one ends
            for page in future.result():
                pages.take(page)
    return pages
# ANCHOR_END: loop_per_core


# Counting only (`--counts-only`, for the sweep's huge N): no span, no line, no sum kept
# per task. Set in main before any variant runs; worker processes inherit it.
counts_only = False


def timed(task_id, work, *args):
    """The lab's task mark, as CPU work (the timelines colour it apart from the waits)."""
    if counts_only:
        return work(*args)
    return cpairs.task(task_id, work, *args, kind="cpu")


class Pages:
    """What the caller keeps of the pages: each sum, checked, and the pages each thread
    (or process) parsed."""

    def __init__(self, jobs):
        cpairs.quiet_after(3, len(jobs))
        self.jobs = jobs
        self.sums = [] if counts_only else [0] * len(jobs)
        self.wrong = 0
        self.lanes = {}

    def take(self, page):
        """The caller holds a page: check it, count its lane, keep its sum and print it."""
        if page.sum != cpairs.cpu_work_expected(self.jobs[page.id].units):
            self.wrong += 1
        self.lanes[page.lane] = self.lanes.get(page.lane, 0) + 1
        if not counts_only:
            self.sums[page.id] = page.sum
            cpairs.arrived(page.id, f"sum {page.sum}")


class WorkerPeaks:
    """The peak memory of every worker process forked from here on: each one sends its
    own (VmHWM) as it exits, and `total` adds up what was sent."""

    def __init__(self):
        self.sent = multiprocessing.SimpleQueue()
        multiprocessing.util.register_after_fork(self, WorkerPeaks._in_worker)

    def _in_worker(self):
        multiprocessing.util.Finalize(self, self._send, exitpriority=10)

    def _send(self):
        self.sent.put(cpairs.peak_rss_bytes() or 0)

    def total(self):
        """What the workers that have exited since the last call sent, added up."""
        total = 0
        while not self.sent.empty():
            total += self.sent.get()
        return total


def main():
    global counts_only
    options = cpairs.parse_args(
        "crawler",
        "N tasks, each an IO wait then CPU work: one event loop, or a loop per core",
        tasks=True, variants=VARIANTS, counts_only=True)
    counts_only = options.counts_only
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
    worker_peaks = WorkerPeaks()
    lessons = [("single-loop", "one asyncio loop, gather", single_loop, (jobs,)),
               ("loop-per-core", "asyncio.run per process, ProcessPoolExecutor",
                loop_per_core, (jobs, cores))]
    for name, uses, lesson, args in lessons:
        ran = trace.run(name, uses, lesson, *args)
        if ran is None:
            continue
        pages, v = ran
        lanes = ", ".join(f"{lane} ({k} tasks)" for lane, k in sorted(pages.lanes.items()))
        cpairs.say(f"CPU work ran on {len(pages.lanes)} thread(s)/process(es): {lanes}")
        if pages.wrong:
            cpairs.say(f"{pages.wrong} results are wrong")
        v["tasks_run"] = sum(pages.lanes.values())
        v["wrong"] = pages.wrong
        v["lanes"] = len(pages.lanes)
        if not counts_only:
            v["sums"] = pages.sums
        # The process's peak plus each worker's: pages shared after fork count twice. This
        # variant's own when no other ran here.
        peak = (cpairs.peak_rss_bytes() or 0) + worker_peaks.total()
        if options.variant is not None and peak:
            v["peak_rss_bytes"] = peak
        per_unit = min(per_unit, cpairs.cpu_seconds_per_unit())
    trace.set_ideal(cpairs.crawl_ideal(jobs, per_unit, cores))
    for v in trace.variants:
        v["cpu_s"] = units * per_unit
    trace.finish()


if __name__ == "__main__":
    main()
