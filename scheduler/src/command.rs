//! The REPL's language: one line in, one [`Command`] out, or a one-line error.

use std::fmt;

/// The largest `fib` N accepted: fib(1,000,000) has 208,988 digits and takes seconds.
pub const MAX_FIB: u64 = 1_000_000;

/// A task a line starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Job {
    /// `dex NAME`: look a Pokémon up in the dex service (IO-bound).
    Dex(String),
    /// `fib N`: the N-th Fibonacci number on the CPU pool.
    Fib(u64),
    /// `fib-multi N N ...`: several on the pool at once, gathered into one task.
    FibMulti(Vec<u64>),
}

/// What a line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Start a task.
    Start(Job),
    /// `dash`: every task, one row each.
    Dash,
    /// `job ID`: one task's full result or state.
    Job(usize),
    /// `kill ID`: cancel a running task.
    Kill(usize),
    /// `wait [ID]`: until that task (or every task) has finished; for scripts.
    Wait(Option<usize>),
    /// `help`: the commands.
    Help,
    /// `quit`: shut down gracefully.
    Quit,
}

/// Why a line was refused; printed as is, on one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadInput(pub String);

impl fmt::Display for BadInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BadInput {}

/// The help text, one command a line.
pub const HELP: &str = "\
dex NAME          fetch NAME from the dex service (IO)
fib N             the N-th Fibonacci number on the CPU pool (N up to 1000000)
fib-multi N N...  several fibs in parallel, gathered into one task
dash              every task: id, command, state, elapsed, result
job ID            one task's full result
kill ID           cancel a running task
wait [ID]         wait until that task (or every task) has finished
quit              cancel everything, drain, and exit (also: end of input, Ctrl-C)";

/// Read one line. An empty line is `Ok(None)`.
pub fn parse(line: &str) -> Result<Option<Command>, BadInput> {
    let mut words = line.split_whitespace();
    let Some(verb) = words.next() else {
        return Ok(None);
    };
    let args: Vec<&str> = words.collect();
    let bad = |what: String| Err(BadInput(what));
    let command = match verb {
        "dex" => match args.as_slice() {
            [name] => Command::Start(Job::Dex(name.to_lowercase())),
            [] => return bad("`dex` needs a name, e.g. `dex pikachu`".into()),
            _ => return bad("`dex` takes one name".into()),
        },
        "fib" => match args.as_slice() {
            [n] => Command::Start(Job::Fib(fib_n("fib", n)?)),
            [] => return bad("`fib` needs a number, e.g. `fib 1000`".into()),
            _ => {
                return bad(
                    "`fib` takes one number (for several, `fib-multi`)".into()
                );
            }
        },
        "fib-multi" => {
            if args.is_empty() {
                return bad(
                    "`fib-multi` needs numbers, e.g. `fib-multi 100 200 300`".into(),
                );
            }
            let ns = args.iter().map(|n| fib_n("fib-multi", n));
            Command::Start(Job::FibMulti(ns.collect::<Result<_, _>>()?))
        }
        "job" | "kill" => match args.as_slice() {
            [id] => {
                let id = id.parse::<usize>().map_err(|_| {
                    BadInput(format!("`{verb}` takes a task id, not `{id}`"))
                })?;
                if verb == "job" {
                    Command::Job(id)
                } else {
                    Command::Kill(id)
                }
            }
            [] => return bad(format!("`{verb}` needs a task id (see `dash`)")),
            _ => return bad(format!("`{verb}` takes one task id")),
        },
        "wait" => match args.as_slice() {
            [] => Command::Wait(None),
            [id] => Command::Wait(Some(id.parse::<usize>().map_err(|_| {
                BadInput(format!("`wait` takes a task id, not `{id}`"))
            })?)),
            _ => return bad("`wait` takes at most one task id".into()),
        },
        "dash" | "help" | "quit" | "exit" if !args.is_empty() => {
            return bad(format!("`{verb}` takes no arguments"));
        }
        "dash" => Command::Dash,
        "help" => Command::Help,
        "quit" | "exit" => Command::Quit,
        other => return bad(format!("unknown command `{other}` (try `help`)")),
    };
    Ok(Some(command))
}

fn fib_n(verb: &str, word: &str) -> Result<u64, BadInput> {
    match word.parse::<u64>() {
        Ok(n) if n <= MAX_FIB => Ok(n),
        Ok(_) => Err(BadInput(format!(
            "`{verb}` takes N up to {MAX_FIB}, not {word}"
        ))),
        Err(_) if !word.is_empty() && word.bytes().all(|b| b.is_ascii_digit()) => {
            Err(BadInput(format!(
                "`{verb}` takes N up to {MAX_FIB}, not {word}"
            )))
        }
        Err(_) => Err(BadInput(format!(
            "`{verb}` takes a whole number, not `{word}`"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_command() {
        assert_eq!(
            parse("dex Pikachu"),
            Ok(Some(Command::Start(Job::Dex("pikachu".into()))))
        );
        assert_eq!(parse("  fib 10 "), Ok(Some(Command::Start(Job::Fib(10)))));
        assert_eq!(
            parse("fib-multi 1 2 3"),
            Ok(Some(Command::Start(Job::FibMulti(vec![1, 2, 3]))))
        );
        assert_eq!(parse("dash"), Ok(Some(Command::Dash)));
        assert_eq!(parse("job 2"), Ok(Some(Command::Job(2))));
        assert_eq!(parse("kill 3"), Ok(Some(Command::Kill(3))));
        assert_eq!(parse("quit"), Ok(Some(Command::Quit)));
        assert_eq!(parse("wait"), Ok(Some(Command::Wait(None))));
        assert_eq!(parse("wait 4"), Ok(Some(Command::Wait(Some(4)))));
        assert_eq!(parse("   "), Ok(None));
    }

    #[test]
    fn refuses_bad_input_in_one_line() {
        for (line, error) in [
            ("dance", "unknown command `dance` (try `help`)"),
            ("fib", "`fib` needs a number, e.g. `fib 1000`"),
            ("fib ten", "`fib` takes a whole number, not `ten`"),
            ("fib -3", "`fib` takes a whole number, not `-3`"),
            ("fib 1000001", "`fib` takes N up to 1000000, not 1000001"),
            (
                "fib 99999999999999999999999",
                "`fib` takes N up to 1000000, not 99999999999999999999999",
            ),
            ("fib-multi 1 x", "`fib-multi` takes a whole number, not `x`"),
            ("kill", "`kill` needs a task id (see `dash`)"),
            ("job one", "`job` takes a task id, not `one`"),
            ("dash now", "`dash` takes no arguments"),
        ] {
            let got = parse(line).expect_err(line);
            assert_eq!(got.0, error, "{line}");
            assert!(!got.0.contains('\n'));
        }
    }
}
