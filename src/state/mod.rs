//! The app's state and the one reducer that changes it. Components read it and dispatch actions;
//! storage and delivery results come back as actions too, so every change is a pure, tested step.

mod section;

use std::rc::Rc;

use std::collections::HashMap;
use webhook_engine::event::User;

use webhook_engine::catalog::Catalog;
use webhook_engine::model::{Automation, Webhook};
use webhook_engine::order;
use webhook_engine::roles::Permissions;
use webhook_engine::runner::{Execution, Status};
use webhook_engine::settings::Settings;
use yew::Reducible;

use crate::relay::{RelayConnection, SyncStatus};

pub use section::Section;

#[derive(Clone, Debug, PartialEq)]
pub struct AppState {
    pub section: Section,
    /// Who uses the app: decides what they may manage, never which automations run.
    pub user: User,
    /// Embedded in a CRM page (`mount`, `<webhook-automations>`): the user is only ever the one the
    /// host names, and the sandbox — a demo of the standalone app — is not offered.
    pub hosted: bool,
    /// The CRM's field catalog: the built-in one, or the embedding CRM's own.
    pub catalog: Rc<Catalog>,
    pub webhooks: Vec<Webhook>,
    pub automations: Vec<Automation>,
    /// The configuration's revision (engine `ConfigDocument::revision`): larger after every change.
    pub revision: u64,
    /// The revision the configuration was read at — from storage, from the host, from the relay —
    /// before this page's own changes: what the relay's copy is compared with.
    pub base_revision: u64,
    pub settings: Settings,
    /// The relay as saved in this browser (Settings → Relay).
    pub stored_relay: RelayConnection,
    /// The relay the host page names for this visit (`relay: { url, eventsToken }`), if any.
    pub host_relay: Option<RelayConnection>,
    /// Where the relay's copy of the configuration stands (for an admin with its admin token).
    pub relay_sync: SyncStatus,
    /// Bumped to put the configuration to the relay again (after it was unreachable).
    pub relay_sync_round: u32,
    /// The latest execution status per automation and per webhook, for the lists' "last run" columns.
    pub last_run: HashMap<String, Status>,
    pub last_delivery: HashMap<String, Status>,
    /// Bumped whenever an execution is created or changes, so the history refreshes.
    pub executions_version: u64,
    /// False until the stored configuration has been read.
    pub loaded: bool,
    /// The last thing that went wrong with storage, shown until dismissed.
    pub problem: Option<String>,
    /// A short confirmation ("Webhook saved").
    pub notice: Option<String>,
    /// Why the relay's runs are not being added to the history right now, if they are not.
    pub relay_history_problem: Option<String>,
    /// The webhook whose form the Webhooks section opens with (a history detail's way to a webhook).
    pub webhook_to_edit: Option<String>,
}

pub enum AppAction {
    Open(Section),
    Loaded {
        webhooks: Vec<Webhook>,
        automations: Vec<Automation>,
    },
    /// Another tab changed the stored configuration.
    Reloaded {
        webhooks: Vec<Webhook>,
        automations: Vec<Automation>,
    },
    WebhookSaved(Webhook),
    /// A webhook was deleted; `disabled` are its automations, now switched off.
    WebhookDeleted {
        id: String,
        disabled: Vec<Automation>,
    },
    AutomationSaved(Automation),
    AutomationDeleted(String),
    ConfigReplaced {
        webhooks: Vec<Webhook>,
        automations: Vec<Automation>,
    },
    /// The configuration's revision after a change made here was stored.
    RevisionChanged(u64),
    /// The configuration's revision as read (storage, another tab, the host's document).
    RevisionRead(u64),
    /// Several actions applied as one change, so nothing (a host announcement, a render) ever sees
    /// the state between them — a configuration without its new revision.
    Together(Vec<AppAction>),
    SettingsLoaded(Settings),
    /// The relay connection saved in this browser, read or just saved.
    RelayLoaded(RelayConnection),
    /// The relay the host page names.
    RelayFromHost(RelayConnection),
    RelaySynced(SyncStatus),
    /// Put the configuration to the relay again.
    SyncRelayAgain,
    SettingsSaved(Settings),
    /// The most recent executions, newest first, read at start.
    RecentExecutions(Vec<Execution>),
    /// An execution was created or changed in this tab.
    ExecutionChanged(Box<Execution>),
    /// Another tab recorded executions.
    HistoryChangedElsewhere,
    /// Runs the relay sent were merged into the history.
    ExecutionsMerged(Vec<Execution>),
    /// Merging the relay's runs stopped for this reason, or (`None`) works again.
    RelayHistoryProblem(Option<String>),
    /// Opens the Webhooks section with this webhook's form open.
    EditWebhook(String),
    Failed(String),
    DismissProblem,
    DismissNotice,
    /// The host page names the user.
    SetUser(User),
    /// The sandbox acts as another sample user (standalone only).
    SwitchSampleUser(User),
    SetCatalog(Catalog),
}

