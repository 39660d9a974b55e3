// Where the main thread's time goes while delivering EVENTS events: a V8 CPU profile (CDP) of the
// burst, on the app's page ("app") or on a page with the runtime alone ("runtime"), summarised as
// the functions with the most self time and the most inclusive time. A tool, not a test.
// Usage: node scripts/profile-delivery.mjs [EVENTS] [app|runtime] [OUT.cpuprofile]
//   (after `trunk build --release`; APP_DIST=dist-prof for a build that keeps function names)
import { writeFileSync } from "node:fs";
import { startApp } from "../tests/e2e/harness.mjs";
import { configureBench } from "./delivery-setup.mjs";

const EVENTS = Number(process.argv[2] ?? 1000);
const MODE = process.argv[3] ?? "runtime";
const OUT = process.argv[4];

const app = await startApp();
try {
  let { page } = app;
  await configureBench(page, app);

  let target = "document.getElementById('app')";
  let emit = "window.webhookAutomations.emit";
  if (MODE === "runtime") {
    const dealPage = await page.context().newPage();
    await page.close();
    page = dealPage;
    await page.goto(`${app.appUrl}/test-fixtures/deal-page.html`);
    await page.waitForFunction(() => typeof window.__start === "function");
    await page.evaluate(() => window.__start({ user: { id: 1, name: "Ada Admin", email: "ada@example.com", is_admin: true } }));
    target = "window.__runtime.events";
    emit = "window.__runtime.emit";
  }
  await page.evaluate(() => { performance.setResourceTimingBufferSize(100000); performance.clearResourceTimings(); });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 200 });
  await cdp.send("Profiler.start");
  const ms = MODE === "bare" ? await page.evaluate(async ({ url, count }) => {
    const body = JSON.stringify({ title: "CNC line maintenance contract", value: 56500.5, stage: "Negotiations started" });
    let next = 0;
    const started = performance.now();
    await Promise.all(Array.from({ length: 4 }, async () => {
      while (next < count) {
        next += 1;
        await fetch(`${url}/bare/${next}`, { method: "POST", headers: { "Content-Type": "application/json" }, body });
      }
    }));
    return performance.now() - started;
  }, { url: app.receiver.url, count: EVENTS }) : await page.evaluate(async ({ count, target, emit }) => {
    const events = eval(target), send = eval(`(e) => ${emit}(e)`);
    const done = new Set();
    const finished = new Promise((resolve) => {
      events.addEventListener("webhook-automations:execution", ({ detail }) => {
        if (detail.status !== "pending") { done.add(detail.id); if (done.size === count) resolve(); }
      });
    });
    const user = { id: 1, name: "Ada Admin", email: "ada@example.com", is_admin: true };
    const started = performance.now();
    for (let n = 0; n < count; n += 1) {
      const previous = { id: 302, title: "CNC line maintenance contract", value: 56500.5, stage: "proposal_made", status: "open", owner: 1 };
      send({ id: `evt_prof_${n}_${started}`, entity: "deal", action: "updated", time: new Date().toISOString(), user,
        current: { ...previous, stage: "negotiations" }, previous });
    }
    await finished;
    return performance.now() - started;
  }, { count: EVENTS, target, emit });
  const { profile } = await cdp.send("Profiler.stop");
  const timing = await page.evaluate(() => {
    const entries = performance.getEntriesByType("resource").filter((e) => /\/(deals|bare)\//.test(e.name));
    const mean = (f) => entries.reduce((sum, e) => sum + f(e), 0) / entries.length;
    return { count: entries.length, duration: mean((e) => e.responseEnd - e.startTime),
      toRequest: mean((e) => e.requestStart - e.startTime), waiting: mean((e) => e.responseStart - e.requestStart),
      body: mean((e) => e.responseEnd - e.responseStart) };
  });
  const f = (x) => x.toFixed(2);
  console.log(`requests ${timing.count}: start→end ${f(timing.duration)} ms (start→requestStart ${f(timing.toRequest)}, requestStart→responseStart ${f(timing.waiting)}, body ${f(timing.body)}); ${f(timing.duration * timing.count / 4)} ms of ${ms.toFixed(0)} in flight per slot`);
  if (OUT) writeFileSync(OUT, JSON.stringify(profile));
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map(), total = new Map();
  let busy = 0, all = 0;
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    all += dt;
    const node = byId.get(id);
    const name = (n) => `${n.callFrame.functionName || "(anon)"} ${n.callFrame.url.split("/").pop()}`;
    if (node.callFrame.functionName !== "(idle)") busy += dt;
    self.set(name(node), (self.get(name(node)) ?? 0) + dt);
    const seen = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const key = name(byId.get(at));
      if (!seen.has(key)) { seen.add(key); total.set(key, (total.get(key) ?? 0) + dt); }
    }
  });
  const top = (map, n) => [...map].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `${v.toFixed(0).padStart(7)} ms  ${k}`).join("\n");
  console.log(`${MODE}: ${EVENTS} events delivered in ${ms.toFixed(0)} ms; profile ${all.toFixed(0)} ms, busy ${busy.toFixed(0)} ms`);
  console.log("-- self\n" + top(self, 45));
  console.log("-- inclusive\n" + top(total, 70));
} finally {
  await app.stop();
}
