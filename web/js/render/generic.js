// render/generic.js: renders any report value (objects as description
// lists, arrays of objects as tables), and the folding section frame every
// part of the report sits in. New report fields show up through it without
// a page change.

import { el, token, present, label, badge } from "../dom.js";

// Result words that get a coloured badge (RFC 8601 §2.7 result values and
// the finding severities).
const RESULT_WORDS = new Set(["pass", "fail", "softfail", "neutral", "none", "temperror", "permerror",
  "policy", "hardfail", "bestguesspass", "info", "warning", "warn", "error", "critical", "ok", "good", "bad", "unknown", "missing"]);
const RESULT_KEYS = new Set(["result", "verdict", "status", "severity", "disposition"]);

// scalar renders a string, number or boolean.
function scalar(v, key) {
  if (typeof v === "boolean") return v ? "yes" : "no";
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : v.toFixed(1);
  const s = String(v);
  if (key && RESULT_KEYS.has(key) && RESULT_WORDS.has(s.toLowerCase())) return badge(s);
  return s;
}

// Long detail (evaluation traces, raw records) starts folded.
const FOLD_KEYS = new Set(["findings", "trace", "walk", "tags", "signedHeaders", "unprotected", "sets", "keyRecord", "orgDomains", "lint", "fields", "properties", "authResults", "alignment", "dateIssues"]);

// explanation keys are shown as a paragraph under their object.
const EXPLAIN_KEYS = ["explanation", "explain", "description", "detail", "details", "why"];

// generic renders any JSON value: objects as description lists, arrays of
// objects as tables, other arrays as lists. Depth is bounded.
export function generic(v, key, depth = 0) {
  if (!present(v) && v !== false && v !== 0) return null;
  if (typeof v !== "object") return scalar(v, key);
  if (depth > 6) return el("code", null, JSON.stringify(v));
  if (Array.isArray(v)) {
    if (v.every((x) => x === null || typeof x !== "object")) {
      if (v.length === 1) return scalar(v[0], key);
      return el("ul", { class: "plain" }, v.map((x) => el("li", null, scalar(x, key))));
    }
    // Tables inside tables are unreadable: nested rows become lists.
    if (depth < 2 && v.every((x) => x && typeof x === "object" && !Array.isArray(x))) return table(v, depth);
    return el("ol", { class: "plain" }, v.map((x) => el("li", null, generic(x, key, depth + 1))));
  }
  return dl(v, depth);
}

function dl(obj, depth = 0) {
  const list = el("dl", { class: "kv" });
  const notes = [];
  for (const [k, v] of Object.entries(obj)) {
    if (!present(v) && v !== false && v !== 0) continue;
    if (EXPLAIN_KEYS.includes(k) && typeof v === "string") { notes.push(v); continue; }
    const rendered = generic(v, k, depth + 1);
    list.append(el("dt", null, label(k)), el("dd", null, FOLD_KEYS.has(k) && typeof v === "object"
      ? el("details", { class: "fold" }, el("summary", null, "Show" + (Array.isArray(v) ? " " + v.length : "")), rendered)
      : rendered));
  }
  if (!notes.length) return list;
  return el("div", null, list, notes.map((n) => el("p", { class: "explain" }, n)));
}

// columns lists the keys of rows in first-seen order, dropping keys that are
// empty in every row.
function columns(rows) {
  const seen = [];
  for (const r of rows) for (const k of Object.keys(r)) if (!seen.includes(k)) seen.push(k);
  return seen.filter((k) => rows.some((r) => present(r[k]) || r[k] === false || r[k] === 0));
}

// pick orders the columns: preferred ones first, then the rest, without the
// hidden ones.
export function pick(rows, prefer, hide) {
  const all = columns(rows);
  return prefer.filter((c) => all.includes(c)).concat(all.filter((c) => !prefer.includes(c) && !hide.includes(c)));
}

