//! Why a delivery failed, in words a CRM admin can act on.

use crate::model::Webhook;
use crate::retry::Outcome;
use crate::runner::execution::Execution;

/// How a CORS refusal starts its explanation; the history offers the way to the webhook's form
/// whenever a failure starts with it.
pub const CORS_REFUSED: &str =
    "the endpoint is up but refused this page (CORS): it does not accept requests from browsers";

pub const WEBHOOK_DELETED: &str =
    "the webhook this action used was deleted — pick another webhook in the automation";

/// A delivery planned to leave from the browser, whose webhook the relay delivers by the time of the
/// attempt: the browser holds none of its credentials any more (the relay does).
pub const WEBHOOK_MOVED_TO_RELAY: &str =
    "not sent: the webhook is now delivered by the relay, after this run was planned to leave from the browser, and this browser no longer holds its credentials — the relay sends the runs of new events; to send this one, let its CRM change happen again";

/// A replay, from the browser, of a run that left from the browser, whose webhook the relay
/// delivers by now: the browser holds none of its credentials any more, and the relay has no
/// record of the run to send again.
pub const REPLAY_MOVED_TO_RELAY: &str =
    "not sent again: the webhook is now delivered by the relay, which holds its credentials, and this run left from the browser, so neither can replay it — let its CRM change happen again";

pub const AUTOMATION_DELETED: &str =
    "the automation was deleted or changed before this request was sent";

/// The reason shown in the history for an execution whose last attempt failed for good.
pub fn explain_failure(execution: &Execution, webhook: &Webhook) -> String {
    let Some(last) = execution.attempts.last() else {
        return "the request was never sent".into();
    };
    let tries = match execution.attempts.len() {
        1 => String::new(),
        n => format!(" (after {n} attempts)"),
    };
    let url = execution
        .request
        .as_ref()
        .map_or("", |request| request.url.as_str());
    match last.outcome {
        Outcome::Status(401) => format!("the endpoint answered 401 Unauthorized{tries}: check the webhook's credentials"),
        Outcome::Status(403) => format!("the endpoint answered 403 Forbidden{tries}: the credentials were accepted but lack permission for this request"),
        Outcome::Status(404) => format!("the endpoint answered 404 Not Found{tries}: check the path — the request went to {url}"),
        Outcome::Status(status @ (408 | 429)) => {
            format!("the endpoint answered {status} ({}){tries}: it is busy or limiting requests; the retries ran out", status_text(status))
        }
        Outcome::Status(status @ 500..=599) => {
            format!("the endpoint failed with {status} ({}){tries}: the problem is on the endpoint's side", status_text(status))
        }
        Outcome::Status(status) => format!(
            "the endpoint refused the request with {status} ({}){tries}: its answer below says why",
            status_text(status)
        ),
        Outcome::Timeout => format!(
            "no answer within {} s{tries}: the endpoint is too slow or unreachable; raise the webhook's timeout if it needs longer",
            webhook.timeout_ms.div_ceil(1000)
        ),
        Outcome::NetworkError => format!(
            "could not reach the endpoint{tries}: check the base URL and that the server is running (in a browser this can also be a CORS refusal)"
        ),
        Outcome::CorsRefused => format!("{CORS_REFUSED}: deliver this webhook through the relay (Webhooks → Deliver from → the relay), which sends from a server where CORS does not apply — or have the endpoint answer OPTIONS requests with Access-Control-Allow-Origin for this page and allow the headers Content-Type, Authorization and webhook-id, webhook-timestamp, webhook-signature"),
        Outcome::AddressRefused { address, kind } => format!(
            "refused: the address {address} is {kind} — requests sent from the server only go to public internet addresses, so that a webhook cannot reach into the server's own network; use the endpoint's public address"
        ),
        Outcome::RedirectRefused(status) => {
            // A browser hides a refused redirect's status (0): say "a redirect" without a number.
            let code = if status == 0 { String::new() } else { format!(" ({status})") };
            format!(
                "the endpoint answered with a redirect{code}{tries}: redirects are not followed, so requests never go to another address — update the webhook's base URL to the final address"
            )
        }
    }
}

fn status_text(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        413 => "Payload Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Content",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "HTTP error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::address::AddressKind;
    use crate::event::User;
    use crate::model::{Auth, EventAction, RetryPolicy};
    use crate::runner::execution::{Attempt, EventSummary, Status};

    #[test]
    fn a_refused_address_is_explained_as_a_refusal_not_as_a_dead_endpoint() {
        let refused = Execution {
            id: "msg_1".into(),
            route: Default::default(),
            automation_id: "au".into(),
            automation_name: "Won deals".into(),
            action_index: 0,
            webhook_id: "wh_erp".into(),
            webhook_name: Some("ERP".into()),
            event: EventSummary {
                id: "evt_1".into(),
                entity: "deal".into(),
                action: EventAction::Updated,
                record_id: None,
                time: String::new(),
            },
            user: User {
                id: 1,
                name: "Ada".into(),
                email: "ada@example.com".into(),
                is_admin: true,
            },
            created_at_ms: 0,
            status: Status::Failed,
            reason: None,
            trace: vec![],
            request: None,
            attempts: vec![Attempt {
                number: 1,
                started_at_ms: 0,
                duration_ms: 0,
                outcome: Outcome::AddressRefused {
                    address: [10, 0, 0, 5].into(),
                    kind: AddressKind::Private,
                },
                response: None,
                retry_in: None,
            }],
            next_attempt_at_ms: None,
            finished_at_ms: Some(0),
            problems: Vec::new(),
            details_withheld: false,
        };
        let webhook = Webhook {
            id: "wh_erp".into(),
            name: "ERP".into(),
            base_url: "https://erp.example".into(),
            route: Default::default(),
            auth: Auth::None,
            headers: vec![],
            signing_secret: None,
            timeout_ms: 10_000,
            retry: RetryPolicy::default(),
        };
        let reason = explain_failure(&refused, &webhook);
        assert!(
            reason.starts_with("refused: the address 10.0.0.5 is private"),
            "{reason}"
        );
        assert!(!reason.contains("could not reach"), "{reason}");
    }
}
