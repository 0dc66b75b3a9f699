// render/transport.js: the companion's transport-security checks of a
// domain (MX hosts, STARTTLS, certificates, MTA-STS, TLS-RPT, DANE), and
// the section that asks the companion for them. Only domain names are sent
// to the companion, through the instance's network module.

import { el, mono, tag, note, fold, kv, human, when, yesNo, ms } from "../dom.js";
import { generic, section } from "./generic.js";

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

export function renderMailTLS(d, elapsed) {
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

const OFF = /^(off|none|no|0|false)$/i;

// chooseCompanion decides which companion to use: the settings' URL, none
// ("off"), or, by default, the site this page came from (ctx.home) when
// headerlens serve answers its healthz there. Only that health check is
// sent to find out.
export function chooseCompanion(ctx, s) {
  if (s.offline) return Promise.resolve({ url: null, reason: "Offline is on, so nothing is sent to a companion." });
  const v = (s.companion || "").trim();
  if (OFF.test(v)) return Promise.resolve({ url: null, reason: "The companion is turned off in the settings (companion=" + v + ")." });
  if (v) {
    try {
      return Promise.resolve({ url: new URL(v, ctx.home).href.replace(/\/?$/, "/"), how: "set in the settings" });
    } catch (e) {
      return Promise.resolve({ url: null, reason: "The companion URL in the settings is not valid." });
    }
  }
  if (!ctx.autoCompanion) return Promise.resolve({ url: null, reason: "No companion URL is set." });
  if (!ctx.companionDetect) {
    const unavailable = { url: null, reason: "This page is not served by headerlens serve, and no companion URL is set." };
    ctx.companionDetect = ctx.net.fetch(new URL("healthz", ctx.home), { cache: "no-store" }, { kind: "companion", what: "health check (is this site headerlens serve?)" })
      .then((r) => r.ok ? r.json() : null)
      .then((j) => j && j.status === "ok" ? { url: new URL(".", ctx.home).href, how: "this site's own server (headerlens serve)" } : unavailable)
      .catch(() => unavailable);
  }
  return ctx.companionDetect;
}

// companionNote says, for the privacy note, where domain names go.
export function companionNote(ctx, s) {
  if (s.offline || OFF.test(s.companion || "")) return "";
  if (s.companion) return "the companion " + s.companion;
  return ctx.autoCompanion ? "this site's own server when it is headerlens serve" : "";
}

// Companion is the transport-security section of one report: it holds the
// cards of the domains checked and asks the companion about new ones.
export class Companion {
  constructor(ctx) {
    this.ctx = ctx;
    this.cards = new Map();
    this.holder = el("div", { class: "cards companion-cards" });
    this.base = null;
  }

  // section renders the section for report and starts the automatic
  // checks: the From domain and the recipient domains the analyzer picked
  // (summary.recipientDomains, the ones analyze(text, {companion}) checks).
  section(report) {
    const s = report.summary || {};
    const status = el("p", { class: "explain", "aria-live": "polite" }, "Looking for a companion server…");
    const auto = [];
    if (s.fromDomain) auto.push([String(s.fromDomain).toLowerCase(), "the From domain"]);
    for (const d of Array.isArray(s.recipientDomains) ? s.recipientDomains : []) {
      if (typeof d === "string" && d) auto.push([d.toLowerCase(), "a recipient (To or Cc) domain"]);
    }
    // A report that already holds the companion's answers (report.transport)
    // is shown as it is; those domains are not asked again.
    for (const t of Array.isArray(report.transport) ? report.transport : []) {
      if (!t || typeof t !== "object" || !t.domain) continue;
      const why = (Array.isArray(t.roles) ? t.roles : []).map((r) => r === "from" ? "the From domain" : r === "recipient" ? "a recipient domain" : String(r)).join(", ");
      const card = this.card(String(t.domain), why || "checked by the analyzer");
      card.lastChild.replaceChildren(t.result && typeof t.result === "object" ? renderMailTLS(t.result)
        : note("The companion could not check " + t.domain + ": " + String(t.error || "no answer") + ".", "bad"));
    }
    chooseCompanion(this.ctx, this.ctx.settings()).then((b) => {
      if (this.ctx.companion !== this) return; // a newer report replaced this one
      this.base = b;
      if (!b.url) {
        status.replaceChildren(el("strong", null, "Transport checks unavailable. "), b.reason + " ",
          "Without a companion the page cannot test STARTTLS, certificates, MTA-STS or DANE (a browser cannot open SMTP connections). ",
          "To enable them, open this page from ", mono("headerlens serve"), " (", mono("make run"), "), or set a companion URL in the settings (",
          mono("?companion=URL"), "; the site's Content-Security-Policy must allow it, ", mono("--connect-src"), "). Everything else on this page works without it.");
        for (const btn of this.ctx.results.querySelectorAll("button.check-tls")) { btn.disabled = true; btn.title = "No companion server is available"; }
        return;
      }
      status.replaceChildren("Companion: ", mono(new URL(b.url).origin), " (" + b.how + "). It receives only the domain names below, never the message. Use the ",
        el("strong", null, "Check"), " buttons in the Received trail to check the domain of a hop.");
      for (const [d, why] of auto) if (!this.cards.has(d)) this.check(d, why);
    });
    return section("companion", el("div", null, status, this.holder), 0);
  }

  // check adds (or reuses) the card of one domain and asks the companion's
  // /api/v1/mail-tls about it. Only the domain name is sent.
  check(domain, why, focus) {
    let card = this.cards.get(domain);
    if (card) {
      if (focus) { card.scrollIntoView({ block: "start" }); card.focus({ preventScroll: true }); }
      return;
    }
    card = this.card(domain, why);
    const body = card.lastChild;
    const sec = this.holder.closest("details");
    if (focus && sec) sec.open = true;
    if (focus) { card.scrollIntoView({ block: "start" }); card.focus({ preventScroll: true }); }
    const b = this.base;
    if (!b || !b.url) {
      body.replaceChildren(note("No companion server is available, so this domain cannot be checked.", "warn"));
      return;
    }
    const endpoint = new URL("api/v1/mail-tls", b.url);
    endpoint.searchParams.set("domain", domain);
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), 90000);
    const t0 = performance.now();
    this.ctx.net.fetch(endpoint, { signal: ctl.signal }, { kind: "companion", what: "transport checks of " + domain })
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

  // card adds the (empty) card of one domain to the section.
  card(domain, why) {
    const body = el("div", { "aria-live": "polite" }, el("p", { class: "explain" }, "Checking…"));
    const card = el("article", { class: "card-item tls-card", tabindex: -1, "data-domain": domain },
      el("h3", null, mono(domain), " ", el("span", { class: "muted" }, "— " + why)), body);
    this.cards.set(domain, card);
    this.holder.append(card);
    return card;
  }
}
