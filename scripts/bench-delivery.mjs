// Delivery throughput in headless Chromium: 1,000 events → 1,000 deliveries to the receiver with
// every execution stored, beside a bare fetch loop to the same receiver in the same run (the same
// concurrency the dispatcher allows per webhook). Like for like: each event is about another deal, so
// each delivery goes to its own URL (/deals/<id>) as the bare loop's requests do, and each pays a CORS
// preflight as they do; a second pair sends every request to one URL (one preflight in all).
// A benchmark, not a test: it prints, never asserts.
// Usage: node scripts/bench-delivery.mjs [EVENTS]   (after `trunk build --release`)
import { startApp } from "../tests/e2e/harness.mjs";
import { configureBench } from "./delivery-setup.mjs";
import { cpuBetween, processCpu } from "./process-cpu.mjs";

const EVENTS = Number(process.argv[2] ?? 1000);
const CONCURRENCY = 4; // webhook_engine::runner::MAX_CONCURRENT_PER_WEBHOOK

/** Runs `phase` (which resolves to its duration in ms) and notes the CPU each process spent on it. */
async function measured(phase) {
  const before = processCpu();
  const ms = await phase();
  return { ms, cpu: cpuBetween(before, processCpu(), ms) };
}

const app = await startApp();
try {
  const { page } = app;
  await configureBench(page, app);

  const bareLoop = (oneUrl) => page.evaluate(async ({ url, count, concurrency, oneUrl }) => {
    const body = JSON.stringify({ title: "CNC line maintenance contract", value: 56500.5, stage: "Negotiations started" });
    let next = 0;
    const started = performance.now();
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next += 1;
        await fetch(oneUrl ? `${url}/bare-one-url` : `${url}/bare/${next}`, { method: "POST", headers: { "Content-Type": "application/json" }, body });
      }
    }));
    return performance.now() - started;
  }, { url: app.receiver.url, count: EVENTS, concurrency: CONCURRENCY, oneUrl });
  const bare = await measured(() => bareLoop(false));
  const bareOneUrl = await bareLoop(true);

  const dispatched = await page.evaluate(async (count) => {
    const done = new Set();
    const finished = new Promise((resolve) => {
      document.getElementById("app").addEventListener("webhook-automations:execution", ({ detail }) => {
        if (detail.status !== "pending") {
          done.add(detail.id);
          if (done.size === count) resolve();
        }
      });
    });
    const user = { id: 1, name: "Ada Admin", email: "ada@example.com", is_admin: true };
    const started = performance.now();
    for (let n = 0; n < count; n += 1) {
      const previous = { id: 100_000 + n, title: "CNC line maintenance contract", value: 56500.5, stage: "proposal_made", status: "open", owner: 1 };
      window.webhookAutomations.emit({
        id: `evt_bench_${n}_${started}`, entity: "deal", action: "updated", time: new Date().toISOString(), user,
        current: { ...previous, stage: "negotiations" }, previous,
      });
    }
    await finished;
    return performance.now() - started;
  }, EVENTS);

  const recorded = await (await fetch(`${app.receiver.url}/_receiver/requests`)).json();
  const delivered = recorded.filter((request) => request.path.startsWith("/deals/")).length;

  // The same on a CRM page that loads the runtime alone (no builder re-rendering on every run), in
  // a second tab once the app's has gone (one dispatcher per browser), with what the app stored.
  const dealPage = await page.context().newPage();
  await page.close();
  await dealPage.goto(`${app.appUrl}/test-fixtures/deal-page.html`);
  await dealPage.waitForFunction(() => typeof window.__start === "function");
  await dealPage.evaluate(() => window.__start({ user: { id: 1, name: "Ada Admin", email: "ada@example.com", is_admin: true } }));
  const runtimeOnly = (oneUrl) => dealPage.evaluate(async ({ count, oneUrl }) => {
    const user = { id: 1, name: "Ada Admin", email: "ada@example.com", is_admin: true };
    const done = new Set();
    const finished = new Promise((resolve) => {
      window.__runtime.events.addEventListener("webhook-automations:execution", ({ detail }) => {
        if (detail.status !== "pending") {
          done.add(detail.id);
          if (done.size === count) resolve();
        }
      });
    });
    const started = performance.now();
    for (let n = 0; n < count; n += 1) {
      const previous = { id: oneUrl ? 303 : 200_000 + n, title: "CNC line maintenance contract", value: 56500.5, stage: "proposal_made", status: "open", owner: 1 };
      window.__runtime.emit({
        id: `evt_runtime_bench_${oneUrl}_${n}_${started}`, entity: "deal", action: "updated", time: new Date().toISOString(), user,
        current: { ...previous, stage: "negotiations" }, previous,
      });
    }
    await finished;
    return performance.now() - started;
  }, { count: EVENTS, oneUrl });
  const runtimeAlone = await measured(() => runtimeOnly(false));
  const runtimeAloneOneUrl = await runtimeOnly(true);

  const rate = (ms) => (EVENTS / (ms / 1000)).toFixed(0);
  console.log(`delivery: bare fetch loop ${rate(bare.ms)} requests/s (${bare.ms.toFixed(0)} ms for ${EVENTS}, ${CONCURRENCY} at a time, a URL each)`);
  console.log(`delivery: automations ${rate(dispatched)} events/s (${dispatched.toFixed(0)} ms for ${EVENTS} events → ${delivered} deliveries, a URL each, executions stored in IndexedDB), the app open`);
  console.log(`delivery: automations on a page with the runtime alone ${rate(runtimeAlone.ms)} events/s (${runtimeAlone.ms.toFixed(0)} ms for ${EVENTS}, a URL each, the configuration and settings the app stored)`);
  // Where the CPU goes, for the like-for-like pair (a URL each): with every core busy, the speed
  // ratio follows the ratio of CPU spent.
  if (bare.cpu && runtimeAlone.cpu) {
    console.log(`delivery CPU: bare fetch loop: ${bare.cpu.text}`);
    console.log(`delivery CPU: runtime alone: ${runtimeAlone.cpu.text}`);
    const perEvent = (cpu) => (cpu.total / EVENTS).toFixed(2);
    console.log(`delivery CPU: ${perEvent(runtimeAlone.cpu)} ms per delivery, ${perEvent(bare.cpu)} ms per bare request: ${(bare.cpu.total / runtimeAlone.cpu.total).toFixed(2)}×`);
  }
  console.log(`delivery: to one URL (one preflight in all): bare fetch loop ${rate(bareOneUrl)} requests/s, automations with the runtime alone ${rate(runtimeAloneOneUrl)} events/s: ${(bareOneUrl / runtimeAloneOneUrl).toFixed(2)}×`);
  console.log(`ratio delivery: automations run at ${(bare.ms / dispatched).toFixed(2)}× the speed of a bare fetch loop with the app open, ${(bare.ms / runtimeAlone.ms).toFixed(2)}× with the runtime alone (a URL each); ${(bareOneUrl / runtimeAloneOneUrl).toFixed(2)}× to one URL`);
} finally {
  await app.stop();
}
