//! The figures an example reports beside its tasks, as typed fields.
//!
//! Every figure a variant may carry (lost updates, peak memory, cost per task, tick
//! lateness...) is declared once here, with its unit. The examples set them, the Python
//! twins write the same keys into their JSON, and the xtask and the tests read them back
//! through these fields: no figure is looked up by a string key. Figures are stored in
//! base units (seconds, bytes, counts); turning them into `ms` or `MB` is the formatter's
//! job, once, in the xtask.

use serde::{Deserialize, Serialize};

/// What a scalar figure counts or measures: the formatter picks the display unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A duration or an instant, in seconds.
    Seconds,
    /// A size, in bytes.
    Bytes,
    /// A whole number of things.
    Count,
    /// One quantity divided by another (a slowdown, a speed-up).
    Ratio,
}

/// Counts are whole numbers: write `4`, not `4.0` (any whole value, whatever its unit).
fn whole_as_integer<S: serde::Serializer>(value: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match *value {
        Some(x) if x.fract() == 0.0 && x.abs() < 9.0e15 => s.serialize_i64(x as i64),
        Some(x) => s.serialize_f64(x),
        None => s.serialize_none(),
    }
}

macro_rules! figures {
    ($($(#[doc = $doc:literal])+ $field:ident: $figure:ident, $label:literal, $unit:ident;)+) => {
        /// The scalar figures of one variant; `None` where the example does not report it.
        #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
        #[serde(default)]
        pub struct Figures {
            $(
                $(#[doc = $doc])+
                #[serde(
                    skip_serializing_if = "Option::is_none",
                    serialize_with = "whole_as_integer"
                )]
                pub $field: Option<f64>,
            )+
            /// The sizes of the jobs, where they differ (in the example's own units).
            #[serde(skip_serializing_if = "Option::is_none")]
            pub sizes: Option<Vec<u64>>,
            /// Each job's result, by task id, so a test can check every one.
            #[serde(skip_serializing_if = "Option::is_none")]
            pub sums: Option<Vec<u64>>,
            /// The error a variant ran into on purpose, as the caller saw it.
            #[serde(skip_serializing_if = "Option::is_none")]
            pub error: Option<String>,
        }

        /// The name of one scalar figure, for tables that show whichever are present.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Figure {
            $($figure,)+
        }

        impl Figure {
            /// Every scalar figure, in the order tables show them.
            pub const ALL: &[Figure] = &[$(Figure::$figure,)+];

            /// A short column header.
            pub fn label(self) -> &'static str {
                match self {
                    $(Figure::$figure => $label,)+
                }
            }

            pub fn unit(self) -> Unit {
                match self {
                    $(Figure::$figure => Unit::$unit,)+
                }
            }
        }

        impl Figures {
            /// The value of one scalar figure, if reported.
            pub fn get(&self, figure: Figure) -> Option<f64> {
                match figure {
                    $(Figure::$figure => self.$field,)+
                }
            }

            /// The scalar figures this variant reports, in [`Figure::ALL`]'s order.
            pub fn present(&self) -> Vec<(Figure, f64)> {
                Figure::ALL
                    .iter()
                    .filter_map(|&f| Some((f, self.get(f)?)))
                    .collect()
            }
        }
    };
}

