//! The scheduler chapter's transcript (`scheduler.transcript.md`): the built `scheduler`
//! example driven through stdin by a short fixed script, and what a reader at a terminal
//! would see, as a markdown code block.
//!
//! Each line is typed after the answer to the one before it has been printed and the
//! output has gone quiet, as a reader would type it; results that arrive meanwhile sit
//! above the next `> ` line, where the line editor prints them. A line's answer is the
//! first line it prints that does not start with `[`: results and the shutdown's lines
//! are stamped `[  0.123s]`, answers are not. An answer that is an error fails the run:
//! the chapter's prose describes this script's answers. The whole session is bounded.
//! A line wider than the book's code column is folded at a space, as a narrow terminal
//! would wrap it, so that the block never scrolls sideways.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};

use crate::measure::Language;

/// The lines typed: two lookups (one a name the dex lacks) and a small fib, waited for;
/// then two big fibs on the pool, a lookup answered while they run, the dashboard, and
/// the kill of the fibs; then one more big fib, still running at the `quit`.
const SCRIPT: [&str; 11] = [
    "dex pikachu",
    "dex mew",
    "fib 90",
    "wait",
    "fib-multi 1000000 1000000",
    "dex eevee",
    "wait 5",
    "dash",
    "kill 4",
    "fib 1000000",
    "quit",
];

/// How long the whole session may take before the scheduler is killed.
const LIMIT: Duration = Duration::from_secs(60);

/// How long the output stays quiet after an answer before the next line is typed.
const QUIET: Duration = Duration::from_millis(300);

/// The widest line the block keeps whole: the book's code column holds about 86
/// characters at 1280 px.
const WIDTH: usize = 84;

/// What the scheduler prints once it is ready for its first line.
const READY: &str = "`help` lists the commands";

/// The transcript of [`SCRIPT`] on the release build of the `scheduler` example (built
/// by `measure::build_release`), as a markdown code block.
pub fn render(root: &Path) -> Result<String> {
    let mut command = Language::Rust.command(root, "scheduler");
    let lines = session(&mut command, &SCRIPT, LIMIT)
        .context("running the scheduler's transcript script")?;
    Ok(block(&lines))
}

/// The transcript as a reader sees it: the command that started it, then every line.
fn block(lines: &[String]) -> String {
    let mut text = "```text\n$ cargo run --release --example scheduler\n".to_owned();
    for line in lines.iter().flat_map(|l| fold(l, WIDTH)) {
        text += &line;
        text.push('\n');
    }
    text + "```\n"
}

/// `line` in pieces of at most `width` characters, cut at spaces; the pieces after the
/// first are indented under the text after a `[  0.123s] ` stamp, or by two spaces. A
/// piece with no space to cut at stays whole.
fn fold(line: &str, width: usize) -> Vec<String> {
    let indent = match line.find("] ") {
        Some(at) if line.starts_with('[') => at + 2,
        _ => 2,
    };
    let mut pieces = Vec::new();
    let mut rest = line;
    let mut prefix = String::new();
    loop {
        let room = width.saturating_sub(prefix.len()).max(1);
        if rest.chars().count() <= room {
            pieces.push(format!("{prefix}{rest}"));
            return pieces;
        }
        // A space at most `room` characters in: what comes before it fits.
        let end = rest
            .char_indices()
            .nth(room + 1)
            .map_or(rest.len(), |(i, _)| i);
        match rest[..end].rfind(' ').filter(|&at| at > 0) {
            Some(at) => {
                pieces.push(format!("{prefix}{}", &rest[..at]));
                rest = &rest[at + 1..];
                prefix = " ".repeat(indent);
            }
            None => {
                pieces.push(format!("{prefix}{rest}"));
                return pieces;
            }
        }
    }
}

/// Run `command`, type `script` into it line by line (the last line must make it exit),
/// and give everything it printed, each typed line in its place as `> line`. Killed and
/// an error once `limit` has passed.
fn session(
    command: &mut Command,
    script: &[&str],
    limit: Duration,
) -> Result<Vec<String>> {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("starting {:?}", command.get_program()))?;
    let result = drive(&mut child, script, limit);
    if result.is_err() {
        // Stopped however it went wrong: nothing is left running.
        let _ = child.kill();
        let _ = child.wait();
    }
    result
}

fn drive(child: &mut Child, script: &[&str], limit: Duration) -> Result<Vec<String>> {
    let deadline = Instant::now() + limit;
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let stdout = child.stdout.take().expect("stdout is piped");
    let mut stderr = child.stderr.take().expect("stderr is piped");
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let errors = thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let mut out = Output {
        lines: rx,
        deadline,
        limit,
        seen: Vec::new(),
    };
    out.until("the first prompt", |line| line.contains(READY))?;
    let Some((last, typed)) = script.split_last() else {
        bail!("an empty script");
    };
    for line in typed {
        out.seen.push(format!("> {line}"));
        writeln!(stdin, "{line}").with_context(|| format!("typing `{line}`"))?;
        let answer =
            out.until(&format!("the answer to `{line}`"), |l| !l.starts_with('['))?;
        ensure!(
            !answer.starts_with("error:"),
            "`{line}` was answered `{answer}`"
        );
        out.quiet()?;
    }
    out.seen.push(format!("> {last}"));
    writeln!(stdin, "{last}").with_context(|| format!("typing `{last}`"))?;
    drop(stdin);
    out.drain()?;
    let status = loop {
        if let Some(status) = child.try_wait().context("waiting for the scheduler")? {
            break status;
        }
        ensure!(
            Instant::now() < deadline,
            "the scheduler did not exit within {limit:?}"
        );
        thread::sleep(Duration::from_millis(20));
    };
    let errors = errors.join().unwrap_or_default();
    ensure!(
        status.success(),
        "the scheduler exited with {status}: {}",
        errors
            .trim()
            .lines()
            .last()
            .unwrap_or("(nothing on stderr)")
    );
    Ok(out.seen)
}

