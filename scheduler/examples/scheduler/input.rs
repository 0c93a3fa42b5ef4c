//! Lines in and text out: `rustyline` (line editing, history, results printed above the
//! prompt) when stdin is a terminal, plain lines when it is a pipe or a file, so a script
//! can drive the scheduler (`scheduler < session.txt`).
//!
//! Reading blocks, so it happens on a thread of its own, one line at a time: the thread
//! waits for [`Lines::ready`] before it prompts, then sends the line it read, so a command's
//! answer is printed before the next prompt, never over it.

use std::io::{BufRead, IsTerminal};
use std::sync::{Arc, Mutex, mpsc as std_mpsc};
use std::thread;

use nix::sys::termios::{SetArg, Termios, tcgetattr, tcsetattr};
use rustyline::error::ReadlineError;
use rustyline::{DefaultEditor, ExternalPrinter};
use scheduler::Print;
use tokio::sync::mpsc;

pub struct Lines {
    lines: mpsc::Receiver<String>,
    next: std_mpsc::SyncSender<()>,
    print: Print,
    /// The terminal's settings before line editing, to put back however we exit.
    terminal: Option<Termios>,
}

impl Lines {
    /// Start reading stdin on its own thread.
    pub fn start() -> Result<Self, ReadlineError> {
        let (tx, lines) = mpsc::channel(1);
        let (next, go) = std_mpsc::sync_channel(1);
        let stdin = std::io::stdin();
        if !stdin.is_terminal() {
            thread::spawn(move || {
                let mut lines = stdin.lock().lines();
                while go.recv().is_ok() {
                    let Some(Ok(line)) = lines.next() else { break };
                    if tx.blocking_send(line).is_err() {
                        break;
                    }
                }
            });
            let print: Print = Arc::new(|text| println!("{text}"));
            return Ok(Lines {
                lines,
                next,
                print,
                terminal: None,
            });
        }
        let terminal = tcgetattr(std::io::stdin()).ok();
        let mut editor = DefaultEditor::new()?;
        let printer = Mutex::new(editor.create_external_printer()?);
        thread::spawn(move || {
            while go.recv().is_ok() {
                let line = match editor.readline("> ") {
                    Ok(line) => {
                        let _ = editor.add_history_entry(line.as_str());
                        line
                    }
                    // Ctrl-C at the prompt is read as a key, not sent as SIGINT: quit.
                    Err(ReadlineError::Interrupted) => "quit".to_owned(),
                    Err(_) => break, // Ctrl-D, or the terminal went away
                };
                if tx.blocking_send(line).is_err() {
                    break;
                }
            }
        });
        let print: Print = Arc::new(move |text| {
            let mut printer = printer.lock().unwrap_or_else(|p| p.into_inner());
            if printer.print(format!("{text}\n")).is_err() {
                println!("{text}");
            }
        });
        Ok(Lines {
            lines,
            next,
            print,
            terminal,
        })
    }

    /// The next line, or `None` at the end of input.
    pub async fn next(&mut self) -> Option<String> {
        self.lines.recv().await
    }

    /// The current line is answered: prompt for the next one.
    pub fn ready(&self) {
        let _ = self.next.try_send(());
    }

    /// A command's answer, printed at once (the prompt is not showing).
    pub fn print(&self, text: String) {
        println!("{text}");
    }

    /// How results arriving at any time are printed: above the prompt on a terminal.
    pub fn printer(&self) -> Print {
        Arc::clone(&self.print)
    }

    /// Put the terminal back as it was (a signal may come while line editing has it).
    pub fn restore(&self) {
        if let Some(terminal) = &self.terminal {
            let _ = tcsetattr(std::io::stdin(), SetArg::TCSANOW, terminal);
        }
    }
}
