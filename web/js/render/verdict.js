// render/verdict.js: the verdict at a glance, the summary of the message's
// own fields, and the findings.

import { el, token, present, label, badge, resultBadge, link, note, tag } from "../dom.js";
import { generic } from "./generic.js";

export function renderSummary(summary) {
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
const SEVERITY_TITLE = { error: "Errors", warning: "Warnings", info: "Information" };

function findingItem(f) {
  return el("li", { class: "finding f-" + token(f.severity || "info") },
    el("div", { class: "finding-head" }, f.severity ? badge(f.severity) : null,
      el("span", { class: "finding-msg" }, f.message ? String(f.message) : ""),
      f.source ? tag(String(f.source)) : null,
      f.code ? el("code", { class: "finding-code" }, String(f.code)) : null));
}

// findingList renders findings most serious first (used inside sections).
export function findingList(list) {
  const items = (Array.isArray(list) ? list : []).filter((f) => f && typeof f === "object");
  if (!items.length) return null;
  items.sort((a, b) => (SEVERITY_RANK[String(a.severity).toLowerCase()] ?? 3) - (SEVERITY_RANK[String(b.severity).toLowerCase()] ?? 3));
  return el("ul", { class: "findings" }, items.map(findingItem));
}

function dkimOverall(list) {
  if (!Array.isArray(list) || !list.length) return { result: "none", detail: "no signature" };
  const pass = list.filter((s) => s && s.result === "pass").length;
  const result = pass ? "pass" : (list[0] && list[0].result) || "none";
  return { result, detail: pass + " of " + list.length + " pass" };
}

function trustedRecorded(report, method) {
  return (report.recorded || []).find((r) => r && r.trusted && String(r.method).toLowerCase() === method);
}

export function renderVerdict(report) {
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

export function renderFindings(list) {
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
