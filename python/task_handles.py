"""task_handles: what the wait is handed.

Twin of runtimes/examples/task_handles.rs (chapter: book/src/wait_timeout.md, after the JoinSet
variants of python/wait_timeout.py). The Rust example drops or detaches the pending
tasks' handles, tokio's and smol's, which Python has no counterpart of; the twin has
the article's own call instead: asyncio.wait on a list of bare coroutines, not tasks,
which raises TypeError on Python 3.11 before anything runs (variant wait-coroutines).

Run: python3 python/task_handles.py [--json] [--full] [--variant NAME]   (a unit is 0.2 s; --full: 1 s)
"""

import asyncio

import cpairs

TASKS = 9  # task i sleeps i + 1 units
DEFAULT_UNIT_S = 0.2
FULL_UNIT_S = 1.0
LONG_TIMEOUT_UNITS = 10.0  # longer than every task


async def nap(task_id, seconds):
    """One task: sleep, then give its id (as in python/wait_timeout.py)."""
    await asyncio.sleep(seconds)
    return task_id


# ANCHOR: wait_coroutines
async def wait_coroutines(unit):
    """The call as "Multi-tasking in Python" writes it: asyncio.wait on a list of
    bare coroutines. Python 3.11 refuses them (3.8 to 3.10 wrapped each in a task,
    warning)."""
    coroutines = [nap(task_id, (task_id + 1) * unit) for task_id in range(TASKS)]
    try:
        await asyncio.wait(coroutines, timeout=LONG_TIMEOUT_UNITS * unit)
    except TypeError as error:
        cpairs.note(f"TypeError: {error}")
        for coroutine in coroutines:
            coroutine.close()  # never started: closed, no "never awaited" warning
        return f"TypeError: {error}"
    return None
# ANCHOR_END: wait_coroutines


def main():
    options = cpairs.parse_args(
        "task_handles", "what the wait is handed: asyncio.wait refuses bare coroutines",
        variants=["wait-coroutines"])
    unit = FULL_UNIT_S if options.full else DEFAULT_UNIT_S
    trace = cpairs.Trace("task_handles", options)
    ran = trace.run("wait-coroutines", "asyncio.wait([coroutines], timeout=10 units)",
                    lambda: asyncio.run(wait_coroutines(unit)))
    if ran:
        error, v = ran
        v.update(error=error)
    trace.finish()


if __name__ == "__main__":
    main()
