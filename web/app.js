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
  live: ["Live checks", "Checked now, against today's DNS records: SPF (RFC 7208), DKIM signatures (RFC 6376), DMARC (RFC 7489) and ARC (RFC 8617). Keys and policies may have changed since the message was sent."],
  recorded: ["Recorded verdicts", "What the receiving servers wrote down when the message arrived (Authentication-Results, ARC-Authentication-Results, Received-SPF). Only the ones marked trusted were written by your own provider; the others could have been written by the sender."],
  hops: ["Hops", "The servers the message passed through, from its Received: header fields. Each server adds its field on top, so only the top ones, added by your provider, are trustworthy."],
  trail: ["Trust boundary", "Where the message entered the receiving organization: the hop whose connecting address SPF is checked against, and how it was found."],
  vendor: ["Mail filter verdicts", "What anti-spam filters wrote into the message, decoded. Codes that are not documented are shown as written."],
  dns: ["DNS queries", "Every DNS question the analysis asked, and where it was sent."],
  headers: ["Header fields", "The header fields as they appear in the message."],
  notes: ["Notes", null],
  errors: ["Problems during the analysis", null],
  companion: ["Mail server TLS (companion)", "Checked by the companion server, which receives only the domain name: STARTTLS on the domain's MX hosts, MTA-STS (RFC 8461), TLS-RPT (RFC 8460) and DANE (RFC 7672)."],
};
const ORDER = ["summary", "findings", "live", "recorded", "hops", "trail", "vendor", "dns", "headers", "notes", "errors"];
// Facts about the run itself, shown together at the end.
const META = ["version", "input", "elapsedMs"];
SECTION_INFO.about = ["About this analysis", null];
const COLLAPSED = new Set(["dns", "headers", "vendor"]);

