//! Checking a whole automation as saving it requires: trigger, conditions, and every action's webhook,
//! path and body — each problem located so the editor (or the command line) can point at it.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::catalog::Catalog;
use crate::conditions::{validate_conditions, ConditionProblem};
use crate::config::ConfigDocument;
use crate::diagnostic::Diagnostic;
use crate::model::{Automation, Body, Webhook};
use crate::request::validate_webhook;
use crate::template::{compile_key_value, compile_path, compile_raw_str};

/// One problem of an automation, or a warning worth showing before saving.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AutomationProblem {
    Name {
        message: String,
    },
    Trigger {
        message: String,
    },
    Condition(ConditionProblem),
    /// The action's webhook is missing ("webhook missing": pick one before enabling).
    Webhook {
        action: usize,
        message: String,
    },
    Path {
        action: usize,
        diagnostic: Diagnostic,
    },
    Body {
        action: usize,
        diagnostic: Diagnostic,
    },
    NoActions,
}

impl AutomationProblem {
    /// Warnings (a field that may be empty) do not stop saving; everything else does.
    pub fn is_error(&self) -> bool {
        match self {
            AutomationProblem::Path { diagnostic, .. }
            | AutomationProblem::Body { diagnostic, .. } => diagnostic.is_error(),
            _ => true,
        }
    }
}

impl fmt::Display for AutomationProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AutomationProblem::Name { message } => write!(f, "name: {message}"),
            AutomationProblem::Trigger { message } => write!(f, "trigger: {message}"),
            AutomationProblem::Condition(problem) => write!(f, "{problem}"),
            AutomationProblem::Webhook { action, message } => {
                write!(f, "action {}: {message}", action + 1)
            }
            AutomationProblem::Path { action, diagnostic } => {
                write!(f, "action {} path {diagnostic}", action + 1)
            }
            AutomationProblem::Body { action, diagnostic } => {
                write!(f, "action {} body {diagnostic}", action + 1)
            }
            AutomationProblem::NoActions => {
                f.write_str("the automation needs at least one webhook action")
            }
        }
    }
}

/// What is wrong with an automation's name, if anything: it needs one to be found in the list.
pub fn name_problem(name: &str) -> Option<&'static str> {
    name.trim()
        .is_empty()
        .then_some("give the automation a name, so you can find it in the list")
}

/// Every problem of `automation` against the catalog and the webhooks that exist.
pub fn validate_automation(
    catalog: &Catalog,
    automation: &Automation,
    webhooks: &[Webhook],
) -> Vec<AutomationProblem> {
    let named = name_problem(&automation.name).map(|message| AutomationProblem::Name {
        message: message.into(),
    });
    let mut problems: Vec<AutomationProblem> = named.into_iter().collect();
    problems.extend(validate_content(catalog, automation, webhooks));
    problems
}

fn validate_content(
    catalog: &Catalog,
    automation: &Automation,
    webhooks: &[Webhook],
) -> Vec<AutomationProblem> {
    let trigger = &automation.trigger;
    let trigger_entity = catalog
        .entity(&trigger.entity)
        .filter(|entity| entity.trigger);
    if trigger_entity.is_none() {
        let known: Vec<&str> = catalog
            .trigger_entities()
            .map(|entity| entity.key.as_str())
            .collect();
        return vec![AutomationProblem::Trigger {
            message: format!(
                "\"{}\" is not an entity that can trigger automations; use one of {}",
                trigger.entity,
                known.join(", ")
            ),
        }];
    }
    let mut problems: Vec<AutomationProblem> =
        validate_conditions(catalog, trigger, &automation.conditions)
            .into_iter()
            .map(AutomationProblem::Condition)
            .collect();
    if automation.actions.is_empty() {
        problems.push(AutomationProblem::NoActions);
    }
    let resolver = catalog.resolver(trigger);
    for (action_index, action) in automation.actions.iter().enumerate() {
        if !webhooks
            .iter()
            .any(|webhook| webhook.id == action.webhook_id)
        {
            problems.push(AutomationProblem::Webhook {
                action: action_index,
                message: format!(
                    "webhook missing: no webhook has the id \"{}\" — pick one",
                    action.webhook_id
                ),
            });
        }
        let path = compile_path(&action.path, &resolver).diagnostics;
        problems.extend(path.into_iter().map(|diagnostic| AutomationProblem::Path {
            action: action_index,
            diagnostic,
        }));
        let body = match &action.body {
            Body::KeyValue { rows } => compile_key_value(rows, &resolver).diagnostics,
            Body::Raw { template } => compile_raw_str(template, &resolver).diagnostics,
        };
        problems.extend(body.into_iter().map(|diagnostic| AutomationProblem::Body {
            action: action_index,
            diagnostic,
        }));
    }
    problems
}