// table renders rows of objects; opts: {columns, number, caption}.
export function table(rows, depth = 0, opts = {}) {
  const cols = opts.columns || columns(rows);
  const head = el("tr", null, (opts.number ? [el("th", { scope: "col" }, "#")] : []).concat(
    cols.map((c) => el("th", { scope: "col" }, label(c)))));
  const body = rows.map((r, i) => el("tr", null,
    opts.number ? el("td", { class: "num" }, String(i + 1)) : null,
    cols.map((c) => el("td", { class: "c-" + token(c) }, generic(r[c], c, depth + 1)))));
  return el("div", { class: "table-scroll", tabindex: 0, role: "region", "aria-label": opts.caption || "table" },
    el("table", null, opts.caption ? el("caption", null, opts.caption) : null, el("thead", null, head), el("tbody", null, body)));
}

const SECTION_INFO = {
  summary: ["Summary", "Who the message says it is from and to, as written in its header fields. Any of these can be forged; the sections below say what can be verified."],
  findings: ["Findings", "What stands out, most serious first."],
  hops: ["Received trail", "The servers the message passed through, oldest first, from its Received: fields. Each server adds its field on top, so only the hops after the trust boundary, added by the receiving organization, are trustworthy."],
  spf: ["SPF", "Checked now (RFC 7208): may the connecting server send mail for the envelope sender's domain?"],
  dkim: ["DKIM", "Each DKIM-Signature (RFC 6376) verified now against the key published in DNS today. Keys may have been rotated since the message was sent."],
  dmarc: ["DMARC", "Checked now (RFC 7489, RFC 9989): does SPF or DKIM pass for a domain aligned with the From domain, and what policy does that domain publish?"],
  arc: ["ARC", "The Authenticated Received Chain (RFC 8617): what intermediaries (mailing lists, forwarders) recorded and sealed."],
  live: ["Live checks", "Checked now, against today's DNS records."],
  recorded: ["Recorded verdicts", "What the receiving servers wrote down when the message arrived (Authentication-Results, ARC-Authentication-Results, Received-SPF), beside the live result. Only the verdicts marked trusted were written by the receiving organization; the others could have been written by the sender."],
  vendor: ["Anti-spam headers", "What mail filters wrote into the message, decoded. Codes that are not documented are shown as written and marked."],
  dns: ["DNS queries", "Every DNS question the analysis asked, and where it was sent."],
  headers: ["Header fields", "The header fields as they appear in the message."],
  notes: ["Notes", "How the input was repaired before the analysis."],
  errors: ["Problems during the analysis", null],
  companion: ["Transport security", "Checked by the companion server, which receives only domain names: the domain's MX hosts with STARTTLS and their certificates, MTA-STS (RFC 8461), TLS-RPT (RFC 8460) and DANE (RFC 7672)."],
  network: ["Network log", "Every request this page made since it was opened, and what each one carried. The message itself is never sent: DNS queries carry one domain name each, companion calls one domain name."],
  share: ["Share", null],
  about: ["About this analysis", null],
  "dc-dns": ["DNS queries", null],
  "dc-about": ["About this check", null],
};

const COLLAPSED = new Set(["dns", "headers", "about", "network"]);

// section wraps a report part in details/summary so that long ones can be
// folded (all are open except the COLLAPSED ones; printing opens them all).
export function section(key, content, count) {
  const [title, intro] = SECTION_INFO[key] || [label(key), null];
  const id = "s-" + token(key);
  const heading = el("h2", { id }, title, count ? el("span", { class: "count" }, " (" + count + ")") : null);
  const parts = [intro ? el("p", { class: "intro" }, intro) : null, content];
  const det = el("details", { class: "section-fold" }, el("summary", null, heading), el("div", { class: "section-body" }, parts));
  det.open = !COLLAPSED.has(key);
  return el("section", { class: "report-section sec-" + token(key), "aria-labelledby": id }, det);
}
