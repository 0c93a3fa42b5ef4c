"""The scheduler twin's plumbing: its command language, the dex service and client, the
dashboard's formatting, stdin on a thread, and its command line. The lesson is in
scheduler.py; this file holds what any REPL needs around it."""

import asyncio
import json
import multiprocessing
import os
import signal
import sys
import threading
import time
from pathlib import Path

import cpairs

MAX_FIB = 1_000_000
POKEDEX = json.loads((Path(__file__).parent.parent / "scheduler" / "pokedex.json").read_text())
HELP = """\
dex NAME          fetch NAME from the dex service (IO)
fib N             the N-th Fibonacci number on the CPU pool (N up to 1000000)
fib-multi N N...  several fibs in parallel, gathered into one task
dash              every task: id, command, state, elapsed, result
job ID            one task's full result
kill ID           cancel a running task
wait [ID]         wait until that task (or every task) has finished
quit              cancel everything, drain, and exit (also: end of input, Ctrl-C)"""


class BadInput(Exception):
    """A line refused, or a command that cannot be done: one line, the REPL goes on."""


def in_child():
    """Initializer of the pool's workers and the manager's process (two changes to the
    article's code, both needed). Python 3.11 refuses str() of an int over 4,300 digits
    (fib 20,000 has 4,180), and the article's fib returns str(a). And a forked child
    inherits the parent's signal handling, wakeup pipe included: Ctrl-C, which reaches
    every process of the terminal's group, would arrive at the loop once per child and
    kill the children mid-job. They ignore the signals: the parent stops them, through
    the exit event and the pool's shutdown."""
    if hasattr(sys, "set_int_max_str_digits"):
        sys.set_int_max_str_digits(0)
    signal.set_wakeup_fd(-1)
    for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, signal.SIG_IGN)


def parse(line):
    """(command, args) for a line, (None, None) for an empty one; BadInput otherwise."""
    words = line.split()
    if not words:
        return None, None
    verb, args = words[0], words[1:]
    if verb == "dex":
        if len(args) == 1:
            return verb, [args[0].lower()]
        raise BadInput("`dex` needs a name, e.g. `dex pikachu`" if not args else "`dex` takes one name")
    if verb == "fib":
        if len(args) == 1:
            return verb, [fib_n(verb, args[0])]
        raise BadInput("`fib` needs a number, e.g. `fib 1000`" if not args
                       else "`fib` takes one number (for several, `fib-multi`)")
    if verb == "fib-multi":
        if not args:
            raise BadInput("`fib-multi` needs numbers, e.g. `fib-multi 100 200 300`")
        return verb, [fib_n(verb, n) for n in args]
    if verb in ("job", "kill"):
        if len(args) == 1:
            return verb, [task_id(verb, args[0])]
        raise BadInput(f"`{verb}` needs a task id (see `dash`)" if not args else f"`{verb}` takes one task id")
    if verb == "wait":
        if len(args) > 1:
            raise BadInput("`wait` takes at most one task id")
        return verb, [task_id(verb, a) for a in args]
    if verb in ("dash", "help", "quit", "exit"):
        if args:
            raise BadInput(f"`{verb}` takes no arguments")
        return ("quit" if verb == "exit" else verb), []
    raise BadInput(f"unknown command `{verb}` (try `help`)")


def fib_n(verb, word):
    if not (word.isascii() and word.isdigit()):
        raise BadInput(f"`{verb}` takes a whole number, not `{word}`")
    if int(word) > MAX_FIB:
        raise BadInput(f"`{verb}` takes N up to {MAX_FIB}, not {word}")
    return int(word)


def task_id(verb, word):
    if not (word.isascii() and word.isdigit()):
        raise BadInput(f"`{verb}` takes a task id, not `{word}`")
    return int(word)


# ANCHOR: fetch
async def fetch(server, name):
    """`dex NAME`: GET /pokemon/NAME over a fresh connection and describe the entry."""
    host, port = server
    try:
        reader, writer = await asyncio.open_connection(host, port)
    except OSError as error:
        raise BadInput(f"cannot reach the dex at http://{host}:{port}: {error}") from None
    writer.write(f"GET /pokemon/{name} HTTP/1.1\r\nHost: {host}:{port}\r\n"
                 "Connection: close\r\n\r\n".encode())
    # Read by Content-Length, not to the end: a pool worker forked meanwhile holds a copy
    # of the server's socket, so the connection's end may come late.
    head = (await reader.readuntil(b"\r\n\r\n")).decode()
    length = next(int(h.split(":")[1]) for h in head.split("\r\n")
                  if h.lower().startswith("content-length:"))
    body = await reader.readexactly(length)
    writer.close()
    if " 404 " in head.split("\r\n")[0]:
        raise BadInput(f"no Pokémon called `{name}` in the dex")
    entry = json.loads(body)
    return f"{entry['name']} #{entry['id']} ({'/'.join(entry['types'])})"
# ANCHOR_END: fetch


async def serve(delay_s):
    """The dex service on a free loopback port; every answer waits `delay_s` first."""
    async def answer(reader, writer):
        request = await reader.readuntil(b"\r\n\r\n")
        path = request.split(b" ")[1].decode()
        await asyncio.sleep(delay_s)
        name = path.removeprefix("/pokemon/")
        found = next((e for e in POKEDEX if e["name"] == name), None)
        status, body = ("200 OK", json.dumps(found)) if found else ("404 Not Found", '{"error":"not found"}')
        writer.write(f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n"
                     f"Content-Length: {len(body.encode())}\r\nConnection: close\r\n\r\n{body}".encode())
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    return server.sockets[0].getsockname()[:2]


