// A file of its own, so a browser of its own: Chromium's quota accounting carries state within a
// profile, so this test must start from a fresh one to be deterministic.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { SCREENSHOTS, freshAppForEachTest, openApp } from "./harness.mjs";

const app = freshAppForEachTest();

async function fillWebhook(page, name) {
  await page.getByRole("button", { name: "New webhook" }).click();
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Base URL").fill(`${app.receiver.url}/${name.toLowerCase()}`);
}

test("when the browser's storage is full the admin is told, the form keeps its input, and saving works once there is room", async () => {
  const { page } = app;
  // Chromium enforces an overridden quota only for an origin's first writes, so this browser has
  // written nothing yet.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Storage.overrideQuotaForOrigin", { origin: app.appUrl, quotaSize: 1 });
  await openApp(page, app.appUrl, "#/webhooks");
  await fillWebhook(page, "Overflow");
  await page.getByRole("button", { name: "Add header" }).click();
  await page.getByLabel("Header", { exact: true }).fill("X-Payload");
  await page.getByLabel("Value", { exact: true }).fill("x".repeat(200_000));
  await page.getByRole("button", { name: "Save webhook" }).click();
  await page.getByRole("alert").filter({ hasText: "storage for this site is full" }).waitFor();
  assert.equal(await page.getByLabel("Name").inputValue(), "Overflow", "the form keeps what was typed");
  assert.equal(await page.locator("tr", { hasText: "Overflow" }).count(), 0, "nothing shows as saved");
  await page.screenshot({ path: join(SCREENSHOTS, "storage-full.png") });

  await cdp.send("Storage.overrideQuotaForOrigin", { origin: app.appUrl });
  await page.getByRole("button", { name: "Save webhook" }).click();
  await page.locator("tr", { hasText: "Overflow" }).waitFor();
  await page.reload();
  await page.locator("tr", { hasText: "Overflow" }).waitFor();
  assert.deepEqual(app.consoleErrors, []);
});
