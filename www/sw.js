// Offline support for the standalone app (release builds only; see index.html). The app shell —
// page, scripts, both WebAssembly modules (the app's and the delivery runtime's), stylesheet — is served network-first and kept in a cache, so the
// builder, validation and the history still open when the server is gone.
//
// Only the shell's own files are ever touched. Served from a CRM's origin, this worker shares the
// origin with the CRM's pages and API: any other request (an API answer, another page, a webhook
// request) passes by untouched and is never cached, so no CRM data lands in this cache. The scope's
// root ("./") is kept only while it serves the app's own page: at a CRM's origin root it is the CRM's
// home page, which must never be cached here.
const CACHE = "webhook-automations-shell-v4";
const FILES = [
  "index.html", "styles.css", "webhook-automations.js", "webhook-automations_bg.wasm",
  "webhook-automations-runtime.js", "webhook-automations-runtime_bg.wasm",
];
const PAGE = new URL("index.html", self.registration.scope).href;
const ROOT = new URL("./", self.registration.scope).href;
const SHELL_URLS = new Set([ROOT, ...FILES.map((path) => new URL(path, self.registration.scope).href)]);

/** Caches `response` for `url`; the root only when it is the app's page, byte for byte. */
async function keep(url, response) {
  const cache = await caches.open(CACHE);
  if (url === ROOT) {
    const page = await cache.match(PAGE);
    if (!page || (await page.text()) !== (await response.clone().text())) return;
  }
  await cache.put(url, response);
}

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await cache.addAll(FILES);
    const root = await fetch(ROOT).catch(() => null);
    if (root?.ok) await keep(ROOT, root);
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((name) => name !== CACHE).map((name) => caches.delete(name))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  const shellUrl = url.origin + url.pathname;
  if (!SHELL_URLS.has(shellUrl)) return;
  event.respondWith(
    fetch(request)
      .then((response) => {
        // The newest build wins whenever the server answers; the cache is only the fallback.
        if (response.ok) event.waitUntil(keep(shellUrl, response.clone()));
        return response;
      })
      .catch(async () => (await caches.match(shellUrl)) ?? Response.error()),
  );
});
