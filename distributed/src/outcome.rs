//! What a run of one variant found, as one line a process prints and another reads.
//!
//! A variant may need an `mpirun` of its own (`mixed` has a Python rank 0), so the
//! process that launches the runs gathers their findings: each run's rank 0 prints one
//! `outcome key=value ...` line per variant on stdout, and the launcher builds the
//! summary lines or the trace from them. The twin prints and reads the same lines
//! (`python/distributed_parts.py`), so either launcher can run the `mixed` variant.

use std::fmt;

use concurrency_pairs::{Options, Pattern, TaskSpan, Trace, Variant, out};

use crate::Tally;
use crate::launch::Gathered;

/// The word that starts an outcome line.
pub const WORD: &str = "outcome";

/// What rank 0 found in one variant.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub name: String,
    pub wall_s: f64,
    pub ranks: u64,
    /// The tally the variant put together: count, sum, wrong.
    pub got: Tally,
    /// The tally computed directly.
    pub direct: Tally,
    /// The payload bytes moved between processes.
    pub bytes_sent: u64,
    /// The variant's own figures (chunks, rayon threads, ...), by trace key.
    pub extra: Vec<(String, f64)>,
    /// When each rank crawled which range, on its own clock from the barrier.
    pub spans: Vec<TaskSpan>,
}

/// An outcome line that does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutcomeError(pub String);

impl fmt::Display for OutcomeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a run's outcome line does not parse: {}", self.0)
    }
}

impl std::error::Error for OutcomeError {}

impl Outcome {
    /// Count and sum as computed directly, and no result wrong.
    pub fn ok(&self) -> bool {
        self.got[..2] == self.direct[..2] && self.got[2] == 0
    }

    /// One of the extra figures.
    pub fn extra(&self, key: &str) -> Option<f64> {
        self.extra.iter().find(|(k, _)| k == key).map(|&(_, v)| v)
    }

    /// The line a run prints.
    pub fn to_line(&self) -> String {
        let [count, sum, wrong] = self.got;
        let mut line = format!(
            "{WORD} name={} wall_s={} ranks={} count={count} sum={sum} wrong={wrong} \
             direct_count={} direct_sum={} bytes_sent={}",
            self.name,
            self.wall_s,
            self.ranks,
            self.direct[0],
            self.direct[1],
            self.bytes_sent
        );
        for (key, value) in &self.extra {
            line += &format!(" {key}={value}");
        }
        if !self.spans.is_empty() {
            let spans: Vec<String> = self.spans.iter().map(span_word).collect();
            line += &format!(" spans={}", spans.join(","));
        }
        line
    }

    /// The outcome of an outcome line; `None` for any other line.
    pub fn parse(line: &str) -> Option<Result<Outcome, OutcomeError>> {
        let rest = line.trim().strip_prefix(WORD)?.strip_prefix(' ')?;
        Some(
            Self::parse_pairs(rest)
                .map_err(|why| OutcomeError(format!("{why}: {line}"))),
        )
    }

    fn parse_pairs(pairs: &str) -> Result<Outcome, String> {
        let mut outcome = Outcome {
            name: String::new(),
            wall_s: f64::NAN,
            ranks: 0,
            got: [0; 3],
            direct: [0; 3],
            bytes_sent: 0,
            extra: Vec::new(),
            spans: Vec::new(),
        };
        for pair in pairs.split_whitespace() {
            let (key, value) = pair.split_once('=').ok_or(format!("`{pair}`"))?;
            let whole = || value.parse::<u64>().map_err(|_| format!("`{pair}`"));
            match key {
                "name" => outcome.name = value.to_owned(),
                "ranks" => outcome.ranks = whole()?,
                "count" => outcome.got[0] = whole()?,
                "sum" => outcome.got[1] = whole()?,
                "wrong" => outcome.got[2] = whole()?,
                "direct_count" => outcome.direct[0] = whole()?,
                "direct_sum" => outcome.direct[1] = whole()?,
                "bytes_sent" => outcome.bytes_sent = whole()?,
                "spans" => outcome.spans = parse_spans(value)?,
                _ => {
                    let number =
                        value.parse::<f64>().map_err(|_| format!("`{pair}`"))?;
                    match key {
                        "wall_s" => outcome.wall_s = number,
                        _ => outcome.extra.push((key.to_owned(), number)),
                    }
                }
            }
        }
        match outcome.name.is_empty() || outcome.wall_s.is_nan() {
            true => Err("no name or no wall_s".to_owned()),
            false => Ok(outcome),
        }
    }

    /// The summary line: the count and the sum against the direct ones, bytes, wall.
    pub fn summary(&self, tasks: usize) -> String {
        let [count, sum, wrong] = self.got;
        let mut shape = String::new();
        if let Some(threads) = self.extra("rayon_threads") {
            shape += &format!(" x {threads} rayon threads");
        }
        if let Some(chunks) = self.extra("chunks") {
            let workers = self.ranks.saturating_sub(1);
            shape += &format!(" ({chunks} chunks to {workers} workers)");
        }
        let verdict = if self.ok() { "ok" } else { "MISMATCH" };
        format!(
            "{}: {tasks} tasks on {} ranks{shape}: count {count}, sum {sum} (direct {}: \
             {verdict}), {wrong} wrong, {} bytes sent, wall {:.3} s",
            self.name, self.ranks, self.direct[1], self.bytes_sent, self.wall_s
        )
    }

