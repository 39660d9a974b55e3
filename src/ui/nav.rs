//! The side navigation between the app's sections.

use yew::prelude::*;

use crate::state::Section;
use crate::ui::routing::hash_for;

pub fn nav(
    sections: impl Iterator<Item = Section>,
    current: Section,
    on_open: &Callback<Section>,
) -> Html {
    html! {
        <nav class="wa-nav" aria-label="Webhook Automations">
            <div class="wa-brand">
                <span class="wa-brand-mark" aria-hidden="true">{ "⇄" }</span>
                <span class="wa-brand-name">{ "Webhook Automations" }</span>
            </div>
            <ul class="wa-nav-list">
                { for sections.map(|section| nav_item(section, current, on_open)) }
            </ul>
        </nav>
    }
}

fn nav_item(section: Section, current: Section, on_open: &Callback<Section>) -> Html {
    let is_current = section == current;
    let onclick = on_open.reform(move |event: MouseEvent| {
        // The app routes itself; the link's href only serves "open in new tab" and screen readers.
        event.prevent_default();
        section
    });
    html! {
        <li>
            <a
                class={classes!("wa-nav-link", is_current.then_some("is-current"))}
                href={hash_for(section)}
                data-section={section.slug()}
                aria-current={is_current.then_some("page")}
                {onclick}
            >
                { icon(section) }
                { section.title() }
            </a>
        </li>
    }
}

/// Line icons drawn for this app (24×24, stroked with the text colour), so no icon font or emoji font
/// is needed wherever the app is shown.
fn icon(section: Section) -> Html {
    let shapes = match section {
        Section::Webhooks => html! { <>
            <circle cx="6" cy="12" r="3" /><circle cx="18" cy="6" r="3" /><circle cx="18" cy="18" r="3" />
            <path d="M8.7 10.6l6.6-3.2M8.7 13.4l6.6 3.2" />
        </> },
        Section::Automations => html! { <path d="M13 2L4 14h7l-1 8 9-12h-7z" /> },
        Section::History => html! { <>
            <circle cx="12" cy="12" r="9" /><path d="M12 7v5l3.5 2" />
        </> },
        Section::Sandbox => {
            html! { <path d="M9 3h6M10 3v6l-5.5 9.5A1.7 1.7 0 0 0 6 21h12a1.7 1.7 0 0 0 1.5-2.5L14 9V3M7.5 15h9" /> }
        }
        Section::Settings => html! { <>
            <path d="M4 6h9M17 6h3M4 12h3M11 12h9M4 18h11M19 18h1" />
            <circle cx="15" cy="6" r="2" /><circle cx="9" cy="12" r="2" /><circle cx="17" cy="18" r="2" />
        </> },
    };
    html! {
        <svg class="wa-nav-icon" viewBox="0 0 24 24" width="18" height="18" fill="none" stroke="currentColor"
            stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">
            { shapes }
        </svg>
    }
}
