// Embedded in a CRM page, the app must hold: the host's shared configuration never wipes the
// credentials this browser holds, a regular user never becomes an admin, secrets never leave by a
// side door, and bad input from the host page stops nothing else. Each test starts its own browser,
// receiver and server, so it passes alone.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { join } from "node:path";
import { SCREENSHOTS, startApp } from "./harness.mjs";

const ADMIN = { id: 1, name: "Sam Seller", email: "sam@acme.example", is_admin: true };
const REGULAR = { id: 2, name: "Riley Regular", email: "riley@acme.example", is_admin: false };

const PASSWORD = "basic-pa55-canary";
const TOKEN = "bearer-tok-canary";
const API_KEY = "api-key-canary";
const HEADER_TOKEN = "header-tok-canary";
const MARKED_VALUE = "marked-ref-canary";
const SIGNING_SECRET = `whsec_${Buffer.from("signing-key-canary-32-bytes-long").toString("base64")}`;
const CANARIES = [PASSWORD, TOKEN, API_KEY, HEADER_TOKEN, MARKED_VALUE, SIGNING_SECRET.slice("whsec_".length)];

/** Opens the test CRM page (tests/e2e/fixtures/crm-host.html), which hands the app its configuration `how`. */
async function openHostPage(app, how, user = "admin") {
  await app.page.goto(`${app.appUrl}/test-fixtures/crm-host.html?how=${how}&user=${user}`);
  await app.page.locator("#w .wa-nav-link").first().waitFor();
}

async function createWebhook(page, { name, baseUrl, fill }) {
  await page.getByRole("button", { name: "New webhook" }).click();
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Base URL").fill(baseUrl);
  await fill(page);
  await page.getByRole("button", { name: "Save webhook" }).click();
  await page.locator("tr", { hasText: name }).waitFor();
}

/** One webhook of each kind of credential this browser may hold. */
function credentialWebhooks(baseUrl) {
  return [
    { name: "Basic ERP", baseUrl, fill: async (page) => {
      await page.getByLabel("Type").selectOption("basic");
      await page.getByLabel("User name").fill("crm-sync");
      await page.getByLabel("Password").fill(PASSWORD);
    } },
    { name: "Bearer ERP", baseUrl, fill: async (page) => {
      await page.getByLabel("Type").selectOption("bearer");
      await page.getByLabel("Token").fill(TOKEN);
    } },
    { name: "Key ERP", baseUrl, fill: async (page) => {
      await page.getByLabel("Type").selectOption("api_key");
      await page.getByLabel("API key").fill(API_KEY);
    } },
    { name: "Signed ERP", baseUrl, fill: async (page) => {
      await page.getByLabel("Sign requests").check();
      await page.getByLabel("Signing secret").fill(SIGNING_SECRET);
    } },
    { name: "Header ERP", baseUrl, fill: async (page) => {
      await page.getByRole("button", { name: "Add header" }).click();
      await page.getByLabel("Header", { exact: true }).fill("X-Auth-Token");
      await page.getByLabel("Value", { exact: true }).fill(HEADER_TOKEN);
    } },
    // A credential under a name no rule recognises: the admin marks it secret.
    { name: "Marked ERP", baseUrl, fill: async (page) => {
      await page.getByRole("button", { name: "Add header" }).click();
      await page.getByLabel("Header", { exact: true }).fill("X-Customer-Ref");
      await page.getByLabel("Secret", { exact: true }).check();
      await page.getByLabel("Value", { exact: true }).fill(MARKED_VALUE);
    } },
  ];
}

function dealUpdate(id) {
  const previous = { id: 302, title: "CNC line", value: 56500.5, stage: "proposal_made", status: "open", owner: 2 };
  return { id, entity: "deal", action: "updated", time: new Date().toISOString(), user: REGULAR,
    current: { ...previous, stage: "negotiations" }, previous };
}

