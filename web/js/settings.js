// settings.js: the analysis settings: the form's fields, the page address
// that keeps them (never the message), and the analyzer's options.

// FIELDS are the text settings, by form id and query parameter name.
export const FIELDS = ["doh", "companion", "ip", "helo", "mailFrom"];

const TRUE = ["1", "true", "yes", "on", ""];

// fromQuery reads settings from a query string ("?doh=…&offline=1").
export function fromQuery(search) {
  const q = new URLSearchParams(search);
  const s = {};
  for (const f of FIELDS) if (q.get(f)) s[f] = q.get(f);
  if (q.has("offline") && TRUE.includes((q.get("offline") || "").toLowerCase())) s.offline = true;
  return s;
}

// toQuery writes settings as a query string ("?doh=…&offline=1"), or ""
// when there are none.
export function toQuery(s) {
  const q = new URLSearchParams();
  for (const f of FIELDS) if (s[f]) q.set(f, s[f]);
  if (s.offline) q.set("offline", "1");
  const qs = q.toString();
  return qs ? "?" + qs : "";
}

// addressWith returns page (the page's own absolute address) with the
// settings in its query and its fragment replaced by fragment. Built on the
// page's own URL object, it keeps the page's origin and path as they are:
// it can never become a link to another host (a path starting with "//"
// would, pasted into a relative URL), and it works from file:// too.
export function addressWith(page, s, fragment = "") {
  const u = new URL(page);
  // Other parameters (embed=1) stay; the settings' own are rewritten.
  for (const f of FIELDS.concat(["offline"])) u.searchParams.delete(f);
  for (const [k, v] of new URLSearchParams(toQuery(s))) u.searchParams.set(k, v);
  u.hash = fragment;
  return u.href;
}

// readForm reads the settings from the form inside root.
export function readForm(root) {
  const s = {};
  for (const f of FIELDS) {
    const v = root.querySelector("#" + f).value.trim();
    if (v) s[f] = v;
  }
  if (root.querySelector("#offline").checked) s.offline = true;
  return s;
}

// writeForm puts settings into the form inside root.
export function writeForm(root, s) {
  for (const f of FIELDS) root.querySelector("#" + f).value = s[f] || "";
  root.querySelector("#offline").checked = !!s.offline;
  // Show the settings when an SPF identity override is set, so that it is
  // never applied unseen.
  if (["ip", "helo", "mailFrom"].some((f) => s[f])) root.querySelector("#settings").open = true;
}

// bridgeOptions turns the settings into headerlens.analyze options: several
// DoH URLs may be given separated by commas or spaces, tried in order. The
// companion is left out: the page asks it itself, after the report is
// shown, so that slow mail servers never hold up the analysis.
export function bridgeOptions(s) {
  const o = { ...s };
  delete o.companion;
  if (o.doh) o.doh = o.doh.split(/[\s,]+/).filter(Boolean);
  return o;
}
