//! Webhook Automations' browser runtime: what every CRM page needs to run automations, and nothing
//! of the builder UI — the dispatcher (`dispatch`), IndexedDB storage (`storage`), the fetch
//! transport (`http`), the relay client and handover (`relay`), and the host bridge (`host`) that
//! both entry points share: the app's `mount` and, with the `entry` feature, `createRuntime`.
//!
//! No Yew here: a page that only emits events loads this module alone (docs/host-api.md).

pub mod clock;
pub mod dispatch;
pub mod host;
pub mod http;
pub mod js_json;
pub mod random;
pub mod relay;
pub mod storage;
pub mod text;
