//! Who makes the sandbox's changes: a select of the sample's users, and a line saying who acts and
//! what they see. Switching shows how visibility limits the CRM — never which automations run.

use webhook_engine::event::User;
use webhook_engine::sample::{SampleUser, Visibility};
use yew::prelude::*;

use crate::ui::widgets::input_value;

pub fn acting_user(users: &[SampleUser], viewer: &SampleUser, on_user: &Callback<User>) -> Html {
    let on_change = {
        let (users, on_user) = (users.to_vec(), on_user.clone());
        Callback::from(move |event: Event| {
            let id = input_value(&event);
            if let Some(chosen) = users.iter().find(|user| user.user.id.to_string() == id) {
                on_user.emit(chosen.user.clone());
            }
        })
    };
    html! {
        <>
            <p class="wa-sandbox-acting" role="status">
                <strong>{ format!("Acting as {} ({})", viewer.user.name, describe(viewer)) }</strong>
                <span class="wa-muted">{ "Automations run for every user's changes, whatever the user can see." }</span>
            </p>
            <div class="wa-sandbox-user">
                <label for="sandbox-user">{ "Switch user" }</label>
                <select id="sandbox-user" class="wa-input" onchange={on_change}>
                    { for users.iter().map(|user| html! {
                        <option value={user.user.id.to_string()} selected={user.user.id == viewer.user.id}>
                            { format!("{} ({})", user.user.name, describe(user)) }
                        </option>
                    }) }
                </select>
            </div>
        </>
    }
}

/// "admin, sees every record" / "sees own records only".
fn describe(user: &SampleUser) -> String {
    let sees = match user.visibility {
        Visibility::Everything => "sees every record",
        Visibility::OwnRecords => "sees own records only",
    };
    if user.user.is_admin {
        format!("admin, {sees}")
    } else {
        sees.to_string()
    }
}
