// app.js: one headerlens instance inside a root element: reads the message
// (pasted, dropped or picked; never uploaded), calls the shared analyzer
// and renders the report. The page, the <header-lens> element and the
// single-file build all mount it; nothing here looks outside the root.

import { el } from "./dom.js";
import { build } from "./ui.js";
import { Net } from "./net.js";
import { loadAnalyzer } from "./bridge.js";
import { readForm, writeForm, fromQuery, addressWith, bridgeOptions } from "./settings.js";
import { renderReport } from "./render/report.js";
import { renderNetLog } from "./render/netlog.js";
import { companionNote, chooseCompanion } from "./render/transport.js";
import { renderDomainShare, renderShare, unpack } from "./share.js";
import { renderDomainReport } from "./render/domain.js";

const MAX_BYTES = 10 * 1024 * 1024;

// mount builds an instance in root and starts loading the analyzer. config:
//   home           URL the site's files are relative to (wasm, healthz)
//   wasmURL        the module (default: headerlens.wasm beside home)
//   execURL        wasm_exec.js (default: beside home)
//   wasmBytes      optional () => Promise<Uint8Array> (single-file build)
//   settings       initial settings ({doh, companion, offline, ...})
//   keepInAddress  the page keeps the settings in its address (?doh=…) and
//                  reads a shared message from its fragment (#m=…)
//   autoCompanion  look for headerlens serve at home when no companion is set
//   compact        smaller layout (embedding)
// It returns the instance.
export function mount(root, config) {
  const app = new App(root, config);
  app.start();
  return app;
}

class App {
  constructor(root, config) {
    this.root = root;
    this.config = config;
    this.home = String(config.home);
    this.autoCompanion = !!config.autoCompanion;
    this.net = new Net();
    this.analyzer = null;
    this.busy = false;
    this.loaded = null; // { name, bytes, text } of the last file read
    this.companion = null;
    this.companionDetect = null;
    build(root, { compact: config.compact });
    this.results = this.$("results");
  }

  $(id) {
    return this.root.querySelector("#" + id);
  }

  settings() {
    return readForm(this.root);
  }

  messageText() {
    return this.$("message").value;
  }

  pageURL() {
    return this.config.keepInAddress ? location.href : this.home;
  }

  async start() {
    writeForm(this.root, this.config.keepInAddress ? { ...this.config.settings, ...fromQuery(location.search) } : (this.config.settings || {}));
    this.wire();
    this.settingsChanged(false);
    // The network log follows every request; re-rendering keeps it open
    // when the reader opened it.
    const holder = this.$("network");
    const showLog = (entries) => {
      const before = holder.querySelector("details");
      holder.replaceChildren(renderNetLog(entries));
      if (before && before.open) holder.querySelector("details").open = true;
    };
    this.net.subscribe(showLog);
    showLog(this.net.entries);
    if (this.config.keepInAddress) await this.readSharedMessage();
    const progress = this.$("load-progress");
    try {
      this.analyzer = await loadAnalyzer({
        execURL: this.config.execURL || new URL("wasm_exec.js", this.home),
        wasmURL: this.config.wasmURL || new URL("headerlens.wasm", this.home),
        wasmBytes: this.config.wasmBytes,
        net: this.net,
        onProgress: (loaded, total) => {
          if (total) { progress.max = total; progress.value = Math.min(loaded, total); }
          this.setStatus("Loading the analyzer… " + mib(loaded) + (total ? " of " + mib(total) : ""));
        },
        onWarmUp: (report) => this.warmRender(report),
        onExit: () => {
          this.analyzer = null;
          this.$("analyze").disabled = true;
          this.setStatus("The analyzer stopped; reload the page.");
        },
      });
      progress.hidden = true;
      this.$("version").textContent = this.analyzer.version || "";
      this.$("doh-defaults").textContent = (this.analyzer.defaultDoh || []).join(", ");
      this.updatePrivacy(this.settings());
      this.$("analyze").disabled = false;
      this.$("check-domain").disabled = typeof this.analyzer.checkDomain !== "function";
      if (this.$("check-domain").disabled) this.$("tab-domain").hidden = true;
      this.setStatus("Ready.");
      this.root.dispatchEvent(new CustomEvent("headerlens:instance-ready", { bubbles: true, composed: true }));
    } catch (e) {
      progress.hidden = true;
      this.setStatus("");
      this.showError("the analyzer did not load (" + (e && e.message ? e.message : String(e)) + ").");
    }
  }

