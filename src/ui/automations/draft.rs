//! The automation editor's state: the automation as it would be saved, what was saved before (to tell
//! unsaved changes), and why the last switch of a body to key-value rows was refused. Every edit is
//! one pure step, so the editor's behaviour is tested natively.

use std::rc::Rc;

use serde_json::Value;
use webhook_engine::editor::convert::{key_value_to_raw, raw_to_key_value};
use webhook_engine::model::{
    Automation, Body, Condition, ConditionGroup, ConditionItem, EventAction, Match, Method,
    Operator, Trigger, WebhookAction,
};
use webhook_engine::template::Row;
use yew::Reducible;

/// Where an item of the conditions stands: its index in the root group, then in each nested group.
pub type ItemPath = Vec<usize>;

/// Groups can be nested this deep below the root ("all of A and (B or C)" needs one level); deeper
/// logic is rare and hard to read, so the editor stops offering new groups there.
pub const MAX_GROUP_DEPTH: usize = 2;

#[derive(Clone, Debug, PartialEq)]
pub struct AutomationDraft {
    pub automation: Automation,
    /// The automation as stored (or as first shown, for a new one): the draft is dirty when it differs.
    saved: Automation,
    pub is_new: bool,
    /// The last Raw → Key-value switch that was refused: the action and why. It stays until that body
    /// changes or the switch is tried again.
    pub refused_switch: Option<(usize, String)>,
}

/// The two ways of writing a body; the tabs of the body editor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyMode {
    KeyValue,
    Raw,
}

impl BodyMode {
    pub fn of(body: &Body) -> BodyMode {
        match body {
            Body::KeyValue { .. } => BodyMode::KeyValue,
            Body::Raw { .. } => BodyMode::Raw,
        }
    }
}

/// One edit of the automation.
#[derive(Clone, Debug, PartialEq)]
pub enum DraftEdit {
    Name(String),
    Enabled(bool),
    Trigger(Trigger),
    Match {
        group: ItemPath,
        match_: Match,
    },
    AddCondition {
        group: ItemPath,
    },
    AddGroup {
        group: ItemPath,
    },
    RemoveItem(ItemPath),
    /// A new field for a condition, with the operator that fits it; the old value no longer applies.
    ConditionField {
        item: ItemPath,
        field: String,
        operator: Operator,
    },
    ConditionOperator {
        item: ItemPath,
        operator: Operator,
    },
    ConditionValue {
        item: ItemPath,
        value: Option<Value>,
    },
    AddAction {
        webhook_id: String,
    },
    RemoveAction(usize),
    Action {
        action: usize,
        edit: ActionEdit,
    },
}

/// One edit of one webhook action.
#[derive(Clone, Debug, PartialEq)]
pub enum ActionEdit {
    Webhook(String),
    Method(Method),
    Path(String),
    /// Switch the body to the other mode, converting what it holds.
    BodyMode(BodyMode),
    Raw(String),
    Row(RowEdit),
}

/// One edit of a key-value body's rows.
#[derive(Clone, Debug, PartialEq)]
pub enum RowEdit {
    Key(usize, String),
    Value(usize, String),
    Add,
    Remove(usize),
    MoveUp(usize),
    MoveDown(usize),
}

impl AutomationDraft {
    /// A new automation on the first trigger entity's updates, sending to `webhook_id` (the first
    /// webhook, or none yet), with one empty key-value row to fill. It starts switched on: an admin who
    /// saves a working automation expects it to run.
    pub fn new(id: String, entity: &str, webhook_id: String) -> Self {
        let automation = Automation {
            id,
            name: String::new(),
            enabled: true,
            trigger: Trigger {
                entity: entity.to_owned(),
                action: EventAction::Updated,
            },
            conditions: ConditionGroup::default(),
            actions: vec![new_action(webhook_id)],
        };
        AutomationDraft {
            saved: automation.clone(),
            automation,
            is_new: true,
            refused_switch: None,
        }
    }

