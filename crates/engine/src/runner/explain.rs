//! Why a delivery failed, in words a CRM admin can act on.

use crate::model::Webhook;
use crate::retry::Outcome;
use crate::runner::execution::Execution;

pub const WEBHOOK_DELETED: &str =
    "the webhook this action used was deleted — pick another webhook in the automation";

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
        Outcome::CorsRefused => "the endpoint is up but refused this page (CORS): it must answer OPTIONS requests with Access-Control-Allow-Origin for this page and allow the headers Content-Type, Authorization and webhook-id, webhook-timestamp, webhook-signature".into(),
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