/// The child's stdout, line by line, and what has been seen of it so far.
struct Output {
    lines: Receiver<String>,
    deadline: Instant,
    limit: Duration,
    seen: Vec<String>,
}

impl Output {
    /// The next line within `wait` (and before the deadline): `None` if none came.
    fn next(&mut self, what: &str, wait: Duration) -> Result<Option<String>> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        match self.lines.recv_timeout(wait.min(left)) {
            Ok(line) => {
                self.seen.push(line.clone());
                Ok(Some(line))
            }
            Err(RecvTimeoutError::Timeout) if wait < left => Ok(None),
            Err(RecvTimeoutError::Timeout) => bail!(
                "waited {:?} for {what}: stopped; saw\n{}",
                self.limit,
                self.seen.join("\n")
            ),
            Err(RecvTimeoutError::Disconnected) => {
                bail!(
                    "the output ended before {what}; saw\n{}",
                    self.seen.join("\n")
                )
            }
        }
    }

    /// Every line up to and including the first that `done` accepts; gives that one.
    fn until(&mut self, what: &str, done: impl Fn(&str) -> bool) -> Result<String> {
        loop {
            if let Some(line) = self.next(what, self.limit)?
                && done(&line)
            {
                return Ok(line);
            }
        }
    }

    /// Every line until none has come for [`QUIET`].
    fn quiet(&mut self) -> Result<()> {
        while self.next("a quiet moment", QUIET)?.is_some() {}
        Ok(())
    }

    /// Every line to the end of the output.
    fn drain(&mut self) -> Result<()> {
        loop {
            let left = self.deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => self.seen.push(line),
                Err(RecvTimeoutError::Disconnected) => return Ok(()),
                Err(RecvTimeoutError::Timeout) => bail!(
                    "the output did not end within {:?}: stopped; saw\n{}",
                    self.limit,
                    self.seen.join("\n")
                ),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stand-in for the scheduler: ready, then for each line a stamped result and an
    /// answer; `quit` prints a stamped line and exits; `bad` is answered with an error.
    fn fake(body: &str) -> Command {
        let mut command = Command::new("sh");
        command.args(["-c", body]);
        command
    }

    const FAKE: &str = r#"echo 'scheduler: `help` lists the commands'
while read line; do
  case "$line" in
    quit) echo '[  0.200s] shutting down (quit)'; exit 0;;
    bad) echo 'error: no such thing';;
    *) echo '[  0.100s] a result'; echo "answer to $line"; echo 'and more';;
  esac
done"#;

    #[test]
    fn each_typed_line_sits_before_its_answer() {
        let lines = session(&mut fake(FAKE), &["one", "two", "quit"], LIMIT)
            .expect("the fake session runs");
        let expected = [
            "scheduler: `help` lists the commands",
            "> one",
            "[  0.100s] a result",
            "answer to one",
            "and more",
            "> two",
            "[  0.100s] a result",
            "answer to two",
            "and more",
            "> quit",
            "[  0.200s] shutting down (quit)",
        ];
        assert_eq!(lines, expected);
        let text = block(&lines);
        assert!(
            text.starts_with("```text\n$ cargo run --release --example scheduler\n")
        );
        assert!(
            text.ends_with("[  0.200s] shutting down (quit)\n```\n"),
            "{text}"
        );
    }

    #[test]
    fn long_lines_fold_at_a_space_under_their_text() {
        let line = "[  0.416s] task 4 (fib-multi 9 9) killed: stopped at step 8 of 9";
        assert_eq!(
            fold(line, 40),
            [
                "[  0.416s] task 4 (fib-multi 9 9)",
                "           killed: stopped at step 8 of",
                "           9",
            ]
        );
        assert_eq!(fold("short", 40), ["short"]);
        assert_eq!(fold("élan µs é", 6), ["élan", "  µs é"]);
        assert_eq!(fold("unbreakable-word-here", 6), ["unbreakable-word-here"]);
        for piece in fold(&"word ".repeat(40), WIDTH) {
            assert!(piece.chars().count() <= WIDTH, "{piece:?}");
        }
    }

    #[test]
    fn an_error_answer_fails_the_transcript() {
        let error = session(&mut fake(FAKE), &["bad", "quit"], LIMIT)
            .expect_err("an error answer is refused");
        assert!(
            format!("{error:#}")
                .contains("`bad` was answered `error: no such thing`")
        );
    }

    #[test]
    fn a_session_that_never_answers_is_stopped_at_the_limit() {
        let silent = "echo 'scheduler: `help` lists the commands'; exec sleep 30";
        let error = session(
            &mut fake(silent),
            &["one", "quit"],
            Duration::from_millis(500),
        )
        .expect_err("no answer within the limit");
        assert!(
            format!("{error:#}").contains("for the answer to `one`"),
            "{error:#}"
        );
    }
}
