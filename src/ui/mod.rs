//! Yew components: thin views over the app state; every rule they show comes from the engine.

pub mod app;
pub mod automations;
pub mod history;
pub mod list_mode;
pub mod nav;
pub mod routing;
pub mod sandbox;
pub mod sections;
pub mod settings;
pub mod webhooks;
pub mod widgets;
