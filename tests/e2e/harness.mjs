// Shared set-up for the end-to-end tests: the release build served on loopback, a real
// webhook-receiver, and Debian's Chromium driven by playwright-core.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createInterface } from "node:readline";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, afterEach, before, beforeEach } from "node:test";
import { chromium } from "playwright-core";
import { startStaticServer } from "../../scripts/serve-static.mjs";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const SCREENSHOTS = join(ROOT, "test-output", "screenshots");

const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Starts webhook-receiver on a free port with extra flags; resolves once it prints its URL. */
export function startReceiver(flags = []) {
  const binary = process.env.RECEIVER_BIN ?? join(process.env.CARGO_TARGET_DIR ?? join(ROOT, "target"), "debug", "webhook-receiver");
  // Quiet, and its stderr not piped: a pipe nobody reads fills up and stalls the receiver mid-request.
  const child = spawn(binary, ["--port", "0", "--quiet", ...flags], { stdio: ["ignore", "pipe", "ignore"] });
  return new Promise((resolve, reject) => {
    child.once("error", (error) => reject(new Error(`cannot start ${binary}: ${error.message}`)));
    child.once("exit", (code) => reject(new Error(`webhook-receiver exited with ${code} before listening`)));
    createInterface({ input: child.stdout }).once("line", (line) => {
      const url = line.replace(/^webhook-receiver listening on /, "");
      resolve({ url, stop: () => child.kill() });
    });
  });
}

