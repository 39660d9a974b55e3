// The app delivering through the relay, with real processes: nats-server, webhook-relay,
// webhook-receiver (with and without CORS) and the release build in Chromium. Each test starts its
// own processes and browser and passes alone.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  RELAY_ADMIN_TOKEN, RELAY_EVENTS_TOKEN, SCREENSHOTS, openApp, startApp, startNats, startReceiver, startRelay,
} from "./harness.mjs";

const REGULAR = { id: 2, name: "Riley Regular", email: "riley@acme.example", is_admin: false };
const ADMIN = { id: 1, name: "Ada Admin", email: "ada@acme.example", is_admin: true };
const PASSWORD = "relay-basic-password-canary";

/** The app, a relay on its own NATS, and the receivers a test asks for; `stop()` ends them all. */
async function withRelay() {
  const app = await startApp();
  const nats = await startNats();
  const env = {
    app, nats, relay: await startRelay(nats, app.appUrl), receivers: [],
    async receiver(flags = []) {
      const receiver = await startReceiver(flags);
      env.receivers.push(receiver);
      return receiver;
    },
    async stop() {
      for (const receiver of env.receivers) receiver.stop();
      await env.relay.stop();
      nats.stop();
      await app.stop();
    },
  };
  return env;
}

/** Resolves once `check` (polled) holds; fails after 60 s saying what did not happen. */
async function until(what, check) {
  const deadline = Date.now() + 60_000;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function received(receiver) {
  return (await fetch(`${receiver.url}/_receiver/requests`)).json();
}

function relayCall(relay, method, path, body) {
  return fetch(`${relay.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${RELAY_ADMIN_TOKEN}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** Opens the standalone app, collecting configuration changes and executions it announces. */
async function openStandalone(page, appUrl) {
  await openApp(page, appUrl, "#/webhooks");
  await page.evaluate(() => {
    window.__documents = [];
    window.__executions = [];
    const app = document.getElementById("app");
    app.addEventListener("webhook-automations:configchange", (event) => window.__documents.push(event.detail));
    app.addEventListener("webhook-automations:execution", (event) => window.__executions.push(event.detail));
  });
}

async function connectRelay(page, relay) {
  await page.locator(".wa-nav-link[data-section=settings]").click();
  await page.getByLabel("Relay URL").fill(relay.url);
  await page.getByLabel("Admin token").fill(RELAY_ADMIN_TOKEN);
  await page.getByLabel("Events token").fill(RELAY_EVENTS_TOKEN);
  await page.getByRole("button", { name: "Save relay" }).click();
  await page.getByRole("button", { name: "Check connection" }).click();
  await page.locator(".wa-check-results li", { hasText: "The events token is accepted" }).waitFor();
  await page.locator(".wa-check-results li", { hasText: "The admin token is accepted" }).waitFor();
}

async function createWebhook(page, { name, baseUrl, route = "browser", password }) {
  await page.locator(".wa-nav-link[data-section=webhooks]").click();
  await page.getByRole("button", { name: "New webhook" }).click();
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Base URL").fill(baseUrl);
  await page.locator(`input[name=wh-route][value=${route}]`).check();
  if (password) {
    await page.getByLabel("Type").selectOption("basic");
    await page.getByLabel("User name").fill("crm-sync");
    await page.getByLabel("Password").fill(password);
  }
  await page.getByRole("button", { name: "Save webhook" }).click();
  await page.locator("tr", { hasText: name }).waitFor();
}

/**
 * Adds, as the host would hand it over, an automation on deal updates with one action per webhook
 * named (each `PUT /deals/{{deal.id}}` with the same raw body); resolves with the document.
 */
async function shareAutomation(page, webhookNames) {
  return page.evaluate(async (names) => {
    const latest = () => window.__documents.at(-1);
    while (!names.every((name) => latest()?.webhooks.some((webhook) => webhook.name === name))) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const document_ = structuredClone(latest());
    document_.automations = [{
      id: "auto_deals", name: "Deals out", enabled: true, trigger: { entity: "deal", action: "updated" },
      conditions: { match: "all", items: [] },
      actions: names.map((name) => ({
        webhook_id: document_.webhooks.find((webhook) => webhook.name === name).id, method: "PUT", path: "/deals/{{deal.id}}",
        body: { mode: "raw", template: "{\"title\": \"Deal {{deal.title}}\", \"stage\": {{deal.stage}}, \"value\": {{deal.value}}}" },
      })),
    }];
    document_.revision += 1;
    window.webhookAutomations.setConfig(document_);
    return document_;
  }, webhookNames);
}

function dealUpdate(id, user = REGULAR) {
  const previous = { id: 302, title: "CNC \"line\" ✓", value: 56500.5, stage: "proposal_made", status: "open", owner: 2 };
  return { id, entity: "deal", action: "updated", time: new Date().toISOString(), user,
    current: { ...previous, stage: "negotiations" }, previous };
}

/** Emits an event through the standalone app's handle; resolves with its executions once none is pending. */
async function emitAndWait(page, event, count = 1) {
  await page.evaluate((event) => window.webhookAutomations.emit(event), event);
  await page.waitForFunction(([id, count]) => {
    const latest = new Map();
    for (const execution of window.__executions.filter((e) => e.event_id === id)) latest.set(execution.id, execution);
    return latest.size >= count && [...latest.values()].every((e) => e.status !== "pending");
  }, [event.id, count], { timeout: 60_000 });
  return page.evaluate((id) => {
    const latest = new Map();
    for (const execution of window.__executions.filter((e) => e.event_id === id)) latest.set(execution.id, execution);
    return [...latest.values()];
  }, event.id);
}

/** Every value an IndexedDB database of the page holds, as JSON text. */
function dumpIndexedDb(page) {
  return page.evaluate(async () => {
    const dumps = [];
    for (const { name } of await indexedDB.databases()) {
      const db = await new Promise((resolve, reject) => {
        const open = indexedDB.open(name);
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      for (const store of db.objectStoreNames) {
        const all = await new Promise((resolve, reject) => {
          const request = db.transaction(store).objectStore(store).getAll();
          request.onsuccess = () => resolve(request.result);
          request.onerror = () => reject(request.error);
        });
        dumps.push(JSON.stringify(all));
      }
      db.close();
    }
    return dumps.join("\n");
  });
}

test("an endpoint that refuses browsers fails as a CORS refusal with the advice, and is delivered once switched to the relay", async () => {
  const env = await withRelay();
  try {
    const { page } = env.app;
    const noCors = await env.receiver(["--no-cors"]);
    await openStandalone(page, env.app.appUrl);
    await connectRelay(page, env.relay);
    await createWebhook(page, { name: "Shop API", baseUrl: noCors.url });
    await shareAutomation(page, ["Shop API"]);
    await page.locator(".wa-nav-link[data-section=webhooks]").click();

    const [refused] = await emitAndWait(page, dealUpdate("evt_cors_refused"));
    assert.equal(refused.status, "failed");
    assert.match(refused.reason, /does not accept requests from browsers/);
    assert.match(refused.reason, /through the relay/);
    assert.deepEqual((await received(noCors)).filter((request) => request.method === "PUT"), [],
      "the browser never sent it (only the preflight, and the probe that told CORS from an endpoint down)");

    await page.locator("tr", { hasText: "Shop API" }).getByRole("button", { name: "Edit" }).click();
    await page.locator("input[name=wh-route][value=relay]").check();
    await page.locator("#wh-relay-credentials").waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, "webhook-deliver-from.png"), fullPage: true });
    await page.getByRole("button", { name: "Save webhook" }).click();
    await page.locator("tr", { hasText: "Shop API" }).locator(".wa-badge", { hasText: "relay" }).waitFor();
    await page.locator(".wa-nav-link[data-section=settings]").click();
    await page.locator("#relay-sync", { hasText: "The relay holds this configuration" }).waitFor();

    await page.evaluate((event) => window.webhookAutomations.emit(event), dealUpdate("evt_through_relay"));
    // The endpoint also recorded the browser's earlier probe (GET): the relay's request is the PUT.
    const sent = async () => (await received(noCors)).filter((request) => request.method === "PUT");
    await until("the relay's delivery", async () => (await sent()).length === 1);
    const [request] = await sent();
    assert.equal(request.method, "PUT");
    assert.equal(request.path, "/deals/302");
    assert.deepEqual(JSON.parse(request.body), { title: "Deal CNC \"line\" ✓", stage: "Negotiations started", value: 56500.5 });
    const executions = await (await relayCall(env.relay, "GET", "/v1/executions?after=0")).json();
    const recorded = executions.executions.map((entry) => entry.execution);
    assert.equal(recorded.length, 1);
    assert.equal(recorded[0].id, Object.fromEntries(request.headers)["webhook-id"]);
    assert.equal(recorded[0].request.body, request.body, "the relay's record holds the request the endpoint got");
  } finally {
    await env.stop();
  }
});

test("one event through the browser and through the relay: the same method, path, body and headers but each transport's own", async () => {
  const env = await withRelay();
  try {
    const { page } = env.app;
    const receiver = await env.receiver();
    await openStandalone(page, env.app.appUrl);
    await connectRelay(page, env.relay);
    await createWebhook(page, { name: "From the browser", baseUrl: `${receiver.url}/browser` });
    await createWebhook(page, { name: "From the relay", baseUrl: `${receiver.url}/relay`, route: "relay" });
    await shareAutomation(page, ["From the browser", "From the relay"]);
    await page.locator(".wa-nav-link[data-section=settings]").click();
    await page.locator("#relay-sync", { hasText: "The relay holds this configuration" }).waitFor();

    await page.evaluate((event) => window.webhookAutomations.emit(event), dealUpdate("evt_both_routes"));
    await until("both deliveries", async () => (await received(receiver)).length === 2);
    const requests = await received(receiver);
    const byRoute = Object.fromEntries(requests.map((request) => [request.path.split("/")[1], request]));
    const { browser, relay } = byRoute;
    assert.equal(browser.method, relay.method);
    assert.equal(browser.path.replace("/browser", ""), relay.path.replace("/relay", ""));
    assert.equal(browser.body, relay.body, "the body byte for byte");
    // What each transport adds on its own (docs/relay.md lists the relay's): never compared.
    const own = /^(host|content-length|accept|accept-encoding|accept-language|connection|user-agent|origin|referer|sec-.*|priority|pragma|cache-control|webhook-id|webhook-timestamp|webhook-signature)$/;
    const headers = (request) => Object.fromEntries(request.headers.filter(([name]) => !own.test(name.toLowerCase())).map(([name, value]) => [name.toLowerCase(), value]));
    assert.deepEqual(headers(browser), headers(relay));
    assert.notEqual(Object.fromEntries(browser.headers)["webhook-id"], Object.fromEntries(relay.headers)["webhook-id"]);
  } finally {
    await env.stop();
  }
});

test("a regular user's browser that holds no credential delivers through the relay with the admin's Basic credentials, and never sees the password", async () => {
  const env = await withRelay();
  try {
    const admin = env.app.page;
    const receiver = await env.receiver();
    await openStandalone(admin, env.app.appUrl);
    await connectRelay(admin, env.relay);
    await createWebhook(admin, { name: "ERP", baseUrl: receiver.url, route: "relay", password: PASSWORD });
    const shared = await shareAutomation(admin, ["ERP"]);
    await until("the credentials on the relay", async () => {
      const held = await (await relayCall(env.relay, "GET", `/v1/webhooks/${shared.webhooks[0].id}/credentials`)).json();
      return held.complete === true;
    });
    assert.ok(!(await dumpIndexedDb(admin)).includes(PASSWORD), "the admin's browser keeps no copy either");

    // Riley's own browser: a fresh profile, the CRM page with the shared configuration and the relay.
    const riley = await env.app.page.context().browser().newContext();
    const page = await riley.newPage();
    const consoleMessages = [];
    page.on("console", (message) => consoleMessages.push(message.text()));
    const host = `${env.app.appUrl}/test-fixtures/crm-host.html?how=before&user=regular&relay=${encodeURIComponent(env.relay.url)}&events_token=${RELAY_EVENTS_TOKEN}`;
    await page.goto(host);
    await page.evaluate((document_) => localStorage.setItem("test-crm:shared-config", JSON.stringify(document_)), shared);
    await page.reload();
    await page.locator("#w tr", { hasText: "ERP" }).waitFor();
    await page.evaluate((event) => window.__widget.emit(event), dealUpdate("evt_from_riley"));
    await until("the delivery Riley caused", async () => (await received(receiver)).length === 1);
    const [request] = await received(receiver);
    assert.equal(Object.fromEntries(request.headers).authorization, `Basic ${Buffer.from(`crm-sync:${PASSWORD}`).toString("base64")}`);
    assert.ok(!(await dumpIndexedDb(page)).includes(PASSWORD), "Riley's IndexedDB never holds the password");
    assert.ok(!(await page.content()).includes(PASSWORD), "nor the page");
    assert.ok(!consoleMessages.some((message) => message.includes(PASSWORD)), "nor the console");
    await riley.close();
  } finally {
    await env.stop();
  }
});

test("with the relay stopped, events wait saying so and go out once it is back: nothing lost, nothing twice", async () => {
  const env = await withRelay();
  try {
    const { page } = env.app;
    const receiver = await env.receiver();
    await openStandalone(page, env.app.appUrl);
    await connectRelay(page, env.relay);
    await createWebhook(page, { name: "ERP", baseUrl: receiver.url, route: "relay" });
    await shareAutomation(page, ["ERP"]);
    await page.locator(".wa-nav-link[data-section=settings]").click();
    await page.locator("#relay-sync", { hasText: "The relay holds this configuration" }).waitFor();

    const port = new URL(env.relay.url).port;
    await env.relay.stop();
    const ids = ["evt_while_down_1", "evt_while_down_2"];
    for (const id of ids) await page.evaluate((event) => window.webhookAutomations.emit(event), dealUpdate(id));
    await page.waitForFunction((ids) => ids.every((id) => window.__executions.some((e) =>
      e.event_id === id && e.status === "pending" && /waiting for the relay: the relay at .* does not answer/.test(e.reason ?? ""))), ids);
    await page.locator(".wa-nav-link[data-section=history]").click();
    await page.screenshot({ path: join(SCREENSHOTS, "history-relay-unreachable.png"), fullPage: true });
    assert.equal((await received(receiver)).length, 0);

    env.relay = await startRelay(env.nats, env.app.appUrl, [], Number(port));
    await until("both events delivered", async () => (await received(receiver)).length === 2);
    const webhookIds = (await received(receiver)).map((request) => Object.fromEntries(request.headers)["webhook-id"]);
    assert.equal(new Set(webhookIds).size, 2, "each event once");
    const handovers = await page.evaluate(() => new Promise((resolve) => {
      const open = indexedDB.open("webhook-automations");
      open.onsuccess = () => {
        const count = open.result.transaction("handovers").objectStore("handovers").count();
        count.onsuccess = () => { open.result.close(); resolve(count.result); };
      };
    }));
    assert.equal(handovers, 0, "nothing left waiting");
  } finally {
    await env.stop();
  }
});

test("embedded: the embed demo, with the relay named by the host, delivers for Riley Regular", async () => {
  const env = await withRelay();
  try {
    const { page } = env.app;
    const receiver = await env.receiver();
    const webhook = { id: "wh_demo", name: "Receiver", base_url: receiver.url, auth: { type: "none" }, headers: [], signed: false,
      timeout_ms: 10000, retry: { max_attempts: 2, initial_backoff_ms: 100, max_backoff_ms: 1000 }, route: "relay" };
    const shared = {
      format: "webhook-automations/config", version: 3, revision: 5, webhooks: [webhook],
      automations: [{ id: "auto_demo", name: "Deal updates", enabled: true, trigger: { entity: "deal", action: "updated" },
        conditions: { match: "all", items: [] },
        actions: [{ webhook_id: "wh_demo", method: "POST", path: "/crm/deals/{{deal.id}}", body: { mode: "key_value", rows: [{ key: "stage", value: "{{deal.stage}}" }] } }] }],
    };
    const current = await relayCall(env.relay, "GET", "/v1/config");
    const put = await relayCall(env.relay, "PUT", "/v1/config", shared);
    assert.equal(put.status, 428, "If-Match is required");
    const stored = await fetch(`${env.relay.url}/v1/config`, {
      method: "PUT", body: JSON.stringify(shared),
      headers: { authorization: `Bearer ${RELAY_ADMIN_TOKEN}`, "content-type": "application/json", "if-match": current.headers.get("etag") },
    });
    assert.equal(stored.status, 200);

    await page.goto(`${env.app.appUrl}/embed-demo.html?relay=${encodeURIComponent(env.relay.url)}&events_token=${RELAY_EVENTS_TOKEN}`);
    await page.evaluate((document_) => localStorage.setItem("acme-crm:shared-automation-config", JSON.stringify(document_)), shared);
    await page.reload();
    await page.locator("#crm-user").selectOption("2");
    await page.locator("webhook-automations tr", { hasText: "Receiver" }).waitFor();
    await page.getByRole("button", { name: "Move to “Negotiations started”" }).click();
    await until("the relay's delivery for Riley", async () => (await received(receiver)).length === 1);
    const [request] = await received(receiver);
    assert.equal(request.path, "/crm/deals/302");
    assert.deepEqual(JSON.parse(request.body), { stage: "Negotiations started" });
    await page.screenshot({ path: join(SCREENSHOTS, "embed-demo-relay.png") });
  } finally {
    await env.stop();
  }
});

test("the tab is closed while the endpoint answers 503: the relay retries on, and the admin's history later shows every attempt and the success", async () => {
  const env = await withRelay();
  try {
    const { page } = env.app;
    const receiver = await env.receiver();
    await openStandalone(page, env.app.appUrl);
    await connectRelay(page, env.relay);
    await createWebhook(page, { name: "ERP", baseUrl: receiver.url, route: "relay" });
    await shareAutomation(page, ["ERP"]);
    await page.locator(".wa-nav-link[data-section=settings]").click();
    await page.locator("#relay-sync", { hasText: "The relay holds this configuration" }).waitFor();
    const script = await fetch(`${receiver.url}/_receiver/script`, {
      method: "POST", body: JSON.stringify([{ status: 503 }, { status: 503 }, { status: 200 }]),
    });
    assert.equal(script.status, 200, await script.text());

    await page.evaluate((event) => window.webhookAutomations.emit(event), dealUpdate("evt_tab_closed"));
    await until("the first answer, 503", async () => (await received(receiver)).length >= 1);
    const context = page.context();
    await page.close();

    await until("the relay's retries, with no tab open", async () => (await received(receiver)).length === 3);
    const webhookIds = (await received(receiver)).map((request) => Object.fromEntries(request.headers)["webhook-id"]);
    assert.equal(new Set(webhookIds).size, 1, "three attempts of one execution");
    const [executionId] = webhookIds;

    // Later, the admin opens the app again in the same browser.
    const later = await context.newPage();
    await later.goto(`${env.app.appUrl}/#/history`);
    const row = later.locator(`tr[data-execution="${executionId}"]`);
    await row.locator(".wa-route-relay").waitFor();
    await until("the success in the history", async () => (await row.locator(".wa-status").textContent()) === "Succeeded");
    assert.equal(await later.locator("tr[data-execution]").count(), 1, "the run the tab handed over is the relay's, once");
    await row.locator(".wa-history-open").click();
    const drawer = later.locator(".wa-drawer");
    await drawer.locator(".wa-history-attempt").nth(2).waitFor();
    const attempts = await drawer.locator(".wa-history-attempt h4").allTextContents();
    assert.deepEqual(attempts, ["Attempt 1", "Attempt 2", "Attempt 3"]);
    const statuses = await later.evaluate((id) => new Promise((resolve) => {
      const open = indexedDB.open("webhook-automations");
      open.onsuccess = () => {
        const get = open.result.transaction("executions").objectStore("executions").get(id);
        get.onsuccess = () => { open.result.close(); resolve(get.result.attempts.map((attempt) => attempt.response?.status)); };
      };
    }), executionId);
    assert.deepEqual(statuses, [503, 503, 200]);
    await later.screenshot({ path: join(SCREENSHOTS, "history-relay-retried.png") });
  } finally {
    await env.stop();
  }
});

