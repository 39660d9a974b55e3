// Offline support for the standalone app (release builds only; see index.html). The app shell —
// page, script, WebAssembly, stylesheet — is served network-first and kept in a cache, so the
// builder, validation and the history still open when the server is gone.
//
// Only the shell's own files are ever touched. Served from a CRM's origin, this worker shares the
// origin with the CRM's pages and API: any other request (an API answer, another page, a webhook
// request) passes by untouched and is never cached, so no CRM data lands in this cache.
const CACHE = "webhook-automations-shell-v2";
const SHELL = ["./", "index.html", "styles.css", "webhook-automations.js", "webhook-automations_bg.wasm"];
const SHELL_URLS = new Set(SHELL.map((path) => new URL(path, self.registration.scope).href));
const PAGE = new URL("index.html", self.registration.scope).href;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
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
        if (response.ok) {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put(shellUrl, copy));
        }
        return response;
      })
      .catch(async () => {
        const cached = await caches.match(shellUrl);
        if (cached) return cached;
        if (request.mode === "navigate") return (await caches.match(PAGE)) ?? Response.error();
        return Response.error();
      }),
  );
});
