//! The runner: event → matching enabled automations → conditions → rendered requests → [`Transport`] →
//! execution records.
//!
//! It is split in two so every host can drive it: [`plan`] is pure (which deliveries an event causes,
//! each with its request built and its execution record started), and [`deliver`] sends one planned
//! delivery through a [`Transport`], retrying by the webhook's policy, and finishes its record. The
//! browser app runs `attempt` over `fetch`, one attempt at a time as its [`Scheduler`] says (which
//! deliveries may go now, which wait, which came from other tabs); the tests run it over real
//! loopback HTTP; `webhook-cli preview` stops after `plan`. Planned deliveries get [`execution_id`]s
//! derived from the event, the automation and the action, so planning an event again (after a crash,
//! on another relay process) gives the same `webhook-id`s.
//!
//! Automations run for every user who triggers them, whatever that user's visibility or admin rights:
//! the triggering user is recorded, never checked.

mod compiled;
mod deliver;
mod execution;
mod execution_id;
mod explain;
mod guard;
mod plan;
mod replay;
mod schedule;
mod test_delivery;

pub use compiled::{CompiledAutomation, CompiledConfig};
pub use deliver::{attempt, deliver, Environment, Exchange, Response, Transport};
pub use execution::{
    Attempt, EventSummary, Execution, ResponseSummary, Status, StoredRequest, REQUEST_BODY_LIMIT,
    RESPONSE_BODY_LIMIT, RESPONSE_READ_LIMIT,
};
pub use execution_id::execution_id;
pub use explain::{explain_failure, CORS_REFUSED};
pub use guard::{FrequencyGuard, DEFAULT_RUNS_PER_MINUTE};
pub use plan::{plan, Plan, Planned, Skipped, Source};
pub use replay::replay;
pub use schedule::{
    OutboxRead, RecentIds, Scheduler, Work, MAX_CONCURRENT_PER_WEBHOOK, RECENT_EVENTS,
    STORAGE_RETRY_FIRST_MS, STORAGE_RETRY_MAX_MS,
};
pub use test_delivery::test_delivery;
