//! `crawler.sweep.md`: one row per (language, variant, N).

use concurrency_pairs::Unit;

use crate::format::{bytes, median_range, ratio, seconds, thousands};
use crate::measure::Setup;

use super::cells::{Cell, percent};
use super::plan::{EXAMPLE, REPEATED_UP_TO, SMALLEST};

/// One markdown table over every cell: the three leading columns, then `columns`.
fn table(cells: &[Cell], header: &[&str], columns: impl Fn(&Cell) -> Vec<String>) -> String {
    let mut out = format!(
        "| N | language | variant | {} |\n|{}\n",
        header.join(" | "),
        "---|".repeat(header.len() + 3)
    );
    for c in cells {
        let mut row = vec![
            thousands(c.n),
            c.language.name().to_owned(),
            format!("`{}`", c.variant),
        ];
        row.extend(columns(c));
        out += &format!("| {} |\n", row.join(" | "));
    }
    out
}

/// Two tables narrow enough for the book's column: time, then memory and CPU.
pub(super) fn render(cells: &[Cell], setup: &Setup) -> String {
    let mut out = table(
        cells,
        &["wall, median (min–max)", "ideal", "÷ ideal", "cores busy"],
        |c| {
            vec![
                median_range(&c.wall, Unit::Seconds),
                seconds(c.ideal_s),
                ratio(c.over_ideal()),
                percent(c.utilisation),
            ]
        },
    );
    out += "\n";
    out += &table(
        cells,
        &["peak RSS", "peak ÷ N", "CPU work", "all cores ÷ one"],
        |c| {
            vec![
                bytes(c.peak_rss_bytes),
                bytes(c.bytes_per_task()),
                seconds(c.cpu_s),
                ratio(c.load_slowdown),
            ]
        },
    );
    let repeated = if setup.runs == 1 {
        "one run at every N".to_owned()
    } else {
        format!(
            "median (min–max) of {} runs at each N up to {}, one run above",
            setup.runs,
            thousands(REPEATED_UP_TO)
        )
    };
    let warm_up = match setup.warmups {
        0 => "No warm-up".to_owned(),
        1 => format!(
            "After one untimed run per language at {} tasks",
            thousands(SMALLEST)
        ),
        k => format!(
            "After {k} untimed runs per language at {} tasks",
            thousands(SMALLEST)
        ),
    };
    out += &format!(
        "\n*Each run is a fresh process running one variant: `{EXAMPLE} --json --tasks N \
         --variant V --counts-only` (Rust) or `python3 python/{EXAMPLE}.py` with the same \
         flags. Wall: {repeated}. {warm_up}. Ideal: \
         the lower bound each run computes for its workload; ÷ ideal: median wall ÷ ideal. \
         Peak RSS: the run's high-water mark (Python's summed over its worker processes), \
         in powers of 1,000 bytes; peak ÷ N divides it by N. CPU work: the CPU cost of all \
         the tasks' work at the rate measured in the run with every core computing at once \
         (`sum(range(n))`'s for `single-loop-sum`, the article's loop's for the other \
         Python variants). Cores busy: the run's user + system CPU time (Python's with its \
         worker processes) over its wall time × the cores. All cores ÷ one: what an \
         integer cost with every core computing at once over its cost on one core alone. \
         Measured {} at revision `{}` on {} \
         ([the machine](measuring.md)).*\n",
        setup.date,
        setup.revision,
        setup.machine.summary(),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::super::cells::test_cells;
    use super::*;

    #[test]
    fn one_table_row_per_language_variant_and_n_with_its_runs() {
        let text = render(&test_cells(), &Setup::for_tests());
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "| N | language | variant | wall, median (min–max) | ideal | ÷ ideal | cores busy |"
        );
        let rows: Vec<&str> = lines
            .iter()
            .copied()
            .filter(|l| l.starts_with("| ") && !l.starts_with("| N "))
            .collect();
        assert_eq!(
            rows.len(),
            2 * (4 * 5 + 3 * 4),
            "two tables, a row per cell each"
        );
        assert_eq!(
            rows[0],
            "| 1,000 | Rust | `single-loop` | 1.01 s (989.8 ms–1.06 s) | 1.00 s | 1.00× | 0% |"
        );
        // CPU 4 s over 5 s × 2 cores.
        assert_eq!(
            rows[5],
            "| 1,000 | Python | `single-loop` | 5.00 s | 3.00 s | 1.67× | 40% |"
        );
        let last = rows.last().expect("rows");
        assert!(
            last.starts_with("| 1,000,000 | Rust | `io-plus-rayon` | 203 MB | 203 B |"),
            "{last}"
        );
        let first_memory = rows[4 * 5 + 3 * 4];
        assert_eq!(
            first_memory,
            "| 1,000 | Rust | `single-loop` | 3.20 MB | 3.20 kB | 10.0 ms | 1.25× |"
        );
        assert!(text.contains("revision `abc1234`"), "{text}");
        assert!(text.contains("median (min–max) of 3 runs at each N up to 10,000, one run above"));
        assert!(text.contains("After one untimed run per language at 1,000 tasks."));
    }
}
