"""crawler: asyncio uses one core; an event loop per core uses all.

N "crawl" tasks, each awaiting an IO delay of 0.2-1.0 s and then parsing the page with the
article's own CPU loop (`for i in range(n): result += i`, 100,000-500,000 integers), with
the same seeded jobs as the Rust example (cpairs.crawl_jobs). Twin of examples/crawler.rs;
chapter: book/src/crawler.md.

- single-loop: every task on one event loop with asyncio.gather. The waits overlap; the
  CPU parts run one after another on the loop's one thread, one core.
- article-batches: the article's design as it wrote it: 5 batches of N/5 (2,000 of its
  10,000), each run by asyncio.run in a worker of a default ProcessPoolExecutor(), through
  loop.run_in_executor and asyncio.gather. On C cores one worker runs ceil(5 / C) batches.
- loop-per-core: one batch per core instead, each batch's pages taken as it ends.
- single-loop-sum: single-loop with sum(range(n)), what idiomatic Python would write: the
  same values, the loop in C.

Run: python3 python/crawler.py (1,000 tasks; --full for the articles' 10,000;
--tasks N; --json; --variant NAME; --counts-only).
"""

import asyncio
import collections
import os
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cpairs  # noqa: E402

VARIANTS = ("single-loop", "article-batches", "loop-per-core", "single-loop-sum")
DEFAULT_TASKS = 1_000  # Python's CPU part is far slower than Rust's: a smaller default
FULL_TASKS = 10_000

ARTICLE_BATCHES = 5  # the article: 5 batches of 2,000 for its 10,000 tasks

# A crawled page: which task, its result, and the thread (or process) that parsed it.
Page = collections.namedtuple("Page", "id sum lane")


# ANCHOR: crawl
def parse(n):
    """The CPU part, the article's loop: one Python addition per integer."""
    result = 0
    for i in range(n):
        result += i
    return result


async def crawl(task_id, job):
    """One crawl task: wait for the page (IO), parse it (CPU) on the loop's thread."""
    await asyncio.sleep(job.io_ms / 1000)
    total = timed(task_id, parser, job.units)
    return Page(task_id, total, cpairs.current_lane())


async def crawl_batch(first_id, jobs):
    """A batch's jobs on the running loop, gathered: results in submission order."""
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


# ANCHOR: article_batches
def run_batch_tasks(batch_idx, step, jobs):
    """In a worker process: a fresh event loop for one batch. Module level, so a pool
    can pickle it."""
    return asyncio.run(crawl_batch(batch_idx * step, jobs))


