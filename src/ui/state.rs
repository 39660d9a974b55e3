//! The app's top-level state and the reducer that changes it.

use std::rc::Rc;
use yew::Reducible;

/// The sections of the app, in navigation order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    Webhooks,
    Automations,
    History,
    Sandbox,
    Settings,
}

impl Section {
    pub const ALL: [Section; 5] = [
        Section::Webhooks,
        Section::Automations,
        Section::History,
        Section::Sandbox,
        Section::Settings,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Section::Webhooks => "Webhooks",
            Section::Automations => "Automations",
            Section::History => "Execution history",
            Section::Sandbox => "Sandbox CRM",
            Section::Settings => "Settings",
        }
    }

    /// The stable name used in URLs (`#/history`) and test selectors (`data-section="history"`).
    pub fn slug(self) -> &'static str {
        match self {
            Section::Webhooks => "webhooks",
            Section::Automations => "automations",
            Section::History => "history",
            Section::Sandbox => "sandbox",
            Section::Settings => "settings",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Section> {
        Section::ALL
            .into_iter()
            .find(|section| section.slug() == slug)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppState {
    pub section: Section,
}

impl Default for AppState {
    fn default() -> Self {
        AppState {
            section: Section::Webhooks,
        }
    }
}

pub enum AppAction {
    Open(Section),
}

impl Reducible for AppState {
    type Action = AppAction;

    fn reduce(self: Rc<Self>, action: AppAction) -> Rc<Self> {
        match action {
            AppAction::Open(section) if section == self.section => self,
            AppAction::Open(section) => Rc::new(AppState { section }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_section_round_trips_through_its_slug() {
        for section in Section::ALL {
            assert_eq!(Section::from_slug(section.slug()), Some(section));
        }
        assert_eq!(Section::from_slug("nope"), None);
    }

    #[test]
    fn opening_a_section_changes_only_when_it_differs() {
        let state = Rc::new(AppState::default());
        let same = state.clone().reduce(AppAction::Open(Section::Webhooks));
        assert!(
            Rc::ptr_eq(&state, &same),
            "reopening the current section must not re-render"
        );
        let next = state.reduce(AppAction::Open(Section::History));
        assert_eq!(next.section, Section::History);
    }
}
