// render/recorded.js: what the receiving servers recorded (beside the live
// results), the decoded anti-spam headers, and the header fields as written.

import { el, token, mono, tag, note, fold, grid, resultBadge } from "../dom.js";
import { generic } from "./generic.js";

export function renderRecorded(report) {
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


export function renderVendor(list) {
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
export function renderHeaders(list) {
  return el("div", { class: "table-scroll", tabindex: 0, role: "region", "aria-label": "Header fields" },
    el("table", { class: "headers" }, el("thead", null, el("tr", null,
      el("th", { scope: "col" }, "#"), el("th", { scope: "col" }, "Name"), el("th", { scope: "col" }, "Value"))),
    el("tbody", null, list.filter((h) => h && typeof h === "object").map((h, i) => el("tr", null,
      el("td", { class: "num" }, String(i + 1)),
      el("th", { scope: "row", class: "h-name" }, String(h.name ?? "")),
      el("td", { class: "h-value" }, String(h.value ?? "")))))));
}