  // readSharedMessage takes a message carried in the address's fragment
  // (#m=…, see share.js) into the box, with a warning, without analyzing it.
  async readSharedMessage() {
    const m = /^#m=([A-Za-z0-9_-]+)$/.exec(location.hash);
    if (!m) return;
    // The message leaves the address (and this history entry) once read.
    history.replaceState(null, "", addressWith(location.href, fromQuery(location.search)));
    try {
      this.$("message").value = await unpack(m[1]);
      this.$("file-info").replaceChildren(el("strong", null, "This link carried a message. "),
        "It is in the box above, read from the address (the part after #, never sent to the server). Analyze it only if you trust who sent the link.");
    } catch (e) {
      this.showError("the message in the link could not be read (" + (e && e.message ? e.message : String(e)) + ").");
    }
  }

  wire() {
    const $ = (id) => this.$(id);
    $("input-form").addEventListener("submit", (e) => { e.preventDefault(); this.analyze(); });
    $("domain-form").addEventListener("submit", (e) => { e.preventDefault(); this.checkDomain(); });
    // The two tabs (WAI-ARIA tabs pattern: arrow keys move between them).
    const tabs = [$("tab-message"), $("tab-domain")];
    const select = (t) => {
      for (const x of tabs) {
        const on = x === t;
        if (on) x.setAttribute("aria-selected", "true");
        else x.setAttribute("aria-selected", "false");
        x.tabIndex = on ? 0 : -1;
        $(x.getAttribute("aria-controls")).hidden = !on;
      }
      $("results").hidden = t !== tabs[0] || !$("results").hasChildNodes();
      $("domain-results").hidden = t !== tabs[1] || !$("domain-results").hasChildNodes();
    };
    for (const t of tabs) {
      t.addEventListener("click", () => select(t));
      t.addEventListener("keydown", (e) => {
        if (e.key !== "ArrowLeft" && e.key !== "ArrowRight") return;
        const next = tabs[(tabs.indexOf(t) + 1) % tabs.length];
        select(next);
        next.focus();
      });
    }
    $("message").addEventListener("keydown", (e) => {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); this.analyze(); }
    });
    $("clear").addEventListener("click", () => {
      $("message").value = "";
      this.loaded = null;
      $("file-info").textContent = "";
      this.results.hidden = true;
      this.results.replaceChildren();
      this.hideError();
      $("message").focus();
    });
    $("file").addEventListener("change", (e) => {
      const f = e.target.files && e.target.files[0];
      if (f) this.readFile(f).catch((err) => this.showError(err.message || String(err)));
    });
    for (const zone of [$("drop"), $("message")]) {
      zone.addEventListener("dragover", (e) => { e.preventDefault(); $("drop").classList.add("over"); });
      zone.addEventListener("dragleave", () => $("drop").classList.remove("over"));
      zone.addEventListener("drop", (e) => {
        e.preventDefault();
        $("drop").classList.remove("over");
        const f = e.dataTransfer && e.dataTransfer.files && e.dataTransfer.files[0];
        if (f) this.readFile(f).catch((err) => this.showError(err.message || String(err)));
      });
    }
    for (const id of ["doh", "companion", "ip", "helo", "mailFrom", "offline"]) $(id).addEventListener("change", () => this.settingsChanged(true));
    // The Check buttons of the trail: the user picks which hop's domain the
    // companion checks; nothing but that domain name is sent.
    this.results.addEventListener("click", (e) => {
      const btn = e.target instanceof Element ? e.target.closest("button.check-tls") : null;
      if (btn && !btn.disabled && btn.dataset.domain && this.companion) this.companion.check(btn.dataset.domain, "picked from the Received trail", true);
    });
    // The site's Content-Security-Policy refused a connection: usually a
    // resolver or companion URL the server was not started with.
    document.addEventListener("securitypolicyviolation", (e) => this.cspBlocked(e));
    // Printing expands every folded section; they fold back afterwards.
    let opened = [];
    globalThis.addEventListener("beforeprint", () => {
      opened = [...this.root.querySelectorAll("#results details:not([open]), #network details:not([open])")];
      for (const d of opened) d.open = true;
    });
    globalThis.addEventListener("afterprint", () => {
      for (const d of opened) d.open = false;
      opened = [];
    });
  }

  settingsChanged(changed) {
    const s = this.settings();
    const link = this.$("settings-link");
    if (this.config.keepInAddress) {
      // The page's own address with the settings as its query (never the
      // message: the fragment is dropped).
      const url = addressWith(location.href, s);
      if (changed) history.replaceState(null, "", url);
      link.href = url;
    } else {
      link.closest("p").hidden = true;
    }
    this.updatePrivacy(s);
  }

  updatePrivacy(s) {
    const doh = this.$("privacy-doh");
    const comp = this.$("privacy-companion");
    if (s.offline) {
      doh.textContent = "(none: offline)";
      comp.textContent = "";
      return;
    }
    doh.textContent = s.doh || (this.analyzer && this.analyzer.defaultDoh || []).join(", ") || "(default)";
    const c = companionNote(this, s);
    comp.textContent = c ? "; and, for the transport-security checks, domain names (never the message) to " + c : "";
  }

  async readFile(file) {
    this.$("file-info").textContent = "";
    if (file.size > MAX_BYTES) {
      this.showError("The file " + file.name + " is larger than 10 MiB. Save only the headers and try again.");
      return;
    }
    const bytes = new Uint8Array(await file.arrayBuffer());
    const text = new TextDecoder("utf-8").decode(bytes);
    this.loaded = { name: file.name, bytes, text };
    this.$("message").value = text;
    this.$("file-info").textContent = "Read " + file.name + " (" + bytes.length.toLocaleString() + " bytes) locally.";
    this.hideError();
  }

  showError(msg) {
    const box = this.$("error");
    const csp = box.querySelector(".csp-note");
    box.replaceChildren(el("strong", null, "Could not analyze: "), String(msg));
    if (csp) box.append(csp);
    box.hidden = false;
  }

  hideError() {
    this.$("error").hidden = true;
    this.$("error").replaceChildren();
  }

  setStatus(msg) {
    this.$("status").textContent = msg;
  }

  cspBlocked(e) {
    if (e.effectiveDirective !== "connect-src") return;
    // Only a connection this instance would make: on a host page (the
    // element), the page's own refusals are none of its business.
    const s = this.settings();
    const ours = [...(s.doh ? s.doh.split(/[\s,]+/) : (this.analyzer && this.analyzer.defaultDoh) || []), s.companion || ""].filter(Boolean);
    const blocked = String(e.blockedURI || "");
    if (!ours.some((u) => blocked.startsWith(u) || u.startsWith(blocked))) return;
    const box = this.$("error");
    if (box.querySelector(".csp-note")) return;
    box.append(el("p", { class: "explain csp-note" }, "The browser refused to connect to " + String(e.blockedURI) +
      ": this site's Content-Security-Policy allows only the DNS resolvers and servers it was started with. " +
      "Use one of those, or start the server with --doh " + String(e.blockedURI) + " (or --connect-src for a companion)."));
    box.hidden = false;
  }

  // checkDomain runs headerlens.checkDomain on the domain of the form,
  // through the settings' resolver; only DNS names derived from the domain
  // are sent.
  async checkDomain() {
    if (!this.analyzer || this.busy || typeof this.analyzer.checkDomain !== "function") return;
    const domain = this.$("domain").value.trim();
    const out = this.$("domain-results");
    if (!domain) {
      this.showError("Type the domain to check.");
      this.$("domain").focus();
      return;
    }
    const s = this.settings();
    if (s.offline) {
      this.showError("Checking a domain needs DNS: turn Offline off in the settings.");
      return;
    }
    const opts = bridgeOptions(s);
    const selectors = this.$("dkim-selectors").value.split(/[\s,]+/).filter(Boolean);
    const o = { doh: opts.doh, dkimSelectors: selectors.length ? selectors : undefined };
    // STARTTLS and the MTA-STS policy need the companion, when there is one.
    const companion = await chooseCompanion(this, s);
    if (companion.url) o.companion = companion.url;
    this.hideError();
    this.busy = true;
    this.$("check-domain").disabled = true;
    this.$("domain-status").textContent = "Checking…";
    const t0 = performance.now();
    try {
      const report = await this.analyzer.checkDomain(domain, o);
      this.net.record({ time: new Date(), kind: "dns", what: "the DNS records of " + domain + " (MX, TXT, TLSA, and the names they lead to)",
        method: "GET", url: (opts.doh || this.analyzer.defaultDoh || []).join(", "), status: "done" });
      if (o.companion) {
        this.net.record({ time: new Date(), kind: "companion", what: "the domain name " + domain + " (STARTTLS on its MX hosts, its MTA-STS policy, its BIMI logo and certificate)",
          method: "GET", url: o.companion, status: "done" });
      }
      out.replaceChildren(renderDomainReport(report), renderDomainShare(report, this));
      out.hidden = false;
      this.$("domain-status").textContent = "Done in " + Math.round(performance.now() - t0) + " ms.";
      out.focus({ preventScroll: false });
    } catch (e) {
      this.showError(e && e.message ? e.message : String(e));
      this.$("domain-status").textContent = "";
    } finally {
      this.busy = false;
      this.$("check-domain").disabled = false;
    }
  }

  async analyze() {
    if (!this.analyzer || this.busy) return;
    const textValue = this.$("message").value;
    const input = this.loaded && this.loaded.text === textValue ? this.loaded.bytes : textValue;
    if ((typeof input === "string" ? input.trim() : "x") === "") {
      this.showError("Paste the message headers first, or drop an .eml file.");
      this.$("message").focus();
      return;
    }
    this.hideError();
    this.busy = true;
    this.$("analyze").disabled = true;
    this.results.setAttribute("aria-busy", "true");
    this.setStatus("Analyzing…");
    const t0 = performance.now();
    try {
      performance.mark("headerlens:analyze");
      const report = await this.analyzer.analyze(input, bridgeOptions(this.settings()));
      performance.mark("headerlens:analyzed");
      this.net.addQueries(report && report.dns);
      const frag = renderReport(report, this);
      frag.append(renderShare(report, this));
      // One DOM insertion per analysis.
      this.results.replaceChildren(frag);
      this.results.hidden = false;
      performance.mark("headerlens:rendered");
      this.setStatus("Done in " + Math.round(performance.now() - t0) + " ms.");
      this.results.focus({ preventScroll: false });
    } catch (e) {
      this.showError(e && e.message ? e.message : String(e));
      this.setStatus("");
    } finally {
      this.busy = false;
      this.$("analyze").disabled = false;
      this.results.removeAttribute("aria-busy");
    }
  }

  // warmRender lays out the warm-up analysis's report (js/bridge.js) once,
  // hidden and off-screen, and removes it in the same task, so nothing is
  // painted or announced. The browser then has the rendering code compiled
  // and its style caches filled before the reader's first report. The
  // companion section is left out: it would look for a companion server.
  // Skipped once the reader has a report or an analysis runs.
  warmRender(report) {
    if (this.busy || !this.results.hidden) return;
    try {
      const box = el("div", { class: "warm-up", "aria-hidden": "true" });
      box.inert = true;
      box.style.width = this.results.parentElement.clientWidth + "px";
      box.append(renderReport(report, this, { companion: false }));
      this.results.after(box);
      void box.offsetHeight;
      box.remove();
      performance.mark("headerlens:warm-render");
    } catch {
      // A warm-up that fails changes nothing.
    }
  }
}

function mib(n) {
  return (n / 1048576).toFixed(1) + " MiB";
}
