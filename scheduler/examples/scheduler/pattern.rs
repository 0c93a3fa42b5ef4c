//! What the measured variants (`measured.rs`) declare about themselves: the figures they
//! report and the pattern, which `--variants` and `--describe` print and `--measure`
//! runs by name.

use concurrency_pairs::{Figure, Headline, Pattern, Table, VariantInfo};

pub const REQUESTS: Figure = Figure::count("requests", "dex requests");
pub const SERVICE_DELAY: Figure = Figure::seconds("service_delay_s", "service delay");
pub const LATENCY_MEDIAN: Figure =
    Figure::seconds("latency_median_s", "dex latency (median)");
pub const LATENCY_P99: Figure = Figure::seconds("latency_p99_s", "dex latency (p99)");
pub const CANCELS: Figure = Figure::count("cancels", "cancels");
pub const STOP_MEDIAN: Figure =
    Figure::seconds("stop_median_s", "cancel → stopped (median)");
pub const STOP_WORST: Figure =
    Figure::seconds("stop_worst_s", "cancel → stopped (worst)");
pub const FINISHED: Figure = Figure::count("finished", "finished");
pub const KILLED: Figure = Figure::count("killed", "killed");
pub const CANCELLED: Figure = Figure::count("cancelled", "cancelled");

pub const PATTERN: Pattern = Pattern::new(
    "scheduler",
    "the task scheduler measured: dex latency idle, busy and naive; kill latency; a session",
)
.variants(&[
    VariantInfo::both(
        "dex-idle",
        "requests on a fixed schedule, nothing else running",
    ),
    VariantInfo::both(
        "dex-busy",
        "fib-multi of the largest fib per core on the pool meanwhile",
    ),
    VariantInfo::both(
        "dex-naive",
        "a fib per core in async tasks, on the runtime's own threads",
    ),
    VariantInfo::both(
        "kill",
        "the largest fib on the pool, killed after 30 ms; its token checked every step",
    ),
    VariantInfo::both(
        "session",
        "dex, fib, fib-multi, kill, then the shutdown with fib-multi running",
    ),
])
.headline(Headline::new(LATENCY_P99, "dex-busy", "dex-naive"))
.tables(&[
    Table::new(
        "Does a dex answer wait behind the CPU work?",
        &[REQUESTS, SERVICE_DELAY, LATENCY_MEDIAN, LATENCY_P99],
    ),
    Table::new(
        "How soon does a killed fib stop?",
        &[CANCELS, STOP_MEDIAN, STOP_WORST],
    ),
    Table::new(
        "Does the shutdown account for every task?",
        &[FINISHED, KILLED, CANCELLED],
    ),
]);
