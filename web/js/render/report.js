// render/report.js: the whole report, section by section. Report keys with
// a renderer of their own are listed in HANDLED; any other key is rendered
// generically, so new report fields show up without a page change.

import { el, present, note } from "../dom.js";
import { generic, section, table, pick } from "./generic.js";
import { renderVerdict, renderSummary, renderFindings } from "./verdict.js";
import { renderTrail } from "./trail.js";
import { renderSPF, renderDKIM, renderDMARC, renderARC } from "./auth.js";
import { renderRecorded, renderVendor, renderHeaders } from "./recorded.js";
import { Companion } from "./transport.js";

const HANDLED = new Set(["summary", "findings", "hops", "trail", "live", "recorded", "vendor", "dns", "headers", "notes", "companion", "transport"]);
const LIVE_HANDLED = new Set(["enabled", "reason", "identities", "spf", "spfSkipped", "dkim", "arc", "dmarc", "comparison"]);
// Facts about the run itself, shown together at the end.
const META = ["version", "input", "elapsedMs"];
const DNS_COLUMNS = [["name", "type", "rcode", "answers", "durationMs", "cached", "ad", "endpoint", "error"], ["startMs"]];

// renderReport returns the report's sections as one fragment. ctx is the
// instance (see app.js): its companion section is created here, one per
// report, unless opts.companion is false (the warm-up render of app.js,
// which must not look for a companion).
export function renderReport(report, ctx, opts = {}) {
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
  if (opts.companion !== false) {
    ctx.companion = new Companion(ctx);
    frag.append(ctx.companion.section(report));
  }
  if (Array.isArray(report.dns) && report.dns.length) {
    const [prefer, hide] = DNS_COLUMNS;
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
  return frag;
}