figures! {
    /// `join_order`: how long B's finished result sat before the caller took it.
    b_result_waited_s: BResultWaited, "B's result waited", Seconds;
    /// `pool_apply`: the pool's worker count.
    workers: Workers, "workers", Count;
    /// `sync_primitives`: entries in the log the mutex guards.
    entries: Entries, "log entries", Count;
    /// The most tasks inside a section at one instant.
    peak_concurrency: PeakConcurrency, "peak concurrency", Count;
    /// `sync_primitives`: the semaphore's permits.
    permits: Permits, "permits", Count;
    /// `sync_primitives`: the longest the bounded queue ever was.
    max_queued: MaxQueued, "max queued", Count;
    /// `sync_primitives`: transfers that gave up on a lock.
    gave_up: GaveUp, "gave up", Count;
    /// `event`: when the waiter woke.
    woke_s: WokeAt, "waiter woke", Seconds;
    /// `event`: when the worker published its value.
    published_s: PublishedAt, "value published", Seconds;
    /// `event`: when the worker ended.
    worker_end_s: WorkerEnd, "worker ended", Seconds;
    /// `run_in_executor`: how many times the IO ticker woke.
    io_ticks: IoTicks, "IO ticks", Count;
    /// `run_in_executor`: the latest an IO tick woke after it was due.
    io_max_late_s: IoMaxLate, "worst IO tick lateness", Seconds;
    /// `blocking_in_async`: the latest the heartbeat woke after it was due.
    heartbeat_late_s: HeartbeatLate, "worst heartbeat lateness", Seconds;
    /// `gil` (Python): 1 where the interpreter runs with the GIL, 0 on a free-threaded
    /// build with it off (`sys._is_gil_enabled()`).
    gil_enabled: GilEnabled, "GIL on", Count;
    /// `shared_state`: increments attempted.
    increments: Increments, "increments", Count;
    /// `shared_state`: the counter's final value.
    final_value: FinalValue, "final value", Count;
    /// `shared_state`: increments that were lost.
    lost_updates: LostUpdates, "lost updates", Count;
    /// `shared_state`: wall time per increment.
    increment_s: PerIncrement, "per increment", Seconds;
    /// `wait_timeout`: tasks done when the wait returned.
    done_at_deadline: DoneAtDeadline, "done at deadline", Count;
    /// `wait_timeout`: tasks that completed after the wait returned.
    completed_after_deadline: CompletedAfterDeadline, "completed after", Count;
    /// `wait_timeout`: tasks cancelled.
    cancelled: Cancelled, "cancelled", Count;
    /// `crawler`: tasks that ran.
    tasks_run: TasksRun, "tasks run", Count;
    /// `crawler`: tasks whose result was wrong (must be 0).
    wrong: Wrong, "wrong results", Count;
    /// `crawler`: lanes (threads or processes) that did the CPU work.
    lanes: Lanes, "lanes", Count;
    /// `crawler`: the CPU work of the whole batch on one core, measured.
    cpu_s: CpuWork, "CPU work", Seconds;
    /// Peak resident memory of the process (and its workers).
    peak_rss_bytes: PeakRss, "peak RSS", Bytes;
    /// `runtimes`: wall time per task to spawn and join.
    task_s: PerTask, "per task", Seconds;
    /// `runtimes`: memory per live task.
    task_bytes: BytesPerTask, "memory per task", Bytes;
    /// `runtimes`: tasks that completed.
    completed: Completed, "completed", Count;
    // errors
    /// `errors`: jobs submitted.
    jobs: Jobs, "jobs", Count;
    /// `errors`: jobs that failed (raised, panicked, or took their worker down).
    failed: Failed, "failed", Count;
    /// `errors`: results the caller still received.
    results_kept: ResultsKept, "results kept", Count;
    // shutdown
    /// `shutdown`: jobs still running when the signal came.
    in_flight: InFlight, "in flight at signal", Count;
    /// `shutdown`: jobs that finished and wrote their result.
    finished: Finished, "finished", Count;
    /// `shutdown`: from the signal to every job stopped (or the deadline).
    drain_s: Drain, "signal to all stopped", Seconds;
    /// `shutdown`: the exit code the program would give (0 clean, 1 deadline passed).
    exit_code: ExitCode, "exit code", Count;
    // cancel
    /// `cancel`: time from the cancel request to the work actually stopping (median).
    stop_median_s: StopMedian, "cancel → stopped (median)", Seconds;
    /// `cancel`: time from the cancel request to the work actually stopping (worst).
    stop_worst_s: StopWorst, "cancel → stopped (worst)", Seconds;
    /// `cancel`: how many cancels the stop times are taken over.
    cancels: Cancels, "cancels", Count;
    /// `cancel`: the cost of one cancellation check.
    check_s: PerCheck, "per check", Seconds;
    /// `cancel`: fib with a check every step ÷ fib without.
    slowdown: Slowdown, "slowdown with checks", Ratio;
    /// `cancel`: cancel requests refused (`Future.cancel()` returned False).
    refused: Refused, "cancel refused", Count;
    /// `cancel`: jobs that ran to their end though they were aborted or cancelled.
    ran_to_end: RanToEnd, "ran to the end anyway", Count;
    /// `cancel`: the steps of one full fib job (its N).
    steps: Steps, "fib steps (N)", Count;
    /// `cancel`: the most steps a job did before it stopped.
    steps_done: StepsDone, "most steps done", Count;
    /// `cancel`: the async ticker's count when it was aborted.
    ticks_at_abort: TicksAtAbort, "ticks at abort", Count;
    /// `cancel`: the async ticker's count a while after the abort.
    ticks_after: TicksAfter, "ticks later", Count;
    /// `cancel`: child tokens cancelled by cancelling their parent.
    children_cancelled: ChildrenCancelled, "children cancelled", Count;
    // scheduler
    /// `scheduler`: dex requests sent.
    requests: Requests, "dex requests", Count;
    /// `scheduler`: how long the dex service waits before it answers (a set parameter).
    service_delay_s: ServiceDelay, "service delay", Seconds;
    /// `scheduler`: a dex request's latency, planned send to answer held (median).
    latency_median_s: LatencyMedian, "dex latency (median)", Seconds;
    /// `scheduler`: a dex request's latency, planned send to answer held (99th percentile).
    latency_p99_s: LatencyP99, "dex latency (p99)", Seconds;
    /// `scheduler`: tasks stopped by `kill`.
    killed: Killed, "killed", Count;
    // shared_state, at the article's size
    /// `shared_state`: times the article's own program ran.
    article_runs: ArticleRuns, "article's program runs", Count;
    /// `shared_state`: runs of the article's program that printed its "5".
    article_exact: ArticleExact, "runs printing 5", Count;
    // pipeline
    /// `pipeline`: items the collector received (or, with no reader, puts accepted).
    items: Items, "items", Count;
    /// `pipeline`: the result queue's slots (absent: unbounded).
    capacity: Capacity, "capacity", Count;
    /// `pipeline`: the most results mapped but not yet collected, at any receipt.
    max_in_flight: MaxInFlight, "most in flight", Count;
    /// `pipeline`: wall time per item.
    item_s: PerItem, "per item", Seconds;
    /// `pipeline`: from the start to the first mapper running (threads or processes up).
    startup_s: StartUp, "start-up", Seconds;
    /// `pipeline`: results received at a place other than their input position.
    out_of_order: OutOfOrder, "out of order", Count;
    // crawler utilisation
    /// `crawler`: user + system CPU time of the process (and of its worker processes)
    /// while the variant ran, over its wall time × the cores: 1 is every core busy.
    cpu_utilisation: CpuUtilisation, "CPU time ÷ (wall × cores)", Ratio;
    /// `crawler`: what an integer of the CPU work costs with every core computing at
    /// once, over what it costs on one core alone.
    load_slowdown: LoadSlowdown, "cost per integer, all cores ÷ one", Ratio;
    // pitfalls and claims
    /// `join_order`: calls of the thread's work that ran on the caller's own thread.
    ran_on_caller: RanOnCaller, "ran on the caller's thread", Count;
    /// `errors`: coroutines created and dropped without an `await` (Python's warning).
    never_awaited: NeverAwaited, "coroutines never awaited", Count;
    /// `errors`: results the caller got back as `None` where a value or an error was due.
    returned_none: ReturnedNone, "get() returned None", Count;
    /// `pool_map`: distinct worker processes (or threads) that ran the jobs.
    distinct_workers: DistinctWorkers, "distinct workers", Count;
    /// `spawn_vs_await`: distinct event loops (or runtimes) over the runs.
    event_loops: EventLoops, "distinct event loops", Count;
    // gil and concurrency_vs_parallelism
    /// `gil`: the one-worker variant's wall time over this variant's, on the same jobs.
    speedup: SpeedUp, "speed-up over one worker", Ratio;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_reported_figures_are_written_and_read_back() {
        let figures = Figures {
            lost_updates: Some(3.0),
            sums: Some(vec![1, 2]),
            ..Figures::default()
        };
        let json = serde_json::to_value(&figures).expect("serialises");
        assert_eq!(json, serde_json::json!({"lost_updates": 3, "sums": [1, 2]}));
        let back: Figures = serde_json::from_value(json).expect("parses");
        assert_eq!(back, figures);
        assert_eq!(back.present(), vec![(Figure::LostUpdates, 3.0)]);
        assert_eq!(Figure::LostUpdates.unit(), Unit::Count);
    }
}
