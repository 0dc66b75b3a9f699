// ui.js: the analyzer's form and result areas, built inside a root element,
// so that the page, the <header-lens> element and the single-file build
// share one markup. Element ids are unique within the root; the page has
// one root in its document, and each <header-lens> keeps its own in a
// shadow root.

import { el } from "./dom.js";

// input builds an <input> or <textarea> with properties (never attributes
// computed from data).
function input(tag, id, props, attrs) {
  const node = el(tag, { id, ...attrs });
  Object.assign(node, { spellcheck: false, autocomplete: "off" }, props);
  return node;
}

// build fills root with the analyzer's interface and returns it. opts:
// {compact} for a smaller layout without the privacy text's detail.
export function build(root, opts = {}) {
  const privacy = el("section", { class: "privacy", "aria-labelledby": "privacy-title" },
    el("h2", { id: "privacy-title" }, "Private by design"),
    el("p", null, el("strong", null, "The headers never leave this machine."),
      " The analysis runs in this page, in WebAssembly; nothing you paste or drop is uploaded. ",
      "To check SPF, DKIM and DMARC the page asks DNS questions about the domains in the message, and only those questions go out: to the DNS-over-HTTPS resolver ",
      el("span", { id: "privacy-doh", class: "mono" }, "(default)"), el("span", { id: "privacy-companion" }),
      ". With ", el("em", null, "Offline"), " on, nothing is sent at all; the network log at the end lists every request."));

  const message = input("textarea", "message", { rows: 12, autocapitalize: "off",
    placeholder: "Received: from mail.example.com ...\nAuthentication-Results: ...\nFrom: ...\nSubject: ..." }, { "aria-describedby": "message-hint" });
  const file = input("input", "file", { type: "file", accept: ".eml,.txt,.msg,message/rfc822,text/plain" });
  const analyzeBtn = el("button", { type: "submit", id: "analyze", class: "primary" }, "Analyze");
  analyzeBtn.disabled = true;

  const text = (id, props, hint) => input("input", id, { type: "text", ...props }, hint ? { "aria-describedby": hint } : null);
  const settings = el("details", { id: "settings", class: "settings" },
    el("summary", null, "Settings"),
    el("div", { class: "settings-grid" },
      el("label", { for: "doh" }, "DNS-over-HTTPS resolver URL"),
      input("input", "doh", { type: "url", inputMode: "url", placeholder: "default resolvers" }, { "aria-describedby": "doh-hint" }),
      el("p", { class: "hint", id: "doh-hint" }, "Only resolvers that this site allows work: its Content-Security-Policy blocks any other (start headerlens serve with ",
        el("span", { class: "mono" }, "--doh URL"), " to allow one). Default: ", el("span", { id: "doh-defaults", class: "mono" }), "."),
      el("label", { class: "check" }, input("input", "offline", { type: "checkbox" }), " Offline: no DNS queries and no companion; only what the headers themselves record"),
      el("label", { for: "companion" }, "Companion server URL (optional)"),
      text("companion", { inputMode: "url", placeholder: "automatic: this site's server, if it is headerlens serve" }, "companion-hint"),
      el("p", { class: "hint", id: "companion-hint" }, "A headerlens companion makes the checks a browser cannot (STARTTLS, certificates, MTA-STS, DANE). It receives domain names (the From and To domains, and hop domains you pick), never the message. Empty: the server of this site, when it is ",
        el("span", { class: "mono" }, "headerlens serve"), "; ", el("span", { class: "mono" }, "off"), ": none; or the URL of another companion."),
      el("fieldset", { class: "spf-ids" },
        el("legend", null, "SPF identity overrides (optional)"),
        el("label", { for: "ip" }, "Connecting IP"), text("ip", { placeholder: "from the headers" }),
        el("label", { for: "helo" }, "HELO name"), text("helo", { placeholder: "from the headers" }),
        el("label", { for: "mailFrom" }, "MAIL FROM"), text("mailFrom", { placeholder: "from Return-Path" })),
      el("p", { class: "hint", id: "settings-link-hint" }, "These settings are kept in the page address (never the message): ",
        el("a", { id: "settings-link" }, "link to these settings"), ".")));

  const form = el("form", { id: "input-form", class: "card" },
    el("label", { for: "message", class: "big-label" }, "Message headers, or the whole message"),
    el("p", { class: "hint", id: "message-hint" }, "In most mail programs: “Show original” or “View source”, then copy everything (or just the part before the first empty line). Ctrl+Enter analyzes."),
    message,
    el("div", { id: "drop", class: "drop" },
      el("span", null, "Drop an ", el("span", { class: "mono" }, ".eml"), " file here, or"),
      el("label", { for: "file", class: "file-label" }, "choose a file"), file,
      el("span", { class: "hint" }, "The file is read in the browser, never uploaded.")),
    el("p", { id: "file-info", class: "hint", "aria-live": "polite" }),
    el("div", { class: "actions" }, analyzeBtn,
      el("button", { type: "button", id: "clear" }, "Clear"),
      el("span", { id: "status", role: "status", "aria-live": "polite" }, "Loading the analyzer…"),
      el("progress", { id: "load-progress", "aria-label": "Loading the analyzer" })),
    settings);
  form.noValidate = true;

  // The domain check: a domain's mail protection from DNS, without a
  // message (headerlens.checkDomain).
  const domainInput = input("input", "domain", { type: "text", inputMode: "url", placeholder: "example.com" }, { "aria-describedby": "domain-hint" });
  const checkBtn = el("button", { type: "submit", id: "check-domain", class: "primary" }, "Check");
  checkBtn.disabled = true;
  const domainForm = el("form", { id: "domain-form", class: "card" },
    el("label", { for: "domain", class: "big-label" }, "Domain"),
    el("p", { class: "hint", id: "domain-hint" }, "Its MX, SPF, DMARC, DKIM, MTA-STS, TLS-RPT, BIMI and DANE records, read through the DNS-over-HTTPS resolver of the settings. Only the domain name and the names derived from it are sent."),
    domainInput,
    el("label", { for: "dkim-selectors" }, "DKIM selectors to try (optional, separated by commas)"),
    input("input", "dkim-selectors", { type: "text", placeholder: "besides a list of widely used ones" }),
    el("div", { class: "actions" }, checkBtn, el("span", { id: "domain-status", role: "status", "aria-live": "polite" })));
  domainForm.noValidate = true;
  const domainResults = el("section", { id: "domain-results", class: "results", tabindex: -1, "aria-label": "Domain check" });
  domainResults.hidden = true;
  const tab = (id, panel, text, selected) => {
    const b = el("button", { type: "button", id, role: "tab", "aria-controls": panel, "aria-selected": selected ? "true" : "false" }, text);
    b.tabIndex = selected ? 0 : -1;
    return b;
  };
  const tabs = el("div", { class: "tabs", role: "tablist", "aria-label": "What to check" },
    tab("tab-message", "panel-message", "Analyze a message", true), tab("tab-domain", "panel-domain", "Check a domain", false));
  const messagePanel = el("div", { id: "panel-message", role: "tabpanel", "aria-labelledby": "tab-message" }, form);
  const domainPanel = el("div", { id: "panel-domain", role: "tabpanel", "aria-labelledby": "tab-domain" }, domainForm);
  domainPanel.hidden = true;

  const error = el("div", { id: "error", class: "error", role: "alert" });
  error.hidden = true;
  const results = el("section", { id: "results", class: "results", tabindex: -1, "aria-label": "Results" });
  results.hidden = true;
  const network = el("div", { id: "network", class: "network" });
  const footer = el("p", { class: "hint version-line" }, "headerlens ", el("span", { id: "version" }), " · analysis in your browser · DNS through DNS-over-HTTPS");

  root.classList.add("hl-root");
  if (opts.compact) root.classList.add("compact");
  root.replaceChildren(privacy, tabs, messagePanel, domainPanel, error, results, domainResults, network, footer);
  return root;
}
