//! The relay end to end, with real processes: `nats-server` (`.tools/bin`, from bootstrap),
//! `webhook-receiver` and `webhook-relay`. Each test starts its own and passes alone.

mod api;
mod delivery;
mod faults;
mod hardening;
mod revisions;
mod routes;
mod ssrf;
mod startup;
mod support;
