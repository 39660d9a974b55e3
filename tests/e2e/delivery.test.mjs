// Automations really run: events from the host API go through the dispatcher, out with fetch, to the
// project's webhook-receiver — and every run is recorded and explained.
import { test } from "node:test";
import assert from "node:assert/strict";
import { freshAppForEachTest, openApp, stageChangeConfig, startReceiver } from "./harness.mjs";

const app = freshAppForEachTest();

const ADMIN = { id: 1, name: "Ada Admin", email: "ada.admin@northwind-crm.example", is_admin: true };
const REGULAR = { id: 2, name: "Riley Regular", email: "riley.regular@northwind-crm.example", is_admin: false };

let eventCount = 0;
function stageChange(user = ADMIN) {
  eventCount += 1;
  const previous = { id: 302, title: "CNC line maintenance contract", value: 56500.5, stage: "proposal_made", status: "open", owner: 2 };
  return {
    id: `evt_e2e_${Date.now()}_${eventCount}`, entity: "deal", action: "updated", time: new Date().toISOString(), user,
    current: { ...previous, stage: "negotiations" }, previous,
  };
}

/** Loads the app with `config` shared by the "host", collecting execution events. */
async function withConfig(config) {
  await openApp(app.page, app.appUrl, "#/webhooks");
  await app.page.evaluate((config) => {
    window.__executions = [];
    document.getElementById("app").addEventListener("webhook-automations:execution", (event) => window.__executions.push(event.detail));
    window.webhookAutomations.setConfig(config);
  }, config);
  await app.page.locator("tr", { hasText: "ERP" }).waitFor();
}

/** Emits an event and waits until its execution has finished; returns the last summary. */
async function runEvent(event) {
  await app.page.evaluate((event) => window.webhookAutomations.emit(event), event);
  const handle = await app.page.waitForFunction(
    (eventId) => window.__executions.filter((e) => e.event_id === eventId && e.status !== "pending").at(-1),
    event.id,
    { timeout: 20_000 },
  );
  return handle.jsonValue();
}