/** The stored shared configuration, with one automation that calls every webhook added. */
async function shareAutomationCallingEveryWebhook(page) {
  await page.waitForFunction(() => JSON.parse(localStorage.getItem("test-crm:shared-config") ?? "null")?.webhooks.length === 6);
  await page.evaluate(() => {
    const document_ = JSON.parse(localStorage.getItem("test-crm:shared-config"));
    document_.automations = [{
      id: "auto_all", name: "Every webhook", enabled: true, trigger: { entity: "deal", action: "updated" },
      conditions: { match: "all", items: [] },
      actions: document_.webhooks.map((webhook) => ({ webhook_id: webhook.id, method: "POST",
        path: `/creds/${webhook.name.split(" ")[0].toLowerCase()}/{{deal.id}}`,
        body: { mode: "key_value", rows: [{ key: "stage", value: "{{deal.stage}}" }] } })),
    }];
    localStorage.setItem("test-crm:shared-config", JSON.stringify(document_));
  });
}

function header(request, name) {
  return request.headers.find(([key]) => key.toLowerCase() === name)?.[1];
}

function verifySignature(request) {
  const [id, timestamp, signature] = ["webhook-id", "webhook-timestamp", "webhook-signature"].map((name) => header(request, name));
  const key = Buffer.from(SIGNING_SECRET.slice("whsec_".length), "base64");
  const expected = createHmac("sha256", key).update(`${id}.${timestamp}.${request.body}`).digest("base64");
  return signature === `v1,${expected}`;
}

for (const how of ["mount", "before", "after"]) {
  test(`credentials survive every reload of a host page that passes its shared configuration (config ${how === "mount" ? "in mount's options" : how === "before" ? "set before the widget mounted" : "set once ready"})`, async () => {
    const app = await startApp();
    try {
      const { page } = app;
      await openHostPage(app, how);
      for (const webhook of credentialWebhooks(app.receiver.url)) await createWebhook(page, webhook);
      await shareAutomationCallingEveryWebhook(page);
      const shared = await page.evaluate(() => localStorage.getItem("test-crm:shared-config"));
      for (const canary of CANARIES) assert.ok(!shared.includes(canary), `${canary} reached the host's shared configuration`);

      for (const reload of [1, 2]) {
        await page.reload();
        await page.locator("#w tr", { hasText: "Every webhook" }).or(page.locator("#w tr", { hasText: "Basic ERP" })).first().waitFor();
        await page.locator("#w tr", { hasText: "Header ERP" }).waitFor();
        assert.equal(await page.locator("#w .wa-badge", { hasText: "credentials needed" }).count(), 0, `reload ${reload}: no credential was lost`);
        await fetch(`${app.receiver.url}/_receiver/requests`, { method: "DELETE" });
        const eventId = `evt_reload_${how}_${reload}`;
        await page.evaluate((event) => window.__widget.emit(event), dealUpdate(eventId));
        await page.waitForFunction((eventId) =>
          window.__executions.filter((e) => e.event_id === eventId && e.status !== "pending").length === 6, eventId);
        const statuses = await page.evaluate((eventId) =>
          window.__executions.filter((e) => e.event_id === eventId && e.status !== "pending").map((e) => `${e.webhook_name}: ${e.status} ${e.reason ?? ""}`), eventId);
        assert.ok(statuses.every((status) => status.includes("succeeded")), statuses.join("\n"));
        const requests = await (await fetch(`${app.receiver.url}/_receiver/requests`)).json();
        const byPath = Object.fromEntries(requests.map((request) => [request.path.split("/")[2], request]));
        assert.equal(header(byPath.basic, "authorization"), `Basic ${Buffer.from(`crm-sync:${PASSWORD}`).toString("base64")}`);
        assert.equal(header(byPath.bearer, "authorization"), `Bearer ${TOKEN}`);
        assert.equal(header(byPath.key, "x-api-key"), API_KEY);
        assert.equal(header(byPath.header, "x-auth-token"), HEADER_TOKEN);
        assert.equal(header(byPath.marked, "x-customer-ref"), MARKED_VALUE);
        assert.ok(verifySignature(byPath.signed), "the signature verifies with the secret entered before the reloads");
      }
      if (how === "before") await page.screenshot({ path: join(SCREENSHOTS, "embedded-credentials-kept.png") });
      assert.deepEqual(app.consoleErrors, []);
      for (const canary of CANARIES) {
        assert.ok(!app.consoleMessages.some((message) => message.includes(canary)), `${canary} reached the console`);
      }
    } finally {
      await app.stop();
    }
  });
}

