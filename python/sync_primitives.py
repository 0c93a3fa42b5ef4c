"""sync_primitives: Lock, Semaphore, Condition, Barrier.

Twin of examples/sync_primitives.rs. threading and multiprocessing both offer Lock,
Semaphore (at most N holders at once), Condition (wait until a predicate holds) and
Barrier, with the same API: the lock and semaphore variants run in both forms. Two locks
and a deadlock are python/deadlock.py.

Run: python3 python/sync_primitives.py [--json] [--full] [--variant NAME]
"""

import collections
import multiprocessing
import queue
import threading
import time
import types

import cpairs

WORKERS, ROUNDS, STEP_S = 4, 3, 0.05
SEM_TASKS, PERMITS, SEM_TASK_S = 6, 2, 0.2
ITEMS, CAPACITY, PRODUCE_S, CONSUME_S = 6, 2, 0.05, 0.15
PHASE1_S, PHASE2_S = [0.1, 0.3, 0.2], 0.1


class Sizes:
    def __init__(self, scale):
        self.scale = scale
        self.patience = 10.0 * scale  # the bound on waits that should never take long

    def s(self, seconds):
        return seconds * self.scale


def run_threads(sizes, jobs):
    """Start one named thread per (name, target, args); join them in order and return
    what each target returned."""
    results = {}

    def keep(index, target, args):
        results[index] = target(*args)

    threads = [threading.Thread(target=keep, args=(i, target, args), name=name)
               for i, (name, target, args) in enumerate(jobs)]
    for thread in threads:
        thread.start()
    outcomes = []
    for i, thread in enumerate(threads):
        thread.join(timeout=sizes.patience)
        if thread.is_alive():
            raise RuntimeError(f"{thread.name} did not finish in time")
        outcomes.append(results[i])
    return outcomes


# ANCHOR: mutex
def mutex(sizes):
    rec = cpairs.Recorder("mutex", "threading.Lock + list")
    lock = threading.Lock()
    log = []  # guarded by `lock` only by convention: nothing stops a bare log.append

    def work(worker_id):
        start = rec.clock.now()
        for round_ in range(ROUNDS):
            time.sleep(sizes.s(STEP_S))  # work done outside the lock
            with lock:
                log.append((worker_id, round_))
        return cpairs.task_span(worker_id, cpairs.thread_lane(), start, rec.clock.now())

    jobs = [(f"worker-{i}", work, (i,)) for i in range(WORKERS)]
    for span in run_threads(sizes, jobs):
        rec.receive(span, f"{ROUNDS} entries appended")
    rec.say(f"the log holds {len(log)} entries")
    rec.note("entries", len(log))
    rec.ideal(sizes.s(STEP_S) * ROUNDS)
    return rec.finish()
# ANCHOR_END: mutex


def append_entries(clock, worker_id, sizes, lock, entries, spans):
    """A worker process: count its log entries in shared memory, under the lock."""
    start = clock.now()
    for _ in range(ROUNDS):
        time.sleep(sizes.s(STEP_S))
        with lock:
            entries.value += 1  # a read and a write: safe only because of the lock
    spans.put(cpairs.task_span(worker_id, cpairs.process_lane(), start, clock.now()))


def run_processes(rec, sizes, target, args, count):
    """Start `count` named processes running target(clock, id, sizes, *args, results);
    yield what each puts on `results` as it arrives, then join them (waits bounded)."""
    results = multiprocessing.Queue()
    processes = [multiprocessing.Process(target=target, name=f"worker-{i}",
                                         args=(rec.clock, i, sizes, *args, results))
                 for i in range(count)]
    for process in processes:
        process.start()
    for _ in processes:
        yield results.get(timeout=sizes.patience)
    for process in processes:
        process.join(timeout=sizes.patience)


# ANCHOR: mutex_processes
def mutex_processes(sizes):
    rec = cpairs.Recorder("mutex-processes", "multiprocessing.Lock + raw shared Value")
    lock = multiprocessing.Lock()
    entries = multiprocessing.Value("i", 0, lock=False)  # raw: our lock guards it
    for span in run_processes(rec, sizes, append_entries, (lock, entries), WORKERS):
        rec.receive(span, f"{ROUNDS} entries counted")
    rec.say(f"the shared counter says {entries.value} entries")
    rec.note("entries", entries.value)
    rec.ideal(sizes.s(STEP_S) * ROUNDS)
    return rec.finish()
# ANCHOR_END: mutex_processes


class Gauge:
    """How many workers are inside a section right now, and the most there ever were:
    two ints under one lock, plain for threads, in shared memory for processes."""

    def __init__(self, lock, inside, peak):
        self.lock, self.inside, self.peak = lock, inside, peak

    @classmethod
    def for_threads(cls):
        return cls(threading.Lock(), types.SimpleNamespace(value=0),
                   types.SimpleNamespace(value=0))

    @classmethod
    def for_processes(cls):
        return cls(multiprocessing.Lock(), multiprocessing.Value("i", 0, lock=False),
                   multiprocessing.Value("i", 0, lock=False))

    def enter(self):
        with self.lock:
            self.inside.value += 1
            self.peak.value = max(self.peak.value, self.inside.value)
            return self.inside.value

    def leave(self):
        with self.lock:
            self.inside.value -= 1


def limited_job(clock, task_id, sizes, permits, gauge, results):
    """Sleep while holding a permit, counted by the gauge (a thread or a process)."""
    with permits:
        inside = gauge.enter()
        start = clock.now()
        time.sleep(sizes.s(SEM_TASK_S))
        span = cpairs.task_span(task_id, cpairs.current_lane(), start, clock.now())
        gauge.leave()
    results.put((span, inside))


