//! `webhook-cli preview`: every request an event would produce, with its condition trace. Sends nothing.

use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::json;
use webhook_engine::config::ConfigDocument;
use webhook_engine::event::Event;
use webhook_engine::runner::{plan, CompiledConfig, Environment};

use crate::{emitln, input, Outcome, UsageError};

#[derive(clap::Args)]
pub struct Args {
    /// A configuration document (what the app exports).
    #[arg(long)]
    config: PathBuf,
    /// An event in the engine's format (docs/formats.md).
    #[arg(long)]
    event: PathBuf,
    /// A field catalog; the built-in CRM catalog by default.
    #[arg(long)]
    catalog: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<Outcome, UsageError> {
    let catalog = input::catalog(args.catalog.as_deref())?;
    let document = ConfigDocument::parse(&input::read_text(&args.config)?)
        .map_err(|error| input::bad_input(&args.config, &error.to_string()))?;
    let event: Event = input::read_json(&args.event)?;
    // The document holds no credentials; stand-ins let requests build, and only their redacted form shows.
    let config = CompiledConfig::compile(
        &catalog,
        &document.webhooks_with_stand_in_credentials(),
        &document.automations,
    );
    let result = plan(
        &config,
        &catalog,
        &event,
        &mut PreviewEnvironment::default(),
    );
    let requests: Vec<_> = result
        .planned
        .iter()
        .map(|planned| {
            let execution = &planned.execution;
            json!({
                "automation_id": execution.automation_id,
                "automation_name": execution.automation_name,
                "action_index": execution.action_index,
                "webhook_id": execution.webhook_id,
                "webhook_name": execution.webhook_name,
                "would_send": execution.reason.is_none(),
                "reason": execution.reason,
                "request": execution.request,
                "trace": execution.trace,
            })
        })
        .collect();
    let report = json!({
        "event_id": event.id,
        "triggered_by": event.user,
        "requests": requests,
        "not_matched": result.skipped,
    });
    emitln(&serde_json::to_string_pretty(&report).expect("the preview serializes"));
    let any_failure = result
        .planned
        .iter()
        .any(|planned| planned.execution.reason.is_some());
    Ok(if any_failure {
        Outcome::InputHasErrors
    } else {
        Outcome::Clean
    })
}

/// Previews never wait or send; ids say they are previews.
#[derive(Default)]
struct PreviewEnvironment {
    count: u32,
}

impl Environment for PreviewEnvironment {
    fn now_ms(&self) -> i64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_millis() as i64)
    }

    fn random_unit(&mut self) -> f64 {
        0.5
    }

    fn new_id(&mut self) -> String {
        self.count += 1;
        format!("msg_preview_{}", self.count)
    }

    async fn sleep_ms(&self, _ms: u64) {}
}