impl AppState {
    pub fn new(section: Section, user: User, hosted: bool) -> Self {
        AppState {
            section: if section.offered(hosted) {
                section
            } else {
                Section::Webhooks
            },
            user,
            hosted,
            catalog: Rc::new(Catalog::builtin()),
            webhooks: Vec::new(),
            automations: Vec::new(),
            revision: 0,
            base_revision: 0,
            settings: Settings::default(),
            stored_relay: RelayConnection::default(),
            host_relay: None,
            relay_sync: SyncStatus::default(),
            relay_sync_round: 0,
            last_run: HashMap::new(),
            last_delivery: HashMap::new(),
            executions_version: 0,
            loaded: false,
            problem: None,
            notice: None,
            relay_history_problem: None,
            webhook_to_edit: None,
        }
    }

    fn note_execution(&mut self, execution: &Execution) {
        self.last_run
            .insert(execution.automation_id.clone(), execution.status);
        self.last_delivery
            .insert(execution.webhook_id.clone(), execution.status);
    }

    pub fn webhook(&self, id: &str) -> Option<&Webhook> {
        self.webhooks.iter().find(|webhook| webhook.id == id)
    }

    /// The relay this app talks to: the one the host page names (with this browser's admin token
    /// when it was saved for the same relay), or else the one saved here.
    pub fn relay(&self) -> RelayConnection {
        RelayConnection::for_page(self.host_relay.as_ref(), &self.stored_relay)
    }

    /// What the current user may do (the engine's one rule).
    pub fn permissions(&self) -> Permissions {
        Permissions::of(&self.user)
    }

    /// The sections this app offers, in navigation order.
    pub fn sections(&self) -> impl Iterator<Item = Section> + '_ {
        Section::ALL
            .into_iter()
            .filter(|section| section.offered(self.hosted))
    }
}

impl Reducible for AppState {
    type Action = AppAction;

