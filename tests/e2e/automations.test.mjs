import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { SCREENSHOTS, freshAppForEachTest, openApp } from "./harness.mjs";
import { TYPING_SPOT, largeBody } from "./large-body.mjs";

const NAME = "Won deals to the ERP";
const BROKEN_BODY = '{"title": "Deal {{deal.titel}}", "amount": {{deal.value}}}';
const FIXED_BODY = '{"title": "Deal {{deal.title}}", "amount": {{deal.value}}}';
const FORMATTED_BODY = '{\n  "title": "Deal {{deal.title}}",\n  "amount": {{deal.value}}\n}';

const app = freshAppForEachTest();

/** The ERP webhook and the automation the first test builds, handed over as the host API does. */
function savedConfig(receiverUrl) {
  return {
    format: "webhook-automations/config",
    version: 1,
    webhooks: [{
      id: "wh_erp", name: "ERP", base_url: `${receiverUrl}/hooks`, auth: { type: "none" }, headers: [], signed: false,
      timeout_ms: 10_000, retry: { max_attempts: 3, initial_backoff_ms: 1_000, max_backoff_ms: 60_000 },
    }],
    automations: [{
      id: "auto_won", name: NAME, enabled: true, trigger: { entity: "deal", action: "updated" },
      conditions: { match: "all", items: [{ field: "deal.status", operator: "has_changed_to", value: "won" }] },
      actions: [{ webhook_id: "wh_erp", method: "PUT", path: "/orders/{{deal.id}}", body: { mode: "raw", template: FORMATTED_BODY } }],
    }],
  };
}

/** Opens the app on Webhooks with the ERP webhook and the saved automation, then goes to Automations. */
async function openWithSavedAutomation(page) {
  await openApp(page, app.appUrl, "#/webhooks");
  await page.evaluate((config) => window.webhookAutomations.setConfig(config), savedConfig(app.receiver.url));
  await page.locator("tr", { hasText: "ERP" }).waitFor();
  await openAutomations(page);
  await page.locator("tr[data-automation]", { hasText: NAME }).waitFor();
}

/** Closes the "saved" notice, so screenshots show the page itself. */
async function dismissNotice(page) {
  await page.getByRole("status").getByRole("button", { name: "Dismiss" }).click();
}

async function openAutomations(page) {
  await page.locator(".wa-nav-link[data-section=automations]").click();
  await page.locator("h1", { hasText: "Automations" }).waitFor();
}