/** The stored execution record (what the history shows), read from IndexedDB. */
async function storedExecution(id) {
  return app.page.evaluate(async (id) => {
    const db = await new Promise((resolve, reject) => {
      const request = indexedDB.open("webhook-automations");
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    const record = await new Promise((resolve) => {
      const request = db.transaction("executions").objectStore("executions").get(id);
      request.onsuccess = () => resolve(request.result);
    });
    db.close();
    return record;
  }, id);
}

async function received() {
  return (await fetch(`${app.receiver.url}/_receiver/requests`)).json();
}

async function script(actions) {
  const response = await fetch(`${app.receiver.url}/_receiver/script`, { method: "POST", body: JSON.stringify(actions) });
  assert.equal(response.status, 200);
}

test("a host event reaches the receiver as exactly the request the history records", async () => {
  await withConfig(stageChangeConfig(app.receiver.url, { auth: { type: "basic", username: "crm-sync" } }));
  // Shared configurations carry no secrets: the admin enters the password in this browser.
  await app.page.locator("tr", { hasText: "ERP" }).getByText("credentials needed").waitFor();
  await app.page.locator("tr", { hasText: "ERP" }).getByRole("button", { name: "Edit" }).click();
  await app.page.getByLabel("Password").fill("s3cret-pass");
  await app.page.getByRole("button", { name: "Save webhook" }).click();
  await app.page.getByText("Webhook “ERP” saved").waitFor();

  const summary = await runEvent(stageChange());
  assert.equal(summary.status, "succeeded", summary.reason);
  const [request] = await received();
  const execution = await storedExecution(summary.id);
  assert.equal(request.method, "PUT");
  assert.equal(request.path, "/orders/302");
  assert.equal(`${app.receiver.url}${request.path}`, execution.request.url);
  assert.equal(request.body, execution.request.body);
  assert.deepEqual(JSON.parse(request.body), { title: "CNC line maintenance contract", stage: "Negotiations started", by: "Ada Admin" });
  const headers = Object.fromEntries(request.headers);
  assert.equal(headers.authorization, `Basic ${Buffer.from("crm-sync:s3cret-pass").toString("base64")}`);
  assert.equal(headers["webhook-id"], execution.id);
  assert.ok(!JSON.stringify(execution).includes("s3cret-pass"), "the record holds no secret");

  // The lists show the latest outcome.
  assert.match(await app.page.locator("tr", { hasText: "ERP" }).innerText(), /succeeded/);
  await app.page.locator(".wa-nav-link[data-section=automations]").click();
  assert.match(await app.page.locator("tr", { hasText: "Stage changes to the ERP" }).innerText(), /succeeded/);
  assert.deepEqual(app.consoleErrors, []);
});

test("a 503 then a 200 is two attempts and a success, with one webhook-id", async () => {
  await withConfig(stageChangeConfig(app.receiver.url));
  await script([{ status: 503, retry_after: 0 }, { status: 200 }]);
  const summary = await runEvent(stageChange());
  assert.equal(summary.status, "succeeded");
  assert.equal(summary.attempts, 2);
  const requests = await received();
  assert.equal(requests.length, 2);
  const ids = requests.map((request) => Object.fromEntries(request.headers)["webhook-id"]);
  assert.deepEqual(ids, [summary.id, summary.id]);
});

test("a regular user's change triggers the automation just the same", async () => {
  await withConfig(stageChangeConfig(app.receiver.url));
  await app.page.evaluate((user) => window.webhookAutomations.setUser(user), REGULAR);
  const summary = await runEvent(stageChange(REGULAR));
  assert.equal(summary.status, "succeeded");
  assert.equal(summary.user.name, "Riley Regular");
  assert.match((await received())[0].body, /Riley Regular/);
});

test("failures name their cause: 401, timeout, unreachable, redirect, CORS refusal", async () => {
  await withConfig(stageChangeConfig(app.receiver.url, { maxAttempts: 1, timeoutMs: 1_000 }));
  await script({ status: 401 });
  assert.match((await runEvent(stageChange())).reason, /401 Unauthorized.*check the webhook's credentials/);

  await script({ delay_ms: 3_000 });
  assert.match((await runEvent(stageChange())).reason, /no answer within 1 s/);

  await script({ status: 302, redirect: `${app.receiver.url}/elsewhere` });
  assert.match((await runEvent(stageChange())).reason, /redirect.*not followed/);

  const { createServer } = await import("node:net");
  const closed = await new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
  await withConfig(stageChangeConfig(`http://127.0.0.1:${closed}`, { maxAttempts: 1 }));
  assert.match((await runEvent(stageChange())).reason, /could not reach the endpoint/);

  const noCors = await startReceiver(["--no-cors"]);
  try {
    await withConfig(stageChangeConfig(noCors.url, { maxAttempts: 1 }));
    assert.match((await runEvent(stageChange())).reason, /refused this page \(CORS\)/);
  } finally {
    noCors.stop();
  }
});

test("a reload during retries resumes them with the same webhook-id", async () => {
  await withConfig(stageChangeConfig(app.receiver.url, { maxAttempts: 3 }));
  await script([{ status: 503, retry_after: 2 }, { status: 200 }]);
  const event = stageChange();
  await app.page.evaluate((event) => window.webhookAutomations.emit(event), event);
  // The first attempt has failed and a retry is due in 2 s: reload before it.
  const deadline = Date.now() + 10_000;
  while ((await received()).length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await app.page.reload();
  await app.page.locator(".wa-nav-link").first().waitFor();
  const until = Date.now() + 15_000;
  while ((await received()).length < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  const requests = await received();
  assert.equal(requests.length, 2, "the retry was sent after the reload");
  const ids = requests.map((request) => Object.fromEntries(request.headers)["webhook-id"]);
  assert.equal(ids[0], ids[1], "with the same webhook-id");
  assert.equal(requests[1].response_status, 200);
});

test("offline, a delivery waits in the outbox and goes out when the browser is back online", async () => {
  await withConfig(stageChangeConfig(app.receiver.url, { maxAttempts: 1 }));
  await app.page.context().setOffline(true);
  const event = stageChange();
  try {
    await app.page.evaluate((event) => window.webhookAutomations.emit(event), event);
    const pending = await app.page.waitForFunction(
      (eventId) => window.__executions.find((e) => e.event_id === eventId),
      event.id,
    );
    assert.equal((await pending.jsonValue()).status, "pending");
    assert.equal((await received()).length, 0, "nothing was attempted while offline");
  } finally {
    await app.page.context().setOffline(false);
  }
  const handle = await app.page.waitForFunction(
    (eventId) => window.__executions.find((e) => e.event_id === eventId && e.status !== "pending"),
    event.id,
    { timeout: 20_000 },
  );
  assert.equal((await handle.jsonValue()).status, "succeeded");
  assert.equal((await received()).length, 1);
});

test("editing a sandbox deal as the regular user sends what the execution records", async () => {
  await withConfig(stageChangeConfig(app.receiver.url));
  await openApp(app.page, app.appUrl, "#/sandbox");
  await app.page.locator(".wa-sandbox-table").waitFor();
  await app.page.getByLabel("Switch user").selectOption("2");
  await app.page.getByRole("button", { name: "Edit CNC line maintenance contract" }).click();
  await app.page.getByLabel("Stage", { exact: true }).selectOption("negotiations");
  await app.page.getByRole("button", { name: "Save changes" }).click();
  const handle = await app.page.waitForFunction(
    () => window.__executions.find((e) => e.automation_id === "auto_stage" && e.status !== "pending"),
    undefined,
    { timeout: 20_000 },
  );
  const summary = await handle.jsonValue();
  assert.equal(summary.status, "succeeded", summary.reason);
  assert.equal(summary.user.name, "Riley Regular", "a regular user's change runs the automation");
  const [request] = await received();
  const execution = await storedExecution(summary.id);
  assert.equal(request.body, execution.request.body);
  assert.equal(`${app.receiver.url}${request.path}`, execution.request.url);
  assert.equal(Object.fromEntries(request.headers)["webhook-id"], execution.id);
  assert.match(request.body, /Riley Regular/);
});

test("the Test button on the webhooks page sends a sample request and shows the classified answer", async () => {
  await withConfig(stageChangeConfig(app.receiver.url));
  const row = app.page.locator("tr", { hasText: "ERP" });
  await row.getByRole("button", { name: "Test" }).click();
  await app.page.getByText(/Test of “ERP”: the endpoint answered 200 in \d+ ms\./).waitFor();
  const [request] = await received();
  assert.equal(request.method, "POST");
  assert.equal(JSON.parse(request.body).test, true);

  await script({ status: 403 });
  await row.getByRole("button", { name: "Test" }).click();
  await app.page.getByText(/Test of “ERP” failed: the endpoint answered 403 Forbidden/).waitFor();
});

test("only admins manage webhooks; every user sees which exist", async () => {
  await withConfig(stageChangeConfig(app.receiver.url));
  await app.page.evaluate((user) => window.webhookAutomations.setUser(user), REGULAR);
  await app.page.getByRole("button", { name: "New webhook" }).waitFor({ state: "detached" });
  const row = app.page.locator("tr", { hasText: "ERP" });
  assert.equal(await row.getByRole("button").count(), 0, "no Edit, Delete or Test for a regular user");
  await app.page.evaluate((user) => window.webhookAutomations.setUser(user), ADMIN);
  await app.page.getByRole("button", { name: "New webhook" }).waitFor();
});

test("with two tabs open, an event from the tab that does not dispatch is delivered once, by the other", async () => {
  await withConfig(stageChangeConfig(app.receiver.url));
  const second = await app.page.context().newPage();
  try {
    await second.goto(`${app.appUrl}/#/webhooks`);
    await second.locator("tr", { hasText: "ERP" }).waitFor();
    // The first tab holds the dispatcher lock; the second queues into the shared outbox.
    const event = stageChange();
    await second.evaluate((event) => window.webhookAutomations.emit(event), event);
    const handle = await app.page.waitForFunction(
      (eventId) => window.__executions.find((e) => e.event_id === eventId && e.status !== "pending"),
      event.id,
      { timeout: 20_000 },
    );
    assert.equal((await handle.jsonValue()).status, "succeeded", "the dispatching tab sent it");
    const requests = await received();
    assert.equal(requests.length, 1, "exactly once");
  } finally {
    await second.close();
  }
});

test("an event handed over again, after a reload or by a second tab, runs once", async () => {
  await withConfig(stageChangeConfig(app.receiver.url));
  const errorsBefore = app.consoleErrors.length;
  const event = stageChange();
  assert.equal((await runEvent(event)).status, "succeeded");
  assert.equal((await received()).length, 1);

  /** Hands `event` to the widget on `page` and waits until it says it ignored it. */
  const handOverAgain = async (page) => {
    const ignored = page.waitForEvent("console", {
      predicate: (message) => message.text().includes(`event "${event.id}" already ran in this browser`),
      timeout: 10_000,
    });
    // The page has not seen this id, so it accepts it; storage then says it already ran.
    assert.equal(await page.evaluate((event) => window.webhookAutomations.emit(event), event), true);
    await ignored;
  };
  await app.page.reload();
  await app.page.locator("tr", { hasText: "ERP" }).waitFor();
  await handOverAgain(app.page);
  const second = await app.page.context().newPage();
  try {
    await second.goto(`${app.appUrl}/#/webhooks`);
    await second.locator("tr", { hasText: "ERP" }).waitFor();
    await handOverAgain(second);
  } finally {
    await second.close();
  }
  assert.equal((await received()).length, 1, "the receiver got the event once");
  assert.deepEqual(app.consoleErrors.slice(errorsBefore), []);
});

test("a runs-per-minute limit saved in another tab applies to this tab's runs at once", async () => {
  await withConfig(stageChangeConfig(app.receiver.url));
  await app.page.locator(".wa-nav-link[data-section=settings]").click();
  const limit = app.page.getByLabel("Runs per automation per minute");
  assert.equal(await limit.inputValue(), "60");
  const other = await app.page.context().newPage();
  try {
    await other.goto(`${app.appUrl}/#/settings`);
    await other.getByLabel("Runs per automation per minute").fill("1");
    await other.getByRole("button", { name: "Save settings" }).click();
    await other.getByText("Settings saved").waitFor();
  } finally {
    await other.close();
  }
  // The form here follows the saved value: this tab has the new settings.
  await app.page.waitForFunction(() => document.getElementById("settings-max-runs").value === "1", null, { timeout: 10_000 });

  assert.equal((await runEvent(stageChange())).status, "succeeded");
  const second = await runEvent(stageChange());
  assert.equal(second.status, "stopped");
  assert.match(second.reason, /ran once in the last minute, its limit/);
  assert.equal((await received()).length, 1);
});
