// The sandbox CRM end to end: a change survives a reload, the regular user sees only their own
// records (and is told how many are hidden), and a person can be added and deleted.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { SCREENSHOTS, freshAppForEachTest, openApp } from "./harness.mjs";

const app = freshAppForEachTest();

async function openSandbox(page) {
  await openApp(page, app.appUrl, "#/sandbox");
  await page.locator(".wa-sandbox-table").waitFor();
}

const dealRows = (page) => page.locator(".wa-sandbox-table tbody tr");

test("a deal's new stage is still there after a reload", async () => {
  const { page } = app;
  await openSandbox(page);
  await page.getByRole("button", { name: "Edit CNC line maintenance contract" }).click();
  await page.getByLabel("Stage", { exact: true }).selectOption("negotiations");
  await page.screenshot({ path: join(SCREENSHOTS, "sandbox-edit-deal.png"), fullPage: true });
  await page.getByRole("button", { name: "Save changes" }).click();
  await page.getByText("Deal 302 updated (Stage) — automations on “deal · updated” were checked").waitFor();
  assert.match(await page.locator("tr[data-record='302']").innerText(), /Negotiations started/);
  await page.screenshot({ path: join(SCREENSHOTS, "sandbox-confirmation.png") });

  await page.reload();
  await openSandbox(page);
  assert.match(await page.locator("tr[data-record='302']").innerText(), /Negotiations started/);
  await page.screenshot({ path: join(SCREENSHOTS, "sandbox.png"), fullPage: true });
  assert.deepEqual(app.consoleErrors, []);
});

test("the regular user sees fewer deals and how many are hidden", async () => {
  const { page } = app;
  await openSandbox(page);
  assert.equal(await dealRows(page).count(), 4);
  await page.getByLabel("Switch user").selectOption("2");
  await page.getByText("2 deals are not visible to Riley Regular").waitFor();
  assert.equal(await dealRows(page).count(), 2);
  assert.match(await page.locator(".wa-sandbox-acting").innerText(), /^Acting as Riley Regular \(sees own records only\)\n/);
  await page.screenshot({ path: join(SCREENSHOTS, "sandbox-regular-user.png"), fullPage: true });

  await page.getByLabel("Switch user").selectOption("1");
  await page.locator(".wa-sandbox-hidden").waitFor({ state: "detached" });
  assert.equal(await dealRows(page).count(), 4);
});

test("a person is added and deleted", async () => {
  const { page } = app;
  await openSandbox(page);
  await page.getByRole("tab", { name: "People" }).click();
  await page.getByRole("button", { name: "Add person" }).click();
  await page.getByLabel("Email").fill("ana-at-lima");
  await page.getByRole("button", { name: "Add person" }).click();
  await page.getByText("Name is required").waitFor();
  await page.getByText("“ana-at-lima” is not an email address; write it like name@example.com").waitFor();
  await page.screenshot({ path: join(SCREENSHOTS, "sandbox-form-problems.png"), fullPage: true });

  await page.getByLabel("Name", { exact: true }).fill("Ana Lima");
  await page.getByLabel("Email").fill("ana@lima.example");
  await page.getByLabel("Organization").selectOption({ label: "Brightpath Clinics" });
  await page.getByLabel("Marketing consent").check();
  await page.screenshot({ path: join(SCREENSHOTS, "sandbox-add-person.png"), fullPage: true });
  await page.getByRole("button", { name: "Add person" }).click();
  await page.getByText("Person 205 added — automations on “person · added” were checked").waitFor();
  const row = page.locator("tr[data-record='205']");
  assert.match(await row.innerText(), /Ana Lima[\s\S]*ana@lima\.example[\s\S]*Brightpath Clinics[\s\S]*Ada Admin/);

  await page.getByRole("button", { name: "Delete Ana Lima" }).click();
  await page.getByRole("dialog").getByText("Automations on “person · deleted” receive the record as it was.").waitFor();
  await page.getByRole("button", { name: "Delete person" }).click();
  await page.getByText("Person 205 deleted — automations on “person · deleted” were checked").waitFor();
  await row.waitFor({ state: "detached" });
  assert.deepEqual(app.consoleErrors, []);
});

test("a change saved in another tab shows here without a reload", async () => {
  const { page } = app;
  await openSandbox(page);
  await page.getByRole("tab", { name: "Deals" }).click();
  await page.locator("tr[data-record='302']").waitFor();
  const other = await page.context().newPage();
  try {
    await openSandbox(other);
    await other.getByRole("button", { name: "Edit CNC line maintenance contract" }).click();
    await other.getByLabel("Stage", { exact: true }).selectOption("contact_made");
    await other.getByRole("button", { name: "Save changes" }).click();
    await other.getByText("Deal 302 updated (Stage)", { exact: false }).waitFor();
  } finally {
    await other.close();
  }
  await page.locator("tr[data-record='302']", { hasText: "Contact made" }).waitFor({ timeout: 10_000 });
  assert.deepEqual(app.consoleErrors, []);
});
