// <webhook-automations>: the app as a custom element, for embedding in a CRM page.
//
//   <script type="module" src="/widget.js"></script>
//   <webhook-automations></webhook-automations>
//
// The WebAssembly module is loaded once per page, however many widgets there are, and the app runs in
// an open shadow root with its own stylesheet, so the page's styles and the widget's never mix. The
// host API (docs/host-api.md) is on the element: properties `user`, `config`, `catalog`, `relay`;
// methods `emit(event)`, `setUser`, `setConfig`, `setCatalog`, `setRelay`; events `webhook-automations:ready`,
// `webhook-automations:execution`, `webhook-automations:configchange` and `webhook-automations:error`
// (a call made before the widget loaded that failed once applied).

const TAG = "webhook-automations";
const HERE = new URL(".", import.meta.url);
// Each module's build, written in by the release build (scripts/version-assets.mjs): its
// WebAssembly (nearly all of its bytes) is loaded under a URL that changes with it, so it can be
// cached for long. The JS glue keeps its plain URL: a page that also imports it (for mount() or
// createRuntime()) must get the same module instance, or it would run a second dispatcher.
const VERSION = "unversioned";
const RUNTIME_VERSION = "unversioned-runtime";

let modules; // this page's two initialised modules: the delivery runtime and the app

async function load(name, version) {
  const module = await import(new URL(`${name}.js`, HERE));
  const wasm = new URL(`${name}_bg.wasm`, HERE);
  wasm.searchParams.set("v", version);
  await module.default({ module_or_path: wasm });
  return module;
}

// The app delivers through the page's runtime (it holds no dispatcher), so both load, once per page.
function loadModules() {
  modules ??= Promise.all([load("webhook-automations-runtime", RUNTIME_VERSION), load("webhook-automations", VERSION)])
    .then(([runtime, app]) => ({ runtime, app }));
  return modules;
}

class WebhookAutomationsElement extends HTMLElement {
  #handle = null;
  #pending = []; // host calls made before the app has mounted (events and settings), applied in order
  #options = {};
  #mounting = null;

  constructor() {
    super();
    this.attachShadow({ mode: "open" });
  }

  connectedCallback() {
    this.#mounting ??= this.#mount();
  }

  disconnectedCallback() {
    // Unmount cleanly; if the element is attached again it mounts afresh.
    queueMicrotask(() => {
      if (this.isConnected) return;
      this.#handle?.destroy();
      this.#handle = null;
      this.#mounting = null;
      this.shadowRoot.replaceChildren();
    });
  }

  async #mount() {
    let loaded;
    try {
      loaded = await loadModules();
    } catch (error) {
      this.#report("load", error);
      return;
    }
    if (!this.isConnected) return this.#handOver(loaded);
    const style = document.createElement("link");
    style.rel = "stylesheet";
    style.href = new URL("styles.css", HERE).href;
    // Unstyled beats absent: a stylesheet that fails to load must not keep the app from mounting.
    const settled = new Promise((resolve) => {
      style.addEventListener("load", resolve, { once: true });
      style.addEventListener("error", () => {
        console.warn(`Webhook Automations: ${style.href} did not load; the widget shows unstyled.`);
        resolve();
      }, { once: true });
    });
    const root = document.createElement("div");
    root.className = "wa-root wa-embedded";
    this.shadowRoot.replaceChildren(style, root);
    await settled;
    if (!this.isConnected) return this.#handOver(loaded);
    this.#start(loaded, root);
    this.dispatchEvent(new CustomEvent(`${TAG}:ready`, { bubbles: true, composed: true }));
  }

  // Removed from the page before it loaded: the events the host handed over still run, under the
  // settings it gave before them. An app started out of sight applies them, then goes.
  #handOver(loaded) {
    if (!this.#pending.some(([method]) => method === "emit")) return;
    this.#start(loaded, document.createElement("div"));
    this.#handle.destroy();
    this.#handle = null;
  }

  // Each host call made meanwhile is applied on its own, so one bad value is reported and the calls
  // after it still apply. The user goes in at mount (no first frame as nobody), unless it is the
  // bad value.
  #start(loaded, root) {
    const options = this.#options;
    const { app, runtime } = loaded;
    try {
      this.#handle = app.mount(root, { hashRouting: false, runtime, user: options.user });
    } catch (error) {
      this.#report("setUser", error);
      this.#handle = app.mount(root, { hashRouting: false, runtime });
    }
    // Settings a mount before this one applied (the element was attached again) go in first; the
    // calls waiting, in the order the host made them: an event runs under the configuration set
    // before it. The user went in at mount.
    const waiting = new Set(this.#pending.map(([method]) => method));
    for (const [option, method] of [["relay", "setRelay"], ["catalog", "setCatalog"], ["config", "setConfig"]]) {
      if (option in options && !waiting.has(method)) this.#call(method, options[option]);
    }
    for (const [method, argument] of this.#pending.splice(0)) {
      if (method !== "setUser") this.#call(method, argument);
    }
  }

  #call(method, argument) {
    try {
      return this.#handle[method](argument);
    } catch (error) {
      this.#report(method, error);
      return false;
    }
  }

  // A call the host made before the widget loaded cannot throw back to it any more: the problem is
  // logged and announced on the element instead.
  #report(call, error) {
    const message = error?.message ?? String(error);
    console.error(`Webhook Automations: ${call} failed: ${message}`);
    this.dispatchEvent(new CustomEvent(`${TAG}:error`, { bubbles: true, composed: true, detail: { call, message } }));
  }

  /** Runs the automations a CRM record event triggers; false for an event id seen before. */
  emit(event) {
    if (this.#handle) return this.#handle.emit(event);
    // The same answer the widget gives once loaded: an id handed over before is refused.
    const id = event?.id;
    if (this.#pending.some(([method, pending]) => method === "emit" && pending?.id === id)) return false;
    this.#pending.push(["emit", event]);
    return true;
  }

  // Before the app has mounted, a setting waits in line with the events: one set again before the
  // next event replaces the one waiting, so a page that sets it often applies it once.
  #set(option, method, value) {
    this.#options[option] = value;
    if (this.#handle) return this.#handle[method](value);
    const lastEvent = this.#pending.findLastIndex(([pending]) => pending === "emit");
    this.#pending = this.#pending.filter(([pending], index) => index < lastEvent || pending !== method);
    this.#pending.push([method, value]);
  }

  setUser(user) { this.#set("user", "setUser", user); }
  setConfig(document) { this.#set("config", "setConfig", document); }
  setCatalog(catalog) { this.#set("catalog", "setCatalog", catalog); }
  setRelay(relay) { this.#set("relay", "setRelay", relay); }

  set user(user) { this.setUser(user); }
  get user() { return this.#options.user; }
  set config(document) { this.setConfig(document); }
  get config() { return this.#options.config; }
  set catalog(catalog) { this.setCatalog(catalog); }
  get catalog() { return this.#options.catalog; }
  set relay(relay) { this.setRelay(relay); }
  get relay() { return this.#options.relay; }
}

// Loading this script twice is harmless: the element is defined once.
if (!customElements.get(TAG)) customElements.define(TAG, WebhookAutomationsElement);
