//! The page's delivery runtime, as the app drives it: the app's module holds no dispatcher of its
//! own. The host shell (`widget.js`, the standalone page) loads `webhook-automations-runtime.js`
//! beside this module and passes it to `mount` as `runtime`; the app connects through its
//! `connectApp` port (see the runtime's `host/app_port.rs`), handing over JSON text, since two wasm
//! modules share no memory. So a page runs one dispatcher, the runtime's, however many widgets it
//! shows and whether or not it also called `createRuntime`.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use webhook_engine::catalog::Catalog;
use webhook_engine::event::{Event, User};
use webhook_engine::model::{Automation, Webhook};
use webhook_engine::runner::Execution;

use crate::deliveries::{Deliveries, Listening, Testing};
use crate::dispatch::failed_test;
use crate::relay::RelayConnection;

#[wasm_bindgen]
extern "C" {
    /// `webhook-automations-runtime.js`, initialised: what `mount` takes as its `runtime` option.
    #[derive(Clone, PartialEq)]
    pub type RuntimeModule;
    #[wasm_bindgen(method, catch, js_name = connectApp)]
    fn connect_app(
        this: &RuntimeModule,
        hosted: bool,
        catalog: &str,
    ) -> Result<js_sys::Promise, JsValue>;

    /// The runtime's `AppPort`.
    type AppPort;
    #[wasm_bindgen(method, catch)]
    fn emit(this: &AppPort, event: &str) -> Result<bool, JsValue>;
    #[wasm_bindgen(method, catch)]
    fn replay(this: &AppPort, execution: &str, by: &str) -> Result<(), JsValue>;
    #[wasm_bindgen(method, catch)]
    fn test(this: &AppPort, webhook: &str, by: &str) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(method, catch, js_name = setConfig)]
    fn set_config(this: &AppPort, config: &str) -> Result<(), JsValue>;
    #[wasm_bindgen(method, catch, js_name = setCatalog)]
    fn set_catalog(this: &AppPort, catalog: &str) -> Result<(), JsValue>;
    #[wasm_bindgen(method, js_name = setMaxRunsPerMinute)]
    fn set_max_runs_per_minute(this: &AppPort, limit: u32);
    #[wasm_bindgen(method, catch, js_name = setRelay)]
    fn set_relay(this: &AppPort, relay: &str) -> Result<(), JsValue>;
    #[wasm_bindgen(method, js_name = releaseOutbox)]
    fn release_outbox(this: &AppPort);
    #[wasm_bindgen(method, js_name = onExecution)]
    fn on_execution(this: &AppPort, listener: &js_sys::Function) -> PortListener;
    #[wasm_bindgen(method, js_name = onProblem)]
    fn on_problem(this: &AppPort, listener: &js_sys::Function) -> PortListener;

    type PortListener;
    #[wasm_bindgen(method)]
    fn free(this: &PortListener);
}

impl RuntimeModule {
    /// `value` as the runtime's module, or why it is not one.
    pub fn from_js(value: JsValue) -> Result<RuntimeModule, String> {
        let connect = js_sys::Reflect::get(&value, &JsValue::from_str("connectApp"))
            .unwrap_or(JsValue::UNDEFINED);
        if value.is_object() && connect.is_function() {
            Ok(value.unchecked_into())
        } else {
            Err("`runtime` must be the module webhook-automations-runtime.js, imported and initialised (see docs/host-api.md)".into())
        }
    }

    /// Connects to the page's deliveries (starting them when this page has none yet).
    pub async fn connect(
        &self,
        hosted: bool,
        catalog: &Catalog,
    ) -> Result<Rc<dyn Deliveries>, String> {
        let catalog = serde_json::to_string(catalog).map_err(|error| error.to_string())?;
        let promise = self
            .connect_app(hosted, &catalog)
            .map_err(|error| problem(&error))?;
        let port = JsFuture::from(promise)
            .await
            .map_err(|error| problem(&error))?;
        Ok(Rc::new(PageRuntime {
            port: port.unchecked_into(),
            executions: Rc::default(),
        }))
    }
}

/// The page's deliveries behind the runtime's port.
struct PageRuntime {
    port: AppPort,
    executions: Rc<ExecutionFeed>,
}

type ExecutionListener = Rc<dyn Fn(&Execution)>;

/// This app's listeners to executions, all behind one listener on the port: each change crosses
/// as JSON text once and is read once, however many parts of the app (its views, the host API's
/// events) listen.
#[derive(Default)]
struct ExecutionFeed {
    listeners: RefCell<Vec<(u64, ExecutionListener)>>,
    next_id: Cell<u64>,
    /// The port's listener, while this app has any of its own.
    port: RefCell<Option<Listening>>,
}

impl ExecutionFeed {
    fn tell(&self, json: &str) {
        let Ok(execution) = serde_json::from_str::<Execution>(json) else {
            return;
        };
        let listeners: Vec<_> = self
            .listeners
            .borrow()
            .iter()
            .map(|(_, listener)| listener.clone())
            .collect();
        for listener in listeners {
            listener(&execution);
        }
    }
}

