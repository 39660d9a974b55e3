//! Which deliveries an event causes: pure, so previews and tests see exactly what would be sent.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::catalog::Catalog;
use crate::conditions::ConditionTrace;
use crate::context::render_context;
use crate::event::Event;
use crate::model::{Route, Webhook};
use crate::request::{
    build_relay_placeholder, build_request, missing_credentials, redact, CompiledAction,
};
use crate::runner::compiled::CompiledConfig;
use crate::runner::deliver::Environment;
use crate::runner::execution::{EventSummary, Execution, Status, StoredRequest};
use crate::runner::execution_id::execution_id;
use crate::runner::explain::WEBHOOK_DELETED;

/// What an event causes: deliveries to make, and automations whose conditions did not match.
pub struct Plan {
    pub planned: Vec<Planned>,
    pub skipped: Vec<Skipped>,
}

/// One delivery to make. `execution` starts pending, or already failed when the request could not
/// be built (deleted webhook, missing credentials, an empty path value…). It serializes, so a host
/// can keep it in an outbox and resume it after a reload with the same execution id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Planned {
    pub execution: Execution,
    pub source: Source,
}

/// Where each attempt's request comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Source {
    /// Rendered from the automation's action (`execution.automation_id`, `action_index`) for the
    /// event whose render context this is.
    Template { context: Value },
    /// Sent again as recorded (a replay): the stored method, URL and body.
    Replay {
        method: crate::model::Method,
        url: String,
        body: String,
    },
}

/// An automation on this trigger whose conditions did not match, with the trace that says why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Skipped {
    pub automation_id: String,
    pub automation_name: String,
    pub trace: Vec<ConditionTrace>,
}

/// The deliveries `event` causes under `config`: every enabled automation on the event's entity and
/// action whose conditions match, one delivery per action. Disabled automations never run.
pub fn plan(
    config: &CompiledConfig,
    catalog: &Catalog,
    event: &Event,
    env: &mut impl Environment,
) -> Plan {
    let context = render_context(catalog, event);
    let mut plan = Plan {
        planned: Vec::new(),
        skipped: Vec::new(),
    };
    for compiled in &config.automations {
        let automation = &compiled.automation;
        if !automation.enabled
            || automation.trigger.entity != event.entity
            || automation.trigger.action != event.action
        {
            continue;
        }
        let (trace, failure) = match &compiled.conditions {
            Ok(conditions) => {
                let evaluation = conditions.evaluate(&context);
                if !evaluation.matched {
                    plan.skipped.push(Skipped {
                        automation_id: automation.id.clone(),
                        automation_name: automation.name.clone(),
                        trace: evaluation.trace,
                    });
                    continue;
                }
                (evaluation.trace, None)
            }
            Err(reason) => (Vec::new(), Some(reason.clone())),
        };
        for (action_index, action) in automation.actions.iter().enumerate() {
            let now_ms = env.now_ms();
            let webhook = config.webhook(&action.webhook_id);
            let mut execution = Execution {
                id: execution_id(&event.id, &automation.id, action_index),
                route: config.route_to(&action.webhook_id),
                automation_id: automation.id.clone(),
                automation_name: automation.name.clone(),
                action_index,
                webhook_id: action.webhook_id.clone(),
                webhook_name: webhook.map(|webhook| webhook.name.clone()),
                event: EventSummary::from(event),
                user: event.user.clone(),
                created_at_ms: now_ms,
                status: Status::Pending,
                reason: failure.clone(),
                trace: trace.clone(),
                request: None,
                attempts: Vec::new(),
                next_attempt_at_ms: Some(now_ms),
                finished_at_ms: None,
                problems: Vec::new(),
                details_withheld: false,
            };
            if execution.reason.is_none() {
                let built = match (webhook, &compiled.actions[action_index]) {
                    (None, _) => Err(WEBHOOK_DELETED.to_string()),
                    (Some(_), Err(error)) => Err(error.to_string()),
                    (Some(webhook), Ok(action)) => {
                        request_for(webhook, action, &context, &execution.id, now_ms)
                    }
                };
                match built {
                    Ok(request) => execution.request = Some(request),
                    Err(reason) => execution.reason = Some(reason),
                }
            }
            if let Some(reason) = execution.reason.take() {
                execution.finish(Status::Failed, Some(reason), now_ms);
            }
            plan.planned.push(Planned {
                execution,
                source: Source::Template {
                    context: context.clone(),
                },
            });
        }
    }
    plan
}

fn request_for(
    webhook: &Webhook,
    action: &CompiledAction,
    context: &Value,
    execution_id: &str,
    now_ms: i64,
) -> Result<StoredRequest, String> {
    // A browser keeps no credential of a webhook the relay delivers: it plans what it can show.
    let built = if webhook.route == Route::Relay && missing_credentials(webhook) {
        build_relay_placeholder(webhook, action, context, execution_id)
    } else {
        build_request(
            webhook,
            action,
            context,
            execution_id,
            now_ms.div_euclid(1000),
        )
    };
    built
        .map(|request| redact(&request, webhook).into())
        .map_err(|error| error.to_string())
}
