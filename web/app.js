// headerlens page logic: loads the WebAssembly analyzer, reads the message
// (pasted, dropped or picked; never uploaded), calls
// globalThis.headerlens.analyze and renders the report.
//
// Safety rule: every piece of text that comes from the message or the report
// is inserted with text nodes (el() and text()). This file never parses HTML;
// web/web_test.go fails if it ever tries.

const MAX_BYTES = 10 * 1024 * 1024;

const $ = (id) => document.getElementById(id);

// ---------- DOM helpers (text only) ----------

// el builds an element. attrs values are set with setAttribute for a fixed
// set of harmless attributes; children are nodes or strings (text nodes).
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (!/^(class|id|type|scope|colspan|title|lang|role|tabindex|aria-[a-z]+|data-[a-z-]+)$/.test(k)) {
        throw new Error("el: attribute not allowed: " + k);
      }
      node.setAttribute(k, String(v));
    }
  }
  for (const c of children) append(node, c);
  return node;
}

function append(node, c) {
  if (c === undefined || c === null || c === false) return;
  if (Array.isArray(c)) { for (const x of c) append(node, x); return; }
  node.append(c instanceof Node ? c : document.createTextNode(String(c)));
}

// token turns arbitrary text into a safe CSS class fragment.
function token(s) {
  return String(s).toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 32);
}

// present reports whether a report value has something to show.
function present(v) {
  if (v === undefined || v === null || v === "") return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === "object") return Object.keys(v).some((k) => present(v[k]));
  return true;
}

const LABELS = {
  from: "From", to: "To", cc: "Cc", subject: "Subject", date: "Date", messageId: "Message-ID",
  returnPath: "Return-Path", replyTo: "Reply-To", fromDomain: "From domain", sender: "Sender",
  spf: "SPF", dkim: "DKIM", dmarc: "DMARC", arc: "ARC", ip: "IP", helo: "HELO", mailFrom: "MAIL FROM",
  durationMs: "Duration (ms)", elapsedMs: "Time taken (ms)", version: "Analyzer version", rcode: "Rcode", ad: "AD", startMs: "Start ms", ttl: "TTL", dns: "DNS",
  spfSkipped: "SPF skipped", authservId: "Authserv-id", nullMx: "Null MX", implicitMx: "Implicit MX",
  cv: "Chain validation (cv)", byIp: "By IP", rdns: "Reverse DNS", orgDomain: "Organizational domain", amsResult: "AMS result",
  mx: "MX", tls: "TLS", mtaSts: "MTA-STS", tlsRpt: "TLS-RPT", dane: "DANE", url: "URL", id: "ID",
};

