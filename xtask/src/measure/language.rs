//! The two languages of every pair, and how each runs an example.

use std::path::Path;
use std::process::Command;

use super::build;

/// The two languages of every pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    Rust,
    Python,
}

impl Language {
    pub const BOTH: [Language; 2] = [Language::Rust, Language::Python];

    /// As the trace spells it.
    pub fn key(self) -> &'static str {
        match self {
            Language::Rust => "rust",
            Language::Python => "python",
        }
    }

    /// As the pages spell it.
    pub fn name(self) -> &'static str {
        match self {
            Language::Rust => "Rust",
            Language::Python => "Python",
        }
    }

    /// Whether `example` exists in this language (a Python twin is optional).
    pub fn has(self, root: &Path, example: &str) -> bool {
        match self {
            Language::Rust => build::has_example(root, example),
            Language::Python => {
                root.join("python").join(format!("{example}.py")).exists()
            }
        }
    }

    /// The command that runs `example` in this language, before its flags: the release
    /// binary (built by [`build::build_release`]) or `python3` on the twin.
    pub fn command(self, root: &Path, example: &str) -> Command {
        match self {
            Language::Rust => Command::new(build::binary(root, example)),
            Language::Python => {
                let mut python = Command::new("python3");
                python.arg(root.join("python").join(format!("{example}.py")));
                python
            }
        }
    }
}
