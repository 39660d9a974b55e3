//! The app's frame: navigation on the side, the open section beside it.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::ui::nav::Nav;
use crate::ui::routing::{hash_for, section_from_hash};
use crate::ui::sections::SectionView;
use crate::ui::state::{AppAction, AppState, Section};

#[derive(Properties, Clone, PartialEq)]
pub struct AppProps {
    /// Mirror the open section in the URL fragment; off when embedded in a host page.
    #[prop_or(true)]
    pub hash_routing: bool,
}

#[component]
pub fn App(props: &AppProps) -> Html {
    let hash_routing = props.hash_routing;
    let state = use_reducer(|| AppState {
        section: hash_routing
            .then(current_hash)
            .and_then(|hash| section_from_hash(&hash))
            .unwrap_or(Section::Webhooks),
    });

    {
        let state = state.clone();
        use_effect_with(hash_routing, move |&hash_routing| {
            let listener = hash_routing.then(|| follow_hash_changes(state));
            move || drop(listener)
        });
    }

    let open = {
        let state = state.clone();
        Callback::from(move |section: Section| {
            if hash_routing {
                set_hash(&hash_for(section));
            }
            state.dispatch(AppAction::Open(section));
        })
    };

    html! {
        <div class="wa-app">
            <Nav current={state.section} on_open={open} />
            <main class="wa-main" aria-live="polite">
                <SectionView section={state.section} />
            </main>
        </div>
    }
}

fn current_hash() -> String {
    web_sys::window()
        .and_then(|window| window.location().hash().ok())
        .unwrap_or_default()
}

fn set_hash(hash: &str) {
    if let Some(window) = web_sys::window() {
        // Failing to update the URL only loses the bookmark, never the navigation itself.
        let _ = window.location().set_hash(hash);
    }
}

/// Opens the section named by the URL whenever the back/forward buttons change it. The listener is
/// removed when the returned guard drops.
fn follow_hash_changes(state: UseReducerHandle<AppState>) -> HashChangeListener {
    let callback = Closure::<dyn Fn()>::new(move || {
        if let Some(section) = section_from_hash(&current_hash()) {
            state.dispatch(AppAction::Open(section));
        }
    });
    if let Some(window) = web_sys::window() {
        let _ = window
            .add_event_listener_with_callback("hashchange", callback.as_ref().unchecked_ref());
    }
    HashChangeListener { callback }
}

struct HashChangeListener {
    callback: Closure<dyn Fn()>,
}

impl Drop for HashChangeListener {
    fn drop(&mut self) {
        if let Some(window) = web_sys::window() {
            let _ = window.remove_event_listener_with_callback(
                "hashchange",
                self.callback.as_ref().unchecked_ref(),
            );
        }
    }
}