// label turns a JSON key into words: "messageId" → "Message-ID",
// "authServId" → "Auth serv id".
function label(key) {
  if (Object.hasOwn(LABELS, key)) return LABELS[key];
  const words = String(key).replace(/([a-z0-9])([A-Z])/g, "$1 $2").replace(/[_-]+/g, " ").toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

// Result words that get a coloured badge (RFC 8601 §2.7 result values and
// the finding severities).
const RESULT_WORDS = new Set(["pass", "fail", "softfail", "neutral", "none", "temperror", "permerror",
  "policy", "hardfail", "bestguesspass", "info", "warning", "warn", "error", "critical", "ok", "good", "bad", "unknown"]);
const RESULT_KEYS = new Set(["result", "verdict", "status", "severity", "disposition"]);

function badge(word) {
  return el("span", { class: "badge b-" + token(word) }, String(word));
}

// ---------- generic rendering ----------

// scalar renders a string, number or boolean.
function scalar(v, key) {
  if (typeof v === "boolean") return v ? "yes" : "no";
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : v.toFixed(1);
  const s = String(v);
  if (key && RESULT_KEYS.has(key) && RESULT_WORDS.has(s.toLowerCase())) return badge(s);
  return s;
}

// generic renders any JSON value: objects as description lists, arrays of
// objects as tables, other arrays as lists. Depth is bounded.
function generic(v, key, depth = 0) {
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

// Long detail (evaluation traces, raw records) starts folded.
const FOLD_KEYS = new Set(["findings", "trace", "walk", "tags", "signedHeaders", "unprotected", "sets", "keyRecord", "orgDomains", "lint", "fields", "properties", "authResults", "alignment", "dateIssues"]);

// explanation keys are shown as a paragraph under their object.
const EXPLAIN_KEYS = ["explanation", "explain", "description", "detail", "details", "why"];

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
function pick(rows, prefer, hide) {
  const all = columns(rows);
  return prefer.filter((c) => all.includes(c)).concat(all.filter((c) => !prefer.includes(c) && !hide.includes(c)));
}

const TABLE_COLUMNS = {
  hops: [["from", "ip", "by", "protocol", "tls", "time", "delaySeconds", "internal", "private"],
    ["raw", "helo", "rdns", "with", "index", "receivedIndex", "encrypted", "tlsVersion", "cipher", "dateConfident", "parsed", "byIp"]],
  recorded: [["method", "result", "trusted", "authservId", "header", "reason", "properties"],
    ["index", "instance", "version", "methodVersion", "parser", "reasonMeaning"]],
  dns: [["name", "type", "rcode", "answers", "durationMs", "cached", "ad", "endpoint", "error"], ["startMs"]],
  vendor: [["vendor", "verdict", "summary", "header", "fields"], ["raw", "index", "trace", "opaque"]],
};

function table(rows, depth = 0, opts = {}) {
  const cols = opts.columns || columns(rows);
  const head = el("tr", null, (opts.number ? [el("th", { scope: "col" }, "#")] : []).concat(
    cols.map((c) => el("th", { scope: "col" }, label(c)))));
  const body = rows.map((r, i) => el("tr", null,
    opts.number ? el("td", { class: "num" }, String(i + 1)) : null,
    cols.map((c) => el("td", { class: "c-" + token(c) }, generic(r[c], c, depth + 1)))));
  return el("div", { class: "table-scroll", tabindex: 0, role: "region", "aria-label": opts.caption || "table" },
    el("table", null, opts.caption ? el("caption", null, opts.caption) : null, el("thead", null, head), el("tbody", null, body)));
}

// ---------- sections ----------

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
  about: ["About this analysis", null],
};
// Facts about the run itself, shown together at the end.
const META = ["version", "input", "elapsedMs"];
const COLLAPSED = new Set(["dns", "headers", "about"]);

// section wraps a report section in details/summary so that long ones can
// be folded (all are open except COLLAPSED; printing opens every one).
function section(key, content, count) {
  const [title, intro] = SECTION_INFO[key] || [label(key), null];
  const id = "s-" + token(key);
  const heading = el("h2", { id }, title, count ? el("span", { class: "count" }, " (" + count + ")") : null);
  const parts = [intro ? el("p", { class: "intro" }, intro) : null, content];
  const det = el("details", { class: "section-fold" }, el("summary", null, heading), el("div", { class: "section-body" }, parts));
  det.open = !COLLAPSED.has(key);
  return el("section", { class: "report-section sec-" + token(key), "aria-labelledby": id }, det);
}

function renderSummary(summary) {
  let s = summary;
  const order = ["subject", "from", "to", "date", "replyTo", "returnPath", "fromDomain", "messageId"];
  // fromName and fromAddress repeat From; dateRaw is shown when Date could
  // not be parsed, or differs from it.
  const skip = new Set(present(s.from) ? ["fromName", "fromAddress"] : []);
  if (present(s.date)) skip.add("dateRaw");
  const keys = order.filter((k) => present(s[k])).concat(
    Object.keys(s).filter((k) => !order.includes(k) && !skip.has(k) && present(s[k])));
  if (present(s.date) && present(s.dateRaw)) s = { ...s, date: s.dateRaw + " (" + s.date + ")" };
  const list = el("dl", { class: "kv summary" });
  for (const k of keys) list.append(el("dt", null, label(k)), el("dd", { class: "s-" + token(k), "data-field": k }, generic(s[k], k, 1)));
  return list;
}

// ---------- small building blocks ----------

// link is an in-page link to one of the page's own section ids (never to a
// value from the report): the id must look like "s-word".
function link(id, attrs, ...children) {
  const a = el("a", attrs, ...children);
  if (!/^s-[a-z0-9-]+$/.test(id)) throw new Error("link: not a section id: " + id);
  a.setAttribute("href", "#" + id);
  a.addEventListener("click", () => {
    // Open the target section (and its parents) when it was folded.
    const t = document.getElementById(id);
    for (let d = t && t.closest("details"); d; d = d.parentElement && d.parentElement.closest("details")) d.open = true;
  });
  return a;
}

const MARKS = { pass: "✓", fail: "✗", permerror: "✗", softfail: "!", temperror: "!", neutral: "–", none: "–", policy: "!", skipped: "–" };

// verdictBadge is a badge with a symbol besides the colour, so that the
// result never rests on colour alone.
function resultBadge(word) {
  const w = String(word || "none");
  return el("span", { class: "badge b-" + token(w) }, el("span", { class: "mark", "aria-hidden": "true" }, MARKS[w.toLowerCase()] || "•"), " " + w);
}

function mono(s) {
  return el("code", { class: "raw" }, String(s));
}

function tag(text, kind) {
  return el("span", { class: "tag" + (kind ? " t-" + kind : "") }, text);
}

function note(text, kind) {
  return el("p", { class: "note" + (kind ? " n-" + kind : "") }, text);
}

function fold(summaryText, ...content) {
  return el("details", { class: "fold" }, el("summary", null, summaryText), ...content);
}

// kv renders [term, value] pairs, skipping the empty ones.
function kv(pairs, cls) {
  const list = el("dl", { class: "kv" + (cls ? " " + cls : "") });
  for (const [k, v] of pairs) {
    if (v === undefined || v === null || v === "" || (Array.isArray(v) && !v.length)) continue;
    list.append(el("dt", null, k), el("dd", null, v));
  }
  return list;
}

// grid builds a table from a header row and rows of cells; a row may be
// {cells, cls} to give the row a class.
function grid(caption, headers, rows, cls) {
  return el("div", { class: "table-scroll", tabindex: 0, role: "region", "aria-label": caption },
    el("table", { class: cls || null }, el("caption", null, caption),
      el("thead", null, el("tr", null, headers.map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", null, rows.map((r) => Array.isArray(r) ? el("tr", null, r.map((c) => c instanceof Node && c.nodeName === "TD" ? c : el("td", null, c)))
        : el("tr", { class: r.cls || null }, r.cells.map((c) => c instanceof Node && (c.nodeName === "TD" || c.nodeName === "TH") ? c : el("td", null, c)))))));
}

// human says how long a number of seconds is: "2 s", "1 h 14 min".
function human(sec) {
  if (typeof sec !== "number" || !Number.isFinite(sec)) return "";
  if (sec < 0) return "−" + human(-sec);
  const s = Math.round(sec);
  if (s < 60) return s + " s";
  if (s < 3600) return Math.floor(s / 60) + " min" + (s % 60 ? " " + (s % 60) + " s" : "");
  if (s < 86400) return Math.floor(s / 3600) + " h" + (Math.floor(s / 60) % 60 ? " " + (Math.floor(s / 60) % 60) + " min" : "");
  return Math.floor(s / 86400) + " d" + (Math.floor(s / 3600) % 24 ? " " + (Math.floor(s / 3600) % 24) + " h" : "");
}

function when(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toISOString().replace("T", " ").replace(/\.000Z$|Z$/, " UTC");
}

function unixTime(t) {
  return typeof t === "number" ? when(new Date(t * 1000).toISOString()) : "";
}

function yesNo(v, goodWhenTrue = true) {
  if (v === undefined || v === null) return "";
  const good = goodWhenTrue ? v : !v;
  return el("span", { class: "yn " + (good ? "yn-good" : "yn-bad") }, (good ? "✓ " : "✗ ") + (v ? "yes" : "no"));
}

const SEVERITY_RANK = { critical: 0, error: 1, fail: 1, high: 1, warning: 2, warn: 2, medium: 2, notice: 3, low: 3, info: 4, pass: 5, ok: 5 };
const SEVERITY_TITLE = { error: "Errors", warning: "Warnings", info: "Information" };

function findingItem(f) {
  return el("li", { class: "finding f-" + token(f.severity || "info") },
    el("div", { class: "finding-head" }, f.severity ? badge(f.severity) : null,
      el("span", { class: "finding-msg" }, f.message ? String(f.message) : ""),
      f.source ? tag(String(f.source)) : null,
      f.code ? el("code", { class: "finding-code" }, String(f.code)) : null));
}

// findingList renders findings most serious first (used inside sections).
function findingList(list) {
  const items = (Array.isArray(list) ? list : []).filter((f) => f && typeof f === "object");
  if (!items.length) return null;
  items.sort((a, b) => (SEVERITY_RANK[String(a.severity).toLowerCase()] ?? 3) - (SEVERITY_RANK[String(b.severity).toLowerCase()] ?? 3));
  return el("ul", { class: "findings" }, items.map(findingItem));
}

// ---------- verdict at a glance ----------

function dkimOverall(list) {
  if (!Array.isArray(list) || !list.length) return { result: "none", detail: "no signature" };
  const pass = list.filter((s) => s && s.result === "pass").length;
  const result = pass ? "pass" : (list[0] && list[0].result) || "none";
  return { result, detail: pass + " of " + list.length + " pass" };
}

function trustedRecorded(report, method) {
  return (report.recorded || []).find((r) => r && r.trusted && String(r.method).toLowerCase() === method);
}

function renderVerdict(report) {
  const live = report.live || {};
  const on = live.enabled !== false;
  const row = el("div", { class: "verdicts" });
  const add = (check, target, title, result, detail) => {
    row.append(link(target, { class: "verdict v-" + token(result), "data-check": check, "data-result": String(result) },
      el("span", { class: "v-name" }, title), resultBadge(result), detail ? el("span", { class: "v-detail" }, detail) : null));
  };
  if (on) {
    const spf = live.spf;
    add("spf", "s-spf", "SPF", spf ? spf.result : "skipped", spf ? spf.domain : "no client IP");
    const d = dkimOverall(live.dkim);
    add("dkim", "s-dkim", "DKIM", d.result, d.detail);
    const dm = live.dmarc;
    add("dmarc", "s-dmarc", "DMARC", dm ? dm.result : "none", dm ? dm.fromDomain : "");
    const arc = live.arc;
    add("arc", "s-arc", "ARC", arc ? arc.result : "none", arc && arc.instances ? arc.instances + " set" + (arc.instances > 1 ? "s" : "") : "no chain");
    if (dm && (dm.publishedPolicy || dm.policy)) {
      const p = dm.publishedPolicy || dm.policy;
      row.append(link("s-dmarc", { class: "verdict v-policy", "data-check": "policy", "data-result": String(p) },
        el("span", { class: "v-name" }, "Policy"), el("span", { class: "badge b-policy-" + token(p) }, String(p)),
        el("span", { class: "v-detail" }, (dm.policySource ? dm.policySource + "= of " : "") + (dm.recordDomain || dm.orgDomain || ""))));
    }
  } else {
    for (const [check, title] of [["spf", "SPF"], ["dkim", "DKIM"], ["dmarc", "DMARC"], ["arc", "ARC"]]) {
      const r = trustedRecorded(report, check);
      add(check, r ? "s-recorded" : "s-live", title, "skipped", r ? "recorded: " + r.result : "not checked");
    }
  }
  const f = Array.isArray(report.findings) ? report.findings : [];
  const errors = f.filter((x) => x && x.severity === "error").length;
  const warnings = f.filter((x) => x && x.severity === "warning").length;
  row.append(link("s-findings", { class: "verdict v-findings", "data-check": "findings" },
    el("span", { class: "v-name" }, "Findings"),
    el("span", { class: "badge " + (errors ? "b-error" : "b-none") }, errors + " error" + (errors === 1 ? "" : "s")),
    el("span", { class: "badge " + (warnings ? "b-warning" : "b-none") }, warnings + " warning" + (warnings === 1 ? "" : "s"))));
  const parts = [row];
  if (!on) parts.push(note("Live checks skipped: " + String(live.reason || "offline") + ". The results above are only what the receiving servers recorded.", "warn"));
  const s = report.summary || {};
  if (s.subject || s.from) parts.push(el("p", { class: "v-subject" }, s.from ? el("span", { class: "v-from" }, String(s.from)) : null, s.from && s.subject ? " — " : null, s.subject ? el("strong", null, String(s.subject)) : null));
  return el("section", { class: "report-section verdict-section", "aria-labelledby": "s-verdict" },
    el("h2", { id: "s-verdict" }, "Verdict at a glance"), parts);
}

// ---------- findings ----------

function renderFindings(list) {
  const items = list.filter((f) => f && typeof f === "object");
  const groups = new Map();
  for (const f of items) {
    const sev = String(f.severity || "info").toLowerCase();
    if (!groups.has(sev)) groups.set(sev, []);
    groups.get(sev).push(f);
  }
  const order = [...groups.keys()].sort((a, b) => (SEVERITY_RANK[a] ?? 3) - (SEVERITY_RANK[b] ?? 3));
  if (!order.length) return note("Nothing stands out.");
  return el("div", { class: "finding-groups" }, order.map((sev) => el("div", { class: "finding-group" },
    el("h3", null, badge(sev), " ", SEVERITY_TITLE[sev] || label(sev), el("span", { class: "count" }, " (" + groups.get(sev).length + ")")),
    el("ul", { class: "findings" }, groups.get(sev).map(findingItem)))));
}

// ---------- received trail ----------

const EVIDENCE = {
  "received-spf client-ip": "a Received-SPF field written by the receiver names this hop's connecting address as the SPF client IP",
  "authentication-results sender ip": "an Authentication-Results field written by the receiver names this hop's address as the sender's IP",
  "authserv-id": "the authserv-id of the receiver's Authentication-Results matches the host that received this hop",
  "by-domain chain": "from this hop on, the receiving hosts all belong to one organization (by-domain chain)",
  "first public ip": "it is the newest hop from a publicly routable address",
  "newest hop": "nothing better was found, so the newest hop is assumed",
};

// domainOf returns the domain to check for a host: the host without its
// first label when it has three labels or more.
function domainOf(host) {
  const h = String(host || "").toLowerCase().replace(/\.$/, "");
  if (!/^[a-z0-9_.-]+\.[a-z0-9-]+$/.test(h) || /^[0-9.]+$/.test(h)) return "";
  const labels = h.split(".");
  return labels.length >= 3 ? labels.slice(1).join(".") : h;
}

function renderTrail(report) {
  const hops = (report.hops || []).filter((h) => h && typeof h === "object");
  const trail = report.trail || {};
  const b = trail.boundary;
  const parts = [];
  const max = Math.max(1, ...hops.map((h) => Math.abs(typeof h.delaySeconds === "number" ? h.delaySeconds : 0)));
  const rows = hops.map((h, i) => {
    const n = i + 1;
    const boundary = b && b.index === (typeof h.index === "number" ? h.index : i);
    const cls = ["hop", boundary ? "boundary" : "", h.internal ? "internal" : "", h.parsed === false ? "unparsed" : ""].filter(Boolean).join(" ");
    const numCell = el("th", { scope: "row", class: "num" }, String(n), boundary ? el("span", { class: "tag t-boundary" }, "trust boundary") : null);
    // Delay, with a bar proportional to it.
    let delay = el("span", { class: "muted" }, i === 0 ? "start" : "?");
    if (typeof h.delaySeconds === "number") {
      const bar = el("span", { class: "bar" + (h.delaySeconds < 0 ? " bar-neg" : "") });
      bar.style.width = Math.max(h.delaySeconds ? 3 : 0, Math.round(Math.abs(h.delaySeconds) / max * 100)) + "%";
      delay = el("div", { class: "delay" + (h.delaySeconds < 0 ? " skew" : "") },
        el("span", null, human(h.delaySeconds)), h.delaySeconds < 0 ? el("span", { class: "tag t-warn" }, "clock skew") : null,
        el("span", { class: "bar-track", "aria-hidden": "true" }, bar));
    }
    if (h.parsed === false) {
      return { cls, cells: [numCell, el("td", null, delay), el("td", { colspan: 4 }, el("span", { class: "tag t-warn" }, "not parsed"), " ", mono(h.raw || "")), el("td", null, when(h.time))] };
    }
    const sameName = h.rdns && h.helo && h.rdns.toLowerCase() === h.helo.toLowerCase();
    const from = el("div", { class: "hop-from" },
      h.helo || h.from ? el("div", null, el("span", { class: "k" }, "HELO "), mono(h.helo || h.from), sameName ? " " : null, sameName ? tag("= rDNS", "good") : null) : null,
      h.rdns && !sameName ? el("div", null, el("span", { class: "k" }, "rDNS "), mono(h.rdns)) : null,
      h.ip ? el("div", null, el("span", { class: "k" }, "IP "), mono(h.ip), h.private ? " " : null, h.private ? tag("private") : null,
        h.ipClaimed ? " " : null, h.ipClaimed ? tag("claimed in HELO, not seen by the receiver", "warn") : null) : null);
    const byDomain = domainOf(h.by);
    const by = el("div", { class: "hop-by" }, h.by ? mono(h.by) : el("span", { class: "muted" }, "—"),
      h.byIp ? el("div", null, mono(h.byIp)) : null,
      byDomain ? el("button", { type: "button", class: "small check-tls", "data-domain": byDomain, title: "Check the mail servers of " + byDomain + " with the companion" }, "Check " + byDomain) : null);
    let tls;
    if (h.tlsVersion || h.cipher) tls = el("div", { class: "tls-yes" }, el("div", null, "✓ " + (h.tlsVersion || "TLS")), h.cipher ? el("div", null, mono(h.cipher)) : null);
    else if (h.encrypted || h.tls) tls = el("div", { class: "tls-yes" }, el("div", null, "✓ " + (h.tls || "TLS")), el("div", { class: "hint" }, "version not stated"));
    else tls = el("span", { class: "tls-no" }, "✗ no TLS shown");
    const stamp = when(h.time);
    const time = el("div", { class: "hop-time" }, stamp ? [el("div", null, stamp.slice(0, 10)), el("div", null, stamp.slice(11).replace(/ UTC$/, ""))] : el("span", { class: "muted" }, "no date"),
      h.dateConfident === false ? el("div", null, tag("read leniently", "warn")) : null);
    const extra = [h.id ? "id " + h.id : "", h.for ? "for " + h.for : "", h.via ? "via " + h.via : ""].filter(Boolean).join(" · ");
    if (h.raw) from.append(fold("raw field", el("pre", { class: "raw-block" }, String(h.raw)), extra ? el("p", { class: "hint" }, extra) : null));
    return { cls, cells: [numCell, el("td", null, delay), el("td", null, from), el("td", null, by),
      el("td", null, h.protocol || h.with || ""), el("td", null, tls), el("td", null, time)] };
  });
  if (hops.length) parts.push(grid("Received trail, oldest first", ["#", "Delay", "From", "By", "Protocol", "TLS", "Time (UTC)"], rows, "trail"));
  else parts.push(note("The message has no Received fields."));
  if (typeof trail.totalSeconds === "number") parts.push(el("p", { class: "transit" }, "Total transit time: ", el("strong", { class: trail.totalSeconds < 0 ? "skew-text" : null }, human(trail.totalSeconds)), hops.length ? " over " + hops.length + " hop" + (hops.length > 1 ? "s" : "") + "." : ".",
    trail.totalSeconds < 0 ? " Negative: the servers' clocks disagree (clock skew), so the delays are not reliable." : null,
    hops.some((h) => h && h.parsed === false) ? " Hops that could not be parsed are shown as written." : null));
  if (b && typeof b === "object") {
    const n = (typeof b.index === "number" ? b.index : 0) + 1;
    const ev = String(b.evidence || "");
    const sentence = "Hop " + n + " is the trust boundary: there " + (b.org ? "the receiving organization (" + b.org + ")" : "the receiving organization") +
      " accepted the message" + (b.ip ? " from " + b.ip : "") + (b.helo ? " (HELO " + b.helo + ")" : "") +
      (b.by ? " at " + b.by : "") + ". Found because " + (EVIDENCE[ev] || ev || "of the trail") +
      "; confidence " + String(b.confidence || "unknown") + "." +
      (Array.isArray(b.agrees) && b.agrees.length ? " Also points here: " + b.agrees.join(", ") + "." : "") +
      (Array.isArray(b.disagrees) && b.disagrees.length ? " Points elsewhere: " + b.disagrees.join(", ") + "." : "") +
      " Hops after it were added by the receiver and can be trusted; hops before it were written by the sender's side and could be forged.";
    parts.push(el("p", { class: "boundary-note conf-" + token(b.confidence || "") }, sentence));
  }
  return el("div", null, parts);
}

// ---------- SPF ----------

const SOURCE_WORDS = { trail: "from the Received trail (trust boundary hop)", "return-path": "from the Return-Path field", option: "set in the settings" };

function spfTrace(trace) {
  return el("ol", { class: "trace" }, trace.filter((t) => t && typeof t === "object").map((t) => {
    const li = el("li", { class: "tr tr-" + token(t.kind || "term") + (t.matched ? " matched" : "") });
    li.style.marginLeft = Math.min(Number(t.depth) || 0, 12) * 1.25 + "rem";
    const head = el("div", { class: "tr-head" },
      t.kind === "record" ? el("span", { class: "k" }, "record of " + String(t.domain || "") + ": ") : null,
      mono(t.term || ""),
      t.kind !== "record" ? (t.matched ? el("span", { class: "tag t-good" }, "✓ matched") : el("span", { class: "tag" }, "no match")) : null,
      t.result ? resultBadge(t.result) : null,
      el("span", { class: "lookups" }, "lookups " + (t.lookups ?? 0) + "/10" + (t.voidLookups ? ", void " + t.voidLookups + "/2" : "")));
    li.append(head);
    if (Array.isArray(t.queries) && t.queries.length) {
      li.append(el("ul", { class: "queries" }, t.queries.map((q) => el("li", null,
        mono((q.type || "") + " " + (q.name || "")), " → ", el("span", { class: "q-" + token(q.status || "") }, String(q.status || "")),
        Array.isArray(q.answers) && q.answers.length ? [": ", mono(q.answers.join(" | "))] : null))));
    }
    if (t.error) li.append(note(String(t.error), "bad"));
    if (t.note) li.append(el("p", { class: "hint" }, String(t.note)));
    return li;
  }));
}

function renderSPF(live) {
  if (live.enabled === false) return note("Skipped: " + String(live.reason || "offline") + ".");
  const spf = live.spf;
  const ids = live.identities || {};
  const parts = [];
  parts.push(grid("SPF identities", ["Identity", "Value", "Where it came from"], [
    ["Client IP", ids.ip ? mono(ids.ip) : "—", SOURCE_WORDS[ids.ipSource] || ids.ipSource || ""],
    ["HELO", ids.helo ? mono(ids.helo) : "—", SOURCE_WORDS[ids.heloSource] || ids.heloSource || ""],
    ["MAIL FROM", ids.mailFrom ? mono(ids.mailFrom) : "— (null sender: the HELO is checked)", SOURCE_WORDS[ids.mailFromSource] || ids.mailFromSource || ""],
  ], "compact"));
  if (!spf) {
    parts.unshift(note("SPF was not checked: " + String(live.spfSkipped || "no client IP is known") + ". Set the connecting IP in the settings to check it.", "warn"));
    return el("div", null, parts);
  }
  const lookups = Number(spf.lookups) || 0;
  const meter = el("span", { class: "meter" + (lookups > 10 ? " over" : lookups >= 8 ? " near" : "") }, el("span", { class: "meter-fill" }));
  meter.firstChild.style.width = Math.min(100, lookups * 10) + "%";
  parts.unshift(el("p", { class: "check-head" }, resultBadge(spf.result), " for ", mono(spf.domain || ""), spf.identity ? " (" + spf.identity + " identity)" : ""));
  parts.push(kv([
    ["Record", spf.record ? mono(spf.record) : null],
    ["Why", spf.reason ? String(spf.reason) : null],
    ["Explanation", spf.explanation ? String(spf.explanation) : null],
    ["DNS lookups", el("span", null, lookups + " of 10 ", meter, spf.voidLookups ? " · void lookups " + spf.voidLookups + " of 2" : "")],
    ["HELO check", spf.heloResult ? el("span", null, resultBadge(spf.heloResult.result), " ", mono(spf.heloResult.domain || ""), spf.heloResult.reason ? " — " + spf.heloResult.reason : "") : null],
  ]));
  if (Array.isArray(spf.trace) && spf.trace.length) {
    parts.push(el("h3", null, "Evaluation trace"), spfTrace(spf.trace));
  }
  const lint = findingList(spf.lint);
  if (lint) parts.push(el("h3", null, "Record lint"), lint);
  return el("div", { class: "spf" }, parts);
}

// ---------- DKIM ----------

function renderDKIM(live) {
  if (live.enabled === false) return note("Skipped: " + String(live.reason || "offline") + ".");
  const sigs = (live.dkim || []).filter((s) => s && typeof s === "object");
  if (!sigs.length) return note("The message has no DKIM-Signature field.");
  return el("div", { class: "cards" }, sigs.map((s, i) => {
    const now = Date.now() / 1000;
    const expired = typeof s.expiration === "number" && s.expiration < now;
    const card = el("article", { class: "card-item dkim-card r-" + token(s.result || "") },
      el("h3", null, "Signature " + (i + 1) + ": ", mono("d=" + (s.domain || "?")), " ", mono("s=" + (s.selector || "?")), " ", resultBadge(s.result)));
    if (s.scope === "headers-only") {
      card.append(el("p", { class: "note n-info dkim-scope-note" }, "The body was not supplied, so only the header signature was verified; the body hash was not checked."));
    }
    if (s.testing) card.append(note("The key is in testing mode (t=y): receivers are asked not to treat failures differently from unsigned mail.", "warn"));
    if (typeof s.bodyLength === "number") card.append(note("l=" + s.bodyLength + ": the signature covers only the first " + s.bodyLength + " bytes of the body; anything appended after them is not protected.", "warn"));
    if (expired) card.append(note("The signature expired on " + unixTime(s.expiration) + " (x=).", "warn"));
    card.append(kv([
      ["Algorithm", s.algorithm ? mono(s.algorithm) : null],
      ["Key", s.keyBits ? (s.keyType ? s.keyType + ", " : "") + s.keyBits + " bits" : (s.keyType || null)],
      ["Identity (i=)", s.identity ? mono(s.identity) : null],
      ["Canonicalization", s.canonicalization ? mono(s.canonicalization) : null],
      ["Body hash", s.bodyHash ? tag(s.bodyHash, s.bodyHash === "verified" ? "good" : s.bodyHash === "mismatch" ? "bad" : "") : null],
      ["Signed at (t=)", unixTime(s.timestamp)],
      ["Expires (x=)", typeof s.expiration === "number" ? unixTime(s.expiration) + (expired ? " (expired)" : "") : null],
      ["Crypto verified", typeof s.cryptoVerified === "boolean" ? yesNo(s.cryptoVerified) : null],
      ["Downgrade", s.downgrade ? String(s.downgrade) : null],
      ["Why", s.reason ? String(s.reason) : null],
      ["b=", s.headerB ? mono(s.headerB) : null],
    ]));
    if (Array.isArray(s.unprotected) && s.unprotected.length) {
      card.append(el("div", { class: "unprotected" }, el("p", { class: "k" }, "Not protected (a third party could add these without breaking the signature):"),
        el("p", { class: "chips" }, s.unprotected.map((h) => el("code", { class: "chip" }, String(h))))));
    }
    if (Array.isArray(s.signedHeaders) && s.signedHeaders.length) card.append(fold("Signed header fields (" + s.signedHeaders.length + ")", el("p", { class: "chips" }, s.signedHeaders.map((h) => el("code", { class: "chip" }, String(h))))));
    if (s.keyRecord) card.append(fold("Key record", el("pre", { class: "raw-block" }, String(s.keyRecord))));
    const f = findingList(s.findings);
    if (f) card.append(fold("Findings (" + s.findings.length + ")", f));
    return card;
  }));
}

// ---------- DMARC ----------

const POLICY_SOURCE = { p: "the p= tag (the domain's policy)", sp: "the sp= tag (the policy for subdomains)", np: "the np= tag (the policy for non-existent subdomains, RFC 9989)" };

function renderDMARC(live) {
  if (live.enabled === false) return note("Skipped: " + String(live.reason || "offline") + ".");
  const d = live.dmarc;
  if (!d) return note("DMARC was not evaluated.");
  const parts = [el("p", { class: "check-head" }, resultBadge(d.result), d.fromDomain ? " for " : null, d.fromDomain ? mono(d.fromDomain) : null)];
  if (d.reason) parts.push(el("p", { class: "explain" }, String(d.reason)));
  const od = d.orgDomains;
  const policy = d.publishedPolicy || d.policy;
  parts.push(kv([
    ["From domain", d.fromDomain ? mono(d.fromDomain) : null],
    ["Organizational domain", d.orgDomain ? el("span", null, mono(d.orgDomain), d.discovery ? " (" + (d.discovery === "tree-walk" ? "DNS tree walk, RFC 9989" : "Public Suffix List") + ")" : "") : null],
    ["Methods disagree", od && od.agree === false && (od.psl || od.treeWalk) ? el("span", { class: "tag t-warn" }, "Public Suffix List: " + (od.psl || "?") + " · tree walk: " + (od.treeWalk || "?")) : null],
    ["Record at", d.recordDomain ? mono("_dmarc." + d.recordDomain) : null],
    ["Record", d.record ? mono(d.record) : null],
    ["Policy", policy ? el("span", null, el("strong", null, String(policy)), d.policySource ? ", from " + (POLICY_SOURCE[d.policySource] || d.policySource) : "") : null],
    ["Applied to this message", d.appliedPolicy ? String(d.appliedPolicy) : null],
    ["Testing (t=y)", d.testing ? yesNo(true, false) : null],
    ["From domain exists", typeof d.fromExists === "boolean" ? yesNo(d.fromExists) : null],
  ]));
  const al = d.alignment || {};
  const rows = [];
  for (const m of ["spf", "dkim"]) {
    const a = al[m];
    const ok = m === "spf" ? d.spfAligned : d.dkimAligned;
    if (!a) { if (typeof ok === "boolean") rows.push([m.toUpperCase(), "", "", "", yesNo(ok)]); continue; }
    const ids = Array.isArray(a.identifiers) && a.identifiers.length ? a.identifiers : [{ domain: a.domain, orgDomain: a.orgDomain, aligned: ok }];
    ids.forEach((x, i) => rows.push([i ? "" : m.toUpperCase(), i ? "" : String(a.mode || ""), x.domain ? mono(x.domain) : "—", x.orgDomain ? mono(x.orgDomain) : "", yesNo(!!x.aligned)]));
  }
  if (rows.length) parts.push(el("h3", null, "Alignment with the From domain"), grid("DMARC alignment", ["Method", "Mode", "Authenticated domain", "Its org domain", "Aligned"], rows, "compact"));
  if (Array.isArray(d.walk) && d.walk.length) {
    parts.push(el("h3", null, "DNS tree walk"), el("ol", { class: "walk" }, d.walk.map((w) => el("li", null, mono(w.name || ""), " → ",
      el("span", { class: "w-" + token(w.status || "") }, String(w.status || "")), w.record ? [": ", mono(w.record)] : null))));
  }
  if (d.tags && typeof d.tags === "object") parts.push(fold("Record tags", generic(d.tags, "tags", 1)));
  const f = findingList(d.findings);
  if (f) parts.push(fold("Findings (" + d.findings.length + ")", f));
  return el("div", null, parts);
}

// ---------- ARC ----------

function renderARC(live) {
  if (live.enabled === false) return note("Skipped: " + String(live.reason || "offline") + ".");
  const a = live.arc;
  if (!a) return note("ARC was not evaluated.");
  const parts = [el("p", { class: "check-head" }, resultBadge(a.result), " · " + (a.instances || 0) + " instance" + (a.instances === 1 ? "" : "s"),
    a.cv ? " · chain validation " : null, a.cv ? mono("cv=" + a.cv) : null)];
  if (a.reason) parts.push(el("p", { class: "explain" }, String(a.reason)));
  parts.push(kv([["Failed instance", a.failedInstance ? "i=" + a.failedInstance : null], ["Oldest passing", a.oldestPass ? "i=" + a.oldestPass : null],
    ["Body hash", a.bodyHash ? String(a.bodyHash) : null]]));
  if (a.scope === "headers-only" && a.instances) parts.push(note("The body was not supplied, so the ARC message signatures' body hashes were not checked.", "info"));
  const sets = (a.sets || []).filter((s) => s && typeof s === "object");
  if (sets.length) {
    parts.push(grid("ARC sets", ["i=", "cv", "Seal", "Message signature", "Sealed by", "Claimed authentication results"], sets.map((s) => [
      "i=" + s.instance, s.cv ? mono(s.cv) : "—", resultBadge(s.sealResult), resultBadge(s.amsResult),
      el("div", null, s.domain ? mono("d=" + s.domain + " s=" + (s.selector || "")) : "—", s.reason ? el("p", { class: "hint" }, String(s.reason)) : null),
      s.authResults ? el("div", null, s.authservId ? el("div", { class: "k" }, String(s.authservId)) : null, mono(s.authResults)) : "—",
    ]), "arc-sets"));
  }
  const f = findingList(a.findings);
  if (f) parts.push(fold("Findings (" + a.findings.length + ")", f));
  return el("div", null, parts);
}

// ---------- recorded vs live ----------

function renderRecorded(report) {
  const parts = [];
  const cmp = ((report.live || {}).comparison || []).filter((c) => c && typeof c === "object");
  if (cmp.length) {
    const rows = [];
    for (const c of cmp) {
      rows.push({ cls: c.agree ? "agree" : "differ", cells: [
        el("th", { scope: "row" }, String(c.method || "").toUpperCase(), c.subject ? el("div", { class: "hint" }, String(c.subject)) : null),
        el("td", null, c.recorded ? resultBadge(c.recorded) : "—", c.recordedBy ? el("div", { class: "hint" }, "by " + c.recordedBy) : null,
          c.trusted ? tag("trusted", "good") : tag("untrusted: could be forged", "bad")),
        el("td", null, c.live ? resultBadge(c.live) : "—"),
        el("td", null, c.agree ? el("span", { class: "yn yn-good" }, "✓ agree") : el("span", { class: "yn yn-bad" }, "✗ differ")),
      ] });
      if (c.explanation) rows.push({ cls: "explain-row", cells: [el("td", { colspan: 4 }, el("p", { class: "explain" }, String(c.explanation)))] });
    }
    parts.push(el("h3", null, "Recorded versus live"), grid("Recorded versus live", ["Method", "Recorded", "Live", "Agree"], rows, "comparison"));
  }
  const rec = (report.recorded || []).filter((r) => r && typeof r === "object");
  if (rec.length) {
    const groups = new Map();
    for (const r of rec) {
      const k = (r.trusted ? "1" : "0") + "\u0000" + String(r.authservId || "(no authserv-id)");
      if (!groups.has(k)) groups.set(k, []);
      groups.get(k).push(r);
    }
    const keys = [...groups.keys()].sort((a, b) => (a[0] === b[0] ? 0 : a[0] === "1" ? -1 : 1));
    parts.push(el("h3", null, "Recorded by the receiving servers"));
    for (const k of keys) {
      const list = groups.get(k);
      const trusted = k[0] === "1";
      parts.push(el("div", { class: "rec-group " + (trusted ? "trusted" : "untrusted") },
        el("h4", null, mono(k.slice(2)), " ", trusted ? tag("trusted: written by the receiving organization", "good") : tag("untrusted: could be forged", "bad")),
        grid("Verdicts recorded by " + k.slice(2), ["Method", "Result", "Field", "Properties", "Comment"], list.map((r) => [
          String(r.method || ""), el("div", null, resultBadge(r.result), r.reason ? el("div", { class: "hint" }, String(r.reason)) : null, r.reasonMeaning ? el("div", { class: "hint" }, String(r.reasonMeaning)) : null),
          el("span", null, String(r.header || ""), r.instance ? " i=" + r.instance : ""),
          r.properties && typeof r.properties === "object" ? el("div", { class: "props" }, Object.entries(r.properties).map(([pk, pv]) => el("div", null, mono(pk + "=" + pv)))) : "",
          r.comment ? String(r.comment) : "",
        ]), "recorded")));
    }
  }
  if (!parts.length) return null;
  return el("div", null, parts);
}

// ---------- anti-spam headers ----------

function renderVendor(list) {
  return el("div", { class: "cards vendor-cards" }, list.filter((v) => v && typeof v === "object").map((v) => {
    const fields = (v.fields || []).filter((f) => f && typeof f === "object");
    const undocumented = fields.filter((f) => f.known === false).length;
    return el("article", { class: "card-item vendor" },
      el("h3", null, mono(v.header || ""), " ", el("span", { class: "muted" }, String(v.vendor || "")), " ", v.verdict ? el("span", { class: "badge b-v-" + token(v.verdict) }, String(v.verdict)) : null),
      v.summary ? el("p", { class: "v-summary" }, String(v.summary)) : null,
      fields.length ? grid(String(v.header || "fields"), ["Key", "Value", "Meaning"], fields.map((f) => ({ cls: f.known === false ? "unknown" : "", cells: [
        mono(f.key || ""), f.value === undefined || f.value === null || f.value === "" ? el("span", { class: "muted" }, "—") : mono(f.value),
        el("span", null, f.known === false ? tag("undocumented", "warn") : null, f.known === false ? " " : null, String(f.meaning || "")),
      ] })), "compact") : null,
      undocumented ? el("p", { class: "hint" }, undocumented + " undocumented code" + (undocumented > 1 ? "s" : "") + ", shown as written.") : null,
      v.opaque ? note("The value is opaque: the vendor does not document it.", "info") : null,
      v.raw ? fold("Raw value", el("pre", { class: "raw-block" }, String(v.raw))) : null,
      v.trace ? fold("Trace", generic(v.trace, "trace", 1)) : null);
  }));
}
function renderHeaders(list) {
  return el("div", { class: "table-scroll", tabindex: 0, role: "region", "aria-label": "Header fields" },
    el("table", { class: "headers" }, el("thead", null, el("tr", null,
      el("th", { scope: "col" }, "#"), el("th", { scope: "col" }, "Name"), el("th", { scope: "col" }, "Value"))),
    el("tbody", null, list.filter((h) => h && typeof h === "object").map((h, i) => el("tr", null,
      el("td", { class: "num" }, String(i + 1)),
      el("th", { scope: "row", class: "h-name" }, String(h.name ?? "")),
      el("td", { class: "h-value" }, String(h.value ?? "")))))));
}

// ---------- companion: transport security ----------

const PROBE_KIND = {
  refused: "the server refused the connection", timeout: "the server did not answer in time",
  unreachable: "the address cannot be reached", closed: "the server closed the connection",
  blocked: "the companion does not probe this address (it is not a public address)",
  rejected: "the server answered with an error reply", "protocol-error": "the server did not speak SMTP correctly",
  "reply-too-long": "the server's reply was too long", "no-starttls": "the server does not offer STARTTLS: mail to it travels unencrypted",
  "starttls-refused": "the server offers STARTTLS but refused to start it", "handshake-failure": "the TLS handshake failed",
  canceled: "the check was stopped before it finished", "network-error": "a network error stopped the check",
  "not-found": "the host name has no address", "dns-error": "the host name could not be resolved",
};
const CHAIN_KIND = { expired: "the certificate has expired", "not-yet-valid": "the certificate is not valid yet",
  "unknown-authority": "issued by an authority that is not trusted", "self-signed": "the certificate is self-signed", invalid: "the certificate chain is invalid" };
const FETCH_KIND = { blocked: "the policy host is not a public address", "dns-error": "the policy host (mta-sts.DOMAIN) does not resolve",
  "connect-error": "could not connect to the policy host on port 443", "certificate-error": "the policy host's HTTPS certificate is not valid",
  redirect: "the policy host redirected (not allowed)", "http-status": "the policy host answered with an HTTP error",
  "content-type": "the policy is not served as text/plain", "too-large": "the policy is too large", timeout: "the policy host did not answer in time",
  "syntax-error": "the policy file is not valid", "fetch-error": "the policy could not be fetched" };
const DANE_VERDICT = { "no-tlsa": "no TLSA records: DANE is not used", unauthenticated: "TLSA records exist but the DNS answer was not DNSSEC-authenticated (no AD bit), so they cannot be used",
  "no-usable-records": "no usable TLSA records", "not-checked": "not checked", match: "the server's certificate matches a TLSA record", mismatch: "the server's certificate matches no TLSA record" };
const API_ERROR = { "invalid-domain": "this is not a domain name the companion accepts", "host-not-found": "the domain does not exist in DNS",
  "rate-limited": "too many checks in a short time; wait a minute and try again", busy: "the companion is busy; try again shortly",
  "forbidden-origin": "the companion refuses requests from this page's origin (start it with --allow-origin)",
  "forbidden-host": "the companion refuses this host name (--allowed-host)", "dns-error": "the companion's DNS lookups failed",
  "target-refused": "the companion does not probe this target", "not-found": "the companion has no such API (is it headerlens serve?)" };

const companion = { detect: null, cards: new Map(), holder: null, status: null, base: null };

// companionBase decides which companion to use: the settings' URL, none
// ("off"), or, by default, this page's own origin when headerlens serve
// answers /healthz there. Only that health check is sent to find out.
function companionBase() {
  const s = settings();
  if (s.offline) return Promise.resolve({ url: null, reason: "Offline is on, so nothing is sent to a companion." });
  const v = (s.companion || "").trim();
  if (/^(off|none|no|0|false)$/i.test(v)) return Promise.resolve({ url: null, reason: "The companion is turned off in the settings (companion=" + v + ")." });
  if (v) {
    try {
      return Promise.resolve({ url: new URL(v, location.href).href.replace(/\/?$/, "/"), how: "set in the settings" });
    } catch (e) {
      return Promise.resolve({ url: null, reason: "The companion URL in the settings is not valid." });
    }
  }
  if (!companion.detect) {
    const health = new URL("/healthz", location.href);
    companion.detect = fetch(health, { credentials: "omit", referrerPolicy: "no-referrer", cache: "no-store" })
      .then((r) => r.ok ? r.json() : null)
      .then((j) => j && j.status === "ok" ? { url: new URL("/", location.href).href, how: "this site's own server (headerlens serve)" }
        : { url: null, reason: "This page is not served by headerlens serve, and no companion URL is set." })
      .catch(() => ({ url: null, reason: "This page is not served by headerlens serve, and no companion URL is set." }));
  }
  return companion.detect;
}

function renderCompanionSection(report) {
  const s = report.summary || {};
  const status = el("p", { class: "explain", "aria-live": "polite" }, "Looking for a companion server…");
  const holder = el("div", { class: "cards companion-cards" });
  companion.cards = new Map();
  companion.holder = holder;
  companion.status = status;
  companion.base = null;
  const auto = [];
  if (s.fromDomain) auto.push([String(s.fromDomain).toLowerCase(), "the From domain"]);
  // The recipient domains as the analyzer read them (summary.recipientDomains),
  // the same ones analyze(text, {companion}) checks.
  for (const d of Array.isArray(s.recipientDomains) ? s.recipientDomains : []) {
    if (typeof d === "string" && d) auto.push([d.toLowerCase(), "a recipient (To or Cc) domain"]);
  }
  // A report that already holds the companion's answers (report.transport)
  // is shown as it is; those domains are not asked again.
  for (const t of Array.isArray(report.transport) ? report.transport : []) {
    if (!t || typeof t !== "object" || !t.domain) continue;
    const why = (Array.isArray(t.roles) ? t.roles : []).map((r) => r === "from" ? "the From domain" : r === "recipient" ? "a recipient domain" : String(r)).join(", ");
    const card = companionCard(String(t.domain), why || "checked by the analyzer");
    card.lastChild.replaceChildren(t.result && typeof t.result === "object" ? renderMailTLS(t.result)
      : note("The companion could not check " + t.domain + ": " + String(t.error || "no answer") + ".", "bad"));
  }
  companionBase().then((b) => {
    if (companion.holder !== holder) return; // a newer report replaced this one
    companion.base = b;
    if (!b.url) {
      status.replaceChildren(el("strong", null, "Transport checks unavailable. "), b.reason + " ",
        "Without a companion the page cannot test STARTTLS, certificates, MTA-STS or DANE (a browser cannot open SMTP connections). ",
        "To enable them, open this page from ", mono("headerlens serve"), " (", mono("make run"), "), or set a companion URL in the settings (",
        mono("?companion=URL"), "; the site's Content-Security-Policy must allow it, ", mono("--connect-src"), "). Everything else on this page works without it.");
      for (const btn of document.querySelectorAll("#results button.check-tls")) { btn.disabled = true; btn.title = "No companion server is available"; }
      return;
    }
    status.replaceChildren("Companion: ", mono(new URL(b.url).origin), " (" + b.how + "). It receives only the domain names below, never the message. Use the ",
      el("strong", null, "Check"), " buttons in the Received trail to check the domain of a hop.");
    for (const [d, why] of auto) if (!companion.cards.has(d)) checkDomain(d, why);
  });
  return section("companion", el("div", null, status, holder), 0);
}

// checkDomain adds (or reuses) the card of one domain and asks the
// companion's /api/v1/mail-tls about it. Only the domain name is sent.
function checkDomain(domain, why, focus) {
  const holder = companion.holder;
  if (!holder) return;
  let card = companion.cards.get(domain);
  if (card) {
    if (focus) { card.scrollIntoView({ block: "start" }); card.focus({ preventScroll: true }); }
    return;
  }
  card = companionCard(domain, why);
  const body = card.lastChild;
  const sec = holder.closest("details");
  if (focus && sec) sec.open = true;
  if (focus) { card.scrollIntoView({ block: "start" }); card.focus({ preventScroll: true }); }
  const b = companion.base;
  if (!b || !b.url) {
    body.replaceChildren(note("No companion server is available, so this domain cannot be checked.", "warn"));
    return;
  }
  const endpoint = new URL("api/v1/mail-tls", b.url);
  endpoint.searchParams.set("domain", domain);
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), 90000);
  const t0 = performance.now();
  fetch(endpoint, { signal: ctl.signal, credentials: "omit", referrerPolicy: "no-referrer" })
    .then(async (resp) => {
      const data = await resp.json().catch(() => null);
      if (!resp.ok) {
        const code = data && data.code;
        throw new Error((API_ERROR[code] || (data && data.error) || "HTTP " + resp.status) + (code ? " (" + code + ")" : ""));
      }
      if (!data || typeof data !== "object") throw new Error("the answer was not JSON");
      body.replaceChildren(renderMailTLS(data, performance.now() - t0));
    })
    .catch((e) => {
      const msg = e && e.name === "AbortError" ? "no answer within 90 s" : (e && e.message ? e.message : String(e));
      body.replaceChildren(note("The companion could not check " + domain + ": " + msg +
        (e instanceof TypeError ? ". (Is it running? Its URL must also be allowed by this site's Content-Security-Policy: headerlens serve --connect-src.)" : "."), "bad"));
    })
    .finally(() => clearTimeout(timer));
}

