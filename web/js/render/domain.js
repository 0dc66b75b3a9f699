// render/domain.js: the report of a domain check (headerlens.checkDomain,
// docs/report.md "Domain check"): the overall summary a help desk reads
// first, then one card per check with its status, what was found and its
// findings. Unknown fields are rendered generically.

import { el, token, present } from "../dom.js";
import { generic, section } from "./generic.js";
import { findingList } from "./verdict.js";

// The checks, in the order a reader wants them, with their titles and what
// each looks at.
const CHECKS = [
  ["mx", "Mail servers (MX)", "Where mail for the domain goes (RFC 5321 §5.1); a null MX (RFC 7505) says the domain takes no mail."],
  ["spf", "SPF", "Which servers may send mail for the domain (RFC 7208), with every include counted against the limit of 10 DNS lookups."],
  ["dmarc", "DMARC", "What receivers should do with mail that fails SPF and DKIM alignment, and where reports go (RFC 7489, RFC 9989)."],
  ["dkim", "DKIM keys", "Public keys found at the selectors tried (RFC 6376 §3.6); a domain's selectors cannot be listed, only guessed."],
  ["mtaSts", "MTA-STS", "Whether sending servers must use verified TLS to reach the domain (RFC 8461)."],
  ["tlsRpt", "TLS-RPT", "Where reports of TLS failures go (RFC 8460)."],
  ["bimi", "BIMI", "The brand logo shown beside authenticated mail; it requires DMARC at enforcement."],
  ["dane", "DANE", "TLSA records that pin the mail servers' certificates, usable only when DNSSEC-signed (RFC 7672)."],
  ["starttls", "STARTTLS", "Each mail server's TLS, checked by the companion (RFC 3207)."],
];

// STATUS_WORDS says what each status means.
const STATUS_WORDS = { ok: "ok", warning: "warning", error: "error", missing: "missing", "not-checked": "not checked" };

// statusBadge is a status with a symbol, so that it never rests on colour.
export function statusBadge(status) {
  const s = String(status || "unknown");
  const mark = { ok: "✓", warning: "!", error: "✗", missing: "–", "not-checked": "–" }[s] || "•";
  const cls = { ok: "ok", warning: "warning", error: "error" }[s] || "none";
  return el("span", { class: "badge b-" + cls }, el("span", { class: "mark", "aria-hidden": "true" }, mark), " " + (STATUS_WORDS[s] || s));
}

// renderDomainReport returns the domain report's sections as a fragment.
export function renderDomainReport(report) {
  if (!report || typeof report !== "object") throw new Error("the domain check returned no report");
  const frag = document.createDocumentFragment();
  frag.append(renderOverview(report));
  const handled = new Set(["domain", "summary", "checks", "version", "elapsedMs", "dns"]);
  // The checks are the report's own fields (docs/report.md, "Domain check").
  const checks = report.checks && typeof report.checks === "object" ? report.checks : report;
  for (const [key, title, intro] of CHECKS) {
    const c = checks[key];
    handled.add(key);
    if (!c || typeof c !== "object") continue;
    frag.append(checkCard(key, title, intro, c));
  }
  for (const k of Object.keys(checks)) {
    if (handled.has(k) || !present(checks[k])) continue;
    frag.append(section("dc-" + k, generic(checks[k], k, 0)));
  }
  if (Array.isArray(report.dns) && report.dns.length) frag.append(section("dc-dns", generic(report.dns, "dns", 0), report.dns.length));
  const meta = {};
  for (const k of ["domain", "version", "elapsedMs"]) if (present(report[k])) meta[k] = report[k];
  if (present(meta)) frag.append(section("dc-about", generic(meta, "", 0)));
  return frag;
}

// renderOverview is the five-second summary: the verdict sentence and one
// row per check with its status.
function renderOverview(report) {
  const s = report.summary && typeof report.summary === "object" ? report.summary : {};
  const checks = report.checks && typeof report.checks === "object" ? report.checks : report;
  const rows = CHECKS.filter(([key]) => checks[key] && typeof checks[key] === "object").map(([key, title]) =>
    el("li", { class: "dc-row dc-" + token(checks[key].status || "unknown"), "data-check": key },
      el("span", { class: "v-name" }, title), " ", statusBadge(checks[key].status),
      checks[key].reason ? el("span", { class: "v-detail" }, " " + String(checks[key].reason)) : null));
  const head = [];
  if (s.verdict || s.headline || s.text) head.push(el("p", { class: "dc-verdict" }, el("strong", null, String(s.verdict || s.headline || s.text))));
  const points = Array.isArray(s.points) ? s.points : Array.isArray(s.items) ? s.items : [];
  if (points.length) head.push(el("ul", { class: "dc-points" }, points.map((p) => el("li", null, typeof p === "object" ? String(p.message || p.text || JSON.stringify(p)) : String(p)))));
  return el("section", { class: "report-section verdict-section dc-overview", "aria-labelledby": "s-domain-verdict" },
    el("h2", { id: "s-domain-verdict" }, "Domain check: ", el("code", { class: "raw" }, String(report.domain || ""))),
    head, el("ul", { class: "dc-rows" }, rows));
}

function checkCard(key, title, intro, c) {
  const parts = [el("p", { class: "check-head" }, statusBadge(c.status), c.reason ? " " + String(c.reason) : null)];
  if (Array.isArray(c.records) && c.records.length) {
    parts.push(el("h3", null, c.records.length === 1 ? "Record" : "Records"),
      el("ul", { class: "plain dc-records" }, c.records.map((r) => el("li", null, el("code", { class: "raw" }, String(r))))));
  }
  const f = findingList(c.findings);
  if (f) parts.push(el("h3", null, "Findings"), f);
  const rest = {};
  for (const [k, v] of Object.entries(c)) {
    if (["status", "reason", "records", "findings"].includes(k)) continue;
    if (present(v) || v === false || v === 0) rest[k] = v;
  }
  if (present(rest)) parts.push(el("details", { class: "fold" }, el("summary", null, "Details"), generic(rest, key, 1)));
  const sec = section("dc-" + key, el("div", { class: "dc-check" }, parts));
  // The section's title is the check's, its intro what the check looks at.
  sec.querySelector("h2").firstChild.textContent = title;
  sec.querySelector(".section-body").prepend(el("p", { class: "intro" }, intro));
  return sec;
}
