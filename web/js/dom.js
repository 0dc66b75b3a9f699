// dom.js: the page's DOM helpers. Every piece of text that comes from a
// message or a report goes in through el() and append() as a text node;
// no module of the page ever parses a string as HTML (web/web_test.go fails
// if one tries).

// el builds an element. attrs values are set with setAttribute for a fixed
// set of harmless attributes; children are nodes or strings (text nodes).
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (!/^(class|id|type|scope|colspan|title|lang|role|tabindex|for|aria-[a-z]+|data-[a-z-]+)$/.test(k)) {
        throw new Error("el: attribute not allowed: " + k);
      }
      node.setAttribute(k, String(v));
    }
  }
  for (const c of children) append(node, c);
  return node;
}

// append adds c (a node, a string, or an array of them) to node.
export function append(node, c) {
  if (c === undefined || c === null || c === false) return;
  if (Array.isArray(c)) { for (const x of c) append(node, x); return; }
  node.append(c instanceof Node ? c : document.createTextNode(String(c)));
}

// token turns arbitrary text into a safe CSS class fragment.
export function token(s) {
  return String(s).toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 32);
}

// present reports whether a report value has something to show.
export function present(v) {
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
export function label(key) {
  if (Object.hasOwn(LABELS, key)) return LABELS[key];
  const words = String(key).replace(/([a-z0-9])([A-Z])/g, "$1 $2").replace(/[_-]+/g, " ").toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

// badge is a coloured word (a result or a severity).
export function badge(word) {
  return el("span", { class: "badge b-" + token(word) }, String(word));
}

const MARKS = { pass: "✓", fail: "✗", permerror: "✗", softfail: "!", temperror: "!", neutral: "–", none: "–", policy: "!", skipped: "–" };

// resultBadge is a badge with a symbol besides the colour, so that the
// result never rests on colour alone.
export function resultBadge(word) {
  const w = String(word || "none");
  return el("span", { class: "badge b-" + token(w) }, el("span", { class: "mark", "aria-hidden": "true" }, MARKS[w.toLowerCase()] || "•"), " " + w);
}

// link is an in-page link to one of the report's own section ids (never to
// a value from the report): the id must look like "s-word". It works in the
// page and inside a shadow root, where fragment navigation does not reach.
export function link(id, attrs, ...children) {
  const a = el("a", attrs, ...children);
  if (!/^s-[a-z0-9-]+$/.test(id)) throw new Error("link: not a section id: " + id);
  a.setAttribute("href", "#" + id);
  a.addEventListener("click", (e) => {
    const root = a.getRootNode();
    const t = root && typeof root.getElementById === "function" ? root.getElementById(id) : null;
    // Open the target section (and its parents) when it was folded.
    for (let d = t && t.closest("details"); d; d = d.parentElement && d.parentElement.closest("details")) d.open = true;
    if (t && root instanceof ShadowRoot) {
      e.preventDefault();
      t.scrollIntoView({ block: "start" });
    }
  });
  return a;
}

export function mono(s) {
  return el("code", { class: "raw" }, String(s));
}

export function tag(text, kind) {
  return el("span", { class: "tag" + (kind ? " t-" + kind : "") }, text);
}

export function note(text, kind) {
  return el("p", { class: "note" + (kind ? " n-" + kind : "") }, text);
}

export function fold(summaryText, ...content) {
  return el("details", { class: "fold" }, el("summary", null, summaryText), ...content);
}

// kv renders [term, value] pairs, skipping the empty ones.
export function kv(pairs, cls) {
  const list = el("dl", { class: "kv" + (cls ? " " + cls : "") });
  for (const [k, v] of pairs) {
    if (v === undefined || v === null || v === "" || (Array.isArray(v) && !v.length)) continue;
    list.append(el("dt", null, k), el("dd", null, v));
  }
  return list;
}

// grid builds a table from a header row and rows of cells; a row may be
// {cells, cls} to give the row a class.
export function grid(caption, headers, rows, cls) {
  const cell = (c) => c instanceof Node && (c.nodeName === "TD" || c.nodeName === "TH") ? c : el("td", null, c);
  return el("div", { class: "table-scroll", tabindex: 0, role: "region", "aria-label": caption },
    el("table", { class: cls || null }, el("caption", null, caption),
      el("thead", null, el("tr", null, headers.map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", null, rows.map((r) => Array.isArray(r) ? el("tr", null, r.map(cell)) : el("tr", { class: r.cls || null }, r.cells.map(cell))))));
}

// human says how long a number of seconds is: "2 s", "1 h 14 min".
export function human(sec) {
  if (typeof sec !== "number" || !Number.isFinite(sec)) return "";
  if (sec < 0) return "−" + human(-sec);
  const s = Math.round(sec);
  if (s < 60) return s + " s";
  if (s < 3600) return Math.floor(s / 60) + " min" + (s % 60 ? " " + (s % 60) + " s" : "");
  if (s < 86400) return Math.floor(s / 3600) + " h" + (Math.floor(s / 60) % 60 ? " " + (Math.floor(s / 60) % 60) + " min" : "");
  return Math.floor(s / 86400) + " d" + (Math.floor(s / 3600) % 24 ? " " + (Math.floor(s / 3600) % 24) + " h" : "");
}

// when shows an RFC 3339 time as "YYYY-MM-DD hh:mm:ss UTC".
export function when(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toISOString().replace("T", " ").replace(/\.000Z$|Z$/, " UTC");
}

export function unixTime(t) {
  return typeof t === "number" ? when(new Date(t * 1000).toISOString()) : "";
}

export function yesNo(v, goodWhenTrue = true) {
  if (v === undefined || v === null) return "";
  const good = goodWhenTrue ? v : !v;
  return el("span", { class: "yn " + (good ? "yn-good" : "yn-bad") }, (good ? "✓ " : "✗ ") + (v ? "yes" : "no"));
}

export function ms(v) { return typeof v === "number" ? Math.round(v) + " ms" : ""; }
