//! Replays: sending a recorded request again, as a new execution with a new `webhook-id`.

use crate::event::User;
use crate::model::Route;
use crate::request::{redact, resend_request, MASK};
use crate::runner::compiled::CompiledConfig;
use crate::runner::deliver::Environment;
use crate::runner::execution::{Execution, Status};
use crate::runner::explain::{REPLAY_MOVED_TO_RELAY, WEBHOOK_DELETED};
use crate::runner::plan::{Planned, Source};

/// A new execution that sends `original`'s recorded method, URL and body again through its webhook,
/// with the webhook's current credentials. `by` is who asked for the replay.
pub fn replay(
    config: &CompiledConfig,
    original: &Execution,
    by: &User,
    env: &mut impl Environment,
) -> Planned {
    let now_ms = env.now_ms();
    let mut execution = Execution {
        id: env.new_id(),
        user: by.clone(),
        created_at_ms: now_ms,
        status: Status::Pending,
        reason: None,
        request: None,
        attempts: Vec::new(),
        next_attempt_at_ms: Some(now_ms),
        finished_at_ms: None,
        problems: Vec::new(),
        details_withheld: false,
        ..original.clone()
    };
    // A run the relay sent, whose webhook has moved to the browser since, is replayed from the
    // browser, and its new run says so whatever becomes of it.
    if config
        .webhook(&original.webhook_id)
        .is_some_and(|webhook| webhook.route == Route::Browser)
    {
        execution.route = Route::Browser;
    }
    let (method, url, body) = match &original.request {
        // Records from before `secrets_masked` was kept say it only by holding the mask.
        Some(recorded) if recorded.secrets_masked.unwrap_or_else(|| recorded.url.contains(MASK) || recorded.body.contains(MASK)) => return failed(execution, "the recorded request held one of the webhook's credentials, which the history masks, so it cannot be sent again exactly — let the automation run again instead", now_ms),
        Some(recorded) if !recorded.body_truncated => (recorded.method, recorded.url.clone(), recorded.body.clone()),
        Some(_) => return failed(execution, "the recorded body was cut at 64 KB, so it cannot be sent again exactly", now_ms),
        None => return failed(execution, "the original request was never built, so there is nothing to send again — fix the automation and let it run", now_ms),
    };
    let built = match config.webhook(&execution.webhook_id) {
        Some(webhook) if execution.route == Route::Browser && webhook.route == Route::Relay => {
            Err(REPLAY_MOVED_TO_RELAY.to_string())
        }
        Some(webhook) => resend_request(
            webhook,
            method,
            &url,
            &body,
            &execution.id,
            now_ms.div_euclid(1000),
        )
        .map(|request| redact(&request, webhook).into())
        .map_err(|error| error.to_string()),
        None => Err(WEBHOOK_DELETED.to_string()),
    };
    match built {
        Ok(request) => {
            execution.request = Some(request);
            Planned {
                execution,
                source: Source::Replay { method, url, body },
            }
        }
        Err(reason) => failed(execution, &reason, now_ms),
    }
}

fn failed(mut execution: Execution, reason: &str, now_ms: i64) -> Planned {
    execution.finish(Status::Failed, Some(reason.to_string()), now_ms);
    let source = Source::Replay {
        method: crate::model::Method::Post,
        url: String::new(),
        body: String::new(),
    };
    Planned { execution, source }
}