// companionCard adds the (empty) card of one domain to the section.
function companionCard(domain, why) {
  const body = el("div", { "aria-live": "polite" }, el("p", { class: "explain" }, "Checking…"));
  const card = el("article", { class: "card-item tls-card", tabindex: -1, "data-domain": domain },
    el("h3", null, mono(domain), " ", el("span", { class: "muted" }, "— " + why)), body);
  companion.cards.set(domain, card);
  companion.holder.append(card);
  return card;
}

function ms(v) { return typeof v === "number" ? Math.round(v) + " ms" : ""; }

function expiry(days) {
  if (typeof days !== "number") return null;
  if (days < 0) return tag("expired " + -days + " days ago", "bad");
  return tag("expires in " + days + " day" + (days === 1 ? "" : "s"), days < 14 ? "warn" : "good");
}

function renderProbe(p) {
  if (!p) return null;
  const t = p.tls;
  const leaf = t && Array.isArray(t.certificates) ? t.certificates[0] : null;
  const rows = [
    ["STARTTLS offered", typeof p.starttlsOffered === "boolean" ? yesNo(p.starttlsOffered) : null],
    ["TLS", t ? el("span", null, el("strong", null, String(t.version || "")), " ", t.cipherSuite ? mono(t.cipherSuite) : null) : null],
    ["Certificate", leaf ? el("div", null,
      el("div", null, el("span", { class: "k" }, "subject "), mono(leaf.subject || "")),
      Array.isArray(leaf.sans) && leaf.sans.length ? el("div", null, el("span", { class: "k" }, "SAN "), el("span", { class: "chips" }, leaf.sans.slice(0, 20).map((x) => el("code", { class: "chip" }, String(x)))), leaf.sans.length > 20 ? " +" + (leaf.sans.length - 20) : "") : null,
      el("div", null, el("span", { class: "k" }, "issuer "), mono(leaf.issuer || "")),
      el("div", null, el("span", { class: "k" }, "valid until "), when(leaf.notAfter), " ", expiry(t.daysToExpiry))) : null],
    ["Chain verified", t ? el("span", null, yesNo(!!t.chainVerified), t.chainErrorKind ? " — " + (CHAIN_KIND[t.chainErrorKind] || t.chainErrorKind) : "", t.chainError ? el("div", { class: "hint" }, String(t.chainError)) : null) : null],
    ["Host name matches", t ? (t.hostnameChecked ? el("span", null, yesNo(!!t.hostnameMatch), t.hostnameError ? el("div", { class: "hint" }, String(t.hostnameError)) : null) : "not checked") : null],
    ["Legacy TLS 1.0/1.1", p.legacyTls ? (p.legacyTls.accepted ? tag("⚠ accepted " + (p.legacyTls.version || "") + " (deprecated by RFC 8996)", "warn") : tag("✓ refused", "good")) : null],
    ["Timings", p.timings ? ["connect " + ms(p.timings.connectMs), "banner " + ms(p.timings.bannerMs), "EHLO " + ms(p.timings.ehloMs), "TLS " + ms(p.timings.handshakeMs), "total " + ms(p.timings.totalMs)].filter((x) => !/ $/.test(x)).join(" · ") : null],
    ["Banner", p.banner && Array.isArray(p.banner.lines) ? mono(p.banner.code + " " + p.banner.lines.join(" ")) : null],
  ];
  const parts = [kv(rows, "tls-kv")];
  if (p.error) parts.unshift(note("Failed at " + (p.error.step || "?") + ": " + (PROBE_KIND[p.error.kind] || p.error.kind || "error") +
    (p.error.alert ? " (TLS alert: " + p.error.alert + ")" : "") + (p.error.message ? " — " + p.error.message : ""), p.error.kind === "no-starttls" ? "bad" : "warn"));
  return el("div", null, parts);
}