    fn reduce(self: Rc<Self>, action: AppAction) -> Rc<Self> {
        if let AppAction::Together(actions) = action {
            return actions.into_iter().fold(self, Reducible::reduce);
        }
        match &action {
            AppAction::Open(section)
                if *section == self.section || !section.offered(self.hosted) =>
            {
                return self;
            }
            AppAction::SwitchSampleUser(_) if self.hosted => return self,
            _ => {}
        }
        let mut next = (*self).clone();
        match action {
            AppAction::Open(section) => {
                next.section = section;
                next.webhook_to_edit = None;
            }
            AppAction::EditWebhook(id) => {
                next.section = Section::Webhooks;
                next.webhook_to_edit = Some(id);
            }
            AppAction::Loaded {
                webhooks,
                automations,
            }
            | AppAction::Reloaded {
                webhooks,
                automations,
            } => {
                next.webhooks = webhooks;
                next.automations = automations;
                next.loaded = true;
            }
            AppAction::WebhookSaved(webhook) => {
                next.notice = Some(format!("Webhook “{}” saved", webhook.name));
                upsert(&mut next.webhooks, webhook, |w| &w.id, |w| &w.name);
            }
            AppAction::WebhookDeleted { id, disabled } => {
                let name = next
                    .webhook(&id)
                    .map(|webhook| webhook.name.clone())
                    .unwrap_or_default();
                next.webhooks.retain(|webhook| webhook.id != id);
                for automation in disabled {
                    upsert(&mut next.automations, automation, |a| &a.id, |a| &a.name);
                }
                next.notice = Some(format!("Webhook “{name}” deleted"));
            }
            AppAction::AutomationSaved(automation) => {
                next.notice = Some(format!("Automation “{}” saved", automation.name));
                upsert(&mut next.automations, automation, |a| &a.id, |a| &a.name);
            }
            AppAction::AutomationDeleted(id) => {
                next.automations.retain(|automation| automation.id != id)
            }
            AppAction::ConfigReplaced {
                webhooks,
                automations,
            } => {
                next.notice = Some(format!(
                    "Imported {} webhooks and {} automations",
                    webhooks.len(),
                    automations.len()
                ));
                next.webhooks = webhooks;
                next.automations = automations;
            }
            AppAction::RevisionChanged(revision) => next.revision = revision,
            AppAction::RevisionRead(revision) => {
                next.revision = revision;
                next.base_revision = revision;
            }
            AppAction::Together(_) => unreachable!("applied one by one above"),
            AppAction::SettingsLoaded(settings) => next.settings = settings,
            AppAction::RelayLoaded(connection) => next.stored_relay = connection,
            AppAction::RelayFromHost(connection) => next.host_relay = Some(connection),
            AppAction::RelaySynced(status) => {
                if let SyncStatus::InStep { revision } = status {
                    next.base_revision = next.base_revision.max(revision);
                }
                next.relay_sync = status;
            }
            AppAction::SyncRelayAgain => next.relay_sync_round += 1,
            AppAction::RecentExecutions(recent) => {
                // Newest first: the first seen for each automation and webhook is its latest.
                for execution in recent.iter().rev() {
                    next.note_execution(execution);
                }
            }
            AppAction::ExecutionChanged(execution) => {
                next.note_execution(&execution);
                next.executions_version += 1;
            }
            AppAction::HistoryChangedElsewhere => next.executions_version += 1,
            AppAction::ExecutionsMerged(merged) => {
                // In the relay's order: the last one seen of each automation and webhook is its latest.
                for execution in &merged {
                    next.note_execution(execution);
                }
                next.executions_version += 1;
            }
            AppAction::RelayHistoryProblem(problem) => next.relay_history_problem = problem,
            AppAction::SettingsSaved(settings) => {
                next.settings = settings;
                next.notice = Some("Settings saved".into());
            }
            AppAction::Failed(problem) => next.problem = Some(problem),
            AppAction::DismissProblem => next.problem = None,
            AppAction::DismissNotice => next.notice = None,
            AppAction::SetUser(user) | AppAction::SwitchSampleUser(user) => next.user = user,
            AppAction::SetCatalog(catalog) => next.catalog = Rc::new(catalog),
        }
        Rc::new(next)
    }
}

/// Replaces the item with the same id, or adds it; keeps the list sorted by name as the UI lists it.
fn upsert<T>(
    items: &mut Vec<T>,
    item: T,
    id: impl Fn(&T) -> &String,
    name: impl Fn(&T) -> &String,
) {
    match items.iter().position(|existing| id(existing) == id(&item)) {
        Some(index) => items[index] = item,
        None => items.push(item),
    }
    // As storage lists them: by name, then id.
    order::sort_by_key(items, |item| (name(item).to_lowercase(), id(item).clone()));
}

#[cfg(test)]
mod tests {
    use super::*;
    use webhook_engine::model::{Auth, RetryPolicy};

    fn user() -> User {
        User {
            id: 1,
            name: "Ada".into(),
            email: "ada@example.com".into(),
            is_admin: true,
        }
    }

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

    #[test]
    fn opening_the_current_section_changes_nothing() {
        let state = Rc::new(AppState::new(Section::Webhooks, user(), false));
        let same = state.clone().reduce(AppAction::Open(Section::Webhooks));
        assert!(Rc::ptr_eq(&state, &same), "no re-render");
        assert_eq!(
            state.reduce(AppAction::Open(Section::History)).section,
            Section::History
        );
    }

