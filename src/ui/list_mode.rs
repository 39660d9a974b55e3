//! What a list page shows — the list, a form, a delete confirmation — and the rule that a form
//! closes only once what it saved shows in the list, so a save that fails keeps everything typed.

use std::rc::Rc;

use yew::prelude::*;

#[derive(Clone, PartialEq)]
pub enum Mode {
    Listing,
    Creating,
    Editing(String),
    ConfirmingDelete(String),
}

/// The page's mode, and the callback to call with an item as it is being saved: the page returns to
/// the list when that exact item appears in `items`.
#[hook]
pub fn use_list_mode<T: PartialEq + Clone + 'static>(
    items: Rc<Vec<T>>,
) -> (UseStateHandle<Mode>, Callback<T>) {
    let mode = use_state(|| Mode::Listing);
    let awaiting = use_state(|| None::<T>);
    {
        let (mode, awaiting) = (mode.clone(), awaiting.clone());
        use_effect_with(items, move |items| {
            if let Some(saved) = &*awaiting {
                if items.iter().any(|item| item == saved) {
                    awaiting.set(None);
                    mode.set(Mode::Listing);
                }
            }
        });
    }
    let await_saved = Callback::from(move |item: T| awaiting.set(Some(item)));
    (mode, await_saved)
}
