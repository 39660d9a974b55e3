//! What the builder checks and previews against: the app's field catalog (the built-in one, or the
//! embedding CRM's own), shared with every component of the editor as a context, and the sample
//! dataset, read once per page rather than on every keystroke.

use std::rc::Rc;

use webhook_engine::catalog::Catalog;
use webhook_engine::editor::operators::operators_for;
use webhook_engine::editor::picker::{picker_fields, PickerField};
use webhook_engine::model::Trigger;
use webhook_engine::sample::SampleData;
use yew::{hook, use_context};

thread_local! {
    static SAMPLE: Rc<SampleData> = Rc::new(SampleData::builtin());
}

/// The catalog the automation editor provides to everything inside it.
#[hook]
pub fn use_catalog() -> Rc<Catalog> {
    use_context::<Rc<Catalog>>()
        .expect("used inside the automation editor, which provides the catalog")
}

pub fn sample() -> Rc<SampleData> {
    SAMPLE.with(Rc::clone)
}

/// The fields a condition on `trigger` can check: the picker's fields that have operators.
pub fn condition_fields(catalog: &Catalog, trigger: &Trigger) -> Vec<PickerField> {
    picker_fields(catalog, trigger)
        .into_iter()
        .filter(|field| {
            operators_for(catalog, trigger, &field.path).is_ok_and(|ops| !ops.is_empty())
        })
        .collect()
}

/// "Deal · updated", as lists and headings name a trigger.
pub fn trigger_label(catalog: &Catalog, trigger: &Trigger) -> String {
    let entity = catalog
        .entity(&trigger.entity)
        .map_or(trigger.entity.as_str(), |entity| entity.label.as_str());
    format!("{entity} · {}", trigger.action.as_str())
}

/// The fields in runs of the same group, in the engine's order: how the picker and the condition
/// field menu both list them.
pub fn grouped<'f>(
    fields: impl IntoIterator<Item = &'f PickerField>,
) -> Vec<(&'f str, Vec<&'f PickerField>)> {
    let mut groups: Vec<(&str, Vec<&PickerField>)> = Vec::new();
    for field in fields {
        match groups.last_mut() {
            Some((group, members)) if *group == field.group => members.push(field),
            _ => groups.push((&field.group, vec![field])),
        }
    }
    groups
}