function section(key, content, count) {
  const [title, intro] = SECTION_INFO[key] || [label(key), null];
  const id = "s-" + token(key);
  const heading = el("h2", { id }, title, count ? el("span", { class: "count" }, " (" + count + ")") : null);
  const parts = [intro ? el("p", { class: "intro" }, intro) : null, content];
  if (COLLAPSED.has(key)) {
    return el("section", { class: "report-section", "aria-labelledby": id },
      el("details", null, el("summary", null, heading), parts));
  }
  return el("section", { class: "report-section", "aria-labelledby": id }, heading, parts);
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

const SEVERITY_RANK = { critical: 0, error: 1, fail: 1, high: 1, warning: 2, warn: 2, medium: 2, notice: 3, low: 3, info: 4, pass: 5, ok: 5 };

function renderFindings(list) {
  const items = list.filter((f) => f && typeof f === "object").slice();
  items.sort((a, b) => (SEVERITY_RANK[String(a.severity).toLowerCase()] ?? 3) - (SEVERITY_RANK[String(b.severity).toLowerCase()] ?? 3));
  return el("ul", { class: "findings" }, items.map((f) => {
    const extra = Object.fromEntries(Object.entries(f).filter(([k]) => !["severity", "code", "message"].includes(k)));
    return el("li", { class: "finding f-" + token(f.severity || "info") },
      el("div", { class: "finding-head" }, f.severity ? badge(f.severity) : null,
        el("span", { class: "finding-msg" }, f.message ? String(f.message) : ""),
        f.code ? el("code", { class: "finding-code" }, String(f.code)) : null),
      present(extra) ? generic(extra, "", 1) : null);
  }));
}

function renderChecks(obj) {
  // One sub-section per check (spf, dkim, ...), each rendered generically.
  const wrap = el("div", { class: "checks" });
  if (obj.enabled === false) {
    wrap.append(el("p", { class: "explain" }, "Not run" + (obj.reason ? ": " + String(obj.reason) : ".")));
  }
  for (const [k, v] of Object.entries(obj)) {
    if (!present(v) || k === "enabled" || (k === "reason" && obj.enabled === false)) continue;
    if (Array.isArray(v) && v.every((x) => x && typeof x === "object" && !Array.isArray(x))) {
      // One block per item (each DKIM signature, each comparison...).
      v.forEach((item, i) => {
        const name = [item.domain || item.method, item.selector ? "(" + item.selector + ")" : ""].filter(Boolean).join(" ");
        wrap.append(el("div", { class: "check" },
          el("h3", null, label(k) + (v.length > 1 ? " " + (i + 1) : "") + (name ? ": " + name : ""), " ",
            typeof item.result === "string" ? badge(item.result) : null),
          dl(item, 1)));
      });
      continue;
    }
    const verdict = v && typeof v === "object" && !Array.isArray(v) && typeof v.result === "string" ? badge(v.result) : null;
    wrap.append(el("div", { class: "check" }, el("h3", null, label(k), " ", verdict), generic(v, k, 1)));
  }
  return wrap;
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

function renderReport(report) {
  const out = $("results");
  out.replaceChildren();
  if (!report || typeof report !== "object") throw new Error("the analyzer returned no report");
  const keys = ORDER.filter((k) => present(report[k])).concat(
    Object.keys(report).filter((k) => !ORDER.includes(k) && !META.includes(k) && present(report[k])));
  for (const k of keys) {
    const v = report[k];
    let content;
    let count = 0;
    if (k === "summary" && typeof v === "object" && !Array.isArray(v)) content = renderSummary(v);
    else if (k === "findings" && Array.isArray(v)) { content = renderFindings(v); count = v.length; }
    else if ((k === "live" || k === "recorded") && typeof v === "object" && !Array.isArray(v)) content = renderChecks(v);
    else if (k === "headers" && Array.isArray(v)) { content = renderHeaders(v); count = v.length; }
    else if (TABLE_COLUMNS[k] && Array.isArray(v) && v.every((x) => x && typeof x === "object" && !Array.isArray(x))) {
      const [prefer, hide] = TABLE_COLUMNS[k];
      content = table(v, 0, { number: true, caption: (SECTION_INFO[k] || [label(k)])[0], columns: pick(v, prefer, hide) });
      count = v.length;
    } else content = generic(v, k, 0);
    if (!content || (content instanceof Element && !content.hasChildNodes())) continue;
    out.append(section(k, content, count));
  }
  const comp = companionSection(report);
  if (comp) out.append(comp);
  const meta = {};
  for (const k of META) if (present(report[k])) meta[k] = report[k];
  if (present(meta)) out.append(section("about", generic(meta, "", 0), 0));
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
  out.append(el("p", { class: "report-actions" }, dl));
  out.hidden = false;
}

// ---------- companion ----------

// companionSection asks the companion server (when one is set and the
// analyzer did not already) for the mail-TLS state of the From domain:
// STARTTLS on its MX hosts, MTA-STS (RFC 8461), TLS-RPT (RFC 8460) and DANE
// (RFC 7672). Only the domain name is sent. It returns the section, filled in
// when the answer arrives, or null.
function companionSection(report) {
  const s = settings();
  const domain = report.summary && report.summary.fromDomain;
  if (!s.companion || s.offline || !domain || present(report.companion)) return null;
  let endpoint;
  try {
    endpoint = new URL("api/v1/mail-tls", new URL(s.companion, location.href).href.replace(/\/?$/, "/"));
  } catch (e) {
    return section("companion", el("p", { class: "explain" }, "The companion URL is not valid."), 0);
  }
  endpoint.searchParams.set("domain", domain);
  const body = el("div", { "aria-live": "polite" }, el("p", { class: "explain" }, "Asking the companion at " + endpoint.origin + " about " + domain + "…"));
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), 90000);
  fetch(endpoint, { signal: ctl.signal, credentials: "omit", referrerPolicy: "no-referrer" })
    .then(async (resp) => {
      const data = await resp.json().catch(() => null);
      if (!resp.ok) throw new Error((data && data.error) || "HTTP " + resp.status);
      body.replaceChildren(generic(data, "", 0) || el("p", null, "No data."));
    })
    .catch((e) => {
      body.replaceChildren(el("p", { class: "explain" }, "The companion did not answer: " + (e && e.message ? e.message : String(e)) +
        ". (Its URL must also be allowed by this site's Content-Security-Policy: headerlens serve --connect-src.)"));
    })
    .finally(() => clearTimeout(timer));
  return section("companion", body, 0);
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
  comp.textContent = s.companion ? ", and domain names (never the message) to the companion " + s.companion : "";
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
