//! The command line every example shares.
//!
//! `--json` prints the trace (see `book/src/trace.md`) instead of human text, `--full` runs
//! the articles' sizes instead of the quick defaults, and examples that scale by a task
//! count also take `--tasks N`. Examples that are swept over large sizes also take
//! `--variant NAME` (run one variant, in a process of its own, so its peak memory is its
//! own; `--variants` lists the names, one a line) and `--counts-only` (keep counts, not a
//! span per task, so the trace does not weigh more than the work). `--describe` prints the
//! example's [`Pattern`] as JSON, for the xtask and the tests. Anything else is a one-line
//! error and exit code 2.

use std::fmt;
use std::process;

use crate::pattern::Pattern;

/// What the user asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// Print the JSON trace on stdout; human text goes to stderr.
    pub json: bool,
    /// Run the articles' full sizes.
    pub full: bool,
    /// An explicit task count (only for examples that accept `--tasks`).
    pub tasks: Option<usize>,
    /// Run only this variant (only for examples that list their variants).
    pub variant: Option<String>,
    /// Record counts instead of one span per task (only for examples that allow it).
    pub counts_only: bool,
    /// The example's own switch was given (only for examples that declare one).
    pub switch: bool,
}

impl Options {
    /// Whether the variant called `name` should run.
    pub fn runs(&self, name: &str) -> bool {
        self.variant.as_deref().is_none_or(|v| v == name)
    }
}

impl Options {
    /// The `size` label of the trace: `default`, `full`, or the task count.
    pub fn size_label(&self) -> String {
        match (self.tasks, self.full) {
            (Some(n), _) => n.to_string(),
            (None, true) => "full".to_owned(),
            (None, false) => "default".to_owned(),
        }
    }
}

/// Why the command line was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CliError {
    UnknownFlag(String),
    MissingValue(&'static str),
    BadNumber { flag: &'static str, value: String },
    UnknownVariant { value: String, known: String },
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::UnknownFlag(flag) => write!(f, "unknown flag `{flag}`"),
            CliError::MissingValue(flag) => write!(f, "`{flag}` needs a value"),
            CliError::BadNumber { flag, value } => {
                write!(f, "`{flag}` takes a whole number above 0, not `{value}`")
            }
            CliError::UnknownVariant { value, known } => {
                write!(f, "unknown variant `{value}` (known: {known})")
            }
        }
    }
}

impl std::error::Error for CliError {}

/// What a parse produced: options to run with, or a request for help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    Run(Options),
    Help,
    /// `--variants`: list the variant names and stop.
    ListVariants,
    /// `--describe`: print the pattern's description as JSON and stop.
    Describe,
}

impl Pattern {
    pub fn usage(&self) -> String {
        let mut flags = String::new();
        let mut help = String::new();
        let variants = self.names(false);
        if self.flags.tasks {
            flags += " [--tasks N]";
            help += "\n  --tasks N        run N tasks";
        }
        if !variants.is_empty() {
            flags += " [--variant NAME]";
            help += &format!(
                "\n  --variant NAME   run one variant: {}\n  --variants       list the variant names, one a line",
                variants.join(", ")
            );
        }
        if self.flags.counts_only {
            flags += " [--counts-only]";
            help += "\n  --counts-only    record counts, not a span per task (for very large N)";
        }
        if let Some((flag, what)) = self.flags.switch {
            flags += &format!(" [{flag}]");
            help += &format!("\n  {flag:<16} {what}");
        }
        format!(
            "{}: {}\n\nusage: cargo run --release --example {} -- [--json] [--full]{flags}\n\n  --json           print the JSON trace (book/src/trace.md) on stdout\n  --full           the articles' full sizes (slower){help}\n  --describe       print what the pattern declares about itself, as JSON\n  --help           this text",
            self.name, self.about, self.name,
        )
    }

    /// Parse arguments (without the program name).
    pub fn try_parse_from<I, S>(&self, args: I) -> Result<Parsed, CliError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut options = Options::default();
        let has_variants = !self.names(false).is_empty();
        let takes_tasks = self.flags.tasks;
        let mut args = args.into_iter().map(Into::into);
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--json" => options.json = true,
                "--full" => options.full = true,
                "-h" | "--help" => return Ok(Parsed::Help),
                "--describe" => return Ok(Parsed::Describe),
                "--tasks" if takes_tasks => {
                    let value =
                        args.next().ok_or(CliError::MissingValue("--tasks"))?;
                    options.tasks = Some(parse_count("--tasks", &value)?);
                }
                "--variant" if has_variants => {
                    let value =
                        args.next().ok_or(CliError::MissingValue("--variant"))?;
                    options.variant = Some(self.parse_variant(&value)?);
                }
                "--variants" if has_variants => return Ok(Parsed::ListVariants),
                "--counts-only" if self.flags.counts_only => {
                    options.counts_only = true
                }
                flag if self.flags.switch.is_some_and(|(f, _)| f.0 == flag) => {
                    options.switch = true
                }
                other => match other.split_once('=') {
                    Some(("--tasks", value)) if takes_tasks => {
                        options.tasks = Some(parse_count("--tasks", value)?);
                    }
                    Some(("--variant", value)) if has_variants => {
                        options.variant = Some(self.parse_variant(value)?);
                    }
                    _ => return Err(CliError::UnknownFlag(other.to_owned())),
                },
            }
        }
        Ok(Parsed::Run(options))
    }

    fn parse_variant(&self, value: &str) -> Result<String, CliError> {
        let names = self.names(false);
        if names.contains(&value) {
            Ok(value.to_owned())
        } else {
            Err(CliError::UnknownVariant {
                value: value.to_owned(),
                known: names.join(", "),
            })
        }
    }

    /// Parse the process's arguments; print help or a one-line error and exit when needed.
    /// From then on Ctrl-C ends the run with one line, `NAME: interrupted`, and exit code
    /// 130 ([`interrupt`](crate::interrupt)), unless the example handles it itself.
    pub fn parse(&self) -> Options {
        match self.try_parse_from(std::env::args().skip(1)) {
            Ok(Parsed::Run(options)) => {
                crate::out::set_human_to_stderr(options.json);
                if !self.flags.own_signals {
                    crate::interrupt::install(self.name.0);
                }
                options
            }
            Ok(Parsed::ListVariants) => {
                println!("{}", self.names(false).join("\n"));
                process::exit(0);
            }
            Ok(Parsed::Describe) => {
                println!("{}", self.to_json());
                process::exit(0);
            }
            Ok(Parsed::Help) => {
                println!("{}", self.usage());
                process::exit(0);
            }
            Err(error) => {
                eprintln!("{}: error: {error} (try --help)", self.name);
                process::exit(2);
            }
        }
    }
}

