//! The scheduler itself: every task it started, how each kind is cancelled, the dashboard,
//! and the graceful shutdown. The REPL (`examples/scheduler/main.rs`) only reads lines
//! and calls these.
//!
//! The article's design, piece by piece:
//! - `dex` is an async task on the runtime, as `asyncio.create_task`; `kill` aborts it
//!   (`Task.cancel()`): it stops at the `.await` it is parked on.
//! - `fib` runs on a CPU pool (a rayon pool standing in for `ProcessPoolExecutor`) and
//!   is awaited through a oneshot channel (`run_in_executor`). A running job cannot be
//!   aborted, so each gets a `CancellationToken` it checks every step (the article's
//!   `manager.Event()`); the tokens are children of one exit token (its `exit_event`).
//! - `fib-multi` is several pool jobs gathered into one task (`asyncio.gather`), sharing
//!   one token, so one `kill` stops them all.

use std::fmt::Write as _;
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use concurrency_pairs::lab::Task;
use concurrency_pairs::work::{Cancelled, fib};
use futures::future::join_all;
use num_bigint::BigUint;
use tokio::sync::{oneshot, watch};
use tokio::task::AbortHandle;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::command::Job;
use crate::dex::{self, Server};

/// How a result or a line reaches the screen (the REPL prints between prompts).
pub type Print = Arc<dyn Fn(String) + Send + Sync>;

/// What became of a task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    Running,
    Done(String),
    Failed(String),
    /// Stopped by `kill`; says how far it got.
    Killed(String),
    /// Stopped by the shutdown.
    Cancelled,
}

impl State {
    pub fn word(&self) -> &'static str {
        match self {
            State::Running => "running",
            State::Done(_) => "done",
            State::Failed(_) => "failed",
            State::Killed(_) => "killed",
            State::Cancelled => "cancelled",
        }
    }
}

/// How a running task is stopped.
#[derive(Debug, Clone)]
enum Stop {
    /// An async task: dropped at its next `.await`.
    Abort(AbortHandle),
    /// Pool jobs: their token, checked every step.
    Token(CancellationToken),
}

/// One row of the dashboard.
#[derive(Debug)]
pub struct Entry {
    pub line: String,
    pub cpu: bool,
    pub started: Instant,
    pub ended: Option<Instant>,
    pub state: State,
    killed: bool,
    stop: Stop,
    finished: watch::Sender<bool>,
}

/// One task as it stands: see [`Scheduler::rows`].
#[derive(Debug, Clone)]
pub struct Row {
    pub line: String,
    /// It ran on the pool (`fib`, `fib-multi`), not as an async task (`dex`).
    pub cpu: bool,
    pub state: State,
    pub started: Instant,
    pub ended: Option<Instant>,
}

/// A task's outcome as its watcher sees it, before it knows who stopped it.
enum Outcome {
    Value(String),
    Error(String),
    Stopped(String),
}

/// The counts the shutdown prints.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub done: usize,
    pub failed: usize,
    pub killed: usize,
    pub cancelled: usize,
    /// Every task stopped before the deadline.
    pub drained: bool,
}

pub struct Scheduler {
    tasks: Mutex<Vec<Entry>>,
    pool: rayon::ThreadPool,
    server: Server,
    exit: CancellationToken,
    tracker: TaskTracker,
    print: Print,
    origin: Instant,
}