    pub fn editing(automation: Automation) -> Self {
        AutomationDraft {
            saved: automation.clone(),
            automation,
            is_new: false,
            refused_switch: None,
        }
    }

    /// Whether leaving now would lose something.
    pub fn is_dirty(&self) -> bool {
        self.automation != self.saved
    }

    /// What is wrong with the name, shown next to its input (the engine's rule).
    pub fn name_problem(&self) -> Option<&'static str> {
        webhook_engine::validate::name_problem(&self.automation.name)
    }

    pub fn apply(&mut self, edit: DraftEdit) {
        let automation = &mut self.automation;
        match edit {
            DraftEdit::Name(name) => automation.name = name,
            DraftEdit::Enabled(enabled) => automation.enabled = enabled,
            DraftEdit::Trigger(trigger) => automation.trigger = trigger,
            DraftEdit::Match { group, match_ } => {
                if let Some(group) = group_mut(&mut automation.conditions, &group) {
                    group.match_ = match_;
                }
            }
            DraftEdit::AddCondition { group } => {
                if let Some(group) = group_mut(&mut automation.conditions, &group) {
                    group
                        .items
                        .push(ConditionItem::Condition(empty_condition()));
                }
            }
            DraftEdit::AddGroup { group: path } => {
                if path.len() < MAX_GROUP_DEPTH {
                    if let Some(group) = group_mut(&mut automation.conditions, &path) {
                        // The nested group usually says the opposite: "all of A and (B or C)".
                        let match_ = match group.match_ {
                            Match::All => Match::Any,
                            Match::Any => Match::All,
                        };
                        group.items.push(ConditionItem::Group(ConditionGroup {
                            match_,
                            items: vec![ConditionItem::Condition(empty_condition())],
                        }));
                    }
                }
            }
            DraftEdit::RemoveItem(item) => {
                if let Some((&index, parent)) = item.split_last() {
                    if let Some(group) = group_mut(&mut automation.conditions, parent) {
                        if index < group.items.len() {
                            group.items.remove(index);
                        }
                    }
                }
            }
            DraftEdit::ConditionField {
                item,
                field,
                operator,
            } => {
                if let Some(condition) = condition_mut(&mut automation.conditions, &item) {
                    *condition = Condition {
                        field,
                        operator,
                        value: None,
                    };
                }
            }
            DraftEdit::ConditionOperator { item, operator } => {
                if let Some(condition) = condition_mut(&mut automation.conditions, &item) {
                    condition.operator = operator;
                    if !operator.takes_value() {
                        condition.value = None;
                    }
                }
            }
            DraftEdit::ConditionValue { item, value } => {
                if let Some(condition) = condition_mut(&mut automation.conditions, &item) {
                    condition.value = value;
                }
            }
            DraftEdit::AddAction { webhook_id } => {
                automation.actions.push(new_action(webhook_id));
                self.refused_switch = None;
            }
            DraftEdit::RemoveAction(index) => {
                if index < automation.actions.len() {
                    automation.actions.remove(index);
                    self.refused_switch = None;
                }
            }
            DraftEdit::Action { action, edit } => self.apply_to_action(action, edit),
        }
    }

    fn apply_to_action(&mut self, index: usize, edit: ActionEdit) {
        let Some(action) = self.automation.actions.get_mut(index) else {
            return;
        };
        let touches_body = matches!(
            edit,
            ActionEdit::BodyMode(_) | ActionEdit::Raw(_) | ActionEdit::Row(_)
        );
        if touches_body
            && self
                .refused_switch
                .as_ref()
                .is_some_and(|(refused, _)| *refused == index)
        {
            self.refused_switch = None;
        }
        match edit {
            ActionEdit::Webhook(id) => action.webhook_id = id,
            ActionEdit::Method(method) => action.method = method,
            ActionEdit::Path(path) => action.path = path,
            ActionEdit::BodyMode(mode) => match (&action.body, mode) {
                (Body::KeyValue { rows }, BodyMode::Raw) => {
                    action.body = Body::Raw {
                        template: key_value_to_raw(rows),
                    };
                }
                (Body::Raw { template }, BodyMode::KeyValue) => match raw_to_key_value(template) {
                    Ok(rows) => action.body = Body::KeyValue { rows },
                    Err(refusal) => self.refused_switch = Some((index, refusal.message)),
                },
                _ => {}
            },
            ActionEdit::Raw(text) => {
                if let Body::Raw { template } = &mut action.body {
                    *template = text;
                }
            }
            ActionEdit::Row(edit) => {
                if let Body::KeyValue { rows } = &mut action.body {
                    apply_to_rows(rows, edit);
                }
            }
        }
    }
}

