// The <webhook-automations> custom element in a host page: shadow-root isolation both ways, one wasm
// instance and one dispatcher for several widgets, clean unmounting, events from the host page.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, SCREENSHOTS, freshAppForEachTest } from "./harness.mjs";

const app = freshAppForEachTest();

const HOSTILE_CSS = "* { all: unset !important; } div { display: none !important; } body { font-size: 40px; }";

function sharedConfig(baseUrl) {
  return {
    format: "webhook-automations/config", version: 1,
    webhooks: [{ id: "wh_demo", name: "Receiver", base_url: baseUrl, auth: { type: "none" }, headers: [], signed: false,
      timeout_ms: 10000, retry: { max_attempts: 1, initial_backoff_ms: 100, max_backoff_ms: 1000 } }],
    automations: [{ id: "auto_demo", name: "Deal updates", enabled: true, trigger: { entity: "deal", action: "updated" },
      conditions: { match: "all", items: [] },
      actions: [{ webhook_id: "wh_demo", method: "POST", path: "/crm/deals/{{deal.id}}", body: { mode: "key_value", rows: [{ key: "stage", value: "{{deal.stage}}" }] } }] }],
  };
}

/** Sam Seller moves deal `recordId` to "negotiations": an event with id `id`. */
function stageChange(id, recordId, title) {
  const deal = (stage) => ({ id: recordId, title, stage, status: "open", owner: 1 });
  return {
    id, entity: "deal", action: "updated", time: new Date().toISOString(),
    user: { id: 1, name: "Sam Seller", email: "sam@acme.example", is_admin: true },
    current: deal("negotiations"), previous: deal("qualified"),
  };
}

/** Collects in window.__finished the executions element #`id` announces once they are no longer pending. */
async function collectFinished(page, id) {
  await page.evaluate((id) => {
    window.__finished = [];
    document.getElementById(id).addEventListener("webhook-automations:execution", ({ detail }) => {
      if (detail.status !== "pending") window.__finished.push(detail);
    });
  }, id);
}

async function widgetReady(page, selector = "webhook-automations") {
  await page.locator(selector).first().locator(".wa-nav-link").first().waitFor();
}

test("the embed demo's own buttons send events that reach the receiver through the widget", async () => {
  const { page } = app;
  await page.goto(`${app.appUrl}/embed-demo.html`);
  await widgetReady(page);
  await page.evaluate((config) => { document.getElementById("automations").config = config; }, sharedConfig(app.receiver.url));
  await page.locator("webhook-automations").locator("tr", { hasText: "Receiver" }).waitFor();
  await page.getByRole("button", { name: "Move to “Negotiations started”" }).click();
  await page.locator("#log", { hasText: "Deal updates: succeeded" }).waitFor();
  const [request] = await (await fetch(`${app.receiver.url}/_receiver/requests`)).json();
  assert.equal(request.path, "/crm/deals/302");
  assert.deepEqual(JSON.parse(request.body), { stage: "Negotiations started" });
  await page.screenshot({ path: join(SCREENSHOTS, "embed-demo.png") });
  assert.deepEqual(app.consoleErrors, []);
});

test("the admin's settings page loads the runtime and the app once each, their WebAssembly under its build's version", async () => {
  const { page } = app;
  const loaded = [];
  page.on("request", (request) => loaded.push(new URL(request.url())));
  await page.goto(`${app.appUrl}/embed-demo.html`);
  await widgetReady(page);

  const dist = process.env.APP_DIST ?? join(ROOT, "dist");
  const versionOf = (name) => {
    const hash = createHash("sha256");
    for (const file of [`${name}.js`, `${name}_bg.wasm`]) hash.update(readFileSync(join(dist, file)));
    return hash.digest("hex").slice(0, 12);
  };
  const versions = await (await fetch(`${app.appUrl}/asset-versions.json`)).json();
  for (const [name, key] of [["webhook-automations", "app"], ["webhook-automations-runtime", "runtime"]]) {
    const version = versionOf(name);
    const wasm = loaded.filter((url) => url.pathname === `/${name}_bg.wasm`);
    assert.equal(wasm.length, 1, `${name}'s wasm loaded once: ${wasm.map(String)}`);
    assert.equal(wasm[0].searchParams.get("v"), version, `${name}'s wasm under the build's version`);
    assert.equal(loaded.filter((url) => url.pathname === `/${name}.js`).length, 1, `${name}.js loaded once`);
    assert.equal(versions[key], version);
  }
  // The JS keeps its plain URL (one module instance with a page's own import for mount() or
  // createRuntime()), as do the entry points; a host reads the versions from asset-versions.json.
  for (const file of ["/webhook-automations.js", "/webhook-automations-runtime.js", "/widget.js"]) {
    assert.ok(loaded.some((url) => url.pathname === file && !url.search), `${file} at its plain URL`);
  }
});

