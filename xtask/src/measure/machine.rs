//! Where the numbers came from: the machine, the toolchains, the revision and the date,
//! and how many runs were taken.

use std::fs;
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

/// The machine the numbers came from, and its toolchains. The pages render it.
#[derive(Debug, Clone, PartialEq)]
pub struct Machine {
    /// The CPU's model name.
    pub cpu: String,
    /// Cores available to this process.
    pub cores: usize,
    /// Installed memory, in bytes.
    pub memory_bytes: Option<f64>,
    /// The distribution and the kernel.
    pub os: String,
    /// `rustc --version`.
    pub rustc: String,
    /// `python3 --version`.
    pub python: String,
}

impl Machine {
    /// This machine, read from `/proc`, `/etc/os-release` and the toolchains.
    pub fn describe() -> Machine {
        let cpu = fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|info| {
                info.lines()
                    .find(|l| l.starts_with("model name"))
                    .and_then(|l| l.split(':').nth(1))
                    .map(|m| m.trim().to_owned())
            })
            .unwrap_or_else(|| "unknown".to_owned());
        let memory_bytes =
            fs::read_to_string("/proc/meminfo").ok().and_then(|info| {
                // The kernel's "kB" are kibibytes.
                let kib: f64 = info
                    .lines()
                    .find(|l| l.starts_with("MemTotal:"))?
                    .split_whitespace()
                    .nth(1)?
                    .parse()
                    .ok()?;
                Some(kib * 1024.0)
            });
        let os = fs::read_to_string("/etc/os-release")
            .ok()
            .and_then(|text| {
                text.lines()
                    .find_map(|l| l.strip_prefix("PRETTY_NAME="))
                    .map(|n| n.trim_matches('"').to_owned())
            })
            .unwrap_or_else(|| std::env::consts::OS.to_owned());
        let kernel = fs::read_to_string("/proc/sys/kernel/osrelease")
            .map(|k| format!(", Linux {}", k.trim()))
            .unwrap_or_default();
        Machine {
            cpu,
            cores: std::thread::available_parallelism().map_or(0, |n| n.get()),
            memory_bytes,
            os: format!("{os}{kernel}"),
            rustc: command_line("rustc", &["--version"]),
            python: command_line("python3", &["--version"]),
        }
    }

    /// `2 cores, AMD EPYC`: the machine in a footnote.
    pub fn summary(&self) -> String {
        format!("{} cores, {}", self.cores, self.cpu)
    }
}

/// How the numbers were taken, printed under each table.
#[derive(Debug, Clone, PartialEq)]
pub struct Setup {
    /// Counted runs (per example and language, or per job).
    pub runs: u32,
    /// Untimed runs before them.
    pub warmups: u32,
    /// YYYY-MM-DD, UTC.
    pub date: String,
    /// The short git revision, `+changes` when the work tree differs from it.
    pub revision: String,
    pub machine: Machine,
}

impl Setup {
    /// This machine, today, at this revision.
    pub fn now(runs: u32, warmups: u32) -> Setup {
        Setup {
            runs,
            warmups,
            date: today_utc(),
            revision: revision(),
            machine: Machine::describe(),
        }
    }

    /// A fixed setup for the pages' tests.
    #[cfg(test)]
    pub fn for_tests() -> Setup {
        Setup {
            runs: 3,
            warmups: 1,
            date: "2026-01-01".into(),
            revision: "abc1234".into(),
            machine: Machine {
                cpu: "test".into(),
                cores: 2,
                memory_bytes: Some(8e9),
                os: "Linux".into(),
                rustc: "rustc 1.0".into(),
                python: "Python 3.0".into(),
            },
        }
    }
}

/// The first line a command prints, or "unknown".
fn command_line(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| {
            let text = if o.stdout.is_empty() {
                o.stderr
            } else {
                o.stdout
            };
            String::from_utf8_lossy(&text)
                .lines()
                .next()
                .unwrap_or("")
                .trim()
                .to_owned()
        })
        .unwrap_or_else(|| "unknown".to_owned())
}

/// The short git revision, marked `+changes` when the work tree differs from it. What
/// the xtask itself writes (`book/src/generated/`) is its output, not its input: a sweep
/// run after the timings, before they are committed, still measures the revision.
fn revision() -> String {
    let rev = command_line("git", &["rev-parse", "--short", "HEAD"]);
    let dirty = Command::new("git")
        .args(["status", "--porcelain", "--untracked-files=no", "--"])
        .args([":(top)", ":(exclude,top)book/src/generated"])
        .output()
        .map(|o| !o.stdout.is_empty())
        .unwrap_or(false);
    if dirty { format!("{rev}+changes") } else { rev }
}

/// Today's date (UTC) as YYYY-MM-DD, from the system clock.
fn today_utc() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Days since 1970-01-01 to a (year, month, day) in the proleptic Gregorian calendar
/// (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(civil_from_days(20_413), (2025, 11, 21));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }
}
