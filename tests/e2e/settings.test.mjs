import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { SCREENSHOTS, freshAppForEachTest, openApp } from "./harness.mjs";

const TOKEN = "tok-exports-never-hold-this";

const app = freshAppForEachTest();

async function createWebhook(page, name, baseUrl) {
  await openApp(page, app.appUrl, "#/webhooks");
  await page.getByRole("button", { name: "New webhook" }).click();
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Base URL").fill(baseUrl);
  await page.getByLabel("Type").selectOption("bearer");
  await page.getByLabel("Token").fill(TOKEN);
  await page.getByRole("button", { name: "Save webhook" }).click();
  await page.locator("tr", { hasText: name }).waitFor();
}

test("export without secrets, delete everything, import it back with credentials marked as needed", async () => {
  const { page } = app;
  await createWebhook(page, "Billing", `${app.receiver.url}/billing`);

  await openApp(page, app.appUrl, "#/settings");
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Export configuration" }).click(),
  ]);
  assert.match(download.suggestedFilename(), /^webhook-automations-\d{4}-\d{2}-\d{2}\.json$/);
  const exported = join(SCREENSHOTS, "..", "exported-config.json");
  await download.saveAs(exported);
  const text = await readFile(exported, "utf8");
  assert.ok(!text.includes(TOKEN), "the export holds no secret");
  const document = JSON.parse(text);
  assert.equal(document.format, "webhook-automations/config");
  assert.equal(document.webhooks[0].name, "Billing");
  assert.deepEqual(document.webhooks[0].auth, { type: "bearer" });

  await page.getByRole("button", { name: "Delete everything…" }).click();
  await page.getByRole("button", { name: "Delete everything", exact: true }).click();
  await openApp(page, app.appUrl, "#/webhooks");
  await page.getByText("No webhooks yet").waitFor();

  await openApp(page, app.appUrl, "#/settings");
  await page.setInputFiles("#settings-import", exported);
  await page.getByRole("dialog").getByText("credentials needed").waitFor();
  assert.match(await page.getByRole("dialog").innerText(), /Billing/);
  await page.getByRole("button", { name: "Import", exact: true }).click();
  await page.getByText(/Imported 1 webhooks/).waitFor();

  await page.reload();
  await openApp(page, app.appUrl, "#/webhooks");
  const row = page.locator("tr", { hasText: "Billing" });
  await row.waitFor();
  assert.match(await row.innerText(), /credentials needed/);
  await page.screenshot({ path: join(SCREENSHOTS, "webhooks-credentials-needed.png"), fullPage: true });
  assert.deepEqual(app.consoleErrors, []);
});

test("a file that is not a configuration changes nothing and says why", async () => {
  const { page } = app;
  await createWebhook(page, "Billing", `${app.receiver.url}/billing`);
  await openApp(page, app.appUrl, "#/settings");
  const bad = join(SCREENSHOTS, "..", "not-a-config.json");
  await writeFile(bad, JSON.stringify({ format: "something-else", version: 1 }));
  await page.setInputFiles("#settings-import", bad);
  const message = await page.getByRole("alert").innerText();
  assert.match(message, /cannot be imported — this is not a Webhook Automations configuration/);
  assert.match(message, /Nothing was changed/);
  await openApp(page, app.appUrl, "#/webhooks");
  await page.locator("tr", { hasText: "Billing" }).waitFor();
});
