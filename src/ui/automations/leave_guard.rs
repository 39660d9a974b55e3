//! Unsaved changes are not lost by accident. While the editor has changes, leaving it asks first:
//! its Cancel button, a click on another section in the navigation, the back button (a change of the
//! URL's `#/section`), and closing or reloading the page (the browser's own `beforeunload` question).
//!
//! The app's navigation knows nothing about editors, so the guard acts before it does: a click
//! listener in the capture phase on the document stops a click on another section; for the back
//! button, `popstate` comes before the `hashchange` the app follows, so the guard puts
//! `#/automations` back right away and the app, reading the URL, stays. A stopped navigation is
//! remembered and replayed once the admin chooses to leave.

use std::cell::Cell;
use std::rc::Rc;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{BeforeUnloadEvent, Element, Event, HtmlElement};
use yew::prelude::*;

use crate::state::Section;
use crate::ui::routing::{hash_for, section_from_hash};

/// How the admin tried to leave.
#[derive(Clone)]
enum Leaving {
    Cancel,
    /// A navigation link, clicked again to leave.
    Link(HtmlElement),
    /// The URL fragment they went to, set again to leave.
    Hash(String),
}

pub struct LeaveGuard {
    /// Whether the "leave without saving?" question is open.
    pub asking: bool,
    /// Cancel: leaves at once without changes, else asks.
    pub cancel: Callback<()>,
    pub stay: Callback<()>,
    pub leave: Callback<()>,
}

/// Guards `scope`'s page while `dirty`; `on_cancel` leaves the editor when the admin cancels.
#[hook]
pub fn use_leave_guard(dirty: bool, scope: NodeRef, on_cancel: Callback<()>) -> LeaveGuard {
    let pending = use_state(|| None::<Leaving>);
    // Set once the admin chose to leave, so the replayed navigation passes.
    let released = use_memo((), |()| Cell::new(false));
    {
        let (pending, released) = (pending.clone(), released.clone());
        use_effect_with(dirty, move |&dirty| {
            let listeners = dirty.then(|| Listeners::install(scope, pending, released));
            move || drop(listeners)
        });
    }
    let cancel = {
        let (pending, on_cancel) = (pending.clone(), on_cancel.clone());
        Callback::from(move |()| {
            if dirty {
                pending.set(Some(Leaving::Cancel));
            } else {
                on_cancel.emit(());
            }
        })
    };
    let stay = {
        let pending = pending.clone();
        Callback::from(move |()| pending.set(None))
    };
    let leave = {
        let pending = pending.clone();
        Callback::from(move |()| {
            released.set(true);
            match (*pending).clone() {
                Some(Leaving::Cancel) | None => on_cancel.emit(()),
                Some(Leaving::Link(link)) => link.click(),
                Some(Leaving::Hash(hash)) => {
                    if let Some(window) = web_sys::window() {
                        let _ = window.location().set_hash(&hash);
                    }
                }
            }
            pending.set(None);
        })
    };
    LeaveGuard {
        asking: pending.is_some(),
        cancel,
        stay,
        leave,
    }
}

/// The listeners installed while there are unsaved changes; dropping them removes them all.
struct Listeners {
    on_click: Closure<dyn Fn(Event)>,
    on_pop_state: Closure<dyn Fn(Event)>,
    on_before_unload: Closure<dyn Fn(BeforeUnloadEvent)>,
    /// The page's own `onbeforeunload`, put back afterwards (a host page may have one).
    previous_before_unload: Option<js_sys::Function>,
}

impl Listeners {
    fn install(
        scope: NodeRef,
        pending: UseStateHandle<Option<Leaving>>,
        released: Rc<Cell<bool>>,
    ) -> Listeners {
        let on_click = {
            let (pending, released) = (pending.clone(), released.clone());
            Closure::<dyn Fn(Event)>::new(move |event: Event| {
                if released.get() {
                    return;
                }
                if let Some(link) = leaving_link(&event, &scope) {
                    event.prevent_default();
                    event.stop_immediate_propagation();
                    pending.set(Some(Leaving::Link(link)));
                }
            })
        };
        let on_pop_state = Closure::<dyn Fn(Event)>::new(move |_: Event| {
            let Some(location) = web_sys::window().map(|window| window.location()) else {
                return;
            };
            let hash = location.hash().unwrap_or_default();
            let here = hash_for(Section::Automations);
            if released.get() || hash == here || section_from_hash(&hash).is_none() {
                return;
            }
            // Back on this section's URL (replacing the entry, so "back" is not doubled) and ask.
            let _ = location.replace(&here);
            pending.set(Some(Leaving::Hash(hash)));
        });
        let on_before_unload =
            Closure::<dyn Fn(BeforeUnloadEvent)>::new(|event: BeforeUnloadEvent| {
                event.prevent_default();
                event.set_return_value("You have unsaved changes to this automation.");
            });
        let window = web_sys::window().expect("the app runs in a window");
        let previous_before_unload = window.onbeforeunload();
        window.set_onbeforeunload(Some(on_before_unload.as_ref().unchecked_ref()));
        if let Some(document) = window.document() {
            let _ = document.add_event_listener_with_callback_and_bool(
                "click",
                on_click.as_ref().unchecked_ref(),
                true,
            );
        }
        let _ = window
            .add_event_listener_with_callback("popstate", on_pop_state.as_ref().unchecked_ref());
        Listeners {
            on_click,
            on_pop_state,
            on_before_unload,
            previous_before_unload,
        }
    }
}

impl Drop for Listeners {
    fn drop(&mut self) {
        let Some(window) = web_sys::window() else {
            return;
        };
        let ours: &js_sys::Function = self.on_before_unload.as_ref().unchecked_ref();
        if window.onbeforeunload().as_ref() == Some(ours) {
            window.set_onbeforeunload(self.previous_before_unload.as_ref());
        }
        if let Some(document) = window.document() {
            let _ = document.remove_event_listener_with_callback_and_bool(
                "click",
                self.on_click.as_ref().unchecked_ref(),
                true,
            );
        }
        let _ = window.remove_event_listener_with_callback(
            "popstate",
            self.on_pop_state.as_ref().unchecked_ref(),
        );
    }
}

/// The navigation link the click goes to, when it leads to another section of the same app as
/// `scope` (another app on the page, embedded twice, is none of the editor's business).
fn leaving_link(event: &Event, scope: &NodeRef) -> Option<HtmlElement> {
    let target = event.target()?.dyn_into::<Element>().ok()?;
    let link = target.closest(".wa-nav-link").ok()??;
    let goes_elsewhere =
        link.get_attribute("data-section").as_deref() != Some(Section::Automations.slug());
    let app = |element: &Element| element.closest(".wa-app").ok().flatten();
    let same_app = app(&link) == scope.cast::<Element>().and_then(|element| app(&element));
    (goes_elsewhere && same_app).then(|| link.dyn_into::<HtmlElement>().ok())?
}
