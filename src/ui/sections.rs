//! The content of each section. Until their features land, each section explains what it will hold
//! with an empty state, the way the finished section shows itself before the admin adds anything.

use yew::prelude::*;

use crate::state::Section;

/// `section` with its header, then `body`: its content, or its empty state while there is none.
pub fn section_view(section: Section, body: Html) -> Html {
    let (summary, empty_title, empty_text) = describe(section);
    html! {
        <section class="wa-section" data-section={section.slug()} aria-labelledby="wa-section-title">
            <header class="wa-section-header">
                <h1 id="wa-section-title">{ section.title() }</h1>
                <p class="wa-section-summary">{ summary }</p>
            </header>
            if body == Html::default() {
                <div class="wa-empty">
                    <h2>{ empty_title }</h2>
                    <p>{ empty_text }</p>
                </div>
            } else {
                { body }
            }
        </section>
    }
}

fn describe(section: Section) -> (&'static str, &'static str, &'static str) {
    match section {
        Section::Webhooks => (
            "Endpoints your automations call: a name, a base URL and the credentials to reach it.",
            "No webhooks yet",
            "Register a webhook once, then pick it by name in any automation. Credentials stay in this browser and never appear in the history or in exports.",
        ),
        Section::Automations => (
            "When a CRM record changes and the conditions match, send a request to a webhook.",
            "No automations yet",
            "An automation is a trigger (entity and event), conditions, and a webhook action with a method, a path and a JSON body built from CRM fields.",
        ),
        Section::History => (
            "Every run with its final path, body, answer, and why it failed when it failed.",
            "Nothing has run yet",
            "Executions appear here as soon as an automation fires, for every user who triggers it.",
        ),
        Section::Sandbox => (
            "A demo CRM with sample deals, people, organizations, activities and leads.",
            "Try your automations safely",
            "Change a sample record here and its event triggers your automations exactly as the real CRM would.",
        ),
        Section::Settings => (
            "History retention, import and export of the configuration, and storage.",
            "Defaults in use",
            "Executions are kept for 15 days. Import and export move the whole configuration, without secrets, as one JSON document.",
        ),
    }
}
