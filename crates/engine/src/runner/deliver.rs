//! Sending one planned delivery: attempts through a [`Transport`], retries by the webhook's policy,
//! and the finished execution record.

use crate::model::Route;
use crate::request::{build_request, redact, resend_request, OutgoingRequest, SecretScrubber};
use crate::retry::{next_delay, parse_retry_after, Delay, Outcome};
use crate::runner::compiled::CompiledConfig;
use crate::runner::execution::{
    cap, Attempt, ResponseSummary, Status, RESPONSE_BODY_LIMIT, RESPONSE_READ_LIMIT,
};
use crate::runner::explain::{
    explain_failure, AUTOMATION_DELETED, WEBHOOK_DELETED, WEBHOOK_MOVED_TO_RELAY,
};
use crate::runner::plan::{Planned, Source};

/// Sends requests: `fetch` in the browser, a real HTTP client in tests. It must not follow redirects
/// (the host must never change) and must give up after `timeout_ms`.
// The app is single-threaded WebAssembly: futures need not be `Send`, so plain `async fn` fits.
#[allow(async_fn_in_trait)]
pub trait Transport {
    async fn send(&self, request: &OutgoingRequest, timeout_ms: u32) -> Exchange;
}

/// What came of sending a request.
#[derive(Debug, Clone, PartialEq)]
pub enum Exchange {
    Answered(Response),
    /// No answer to read: [`Outcome::NetworkError`], [`Outcome::Timeout`], [`Outcome::CorsRefused`], or
    /// [`Outcome::RedirectRefused`] when the transport could not even see the redirect's status.
    Failed(Outcome),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

/// Time, randomness and ids, passed in so the runner stays pure and its schedule testable.
#[allow(async_fn_in_trait)]
pub trait Environment {
    fn now_ms(&self) -> i64;
    /// A random number in [0, 1), for retry jitter.
    fn random_unit(&mut self) -> f64;
    /// A new unique execution id for a replay or a test send (it becomes the request's `webhook-id`).
    /// Planned deliveries derive theirs from the event instead ([`super::execution_id`]).
    fn new_id(&mut self) -> String;
    async fn sleep_ms(&self, ms: u64);
}

/// Makes every attempt `planned` still needs, waiting between them, until it succeeds or fails.
pub async fn deliver(
    config: &CompiledConfig,
    planned: &mut Planned,
    transport: &impl Transport,
    env: &mut impl Environment,
) {
    while let Some(delay) = attempt(config, planned, transport, env).await {
        env.sleep_ms(delay.ms).await;
    }
}

/// Makes one attempt and records it. Returns the wait before the next attempt when one is due; the
/// execution is then still pending, with `next_attempt_at_ms` set (a host that persists it can resume
/// after a reload). Returns `None` once the execution is finished.
pub async fn attempt(
    config: &CompiledConfig,
    planned: &mut Planned,
    transport: &impl Transport,
    env: &mut impl Environment,
) -> Option<Delay> {
    if planned.execution.status != Status::Pending {
        return None;
    }
    let started_at_ms = env.now_ms();
    let built = build(config, planned, started_at_ms.div_euclid(1000));
    let execution = &mut planned.execution;
    let (request, webhook) = match built {
        Ok(built) => built,
        Err(reason) => {
            execution.finish(Status::Failed, Some(reason), started_at_ms);
            return None;
        }
    };
    // The history shows the request as this attempt sends it: rendered again from the automation as
    // it is now, which a configuration change during a retry wait makes differ from the planned one.
    execution.request = Some(redact(&request, webhook).into());

    let exchange = transport.send(&request, webhook.timeout_ms).await;
    let finished_at_ms = env.now_ms();
    let (outcome, response) = match exchange {
        Exchange::Answered(response) if (300..400).contains(&response.status) => {
            (Outcome::RedirectRefused(response.status), Some(response))
        }
        Exchange::Answered(response) => (Outcome::Status(response.status), Some(response)),
        Exchange::Failed(outcome) => (outcome, None),
    };
    let retry_after_ms = response.as_ref().and_then(|response| {
        let header = response
            .headers
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case("retry-after"))?;
        parse_retry_after(&header.1, finished_at_ms.div_euclid(1000))
    });
    let number = execution.attempts.len() as u32 + 1;
    let retry_in = next_delay(
        &webhook.retry,
        &outcome,
        number,
        retry_after_ms,
        env.random_unit(),
    );
    execution.attempts.push(Attempt {
        number,
        started_at_ms,
        duration_ms: finished_at_ms.saturating_sub(started_at_ms).max(0) as u64,
        outcome,
        response: response.map(|response| summarize(response, webhook)),
        retry_in,
    });
    if outcome.is_success() {
        execution.finish(Status::Succeeded, None, finished_at_ms);
        return None;
    }
    match retry_in {
        Some(delay) => {
            execution.next_attempt_at_ms = Some(finished_at_ms + delay.ms as i64);
            Some(delay)
        }
        None => {
            let reason = explain_failure(execution, webhook);
            execution.finish(Status::Failed, Some(reason), finished_at_ms);
            None
        }
    }
}

/// This attempt's request: rendered from the automation's action, or the recorded one of a replay,
/// each time with the webhook's current credentials and a fresh signature timestamp.
fn build<'c>(
    config: &'c CompiledConfig,
    planned: &Planned,
    now_unix_seconds: i64,
) -> Result<(OutgoingRequest, &'c crate::model::Webhook), String> {
    let execution = &planned.execution;
    let webhook = config
        .webhook(&execution.webhook_id)
        .ok_or_else(|| WEBHOOK_DELETED.to_string())?;
    if execution.route == Route::Browser && webhook.route == Route::Relay {
        return Err(WEBHOOK_MOVED_TO_RELAY.to_string());
    }
    let request = match &planned.source {
        Source::Template { context } => {
            let compiled = config
                .automation(&execution.automation_id)
                .ok_or_else(|| AUTOMATION_DELETED.to_string())?;
            let action = compiled
                .actions
                .get(execution.action_index)
                .ok_or_else(|| AUTOMATION_DELETED.to_string())?
                .as_ref()
                .map_err(ToString::to_string)?;
            build_request(webhook, action, context, &execution.id, now_unix_seconds)
        }
        Source::Replay { method, url, body } => {
            resend_request(webhook, *method, url, body, &execution.id, now_unix_seconds)
        }
    };
    request
        .map(|request| (request, webhook))
        .map_err(|error| error.to_string())
}

/// The answer as the history keeps it: the webhook's credentials masked wherever the endpoint echoed
/// them (before the body is cut, so no part of one survives at the cut).
fn summarize(response: Response, webhook: &crate::model::Webhook) -> ResponseSummary {
    let secrets = SecretScrubber::for_webhook(webhook);
    let scrubbed = if response.body.len() >= RESPONSE_READ_LIMIT {
        secrets.scrub_cut(&response.body)
    } else {
        secrets.scrub(&response.body)
    };
    let (body_excerpt, body_truncated) = cap(scrubbed, RESPONSE_BODY_LIMIT);
    ResponseSummary {
        status: response.status,
        // Cookies are the endpoint's session secrets, not something the history should keep.
        headers: response
            .headers
            .into_iter()
            .filter(|(name, _)| !name.eq_ignore_ascii_case("set-cookie"))
            .map(|(name, value)| {
                let value = secrets.scrub(&value);
                (name, value)
            })
            .collect(),
        body_excerpt,
        body_truncated,
    }
}