test("an event the relay refuses for good fails saying why, and the events waiting beside it still go", async () => {
  const env = await withRelay();
  try {
    const { page } = env.app;
    const receiver = await env.receiver();
    await openStandalone(page, env.app.appUrl);
    await connectRelay(page, env.relay);
    await createWebhook(page, { name: "ERP", baseUrl: receiver.url, route: "relay" });
    await shareAutomation(page, ["ERP"]);
    await page.locator(".wa-nav-link[data-section=settings]").click();
    await page.locator("#relay-sync", { hasText: "The relay holds this configuration" }).waitFor();

    // Both wait while the relay is down, so they are handed over together when it is back.
    const port = new URL(env.relay.url).port;
    await env.relay.stop();
    const huge = dealUpdate("evt_too_large");
    huge.current.title = huge.previous.title = "A very long deal title ".repeat(300);
    const small = dealUpdate("evt_small_beside_it");
    for (const event of [huge, small]) await page.evaluate((event) => window.webhookAutomations.emit(event), event);
    await page.waitForFunction((ids) => ids.every((id) => window.__executions.some((e) =>
      e.event_id === id && e.status === "pending" && /waiting for the relay/.test(e.reason ?? ""))), [huge.id, small.id]);
    // Back with a body limit the large event alone exceeds: the relay answers 413 to the pair.
    env.relay = await startRelay(env.nats, env.app.appUrl, ["--max-body-bytes", "4096"], Number(port));

    await until("the small event's delivery", async () => (await received(receiver)).length === 1);
    const [request] = await received(receiver);
    assert.equal(JSON.parse(request.body).title, "Deal CNC \"line\" ✓");
    await page.waitForFunction((id) => window.__executions.some((e) =>
      e.event_id === id && e.status === "failed" && /the relay refused this event/.test(e.reason ?? "")), huge.id);
    const handovers = () => page.evaluate(() => new Promise((resolve) => {
      const open = indexedDB.open("webhook-automations");
      open.onsuccess = () => {
        const count = open.result.transaction("handovers").objectStore("handovers").count();
        count.onsuccess = () => { open.result.close(); resolve(count.result); };
      };
    }));
    assert.equal(await handovers(), 0, "the refused event waits no more");
    // And it holds nothing back: the next event goes out at once.
    await page.evaluate((event) => window.webhookAutomations.emit(event), dealUpdate("evt_after_the_refusal"));
    await until("the next event's delivery", async () => (await received(receiver)).length === 2);
    await page.locator(".wa-nav-link[data-section=history]").click();
    await page.locator("tr[data-execution]", { hasText: "Failed" }).locator(".wa-history-open").click();
    await page.locator(".wa-drawer").getByText("the relay refused this event").waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, "history-relay-refused.png") });
  } finally {
    await env.stop();
  }
});

