import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { SCREENSHOTS, freshAppForEachTest, openApp } from "./harness.mjs";

const SECTIONS = [
  ["webhooks", "Webhooks"],
  ["automations", "Automations"],
  ["history", "Execution history"],
  ["sandbox", "Sandbox CRM"],
  ["settings", "Settings"],
];

const app = freshAppForEachTest();

test("the release build loads without console errors and opens on Webhooks", async () => {
  // First render, navigation start → the app's navigation in the DOM: measured and reported, not asserted.
  await app.page.addInitScript(() => {
    new MutationObserver((_, observer) => {
      if (document.querySelector(".wa-nav-link")) {
        window.__firstRenderMs = performance.now();
        observer.disconnect();
      }
    }).observe(document, { childList: true, subtree: true });
  });
  await openApp(app.page, app.appUrl);
  const firstRenderMs = await app.page.evaluate(() => window.__firstRenderMs);
  console.log(`first render: the app was interactive ${firstRenderMs.toFixed(0)} ms after navigation start`);
  assert.deepEqual(
    await app.page.locator(".wa-nav-link").allInnerTexts().then((texts) => texts.map((text) => text.trim())),
    SECTIONS.map(([, title]) => title),
  );
  assert.equal(await app.page.locator("h1").innerText(), "Webhooks");
  assert.deepEqual(app.consoleErrors, []);
});

test("each section opens from the navigation, lands in the URL and survives a reload", async () => {
  await openApp(app.page, app.appUrl);
  for (const [slug, title] of SECTIONS) {
    await app.page.locator(`.wa-nav-link[data-section=${slug}]`).click();
    await app.page.locator("h1", { hasText: title }).waitFor();
    assert.equal(new URL(app.page.url()).hash, `#/${slug}`);
    assert.equal(await app.page.locator("[aria-current=page]").getAttribute("data-section"), slug);
    await app.page.screenshot({ path: join(SCREENSHOTS, `section-${slug}.png`) });
  }
  await app.page.reload();
  await app.page.locator("h1", { hasText: "Settings" }).waitFor();
  await app.page.goBack();
  await app.page.locator("h1", { hasText: "Sandbox CRM" }).waitFor();
  assert.deepEqual(app.consoleErrors, []);
});

test("a request sent from the served page with Authorization is recorded with its body intact", async () => {
  await openApp(app.page, app.appUrl);
  const body = JSON.stringify({ deal: { id: 42, title: 'Big "one" — ünïcode ✓', value: 12000.5 } });
  const status = await app.page.evaluate(
    async ({ url, body }) => {
      const response = await fetch(`${url}/orders/42`, {
        method: "PUT",
        headers: { "Content-Type": "application/json", Authorization: "Basic dXNlcjpwYXNz", "webhook-id": "msg_e2e" },
        body,
      });
      return response.status;
    },
    { url: app.receiver.url, body },
  );
  assert.equal(status, 200);
  const recorded = await (await fetch(`${app.receiver.url}/_receiver/requests`)).json();
  const request = recorded.find((record) => record.path === "/orders/42");
  assert.ok(request, "the receiver recorded the request");
  assert.equal(request.method, "PUT");
  assert.equal(request.body, body);
  const headers = Object.fromEntries(request.headers);
  assert.equal(headers.authorization, "Basic dXNlcjpwYXNz");
  assert.equal(headers["webhook-id"], "msg_e2e");
  assert.equal(headers.origin, app.appUrl);
  assert.deepEqual(app.consoleErrors, []);
});
