//! The runner end to end: sample events → automations → real HTTP to the project's receiver.

mod support;

use serde_json::{json, Value};
use support::{control, receiver, TcpTransport, TestEnvironment};
use webhook_engine::catalog::Catalog;
use webhook_engine::event::Event;
use webhook_engine::model::{
    Auth, Automation, Body, Condition, ConditionGroup, ConditionItem, EventAction, Match, Method,
    Operator, RetryPolicy, Secret, Trigger, Webhook, WebhookAction,
};
use webhook_engine::retry::{DelayReason, Outcome};
use webhook_engine::runner::{deliver, plan, CompiledConfig, Execution, Status};
use webhook_engine::sample::{Change, SampleData};
use webhook_engine::template::Row;

const TOKEN: &str = "tok_live_do-not-leak";

fn webhook(base_url: &str) -> Webhook {
    Webhook {
        id: "wh_erp".into(),
        name: "ERP".into(),
        base_url: base_url.into(),
        route: Default::default(),
        auth: Auth::Bearer {
            token: Secret::new(TOKEN),
        },
        headers: vec![],
        signing_secret: None,
        timeout_ms: 2_000,
        retry: RetryPolicy {
            max_attempts: 3,
            initial_backoff_ms: 100,
            max_backoff_ms: 5_000,
        },
    }
}

fn automation(id: &str, conditions: Vec<ConditionItem>, path: &str) -> Automation {
    Automation {
        id: id.into(),
        name: format!("Automation {id}"),
        enabled: true,
        trigger: Trigger { entity: "deal".into(), action: EventAction::Updated },
        conditions: ConditionGroup { match_: Match::All, items: conditions },
        actions: vec![WebhookAction {
            webhook_id: "wh_erp".into(),
            method: Method::Put,
            path: path.into(),
            body: Body::Raw {
                template: r#"{"title": "Deal {{deal.title}}", "amount": {{deal.value}}, "stage": {{deal.stage}}, "by": "{{event.user.name}}"}"#.into(),
            },
        }],
    }
}

fn condition(field: &str, operator: Operator, value: Option<Value>) -> ConditionItem {
    ConditionItem::Condition(Condition {
        field: field.into(),
        operator,
        value,
    })
}

/// Deal 302 (owned by the regular user) moved from "Proposal made" to "Negotiations started" by `user_id`.
fn stage_change(user_id: u64) -> Event {
    let catalog = Catalog::builtin();
    let sample = SampleData::builtin();
    let previous = sample.record("deal", 302).unwrap().clone();
    let mut current = previous.clone();
    current.insert("stage".into(), json!("negotiations"));
    sample.event(
        &catalog,
        Change {
            id: "evt_stage_302",
            entity: "deal",
            action: EventAction::Updated,
            time: "2026-11-28T10:00:00Z",
            user: &sample.user(user_id).unwrap().user,
            current: &current,
            previous: Some(&previous),
        },
    )
}

async fn run(config: &CompiledConfig, event: &Event, env: &mut TestEnvironment) -> Vec<Execution> {
    let catalog = Catalog::builtin();
    let mut planned = plan(config, &catalog, event, env).planned;
    for delivery in &mut planned {
        deliver(config, delivery, &TcpTransport, env).await;
    }
    planned
        .into_iter()
        .map(|delivery| delivery.execution)
        .collect()
}

async fn received(base: &str) -> Vec<Value> {
    control("GET", &format!("{base}/_receiver/requests"), "")
        .await
        .as_array()
        .unwrap()
        .clone()
}

fn header<'r>(record: &'r Value, name: &str) -> Option<&'r str> {
    record["headers"]
        .as_array()?
        .iter()
        .find(|pair| pair[0] == name)
        .and_then(|pair| pair[1].as_str())
}

