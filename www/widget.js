// <webhook-automations>: the app as a custom element, for embedding in a CRM page.
//
//   <script type="module" src="/widget.js"></script>
//   <webhook-automations></webhook-automations>
//
// The WebAssembly module is loaded once per page, however many widgets there are, and the app runs in
// an open shadow root with its own stylesheet, so the page's styles and the widget's never mix. The
// host API (docs/host-api.md) is on the element: properties `user`, `config`, `catalog`; methods
// `emit(event)`, `setUser`, `setConfig`, `setCatalog`; events `webhook-automations:execution` and
// `webhook-automations:configchange`.

const TAG = "webhook-automations";
const HERE = new URL(".", import.meta.url);

let wasm; // the one initialised module of this page

function loadWasm() {
  wasm ??= import(new URL("webhook-automations.js", HERE)).then(async (module) => {
    await module.default({ module_or_path: new URL("webhook-automations_bg.wasm", HERE) });
    return module;
  });
  return wasm;
}

class WebhookAutomationsElement extends HTMLElement {
  #handle = null;
  #pending = []; // host calls made before the app has mounted, applied in order
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
    const module = await loadWasm();
    if (!this.isConnected) return;
    const style = document.createElement("link");
    style.rel = "stylesheet";
    style.href = new URL("styles.css", HERE).href;
    const loaded = new Promise((resolve) => style.addEventListener("load", resolve, { once: true }));
    const root = document.createElement("div");
    root.className = "wa-root wa-embedded";
    this.shadowRoot.replaceChildren(style, root);
    await loaded;
    this.#handle = module.mount(root, { ...this.#options, hashRouting: false });
    for (const [method, argument] of this.#pending.splice(0)) this.#handle[method](argument);
    this.dispatchEvent(new CustomEvent(`${TAG}:ready`, { bubbles: true, composed: true }));
  }

  /** Runs the automations a CRM record event triggers; false for an event id seen before. */
  emit(event) {
    if (this.#handle) return this.#handle.emit(event);
    this.#pending.push(["emit", event]);
    return true;
  }

  // Before the app has mounted, settings only change the options it will mount with.
  #set(option, method, value) {
    this.#options[option] = value;
    this.#handle?.[method](value);
  }

  setUser(user) { this.#set("user", "setUser", user); }
  setConfig(document) { this.#set("config", "setConfig", document); }
  setCatalog(catalog) { this.#set("catalog", "setCatalog", catalog); }

  set user(user) { this.setUser(user); }
  get user() { return this.#options.user; }
  set config(document) { this.setConfig(document); }
  get config() { return this.#options.config; }
  set catalog(catalog) { this.setCatalog(catalog); }
  get catalog() { return this.#options.catalog; }
}

// Loading this script twice is harmless: the element is defined once.
if (!customElements.get(TAG)) customElements.define(TAG, WebhookAutomationsElement);
