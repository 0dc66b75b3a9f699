// render/trail.js: the Received trail, hop by hop, oldest first, with the
// trust boundary and the delays between hops.

import { el, token, human, when, mono, tag, note, fold, grid } from "../dom.js";

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
export function domainOf(host) {
  const h = String(host || "").toLowerCase().replace(/\.$/, "");
  if (!/^[a-z0-9_.-]+\.[a-z0-9-]+$/.test(h) || /^[0-9.]+$/.test(h)) return "";
  const labels = h.split(".");
  return labels.length >= 3 ? labels.slice(1).join(".") : h;
}

export function renderTrail(report) {
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
