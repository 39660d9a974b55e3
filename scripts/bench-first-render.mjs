// First render in headless Chromium, release build, each run in a fresh browser context (empty
// storage and HTTP cache), medians of RUNS:
// - a regular user's CRM page: from navigation start until the first event it hands over is
//   accepted (planned and stored: its execution is announced) — with the runtime alone (the deal
//   page) beside the app's module mounted for the same user (how every CRM page embedded it before
//   the split: today's single module);
// - an admin's settings page: from navigation start until the builder is interactive (the "New
//   webhook" button is rendered), with the app's module.
// A benchmark, not a test: it prints, never asserts.
// Usage: node scripts/bench-first-render.mjs [RUNS]   (after `trunk build --release`)
import { startApp } from "../tests/e2e/harness.mjs";

const RUNS = Number(process.argv[2] ?? 7);
const RILEY = { id: 2, name: "Riley Regular", email: "riley@acme.example", is_admin: false };
const ADA = { id: 1, name: "Ada Admin", email: "ada@acme.example", is_admin: true };

function config(baseUrl) {
  return {
    format: "webhook-automations/config", version: 1,
    webhooks: [{ id: "wh_erp", name: "ERP", base_url: baseUrl, auth: { type: "none" }, headers: [], signed: false,
      timeout_ms: 10000, retry: { max_attempts: 1, initial_backoff_ms: 100, max_backoff_ms: 1000 } }],
    automations: [{ id: "auto_deals", name: "Deals out", enabled: true, trigger: { entity: "deal", action: "updated" },
      conditions: { match: "all", items: [] },
      actions: [{ webhook_id: "wh_erp", method: "PUT", path: "/deals/{{deal.id}}",
        body: { mode: "raw", template: '{"stage": {{deal.stage}}}' } }] }],
  };
}

function event(n) {
  const previous = { id: 302, title: "CNC line", value: 100, stage: "proposal_made", status: "open", owner: 2 };
  return { id: `evt_first_render_${n}_${Date.now()}`, entity: "deal", action: "updated", time: new Date().toISOString(),
    user: RILEY, current: { ...previous, stage: "negotiations" }, previous };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const app = await startApp();
const browser = app.page.context().browser();
try {
  /** One run in a fresh context: opens `path`, runs `start` in the page, resolves with its time (ms). */
  async function run(path, start, options) {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${app.appUrl}${path}`, { waitUntil: "commit" });
      return await page.evaluate(start, options);
    } finally {
      await context.close();
    }
  }
  // Each starter runs in the page as soon as it can and returns performance.now() (ms since
  // navigation start) at the moment measured.
  const runtimeOnly = ({ user, config, event }) => new Promise((resolve, reject) => {
    const go = () => {
      const runtime = window.__start ? (window.__start({ user, config }), window.__runtime) : null;
      if (!runtime) return setTimeout(go, 1);
      runtime.events.addEventListener("webhook-automations:execution", () => resolve(performance.now()), { once: true });
      if (!runtime.emit(event)) reject(new Error("emit refused"));
    };
    go();
  });
  const appModule = ({ user, config, event }) => new Promise((resolve, reject) => {
    const go = async () => {
      if (!window.__hostReady) return setTimeout(go, 1);
      await window.__mount({ user, config });
      document.getElementById("w").addEventListener("webhook-automations:execution", () => resolve(performance.now()), { once: true });
      if (!window.__widget.emit(event)) reject(new Error("emit refused"));
    };
    go();
  });
  const builder = ({ user, config }) => new Promise((resolve) => {
    const go = async () => {
      if (!window.__hostReady) return setTimeout(go, 1);
      window.__mount({ user, config });
      const check = () => {
        const button = [...document.querySelectorAll("button")].find((b) => b.textContent.trim() === "New webhook");
        if (button) resolve(performance.now());
        else requestAnimationFrame(check);
      };
      check();
    };
    go();
  });

  const measured = { runtime: [], appForRegular: [], builder: [] };
  for (let n = 0; n < RUNS; n += 1) {
    const base = { config: config(app.receiver.url), event: event(n) };
    // Alternated, so a slower moment of the machine weighs on both alike.
    measured.runtime.push(await run("/test-fixtures/deal-page.html", runtimeOnly, { ...base, user: RILEY }));
    measured.appForRegular.push(await run("/test-fixtures/bare-host.html", appModule, { ...base, user: RILEY }));
    measured.builder.push(await run("/test-fixtures/bare-host.html", builder, { ...base, user: ADA }));
  }
  const [runtime, single, builderMs] = [median(measured.runtime), median(measured.appForRegular), median(measured.builder)];
  console.log(`first render: regular user's CRM page, navigation → first event accepted: runtime alone ${runtime.toFixed(0)} ms, app's module (as before the split) ${single.toFixed(0)} ms (medians of ${RUNS})`);
  console.log(`first render: admin's settings page, navigation → builder interactive: ${builderMs.toFixed(0)} ms (median of ${RUNS})`);
  console.log(`ratio first render: the runtime alone accepts the first event in ${(runtime / single).toFixed(2)}× the time of the app's module`);
} finally {
  await app.stop();
}
