// The embedded app under attack (found by a review of issue 10; each test failed before its fix): host
// documents in any order, destroy() mid-adoption, stale configurations at load, full storage, errors
// quoting credentials, the standalone page at the CRM's origin, the service worker at a CRM's root.
// Each test starts its own browser, receiver and server (tests/e2e/fixtures/bare-host.html).
import { test } from "node:test";
import assert from "node:assert/strict";
import { outboxEmpty, startApp, startReceiver, until } from "./harness.mjs";

const ADMIN = { id: 1, name: "Sam Seller", email: "sam@acme.example", is_admin: true };
const REGULAR = { id: 2, name: "Riley Regular", email: "riley@acme.example", is_admin: false };

function webhook(id, name, baseUrl, extra = {}) {
  return {
    id, name, base_url: baseUrl, auth: { type: "none" }, headers: [], signed: false, timeout_ms: 10_000,
    retry: { max_attempts: 3, initial_backoff_ms: 100, max_backoff_ms: 5_000 }, ...extra,
  };
}

function automation(webhookId, template = '{"stage": {{deal.stage}}}', id = "auto_deals") {
  return {
    id, name: "Deals to the ERP", enabled: true, trigger: { entity: "deal", action: "updated" },
    conditions: { match: "all", items: [] },
    actions: [{ webhook_id: webhookId, method: "POST", path: "/deals/{{deal.id}}", body: { mode: "raw", template } }],
  };
}

function configDocument(webhooks, automations = []) {
  return { format: "webhook-automations/config", version: 2, webhooks, automations };
}

function dealUpdate(id) {
  const previous = { id: 302, title: "CNC line", value: 56500.5, stage: "proposal_made", status: "open", owner: 2 };
  return { id, entity: "deal", action: "updated", time: new Date().toISOString(), user: REGULAR,
    current: { ...previous, stage: "negotiations" }, previous };
}

async function openHost(app) {
  await app.page.goto(`${app.appUrl}/test-fixtures/bare-host.html`);
  await app.page.waitForFunction(() => window.__hostReady);
}

/** Waits until the app has loaded its stored configuration (it then attaches to the host bridge). */
async function loaded(page) {
  await page.locator("#w .wa-nav-link").first().waitFor();
  await page.locator("#w [aria-busy=true]").waitFor({ state: "detached" });
}

async function received(receiver) {
  return (await fetch(`${receiver.url}/_receiver/requests`)).json();
}

async function createWebhook(page, name, baseUrl) {
  await page.getByRole("button", { name: "New webhook" }).click();
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Base URL").fill(baseUrl);
  await page.getByRole("button", { name: "Save webhook" }).click();
  await page.locator("tr", { hasText: name }).waitFor();
}

// A host builds its shared document itself (its own admin API, a migration, hand-written JSON): its
// webhooks are not in the widget's display order (by name). The bridge compares the document it got
// with the app's sorted export to decide when adoption has ended; they never match, so `adopting`
// stays true and every later edit of the admin is silently not announced (src/host/bridge.rs,
// configuration_changed). The host never stores the edit, and the next page load's setConfig wipes it.
for (const [order, names] of [["sorted by name (control)", ["Alpha", "Zeta"]], ["not sorted by name", ["Zeta", "Alpha"]]]) {
  test(`an admin's edit in the widget is announced to the host after a shared configuration ${order}`, async () => {
    const app = await startApp();
    try {
      const { page } = app;
      await openHost(app);
      const document_ = configDocument(names.map((name) => webhook(`wh_${name.toLowerCase()}`, name, app.receiver.url)));
      await page.evaluate(([user, config]) => window.__mount({ user, config }), [ADMIN, document_]);
      await page.locator("#w tr", { hasText: "Zeta" }).waitFor();
      await createWebhook(page, "Beta", app.receiver.url);
      await page.waitForFunction(
        () => window.__changes.some((document_) => document_.webhooks.some((webhook) => webhook.name === "Beta")),
        null,
        { timeout: 5_000 },
      ).catch(() => assert.fail(`the new webhook "Beta" was saved in the widget but never announced in configchange (${JSON.stringify(names)})`));
    } finally {
      await app.stop();
    }
  });
}