test("an automation is built, its raw body diagnosed as typed and fixed, saved, and found as saved after a reload", async () => {
  const { page } = app;
  await openApp(page, app.appUrl, "#/webhooks");
  await page.getByRole("button", { name: "New webhook" }).click();
  await page.getByLabel("Name").fill("ERP");
  await page.getByLabel("Base URL").fill(`${app.receiver.url}/hooks`);
  await page.getByRole("button", { name: "Save webhook" }).click();
  await page.locator("tr", { hasText: "ERP" }).waitFor();
  await dismissNotice(page);

  await openAutomations(page);
  await page.getByText("No automations yet").waitFor();
  await page.getByRole("button", { name: "New automation" }).click();
  await page.getByLabel("Name", { exact: true }).fill(NAME);
  assert.equal(await page.locator("#auto-trigger-entity").inputValue(), "deal");
  assert.equal(await page.locator("#auto-trigger-action").inputValue(), "updated");

  // All of: status has changed to Won, and (any of) value greater than 10000.
  await page.getByRole("button", { name: "Add condition", exact: true }).click();
  await page.locator("#auto-condition-1-field").selectOption("deal.status");
  await page.locator("#auto-condition-1-operator").selectOption({ label: "has changed to" });
  await page.locator("#auto-condition-1-value").selectOption("won");
  await page.getByRole("button", { name: "Add group", exact: true }).click();
  await page.locator("#auto-condition-2-1-field").selectOption("deal.value");
  await page.locator("#auto-condition-2-1-operator").selectOption({ label: "is greater than" });
  await page.locator("#auto-condition-2-1-value").fill("10000");

  await page.locator("#auto-action-1-method").selectOption("PUT");
  await page.locator("#auto-action-1-path").fill("/orders/");
  await page.getByRole("button", { name: "Insert a field into the path of action 1" }).click();
  await page.getByLabel("Search fields").fill("person");
  await page.screenshot({ path: join(SCREENSHOTS, "automation-field-picker.png") });
  await page.getByLabel("Search fields").fill("deal id");
  await page.locator(".wa-picker-option[data-path='deal.id']").click();
  assert.equal(await page.locator("#auto-action-1-path").inputValue(), "/orders/{{deal.id}}");

  await page.getByRole("tab", { name: "Raw" }).click();
  const body = page.locator("#auto-action-1-raw");
  await body.fill(BROKEN_BODY);
  const diagnostic = page.locator(".wa-diagnostic.is-error");
  await diagnostic.waitFor();
  assert.match(await diagnostic.innerText(), /Unknown field deal\.titel — did you mean deal\.title\?/);
  assert.equal(await page.locator(".wa-code-overlay .wa-mark.is-error").innerText(), "{{deal.titel}}");
  const save = page.getByRole("button", { name: "Save automation" });
  assert.equal(await save.getAttribute("aria-disabled"), "true");
  assert.match(await page.locator("#auto-save-reason").innerText(), /Can't save yet: 1 problem/);
  assert.match(await page.locator(".wa-problems.is-error").innerText(), /Action 1 body 1:17/);
  await page.screenshot({ path: join(SCREENSHOTS, "automation-editor-diagnostic.png"), fullPage: true });

  // The diagnostic puts the caret on the field; retyping its last two letters fixes it.
  await diagnostic.click();
  assert.equal(await body.evaluate((area) => area.selectionStart), BROKEN_BODY.indexOf("{{deal.titel}}"));
  await body.evaluate((area, at) => area.setSelectionRange(at, at + 2), BROKEN_BODY.indexOf("el}}"));
  await page.keyboard.type("le");
  assert.equal(await body.inputValue(), FIXED_BODY);
  await page.locator(".wa-diagnostic").waitFor({ state: "detached" });
  await page.getByRole("button", { name: "Format" }).click();
  assert.equal(await body.inputValue(), FORMATTED_BODY);

  const preview = page.locator(".wa-preview");
  await preview.locator(".wa-preview-url", { hasText: "/hooks/orders/" }).waitFor();
  assert.match(await preview.locator(".wa-method").innerText(), /PUT/);
  assert.match(await preview.locator(".wa-preview-url").innerText(), new RegExp(`^${app.receiver.url}/hooks/orders/\\d+$`));
  assert.match(await preview.locator(".wa-preview-body").innerText(), /"amount": \d/);
  assert.match(await preview.locator(".wa-preview-event").innerText(), /Deal \d+ .* updated by /);
  assert.equal(await save.getAttribute("aria-disabled"), "false");
  await page.screenshot({ path: join(SCREENSHOTS, "automation-editor.png"), fullPage: true });
  await save.click();

  const row = page.locator("tr[data-automation]", { hasText: NAME });
  await row.waitFor();
  await dismissNotice(page);
  assert.match(await row.innerText(), /Deal · updated/);
  assert.match(await row.innerText(), /ERP/);
  assert.match(await row.innerText(), /never run/);
  assert.equal(await row.getByRole("switch").isChecked(), true);
  await page.screenshot({ path: join(SCREENSHOTS, "automations-list.png"), fullPage: true });

  await page.reload();
  await page.locator("tr[data-automation]", { hasText: NAME }).getByRole("button", { name: /^Edit/ }).click();
  assert.equal(await page.getByLabel("Name", { exact: true }).inputValue(), NAME);
  assert.equal(await page.locator("#auto-condition-1-field").inputValue(), "deal.status");
  assert.equal(await page.locator("#auto-condition-1-value").inputValue(), "won");
  assert.equal(await page.locator("#auto-condition-2-1-field").inputValue(), "deal.value");
  assert.equal(await page.locator("#auto-condition-2-1-value").inputValue(), "10000");
  assert.equal(await page.locator("#auto-action-1-method").inputValue(), "PUT");
  assert.equal(await page.locator("#auto-action-1-path").inputValue(), "/orders/{{deal.id}}");
  assert.equal(await page.locator("#auto-action-1-raw").inputValue(), FORMATTED_BODY);
  await page.getByRole("button", { name: "Cancel" }).click();
  await page.locator("tr[data-automation]", { hasText: NAME }).waitFor();
  assert.deepEqual(app.consoleErrors, []);
});

test("unsaved changes are guarded: Cancel and the navigation ask first, and the page warns before unloading", async () => {
  const { page } = app;
  await openWithSavedAutomation(page);
  await page.locator("tr[data-automation]", { hasText: NAME }).getByRole("button", { name: /^Edit/ }).click();
  assert.equal(await page.evaluate(() => window.onbeforeunload), null, "clean: nothing to warn about");
  await page.getByLabel("Name", { exact: true }).fill(`${NAME} (changed)`);
  assert.equal(await page.evaluate(() => typeof window.onbeforeunload), "function");

  await page.locator(".wa-nav-link[data-section=webhooks]").click();
  const dialog = page.getByRole("dialog", { name: "Leave without saving?" });
  await dialog.waitFor();
  assert.equal(new URL(page.url()).hash, "#/automations");
  await dialog.getByRole("button", { name: "Keep editing" }).click();
  assert.equal(await page.getByLabel("Name", { exact: true }).inputValue(), `${NAME} (changed)`);

  // The back button goes to the previous section (#/webhooks): the editor stays and asks.
  await page.goBack();
  await dialog.waitFor();
  assert.equal(new URL(page.url()).hash, "#/automations");
  await dialog.getByRole("button", { name: "Keep editing" }).click();
  assert.equal(await page.getByLabel("Name", { exact: true }).inputValue(), `${NAME} (changed)`);

  await page.locator(".wa-nav-link[data-section=webhooks]").click();
  await dialog.getByRole("button", { name: "Discard changes" }).click();
  await page.locator("h1", { hasText: "Webhooks" }).waitFor();
  assert.equal(await page.evaluate(() => window.onbeforeunload), null);

  await openAutomations(page);
  await page.locator("tr[data-automation]", { hasText: NAME }).getByRole("button", { name: /^Edit/ }).click();
  await page.getByLabel("Name", { exact: true }).fill("Something else");
  await page.getByRole("button", { name: "Cancel" }).click();
  await dialog.getByRole("button", { name: "Discard changes" }).click();
  assert.equal(await page.locator("tr[data-automation]").count(), 1);
  assert.match(await page.locator("tr[data-automation]").innerText(), new RegExp(NAME));
  assert.deepEqual(app.consoleErrors, []);
});

test("an automation is duplicated switched off, and deleted after confirming", async () => {
  const { page } = app;
  await openWithSavedAutomation(page);
  await page.locator("tr[data-automation]", { hasText: NAME }).getByRole("button", { name: /^Duplicate/ }).click();
  const copy = page.locator("tr[data-automation]", { hasText: `Copy of ${NAME}` });
  await copy.waitFor();
  assert.equal(await copy.getByRole("switch").isChecked(), false);
  const ids = await page.locator("tr[data-automation]").evaluateAll((rows) => rows.map((row) => row.dataset.automation));
  assert.equal(new Set(ids).size, 2, "the copy has an id of its own");

  await copy.getByRole("button", { name: /^Delete/ }).click();
  const dialog = page.getByRole("dialog", { name: `Delete automation “Copy of ${NAME}”?` });
  // The keyboard is in the dialog, on the harmless choice: Enter right away deletes nothing.
  const cancelHasFocus = await dialog.getByRole("button", { name: "Cancel" }).evaluate((button) => document.activeElement === button);
  assert.equal(cancelHasFocus, true, "the dialog opens with the focus on Cancel");
  await page.screenshot({ path: join(SCREENSHOTS, "automation-delete-confirmation.png") });
  await dialog.getByRole("button", { name: "Delete automation" }).click();
  await copy.waitFor({ state: "detached" });
  await page.reload();
  await page.locator("tr[data-automation]", { hasText: NAME }).waitFor();
  assert.equal(await page.locator("tr[data-automation]").count(), 1);
  assert.deepEqual(app.consoleErrors, []);
});

test("typing 500 characters into a 100 KB raw body keeps the text exact, and a mistake typed there is diagnosed at its line until fixed", async () => {
  const { page } = app;
  await openApp(page, app.appUrl, "#/automations");
  await page.getByRole("button", { name: "New automation" }).click();
  await page.getByRole("tab", { name: "Raw" }).click();
  const body = page.locator("#auto-action-1-raw");
  const large = largeBody(100 * 1024);
  await body.fill(large);
  const lines = large.split("\n");
  // The editor has handed the body to the form once the preview renders it.
  await page.locator(".wa-preview-body", { hasText: '"line": 0,' }).waitFor();

  const caret = large.indexOf(TYPING_SPOT) + TYPING_SPOT.length;
  await body.evaluate((area, at) => {
    area.focus();
    area.setSelectionRange(at, at);
  }, caret);
  const typed = "Typing into a large body stays smooth 0123456789 ".repeat(11).slice(0, 500);
  await page.keyboard.type(typed);
  assert.equal(await body.inputValue() === large.slice(0, caret) + typed + large.slice(caret), true, "the editor's text is exactly what was typed");
  const typingLine = large.slice(0, caret).split("\n").length;
  const overlayLine = page.locator(".wa-code-lines > div", { hasText: TYPING_SPOT + typed });
  await overlayLine.waitFor();
  assert.equal(await page.locator(".wa-diagnostic").count(), 0);

  // A misspelt field typed at the caret is underlined and listed at its line and column...
  await page.keyboard.type("{{deal.titel}}");
  // The editor diagnoses as it goes ("{{deal.titel}" is an unclosed placeholder): wait for the
  // diagnosis of the whole text typed, which a loaded machine may paint a frame later.
  const diagnostic = page.locator(".wa-diagnostic.is-error");
  await page.locator(".wa-diagnostic.is-error", { hasText: "Unknown field deal.titel" }).waitFor();
  const column = lines[typingLine - 1].indexOf(TYPING_SPOT) + TYPING_SPOT.length + typed.length + 1;
  assert.match(await diagnostic.innerText(), new RegExp(`Line ${typingLine}, column ${column}`));
  assert.match(await diagnostic.innerText(), /Unknown field deal\.titel — did you mean deal\.title\?/);
  assert.equal(await page.locator(".wa-code-overlay .wa-mark.is-error").innerText(), "{{deal.titel}}");
  assert.match(await page.locator(".wa-problems.is-error").innerText(), new RegExp(`Action 1 body ${typingLine}:${column}`));

  // ... and fixing it clears both.
  for (let n = 0; n < 4; n += 1) await page.keyboard.press("Backspace");
  await page.keyboard.type("le}}");
  await diagnostic.waitFor({ state: "detached" });
  assert.equal(await page.locator(".wa-code-overlay .wa-mark").count(), 0);
  assert.equal(await body.inputValue(), large.slice(0, caret) + typed + "{{deal.title}}" + large.slice(caret));
  assert.deepEqual(app.consoleErrors, []);
});

test("deleting its webhook marks the automation “webhook missing” and switching it on is refused with the reason", async () => {
  const { page } = app;
  await openWithSavedAutomation(page);
  await page.locator(".wa-nav-link[data-section=webhooks]").click();
  await page.locator("tr", { hasText: "ERP" }).getByRole("button", { name: "Delete" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Delete webhook" }).click();
  await page.getByText("No webhooks yet").waitFor();
  await dismissNotice(page);

  await openAutomations(page);
  const row = page.locator("tr[data-automation]", { hasText: NAME });
  await row.locator(".wa-badge", { hasText: "webhook missing" }).waitFor();
  const toggle = row.getByRole("switch");
  assert.equal(await toggle.isChecked(), false, "switched off when its webhook went");
  await toggle.click({ force: true });
  assert.match(await page.getByRole("alert").innerText(), /Webhook missing in action 1: pick a webhook before switching the automation on/);
  assert.equal(await toggle.getAttribute("aria-describedby"), await page.getByRole("alert").getAttribute("id"));
  assert.equal(await toggle.isChecked(), false);
  await page.screenshot({ path: join(SCREENSHOTS, "automations-webhook-missing.png"), fullPage: true });

  await row.getByRole("button", { name: /^Edit/ }).click();
  assert.match(await page.locator("#auto-action-1-webhook-error").innerText(), /No webhook yet/);
  assert.match(await page.locator(".wa-problems.is-error").innerText(), /Action 1 webhook/);
  await page.getByRole("button", { name: "Cancel" }).click();
  assert.deepEqual(app.consoleErrors, []);
});
