//! Each section's frame: its title and a one-line summary above the page itself.

use yew::prelude::*;

use crate::state::Section;

/// `section` with its header, then `body`, the page (which shows its own empty state).
pub fn section_view(section: Section, body: Html) -> Html {
    html! {
        <section class="wa-section" data-section={section.slug()} aria-labelledby="wa-section-title">
            <header class="wa-section-header">
                <h1 id="wa-section-title">{ section.title() }</h1>
                <p class="wa-section-summary">{ summary(section) }</p>
            </header>
            { body }
        </section>
    }
}

fn summary(section: Section) -> &'static str {
    match section {
        Section::Webhooks => {
            "Endpoints your automations call: a name, a base URL and the credentials to reach it."
        }
        Section::Automations => {
            "When a CRM record changes and the conditions match, send a request to a webhook."
        }
        Section::History => {
            "Every run with its final path, body, answer, and why it failed when it failed."
        }
        Section::Sandbox => {
            "A demo CRM with sample deals, people, organizations, activities and leads."
        }
        Section::Settings => {
            "History retention, the loop guard, and import and export of the configuration."
        }
    }
}