// An event handed over while a shared configuration is being stored waits in the bridge's queue; a
// destroy() meanwhile drops it although emit() returned true (src/host/bridge.rs: apply_queued stops
// once the app is detached). The page's dispatcher outlives the widget — an event emitted just before
// destroy() outside an adoption is delivered (control).
for (const withSetConfig of [false, true]) {
  test(`an event accepted just before destroy() is delivered (${withSetConfig ? "while a setConfig is being stored" : "control: no setConfig"})`, async () => {
    const app = await startApp();
    try {
      const { page } = app;
      await openHost(app);
      const document_ = configDocument([webhook("wh_erp", "ERP", app.receiver.url)], [automation("wh_erp")]);
      await page.evaluate(([user, config]) => window.__mount({ user, config }), [ADMIN, document_]);
      await loaded(page);
      await page.locator("#w tr", { hasText: "ERP" }).waitFor();
      const accepted = await page.evaluate(([config, event, withSetConfig]) => {
        if (withSetConfig) window.__widget.setConfig(config);
        const accepted = window.__widget.emit(event);
        window.__widget.destroy();
        return accepted;
      }, [document_, dealUpdate("evt_before_destroy"), withSetConfig]);
      assert.equal(accepted, true, "emit accepted the event");
      await until("the accepted event's delivery", async () => (await received(app.receiver)).length > 0);
      await until("an empty outbox", () => outboxEmpty(page));
      const requests = await received(app.receiver);
      assert.equal(requests.length, 1, "the accepted event was delivered once");
      assert.equal(await page.evaluate((event) => window.__widget.emit(event), dealUpdate("evt_after_destroy")), false,
        "a destroyed widget accepts nothing more");
    } finally {
      await app.stop();
    }
  });
}

// destroy() before the app or runtime had started (a CRM page that emits and at once navigates within
// its single-page app): the bridge kept only the queued events and dropped the setConfig sent before
// them, so they were planned under the empty stored configuration and nothing was sent; an app
// destroyed before it loaded never applied its queue at all; and the element removed before its
// modules loaded dropped its pending events. Each way, the event emit() accepted must be delivered.
const EARLY_DESTROYS = {
  "createRuntime() then destroy()": async ([user, config, event]) => {
    const runtime = await import("/webhook-automations-runtime.js");
    await runtime.default();
    const handle = runtime.createRuntime({ user, config });
    const accepted = handle.emit(event);
    handle.destroy();
    return accepted;
  },
  "mount() then destroy()": async ([user, config, event]) => {
    await window.__mount({ user, config });
    const accepted = window.__widget.emit(event);
    window.__widget.destroy();
    return accepted;
  },
  "the element removed before it loaded": async ([user, config, event]) => {
    await window.__element({ user, config });
    const accepted = window.__widget.emit(event);
    window.__widget.remove();
    return accepted;
  },
};
for (const [how, destroyEarly] of Object.entries(EARLY_DESTROYS)) {
  test(`an event accepted before the widget started is delivered under the configuration sent with it: ${how}`, async () => {
    const app = await startApp();
    try {
      const { page } = app;
      await openHost(app);
      const document_ = configDocument([webhook("wh_erp", "ERP", app.receiver.url)], [automation("wh_erp")]);
      const accepted = await page.evaluate(destroyEarly, [REGULAR, document_, dealUpdate("evt_early_destroy")]);
      assert.equal(accepted, true, "emit accepted the event");
      await until("the accepted event's delivery", async () => (await received(app.receiver)).length > 0);
      await until("an empty outbox", () => outboxEmpty(page));
      const requests = await received(app.receiver);
      assert.equal(requests.length, 1, "delivered once");
      assert.equal(requests[0].path, "/deals/302");
      if (how.startsWith("mount")) {
        await until("the destroyed app unmounted", () => page.evaluate(() => document.getElementById("w").childElementCount === 0));
      }
    } finally {
      await app.stop();
    }
  });
}