impl Scheduler {
    /// A scheduler with a CPU pool of `workers` threads, fetching from `server`.
    pub fn new(workers: usize, server: Server, print: Print) -> Arc<Self> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(workers)
            .thread_name(|i| format!("pool-{i}"))
            .build()
            .expect("the CPU pool's threads start");
        Arc::new(Scheduler {
            tasks: Mutex::new(Vec::new()),
            pool,
            server,
            exit: CancellationToken::new(),
            tracker: TaskTracker::new(),
            print,
            origin: Instant::now(),
        })
    }

    fn tasks(&self) -> MutexGuard<'_, Vec<Entry>> {
        self.tasks.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Print a line stamped with the time since the scheduler started.
    pub fn say(&self, text: impl std::fmt::Display) {
        let t = self.origin.elapsed().as_secs_f64();
        (self.print)(format!("[{t:7.3}s] {text}"));
    }

    // ANCHOR: submit
    /// Start the task a line asks for and give its id (1, 2, ...). Returns at once:
    /// the task runs on; its watcher prints the result when it arrives.
    pub fn submit(self: &Arc<Self>, line: &str, job: Job) -> usize {
        let id = self.tasks().len() + 1;
        match job {
            Job::Dex(name) => {
                let server = self.server.clone();
                let fetch = async move { dex::fetch(&server, &name).await };
                let task = tokio::spawn(Task::new(id).kind("io").run_async(fetch));
                self.watch(
                    id,
                    line,
                    false,
                    Stop::Abort(task.abort_handle()),
                    async move {
                        match task.await {
                            Ok(Ok(entry)) => Outcome::Value(entry),
                            Ok(Err(error)) => Outcome::Error(error),
                            Err(e) if e.is_cancelled() => {
                                Outcome::Stopped("at its await".into())
                            }
                            Err(e) => Outcome::Error(format!("panicked: {e}")),
                        }
                    },
                );
            }
            Job::Fib(n) => {
                let token = self.exit.child_token();
                let job = self.on_pool(Task::new(id), n, token.clone());
                self.watch(id, line, true, Stop::Token(token), async move {
                    outcome(vec![job.await])
                });
            }
            Job::FibMulti(ns) => {
                // One token for the whole group, as the article shares one event.
                let token = self.exit.child_token();
                // Each fib a part of the task, timed as a span of its own.
                let part = |(part, &n)| {
                    self.on_pool(Task::new(id).part(part), n, token.clone())
                };
                let jobs: Vec<_> = ns.iter().enumerate().map(part).collect();
                self.watch(id, line, true, Stop::Token(token), async move {
                    outcome(join_all(jobs).await)
                });
            }
        }
        id
    }

    /// `run_in_executor`: the job runs on a pool thread; the oneshot is the future.
    fn on_pool(&self, task: Task, n: u64, token: CancellationToken) -> PoolJob {
        let (tx, rx) = oneshot::channel();
        self.pool.spawn(move || {
            let result = task.kind("cpu").run(|| fib(n, || token.is_cancelled()));
            let _ = tx.send((n, result));
        });
        rx
    }
    // ANCHOR_END: submit

    /// Record the task, and run its watcher on the tracker: it awaits the outcome,
    /// stores it, prints it, and tells anyone waiting in `kill`.
    fn watch(
        self: &Arc<Self>,
        id: usize,
        line: &str,
        cpu: bool,
        stop: Stop,
        outcome: impl Future<Output = Outcome> + Send + 'static,
    ) {
        let (finished, _) = watch::channel(false);
        self.tasks().push(Entry {
            line: line.trim().to_owned(),
            cpu,
            started: Instant::now(),
            ended: None,
            state: State::Running,
            killed: false,
            stop,
            finished,
        });
        let me = Arc::clone(self);
        self.tracker.spawn(async move {
            let outcome = outcome.await;
            let mut tasks = me.tasks();
            let entry = &mut tasks[id - 1];
            entry.ended = Some(Instant::now());
            entry.state = match outcome {
                Outcome::Value(v) => State::Done(v),
                Outcome::Error(e) => State::Failed(e),
                Outcome::Stopped(how) if entry.killed => State::Killed(how),
                Outcome::Stopped(_) => State::Cancelled,
            };
            // Printed before `wait` and `kill` hear of it, so their answers come after.
            me.say(format!(
                "task {id} ({}) {}",
                entry.line,
                describe(entry, 60)
            ));
            entry.finished.send_replace(true);
        });
    }

    // ANCHOR: kill
    /// `kill ID`: abort an async task, or cancel a pool job's token; then wait
    /// (bounded) until its watcher has seen it stop, and give how long that took.
    pub async fn kill(&self, id: usize) -> Result<Duration, String> {
        let (stop, mut finished) = {
            let mut tasks = self.tasks();
            let entry = find(&mut tasks, id)?;
            if entry.state != State::Running {
                return Err(format!(
                    "task {id} is not running (it is {})",
                    entry.state.word()
                ));
            }
            entry.killed = true;
            (entry.stop.clone(), entry.finished.subscribe())
        };
        let asked = Instant::now();
        match stop {
            Stop::Abort(task) => task.abort(),
            Stop::Token(token) => token.cancel(),
        }
        match tokio::time::timeout(KILL_WAIT, finished.wait_for(|&done| done)).await {
            Ok(_) => Ok(asked.elapsed()),
            Err(_) => Err(format!(
                "task {id} did not stop within {} s",
                KILL_WAIT.as_secs()
            )),
        }
    }
    // ANCHOR_END: kill

    // ANCHOR: shutdown
    /// Cancel everything, then wait for every task to end, up to `deadline`.
    pub async fn shutdown(&self, deadline: Duration) -> Summary {
        self.exit.cancel(); // every pool job's token is a child of this one
        for entry in self.tasks().iter() {
            if let (State::Running, Stop::Abort(task)) = (&entry.state, &entry.stop) {
                task.abort();
            }
        }
        self.tracker.close();
        let drained = tokio::time::timeout(deadline, self.tracker.wait())
            .await
            .is_ok();
        let mut summary = Summary {
            drained,
            ..Summary::default()
        };
        for entry in self.tasks().iter() {
            match entry.state {
                State::Done(_) => summary.done += 1,
                State::Failed(_) => summary.failed += 1,
                State::Killed(_) => summary.killed += 1,
                State::Cancelled | State::Running => summary.cancelled += 1,
            }
        }
        summary
    }
    // ANCHOR_END: shutdown

    /// `wait [ID]`: until task `id` (or every task started so far) has finished.
    pub async fn wait(&self, id: Option<usize>) -> Result<(), String> {
        let mut waiting: Vec<watch::Receiver<bool>> = match id {
            Some(id) => vec![find(&mut self.tasks(), id)?.finished.subscribe()],
            None => self
                .tasks()
                .iter()
                .map(|e| e.finished.subscribe())
                .collect(),
        };
        for finished in &mut waiting {
            let _ = finished.wait_for(|&done| done).await;
        }
        Ok(())
    }

    /// `dash`: one row per task.
    pub fn dash(&self) -> String {
        let tasks = self.tasks();
        let mut out = format!(
            "{:>3}  {:<20}  {:<9}  {:>9}  result",
            "id", "command", "state", "elapsed"
        );
        for (i, entry) in tasks.iter().enumerate() {
            let elapsed = entry.ended.unwrap_or_else(Instant::now) - entry.started;
            let _ = write!(
                out,
                "\n{:>3}  {:<20}  {:<9}  {:>9}  {}",
                i + 1,
                shorten(&entry.line, 20),
                entry.state.word(),
                human(elapsed),
                result_of(entry, 40)
            );
            out.truncate(out.trim_end().len());
        }
        if tasks.is_empty() {
            out.push_str("\n(no tasks yet)");
        }
        out
    }

    /// `job ID`: the full result, or the state.
    pub fn job(&self, id: usize) -> Result<String, String> {
        let mut tasks = self.tasks();
        let entry = find(&mut tasks, id)?;
        Ok(match &entry.state {
            State::Done(value) => value.clone(),
            _ => {
                format!("task {id} ({}) {}", entry.line, describe(entry, usize::MAX))
            }
        })
    }

    /// Every task as it stands, for a script to read (the dashboard, as data).
    pub fn rows(&self) -> Vec<Row> {
        let row = |e: &Entry| Row {
            line: e.line.clone(),
            cpu: e.cpu,
            state: e.state.clone(),
            started: e.started,
            ended: e.ended,
        };
        self.tasks().iter().map(row).collect()
    }
}