// A page that does not dispatch (another tab holds the lock) stores its event for the relay and
// tries to post it; closed while the relay is down, its event waited for the dispatching tab, which
// was never told of it and posted nothing until some tab emitted again or reloaded.
test("an event a closed tab left waiting for the relay is handed over by the tab that dispatches", async () => {
  const env = await withRelay();
  try {
    const { page } = env.app;
    const receiver = await env.receiver();
    await openStandalone(page, env.app.appUrl);
    await connectRelay(page, env.relay);
    await createWebhook(page, { name: "ERP", baseUrl: receiver.url, route: "relay" });
    await shareAutomation(page, ["ERP"]);
    await page.locator(".wa-nav-link[data-section=settings]").click();
    await page.locator("#relay-sync", { hasText: "The relay holds this configuration" }).waitFor();

    const port = new URL(env.relay.url).port;
    await env.relay.stop();
    // Riley's deal page, in a second tab: the runtime alone, with the relay the CRM names.
    const dealTab = await page.context().newPage();
    await dealTab.goto(`${env.app.appUrl}/test-fixtures/deal-page.html`);
    await dealTab.waitForFunction(() => typeof window.__start === "function");
    await dealTab.evaluate(([user, url, eventsToken]) => window.__start({ user, relay: { url, eventsToken } }),
      [REGULAR, env.relay.url, RELAY_EVENTS_TOKEN]);
    const event = dealUpdate("evt_left_by_a_closed_tab");
    assert.equal(await dealTab.evaluate((event) => window.__runtime.emit(event), event), true);
    // Stored for the relay (the claim announces its run only once it is), then the tab goes away.
    await dealTab.waitForFunction((id) => window.__executions.some((e) => e.event_id === id && e.status === "pending"), event.id);
    await dealTab.close();

    env.relay = await startRelay(env.nats, env.app.appUrl, [], Number(port));
    await until("the event's delivery through the relay", async () => (await received(receiver)).length === 1);
    const [request] = await received(receiver);
    assert.equal(request.path, "/deals/302");
  } finally {
    await env.stop();
  }
});

