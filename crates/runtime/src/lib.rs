//! Webhook Automations' browser runtime: what every CRM page needs to run automations, and nothing
//! of the builder UI — the dispatcher (`dispatch`), IndexedDB storage (`storage`), the fetch
//! transport (`http`), the relay client and handover (`relay`), and the host bridge (`host`) that
//! both entry points share: the app's `mount` and, with the `entry` feature, `createRuntime`. With
//! that feature the module also exports `connectApp`, the port through which the app's module
//! drives this page's deliveries (`deliveries`): the app holds no dispatcher of its own.
//!
//! No Yew here: a page that only emits events loads this module alone (docs/host-api.md).

pub mod clock;
pub mod deliveries;
pub mod dispatch;
pub mod host;
pub mod http;
pub mod js_json;
pub mod random;
pub mod relay;
pub mod storage;
pub mod text;
pub mod web_url;
