//! Request building end to end: an automation's action, a webhook and a sample event make the request the
//! browser sends, and its redacted form is all that is ever kept or shown.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{json, Value};
use webhook_engine::catalog::Catalog;
use webhook_engine::context::render_context;
use webhook_engine::event::Record;
use webhook_engine::model::{
    Auth, Body, EventAction, HeaderPair, Method, RetryPolicy, Secret, Trigger, Webhook,
    WebhookAction,
};
use webhook_engine::request::{
    build_request, redact, to_curl, CompiledAction, OutgoingRequest, RequestError, TemplatePart,
    MASK,
};
use webhook_engine::sample::{Change, SampleData};
use webhook_engine::signing::verify;
use webhook_engine::{RenderError, Row};

const SIGNING_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const EXECUTION_ID: &str = "exe_01HZX";
const NOW: i64 = 1_764_320_400;

fn webhook(auth: Auth) -> Webhook {
    Webhook {
        id: "wh_erp".into(),
        name: "ERP".into(),
        base_url: "https://erp.example/api".into(),
        route: Default::default(),
        auth,
        headers: vec![HeaderPair {
            name: "X-Tenant".into(),
            value: "northwind".into(),
            secret: false,
        }],
        signing_secret: Some(Secret::new(SIGNING_SECRET)),
        timeout_ms: 10_000,
        retry: RetryPolicy::default(),
    }
}

fn bearer(token: &str) -> Auth {
    Auth::Bearer {
        token: Secret::new(token),
    }
}

fn action(path: &str, body: Body) -> WebhookAction {
    WebhookAction {
        webhook_id: "wh_erp".into(),
        method: Method::Put,
        path: path.into(),
        body,
    }
}

fn raw(template: &str) -> Body {
    Body::Raw {
        template: template.into(),
    }
}

fn deal_trigger() -> Trigger {
    Trigger {
        entity: "deal".into(),
        action: EventAction::Updated,
    }
}

fn compile(action: &WebhookAction) -> Result<CompiledAction, RequestError> {
    let catalog = Catalog::builtin();
    CompiledAction::compile(action, &catalog.resolver(&deal_trigger()))
}

/// The render context of an update of sample deal `id`, with `change` applied.
fn deal_context(id: u64, change: impl FnOnce(&mut Record)) -> Value {
    let catalog = Catalog::builtin();
    let sample = SampleData::builtin();
    let before = sample.record("deal", id).unwrap().clone();
    let mut current = before.clone();
    change(&mut current);
    let event = sample.event(
        &catalog,
        Change {
            id: "evt_1",
            entity: "deal",
            action: EventAction::Updated,
            time: "2026-11-28T09:00:00Z",
            user: &sample.admin().user,
            current: &current,
            previous: Some(&before),
        },
    );
    render_context(&catalog, &event)
}

fn header<'r>(request: &'r OutgoingRequest, name: &str) -> Option<&'r str> {
    request
        .headers
        .iter()
        .find(|(header, _)| header.eq_ignore_ascii_case(name))
        .map(|(_, value)| value.as_str())
}

fn order_action() -> WebhookAction {
    action(
        "/orders/{{deal.id}}",
        raw(
            r#"{"title": "Deal {{deal.title}}", "amount": {{deal.value}}, "stage": {{deal.stage_id}}}"#,
        ),
    )
}

fn build(webhook: &Webhook, context: &Value) -> Result<OutgoingRequest, RequestError> {
    build_request(
        webhook,
        &compile(&order_action()).unwrap(),
        context,
        EXECUTION_ID,
        NOW,
    )
}

