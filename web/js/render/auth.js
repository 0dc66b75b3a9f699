// render/auth.js: the live SPF, DKIM, DMARC and ARC results.

import { el, token, mono, tag, note, fold, kv, grid, resultBadge, unixTime, yesNo } from "../dom.js";
import { generic } from "./generic.js";
import { findingList } from "./verdict.js";

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

export function renderSPF(live) {
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


export function renderDKIM(live) {
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


const POLICY_SOURCE = { p: "the p= tag (the domain's policy)", sp: "the sp= tag (the policy for subdomains)", np: "the np= tag (the policy for non-existent subdomains, RFC 9989)" };

export function renderDMARC(live) {
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


export function renderARC(live) {
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