def human(seconds):
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} µs"
    return f"{seconds * 1e3:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def shorten(text, width):
    if width is None or len(text) <= width:
        return text
    if text.isdigit() and width >= 30:
        return f"{text[:8]}…{text[-8:]} ({len(text)} digits)"
    return text[:width - 1] + "…"


def describe(state_value, entry, width):
    state, value = state_value
    elapsed = (entry.ended or time.monotonic()) - entry.started
    if state == "running":
        return f"is running ({human(elapsed)} so far)"
    if state == "cancelled":
        return f"cancelled at exit after {human(elapsed)}"
    if state == "killed":
        value = f"stopped {value}"
    return f"{state} in {human(elapsed)}: {shorten(value, width)}"


def dash(scheduler):
    rows = [f"{'id':>3}  {'command':<20}  {'state':<9}  {'elapsed':>9}  result"]
    for i, entry in enumerate(scheduler.tasks, 1):
        state, value = scheduler.state(entry)
        elapsed = (entry.ended or time.monotonic()) - entry.started
        shown = "" if state in ("running", "cancelled") else \
            shorten(f"stopped {value}" if state == "killed" else value, 40)
        rows.append(f"{i:>3}  {shorten(entry.line, 20):<20}  {state:<9}  {human(elapsed):>9}  {shown}".rstrip())
    if not scheduler.tasks:
        rows.append("(no tasks yet)")
    return "\n".join(rows)


STOPPED = object()


class Stop(asyncio.Event):
    """Set by the first signal (with its name) or when the drain begins."""
    reason = None

    def set_reason(self, reason):
        self.reason = reason
        self.set()

    def draining(self):
        self.set()


async def first(work, stopped):
    """Await `work` unless `stopped` comes first (then STOPPED)."""
    work, stop = asyncio.ensure_future(work), asyncio.ensure_future(stopped)
    done, _ = await asyncio.wait({work, stop}, return_when=asyncio.FIRST_COMPLETED)
    for pending in (work, stop):
        if pending not in done:
            pending.cancel()
    return work.result() if work in done else STOPPED


class Lines:
    """stdin on a daemon thread, a line at a time: it reads the next line only after
    ready(), so an answer is printed before the next prompt. input() with readline (line
    editing, history) on a terminal; raw reads of fd 0 from a pipe or a file."""

    def __init__(self, loop):
        self.loop, self.queue, self.go = loop, asyncio.Queue(), threading.Semaphore(0)
        self.tty = sys.stdin.isatty()
        if self.tty:
            import readline  # noqa: F401  (input() gains line editing and history)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        source = self._tty_lines() if self.tty else self._fd_lines()
        for line in source:
            self.go.acquire()
            self.loop.call_soon_threadsafe(self.queue.put_nowait, line)
        self.go.acquire()
        self.loop.call_soon_threadsafe(self.queue.put_nowait, None)

    def _tty_lines(self):
        while True:
            try:
                yield input("> ")
            except EOFError:
                return

    @staticmethod
    def _fd_lines():
        buffer = b""
        while chunk := os.read(0, 65536):
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            yield from (line.decode(errors="replace") for line in lines)
        if buffer:
            yield buffer.decode(errors="replace")

    async def get(self):
        return await self.queue.get()

    def ready(self):
        self.go.release()

    @staticmethod
    def say(origin):
        return lambda text: print(f"[{time.monotonic() - origin:7.3f}s] {text}", flush=True)


def parse_args(argv):
    p = cpairs.OneLineParser("scheduler", "an interactive task scheduler: dex (IO), fib (CPU), "
                             "kill, dash, quit; --json or --full run the measured variants")
    p.add_argument("--server", metavar="URL", help="fetch from this dex service (http://HOST:PORT)")
    p.add_argument("--delay-ms", type=int, default=20, help="the embedded service's answer delay")
    p.add_argument("--workers", type=int, default=5, help="pool processes (the article's 5)")
    p.add_argument("--deadline-s", type=float, default=3.0, help="how long the shutdown waits")
    p.add_argument("--measure", action="store_true", help="run the measured variants")
    p.add_argument("--variant", metavar="NAME", help="only this measured variant")
    p.add_argument("--variants", action="store_true", help="list the measured variants")
    args = p.parse_args(argv)
    if args.variants:
        print("\n".join(VARIANTS))
        sys.exit(0)
    if args.variant is not None and args.variant not in VARIANTS:
        p.error(f"unknown variant `{args.variant}` (known: {', '.join(VARIANTS)})")
    if not 1 <= args.workers <= 64 or args.delay_ms < 0 or args.deadline_s <= 0:
        p.error("--workers takes 1 to 64, --delay-ms 0 or more, --deadline-s above 0")
    if args.server is not None:
        host, _, port = args.server.removeprefix("http://").partition(":")
        if not args.server.startswith("http://") or not host or not port.rstrip("/").isdigit():
            p.error(f"`--server` takes an http:// URL with a host, not `{args.server}`")
        args.server = (host, int(port.rstrip("/")))
    args.measure = args.measure or args.json or args.full or args.variant is not None
    if args.start_method is not None and not args.measure:
        multiprocessing.set_start_method(args.start_method, force=True)
    return args


VARIANTS = ["dex-idle", "dex-busy", "dex-naive", "kill", "session"]