/// How long `kill` waits for a task to stop before saying it did not.
const KILL_WAIT: Duration = Duration::from_secs(5);

/// What a pool job sends back: its N and its result.
type PoolJob = oneshot::Receiver<(u64, Result<BigUint, Cancelled>)>;
type PoolResult =
    Result<(u64, Result<BigUint, Cancelled>), oneshot::error::RecvError>;

/// The gathered results of one task's pool jobs: every value, `; `-joined, or how far
/// each got if they were stopped.
fn outcome(results: Vec<PoolResult>) -> Outcome {
    let mut values = Vec::new();
    let mut stopped = Vec::new();
    for result in results {
        match result {
            Ok((_, Ok(value))) => values.push(value.to_string()),
            Ok((n, Err(Cancelled { step }))) => {
                stopped.push(format!("at step {step} of {n}"))
            }
            Err(_) => return Outcome::Error("a pool job panicked".into()),
        }
    }
    if stopped.is_empty() {
        Outcome::Value(values.join("; "))
    } else {
        Outcome::Stopped(stopped.join("; "))
    }
}

fn find(tasks: &mut [Entry], id: usize) -> Result<&mut Entry, String> {
    let count = tasks.len();
    match id.checked_sub(1).and_then(|i| tasks.get_mut(i)) {
        Some(entry) => Ok(entry),
        None if count == 0 => {
            Err(format!("no task {id}: no task has been started yet"))
        }
        None => Err(format!("no task {id} (ids run from 1 to {count})")),
    }
}