impl Reducible for AutomationDraft {
    type Action = DraftEdit;

    fn reduce(self: Rc<Self>, edit: DraftEdit) -> Rc<Self> {
        let mut next = Rc::unwrap_or_clone(self);
        next.apply(edit);
        Rc::new(next)
    }
}

fn apply_to_rows(rows: &mut Vec<Row>, edit: RowEdit) {
    match edit {
        RowEdit::Key(index, key) => {
            if let Some(row) = rows.get_mut(index) {
                row.key = key;
            }
        }
        RowEdit::Value(index, value) => {
            if let Some(row) = rows.get_mut(index) {
                row.value = value;
            }
        }
        RowEdit::Add => rows.push(Row::new("", "")),
        RowEdit::Remove(index) => {
            if index < rows.len() {
                rows.remove(index);
            }
        }
        RowEdit::MoveUp(index) => {
            if index > 0 && index < rows.len() {
                rows.swap(index - 1, index);
            }
        }
        RowEdit::MoveDown(index) => {
            if index + 1 < rows.len() {
                rows.swap(index, index + 1);
            }
        }
    }
}

fn new_action(webhook_id: String) -> WebhookAction {
    WebhookAction {
        webhook_id,
        method: Method::Post,
        path: String::new(),
        body: Body::KeyValue {
            rows: vec![Row::new("", "")],
        },
    }
}

fn empty_condition() -> Condition {
    Condition {
        field: String::new(),
        operator: Operator::Is,
        value: None,
    }
}

/// The group at `path` (empty: the root); `None` when the path leads elsewhere.
fn group_mut<'g>(root: &'g mut ConditionGroup, path: &[usize]) -> Option<&'g mut ConditionGroup> {
    path.iter()
        .try_fold(root, |group, &index| match group.items.get_mut(index) {
            Some(ConditionItem::Group(inner)) => Some(inner),
            _ => None,
        })
}