#[tokio::test]
async fn a_matching_automation_sends_exactly_what_its_execution_records() {
    let receiver = receiver().await;
    let base = receiver.url();
    let automations = [
        automation(
            "matches",
            vec![condition(
                "deal.stage",
                Operator::HasChangedTo,
                Some(json!("negotiations")),
            )],
            "/orders/{{deal.id}}",
        ),
        automation(
            "does_not_match",
            vec![condition(
                "deal.value",
                Operator::GreaterThan,
                Some(json!(1_000_000)),
            )],
            "/never",
        ),
        Automation {
            enabled: false,
            ..automation("disabled", vec![], "/never")
        },
        Automation {
            trigger: Trigger {
                entity: "deal".into(),
                action: EventAction::Added,
            },
            ..automation("other_trigger", vec![], "/never")
        },
    ];
    let config = CompiledConfig::compile(&Catalog::builtin(), &[webhook(&base)], &automations);
    let mut env = TestEnvironment::default();

    let catalog = Catalog::builtin();
    let preview = plan(&config, &catalog, &stage_change(1), &mut env);
    assert_eq!(preview.planned.len(), 1);
    assert_eq!(preview.skipped.len(), 1);
    assert_eq!(preview.skipped[0].automation_id, "does_not_match");
    assert!(!preview.skipped[0].trace[0].result);

    let executions = run(&config, &stage_change(1), &mut env).await;
    assert_eq!(executions.len(), 1);
    let execution = &executions[0];
    assert_eq!(
        execution.status,
        Status::Succeeded,
        "{:?}",
        execution.reason
    );
    assert_eq!(execution.trace.len(), 1);
    assert!(execution.trace[0].result);

    let requests = received(&base).await;
    assert_eq!(
        requests.len(),
        1,
        "only the matching automation sent anything"
    );
    let sent = &requests[0];
    let stored = execution.request.as_ref().unwrap();
    assert_eq!(sent["method"], "PUT");
    assert_eq!(sent["path"], "/orders/302");
    assert_eq!(stored.url, format!("{base}/orders/302"));
    assert_eq!(
        sent["body"],
        stored.body.as_str(),
        "the history shows the body byte for byte"
    );
    let body: Value = serde_json::from_str(&stored.body).unwrap();
    assert_eq!(
        body,
        json!({"title": "Deal CNC line maintenance contract", "amount": 56500.5, "stage": "Negotiations started", "by": "Ada Admin"})
    );
    assert_eq!(
        header(sent, "authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert_eq!(header(sent, "webhook-id"), Some(execution.id.as_str()));
    assert_eq!(header(sent, "content-type"), Some("application/json"));
    assert_eq!(execution.attempts[0].response.as_ref().unwrap().status, 200);

    let record = serde_json::to_string(execution).unwrap();
    assert!(
        !record.contains(TOKEN),
        "the execution record holds no secret: {record}"
    );
    assert!(record.contains("Bearer ••••••"));
    receiver.shutdown().await;
}

#[tokio::test]
async fn a_regular_users_change_triggers_automations_just_the_same() {
    let receiver = receiver().await;
    let base = receiver.url();
    let config = CompiledConfig::compile(
        &Catalog::builtin(),
        &[webhook(&base)],
        &[automation("any", vec![], "/deals/{{deal.id}}")],
    );
    let mut env = TestEnvironment::default();
    let executions = run(&config, &stage_change(2), &mut env).await;
    assert_eq!(executions[0].status, Status::Succeeded);
    assert_eq!(executions[0].user.name, "Riley Regular");
    assert!(!executions[0].user.is_admin);
    let requests = received(&base).await;
    assert!(requests[0]["body"]
        .as_str()
        .unwrap()
        .contains("Riley Regular"));
    receiver.shutdown().await;
}

#[tokio::test]
async fn a_503_with_retry_after_then_200_takes_two_attempts_with_one_webhook_id() {
    let receiver = receiver().await;
    let base = receiver.url();
    control(
        "POST",
        &format!("{base}/_receiver/script"),
        r#"[{"status": 503, "retry_after": 2}, {"status": 200}]"#,
    )
    .await;
    let config = CompiledConfig::compile(
        &Catalog::builtin(),
        &[webhook(&base)],
        &[automation("a", vec![], "/x")],
    );
    let mut env = TestEnvironment::default();
    let execution = run(&config, &stage_change(1), &mut env).await.remove(0);

    assert_eq!(execution.status, Status::Succeeded);
    let outcomes: Vec<Outcome> = execution
        .attempts
        .iter()
        .map(|attempt| attempt.outcome)
        .collect();
    assert_eq!(outcomes, [Outcome::Status(503), Outcome::Status(200)]);
    let delay = execution.attempts[0].retry_in.unwrap();
    assert_eq!((delay.ms, delay.reason), (2_000, DelayReason::RetryAfter));
    assert_eq!(*env.slept.borrow(), [2_000]);
    let ids: Vec<_> = received(&base)
        .await
        .iter()
        .map(|r| header(r, "webhook-id").unwrap().to_string())
        .collect();
    assert_eq!(ids, [execution.id.clone(), execution.id.clone()]);
    receiver.shutdown().await;
}

#[tokio::test]
async fn failures_end_with_the_reason_an_admin_can_act_on() {
    let receiver = receiver().await;
    let base = receiver.url();
    let config = CompiledConfig::compile(
        &Catalog::builtin(),
        &[webhook(&base)],
        &[automation("a", vec![], "/x")],
    );
    let script_url = format!("{base}/_receiver/script");
    let script = |body: &'static str| control("POST", &script_url, body);

    script(r#"{"status": 401}"#).await;
    let unauthorized = run(&config, &stage_change(1), &mut TestEnvironment::default())
        .await
        .remove(0);
    assert_eq!(
        (unauthorized.status, unauthorized.attempts.len()),
        (Status::Failed, 1),
        "a 401 is never retried"
    );
    assert!(unauthorized
        .reason
        .as_deref()
        .unwrap()
        .contains("check the webhook's credentials"));

    script(r#"{"status": 302, "redirect": "http://127.0.0.1:9/elsewhere"}"#).await;
    let redirected = run(&config, &stage_change(1), &mut TestEnvironment::default())
        .await
        .remove(0);
    assert_eq!(
        redirected.attempts[0].outcome,
        Outcome::RedirectRefused(302)
    );
    assert!(redirected
        .reason
        .as_deref()
        .unwrap()
        .contains("redirects are not followed"));

    script(r#"[{"status": 500}, {"status": 500}, {"status": 500}]"#).await;
    let failing = run(&config, &stage_change(1), &mut TestEnvironment::default())
        .await
        .remove(0);
    assert_eq!(failing.attempts.len(), 3, "max_attempts");
    assert!(failing
        .reason
        .as_deref()
        .unwrap()
        .contains("after 3 attempts"));

    script(r#"{"delay_ms": 2500}"#).await;
    let slow_webhook = Webhook {
        timeout_ms: 1_000,
        retry: RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        },
        ..webhook(&base)
    };
    let slow = CompiledConfig::compile(
        &Catalog::builtin(),
        &[slow_webhook],
        &[automation("a", vec![], "/x")],
    );
    let timed_out = run(&slow, &stage_change(1), &mut TestEnvironment::default())
        .await
        .remove(0);
    assert_eq!(timed_out.attempts[0].outcome, Outcome::Timeout);
    assert!(timed_out
        .reason
        .as_deref()
        .unwrap()
        .starts_with("no answer within 1 s"));
    receiver.shutdown().await;
}

#[tokio::test]
async fn an_unreachable_endpoint_is_retried_then_explained() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed_port = listener.local_addr().unwrap().port();
    drop(listener);
    let config = CompiledConfig::compile(
        &Catalog::builtin(),
        &[webhook(&format!("http://127.0.0.1:{closed_port}"))],
        &[automation("a", vec![], "/x")],
    );
    let mut env = TestEnvironment::default();
    let execution = run(&config, &stage_change(1), &mut env).await.remove(0);
    assert_eq!(execution.status, Status::Failed);
    assert_eq!(execution.attempts.len(), 3);
    assert!(execution
        .attempts
        .iter()
        .all(|attempt| attempt.outcome == Outcome::NetworkError));
    assert_eq!(
        *env.slept.borrow(),
        [75, 150],
        "backoff 100 then 200 ms with equal jitter at 0.5"
    );
    assert!(execution
        .reason
        .as_deref()
        .unwrap()
        .starts_with("could not reach the endpoint"));
}

#[tokio::test]
async fn nothing_is_sent_when_the_request_cannot_be_built_safely() {
    let receiver = receiver().await;
    let base = receiver.url();
    let mut no_token = webhook(&base);
    no_token.auth = Auth::Bearer {
        token: Secret::new(""),
    };
    let cases = [
        (
            vec![webhook(&base)],
            automation(
                "empty_path_value",
                vec![],
                "/people/{{deal.person.phone_missing}}",
            ),
            "errors",
        ),
        (
            vec![webhook(&base)],
            automation("empty_value", vec![], "/won/{{deal.won_time}}"),
            "empty",
        ),
        (
            vec![],
            automation("deleted_webhook", vec![], "/x"),
            "was deleted",
        ),
        (
            vec![no_token],
            automation("no_credentials", vec![], "/x"),
            "credentials are missing",
        ),
    ];
    for (webhooks, automation, expected) in cases {
        let config = CompiledConfig::compile(&Catalog::builtin(), &webhooks, &[automation]);
        let execution = run(&config, &stage_change(1), &mut TestEnvironment::default())
            .await
            .remove(0);
        assert_eq!(execution.status, Status::Failed, "{expected}");
        assert!(execution.attempts.is_empty());
        let reason = execution.reason.unwrap();
        assert!(reason.contains(expected), "{reason}");
    }
    assert!(
        received(&base).await.is_empty(),
        "no request reached the endpoint"
    );
    receiver.shutdown().await;
}

#[test]
fn key_value_bodies_render_through_the_same_runner() {
    let mut automation = automation("kv", vec![], "/kv");
    automation.actions[0].body = Body::KeyValue {
        rows: vec![
            Row::new("value", "{{deal.value}}"),
            Row::new("label", "Stage: {{deal.stage}}"),
        ],
    };
    let config = CompiledConfig::compile(
        &Catalog::builtin(),
        &[webhook("http://127.0.0.1:1")],
        &[automation],
    );
    let planned = plan(
        &config,
        &Catalog::builtin(),
        &stage_change(1),
        &mut TestEnvironment::default(),
    )
    .planned;
    let body: Value =
        serde_json::from_str(&planned[0].execution.request.as_ref().unwrap().body).unwrap();
    assert_eq!(
        body,
        json!({"value": 56500.5, "label": "Stage: Negotiations started"})
    );
}

#[tokio::test]
async fn testing_a_webhook_sends_one_sample_request_and_classifies_the_answer() {
    let receiver = receiver().await;
    let base = receiver.url();
    let tester = SampleData::builtin().admin().user.clone();
    let mut env = TestEnvironment::default();
    let (config, mut planned) = webhook_engine::runner::test_delivery(
        &webhook(&format!("{base}/hooks")),
        &tester,
        &mut env,
    );
    deliver(&config, &mut planned, &TcpTransport, &mut env).await;
    assert_eq!(planned.execution.status, Status::Succeeded);
    let sent = &received(&base).await[0];
    assert_eq!(
        (sent["method"].as_str(), sent["path"].as_str()),
        (Some("POST"), Some("/hooks"))
    );
    let body: Value = serde_json::from_str(sent["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["test"], true);
    assert_eq!(
        header(sent, "authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );

    control(
        "POST",
        &format!("{base}/_receiver/script"),
        r#"{"status": 503}"#,
    )
    .await;
    let (config, mut planned) = webhook_engine::runner::test_delivery(
        &webhook(&format!("{base}/hooks")),
        &tester,
        &mut env,
    );
    deliver(&config, &mut planned, &TcpTransport, &mut env).await;
    assert_eq!(
        planned.execution.attempts.len(),
        1,
        "a test is never retried"
    );
    assert!(planned.execution.reason.as_deref().unwrap().contains("503"));
    receiver.shutdown().await;
}

/// One automation, PUT `/orders/{{deal.id}}`, to the ERP webhook at `base`.
fn orders_config(base: &str) -> CompiledConfig {
    CompiledConfig::compile(
        &Catalog::builtin(),
        &[webhook(base)],
        &[automation("a", vec![], "/orders/{{deal.id}}")],
    )
}

/// `original` replayed by the admin, and delivered.
async fn replayed_by_the_admin(
    config: &CompiledConfig,
    original: &Execution,
    env: &mut TestEnvironment,
) -> webhook_engine::runner::Planned {
    let by = SampleData::builtin().admin().user.clone();
    let mut again = webhook_engine::runner::replay(config, original, &by, env);
    deliver(config, &mut again, &TcpTransport, env).await;
    again
}

#[tokio::test]
async fn a_replay_sends_the_recorded_request_again_under_a_new_id() {
    let receiver = receiver().await;
    let base = receiver.url();
    let config = orders_config(&base);
    let mut env = TestEnvironment::default();
    let original = run(&config, &stage_change(1), &mut env).await.remove(0);
    let by = SampleData::builtin().user(2).unwrap().user.clone();
    let mut again = webhook_engine::runner::replay(&config, &original, &by, &mut env);
    deliver(&config, &mut again, &TcpTransport, &mut env).await;
    assert_eq!(again.execution.status, Status::Succeeded);
    assert_ne!(again.execution.id, original.id);
    assert_eq!(again.execution.user.name, "Riley Regular");
    let requests = received(&base).await;
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0]["body"], requests[1]["body"]);
    assert_eq!(requests[0]["path"], requests[1]["path"]);
    assert_eq!(
        header(&requests[1], "webhook-id"),
        Some(again.execution.id.as_str())
    );
    assert_eq!(
        header(&requests[1], "authorization"),
        Some(format!("Bearer {TOKEN}").as_str()),
        "credentials come from the webhook, not the redacted record"
    );
    receiver.shutdown().await;
}

/// A field that happened to hold the webhook's token was masked in the record: sending the record
/// again would send the mask, not what the endpoint got (before, the replay sent "••••••").
#[tokio::test]
async fn a_replay_of_a_request_whose_body_held_a_credential_is_refused_and_nothing_is_sent() {
    let receiver = receiver().await;
    let base = receiver.url();
    let config = orders_config(&base);
    let mut env = TestEnvironment::default();
    let mut event = stage_change(1);
    event.current.insert("title".into(), json!(TOKEN));
    let original = run(&config, &event, &mut env).await.remove(0);
    assert_eq!(original.status, Status::Succeeded);
    let recorded = original.request.as_ref().unwrap();
    assert!(recorded.secrets_masked == Some(true) && !recorded.body.contains(TOKEN));

    let again = replayed_by_the_admin(&config, &original, &mut env).await;
    assert_eq!(again.execution.status, Status::Failed);
    let reason = again.execution.reason.clone().unwrap();
    assert!(reason.contains("cannot be sent again exactly"), "{reason}");
    assert_eq!(received(&base).await.len(), 1, "only the original");

    // A record without a masked secret is replayed as before, even when its data looks like a
    // mask (a card number the CRM keeps masked).
    let mut masked_card = stage_change(1);
    masked_card
        .current
        .insert("title".into(), json!("Card ••••••••4242"));
    let plain = run(&config, &masked_card, &mut env).await.remove(0);
    assert_eq!(plain.request.as_ref().unwrap().secrets_masked, Some(false));
    let again = replayed_by_the_admin(&config, &plain, &mut env).await;
    assert_eq!(again.execution.status, Status::Succeeded);
    receiver.shutdown().await;
}

/// The host moved the webhook to the relay while a browser delivery waited for its retry: this
/// browser no longer holds the credentials, and the run says why it was not sent (before, it
/// failed as "credentials missing", sending the admin to re-enter them in the browser).
#[tokio::test]
async fn a_browser_retry_of_a_webhook_moved_to_the_relay_is_not_sent_and_says_why() {
    let receiver = receiver().await;
    let base = receiver.url();
    let automations = [automation("a", vec![], "/orders/{{deal.id}}")];
    let config = CompiledConfig::compile(&Catalog::builtin(), &[webhook(&base)], &automations);
    let mut env = TestEnvironment::default();
    let mut planned = plan(&config, &Catalog::builtin(), &stage_change(1), &mut env)
        .planned
        .remove(0);
    let moved = Webhook {
        route: webhook_engine::model::Route::Relay,
        ..webhook(&base)
    }
    .without_credentials();
    let moved = CompiledConfig::compile(&Catalog::builtin(), &[moved], &automations);
    deliver(&moved, &mut planned, &TcpTransport, &mut env).await;
    assert_eq!(planned.execution.status, Status::Failed);
    let reason = planned.execution.reason.clone().unwrap();
    assert!(reason.contains("now delivered by the relay"), "{reason}");
    assert!(received(&base).await.is_empty(), "nothing was sent");
    receiver.shutdown().await;
}

#[test]
fn a_planned_delivery_survives_the_outbox_round_trip() {
    let config = CompiledConfig::compile(
        &Catalog::builtin(),
        &[webhook("http://127.0.0.1:1")],
        &[automation("a", vec![], "/x/{{deal.id}}")],
    );
    let planned = plan(
        &config,
        &Catalog::builtin(),
        &stage_change(1),
        &mut TestEnvironment::default(),
    )
    .planned;
    let stored = serde_json::to_string(&planned[0]).unwrap();
    assert!(
        !stored.contains(TOKEN),
        "the outbox holds no secret: credentials are added at each attempt"
    );
    let restored: webhook_engine::runner::Planned = serde_json::from_str(&stored).unwrap();
    assert_eq!(restored, planned[0]);
}

/// A regular user's browser holds none of a relay webhook's credentials: it still plans the delivery
/// (handed to the relay, which adds them), showing the request without them, never "credentials missing".
#[test]
fn a_browser_without_a_relay_webhooks_credentials_plans_its_delivery() {
    let relay_webhook = Webhook {
        route: webhook_engine::model::Route::Relay,
        headers: vec![
            webhook_engine::model::HeaderPair {
                name: "X-Team".into(),
                value: "sales".into(),
                secret: false,
            },
            webhook_engine::model::HeaderPair {
                name: "X-Auth-Token".into(),
                value: String::new(),
                secret: false,
            },
        ],
        signing_secret: Some(Secret::new("")),
        ..webhook("http://127.0.0.1:1")
    }
    .without_credentials();
    let config = CompiledConfig::compile(
        &Catalog::builtin(),
        &[relay_webhook],
        &[automation("a", vec![], "/x/{{deal.id}}")],
    );
    let planned = plan(
        &config,
        &Catalog::builtin(),
        &stage_change(2),
        &mut TestEnvironment::default(),
    )
    .planned;
    let execution = &planned[0].execution;
    assert_eq!(execution.status, Status::Pending, "{:?}", execution.reason);
    let request = execution.request.as_ref().unwrap();
    assert_eq!(request.url, "http://127.0.0.1:1/x/302");
    let names: Vec<&str> = request
        .headers
        .iter()
        .map(|(name, _)| name.as_str())
        .collect();
    assert!(names.contains(&"X-Team"), "{names:?}");
    for left_to_the_relay in ["Authorization", "X-Auth-Token", "webhook-signature"] {
        assert!(!names.contains(&left_to_the_relay), "{names:?}");
    }
}

#[tokio::test]
async fn planning_an_event_again_gives_the_same_execution_ids() {
    let config = CompiledConfig::compile(
        &Catalog::builtin(),
        &[webhook("http://127.0.0.1:9")],
        &[automation("matches", vec![], "/orders/{{deal.id}}")],
    );
    let event = stage_change(1);
    let catalog = Catalog::builtin();
    let first = plan(&config, &catalog, &event, &mut TestEnvironment::default()).planned;
    let again = plan(&config, &catalog, &event, &mut TestEnvironment::default()).planned;
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].execution.id, again[0].execution.id);
    assert_eq!(
        first[0].execution.id,
        webhook_engine::runner::execution_id(&event.id, "matches", 0)
    );
    let request = first[0].execution.request.as_ref().unwrap();
    assert!(request
        .headers
        .iter()
        .any(|(name, value)| name == "webhook-id" && *value == first[0].execution.id));
}

#[tokio::test]
async fn an_answer_that_echoes_a_credential_is_kept_redacted() {
    let receiver = receiver().await;
    let base = receiver.url();
    let mut echoing = webhook(&base);
    echoing.headers.push(webhook_engine::model::HeaderPair {
        name: "X-Auth-Token".into(),
        value: "header-canary-77".into(),
        secret: false,
    });
    let script = json!({
        "status": 400,
        "body": format!("{{\"error\": \"bad token\", \"got\": \"Bearer {TOKEN}\", \"also\": \"header-canary-77\"}}"),
        "headers": {"X-Debug-Echo": format!("Bearer {TOKEN}")},
    });
    control(
        "POST",
        &format!("{base}/_receiver/script"),
        &script.to_string(),
    )
    .await;
    let config = CompiledConfig::compile(
        &Catalog::builtin(),
        &[echoing],
        &[automation("a", vec![], "/x")],
    );
    let execution = run(&config, &stage_change(1), &mut TestEnvironment::default())
        .await
        .remove(0);
    let response = execution.attempts[0].response.as_ref().unwrap();
    assert_eq!(response.status, 400);
    assert!(response.body_excerpt.contains("bad token"), "{response:?}");
    let stored = serde_json::to_string(&execution).unwrap();
    for secret in [TOKEN, "header-canary-77"] {
        assert!(!stored.contains(secret), "{secret} kept in {stored}");
    }
    assert!(response.body_excerpt.contains("Bearer ••••••"));
    receiver.shutdown().await;
}

#[tokio::test]
async fn a_replay_to_a_url_no_longer_under_the_base_url_is_refused_and_nothing_is_sent() {
    let first = receiver().await;
    let elsewhere = receiver().await;
    let config = CompiledConfig::compile(
        &Catalog::builtin(),
        &[webhook(&format!("{}/api", first.url()))],
        &[automation("a", vec![], "/orders/{{deal.id}}")],
    );
    let mut env = TestEnvironment::default();
    let original = run(&config, &stage_change(1), &mut env).await.remove(0);
    assert_eq!(original.status, Status::Succeeded);

    // The admin moved the webhook to another endpoint since the run was recorded.
    let moved = CompiledConfig::compile(
        &Catalog::builtin(),
        &[webhook(&format!("{}/api", elsewhere.url()))],
        &[automation("a", vec![], "/orders/{{deal.id}}")],
    );
    let again = replayed_by_the_admin(&moved, &original, &mut env).await;
    assert_eq!(again.execution.status, Status::Failed);
    let reason = again.execution.reason.clone().unwrap();
    assert!(
        reason.contains("no longer under the webhook's base URL"),
        "{reason}"
    );
    assert_eq!(received(&first.url()).await.len(), 1, "only the original");
    assert!(received(&elsewhere.url()).await.is_empty());
    first.shutdown().await;
    elsewhere.shutdown().await;
}

#[tokio::test]
async fn a_replay_sends_the_url_in_the_form_its_check_read() {
    let receiver = receiver().await;
    let base = receiver.url();
    let config = orders_config(&base);
    let mut env = TestEnvironment::default();
    let mut original = run(&config, &stage_change(1), &mut env).await.remove(0);
    // A recorded URL without the `//` after its scheme: alone it names the webhook's host, but a
    // browser's fetch resolves it against the page, as a path on the page's own origin.
    let recorded = original.request.as_ref().unwrap().url.clone();
    let checked_form = recorded.clone();
    original.request.as_mut().unwrap().url = recorded.replacen("://", ":", 1);
    let again = replayed_by_the_admin(&config, &original, &mut env).await;
    assert_eq!(again.execution.status, Status::Succeeded);
    assert_eq!(again.execution.request.as_ref().unwrap().url, checked_form);
    receiver.shutdown().await;
}

/// A browser replay of a run whose webhook the host has since moved to the relay says why it was
/// not sent (before, it failed as "credentials missing", as retries did).
#[tokio::test]
async fn a_browser_replay_of_a_webhook_moved_to_the_relay_is_not_sent_and_says_why() {
    let receiver = receiver().await;
    let base = receiver.url();
    let automations = [automation("a", vec![], "/orders/{{deal.id}}")];
    let config = CompiledConfig::compile(&Catalog::builtin(), &[webhook(&base)], &automations);
    let mut env = TestEnvironment::default();
    let original = run(&config, &stage_change(1), &mut env).await.remove(0);
    assert_eq!(original.status, Status::Succeeded);
    let moved = Webhook {
        route: webhook_engine::model::Route::Relay,
        ..webhook(&base)
    }
    .without_credentials();
    let moved = CompiledConfig::compile(&Catalog::builtin(), &[moved], &automations);
    let again = replayed_by_the_admin(&moved, &original, &mut env).await;
    let reason = again.execution.reason.clone().unwrap_or_default();
    assert!(
        reason.contains("now delivered by the relay"),
        "replay reason: {reason}"
    );
    assert_eq!(received(&base).await.len(), 1, "only the original");
    receiver.shutdown().await;
}

/// A run the relay sent, whose webhook has moved to the browser since, is replayed from the browser:
/// the new run says so (before, it kept the relay's route, and the app sent it back to the relay,
/// which refuses replays of browser webhooks).
#[tokio::test]
async fn a_relay_run_whose_webhook_moved_to_the_browser_is_replayed_from_the_browser() {
    let receiver = receiver().await;
    let base = receiver.url();
    let config = orders_config(&base);
    let mut env = TestEnvironment::default();
    let mut original = run(&config, &stage_change(1), &mut env).await.remove(0);
    original.route = webhook_engine::model::Route::Relay;
    let again = replayed_by_the_admin(&config, &original, &mut env).await;
    assert_eq!(again.execution.route, webhook_engine::model::Route::Browser);
    assert_eq!(
        again.execution.status,
        Status::Succeeded,
        "{:?}",
        again.execution.reason
    );
    // Without the credentials in this browser (the relay deleted its copy when the webhook moved),
    // the replay fails, and is still this browser's run, not one that looks like the relay's.
    let without_token = CompiledConfig::compile(
        &Catalog::builtin(),
        &[webhook(&base).without_credentials()],
        &[automation("a", vec![], "/orders/{{deal.id}}")],
    );
    let failed = replayed_by_the_admin(&without_token, &original, &mut env).await;
    assert_eq!(failed.execution.status, Status::Failed);
    assert_eq!(
        failed.execution.route,
        webhook_engine::model::Route::Browser
    );
    receiver.shutdown().await;
}

/// A record written before `secrets_masked` existed (the field absent) whose body holds the
/// mask is not replayed either (before, the endpoint got "Deal ••••••").
#[tokio::test]
async fn a_record_from_before_secrets_masked_that_holds_the_mask_is_not_replayed() {
    let receiver = receiver().await;
    let base = receiver.url();
    let config = orders_config(&base);
    let mut env = TestEnvironment::default();
    let mut event = stage_change(1);
    event.current.insert("title".into(), json!(TOKEN));
    let mut original = run(&config, &event, &mut env).await.remove(0);
    // As a record stored by the previous version reads back: no `secrets_masked` field.
    let mut stored = serde_json::to_value(&original).unwrap();
    stored["request"]
        .as_object_mut()
        .unwrap()
        .remove("secrets_masked");
    original = serde_json::from_value(stored).unwrap();
    let again = replayed_by_the_admin(&config, &original, &mut env).await;
    assert_eq!(again.execution.status, Status::Failed);
    let sent = received(&base).await;
    receiver.shutdown().await;
    assert_eq!(
        sent.len(),
        1,
        "the legacy masked record was sent again: {:?}",
        sent.last()
    );
}