test("an event on an entity the relay's catalog lacks waits (not failed) and goes once the catalog has it again", async () => {
  const env = await withRelay();
  try {
    const { page } = env.app;
    const receiver = await env.receiver();
    await openStandalone(page, env.app.appUrl);
    await connectRelay(page, env.relay);
    await createWebhook(page, { name: "ERP", baseUrl: receiver.url, route: "relay" });
    await shareAutomation(page, ["ERP"]);
    await page.locator(".wa-nav-link[data-section=settings]").click();
    await page.locator("#relay-sync", { hasText: "The relay holds this configuration" }).waitFor();

    // Another page (the standalone app, a host's late setCatalog) put a catalog without deals.
    const catalog = await (await relayCall(env.relay, "GET", "/v1/catalog")).json();
    const withoutDeals = structuredClone(catalog);
    withoutDeals.entities.find((entity) => entity.key === "deal").trigger = false;
    assert.equal((await relayCall(env.relay, "PUT", "/v1/catalog", withoutDeals)).status, 200);

    const event = dealUpdate("evt_entity_not_in_catalog");
    await page.evaluate((event) => window.webhookAutomations.emit(event), event);
    await page.waitForFunction((id) => window.__executions.some((e) => e.event_id === id && e.status === "pending"
      && /waiting for the relay: .*not an entity that triggers automations/.test(e.reason ?? "")), event.id);
    assert.equal(await page.evaluate((id) => window.__executions.some((e) => e.event_id === id && e.status === "failed"), event.id),
      false, "a refusal the catalog can lift does not fail the event");

    assert.equal((await relayCall(env.relay, "PUT", "/v1/catalog", catalog)).status, 200);
    await until("the delivery once the catalog has deals again", async () => (await received(receiver)).length === 1);
    const [request] = await received(receiver);
    assert.equal(request.path, "/deals/302");
  } finally {
    await env.stop();
  }
});

