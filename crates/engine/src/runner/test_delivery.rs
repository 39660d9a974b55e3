//! "Test webhook": one sample request to a webhook's base URL, classified like any delivery.

use serde_json::json;

use crate::event::User;
use crate::model::{EventAction, Method, RetryPolicy, Webhook};
use crate::runner::compiled::CompiledConfig;
use crate::runner::deliver::Environment;
use crate::runner::execution::{EventSummary, Execution, Status};
use crate::runner::plan::{Planned, Source};
use crate::time::Instant;

/// A one-attempt delivery of a small sample body to `webhook`'s base URL, and the configuration to
/// run it with (the webhook alone, never retried: a test should answer at once). `by` is who tests.
pub fn test_delivery(
    webhook: &Webhook,
    by: &User,
    env: &mut impl Environment,
) -> (CompiledConfig, Planned) {
    let now_ms = env.now_ms();
    let sent_at = Instant::from_unix_millis(now_ms).to_rfc3339();
    let body = json!({
        "test": true,
        "message": format!("Test request from Webhook Automations for the webhook “{}”", webhook.name),
        "sent_at": sent_at,
        "sent_by": by.name,
    })
    .to_string();
    let single_attempt = Webhook {
        retry: RetryPolicy {
            max_attempts: 1,
            ..webhook.retry.clone()
        },
        ..webhook.clone()
    };
    let config =
        CompiledConfig::compile(&crate::catalog::Catalog::builtin(), &[single_attempt], &[]);
    let execution = Execution {
        id: env.new_id(),
        route: webhook.route,
        automation_id: String::new(),
        automation_name: "Test webhook".into(),
        action_index: 0,
        webhook_id: webhook.id.clone(),
        webhook_name: Some(webhook.name.clone()),
        event: EventSummary {
            id: String::new(),
            entity: String::new(),
            action: EventAction::Added,
            record_id: None,
            time: sent_at,
        },
        user: by.clone(),
        created_at_ms: now_ms,
        status: Status::Pending,
        reason: None,
        trace: Vec::new(),
        request: None,
        attempts: Vec::new(),
        next_attempt_at_ms: Some(now_ms),
        finished_at_ms: None,
        problems: Vec::new(),
        details_withheld: false,
    };
    let source = Source::Replay {
        method: Method::Post,
        url: webhook.base_url.clone(),
        body,
    };
    (config, Planned { execution, source })
}