def semaphore_result(rec, sizes, outcomes, gauge):
    for span, inside in outcomes:
        rec.receive(span, f"{inside} holding a permit as it started")
    rec.say(f"peak concurrency {gauge.peak.value} (limit {PERMITS})")
    rec.note("peak_concurrency", gauge.peak.value)
    rec.note("permits", PERMITS)
    rec.ideal(-(-SEM_TASKS // PERMITS) * sizes.s(SEM_TASK_S))
    return rec.finish()


# ANCHOR: semaphore
def semaphore(sizes):
    rec = cpairs.Recorder("semaphore", "threading.Semaphore")
    permits = threading.Semaphore(PERMITS)
    gauge = Gauge.for_threads()
    results = queue.Queue()
    threads = [threading.Thread(target=limited_job, name=f"task-{i}",
                                args=(rec.clock, i, sizes, permits, gauge, results))
               for i in range(SEM_TASKS)]
    for thread in threads:
        thread.start()
    outcomes = (results.get(timeout=sizes.patience) for _ in threads)  # as they finish
    variant = semaphore_result(rec, sizes, outcomes, gauge)
    for thread in threads:
        thread.join(timeout=sizes.patience)
    return variant
# ANCHOR_END: semaphore


# ANCHOR: semaphore_processes
def semaphore_processes(sizes):
    rec = cpairs.Recorder("semaphore-processes", "multiprocessing.Semaphore")
    permits = multiprocessing.Semaphore(PERMITS)
    gauge = Gauge.for_processes()
    outcomes = run_processes(rec, sizes, limited_job, (permits, gauge), SEM_TASKS)
    return semaphore_result(rec, sizes, outcomes, gauge)
# ANCHOR_END: semaphore_processes


# ANCHOR: bounded_queue
class BoundedQueue:
    """A bounded FIFO: put waits while it is full, get while it is empty. One lock,
    two conditions on it ("there is room", "there is an item"), as queue.Queue does."""

    def __init__(self, capacity, patience):
        self.items = collections.deque()
        self.capacity, self.patience, self.max_len = capacity, patience, 0
        lock = threading.Lock()
        self.not_full = threading.Condition(lock)
        self.not_empty = threading.Condition(lock)

    def put(self, item):
        with self.not_full:
            if not self.not_full.wait_for(lambda: len(self.items) < self.capacity,
                                          timeout=self.patience):
                raise RuntimeError("the consumer did not make room in time")
            self.items.append(item)
            self.max_len = max(self.max_len, len(self.items))
            self.not_empty.notify()

    def get(self):
        with self.not_empty:
            if not self.not_empty.wait_for(lambda: self.items, timeout=self.patience):
                raise RuntimeError("the producer did not deliver in time")
            item = self.items.popleft()
            self.not_full.notify()
            return item
# ANCHOR_END: bounded_queue


# ANCHOR: bounded_queue_use
def bounded_queue(sizes):
    rec = cpairs.Recorder("bounded-queue", "collections.deque + threading.Condition")
    items = BoundedQueue(CAPACITY, sizes.patience)

    def produce():
        for task_id in range(ITEMS):
            start = rec.clock.now()
            time.sleep(sizes.s(PRODUCE_S))
            items.put(cpairs.task_span(task_id, "producer", start, rec.clock.now()))

    producer = threading.Thread(target=produce, name="producer")
    producer.start()
    for _ in range(ITEMS):
        rec.receive(items.get(), "taken from the queue")
        time.sleep(sizes.s(CONSUME_S))  # the slow consumer's work
    producer.join(timeout=sizes.patience)
    rec.say(f"max queued {items.max_len} (capacity {CAPACITY})")
    rec.note("max_queued", items.max_len)
    rec.ideal(sizes.s(PRODUCE_S) + ITEMS * sizes.s(CONSUME_S))
    return rec.finish()
# ANCHOR_END: bounded_queue_use


# ANCHOR: barrier
def barrier(sizes):
    rec = cpairs.Recorder("barrier", "threading.Barrier")
    n = len(PHASE1_S)
    everyone = threading.Barrier(n, timeout=sizes.patience)

    def work(i, phase1):
        start = rec.clock.now()
        time.sleep(sizes.s(phase1))
        first = cpairs.task_span(i, cpairs.thread_lane(), start, rec.clock.now())
        everyone.wait()  # raises BrokenBarrierError after the timeout
        start = rec.clock.now()
        time.sleep(sizes.s(PHASE2_S))
        return first, cpairs.task_span(n + i, cpairs.thread_lane(), start, rec.clock.now())

    jobs = [(f"thread-{i}", work, (i, phase1)) for i, phase1 in enumerate(PHASE1_S)]
    for first, second in run_threads(sizes, jobs):
        rec.receive(first, "phase 1")
        rec.receive(second, "phase 2")
    rec.ideal(sizes.s(max(PHASE1_S) + PHASE2_S))
    return rec.finish()
# ANCHOR_END: barrier


def main():
    variants = {"mutex": mutex, "mutex-processes": mutex_processes,
                "semaphore": semaphore, "semaphore-processes": semaphore_processes,
                "bounded-queue": bounded_queue, "barrier": barrier}
    options = cpairs.parse_args("sync_primitives", "Lock, Semaphore, Condition, Barrier",
                                variants=list(variants))
    sizes = Sizes(5.0 if options.full else 1.0)
    trace = cpairs.Trace("sync_primitives", options)
    for name, variant in variants.items():
        if options.runs(name):
            trace.push(variant(sizes))
    trace.finish()


if __name__ == "__main__":
    main()
