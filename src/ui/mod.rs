//! Yew components: thin views over the app state; every rule they show comes from the engine.

pub mod app;
pub mod nav;
pub mod routing;
pub mod sections;
pub mod settings;
pub mod webhooks;
pub mod widgets;