function renderDANE(d, err) {
  if (err) return note("DANE: " + err, "warn");
  if (!d) return null;
  const recs = Array.isArray(d.records) ? d.records : [];
  return el("div", { class: "dane" }, el("span", { class: "k" }, "DANE "), tag(d.verdict || "?", d.verdict === "match" ? "good" : d.verdict === "mismatch" ? "bad" : ""),
    " " + (DANE_VERDICT[d.verdict] || ""), " · TLSA records: " + recs.length, " · AD bit: ", yesNo(!!d.authenticated),
    recs.length ? fold("TLSA records", el("ul", { class: "plain" }, recs.map((r) => el("li", null, mono(r.usage + " " + r.selector + " " + r.matchingType + " " + String(r.data || "").slice(0, 64)),
      r.matched ? " " : null, r.matched ? tag("matched", "good") : null, r.reason ? " " + r.reason : "")))) : null);
}

function renderMailTLS(d, elapsed) {
  const parts = [];
  if (d.nullMx) parts.push(note("The domain publishes a null MX (RFC 7505): it accepts no mail.", "info"));
  if (d.implicitMx) parts.push(note("No MX records: mail goes to the domain's own address (implicit MX, RFC 5321 §5.1).", "info"));
  if (d.mxError) parts.push(note("MX lookup: " + d.mxError, "bad"));
  if (d.mxTruncated) parts.push(el("p", { class: "hint" }, d.mxTruncated + " more MX hosts were not probed."));
  const sts = d.mtaSts;
  const hosts = (d.hosts || []).filter((h) => h && typeof h === "object");
  for (const h of hosts) {
    const addrs = (h.addresses || []).filter(Boolean);
    parts.push(el("section", { class: "mx" },
      el("h4", null, "MX ", mono(h.host || ""), el("span", { class: "muted" }, " preference " + (h.preference ?? "?") + (h.port ? " · port " + h.port : "")),
        typeof h.mtaStsMatch === "boolean" ? [" ", tag(h.mtaStsMatch ? "✓ in MTA-STS policy" : "✗ not in MTA-STS policy", h.mtaStsMatch ? "good" : "bad")] : null),
      addrs.length ? el("p", { class: "hint" }, "Addresses: ", addrs.map((a, i) => [i ? ", " : "", mono(a.address || ""), a.refused ? " (not probed: " + a.refused + ")" : ""])) : null,
      h.error ? note((PROBE_KIND[h.errorKind] || h.errorKind || "error") + (h.error ? " — " + h.error : ""), "bad") : null,
      renderProbe(h.probe), renderDANE(h.dane, h.daneError)));
  }
  if (!hosts.length && !d.nullMx) parts.push(note("No mail server was found to probe.", "warn"));
  if (sts) {
    const f = sts.fetch;
    const pol = f && f.policy;
    parts.push(el("section", { class: "sts" }, el("h4", null, "MTA-STS (RFC 8461) ", sts.valid ? tag("mode: " + (sts.mode || pol && pol.mode || "?"), sts.mode === "enforce" ? "good" : "warn")
        : sts.record ? tag("✗ record found, but no valid policy", "bad") : tag("not set up", "")),
      kv([
        ["Record", sts.record ? mono("v=" + (sts.record.version || "") + "; id=" + (sts.record.id || "")) : (sts.recordError ? String(sts.recordError) : null)],
        ["Policy", f ? el("span", null, f.url ? mono(f.url) : null, f.status ? " HTTP " + f.status : "", f.errorKind ? " — " + (FETCH_KIND[f.errorKind] || f.errorKind).replace("DOMAIN", String(sts.domain || "DOMAIN")) : "", f.error ? el("div", { class: "hint" }, String(f.error)) : null) : null],
        ["Policy MX", pol && Array.isArray(pol.mx) ? el("span", { class: "chips" }, pol.mx.map((m) => el("code", { class: "chip" }, String(m)))) : null],
        ["Max age", pol && pol.maxAge ? human(pol.maxAge) : null],
        ["MX matching", Array.isArray(sts.mx) && sts.mx.length ? el("ul", { class: "plain" }, sts.mx.map((m) => el("li", null, mono(m.host || ""), " ", yesNo(!!m.matches)))) : null],
      ])));
  }
  const rpt = d.tlsRpt;
  if (rpt) {
    parts.push(el("section", { class: "rpt" }, el("h4", null, "TLS-RPT (RFC 8460) ", rpt.valid ? tag("✓ reports requested", "good") : tag("no record", "")),
      kv([["Record at", rpt.name ? mono(rpt.name) : null], ["Reports to", rpt.record && Array.isArray(rpt.record.rua) ? el("span", { class: "chips" }, rpt.record.rua.map((u) => el("code", { class: "chip" }, String(u)))) : null],
        ["Problem", rpt.error ? String(rpt.error) : null]])));
  }
  parts.push(el("p", { class: "hint" }, "Checked " + (d.generatedAt ? when(d.generatedAt) : "now") + (typeof d.durationMs === "number" ? " in " + ms(d.durationMs) : typeof elapsed === "number" ? " in " + ms(elapsed) : "") + "."));
  parts.push(fold("Every field of the answer", generic(d, "", 1)));
  return el("div", null, parts);
}

