//! Credentials at the edges: configuration errors that would quote a credential in the wrong place,
//! and answers that echo a credential as another JSON writer escapes it (both found by a review).

mod support;

use serde_json::json;
use support::{control, receiver, TestEnvironment};
use webhook_engine::catalog::Catalog;
use webhook_engine::config::ConfigDocument;
use webhook_engine::event::Event;
use webhook_engine::model::{
    Auth, Automation, Body, ConditionGroup, EventAction, Match, Method, RetryPolicy, Secret,
    Trigger, Webhook, WebhookAction,
};
use webhook_engine::runner::{deliver, plan, CompiledConfig};
use webhook_engine::sample::{Change, SampleData};

/// A configuration document a host page (or an admin's import) got slightly wrong, with a credential
/// in the wrong place. The error message is thrown to the host page, logged by widget.js
/// (`console.error`), sent in the `webhook-automations:error` event and shown in the import dialog:
/// it must name what is wrong, never quote the value (json_from_js scrubs serde's quotes for the
/// same reason; ConfigDocument::parse does not).
#[test]
fn a_configuration_error_never_quotes_the_credential_that_caused_it() {
    let document = |webhook_fields: &str| {
        format!(
            r#"{{"format": "webhook-automations/config", "version": 2, "automations": [],
            "webhooks": [{{"id": "w", "name": "ERP", "base_url": "https://erp.example",
              "timeout_ms": 5000, "retry": {{}}, {webhook_fields}}}]}}"#
        )
    };
    let mut leaks = Vec::new();
    for (case, fields) in [
        (
            "authentication given as the header value",
            r#""auth": "Bearer tok-canary-1", "headers": []"#,
        ),
        (
            "the signing secret where 'signed' goes",
            r#""auth": {"type": "none"}, "signed": "whsec_c2lnbmluZy1jYW5hcnk=""#,
        ),
        (
            "a header written as one line",
            r#""auth": {"type": "none"}, "headers": ["X-Api-Key: key-canary-3"]"#,
        ),
    ] {
        let error = ConfigDocument::parse(&document(fields)).unwrap_err();
        let message = error.to_string();
        if ["tok-canary-1", "c2lnbmluZy1jYW5hcnk", "key-canary-3"]
            .iter()
            .any(|canary| message.contains(canary))
        {
            leaks.push(format!("{case}: {message}"));
        }
    }
    assert!(
        leaks.is_empty(),
        "errors quote the credential:\n{}",
        leaks.join("\n")
    );
}

const API_KEY: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

fn api_key_webhook(base_url: &str) -> Webhook {
    Webhook {
        id: "wh_erp".into(),
        name: "ERP".into(),
        base_url: base_url.into(),
        route: Default::default(),
        auth: Auth::ApiKey {
            header: "X-Api-Key".into(),
            key: Secret::new(API_KEY),
        },
        headers: vec![],
        signing_secret: None,
        timeout_ms: 2_000,
        retry: RetryPolicy {
            max_attempts: 1,
            initial_backoff_ms: 100,
            max_backoff_ms: 5_000,
        },
    }
}

fn any_deal_update() -> Automation {
    Automation {
        id: "a".into(),
        name: "Deals".into(),
        enabled: true,
        trigger: Trigger {
            entity: "deal".into(),
            action: EventAction::Updated,
        },
        conditions: ConditionGroup {
            match_: Match::All,
            items: vec![],
        },
        actions: vec![WebhookAction {
            webhook_id: "wh_erp".into(),
            method: Method::Post,
            path: "/x".into(),
            body: Body::Raw {
                template: r#"{"stage": {{deal.stage}}}"#.into(),
            },
        }],
    }
}

fn stage_change() -> Event {
    let catalog = Catalog::builtin();
    let sample = SampleData::builtin();
    let previous = sample.record("deal", 302).unwrap().clone();
    let mut current = previous.clone();
    current.insert("stage".into(), json!("negotiations"));
    sample.event(
        &catalog,
        Change {
            id: "evt_echo",
            entity: "deal",
            action: EventAction::Updated,
            time: "2026-11-28T10:00:00Z",
            user: &sample.user(1).unwrap().user,
            current: &current,
            previous: Some(&previous),
        },
    )
}

/// An endpoint that echoes the API key it got, as PHP's `json_encode` writes it (its default escapes
/// every '/' as "\/"): the answer is stored with the key readable in it. The issue: "a response body
/// that echoes a credential is stored redacted, like the request".
#[tokio::test]
async fn an_answer_echoing_a_credential_in_another_json_spelling_is_still_redacted() {
    let receiver = receiver().await;
    let base = receiver.url();
    let echoed = API_KEY.replace('/', "\\/");
    let script = json!({
        "status": 401,
        "body": format!("{{\"error\":\"unknown key\",\"key\":\"{echoed}\"}}"),
    });
    control(
        "POST",
        &format!("{base}/_receiver/script"),
        &script.to_string(),
    )
    .await;
    let config = CompiledConfig::compile(
        &Catalog::builtin(),
        &[api_key_webhook(&base)],
        &[any_deal_update()],
    );
    let mut env = TestEnvironment::default();
    let mut planned = plan(&config, &Catalog::builtin(), &stage_change(), &mut env).planned;
    deliver(&config, &mut planned[0], &support::TcpTransport, &mut env).await;
    let response = planned[0].execution.attempts[0].response.as_ref().unwrap();
    assert_eq!(response.status, 401);
    assert!(
        !response.body_excerpt.contains(&echoed),
        "the key is stored readable (with escaped slashes): {}",
        response.body_excerpt
    );
    receiver.shutdown().await;
}
