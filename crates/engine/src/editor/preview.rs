//! The action editor's live preview: the request an action would send for a sample record, built by
//! the same code that sends real ones, and shown only in its redacted form.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::format::pretty_json;
use crate::catalog::{Catalog, FieldKind};
use crate::context::render_context;
use crate::event::Event;
use crate::model::{Auth, Automation, Body, Method, Secret, Trigger, Webhook, WebhookAction};
use crate::request::{build_request, redact, CompiledAction, RedactedRequest};
use crate::sample::SampleData;
use crate::signing::generate_secret;
use crate::template::{
    compile_key_value, compile_path, compile_raw_str, BodyTemplate, Compilation, FieldResolver,
};
use crate::time::Instant;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionPreview {
    pub method: Method,
    /// The full URL, or why there is none yet (no webhook picked, a path error, an empty path value…).
    pub url: Result<String, String>,
    /// The rendered body, pretty-printed, or its first error.
    pub body: Result<String, String>,
    /// Credentials masked; empty until the URL and the body both render.
    pub headers: Vec<(String, String)>,
    /// The sample event the preview renders, e.g. `Deal 301 “Fleet telematics…” updated by Ada Admin`.
    pub event_summary: String,
}

/// What the `webhook-id` header says in previews.
const PREVIEW_ID: &str = "msg_preview";
/// What stands in for a credential not entered yet; redaction masks it like a real one.
const STAND_IN_CREDENTIAL: &str = "stand-in-credential";
/// Titles longer than this are shortened in the event summary.
const SUMMARY_TITLE_CHARS: usize = 20;

/// The request `automation`'s action number `action_index` (from 0) would send for the sample
/// dataset's example event of the automation's trigger. On `updated` triggers the example's previous
/// record differs from the current one in its first choice field (a deal's stage), so previous values
/// show something. Never panics: whatever is missing is an admin-readable error in `url` or `body`.
pub fn preview_action(
    catalog: &Catalog,
    sample: &SampleData,
    automation: &Automation,
    action_index: usize,
    webhooks: &[Webhook],
) -> ActionPreview {
    let trigger = &automation.trigger;
    let Some(action) = automation.actions.get(action_index) else {
        let missing = format!("this automation has no action {}", action_index + 1);
        return unavailable(Method::Post, missing, String::new());
    };
    let Some(event) = example_event(catalog, sample, trigger) else {
        let missing = format!(
            "the sample data has no {} record to preview with",
            trigger.entity
        );
        return unavailable(action.method, missing.clone(), missing);
    };
    let context = render_context(catalog, &event);
    let resolver = catalog.resolver(trigger);
    let webhook = webhooks
        .iter()
        .find(|webhook| webhook.id == action.webhook_id)
        .map(with_stand_in_credentials);
    let body = compile_body(&action.body, &resolver).map(|body| body.render(&context));
    let url = match (&webhook, compiled(compile_path(&action.path, &resolver))) {
        (None, _) => Err("pick a webhook".to_owned()),
        (_, Err(error)) => Err(error),
        (Some(webhook), Ok(path)) => path
            .render_url(&webhook.base_url, &context)
            .map_err(|error| error.to_string()),
    };
    let mut preview = ActionPreview {
        method: action.method,
        url,
        body,
        headers: Vec::new(),
        event_summary: event_summary(catalog, &event),
    };
    if let (Some(webhook), Ok(_), Ok(_)) = (&webhook, &preview.url, &preview.body) {
        // Both parts render: build the whole request (headers, signature) as a real run would, and
        // show only its redacted form.
        match redacted_request(action, &resolver, webhook, &context, &event) {
            Ok(shown) => {
                preview.url = Ok(shown.url);
                preview.body = Ok(shown.body);
                preview.headers = shown.headers;
            }
            Err(error) => preview.url = Err(error),
        }
    }
    preview.body = preview.body.map(|body| pretty_json(&body));
    preview
}

fn unavailable(method: Method, why: String, event_summary: String) -> ActionPreview {
    ActionPreview {
        method,
        url: Err(why.clone()),
        body: Err(why),
        headers: Vec::new(),
        event_summary,
    }
}