// Settings handed to the element before it loaded only replaced an option that was applied, whole,
// before every waiting event: `config = A; emit(e); config = B` planned e under B. Now they wait in
// line with the events, in the order sent, whether the element stays or goes before it loads. Here
// B's automation matches only lost deals, so under B the event would run nothing.
for (const removed of [false, true]) {
  test(`an event handed to the element before it loaded runs under the configuration set before it${removed ? ", the element removed at once" : ""}`, async () => {
    const app = await startApp();
    try {
      const { page } = app;
      await openHost(app);
      const erp = webhook("wh_erp", "ERP", app.receiver.url);
      const before = configDocument([erp], [automation("wh_erp")]);
      const onlyLost = { match: "all", items: [{ field: "deal.stage", operator: "is", value: "lost" }] };
      const after = configDocument([erp], [{ ...automation("wh_erp"), conditions: onlyLost }]);
      await page.evaluate(async ([user, before, after, event, removed]) => {
        await window.__element({ user });
        const w = window.__widget;
        w.config = before;
        w.emit(event);
        w.config = after;
        if (removed) w.remove();
      }, [REGULAR, before, after, dealUpdate("evt_between_configs"), removed]);
      await until("the event's delivery", async () => (await received(app.receiver)).length > 0);
      await until("an empty outbox", () => outboxEmpty(page));
      assert.deepEqual((await received(app.receiver)).map((request) => request.path), ["/deals/302"]);
    } finally {
      await app.stop();
    }
  });
}

// A delivery waiting for its retry in the outbox, after the host moved its webhook to another
// endpoint. On the next page load the host hands over its configuration at mount; the dispatcher
// takes the *stored* configuration as "configured" (the app's set_config effect runs right after the
// bridge starts adopting) and resumes the outbox before the host's document is adopted, so the retry
// goes to the old endpoint under the stale configuration.
test("a retry resumed from the outbox at load runs under the host's configuration, not the stale stored one", async () => {
  const app = await startApp();
  const moved = await startReceiver();
  try {
    const { page } = app;
    await openHost(app);
    await fetch(`${app.receiver.url}/_receiver/script`, { method: "POST", body: JSON.stringify([{ status: 503, retry_after: 2 }]) });
    const before = configDocument([webhook("wh_erp", "ERP", app.receiver.url)], [automation("wh_erp")]);
    await page.evaluate(([user, config]) => window.__mount({ user, config }), [ADMIN, before]);
    await loaded(page);
    await page.locator("#w tr", { hasText: "ERP" }).waitFor();
    await page.evaluate((event) => window.__widget.emit(event), dealUpdate("evt_retry_moved"));
    await page.waitForFunction(() => window.__executions.some((e) => e.status === "pending" && e.attempts === 1));
    await page.goto("about:blank"); // closed before the retry is due

    const after = configDocument([webhook("wh_erp", "ERP", moved.url)], [automation("wh_erp")]);
    await openHost(app);
    await page.evaluate(([user, config]) => window.__mount({ user, config }), [ADMIN, after]);
    await page.waitForFunction(() => window.__executions.some((e) => e.status !== "pending"), null, { timeout: 10_000 });
    const old = await received(app.receiver);
    const now = await received(moved);
    assert.equal(old.length, 1, `the old endpoint got the first attempt only, not the retry (${old.map((r) => r.path)})`);
    assert.equal(now.length, 1, "the retry went where the host's configuration says");
  } finally {
    moved.stop();
    await app.stop();
  }
});