/// Where in a configuration document a problem is: the webhook or automation, by id and name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DocumentPlace {
    Webhook { id: String, name: String },
    Automation { id: String, name: String },
}

impl fmt::Display for DocumentPlace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DocumentPlace::Webhook { name, .. } => write!(f, "webhook \"{name}\""),
            DocumentPlace::Automation { name, .. } => write!(f, "automation \"{name}\""),
        }
    }
}

/// One problem (or warning) of a configuration document, with its place.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentProblem {
    pub place: DocumentPlace,
    pub message: String,
    pub is_error: bool,
}

/// Every problem of a document that parsed ([`ConfigDocument::parse`]): each webhook checked as its
/// form would be, with stand-in credentials since a document holds none, then each automation as
/// saving it requires. This is what an import refuses and `webhook-cli check` prints; a server that
/// stores the document (the relay) refuses it by the same rules.
pub fn check_document(catalog: &Catalog, document: &ConfigDocument) -> Vec<DocumentProblem> {
    let webhooks = document.webhooks_with_stand_in_credentials();
    let mut problems = Vec::new();
    for webhook in &webhooks {
        let place = DocumentPlace::Webhook {
            id: webhook.id.clone(),
            name: webhook.name.clone(),
        };
        problems.extend(
            validate_webhook(webhook)
                .into_iter()
                .map(|problem| DocumentProblem {
                    place: place.clone(),
                    message: problem.to_string(),
                    is_error: true,
                }),
        );
    }
    for automation in &document.automations {
        let place = DocumentPlace::Automation {
            id: automation.id.clone(),
            name: automation.name.clone(),
        };
        problems.extend(
            validate_automation(catalog, automation, &webhooks)
                .into_iter()
                .map(|problem| DocumentProblem {
                    place: place.clone(),
                    message: problem.to_string(),
                    is_error: problem.is_error(),
                }),
        );
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        Auth, Condition, ConditionGroup, ConditionItem, EventAction, Match, Method, Operator,
        RetryPolicy, Trigger, WebhookAction,
    };
    use crate::template::Row;

    fn webhook() -> Webhook {
        Webhook {
            id: "wh".into(),
            name: "ERP".into(),
            base_url: "https://erp.example".into(),
            route: Default::default(),
            auth: Auth::None,
            headers: vec![],
            signing_secret: None,
            timeout_ms: 10_000,
            retry: RetryPolicy::default(),
        }
    }

    fn automation(entity: &str, action: EventAction, webhook_id: &str, body: Body) -> Automation {
        Automation {
            id: "a".into(),
            name: "A".into(),
            enabled: true,
            trigger: Trigger {
                entity: entity.into(),
                action,
            },
            conditions: ConditionGroup {
                match_: Match::All,
                items: vec![ConditionItem::Condition(Condition {
                    field: "deal.stage".into(),
                    operator: Operator::HasChanged,
                    value: None,
                })],
            },
            actions: vec![WebhookAction {
                webhook_id: webhook_id.into(),
                method: Method::Post,
                path: "/x/{{deal.id}}".into(),
                body,
            }],
        }
    }

    #[test]
    fn a_valid_automation_has_no_problems() {
        let body = Body::KeyValue {
            rows: vec![Row::new("title", "{{deal.title}}")],
        };
        assert_eq!(
            validate_automation(
                &Catalog::builtin(),
                &automation("deal", EventAction::Updated, "wh", body),
                &[webhook()]
            ),
            []
        );
    }

    #[test]
    fn every_part_reports_its_problems_with_their_location() {
        let body = Body::Raw {
            template: r#"{"t": {{deal.titel}}, "p": {{previous.deal.stage}}}"#.into(),
        };
        let problems = validate_automation(
            &Catalog::builtin(),
            &automation("deal", EventAction::Added, "gone", body),
            &[webhook()],
        );
        let shown: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert!(shown[0].starts_with("condition 1: "), "{shown:?}");
        assert!(
            shown
                .iter()
                .any(|line| line.starts_with("action 1: webhook missing")),
            "{shown:?}"
        );
        assert!(
            shown
                .iter()
                .any(|line| line.contains("body 1:7: error: unknown field deal.titel")),
            "{shown:?}"
        );
        let warning = problems
            .iter()
            .find(|problem| !problem.is_error())
            .expect("the previous-value warning");
        assert!(warning
            .to_string()
            .contains("warning: previous values exist only"));
    }

    #[test]
    fn an_automation_needs_a_name() {
        let body = Body::KeyValue {
            rows: vec![Row::new("title", "{{deal.title}}")],
        };
        let mut unnamed = automation("deal", EventAction::Updated, "wh", body);
        unnamed.name = "  ".into();
        let problems = validate_automation(&Catalog::builtin(), &unnamed, &[webhook()]);
        assert_eq!(problems.len(), 1);
        assert!(problems[0]
            .to_string()
            .starts_with("name: give the automation a name"));
    }

    #[test]
    fn an_unknown_trigger_entity_is_the_only_problem_reported() {
        let body = Body::KeyValue {
            rows: vec![Row::new("a", "b")],
        };
        let problems = validate_automation(
            &Catalog::builtin(),
            &automation("invoice", EventAction::Added, "wh", body),
            &[webhook()],
        );
        assert_eq!(problems.len(), 1);
        assert!(problems[0]
            .to_string()
            .contains("use one of deal, person, organization, activity, lead"));
    }
}

