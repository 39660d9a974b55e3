//! Yew components: thin views over state that reducers change.

pub mod app;
pub mod nav;
pub mod routing;
pub mod sections;
pub mod state;
