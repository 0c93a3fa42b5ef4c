//! The command line every example shares.
//!
//! `--json` prints the trace (see `book/src/trace.md`) instead of human text, `--full` runs
//! the articles' sizes instead of the quick defaults, and examples that scale by a task
//! count also take `--tasks N`. Examples that are swept over large sizes also take
//! `--variant NAME` (run one variant, in a process of its own, so its peak memory is its
//! own; `--variants` lists the names, one a line) and `--counts-only` (keep counts, not a span per task, so the trace does not weigh
//! more than the work). Anything else is a one-line error and exit code 2.

use std::fmt;
use std::process;

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
}

/// The command-line description of one example.
#[derive(Debug, Clone, Copy)]
pub struct Cli {
    name: &'static str,
    about: &'static str,
    takes_tasks: bool,
    variants: &'static [&'static str],
    counts_only: bool,
    /// One switch of the example's own: its flag and what it does.
    switch: Option<(&'static str, &'static str)>,
    /// The example listens to SIGINT itself: [`Cli::parse`] leaves it alone.
    own_signals: bool,
}

impl Cli {
    pub const fn new(name: &'static str, about: &'static str) -> Self {
        Cli {
            name,
            about,
            takes_tasks: false,
            variants: &[],
            counts_only: false,
            switch: None,
            own_signals: false,
        }
    }

    /// Also accept `--tasks N`.
    pub const fn with_tasks(mut self) -> Self {
        self.takes_tasks = true;
        self
    }

    /// Also accept `--variant NAME`, NAME one of `names`.
    pub const fn with_variants(mut self, names: &'static [&'static str]) -> Self {
        self.variants = names;
        self
    }

    /// Also accept `--counts-only`.
    pub const fn with_counts_only(mut self) -> Self {
        self.counts_only = true;
        self
    }

    /// Also accept `flag` (e.g. `--wait-for-signal`), which sets [`Options::switch`].
    pub const fn with_switch(mut self, flag: &'static str, help: &'static str) -> Self {
        self.switch = Some((flag, help));
        self
    }

    /// The example handles SIGINT itself (with [`Signals`](crate::signals::Signals)):
    /// [`parse`](Self::parse) does not install [`interrupt`](crate::interrupt), which
    /// would end the run at the first Ctrl-C.
    pub const fn with_own_signals(mut self) -> Self {
        self.own_signals = true;
        self
    }

    pub fn usage(&self) -> String {
        let mut flags = String::new();
        let mut help = String::new();
        if self.takes_tasks {
            flags += " [--tasks N]";
            help += "\n  --tasks N        run N tasks";
        }
        if !self.variants.is_empty() {
            flags += " [--variant NAME]";
            help += &format!(
                "\n  --variant NAME   run one variant: {}\n  --variants       list the variant names, one a line",
                self.variants.join(", ")
            );
        }
        if self.counts_only {
            flags += " [--counts-only]";
            help += "\n  --counts-only    record counts, not a span per task (for very large N)";
        }
        if let Some((flag, what)) = self.switch {
            flags += &format!(" [{flag}]");
            help += &format!("\n  {flag:<16} {what}");
        }
        format!(
            "{}: {}\n\nusage: cargo run --release --example {} -- [--json] [--full]{flags}\n\n  --json           print the JSON trace (book/src/trace.md) on stdout\n  --full           the articles' full sizes (slower){help}\n  --help           this text",
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
        let mut args = args.into_iter().map(Into::into);
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--json" => options.json = true,
                "--full" => options.full = true,
                "-h" | "--help" => return Ok(Parsed::Help),
                "--tasks" if self.takes_tasks => {
                    let value = args.next().ok_or(CliError::MissingValue("--tasks"))?;
                    options.tasks = Some(parse_count("--tasks", &value)?);
                }
                "--variant" if !self.variants.is_empty() => {
                    let value = args.next().ok_or(CliError::MissingValue("--variant"))?;
                    options.variant = Some(self.parse_variant(&value)?);
                }
                "--variants" if !self.variants.is_empty() => return Ok(Parsed::ListVariants),
                "--counts-only" if self.counts_only => options.counts_only = true,
                flag if self.switch.is_some_and(|(f, _)| f == flag) => options.switch = true,
                other => match other.split_once('=') {
                    Some(("--tasks", value)) if self.takes_tasks => {
                        options.tasks = Some(parse_count("--tasks", value)?);
                    }
                    Some(("--variant", value)) if !self.variants.is_empty() => {
                        options.variant = Some(self.parse_variant(value)?);
                    }
                    _ => return Err(CliError::UnknownFlag(other.to_owned())),
                },
            }
        }
        Ok(Parsed::Run(options))
    }

    fn parse_variant(&self, value: &str) -> Result<String, CliError> {
        if self.variants.contains(&value) {
            Ok(value.to_owned())
        } else {
            Err(CliError::UnknownVariant {
                value: value.to_owned(),
                known: self.variants.join(", "),
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
                if !self.own_signals {
                    crate::interrupt::install(self.name);
                }
                options
            }
            Ok(Parsed::ListVariants) => {
                println!("{}", self.variants.join("\n"));
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

    const CLI: Cli = Cli::new("demo", "a demo");

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
        let cli = CLI.with_variants(&["one", "two"]).with_counts_only();
        let Ok(Parsed::Run(o)) = cli.try_parse_from(["--variant", "two", "--counts-only"]) else {
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