fn parse_count(flag: &'static str, value: &str) -> Result<usize, CliError> {
    match value.parse::<usize>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(CliError::BadNumber {
            flag,
            value: value.to_owned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pattern::VariantInfo;

    const CLI: Pattern = Pattern::new("demo", "a demo");

    #[test]
    fn defaults_and_flags() {
        assert_eq!(
            CLI.try_parse_from(Vec::<String>::new()),
            Ok(Parsed::Run(Options::default()))
        );
        let Ok(Parsed::Run(o)) = CLI.try_parse_from(["--json", "--full"]) else {
            panic!("flags should parse");
        };
        assert!(o.json && o.full);
        assert_eq!(o.size_label(), "full");
        assert_eq!(CLI.try_parse_from(["--help"]), Ok(Parsed::Help));
    }

    #[test]
    fn unknown_flags_are_refused() {
        assert_eq!(
            CLI.try_parse_from(["--jsn"]),
            Err(CliError::UnknownFlag("--jsn".into()))
        );
        // --tasks is only for examples that declare it.
        assert_eq!(
            CLI.try_parse_from(["--tasks", "3"]),
            Err(CliError::UnknownFlag("--tasks".into()))
        );
    }

    #[test]
    fn task_counts_must_be_positive_numbers() {
        let cli = CLI.with_tasks();
        let Ok(Parsed::Run(o)) = cli.try_parse_from(["--tasks", "1000"]) else {
            panic!("--tasks 1000 should parse");
        };
        assert_eq!((o.tasks, o.size_label()), (Some(1000), "1000".to_owned()));
        assert!(matches!(
            cli.try_parse_from(["--tasks=zero"]),
            Err(CliError::BadNumber { .. })
        ));
        assert!(matches!(
            cli.try_parse_from(["--tasks", "0"]),
            Err(CliError::BadNumber { .. })
        ));
        assert_eq!(
            cli.try_parse_from(["--tasks"]),
            Err(CliError::MissingValue("--tasks"))
        );
    }

    #[test]
    fn variants_and_counts_only_where_declared() {
        const TWO: &[VariantInfo] =
            &[VariantInfo::both("one", "1"), VariantInfo::both("two", "2")];
        let cli = CLI.variants(TWO).with_counts_only();
        let Ok(Parsed::Run(o)) =
            cli.try_parse_from(["--variant", "two", "--counts-only"])
        else {
            panic!("--variant two --counts-only should parse");
        };
        assert_eq!((o.variant.as_deref(), o.counts_only), (Some("two"), true));
        assert!(o.runs("two") && !o.runs("one"));
        assert_eq!(cli.try_parse_from(["--variants"]), Ok(Parsed::ListVariants));
        let switched = CLI.with_switch("--wait", "wait for it");
        let Ok(Parsed::Run(o)) = switched.try_parse_from(["--wait"]) else {
            panic!("--wait should parse");
        };
        assert!(o.switch && !Options::default().switch);
        assert!(switched.usage().contains("--wait           wait for it"));
        assert!(CLI.try_parse_from(["--wait"]).is_err());
        assert!(Options::default().runs("one"));
        let Ok(Parsed::Run(o)) = cli.try_parse_from(["--variant=one"]) else {
            panic!("--variant=one should parse");
        };
        assert_eq!(o.variant.as_deref(), Some("one"));
        let error = cli.try_parse_from(["--variant", "three"]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "unknown variant `three` (known: one, two)"
        );
        assert_eq!(
            CLI.try_parse_from(["--counts-only"]),
            Err(CliError::UnknownFlag("--counts-only".into()))
        );
        assert_eq!(
            CLI.try_parse_from(["--variant", "one"]),
            Err(CliError::UnknownFlag("--variant".into()))
        );
        assert!(
            cli.usage()
                .contains("--variant NAME   run one variant: one, two")
        );
    }
}
