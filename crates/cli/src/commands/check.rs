//! `webhook-cli check`: every problem of every automation (and webhook) of a configuration document.

use std::path::PathBuf;

use webhook_engine::config::ConfigDocument;
use webhook_engine::request::validate_webhook;
use webhook_engine::validate::validate_automation;

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
    let webhooks = document.webhooks_with_stand_in_credentials();
    let mut errors = 0;
    for webhook in &webhooks {
        for problem in validate_webhook(webhook) {
            errors += 1;
            emitln(&format!("webhook \"{}\": error: {problem}", webhook.name));
        }
    }
    for automation in &document.automations {
        for problem in validate_automation(&catalog, automation, &webhooks) {
            errors += usize::from(problem.is_error());
            emitln(&format!(
                "automation \"{}\": {}",
                automation.name,
                labelled(&problem.to_string(), problem.is_error())
            ));
        }
    }
    emitln(&format!(
        "checked {} webhooks and {} automations: {errors} {}",
        webhooks.len(),
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