// ---------- the report ----------

// Report keys with their own renderer; any other key is rendered
// generically, so new report fields show up without a page change.
const HANDLED = new Set(["summary", "findings", "hops", "trail", "live", "recorded", "vendor", "dns", "headers", "notes", "companion", "transport"]);
const LIVE_HANDLED = new Set(["enabled", "reason", "identities", "spf", "spfSkipped", "dkim", "arc", "dmarc", "comparison"]);

function renderReport(report) {
  const out = $("results");
  if (!report || typeof report !== "object") throw new Error("the analyzer returned no report");
  const frag = document.createDocumentFragment();
  const add = (key, content, count) => { if (content && !(content instanceof Element && !content.hasChildNodes())) frag.append(section(key, content, count)); };
  const live = report.live && typeof report.live === "object" ? report.live : { enabled: false, reason: "the report has no live results" };
  frag.append(renderVerdict(report));
  if (present(report.summary) && typeof report.summary === "object") add("summary", renderSummary(report.summary));
  if (Array.isArray(report.findings)) add("findings", renderFindings(report.findings), report.findings.length);
  if (Array.isArray(report.hops)) add("hops", renderTrail(report), report.hops.length);
  if (live.enabled === false) {
    add("live", el("div", null, note("Live checks skipped: " + String(live.reason || "offline") + ".", "warn"),
      el("p", { class: "explain" }, "SPF, DKIM, DMARC and ARC were not re-checked. The verdicts the receiving servers recorded are below; turn Offline off in the settings to check them against today's DNS.")));
  } else {
    add("spf", renderSPF(live));
    add("dkim", renderDKIM(live), Array.isArray(live.dkim) ? live.dkim.length : 0);
    add("dmarc", renderDMARC(live));
    add("arc", renderARC(live));
    const other = Object.fromEntries(Object.entries(live).filter(([k, v]) => !LIVE_HANDLED.has(k) && present(v)));
    if (present(other)) add("live", generic(other, "live", 0));
  }
  add("recorded", renderRecorded(report), Array.isArray(report.recorded) ? report.recorded.length : 0);
  if (Array.isArray(report.vendor) && report.vendor.length) add("vendor", renderVendor(report.vendor), report.vendor.length);
  if (present(report.companion)) add("companion", generic(report.companion, "companion", 0));
  else frag.append(renderCompanionSection(report));
  if (Array.isArray(report.dns) && report.dns.length) {
    const [prefer, hide] = TABLE_COLUMNS.dns;
    add("dns", table(report.dns, 0, { number: true, caption: "DNS queries", columns: pick(report.dns, prefer, hide) }), report.dns.length);
  }
  if (Array.isArray(report.headers)) add("headers", renderHeaders(report.headers), report.headers.length);
  if (present(report.notes)) add("notes", generic(report.notes, "notes", 0));
  for (const k of Object.keys(report)) {
    if (HANDLED.has(k) || META.includes(k) || !present(report[k])) continue;
    add(k, generic(report[k], k, 0));
  }
  const meta = {};
  for (const k of META) if (present(report[k])) meta[k] = report[k];
  if (present(meta)) add("about", generic(meta, "", 0));
  const json = JSON.stringify(report, null, 2);
  const dl = el("button", { type: "button", class: "secondary" }, "Download the report (JSON)");
  dl.addEventListener("click", () => {
    const url = URL.createObjectURL(new Blob([json], { type: "application/json" }));
    const a = el("a");
    a.href = url;
    a.download = "headerlens-report.json";
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  });
  frag.append(el("p", { class: "report-actions" }, dl));
  // One DOM insertion per analysis.
  out.replaceChildren(frag);
  out.hidden = false;
}