#[cfg(test)]
mod document_tests {
    use super::*;
    use crate::config::ConfigDocument;

    #[test]
    fn a_document_is_checked_webhook_by_webhook_and_automation_by_automation() {
        let document = ConfigDocument::parse(
            r#"{"format": "webhook-automations/config", "version": 1,
              "webhooks": [{"id": "wh_erp", "name": "ERP", "base_url": "http://erp.example",
                "auth": {"type": "bearer"}, "timeout_ms": 10000, "retry": {}}],
              "automations": [{"id": "au_1", "name": "Won deals", "enabled": true,
                "trigger": {"entity": "deal", "action": "updated"},
                "conditions": {"match": "all", "items": []},
                "actions": [{"webhook_id": "wh_gone", "method": "POST", "path": "/x",
                  "body": {"mode": "raw", "template": "{\"t\": {{deal.titel}}}"}}]}]}"#,
        )
        .unwrap();
        let problems = check_document(&Catalog::builtin(), &document);
        let lines: Vec<String> = problems
            .iter()
            .map(|problem| format!("{}: {}", problem.place, problem.message))
            .collect();
        assert!(
            lines[0].starts_with("webhook \"ERP\": base_url: use https://"),
            "{lines:#?}"
        );
        assert!(
            lines.iter().any(|line| line.starts_with("automation \"Won deals\": action 1: webhook missing")),
            "{lines:#?}"
        );
        assert!(
            lines.iter().any(|line| line.contains("deal.titel")),
            "{lines:#?}"
        );
        assert!(problems.iter().all(|problem| problem.is_error));
        assert!(
            !lines.iter().any(|line| line.contains("credentials")),
            "a document holds no credentials, and is not blamed for it: {lines:#?}"
        );
    }
}
