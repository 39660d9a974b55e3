//! `webhook-cli check`: every problem of every automation (and webhook) of a configuration document.

use std::path::PathBuf;

use webhook_engine::config::ConfigDocument;
use webhook_engine::validate::{check_document, DocumentPlace};

use crate::{emitln, input, Outcome, UsageError};

#[derive(clap::Args)]
pub struct Args {
    /// A field catalog; the built-in CRM catalog by default.
    #[arg(long)]
    catalog: Option<PathBuf>,
    /// A configuration document (what the app exports).
    config: PathBuf,
}

pub fn run(args: Args) -> Result<Outcome, UsageError> {
    let catalog = input::catalog(args.catalog.as_deref())?;
    let document = match ConfigDocument::parse(&input::read_text(&args.config)?) {
        Ok(document) => document,
        Err(error) => {
            emitln(&format!("{}: error: {error}", args.config.display()));
            return Ok(Outcome::InputHasErrors);
        }
    };
    let problems = check_document(&catalog, &document);
    let mut errors = 0;
    for problem in &problems {
        errors += usize::from(problem.is_error);
        let text = match problem.place {
            DocumentPlace::Webhook { .. } => format!("error: {}", problem.message),
            DocumentPlace::Automation { .. } => labelled(&problem.message, problem.is_error),
        };
        emitln(&format!("{}: {text}", problem.place));
    }
    emitln(&format!(
        "checked {} webhooks and {} automations: {errors} {}",
        document.webhooks.len(),
        document.automations.len(),
        if errors == 1 { "error" } else { "errors" }
    ));
    Ok(if errors > 0 {
        Outcome::InputHasErrors
    } else {
        Outcome::Clean
    })
}

/// Template diagnostics say "error:"/"warning:" themselves; other problems are always errors.
fn labelled(text: &str, is_error: bool) -> String {
    if text.contains(": error: ") || text.contains(": warning: ") || !is_error {
        text.to_string()
    } else {
        format!("error: {text}")
    }
}