/// The sample's example event for `trigger`; an update's previous record gets another option in its
/// first choice field (the one listed before), so "before" and "after" differ visibly.
fn example_event(catalog: &Catalog, sample: &SampleData, trigger: &Trigger) -> Option<Event> {
    let mut event = sample.example_event(catalog, &trigger.entity, trigger.action)?;
    let entity = catalog.entity(&trigger.entity)?;
    if let Some(previous) = event.previous.as_mut() {
        let choice = entity.fields.iter().find_map(|field| match &field.kind {
            FieldKind::Enum { options } => Some((field, options)),
            _ => None,
        });
        if let Some((field, options)) = choice {
            let current = previous.get(&field.key).and_then(Value::as_str);
            let at = options
                .iter()
                .position(|option| Some(option.id.as_str()) == current)
                .unwrap_or(0);
            // The option listed before (the stage a deal moved on from), or the next for the first.
            let before = if at > 0 {
                options.get(at - 1)
            } else {
                options.get(1)
            };
            if let Some(before) = before {
                previous.insert(field.key.clone(), Value::String(before.id.clone()));
            }
        }
    }
    Some(event)
}

fn compile_body(body: &Body, resolver: &dyn FieldResolver) -> Result<BodyTemplate, String> {
    compiled(match body {
        Body::KeyValue { rows } => compile_key_value(rows, resolver),
        Body::Raw { template } => compile_raw_str(template, resolver),
    })
}

/// The template, or its first error as the editor prints it.
fn compiled<T>(compilation: Compilation<T>) -> Result<T, String> {
    let Compilation {
        template,
        diagnostics,
    } = compilation;
    template.ok_or_else(|| {
        diagnostics
            .iter()
            .find(|diagnostic| diagnostic.is_error())
            .map(ToString::to_string)
            .unwrap_or_default()
    })
}

fn redacted_request(
    action: &WebhookAction,
    resolver: &dyn FieldResolver,
    webhook: &Webhook,
    context: &Value,
    event: &Event,
) -> Result<RedactedRequest, String> {
    // The signature's timestamp is the event's time, so a preview is the same every time it is shown.
    let now = Instant::parse(&event.time).map_or(0, |instant| instant.seconds);
    CompiledAction::compile(action, resolver)
        .and_then(|compiled| build_request(webhook, &compiled, context, PREVIEW_ID, now))
        .map(|request| redact(&request, webhook))
        .map_err(|error| error.to_string())
}

/// `webhook` with stand-ins for the credentials not entered yet (an imported configuration has none),
/// so its requests build as they will once they are; entered ones are used as they are. Either way
/// only the redacted request is shown.
fn with_stand_in_credentials(webhook: &Webhook) -> Webhook {
    let mut webhook = webhook.clone();
    let stand_in = |secret: &mut Secret| {
        if secret.is_empty() {
            *secret = Secret::new(STAND_IN_CREDENTIAL);
        }
    };
    match &mut webhook.auth {
        Auth::None => {}
        Auth::Basic { password, .. } => stand_in(password),
        Auth::Bearer { token } => stand_in(token),
        Auth::ApiKey { key, .. } => stand_in(key),
    }
    if let Some(secret) = webhook
        .signing_secret
        .as_mut()
        .filter(|secret| secret.is_empty())
    {
        *secret = generate_secret([0x5a; 32]);
    }
    webhook
}

/// `Deal 301 “Fleet telematics…” updated by Ada Admin`: the entity, the record's id and title (its
/// first required text field), what happened and who did it.
fn event_summary(catalog: &Catalog, event: &Event) -> String {
    let entity = catalog.entity(&event.entity);
    let mut summary = entity.map_or(event.entity.clone(), |entity| entity.label.clone());
    if let Some(id) = event.current.get("id") {
        summary.push(' ');
        summary.push_str(&id.as_str().map_or_else(|| id.to_string(), str::to_owned));
    }
    let title = entity
        .and_then(|entity| {
            entity
                .fields
                .iter()
                .find(|field| field.required && field.kind == FieldKind::Text && field.key != "id")
        })
        .and_then(|field| event.current.get(&field.key))
        .and_then(Value::as_str);
    if let Some(title) = title {
        summary.push_str(&format!(" “{}”", shorten(title)));
    }
    summary.push_str(&format!(
        " {} by {}",
        event.action.as_str(),
        event.user.name
    ));
    summary
}