#[test]
fn a_signed_request_has_its_url_body_and_headers_in_order() {
    let context = deal_context(301, |_| {});
    let request = build(&webhook(bearer("tok_live_42")), &context).unwrap();
    assert_eq!(request.method, Method::Put);
    assert_eq!(request.url, "https://erp.example/api/orders/301");
    let body: Value = serde_json::from_str(&request.body).unwrap();
    assert_eq!(
        body["amount"], context["deal"]["value"],
        "a number stays a number"
    );
    assert_eq!(body["stage"], "negotiations");
    let names: Vec<&str> = request
        .headers
        .iter()
        .map(|(name, _)| name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "Content-Type",
            "Authorization",
            "X-Tenant",
            "webhook-id",
            "webhook-timestamp",
            "webhook-signature"
        ]
    );
    assert_eq!(header(&request, "Content-Type"), Some("application/json"));
    assert_eq!(
        header(&request, "Authorization"),
        Some("Bearer tok_live_42")
    );
    assert_eq!(header(&request, "X-Tenant"), Some("northwind"));
    assert_eq!(header(&request, "webhook-id"), Some(EXECUTION_ID));
    assert_eq!(
        header(&request, "webhook-timestamp"),
        Some(NOW.to_string().as_str())
    );
    let signature = header(&request, "webhook-signature").unwrap();
    let secret = Secret::new(SIGNING_SECRET);
    assert_eq!(
        verify(
            &secret,
            EXECUTION_ID,
            NOW,
            request.body.as_bytes(),
            signature
        ),
        Ok(())
    );
}

#[test]
fn retries_keep_the_id_and_re_sign_with_their_own_timestamp() {
    let context = deal_context(301, |_| {});
    let webhook = webhook(bearer("tok"));
    let compiled = compile(&order_action()).unwrap();
    let first = build_request(&webhook, &compiled, &context, EXECUTION_ID, NOW).unwrap();
    let retry = build_request(&webhook, &compiled, &context, EXECUTION_ID, NOW + 30).unwrap();
    assert_eq!(header(&first, "webhook-id"), header(&retry, "webhook-id"));
    assert_eq!((&first.url, &first.body), (&retry.url, &retry.body));
    assert_ne!(
        header(&first, "webhook-signature"),
        header(&retry, "webhook-signature")
    );
    let retry_signature = header(&retry, "webhook-signature").unwrap();
    let secret = Secret::new(SIGNING_SECRET);
    assert_eq!(
        verify(
            &secret,
            EXECUTION_ID,
            NOW + 30,
            retry.body.as_bytes(),
            retry_signature
        ),
        Ok(())
    );
}

#[test]
fn one_compiled_action_renders_for_many_events() {
    let compiled = compile(&order_action()).unwrap();
    let webhook = webhook(bearer("tok"));
    let urls: Vec<String> = [301, 302]
        .into_iter()
        .map(|id| {
            build_request(
                &webhook,
                &compiled,
                &deal_context(id, |_| {}),
                EXECUTION_ID,
                NOW,
            )
            .unwrap()
            .url
        })
        .collect();
    assert_eq!(
        urls,
        [
            "https://erp.example/api/orders/301",
            "https://erp.example/api/orders/302"
        ]
    );
}

#[test]
fn without_a_signing_secret_only_the_id_is_added() {
    let mut unsigned = webhook(Auth::None);
    unsigned.signing_secret = None;
    unsigned.headers.clear();
    let request = build(&unsigned, &deal_context(301, |_| {})).unwrap();
    let names: Vec<&str> = request
        .headers
        .iter()
        .map(|(name, _)| name.as_str())
        .collect();
    assert_eq!(names, ["Content-Type", "webhook-id"]);
}

#[test]
fn basic_and_api_key_authentication() {
    let context = deal_context(301, |_| {});
    let basic = Auth::Basic {
        username: "erp-bot".into(),
        password: Secret::new("pa ss:wörd"),
    };
    let request = build(&webhook(basic), &context).unwrap();
    let encoded = header(&request, "Authorization")
        .unwrap()
        .strip_prefix("Basic ")
        .unwrap();
    assert_eq!(
        STANDARD.decode(encoded).unwrap(),
        "erp-bot:pa ss:wörd".as_bytes()
    );
    let api_key = Auth::ApiKey {
        header: "X-API-Key".into(),
        key: Secret::new(" key_123\n"),
    };
    let request = build(&webhook(api_key), &context).unwrap();
    assert_eq!(
        header(&request, "X-API-Key"),
        Some("key_123"),
        "sent without the pasted whitespace"
    );
    assert_eq!(header(&request, "Authorization"), None);
}

