//! Rules for changing the configuration: what saving, deleting and duplicating do to the webhooks and
//! automations around them. The UI applies these; it decides nothing itself.

use crate::model::{Automation, Webhook};
use crate::request::{validate_webhook, WebhookProblem};

/// Every problem of `webhook` as the form would save it, including a name another webhook has.
pub fn check_webhook(webhook: &Webhook, others: &[Webhook]) -> Vec<WebhookProblem> {
    let mut problems = validate_webhook(webhook);
    let name = webhook.name.trim();
    let taken = others
        .iter()
        .any(|other| other.id != webhook.id && other.name.trim().eq_ignore_ascii_case(name));
    if !name.is_empty() && taken {
        problems.push(WebhookProblem {
            field: "name".into(),
            message: format!(
                "another webhook is already named \"{name}\"; automations pick webhooks by name"
            ),
        });
    }
    problems
}

/// The automations with an action that sends to the webhook `webhook_id`.
pub fn automations_using<'a>(
    automations: &'a [Automation],
    webhook_id: &str,
) -> Vec<&'a Automation> {
    automations
        .iter()
        .filter(|automation| {
            automation
                .actions
                .iter()
                .any(|action| action.webhook_id == webhook_id)
        })
        .collect()
}

/// Deleting a webhook: the automations that used it are disabled (they show "webhook missing" until
/// they point at a webhook again). Returns the automations that changed.
pub fn disable_users_of(automations: &[Automation], webhook_id: &str) -> Vec<Automation> {
    automations_using(automations, webhook_id)
        .into_iter()
        .filter(|automation| automation.enabled)
        .map(|automation| Automation {
            enabled: false,
            ..automation.clone()
        })
        .collect()
}

/// Whether an automation may be switched on: every action must point at an existing webhook.
pub fn can_enable(automation: &Automation, webhooks: &[Webhook]) -> Result<(), String> {
    let missing = automation.actions.iter().position(|action| {
        !webhooks
            .iter()
            .any(|webhook| webhook.id == action.webhook_id)
    });
    match (automation.actions.is_empty(), missing) {
        (true, _) => Err("add a webhook action before switching the automation on".into()),
        (false, Some(index)) => Err(format!(
            "webhook missing in action {}: pick a webhook before switching the automation on",
            index + 1
        )),
        (false, None) => Ok(()),
    }
}

/// A copy of `automation` under `new_id`, named "Copy of …" (numbered when that name is taken) and
/// switched off, so a duplicate never fires twice by surprise.
pub fn duplicate(automation: &Automation, new_id: String, existing: &[Automation]) -> Automation {
    let base = format!("Copy of {}", automation.name);
    let taken = |name: &str| existing.iter().any(|other| other.name == name);
    let name = std::iter::once(base.clone())
        .chain((2..).map(|n| format!("{base} ({n})")))
        .find(|name| !taken(name))
        .expect("an unused name exists");
    Automation {
        id: new_id,
        name,
        enabled: false,
        ..automation.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        Auth, Body, ConditionGroup, EventAction, Method, RetryPolicy, Trigger, WebhookAction,
    };

    fn webhook(id: &str, name: &str) -> Webhook {
        Webhook {
            id: id.into(),
            name: name.into(),
            base_url: "https://erp.example".into(),
            route: Default::default(),
            auth: Auth::None,
            headers: vec![],
            signing_secret: None,
            timeout_ms: 10_000,
            retry: RetryPolicy::default(),
        }
    }

    fn automation(id: &str, webhook_id: &str, enabled: bool) -> Automation {
        Automation {
            id: id.into(),
            name: format!("Auto {id}"),
            enabled,
            trigger: Trigger {
                entity: "deal".into(),
                action: EventAction::Added,
            },
            conditions: ConditionGroup::default(),
            actions: vec![WebhookAction {
                webhook_id: webhook_id.into(),
                method: Method::Post,
                path: String::new(),
                body: Body::Raw {
                    template: "{}".into(),
                },
            }],
        }
    }

    #[test]
    fn names_are_unique_ignoring_case_but_a_webhook_keeps_its_own() {
        let others = [webhook("a", "ERP"), webhook("b", "Billing")];
        let problems = check_webhook(&webhook("c", "erp"), &others);
        assert_eq!(problems.len(), 1);
        assert!(problems[0].message.contains("already named"));
        assert!(check_webhook(&webhook("a", "ERP"), &others).is_empty());
    }

    #[test]
    fn deleting_a_webhook_disables_the_automations_that_used_it() {
        let automations = [
            automation("1", "a", true),
            automation("2", "b", true),
            automation("3", "a", false),
        ];
        let changed = disable_users_of(&automations, "a");
        assert_eq!(
            changed
                .iter()
                .map(|a| (a.id.as_str(), a.enabled))
                .collect::<Vec<_>>(),
            [("1", false)]
        );
        assert_eq!(automations_using(&automations, "a").len(), 2);
        assert!(can_enable(&automations[0], &[webhook("b", "B")])
            .unwrap_err()
            .contains("webhook missing"));
        assert_eq!(can_enable(&automations[1], &[webhook("b", "B")]), Ok(()));
    }

    #[test]
    fn duplicates_are_off_and_get_a_free_name() {
        let original = automation("1", "a", true);
        let existing = [
            original.clone(),
            Automation {
                name: "Copy of Auto 1".into(),
                ..original.clone()
            },
        ];
        let copy = duplicate(&original, "9".into(), &existing);
        assert_eq!(
            (copy.id.as_str(), copy.name.as_str(), copy.enabled),
            ("9", "Copy of Auto 1 (2)", false)
        );
        assert_eq!(copy.actions, original.actions);
    }
}
