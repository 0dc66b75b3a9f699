// net.js: the only module of the page that calls fetch. Every request the
// page itself makes goes through Net.fetch and is written to its log with
// what it carried; the DNS-over-HTTPS queries, which the analyzer makes
// from WebAssembly, are added from the resolver's own query log (the
// report's dns list) by Net.addQueries. The network log panel shows both.

// Net is one instance's request log and its fetch.
export class Net {
  constructor() {
    this.entries = [];
    this.listeners = new Set();
  }

  // fetch performs a request without a referrer and logs it. meta: {kind,
  // what} says why it was made. Only the page's own files (kind "asset")
  // are fetched in the same credentials mode as a <link rel=preload
  // crossorigin> of them, so that the preloaded copy is used; every other
  // request carries no credentials at all.
  fetch(url, init = {}, meta = {}) {
    const entry = {
      time: new Date(),
      kind: meta.kind || "other",
      what: meta.what || "",
      method: init.method || "GET",
      url: String(url),
      status: "pending",
    };
    this.record(entry);
    const credentials = entry.kind === "asset" ? "same-origin" : "omit";
    return fetch(url, { credentials, referrerPolicy: "no-referrer", ...init }).then((resp) => {
      entry.status = resp.status;
      this.changed();
      return resp;
    }, (e) => {
      entry.status = "failed";
      entry.error = e && e.message ? e.message : String(e);
      this.changed();
      throw e;
    });
  }

  // addQueries logs the DNS queries of one analysis (report.dns): the
  // question each carried and the resolver it went to. Answers served from
  // the analyzer's cache made no request and are marked so.
  addQueries(dns) {
    for (const q of Array.isArray(dns) ? dns : []) {
      if (!q || typeof q !== "object") continue;
      this.entries.push({
        time: new Date(),
        kind: "dns",
        what: String(q.type || "") + " " + String(q.name || ""),
        method: q.cached ? "cache" : "GET",
        url: q.cached ? "" : String(q.endpoint || ""),
        status: q.error ? "failed" : String(q.rcode || "ok"),
      });
    }
    this.changed();
  }

  record(entry) {
    this.entries.push(entry);
    this.changed();
  }

  // subscribe calls fn whenever the log changes; it returns the function
  // that unsubscribes.
  subscribe(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  changed() {
    for (const fn of this.listeners) fn(this.entries);
  }
}
