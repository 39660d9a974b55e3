//! The configuration an admin builds: webhooks and the automations that call them.

mod automation;
mod secret;
mod webhook;

pub use automation::{
    Automation, Body, Condition, ConditionGroup, ConditionItem, EventAction, Match, Method,
    Operator, Trigger, WebhookAction,
};
pub use secret::Secret;
pub use webhook::{origin_of, Auth, AuthKind, HeaderPair, RetryPolicy, Route, Webhook};
