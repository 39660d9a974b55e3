// The runtime alone (createRuntime from webhook-automations-runtime.js), as a CRM page that shows no
// widget loads it: it does not load the app's module, its users' events reach the real receiver, and
// beside the standalone app in another tab of the same browser one dispatcher sends everything.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { SCREENSHOTS, freshAppForEachTest, openApp, outboxEmpty, stageChangeConfig, until } from "./harness.mjs";

const app = freshAppForEachTest();

// What each test's automation sends.
const RUNTIME_BODY = '{"stage": {{deal.stage}}, "by": "{{event.user.name}}"}';

const RILEY = { id: 2, name: "Riley Regular", email: "riley.regular@acme-crm.example", is_admin: false };

let eventCount = 0;
function stageChange(dealId, user = RILEY) {
  eventCount += 1;
  const previous = { id: dealId, title: "CNC line maintenance contract", value: 56500.5, stage: "proposal_made", status: "open", owner: 2 };
  return {
    id: `evt_runtime_${Date.now()}_${eventCount}`, entity: "deal", action: "updated", time: new Date().toISOString(), user,
    current: { ...previous, stage: "negotiations" }, previous,
  };
}

/** Opens the deal page in `page` and starts its runtime with `options`. */
async function openDealPage(page, options) {
  await page.goto(`${app.appUrl}/test-fixtures/deal-page.html`);
  await page.waitForFunction(() => typeof window.__start === "function");
  await page.evaluate((options) => window.__start(options), options);
}

/** Emits `event` on the deal page and resolves with its finished execution's summary. */
async function runOnDealPage(page, event) {
  assert.equal(await page.evaluate((event) => window.__runtime.emit(event), event), true);
  const handle = await page.waitForFunction(
    (eventId) => window.__executions.find((e) => e.event_id === eventId && e.status !== "pending"),
    event.id,
    { timeout: 20_000 },
  );
  return handle.jsonValue();
}

/** The requests the receiver recorded for `path`. */
async function receivedAt(path) {
  const requests = await (await fetch(`${app.receiver.url}/_receiver/requests`)).json();
  return requests.filter((request) => request.path === path);
}

test("Riley's deal page loads the runtime and not the app, and her event reaches the receiver", async () => {
  const { page } = app;
  const loaded = [];
  page.on("request", (request) => loaded.push(new URL(request.url()).pathname));
  await openDealPage(page, { user: RILEY, config: stageChangeConfig(app.receiver.url, { template: RUNTIME_BODY }) });

  const execution = await runOnDealPage(page, stageChange(302));
  assert.equal(execution.status, "succeeded", execution.reason);
  assert.equal(execution.http_status, 200);
  assert.deepEqual(execution.user, { id: 2, name: "Riley Regular" });
  const [request, ...more] = await receivedAt("/orders/302");
  assert.equal(more.length, 0);
  assert.equal(request.method, "PUT");
  assert.deepEqual(JSON.parse(request.body), { stage: "Negotiations started", by: "Riley Regular" });

  assert.ok(loaded.includes("/webhook-automations-runtime.js"), loaded.join(", "));
  assert.ok(loaded.includes("/webhook-automations-runtime_bg.wasm"), loaded.join(", "));
  for (const appFile of ["/webhook-automations.js", "/webhook-automations_bg.wasm", "/widget.js", "/styles.css"]) {
    assert.ok(!loaded.includes(appFile), `the deal page loaded ${appFile}`);
  }
  assert.deepEqual(await page.evaluate(() => window.__errors), []);
  assert.deepEqual(app.consoleErrors, []);
});

test("invalid createRuntime options and events throw, naming what is wrong", async () => {
  const { page } = app;
  await page.goto(`${app.appUrl}/test-fixtures/deal-page.html`);
  await page.waitForFunction(() => typeof window.__start === "function");
  const thrown = await page.evaluate(() => {
    try {
      window.__start({ user: { id: 2, name: "Riley" } });
      return null;
    } catch (error) {
      return error.message;
    }
  });
  assert.match(thrown, /^createRuntime options: the user is not valid: missing field `email`/);

  await page.evaluate((user) => window.__start({ user }), RILEY);
  const refused = await page.evaluate(() => {
    try {
      window.__runtime.emit({ id: "evt_bad", entity: "deal" });
      return null;
    } catch (error) {
      return error.message;
    }
  });
  assert.match(refused, /^the event is not valid: /);
});