/// `done in 0.021 s: pikachu #25 (electric)`, `killed after 1.2 s (at step 5 of 9)`...
fn describe(entry: &Entry, width: usize) -> String {
    let elapsed = entry.ended.unwrap_or_else(Instant::now) - entry.started;
    let state = entry.state.word();
    match &entry.state {
        State::Running => format!("is running ({} so far)", human(elapsed)),
        State::Cancelled => format!("{state} at exit after {}", human(elapsed)),
        _ => format!("{state} in {}: {}", human(elapsed), result_of(entry, width)),
    }
}

fn result_of(entry: &Entry, width: usize) -> String {
    match &entry.state {
        State::Done(v) => shorten_number(v, width),
        State::Failed(e) => shorten(e, width),
        State::Killed(how) => shorten(&format!("stopped {how}"), width),
        State::Running | State::Cancelled => String::new(),
    }
}

/// Long numbers keep their ends and say how many digits they have.
fn shorten_number(value: &str, width: usize) -> String {
    if value.chars().count() <= width {
        return value.to_owned();
    }
    let all_digits = value.bytes().all(|b| b.is_ascii_digit());
    if all_digits && width >= 30 {
        let digits = value.len();
        return format!("{}…{} ({digits} digits)", &value[..8], &value[digits - 8..]);
    }
    shorten(value, width)
}

fn shorten(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_owned();
    }
    let kept: String = text.chars().take(width.saturating_sub(1)).collect();
    format!("{kept}…")
}

/// A duration as a reader reads it: `850 µs`, `21.3 ms`, `1.20 s`.
pub fn human(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s < 1e-3 {
        format!("{:.0} µs", s * 1e6)
    } else if s < 1.0 {
        format!("{:.1} ms", s * 1e3)
    } else {
        format!("{s:.2} s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_numbers_keep_their_ends() {
        let n = "1".repeat(100);
        assert_eq!(shorten_number(&n, 40), "11111111…11111111 (100 digits)");
        assert_eq!(shorten_number("12", 40), "12");
        assert_eq!(shorten("abcdef", 4), "abc…");
    }

    #[test]
    fn durations_read_in_their_unit() {
        assert_eq!(human(Duration::from_micros(850)), "850 µs");
        assert_eq!(human(Duration::from_micros(21_300)), "21.3 ms");
        assert_eq!(human(Duration::from_millis(1200)), "1.20 s");
    }
}
