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