fn condition_mut<'g>(root: &'g mut ConditionGroup, path: &[usize]) -> Option<&'g mut Condition> {
    let (&index, parent) = path.split_last()?;
    match group_mut(root, parent)?.items.get_mut(index)? {
        ConditionItem::Condition(condition) => Some(condition),
        ConditionItem::Group(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn draft() -> AutomationDraft {
        AutomationDraft::new("auto_1".into(), "deal", "wh_1".into())
    }

    fn raw(template: &str) -> Body {
        Body::Raw {
            template: template.into(),
        }
    }

    fn edit_action(draft: &mut AutomationDraft, edit: ActionEdit) {
        draft.apply(DraftEdit::Action { action: 0, edit });
    }

    #[test]
    fn a_new_draft_is_clean_until_edited_and_dirty_until_edited_back() {
        let mut draft = draft();
        assert!(!draft.is_dirty());
        assert_eq!(
            draft.name_problem(),
            Some("give the automation a name, so you can find it in the list")
        );
        draft.apply(DraftEdit::Name("Won deals".into()));
        assert!(draft.is_dirty());
        assert_eq!(draft.name_problem(), None);
        draft.apply(DraftEdit::Name(String::new()));
        assert!(!draft.is_dirty(), "back to what was saved");
    }

    #[test]
    fn conditions_are_added_nested_edited_and_removed_by_path() {
        let mut draft = draft();
        draft.apply(DraftEdit::AddCondition { group: vec![] });
        draft.apply(DraftEdit::AddGroup { group: vec![] });
        draft.apply(DraftEdit::AddCondition { group: vec![1] });
        draft.apply(DraftEdit::ConditionField {
            item: vec![1, 1],
            field: "deal.value".into(),
            operator: Operator::GreaterThan,
        });
        draft.apply(DraftEdit::ConditionValue {
            item: vec![1, 1],
            value: Some(json!(10000)),
        });
        draft.apply(DraftEdit::Match {
            group: vec![1],
            match_: Match::All,
        });
        let ConditionItem::Group(inner) = &draft.automation.conditions.items[1] else {
            panic!("the second item is the nested group");
        };
        assert_eq!(inner.match_, Match::All);
        assert_eq!(
            inner.items[1],
            ConditionItem::Condition(Condition {
                field: "deal.value".into(),
                operator: Operator::GreaterThan,
                value: Some(json!(10000)),
            })
        );

        draft.apply(DraftEdit::RemoveItem(vec![1, 0]));
        draft.apply(DraftEdit::RemoveItem(vec![0]));
        let ConditionItem::Group(inner) = &draft.automation.conditions.items[0] else {
            panic!("the nested group moved up");
        };
        assert_eq!(inner.items.len(), 1);
    }

    #[test]
    fn a_new_group_says_the_opposite_of_its_parent_and_nesting_stops_at_the_limit() {
        let mut draft = draft();
        draft.apply(DraftEdit::AddGroup { group: vec![] });
        draft.apply(DraftEdit::AddGroup { group: vec![0] });
        draft.apply(DraftEdit::AddGroup { group: vec![0, 1] });
        let ConditionItem::Group(level_1) = &draft.automation.conditions.items[0] else {
            panic!()
        };
        assert_eq!(level_1.match_, Match::Any);
        let ConditionItem::Group(level_2) = &level_1.items[1] else {
            panic!()
        };
        assert_eq!(level_2.match_, Match::All);
        assert_eq!(level_2.items.len(), 1, "no group below the deepest level");
    }

    #[test]
    fn a_new_field_resets_the_value_and_operators_without_one_drop_it() {
        let mut draft = draft();
        draft.apply(DraftEdit::AddCondition { group: vec![] });
        draft.apply(DraftEdit::ConditionValue {
            item: vec![0],
            value: Some(json!("won")),
        });
        draft.apply(DraftEdit::ConditionField {
            item: vec![0],
            field: "deal.status".into(),
            operator: Operator::Is,
        });
        let value = |draft: &AutomationDraft| match &draft.automation.conditions.items[0] {
            ConditionItem::Condition(condition) => condition.value.clone(),
            ConditionItem::Group(_) => panic!(),
        };
        assert_eq!(value(&draft), None);
        draft.apply(DraftEdit::ConditionValue {
            item: vec![0],
            value: Some(json!("won")),
        });
        draft.apply(DraftEdit::ConditionOperator {
            item: vec![0],
            operator: Operator::HasChangedTo,
        });
        assert_eq!(value(&draft), Some(json!("won")), "still takes a value");
        draft.apply(DraftEdit::ConditionOperator {
            item: vec![0],
            operator: Operator::IsEmpty,
        });
        assert_eq!(value(&draft), None);
    }

    #[test]
    fn edits_at_paths_that_lead_nowhere_change_nothing() {
        let mut draft = draft();
        let before = draft.clone();
        draft.apply(DraftEdit::RemoveItem(vec![3]));
        draft.apply(DraftEdit::AddCondition { group: vec![0] });
        draft.apply(DraftEdit::ConditionOperator {
            item: vec![0, 2],
            operator: Operator::Is,
        });
        draft.apply(DraftEdit::Action {
            action: 5,
            edit: ActionEdit::Path("/x".into()),
        });
        draft.apply(DraftEdit::RemoveAction(5));
        assert_eq!(draft, before);
    }

    #[test]
    fn key_value_rows_always_switch_to_raw_json() {
        let mut draft = draft();
        edit_action(&mut draft, ActionEdit::Row(RowEdit::Key(0, "id".into())));
        edit_action(
            &mut draft,
            ActionEdit::Row(RowEdit::Value(0, "{{deal.id}}".into())),
        );
        edit_action(&mut draft, ActionEdit::BodyMode(BodyMode::Raw));
        assert_eq!(
            draft.automation.actions[0].body,
            raw("{\n  \"id\": {{deal.id}}\n}")
        );
        edit_action(&mut draft, ActionEdit::BodyMode(BodyMode::KeyValue));
        assert_eq!(
            draft.automation.actions[0].body,
            Body::KeyValue {
                rows: vec![Row::new("id", "{{deal.id}}")]
            }
        );
        assert_eq!(draft.refused_switch, None);
    }

    #[test]
    fn a_refused_switch_to_rows_keeps_the_raw_text_and_says_why_until_the_body_changes() {
        let mut draft = draft();
        edit_action(&mut draft, ActionEdit::BodyMode(BodyMode::Raw));
        let nested = "{\"deal\": {\"id\": {{deal.id}}}}";
        edit_action(&mut draft, ActionEdit::Raw(nested.into()));
        edit_action(&mut draft, ActionEdit::BodyMode(BodyMode::KeyValue));
        assert_eq!(draft.automation.actions[0].body, raw(nested));
        let (action, why) = draft.refused_switch.clone().expect("refused");
        assert_eq!(action, 0);
        assert!(why.contains("an object"), "{why}");

        edit_action(&mut draft, ActionEdit::Path("/orders".into()));
        assert!(draft.refused_switch.is_some(), "the path is not the body");
        edit_action(&mut draft, ActionEdit::Raw("{\"id\": 1}".into()));
        assert_eq!(draft.refused_switch, None);
    }

    #[test]
    fn rows_are_added_moved_and_removed_within_bounds() {
        let mut draft = draft();
        let row = |edit| ActionEdit::Row(edit);
        edit_action(&mut draft, row(RowEdit::Key(0, "a".into())));
        edit_action(&mut draft, row(RowEdit::Add));
        edit_action(&mut draft, row(RowEdit::Key(1, "b".into())));
        edit_action(&mut draft, row(RowEdit::Add));
        edit_action(&mut draft, row(RowEdit::Key(2, "c".into())));
        edit_action(&mut draft, row(RowEdit::MoveUp(2)));
        edit_action(&mut draft, row(RowEdit::MoveUp(0)));
        edit_action(&mut draft, row(RowEdit::MoveDown(2)));
        edit_action(&mut draft, row(RowEdit::MoveDown(0)));
        edit_action(&mut draft, row(RowEdit::Remove(9)));
        let keys = |draft: &AutomationDraft| match &draft.automation.actions[0].body {
            Body::KeyValue { rows } => rows.iter().map(|row| row.key.clone()).collect::<Vec<_>>(),
            Body::Raw { .. } => panic!(),
        };
        assert_eq!(keys(&draft), ["c", "a", "b"]);
        edit_action(&mut draft, row(RowEdit::Remove(1)));
        assert_eq!(keys(&draft), ["c", "b"]);
    }

    #[test]
    fn actions_are_added_and_removed() {
        let mut draft = draft();
        draft.apply(DraftEdit::AddAction {
            webhook_id: "wh_2".into(),
        });
        draft.apply(DraftEdit::Action {
            action: 1,
            edit: ActionEdit::Method(Method::Delete),
        });
        draft.apply(DraftEdit::RemoveAction(0));
        assert_eq!(draft.automation.actions.len(), 1);
        assert_eq!(draft.automation.actions[0].webhook_id, "wh_2");
        assert_eq!(draft.automation.actions[0].method, Method::Delete);
    }

    #[test]
    fn an_edited_automation_is_clean_until_changed() {
        let mut saved = draft().automation;
        saved.name = "Won deals".into();
        let mut draft = AutomationDraft::editing(saved);
        assert!(!draft.is_new && !draft.is_dirty());
        draft.apply(DraftEdit::Enabled(false));
        assert!(draft.is_dirty());
    }
}
