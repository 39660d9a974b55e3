// Typing into a 100 KB raw body in headless Chromium, beside a bare <textarea> holding the same text,
// in the same run and browser. A benchmark, not a test: it prints, never asserts.
//
// Keystrokes one at a time (the next once the page is idle again), each timed from its keydown to the
// end of the frame that shows it: the typed text in the overlay (a bare textarea: in the textarea),
// and the diagnostics list matching the text. Half the keystrokes type letters into a string, half
// alternately open and close an escape (`\` breaks the string, `n` mends it), so the diagnostics change
// with every one of them. Also timed: the page's own `input` handling (for the editor, its keystroke
// work; for a bare textarea, none). Then a burst: characters typed as fast as the browser takes them.
// Usage: node scripts/bench-typing.mjs [KEYSTROKES] [BURST]
//        (after `trunk build --release` and `cargo build -p webhook-receiver`)
import { startApp } from "../tests/e2e/harness.mjs";
import { TYPING_SPOT, largeBody } from "../tests/e2e/large-body.mjs";

const KEYSTROKES = Number(process.argv[2] ?? 100);
const BURST = Number(process.argv[3] ?? 500);
const BODY_BYTES = 100 * 1024;
const LETTERS = "Typing into a large body stays smooth 0123456789 ";

/** The keystrokes and, for each, the errors the body then has (null: letters change none). */
function keystrokes(count) {
  const letters = Math.ceil(count / 2);
  const keys = [];
  for (let index = 0; index < count; index += 1) {
    if (index < letters) keys.push({ key: LETTERS[index % LETTERS.length], errors: null });
    else keys.push((index - letters) % 2 === 0 ? { key: "\\", errors: 1 } : { key: "n", errors: 0 });
  }
  return keys;
}

/**
 * Installs the probe in the page: `arm(expected, errors)` starts timing at the next keydown and
 * resolves `window.__typing.result` once the frames show `expected` in the typed line (and `errors`
 * errors, unless null). `kind` says where the page shows the text: "app" or "bare".
 */
function installProbe(kind) {
  const painted = (expected) =>
    kind === "app"
      ? document.querySelector(".wa-code-lines").textContent.includes(expected)
      : document.querySelector("textarea").value.includes(expected);
  const errorCount = () => document.querySelectorAll(".wa-diagnostic.is-error").length;
  // A task posted from a frame's animation callback runs once that frame is rendered.
  const afterThisFrame = () =>
    new Promise((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => resolve(performance.now());
      channel.port2.postMessage(null);
    });
  window.__typing = {
    longTasks: [],
    arm(expected, errors) {
      this.result = new Promise((resolve) => {
        addEventListener(
          "keydown",
          (event) => {
            const start = event.timeStamp;
            // Window listeners: the capturing one runs before the page's own, the bubbling one after.
            let inputStart = null;
            let inputEnd = null;
            let firstFrame = null;
            addEventListener("input", () => (inputStart = performance.now()), { capture: true, once: true });
            addEventListener("input", () => (inputEnd = performance.now()), { once: true });
            let paintedAt = null;
            let diagnosedAt = errors === null ? 0 : null;
            const frame = () => {
              firstFrame ??= performance.now();
              if (paintedAt === null && painted(expected)) paintedAt = afterThisFrame();
              if (diagnosedAt === null && errorCount() === errors) diagnosedAt = afterThisFrame();
              if (paintedAt === null || diagnosedAt === null) {
                requestAnimationFrame(frame);
                return;
              }
              Promise.all([paintedAt, diagnosedAt]).then(([shown, diagnosed]) =>
                resolve({
                  painted: shown - start,
                  diagnosed: errors === null ? null : diagnosed - start,
                  handled: inputEnd - inputStart,
                  // Nothing to do but wait for the display's next frame (60 Hz: up to 16.7 ms).
                  frameWait: Math.max(0, firstFrame - inputEnd),
                }),
              );
            };
            requestAnimationFrame(frame);
          },
          { capture: true, once: true },
        );
      });
    },
    watchLongTasks() {
      this.longTasks = [];
      new PerformanceObserver((list) => this.longTasks.push(...list.getEntries().map((entry) => entry.duration))).observe({
        type: "longtask",
      });
    },
  };
}

const idle = (page) => page.evaluate(() => new Promise((resolve) => requestIdleCallback(resolve, { timeout: 5000 })));

/** Types `keys` one at a time into the focused text of `page`; each keystroke's timings. */
async function typeOneByOne(page, keys, typedBefore) {
  let typed = typedBefore;
  const timings = [];
  await page.evaluate(() => window.__typing.watchLongTasks());
  for (const { key, errors } of keys) {
    typed += key;
    await page.evaluate(([expected, errors]) => window.__typing.arm(expected, errors), [TYPING_SPOT + typed, errors]);
    await page.keyboard.type(key);
    timings.push(await page.evaluate(() => window.__typing.result));
    await idle(page);
    if (timings.length % 20 === 0) process.stderr.write(`${timings.length} keystrokes\n`);
  }
  const longTasks = await page.evaluate(() => window.__typing.longTasks);
  return { timings, longTasks, typed };
}

/** Types `text` as fast as the browser takes it; the time until the page is idle again, and long tasks. */
async function typeBurst(page, text) {
  await page.evaluate(() => window.__typing.watchLongTasks());
  const started = Date.now();
  await page.keyboard.type(text);
  await idle(page);
  const elapsed = Date.now() - started;
  return { elapsed, longTasks: await page.evaluate(() => window.__typing.longTasks) };
}