#[test]
fn missing_credentials_fail_the_run_with_their_own_reason() {
    let context = deal_context(301, |_| {});
    let mut no_signing_secret = webhook(Auth::None);
    no_signing_secret.signing_secret = Some(Secret::new(""));
    let missing = [
        webhook(bearer("")),
        webhook(Auth::Basic {
            username: "bot".into(),
            password: Secret::new(""),
        }),
        webhook(Auth::ApiKey {
            header: "X-API-Key".into(),
            key: Secret::new(""),
        }),
        no_signing_secret,
    ];
    for webhook in missing {
        let error = build(&webhook, &context).unwrap_err();
        assert_eq!(
            error,
            RequestError::MissingCredentials,
            "{:?}",
            webhook.auth.kind()
        );
        assert_eq!(
            error.to_string(),
            "the webhook's credentials are missing — enter them on the Webhooks page"
        );
    }
}

#[test]
fn an_invalid_webhook_is_refused_before_anything_is_sent() {
    let mut insecure = webhook(bearer("tok"));
    insecure.base_url = "http://erp.example/api".into();
    insecure.headers.push(HeaderPair {
        name: "X-Evil".into(),
        value: "1\r\nHost: attacker.example".into(),
        secret: false,
    });
    let error = build(&insecure, &deal_context(301, |_| {})).unwrap_err();
    let RequestError::InvalidWebhook(problems) = &error else {
        panic!("{error:?}");
    };
    let fields: Vec<&str> = problems
        .iter()
        .map(|problem| problem.field.as_str())
        .collect();
    assert_eq!(fields, ["base_url", "headers.1.value"]);
    assert!(
        error.to_string().contains("fix it on the Webhooks page"),
        "{error}"
    );
}

#[test]
fn a_path_value_missing_for_this_record_fails_the_run() {
    let compiled = compile(&action("/people/{{deal.person.id}}", raw("{}"))).unwrap();
    let context = deal_context(301, |deal| {
        deal.remove("person");
    });
    let error = build_request(
        &webhook(bearer("tok")),
        &compiled,
        &context,
        EXECUTION_ID,
        NOW,
    )
    .unwrap_err();
    assert_eq!(
        error,
        RequestError::Url(RenderError::EmptyPathValue {
            field: "deal.person.id".into()
        })
    );
}

