"""sync_primitives: Lock and Semaphore.

Twin of examples/sync_primitives.rs (chapter: book/src/sync_primitives.md). threading and
multiprocessing both offer Lock, Semaphore (at most N holders at once), Condition (wait
until a predicate holds) and Barrier, with the same API: the lock and semaphore variants
run in both forms. Condition and Barrier are python/condition.py; two locks and a
deadlock are python/deadlock.py.

Run: python3 python/sync_primitives.py [--json] [--full] [--variant NAME]
"""

import multiprocessing
import queue
import threading
import time
import types

import cpairs

WORKERS, ROUNDS, STEP_S = 4, 3, 0.05
SEM_TASKS, PERMITS, SEM_TASK_S = 6, 2, 0.2
PATIENCE_S = 10.0  # the bound on waits that should never take long: fail, do not hang


def join(worker):
    """Join a thread or process, failing instead of hanging if it does not end."""
    worker.join(timeout=PATIENCE_S)
    if worker.is_alive():
        raise RuntimeError(f"{worker.name} did not finish in time")


# ANCHOR: mutex
def mutex(workers, rounds, step_s):
    """Workers append to a log under a lock. Returns the log's number of entries."""
    lock = threading.Lock()
    log = []  # guarded by `lock` only by convention: nothing stops a bare log.append

    def work(worker_id):
        for round_ in range(rounds):
            time.sleep(step_s)  # work done outside the lock
            with lock:
                log.append((worker_id, round_))

    threads = [threading.Thread(target=cpairs.task, args=(i, work, i),
                                name=f"worker-{i}")
               for i in range(workers)]
    for thread in threads:
        thread.start()
    for worker_id, thread in enumerate(threads):
        join(thread)
        cpairs.arrived(worker_id, f"{rounds} entries appended")
    cpairs.note(f"the log holds {len(log)} entries")
    return len(log)
# ANCHOR_END: mutex


# ANCHOR: append_entries
def append_entries(rounds, step_s, lock, entries):
    """A worker process: count its log entries in shared memory, under the lock."""
    for _ in range(rounds):
        time.sleep(step_s)
        with lock:
            entries.value += 1  # a read and a write: safe only because of the lock


def appending_worker(worker_id, rounds, step_s, lock, entries, finished):
    """append_entries as task worker_id; then tell the parent it is done."""
    cpairs.task(worker_id, append_entries, rounds, step_s, lock, entries)
    finished.put(worker_id)
# ANCHOR_END: append_entries


# ANCHOR: mutex_processes
def mutex_processes(workers, rounds, step_s):
    """The same with processes, the count in shared memory. Returns the count."""
    lock = multiprocessing.Lock()
    entries = multiprocessing.Value("i", 0, lock=False)  # raw: our lock guards it
    finished = multiprocessing.Queue()  # each worker's id, as it finishes
    processes = [
        multiprocessing.Process(target=appending_worker, name=f"worker-{i}",
                                args=(i, rounds, step_s, lock, entries, finished))
        for i in range(workers)]
    for process in processes:
        process.start()
    for _ in processes:
        cpairs.arrived(finished.get(timeout=PATIENCE_S), f"{rounds} entries counted")
    for process in processes:
        join(process)
    cpairs.note(f"the shared counter says {entries.value} entries")
    return entries.value
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


# ANCHOR: semaphore
def limited_job(task_id, seconds, permits, gauge, finished):
    """Sleep while holding a permit, counted by the gauge (a thread or a process)."""
    with permits:
        inside = gauge.enter()
        cpairs.task(task_id, time.sleep, seconds)
        gauge.leave()
    finished.put((task_id, inside))


def semaphore(tasks, permits, task_s):
    """At most `permits` threads sleep at once. Returns the peak seen inside."""
    limit = threading.Semaphore(permits)
    gauge = Gauge.for_threads()
    finished = queue.Queue()
    threads = [threading.Thread(target=limited_job, name=f"task-{i}",
                                args=(i, task_s, limit, gauge, finished))
               for i in range(tasks)]
    for thread in threads:
        thread.start()
    for _ in threads:  # as they finish
        task_id, inside = finished.get(timeout=PATIENCE_S)
        cpairs.arrived(task_id, f"{inside} holding a permit as it started")
    for thread in threads:
        join(thread)
    cpairs.note(f"peak concurrency {gauge.peak.value} (limit {permits})")
    return gauge.peak.value
# ANCHOR_END: semaphore


# ANCHOR: semaphore_processes
def semaphore_processes(tasks, permits, task_s):
    """The same with worker processes, the gauge in shared memory."""
    limit = multiprocessing.Semaphore(permits)
    gauge = Gauge.for_processes()
    finished = multiprocessing.Queue()
    processes = [multiprocessing.Process(target=limited_job, name=f"worker-{i}",
                                         args=(i, task_s, limit, gauge, finished))
                 for i in range(tasks)]
    for process in processes:
        process.start()
    for _ in processes:  # as they finish
        task_id, inside = finished.get(timeout=PATIENCE_S)
        cpairs.arrived(task_id, f"{inside} holding a permit as it started")
    for process in processes:
        join(process)
    cpairs.note(f"peak concurrency {gauge.peak.value} (limit {permits})")
    return gauge.peak.value
# ANCHOR_END: semaphore_processes


def main():
    options = cpairs.parse_args(
        "sync_primitives", "a Lock and a Semaphore, for threads and for processes",
        variants=["mutex", "mutex-processes", "semaphore", "semaphore-processes"])
    scale = 5.0 if options.full else 1.0

    def s(seconds):
        return seconds * scale

    trace = cpairs.Trace("sync_primitives", options)
    for name, uses, lesson in [("mutex", "threading.Lock + list", mutex),
                               ("mutex-processes", "multiprocessing.Lock + raw shared Value",
                                mutex_processes)]:
        ran = trace.run(name, uses, lesson, WORKERS, ROUNDS, s(STEP_S))
        if ran:
            entries, v = ran
            v.update(entries=entries, workers=WORKERS, rounds=ROUNDS,
                     ideal_s=ROUNDS * s(STEP_S))
    for name, uses, lesson in [("semaphore", "threading.Semaphore", semaphore),
                               ("semaphore-processes", "multiprocessing.Semaphore",
                                semaphore_processes)]:
        ran = trace.run(name, uses, lesson, SEM_TASKS, PERMITS, s(SEM_TASK_S))
        if ran:
            peak, v = ran
            v.update(peak_concurrency=peak, permits=PERMITS, jobs=SEM_TASKS,
                     ideal_s=-(-SEM_TASKS // PERMITS) * s(SEM_TASK_S))
    trace.finish()


if __name__ == "__main__":
    main()