test("the relay's configuration changed elsewhere: the admin sees what differs, keeps their own, and users' events still go", async () => {
  const env = await withRelay();
  try {
    const { page } = env.app;
    const receiver = await env.receiver();
    await openStandalone(page, env.app.appUrl);
    await connectRelay(page, env.relay);
    await createWebhook(page, { name: "ERP", baseUrl: receiver.url, route: "relay" });
    const shared = await shareAutomation(page, ["ERP"]);
    await page.locator(".wa-nav-link[data-section=settings]").click();
    await page.locator("#relay-sync", { hasText: "The relay holds this configuration" }).waitFor();

    // Another admin puts a newer revision with the automation renamed.
    const current = await relayCall(env.relay, "GET", "/v1/config");
    const theirs = await current.json();
    theirs.automations[0].name = "Deals out, renamed elsewhere";
    theirs.revision = shared.revision + 1_000_000;
    const put = await fetch(`${env.relay.url}/v1/config`, {
      method: "PUT", body: JSON.stringify(theirs),
      headers: { authorization: `Bearer ${RELAY_ADMIN_TOKEN}`, "content-type": "application/json", "if-match": current.headers.get("etag") },
    });
    assert.equal(put.status, 200, await put.text());

    // This admin changes something too: nothing is overwritten, the difference is shown.
    await createWebhook(page, { name: "Audit log", baseUrl: `${receiver.url}/audit` });
    const conflict = page.locator(".wa-relay-conflict");
    await conflict.waitFor();
    assert.match(await conflict.textContent(), /Deals out, renamed elsewhere|Audit log/);
    await page.screenshot({ path: join(SCREENSHOTS, "relay-conflict.png") });
    assert.equal((await (await relayCall(env.relay, "GET", "/v1/config")).json()).automations[0].name,
      "Deals out, renamed elsewhere", "nothing overwritten before the admin chose");

    // The choice puts a whole configuration with the admin token: not offered to a regular user.
    await page.evaluate((user) => window.webhookAutomations.setUser(user), REGULAR);
    await conflict.waitFor({ state: "detached" });
    await page.evaluate((user) => window.webhookAutomations.setUser(user), ADMIN);
    await conflict.getByRole("button", { name: "Keep mine (replace the relay's)" }).click();
    await conflict.waitFor({ state: "detached" });
    const kept = await (await relayCall(env.relay, "GET", "/v1/config")).json();
    assert.equal(kept.automations[0].name, "Deals out");
    assert.ok(kept.webhooks.some((webhook) => webhook.name === "Audit log"));
    assert.ok(kept.revision > theirs.revision, `kept as a newer revision (${kept.revision} after ${theirs.revision})`);

    // This page plans with its own revision; the relay, holding a newer one, takes its events.
    await page.evaluate((event) => window.webhookAutomations.emit(event), dealUpdate("evt_after_keep_mine"));
    await until("the delivery", async () => (await received(receiver)).filter((r) => r.path === "/deals/302").length === 1);

    // The next change is newer than the kept revision (whose clock it came from does not matter):
    // put without a conflict, and a new relay webhook's credentials reach the relay.
    await createWebhook(page, { name: "Billing", baseUrl: `${receiver.url}/billing`, route: "relay", password: PASSWORD });
    let billing;
    await until("the relay to hold the new webhook", async () => {
      const held = await (await relayCall(env.relay, "GET", "/v1/config")).json();
      billing = held.webhooks.find((webhook) => webhook.name === "Billing");
      return billing !== undefined;
    });
    await until("the relay to hold its password", async () => {
      const answer = await relayCall(env.relay, "GET", `/v1/webhooks/${billing.id}/credentials`);
      return answer.ok && (await answer.json()).set.includes("password");
    });
    assert.equal(await conflict.count(), 0, "no conflict with the admin's own kept configuration");
  } finally {
    await env.stop();
  }
});
