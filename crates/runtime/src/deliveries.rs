//! The page's deliveries as whatever shows them drives them: the host bridge, the runtime alone and
//! the app all hand events and the configuration in force to one [`Deliveries`], and hear about
//! executions and problems from it. In the runtime's module it is the page's [`Dispatcher`]; the
//! app's module holds none of its own and drives the runtime's through a JavaScript port (two wasm
//! modules share no memory), so a page runs one dispatcher however many modules it loads.

use std::any::Any;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use webhook_engine::catalog::Catalog;
use webhook_engine::event::{Event, User};
use webhook_engine::model::{Automation, Webhook};
use webhook_engine::runner::Execution;

use crate::dispatch::{test_webhook, Accepted, Dispatcher};
use crate::relay::RelayConnection;

/// What a "Test webhook" send resolves to: its classified execution (never recorded).
pub type Testing = Pin<Box<dyn Future<Output = Execution>>>;

/// Keeps a listener registered for as long as it is held.
pub struct Listening {
    _guard: Box<dyn Any>,
}

impl Listening {
    pub fn new(guard: impl Any) -> Listening {
        Listening {
            _guard: Box::new(guard),
        }
    }
}

pub trait Deliveries {
    /// Runs the automations `event` triggers; false when its id was seen before.
    fn emit(&self, event: Event) -> bool;
    /// Sends `original`'s recorded request again as a new execution, asked for by `by`.
    fn replay(&self, original: &Execution, by: &User);
    /// Sends one sample request to `webhook` (the "Test webhook" button).
    fn test(&self, webhook: &Webhook, by: &User) -> Testing;
    /// The configuration in force and its revision (what events handed to the relay carry).
    fn set_config(&self, webhooks: &[Webhook], automations: &[Automation], revision: u64);
    fn set_catalog(&self, catalog: Catalog);
    fn set_max_runs_per_minute(&self, limit: u32);
    /// The relay this page hands its relay deliveries to (its events token, or the admin's).
    fn set_relay(&self, relay: &RelayConnection);
    /// The configuration in force is known: the outbox may resume.
    fn release_outbox(&self);
    /// `listener` hears every execution as it is created and changes, while the result is held.
    fn on_execution(&self, listener: Box<dyn Fn(&Execution)>) -> Listening;
    /// `listener` hears every storage problem met while dispatching, in words for a CRM admin.
    fn on_problem(&self, listener: Box<dyn Fn(String)>) -> Listening;
}

impl Deliveries for Rc<Dispatcher> {
    fn emit(&self, event: Event) -> bool {
        Dispatcher::emit(self, event) != Accepted::Duplicate
    }

    fn replay(&self, original: &Execution, by: &User) {
        Dispatcher::replay(self, original, by);
    }

    fn test(&self, webhook: &Webhook, by: &User) -> Testing {
        let (webhook, by) = (webhook.clone(), by.clone());
        Box::pin(async move { test_webhook(&webhook, &by).await })
    }

    fn set_config(&self, webhooks: &[Webhook], automations: &[Automation], revision: u64) {
        Dispatcher::set_config(self, webhooks, automations);
        Dispatcher::set_revision(self, revision);
    }

    fn set_catalog(&self, catalog: Catalog) {
        Dispatcher::set_catalog(self, catalog);
    }

    fn set_max_runs_per_minute(&self, limit: u32) {
        Dispatcher::set_max_runs_per_minute(self, limit);
    }

    fn set_relay(&self, relay: &RelayConnection) {
        Dispatcher::set_relay(self, relay.events());
    }

    fn release_outbox(&self) {
        Dispatcher::release_outbox(self);
    }

    fn on_execution(&self, listener: Box<dyn Fn(&Execution)>) -> Listening {
        Listening::new(Dispatcher::on_execution(self, listener))
    }

    fn on_problem(&self, listener: Box<dyn Fn(String)>) -> Listening {
        Listening::new(Dispatcher::on_problem(self, move |problem| {
            listener(problem.to_string())
        }))
    }
}
