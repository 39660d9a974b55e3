// The relay's executions in the app's history, with real parts: nats-server, webhook-relay,
// webhook-receiver and the release build. The relay is configured over its HTTP API (as an admin's
// browser will), events are posted to it, and the app — given the relay connection in its settings
// store, as Settings → Relay keeps it — merges what the relay ran into its IndexedDB history.
// Each test starts its own NATS and relay and opens a fresh browser profile.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  RELAY_ADMIN_TOKEN, RELAY_EVENTS_TOKEN, SCREENSHOTS, startApp, startNats, startReceiver, startRelay, stageChangeConfig,
} from "./harness.mjs";

let app;
let noCors;
before(async () => {
  app = await startApp();
  noCors = await startReceiver(["--no-cors"]);
});
after(async () => {
  await app?.stop();
  noCors?.stop();
});

const PASSWORD = "relay-only-p4ss-canary";
const RILEY = { id: 2, name: "Riley Regular", email: "riley.regular@northwind-crm.example", is_admin: false };

/** A v3 configuration: the harness's stage-change webhook, delivered by the relay (with a password the
 * relay holds) or by the browser, and its automation. */
function configFor(baseUrl, route = "relay") {
  const auth = route === "relay" ? { type: "basic", username: "crm-sync" } : { type: "none" };
  const config = stageChangeConfig(baseUrl, { auth, maxAttempts: 1 });
  config.webhooks[0].route = route;
  return { ...config, version: 3, revision: 1 };
}

/** `configFor(baseUrl)` plus a webhook this browser delivers to, and its automation. */
function withBrowserWebhook(baseUrl) {
  const config = configFor(baseUrl);
  config.webhooks.push({
    id: "wh_mail", name: "Mailing list", base_url: baseUrl, route: "browser", auth: { type: "none" },
    headers: [], signed: false, timeout_ms: 10_000, retry: { max_attempts: 1, initial_backoff_ms: 100, max_backoff_ms: 5_000 },
  });
  config.automations.push({
    id: "auto_people", name: "New people to the mailing list", enabled: true,
    trigger: { entity: "person", action: "added" }, conditions: { match: "all", items: [] },
    actions: [{
      webhook_id: "wh_mail", method: "POST", path: "/lists/crm/members",
      body: { mode: "raw", template: '{"email": "{{person.email}}", "name": "{{person.name}}"}' },
    }],
  });
  return config;
}

function personAdded(n) {
  eventCount += 1;
  return {
    id: `evt_relay_history_person_${Date.now()}_${eventCount}`, entity: "person", action: "added",
    time: new Date().toISOString(), user: RILEY,
    current: { id: 900 + n, name: `Person ${n}`, email: `person${n}@example.com` },
  };
}

let eventCount = 0;
function stageChange(title = "CNC line maintenance contract") {
  eventCount += 1;
  const previous = { id: 302, title, value: 56500.5, stage: "proposal_made", status: "open", owner: 2 };
  return {
    id: `evt_relay_history_${Date.now()}_${eventCount}`, entity: "deal", action: "updated",
    time: new Date().toISOString(), user: RILEY, current: { ...previous, stage: "negotiations" }, previous,
  };
}