// ---------- settings ----------

const FIELDS = ["doh", "companion", "ip", "helo", "mailFrom"];

function readSettingsFromURL() {
  const q = new URLSearchParams(location.search);
  for (const f of FIELDS) if (q.get(f)) $(f).value = q.get(f);
  $("offline").checked = ["1", "true", "yes", "on"].includes((q.get("offline") || "").toLowerCase());
  // Show the settings when the address sets an SPF identity override, so
  // that it is not applied unseen.
  if (["ip", "helo", "mailFrom"].some((f) => q.get(f))) $("settings").open = true;
  // Relative to the page: a path that starts with "//" must not turn the
  // link into a protocol-relative URL to another host.
  $("settings-link").href = location.search || "./";
}

function settings() {
  const s = {};
  for (const f of FIELDS) {
    const v = $(f).value.trim();
    if (v) s[f] = v;
  }
  if ($("offline").checked) s.offline = true;
  return s;
}

// bridgeOptions turns the settings into headerlens.analyze options: several
// DoH URLs may be given separated by commas or spaces, tried in order.
function bridgeOptions(s) {
  const o = { ...s };
  // The page asks the companion itself, after the report is shown, so that
  // slow mail servers never hold up the analysis (see checkDomain).
  delete o.companion;
  if (o.doh) o.doh = o.doh.split(/[\s,]+/).filter(Boolean);
  return o;
}