test("the deal page's runtime and the standalone app in two tabs elect one dispatcher: each event is sent once", async () => {
  const { page: appTab } = app;
  await openApp(appTab, app.appUrl, "#/webhooks");
  const dealTab = await appTab.context().newPage();
  await openDealPage(dealTab, { user: RILEY, config: stageChangeConfig(app.receiver.url, { template: RUNTIME_BODY }) });
  // The app's tab follows the configuration the deal page stored before it runs anything with it.
  await appTab.locator("tr", { hasText: "ERP" }).waitFor();

  const locks = await dealTab.evaluate(() => navigator.locks.query());
  const dispatcherLocks = (list) => list.filter((lock) => lock.name.startsWith("webhook-automations:dispatcher"));
  assert.equal(dispatcherLocks(locks.held).length, 1, "one tab holds the dispatcher lock");
  assert.equal(dispatcherLocks(locks.pending).length, 1, "the other waits for it");

  // The same event handed to both tabs, and one more from each: the tab holding the lock sends them
  // all (the deal page's from the shared outbox), each exactly once.
  const both = stageChange(401);
  const fromDealPage = stageChange(402);
  const fromApp = stageChange(403, { id: 1, name: "Ada Admin", email: "ada.admin@acme-crm.example", is_admin: true });
  assert.equal(await dealTab.evaluate((event) => window.__runtime.emit(event), both), true);
  await appTab.evaluate((event) => window.webhookAutomations.emit(event), both);
  assert.equal(await dealTab.evaluate((event) => window.__runtime.emit(event), fromDealPage), true);
  assert.equal(await appTab.evaluate((event) => window.webhookAutomations.emit(event), fromApp), true);
  const paths = ["/orders/401", "/orders/402", "/orders/403"];
  await until("the three events' deliveries", async () => {
    const requests = await (await fetch(`${app.receiver.url}/_receiver/requests`)).json();
    return paths.every((path) => requests.some((request) => request.path === path));
  });
  // Nothing is left to send again: the outbox both tabs share is empty.
  await until("an empty outbox", () => outboxEmpty(dealTab));

  assert.equal((await receivedAt("/orders/401")).length, 1);
  assert.equal((await receivedAt("/orders/402")).length, 1);
  assert.equal((await receivedAt("/orders/403")).length, 1);
  await dealTab.close();
});

test("the demo CRM's deal page runs, with the runtime alone, the configuration its settings page shared", async () => {
  const { page } = app;
  const loaded = [];
  page.on("request", (request) => loaded.push(new URL(request.url()).pathname));
  await page.goto(`${app.appUrl}/deal-demo.html`);
  // What the demo's settings page stores as the CRM server's copy when an admin changes something.
  await page.evaluate((config) => localStorage.setItem("acme-crm:shared-automation-config", JSON.stringify(config)), stageChangeConfig(app.receiver.url, { template: RUNTIME_BODY }));
  await page.reload();
  await page.getByRole("button", { name: "Move to “Negotiations started”" }).click();
  await page.locator("#log", { hasText: "Stage changes to the ERP: succeeded (200)" }).waitFor();
  await page.screenshot({ path: join(SCREENSHOTS, "deal-demo.png") });
  const [request, ...more] = await receivedAt("/orders/302");
  assert.equal(more.length, 0);
  assert.deepEqual(JSON.parse(request.body), { stage: "Negotiations started", by: "Riley Regular" });
  assert.ok(loaded.includes("/webhook-automations-runtime_bg.wasm"), loaded.join(", "));
  assert.ok(!loaded.includes("/webhook-automations_bg.wasm"), "the deal page loaded the app's module");
  assert.deepEqual(app.consoleErrors, []);
});

// The standalone page may not open data an embedding page owns (it runs in memory): it has no
// outbox to dispatch, and it held the dispatcher lock all the same, so a deal page opened after it
// waited for a tab that would never send its deliveries.
test("a standalone tab without this browser's data does not hold up the deal page's deliveries", async () => {
  const { page: firstTab } = app;
  // A deal page claims this browser's data for the CRM (the embedding page owns it from now on)…
  await openDealPage(firstTab, { user: RILEY, config: stageChangeConfig(app.receiver.url, { template: RUNTIME_BODY }) });
  assert.equal((await runOnDealPage(firstTab, stageChange(500))).status, "succeeded");
  // …then the same tab goes to the standalone app, which therefore runs without storage.
  await openApp(firstTab, app.appUrl, "#/webhooks");
  await firstTab.getByRole("alert").filter({ hasText: "belongs to the CRM page that embeds the app" }).waitFor();

  const dealTab = await firstTab.context().newPage();
  await openDealPage(dealTab, { user: RILEY, config: stageChangeConfig(app.receiver.url, { template: RUNTIME_BODY }) });
  const execution = await runOnDealPage(dealTab, stageChange(501));
  assert.equal(execution.status, "succeeded", execution.reason);
  assert.equal((await receivedAt("/orders/501")).length, 1);
  await dealTab.close();
});
