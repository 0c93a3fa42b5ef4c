//! The examples' command lines: `--ranks N` and `--mixed-worker` beside the flags every
//! example takes, and the one-line refusal for anything else.

use std::fmt::Display;
use std::process;

use concurrency_pairs::Pattern;
use concurrency_pairs::cli::{CliError, Options, Parsed};

use crate::mixed;

/// What a run was asked for.
#[derive(Debug, Clone)]
pub struct Args {
    /// `--ranks N`, if given.
    pub ranks: Option<usize>,
    /// `--mixed-worker`: a Rust worker rank of a `mixed` run.
    pub worker: bool,
    pub options: Options,
}

/// `--ranks N` and `--mixed-worker`, then the flags every example takes: help,
/// `--describe` and `--variants` are answered here, and the process exits.
pub fn parse(pattern: &Pattern, args: &[String]) -> Result<Args, CliError> {
    let (ranks, rest) = take_ranks(args)?;
    let worker = rest.iter().any(|a| a == mixed::WORKER_FLAG);
    let rest = rest.into_iter().filter(|a| a != mixed::WORKER_FLAG);
    match pattern.try_parse_from(rest)? {
        Parsed::Run(options) => {
            return Ok(Args {
                ranks,
                worker,
                options,
            });
        }
        Parsed::Help => println!(
            "{}\n  --ranks N        run on N MPI ranks (default: one per core)\n\n\
             Build and run from the repository's root with \
             `--manifest-path distributed/Cargo.toml`;\nit needs Open MPI \
             (`mpirun`) on PATH and starts itself under it.",
            pattern.usage()
        ),
        Parsed::ListVariants => println!("{}", pattern.names(false).join("\n")),
        Parsed::Describe => println!("{}", pattern.to_json()),
    }
    process::exit(0)
}

/// A one-line error and exit code 2, said by one process only: the launcher, or rank 0
/// when a rank is refused.
pub fn refuse(pattern: &Pattern, error: impl Display) -> ! {
    let rank = std::env::var("OMPI_COMM_WORLD_RANK").ok();
    if rank.is_none_or(|r| r == "0") {
        eprintln!("{}: error: {error}", pattern.name);
    }
    process::exit(2)
}

/// `--ranks N` (or `--ranks=N`) taken out of `args`: the count, if given, and the
/// other arguments, for the example's own parser.
pub fn take_ranks(args: &[String]) -> Result<(Option<usize>, Vec<String>), CliError> {
    let (mut ranks, mut rest) = (None, Vec::new());
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let value = match arg.split_once('=') {
            Some(("--ranks", value)) => value,
            _ if arg == "--ranks" => {
                args.next().ok_or(CliError::MissingValue("--ranks"))?
            }
            _ => {
                rest.push(arg.clone());
                continue;
            }
        };
        ranks = Some(match value.parse::<usize>() {
            Ok(n) if n > 0 => n,
            _ => {
                return Err(CliError::BadNumber {
                    flag: "--ranks",
                    value: value.to_owned(),
                });
            }
        });
    }
    Ok((ranks, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(args: &[&str]) -> Vec<String> {
        args.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn ranks_are_taken_out_and_checked() {
        let args = strings(&["--tasks", "5", "--ranks", "3", "--json"]);
        let (ranks, rest) = take_ranks(&args).expect("parses");
        assert_eq!(
            (ranks, rest),
            (Some(3), strings(&["--tasks", "5", "--json"]))
        );
        let (ranks, _) = take_ranks(&strings(&["--ranks=2"])).expect("parses");
        assert_eq!(ranks, Some(2));
        for bad in [&["--ranks", "0"][..], &["--ranks", "x"], &["--ranks=-1"]] {
            let error = take_ranks(&strings(bad)).expect_err("refused");
            assert!(matches!(error, CliError::BadNumber { .. }), "{error}");
        }
        let error = take_ranks(&strings(&["--ranks"])).expect_err("refused");
        assert_eq!(error, CliError::MissingValue("--ranks"));
    }
}