function settingsChanged() {
  const s = settings();
  const q = new URLSearchParams();
  for (const f of FIELDS) if (s[f]) q.set(f, s[f]);
  if (s.offline) q.set("offline", "1");
  const qs = q.toString();
  const url = qs ? "?" + qs : location.pathname.replace(/^\/+/, "/");
  history.replaceState(null, "", url);
  $("settings-link").href = url;
  updatePrivacy(s);
}

function updatePrivacy(s) {
  const doh = $("privacy-doh");
  const comp = $("privacy-companion");
  if (s.offline) {
    doh.textContent = "(none: offline)";
    comp.textContent = "";
    return;
  }
  doh.textContent = s.doh || (globalThis.headerlens?.defaultDoh || []).join(", ") || "(default)";
  comp.textContent = /^(off|none|no|0|false)$/i.test(s.companion || "") ? ""
    : "; and, for the transport-security checks, domain names (never the message) to " + (s.companion ? "the companion " + s.companion : "this site's own server when it is headerlens serve");
}

// ---------- input ----------

let loaded = null; // { name, bytes, text } of the last file read

async function readFile(file) {
  $("file-info").textContent = "";
  if (file.size > MAX_BYTES) {
    showError("The file " + file.name + " is larger than 10 MiB. Save only the headers and try again.");
    return;
  }
  const bytes = new Uint8Array(await file.arrayBuffer());
  const text = new TextDecoder("utf-8").decode(bytes);
  loaded = { name: file.name, bytes, text };
  $("message").value = text;
  $("file-info").textContent = "Read " + file.name + " (" + bytes.length.toLocaleString() + " bytes) locally.";
  hideError();
}