test("a settings page that starts a runtime and shows the element runs one dispatcher: an event is sent once", async () => {
  const { page } = app;
  const loaded = [];
  page.on("request", (request) => loaded.push(new URL(request.url()).pathname));
  await page.goto(`${app.appUrl}/test-fixtures/settings-host.html`);
  await widgetReady(page, "#w");
  for (const module of ["webhook-automations", "webhook-automations-runtime"]) {
    assert.equal(loaded.filter((path) => path === `/${module}_bg.wasm`).length, 1, `${module}'s wasm loaded once: ${loaded}`);
  }
  await page.evaluate((config) => { window.runtime.setConfig(config); document.getElementById("w").config = config; }, sharedConfig(app.receiver.url));
  await page.locator("#w").locator("tr", { hasText: "Receiver" }).waitFor();
  const event = stageChange("evt_settings_page", 9, "Both");
  await collectFinished(page, "w");
  const accepted = await page.evaluate((event) => [window.runtime.emit(event), document.getElementById("w").emit(event)], event);
  assert.deepEqual(accepted, [true, false], "the element's app drives the runtime's dispatcher, which knows the id");
  // The element hears about the run the runtime's dispatcher made: its feed is the runtime's.
  await page.waitForFunction(() => window.__finished.some((execution) => execution.event_id === "evt_settings_page"));
  const requests = await (await fetch(`${app.receiver.url}/_receiver/requests`)).json();
  assert.equal(requests.filter((request) => request.path === "/crm/deals/9").length, 1, "one event, one delivery");
  // The builder's history shows it too.
  await page.locator("#w").locator(".wa-nav-link", { hasText: "Execution history" }).click();
  await page.locator("#w").locator("tr", { hasText: "Deal updates" }).first().waitFor();
  assert.deepEqual(app.consoleErrors, []);
});

test("a hostile host stylesheet cannot break the widget, and the widget does not restyle the host", async () => {
  const { page } = app;
  const hostStyles = () => page.evaluate(() => {
    const probe = document.querySelector("header h1");
    const style = getComputedStyle(probe);
    return { font: style.fontFamily, size: style.fontSize, color: style.color, bodyMargin: getComputedStyle(document.body).margin };
  });
  await page.goto(`${app.appUrl}/embed-demo.html`);
  await page.evaluate(() => document.querySelector("webhook-automations").remove());
  const without = await hostStyles();
  await page.goto(`${app.appUrl}/embed-demo.html`);
  await widgetReady(page);
  assert.deepEqual(await hostStyles(), without, "the host's computed styles are unchanged by the widget");

  await page.addStyleTag({ content: HOSTILE_CSS });
  const layout = await page.locator("webhook-automations").evaluate((element) => {
    const link = element.shadowRoot.querySelector(".wa-nav-link");
    const box = link.getBoundingClientRect();
    const style = getComputedStyle(link);
    return { width: box.width, height: box.height, display: getComputedStyle(element.shadowRoot.querySelector(".wa-app")).display, font: style.fontSize };
  });
  assert.ok(layout.width > 100 && layout.height > 20, `the navigation still lays out: ${JSON.stringify(layout)}`);
  assert.equal(layout.display, "grid");
  assert.equal(layout.font, "15px", "the host's huge font does not reach the widget");
  await page.locator("webhook-automations").locator(".wa-nav-link", { hasText: "Settings" }).click();
  await page.locator("webhook-automations").locator("h1", { hasText: "Settings" }).waitFor();
  await page.screenshot({ path: join(SCREENSHOTS, "embed-hostile-css.png") });
});

test("several widgets share one instance of each module and one dispatcher; removing one unmounts it", async () => {
  const { page } = app;
  await page.goto(`${app.appUrl}/index.html#blank`);
  await page.setContent(`<!doctype html><html><head>
      <script type="module" src="${app.appUrl}/widget.js"></script>
      <script type="module" src="${app.appUrl}/widget.js?again"></script>
    </head><body><webhook-automations id="a"></webhook-automations><webhook-automations id="b"></webhook-automations></body></html>`);
  await widgetReady(page, "#a");
  await widgetReady(page, "#b");
  const wasmLoads = await page.evaluate(() => performance.getEntriesByType("resource")
    .map((entry) => new URL(entry.name).pathname).filter((path) => path.endsWith(".wasm")).sort());
  assert.deepEqual(wasmLoads, ["/webhook-automations-runtime_bg.wasm", "/webhook-automations_bg.wasm"],
    "each module is fetched and instantiated once");

  const config = sharedConfig(app.receiver.url);
  await page.evaluate((config) => { document.getElementById("a").config = config; document.getElementById("b").config = config; }, config);
  await page.locator("#b").locator("tr", { hasText: "Receiver" }).waitFor();
  const event = stageChange("evt_shared_once", 7, "Shared");
  await collectFinished(page, "a");
  const accepted = await page.evaluate((event) => [document.getElementById("a").emit(event), document.getElementById("b").emit(event)], event);
  assert.deepEqual(accepted, [true, false], "the page's one dispatcher refuses the event the second time");
  await page.waitForFunction(() => window.__finished.some((execution) => execution.event_id === "evt_shared_once"));
  const requests = await (await fetch(`${app.receiver.url}/_receiver/requests`)).json();
  assert.equal(requests.filter((request) => request.path === "/crm/deals/7").length, 1, "one event, one delivery");

  const [removed, kept] = await page.evaluate(async () => {
    const a = document.getElementById("a");
    a.remove();
    // The element unmounts in a microtask (so moving it within the page does not remount it).
    await new Promise((resolve) => setTimeout(resolve, 0));
    return [a.shadowRoot.childElementCount, document.getElementById("b").shadowRoot.childElementCount];
  });
  assert.equal(removed, 0, "a removed widget unmounts and leaves nothing behind");
  assert.ok(kept > 0, "the other widget keeps running");
});
