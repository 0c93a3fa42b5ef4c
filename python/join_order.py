"""join_order: joining waits in start order.

Twin of examples/join_order.rs. Start two multiprocessing.Process children, A slow and
B fast, then a.join(); b.join(). join() returns None, and the parent waits for A even
though B finished long before. Handing results over a multiprocessing.Queue as each
child finishes gives them to the parent in completion order. And the slip of
"Multi-tasking in Python": threading.Thread(target=f()) runs f on the calling thread.

Chapter: book/src/join_order.md.

Run: python3 python/join_order.py [--json] [--full]
"""

import multiprocessing
import threading
import time

import cpairs

DEFAULT_TASKS = [("A", 0.8), ("B", 0.3)]  # task 0 is A (slow, started first), 1 is B
FULL_TASKS = [("A", 3.0), ("B", 1.0)]

# A queue.get waits at most this long: a child that died would otherwise hang us.
GET_TIMEOUT_S = 60


# ANCHOR: child
def child(name, seconds):
    """Sleep, then return the name... to nobody: a Process target's return is lost."""
    time.sleep(seconds)
    return name
# ANCHOR_END: child


def timed_child(task_id, name, seconds):
    cpairs.task(task_id, child, name, seconds)


# ANCHOR: join_in_start_order
def join_in_start_order(tasks):
    a, b = [multiprocessing.Process(target=timed_child, name=f"process-{name}",
                                    args=(task_id, name, seconds))
            for task_id, (name, seconds) in enumerate(tasks)]
    a.start()
    b.start()
    for task_id, process in enumerate([a, b]):
        result = process.join()  # blocks until *this* child has exited
        cpairs.arrived(task_id, f"join returned {result!r}, "
                                f"exit code {process.exitcode}")
# ANCHOR_END: join_in_start_order


# ANCHOR: reporting_child
def reporting_child(task_id, name, seconds, results):
    """Sleep, then put the result on the queue: the only way back to the parent."""
    results.put((task_id, cpairs.task(task_id, child, name, seconds)))
# ANCHOR_END: reporting_child


# ANCHOR: channel_completion_order
def channel_completion_order(tasks):
    results = multiprocessing.Queue()
    processes = [multiprocessing.Process(target=reporting_child,
                                         name=f"process-{name}",
                                         args=(task_id, name, seconds, results))
                 for task_id, (name, seconds) in enumerate(tasks)]
    for process in processes:
        process.start()
    for _ in processes:
        task_id, name = results.get(timeout=GET_TIMEOUT_S)  # whichever put first
        cpairs.arrived(task_id, f"{name!r} arrived on the queue")
    # Drain the queue *before* joining: a child that put data waits for it to be read.
    for process in processes:
        process.join()
# ANCHOR_END: channel_completion_order


# ANCHOR: slow_calculation
ran_on = []  # the thread that ran each calculation, as the article keeps its result


def slow_calculation(task_id, seconds):
    """Sleep, then note which thread did the work."""
    time.sleep(seconds)
    ran_on.append(threading.current_thread().name)
# ANCHOR_END: slow_calculation


# slow_calculation, timed as task `task_id` in the thread that runs it.
timed_calculation = cpairs.timed(slow_calculation)


# ANCHOR: target_called
def target_called(seconds):
    """The slip of "Multi-tasking in Python": `target=f()` calls f right here, on this
    thread, and hands Thread its return value, None. The thread has nothing to run."""
    thread = threading.Thread(target=timed_calculation(0, seconds))
    thread.start()
    thread.join()
    cpairs.arrived(0, f"computed on {ran_on[-1]}")
    return ran_on[-1]
# ANCHOR_END: target_called


# ANCHOR: target_passed
def target_passed(seconds):
    """The fix: pass the function itself, and its arguments apart."""
    thread = threading.Thread(target=timed_calculation, args=(0, seconds))
    thread.start()
    thread.join()
    cpairs.arrived(0, f"computed on {ran_on[-1]}")
    return ran_on[-1]
# ANCHOR_END: target_passed


VARIANTS = ["join-in-start-order", "channel-completion-order", "target-called",
            "target-passed"]


def main():
    options = cpairs.parse_args(
        "join_order", "join waits in start order; a queue hands results over as they finish",
        variants=VARIANTS)
    tasks = FULL_TASKS if options.full else DEFAULT_TASKS
    trace = cpairs.Trace("join_order", options)
    trace.run("join-in-start-order", "multiprocessing.Process + join",
              join_in_start_order, tasks)
    trace.run("channel-completion-order", "multiprocessing.Process + Queue",
              channel_completion_order, tasks)
    trace.set_ideal(max(seconds for _, seconds in tasks))
    slow = tasks[0][1]
    for name, uses, lesson in [("target-called", "threading.Thread(target=f())", target_called),
                               ("target-passed", "threading.Thread(target=f, args=...)",
                                target_passed)]:
        ran = trace.run(name, uses, lesson, slow)
        if ran:
            thread_name, v = ran
            v.update(ran_on_caller=int(thread_name == threading.current_thread().name),
                     ideal_s=slow)
    trace.finish()


if __name__ == "__main__":
    main()