    /// The variant as the trace has it.
    pub fn to_variant(&self, uses: &str) -> Variant {
        let mut variant = Variant::new(&self.name, uses);
        variant.wall_s = self.wall_s;
        let figures = [
            ("ranks", self.ranks as f64),
            ("tasks_run", self.got[0] as f64),
            ("sum", self.got[1] as f64),
            ("wrong", self.got[2] as f64),
            (
                "sum_wrong",
                f64::from(u8::from(self.got[1] != self.direct[1])),
            ),
            ("bytes_sent", self.bytes_sent as f64),
        ];
        let extra = self.extra.iter().map(|(k, v)| (k.as_str(), *v));
        for (key, value) in figures.into_iter().chain(extra) {
            variant.figures.insert(key.to_owned(), value);
        }
        variant.tasks = self.spans.clone();
        variant
    }
}

/// A span as an outcome line carries it: `ID/LANE/START/END`.
fn span_word(span: &TaskSpan) -> String {
    format!("{}/{}/{}/{}", span.id, span.lane, span.start_s, span.end_s)
}

/// The spans of a `spans=` word: comma-separated, each `ID/LANE/START/END`.
fn parse_spans(value: &str) -> Result<Vec<TaskSpan>, String> {
    let span = |word: &str| {
        let bad = || format!("span `{word}`");
        let fields: Vec<&str> = word.split('/').collect();
        let [id, lane, start, end] = fields[..] else {
            return Err(bad());
        };
        let time = |t: &str| t.parse::<f64>().map_err(|_| bad());
        let id = id.parse::<usize>().map_err(|_| bad())?;
        Ok(TaskSpan::new(id, lane, time(start)?, time(end)?))
    };
    value.split(',').map(span).collect()
}

/// The outcomes one `mpirun` printed, each with what its launcher measured of the
/// whole job (its wall, the CPU time of every rank, the cores that kept busy), and the
/// other lines it printed.
pub fn read(
    ran: &Gathered,
    cores: usize,
) -> Result<(Vec<Outcome>, Vec<&str>), OutcomeError> {
    let (mut found, mut others) = (Vec::new(), Vec::new());
    for line in ran.stdout.lines() {
        match Outcome::parse(line) {
            Some(outcome) => found.push(outcome?),
            None => others.push(line),
        }
    }
    let busy = ran.job_cpu_s / (ran.job_s * cores.max(1) as f64);
    for outcome in &mut found {
        let job = [
            ("job_s", ran.job_s),
            ("job_cpu_s", ran.job_cpu_s),
            ("cpu_utilisation", busy),
        ];
        outcome.extra.extend(job.map(|(k, v)| (k.to_owned(), v)));
    }
    Ok((found, others))
}

/// A summary line per variant, or the trace with `--json` (every variant given the
/// crawl's `ideal_s`); whether every count and sum was right.
pub fn report(
    found: &[Outcome],
    pattern: &Pattern,
    options: &Options,
    n: usize,
    ideal_s: Option<f64>,
) -> bool {
    out::set_human_to_stderr(true); // stdout: the summary lines or the trace, alone
    if options.json {
        let mut trace = Trace::sized(pattern, options, n);
        for outcome in found {
            let uses = pattern.variant(&outcome.name).map_or("", |v| v.uses.0);
            let mut variant = outcome.to_variant(uses);
            variant.ideal_s = ideal_s;
            trace.push(variant);
        }
        trace.finish(options);
    } else {
        found.iter().for_each(|o| println!("{}", o.summary(n)));
    }
    found.iter().all(Outcome::ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_outcome_survives_its_line() {
        let outcome = Outcome {
            name: "pool-executor".to_owned(),
            wall_s: 1.25,
            ranks: 3,
            got: [24, 1 << 60, 0],
            direct: [24, 1 << 60, 0],
            bytes_sent: 640,
            extra: vec![("chunks".to_owned(), 8.0)],
            spans: vec![TaskSpan::new(1, "rank-2", 0.25, 1.5)],
        };
        let back = Outcome::parse(&outcome.to_line()).expect("an outcome line");
        assert_eq!(back, Ok(outcome.clone()));
        assert!(outcome.ok());
        assert!(outcome.summary(24).contains("(8 chunks to 2 workers)"));
        assert_eq!(Outcome::parse("scatter-reduce: 24 tasks"), None);
        let bad = Outcome::parse("outcome name=x wall_s=1 count=-1");
        assert!(matches!(bad, Some(Err(_))), "{bad:?}");
        let variant = outcome.to_variant("uses");
        assert_eq!(variant.figures.get("tasks_run"), Some(&24.0));
        assert_eq!(variant.tasks, outcome.spans);
        let bad = Outcome::parse("outcome name=x wall_s=1 spans=1/rank-1/0.5");
        assert!(matches!(bad, Some(Err(_))), "{bad:?}");
    }
}
