import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { SCREENSHOTS, freshAppForEachTest, openApp } from "./harness.mjs";

const PASSWORD = "pa55-word-never-shown";

const app = freshAppForEachTest();

test("a webhook is validated by the engine, saved, kept across reloads, and its secret never returns to the page", async () => {
  const { page } = app;
  await openApp(page, app.appUrl, "#/webhooks");
  await page.getByRole("button", { name: "New webhook" }).click();
  await page.getByLabel("Name").fill("ERP");
  await page.getByLabel("Base URL").fill("ftp://erp.example");
  await page.getByLabel("Type").selectOption("basic");
  await page.getByLabel("User name").fill("crm-sync");
  await page.getByRole("button", { name: "Save webhook" }).click();
  await page.getByText("Not saved: 2 problems to fix above.").waitFor();
  assert.match(await page.locator("#wh-base-url-error").innerText(), /https:\/\//);
  assert.equal(await page.locator("#wh-password-error").innerText(), "Enter the password");
  // The page's own URL parser reads base URLs in the browser: a text that is not a URL says why.
  await page.getByLabel("Base URL").fill("erp.example/api");
  await page.getByRole("button", { name: "Save webhook" }).click();
  await page.getByText("(it does not start with https://)").waitFor();
  assert.equal(
    await page.locator("#wh-base-url-error").innerText(),
    "Enter a full URL like https://erp.example/api (it does not start with https://)",
  );
  await page.screenshot({ path: join(SCREENSHOTS, "webhook-form-errors.png"), fullPage: true });

  await page.getByLabel("Base URL").fill(`${app.receiver.url}/hooks`);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Save webhook" }).click();
  const row = page.locator("tr", { hasText: "ERP" });
  await row.waitFor();
  assert.match(await row.innerText(), /Basic/);
  assert.match(await row.innerText(), /never used/);
  assert.ok(!(await page.content()).includes(PASSWORD), "the saved password is not in the DOM");

  await page.reload();
  await page.locator("tr", { hasText: "ERP" }).getByRole("button", { name: "Edit" }).click();
  assert.equal(await page.getByLabel("Password").inputValue(), "", "a saved secret is never put back into its input");
  assert.match(await page.getByLabel("Password").getAttribute("placeholder"), /saved/);
  assert.ok(!(await page.content()).includes(PASSWORD));
  await page.screenshot({ path: join(SCREENSHOTS, "webhook-edit.png"), fullPage: true });
  assert.deepEqual(app.consoleErrors, []);
  assert.ok(!app.consoleMessages.some((message) => message.includes(PASSWORD)), "the secret never reaches the console");
});
