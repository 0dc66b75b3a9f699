// render/netlog.js: the network log panel, the page's proof of privacy.

import { el, mono, tag, grid } from "../dom.js";
import { section } from "./generic.js";

const KIND = { asset: "page file", dns: "DNS query", companion: "companion", other: "other" };

// renderNetLog renders the requests logged so far, newest last.
export function renderNetLog(entries) {
  const sent = entries.filter((e) => e.method !== "cache").length;
  const rows = entries.map((e, i) => [String(i + 1), KIND[e.kind] || e.kind, e.what || "",
    e.method === "cache" ? tag("answered from cache: no request") : el("span", null, e.method + " ", e.url ? mono(e.url) : null),
    String(e.status)]);
  const body = entries.length
    ? grid("Requests made by this page", ["#", "Kind", "What it carried", "Request", "Status"], rows, "netlog")
    : el("p", { class: "explain" }, "No request has been made.");
  return section("network", el("div", null, body,
    el("p", { class: "hint" }, sent + " request" + (sent === 1 ? "" : "s") + " since the page was opened. The page's own files are fetched from the site that serves it.")), entries.length);
}