async function placeCaret(page, selector, body) {
  const at = body.indexOf(TYPING_SPOT) + TYPING_SPOT.length;
  await page.locator(selector).evaluate((area, at) => {
    area.focus();
    area.setSelectionRange(at, at);
  }, at);
}

const sorted = (values) => [...values].sort((a, b) => a - b);
const median = (values) => sorted(values)[Math.floor(values.length / 2)];
const worst = (values) => Math.max(...values);
const ms = (value) => `${value.toFixed(1)} ms`;
const longTaskText = ({ longTasks }) =>
  longTasks.length === 0 ? "no task over 50 ms" : `${longTasks.length} tasks over 50 ms, longest ${ms(worst(longTasks))}`;

const body = largeBody(BODY_BYTES);
const keys = keystrokes(KEYSTROKES);
const burst = LETTERS.repeat(Math.ceil(BURST / LETTERS.length)).slice(0, BURST);
const app = await startApp();
try {
  const { page } = app;
  // The bare textarea: the same text, font and size as the editor, nothing listening.
  const barePage = await page.context().newPage();
  await barePage.setContent(
    `<textarea wrap="off" spellcheck="false" style="width: 900px; height: 500px; font: 13px/20px monospace; white-space: pre"></textarea>`,
  );
  await barePage.locator("textarea").fill(body);
  await barePage.evaluate(installProbe, "bare");
  await placeCaret(barePage, "textarea", body);
  // Nothing there diagnoses anything: only when the text shows is timed.
  const bare = await typeOneByOne(barePage, keys.map(({ key }) => ({ key, errors: null })), "");
  const bareBurst = await typeBurst(barePage, burst);
  await barePage.close();

  await page.goto(`${app.appUrl}/#/webhooks`);
  await page.locator(".wa-nav-link").first().waitFor();
  await page.evaluate((url) => {
    window.webhookAutomations.setConfig({
      format: "webhook-automations/config", version: 1,
      webhooks: [{ id: "wh_bench", name: "Bench", base_url: url, auth: { type: "none" }, headers: [], signed: false,
        timeout_ms: 10000, retry: { max_attempts: 1, initial_backoff_ms: 100, max_backoff_ms: 1000 } }],
      automations: [],
    });
  }, app.receiver.url);
  await page.locator("tr", { hasText: "Bench" }).waitFor();
  await page.locator(".wa-nav-link[data-section=automations]").click();
  await page.getByRole("button", { name: "New automation" }).click();
  await page.getByRole("tab", { name: "Raw" }).click();
  await page.locator("#auto-action-1-raw").fill(body);
  // The editor has handed the body to the form once the preview renders it.
  await page.locator(".wa-preview-body", { hasText: '"line": 0,' }).waitFor();
  await page.evaluate(installProbe, "app");
  await placeCaret(page, "#auto-action-1-raw", body);
  await idle(page);
  const editor = await typeOneByOne(page, keys, "");
  const editorBurst = await typeBurst(page, burst);
  const at = body.indexOf(TYPING_SPOT) + TYPING_SPOT.length;
  const exact = (await page.locator("#auto-action-1-raw").inputValue()) === body.slice(0, at) + editor.typed + burst + body.slice(at);

  const painted = editor.timings.map((timing) => timing.painted);
  const handled = editor.timings.map((timing) => timing.handled);
  const frameWait = editor.timings.map((timing) => timing.frameWait);
  const bareFrameWait = bare.timings.map((timing) => timing.frameWait);
  const barePainted = bare.timings.map((timing) => timing.painted);
  const diagnosed = editor.timings.filter((timing) => timing.diagnosed !== null).map((timing) => timing.diagnosed);
  if (!exact) console.log("typing: WARNING: the editor's text is not exactly what was typed");
  const kib = (body.length / 1024).toFixed(0);
  console.log(`typing: ${kib} KiB raw body, ${KEYSTROKES} keystrokes one at a time, release build (cargo profile wasm-release)`);
  console.log(`typing: keydown → typed text painted: median ${ms(median(painted))}, worst ${ms(worst(painted))} (goal ≤ 5 ms median)` +
    ` — bare <textarea>: median ${ms(median(barePainted))}, worst ${ms(worst(barePainted))}`);
  console.log(`typing: of which the editor's own input handling: median ${ms(median(handled))}, worst ${ms(worst(handled))};` +
    ` waiting for the display's next frame: median ${ms(median(frameWait))} (bare <textarea>: ${ms(median(bareFrameWait))})`);
  console.log(`typing: keydown → diagnostics updated: median ${ms(median(diagnosed))}, worst ${ms(worst(diagnosed))} (goal ≤ 50 ms; ${diagnosed.length} keystrokes that change them)`);
  console.log(`typing: while typing one at a time: editor ${longTaskText(editor)}; bare <textarea> ${longTaskText(bare)}`);
  console.log(`typing: ${BURST} characters as fast as the browser takes them: editor ${(editorBurst.elapsed / 1000).toFixed(1)} s, ${longTaskText(editorBurst)};` +
    ` bare <textarea> ${(bareBurst.elapsed / 1000).toFixed(1)} s, ${longTaskText(bareBurst)}`);
  console.log(`ratio typing: keydown → painted takes ${(median(painted) / median(barePainted)).toFixed(1)}× a bare <textarea>'s (median), ` +
    `keydown → diagnostics ${(median(diagnosed) / median(barePainted)).toFixed(1)}×; the burst ${(editorBurst.elapsed / bareBurst.elapsed).toFixed(1)}× as long`);
} finally {
  await app.stop();
}
