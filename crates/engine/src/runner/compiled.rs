//! A configuration compiled once — conditions parsed, templates compiled — and run for many events.

use crate::catalog::Catalog;
use crate::conditions::CompiledConditions;
use crate::model::{Automation, Route, Webhook};
use crate::request::{CompiledAction, RequestError};

pub struct CompiledConfig {
    pub webhooks: Vec<Webhook>,
    pub automations: Vec<CompiledAutomation>,
}

pub struct CompiledAutomation {
    pub automation: Automation,
    /// The conditions, or why they cannot run (every event then records a failed execution).
    pub conditions: Result<CompiledConditions, String>,
    /// Each action's templates, or why they cannot be rendered.
    pub actions: Vec<Result<CompiledAction, RequestError>>,
}

impl CompiledConfig {
    pub fn compile(
        catalog: &Catalog,
        webhooks: &[Webhook],
        automations: &[Automation],
    ) -> CompiledConfig {
        let automations = automations
            .iter()
            .map(|automation| {
                let trigger = &automation.trigger;
                let conditions =
                    CompiledConditions::compile(catalog, trigger, &automation.conditions).map_err(
                        |problems| {
                            let problems: Vec<String> =
                                problems.iter().map(ToString::to_string).collect();
                            format!(
                        "the automation's conditions have errors — fix them in the automation: {}",
                        problems.join("; ")
                    )
                        },
                    );
                let resolver = catalog.resolver(trigger);
                let actions = automation
                    .actions
                    .iter()
                    .map(|action| CompiledAction::compile(action, &resolver))
                    .collect();
                CompiledAutomation {
                    automation: automation.clone(),
                    conditions,
                    actions,
                }
            })
            .collect();
        CompiledConfig {
            webhooks: webhooks.to_vec(),
            automations,
        }
    }

    pub fn automation(&self, id: &str) -> Option<&CompiledAutomation> {
        self.automations
            .iter()
            .find(|compiled| compiled.automation.id == id)
    }

    pub fn webhook(&self, id: &str) -> Option<&Webhook> {
        self.webhooks.iter().find(|webhook| webhook.id == id)
    }

    /// Who sends a delivery to the webhook `id`: its route. A delivery whose webhook is gone ends at
    /// once as failed; the browser records it (the relay plans only what it sends).
    pub fn route_to(&self, webhook_id: &str) -> Route {
        self.webhook(webhook_id)
            .map_or(Route::Browser, |webhook| webhook.route)
    }

    /// Whether any webhook is delivered through the relay.
    pub fn uses_relay(&self) -> bool {
        self.webhooks
            .iter()
            .any(|webhook| webhook.route == Route::Relay)
    }
}