/** A port nothing listens on yet (bound, then released). */
async function freePort() {
  const { createServer } = await import("node:net");
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once something accepts connections on `port` (polled); fails after 30 s. */
async function portOpen(port) {
  const { connect } = await import("node:net");
  const deadline = Date.now() + 30_000;
  for (;;) {
    const open = await new Promise((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => { socket.destroy(); resolve(true); });
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on port ${port}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A JetStream nats-server (the pinned one of .tools/bin) on a free port with a fresh data folder. */
export async function startNats() {
  const { mkdtempSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const binary = join(ROOT, ".tools", "bin", "nats-server");
  const dir = mkdtempSync(join(tmpdir(), "e2e-nats-"));
  const port = await freePort();
  const args = ["-js", "-a", "127.0.0.1", "-p", String(port), "-sd", join(dir, "data")];
  const child = spawn(binary, args, { stdio: "ignore" });
  await new Promise((resolve, reject) => {
    child.once("error", (error) => reject(new Error(`cannot start ${binary} (run scripts/bootstrap.sh): ${error.message}`)));
    portOpen(port).then(resolve, reject);
  });
  return { url: `nats://127.0.0.1:${port}`, stop: () => child.kill() };
}

export const RELAY_ADMIN_TOKEN = "e2e-relay-admin-token";
export const RELAY_EVENTS_TOKEN = "e2e-relay-events-token";

/**
 * webhook-relay against `nats`, with the test tokens, CORS for `appUrl`, private addresses allowed
 * (the receiver listens on loopback), on `port` (0: a free one); resolves once it prints its URL.
 * `stop()` ends it (SIGTERM) and resolves once it has exited; `kill()` ends it at once (SIGKILL).
 */
export async function startRelay(nats, appUrl, flags = [], port = 0) {
  const { mkdtempSync, writeFileSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const binary = process.env.RELAY_BIN ?? join(process.env.CARGO_TARGET_DIR ?? join(ROOT, "target"), "debug", "webhook-relay");
  const dir = mkdtempSync(join(tmpdir(), "e2e-relay-"));
  writeFileSync(join(dir, "admin"), `${RELAY_ADMIN_TOKEN}\n`);
  writeFileSync(join(dir, "events"), `${RELAY_EVENTS_TOKEN}\n`);
  const child = spawn(binary, [
    "--nats", nats.url, "--listen", `127.0.0.1:${port}`, "--admin-token-file", join(dir, "admin"),
    "--events-token-file", join(dir, "events"), "--allow-origin", appUrl, "--allow-private", ...flags,
  ], { stdio: ["ignore", "pipe", "ignore"] });
  return new Promise((resolve, reject) => {
    child.once("error", (error) => reject(new Error(`cannot start ${binary}: ${error.message}`)));
    child.once("exit", (code) => reject(new Error(`webhook-relay exited with ${code} before listening`)));
    createInterface({ input: child.stdout }).once("line", (line) => {
      const url = line.replace(/^webhook-relay listening on /, "").trim();
      const exited = new Promise((done) => child.once("exit", done));
      resolve({ url, stop: () => { child.kill(); return exited; }, kill: () => child.kill("SIGKILL") });
    });
  });
}

/** Debian's Chromium, headless; `extraArgs` for a benchmark's needs. */
export function launchBrowser(extraArgs = []) {
  return chromium.launch({ executablePath: "/usr/bin/chromium", args: [...CHROMIUM_FLAGS, ...extraArgs] });
}

/**
 * Everything a test needs, all of it new: a receiver that has recorded nothing, the release build
 * served on a port of its own (so an origin no earlier test has stored anything under), and a fresh
 * browser context (empty storage, no service worker) with one page, whose console errors are
 * collected. In `browser` when given (stopping leaves it open), else in a browser of its own.
 */
export async function startApp({ browser, browserArgs = [] } = {}) {
  // APP_DIST serves another build (e.g. a worktree's) than ROOT/dist.
  const receiver = await startReceiver();
  // Host pages written for the tests are served at the app's origin, under /test-fixtures/.
  const { server, url: appUrl } = await startStaticServer(process.env.APP_DIST ?? join(ROOT, "dist"), 0, "127.0.0.1", {
    "/test-fixtures/": join(ROOT, "tests", "e2e", "fixtures"),
  });
  const ownBrowser = browser ? null : await launchBrowser(browserArgs);
  // An explicit context, so a test can open a second tab of the same browser profile.
  const context = await (browser ?? ownBrowser).newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const consoleErrors = [];
  const consoleMessages = [];
  page.on("console", (message) => {
    consoleMessages.push(message.text());
    if (message.type() === "error") consoleErrors.push(message.text());
  });
  page.on("pageerror", (error) => consoleErrors.push(String(error)));
  mkdirSync(SCREENSHOTS, { recursive: true });
  return {
    appUrl,
    server,
    receiver,
    page,
    consoleErrors,
    consoleMessages,
    async stop() {
      await context.close();
      await ownBrowser?.close();
      server.closeAllConnections();
      server.close();
      receiver.stop();
    },
  };
}

/**
 * For a test file: each test starts from nothing (see `startApp`), in one browser shared by the file,
 * so no test depends on what an earlier one left and each passes when run alone. Returns the object
 * the tests read (`app.page`, `app.receiver`, ...): before each test it holds that test's app.
 */
export function freshAppForEachTest() {
  const app = {};
  let browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    Object.assign(app, await startApp({ browser }));
  });
  afterEach(async () => {
    await app.stop();
  });
  return app;
}

/** Opens the app and waits until Yew has rendered its navigation. */
export async function openApp(page, appUrl, hash = "") {
  await page.goto(appUrl + "/" + hash);
  await page.locator(".wa-nav-link").first().waitFor();
}

/** Resolves once `check` (polled) holds; fails after 20 s saying what did not happen. */
export async function until(what, check) {
  const deadline = Date.now() + 20_000;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Whether this page's outbox is empty: nothing is left to deliver. */
export function outboxEmpty(page) {
  return page.evaluate(() => new Promise((resolve, reject) => {
    const open = indexedDB.open("webhook-automations");
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const count = open.result.transaction("outbox").objectStore("outbox").count();
      count.onsuccess = () => { open.result.close(); resolve(count.result === 0); };
      count.onerror = () => reject(count.error);
    };
  }));
}

/**
 * The configuration many tests share: the webhook "ERP" (`wh_erp`, no authentication unless `auth`)
 * and the automation "Stage changes to the ERP", which sends each deal's stage change as
 * `PUT /orders/{{deal.id}}` with `template` as its raw body.
 */
export function stageChangeConfig(baseUrl, {
  template = '{"title": "{{deal.title}}", "stage": {{deal.stage}}, "by": "{{event.user.name}}"}',
  auth = { type: "none" }, timeoutMs = 10_000, maxAttempts = 3,
} = {}) {
  return {
    format: "webhook-automations/config",
    version: 1,
    webhooks: [{
      id: "wh_erp", name: "ERP", base_url: baseUrl, auth, headers: [], signed: false, timeout_ms: timeoutMs,
      retry: { max_attempts: maxAttempts, initial_backoff_ms: 100, max_backoff_ms: 5_000 },
    }],
    automations: [{
      id: "auto_stage", name: "Stage changes to the ERP", enabled: true,
      trigger: { entity: "deal", action: "updated" },
      conditions: { match: "all", items: [{ field: "deal.stage", operator: "has_changed" }] },
      actions: [{
        webhook_id: "wh_erp", method: "PUT", path: "/orders/{{deal.id}}",
        body: { mode: "raw", template },
      }],
    }],
  };
}