// The host's configuration must always apply. Storage that cannot take it (quota) leaves the widget on
// its old local copy — here none — so the host's automation never runs for the events it hands over
// (src/services.rs adopt_document: on a storage error nothing is applied, not even in memory; with no
// storage at all the document is applied in memory).
test("a shared configuration that storage cannot take still applies: the host's automation runs", async () => {
  const app = await startApp();
  try {
    const { page } = app;
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Storage.overrideQuotaForOrigin", { origin: app.appUrl, quotaSize: 300_000 });
    await openHost(app);
    const big = `{"stage": {{deal.stage}}, "terms": "${"T".repeat(400_000)}"}`;
    const document_ = configDocument([webhook("wh_erp", "ERP", app.receiver.url)], [automation("wh_erp", big)]);
    await page.evaluate(([user, config]) => window.__mount({ user, config }), [REGULAR, document_]);
    await loaded(page);
    await page.getByRole("alert").filter({ hasText: /full/ }).waitFor();
    await page.evaluate((event) => window.__widget.emit(event), dealUpdate("evt_quota"));
    await page.waitForFunction(() => window.__executions.some((e) => e.status !== "pending"), null, { timeout: 10_000 })
      .catch(() => assert.fail("the host's automation did not run: its configuration was not applied"));
    assert.equal((await received(app.receiver)).length, 1);
  } finally {
    await app.stop();
  }
});

// A host page that gets one field of its document wrong, with a credential in it: widget.js logs the
// error (console.error) and sends it in `webhook-automations:error`; the message quotes the value.
test("a configuration error never carries the credential that caused it to the console or the error event", async () => {
  const app = await startApp();
  try {
    const { page } = app;
    await openHost(app);
    const bad = configDocument([webhook("wh_erp", "ERP", app.receiver.url, { auth: "Bearer tok-canary-e2e" })]);
    await page.evaluate(([user, config]) => window.__element({ user, config }), [ADMIN, bad]);
    await page.waitForFunction(() => window.__errors.length > 0);
    const errors = await page.evaluate(() => window.__errors);
    assert.equal(errors[0].call, "setConfig");
    assert.ok(!JSON.stringify(errors).includes("tok-canary-e2e"), `the error event carries the token: ${errors[0].message}`);
    assert.ok(!app.consoleMessages.some((message) => message.includes("tok-canary-e2e")), "the token reached the console");
  } finally {
    await app.stop();
  }
});

// The widget and the standalone page share the origin's IndexedDB ("webhook-automations") when the
// app's files are served from the CRM's origin, as docs/host-api.md's `import … from
// "/webhook-automations.js"` and sw.js ("served from a CRM's origin") describe — and dist/ ships
// index.html beside them. Opening it, anyone at this browser is the sandbox's admin over the embedded
// widget's webhooks, credentials and history: "Test" sends with the credential an admin entered in the
// widget (and the sandbox sends made-up events to the real endpoints, the section 3).
test("the standalone page at the CRM's origin gives no one the embedded widget's credentials", async () => {
  const app = await startApp();
  try {
    const { page } = app;
    await page.goto(`${app.appUrl}/test-fixtures/crm-host.html?how=before&user=admin`);
    await page.locator("#w .wa-nav-link").first().waitFor();
    await page.getByRole("button", { name: "New webhook" }).click();
    await page.getByLabel("Name", { exact: true }).fill("Bearer ERP");
    await page.getByLabel("Base URL").fill(app.receiver.url);
    await page.getByLabel("Type").selectOption("bearer");
    await page.getByLabel("Token").fill("bearer-tok-standalone-canary");
    await page.getByRole("button", { name: "Save webhook" }).click();
    await page.locator("#w tr", { hasText: "Bearer ERP" }).waitFor();

    await page.goto(`${app.appUrl}/test-fixtures/crm-host.html?how=before&user=regular`);
    await page.locator("#w tr", { hasText: "Bearer ERP" }).waitFor();
    assert.equal(await page.locator("#w").getByRole("button", { name: "Test" }).count(), 0, "embedded, the regular user cannot send a test");

    await page.goto(`${app.appUrl}/`);
    await page.locator(".wa-nav-link").first().waitFor();
    await page.locator("[aria-busy=true]").waitFor({ state: "detached" });
    await page.getByRole("alert").filter({ hasText: "belongs to the CRM page that embeds the app" }).waitFor();
    assert.equal(await page.locator("tr", { hasText: "Bearer ERP" }).count(), 0, "the standalone page shows none of the widget's webhooks");
    const sent = (await received(app.receiver)).filter((request) =>
      request.headers.some(([name, value]) => name.toLowerCase() === "authorization" && value.includes("bearer-tok-standalone-canary")));
    assert.equal(sent.length, 0, "the standalone page at the same origin sent a request with the embedded widget's token");
  } finally {
    await app.stop();
  }
});

