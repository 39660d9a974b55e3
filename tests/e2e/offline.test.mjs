// Offline: with the static server gone, the release build still opens from its service worker cache,
// and the builder, validation and history still work.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { SCREENSHOTS, freshAppForEachTest, openApp } from "./harness.mjs";

const app = freshAppForEachTest();

test("the app opens and validates with the server stopped", async () => {
  const { page } = app;
  await openApp(page, app.appUrl, "#/webhooks");
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((resolve) => navigator.serviceWorker.addEventListener("controllerchange", resolve, { once: true }));
    }
  });
  // Stop serving: Playwright's offline switch does not cover service-worker fetches, so the server goes.
  await new Promise((resolve) => {
    app.server.close(resolve);
    app.server.closeAllConnections();
  });
  const gone = await fetch(app.appUrl).then(() => false, () => true);
  assert.ok(gone, "the static server no longer answers");

  await page.reload();
  await page.locator(".wa-nav-link").first().waitFor();
  await page.getByRole("button", { name: "New webhook" }).click();
  await page.getByLabel("Name").fill("Offline ERP");
  await page.getByLabel("Base URL").fill("ftp://offline.example");
  await page.getByRole("button", { name: "Save webhook" }).click();
  assert.match(await page.locator("#wh-base-url-error").innerText(), /https:\/\//, "the engine still validates");
  await page.locator(".wa-nav-link[data-section=history]").click();
  await page.locator("h1", { hasText: "Execution history" }).waitFor();
  await page.screenshot({ path: join(SCREENSHOTS, "offline.png") });
});

test("the service worker keeps only the app's own files, never other answers of the same origin", async () => {
  const { page } = app;
  await openApp(page, app.appUrl, "#/webhooks");
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((resolve) => navigator.serviceWorker.addEventListener("controllerchange", resolve, { once: true }));
    }
  });
  // Same-origin answers that are not the app shell: what a CRM's pages and API would be.
  const fetched = await page.evaluate(async () => {
    const answers = await Promise.all(["embed-demo.html", "widget.js", "test-fixtures/crm-host.html?api=1"].map((path) => fetch(path)));
    return answers.map((answer) => answer.status);
  });
  assert.deepEqual(fetched, [200, 200, 200]);
  const cached = await page.evaluate(async () => {
    const keys = [];
    for (const name of await caches.keys()) {
      for (const request of await (await caches.open(name)).keys()) keys.push(new URL(request.url).pathname);
    }
    return keys.sort();
  });
  assert.deepEqual(cached, ["/", "/index.html", "/styles.css", "/webhook-automations-runtime.js", "/webhook-automations-runtime_bg.wasm",
    "/webhook-automations.js", "/webhook-automations_bg.wasm"]);
});