async def distribute(jobs):
    """The article's main: 5 batches through run_in_executor on a default pool."""
    loop = asyncio.get_running_loop()
    step = -(-len(jobs) // ARTICLE_BATCHES)  # ceiling division
    with ProcessPoolExecutor() as executor:  # os.cpu_count() workers
        tasks = [loop.run_in_executor(executor, run_batch_tasks, batch_idx, step,
                                      jobs[batch_idx * step:(batch_idx + 1) * step])
                 for batch_idx in range(ARTICLE_BATCHES)]
    # As in the article, gather after the `with`: leaving it waited for every batch.
    return [page for batch in await asyncio.gather(*tasks) for page in batch]


def article_batches(jobs):
    pages = Pages(jobs)
    for page in asyncio.run(distribute(jobs)):
        pages.take(page)
    return pages
# ANCHOR_END: article_batches


# ANCHOR: loop_per_core
def run_batch(first_id, jobs):
    """In a worker process: a fresh event loop for this batch."""
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


# The CPU part every task runs: the article's loop, but for `single-loop-sum`.
parser = parse


def single_loop_sum(jobs):
    """single-loop, parsing with sum(range(n)): what idiomatic Python would write."""
    global parser
    parser = cpairs.cpu_work
    try:
        return single_loop(jobs)
    finally:
        parser = parse


def timed(task_id, work, *args):
    """The lab's task mark, as CPU work (the timelines colour it apart from the waits)."""
    if cpairs.counts_only():  # for the sweep's huge N: no span, no line, no sum per task
        return work(*args)
    return cpairs.task(task_id, work, *args, kind="cpu")


class Pages:
    """What the caller keeps of the pages: each sum, checked, and the pages each thread
    (or process) parsed."""

    def __init__(self, jobs):
        cpairs.quiet_after(3, len(jobs))
        self.jobs = jobs
        self.sums = [] if cpairs.counts_only() else [0] * len(jobs)
        self.wrong = 0
        self.lanes = {}

    def take(self, page):
        """The caller holds a page: check it, count its lane, keep its sum and print it."""
        if page.sum != cpairs.cpu_work_expected(self.jobs[page.id].units):
            self.wrong += 1
        self.lanes[page.lane] = self.lanes.get(page.lane, 0) + 1
        if not cpairs.counts_only():
            self.sums[page.id] = page.sum
            cpairs.arrived(page.id, f"sum {page.sum}")


def main():
    options = cpairs.parse_args(
        "crawler",
        "N tasks, each an IO wait then CPU work: one event loop, or a loop per core",
        tasks=True, variants=VARIANTS, counts_only=True, worker_peaks=True)
    n = options.tasks or (FULL_TASKS if options.full else DEFAULT_TASKS)
    cores = cpairs.cores()
    jobs = cpairs.crawl_jobs(n)
    units = sum(j.units for j in jobs)

    # What an integer costs, on one core alone and with every core busy at once (a core
    # runs slower when its neighbours work), measured before the first variant and again
    # after each one, keeping the fastest: the ideal assumes every core busy.
    rates = Rates(parse, cores)
    cpairs.say(f"{n} tasks on {cores} cores: {units * rates.all_cores:.2f} s of CPU work in "
               f"all ({rates.all_cores * 1e9:.1f} ns per integer, every core busy), "
               f"ideal {cpairs.crawl_ideal(jobs, rates.all_cores, cores):.3f} s")

    trace = cpairs.Trace("crawler", options)
    # The two languages' defaults differ: the trace names the task count, always.
    options.tasks = n
    sum_rates = None  # sum(range(n))'s, measured only when single-loop-sum runs
    lessons = [
        ("single-loop", "one asyncio loop, gather; for i in range(n): result += i",
         single_loop, (jobs,)),
        ("article-batches", "5 batches, asyncio.run in a default ProcessPoolExecutor, "
         "run_in_executor + gather", article_batches, (jobs,)),
        ("loop-per-core", "a batch per core, asyncio.run per process, ProcessPoolExecutor",
         loop_per_core, (jobs, cores)),
        ("single-loop-sum", "one asyncio loop, gather; sum(range(n))",
         single_loop_sum, (jobs,)),
    ]
    for name, uses, lesson, args in lessons:
        if not options.runs(name):
            continue
        if lesson is single_loop_sum:
            sum_rates = Rates(cpairs.cpu_work, cores)
        before = cpairs.cpu_time_s()
        pages, v = trace.run(name, uses, lesson, *args)
        busy = (cpairs.cpu_time_s() - before) / (v["wall_s"] * cores)
        lanes = ", ".join(f"{lane} ({k} tasks)" for lane, k in sorted(pages.lanes.items()))
        cpairs.say(f"CPU work ran on {len(pages.lanes)} thread(s)/process(es): {lanes}; "
                   f"cores busy {busy:.2f}")
        if pages.wrong:
            cpairs.say(f"{pages.wrong} results are wrong")
        # The lanes that parsed follow from the spans; the counts survive --counts-only.
        v.update(cpu_utilisation=busy, tasks_run=sum(pages.lanes.values()), wrong=pages.wrong)
        if lesson is article_batches:
            v.update(batches=ARTICLE_BATCHES)
        if not options.counts_only:
            v.update(sums=pages.sums)
        # The process's peak plus each worker's: pages shared after fork count twice. This
        # variant's own when no other ran here.
        peak = (cpairs.peak_rss_bytes() or 0) + cpairs.worker_peak_bytes()
        if options.variant is not None and peak:
            v.update(peak_rss_bytes=peak)
        (sum_rates if lesson is single_loop_sum else rates).again()
    for v in trace.variants:
        r = sum_rates if v["name"] == "single-loop-sum" else rates
        v.update(ideal_s=cpairs.crawl_ideal(jobs, r.all_cores, cores),
                 cpu_s=units * r.all_cores, load_slowdown=r.all_cores / r.one_core)
    trace.finish()


class Rates:
    """What an integer of `work` costs here, on one core alone and with every core busy,
    each the fastest seen (as the Rust library's crawl::CpuRates)."""

    UNITS = 200_000

    def __init__(self, work, cores):
        self.work, self.cores = work, cores
        self.one_core = self.all_cores = float("inf")
        self.again()

    def again(self):
        self.one_core = min(self.one_core, cpairs.seconds_per_unit(self.work, self.UNITS))
        self.all_cores = min(self.all_cores, cpairs.seconds_per_unit_all_cores(
            self.work, self.UNITS, self.cores))
        cpairs.worker_peak_bytes()  # the measuring processes' peaks are no variant's


if __name__ == "__main__":
    main()