test("a webhook that moved to another host keeps no credential, and the import dialog names it", async () => {
  const app = await startApp();
  try {
    const { page } = app;
    await page.goto(`${app.appUrl}/#/webhooks`);
    await page.evaluate(() => {
      window.__shared = null;
      document.getElementById("app").addEventListener("webhook-automations:configchange", (event) => { window.__shared = event.detail; });
    });
    await page.locator(".wa-nav-link").first().waitFor();
    await createWebhook(page, credentialWebhooks(app.receiver.url)[1]);
    const exported = await page.waitForFunction(() => window.__shared).then((handle) => handle.jsonValue());
    const moved = structuredClone(exported);
    moved.webhooks[0].base_url = "https://elsewhere.example/api";

    await page.locator(".wa-nav-link[data-section=settings]").click();
    await page.locator("#settings-import").setInputFiles({ name: "moved.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(moved)) });
    const dialog = page.getByRole("dialog");
    const list = dialog.locator("[data-list=origin-changed] li");
    await list.first().waitFor();
    assert.equal(await list.count(), 1);
    assert.match(await list.innerText(), /Bearer ERP — http:\/\/127\.0\.0\.1:\d+ → https:\/\/elsewhere\.example/);
    await page.screenshot({ path: join(SCREENSHOTS, "import-origin-changed.png") });
    await dialog.getByRole("button", { name: "Import" }).click();
    await page.locator(".wa-nav-link[data-section=webhooks]").click();
    await page.locator("tr", { hasText: "Bearer ERP" }).locator(".wa-badge", { hasText: "credentials needed" }).waitFor();

    // Moved back, the credential is not resurrected either: it is gone from this browser.
    await page.locator(".wa-nav-link[data-section=settings]").click();
    await page.locator("#settings-import").setInputFiles({ name: "back.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(exported)) });
    await page.getByRole("dialog").getByRole("button", { name: "Import" }).click();
    await page.locator(".wa-nav-link[data-section=webhooks]").click();
    await page.locator("tr", { hasText: "Bearer ERP" }).locator(".wa-badge", { hasText: "credentials needed" }).waitFor();
  } finally {
    await app.stop();
  }
});

test("editing a webhook's base URL to another host asks for its credentials again", async () => {
  const app = await startApp();
  try {
    const { page } = app;
    await page.goto(`${app.appUrl}/#/webhooks`);
    await page.locator(".wa-nav-link").first().waitFor();
    await createWebhook(page, credentialWebhooks(app.receiver.url)[1]);
    await page.locator("tr", { hasText: "Bearer ERP" }).getByRole("button", { name: "Edit" }).click();
    await page.getByLabel("Base URL").fill("https://elsewhere.example/api");
    await page.locator("#wh-origin-moved").waitFor();
    await page.getByRole("button", { name: "Save webhook" }).click();
    assert.equal(await page.locator("#wh-token-error").innerText(), "Enter the token");
    await page.screenshot({ path: join(SCREENSHOTS, "webhook-origin-moved.png"), fullPage: true });
  } finally {
    await app.stop();
  }
});

test("embedded, a regular user gets no sandbox and no way to act as an admin; the demo's admin still manages", async () => {
  const app = await startApp();
  try {
    const { page } = app;
    await page.goto(`${app.appUrl}/embed-demo.html`);
    const widget = page.locator("webhook-automations");
    await widget.locator(".wa-nav-link").first().waitFor();
    await widget.getByRole("button", { name: "New webhook" }).waitFor();
    assert.equal(await widget.locator(".wa-nav-link[data-section=sandbox]").count(), 0, "no sandbox for the admin either");

    await page.locator("#crm-user").selectOption("2");
    await widget.getByText("No webhooks yet").waitFor();
    assert.equal(await widget.getByRole("button", { name: "New webhook" }).count(), 0);
    assert.equal(await widget.locator(".wa-nav-link[data-section=sandbox]").count(), 0);
    assert.equal(await widget.locator("#sandbox-user").count(), 0, "no user switch anywhere");
    await widget.locator(".wa-nav-link[data-section=settings]").click();
    assert.equal(await widget.getByRole("button", { name: "Save settings" }).count(), 0);
    assert.equal(await widget.locator("#settings-import").count(), 0);
    await page.screenshot({ path: join(SCREENSHOTS, "embed-regular-user.png") });
  } finally {
    await app.stop();
  }
});

test("a regular user's history search never matches what they may not see", async () => {
  const app = await startApp();
  try {
    const { page } = app;
    await openHostPage(app, "before");
    await createWebhook(page, { name: "Plain ERP", baseUrl: app.receiver.url, fill: async () => {} });
    await page.waitForFunction(() => JSON.parse(localStorage.getItem("test-crm:shared-config") ?? "null")?.webhooks.length === 1);
    await page.evaluate(() => {
      const document_ = JSON.parse(localStorage.getItem("test-crm:shared-config"));
      document_.automations = [{ id: "auto_notes", name: "Deal notes", enabled: true, trigger: { entity: "deal", action: "updated" },
        conditions: { match: "all", items: [] },
        actions: [{ webhook_id: document_.webhooks[0].id, method: "POST", path: "/notes/{{deal.id}}",
          body: { mode: "key_value", rows: [{ key: "secret_note", value: "zebra-{{deal.stage}}" }] } }] }];
      localStorage.setItem("test-crm:shared-config", JSON.stringify(document_));
    });
    await page.reload();
    await page.locator("#w tr", { hasText: "Plain ERP" }).waitFor();
    await page.evaluate((event) => window.__widget.emit(event), dealUpdate("evt_search_1"));
    await page.waitForFunction(() => window.__executions.some((e) => e.status === "succeeded"));

    const search = async (text) => {
      await page.locator("#w .wa-nav-link[data-section=history]").click();
      await page.locator("#w #history-text").fill(text);
      await page.locator("#w #history-text").press("Enter");
      const found = page.locator("#w tr[data-execution]");
      const nothing = page.locator("#w").getByText("No execution matches these filters");
      await found.first().or(nothing).waitFor();
      return found.count();
    };
    assert.equal(await search("zebra-negotiations"), 1, "the admin finds a run by its body");
    await page.evaluate((user) => window.__widget.setUser(user), REGULAR);
    await page.locator("#w").getByText("No execution matches these filters").or(page.locator("#w tr[data-execution]")).first().waitFor();
    assert.equal(await search("zebra-negotiations"), 0, "a regular user cannot find a run by a body they may not see");
    assert.equal(await search("Deal notes"), 1, "they find it by what they see: the automation");
    assert.equal(await search("/notes/302"), 1, "and the path");
    assert.equal(await search("succeeded"), 1, "and the status");
  } finally {
    await app.stop();
  }
});

test("bad input from the host page fails alone: a lone surrogate names its field, queued calls after a failing one still apply, ready still fires", async () => {
  const app = await startApp();
  try {
    const { page } = app;
    await page.goto(`${app.appUrl}/test-fixtures/crm-bad-input.html?receiver=${encodeURIComponent(app.receiver.url)}`);
    await page.waitForFunction(() => window.__ready);
    await page.waitForFunction(() => window.__executions.some((e) => e.event_id === "evt_queued_good" && e.status === "succeeded"));
    const errors = await page.evaluate(() => window.__errors);
    assert.equal(errors.length, 1);
    assert.equal(errors[0].call, "emit");
    assert.match(errors[0].message, /current\.title/, errors[0].message);

    const thrown = await page.evaluate(() => {
      try {
        document.getElementById("w").emit(window.__event("evt_live_bad", "x\uD800"));
        return null;
      } catch (error) {
        return error.message;
      }
    });
    assert.match(thrown, /the event is not valid: current\.title: /);
    assert.equal(await page.evaluate(() => document.getElementById("w").emit(window.__event("evt_live_good", "ok"))), true);
    await page.waitForFunction(() => window.__executions.some((e) => e.event_id === "evt_live_good" && e.status === "succeeded"));
    const paths = (await (await fetch(`${app.receiver.url}/_receiver/requests`)).json()).map((request) => request.path);
    assert.deepEqual(paths, ["/deals/7", "/deals/7"], "the two good events, nothing of the bad ones");
  } finally {
    await app.stop();
  }
});

test("a stylesheet that fails to load does not stop the widget from mounting", async () => {
  const app = await startApp();
  try {
    const { page } = app;
    await page.route(`${app.appUrl}/styles.css`, (route) => route.abort());
    await page.goto(`${app.appUrl}/embed-demo.html`);
    await page.locator("webhook-automations .wa-nav-link").first().waitFor();
    assert.ok(app.consoleMessages.some((message) => message.includes("did not load")));
  } finally {
    await app.stop();
  }
});
