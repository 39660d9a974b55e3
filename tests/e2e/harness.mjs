// Shared set-up for the end-to-end tests: the release build served on loopback, a real
// webhook-receiver, and Debian's Chromium driven by playwright-core.
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createInterface } from "node:readline";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
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
  const binary = process.env.RECEIVER_BIN ?? join(ROOT, "target", "debug", "webhook-receiver");
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

/** Everything a test needs: app URL, receiver, a fresh browser page, and the page's console errors. */
export async function startApp() {
  // APP_DIST serves another build (e.g. a worktree's) than ROOT/dist.
  const receiver = await startReceiver();
  // Host pages written for the tests are served at the app's origin, under /test-fixtures/.
  const { server, url: appUrl } = await startStaticServer(process.env.APP_DIST ?? join(ROOT, "dist"), 0, "127.0.0.1", {
    "/test-fixtures/": join(ROOT, "tests", "e2e", "fixtures"),
  });
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_FLAGS });
  // An explicit context, so a test can open a second tab of the same browser profile.
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
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
      await browser.close();
      server.close();
      receiver.stop();
    },
  };
}

/** Opens the app and waits until Yew has rendered its navigation. */
export async function openApp(page, appUrl, hash = "") {
  await page.goto(appUrl + "/" + hash);
  await page.locator(".wa-nav-link").first().waitFor();
}
