// Serves the built app (dist/) on loopback for `make run` and the end-to-end tests.
// Usage: node scripts/serve-static.mjs DIR PORT   (PORT 0 picks a free one)
// Prints one line "static server listening on http://127.0.0.1:PORT" once it accepts connections.
import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, resolve, sep } from "node:path";

const CONTENT_TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".webmanifest": "application/manifest+json",
};

/**
 * Serves `root` on `host:port`. `mounts` maps a URL prefix ("/test-fixtures/") to another folder,
 * so the end-to-end tests can add host pages of their own beside the built app, at its origin.
 */
export function startStaticServer(root, port = 0, host = "127.0.0.1", mounts = {}) {
  const server = createServer(async (req, res) => {
    try {
      let pathname = decodeURIComponent(new URL(req.url, "http://localhost").pathname);
      let base = resolve(root);
      const prefix = Object.keys(mounts).find((candidate) => pathname.startsWith(candidate));
      if (prefix) {
        base = resolve(mounts[prefix]);
        pathname = "/" + pathname.slice(prefix.length);
      }
      const file = normalize(join(base, pathname.endsWith("/") ? pathname + "index.html" : pathname));
      if (file !== base && !file.startsWith(base + sep)) {
        res.writeHead(403).end("outside the served folder");
        return;
      }
      const info = await stat(file).catch(() => null);
      if (!info || !info.isFile()) {
        res.writeHead(404, { "content-type": "text/plain" }).end("not found");
        return;
      }
      res.writeHead(200, {
        "content-type": CONTENT_TYPES[extname(file)] ?? "application/octet-stream",
        "cache-control": "no-cache",
      });
      res.end(await readFile(file));
    } catch (error) {
      res.writeHead(400, { "content-type": "text/plain" }).end(String(error));
    }
  });
  return new Promise((resolveListening, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const { port: bound } = server.address();
      resolveListening({ server, url: `http://${host}:${bound}` });
    });
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [dir = "dist", port = "8080"] = process.argv.slice(2);
  const { url } = await startStaticServer(dir, Number(port));
  console.log(`static server listening on ${url}`);
}
