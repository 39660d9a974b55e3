//! `webhook-cli`: validate, render and preview webhook templates and configurations from a terminal or
//! a CI pipeline, with the same engine the browser app runs.
//!
//! Exit codes: 0 = fine, 1 = the input has errors (or cannot be rendered safely), 2 = usage or I/O error.

mod commands;
mod input;

use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Parser)]
#[command(
    name = "webhook-cli",
    version,
    about = "Validate, render and preview Webhook Automations templates"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check a template and print every diagnostic as LINE:COLUMN: error|warning: MESSAGE.
    Validate(commands::validate::Args),
    /// Render a template with the values of a data file and print it exactly as it would be sent.
    Render(commands::render::Args),
    /// Print, as JSON, every request an event would produce under a configuration; sends nothing.
    Preview(commands::preview::Args),
    /// Check every webhook and automation of a configuration document.
    Check(commands::check::Args),
}

/// How the template file is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Mode {
    /// A raw JSON body with placeholders.
    Raw,
    /// Key-value rows: a JSON array of {"key": ..., "value": ...}.
    KeyValue,
    /// A path appended to a webhook's base URL.
    Path,
}

/// What a command ends with: its exit status. Output has been printed by then.
pub enum Outcome {
    Clean,
    InputHasErrors,
}

/// A failure to do the job at all: unreadable files, bad arguments. Exit code 2.
#[derive(Debug, thiserror::Error)]
pub enum UsageError {
    #[error("cannot read {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("{0}")]
    Argument(String),
    #[error("{path} is not what this command expects: {reason}")]
    BadInput { path: String, reason: String },
}

/// Writes to standard output. A closed pipe (`webhook-cli preview … | head`) is not an error worth a
/// crash: the reader has what it wanted.
pub fn emit(text: &str) {
    use std::io::Write;
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

pub fn emitln(text: &str) {
    emit(&format!("{text}\n"));
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Validate(args) => commands::validate::run(args),
        Command::Render(args) => commands::render::run(args),
        Command::Preview(args) => commands::preview::run(args),
        Command::Check(args) => commands::check::run(args),
    };
    match result {
        Ok(Outcome::Clean) => ExitCode::SUCCESS,
        Ok(Outcome::InputHasErrors) => ExitCode::from(1),
        Err(error) => {
            eprintln!("webhook-cli: {error}");
            ExitCode::from(2)
        }
    }
}
