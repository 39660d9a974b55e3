//! What a user may see of an execution. Automations run for every user whatever their visibility in
//! the CRM, so a run's request and answer can hold record data the user viewing the history may not be
//! allowed to see. Admins see everything (secrets are already redacted from every record); everyone
//! else sees that a run happened and how it ended — automation, trigger, status, reason, the method and
//! URL, attempts and answer codes — with bodies, headers and the record values of the condition trace
//! left out.

use serde_json::Value;

use crate::roles::Permissions;
use crate::runner::Execution;

/// An execution as one user may see it.
#[derive(Debug, Clone, PartialEq)]
pub struct ExecutionView {
    /// The execution, with what this user may not see emptied.
    pub execution: Execution,
    /// True when bodies, headers and record values were left out, so the page says so instead of
    /// showing them as empty.
    pub details_hidden: bool,
}

/// `execution` as seen by a user with `permissions`.
pub fn visible_to(mut execution: Execution, permissions: &Permissions) -> ExecutionView {
    if permissions.see_details {
        return ExecutionView {
            execution,
            details_hidden: false,
        };
    }
    if let Some(request) = &mut execution.request {
        request.headers.clear();
        request.body.clear();
        request.body_truncated = false;
    }
    for response in execution
        .attempts
        .iter_mut()
        .filter_map(|attempt| attempt.response.as_mut())
    {
        response.headers.clear();
        response.body_excerpt.clear();
        response.body_truncated = false;
    }
    // The fields, operators and expected values are the automation's configuration, which everyone
    // may read; the values found in the record are not.
    for condition in &mut execution.trace {
        condition.actual = Value::Null;
        condition.previous = None;
    }
    ExecutionView {
        execution,
        details_hidden: true,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use serde_json::json;

    use super::*;
    use crate::conditions::ConditionTrace;
    use crate::event::User;
    use crate::model::{EventAction, Method, Operator};
    use crate::retry::{Delay, DelayReason, Outcome};
    use crate::runner::{Attempt, EventSummary, ResponseSummary, Status, StoredRequest};

    /// A failed run with everything filled in, shared by the history's tests.
    pub(crate) fn execution() -> Execution {
        Execution {
            id: "ex_1".into(),
            route: Default::default(),
            automation_id: "au_won".into(),
            automation_name: "Won deals to ERP".into(),
            action_index: 0,
            webhook_id: "wh_erp".into(),
            webhook_name: Some("ERP".into()),
            event: EventSummary {
                id: "ev_1".into(),
                entity: "deal".into(),
                action: EventAction::Updated,
                record_id: Some(json!(42)),
                time: "2025-01-02T03:04:05Z".into(),
            },
            user: User {
                id: 7,
                name: "Ada".into(),
                email: "ada@example.com".into(),
                is_admin: false,
            },
            created_at_ms: 1_735_787_045_000,
            status: Status::Failed,
            reason: Some("the endpoint failed with 503 (Service Unavailable) (after 2 attempts): the problem is on the endpoint's side".into()),
            trace: vec![ConditionTrace {
                index_path: vec![0],
                field: "deal.value".into(),
                operator: Operator::HasChangedTo,
                expected: Some(json!(12000)),
                actual: json!(12000),
                previous: Some(json!(9000)),
                result: true,
            }],
            request: Some(StoredRequest {
                method: Method::Put,
                url: "https://erp.example/api/orders/42".into(),
                headers: vec![("Authorization".into(), "Bearer ••••••".into())],
                body: "{\"amount\": 12000, \"city\": \"Zürich\"}".into(),
                body_truncated: false,
                secrets_masked: Some(false),
            }),
            attempts: vec![
                Attempt {
                    number: 1,
                    started_at_ms: 1_735_787_045_010,
                    duration_ms: 120,
                    outcome: Outcome::Status(503),
                    response: Some(ResponseSummary {
                        status: 503,
                        headers: vec![("retry-after".into(), "2".into())],
                        body_excerpt: "{\"error\": \"busy\"}".into(),
                        body_truncated: false,
                    }),
                    retry_in: Some(Delay {
                        ms: 2_000,
                        reason: DelayReason::RetryAfter,
                    }),
                },
                Attempt {
                    number: 2,
                    started_at_ms: 1_735_787_047_200,
                    duration_ms: 1_380,
                    outcome: Outcome::Status(503),
                    response: Some(ResponseSummary {
                        status: 503,
                        headers: vec![],
                        body_excerpt: "busy".into(),
                        body_truncated: false,
                    }),
                    retry_in: None,
                },
            ],
            next_attempt_at_ms: None,
            finished_at_ms: Some(1_735_787_048_580),
            problems: Vec::new(),
            details_withheld: false,
        }
    }

    pub(crate) fn permissions(is_admin: bool) -> Permissions {
        Permissions::of(&User {
            id: 1,
            name: "Someone".into(),
            email: "someone@example.com".into(),
            is_admin,
        })
    }

    #[test]
    fn admins_see_everything() {
        let view = visible_to(execution(), &permissions(true));
        assert_eq!(view.execution, execution());
        assert!(!view.details_hidden);
    }

    #[test]
    fn others_see_what_ran_and_how_it_ended_but_no_bodies_headers_or_record_values() {
        let view = visible_to(execution(), &permissions(false));
        assert!(view.details_hidden);
        let seen = &view.execution;
        let request = seen.request.as_ref().unwrap();
        assert_eq!(
            (request.method, request.url.as_str()),
            (Method::Put, "https://erp.example/api/orders/42")
        );
        assert!(request.body.is_empty() && request.headers.is_empty());
        for attempt in &seen.attempts {
            let response = attempt.response.as_ref().unwrap();
            assert_eq!(response.status, 503);
            assert!(response.headers.is_empty() && response.body_excerpt.is_empty());
        }
        assert_eq!(seen.trace[0].actual, Value::Null);
        assert_eq!(seen.trace[0].previous, None);
        assert_eq!(
            seen.trace[0].expected,
            Some(json!(12000)),
            "configuration stays"
        );
        assert_eq!(seen.status, Status::Failed);
        assert_eq!(seen.reason, execution().reason);
        assert_eq!(seen.automation_name, "Won deals to ERP");
        let text = serde_json::to_string(seen).unwrap();
        for hidden in ["12000, \\\"city", "busy", "Bearer", "9000", "retry-after"] {
            assert!(!text.contains(hidden), "{hidden} in {text}");
        }
    }
}
