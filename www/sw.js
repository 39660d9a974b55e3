// Offline support for the standalone app (release builds only; see index.html). The app shell —
// page, script, WebAssembly, stylesheet — is served network-first and kept in a cache, so the
// builder, validation and the history still open when the server is gone. Nothing else is touched:
// webhook requests go to other origins and never pass through here.
const CACHE = "webhook-automations-shell-v1";
const SHELL = ["./", "index.html", "styles.css", "webhook-automations.js", "webhook-automations_bg.wasm"];

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
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  event.respondWith(
    fetch(request)
      .then((response) => {
        // The newest build wins whenever the server answers; the cache is only the fallback.
        if (response.ok) {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put(request, copy));
        }
        return response;
      })
      .catch(async () => {
        const cached = await caches.match(request, { ignoreSearch: true });
        if (cached) return cached;
        if (request.mode === "navigate") return caches.match("index.html");
        return Response.error();
      }),
  );
});
