//! The page's delivery runtime as the browser tests hand it to `mount`: the runtime crate's port,
//! linked into the tests' one module, behind the same `connectApp` a page's runtime module exports.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use webhook_automations_runtime::host::app_port::connect_app;

/// An object with `connectApp`, as `import("webhook-automations-runtime.js")` gives a page.
pub fn runtime_module() -> JsValue {
    let connect =
        Closure::<dyn Fn(bool, String) -> js_sys::Promise>::new(|hosted: bool, catalog: String| {
            wasm_bindgen_futures::future_to_promise(async move {
                connect_app(hosted, catalog)
                    .await
                    .map(JsValue::from)
                    .map_err(JsValue::from)
            })
        });
    let module = js_sys::Object::new();
    js_sys::Reflect::set(
        &module,
        &"connectApp".into(),
        connect.as_ref().unchecked_ref(),
    )
    .unwrap();
    connect.forget();
    module.into()
}

/// `mount` options (JSON) with the runtime added.
pub fn with_runtime(options: &str) -> JsValue {
    let options = js_sys::JSON::parse(options).unwrap();
    js_sys::Reflect::set(&options, &"runtime".into(), &runtime_module()).unwrap();
    options
}