function showError(msg) {
  const box = $("error");
  const note = box.querySelector(".csp-note");
  box.replaceChildren(el("strong", null, "Could not analyze: "), String(msg));
  if (note) box.append(note);
  box.hidden = false;
}

function hideError() {
  $("error").hidden = true;
  $("error").replaceChildren();
}

function setStatus(msg) {
  $("status").textContent = msg;
}

let analyzer = null;
let busy = false;

async function analyze() {
  if (!analyzer || busy) return;
  const textValue = $("message").value;
  const input = loaded && loaded.text === textValue ? loaded.bytes : textValue;
  if ((typeof input === "string" ? input.trim() : "x") === "") {
    showError("Paste the message headers first, or drop an .eml file.");
    $("message").focus();
    return;
  }
  hideError();
  busy = true;
  $("analyze").disabled = true;
  $("results").setAttribute("aria-busy", "true");
  setStatus("Analyzing…");
  const t0 = performance.now();
  try {
    const report = await analyzer.analyze(input, bridgeOptions(settings()));
    renderReport(report);
    setStatus("Done in " + Math.round(performance.now() - t0) + " ms.");
    $("results").focus({ preventScroll: false });
  } catch (e) {
    showError(e && e.message ? e.message : String(e));
    setStatus("");
  } finally {
    busy = false;
    $("analyze").disabled = false;
    $("results").removeAttribute("aria-busy");
  }
}

// ---------- start ----------

async function loadAnalyzer() {
  if (typeof Go !== "function") throw new Error("wasm_exec.js did not load");
  const go = new Go();
  let result;
  try {
    result = await WebAssembly.instantiateStreaming(fetch("headerlens.wasm"), go.importObject);
  } catch (e) {
    // Served with the wrong media type, or an old browser: fall back.
    const resp = await fetch("headerlens.wasm");
    if (!resp.ok) throw new Error("headerlens.wasm: HTTP " + resp.status);
    result = await WebAssembly.instantiate(await resp.arrayBuffer(), go.importObject);
  }
  const ready = new Promise((resolve) => globalThis.addEventListener("headerlens:ready", resolve, { once: true }));
  go.run(result.instance).then(() => {
    analyzer = null;
    $("analyze").disabled = true;
    setStatus("The analyzer stopped; reload the page.");
  });
  if (!globalThis.headerlens) await ready;
  return globalThis.headerlens;
}

// cspBlocked explains a connection the site's Content-Security-Policy
// refused: usually a ?doh= or companion URL the server was not started with.
function cspBlocked(e) {
  if (e.effectiveDirective !== "connect-src") return;
  const note = el("p", { class: "explain csp-note" }, "The browser refused to connect to " + String(e.blockedURI) +
    ": this site's Content-Security-Policy allows only the DNS resolvers and servers it was started with. " +
    "Use one of those, or start the server with --doh " + String(e.blockedURI) + " (or --connect-src for a companion).");
  const box = $("error");
  if (!box.querySelector(".csp-note")) box.append(note);
  box.hidden = false;
}

function wire() {
  document.addEventListener("securitypolicyviolation", cspBlocked);
  $("input-form").addEventListener("submit", (e) => { e.preventDefault(); analyze(); });
  $("message").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); analyze(); }
  });
  $("clear").addEventListener("click", () => {
    $("message").value = "";
    loaded = null;
    $("file-info").textContent = "";
    $("results").hidden = true;
    $("results").replaceChildren();
    hideError();
    $("message").focus();
  });
  $("file").addEventListener("change", (e) => {
    const f = e.target.files && e.target.files[0];
    if (f) readFile(f).catch((err) => showError(err.message || String(err)));
  });
  for (const zone of [$("drop"), $("message")]) {
    zone.addEventListener("dragover", (e) => { e.preventDefault(); $("drop").classList.add("over"); });
    zone.addEventListener("dragleave", () => $("drop").classList.remove("over"));
    zone.addEventListener("drop", (e) => {
      e.preventDefault();
      $("drop").classList.remove("over");
      const f = e.dataTransfer && e.dataTransfer.files && e.dataTransfer.files[0];
      if (f) readFile(f).catch((err) => showError(err.message || String(err)));
    });
  }
  for (const f of FIELDS.concat(["offline"])) $(f).addEventListener("change", settingsChanged);
  // The Check buttons of the trail: the user picks which hop's domain the
  // companion checks; nothing but that domain name is sent.
  $("results").addEventListener("click", (e) => {
    const btn = e.target instanceof Element ? e.target.closest("button.check-tls") : null;
    if (btn && !btn.disabled && btn.dataset.domain) checkDomain(btn.dataset.domain, "picked from the Received trail", true);
  });
  // Printing expands every folded section; they fold back afterwards.
  let opened = [];
  globalThis.addEventListener("beforeprint", () => {
    opened = [...document.querySelectorAll("#results details:not([open])")];
    for (const d of opened) d.open = true;
  });
  globalThis.addEventListener("afterprint", () => {
    for (const d of opened) d.open = false;
    opened = [];
  });
}

async function start() {
  readSettingsFromURL();
  wire();
  updatePrivacy(settings());
  try {
    analyzer = await loadAnalyzer();
    $("version").textContent = analyzer.version || "";
    $("doh-defaults").textContent = (analyzer.defaultDoh || []).join(", ");
    updatePrivacy(settings());
    $("analyze").disabled = false;
    setStatus("Ready.");
  } catch (e) {
    setStatus("");
    showError("the analyzer did not load (" + (e && e.message ? e.message : String(e)) + ").");
  }
}

start();
