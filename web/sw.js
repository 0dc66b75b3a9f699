// sw.js: the service worker that lets the hosted site work with the
// network off. On install it keeps this version's files (the list below,
// written by scripts/build-site) in a cache named after the version; it
// answers requests for those files from the cache (the page itself from
// the network first, the cache when there is none), and lets every other
// request through untouched: DNS-over-HTTPS queries, the companion's API
// and its health check are never cached. A new version is a new sw.js
// (its version differs), so the browser installs it, and on activation it
// deletes the caches of older versions.

const BUILD = { version: "dev", assets: [] }; // written by scripts/build-site

const CACHE = "headerlens-" + BUILD.version;
const PREFIX = "headerlens-";

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE)
    // "no-cache": revalidated with the server, so the copy is this
    // version's, but taken from the HTTP cache when unchanged (the page
    // registers the worker after loading the module, which is then there).
    .then((cache) => cache.addAll(BUILD.assets.map((a) => new Request(a, { cache: "no-cache" }))))
    .then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith(PREFIX) && k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

// asset returns the file name of url relative to the worker's scope when it
// is one of this version's files ("" is the page itself), or null.
function asset(url) {
  const scope = new URL(self.registration.scope);
  if (url.origin !== scope.origin || !url.pathname.startsWith(scope.pathname)) return null;
  const rel = url.pathname.slice(scope.pathname.length);
  return rel === "" || BUILD.assets.includes(rel) ? rel : null;
}

self.addEventListener("fetch", (event) => {
  const req = event.request;
  if (req.method !== "GET" || req.headers.has("Range")) return;
  const rel = asset(new URL(req.url));
  if (rel === null) return;
  // The page's address may carry settings (?doh=…): the cached page is the
  // same file whatever the query.
  const key = rel === "" ? "./" : rel;
  if (rel === "" || rel === "index.html") {
    // The page itself: from the network when it answers, so that its
    // headers (the Content-Security-Policy, which follows the server's
    // configuration) stay current; from the cache without a network.
    event.respondWith(fetch(req).then((resp) => {
      if (resp.ok) {
        const copy = resp.clone();
        event.waitUntil(caches.open(CACHE).then((cache) => cache.put(key, copy)));
      }
      return resp;
    }, () => caches.open(CACHE).then((cache) => cache.match(key, { ignoreSearch: true })).then((hit) => hit || Response.error())));
    return;
  }
  event.respondWith(caches.open(CACHE)
    .then((cache) => cache.match(key, { ignoreSearch: true }))
    .then((hit) => hit || fetch(req)));
});