/// `text` cut at a word boundary within [`SUMMARY_TITLE_CHARS`] characters, with `…`, when longer.
fn shorten(text: &str) -> String {
    let Some((cut, _)) = text.char_indices().nth(SUMMARY_TITLE_CHARS) else {
        return text.to_owned();
    };
    let head = &text[..cut];
    let head = head.rfind(' ').map_or(head, |space| &head[..space]);
    format!("{}…", head.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{EventAction, HeaderPair, RetryPolicy};
    use crate::request::MASK;
    use crate::template::Row;

    fn webhook(auth: Auth, signing_secret: Option<Secret>) -> Webhook {
        Webhook {
            id: "wh_erp".into(),
            name: "ERP".into(),
            base_url: "https://erp.example/api".into(),
            route: Default::default(),
            auth,
            headers: vec![HeaderPair {
                name: "X-Team".into(),
                value: "sales".into(),
                secret: false,
            }],
            signing_secret,
            timeout_ms: 10_000,
            retry: RetryPolicy::default(),
        }
    }

    fn automation(entity: &str, action: EventAction, path: &str, body: Body) -> Automation {
        Automation {
            id: "auto".into(),
            name: "Preview me".into(),
            enabled: true,
            trigger: Trigger {
                entity: entity.into(),
                action,
            },
            conditions: Default::default(),
            actions: vec![WebhookAction {
                webhook_id: "wh_erp".into(),
                method: Method::Put,
                path: path.into(),
                body,
            }],
        }
    }

    fn raw(template: &str) -> Body {
        Body::Raw {
            template: template.into(),
        }
    }

    fn preview(automation: &Automation, webhooks: &[Webhook]) -> ActionPreview {
        preview_action(
            &Catalog::builtin(),
            &SampleData::builtin(),
            automation,
            0,
            webhooks,
        )
    }

    #[test]
    fn a_deal_update_renders_with_stand_in_credentials_masked() {
        let automation = automation(
            "deal",
            EventAction::Updated,
            "/orders/{{deal.id}}",
            raw(
                r#"{"title": "{{deal.title}}", "was": "{{previous.deal.stage}}", "now": "{{deal.stage}}", "amount": {{deal.value}}}"#,
            ),
        );
        let webhooks = [webhook(
            Auth::Bearer {
                token: Secret::new(""),
            },
            Some(Secret::new("")),
        )];
        let preview = preview(&automation, &webhooks);
        assert_eq!(preview.method, Method::Put);
        assert_eq!(
            preview.url.as_deref(),
            Ok("https://erp.example/api/orders/301")
        );
        assert_eq!(
            preview.body.as_deref(),
            Ok("{\n  \"title\": \"Fleet telematics rollout — 120 trucks\",\n  \"was\": \"Proposal made\",\n  \"now\": \"Negotiations started\",\n  \"amount\": 184000\n}")
        );
        assert_eq!(
            preview.event_summary,
            "Deal 301 “Fleet telematics…” updated by Ada Admin"
        );
        let header = |name: &str| {
            preview
                .headers
                .iter()
                .find(|(header, _)| header == name)
                .map(|(_, value)| value.as_str())
        };
        assert_eq!(
            header("Authorization"),
            Some(format!("Bearer {MASK}").as_str())
        );
        assert_eq!(
            header("webhook-signature"),
            Some(format!("v1,{MASK}").as_str())
        );
        assert_eq!(header("webhook-id"), Some(PREVIEW_ID));
        assert_eq!(header("X-Team"), Some("sales"));
        let shown = format!("{preview:?}");
        assert!(
            !shown.contains(STAND_IN_CREDENTIAL) && !shown.contains("whsec_"),
            "{shown}"
        );
    }

    #[test]
    fn entered_credentials_are_used_and_never_shown() {
        let automation = automation(
            "person",
            EventAction::Added,
            "",
            Body::KeyValue {
                rows: vec![
                    Row::new("name", "{{person.name}}"),
                    Row::new("id", "{{person.id}}"),
                ],
            },
        );
        let auth = Auth::ApiKey {
            header: "X-Api-Key".into(),
            key: Secret::new("real-key-123"),
        };
        let preview = preview(&automation, &[webhook(auth, None)]);
        assert_eq!(preview.url.as_deref(), Ok("https://erp.example/api"));
        assert_eq!(
            preview.body.as_deref(),
            Ok("{\n  \"name\": \"Ingrid Haugen\",\n  \"id\": 201\n}")
        );
        assert!(preview
            .headers
            .contains(&("X-Api-Key".to_owned(), MASK.to_owned())));
        assert!(!format!("{preview:?}").contains("real-key-123"));
        assert_eq!(
            preview.event_summary,
            "Person 201 “Ingrid Haugen” added by Ada Admin"
        );
    }

    #[test]
    fn what_is_missing_or_wrong_is_said_where_it_belongs() {
        let catalog = Catalog::builtin();
        let sample = SampleData::builtin();
        let mut automation = automation(
            "deal",
            EventAction::Added,
            "/o/{{deal.id}}",
            raw("{\"a\": {{deal.valu}}}"),
        );
        let no_webhook = preview_action(&catalog, &sample, &automation, 0, &[]);
        assert_eq!(no_webhook.url, Err("pick a webhook".to_owned()));
        assert!(no_webhook
            .body
            .unwrap_err()
            .starts_with("1:7: error: unknown field deal.valu"));
        assert!(no_webhook.headers.is_empty());

        let webhooks = [webhook(Auth::None, None)];
        let body_error = preview_action(&catalog, &sample, &automation, 0, &webhooks);
        assert_eq!(
            body_error.url.as_deref(),
            Ok("https://erp.example/api/o/301")
        );
        assert!(body_error.headers.is_empty());

        automation.actions[0].path = "/o/{{deal.}}".into();
        automation.actions[0].body = raw("{}");
        let path_error = preview_action(&catalog, &sample, &automation, 0, &webhooks);
        assert!(path_error
            .url
            .unwrap_err()
            .contains("field path ends with '.'"));
        assert_eq!(path_error.body.as_deref(), Ok("{}"));

        automation.actions[0].path = "/o/{{deal.won_time}}".into();
        let empty_value = preview_action(&catalog, &sample, &automation, 0, &webhooks);
        assert!(empty_value.url.unwrap_err().contains("deal.won_time"));

        let mut broken = webhook(Auth::None, None);
        broken.base_url = "ftp://erp.example".into();
        automation.actions[0].path = String::new();
        let bad_webhook = preview_action(&catalog, &sample, &automation, 0, &[broken]);
        assert!(bad_webhook.url.is_err());

        let past_the_end = preview_action(&catalog, &sample, &automation, 3, &webhooks);
        assert_eq!(
            past_the_end.url,
            Err("this automation has no action 4".to_owned())
        );

        automation.trigger.entity = "invoice".into();
        let unknown = preview_action(&catalog, &sample, &automation, 0, &webhooks);
        assert!(unknown.body.unwrap_err().contains("no invoice record"));
    }

    #[test]
    fn every_trigger_previews_and_updates_show_a_change() {
        let catalog = Catalog::builtin();
        let webhooks = [webhook(
            Auth::Basic {
                username: "u".into(),
                password: Secret::new(""),
            },
            None,
        )];
        for entity in catalog.trigger_entities() {
            for action in EventAction::ALL {
                let key = &entity.key;
                let automation = automation(
                    key,
                    action,
                    &format!("/r/{{{{{key}.id}}}}"),
                    raw(&format!("{{{{{key}}}}}")),
                );
                let preview = preview(&automation, &webhooks);
                assert!(
                    preview.url.is_ok() && preview.body.is_ok(),
                    "{key} {action:?}: {preview:?}"
                );
                assert!(
                    preview.event_summary.contains(action.as_str()),
                    "{}",
                    preview.event_summary
                );
            }
            let event = example_event(
                &catalog,
                &SampleData::builtin(),
                &Trigger {
                    entity: entity.key.clone(),
                    action: EventAction::Updated,
                },
            )
            .unwrap();
            let has_choice = entity
                .fields
                .iter()
                .any(|field| matches!(field.kind, FieldKind::Enum { .. }));
            assert_eq!(
                event.previous.as_ref() != Some(&event.current),
                has_choice,
                "{}",
                entity.key
            );
        }
    }

    #[test]
    fn long_titles_are_cut_at_a_word() {
        assert_eq!(
            shorten("Fleet telematics rollout — 120 trucks"),
            "Fleet telematics…"
        );
        assert_eq!(shorten("Short title"), "Short title");
        assert_eq!(
            shorten("Averyveryverylongwordwithoutspaces"),
            "Averyveryverylongwor…"
        );
    }
}
