//! The sandbox page's state and the one reducer that changes it: the CRM once loaded, which entity
//! is open, what the page is doing, and the last confirmation or problem.

use std::rc::Rc;

use yew::Reducible;

use crate::sandbox::{RecordChange, SandboxCrm};
use crate::ui::sandbox::entities::ENTITY_VIEWS;

#[derive(Clone, Debug, PartialEq)]
pub struct PageState {
    /// `None` until the stored records are read.
    pub crm: Option<Rc<SandboxCrm>>,
    pub entity: String,
    pub mode: Mode,
    pub notice: Option<String>,
    pub problem: Option<String>,
    /// A save or reset is being written; its buttons wait.
    pub busy: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Listing,
    Adding,
    Editing(u64),
    ConfirmingDelete(u64),
    ConfirmingReset,
}

pub enum PageAction {
    Opened(SandboxCrm),
    ShowEntity(String),
    Show(Mode),
    Writing,
    Saved {
        entity: String,
        change: RecordChange,
        notice: String,
    },
    Unchanged,
    Reset(SandboxCrm),
    Failed(String),
    DismissNotice,
    DismissProblem,
}

impl Default for PageState {
    fn default() -> Self {
        PageState {
            crm: None,
            entity: ENTITY_VIEWS[0].key.to_string(),
            mode: Mode::Listing,
            notice: None,
            problem: None,
            busy: false,
        }
    }
}

impl Reducible for PageState {
    type Action = PageAction;

    fn reduce(self: Rc<Self>, action: PageAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            PageAction::Opened(crm) => next.crm = Some(Rc::new(crm)),
            PageAction::ShowEntity(entity) => {
                next.entity = entity;
                next.mode = Mode::Listing;
            }
            PageAction::Show(mode) => next.mode = mode,
            PageAction::Writing => next.busy = true,
            PageAction::Saved {
                entity,
                change,
                notice,
            } => {
                if let Some(crm) = &mut next.crm {
                    Rc::make_mut(crm).apply(&entity, &change);
                }
                next.mode = Mode::Listing;
                next.notice = Some(notice);
                next.problem = None;
                next.busy = false;
            }
            PageAction::Unchanged => {
                next.mode = Mode::Listing;
                next.notice = Some("Nothing changed, so no event was sent".into());
            }
            PageAction::Reset(crm) => {
                next.crm = Some(Rc::new(crm));
                next.mode = Mode::Listing;
                next.notice = Some(
                    "Sample data restored: the sandbox holds the built-in records again. No events were sent"
                        .into(),
                );
                next.problem = None;
                next.busy = false;
            }
            PageAction::Failed(problem) => {
                next.problem = Some(problem);
                next.busy = false;
            }
            PageAction::DismissNotice => next.notice = None,
            PageAction::DismissProblem => next.problem = None,
        }
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_saved_change_shows_in_the_crm_closes_the_form_and_is_confirmed() {
        let state = Rc::new(PageState::default())
            .reduce(PageAction::Opened(SandboxCrm::builtin()))
            .reduce(PageAction::Show(Mode::Adding))
            .reduce(PageAction::Writing);
        assert!(state.busy);
        let record = json!({"id": 305, "title": "New"})
            .as_object()
            .unwrap()
            .clone();
        let state = state.reduce(PageAction::Saved {
            entity: "deal".into(),
            change: RecordChange::Added(record),
            notice: "Deal 305 added".into(),
        });
        assert!(state.crm.as_ref().unwrap().record("deal", 305).is_some());
        assert_eq!(state.mode, Mode::Listing);
        assert_eq!(state.notice.as_deref(), Some("Deal 305 added"));
        assert!(!state.busy);
    }

    #[test]
    fn a_failed_write_keeps_the_form_open() {
        let state = Rc::new(PageState::default())
            .reduce(PageAction::Show(Mode::Editing(302)))
            .reduce(PageAction::Writing)
            .reduce(PageAction::Failed("full".into()));
        assert_eq!(state.mode, Mode::Editing(302));
        assert_eq!(state.problem.as_deref(), Some("full"));
        assert!(!state.busy);
    }
}
