// The state the delivery bench and profile start from, set up in the standalone app: one webhook to
// the receiver, one automation that posts every deal update to /deals/<id>, and a loop guard raised
// high enough that a burst of 1,000 events is not stopped.

/** Configures the app open in `page` (from the harness's `startApp`) for a delivery burst. */
export async function configureBench(page, app) {
  await page.goto(`${app.appUrl}/#/webhooks`);
  await page.locator(".wa-nav-link").first().waitFor();
  await page.evaluate((url) => {
    window.webhookAutomations.setConfig({
      format: "webhook-automations/config", version: 1,
      webhooks: [{ id: "wh_bench", name: "Bench", base_url: url, auth: { type: "none" }, headers: [], signed: false,
        timeout_ms: 10000, retry: { max_attempts: 1, initial_backoff_ms: 100, max_backoff_ms: 1000 } }],
      automations: [{ id: "auto_bench", name: "Every deal update", enabled: true, trigger: { entity: "deal", action: "updated" },
        conditions: { match: "all", items: [] },
        actions: [{ webhook_id: "wh_bench", method: "POST", path: "/deals/{{deal.id}}",
          body: { mode: "raw", template: '{"title": "{{deal.title}}", "value": {{deal.value}}, "stage": {{deal.stage}}}' } }] }],
    });
  }, app.receiver.url);
  await page.locator("tr", { hasText: "Bench" }).waitFor();
  await page.goto(`${app.appUrl}/#/settings`);
  await page.getByLabel("Runs per automation per minute").fill("10000");
  await page.getByRole("button", { name: "Save settings" }).click();
  await page.getByText("Settings saved").waitFor();
}