#[test]
fn template_errors_are_reported_with_their_fix() {
    let error = compile(&action("/orders", raw(r#"{"title": {{deal.titel}}}"#))).unwrap_err();
    let RequestError::InvalidTemplate { part, diagnostics } = &error else {
        panic!("{error:?}");
    };
    assert_eq!(*part, TemplatePart::Body);
    assert_eq!(diagnostics.len(), 1);
    assert!(
        error.to_string().contains("did you mean deal.title?"),
        "{error}"
    );
    let path_error = compile(&action("https://evil.example/x", raw("{}"))).unwrap_err();
    assert!(matches!(
        path_error,
        RequestError::InvalidTemplate {
            part: TemplatePart::Path,
            ..
        }
    ));
    let rows = Body::KeyValue {
        rows: vec![
            Row::new("id", "{{deal.id}}"),
            Row::new("title", "{{deal.title}}"),
        ],
    };
    assert!(compile(&action("/orders", rows)).is_ok());
}

/// Every credential of every kind, put where a careless template could echo it: the deal's title (so into
/// the path and the body) holds the password.
#[test]
fn no_secret_survives_redaction() {
    let password = "s3cr3t/p@ss \"q\"";
    let auths = [
        Auth::Basic {
            username: "bot".into(),
            password: Secret::new(password),
        },
        bearer(password),
        Auth::ApiKey {
            header: "X-API-Key".into(),
            key: Secret::new(password),
        },
    ];
    let context = deal_context(301, |deal| {
        deal.insert(
            "title".into(),
            json!(format!("{password} and {SIGNING_SECRET}")),
        );
    });
    let compiled = compile(&action(
        "/orders/{{deal.title}}",
        raw(r#"{"title": {{deal.title}}, "note": "title: {{deal.title}}"}"#),
    ))
    .unwrap();
    for auth in auths {
        let mut webhook = webhook(auth);
        webhook.headers.push(HeaderPair {
            name: "X-Auth-Token".into(),
            value: "custom-credential".into(),
            secret: false,
        });
        let request = build_request(&webhook, &compiled, &context, EXECUTION_ID, NOW).unwrap();
        let sent = format!(
            "{request:?} {}",
            request
                .headers
                .iter()
                .map(|(_, v)| v.as_str())
                .collect::<String>()
        );
        assert!(
            sent.contains(password) || sent.contains("s3cr3t"),
            "the secret is really in the request"
        );
        let redacted = redact(&request, &webhook);
        let kept = serde_json::to_string(&redacted).unwrap() + &to_curl(&redacted);
        let basic = STANDARD.encode(format!("bot:{password}"));
        for secret in [
            "s3cr3t",
            SIGNING_SECRET,
            "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            &basic,
            "custom-credential",
        ] {
            assert!(!kept.contains(secret), "{secret} survived in {kept}");
        }
        let signature = header(&request, "webhook-signature").unwrap();
        assert!(
            !kept.contains(signature.trim_start_matches("v1,")),
            "the signature is masked"
        );
        let kept_header = |name: &str| {
            let (_, value) = redacted
                .headers
                .iter()
                .find(|(header, _)| header == name)
                .unwrap();
            value.clone()
        };
        assert_eq!(kept_header("webhook-signature"), format!("v1,{MASK}"));
        assert_eq!(kept_header("X-Auth-Token"), MASK);
        assert_eq!(
            kept_header("X-Tenant"),
            "northwind",
            "other headers are kept"
        );
        match &webhook.auth {
            Auth::Basic { .. } => assert_eq!(kept_header("Authorization"), format!("Basic {MASK}")),
            Auth::Bearer { .. } => {
                assert_eq!(kept_header("Authorization"), format!("Bearer {MASK}"))
            }
            _ => assert_eq!(kept_header("X-API-Key"), MASK),
        }
        assert!(
            redacted.url.starts_with("https://erp.example/api/orders/"),
            "{}",
            redacted.url
        );
        assert!(redacted.body.contains(MASK), "{}", redacted.body);
        assert_eq!(redacted.method, request.method);
    }
}

#[cfg(unix)]
#[test]
fn curl_commands_reach_the_shell_as_the_exact_arguments() {
    use std::process::Command;

    let context = deal_context(301, |deal| {
        deal.insert(
            "title".into(),
            json!("it's $HOME `id` \\ \"quoted\"\nnext line !"),
        );
    });
    let compiled = compile(&action(
        "/orders/{{deal.id}}",
        raw(r#"{"title": {{deal.title}}}"#),
    ))
    .unwrap();
    let webhook = webhook(bearer("tok"));
    let request = build_request(&webhook, &compiled, &context, EXECUTION_ID, NOW).unwrap();
    let redacted = redact(&request, &webhook);
    let command = to_curl(&redacted);
    // The shell parses the command; `printf` stands in for curl and prints each argument it received.
    let script = command.replacen("curl", r"printf '%s\0'", 1);
    let output = Command::new("sh").arg("-c").arg(&script).output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let arguments: Vec<String> = String::from_utf8(output.stdout)
        .unwrap()
        .split_terminator('\0')
        .map(str::to_owned)
        .collect();
    let mut expected = vec!["-X".to_owned(), "PUT".to_owned(), redacted.url.clone()];
    for (name, value) in &redacted.headers {
        expected.extend(["-H".to_owned(), format!("{name}: {value}")]);
    }
    expected.extend(["--data-raw".to_owned(), redacted.body.clone()]);
    assert_eq!(arguments, expected);
}
