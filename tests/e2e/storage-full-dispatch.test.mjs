// Storage failing while dispatching, for real: a browser of its own whose storage quota is set small
// before the app's first write (Chromium applies an overridden quota only then). The configuration
// fits; an event carrying a large record does not.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { SCREENSHOTS, openApp, stageChangeConfig, startApp } from "./harness.mjs";

let app;
before(async () => {
  app = await startApp();
});
after(async () => {
  await app?.stop();
});

const STAGE_BODY = '{"stage": {{deal.stage}}}';
const ADMIN = { id: 1, name: "Ada Admin", email: "ada.admin@northwind-crm.example", is_admin: true };

/** The stored execution record, read from IndexedDB. */
async function storedExecution(page, id) {
  return page.evaluate(async (id) => {
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

test("storage full while dispatching: the admin is told, the delivery goes out once, and its run records the problem", async () => {
  const { page } = app;
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Storage.overrideQuotaForOrigin", { origin: app.appUrl, quotaSize: 300_000 });
  await openApp(page, app.appUrl, "#/webhooks");
  await page.evaluate((config) => {
    window.__executions = [];
    document.getElementById("app").addEventListener("webhook-automations:execution", (event) => window.__executions.push(event.detail));
    window.webhookAutomations.setConfig(config);
  }, stageChangeConfig(app.receiver.url, { template: STAGE_BODY }));
  await page.locator("tr", { hasText: "ERP" }).waitFor();
  await fetch(`${app.receiver.url}/_receiver/script`, { method: "POST", body: JSON.stringify([{ status: 503, retry_after: 0 }]) });

  // The outbox keeps the whole record to render each attempt, so this event's claim does not fit;
  // the execution (the rendered request) does.
  const previous = { id: 302, title: "CNC line maintenance contract", stage: "proposal_made", status: "open" };
  const event = {
    id: `evt_full_${Date.now()}`, entity: "deal", action: "updated", time: new Date().toISOString(), user: ADMIN,
    current: { ...previous, stage: "negotiations", title: "T".repeat(400_000) }, previous,
  };
  await page.evaluate((event) => window.webhookAutomations.emit(event), event);
  const handle = await page.waitForFunction(
    (eventId) => window.__executions.find((e) => e.event_id === eventId && e.status !== "pending"),
    event.id,
    { timeout: 20_000 },
  );
  const summary = await handle.jsonValue();
  assert.equal(summary.status, "succeeded", summary.reason);
  // The banner shows the latest problem: the failed save of the first attempt (the claim's came first).
  await page.getByRole("alert")
    .filter({ hasText: /^The result of a delivery to “ERP” could not be saved.*storage for this site is full/ })
    .waitFor();

  // Sent from memory: a 503, then the retry, both with the run's webhook-id, and nothing more.
  const requests = await (await fetch(`${app.receiver.url}/_receiver/requests`)).json();
  assert.deepEqual(
    requests.map((request) => [Object.fromEntries(request.headers)["webhook-id"], request.response_status]),
    [[summary.id, 503], [summary.id, 200]],
  );

  // The attempt that failed could not be saved either (it keeps the record for the retry); the end
  // could, with both problems. A run is announced only after its save, so it is stored by now.
  const stored = await storedExecution(page, summary.id);
  assert.equal(stored?.status, "succeeded");
  assert.equal(stored.attempts.length, 2);
  assert.equal(stored.problems.length, 2, JSON.stringify(stored.problems));
  assert.match(stored.problems[0], /^The webhook deliveries of a CRM event could not be recorded in this browser.*storage for this site is full/);
  assert.match(stored.problems[1], /^The result of a delivery to “ERP” could not be saved.*storage for this site is full/);

  await page.locator(".wa-nav-link[data-section=history]").click();
  await page.locator(`tr[data-execution="${summary.id}"]`).click();
  const drawer = page.getByRole("dialog");
  await drawer.getByText("Storage problems during this run").waitFor();
  assert.match(await drawer.innerText(), /could not be recorded in this browser/);
  await page.screenshot({ path: join(SCREENSHOTS, "storage-full-dispatch.png") });
  // Chromium logs every non-2xx answer to a fetch, the scripted 503 included; nothing else is logged.
  assert.deepEqual(app.consoleErrors.filter((text) => !text.includes("status of 503")), []);
});

// A burst of events is claimed in one transaction. One event too large for what storage has left
// made the whole transaction fail, so the small events beside it were not recorded either: their ids
// could run again after a reload, and a closed tab lost their deliveries.
test("an event too large for the storage left does not keep the small events claimed with it from being stored", async () => {
  const own = await startApp();
  try {
    const { page } = own;
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Storage.overrideQuotaForOrigin", { origin: own.appUrl, quotaSize: 300_000 });
    await openApp(page, own.appUrl, "#/webhooks");
    await page.evaluate((config) => {
      window.__executions = [];
      document.getElementById("app").addEventListener("webhook-automations:execution", (event) => window.__executions.push(event.detail));
      window.webhookAutomations.setConfig(config);
    }, stageChangeConfig(own.receiver.url, { template: STAGE_BODY }));
    await page.locator("tr", { hasText: "ERP" }).waitFor();

    const previous = { id: 302, title: "CNC line maintenance contract", stage: "proposal_made", status: "open" };
    const stamp = Date.now();
    const events = [0, 1, 2, 3, 4, 5].map((n) => ({
      id: `evt_burst_${stamp}_${n}`, entity: "deal", action: "updated", time: new Date().toISOString(), user: ADMIN,
      current: { ...previous, id: 900 + n, stage: "negotiations", title: n === 2 ? "T".repeat(400_000) : `Deal ${n}` },
      previous: { ...previous, id: 900 + n },
    }));
    // One task, so the six claims are written together.
    await page.evaluate((events) => events.forEach((event) => window.webhookAutomations.emit(event)), events);
    await page.waitForFunction((ids) => ids.every((id) => window.__executions.some((e) => e.event_id === id && e.status !== "pending")),
      events.map((event) => event.id), { timeout: 20_000 });

    const claimed = await page.evaluate(() => new Promise((resolve, reject) => {
      const request = indexedDB.open("webhook-automations");
      request.onerror = () => reject(request.error);
      request.onsuccess = () => {
        const keys = request.result.transaction("events").objectStore("events").getAllKeys();
        keys.onsuccess = () => { request.result.close(); resolve(keys.result); };
      };
    }));
    for (const event of events) {
      assert.equal(claimed.includes(event.id), event.id !== events[2].id, `${event.id} recorded as run in this browser`);
    }
    for (const n of [0, 1, 3, 4, 5]) {
      const summary = await page.evaluate((id) => window.__executions.find((e) => e.event_id === id && e.status !== "pending"), events[n].id);
      const stored = await storedExecution(page, summary.id);
      assert.equal(stored?.status, "succeeded", `event ${n}`);
      assert.deepEqual(stored.problems ?? [], [], `event ${n}: ${JSON.stringify(stored.problems)}`);
    }
  } finally {
    await own.stop();
  }
});