    #[test]
    fn saved_webhooks_replace_by_id_and_stay_sorted_by_name() {
        let state = Rc::new(AppState::new(Section::Webhooks, user(), false));
        let state = state.reduce(AppAction::WebhookSaved(webhook("1", "zeta")));
        let state = state.reduce(AppAction::WebhookSaved(webhook("2", "Alpha")));
        let state = state.reduce(AppAction::WebhookSaved(webhook("1", "Beta")));
        let names: Vec<&str> = state.webhooks.iter().map(|w| w.name.as_str()).collect();
        assert_eq!(names, ["Alpha", "Beta"]);
        assert_eq!(state.notice.as_deref(), Some("Webhook “Beta” saved"));
    }

    #[test]
    fn embedded_there_is_no_sandbox_and_no_switching_to_another_user() {
        let regular = User {
            is_admin: false,
            ..user()
        };
        let hosted = Rc::new(AppState::new(Section::Sandbox, regular.clone(), true));
        assert_eq!(hosted.section, Section::Webhooks, "not opened from the URL");
        assert!(!hosted.sections().any(|section| section == Section::Sandbox));
        let hosted = hosted.reduce(AppAction::Open(Section::Sandbox));
        assert_eq!(hosted.section, Section::Webhooks);
        let hosted = hosted.reduce(AppAction::SwitchSampleUser(user()));
        assert_eq!(
            hosted.user, regular,
            "the sandbox cannot make anyone an admin"
        );
        assert!(!hosted.permissions().manage);
        let promoted = hosted.reduce(AppAction::SetUser(user()));
        assert!(promoted.permissions().manage, "the host names the user");

        let standalone = Rc::new(AppState::new(Section::Sandbox, regular, false));
        assert_eq!(standalone.section, Section::Sandbox);
        assert!(
            standalone
                .reduce(AppAction::SwitchSampleUser(user()))
                .permissions()
                .manage
        );
    }

    #[test]
    fn actions_together_are_one_change() {
        let state = Rc::new(AppState::new(Section::Webhooks, user(), false));
        let next = state.reduce(AppAction::Together(vec![
            AppAction::WebhookSaved(webhook("1", "ERP")),
            AppAction::RevisionChanged(1_700_000_000_000),
        ]));
        assert_eq!(next.webhooks.len(), 1);
        assert_eq!(next.revision, 1_700_000_000_000);
    }

    #[test]
    fn a_webhooks_form_opens_from_elsewhere_once() {
        let state = Rc::new(AppState::new(Section::History, user(), false))
            .reduce(AppAction::EditWebhook("wh_erp".into()));
        assert_eq!(state.section, Section::Webhooks);
        assert_eq!(state.webhook_to_edit.as_deref(), Some("wh_erp"));
        let state = state.reduce(AppAction::Open(Section::History));
        let state = state.reduce(AppAction::Open(Section::Webhooks));
        assert_eq!(
            state.webhook_to_edit, None,
            "coming back later shows the list"
        );
    }

    #[test]
    fn merged_relay_runs_refresh_the_history_and_the_last_run_columns() {
        let state = Rc::new(AppState::new(Section::History, user(), false));
        let version = state.executions_version;
        let run = |id: &str, status: &str| -> Execution {
            serde_json::from_value(serde_json::json!({
                "id": id, "route": "relay", "automation_id": "au_won", "automation_name": "Won deals",
                "action_index": 0, "webhook_id": "wh_erp", "webhook_name": "ERP",
                "event": {"id": "ev_1", "entity": "deal", "action": "updated", "record_id": 1, "time": "2025-01-01T00:00:00Z"},
                "user": {"id": 1, "name": "Ada", "email": "ada@example.com", "is_admin": true},
                "created_at_ms": 0, "status": status, "reason": null, "trace": [], "request": null,
                "attempts": [], "next_attempt_at_ms": null, "finished_at_ms": null
            }))
            .unwrap()
        };
        let state = state.reduce(AppAction::ExecutionsMerged(vec![
            run("a", "pending"),
            run("b", "succeeded"),
        ]));
        assert_eq!(state.executions_version, version + 1);
        assert_eq!(state.last_run.get("au_won"), Some(&Status::Succeeded));
    }

    #[test]
    fn a_failure_is_kept_until_dismissed() {
        let state = Rc::new(AppState::new(Section::Webhooks, user(), false))
            .reduce(AppAction::Failed("full".into()));
        assert_eq!(state.problem.as_deref(), Some("full"));
        assert_eq!(state.reduce(AppAction::DismissProblem).problem, None);
    }
}