/// Removes its listener from the feed when dropped (and the port's when it was the last).
struct FeedListening {
    feed: Weak<ExecutionFeed>,
    id: u64,
}

impl Drop for FeedListening {
    fn drop(&mut self) {
        let Some(feed) = self.feed.upgrade() else {
            return;
        };
        feed.listeners.borrow_mut().retain(|(id, _)| *id != self.id);
        if feed.listeners.borrow().is_empty() {
            let port = feed.port.borrow_mut().take();
            drop(port);
        }
    }
}

/// A listener on the port and the closure it calls, removed together.
struct PortListening {
    listener: PortListener,
    _closure: Closure<dyn Fn(String)>,
}

impl Drop for PortListening {
    fn drop(&mut self) {
        self.listener.free();
    }
}

impl PageRuntime {
    /// A call the runtime refused: both modules come from one build, so this only happens when the
    /// runtime broke down; the console says so, since no delivery can be affected more than this.
    fn refused(&self, call: &str, result: Result<(), JsValue>) {
        if let Err(error) = result {
            web_sys::console::error_1(
                &format!(
                    "Webhook Automations: the delivery runtime refused {call}: {}",
                    problem(&error)
                )
                .into(),
            );
        }
    }

    fn listen(
        &self,
        listener: impl Fn(String) + 'static,
        register: fn(&AppPort, &js_sys::Function) -> PortListener,
    ) -> Listening {
        let closure = Closure::<dyn Fn(String)>::new(listener);
        let listener = register(&self.port, closure.as_ref().unchecked_ref());
        Listening::new(PortListening {
            listener,
            _closure: closure,
        })
    }
}

impl Deliveries for PageRuntime {
    fn emit(&self, event: Event) -> bool {
        match self.port.emit(&json(&event)) {
            Ok(accepted) => accepted,
            Err(error) => {
                self.refused("an event", Err(error));
                false
            }
        }
    }

    fn replay(&self, original: &Execution, by: &User) {
        self.refused("a replay", self.port.replay(&json(original), &json(by)));
    }

    fn test(&self, webhook: &Webhook, by: &User) -> Testing {
        let sent = self.port.test(&json(webhook), &json(by));
        let (webhook, by) = (webhook.clone(), by.clone());
        Box::pin(async move {
            let answer = match sent {
                Ok(promise) => JsFuture::from(promise).await,
                Err(error) => Err(error),
            };
            let execution = answer.map_err(|error| problem(&error)).and_then(|json| {
                serde_json::from_str(&json.as_string().unwrap_or_default())
                    .map_err(|error| error.to_string())
            });
            execution.unwrap_or_else(|reason| {
                failed_test(
                    &webhook,
                    &by,
                    &format!("The delivery runtime could not send it: {reason}"),
                )
            })
        })
    }

    fn set_config(&self, webhooks: &[Webhook], automations: &[Automation], revision: u64) {
        #[derive(Serialize)]
        struct InForce<'a> {
            webhooks: &'a [Webhook],
            automations: &'a [Automation],
            revision: u64,
        }
        let config = json(&InForce {
            webhooks,
            automations,
            revision,
        });
        self.refused("the configuration", self.port.set_config(&config));
    }

    fn set_catalog(&self, catalog: Catalog) {
        self.refused("the catalog", self.port.set_catalog(&json(&catalog)));
    }

    fn set_max_runs_per_minute(&self, limit: u32) {
        self.port.set_max_runs_per_minute(limit);
    }

    fn set_relay(&self, relay: &RelayConnection) {
        self.refused("the relay connection", self.port.set_relay(&json(relay)));
    }

    fn release_outbox(&self) {
        self.port.release_outbox();
    }

    fn on_execution(&self, listener: Box<dyn Fn(&Execution)>) -> Listening {
        let feed = &self.executions;
        let id = feed.next_id.get();
        feed.next_id.set(id + 1);
        feed.listeners.borrow_mut().push((id, Rc::from(listener)));
        if feed.port.borrow().is_none() {
            let weak = Rc::downgrade(feed);
            let listening = self.listen(
                move |json: String| {
                    if let Some(feed) = weak.upgrade() {
                        feed.tell(&json);
                    }
                },
                AppPort::on_execution,
            );
            *feed.port.borrow_mut() = Some(listening);
        }
        Listening::new(FeedListening {
            feed: Rc::downgrade(feed),
            id,
        })
    }

    fn on_problem(&self, listener: Box<dyn Fn(String)>) -> Listening {
        self.listen(listener, AppPort::on_problem)
    }
}

/// What crosses to the runtime: the engine's own types, which always serialise.
fn json(value: &impl Serialize) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// A JavaScript error's message.
fn problem(error: &JsValue) -> String {
    js_sys::Reflect::get(error, &JsValue::from_str("message"))
        .ok()
        .and_then(|message| message.as_string())
        .unwrap_or_else(|| format!("{error:?}"))
}