/** Waits until `check()` returns something truthy (polled); fails with `what` after 20 s. */
async function until(what, check) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A fresh NATS and relay for one test, stopped when it ends. */
async function relayFor(t) {
  const nats = await startNats();
  const relay = await startRelay(nats, app.appUrl);
  t.after(() => {
    // SIGKILL: a relay asked to stop gracefully waits on the NATS stopped beside it.
    relay.kill();
    nats.stop();
  });
  const call = async (method, path, { body, token = RELAY_ADMIN_TOKEN, headers = {} } = {}) => {
    const response = await fetch(`${relay.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json", ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    assert.ok(response.ok, `${method} ${path}: ${response.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };
  return {
    url: relay.url,
    call,
    /** Configures the relay as the admin's browser will: the document, then the webhook's password. */
    async configure(baseUrl) {
      await call("PUT", "/v1/config", { body: configFor(baseUrl), headers: { "If-Match": "*" } });
      await call("PUT", "/v1/webhooks/wh_erp/credentials", { body: { password: PASSWORD } });
    },
    /** Hands an event over with the events token, as a regular user's browser does. */
    async post(event) {
      const answer = await call("POST", "/v1/events", { body: event, token: RELAY_EVENTS_TOKEN });
      assert.deepEqual(answer.accepted, [event.id]);
    },
    /** The relay's executions (admin view), once `count` of them have ended. */
    async ended(count) {
      return until(`${count} ended executions at the relay`, async () => {
        const page = await call("GET", "/v1/executions?after=0&limit=1000");
        const done = page.executions.filter(({ execution }) => execution.status !== "pending");
        return done.length >= count && done.map(({ execution }) => execution);
      });
    },
  };
}

/** A fresh browser profile (its own IndexedDB) with the app open on the history. */
async function freshPage(t) {
  const context = await app.page.context().browser().newContext({ viewport: { width: 1280, height: 800 } });
  t.after(() => context.close());
  const page = await context.newPage();
  const errors = [];
  page.on("console", (message) => message.type() === "error" && errors.push(message.text()));
  page.on("pageerror", (error) => errors.push(String(error)));
  await page.goto(`${app.appUrl}/#/history`);
  await page.locator(".wa-nav-link").first().waitFor();
  return { page, errors };
}

/**
 * Stores the relay connection where Settings → Relay keeps it (the settings store, key "relay") and
 * tells the app, as another tab saving it would.
 */
async function connect(page, connection) {
  await page.evaluate(async (connection) => {
    const db = await new Promise((resolve, reject) => {
      const request = indexedDB.open("webhook-automations");
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    await new Promise((resolve, reject) => {
      const tx = db.transaction("settings", "readwrite");
      tx.objectStore("settings").put({ key: "relay", value: connection });
      tx.oncomplete = resolve;
      tx.onerror = () => reject(tx.error);
    });
    db.close();
    const channel = new BroadcastChannel("webhook-automations:webhook-automations");
    channel.postMessage("settings");
    channel.close();
  }, connection);
}

/** Everything stored in one object store of the app's database. */
async function stored(page, storeName) {
  return page.evaluate(async (storeName) => {
    const db = await new Promise((resolve, reject) => {
      const request = indexedDB.open("webhook-automations");
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    const records = await new Promise((resolve, reject) => {
      const request = db.transaction(storeName).objectStore(storeName).getAll();
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    db.close();
    return records;
  }, storeName);
}

async function received(receiver = app.receiver) {
  return (await fetch(`${receiver.url}/_receiver/requests`)).json();
}

const header = (request, name) => request.headers.find(([key]) => key === name)?.[1];
const row = (page, id) => page.locator(`tr[data-execution="${id}"]`);

async function openDetail(page, id) {
  await row(page, id).locator(".wa-history-open").click();
  await page.locator(".wa-drawer .wa-history-section").first().waitFor();
  return page.locator(".wa-drawer");
}

test("the relay's runs appear in the history marked relay, with their bodies for the admin token", async (t) => {
  await fetch(`${app.receiver.url}/_receiver/requests`, { method: "DELETE" });
  const relay = await relayFor(t);
  await relay.configure(app.receiver.url);
  await relay.post(stageChange());
  const [execution] = await relay.ended(1);
  assert.equal(execution.status, "succeeded", execution.reason);
  assert.equal(execution.route, "relay");

  const { page, errors } = await freshPage(t);
  await connect(page, { url: relay.url, admin_token: RELAY_ADMIN_TOKEN });
  await row(page, execution.id).locator(".wa-route-relay").waitFor();
  assert.equal(await page.locator("tr[data-execution]").count(), 1);
  assert.equal(await row(page, execution.id).locator(".wa-status").textContent(), "Succeeded");

  const drawer = await openDetail(page, execution.id);
  const [request] = await received();
  assert.equal(header(request, "webhook-id"), execution.id, "the relay sent it under the id the history shows");
  assert.match(header(request, "user-agent"), /^webhook-relay\//);
  const text = await drawer.textContent();
  assert.match(text, /Sent fromrelay the relay, from a server/);
  assert.ok(text.includes(`${app.receiver.url}/orders/302`), text);
  assert.deepEqual(JSON.parse(await drawer.locator(".wa-history-body").first().textContent()), JSON.parse(request.body));
  assert.ok(!text.includes("events token"), "given whole, nothing is said to be withheld");
  await drawer.getByRole("button", { name: "Copy as cURL" }).waitFor();
  await page.screenshot({ path: join(SCREENSHOTS, "history-relay-detail.png") });
  await drawer.getByRole("button", { name: "Close" }).click();
  await page.screenshot({ path: join(SCREENSHOTS, "history-relay.png") });
  assert.deepEqual(errors, []);
});

test("with the events token the relay's runs come without bodies; the admin token later fills them in", async (t) => {
  const relay = await relayFor(t);
  await relay.configure(app.receiver.url);
  const event = stageChange("Body canary 7f3e: kept by the relay");
  await relay.post(event);
  const [execution] = await relay.ended(1);

  const { page, errors } = await freshPage(t);
  await connect(page, { url: relay.url, events_token: RELAY_EVENTS_TOKEN });
  await row(page, execution.id).locator(".wa-route-relay").waitFor();
  const [record] = await stored(page, "executions");
  assert.equal(record.details_withheld, true);
  assert.equal(record.request.body, "");
  assert.ok(!JSON.stringify(record).includes("Body canary"), "the body never reached this browser");
  assert.ok(!JSON.stringify(record).includes(PASSWORD));

  // The sandbox's user is an admin: the page says where the bodies are instead of showing them empty.
  let drawer = await openDetail(page, execution.id);
  let text = await drawer.textContent();
  assert.match(text, /read this run from the relay with its events token/);
  assert.ok(!text.includes("Body canary"));
  assert.equal(await drawer.getByRole("button", { name: "Copy as cURL" }).count(), 0);
  await page.screenshot({ path: join(SCREENSHOTS, "history-relay-withheld.png") });
  await drawer.getByRole("button", { name: "Close" }).click();

  // An admin enters the admin token in this browser: the history reads the relay again, whole.
  await connect(page, { url: relay.url, events_token: RELAY_EVENTS_TOKEN, admin_token: RELAY_ADMIN_TOKEN });
  await until("the whole record", async () => (await stored(page, "executions"))[0].details_withheld === undefined);
  const [whole] = await stored(page, "executions");
  assert.match(whole.request.body, /Body canary 7f3e/);
  drawer = await openDetail(page, execution.id);
  text = await drawer.textContent();
  assert.ok(!text.includes("events token"), text);
  assert.match(await drawer.locator(".wa-history-body").first().textContent(), /Body canary 7f3e/);
  assert.equal((await stored(page, "settings")).find(({ key }) => key === "relay-history").value.view, "admin");
  assert.deepEqual(errors, []);
});

test("opened again, the history continues from the stored cursor, without reading or storing a run twice", async (t) => {
  const relay = await relayFor(t);
  await relay.configure(app.receiver.url);
  await relay.post(stageChange());
  const [first] = await relay.ended(1);

  const { page, errors } = await freshPage(t);
  await connect(page, { url: relay.url, admin_token: RELAY_ADMIN_TOKEN });
  await row(page, first.id).waitFor();
  const cursorOf = async () => (await stored(page, "settings")).find(({ key }) => key === "relay-history")?.value;
  const cursor = await until("the stored cursor", cursorOf);
  assert.ok(cursor.after > 0);
  assert.equal(cursor.relay, relay.url);
  // The tab goes away; meanwhile the relay runs another event.
  await page.goto("about:blank");
  await relay.post(stageChange());
  const second = (await relay.ended(2)).find((execution) => execution.id !== first.id);

  const reads = [];
  page.on("response", async (response) => {
    if (!response.url().startsWith(`${relay.url}/v1/executions`)) return;
    const after = new URL(response.url()).searchParams.get("after");
    const ids = (await response.json()).executions.map(({ execution }) => execution.id);
    reads.push({ after, ids });
  });
  await page.goto(`${app.appUrl}/#/history`);
  await row(page, second.id).waitFor();
  await until("the first read's answer", () => reads.length > 0);
  assert.equal(reads[0].after, String(cursor.after), "continued from the stored cursor");
  assert.deepEqual(reads[0].ids, [second.id], "only what ran since");
  assert.equal(await page.locator("tr[data-execution]").count(), 2);
  const ids = (await stored(page, "executions")).map(({ id }) => id).sort();
  assert.deepEqual(ids, [first.id, second.id].sort());
  assert.ok((await cursorOf()).after > cursor.after);
  assert.deepEqual(errors, []);
});

test("a relay run is replayed by the relay: a new request with a new webhook-id, merged into the history", async (t) => {
  await fetch(`${app.receiver.url}/_receiver/requests`, { method: "DELETE" });
  const relay = await relayFor(t);
  await relay.configure(app.receiver.url);
  await relay.post(stageChange());
  const [original] = await relay.ended(1);

  const { page, errors } = await freshPage(t);
  const sentByPage = [];
  page.on("request", (request) => request.url().startsWith(app.receiver.url) && sentByPage.push(request.url()));
  await connect(page, { url: relay.url, admin_token: RELAY_ADMIN_TOKEN });
  await row(page, original.id).waitFor();
  const drawer = await openDetail(page, original.id);
  await drawer.getByRole("button", { name: "Replay" }).click();
  await drawer.getByText("Replay asked of the relay").waitFor();

  const [first, again] = await until("the replayed request", async () => {
    const requests = await received();
    return requests.length === 2 && requests;
  });
  assert.equal(header(first, "webhook-id"), original.id);
  const replayId = header(again, "webhook-id");
  assert.notEqual(replayId, original.id, "a replay is a new execution");
  assert.match(header(again, "user-agent"), /^webhook-relay\//, "sent by the relay");
  assert.equal(again.body, first.body);
  assert.equal(again.path, first.path);
  assert.equal(header(again, "authorization"), header(first, "authorization"), "with the credentials the relay holds");
  assert.deepEqual(sentByPage, [], "the browser sent nothing to the endpoint");

  await drawer.getByRole("button", { name: "Close" }).click();
  await row(page, replayId).locator(".wa-route-relay").waitFor();
  await until("the replay's end in the history", async () =>
    (await row(page, replayId).locator(".wa-status").textContent()) === "Succeeded");
  assert.equal(await page.locator("tr[data-execution]").count(), 2);
  const replay = (await stored(page, "executions")).find(({ id }) => id === replayId);
  assert.equal(replay.user.name, "Ada Admin", "recorded as asked for by the admin who pressed Replay");
  assert.deepEqual(errors, []);
});

test("the browser's own runs and the relay's side by side in one history, only the relay's marked", async (t) => {
  await fetch(`${app.receiver.url}/_receiver/requests`, { method: "DELETE" });
  const relay = await relayFor(t);
  await relay.configure(app.receiver.url);
  // The relay runs three stage changes; the endpoint refuses the second with 503.
  const script = (actions) => fetch(`${app.receiver.url}/_receiver/script`, { method: "POST", body: JSON.stringify(actions) });
  for (const [n, status] of [[1, 200], [2, 503], [3, 200]]) {
    assert.equal((await script([{ status }])).status, 200);
    await relay.post(stageChange(["Packaging line retrofit", "CNC line maintenance contract", "Fleet telematics rollout"][n - 1]));
    await relay.ended(n);
  }
  const { page, errors } = await freshPage(t);
  await page.evaluate((config) => window.webhookAutomations.setConfig(config), withBrowserWebhook(app.receiver.url));
  // This browser delivers two people's sign-ups itself.
  for (const n of [1, 2]) await page.evaluate((event) => window.webhookAutomations.emit(event), personAdded(n));
  await until("the browser's runs", async () =>
    (await stored(page, "executions")).filter(({ status }) => status === "succeeded").length === 2);
  await connect(page, { url: relay.url, admin_token: RELAY_ADMIN_TOKEN });
  await until("five runs", async () => (await page.locator("tr[data-execution]").count()) === 5);
  const rows = await page.locator("tr[data-execution]").evaluateAll((rows) =>
    rows.map((row) => [row.children[1].textContent, row.querySelector(".wa-route-relay")?.textContent ?? ""]));
  const byAutomation = (name) => rows.filter(([automation]) => automation === name).map(([, mark]) => mark);
  assert.deepEqual(byAutomation("Stage changes to the ERP"), ["relay", "relay", "relay"]);
  assert.deepEqual(byAutomation("New people to the mailing list"), ["", ""]);
  await page.locator('tr[data-execution]', { hasText: "Failed" }).waitFor();
  // Filters work the same on merged runs.
  await page.locator("#history-status").selectOption({ label: "Failed" });
  await until("the failed relay run alone", async () => (await page.locator("tr[data-execution]").count()) === 1);
  assert.equal(await page.locator("tr[data-execution] .wa-route-relay").count(), 1);
  await page.locator("#history-status").selectOption({ index: 0 });
  await until("all five again", async () => (await page.locator("tr[data-execution]").count()) === 5);
  await page.setViewportSize({ width: 1440, height: 600 });
  await page.screenshot({ path: join(SCREENSHOTS, "history-relay-merged.png") });
  assert.deepEqual(errors, []);
});

test("a CORS refusal's advice opens the webhook's form", async (t) => {
  const { page, errors } = await freshPage(t);
  await page.goto(`${app.appUrl}/#/webhooks`);
  await page.locator(".wa-nav-link").first().waitFor();
  // The browser delivers to an endpoint that does not answer CORS preflights.
  const config = configFor(noCors.url, "browser");
  await page.evaluate((config) => window.webhookAutomations.setConfig(config), config);
  await page.locator("tr", { hasText: "ERP" }).waitFor();
  const event = stageChange();
  await page.evaluate((event) => window.webhookAutomations.emit(event), event);

  await page.locator('.wa-nav-link[data-section="history"]').click();
  const failed = page.locator("tr[data-execution]", { hasText: "Failed" });
  await failed.waitFor();
  assert.equal(await failed.locator(".wa-route-relay").count(), 0, "sent from this browser");
  await failed.locator(".wa-history-open").click();
  const drawer = page.locator(".wa-drawer");
  await drawer.getByText("refused this page (CORS)").waitFor();
  await page.screenshot({ path: join(SCREENSHOTS, "history-cors-advice.png") });
  await drawer.getByRole("button", { name: "Open “ERP” to deliver it through the relay" }).click();

  await page.getByRole("heading", { name: "Edit webhook" }).waitFor();
  assert.equal(await page.getByLabel("Name").inputValue(), "ERP");
  assert.equal(await page.getByLabel("Base URL").inputValue(), noCors.url);
  assert.equal(new URL(page.url()).hash, "#/webhooks");
  assert.equal(await page.locator('.wa-nav-link[aria-current="page"]').getAttribute("data-section"), "webhooks");
  // Leaving and coming back shows the list, not the form again.
  await page.locator('.wa-nav-link[data-section="history"]').click();
  await page.locator('.wa-nav-link[data-section="webhooks"]').click();
  await page.locator("tr", { hasText: "ERP" }).waitFor();
  assert.equal(await page.getByRole("heading", { name: "Edit webhook" }).count(), 0);
  assert.deepEqual(errors.filter((error) => !/CORS|Failed to load resource|net::ERR_FAILED/.test(error)), []);
});