// A host that relies on the configuration stored in this browser (config is optional in mount()) and
// hands over an event right after mounting. The bridge applies queued commands in the app's attach
// effect, which runs before the effect that hands the stored configuration to the dispatcher
// (src/ui/app.rs), so the event is planned against the dispatcher's empty configuration: no
// automation runs and its id is claimed, so it never will.
test("an event handed over right after mount (no config option) runs under the stored configuration", async () => {
  const app = await startApp();
  try {
    const { page } = app;
    await openHost(app);
    const document_ = configDocument([webhook("wh_erp", "ERP", app.receiver.url)], [automation("wh_erp")]);
    await page.evaluate(([user, config]) => window.__mount({ user, config }), [ADMIN, document_]);
    await page.locator("#w tr", { hasText: "ERP" }).waitFor();
    await page.evaluate((event) => window.__widget.emit(event), dealUpdate("evt_first_visit"));
    await page.waitForFunction(() => window.__executions.some((e) => e.status === "succeeded"));

    await openHost(app); // the next page load: the configuration is stored, none is passed
    await page.evaluate(async ([user, event]) => {
      await window.__mount({ user });
      return window.__widget.emit(event);
    }, [ADMIN, dealUpdate("evt_right_after_mount")]);
    await page.locator("#w tr", { hasText: "ERP" }).waitFor();
    await page.waitForFunction(() => window.__executions.some((e) => e.event_id === "evt_right_after_mount"), null, { timeout: 5_000 })
      .catch(() => assert.fail("the event ran no automation: it was planned before the stored configuration reached the dispatcher"));
    // Its first execution event says "pending": the request may not have arrived yet.
    await page.waitForFunction(() => window.__executions.some((e) => e.event_id === "evt_right_after_mount" && e.status !== "pending"));
    assert.equal((await received(app.receiver)).length, 2);
  } finally {
    await app.stop();
  }
});

// The app's files served from a CRM's origin root (docs/host-api.md imports "/webhook-automations.js";
// sw.js: "served from a CRM's origin"): "/" is then the CRM's own page, not the app's. The service
// worker's shell list starts with "./" — the scope root — so the worker registered by /index.html
// fetches the CRM's home page at install and caches it, and again on every visit to it.
test("the service worker never keeps the CRM's own page when the app is served from the CRM's origin", async () => {
  const { createServer } = await import("node:http");
  const { readFile } = await import("node:fs/promises");
  const { join } = await import("node:path");
  const { chromium } = await import("playwright-core");
  const { ROOT } = await import("./harness.mjs");
  const dist = process.env.APP_DIST ?? join(ROOT, "dist");
  const types = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm", ".css": "text/css" };
  const server = createServer(async (req, res) => {
    const path = new URL(req.url, "http://x").pathname;
    if (path === "/") {
      res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>CRM</title><p>Dashboard of riley@acme.example: crm-home-canary</p>");
      return;
    }
    try {
      const body = await readFile(join(dist, path.replace(/^\/+/, "")));
      res.writeHead(200, { "content-type": types[path.slice(path.lastIndexOf("."))] ?? "application/octet-stream" }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"] });
  try {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${origin}/index.html`);
    await page.locator(".wa-nav-link").first().waitFor();
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    await page.goto(`${origin}/`);
    const cached = await page.evaluate(async () => {
      const found = [];
      for (const name of await caches.keys()) {
        const cache = await caches.open(name);
        for (const request of await cache.keys()) {
          const text = await (await cache.match(request)).text();
          if (text.includes("crm-home-canary")) found.push(new URL(request.url).pathname);
        }
      }
      return found;
    });
    assert.deepEqual(cached, [], "the CRM's own page was kept in the app's cache");
  } finally {
    await browser.close();
    server.close();
  }
});
